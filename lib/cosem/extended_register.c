/*
 * extended_register.c - interface class Extended register (class_id 4,
 * version 0; Blue Book "Extended register"): 2 value, 3 scaler_unit,
 * 4 status, 5 capture_time (date-time as octet-string), method 1 reset.
 *
 * reset (Blue Book): the value and the status go back to their defaults
 * (0 for field bindings) and capture_time takes the current time.
 */
#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

static const cosem_ext_register_def_t *def_of(const cosem_object_t *obj) {
    return obj->def;
}

static int ext_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_ext_register_def_t *d = def_of(r->obj);
    switch (r->id) {
    case 2:
        return cosem_value_get(r->srv, &d->value, e);
    case 3:
        return cosem_put_scaler_unit(e, d->scaler, d->unit);
    case 4:
        return cosem_value_get(r->srv, &d->status, e);
    default:
        return cosem_value_get(r->srv, &d->capture_time, e);
    }
}

static int ext_set(const cosem_req_t *r, axdr_dec_t *value) {
    if (r->id != 2) {
        return DLMS_DAR_READ_WRITE_DENIED;
    }
    return cosem_value_set(r->srv, &def_of(r->obj)->value, value);
}

static int ext_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret, bool *has_ret) {
    const cosem_ext_register_def_t *d = def_of(r->obj);
    (void)ret;
    *has_ret = false;
    if (!cosem_param_is_dummy(params)) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    int64_t now;
    int rc = cosem_rtc_now(r->srv, &now);
    if (rc != 0) {
        return rc;
    }
    rc = cosem_value_zero(r->srv, &d->value);
    if (rc != 0) {
        return rc;
    }
    if (d->status.kind == COSEM_VAL_FIELD) {
        cosem_value_zero(r->srv, &d->status);
    }
    return cosem_value_set_utc(r->srv, &d->capture_time, now);
}

static uint32_t ext_writable(const cosem_object_t *obj) {
    return cosem_value_writable(&def_of(obj)->value) ? COSEM_BIT(2) : 0;
}

static int ext_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_ext_register_def_t *d = def_of(obj);
    int rc = cosem_value_check(s, &d->value);
    if (rc == 0) {
        rc = cosem_value_check(s, &d->status);
    }
    return rc == 0 ? cosem_value_check(s, &d->capture_time) : rc;
}

const cosem_class_t cosem_class_extended_register = {
    .class_id = COSEM_CLASS_EXTENDED_REGISTER,
    .version = 0,
    .attr_count = 5,
    .method_count = 1,
    .write_mask = COSEM_BIT(2),
    .method_mask = COSEM_BIT(1),
    .get = ext_get,
    .set = ext_set,
    .action = ext_action,
    .writable = ext_writable,
    .check = ext_check,
};
