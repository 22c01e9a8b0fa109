/*
 * ppp_setup.c - interface class PPP setup (class_id 44, version 0; Blue
 * Book "PPP setup"): PHY_reference, LCP_options, IPCP_options,
 * PPP_authentication with a write-only PAP password. Choices in
 * ppp_setup.h.
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/comm.h"
#include "cosem/ppp_setup.h"

_Static_assert(EM_COSEM_COMM_PPP_OPTIONS <= 255, "counts are uint8_t");
_Static_assert(EM_COSEM_COMM_PPP_OPTION_DATA <= 255 && EM_COSEM_COMM_PPP_USER_MAX <= 255 &&
                   EM_COSEM_COMM_PPP_PASSWORD_MAX <= 255,
               "lengths are uint8_t");

static cosem_ppp_state_t *state_of(const cosem_req_t *r) {
    const cosem_ppp_def_t *d = r->obj->def;
    return cosem_app_ptr(r->srv, d->state);
}

void cosem_ppp_init(cosem_ppp_state_t *st, const uint8_t phy_reference[6]) {
    memset(st, 0, sizeof(*st));
    if (phy_reference != NULL) {
        memcpy(st->phy_reference, phy_reference, 6);
    }
}

int cosem_ppp_set_pap(cosem_ppp_state_t *st, const uint8_t *user, size_t user_len,
                      const uint8_t *password, size_t password_len) {
    if (st == NULL || (user == NULL && user_len > 0) || password == NULL) {
        return COSEM_COMM_ERR_ARG;
    }
    if (user_len > EM_COSEM_COMM_PPP_USER_MAX || password_len == 0 ||
        password_len > EM_COSEM_COMM_PPP_PASSWORD_MAX) {
        return COSEM_COMM_ERR_VALUE;
    }
    memset(st->user, 0, sizeof(st->user));
    memset(st->password, 0, sizeof(st->password));
    if (user_len > 0) {
        memcpy(st->user, user, user_len);
    }
    memcpy(st->password, password, password_len);
    st->user_len = (uint8_t)user_len;
    st->password_len = (uint8_t)password_len;
    st->auth = COSEM_PPP_AUTH_PAP;
    return 0;
}

/* ---- options ----------------------------------------------------------------------------- */

static void put_option(axdr_enc_t *e, const cosem_ppp_option_t *o) {
    axdr_put_structure(e, 3);
    axdr_put_uint8(e, o->type);
    axdr_put_uint8(e, o->length);
    switch (o->tag) {
    case AXDR_BOOLEAN:
        axdr_put_boolean(e, o->value != 0);
        break;
    case AXDR_UNSIGNED:
        axdr_put_uint8(e, (uint8_t)o->value);
        break;
    case AXDR_ENUM:
        axdr_put_enum(e, (uint8_t)o->value);
        break;
    case AXDR_LONG_UNSIGNED:
        axdr_put_uint16(e, (uint16_t)o->value);
        break;
    case AXDR_DOUBLE_LONG_UNSIGNED:
        axdr_put_uint32(e, o->value);
        break;
    case AXDR_OCTET_STRING:
        axdr_put_octet_string(e, o->data,
                              o->data_len <= EM_COSEM_COMM_PPP_OPTION_DATA ? o->data_len : 0);
        break;
    default:
        axdr_put_null(e);
        break;
    }
}

static int put_options(axdr_enc_t *e, const cosem_ppp_option_t *o, uint8_t n) {
    n = n <= EM_COSEM_COMM_PPP_OPTIONS ? n : 0;
    axdr_put_array(e, n);
    for (uint8_t i = 0; i < n; i++) {
        put_option(e, &o[i]);
    }
    return e->err;
}

static bool lcp_type_ok(uint8_t t) {
    return t == 1 || t == 2 || t == 3 || t == 5 || t == 7 || t == 8 || t == 9 || t == 13;
}

static bool ipcp_type_ok(uint8_t t) {
    return t == 2 || t == 3 || t == 20 || t == 21 || t == 22;
}

/* One option into *o: 0, or a Data-Access-Result. */
static int get_option(axdr_dec_t *v, bool lcp, cosem_ppp_option_t *o) {
    uint32_t k;
    axdr_value_t val;
    memset(o, 0, sizeof(*o));
    if (axdr_get_structure(v, &k) != 0 || k != 3 || axdr_get_uint8(v, &o->type) != 0 ||
        axdr_get_uint8(v, &o->length) != 0 || axdr_get_value(v, &val) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    o->tag = val.tag;
    switch (val.tag) {
    case AXDR_NULL:
        break;
    case AXDR_BOOLEAN:
        o->value = val.b ? 1u : 0u;
        break;
    case AXDR_UNSIGNED:
    case AXDR_ENUM:
    case AXDR_LONG_UNSIGNED:
    case AXDR_DOUBLE_LONG_UNSIGNED:
        o->value = (uint32_t)val.u;
        break;
    case AXDR_OCTET_STRING:
        if (val.len > EM_COSEM_COMM_PPP_OPTION_DATA) {
            return DLMS_DAR_OTHER_REASON;
        }
        memcpy(o->data, val.p, val.len);
        o->data_len = (uint8_t)val.len;
        break;
    default:
        return DLMS_DAR_TYPE_UNMATCHED; /* containers and other types */
    }
    return (lcp ? lcp_type_ok(o->type) : ipcp_type_ok(o->type)) ? 0 : (int)DLMS_DAR_OTHER_REASON;
}

static int set_options(axdr_dec_t *v, bool lcp, cosem_ppp_option_t *dst, uint8_t *count) {
    cosem_ppp_option_t tmp[EM_COSEM_COMM_PPP_OPTIONS];
    uint32_t n;
    if (axdr_get_array(v, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_COSEM_COMM_PPP_OPTIONS) {
        return DLMS_DAR_OTHER_REASON;
    }
    int first_bad = 0;
    for (uint32_t i = 0; i < n; i++) {
        int rc = get_option(v, lcp, &tmp[i]);
        if (rc == DLMS_DAR_TYPE_UNMATCHED) {
            return rc;
        }
        first_bad = first_bad != 0 ? first_bad : rc;
    }
    if (first_bad != 0) {
        return first_bad;
    }
    memcpy(dst, tmp, n * sizeof(tmp[0]));
    *count = (uint8_t)n;
    return 0;
}

/* ---- attributes ------------------------------------------------------------------------ */

static int ppp_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_ppp_def_t *d = r->obj->def;
    const cosem_ppp_state_t *st = state_of(r);
    switch (r->id) {
    case 2:
        return axdr_put_octet_string(e, st->phy_reference, COSEM_LN_LEN);
    case 3:
        return put_options(e, st->lcp, st->lcp_count);
    case 4:
        return put_options(e, st->ipcp, st->ipcp_count);
    default:
        if (st->auth != COSEM_PPP_AUTH_PAP) {
            return axdr_put_null(e);
        }
        axdr_put_structure(e, 2);
        axdr_put_octet_string(e, st->user,
                              st->user_len <= EM_COSEM_COMM_PPP_USER_MAX ? st->user_len : 0);
        if (!d->show_password || st->password_len > EM_COSEM_COMM_PPP_PASSWORD_MAX) {
            return axdr_put_octet_string(e, st->password, 0);
        }
        return axdr_put_octet_string(e, st->password, st->password_len);
    }
}

static int set_auth(cosem_ppp_state_t *st, axdr_dec_t *v) {
    if (axdr_next_is(v, AXDR_NULL)) {
        (void)axdr_get_null(v);
        memset(st->user, 0, sizeof(st->user));
        memset(st->password, 0, sizeof(st->password));
        st->user_len = 0;
        st->password_len = 0;
        st->auth = COSEM_PPP_AUTH_NONE;
        return 0;
    }
    uint32_t k;
    const uint8_t *user, *pw;
    size_t ulen, plen;
    if (axdr_get_structure(v, &k) != 0 || k != 2 || axdr_get_octet_string(v, &user, &ulen) != 0 ||
        axdr_get_octet_string(v, &pw, &plen) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    return cosem_ppp_set_pap(st, user, ulen, pw, plen) == 0 ? 0 : (int)DLMS_DAR_OTHER_REASON;
}

static int ppp_set(const cosem_req_t *r, axdr_dec_t *v) {
    cosem_ppp_state_t *st = state_of(r);
    switch (r->id) {
    case 2:
        return cosem_comm_get_ln_ref(r->srv, v, 0, st->phy_reference);
    case 3:
        return set_options(v, true, st->lcp, &st->lcp_count);
    case 4:
        return set_options(v, false, st->ipcp, &st->ipcp_count);
    default:
        return set_auth(st, v);
    }
}

static int ppp_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_ppp_def_t *d = obj->def;
    return cosem_sched_check_state(s, d->state, sizeof(cosem_ppp_state_t));
}

const cosem_class_t cosem_class_ppp_setup = {
    .class_id = COSEM_CLASS_PPP_SETUP,
    .version = 0,
    .attr_count = 5,
    .method_count = 0,
    .write_mask = COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4) | COSEM_BIT(5),
    .get = ppp_get,
    .set = ppp_set,
    .check = ppp_check,
};
