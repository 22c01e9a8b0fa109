/*
 * limiter.c - interface class Limiter (class_id 71, version 0; Blue Book
 * "Limiter", clause 4.5.9 in edition 12 / IEC 62056-6-2:2017): the
 * attributes, their checks, and
 * cosem_limiter_tick(), which reads the monitored attribute through the
 * object layer, selects the normal or emergency threshold, measures how
 * long the value stays over / under it and runs the action scripts through
 * the Script table API. Semantics and answers are in limiter.h.
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "cosem/cosem_number.h"
#include "cosem/script_ref.h"
#include "cosem/limiter.h"

_Static_assert(EM_COSEM_LIMITER_GROUP_IDS >= 1 && EM_COSEM_LIMITER_GROUP_IDS <= 255,
               "the group id count is a uint8_t");

static const cosem_limiter_def_t *def_of(const cosem_object_t *obj) {
    return obj->def;
}

cosem_limiter_state_t *cosem_limiter_state(const cosem_server_t *s, const cosem_object_t *obj) {
    /* By class_id, so a table may wrap the class (e.g. a present() hook). */
    if (s == NULL || obj == NULL || obj->cls->class_id != COSEM_CLASS_LIMITER) {
        return NULL;
    }
    return cosem_app_ptr(s, def_of(obj)->state);
}

void cosem_limiter_reset_runtime(cosem_limiter_state_t *st) {
    st->emergency_active = false;
    st->over = false;
    st->seen = false;
    st->side_over = false;
    st->side_since = 0;
    st->last_tick = 0;
}

void cosem_limiter_init(cosem_limiter_state_t *st) {
    memset(st, 0, sizeof(*st));
    cosem_datetime_set_unspecified(&st->emergency.activation);
    cosem_limiter_reset_runtime(st);
}

static uint8_t groups(const cosem_limiter_state_t *st) {
    return st->group_count < EM_COSEM_LIMITER_GROUP_IDS ? st->group_count
                                                        : EM_COSEM_LIMITER_GROUP_IDS;
}

/* Reads the monitored attribute as a number (cosem_number_read). */
static int read_number(cosem_server_t *s, uint16_t class_id, const uint8_t ln[COSEM_LN_LEN],
                       int8_t attr, cosem_monitor_number_t *out) {
    return cosem_number_read(s, class_id, ln, attr, out) ? 0 : COSEM_ERR_LIMITER_VALUE;
}

static bool configured(const cosem_limiter_state_t *st) {
    return st->class_id != 0;
}

/* ---- emergency profile ------------------------------------------------------------------ */

static bool all_unspecified(const cosem_datetime_t *dt) {
    return dt->year == COSEM_DT_YEAR_NOT_SPECIFIED && dt->month == COSEM_DT_NOT_SPECIFIED &&
           dt->day == COSEM_DT_NOT_SPECIFIED && dt->hour == COSEM_DT_NOT_SPECIFIED &&
           dt->minute == COSEM_DT_NOT_SPECIFIED && dt->second == COSEM_DT_NOT_SPECIFIED;
}

static bool in_groups(const cosem_limiter_state_t *st, uint16_t id) {
    for (uint8_t i = 0; i < groups(st); i++) {
        if (st->group_ids[i] == id) {
            return true;
        }
    }
    return false;
}

bool cosem_limiter_emergency_at(const cosem_server_t *s, const cosem_limiter_state_t *st,
                                int64_t utc) {
    const cosem_limiter_emergency_t *em = &st->emergency;
    int64_t start;
    if (s == NULL || em->duration == 0 || all_unspecified(&em->activation) ||
        !in_groups(st, em->id) || cosem_datetime_to_instant(s, &em->activation, &start) != 0) {
        return false;
    }
    return utc >= start && utc - start < (int64_t)em->duration;
}

static const cosem_monitor_number_t *threshold_active(const cosem_limiter_state_t *st) {
    return st->emergency_active ? &st->threshold_emergency : &st->threshold_normal;
}

/* ---- the tick ----------------------------------------------------------------------------- */

/* Runs one action; records the first failure. */
static void run(cosem_server_t *s, const cosem_script_ref_t *ref, int *err) {
    int rc = cosem_script_run_ref(s, ref);
    if (rc != 0 && *err == 0) {
        *err = rc < 0 ? rc : COSEM_ERR_SCRIPT_ACTION;
    }
}

/* Moves the side/since bookkeeping to this tick's observation. */
static void observe(cosem_limiter_state_t *st, bool over, int64_t utc) {
    if (!st->seen || utc < st->last_tick || over != st->side_over) {
        st->seen = true;
        st->side_over = over;
        st->side_since = utc;
    }
    st->last_tick = utc;
}

int cosem_limiter_tick(cosem_server_t *s, const cosem_object_t *obj, int64_t utc) {
    cosem_limiter_state_t *st = cosem_limiter_state(s, obj);
    if (st == NULL) {
        return COSEM_ERR_BADARG;
    }
    int flags = 0;
    bool emergency = cosem_limiter_emergency_at(s, st, utc);
    if (emergency != st->emergency_active) {
        st->emergency_active = emergency;
        flags |= COSEM_LIMITER_THRESHOLD_SWITCHED;
    }
    const cosem_monitor_number_t *thr = threshold_active(st);
    if (!configured(st) || !cosem_number_is_numeric(thr->tag)) {
        return flags; /* nothing to compare */
    }
    cosem_monitor_number_t value;
    int rc = read_number(s, st->class_id, st->ln, st->attribute_index, &value);
    if (rc != 0) {
        return rc;
    }
    observe(st, cosem_number_above(&value, thr), utc);
    int err = 0;
    uint64_t held = (uint64_t)(utc - st->side_since);
    if (!st->over && st->side_over && held >= st->min_over) {
        st->over = true;
        flags |= COSEM_LIMITER_RAN_OVER;
        run(s, &st->action_over, &err);
    } else if (st->over && !st->side_over && held >= st->min_under) {
        st->over = false;
        flags |= COSEM_LIMITER_RAN_UNDER;
        run(s, &st->action_under, &err);
    }
    return err != 0 ? err : flags;
}

/* ---- attributes --------------------------------------------------------------------------- */

static int limiter_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_limiter_state_t *st = cosem_limiter_state(r->srv, r->obj);
    switch (r->id) {
    case 2:
        axdr_put_structure(e, 3);
        axdr_put_uint16(e, st->class_id);
        axdr_put_octet_string(e, st->ln, COSEM_LN_LEN);
        axdr_put_int8(e, st->attribute_index);
        break;
    case 3:
        cosem_number_put(e, threshold_active(st));
        break;
    case 4:
        cosem_number_put(e, &st->threshold_normal);
        break;
    case 5:
        cosem_number_put(e, &st->threshold_emergency);
        break;
    case 6:
        axdr_put_uint32(e, st->min_over);
        break;
    case 7:
        axdr_put_uint32(e, st->min_under);
        break;
    case 8:
        axdr_put_structure(e, 3);
        axdr_put_uint16(e, st->emergency.id);
        axdr_put_date_time_os(e, &st->emergency.activation);
        axdr_put_uint32(e, st->emergency.duration);
        break;
    case 9:
        axdr_put_array(e, groups(st));
        for (uint8_t i = 0; i < groups(st); i++) {
            axdr_put_uint16(e, st->group_ids[i]);
        }
        break;
    case 10:
        axdr_put_boolean(e, st->emergency_active);
        break;
    default:
        axdr_put_structure(e, 2);
        cosem_script_ref_put(e, &st->action_over);
        cosem_script_ref_put(e, &st->action_under);
        break;
    }
    return e->err;
}

static int set_monitored(cosem_server_t *s, cosem_limiter_state_t *st, axdr_dec_t *d) {
    uint32_t n;
    uint16_t class_id;
    const uint8_t *ln;
    size_t len;
    int8_t attr;
    if (axdr_get_structure(d, &n) != 0 || n != 3 || axdr_get_uint16(d, &class_id) != 0 ||
        axdr_get_octet_string(d, &ln, &len) != 0 || axdr_get_int8(d, &attr) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    cosem_monitor_number_t now;
    if (len != COSEM_LN_LEN || read_number(s, class_id, ln, attr, &now) != 0) {
        return DLMS_DAR_OTHER_REASON;
    }
    st->class_id = class_id;
    memcpy(st->ln, ln, COSEM_LN_LEN);
    st->attribute_index = attr;
    st->seen = false; /* a new quantity: count from the next tick */
    return 0;
}

static int set_threshold(cosem_server_t *s, cosem_limiter_state_t *st, axdr_dec_t *d,
                         cosem_monitor_number_t *dst) {
    axdr_value_t v;
    cosem_monitor_number_t n, now;
    if (axdr_get_value(d, &v) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    int rc = cosem_number_from_value(&v, &n);
    if (rc != 0) {
        return rc;
    }
    if (configured(st) && read_number(s, st->class_id, st->ln, st->attribute_index, &now) == 0 &&
        now.tag != n.tag) {
        return DLMS_DAR_TYPE_UNMATCHED; /* the type follows the monitored value */
    }
    *dst = n;
    return 0;
}

static int set_emergency(const cosem_server_t *s, cosem_limiter_state_t *st, axdr_dec_t *d) {
    uint32_t n;
    cosem_limiter_emergency_t em;
    memset(&em, 0, sizeof(em));
    if (axdr_get_structure(d, &n) != 0 || n != 3 || axdr_get_uint16(d, &em.id) != 0 ||
        axdr_get_date_time(d, &em.activation) != 0 || axdr_get_uint32(d, &em.duration) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    int64_t at;
    if (!all_unspecified(&em.activation) &&
        (!cosem_datetime_is_valid(&em.activation) ||
         cosem_datetime_to_instant(s, &em.activation, &at) != 0)) {
        return DLMS_DAR_OTHER_REASON;
    }
    st->emergency = em;
    return 0;
}

static int set_groups(cosem_limiter_state_t *st, axdr_dec_t *d) {
    uint16_t tmp[EM_COSEM_LIMITER_GROUP_IDS];
    uint32_t n;
    if (axdr_get_array(d, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_COSEM_LIMITER_GROUP_IDS) {
        return DLMS_DAR_OTHER_REASON;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (axdr_get_uint16(d, &tmp[i]) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
    }
    memcpy(st->group_ids, tmp, n * sizeof(tmp[0]));
    st->group_count = (uint8_t)n;
    return 0;
}

static int set_actions(const cosem_server_t *s, cosem_limiter_state_t *st, axdr_dec_t *d) {
    cosem_script_ref_t over, under;
    uint32_t n;
    if (axdr_get_structure(d, &n) != 0 || n != 2) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    int rc = cosem_script_ref_get(s, d, &over);
    rc = rc == 0 ? cosem_script_ref_get(s, d, &under) : rc;
    if (rc != 0) {
        return rc;
    }
    st->action_over = over;
    st->action_under = under;
    return 0;
}

static int set_seconds(axdr_dec_t *d, uint32_t *dst) {
    uint32_t v;
    if (axdr_get_uint32(d, &v) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    *dst = v;
    return 0;
}

static int limiter_set(const cosem_req_t *r, axdr_dec_t *value) {
    cosem_limiter_state_t *st = cosem_limiter_state(r->srv, r->obj);
    switch (r->id) {
    case 2:
        return set_monitored(r->srv, st, value);
    case 4:
        return set_threshold(r->srv, st, value, &st->threshold_normal);
    case 5:
        return set_threshold(r->srv, st, value, &st->threshold_emergency);
    case 6:
        return set_seconds(value, &st->min_over);
    case 7:
        return set_seconds(value, &st->min_under);
    case 8:
        return set_emergency(r->srv, st, value);
    case 9:
        return set_groups(st, value);
    case 11:
        return set_actions(r->srv, st, value);
    default:
        return DLMS_DAR_READ_WRITE_DENIED; /* 3 and 10 are not in write_mask */
    }
}

static int limiter_check(const cosem_server_t *s, const cosem_object_t *obj) {
    return cosem_sched_check_state(s, def_of(obj)->state, sizeof(cosem_limiter_state_t));
}

const cosem_class_t cosem_class_limiter = {
    .class_id = COSEM_CLASS_LIMITER,
    .version = 0,
    .attr_count = 11,
    .method_count = 0,
    .write_mask = COSEM_BIT(2) | COSEM_BIT(4) | COSEM_BIT(5) | COSEM_BIT(6) | COSEM_BIT(7) |
                  COSEM_BIT(8) | COSEM_BIT(9) | COSEM_BIT(11),
    .get = limiter_get,
    .set = limiter_set,
    .check = limiter_check,
};

const char *cosem_limiter_strerror(int err) {
    switch (err) {
    case COSEM_ERR_LIMITER_VALUE:
        return "limiter: monitored attribute unreadable or not a number";
    default:
        return cosem_sched_strerror(err);
    }
}
