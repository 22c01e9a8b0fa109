/*
 * data.c - interface class Data (class_id 1, version 0; Blue Book "Data"):
 * attribute 2 value, of any type, bound to the application through a
 * cosem_value_t. No methods.
 *
 * Logical device name, invocation counters, event counters, status words
 * and most identification objects of a meter are Data objects.
 */
#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

static const cosem_data_def_t *def_of(const cosem_object_t *obj) {
    return obj->def;
}

static int data_get(const cosem_req_t *r, axdr_enc_t *e) {
    return cosem_value_get(r->srv, &def_of(r->obj)->value, e);
}

static int data_set(const cosem_req_t *r, axdr_dec_t *value) {
    return cosem_value_set(r->srv, &def_of(r->obj)->value, value);
}

static uint32_t data_writable(const cosem_object_t *obj) {
    return cosem_value_writable(&def_of(obj)->value) ? COSEM_BIT(2) : 0;
}

static int data_check(const cosem_server_t *s, const cosem_object_t *obj) {
    return cosem_value_check(s, &def_of(obj)->value);
}

const cosem_class_t cosem_class_data = {
    .class_id = COSEM_CLASS_DATA,
    .version = 0,
    .attr_count = 2,
    .method_count = 0,
    .write_mask = COSEM_BIT(2),
    .get = data_get,
    .set = data_set,
    .writable = data_writable,
    .check = data_check,
};
