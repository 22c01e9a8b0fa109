/*
 * test_meter_modem.c - the LTE-M modem model and connection manager of
 * the esmr meter (lib/meter/modem.c; seed 000 §3.3.3, §3.4; issue 8):
 * every communication object of the table readable by the management
 * client (ciphered), writable where the class allows with its value read
 * back, refused to the public client and for a wrong type; registration,
 * attach and lease; "always connected" versus "triggered" after a power
 * restoration and after an outage of the link; the random power-up delay
 * within its bounds; the IMEI lock; the wake-up accepted from an
 * authorised source with the configured content and ignored otherwise
 * (counted), which attaches a triggered meter and triggers the wake-up
 * push; FQDN destinations resolved through the port; signal levels.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cosem_test_table.h"
#include "meter/meter.h"
#include "meter/persist.h"
#include "port_posix.h"
#include <stdio.h>
#include <unistd.h>

#define LN(...)    ((const uint8_t[6]){__VA_ARGS__})
#define LN_AC      LN(0, 0, 2, 1, 0, 255)
#define LN_GPRS    LN(0, 0, 25, 4, 0, 255)
#define LN_GSM     LN(0, 0, 25, 6, 0, 255)
#define LN_WAKE    LN(0, 2, 25, 9, 0, 255)
#define T0         1705320000  /* 2024-01-15 12:00:00 UTC */
#define HEADEND_IP 0x0A141E28u /* 10.20.30.40 */
#define OTHER_IP   0x0A141E29u

static meter_t m;
static em_port_t port;
static int64_t rtc;
static uint32_t entropy_value;
static unsigned resolves;

static int64_t rtc_get(void *user) {
    (void)user;
    return rtc;
}

static int entropy(void *user, uint8_t *buf, size_t len) {
    (void)user;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(entropy_value >> (8 * (i % 4)));
    return 0;
}

static int resolve(void *user, const char *host, uint32_t *ip) {
    (void)user;
    resolves++;
    if (strcmp(host, "headend.example.net") != 0)
        return EM_PORT_ERR_IO;
    *ip = 0xC0000201u; /* 192.0.2.1 */
    return 0;
}

static const meter_identity_t ID = {.variant = METER_VARIANT_ESMR,
                                    .logical_device_name = (const uint8_t *)"EMT0000000000001",
                                    .logical_device_name_len = 16,
                                    .serial_number = "E0001",
                                    .equipment_id = "E0001",
                                    .max_pdu = 1024,
                                    .time_zone_min = -60};

static meter_modem_link_t good_link(void) {
    meter_modem_link_t l = {.available = true,
                            .rssi_dbm = -75,
                            .rsrp_dbm = -95,
                            .rsrq_db = -10,
                            .sinr_db = 12,
                            .ip = 0x0A000005u,
                            .mask = 0xFFFFFF00u,
                            .gateway = 0x0A000001u,
                            .dns1 = 0x08080808u,
                            .dns2 = 0x08080404u};
    return l;
}

static int setup(void **state) {
    (void)state;
    memset(&port, 0, sizeof(port));
    port.rtc_get = rtc_get;
    port.entropy = entropy;
    port.resolve = resolve;
    rtc = T0;
    entropy_value = 0x12345678u;
    resolves = 0;
    assert_int_equal(meter_init(&m, &ID, &port), 0);
    return 0;
}

/* Steps of one second from rtc to rtc + n. */
static void run(unsigned n) {
    for (unsigned i = 0; i < n; i++) {
        rtc++;
        assert_int_equal(meter_step(&m, rtc, 1), 0);
    }
}

static dlms_assoc_view_t view(uint8_t assoc) {
    dlms_assoc_view_t v;
    memset(&v, 0, sizeof(v));
    v.assoc_index = assoc;
    v.client_sap = assoc == METER_ASSOC_MANAGEMENT ? 1 : 16;
    v.server_sap = 1;
    v.status = DLMS_ASSOC_ASSOCIATED;
    v.ciphered = assoc == METER_ASSOC_MANAGEMENT;
    return v;
}

static uint8_t out[2048];
static size_t out_len;

static int get(uint8_t assoc, uint16_t cls, const uint8_t ln[6], int8_t attr) {
    dlms_assoc_view_t v = view(assoc);
    return cosem_call_get(&m.cosem, &v, cls, ln, attr, NULL, out, sizeof(out), &out_len);
}

static int set(uint16_t cls, const uint8_t ln[6], int8_t attr, const uint8_t *val, size_t n) {
    dlms_assoc_view_t v = view(METER_ASSOC_MANAGEMENT);
    return cosem_call_set(&m.cosem, &v, cls, ln, attr, val, n);
}

/* ---- objects ------------------------------------------------------------------------------- */

static bool is_comm_class(uint16_t c) {
    return c == 28 || c == 29 || c == 41 || c == 42 || c == 44 || c == 45 || c == 47 || c == 151;
}

static void test_objects_read_write(void **state) {
    (void)state;
    unsigned seen = 0;
    for (size_t i = 0; i < m.cosem.count; i++) {
        const cosem_object_t *o = &m.cosem.objects[i];
        bool wake = memcmp(o->ln, LN_WAKE, 6) == 0;
        if (!is_comm_class(o->cls->class_id) && !wake)
            continue;
        seen++;
        uint32_t writable = o->access[METER_ASSOC_MANAGEMENT]->write;
        for (int8_t a = 1; a <= (int8_t)o->cls->attr_count; a++) {
            assert_int_equal(get(METER_ASSOC_MANAGEMENT, o->cls->class_id, o->ln, a), 0);
            uint8_t v[2048];
            size_t n = out_len;
            memcpy(v, out, n);
            /* the public client sees none of them */
            assert_int_not_equal(get(METER_ASSOC_PUBLIC, o->cls->class_id, o->ln, a), 0);
            if (a == 1 || !(writable & COSEM_BIT(a)) || !(o->cls->write_mask & COSEM_BIT(a)))
                continue;
            int src = set(o->cls->class_id, o->ln, a, v, n);
            if (src != 0)
                print_error("class %u attr %d: %d\n", o->cls->class_id, a, src);
            assert_int_equal(src, 0);
            assert_int_equal(get(METER_ASSOC_MANAGEMENT, o->cls->class_id, o->ln, a), 0);
            assert_int_equal(out_len, n);
            assert_memory_equal(out, v, n);
            /* a float32 is no attribute of these classes */
            static const uint8_t wrong[] = {0x17, 0x00, 0x00, 0x00, 0x00};
            int wrc = set(o->cls->class_id, o->ln, a, wrong, sizeof(wrong));
            if (wrc != DLMS_DAR_TYPE_UNMATCHED)
                print_error("class %u attr %d: %d\n", o->cls->class_id, a, wrc);
            assert_int_equal(wrc, DLMS_DAR_TYPE_UNMATCHED);
        }
        /* diagnostics are read-only */
        if (o->cls->class_id == 47 || o->cls->class_id == 151)
            assert_int_equal(writable, 0);
    }
    assert_int_equal(seen, 9);
}

static void test_apn_written_and_validated(void **state) {
    (void)state;
    static const uint8_t apn[] = {0x09, 0x07, 'm', '2', 'm', '.', 'e', 'n', 'x'};
    assert_int_equal(set(45, LN_GPRS, 2, apn, sizeof(apn)), 0);
    assert_int_equal(m.modem.gprs.apn_len, 7);
    static const uint8_t bad[] = {0x09, 0x04, 'a', '.', '.', 'b'};
    assert_int_equal(set(45, LN_GPRS, 2, bad, sizeof(bad)), DLMS_DAR_OTHER_REASON);
    assert_memory_equal(m.modem.gprs.apn, "m2m.enx", 7);
}

/* ---- registration and connection management -------------------------------------------- */

static void test_attach_and_lease(void **state) {
    (void)state;
    meter_modem_link_t l = good_link();
    meter_modem_link(&m, &l);
    run(1);
    assert_int_equal(m.modem.state, METER_MODEM_REGISTERED);
    assert_int_equal(m.modem.gsm.status, 1);
    assert_int_equal(m.modem.gsm.cell.signal_quality, cosem_csq_from_rssi(-75));
    assert_int_equal(meter_modem_display_level(&m), 3);
    /* mode 101: attach after the random power-up delay */
    int64_t due = m.modem.connect_due;
    assert_true(due > T0 && due <= T0 + 1 + 120);
    run((unsigned)(due - rtc) - 1);
    assert_false(meter_modem_online(&m));
    run(1);
    assert_true(meter_modem_online(&m));
    assert_int_equal(m.modem.ipv4.ip_address, 0x0A000005u);
    assert_int_equal(m.modem.ipv4.primary_dns, 0x08080808u);
    assert_int_equal(m.modem.ipv4.secondary_dns, 0x08080404u);
    assert_int_equal(m.modem.gsm.ps_status, 7);
}

static void test_random_delay_bounds(void **state) {
    (void)state;
    uint32_t lo = UINT32_MAX, hi = 0;
    static const uint32_t values[] = {0,   1,           60,          119,        120,
                                      121, 0x7FFFFFFFu, 0xFFFFFFFFu, 0xDEADBEEFu};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        entropy_value = values[i];
        meter_modem_power_down(&m);
        meter_modem_power_up(&m, rtc);
        uint32_t d = m.modem.last_delay_s;
        assert_true(d <= 2 * METER_MODEM_MEAN_DELAY_S);
        assert_int_equal(m.modem.connect_due, rtc + (int64_t)d);
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
    }
    assert_true(lo == 0 && hi == 120); /* the whole range 0..2 x mean */
    /* a configured mean scales it */
    m.modem.mean_delay_s = 5;
    entropy_value = 0xFFFFFFFFu;
    meter_modem_power_down(&m);
    meter_modem_power_up(&m, rtc);
    assert_true(m.modem.last_delay_s <= 10);
}

/* Power restoration and a link outage in "always connected" mode. */
static void test_always_connected_outage(void **state) {
    (void)state;
    meter_modem_link_t l = good_link();
    meter_modem_link(&m, &l);
    run(200);
    assert_true(meter_modem_online(&m));
    /* outage of the network */
    l.available = false;
    meter_modem_link(&m, &l);
    run(30);
    assert_false(meter_modem_online(&m));
    assert_int_equal(m.modem.state, METER_MODEM_SEARCHING);
    assert_int_equal(m.modem.ipv4.ip_address, 0);
    assert_int_equal(m.modem.gsm.cell.signal_quality, COSEM_CSQ_UNKNOWN);
    assert_int_equal(meter_modem_display_level(&m), 0);
    assert_int_equal(m.modem.sessions_lost, 1);
    /* back: reconnects by itself */
    l.available = true;
    meter_modem_link(&m, &l);
    run(2);
    assert_true(meter_modem_online(&m));
    assert_int_equal(m.modem.attaches, 2);
    /* power failure and restoration: reconnects after the random delay */
    meter_modem_power_down(&m);
    assert_false(meter_modem_online(&m));
    meter_modem_power_up(&m, rtc);
    run((unsigned)(m.modem.connect_due - rtc) + 1);
    assert_true(meter_modem_online(&m));
}

static void test_triggered_stays_silent(void **state) {
    (void)state;
    m.modem.ac.mode = COSEM_AC_MODE_INVOKED;
    meter_modem_link_t l = good_link();
    meter_modem_link(&m, &l);
    run(300);
    assert_int_equal(m.modem.state, METER_MODEM_REGISTERED);
    assert_false(meter_modem_online(&m));
    /* power restoration: stays silent */
    meter_modem_power_down(&m);
    meter_modem_power_up(&m, rtc);
    run(300);
    assert_false(meter_modem_online(&m));
    /* the connect method attaches; an outage drops it and nothing reconnects */
    static const uint8_t zero[] = {0x0F, 0x00};
    dlms_assoc_view_t v = view(METER_ASSOC_MANAGEMENT);
    uint8_t ret[8];
    size_t rl;
    bool has;
    assert_int_equal(cosem_call_action(&m.cosem, &v, 29, LN_AC, 1, zero, sizeof(zero), ret,
                                       sizeof(ret), &rl, &has),
                     0);
    run(1);
    assert_true(meter_modem_online(&m));
    l.available = false;
    meter_modem_link(&m, &l);
    run(5);
    l.available = true;
    meter_modem_link(&m, &l);
    run(300);
    assert_false(meter_modem_online(&m));
    assert_int_equal(m.modem.state, METER_MODEM_REGISTERED);
}

static void test_imei_lock(void **state) {
    (void)state;
    assert_int_equal(meter_modem_set_imei(&m, "35812345678901", NULL), METER_MODEM_ERR_IMEI);
    assert_int_equal(meter_modem_set_imei(&m, "358123456789012", "358123456789099"), 0);
    meter_modem_link_t l = good_link();
    meter_modem_link(&m, &l);
    run(300);
    assert_int_equal(m.modem.state, METER_MODEM_DENIED);
    assert_int_equal(m.modem.gsm.status, 3);
    assert_false(meter_modem_online(&m));
    assert_int_equal(m.modem.denials, 1);
    /* the right module: registers and attaches */
    assert_int_equal(meter_modem_set_imei(&m, "358123456789012", "358123456789012"), 0);
    run(150);
    assert_true(meter_modem_online(&m));
}

/* ---- wake-up ------------------------------------------------------------------------------ */

static void test_wakeup(void **state) {
    (void)state;
    m.modem.ac.mode = COSEM_AC_MODE_INVOKED;
    assert_int_equal(cosem_auto_answer_add_caller(&m.modem.aa, (const uint8_t *)"10.20.30.40", 11,
                                                  COSEM_AA_CALL_WAKE_UP),
                     0);
    assert_int_equal(meter_modem_set_wake_content(&m, (const uint8_t *)"WAKEUP", 6), 0);
    assert_int_equal(
        cosem_push_set_destination(&m.modem.push_wakeup, COSEM_PUSH_TCP, "192.0.2.1:4059"), 0);
    /* not registered yet: nothing arrives */
    assert_int_equal(meter_modem_wakeup(&m, HEADEND_IP, (const uint8_t *)"WAKEUP", 6, rtc),
                     METER_MODEM_WAKE_NO_NETWORK);
    meter_modem_link_t l = good_link();
    meter_modem_link(&m, &l);
    run(10);
    /* from anyone else, or with another content: ignored and counted */
    assert_int_equal(meter_modem_wakeup(&m, OTHER_IP, (const uint8_t *)"WAKEUP", 6, rtc),
                     METER_MODEM_WAKE_SOURCE);
    assert_int_equal(meter_modem_wakeup(&m, HEADEND_IP, (const uint8_t *)"WAKEUQ", 6, rtc),
                     METER_MODEM_WAKE_CONTENT);
    assert_int_equal(meter_modem_wakeup(&m, HEADEND_IP, (const uint8_t *)"WAKEU", 5, rtc),
                     METER_MODEM_WAKE_CONTENT);
    run(5);
    assert_false(meter_modem_online(&m));
    assert_int_equal(m.modem.wakeups_ignored, 4);
    assert_int_equal(m.modem.push_wakeup.phase, COSEM_PUSH_IDLE);
    /* the head-end: attaches and triggers the wake-up push */
    assert_int_equal(meter_modem_wakeup(&m, HEADEND_IP, (const uint8_t *)"WAKEUP", 6, rtc),
                     METER_MODEM_WAKE_ACCEPTED);
    assert_int_equal(m.modem.wakeups_accepted, 1);
    run(1);
    assert_true(meter_modem_online(&m));
    assert_int_equal(m.modem.push_wakeup.phase, COSEM_PUSH_WAITING);
    /* the push is sent, no session: the triggered attachment ends after
     * the inactivity time-out */
    cosem_push_state_t *ps = &m.modem.push_wakeup;
    const cosem_object_t *o = cosem_find(&m.cosem, LN_WAKE);
    assert_int_equal(cosem_push_tick(&m.cosem, o, rtc), 1);
    assert_int_equal(cosem_push_result(&m.cosem, o, true, rtc), 0);
    assert_int_equal(ps->phase, COSEM_PUSH_IDLE);
    m.modem.tcp.inactivity_time_out = 30;
    meter_modem_session(&m, true, false, rtc);
    run(60);
    assert_true(meter_modem_online(&m)); /* a session is open */
    meter_modem_session(&m, false, false, rtc);
    run(29);
    assert_true(meter_modem_online(&m));
    run(2);
    assert_false(meter_modem_online(&m));
}

static void test_wakeup_locked_answer(void **state) {
    (void)state;
    assert_int_equal(cosem_auto_answer_add_caller(&m.modem.aa, (const uint8_t *)"10.20.30.40", 11,
                                                  COSEM_AA_CALL_WAKE_UP),
                     0);
    meter_modem_link_t l = good_link();
    meter_modem_link(&m, &l);
    run(2);
    m.modem.aa.status = COSEM_AA_STATUS_LOCKED;
    assert_int_equal(meter_modem_wakeup(&m, HEADEND_IP, NULL, 0, rtc), METER_MODEM_WAKE_SOURCE);
    m.modem.aa.status = COSEM_AA_STATUS_ACTIVE;
    /* an empty configured content accepts any payload */
    assert_int_equal(meter_modem_wakeup(&m, HEADEND_IP, (const uint8_t *)"x", 1, rtc),
                     METER_MODEM_WAKE_ACCEPTED);
}

static void test_fqdn_resolved_through_port(void **state) {
    (void)state;
    assert_int_equal(cosem_auto_connect_add_destination(&m.modem.ac, "headend.example.net:4059"),
                     0);
    assert_int_equal(cosem_auto_connect_add_destination(&m.modem.ac, "10.1.2.3"), 0);
    assert_int_equal(cosem_auto_connect_add_destination(&m.modem.ac, "unknown.example.org"), 0);
    meter_modem_link_t l = good_link();
    meter_modem_link(&m, &l);
    run(200);
    assert_true(meter_modem_online(&m));
    assert_int_equal(m.modem.dest_count, 3);
    assert_int_equal(m.modem.dest_ip[0], 0xC0000201u);
    assert_int_equal(m.modem.dest_ip[1], 0x0A010203u);
    assert_int_equal(m.modem.dest_ip[2], 0);
    assert_int_equal(resolves, 2); /* once per attachment and name, not per step */
}

/* Mode 102: on line inside the calling window only (local time). */
static cosem_datetime_t at_local(uint8_t h, uint8_t min) {
    cosem_datetime_t d = {.year = COSEM_DT_YEAR_NOT_SPECIFIED,
                          .month = COSEM_DT_NOT_SPECIFIED,
                          .day = COSEM_DT_NOT_SPECIFIED,
                          .day_of_week = COSEM_DT_NOT_SPECIFIED,
                          .hour = h,
                          .minute = min,
                          .second = 0,
                          .hundredths = COSEM_DT_NOT_SPECIFIED,
                          .deviation = COSEM_DT_DEVIATION_NOT_SPECIFIED,
                          .clock_status = COSEM_DT_NOT_SPECIFIED};
    return d;
}

static void test_calling_window(void **state) {
    (void)state;
    /* T0 is 13:00 CET; window 13:30-13:40 local */
    m.modem.ac.mode = COSEM_AC_MODE_PERMANENT_WINDOW;
    m.modem.ac.window_count = 1;
    m.modem.ac.windows[0].start = at_local(13, 30);
    m.modem.ac.windows[0].end = at_local(13, 40);
    meter_modem_link_t l = good_link();
    meter_modem_link(&m, &l);
    run(1799); /* to 13:29:59 */
    assert_false(meter_modem_online(&m));
    run(2); /* 13:30:01 */
    assert_true(meter_modem_online(&m));
    run(598); /* 13:39:59 */
    assert_true(meter_modem_online(&m));
    run(2);
    assert_false(meter_modem_online(&m));
    assert_int_equal(m.modem.state, METER_MODEM_REGISTERED);
    assert_int_equal(m.modem.attaches, 1);
}

/* Always connected: the retry machine gives up during a long outage
 * (1 + repetitions attempts), and the meter still comes back with the
 * coverage. */
static void test_gave_up_then_coverage(void **state) {
    (void)state;
    m.modem.ac.repetitions = 2;
    m.modem.ac.repetition_delay = 10;
    static const uint8_t bad_apn[] = {'a', '.', '.'};
    memcpy(m.modem.gprs.apn, bad_apn, 3); /* an attach that cannot succeed */
    m.modem.gprs.apn_len = 3;
    meter_modem_link_t l = good_link();
    meter_modem_link(&m, &l);
    run(200);
    assert_false(meter_modem_online(&m));
    assert_int_equal(m.modem.attach_failures, 3);
    assert_int_equal(m.modem.run.phase, COSEM_AC_GAVE_UP);
    /* the APN is corrected, coverage drops and returns: attached again */
    memcpy(m.modem.gprs.apn, "internet", 8);
    m.modem.gprs.apn_len = 8;
    l.available = false;
    meter_modem_link(&m, &l);
    run(3);
    l.available = true;
    meter_modem_link(&m, &l);
    run(2);
    assert_true(meter_modem_online(&m));
}

/* ---- persistence (REC_COMM, REC_MODULE_IO) -------------------------------------------- */

static meter_t m2;

static void test_settings_survive_restart(void **state) {
    (void)state;
    em_flash_geometry_t geo = {.sector_size = 4096, .program_unit = 4};
    geo.sector_count = meter_persist_sectors_needed(&geo, METER_VARIANT_ESMR);
    char path[64];
    snprintf(path, sizeof(path), "/tmp/test_meter_modem_%d.img", (int)getpid());
    unlink(path);
    em_port_posix_t pst;
    em_port_t pp;
    assert_int_equal(em_port_posix_init(&pp, &pst, path, &geo), 0);
    pp.rtc_get = rtc_get;
    assert_int_equal(meter_init(&m, &ID, &pp), 0);
    static meter_persist_t ps;
    assert_int_equal(meter_persist_mount(&ps, &m, &pp, rtc), 0);
    /* a head-end programs the module */
    static const uint8_t apn[] = {0x09, 0x07, 'm', '2', 'm', '.', 'e', 'n', 'x'};
    assert_int_equal(set(45, LN_GPRS, 2, apn, sizeof(apn)), 0);
    static const uint8_t mode[] = {0x16, 104};
    assert_int_equal(set(29, LN_AC, 2, mode, sizeof(mode)), 0);
    assert_int_equal(cosem_auto_connect_add_destination(&m.modem.ac, "headend.example.net"), 0);
    assert_int_equal(cosem_auto_answer_add_caller(&m.modem.aa, (const uint8_t *)"10.20.30.40", 11,
                                                  COSEM_AA_CALL_WAKE_UP),
                     0);
    assert_int_equal(
        cosem_ppp_set_pap(&m.modem.ppp, (const uint8_t *)"meter", 5, (const uint8_t *)"s3cret", 6),
        0);
    m.modem.tcp.inactivity_time_out = 77;
    assert_int_equal(meter_io_configure(&m, 13, 2, 3, 1), 0);
    assert_int_equal(meter_io_input(&m, 1, 1, rtc), 0);
    m.io.supply_s = 7200;
    assert_int_equal(meter_persist_commit(&ps, rtc), 0);
    em_port_posix_deinit(&pst);
    /* restart */
    assert_int_equal(em_port_posix_init(&pp, &pst, path, &geo), 0);
    pp.rtc_get = rtc_get;
    assert_int_equal(meter_init(&m2, &ID, &pp), 0);
    assert_int_equal(meter_persist_mount(&ps, &m2, &pp, rtc), 0);
    assert_int_equal(m2.modem.gprs.apn_len, 7);
    assert_memory_equal(m2.modem.gprs.apn, "m2m.enx", 7);
    assert_int_equal(m2.modem.ac.mode, 104);
    assert_int_equal(m2.modem.ac.dest_count, 1);
    assert_int_equal(m2.modem.aa.caller_count, 1);
    assert_true(cosem_auto_answer_ip_allowed(&m2.modem.aa, HEADEND_IP, COSEM_AA_CALL_WAKE_UP));
    assert_int_equal(m2.modem.ppp.password_len, 6);
    assert_int_equal(m2.modem.tcp.inactivity_time_out, 77);
    assert_int_equal(m2.io.z3, 13);
    assert_int_equal(m2.io.z12, 3);
    assert_int_equal(m2.io.pulses, 1);
    assert_int_equal(m2.io.supply_s, 7200);
    em_port_posix_deinit(&pst);
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_objects_read_write, setup),
        cmocka_unit_test_setup(test_apn_written_and_validated, setup),
        cmocka_unit_test_setup(test_attach_and_lease, setup),
        cmocka_unit_test_setup(test_random_delay_bounds, setup),
        cmocka_unit_test_setup(test_always_connected_outage, setup),
        cmocka_unit_test_setup(test_triggered_stays_silent, setup),
        cmocka_unit_test_setup(test_imei_lock, setup),
        cmocka_unit_test_setup(test_wakeup, setup),
        cmocka_unit_test_setup(test_wakeup_locked_answer, setup),
        cmocka_unit_test_setup(test_fqdn_resolved_through_port, setup),
        cmocka_unit_test_setup(test_settings_survive_restart, setup),
        cmocka_unit_test_setup(test_calling_window, setup),
        cmocka_unit_test_setup(test_gave_up_then_coverage, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
