/*
 * test_hdlc_frame.c - unit tests of the HDLC frame codec (IEC 62056-46): CRC-16/X.25, the
 * three byte-exact frames of dlms-facts.md §4.3, addresses of 1/2/4 bytes, parse errors,
 * SNRM/UA parameters and the byte-stream deframer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dlms/hdlc_frame.h"

/* dlms-facts.md §4.3 */
static const char *const SNRM_HEX = "7EA00802232193BD647E";
static const char *const UA_HEX =
    "7EA01F21022373E6C781801205019A06019A070400000001080400000001CCA27E";
static const char *const IFRAME_HEX = "7EA02C02232110AF9FE6E600601DA109060760857405080101BE10040E0"
                                      "1000000065F1F0400001E1DFFFFC5E47E";

static size_t unhex(const char *s, uint8_t *out) {
    size_t n = 0;

    while (s[0] != '\0' && s[1] != '\0') {
        char b[3] = {s[0], s[1], 0};
        out[n++] = (uint8_t)strtoul(b, NULL, 16);
        s += 2;
    }
    return n;
}

/* Deterministic pseudo-random numbers (xorshift32) so failures reproduce. */
static uint32_t rng_state = 0x12345678u;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* ---- CRC -------------------------------------------------------------- */

static void test_crc_check_value(void **state) {
    (void)state;
    /* CRC-16/X.25 catalogue check value. */
    assert_int_equal(hdlc_crc16_x25((const uint8_t *)"123456789", 9), 0x906E);
    assert_int_equal(hdlc_crc16_x25(NULL, 0), 0x0000);
}

static void test_crc_of_vectors(void **state) {
    uint8_t b[64];
    size_t n;

    (void)state;
    n = unhex(SNRM_HEX, b);
    assert_int_equal(hdlc_crc16_x25(b + 1, n - 4), 0x64BD); /* sent BD 64 */
    n = unhex(UA_HEX, b);
    assert_int_equal(hdlc_crc16_x25(b + 1, n - 4), 0xA2CC);
    assert_int_equal(hdlc_crc16_x25(b + 1, 6), 0xC7E6); /* HCS sent E6 C7 */
    n = unhex(IFRAME_HEX, b);
    assert_int_equal(hdlc_crc16_x25(b + 1, n - 4), 0xE4C5);
    assert_int_equal(hdlc_crc16_x25(b + 1, 6), 0x9FAF);
}

/* ---- the three reference frames ------------------------------------------------ */

static void check_snrm(const hdlc_frame_t *f) {
    assert_false(f->segmented);
    assert_int_equal(f->length, 8);
    assert_int_equal(f->dest.size, 2);
    assert_int_equal(f->dest.upper, 1);
    assert_int_equal(f->dest.lower, 17);
    assert_int_equal(f->src.size, 1);
    assert_int_equal(f->src.upper, 16);
    assert_int_equal(f->control, 0x93);
    assert_true(hdlc_ctrl_is_u(f->control));
    assert_int_equal(hdlc_ctrl_cmd(f->control), HDLC_CTRL_SNRM);
    assert_true(hdlc_ctrl_pf(f->control));
    assert_null(f->info);
    assert_int_equal(f->info_len, 0);
}

static void test_snrm_vector(void **state) {
    uint8_t b[16], out[32];
    size_t n = unhex(SNRM_HEX, b);
    hdlc_frame_t f;

    (void)state;
    assert_int_equal(hdlc_frame_parse(b, n, &f), 0);
    check_snrm(&f);
    /* Without the flags too. */
    assert_int_equal(hdlc_frame_parse(b + 1, n - 2, &f), 0);
    check_snrm(&f);
    assert_int_equal(hdlc_frame_build(&f, out, sizeof out), (int)n);
    assert_memory_equal(out, b, n);
}

static void test_ua_vector(void **state) {
    uint8_t b[64], out[64], params[HDLC_PARAMS_MAX_LEN];
    size_t n = unhex(UA_HEX, b);
    hdlc_frame_t f;
    hdlc_params_t p;

    (void)state;
    assert_int_equal(hdlc_frame_parse(b, n, &f), 0);
    assert_int_equal(f.length, 0x1F);
    assert_int_equal(f.dest.size, 1);
    assert_int_equal(f.dest.upper, 16);
    assert_int_equal(f.src.size, 2);
    assert_int_equal(f.src.upper, 1);
    assert_int_equal(f.src.lower, 17);
    assert_int_equal(f.control, 0x73);
    assert_int_equal(hdlc_ctrl_cmd(f.control), HDLC_CTRL_UA);
    assert_int_equal(f.info_len, 21);
    assert_memory_equal(f.info, b + 9, 21);
    assert_int_equal(hdlc_params_decode(f.info, f.info_len, &p), 0);
    assert_int_equal(p.max_info_tx, 154);
    assert_int_equal(p.max_info_rx, 154);
    assert_int_equal(p.window_tx, 1);
    assert_int_equal(p.window_rx, 1);
    /* The parameter field and the frame rebuild byte for byte. */
    assert_int_equal(hdlc_params_encode(&p, params, sizeof params), 21);
    assert_memory_equal(params, f.info, 21);
    assert_int_equal(hdlc_frame_build(&f, out, sizeof out), (int)n);
    assert_memory_equal(out, b, n);
}

static void test_iframe_vector(void **state) {
    static const uint8_t aarq_start[] = {0xE6, 0xE6, 0x00, 0x60, 0x1D, 0xA1, 0x09};
    uint8_t b[64], out[64];
    size_t n = unhex(IFRAME_HEX, b);
    hdlc_frame_t f;

    (void)state;
    assert_int_equal(hdlc_frame_parse(b, n, &f), 0);
    assert_int_equal(f.length, 0x2C);
    assert_int_equal(f.dest.upper, 1);
    assert_int_equal(f.dest.lower, 17);
    assert_int_equal(f.src.upper, 16);
    assert_int_equal(f.control, 0x10);
    assert_true(hdlc_ctrl_is_i(f.control));
    assert_int_equal(hdlc_ctrl_ns(f.control), 0);
    assert_int_equal(hdlc_ctrl_nr(f.control), 0);
    assert_true(hdlc_ctrl_pf(f.control));
    assert_int_equal(f.info_len, 0x2C - 10);
    assert_memory_equal(f.info, aarq_start, sizeof aarq_start);
    assert_int_equal(hdlc_frame_build(&f, out, sizeof out), (int)n);
    assert_memory_equal(out, b, n);
}

/* ---- control field helpers -------------------------------------------------------------- */

static void test_control_fields(void **state) {
    (void)state;
    assert_int_equal(hdlc_ctrl_u(HDLC_CTRL_SNRM, true), 0x93);
    assert_int_equal(hdlc_ctrl_u(HDLC_CTRL_UA, true), 0x73);
    assert_int_equal(hdlc_ctrl_u(HDLC_CTRL_DISC, true), 0x53);
    assert_int_equal(hdlc_ctrl_u(HDLC_CTRL_DM, true), 0x1F);
    assert_int_equal(hdlc_ctrl_u(HDLC_CTRL_FRMR, true), 0x97);
    assert_int_equal(hdlc_ctrl_u(HDLC_CTRL_UI, true), 0x13);
    assert_int_equal(hdlc_ctrl_u(HDLC_CTRL_UI, false), 0x03);
    assert_int_equal(hdlc_ctrl_s(HDLC_CTRL_RR, 5, true), 0x01 | (5 << 5) | 0x10);
    assert_int_equal(hdlc_ctrl_s(HDLC_CTRL_RNR, 3, false), 0x05 | (3 << 5));
    assert_int_equal(hdlc_ctrl_i(2, 7, true), (7 << 5) | 0x10 | (2 << 1));
    assert_int_equal(hdlc_ctrl_ns(hdlc_ctrl_i(6, 1, false)), 6);
    assert_int_equal(hdlc_ctrl_nr(hdlc_ctrl_i(6, 1, false)), 1);
    assert_true(hdlc_ctrl_is_s(0xB1));
    assert_false(hdlc_ctrl_is_i(0xB1));
    assert_true(hdlc_ctrl_is_i(0x32));
}

/* ---- addresses --------------------------------------------------------------------------- */

static void test_addr_encode_decode(void **state) {
    static const struct {
        hdlc_addr_t a;
        uint8_t bytes[4];
    } cases[] = {
        {{16, 0, 1}, {0x21}},
        {{1, 0, 1}, {0x03}},
        {{0x7F, 0, 1}, {0xFF}},
        {{1, 17, 2}, {0x02, 0x23}},
        {{0x7F, 0x7F, 2}, {0xFE, 0xFF}},
        {{1, 17, 4}, {0x00, 0x02, 0x00, 0x23}},
        {{0x3FFF, 0x3FFF, 4}, {0xFE, 0xFE, 0xFE, 0xFF}},
        {{0x1234, 0x0ABC, 4}, {0x48, 0x68, 0x2A, 0x79}},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t out[4];
        hdlc_addr_t a;

        assert_int_equal(hdlc_addr_encode(&cases[i].a, out, sizeof out), cases[i].a.size);
        assert_memory_equal(out, cases[i].bytes, cases[i].a.size);
        assert_int_equal(hdlc_addr_decode(cases[i].bytes, 4, &a), cases[i].a.size);
        assert_int_equal(a.size, cases[i].a.size);
        assert_int_equal(a.upper, cases[i].a.upper);
        assert_int_equal(a.lower, cases[i].a.lower);
    }
}

static void test_addr_errors(void **state) {
    static const uint8_t three[] = {0x02, 0x04, 0x05, 0x00};
    static const uint8_t none[] = {0x02, 0x04, 0x06, 0x08, 0x0B};
    static const uint8_t short2[] = {0x02};
    hdlc_addr_t a = {0, 0, 0};
    uint8_t out[4];

    (void)state;
    assert_int_equal(hdlc_addr_decode(three, sizeof three, &a), HDLC_ERR_ADDRESS);
    assert_int_equal(hdlc_addr_decode(none, sizeof none, &a), HDLC_ERR_ADDRESS);
    assert_int_equal(hdlc_addr_decode(short2, sizeof short2, &a), HDLC_ERR_ADDRESS);
    assert_int_equal(hdlc_addr_decode(short2, 0, &a), HDLC_ERR_ADDRESS);
    a = (hdlc_addr_t){0x80, 0, 1};
    assert_int_equal(hdlc_addr_encode(&a, out, sizeof out), HDLC_ERR_ADDRESS);
    a = (hdlc_addr_t){1, 1, 1}; /* 1 byte has no lower part */
    assert_int_equal(hdlc_addr_encode(&a, out, sizeof out), HDLC_ERR_ADDRESS);
    a = (hdlc_addr_t){1, 0x80, 2};
    assert_int_equal(hdlc_addr_encode(&a, out, sizeof out), HDLC_ERR_ADDRESS);
    a = (hdlc_addr_t){0x4000, 1, 4};
    assert_int_equal(hdlc_addr_encode(&a, out, sizeof out), HDLC_ERR_ADDRESS);
    a = (hdlc_addr_t){1, 1, 3};
    assert_int_equal(hdlc_addr_encode(&a, out, sizeof out), HDLC_ERR_ADDRESS);
    a = (hdlc_addr_t){1, 1, 4};
    assert_int_equal(hdlc_addr_encode(&a, out, 3), HDLC_ERR_BUFFER);
}

static void test_addr_all_station(void **state) {
    (void)state;
    assert_true(hdlc_addr_part_is_all_station(0x7F, 1));
    assert_false(hdlc_addr_part_is_all_station(0x7E, 1));
    assert_true(hdlc_addr_part_is_all_station(0x3FFF, 2));
    assert_false(hdlc_addr_part_is_all_station(0x7F, 2));
}

/* ---- frames of every address size --------------------------------------------------------- */

static const hdlc_addr_t sample_addrs[] = {
    {0x21, 0, 1}, {0x7F, 0, 1}, {1, 17, 2}, {0x7F, 0x7F, 2}, {0x1234, 0x3FFF, 4}, {1, 0x2A5, 4},
};

static void roundtrip(const hdlc_frame_t *in) {
    uint8_t buf[HDLC_FRAME_BUF_LEN + 64];
    hdlc_frame_t out;
    int n = hdlc_frame_build(in, buf, sizeof buf);

    assert_true(n > 0);
    assert_int_equal(buf[0], HDLC_FLAG);
    assert_int_equal(buf[n - 1], HDLC_FLAG);
    assert_int_equal(hdlc_frame_parse(buf, (size_t)n, &out), 0);
    assert_int_equal(out.length, n - 2);
    assert_int_equal(out.segmented, in->segmented);
    assert_memory_equal(&out.dest, &in->dest, sizeof out.dest);
    assert_memory_equal(&out.src, &in->src, sizeof out.src);
    assert_int_equal(out.control, in->control);
    assert_int_equal(out.info_len, in->info_len);
    if (in->info_len > 0) {
        assert_memory_equal(out.info, in->info, in->info_len);
    } else {
        assert_null(out.info);
    }
}

static void test_frame_all_address_sizes(void **state) {
    static const size_t info_lens[] = {0, 1, 2, 3, 100, EM_HDLC_MAX_INFO_LEN};
    uint8_t info[EM_HDLC_MAX_INFO_LEN];
    size_t d, s, i;

    (void)state;
    for (i = 0; i < sizeof info; i++) {
        info[i] = (uint8_t)(i * 7 + 0x7E); /* flags inside the info field are fine */
    }
    for (d = 0; d < 6; d++) {
        for (s = 0; s < 6; s++) {
            for (i = 0; i < sizeof info_lens / sizeof info_lens[0]; i++) {
                hdlc_frame_t f;

                memset(&f, 0, sizeof f);
                f.dest = sample_addrs[d];
                f.src = sample_addrs[s];
                f.control = hdlc_ctrl_i((uint8_t)d, (uint8_t)s, (i & 1) != 0);
                f.segmented = (i & 2) != 0;
                f.info = info_lens[i] > 0 ? info : NULL;
                f.info_len = info_lens[i];
                roundtrip(&f);
            }
        }
    }
}

static void test_segmented_format(void **state) {
    uint8_t buf[64];
    hdlc_frame_t f, g;
    static const uint8_t info[] = {1, 2, 3};

    (void)state;
    memset(&f, 0, sizeof f);
    f.dest = (hdlc_addr_t){16, 0, 1};
    f.src = (hdlc_addr_t){1, 17, 2};
    f.control = hdlc_ctrl_i(0, 1, false);
    f.segmented = true;
    f.info = info;
    f.info_len = sizeof info;
    assert_int_equal(hdlc_frame_build(&f, buf, sizeof buf), 15);
    assert_int_equal(buf[1], 0xA8); /* type 3, S bit, length high bits 0 */
    assert_int_equal(buf[2], 13);
    assert_int_equal(hdlc_frame_parse(buf, 15, &g), 0);
    assert_true(g.segmented);
}

/* Largest frame: 11-bit length; a 2047-byte frame builds and parses, one more does not. */
static void test_frame_length_limit(void **state) {
    static uint8_t info[2100];
    static uint8_t buf[2200];
    hdlc_frame_t f, g;

    (void)state;
    memset(&f, 0, sizeof f);
    f.dest = (hdlc_addr_t){1, 17, 2};
    f.src = (hdlc_addr_t){16, 0, 1};
    f.control = 0x10;
    f.info = info;
    f.info_len = HDLC_MAX_FRAME_LEN - 10; /* 2 + 2 + 1 + 1 + 2 + info + 2 */
    assert_int_equal(hdlc_frame_build(&f, buf, sizeof buf), HDLC_MAX_FRAME_LEN + 2);
    assert_int_equal(buf[1], 0xA7);
    assert_int_equal(buf[2], 0xFF);
    assert_int_equal(hdlc_frame_parse(buf, HDLC_MAX_FRAME_LEN + 2, &g), 0);
    f.info_len++;
    assert_int_equal(hdlc_frame_build(&f, buf, sizeof buf), HDLC_ERR_TOO_LONG);
    memset(buf, 0xA0, sizeof buf);
    assert_int_equal(hdlc_frame_parse(buf, HDLC_MAX_FRAME_LEN + 1, &g), HDLC_ERR_TOO_LONG);
}

static void test_build_errors(void **state) {
    uint8_t buf[64];
    hdlc_frame_t f;
    static const uint8_t info[4] = {0};

    (void)state;
    memset(&f, 0, sizeof f);
    f.dest = (hdlc_addr_t){1, 17, 2};
    f.src = (hdlc_addr_t){16, 0, 1};
    f.control = 0x93;
    assert_int_equal(hdlc_frame_build(&f, buf, 9), HDLC_ERR_BUFFER);
    assert_int_equal(hdlc_frame_build(&f, buf, 10), 10);
    f.info_len = 4;
    assert_int_equal(hdlc_frame_build(&f, buf, sizeof buf), HDLC_ERR_BADARG);
    f.info = info;
    assert_int_equal(hdlc_frame_build(&f, buf, 15), HDLC_ERR_BUFFER);
    f.dest.size = 3;
    assert_int_equal(hdlc_frame_build(&f, buf, sizeof buf), HDLC_ERR_ADDRESS);
    assert_int_equal(hdlc_frame_build(NULL, buf, sizeof buf), HDLC_ERR_BADARG);
}

/* Rewrites the FCS of a frame held with flags so that only the intended defect remains. */
static void fix_fcs(uint8_t *b, size_t n) {
    uint16_t c = hdlc_crc16_x25(b + 1, n - 4);
    b[n - 3] = (uint8_t)(c & 0xFF);
    b[n - 2] = (uint8_t)(c >> 8);
}

static void test_parse_errors(void **state) {
    uint8_t b[64];
    size_t n;
    hdlc_frame_t f;

    (void)state;
    /* bad FCS */
    n = unhex(SNRM_HEX, b);
    b[7] ^= 0x01;
    assert_int_equal(hdlc_frame_parse(b, n, &f), HDLC_ERR_FCS);
    assert_int_equal(f.control, 0); /* output zeroed */
    /* bad HCS */
    n = unhex(IFRAME_HEX, b);
    b[7] ^= 0xFF;
    fix_fcs(b, n);
    assert_int_equal(hdlc_frame_parse(b, n, &f), HDLC_ERR_HCS);
    /* format type not 0xA */
    n = unhex(SNRM_HEX, b);
    b[1] = 0x90;
    fix_fcs(b, n);
    assert_int_equal(hdlc_frame_parse(b, n, &f), HDLC_ERR_FORMAT);
    /* length field too big and too small */
    n = unhex(SNRM_HEX, b);
    b[2] = 9;
    fix_fcs(b, n);
    assert_int_equal(hdlc_frame_parse(b, n, &f), HDLC_ERR_LENGTH);
    b[2] = 7;
    assert_int_equal(hdlc_frame_parse(b, n, &f), HDLC_ERR_LENGTH);
    /* closing flag missing, opening flag only */
    n = unhex(SNRM_HEX, b);
    assert_int_equal(hdlc_frame_parse(b, n - 1, &f), HDLC_ERR_FORMAT);
    assert_int_equal(hdlc_frame_parse(b, 1, &f), HDLC_ERR_FORMAT);
    /* below the minimum length */
    assert_int_equal(hdlc_frame_parse(b + 1, 5, &f), HDLC_ERR_LENGTH);
    assert_int_equal(hdlc_frame_parse(b, 0, &f), HDLC_ERR_FORMAT);
    assert_int_equal(hdlc_frame_parse(NULL, 3, &f), HDLC_ERR_BADARG);
    assert_int_equal(hdlc_frame_parse(b, n, NULL), HDLC_ERR_BADARG);
}

/* Builds by hand "A0 len | addr bytes | ctrl | [extra] | FCS" between flags. */
static size_t hand_frame(uint8_t *b, const uint8_t *body, size_t body_len) {
    size_t len = body_len + 4; /* format + FCS */
    uint16_t c;

    b[0] = HDLC_FLAG;
    b[1] = (uint8_t)(0xA0 | (len >> 8));
    b[2] = (uint8_t)len;
    memcpy(b + 3, body, body_len);
    c = hdlc_crc16_x25(b + 1, len - 2);
    b[len - 1] = (uint8_t)(c & 0xFF);
    b[len] = (uint8_t)(c >> 8);
    b[len + 1] = HDLC_FLAG;
    return len + 2;
}

static void test_parse_bad_addresses_and_tails(void **state) {
    static const uint8_t three_byte[] = {0x02, 0x04, 0x23, 0x21, 0x93};
    static const uint8_t five_byte[] = {0x02, 0x04, 0x06, 0x08, 0x23, 0x21, 0x93};
    static const uint8_t src_unterminated[] = {0x03, 0x02, 0x04, 0x06};
    static const uint8_t three_after_ctrl[] = {0x03, 0x21, 0x10, 0xAA};
    static const uint8_t four_after_ctrl[] = {0x03, 0x21, 0x10, 0xAA, 0xBB};
    static const uint8_t no_ctrl[] = {0x02, 0x04, 0x06, 0x23};
    uint8_t b[32];
    hdlc_frame_t f;

    (void)state;
    assert_int_equal(hdlc_frame_parse(b, hand_frame(b, three_byte, sizeof three_byte), &f),
                     HDLC_ERR_ADDRESS);
    assert_int_equal(hdlc_frame_parse(b, hand_frame(b, five_byte, sizeof five_byte), &f),
                     HDLC_ERR_ADDRESS);
    assert_int_equal(
        hdlc_frame_parse(b, hand_frame(b, src_unterminated, sizeof src_unterminated), &f),
        HDLC_ERR_ADDRESS);
    /* 1 or 2 bytes after the control field cannot be HCS + info */
    assert_int_equal(
        hdlc_frame_parse(b, hand_frame(b, three_after_ctrl, sizeof three_after_ctrl), &f),
        HDLC_ERR_LENGTH);
    assert_int_equal(
        hdlc_frame_parse(b, hand_frame(b, four_after_ctrl, sizeof four_after_ctrl), &f),
        HDLC_ERR_LENGTH);
    /* 4-byte destination then 1-byte source leaves no control byte */
    assert_int_equal(hdlc_frame_parse(b, hand_frame(b, no_ctrl, sizeof no_ctrl), &f),
                     HDLC_ERR_ADDRESS);
}

/* ---- SNRM/UA parameters ---------------------------------------------------------------------- */

static void test_params_default_and_empty(void **state) {
    hdlc_params_t p;

    (void)state;
    p.max_info_tx = 9;
    assert_int_equal(hdlc_params_decode(NULL, 0, &p), 0);
    assert_int_equal(p.max_info_tx, 128);
    assert_int_equal(p.max_info_rx, 128);
    assert_int_equal(p.window_tx, 1);
    assert_int_equal(p.window_rx, 1);
}

static void test_params_value_sizes(void **state) {
    /* 1-, 2- and 4-byte values in any order; absent window_rx keeps its default. */
    static const uint8_t in[] = {0x81, 0x80, 0x0D, 0x06, 0x02, 0x01, 0xF4, 0x05,
                                 0x04, 0x00, 0x00, 0x07, 0xD0, 0x07, 0x01, 0x03};
    /* unknown parameter 0x0A skipped */
    static const uint8_t unknown[] = {0x81, 0x80, 0x08, 0x0A, 0x03, 1, 2, 3, 0x05, 0x01, 0x40};
    hdlc_params_t p;

    (void)state;
    assert_int_equal(hdlc_params_decode(in, sizeof in, &p), 0);
    assert_int_equal(p.max_info_tx, 2000);
    assert_int_equal(p.max_info_rx, 500);
    assert_int_equal(p.window_tx, 3);
    assert_int_equal(p.window_rx, 1);
    assert_int_equal(hdlc_params_decode(unknown, sizeof unknown, &p), 0);
    assert_int_equal(p.max_info_tx, 64);
    assert_int_equal(p.max_info_rx, 128);
}

static void test_params_encode(void **state) {
    static const uint8_t expect[] = {0x81, 0x80, 0x13, 0x05, 0x02, 0x02, 0x00, 0x06,
                                     0x01, 0x80, 0x07, 0x04, 0x00, 0x00, 0x00, 0x07,
                                     0x08, 0x04, 0x00, 0x00, 0x00, 0x03};
    hdlc_params_t p = {512, 128, 7, 3}, q;
    uint8_t out[HDLC_PARAMS_MAX_LEN];

    (void)state;
    assert_int_equal(hdlc_params_encode(&p, out, sizeof out), (int)sizeof expect);
    assert_memory_equal(out, expect, sizeof expect);
    assert_int_equal(hdlc_params_decode(out, sizeof expect, &q), 0);
    assert_memory_equal(&p, &q, sizeof p);
    assert_int_equal(hdlc_params_encode(&p, out, sizeof expect - 1), HDLC_ERR_BUFFER);
    p.max_info_tx = 0x12345;
    assert_int_equal(hdlc_params_encode(&p, out, sizeof out), (int)sizeof expect + 2);
    assert_int_equal(hdlc_params_decode(out, sizeof expect + 2, &q), 0);
    assert_int_equal(q.max_info_tx, 0x12345);
}

static void test_params_errors(void **state) {
    static const uint8_t bad_format[] = {0x82, 0x80, 0x03, 0x05, 0x01, 0x80};
    static const uint8_t bad_group[] = {0x81, 0x81, 0x03, 0x05, 0x01, 0x80};
    static const uint8_t bad_group_len[] = {0x81, 0x80, 0x04, 0x05, 0x01, 0x80};
    static const uint8_t three_byte_value[] = {0x81, 0x80, 0x05, 0x05, 0x03, 0x00, 0x00, 0x80};
    static const uint8_t zero_len_value[] = {0x81, 0x80, 0x02, 0x05, 0x00};
    static const uint8_t truncated_value[] = {0x81, 0x80, 0x03, 0x05, 0x02, 0x00};
    static const uint8_t dangling_id[] = {0x81, 0x80, 0x04, 0x05, 0x01, 0x80, 0x06};
    static const uint8_t too_short[] = {0x81, 0x80};
    hdlc_params_t p;

    (void)state;
    assert_int_equal(hdlc_params_decode(bad_format, sizeof bad_format, &p), HDLC_ERR_PARAM);
    assert_int_equal(hdlc_params_decode(bad_group, sizeof bad_group, &p), HDLC_ERR_PARAM);
    assert_int_equal(hdlc_params_decode(bad_group_len, sizeof bad_group_len, &p), HDLC_ERR_PARAM);
    assert_int_equal(hdlc_params_decode(three_byte_value, sizeof three_byte_value, &p),
                     HDLC_ERR_PARAM);
    assert_int_equal(hdlc_params_decode(zero_len_value, sizeof zero_len_value, &p), HDLC_ERR_PARAM);
    assert_int_equal(hdlc_params_decode(truncated_value, sizeof truncated_value, &p),
                     HDLC_ERR_PARAM);
    assert_int_equal(hdlc_params_decode(dangling_id, sizeof dangling_id, &p), HDLC_ERR_PARAM);
    assert_int_equal(hdlc_params_decode(too_short, sizeof too_short, &p), HDLC_ERR_PARAM);
    /* Output left at the defaults. */
    assert_int_equal(p.max_info_tx, 128);
    assert_int_equal(p.window_rx, 1);
}

static void test_params_negotiate(void **state) {
    hdlc_params_t own = {512, 256, 7, 3}, peer, out;

    (void)state;
    /* defaults (SNRM without information field) */
    hdlc_params_default(&peer);
    assert_int_equal(hdlc_params_negotiate(&own, &peer, &out), 0);
    assert_int_equal(out.max_info_tx, 128);
    assert_int_equal(out.max_info_rx, 128);
    assert_int_equal(out.window_tx, 1);
    assert_int_equal(out.window_rx, 1);
    /* larger than own: own limits win */
    peer = (hdlc_params_t){2030, 2030, 7, 7};
    assert_int_equal(hdlc_params_negotiate(&own, &peer, &out), 0);
    assert_int_equal(out.max_info_tx, 512);
    assert_int_equal(out.max_info_rx, 256);
    assert_int_equal(out.window_tx, 7);
    assert_int_equal(out.window_rx, 3);
    /* smaller, and crossed: my tx is bounded by the peer's rx */
    peer = (hdlc_params_t){64, 32, 2, 5};
    assert_int_equal(hdlc_params_negotiate(&own, &peer, &out), 0);
    assert_int_equal(out.max_info_tx, 32);
    assert_int_equal(out.max_info_rx, 64);
    assert_int_equal(out.window_tx, 5);
    assert_int_equal(out.window_rx, 2);
    /* unusable peer values */
    peer = (hdlc_params_t){31, 128, 1, 1};
    assert_int_equal(hdlc_params_negotiate(&own, &peer, &out), HDLC_ERR_PARAM);
    peer = (hdlc_params_t){128, 128, 0, 1};
    assert_int_equal(hdlc_params_negotiate(&own, &peer, &out), HDLC_ERR_PARAM);
    peer = (hdlc_params_t){128, 128, 1, 0};
    assert_int_equal(hdlc_params_negotiate(&own, &peer, &out), HDLC_ERR_PARAM);
}

/* ---- deframer
 * ------------------------------------------------------------------------------------ */

#define MAX_CAPTURED 64

typedef struct capture {
    size_t count;
    size_t len[MAX_CAPTURED];
    uint8_t data[MAX_CAPTURED][HDLC_FRAME_BUF_LEN];
} capture_t;

static void capture_frame(void *user, const uint8_t *frame, size_t len) {
    capture_t *c = user;

    assert_true(c->count < MAX_CAPTURED);
    assert_true(len <= HDLC_FRAME_BUF_LEN);
    memcpy(c->data[c->count], frame, len);
    c->len[c->count++] = len;
}

/* Checks that captured frame i is the frame given with flags. */
static void assert_captured(const capture_t *c, size_t i, const uint8_t *frame, size_t n) {
    assert_true(i < c->count);
    assert_int_equal(c->len[i], n - 2);
    assert_memory_equal(c->data[i], frame + 1, n - 2);
}

static capture_t cap;

static void test_deframer_whole_and_bytewise(void **state) {
    hdlc_deframer_t d;
    uint8_t b[64];
    size_t n = unhex(IFRAME_HEX, b), i;

    (void)state;
    memset(&cap, 0, sizeof cap);
    hdlc_deframer_init(&d, 25, capture_frame, &cap);
    hdlc_deframer_feed(&d, b, n, 0);
    assert_int_equal(cap.count, 1);
    assert_captured(&cap, 0, b, n);
    for (i = 0; i < n; i++) {
        hdlc_deframer_feed(&d, b + i, 1, 1);
    }
    assert_int_equal(cap.count, 2);
    assert_captured(&cap, 1, b, n);
    assert_int_equal(d.stats.frames, 2);
    assert_int_equal(d.stats.garbage_bytes, 0);
}

static void test_deframer_shared_and_idle_flags(void **state) {
    hdlc_deframer_t d;
    uint8_t s[16], u[64], stream[256];
    size_t ns = unhex(SNRM_HEX, s), nu = unhex(UA_HEX, u), n = 0;

    (void)state;
    memset(&cap, 0, sizeof cap);
    hdlc_deframer_init(&d, 25, capture_frame, &cap);
    /* idle flags, SNRM, UA sharing the SNRM's closing flag, idle flags, SNRM */
    memset(stream, HDLC_FLAG, 3);
    n = 3;
    memcpy(stream + n, s, ns);
    n += ns;
    memcpy(stream + n, u + 1, nu - 1);
    n += nu - 1;
    stream[n++] = HDLC_FLAG;
    stream[n++] = HDLC_FLAG;
    memcpy(stream + n, s, ns);
    n += ns;
    hdlc_deframer_feed(&d, stream, n, 0);
    assert_int_equal(cap.count, 3);
    assert_captured(&cap, 0, s, ns);
    assert_captured(&cap, 1, u, nu);
    assert_captured(&cap, 2, s, ns);
    assert_int_equal(d.stats.garbage_bytes, 0);
}

static void test_deframer_garbage(void **state) {
    static const uint8_t junk1[] = {0x00, 0x55, 0xFF, 0xA0, 0x13};
    /* a flag followed by a plausible header that announces 80 bytes: the real frames inside
     * must still come out */
    static const uint8_t false_start[] = {0x7E, 0xA0, 0x50, 0x01};
    static const uint8_t flag_then_junk[] = {0x7E, 0x12, 0x34};
    hdlc_deframer_t d;
    uint8_t s[16], i[64], stream[512];
    size_t ns = unhex(SNRM_HEX, s), ni = unhex(IFRAME_HEX, i), n = 0;

    (void)state;
    memset(&cap, 0, sizeof cap);
    hdlc_deframer_init(&d, 0, capture_frame, &cap);
    memcpy(stream + n, junk1, sizeof junk1);
    n += sizeof junk1;
    memcpy(stream + n, s, ns);
    n += ns;
    memcpy(stream + n, flag_then_junk, sizeof flag_then_junk);
    n += sizeof flag_then_junk;
    memcpy(stream + n, false_start, sizeof false_start);
    n += sizeof false_start;
    memcpy(stream + n, i, ni);
    n += ni;
    memcpy(stream + n, s, ns);
    n += ns;
    memcpy(stream + n, junk1, sizeof junk1);
    n += sizeof junk1;
    memcpy(stream + n, i, ni);
    n += ni;
    memset(stream + n, 0x11, 80); /* fill the false start's announced length */
    n += 80;
    hdlc_deframer_feed(&d, stream, n, 0);
    assert_int_equal(cap.count, 4);
    assert_captured(&cap, 0, s, ns);
    assert_captured(&cap, 1, i, ni);
    assert_captured(&cap, 2, s, ns);
    assert_captured(&cap, 3, i, ni);
    assert_true(d.stats.garbage_bytes >= 2 * sizeof junk1);
    assert_true(d.stats.bad_start >= 1);
    assert_true(d.stats.no_closing_flag >= 1);
}

static void test_deframer_lost_byte(void **state) {
    hdlc_deframer_t d;
    uint8_t i[64], s[16], stream[128];
    size_t ni = unhex(IFRAME_HEX, i), ns = unhex(SNRM_HEX, s), n;
    hdlc_frame_t f;

    (void)state;
    /* One byte lost: the next frame's opening flag sits where the closing flag should be, so
     * the damaged frame goes to the parser (which refuses its FCS) and the next one follows. */
    memset(&cap, 0, sizeof cap);
    hdlc_deframer_init(&d, 0, capture_frame, &cap);
    memcpy(stream, i, 20);
    memcpy(stream + 20, i + 21, ni - 21);
    n = ni - 1;
    memcpy(stream + n, s, ns);
    n += ns;
    hdlc_deframer_feed(&d, stream, n, 0);
    assert_int_equal(cap.count, 2);
    assert_int_equal(hdlc_frame_parse(cap.data[0], cap.len[0], &f), HDLC_ERR_FCS);
    assert_captured(&cap, 1, s, ns);
    /* Two bytes lost: no flag at the announced end; resynchronise on the SNRM's flag. */
    memset(&cap, 0, sizeof cap);
    hdlc_deframer_init(&d, 0, capture_frame, &cap);
    memcpy(stream, i, 20);
    memcpy(stream + 20, i + 22, ni - 22);
    n = ni - 2;
    memcpy(stream + n, s, ns);
    n += ns;
    hdlc_deframer_feed(&d, stream, n, 0);
    assert_int_equal(cap.count, 1);
    assert_captured(&cap, 0, s, ns);
    assert_int_equal(d.stats.no_closing_flag, 1);
}

static void test_deframer_too_long(void **state) {
    hdlc_deframer_t d;
    uint8_t s[16], stream[16];
    size_t ns = unhex(SNRM_HEX, s);

    (void)state;
    memset(&cap, 0, sizeof cap);
    hdlc_deframer_init(&d, 0, capture_frame, &cap);
    stream[0] = HDLC_FLAG;
    stream[1] = 0xA7; /* 2047 bytes: more than this build buffers */
    stream[2] = 0xFF;
    stream[3] = 0x00;
    hdlc_deframer_feed(&d, stream, 4, 0);
    hdlc_deframer_feed(&d, s, ns, 0);
    assert_int_equal(cap.count, 1);
    assert_captured(&cap, 0, s, ns);
    assert_int_equal(d.stats.too_long, 1);
}

static void test_deframer_inter_octet_timeout(void **state) {
    hdlc_deframer_t d;
    uint8_t i[64];
    size_t ni = unhex(IFRAME_HEX, i);

    (void)state;
    memset(&cap, 0, sizeof cap);
    hdlc_deframer_init(&d, 25, capture_frame, &cap);
    /* half a frame, then silence longer than the inter-octet timeout: the rest is stale */
    hdlc_deframer_feed(&d, i, 20, 1000);
    hdlc_deframer_feed(&d, i + 20, ni - 20, 1026);
    assert_int_equal(cap.count, 0);
    assert_int_equal(d.stats.timeouts, 1);
    /* gaps up to the timeout are fine */
    hdlc_deframer_feed(&d, i, 20, 2000);
    hdlc_deframer_feed(&d, i + 20, ni - 20, 2025);
    assert_int_equal(cap.count, 1);
    assert_captured(&cap, 0, i, ni);
    /* a whole frame after a long pause */
    hdlc_deframer_feed(&d, i, ni, 90000);
    assert_int_equal(cap.count, 2);
    /* reset drops a partial frame */
    hdlc_deframer_feed(&d, i, 10, 90001);
    hdlc_deframer_reset(&d);
    hdlc_deframer_feed(&d, i + 10, ni - 10, 90002);
    assert_int_equal(cap.count, 2);
}

/* Many frames with garbage (without flags) between them, fed in random chunk sizes. */
static void test_deframer_random_chunks(void **state) {
    static uint8_t stream[16384];
    static uint8_t frames[40][HDLC_FRAME_BUF_LEN];
    static size_t flen[40];
    static capture_t big;
    hdlc_deframer_t d;
    size_t n = 0, k, pos, round;

    (void)state;
    for (round = 0; round < 20; round++) {
        n = 0;
        for (k = 0; k < 40; k++) {
            hdlc_frame_t f;
            uint8_t info[300];
            size_t j, il = rnd() % 300;

            for (j = 0; j < il; j++) {
                info[j] = (uint8_t)rnd();
            }
            memset(&f, 0, sizeof f);
            f.dest = sample_addrs[rnd() % 6];
            f.src = sample_addrs[rnd() % 6];
            f.control = (uint8_t)rnd();
            f.info = info;
            f.info_len = il;
            flen[k] = (size_t)hdlc_frame_build(&f, frames[k], sizeof frames[k]);
            /* shared flag with the previous frame half of the time */
            if (k > 0 && stream[n - 1] == HDLC_FLAG && (rnd() & 1)) {
                memcpy(stream + n, frames[k] + 1, flen[k] - 1);
                n += flen[k] - 1;
            } else {
                memcpy(stream + n, frames[k], flen[k]);
                n += flen[k];
            }
            if (rnd() % 3 == 0) {
                size_t g = rnd() % 20;
                for (j = 0; j < g; j++) {
                    uint8_t x = (uint8_t)rnd();
                    stream[n++] = x == HDLC_FLAG ? 0x00 : x;
                }
            }
        }
        memset(&big, 0, sizeof big);
        hdlc_deframer_init(&d, 25, capture_frame, &big);
        for (pos = 0; pos < n;) {
            size_t c = round == 0 ? 1 : 1 + rnd() % 97;
            if (c > n - pos) {
                c = n - pos;
            }
            hdlc_deframer_feed(&d, stream + pos, c, round * 1000 + pos / 64);
            pos += c;
        }
        assert_int_equal(big.count, 40);
        for (k = 0; k < 40; k++) {
            hdlc_frame_t g;
            assert_captured(&big, k, frames[k], flen[k]);
            assert_int_equal(hdlc_frame_parse(big.data[k], big.len[k], &g), 0);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc_check_value),
        cmocka_unit_test(test_crc_of_vectors),
        cmocka_unit_test(test_snrm_vector),
        cmocka_unit_test(test_ua_vector),
        cmocka_unit_test(test_iframe_vector),
        cmocka_unit_test(test_control_fields),
        cmocka_unit_test(test_addr_encode_decode),
        cmocka_unit_test(test_addr_errors),
        cmocka_unit_test(test_addr_all_station),
        cmocka_unit_test(test_frame_all_address_sizes),
        cmocka_unit_test(test_segmented_format),
        cmocka_unit_test(test_frame_length_limit),
        cmocka_unit_test(test_build_errors),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_bad_addresses_and_tails),
        cmocka_unit_test(test_params_default_and_empty),
        cmocka_unit_test(test_params_value_sizes),
        cmocka_unit_test(test_params_encode),
        cmocka_unit_test(test_params_errors),
        cmocka_unit_test(test_params_negotiate),
        cmocka_unit_test(test_deframer_whole_and_bytewise),
        cmocka_unit_test(test_deframer_shared_and_idle_flags),
        cmocka_unit_test(test_deframer_garbage),
        cmocka_unit_test(test_deframer_lost_byte),
        cmocka_unit_test(test_deframer_too_long),
        cmocka_unit_test(test_deframer_inter_octet_timeout),
        cmocka_unit_test(test_deframer_random_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
