/*
 * register.c - interface class Register (class_id 3, version 0; Blue Book
 * "Register"): attribute 2 value, attribute 3 scaler_unit
 * (structure{integer scaler, enum unit}), method 1 reset (data ::= integer 0).
 *
 * The value is a binding (usually an integer field of the application, e.g.
 * a uint64 Wh counter); scaler and unit are constants of the meter variant.
 * reset stores 0 in a field binding; other bindings cannot be reset.
 */
#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

int cosem_put_scaler_unit(axdr_enc_t *e, int8_t scaler, uint8_t unit) {
    axdr_put_structure(e, 2);
    axdr_put_int8(e, scaler);
    return axdr_put_enum(e, unit);
}

bool cosem_param_is_dummy(axdr_dec_t *params) {
    if (params == NULL) {
        return true;
    }
    int tag = axdr_peek_tag(params);
    if (tag != AXDR_NULL && tag != AXDR_INTEGER) {
        return false;
    }
    axdr_value_t v;
    return axdr_get_value(params, &v) == 0 && cosem_dec_done(params);
}

static const cosem_register_def_t *def_of(const cosem_object_t *obj) {
    return obj->def;
}

static int register_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_register_def_t *d = def_of(r->obj);
    if (r->id == 2) {
        return cosem_value_get(r->srv, &d->value, e);
    }
    return cosem_put_scaler_unit(e, d->scaler, d->unit);
}

static int register_set(const cosem_req_t *r, axdr_dec_t *value) {
    if (r->id != 2) {
        return DLMS_DAR_READ_WRITE_DENIED;
    }
    return cosem_value_set(r->srv, &def_of(r->obj)->value, value);
}

static int register_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret,
                           bool *has_ret) {
    (void)ret;
    *has_ret = false;
    if (!cosem_param_is_dummy(params)) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    return cosem_value_zero(r->srv, &def_of(r->obj)->value);
}

static uint32_t register_writable(const cosem_object_t *obj) {
    return cosem_value_writable(&def_of(obj)->value) ? COSEM_BIT(2) : 0;
}

static int register_check(const cosem_server_t *s, const cosem_object_t *obj) {
    return cosem_value_check(s, &def_of(obj)->value);
}

const cosem_class_t cosem_class_register = {
    .class_id = COSEM_CLASS_REGISTER,
    .version = 0,
    .attr_count = 3,
    .method_count = 1,
    .write_mask = COSEM_BIT(2),
    .method_mask = COSEM_BIT(1),
    .get = register_get,
    .set = register_set,
    .action = register_action,
    .writable = register_writable,
    .check = register_check,
};
