/*
 * charge.c - interface class Charge (class_id 113, version 0; IEC 62056-6-2
 * / DLMS UA Blue Book, payment metering classes): attributes 2-13, methods
 * update_unit_charge, activate_passive_unit_charge, collect,
 * update_total_amount_remaining, set_total_amount_remaining. The amount
 * arithmetic (scales, tariff index, carried fractions) is here; collection
 * from credits is prepayment.c. Layout in charge.h.
 */
#include <string.h>

#include "cosem/prepayment.h"

#define S cosem_charge_state_t

/* 10^18 is the largest power of ten in an int64_t. */
#define MAX_EXP 18

static uint32_t base_of(const cosem_object_t *obj) {
    return ((const cosem_charge_def_t *)obj->def)->state;
}

cosem_charge_state_t *cosem_charge_state(const cosem_server_t *s, const cosem_object_t *obj) {
    if (s == NULL || obj == NULL || obj->cls != &cosem_class_charge) {
        return NULL;
    }
    return cosem_app_ptr(s, base_of(obj));
}

void cosem_charge_init(cosem_charge_state_t *st, uint8_t type, uint8_t priority, int16_t per_unit,
                       int8_t commodity_scale, int8_t price_scale) {
    memset(st, 0, sizeof(*st));
    st->charge_type = type;
    st->priority = priority;
    st->charge_configuration = COSEM_CHARGE_CFG_CONTINUOUS;
    st->active.commodity_scale = commodity_scale;
    st->active.price_scale = price_scale;
    st->active.count = 1;
    st->active.table[0].charge_per_unit = per_unit;
    st->passive = st->active;
}

void cosem_charge_activate_passive(cosem_charge_state_t *st) {
    st->active = st->passive;
    st->activation_time = 0;
    st->remainder = 0; /* a fraction at the old price is not carried into the new */
}

static int64_t pow10_i64(int n) {
    int64_t p = 1;
    for (int i = 0; i < n; i++) {
        p *= 10;
    }
    return p;
}

static int32_t clamp32(int64_t v) {
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

int32_t cosem_charge_amount(cosem_charge_state_t *st, int64_t q, const uint8_t *tariff,
                            size_t tariff_len) {
    const cosem_unit_charge_t *u = &st->active;
    if (u->count == 0 || q <= 0) {
        return 0;
    }
    const cosem_charge_table_entry_t *t = &u->table[0];
    for (uint8_t i = 0; tariff != NULL && i < u->count && i < EM_PREPAY_CHARGE_TABLE; i++) {
        if (u->table[i].index_len == tariff_len &&
            memcmp(u->table[i].index, tariff, tariff_len) == 0) {
            t = &u->table[i];
            break;
        }
    }
    int exp = u->commodity_scale + u->price_scale;
    int64_t num;
    if (__builtin_mul_overflow(q, (int64_t)t->charge_per_unit, &num)) {
        return t->charge_per_unit < 0 ? INT32_MIN : INT32_MAX;
    }
    if (exp >= 0) {
        int64_t out;
        if (exp > MAX_EXP || __builtin_mul_overflow(num, pow10_i64(exp), &out)) {
            return num < 0 ? INT32_MIN : INT32_MAX;
        }
        return clamp32(out);
    }
    if (-exp > MAX_EXP) {
        return 0; /* below 10^-18 per unit: nothing, ever */
    }
    int64_t div = pow10_i64(-exp);
    if (__builtin_add_overflow(num, st->remainder, &num)) {
        st->remainder = 0;
        return INT32_MAX;
    }
    int64_t whole = num / div;
    st->remainder = num % div;
    return clamp32(whole);
}

/* ---- unit_charge ---------------------------------------------------------- */

int cosem_charge_put_unit(axdr_enc_t *e, const cosem_unit_charge_t *u) {
    axdr_put_structure(e, 3);
    axdr_put_structure(e, 2);
    axdr_put_int8(e, u->commodity_scale);
    axdr_put_int8(e, u->price_scale);
    axdr_put_structure(e, 3);
    axdr_put_uint16(e, u->class_id);
    axdr_put_octet_string(e, u->ln, COSEM_LN_LEN);
    axdr_put_int8(e, u->attribute_index);
    uint8_t n = u->count < EM_PREPAY_CHARGE_TABLE ? u->count : EM_PREPAY_CHARGE_TABLE;
    axdr_put_array(e, n);
    for (uint8_t i = 0; i < n; i++) {
        axdr_put_structure(e, 2);
        axdr_put_octet_string(e, u->table[i].index, u->table[i].index_len);
        axdr_put_int16(e, u->table[i].charge_per_unit);
    }
    return e->err;
}

static bool ln_is_zero(const uint8_t ln[COSEM_LN_LEN]) {
    static const uint8_t zero[COSEM_LN_LEN] = {0};
    return memcmp(ln, zero, COSEM_LN_LEN) == 0;
}

int cosem_charge_get_unit(const cosem_server_t *s, axdr_dec_t *d, cosem_unit_charge_t *out) {
    cosem_unit_charge_t u;
    memset(&u, 0, sizeof(u));
    uint32_t n;
    const uint8_t *ln;
    size_t len;
    if (axdr_get_structure(d, &n) != 0 || n != 3 || axdr_get_structure(d, &n) != 0 || n != 2 ||
        axdr_get_int8(d, &u.commodity_scale) != 0 || axdr_get_int8(d, &u.price_scale) != 0 ||
        axdr_get_structure(d, &n) != 0 || n != 3 || axdr_get_uint16(d, &u.class_id) != 0 ||
        axdr_get_octet_string(d, &ln, &len) != 0 || axdr_get_int8(d, &u.attribute_index) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (len != COSEM_LN_LEN || u.commodity_scale + u.price_scale > MAX_EXP ||
        u.commodity_scale + u.price_scale < -MAX_EXP) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(u.ln, ln, COSEM_LN_LEN);
    /* A commodity is an attribute (>= 2) of an object of the table, or none
     * (class 0, all-zero name): the consumption handed to the tick. */
    if (u.class_id != 0 || !ln_is_zero(u.ln)) {
        const cosem_object_t *o = cosem_find(s, u.ln);
        if (o == NULL || o->cls->class_id != u.class_id || u.attribute_index < 2 ||
            u.attribute_index > o->cls->attr_count) {
            return DLMS_DAR_OTHER_REASON;
        }
    }
    if (axdr_get_array(d, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_PREPAY_CHARGE_TABLE) {
        return DLMS_DAR_OTHER_REASON;
    }
    int over = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k;
        if (axdr_get_structure(d, &k) != 0 || k != 2 || axdr_get_octet_string(d, &ln, &len) != 0 ||
            axdr_get_int16(d, &u.table[i].charge_per_unit) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (len > EM_PREPAY_INDEX_MAX) {
            over = 1; /* keep checking the types: type errors come first */
            continue;
        }
        memcpy(u.table[i].index, ln, len);
        u.table[i].index_len = (uint8_t)len;
        for (uint32_t j = 0; j < i; j++) {
            if (u.table[j].index_len == len && memcmp(u.table[j].index, ln, len) == 0) {
                over = 1; /* duplicate index */
            }
        }
    }
    if (over) {
        return DLMS_DAR_OTHER_REASON;
    }
    u.count = (uint8_t)n;
    *out = u;
    return 0;
}

/* ---- attributes ------------------------------------------------------------- */

static bool binding(const cosem_object_t *obj, int8_t id, cosem_value_t *v) {
    uint32_t b = base_of(obj);
    switch (id) {
    case 2:
        *v = cosem_prepay_field(b + offsetof(S, total_amount_paid), AXDR_DOUBLE_LONG, COSEM_CT_I32,
                                4);
        return true;
    case 3:
        *v = cosem_prepay_field(b + offsetof(S, charge_type), AXDR_ENUM, COSEM_CT_U8, 1);
        return true;
    case 4:
        *v = cosem_prepay_field(b + offsetof(S, priority), AXDR_UNSIGNED, COSEM_CT_U8, 1);
        return true;
    case 7:
        *v = cosem_prepay_field(b + offsetof(S, activation_time), AXDR_OCTET_STRING, COSEM_CT_UTC,
                                8);
        return true;
    case 8:
        *v =
            cosem_prepay_field(b + offsetof(S, period), AXDR_DOUBLE_LONG_UNSIGNED, COSEM_CT_U32, 4);
        return true;
    case 10:
        *v = cosem_prepay_field(b + offsetof(S, last_collection_time), AXDR_OCTET_STRING,
                                COSEM_CT_UTC, 8);
        return true;
    case 11:
        *v = cosem_prepay_field(b + offsetof(S, last_collection_amount), AXDR_DOUBLE_LONG,
                                COSEM_CT_I32, 4);
        return true;
    case 12:
        *v = cosem_prepay_field(b + offsetof(S, total_amount_remaining), AXDR_DOUBLE_LONG,
                                COSEM_CT_I32, 4);
        return true;
    case 13:
        *v = cosem_prepay_field(b + offsetof(S, proportion), AXDR_LONG_UNSIGNED, COSEM_CT_U16, 2);
        return true;
    default:
        return false;
    }
}

static int charge_get(const cosem_req_t *r, axdr_enc_t *e) {
    const S *st = cosem_charge_state(r->srv, r->obj);
    if (r->id == 5 || r->id == 6) {
        return cosem_charge_put_unit(e, r->id == 5 ? &st->active : &st->passive);
    }
    if (r->id == 9) {
        return cosem_prepay_put_bits(e, st->charge_configuration, 2);
    }
    cosem_value_t v;
    if (!binding(r->obj, r->id, &v)) {
        return DLMS_DAR_OBJECT_UNDEFINED;
    }
    return cosem_value_get(r->srv, &v, e);
}

static int charge_set(const cosem_req_t *r, axdr_dec_t *value) {
    S *st = cosem_charge_state(r->srv, r->obj);
    int rc;
    switch (r->id) {
    case 3: {
        uint8_t t;
        if (axdr_get_enum(value, &t) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (t > COSEM_CHARGE_PAYMENT) {
            return DLMS_DAR_OTHER_REASON;
        }
        st->charge_type = t;
        st->next_period = 0;
        st->have_commodity = false;
        return 0;
    }
    case 6:
        return cosem_charge_get_unit(r->srv, value, &st->passive);
    case 8: {
        uint32_t p;
        if (axdr_get_uint32(value, &p) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (p == 0 && st->charge_type == COSEM_CHARGE_TIME) {
            return DLMS_DAR_OTHER_REASON;
        }
        st->period = p;
        st->next_period = 0; /* restart at the next boundary of the new period */
        return 0;
    }
    case 9: {
        uint8_t bits;
        rc = cosem_prepay_get_bits(value, 2, &bits);
        if (rc == 0) {
            st->charge_configuration = bits;
        }
        return rc;
    }
    case 13: {
        uint16_t p;
        if (axdr_get_uint16(value, &p) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (p > 10000) {
            return DLMS_DAR_OTHER_REASON;
        }
        st->proportion = p;
        return 0;
    }
    case 4:
    case 7: {
        cosem_value_t v;
        binding(r->obj, r->id, &v);
        return cosem_value_set(r->srv, &v, value);
    }
    default:
        return DLMS_DAR_READ_WRITE_DENIED;
    }
}

static int charge_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret, bool *has_ret) {
    (void)ret;
    *has_ret = false;
    S *st = cosem_charge_state(r->srv, r->obj);
    switch (r->id) {
    case 1: {
        cosem_unit_charge_t u;
        if (params == NULL) {
            return DLMS_ACTION_TYPE_UNMATCHED;
        }
        int rc = cosem_charge_get_unit(r->srv, params, &u);
        if (rc == 0 && !cosem_dec_done(params)) {
            rc = DLMS_ACTION_TYPE_UNMATCHED;
        }
        if (rc == 0) {
            st->passive = u;
        }
        return rc;
    }
    case 2:
        if (!cosem_param_is_dummy(params)) {
            return DLMS_ACTION_TYPE_UNMATCHED;
        }
        cosem_charge_activate_passive(st);
        return 0;
    case 3: {
        if (!cosem_param_is_dummy(params)) {
            return DLMS_ACTION_TYPE_UNMATCHED;
        }
        int rc = cosem_prepay_collect_charge(r->srv, r->obj, cosem_prepay_now(r->srv));
        return rc == 0 ? 0 : (int)DLMS_ACTION_OTHER_REASON;
    }
    default: {
        int32_t v;
        if (cosem_prepay_get_amount(params, &v) != 0) {
            return DLMS_ACTION_TYPE_UNMATCHED;
        }
        if (r->id == 4) {
            int32_t sum;
            if (__builtin_add_overflow(st->total_amount_remaining, v, &sum)) {
                return DLMS_ACTION_OTHER_REASON;
            }
            st->total_amount_remaining = sum;
        } else {
            st->total_amount_remaining = v;
        }
        return 0;
    }
    }
}

static int charge_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_charge_def_t *d = obj->def;
    if (d == NULL || d->state > s->app_size || s->app_size - d->state < sizeof(S)) {
        return COSEM_ERR_BINDING;
    }
    return 0;
}

const cosem_class_t cosem_class_charge = {
    .class_id = COSEM_CLASS_CHARGE,
    .version = 0,
    .attr_count = 13,
    .method_count = 5,
    .write_mask = COSEM_BIT(3) | COSEM_BIT(4) | COSEM_BIT(6) | COSEM_BIT(7) | COSEM_BIT(8) |
                  COSEM_BIT(9) | COSEM_BIT(13),
    .method_mask = COSEM_BIT(1) | COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4) | COSEM_BIT(5),
    .get = charge_get,
    .set = charge_set,
    .action = charge_action,
    .check = charge_check,
};
