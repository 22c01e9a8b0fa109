/*
 * test_cosem_profile.c - Profile generic (class 7) and its row store: the
 * RAM ring, capture at clock-aligned period boundaries (DST included),
 * FIFO wrap at profile_entries, entries_in_use, reset and capture methods,
 * SETs of capture_objects / capture_period / sort_method / profile_entries,
 * selective access by range (inclusive bounds, unspecified date-time
 * fields, columns, a clock set back) and by entry (0 = last, columns), a
 * 1440-row load profile read through the real block streamer at PDU 256
 * with the store reads of every block counted, captures and a reset
 * during a long read, event-log style asynchronous captures, data_index
 * columns, rows of varying width, restart adoption, and hostile
 * selective-access parameters with their data-access-results.
 *
 * The test builds its own small meter (object table below): a clock, the
 * DSMR 15-minute load profile {clock, AMR status, A+, A-}, a standard
 * event log {clock, event code}, a log with a variable-length column and
 * an OMNIPOWER-style analysis logger whose 24 channels are set over DLMS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "dlms/apdu.h"

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

/* 2024-01-15 12:00:00 UTC (13:00 CET), a multiple of 900 s. */
static const int64_t T = 1705320000;

#define LP_ROWS  1440
#define LP_ROW   32 /* 2 + clock 14 + amr 2 + A+ 9 + A- 5 */
#define EV_ROWS  100
#define EV_ROW   20 /* 2 + clock 14 + code 2 = 18, 2 spare */
#define VAR_ROWS 10
#define VAR_ROW  64
#define AL_ROWS  24
#define AL_ROW   140 /* 2 + clock 14 + 24 x 5 = 136 */
#define CHANNELS 24

typedef struct papp {
    cosem_clock_state_t clock;
    uint8_t amr;
    uint64_t a_plus;
    uint32_t a_minus;
    uint8_t event_code;
    uint8_t note[40];
    uint8_t note_len;
    int16_t temp;
    uint32_t chan[CHANNELS];
    cosem_profile_state_t lp, ev, var, al;
    cosem_profile_ram_rows_t lp_ram, ev_ram, var_ram, al_ram;
    uint8_t lp_buf[LP_ROWS * LP_ROW];
    uint8_t ev_buf[EV_ROWS * EV_ROW];
    uint8_t var_buf[VAR_ROWS * VAR_ROW];
    uint8_t al_buf[AL_ROWS * AL_ROW];
    int64_t rtc;
} papp_t;

#define APP papp_t

/* ---- object table ------------------------------------------------------------------------ */

static const cosem_access_t rw = COSEM_ACCESS_RW;

static const cosem_clock_def_t clock_def = {.state = COSEM_STATE(cosem_clock_state_t, APP, clock),
                                            .measuring_period = 900};
static const cosem_data_def_t amr_def = {COSEM_FIELD(AXDR_UNSIGNED, APP, amr)};
static const cosem_register_def_t a_plus_def = {COSEM_FIELD(AXDR_LONG64_UNSIGNED, APP, a_plus), 0,
                                                COSEM_UNIT_WH};
static const cosem_register_def_t a_minus_def = {
    COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, APP, a_minus), 0, COSEM_UNIT_WH};
static const cosem_data_def_t event_def = {COSEM_FIELD(AXDR_UNSIGNED, APP, event_code)};
static const cosem_data_def_t note_def = {COSEM_FIELD_STR(AXDR_OCTET_STRING, APP, note, note_len)};
static const cosem_data_def_t temp_def = {COSEM_FIELD(AXDR_LONG, APP, temp)};
static const cosem_data_def_t array_def = {COSEM_CONST(AXDR_ARRAY, 3, AXDR_LONG_UNSIGNED, 0, 10,
                                                       AXDR_LONG_UNSIGNED, 0, 20,
                                                       AXDR_LONG_UNSIGNED, 0, 30)};

#define CHAN_DEF(i)                                                                                \
    { COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, APP, chan[i]), 0, COSEM_UNIT_W }
static const cosem_register_def_t chan_def[CHANNELS] = {
    CHAN_DEF(0),  CHAN_DEF(1),  CHAN_DEF(2),  CHAN_DEF(3),  CHAN_DEF(4),  CHAN_DEF(5),
    CHAN_DEF(6),  CHAN_DEF(7),  CHAN_DEF(8),  CHAN_DEF(9),  CHAN_DEF(10), CHAN_DEF(11),
    CHAN_DEF(12), CHAN_DEF(13), CHAN_DEF(14), CHAN_DEF(15), CHAN_DEF(16), CHAN_DEF(17),
    CHAN_DEF(18), CHAN_DEF(19), CHAN_DEF(20), CHAN_DEF(21), CHAN_DEF(22), CHAN_DEF(23)};

#define LN_CLOCK  0, 0, 1, 0, 0, 255
#define LN_AMR    0, 0, 96, 10, 2, 255
#define LN_APLUS  1, 0, 1, 8, 0, 255
#define LN_AMINUS 1, 0, 2, 8, 0, 255
#define LN_EVENT  0, 0, 96, 11, 0, 255
#define LN_NOTE   0, 0, 96, 128, 9, 255
#define LN_TEMP   0, 0, 96, 128, 10, 255
#define LN_ARRAY  0, 0, 96, 128, 11, 255
#define LN_LP     1, 0, 99, 1, 0, 255
#define LN_EV     0, 0, 99, 98, 0, 255
#define LN_VAR    0, 0, 99, 128, 0, 255
#define LN_AL     1, 0, 99, 128, 0, 255

#define CO(cls, attr, ...)                                                                         \
    { (cls), {__VA_ARGS__}, (attr), 0 }

static const dlms_capture_object_t lp_cols[] = {CO(8, 2, LN_CLOCK), CO(1, 2, LN_AMR),
                                                CO(3, 2, LN_APLUS), CO(3, 2, LN_AMINUS)};
static const dlms_capture_object_t ev_cols[] = {CO(8, 2, LN_CLOCK), CO(1, 2, LN_EVENT)};
static const dlms_capture_object_t var_cols[] = {CO(8, 2, LN_CLOCK), CO(1, 2, LN_NOTE)};
static const dlms_capture_object_t al_cols[] = {CO(8, 2, LN_CLOCK), CO(3, 2, 1, 1, 128, 7, 0, 255)};

static const cosem_profile_def_t lp_def = {.state = COSEM_STATE(cosem_profile_state_t, APP, lp),
                                           .rows =
                                               COSEM_STATE(cosem_profile_rows_t, APP, lp_ram.rows),
                                           .capture_objects = lp_cols,
                                           .capture_count = 4,
                                           .capture_period = 900,
                                           .profile_entries = LP_ROWS};
static const cosem_profile_def_t ev_def = {.state = COSEM_STATE(cosem_profile_state_t, APP, ev),
                                           .rows =
                                               COSEM_STATE(cosem_profile_rows_t, APP, ev_ram.rows),
                                           .capture_objects = ev_cols,
                                           .capture_count = 2,
                                           .capture_period = 0,
                                           .profile_entries = EV_ROWS};
static const cosem_profile_def_t var_def = {
    .state = COSEM_STATE(cosem_profile_state_t, APP, var),
    .rows = COSEM_STATE(cosem_profile_rows_t, APP, var_ram.rows),
    .capture_objects = var_cols,
    .capture_count = 2,
    .profile_entries = VAR_ROWS};
static const cosem_profile_def_t al_def = {.state = COSEM_STATE(cosem_profile_state_t, APP, al),
                                           .rows = COSEM_NO_OFFSET,
                                           .capture_objects = al_cols,
                                           .capture_count = 2,
                                           .capture_period = 60,
                                           .profile_entries = AL_ROWS};

#define CHAN_OBJ(i)                                                                                \
    {                                                                                              \
        &cosem_class_register, {1, 1, 128, 7, (i), 255}, &chan_def[i], {                           \
            [0] = &rw                                                                              \
        }                                                                                          \
    }

static const cosem_object_t objects[] = {
    {&cosem_class_clock, {LN_CLOCK}, &clock_def, {[0] = &rw}},
    {&cosem_class_data, {LN_AMR}, &amr_def, {[0] = &rw}},
    {&cosem_class_register, {LN_APLUS}, &a_plus_def, {[0] = &rw}},
    {&cosem_class_register, {LN_AMINUS}, &a_minus_def, {[0] = &rw}},
    {&cosem_class_data, {LN_EVENT}, &event_def, {[0] = &rw}},
    {&cosem_class_data, {LN_NOTE}, &note_def, {[0] = &rw}},
    {&cosem_class_data, {LN_TEMP}, &temp_def, {[0] = &rw}},
    {&cosem_class_data, {LN_ARRAY}, &array_def, {[0] = &rw}},
    {&cosem_class_profile_generic, {LN_LP}, &lp_def, {[0] = &rw}},
    {&cosem_class_profile_generic, {LN_EV}, &ev_def, {[0] = &rw}},
    {&cosem_class_profile_generic, {LN_VAR}, &var_def, {[0] = &rw}},
    {&cosem_class_profile_generic, {LN_AL}, &al_def, {[0] = &rw}},
    CHAN_OBJ(0),
    CHAN_OBJ(1),
    CHAN_OBJ(2),
    CHAN_OBJ(3),
    CHAN_OBJ(4),
    CHAN_OBJ(5),
    CHAN_OBJ(6),
    CHAN_OBJ(7),
    CHAN_OBJ(8),
    CHAN_OBJ(9),
    CHAN_OBJ(10),
    CHAN_OBJ(11),
    CHAN_OBJ(12),
    CHAN_OBJ(13),
    CHAN_OBJ(14),
    CHAN_OBJ(15),
    CHAN_OBJ(16),
    CHAN_OBJ(17),
    CHAN_OBJ(18),
    CHAN_OBJ(19),
    CHAN_OBJ(20),
    CHAN_OBJ(21),
    CHAN_OBJ(22),
    CHAN_OBJ(23),
};

/* ---- fixture: server, a row store that counts its reads -------------------------------------- */

static papp_t app;
static em_port_t port;
static cosem_server_t srv;
static const cosem_object_t *LP, *EV, *VAR, *AL;

/* The analysis logger's store: the RAM ring behind a wrapper that counts
 * reads, so the tests can bound the work of each block. */
static const cosem_profile_rows_ops_t *ram_ops;
static unsigned reads;
static cosem_profile_rows_t counted, counted_lp;

static uint32_t cnt_capacity(void *u) {
    return ram_ops->capacity(u);
}
static uint32_t cnt_count(void *u) {
    return ram_ops->count(u);
}
static int cnt_read(void *u, uint32_t i, uint8_t *row) {
    reads++;
    return ram_ops->read(u, i, row);
}
static int cnt_append(void *u, const uint8_t *row) {
    return ram_ops->append(u, row);
}
static int cnt_clear(void *u) {
    return ram_ops->clear(u);
}
static const cosem_profile_rows_ops_t counting_ops = {cnt_capacity, cnt_count, cnt_read, cnt_append,
                                                      cnt_clear};

static int64_t rtc_get(void *user) {
    return ((papp_t *)user)->rtc;
}

static const cosem_object_t *find(const uint8_t *ln) {
    const cosem_object_t *o = cosem_find(&srv, ln);
    assert_non_null(o);
    return o;
}

static int setup(void **state) {
    (void)state;
    memset(&app, 0, sizeof(app));
    cosem_clock_state_cet(&app.clock);
    app.rtc = T;
    app.a_plus = 1000;
    app.a_minus = 7;
    memset(&port, 0, sizeof(port));
    port.user = &app;
    port.rtc_get = rtc_get;
    assert_int_equal(
        cosem_server_init(&srv, objects, COSEM_COUNT(objects), &app, sizeof(app), &port), 0);
    assert_int_equal(
        cosem_profile_ram_rows_init(&app.lp_ram, app.lp_buf, sizeof(app.lp_buf), LP_ROW), 0);
    assert_int_equal(
        cosem_profile_ram_rows_init(&app.ev_ram, app.ev_buf, sizeof(app.ev_buf), EV_ROW), 0);
    assert_int_equal(
        cosem_profile_ram_rows_init(&app.var_ram, app.var_buf, sizeof(app.var_buf), VAR_ROW), 0);
    assert_int_equal(
        cosem_profile_ram_rows_init(&app.al_ram, app.al_buf, sizeof(app.al_buf), AL_ROW), 0);
    ram_ops = app.al_ram.rows.ops;
    counted = (cosem_profile_rows_t){&counting_ops, &app.al_ram, AL_ROW};
    reads = 0;
    LP = find((const uint8_t[]){LN_LP});
    EV = find((const uint8_t[]){LN_EV});
    VAR = find((const uint8_t[]){LN_VAR});
    AL = find((const uint8_t[]){LN_AL});
    assert_int_equal(cosem_profile_init(&srv, LP, NULL), 0);
    assert_int_equal(cosem_profile_init(&srv, EV, NULL), 0);
    assert_int_equal(cosem_profile_init(&srv, VAR, NULL), 0);
    assert_int_equal(cosem_profile_init(&srv, AL, &counted), 0);
    return 0;
}

/* ---- service helpers ------------------------------------------------------------------------ */

static dlms_assoc_view_t view(void) {
    dlms_assoc_view_t v;
    memset(&v, 0, sizeof(v));
    v.client_sap = 1;
    v.server_sap = 1;
    v.status = DLMS_ASSOC_ASSOCIATED;
    v.ciphered = true;
    return v;
}

static uint8_t out[64 * 1024];
static size_t out_len;

static int get_sel(const cosem_object_t *o, int8_t attr, uint8_t selector, const uint8_t *prm,
                   size_t n) {
    dlms_assoc_view_t v = view();
    dlms_cosem_descriptor_t d = {o->cls->class_id, {0}, attr};
    memcpy(d.instance_id, o->ln, 6);
    dlms_access_selection_t sel = {selector != 0, selector, {prm, n}};
    dlms_get_call_t call;
    memset(&call, 0, sizeof(call));
    call.assoc = &v;
    call.attr = &d;
    call.selection = &sel;
    call.first_call = true;
    axdr_enc_t e;
    axdr_enc_init(&e, out, sizeof(out));
    int rc = cosem_get(&srv, &call, &e);
    out_len = e.len;
    return rc;
}

static int get(const cosem_object_t *o, int8_t attr) {
    return get_sel(o, attr, 0, NULL, 0);
}

static void expect(const cosem_object_t *o, int8_t attr, const uint8_t *exp, size_t n) {
    assert_int_equal(get(o, attr), 0);
    assert_int_equal(out_len, n);
    assert_memory_equal(out, exp, n);
}

static int set(const cosem_object_t *o, int8_t attr, const uint8_t *value, size_t n) {
    dlms_assoc_view_t v = view();
    dlms_cosem_descriptor_t d = {o->cls->class_id, {0}, attr};
    memcpy(d.instance_id, o->ln, 6);
    dlms_access_selection_t none = {false, 0, {NULL, 0}};
    axdr_dec_t dec;
    axdr_dec_init(&dec, value, n);
    return cosem_set(&srv, &v, &d, &none, &dec);
}

static int action(const cosem_object_t *o, int8_t method, const uint8_t *params, size_t n) {
    dlms_assoc_view_t v = view();
    dlms_cosem_descriptor_t d = {o->cls->class_id, {0}, method};
    memcpy(d.instance_id, o->ln, 6);
    axdr_dec_t dec;
    axdr_dec_init(&dec, params, n);
    uint8_t ret[16];
    axdr_enc_t e;
    axdr_enc_init(&e, ret, sizeof(ret));
    bool has_ret = true;
    int rc = cosem_action(&srv, &v, &d, params != NULL ? &dec : NULL, &e, &has_ret);
    assert_false(has_ret);
    return rc;
}

static uint32_t entries_in_use(const cosem_object_t *o) {
    assert_int_equal(get(o, 7), 0);
    assert_int_equal(out_len, 5);
    return ((uint32_t)out[1] << 24) | ((uint32_t)out[2] << 16) | ((uint32_t)out[3] << 8) | out[4];
}

/* The 12 bytes of the local date-time of utc (CET rules). */
static void dt_of(int64_t utc, uint8_t b[12]) {
    cosem_datetime_t dt;
    assert_int_equal(cosem_local_datetime(&srv, utc, &dt), 0);
    cosem_datetime_pack(&dt, b);
}

/* UTC of a 09 0C date-time column at p. */
static int64_t instant_at(const uint8_t *p) {
    assert_int_equal(p[0], AXDR_OCTET_STRING);
    assert_int_equal(p[1], 12);
    cosem_datetime_t dt;
    cosem_datetime_unpack(p + 2, &dt);
    int64_t utc = 0;
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), 0);
    return utc;
}

/* Entry descriptor parameters. */
static size_t entry_params(uint8_t *buf, uint32_t from, uint32_t to, uint16_t c0, uint16_t c1) {
    dlms_entry_descriptor_t ed = {from, to, c0, c1};
    axdr_enc_t e;
    axdr_enc_init(&e, buf, 32);
    assert_int_equal(dlms_entry_descriptor_put(&e, &ed), 0);
    return e.len;
}

static int get_entries(const cosem_object_t *o, uint32_t from, uint32_t to, uint16_t c0,
                       uint16_t c1) {
    uint8_t prm[32];
    size_t n = entry_params(prm, from, to, c0, c1);
    return get_sel(o, 2, DLMS_ACCESS_SELECTOR_ENTRY, prm, n);
}

/* A date-time Data (09 0C ...) for a range bound. */
static dlms_slice_t dt_data(uint8_t buf[14], const cosem_datetime_t *dt) {
    buf[0] = AXDR_OCTET_STRING;
    buf[1] = 12;
    cosem_datetime_pack(dt, buf + 2);
    return (dlms_slice_t){buf, 14};
}

static int get_range(const cosem_object_t *o, const dlms_capture_object_t *restricting,
                     dlms_slice_t from, dlms_slice_t to, const dlms_capture_object_t *cols,
                     uint32_t ncols) {
    static uint8_t prm[1024];
    axdr_enc_t e;
    axdr_enc_init(&e, prm, sizeof(prm));
    assert_int_equal(dlms_range_descriptor_put(&e, restricting, from, to, cols, ncols), 0);
    return get_sel(o, 2, DLMS_ACCESS_SELECTOR_RANGE, prm, e.len);
}

/* The load profile captured at T, T+900, ... with A+ = 1000 + 10 i. */
static void fill_lp(uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        app.a_plus = 1000 + 10u * i;
        app.amr = (uint8_t)(i & 0x0F);
        assert_int_equal(cosem_profile_capture(&srv, LP, T + 900 * (int64_t)i), 0);
    }
}

/* Bytes of LP row i as fill_lp() made it. */
static size_t lp_row(uint32_t i, uint8_t *b) {
    uint64_t a = 1000 + 10u * i;
    size_t n = 0;
    b[n++] = AXDR_STRUCTURE;
    b[n++] = 4;
    b[n++] = AXDR_OCTET_STRING;
    b[n++] = 12;
    dt_of(T + 900 * (int64_t)i, b + n);
    n += 12;
    b[n++] = AXDR_UNSIGNED;
    b[n++] = (uint8_t)(i & 0x0F);
    b[n++] = AXDR_LONG64_UNSIGNED;
    for (int k = 7; k >= 0; k--) {
        b[n++] = (uint8_t)(a >> (8 * k));
    }
    b[n++] = AXDR_DOUBLE_LONG_UNSIGNED;
    b[n++] = 0;
    b[n++] = 0;
    b[n++] = 0;
    b[n++] = 7;
    return n;
}

/* ---- RAM ring ---------------------------------------------------------------------------------
 */

static void test_ram_rows(void **state) {
    (void)state;
    cosem_profile_ram_rows_t r;
    uint8_t buf[3 * 4 + 2];
    uint8_t row[4];
    assert_int_equal(cosem_profile_ram_rows_init(NULL, buf, sizeof(buf), 4),
                     COSEM_ERR_PROFILE_BADARG);
    assert_int_equal(cosem_profile_ram_rows_init(&r, buf, sizeof(buf), 2),
                     COSEM_ERR_PROFILE_ROW_SIZE);
    assert_int_equal(
        cosem_profile_ram_rows_init(&r, buf, sizeof(buf), EM_COSEM_PROFILE_MAX_ROW + 1),
        COSEM_ERR_PROFILE_ROW_SIZE);
    assert_int_equal(cosem_profile_ram_rows_init(&r, buf, 3, 4), COSEM_ERR_PROFILE_CAPACITY);
    assert_int_equal(cosem_profile_ram_rows_init(&r, buf, sizeof(buf), 4), 0);
    const cosem_profile_rows_ops_t *o = r.rows.ops;
    assert_ptr_equal(r.rows.user, &r);
    assert_int_equal(o->capacity(&r), 3);
    assert_int_equal(o->count(&r), 0);
    assert_int_equal(o->read(&r, 0, row), COSEM_ERR_PROFILE_INDEX);
    for (uint8_t i = 1; i <= 5; i++) {
        uint8_t w[4] = {i, i, i, i};
        assert_int_equal(o->append(&r, w), 0);
        assert_int_equal(o->count(&r), i < 3 ? i : 3);
    }
    /* rows 3, 4, 5 remain, the oldest first */
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(o->read(&r, i, row), 0);
        assert_memory_equal(row, ((const uint8_t[]){3 + i, 3 + i, 3 + i, 3 + i}), 4);
    }
    assert_int_equal(o->read(&r, 3, row), COSEM_ERR_PROFILE_INDEX);
    assert_int_equal(o->clear(&r), 0);
    assert_int_equal(o->count(&r), 0);
    assert_string_equal(cosem_profile_strerror(COSEM_ERR_PROFILE_CAPACITY),
                        "profile entries exceed the row storage");
    assert_string_equal(cosem_profile_strerror(-1), "unknown error");
}

/* ---- attributes ------------------------------------------------------------------------------ */

static void test_attributes(void **state) {
    (void)state;
    expect(EV, 1, BYTES(0x09, 0x06, 0, 0, 99, 98, 0, 255));
    expect(EV, 3,
           BYTES(0x01, 0x02, /* array */
                 0x02, 0x04, 0x12, 0x00, 0x08, 0x09, 0x06, 0, 0, 1, 0, 0, 255, 0x0F, 0x02, 0x12,
                 0x00, 0x00, /* clock, attr 2 */
                 0x02, 0x04, 0x12, 0x00, 0x01, 0x09, 0x06, 0, 0, 96, 11, 0, 255, 0x0F, 0x02, 0x12,
                 0x00, 0x00)); /* event code */
    expect(EV, 4, BYTES(0x06, 0, 0, 0, 0));
    expect(LP, 4, BYTES(0x06, 0, 0, 0x03, 0x84));
    expect(EV, 5, BYTES(0x16, 0x01));
    expect(EV, 6, BYTES(0x02, 0x04, 0x12, 0, 0, 0x09, 0x06, 0, 0, 0, 0, 0, 0, 0x0F, 0, 0x12, 0, 0));
    expect(EV, 7, BYTES(0x06, 0, 0, 0, 0));
    expect(EV, 8, BYTES(0x06, 0, 0, 0, 100));
    expect(EV, 2, BYTES(0x01, 0x00));
    /* entries_in_use and sort_object are read-only; buffer too */
    assert_int_equal(set(EV, 7, BYTES(0x06, 0, 0, 0, 1)), DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(set(EV, 2, BYTES(0x01, 0x00)), DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(
        set(EV, 6,
            BYTES(0x02, 0x04, 0x12, 0, 0, 0x09, 0x06, 0, 0, 0, 0, 0, 0, 0x0F, 0, 0x12, 0, 0)),
        DLMS_DAR_READ_WRITE_DENIED);
    /* selective access only on the buffer, only selectors 1 and 2 */
    uint8_t prm[32];
    size_t n = entry_params(prm, 1, 0, 0, 0);
    assert_int_equal(get_sel(EV, 3, DLMS_ACCESS_SELECTOR_ENTRY, prm, n),
                     DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
    assert_int_equal(get_sel(EV, 2, 3, prm, n), DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
    assert_null(cosem_profile_state(&srv, find((const uint8_t[]){LN_CLOCK})));
    assert_int_equal(cosem_profile_capture(&srv, find((const uint8_t[]){LN_CLOCK}), T),
                     COSEM_ERR_PROFILE_BADARG);
}

/* ---- capture ------------------------------------------------------------------------------- */

static void test_capture_at_boundaries(void **state) {
    (void)state;
    cosem_profile_state_t *st = cosem_profile_state(&srv, LP);
    int captures = 0;
    /* the first tick only arms; then every second up to T + 1801 */
    for (int64_t t = T - 3; t <= T + 1801; t++) {
        app.a_plus = (uint64_t)(1000 + (t - T));
        int rc = cosem_profile_tick(&srv, LP, t);
        assert_true(rc == 0 || rc == 1);
        if (rc == 1) {
            assert_int_equal((t - T) % 900, 0);
            captures++;
        }
    }
    assert_int_equal(captures, 3);
    assert_int_equal(st->entries_in_use, 3);
    assert_int_equal(entries_in_use(LP), 3);
    /* the first row, byte by byte: 13:00:00 CET, deviation -60, status 0 */
    assert_int_equal(get_entries(LP, 1, 1, 0, 0), 0);
    assert_int_equal(out_len, 2 + LP_ROW);
    assert_memory_equal(
        out,
        ((const uint8_t[]){0x01, 0x01, 0x02, 0x04, 0x09, 0x0C, 0x07, 0xE8, 0x01, 0x0F, 0x01, 0x0D,
                           0x00, 0x00, 0x00, 0xFF, 0xC4, 0x00, 0x11, 0x00, 0x15, 0,    0,    0,
                           0,    0,    0,    0x03, 0xE8, 0x06, 0,    0,    0,    7}),
        2 + LP_ROW);
    /* a late tick stamps the boundary it crossed, not its own second */
    assert_int_equal(cosem_profile_tick(&srv, LP, T + 2690), 0);
    assert_int_equal(cosem_profile_tick(&srv, LP, T + 2707), 1);
    assert_int_equal(get_entries(LP, 4, 4, 1, 1), 0); /* the newest row, clock column */
    assert_int_equal(out_len, 2 + 2 + 14);
    assert_int_equal(instant_at(out + 4), T + 2700);
    /* the clock set back: nothing until the next boundary */
    assert_int_equal(cosem_profile_tick(&srv, LP, T + 1000), 0);
    assert_int_equal(cosem_profile_tick(&srv, LP, T + 1799), 0);
    assert_int_equal(cosem_profile_tick(&srv, LP, T + 1800), 1);
    /* set forward over several periods: one capture at the boundary reached */
    assert_int_equal(cosem_profile_tick(&srv, LP, T + 9000 + 450), 1);
    assert_int_equal(entries_in_use(LP), 6);
    assert_int_equal(get_entries(LP, 6, 6, 1, 1), 0);
    assert_int_equal(instant_at(out + 4), T + 9000);
    /* asynchronous profiles ignore ticks */
    assert_int_equal(cosem_profile_tick(&srv, EV, T), 0);
    assert_int_equal(cosem_profile_tick(&srv, EV, T + 86400), 0);
    assert_int_equal(entries_in_use(EV), 0);
}

/* Captures of a 900 s profile ticked every 30 s between a and b: the UTC
 * instants of its rows, checked to be one period apart. */
static uint32_t tick_span(const cosem_object_t *o, int64_t a, int64_t b, int64_t period) {
    for (int64_t t = a; t <= b; t += 30) {
        assert_true(cosem_profile_tick(&srv, o, t) >= 0);
    }
    uint32_t n = entries_in_use(o);
    assert_int_equal(get_entries(o, 1, 0, 1, 1), 0);
    int64_t prev = 0;
    for (uint32_t i = 0; i < n; i++) {
        int64_t t = instant_at(out + 2 + i * 16 + 2);
        if (i > 0) {
            assert_int_equal(t - prev, period);
        }
        prev = t;
    }
    return n;
}

static void test_dst_and_daily(void **state) {
    (void)state;
    /* DST ends 2024-10-27 01:00 UTC (03:00 CEST -> 02:00 CET): from 23:00
     * UTC to 03:00 UTC the 15-minute profile has 16 rows, 900 s apart in
     * UTC, with the local hour 02 twice. */
    const int64_t oct26_23 = 1729983600; /* 2024-10-26 23:00:00 UTC */
    assert_int_equal(set(AL, 4, BYTES(0x06, 0, 0, 0x03, 0x84)), 0);
    assert_int_equal(tick_span(AL, oct26_23 - 10, oct26_23 + 4 * 3600 - 10, 900), 16);
    /* DST begins 2024-03-31 01:00 UTC: 02:00 CET is 03:00 CEST */
    const int64_t mar30_23 = 1711839600; /* 2024-03-30 23:00:00 UTC */
    assert_int_equal(set(AL, 4, BYTES(0x06, 0, 0, 0x03, 0x84)), 0);
    assert_int_equal(tick_span(AL, mar30_23 - 10, mar30_23 + 4 * 3600 - 10, 900), 16);
    assert_int_equal(get_entries(AL, 9, 9, 1, 1), 0);
    assert_memory_equal(out + 4,
                        ((const uint8_t[]){0x09, 0x0C, 0x07, 0xE8, 0x03, 0x1F, 0x07, 0x03, 0x00,
                                           0x00, 0x00, 0xFF, 0x88, 0x80}),
                        14); /* 03:00 CEST, deviation -120, DST bit */
    /* daily values: at local midnight (23:00 UTC in winter, 22:00 in summer) */
    assert_int_equal(set(AL, 4, BYTES(0x06, 0, 0x01, 0x51, 0x80)), 0);
    const int64_t jan1 = 1704067200; /* 2024-01-01 00:00 UTC */
    for (int64_t t = jan1; t < jan1 + 3 * 86400; t += 60) {
        assert_true(cosem_profile_tick(&srv, AL, t) >= 0);
    }
    assert_int_equal(entries_in_use(AL), 3);
    assert_int_equal(get_entries(AL, 1, 0, 1, 1), 0);
    assert_int_equal(instant_at(out + 4), jan1 + 23 * 3600);
    assert_int_equal(instant_at(out + 4 + 16), jan1 + 86400 + 23 * 3600);
}

static void test_fifo_and_entries(void **state) {
    (void)state;
    for (uint32_t i = 0; i < 130; i++) {
        app.event_code = (uint8_t)i;
        assert_int_equal(cosem_profile_capture(&srv, EV, T + i), 0);
    }
    assert_int_equal(entries_in_use(EV), 100);
    /* oldest is event 30, newest 129 */
    assert_int_equal(get_entries(EV, 1, 1, 2, 2), 0);
    assert_memory_equal(out, ((const uint8_t[]){0x01, 0x01, 0x02, 0x01, 0x11, 30}), 6);
    assert_int_equal(get_entries(EV, 0, 0, 2, 0), 0); /* from 0 read as 1: all rows */
    assert_int_equal(out[1], 100);
    assert_int_equal(get_entries(EV, 100, 0, 2, 2), 0); /* to 0: the last */
    assert_memory_equal(out, ((const uint8_t[]){0x01, 0x01, 0x02, 0x01, 0x11, 129}), 6);
    /* profile_entries below the capacity: only the newest rows show */
    assert_int_equal(set(EV, 8, BYTES(0x06, 0, 0, 0, 10)), 0);
    assert_int_equal(entries_in_use(EV), 10);
    assert_int_equal(get_entries(EV, 1, 1, 2, 2), 0);
    assert_int_equal(out[5], 120);
    app.event_code = 200;
    assert_int_equal(cosem_profile_capture(&srv, EV, T + 500), 0);
    assert_int_equal(entries_in_use(EV), 10);
    assert_int_equal(get_entries(EV, 1, 1, 2, 2), 0);
    assert_int_equal(out[5], 121);
    /* raising it again shows no hidden row; captures grow it */
    assert_int_equal(set(EV, 8, BYTES(0x06, 0, 0, 0, 100)), 0);
    assert_int_equal(entries_in_use(EV), 10);
    assert_int_equal(cosem_profile_capture(&srv, EV, T + 501), 0);
    assert_int_equal(entries_in_use(EV), 11);
    assert_int_equal(get_entries(EV, 1, 1, 2, 2), 0);
    assert_int_equal(out[5], 121);
    /* refused sizes */
    assert_int_equal(set(EV, 8, BYTES(0x06, 0, 0, 0, 0)), DLMS_DAR_OTHER_REASON);
    assert_int_equal(set(EV, 8, BYTES(0x06, 0, 0, 0, 101)), DLMS_DAR_OTHER_REASON);
    assert_int_equal(set(EV, 8, BYTES(0x12, 0, 10)), DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(entries_in_use(EV), 11);
}

static void test_methods(void **state) {
    (void)state;
    fill_lp(5);
    assert_int_equal(entries_in_use(LP), 5);
    /* reset with data integer(0) */
    assert_int_equal(action(LP, 1, BYTES(0x0F, 0x00)), 0);
    assert_int_equal(entries_in_use(LP), 0);
    expect(LP, 2, BYTES(0x01, 0x00));
    /* capture (method 2) stamps the RTC time */
    app.rtc = T + 123;
    app.a_plus = 5555;
    app.amr = 0;
    assert_int_equal(action(LP, 2, BYTES(0x0F, 0x00)), 0);
    assert_int_equal(action(LP, 2, NULL, 0), 0);
    assert_int_equal(entries_in_use(LP), 2);
    assert_int_equal(get_entries(LP, 1, 1, 1, 3), 0);
    assert_int_equal(instant_at(out + 4), T + 123);
    assert_memory_equal(out + 18, ((const uint8_t[]){0x11, 0, 0x15, 0, 0, 0, 0, 0, 0, 0x15, 0xB3}),
                        11);
    /* wrong parameters */
    assert_int_equal(action(LP, 1, BYTES(0x09, 0x01, 0x00)), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(entries_in_use(LP), 2);
    assert_int_equal(cosem_profile_reset(&srv, LP), 0);
    assert_int_equal(entries_in_use(LP), 0);
}

static void test_event_log(void **state) {
    (void)state;
    app.event_code = 1; /* power down */
    assert_int_equal(cosem_profile_capture(&srv, EV, T + 30), 0);
    app.event_code = 2; /* power up */
    assert_int_equal(cosem_profile_capture(&srv, EV, T + 3600 * 5 + 7), 0);
    expect(EV, 2,
           BYTES(0x01, 0x02, 0x02, 0x02, 0x09, 0x0C, 0x07, 0xE8, 0x01, 0x0F, 0x01, 0x0D, 0x00, 0x1E,
                 0x00, 0xFF, 0xC4, 0x00, 0x11, 0x01, 0x02, 0x02, 0x09, 0x0C, 0x07, 0xE8, 0x01, 0x0F,
                 0x01, 0x12, 0x00, 0x07, 0x00, 0xFF, 0xC4, 0x00, 0x11, 0x02));
    expect(EV, 7, BYTES(0x06, 0, 0, 0, 2));
}

/* ---- SET ----------------------------------------------------------------------------------- */

/* An encoded capture_objects array. */
static size_t capture_list(uint8_t *buf, size_t cap, const dlms_capture_object_t *cols,
                           uint32_t n) {
    axdr_enc_t e;
    axdr_enc_init(&e, buf, cap);
    axdr_put_array(&e, n);
    for (uint32_t i = 0; i < n; i++) {
        dlms_capture_object_put(&e, &cols[i]);
    }
    assert_int_equal(e.err, 0);
    return e.len;
}

static void channel(dlms_capture_object_t *co, uint8_t i) {
    *co = (dlms_capture_object_t)CO(3, 2, 1, 1, 128, 7, 0, 255);
    co->logical_name[4] = i;
}

static void test_set_capture_objects(void **state) {
    (void)state;
    static uint8_t v[1024], orig[1024];
    dlms_capture_object_t cols[EM_COSEM_PROFILE_MAX_COLUMNS + 2];
    for (uint32_t i = 0; i < 5; i++) {
        assert_int_equal(cosem_profile_capture(&srv, AL, T + 60 * (int64_t)i), 0);
    }
    assert_int_equal(entries_in_use(AL), 5);
    /* the analysis logger: clock + 23 channels (24 columns), set over DLMS */
    cols[0] = (dlms_capture_object_t)CO(8, 2, LN_CLOCK);
    for (uint8_t i = 0; i < CHANNELS - 1; i++) {
        channel(&cols[1 + i], i);
        app.chan[i] = 100u * i;
    }
    size_t n = capture_list(orig, sizeof(orig), cols, CHANNELS);
    assert_int_equal(set(AL, 3, orig, n), 0);
    assert_int_equal(entries_in_use(AL), 0); /* the Blue Book rule: cleared */
    expect(AL, 3, orig, n);
    assert_int_equal(cosem_profile_capture(&srv, AL, T), 0);
    assert_int_equal(get(AL, 2), 0);
    assert_int_equal(out_len, 2 + 2 + 14 + 23 * 5);
    assert_memory_equal(out + 2, ((const uint8_t[]){0x02, 24}), 2);
    assert_memory_equal(out + 2 + 2 + 14 + 22 * 5, ((const uint8_t[]){0x06, 0, 0, 0x08, 0x98}), 5);
    /* refusals keep the list and the rows */
    size_t bad;
    cols[1] = (dlms_capture_object_t)CO(3, 2, 9, 9, 9, 9, 9, 9); /* no such object */
    bad = capture_list(v, sizeof(v), cols, 2);
    assert_int_equal(set(AL, 3, v, bad), DLMS_DAR_OTHER_REASON);
    cols[1] = (dlms_capture_object_t)CO(1, 2, LN_APLUS); /* wrong class */
    bad = capture_list(v, sizeof(v), cols, 2);
    assert_int_equal(set(AL, 3, v, bad), DLMS_DAR_OTHER_REASON);
    cols[1] = (dlms_capture_object_t)CO(3, 4, LN_APLUS); /* no attribute 4 in a register */
    bad = capture_list(v, sizeof(v), cols, 2);
    assert_int_equal(set(AL, 3, v, bad), DLMS_DAR_OTHER_REASON);
    cols[1] = (dlms_capture_object_t)CO(3, 0, LN_APLUS);
    bad = capture_list(v, sizeof(v), cols, 2);
    assert_int_equal(set(AL, 3, v, bad), DLMS_DAR_OTHER_REASON);
    cols[1] = (dlms_capture_object_t)CO(7, 2, LN_LP); /* a profile buffer */
    bad = capture_list(v, sizeof(v), cols, 2);
    assert_int_equal(set(AL, 3, v, bad), DLMS_DAR_OTHER_REASON);
    cols[1] = (dlms_capture_object_t)CO(7, 2, LN_AL); /* its own buffer */
    bad = capture_list(v, sizeof(v), cols, 2);
    assert_int_equal(set(AL, 3, v, bad), DLMS_DAR_OTHER_REASON);
    for (uint8_t i = 0; i < EM_COSEM_PROFILE_MAX_COLUMNS; i++) {
        channel(&cols[1 + i], (uint8_t)(i % CHANNELS));
    }
    /* one column more than EM_COSEM_PROFILE_MAX_COLUMNS */
    bad = capture_list(v, sizeof(v), cols, EM_COSEM_PROFILE_MAX_COLUMNS + 1);
    assert_int_equal(set(AL, 3, v, bad), DLMS_DAR_OTHER_REASON);
    assert_int_equal(set(AL, 3, BYTES(0x01, 0x00)), DLMS_DAR_OTHER_REASON); /* empty */
    assert_int_equal(set(AL, 3, BYTES(0x02, 0x00)), DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(set(AL, 3,
                         BYTES(0x01, 0x01, 0x02, 0x03, 0x12, 0x00, 0x08, 0x09, 0x06, 0, 0, 1, 0, 0,
                               255, 0x0F, 0x02)),
                     DLMS_DAR_TYPE_UNMATCHED); /* a definition of 3 elements */
    /* too wide for the event log's 20-byte rows: clock 14 + long64 9 */
    cols[0] = (dlms_capture_object_t)CO(8, 2, LN_CLOCK);
    cols[1] = (dlms_capture_object_t)CO(3, 2, LN_APLUS);
    bad = capture_list(v, sizeof(v), cols, 2);
    assert_int_equal(set(EV, 3, v, bad), DLMS_DAR_OTHER_REASON);
    assert_int_equal(entries_in_use(AL), 1);
    expect(AL, 3, orig, n);
}

static void test_set_period_and_sort(void **state) {
    (void)state;
    fill_lp(3);
    assert_int_equal(set(LP, 4, BYTES(0x06, 0, 0, 0x07, 0x08)), 0); /* 1800 s */
    assert_int_equal(entries_in_use(LP), 0);
    expect(LP, 4, BYTES(0x06, 0, 0, 0x07, 0x08));
    assert_int_equal(set(LP, 4, BYTES(0x12, 0x07, 0x08)), DLMS_DAR_TYPE_UNMATCHED);
    fill_lp(2);
    assert_int_equal(set(LP, 5, BYTES(0x16, 0x01)), 0); /* FIFO stays, rows stay */
    assert_int_equal(entries_in_use(LP), 2);
    for (uint8_t m = 2; m <= 6; m++) {
        assert_int_equal(set(LP, 5, ((const uint8_t[]){0x16, m}), 2), DLMS_DAR_OTHER_REASON);
    }
    assert_int_equal(set(LP, 5, BYTES(0x11, 0x01)), DLMS_DAR_TYPE_UNMATCHED);
    expect(LP, 5, BYTES(0x16, 0x01));
    assert_int_equal(entries_in_use(LP), 2);
}

/* ---- selective access ------------------------------------------------------------------------ */

static void test_entry_selection(void **state) {
    (void)state;
    uint8_t row[64];
    fill_lp(10);
    /* rows 3..5, all columns */
    assert_int_equal(get_entries(LP, 3, 5, 0, 0), 0);
    assert_int_equal(out_len, 2 + 3 * LP_ROW);
    assert_memory_equal(out, ((const uint8_t[]){0x01, 0x03}), 2);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(lp_row(2 + i, row), LP_ROW);
        assert_memory_equal(out + 2 + i * LP_ROW, row, LP_ROW);
    }
    /* 0 = last, columns 3..0 (= 3..4) */
    assert_int_equal(get_entries(LP, 10, 0, 3, 0), 0);
    assert_memory_equal(out,
                        ((const uint8_t[]){0x01, 0x01, 0x02, 0x02, 0x15, 0, 0, 0, 0, 0, 0, 0x04,
                                           0x42, 0x06, 0, 0, 0, 7}),
                        18);
    /* to beyond the end is cut; from beyond the end is empty */
    assert_int_equal(get_entries(LP, 9, 500, 2, 2), 0);
    assert_memory_equal(
        out, ((const uint8_t[]){0x01, 0x02, 0x02, 0x01, 0x11, 8, 0x02, 0x01, 0x11, 9}), 10);
    assert_int_equal(get_entries(LP, 11, 0, 0, 0), 0);
    assert_int_equal(out_len, 2);
    assert_memory_equal(out, ((const uint8_t[]){0x01, 0x00}), 2);
    assert_int_equal(get_entries(LP, 0xFFFFFFFFu, 0xFFFFFFFFu, 1, 9), 0);
    assert_memory_equal(out, ((const uint8_t[]){0x01, 0x00}), 2);
    /* a "to" column beyond the columns is cut */
    assert_int_equal(get_entries(LP, 1, 1, 4, 200), 0);
    assert_memory_equal(out, ((const uint8_t[]){0x01, 0x01, 0x02, 0x01, 0x06, 0, 0, 0, 7}), 9);
    /* hostile: from > to, columns out of range, malformed */
    assert_int_equal(get_entries(LP, 5, 3, 0, 0), DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
    assert_int_equal(get_entries(LP, 1, 0, 3, 2), DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
    assert_int_equal(get_entries(LP, 1, 0, 5, 0), DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
    assert_int_equal(get_entries(LP, 1, 0, 0xFFFF, 0xFFFF), DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
    assert_int_equal(get_sel(LP, 2, DLMS_ACCESS_SELECTOR_ENTRY,
                             BYTES(0x02, 0x03, 0x06, 0, 0, 0, 1, 0x06, 0, 0, 0, 0, 0x12, 0, 0)),
                     DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(
        get_sel(LP, 2, DLMS_ACCESS_SELECTOR_ENTRY,
                BYTES(0x02, 0x04, 0x12, 0, 1, 0x06, 0, 0, 0, 0, 0x12, 0, 0, 0x12, 0, 0)),
        DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(get_sel(LP, 2, DLMS_ACCESS_SELECTOR_ENTRY, BYTES(0x00)),
                     DLMS_DAR_TYPE_UNMATCHED);
    /* an entry descriptor offered to the range selector and the reverse */
    uint8_t prm[32];
    size_t n = entry_params(prm, 1, 0, 0, 0);
    assert_int_equal(get_sel(LP, 2, DLMS_ACCESS_SELECTOR_RANGE, prm, n), DLMS_DAR_TYPE_UNMATCHED);
}

static const dlms_capture_object_t clock_co = CO(8, 2, LN_CLOCK);
static const dlms_capture_object_t aplus_co = CO(3, 2, LN_APLUS);

/* Local (CET) date-time pattern of T + s with the given deviation/status. */
static cosem_datetime_t local_dt(int64_t s, bool unspecified_extras) {
    cosem_datetime_t dt;
    assert_int_equal(cosem_local_datetime(&srv, T + s, &dt), 0);
    if (unspecified_extras) {
        dt.deviation = COSEM_DT_DEVIATION_NOT_SPECIFIED;
        dt.clock_status = COSEM_CLOCK_STATUS_NOT_SPECIFIED;
        dt.hundredths = COSEM_DT_NOT_SPECIFIED;
        dt.day_of_week = COSEM_DT_NOT_SPECIFIED;
    }
    return dt;
}

static void test_range_selection(void **state) {
    (void)state;
    uint8_t a[14], b[14], row[64];
    fill_lp(10);
    /* [T+900, T+2700] inclusive, deviation/status/hundredths not specified */
    cosem_datetime_t from = local_dt(900, true), to = local_dt(2700, true);
    assert_int_equal(get_range(LP, &clock_co, dt_data(a, &from), dt_data(b, &to), NULL, 0), 0);
    assert_int_equal(out_len, 2 + 3 * LP_ROW);
    assert_memory_equal(out, ((const uint8_t[]){0x01, 0x03}), 2);
    for (uint32_t i = 0; i < 3; i++) {
        lp_row(1 + i, row);
        assert_memory_equal(out + 2 + i * LP_ROW, row, LP_ROW);
    }
    /* the same bounds with their deviation given (UTC-based comparison) */
    from = local_dt(900, false);
    to = local_dt(2700, false);
    assert_int_equal(get_range(LP, &clock_co, dt_data(a, &from), dt_data(b, &to), NULL, 0), 0);
    assert_int_equal(out[1], 3);
    /* "to" 13:45:FF reaches the whole minute; one second before "from" does not */
    to = local_dt(2700, true);
    to.second = COSEM_DT_NOT_SPECIFIED;
    from = local_dt(899, true);
    assert_int_equal(get_range(LP, &clock_co, dt_data(a, &from), dt_data(b, &to), NULL, 0), 0);
    assert_int_equal(out[1], 3);
    from = local_dt(901, true);
    assert_int_equal(get_range(LP, &clock_co, dt_data(a, &from), dt_data(b, &to), NULL, 0), 0);
    assert_int_equal(out[1], 2);
    /* columns in the order asked */
    const dlms_capture_object_t cols[] = {aplus_co, clock_co};
    from = local_dt(0, true);
    to = local_dt(0, true);
    assert_int_equal(get_range(LP, &clock_co, dt_data(a, &from), dt_data(b, &to), cols, 2), 0);
    uint8_t exp[32] = {0x01, 0x01, 0x02, 0x02, 0x15, 0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0x09, 0x0C};
    dt_of(T, exp + 15);
    assert_int_equal(out_len, 27);
    assert_memory_equal(out, exp, 27);
    /* empty: before all rows, after all rows, from > to */
    from = local_dt(-7200, true);
    to = local_dt(-3600, true);
    assert_int_equal(get_range(LP, &clock_co, dt_data(a, &from), dt_data(b, &to), NULL, 0), 0);
    assert_memory_equal(out, ((const uint8_t[]){0x01, 0x00}), 2);
    assert_int_equal(out_len, 2);
    from = local_dt(2700, true);
    to = local_dt(900, true);
    assert_int_equal(get_range(LP, &clock_co, dt_data(a, &from), dt_data(b, &to), NULL, 0), 0);
    assert_int_equal(out_len, 2);
    /* an integer column restricts too, with any integer type as bounds */
    uint8_t lo[5] = {0x06, 0, 0, 0x03, 0xFC}; /* 1020 */
    uint8_t hi[3] = {0x12, 0x04, 0x10};       /* 1040 */
    assert_int_equal(
        get_range(LP, &aplus_co, (dlms_slice_t){lo, 5}, (dlms_slice_t){hi, 3}, &aplus_co, 1), 0);
    assert_memory_equal(
        out, ((const uint8_t[]){0x01, 0x03, 0x02, 0x01, 0x15, 0, 0, 0, 0, 0, 0, 0x03, 0xFC}), 13);
    uint8_t neg[2] = {0x0F, 0x80}; /* -128 */
    assert_int_equal(
        get_range(LP, &aplus_co, (dlms_slice_t){neg, 2}, (dlms_slice_t){hi, 3}, &aplus_co, 1), 0);
    assert_int_equal(out[1], 5);
}

static void test_range_refusals(void **state) {
    (void)state;
    uint8_t a[14], b[14];
    fill_lp(3);
    cosem_datetime_t from = local_dt(0, true), to = local_dt(900, true);
    dlms_slice_t f = dt_data(a, &from), t = dt_data(b, &to);
    /* a restricting object or column that is not a capture object */
    const dlms_capture_object_t temp = CO(1, 2, LN_TEMP);
    const dlms_capture_object_t clock_tz = CO(8, 3, LN_CLOCK);
    dlms_capture_object_t clock_idx = clock_co;
    clock_idx.data_index = 1;
    assert_int_equal(get_range(LP, &temp, f, t, NULL, 0), DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
    assert_int_equal(get_range(LP, &clock_tz, f, t, NULL, 0), DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
    assert_int_equal(get_range(LP, &clock_idx, f, t, NULL, 0), DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
    assert_int_equal(get_range(LP, &clock_co, f, t, &temp, 1), DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
    dlms_capture_object_t many[EM_COSEM_PROFILE_MAX_COLUMNS + 1];
    for (size_t i = 0; i < COSEM_COUNT(many); i++) {
        many[i] = clock_co;
    }
    assert_int_equal(get_range(LP, &clock_co, f, t, many, EM_COSEM_PROFILE_MAX_COLUMNS), 0);
    assert_int_equal(get_range(LP, &clock_co, f, t, many, EM_COSEM_PROFILE_MAX_COLUMNS + 1),
                     DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
    /* bounds that are not comparable */
    uint8_t str[4] = {0x0A, 0x02, 'h', 'i'};
    uint8_t u[2] = {0x11, 0x05};
    uint8_t dt_short[7] = {0x09, 0x05, 0x07, 0xE8, 0x01, 0x0F, 0xFF};
    assert_int_equal(get_range(LP, &clock_co, (dlms_slice_t){str, 4}, t, NULL, 0),
                     DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(get_range(LP, &clock_co, f, (dlms_slice_t){u, 2}, NULL, 0),
                     DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(get_range(LP, &clock_co, (dlms_slice_t){dt_short, 7}, t, NULL, 0),
                     DLMS_DAR_TYPE_UNMATCHED);
    cosem_datetime_t no_year = from;
    no_year.year = COSEM_DT_YEAR_NOT_SPECIFIED;
    assert_int_equal(get_range(LP, &clock_co, dt_data(a, &no_year), t, NULL, 0),
                     DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
    cosem_datetime_t bad_month = from;
    bad_month.month = 13;
    assert_int_equal(get_range(LP, &clock_co, dt_data(a, &bad_month), t, NULL, 0),
                     DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
    /* an integer bound against a date-time column matches nothing */
    uint8_t lo[2] = {0x11, 0x00}, hi[9] = {0x15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    assert_int_equal(
        get_range(LP, &clock_co, (dlms_slice_t){lo, 2}, (dlms_slice_t){hi, 9}, NULL, 0), 0);
    assert_memory_equal(out, ((const uint8_t[]){0x01, 0x00}), 2);
    /* malformed descriptors */
    assert_int_equal(get_sel(LP, 2, DLMS_ACCESS_SELECTOR_RANGE, BYTES(0x02, 0x00)),
                     DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(get_sel(LP, 2, DLMS_ACCESS_SELECTOR_RANGE, BYTES(0x01, 0x00)),
                     DLMS_DAR_TYPE_UNMATCHED);
}

/* The clock went back between captures: a range picks only the rows whose
 * time lies inside it, in capture order. */
static void test_range_clock_back(void **state) {
    (void)state;
    static const int64_t at[] = {100, 200, 300, 150, 250, 400};
    uint8_t a[14], b[14];
    for (size_t i = 0; i < COSEM_COUNT(at); i++) {
        app.event_code = (uint8_t)i;
        assert_int_equal(cosem_profile_capture(&srv, EV, T + at[i]), 0);
    }
    cosem_datetime_t from = local_dt(140, false), to = local_dt(260, false);
    const dlms_capture_object_t code = CO(1, 2, LN_EVENT);
    assert_int_equal(get_range(EV, &clock_co, dt_data(a, &from), dt_data(b, &to), &code, 1), 0);
    assert_int_equal(out_len, 14);
    assert_memory_equal(out,
                        ((const uint8_t[]){0x01, 0x03, 0x02, 0x01, 0x11, 1, 0x02, 0x01, 0x11, 3,
                                           0x02, 0x01, 0x11, 4}),
                        14);
}

/* ---- streaming ------------------------------------------------------------------------------ */

/* One buffer read in progress, as the DLMS server keeps it. */
typedef struct reader {
    dlms_assoc_view_t view;
    dlms_cosem_descriptor_t desc;
    dlms_access_selection_t sel;
    uint8_t prm[64];
    dlms_get_call_t call;
    uint8_t dar;
} reader_t;

static void reader_init(reader_t *r, const cosem_object_t *o, uint8_t selector, const uint8_t *prm,
                        size_t n) {
    memset(r, 0, sizeof(*r));
    r->view = view();
    r->desc.class_id = 7;
    memcpy(r->desc.instance_id, o->ln, 6);
    r->desc.id = 2;
    assert_true(n <= sizeof(r->prm));
    if (n > 0) {
        memcpy(r->prm, prm, n);
    }
    r->sel = (dlms_access_selection_t){selector != 0, selector, {r->prm, n}};
    r->call.assoc = &r->view;
    r->call.attr = &r->desc;
    r->call.selection = &r->sel;
    r->call.first_call = true;
}

static int produce(void *user, axdr_enc_t *e) {
    reader_t *r = user;
    int rc = cosem_get(&srv, &r->call, e);
    r->call.first_call = false;
    if (rc > 0) {
        r->dar = (uint8_t)rc;
        return -0x0A7F; /* a DAR is not a length: carried beside, as the server does */
    }
    return rc;
}

/* A new read: the cookie starts all zero. */
static void fresh(reader_t *r) {
    memset(r->call.block_cookie, 0, sizeof(r->call.block_cookie));
    r->call.first_call = true;
    r->dar = 0;
}

static size_t single_shot(reader_t *r, uint8_t *buf, size_t cap) {
    fresh(r);
    axdr_enc_t e;
    axdr_enc_init(&e, buf, cap);
    assert_int_equal(produce(r, &e), 0);
    return e.len;
}

static uint8_t reference[64 * 1024];
static uint8_t reassembled[64 * 1024];

typedef struct stream_run {
    uint32_t blocks;
    unsigned max_reads;   /* most store reads of one block (get-request-next) */
    unsigned start_reads; /* store reads of the first response (measure + block 1) */
    int last_dar;         /* a DataBlock-G with a result ends the read: its DAR */
} stream_run_t;

/* Reads the buffer in blocks of max_pdu; `during` runs after block k. */
static stream_run_t read_stream(reader_t *r, size_t max_pdu, uint32_t k, void (*during)(void)) {
    static uint8_t apdu[2048];
    stream_run_t run = {0, 0, 0, -1};
    dlms_block_stream_t s;
    dlms_block_rx_t rx;
    dlms_block_rx_init(&rx, reassembled, sizeof(reassembled));
    fresh(r);
    reads = 0;
    int n = dlms_get_response_stream_start(&s, 0xC1, false, produce, r, max_pdu, apdu, max_pdu);
    run.start_reads = reads;
    for (;;) {
        assert_true(n > 0);
        dlms_get_response_t resp;
        assert_int_equal(dlms_get_response_decode(apdu, (size_t)n, &resp), 0);
        assert_int_equal(resp.type, DLMS_GET_RESPONSE_WITH_DATABLOCK);
        if (resp.block.is_result) {
            run.last_dar = resp.block.result;
            return run;
        }
        run.blocks++;
        int rc = dlms_block_rx_push(&rx, &resp.block);
        if (resp.block.last_block) {
            assert_int_equal(rc, 1);
            break;
        }
        assert_int_equal(rc, 0);
        if (run.blocks == k && during != NULL) {
            during();
        }
        reads = 0;
        n = dlms_get_response_stream_next(&s, 0xC1, resp.block.block_number, max_pdu, apdu,
                                          max_pdu);
        run.max_reads = reads > run.max_reads ? reads : run.max_reads;
    }
    assert_true(rx.complete);
    return run;
}

static void capture_one(void) {
    app.a_plus += 1;
    assert_int_equal(cosem_profile_capture(&srv, LP, T + 900 * 5000), 0);
}

static void capture_wider_note(void) {
    app.note_len = 9;
    memset(app.note, 'w', 9);
    assert_int_equal(cosem_profile_capture(&srv, VAR, T + 1000), 0);
}

static void reset_lp(void) {
    assert_int_equal(cosem_profile_reset(&srv, LP), 0);
}

static void test_stream_1440(void **state) {
    (void)state;
    /* the load profile through a counting store, wrapped once */
    counted_lp = (cosem_profile_rows_t){&counting_ops, &app.lp_ram, LP_ROW};
    assert_int_equal(cosem_profile_init(&srv, LP, &counted_lp), 0);
    fill_lp(LP_ROWS + 10);
    assert_int_equal(entries_in_use(LP), LP_ROWS);
    reader_t r;
    reader_init(&r, LP, 0, NULL, 0);
    size_t total = single_shot(&r, reference, sizeof(reference));
    assert_int_equal(total, 4 + LP_ROWS * LP_ROW); /* 01 82 05 A0 + rows */
    assert_memory_equal(reference, ((const uint8_t[]){0x01, 0x82, 0x05, 0xA0}), 4);
    uint8_t row[64];
    lp_row(10, row); /* the oldest kept row */
    assert_memory_equal(reference + 4, row, LP_ROW);
    lp_row(LP_ROWS + 9, row);
    assert_memory_equal(reference + total - LP_ROW, row, LP_ROW);

    stream_run_t run = read_stream(&r, 256, 0, NULL);
    assert_int_equal(run.last_dar, -1);
    assert_int_equal(run.blocks, (total + 244) / 245); /* 245 bytes of raw data per block */
    assert_memory_equal(reassembled, reference, total);
    /* measuring costs no read; a block reads at most the rows it carries */
    assert_true(run.start_reads <= 245 / LP_ROW + 2);
    assert_true(run.max_reads <= 245 / LP_ROW + 2);

    /* an entry selection with columns streams the same way */
    uint8_t prm[32];
    size_t n = entry_params(prm, 100, 1299, 2, 3);
    reader_init(&r, LP, DLMS_ACCESS_SELECTOR_ENTRY, prm, n);
    total = single_shot(&r, reference, sizeof(reference));
    assert_int_equal(total, 4 + 1200 * (2 + 2 + 9));
    run = read_stream(&r, 256, 0, NULL);
    assert_memory_equal(reassembled, reference, total);
    assert_true(run.max_reads <= 245 / 13 + 2);

    /* a range scans the restricting column once, at the first call */
    uint8_t a[14], b[14];
    cosem_datetime_t from = local_dt(900 * 20, true), to = local_dt(900 * 1019, true);
    axdr_enc_t e;
    uint8_t rp[64];
    axdr_enc_init(&e, rp, sizeof(rp));
    assert_int_equal(
        dlms_range_descriptor_put(&e, &clock_co, dt_data(a, &from), dt_data(b, &to), NULL, 0), 0);
    reader_init(&r, LP, DLMS_ACCESS_SELECTOR_RANGE, rp, e.len);
    total = single_shot(&r, reference, sizeof(reference));
    assert_int_equal(total, 4 + 1000 * LP_ROW);
    lp_row(20, row);
    assert_memory_equal(reference + 4, row, LP_ROW);
    run = read_stream(&r, 256, 0, NULL);
    assert_memory_equal(reassembled, reference, total);
    assert_true(run.start_reads <= LP_ROWS + 245 / LP_ROW + 2);
    assert_true(run.max_reads <= 245 / LP_ROW + 2);
}

static void test_capture_during_read(void **state) {
    (void)state;
    fill_lp(LP_ROWS + 3); /* full: every capture overwrites the oldest row */
    reader_t r;
    reader_init(&r, LP, 0, NULL, 0);
    size_t total = single_shot(&r, reference, sizeof(reference));
    stream_run_t run = read_stream(&r, 256, 40, capture_one);
    assert_int_equal(run.last_dar, -1);
    assert_memory_equal(reassembled, reference, total);
    assert_int_equal(entries_in_use(LP), LP_ROWS);
    /* not yet full: the new row is simply not part of this read */
    assert_int_equal(cosem_profile_reset(&srv, LP), 0);
    fill_lp(300);
    total = single_shot(&r, reference, sizeof(reference));
    assert_int_equal(total, 4 + 300 * LP_ROW); /* 01 82 01 2C */
    run = read_stream(&r, 256, 3, capture_one);
    assert_memory_equal(reassembled, reference, total);
    assert_int_equal(entries_in_use(LP), 301);
    /* a reset in the middle: the rows are gone, the read ends with a DAR */
    total = single_shot(&r, reference, sizeof(reference));
    run = read_stream(&r, 256, 3, reset_lp);
    assert_int_equal(run.last_dar, DLMS_DAR_LONG_GET_ABORTED);
    assert_int_equal(r.dar, DLMS_DAR_DATA_BLOCK_UNAVAILABLE);
}

/* Rows of different widths (a variable octet-string) go the slow way:
 * every row is read, and the blocks still equal the single shot. */
static void test_variable_rows(void **state) {
    (void)state;
    for (uint8_t i = 0; i < VAR_ROWS + 2; i++) {
        app.note_len = (uint8_t)(i * 3 % 40);
        memset(app.note, 'a' + i, app.note_len);
        assert_int_equal(cosem_profile_capture(&srv, VAR, T + i), 0);
    }
    assert_int_equal(entries_in_use(VAR), VAR_ROWS);
    reader_t r;
    reader_init(&r, VAR, 0, NULL, 0);
    size_t total = single_shot(&r, reference, sizeof(reference));
    size_t exp = 2;
    for (uint8_t i = 2; i < VAR_ROWS + 2; i++) {
        exp += 2 + 14 + 2 + (size_t)(i * 3 % 40);
    }
    assert_int_equal(total, exp);
    stream_run_t run = read_stream(&r, 64, 0, NULL);
    assert_int_equal(run.last_dar, -1);
    assert_memory_equal(reassembled, reference, total);
    /* entry selection over the variable rows: row 3 (note of 12 'e') */
    assert_int_equal(get_entries(VAR, 3, 3, 2, 2), 0);
    assert_int_equal(out_len, 2 + 2 + 2 + 12);
    assert_memory_equal(out + 4, ((const uint8_t[]){0x09, 12, 'e', 'e', 'e', 'e'}), 6);
}

/* ---- data_index, init, check ------------------------------------------------------------------
 */

static void test_data_index(void **state) {
    (void)state;
    uint8_t v[128];
    dlms_capture_object_t cols[3] = {CO(8, 2, LN_CLOCK), CO(1, 2, LN_ARRAY), CO(1, 2, LN_ARRAY)};
    cols[1].data_index = 2;
    cols[2].data_index = 9; /* beyond the array: captured as null-data */
    assert_int_equal(set(VAR, 3, v, capture_list(v, sizeof(v), cols, 3)), 0);
    assert_int_equal(cosem_profile_capture(&srv, VAR, T), 0);
    assert_int_equal(get_entries(VAR, 1, 1, 2, 3), 0);
    assert_memory_equal(out, ((const uint8_t[]){0x01, 0x01, 0x02, 0x02, 0x12, 0x00, 0x14, 0x00}),
                        8);
    /* the column is found by its data_index too */
    uint8_t a[14], b[14];
    cosem_datetime_t from = local_dt(0, true), to = local_dt(0, true);
    assert_int_equal(get_range(VAR, &clock_co, dt_data(a, &from), dt_data(b, &to), &cols[1], 1), 0);
    assert_memory_equal(out, ((const uint8_t[]){0x01, 0x01, 0x02, 0x01, 0x12, 0x00, 0x14}), 7);
    /* attribute 1 (logical name) as a column */
    cols[1] = (dlms_capture_object_t)CO(1, 1, LN_TEMP);
    assert_int_equal(set(VAR, 3, v, capture_list(v, sizeof(v), cols, 2)), 0);
    assert_int_equal(cosem_profile_capture(&srv, VAR, T), 0);
    assert_int_equal(get_entries(VAR, 1, 1, 2, 2), 0);
    assert_memory_equal(
        out, ((const uint8_t[]){0x01, 0x01, 0x02, 0x01, 0x09, 0x06, 0, 0, 96, 128, 10, 255}), 12);
}

static void test_init_and_adopt(void **state) {
    (void)state;
    fill_lp(5);
    /* a restart over the same store keeps its rows */
    assert_int_equal(cosem_profile_init(&srv, LP, NULL), 0);
    assert_int_equal(entries_in_use(LP), 5);
    uint8_t row[64];
    assert_int_equal(get_entries(LP, 5, 5, 0, 0), 0);
    lp_row(4, row);
    assert_memory_equal(out + 2, row, LP_ROW);
    /* rows of another layout are dropped */
    app.lp_buf[2 * LP_ROW + 1] = 40; /* the third row's length past its slot */
    assert_int_equal(cosem_profile_init(&srv, LP, NULL), 0);
    assert_int_equal(entries_in_use(LP), 0);
    /* a store too small for profile_entries, a row too short, no store */
    cosem_profile_ram_rows_t small;
    static uint8_t buf[10 * LP_ROW];
    assert_int_equal(cosem_profile_ram_rows_init(&small, buf, sizeof(buf), LP_ROW), 0);
    assert_int_equal(cosem_profile_init(&srv, LP, &small.rows), COSEM_ERR_PROFILE_CAPACITY);
    assert_int_equal(cosem_profile_ram_rows_init(&small, buf, sizeof(buf), 16), 0);
    assert_int_equal(cosem_profile_init(&srv, AL, &small.rows), COSEM_ERR_PROFILE_CAPACITY);
    assert_int_equal(cosem_profile_init(&srv, VAR, &small.rows), COSEM_ERR_PROFILE_FULL);
    assert_int_equal(cosem_profile_init(&srv, AL, NULL), COSEM_ERR_PROFILE_STORAGE);
    assert_int_equal(cosem_profile_init(&srv, find((const uint8_t[]){LN_TEMP}), NULL),
                     COSEM_ERR_PROFILE_BADARG);
    /* failed inits leave the profile as it was */
    assert_int_equal(entries_in_use(VAR), 0);
    assert_int_equal(cosem_profile_capture(&srv, VAR, T), 0);
    assert_int_equal(entries_in_use(VAR), 1);
    /* a profile the application never initialised answers without crashing */
    memset(cosem_profile_state(&srv, VAR), 0, sizeof(cosem_profile_state_t));
    assert_int_equal(get(VAR, 2), COSEM_ERR_PROFILE_STORAGE);
    expect(VAR, 3, BYTES(0x01, 0x00));
    expect(VAR, 7, BYTES(0x06, 0, 0, 0, 0));
    assert_int_equal(set(VAR, 4, BYTES(0x06, 0, 0, 0, 60)), DLMS_DAR_OBJECT_UNAVAILABLE);
    assert_int_equal(cosem_profile_capture(&srv, VAR, T), COSEM_ERR_PROFILE_STORAGE);
    assert_int_equal(cosem_profile_tick(&srv, VAR, T), 0);
    assert_int_equal(cosem_profile_reset(&srv, VAR), COSEM_ERR_PROFILE_STORAGE);
}

/* A list set over DLMS, kept by the application and restored after a
 * restart, keeps the rows captured with it; the defaults would not. */
static void test_restore_configuration(void **state) {
    (void)state;
    uint8_t v[128];
    static const dlms_capture_object_t cols[3] = {
        CO(8, 2, LN_CLOCK), CO(3, 2, 1, 1, 128, 7, 0, 255), CO(3, 2, 1, 1, 128, 7, 1, 255)};
    assert_int_equal(set(AL, 3, v, capture_list(v, sizeof(v), cols, 3)), 0);
    assert_int_equal(set(AL, 4, BYTES(0x06, 0, 0, 0x0E, 0x10)), 0);
    assert_int_equal(set(AL, 8, BYTES(0x06, 0, 0, 0, 20)), 0);
    for (uint32_t i = 0; i < 3; i++) {
        app.chan[1] = 11 * i;
        assert_int_equal(cosem_profile_capture(&srv, AL, T + 3600 * (int64_t)i), 0);
    }
    cosem_profile_config_t cfg = {cols, 3, 3600, 20};
    assert_int_equal(cosem_profile_init_with(&srv, AL, &counted, &cfg), 0);
    assert_int_equal(entries_in_use(AL), 3);
    expect(AL, 4, BYTES(0x06, 0, 0, 0x0E, 0x10));
    expect(AL, 8, BYTES(0x06, 0, 0, 0, 20));
    assert_int_equal(get_entries(AL, 3, 3, 3, 3), 0);
    assert_memory_equal(out, ((const uint8_t[]){0x01, 0x01, 0x02, 0x01, 0x06, 0, 0, 0, 22}), 9);
    /* invalid configurations change nothing */
    cosem_profile_config_t bad = cfg;
    bad.capture_count = 0;
    assert_int_equal(cosem_profile_init_with(&srv, AL, &counted, &bad), COSEM_ERR_PROFILE_COLUMNS);
    bad = cfg;
    bad.capture_objects = (const dlms_capture_object_t[]){CO(7, 2, LN_AL)};
    bad.capture_count = 1;
    assert_int_equal(cosem_profile_init_with(&srv, AL, &counted, &bad), COSEM_ERR_PROFILE_COLUMNS);
    bad = cfg;
    bad.profile_entries = AL_ROWS + 1;
    assert_int_equal(cosem_profile_init_with(&srv, AL, &counted, &bad), COSEM_ERR_PROFILE_CAPACITY);
    assert_int_equal(cosem_profile_init_with(&srv, AL, &counted, NULL), COSEM_ERR_PROFILE_BADARG);
    assert_int_equal(entries_in_use(AL), 3);
    /* the definition's 2 columns do not fit these rows: the store restarts */
    assert_int_equal(cosem_profile_init(&srv, AL, &counted), 0);
    assert_int_equal(entries_in_use(AL), 0);
    expect(AL, 4, BYTES(0x06, 0, 0, 0, 60));
}

/* A row of another width captured during a read (the state's widths now
 * vary) does not move the read off its fixed row size. */
static void test_width_change_during_read(void **state) {
    (void)state;
    app.note_len = 5;
    memset(app.note, 'n', 5);
    for (uint32_t i = 0; i < VAR_ROWS + 2; i++) {
        assert_int_equal(cosem_profile_capture(&srv, VAR, T + i), 0);
    }
    reader_t r;
    reader_init(&r, VAR, 0, NULL, 0);
    size_t total = single_shot(&r, reference, sizeof(reference));
    assert_int_equal(total, 2 + VAR_ROWS * (2 + 14 + 7));
    stream_run_t run = read_stream(&r, 64, 1, capture_wider_note);
    assert_int_equal(run.last_dar, -1);
    assert_true(run.blocks > 2);
    assert_memory_equal(reassembled, reference, total);
    assert_int_equal(get_entries(VAR, VAR_ROWS, 0, 2, 2), 0);
    assert_memory_equal(out + 4, ((const uint8_t[]){0x09, 9, 'w', 'w'}), 4);
}

static void test_table_check(void **state) {
    (void)state;
    static const dlms_capture_object_t unknown[] = {CO(8, 2, 0, 0, 1, 0, 0, 254)};
    static const cosem_profile_def_t bad_cols = {.state =
                                                     COSEM_STATE(cosem_profile_state_t, APP, lp),
                                                 .rows = COSEM_NO_OFFSET,
                                                 .capture_objects = unknown,
                                                 .capture_count = 1,
                                                 .profile_entries = 1};
    static const cosem_profile_def_t no_cols = {.state =
                                                    COSEM_STATE(cosem_profile_state_t, APP, lp),
                                                .rows = COSEM_NO_OFFSET,
                                                .capture_objects = lp_cols,
                                                .capture_count = 0,
                                                .profile_entries = 1};
    static const cosem_profile_def_t outside = {.state = sizeof(APP),
                                                .rows = COSEM_NO_OFFSET,
                                                .capture_objects = lp_cols,
                                                .capture_count = 1,
                                                .profile_entries = 1};
    const cosem_profile_def_t *defs[] = {&bad_cols, &no_cols, &outside};
    const int want[] = {COSEM_ERR_PROFILE_COLUMNS, COSEM_ERR_PROFILE_COLUMNS, COSEM_ERR_BINDING};
    for (size_t i = 0; i < 3; i++) {
        cosem_object_t table[2] = {
            {&cosem_class_clock, {LN_CLOCK}, &clock_def, {[0] = &rw}},
            {&cosem_class_profile_generic, {LN_LP}, defs[i], {[0] = &rw}},
        };
        cosem_server_t s2;
        assert_int_equal(cosem_server_init(&s2, table, 2, &app, sizeof(app), &port), want[i]);
    }
    /* the object_list shows selectors 1 and 2 on the buffer */
    assert_int_equal(cosem_class_profile_generic.selectors, 0x06);
    assert_int_equal(cosem_object_list_element_size(LP, 0),
                     2 + 3 + 2 + 8 + 2 + 2 + 8 * 6 + 7 * 1 + (2 + 2 * 2) + 2 + 2 * 6);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ram_rows),
        cmocka_unit_test_setup(test_attributes, setup),
        cmocka_unit_test_setup(test_capture_at_boundaries, setup),
        cmocka_unit_test_setup(test_dst_and_daily, setup),
        cmocka_unit_test_setup(test_fifo_and_entries, setup),
        cmocka_unit_test_setup(test_methods, setup),
        cmocka_unit_test_setup(test_event_log, setup),
        cmocka_unit_test_setup(test_set_capture_objects, setup),
        cmocka_unit_test_setup(test_set_period_and_sort, setup),
        cmocka_unit_test_setup(test_entry_selection, setup),
        cmocka_unit_test_setup(test_range_selection, setup),
        cmocka_unit_test_setup(test_range_refusals, setup),
        cmocka_unit_test_setup(test_range_clock_back, setup),
        cmocka_unit_test_setup(test_stream_1440, setup),
        cmocka_unit_test_setup(test_capture_during_read, setup),
        cmocka_unit_test_setup(test_variable_rows, setup),
        cmocka_unit_test_setup(test_data_index, setup),
        cmocka_unit_test_setup(test_init_and_adopt, setup),
        cmocka_unit_test_setup(test_restore_configuration, setup),
        cmocka_unit_test_setup(test_width_change_during_read, setup),
        cmocka_unit_test_setup(test_table_check, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
