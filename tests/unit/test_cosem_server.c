/*
 * test_cosem_server.c - the COSEM object layer dispatcher and the simple
 * classes: table checks, object resolution, access rights per
 * association, Data (1), Register (3), Extended register (4), SAP
 * assignment (17) and every kind of value binding, with exact A-XDR bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cosem_test_table.h"

#define LN(...)    ((const uint8_t[6]){__VA_ARGS__})
#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static const uint8_t *LN_CLOCK = LN(0, 0, 1, 0, 0, 255);
static const uint8_t *LN_LDN = LN(0, 0, 42, 0, 0, 255);
static const uint8_t *LN_IC = LN(0, 0, 43, 1, 0, 255);
static const uint8_t *LN_SAP = LN(0, 0, 41, 0, 0, 255);
static const uint8_t *LN_APLUS = LN(1, 0, 1, 8, 0, 255);
static const uint8_t *LN_AMINUS = LN(1, 0, 2, 8, 0, 255);
static const uint8_t *LN_POWER = LN(1, 0, 1, 7, 0, 255);
static const uint8_t *LN_VOLT = LN(1, 0, 32, 7, 0, 255);
static const uint8_t *LN_MAXDEM = LN(1, 0, 1, 6, 0, 255);
static const uint8_t *LN_LPF = LN(0, 0, 96, 7, 20, 255);
static const uint8_t *LN_SERIAL = LN(0, 0, 96, 1, 0, 255);
static const uint8_t *LN_TARIFF = LN(0, 0, 96, 14, 0, 255);
static const uint8_t *LN_FREQ = LN(0, 0, 96, 128, 0, 255);
static const uint8_t *LN_FLAG = LN(0, 0, 96, 128, 1, 255);
static const uint8_t *LN_OFFSET = LN(0, 0, 96, 128, 2, 255);
static const uint8_t *LN_TITLE = LN(0, 0, 96, 128, 3, 255);
static const uint8_t *LN_PATTERN = LN(0, 0, 96, 128, 4, 255);
static const uint8_t *LN_EVENT = LN(0, 0, 96, 128, 5, 255);
static const uint8_t *LN_CB = LN(0, 0, 96, 128, 6, 255);
static const uint8_t *LN_NULL = LN(0, 0, 96, 128, 7, 255);

static int setup(void **state) {
    static cosem_test_t t;
    assert_int_equal(cosem_test_setup(&t), 0);
    *state = &t;
    return 0;
}

/* GET that must succeed with exactly these bytes. */
static void check_get(cosem_test_t *t, int which, uint16_t cls, const uint8_t *ln, int8_t attr,
                      const uint8_t *exp, size_t n) {
    dlms_assoc_view_t v = cosem_test_view(which);
    uint8_t out[512];
    size_t len = 0;
    assert_int_equal(cosem_test_get(t, &v, cls, ln, attr, out, sizeof(out), &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(out, exp, n);
}

static int get_rc(cosem_test_t *t, int which, uint16_t cls, const uint8_t *ln, int8_t attr) {
    dlms_assoc_view_t v = cosem_test_view(which);
    uint8_t out[512];
    size_t len = 0;
    int rc = cosem_test_get(t, &v, cls, ln, attr, out, sizeof(out), &len);
    if (rc != 0) {
        assert_int_equal(len, 0); /* a refusal writes nothing */
    }
    return rc;
}

static int set_rc(cosem_test_t *t, int which, uint16_t cls, const uint8_t *ln, int8_t attr,
                  const uint8_t *val, size_t n) {
    dlms_assoc_view_t v = cosem_test_view(which);
    return cosem_test_set(t, &v, cls, ln, attr, val, n);
}

static int action_rc(cosem_test_t *t, int which, uint16_t cls, const uint8_t *ln, int8_t m,
                     const uint8_t *par, size_t n) {
    dlms_assoc_view_t v = cosem_test_view(which);
    uint8_t ret[64];
    size_t len = 0;
    bool has = true;
    int rc = cosem_test_action(t, &v, cls, ln, m, par, n, ret, sizeof(ret), &len, &has);
    assert_false(has);
    return rc;
}

/* ---- table checks ---------------------------------------------------------------- */

/* An octet-string announcing 5 bytes with 2: refused at init. */
static const cosem_data_def_t bad_const = {COSEM_CONST(AXDR_OCTET_STRING, 5, 1, 2)};

static void test_table_checks(void **state) {
    (void)state;
    cosem_test_t t;
    assert_int_equal(cosem_test_setup(&t), 0);
    assert_int_equal(t.srv.count, cosem_test_object_count);
    assert_ptr_equal(t.srv.clock, &cosem_test_objects[0]);

    /* The same table against a smaller app struct: bindings fall outside. */
    cosem_server_t s;
    assert_int_equal(cosem_server_init(&s, cosem_test_objects, cosem_test_object_count, &t.app,
                                       offsetof(cosem_test_app_t, sec), &t.port),
                     COSEM_ERR_BINDING);

    static const cosem_data_def_t ok_def = {COSEM_NULL};
    static const cosem_access_t ro = COSEM_ACCESS_RO;
    const cosem_object_t bad[] = {
        {&cosem_class_data, COSEM_OBIS(0, 0, 96, 1, 0, 255), &bad_const, {&ro}},
    };
    assert_int_equal(cosem_server_init(&s, bad, 1, &t.app, sizeof(t.app), &t.port),
                     COSEM_ERR_BINDING);
    const cosem_object_t dup[] = {
        {&cosem_class_data, COSEM_OBIS(0, 0, 96, 1, 0, 255), &ok_def, {&ro}},
        {&cosem_class_data, COSEM_OBIS(0, 0, 96, 1, 0, 255), &ok_def, {&ro}},
    };
    assert_int_equal(cosem_server_init(&s, dup, 2, &t.app, sizeof(t.app), &t.port),
                     COSEM_ERR_DUPLICATE);
    const cosem_object_t noclass[] = {{NULL, COSEM_OBIS(0, 0, 96, 1, 0, 255), &ok_def, {&ro}}};
    assert_int_equal(cosem_server_init(&s, noclass, 1, &t.app, sizeof(t.app), &t.port),
                     COSEM_ERR_TABLE);
    const cosem_object_t nodef[] = {
        {&cosem_class_data, COSEM_OBIS(0, 0, 96, 1, 0, 255), NULL, {&ro}}};
    assert_int_equal(cosem_server_init(&s, nodef, 1, &t.app, sizeof(t.app), &t.port),
                     COSEM_ERR_TABLE);

    /* Association and security slots are bounded. */
    for (int i = 3; i < EM_DLMS_MAX_ASSOCIATIONS; i++) {
        assert_int_equal(cosem_server_add_association(&t.srv, &t.app.assoc[0]), 0);
    }
    assert_int_equal(cosem_server_add_association(&t.srv, &t.app.assoc[0]), COSEM_ERR_FULL);
    assert_string_equal(cosem_strerror(COSEM_ERR_DUPLICATE),
                        "logical name appears twice in the object table");
    assert_string_equal(cosem_strerror(-1), "unknown error");

    dlms_cosem_services_t svc;
    cosem_server_services(&t.srv, &svc);
    assert_ptr_equal(svc.user, &t.srv);
    assert_ptr_equal(svc.get, cosem_get);
    assert_ptr_equal(svc.set, cosem_set);
    assert_ptr_equal(svc.action, cosem_action);
}

/* ---- resolution and access ---------------------------------------------------------- */

static void test_resolution(void **state) {
    cosem_test_t *t = *state;
    /* logical_name of any visible object */
    check_get(t, CT_PUB, 8, LN_CLOCK, 1, BYTES(0x09, 0x06, 0, 0, 1, 0, 0, 0xFF));
    /* unknown name */
    assert_int_equal(get_rc(t, CT_PUB, 1, LN(0, 0, 99, 99, 0, 255), 2), DLMS_DAR_OBJECT_UNDEFINED);
    /* known, but not in the public association's list */
    assert_int_equal(get_rc(t, CT_PUB, 3, LN_APLUS, 2), DLMS_DAR_OBJECT_UNDEFINED);
    assert_int_equal(get_rc(t, CT_MGMT, 3, LN_APLUS, 1), 0);
    /* other class id */
    assert_int_equal(get_rc(t, CT_PUB, 3, LN_CLOCK, 2), DLMS_DAR_OBJECT_CLASS_INCONSISTENT);
    /* invisible object with a wrong class: still undefined (nothing leaks) */
    assert_int_equal(get_rc(t, CT_PUB, 1, LN_APLUS, 2), DLMS_DAR_OBJECT_UNDEFINED);
    /* attribute out of range */
    assert_int_equal(get_rc(t, CT_MGMT, 8, LN_CLOCK, 10), DLMS_DAR_OBJECT_UNDEFINED);
    assert_int_equal(get_rc(t, CT_MGMT, 8, LN_CLOCK, 0), DLMS_DAR_OBJECT_UNDEFINED);
    assert_int_equal(get_rc(t, CT_MGMT, 8, LN_CLOCK, -1), DLMS_DAR_OBJECT_UNDEFINED);
    assert_int_equal(action_rc(t, CT_MGMT, 3, LN_AMINUS, 2, NULL, 0), DLMS_ACTION_OBJECT_UNDEFINED);
    assert_int_equal(action_rc(t, CT_MGMT, 3, LN_AMINUS, 0, NULL, 0), DLMS_ACTION_OBJECT_UNDEFINED);
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_LPF, 3, BYTES(0x06, 0, 0, 0, 1)),
                     DLMS_DAR_OBJECT_UNDEFINED);
    assert_ptr_equal(cosem_find(&t->srv, LN_LPF), &cosem_test_objects[14]);
    assert_null(cosem_find(&t->srv, LN(1, 2, 3, 4, 5, 6)));
}

static void test_access_modes(void **state) {
    cosem_test_t *t = *state;
    const cosem_object_t *clock = cosem_find(&t->srv, LN_CLOCK);
    const cosem_object_t *lpf = cosem_find(&t->srv, LN_LPF);
    const cosem_object_t *serial = cosem_find(&t->srv, LN_SERIAL);
    const cosem_object_t *aminus = cosem_find(&t->srv, LN_AMINUS);
    const cosem_object_t *power = cosem_find(&t->srv, LN_POWER);
    const cosem_object_t *cur = cosem_find(&t->srv, LN(0, 0, 40, 0, 0, 255));
    /* public clock: time only */
    assert_int_equal(cosem_attr_access(clock, CT_PUB, 1), COSEM_ACCESS_READ);
    assert_int_equal(cosem_attr_access(clock, CT_PUB, 2), COSEM_ACCESS_READ);
    assert_int_equal(cosem_attr_access(clock, CT_PUB, 3), COSEM_ACCESS_NONE);
    assert_int_equal(cosem_method_access(clock, CT_PUB, 1), COSEM_METHOD_NONE);
    /* management: authenticated, and only what the class can write */
    assert_int_equal(cosem_attr_access(clock, CT_MGMT, 1), COSEM_ACCESS_AUTH_READ);
    assert_int_equal(cosem_attr_access(clock, CT_MGMT, 2), COSEM_ACCESS_AUTH_READ_WRITE);
    assert_int_equal(cosem_attr_access(clock, CT_MGMT, 4), COSEM_ACCESS_AUTH_READ);
    assert_int_equal(cosem_attr_access(clock, CT_MGMT, 9), COSEM_ACCESS_AUTH_READ);
    assert_int_equal(cosem_method_access(clock, CT_MGMT, 6), COSEM_METHOD_AUTH_ACCESS);
    assert_int_equal(cosem_method_access(clock, CT_MGMT, 7), COSEM_METHOD_NONE);
    assert_int_equal(cosem_attr_access(lpf, CT_PUB, 2), COSEM_ACCESS_READ);
    assert_int_equal(cosem_attr_access(lpf, CT_MGMT, 2), COSEM_ACCESS_AUTH_READ_WRITE);
    /* a constant is read-only whatever the rights say */
    assert_int_equal(cosem_attr_access(serial, CT_MGMT, 2), COSEM_ACCESS_READ);
    assert_int_equal(cosem_attr_access(aminus, CT_MGMT, 2), COSEM_ACCESS_READ_WRITE);
    assert_int_equal(cosem_attr_access(aminus, CT_MGMT, 3), COSEM_ACCESS_READ);
    assert_int_equal(cosem_attr_access(power, CT_MGMT, 2), COSEM_ACCESS_READ);
    assert_int_equal(cosem_method_access(aminus, CT_MGMT, 1), COSEM_METHOD_ACCESS);
    /* the secret is write-only */
    assert_int_equal(cosem_attr_access(cur, CT_MGMT, 7), COSEM_ACCESS_WRITE);
    assert_int_equal(cosem_attr_access(cur, CT_PUB, 7), COSEM_ACCESS_NONE);
    /* invisible */
    assert_false(cosem_visible(&t->srv, aminus, CT_PUB));
    assert_false(cosem_visible(&t->srv, aminus, EM_DLMS_MAX_ASSOCIATIONS));
    assert_true(cosem_visible(&t->srv, aminus, CT_MGMT));
    /* an Association LN of an association that is not offered is absent,
     * whatever the table's rights say */
    const cosem_object_t *absent = cosem_find(&t->srv, LN(0, 0, 40, 0, 4, 255));
    assert_non_null(absent);
    assert_false(cosem_visible(&t->srv, absent, CT_MGMT));
    assert_true(cosem_visible(&t->srv, cosem_find(&t->srv, LN(0, 0, 40, 0, 2, 255)), CT_MGMT));
    assert_int_equal(cosem_attr_access(aminus, CT_PUB, 1), COSEM_ACCESS_NONE);
}

static void test_access_denied(void **state) {
    cosem_test_t *t = *state;
    /* public may read the clock time but not the time zone */
    assert_int_equal(get_rc(t, CT_PUB, 8, LN_CLOCK, 2), 0);
    assert_int_equal(get_rc(t, CT_PUB, 8, LN_CLOCK, 3), DLMS_DAR_READ_WRITE_DENIED);
    /* read-only for the public client */
    assert_int_equal(set_rc(t, CT_PUB, 1, LN_LPF, 2, BYTES(0x06, 0, 0, 1, 0x2C)),
                     DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(t->app.lpf_threshold_s, 180);
    /* management rights need a ciphered request */
    dlms_assoc_view_t v = cosem_test_view(CT_MGMT);
    v.ciphered = false;
    uint8_t out[64];
    size_t len;
    assert_int_equal(cosem_test_get(t, &v, 8, LN_CLOCK, 2, out, sizeof(out), &len),
                     DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(cosem_test_set(t, &v, 1, LN_LPF, 2, BYTES(0x06, 0, 0, 1, 0x2C)),
                     DLMS_DAR_READ_WRITE_DENIED);
    bool has;
    assert_int_equal(
        cosem_test_action(t, &v, 8, LN_CLOCK, 3, BYTES(0x0F, 0), out, sizeof(out), &len, &has),
        DLMS_ACTION_READ_WRITE_DENIED);
    assert_int_equal(t->app.rtc_set_calls, 0);
    /* logical_name is never writable */
    assert_int_equal(set_rc(t, CT_MGMT, 3, LN_AMINUS, 1, BYTES(0x09, 6, 1, 0, 2, 8, 0, 0xFF)),
                     DLMS_DAR_READ_WRITE_DENIED);
    /* method without rights */
    assert_int_equal(action_rc(t, CT_LLS, 3, LN_APLUS, 1, BYTES(0x0F, 0)),
                     DLMS_ACTION_READ_WRITE_DENIED);
    assert_int_equal(t->app.notify_count, 0);
}

static void test_selective_access_refused(void **state) {
    cosem_test_t *t = *state;
    dlms_assoc_view_t v = cosem_test_view(CT_MGMT);
    dlms_access_selection_t sel = {.present = true, .selector = 1};
    uint8_t out[64];
    size_t len;
    assert_int_equal(cosem_test_get_sel(t, &v, 1, LN_LPF, 2, &sel, out, sizeof(out), &len),
                     DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
    sel.present = false;
    assert_int_equal(cosem_test_get_sel(t, &v, 1, LN_LPF, 2, &sel, out, sizeof(out), &len), 0);
}

/* ---- Data and bindings ------------------------------------------------------------------ */

static void test_data_reads(void **state) {
    cosem_test_t *t = *state;
    check_get(t, CT_PUB, 1, LN_LDN, 2,
              BYTES(0x09, 0x10, 'E', 'M', 'T', '0', '0', '0', '0', '0', '1', '2', '3', '4', '5',
                    '6', '7', '8'));
    check_get(t, CT_PUB, 1, LN_IC, 2, BYTES(0x06, 0x01, 0x23, 0x45, 0x67));
    check_get(t, CT_PUB, 1, LN_SERIAL, 2,
              BYTES(0x0A, 0x0A, 'E', 'M', 'T', '0', '0', '1', '2', '3', '4', '5'));
    check_get(t, CT_MGMT, 1, LN_TARIFF, 2, BYTES(0x09, 0x02, 0x00, 0x02));
    check_get(t, CT_MGMT, 1, LN_FREQ, 2, BYTES(0x17, 0x42, 0x48, 0x00, 0x00));
    check_get(t, CT_MGMT, 1, LN_FLAG, 2, BYTES(0x03, 0x00));
    check_get(t, CT_MGMT, 1, LN_OFFSET, 2, BYTES(0x0F, 0xFD));
    check_get(t, CT_MGMT, 1, LN_TITLE, 2, BYTES(0x09, 0x08, 0, 0, 0, 0, 0, 0, 0, 0));
    check_get(
        t, CT_MGMT, 1, LN_PATTERN, 2,
        BYTES(0x09, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0xFF));
    check_get(
        t, CT_MGMT, 1, LN_EVENT, 2,
        BYTES(0x09, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0xFF));
    check_get(t, CT_MGMT, 1, LN_CB, 2, BYTES(0x05, 0, 0, 0, 0));
    check_get(t, CT_MGMT, 1, LN_NULL, 2, BYTES(0x00));
    /* the invocation counter follows the security context */
    t->app.sec.tx_ic = 0xFFFFFFFEu;
    check_get(t, CT_PUB, 1, LN_IC, 2, BYTES(0x06, 0xFF, 0xFF, 0xFF, 0xFE));
}

static void test_data_writes(void **state) {
    cosem_test_t *t = *state;
    /* integer field */
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_LPF, 2, BYTES(0x06, 0, 0, 1, 0x2C)), 0);
    assert_int_equal(t->app.lpf_threshold_s, 300);
    assert_int_equal(t->app.notify_count, 1);
    assert_int_equal(t->app.notify_kind, COSEM_NOTIFY_SET);
    assert_int_equal(t->app.notify_id, 2);
    assert_ptr_equal(t->app.notify_obj, cosem_find(&t->srv, LN_LPF));
    /* wrong type, trailing bytes, truncated, empty */
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_LPF, 2, BYTES(0x12, 0x01, 0x2C)),
                     DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_LPF, 2, BYTES(0x06, 0, 0, 1, 0x2C, 0x00)),
                     DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_LPF, 2, BYTES(0x06, 0, 0, 1)),
                     DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_LPF, 2, NULL, 0), DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(t->app.lpf_threshold_s, 300);
    assert_int_equal(t->app.notify_count, 1);
    /* signed, boolean, float */
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_OFFSET, 2, BYTES(0x0F, 0x80)), 0);
    assert_int_equal(t->app.offset_c, -128);
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_FLAG, 2, BYTES(0x03, 0x01)), 0);
    assert_true(t->app.flag);
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_FLAG, 2, BYTES(0x11, 0x01)), DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_FREQ, 2, BYTES(0x17, 0x42, 0x47, 0xE6, 0x66)), 0);
    check_get(t, CT_MGMT, 1, LN_FREQ, 2, BYTES(0x17, 0x42, 0x47, 0xE6, 0x66));
    /* fixed-length string: exactly 8 bytes */
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_TITLE, 2, BYTES(0x09, 0x07, 1, 2, 3, 4, 5, 6, 7)),
                     DLMS_DAR_OTHER_REASON);
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_TITLE, 2, BYTES(0x09, 0x08, 1, 2, 3, 4, 5, 6, 7, 8)),
                     0);
    check_get(t, CT_MGMT, 1, LN_TITLE, 2, BYTES(0x09, 0x08, 1, 2, 3, 4, 5, 6, 7, 8));
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_TITLE, 2, BYTES(0x0A, 0x08, 1, 2, 3, 4, 5, 6, 7, 8)),
                     DLMS_DAR_TYPE_UNMATCHED);
    /* constants and null are read-only */
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_SERIAL, 2, BYTES(0x0A, 0x01, 'x')),
                     DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_NULL, 2, BYTES(0x00)), DLMS_DAR_READ_WRITE_DENIED);
    /* callbacks validate themselves */
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_CB, 2, BYTES(0x05, 0, 0, 0x03, 0xE8)), 0);
    check_get(t, CT_MGMT, 1, LN_CB, 2, BYTES(0x05, 0, 0, 0x03, 0xE8));
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_CB, 2, BYTES(0x05, 0, 0, 0x03, 0xE9)),
                     DLMS_DAR_OTHER_REASON);
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_CB, 2, BYTES(0x06, 0, 0, 0x03, 0xE8)),
                     DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(t->app.callback_value, 1000);
}

static void test_datetime_bindings(void **state) {
    cosem_test_t *t = *state;
    /* 2024-01-15 (Monday) 13:00:00 CET = 12:00:00 UTC */
    const uint8_t local[] = {0x09, 0x0C, 0x07, 0xE8, 0x01, 0x0F, 0x01,
                             0x0D, 0x00, 0x00, 0x00, 0xFF, 0xC4, 0x00};
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_EVENT, 2, local, sizeof(local)), 0);
    assert_int_equal(t->app.last_event, COSEM_TEST_RTC_START);
    check_get(
        t, CT_MGMT, 1, LN_EVENT, 2,
        BYTES(0x09, 0x0C, 0x07, 0xE8, 0x01, 0x0F, 0x01, 0x0D, 0x00, 0x00, 0x00, 0xFF, 0xC4, 0x00));
    /* without deviation: the meter's local time (CET in January) */
    const uint8_t nodev[] = {0x19, 0x07, 0xE8, 0x01, 0x0F, 0xFF, 0x0E,
                             0x00, 0x00, 0xFF, 0x80, 0x00, 0xFF};
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_EVENT, 2, nodev, sizeof(nodev)), 0);
    assert_int_equal(t->app.last_event, COSEM_TEST_RTC_START + 3600);
    /* all "not specified" clears it; a partial date is refused */
    const uint8_t none[] = {0x09, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                            0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0xFF};
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_EVENT, 2, none, sizeof(none)), 0);
    assert_int_equal(t->app.last_event, 0);
    const uint8_t partial[] = {0x09, 0x0C, 0xFF, 0xFF, 0x01, 0x0F, 0xFF,
                               0x0E, 0x00, 0x00, 0xFF, 0x80, 0x00, 0xFF};
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_EVENT, 2, partial, sizeof(partial)),
                     DLMS_DAR_OTHER_REASON);
    const uint8_t short_os[] = {0x09, 0x05, 0x07, 0xE8, 0x01, 0x0F, 0x01};
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_EVENT, 2, short_os, sizeof(short_os)),
                     DLMS_DAR_TYPE_UNMATCHED);
    /* a pattern is kept as it is; an invalid one refused */
    const uint8_t pat[] = {0x09, 0x0C, 0xFF, 0xFF, 0x03, 0xFE, 0x07,
                           0x02, 0x00, 0x00, 0x00, 0x80, 0x00, 0xFF};
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_PATTERN, 2, pat, sizeof(pat)), 0);
    check_get(t, CT_MGMT, 1, LN_PATTERN, 2, pat, sizeof(pat));
    const uint8_t badpat[] = {0x09, 0x0C, 0xFF, 0xFF, 0x0D, 0xFE, 0x07,
                              0x02, 0x00, 0x00, 0x00, 0x80, 0x00, 0xFF};
    assert_int_equal(set_rc(t, CT_MGMT, 1, LN_PATTERN, 2, badpat, sizeof(badpat)),
                     DLMS_DAR_OTHER_REASON);
    check_get(t, CT_MGMT, 1, LN_PATTERN, 2, pat, sizeof(pat));
}

/* Integer ranges: the wire type and the C type both bound a write. */
static void test_integer_ranges(void **state) {
    cosem_test_t *t = *state;
    static const cosem_access_t rw = COSEM_ACCESS_RW;
    typedef struct app {
        uint16_t u16;
        int16_t i16;
        bool b;
        uint8_t bytes[4];
        uint8_t len;
    } app_t;
    static const cosem_data_def_t u16_as_u32 = {COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, app_t, u16)};
    static const cosem_data_def_t i16_as_i64 = {COSEM_FIELD(AXDR_LONG64, app_t, i16)};
    static const cosem_data_def_t b_as_enum = {COSEM_FIELD(AXDR_ENUM, app_t, b)};
    static const cosem_data_def_t str = {COSEM_FIELD_STR(AXDR_VISIBLE_STRING, app_t, bytes, len)};
    const cosem_object_t objs[] = {
        {&cosem_class_data, COSEM_OBIS(0, 0, 1, 0, 0, 1), &u16_as_u32, {&rw}},
        {&cosem_class_data, COSEM_OBIS(0, 0, 1, 0, 0, 2), &i16_as_i64, {&rw}},
        {&cosem_class_data, COSEM_OBIS(0, 0, 1, 0, 0, 3), &b_as_enum, {&rw}},
        {&cosem_class_data, COSEM_OBIS(0, 0, 1, 0, 0, 4), &str, {&rw}},
    };
    app_t app;
    memset(&app, 0, sizeof(app));
    cosem_test_t local = *t;
    assert_int_equal(cosem_server_init(&local.srv, objs, 4, &app, sizeof(app), &local.port), 0);
    dlms_assoc_view_t v = cosem_test_view(CT_PUB);
    assert_int_equal(
        cosem_test_set(&local, &v, 1, LN(0, 0, 1, 0, 0, 1), 2, BYTES(0x06, 0, 0, 0xFF, 0xFF)), 0);
    assert_int_equal(app.u16, 0xFFFF);
    assert_int_equal(
        cosem_test_set(&local, &v, 1, LN(0, 0, 1, 0, 0, 1), 2, BYTES(0x06, 0, 1, 0, 0)),
        DLMS_DAR_OTHER_REASON);
    assert_int_equal(app.u16, 0xFFFF);
    assert_int_equal(cosem_test_set(&local, &v, 1, LN(0, 0, 1, 0, 0, 2), 2,
                                    BYTES(0x14, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00)),
                     0);
    assert_int_equal(app.i16, -32768);
    assert_int_equal(cosem_test_set(&local, &v, 1, LN(0, 0, 1, 0, 0, 2), 2,
                                    BYTES(0x14, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF)),
                     DLMS_DAR_OTHER_REASON);
    assert_int_equal(cosem_test_set(&local, &v, 1, LN(0, 0, 1, 0, 0, 3), 2, BYTES(0x16, 0x02)),
                     DLMS_DAR_OTHER_REASON);
    assert_int_equal(cosem_test_set(&local, &v, 1, LN(0, 0, 1, 0, 0, 3), 2, BYTES(0x16, 0x01)), 0);
    assert_true(app.b);
    uint8_t out[32];
    size_t len;
    assert_int_equal(cosem_test_get(&local, &v, 1, LN(0, 0, 1, 0, 0, 2), 2, out, sizeof(out), &len),
                     0);
    assert_int_equal(len, 9);
    assert_memory_equal(out, ((const uint8_t[]){0x14, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0}),
                        9);
    /* variable string: up to its capacity, length kept */
    assert_int_equal(
        cosem_test_set(&local, &v, 1, LN(0, 0, 1, 0, 0, 4), 2, BYTES(0x0A, 0x03, 'a', 'b', 'c')),
        0);
    assert_int_equal(app.len, 3);
    assert_int_equal(cosem_test_set(&local, &v, 1, LN(0, 0, 1, 0, 0, 4), 2,
                                    BYTES(0x0A, 0x05, 'a', 'b', 'c', 'd', 'e')),
                     DLMS_DAR_OTHER_REASON);
    assert_int_equal(cosem_test_get(&local, &v, 1, LN(0, 0, 1, 0, 0, 4), 2, out, sizeof(out), &len),
                     0);
    assert_int_equal(len, 5);
    assert_memory_equal(out,
                        "\x0A\x03"
                        "abc",
                        5);
    app.len = 200; /* a corrupt length never reads past the member */
    assert_int_equal(cosem_test_get(&local, &v, 1, LN(0, 0, 1, 0, 0, 4), 2, out, sizeof(out), &len),
                     0);
    assert_int_equal(len, 6);
}

/* ---- Register, Extended register, SAP assignment ------------------------------------------ */

static void test_register(void **state) {
    cosem_test_t *t = *state;
    check_get(t, CT_MGMT, 3, LN_APLUS, 2,
              BYTES(0x15, 0x00, 0x00, 0x00, 0x1C, 0xBE, 0x99, 0x1A, 0x14));
    check_get(t, CT_MGMT, 3, LN_APLUS, 3, BYTES(0x02, 0x02, 0x0F, 0x00, 0x16, 0x1E));
    check_get(t, CT_MGMT, 3, LN_AMINUS, 2, BYTES(0x06, 0x00, 0x00, 0x10, 0xE1));
    check_get(t, CT_MGMT, 3, LN_AMINUS, 3, BYTES(0x02, 0x02, 0x0F, 0x03, 0x16, 0x1E));
    check_get(t, CT_MGMT, 3, LN_VOLT, 2, BYTES(0x12, 0x08, 0xFD));
    check_get(t, CT_MGMT, 3, LN_VOLT, 3, BYTES(0x02, 0x02, 0x0F, 0xFF, 0x16, 0x23));
    check_get(t, CT_MGMT, 3, LN_POWER, 2, BYTES(0x05, 0xFF, 0xFF, 0xFA, 0x24));
    check_get(t, CT_MGMT, 3, LN_POWER, 3, BYTES(0x02, 0x02, 0x0F, 0x00, 0x16, 0x1B));
    /* value writable where bound to a field and granted; scaler_unit never */
    assert_int_equal(set_rc(t, CT_MGMT, 3, LN_AMINUS, 2, BYTES(0x06, 0xFF, 0xFF, 0xFF, 0xFF)), 0);
    assert_int_equal(t->app.a_minus_wh, 0xFFFFFFFFu);
    assert_int_equal(set_rc(t, CT_MGMT, 3, LN_AMINUS, 3, BYTES(0x02, 0x02, 0x0F, 0, 0x16, 0x1E)),
                     DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(set_rc(t, CT_MGMT, 3, LN_POWER, 2, BYTES(0x05, 0, 0, 0, 1)),
                     DLMS_DAR_READ_WRITE_DENIED);
    /* reset: integer 0, or no parameter */
    assert_int_equal(action_rc(t, CT_MGMT, 3, LN_AMINUS, 1, BYTES(0x0F, 0x00)), 0);
    assert_int_equal(t->app.a_minus_wh, 0);
    assert_int_equal(t->app.notify_kind, COSEM_NOTIFY_ACTION);
    assert_int_equal(t->app.notify_id, 1);
    t->app.a_minus_wh = 5;
    assert_int_equal(action_rc(t, CT_MGMT, 3, LN_AMINUS, 1, NULL, 0), 0);
    assert_int_equal(t->app.a_minus_wh, 0);
    t->app.a_minus_wh = 5;
    assert_int_equal(action_rc(t, CT_MGMT, 3, LN_AMINUS, 1, BYTES(0x09, 0x00)),
                     DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(action_rc(t, CT_MGMT, 3, LN_AMINUS, 1, BYTES(0x0F, 0x00, 0x00)),
                     DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(t->app.a_minus_wh, 5);
    /* a callback value cannot be reset */
    assert_int_equal(action_rc(t, CT_MGMT, 3, LN_POWER, 1, BYTES(0x0F, 0x00)),
                     DLMS_ACTION_READ_WRITE_DENIED);
}

static void test_extended_register(void **state) {
    cosem_test_t *t = *state;
    t->app.max_demand_w = 7000;
    t->app.max_demand_status = 0x04;
    t->app.max_demand_time = COSEM_TEST_RTC_START - 3600; /* 11:00 UTC = 12:00 CET */
    check_get(t, CT_MGMT, 4, LN_MAXDEM, 2, BYTES(0x06, 0x00, 0x00, 0x1B, 0x58));
    check_get(t, CT_MGMT, 4, LN_MAXDEM, 3, BYTES(0x02, 0x02, 0x0F, 0x00, 0x16, 0x1B));
    check_get(t, CT_MGMT, 4, LN_MAXDEM, 4, BYTES(0x11, 0x04));
    check_get(
        t, CT_MGMT, 4, LN_MAXDEM, 5,
        BYTES(0x09, 0x0C, 0x07, 0xE8, 0x01, 0x0F, 0x01, 0x0C, 0x00, 0x00, 0x00, 0xFF, 0xC4, 0x00));
    assert_int_equal(set_rc(t, CT_MGMT, 4, LN_MAXDEM, 5,
                            BYTES(0x09, 0x0C, 0x07, 0xE8, 0x01, 0x0F, 0x01, 0x0C, 0x00, 0x00, 0x00,
                                  0xFF, 0xC4, 0x00)),
                     DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(action_rc(t, CT_MGMT, 4, LN_MAXDEM, 1, BYTES(0x0F, 0x00)), 0);
    assert_int_equal(t->app.max_demand_w, 0);
    assert_int_equal(t->app.max_demand_status, 0);
    assert_int_equal(t->app.max_demand_time, COSEM_TEST_RTC_START);
    check_get(
        t, CT_MGMT, 4, LN_MAXDEM, 5,
        BYTES(0x09, 0x0C, 0x07, 0xE8, 0x01, 0x0F, 0x01, 0x0D, 0x00, 0x00, 0x00, 0xFF, 0xC4, 0x00));
}

static void test_sap_assignment(void **state) {
    cosem_test_t *t = *state;
    check_get(t, CT_MGMT, 17, LN_SAP, 2,
              BYTES(0x01, 0x01, 0x02, 0x02, 0x12, 0x00, 0x01, 0x09, 0x10, 'E', 'M', 'T', '0', '0',
                    '0', '0', '0', '1', '2', '3', '4', '5', '6', '7', '8'));
    assert_int_equal(action_rc(t, CT_MGMT, 17, LN_SAP, 1, BYTES(0x12, 0x00, 0x01)),
                     DLMS_ACTION_READ_WRITE_DENIED);
    assert_int_equal(set_rc(t, CT_MGMT, 17, LN_SAP, 2, BYTES(0x01, 0x00)),
                     DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(get_rc(t, CT_PUB, 17, LN_SAP, 2), DLMS_DAR_OBJECT_UNDEFINED);
}

/* A GET into a buffer too small reports the encoder's overflow. */
static void test_small_buffer(void **state) {
    cosem_test_t *t = *state;
    dlms_assoc_view_t v = cosem_test_view(CT_MGMT);
    uint8_t out[4];
    size_t len;
    assert_int_equal(cosem_test_get(t, &v, 3, LN_APLUS, 2, out, sizeof(out), &len),
                     AXDR_ERR_OVERFLOW);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_checks),
        cmocka_unit_test_setup(test_resolution, setup),
        cmocka_unit_test_setup(test_access_modes, setup),
        cmocka_unit_test_setup(test_access_denied, setup),
        cmocka_unit_test_setup(test_selective_access_refused, setup),
        cmocka_unit_test_setup(test_data_reads, setup),
        cmocka_unit_test_setup(test_data_writes, setup),
        cmocka_unit_test_setup(test_datetime_bindings, setup),
        cmocka_unit_test_setup(test_integer_ranges, setup),
        cmocka_unit_test_setup(test_register, setup),
        cmocka_unit_test_setup(test_extended_register, setup),
        cmocka_unit_test_setup(test_sap_assignment, setup),
        cmocka_unit_test_setup(test_small_buffer, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
