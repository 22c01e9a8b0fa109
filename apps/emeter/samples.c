/*
 * samples.c - `emeter --samples FILE`: replay a recording (csv, raw int16
 * or float32) through the dsp metrology source and the power-quality
 * engine, exactly as the meter runs them, and write one JSON line per
 * second of measures and one per power-quality event. Test benches and
 * field recordings are checked this way.
 *
 * Host code: stdio and the heap are fine here. Decoding is done by the
 * portable, fuzzed reader in lib/meter/metrology/sample_file.c.
 */
#include "samples.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/metrology/dsp.h"
#include "meter/metrology/metrology.h"
#include "meter/metrology/sample_file.h"
#include "meter/pq.h"

#define SETS_PER_BATCH 4096

typedef struct opts {
    const char *in, *out;
    int format; /* -1: from the file name */
    uint32_t rate;
    double scale_v, scale_i;
    bool scale_v_set, scale_i_set;
    uint8_t connection;
    double un;
    long long start_utc;
} opts_t;

typedef struct replay {
    opts_t o;
    FILE *out;
    metrology_t met;
    metrology_dsp_t *dsp;
    pq_t pq;
    bool started;
    unsigned long long records, events;
} replay_t;

static void usage(FILE *f) {
    fprintf(f, "usage: emeter --samples FILE [--format csv|s16|f32] [--rate HZ]\n"
               "              [--scale-v X] [--scale-i Y] [--connection 3p4w|3p3w|1p2w]\n"
               "              [--un VOLTS] [--start-utc SECONDS] [--dump-measures OUT.jsonl]\n"
               "\n"
               "Replays recorded samples through the metrology and power-quality engine.\n"
               "  csv   lines t,v1,i1,v2,i2,v3,i3 (or t,v,i) in s, V, A; the rate comes\n"
               "        from the timestamps unless --rate is given\n"
               "  s16   raw little-endian int16 v1 i1 v2 i2 v3 i3, times --scale-v/-i\n"
               "  f32   raw little-endian float32, same order (scales default to 1)\n"
               "Raw formats need --rate (default 8000). Output: one JSON line per second\n"
               "of measures and one per power-quality event (stdout unless\n"
               "--dump-measures is given). Exit status 0 at end of file, 2 for a bad\n"
               "option or file (with its line or byte offset), 1 for an output error.\n");
}

/* ---- options -------------------------------------------------------------- */

static bool parse_double(const char *s, double *v) {
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0';
}

static int format_from_name(const char *s) {
    if (strcmp(s, "csv") == 0) {
        return METROLOGY_SF_CSV;
    }
    if (strcmp(s, "s16") == 0) {
        return METROLOGY_SF_S16;
    }
    if (strcmp(s, "f32") == 0) {
        return METROLOGY_SF_F32;
    }
    return -1;
}

static int format_from_file(const char *path) {
    const char *dot = strrchr(path, '.');
    int f = dot ? format_from_name(dot + 1) : -1;
    return f < 0 ? METROLOGY_SF_CSV : f;
}

static int parse_value(opts_t *o, const char *opt, const char *val) {
    double d;
    if (strcmp(opt, "--samples") == 0) {
        o->in = val;
    } else if (strcmp(opt, "--dump-measures") == 0) {
        o->out = val;
    } else if (strcmp(opt, "--format") == 0) {
        if ((o->format = format_from_name(val)) < 0) {
            return -1;
        }
    } else if (strcmp(opt, "--rate") == 0) {
        if (!parse_double(val, &d) || d < METROLOGY_SF_RATE_MIN || d > METROLOGY_SF_RATE_MAX ||
            d != (double)(uint32_t)d) {
            return -1;
        }
        o->rate = (uint32_t)d;
    } else if (strcmp(opt, "--scale-v") == 0 || strcmp(opt, "--scale-i") == 0) {
        if (!parse_double(val, &d) || !(d > 0.0 && d < 1e6)) {
            return -1;
        }
        if (opt[8] == 'v') {
            o->scale_v = d;
            o->scale_v_set = true;
        } else {
            o->scale_i = d;
            o->scale_i_set = true;
        }
    } else if (strcmp(opt, "--connection") == 0) {
        if (strcmp(val, "3p4w") == 0) {
            o->connection = METROLOGY_CONN_3P4W;
        } else if (strcmp(val, "3p3w") == 0) {
            o->connection = METROLOGY_CONN_3P3W;
        } else if (strcmp(val, "1p2w") == 0) {
            o->connection = METROLOGY_CONN_1P2W;
        } else {
            return -1;
        }
    } else if (strcmp(opt, "--un") == 0) {
        if (!parse_double(val, &o->un) || !(o->un > 1.0 && o->un < 1e5)) {
            return -1;
        }
    } else if (strcmp(opt, "--start-utc") == 0) {
        if (!parse_double(val, &d) || d < 0.0 || d > 1e11 || d != (double)(long long)d) {
            return -1;
        }
        o->start_utc = (long long)d;
    } else {
        return -2;
    }
    return 0;
}

/* 0 to run, 2 for a usage error, 3 after --help (exit 0). */
static int parse_options(opts_t *o, int argc, char **argv) {
    memset(o, 0, sizeof(*o));
    o->format = -1;
    o->scale_v = o->scale_i = 1.0;
    o->un = EM_METER_UN_V;
    for (int k = 1; k < argc; k++) {
        int rc;
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
            usage(stdout);
            return 3;
        }
        if (k + 1 >= argc) {
            fprintf(stderr, "emeter: %s needs a value\n", argv[k]);
            return 2;
        }
        rc = parse_value(o, argv[k], argv[k + 1]);
        if (rc != 0) {
            fprintf(stderr, rc == -2 ? "emeter: unknown option %s\n" : "emeter: bad value for %s\n",
                    argv[k]);
            return 2;
        }
        k++;
    }
    if (o->in == NULL) {
        fprintf(stderr, "emeter: --samples FILE is required\n");
        return 2;
    }
    if (o->format < 0) {
        o->format = format_from_file(o->in);
    }
    if (o->format == METROLOGY_SF_S16 && (!o->scale_v_set || !o->scale_i_set)) {
        fprintf(stderr, "emeter: s16 samples need --scale-v and --scale-i (V and A per count)\n");
        return 2;
    }
    if (o->format != METROLOGY_SF_CSV && o->rate == 0) {
        o->rate = EM_METROLOGY_FS_HZ;
    }
    return 0;
}

/* ---- output --------------------------------------------------------------------- */

static const char *seq_name(uint8_t s) {
    return s == METROLOGY_SEQ_ABC ? "ABC" : s == METROLOGY_SEQ_ACB ? "ACB" : "unknown";
}

static void write_phase(FILE *f, const metrology_phase_t *p) {
    fprintf(f,
            "{\"v\":%.3f,\"i\":%.4f,\"p\":%.2f,\"q\":%.2f,\"s\":%.2f,\"pf\":%.4f,"
            "\"quadrant\":%u,\"angle\":%.2f,\"v_angle\":%.2f,\"v_fund\":%.3f,\"i_fund\":%.4f,"
            "\"thd_v\":%.2f,\"thd_i\":%.2f,\"v_half_min\":%.3f,\"v_half_max\":%.3f}",
            p->v_rms, p->i_rms, p->p, p->q, p->s, p->pf, p->quadrant, p->angle, p->v_angle,
            p->v_fund, p->i_fund, p->thd_v, p->thd_i, p->v_half_min, p->v_half_max);
}

static void write_measures(FILE *f, const metrology_measures_t *m) {
    const int64_t *e = m->energy.reg;
    fprintf(f,
            "{\"type\":\"measures\",\"seq\":%" PRIu32 ",\"t\":%.3f,\"interval_ms\":%" PRIu32
            ",\"flags\":%u,\"f\":%.4f,\"sequence\":\"%s\",\"p\":%.2f,\"q\":%.2f,\"s\":%.2f,"
            "\"pf\":%.4f,\"quadrant\":%u,\"i_n\":%.4f,\"u2\":%.3f,\"u0\":%.3f,"
            "\"v_ll\":[%.3f,%.3f,%.3f],\"phases\":[",
            m->seq, (double)m->t_ms / 1000.0, m->interval_ms, m->flags, m->frequency,
            seq_name(m->sequence), m->p, m->q, m->s, m->pf, m->quadrant, m->i_neutral, m->u2, m->u0,
            m->v_ll[0], m->v_ll[1], m->v_ll[2]);
    for (int k = 0; k < METROLOGY_PHASES; k++) {
        if (k) {
            fputc(',', f);
        }
        write_phase(f, &m->ph[k]);
    }
    fprintf(f,
            "],\"energy\":{\"a_plus_uwh\":%" PRId64 ",\"a_minus_uwh\":%" PRId64
            ",\"r1_uvarh\":%" PRId64 ",\"r2_uvarh\":%" PRId64 ",\"r3_uvarh\":%" PRId64
            ",\"r4_uvarh\":%" PRId64 ",\"s_plus_uvah\":%" PRId64 ",\"s_minus_uvah\":%" PRId64
            ",\"a_plus_l_uwh\":[%" PRId64 ",%" PRId64 ",%" PRId64 "],\"a_minus_l_uwh\":[%" PRId64
            ",%" PRId64 ",%" PRId64 "]},\"pulses\":{\"active\":%" PRIu32 ",\"reactive\":%" PRIu32
            "}}\n",
            e[METROLOGY_E_A_PLUS], e[METROLOGY_E_A_MINUS], e[METROLOGY_E_R1], e[METROLOGY_E_R2],
            e[METROLOGY_E_R3], e[METROLOGY_E_R4], e[METROLOGY_E_S_PLUS], e[METROLOGY_E_S_MINUS],
            e[METROLOGY_E_A_PLUS_L1], e[METROLOGY_E_A_PLUS_L2], e[METROLOGY_E_A_PLUS_L3],
            e[METROLOGY_E_A_MINUS_L1], e[METROLOGY_E_A_MINUS_L2], e[METROLOGY_E_A_MINUS_L3],
            m->pulses_active, m->pulses_reactive);
}

static void write_event(FILE *f, const pq_event_t *e) {
    fprintf(f,
            "{\"type\":\"event\",\"code\":%u,\"name\":\"%s\",\"phase\":%u,\"t\":%.3f,"
            "\"utc\":%" PRId64 ",\"duration_ms\":%" PRIu32 ",\"magnitude\":%.3f}\n",
            e->code, pq_event_name(e->code), e->phase, (double)e->t_us / 1e6, e->utc,
            e->duration_ms, e->magnitude);
}

/* ---- engine ------------------------------------------------------------------------- */

static void on_half_cycle(void *user, const metrology_half_cycle_t *hc) {
    replay_t *r = (replay_t *)user;
    pq_half_cycle(&r->pq, hc);
}

static void on_measures(void *user, const metrology_measures_t *m) {
    replay_t *r = (replay_t *)user;
    pq_event_t e;
    write_measures(r->out, m);
    r->records++;
    pq_second(&r->pq, m, r->o.start_utc + (int64_t)(m->t_ms / 1000u));
    while (pq_event_pop(&r->pq, &e)) {
        write_event(r->out, &e);
        r->events++;
    }
}

static int start_engine(replay_t *r, uint32_t rate) {
    metrology_cfg_t cfg;
    pq_cfg_t pc;
    int rc;
    metrology_cfg_default(&cfg);
    cfg.fs_hz = rate;
    cfg.connection = r->o.connection;
    cfg.un_v = (float)r->o.un;
    cfg.cb.user = r;
    cfg.cb.measures = on_measures;
    cfg.cb.half_cycle = on_half_cycle;
    rc = metrology_init(&r->met, &cfg);
    if (rc == 0) {
        rc = metrology_dsp_attach(&r->met, r->dsp);
    }
    if (rc != 0) {
        fprintf(stderr, "emeter: %s\n", metrology_strerror(rc));
        return 2;
    }
    pq_cfg_default(&pc, cfg.un_v, cfg.fn_hz, metrology_connection_mask(cfg.connection));
    rc = pq_init(&r->pq, &pc);
    if (rc != 0) {
        fprintf(stderr, "emeter: %s\n", pq_strerror(rc));
        return 2;
    }
    r->started = true;
    return 0;
}

static void bad_file(const replay_t *r, const metrology_sf_t *sf, int rc) {
    if (r->o.format == METROLOGY_SF_CSV) {
        fprintf(stderr, "emeter: %s:%llu: %s\n", r->o.in, (unsigned long long)sf->err_line,
                metrology_strerror(rc));
    } else {
        fprintf(stderr, "emeter: %s: byte %llu: %s\n", r->o.in, (unsigned long long)sf->err_offset,
                metrology_strerror(rc));
    }
}

/* Decode the whole file into the engine. 0, or an exit status. */
static int replay_file(replay_t *r, FILE *in, metrology_sf_t *sf, float *sets) {
    static uint8_t ibuf[65536];
    size_t pending = 0, n;
    int rc;

    while ((n = fread(ibuf, 1, sizeof(ibuf), in)) > 0) {
        for (size_t off = 0; off < n;) {
            size_t used;
            rc = metrology_sf_feed(sf, ibuf + off, n - off, &used, sets + 6 * pending,
                                   SETS_PER_BATCH - pending);
            if (rc < 0) {
                bad_file(r, sf, rc);
                return 2;
            }
            off += used;
            pending += (size_t)rc;
            if (!r->started && sf->rate != 0 && (rc = start_engine(r, sf->rate)) != 0) {
                return rc;
            }
            if (r->started) {
                metrology_dsp_process(&r->met, sets, pending);
                pending = 0;
            }
        }
    }
    if (ferror(in)) {
        fprintf(stderr, "emeter: %s: %s\n", r->o.in, strerror(errno));
        return 2;
    }
    rc = metrology_sf_finish(sf, sets + 6 * pending, SETS_PER_BATCH - pending);
    if (rc < 0) {
        bad_file(r, sf, rc);
        return 2;
    }
    pending += (size_t)rc;
    if (!r->started) {
        fprintf(stderr, "emeter: %s: %s\n", r->o.in,
                pending ? "one sample set only: cannot tell the rate, give --rate" : "no samples");
        return 2;
    }
    metrology_dsp_process(&r->met, sets, pending);
    return 0;
}

static int run(replay_t *r) {
    metrology_sf_t sf;
    float *sets = malloc(sizeof(float) * 6 * SETS_PER_BATCH);
    FILE *in;
    int rc = metrology_sf_init(&sf, (uint8_t)r->o.format, r->o.rate, (float)r->o.scale_v,
                               (float)r->o.scale_i);
    if (rc != 0 || sets == NULL) {
        fprintf(stderr, "emeter: %s\n", sets ? metrology_strerror(rc) : "out of memory");
        free(sets);
        return 2;
    }
    in = fopen(r->o.in, "rb");
    if (in == NULL) {
        fprintf(stderr, "emeter: %s: %s\n", r->o.in, strerror(errno));
        free(sets);
        return 2;
    }
    rc = replay_file(r, in, &sf, sets);
    fclose(in);
    free(sets);
    if (rc == 0) {
        fprintf(stderr, "emeter: %s: %llu s of samples at %u Hz, %llu events\n", r->o.in,
                r->records, (unsigned)sf.rate, r->events);
    }
    return rc;
}

int samples_main(int argc, char **argv) {
    replay_t *r = calloc(1, sizeof(*r));
    int rc;

    if (r == NULL || (r->dsp = calloc(1, sizeof(*r->dsp))) == NULL) {
        fprintf(stderr, "emeter: out of memory\n");
        free(r);
        return 1;
    }
    rc = parse_options(&r->o, argc, argv);
    if (rc == 0) {
        r->out = stdout;
        if (r->o.out != NULL && strcmp(r->o.out, "-") != 0 &&
            (r->out = fopen(r->o.out, "w")) == NULL) {
            fprintf(stderr, "emeter: %s: %s\n", r->o.out, strerror(errno));
            rc = 1;
        } else {
            rc = run(r);
            if (fflush(r->out) != 0 || ferror(r->out)) {
                fprintf(stderr, "emeter: cannot write the measures: %s\n", strerror(errno));
                rc = rc ? rc : 1;
            }
            if (r->out != stdout) {
                fclose(r->out);
            }
        }
    }
    free(r->dsp);
    free(r);
    return rc == 3 ? 0 : rc;
}
