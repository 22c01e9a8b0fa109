/*
 * test_wrapper.c - unit tests of the DLMS TCP/UDP wrapper (lib/dlms/wrapper):
 * header build/parse with the jDLMS WrapperHeaderTest vectors, refusals,
 * TCP reassembly under every chunking of a 3-frame stream, limits, UDP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "dlms/wrapper.h"

/* jDLMS WrapperHeaderTest: version 0001, source 0x0010, destination 0x0011,
 * length 0x0022 followed by a 34-byte AARQ. */
static const uint8_t jd_frame[] = {
    0x00, 0x01, 0x00, 0x10, 0x00, 0x11, 0x00, 0x22, 0x60, 0x20, 0x80, 0x02, 0x07, 0x80,
    0xa1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x02, 0xbe, 0x0f, 0x04,
    0x0d, 0x01, 0x00, 0x00, 0x00, 0x06, 0x5f, 0x04, 0x00, 0x18, 0x1a, 0x20, 0x00, 0x00,
};

static void test_decode_jdlms_vector(void **state) {
    (void)state;
    dlms_wrapper_header_t h;
    assert_int_equal(sizeof(jd_frame), 8 + 34);
    assert_int_equal(dlms_wrapper_header_decode(jd_frame, sizeof(jd_frame), 0, &h), 0);
    assert_int_equal(h.source_wport, 0x0010);
    assert_int_equal(h.dest_wport, 0x0011);
    assert_int_equal(h.length, 34);

    uint8_t out[64];
    int n =
        dlms_wrapper_encode(h.source_wport, h.dest_wport, jd_frame + 8, h.length, out, sizeof(out));
    assert_int_equal(n, sizeof(jd_frame));
    assert_memory_equal(out, jd_frame, sizeof(jd_frame));
}

static void test_refuse_versions(void **state) {
    (void)state;
    uint8_t buf[sizeof(jd_frame)];
    dlms_wrapper_header_t h = {1, 2, 3};

    memcpy(buf, jd_frame, sizeof(buf));
    buf[0] = 0x00;
    buf[1] = 0x02; /* jDLMS decode2 */
    assert_int_equal(dlms_wrapper_header_decode(buf, sizeof(buf), 0, &h), DLMS_WRAPPER_ERR_VERSION);
    assert_int_equal(h.length, 0); /* output left defined */

    buf[0] = 0x10;
    buf[1] = 0x01; /* jDLMS illegalVersionTest */
    assert_int_equal(dlms_wrapper_header_decode(buf, sizeof(buf), 0, &h), DLMS_WRAPPER_ERR_VERSION);

    const uint8_t *apdu = jd_frame;
    assert_int_equal(dlms_wrapper_udp_decode(buf, sizeof(buf), 0, &h, &apdu),
                     DLMS_WRAPPER_ERR_VERSION);
    assert_null(apdu);

    dlms_wrapper_rx_t rx;
    size_t used = 99;
    assert_int_equal(dlms_wrapper_rx_init(&rx, 0), 0);
    assert_int_equal(dlms_wrapper_rx_feed(&rx, buf, sizeof(buf), &used), DLMS_WRAPPER_ERR_VERSION);
    assert_int_equal(used, 8);
    /* Sticky: the stream cannot be resynchronised. */
    assert_int_equal(dlms_wrapper_rx_feed(&rx, jd_frame, sizeof(jd_frame), &used),
                     DLMS_WRAPPER_ERR_VERSION);
    assert_int_equal(used, 0);
    dlms_wrapper_rx_reset(&rx);
    assert_int_equal(dlms_wrapper_rx_feed(&rx, jd_frame, sizeof(jd_frame), &used), 34);
}

static void test_header_encode(void **state) {
    (void)state;
    uint8_t out[8];
    dlms_wrapper_header_t h = {0x0001, 0x0010, 0x1234 & 0x03FF};
    static const uint8_t want[] = {0x00, 0x01, 0x00, 0x01, 0x00, 0x10, 0x02, 0x34};
    assert_int_equal(dlms_wrapper_header_encode(&h, out, sizeof(out)), 8);
    assert_memory_equal(out, want, 8);
    assert_int_equal(dlms_wrapper_header_encode(&h, out, 7), DLMS_WRAPPER_ERR_BUF_SMALL);
    h.length = 0;
    assert_int_equal(dlms_wrapper_header_encode(&h, out, 8), DLMS_WRAPPER_ERR_EMPTY);
    h.length = EM_WRAPPER_MAX_APDU + 1;
    assert_int_equal(dlms_wrapper_header_encode(&h, out, 8), DLMS_WRAPPER_ERR_TOO_LONG);
    assert_int_equal(dlms_wrapper_header_encode(NULL, out, 8), DLMS_WRAPPER_ERR_BADARG);
    assert_int_equal(dlms_wrapper_header_decode(want, 7, 0, &h), DLMS_WRAPPER_ERR_SHORT);
}

static void test_encode_in_place(void **state) {
    (void)state;
    uint8_t buf[16] = {0};
    memcpy(buf + 8, "\x61\x29\xa1\x09", 4);
    assert_int_equal(dlms_wrapper_encode(1, 16, buf + 8, 4, buf, sizeof(buf)), 12);
    static const uint8_t want[] = {0, 1, 0, 1, 0, 16, 0, 4, 0x61, 0x29, 0xa1, 0x09};
    assert_memory_equal(buf, want, sizeof(want));
    assert_int_equal(dlms_wrapper_encode(1, 16, buf, 4, buf, 11), DLMS_WRAPPER_ERR_BUF_SMALL);
    assert_int_equal(dlms_wrapper_encode(1, 16, buf, 0, buf, 16), DLMS_WRAPPER_ERR_EMPTY);
}

static void test_zero_length_refused(void **state) {
    (void)state;
    static const uint8_t empty[] = {0, 1, 0, 16, 0, 1, 0, 0};
    dlms_wrapper_header_t h;
    assert_int_equal(dlms_wrapper_header_decode(empty, 8, 0, &h), DLMS_WRAPPER_ERR_EMPTY);
    dlms_wrapper_rx_t rx;
    size_t used;
    dlms_wrapper_rx_init(&rx, 0);
    assert_int_equal(dlms_wrapper_rx_feed(&rx, empty, 8, &used), DLMS_WRAPPER_ERR_EMPTY);
}

/* Three frames of different sizes, back to back. */
static size_t build_stream(uint8_t *s, size_t cap, size_t offs[4]) {
    static const size_t lens[3] = {1, 34, 7};
    size_t pos = 0;
    for (int f = 0; f < 3; f++) {
        uint8_t apdu[40];
        for (size_t i = 0; i < lens[f]; i++) {
            apdu[i] = (uint8_t)(0x40 + f * 16 + i);
        }
        offs[f] = pos;
        int n = dlms_wrapper_encode((uint16_t)(0x10 + f), (uint16_t)(1 + f), apdu, lens[f], s + pos,
                                    cap - pos);
        assert_true(n > 0);
        pos += (size_t)n;
    }
    offs[3] = pos;
    return pos;
}

/* Feed s[0..len) cut at the given split points; check the 3 frames. */
static void feed_split(const uint8_t *s, size_t len, const size_t offs[4], size_t cut1,
                       size_t cut2) {
    dlms_wrapper_rx_t rx;
    assert_int_equal(dlms_wrapper_rx_init(&rx, 0), 0);
    size_t bounds[4] = {0, cut1, cut2, len};
    int frames = 0;
    for (int c = 0; c < 3; c++) {
        size_t pos = bounds[c];
        while (pos < bounds[c + 1]) {
            size_t used = 0;
            int rc = dlms_wrapper_rx_feed(&rx, s + pos, bounds[c + 1] - pos, &used);
            assert_true(rc >= 0);
            assert_true(used <= bounds[c + 1] - pos);
            pos += used;
            if (rc > 0) {
                size_t flen = offs[frames + 1] - offs[frames];
                assert_int_equal((size_t)rc + 8, flen);
                assert_int_equal(pos, offs[frames + 1]);
                const dlms_wrapper_header_t *h = dlms_wrapper_rx_header(&rx);
                assert_int_equal(h->source_wport, 0x10 + frames);
                assert_int_equal(h->dest_wport, 1 + frames);
                assert_memory_equal(dlms_wrapper_rx_apdu(&rx), s + offs[frames] + 8, (size_t)rc);
                frames++;
            } else {
                assert_int_equal(used, bounds[c + 1] - (pos - used));
            }
        }
    }
    assert_int_equal(frames, 3);
    assert_false(dlms_wrapper_rx_partial(&rx));
}

static void test_every_two_cut_chunking(void **state) {
    (void)state;
    uint8_t s[128];
    size_t offs[4];
    size_t len = build_stream(s, sizeof(s), offs);
    assert_int_equal(len, 9 + 42 + 15);
    for (size_t a = 0; a <= len; a++) {
        for (size_t b = a; b <= len; b++) {
            feed_split(s, len, offs, a, b);
        }
    }
}

static void test_one_byte_feeds(void **state) {
    (void)state;
    uint8_t s[128];
    size_t offs[4];
    size_t len = build_stream(s, sizeof(s), offs);
    dlms_wrapper_rx_t rx;
    dlms_wrapper_rx_init(&rx, 0);
    int frames = 0;
    for (size_t i = 0; i < len; i++) {
        size_t used = 0;
        int rc = dlms_wrapper_rx_feed(&rx, s + i, 1, &used);
        assert_int_equal(used, 1);
        if (i + 1 == offs[frames + 1]) {
            assert_int_equal(rc, (int)(offs[frames + 1] - offs[frames] - 8));
            assert_memory_equal(dlms_wrapper_rx_apdu(&rx), s + offs[frames] + 8, (size_t)rc);
            frames++;
        } else {
            assert_int_equal(rc, 0);
            assert_true(dlms_wrapper_rx_partial(&rx));
        }
    }
    assert_int_equal(frames, 3);
}

static void test_max_length_boundary(void **state) {
    (void)state;
    static uint8_t s[8 + EM_WRAPPER_MAX_APDU + 1];
    memset(s, 0xA5, sizeof(s));
    dlms_wrapper_rx_t rx;
    size_t used;

    /* Exactly the maximum: accepted. */
    dlms_wrapper_header_t h = {0x10, 0x01, EM_WRAPPER_MAX_APDU};
    dlms_wrapper_header_encode(&h, s, 8);
    dlms_wrapper_rx_init(&rx, 0);
    assert_int_equal(dlms_wrapper_rx_feed(&rx, s, 8 + EM_WRAPPER_MAX_APDU, &used),
                     EM_WRAPPER_MAX_APDU);
    assert_int_equal(used, 8 + EM_WRAPPER_MAX_APDU);

    /* One more: refused from the header, no payload byte consumed. */
    s[6] = (uint8_t)((EM_WRAPPER_MAX_APDU + 1) >> 8);
    s[7] = (uint8_t)(EM_WRAPPER_MAX_APDU + 1);
    dlms_wrapper_rx_init(&rx, 0);
    assert_int_equal(dlms_wrapper_rx_feed(&rx, s, sizeof(s), &used), DLMS_WRAPPER_ERR_TOO_LONG);
    assert_int_equal(used, 8);
    assert_int_equal(dlms_wrapper_header_decode(s, sizeof(s), 0, &h), DLMS_WRAPPER_ERR_TOO_LONG);

    /* Per-connection limit below the compile-time maximum. */
    uint8_t f[8 + 101];
    memset(f, 0, sizeof(f));
    h.length = 100;
    dlms_wrapper_header_encode(&h, f, 8);
    dlms_wrapper_rx_init(&rx, 100);
    assert_int_equal(dlms_wrapper_rx_feed(&rx, f, 108, &used), 100);
    h.length = 101;
    dlms_wrapper_header_encode(&h, f, 8);
    dlms_wrapper_rx_init(&rx, 100);
    /* Header split: the refusal comes with its 8th byte. */
    assert_int_equal(dlms_wrapper_rx_feed(&rx, f, 5, &used), 0);
    assert_int_equal(dlms_wrapper_rx_feed(&rx, f + 5, sizeof(f) - 5, &used),
                     DLMS_WRAPPER_ERR_TOO_LONG);
    assert_int_equal(used, 3);
    assert_int_equal(dlms_wrapper_rx_init(&rx, EM_WRAPPER_MAX_APDU + 1), DLMS_WRAPPER_ERR_BADARG);
}

static void test_udp_exact_size(void **state) {
    (void)state;
    dlms_wrapper_header_t h;
    const uint8_t *apdu = NULL;
    assert_int_equal(dlms_wrapper_udp_decode(jd_frame, sizeof(jd_frame), 0, &h, &apdu), 34);
    assert_ptr_equal(apdu, jd_frame + 8);
    assert_int_equal(h.source_wport, 0x10);

    assert_int_equal(dlms_wrapper_udp_decode(jd_frame, sizeof(jd_frame) - 1, 0, &h, &apdu),
                     DLMS_WRAPPER_ERR_SHORT);
    assert_null(apdu);
    assert_int_equal(h.length, 0);

    uint8_t longer[sizeof(jd_frame) + 1];
    memcpy(longer, jd_frame, sizeof(jd_frame));
    longer[sizeof(jd_frame)] = 0;
    assert_int_equal(dlms_wrapper_udp_decode(longer, sizeof(longer), 0, &h, &apdu),
                     DLMS_WRAPPER_ERR_TRAILING);
    assert_int_equal(dlms_wrapper_udp_decode(jd_frame, 7, 0, &h, &apdu), DLMS_WRAPPER_ERR_SHORT);
    /* Per-call limit below the announced length. */
    assert_int_equal(dlms_wrapper_udp_decode(jd_frame, sizeof(jd_frame), 33, &h, &apdu),
                     DLMS_WRAPPER_ERR_TOO_LONG);
}

static void test_strerror(void **state) {
    (void)state;
    assert_string_equal(dlms_wrapper_strerror(DLMS_WRAPPER_ERR_VERSION),
                        "wrapper: version is not 0x0001");
    assert_non_null(strstr(dlms_wrapper_strerror(-0x02FF), "unknown"));
    for (int e = -0x0201; e >= -0x0207; e--) {
        assert_null(strstr(dlms_wrapper_strerror(e), "unknown"));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_jdlms_vector), cmocka_unit_test(test_refuse_versions),
        cmocka_unit_test(test_header_encode),       cmocka_unit_test(test_encode_in_place),
        cmocka_unit_test(test_zero_length_refused), cmocka_unit_test(test_every_two_cut_chunking),
        cmocka_unit_test(test_one_byte_feeds),      cmocka_unit_test(test_max_length_boundary),
        cmocka_unit_test(test_udp_exact_size),      cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
