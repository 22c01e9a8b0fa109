/*
 * register_monitor.c - interface class Register monitor (class_id 21,
 * version 0; Blue Book "Register monitor"): 2 thresholds, 3 monitored_value,
 * 4 actions; no methods. The tick reads the monitored attribute through the
 * object layer (the target class's get, as a request would) and runs
 * action_up / action_down of each threshold it crossed. Crossing and
 * hysteresis semantics are in cosem_classes.h.
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "cosem/cosem_number.h"
#include "cosem/script_ref.h"

_Static_assert(EM_COSEM_MONITOR_THRESHOLDS <= 32, "crossing states are a 32-bit mask");

static cosem_register_monitor_state_t *state_of(const cosem_server_t *s,
                                                const cosem_object_t *obj) {
    const cosem_register_monitor_def_t *d = obj->def;
    return cosem_app_ptr(s, d->state);
}

static uint8_t clamp(uint8_t count) {
    return count < EM_COSEM_MONITOR_THRESHOLDS ? count : EM_COSEM_MONITOR_THRESHOLDS;
}

/* ---- the monitored value ----------------------------------------------------------------- */

static int read_value(cosem_server_t *s, const cosem_register_monitor_state_t *st,
                      cosem_monitor_number_t *out) {
    return cosem_number_read(s, st->class_id, st->ln, st->attribute_index, out)
               ? 0
               : COSEM_ERR_MONITOR_VALUE;
}

/* ---- the tick ---------------------------------------------------------------------------- */

/* Runs one action: 1 if a script was started, 0 for "no action". */
static int run(cosem_server_t *s, const cosem_script_ref_t *ref, int *first) {
    if (cosem_script_ref_is_null(ref)) {
        return 0;
    }
    int rc = cosem_script_run_ref(s, ref);
    if (rc != 0 && *first == 0) {
        *first = rc < 0 ? rc : COSEM_ERR_SCRIPT_ACTION;
    }
    return 1;
}

int cosem_register_monitor_tick(cosem_server_t *s, const cosem_object_t *obj) {
    if (s == NULL || obj == NULL || obj->cls != &cosem_class_register_monitor) {
        return COSEM_ERR_BADARG;
    }
    cosem_register_monitor_state_t *st = state_of(s, obj);
    if (st->threshold_count == 0) {
        return 0; /* nothing to compare: not configured */
    }
    cosem_monitor_number_t value;
    int rc = read_value(s, st, &value);
    if (rc != 0) {
        return rc;
    }
    int count = 0, first = 0;
    for (uint8_t i = 0; i < clamp(st->threshold_count); i++) {
        bool now = cosem_number_above(&value, &st->thresholds[i]);
        bool was = (st->above & (1u << i)) != 0;
        st->above = now ? st->above | (1u << i) : st->above & ~(1u << i);
        if (now == was || i >= clamp(st->action_count)) {
            continue;
        }
        count += run(s, now ? &st->up[i] : &st->down[i], &first);
    }
    return first != 0 ? first : count;
}

/* ---- attributes --------------------------------------------------------------------------- */

static int monitor_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_register_monitor_state_t *st = state_of(r->srv, r->obj);
    if (r->id == 2) {
        axdr_put_array(e, clamp(st->threshold_count));
        for (uint8_t i = 0; i < clamp(st->threshold_count); i++) {
            cosem_number_put(e, &st->thresholds[i]);
        }
    } else if (r->id == 3) {
        axdr_put_structure(e, 3);
        axdr_put_uint16(e, st->class_id);
        axdr_put_octet_string(e, st->ln, COSEM_LN_LEN);
        axdr_put_int8(e, st->attribute_index);
    } else {
        axdr_put_array(e, clamp(st->action_count));
        for (uint8_t i = 0; i < clamp(st->action_count); i++) {
            axdr_put_structure(e, 2);
            cosem_script_ref_put(e, &st->up[i]);
            cosem_script_ref_put(e, &st->down[i]);
        }
    }
    return e->err;
}

static int set_thresholds(cosem_register_monitor_state_t *st, axdr_dec_t *d) {
    cosem_monitor_number_t tmp[EM_COSEM_MONITOR_THRESHOLDS];
    uint32_t n;
    if (axdr_get_array(d, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_COSEM_MONITOR_THRESHOLDS) {
        return DLMS_DAR_OTHER_REASON;
    }
    for (uint32_t i = 0; i < n; i++) {
        axdr_value_t v;
        if (axdr_get_value(d, &v) != 0 || !cosem_number_is_numeric(v.tag) ||
            (i > 0 && v.tag != tmp[0].tag)) {
            return DLMS_DAR_TYPE_UNMATCHED; /* one numeric type for all */
        }
        if (cosem_number_from_value(&v, &tmp[i]) != 0) {
            return DLMS_DAR_OTHER_REASON; /* NaN */
        }
    }
    memcpy(st->thresholds, tmp, n * sizeof(tmp[0]));
    st->threshold_count = (uint8_t)n;
    st->above = 0;
    return 0;
}

static int set_monitored(const cosem_server_t *s, cosem_register_monitor_state_t *st,
                         axdr_dec_t *d) {
    uint32_t n;
    uint16_t class_id;
    const uint8_t *ln;
    size_t len;
    int8_t attr;
    if (axdr_get_structure(d, &n) != 0 || n != 3 || axdr_get_uint16(d, &class_id) != 0 ||
        axdr_get_octet_string(d, &ln, &len) != 0 || axdr_get_int8(d, &attr) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (len != COSEM_LN_LEN || cosem_number_monitored(s, class_id, ln, attr) == NULL) {
        return DLMS_DAR_OTHER_REASON;
    }
    st->class_id = class_id;
    memcpy(st->ln, ln, COSEM_LN_LEN);
    st->attribute_index = attr;
    st->above = 0;
    return 0;
}

static int set_actions(const cosem_server_t *s, cosem_register_monitor_state_t *st, axdr_dec_t *d) {
    cosem_script_ref_t up[EM_COSEM_MONITOR_THRESHOLDS], down[EM_COSEM_MONITOR_THRESHOLDS];
    uint32_t n, k;
    if (axdr_get_array(d, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_COSEM_MONITOR_THRESHOLDS) {
        return DLMS_DAR_OTHER_REASON;
    }
    for (uint32_t i = 0; i < n; i++) {
        int rc = axdr_get_structure(d, &k) == 0 && k == 2 ? 0 : (int)DLMS_DAR_TYPE_UNMATCHED;
        rc = rc == 0 ? cosem_script_ref_get(s, d, &up[i]) : rc;
        rc = rc == 0 ? cosem_script_ref_get(s, d, &down[i]) : rc;
        if (rc != 0) {
            return rc;
        }
    }
    memcpy(st->up, up, n * sizeof(up[0]));
    memcpy(st->down, down, n * sizeof(down[0]));
    st->action_count = (uint8_t)n;
    return 0;
}

static int monitor_set(const cosem_req_t *r, axdr_dec_t *value) {
    cosem_register_monitor_state_t *st = state_of(r->srv, r->obj);
    if (r->id == 2) {
        return set_thresholds(st, value);
    }
    if (r->id == 3) {
        return set_monitored(r->srv, st, value);
    }
    return set_actions(r->srv, st, value);
}

static int monitor_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_register_monitor_def_t *d = obj->def;
    return cosem_sched_check_state(s, d->state, sizeof(cosem_register_monitor_state_t));
}

const cosem_class_t cosem_class_register_monitor = {
    .class_id = COSEM_CLASS_REGISTER_MONITOR,
    .version = 0,
    .attr_count = 4,
    .method_count = 0,
    .write_mask = COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4),
    .get = monitor_get,
    .set = monitor_set,
    .check = monitor_check,
};
