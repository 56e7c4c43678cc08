#include "CLaneKernels.h"

/* Only the operations written: no contraction of a * b + c into a fused multiply-add. */
#pragma clang fp contract(off)

typedef double tf_v8 __attribute__((ext_vector_type(8)));
typedef double tf_v4 __attribute__((ext_vector_type(4)));
typedef uint64_t tf_u8 __attribute__((ext_vector_type(8)));
typedef int64_t tf_i8 __attribute__((ext_vector_type(8)));
/* The same vector at the alignment of a double: the lanes of an array element. */
typedef tf_v8 tf_v8_unaligned __attribute__((aligned(8)));

#define tf_load(p) (*(const tf_v8_unaligned *)(p))
#define tf_store(p, v) (*(tf_v8_unaligned *)(p) = (v))
#define tf_fma(a, b, c) __builtin_elementwise_fma((a), (b), (c))
/* mask lanes are all ones or all zeros (a vector comparison's result). */
#define tf_select(mask, a, b) ((tf_v8)(((tf_i8)(a) & (mask)) | ((tf_i8)(b) & ~(mask))))

/* The peak loop's chains are one register wide: 12 chains fit the 16 AVX2 registers; a matrix
   product's TF_BLOCK outputs at a time keep 2 x TF_BLOCK accumulators in registers (8 lane
   vectors are 16 AVX2 registers, 16 of the 32 AVX-512 ones). */
#define TF_SUFFIX portable
#define TF_TARGET
#define TF_PEAK_VECTOR tf_v4
#define TF_BLOCK 4
#include "LaneKernelBodies.h"
#undef TF_SUFFIX
#undef TF_TARGET
#undef TF_PEAK_VECTOR
#undef TF_BLOCK

#if defined(__x86_64__)
#define TF_SUFFIX avx2
#define TF_TARGET __attribute__((target("avx2,fma")))
#define TF_PEAK_VECTOR tf_v4
#define TF_BLOCK 4
#include "LaneKernelBodies.h"
#undef TF_SUFFIX
#undef TF_TARGET
#undef TF_PEAK_VECTOR
#undef TF_BLOCK

#define TF_SUFFIX avx512
#define TF_TARGET __attribute__((target("avx512f"), min_vector_width(512)))
#define TF_PEAK_VECTOR tf_v8
#define TF_BLOCK 4
#include "LaneKernelBodies.h"
#undef TF_SUFFIX
#undef TF_TARGET
#undef TF_PEAK_VECTOR
#undef TF_BLOCK
#endif

int tf_lanes_supported(tf_lane_isa isa)
{
    switch (isa) {
    case TF_LANES_PORTABLE: return 1;
#if defined(__x86_64__)
    case TF_LANES_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case TF_LANES_AVX512: return __builtin_cpu_supports("avx512f");
#endif
    default: return 0;
    }
}

#if defined(__x86_64__)
#define TF_DISPATCH(name, ...)                                                   \
    switch (isa) {                                                               \
    case TF_LANES_AVX512: return name##_avx512(__VA_ARGS__);                     \
    case TF_LANES_AVX2: return name##_avx2(__VA_ARGS__);                         \
    default: return name##_portable(__VA_ARGS__);                                \
    }
#else
#define TF_DISPATCH(name, ...) return name##_portable(__VA_ARGS__);
#endif

void tf_lanes_vector_times_matrix(
    tf_lane_isa isa, const double *x, ptrdiff_t count, const double *m, ptrdiff_t stride_k, ptrdiff_t stride_o,
    const double *bias, ptrdiff_t outputs, double *out)
{
    TF_DISPATCH(vector_times_matrix, x, count, m, stride_k, stride_o, bias, outputs, out)
}

void tf_lanes_ascend_and_refresh(
    tf_lane_isa isa, double *value, const double *mean, double *feedback, ptrdiff_t n, double inverse_variance,
    double step, const double *eligibility, const double *w, const double *bias, ptrdiff_t outputs,
    double *potential, double *accumulators)
{
    TF_DISPATCH(ascend_and_refresh, value, mean, feedback, n, inverse_variance, step, eligibility, w, bias, outputs,
                potential, accumulators)
}

void tf_lanes_accumulate_traces(
    tf_lane_isa isa, const double *x, ptrdiff_t inputs, const double *eligibility, ptrdiff_t outputs,
    double *weight_trace, double *bias_trace, double decay)
{
    TF_DISPATCH(accumulate_traces, x, inputs, eligibility, outputs, weight_trace, bias_trace, decay)
}

void tf_lanes_adam_ascend(
    tf_lane_isa isa, double *parameters, const double *gradient, double *first_moment, double *second_moment,
    ptrdiff_t count, const double *scale, const double *step_scale, const double *inverse_c2, uint32_t lane_mask,
    double beta1, double beta2, double epsilon)
{
    TF_DISPATCH(adam_ascend, parameters, gradient, first_moment, second_moment, count, scale, step_scale,
                inverse_c2, lane_mask, beta1, beta2, epsilon)
}

int tf_lanes_peak_lanes(tf_lane_isa isa)
{
    return isa == TF_LANES_AVX512 ? 8 : 4;
}

double tf_lanes_peak_chains(tf_lane_isa isa, ptrdiff_t iterations, double multiplier, double addend)
{
    TF_DISPATCH(peak_chains, iterations, multiplier, addend)
}
