/*
 * test_meter_devices.c - the devices wired into the meter (lib/meter/
 * devices.c): display and button, tamper, login lockout and
 * self-diagnostics, driven only through the meter's public API (meter_button,
 * meter_cover, meter_magnet, meter_display_lines, meter_step, the persist
 * power cycle) and, for the lockout and the COSEM objects, through the real
 * DLMS server with the lib/dlms client as management client 1 (HLS-5,
 * ciphered; the in-memory setup of test_meter_e2e.c). The meter runs on a
 * flash image (lib/meter/persist), the port's monotonic clock and RTC are
 * the test's.
 *
 *   - esmr button: power-on page (firmware id) for 5 s, auto scroll every
 *     5 s, a press enters manual scroll and each press shows the next item,
 *     back to auto 30 s after the last press; omni: a held press is LONG;
 *   - terminal cover open 5 s: event 40 in the fraud log with the instant
 *     of the opening, alarm bit 13, service mode with 0.001 kWh; closed: 41;
 *     meter cover 44/45; magnet 80 mT 42/43, 60 mT nothing;
 *   - a cover opened during an outage is logged at power-up with its
 *     instant;
 *   - three wrong keys: event 46 once, the fourth AARQ (right keys) is
 *     refused rejected-transient / authentication-failure and the server
 *     never looks at it; the lock survives a restart; after 900 s the
 *     association works again;
 *   - display lists over DLMS: read, a list without the legal readings
 *     refused (other-reason), a good one accepted, shown and persisted;
 *   - diagnostics: a corrupted record copy in flash raises event 14 once
 *     and error register bit 10 (read over DLMS); implausible records raise
 *     16; plausible metering raises nothing; LED no-load state.
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

#include "dlms/client.h"
#include "dlms/server.h"
#include "meter/meter.h"
#include "meter/persist.h"
#include "port_posix.h"

/* 2024-01-15 12:00:00 UTC (13:00 CET). */
static const int64_t T = 1705320000;

#define LN(...) ((const uint8_t[6]){__VA_ARGS__})

static const uint8_t GUEK[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
static const uint8_t AK[16] = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7,
                               0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF};
static const uint8_t CLIENT_TITLE[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x01};

static em_flash_geometry_t geo = {.sector_size = 4096, .sector_count = 0, .program_unit = 4};
static char path[64];
static em_port_t port;
static em_port_posix_t pst;
static bool port_open;
static meter_t m;
static meter_persist_t p;
static int64_t rtc;
static uint64_t mono; /* the port's monotonic clock, ms */
static enum meter_variant variant;
static uint32_t server_ic = 1;

static int64_t rtc_get(void *user) {
    (void)user;
    return rtc;
}

static int rtc_set(void *user, int64_t utc) {
    (void)user;
    rtc = utc;
    return 0;
}

static uint64_t mono_get(void *user) {
    (void)user;
    return mono;
}

static int no_sync(void *user) {
    (void)user;
    return 0;
}

static void boot(int64_t utc) {
    if (port_open)
        em_port_posix_deinit(&pst);
    assert_int_equal(em_port_posix_init(&port, &pst, path, &geo), 0);
    port_open = true;
    port.rtc_get = rtc_get;
    port.rtc_set = rtc_set;
    port.monotonic_ms = mono_get;
    port.flash_sync = no_sync;
    rtc = utc;
    static const uint8_t ldn[] = "EMT0000000000001";
    meter_identity_t id = {.variant = variant,
                           .logical_device_name = ldn,
                           .logical_device_name_len = 16,
                           .serial_number = "E0001",
                           .equipment_id = "E0001",
                           .system_title = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E},
                           .max_pdu = 1024,
                           .time_zone_min = -60};
    assert_int_equal(meter_init(&m, &id, &port), 0);
    memcpy(m.sec_mgmt.keys.guek, GUEK, 16);
    memcpy(m.sec_mgmt.keys.ak, AK, 16);
    m.sec_mgmt.tx_ic = m.sec_mgmt.tx_ic_reserved = server_ic;
    metrology_phasor_input_t in;
    meter_load_balanced(&in, 230.0, 5.0, 25.0, 50.0);
    assert_int_equal(meter_set_load(&m, &in), 0);
    assert_int_equal(meter_persist_mount(&p, &m, &port, utc), 0);
    assert_int_equal(meter_persist_power_up(&p, utc), 0);
}

/* One second of meter time and of the monotonic clock. */
static void tick(void) {
    rtc++;
    mono += 1000;
    assert_int_equal(meter_tick(&m, rtc), 0);
    assert_int_equal(meter_persist_tick(&p, rtc), 0);
}

static void ticks(unsigned n) {
    for (unsigned i = 0; i < n; i++)
        tick();
}

static int setup_variant(enum meter_variant v) {
    variant = v;
    geo.sector_count = meter_persist_sectors_needed(&geo, v);
    snprintf(path, sizeof(path), "/tmp/test_meter_devices_%d.img", (int)getpid());
    unlink(path);
    port_open = false;
    mono = 1000000;
    server_ic = 1;
    return 0;
}

static int setup_esmr(void **state) {
    (void)state;
    return setup_variant(METER_VARIANT_ESMR);
}

static int setup_omni(void **state) {
    (void)state;
    return setup_variant(METER_VARIANT_OMNI);
}

static int teardown(void **state) {
    (void)state;
    if (port_open)
        em_port_posix_deinit(&pst);
    port_open = false;
    unlink(path);
    return 0;
}

/* ---- logs ------------------------------------------------------------------------------ */

static uint32_t log_rows(unsigned slot) {
    return p.rows[slot].ops->count(p.rows[slot].user);
}

/* Code of log row i; *hms the local hour, minute, second (row: len,
 * 09 0C date-time, 11 code). */
static uint8_t log_code(unsigned slot, uint32_t i, unsigned *hms) {
    uint8_t row[METER_LOG_ROW];
    assert_int_equal(p.rows[slot].ops->read(p.rows[slot].user, i, row), 0);
    assert_int_equal(row[2], 0x09);
    assert_int_equal(row[16], AXDR_UNSIGNED);
    if (hms != NULL)
        *hms = row[9] * 10000u + row[10] * 100u + row[11];
    return row[17];
}

static unsigned count_code(unsigned slot, uint8_t code) {
    unsigned n = 0;
    for (uint32_t i = 0; i < log_rows(slot); i++)
        n += log_code(slot, i, NULL) == code;
    return n;
}

/* Local time of the last row holding code (0 when none). */
static unsigned last_hms(unsigned slot, uint8_t code) {
    unsigned hms = 0, t;
    for (uint32_t i = 0; i < log_rows(slot); i++)
        if (log_code(slot, i, &t) == code)
            hms = t;
    return hms;
}

static void lines(char out[DISPLAY_LINES][DISPLAY_COLS + 1]) {
    int rc = meter_display_lines(&m, out);
    assert_true(rc == 0);
}

/* ---- display and button ---------------------------------------------------------------------- */

static void press(uint32_t hold_ms, int expect) {
    assert_int_equal(meter_button(&m, true, mono), DISPLAY_PRESS_NONE);
    mono += hold_ms;
    assert_int_equal(meter_button(&m, false, mono), expect);
}

static void test_button_esmr(void **state) {
    (void)state;
    boot(T);
    char l[DISPLAY_LINES][DISPLAY_COLS + 1];
    lines(l);
    assert_int_equal(display_mode(&m.devices.display), DISPLAY_MODE_POWER_ON);
    assert_string_equal(l[1], "EMT-CORE-0.1.0"); /* the legal firmware version */
    ticks(6);
    assert_int_equal(display_mode(&m.devices.display), DISPLAY_MODE_AUTO);
    lines(l);
    assert_string_equal(l[0], "1.8.0");
    assert_non_null(strstr(l[1], "kWh"));
    /* the status line: tariff, quadrant Q1 (import, inductive), 3 phases */
    assert_memory_equal(l[2] + 3, "Q1", 2);
    assert_memory_equal(l[2] + 6, "L123", 4);
    assert_true((meter_display_symbols(&m) & DISPLAY_SYM_IMPORT) != 0);
    ticks(5);
    lines(l);
    assert_string_equal(l[0], "2.8.0");

    /* manual scroll: each press the next item of the manual list */
    press(200, DISPLAY_PRESS_SHORT);
    assert_int_equal(display_mode(&m.devices.display), DISPLAY_MODE_MANUAL);
    lines(l);
    char first[DISPLAY_COLS + 1];
    strcpy(first, l[0]);
    press(2500, DISPLAY_PRESS_SHORT); /* esmr: a long press scrolls too */
    lines(l);
    assert_string_not_equal(l[0], first);
    assert_true((meter_display_symbols(&m) & DISPLAY_SYM_MANUAL) != 0);
    ticks(29);
    assert_int_equal(display_mode(&m.devices.display), DISPLAY_MODE_MANUAL);
    ticks(2);
    assert_int_equal(display_mode(&m.devices.display), DISPLAY_MODE_AUTO);
}

static void test_button_omni(void **state) {
    (void)state;
    boot(T);
    ticks(6);
    char l[DISPLAY_LINES][DISPLAY_COLS + 1];
    lines(l);
    assert_int_equal(display_mode(&m.devices.display), DISPLAY_MODE_AUTO);
    assert_string_equal(l[1], "1.8.0"); /* the identification field */
    press(300, DISPLAY_PRESS_SHORT);
    assert_int_equal(display_mode(&m.devices.display), DISPLAY_MODE_MANUAL);
    uint8_t list, index;
    display_position(&m.devices.display, &list, &index);
    press(2500, DISPLAY_PRESS_LONG); /* the breaker's local action; no scroll */
    uint8_t list2, index2;
    display_position(&m.devices.display, &list2, &index2);
    assert_int_equal(index2, index);
}

/* ---- tamper --------------------------------------------------------------------------------- */

static void test_covers_and_magnet(void **state) {
    (void)state;
    boot(T);
    ticks(10);
    int64_t opened = rtc;
    assert_int_equal(meter_cover(&m, TAMPER_TERMINAL_COVER, true, rtc), 0);
    assert_int_equal(display_mode(&m.devices.display), DISPLAY_MODE_SERVICE);
    char l[DISPLAY_LINES][DISPLAY_COLS + 1];
    lines(l);
    /* service mode: energy with 0.001 kWh */
    const char *dot = strchr(l[1], '.');
    assert_non_null(dot);
    assert_true(dot[1] >= '0' && dot[1] <= '9' && dot[2] >= '0' && dot[3] >= '0' && dot[3] <= '9');
    assert_true((meter_display_symbols(&m) & DISPLAY_SYM_SERVICE) != 0);
    ticks(3);
    assert_int_equal(count_code(METER_PROF_LOG_FRAUD, 40), 0); /* below the threshold */
    ticks(3);
    assert_int_equal(count_code(METER_PROF_LOG_FRAUD, 40), 1);
    /* stamped with the opening: 13:00:10 CET */
    assert_int_equal(last_hms(METER_PROF_LOG_FRAUD, 40), 130000u + (unsigned)(opened - T));
    assert_true((m.alarm[0] & METER_ALARM_FRAUD_ATTEMPT) != 0);
    assert_true((meter_display_symbols(&m) & DISPLAY_SYM_TAMPER) != 0);
    assert_int_equal(meter_cover(&m, TAMPER_TERMINAL_COVER, false, rtc), 0);
    assert_int_equal(display_mode(&m.devices.display), DISPLAY_MODE_AUTO);
    ticks(6);
    assert_int_equal(count_code(METER_PROF_LOG_FRAUD, 41), 1);

    /* meter cover */
    assert_int_equal(meter_cover(&m, TAMPER_METER_COVER, true, rtc), 0);
    ticks(6);
    assert_int_equal(meter_cover(&m, TAMPER_METER_COVER, false, rtc), 0);
    ticks(6);
    assert_int_equal(count_code(METER_PROF_LOG_FRAUD, 44), 1);
    assert_int_equal(count_code(METER_PROF_LOG_FRAUD, 45), 1);
    assert_int_equal(meter_cover(&m, 7, true, rtc), METER_DEVICES_ERR_BADARG);

    /* magnet: 60 mT is no tamper, 80 mT for 6 s is */
    assert_int_equal(meter_magnet(&m, 60, rtc), 0);
    ticks(10);
    assert_int_equal(count_code(METER_PROF_LOG_FRAUD, 42), 0);
    assert_int_equal(meter_magnet(&m, 80, rtc), 0);
    ticks(6);
    assert_int_equal(meter_magnet(&m, 0, rtc), 0);
    ticks(6);
    assert_int_equal(count_code(METER_PROF_LOG_FRAUD, 42), 1);
    assert_int_equal(count_code(METER_PROF_LOG_FRAUD, 43), 1);
}

static void test_tamper_during_outage(void **state) {
    (void)state;
    boot(T);
    ticks(5);
    assert_int_equal(meter_persist_power_down(&p, rtc), 0);
    assert_int_equal(display_mode(&m.devices.display), DISPLAY_MODE_OFF);
    rtc += 100;
    int64_t opened = rtc;
    assert_int_equal(meter_cover(&m, TAMPER_TERMINAL_COVER, true, rtc), 0);
    rtc += 60;
    assert_int_equal(count_code(METER_PROF_LOG_FRAUD, 40), 0);
    /* the power comes back (same process: the RAM queue survives) */
    assert_int_equal(meter_persist_power_up(&p, rtc), 0);
    assert_int_equal(count_code(METER_PROF_LOG_FRAUD, 40), 1);
    unsigned hms = last_hms(METER_PROF_LOG_FRAUD, 40);
    int64_t s = opened - T;
    assert_int_equal(hms, 130000u + (unsigned)(s / 60) * 100u + (unsigned)(s % 60));
}

/* ---- the head-end -------------------------------------------------------------------------------
 */

static dlms_server_config_t scfg;
static dlms_server_t srv;
static dlms_client_t cli;
static dlms_client_result_t res;
static uint8_t c_out[EM_DLMS_CLIENT_MAX_PDU + 64];
static uint8_t s_out[DLMS_SERVER_OUT_CAP + 64];
static uint8_t first_reply[DLMS_SERVER_OUT_CAP + 64];
static size_t first_len;
static uint8_t rx[16 * 1024];
static uint8_t val[16 * 1024];
static size_t val_len;
static uint64_t ms;
static unsigned auth_failures;

static int reserve_ic(void *user, dlms_security_context_t *sec, uint32_t new_bound) {
    (void)user;
    (void)sec;
    (void)new_bound;
    return 0;
}

/* What apps/emeter/runtime.c does with the server's callbacks. */
static void on_auth_failure(void *user, uint16_t client_sap, int reason) {
    (void)reason;
    auth_failures++;
    assert_true(meter_login_failed(user, client_sap, rtc) >= 0);
}

static bool assoc_allowed(void *user, uint8_t assoc_index, uint16_t client_sap) {
    (void)client_sap;
    return meter_login_allowed(user, assoc_index, rtc);
}

static void on_association(void *user, const dlms_assoc_view_t *v, int event) {
    if (event == DLMS_SERVER_EVENT_ASSOCIATED)
        meter_login_ok(user, v->assoc_index, rtc);
}

static int exchange(int n) {
    memset(&res, 0, sizeof(res));
    first_len = 0;
    while (n > 0) {
        ms += 10;
        int r = dlms_server_input(&srv, METER_SAP_MANAGEMENT, METER_SERVER_SAP, c_out, (size_t)n,
                                  s_out, sizeof(s_out), ms);
        assert_true(r > 0);
        if (first_len == 0) {
            memcpy(first_reply, s_out, (size_t)r);
            first_len = (size_t)r;
        }
        n = dlms_client_handle(&cli, s_out, (size_t)r, c_out, sizeof(c_out), &res);
    }
    if (n == 0 && res.data.p != NULL) {
        memcpy(val, res.data.p, res.data.len);
        val_len = res.data.len;
    }
    return n;
}

static bool reply_has(const uint8_t *pat, size_t n) {
    for (size_t i = 0; i + n <= first_len; i++)
        if (memcmp(first_reply + i, pat, n) == 0)
            return true;
    return false;
}

/* An AARQ of management client 1 with authentication key ak: true when
 * the association was established. */
static bool associate(const uint8_t *ak) {
    memset(&scfg, 0, sizeof(scfg));
    scfg.associations = m.assoc_list;
    scfg.association_count = m.assoc_count;
    scfg.server_sap = METER_SERVER_SAP;
    scfg.services = &m.services;
    scfg.port = &port;
    scfg.inactivity_ms = DLMS_SERVER_NO_TIMEOUT;
    scfg.reserve_ic = reserve_ic;
    scfg.user = &m;
    scfg.on_auth_failure = on_auth_failure;
    scfg.assoc_allowed = assoc_allowed;
    scfg.on_association = on_association;
    assert_int_equal(dlms_server_init(&srv, &scfg, ms), 0);
    dlms_client_settings_t st;
    dlms_client_settings_init(&st);
    st.mechanism = DLMS_MECH_GMAC;
    st.ciphered = true;
    memcpy(st.keys.guek, GUEK, 16);
    memcpy(st.keys.ak, ak, 16);
    memcpy(st.system_title, CLIENT_TITLE, 8);
    st.tx_ic = m.sec_mgmt.rx_ic_valid ? m.sec_mgmt.rx_ic_last + 1 : 1;
    assert_int_equal(dlms_client_init(&cli, &st), 0);
    dlms_client_set_rx_buffer(&cli, rx, sizeof(rx));
    uint8_t ctos[16];
    assert_int_equal(dlms_sec_hls_challenge(&port, ctos, sizeof(ctos)), 0);
    exchange(dlms_client_aarq(&cli, ctos, sizeof(ctos), c_out, sizeof(c_out)));
    return dlms_client_is_associated(&cli) && dlms_server_status(&srv) == DLMS_ASSOC_ASSOCIATED;
}

static void release(void) {
    assert_int_equal(exchange(dlms_client_release(&cli, c_out, sizeof(c_out))), 0);
    dlms_server_transport_closed(&srv);
    server_ic = m.sec_mgmt.tx_ic;
}

static dlms_cosem_descriptor_t desc(uint16_t cls, const uint8_t ln[6], int8_t id) {
    dlms_cosem_descriptor_t d;
    d.class_id = cls;
    memcpy(d.instance_id, ln, 6);
    d.id = id;
    return d;
}

static int get(uint16_t cls, const uint8_t ln[6], int8_t attr) {
    dlms_cosem_descriptor_t d = desc(cls, ln, attr);
    return exchange(dlms_client_get(&cli, &d, NULL, c_out, sizeof(c_out)));
}

static int set(uint16_t cls, const uint8_t ln[6], int8_t attr, const uint8_t *v, size_t n) {
    dlms_cosem_descriptor_t d = desc(cls, ln, attr);
    return exchange(dlms_client_set(&cli, &d, NULL, v, n, c_out, sizeof(c_out)));
}

static uint32_t get_u32(uint16_t cls, const uint8_t ln[6], int8_t attr) {
    assert_int_equal(get(cls, ln, attr), 0);
    axdr_dec_t d;
    uint32_t v;
    axdr_dec_init(&d, val, val_len);
    assert_int_equal(axdr_get_uint32(&d, &v), 0);
    return v;
}

/* ---- lockout ------------------------------------------------------------------------------------
 */

static void test_lockout(void **state) {
    (void)state;
    boot(T);
    ticks(2);
    uint8_t bad_ak[16];
    memcpy(bad_ak, AK, 16);
    bad_ak[15] ^= 0x55;
    auth_failures = 0;
    for (int i = 0; i < 3; i++) {
        assert_false(associate(bad_ak));
        rtc += 10;
    }
    assert_int_equal(auth_failures, 3);
    assert_int_equal(count_code(METER_PROF_LOG_FRAUD, 46), 1); /* once per lock */
    assert_true((m.alarm[0] & METER_ALARM_FRAUD_ATTEMPT) != 0);

    /* Locked: the right keys are refused without being looked at. */
    static const uint8_t transient[] = {0xA2, 0x03, 0x02, 0x01, 0x02};
    static const uint8_t auth_failure[] = {0xA3, 0x05, 0xA1, 0x03, 0x02, 0x01, 0x0D};
    assert_false(associate(AK));
    assert_true(reply_has(transient, sizeof(transient)));
    assert_true(reply_has(auth_failure, sizeof(auth_failure)));
    assert_int_equal(res.assoc_result, 2);
    assert_int_equal(res.diagnostic, 13);
    assert_int_equal(auth_failures, 3);
    assert_int_equal(count_code(METER_PROF_LOG_FRAUD, 46), 1);

    /* The lock survives a restart (record 8). */
    assert_int_equal(meter_persist_commit(&p, rtc), 0);
    boot(rtc + 5);
    assert_false(associate(AK));
    assert_int_equal(res.assoc_result, 2);
    /* The public client is not locked. */
    assert_true(meter_login_allowed(&m, METER_ASSOC_PUBLIC, rtc));

    /* 900 s after the third failure the lock ends. */
    rtc = T + 2 + 20 + 900 + 1;
    assert_true(associate(AK));
    release();
    assert_int_equal(count_code(METER_PROF_LOG_FRAUD, 46), 1);
}

/* ---- COSEM objects over DLMS
 * --------------------------------------------------------------------- */

/* capture_object_definition {class, ln, attr 2, 0} as A-XDR. */
static size_t put_item(uint8_t *b, uint16_t cls, const uint8_t ln[6]) {
    size_t k = 0;
    b[k++] = 0x02;
    b[k++] = 0x04;
    b[k++] = 0x12;
    b[k++] = (uint8_t)(cls >> 8);
    b[k++] = (uint8_t)cls;
    b[k++] = 0x09;
    b[k++] = 0x06;
    memcpy(b + k, ln, 6);
    k += 6;
    b[k++] = 0x0F;
    b[k++] = 0x02;
    b[k++] = 0x12;
    b[k++] = 0x00;
    b[k++] = 0x00;
    return k;
}

static void test_display_lists_over_dlms(void **state) {
    (void)state;
    boot(T);
    ticks(2);
    assert_true(associate(AK));
    const uint8_t *auto_ln = LN(0, 0, 21, 0, 1, 255);
    assert_int_equal(get(7, auto_ln, 3), 0);
    assert_int_equal(val[0], 0x01); /* array */
    assert_int_equal(val[1], 8);    /* the esmr automatic list */
    assert_int_equal(get(7, LN(0, 0, 21, 0, 5, 255), 3), 0);
    assert_int_equal(val[1], 0); /* no battery list on esmr */
    /* The readout is a Profile generic: class 1 is the wrong class. */
    assert_int_not_equal(get(1, auto_ln, 2), 0);
    assert_int_equal(res.dar, DLMS_DAR_OBJECT_CLASS_INCONSISTENT);
    /* buffer: one entry, the current values of the 8 items (A+ first, a
     * double-long-unsigned register value) */
    assert_int_equal(get(7, auto_ln, 2), 0);
    assert_memory_equal(val, ((const uint8_t[]){0x01, 0x01, 0x02, 0x08}), 4);
    assert_int_equal(val[4], AXDR_DOUBLE_LONG_UNSIGNED);
    assert_int_equal(get_u32(7, auto_ln, 4), 0); /* capture_period: not periodic */
    assert_int_equal(get_u32(7, auto_ln, 7), 1); /* entries_in_use */
    assert_int_equal(get_u32(7, auto_ln, 8), 1); /* profile_entries */
    /* only capture_objects is writable */
    assert_int_not_equal(set(7, auto_ln, 4, (const uint8_t[]){0x06, 0, 0, 0, 60}, 5), 0);
    assert_int_equal(res.dar, DLMS_DAR_READ_WRITE_DENIED);

    /* Without A- (a legal reading): refused, the list unchanged. */
    uint8_t b[64];
    size_t n = 0;
    b[n++] = 0x01;
    b[n++] = 2;
    n += put_item(b + n, 3, LN(1, 0, 1, 8, 0, 255));
    n += put_item(b + n, 3, LN(1, 0, 32, 7, 0, 255));
    assert_int_not_equal(set(7, auto_ln, 3, b, n), 0);
    assert_int_equal(res.dar, DLMS_DAR_OTHER_REASON);
    assert_int_equal(display_list_get(&m.devices.display, DISPLAY_LIST_AUTO)->count, 8);
    /* Not an array of structures: type-unmatched. */
    assert_int_not_equal(set(7, auto_ln, 3, (const uint8_t[]){0x12, 0x00, 0x01}, 3), 0);
    assert_int_equal(res.dar, DLMS_DAR_TYPE_UNMATCHED);

    /* A+, A-, U L1: accepted and shown. */
    n = 0;
    b[n++] = 0x01;
    b[n++] = 3;
    n += put_item(b + n, 3, LN(1, 0, 32, 7, 0, 255));
    n += put_item(b + n, 3, LN(1, 0, 1, 8, 0, 255));
    n += put_item(b + n, 3, LN(1, 0, 2, 8, 0, 255));
    assert_int_equal(set(7, auto_ln, 3, b, n), 0);
    assert_int_equal(get(7, auto_ln, 3), 0);
    assert_int_equal(val_len, n);
    assert_memory_equal(val, b, n);
    ticks(6);
    char l[DISPLAY_LINES][DISPLAY_COLS + 1];
    lines(l);
    assert_string_equal(l[0], "32.7.0");
    assert_non_null(strstr(l[1], "V"));

    /* The error register reads 0 while everything is fine. */
    assert_int_equal(get_u32(1, LN(0, 0, 97, 97, 0, 255), 2), 0);
    release();

    /* Persisted: the list comes back after a restart. */
    assert_int_equal(meter_persist_commit(&p, rtc), 0);
    boot(rtc + 10);
    assert_int_equal(display_list_get(&m.devices.display, DISPLAY_LIST_AUTO)->count, 3);
    assert_memory_equal(display_list_get(&m.devices.display, DISPLAY_LIST_AUTO)->items[0].obis,
                        LN(1, 0, 32, 7, 0, 255), 6);
}

/* ---- diagnostics -------------------------------------------------------------------------------
 */

/* Offset of the energy record copy committed at utc in the image. */
static long find_energy_copy(int64_t utc) {
    uint8_t pat[10] = {1, 0};
    for (unsigned i = 0; i < 8; i++)
        pat[2 + i] = (uint8_t)((uint64_t)utc >> (8 * i));
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t img[256 * 4096];
    size_t n = fread(img, 1, sizeof(img), f);
    fclose(f);
    long found = -1;
    for (size_t off = 0; off + sizeof(pat) <= n; off++)
        if (memcmp(img + off, pat, sizeof(pat)) == 0)
            found = (long)off;
    return found;
}

static void test_storage_check(void **state) {
    (void)state;
    boot(T);
    ticks(30);
    assert_int_equal(count_code(METER_PROF_LOG_STD, 14), 0);
    assert_int_equal(diag_error_register(&m.devices.diag), 0);

    /* Flip a bit in the newest energy record copy, under the running meter. */
    long off = find_energy_copy(rtc);
    assert_true(off > 0);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, off + 12, SEEK_SET), 0);
    int c = fgetc(f);
    assert_int_equal(fseek(f, off + 12, SEEK_SET), 0);
    fputc(c ^ 0x01, f);
    fclose(f);

    /* The hourly storage check finds it: event 14 once, error bit 10. */
    rtc++;
    mono += 3600u * 1000u;
    assert_int_equal(meter_tick(&m, rtc), 0);
    assert_int_equal(count_code(METER_PROF_LOG_STD, 14), 1);
    assert_true((diag_error_register(&m.devices.diag) & METER_ALARM_NV_MEMORY) != 0);
    assert_true((m.alarm[0] & METER_ALARM_NV_MEMORY) != 0);
    assert_true((meter_display_symbols(&m) & DISPLAY_SYM_ERROR) != 0);
    /* the commit's own damage report does not log it a second time */
    assert_int_equal(meter_persist_commit(&p, rtc), 0);
    ticks(3);
    assert_int_equal(count_code(METER_PROF_LOG_STD, 14), 1);

    /* Over DLMS: the error register shows bit 10; writing it back clears
     * it (event 10) until the next check that fails. */
    assert_true(associate(AK));
    assert_int_equal(get_u32(1, LN(0, 0, 97, 97, 0, 255), 2), METER_ALARM_NV_MEMORY);
    assert_int_equal(
        set(1, LN(0, 0, 97, 97, 0, 255), 2, (const uint8_t[]){0x06, 0x00, 0x00, 0x04, 0x00}, 5), 0);
    assert_int_equal(get_u32(1, LN(0, 0, 97, 97, 0, 255), 2), 0);
    release();
    assert_int_equal(count_code(METER_PROF_LOG_STD, 10), 1);
}

static void test_measurement_plausibility(void **state) {
    (void)state;
    boot(T);
    /* A real load for a minute: plausible, nothing raised; LED pulsing. */
    ticks(60);
    assert_int_equal(count_code(METER_PROF_LOG_STD, 16), 0);
    assert_int_equal(diag_error_register(&m.devices.diag), 0);
    assert_false(meter_led_no_load(&m));

    /* No current: the LED's no-load state, no quadrant. */
    metrology_phasor_input_t in;
    meter_load_balanced(&in, 230.0, 0.0, 0.0, 50.0);
    assert_int_equal(meter_set_load(&m, &in), 0);
    ticks(3);
    assert_true(meter_led_no_load(&m));
    assert_int_equal(meter_display_symbols(&m) & (DISPLAY_SYM_IMPORT | DISPLAY_SYM_EXPORT), 0);

    /* Records with 700 V: implausible; ten in a row raise event 16. */
    metrology_measures_t rec;
    memset(&rec, 0, sizeof(rec));
    rec.interval_ms = 1000;
    rec.frequency = 50.0f;
    for (unsigned k = 0; k < METROLOGY_PHASES; k++)
        rec.ph[k].v_rms = 700.0f;
    for (int i = 0; i < 9; i++)
        meter_devices_measures(&m, &rec);
    assert_int_equal(count_code(METER_PROF_LOG_STD, 16), 0);
    meter_devices_measures(&m, &rec);
    assert_int_equal(count_code(METER_PROF_LOG_STD, 16), 1);
    assert_true((diag_error_register(&m.devices.diag) & METER_ALARM_MEASUREMENT) != 0);
    assert_true((m.alarm[0] & METER_ALARM_MEASUREMENT) != 0);
    /* Plausible records from the metrology clear the bit, no new event. */
    ticks(12);
    assert_int_equal(diag_error_register(&m.devices.diag) & METER_ALARM_MEASUREMENT, 0);
    assert_int_equal(count_code(METER_PROF_LOG_STD, 16), 1);
}

/* Event 6 once for a restart after an outage longer than the RTC backup:
 * meter_power_up logs it, the diagnostics keep the bit without a second
 * event. */
static void test_clock_invalid_once(void **state) {
    (void)state;
    boot(T);
    ticks(2);
    assert_int_equal(meter_persist_power_down(&p, rtc), 0);
    boot(rtc + EM_METER_RTC_BACKUP_S + 10);
    assert_int_equal(count_code(METER_PROF_LOG_STD, 6), 1);
    assert_true((diag_error_register(&m.devices.diag) & METER_ALARM_CLOCK_INVALID) != 0);
}

/* A program image digest that changes: event 12 at the next check. */
static uint8_t image[EM_DIAG_DIGEST_LEN];
static int image_fn(void *user, uint8_t d[EM_DIAG_DIGEST_LEN]) {
    (void)user;
    memcpy(d, image, EM_DIAG_DIGEST_LEN);
    return 0;
}

static void test_image_check(void **state) {
    (void)state;
    boot(T);
    memset(image, 0x5A, sizeof(image));
    assert_int_equal(meter_devices_set_image(&m, image_fn, NULL, NULL), 0);
    ticks(2);
    assert_int_equal(count_code(METER_PROF_LOG_STD, 12), 0);
    image[3] ^= 1;
    rtc++;
    mono += 3600u * 1000u;
    assert_int_equal(meter_tick(&m, rtc), 0);
    assert_int_equal(count_code(METER_PROF_LOG_STD, 12), 1);
    assert_true((diag_error_register(&m.devices.diag) & METER_ALARM_PROGRAM_MEMORY) != 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_button_esmr, setup_esmr, teardown),
        cmocka_unit_test_setup_teardown(test_button_omni, setup_omni, teardown),
        cmocka_unit_test_setup_teardown(test_covers_and_magnet, setup_esmr, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_during_outage, setup_esmr, teardown),
        cmocka_unit_test_setup_teardown(test_lockout, setup_esmr, teardown),
        cmocka_unit_test_setup_teardown(test_display_lists_over_dlms, setup_esmr, teardown),
        cmocka_unit_test_setup_teardown(test_storage_check, setup_esmr, teardown),
        cmocka_unit_test_setup_teardown(test_measurement_plausibility, setup_esmr, teardown),
        cmocka_unit_test_setup_teardown(test_clock_invalid_once, setup_esmr, teardown),
        cmocka_unit_test_setup_teardown(test_image_check, setup_omni, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
