/*
 * sequence.h - symmetrical components (Fortescue) of the fundamental
 * voltages: phase sequence, unbalance u2 = |U2|/|U1| and u0 = |U0|/|U1|
 * (IEC 61000-4-30 5.7.1, IEC 60050 "voltage unbalance factor"), and the
 * fundamental line-to-line voltages. Shared by the dsp and phasor sources
 * so both report the same numbers for the same phasors.
 */
#ifndef EMETER_METROLOGY_SEQUENCE_H
#define EMETER_METROLOGY_SEQUENCE_H

#include <stdint.h>

#include "meter/metrology/measures.h"

/* A fundamental phasor: r.m.s. magnitude as re/im parts. */
typedef struct metrology_cplx {
    float re, im;
} metrology_cplx_t;

typedef struct metrology_unbalance {
    float u2;         /* %, minor / major sequence component */
    float u0;         /* %, zero / major sequence component (3P4W) */
    float v_ll[3];    /* V, |U12|, |U23|, |U31| */
    uint8_t sequence; /* enum metrology_sequence */
} metrology_unbalance_t;

/* Evaluate the element voltage phasors v[] of a connection. In 3P4W v[]
 * are phase voltages; in 3P3W v[0] = U12 and v[2] = U32 (v[1] unused).
 * min_v is the smallest element voltage for which the sequence is
 * determined (below it: UNKNOWN, as a missing phase must not read as
 * reversed). When the sequence is reversed, u2 is taken on the swapped
 * basis (|U1|/|U2|) so it stays finite and meaningful (TC-11). 1P2W gives
 * zeros and UNKNOWN. */
void metrology_unbalance(const metrology_cplx_t v[METROLOGY_PHASES], uint8_t connection,
                         float min_v, metrology_unbalance_t *out);

/* Angle of z in degrees, (-180, 180]. */
float metrology_angle_deg(float re, float im);

#endif /* EMETER_METROLOGY_SEQUENCE_H */
