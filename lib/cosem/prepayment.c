/*
 * prepayment.c - the prepayment engine over Account (111), Credit (112),
 * Charge (113) (IEC 62056-6-2 / DLMS UA Blue Book payment metering
 * classes): collection of charges from credits in priority order, the
 * credit status life cycle, the account's computed attributes, top-ups,
 * friendly credit and the outcomes reported to the meter. The rules are in
 * prepayment.h; the choices and their reasons in docs/prepayment.md.
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/prepayment.h"

/* Bytes of one read of a commodity value: any integer Data fits in 9. */
#define VALUE_BUF 32

/* ---- helpers shared by the classes ------------------------------------------ */

cosem_value_t cosem_prepay_field(uint32_t offset, uint8_t wire, uint8_t ctype, uint32_t size) {
    cosem_value_t v;
    memset(&v, 0, sizeof(v));
    v.kind = COSEM_VAL_FIELD;
    v.wire = wire;
    v.ctype = ctype;
    v.size = size;
    v.offset = offset;
    v.len_offset = COSEM_NO_OFFSET;
    return v;
}

int cosem_prepay_put_bits(axdr_enc_t *e, uint8_t v, uint8_t nbits) {
    uint8_t byte = 0;
    for (uint8_t i = 0; i < nbits && i < 8; i++) {
        if (v & (1u << i)) {
            byte |= (uint8_t)(0x80u >> i); /* DLMS bit 0 is the first (most significant) */
        }
    }
    return axdr_put_bit_string(e, &byte, nbits);
}

int cosem_prepay_get_bits(axdr_dec_t *d, uint8_t nbits, uint8_t *v) {
    const uint8_t *p;
    uint32_t n;
    if (axdr_get_bit_string(d, &p, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    /* Clients send the exact width or a whole byte; a set bit beyond the
     * defined ones is a value the class does not know. */
    if (n > 8) {
        return DLMS_DAR_OTHER_REASON;
    }
    uint8_t out = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (p[0] & (0x80u >> i)) {
            if (i >= nbits) {
                return DLMS_DAR_OTHER_REASON;
            }
            out |= (uint8_t)(1u << i);
        }
    }
    *v = out;
    return 0;
}

int cosem_prepay_get_amount(axdr_dec_t *d, int32_t *v) {
    return d != NULL && axdr_get_int32(d, v) == 0 && cosem_dec_done(d)
               ? 0
               : (int)DLMS_DAR_TYPE_UNMATCHED;
}

int64_t cosem_prepay_now(const cosem_server_t *s) {
    int64_t utc = 0;
    return cosem_rtc_now(s, &utc) == 0 ? utc : 0;
}

const char *cosem_prepay_strerror(int err) {
    switch (err) {
    case COSEM_ERR_PREPAY_OBJECT:
        return "not a payment metering object";
    case COSEM_ERR_PREPAY_REFERENCE:
        return "account reference names no such object";
    case COSEM_ERR_PREPAY_INACTIVE:
        return "account not active";
    case COSEM_ERR_PREPAY_OVERFLOW:
        return "amount out of the double-long range";
    case COSEM_ERR_PREPAY_AMOUNT:
        return "amount not positive";
    case COSEM_ERR_PREPAY_NO_CREDIT:
        return "no credit takes the top-up";
    case COSEM_ERR_PREPAY_PROVISION:
        return "max_provision reached in the provision period";
    case COSEM_ERR_PREPAY_COMMODITY:
        return "commodity attribute unreadable or not an integer";
    case COSEM_ERR_TOKEN_FORMAT:
        return "token format invalid";
    case COSEM_ERR_TOKEN_AUTH:
        return "token authentication failed";
    case COSEM_ERR_TOKEN_REPLAYED:
        return "token already used";
    case COSEM_ERR_TOKEN_CRYPTO:
        return "token crypto failure";
    default:
        return "unknown prepayment error";
    }
}

/* ---- the account's objects ---------------------------------------------------- */

typedef struct cref {
    const cosem_object_t *obj;
    cosem_credit_state_t *st;
    uint8_t idx; /* position in credit_reference_list */
} cref_t;

typedef struct gref {
    const cosem_object_t *obj;
    cosem_charge_state_t *st;
} gref_t;

typedef struct ctx {
    cosem_server_t *s;
    const cosem_object_t *acc;
    cosem_account_state_t *st;
    cref_t cr[EM_PREPAY_CREDITS]; /* priority order */
    uint8_t ncr;
    gref_t ch[EM_PREPAY_CHARGES]; /* priority order, priority 0 left out */
    uint8_t nch;
    int64_t utc;
    uint8_t conditions; /* COSEM_COLLECT_* in force now */
    uint8_t tariff[EM_PREPAY_INDEX_MAX];
    size_t tariff_len;
    bool have_tariff;
    int err;
} ctx_t;

const cosem_object_t *cosem_prepay_account_of(const cosem_server_t *s, uint16_t class_id,
                                              const uint8_t ln[COSEM_LN_LEN]) {
    for (size_t i = 0; s != NULL && i < s->count; i++) {
        const cosem_object_t *o = &s->objects[i];
        if (o->cls != &cosem_class_account) {
            continue;
        }
        const cosem_account_state_t *st = cosem_account_state(s, o);
        bool credit = class_id == COSEM_CLASS_CREDIT;
        uint8_t n = credit ? st->credit_count : st->charge_count;
        uint8_t cap = credit ? EM_PREPAY_CREDITS : EM_PREPAY_CHARGES;
        for (uint8_t k = 0; k < n && k < cap; k++) {
            const uint8_t *x = credit ? st->credits[k] : st->charges[k];
            if (memcmp(x, ln, COSEM_LN_LEN) == 0) {
                return o;
            }
        }
    }
    return NULL;
}

static void read_tariff(ctx_t *c) {
    const cosem_account_def_t *d = c->acc->def;
    c->have_tariff = false;
    if (d->tariff.kind == COSEM_VAL_NULL) {
        return;
    }
    uint8_t buf[VALUE_BUF];
    axdr_enc_t e;
    axdr_enc_init(&e, buf, sizeof(buf));
    if (cosem_value_get(c->s, &d->tariff, &e) != 0 || e.err != 0) {
        return;
    }
    axdr_dec_t dec;
    axdr_value_t v;
    axdr_dec_init(&dec, buf, e.len);
    if (axdr_get_value(&dec, &v) != 0 || v.tag != AXDR_OCTET_STRING || v.len > sizeof(c->tariff)) {
        return;
    }
    memcpy(c->tariff, v.p, v.len);
    c->tariff_len = v.len;
    c->have_tariff = true;
}

static int load(ctx_t *c, cosem_server_t *s, const cosem_object_t *acc, int64_t utc) {
    memset(c, 0, sizeof(*c));
    c->s = s;
    c->acc = acc;
    c->utc = utc;
    c->st = cosem_account_state(s, acc);
    if (c->st == NULL) {
        return COSEM_ERR_PREPAY_OBJECT;
    }
    cosem_account_state_t *st = c->st;
    for (uint8_t i = 0; i < st->credit_count && i < EM_PREPAY_CREDITS; i++) {
        const cosem_object_t *o = cosem_find(s, st->credits[i]);
        cosem_credit_state_t *cs = cosem_credit_state(s, o);
        if (cs == NULL) {
            c->err = COSEM_ERR_PREPAY_REFERENCE;
            continue;
        }
        uint8_t k = c->ncr++; /* insertion sort by priority, stable */
        while (k > 0 && c->cr[k - 1].st->priority > cs->priority) {
            c->cr[k] = c->cr[k - 1];
            k--;
        }
        c->cr[k] = (cref_t){o, cs, i};
    }
    for (uint8_t i = 0; i < st->charge_count && i < EM_PREPAY_CHARGES; i++) {
        const cosem_object_t *o = cosem_find(s, st->charges[i]);
        cosem_charge_state_t *gs = cosem_charge_state(s, o);
        if (gs == NULL) {
            c->err = COSEM_ERR_PREPAY_REFERENCE;
            continue;
        }
        if (gs->priority == 0) {
            continue;
        }
        uint8_t k = c->nch++;
        while (k > 0 && c->ch[k - 1].st->priority > gs->priority) {
            c->ch[k] = c->ch[k - 1];
            k--;
        }
        c->ch[k] = (gref_t){o, gs};
    }
    c->conditions = (uint8_t)((st->supply_disconnected ? COSEM_COLLECT_WHEN_DISCONNECTED : 0u) |
                              (st->load_limiting ? COSEM_COLLECT_LOAD_LIMITING : 0u) |
                              (cosem_prepay_friendly(s, st, utc) ? COSEM_COLLECT_FRIENDLY : 0u));
    read_tariff(c);
    return 0;
}

/* ---- credits ------------------------------------------------------------------- */

static bool selectable(const cref_t *r) {
    return cosem_credit_is_selectable_kind(r->st);
}

static bool expired(const ctx_t *c, const cref_t *r) {
    return r->st->credit_type == COSEM_CREDIT_TYPE_TIME && r->st->period != 0 &&
           c->utc >= r->st->period;
}

static int64_t headroom(const cref_t *r) {
    return (int64_t)r->st->current_credit_amount - r->st->limit;
}

/* A credit that counts for the account: direct and not expired, or a
 * selectable credit that has been invoked. */
static bool counts(const ctx_t *c, const cref_t *r) {
    if (r->st->priority == 0) {
        return false;
    }
    if (!selectable(r)) {
        return !expired(c, r);
    }
    return r->st->credit_status == COSEM_CREDIT_INVOKED ||
           r->st->credit_status == COSEM_CREDIT_IN_USE;
}

static bool drawable(const ctx_t *c, const cref_t *r) {
    return counts(c, r) && headroom(r) > 0;
}

/* Whether credit r pays charge g now (credit_charge_configuration). */
static bool allowed(const ctx_t *c, const cref_t *r, const gref_t *g) {
    const cosem_account_state_t *st = c->st;
    if (st->ccc_count == 0) {
        return true;
    }
    for (uint8_t i = 0; i < st->ccc_count && i < EM_PREPAY_CREDIT_CHARGE_CFG; i++) {
        if (memcmp(st->ccc[i].credit, r->obj->ln, COSEM_LN_LEN) == 0 &&
            memcmp(st->ccc[i].charge, g->obj->ln, COSEM_LN_LEN) == 0) {
            return (st->ccc[i].collection & c->conditions) == c->conditions;
        }
    }
    return false;
}

static int32_t sat32(int64_t v) {
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* Collects `amount` for charge g from the credits (prepayment.h step 2). */
static void collect(ctx_t *c, const gref_t *g, int64_t amount) {
    cosem_charge_state_t *gs = g->st;
    if (amount <= 0) {
        return;
    }
    bool continuous = (gs->charge_configuration & COSEM_CHARGE_CFG_CONTINUOUS) != 0;
    if (!continuous) {
        if (gs->total_amount_remaining <= 0) {
            return;
        }
        amount = amount < gs->total_amount_remaining ? amount : gs->total_amount_remaining;
    }
    int64_t left = amount;
    const cref_t *fallback = NULL, *any = NULL;
    for (uint8_t i = 0; i < c->ncr && left > 0; i++) {
        const cref_t *r = &c->cr[i];
        if (r->st->priority == 0 || !allowed(c, r, g)) {
            continue;
        }
        if (any == NULL) {
            any = r;
        }
        if (fallback == NULL && !selectable(r) && !expired(c, r)) {
            fallback = r;
        }
        if (!drawable(c, r)) {
            continue;
        }
        int64_t take = left < headroom(r) ? left : headroom(r);
        r->st->current_credit_amount = sat32(r->st->current_credit_amount - take);
        left -= take;
    }
    if (left > 0) { /* owed all the same: debt on the first direct credit allowed */
        const cref_t *r = fallback != NULL ? fallback : any;
        if (r == NULL) {
            amount -= left; /* no credit may pay this charge now */
        } else {
            r->st->current_credit_amount = sat32(r->st->current_credit_amount - left);
        }
    }
    if (amount <= 0) {
        return;
    }
    gs->total_amount_paid = sat32((int64_t)gs->total_amount_paid + amount);
    gs->last_collection_time = c->utc;
    gs->last_collection_amount = sat32(amount);
    if (!continuous) {
        gs->total_amount_remaining = sat32(gs->total_amount_remaining - amount);
    }
}

/* ---- charges --------------------------------------------------------------------- */

static int read_commodity(ctx_t *c, const cosem_unit_charge_t *u, int64_t *out) {
    const cosem_object_t *o = cosem_find(c->s, u->ln);
    if (o == NULL || o->cls->class_id != u->class_id || u->attribute_index < 2 ||
        u->attribute_index > o->cls->attr_count) {
        return COSEM_ERR_PREPAY_REFERENCE;
    }
    uint8_t buf[VALUE_BUF], cookie[EM_DLMS_GET_COOKIE];
    memset(cookie, 0, sizeof(cookie));
    axdr_enc_t e;
    axdr_enc_init(&e, buf, sizeof(buf));
    cosem_req_t r = {c->s, o, &cosem_sched_meter_view, u->attribute_index, NULL, cookie};
    if (o->cls->get(&r, &e) != 0 || e.err != 0) {
        return COSEM_ERR_PREPAY_COMMODITY;
    }
    axdr_dec_t d;
    axdr_value_t v;
    axdr_dec_init(&d, buf, e.len);
    if (axdr_get_value(&d, &v) != 0) {
        return COSEM_ERR_PREPAY_COMMODITY;
    }
    switch (v.tag) {
    case AXDR_INTEGER:
    case AXDR_LONG:
    case AXDR_DOUBLE_LONG:
    case AXDR_LONG64:
        *out = v.i;
        return 0;
    case AXDR_UNSIGNED:
    case AXDR_LONG_UNSIGNED:
    case AXDR_DOUBLE_LONG_UNSIGNED:
    case AXDR_LONG64_UNSIGNED:
        if (v.u > (uint64_t)INT64_MAX) {
            return COSEM_ERR_PREPAY_COMMODITY;
        }
        *out = (int64_t)v.u;
        return 0;
    default:
        return COSEM_ERR_PREPAY_COMMODITY;
    }
}

static bool has_commodity(const cosem_unit_charge_t *u) {
    static const uint8_t zero[COSEM_LN_LEN] = {0};
    return u->class_id != 0 || memcmp(u->ln, zero, COSEM_LN_LEN) != 0;
}

/* Units to charge now: consumption since the last call, or periods. */
static int64_t units_due(ctx_t *c, cosem_charge_state_t *gs, int64_t consumed) {
    if (gs->charge_type == COSEM_CHARGE_CONSUMPTION) {
        if (!has_commodity(&gs->active)) {
            return consumed;
        }
        int64_t v;
        int rc = read_commodity(c, &gs->active, &v);
        if (rc != 0) {
            c->err = rc;
            return 0;
        }
        int64_t q = gs->have_commodity && v >= gs->last_commodity ? v - gs->last_commodity : 0;
        gs->last_commodity = v; /* first reading, or a reset: a new baseline */
        gs->have_commodity = true;
        return q;
    }
    if (gs->charge_type == COSEM_CHARGE_TIME && gs->period > 0) {
        int64_t p = gs->period, next = (c->utc / p + 1) * p;
        if (gs->next_period == 0 || c->utc < gs->next_period - p) {
            gs->next_period = next; /* start, or the clock went back: no charge */
            return 0;
        }
        if (c->utc < gs->next_period) {
            return 0;
        }
        int64_t q = (c->utc - gs->next_period) / p + 1;
        gs->next_period += q * p;
        return q;
    }
    return 0;
}

static int64_t payment_due(const ctx_t *c, const gref_t *g, int64_t paid) {
    cosem_charge_state_t *gs = g->st;
    if (gs->charge_configuration & COSEM_CHARGE_CFG_PERCENTAGE) {
        return paid * gs->proportion / 10000;
    }
    return cosem_charge_amount(gs, 1, c->have_tariff ? c->tariff : NULL, c->tariff_len);
}

/* ---- states, attributes, outcomes ---------------------------------------------------- */

static void report(const ctx_t *c, uint8_t ev, int32_t value) {
    const cosem_account_def_t *d = c->acc->def;
    if (d->hook != NULL) {
        d->hook(c->s->app, c->acc, ev, value);
    }
}

static bool active(const cosem_account_state_t *st) {
    return st->account_status == COSEM_ACCOUNT_ACTIVE;
}

static int64_t amount_to_clear(const ctx_t *c) {
    int64_t sum = 0;
    for (uint8_t i = 0; i < c->ncr; i++) {
        const cref_t *r = &c->cr[i];
        if (r->st->priority == 0) {
            continue;
        }
        if (selectable(r)) {
            if (r->st->credit_configuration & COSEM_CREDIT_CFG_PAID_BACK) {
                int64_t used = (int64_t)r->st->preset_credit_amount - r->st->current_credit_amount;
                sum += used > 0 ? used : 0;
            }
        } else if (headroom(r) < 0) {
            sum -= headroom(r);
        }
    }
    return sum;
}

static void update(ctx_t *c) {
    cosem_account_state_t *st = c->st;
    bool on = active(st);
    int64_t direct = 0;
    for (uint8_t i = 0; i < c->ncr; i++) {
        if (!selectable(&c->cr[i]) && counts(c, &c->cr[i])) {
            direct += headroom(&c->cr[i]);
        }
    }
    bool clear_ok = amount_to_clear(c) <= st->clearance_threshold;
    /* selectable credits: enabled -> selectable -> invoked, exhausted, release */
    for (uint8_t i = 0; i < c->ncr; i++) {
        cref_t *r = &c->cr[i];
        cosem_credit_state_t *cs = r->st;
        if (!selectable(r) || cs->priority == 0) {
            continue;
        }
        bool low = direct <= cs->credit_available_threshold;
        bool full = cs->current_credit_amount >= cs->preset_credit_amount && headroom(r) > 0;
        switch (cs->credit_status) {
        case COSEM_CREDIT_ENABLED:
            if (on && low && headroom(r) > 0) {
                cs->credit_status = COSEM_CREDIT_SELECTABLE;
                report(c, COSEM_PREPAY_SELECTABLE, r->idx + 1);
            }
            break;
        case COSEM_CREDIT_INVOKED:
        case COSEM_CREDIT_IN_USE:
            if (headroom(r) <= 0) {
                cs->credit_status = COSEM_CREDIT_EXHAUSTED;
            } else if (full && !low) {
                cs->credit_status = COSEM_CREDIT_ENABLED; /* not needed any more */
            }
            break;
        case COSEM_CREDIT_EXHAUSTED:
            if (full && clear_ok) {
                cs->credit_status = COSEM_CREDIT_ENABLED; /* paid back */
            }
            break;
        default:
            break;
        }
        if (cs->credit_status == COSEM_CREDIT_SELECTABLE) {
            if (!low) {
                cs->credit_status = COSEM_CREDIT_ENABLED;
            } else if (!(cs->credit_configuration & COSEM_CREDIT_CFG_CONFIRMATION) && on) {
                cs->credit_status = COSEM_CREDIT_INVOKED;
                report(c, COSEM_PREPAY_INVOKED, r->idx + 1);
            }
        }
    }
    /* the credit drawn from, and the direct credits' states */
    const cref_t *cur = NULL;
    for (uint8_t i = 0; i < c->ncr && cur == NULL; i++) {
        if (drawable(c, &c->cr[i])) {
            cur = &c->cr[i];
        }
    }
    int64_t available = 0;
    uint8_t bits = 0;
    for (uint8_t i = 0; i < c->ncr; i++) {
        cref_t *r = &c->cr[i];
        cosem_credit_state_t *cs = r->st;
        if (cs->priority == 0) {
            continue;
        }
        if (!selectable(r)) {
            cs->credit_status = expired(c, r) || headroom(r) <= 0 ? COSEM_CREDIT_EXHAUSTED
                                : r == cur                        ? COSEM_CREDIT_IN_USE
                                                                  : COSEM_CREDIT_ENABLED;
        } else if (r == cur) {
            cs->credit_status = COSEM_CREDIT_IN_USE;
        } else if (cs->credit_status == COSEM_CREDIT_IN_USE) {
            cs->credit_status = COSEM_CREDIT_INVOKED;
        }
        if (counts(c, r)) {
            available += headroom(r);
        }
        if (selectable(r) && cs->credit_status == COSEM_CREDIT_ENABLED &&
            direct <= st->next_credit_available_threshold) {
            bits |= COSEM_ACCOUNT_NEXT_ENABLED;
        }
        if (cs->credit_status == COSEM_CREDIT_SELECTABLE) {
            bits |= COSEM_ACCOUNT_NEXT_SELECTABLE;
        }
        /* a credit's own warning, once, while it is the one drawn from */
        if (cs->current_credit_amount > cs->warning_threshold) {
            cs->warned = false;
        } else if (r == cur && !cs->warned && on) {
            cs->warned = true;
            report(c, COSEM_PREPAY_CREDIT_WARNING, r->idx + 1);
        }
    }
    int64_t debt = 0;
    for (uint8_t i = 0; i < c->nch; i++) {
        const cosem_charge_state_t *gs = c->ch[i].st;
        if (!(gs->charge_configuration & COSEM_CHARGE_CFG_CONTINUOUS) &&
            gs->total_amount_remaining > 0) {
            debt += gs->total_amount_remaining;
        }
    }
    bool out = cur == NULL;
    st->current_credit_in_use = cur != NULL ? (uint8_t)(cur->idx + 1) : 0;
    st->available_credit = sat32(available);
    st->amount_to_clear = sat32(amount_to_clear(c));
    st->aggregated_debt = sat32(debt);
    bool low = available <= st->low_credit_threshold;
    bits |= (uint8_t)(out ? COSEM_ACCOUNT_OUT_OF_CREDIT : COSEM_ACCOUNT_IN_CREDIT);
    bits |= (uint8_t)(low ? COSEM_ACCOUNT_LOW_CREDIT : 0u);
    if (cur != NULL) {
        bits |= (uint8_t)(COSEM_ACCOUNT_CREDIT_REF_LIST |
                          (selectable(cur) ? COSEM_ACCOUNT_SELECTABLE_IN_USE : 0u));
    }
    st->current_credit_status = bits;
    st->out_of_credit = out;
    if (!on) {
        return;
    }
    if (!low) {
        st->low_reported = false;
    } else if (!st->low_reported) {
        st->low_reported = true;
        report(c, COSEM_PREPAY_LOW_CREDIT, st->available_credit);
    }
    if (st->payment_mode != COSEM_PAYMENT_MODE_PREPAYMENT) {
        st->deferred = false;
        if (st->disconnect_wanted) { /* switched to credit mode: release */
            st->disconnect_wanted = false;
            report(c, COSEM_PREPAY_CREDIT_AVAILABLE, st->available_credit);
        }
        return;
    }
    if (out) {
        if (st->disconnect_wanted) {
            return;
        }
        if (c->conditions & COSEM_COLLECT_FRIENDLY) {
            if (!st->deferred) {
                st->deferred = true;
                report(c, COSEM_PREPAY_DEFERRED, st->available_credit);
            }
            return;
        }
        st->deferred = false;
        st->disconnect_wanted = true;
        report(c, COSEM_PREPAY_EXHAUSTED, st->available_credit);
        return;
    }
    st->deferred = false;
    if (st->disconnect_wanted && available > 0 && clear_ok) {
        st->disconnect_wanted = false;
        report(c, COSEM_PREPAY_CREDIT_AVAILABLE, st->available_credit);
    }
}

/* ---- friendly credit ------------------------------------------------------------------- */

bool cosem_prepay_friendly(const cosem_server_t *s, const cosem_account_state_t *st, int64_t utc) {
    const cosem_prepay_friendly_t *f = &st->friendly;
    bool window =
        f->start_minute != f->end_minute && f->start_minute < 1440 && f->end_minute < 1440;
    if ((f->weekdays & 0x7Fu) == 0 && !window) {
        return false;
    }
    cosem_datetime_t dt;
    if (cosem_local_datetime(s, utc, &dt) != 0 || dt.day_of_week < 1 || dt.day_of_week > 7) {
        return false;
    }
    if (f->weekdays & (1u << (dt.day_of_week - 1))) {
        return true;
    }
    if (!window) {
        return false;
    }
    uint16_t m = (uint16_t)(dt.hour * 60u + dt.minute);
    if (f->start_minute < f->end_minute) {
        return m >= f->start_minute && m < f->end_minute;
    }
    return m >= f->start_minute || m < f->end_minute;
}

/* ---- the tick ---------------------------------------------------------------------------- */

int cosem_prepay_tick(cosem_server_t *s, const cosem_object_t *account, int64_t utc,
                      uint64_t consumed) {
    ctx_t c;
    int rc = load(&c, s, account, utc);
    if (rc != 0) {
        return rc;
    }
    cosem_account_state_t *st = c.st;
    if (st->account_status == COSEM_ACCOUNT_NEW && st->activation_time != 0 &&
        utc >= st->activation_time) {
        cosem_account_activate(s, account, st->activation_time);
    }
    if (st->account_status == COSEM_ACCOUNT_ACTIVE && st->closure_time > st->activation_time &&
        utc >= st->closure_time) {
        cosem_account_close(s, account, st->closure_time);
    }
    for (uint8_t i = 0; i < c.nch; i++) {
        cosem_charge_state_t *gs = c.ch[i].st;
        if (gs->activation_time != 0 && utc >= gs->activation_time) {
            cosem_charge_activate_passive(gs);
        }
    }
    if (!active(st)) {
        /* Nothing accrues while the account is not active: time charges
         * restart their period and consumption charges take a new
         * baseline at the first tick after activation. */
        for (uint8_t i = 0; i < c.nch; i++) {
            c.ch[i].st->next_period = 0;
            c.ch[i].st->have_commodity = false;
        }
    } else {
        int64_t q0 = consumed > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)consumed;
        for (uint8_t i = 0; i < c.nch; i++) {
            cosem_charge_state_t *gs = c.ch[i].st;
            int64_t q = units_due(&c, gs, q0);
            collect(&c, &c.ch[i],
                    cosem_charge_amount(gs, q, c.have_tariff ? c.tariff : NULL, c.tariff_len));
        }
    }
    update(&c);
    return c.err;
}

int cosem_prepay_collect_charge(cosem_server_t *s, const cosem_object_t *charge, int64_t utc) {
    if (cosem_charge_state(s, charge) == NULL) {
        return COSEM_ERR_PREPAY_OBJECT;
    }
    const cosem_object_t *acc = cosem_prepay_account_of(s, COSEM_CLASS_CHARGE, charge->ln);
    if (acc == NULL) {
        return COSEM_ERR_PREPAY_REFERENCE;
    }
    ctx_t c;
    int rc = load(&c, s, acc, utc);
    if (rc != 0) {
        return rc;
    }
    if (!active(c.st)) {
        return COSEM_ERR_PREPAY_INACTIVE;
    }
    for (uint8_t i = 0; i < c.nch; i++) {
        if (c.ch[i].obj != charge) {
            continue;
        }
        cosem_charge_state_t *gs = c.ch[i].st;
        int64_t due = gs->charge_type == COSEM_CHARGE_PAYMENT
                          ? payment_due(&c, &c.ch[i], 0)
                          : cosem_charge_amount(gs, units_due(&c, gs, 0),
                                                c.have_tariff ? c.tariff : NULL, c.tariff_len);
        collect(&c, &c.ch[i], due);
    }
    update(&c);
    return c.err;
}

/* ---- top-up ------------------------------------------------------------------------------ */

static int add(cosem_credit_state_t *cs, int64_t amount) {
    int64_t v = (int64_t)cs->current_credit_amount + amount;
    if (v > INT32_MAX || v < INT32_MIN) {
        return COSEM_ERR_PREPAY_OVERFLOW;
    }
    cs->current_credit_amount = (int32_t)v;
    return 0;
}

static const cref_t *find_credit(const ctx_t *c, const uint8_t ln[COSEM_LN_LEN]) {
    for (uint8_t i = 0; i < c->ncr; i++) {
        if (memcmp(c->cr[i].obj->ln, ln, COSEM_LN_LEN) == 0) {
            return &c->cr[i];
        }
    }
    return NULL;
}

/* Pays back and splits; changes credits (the caller restores them on error). */
static int distribute(ctx_t *c, int64_t left) {
    for (uint8_t i = 0; i < c->ncr && left > 0; i++) {
        cosem_credit_state_t *cs = c->cr[i].st;
        if (!selectable(&c->cr[i]) || cs->priority == 0 ||
            !(cs->credit_configuration & COSEM_CREDIT_CFG_PAID_BACK)) {
            continue;
        }
        int64_t used = (int64_t)cs->preset_credit_amount - cs->current_credit_amount;
        int64_t p = used < left ? used : left;
        if (p > 0) {
            cs->current_credit_amount = (int32_t)(cs->current_credit_amount + p);
            left -= p;
        }
    }
    if (left <= 0) {
        return 0;
    }
    const cosem_account_state_t *st = c->st;
    if (st->tgc_count == 0) {
        for (uint8_t i = 0; i < c->ncr; i++) {
            const cref_t *r = &c->cr[i];
            if (!selectable(r) && r->st->priority != 0 &&
                (r->st->credit_configuration & COSEM_CREDIT_CFG_TOKENS)) {
                return add(r->st, left);
            }
        }
        return COSEM_ERR_PREPAY_NO_CREDIT;
    }
    int64_t rest = left;
    for (uint8_t i = 0; i < st->tgc_count && i < EM_PREPAY_CREDITS; i++) {
        if (find_credit(c, st->tgc[i].credit) == NULL) {
            return COSEM_ERR_PREPAY_NO_CREDIT;
        }
        rest -= left * st->tgc[i].proportion / 100;
    }
    for (uint8_t i = 0; i < st->tgc_count && i < EM_PREPAY_CREDITS; i++) {
        int64_t part = left * st->tgc[i].proportion / 100 + (i == 0 ? rest : 0);
        int rc = add(find_credit(c, st->tgc[i].credit)->st, part);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

int cosem_prepay_top_up(cosem_server_t *s, const cosem_object_t *account, int32_t amount,
                        int64_t utc) {
    ctx_t c;
    int rc = load(&c, s, account, utc);
    if (rc != 0) {
        return rc;
    }
    cosem_account_state_t *st = c.st;
    if (!active(st)) {
        return COSEM_ERR_PREPAY_INACTIVE;
    }
    if (amount <= 0) {
        return COSEM_ERR_PREPAY_AMOUNT;
    }
    if (st->max_provision > 0 && st->max_provision_period > 0) {
        if (st->provision_start == 0 || utc < st->provision_start ||
            utc - st->provision_start >= st->max_provision_period) {
            st->provision_start = utc;
            st->provisions = 0;
        }
        if (st->provisions >= st->max_provision) {
            return COSEM_ERR_PREPAY_PROVISION;
        }
    }
    cosem_credit_state_t saved[EM_PREPAY_CREDITS];
    for (uint8_t i = 0; i < c.ncr; i++) {
        saved[i] = *c.cr[i].st;
    }
    rc = distribute(&c, amount);
    if (rc != 0) {
        for (uint8_t i = 0; i < c.ncr; i++) {
            *c.cr[i].st = saved[i];
        }
        return rc;
    }
    if (st->max_provision > 0 && st->max_provision_period > 0) {
        st->provisions++;
    }
    report(&c, COSEM_PREPAY_TOP_UP, amount);
    for (uint8_t i = 0; i < c.nch; i++) {
        if (c.ch[i].st->charge_type == COSEM_CHARGE_PAYMENT) {
            collect(&c, &c.ch[i], payment_due(&c, &c.ch[i], amount));
        }
    }
    update(&c);
    return 0;
}
