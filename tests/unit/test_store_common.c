/*
 * test_store_common.c - lib/store common part: CRC-32 vectors, error
 * strings, health counters, and store_check() over a record store and its
 * rings (the periodic self-diagnostic).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store/record.h"
#include "store/ring.h"
#include "test_store_harness.h"

static void test_crc32_vectors(void **state) {
    (void)state;
    /* The CRC-32 check value (IEEE 802.3, zlib, PNG). */
    assert_int_equal(store_crc32(0, "123456789", 9), 0xCBF43926u);
    assert_int_equal(store_crc32(0, "", 0), 0);
    assert_int_equal(store_crc32(0, "a", 1), 0xE8B7BE43u);
    assert_int_equal(store_crc32(0, "The quick brown fox jumps over the lazy dog", 43),
                     0x414FA339u);
    /* Chaining equals one pass. */
    uint32_t c = store_crc32(0, "12345", 5);
    assert_int_equal(store_crc32(c, "6789", 4), 0xCBF43926u);
    uint8_t zeros[32] = {0};
    assert_int_equal(store_crc32(0, zeros, 32), 0x190A55ADu);
}

static void test_strerror(void **state) {
    (void)state;
    for (int e = -0x0801; e >= -0x080C; e--) {
        const char *s = store_strerror(e);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown store error");
    }
    assert_string_equal(store_strerror(STORE_ERR_CORRUPT), "stored data corrupted (CRC mismatch)");
    assert_string_equal(store_strerror(-0x080D), "unknown store error");
    assert_string_equal(store_strerror(-1), "unknown store error");
    assert_string_equal(store_strerror(0), "success");
}

static void test_stats(void **state) {
    (void)state;
    store_stats_t s = {0, 0, 0, 9};
    assert_false(store_stats_corrupted(&s));
    s.bad_entries = 1;
    assert_true(store_stats_corrupted(&s));
    store_stats_reset(&s);
    assert_false(store_stats_corrupted(&s));
    assert_int_equal(s.erases, 9); /* wear accounting survives the reset */
    s.lost = 1;
    assert_true(store_stats_corrupted(&s));
    s.lost = 0;
    s.bad_sectors = 2;
    assert_true(store_stats_corrupted(&s));
}

static const store_record_def_t defs[] = {{1, 16}, {2, 4}};

/* One flash, records in sectors 0-1, an event ring in 2-4, a profile ring
 * in 5-7: store_check() adds them up and finds a flipped bit anywhere. */
static void test_store_check(void **state) {
    (void)state;
    tflash_t t;
    store_records_t r;
    store_ring_t events, profile;
    store_check_t res;
    uint8_t v[16], row[64];
    assert_int_equal(tflash_open(&t, 512, 8, 8), 0);
    assert_int_equal(store_record_init(&r, &t.port, 0, 2, defs, 2), 0);
    assert_int_equal(store_ring_init(&events, &t.port, 2, 3, 16, 30), 0);
    assert_int_equal(store_ring_init(&profile, &t.port, 5, 3, 64, 10), 0);
    memset(v, 0x11, sizeof(v));
    assert_int_equal(store_record_write(&r, 1, v, 16), 0);
    assert_int_equal(store_record_write(&r, 2, v, 4), 0);
    for (int i = 0; i < 12; i++) {
        memset(row, i, sizeof(row));
        assert_int_equal(store_ring_append(&events, row, 16), 0);
        assert_int_equal(store_ring_append(&profile, row, 64), 0);
    }
    store_ring_t *rings[] = {&events, &profile, NULL};
    assert_int_equal(store_check(&r, rings, 3, &res), 0);
    assert_int_equal(res.checked, 2 + 12 + 12);
    assert_int_equal(res.bad, 0);
    assert_int_equal(store_check(NULL, rings, 1, &res), 0);
    assert_int_equal(res.checked, 12);
    assert_int_equal(store_check(&r, NULL, 0, &res), 0);
    assert_int_equal(res.checked, 2);
    assert_int_equal(store_check(&r, NULL, 1, &res), STORE_ERR_BADARG);
    assert_int_equal(store_check(&r, rings, 3, NULL), STORE_ERR_BADARG);

    /* A bit of profile row 3 (sector 5, slot 3 of 72 bytes after a 24-byte
     * header) and of record 2's data. */
    tflash_flip_bit(&t, 5u * 512u + 24u + 3u * 72u + 8u + 10u, 6);
    tflash_flip_bit(&t, r.loc[1].addr + 16u + 1u, 0);
    assert_int_equal(store_check(&r, rings, 3, &res), STORE_ERR_CORRUPT);
    assert_int_equal(res.checked, 26);
    assert_int_equal(res.bad, 2);
    assert_true(store_stats_corrupted(store_record_stats(&r)));
    assert_true(store_stats_corrupted(store_ring_stats(&profile)));
    assert_false(store_stats_corrupted(store_ring_stats(&events)));
    tflash_close(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_vectors),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_store_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
