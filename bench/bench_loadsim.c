/*
 * bench_loadsim.c - cost of one loadsim_eval (the phasor stimulus of one
 * virtual meter at one instant), for sizing fleets.
 *
 *   bench_loadsim [evaluations]
 *
 * Evaluates a household with PV, heat pump and dips at consecutive
 * seconds (the real-time case: one evaluation per meter per second) and
 * at scattered instants of a year (accelerated time, cold hashes), and
 * prints ns per evaluation and how many meters one core drives at one
 * evaluation per second. docs/loadsim.md records the numbers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "meter/loadsim.h"

#define Y2025 INT64_C(1735689600)

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Run n evaluations at Y2025 + f(i) and return ns per evaluation. */
static double run(const loadsim_t *ls, long n, int scattered, double *sink) {
    metrology_phasor_input_t in;
    uint64_t x = 0x2545F4914F6CDD1Du;
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        int64_t t = Y2025 + i;
        if (scattered) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            t = Y2025 + (int64_t)(x % (365u * 86400u));
        }
        if (loadsim_eval(ls, t, &in) != 0) {
            fprintf(stderr, "loadsim_eval failed\n");
            exit(1);
        }
        *sink += in.ph[0].i_rms + in.freq_hz;
    }
    return (now_s() - t0) * 1e9 / (double)n;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 2000000L;
    loadsim_cfg_t cfg;
    loadsim_t ls;
    double sink = 0.0;

    if (n <= 0) {
        fprintf(stderr, "usage: bench_loadsim [evaluations]\n");
        return 2;
    }
    loadsim_cfg_default(&cfg);
    cfg.seed = 42;
    cfg.pv_kwp = 4.0;
    cfg.heat_pump_kw = 2.0;
    cfg.dips_per_year = 20.0;
    if (loadsim_init(&ls, &cfg) != 0) {
        fprintf(stderr, "loadsim_init failed\n");
        return 1;
    }
    run(&ls, n / 10, 0, &sink); /* warm up */
    double seq = run(&ls, n, 0, &sink);
    double scat = run(&ls, n, 1, &sink);
    printf("loadsim_eval, consecutive seconds: %8.1f ns  (%.0f meters per core at 1/s)\n", seq,
           1e9 / seq);
    printf("loadsim_eval, scattered instants:  %8.1f ns\n", scat);
    printf("context size: %zu bytes (sink %g)\n", sizeof(loadsim_t), sink);
    return 0;
}
