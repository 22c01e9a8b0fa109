/*
 * test_port_posix.c - the Linux port: flash image with NOR semantics and
 * torn-write injection, RTC offset and accelerated time (--speed),
 * monotonic clock, entropy, log.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "port_posix.h"

static const em_flash_geometry_t GEO = {.sector_size = 4096, .sector_count = 4, .program_unit = 4};

typedef struct {
    char path[64];
    em_port_t port;
    em_port_posix_t st;
} fixture_t;

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof(*f));
    snprintf(f->path, sizeof(f->path), "/tmp/emeter-flash-XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    close(fd);
    unlink(f->path); /* let the port create it, so the erased-chip path runs */
    assert_int_equal(em_port_posix_init(&f->port, &f->st, f->path, &GEO), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    em_port_posix_deinit(&f->st);
    unlink(f->path);
    free(f);
    return 0;
}

static void new_image_is_erased(void **state) {
    fixture_t *f = *state;
    uint8_t buf[64];
    for (uint32_t s = 0; s < GEO.sector_count; s++) {
        assert_int_equal(f->port.flash_read(f->port.user, s * GEO.sector_size + 100, buf, 64), 0);
        for (int i = 0; i < 64; i++)
            assert_int_equal(buf[i], 0xFF);
    }
}

static void program_only_clears_bits(void **state) {
    fixture_t *f = *state;
    const uint8_t a[4] = {0xF0, 0x0F, 0xAA, 0xFF};
    const uint8_t b[4] = {0xFF, 0xFF, 0x55, 0x0F};
    uint8_t out[4];
    assert_int_equal(f->port.flash_program(f->port.user, 8, a, 4), 0);
    assert_int_equal(f->port.flash_program(f->port.user, 8, b, 4), 0);
    assert_int_equal(f->port.flash_read(f->port.user, 8, out, 4), 0);
    const uint8_t want[4] = {0xF0, 0x0F, 0x00, 0x0F};
    assert_memory_equal(out, want, 4);
    /* Erase brings the sector back to all ones. */
    assert_int_equal(f->port.flash_erase(f->port.user, 0), 0);
    assert_int_equal(f->port.flash_read(f->port.user, 8, out, 4), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(out[i], 0xFF);
}

static void bounds_and_alignment(void **state) {
    fixture_t *f = *state;
    uint8_t buf[8] = {0};
    uint32_t end = GEO.sector_size * GEO.sector_count;
    assert_int_equal(f->port.flash_read(f->port.user, end - 4, buf, 8), EM_PORT_ERR_RANGE);
    assert_int_equal(f->port.flash_program(f->port.user, end, buf, 4), EM_PORT_ERR_RANGE);
    assert_int_equal(f->port.flash_program(f->port.user, 2, buf, 4), EM_PORT_ERR_ALIGN);
    assert_int_equal(f->port.flash_program(f->port.user, 4, buf, 3), EM_PORT_ERR_ALIGN);
    assert_int_equal(f->port.flash_erase(f->port.user, GEO.sector_count), EM_PORT_ERR_RANGE);
    assert_int_equal(f->port.flash_sync(f->port.user), 0);
}

static void torn_program_writes_a_prefix_and_fails(void **state) {
    fixture_t *f = *state;
    uint8_t data[16];
    memset(data, 0x00, sizeof(data));
    f->st.tear_next_program_at = 5;
    assert_int_equal(f->port.flash_program(f->port.user, 64, data, 16), EM_PORT_ERR_IO);
    uint8_t out[16];
    assert_int_equal(f->port.flash_read(f->port.user, 64, out, 16), 0);
    for (int i = 0; i < 16; i++)
        assert_int_equal(out[i], i < 5 ? 0x00 : 0xFF);
    /* The switch fires once. */
    assert_int_equal(f->st.tear_next_program_at, -1);
    assert_int_equal(f->port.flash_program(f->port.user, 64, data, 16), 0);
}

static void image_persists_and_size_is_checked(void **state) {
    fixture_t *f = *state;
    const uint8_t v[4] = {1, 2, 3, 4};
    assert_int_equal(f->port.flash_program(f->port.user, 4096, v, 4), 0);
    assert_int_equal(f->port.flash_sync(f->port.user), 0);
    em_port_posix_deinit(&f->st);

    em_port_t p2;
    em_port_posix_t s2;
    assert_int_equal(em_port_posix_init(&p2, &s2, f->path, &GEO), 0);
    uint8_t out[4];
    assert_int_equal(p2.flash_read(p2.user, 4096, out, 4), 0);
    assert_memory_equal(out, v, 4);
    em_port_posix_deinit(&s2);

    /* Opening the same image with another geometry is refused. */
    em_flash_geometry_t other = GEO;
    other.sector_count = 8;
    assert_int_equal(em_port_posix_init(&p2, &s2, f->path, &other), EM_PORT_ERR_RANGE);
    assert_int_equal(em_port_posix_init(&f->port, &f->st, f->path, &GEO), 0);
}

static void bad_geometry_refused(void **state) {
    (void)state;
    em_port_t p;
    em_port_posix_t s;
    em_flash_geometry_t g = {.sector_size = 4096, .sector_count = 1, .program_unit = 3};
    assert_int_equal(em_port_posix_init(&p, &s, "/tmp/emeter-never-created", &g),
                     EM_PORT_ERR_BADARG);
    assert_int_equal(access("/tmp/emeter-never-created", F_OK), -1);
}

static void rtc_offset_is_per_meter(void **state) {
    (void)state;
    em_port_t a, b;
    em_port_posix_t sa, sb;
    assert_int_equal(em_port_posix_init(&a, &sa, NULL, NULL), 0);
    assert_int_equal(em_port_posix_init(&b, &sb, NULL, NULL), 0);
    int64_t target = 1893456000; /* 2030-01-01T00:00:00Z */
    assert_int_equal(a.rtc_set(a.user, target), 0);
    int64_t got = a.rtc_get(a.user);
    assert_true(got >= target && got <= target + 2);
    /* The other meter's clock did not move. */
    assert_true(llabs(b.rtc_get(b.user) - target) > 1000);
    uint64_t m1 = a.monotonic_ms(a.user);
    uint64_t m2 = a.monotonic_ms(a.user);
    assert_true(m2 >= m1);
    /* No flash configured: flash calls fail cleanly. */
    uint8_t x;
    assert_int_equal(a.flash_read(a.user, 0, &x, 1), EM_PORT_ERR_IO);
}

/* Speed 1 is the plain offset model: the time follows the system clock,
 * a set moves the offset, and the jump is reported in rtc_set_shift_s. */
static void rtc_speed_1_is_system_plus_offset(void **state) {
    (void)state;
    em_port_t p;
    em_port_posix_t s;
    assert_int_equal(em_port_posix_init(&p, &s, NULL, NULL), 0);
    assert_int_equal(em_posix_rtc_at(&s, 1000, 5), 1000);
    em_posix_rtc_set_at(&s, 1500, 1000, 5);
    assert_int_equal(s.rtc_offset_s, 500);
    assert_int_equal(s.rtc_set_shift_s, 500);
    /* The monotonic clock plays no part at speed 1. */
    assert_int_equal(em_posix_rtc_at(&s, 1010, 999999), 1510);
    em_posix_rtc_set_at(&s, 1200, 1010, 0);
    assert_int_equal(s.rtc_set_shift_s, 500 - 310);
    assert_int_equal(em_posix_rtc_at(&s, 1011, 0), 1201);
}

/* Speed N: simulated UTC = base + monotonic elapsed x N; a clock set
 * re-bases, so time continues from the new value at the same rate. */
static void rtc_speed_runs_n_times_faster(void **state) {
    (void)state;
    em_port_t p;
    em_port_posix_t s;
    assert_int_equal(em_port_posix_init(&p, &s, NULL, NULL), 0);
    s.rtc_speed = 3600;
    em_posix_rtc_set_at(&s, 1893456000, 1700000000, 10000);
    s.rtc_set_shift_s = 0;
    assert_int_equal(em_posix_rtc_at(&s, 1700000000, 10000), 1893456000);
    /* 2.5 real seconds: 9000 simulated seconds; the system clock is not used. */
    assert_int_equal(em_posix_rtc_at(&s, 0, 12500), 1893456000 + 9000);
    /* 1 ms is 3.6 s: whole seconds only. */
    assert_int_equal(em_posix_rtc_at(&s, 0, 10001), 1893456003);
    /* A monotonic reading before the base never goes back. */
    assert_int_equal(em_posix_rtc_at(&s, 0, 9000), 1893456000);
    /* Set back one day at real 12.5 s: continues from there at 3600x. */
    em_posix_rtc_set_at(&s, 1893456000 - 86400, 0, 12500);
    assert_int_equal(s.rtc_set_shift_s, -86400 - 9000);
    assert_int_equal(em_posix_rtc_at(&s, 0, 12500), 1893456000 - 86400);
    assert_int_equal(em_posix_rtc_at(&s, 0, 13500), 1893456000 - 86400 + 3600);
    /* The callbacks use the same model with the host clocks. */
    assert_int_equal(p.rtc_set(p.user, 1893456000), 0);
    int64_t t = p.rtc_get(p.user);
    assert_true(t >= 1893456000 && t < 1893456000 + 3600 * 10); /* within 10 s real */
}

static void rtc_set_speed_continues_from_now(void **state) {
    (void)state;
    em_port_t p;
    em_port_posix_t s;
    assert_int_equal(em_port_posix_init(&p, &s, NULL, NULL), 0);
    assert_int_equal(em_posix_rtc_set_speed(&s, 0), EM_PORT_ERR_BADARG);
    assert_int_equal(em_posix_rtc_set_speed(&s, EM_POSIX_RTC_SPEED_MAX + 1), EM_PORT_ERR_BADARG);
    assert_int_equal(em_posix_rtc_set_speed(NULL, 10), EM_PORT_ERR_BADARG);
    assert_int_equal(p.rtc_set(p.user, 1893456000), 0);
    s.rtc_set_shift_s = 0;
    assert_int_equal(em_posix_rtc_set_speed(&s, EM_POSIX_RTC_SPEED_MAX), 0);
    assert_int_equal(s.rtc_speed, EM_POSIX_RTC_SPEED_MAX);
    /* Not a clock set: no jump reported; time continues from the old value. */
    assert_int_equal(s.rtc_set_shift_s, 0);
    int64_t t = p.rtc_get(p.user);
    assert_true(t >= 1893456000 && t < 1893456000 + 100000 * 5);
    /* Back to real time: the offset model continues from the current value. */
    assert_int_equal(em_posix_rtc_set_speed(&s, 1), 0);
    int64_t u = p.rtc_get(p.user);
    assert_true(u >= t && u <= t + 100000 * 5);
}

static void entropy_fills_buffer(void **state) {
    (void)state;
    em_port_t p;
    em_port_posix_t s;
    assert_int_equal(em_port_posix_init(&p, &s, NULL, NULL), 0);
    uint8_t a[64], b[64];
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    assert_int_equal(p.entropy(p.user, a, sizeof(a)), 0);
    assert_int_equal(p.entropy(p.user, b, sizeof(b)), 0);
    /* Two 512-bit draws are equal with probability 2^-512. */
    assert_memory_not_equal(a, b, sizeof(a));
}

static void log_respects_level(void **state) {
    (void)state;
    em_port_t p;
    em_port_posix_t s;
    assert_int_equal(em_port_posix_init(&p, &s, NULL, NULL), 0);
    char buf[256] = {0};
    FILE *mem = fmemopen(buf, sizeof(buf), "w");
    s.log_stream = mem;
    s.log_tag = "m1";
    s.log_level = EM_LOG_WARN;
    p.log(p.user, EM_LOG_INFO, "hdlc", "dropped");
    p.log(p.user, EM_LOG_ERROR, "store", "crc mismatch");
    fclose(mem);
    assert_string_equal(buf, "m1 error: store: crc mismatch\n");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(new_image_is_erased, setup, teardown),
        cmocka_unit_test_setup_teardown(program_only_clears_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(bounds_and_alignment, setup, teardown),
        cmocka_unit_test_setup_teardown(torn_program_writes_a_prefix_and_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(image_persists_and_size_is_checked, setup, teardown),
        cmocka_unit_test(bad_geometry_refused),
        cmocka_unit_test(rtc_offset_is_per_meter),
        cmocka_unit_test(rtc_speed_1_is_system_plus_offset),
        cmocka_unit_test(rtc_speed_runs_n_times_faster),
        cmocka_unit_test(rtc_set_speed_continues_from_now),
        cmocka_unit_test(entropy_fills_buffer),
        cmocka_unit_test(log_respects_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
