/*
 * test_dlms_listen.c - the decoder and printer of `dlms listen`
 * (apps/dlms/listen.c): the DSMR alarm push of test_cosem_push.c (plain,
 * hand-computed bytes) decoded and printed as text and JSON; a ciphered
 * notification built with the library's encoders (data-notification,
 * general-glo-ciphering) decoded back; replays, wrong keys, tampering,
 * unauthenticated SC and every truncation refused.
 *
 * The tool's source files are included directly (CMake links only lib/
 * and port/ into tests), as test_dlms_cli.c does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../apps/dlms/format.c"
#include "../../apps/dlms/listen.c"
#include "../../apps/dlms/obis_parse.c"
#include "../../apps/dlms/value_parse.c"
#include "test_hex.h"

static const uint8_t EK[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                               0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
static const uint8_t AK[16] = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7,
                               0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF};
static const uint8_t TITLE[8] = {'M', 'M', 'M', 0, 0, 0, 0, 1};

/* The alarm push of test_cosem_push.c: invoke id 1, 2024-01-15 13:00 CET,
 * {equipment id, 0.1.25.9.0.255, alarm register 5}. */
static const char *ALARM_APDU = "0F 00000001 0C 07E8010F010D000000FFC400"
                                "0203"
                                "0911 4530303030303030303030303030303031"
                                "0906 0001190900FF"
                                "06 00000005";

static listen_ctx_t C;
static listen_msg_t M;

static int setup(void **state) {
    (void)state;
    dlms_sec_keys_t k;
    memset(&k, 0, sizeof(k));
    memcpy(k.guek, EK, 16);
    memcpy(k.ak, AK, 16);
    listen_init(&C, &k);
    return 0;
}

static size_t cipher(const uint8_t *plain, size_t n, uint8_t sc, uint32_t ic, uint8_t *out,
                     size_t cap) {
    dlms_sec_keys_t k;
    memset(&k, 0, sizeof(k));
    memcpy(k.guek, EK, 16);
    memcpy(k.ak, AK, 16);
    dlms_sec_tx_t tx = {&k, TITLE, sc, ic, false};
    int r = dlms_sec_protect(&tx, DLMS_SEC_FORM_GENERAL, plain, n, out, cap);
    assert_true(r > 0);
    return (size_t)r;
}

static void test_plain_text_and_json(void **state) {
    (void)state;
    uint8_t apdu[128];
    char err[256];
    size_t n = test_unhex(ALARM_APDU, apdu, sizeof(apdu));
    assert_int_equal(listen_decode(&C, apdu, n, &M, err, sizeof(err)), 0);
    assert_false(M.ciphered);
    assert_int_equal(M.n.long_invoke_id, 1);
    assert_true(M.n.has_date_time);
    assert_int_equal(M.n.date_time.hour, 13);
    assert_int_equal(M.n.date_time.deviation, -60);
    assert_int_equal(M.n.body.len, 2 + 19 + 8 + 5);
    sbuf_t sb;
    sb_init(&sb);
    listen_format(&sb, false, "127.0.0.1:5000 tcp", 1, 102, &M);
    assert_string_equal(sb_str(&sb), "push from 127.0.0.1:5000 tcp, wport 1 -> 102, plain\n"
                                     "  invoke id 1, date-time 2024-01-15T13:00:00+01:00\n"
                                     "  1: \"E0000000000000001\"\n"
                                     "  2: 0001190900ff\n"
                                     "  3: 5\n");
    sb_reset(&sb);
    listen_format(&sb, true, "127.0.0.1:5000 tcp", 1, 102, &M);
    assert_string_equal(sb_str(&sb), "{\"from\":\"127.0.0.1:5000 tcp\",\"source_wport\":1,"
                                     "\"destination_wport\":102,\"ciphered\":false,\"invoke_id\":1,"
                                     "\"priority_high\":false,\"confirmed\":false,"
                                     "\"date_time\":\"2024-01-15T13:00:00+01:00\","
                                     "\"values\":[\"E0000000000000001\",\"0001190900ff\",5]}\n");
    sb_free(&sb);
}

static void test_ciphered_round_trip(void **state) {
    (void)state;
    /* Encode with the library: header + body, then general-glo-ciphering. */
    uint8_t plain[128], body[64], out[256];
    size_t bn = test_unhex("0202 0911 4530303030303030303030303030303031 0906 0000190900FF", body,
                           sizeof(body));
    dlms_data_notification_t dn;
    memset(&dn, 0, sizeof(dn));
    dn.long_invoke_id = dlms_long_invoke_id_make(7, false, true);
    dn.body = (dlms_slice_t){body, bn};
    int pn = dlms_data_notification_encode(&dn, plain, sizeof(plain));
    assert_true(pn > 0);
    size_t cn = cipher(plain, (size_t)pn, 0x30, 41, out, sizeof(out));
    char err[256];
    assert_int_equal(listen_decode(&C, out, cn, &M, err, sizeof(err)), 0);
    assert_true(M.ciphered);
    assert_int_equal(M.sc, 0x30);
    assert_int_equal(M.ic, 41);
    assert_memory_equal(M.system_title, TITLE, 8);
    assert_int_equal(M.plain_len, (size_t)pn);
    assert_memory_equal(M.plain, plain, (size_t)pn);
    assert_int_equal(M.n.long_invoke_id & DLMS_LIID_ID_MASK, 7);
    assert_false(M.n.has_date_time);
    assert_int_equal(M.n.body.len, bn);
    assert_memory_equal(M.n.body.p, body, bn);
    sbuf_t sb;
    sb_init(&sb);
    listen_format(&sb, false, "m", 1, 102, &M);
    assert_string_equal(sb_str(&sb),
                        "push from m, wport 1 -> 102, general-glo-ciphering SC 30 IC 41 "
                        "system title 4d4d4d0000000001\n"
                        "  invoke id 7, high priority, date-time none\n"
                        "  1: \"E0000000000000001\"\n"
                        "  2: 0000190900ff\n");
    sb_free(&sb);
    /* The same counter again: a replay. */
    assert_int_equal(listen_decode(&C, out, cn, &M, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "general-glo-ciphering"));
    /* A lower one too; a higher one is accepted. */
    cn = cipher(plain, (size_t)pn, 0x30, 40, out, sizeof(out));
    assert_int_equal(listen_decode(&C, out, cn, &M, err, sizeof(err)), -1);
    cn = cipher(plain, (size_t)pn, 0x30, 42, out, sizeof(out));
    assert_int_equal(listen_decode(&C, out, cn, &M, err, sizeof(err)), 0);
    /* Authenticated only (SC 0x10) is fine; encrypted only (0x20) is not
     * trusted: no tag. */
    cn = cipher(plain, (size_t)pn, 0x10, 43, out, sizeof(out));
    assert_int_equal(listen_decode(&C, out, cn, &M, err, sizeof(err)), 0);
    assert_int_equal(M.sc, 0x10);
    cn = cipher(plain, (size_t)pn, 0x20, 44, out, sizeof(out));
    assert_int_equal(listen_decode(&C, out, cn, &M, err, sizeof(err)), -1);
    /* Every flipped byte of a fresh one is refused (tag or envelope). */
    cn = cipher(plain, (size_t)pn, 0x30, 50, out, sizeof(out));
    for (size_t i = 0; i < cn; i++) {
        out[i] ^= 0x01;
        assert_int_equal(listen_decode(&C, out, cn, &M, err, sizeof(err)), -1);
        out[i] ^= 0x01;
    }
    /* Every truncation is refused. */
    for (size_t i = 0; i < cn; i++) {
        assert_int_equal(listen_decode(&C, out, i, &M, err, sizeof(err)), -1);
    }
    assert_int_equal(listen_decode(&C, out, cn, &M, err, sizeof(err)), 0);
    /* Another key. */
    C.keys.guek[3] ^= 0x40;
    cn = cipher(plain, (size_t)pn, 0x30, 60, out, sizeof(out));
    assert_int_equal(listen_decode(&C, out, cn, &M, err, sizeof(err)), -1);
}

static void test_hostile_plain(void **state) {
    (void)state;
    uint8_t apdu[128];
    char err[256];
    size_t n = test_unhex(ALARM_APDU, apdu, sizeof(apdu));
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(listen_decode(&C, apdu, i, &M, err, sizeof(err)), -1);
    }
    apdu[n] = 0x00; /* trailing byte */
    assert_int_equal(listen_decode(&C, apdu, n + 1, &M, err, sizeof(err)), -1);
    apdu[5] = 0x05; /* date-time of 5 bytes */
    assert_int_equal(listen_decode(&C, apdu, n, &M, err, sizeof(err)), -1);
    static const uint8_t get[] = {0xC0, 0x01, 0xC1, 0x00, 0x08};
    assert_int_equal(listen_decode(&C, get, sizeof(get), &M, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "C0"));
    static const uint8_t ded[] = {0xDC, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x05, 0x30, 0, 0, 0, 1};
    assert_int_equal(listen_decode(&C, ded, sizeof(ded), &M, err, sizeof(err)), -1);
    assert_int_equal(listen_decode(&C, NULL, 0, &M, err, sizeof(err)), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_plain_text_and_json, setup),
        cmocka_unit_test_setup(test_ciphered_round_trip, setup),
        cmocka_unit_test_setup(test_hostile_plain, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
