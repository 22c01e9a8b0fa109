/*
 * auto_answer.c - interface class Auto answer (class_id 28, version 2;
 * Blue Book "Auto answer"): mode, listening_window, status,
 * number_of_calls, number_of_rings, list_of_allowed_callers; and the
 * wake-up check ("is this source allowed"). Choices in auto_answer.h.
 */
#include <string.h>

#include "cosem/auto_answer.h"
#include "cosem/calendar_eval.h"

_Static_assert(EM_COSEM_COMM_CALLERS <= 255 && EM_COSEM_COMM_CALLER_ID_MAX <= 255,
               "counts and lengths are uint8_t");

#define MODE_NO_MODEM       3u
#define MODE_NO_MODEM_GURUX 4u

static cosem_auto_answer_state_t *state_of(const cosem_req_t *r) {
    const cosem_auto_answer_def_t *d = r->obj->def;
    return cosem_app_ptr(r->srv, d->state);
}

void cosem_auto_answer_init(cosem_auto_answer_state_t *st) {
    memset(st, 0, sizeof(*st));
    st->status = COSEM_AA_STATUS_ACTIVE;
    st->rings_in = 1;
    st->rings_out = 1;
}

static uint8_t callers_used(const cosem_auto_answer_state_t *st) {
    return st->caller_count <= EM_COSEM_COMM_CALLERS ? st->caller_count : 0;
}

int cosem_auto_answer_add_caller(cosem_auto_answer_state_t *st, const uint8_t *id, size_t len,
                                 uint8_t call_type) {
    if (st == NULL || id == NULL) {
        return COSEM_COMM_ERR_ARG;
    }
    if (len == 0 || len > EM_COSEM_COMM_CALLER_ID_MAX || call_type > COSEM_AA_CALL_WAKE_UP) {
        return COSEM_COMM_ERR_VALUE;
    }
    uint8_t n = callers_used(st);
    if (n >= EM_COSEM_COMM_CALLERS) {
        return COSEM_COMM_ERR_FULL;
    }
    memcpy(st->callers[n].id, id, len);
    st->callers[n].len = (uint8_t)len;
    st->callers[n].call_type = call_type;
    st->caller_count = (uint8_t)(n + 1);
    return 0;
}

bool cosem_auto_answer_caller_allowed(const cosem_auto_answer_state_t *st, const uint8_t *id,
                                      size_t len, uint8_t call_type) {
    if (st == NULL || id == NULL || len == 0 || st->status == COSEM_AA_STATUS_LOCKED ||
        st->mode == MODE_NO_MODEM || st->mode == MODE_NO_MODEM_GURUX) {
        return false;
    }
    for (uint8_t i = 0; i < callers_used(st); i++) {
        const cosem_auto_answer_caller_t *c = &st->callers[i];
        if (c->call_type == call_type && c->len == len && memcmp(c->id, id, len) == 0) {
            return true;
        }
    }
    return false;
}

bool cosem_auto_answer_ip_allowed(const cosem_auto_answer_state_t *st, uint32_t ip,
                                  uint8_t call_type) {
    uint8_t text[15];
    uint8_t raw[4] = {(uint8_t)(ip >> 24), (uint8_t)(ip >> 16), (uint8_t)(ip >> 8), (uint8_t)ip};
    size_t n = cosem_comm_format_ipv4(ip, text);
    return cosem_auto_answer_caller_allowed(st, text, n, call_type) ||
           cosem_auto_answer_caller_allowed(st, raw, sizeof(raw), call_type);
}

int cosem_auto_answer_windows(const cosem_auto_answer_state_t *st, int64_t wall,
                              cosem_comm_window_eval_t *out) {
    if (st == NULL) {
        return COSEM_COMM_ERR_ARG;
    }
    uint8_t n = st->window_count <= EM_COSEM_COMM_WINDOWS ? st->window_count : 0;
    return cosem_comm_windows_eval(st->windows, n, wall, out);
}

/* ---- attributes ------------------------------------------------------------------------ */

static int aa_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_auto_answer_state_t *st = state_of(r);
    switch (r->id) {
    case 2:
        return axdr_put_enum(e, st->mode);
    case 3:
        return cosem_comm_put_windows(
            e, st->windows, st->window_count <= EM_COSEM_COMM_WINDOWS ? st->window_count : 0);
    case 4:
        return axdr_put_enum(e, st->status);
    case 5:
        return axdr_put_uint8(e, st->number_of_calls);
    case 6:
        axdr_put_structure(e, 2);
        axdr_put_uint8(e, st->rings_in);
        return axdr_put_uint8(e, st->rings_out);
    default:
        axdr_put_array(e, callers_used(st));
        for (uint8_t i = 0; i < callers_used(st); i++) {
            const cosem_auto_answer_caller_t *c = &st->callers[i];
            axdr_put_structure(e, 2);
            axdr_put_octet_string(e, c->id, c->len <= EM_COSEM_COMM_CALLER_ID_MAX ? c->len : 0);
            axdr_put_enum(e, c->call_type);
        }
        return e->err;
    }
}

static int set_callers(cosem_auto_answer_state_t *st, axdr_dec_t *v) {
    cosem_auto_answer_caller_t tmp[EM_COSEM_COMM_CALLERS];
    uint32_t n, k;
    if (axdr_get_array(v, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_COSEM_COMM_CALLERS) {
        return DLMS_DAR_OTHER_REASON;
    }
    bool bad = false;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p;
        size_t len;
        uint8_t type;
        if (axdr_get_structure(v, &k) != 0 || k != 2 || axdr_get_octet_string(v, &p, &len) != 0 ||
            axdr_get_enum(v, &type) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (len == 0 || len > EM_COSEM_COMM_CALLER_ID_MAX || type > COSEM_AA_CALL_WAKE_UP) {
            bad = true;
            continue;
        }
        memset(&tmp[i], 0, sizeof(tmp[i]));
        memcpy(tmp[i].id, p, len);
        tmp[i].len = (uint8_t)len;
        tmp[i].call_type = type;
    }
    if (bad) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(st->callers, tmp, n * sizeof(tmp[0]));
    st->caller_count = (uint8_t)n;
    return 0;
}

static int aa_set(const cosem_req_t *r, axdr_dec_t *v) {
    cosem_auto_answer_state_t *st = state_of(r);
    uint8_t a, b;
    uint32_t k;
    switch (r->id) {
    case 2:
        if (axdr_get_enum(v, &a) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (a > MODE_NO_MODEM_GURUX) {
            return DLMS_DAR_OTHER_REASON;
        }
        st->mode = a;
        return 0;
    case 3: {
        cosem_comm_window_t tmp[EM_COSEM_COMM_WINDOWS];
        uint8_t n = 0;
        int rc = cosem_comm_get_windows(v, tmp, EM_COSEM_COMM_WINDOWS, &n);
        if (rc == 0) {
            memcpy(st->windows, tmp, n * sizeof(tmp[0]));
            st->window_count = n;
        }
        return rc;
    }
    case 4:
        if (axdr_get_enum(v, &a) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (a > COSEM_AA_STATUS_LOCKED) {
            return DLMS_DAR_OTHER_REASON;
        }
        st->status = a;
        return 0;
    case 5:
        return cosem_comm_get_u8(v, &st->number_of_calls);
    case 6:
        if (axdr_get_structure(v, &k) != 0 || k != 2 || axdr_get_uint8(v, &a) != 0 ||
            axdr_get_uint8(v, &b) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        st->rings_in = a;
        st->rings_out = b;
        return 0;
    default:
        return set_callers(st, v);
    }
}

static int aa_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_auto_answer_def_t *d = obj->def;
    return cosem_sched_check_state(s, d->state, sizeof(cosem_auto_answer_state_t));
}

const cosem_class_t cosem_class_auto_answer = {
    .class_id = COSEM_CLASS_AUTO_ANSWER,
    .version = 2,
    .attr_count = 7,
    .method_count = 0,
    .write_mask =
        COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4) | COSEM_BIT(5) | COSEM_BIT(6) | COSEM_BIT(7),
    .get = aa_get,
    .set = aa_set,
    .check = aa_check,
};
