/*
 * The bodies of the lane kernels, included once per instruction set by LaneKernels.c with
 * TF_SUFFIX (the name's suffix) and TF_TARGET (the function attribute) defined. Written with
 * clang's vector extensions: one tf_v8 is eight lanes, and the compiler emits the widest
 * instructions the target attribute allows.
 */

#define TF_NAME2(name, suffix) name##_##suffix
#define TF_NAME1(name, suffix) TF_NAME2(name, suffix)
#define TF_NAME(name) TF_NAME1(name, TF_SUFFIX)

TF_TARGET static void TF_NAME(vector_times_matrix)(
    const double *x, ptrdiff_t count, const double *m, ptrdiff_t stride_k, ptrdiff_t stride_o, const double *bias,
    ptrdiff_t outputs, double *out)
{
#define TF_ELEMENT(k, o) tf_load(m + ((k) * stride_k + (o) * stride_o) * TF_LANES)
#define TF_X(k) tf_load(x + (k) * TF_LANES)
#define TF_BIAS(o) (bias ? tf_load(bias + (o) * TF_LANES) : (tf_v8)0.0)
    const ptrdiff_t sixteen = outputs & ~(ptrdiff_t)15;
    const ptrdiff_t four = sixteen + ((outputs - sixteen) & ~(ptrdiff_t)3);
    const ptrdiff_t even_count = count & ~(ptrdiff_t)1;
    ptrdiff_t o = 0;
    for (; o < sixteen; o += 2) {
        tf_v8 e0 = 0.0, o0 = 0.0, e1 = 0.0, o1 = 0.0;
        ptrdiff_t k = 0;
        for (; k < even_count; k += 2) {
            const tf_v8 xa = TF_X(k), xb = TF_X(k + 1);
            e0 = tf_fma(xa, TF_ELEMENT(k, o), e0);
            e1 = tf_fma(xa, TF_ELEMENT(k, o + 1), e1);
            o0 = tf_fma(xb, TF_ELEMENT(k + 1, o), o0);
            o1 = tf_fma(xb, TF_ELEMENT(k + 1, o + 1), o1);
        }
        if (k < count) {
            const tf_v8 xa = TF_X(k);
            e0 = tf_fma(xa, TF_ELEMENT(k, o), e0);
            e1 = tf_fma(xa, TF_ELEMENT(k, o + 1), e1);
        }
        tf_store(out + o * TF_LANES, (e0 + o0) + TF_BIAS(o));
        tf_store(out + (o + 1) * TF_LANES, (e1 + o1) + TF_BIAS(o + 1));
    }
    for (; o < four; o++) {
        tf_v8 a = 0.0;
        for (ptrdiff_t k = 0; k < count; k++) a = tf_fma(TF_X(k), TF_ELEMENT(k, o), a);
        tf_store(out + o * TF_LANES, a + TF_BIAS(o));
    }
    for (; o < outputs; o++) {
        tf_v8 s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        ptrdiff_t k = 0;
        for (; k + 4 <= count; k += 4) {
            s0 = tf_fma(TF_X(k), TF_ELEMENT(k, o), s0);
            s1 = tf_fma(TF_X(k + 1), TF_ELEMENT(k + 1, o), s1);
            s2 = tf_fma(TF_X(k + 2), TF_ELEMENT(k + 2, o), s2);
            s3 = tf_fma(TF_X(k + 3), TF_ELEMENT(k + 3, o), s3);
        }
        for (; k < count; k++) s0 = tf_fma(TF_X(k), TF_ELEMENT(k, o), s0);
        tf_store(out + o * TF_LANES, ((s0 + s1) + (s2 + s3)) + TF_BIAS(o));
    }
#undef TF_ELEMENT
#undef TF_X
#undef TF_BIAS
}

TF_TARGET static void TF_NAME(ascend)(
    double *value, const double *mean, const double *feedback, ptrdiff_t n, double inverse_variance, double step)
{
    for (ptrdiff_t i = 0; i < n * TF_LANES; i += TF_LANES) {
        const tf_v8 h = tf_load(value + i);
        tf_store(value + i, h + step * ((tf_load(mean + i) - h) * inverse_variance + tf_load(feedback + i)));
    }
}

TF_TARGET static void TF_NAME(accumulate_traces)(
    const double *x, ptrdiff_t inputs, const double *eligibility, ptrdiff_t outputs, double *weight_trace,
    double *bias_trace, double decay)
{
    for (ptrdiff_t i = 0; i < inputs; i++) {
        const tf_v8 xi = tf_load(x + i * TF_LANES);
        double *row = weight_trace + i * outputs * TF_LANES;
        for (ptrdiff_t k = 0; k < outputs * TF_LANES; k += TF_LANES)
            tf_store(row + k, tf_fma(xi, tf_load(eligibility + k), decay * tf_load(row + k)));
    }
    for (ptrdiff_t k = 0; k < outputs * TF_LANES; k += TF_LANES)
        tf_store(bias_trace + k, decay * tf_load(bias_trace + k) + tf_load(eligibility + k));
}

TF_TARGET static void TF_NAME(adam_ascend)(
    double *parameters, const double *gradient, double *first_moment, double *second_moment, ptrdiff_t count,
    const double *scale, const double *step_scale, const double *inverse_c2, uint32_t lane_mask,
    double beta1, double beta2, double epsilon)
{
    const tf_v8 scales = tf_load(scale), step_scales = tf_load(step_scale), inverse_c2s = tf_load(inverse_c2);
    const tf_i8 lane_bits = {1, 2, 4, 8, 16, 32, 64, 128};
    const tf_i8 mask = ((tf_i8)(int64_t)lane_mask & lane_bits) != 0;
    const double one_minus_beta1 = 1 - beta1, one_minus_beta2 = 1 - beta2;
    const tf_v8 floor = 0x1p-600;
    for (ptrdiff_t k = 0; k < count * TF_LANES; k += TF_LANES) {
        const tf_v8 g = scales * tf_load(gradient + k);
        const tf_v8 m_old = tf_load(first_moment + k), v_old = tf_load(second_moment + k);
        const tf_v8 old = tf_load(parameters + k);
        const tf_v8 mk = tf_fma((tf_v8)beta1, m_old, one_minus_beta1 * g);
        const tf_v8 vk = tf_fma((tf_v8)beta2, v_old, one_minus_beta2 * (g * g));
        /* sqrt(v' * inverse_c2) as Adam.denominatorRoot computes it: v floored at 2^-600, a
           bit-level guess of 1/sqrt, four Newton steps, times v. */
        const tf_v8 v_hat = vk * inverse_c2s;
        const tf_v8 safe = tf_select(v_hat < floor, floor, v_hat);
        tf_v8 y = (tf_v8)((tf_u8)0x5FE6EB50C7B537A9ULL - ((tf_u8)safe >> 1));
        const tf_v8 minus_half_v = -0.5 * safe;
        for (int i = 0; i < 4; i++) y = y * tf_fma(minus_half_v, y * y, (tf_v8)1.5);
        const tf_v8 step = step_scales * mk / (safe * y + epsilon);
        tf_store(first_moment + k, tf_select(mask, mk, m_old));
        tf_store(second_moment + k, tf_select(mask, vk, v_old));
        tf_store(parameters + k, tf_select(mask, old + step, old));
    }
}

#undef TF_NAME
#undef TF_NAME1
#undef TF_NAME2
