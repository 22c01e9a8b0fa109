/*
 * special_days.c - interface class Special days table (class_id 11,
 * version 0; Blue Book "Special days table"): attribute 2 entries (array
 * of structure{index long-unsigned, specialday_date octet-string(5),
 * day_id unsigned}), methods 1 insert (one entry) and 2 delete (an index).
 * The Activity calendar reads the table (calendar_eval.c): a matching
 * special day replaces the weekday's day profile. Rules in cosem_classes.h.
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

_Static_assert(EM_COSEM_SPECIAL_DAYS <= 127, "entry indexes are int8_t");

static cosem_special_days_state_t *state_of(const cosem_req_t *r) {
    const cosem_special_days_def_t *d = r->obj->def;
    return cosem_app_ptr(r->srv, d->state);
}

static uint8_t used(const cosem_special_days_state_t *st) {
    return st->count < EM_COSEM_SPECIAL_DAYS ? st->count : EM_COSEM_SPECIAL_DAYS;
}

/* ---- encoding ---------------------------------------------------------------------- */

static int put_entry(axdr_enc_t *e, const cosem_special_day_t *sd) {
    axdr_put_structure(e, 3);
    axdr_put_uint16(e, sd->index);
    axdr_put_date_os(e, &sd->date);
    return axdr_put_uint8(e, sd->day_id);
}

static int special_days_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_special_days_state_t *st = state_of(r);
    axdr_put_array(e, used(st));
    for (uint8_t i = 0; i < used(st); i++) {
        put_entry(e, &st->entries[i]);
    }
    return e->err;
}

/* A date the calendar can match: valid fields, no DST month. */
static bool date_ok(const cosem_date_t *d) {
    return cosem_date_is_valid(d) && d->month != COSEM_DT_MONTH_DST_BEGIN &&
           d->month != COSEM_DT_MONTH_DST_END;
}

static int get_entry(axdr_dec_t *d, cosem_special_day_t *out) {
    uint32_t n;
    memset(out, 0, sizeof(*out));
    if (axdr_get_structure(d, &n) != 0 || n != 3 || axdr_get_uint16(d, &out->index) != 0 ||
        axdr_get_date(d, &out->date) != 0 || axdr_get_uint8(d, &out->day_id) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    return date_ok(&out->date) ? 0 : (int)DLMS_DAR_OTHER_REASON;
}

/* ---- attribute 2 ------------------------------------------------------------------- */

static int special_days_set(const cosem_req_t *r, axdr_dec_t *value) {
    cosem_special_days_state_t tmp;
    uint32_t n;
    if (axdr_get_array(value, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_COSEM_SPECIAL_DAYS) {
        return DLMS_DAR_OTHER_REASON;
    }
    for (uint32_t i = 0; i < n; i++) {
        int rc = get_entry(value, &tmp.entries[i]);
        if (rc != 0) {
            return rc;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (tmp.entries[j].index == tmp.entries[i].index) {
                return DLMS_DAR_OTHER_REASON; /* indexes identify entries */
            }
        }
    }
    if (!cosem_dec_done(value)) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    tmp.count = (uint8_t)n;
    *state_of(r) = tmp;
    return 0;
}

/* ---- methods ----------------------------------------------------------------------- */

static bool same_date(const cosem_date_t *a, const cosem_date_t *b) {
    return a->year == b->year && a->month == b->month && a->day == b->day &&
           a->day_of_week == b->day_of_week;
}

static void remove_at(cosem_special_days_state_t *st, uint8_t i) {
    memmove(&st->entries[i], &st->entries[i + 1],
            (size_t)(used(st) - i - 1u) * sizeof(st->entries[0]));
    st->count = (uint8_t)(used(st) - 1u);
}

/* insert: the first entry with the same index or date takes the new one;
 * any further such entry goes (the new entry is unique in both). */
static int insert(cosem_special_days_state_t *st, const cosem_special_day_t *e) {
    int8_t slot = -1;
    for (uint8_t i = 0; i < used(st);) {
        const cosem_special_day_t *x = &st->entries[i];
        if (x->index != e->index && !same_date(&x->date, &e->date)) {
            i++;
        } else if (slot < 0) {
            slot = (int8_t)i++;
        } else {
            remove_at(st, i);
        }
    }
    if (slot < 0) {
        if (used(st) >= EM_COSEM_SPECIAL_DAYS) {
            return DLMS_ACTION_OTHER_REASON;
        }
        slot = (int8_t)used(st);
        st->count = (uint8_t)(used(st) + 1u);
    }
    st->entries[slot] = *e;
    return 0;
}

static int delete_index(cosem_special_days_state_t *st, uint16_t index) {
    for (uint8_t i = 0; i < used(st); i++) {
        if (st->entries[i].index == index) {
            remove_at(st, i);
            return 0;
        }
    }
    return 0; /* not there: already deleted */
}

static int special_days_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret,
                               bool *has_ret) {
    (void)ret;
    *has_ret = false;
    if (params == NULL) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    cosem_special_days_state_t *st = state_of(r);
    if (r->id == 1) {
        cosem_special_day_t e;
        int rc = get_entry(params, &e);
        if (rc != 0) {
            return rc;
        }
        return cosem_dec_done(params) ? insert(st, &e) : (int)DLMS_ACTION_TYPE_UNMATCHED;
    }
    uint16_t index;
    if (axdr_get_uint16(params, &index) != 0 || !cosem_dec_done(params)) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    return delete_index(st, index);
}

static int special_days_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_special_days_def_t *d = obj->def;
    return cosem_sched_check_state(s, d->state, sizeof(cosem_special_days_state_t));
}

const cosem_class_t cosem_class_special_days_table = {
    .class_id = COSEM_CLASS_SPECIAL_DAYS_TABLE,
    .version = 0,
    .attr_count = 2,
    .method_count = 2,
    .write_mask = COSEM_BIT(2),
    .method_mask = COSEM_BIT(1) | COSEM_BIT(2),
    .get = special_days_get,
    .set = special_days_set,
    .action = special_days_action,
    .check = special_days_check,
};
