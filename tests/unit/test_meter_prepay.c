/*
 * test_meter_prepay.c - prepayment in the meter (lib/meter/prepay.c, omni):
 * the account activated and topped up with a token over the COSEM
 * dispatcher, the energy charge collected from the A+ of each step, out of
 * credit -> local disconnect (relay open, events 246 / 244 + 64), the
 * button refused while out of credit, a token top-up -> credit available,
 * the button reconnects; a replayed token refused; friendly hours defer the
 * disconnect to their end; the credits and the token history survive a
 * restart over the flash image.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cosem_test_table.h"
#include "meter/meter.h"
#include "meter/persist.h"
#include "port_posix.h"

/* 2024-01-15 12:00:00 UTC (13:00 CET, a Monday). */
static const int64_t T = 1705320000;
static const uint8_t LN_ACCOUNT[6] = {0, 0, 19, 0, 0, 255};
static const uint8_t LN_EMERGENCY[6] = {0, 0, 19, 10, 1, 255};
static const uint8_t LN_GATEWAY[6] = {0, 0, 19, 40, 0, 255};
static const uint8_t KEY[16] = {0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
                                0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F};
static const uint8_t TITLE[8] = {'E', 'M', 'T', 0, 0, 0, 0, 1};

static meter_t m;
static em_port_t port;
static int64_t rtc;
static bool relay_pos;

static int64_t rtc_get(void *user) {
    (void)user;
    return rtc;
}

static void relay(void *user, bool closed) {
    (void)user;
    relay_pos = closed;
}

static void init_meter(void) {
    static const uint8_t ldn[] = "EMT0000000000001";
    meter_identity_t id = {.variant = METER_VARIANT_OMNI,
                           .logical_device_name = ldn,
                           .logical_device_name_len = 16,
                           .serial_number = "E0001",
                           .max_pdu = 1024,
                           .time_zone_min = -60,
                           .token_key = KEY};
    memcpy(id.system_title, TITLE, 8);
    assert_int_equal(meter_init(&m, &id, &port), 0);
    /* 24.84 kW: 414 Wh a minute, 10.35 ct at 25 ct/kWh. */
    metrology_phasor_input_t in;
    meter_load_balanced(&in, 230.0, 40.0, acos(0.9) * 180.0 / 3.14159265358979323846, 50.0);
    assert_int_equal(meter_set_load(&m, &in), 0);
}

static int setup(void **state) {
    (void)state;
    memset(&port, 0, sizeof(port));
    port.rtc_get = rtc_get;
    port.relay = relay;
    rtc = T;
    init_meter();
    return 0;
}

static void step(int64_t utc, uint32_t seconds) {
    rtc = utc;
    assert_int_equal(meter_step(&m, utc, seconds), 0);
}

static dlms_assoc_view_t mgmt(void) {
    dlms_assoc_view_t v;
    memset(&v, 0, sizeof(v));
    v.assoc_index = METER_ASSOC_MANAGEMENT;
    v.client_sap = 1;
    v.server_sap = 1;
    v.status = DLMS_ASSOC_ASSOCIATED;
    v.ciphered = true;
    return v;
}

static int action(const uint8_t ln[6], uint16_t cls, int8_t method, const uint8_t *p, size_t n) {
    dlms_assoc_view_t v = mgmt();
    uint8_t ret[16];
    size_t ret_len;
    bool has_ret = false;
    return cosem_call_action(&m.cosem, &v, cls, ln, method, p, n, ret, sizeof(ret), &ret_len,
                             &has_ret);
}

static int token(uint32_t id, int32_t amount) {
    uint8_t p[2 + COSEM_TOKEN_LEN] = {0x09, COSEM_TOKEN_LEN};
    assert_int_equal(cosem_token_build(KEY, TITLE, id, amount, COSEM_TOKEN_TYPE_CREDIT, p + 2), 0);
    return action(LN_GATEWAY, 115, 1, p, sizeof(p));
}

/* Emergency credit off (priority 0, over DLMS), account activated. */
static void activate(void) {
    dlms_assoc_view_t v = mgmt();
    static const uint8_t prio0[] = {0x11, 0x00};
    assert_int_equal(cosem_call_set(&m.cosem, &v, 112, LN_EMERGENCY, 4, prio0, 2), 0);
    static const uint8_t zero[] = {0x0F, 0x00};
    assert_int_equal(action(LN_ACCOUNT, 111, 1, zero, 2), 0);
    assert_int_equal(m.prepay.account.account_status, COSEM_ACCOUNT_ACTIVE);
}

static uint8_t state(void) {
    return meter_breaker_control_state(&m);
}

static void test_factory_inactive(void **s) {
    (void)s;
    /* A new account collects nothing and never disconnects. */
    for (int64_t t = T + 900; t <= T + 3600; t += 900)
        step(t, 900);
    assert_int_equal(state(), COSEM_DISC_CONNECTED);
    assert_int_equal(m.prepay.token.current_credit_amount, 0);
    assert_int_equal(token(1, 100), DLMS_DAR_OTHER_REASON); /* inactive */
}

static void test_run_out_top_up_button(void **s) {
    (void)s;
    activate();
    assert_int_equal(token(1, 200), 0);
    assert_int_equal(m.prepay.token.current_credit_amount, 200);
    assert_int_equal(m.prepay.top_ups, 1);

    /* Ten minutes: 4140 Wh, 103.5 ct. */
    for (int64_t t = T + 60; t <= T + 600; t += 60)
        step(t, 60);
    int32_t left = m.prepay.token.current_credit_amount;
    assert_true(left >= 95 && left <= 97);
    assert_int_equal(state(), COSEM_DISC_CONNECTED);

    /* Out of credit after ~19.3 min: local disconnect. */
    for (int64_t t = T + 660; t <= T + 1260; t += 60)
        step(t, 60);
    assert_int_equal(state(), COSEM_DISC_READY_FOR_RECONNECTION);
    assert_false(relay_pos);
    assert_true(m.prepay.account.disconnect_wanted);
    assert_int_equal(m.event_code[METER_LOG_BREAKER], 64);
    assert_int_equal(m.prof[METER_PROF_LOG_BREAKER].entries_in_use, 2); /* 244, 64 */
    uint64_t e0 = m.energy.uwh[METER_E_A_PLUS];
    step(T + 1320, 60);
    assert_true(m.energy.uwh[METER_E_A_PLUS] - e0 < 1000u);
    assert_int_equal(meter_breaker_button(&m), 0); /* still out of credit */
    assert_int_equal(state(), COSEM_DISC_READY_FOR_RECONNECTION);

    /* Top-up: credit again, the button reconnects (no automatic switch-on). */
    assert_int_equal(token(2, 1000), 0);
    assert_false(m.prepay.account.disconnect_wanted);
    step(T + 1380, 60);
    assert_int_equal(state(), COSEM_DISC_READY_FOR_RECONNECTION);
    assert_false(relay_pos);
    assert_int_equal(meter_breaker_button(&m), 1);
    assert_int_equal(state(), COSEM_DISC_CONNECTED);
    assert_true(relay_pos);
    step(T + 1440, 60);
    assert_true(m.energy.uwh[METER_E_A_PLUS] - e0 > 400000000u);

    /* The same token again: refused, logged. */
    int32_t before = m.prepay.token.current_credit_amount;
    assert_int_equal(token(2, 1000), DLMS_DAR_OTHER_REASON);
    assert_int_equal(m.prepay.token.current_credit_amount, before);
    assert_int_equal(m.event_code[METER_LOG_STANDARD], METER_EV_PREPAY_REFUSED);
}

static void test_friendly_hours(void **s) {
    (void)s;
    /* Friendly 12:00-14:00 local; T is 13:00 CET. */
    m.prepay.account.friendly =
        (cosem_prepay_friendly_t){.weekdays = 0, .start_minute = 12 * 60, .end_minute = 14 * 60};
    activate();
    assert_int_equal(token(1, 100), 0);
    for (int64_t t = T + 60; t <= T + 3540; t += 60)
        step(t, 60);
    assert_true(m.prepay.account.deferred);
    assert_true(m.prepay.token.current_credit_amount < 0); /* debt while friendly */
    assert_int_equal(state(), COSEM_DISC_CONNECTED);
    assert_true(relay_pos);
    step(T + 3600, 60); /* 14:00 local: the friendly period ends */
    step(T + 3660, 60);
    assert_int_equal(state(), COSEM_DISC_READY_FOR_RECONNECTION);
    assert_false(relay_pos);
}

/* ---- persistence ------------------------------------------------------------------------ */

static void test_persist(void **s) {
    (void)s;
    em_flash_geometry_t geo = {.sector_size = 4096, .sector_count = 0, .program_unit = 4};
    geo.sector_count = meter_persist_sectors_needed(&geo, METER_VARIANT_OMNI);
    char path[64];
    snprintf(path, sizeof(path), "/tmp/test_meter_prepay_%d.img", (int)getpid());
    unlink(path);
    em_port_posix_t pst;
    meter_persist_t p;
    assert_int_equal(em_port_posix_init(&port, &pst, path, &geo), 0);
    port.rtc_get = rtc_get;
    port.relay = relay;
    init_meter();
    assert_int_equal(meter_persist_mount(&p, &m, &port, T), 0);
    activate();
    assert_int_equal(token(7, 500), 0);
    step(T + 60, 60);
    assert_int_equal(meter_persist_commit(&p, T + 60), 0);
    int32_t amount = m.prepay.token.current_credit_amount;
    int32_t paid = m.prepay.energy.total_amount_paid;
    assert_true(amount < 500 && paid > 0);
    em_port_posix_deinit(&pst);

    assert_int_equal(em_port_posix_init(&port, &pst, path, &geo), 0);
    port.rtc_get = rtc_get;
    port.relay = relay;
    rtc = T + 120;
    init_meter();
    assert_int_equal(m.prepay.token.current_credit_amount, 0); /* factory, before the mount */
    assert_int_equal(meter_persist_mount(&p, &m, &port, T + 120), 0);
    assert_int_equal(m.prepay.account.account_status, COSEM_ACCOUNT_ACTIVE);
    assert_int_equal(m.prepay.token.current_credit_amount, amount);
    assert_int_equal(m.prepay.energy.total_amount_paid, paid);
    assert_int_equal(m.prepay.emergency.priority, 0);
    /* The history came back with the credit: no replay. */
    assert_int_equal(token(7, 500), DLMS_DAR_OTHER_REASON);
    assert_int_equal(m.prepay.token.current_credit_amount, amount);
    /* A keypad token through the meter's API. */
    uint8_t tk[COSEM_TOKEN_LEN];
    assert_int_equal(cosem_token_build(KEY, TITLE, 8, 50, COSEM_TOKEN_TYPE_CREDIT, tk), 0);
    assert_int_equal(meter_prepay_token(&m, tk, sizeof(tk), COSEM_TOKEN_MANUAL), 0);
    assert_int_equal(m.prepay.token.current_credit_amount, amount + 50);
    em_port_posix_deinit(&pst);
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_factory_inactive, setup),
        cmocka_unit_test_setup(test_run_out_top_up_button, setup),
        cmocka_unit_test_setup(test_friendly_hours, setup),
        cmocka_unit_test_setup(test_persist, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
