/*
 * security_setup.c - interface class Security setup (class_id 64,
 * version 0; Blue Book "Security setup", Green Book security suite 0):
 * security policy and suite, client and server system titles, and the
 * methods security_activate and global_key_transfer over one
 * dlms_security_context_t shared with the DLMS server. The rules are in
 * cosem_classes.h.
 */
#include <string.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "dlms/security.h"

#define KEY_IDS 4u /* GUEK, GBEK, AK, KEK */

static const cosem_security_setup_def_t *def_of(const cosem_object_t *obj) {
    return obj->def;
}

static dlms_security_context_t *context_of(const cosem_req_t *r) {
    uint8_t i = def_of(r->obj)->sec_index;
    return i < r->srv->sec_count ? r->srv->sec[i] : NULL;
}

static int sec_get(const cosem_req_t *r, axdr_enc_t *e) {
    const dlms_security_context_t *sec = context_of(r);
    if (sec == NULL) {
        return DLMS_DAR_OBJECT_UNAVAILABLE;
    }
    switch (r->id) {
    case 2:
        return axdr_put_enum(e, sec->security_policy);
    case 3:
        return axdr_put_enum(e, sec->security_suite);
    case 4:
        return axdr_put_octet_string(e, sec->client_system_title,
                                     sec->has_client_system_title ? DLMS_SEC_SYSTEM_TITLE_LEN : 0);
    default:
        return axdr_put_octet_string(e, sec->server_system_title, DLMS_SEC_SYSTEM_TITLE_LEN);
    }
}

/* client_system_title: what a pre-established association ciphers with. */
static int sec_set(const cosem_req_t *r, axdr_dec_t *value) {
    dlms_security_context_t *sec = context_of(r);
    const uint8_t *p;
    size_t n;
    if (sec == NULL) {
        return DLMS_DAR_OBJECT_UNAVAILABLE;
    }
    if (r->id != 4) {
        return DLMS_DAR_READ_WRITE_DENIED;
    }
    if (axdr_get_octet_string(value, &p, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n != DLMS_SEC_SYSTEM_TITLE_LEN) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(sec->client_system_title, p, n);
    sec->has_client_system_title = true;
    return 0;
}

/* ---- security_activate ---------------------------------------------------------- */

/* The new policy must keep every protection of the old one. */
static int security_activate(dlms_security_context_t *sec, axdr_dec_t *params) {
    uint8_t policy;
    if (params == NULL || axdr_get_enum(params, &policy) != 0) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    if (policy > DLMS_SEC_POLICY_AUTH_ENCRYPTED) {
        return DLMS_ACTION_OTHER_REASON;
    }
    if ((policy & sec->security_policy) != sec->security_policy) {
        return DLMS_ACTION_READ_WRITE_DENIED;
    }
    sec->security_policy = policy;
    return 0;
}

/* ---- global_key_transfer ------------------------------------------------------------ */

typedef struct key_batch {
    uint8_t key[KEY_IDS][DLMS_SEC_KEY_LEN];
    uint8_t present; /* bit per key id */
} key_batch_t;

/* One structure{key_id enum, key_wrapped octet-string}, unwrapped into b. */
static int unwrap_one(const dlms_security_context_t *sec, axdr_dec_t *d, key_batch_t *b) {
    uint32_t n;
    uint8_t id;
    const uint8_t *wrapped;
    size_t len;
    if (axdr_get_structure(d, &n) != 0 || n != 2 || axdr_get_enum(d, &id) != 0 ||
        axdr_get_octet_string(d, &wrapped, &len) != 0) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    if (id >= KEY_IDS || (b->present & COSEM_BIT(id))) {
        return DLMS_ACTION_OTHER_REASON;
    }
    if (dlms_sec_key_unwrap(&sec->keys, wrapped, len, b->key[id]) != 0) {
        return DLMS_ACTION_OTHER_REASON;
    }
    b->present |= (uint8_t)COSEM_BIT(id);
    return 0;
}

/* Every key checked first, then all switched together. */
static void install(dlms_security_context_t *sec, const key_batch_t *b) {
    uint8_t *dst[KEY_IDS] = {sec->keys.guek, sec->keys.gbek, sec->keys.ak, sec->keys.kek};
    for (unsigned id = 0; id < KEY_IDS; id++) {
        if (b->present & COSEM_BIT(id)) {
            memcpy(dst[id], b->key[id], DLMS_SEC_KEY_LEN);
        }
    }
    if (b->present & COSEM_BIT(COSEM_KEY_ID_GUEK)) {
        sec->rx_ic_valid = false; /* a new key starts a new counter space */
        sec->rx_ic_last = 0;
    }
}

static int global_key_transfer(dlms_security_context_t *sec, axdr_dec_t *params) {
    uint32_t n;
    key_batch_t b;
    if (params == NULL || axdr_get_array(params, &n) != 0) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    if (n < 1 || n > KEY_IDS) {
        return DLMS_ACTION_OTHER_REASON;
    }
    memset(&b, 0, sizeof(b));
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        rc = unwrap_one(sec, params, &b);
    }
    if (rc == 0) {
        install(sec, &b);
    }
    memset(&b, 0, sizeof(b)); /* no key material left on the stack */
    return rc;
}

static int sec_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret, bool *has_ret) {
    dlms_security_context_t *sec = context_of(r);
    (void)ret;
    *has_ret = false;
    if (sec == NULL) {
        return DLMS_ACTION_OBJECT_UNAVAILABLE;
    }
    return r->id == 1 ? security_activate(sec, params) : global_key_transfer(sec, params);
}

uint32_t cosem_ic_for_clients(const dlms_security_context_t *sec) {
    if (sec == NULL) {
        return 0;
    }
    return (sec->rx_ic_valid && sec->rx_ic_last > sec->tx_ic) ? sec->rx_ic_last : sec->tx_ic;
}

static int sec_check(const cosem_server_t *s, const cosem_object_t *obj) {
    (void)s;
    return def_of(obj)->sec_index < EM_COSEM_MAX_SECURITY ? 0 : COSEM_ERR_TABLE;
}

const cosem_class_t cosem_class_security_setup = {
    .class_id = COSEM_CLASS_SECURITY_SETUP,
    .version = 0,
    .attr_count = 5,
    .method_count = 2,
    .write_mask = COSEM_BIT(4),
    .method_mask = COSEM_BIT(1) | COSEM_BIT(2),
    .get = sec_get,
    .set = sec_set,
    .action = sec_action,
    .check = sec_check,
};
