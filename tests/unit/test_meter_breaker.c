/*
 * test_meter_breaker.c - the breaker in the meter (lib/meter/breaker.c):
 * remote disconnect through the COSEM dispatcher opens the relay (the port
 * callback sees it), energy stops, the disconnector log has the event; the
 * button reconnects only from ready_for_reconnection, per control mode; the
 * state survives a restart over the flash image (relay re-driven, no
 * event); the limiter disconnects after its minimum over-threshold
 * duration; over-current and over-voltage supervision (with the local
 * reconnect when the voltage is back); esmr has the objects only with the
 * breaker option; the wrapper classes have the module classes' shapes.
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

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

/* 2024-01-15 12:00:00 UTC (13:00 CET), a multiple of 900 s. */
static const int64_t T = 1705320000;
static const uint8_t LN_BREAKER[6] = {0, 0, 96, 3, 10, 255};
static const uint8_t LN_LIMITER[6] = {0, 0, 17, 0, 0, 255};

static meter_t m;
static em_port_t port;
static int64_t rtc;
static int relay_calls;
static bool relay_pos;

static int64_t rtc_get(void *user) {
    (void)user;
    return rtc;
}

static int rtc_set(void *user, int64_t utc) {
    (void)user;
    rtc = utc;
    return 0;
}

static void relay(void *user, bool closed) {
    (void)user;
    relay_calls++;
    relay_pos = closed;
}

static void set_load(double u, double i) {
    metrology_phasor_input_t in;
    meter_load_balanced(&in, u, i, acos(0.9) * 180.0 / 3.14159265358979323846, 50.0);
    assert_int_equal(meter_set_load(&m, &in), 0);
}

static void init_meter(enum meter_variant v, bool breaker) {
    static const uint8_t ldn[] = "EMT0000000000001";
    meter_identity_t id = {.variant = v,
                           .logical_device_name = ldn,
                           .logical_device_name_len = 16,
                           .serial_number = "E0001",
                           .equipment_id = "E0001",
                           .max_pdu = 1024,
                           .time_zone_min = -60,
                           .breaker = breaker};
    assert_int_equal(meter_init(&m, &id, &port), 0);
}

static int setup(void **state) {
    (void)state;
    memset(&port, 0, sizeof(port));
    port.rtc_get = rtc_get;
    port.rtc_set = rtc_set;
    port.relay = relay;
    rtc = T;
    relay_calls = 0;
    relay_pos = false;
    init_meter(METER_VARIANT_OMNI, false);
    set_load(230.0, 5.0);
    return 0;
}

static void step(int64_t utc, uint32_t seconds) {
    rtc = utc;
    assert_int_equal(meter_step(&m, utc, seconds), 0);
}

static uint64_t a_plus(void) {
    return m.energy.uwh[METER_E_A_PLUS];
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

static int action(const uint8_t ln[6], uint16_t cls, int8_t method) {
    dlms_assoc_view_t v = mgmt();
    uint8_t ret[16];
    size_t ret_len;
    bool has_ret = false;
    return cosem_call_action(&m.cosem, &v, cls, ln, method, BYTES(0x0F, 0x00), ret, sizeof(ret),
                             &ret_len, &has_ret);
}

static int set(const uint8_t ln[6], uint16_t cls, int8_t attr, const uint8_t *val, size_t n) {
    dlms_assoc_view_t v = mgmt();
    return cosem_call_set(&m.cosem, &v, cls, ln, attr, val, n);
}

static uint32_t log_entries(void) {
    return m.prof[METER_PROF_LOG_BREAKER].entries_in_use;
}

static uint8_t state(void) {
    return meter_breaker_control_state(&m);
}

/* ---- remote disconnect, energy, log, button ------------------------------------------- */

static void test_remote_disconnect(void **s) {
    (void)s;
    assert_true(meter_breaker_present(&m));
    assert_true(relay_pos); /* driven closed at init */
    step(T + 60, 60);
    uint64_t e0 = a_plus();
    assert_true(e0 > 0);
    assert_int_equal(state(), COSEM_DISC_CONNECTED);

    int calls = relay_calls;
    assert_int_equal(action(LN_BREAKER, 70, 1), 0); /* remote_disconnect */
    assert_int_equal(relay_calls, calls + 1);
    assert_false(relay_pos);
    assert_false(meter_breaker_closed(&m));
    assert_int_equal(state(), COSEM_DISC_DISCONNECTED);
    assert_int_equal(m.event_code[METER_LOG_BREAKER], 62);
    assert_int_equal(log_entries(), 1);

    /* No current, no energy, also with a new load asked for. */
    step(T + 120, 60);
    set_load(230.0, 10.0);
    step(T + 180, 60);
    assert_true(a_plus() - e0 < 1000u); /* < 1 mWh: nothing but rounding */
    assert_int_equal(m.inst.i_ca[0], 0);
    assert_true(m.inst.v_dv[0] > 2200); /* the supply side still has voltage */

    /* The button does nothing while disconnected. */
    assert_int_equal(meter_breaker_button(&m), 0);
    assert_int_equal(state(), COSEM_DISC_DISCONNECTED);

    /* Mode 5: remote_reconnect -> ready_for_reconnection, relay still open. */
    assert_int_equal(action(LN_BREAKER, 70, 2), 0);
    assert_int_equal(state(), COSEM_DISC_READY_FOR_RECONNECTION);
    assert_false(relay_pos);
    assert_int_equal(m.event_code[METER_LOG_BREAKER], 59);
    step(T + 240, 60);
    assert_true(a_plus() - e0 < 1000u);

    /* The consumer confirms: e, relay closed, energy runs with the last load. */
    assert_int_equal(meter_breaker_button(&m), 1);
    assert_int_equal(state(), COSEM_DISC_CONNECTED);
    assert_true(relay_pos);
    assert_int_equal(m.event_code[METER_LOG_BREAKER], 61);
    assert_int_equal(log_entries(), 3);
    uint64_t e1 = a_plus();
    step(T + 300, 60);
    double wh = (double)(a_plus() - e1) / 1e6;
    assert_true(fabs(wh - 3.0 * 230.0 * 10.0 * 0.9 / 60.0) < 1.0);

    /* The same through the push button of the display (lib/meter/devices):
     * a short press scrolls, a long press (omni) is the breaker's local
     * action and reconnects from ready_for_reconnection. */
    assert_int_equal(action(LN_BREAKER, 70, 1), 0);
    assert_int_equal(action(LN_BREAKER, 70, 2), 0);
    assert_int_equal(state(), COSEM_DISC_READY_FOR_RECONNECTION);
    assert_int_equal(meter_button(&m, true, 100000), DISPLAY_PRESS_NONE);
    assert_int_equal(meter_button(&m, false, 100300), DISPLAY_PRESS_SHORT);
    assert_int_equal(state(), COSEM_DISC_READY_FOR_RECONNECTION);
    assert_true((meter_display_symbols(&m) & DISPLAY_SYM_BREAKER_OPEN) != 0);
    assert_int_equal(meter_button(&m, true, 200000), DISPLAY_PRESS_NONE);
    assert_int_equal(meter_button(&m, false, 203000), DISPLAY_PRESS_LONG);
    assert_int_equal(state(), COSEM_DISC_CONNECTED);
    assert_true(relay_pos);
    assert_true((meter_display_symbols(&m) & DISPLAY_SYM_BREAKER_OPEN) == 0);
}

/* Control modes: manual disconnect (f) only in 1, 2, 5; direct remote
 * reconnect in 2 and 4; the button reconnects only from ready. */
static void test_button_modes(void **s) {
    (void)s;
    static const uint8_t enum3[] = {0x16, 3}, enum1[] = {0x16, 1}, enum2[] = {0x16, 2};
    assert_int_equal(set(LN_BREAKER, 70, 4, enum3, 2), 0);
    assert_int_equal(meter_breaker_button(&m), 0); /* mode 3: no manual disconnect */
    assert_int_equal(state(), COSEM_DISC_CONNECTED);

    assert_int_equal(set(LN_BREAKER, 70, 4, enum1, 2), 0);
    assert_int_equal(meter_breaker_button(&m), 1); /* f */
    assert_int_equal(state(), COSEM_DISC_READY_FOR_RECONNECTION);
    assert_false(relay_pos);
    assert_int_equal(m.event_code[METER_LOG_BREAKER], 60);
    assert_int_equal(meter_breaker_button(&m), 1); /* e */
    assert_int_equal(state(), COSEM_DISC_CONNECTED);
    assert_true(relay_pos);

    assert_int_equal(set(LN_BREAKER, 70, 4, enum2, 2), 0);
    assert_int_equal(action(LN_BREAKER, 70, 1), 0);
    assert_int_equal(action(LN_BREAKER, 70, 2), 0); /* a: direct */
    assert_int_equal(state(), COSEM_DISC_CONNECTED);
    assert_true(relay_pos);
    assert_int_equal(m.event_code[METER_LOG_BREAKER], 63);
}

/* ---- persistence ------------------------------------------------------------------------ */

static em_flash_geometry_t geo = {.sector_size = 4096, .sector_count = 0, .program_unit = 4};
static char path[64];
static em_port_posix_t pst;
static meter_persist_t p;

static void boot(int64_t utc) {
    assert_int_equal(em_port_posix_init(&port, &pst, path, &geo), 0);
    port.rtc_get = rtc_get;
    port.rtc_set = rtc_set;
    port.relay = relay;
    rtc = utc;
    init_meter(METER_VARIANT_OMNI, false);
    set_load(230.0, 5.0);
    assert_int_equal(meter_persist_mount(&p, &m, &port, utc), 0);
}

static void test_persist_restart(void **s) {
    (void)s;
    geo.sector_count = meter_persist_sectors_needed(&geo, METER_VARIANT_OMNI);
    snprintf(path, sizeof(path), "/tmp/test_meter_breaker_%d.img", (int)getpid());
    unlink(path);
    boot(T);
    static const uint8_t thr[] = {0x06, 0x00, 0x00, 0x27, 0x10}; /* 10000 W */
    assert_int_equal(set(LN_LIMITER, 71, 4, thr, sizeof(thr)), 0);
    step(T + 60, 60);
    assert_int_equal(action(LN_BREAKER, 70, 1), 0);
    assert_int_equal(meter_persist_commit(&p, T + 60), 0);
    uint64_t e0 = a_plus();
    uint32_t entries = log_entries();
    em_port_posix_deinit(&pst);

    /* Power cycle: the relay stays open, is re-driven open, no new event. */
    relay_calls = 0;
    relay_pos = true;
    boot(T + 120);
    assert_int_equal(state(), COSEM_DISC_DISCONNECTED);
    assert_false(relay_pos);
    assert_true(relay_calls >= 1);
    assert_false(meter_breaker_closed(&m));
    assert_int_equal(log_entries(), entries);
    assert_int_equal(m.breaker.limiter.threshold_normal.v.u, 10000);
    assert_int_equal(a_plus(), e0);
    step(T + 180, 60);
    assert_true(a_plus() - e0 < 1000u);
    /* The control mode persists too. */
    static const uint8_t enum4[] = {0x16, 4};
    assert_int_equal(set(LN_BREAKER, 70, 4, enum4, 2), 0);
    assert_int_equal(meter_persist_commit(&p, T + 180), 0);
    em_port_posix_deinit(&pst);
    boot(T + 240);
    assert_int_equal(m.breaker.disc.control_mode, 4);
    em_port_posix_deinit(&pst);
    unlink(path);
}

/* ---- limiter and supervision ------------------------------------------------------------ */

static void test_limiter(void **s) {
    (void)s;
    /* 3105 W over a 3000 W threshold for 60 s -> local disconnect (g). */
    static const uint8_t thr[] = {0x06, 0x00, 0x00, 0x0B, 0xB8};
    static const uint8_t dur[] = {0x06, 0x00, 0x00, 0x00, 0x3C};
    assert_int_equal(set(LN_LIMITER, 71, 4, thr, sizeof(thr)), 0);
    assert_int_equal(set(LN_LIMITER, 71, 6, dur, sizeof(dur)), 0);
    for (int64_t t = T + 10; t <= T + 60; t += 10)
        step(t, 10);
    assert_int_equal(state(), COSEM_DISC_CONNECTED);
    step(T + 70, 10); /* over since T + 10: 60 s reached */
    assert_int_equal(state(), COSEM_DISC_READY_FOR_RECONNECTION);
    assert_false(relay_pos);
    assert_int_equal(log_entries(), 2); /* 65 limiter exceeded, 64 local disconnection */
    assert_int_equal(m.event_code[METER_LOG_BREAKER], 64);
    uint64_t e0 = a_plus();
    step(T + 130, 60);
    assert_true(a_plus() - e0 < 1000u);
    /* Relay open: P+ 0, under for min_under (300 s, factory) -> script 2,
     * local reconnect (h, mode 5): 66 then 69. */
    for (int64_t t = T + 190; t <= T + 310; t += 60)
        step(t, 60);
    assert_int_equal(state(), COSEM_DISC_READY_FOR_RECONNECTION);
    step(T + 370, 60); /* under since the tick at T + 130 */
    assert_int_equal(state(), COSEM_DISC_READY_FOR_RECONNECTION);
    step(T + 430, 60); /* 300 s */
    assert_int_equal(state(), COSEM_DISC_CONNECTED);
    assert_true(relay_pos);
    assert_int_equal(log_entries(), 4);
    assert_int_equal(m.event_code[METER_LOG_BREAKER], 69);
}

static void test_over_current(void **s) {
    (void)s;
    set_load(230.0, 75.0); /* over 69 A */
    step(T + 5, 5);
    assert_int_equal(state(), COSEM_DISC_CONNECTED);
    step(T + 10, 5); /* seen since T + 5: 5 s */
    assert_int_equal(state(), COSEM_DISC_CONNECTED);
    step(T + 15, 5); /* 10 s */
    assert_int_equal(state(), COSEM_DISC_READY_FOR_RECONNECTION);
    assert_false(relay_pos);
    assert_int_equal(log_entries(), 2); /* 240 over-current, 64 */
    assert_int_equal(m.breaker.sup_tripped, 1u << METER_SUP_OVER_CURRENT);
    step(T + 20, 5);
    assert_int_equal(m.inst.i_ca[0], 0);
    /* The consumer lowers the load and reconnects with the button. */
    set_load(230.0, 10.0);
    assert_int_equal(meter_breaker_button(&m), 1);
    assert_int_equal(state(), COSEM_DISC_CONNECTED);
    assert_int_equal(m.breaker.sup_tripped, 0);
    step(T + 40, 20);
    assert_int_equal(state(), COSEM_DISC_CONNECTED);
}

static void test_over_voltage(void **s) {
    (void)s;
    set_load(290.0, 5.0);
    step(T + 1, 1);
    for (int64_t t = T + 2; t <= T + 7; t++)
        step(t, 1);
    assert_int_equal(state(), COSEM_DISC_READY_FOR_RECONNECTION);
    assert_int_equal(m.event_code[METER_LOG_BREAKER], 64);
    /* Still over: the button is refused. */
    step(T + 8, 1);
    assert_int_equal(meter_breaker_button(&m), 0);
    /* Back to normal for restore_s (60 s): local reconnect (h, mode 5). */
    set_load(230.0, 5.0);
    step(T + 30, 22);
    assert_int_equal(state(), COSEM_DISC_READY_FOR_RECONNECTION);
    step(T + 90, 60);
    step(T + 100, 10);
    assert_int_equal(state(), COSEM_DISC_CONNECTED);
    assert_true(relay_pos);
    assert_int_equal(m.event_code[METER_LOG_BREAKER], 69);
}

/* ---- esmr and the wrapper classes ---------------------------------------------------------- */

static void test_esmr_option(void **s) {
    (void)s;
    uint8_t out[64];
    size_t len;
    dlms_assoc_view_t v = mgmt();
    init_meter(METER_VARIANT_ESMR, false);
    assert_false(meter_breaker_present(&m));
    assert_int_equal(cosem_call_get(&m.cosem, &v, 70, LN_BREAKER, 3, NULL, out, sizeof(out), &len),
                     DLMS_DAR_OBJECT_UNDEFINED);
    assert_int_equal(action(LN_BREAKER, 70, 1), DLMS_DAR_OBJECT_UNDEFINED);
    assert_int_equal(meter_breaker_button(&m), 0);
    assert_false(cosem_visible(&m.cosem, cosem_find(&m.cosem, LN_LIMITER), METER_ASSOC_MANAGEMENT));

    init_meter(METER_VARIANT_ESMR, true);
    set_load(230.0, 5.0);
    assert_true(meter_breaker_present(&m));
    assert_int_equal(cosem_call_get(&m.cosem, &v, 70, LN_BREAKER, 3, NULL, out, sizeof(out), &len),
                     0);
    assert_int_equal(action(LN_BREAKER, 70, 1), 0);
    assert_false(relay_pos);
    step(T + 60, 60);
    assert_true(a_plus() < 1000u);
}

static void same_shape(const cosem_class_t *w, const cosem_class_t *c) {
    assert_int_equal(w->class_id, c->class_id);
    assert_int_equal(w->version, c->version);
    assert_int_equal(w->attr_count, c->attr_count);
    assert_int_equal(w->method_count, c->method_count);
    assert_int_equal(w->write_mask, c->write_mask);
    assert_int_equal(w->method_mask, c->method_mask);
    assert_int_equal(w->selective_mask, c->selective_mask);
    assert_int_equal(w->selectors, c->selectors);
    assert_true(w->writable == NULL && c->writable == NULL);
    assert_true((w->action == NULL) == (c->action == NULL));
    assert_non_null(w->present);
}

static void test_wrapper_shapes(void **s) {
    (void)s;
    same_shape(&meter_class_disconnect_control, &cosem_class_disconnect_control);
    same_shape(&meter_class_limiter, &cosem_class_limiter);
    same_shape(&meter_class_breaker_scripts, &cosem_class_script_table);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_remote_disconnect, setup),
        cmocka_unit_test_setup(test_button_modes, setup),
        cmocka_unit_test_setup(test_persist_restart, setup),
        cmocka_unit_test_setup(test_limiter, setup),
        cmocka_unit_test_setup(test_over_current, setup),
        cmocka_unit_test_setup(test_over_voltage, setup),
        cmocka_unit_test_setup(test_esmr_option, setup),
        cmocka_unit_test(test_wrapper_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
