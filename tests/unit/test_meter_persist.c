/*
 * test_meter_persist.c - the meter's state in flash (lib/meter/persist)
 * over the POSIX flash image: the layout, a restart (a new meter_init and
 * mount over the same image) that keeps the energy registers, alarm
 * register and filter, tariff, power quality thresholds and counters,
 * billing month, profile configuration and every event log and profile
 * row; power down / power up events after a crash (event 1 at the last
 * commit time) and after a clean power down (no second event 1); a load
 * profile interval across the outage with the power-down AMR bit; a torn
 * (corrupted) energy record read as the previous copy with event 14 and
 * alarm bit 10; flash programs per commit; the periodic commit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "meter/meter.h"
#include "meter/persist.h"
#include "port_posix.h"

/* 2024-01-15 12:00:00 UTC (13:00 CET), a multiple of 900 s. */
static const int64_t T = 1705320000;

/* The host runtime's geometry: 4 KiB sectors, 4-byte program unit. */
static em_flash_geometry_t geo = {.sector_size = 4096, .sector_count = 0, .program_unit = 4};

static char path[64];
static em_port_t port;
static em_port_posix_t pst;
static bool port_open;
static meter_t m;
static meter_persist_t p;
static int64_t rtc;
static unsigned programs, syncs;

static int64_t rtc_get(void *user) {
    (void)user;
    return rtc;
}

static int rtc_set(void *user, int64_t utc) {
    (void)user;
    rtc = utc;
    return 0;
}

static int count_program(void *user, uint32_t addr, const void *buf, size_t len) {
    programs++;
    return em_posix_flash_program(user, addr, buf, len);
}

static int count_sync(void *user) {
    syncs++;
    return em_posix_flash_sync(user);
}

/* A power cycle: a new process would run exactly this over the image. */
static void boot(int64_t utc) {
    if (port_open)
        em_port_posix_deinit(&pst);
    assert_int_equal(em_port_posix_init(&port, &pst, path, &geo), 0);
    port_open = true;
    port.rtc_get = rtc_get;
    port.rtc_set = rtc_set;
    port.flash_program = count_program;
    port.flash_sync = count_sync;
    rtc = utc;
    static const uint8_t ldn[] = "EMT0000000000001";
    meter_identity_t id = {.variant = METER_VARIANT_ESMR,
                           .logical_device_name = ldn,
                           .logical_device_name_len = 16,
                           .serial_number = "E0001",
                           .equipment_id = "E0001",
                           .max_pdu = 1024,
                           .time_zone_min = -60};
    assert_int_equal(meter_init(&m, &id, &port), 0);
    metrology_phasor_input_t in;
    meter_load_balanced(&in, 230.0, 5.0, acos(0.9) * 180.0 / 3.14159265358979323846, 50.0);
    assert_int_equal(meter_set_load(&m, &in), 0);
    assert_int_equal(meter_persist_mount(&p, &m, &port, utc), 0);
}

static void tick_commit(int64_t utc) {
    rtc = utc;
    assert_int_equal(meter_tick(&m, utc), 0);
    assert_int_equal(meter_persist_commit(&p, utc), 0);
}

static int setup(void **state) {
    (void)state;
    geo.sector_count = meter_persist_sectors_needed(&geo, METER_VARIANT_ESMR);
    snprintf(path, sizeof(path), "/tmp/test_meter_persist_%d.img", (int)getpid());
    unlink(path);
    port_open = false;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    if (port_open)
        em_port_posix_deinit(&pst);
    port_open = false;
    unlink(path);
    return 0;
}

/* ---- rows ---------------------------------------------------------------------------- */

static uint32_t rows_of(unsigned prof) {
    return p.rows[prof].ops->count(p.rows[prof].user);
}

static void row_of(unsigned prof, uint32_t i, uint8_t *row) {
    assert_int_equal(p.rows[prof].ops->read(p.rows[prof].user, i, row), 0);
}

/* Code of standard log row i (row: len, date-time 09 0C ..., 11 code). */
static uint8_t std_code(uint32_t i) {
    uint8_t row[METER_LOG_ROW];
    row_of(METER_PROF_LOG_STD, i, row);
    assert_int_equal(row[16], AXDR_UNSIGNED);
    return row[17];
}

/* Local (CET) hour, minute, second of standard log row i. */
static unsigned std_hms(uint32_t i) {
    uint8_t row[METER_LOG_ROW];
    row_of(METER_PROF_LOG_STD, i, row);
    assert_int_equal(row[2], 0x09);
    return row[9] * 10000u + row[10] * 100u + row[11];
}

static bool std_has(uint8_t code) {
    for (uint32_t i = 0; i < rows_of(METER_PROF_LOG_STD); i++)
        if (std_code(i) == code)
            return true;
    return false;
}

/* ---- tests ----------------------------------------------------------------------------- */

static void test_layout(void **state) {
    (void)state;
    meter_persist_layout_t l;
    assert_int_equal(meter_persist_layout(&geo, METER_VARIANT_ESMR, &l), 0);
    assert_int_equal(l.records_first, 0);
    assert_int_equal(l.records_sectors, EM_METER_PERSIST_RECORD_SECTORS);
    uint32_t next = l.records_sectors;
    for (unsigned i = 0; i < METER_PROF_COUNT; i++) {
        if (l.ring_sectors[i] == 0)
            continue; /* not a profile of this variant */
        assert_int_equal(l.ring_first[i], next);
        next += l.ring_sectors[i];
    }
    assert_int_equal(l.image_first, next); /* upgrade (w1): the firmware image region */
    next += l.image_sectors;
    assert_int_equal(l.cal_first, next); /* the tariff journal comes last */
    assert_int_equal(l.cal_sectors, EM_METER_PERSIST_CAL_SECTORS);
    assert_int_equal(l.sectors, next + l.cal_sectors);
    /* 960 rows of 28 bytes in 36-byte slots, 113 per 4 KiB sector: 9 + 1. */
    assert_int_equal(l.ring_sectors[METER_PROF_LP], 10);
    assert_int_equal(l.ring_sectors[METER_PROF_LOG_STD], 2);
    /* Only the variant's profiles have rings (esmr: no analysis logger). */
    assert_int_equal(l.ring_sectors[METER_PROF_ANALYSIS], 0);
    assert_true(l.ring_sectors[METER_PROF_LOG_COMM] > 0);
    assert_int_equal(meter_persist_sectors_needed(&geo, METER_VARIANT_ESMR), l.sectors);
    meter_persist_layout_t lo;
    assert_int_equal(meter_persist_layout(&geo, METER_VARIANT_OMNI, &lo), 0);
    assert_true(lo.ring_sectors[METER_PROF_ANALYSIS] > 0);
    assert_int_equal(lo.ring_sectors[METER_PROF_DAILY], 0);
    /* A flash smaller than the layout is refused. */
    em_flash_geometry_t small = geo;
    small.sector_count = l.sectors - 1;
    assert_int_equal(em_port_posix_init(&port, &pst, path, &small), 0);
    port_open = true;
    static const uint8_t ldn[] = "EMT0000000000001";
    meter_identity_t id = {
        .variant = METER_VARIANT_ESMR, .logical_device_name = ldn, .logical_device_name_len = 16};
    assert_int_equal(meter_init(&m, &id, &port), 0);
    assert_int_equal(meter_persist_mount(&p, &m, &port, T), METER_PERSIST_ERR_GEOMETRY);
    assert_int_equal(meter_persist_mount(NULL, &m, &port, T), METER_PERSIST_ERR_BADARG);
    assert_string_equal(meter_persist_strerror(METER_PERSIST_ERR_GEOMETRY),
                        "meter persist: flash smaller than the meter's layout");
}

static void test_fresh_then_crash_restart(void **state) {
    (void)state;
    boot(T);
    assert_false(p.restored);
    assert_int_equal(meter_persist_power_up(&p, T), 0);
    assert_int_equal(rows_of(METER_PROF_LOG_STD), 1);
    assert_int_equal(std_code(0), METER_EV_POWER_UP); /* a new meter: no power down */
    for (int64_t t = T + 1; t <= T + 1000; t++)       /* crosses 12:15 UTC */
        tick_commit(t);
    assert_int_equal(rows_of(METER_PROF_LP), 1);
    assert_int_equal(meter_set_tariff(&m, 2), 0);
    m.alarm_filter[0] = 0x0000F00Fu;
    m.pq.cfg.sag_v = 200.0f;
    m.pq.cfg.swell_time_ms = 45000u;
    m.pq.ph[1].sags = 7;
    m.pq.ph[2].last_swell_v = 260.5f;
    m.event_code[METER_LOG_FRAUD] = 46;
    cosem_profile_state(&m.cosem, m.prof_obj[METER_PROF_DAILY])->profile_entries = 20;
    m.billing.counter = 42;
    tick_commit(T + 1001);
    meter_energy_t before = m.energy;
    int64_t billing = m.billing.last_close_utc;
    uint32_t alarm = m.alarm[0];
    assert_true(before.uwh[METER_E_A_PLUS] > 0);

    /* Crash (no power down), back 5 minutes later, after 12:30 UTC. */
    boot(T + 1301 + 600);
    assert_true(p.restored);
    assert_false(p.clean_power_down);
    assert_true(p.last_commit_utc == T + 1001);
    assert_memory_equal(&m.energy, &before, sizeof(before));
    assert_int_equal(m.tariff, 2);
    assert_int_equal(m.tariff_ind[1], 2);
    assert_int_equal(m.alarm[0], alarm);
    assert_int_equal(m.alarm_filter[0], 0x0000F00Fu);
    assert_true(m.pq.cfg.sag_v == 200.0f);
    assert_int_equal(m.pq.cfg.swell_time_ms, 45000u);
    assert_int_equal(m.pq.ph[1].sags, 7);
    assert_true(m.pq.ph[2].last_swell_v == 260.5f);
    assert_int_equal(m.event_code[METER_LOG_FRAUD], 46);
    assert_int_equal(m.billing.last_close_utc, billing);
    assert_int_equal(m.billing.counter, 42);
    assert_int_equal(cosem_profile_state(&m.cosem, m.prof_obj[METER_PROF_DAILY])->profile_entries,
                     20);
    assert_int_equal(rows_of(METER_PROF_LP), 1);
    assert_int_equal(cosem_profile_state(&m.cosem, m.prof_obj[METER_PROF_LP])->entries_in_use, 1);

    assert_int_equal(meter_persist_power_up(&p, T + 1901), 0);
    assert_int_equal(rows_of(METER_PROF_LOG_STD), 3);
    assert_int_equal(std_code(1), METER_EV_POWER_DOWN);
    assert_int_equal(std_hms(1), 131641u); /* T + 1001 = 12:16:41 UTC = 13:16:41 CET */
    assert_int_equal(std_code(2), METER_EV_POWER_UP);
    assert_int_equal(std_hms(2), 133141u);
    /* The outage crossed 12:30: the first tick captures that interval,
     * flagged power down (AMR bit 7). */
    tick_commit(T + 1902);
    assert_int_equal(rows_of(METER_PROF_LP), 2);
    uint8_t row[METER_LP_ROW];
    row_of(METER_PROF_LP, 1, row);
    assert_int_equal(row[9], 13); /* 13:30 CET */
    assert_int_equal(row[10], 30);
    assert_int_equal(row[16], AXDR_UNSIGNED);
    assert_true((row[17] & METER_AMR_POWER_DOWN) != 0);
    assert_true(m.energy.uwh[METER_E_A_PLUS] > before.uwh[METER_E_A_PLUS]);
}

static void test_clean_power_down(void **state) {
    (void)state;
    boot(T);
    assert_int_equal(meter_persist_power_up(&p, T), 0);
    for (int64_t t = T + 1; t <= T + 30; t++)
        tick_commit(t);
    assert_int_equal(meter_persist_power_down(&p, T + 31), 0);
    meter_energy_t before = m.energy;

    boot(T + 100);
    assert_true(p.restored);
    assert_true(p.clean_power_down);
    assert_memory_equal(&m.energy, &before, sizeof(before));
    assert_int_equal(meter_persist_power_up(&p, T + 100), 0);
    /* up, down (at the power-fail interrupt), up: no second power down. */
    assert_int_equal(rows_of(METER_PROF_LOG_STD), 3);
    assert_int_equal(std_code(0), METER_EV_POWER_UP);
    assert_int_equal(std_code(1), METER_EV_POWER_DOWN);
    assert_int_equal(std_hms(1), 130031u);
    assert_int_equal(std_code(2), METER_EV_POWER_UP);
    assert_int_equal(std_hms(2), 130140u);
    assert_int_equal(m.event_code[METER_LOG_STANDARD], METER_EV_POWER_UP);
    assert_false(std_has(METER_EV_NV_MEMORY_ERROR));
    assert_int_equal(m.alarm[0] & METER_ALARM_NV_MEMORY, 0);

    /* A changed capture period survives, the rows of the cleared buffer
     * do not come back. */
    cosem_profile_state_t *lp = cosem_profile_state(&m.cosem, m.prof_obj[METER_PROF_LP]);
    lp->capture_period = 300;
    assert_int_equal(meter_persist_commit(&p, T + 101), 0);
    boot(T + 200);
    assert_int_equal(cosem_profile_state(&m.cosem, m.prof_obj[METER_PROF_LP])->capture_period, 300);
    assert_int_equal(rows_of(METER_PROF_LOG_STD), 3);
}

/* Offset of the energy record copy committed at utc in the image. */
static long find_energy_copy(int64_t utc) {
    uint8_t pat[10] = {1, 0};
    for (unsigned i = 0; i < 8; i++)
        pat[2 + i] = (uint8_t)((uint64_t)utc >> (8 * i));
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t img[256 * 4096];
    size_t n = fread(img, 1, sizeof(img), f);
    fclose(f);
    long found = -1;
    for (size_t off = 0; off + sizeof(pat) <= n; off++)
        if (memcmp(img + off, pat, sizeof(pat)) == 0) {
            assert_int_equal(found, -1); /* exactly one copy */
            found = (long)off;
        }
    return found;
}

static void test_corrupt_record(void **state) {
    (void)state;
    boot(T);
    assert_int_equal(meter_persist_power_up(&p, T), 0);
    for (int64_t t = T + 1; t <= T + 10; t++)
        tick_commit(t);
    meter_energy_t good = m.energy;
    tick_commit(T + 11);
    assert_true(m.energy.uwh[METER_E_A_PLUS] > good.uwh[METER_E_A_PLUS]);

    /* Flip a bit in the A+ counter of the newest energy copy. */
    long off = find_energy_copy(T + 11);
    assert_true(off > 0);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, off + 12, SEEK_SET), 0);
    int c = fgetc(f);
    assert_int_equal(fseek(f, off + 12, SEEK_SET), 0);
    fputc(c ^ 0x01, f);
    fclose(f);

    boot(T + 20);
    assert_true(p.restored);
    assert_true(p.last_commit_utc == T + 10); /* the previous copy */
    assert_memory_equal(&m.energy, &good, sizeof(good));
    assert_true(std_has(METER_EV_NV_MEMORY_ERROR));
    assert_true((m.alarm[0] & METER_ALARM_NV_MEMORY) != 0);
    assert_int_equal(p.stats.nv_errors, 1);
    assert_int_equal(meter_persist_power_up(&p, T + 20), 0);

    /* Reported once: the damaged copy is buried, the next start is clean. */
    assert_int_equal(meter_persist_commit(&p, T + 21), 0);
    uint32_t events = rows_of(METER_PROF_LOG_STD);
    boot(T + 30);
    assert_int_equal(p.stats.nv_errors, 0);
    assert_int_equal(rows_of(METER_PROF_LOG_STD), events);
}

/* Cost: a commit with only the registers changed programs one copy. */
static void test_writes_per_commit(void **state) {
    (void)state;
    boot(T);
    assert_int_equal(meter_persist_power_up(&p, T), 0);
    tick_commit(T + 1);
    unsigned n = 600;
    programs = syncs = 0;
    for (unsigned i = 0; i < n; i++)
        tick_commit(T + 2 + i);
    /* One copy of the energy record per commit (275 bytes with its
     * header: two programs of EM_STORE_PROGRAM_CHUNK), plus the sector
     * changes (a format, the moved records, the obsolete marker) every
     * dozen commits, plus the load profile rows of 12:15 and 12:30 UTC;
     * about one sync per commit. */
    print_message("flash programs per commit %.2f, syncs per commit %.2f (%u commits)\n",
                  (double)programs / n, (double)syncs / n, n);
    assert_true(programs >= n);
    assert_true(programs <= 3 * n);
    assert_true(syncs <= 2 * n);
    programs = syncs = 0;
    assert_int_equal(meter_persist_commit(&p, T + 2 + n - 1), 0); /* nothing changed */
    assert_int_equal(programs, 0);
}

/* The periodic commit: every call with the default 1 s, else once per
 * period (and at once when the clock goes back). */
static void test_commit_period(void **state) {
    (void)state;
    boot(T);
    assert_int_equal(p.commit_period_s, EM_METER_PERSIST_COMMIT_PERIOD_S);
    assert_int_equal(meter_persist_power_up(&p, T), 0);
    uint32_t c0 = p.stats.commits;
    rtc = T + 1;
    assert_int_equal(meter_tick(&m, T + 1), 0);
    assert_int_equal(meter_persist_tick(&p, T + 1), 0);
    assert_int_equal(meter_persist_tick(&p, T + 1), 0); /* same second: still commits */
    assert_int_equal(p.stats.commits, c0 + 2);
    p.commit_period_s = 60;
    for (int64_t t = T + 2; t < T + 61; t++) {
        rtc = t;
        assert_int_equal(meter_tick(&m, t), 0);
        assert_int_equal(meter_persist_tick(&p, t), 0);
    }
    assert_int_equal(p.stats.commits, c0 + 2);
    assert_int_equal(meter_tick(&m, T + 61), 0);
    assert_int_equal(meter_persist_tick(&p, T + 61), 0);
    assert_int_equal(p.stats.commits, c0 + 3);
    assert_true(p.last_commit_utc == T + 61);
    assert_int_equal(meter_persist_tick(&p, T + 30), 0); /* clock set back */
    assert_int_equal(p.stats.commits, c0 + 4);
    assert_int_equal(meter_persist_tick(NULL, T), METER_PERSIST_ERR_BADARG);
    meter_energy_t e = m.energy;
    boot(T + 100);
    assert_memory_equal(&m.energy, &e, sizeof(e));
}


/* Outages: each counted; a long one (over 180 s) in the power failure log
 * with its duration; past the RTC backup (5 days) the clock is invalid
 * (event 6, alarm bit 0, AMR clock invalid) until a head-end sets it. */
static void test_outages(void **state) {
    (void)state;
    boot(T);
    assert_int_equal(meter_persist_power_up(&p, T), 0);
    tick_commit(T + 1);
    assert_int_equal(meter_persist_power_down(&p, T + 2), 0);
    boot(T + 62); /* a one-minute outage */
    assert_int_equal(meter_persist_power_up(&p, T + 62), 0);
    assert_int_equal(m.power_failures, 1);
    assert_int_equal(m.long_power_failures, 0);
    assert_int_equal(rows_of(METER_PROF_LOG_POWER), 0);
    tick_commit(T + 63);
    boot(T + 63 + 3600); /* a crash, back an hour later */
    assert_int_equal(meter_persist_power_up(&p, T + 63 + 3600), 0);
    assert_int_equal(m.power_failures, 2);
    assert_int_equal(m.long_power_failures, 1);
    assert_int_equal(m.last_pf_duration_s, 3600);
    assert_int_equal(rows_of(METER_PROF_LOG_POWER), 1);
    assert_int_equal(m.clock.status & COSEM_CLOCK_STATUS_INVALID, 0);
    /* Six days without mains: the RTC backup ran out. */
    int64_t back = T + 63 + 3600 + 6 * 86400;
    boot(back);
    assert_int_equal(meter_persist_power_up(&p, back), 0);
    assert_int_equal(m.clock.status & COSEM_CLOCK_STATUS_INVALID, COSEM_CLOCK_STATUS_INVALID);
    assert_true(std_has(METER_EV_CLOCK_INVALID));
    assert_int_equal(m.alarm[0] & METER_ALARM_CLOCK_INVALID, METER_ALARM_CLOCK_INVALID);
    assert_int_equal(rows_of(METER_PROF_LOG_POWER), 2);
    assert_int_equal(m.power_failures, 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fresh_then_crash_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clean_power_down, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writes_per_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_period, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outages, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
