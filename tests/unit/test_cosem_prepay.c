/*
 * test_cosem_prepay.c - payment metering: Account (111), Credit (112),
 * Charge (113), Token gateway (115) and the prepayment engine, on a small
 * table of their own: attribute encodings with exact bytes, hostile SETs
 * (refused, nothing changed), a consumption scenario (credit down by unit
 * charge x energy, low credit warning, emergency credit, exhaustion
 * reported once, top-up pays back and reconnects), friendly credit
 * deferring the disconnect, emergency credit by invoke_credit, token
 * top-ups (valid, replayed, corrupted, wrong key, wrong meter, bad type,
 * provision limit), standing charges over periods, passive unit charge
 * activation, payment-event debt recovery and credit_charge_configuration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cosem_test_table.h"
#include "test_cosem_prepay_table.h"

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static pp_t T;
static const int64_t T0 = PP_T0;

static int setup(void **state) {
    (void)state;
    return pp_setup(&T);
}

static const cosem_object_t *obj(const uint8_t ln[6]) {
    return cosem_find(&T.srv, ln);
}

static int get(uint16_t cls, const uint8_t ln[6], int8_t attr, uint8_t *out, size_t cap,
               size_t *len) {
    dlms_assoc_view_t v = cosem_test_view(CT_PUB);
    return cosem_call_get(&T.srv, &v, cls, ln, attr, NULL, out, cap, len);
}

static void expect_get(uint16_t cls, const uint8_t ln[6], int8_t attr, const uint8_t *exp,
                       size_t n) {
    uint8_t out[256];
    size_t len = 0;
    assert_int_equal(get(cls, ln, attr, out, sizeof(out), &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(out, exp, n);
}

static int set(uint16_t cls, const uint8_t ln[6], int8_t attr, const uint8_t *v, size_t n) {
    dlms_assoc_view_t view = cosem_test_view(CT_PUB);
    return cosem_call_set(&T.srv, &view, cls, ln, attr, v, n);
}

static int act(uint16_t cls, const uint8_t ln[6], int8_t m, const uint8_t *p, size_t n) {
    dlms_assoc_view_t view = cosem_test_view(CT_PUB);
    uint8_t ret[64];
    size_t rlen = 0;
    bool has = false;
    return cosem_call_action(&T.srv, &view, cls, ln, m, p, n, ret, sizeof(ret), &rlen, &has);
}

static const uint8_t DUMMY[] = {0x0F, 0x00};

/* One second of the meter: `wh` more energy on the register, then a tick. */
static int consume(uint64_t wh) {
    T.app.a_plus_wh += wh;
    T.app.rtc += 1;
    return cosem_prepay_tick(&T.srv, obj(LN_ACCOUNT), T.app.rtc, 0);
}

static void activate(void) {
    assert_int_equal(act(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 1, DUMMY, sizeof(DUMMY)), 0);
    assert_int_equal(T.app.account.account_status, COSEM_ACCOUNT_ACTIVE);
}

static int top_up_credit(int32_t amount) {
    uint8_t p[5] = {0x05, (uint8_t)(amount >> 24), (uint8_t)(amount >> 16), (uint8_t)(amount >> 8),
                    (uint8_t)amount};
    return act(COSEM_CLASS_CREDIT, LN_TOKEN, 1, p, sizeof(p));
}

/* ---- encodings ---------------------------------------------------------------------- */

static void test_attribute_encodings(void **state) {
    (void)state;
    expect_get(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 2, BYTES(0x02, 0x02, 0x16, 0x02, 0x16, 0x01));
    expect_get(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 3, BYTES(0x11, 0x00));
    expect_get(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 4, BYTES(0x04, 0x08, 0x00));
    expect_get(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 5, BYTES(0x05, 0x00, 0x00, 0x00, 0x00));
    expect_get(
        COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 9,
        BYTES(0x01, 0x02, 0x09, 0x06, 0, 0, 19, 10, 0, 255, 0x09, 0x06, 0, 0, 19, 10, 1, 255));
    expect_get(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 11, BYTES(0x01, 0x00));
    expect_get(
        COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 13,
        BYTES(0x09, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0xFF));
    expect_get(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 15,
               BYTES(0x02, 0x03, 0x0C, 0x03, 'E', 'U', 'R', 0x0F, 0xFE, 0x16, 0x02));
    expect_get(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 16, BYTES(0x05, 0x00, 0x00, 0x00, 0x28));
    expect_get(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 18, BYTES(0x12, 0x00, 0x00));
    /* credits: token configuration = bit 4 (tokens), emergency = bits 0, 2, 3 */
    expect_get(COSEM_CLASS_CREDIT, LN_TOKEN, 7, BYTES(0x04, 0x05, 0x08));
    expect_get(COSEM_CLASS_CREDIT, LN_EMERGENCY, 7, BYTES(0x04, 0x05, 0xB0));
    expect_get(COSEM_CLASS_CREDIT, LN_EMERGENCY, 3, BYTES(0x16, 0x02));
    expect_get(COSEM_CLASS_CREDIT, LN_EMERGENCY, 2, BYTES(0x05, 0x00, 0x00, 0x00, 0x32));
    expect_get(COSEM_CLASS_CREDIT, LN_EMERGENCY, 8, BYTES(0x16, 0x00));
    expect_get(COSEM_CLASS_CREDIT, LN_TOKEN, 4, BYTES(0x11, 0x01));
    expect_get(COSEM_CLASS_CREDIT, LN_TOKEN, 8, BYTES(0x16, 0x04));
    /* the energy charge's unit charge: 25 ct/kWh from 1.0.1.8.0.255 */
    expect_get(COSEM_CLASS_CHARGE, LN_ENERGY, 5,
               BYTES(0x02, 0x03, 0x02, 0x02, 0x0F, 0xFD, 0x0F, 0x00, 0x02, 0x03, 0x12, 0x00, 0x03,
                     0x09, 0x06, 1, 0, 1, 8, 0, 255, 0x0F, 0x02, 0x01, 0x01, 0x02, 0x02, 0x09, 0x00,
                     0x10, 0x00, 0x19));
    expect_get(COSEM_CLASS_CHARGE, LN_ENERGY, 9, BYTES(0x04, 0x02, 0x40));
    expect_get(COSEM_CLASS_CHARGE, LN_STANDING, 8, BYTES(0x06, 0x00, 0x01, 0x51, 0x80));
    expect_get(COSEM_CLASS_CHARGE, LN_DEBT, 13, BYTES(0x12, 0x09, 0xC4));
    expect_get(COSEM_CLASS_TOKEN_GATEWAY, LN_GATEWAY, 6,
               BYTES(0x02, 0x02, 0x16, 0x03, 0x04, 0x08, 0x00));
    expect_get(COSEM_CLASS_TOKEN_GATEWAY, LN_GATEWAY, 4, BYTES(0x01, 0x00));
    expect_get(COSEM_CLASS_TOKEN_GATEWAY, LN_GATEWAY, 5, BYTES(0x16, 0x00));
    /* attributes that do not exist */
    uint8_t out[8];
    size_t len;
    assert_int_equal(get(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 20, out, sizeof(out), &len),
                     DLMS_DAR_OBJECT_UNDEFINED);
    assert_int_equal(get(COSEM_CLASS_CREDIT, LN_TOKEN, 12, out, sizeof(out), &len),
                     DLMS_DAR_OBJECT_UNDEFINED);
    assert_int_equal(get(COSEM_CLASS_CHARGE, LN_DEBT, 14, out, sizeof(out), &len),
                     DLMS_DAR_OBJECT_UNDEFINED);
}

static void test_round_trips(void **state) {
    (void)state;
    /* written values read back the same */
    static const uint8_t ccc[] = {0x01, 0x01, 0x02, 0x03, 0x09, 0x06, 0, 0,   19,   10,   0,   255,
                                  0x09, 0x06, 0,    0,    19,   20,   1, 255, 0x04, 0x03, 0xA0};
    assert_int_equal(set(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 11, ccc, sizeof(ccc)), 0);
    expect_get(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 11, ccc, sizeof(ccc));
    assert_int_equal(T.app.account.ccc[0].collection,
                     COSEM_COLLECT_WHEN_DISCONNECTED | COSEM_COLLECT_FRIENDLY);
    static const uint8_t tgc[] = {0x01, 0x02, 0x02, 0x02, 0x09, 0x06, 0,    0,    19,
                                  10,   0,    255,  0x11, 0x5A, 0x02, 0x02, 0x09, 0x06,
                                  0,    0,    19,   10,   1,    255,  0x11, 0x0A};
    assert_int_equal(set(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 12, tgc, sizeof(tgc)), 0);
    expect_get(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 12, tgc, sizeof(tgc));
    static const uint8_t cur[] = {0x02, 0x03, 0x0C, 0x03, 'G', 'B', 'P', 0x0F, 0xFD, 0x16, 0x02};
    assert_int_equal(set(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 15, cur, sizeof(cur)), 0);
    expect_get(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 15, cur, sizeof(cur));
    static const uint8_t mode[] = {0x02, 0x02, 0x16, 0x01, 0x16, 0x01};
    assert_int_equal(set(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 2, mode, sizeof(mode)), 0);
    expect_get(COSEM_CLASS_ACCOUNT, LN_ACCOUNT, 2, mode, sizeof(mode));
    /* a passive unit charge with two tariff bands */
    static const uint8_t unit[] = {0x02, 0x03, 0x02, 0x02, 0x0F, 0xFD, 0x0F, 0x00, 0x02, 0x03, 0x12,
                                   0x00, 0x00, 0x09, 0x06, 0,    0,    0,    0,    0,    0,    0x0F,
                                   0x00, 0x01, 0x02, 0x02, 0x02, 0x09, 0x02, 0x00, 0x01, 0x10, 0x00,
                                   0x1E, 0x02, 0x02, 0x09, 0x02, 0x00, 0x02, 0x10, 0x00, 0x14};
    assert_int_equal(set(COSEM_CLASS_CHARGE, LN_ENERGY, 6, unit, sizeof(unit)), 0);
    expect_get(COSEM_CLASS_CHARGE, LN_ENERGY, 6, unit, sizeof(unit));
    static const uint8_t cfg[] = {0x04, 0x05, 0x48};
    assert_int_equal(set(COSEM_CLASS_CREDIT, LN_TOKEN, 7, cfg, sizeof(cfg)), 0);
    assert_int_equal(T.app.token.credit_configuration,
                     COSEM_CREDIT_CFG_CONFIRMATION | COSEM_CREDIT_CFG_TOKENS);
    expect_get(COSEM_CLASS_CREDIT, LN_TOKEN, 7, cfg, sizeof(cfg));
}

/* ---- hostile SETs -------------------------------------------------------------------------- */

typedef struct set_case {
    uint16_t cls;
    const uint8_t *ln;
    int8_t attr;
    const uint8_t *v;
    size_t n;
    int dar;
} set_case_t;

#define CASE(cls, ln, attr, dar, ...)                                                              \
    {                                                                                              \
        (cls), (ln), (attr), (const uint8_t[]){__VA_ARGS__},                                       \
            sizeof((const uint8_t[]){__VA_ARGS__}), (dar)                                          \
    }

static void test_hostile_sets(void **state) {
    (void)state;
    const int TU = DLMS_DAR_TYPE_UNMATCHED, OR = DLMS_DAR_OTHER_REASON,
              RW = DLMS_DAR_READ_WRITE_DENIED;
    const set_case_t cases[] = {
        /* account_mode_and_status */
        CASE(111, LN_ACCOUNT, 2, TU, 0x02, 0x01, 0x16, 0x02),
        CASE(111, LN_ACCOUNT, 2, TU, 0x02, 0x02, 0x11, 0x02, 0x16, 0x01),
        CASE(111, LN_ACCOUNT, 2, OR, 0x02, 0x02, 0x16, 0x03, 0x16, 0x01),
        CASE(111, LN_ACCOUNT, 2, OR, 0x02, 0x02, 0x16, 0x02, 0x16, 0x02), /* status by SET */
        CASE(111, LN_ACCOUNT, 2, TU, 0x02, 0x02, 0x16, 0x02),             /* truncated */
        /* computed attributes are read-only */
        CASE(111, LN_ACCOUNT, 5, RW, 0x05, 0x00, 0x00, 0x00, 0x01),
        CASE(111, LN_ACCOUNT, 3, RW, 0x11, 0x01),
        /* credit_reference_list: a Charge, an unknown name, a short name, a duplicate */
        CASE(111, LN_ACCOUNT, 9, OR, 0x01, 0x01, 0x09, 0x06, 0, 0, 19, 20, 0, 255),
        CASE(111, LN_ACCOUNT, 9, OR, 0x01, 0x01, 0x09, 0x06, 0, 0, 19, 10, 9, 255),
        CASE(111, LN_ACCOUNT, 9, OR, 0x01, 0x01, 0x09, 0x05, 0, 0, 19, 10, 0),
        CASE(111, LN_ACCOUNT, 9, OR, 0x01, 0x02, 0x09, 0x06, 0, 0, 19, 10, 0, 255, 0x09, 0x06, 0, 0,
             19, 10, 0, 255),
        CASE(111, LN_ACCOUNT, 9, TU, 0x01, 0x01, 0x0A, 0x06, 0, 0, 19, 10, 0, 255),
        CASE(111, LN_ACCOUNT, 9, TU, 0x01, 0x02, 0x09, 0x06, 0, 0, 19, 10, 0, 255),
        /* charge_reference_list naming a credit */
        CASE(111, LN_ACCOUNT, 10, OR, 0x01, 0x01, 0x09, 0x06, 0, 0, 19, 10, 0, 255),
        /* credit_charge_configuration: charge not in the list, a 4th collection bit */
        CASE(111, LN_ACCOUNT, 11, OR, 0x01, 0x01, 0x02, 0x03, 0x09, 0x06, 0, 0, 19, 10, 0, 255,
             0x09, 0x06, 0, 0, 19, 20, 7, 255, 0x04, 0x03, 0x00),
        CASE(111, LN_ACCOUNT, 11, OR, 0x01, 0x01, 0x02, 0x03, 0x09, 0x06, 0, 0, 19, 10, 0, 255,
             0x09, 0x06, 0, 0, 19, 20, 0, 255, 0x04, 0x04, 0x10),
        CASE(111, LN_ACCOUNT, 11, TU, 0x01, 0x01, 0x02, 0x02, 0x09, 0x06, 0, 0, 19, 10, 0, 255,
             0x09, 0x06, 0, 0, 19, 20, 0, 255),
        /* token_gateway_configuration: proportions not adding up to 100, over 100 */
        CASE(111, LN_ACCOUNT, 12, OR, 0x01, 0x01, 0x02, 0x02, 0x09, 0x06, 0, 0, 19, 10, 0, 255,
             0x11, 0x32),
        CASE(111, LN_ACCOUNT, 12, OR, 0x01, 0x01, 0x02, 0x02, 0x09, 0x06, 0, 0, 19, 10, 0, 255,
             0x11, 0xC8),
        /* currency: unit 3, a name too long, wrong string type */
        CASE(111, LN_ACCOUNT, 15, OR, 0x02, 0x03, 0x0C, 0x03, 'E', 'U', 'R', 0x0F, 0xFE, 0x16,
             0x03),
        CASE(111, LN_ACCOUNT, 15, OR, 0x02, 0x03, 0x0C, 0x09, 'E', 'U', 'R', 'E', 'U', 'R', 'E',
             'U', 'R', 0x0F, 0xFE, 0x16, 0x02),
        CASE(111, LN_ACCOUNT, 15, TU, 0x02, 0x03, 0x0A, 0x03, 'E', 'U', 'R', 0x0F, 0xFE, 0x16,
             0x02),
        /* thresholds of the wrong type; a negative provision period */
        CASE(111, LN_ACCOUNT, 16, TU, 0x06, 0x00, 0x00, 0x00, 0x28),
        CASE(111, LN_ACCOUNT, 19, OR, 0x05, 0xFF, 0xFF, 0xFF, 0xFF),
        CASE(111, LN_ACCOUNT, 13, OR, 0x09, 0x0C, 0x07, 0xE8, 0x0D, 0x01, 0xFF, 0x00, 0x00, 0x00,
             0x00, 0x80, 0x00, 0xFF), /* month 13 */
        /* credit: type 5, amount read-only, status read-only, a 6th configuration bit */
        CASE(112, LN_TOKEN, 3, OR, 0x16, 0x05),
        CASE(112, LN_TOKEN, 3, TU, 0x11, 0x00),
        CASE(112, LN_TOKEN, 2, RW, 0x05, 0x00, 0x00, 0x01, 0x00),
        CASE(112, LN_TOKEN, 8, RW, 0x16, 0x03),
        CASE(112, LN_TOKEN, 7, OR, 0x04, 0x08, 0x04),
        CASE(112, LN_TOKEN, 7, OR, 0x04, 0x10, 0x00, 0x00),
        CASE(112, LN_TOKEN, 7, TU, 0x11, 0x08),
        CASE(112, LN_TOKEN, 5, TU, 0x12, 0x00, 0x01),
        /* charge: type 3, active unit charge read-only, bad commodity, bad scales, too many
         * table entries, index too long, duplicate index, proportion over 100 %, period 0 */
        CASE(113, LN_ENERGY, 3, OR, 0x16, 0x03),
        CASE(113, LN_ENERGY, 5, RW, 0x00),
        CASE(113, LN_ENERGY, 6, OR, 0x02, 0x03, 0x02, 0x02, 0x0F, 0x00, 0x0F, 0x00, 0x02, 0x03,
             0x12, 0x00, 0x03, 0x09, 0x06, 1, 0, 2, 8, 0, 255, 0x0F, 0x02, 0x01, 0x00),
        CASE(113, LN_ENERGY, 6, OR, 0x02, 0x03, 0x02, 0x02, 0x0F, 0x00, 0x0F, 0x00, 0x02, 0x03,
             0x12, 0x00, 0x01, 0x09, 0x06, 1, 0, 1, 8, 0, 255, 0x0F, 0x02, 0x01, 0x00),
        CASE(113, LN_ENERGY, 6, OR, 0x02, 0x03, 0x02, 0x02, 0x0F, 0x00, 0x0F, 0x00, 0x02, 0x03,
             0x12, 0x00, 0x03, 0x09, 0x06, 1, 0, 1, 8, 0, 255, 0x0F, 0x01, 0x01, 0x00),
        CASE(113, LN_ENERGY, 6, OR, 0x02, 0x03, 0x02, 0x02, 0x0F, 0x0A, 0x0F, 0x0A, 0x02, 0x03,
             0x12, 0x00, 0x00, 0x09, 0x06, 0, 0, 0, 0, 0, 0, 0x0F, 0x00, 0x01, 0x00),
        CASE(113, LN_ENERGY, 6, OR, 0x02, 0x03, 0x02, 0x02, 0x0F, 0x00, 0x0F, 0x00, 0x02, 0x03,
             0x12, 0x00, 0x00, 0x09, 0x06, 0, 0, 0, 0, 0, 0, 0x0F, 0x00, 0x01, 0x09, 0x02, 0x02,
             0x09, 0x00, 0x10, 0x00, 0x01, 0x02, 0x02, 0x09, 0x00, 0x10, 0x00, 0x01, 0x02, 0x02,
             0x09, 0x00, 0x10, 0x00, 0x01, 0x02, 0x02, 0x09, 0x00, 0x10, 0x00, 0x01, 0x02, 0x02,
             0x09, 0x00, 0x10, 0x00, 0x01, 0x02, 0x02, 0x09, 0x00, 0x10, 0x00, 0x01, 0x02, 0x02,
             0x09, 0x00, 0x10, 0x00, 0x01, 0x02, 0x02, 0x09, 0x00, 0x10, 0x00, 0x01, 0x02, 0x02,
             0x09, 0x00, 0x10, 0x00, 0x01),
        CASE(113, LN_ENERGY, 6, OR, 0x02, 0x03, 0x02, 0x02, 0x0F, 0x00, 0x0F, 0x00, 0x02, 0x03,
             0x12, 0x00, 0x00, 0x09, 0x06, 0, 0, 0, 0, 0, 0, 0x0F, 0x00, 0x01, 0x01, 0x02, 0x02,
             0x09, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x10, 0x00, 0x01),
        CASE(113, LN_ENERGY, 6, OR, 0x02, 0x03, 0x02, 0x02, 0x0F, 0x00, 0x0F, 0x00, 0x02, 0x03,
             0x12, 0x00, 0x00, 0x09, 0x06, 0, 0, 0, 0, 0, 0, 0x0F, 0x00, 0x01, 0x02, 0x02, 0x02,
             0x09, 0x01, 0x01, 0x10, 0x00, 0x01, 0x02, 0x02, 0x09, 0x01, 0x01, 0x10, 0x00, 0x02),
        CASE(113, LN_ENERGY, 6, TU, 0x02, 0x03, 0x02, 0x02, 0x0F, 0x00, 0x0F, 0x00, 0x02, 0x03,
             0x12, 0x00, 0x00, 0x09, 0x06, 0, 0, 0, 0, 0, 0, 0x0F, 0x00, 0x01, 0x01, 0x02, 0x02,
             0x09, 0x01, 0x01, 0x12, 0x00, 0x01), /* charge_per_unit long-unsigned */
        CASE(113, LN_DEBT, 13, OR, 0x12, 0x27, 0x11),
        CASE(113, LN_STANDING, 8, OR, 0x06, 0x00, 0x00, 0x00, 0x00),
        CASE(113, LN_ENERGY, 12, RW, 0x05, 0x00, 0x00, 0x00, 0x00),
        /* token gateway: nothing writable */
        CASE(115, LN_GATEWAY, 2, RW, 0x09, 0x00),
    };
    pp_app_t before = T.app;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = set(cases[i].cls, cases[i].ln, cases[i].attr, cases[i].v, cases[i].n);
        if (rc != cases[i].dar) {
            print_error("case %zu: got %d, expected %d\n", i, rc, cases[i].dar);
        }
        assert_int_equal(rc, cases[i].dar);
        assert_memory_equal(&before, &T.app, sizeof(before));
    }
    /* methods with bad parameters */
    static const uint8_t str[] = {0x09, 0x00}, u32[] = {0x06, 0, 0, 0, 1};
    assert_int_equal(act(111, LN_ACCOUNT, 1, str, sizeof(str)), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(act(112, LN_TOKEN, 1, u32, sizeof(u32)), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(act(112, LN_TOKEN, 1, NULL, 0), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(act(113, LN_DEBT, 4, str, sizeof(str)), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(act(115, LN_GATEWAY, 1, u32, sizeof(u32)), DLMS_ACTION_TYPE_UNMATCHED);
    assert_memory_equal(&before, &T.app, sizeof(before));
    /* update_amount overflowing double-long */
    assert_int_equal(top_up_credit(INT32_MAX), 0);
    assert_int_equal(top_up_credit(1), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(T.app.token.current_credit_amount, INT32_MAX);
}

/* ---- the consumption scenario ------------------------------------------------------------------
 */

static void test_consumption_scenario(void **state) {
    (void)state;
    pp_app_t *a = &T.app;
    /* a new account collects nothing */
    assert_int_equal(top_up_credit(100), 0);
    assert_int_equal(consume(4000), 0);
    assert_int_equal(a->token.current_credit_amount, 100);
    activate();
    assert_int_equal(a->events[COSEM_PREPAY_ACTIVATED], 1);
    assert_int_equal(consume(0), 0); /* baseline of the register */
    assert_int_equal(a->account.available_credit, 100);
    assert_int_equal(a->account.current_credit_in_use, 1);
    assert_int_equal(a->token.credit_status, COSEM_CREDIT_IN_USE);
    assert_int_equal(a->emergency.credit_status, COSEM_CREDIT_ENABLED);
    expect_get(111, LN_ACCOUNT, 4, BYTES(0x04, 0x08, 0x88)); /* in credit, credit ref list */
    /* 2 kWh at 25 ct */
    assert_int_equal(consume(2000), 0);
    assert_int_equal(a->token.current_credit_amount, 50);
    assert_int_equal(a->energy.total_amount_paid, 50);
    assert_int_equal(a->energy.last_collection_amount, 50);
    assert_int_equal(a->energy.last_collection_time, a->rtc);
    assert_int_equal(a->events[COSEM_PREPAY_LOW_CREDIT], 0);
    /* fractions carry: 39 x 1 Wh is under a cent, the 40th makes one */
    for (int i = 0; i < 39; i++) {
        assert_int_equal(consume(1), 0);
    }
    assert_int_equal(a->token.current_credit_amount, 50);
    assert_int_equal(consume(1), 0);
    assert_int_equal(a->token.current_credit_amount, 49);
    /* 360 Wh = 9 ct: 40 left, the low credit threshold: warned once */
    assert_int_equal(consume(360), 0);
    assert_int_equal(a->account.available_credit, 40);
    assert_int_equal(a->events[COSEM_PREPAY_LOW_CREDIT], 1);
    assert_int_equal(a->values[COSEM_PREPAY_LOW_CREDIT], 40);
    assert_int_equal(consume(40), 0);
    assert_int_equal(a->events[COSEM_PREPAY_LOW_CREDIT], 1);
    assert_true(a->account.current_credit_status & COSEM_ACCOUNT_LOW_CREDIT);
    /* down to 0: the emergency credit becomes selectable and, needing no
     * confirmation, is invoked at once; the supply stays on */
    assert_int_equal(consume(1560), 0);
    assert_int_equal(a->token.current_credit_amount, 0);
    assert_int_equal(a->token.credit_status, COSEM_CREDIT_EXHAUSTED);
    assert_int_equal(a->events[COSEM_PREPAY_SELECTABLE], 1);
    assert_int_equal(a->events[COSEM_PREPAY_INVOKED], 1);
    assert_int_equal(a->values[COSEM_PREPAY_INVOKED], 2);
    assert_int_equal(a->emergency.credit_status, COSEM_CREDIT_IN_USE);
    assert_int_equal(a->account.current_credit_in_use, 2);
    assert_int_equal(a->account.available_credit, 50);
    assert_int_equal(a->events[COSEM_PREPAY_EXHAUSTED], 0);
    assert_false(a->account.disconnect_wanted);
    expect_get(111, LN_ACCOUNT, 4, BYTES(0x04, 0x08, 0x8C)); /* + selectable credit in use */
    /* 1 kWh from the emergency credit: 25 of it used, to be paid back */
    assert_int_equal(consume(1000), 0);
    assert_int_equal(a->emergency.current_credit_amount, 25);
    assert_int_equal(a->account.amount_to_clear, 25);
    /* 1.2 kWh = 30 ct > 25 left: the emergency credit is exhausted, the
     * 5 ct it could not pay are owed on the token credit; out of credit:
     * disconnect, reported once */
    assert_int_equal(consume(1200), 0);
    assert_int_equal(a->emergency.current_credit_amount, 0);
    assert_int_equal(a->emergency.credit_status, COSEM_CREDIT_EXHAUSTED);
    assert_int_equal(a->token.current_credit_amount, -5);
    assert_int_equal(a->account.amount_to_clear, 55);
    assert_int_equal(a->events[COSEM_PREPAY_EXHAUSTED], 1);
    assert_true(a->account.disconnect_wanted);
    assert_int_equal(a->account.current_credit_in_use, 0);
    expect_get(111, LN_ACCOUNT, 4, BYTES(0x04, 0x08, 0x42)); /* low, out of credit */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(consume(0), 0);
    }
    assert_int_equal(a->events[COSEM_PREPAY_EXHAUSTED], 1);
    assert_int_equal(a->events[COSEM_PREPAY_CREDIT_AVAILABLE], 0);
    /* a top-up of 200 pays back the 50 of emergency credit, the token
     * credit gets 150 (-5 + 150 = 145): credit again, reconnection allowed */
    assert_int_equal(cosem_prepay_top_up(&T.srv, obj(LN_ACCOUNT), 200, a->rtc), 0);
    assert_int_equal(a->emergency.current_credit_amount, 50);
    assert_int_equal(a->emergency.credit_status, COSEM_CREDIT_ENABLED);
    assert_int_equal(a->token.current_credit_amount, 145);
    assert_int_equal(a->account.amount_to_clear, 0);
    assert_int_equal(a->events[COSEM_PREPAY_TOP_UP], 1);
    assert_int_equal(a->values[COSEM_PREPAY_TOP_UP], 200);
    assert_int_equal(a->events[COSEM_PREPAY_CREDIT_AVAILABLE], 1);
    assert_false(a->account.disconnect_wanted);
    assert_int_equal(a->account.available_credit, 145);
    assert_false(a->account.low_reported);
    /* a register reset is a new baseline, not a refund or a charge */
    a->a_plus_wh = 0;
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->token.current_credit_amount, 145);
    assert_int_equal(consume(400), 0);
    assert_int_equal(a->token.current_credit_amount, 135);
}

static void test_top_up_not_clearing_stays_off(void **state) {
    (void)state;
    pp_app_t *a = &T.app;
    activate();
    /* no credit at all: the emergency credit is offered and invoked at once */
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->emergency.credit_status, COSEM_CREDIT_IN_USE);
    assert_int_equal(a->events[COSEM_PREPAY_INVOKED], 1);
    assert_false(a->account.disconnect_wanted);
    /* 10 ct on the token credit (it comes first again), then 60 ct of
     * energy: 10 from the token credit, 50 from the emergency credit */
    assert_int_equal(top_up_credit(10), 0);
    assert_int_equal(consume(2400), 0);
    assert_int_equal(a->token.current_credit_amount, 0);
    assert_int_equal(a->emergency.current_credit_amount, 0);
    assert_true(a->account.disconnect_wanted);
    assert_int_equal(a->events[COSEM_PREPAY_EXHAUSTED], 1);
    /* 20 pays back part of the emergency credit only: still off */
    assert_int_equal(cosem_prepay_top_up(&T.srv, obj(LN_ACCOUNT), 20, a->rtc), 0);
    assert_int_equal(a->emergency.current_credit_amount, 20);
    assert_int_equal(a->emergency.credit_status, COSEM_CREDIT_EXHAUSTED);
    assert_true(a->account.disconnect_wanted);
    /* via DLMS update_amount on the token credit: credit, but 30 ct of
     * emergency credit are still owed and clearance_threshold is 0 */
    assert_int_equal(top_up_credit(100), 0);
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->token.current_credit_amount, 100);
    assert_int_equal(a->account.available_credit, 100);
    assert_int_equal(a->account.amount_to_clear, 30);
    assert_true(a->account.disconnect_wanted);
    /* with a clearance threshold of 30 the account may reconnect */
    static const uint8_t thr[] = {0x05, 0x00, 0x00, 0x00, 0x1E};
    assert_int_equal(set(111, LN_ACCOUNT, 7, thr, sizeof(thr)), 0);
    assert_int_equal(consume(0), 0);
    assert_false(a->account.disconnect_wanted);
    assert_int_equal(a->events[COSEM_PREPAY_CREDIT_AVAILABLE], 1);
    assert_int_equal(a->events[COSEM_PREPAY_EXHAUSTED], 1);
}

/* ---- friendly credit ------------------------------------------------------------------------ */

static void test_friendly_credit(void **state) {
    (void)state;
    pp_app_t *a = &T.app;
    /* friendly 18:00-08:00 local and Sundays */
    a->account.friendly =
        (cosem_prepay_friendly_t){.weekdays = 0x40, .start_minute = 18 * 60, .end_minute = 8 * 60};
    a->emergency.priority = 0; /* no emergency credit here */
    /* Monday 20:00 CET = 19:00 UTC */
    a->rtc = T0 + 7 * 3600;
    assert_true(cosem_prepay_friendly(&T.srv, &a->account, a->rtc));
    assert_false(cosem_prepay_friendly(&T.srv, &a->account, T0));             /* 13:00 */
    assert_true(cosem_prepay_friendly(&T.srv, &a->account, T0 + 6 * 86400));  /* Sunday 13:00 */
    assert_true(cosem_prepay_friendly(&T.srv, &a->account, T0 + 18 * 3600));  /* Tue 07:00 */
    assert_false(cosem_prepay_friendly(&T.srv, &a->account, T0 + 19 * 3600)); /* Tue 08:00 */
    activate();
    assert_int_equal(top_up_credit(20), 0);
    assert_int_equal(consume(0), 0);
    /* out of credit at 20:00: deferred, reported once, consumption goes on
     * and is owed */
    assert_int_equal(consume(1000), 0);
    assert_int_equal(a->token.current_credit_amount, -5);
    assert_int_equal(a->events[COSEM_PREPAY_DEFERRED], 1);
    assert_int_equal(a->events[COSEM_PREPAY_EXHAUSTED], 0);
    assert_false(a->account.disconnect_wanted);
    assert_true(a->account.deferred);
    assert_int_equal(consume(400), 0);
    assert_int_equal(a->events[COSEM_PREPAY_DEFERRED], 1);
    assert_int_equal(a->token.current_credit_amount, -15);
    /* Tuesday 07:59:59 local: still friendly */
    a->rtc = T0 + 19 * 3600 - 2;
    assert_int_equal(consume(0), 0);
    assert_false(a->account.disconnect_wanted);
    /* 08:00: the period ends, the supply goes off */
    assert_int_equal(consume(0), 0);
    assert_true(a->account.disconnect_wanted);
    assert_int_equal(a->events[COSEM_PREPAY_EXHAUSTED], 1);
    assert_int_equal(a->account.amount_to_clear, 15);
    /* a top-up of 10 does not clear the debt: off; 10 more does */
    assert_int_equal(cosem_prepay_top_up(&T.srv, obj(LN_ACCOUNT), 10, a->rtc), 0);
    assert_true(a->account.disconnect_wanted);
    assert_int_equal(cosem_prepay_top_up(&T.srv, obj(LN_ACCOUNT), 10, a->rtc), 0);
    assert_false(a->account.disconnect_wanted);
    assert_int_equal(a->events[COSEM_PREPAY_CREDIT_AVAILABLE], 1);
}

static void test_credit_mode_never_disconnects(void **state) {
    (void)state;
    pp_app_t *a = &T.app;
    a->emergency.priority = 0;
    static const uint8_t mode[] = {0x02, 0x02, 0x16, 0x01, 0x16, 0x01};
    assert_int_equal(set(111, LN_ACCOUNT, 2, mode, sizeof(mode)), 0);
    activate();
    assert_int_equal(consume(0), 0);
    assert_int_equal(consume(4000), 0);
    assert_int_equal(a->token.current_credit_amount, -100);
    assert_true(a->account.current_credit_status & COSEM_ACCOUNT_OUT_OF_CREDIT);
    assert_false(a->account.disconnect_wanted);
    assert_int_equal(a->events[COSEM_PREPAY_EXHAUSTED], 0);
}

/* ---- emergency credit by invoke_credit ----------------------------------------------------------
 */

static void test_emergency_confirmation(void **state) {
    (void)state;
    pp_app_t *a = &T.app;
    a->emergency.credit_configuration |= COSEM_CREDIT_CFG_CONFIRMATION;
    static const uint8_t invoke[] = {0x16, 0x02}, bad[] = {0x16, 0x03};
    /* not selectable yet */
    assert_int_equal(act(112, LN_EMERGENCY, 3, invoke, sizeof(invoke)), DLMS_ACTION_OTHER_REASON);
    activate();
    assert_int_equal(top_up_credit(25), 0);
    assert_int_equal(consume(0), 0);
    assert_int_equal(consume(1000), 0);
    assert_int_equal(a->emergency.credit_status, COSEM_CREDIT_SELECTABLE);
    assert_int_equal(a->events[COSEM_PREPAY_SELECTABLE], 1);
    assert_int_equal(a->events[COSEM_PREPAY_INVOKED], 0);
    assert_true(a->account.disconnect_wanted); /* nothing drawable until the customer accepts */
    assert_true(a->account.current_credit_status & COSEM_ACCOUNT_NEXT_SELECTABLE);
    assert_int_equal(act(112, LN_EMERGENCY, 3, bad, sizeof(bad)), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(act(112, LN_EMERGENCY, 3, invoke, sizeof(invoke)), 0);
    assert_int_equal(a->emergency.credit_status, COSEM_CREDIT_INVOKED);
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->emergency.credit_status, COSEM_CREDIT_IN_USE);
    assert_false(a->account.disconnect_wanted);
    assert_int_equal(a->events[COSEM_PREPAY_CREDIT_AVAILABLE], 1);
    /* set_amount_to_value */
    static const uint8_t v[] = {0x05, 0x00, 0x00, 0x00, 0x0A};
    assert_int_equal(act(112, LN_EMERGENCY, 2, v, sizeof(v)), 0);
    assert_int_equal(a->emergency.current_credit_amount, 10);
}

/* ---- tokens
 * ---------------------------------------------------------------------------------------- */

static int enter(const uint8_t *tok, size_t n) {
    uint8_t p[2 + 40];
    p[0] = 0x09;
    p[1] = (uint8_t)n;
    memcpy(p + 2, tok, n);
    return act(115, LN_GATEWAY, 1, p, n + 2);
}

static void test_token_top_up(void **state) {
    (void)state;
    pp_app_t *a = &T.app;
    uint8_t tok[COSEM_TOKEN_LEN];
    assert_int_equal(cosem_token_build(PP_KEY, PP_TITLE, 1000, 500, COSEM_TOKEN_TYPE_CREDIT, tok),
                     0);
    /* an inactive account refuses it (validation) and it can come again */
    assert_int_equal(enter(tok, sizeof(tok)), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(a->gateway.status_code, COSEM_TOKEN_VALIDATION_FAILURE);
    assert_int_equal(a->gateway.status_bits, COSEM_TOKEN_WHY_INACTIVE);
    assert_int_equal(a->events[COSEM_PREPAY_TOKEN_REFUSED], 1);
    activate();
    assert_int_equal(enter(tok, sizeof(tok)), 0);
    assert_int_equal(a->token.current_credit_amount, 500);
    expect_get(115, LN_GATEWAY, 6, BYTES(0x02, 0x02, 0x16, 0x03, 0x04, 0x08, 0x00));
    expect_get(
        115, LN_GATEWAY, 4,
        BYTES(0x01, 0x02, 0x09, 0x04, 0x00, 0x00, 0x03, 0xE8, 0x09, 0x04, 0x00, 0x00, 0x01, 0xF4));
    expect_get(115, LN_GATEWAY, 5, BYTES(0x16, 0x00));
    uint8_t out[64];
    size_t len;
    assert_int_equal(get(115, LN_GATEWAY, 2, out, sizeof(out), &len), 0);
    assert_int_equal(len, 2 + COSEM_TOKEN_LEN);
    assert_memory_equal(out + 2, tok, COSEM_TOKEN_LEN);
    /* replayed */
    assert_int_equal(enter(tok, sizeof(tok)), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(a->token.current_credit_amount, 500);
    expect_get(115, LN_GATEWAY, 6, BYTES(0x02, 0x02, 0x16, 0x06, 0x04, 0x08, 0x80));
    expect_get(115, LN_GATEWAY, 4, BYTES(0x01, 0x00));
    /* corrupted: every byte matters */
    for (size_t i = 0; i < COSEM_TOKEN_LEN; i++) {
        uint8_t bad[COSEM_TOKEN_LEN];
        assert_int_equal(cosem_token_build(PP_KEY, PP_TITLE, 2000 + (uint32_t)i, 100,
                                           COSEM_TOKEN_TYPE_CREDIT, bad),
                         0);
        bad[i] ^= 0x01;
        assert_int_equal(cosem_token_gateway_enter(&T.srv, obj(LN_GATEWAY), bad, sizeof(bad),
                                                   COSEM_TOKEN_MANUAL, a->rtc),
                         COSEM_ERR_TOKEN_AUTH);
        assert_int_equal(a->gateway.status_code, COSEM_TOKEN_AUTH_FAILURE);
    }
    assert_int_equal(a->gateway.delivery_method, COSEM_TOKEN_MANUAL);
    /* wrong key, other meter */
    uint8_t other_key[16], other_title[8];
    memcpy(other_key, PP_KEY, 16);
    other_key[0] ^= 0x80;
    memcpy(other_title, PP_TITLE, 8);
    other_title[7] = 5;
    assert_int_equal(
        cosem_token_build(other_key, PP_TITLE, 3000, 100, COSEM_TOKEN_TYPE_CREDIT, tok), 0);
    assert_int_equal(enter(tok, sizeof(tok)), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(a->gateway.status_code, COSEM_TOKEN_AUTH_FAILURE);
    assert_int_equal(
        cosem_token_build(PP_KEY, other_title, 3001, 100, COSEM_TOKEN_TYPE_CREDIT, tok), 0);
    assert_int_equal(enter(tok, sizeof(tok)), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(a->gateway.status_code, COSEM_TOKEN_AUTH_FAILURE);
    /* wrong size, unknown type, amount 0 */
    assert_int_equal(enter(tok, sizeof(tok) - 1), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(a->gateway.status_code, COSEM_TOKEN_FORMAT_FAILURE);
    assert_int_equal(cosem_token_build(PP_KEY, PP_TITLE, 3002, 100, 0x02, tok), 0);
    assert_int_equal(enter(tok, sizeof(tok)), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(a->gateway.status_code, COSEM_TOKEN_FORMAT_FAILURE);
    assert_int_equal(a->gateway.status_bits, COSEM_TOKEN_WHY_TYPE);
    assert_int_equal(cosem_token_build(PP_KEY, PP_TITLE, 3003, 0, COSEM_TOKEN_TYPE_CREDIT, tok), 0);
    assert_int_equal(enter(tok, sizeof(tok)), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(a->gateway.status_bits, COSEM_TOKEN_WHY_AMOUNT);
    assert_int_equal(a->token.current_credit_amount, 500);
    /* a refused token does not burn its id: the same id, valid, works */
    assert_int_equal(cosem_token_build(PP_KEY, PP_TITLE, 3003, 7, COSEM_TOKEN_TYPE_CREDIT, tok), 0);
    assert_int_equal(enter(tok, sizeof(tok)), 0);
    assert_int_equal(a->token.current_credit_amount, 507);
    /* the history: once full, ids below every remembered one are refused */
    for (uint32_t id = 5000; id < 5000 + EM_PREPAY_TOKEN_HISTORY; id++) {
        assert_int_equal(cosem_token_build(PP_KEY, PP_TITLE, id, 1, COSEM_TOKEN_TYPE_CREDIT, tok),
                         0);
        assert_int_equal(enter(tok, sizeof(tok)), 0);
    }
    assert_int_equal(cosem_token_build(PP_KEY, PP_TITLE, 1000, 1, COSEM_TOKEN_TYPE_CREDIT, tok), 0);
    assert_int_equal(enter(tok, sizeof(tok)), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(a->gateway.status_bits, COSEM_TOKEN_WHY_TOO_OLD);
    assert_int_equal(cosem_token_build(PP_KEY, PP_TITLE, 4999, 1, COSEM_TOKEN_TYPE_CREDIT, tok), 0);
    assert_int_equal(enter(tok, sizeof(tok)), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(cosem_token_build(PP_KEY, PP_TITLE, 5000 + EM_PREPAY_TOKEN_HISTORY, 1,
                                       COSEM_TOKEN_TYPE_CREDIT, tok),
                     0);
    assert_int_equal(enter(tok, sizeof(tok)), 0);
    assert_int_equal(a->token.current_credit_amount, 507 + EM_PREPAY_TOKEN_HISTORY + 1);
}

static void test_token_provision_and_split(void **state) {
    (void)state;
    pp_app_t *a = &T.app;
    activate();
    /* two top-ups per hour */
    a->account.max_provision = 2;
    a->account.max_provision_period = 3600;
    /* 90 % to the token credit, 10 % to a second token-like credit */
    a->emergency.credit_type = COSEM_CREDIT_TYPE_TOKEN;
    a->emergency.current_credit_amount = 0;
    static const uint8_t tgc[] = {0x01, 0x02, 0x02, 0x02, 0x09, 0x06, 0,    0,    19,
                                  10,   0,    255,  0x11, 0x5A, 0x02, 0x02, 0x09, 0x06,
                                  0,    0,    19,   10,   1,    255,  0x11, 0x0A};
    assert_int_equal(set(111, LN_ACCOUNT, 12, tgc, sizeof(tgc)), 0);
    uint8_t tok[COSEM_TOKEN_LEN];
    assert_int_equal(cosem_token_build(PP_KEY, PP_TITLE, 1, 1005, COSEM_TOKEN_TYPE_CREDIT, tok), 0);
    assert_int_equal(enter(tok, sizeof(tok)), 0);
    assert_int_equal(a->token.current_credit_amount, 905); /* 904 + the rounding rest */
    assert_int_equal(a->emergency.current_credit_amount, 100);
    assert_int_equal(cosem_token_build(PP_KEY, PP_TITLE, 2, 10, COSEM_TOKEN_TYPE_CREDIT, tok), 0);
    assert_int_equal(enter(tok, sizeof(tok)), 0);
    assert_int_equal(cosem_token_build(PP_KEY, PP_TITLE, 3, 10, COSEM_TOKEN_TYPE_CREDIT, tok), 0);
    assert_int_equal(enter(tok, sizeof(tok)), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(a->gateway.status_bits, COSEM_TOKEN_WHY_PROVISION);
    a->rtc += 3600;
    assert_int_equal(enter(tok, sizeof(tok)), 0);
    /* overflow is refused and changes nothing */
    a->account.max_provision = 0;
    a->token.current_credit_amount = INT32_MAX - 5;
    int32_t e = a->emergency.current_credit_amount;
    assert_int_equal(cosem_prepay_top_up(&T.srv, obj(LN_ACCOUNT), 100, a->rtc),
                     COSEM_ERR_PREPAY_OVERFLOW);
    assert_int_equal(a->token.current_credit_amount, INT32_MAX - 5);
    assert_int_equal(a->emergency.current_credit_amount, e);
    assert_int_equal(cosem_prepay_top_up(&T.srv, obj(LN_ACCOUNT), -1, a->rtc),
                     COSEM_ERR_PREPAY_AMOUNT);
}

/* ---- charges ------------------------------------------------------------------------------- */

static void test_charge_arithmetic(void **state) {
    (void)state;
    cosem_charge_state_t c;
    cosem_charge_init(&c, COSEM_CHARGE_CONSUMPTION, 1, 25, -3, 0);
    int32_t sum = 0;
    for (int i = 0; i < 1000; i++) {
        sum += cosem_charge_amount(&c, 7, NULL, 0);
    }
    assert_int_equal(sum, 175); /* 7 kWh x 25, nothing lost */
    cosem_charge_init(&c, COSEM_CHARGE_CONSUMPTION, 1, 3, 2, 1);
    assert_int_equal(cosem_charge_amount(&c, 2, NULL, 0), 6000);
    assert_int_equal(cosem_charge_amount(&c, INT64_MAX, NULL, 0), INT32_MAX);
    assert_int_equal(cosem_charge_amount(&c, 0, NULL, 0), 0);
    assert_int_equal(cosem_charge_amount(&c, -5, NULL, 0), 0);
    /* the tariff band */
    c.active.count = 2;
    c.active.table[0] = (cosem_charge_table_entry_t){2, {0, 1}, 30};
    c.active.table[1] = (cosem_charge_table_entry_t){2, {0, 2}, 20};
    c.active.commodity_scale = 0;
    c.active.price_scale = 0;
    assert_int_equal(cosem_charge_amount(&c, 1, (const uint8_t[]){0, 2}, 2), 20);
    assert_int_equal(cosem_charge_amount(&c, 1, (const uint8_t[]){0, 1}, 2), 30);
    assert_int_equal(cosem_charge_amount(&c, 1, (const uint8_t[]){0, 9}, 2), 30);
    assert_int_equal(cosem_charge_amount(&c, 1, NULL, 0), 30);
}

static void test_tariff_bands(void **state) {
    (void)state;
    pp_app_t *a = &T.app;
    activate();
    assert_int_equal(top_up_credit(1000), 0);
    /* passive: 30 ct/kWh in band 00 01, 20 ct in 00 02, activated by
     * activate_passive_unit_charge */
    a->energy.passive.count = 2;
    a->energy.passive.table[0] = (cosem_charge_table_entry_t){2, {0, 1}, 30};
    a->energy.passive.table[1] = (cosem_charge_table_entry_t){2, {0, 2}, 20};
    assert_int_equal(act(113, LN_ENERGY, 2, DUMMY, sizeof(DUMMY)), 0);
    assert_int_equal(consume(0), 0);
    assert_int_equal(consume(1000), 0);
    assert_int_equal(a->token.current_credit_amount, 970);
    a->tariff[1] = 2;
    assert_int_equal(consume(1000), 0);
    assert_int_equal(a->token.current_credit_amount, 950);
    /* a commodity that no longer reads (a table changed under a stored
     * state): reported, the other charges still collect */
    a->standing.priority = 2;
    a->energy.active.class_id = 4;
    assert_int_equal(consume(1000), COSEM_ERR_PREPAY_REFERENCE);
    a->rtc = a->standing.next_period;
    assert_int_equal(consume(1000), COSEM_ERR_PREPAY_REFERENCE);
    assert_int_equal(a->token.current_credit_amount, 920);
    assert_string_equal(cosem_prepay_strerror(COSEM_ERR_PREPAY_REFERENCE),
                        "account reference names no such object");
}

static void test_standing_charge(void **state) {
    (void)state;
    pp_app_t *a = &T.app;
    a->standing.priority = 2;
    activate();
    assert_int_equal(top_up_credit(1000), 0);
    assert_int_equal(consume(0), 0); /* starts the period: the partial first day is free */
    assert_int_equal(a->standing.next_period, (T0 / 86400 + 1) * 86400);
    a->rtc = a->standing.next_period - 2;
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->token.current_credit_amount, 1000);
    assert_int_equal(consume(0), 0); /* midnight UTC: one day */
    assert_int_equal(a->token.current_credit_amount, 970);
    assert_int_equal(a->standing.total_amount_paid, 30);
    /* three more days at once (a meter that was off) */
    a->rtc += 3 * 86400;
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->token.current_credit_amount, 880);
    expect_get(113, LN_STANDING, 11, BYTES(0x05, 0x00, 0x00, 0x00, 0x5A));
    /* the clock set back two days: no charge, the period restarts */
    a->rtc -= 2 * 86400;
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->token.current_credit_amount, 880);
    a->rtc += 86400;
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->token.current_credit_amount, 850);
    /* a new price from a passive unit charge at its activation time */
    a->standing.passive.table[0].charge_per_unit = 50;
    a->standing.activation_time = a->rtc + 10;
    a->rtc += 86400;
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->standing.activation_time, 0);
    assert_int_equal(a->token.current_credit_amount, 800);
    /* closed for ten days and opened again: the closed days are not charged */
    assert_int_equal(act(111, LN_ACCOUNT, 2, DUMMY, sizeof(DUMMY)), 0);
    a->rtc += 10 * 86400;
    assert_int_equal(consume(500), 0);
    assert_int_equal(a->token.current_credit_amount, 800);
    a->account.account_status = COSEM_ACCOUNT_NEW;
    activate();
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->token.current_credit_amount, 800);
    a->rtc = a->standing.next_period;
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->token.current_credit_amount, 750);
    /* collect (method 3) on a time charge collects what is due now: nothing */
    assert_int_equal(act(113, LN_STANDING, 3, DUMMY, sizeof(DUMMY)), 0);
    assert_int_equal(a->token.current_credit_amount, 750);
}

static void test_debt_recovery(void **state) {
    (void)state;
    pp_app_t *a = &T.app;
    a->debt.priority = 3;
    activate();
    /* a debt of 100, recovered at 25 % of every payment */
    static const uint8_t v100[] = {0x05, 0x00, 0x00, 0x00, 0x64};
    assert_int_equal(act(113, LN_DEBT, 5, v100, sizeof(v100)), 0);
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->account.aggregated_debt, 100);
    assert_int_equal(cosem_prepay_top_up(&T.srv, obj(LN_ACCOUNT), 200, a->rtc), 0);
    assert_int_equal(a->token.current_credit_amount, 150);
    assert_int_equal(a->debt.total_amount_remaining, 50);
    assert_int_equal(a->account.aggregated_debt, 50);
    assert_int_equal(cosem_prepay_top_up(&T.srv, obj(LN_ACCOUNT), 400, a->rtc), 0);
    assert_int_equal(a->token.current_credit_amount, 500); /* only the 50 left */
    assert_int_equal(a->debt.total_amount_remaining, 0);
    assert_int_equal(a->debt.total_amount_paid, 100);
    assert_int_equal(a->account.aggregated_debt, 0);
    /* update_total_amount_remaining adds, and a fixed charge per payment */
    static const uint8_t v30[] = {0x05, 0x00, 0x00, 0x00, 0x1E};
    assert_int_equal(act(113, LN_DEBT, 4, v30, sizeof(v30)), 0);
    assert_int_equal(a->debt.total_amount_remaining, 30);
    a->debt.charge_configuration = 0;
    a->debt.active.table[0].charge_per_unit = 20;
    assert_int_equal(cosem_prepay_top_up(&T.srv, obj(LN_ACCOUNT), 100, a->rtc), 0);
    assert_int_equal(a->token.current_credit_amount, 580);
    assert_int_equal(a->debt.total_amount_remaining, 10);
    /* collect (method 3) on a payment charge: one unit charge now, capped */
    assert_int_equal(act(113, LN_DEBT, 3, DUMMY, sizeof(DUMMY)), 0);
    assert_int_equal(a->token.current_credit_amount, 570);
    assert_int_equal(a->debt.total_amount_remaining, 0);
}

static void test_credit_charge_configuration(void **state) {
    (void)state;
    pp_app_t *a = &T.app;
    a->standing.priority = 2;
    activate();
    assert_int_equal(top_up_credit(1000), 0);
    /* energy from the token credit always; standing charge from the token
     * credit but not while the supply is disconnected */
    static const uint8_t ccc[] = {0x01, 0x02, 0x02, 0x03, 0x09, 0x06, 0,  0,   19,   10,   0,
                                  255,  0x09, 0x06, 0,    0,    19,   20, 0,   255,  0x04, 0x03,
                                  0xE0, 0x02, 0x03, 0x09, 0x06, 0,    0,  19,  10,   0,    255,
                                  0x09, 0x06, 0,    0,    19,   20,   1,  255, 0x04, 0x03, 0x60};
    assert_int_equal(set(111, LN_ACCOUNT, 11, ccc, sizeof(ccc)), 0);
    assert_int_equal(consume(0), 0);
    a->rtc = a->standing.next_period;
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->token.current_credit_amount, 970);
    a->account.supply_disconnected = true;
    a->rtc += 86400;
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->token.current_credit_amount, 970); /* forgiven */
    assert_int_equal(consume(1000), 0);                    /* energy still collected */
    assert_int_equal(a->token.current_credit_amount, 945);
    /* the emergency credit pays nothing: no pair names it */
    a->account.supply_disconnected = false;
    a->token.current_credit_amount = 0;
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->emergency.credit_status, COSEM_CREDIT_IN_USE);
    assert_int_equal(consume(1000), 0);
    assert_int_equal(a->emergency.current_credit_amount, 50);
    assert_int_equal(a->token.current_credit_amount, -25);
}

/* ---- account methods ---------------------------------------------------------------------------
 */

static void test_account_methods(void **state) {
    (void)state;
    pp_app_t *a = &T.app;
    a->emergency.priority = 0;
    /* activation at a programmed time */
    uint8_t when[] = {0x09, 0x0C, 0x07, 0xE8, 0x01, 0x0F, 0xFF, 0x0E,
                      0x00, 0x00, 0x00, 0x80, 0x00, 0xFF}; /* 2024-01-15 14:00 local = 13:00 UTC */
    assert_int_equal(set(111, LN_ACCOUNT, 13, when, sizeof(when)), 0);
    assert_int_equal(a->account.activation_time, T0 + 3600);
    assert_int_equal(consume(0), 0);
    assert_int_equal(a->account.account_status, COSEM_ACCOUNT_NEW);
    a->rtc = T0 + 3600;
    assert_int_equal(cosem_prepay_tick(&T.srv, obj(LN_ACCOUNT), a->rtc, 0), 0);
    assert_int_equal(a->account.account_status, COSEM_ACCOUNT_ACTIVE);
    assert_int_equal(a->events[COSEM_PREPAY_ACTIVATED], 1);
    expect_get(111, LN_ACCOUNT, 2, BYTES(0x02, 0x02, 0x16, 0x02, 0x16, 0x02));
    /* out of credit: disconnect wanted; closing releases it */
    assert_int_equal(consume(0), 0);
    assert_true(a->account.disconnect_wanted);
    assert_int_equal(act(111, LN_ACCOUNT, 2, DUMMY, sizeof(DUMMY)), 0);
    assert_int_equal(a->account.account_status, COSEM_ACCOUNT_CLOSED);
    assert_int_equal(a->account.closure_time, a->rtc);
    assert_false(a->account.disconnect_wanted);
    assert_int_equal(a->events[COSEM_PREPAY_CLOSED], 1);
    assert_int_equal(consume(5000), 0);
    assert_int_equal(a->token.current_credit_amount, 0);
    /* reset: new again, times cleared */
    static const uint8_t null_param[] = {0x00};
    assert_int_equal(act(111, LN_ACCOUNT, 3, null_param, sizeof(null_param)), 0);
    assert_int_equal(a->account.account_status, COSEM_ACCOUNT_NEW);
    assert_int_equal(a->account.activation_time, 0);
    assert_int_equal(a->account.closure_time, 0);
    /* error strings */
    assert_string_equal(cosem_prepay_strerror(COSEM_ERR_TOKEN_REPLAYED), "token already used");
    assert_string_equal(cosem_prepay_strerror(-1), "unknown prepayment error");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_attribute_encodings, setup),
        cmocka_unit_test_setup(test_round_trips, setup),
        cmocka_unit_test_setup(test_hostile_sets, setup),
        cmocka_unit_test_setup(test_consumption_scenario, setup),
        cmocka_unit_test_setup(test_top_up_not_clearing_stays_off, setup),
        cmocka_unit_test_setup(test_friendly_credit, setup),
        cmocka_unit_test_setup(test_credit_mode_never_disconnects, setup),
        cmocka_unit_test_setup(test_emergency_confirmation, setup),
        cmocka_unit_test_setup(test_token_top_up, setup),
        cmocka_unit_test_setup(test_token_provision_and_split, setup),
        cmocka_unit_test(test_charge_arithmetic),
        cmocka_unit_test_setup(test_tariff_bands, setup),
        cmocka_unit_test_setup(test_standing_charge, setup),
        cmocka_unit_test_setup(test_debt_recovery, setup),
        cmocka_unit_test_setup(test_credit_charge_configuration, setup),
        cmocka_unit_test_setup(test_account_methods, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
