/*
 * bench_meter_persist.c - cost of the meter's persistence (lib/meter/persist)
 * over the POSIX flash image, with the runtime's geometry (4 KiB sectors,
 * program unit 4): mount time of a new and of a full image (960 load
 * profile rows, full event logs), and per 1 s commit the wall time, the
 * flash programs, erases and syncs (fdatasync) it costs.
 *
 *   bench_meter_persist [DIR] [COMMITS]     (defaults: /tmp, 3000)
 *
 * The image is DIR/bench_meter_persist.img, removed at the end; the sync
 * cost depends on DIR's file system (tmpfs: none).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "meter/meter.h"
#include "meter/persist.h"
#include "port_posix.h"

static em_port_t port;
static em_port_posix_t pst;
static meter_t m;
static meter_persist_t p;
static int64_t rtc;
static unsigned long programs, erases, syncs;

static int64_t rtc_get(void *user) {
    (void)user;
    return rtc;
}

static int count_program(void *user, uint32_t addr, const void *buf, size_t len) {
    programs++;
    return em_posix_flash_program(user, addr, buf, len);
}

static int count_erase(void *user, uint32_t sector) {
    erases++;
    return em_posix_flash_erase(user, sector);
}

static int count_sync(void *user) {
    syncs++;
    return em_posix_flash_sync(user);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A power cycle over the image; returns the mount time in seconds. */
static double boot(const char *path, const em_flash_geometry_t *geo, int64_t utc) {
    em_port_posix_deinit(&pst);
    if (em_port_posix_init(&port, &pst, path, geo) != 0) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    port.rtc_get = rtc_get;
    port.flash_program = count_program;
    port.flash_erase = count_erase;
    port.flash_sync = count_sync;
    rtc = utc;
    static const uint8_t ldn[] = "EMT0000000000001";
    meter_identity_t id = {.variant = METER_VARIANT_ESMR,
                           .logical_device_name = ldn,
                           .logical_device_name_len = 16,
                           .time_zone_min = -60};
    if (meter_init(&m, &id, &port) != 0)
        exit(1);
    metrology_phasor_input_t in;
    meter_load_balanced(&in, 230.0, 5.0, 25.84, 50.0);
    meter_set_load(&m, &in);
    double t0 = now_s();
    int rc = meter_persist_mount(&p, &m, &port, utc);
    double t = now_s() - t0;
    if (rc != 0) {
        fprintf(stderr, "mount: %s\n", meter_persist_strerror(rc));
        exit(1);
    }
    return t;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    unsigned commits = argc > 2 ? (unsigned)atoi(argv[2]) : 3000u;
    char path[4200];
    snprintf(path, sizeof(path), "%s/bench_meter_persist.img", dir);
    unlink(path);
    em_flash_geometry_t geo = {.sector_size = 4096, .program_unit = 4};
    geo.sector_count = meter_persist_sectors_needed(&geo, METER_VARIANT_ESMR);
    pst.flash_fd = -1;
    int64_t utc = 1705320000; /* 2024-01-15 12:00 UTC */

    double t_new = boot(path, &geo, utc);
    meter_persist_power_up(&p, utc);
    printf("layout: %u sectors of 4096 bytes (%u KiB)\n", geo.sector_count, geo.sector_count * 4u);
    printf("mount, new image:  %.2f ms\n", t_new * 1e3);

    programs = erases = syncs = 0;
    double t = 0.0;
    for (unsigned i = 0; i < commits; i++) {
        utc++;
        meter_tick(&m, utc);
        double t0 = now_s();
        meter_persist_commit(&p, utc);
        t += now_s() - t0;
    }
    printf("%u commits (1 s ticks): %.1f us per commit; per commit %.2f programs, %.3f "
           "erases, %.2f syncs\n",
           commits, t / commits * 1e6, (double)programs / commits, (double)erases / commits,
           (double)syncs / commits);

    /* Fill the load profile (a row per 900 s step) and the event logs. */
    for (unsigned i = 0; i < EM_METER_LP_ENTRIES + 40u; i++) {
        utc += 900;
        meter_step(&m, utc, 900);
    }
    for (unsigned i = 0; i < EM_METER_STD_LOG_ENTRIES; i++)
        meter_event(&m, METER_LOG_STANDARD, METER_EV_ALARM_CLEARED, utc);
    for (unsigned i = 0; i < EM_METER_PQ_LOG_ENTRIES; i++)
        meter_event(&m, METER_LOG_PQ, 77, utc);
    meter_persist_commit(&p, utc);
    double t_full = boot(path, &geo, utc + 60);
    printf("mount, full image (%u load profile rows, full logs): %.2f ms\n",
           (unsigned)p.rows[METER_PROF_LP].ops->count(p.rows[METER_PROF_LP].user),
           t_full * 1e3);
    em_port_posix_deinit(&pst);
    unlink(path);
    return 0;
}
