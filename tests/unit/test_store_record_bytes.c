/*
 * test_store_record_bytes.c - unit tests of lib/store/record_bytes.c: the
 * little-endian writer at every width and the bounded reader (exact bytes,
 * a read past the end marks it bad for good and gives 0).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "store/record_bytes.h"

static void test_put_le(void **state) {
    (void)state;
    uint8_t b[16];
    memset(b, 0xAA, sizeof(b));
    uint8_t *p = store_put_le(b, 0x0102030405060708u, 8);
    assert_ptr_equal(p, b + 8);
    p = store_put_le(p, 0xBEEF, 2);
    p = store_put_le(p, 0x1FF, 1); /* the low byte only */
    assert_ptr_equal(p, b + 11);
    static const uint8_t want[] = {8, 7, 6, 5, 4, 3, 2, 1, 0xEF, 0xBE, 0xFF, 0xAA};
    assert_memory_equal(b, want, sizeof(want));
}

static void test_reader(void **state) {
    (void)state;
    static const uint8_t b[] = {0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0x9A};
    store_rd_t r = {b, sizeof(b), 0, false};
    assert_int_equal(store_get_le(&r, 2), 0x1234);
    assert_int_equal(store_get_le(&r, 4), 0x12345678);
    assert_false(r.bad);
    assert_int_equal(store_get_le(&r, 2), 0); /* one byte left */
    assert_true(r.bad);
    assert_int_equal(store_get_le(&r, 1), 0); /* bad for good */
    assert_true(r.bad);
    assert_int_equal(r.pos, 6);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_le),
        cmocka_unit_test(test_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
