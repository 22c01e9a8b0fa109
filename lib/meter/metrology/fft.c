/*
 * fft.c - iterative radix-2 decimation-in-time complex FFT.
 *
 * Cooley-Tukey: bit-reversal permutation, then log2(n) stages of
 * butterflies. The first two stages have only the twiddles 1 and -i and
 * run fused without multiplications; the others run two at a time
 * (radix 2^2), twiddle loop outermost so each twiddle is read once per
 * pass. Twiddles come from a table computed once in double.
 */
#include "meter/metrology/fft.h"

#include <math.h>

void metrology_fft_twiddles(float *tw, unsigned n) {
    for (unsigned k = 0; k < n / 2; k++) {
        double a = 6.283185307179586476925 * (double)k / (double)n;
        tw[2 * k] = (float)cos(a);
        tw[2 * k + 1] = (float)sin(a);
    }
}

unsigned metrology_bitrev_next(unsigned j, unsigned n) {
    unsigned bit = n >> 1;
    while (bit != 0 && (j & bit)) {
        j ^= bit;
        bit >>= 1;
    }
    return j | bit;
}

static void bit_reverse(float *z, unsigned n) {
    unsigned j = 0;
    for (unsigned i = 0; i < n; i++) {
        if (i < j) {
            float re = z[2 * i], im = z[2 * i + 1];
            z[2 * i] = z[2 * j];
            z[2 * i + 1] = z[2 * j + 1];
            z[2 * j] = re;
            z[2 * j + 1] = im;
        }
        j = metrology_bitrev_next(j, n);
    }
}

/* Passes of length 2 and 4 together: twiddles 1 and -i only. */
static void radix4_first(float *z, unsigned n) {
    for (unsigned i = 0; i < n; i += 4) {
        float *p = z + 2 * i;
        float t0r = p[0] + p[2], t0i = p[1] + p[3];
        float t1r = p[0] - p[2], t1i = p[1] - p[3];
        float t2r = p[4] + p[6], t2i = p[5] + p[7];
        float t3r = p[4] - p[6], t3i = p[5] - p[7];
        p[0] = t0r + t2r;
        p[1] = t0i + t2i;
        p[4] = t0r - t2r;
        p[5] = t0i - t2i;
        p[2] = t1r + t3i; /* t1 + (-i) t3 */
        p[3] = t1i - t3r;
        p[6] = t1r - t3i;
        p[7] = t1i + t3r;
    }
}

/* One radix-2 pass of butterfly span len (pairs i, i + len/2). */
static void radix2_pass(float *z, const float *tw, unsigned n, unsigned len) {
    unsigned half = len >> 1, step = n / len;
    for (unsigned k = 0; k < half; k++) {
        float wr = tw[2 * k * step], wi = -tw[2 * k * step + 1]; /* e^(-i a) */
        for (unsigned i = k; i < n; i += len) {
            float *a = z + 2 * i, *b = a + 2 * half;
            float br = b[0] * wr - b[1] * wi, bi = b[0] * wi + b[1] * wr;
            b[0] = a[0] - br;
            b[1] = a[1] - bi;
            a[0] += br;
            a[1] += bi;
        }
    }
}

/* Passes of span len and 2 len fused (radix 2^2): with w = W_2len^k the
 * four points x0..x3 at k, k + len/2, k + len, k + 3 len/2 of a block need
 * only a = w^2 x1, b = w x2, c = w^3 x3 (three multiplications where two
 * radix-2 passes do four, and half the memory traffic):
 *   z0 = x0 + a + (b + c)      z2 = x0 + a - (b + c)
 *   z1 = x0 - a - i (b - c)    z3 = x0 - a + i (b - c)               */
static void radix22_pass(float *z, const float *tw, unsigned n, unsigned len) {
    unsigned q = len >> 1, step = n / (2 * len);
    for (unsigned k = 0; k < q; k++) {
        float w1r = tw[2 * k * step], w1i = -tw[2 * k * step + 1];
        float w2r = tw[4 * k * step], w2i = -tw[4 * k * step + 1];
        float w3r = w1r * w2r - w1i * w2i, w3i = w1r * w2i + w1i * w2r;
        for (unsigned i = k; i < n; i += 2 * len) {
            float *p0 = z + 2 * i, *p1 = p0 + 2 * q, *p2 = p1 + 2 * q, *p3 = p2 + 2 * q;
            float ar = p1[0] * w2r - p1[1] * w2i, ai = p1[0] * w2i + p1[1] * w2r;
            float br = p2[0] * w1r - p2[1] * w1i, bi = p2[0] * w1i + p2[1] * w1r;
            float cr = p3[0] * w3r - p3[1] * w3i, ci = p3[0] * w3i + p3[1] * w3r;
            float s0r = p0[0] + ar, s0i = p0[1] + ai, s1r = p0[0] - ar, s1i = p0[1] - ai;
            float er = br + cr, ei = bi + ci, dr = br - cr, di = bi - ci;
            p0[0] = s0r + er;
            p0[1] = s0i + ei;
            p2[0] = s0r - er;
            p2[1] = s0i - ei;
            p1[0] = s1r + di; /* s1 - i d */
            p1[1] = s1i - dr;
            p3[0] = s1r - di; /* s1 + i d */
            p3[1] = s1i + dr;
        }
    }
}

void metrology_fft_bitrev_input(float *z, const float *tw, unsigned n) {
    unsigned len = 8;
    radix4_first(z, n);
    for (; 2 * len <= n; len *= 4) {
        radix22_pass(z, tw, n, len);
    }
    if (len <= n) {
        radix2_pass(z, tw, n, len);
    }
}

void metrology_fft(float *z, const float *tw, unsigned n) {
    bit_reverse(z, n);
    metrology_fft_bitrev_input(z, tw, n);
}
