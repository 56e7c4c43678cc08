/*
 * CLaneKernels: the inner loops of the lockstep networks (eight seeds, one per SIMD lane;
 * element k of lane s at k * 8 + s), compiled three times and chosen at run time:
 *
 *   TF_LANES_AVX512    one 512-bit instruction per eight lanes (x86-64 with AVX-512F);
 *   TF_LANES_AVX2      two 256-bit instructions (x86-64 with AVX2 and FMA);
 *   TF_LANES_PORTABLE  the C library's fma() per element (any processor).
 *
 * Bits: every path performs, in every lane, the same IEEE operations in the same order
 * (fused multiply-adds only where written, as fma; no contraction, no reassociation), so the
 * three give the same results; LockstepTests runs each on this machine. The order of each
 * sum is the single-seed kernel's (ThreeFactor's DenseKernels.vectorTimesMatrix) and is
 * stated beside each function.
 *
 * Every function takes the instruction set first; passing one that tf_lanes_supported
 * reports as unsupported is a programming error (the process would stop with SIGILL).
 * Nothing here allocates.
 */
#ifndef CLANEKERNELS_H
#define CLANEKERNELS_H

#include <stddef.h>
#include <stdint.h>

/* The lanes of one vector. */
#define TF_LANES 8

typedef enum {
    TF_LANES_PORTABLE = 0,
    TF_LANES_AVX2 = 1,
    TF_LANES_AVX512 = 2,
} tf_lane_isa;

/* Whether this processor (and its operating system) can run `isa`. */
int tf_lanes_supported(tf_lane_isa isa);

/*
 * out[o] = (sum_k x[k] * M(k, o)) + bias[o] for o < outputs, per lane, where M(k, o) is the
 * lane vector at m + (k * stride_k + o * stride_o) * 8 (bias NULL: + 0). The order of the sum
 * over k for output o is DenseKernels.vectorTimesMatrix's for column o of a count x outputs
 * matrix: in the 16-column blocks (o < outputs rounded down to 16) two chains, even and odd
 * k, added at the end; in the following 4-column blocks one chain; in the last
 * (outputs mod 4) columns four chains over k mod 4 (leftover k into the first), added as
 * (s0 + s1) + (s2 + s3). The bias is added last.
 */
void tf_lanes_vector_times_matrix(
    tf_lane_isa isa, const double *x, ptrdiff_t count, const double *m, ptrdiff_t stride_k, ptrdiff_t stride_o,
    const double *bias, ptrdiff_t outputs, double *out);

/*
 * One MAP ascent step of n hidden units, then the refresh of the layer above, reading the
 * layer above's weights W (n x outputs) once:
 *   feedback = e W^T (e: the layer above's eligibilities),
 *   value   <- value + step * ((mean - value) * inverse_variance + feedback),
 *   potential = value W + bias.
 * Both products have tf_lanes_vector_times_matrix's chains and bits. `accumulators` is
 * scratch of 4 * outputs lane vectors.
 */
void tf_lanes_ascend_and_refresh(
    tf_lane_isa isa, double *value, const double *mean, double *feedback, ptrdiff_t n, double inverse_variance,
    double step, const double *eligibility, const double *w, const double *bias, ptrdiff_t outputs,
    double *potential, double *accumulators);

/*
 * Eligibility traces of a layer with `inputs` x `outputs` weights:
 * T[i][o] <- fma(x[i], e[o], decay * T[i][o]),  bias_trace[o] <- decay * bias_trace[o] + e[o].
 */
void tf_lanes_accumulate_traces(
    tf_lane_isa isa, const double *x, ptrdiff_t inputs, const double *eligibility, ptrdiff_t outputs,
    double *weight_trace, double *bias_trace, double decay);

/*
 * Adam ascent along scale * gradient for `count` parameters (ThreeFactor's Adam.ascend per
 * lane): g = scale * gradient; m' = fma(beta1, m, (1 - beta1) * g);
 * v' = fma(beta2, v, (1 - beta2) * (g * g)); p += (step_scale * m') / (root(v' * inverse_c2) + epsilon),
 * root being Adam.denominatorRoot (four Newton steps from a bit-level guess, v floored at
 * 2^-600). scale, step_scale and inverse_c2 hold one value per lane; only the lanes whose
 * bit is set in lane_mask (bit s for lane s) change.
 */
void tf_lanes_adam_ascend(
    tf_lane_isa isa, double *parameters, const double *gradient, double *first_moment, double *second_moment,
    ptrdiff_t count, const double *scale, const double *step_scale, const double *inverse_c2, uint32_t lane_mask,
    double beta1, double beta2, double epsilon);

/*
 * The yardstick of the benchmark: `iterations` rounds of twelve independent chains of fused
 * multiply-adds, each chain one register wide (tf_lanes_peak_lanes doubles: 4 for AVX2 and
 * the portable path, 8 for AVX-512), enough chains to keep two FMA units of latency up to 6
 * cycles busy without spilling a register. Returns the chains' sum.
 */
double tf_lanes_peak_chains(tf_lane_isa isa, ptrdiff_t iterations, double multiplier, double addend);
int tf_lanes_peak_lanes(tf_lane_isa isa);

#endif
