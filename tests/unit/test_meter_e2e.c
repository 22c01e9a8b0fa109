/*
 * test_meter_e2e.c - end-to-end runs of the esmr meter through days and
 * months of simulated time, read the way a head-end reads it: the meter
 * (lib/meter) behind the real DLMS server (lib/dlms/server) with its
 * object services, the lib/dlms client talking to it through in-memory
 * APDU buffers as management client 1 (HLS-5 GMAC, every APDU
 * glo-ciphered, the DLMS example keys emeter uses by default), and the
 * meter's flash mounted through lib/meter/persist on a temporary flash
 * image (the real storage path: every profile row and event in a store
 * ring). Time is driven by meter_step (mostly 900 s steps ending on the
 * quarter hours) with the phasor source at constant loads that change from
 * day to day; nothing of meter_t is looked at but its public API (the
 * only field set is sec_mgmt, as meter.h asks the caller to).
 *
 * Scenarios (issue 5, "Tests"):
 *   a) 2 x 20 days across the EU DST changes of 31 March and 27 October
 *      2024: the load profile 1.0.99.1.0.255 read over DLMS every 5 days
 *      with a range_descriptor on the clock and selected columns {clock,
 *      A+}, and by entry_descriptor with columns 1-2 {clock, AMR status}
 *      and 3-4 {A+, A-}: a row every 900 s of UTC (no gap, no duplicate;
 *      the 23 h and 25 h local days have 92 and 100 rows), the DST bit
 *      0x08 and deviation -120 exactly in summer time, and each A+/A-
 *      delta between rows equal to P x 900 s of the load of that interval
 *      (the register deltas are the profile deltas: also checked against
 *      1.0.1.8.0.255 read at the row's instant, and against the daily
 *      values at every local midnight); a range in UTC across the change;
 *      a full buffer read in blocks while the meter captures (snapshot, or
 *      long-get-aborted when unsent rows are overwritten);
 *   b) clock adjustments by SET of 0.0.1.0.0.255 attribute 2 forward and
 *      back inside an interval: events 4 (old time) and 5 (new time) in the
 *      standard log, the AMR clock-adjusted bit 0x20 in exactly the row of
 *      the interval that contained the adjustment, no gap, no duplicate;
 *      a set back by one hour (FIFO rows, a range that is not dense, no
 *      lost boundary) and a set forward over a boundary;
 *   c) the factory calendar (weekdays 07:00 tariff 2, 23:00 tariff 1,
 *      weekend tariff 1, local time): 1.0.1.8.1 / 1.0.1.8.2 read every
 *      quarter of a week, each quarter's energy in the right register;
 *      then a special day inserted over DLMS (0.0.11.0.0.255 method 1) on
 *      a Wednesday is metered as a weekend day;
 *   d) a passive calendar (weekdays 08:00 / 20:00) written over DLMS
 *      (0.0.13.0.0.255 attributes 6-9) with activate_passive_calendar_time
 *      (attribute 10) three days ahead: the old switch times before it,
 *      the new ones after it, five events 19 at the writes and event 9 at
 *      the activation instant;
 *   e) billing over three month ends (February 1, March 1, April 1, the
 *      last in summer time): one row of 1.0.98.1.0.255 per month stamped
 *      00:00 local of the 1st, holding the tariff registers read over DLMS
 *      at that instant;
 *   f) the standard event log wrapping at its capacity (power cycles
 *      through meter_persist_power_down / a new mount / power_up, and clock
 *      adjustments over DLMS): entries_in_use 100, the oldest dropped, the
 *      rest in FIFO order, read whole and by entry.
 * docs/e2e-tests.md lists what each test checks and the problems found.
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

#define LN(...)       ((const uint8_t[6]){__VA_ARGS__})
#define LN_CLOCK      LN(0, 0, 1, 0, 0, 255)
#define LN_A_PLUS     LN(1, 0, 1, 8, 0, 255)
#define LN_A_PLUS_T1  LN(1, 0, 1, 8, 1, 255)
#define LN_A_PLUS_T2  LN(1, 0, 1, 8, 2, 255)
#define LN_A_MINUS    LN(1, 0, 2, 8, 0, 255)
#define LN_AMR_LP     LN(0, 0, 96, 10, 2, 255)
#define LN_LP         LN(1, 0, 99, 1, 0, 255)
#define LN_MONTHLY    LN(1, 0, 98, 1, 0, 255)
#define LN_STD_LOG    LN(0, 0, 99, 98, 0, 255)
#define LN_CAL        LN(0, 0, 13, 0, 0, 255)
#define LN_SPECIAL    LN(0, 0, 11, 0, 0, 255)
#define LN_TARIFF_IND LN(0, 0, 96, 14, 0, 255)

#define CLASS_REGISTER 3
#define CLASS_PROFILE  7
#define CLASS_CLOCK    8
#define CLASS_SPECIAL  11
#define CLASS_CAL      20
#define CLASS_DATA     1

/* Green Book example keys and titles (what emeter uses by default). */
static const uint8_t GUEK[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
static const uint8_t AK[16] = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7,
                               0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF};
static const uint8_t SERVER_TITLE[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E};
static const uint8_t CLIENT_TITLE[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x01};

static const meter_identity_t ID = {
    .variant = METER_VARIANT_ESMR,
    .logical_device_name = (const uint8_t *)"EMT0000000000001",
    .logical_device_name_len = 16,
    .serial_number = "E0001",
    .equipment_id = "E0001",
    .system_title = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E},
    .max_pdu = 1024,
    .time_zone_min = -60};

/* ---- the meter on its flash image ----------------------------------------------------------- */

static em_flash_geometry_t geo = {.sector_size = 4096, .sector_count = 0, .program_unit = 4};
static char path[64];
static em_port_t port;
static em_port_posix_t pst;
static bool port_open;
static meter_t m;
static meter_persist_t mp;
static int64_t rtc;        /* the meter's RTC: simulated UTC */
static int64_t now;        /* end of the last step the meter ran */
static uint32_t server_ic; /* the server's next counter, kept across power cycles */

static int64_t rtc_get(void *user) {
    (void)user;
    return rtc;
}

static int rtc_set(void *user, int64_t utc) {
    (void)user;
    rtc = utc;
    return 0;
}

/* The image is a scratch file: an fdatasync per step would be the whole
 * run time and proves nothing here (test_meter_persist.c covers cuts). */
static int no_sync(void *user) {
    (void)user;
    return 0;
}

/* Power on at utc over the image as it is (a new one the first time). */
static void boot(int64_t utc) {
    if (port_open)
        em_port_posix_deinit(&pst);
    assert_int_equal(em_port_posix_init(&port, &pst, path, &geo), 0);
    port_open = true;
    port.rtc_get = rtc_get;
    port.rtc_set = rtc_set;
    port.flash_sync = no_sync;
    rtc = now = utc;
    assert_int_equal(meter_init(&m, &ID, &port), 0);
    memcpy(m.sec_mgmt.keys.guek, GUEK, 16);
    memcpy(m.sec_mgmt.keys.ak, AK, 16);
    m.sec_mgmt.tx_ic = m.sec_mgmt.tx_ic_reserved = server_ic;
    assert_int_equal(meter_persist_mount(&mp, &m, &port, utc), 0);
    assert_int_equal(meter_persist_power_up(&mp, utc), 0);
}

/* The load from the next step on: balanced, u V, i A per phase, current
 * lagging by phi degrees (phi 180: export). Returns P total in W. */
static double load(double u, double i, double phi_deg) {
    metrology_phasor_input_t in;
    meter_load_balanced(&in, u, i, phi_deg, 50.0);
    assert_int_equal(meter_set_load(&m, &in), 0);
    return 3.0 * u * i * cos(phi_deg * 3.14159265358979323846 / 180.0);
}

/* Run the meter to `to` (seconds after `now`), as emeter does: the RTC
 * follows, then the periodic commit. */
static void step_to(int64_t to) {
    assert_true(to > now && to - now <= 86400);
    rtc = to;
    assert_int_equal(meter_step(&m, to, (uint32_t)(to - now)), 0);
    assert_int_equal(meter_persist_tick(&mp, to), 0);
    now = to;
}

/* ---- local time (CET/CEST by the EU rule, computed here, not by the meter) ------------------ */

static int64_t utc_of(uint16_t y, uint8_t mo, uint8_t d, uint8_t h, uint8_t mi, int16_t dev) {
    cosem_datetime_t dt;
    memset(&dt, 0, sizeof(dt));
    dt.year = y;
    dt.month = mo;
    dt.day = d;
    dt.day_of_week = 0xFF;
    dt.hour = h;
    dt.minute = mi;
    dt.deviation = dev;
    dt.clock_status = 0;
    int64_t utc;
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), 0);
    return utc;
}

/* 01:00 UTC of the last Sunday of month mo (3 or 10). */
static int64_t eu_change(uint16_t y, uint8_t mo) {
    uint8_t dow = cosem_day_of_week(y, mo, 31); /* 7 = Sunday */
    return utc_of(y, mo, (uint8_t)(31 - dow % 7), 1, 0, 0);
}

static bool summer(int64_t utc) {
    cosem_datetime_t dt;
    assert_int_equal(cosem_datetime_from_utc(utc, 0, 0, &dt), 0);
    return utc >= eu_change(dt.year, 3) && utc < eu_change(dt.year, 10);
}

static int16_t deviation_at(int64_t utc) {
    return summer(utc) ? -120 : -60;
}

static void local(int64_t utc, cosem_datetime_t *dt) {
    assert_int_equal(cosem_datetime_from_utc(utc, deviation_at(utc),
                                             summer(utc) ? COSEM_CLOCK_STATUS_DST_ACTIVE : 0, dt),
                     0);
}

static uint32_t local_date(int64_t utc) {
    cosem_datetime_t dt;
    local(utc, &dt);
    return dt.year * 10000u + dt.month * 100u + dt.day;
}

/* ---- the head-end: lib/dlms client <-> server in memory ------------------------------------ */

static dlms_server_config_t scfg;
static dlms_server_t srv;
static dlms_client_t cli;
static dlms_client_result_t res;
static uint8_t c_out[EM_DLMS_CLIENT_MAX_PDU + 64];
static uint8_t s_out[DLMS_SERVER_OUT_CAP + 64];
static uint8_t rx[128 * 1024];
static uint8_t val[128 * 1024]; /* copy of the last value read */
static size_t val_len;
static uint64_t ms;

static int reserve_ic(void *user, dlms_security_context_t *sec, uint32_t new_bound) {
    (void)user;
    (void)sec;
    (void)new_bound;
    return 0;
}

/* Request n bytes in c_out: through the server until the operation ends. */
static int exchange(int n) {
    memset(&res, 0, sizeof(res));
    while (n > 0) {
        ms += 10;
        int r = dlms_server_input(&srv, METER_SAP_MANAGEMENT, METER_SERVER_SAP, c_out, (size_t)n,
                                  s_out, sizeof(s_out), ms);
        assert_true(r > 0);
        n = dlms_client_handle(&cli, s_out, (size_t)r, c_out, sizeof(c_out), &res);
    }
    if (n == 0 && res.data.p != NULL) {
        assert_true(res.data.len <= sizeof(val));
        memcpy(val, res.data.p, res.data.len);
        val_len = res.data.len;
    }
    return n;
}

/* Management client 1: HLS-5 (passes 3/4 verified both ways), ciphered. */
static void associate(void) {
    memset(&scfg, 0, sizeof(scfg));
    scfg.associations = m.assoc_list;
    scfg.association_count = m.assoc_count;
    scfg.server_sap = METER_SERVER_SAP;
    scfg.services = &m.services;
    scfg.port = &port;
    scfg.inactivity_ms = DLMS_SERVER_NO_TIMEOUT;
    scfg.reserve_ic = reserve_ic;
    assert_int_equal(dlms_server_init(&srv, &scfg, ms), 0);
    dlms_client_settings_t st;
    dlms_client_settings_init(&st);
    st.mechanism = DLMS_MECH_GMAC;
    st.ciphered = true;
    memcpy(st.keys.guek, GUEK, 16);
    memcpy(st.keys.ak, AK, 16);
    memcpy(st.system_title, CLIENT_TITLE, 8);
    st.tx_ic = m.sec_mgmt.rx_ic_valid ? m.sec_mgmt.rx_ic_last + 1 : 1;
    assert_int_equal(dlms_client_init(&cli, &st), 0);
    dlms_client_set_rx_buffer(&cli, rx, sizeof(rx));
    uint8_t ctos[16];
    assert_int_equal(dlms_sec_hls_challenge(&port, ctos, sizeof(ctos)), 0);
    assert_int_equal(exchange(dlms_client_aarq(&cli, ctos, sizeof(ctos), c_out, sizeof(c_out))), 0);
    assert_true(dlms_client_is_associated(&cli));
    assert_memory_equal(dlms_client_server_title(&cli), SERVER_TITLE, 8);
    assert_int_equal(dlms_server_status(&srv), DLMS_ASSOC_ASSOCIATED);
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

static int action(uint16_t cls, const uint8_t ln[6], int8_t method, const uint8_t *v, size_t n) {
    dlms_cosem_descriptor_t d = desc(cls, ln, method);
    return exchange(dlms_client_action(&cli, &d, v, n, c_out, sizeof(c_out)));
}

static uint32_t get_u32(uint16_t cls, const uint8_t ln[6], int8_t attr) {
    assert_int_equal(get(cls, ln, attr), 0);
    axdr_dec_t d;
    uint32_t v;
    axdr_dec_init(&d, val, val_len);
    assert_int_equal(axdr_get_uint32(&d, &v), 0);
    return v;
}

static uint32_t reg(const uint8_t ln[6]) {
    return get_u32(CLASS_REGISTER, ln, 2);
}

/* SET of the clock (attribute 2) to utc, as a head-end writes it: local
 * date-time with its deviation and DST status. */
static void set_clock(int64_t utc) {
    cosem_datetime_t dt;
    local(utc, &dt);
    uint8_t v[16];
    axdr_enc_t e;
    axdr_enc_init(&e, v, sizeof(v));
    assert_int_equal(axdr_put_date_time_os(&e, &dt), 0);
    assert_int_equal(set(CLASS_CLOCK, LN_CLOCK, 2, v, e.len), 0);
    assert_int_equal(rtc, utc);
}

/* ---- profile rows as the client receives them ------------------------------------------------ */

#define MAX_COLS 6
typedef struct row {
    uint8_t ncols;
    uint8_t tag[MAX_COLS];
    int64_t utc;          /* the (first) date-time cell */
    int16_t dev;          /* its deviation */
    uint8_t cstatus;      /* its clock status */
    uint32_t u[MAX_COLS]; /* integer cells, by column */
} row_t;

#define MAX_ROWS 2100
static row_t rows[MAX_ROWS];

/* The buffer just read (val): an array of structures. */
static uint32_t parse_rows(row_t *out, uint32_t cap) {
    axdr_dec_t d;
    axdr_dec_init(&d, val, val_len);
    uint32_t n, k;
    assert_int_equal(axdr_get_array(&d, &n), 0);
    assert_true(n <= cap);
    for (uint32_t i = 0; i < n; i++) {
        row_t *r = &out[i];
        memset(r, 0, sizeof(*r));
        assert_int_equal(axdr_get_structure(&d, &k), 0);
        assert_true(k <= MAX_COLS);
        r->ncols = (uint8_t)k;
        for (uint32_t c = 0; c < k; c++) {
            int tag = axdr_peek_tag(&d);
            r->tag[c] = (uint8_t)tag;
            if (tag == AXDR_OCTET_STRING) {
                cosem_datetime_t dt;
                assert_int_equal(axdr_get_date_time(&d, &dt), 0);
                assert_int_equal(cosem_datetime_to_utc(&dt, &r->utc), 0);
                r->dev = dt.deviation;
                r->cstatus = dt.clock_status;
            } else if (tag == AXDR_UNSIGNED) {
                uint8_t v;
                assert_int_equal(axdr_get_uint8(&d, &v), 0);
                r->u[c] = v;
            } else {
                assert_int_equal(tag, AXDR_DOUBLE_LONG_UNSIGNED);
                assert_int_equal(axdr_get_uint32(&d, &r->u[c]), 0);
            }
        }
    }
    assert_int_equal(d.pos, d.len);
    return n;
}

static const dlms_capture_object_t COL_CLOCK = {CLASS_CLOCK, {0, 0, 1, 0, 0, 255}, 2, 0};
static const dlms_capture_object_t COL_A_PLUS = {CLASS_REGISTER, {1, 0, 1, 8, 0, 255}, 2, 0};

/* Buffer rows with clock in [from, to] (UTC, sent as local date-times with
 * their deviation), only the columns given (NULL: all). */
static uint32_t read_range(const uint8_t ln[6], int64_t from, int64_t to,
                           const dlms_capture_object_t *cols, uint32_t ncols, row_t *out,
                           uint32_t cap) {
    cosem_datetime_t f, t;
    local(from, &f);
    local(to, &t);
    dlms_cosem_descriptor_t d = desc(CLASS_PROFILE, ln, 2);
    assert_int_equal(
        exchange(dlms_client_get_range(&cli, &d, NULL, &f, &t, cols, ncols, c_out, sizeof(c_out))),
        0);
    return parse_rows(out, cap);
}

/* Buffer entries from..to (1 = oldest, 0 = the newest) and columns c0..c1. */
static uint32_t read_entries(const uint8_t ln[6], uint32_t from, uint32_t to, uint16_t c0,
                             uint16_t c1, row_t *out, uint32_t cap) {
    dlms_entry_descriptor_t ed = {from, to, c0, c1};
    dlms_cosem_descriptor_t d = desc(CLASS_PROFILE, ln, 2);
    assert_int_equal(exchange(dlms_client_get_entry(&cli, &d, &ed, c_out, sizeof(c_out))), 0);
    return parse_rows(out, cap);
}

static uint32_t read_all(const uint8_t ln[6], row_t *out, uint32_t cap) {
    assert_int_equal(get(CLASS_PROFILE, ln, 2), 0);
    return parse_rows(out, cap);
}

/* Event log rows: {clock, code}. */
typedef struct event {
    int64_t utc;
    uint8_t code;
} event_t;

static uint32_t events_between(int64_t from, int64_t to, event_t *ev, uint32_t cap) {
    static row_t r[120];
    uint32_t n = read_range(LN_STD_LOG, from, to, NULL, 0, r, 120);
    assert_true(n <= cap);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(r[i].ncols, 2);
        ev[i].utc = r[i].utc;
        ev[i].code = (uint8_t)r[i].u[1];
    }
    return n;
}

/* ---- fixtures -------------------------------------------------------------------------------- */

static int setup_at(int64_t utc) {
    geo.sector_count = meter_persist_sectors_needed(&geo, METER_VARIANT_ESMR);
    snprintf(path, sizeof(path), "/tmp/test_meter_e2e_%d.img", (int)getpid());
    unlink(path);
    port_open = false;
    server_ic = 1;
    ms = 1000;
    boot(utc);
    associate();
    return 0;
}

static int teardown(void **state) {
    (void)state;
    if (port_open)
        em_port_posix_deinit(&pst);
    port_open = false;
    unlink(path);
    return 0;
}

/* ---- a) load profile across the DST changes -------------------------------------------------- */

/* The load of day `day` of a run (24 h blocks of quarters from its start),
 * one of five balanced loads, one of them exporting: P total in W
 * (negative: export). */
static double day_load(uint32_t day) {
    switch (day % 5) {
    case 0:
        return load(230.0, 5.0, 25.841932763); /* cos phi 0.9 */
    case 1:
        return load(230.0, 10.0, 0.0);
    case 2:
        return load(231.0, 2.0, 60.0);
    case 3:
        return load(229.0, 4.0, 180.0); /* export */
    default:
        return load(230.0, 16.0, 10.0);
    }
}

static double p_by_q[20 * 96 + 8];

static void lp_dst_run(int64_t t0, unsigned days, int64_t dst_instant, uint32_t short_or_long_day,
                       unsigned rows_that_day) {
    const uint32_t quarters = days * 96u;
    assert_true(quarters + 8 <= sizeof(p_by_q) / sizeof(p_by_q[0]));
    uint32_t got = 0;       /* rows collected in `rows` */
    int64_t last_read = t0; /* rows up to here are collected */
    uint32_t a_plus_at[20 * 96 + 8];
    double p = 0;
    bool utc_read = false;
    for (uint32_t q = 1; q <= quarters; q++) {
        uint32_t day = (q - 1) / 96;
        if ((q - 1) % 96 == 0)
            p = day_load(day);
        p_by_q[q] = p;
        step_to(t0 + (int64_t)q * 900);
        if (q % 96 == 48) /* register at a row's instant, once a day */
            a_plus_at[q] = reg(LN_A_PLUS);
        if (q % (5 * 96) == 0 || q == quarters) {
            /* Range read of what came since the last read: clock and A+. */
            uint32_t n = read_range(LN_LP, last_read + 900, now,
                                    (const dlms_capture_object_t[]){COL_CLOCK, COL_A_PLUS}, 2,
                                    rows + got, MAX_ROWS - got);
            assert_int_equal(n, (uint32_t)((now - last_read) / 900));
            got += n;
            last_read = now;
        }
        /* Once past the change: the rows around it by a range given in
         * UTC (deviation 0), clock column only. */
        if (!utc_read && now >= dst_instant + 3 * 3600) {
            utc_read = true;
            cosem_datetime_t f, t;
            assert_int_equal(cosem_datetime_from_utc(dst_instant - 3 * 3600, 0, 0, &f), 0);
            assert_int_equal(cosem_datetime_from_utc(dst_instant + 3 * 3600, 0, 0, &t), 0);
            dlms_cosem_descriptor_t d = desc(CLASS_PROFILE, LN_LP, 2);
            assert_int_equal(exchange(dlms_client_get_range(&cli, &d, NULL, &f, &t, &COL_CLOCK, 1,
                                                            c_out, sizeof(c_out))),
                             0);
            static row_t z[32];
            assert_int_equal(parse_rows(z, 32), 25);
            for (uint32_t i = 0; i < 25; i++) {
                assert_int_equal(z[i].ncols, 1);
                assert_int_equal(z[i].utc, dst_instant - 3 * 3600 + (int64_t)i * 900);
            }
        }
    }
    assert_int_equal(got, quarters);

    /* Continuity in UTC, and deltas: A+ rows and register. */
    for (uint32_t i = 0; i < got; i++) {
        const row_t *r = &rows[i];
        uint32_t q = i + 1;
        assert_int_equal(r->ncols, 2);
        assert_int_equal(r->tag[0], AXDR_OCTET_STRING);
        assert_int_equal(r->tag[1], AXDR_DOUBLE_LONG_UNSIGNED);
        if (r->utc != t0 + (int64_t)q * 900)
            fail_msg("row %u at %lld, expected %lld (gap or duplicate)", q, (long long)r->utc,
                     (long long)(t0 + (int64_t)q * 900));
        /* The clock column shows local time with the deviation in force. */
        assert_int_equal(r->dev, deviation_at(r->utc));
        assert_int_equal(r->cstatus & COSEM_CLOCK_STATUS_DST_ACTIVE,
                         summer(r->utc) ? COSEM_CLOCK_STATUS_DST_ACTIVE : 0);
        if (q % 96 == 48)
            assert_int_equal(r->u[1], a_plus_at[q]);
        if (i == 0)
            continue;
        double want = p_by_q[q] > 0 ? p_by_q[q] * 0.25 : 0.0;
        double delta = (double)(r->u[1] - rows[i - 1].u[1]);
        if (fabs(delta - want) > 1.0)
            fail_msg("row %u: A+ delta %.0f Wh, P x 900 s = %.3f Wh", q, delta, want);
    }

    /* Daily values 1.0.99.2.0.255 by range over the run: a row at every
     * local midnight (the 23 h and 25 h days included), holding the tariff
     * registers whose sum is the load profile's A+ at that instant. */
    static row_t dv[32];
    uint32_t nd = read_range(LN(1, 0, 99, 2, 0, 255), t0, now, NULL, 0, dv, 32);
    assert_true(nd >= days - 1 && nd <= days + 1);
    for (uint32_t i = 0; i < nd; i++) {
        cosem_datetime_t dt;
        local(dv[i].utc, &dt);
        assert_int_equal(dt.hour, 0);
        assert_int_equal(dt.minute, 0);
        assert_int_equal(dv[i].dev, deviation_at(dv[i].utc));
        if (i > 0)
            assert_int_equal(local_date(dv[i].utc - 1), local_date(dv[i - 1].utc));
        int64_t k = (dv[i].utc - t0) / 900 - 1; /* the load profile row then */
        assert_true(k >= 0 && k < (int64_t)got);
        assert_int_equal(rows[k].utc, dv[i].utc);
        int64_t diff = (int64_t)rows[k].u[1] - (int64_t)(dv[i].u[2] + dv[i].u[3]);
        assert_true(diff >= 0 && diff <= 1);
    }

    /* The short / long local day. */
    unsigned that_day = 0;
    for (uint32_t i = 0; i < got; i++)
        that_day += local_date(rows[i].utc - 1) == short_or_long_day; /* intervals of the day */
    assert_int_equal(that_day, rows_that_day);

    /* By entry: the newest 960 (the whole buffer), columns 1-2 {clock, AMR}
     * and 3-4 {A+, A-}. */
    uint32_t in_use = get_u32(CLASS_PROFILE, LN_LP, 7);
    assert_int_equal(in_use, 960);
    assert_int_equal(get_u32(CLASS_PROFILE, LN_LP, 8), 960);
    static row_t st[960], en[960];
    assert_int_equal(read_entries(LN_LP, 1, 0, 1, 2, st, 960), 960);
    assert_int_equal(read_entries(LN_LP, 1, 960, 3, 4, en, 960), 960);
    bool dst_seen = false, std_seen = false;
    for (uint32_t i = 0; i < 960; i++) {
        const row_t *r = &rows[got - 960 + i];
        assert_int_equal(st[i].ncols, 2);
        assert_int_equal(st[i].utc, r->utc);
        assert_int_equal(st[i].tag[1], AXDR_UNSIGNED);
        uint8_t amr = (uint8_t)st[i].u[1];
        assert_int_equal(amr & METER_AMR_DST, summer(r->utc) ? METER_AMR_DST : 0);
        assert_int_equal(amr & ~METER_AMR_DST, 0); /* nothing else happened */
        dst_seen |= summer(r->utc);
        std_seen |= !summer(r->utc);
        assert_int_equal(en[i].ncols, 2);
        assert_int_equal(en[i].u[0], r->u[1]);
        if (i > 0) { /* A- grows only on the export days */
            uint32_t q = got - 960 + i + 1;
            double want = p_by_q[q] < 0 ? -p_by_q[q] * 0.25 : 0.0;
            double delta = (double)(en[i].u[1] - en[i - 1].u[1]);
            if (fabs(delta - want) > 1.0)
                fail_msg("row %u: A- delta %.0f Wh, expected %.3f", q, delta, want);
        }
    }
    assert_true(dst_seen && std_seen); /* the newest 10 days include the change */
    assert_true(utc_read);
    /* A single entry, all columns: the newest row. */
    assert_int_equal(read_entries(LN_LP, 960, 960, 0, 0, st, 1), 1);
    assert_int_equal(st[0].ncols, 4);
    assert_int_equal(st[0].utc, now);
    assert_int_equal(st[0].u[2], reg(LN_A_PLUS));
    assert_int_equal(st[0].u[3], reg(LN_A_MINUS));
}

/* 20 days from Wed 20 March 2024 00:00 UTC: the 23 h day of 31 March. */
static void test_lp_spring_dst(void **state) {
    (void)state;
    setup_at(utc_of(2024, 3, 20, 0, 0, 0));
    lp_dst_run(now, 20, eu_change(2024, 3), 20240331u, 92);
}

/* 20 days from Thu 17 October 2024: the 25 h day of 27 October. */
static void test_lp_autumn_dst(void **state) {
    (void)state;
    setup_at(utc_of(2024, 10, 17, 0, 0, 0));
    lp_dst_run(now, 20, eu_change(2024, 10), 20241027u, 100);
}

/* A whole-buffer read in blocks while the meter captures between the
 * blocks (a head-end reading a full load profile in real time): rows
 * captured after the request are not in the reply (the read is a
 * snapshot); when the rows still to be sent are overwritten meanwhile the
 * transfer ends with data-block-unavailable instead of mixing buffers. */
static int get_lp_with_steps_after_first_block(unsigned steps) {
    dlms_cosem_descriptor_t d = desc(CLASS_PROFILE, LN_LP, 2);
    int n = dlms_client_get(&cli, &d, NULL, c_out, sizeof(c_out));
    memset(&res, 0, sizeof(res));
    bool first = true;
    while (n > 0) {
        ms += 10;
        int r = dlms_server_input(&srv, METER_SAP_MANAGEMENT, METER_SERVER_SAP, c_out, (size_t)n,
                                  s_out, sizeof(s_out), ms);
        assert_true(r > 0);
        n = dlms_client_handle(&cli, s_out, (size_t)r, c_out, sizeof(c_out), &res);
        if (first && n > 0) {
            first = false;
            for (unsigned i = 0; i < steps; i++)
                step_to(now + 900);
        }
    }
    assert_false(first); /* it did come in blocks */
    if (n == 0) {
        memcpy(val, res.data.p, res.data.len);
        val_len = res.data.len;
    }
    return n;
}

static void test_lp_read_while_capturing(void **state) {
    (void)state;
    setup_at(utc_of(2024, 6, 3, 0, 0, 0));
    load(230.0, 5.0, 0.0);
    for (int q = 0; q < 1000; q++)
        step_to(now + 900);
    static row_t before[960];
    assert_int_equal(read_all(LN_LP, before, 960), 960);
    /* Two captures during the read: the reply is the buffer as it was. */
    assert_int_equal(get_lp_with_steps_after_first_block(2), 0);
    assert_int_equal(parse_rows(rows, MAX_ROWS), 960);
    for (uint32_t i = 0; i < 960; i++) {
        assert_int_equal(rows[i].utc, before[i].utc);
        assert_int_equal(rows[i].u[2], before[i].u[2]);
    }
    /* 200 captures during the read: rows not sent yet are gone. */
    assert_int_equal(get_lp_with_steps_after_first_block(200), DLMS_CLIENT_ERR_DATA_ACCESS);
    assert_int_equal(res.dar, DLMS_DAR_LONG_GET_ABORTED);
    /* The association goes on: the buffer reads whole again, newest last. */
    assert_int_equal(read_all(LN_LP, rows, MAX_ROWS), 960);
    assert_int_equal(rows[959].utc, now);
}

/* ---- b) clock adjustments ------------------------------------------------------------------- */

static void test_clock_adjust(void **state) {
    (void)state;
    const int64_t t0 = utc_of(2024, 1, 15, 12, 0, 0);
    setup_at(t0);
    double p = load(230.0, 5.0, 25.841932763);
    int64_t t = t0;
    for (int q = 0; q < 8; q++)
        step_to(t += 900);
    /* Forward 2 min at 5 min into an interval: old 14:05:00, new 14:07:00. */
    const int64_t fwd_at = t + 300;
    step_to(fwd_at);
    set_clock(fwd_at + 120);
    now = rtc; /* the meter continues from its new time (emeter: rtc_set_shift_s) */
    step_to(t += 900);
    for (int q = 0; q < 4; q++)
        step_to(t += 900);
    /* Back 4 min at 10 min into an interval: old 15:25, new 15:21. */
    const int64_t back_at = t + 600;
    step_to(back_at);
    set_clock(back_at - 240);
    now = rtc;
    step_to(t += 900);
    for (int q = 0; q < 4; q++)
        step_to(t += 900);

    event_t ev[16];
    uint32_t n = events_between(t0, t, ev, 16);
    assert_int_equal(n, 5); /* power up at t0, then 4 / 5 twice */
    assert_int_equal(ev[0].code, METER_EV_POWER_UP);
    assert_int_equal(ev[1].code, METER_EV_CLOCK_ADJUSTED_OLD);
    assert_int_equal(ev[1].utc, fwd_at);
    assert_int_equal(ev[2].code, METER_EV_CLOCK_ADJUSTED_NEW);
    assert_int_equal(ev[2].utc, fwd_at + 120);
    assert_int_equal(ev[3].code, METER_EV_CLOCK_ADJUSTED_OLD);
    assert_int_equal(ev[3].utc, back_at);
    assert_int_equal(ev[4].code, METER_EV_CLOCK_ADJUSTED_NEW);
    assert_int_equal(ev[4].utc, back_at - 240);

    /* Load profile: a row every quarter, the bit 0x20 only in the rows of
     * the intervals that held an adjustment; A+ deltas follow the time
     * that really passed (the forward interval lasted 2 min less of real
     * time, the backward one 4 min more). */
    uint32_t rn = read_all(LN_LP, rows, MAX_ROWS);
    assert_int_equal(rn, 18);
    for (uint32_t i = 0; i < rn; i++) {
        assert_int_equal(rows[i].utc, t0 + (int64_t)(i + 1) * 900);
        uint8_t amr = (uint8_t)rows[i].u[1];
        if (i == 0) /* the first interval holds the power up at t0 */
            amr = (uint8_t)(amr & ~METER_AMR_POWER_DOWN);
        bool adjusted = rows[i].utc == fwd_at + 600 || rows[i].utc == back_at + 300;
        assert_int_equal(amr, adjusted ? METER_AMR_CLOCK_ADJUSTED : 0);
        if (i == 0)
            continue;
        double secs = rows[i].utc == fwd_at + 600 ? 780 : rows[i].utc == back_at + 300 ? 1140 : 900;
        double delta = (double)(rows[i].u[2] - rows[i - 1].u[2]);
        assert_true(fabs(delta - p * secs / 3600.0) <= 1.0);
    }
}

/* Set to 1 when lib/meter captures the boundaries around a clock set within
 * the step after it whatever the step's length (test_clock_set_back_hour,
 * test_clock_forward_over_boundary_quarter_step; docs/e2e-tests.md). */

/* A set back by one whole hour at a quarter boundary, then quarter steps.
 * The buffer is FIFO (sort method 1): the rows already captured stay, and
 * the hour lived twice repeats their time stamps (as an unsorted profile
 * does after a set back). Every row is captured once per interval of real
 * time: A+ strictly grows from row to row. */
static void test_clock_set_back_hour(void **state) {
    (void)state;
    const int64_t t0 = utc_of(2024, 1, 15, 12, 0, 0);
    setup_at(t0);
    double p = load(230.0, 5.0, 25.841932763);
    int64_t t = t0;
    for (int q = 0; q < 8; q++)
        step_to(t += 900);
    const int64_t back_to = t - 3600;
    set_clock(back_to);
    now = rtc;
    int64_t u = back_to;
    for (int q = 0; q < 8; q++)
        step_to(u += 900);
    event_t ev[16];
    uint32_t n = events_between(t0, t, ev, 16);
    assert_int_equal(n, 3);
    assert_int_equal(ev[1].code, METER_EV_CLOCK_ADJUSTED_OLD);
    assert_int_equal(ev[1].utc, t);
    assert_int_equal(ev[2].code, METER_EV_CLOCK_ADJUSTED_NEW);
    assert_int_equal(ev[2].utc, back_to);
    uint32_t rn = read_all(LN_LP, rows, MAX_ROWS);
    for (uint32_t i = 1; i < rn; i++)
        assert_true(rows[i].u[2] > rows[i - 1].u[2]);
    assert_int_equal(rows[7].utc, t); /* the last row before the set */
    /* Expected: the 8 quarters after the set give 8 rows, back_to + 900
     * (clock adjusted) .. back_to + 7200, each P x 900 s more. */
    assert_int_equal(rn, 16);
    for (uint32_t i = 8; i < rn; i++) {
        assert_int_equal(rows[i].utc, back_to + (int64_t)(i - 7) * 900);
        assert_int_equal(rows[i].u[1], i == 8 ? METER_AMR_CLOCK_ADJUSTED : 0);
        assert_true(fabs((double)(rows[i].u[2] - rows[i - 1].u[2]) - p * 0.25) <= 1.0);
    }
    /* Range read over the repeated hour: the rows of both passes that lie
     * in it (the span from the first to the last match). */
    uint32_t rr = read_range(LN_LP, back_to + 900, t, NULL, 0, rows, MAX_ROWS);
    assert_int_equal(rr, 4 + 4);
    /* One instant lived twice: the two rows stamped with it, not the rows
     * between them (a range that is not dense), the older pass first. */
    rr = read_range(LN_LP, back_to + 2700, back_to + 2700, NULL, 0, rows, MAX_ROWS);
    assert_int_equal(rr, 2);
    assert_int_equal(rows[0].utc, back_to + 2700);
    assert_int_equal(rows[1].utc, back_to + 2700);
    assert_int_equal(rows[0].u[1], 0);
    assert_true(rows[1].u[2] > rows[0].u[2] + 4 * 700); /* an hour of 3105 W later */
}

/* A forward set over a quarter boundary (14:10 -> 14:20): the interval
 * that ended by the set is captured, stamped with its boundary (14:15),
 * with the clock-adjusted bit; no gap, no duplicate. `first_step` is the
 * length of the first step after the set: 1 s as emeter's real-time ticks,
 * or up to the next quarter (the 14:30 boundary) at once. */
static void forward_over_boundary(uint32_t first_step, uint32_t expect_rows) {
    const int64_t t0 = utc_of(2024, 1, 15, 12, 0, 0);
    setup_at(t0);
    load(230.0, 5.0, 25.841932763);
    int64_t t = t0;
    for (int q = 0; q < 8; q++)
        step_to(t += 900);
    step_to(t + 600);
    set_clock(t + 1200);
    now = rtc;
    step_to(now + first_step);
    while (now < t0 + 13 * 900) /* to 15:15 by quarters */
        step_to((now / 900 + 1) * 900);
    uint32_t rn = read_all(LN_LP, rows, MAX_ROWS);
    assert_int_equal(rn, expect_rows);
    for (uint32_t i = 0; i < rn; i++) {
        int64_t want = t0 + (int64_t)(i + 1) * 900;
        if (expect_rows < 13 && i >= 8)
            want += 900; /* the 14:15 row is missing (see below) */
        assert_int_equal(rows[i].utc, want);
        uint8_t amr = (uint8_t)(rows[i].u[1] & (i == 0 ? ~METER_AMR_POWER_DOWN : 0xFF));
        assert_int_equal(amr, i == 8 ? METER_AMR_CLOCK_ADJUSTED : 0);
        if (i > 0)
            assert_true(rows[i].u[2] > rows[i - 1].u[2]);
    }
}

static void test_clock_forward_over_boundary(void **state) {
    (void)state;
    forward_over_boundary(1, 8 + 1 + 4);
}

static void test_clock_forward_over_boundary_quarter_step(void **state) {
    (void)state;
    forward_over_boundary(600, 8 + 1 + 4);
}

/* ---- c) tariffs by the factory calendar and a special day ------------------------------------ */

/* The factory calendar's tariff of the quarter ending at utc. */
static unsigned tariff_of(int64_t end, uint32_t holiday, unsigned t2_from, unsigned t2_to) {
    cosem_datetime_t dt;
    local(end - 900, &dt); /* the quarter's start */
    uint32_t date = dt.year * 10000u + dt.month * 100u + dt.day;
    bool weekday = dt.day_of_week <= 5 && date != holiday;
    return weekday && dt.hour >= t2_from && dt.hour < t2_to ? 2u : 1u;
}

/* Quarters from now to `end`, each quarter's energy checked in the
 * tariff register it belongs to, over DLMS; returns the T2 quarters. */
static unsigned run_tariffs(int64_t end, uint32_t holiday, int64_t switch_cal_at, unsigned new_from,
                            unsigned new_to) {
    unsigned t2q = 0;
    uint32_t t1 = reg(LN_A_PLUS_T1), t2 = reg(LN_A_PLUS_T2);
    while (now < end) {
        int64_t q_end = now + 900;
        step_to(q_end);
        unsigned want = q_end <= switch_cal_at ? tariff_of(q_end, holiday, 7, 23)
                                               : tariff_of(q_end, holiday, new_from, new_to);
        uint32_t n1 = reg(LN_A_PLUS_T1), n2 = reg(LN_A_PLUS_T2);
        uint32_t d_in = want == 1 ? n1 - t1 : n2 - t2, d_out = want == 1 ? n2 - t2 : n1 - t1;
        if (d_out != 0 || d_in < 776 || d_in > 777) {
            cosem_datetime_t dt;
            local(q_end - 900, &dt);
            fail_msg("quarter from %04u-%02u-%02u %02u:%02u local: tariff %u expected, T1 +%u "
                     "T2 +%u Wh",
                     dt.year, dt.month, dt.day, dt.hour, dt.minute, want, n1 - t1, n2 - t2);
        }
        /* The tariff indicator shows the tariff of the next quarter. */
        unsigned next = q_end < switch_cal_at ? tariff_of(q_end + 900, holiday, 7, 23)
                                              : tariff_of(q_end + 900, holiday, new_from, new_to);
        assert_int_equal(get(CLASS_DATA, LN_TARIFF_IND, 2), 0);
        assert_int_equal(val_len, 4);
        assert_int_equal(val[3], next);
        t2q += want == 2;
        t1 = n1;
        t2 = n2;
    }
    return t2q;
}

static void test_tariffs_and_special_day(void **state) {
    (void)state;
    const int64_t mon = utc_of(2024, 1, 15, 0, 0, -60); /* Monday 15 January 00:00 CET */
    setup_at(mon);
    load(230.0, 5.0, 25.841932763); /* 3105 W: 776.25 Wh a quarter */
    /* Week 1: 5 x 16 h of T2. */
    assert_int_equal(run_tariffs(mon + 7 * 86400, 0, INT64_MAX, 7, 23), 5u * 16u * 4u);
    /* A holiday on Wednesday 24 January: special day, day profile 2. */
    static const uint8_t insert[] = {0x02, 0x03, 0x12, 0x00, 0x01, 0x09, 0x05,
                                     0x07, 0xE8, 0x01, 0x18, 0xFF, 0x11, 0x02};
    assert_int_equal(action(CLASS_SPECIAL, LN_SPECIAL, 1, insert, sizeof(insert)), 0);
    assert_int_equal(get(CLASS_SPECIAL, LN_SPECIAL, 2), 0);
    assert_int_equal(val[0], AXDR_ARRAY);
    assert_int_equal(val[1], 1);
    assert_int_equal(run_tariffs(mon + 14 * 86400, 20240124u, INT64_MAX, 7, 23), 4u * 16u * 4u);
    /* The entry deleted (method 2, by index): the table is empty. The
     * holiday was a concrete date, so week 3 is a normal week anyway;
     * a repeating special day (every Wednesday of any year and month,
     * index 2) makes every Wednesday a weekend day. */
    static const uint8_t index1[] = {0x12, 0x00, 0x01};
    assert_int_equal(action(CLASS_SPECIAL, LN_SPECIAL, 2, index1, sizeof(index1)), 0);
    assert_int_equal(get(CLASS_SPECIAL, LN_SPECIAL, 2), 0);
    assert_int_equal(val_len, 2);
    assert_int_equal(val[1], 0);
    static const uint8_t wednesdays[] = {0x02, 0x03, 0x12, 0x00, 0x02, 0x09, 0x05,
                                         0xFF, 0xFF, 0xFF, 0xFF, 0x03, 0x11, 0x02};
    assert_int_equal(action(CLASS_SPECIAL, LN_SPECIAL, 1, wednesdays, sizeof(wednesdays)), 0);
    unsigned t2q = 0;
    for (int64_t d = mon + 14 * 86400; d < mon + 21 * 86400; d += 86400) {
        cosem_datetime_t dt;
        local(d, &dt);
        t2q += run_tariffs(d + 86400, dt.day_of_week == 3 ? local_date(d) : 0, INT64_MAX, 7, 23);
    }
    assert_int_equal(t2q, 4u * 16u * 4u);
}

/* ---- d) passive calendar programmed over DLMS -------------------------------------------------
 */

static const uint8_t NEW_NAME[] = {0x09, 0x03, 'N', 'E', 'W'};
static const uint8_t NEW_SEASONS[] = {0x01, 0x01, 0x02, 0x03, 0x09, 0x01, 'S',  0x09,
                                      0x0C, 0xFF, 0xFF, 0x01, 0x01, 0xFF, 0x00, 0x00,
                                      0x00, 0x00, 0x80, 0x00, 0xFF, 0x09, 0x01, 'W'};
static const uint8_t NEW_WEEKS[] = {0x01, 0x01, 0x02, 0x08, 0x09, 0x01, 'W',
                                    0x11, 0x01, 0x11, 0x01, 0x11, 0x01, 0x11,
                                    0x01, 0x11, 0x01, 0x11, 0x02, 0x11, 0x02};
/* Weekdays: 00:00 T1, 08:00 T2, 20:00 T1; weekend: 00:00 T1. */
static const uint8_t NEW_DAYS[] = {
    0x01, 0x02,                                                       /* 2 day profiles */
    0x02, 0x02, 0x11, 0x01, 0x01, 0x03,                               /* day 1, 3 actions */
    0x02, 0x03, 0x09, 0x04, 0x00, 0x00, 0x00, 0x00,                   /* 00:00 */
    0x09, 0x06, 0x00, 0x00, 0x0A, 0x00, 0x64, 0xFF, 0x12, 0x00, 0x01, /* tariff 1 */
    0x02, 0x03, 0x09, 0x04, 0x08, 0x00, 0x00, 0x00,                   /* 08:00 */
    0x09, 0x06, 0x00, 0x00, 0x0A, 0x00, 0x64, 0xFF, 0x12, 0x00, 0x02, /* tariff 2 */
    0x02, 0x03, 0x09, 0x04, 0x14, 0x00, 0x00, 0x00,                   /* 20:00 */
    0x09, 0x06, 0x00, 0x00, 0x0A, 0x00, 0x64, 0xFF, 0x12, 0x00, 0x01, /* tariff 1 */
    0x02, 0x02, 0x11, 0x02, 0x01, 0x01,                               /* day 2, 1 action */
    0x02, 0x03, 0x09, 0x04, 0x00, 0x00, 0x00, 0x00,                   /* 00:00 */
    0x09, 0x06, 0x00, 0x00, 0x0A, 0x00, 0x64, 0xFF, 0x12, 0x00, 0x01, /* tariff 1 */
};

static void test_passive_calendar(void **state) {
    (void)state;
    const int64_t mon = utc_of(2024, 1, 15, 0, 0, -60);
    setup_at(mon);
    load(230.0, 5.0, 25.841932763);
    step_to(mon + 900);
    /* Thursday 18 January 00:00 local (deviation not specified: the
     * meter's local time). */
    const int64_t thu = mon + 3 * 86400;
    static const uint8_t activate_at[] = {0x09, 0x0C, 0x07, 0xE8, 0x01, 0x12, 0xFF,
                                          0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0xFF};
    assert_int_equal(set(CLASS_CAL, LN_CAL, 6, NEW_NAME, sizeof(NEW_NAME)), 0);
    assert_int_equal(set(CLASS_CAL, LN_CAL, 7, NEW_SEASONS, sizeof(NEW_SEASONS)), 0);
    assert_int_equal(set(CLASS_CAL, LN_CAL, 8, NEW_WEEKS, sizeof(NEW_WEEKS)), 0);
    assert_int_equal(set(CLASS_CAL, LN_CAL, 9, NEW_DAYS, sizeof(NEW_DAYS)), 0);
    assert_int_equal(set(CLASS_CAL, LN_CAL, 10, activate_at, sizeof(activate_at)), 0);
    /* The passive calendar reads back as written; the active is still DSMR. */
    assert_int_equal(get(CLASS_CAL, LN_CAL, 9), 0);
    assert_int_equal(val_len, sizeof(NEW_DAYS));
    assert_memory_equal(val, NEW_DAYS, sizeof(NEW_DAYS));
    assert_int_equal(get(CLASS_CAL, LN_CAL, 2), 0);
    assert_memory_equal(val, ((const uint8_t[]){0x09, 0x04, 'D', 'S', 'M', 'R'}), 6);
    /* Mon .. Wed with 07:00-23:00, Thu and Fri with 08:00-20:00. */
    unsigned t2q = run_tariffs(mon + 5 * 86400, 0, thu, 8, 20);
    assert_int_equal(t2q, 3u * 16u * 4u + 2u * 12u * 4u);
    assert_int_equal(get(CLASS_CAL, LN_CAL, 2), 0);
    assert_memory_equal(val, NEW_NAME, sizeof(NEW_NAME));
    event_t ev[16];
    uint32_t n = events_between(mon, now, ev, 16);
    assert_int_equal(n, 7); /* power up, 5 x 19, 9 */
    assert_int_equal(ev[0].code, METER_EV_POWER_UP);
    for (unsigned i = 1; i <= 5; i++) {
        assert_int_equal(ev[i].code, METER_EV_PASSIVE_UPDATED);
        assert_int_equal(ev[i].utc, mon + 900);
    }
    assert_int_equal(ev[6].code, METER_EV_TARIFF_ACTIVATED);
    assert_int_equal(ev[6].utc, thu);
    /* The passive calendar stays as written (the Blue Book copies it to
     * the active one); activating it again by method 1 logs event 9 now. */
    assert_int_equal(get(CLASS_CAL, LN_CAL, 6), 0);
    assert_memory_equal(val, NEW_NAME, sizeof(NEW_NAME));
    static const uint8_t zero[] = {0x0F, 0x00};
    assert_int_equal(action(CLASS_CAL, LN_CAL, 1, zero, sizeof(zero)), 0);
    n = events_between(now, now, ev, 16);
    assert_int_equal(n, 1);
    assert_int_equal(ev[0].code, METER_EV_TARIFF_ACTIVATED);
}

/* ---- e) monthly billing ---------------------------------------------------------------------- */

static void test_billing(void **state) {
    (void)state;
    const int64_t t0 = utc_of(2024, 1, 25, 0, 0, 0);
    setup_at(t0);
    struct {
        int64_t utc;
        uint32_t t1, t2, m1, m2;
    } want[4];
    unsigned nw = 0;
    uint32_t day = 0;
    for (int64_t t = t0 + 3600; t <= utc_of(2024, 4, 3, 0, 0, 0); t += 3600) {
        if ((t - t0) % 86400 == 3600)
            day_load(day++);
        step_to(t);
        cosem_datetime_t dt;
        local(t, &dt);
        if (dt.day == 1 && dt.hour == 0 && dt.minute == 0) {
            assert_true(nw < 4);
            want[nw].utc = t;
            want[nw].t1 = reg(LN_A_PLUS_T1);
            want[nw].t2 = reg(LN_A_PLUS_T2);
            want[nw].m1 = reg(LN(1, 0, 2, 8, 1, 255));
            want[nw].m2 = reg(LN(1, 0, 2, 8, 2, 255));
            nw++;
        }
    }
    assert_int_equal(nw, 3);
    assert_int_equal(get_u32(CLASS_PROFILE, LN_MONTHLY, 7), 3);
    uint32_t n = read_range(LN_MONTHLY, t0, now, NULL, 0, rows, MAX_ROWS);
    assert_int_equal(n, 3);
    for (unsigned i = 0; i < 3; i++) {
        const row_t *r = &rows[i];
        assert_int_equal(r->ncols, 6);
        cosem_datetime_t dt;
        local(r->utc, &dt);
        assert_int_equal(dt.month, (unsigned)(2 + i));
        assert_int_equal(dt.day, 1);
        assert_int_equal(dt.hour, 0);
        assert_int_equal(r->dev, i == 2 ? -120 : -60); /* 1 April: summer time */
        assert_int_equal(r->utc, want[i].utc);
        assert_int_equal((uint8_t)r->u[1] & METER_AMR_DST, i == 2 ? METER_AMR_DST : 0);
        assert_int_equal(r->u[2], want[i].t1);
        assert_int_equal(r->u[3], want[i].t2);
        assert_int_equal(r->u[4], want[i].m1);
        assert_int_equal(r->u[5], want[i].m2);
        if (i > 0) /* a month of energy between rows */
            assert_true(r->u[2] + r->u[3] > rows[i - 1].u[2] + rows[i - 1].u[3]);
    }
    /* By entry, columns 3-4 (A+ T1, T2) of the newest row. */
    assert_int_equal(read_entries(LN_MONTHLY, 3, 3, 3, 4, rows, 1), 1);
    assert_int_equal(rows[0].ncols, 2);
    assert_int_equal(rows[0].u[0], want[2].t1);
    assert_int_equal(rows[0].u[1], want[2].t2);
}

/* A power outage over a month end (29 February 22:00 to 1 March 02:00
 * local, a new mount of the flash image), then the clock set back over
 * DLMS across the month end and run forward again. */
static void test_billing_outage_and_set_back(void **state) {
    (void)state;
    const int64_t t0 = utc_of(2024, 2, 20, 0, 0, 0);
    setup_at(t0);
    load(230.0, 5.0, 25.841932763);
    const int64_t down = utc_of(2024, 2, 29, 22, 0, -60);
    while (now < down)
        step_to(now + 3600);
    uint32_t t1 = reg(LN_A_PLUS_T1), t2 = reg(LN_A_PLUS_T2);
    release();
    assert_int_equal(meter_persist_power_down(&mp, now), 0);
    const int64_t up = utc_of(2024, 3, 1, 2, 0, -60);
    boot(up);
    associate();
    for (int h = 0; h < 4; h++)
        step_to(now + 3600);
    assert_int_equal(get_u32(CLASS_PROFILE, LN_MONTHLY, 7), 1);
    assert_int_equal(read_all(LN_MONTHLY, rows, 4), 1);
    assert_int_equal(rows[0].utc, utc_of(2024, 3, 1, 0, 0, -60));
    assert_int_equal(rows[0].u[1] & METER_AMR_POWER_DOWN, METER_AMR_POWER_DOWN);
    /* The registers at the month end, i.e. at the power down. */
    assert_int_equal(rows[0].u[2], t1);
    assert_int_equal(rows[0].u[3], t2);
    /* Set back over the month end and forward again: no second close. */
    set_clock(utc_of(2024, 2, 29, 23, 0, -60));
    now = rtc;
    for (int h = 0; h < 4; h++)
        step_to(now + 3600);
    assert_int_equal(get_u32(CLASS_PROFILE, LN_MONTHLY, 7), 1);
}

/* ---- f) the standard event log wraps at 100 ---------------------------------------------------
 */

static void test_event_log_wrap(void **state) {
    (void)state;
    const int64_t t0 = utc_of(2024, 5, 6, 8, 0, 0);
    setup_at(t0);
    static event_t expect[200];
    unsigned ne = 0;
    expect[ne++] = (event_t){t0, METER_EV_POWER_UP};
    load(230.0, 5.0, 0.0);
    /* 30 power cycles: event 1 at the power-fail, 2 at power up a minute
     * later, over a new mount of the same flash image each time. */
    for (int c = 0; c < 30; c++) {
        step_to(now + 900);
        release();
        assert_int_equal(meter_persist_power_down(&mp, now), 0);
        expect[ne++] = (event_t){now, METER_EV_POWER_DOWN};
        int64_t up = now + 60;
        boot(up);
        expect[ne++] = (event_t){up, METER_EV_POWER_UP};
        associate();
    }
    /* 25 clock adjustments of +30 s over DLMS: 4 then 5 each. */
    for (int c = 0; c < 25; c++) {
        step_to(now + 900);
        int64_t old = now;
        set_clock(old + 30);
        now = rtc;
        expect[ne++] = (event_t){old, METER_EV_CLOCK_ADJUSTED_OLD};
        expect[ne++] = (event_t){old + 30, METER_EV_CLOCK_ADJUSTED_NEW};
    }
    assert_int_equal(ne, 111);
    assert_int_equal(get_u32(CLASS_PROFILE, LN_STD_LOG, 8), 100);
    assert_int_equal(get_u32(CLASS_PROFILE, LN_STD_LOG, 7), 100);
    uint32_t n = read_all(LN_STD_LOG, rows, MAX_ROWS);
    assert_int_equal(n, 100);
    for (uint32_t i = 0; i < n; i++) {
        const event_t *e = &expect[ne - 100 + i];
        if (rows[i].utc != e->utc || rows[i].u[1] != e->code)
            fail_msg("entry %u: code %u at %lld, expected %u at %lld", i + 1, rows[i].u[1],
                     (long long)rows[i].utc, e->code, (long long)e->utc);
    }
    /* Oldest and newest by entry; the last event code object. */
    assert_int_equal(read_entries(LN_STD_LOG, 1, 1, 0, 0, rows, 1), 1);
    assert_int_equal(rows[0].utc, expect[ne - 100].utc);
    assert_int_equal(read_entries(LN_STD_LOG, 100, 0, 2, 2, rows, 1), 1);
    assert_int_equal(rows[0].ncols, 1);
    assert_int_equal(rows[0].u[0], METER_EV_CLOCK_ADJUSTED_NEW);
    assert_int_equal(get(CLASS_DATA, LN(0, 0, 96, 11, 0, 255), 2), 0);
    assert_int_equal(val[1], METER_EV_CLOCK_ADJUSTED_NEW);
    /* Reset (method 1): the log holds only "event log cleared" (255). */
    static const uint8_t zero[] = {0x0F, 0x00};
    assert_int_equal(action(CLASS_PROFILE, LN_STD_LOG, 1, zero, sizeof(zero)), 0);
    assert_int_equal(get_u32(CLASS_PROFILE, LN_STD_LOG, 7), 1);
    assert_int_equal(read_all(LN_STD_LOG, rows, 2), 1);
    assert_int_equal(rows[0].u[1], METER_EV_LOG_CLEARED);
    assert_int_equal(rows[0].utc, now);
    /* The load profile over the power cycles: a row every quarter and the
     * power-down bit 0x80 in the row of each interval with an outage. */
    uint32_t rn = read_range(LN_LP, t0, now, NULL, 0, rows, MAX_ROWS);
    assert_true(rn >= 30);
    unsigned pd = 0;
    for (uint32_t i = 0; i < rn; i++)
        pd += (rows[i].u[1] & METER_AMR_POWER_DOWN) != 0;
    assert_true(pd >= 29);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_lp_spring_dst, teardown),
        cmocka_unit_test_teardown(test_lp_autumn_dst, teardown),
        cmocka_unit_test_teardown(test_lp_read_while_capturing, teardown),
        cmocka_unit_test_teardown(test_clock_adjust, teardown),
        cmocka_unit_test_teardown(test_clock_set_back_hour, teardown),
        cmocka_unit_test_teardown(test_clock_forward_over_boundary, teardown),
        cmocka_unit_test_teardown(test_clock_forward_over_boundary_quarter_step, teardown),
        cmocka_unit_test_teardown(test_tariffs_and_special_day, teardown),
        cmocka_unit_test_teardown(test_passive_calendar, teardown),
        cmocka_unit_test_teardown(test_billing, teardown),
        cmocka_unit_test_teardown(test_billing_outage_and_set_back, teardown),
        cmocka_unit_test_teardown(test_event_log_wrap, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
