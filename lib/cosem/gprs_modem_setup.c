/*
 * gprs_modem_setup.c - interface class GPRS modem setup (class_id 45,
 * version 0; Blue Book "GPRS modem setup"): APN, PIN_code,
 * quality_of_service. Ranges in gprs_modem_setup.h.
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/comm.h"
#include "cosem/gprs_modem_setup.h"

_Static_assert(EM_COSEM_COMM_APN_MAX <= 255, "the APN length is uint8_t");

static cosem_gprs_state_t *state_of(const cosem_req_t *r) {
    const cosem_gprs_def_t *d = r->obj->def;
    return cosem_app_ptr(r->srv, d->state);
}

bool cosem_gprs_apn_ok(const uint8_t *apn, size_t n) {
    if (n == 0) {
        return true; /* the network's default APN */
    }
    if (apn == NULL || n > EM_COSEM_COMM_APN_MAX) {
        return false;
    }
    size_t label = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || apn[i] == '.') {
            if (label == 0 || label > 63) {
                return false;
            }
            label = 0;
            continue;
        }
        uint8_t c = apn[i];
        bool ok =
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
        if (!ok) {
            return false;
        }
        label++;
    }
    return true;
}

bool cosem_gprs_qos_ok(const cosem_gprs_qos_t *q) {
    return q != NULL && q->precedence <= 3 && q->delay <= 4 && q->reliability <= 5 &&
           q->peak_throughput <= 9 && (q->mean_throughput <= 18 || q->mean_throughput == 31);
}

int cosem_gprs_init(cosem_gprs_state_t *st, const char *apn) {
    if (st == NULL) {
        return COSEM_COMM_ERR_ARG;
    }
    memset(st, 0, sizeof(*st));
    size_t n = apn != NULL ? strlen(apn) : 0;
    if (!cosem_gprs_apn_ok((const uint8_t *)apn, n)) {
        return COSEM_COMM_ERR_VALUE;
    }
    if (n > 0) {
        memcpy(st->apn, apn, n);
    }
    st->apn_len = (uint8_t)n;
    return 0;
}

static void put_qos(axdr_enc_t *e, const cosem_gprs_qos_t *q) {
    axdr_put_structure(e, 5);
    axdr_put_uint8(e, q->precedence);
    axdr_put_uint8(e, q->delay);
    axdr_put_uint8(e, q->reliability);
    axdr_put_uint8(e, q->peak_throughput);
    axdr_put_uint8(e, q->mean_throughput);
}

static bool get_qos(axdr_dec_t *v, cosem_gprs_qos_t *q) {
    uint32_t k;
    return axdr_get_structure(v, &k) == 0 && k == 5 && axdr_get_uint8(v, &q->precedence) == 0 &&
           axdr_get_uint8(v, &q->delay) == 0 && axdr_get_uint8(v, &q->reliability) == 0 &&
           axdr_get_uint8(v, &q->peak_throughput) == 0 &&
           axdr_get_uint8(v, &q->mean_throughput) == 0;
}

static int gprs_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_gprs_state_t *st = state_of(r);
    switch (r->id) {
    case 2:
        return axdr_put_octet_string(e, st->apn,
                                     st->apn_len <= EM_COSEM_COMM_APN_MAX ? st->apn_len : 0);
    case 3:
        return axdr_put_uint16(e, st->pin_code);
    default:
        axdr_put_structure(e, 2);
        put_qos(e, &st->default_qos);
        put_qos(e, &st->requested_qos);
        return e->err;
    }
}

static int gprs_set(const cosem_req_t *r, axdr_dec_t *v) {
    cosem_gprs_state_t *st = state_of(r);
    switch (r->id) {
    case 2: {
        const uint8_t *p;
        size_t n;
        if (axdr_get_octet_string(v, &p, &n) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (!cosem_gprs_apn_ok(p, n)) {
            return DLMS_DAR_OTHER_REASON;
        }
        memset(st->apn, 0, sizeof(st->apn));
        memcpy(st->apn, p, n);
        st->apn_len = (uint8_t)n;
        return 0;
    }
    case 3:
        return cosem_comm_get_u16(v, &st->pin_code);
    default: {
        cosem_gprs_qos_t def, req;
        uint32_t k;
        if (axdr_get_structure(v, &k) != 0 || k != 2 || !get_qos(v, &def) || !get_qos(v, &req)) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (!cosem_gprs_qos_ok(&def) || !cosem_gprs_qos_ok(&req)) {
            return DLMS_DAR_OTHER_REASON;
        }
        st->default_qos = def;
        st->requested_qos = req;
        return 0;
    }
    }
}

static int gprs_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_gprs_def_t *d = obj->def;
    return cosem_sched_check_state(s, d->state, sizeof(cosem_gprs_state_t));
}

const cosem_class_t cosem_class_gprs_modem_setup = {
    .class_id = COSEM_CLASS_GPRS_MODEM_SETUP,
    .version = 0,
    .attr_count = 4,
    .method_count = 0,
    .write_mask = COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4),
    .get = gprs_get,
    .set = gprs_set,
    .check = gprs_check,
};
