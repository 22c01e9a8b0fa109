/*
 * credit.c - interface class Credit (class_id 112, version 0; IEC 62056-6-2
 * / DLMS UA Blue Book, payment metering classes): attributes 2-11, methods
 * update_amount, set_amount_to_value, invoke_credit. Attribute layout and
 * the status life cycle are in credit.h and prepayment.h.
 */
#include <string.h>

#include "cosem/prepayment.h"

#define S cosem_credit_state_t

static uint32_t base_of(const cosem_object_t *obj) {
    return ((const cosem_credit_def_t *)obj->def)->state;
}

cosem_credit_state_t *cosem_credit_state(const cosem_server_t *s, const cosem_object_t *obj) {
    if (s == NULL || obj == NULL || obj->cls != &cosem_class_credit) {
        return NULL;
    }
    return cosem_app_ptr(s, base_of(obj));
}

void cosem_credit_init_token(cosem_credit_state_t *st, uint8_t priority) {
    memset(st, 0, sizeof(*st));
    st->credit_type = COSEM_CREDIT_TYPE_TOKEN;
    st->priority = priority;
    st->credit_configuration = COSEM_CREDIT_CFG_TOKENS;
    st->credit_status = COSEM_CREDIT_EXHAUSTED; /* nothing on it yet */
}

void cosem_credit_init_emergency(cosem_credit_state_t *st, uint8_t priority, int32_t preset,
                                 int32_t threshold, bool confirmation) {
    memset(st, 0, sizeof(*st));
    st->credit_type = COSEM_CREDIT_TYPE_EMERGENCY;
    st->priority = priority;
    st->credit_configuration = (uint8_t)(COSEM_CREDIT_CFG_VISUAL | COSEM_CREDIT_CFG_PAID_BACK |
                                         COSEM_CREDIT_CFG_RESETTABLE |
                                         (confirmation ? COSEM_CREDIT_CFG_CONFIRMATION : 0u));
    st->current_credit_amount = preset;
    st->preset_credit_amount = preset;
    st->credit_available_threshold = threshold;
    st->credit_status = COSEM_CREDIT_ENABLED;
}

bool cosem_credit_is_selectable_kind(const cosem_credit_state_t *st) {
    return st->credit_type == COSEM_CREDIT_TYPE_EMERGENCY ||
           st->credit_type == COSEM_CREDIT_TYPE_RESERVED;
}

/* The binding of a double-long / unsigned / enum / date-time attribute. */
static bool binding(const cosem_object_t *obj, int8_t id, cosem_value_t *v) {
    uint32_t b = base_of(obj);
    switch (id) {
    case 2:
        *v = cosem_prepay_field(b + offsetof(S, current_credit_amount), AXDR_DOUBLE_LONG,
                                COSEM_CT_I32, 4);
        return true;
    case 3:
        *v = cosem_prepay_field(b + offsetof(S, credit_type), AXDR_ENUM, COSEM_CT_U8, 1);
        return true;
    case 4:
        *v = cosem_prepay_field(b + offsetof(S, priority), AXDR_UNSIGNED, COSEM_CT_U8, 1);
        return true;
    case 5:
        *v = cosem_prepay_field(b + offsetof(S, warning_threshold), AXDR_DOUBLE_LONG, COSEM_CT_I32,
                                4);
        return true;
    case 6:
        *v = cosem_prepay_field(b + offsetof(S, limit), AXDR_DOUBLE_LONG, COSEM_CT_I32, 4);
        return true;
    case 8:
        *v = cosem_prepay_field(b + offsetof(S, credit_status), AXDR_ENUM, COSEM_CT_U8, 1);
        return true;
    case 9:
        *v = cosem_prepay_field(b + offsetof(S, preset_credit_amount), AXDR_DOUBLE_LONG,
                                COSEM_CT_I32, 4);
        return true;
    case 10:
        *v = cosem_prepay_field(b + offsetof(S, credit_available_threshold), AXDR_DOUBLE_LONG,
                                COSEM_CT_I32, 4);
        return true;
    case 11:
        *v = cosem_prepay_field(b + offsetof(S, period), AXDR_OCTET_STRING, COSEM_CT_UTC, 8);
        return true;
    default:
        return false;
    }
}

static int credit_get(const cosem_req_t *r, axdr_enc_t *e) {
    if (r->id == 7) {
        const S *st = cosem_credit_state(r->srv, r->obj);
        return cosem_prepay_put_bits(e, st->credit_configuration, 5);
    }
    cosem_value_t v;
    if (!binding(r->obj, r->id, &v)) {
        return DLMS_DAR_OBJECT_UNDEFINED;
    }
    return cosem_value_get(r->srv, &v, e);
}

static int credit_set(const cosem_req_t *r, axdr_dec_t *value) {
    S *st = cosem_credit_state(r->srv, r->obj);
    if (r->id == 7) {
        uint8_t bits;
        int rc = cosem_prepay_get_bits(value, 5, &bits);
        if (rc == 0) {
            st->credit_configuration = bits;
        }
        return rc;
    }
    if (r->id == 3) { /* validate the enum before storing it */
        uint8_t t;
        if (axdr_get_enum(value, &t) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (t > COSEM_CREDIT_TYPE_CONSUMPTION) {
            return DLMS_DAR_OTHER_REASON;
        }
        st->credit_type = t;
        return 0;
    }
    cosem_value_t v;
    if (r->id == 2 || r->id == 8 || !binding(r->obj, r->id, &v)) {
        return DLMS_DAR_READ_WRITE_DENIED;
    }
    return cosem_value_set(r->srv, &v, value);
}

static int credit_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret, bool *has_ret) {
    (void)ret;
    *has_ret = false;
    S *st = cosem_credit_state(r->srv, r->obj);
    if (r->id == 3) { /* invoke_credit */
        uint8_t status = COSEM_CREDIT_INVOKED;
        if (params != NULL && axdr_next_is(params, AXDR_ENUM)) {
            if (axdr_get_enum(params, &status) != 0 || !cosem_dec_done(params)) {
                return DLMS_ACTION_TYPE_UNMATCHED;
            }
        } else if (!cosem_param_is_dummy(params)) {
            return DLMS_ACTION_TYPE_UNMATCHED;
        }
        if (status != COSEM_CREDIT_INVOKED || st->credit_status != COSEM_CREDIT_SELECTABLE) {
            return DLMS_ACTION_OTHER_REASON;
        }
        st->credit_status = COSEM_CREDIT_INVOKED;
        return 0;
    }
    int32_t v;
    if (cosem_prepay_get_amount(params, &v) != 0) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    if (r->id == 1) { /* update_amount */
        int32_t sum;
        if (__builtin_add_overflow(st->current_credit_amount, v, &sum)) {
            return DLMS_ACTION_OTHER_REASON;
        }
        st->current_credit_amount = sum;
    } else { /* set_amount_to_value */
        st->current_credit_amount = v;
    }
    if (st->current_credit_amount > st->warning_threshold) {
        st->warned = false;
    }
    return 0;
}

static int credit_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_credit_def_t *d = obj->def;
    if (d == NULL || d->state > s->app_size || s->app_size - d->state < sizeof(S)) {
        return COSEM_ERR_BINDING;
    }
    return 0;
}

const cosem_class_t cosem_class_credit = {
    .class_id = COSEM_CLASS_CREDIT,
    .version = 0,
    .attr_count = 11,
    .method_count = 3,
    .write_mask = COSEM_BIT(3) | COSEM_BIT(4) | COSEM_BIT(5) | COSEM_BIT(6) | COSEM_BIT(7) |
                  COSEM_BIT(9) | COSEM_BIT(10) | COSEM_BIT(11),
    .method_mask = COSEM_BIT(1) | COSEM_BIT(2) | COSEM_BIT(3),
    .get = credit_get,
    .set = credit_set,
    .action = credit_action,
    .check = credit_check,
};
