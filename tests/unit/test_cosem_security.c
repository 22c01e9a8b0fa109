/*
 * test_cosem_security.c - Security setup (class 64, version 0): attributes,
 * security_activate (only stronger), global_key_transfer with the RFC 3394
 * vector of dlms-facts §3.4, refusal of a bad wrap leaving every key as it
 * was, and the invocation counter object read by the public client.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cosem_test_table.h"
#include "dlms/security.h"

#define LN(...)    ((const uint8_t[6]){__VA_ARGS__})
#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static const uint8_t *LN_SEC = LN(0, 0, 43, 0, 0, 255);

/* dlms-facts §3.4: RFC 3394 §4.1 */
static const uint8_t KEY_DATA[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                     0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
static const uint8_t WRAPPED[24] = {0x1F, 0xA6, 0x8B, 0x0A, 0x81, 0x12, 0xB4, 0x47,
                                    0xAE, 0xF3, 0x4B, 0xD8, 0xFB, 0x5A, 0x7B, 0x82,
                                    0x9D, 0x3E, 0x86, 0x23, 0x71, 0xD2, 0xCF, 0xE5};

static int setup(void **state) {
    static cosem_test_t t;
    assert_int_equal(cosem_test_setup(&t), 0);
    *state = &t;
    return 0;
}

static void check_get(cosem_test_t *t, int8_t attr, const uint8_t *exp, size_t n) {
    dlms_assoc_view_t v = cosem_test_view(CT_MGMT);
    uint8_t out[64];
    size_t len = 0;
    assert_int_equal(cosem_test_get(t, &v, 64, LN_SEC, attr, out, sizeof(out), &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(out, exp, n);
}

static int action_rc(cosem_test_t *t, int8_t m, const uint8_t *par, size_t n) {
    dlms_assoc_view_t v = cosem_test_view(CT_MGMT);
    uint8_t ret[16];
    size_t len;
    bool has = true;
    int rc = cosem_test_action(t, &v, 64, LN_SEC, m, par, n, ret, sizeof(ret), &len, &has);
    assert_false(has);
    return rc;
}

/* Builds array of structure{enum id, octet-string wrapped}. */
typedef struct keys_param {
    uint8_t b[200];
    size_t n;
} keys_param_t;

static void kp_begin(keys_param_t *p, uint8_t count) {
    p->b[0] = 0x01;
    p->b[1] = count;
    p->n = 2;
}

static void kp_add(keys_param_t *p, uint8_t id, const uint8_t *wrapped, uint8_t len) {
    uint8_t *q = p->b + p->n;
    q[0] = 0x02;
    q[1] = 0x02;
    q[2] = 0x16;
    q[3] = id;
    q[4] = 0x09;
    q[5] = len;
    memcpy(q + 6, wrapped, len);
    p->n += 6u + len;
}

/* ---- attributes ----------------------------------------------------------------- */

static void test_attributes(void **state) {
    cosem_test_t *t = *state;
    check_get(t, 1, BYTES(0x09, 0x06, 0x00, 0x00, 0x2B, 0x00, 0x00, 0xFF));
    check_get(t, 2, BYTES(0x16, 0x01));
    check_get(t, 3, BYTES(0x16, 0x00));
    check_get(t, 4, BYTES(0x09, 0x00));
    check_get(t, 5, BYTES(0x09, 0x08, 0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E));
    /* the public client does not see it; management only ciphered */
    dlms_assoc_view_t pub = cosem_test_view(CT_PUB);
    dlms_assoc_view_t plain = cosem_test_view(CT_MGMT);
    plain.ciphered = false;
    uint8_t out[16];
    size_t len;
    assert_int_equal(cosem_test_get(t, &pub, 64, LN_SEC, 2, out, sizeof(out), &len),
                     DLMS_DAR_OBJECT_UNDEFINED);
    assert_int_equal(cosem_test_get(t, &plain, 64, LN_SEC, 2, out, sizeof(out), &len),
                     DLMS_DAR_READ_WRITE_DENIED);

    dlms_assoc_view_t v = cosem_test_view(CT_MGMT);
    const uint8_t title[] = {0x09, 0x08, 0x4D, 0x4D, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x01};
    assert_int_equal(cosem_test_set(t, &v, 64, LN_SEC, 4, title, sizeof(title)), 0);
    check_get(t, 4, title, sizeof(title));
    assert_true(t->app.sec.has_client_system_title);
    assert_int_equal(cosem_test_set(t, &v, 64, LN_SEC, 4, BYTES(0x09, 0x07, 1, 2, 3, 4, 5, 6, 7)),
                     DLMS_DAR_OTHER_REASON);
    assert_int_equal(cosem_test_set(t, &v, 64, LN_SEC, 4, BYTES(0x0A, 0x01, 'x')),
                     DLMS_DAR_TYPE_UNMATCHED);
    check_get(t, 4, title, sizeof(title));
    assert_int_equal(cosem_test_set(t, &v, 64, LN_SEC, 2, BYTES(0x16, 0x03)),
                     DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(
        cosem_test_set(t, &v, 64, LN_SEC, 5, BYTES(0x09, 0x08, 0, 0, 0, 0, 0, 0, 0, 0)),
        DLMS_DAR_READ_WRITE_DENIED);
}

/* ---- security_activate --------------------------------------------------------------- */

static void test_security_activate(void **state) {
    cosem_test_t *t = *state;
    /* authenticated (1) -> encrypted only (2) would drop authentication */
    assert_int_equal(action_rc(t, 1, BYTES(0x16, 0x02)), DLMS_ACTION_READ_WRITE_DENIED);
    assert_int_equal(action_rc(t, 1, BYTES(0x16, 0x00)), DLMS_ACTION_READ_WRITE_DENIED);
    assert_int_equal(t->app.sec.security_policy, 1);
    /* same policy is fine, stronger too */
    assert_int_equal(action_rc(t, 1, BYTES(0x16, 0x01)), 0);
    assert_int_equal(action_rc(t, 1, BYTES(0x16, 0x03)), 0);
    assert_int_equal(t->app.sec.security_policy, 3);
    assert_int_equal(t->app.notify_kind, COSEM_NOTIFY_ACTION);
    assert_int_equal(t->app.notify_id, 1);
    check_get(t, 2, BYTES(0x16, 0x03));
    assert_int_equal(action_rc(t, 1, BYTES(0x16, 0x01)), DLMS_ACTION_READ_WRITE_DENIED);
    assert_int_equal(action_rc(t, 1, BYTES(0x16, 0x04)), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(action_rc(t, 1, BYTES(0x11, 0x03)), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(action_rc(t, 1, NULL, 0), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(t->app.sec.security_policy, 3);
}

/* ---- global_key_transfer ------------------------------------------------------------------ */

static void test_key_transfer_rfc3394(void **state) {
    cosem_test_t *t = *state;
    keys_param_t p;
    kp_begin(&p, 1);
    kp_add(&p, COSEM_KEY_ID_GUEK, WRAPPED, sizeof(WRAPPED));
    t->app.sec.rx_ic_valid = true;
    t->app.sec.rx_ic_last = 77;
    assert_int_equal(action_rc(t, 2, p.b, p.n), 0);
    assert_memory_equal(t->app.sec.keys.guek, KEY_DATA, 16);
    assert_false(t->app.sec.rx_ic_valid);
    assert_int_equal(t->app.sec.rx_ic_last, 0);
    assert_int_equal(t->app.sec.tx_ic, 0x01234567u); /* never reused: kept */
    assert_int_equal(t->app.notify_kind, COSEM_NOTIFY_ACTION);
    assert_int_equal(t->app.notify_id, 2);
    /* the other keys did not move */
    for (uint8_t i = 0; i < 16; i++) {
        assert_int_equal(t->app.sec.keys.ak[i], 0xD0 + i);
        assert_int_equal(t->app.sec.keys.kek[i], i);
    }
}

static void test_key_transfer_refusals(void **state) {
    cosem_test_t *t = *state;
    dlms_sec_keys_t before = t->app.sec.keys;
    uint8_t bad[24];
    memcpy(bad, WRAPPED, 24);
    bad[23] ^= 0x01;
    uint8_t ak_wrapped[24];
    uint8_t new_ak[16];
    memset(new_ak, 0xA5, 16);
    assert_int_equal(dlms_sec_key_wrap(&t->app.sec.keys, new_ak, ak_wrapped), 0);

    keys_param_t p;
    /* a bad wrap */
    kp_begin(&p, 1);
    kp_add(&p, COSEM_KEY_ID_GUEK, bad, 24);
    assert_int_equal(action_rc(t, 2, p.b, p.n), DLMS_ACTION_OTHER_REASON);
    /* a good AK followed by a bad GUEK: nothing switches */
    kp_begin(&p, 2);
    kp_add(&p, COSEM_KEY_ID_AK, ak_wrapped, 24);
    kp_add(&p, COSEM_KEY_ID_GUEK, bad, 24);
    assert_int_equal(action_rc(t, 2, p.b, p.n), DLMS_ACTION_OTHER_REASON);
    /* a repeated key id */
    kp_begin(&p, 2);
    kp_add(&p, COSEM_KEY_ID_AK, ak_wrapped, 24);
    kp_add(&p, COSEM_KEY_ID_AK, ak_wrapped, 24);
    assert_int_equal(action_rc(t, 2, p.b, p.n), DLMS_ACTION_OTHER_REASON);
    /* an unknown key id, a short wrap */
    kp_begin(&p, 1);
    kp_add(&p, 4, WRAPPED, 24);
    assert_int_equal(action_rc(t, 2, p.b, p.n), DLMS_ACTION_OTHER_REASON);
    kp_begin(&p, 1);
    kp_add(&p, COSEM_KEY_ID_GUEK, WRAPPED, 16);
    assert_int_equal(action_rc(t, 2, p.b, p.n), DLMS_ACTION_OTHER_REASON);
    /* wrong shapes */
    kp_begin(&p, 0);
    assert_int_equal(action_rc(t, 2, p.b, p.n), DLMS_ACTION_OTHER_REASON);
    kp_begin(&p, 5);
    for (int i = 0; i < 5; i++) {
        kp_add(&p, (uint8_t)(i % 4), WRAPPED, 24);
    }
    assert_int_equal(action_rc(t, 2, p.b, p.n), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(action_rc(t, 2, BYTES(0x01, 0x01, 0x02, 0x03, 0x16, 0x00, 0x09, 0x00, 0x00)),
                     DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(action_rc(t, 2, BYTES(0x01, 0x01, 0x02, 0x02, 0x11, 0x00, 0x09, 0x00)),
                     DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(action_rc(t, 2, BYTES(0x02, 0x02, 0x16, 0x00, 0x09, 0x00)),
                     DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(action_rc(t, 2, NULL, 0), DLMS_ACTION_TYPE_UNMATCHED);
    /* not over a plain request */
    dlms_assoc_view_t plain = cosem_test_view(CT_MGMT);
    plain.ciphered = false;
    kp_begin(&p, 1);
    kp_add(&p, COSEM_KEY_ID_GUEK, WRAPPED, 24);
    uint8_t ret[8];
    size_t len;
    bool has;
    assert_int_equal(
        cosem_test_action(t, &plain, 64, LN_SEC, 2, p.b, p.n, ret, sizeof(ret), &len, &has),
        DLMS_ACTION_READ_WRITE_DENIED);

    assert_memory_equal(&t->app.sec.keys, &before, sizeof(before));
    assert_int_equal(t->app.notify_count, 0);
}

static void test_key_transfer_several(void **state) {
    cosem_test_t *t = *state;
    uint8_t gbek[16], ak[16], kek[16];
    uint8_t w_gbek[24], w_ak[24], w_kek[24];
    memset(gbek, 0x1B, 16);
    memset(ak, 0xAA, 16);
    memset(kek, 0x4B, 16);
    assert_int_equal(dlms_sec_key_wrap(&t->app.sec.keys, gbek, w_gbek), 0);
    assert_int_equal(dlms_sec_key_wrap(&t->app.sec.keys, ak, w_ak), 0);
    assert_int_equal(dlms_sec_key_wrap(&t->app.sec.keys, kek, w_kek), 0);
    keys_param_t p;
    kp_begin(&p, 4);
    kp_add(&p, COSEM_KEY_ID_KEK, w_kek, 24); /* every key is wrapped with the old KEK */
    kp_add(&p, COSEM_KEY_ID_GBEK, w_gbek, 24);
    kp_add(&p, COSEM_KEY_ID_AK, w_ak, 24);
    kp_add(&p, COSEM_KEY_ID_GUEK, WRAPPED, 24);
    t->app.sec.rx_ic_valid = true;
    assert_int_equal(action_rc(t, 2, p.b, p.n), 0);
    assert_memory_equal(t->app.sec.keys.guek, KEY_DATA, 16);
    assert_memory_equal(t->app.sec.keys.gbek, gbek, 16);
    assert_memory_equal(t->app.sec.keys.ak, ak, 16);
    assert_memory_equal(t->app.sec.keys.kek, kek, 16);
    assert_false(t->app.sec.rx_ic_valid);
    /* the next transfer needs the new KEK */
    kp_begin(&p, 1);
    kp_add(&p, COSEM_KEY_ID_AK, w_ak, 24);
    assert_int_equal(action_rc(t, 2, p.b, p.n), DLMS_ACTION_OTHER_REASON);
    uint8_t ak2[16], w_ak2[24];
    memset(ak2, 0x22, 16);
    assert_int_equal(dlms_sec_key_wrap(&t->app.sec.keys, ak2, w_ak2), 0);
    kp_begin(&p, 1);
    kp_add(&p, COSEM_KEY_ID_AK, w_ak2, 24);
    t->app.sec.rx_ic_valid = true;
    assert_int_equal(action_rc(t, 2, p.b, p.n), 0);
    assert_memory_equal(t->app.sec.keys.ak, ak2, 16);
    assert_true(t->app.sec.rx_ic_valid); /* only a new GUEK resets it */
}

/* A Security setup whose context was never registered. */
static void test_missing_context(void **state) {
    cosem_test_t *t = *state;
    t->srv.sec_count = 0;
    dlms_assoc_view_t v = cosem_test_view(CT_MGMT);
    uint8_t out[16];
    size_t len;
    assert_int_equal(cosem_test_get(t, &v, 64, LN_SEC, 2, out, sizeof(out), &len),
                     DLMS_DAR_OBJECT_UNAVAILABLE);
    assert_int_equal(action_rc(t, 1, BYTES(0x16, 0x03)), DLMS_ACTION_OBJECT_UNAVAILABLE);
    /* the association then shows no security setup reference */
    assert_int_equal(cosem_test_get(t, &v, 15, LN(0, 0, 40, 0, 0, 255), 9, out, sizeof(out), &len),
                     0);
    assert_memory_equal(out, ((const uint8_t[]){0x09, 0x06, 0, 0, 0, 0, 0, 0}), 8);
}

static void test_ic_for_clients(void **state) {
    (void)state;
    dlms_security_context_t sec;
    memset(&sec, 0, sizeof(sec));
    sec.tx_ic = 100;
    assert_int_equal(cosem_ic_for_clients(&sec), 100);
    sec.rx_ic_last = 500; /* not valid yet: ignored */
    assert_int_equal(cosem_ic_for_clients(&sec), 100);
    sec.rx_ic_valid = true;
    assert_int_equal(cosem_ic_for_clients(&sec), 500);
    sec.tx_ic = 501;
    assert_int_equal(cosem_ic_for_clients(&sec), 501);
    assert_int_equal(cosem_ic_for_clients(NULL), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_attributes, setup),
        cmocka_unit_test_setup(test_security_activate, setup),
        cmocka_unit_test_setup(test_key_transfer_rfc3394, setup),
        cmocka_unit_test_setup(test_key_transfer_refusals, setup),
        cmocka_unit_test_setup(test_key_transfer_several, setup),
        cmocka_unit_test_setup(test_missing_context, setup),
        cmocka_unit_test(test_ic_for_clients),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
