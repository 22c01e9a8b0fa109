/*
 * association_ln.c - interface class Association LN (class_id 15,
 * version 1; Blue Book "Association LN"): the object list and the
 * parameters of an application association. What each attribute shows and
 * which methods are refused is described in cosem_classes.h.
 *
 * object_list element (dlms-facts §1.2):
 *   structure{class_id long-unsigned, version unsigned, logical_name
 *   octet-string(6), access_rights structure{attribute_access array of
 *   structure{attribute_id integer, access_mode enum, access_selectors
 *   null | array of integer}, method_access array of structure{method_id
 *   integer, access_mode enum}}}
 * Every attribute and method of the class is listed, with mode 0 where the
 * association has no right.
 */
#include <string.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "dlms/xdlms.h"

/* BER body of the DLMS UA object identifiers 2.16.756.5.8.x.y. */
#define OID_APP_CONTEXT 1u /* 2.16.756.5.8.1.x application context names */
#define OID_MECHANISM   2u /* 2.16.756.5.8.2.x authentication mechanism names */
#define OID_LEN         7u

static const cosem_assoc_ln_def_t *def_of(const cosem_object_t *obj) {
    return obj->def;
}

/* ---- object_list ---------------------------------------------------------------- */

static size_t selectors_count(const cosem_class_t *c) {
    size_t n = 0;
    for (unsigned i = 0; i < 16; i++) {
        n += (c->selectors >> i) & 1u;
    }
    return n;
}

static bool has_selectors(const cosem_class_t *c, unsigned attr) {
    return (c->selective_mask & COSEM_BIT(attr)) && c->selectors != 0;
}

/* Every count in an element is below 128, so each A-XDR length is 1 byte. */
size_t cosem_object_list_element_size(const cosem_object_t *obj, uint8_t assoc_index) {
    (void)assoc_index; /* modes change values, never sizes */
    const cosem_class_t *c = obj->cls;
    size_t n = 2 + 3 + 2 + 2 + COSEM_LN_LEN + 2; /* structure, class, version, ln, rights */
    n += 2 + 6u * c->attr_count;                 /* attribute_access + items */
    for (unsigned a = 1; a <= c->attr_count; a++) {
        n += has_selectors(c, a) ? 2 + 2 * selectors_count(c) : 1;
    }
    return n + 2 + 6u * c->method_count; /* method_access + items */
}

static int put_attr_item(axdr_enc_t *e, const cosem_object_t *obj, uint8_t idx, unsigned a) {
    const cosem_class_t *c = obj->cls;
    axdr_put_structure(e, 3);
    axdr_put_int8(e, (int8_t)a);
    axdr_put_enum(e, cosem_attr_access(obj, idx, (int8_t)a));
    if (!has_selectors(c, a)) {
        return axdr_put_null(e);
    }
    axdr_put_array(e, (uint32_t)selectors_count(c));
    for (unsigned sel = 0; sel < 16; sel++) {
        if (c->selectors & COSEM_BIT(sel)) {
            axdr_put_int8(e, (int8_t)sel);
        }
    }
    return e->err;
}

static int put_element(axdr_enc_t *e, const cosem_object_t *obj, uint8_t idx) {
    const cosem_class_t *c = obj->cls;
    axdr_put_structure(e, 4);
    axdr_put_uint16(e, c->class_id);
    axdr_put_uint8(e, c->version);
    axdr_put_octet_string(e, obj->ln, COSEM_LN_LEN);
    axdr_put_structure(e, 2);
    axdr_put_array(e, c->attr_count);
    for (unsigned a = 1; a <= c->attr_count && e->err == 0; a++) {
        put_attr_item(e, obj, idx, a);
    }
    axdr_put_array(e, c->method_count);
    for (unsigned m = 1; m <= c->method_count && e->err == 0; m++) {
        axdr_put_structure(e, 2);
        axdr_put_int8(e, (int8_t)m);
        axdr_put_enum(e, cosem_method_access(obj, idx, (int8_t)m));
    }
    return e->err;
}

/* Streams the list: elements wholly before a block window are skipped by
 * size, and production stops as soon as the window is full. */
static int put_object_list(const cosem_server_t *s, uint8_t idx, axdr_enc_t *e) {
    uint32_t n = 0;
    for (size_t i = 0; i < s->count; i++) {
        n += cosem_visible(s, &s->objects[i], idx) ? 1u : 0u;
    }
    axdr_put_array(e, n);
    for (size_t i = 0; i < s->count && e->err == 0; i++) {
        const cosem_object_t *obj = &s->objects[i];
        if (!cosem_visible(s, obj, idx)) {
            continue;
        }
        size_t size = cosem_object_list_element_size(obj, idx);
        size_t pos = axdr_enc_size(e);
        if (pos + size <= dlms_apdu_window_start(e)) {
            dlms_apdu_skip(e, size);
        } else {
            put_element(e, obj, idx);
        }
    }
    return e->err;
}

/* ---- the association an instance describes ------------------------------------- */

static uint8_t target_index(const cosem_req_t *r) {
    int8_t i = def_of(r->obj)->assoc_index;
    return i < 0 ? r->assoc->assoc_index : (uint8_t)i;
}

static bool is_caller(const cosem_req_t *r) {
    return target_index(r) == r->assoc->assoc_index;
}

static dlms_assoc_config_t *target_config(const cosem_req_t *r) {
    uint8_t i = target_index(r);
    return i < r->srv->assoc_count ? r->srv->assoc[i] : NULL;
}

/* ---- attributes ------------------------------------------------------------------ */

static int put_partners(const cosem_req_t *r, const dlms_assoc_config_t *cfg, axdr_enc_t *e) {
    uint16_t client = is_caller(r) ? r->assoc->client_sap : cfg->client_sap;
    axdr_put_structure(e, 2);
    axdr_put_int8(e, (int8_t)client); /* Blue Book: client_SAP integer */
    return axdr_put_uint16(e, r->assoc->server_sap);
}

static int put_oid(axdr_enc_t *e, bool as_structure, uint8_t arc, uint8_t id) {
    if (!as_structure) {
        const uint8_t body[OID_LEN] = {0x60, 0x85, 0x74, 0x05, 0x08, arc, id};
        return axdr_put_octet_string(e, body, sizeof(body));
    }
    axdr_put_structure(e, 7);
    axdr_put_uint8(e, 2);    /* joint-iso-ctt */
    axdr_put_uint8(e, 16);   /* country */
    axdr_put_uint16(e, 756); /* country-name: Switzerland */
    axdr_put_uint8(e, 5);    /* identified-organization */
    axdr_put_uint8(e, 8);    /* DLMS UA */
    axdr_put_uint8(e, arc);  /* application-context / authentication-mechanism-name */
    return axdr_put_uint8(e, id);
}

static int put_context_info(const cosem_req_t *r, const dlms_assoc_config_t *cfg, axdr_enc_t *e) {
    bool caller = is_caller(r);
    uint32_t conf = caller ? r->assoc->conformance : cfg->conformance;
    uint8_t bits[3] = {(uint8_t)(conf >> 16), (uint8_t)(conf >> 8), (uint8_t)conf};
    axdr_put_structure(e, 6);
    axdr_put_bit_string(e, bits, DLMS_CONF_BITS);
    axdr_put_uint16(e, caller ? r->assoc->server_max_pdu : cfg->max_receive_pdu);
    axdr_put_uint16(e, caller ? r->assoc->client_max_pdu : 0); /* not negotiated */
    axdr_put_uint8(e, caller ? r->assoc->dlms_version : DLMS_XDLMS_VERSION);
    axdr_put_int8(e, 0);                      /* quality_of_service: not used */
    return axdr_put_octet_string(e, NULL, 0); /* cyphering_info: none kept */
}

static uint8_t status_of(const cosem_req_t *r, const dlms_assoc_config_t *cfg) {
    if (is_caller(r)) {
        return r->assoc->status;
    }
    return cfg->pre_established ? DLMS_ASSOC_ASSOCIATED : DLMS_ASSOC_NON_ASSOCIATED;
}

/* Logical name of the Security setup object bound to cfg->sec; zeros when
 * the association has no security context (or no object shows it). */
static int put_security_reference(const cosem_server_t *s, const dlms_assoc_config_t *cfg,
                                  axdr_enc_t *e) {
    static const uint8_t none[COSEM_LN_LEN];
    for (size_t i = 0; cfg != NULL && cfg->sec != NULL && i < s->count; i++) {
        const cosem_object_t *o = &s->objects[i];
        if (o->cls->class_id != COSEM_CLASS_SECURITY_SETUP) {
            continue;
        }
        const cosem_security_setup_def_t *d = o->def;
        if (d->sec_index < s->sec_count && s->sec[d->sec_index] == cfg->sec) {
            return axdr_put_octet_string(e, o->ln, COSEM_LN_LEN);
        }
    }
    return axdr_put_octet_string(e, none, COSEM_LN_LEN);
}

static int assoc_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_assoc_ln_def_t *d = def_of(r->obj);
    const dlms_assoc_config_t *cfg = target_config(r);
    if (r->id == 2) {
        return put_object_list(r->srv, target_index(r), e);
    }
    if (r->id == 7) {
        return DLMS_DAR_READ_WRITE_DENIED; /* the secret is write-only, always */
    }
    bool caller = is_caller(r);
    if (cfg == NULL && !caller) {
        return DLMS_DAR_OBJECT_UNAVAILABLE; /* no such association configured */
    }
    switch (r->id) {
    case 3:
        return put_partners(r, cfg, e);
    case 4:
        return put_oid(e, d->names_as_structure, OID_APP_CONTEXT,
                       caller ? r->assoc->app_context : cfg->app_context);
    case 5:
        return put_context_info(r, cfg, e);
    case 6:
        return put_oid(e, d->names_as_structure, OID_MECHANISM,
                       caller ? r->assoc->mechanism : cfg->mechanism);
    case 8:
        return axdr_put_enum(e, status_of(r, cfg));
    default:
        return put_security_reference(r->srv, cfg, e);
    }
}

/* secret: the LLS password of a mechanism-1 association. */
static int assoc_set(const cosem_req_t *r, axdr_dec_t *value) {
    dlms_assoc_config_t *cfg = target_config(r);
    const uint8_t *p;
    size_t n;
    if (r->id != 7 || cfg == NULL || cfg->mechanism != 1u) {
        return DLMS_DAR_READ_WRITE_DENIED;
    }
    if (axdr_get_octet_string(value, &p, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n == 0 || n > sizeof(cfg->lls_secret)) {
        return DLMS_DAR_OTHER_REASON;
    }
    memset(cfg->lls_secret, 0, sizeof(cfg->lls_secret));
    memcpy(cfg->lls_secret, p, n);
    cfg->lls_secret_len = (uint8_t)n;
    return 0;
}

static int assoc_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret, bool *has_ret) {
    (void)params;
    (void)ret;
    *has_ret = false;
    /* reply_to_HLS_authentication belongs to the server's association
     * state machine; reaching the object means nothing is pending. */
    return r->id == 1 ? DLMS_ACTION_OTHER_REASON : DLMS_ACTION_READ_WRITE_DENIED;
}

static int assoc_check(const cosem_server_t *s, const cosem_object_t *obj) {
    (void)s;
    int8_t i = def_of(obj)->assoc_index;
    return (i >= -1 && i < EM_DLMS_MAX_ASSOCIATIONS) ? 0 : COSEM_ERR_TABLE;
}

/* An instance for a configured association index exists only when that
 * association is offered (0.0.40.0.0.255, the current one, always does). */
static bool assoc_present(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_assoc_ln_def_t *def = obj->def;
    return def->assoc_index < 0 || def->assoc_index < (int)s->assoc_count;
}

const cosem_class_t cosem_class_association_ln = {
    .class_id = COSEM_CLASS_ASSOCIATION_LN,
    .version = 1,
    .attr_count = 9,
    .method_count = 4,
    .write_mask = COSEM_BIT(7),
    .method_mask = COSEM_BIT(1),
    .get = assoc_get,
    .set = assoc_set,
    .action = assoc_action,
    .check = assoc_check,
    .present = assoc_present,
};
