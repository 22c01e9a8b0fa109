/*
 * demand_register.c - interface class Demand register (class_id 5,
 * version 0; Blue Book "Demand register"): 2 current_average_value,
 * 3 last_average_value, 4 scaler_unit, 5 status, 6 capture_time,
 * 7 start_time_current, 8 period, 9 number_of_periods; methods 1 reset,
 * 2 next_period. Also the averaging the application drives with
 * cosem_demand_update() (block demand for one period, sliding demand for
 * several, see cosem_classes.h).
 *
 * Arithmetic is on int64 with saturation: a value times a period can only
 * overflow on absurd inputs, and then the average sticks at the bound
 * instead of wrapping to a wrong sign.
 */
#include <string.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

/* ---- averaging ----------------------------------------------------------------- */

static int64_t mul_sat(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) {
        return ((a < 0) != (b < 0)) ? INT64_MIN : INT64_MAX;
    }
    return r;
}

static int64_t add_sat(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) {
        return a < 0 ? INT64_MIN : INT64_MAX;
    }
    return r;
}

static bool state_ok(const cosem_demand_state_t *st) {
    return st->period > 0 && st->number_of_periods >= 1 &&
           st->number_of_periods <= EM_COSEM_DEMAND_MAX_PERIODS &&
           st->ring_pos < st->number_of_periods;
}

static int64_t floor_to(int64_t t, uint32_t period) {
    int64_t q = t / (int64_t)period;
    if (t % (int64_t)period < 0) {
        q--;
    }
    return q * (int64_t)period;
}

/* Sum of the `count` most recent completed sub-periods. */
static int64_t recent_sum(const cosem_demand_state_t *st, unsigned count) {
    int64_t sum = 0;
    unsigned n = st->number_of_periods;
    for (unsigned k = 1; k <= count; k++) {
        sum = add_sat(sum, st->ring[(st->ring_pos + n - k) % n]);
    }
    return sum;
}

static int64_t window_len(const cosem_demand_state_t *st) {
    return (int64_t)st->period * st->number_of_periods;
}

static void update_current(cosem_demand_state_t *st) {
    int64_t sum = add_sat(recent_sum(st, st->number_of_periods - 1u), st->acc);
    st->current_average = sum / window_len(st);
}

/* The running sub-period ends at `at`: it enters the window, the last
 * average is taken and a new sub-period starts. */
static void close_period(cosem_demand_state_t *st, int64_t at) {
    st->ring[st->ring_pos] = st->acc;
    st->ring_pos = (uint16_t)((st->ring_pos + 1u) % st->number_of_periods);
    st->acc = 0;
    st->last_average = recent_sum(st, st->number_of_periods) / window_len(st);
    st->capture_time = at;
    st->start_time_current = at;
    st->last_update = at;
}

int cosem_demand_init(cosem_demand_state_t *st, uint32_t period, uint16_t number_of_periods) {
    if (st == NULL) {
        return COSEM_ERR_BADARG;
    }
    if (period == 0 || number_of_periods < 1 || number_of_periods > EM_COSEM_DEMAND_MAX_PERIODS) {
        return COSEM_ERR_STATE;
    }
    memset(st, 0, sizeof(*st));
    st->period = period;
    st->number_of_periods = number_of_periods;
    return 0;
}

void cosem_demand_reset(cosem_demand_state_t *st, int64_t now) {
    st->current_average = 0;
    st->last_average = 0;
    st->acc = 0;
    st->ring_pos = 0;
    memset(st->ring, 0, sizeof(st->ring));
    st->capture_time = now;
    st->start_time_current = now;
    st->last_update = now;
}

/* Start (or restart after the clock went back) at the boundary before now. */
static void restart(cosem_demand_state_t *st, int64_t now) {
    st->acc = 0;
    st->start_time_current = floor_to(now, st->period);
    st->last_update = now;
    update_current(st);
}

int cosem_demand_update(cosem_demand_state_t *st, int64_t value, int64_t now) {
    if (st == NULL) {
        return COSEM_ERR_BADARG;
    }
    if (!state_ok(st)) {
        return COSEM_ERR_STATE;
    }
    if (st->last_update == 0 || now < st->last_update) {
        restart(st, now);
        return 0;
    }
    int64_t period = st->period;
    int64_t boundary = st->start_time_current + period;
    if (now >= boundary) {
        st->acc = add_sat(st->acc, mul_sat(value, boundary - st->last_update));
        close_period(st, boundary);
        /* Whole sub-periods passed since: only the last n matter. */
        int64_t skip = (now - boundary) / period;
        if (skip > st->number_of_periods) {
            boundary += (skip - st->number_of_periods) * period;
            skip = st->number_of_periods;
        }
        for (int64_t i = 0; i < skip; i++) {
            boundary += period;
            st->acc = mul_sat(value, period);
            close_period(st, boundary);
        }
    }
    st->acc = add_sat(st->acc, mul_sat(value, now - st->last_update));
    st->last_update = now;
    update_current(st);
    return 0;
}

int cosem_demand_next_period(cosem_demand_state_t *st, int64_t now) {
    if (st == NULL) {
        return COSEM_ERR_BADARG;
    }
    if (!state_ok(st)) {
        return COSEM_ERR_STATE;
    }
    close_period(st, now);
    update_current(st);
    return 0;
}

/* ---- class ---------------------------------------------------------------------- */

static const cosem_demand_register_def_t *def_of(const cosem_object_t *obj) {
    return obj->def;
}

static cosem_demand_state_t *state_of(const cosem_req_t *r) {
    return cosem_app_ptr(r->srv, def_of(r->obj)->state);
}

static int put_average(axdr_enc_t *e, uint8_t type, int64_t v) {
    switch (type) {
    case AXDR_INTEGER:
        return axdr_put_int8(e, (int8_t)v);
    case AXDR_LONG:
        return axdr_put_int16(e, (int16_t)v);
    case AXDR_DOUBLE_LONG:
        return axdr_put_int32(e, (int32_t)v);
    case AXDR_UNSIGNED:
        return axdr_put_uint8(e, (uint8_t)v);
    case AXDR_LONG_UNSIGNED:
        return axdr_put_uint16(e, (uint16_t)v);
    case AXDR_DOUBLE_LONG_UNSIGNED:
        return axdr_put_uint32(e, (uint32_t)v);
    case AXDR_LONG64_UNSIGNED:
        return axdr_put_uint64(e, (uint64_t)v);
    default:
        return axdr_put_int64(e, v);
    }
}

static int demand_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_demand_register_def_t *d = def_of(r->obj);
    const cosem_demand_state_t *st = state_of(r);
    switch (r->id) {
    case 2:
        return put_average(e, d->value_type, st->current_average);
    case 3:
        return put_average(e, d->value_type, st->last_average);
    case 4:
        return cosem_put_scaler_unit(e, d->scaler, d->unit);
    case 5:
        return axdr_put_uint8(e, st->status);
    case 6:
        return cosem_put_instant(r->srv, e, st->capture_time);
    case 7:
        return cosem_put_instant(r->srv, e, st->start_time_current);
    case 8:
        return axdr_put_uint32(e, st->period);
    default:
        return axdr_put_uint16(e, st->number_of_periods);
    }
}

/* period and number_of_periods restart the averaging from now. */
static int demand_set(const cosem_req_t *r, axdr_dec_t *value) {
    cosem_demand_state_t *st = state_of(r);
    uint32_t period = st->period;
    uint16_t n = st->number_of_periods;
    if (r->id == 8 ? axdr_get_uint32(value, &period) != 0 : axdr_get_uint16(value, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (period == 0 || n < 1 || n > EM_COSEM_DEMAND_MAX_PERIODS) {
        return DLMS_DAR_OTHER_REASON;
    }
    int64_t now;
    int rc = cosem_rtc_now(r->srv, &now);
    if (rc != 0) {
        return rc;
    }
    uint8_t status = st->status;
    cosem_demand_init(st, period, n);
    st->status = status;
    cosem_demand_reset(st, now);
    return 0;
}

static int demand_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret, bool *has_ret) {
    (void)ret;
    *has_ret = false;
    if (!cosem_param_is_dummy(params)) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    cosem_demand_state_t *st = state_of(r);
    int64_t now;
    int rc = cosem_rtc_now(r->srv, &now);
    if (rc != 0) {
        return rc;
    }
    if (r->id == 1) {
        cosem_demand_reset(st, now);
        return 0;
    }
    return cosem_demand_next_period(st, now);
}

static bool is_int_type(uint8_t t) {
    return t == AXDR_INTEGER || t == AXDR_LONG || t == AXDR_DOUBLE_LONG || t == AXDR_LONG64 ||
           t == AXDR_UNSIGNED || t == AXDR_LONG_UNSIGNED || t == AXDR_DOUBLE_LONG_UNSIGNED ||
           t == AXDR_LONG64_UNSIGNED;
}

static int demand_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_demand_register_def_t *d = def_of(obj);
    if (!is_int_type(d->value_type) || d->state > s->app_size ||
        sizeof(cosem_demand_state_t) > s->app_size - d->state) {
        return COSEM_ERR_BINDING;
    }
    return 0;
}

const cosem_class_t cosem_class_demand_register = {
    .class_id = COSEM_CLASS_DEMAND_REGISTER,
    .version = 0,
    .attr_count = 9,
    .method_count = 2,
    .write_mask = COSEM_BIT(8) | COSEM_BIT(9),
    .method_mask = COSEM_BIT(1) | COSEM_BIT(2),
    .get = demand_get,
    .set = demand_set,
    .action = demand_action,
    .check = demand_check,
};
