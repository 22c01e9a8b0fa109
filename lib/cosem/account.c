/*
 * account.c - interface class Account (class_id 111, version 0; IEC
 * 62056-6-2 / DLMS UA Blue Book, payment metering classes): the 19
 * attributes and methods activate_account, close_account, reset_account.
 * Attributes 3-6 and 8 are computed by the engine (prepayment.c) at every
 * tick and top-up. Layout in account.h.
 */
#include <string.h>

#include "cosem/prepayment.h"

#define S cosem_account_state_t

static uint32_t base_of(const cosem_object_t *obj) {
    return ((const cosem_account_def_t *)obj->def)->state;
}

cosem_account_state_t *cosem_account_state(const cosem_server_t *s, const cosem_object_t *obj) {
    if (s == NULL || obj == NULL || obj->cls != &cosem_class_account) {
        return NULL;
    }
    return cosem_app_ptr(s, base_of(obj));
}

void cosem_account_init(cosem_account_state_t *st, const char *currency, int8_t scale,
                        uint8_t unit) {
    memset(st, 0, sizeof(*st));
    st->payment_mode = COSEM_PAYMENT_MODE_PREPAYMENT;
    st->account_status = COSEM_ACCOUNT_NEW;
    size_t n = currency != NULL ? strlen(currency) : 0;
    n = n < EM_PREPAY_CURRENCY_NAME_MAX ? n : EM_PREPAY_CURRENCY_NAME_MAX;
    memcpy(st->currency_name, currency, n);
    st->currency_name_len = (uint8_t)n;
    st->currency_scale = scale;
    st->currency_unit = unit;
}

static void report(cosem_server_t *s, const cosem_object_t *obj, uint8_t ev, int32_t value) {
    const cosem_account_def_t *d = obj->def;
    if (d->hook != NULL) {
        d->hook(s->app, obj, ev, value);
    }
}

int cosem_account_activate(cosem_server_t *s, const cosem_object_t *obj, int64_t utc) {
    S *st = cosem_account_state(s, obj);
    if (st == NULL) {
        return COSEM_ERR_PREPAY_OBJECT;
    }
    if (st->account_status == COSEM_ACCOUNT_ACTIVE) {
        return 0;
    }
    st->account_status = COSEM_ACCOUNT_ACTIVE;
    st->activation_time = utc;
    st->closure_time = 0;
    report(s, obj, COSEM_PREPAY_ACTIVATED, 0);
    return 0;
}

int cosem_account_close(cosem_server_t *s, const cosem_object_t *obj, int64_t utc) {
    S *st = cosem_account_state(s, obj);
    if (st == NULL) {
        return COSEM_ERR_PREPAY_OBJECT;
    }
    if (st->account_status == COSEM_ACCOUNT_CLOSED) {
        return 0;
    }
    st->account_status = COSEM_ACCOUNT_CLOSED;
    st->closure_time = utc;
    st->disconnect_wanted = false; /* a closed account asks nothing of the breaker */
    report(s, obj, COSEM_PREPAY_CLOSED, 0);
    return 0;
}

int cosem_account_reset(cosem_server_t *s, const cosem_object_t *obj) {
    S *st = cosem_account_state(s, obj);
    if (st == NULL) {
        return COSEM_ERR_PREPAY_OBJECT;
    }
    st->account_status = COSEM_ACCOUNT_NEW;
    st->activation_time = 0;
    st->closure_time = 0;
    st->current_credit_in_use = 0;
    st->current_credit_status = 0;
    st->available_credit = 0;
    st->amount_to_clear = 0;
    st->aggregated_debt = 0;
    st->low_reported = false;
    st->out_of_credit = false;
    st->disconnect_wanted = false;
    st->deferred = false;
    st->provisions = 0;
    st->provision_start = 0;
    return 0;
}

/* ---- references --------------------------------------------------------------- */

static int get_ln(axdr_dec_t *d, uint8_t out[COSEM_LN_LEN]) {
    const uint8_t *p;
    size_t n;
    if (axdr_get_octet_string(d, &p, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n != COSEM_LN_LEN) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(out, p, COSEM_LN_LEN);
    return 0;
}

static bool is_class(const cosem_server_t *s, const uint8_t ln[COSEM_LN_LEN], uint16_t id) {
    const cosem_object_t *o = cosem_find(s, ln);
    return o != NULL && o->cls->class_id == id;
}

static bool in_list(const uint8_t (*list)[COSEM_LN_LEN], uint8_t n, const uint8_t *ln) {
    for (uint8_t i = 0; i < n; i++) {
        if (memcmp(list[i], ln, COSEM_LN_LEN) == 0) {
            return true;
        }
    }
    return false;
}

/* Attributes 9 and 10: array of distinct logical names of class `id`. */
static int set_refs(const cosem_server_t *s, axdr_dec_t *d, uint16_t id, uint8_t cap,
                    uint8_t (*list)[COSEM_LN_LEN], uint8_t *count) {
    uint8_t tmp[EM_PREPAY_CREDITS > EM_PREPAY_CHARGES ? EM_PREPAY_CREDITS : EM_PREPAY_CHARGES]
               [COSEM_LN_LEN];
    uint32_t n;
    if (axdr_get_array(d, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    int late = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t ln[COSEM_LN_LEN];
        int rc = get_ln(d, ln);
        if (rc == DLMS_DAR_TYPE_UNMATCHED) {
            return rc;
        }
        if (rc != 0 || i >= cap || !is_class(s, ln, id) || in_list(tmp, (uint8_t)i, ln)) {
            late = DLMS_DAR_OTHER_REASON;
            continue;
        }
        memcpy(tmp[i], ln, COSEM_LN_LEN);
    }
    if (late != 0) {
        return late;
    }
    memcpy(list, tmp, n * COSEM_LN_LEN);
    *count = (uint8_t)n;
    return 0;
}

static int set_ccc(S *st, axdr_dec_t *d) {
    cosem_credit_charge_cfg_t tmp[EM_PREPAY_CREDIT_CHARGE_CFG];
    uint32_t n, k;
    if (axdr_get_array(d, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    int late = 0;
    for (uint32_t i = 0; i < n; i++) {
        cosem_credit_charge_cfg_t c;
        if (axdr_get_structure(d, &k) != 0 || k != 3) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        int rc1 = get_ln(d, c.credit);
        int rc2 = rc1 == DLMS_DAR_TYPE_UNMATCHED ? rc1 : get_ln(d, c.charge);
        int rc3 = rc2 == DLMS_DAR_TYPE_UNMATCHED ? rc2 : cosem_prepay_get_bits(d, 3, &c.collection);
        if (rc1 == DLMS_DAR_TYPE_UNMATCHED || rc2 == DLMS_DAR_TYPE_UNMATCHED ||
            rc3 == DLMS_DAR_TYPE_UNMATCHED) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (rc1 != 0 || rc2 != 0 || rc3 != 0 || i >= EM_PREPAY_CREDIT_CHARGE_CFG ||
            !in_list(st->credits, st->credit_count, c.credit) ||
            !in_list(st->charges, st->charge_count, c.charge)) {
            late = DLMS_DAR_OTHER_REASON;
            continue;
        }
        tmp[i] = c;
    }
    if (late != 0) {
        return late;
    }
    memcpy(st->ccc, tmp, n * sizeof(tmp[0]));
    st->ccc_count = (uint8_t)n;
    return 0;
}

static int set_tgc(S *st, axdr_dec_t *d) {
    cosem_token_gw_cfg_t tmp[EM_PREPAY_CREDITS];
    uint32_t n, k, sum = 0;
    if (axdr_get_array(d, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    int late = 0;
    for (uint32_t i = 0; i < n; i++) {
        cosem_token_gw_cfg_t c;
        if (axdr_get_structure(d, &k) != 0 || k != 2) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        int rc = get_ln(d, c.credit);
        if (rc == DLMS_DAR_TYPE_UNMATCHED || axdr_get_uint8(d, &c.proportion) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        sum += c.proportion;
        if (rc != 0 || i >= EM_PREPAY_CREDITS || c.proportion > 100 ||
            !in_list(st->credits, st->credit_count, c.credit)) {
            late = DLMS_DAR_OTHER_REASON;
            continue;
        }
        tmp[i] = c;
    }
    if (late != 0 || (n > 0 && sum != 100)) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(st->tgc, tmp, n * sizeof(tmp[0]));
    st->tgc_count = (uint8_t)n;
    return 0;
}

static int set_currency(S *st, axdr_dec_t *d) {
    uint32_t n;
    const uint8_t *name;
    size_t len;
    int8_t scale;
    uint8_t unit;
    if (axdr_get_structure(d, &n) != 0 || n != 3 || axdr_get_utf8_string(d, &name, &len) != 0 ||
        axdr_get_int8(d, &scale) != 0 || axdr_get_enum(d, &unit) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (len > EM_PREPAY_CURRENCY_NAME_MAX || unit > COSEM_CURRENCY_MONETARY) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(st->currency_name, name, len);
    st->currency_name_len = (uint8_t)len;
    st->currency_scale = scale;
    st->currency_unit = unit;
    return 0;
}

static int set_mode(S *st, axdr_dec_t *d) {
    uint32_t n;
    uint8_t mode, status;
    if (axdr_get_structure(d, &n) != 0 || n != 2 || axdr_get_enum(d, &mode) != 0 ||
        axdr_get_enum(d, &status) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (mode < COSEM_PAYMENT_MODE_CREDIT || mode > COSEM_PAYMENT_MODE_PREPAYMENT ||
        status != st->account_status) {
        return DLMS_DAR_OTHER_REASON;
    }
    st->payment_mode = mode;
    if (mode == COSEM_PAYMENT_MODE_CREDIT) {
        st->deferred = false; /* credit mode never disconnects; the tick releases a pending one */
    }
    return 0;
}

/* ---- attributes ----------------------------------------------------------------- */

static bool binding(const cosem_object_t *obj, int8_t id, cosem_value_t *v) {
    uint32_t b = base_of(obj);
    switch (id) {
    case 3:
        *v = cosem_prepay_field(b + offsetof(S, current_credit_in_use), AXDR_UNSIGNED, COSEM_CT_U8,
                                1);
        return true;
    case 5:
    case 6:
    case 7:
    case 8:
    case 16:
    case 17:
    case 19: {
        static const uint8_t off_idx[] = {5, 6, 7, 8, 16, 17, 19};
        static const uint32_t offs[] = {
            offsetof(S, available_credit),     offsetof(S, amount_to_clear),
            offsetof(S, clearance_threshold),  offsetof(S, aggregated_debt),
            offsetof(S, low_credit_threshold), offsetof(S, next_credit_available_threshold),
            offsetof(S, max_provision_period)};
        for (size_t i = 0; i < sizeof(off_idx); i++) {
            if (off_idx[i] == (uint8_t)id) {
                *v = cosem_prepay_field(b + offs[i], AXDR_DOUBLE_LONG, COSEM_CT_I32, 4);
            }
        }
        return true;
    }
    case 13:
        *v = cosem_prepay_field(b + offsetof(S, activation_time), AXDR_OCTET_STRING, COSEM_CT_UTC,
                                8);
        return true;
    case 14:
        *v = cosem_prepay_field(b + offsetof(S, closure_time), AXDR_OCTET_STRING, COSEM_CT_UTC, 8);
        return true;
    case 18:
        *v =
            cosem_prepay_field(b + offsetof(S, max_provision), AXDR_LONG_UNSIGNED, COSEM_CT_U16, 2);
        return true;
    default:
        return false;
    }
}

static void put_refs(axdr_enc_t *e, const uint8_t (*list)[COSEM_LN_LEN], uint8_t n, uint8_t cap) {
    n = n < cap ? n : cap;
    axdr_put_array(e, n);
    for (uint8_t i = 0; i < n; i++) {
        axdr_put_octet_string(e, list[i], COSEM_LN_LEN);
    }
}

static int account_get(const cosem_req_t *r, axdr_enc_t *e) {
    const S *st = cosem_account_state(r->srv, r->obj);
    switch (r->id) {
    case 2:
        axdr_put_structure(e, 2);
        axdr_put_enum(e, st->payment_mode);
        axdr_put_enum(e, st->account_status);
        return e->err;
    case 4:
        return cosem_prepay_put_bits(e, st->current_credit_status, 8);
    case 9:
        put_refs(e, st->credits, st->credit_count, EM_PREPAY_CREDITS);
        return e->err;
    case 10:
        put_refs(e, st->charges, st->charge_count, EM_PREPAY_CHARGES);
        return e->err;
    case 11: {
        uint8_t n = st->ccc_count < EM_PREPAY_CREDIT_CHARGE_CFG ? st->ccc_count
                                                                : EM_PREPAY_CREDIT_CHARGE_CFG;
        axdr_put_array(e, n);
        for (uint8_t i = 0; i < n; i++) {
            axdr_put_structure(e, 3);
            axdr_put_octet_string(e, st->ccc[i].credit, COSEM_LN_LEN);
            axdr_put_octet_string(e, st->ccc[i].charge, COSEM_LN_LEN);
            cosem_prepay_put_bits(e, st->ccc[i].collection, 3);
        }
        return e->err;
    }
    case 12: {
        uint8_t n = st->tgc_count < EM_PREPAY_CREDITS ? st->tgc_count : EM_PREPAY_CREDITS;
        axdr_put_array(e, n);
        for (uint8_t i = 0; i < n; i++) {
            axdr_put_structure(e, 2);
            axdr_put_octet_string(e, st->tgc[i].credit, COSEM_LN_LEN);
            axdr_put_uint8(e, st->tgc[i].proportion);
        }
        return e->err;
    }
    case 15: {
        uint8_t n = st->currency_name_len < EM_PREPAY_CURRENCY_NAME_MAX
                        ? st->currency_name_len
                        : EM_PREPAY_CURRENCY_NAME_MAX;
        axdr_put_structure(e, 3);
        axdr_put_utf8_string(e, st->currency_name, n);
        axdr_put_int8(e, st->currency_scale);
        axdr_put_enum(e, st->currency_unit);
        return e->err;
    }
    default: {
        cosem_value_t v;
        if (!binding(r->obj, r->id, &v)) {
            return DLMS_DAR_OBJECT_UNDEFINED;
        }
        return cosem_value_get(r->srv, &v, e);
    }
    }
}

static int account_set(const cosem_req_t *r, axdr_dec_t *value) {
    S *st = cosem_account_state(r->srv, r->obj);
    switch (r->id) {
    case 2:
        return set_mode(st, value);
    case 9: {
        int rc = set_refs(r->srv, value, COSEM_CLASS_CREDIT, EM_PREPAY_CREDITS, st->credits,
                          &st->credit_count);
        if (rc == 0) { /* pairs naming credits no longer listed go */
            st->ccc_count = 0;
            st->tgc_count = 0;
            st->current_credit_in_use = 0;
        }
        return rc;
    }
    case 10: {
        int rc = set_refs(r->srv, value, COSEM_CLASS_CHARGE, EM_PREPAY_CHARGES, st->charges,
                          &st->charge_count);
        if (rc == 0) {
            st->ccc_count = 0;
        }
        return rc;
    }
    case 11:
        return set_ccc(st, value);
    case 12:
        return set_tgc(st, value);
    case 15:
        return set_currency(st, value);
    case 7:
    case 13:
    case 14:
    case 16:
    case 17:
    case 18:
    case 19: {
        cosem_value_t v;
        binding(r->obj, r->id, &v);
        if (r->id == 19) {
            int32_t p;
            axdr_dec_t peek = *value;
            if (axdr_get_int32(&peek, &p) == 0 && p < 0) {
                return DLMS_DAR_OTHER_REASON;
            }
        }
        return cosem_value_set(r->srv, &v, value);
    }
    default:
        return DLMS_DAR_READ_WRITE_DENIED;
    }
}

static int account_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret,
                          bool *has_ret) {
    (void)ret;
    *has_ret = false;
    if (!cosem_param_is_dummy(params)) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    int64_t now = cosem_prepay_now(r->srv);
    int rc;
    if (r->id == 1) {
        rc = cosem_account_activate(r->srv, r->obj, now);
    } else if (r->id == 2) {
        rc = cosem_account_close(r->srv, r->obj, now);
    } else {
        rc = cosem_account_reset(r->srv, r->obj);
    }
    return rc == 0 ? 0 : (int)DLMS_ACTION_OTHER_REASON;
}

static int account_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_account_def_t *d = obj->def;
    if (d == NULL || d->state > s->app_size || s->app_size - d->state < sizeof(S)) {
        return COSEM_ERR_BINDING;
    }
    if (d->tariff.kind != COSEM_VAL_NULL) {
        return cosem_value_check(s, &d->tariff);
    }
    return 0;
}

const cosem_class_t cosem_class_account = {
    .class_id = COSEM_CLASS_ACCOUNT,
    .version = 0,
    .attr_count = 19,
    .method_count = 3,
    .write_mask = COSEM_BIT(2) | COSEM_BIT(7) | COSEM_BIT(9) | COSEM_BIT(10) | COSEM_BIT(11) |
                  COSEM_BIT(12) | COSEM_BIT(13) | COSEM_BIT(14) | COSEM_BIT(15) | COSEM_BIT(16) |
                  COSEM_BIT(17) | COSEM_BIT(18) | COSEM_BIT(19),
    .method_mask = COSEM_BIT(1) | COSEM_BIT(2) | COSEM_BIT(3),
    .get = account_get,
    .set = account_set,
    .action = account_action,
    .check = account_check,
};
