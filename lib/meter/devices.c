/*
 * devices.c - display and button, tamper, login lockout and
 * self-diagnostics wired into the meter (see devices.h; the machines:
 * display.c, tamper.c, lockout.c, diagnostics.c; sources in
 * docs/devices.md: seed 000 §3.3.4, §3.3.6, §3.3.9, §3.3.11, §3.3.16,
 * seed 004 "Display", dlms-facts §2.6/§2.7; Blue Book OBIS group C = 21
 * display readouts, 0.0.97.97.0.255 error register).
 */
#include "meter/devices.h"

#include <string.h>

#include "cosem/calendar_eval.h"
#include "meter/meter.h"
#include "meter/persist.h"

#define EV_ERROR_REGISTER_CLEARED 10u /* dlms-facts §2.6 */

/* The port's monotonic clock (the display and the diagnostics schedule),
 * the meter's time when the port has none. */
static uint64_t mono_ms(const meter_t *m) {
    if (m->port != NULL && m->port->monotonic_ms != NULL)
        return m->port->monotonic_ms(m->port->user);
    return m->now > 0 ? (uint64_t)m->now * 1000u : 0u;
}

static int64_t rtc_utc(const meter_t *m) {
    int64_t utc;
    return cosem_rtc_now(&m->cosem, &utc) == 0 ? utc : m->now;
}

/* ---- events ------------------------------------------------------------------------------ */

static void ev_fraud(void *user, uint8_t code, int64_t utc) {
    meter_t *m = user;
    if (!m->devices.mute)
        meter_event(m, METER_LOG_FRAUD, code, utc);
}

static void ev_standard(void *user, uint8_t code, int64_t utc) {
    meter_t *m = user;
    if (!m->devices.mute)
        meter_event(m, METER_LOG_STANDARD, code, utc);
}

/* ---- the display's values: an internal GET ------------------------------------------------ */

/* Attribute `attr` of `o` as the class get() of the table encodes it (the
 * path profile captures and register monitors read by), seen as the meter
 * itself. */
static int get_attr(meter_t *m, const cosem_object_t *o, int8_t attr, uint8_t *buf, size_t cap,
                    size_t *len) {
    uint8_t cookie[EM_DLMS_GET_COOKIE];
    memset(cookie, 0, sizeof(cookie));
    axdr_enc_t e;
    axdr_enc_init(&e, buf, cap);
    cosem_req_t r = {&m->cosem, o, &cosem_sched_meter_view, attr, NULL, cookie};
    if (o->cls->get(&r, &e) != 0 || e.err != 0)
        return METER_DEVICES_ERR_READ;
    *len = e.len;
    return 0;
}

/* scaler_unit {integer, enum} of a register-like object. */
static void scaler_unit(meter_t *m, const cosem_object_t *o, int8_t attr, display_value_t *out) {
    uint8_t buf[16];
    size_t n;
    if (get_attr(m, o, attr, buf, sizeof(buf), &n) != 0)
        return;
    axdr_dec_t d;
    axdr_value_t v, s, u;
    axdr_dec_init(&d, buf, n);
    if (axdr_get_value(&d, &v) != 0 || v.tag != AXDR_STRUCTURE || v.count != 2 ||
        axdr_get_value(&d, &s) != 0 || axdr_get_value(&d, &u) != 0 || s.tag != AXDR_INTEGER ||
        u.tag != AXDR_ENUM)
        return;
    out->scaler = (int8_t)s.i;
    out->unit = (uint8_t)u.u;
}

static void text_of(const uint8_t *p, size_t n, display_value_t *out) {
    static const char hex[] = "0123456789ABCDEF";
    bool printable = true;
    for (size_t i = 0; i < n; i++)
        printable = printable && p[i] >= 0x20 && p[i] < 0x7F;
    out->kind = DISPLAY_VALUE_TEXT;
    size_t k = 0;
    for (size_t i = 0; i < n && k < DISPLAY_COLS; i++) {
        if (printable) {
            out->text[k++] = (char)p[i];
        } else if (k + 2 <= DISPLAY_COLS) {
            out->text[k++] = hex[p[i] >> 4];
            out->text[k++] = hex[p[i] & 15];
        } else {
            break;
        }
    }
    out->text_len = (uint8_t)k;
}

static void put2(char *t, unsigned v) {
    t[0] = (char)('0' + v / 10 % 10);
    t[1] = (char)('0' + v % 10);
}

/* A date-time octet-string(12) as "YYYY-MM-DD hh:mm" (local time). */
static bool datetime_text(const uint8_t *p, size_t n, display_value_t *out) {
    if (n != 12)
        return false;
    unsigned y = (unsigned)p[0] << 8 | p[1];
    if (y > 9999 || p[2] > 12 || p[3] > 31 || p[5] > 23 || p[6] > 59)
        return false;
    char *t = out->text;
    put2(t, y / 100);
    put2(t + 2, y % 100);
    t[4] = '-';
    put2(t + 5, p[2]);
    t[7] = '-';
    put2(t + 8, p[3]);
    t[10] = ' ';
    put2(t + 11, p[5]);
    t[13] = ':';
    put2(t + 14, p[6]);
    out->kind = DISPLAY_VALUE_TEXT;
    out->text_len = 16;
    return true;
}

static int display_read(void *user, const display_item_t *it, display_value_t *out) {
    meter_t *m = user;
    const cosem_object_t *o = cosem_find(&m->cosem, it->obis);
    if (o == NULL || o->cls->class_id != it->class_id || it->attr < 2 ||
        it->attr > o->cls->attr_count ||
        (o->cls->present != NULL && !o->cls->present(&m->cosem, o)))
        return METER_DEVICES_ERR_READ;
    uint8_t buf[64];
    size_t n;
    if (get_attr(m, o, it->attr, buf, sizeof(buf), &n) != 0)
        return METER_DEVICES_ERR_READ;
    axdr_dec_t d;
    axdr_value_t v;
    axdr_dec_init(&d, buf, n);
    if (axdr_get_value(&d, &v) != 0)
        return METER_DEVICES_ERR_READ;
    out->unit = 255;
    switch (v.tag) {
    case AXDR_INTEGER:
    case AXDR_LONG:
    case AXDR_DOUBLE_LONG:
    case AXDR_LONG64:
        out->value = v.i;
        break;
    case AXDR_UNSIGNED:
    case AXDR_LONG_UNSIGNED:
    case AXDR_DOUBLE_LONG_UNSIGNED:
    case AXDR_LONG64_UNSIGNED:
    case AXDR_ENUM:
        out->value = v.u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v.u;
        break;
    case AXDR_BOOLEAN:
        out->value = v.b ? 1 : 0;
        break;
    case AXDR_OCTET_STRING:
        if (datetime_text(v.p, v.len, out))
            return 0;
        text_of(v.p, v.len, out);
        return 0;
    case AXDR_VISIBLE_STRING:
    case AXDR_UTF8_STRING:
        text_of(v.p, v.len, out);
        return 0;
    default:
        return METER_DEVICES_ERR_READ;
    }
    out->kind = DISPLAY_VALUE_NUMBER;
    /* Register / extended register: value 2, scaler_unit 3; demand
     * register: averages 2 and 3, scaler_unit 4. */
    if ((it->class_id == 3 || it->class_id == 4) && it->attr == 2)
        scaler_unit(m, o, 3, out);
    else if (it->class_id == 5 && (it->attr == 2 || it->attr == 3))
        scaler_unit(m, o, 4, out);
    return 0;
}

/* ---- default lists -------------------------------------------------------------------------- */

#define ITEM(cls, a, b, c, d, e)                                                                   \
    { (cls), {a, b, c, d, e, 255}, 2, 0, DISPLAY_FMT_AUTO }
#define A_PLUS     ITEM(3, 1, 0, 1, 8, 0)
#define A_MINUS    ITEM(3, 1, 0, 2, 8, 0)
#define P_PLUS     ITEM(3, 1, 0, 1, 7, 0)
#define P_MINUS    ITEM(3, 1, 0, 2, 7, 0)
#define VOLTS      ITEM(3, 1, 0, 32, 7, 0), ITEM(3, 1, 0, 52, 7, 0), ITEM(3, 1, 0, 72, 7, 0)
#define AMPS       ITEM(3, 1, 0, 31, 7, 0), ITEM(3, 1, 0, 51, 7, 0), ITEM(3, 1, 0, 71, 7, 0)
#define SERIAL     ITEM(1, 0, 0, 96, 1, 0)
#define FIRMWARE   ITEM(1, 1, 0, 0, 2, 0)
#define CLOCK_ITEM ITEM(8, 0, 0, 1, 0, 0)
#define ESMR_TARIFFS                                                                               \
    ITEM(3, 1, 0, 1, 8, 1), ITEM(3, 1, 0, 1, 8, 2), ITEM(3, 1, 0, 2, 8, 1), ITEM(3, 1, 0, 2, 8, 2)

/* esmr (seed 000 §3.3.16): the basic information scrolls (legal
 * registers, tariff registers, power); the button list adds the
 * instantaneous values and the identification; the service list (cover
 * open) the installation check values. */
static const display_item_t esmr_auto[] = {A_PLUS, A_MINUS, ESMR_TARIFFS, P_PLUS, P_MINUS};
static const display_item_t esmr_manual[] = {A_PLUS, A_MINUS, ESMR_TARIFFS, P_PLUS, P_MINUS,
                                             VOLTS,  AMPS,    CLOCK_ITEM,   SERIAL, FIRMWARE};
static const display_item_t esmr_service[] = {A_PLUS, A_MINUS, P_PLUS, P_MINUS, VOLTS, AMPS};
/* omni (seed 004 "Display"): the legal readings in the manual list. */
static const display_item_t omni_auto[] = {A_PLUS, A_MINUS, P_PLUS};
static const display_item_t omni_manual[] = {A_PLUS,
                                             A_MINUS,
                                             ITEM(3, 1, 0, 1, 8, 1),
                                             ITEM(3, 1, 0, 1, 8, 2),
                                             ITEM(3, 1, 0, 1, 8, 3),
                                             ITEM(3, 1, 0, 1, 8, 4),
                                             ITEM(3, 1, 0, 3, 8, 0),
                                             ITEM(3, 1, 0, 4, 8, 0),
                                             P_PLUS,
                                             P_MINUS,
                                             VOLTS,
                                             AMPS,
                                             CLOCK_ITEM,
                                             SERIAL,
                                             FIRMWARE};
static const display_item_t omni_battery[] = {A_PLUS, A_MINUS, SERIAL};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int default_lists(meter_t *m) {
    display_t *d = &m->devices.display;
    int rc;
    if (m->variant == METER_VARIANT_OMNI) {
        rc = display_list_set(d, DISPLAY_LIST_AUTO, omni_auto, N(omni_auto));
        if (rc == 0)
            rc = display_list_set(d, DISPLAY_LIST_MANUAL, omni_manual, N(omni_manual));
        if (rc == 0)
            rc = display_list_set(d, DISPLAY_LIST_BATTERY, omni_battery, N(omni_battery));
        return rc;
    }
    rc = display_list_set(d, DISPLAY_LIST_AUTO, esmr_auto, N(esmr_auto));
    if (rc == 0)
        rc = display_list_set(d, DISPLAY_LIST_MANUAL, esmr_manual, N(esmr_manual));
    if (rc == 0)
        rc = display_list_set(d, DISPLAY_LIST_SERVICE, esmr_service, N(esmr_service));
    return rc;
}

/* ---- diagnostics ops ------------------------------------------------------------------------- */

/* A CRC pass over every copy the mounted store holds now: the records'
 * current copies of both journals and every entry of the profile rings.
 * What it finds is this check's to report (event 14 on the raise): the
 * stores' damage counters are put back as they were, so the commit's
 * nv_check does not log the same finding a second time. No flash mounted:
 * nothing to check. */
static int storage_check(void *user) {
    meter_t *m = user;
    meter_persist_t *p = m->devices.persist;
    if (p == NULL)
        return 0;
    store_stats_t rec = p->rec.stats, cal = p->cal_rec.stats, cfg = p->cfg_rec.stats;
    store_check_t res;
    int bad = 0;
    memset(&res, 0, sizeof(res));
    if (store_record_check(&p->rec, &res) != 0)
        bad++;
    if (store_record_check(&p->cal_rec, &res) != 0)
        bad++;
    if (store_record_check(&p->cfg_rec, &res) != 0)
        bad++;
    for (unsigned i = 0; i < METER_PROF_COUNT; i++) {
        if (p->rows[i].ops == NULL)
            continue;
        store_stats_t ring = p->pf[i].ring.stats;
        if (store_ring_check(&p->pf[i].ring, &res) != 0)
            bad++;
        p->pf[i].ring.stats = ring;
    }
    p->rec.stats = rec;
    p->cal_rec.stats = cal;
    p->cfg_rec.stats = cfg;
    return bad != 0 || res.bad != 0 ? 1 : 0;
}

static int image_digest(void *user, uint8_t digest[EM_DIAG_DIGEST_LEN]) {
    meter_t *m = user;
    if (m->devices.image_digest == NULL)
        return DIAG_ERR_DIGEST;
    return m->devices.image_digest(m->devices.image_user, digest);
}

static int diag_setup(meter_t *m, const uint8_t *ref) {
    meter_devices_t *dv = &m->devices;
    diag_cfg_t gc;
    diag_cfg_default(&gc);
    diag_ops_t ops = {storage_check, dv->image_digest != NULL ? image_digest : NULL, NULL,
                      ev_standard, m};
    return diag_init(&dv->diag, &gc, &ops, ref);
}

/* ---- wiring -----------------------------------------------------------------------------------
 */

int meter_devices_init(meter_t *m) {
    if (m == NULL)
        return METER_DEVICES_ERR_BADARG;
    meter_devices_t *dv = &m->devices;
    memset(dv, 0, sizeof(*dv));
    uint8_t variant =
        m->variant == METER_VARIANT_OMNI ? DISPLAY_VARIANT_OMNI : DISPLAY_VARIANT_ESMR;
    display_cfg_t dc;
    int rc = display_cfg_default(&dc, variant);
    if (rc != 0)
        return rc;
    size_t n = m->fw_core_id_len < DISPLAY_COLS ? m->fw_core_id_len : DISPLAY_COLS;
    memcpy(dc.firmware, m->fw_core_id, n);
    dc.firmware[n] = '\0';
    rc = display_init(&dv->display, &dc, &(display_ops_t){display_read, m});
    if (rc == 0)
        rc = default_lists(m);
    tamper_cfg_t tc;
    tamper_cfg_default(&tc);
    if (rc == 0)
        rc = tamper_init(&dv->tamper, &tc, &(tamper_ops_t){ev_fraud, m});
    lockout_cfg_t lc;
    lockout_cfg_default(&lc);
    if (rc == 0)
        rc = lockout_init(&dv->lockout, &lc, &(lockout_ops_t){ev_fraud, m});
    if (rc == 0)
        rc = diag_setup(m, NULL);
    if (rc == 0)
        rc = display_power_up(&dv->display, mono_ms(m));
    dv->powered = rc == 0;
    return rc;
}

int meter_devices_set_image(meter_t *m, meter_image_digest_fn fn, void *user, const uint8_t *ref) {
    if (m == NULL)
        return METER_DEVICES_ERR_BADARG;
    meter_devices_t *dv = &m->devices;
    uint32_t errors = dv->diag.errors; /* what the start-up checks found stays */
    dv->image_digest = fn;
    dv->image_user = user;
    int rc = diag_setup(m, ref);
    dv->diag.errors = errors;
    return rc;
}

/* The symbols from the meter's state: the modem's signal bars (esmr;
 * blank without a modem), the breaker, an active prepayment account.
 * The host has no battery: the battery symbol stays off. */
static void update_status(meter_t *m) {
    meter_devices_t *dv = &m->devices;
    display_status_t st;
    memset(&st, 0, sizeof(st));
    st.tariff = m->tariff;
    st.quadrant = dv->quadrant;
    st.signal =
        m->variant == METER_VARIANT_ESMR ? meter_modem_display_level(m) : DISPLAY_SIGNAL_NONE;
    st.breaker_present = meter_breaker_present(m);
    st.breaker_open = st.breaker_present && !meter_breaker_closed(m);
    st.prepayment = m->prepay.enabled && m->prepay.account.account_status == COSEM_ACCOUNT_ACTIVE;
    st.phases = dv->phases;
    st.sequence = dv->sequence;
    st.tamper = tamper_symbol(&dv->tamper);
    st.error = diag_error_register(&dv->diag) != 0;
    display_set_status(&dv->display, &st);
}

int meter_devices_step(meter_t *m, int64_t utc) {
    if (m == NULL)
        return METER_DEVICES_ERR_BADARG;
    meter_devices_t *dv = &m->devices;
    uint64_t now = mono_ms(m);
    int rc = tamper_tick(&dv->tamper, utc);
    int64_t g = diag_tick(&dv->diag, now, utc);
    update_status(m);
    int r2 = display_tick(&dv->display, now);
    if (rc == 0)
        rc = g < 0 ? (int)g : r2;
    return rc;
}

void meter_devices_measures(meter_t *m, const metrology_measures_t *rec) {
    meter_devices_t *dv = &m->devices;
    dv->no_load = (rec->flags & METROLOGY_FLAG_NO_LOAD) != 0;
    dv->quadrant = dv->no_load ? METROLOGY_QUADRANT_NONE : rec->quadrant;
    dv->sequence = rec->sequence;
    dv->phases = 0;
    for (unsigned k = 0; k < METROLOGY_PHASES; k++)
        if (rec->ph[k].v_rms >= dv->diag.cfg.v_present)
            dv->phases |= (uint8_t)(1u << k);
    diag_measures(&dv->diag, rec, m->now);
}

int meter_devices_power_up(meter_t *m, int64_t utc, int64_t last_utc) {
    if (m == NULL)
        return METER_DEVICES_ERR_BADARG;
    meter_devices_t *dv = &m->devices;
    /* meter_power_up already logged event 6 for a clock marked invalid:
     * the check still raises the error register bit, without a second 6. */
    bool invalid = (m->clock.status & COSEM_CLOCK_STATUS_INVALID) != 0;
    dv->mute = invalid;
    int rc = diag_rtc_check(&dv->diag, utc, last_utc, !invalid);
    dv->mute = false;
    if (rc == 1)
        m->clock.status |= COSEM_CLOCK_STATUS_INVALID;
    int n = tamper_power_up(&dv->tamper, utc);
    int r2 = display_power_up(&dv->display, mono_ms(m));
    dv->powered = true;
    return rc < 0 ? rc : n < 0 ? n : r2;
}

int meter_devices_power_down(meter_t *m, int64_t utc) {
    if (m == NULL)
        return METER_DEVICES_ERR_BADARG;
    meter_devices_t *dv = &m->devices;
    dv->powered = false;
    int rc = tamper_power_down(&dv->tamper, utc);
    int r2 = display_power_down(&dv->display, mono_ms(m));
    return rc != 0 ? rc : r2;
}

/* ---- persistence -------------------------------------------------------------------------------
 */

#define DEVICES_FORMAT_V1 1u

size_t meter_devices_encode(const meter_t *m, uint8_t *b) {
    const meter_devices_t *dv = &m->devices;
    size_t k = 0;
    b[k++] = DEVICES_FORMAT_V1;
    uint64_t until = (uint64_t)lockout_until(&dv->lockout);
    for (unsigned i = 0; i < 8; i++)
        b[k++] = (uint8_t)(until >> (8 * i));
    b[k++] = tamper_symbol(&dv->tamper) ? 1u : 0u;
    for (uint8_t l = 0; l < DISPLAY_LIST_COUNT; l++) {
        const display_list_t *list = display_list_get(&dv->display, l);
        uint8_t count = list != NULL ? list->count : 0;
        b[k++] = count;
        for (uint8_t i = 0; i < count; i++) {
            const display_item_t *it = &list->items[i];
            b[k++] = (uint8_t)(it->class_id >> 8);
            b[k++] = (uint8_t)it->class_id;
            memcpy(b + k, it->obis, 6);
            k += 6;
            b[k++] = (uint8_t)it->attr;
        }
    }
    return k;
}

/* The format an item has in the configured list, else automatic. */
static uint8_t configured_format(const display_list_t *list, const display_item_t *it) {
    for (uint8_t i = 0; list != NULL && i < list->count; i++) {
        const display_item_t *c = &list->items[i];
        if (c->class_id == it->class_id && c->attr == it->attr && memcmp(c->obis, it->obis, 6) == 0)
            return c->format;
    }
    return DISPLAY_FMT_AUTO;
}

void meter_devices_restore(meter_t *m, const uint8_t *b, int len, int64_t utc) {
    meter_devices_t *dv = &m->devices;
    size_t n = len > 0 ? (size_t)len : 0, k = 10;
    if (n < k + DISPLAY_LIST_COUNT || b[0] != DEVICES_FORMAT_V1)
        return;
    uint64_t until = 0;
    for (unsigned i = 0; i < 8; i++)
        until |= (uint64_t)b[1 + i] << (8 * i);
    if (until != 0)
        lockout_restore(&dv->lockout, (int64_t)until, utc);
    dv->tamper.symbol = b[9] != 0;
    display_item_t items[EM_DISPLAY_MANUAL_MAX];
    for (uint8_t l = 0; l < DISPLAY_LIST_COUNT && k < n; l++) {
        uint8_t count = b[k++];
        if (count > display_list_capacity(l) || n - k < (size_t)count * METER_DEVICES_LIST_ITEM)
            return;
        for (uint8_t i = 0; i < count; i++) {
            display_item_t *it = &items[i];
            it->class_id = (uint16_t)(b[k] << 8 | b[k + 1]);
            memcpy(it->obis, b + k + 2, 6);
            it->attr = (int8_t)b[k + 8];
            it->data_index = 0;
            it->format = configured_format(display_list_get(&dv->display, l), it);
            k += METER_DEVICES_LIST_ITEM;
        }
        /* A list the display refuses (damaged) keeps the default. */
        display_list_set(&dv->display, l, items, count);
    }
}

int meter_devices_configure(meter_t *m, const lockout_cfg_t *lc, const tamper_cfg_t *tc) {
    if (m == NULL)
        return METER_DEVICES_ERR_BADARG;
    int rc = 0;
    if (lc != NULL)
        rc = lockout_init(&m->devices.lockout, lc, &(lockout_ops_t){ev_fraud, m});
    if (rc == 0 && tc != NULL)
        rc = tamper_init(&m->devices.tamper, tc, &(tamper_ops_t){ev_fraud, m});
    return rc;
}

/* ---- host API
 * ------------------------------------------------------------------------------------
 */

int meter_button(meter_t *m, bool down, uint64_t now_ms) {
    if (m == NULL)
        return METER_DEVICES_ERR_BADARG;
    update_status(m);
    int press = display_button(&m->devices.display, now_ms, down);
    /* The omni long press is the breaker's local action (seed 004
     * "Breaker": disconnect, or reconnect when the mode allows it). */
    if (press == DISPLAY_PRESS_LONG && meter_breaker_present(m)) {
        meter_breaker_button(m);
        update_status(m);
    }
    return press;
}

int meter_cover(meter_t *m, uint8_t which, bool open, int64_t utc) {
    if (m == NULL || (which != TAMPER_TERMINAL_COVER && which != TAMPER_METER_COVER))
        return METER_DEVICES_ERR_BADARG;
    int rc = tamper_input(&m->devices.tamper, which, open, utc);
    if (rc == 0 && which == TAMPER_TERMINAL_COVER)
        rc = display_cover(&m->devices.display, mono_ms(m), open);
    return rc;
}

int meter_magnet(meter_t *m, uint16_t mt, int64_t utc) {
    if (m == NULL)
        return METER_DEVICES_ERR_BADARG;
    return tamper_magnet_field(&m->devices.tamper, mt, utc);
}

int meter_display_lines(meter_t *m, char lines[DISPLAY_LINES][DISPLAY_COLS + 1]) {
    if (m == NULL || lines == NULL)
        return METER_DEVICES_ERR_BADARG;
    update_status(m);
    display_tick(&m->devices.display, mono_ms(m));
    return display_render(&m->devices.display, lines);
}

uint32_t meter_display_symbols(const meter_t *m) {
    return m != NULL ? display_symbols(&m->devices.display) : 0u;
}

bool meter_led_no_load(const meter_t *m) {
    return m != NULL && m->devices.no_load;
}

/* ---- login lockout
 * ------------------------------------------------------------------------------- */

bool meter_login_allowed(meter_t *m, uint8_t assoc_index, int64_t utc) {
    if (m == NULL)
        return false;
    return assoc_index != METER_ASSOC_MANAGEMENT || lockout_allowed(&m->devices.lockout, utc);
}

int meter_login_failed(meter_t *m, uint16_t client_sap, int64_t utc) {
    if (m == NULL)
        return METER_DEVICES_ERR_BADARG;
    if (client_sap == METER_SAP_MANAGEMENT)
        return lockout_failure(&m->devices.lockout, utc);
    return meter_auth_failure(m, utc);
}

int meter_login_ok(meter_t *m, uint8_t assoc_index, int64_t utc) {
    if (m == NULL)
        return METER_DEVICES_ERR_BADARG;
    if (assoc_index != METER_ASSOC_MANAGEMENT)
        return 0;
    return lockout_success(&m->devices.lockout, utc);
}

/* ---- COSEM bindings
 * ------------------------------------------------------------------------------ */

int meter_read_error_register(void *app, uint16_t arg, axdr_enc_t *e) {
    (void)arg;
    const meter_t *m = app;
    return axdr_put_uint32(e, diag_error_register(&m->devices.diag));
}

int meter_write_error_register(void *app, uint16_t arg, axdr_dec_t *d) {
    (void)arg;
    meter_t *m = app;
    uint32_t v;
    if (axdr_get_uint32(d, &v) != 0 || !cosem_dec_done(d))
        return DLMS_DAR_TYPE_UNMATCHED;
    diag_clear(&m->devices.diag, v);
    meter_event(m, METER_LOG_STANDARD, EV_ERROR_REGISTER_CLEARED, rtc_utc(m));
    return 0;
}

/* ---- display readouts: Profile generic (class 7, version 1) ----------------------------------
 *
 * Blue Book 4.3.6 "Profile generic" served for the display lists
 * (0.0.21.0.x.255): the list IS the capture_objects (attribute 3), read
 * and written through the display (display_list_encode / _write: hostile
 * input, capacities, legal readings). The buffer (2) holds one entry, the
 * current values of the captured attributes, read like the display reads
 * them (a value that cannot be read is null-data): what a client would
 * see on the LCD, in one GET. capture_period (4) 0: the readout is not
 * captured periodically; sort_method (5) fifo; sort_object (6) none;
 * entries_in_use (7) 1 (0 for an empty list); profile_entries (8) 1.
 * Methods reset and capture are not served (nothing is stored). */

static uint8_t readout_list(const cosem_object_t *obj) {
    return ((const meter_display_readout_def_t *)obj->def)->list;
}

static int readout_buffer(meter_t *m, const display_list_t *list, axdr_enc_t *e) {
    if (list->count == 0)
        return axdr_put_array(e, 0);
    axdr_put_array(e, 1);
    axdr_put_structure(e, list->count);
    for (uint8_t i = 0; i < list->count; i++) {
        const display_item_t *it = &list->items[i];
        const cosem_object_t *o = cosem_find(&m->cosem, it->obis);
        uint8_t buf[64];
        size_t n = 0;
        if (o != NULL && o->cls->class_id == it->class_id && it->attr >= 2 &&
            it->attr <= o->cls->attr_count && o->cls != &meter_class_display_readout &&
            (o->cls->present == NULL || o->cls->present(&m->cosem, o)) &&
            get_attr(m, o, it->attr, buf, sizeof(buf), &n) == 0)
            axdr_put_raw(e, buf, n);
        else
            axdr_put_null(e);
    }
    return 0;
}

static int readout_get(const cosem_req_t *r, axdr_enc_t *e) {
    meter_t *m = r->srv->app;
    uint8_t l = readout_list(r->obj);
    const display_list_t *list = display_list_get(&m->devices.display, l);
    switch (r->id) {
    case 2:
        readout_buffer(m, list, e);
        break;
    case 3:
        display_list_encode(&m->devices.display, l, e);
        break;
    case 4:
        axdr_put_uint32(e, 0);
        break;
    case 5:
        axdr_put_enum(e, 1); /* fifo */
        break;
    case 6: {
        static const uint8_t none[6] = {0};
        axdr_put_structure(e, 4);
        axdr_put_uint16(e, 0);
        axdr_put_octet_string(e, none, 6);
        axdr_put_int8(e, 0);
        axdr_put_uint16(e, 0);
        break;
    }
    case 7:
        axdr_put_uint32(e, list->count > 0 ? 1u : 0u);
        break;
    case 8:
        axdr_put_uint32(e, 1);
        break;
    default:
        return DLMS_DAR_OBJECT_UNDEFINED;
    }
    return e->err;
}

static int readout_set(const cosem_req_t *r, axdr_dec_t *value) {
    meter_t *m = r->srv->app;
    if (r->id != 3)
        return DLMS_DAR_READ_WRITE_DENIED;
    int rc = display_list_write(&m->devices.display, readout_list(r->obj), value);
    return rc < 0 ? (int)DLMS_DAR_OTHER_REASON : rc;
}

/* reset / capture: nothing is stored, so not offered (method_mask 0: the
 * dispatcher refuses them before this is reached). */
static int readout_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret,
                          bool *has_ret) {
    (void)r;
    (void)params;
    (void)ret;
    *has_ret = false;
    return DLMS_ACTION_READ_WRITE_DENIED;
}

static int readout_check(const cosem_server_t *s, const cosem_object_t *obj) {
    (void)s;
    return obj->def != NULL && readout_list(obj) < DISPLAY_LIST_COUNT ? 0 : COSEM_ERR_BINDING;
}

const cosem_class_t meter_class_display_readout = {
    .class_id = 7,
    .version = 1,
    .attr_count = 8,
    .method_count = 2,
    .write_mask = COSEM_BIT(3),
    .get = readout_get,
    .set = readout_set,
    .action = readout_action,
    .check = readout_check,
};

const meter_display_readout_def_t meter_def_display_readout[DISPLAY_LIST_COUNT] = {
    {DISPLAY_LIST_AUTO}, {DISPLAY_LIST_MANUAL}, {DISPLAY_LIST_SERVICE}, {DISPLAY_LIST_BATTERY}};

/* Read everything, write capture_objects ciphered (management client). */
const cosem_access_t meter_acc_display_readout = {
    .read = COSEM_ALL, .write = COSEM_BIT(3), .auth = COSEM_BIT(3)};

const cosem_data_def_t meter_def_error_register = {
    .value = COSEM_CALL(meter_read_error_register, meter_write_error_register, 0)};

const char *meter_devices_strerror(int err) {
    switch (err) {
    case METER_DEVICES_ERR_BADARG:
        return "meter devices: invalid argument";
    case METER_DEVICES_ERR_READ:
        return "meter devices: display item not readable";
    default:
        break;
    }
    if (err <= -0x0AB0 && err >= -0x0ABF)
        return display_strerror(err);
    if (err <= -0x0AC0 && err >= -0x0AC7)
        return tamper_strerror(err);
    if (err <= -0x0AC8 && err >= -0x0ACF)
        return lockout_strerror(err);
    if (err <= -0x0AD0 && err >= -0x0ADF)
        return diag_strerror(err);
    return "meter devices: unknown error";
}
