/*
 * test_profile_flash.c - Profile generic rows in flash (lib/meter/profile_flash):
 * the row-store operations over a lib/store ring on the POSIX flash image,
 * rows kept across a restart, FIFO at capacity, and a row torn by a power
 * cut at any byte never damaging the rows before it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "meter/profile_flash.h"
#include "port_posix.h"
#include "store/store.h"

#define ROW      32u
#define CAPACITY 40u

static const em_flash_geometry_t GEO = {.sector_size = 512, .sector_count = 16, .program_unit = 4};

typedef struct {
    char path[64];
    em_port_t port;
    em_port_posix_t st;
    meter_profile_flash_t pf;
    cosem_profile_rows_t rows;
    uint32_t sectors;
} fx_t;

static fx_t fx;

/* A row as Profile generic writes it: length, one double-long-unsigned. */
static void make_row(uint8_t *row, uint32_t v) {
    memset(row, 0, ROW);
    row[0] = 0;
    row[1] = 5;
    row[2] = 0x06;
    row[3] = (uint8_t)(v >> 24);
    row[4] = (uint8_t)(v >> 16);
    row[5] = (uint8_t)(v >> 8);
    row[6] = (uint8_t)v;
}

static uint32_t row_value(const uint8_t *row) {
    return (uint32_t)row[3] << 24 | (uint32_t)row[4] << 16 | (uint32_t)row[5] << 8 | row[6];
}

static void mount(void) {
    assert_int_equal(em_port_posix_init(&fx.port, &fx.st, fx.path, &GEO), 0);
    assert_int_equal(
        meter_profile_flash_init(&fx.pf, &fx.rows, &fx.port, 0, fx.sectors, ROW, CAPACITY), 0);
}

static int setup(void **state) {
    (void)state;
    memset(&fx, 0, sizeof(fx));
    snprintf(fx.path, sizeof(fx.path), "/tmp/emeter-pf-%d.img", (int)getpid());
    unlink(fx.path);
    fx.sectors = store_ring_sectors_needed(&GEO, ROW, CAPACITY);
    assert_true(fx.sectors >= 2 && fx.sectors <= GEO.sector_count);
    mount();
    return 0;
}

static int teardown(void **state) {
    (void)state;
    em_port_posix_deinit(&fx.st);
    unlink(fx.path);
    return 0;
}

static void append(uint32_t v) {
    uint8_t row[ROW];
    make_row(row, v);
    assert_int_equal(fx.rows.ops->append(fx.rows.user, row), 0);
}

static void expect_rows(uint32_t first, uint32_t n) {
    assert_int_equal(fx.rows.ops->count(fx.rows.user), n);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t row[ROW];
        assert_int_equal(fx.rows.ops->read(fx.rows.user, i, row), 0);
        assert_int_equal(row_value(row), first + i);
    }
}

static void rows_survive_restart_and_wrap(void **state) {
    (void)state;
    assert_int_equal(fx.rows.ops->capacity(fx.rows.user), CAPACITY);
    assert_int_equal(fx.rows.row_size, ROW);
    for (uint32_t v = 1; v <= 25; v++)
        append(v);
    expect_rows(1, 25);
    em_port_posix_deinit(&fx.st); /* power off */
    mount();
    expect_rows(1, 25);
    /* Past capacity the oldest rows go (FIFO). */
    for (uint32_t v = 26; v <= 100; v++)
        append(v);
    uint32_t n = fx.rows.ops->count(fx.rows.user);
    assert_true(n >= CAPACITY - GEO.sector_size / (ROW + 8) && n <= CAPACITY);
    expect_rows(100 - n + 1, n);
    uint8_t row[ROW];
    assert_true(fx.rows.ops->read(fx.rows.user, n, row) < 0);
    assert_int_equal(fx.rows.ops->clear(fx.rows.user), 0);
    assert_int_equal(fx.rows.ops->count(fx.rows.user), 0);
}

/* A power cut at every byte of a row's program: after the restart the rows
 * written before are all intact, the torn one is either absent or whole. */
static void torn_row_at_every_byte(void **state) {
    (void)state;
    for (long k = 0; k <= (long)(ROW + 8); k++) {
        teardown(NULL);
        setup(NULL);
        for (uint32_t v = 1; v <= 5; v++)
            append(v);
        fx.st.tear_next_program_at = k;
        uint8_t row[ROW];
        make_row(row, 6);
        (void)fx.rows.ops->append(fx.rows.user, row);
        em_port_posix_deinit(&fx.st);
        mount();
        uint32_t n = fx.rows.ops->count(fx.rows.user);
        assert_true(n == 5 || n == 6);
        expect_rows(1, n);
        append(7); /* the ring keeps working after the cut */
        n = fx.rows.ops->count(fx.rows.user);
        assert_true(fx.rows.ops->read(fx.rows.user, n - 1, row) == 0 && row_value(row) == 7);
    }
}

static void bad_arguments(void **state) {
    (void)state;
    meter_profile_flash_t pf;
    cosem_profile_rows_t rows;
    assert_int_equal(meter_profile_flash_init(&pf, &rows, &fx.port, 0, fx.sectors, 2, CAPACITY),
                     COSEM_ERR_PROFILE_BADARG);
    assert_int_equal(meter_profile_flash_init(NULL, &rows, &fx.port, 0, fx.sectors, ROW, CAPACITY),
                     COSEM_ERR_PROFILE_BADARG);
    /* A region too small for the capacity is refused by the store. */
    assert_true(meter_profile_flash_init(&pf, &rows, &fx.port, 0, 2, ROW, 1000) < 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(rows_survive_restart_and_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(torn_row_at_every_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_arguments, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
