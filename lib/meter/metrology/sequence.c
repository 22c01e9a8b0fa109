/*
 * sequence.c - Fortescue symmetrical components of the fundamental
 * voltages (IEC 61000-4-30 5.7.1): sequence, u2, u0, line-to-line values.
 *
 * With a = 1/120 deg: U1 = (Va + a Vb + a^2 Vc)/3 (positive), U2 =
 * (Va + a^2 Vb + a Vc)/3 (negative), U0 = (Va + Vb + Vc)/3 (zero). A
 * 3-wire meter only sees line voltages, whose zero-sequence part is zero
 * by construction; their positive and negative parts are those of the
 * phase voltages times sqrt(3) at +/-30 deg, so the ratio u2 is the same.
 */
#include "meter/metrology/sequence.h"

#include <math.h>
#include <string.h>

#define SQRT3_2 0.86602540378443864676f

static metrology_cplx_t cadd(metrology_cplx_t a, metrology_cplx_t b) {
    metrology_cplx_t r = {a.re + b.re, a.im + b.im};
    return r;
}

static metrology_cplx_t csub(metrology_cplx_t a, metrology_cplx_t b) {
    metrology_cplx_t r = {a.re - b.re, a.im - b.im};
    return r;
}

/* z rotated by +120 deg (times a) or -120 deg (times a^2). */
static metrology_cplx_t rot120(metrology_cplx_t z, int sign) {
    float s = sign > 0 ? SQRT3_2 : -SQRT3_2;
    metrology_cplx_t r = {-0.5f * z.re - s * z.im, s * z.re - 0.5f * z.im};
    return r;
}

static float cabs_(metrology_cplx_t z) {
    return sqrtf(z.re * z.re + z.im * z.im);
}

float metrology_angle_deg(float re, float im) {
    float a;
    if (re == 0.0f && im == 0.0f) {
        return 0.0f;
    }
    a = atan2f(im, re) * (180.0f / 3.14159265358979f);
    if (a <= -180.0f) {
        a += 360.0f;
    }
    return a;
}

/* Positive, negative and zero sequence of three phasors a, b, c. */
static void fortescue(metrology_cplx_t a, metrology_cplx_t b, metrology_cplx_t c, float *pos,
                      float *neg, float *zero) {
    metrology_cplx_t p = cadd(a, cadd(rot120(b, 1), rot120(c, -1)));
    metrology_cplx_t n = cadd(a, cadd(rot120(b, -1), rot120(c, 1)));
    metrology_cplx_t z = cadd(a, cadd(b, c));
    *pos = cabs_(p) / 3.0f;
    *neg = cabs_(n) / 3.0f;
    *zero = cabs_(z) / 3.0f;
}

void metrology_unbalance(const metrology_cplx_t v[METROLOGY_PHASES], uint8_t connection,
                         float min_v, metrology_unbalance_t *out) {
    float pos, neg, zero, major, minor;
    metrology_cplx_t a, b, c;
    int present;

    memset(out, 0, sizeof(*out));
    if (connection == METROLOGY_CONN_1P2W) {
        return;
    }
    if (connection == METROLOGY_CONN_3P3W) {
        a = v[0];        /* U12 */
        b.re = -v[2].re; /* U23 = -U32 */
        b.im = -v[2].im;
        c = csub(v[2], v[0]); /* U31 = U3 - U1 = U32 - U12 */
        out->v_ll[0] = cabs_(a);
        out->v_ll[1] = cabs_(b);
        out->v_ll[2] = cabs_(c);
        fortescue(a, b, c, &pos, &neg, &zero);
        zero = 0.0f;
        present = cabs_(v[0]) >= min_v && cabs_(v[2]) >= min_v;
    } else {
        a = v[0];
        b = v[1];
        c = v[2];
        out->v_ll[0] = cabs_(csub(a, b));
        out->v_ll[1] = cabs_(csub(b, c));
        out->v_ll[2] = cabs_(csub(c, a));
        fortescue(a, b, c, &pos, &neg, &zero);
        present = cabs_(a) >= min_v && cabs_(b) >= min_v && cabs_(c) >= min_v;
    }
    major = pos >= neg ? pos : neg;
    minor = pos >= neg ? neg : pos;
    if (major <= 1e-3f) {
        return;
    }
    out->u2 = 100.0f * minor / major;
    out->u0 = 100.0f * zero / major;
    if (present) {
        out->sequence = pos >= neg ? METROLOGY_SEQ_ABC : METROLOGY_SEQ_ACB;
    }
}
