/*
 * auto_connect.c - interface class Auto connect (class_id 29, version 2;
 * Blue Book "Auto connect"): mode, repetitions, repetition_delay,
 * calling_window, destination_list, method connect; and the connection
 * policy and retry machine the meter runs from it. Choices in
 * auto_connect.h.
 */
#include <string.h>

#include "cosem/auto_connect.h"
#include "cosem/calendar_eval.h"
#include "cosem/cosem_classes.h"

_Static_assert(EM_COSEM_COMM_WINDOWS <= 255 && EM_COSEM_COMM_DESTINATIONS <= 255,
               "counts are uint8_t");
_Static_assert(EM_COSEM_COMM_DEST_MAX <= 255, "destination lengths are uint8_t");

static cosem_auto_connect_state_t *state_of(const cosem_req_t *r) {
    const cosem_auto_connect_def_t *d = r->obj->def;
    return cosem_app_ptr(r->srv, d->state);
}

void cosem_auto_connect_init(cosem_auto_connect_state_t *st, uint8_t mode) {
    memset(st, 0, sizeof(*st));
    st->mode = mode;
    st->repetitions = 3;
    st->repetition_delay = 60;
}

bool cosem_auto_connect_mode_ok(uint8_t mode) {
    return mode <= COSEM_AC_MODE_REGULAR_WINDOW ||
           (mode >= COSEM_AC_MODE_PERMANENT && mode <= COSEM_AC_MODE_INVOKED);
}

static bool dest_ok(const uint8_t *p, size_t n) {
    cosem_comm_dest_t d;
    return n > 0 && n <= EM_COSEM_COMM_DEST_MAX && cosem_comm_parse_destination(p, n, &d) == 0;
}

int cosem_auto_connect_add_destination(cosem_auto_connect_state_t *st, const char *dest) {
    if (st == NULL || dest == NULL) {
        return COSEM_COMM_ERR_ARG;
    }
    size_t n = strlen(dest);
    if (n > EM_COSEM_COMM_DEST_MAX) {
        return COSEM_COMM_ERR_VALUE;
    }
    if (!dest_ok((const uint8_t *)dest, n)) {
        return COSEM_COMM_ERR_DEST;
    }
    if (st->dest_count >= EM_COSEM_COMM_DESTINATIONS) {
        return COSEM_COMM_ERR_FULL;
    }
    memcpy(st->dest[st->dest_count], dest, n);
    st->dest_len[st->dest_count++] = (uint8_t)n;
    return 0;
}

int cosem_auto_connect_destination(const cosem_auto_connect_state_t *st, uint8_t i,
                                   cosem_comm_dest_t *out) {
    if (st == NULL || out == NULL || i >= st->dest_count || i >= EM_COSEM_COMM_DESTINATIONS) {
        return COSEM_COMM_ERR_ARG;
    }
    return cosem_comm_parse_destination(st->dest[i], st->dest_len[i], out);
}

/* ---- policy ------------------------------------------------------------------------ */

int cosem_auto_connect_windows(const cosem_auto_connect_state_t *st, int64_t wall,
                               cosem_comm_window_eval_t *out) {
    if (st == NULL) {
        return COSEM_COMM_ERR_ARG;
    }
    uint8_t n = st->window_count <= EM_COSEM_COMM_WINDOWS ? st->window_count : 0;
    return cosem_comm_windows_eval(st->windows, n, wall, out);
}

static bool in_window(const cosem_auto_connect_state_t *st, int64_t wall) {
    cosem_comm_window_eval_t ev;
    return cosem_auto_connect_windows(st, wall, &ev) == 0 && ev.inside;
}

bool cosem_auto_connect_allows(const cosem_auto_connect_state_t *st, uint8_t reason, int64_t wall) {
    if (st == NULL) {
        return false;
    }
    bool unsolicited = reason == COSEM_AC_POWER_UP || reason == COSEM_AC_SESSION_LOST ||
                       reason == COSEM_AC_WINDOW_OPEN;
    switch (st->mode) {
    case COSEM_AC_MODE_ANYTIME:
    case COSEM_AC_MODE_INVOKED:
        return !unsolicited;
    case COSEM_AC_MODE_WINDOW:
        return !unsolicited && in_window(st, wall);
    case COSEM_AC_MODE_REGULAR_WINDOW:
        return !unsolicited && (reason != COSEM_AC_REGULAR || in_window(st, wall));
    case COSEM_AC_MODE_PERMANENT:
    case COSEM_AC_MODE_PERMANENT_INVOKED:
        return true;
    case COSEM_AC_MODE_PERMANENT_WINDOW:
        return in_window(st, wall);
    default:
        return false;
    }
}

bool cosem_auto_connect_keep(const cosem_auto_connect_state_t *st, int64_t wall) {
    if (st == NULL || st->mode == COSEM_AC_MODE_NONE) {
        return false;
    }
    return st->mode != COSEM_AC_MODE_PERMANENT_WINDOW || in_window(st, wall);
}

bool cosem_auto_connect_take_request(cosem_auto_connect_state_t *st) {
    if (st == NULL || !st->connect_requested) {
        return false;
    }
    st->connect_requested = false;
    return true;
}

uint32_t cosem_auto_connect_random_delay(uint32_t random, uint32_t mean_s) {
    uint64_t span = (uint64_t)mean_s * 2u + 1u;
    return (uint32_t)((uint64_t)random % span);
}

/* ---- retry machine ----------------------------------------------------------------- */

void cosem_auto_connect_run_init(cosem_auto_connect_run_t *run) {
    memset(run, 0, sizeof(*run));
}

void cosem_auto_connect_run_trigger(cosem_auto_connect_run_t *run, int64_t at) {
    if (run == NULL || (run->phase != COSEM_AC_IDLE && run->phase != COSEM_AC_GAVE_UP)) {
        return; /* a cycle runs, or connected */
    }
    run->phase = COSEM_AC_DUE;
    run->failures = 0;
    run->at = at;
}

bool cosem_auto_connect_run_poll(cosem_auto_connect_run_t *run, int64_t now) {
    if (run == NULL || (run->phase != COSEM_AC_DUE && run->phase != COSEM_AC_WAITING) ||
        now < run->at) {
        return false;
    }
    run->phase = COSEM_AC_DIALLING;
    return true;
}

void cosem_auto_connect_run_result(cosem_auto_connect_run_t *run,
                                   const cosem_auto_connect_state_t *st, bool ok, int64_t now) {
    if (run == NULL || st == NULL || run->phase != COSEM_AC_DIALLING) {
        return;
    }
    if (ok) {
        run->phase = COSEM_AC_CONNECTED;
        run->failures = 0;
        return;
    }
    if (run->failures < UINT8_MAX) {
        run->failures++;
    }
    if (run->failures > st->repetitions) {
        run->phase = COSEM_AC_GAVE_UP;
        return;
    }
    run->phase = COSEM_AC_WAITING;
    run->at = now + st->repetition_delay;
}

void cosem_auto_connect_run_closed(cosem_auto_connect_run_t *run) {
    if (run != NULL) {
        run->phase = COSEM_AC_IDLE;
        run->failures = 0;
    }
}

/* ---- attributes and method ----------------------------------------------------------- */

static int ac_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_auto_connect_state_t *st = state_of(r);
    switch (r->id) {
    case 2:
        return axdr_put_enum(e, st->mode);
    case 3:
        return axdr_put_uint8(e, st->repetitions);
    case 4:
        return axdr_put_uint16(e, st->repetition_delay);
    case 5:
        return cosem_comm_put_windows(
            e, st->windows, st->window_count <= EM_COSEM_COMM_WINDOWS ? st->window_count : 0);
    default: {
        uint8_t n = st->dest_count <= EM_COSEM_COMM_DESTINATIONS ? st->dest_count : 0;
        axdr_put_array(e, n);
        for (uint8_t i = 0; i < n; i++) {
            uint8_t len = st->dest_len[i] <= EM_COSEM_COMM_DEST_MAX ? st->dest_len[i] : 0;
            axdr_put_octet_string(e, st->dest[i], len);
        }
        return e->err;
    }
    }
}

static int set_destinations(cosem_auto_connect_state_t *st, axdr_dec_t *v) {
    uint8_t tmp[EM_COSEM_COMM_DESTINATIONS][EM_COSEM_COMM_DEST_MAX];
    uint8_t lens[EM_COSEM_COMM_DESTINATIONS];
    uint32_t n;
    if (axdr_get_array(v, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_COSEM_COMM_DESTINATIONS) {
        return DLMS_DAR_OTHER_REASON;
    }
    bool bad = false;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p;
        size_t len;
        if (axdr_get_octet_string(v, &p, &len) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (!dest_ok(p, len)) {
            bad = true; /* keep reading: a wrong shape later is type-unmatched */
            continue;
        }
        memcpy(tmp[i], p, len);
        lens[i] = (uint8_t)len;
    }
    if (bad) {
        return DLMS_DAR_OTHER_REASON;
    }
    for (uint32_t i = 0; i < n; i++) {
        memcpy(st->dest[i], tmp[i], lens[i]);
        st->dest_len[i] = lens[i];
    }
    st->dest_count = (uint8_t)n;
    return 0;
}

static int ac_set(const cosem_req_t *r, axdr_dec_t *v) {
    cosem_auto_connect_state_t *st = state_of(r);
    switch (r->id) {
    case 2: {
        uint8_t mode;
        if (axdr_get_enum(v, &mode) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (!cosem_auto_connect_mode_ok(mode)) {
            return DLMS_DAR_OTHER_REASON;
        }
        st->mode = mode;
        return 0;
    }
    case 3:
        return cosem_comm_get_u8(v, &st->repetitions);
    case 4:
        return cosem_comm_get_u16(v, &st->repetition_delay);
    case 5: {
        cosem_comm_window_t tmp[EM_COSEM_COMM_WINDOWS];
        uint8_t n = 0;
        int rc = cosem_comm_get_windows(v, tmp, EM_COSEM_COMM_WINDOWS, &n);
        if (rc == 0) {
            memcpy(st->windows, tmp, n * sizeof(tmp[0]));
            st->window_count = n;
        }
        return rc;
    }
    default:
        return set_destinations(st, v);
    }
}

static int ac_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret, bool *has_ret) {
    (void)ret;
    *has_ret = false;
    if (!cosem_param_is_dummy(params)) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    state_of(r)->connect_requested = true;
    return 0;
}

static int ac_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_auto_connect_def_t *d = obj->def;
    return cosem_sched_check_state(s, d->state, sizeof(cosem_auto_connect_state_t));
}

const cosem_class_t cosem_class_auto_connect = {
    .class_id = COSEM_CLASS_AUTO_CONNECT,
    .version = 2,
    .attr_count = 6,
    .method_count = 1,
    .write_mask = COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4) | COSEM_BIT(5) | COSEM_BIT(6),
    .method_mask = COSEM_BIT(1),
    .get = ac_get,
    .set = ac_set,
    .action = ac_action,
    .check = ac_check,
};
