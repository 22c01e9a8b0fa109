/*
 * bench_metrology.c - cost of the dsp metrology source per three-phase
 * sample set (v1 i1 v2 i2 v3 i3), at 8 kHz on a harmonic-rich stimulus.
 *
 * Prints ns per sample set (wall clock) and the share of one core at
 * 8 kHz. For a repeatable instruction count, run it under callgrind and
 * count only the engine:
 *
 *   valgrind --tool=callgrind --collect-atstart=no \
 *            --toggle-collect=metrology_dsp_process ./bench_metrology 10
 *   callgrind_annotate --inclusive=yes callgrind.out.<pid> | head -30
 *
 * Ir of metrology_dsp_process / (seconds * 8000) is the instructions per
 * sample set; the metrology_fft and spectrum_groups lines are the 10-cycle
 * window path (IEC 61000-4-7 analysis) included in it, the rest is the
 * per-sample path. docs/metrology.md records the numbers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meter/metrology/dsp.h"
#include "meter/metrology/metrology.h"

#define FS 8000u

static metrology_dsp_t dsp;

static void on_measures(void *user, const metrology_measures_t *m) {
    double *sink = (double *)user;
    *sink += m->p + m->ph[0].thd_v;
}

/* TC-06-like stimulus: 5 harmonics in V, 3 in I, phases ABC, PF 0.87. */
static void synthesize(float *buf, size_t nsets) {
    static const int order[] = {1, 3, 5, 7, 11};
    static const double uh[] = {230.0, 6.9, 11.5, 9.2, 4.6};
    static const double ih[] = {5.0, 2.0, 1.0, 0.5, 0.0};
    for (size_t n = 0; n < nsets; n++) {
        double wt = 2.0 * 3.141592653589793 * 50.0 * (double)n / FS;
        for (int k = 0; k < 3; k++) {
            double th = -2.0943951023931953 * k, v = 0.0, i = 0.0;
            for (int j = 0; j < 5; j++) {
                double a = order[j] * (wt + th);
                v += 1.41421356 * uh[j] * sin(a);
                i += 1.41421356 * ih[j] * sin(a - (j == 0 ? 0.5 : 0.0));
            }
            buf[6 * n + 2 * k] = (float)v;
            buf[6 * n + 2 * k + 1] = (float)i;
        }
    }
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    unsigned seconds = argc > 1 ? (unsigned)atoi(argv[1]) : 60u;
    size_t nsets = (size_t)seconds * FS;
    float *buf = malloc(nsets * 6 * sizeof(float));
    metrology_cfg_t cfg;
    metrology_t m;
    double sink = 0.0, t0, t1;

    if (buf == NULL || seconds == 0) {
        fprintf(stderr, "usage: bench_metrology [seconds]\n");
        return 2;
    }
    synthesize(buf, nsets);
    metrology_cfg_default(&cfg);
    cfg.fs_hz = FS;
    cfg.cb.user = &sink;
    cfg.cb.measures = on_measures;
    metrology_init(&m, &cfg);
    metrology_dsp_attach(&m, &dsp);

    t0 = now_s();
    metrology_dsp_process(&m, buf, nsets);
    t1 = now_s();

    printf("metrology dsp: %u s of 3-phase samples at %u Hz (%zu sample sets)\n", seconds, FS,
           nsets);
    printf("  %.1f ns per sample set, %.4f %% of one core at %u Hz\n",
           1e9 * (t1 - t0) / (double)nsets, 100.0 * (t1 - t0) / seconds, FS);
    printf("  (checksum %.1f)\n", sink);
    free(buf);
    return 0;
}
