/*
 * The bodies of the lane kernels, included once per instruction set by LaneKernels.c with
 * TF_SUFFIX (the name's suffix) and TF_TARGET (the function attribute) defined. Written with
 * clang's vector extensions: one tf_v8 is eight lanes, and the compiler emits the widest
 * instructions the target attribute allows.
 */

#define TF_NAME2(name, suffix) name##_##suffix
#define TF_NAME1(name, suffix) TF_NAME2(name, suffix)
#define TF_NAME(name) TF_NAME1(name, TF_SUFFIX)

/* Inlined twice by vector_times_matrix: with stride_o = 1 (W, the forward pass) the
   compiler knows that a block's columns are adjacent, and addresses them from one pointer. */
TF_TARGET static inline __attribute__((always_inline)) void TF_NAME(vector_times_matrix_strided)(
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
    /* TF_BLOCK outputs at a time (4 or 8, a divisor of 16): 2 x TF_BLOCK independent chains
       hide the FMA latency, as many as the registers hold. */
#if TF_BLOCK == 8
#define TF_EACH(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7)
#else
#define TF_EACH(M) M(0) M(1) M(2) M(3)
#endif
#define TF_ZERO(j) tf_v8 even##j = 0.0, odd##j = 0.0;
#define TF_PAIR(j) even##j = tf_fma(xa, TF_ELEMENT(k, o + j), even##j); odd##j = tf_fma(xb, TF_ELEMENT(k + 1, o + j), odd##j);
#define TF_LAST(j) even##j = tf_fma(xa, TF_ELEMENT(k, o + j), even##j);
#define TF_OUT(j) tf_store(out + (o + j) * TF_LANES, (even##j + odd##j) + TF_BIAS(o + j));
    for (; o < sixteen; o += TF_BLOCK) {
        TF_EACH(TF_ZERO)
        ptrdiff_t k = 0;
        for (; k < even_count; k += 2) {
            const tf_v8 xa = TF_X(k), xb = TF_X(k + 1);
            TF_EACH(TF_PAIR)
        }
        if (k < count) {
            const tf_v8 xa = TF_X(k);
            TF_EACH(TF_LAST)
        }
        TF_EACH(TF_OUT)
    }
#undef TF_EACH
#undef TF_ZERO
#undef TF_PAIR
#undef TF_LAST
#undef TF_OUT
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

TF_TARGET static void TF_NAME(vector_times_matrix)(
    const double *x, ptrdiff_t count, const double *m, ptrdiff_t stride_k, ptrdiff_t stride_o, const double *bias,
    ptrdiff_t outputs, double *out)
{
    if (stride_o == 1)
        TF_NAME(vector_times_matrix_strided)(x, count, m, stride_k, 1, bias, outputs, out);
    else
        TF_NAME(vector_times_matrix_strided)(x, count, m, stride_k, stride_o, bias, outputs, out);
}

TF_TARGET static void TF_NAME(ascend_and_refresh)(
    double *value, const double *mean, double *feedback, ptrdiff_t n, double inverse_variance, double step,
    const double *eligibility, const double *w, const double *bias, ptrdiff_t outputs, double *potential,
    double *accumulators)
{
    /* Row i of W serves twice: feedback f_i = sum_o e_o W(i, o) (output i of e W^T), then, with
       the ascended h_i, the refresh's term h_i W(i, o) of every potential o. The chains are
       vector_times_matrix's: of f_i over o as its output i of n; of potential o over rows i
       as its output o of `outputs`, kept in accumulators (four chains per output). The
       feedback's `+ 0.0` is vector_times_matrix's absent bias, which turns -0 into +0. */
#define TF_W(i, o) tf_load(w + ((i) * outputs + (o)) * TF_LANES)
#define TF_ACC(c, o) (accumulators + ((c) * outputs + (o)) * TF_LANES)
    const ptrdiff_t rows_sixteen = n & ~(ptrdiff_t)15, rows_four = rows_sixteen + ((n - rows_sixteen) & ~(ptrdiff_t)3);
    const ptrdiff_t sixteen = outputs & ~(ptrdiff_t)15, four = sixteen + ((outputs - sixteen) & ~(ptrdiff_t)3);
    const ptrdiff_t rows_by_four = n & ~(ptrdiff_t)3, columns_by_four = outputs & ~(ptrdiff_t)3;
    const ptrdiff_t even_outputs = outputs & ~(ptrdiff_t)1;
    for (ptrdiff_t k = 0; k < 4 * outputs * TF_LANES; k += TF_LANES) tf_store(accumulators + k, (tf_v8)0.0);
    for (ptrdiff_t i = 0; i < n; i++) {
        tf_v8 f;
        if (i < rows_sixteen) {
            tf_v8 even = 0.0, odd = 0.0;
            ptrdiff_t o = 0;
            for (; o < even_outputs; o += 2) {
                even = tf_fma(tf_load(eligibility + o * TF_LANES), TF_W(i, o), even);
                odd = tf_fma(tf_load(eligibility + (o + 1) * TF_LANES), TF_W(i, o + 1), odd);
            }
            if (o < outputs) even = tf_fma(tf_load(eligibility + o * TF_LANES), TF_W(i, o), even);
            f = (even + odd) + 0.0;
        } else if (i < rows_four) {
            tf_v8 a = 0.0;
            for (ptrdiff_t o = 0; o < outputs; o++) a = tf_fma(tf_load(eligibility + o * TF_LANES), TF_W(i, o), a);
            f = a + 0.0;
        } else {
            tf_v8 s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
            ptrdiff_t o = 0;
            for (; o < columns_by_four; o += 4) {
                s0 = tf_fma(tf_load(eligibility + o * TF_LANES), TF_W(i, o), s0);
                s1 = tf_fma(tf_load(eligibility + (o + 1) * TF_LANES), TF_W(i, o + 1), s1);
                s2 = tf_fma(tf_load(eligibility + (o + 2) * TF_LANES), TF_W(i, o + 2), s2);
                s3 = tf_fma(tf_load(eligibility + (o + 3) * TF_LANES), TF_W(i, o + 3), s3);
            }
            for (; o < outputs; o++) s0 = tf_fma(tf_load(eligibility + o * TF_LANES), TF_W(i, o), s0);
            f = ((s0 + s1) + (s2 + s3)) + 0.0;
        }
        tf_store(feedback + i * TF_LANES, f);
        const tf_v8 h = tf_load(value + i * TF_LANES);
        const tf_v8 ascended = h + step * ((tf_load(mean + i * TF_LANES) - h) * inverse_variance + f);
        tf_store(value + i * TF_LANES, ascended);
        /* The refresh's chains: even/odd rows (16-column blocks), one (4-column blocks), rows
           mod 4 with the leftover rows in the first (the tail). */
        const ptrdiff_t parity = i & 1, by_four = i < rows_by_four ? (i & 3) : 0;
        ptrdiff_t o = 0;
        for (; o < sixteen; o++) tf_store(TF_ACC(parity, o), tf_fma(ascended, TF_W(i, o), tf_load(TF_ACC(parity, o))));
        for (; o < four; o++) tf_store(TF_ACC(0, o), tf_fma(ascended, TF_W(i, o), tf_load(TF_ACC(0, o))));
        for (; o < outputs; o++) tf_store(TF_ACC(by_four, o), tf_fma(ascended, TF_W(i, o), tf_load(TF_ACC(by_four, o))));
    }
    ptrdiff_t o = 0;
    for (; o < sixteen; o++)
        tf_store(potential + o * TF_LANES, (tf_load(TF_ACC(0, o)) + tf_load(TF_ACC(1, o))) + tf_load(bias + o * TF_LANES));
    for (; o < four; o++) tf_store(potential + o * TF_LANES, tf_load(TF_ACC(0, o)) + tf_load(bias + o * TF_LANES));
    for (; o < outputs; o++)
        tf_store(potential + o * TF_LANES,
                 ((tf_load(TF_ACC(0, o)) + tf_load(TF_ACC(1, o))) + (tf_load(TF_ACC(2, o)) + tf_load(TF_ACC(3, o))))
                     + tf_load(bias + o * TF_LANES));
#undef TF_W
#undef TF_ACC
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

TF_TARGET static double TF_NAME(peak_chains)(ptrdiff_t iterations, double multiplier, double addend)
{
    const TF_PEAK_VECTOR x = multiplier, c = addend;
    TF_PEAK_VECTOR a0 = 1.0, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0,
                   a10 = a0, a11 = a0;
    for (ptrdiff_t i = 0; i < iterations; i++) {
        /* a = a * m + c: bounded (it tends to c / (1 - m)), so it never overflows. */
        a0 = tf_fma(a0, x, c); a1 = tf_fma(a1, x, c); a2 = tf_fma(a2, x, c); a3 = tf_fma(a3, x, c);
        a4 = tf_fma(a4, x, c); a5 = tf_fma(a5, x, c); a6 = tf_fma(a6, x, c); a7 = tf_fma(a7, x, c);
        a8 = tf_fma(a8, x, c); a9 = tf_fma(a9, x, c); a10 = tf_fma(a10, x, c); a11 = tf_fma(a11, x, c);
    }
    const TF_PEAK_VECTOR s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
    double total = 0;
    for (int k = 0; k < (int)(sizeof(s) / sizeof(double)); k++) total += s[k];
    return total;
}

#undef TF_NAME
#undef TF_NAME1
#undef TF_NAME2
