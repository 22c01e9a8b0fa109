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

_Static_assert(EM_COSEM_MONITOR_THRESHOLDS <= 32, "crossing states are a 32-bit mask");

/* Bytes of one read of the monitored value: any numeric Data fits in 9. */
#define VALUE_BUF 32

static cosem_register_monitor_state_t *state_of(const cosem_server_t *s,
                                                const cosem_object_t *obj) {
    const cosem_register_monitor_def_t *d = obj->def;
    return cosem_app_ptr(s, d->state);
}

static uint8_t clamp(uint8_t count) {
    return count < EM_COSEM_MONITOR_THRESHOLDS ? count : EM_COSEM_MONITOR_THRESHOLDS;
}

/* ---- numbers --------------------------------------------------------------------------- */

enum { NUM_SIGNED, NUM_UNSIGNED, NUM_FLOAT, NUM_NONE };

static int kind_of(uint8_t tag) {
    switch (tag) {
    case AXDR_INTEGER:
    case AXDR_LONG:
    case AXDR_DOUBLE_LONG:
    case AXDR_LONG64:
        return NUM_SIGNED;
    case AXDR_UNSIGNED:
    case AXDR_LONG_UNSIGNED:
    case AXDR_DOUBLE_LONG_UNSIGNED:
    case AXDR_LONG64_UNSIGNED:
    case AXDR_ENUM:
    case AXDR_BOOLEAN:
        return NUM_UNSIGNED;
    case AXDR_FLOAT32:
    case AXDR_FLOAT64:
        return NUM_FLOAT;
    default:
        return NUM_NONE;
    }
}

/* A decoded scalar as a number (false for other types and NaN). */
static bool number_of(const axdr_value_t *v, cosem_monitor_number_t *n) {
    memset(n, 0, sizeof(*n));
    n->tag = v->tag;
    switch (kind_of(v->tag)) {
    case NUM_SIGNED:
        n->v.i = v->i;
        return true;
    case NUM_UNSIGNED:
        n->v.u = v->tag == AXDR_BOOLEAN ? (uint64_t)v->b : v->u;
        return true;
    case NUM_FLOAT:
        n->v.f = v->tag == AXDR_FLOAT32 ? (double)v->f32 : v->f64;
        return n->v.f == n->v.f; /* not NaN (no math.h outside metrology) */
    default:
        return false;
    }
}

static double as_double(const cosem_monitor_number_t *n) {
    switch (kind_of(n->tag)) {
    case NUM_SIGNED:
        return (double)n->v.i;
    case NUM_UNSIGNED:
        return (double)n->v.u;
    default:
        return n->v.f;
    }
}

/* value > threshold, exactly for integers of either signedness. */
static bool above(const cosem_monitor_number_t *value, const cosem_monitor_number_t *thr) {
    int kv = kind_of(value->tag), kt = kind_of(thr->tag);
    if (kv == NUM_FLOAT || kt == NUM_FLOAT) {
        return as_double(value) > as_double(thr);
    }
    if (kv == NUM_SIGNED && kt == NUM_SIGNED) {
        return value->v.i > thr->v.i;
    }
    if (kv == NUM_UNSIGNED && kt == NUM_UNSIGNED) {
        return value->v.u > thr->v.u;
    }
    if (kv == NUM_SIGNED) { /* signed value, unsigned threshold */
        return value->v.i >= 0 && (uint64_t)value->v.i > thr->v.u;
    }
    return thr->v.i < 0 || value->v.u > (uint64_t)thr->v.i;
}

static int put_number(axdr_enc_t *e, const cosem_monitor_number_t *n) {
    switch (n->tag) {
    case AXDR_INTEGER:
        return axdr_put_int8(e, (int8_t)n->v.i);
    case AXDR_LONG:
        return axdr_put_int16(e, (int16_t)n->v.i);
    case AXDR_DOUBLE_LONG:
        return axdr_put_int32(e, (int32_t)n->v.i);
    case AXDR_LONG64:
        return axdr_put_int64(e, n->v.i);
    case AXDR_UNSIGNED:
        return axdr_put_uint8(e, (uint8_t)n->v.u);
    case AXDR_LONG_UNSIGNED:
        return axdr_put_uint16(e, (uint16_t)n->v.u);
    case AXDR_DOUBLE_LONG_UNSIGNED:
        return axdr_put_uint32(e, (uint32_t)n->v.u);
    case AXDR_LONG64_UNSIGNED:
        return axdr_put_uint64(e, n->v.u);
    case AXDR_ENUM:
        return axdr_put_enum(e, (uint8_t)n->v.u);
    case AXDR_BOOLEAN:
        return axdr_put_boolean(e, n->v.u != 0);
    case AXDR_FLOAT32:
        return axdr_put_float32(e, (float)n->v.f);
    case AXDR_FLOAT64:
        return axdr_put_float64(e, n->v.f);
    default:
        return axdr_put_null(e);
    }
}

/* ---- the monitored value ----------------------------------------------------------------- */

static const cosem_object_t *monitored(const cosem_server_t *s, uint16_t class_id,
                                       const uint8_t ln[COSEM_LN_LEN], int8_t attr) {
    const cosem_object_t *o = cosem_find(s, ln);
    if (o == NULL || o->cls->class_id != class_id || attr < 2 || attr > o->cls->attr_count ||
        (o->cls->present != NULL && !o->cls->present(s, o))) {
        return NULL;
    }
    return o;
}

static int read_value(cosem_server_t *s, const cosem_register_monitor_state_t *st,
                      cosem_monitor_number_t *out) {
    const cosem_object_t *o = monitored(s, st->class_id, st->ln, st->attribute_index);
    if (o == NULL) {
        return COSEM_ERR_MONITOR_VALUE;
    }
    uint8_t buf[VALUE_BUF], cookie[EM_DLMS_GET_COOKIE];
    memset(cookie, 0, sizeof(cookie));
    axdr_enc_t e;
    axdr_enc_init(&e, buf, sizeof(buf));
    cosem_req_t r = {s, o, &cosem_sched_meter_view, st->attribute_index, NULL, cookie};
    if (o->cls->get(&r, &e) != 0 || e.err != 0) {
        return COSEM_ERR_MONITOR_VALUE;
    }
    axdr_dec_t d;
    axdr_value_t v;
    axdr_dec_init(&d, buf, e.len);
    if (axdr_get_value(&d, &v) != 0 || !number_of(&v, out)) {
        return COSEM_ERR_MONITOR_VALUE;
    }
    return 0;
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
        bool now = above(&value, &st->thresholds[i]);
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

static void put_ref(axdr_enc_t *e, const cosem_script_ref_t *ref) {
    axdr_put_structure(e, 2);
    axdr_put_octet_string(e, ref->ln, COSEM_LN_LEN);
    axdr_put_uint16(e, ref->selector);
}

static int monitor_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_register_monitor_state_t *st = state_of(r->srv, r->obj);
    if (r->id == 2) {
        axdr_put_array(e, clamp(st->threshold_count));
        for (uint8_t i = 0; i < clamp(st->threshold_count); i++) {
            put_number(e, &st->thresholds[i]);
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
            put_ref(e, &st->up[i]);
            put_ref(e, &st->down[i]);
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
        if (axdr_get_value(d, &v) != 0 || kind_of(v.tag) == NUM_NONE ||
            (i > 0 && v.tag != tmp[0].tag)) {
            return DLMS_DAR_TYPE_UNMATCHED; /* one numeric type for all */
        }
        if (!number_of(&v, &tmp[i])) {
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
    if (len != COSEM_LN_LEN || monitored(s, class_id, ln, attr) == NULL) {
        return DLMS_DAR_OTHER_REASON;
    }
    st->class_id = class_id;
    memcpy(st->ln, ln, COSEM_LN_LEN);
    st->attribute_index = attr;
    st->above = 0;
    return 0;
}

/* A script reference: a Script table, or "no action" (selector 0 or an
 * all-zero name). */
static int get_ref(const cosem_server_t *s, axdr_dec_t *d, cosem_script_ref_t *out) {
    uint32_t n;
    const uint8_t *ln;
    size_t len;
    if (axdr_get_structure(d, &n) != 0 || n != 2 || axdr_get_octet_string(d, &ln, &len) != 0 ||
        axdr_get_uint16(d, &out->selector) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (len != COSEM_LN_LEN) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(out->ln, ln, COSEM_LN_LEN);
    return cosem_script_ref_is_null(out) || cosem_script_table_exists(s, out->ln)
               ? 0
               : (int)DLMS_DAR_OTHER_REASON;
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
        rc = rc == 0 ? get_ref(s, d, &up[i]) : rc;
        rc = rc == 0 ? get_ref(s, d, &down[i]) : rc;
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
