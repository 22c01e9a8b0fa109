/*
 * ipv4_setup.c - interface class IPv4 setup (class_id 42, version 0; Blue
 * Book "IPv4 setup"): addresses, multicast list, IP options, DHCP flag,
 * DNS servers; methods add / delete / count multicast addresses. Choices
 * in ipv4_setup.h.
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/comm.h"
#include "cosem/cosem_classes.h"
#include "cosem/ipv4_setup.h"

_Static_assert(EM_COSEM_COMM_MULTICAST <= 255 && EM_COSEM_COMM_IP_OPTIONS <= 255,
               "counts are uint8_t");
_Static_assert(EM_COSEM_COMM_IP_OPTION_DATA <= 253, "option lengths are uint8_t");

static cosem_ipv4_state_t *state_of(const cosem_req_t *r) {
    const cosem_ipv4_def_t *d = r->obj->def;
    return cosem_app_ptr(r->srv, d->state);
}

void cosem_ipv4_init(cosem_ipv4_state_t *st, const uint8_t dl_reference[6]) {
    memset(st, 0, sizeof(*st));
    if (dl_reference != NULL) {
        memcpy(st->dl_reference, dl_reference, 6);
    }
    st->use_dhcp = true;
}

bool cosem_ipv4_mask_ok(uint32_t mask) {
    uint32_t inv = ~mask;
    return (inv & (inv + 1u)) == 0; /* ~mask is 0...01...1 */
}

bool cosem_ipv4_is_multicast(uint32_t ip) {
    return (ip & 0xF0000000u) == 0xE0000000u;
}

int cosem_ipv4_set_lease(cosem_ipv4_state_t *st, uint32_t ip, uint32_t mask, uint32_t gateway,
                         uint32_t dns1, uint32_t dns2) {
    if (st == NULL) {
        return COSEM_COMM_ERR_ARG;
    }
    if (!st->use_dhcp) {
        return COSEM_COMM_ERR_STATE;
    }
    if (!cosem_ipv4_mask_ok(mask)) {
        return COSEM_COMM_ERR_VALUE;
    }
    st->ip_address = ip;
    st->subnet_mask = mask;
    st->gateway = gateway;
    st->primary_dns = dns1;
    st->secondary_dns = dns2;
    return 0;
}

void cosem_ipv4_clear_lease(cosem_ipv4_state_t *st) {
    if (st != NULL && st->use_dhcp) {
        st->ip_address = 0;
        st->subnet_mask = 0;
        st->gateway = 0;
    }
}

static uint8_t mc_used(const cosem_ipv4_state_t *st) {
    return st->mc_count <= EM_COSEM_COMM_MULTICAST ? st->mc_count : 0;
}

static uint8_t opt_used(const cosem_ipv4_state_t *st) {
    return st->option_count <= EM_COSEM_COMM_IP_OPTIONS ? st->option_count : 0;
}

/* ---- attributes ------------------------------------------------------------------------ */

static int ip_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_ipv4_state_t *st = state_of(r);
    switch (r->id) {
    case 2:
        return axdr_put_octet_string(e, st->dl_reference, COSEM_LN_LEN);
    case 3:
        return axdr_put_uint32(e, st->ip_address);
    case 4:
        axdr_put_array(e, mc_used(st));
        for (uint8_t i = 0; i < mc_used(st); i++) {
            axdr_put_uint32(e, st->multicast[i]);
        }
        return e->err;
    case 5:
        axdr_put_array(e, opt_used(st));
        for (uint8_t i = 0; i < opt_used(st); i++) {
            const cosem_ipv4_option_t *o = &st->options[i];
            axdr_put_structure(e, 3);
            axdr_put_uint8(e, o->type);
            axdr_put_uint8(e, o->length);
            axdr_put_octet_string(e, o->data,
                                  o->data_len <= EM_COSEM_COMM_IP_OPTION_DATA ? o->data_len : 0);
        }
        return e->err;
    case 6:
        return axdr_put_uint32(e, st->subnet_mask);
    case 7:
        return axdr_put_uint32(e, st->gateway);
    case 8:
        return axdr_put_boolean(e, st->use_dhcp);
    case 9:
        return axdr_put_uint32(e, st->primary_dns);
    default:
        return axdr_put_uint32(e, st->secondary_dns);
    }
}

static bool option_type_ok(uint8_t t) {
    return t == 0x07 || t == 0x44 || t == 0x82 || t == 0x83 || t == 0x89;
}

static int set_multicast(cosem_ipv4_state_t *st, axdr_dec_t *v) {
    uint32_t tmp[EM_COSEM_COMM_MULTICAST];
    uint32_t n;
    if (axdr_get_array(v, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_COSEM_COMM_MULTICAST) {
        return DLMS_DAR_OTHER_REASON;
    }
    bool bad = false;
    for (uint32_t i = 0; i < n; i++) {
        if (axdr_get_uint32(v, &tmp[i]) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        bad = bad || !cosem_ipv4_is_multicast(tmp[i]);
    }
    if (bad) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(st->multicast, tmp, n * sizeof(tmp[0]));
    st->mc_count = (uint8_t)n;
    return 0;
}

static int set_options(cosem_ipv4_state_t *st, axdr_dec_t *v) {
    cosem_ipv4_option_t tmp[EM_COSEM_COMM_IP_OPTIONS];
    uint32_t n, k;
    if (axdr_get_array(v, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_COSEM_COMM_IP_OPTIONS) {
        return DLMS_DAR_OTHER_REASON;
    }
    bool bad = false;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p;
        size_t len;
        uint8_t type, length;
        if (axdr_get_structure(v, &k) != 0 || k != 3 || axdr_get_uint8(v, &type) != 0 ||
            axdr_get_uint8(v, &length) != 0 || axdr_get_octet_string(v, &p, &len) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (!option_type_ok(type) || len > EM_COSEM_COMM_IP_OPTION_DATA || length != len + 2) {
            bad = true;
            continue;
        }
        memset(&tmp[i], 0, sizeof(tmp[i]));
        tmp[i].type = type;
        tmp[i].length = length;
        tmp[i].data_len = (uint8_t)len;
        memcpy(tmp[i].data, p, len);
    }
    if (bad) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(st->options, tmp, n * sizeof(tmp[0]));
    st->option_count = (uint8_t)n;
    return 0;
}

static int ip_set(const cosem_req_t *r, axdr_dec_t *v) {
    cosem_ipv4_state_t *st = state_of(r);
    uint32_t a;
    bool b;
    switch (r->id) {
    case 2:
        return cosem_comm_get_ln_ref(r->srv, v, 0, st->dl_reference);
    case 4:
        return set_multicast(st, v);
    case 5:
        return set_options(st, v);
    case 8:
        if (axdr_get_boolean(v, &b) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        st->use_dhcp = b;
        return 0;
    default:
        break;
    }
    if (axdr_get_uint32(v, &a) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    switch (r->id) {
    case 3:
        st->ip_address = a;
        break;
    case 6:
        if (!cosem_ipv4_mask_ok(a)) {
            return DLMS_DAR_OTHER_REASON;
        }
        st->subnet_mask = a;
        break;
    case 7:
        st->gateway = a;
        break;
    case 9:
        st->primary_dns = a;
        break;
    default:
        st->secondary_dns = a;
        break;
    }
    return 0;
}

/* ---- methods ------------------------------------------------------------------------------ */

static int ip_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret, bool *has_ret) {
    cosem_ipv4_state_t *st = state_of(r);
    *has_ret = false;
    if (r->id == 3) {
        if (!cosem_param_is_dummy(params)) {
            return DLMS_ACTION_TYPE_UNMATCHED;
        }
        *has_ret = true;
        return axdr_put_uint16(ret, mc_used(st));
    }
    uint32_t a;
    if (params == NULL || axdr_get_uint32(params, &a) != 0) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    uint8_t n = mc_used(st);
    uint8_t at = n;
    for (uint8_t i = 0; i < n; i++) {
        if (st->multicast[i] == a) {
            at = i;
            break;
        }
    }
    if (r->id == 1) {
        if (at < n) {
            return 0; /* already a member */
        }
        if (!cosem_ipv4_is_multicast(a) || n >= EM_COSEM_COMM_MULTICAST) {
            return DLMS_ACTION_OTHER_REASON;
        }
        st->multicast[n] = a;
        st->mc_count = (uint8_t)(n + 1);
        return 0;
    }
    if (at < n) {
        memmove(&st->multicast[at], &st->multicast[at + 1], (size_t)(n - at - 1) * sizeof(a));
        st->mc_count = (uint8_t)(n - 1);
    }
    return 0;
}

static int ip_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_ipv4_def_t *d = obj->def;
    return cosem_sched_check_state(s, d->state, sizeof(cosem_ipv4_state_t));
}

const cosem_class_t cosem_class_ipv4_setup = {
    .class_id = COSEM_CLASS_IPV4_SETUP,
    .version = 0,
    .attr_count = 10,
    .method_count = 3,
    .write_mask = COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4) | COSEM_BIT(5) | COSEM_BIT(6) |
                  COSEM_BIT(7) | COSEM_BIT(8) | COSEM_BIT(9) | COSEM_BIT(10),
    .method_mask = COSEM_BIT(1) | COSEM_BIT(2) | COSEM_BIT(3),
    .get = ip_get,
    .set = ip_set,
    .action = ip_action,
    .check = ip_check,
};
