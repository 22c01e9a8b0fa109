/*
 * prepay.c - prepayment in the meter (see prepay.h and docs/prepayment.md
 * "In the meter"): the Blue Book payment metering classes Account (111),
 * Credit (112), Charge (113) and Token gateway (115) fed with the A+
 * energy of every step, driving the breaker, logging their outcomes.
 */
#include "meter/prepay.h"

#include <string.h>

#include "meter/meter.h"
#include "store/record_bytes.h"

static const uint8_t LN_ACCOUNT[6] = {0, 0, 19, 0, 0, 255};
static const uint8_t LN_TOKEN_CREDIT[6] = {0, 0, 19, 10, 0, 255};
static const uint8_t LN_EMERGENCY[6] = {0, 0, 19, 10, 1, 255};
static const uint8_t LN_ENERGY[6] = {0, 0, 19, 20, 0, 255};
static const uint8_t LN_STANDING[6] = {0, 0, 19, 20, 1, 255};
static const uint8_t LN_DEBT[6] = {0, 0, 19, 20, 2, 255};
static const uint8_t LN_GATEWAY[6] = {0, 0, 19, 40, 0, 255};

static void on_prepay(void *app, const cosem_object_t *account, uint8_t event, int32_t value);

const cosem_account_def_t meter_def_account = {
    .state = COSEM_STATE(cosem_account_state_t, meter_t, prepay.account),
    .hook = on_prepay,
    .tariff = COSEM_FIELD(AXDR_OCTET_STRING, meter_t, tariff_ind)};
const cosem_credit_def_t meter_def_credit_token = {
    COSEM_STATE(cosem_credit_state_t, meter_t, prepay.token)};
const cosem_credit_def_t meter_def_credit_emergency = {
    COSEM_STATE(cosem_credit_state_t, meter_t, prepay.emergency)};
const cosem_charge_def_t meter_def_charge_energy = {
    COSEM_STATE(cosem_charge_state_t, meter_t, prepay.energy)};
const cosem_charge_def_t meter_def_charge_standing = {
    COSEM_STATE(cosem_charge_state_t, meter_t, prepay.standing)};
const cosem_charge_def_t meter_def_charge_debt = {
    COSEM_STATE(cosem_charge_state_t, meter_t, prepay.debt)};
const cosem_token_gateway_def_t meter_def_token_gateway = {
    COSEM_STATE(cosem_token_gateway_state_t, meter_t, prepay.gateway), {0, 0, 19, 0, 0, 255}};

/* Management client only, every change ciphered. The reference lists
 * (account 9-12) and the unit charges (charge 5-7, methods 1-2) are the
 * factory's: they are not in the persisted record (docs/prepayment.md). */
#define ACCOUNT_W                                                                                  \
    (COSEM_BIT(2) | COSEM_BIT(7) | COSEM_BIT(13) | COSEM_BIT(14) | COSEM_BIT(15) | COSEM_BIT(16) | \
     COSEM_BIT(17) | COSEM_BIT(18) | COSEM_BIT(19))
#define CREDIT_W                                                                                   \
    (COSEM_BIT(3) | COSEM_BIT(4) | COSEM_BIT(5) | COSEM_BIT(6) | COSEM_BIT(7) | COSEM_BIT(9) |     \
     COSEM_BIT(10) | COSEM_BIT(11))
#define CHARGE_W (COSEM_BIT(3) | COSEM_BIT(4) | COSEM_BIT(8) | COSEM_BIT(9) | COSEM_BIT(13))
#define M123     (COSEM_BIT(1) | COSEM_BIT(2) | COSEM_BIT(3))
#define M345     (COSEM_BIT(3) | COSEM_BIT(4) | COSEM_BIT(5))
const cosem_access_t meter_acc_account = {
    .read = COSEM_ALL, .write = ACCOUNT_W, .auth = ACCOUNT_W, .method = M123, .method_auth = M123};
const cosem_access_t meter_acc_credit = {
    .read = COSEM_ALL, .write = CREDIT_W, .auth = CREDIT_W, .method = M123, .method_auth = M123};
const cosem_access_t meter_acc_charge = {
    .read = COSEM_ALL, .write = CHARGE_W, .auth = CHARGE_W, .method = M345, .method_auth = M345};
const cosem_access_t meter_acc_token_gateway = {
    .read = COSEM_ALL, .method = COSEM_BIT(1), .method_auth = COSEM_BIT(1)};

/* ---- hook and level --------------------------------------------------------------- */

static int64_t now_utc(const meter_t *m) {
    int64_t utc;
    if (m->breaker.in_step)
        return m->now;
    return cosem_rtc_now(&m->cosem, &utc) == 0 ? utc : m->now;
}

/* The level of the account, applied to the breaker. */
static void apply_level(meter_t *m, int64_t utc) {
    meter_prepay_t *p = &m->prepay;
    bool want =
        p->account.disconnect_wanted && p->account.payment_mode == COSEM_PAYMENT_MODE_PREPAYMENT;
    m->breaker.prepay_inhibit = want;
    const cosem_disconnect_state_t *d = &m->breaker.disc;
    if (!want || !m->breaker.enabled || d->control_state != COSEM_DISC_CONNECTED ||
        d->control_mode == COSEM_DISC_MODE_NONE)
        return;
    meter_event(m, METER_LOG_BREAKER, METER_EV_BREAKER_PREPAY, utc);
    meter_breaker_local(m, true);
}

static void on_prepay(void *app, const cosem_object_t *account, uint8_t event, int32_t value) {
    (void)account;
    (void)value;
    meter_t *m = app;
    int64_t utc = now_utc(m);
    uint8_t code = 0;
    switch (event) {
    case COSEM_PREPAY_LOW_CREDIT:
        code = METER_EV_PREPAY_LOW_CREDIT;
        break;
    case COSEM_PREPAY_EXHAUSTED:
        code = METER_EV_PREPAY_EXHAUSTED;
        break;
    case COSEM_PREPAY_CREDIT_AVAILABLE:
        code = METER_EV_PREPAY_AVAILABLE;
        break;
    case COSEM_PREPAY_TOP_UP:
        m->prepay.top_ups++;
        code = METER_EV_PREPAY_TOP_UP;
        break;
    case COSEM_PREPAY_TOKEN_REFUSED:
        code = METER_EV_PREPAY_REFUSED;
        break;
    default:
        break;
    }
    if (code != 0)
        meter_event(m, METER_LOG_STANDARD, code, utc);
    /* Out of credit opens at once; credit again lets the button reconnect. */
    apply_level(m, utc);
}

/* ---- init, step -------------------------------------------------------------------- */

/* Without a configured key: SHA-256("EMT-TOKEN-KEY" | system title), first
 * 16 bytes. Anyone who knows the system title can compute it: a simulator
 * default, never a production key (docs/prepayment.md). */
static void default_key(const uint8_t title[8], uint8_t key[16]) {
    uint8_t in[13 + 8];
    memcpy(in, "EMT-TOKEN-KEY", 13);
    memcpy(in + 13, title, 8);
    uint8_t d[EM_SHA256_LEN];
    if (em_crypto_sha256(in, sizeof(in), d) != 0)
        memset(d, 0, sizeof(d));
    memcpy(key, d, 16);
    memset(d, 0, sizeof(d));
}

void meter_prepay_init(meter_t *m, const meter_identity_t *id) {
    meter_prepay_t *p = &m->prepay;
    memset(p, 0, sizeof(*p));
    p->enabled = cosem_find(&m->cosem, LN_ACCOUNT) != NULL;
    cosem_account_state_t *a = &p->account;
    cosem_account_init(a, "EUR", -2, COSEM_CURRENCY_MONETARY);
    a->account_status = COSEM_ACCOUNT_NEW;
    a->credit_count = 2;
    memcpy(a->credits[0], LN_TOKEN_CREDIT, 6);
    memcpy(a->credits[1], LN_EMERGENCY, 6);
    a->charge_count = 3;
    memcpy(a->charges[0], LN_ENERGY, 6);
    memcpy(a->charges[1], LN_STANDING, 6);
    memcpy(a->charges[2], LN_DEBT, 6);
    a->low_credit_threshold = 200;
    cosem_credit_init_token(&p->token, 1);
    cosem_credit_init_emergency(&p->emergency, 2, 500, 0, false);
    /* 25 ct/kWh of the A+ handed to the tick (no commodity reference). */
    cosem_charge_init(&p->energy, COSEM_CHARGE_CONSUMPTION, 1, 25, -3, 0);
    cosem_charge_init(&p->standing, COSEM_CHARGE_TIME, 0, 30, 0, 0);
    p->standing.period = 86400;
    cosem_charge_init(&p->debt, COSEM_CHARGE_PAYMENT, 0, 0, 0, 0);
    p->debt.charge_configuration = COSEM_CHARGE_CFG_PERCENTAGE;
    p->debt.proportion = 2500;
    uint8_t key[16];
    if (id->token_key != NULL)
        memcpy(key, id->token_key, 16);
    else
        default_key(id->system_title, key);
    cosem_token_gateway_init(&p->gateway, key, id->system_title);
    memset(key, 0, sizeof(key));
    /* The registers start at zero; a restore brings both back together. */
    p->a_plus_base_uwh = m->energy.uwh[METER_E_A_PLUS];
    p->have_base = true;
}

int meter_prepay_step(meter_t *m, int64_t utc) {
    meter_prepay_t *p = &m->prepay;
    if (!p->enabled)
        return 0;
    uint64_t now = m->energy.uwh[METER_E_A_PLUS];
    if (!p->have_base || now < p->a_plus_base_uwh) {
        p->a_plus_base_uwh = now;
        p->have_base = true;
    }
    uint64_t wh = (now - p->a_plus_base_uwh) / 1000000u;
    p->a_plus_base_uwh += wh * 1000000u;
    p->account.supply_disconnected = m->breaker.enabled && !m->breaker.relay_closed;
    p->account.load_limiting = m->breaker.enabled && m->breaker.limiter.over;
    bool was = m->breaker.in_step;
    m->breaker.in_step = true;
    int rc = cosem_prepay_tick(&m->cosem, cosem_find(&m->cosem, LN_ACCOUNT), utc, wh);
    apply_level(m, utc);
    m->breaker.in_step = was;
    return rc;
}

int meter_prepay_token(meter_t *m, const uint8_t *token, size_t len, uint8_t method) {
    if (m == NULL || !m->prepay.enabled)
        return METER_ERR_BADARG;
    return cosem_token_gateway_enter(&m->cosem, cosem_find(&m->cosem, LN_GATEWAY), token, len,
                                     method, now_utc(m));
}

/* ---- persistence (record REC_PREPAY) ----------------------------------------------- */

#define PREPAY_V1 1u

#define ACCOUNT_LEN (4u + 16u + 16u + 1u + EM_PREPAY_CURRENCY_NAME_MAX + 2u + 14u + 5u + 1u + 10u)
#define CREDIT_LEN  33u
#define CHARGE_LEN  62u
#define GATEWAY_LEN (8u + 4u + 8u + 2u + 4u * EM_PREPAY_TOKEN_HISTORY)
_Static_assert(1u + ACCOUNT_LEN + 2u * CREDIT_LEN + 3u * CHARGE_LEN + GATEWAY_LEN + 9u <=
                   METER_PREPAY_REC_LEN,
               "the prepayment record fits METER_PREPAY_REC_LEN");

static uint8_t *put_account(uint8_t *p, const cosem_account_state_t *a) {
    *p++ = a->payment_mode;
    *p++ = a->account_status;
    *p++ = a->current_credit_in_use;
    *p++ = a->current_credit_status;
    p = store_put_le(p, (uint32_t)a->available_credit, 4);
    p = store_put_le(p, (uint32_t)a->amount_to_clear, 4);
    p = store_put_le(p, (uint32_t)a->clearance_threshold, 4);
    p = store_put_le(p, (uint32_t)a->aggregated_debt, 4);
    p = store_put_le(p, (uint64_t)a->activation_time, 8);
    p = store_put_le(p, (uint64_t)a->closure_time, 8);
    uint8_t n = a->currency_name_len <= EM_PREPAY_CURRENCY_NAME_MAX ? a->currency_name_len : 0;
    *p++ = n;
    memset(p, 0, EM_PREPAY_CURRENCY_NAME_MAX);
    memcpy(p, a->currency_name, n);
    p += EM_PREPAY_CURRENCY_NAME_MAX;
    *p++ = (uint8_t)a->currency_scale;
    *p++ = a->currency_unit;
    p = store_put_le(p, (uint32_t)a->low_credit_threshold, 4);
    p = store_put_le(p, (uint32_t)a->next_credit_available_threshold, 4);
    p = store_put_le(p, a->max_provision, 2);
    p = store_put_le(p, (uint32_t)a->max_provision_period, 4);
    *p++ = a->friendly.weekdays;
    p = store_put_le(p, a->friendly.start_minute, 2);
    p = store_put_le(p, a->friendly.end_minute, 2);
    *p++ = (uint8_t)((a->supply_disconnected ? 1u : 0u) | (a->load_limiting ? 2u : 0u) |
                     (a->low_reported ? 4u : 0u) | (a->out_of_credit ? 8u : 0u) |
                     (a->disconnect_wanted ? 16u : 0u) | (a->deferred ? 32u : 0u));
    p = store_put_le(p, a->provisions, 2);
    return store_put_le(p, (uint64_t)a->provision_start, 8);
}

static void get_account(store_rd_t *r, cosem_account_state_t *a) {
    a->payment_mode = (uint8_t)store_get_le(r, 1);
    a->account_status = (uint8_t)store_get_le(r, 1);
    a->current_credit_in_use = (uint8_t)store_get_le(r, 1);
    a->current_credit_status = (uint8_t)store_get_le(r, 1);
    a->available_credit = (int32_t)(uint32_t)store_get_le(r, 4);
    a->amount_to_clear = (int32_t)(uint32_t)store_get_le(r, 4);
    a->clearance_threshold = (int32_t)(uint32_t)store_get_le(r, 4);
    a->aggregated_debt = (int32_t)(uint32_t)store_get_le(r, 4);
    a->activation_time = (int64_t)store_get_le(r, 8);
    a->closure_time = (int64_t)store_get_le(r, 8);
    a->currency_name_len = (uint8_t)store_get_le(r, 1);
    if (a->currency_name_len > EM_PREPAY_CURRENCY_NAME_MAX)
        r->bad = true;
    for (unsigned i = 0; i < EM_PREPAY_CURRENCY_NAME_MAX; i++)
        a->currency_name[i] = (uint8_t)store_get_le(r, 1);
    a->currency_scale = (int8_t)store_get_le(r, 1);
    a->currency_unit = (uint8_t)store_get_le(r, 1);
    a->low_credit_threshold = (int32_t)(uint32_t)store_get_le(r, 4);
    a->next_credit_available_threshold = (int32_t)(uint32_t)store_get_le(r, 4);
    a->max_provision = (uint16_t)store_get_le(r, 2);
    a->max_provision_period = (int32_t)(uint32_t)store_get_le(r, 4);
    a->friendly.weekdays = (uint8_t)store_get_le(r, 1);
    a->friendly.start_minute = (uint16_t)store_get_le(r, 2);
    a->friendly.end_minute = (uint16_t)store_get_le(r, 2);
    uint8_t f = (uint8_t)store_get_le(r, 1);
    a->supply_disconnected = (f & 1u) != 0;
    a->load_limiting = (f & 2u) != 0;
    a->low_reported = (f & 4u) != 0;
    a->out_of_credit = (f & 8u) != 0;
    a->disconnect_wanted = (f & 16u) != 0;
    a->deferred = (f & 32u) != 0;
    a->provisions = (uint16_t)store_get_le(r, 2);
    a->provision_start = (int64_t)store_get_le(r, 8);
    if (a->payment_mode < COSEM_PAYMENT_MODE_CREDIT ||
        a->payment_mode > COSEM_PAYMENT_MODE_PREPAYMENT || a->account_status < COSEM_ACCOUNT_NEW ||
        a->account_status > COSEM_ACCOUNT_CLOSED)
        r->bad = true;
}

static uint8_t *put_credit(uint8_t *p, const cosem_credit_state_t *c) {
    p = store_put_le(p, (uint32_t)c->current_credit_amount, 4);
    *p++ = c->credit_type;
    *p++ = c->priority;
    *p++ = c->credit_configuration;
    *p++ = c->credit_status;
    p = store_put_le(p, (uint32_t)c->warning_threshold, 4);
    p = store_put_le(p, (uint32_t)c->limit, 4);
    p = store_put_le(p, (uint32_t)c->preset_credit_amount, 4);
    p = store_put_le(p, (uint32_t)c->credit_available_threshold, 4);
    p = store_put_le(p, (uint64_t)c->period, 8);
    *p++ = c->warned ? 1u : 0u;
    return p;
}

static void get_credit(store_rd_t *r, cosem_credit_state_t *c) {
    c->current_credit_amount = (int32_t)(uint32_t)store_get_le(r, 4);
    c->credit_type = (uint8_t)store_get_le(r, 1);
    c->priority = (uint8_t)store_get_le(r, 1);
    c->credit_configuration = (uint8_t)store_get_le(r, 1);
    c->credit_status = (uint8_t)store_get_le(r, 1);
    c->warning_threshold = (int32_t)(uint32_t)store_get_le(r, 4);
    c->limit = (int32_t)(uint32_t)store_get_le(r, 4);
    c->preset_credit_amount = (int32_t)(uint32_t)store_get_le(r, 4);
    c->credit_available_threshold = (int32_t)(uint32_t)store_get_le(r, 4);
    c->period = (int64_t)store_get_le(r, 8);
    c->warned = store_get_le(r, 1) != 0;
    if (c->credit_type > COSEM_CREDIT_TYPE_CONSUMPTION || c->credit_status > COSEM_CREDIT_EXHAUSTED)
        r->bad = true;
}

static uint8_t *put_charge(uint8_t *p, const cosem_charge_state_t *c) {
    p = store_put_le(p, (uint32_t)c->total_amount_paid, 4);
    *p++ = c->charge_type;
    *p++ = c->priority;
    *p++ = c->charge_configuration;
    p = store_put_le(p, c->proportion, 2);
    p = store_put_le(p, (uint64_t)c->activation_time, 8);
    p = store_put_le(p, c->period, 4);
    p = store_put_le(p, (uint64_t)c->last_collection_time, 8);
    p = store_put_le(p, (uint32_t)c->last_collection_amount, 4);
    p = store_put_le(p, (uint32_t)c->total_amount_remaining, 4);
    p = store_put_le(p, (uint64_t)c->remainder, 8);
    p = store_put_le(p, (uint64_t)c->last_commodity, 8);
    *p++ = c->have_commodity ? 1u : 0u;
    return store_put_le(p, (uint64_t)c->next_period, 8);
}

static void get_charge(store_rd_t *r, cosem_charge_state_t *c) {
    c->total_amount_paid = (int32_t)(uint32_t)store_get_le(r, 4);
    c->charge_type = (uint8_t)store_get_le(r, 1);
    c->priority = (uint8_t)store_get_le(r, 1);
    c->charge_configuration = (uint8_t)store_get_le(r, 1);
    c->proportion = (uint16_t)store_get_le(r, 2);
    c->activation_time = (int64_t)store_get_le(r, 8);
    c->period = (uint32_t)store_get_le(r, 4);
    c->last_collection_time = (int64_t)store_get_le(r, 8);
    c->last_collection_amount = (int32_t)(uint32_t)store_get_le(r, 4);
    c->total_amount_remaining = (int32_t)(uint32_t)store_get_le(r, 4);
    c->remainder = (int64_t)store_get_le(r, 8);
    c->last_commodity = (int64_t)store_get_le(r, 8);
    c->have_commodity = store_get_le(r, 1) != 0;
    c->next_period = (int64_t)store_get_le(r, 8);
    if (c->charge_type > COSEM_CHARGE_PAYMENT)
        r->bad = true;
}

static uint8_t *put_gateway(uint8_t *p, const cosem_token_gateway_state_t *g) {
    p = store_put_le(p, (uint64_t)g->token_time, 8);
    *p++ = g->delivery_method;
    *p++ = g->status_code;
    *p++ = g->status_bits;
    *p++ = g->described ? 1u : 0u;
    p = store_put_le(p, g->last_id, 4);
    p = store_put_le(p, (uint32_t)g->last_amount, 4);
    uint8_t n = g->history_count <= EM_PREPAY_TOKEN_HISTORY ? g->history_count : 0;
    *p++ = n;
    *p++ = g->history_pos;
    for (unsigned i = 0; i < EM_PREPAY_TOKEN_HISTORY; i++)
        p = store_put_le(p, g->history[i], 4);
    return p;
}

static void get_gateway(store_rd_t *r, cosem_token_gateway_state_t *g) {
    g->token_time = (int64_t)store_get_le(r, 8);
    g->delivery_method = (uint8_t)store_get_le(r, 1);
    g->status_code = (uint8_t)store_get_le(r, 1);
    g->status_bits = (uint8_t)store_get_le(r, 1);
    g->described = store_get_le(r, 1) != 0;
    g->last_id = (uint32_t)store_get_le(r, 4);
    g->last_amount = (int32_t)(uint32_t)store_get_le(r, 4);
    g->history_count = (uint8_t)store_get_le(r, 1);
    g->history_pos = (uint8_t)store_get_le(r, 1);
    for (unsigned i = 0; i < EM_PREPAY_TOKEN_HISTORY; i++)
        g->history[i] = (uint32_t)store_get_le(r, 4);
    if (g->history_count > EM_PREPAY_TOKEN_HISTORY || g->history_pos >= EM_PREPAY_TOKEN_HISTORY)
        r->bad = true;
    g->token_len = 0; /* the last token itself is not kept across a restart */
}

size_t meter_prepay_encode(const meter_t *m, uint8_t *b) {
    const meter_prepay_t *p = &m->prepay;
    uint8_t *q = b;
    *q++ = PREPAY_V1;
    q = put_account(q, &p->account);
    q = put_credit(q, &p->token);
    q = put_credit(q, &p->emergency);
    q = put_charge(q, &p->energy);
    q = put_charge(q, &p->standing);
    q = put_charge(q, &p->debt);
    q = put_gateway(q, &p->gateway);
    q = store_put_le(q, p->a_plus_base_uwh, 8);
    *q++ = p->have_base ? 1u : 0u;
    return (size_t)(q - b);
}

bool meter_prepay_decode(meter_t *m, const uint8_t *b, size_t len) {
    meter_prepay_t *p = &m->prepay;
    store_rd_t r = {b, len, 0, false};
    if (store_get_le(&r, 1) != PREPAY_V1)
        return false;
    /* Decode into copies over the factory state (lists, unit charges and
     * the key stay), then take them all or nothing. */
    cosem_account_state_t a = p->account;
    cosem_credit_state_t tok = p->token, em = p->emergency;
    cosem_charge_state_t en = p->energy, st = p->standing, de = p->debt;
    cosem_token_gateway_state_t g = p->gateway;
    get_account(&r, &a);
    get_credit(&r, &tok);
    get_credit(&r, &em);
    get_charge(&r, &en);
    get_charge(&r, &st);
    get_charge(&r, &de);
    get_gateway(&r, &g);
    uint64_t base = store_get_le(&r, 8);
    bool have = store_get_le(&r, 1) != 0;
    if (r.bad || r.pos != r.len)
        return false;
    p->account = a;
    p->token = tok;
    p->emergency = em;
    p->energy = en;
    p->standing = st;
    p->debt = de;
    p->gateway = g;
    p->a_plus_base_uwh = base;
    p->have_base = have;
    m->breaker.prepay_inhibit =
        a.disconnect_wanted && a.payment_mode == COSEM_PAYMENT_MODE_PREPAYMENT;
    return true;
}
