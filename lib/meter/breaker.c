/*
 * breaker.c - the meter's supply breaker (see breaker.h and docs/breaker.md
 * "In the meter"): Disconnect control (class 70) and Limiter (class 71) of
 * the Blue Book (IEC 62056-6-2:2017 4.5.8 / 4.5.9) wired to the relay
 * output, the metrology, the disconnector control log, the supervision and
 * the button.
 */
#include "meter/breaker.h"

#include <string.h>

#include "meter/meter.h"
#include "meter/objects_metering.h"
#include "store/record_bytes.h"

static const uint8_t LN_BREAKER[6] = {0, 0, 96, 3, 10, 255};
static const uint8_t LN_LIMITER[6] = {0, 0, 17, 0, 0, 255};
static const uint8_t LN_SCRIPTS[6] = {0, 0, 10, 0, 106, 255};
static const uint8_t LN_P_PLUS[6] = {1, 0, 1, 7, 0, 255};

/* ---- wrapper classes: present only when the meter has a breaker ----------- */

static bool breaker_present(const cosem_server_t *s, const cosem_object_t *obj) {
    (void)obj;
    const meter_t *m = s->app;
    return m->breaker.enabled;
}

static int dc_get(const cosem_req_t *r, axdr_enc_t *e) {
    return cosem_class_disconnect_control.get(r, e);
}
static int dc_set(const cosem_req_t *r, axdr_dec_t *v) {
    return cosem_class_disconnect_control.set(r, v);
}
static int dc_action(const cosem_req_t *r, axdr_dec_t *p, axdr_enc_t *ret, bool *has_ret) {
    return cosem_class_disconnect_control.action(r, p, ret, has_ret);
}
static int dc_check(const cosem_server_t *s, const cosem_object_t *obj) {
    return cosem_class_disconnect_control.check(s, obj);
}

static int lim_get(const cosem_req_t *r, axdr_enc_t *e) {
    return cosem_class_limiter.get(r, e);
}
static int lim_set(const cosem_req_t *r, axdr_dec_t *v) {
    return cosem_class_limiter.set(r, v);
}
static int lim_check(const cosem_server_t *s, const cosem_object_t *obj) {
    return cosem_class_limiter.check(s, obj);
}

static int st_get(const cosem_req_t *r, axdr_enc_t *e) {
    return cosem_class_script_table.get(r, e);
}
static int st_set(const cosem_req_t *r, axdr_dec_t *v) {
    return cosem_class_script_table.set(r, v);
}
static int st_action(const cosem_req_t *r, axdr_dec_t *p, axdr_enc_t *ret, bool *has_ret) {
    return cosem_class_script_table.action(r, p, ret, has_ret);
}
static int st_check(const cosem_server_t *s, const cosem_object_t *obj) {
    return cosem_class_script_table.check(s, obj);
}

/* The shapes repeat the module classes (a test compares them). */
const cosem_class_t meter_class_disconnect_control = {
    .class_id = COSEM_CLASS_DISCONNECT_CONTROL,
    .version = 0,
    .attr_count = 4,
    .method_count = 2,
    .write_mask = COSEM_BIT(4),
    .method_mask = COSEM_BIT(1) | COSEM_BIT(2),
    .get = dc_get,
    .set = dc_set,
    .action = dc_action,
    .check = dc_check,
    .present = breaker_present,
};

const cosem_class_t meter_class_limiter = {
    .class_id = COSEM_CLASS_LIMITER,
    .version = 0,
    .attr_count = 11,
    .method_count = 0,
    .write_mask = COSEM_BIT(2) | COSEM_BIT(4) | COSEM_BIT(5) | COSEM_BIT(6) | COSEM_BIT(7) |
                  COSEM_BIT(8) | COSEM_BIT(9) | COSEM_BIT(11),
    .get = lim_get,
    .set = lim_set,
    .check = lim_check,
    .present = breaker_present,
};

const cosem_class_t meter_class_breaker_scripts = {
    .class_id = COSEM_CLASS_SCRIPT_TABLE,
    .version = 0,
    .attr_count = 2,
    .method_count = 1,
    .write_mask = COSEM_BIT(2),
    .method_mask = COSEM_BIT(1),
    .get = st_get,
    .set = st_set,
    .action = st_action,
    .check = st_check,
    .present = breaker_present,
};

/* ---- definitions ----------------------------------------------------------------- */

static void on_transition(void *app, const cosem_object_t *obj, const cosem_disc_transition_t *t);
static int native_local(void *app, const cosem_object_t *table, uint16_t id);

const cosem_disconnect_def_t meter_def_breaker = {
    COSEM_STATE(cosem_disconnect_state_t, meter_t, breaker.disc), on_transition};
const cosem_limiter_def_t meter_def_limiter = {
    COSEM_STATE(cosem_limiter_state_t, meter_t, breaker.limiter)};
static const cosem_script_native_t natives[] = {{1, native_local}, {2, native_local}};
const cosem_script_table_def_t meter_def_breaker_scripts = {
    COSEM_STATE(cosem_script_table_state_t, meter_t, breaker.scripts), natives, 2};

/* Read in clear or ciphered; control_mode and the methods ciphered only. */
const cosem_access_t meter_acc_breaker = {.read = COSEM_ALL,
                                          .write = COSEM_BIT(4),
                                          .auth = COSEM_BIT(4),
                                          .method = COSEM_BIT(1) | COSEM_BIT(2),
                                          .method_auth = COSEM_BIT(1) | COSEM_BIT(2)};
const cosem_access_t meter_acc_limiter = {.read = COSEM_ALL, .write = COSEM_ALL, .auth = COSEM_ALL};

/* ---- relay and metrology --------------------------------------------------------- */

static int64_t now_utc(const meter_t *m) {
    int64_t utc;
    if (m->breaker.in_step)
        return m->now;
    return cosem_rtc_now(&m->cosem, &utc) == 0 ? utc : m->now;
}

/* The load the metrology sees for the relay position. */
static int apply_load(meter_t *m) {
    const meter_breaker_t *b = &m->breaker;
    if (b->relay_closed)
        return metrology_phasor_set(&m->metro, &b->load);
    metrology_phasor_input_t open = b->load;
    for (unsigned k = 0; k < METROLOGY_PHASES; k++) {
        open.ph[k].i_rms = 0.0;
        for (unsigned h = 0; h < EM_METROLOGY_PHASOR_HARMONICS; h++)
            open.ph[k].harm[h].i_rms = 0.0f;
    }
    return metrology_phasor_set(&m->metro, &open);
}

/* The relay follows output_state (closed exactly in connected). */
static void drive_relay(meter_t *m) {
    meter_breaker_t *b = &m->breaker;
    b->relay_closed = !b->enabled || b->disc.output_state;
    if (m->port->relay != NULL)
        m->port->relay(m->port->user, b->relay_closed);
    apply_load(m);
}

static void on_transition(void *app, const cosem_object_t *obj, const cosem_disc_transition_t *t) {
    (void)obj;
    meter_t *m = app;
    meter_breaker_t *b = &m->breaker;
    b->transitions++;
    if (t->to == COSEM_DISC_CONNECTED)
        b->sup_tripped = 0;
    drive_relay(m);
    meter_event(m, METER_LOG_BREAKER, cosem_disconnect_event_code(t), now_utc(m));
}

int meter_breaker_set_load(meter_t *m, const metrology_phasor_input_t *load) {
    int rc = metrology_phasor_set(&m->metro, load); /* validates it */
    if (rc != 0)
        return rc;
    m->breaker.load = *load;
    return m->breaker.relay_closed ? 0 : apply_load(m);
}

/* ---- local functions -------------------------------------------------------------- */

static const cosem_object_t *breaker_obj(const meter_t *m) {
    return cosem_find(&m->cosem, LN_BREAKER);
}

int meter_breaker_local(meter_t *m, bool disconnect) {
    if (m == NULL || !m->breaker.enabled)
        return METER_ERR_BADARG;
    const cosem_object_t *o = breaker_obj(m);
    return disconnect ? cosem_disconnect_local_disconnect(&m->cosem, o)
                      : cosem_disconnect_local_reconnect(&m->cosem, o);
}

/* Scripts 1 and 2. Run by the limiter's tick they wait until its event
 * (65/66) is logged, so the log reads cause before effect. */
static int native_local(void *app, const cosem_object_t *table, uint16_t id) {
    (void)table;
    meter_t *m = app;
    if (m->breaker.in_limiter) {
        m->breaker.limiter_pending = (uint8_t)id;
        return 0;
    }
    int rc = meter_breaker_local(m, id == 1);
    return rc < 0 ? rc : 0;
}

/* A supervision condition of voltage (seen with the relay open) holds now. */
static bool voltage_hold(const meter_breaker_t *b) {
    return b->sup_since[METER_SUP_OVER_VOLTAGE] != 0 || b->sup_since[METER_SUP_NEUTRAL_LOSS] != 0;
}

int meter_breaker_button(meter_t *m) {
    if (m == NULL)
        return METER_ERR_BADARG;
    meter_breaker_t *b = &m->breaker;
    if (!b->enabled)
        return 0;
    const cosem_object_t *o = breaker_obj(m);
    if (b->disc.control_state == COSEM_DISC_READY_FOR_RECONNECTION) {
        if (b->prepay_inhibit || voltage_hold(b))
            return 0;
        return cosem_disconnect_manual_reconnect(&m->cosem, o);
    }
    if (b->disc.control_state == COSEM_DISC_CONNECTED)
        return cosem_disconnect_manual_disconnect(&m->cosem, o);
    return 0;
}

/* ---- supervision ------------------------------------------------------------------- */

void meter_supervision_default(meter_supervision_cfg_t *cfg) {
    memset(cfg, 0, sizeof(*cfg));
    cfg->over_current_ca = 6900; /* 69 A: 1.1 x the 63 A of seed 004's breaker variant */
    cfg->over_current_s = 10;
    cfg->over_voltage_dv = 2760; /* 276 V: 1.2 x 230 V */
    cfg->over_voltage_s = 5;
    cfg->neutral_loss = true;
    cfg->neutral_s = 0;
    cfg->restore_s = 60;
}

static bool cond_now(const meter_t *m, unsigned k) {
    const meter_supervision_cfg_t *c = &m->breaker.sup;
    const meter_instant_t *in = &m->inst;
    switch (k) {
    case METER_SUP_OVER_CURRENT:
        if (c->over_current_ca == 0)
            return false;
        for (unsigned p = 0; p < METROLOGY_PHASES; p++)
            if (in->i_ca[p] > c->over_current_ca)
                return true;
        return false;
    case METER_SUP_OVER_POWER:
        return c->over_power_w != 0 && in->p_plus_w > c->over_power_w;
    case METER_SUP_OVER_VOLTAGE:
        if (c->over_voltage_dv == 0)
            return false;
        for (unsigned p = 0; p < METROLOGY_PHASES; p++)
            if (in->v_dv[p] > c->over_voltage_dv)
                return true;
        return false;
    default:
        return c->neutral_loss && m->pq.nl_active;
    }
}

static uint32_t cond_duration(const meter_supervision_cfg_t *c, unsigned k) {
    switch (k) {
    case METER_SUP_OVER_CURRENT:
        return c->over_current_s;
    case METER_SUP_OVER_POWER:
        return c->over_power_s;
    case METER_SUP_OVER_VOLTAGE:
        return c->over_voltage_s;
    default:
        return c->neutral_s;
    }
}

static void supervise(meter_t *m, int64_t utc) {
    meter_breaker_t *b = &m->breaker;
    for (unsigned k = 0; k < METER_SUP_COUNT; k++) {
        if (!cond_now(m, k)) {
            b->sup_since[k] = 0;
            continue;
        }
        if (b->sup_since[k] == 0 || b->sup_since[k] > utc)
            b->sup_since[k] = utc;
        if (utc - b->sup_since[k] < (int64_t)cond_duration(&b->sup, k) ||
            b->disc.control_state != COSEM_DISC_CONNECTED ||
            b->disc.control_mode == COSEM_DISC_MODE_NONE)
            continue;
        meter_event(m, METER_LOG_BREAKER, (uint8_t)(METER_EV_BREAKER_OVER_CURRENT + k), utc);
        if (meter_breaker_local(m, true) == 1)
            b->sup_tripped |= (uint8_t)(1u << k);
    }
    /* Voltage conditions gone for restore_s: local reconnect (modes 5, 6). */
    const uint8_t volt = (1u << METER_SUP_OVER_VOLTAGE) | (1u << METER_SUP_NEUTRAL_LOSS);
    if ((b->sup_tripped & volt) == 0 || voltage_hold(b)) {
        b->sup_clear_since = 0;
        return;
    }
    if (b->sup_clear_since == 0 || b->sup_clear_since > utc)
        b->sup_clear_since = utc;
    if (utc - b->sup_clear_since >= (int64_t)b->sup.restore_s &&
        b->disc.control_state == COSEM_DISC_READY_FOR_RECONNECTION && !b->prepay_inhibit) {
        b->sup_tripped &= (uint8_t)~volt;
        b->sup_clear_since = 0;
        meter_breaker_local(m, false);
    }
}

/* ---- init, step ------------------------------------------------------------------- */

void meter_breaker_init(meter_t *m, const meter_identity_t *id) {
    meter_breaker_t *b = &m->breaker;
    memset(b, 0, sizeof(*b));
    b->enabled = m->variant == METER_VARIANT_OMNI || id->breaker;
    cosem_disconnect_init(&b->disc, 5);
    cosem_limiter_init(&b->limiter);
    b->limiter.class_id = COSEM_CLASS_REGISTER;
    memcpy(b->limiter.ln, LN_P_PLUS, 6);
    b->limiter.attribute_index = 2;
    /* Thresholds null (inactive) until a head-end writes them; then over
     * for 60 s opens, under for 300 s recloses (modes 5/6): a load that is
     * still too much trips again only after 5 minutes off. */
    b->limiter.min_over = 60;
    b->limiter.min_under = 300;
    memcpy(b->limiter.action_over.ln, LN_SCRIPTS, 6);
    b->limiter.action_over.selector = 1;
    memcpy(b->limiter.action_under.ln, LN_SCRIPTS, 6);
    b->limiter.action_under.selector = 2;
    b->scripts.count = 2;
    b->scripts.scripts[0].id = 1;
    b->scripts.scripts[1].id = 2;
    meter_supervision_default(&b->sup);
    b->load = m->metro.phasor;
    drive_relay(m);
}

int meter_breaker_step(meter_t *m, int64_t utc) {
    meter_breaker_t *b = &m->breaker;
    if (!b->enabled)
        return 0;
    b->in_step = true;
    b->in_limiter = true;
    b->limiter_pending = 0;
    int rc = cosem_limiter_tick(&m->cosem, cosem_find(&m->cosem, LN_LIMITER), utc);
    b->in_limiter = false;
    if (rc > 0) {
        if (rc & COSEM_LIMITER_RAN_OVER)
            meter_event(m, METER_LOG_BREAKER, METER_EV_BREAKER_LIMITER_OVER, utc);
        if (rc & COSEM_LIMITER_RAN_UNDER)
            meter_event(m, METER_LOG_BREAKER, METER_EV_BREAKER_LIMITER_OK, utc);
        rc = 0;
    } else if (rc == COSEM_ERR_LIMITER_VALUE) {
        rc = 0; /* a monitored value a head-end pointed at nothing numeric: nothing runs */
    }
    if (b->limiter_pending != 0)
        meter_breaker_local(m, b->limiter_pending == 1);
    supervise(m, utc);
    b->in_step = false;
    return rc;
}

void meter_breaker_restored(meter_t *m) {
    drive_relay(m);
}

bool meter_breaker_present(const meter_t *m) {
    return m->breaker.enabled;
}

bool meter_breaker_closed(const meter_t *m) {
    return m->breaker.relay_closed;
}

uint8_t meter_breaker_control_state(const meter_t *m) {
    return m->breaker.disc.control_state;
}

/* ---- persistence (record REC_BREAKER) ----------------------------------------------- */

#define BREAKER_V1 1u

static uint8_t *put_num(uint8_t *p, const cosem_monitor_number_t *n) {
    *p++ = n->tag;
    return store_put_le(p, n->v.u, 8);
}

static void get_num(store_rd_t *r, cosem_monitor_number_t *n) {
    n->tag = (uint8_t)store_get_le(r, 1);
    n->v.u = store_get_le(r, 8);
}

static uint8_t *put_ref(uint8_t *p, const cosem_script_ref_t *ref) {
    memcpy(p, ref->ln, 6);
    return store_put_le(p + 6, ref->selector, 2);
}

static void get_ref(store_rd_t *r, cosem_script_ref_t *ref) {
    for (unsigned i = 0; i < 6; i++)
        ref->ln[i] = (uint8_t)store_get_le(r, 1);
    ref->selector = (uint16_t)store_get_le(r, 2);
}

size_t meter_breaker_encode(const meter_t *m, uint8_t *b) {
    const meter_breaker_t *br = &m->breaker;
    const cosem_limiter_state_t *l = &br->limiter;
    const cosem_datetime_t *dt = &l->emergency.activation;
    uint8_t *p = b;
    *p++ = BREAKER_V1;
    *p++ = br->disc.output_state ? 1u : 0u;
    *p++ = br->disc.control_state;
    *p++ = br->disc.control_mode;
    *p++ = br->sup_tripped;
    p = store_put_le(p, l->class_id, 2);
    memcpy(p, l->ln, 6);
    p += 6;
    *p++ = (uint8_t)l->attribute_index;
    p = put_num(p, &l->threshold_normal);
    p = put_num(p, &l->threshold_emergency);
    p = store_put_le(p, l->min_over, 4);
    p = store_put_le(p, l->min_under, 4);
    p = store_put_le(p, l->emergency.id, 2);
    p = store_put_le(p, dt->year, 2);
    *p++ = dt->month;
    *p++ = dt->day;
    *p++ = dt->day_of_week;
    *p++ = dt->hour;
    *p++ = dt->minute;
    *p++ = dt->second;
    *p++ = dt->hundredths;
    p = store_put_le(p, (uint16_t)dt->deviation, 2);
    *p++ = dt->clock_status;
    p = store_put_le(p, l->emergency.duration, 4);
    uint8_t n = l->group_count <= EM_COSEM_LIMITER_GROUP_IDS ? l->group_count : 0;
    *p++ = n;
    for (unsigned i = 0; i < n; i++)
        p = store_put_le(p, l->group_ids[i], 2);
    p = put_ref(p, &l->action_over);
    p = put_ref(p, &l->action_under);
    *p++ = l->over ? 1u : 0u;
    return (size_t)(p - b);
}

_Static_assert(5u + 9u + 2u * 9u + 8u + 2u + 12u + 4u + 1u + 2u * EM_COSEM_LIMITER_GROUP_IDS +
                       2u * 8u + 1u <=
                   METER_BREAKER_REC_LEN,
               "the breaker record fits METER_BREAKER_REC_LEN");

bool meter_breaker_decode(meter_t *m, const uint8_t *b, size_t len) {
    store_rd_t r = {b, len, 0, false};
    if (store_get_le(&r, 1) != BREAKER_V1)
        return false;
    cosem_disconnect_state_t d;
    d.output_state = store_get_le(&r, 1) != 0;
    d.control_state = (uint8_t)store_get_le(&r, 1);
    d.control_mode = (uint8_t)store_get_le(&r, 1);
    uint8_t tripped = (uint8_t)store_get_le(&r, 1);
    cosem_limiter_state_t l = m->breaker.limiter;
    l.class_id = (uint16_t)store_get_le(&r, 2);
    for (unsigned i = 0; i < 6; i++)
        l.ln[i] = (uint8_t)store_get_le(&r, 1);
    l.attribute_index = (int8_t)store_get_le(&r, 1);
    get_num(&r, &l.threshold_normal);
    get_num(&r, &l.threshold_emergency);
    l.min_over = (uint32_t)store_get_le(&r, 4);
    l.min_under = (uint32_t)store_get_le(&r, 4);
    l.emergency.id = (uint16_t)store_get_le(&r, 2);
    cosem_datetime_t *dt = &l.emergency.activation;
    dt->year = (uint16_t)store_get_le(&r, 2);
    dt->month = (uint8_t)store_get_le(&r, 1);
    dt->day = (uint8_t)store_get_le(&r, 1);
    dt->day_of_week = (uint8_t)store_get_le(&r, 1);
    dt->hour = (uint8_t)store_get_le(&r, 1);
    dt->minute = (uint8_t)store_get_le(&r, 1);
    dt->second = (uint8_t)store_get_le(&r, 1);
    dt->hundredths = (uint8_t)store_get_le(&r, 1);
    dt->deviation = (int16_t)(uint16_t)store_get_le(&r, 2);
    dt->clock_status = (uint8_t)store_get_le(&r, 1);
    l.emergency.duration = (uint32_t)store_get_le(&r, 4);
    l.group_count = (uint8_t)store_get_le(&r, 1);
    if (l.group_count > EM_COSEM_LIMITER_GROUP_IDS)
        return false;
    for (unsigned i = 0; i < l.group_count; i++)
        l.group_ids[i] = (uint16_t)store_get_le(&r, 2);
    get_ref(&r, &l.action_over);
    get_ref(&r, &l.action_under);
    bool over = store_get_le(&r, 1) != 0;
    if (r.bad || r.pos != r.len || cosem_disconnect_check_state(&d) != 0)
        return false;
    /* The count restarts; a limiter that had acted stays "over". */
    cosem_limiter_reset_runtime(&l);
    l.over = over;
    m->breaker.disc = d;
    m->breaker.limiter = l;
    m->breaker.sup_tripped = tripped;
    meter_breaker_restored(m);
    return true;
}
