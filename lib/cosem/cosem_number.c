/*
 * cosem_number.c - numbers of a monitored value (see cosem_number.h): the
 * numeric A-XDR types, the exact "above" comparison, encoding, and the
 * internal read of a monitored attribute shared by Register monitor
 * (Blue Book "Register monitor") and Limiter (Blue Book "Limiter", clause
 * 4.5.9).
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/cosem_number.h"

/* Bytes of one read of the monitored value: any numeric Data fits in 9. */
#define VALUE_BUF 32

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

bool cosem_number_is_numeric(uint8_t tag) {
    return kind_of(tag) != NUM_NONE;
}

int cosem_number_from_value(const axdr_value_t *v, cosem_monitor_number_t *out) {
    memset(out, 0, sizeof(*out));
    out->tag = v->tag;
    switch (kind_of(v->tag)) {
    case NUM_SIGNED:
        out->v.i = v->i;
        return 0;
    case NUM_UNSIGNED:
        out->v.u = v->tag == AXDR_BOOLEAN ? (uint64_t)v->b : v->u;
        return 0;
    case NUM_FLOAT:
        out->v.f = v->tag == AXDR_FLOAT32 ? (double)v->f32 : v->f64;
        /* not NaN (no math.h outside metrology) */
        return out->v.f == out->v.f ? 0 : (int)DLMS_DAR_OTHER_REASON;
    default:
        out->tag = 0;
        return DLMS_DAR_TYPE_UNMATCHED;
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

bool cosem_number_above(const cosem_monitor_number_t *value, const cosem_monitor_number_t *thr) {
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

int cosem_number_put(axdr_enc_t *e, const cosem_monitor_number_t *n) {
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
        return axdr_put_null(e); /* not configured */
    }
}

const cosem_object_t *cosem_number_monitored(const cosem_server_t *s, uint16_t class_id,
                                             const uint8_t ln[COSEM_LN_LEN], int8_t attr) {
    const cosem_object_t *o = cosem_find(s, ln);
    if (o == NULL || o->cls->class_id != class_id || attr < 2 || attr > o->cls->attr_count ||
        (o->cls->present != NULL && !o->cls->present(s, o))) {
        return NULL;
    }
    return o;
}

bool cosem_number_read(cosem_server_t *s, uint16_t class_id, const uint8_t ln[COSEM_LN_LEN],
                       int8_t attr, cosem_monitor_number_t *out) {
    const cosem_object_t *o = cosem_number_monitored(s, class_id, ln, attr);
    if (o == NULL) {
        return false;
    }
    uint8_t buf[VALUE_BUF], cookie[EM_DLMS_GET_COOKIE];
    memset(cookie, 0, sizeof(cookie));
    axdr_enc_t e;
    axdr_enc_init(&e, buf, sizeof(buf));
    cosem_req_t r = {s, o, &cosem_sched_meter_view, attr, NULL, cookie};
    if (o->cls->get(&r, &e) != 0 || e.err != 0) {
        return false;
    }
    axdr_dec_t d;
    axdr_value_t v;
    axdr_dec_init(&d, buf, e.len);
    return axdr_get_value(&d, &v) == 0 && cosem_dec_done(&d) &&
           cosem_number_from_value(&v, out) == 0;
}
