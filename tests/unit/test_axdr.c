/*
 * test_axdr.c - unit tests of the A-XDR codec (lib/dlms/axdr.c): every data
 * type to exact bytes and back, length forms, the sticky-overflow encoder at
 * every buffer size, measure and window modes, every decoder refusal,
 * depth and count bounds, compact-array, and re-encoding of decoded values.
 *
 * Expected bytes are hand-computed from the A-XDR rules (IEC 61334-6) and
 * the Data tags of IEC 62056-6-2 (dlms-facts.md §1.3).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dlms/axdr.h"
#include "test_hex.h"

/* ---- helpers ------------------------------------------------------------------- */

/* Parse "12 00 05" (spaces ignored) into out; returns the byte count. */

/* Assert that an encoder holds exactly the bytes given in hex. */
static void expect_bytes(const axdr_enc_t *e, const char *want_hex) {
    uint8_t want[512];
    size_t n = test_unhex(want_hex, want, sizeof(want));
    assert_int_equal(e->err, 0);
    assert_int_equal(e->len, n);
    assert_memory_equal(e->buf, want, n);
}

/* Decode exactly one element from hex, with the cursor at the end after. */
static axdr_value_t decode_one(const char *in_hex, uint8_t *storage, size_t cap) {
    axdr_dec_t d;
    axdr_value_t v;
    size_t n = test_unhex(in_hex, storage, cap);
    axdr_dec_init(&d, storage, n);
    assert_int_equal(axdr_get_value(&d, &v), 0);
    assert_int_equal(d.pos, n);
    return v;
}

/* Expect axdr_validate() to refuse the input with this code. */
static void expect_refusal(const char *in_hex, int code) {
    uint8_t in[256];
    size_t consumed = 99;
    size_t n = test_unhex(in_hex, in, sizeof(in));
    assert_int_equal(axdr_validate(in, n, &consumed), code);
    assert_int_equal(consumed, 0);
}

/* ---- every type to exact bytes ------------------------------------------------------ */

static void test_encode_scalars_exact(void **state) {
    (void)state;
    uint8_t buf[64];
    axdr_enc_t e;
    static const uint8_t obis[6] = {0, 0, 1, 0, 0, 0xFF};
    static const uint8_t bits[2] = {0xAC, 0xFF}; /* 11 bits 1010 1100 111, junk after */

#define CHECK(call, want)                                                                          \
    do {                                                                                           \
        axdr_enc_init(&e, buf, sizeof(buf));                                                       \
        assert_int_equal(call, 0);                                                                 \
        expect_bytes(&e, want);                                                                    \
    } while (0)

    CHECK(axdr_put_null(&e), "00");
    CHECK(axdr_put_uint16(&e, 5), "12 00 05");
    CHECK(axdr_put_octet_string(&e, obis, 6), "09 06 00 00 01 00 00 FF");
    CHECK(axdr_put_boolean(&e, true), "03 01");
    CHECK(axdr_put_boolean(&e, false), "03 00");
    CHECK(axdr_put_bit_string(&e, bits, 11), "04 0B AC E0");
    CHECK(axdr_put_bit_string(&e, NULL, 0), "04 00");
    CHECK(axdr_put_int32(&e, -2), "05 FF FF FF FE");
    CHECK(axdr_put_int32(&e, INT32_MIN), "05 80 00 00 00");
    CHECK(axdr_put_uint32(&e, 0x12345678u), "06 12 34 56 78");
    CHECK(axdr_put_visible_string(&e, "ABC", 3), "0A 03 41 42 43");
    CHECK(axdr_put_utf8_string(&e, (const uint8_t *)"\xC3\xA9", 2), "0C 02 C3 A9");
    CHECK(axdr_put_bcd(&e, 0x12), "0D 12");
    CHECK(axdr_put_int8(&e, -1), "0F FF");
    CHECK(axdr_put_int8(&e, -128), "0F 80");
    CHECK(axdr_put_int16(&e, -300), "10 FE D4");
    CHECK(axdr_put_uint8(&e, 200), "11 C8");
    CHECK(axdr_put_int64(&e, -1), "14 FF FF FF FF FF FF FF FF");
    CHECK(axdr_put_int64(&e, INT64_MIN), "14 80 00 00 00 00 00 00 00");
    CHECK(axdr_put_uint64(&e, UINT64_MAX), "15 FF FF FF FF FF FF FF FF");
    CHECK(axdr_put_uint64(&e, 0x0102030405060708ull), "15 01 02 03 04 05 06 07 08");
    CHECK(axdr_put_enum(&e, 3), "16 03");
    CHECK(axdr_put_float32(&e, 1.5f), "17 3F C0 00 00");
    CHECK(axdr_put_float64(&e, -2.5), "18 C0 04 00 00 00 00 00 00");
    CHECK(axdr_put_array(&e, 0), "01 00");
    CHECK(axdr_put_structure(&e, 2), "02 02");
    CHECK(axdr_put_array(&e, 0x12345678u), "01 84 12 34 56 78");

    /* 2022-10-31 (a Monday) 12:00:00.00, CET (-60), status 0. */
    cosem_datetime_t dt = {2022, 10, 31, 1, 12, 0, 0, 0, -60, 0};
    CHECK(axdr_put_date_time(&e, &dt), "19 07 E6 0A 1F 01 0C 00 00 00 FF C4 00");
    CHECK(axdr_put_date_time_os(&e, &dt), "09 0C 07 E6 0A 1F 01 0C 00 00 00 FF C4 00");
    cosem_date_t date = {2024, 2, 29, 4};
    CHECK(axdr_put_date(&e, &date), "1A 07 E8 02 1D 04");
    CHECK(axdr_put_date_os(&e, &date), "09 05 07 E8 02 1D 04");
    cosem_time_t tm = {23, 59, 59, 0xFF};
    CHECK(axdr_put_time(&e, &tm), "1B 17 3B 3B FF");
    CHECK(axdr_put_time_os(&e, &tm), "09 04 17 3B 3B FF");
#undef CHECK
}

static void test_encode_composites_exact(void **state) {
    (void)state;
    uint8_t buf[64];
    axdr_enc_t e;

    /* array of two unsigned */
    axdr_enc_init(&e, buf, sizeof(buf));
    axdr_put_array(&e, 2);
    axdr_put_uint8(&e, 1);
    assert_int_equal(axdr_put_uint8(&e, 2), 0);
    expect_bytes(&e, "01 02 11 01 11 02");

    /* register scaler_unit: structure{integer -3, enum 30 (Wh)} */
    axdr_enc_init(&e, buf, sizeof(buf));
    axdr_put_structure(&e, 2);
    axdr_put_int8(&e, -3);
    axdr_put_enum(&e, 30);
    expect_bytes(&e, "02 02 0F FD 16 1E");
}

/* ---- length forms ------------------------------------------------------------------- */

static void test_length_forms(void **state) {
    (void)state;
    static uint8_t big[70000];
    static uint8_t out[70016];
    axdr_enc_t e;
    memset(big, 0x5A, sizeof(big));

    struct {
        size_t n;
        const char *hdr;
    } cases[] = {
        {0, "09 00"},
        {127, "09 7F"},
        {128, "09 81 80"},
        {200, "09 81 C8"},
        {255, "09 81 FF"},
        {256, "09 82 01 00"},
        {300, "09 82 01 2C"},
        {65535, "09 82 FF FF"},
        {65536, "09 83 01 00 00"},
        {70000, "09 83 01 11 70"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t hdr[8];
        size_t hlen = test_unhex(cases[i].hdr, hdr, sizeof(hdr));
        axdr_enc_init(&e, out, sizeof(out));
        assert_int_equal(axdr_put_octet_string(&e, big, cases[i].n), 0);
        assert_int_equal(e.len, hlen + cases[i].n);
        assert_memory_equal(out, hdr, hlen);
        assert_memory_equal(out + hlen, big, cases[i].n);

        /* and back, zero-copy */
        axdr_dec_t d;
        const uint8_t *p;
        size_t n;
        axdr_dec_init(&d, out, e.len);
        assert_int_equal(axdr_get_octet_string(&d, &p, &n), 0);
        assert_int_equal(n, cases[i].n);
        assert_ptr_equal(p, out + hlen);
        assert_int_equal(axdr_dec_remaining(&d), 0);
    }

    /* raw length helper, 4-byte form */
    axdr_enc_init(&e, out, sizeof(out));
    assert_int_equal(axdr_put_length(&e, 0x01000000u), 0);
    expect_bytes(&e, "84 01 00 00 00");

    axdr_dec_t d;
    uint32_t n;
    axdr_dec_init(&d, out, e.len);
    assert_int_equal(axdr_get_length(&d, &n), 0);
    assert_int_equal(n, 0x01000000u);
    /* non-minimal forms are accepted on input */
    uint8_t nm[4];
    axdr_dec_init(&d, nm, test_unhex("82 00 05", nm, sizeof(nm)));
    assert_int_equal(axdr_get_length(&d, &n), 0);
    assert_int_equal(n, 5);
}

/* ---- every type decoded back ---------------------------------------------------------- */

static void test_decode_scalars(void **state) {
    (void)state;
    uint8_t in[64];
    axdr_value_t v;

    v = decode_one("00", in, sizeof(in));
    assert_int_equal(v.tag, AXDR_NULL);
    v = decode_one("03 05", in, sizeof(in)); /* any nonzero byte is true */
    assert_true(v.b);
    v = decode_one("03 00", in, sizeof(in));
    assert_false(v.b);
    v = decode_one("04 0B AC E0", in, sizeof(in));
    assert_int_equal(v.tag, AXDR_BIT_STRING);
    assert_int_equal(v.count, 11);
    assert_int_equal(v.len, 2);
    assert_int_equal(v.p[0], 0xAC);
    v = decode_one("05 FF FF FF FE", in, sizeof(in));
    assert_int_equal(v.i, -2);
    v = decode_one("06 FF FF FF FF", in, sizeof(in));
    assert_int_equal(v.u, 0xFFFFFFFFu);
    v = decode_one("0A 03 41 42 43", in, sizeof(in));
    assert_int_equal(v.len, 3);
    assert_memory_equal(v.p, "ABC", 3);
    assert_ptr_equal(v.p, in + 2);
    v = decode_one("0D 99", in, sizeof(in));
    assert_int_equal(v.u, 0x99);
    v = decode_one("0F 80", in, sizeof(in));
    assert_int_equal(v.i, -128);
    v = decode_one("10 FE D4", in, sizeof(in));
    assert_int_equal(v.i, -300);
    v = decode_one("11 C8", in, sizeof(in));
    assert_int_equal(v.u, 200);
    v = decode_one("12 00 05", in, sizeof(in));
    assert_int_equal(v.u, 5);
    v = decode_one("14 80 00 00 00 00 00 00 00", in, sizeof(in));
    assert_true(v.i == INT64_MIN);
    v = decode_one("14 7F FF FF FF FF FF FF FF", in, sizeof(in));
    assert_true(v.i == INT64_MAX);
    v = decode_one("15 FF FF FF FF FF FF FF FF", in, sizeof(in));
    assert_true(v.u == UINT64_MAX);
    v = decode_one("16 1E", in, sizeof(in));
    assert_int_equal(v.u, 30);
    v = decode_one("17 3F C0 00 00", in, sizeof(in));
    assert_true(v.f32 == 1.5f);
    v = decode_one("18 C0 04 00 00 00 00 00 00", in, sizeof(in));
    assert_true(v.f64 == -2.5);

    v = decode_one("19 07 E6 0A 1F 01 0C 00 00 00 FF C4 00", in, sizeof(in));
    assert_int_equal(v.dt.year, 2022);
    assert_int_equal(v.dt.month, 10);
    assert_int_equal(v.dt.day, 31);
    assert_int_equal(v.dt.day_of_week, 1);
    assert_int_equal(v.dt.hour, 12);
    assert_int_equal(v.dt.deviation, -60);
    assert_int_equal(v.dt.clock_status, 0);
    assert_int_equal(v.len, 12);
    v = decode_one("1A 07 E8 02 1D 04", in, sizeof(in));
    assert_int_equal(v.date.year, 2024);
    assert_int_equal(v.date.day, 29);
    v = decode_one("1B 17 3B 3B FF", in, sizeof(in));
    assert_int_equal(v.time.hour, 23);
    assert_int_equal(v.time.hundredths, 0xFF);

    /* containers: only the header is read */
    axdr_dec_t d;
    size_t n = test_unhex("01 84 00 00 00 01 00", in, sizeof(in));
    axdr_dec_init(&d, in, n);
    assert_int_equal(axdr_get_value(&d, &v), 0);
    assert_int_equal(v.tag, AXDR_ARRAY);
    assert_int_equal(v.count, 1);
    assert_int_equal(d.pos, 6);
}

static void test_typed_getters(void **state) {
    (void)state;
    uint8_t in[128];
    axdr_dec_t d;
    size_t n = test_unhex("02 10 00 03 01 04 03 A0 05 FF FF FF 85 06 00 00 01 00"
                          " 09 02 AA BB 0A 01 41 0C 01 42 0D 07 0F 9C 10 80 00 11 7F 12 FF FF"
                          " 14 00 00 00 00 00 00 00 01 15 00 00 00 00 00 00 00 02 16 04",
                          in, sizeof(in));
    axdr_dec_init(&d, in, n);

    uint32_t count, nbits;
    bool b;
    const uint8_t *p;
    size_t len;
    int32_t i32;
    uint32_t u32;
    uint8_t u8;
    int8_t i8;
    int16_t i16;
    uint16_t u16;
    int64_t i64;
    uint64_t u64;

    assert_int_equal(axdr_peek_tag(&d), AXDR_STRUCTURE);
    assert_true(axdr_next_is(&d, AXDR_STRUCTURE));
    assert_int_equal(axdr_get_structure(&d, &count), 0);
    assert_int_equal(count, 16);
    assert_int_equal(axdr_get_null(&d), 0);
    assert_int_equal(axdr_get_boolean(&d, &b), 0);
    assert_true(b);
    assert_int_equal(axdr_get_bit_string(&d, &p, &nbits), 0);
    assert_int_equal(nbits, 3);
    assert_int_equal(p[0], 0xA0);
    assert_int_equal(axdr_get_int32(&d, &i32), 0);
    assert_int_equal(i32, -123);
    assert_int_equal(axdr_get_uint32(&d, &u32), 0);
    assert_int_equal(u32, 256);
    assert_int_equal(axdr_get_octet_string(&d, &p, &len), 0);
    assert_int_equal(len, 2);
    assert_int_equal(p[1], 0xBB);
    assert_int_equal(axdr_get_visible_string(&d, &p, &len), 0);
    assert_int_equal(p[0], 'A');
    assert_int_equal(axdr_get_utf8_string(&d, &p, &len), 0);
    assert_int_equal(p[0], 'B');
    assert_int_equal(axdr_get_bcd(&d, &u8), 0);
    assert_int_equal(u8, 7);
    assert_int_equal(axdr_get_int8(&d, &i8), 0);
    assert_int_equal(i8, -100);
    assert_int_equal(axdr_get_int16(&d, &i16), 0);
    assert_int_equal(i16, INT16_MIN);
    assert_int_equal(axdr_get_uint8(&d, &u8), 0);
    assert_int_equal(u8, 127);
    assert_int_equal(axdr_get_uint16(&d, &u16), 0);
    assert_int_equal(u16, 65535);
    assert_int_equal(axdr_get_int64(&d, &i64), 0);
    assert_int_equal(i64, 1);
    assert_int_equal(axdr_get_uint64(&d, &u64), 0);
    assert_int_equal(u64, 2);
    assert_int_equal(axdr_get_enum(&d, &u8), 0);
    assert_int_equal(u8, 4);
    assert_int_equal(axdr_dec_remaining(&d), 0);
    assert_int_equal(axdr_peek_tag(&d), AXDR_ERR_TRUNCATED);

    float f;
    double g;
    n = test_unhex("17 C2 F6 E9 79 18 3F F0 00 00 00 00 00 00", in, sizeof(in));
    axdr_dec_init(&d, in, n);
    assert_int_equal(axdr_get_float32(&d, &f), 0);
    assert_true(f == -123.456f);
    assert_int_equal(axdr_get_float64(&d, &g), 0);
    assert_true(g == 1.0);
}

static void test_type_mismatch_keeps_cursor(void **state) {
    (void)state;
    uint8_t in[16];
    axdr_dec_t d;
    uint16_t u16 = 77;
    uint8_t u8;
    size_t n = test_unhex("11 05", in, sizeof(in));
    axdr_dec_init(&d, in, n);
    assert_int_equal(axdr_get_uint16(&d, &u16), AXDR_ERR_TYPE);
    assert_int_equal(u16, 0); /* output in a defined state */
    assert_int_equal(d.pos, 0);
    assert_int_equal(axdr_get_uint8(&d, &u8), 0);
    assert_int_equal(u8, 5);

    /* a failed read in the middle of an element leaves the cursor too */
    n = test_unhex("12 00", in, sizeof(in));
    axdr_dec_init(&d, in, n);
    assert_int_equal(axdr_get_uint16(&d, &u16), AXDR_ERR_TRUNCATED);
    assert_int_equal(d.pos, 0);
}

static void test_date_time_as_octet_string(void **state) {
    (void)state;
    uint8_t in[32];
    axdr_dec_t d;
    cosem_datetime_t dt;
    cosem_date_t date;
    cosem_time_t t;

    size_t n = test_unhex("09 0C 07 E6 0A 1F 01 0C 00 00 00 FF C4 00", in, sizeof(in));
    axdr_dec_init(&d, in, n);
    assert_int_equal(axdr_get_date_time(&d, &dt), 0);
    assert_int_equal(dt.year, 2022);
    assert_int_equal(dt.deviation, -60);

    /* an octet-string of the wrong size is not a date-time */
    n = test_unhex("09 0B 07 E6 0A 1F 01 0C 00 00 00 FF C4", in, sizeof(in));
    axdr_dec_init(&d, in, n);
    assert_int_equal(axdr_get_date_time(&d, &dt), AXDR_ERR_TYPE);
    assert_int_equal(d.pos, 0);
    assert_int_equal(dt.year, COSEM_DT_YEAR_NOT_SPECIFIED);

    n = test_unhex("09 05 07 E8 02 1D 04 1B 01 02 03 04", in, sizeof(in));
    axdr_dec_init(&d, in, n);
    assert_int_equal(axdr_get_date(&d, &date), 0);
    assert_int_equal(date.month, 2);
    assert_int_equal(axdr_get_time(&d, &t), 0);
    assert_int_equal(t.hundredths, 4);
    assert_int_equal(axdr_get_time(&d, &t), AXDR_ERR_TRUNCATED);
    assert_int_equal(t.hour, 0xFF);
}

/* ---- encoder bounds --------------------------------------------------------------------- */

/* A composite value with every kind of item: headers, fixed, counted. */
static int put_composite(axdr_enc_t *e) {
    static const uint8_t obis[6] = {1, 0, 1, 8, 0, 0xFF};
    static const uint8_t bits[3] = {0xFF, 0x00, 0xF0};
    cosem_datetime_t dt = {2030, 1, 2, 3, 4, 5, 6, 7, 120, 0x80};
    axdr_put_structure(e, 6);
    axdr_put_uint16(e, 3);
    axdr_put_octet_string(e, obis, sizeof(obis));
    axdr_put_array(e, 2);
    axdr_put_int64(e, -5);
    axdr_put_visible_string(e, "meter", 5);
    axdr_put_bit_string(e, bits, 20);
    axdr_put_date_time(e, &dt);
    return axdr_put_float64(e, 3.25);
}

static void test_overflow_every_size(void **state) {
    (void)state;
    uint8_t full[128];
    axdr_enc_t e;
    axdr_enc_init(&e, full, sizeof(full));
    assert_int_equal(put_composite(&e), 0);
    size_t total = e.len;
    assert_true(total > 40);

    for (size_t cap = 0; cap <= total; cap++) {
        uint8_t buf[160];
        memset(buf, 0xEE, sizeof(buf));
        axdr_enc_init(&e, buf, cap);
        int rc = put_composite(&e);
        if (cap < total) {
            assert_int_equal(rc, AXDR_ERR_OVERFLOW);
            assert_int_equal(e.err, AXDR_ERR_OVERFLOW);
            /* sticky: more puts change nothing */
            size_t len = e.len;
            assert_int_equal(axdr_put_uint8(&e, 1), AXDR_ERR_OVERFLOW);
            assert_int_equal(axdr_put_raw(&e, full, 0), AXDR_ERR_OVERFLOW);
            assert_int_equal(e.len, len);
        } else {
            assert_int_equal(rc, 0);
        }
        assert_true(e.len <= cap);
        /* what was written is a prefix of the real encoding, ending on an
         * item boundary, and nothing past cap was touched */
        assert_memory_equal(buf, full, e.len);
        for (size_t i = e.len; i < sizeof(buf); i++) {
            assert_int_equal(buf[i], 0xEE);
        }
    }
}

static void test_measure_mode(void **state) {
    (void)state;
    uint8_t full[128];
    axdr_enc_t e, m, m2;
    axdr_enc_init(&e, full, sizeof(full));
    put_composite(&e);
    axdr_enc_init_measure(&m);
    assert_int_equal(put_composite(&m), 0);
    assert_int_equal(m.len, e.len);
    assert_int_equal(axdr_enc_size(&m), e.len);
    axdr_enc_init(&m2, NULL, 1234); /* buf NULL also measures */
    assert_int_equal(put_composite(&m2), 0);
    assert_int_equal(m2.len, e.len);

    /* large counted items are measured without any buffer */
    static uint8_t big[100000];
    axdr_enc_init_measure(&m);
    assert_int_equal(axdr_put_octet_string(&m, big, sizeof(big)), 0);
    assert_int_equal(m.len, 1 + 4 + sizeof(big));
}

static void test_window_mode(void **state) {
    (void)state;
    uint8_t full[128];
    axdr_enc_t e;
    axdr_enc_init(&e, full, sizeof(full));
    put_composite(&e);
    size_t total = e.len;

    for (size_t block = 1; block <= total + 1; block++) {
        uint8_t joined[160];
        size_t have = 0;
        for (size_t off = 0;; off += block) {
            uint8_t buf[160];
            memset(buf, 0xEE, sizeof(buf));
            axdr_enc_init_window(&e, buf, block, off);
            int rc = put_composite(&e);
            assert_true(e.len <= block);
            assert_int_equal(buf[block], 0xEE);
            memcpy(joined + have, buf, e.len);
            have += e.len;
            if (rc == 0) {
                break; /* last block */
            }
            assert_int_equal(rc, AXDR_ERR_OVERFLOW);
            assert_int_equal(e.len, block);
        }
        assert_int_equal(have, total);
        assert_memory_equal(joined, full, total);
    }
}

static void test_encoder_arguments(void **state) {
    (void)state;
    uint8_t buf[8];
    axdr_enc_t e;
    assert_int_equal(axdr_put_uint8(NULL, 1), AXDR_ERR_ARG);
    axdr_enc_init(&e, buf, sizeof(buf));
    assert_int_equal(axdr_put_octet_string(&e, NULL, 3), AXDR_ERR_ARG);
    assert_int_equal(axdr_put_uint8(&e, 1), AXDR_ERR_ARG); /* sticky too */
    assert_int_equal(e.len, 0);
    axdr_enc_init(&e, buf, sizeof(buf));
    assert_int_equal(axdr_put_date_time(&e, NULL), AXDR_ERR_ARG);
    axdr_enc_init(&e, buf, sizeof(buf));
    assert_int_equal(axdr_put_octet_string(&e, NULL, 0), 0);
    expect_bytes(&e, "09 00");
}

/* ---- decoder refusals ---------------------------------------------------------------- */

static void test_refusals(void **state) {
    (void)state;
    /* truncated */
    expect_refusal("", AXDR_ERR_TRUNCATED);
    expect_refusal("12 00", AXDR_ERR_TRUNCATED);
    expect_refusal("06 00 00 00", AXDR_ERR_TRUNCATED);
    expect_refusal("19 07 E6 0A", AXDR_ERR_TRUNCATED);
    expect_refusal("09", AXDR_ERR_TRUNCATED);
    expect_refusal("09 82 01", AXDR_ERR_TRUNCATED); /* inside the length field */
    expect_refusal("01 02 11 01", AXDR_ERR_TRUNCATED);
    expect_refusal("02 02 11 01 12 00", AXDR_ERR_TRUNCATED);
    /* bad length */
    expect_refusal("09 80", AXDR_ERR_LENGTH);
    expect_refusal("09 85 00 00 00 00 01", AXDR_ERR_LENGTH);
    expect_refusal("09 05 01 02", AXDR_ERR_LENGTH);
    expect_refusal("0A 81 80 41", AXDR_ERR_LENGTH);
    expect_refusal("04 10 FF", AXDR_ERR_LENGTH); /* 16 bits, 1 byte */
    expect_refusal("04 84 FF FF FF FF 00", AXDR_ERR_LENGTH);
    /* unknown tag */
    expect_refusal("07 00", AXDR_ERR_TAG);
    expect_refusal("08", AXDR_ERR_TAG);
    expect_refusal("0B 00", AXDR_ERR_TAG);
    expect_refusal("0E 00", AXDR_ERR_TAG);
    expect_refusal("1C 00", AXDR_ERR_TAG);
    expect_refusal("FF", AXDR_ERR_TAG);
    expect_refusal("01 02 11 01 20", AXDR_ERR_TAG);
    /* count larger than the remaining bytes */
    expect_refusal("01 05 11 01 11 02", AXDR_ERR_COUNT);
    expect_refusal("02 01", AXDR_ERR_COUNT);
    expect_refusal("01 84 FF FF FF FF 11 00", AXDR_ERR_COUNT);
    expect_refusal("02 84 7F FF FF FF", AXDR_ERR_COUNT);
    expect_refusal("01 01 01 83 FF FF FF 00", AXDR_ERR_COUNT);
    /* compact-array */
    expect_refusal("13 00 01 00", AXDR_ERR_COMPACT);             /* null elements */
    expect_refusal("13 07 00", AXDR_ERR_COMPACT);                /* unknown type */
    expect_refusal("13 13 11 00 00", AXDR_ERR_COMPACT);          /* nested compact */
    expect_refusal("13 01 00 00 11 00", AXDR_ERR_COMPACT);       /* array of 0 */
    expect_refusal("13 02 00 00", AXDR_ERR_COMPACT);             /* empty structure */
    expect_refusal("13 12 03 00 01 02", AXDR_ERR_COMPACT);       /* 1.5 long-unsigned */
    expect_refusal("13 09 02 05 01", AXDR_ERR_COMPACT);          /* string past contents */
    expect_refusal("13 02 84 FF FF FF FF 11", AXDR_ERR_COMPACT); /* hostile member count */
    expect_refusal("13 01 FF FF 01 FF FF 11 02 00 00", AXDR_ERR_COMPACT);
    expect_refusal("13 11 05 01 02", AXDR_ERR_LENGTH); /* contents past the input */
    expect_refusal("13 11", AXDR_ERR_TRUNCATED);
    expect_refusal("13 01 00", AXDR_ERR_TRUNCATED);
    /* arguments */
    assert_int_equal(axdr_validate(NULL, 3, NULL), AXDR_ERR_ARG);
    assert_int_equal(axdr_get_value(NULL, NULL), AXDR_ERR_ARG);
}

static void test_untouched_input_slice(void **state) {
    (void)state;
    /* the decoder must not look past len even if the buffer goes on */
    uint8_t in[8];
    test_unhex("09 03 41 42 43", in, sizeof(in));
    assert_int_equal(axdr_validate(in, 4, NULL), AXDR_ERR_LENGTH);
    size_t used;
    assert_int_equal(axdr_validate(in, 5, &used), 0);
    assert_int_equal(used, 5);
}

/* Nested arrays of one element each, innermost holding `11 05`. */
static size_t nested(uint8_t *buf, unsigned depth, uint8_t tag) {
    size_t n = 0;
    for (unsigned i = 0; i < depth; i++) {
        buf[n++] = tag;
        buf[n++] = 1;
    }
    buf[n++] = AXDR_UNSIGNED;
    buf[n++] = 5;
    return n;
}

static void test_depth_limit(void **state) {
    (void)state;
    uint8_t buf[2 * EM_AXDR_MAX_DEPTH + 8];
    size_t used;
    size_t n = nested(buf, EM_AXDR_MAX_DEPTH, AXDR_ARRAY);
    assert_int_equal(axdr_validate(buf, n, &used), 0);
    assert_int_equal(used, n);
    n = nested(buf, EM_AXDR_MAX_DEPTH, AXDR_STRUCTURE);
    assert_int_equal(axdr_validate(buf, n, &used), 0);
    n = nested(buf, EM_AXDR_MAX_DEPTH + 1, AXDR_ARRAY);
    assert_int_equal(axdr_validate(buf, n, &used), AXDR_ERR_DEPTH);
    assert_int_equal(used, 0);

    /* an empty container one level too deep is still one level too deep */
    n = nested(buf, EM_AXDR_MAX_DEPTH, AXDR_ARRAY);
    buf[n - 2] = AXDR_ARRAY;
    buf[n - 1] = 0;
    assert_int_equal(axdr_validate(buf, n, &used), AXDR_ERR_DEPTH);

    /* skip on a cursor: depth counts from the skipped element */
    axdr_dec_t d;
    uint32_t count;
    n = nested(buf, EM_AXDR_MAX_DEPTH + 1, AXDR_ARRAY);
    axdr_dec_init(&d, buf, n);
    assert_int_equal(axdr_get_array(&d, &count), 0);
    assert_int_equal(axdr_skip(&d), 0);
    assert_int_equal(axdr_dec_remaining(&d), 0);

    /* compact-array descriptions are bounded the same way */
    uint8_t ca[4 * EM_AXDR_MAX_DEPTH + 8];
    for (unsigned depth = EM_AXDR_MAX_DEPTH; depth <= EM_AXDR_MAX_DEPTH + 1; depth++) {
        size_t k = 0;
        ca[k++] = AXDR_COMPACT_ARRAY;
        for (unsigned i = 0; i < depth; i++) {
            ca[k++] = AXDR_ARRAY;
            ca[k++] = 0;
            ca[k++] = 1;
        }
        ca[k++] = AXDR_UNSIGNED;
        ca[k++] = 1; /* one content byte: one element */
        ca[k++] = 9;
        int want = depth > EM_AXDR_MAX_DEPTH ? AXDR_ERR_DEPTH : 0;
        assert_int_equal(axdr_validate(ca, k, &used), want);
    }
}

static void test_skip_and_walk(void **state) {
    (void)state;
    uint8_t in[64];
    size_t n =
        test_unhex("01 02 02 02 09 00 01 01 11 01 02 02 09 01 AA 01 00 12 00 07", in, sizeof(in));
    size_t used;
    assert_int_equal(axdr_validate(in, n, &used), 0);
    assert_int_equal(used, n - 3); /* trailing long-unsigned is not part of it */

    axdr_dec_t d;
    axdr_value_t v;
    axdr_dec_init(&d, in, n);
    assert_int_equal(axdr_get_value(&d, &v), 0);
    assert_int_equal(v.tag, AXDR_ARRAY);
    assert_int_equal(v.count, 2);
    assert_int_equal(axdr_skip(&d), 0); /* the first structure */
    assert_int_equal(axdr_get_value(&d, &v), 0);
    assert_int_equal(v.tag, AXDR_STRUCTURE);
    assert_int_equal(axdr_get_value(&d, &v), 0);
    assert_int_equal(v.tag, AXDR_OCTET_STRING);
    assert_int_equal(v.p[0], 0xAA);
    assert_int_equal(axdr_skip(&d), 0); /* empty array */
    assert_int_equal(axdr_get_value(&d, &v), 0);
    assert_int_equal(v.u, 7);
}

/* ---- compact-array --------------------------------------------------------------------- */

static void test_compact_array_simple(void **state) {
    (void)state;
    uint8_t buf[64];
    axdr_enc_t e, m;

    /* measure the contents first, untagged */
    axdr_enc_init_measure(&m);
    axdr_enc_untagged(&m, true);
    for (uint8_t i = 1; i <= 3; i++) {
        axdr_put_uint8(&m, i);
    }
    assert_int_equal(m.len, 3);

    axdr_enc_init(&e, buf, sizeof(buf));
    axdr_put_compact_array_begin(&e);
    axdr_put_type_desc(&e, AXDR_UNSIGNED);
    axdr_put_compact_array_contents(&e, m.len);
    for (uint8_t i = 1; i <= 3; i++) {
        axdr_put_uint8(&e, i);
    }
    assert_int_equal(axdr_put_compact_array_end(&e), 0);
    axdr_put_uint8(&e, 9); /* tags are back after the end */
    expect_bytes(&e, "13 11 03 01 02 03 11 09");

    axdr_dec_t d, c;
    axdr_value_t v, x;
    axdr_dec_init(&d, buf, e.len);
    assert_int_equal(axdr_get_value(&d, &v), 0);
    assert_int_equal(v.tag, AXDR_COMPACT_ARRAY);
    assert_int_equal(v.count, 3);
    assert_int_equal(v.desc_len, 1);
    assert_int_equal(v.desc[0], AXDR_UNSIGNED);
    assert_int_equal(v.len, 3);
    axdr_dec_init(&c, v.p, v.len);
    for (uint64_t i = 1; i <= 3; i++) {
        assert_int_equal(axdr_get_untagged(&c, v.desc[0], &x), 0);
        assert_true(x.u == i);
    }
    assert_int_equal(axdr_get_untagged(&c, AXDR_ARRAY, &x), AXDR_ERR_TYPE);
    assert_int_equal(axdr_get_untagged(&c, 7, &x), AXDR_ERR_TAG);

    /* an empty compact-array has no elements */
    uint8_t in[8];
    v = decode_one("13 12 00", in, sizeof(in));
    assert_int_equal(v.count, 0);
}

/* Profile-like rows: structure{long-unsigned, octet-string, date-time}
 * and an array description of two unsigned. */
static void put_rows(axdr_enc_t *e) {
    static const uint8_t os[2] = {0xAB, 0xCD};
    cosem_datetime_t dt = {2024, 2, 29, 4, 23, 45, 0, 0, -60, 0};
    for (uint16_t r = 0; r < 3; r++) {
        axdr_put_structure(e, 3); /* writes nothing inside the contents */
        axdr_put_uint16(e, (uint16_t)(1000 + r));
        axdr_put_octet_string(e, os, r);
        axdr_put_date_time(e, &dt);
    }
}

static void test_compact_array_structure(void **state) {
    (void)state;
    uint8_t buf[128];
    axdr_enc_t e, m;

    axdr_enc_init_measure(&m);
    axdr_enc_untagged(&m, true);
    put_rows(&m);
    /* 3 rows of 2 + (1+r) + 12 bytes */
    assert_int_equal(m.len, 3 * 15 + 0 + 1 + 2);

    axdr_enc_init(&e, buf, sizeof(buf));
    axdr_put_compact_array_begin(&e);
    axdr_put_type_desc_structure(&e, 3);
    axdr_put_type_desc(&e, AXDR_LONG_UNSIGNED);
    axdr_put_type_desc(&e, AXDR_OCTET_STRING);
    axdr_put_type_desc(&e, AXDR_DATE_TIME);
    axdr_put_compact_array_contents(&e, m.len);
    put_rows(&e);
    assert_int_equal(axdr_put_compact_array_end(&e), 0);

    uint8_t want[128];
    size_t wn = test_unhex("13 02 03 12 09 19 30"
                           " 03 E8 00 07 E8 02 1D 04 17 2D 00 00 FF C4 00"
                           " 03 E9 01 AB 07 E8 02 1D 04 17 2D 00 00 FF C4 00"
                           " 03 EA 02 AB CD 07 E8 02 1D 04 17 2D 00 00 FF C4 00",
                           want, sizeof(want));
    assert_int_equal(e.len, wn);
    assert_memory_equal(buf, want, wn);

    /* measure of the whole thing equals the real length */
    axdr_enc_init_measure(&m);
    axdr_put_compact_array_begin(&m);
    axdr_put_type_desc_structure(&m, 3);
    axdr_put_type_desc(&m, AXDR_LONG_UNSIGNED);
    axdr_put_type_desc(&m, AXDR_OCTET_STRING);
    axdr_put_type_desc(&m, AXDR_DATE_TIME);
    axdr_put_compact_array_contents(&m, 48);
    put_rows(&m);
    assert_int_equal(axdr_put_compact_array_end(&m), 0);
    assert_int_equal(m.len, wn);

    axdr_dec_t d;
    axdr_value_t v;
    axdr_dec_init(&d, buf, e.len);
    assert_int_equal(axdr_get_value(&d, &v), 0);
    assert_int_equal(v.count, 3);
    assert_int_equal(v.desc_len, 5);

    /* walk row 2 by hand */
    axdr_dec_t c;
    axdr_value_t x;
    axdr_dec_init(&c, v.p, v.len);
    for (int r = 0; r < 3; r++) {
        assert_int_equal(axdr_get_untagged(&c, AXDR_LONG_UNSIGNED, &x), 0);
        assert_int_equal(x.u, 1000 + r);
        assert_int_equal(axdr_get_untagged(&c, AXDR_OCTET_STRING, &x), 0);
        assert_int_equal(x.len, r);
        assert_int_equal(axdr_get_untagged(&c, AXDR_DATE_TIME, &x), 0);
        assert_int_equal(x.dt.minute, 45);
    }

    /* re-encoding the decoded value gives the same bytes */
    uint8_t again[128];
    axdr_enc_init(&e, again, sizeof(again));
    assert_int_equal(axdr_put_value(&e, &v), 0);
    assert_int_equal(e.len, wn);
    assert_memory_equal(again, want, wn);

    /* array description: 2 unsigned per element */
    uint8_t in[16];
    v = decode_one("13 01 00 02 11 04 01 02 03 04", in, sizeof(in));
    assert_int_equal(v.count, 2);
    expect_refusal("13 01 00 02 11 03 01 02 03", AXDR_ERR_COMPACT);
    axdr_enc_init(&e, buf, sizeof(buf));
    axdr_put_compact_array_begin(&e);
    axdr_put_type_desc_array(&e, 2);
    axdr_put_type_desc(&e, AXDR_UNSIGNED);
    axdr_put_compact_array_contents(&e, 4);
    axdr_put_array(&e, 2);
    axdr_put_uint8(&e, 1);
    axdr_put_uint8(&e, 2);
    axdr_put_array(&e, 2);
    axdr_put_uint8(&e, 3);
    axdr_put_uint8(&e, 4);
    assert_int_equal(axdr_put_compact_array_end(&e), 0);
    expect_bytes(&e, "13 01 00 02 11 04 01 02 03 04");
}

static void test_compact_array_encoder_misuse(void **state) {
    (void)state;
    uint8_t buf[32];
    axdr_enc_t e;

    /* fewer content bytes than announced */
    axdr_enc_init(&e, buf, sizeof(buf));
    axdr_put_compact_array_begin(&e);
    axdr_put_type_desc(&e, AXDR_UNSIGNED);
    axdr_put_compact_array_contents(&e, 2);
    axdr_put_uint8(&e, 1);
    assert_int_equal(axdr_put_compact_array_end(&e), AXDR_ERR_COMPACT);

    /* descriptions that would give zero-size elements */
    axdr_enc_init(&e, buf, sizeof(buf));
    assert_int_equal(axdr_put_type_desc(&e, AXDR_NULL), AXDR_ERR_COMPACT);
    axdr_enc_init(&e, buf, sizeof(buf));
    assert_int_equal(axdr_put_type_desc(&e, AXDR_STRUCTURE), AXDR_ERR_COMPACT);
    axdr_enc_init(&e, buf, sizeof(buf));
    assert_int_equal(axdr_put_type_desc_array(&e, 0), AXDR_ERR_COMPACT);
    axdr_enc_init(&e, buf, sizeof(buf));
    assert_int_equal(axdr_put_type_desc_structure(&e, 0), AXDR_ERR_COMPACT);

    /* no compact-array inside the contents, no end without contents */
    axdr_enc_init(&e, buf, sizeof(buf));
    axdr_put_compact_array_begin(&e);
    axdr_put_type_desc(&e, AXDR_UNSIGNED);
    axdr_put_compact_array_contents(&e, 1);
    assert_int_equal(axdr_put_compact_array_begin(&e), AXDR_ERR_COMPACT);
    axdr_enc_init(&e, buf, sizeof(buf));
    assert_int_equal(axdr_put_compact_array_end(&e), AXDR_ERR_COMPACT);
}

/* ---- re-encoding decoded values --------------------------------------------------- */

static void test_put_value_round_trip(void **state) {
    (void)state;
    uint8_t in[256];
    size_t n = test_unhex("02 1A 00 03 01 04 0B AC E0 05 FF FF FF FE 06 12 34 56 78 09 02 01 02"
                          " 0A 01 41 0C 00 0D 12 0F 80 10 FE D4 11 C8 12 00 05"
                          " 14 80 00 00 00 00 00 00 00 15 FF FF FF FF FF FF FF FF 16 03"
                          " 17 3F C0 00 00 18 C0 04 00 00 00 00 00 00"
                          " 19 07 E6 0A 1F 01 0C 00 00 00 FF C4 00 1A 07 E8 02 1D 04 1B 17 3B 3B FF"
                          " 13 11 02 01 02 01 01 11 01 02 00 04 00 0D 99",
                          in, sizeof(in));
    uint8_t out[256];
    axdr_enc_t e;
    axdr_dec_t d;
    axdr_value_t v;
    axdr_enc_init(&e, out, sizeof(out));
    axdr_dec_init(&d, in, n);
    while (axdr_dec_remaining(&d) > 0) {
        assert_int_equal(axdr_get_value(&d, &v), 0);
        assert_int_equal(axdr_put_value(&e, &v), 0);
    }
    assert_int_equal(e.len, n);
    assert_memory_equal(out, in, n);

    /* non-canonical input comes out canonical: boolean 5 -> 1, junk bits
     * cleared */
    n = test_unhex("03 05 04 03 FF", in, sizeof(in));
    axdr_enc_init(&e, out, sizeof(out));
    axdr_dec_init(&d, in, n);
    while (axdr_dec_remaining(&d) > 0) {
        assert_int_equal(axdr_get_value(&d, &v), 0);
        assert_int_equal(axdr_put_value(&e, &v), 0);
    }
    expect_bytes(&e, "03 01 04 03 E0");

    v.tag = 7;
    axdr_enc_init(&e, out, sizeof(out));
    assert_int_equal(axdr_put_value(&e, &v), AXDR_ERR_TAG);
}

/* axdr_is_one_data: exactly one element; axdr_element: the bytes of
 * element i (from 1) of an array or structure. */
static void test_one_data_and_element(void **state) {
    (void)state;
    /* structure{unsigned 5, array{long 1, long 2}, boolean true} */
    static const uint8_t v[] = {0x02, 0x03, 0x11, 0x05, 0x01, 0x02, 0x10,
                                0x00, 0x01, 0x10, 0x00, 0x02, 0x03, 0x01};
    assert_true(axdr_is_one_data(v, sizeof(v)));
    assert_false(axdr_is_one_data(v, sizeof(v) - 1)); /* truncated */
    assert_false(axdr_is_one_data(v + 2, 4));         /* two elements */
    assert_false(axdr_is_one_data(v, 0));
    assert_false(axdr_is_one_data(NULL, 3));
    const uint8_t *el = NULL;
    assert_int_equal(axdr_element(v, sizeof(v), 1, &el), 2);
    assert_ptr_equal(el, v + 2);
    assert_int_equal(axdr_element(v, sizeof(v), 2, &el), 8);
    assert_ptr_equal(el, v + 4);
    assert_int_equal(axdr_element(v, sizeof(v), 3, &el), 2);
    assert_ptr_equal(el, v + 12);
    assert_int_equal(axdr_element(v, sizeof(v), 0, &el), 0);
    assert_int_equal(axdr_element(v, sizeof(v), 4, &el), 0);
    assert_int_equal(axdr_element(v + 2, 2, 1, &el), 0);         /* not a container */
    assert_int_equal(axdr_element(v, sizeof(v) - 1, 3, &el), 0); /* truncated element */
}

static void test_strerror(void **state) {
    (void)state;
    const int codes[] = {AXDR_ERR_OVERFLOW,    AXDR_ERR_TRUNCATED,       AXDR_ERR_LENGTH,
                         AXDR_ERR_TAG,         AXDR_ERR_DEPTH,           AXDR_ERR_TYPE,
                         AXDR_ERR_COUNT,       AXDR_ERR_COMPACT,         AXDR_ERR_ARG,
                         COSEM_DT_ERR_INVALID, COSEM_DT_ERR_UNSPECIFIED, COSEM_DT_ERR_PATTERN,
                         COSEM_DT_ERR_RANGE,   COSEM_DT_ERR_ARG};
    const char *unknown = axdr_strerror(-0x01FF);
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        assert_true(codes[i] <= -0x0100 && codes[i] >= -0x01FF);
        const char *s = axdr_strerror(codes[i]);
        assert_non_null(s);
        assert_string_not_equal(s, unknown);
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(s, axdr_strerror(codes[j]));
        }
    }
    assert_true(axdr_tag_is_known(AXDR_TIME));
    assert_false(axdr_tag_is_known(7));
    assert_false(axdr_tag_is_known(28));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_scalars_exact),
        cmocka_unit_test(test_encode_composites_exact),
        cmocka_unit_test(test_length_forms),
        cmocka_unit_test(test_decode_scalars),
        cmocka_unit_test(test_typed_getters),
        cmocka_unit_test(test_type_mismatch_keeps_cursor),
        cmocka_unit_test(test_date_time_as_octet_string),
        cmocka_unit_test(test_overflow_every_size),
        cmocka_unit_test(test_measure_mode),
        cmocka_unit_test(test_window_mode),
        cmocka_unit_test(test_encoder_arguments),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_untouched_input_slice),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_skip_and_walk),
        cmocka_unit_test(test_compact_array_simple),
        cmocka_unit_test(test_compact_array_structure),
        cmocka_unit_test(test_compact_array_encoder_misuse),
        cmocka_unit_test(test_put_value_round_trip),
        cmocka_unit_test(test_one_data_and_element),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
