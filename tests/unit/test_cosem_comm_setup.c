/*
 * test_cosem_comm_setup.c - TCP-UDP setup (class 41), IPv4 setup (42), PPP
 * setup (44) and GPRS modem setup (45): every attribute read with exact
 * bytes, every writable attribute written and read back, wrong types and
 * out-of-range values refused with the right data-access-result and the
 * state left unchanged, references checked against the table, the IPv4
 * multicast methods and leases, the write-only PAP password.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_cosem_comm_table.h"
#include "test_hex.h"

#define T0 COSEM_TEST_RTC_START

static cm_t T;

static int setup(void **state) {
    (void)state;
    return cm_setup(&T, T0);
}

static void expect_get(uint16_t class_id, const uint8_t ln[6], int8_t attr, const char *hex) {
    uint8_t exp[256], out[512];
    size_t n = test_unhex(hex, exp, sizeof(exp)), len = 0;
    assert_int_equal(cm_get(&T, class_id, ln, attr, out, sizeof(out), &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(out, exp, n);
}

static int set_hex(uint16_t class_id, const uint8_t ln[6], int8_t attr, const char *hex) {
    uint8_t v[256];
    size_t n = test_unhex(hex, v, sizeof(v));
    return cm_set(&T, class_id, ln, attr, v, n);
}

/* Writes hex, expects rc, and for success reads the same bytes back. */
static void write_read(uint16_t class_id, const uint8_t ln[6], int8_t attr, const char *hex) {
    assert_int_equal(set_hex(class_id, ln, attr, hex), 0);
    expect_get(class_id, ln, attr, hex);
}

typedef struct {
    int8_t attr;
    const char *hex;
    int dar;
} refusal_t;

/* Every refusal leaves the whole app state as it was. */
static void expect_refusals(uint16_t class_id, const uint8_t ln[6], const refusal_t *r, size_t n) {
    for (size_t i = 0; i < n; i++) {
        cm_app_t before = T.app;
        assert_int_equal(set_hex(class_id, ln, r[i].attr, r[i].hex), r[i].dar);
        assert_memory_equal(&before, &T.app, sizeof(before));
    }
}

#define TU 250 /* other-reason */
#define TM 12  /* type-unmatched */

/* ---- TCP-UDP setup -------------------------------------------------------------------- */

static void test_tcp_udp(void **state) {
    (void)state;
    expect_get(41, CM_TCP, 1, "09 06 00 00 19 00 00 FF");
    expect_get(41, CM_TCP, 2, "12 0F DB"); /* 4059 */
    expect_get(41, CM_TCP, 3, "09 06 00 00 19 01 00 FF");
    expect_get(41, CM_TCP, 4, "12 02 40"); /* 576 */
    expect_get(41, CM_TCP, 5, "11 01");
    expect_get(41, CM_TCP, 6, "12 00 78"); /* 120 s */
    write_read(41, CM_TCP, 2, "12 11 5C");
    write_read(41, CM_TCP, 3, "09 06 00 00 19 01 00 FF");
    write_read(41, CM_TCP, 4, "12 05 B4");
    write_read(41, CM_TCP, 5, "11 02");
    write_read(41, CM_TCP, 6, "12 00 00");
    assert_int_equal(T.app.tcp.port, 0x115C);
    static const refusal_t bad[] = {
        {2, "12 00 00", TU},                /* port 0 */
        {2, "11 05", TM},                   /* unsigned */
        {3, "09 06 00 00 19 03 00 FF", TU}, /* the PPP setup, not an IPv4 setup */
        {3, "09 06 00 00 19 07 00 FF", TU}, /* no such object */
        {3, "09 05 00 00 19 01 00", TU},    /* not 6 bytes */
        {3, "0A 06 00 00 19 01 00 FF", TM}, /* visible-string */
        {4, "12 00 27", TU},                /* MSS 39 < 40 */
        {5, "11 03", TU},                   /* above the definition's 2 */
        {5, "11 00", TU},                   /* no connection at all */
        {5, "12 00 01", TM},                /* long-unsigned */
        {6, "06 00 00 00 78", TM},          /* double-long-unsigned */
        {6, "01 00", TM},                   /* array */
    };
    expect_refusals(41, CM_TCP, bad, sizeof(bad) / sizeof(bad[0]));
    /* The public client does not see the object at all. */
    uint8_t out[16];
    size_t len;
    assert_int_equal(cm_get_as(&T, CM_PUB, 41, CM_TCP, 2, out, sizeof(out), &len), 4);
    /* Attribute 7 does not exist. */
    assert_int_equal(cm_get(&T, 41, CM_TCP, 7, out, sizeof(out), &len), 4);
}

/* ---- IPv4 setup ---------------------------------------------------------------------- */

static void test_ipv4_attributes(void **state) {
    (void)state;
    expect_get(42, CM_IPV4, 2, "09 06 00 00 19 03 00 FF");
    expect_get(42, CM_IPV4, 3, "06 00 00 00 00");
    expect_get(42, CM_IPV4, 4, "01 00");
    expect_get(42, CM_IPV4, 5, "01 00");
    expect_get(42, CM_IPV4, 8, "03 01"); /* dynamic */
    /* A lease from the network (DHCP / IPCP): address, mask, gateway, DNS. */
    assert_int_equal(cosem_ipv4_set_lease(&T.app.ipv4, 0x0A010203u, 0xFFFFFF00u, 0x0A010201u,
                                          0x08080808u, 0x08080404u),
                     0);
    expect_get(42, CM_IPV4, 3, "06 0A 01 02 03");
    expect_get(42, CM_IPV4, 6, "06 FF FF FF 00");
    expect_get(42, CM_IPV4, 7, "06 0A 01 02 01");
    expect_get(42, CM_IPV4, 9, "06 08 08 08 08");
    expect_get(42, CM_IPV4, 10, "06 08 08 04 04");
    assert_int_equal(cosem_ipv4_set_lease(&T.app.ipv4, 1, 0xFF00FF00u, 0, 0, 0),
                     COSEM_COMM_ERR_VALUE);
    cosem_ipv4_clear_lease(&T.app.ipv4);
    expect_get(42, CM_IPV4, 3, "06 00 00 00 00");
    expect_get(42, CM_IPV4, 9, "06 08 08 08 08"); /* DNS kept until the next lease */
    /* Static addressing. */
    write_read(42, CM_IPV4, 8, "03 00");
    write_read(42, CM_IPV4, 3, "06 C0 A8 01 0A");
    write_read(42, CM_IPV4, 6, "06 FF FF 00 00");
    write_read(42, CM_IPV4, 7, "06 C0 A8 00 01");
    write_read(42, CM_IPV4, 9, "06 01 01 01 01");
    write_read(42, CM_IPV4, 10, "06 09 09 09 09");
    write_read(42, CM_IPV4, 2, "09 06 00 00 19 04 00 FF"); /* straight on the modem */
    assert_int_equal(cosem_ipv4_set_lease(&T.app.ipv4, 1, 0, 0, 0, 0), COSEM_COMM_ERR_STATE);
    cosem_ipv4_clear_lease(&T.app.ipv4);
    expect_get(42, CM_IPV4, 3, "06 C0 A8 01 0A"); /* static stays */
    write_read(42, CM_IPV4, 4, "01 02 06 E0 00 00 FB 06 EF 01 02 03");
    write_read(42, CM_IPV4, 5, "01 01 02 03 11 44 11 06 09 04 01 02 03 04");
    write_read(42, CM_IPV4, 5, "01 00");
    static const refusal_t bad[] = {
        {2, "09 06 00 00 63 01 00 FF", TU}, /* no such object */
        {3, "12 00 01", TM},                /* long-unsigned */
        {4, "01 01 06 0A 00 00 01", TU},    /* 10.0.0.1 is not multicast */
        {4, "01 01 12 00 01", TM},          /* wrong element type */
        {4, "01 05 06 E0 00 00 01 06 E0 00 00 02 06 E0 00 00 03 06 E0 00 00 04 06 E0 00 00 05",
         TU},                                                 /* 5 > EM_COSEM_COMM_MULTICAST */
        {5, "01 01 02 03 11 44 11 05 09 04 01 02 03 04", TU}, /* length is data + 2 */
        {5, "01 01 02 03 11 01 11 03 09 01 00", TU},          /* option type 1 */
        {5, "01 01 02 02 11 44 11 06", TM},                   /* structure of 2 */
        {6, "06 FF 00 FF 00", TU},                            /* mask not contiguous */
        {8, "11 01", TM},                                     /* unsigned, not boolean */
        {9, "05 00 00 00 01", TM},                            /* double-long */
    };
    expect_refusals(42, CM_IPV4, bad, sizeof(bad) / sizeof(bad[0]));
    assert_true(cosem_ipv4_mask_ok(0));
    assert_true(cosem_ipv4_mask_ok(0xFFFFFFFFu));
    assert_false(cosem_ipv4_mask_ok(0x7FFFFFFFu));
}

static void test_ipv4_methods(void **state) {
    (void)state;
    uint8_t ret[16];
    size_t n;
    static const uint8_t mc1[] = {0x06, 0xE0, 0x00, 0x00, 0xFB}; /* 224.0.0.251 */
    static const uint8_t mc2[] = {0x06, 0xEF, 0x01, 0x01, 0x01}; /* 239.1.1.1 */
    static const uint8_t uni[] = {0x06, 0x0A, 0x00, 0x00, 0x01}; /* 10.0.0.1 */
    static const uint8_t zero[] = {0x0F, 0x00};
    assert_int_equal(cm_action(&T, 42, CM_IPV4, 1, mc1, sizeof(mc1), ret, sizeof(ret), &n), 0);
    assert_int_equal(cm_action(&T, 42, CM_IPV4, 1, mc2, sizeof(mc2), ret, sizeof(ret), &n), 0);
    assert_int_equal(cm_action(&T, 42, CM_IPV4, 1, mc1, sizeof(mc1), ret, sizeof(ret), &n), 0);
    assert_int_equal(cm_action(&T, 42, CM_IPV4, 1, uni, sizeof(uni), ret, sizeof(ret), &n), TU);
    assert_int_equal(cm_action(&T, 42, CM_IPV4, 1, zero, sizeof(zero), ret, sizeof(ret), &n), TM);
    assert_int_equal(cm_action(&T, 42, CM_IPV4, 3, zero, sizeof(zero), ret, sizeof(ret), &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(ret, "\x12\x00\x02", 3); /* no duplicate */
    expect_get(42, CM_IPV4, 4, "01 02 06 E0 00 00 FB 06 EF 01 01 01");
    assert_int_equal(cm_action(&T, 42, CM_IPV4, 2, mc1, sizeof(mc1), ret, sizeof(ret), &n), 0);
    assert_int_equal(cm_action(&T, 42, CM_IPV4, 2, uni, sizeof(uni), ret, sizeof(ret), &n), 0);
    expect_get(42, CM_IPV4, 4, "01 01 06 EF 01 01 01");
    /* Full list. */
    for (uint8_t i = 0; i < EM_COSEM_COMM_MULTICAST - 1; i++) {
        uint8_t p[] = {0x06, 0xE1, 0, 0, i};
        assert_int_equal(cm_action(&T, 42, CM_IPV4, 1, p, sizeof(p), ret, sizeof(ret), &n), 0);
    }
    static const uint8_t more[] = {0x06, 0xE2, 0, 0, 1};
    assert_int_equal(cm_action(&T, 42, CM_IPV4, 1, more, sizeof(more), ret, sizeof(ret), &n), TU);
    assert_int_equal(cm_action(&T, 42, CM_IPV4, 3, NULL, 0, ret, sizeof(ret), &n), 0);
    assert_int_equal(ret[2], EM_COSEM_COMM_MULTICAST);
    assert_int_equal(cm_action(&T, 42, CM_IPV4, 4, zero, sizeof(zero), ret, sizeof(ret), &n), 4);
}

/* ---- PPP setup ----------------------------------------------------------------------- */

static void test_ppp(void **state) {
    (void)state;
    expect_get(44, CM_PPP, 2, "09 06 00 00 19 04 00 FF");
    expect_get(44, CM_PPP, 3, "01 00");
    expect_get(44, CM_PPP, 5, "00"); /* no authentication */
    /* PAP: the key is written, never read back. */
    assert_int_equal(set_hex(44, CM_PPP, 5, "02 02 09 04 75 73 65 72 09 06 73 65 63 72 65 74"), 0);
    expect_get(44, CM_PPP, 5, "02 02 09 04 75 73 65 72 09 00");
    assert_int_equal(T.app.ppp.auth, COSEM_PPP_AUTH_PAP);
    assert_int_equal(T.app.ppp.password_len, 6);
    assert_memory_equal(T.app.ppp.password, "secret", 6);
    /* Changing the key. */
    assert_int_equal(set_hex(44, CM_PPP, 5, "02 02 09 04 75 73 65 72 09 03 6E 65 77"), 0);
    assert_memory_equal(T.app.ppp.password, "new\0\0\0", 6);
    write_read(44, CM_PPP, 3, "01 02 02 03 11 01 11 04 12 05 DC 02 03 11 03 11 04 12 C0 23");
    write_read(44, CM_PPP, 4, "01 01 02 03 11 03 11 06 06 00 00 00 00");
    write_read(44, CM_PPP, 3, "01 02 02 03 11 07 11 02 03 01 02 03 11 0D 11 03 09 01 06");
    write_read(44, CM_PPP, 2, "09 06 00 00 19 04 00 FF");
    static const refusal_t bad[] = {
        /* a read-modify-write of the hidden structure must not clear the key */
        {5, "02 02 09 04 75 73 65 72 09 00", TU},
        {5, "02 03 09 01 75 09 01 70 09 01 70", TM},                         /* structure of 3 */
        {5, "02 02 09 01 75 16 01", TM},                                     /* CHAP-like enum */
        {5, "09 01 00", TM},                                                 /* octet-string */
        {3, "01 01 02 03 11 04 11 04 12 00 01", TU},                         /* LCP type 4 */
        {3, "01 01 02 03 11 01 11 04 02 00", TM},                            /* structured data */
        {3, "01 01 02 03 11 01 11 0B 09 09 00 00 00 00 00 00 00 00 00", TU}, /* 9 > 8 bytes */
        {4, "01 01 02 03 11 81 11 06 06 08 08 08 08", TU}, /* IPCP 129 not listed */
        {2, "09 06 00 00 19 09 00 FF", TU},                /* no such object */
    };
    expect_refusals(44, CM_PPP, bad, sizeof(bad) / sizeof(bad[0]));
    /* Back to no authentication: user and key are wiped. */
    write_read(44, CM_PPP, 5, "00");
    assert_int_equal(T.app.ppp.password_len, 0);
    assert_memory_equal(T.app.ppp.password, "\0\0\0", 3);
    /* The factory helper. */
    assert_int_equal(
        cosem_ppp_set_pap(&T.app.ppp, (const uint8_t *)"m", 1, (const uint8_t *)"k", 0),
        COSEM_COMM_ERR_VALUE);
    assert_int_equal(
        cosem_ppp_set_pap(&T.app.ppp, (const uint8_t *)"m", 1, (const uint8_t *)"k", 1), 0);
    expect_get(44, CM_PPP, 5, "02 02 09 01 6D 09 00");
}

/* ---- GPRS modem setup ---------------------------------------------------------------- */

static void test_gprs(void **state) {
    (void)state;
    expect_get(45, CM_GPRS, 2, "09 0E 69 6F 74 2E 65 78 61 6D 70 6C 65 2E 6E 6C");
    expect_get(45, CM_GPRS, 3, "12 00 00");
    expect_get(45, CM_GPRS, 4,
               "02 02 02 05 11 00 11 00 11 00 11 00 11 00"
               " 02 05 11 00 11 00 11 00 11 00 11 00");
    write_read(45, CM_GPRS, 2, "09 08 73 6D 61 72 74 2D 6D 31"); /* smart-m1 */
    write_read(45, CM_GPRS, 2, "09 00");                         /* network default */
    write_read(45, CM_GPRS, 3, "12 04 D2");                      /* 1234 */
    write_read(45, CM_GPRS, 4,
               "02 02 02 05 11 01 11 02 11 03 11 04 11 1F"
               " 02 05 11 03 11 04 11 05 11 09 11 12");
    assert_int_equal(T.app.gprs.pin_code, 1234);
    assert_int_equal(T.app.gprs.requested_qos.mean_throughput, 18);
    static const refusal_t bad[] = {
        {2, "09 07 62 61 64 2E 2E 61 70", TU}, /* "bad..ap": empty label */
        {2, "09 03 61 5F 62", TU},             /* "a_b" */
        {2, "0A 03 61 70 6E", TM},             /* visible-string */
        {3, "11 01", TM},
        {3, "06 00 00 04 D2", TM},
        {4, "02 02 02 05 11 00 11 00 11 00 11 00 11 13 02 05 11 00 11 00 11 00 11 00 11 00",
         TU}, /* mean throughput 19 */
        {4, "02 02 02 05 11 04 11 00 11 00 11 00 11 00 02 05 11 00 11 00 11 00 11 00 11 00",
         TU}, /* precedence 4 */
        {4, "02 02 02 04 11 00 11 00 11 00 11 00 02 05 11 00 11 00 11 00 11 00 11 00", TM},
        {4, "02 01 02 05 11 00 11 00 11 00 11 00 11 00", TM},
    };
    expect_refusals(45, CM_GPRS, bad, sizeof(bad) / sizeof(bad[0]));
    uint8_t long_apn[2 + 101];
    long_apn[0] = 0x09;
    long_apn[1] = 101;
    memset(long_apn + 2, 'a', 101);
    long_apn[2 + 50] = '.';
    assert_int_equal(cm_set(&T, 45, CM_GPRS, 2, long_apn, sizeof(long_apn)), TU);
    long_apn[1] = 100;
    assert_int_equal(cm_set(&T, 45, CM_GPRS, 2, long_apn, sizeof(long_apn) - 1), 0);
    assert_int_equal(T.app.gprs.apn_len, 100);
    /* A label of 64 characters is too long. */
    assert_false(cosem_gprs_apn_ok(
        (const uint8_t *)"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 64));
    assert_true(cosem_gprs_apn_ok((const uint8_t *)"a-1.b", 5));
    cosem_gprs_state_t g;
    assert_int_equal(cosem_gprs_init(&g, "-bad apn"), COSEM_COMM_ERR_VALUE);
    /* A SET notifies the meter (it re-attaches with the new APN). */
    int before = T.app.notify_count;
    assert_int_equal(set_hex(45, CM_GPRS, 2, "09 01 78"), 0);
    assert_int_equal(T.app.notify_count, before + 1);
    assert_int_equal(T.app.notify_kind, COSEM_NOTIFY_SET);
    assert_int_equal(T.app.notify_id, 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_tcp_udp, setup),
        cmocka_unit_test_setup(test_ipv4_attributes, setup),
        cmocka_unit_test_setup(test_ipv4_methods, setup),
        cmocka_unit_test_setup(test_ppp, setup),
        cmocka_unit_test_setup(test_gprs, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
