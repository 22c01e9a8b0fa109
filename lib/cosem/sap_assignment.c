/*
 * sap_assignment.c - interface class SAP assignment (class_id 17,
 * version 0; Blue Book "SAP assignment"): attribute 2 SAP_assignment_list,
 * array of structure{SAP long-unsigned, logical_device_name octet-string},
 * the logical devices of the physical device and their server SAPs.
 *
 * The list is part of the meter variant (entries in the definition), each
 * name a value binding so that it can follow the serial number in the
 * application context. Method 1 connect_logical_device is refused
 * (read-write-denied): this meter has one logical device, the management
 * logical device, and nothing to connect.
 */
#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

static const cosem_sap_assignment_def_t *def_of(const cosem_object_t *obj) {
    return obj->def;
}

static int sap_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_sap_assignment_def_t *d = def_of(r->obj);
    axdr_put_array(e, d->count);
    for (uint8_t i = 0; i < d->count && e->err == 0; i++) {
        axdr_put_structure(e, 2);
        axdr_put_uint16(e, d->entries[i].sap);
        int rc = cosem_value_get(r->srv, &d->entries[i].name, e);
        if (rc != 0) {
            return rc;
        }
    }
    return e->err;
}

static int sap_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret, bool *has_ret) {
    (void)r;
    (void)params;
    (void)ret;
    *has_ret = false;
    return DLMS_ACTION_READ_WRITE_DENIED;
}

static int sap_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_sap_assignment_def_t *d = def_of(obj);
    if (d->count > 0 && d->entries == NULL) {
        return COSEM_ERR_TABLE;
    }
    for (uint8_t i = 0; i < d->count; i++) {
        int rc = cosem_value_check(s, &d->entries[i].name);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

const cosem_class_t cosem_class_sap_assignment = {
    .class_id = COSEM_CLASS_SAP_ASSIGNMENT,
    .version = 0,
    .attr_count = 2,
    .method_count = 1,
    .get = sap_get,
    .action = sap_action,
    .check = sap_check,
};
