/*
 * bench_meter_step.c - cost of one meter_step (the metering application:
 * phasor source, registers, demand, calendar, every profile and billing),
 * per variant, for sizing accelerated time and fleets.
 *
 *   bench_meter_step [simulated days]
 *
 * Runs an esmr and an omni meter (RAM rows, no flash: the persistence
 * cost is bench_meter_persist's) through `days` of 60-s steps (what emeter
 * does in accelerated time) and of 1-s ticks (real time), and prints µs per
 * step and the simulated seconds one core meters per real second.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meter/meter.h"

#define T0 INT64_C(1704067200) /* 2024-01-01 00:00 UTC */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int64_t rtc;
static int64_t rtc_get(void *user) {
    (void)user;
    return rtc;
}

static meter_t m;

static void init(enum meter_variant v) {
    static em_port_t port;
    memset(&port, 0, sizeof(port));
    port.rtc_get = rtc_get;
    static const uint8_t ldn[] = "EMT0000000000001";
    meter_identity_t id = {.variant = v,
                           .logical_device_name = ldn,
                           .logical_device_name_len = 16,
                           .time_zone_min = -60};
    if (meter_init(&m, &id, &port) != 0) {
        fprintf(stderr, "meter_init failed\n");
        exit(1);
    }
    metrology_phasor_input_t load;
    meter_load_balanced(&load, 230.0, 5.0, 25.84, 50.0);
    meter_set_load(&m, &load);
}

/* µs per step of `step` seconds over `seconds` of simulated time. */
static double run(uint32_t step, int64_t seconds) {
    int64_t t = T0;
    long n = 0;
    double t0 = now_s();
    while (t < T0 + seconds) {
        t += step;
        rtc = t;
        if (meter_step(&m, t, step) != 0) {
            fprintf(stderr, "meter_step failed\n");
            exit(1);
        }
        n++;
    }
    return (now_s() - t0) * 1e6 / (double)n;
}

int main(int argc, char **argv) {
    long days = argc > 1 ? atol(argv[1]) : 30;
    if (days <= 0) {
        fprintf(stderr, "usage: bench_meter_step [simulated days]\n");
        return 2;
    }
    static const enum meter_variant variants[2] = {METER_VARIANT_ESMR, METER_VARIANT_OMNI};
    printf("%-6s %14s %16s %14s %16s\n", "variant", "us/60s-step", "sim s/real s", "us/1s-tick",
           "meters at 1x");
    for (unsigned k = 0; k < 2; k++) {
        init(variants[k]);
        double us60 = run(60, days * 86400);
        init(variants[k]);
        double us1 = run(1, 86400);
        printf("%-6s %14.1f %16.0f %14.2f %16.0f\n", meter_variant_name(variants[k]), us60,
               60.0 * 1e6 / us60, us1, 1e6 / us1);
    }
    return 0;
}
