/*
 * fuzz_samples.c - libFuzzer target for the sample-file decoder
 * (lib/meter/metrology/sample_file.c) and, behind it, the dsp metrology
 * source and power quality on whatever signal the decoder lets through.
 *
 * Input: byte 0 selects the format (bits 0-1: csv, s16, f32, csv) and
 * whether a rate is given (bit 2); byte 1 where the input is split in two
 * chunks; the rest is the file. Invariants (trap on violation):
 *  - decoding in one piece and in two chunks with a small output buffer
 *    gives the same sets, bit for bit, and the same error and position;
 *  - no more bytes consumed than given, every value finite and <= 1e9;
 *  - the engine's records are finite.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "meter/metrology/dsp.h"
#include "meter/metrology/metrology.h"
#include "meter/metrology/sample_file.h"
#include "meter/pq.h"

#define MAX_SETS 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static float whole[6 * MAX_SETS], split[6 * MAX_SETS];
static metrology_dsp_t dsp;
static pq_t pq;

typedef struct result {
    int err;
    size_t sets;
    uint64_t line, offset;
    uint32_t rate;
} result_t;

/* Decode data in chunks of at most `chunk` bytes into out, `cap` sets per
 * call. */
static void decode(uint8_t fmt, uint32_t rate, const uint8_t *d, size_t n, size_t cut, size_t cap,
                   float *out, result_t *res) {
    metrology_sf_t r;
    size_t off = 0;
    memset(res, 0, sizeof(*res));
    if (metrology_sf_init(&r, fmt, rate, 0.01f, 0.001f) != 0) {
        __builtin_trap();
    }
    while (off < n && res->err == 0) {
        size_t end = off < cut ? cut : n, used = 0;
        size_t room = MAX_SETS - res->sets < cap ? MAX_SETS - res->sets : cap;
        int rc;
        if (room == 0) {
            return; /* buffer full: both runs stop at the same set */
        }
        rc = metrology_sf_feed(&r, d + off, end - off, &used, out + 6 * res->sets, room);
        if (used > end - off || (rc >= 0 && (size_t)rc > room)) {
            __builtin_trap();
        }
        if (rc < 0) {
            res->err = rc;
        } else {
            res->sets += (size_t)rc;
            if (rc == 0 && used == 0) {
                __builtin_trap(); /* no progress */
            }
        }
        off += used;
    }
    if (res->err == 0 && res->sets < MAX_SETS) {
        int rc = metrology_sf_finish(&r, out + 6 * res->sets, MAX_SETS - res->sets);
        if (rc < 0) {
            res->err = rc;
        } else {
            res->sets += (size_t)rc;
        }
    }
    res->line = res->err ? r.err_line : 0;
    res->offset = res->err ? r.err_offset : 0;
    res->rate = r.rate;
}

static int finite_rec(const metrology_measures_t *m) {
    float sum = m->p + m->q + m->s + m->frequency + m->u2 + m->u0 + m->i_neutral;
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        sum += m->ph[k].v_rms + m->ph[k].i_rms + m->ph[k].thd_v + m->ph[k].angle;
    }
    return !isnan(sum);
}

static void on_measures(void *user, const metrology_measures_t *m) {
    pq_event_t e;
    (void)user;
    if (!finite_rec(m)) {
        __builtin_trap();
    }
    pq_second(&pq, m, (int64_t)(m->t_ms / 1000u));
    while (pq_event_pop(&pq, &e)) {
    }
}

static void on_half(void *user, const metrology_half_cycle_t *hc) {
    (void)user;
    pq_half_cycle(&pq, hc);
}

static void run_engine(uint32_t rate, const float *sets, size_t n) {
    metrology_cfg_t cfg;
    pq_cfg_t pc;
    metrology_t m;
    metrology_cfg_default(&cfg);
    cfg.fs_hz = rate;
    cfg.cb.measures = on_measures;
    cfg.cb.half_cycle = on_half;
    if (metrology_init(&m, &cfg) != 0 || metrology_dsp_attach(&m, &dsp) != 0) {
        return; /* rates the engine refuses (e.g. below 20 fn) */
    }
    pq_cfg_default(&pc, cfg.un_v, cfg.fn_hz, 0x7u);
    pq_init(&pq, &pc);
    metrology_dsp_process(&m, sets, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    result_t a, b;
    uint8_t fmt;
    uint32_t rate;
    size_t cut;

    if (size < 2) {
        return 0;
    }
    fmt = (uint8_t)(data[0] & 3u);
    fmt = fmt == 3 ? METROLOGY_SF_CSV : fmt;
    rate = (data[0] & 4u) || fmt != METROLOGY_SF_CSV ? 8000u : 0u;
    cut = (size - 2) * data[1] / 255u;
    decode(fmt, rate, data + 2, size - 2, size - 2, MAX_SETS, whole, &a);
    decode(fmt, rate, data + 2, size - 2, cut, 3, split, &b);
    if (a.err != b.err || a.sets != b.sets || a.line != b.line || a.offset != b.offset ||
        a.rate != b.rate || memcmp(whole, split, a.sets * 6 * sizeof(float)) != 0) {
        __builtin_trap();
    }
    for (size_t k = 0; k < 6 * a.sets; k++) {
        if (!(whole[k] <= 1e9f && whole[k] >= -1e9f)) {
            __builtin_trap();
        }
    }
    if (a.sets > 0 && a.rate != 0) {
        run_engine(a.rate, whole, a.sets);
    }
    return 0;
}
