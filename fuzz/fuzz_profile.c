/*
 * fuzz_profile.c - hostile input into Profile generic (class 7): selective
 * access parameters of buffer reads, SETs of capture_objects and the other
 * writable attributes, captures, ticks and the methods, in any order, on a
 * small meter of its own (a clock, a few registers, a 16-row load profile
 * of fixed-width rows and an 8-row log with a variable-length column).
 *
 * Input: records until the data runs out, each
 *   op | profile | a | len | len bytes
 *   op % 6 == 0  GET buffer with selector a % 3 (none, range, entry) and
 *                the bytes as access-parameters; also through the block
 *                streamer at PDU 20 + a
 *   op % 6 == 1  SET attribute (3, 4, 5, 8)[a % 4] to the bytes
 *   op % 6 == 2  capture after moving the clock by (int8_t)a x 7 s, with the
 *                channel values and the note from the bytes
 *   op % 6 == 3  tick a x 37 s later
 *   op % 6 == 4  ACTION method a % 3 (0 invalid) with the bytes
 *   op % 6 == 5  GET buffer by entry descriptor built from the bytes
 *
 * Invariants (trap on violation):
 *   - results are 0, a result code 1..255, or a COSEM / A-XDR / profile
 *     error;
 *   - a buffer read is one well-formed array of structures of the columns
 *     asked, holding at most entries_in_use rows (exactly that many
 *     without selection);
 *   - the read through datablocks equals the single shot;
 *   - entries_in_use <= profile_entries <= the store's capacity, and
 *     entries_in_use <= the rows stored;
 *   - a successful SET of capture_objects reads back byte for byte.
 */
#include <stdint.h>
#include <string.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "dlms/apdu.h"

#define LP_ROWS  16
#define LP_ROW   64
#define LOG_ROWS 8
#define LOG_ROW  48

typedef struct fapp {
    cosem_clock_state_t clock;
    uint64_t a_plus;
    uint32_t chan[4];
    int16_t temp;
    uint8_t note[30];
    uint8_t note_len;
    cosem_profile_state_t lp, log;
    cosem_profile_ram_rows_t lp_ram, log_ram;
    uint8_t lp_buf[LP_ROWS * LP_ROW];
    uint8_t log_buf[LOG_ROWS * LOG_ROW];
    int64_t rtc;
} fapp_t;

#define APP fapp_t

static const cosem_access_t rw = COSEM_ACCESS_RW;
static const cosem_clock_def_t clock_def = {COSEM_STATE(cosem_clock_state_t, APP, clock), 900};
static const cosem_register_def_t a_plus_def = {COSEM_FIELD(AXDR_LONG64_UNSIGNED, APP, a_plus), 0,
                                                COSEM_UNIT_WH};
#define CHAN(i)                                                                                    \
    { COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, APP, chan[i]), 0, COSEM_UNIT_W }
static const cosem_register_def_t chan_def[4] = {CHAN(0), CHAN(1), CHAN(2), CHAN(3)};
static const cosem_data_def_t temp_def = {COSEM_FIELD(AXDR_LONG, APP, temp)};
static const cosem_data_def_t note_def = {COSEM_FIELD_STR(AXDR_OCTET_STRING, APP, note, note_len)};
static const cosem_data_def_t array_def = {
    COSEM_CONST(AXDR_ARRAY, 2, AXDR_UNSIGNED, 1, AXDR_STRUCTURE, 1, AXDR_LONG, 0x80, 0x00)};

static const dlms_capture_object_t lp_cols[] = {
    {8, {0, 0, 1, 0, 0, 255}, 2, 0},
    {3, {1, 0, 1, 8, 0, 255}, 2, 0},
    {3, {1, 0, 128, 7, 0, 255}, 2, 0},
};
static const dlms_capture_object_t log_cols[] = {
    {8, {0, 0, 1, 0, 0, 255}, 2, 0},
    {1, {0, 0, 96, 128, 9, 255}, 2, 0},
};
static const cosem_profile_def_t lp_def = {COSEM_STATE(cosem_profile_state_t, APP, lp),
                                           COSEM_STATE(cosem_profile_rows_t, APP, lp_ram.rows),
                                           lp_cols,
                                           3,
                                           900,
                                           LP_ROWS};
static const cosem_profile_def_t log_def = {COSEM_STATE(cosem_profile_state_t, APP, log),
                                            COSEM_STATE(cosem_profile_rows_t, APP, log_ram.rows),
                                            log_cols,
                                            2,
                                            0,
                                            LOG_ROWS};

static const cosem_object_t objects[] = {
    {&cosem_class_clock, {0, 0, 1, 0, 0, 255}, &clock_def, {[0] = &rw}},
    {&cosem_class_register, {1, 0, 1, 8, 0, 255}, &a_plus_def, {[0] = &rw}},
    {&cosem_class_register, {1, 0, 128, 7, 0, 255}, &chan_def[0], {[0] = &rw}},
    {&cosem_class_register, {1, 0, 128, 7, 1, 255}, &chan_def[1], {[0] = &rw}},
    {&cosem_class_register, {1, 0, 128, 7, 2, 255}, &chan_def[2], {[0] = &rw}},
    {&cosem_class_register, {1, 0, 128, 7, 3, 255}, &chan_def[3], {[0] = &rw}},
    {&cosem_class_data, {0, 0, 96, 128, 8, 255}, &temp_def, {[0] = &rw}},
    {&cosem_class_data, {0, 0, 96, 128, 9, 255}, &note_def, {[0] = &rw}},
    {&cosem_class_data, {0, 0, 96, 128, 10, 255}, &array_def, {[0] = &rw}},
    {&cosem_class_profile_generic, {1, 0, 99, 1, 0, 255}, &lp_def, {[0] = &rw}},
    {&cosem_class_profile_generic, {0, 0, 99, 98, 0, 255}, &log_def, {[0] = &rw}},
};

static fapp_t app;
static em_port_t port;
static cosem_server_t srv;

static void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

static void result_ok(int rc) {
    check(rc >= 0 ? rc <= 255 : (rc <= -0x0100 && rc >= -0x09FF));
}

static int64_t rtc_get(void *user) {
    return ((fapp_t *)user)->rtc;
}

static bool setup(void) {
    memset(&app, 0, sizeof(app));
    cosem_clock_state_cet(&app.clock);
    app.rtc = 1705320000;
    app.a_plus = 12345;
    memset(&port, 0, sizeof(port));
    port.user = &app;
    port.rtc_get = rtc_get;
    return cosem_server_init(&srv, objects, sizeof(objects) / sizeof(objects[0]), &app, sizeof(app),
                             &port) == 0 &&
           cosem_profile_ram_rows_init(&app.lp_ram, app.lp_buf, sizeof(app.lp_buf), LP_ROW) == 0 &&
           cosem_profile_ram_rows_init(&app.log_ram, app.log_buf, sizeof(app.log_buf), LOG_ROW) ==
               0 &&
           cosem_profile_init(&srv, &objects[9], NULL) == 0 &&
           cosem_profile_init(&srv, &objects[10], NULL) == 0;
}

static dlms_assoc_view_t view(void) {
    dlms_assoc_view_t v;
    memset(&v, 0, sizeof(v));
    v.client_sap = 1;
    v.server_sap = 1;
    v.status = DLMS_ASSOC_ASSOCIATED;
    v.ciphered = true;
    return v;
}

static dlms_cosem_descriptor_t desc(const cosem_object_t *o, int8_t id) {
    dlms_cosem_descriptor_t d;
    memset(&d, 0, sizeof(d));
    d.class_id = o->cls->class_id;
    memcpy(d.instance_id, o->ln, 6);
    d.id = id;
    return d;
}

static uint32_t u32_of(const uint8_t *p) {
    return ((uint32_t)p[1] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 8) | p[4];
}

static uint32_t read_u32(const cosem_object_t *o, int8_t id) {
    dlms_assoc_view_t v = view();
    dlms_cosem_descriptor_t d = desc(o, id);
    dlms_access_selection_t none = {false, 0, {NULL, 0}};
    dlms_get_call_t call = {.assoc = &v, .attr = &d, .selection = &none, .first_call = true};
    uint8_t b[8];
    axdr_enc_t e;
    axdr_enc_init(&e, b, sizeof(b));
    check(cosem_get(&srv, &call, &e) == 0 && e.len == 5 && b[0] == AXDR_DOUBLE_LONG_UNSIGNED);
    return u32_of(b);
}

static void check_counters(const cosem_object_t *o) {
    const cosem_profile_state_t *st = cosem_profile_state(&srv, o);
    const cosem_profile_rows_t *r = st->rows;
    uint32_t in_use = read_u32(o, 7);
    uint32_t entries = read_u32(o, 8);
    check(in_use <= entries && entries <= r->ops->capacity(r->user));
    check(in_use <= r->ops->count(r->user));
    check(st->capture_count >= 1 && st->capture_count <= EM_COSEM_PROFILE_MAX_COLUMNS);
}

/* ---- buffer reads ------------------------------------------------------------------------- */

typedef struct reader {
    dlms_assoc_view_t view;
    dlms_cosem_descriptor_t desc;
    dlms_access_selection_t sel;
    dlms_get_call_t call;
} reader_t;

static int produce(void *user, axdr_enc_t *e) {
    reader_t *r = user;
    int rc = cosem_get(&srv, &r->call, e);
    r->call.first_call = false;
    return rc > 0 ? -0x0A7F : rc;
}

static void fresh(reader_t *r) {
    memset(r->call.block_cookie, 0, sizeof(r->call.block_cookie));
    r->call.first_call = true;
}

/* A buffer value: array of `rows` structures of ncols Data each. */
static void check_buffer(const uint8_t *p, size_t n, uint32_t *rows, uint32_t *ncols) {
    size_t used = 0;
    uint32_t count = 0;
    axdr_dec_t d;
    check(axdr_validate(p, n, &used) == 0 && used == n);
    axdr_dec_init(&d, p, n);
    check(axdr_get_array(&d, &count) == 0);
    *rows = count;
    *ncols = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t k = 0;
        check(axdr_get_structure(&d, &k) == 0);
        check(k >= 1 && k <= EM_COSEM_PROFILE_MAX_COLUMNS && (i == 0 || k == *ncols));
        *ncols = k;
        for (uint32_t c = 0; c < k; c++) {
            check(axdr_skip(&d) == 0);
        }
    }
    check(cosem_dec_done(&d));
}

/* The same read through the block streamer at a small PDU. */
static void check_stream(reader_t *r, const uint8_t *whole, size_t n, size_t max_pdu) {
    static uint8_t apdu[512], again[8192];
    dlms_block_stream_t s;
    dlms_block_rx_t rx;
    dlms_block_rx_init(&rx, again, sizeof(again));
    fresh(r);
    int len = dlms_get_response_stream_start(&s, 0xC1, false, produce, r, max_pdu, apdu, max_pdu);
    check(len > 0);
    for (int guard = 0; guard < 100000; guard++) {
        dlms_get_response_t resp;
        check(dlms_get_response_decode(apdu, (size_t)len, &resp) == 0);
        if (resp.type == DLMS_GET_RESPONSE_NORMAL) {
            check(resp.results[0].is_data && resp.results[0].data.len == n &&
                  memcmp(resp.results[0].data.p, whole, n) == 0);
            return;
        }
        check(!resp.block.is_result);
        int rc = dlms_block_rx_push(&rx, &resp.block);
        if (rc == 1) {
            check(rx.len == n && memcmp(again, whole, n) == 0);
            return;
        }
        check(rc == 0);
        len = dlms_get_response_stream_next(&s, 0xC1, resp.block.block_number, max_pdu, apdu,
                                            max_pdu);
        check(len > 0);
    }
    check(false);
}

static void read_buffer(const cosem_object_t *o, uint8_t selector, const uint8_t *prm, size_t n,
                        size_t max_pdu) {
    static uint8_t whole[8192];
    static reader_t r;
    memset(&r, 0, sizeof(r));
    r.view = view();
    r.desc = desc(o, 2);
    r.sel = (dlms_access_selection_t){selector != 0, selector, {prm, n}};
    if (selector != 0) {
        size_t used = 0;
        if (n == 0 || axdr_validate(prm, n, &used) != 0 || used != n) {
            return; /* the APDU decoder only hands over one well-formed Data */
        }
    }
    r.call = (dlms_get_call_t){.assoc = &r.view, .attr = &r.desc, .selection = &r.sel};
    fresh(&r);
    axdr_enc_t e;
    axdr_enc_init(&e, whole, sizeof(whole));
    int rc = cosem_get(&srv, &r.call, &e);
    result_ok(rc);
    if (rc != 0) {
        return;
    }
    uint32_t rows = 0, ncols = 0;
    check_buffer(whole, e.len, &rows, &ncols);
    uint32_t in_use = read_u32(o, 7);
    check(rows <= in_use && (selector != 0 || rows == in_use));
    check(selector != 0 || rows == 0 || ncols == cosem_profile_state(&srv, o)->capture_count);
    check_stream(&r, whole, e.len, max_pdu);
}

/* ---- writes, captures ----------------------------------------------------------------------- */

static void do_set(const cosem_object_t *o, int8_t id, const uint8_t *val, size_t n) {
    static uint8_t back[1024];
    dlms_assoc_view_t v = view();
    dlms_cosem_descriptor_t d = desc(o, id);
    dlms_access_selection_t none = {false, 0, {NULL, 0}};
    axdr_dec_t dec;
    axdr_dec_init(&dec, val, n);
    int rc = cosem_set(&srv, &v, &d, &none, &dec);
    result_ok(rc);
    if (rc != 0 || id != 3) {
        return;
    }
    dlms_get_call_t call = {.assoc = &v, .attr = &d, .selection = &none, .first_call = true};
    axdr_enc_t e;
    axdr_enc_init(&e, back, sizeof(back));
    check(cosem_get(&srv, &call, &e) == 0 && e.len == n && memcmp(back, val, n) == 0);
    check(read_u32(o, 7) == 0); /* a new list clears the buffer */
}

static void do_action(const cosem_object_t *o, int8_t id, const uint8_t *val, size_t n) {
    dlms_assoc_view_t v = view();
    dlms_cosem_descriptor_t d = desc(o, id);
    uint8_t ret[16];
    axdr_enc_t e;
    axdr_enc_init(&e, ret, sizeof(ret));
    axdr_dec_t dec;
    axdr_dec_init(&dec, val, n);
    bool has = false;
    int rc = cosem_action(&srv, &v, &d, n > 0 ? &dec : NULL, &e, &has);
    result_ok(rc);
    check(!has);
}

static void do_capture(const cosem_object_t *o, uint8_t a, const uint8_t *val, size_t n) {
    for (size_t i = 0; i < 4 && i < n; i++) {
        app.chan[i] = (uint32_t)val[i] << (8 * (i % 4));
    }
    app.note_len = (uint8_t)(n % sizeof(app.note));
    memcpy(app.note, val, app.note_len < n ? app.note_len : n);
    app.temp = (int16_t)(a * 257);
    app.a_plus += a;
    app.rtc += (int8_t)a * 7; /* sometimes back: ranges the clock went back in */
    result_ok(cosem_profile_capture(&srv, o, app.rtc));
}

static void entry_read(const cosem_object_t *o, const uint8_t *val, size_t n, size_t pdu) {
    uint8_t b[12] = {0};
    memcpy(b, val, n < sizeof(b) ? n : sizeof(b));
    dlms_entry_descriptor_t ed = {((uint32_t)b[0] << 8 | b[1]) % 40,
                                  ((uint32_t)b[2] << 8 | b[3]) % 40, (uint16_t)(b[4] % 6),
                                  (uint16_t)(b[5] % 6)};
    uint8_t prm[32];
    axdr_enc_t e;
    axdr_enc_init(&e, prm, sizeof(prm));
    check(dlms_entry_descriptor_put(&e, &ed) == 0);
    read_buffer(o, DLMS_ACCESS_SELECTOR_ENTRY, prm, e.len, pdu);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const int8_t writable[4] = {3, 4, 5, 8};
    if (!setup()) {
        __builtin_trap();
    }
    size_t pos = 0;
    while (size - pos >= 4) {
        uint8_t op = data[pos], a = data[pos + 2];
        const cosem_object_t *o = &objects[9 + (data[pos + 1] & 1)];
        size_t n = data[pos + 3];
        pos += 4;
        n = n < size - pos ? n : size - pos;
        const uint8_t *val = data + pos;
        pos += n;
        size_t pdu = 20 + (size_t)a;
        switch (op % 6) {
        case 0:
            read_buffer(o, (uint8_t)(a % 3), val, n, pdu);
            break;
        case 1:
            do_set(o, writable[a % 4], val, n);
            break;
        case 2:
            do_capture(o, a, val, n);
            break;
        case 3:
            app.rtc += (int64_t)a * 37;
            result_ok(cosem_profile_tick(&srv, o, app.rtc));
            break;
        case 4:
            do_action(o, (int8_t)(a % 3), val, n);
            break;
        default:
            entry_read(o, val, n, pdu);
            break;
        }
        check_counters(&objects[9]);
        check_counters(&objects[10]);
    }
    read_buffer(&objects[9], 0, NULL, 0, 64);
    read_buffer(&objects[10], 0, NULL, 0, 64);
    return 0;
}
