/*
 * push_setup.c - interface class Push setup (class_id 40, version 0; Blue
 * Book "Push setup", DSMR/SMR 5 P3 usage, dlms-facts §1.1 and §2.5): the
 * attributes 2-7 with their validation, method 1 push, and the push engine
 * (trigger, randomised start, communication windows, retries) together
 * with the data-notification it sends. Choices are documented in
 * push_setup.h and docs/push.md.
 */
#include "cosem/push_setup.h"

#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/cosem_classes.h"

_Static_assert(EM_COSEM_PUSH_OBJECTS <= 255, "object_count is uint8_t");
_Static_assert(EM_COSEM_PUSH_WINDOWS <= 255, "window_count is uint8_t");
_Static_assert(EM_COSEM_PUSH_DESTINATION_MAX <= 255, "destination_len is uint8_t");

#define LIID_MAX DLMS_LIID_ID_MASK /* invoke ids 1..0xFFFFFF, then 1 again */

/* ---- the DSMR / SMR 5 lists ------------------------------------------------------ */

#define OBJ(cls, a, b, c, d, e, attr)                                                              \
    { (cls), {(a), (b), (c), (d), (e), 255}, (attr), 0 }

const dlms_capture_object_t cosem_push_list_scheduled[2] = {
    OBJ(COSEM_CLASS_DATA, 0, 0, 96, 1, 1, 2),       /* equipment identifier */
    OBJ(COSEM_CLASS_PUSH_SETUP, 0, 0, 25, 9, 0, 1), /* push setup scheduler, its name */
};

const dlms_capture_object_t cosem_push_list_alarm[3] = {
    OBJ(COSEM_CLASS_DATA, 0, 0, 96, 1, 1, 2),       /* equipment identifier */
    OBJ(COSEM_CLASS_PUSH_SETUP, 0, 1, 25, 9, 0, 1), /* push setup alarm, its name */
    OBJ(COSEM_CLASS_DATA, 0, 0, 97, 98, 0, 2),      /* alarm register 1 */
};

/* ---- state ------------------------------------------------------------------------ */

void cosem_push_init(cosem_push_state_t *st) {
    memset(st, 0, sizeof(*st));
    st->transport = COSEM_PUSH_TCP;
    st->message = COSEM_PUSH_MSG_AXDR;
    st->protection = DLMS_SEC_SC_AUTH_ENC;
    st->phase = COSEM_PUSH_IDLE;
}

int cosem_push_set_objects(cosem_push_state_t *st, const dlms_capture_object_t *objs, uint8_t n) {
    if (st == NULL || (objs == NULL && n != 0) || n > EM_COSEM_PUSH_OBJECTS) {
        return COSEM_ERR_BADARG;
    }
    /* Entries beyond the count are zero: the state is plain data that is
     * persisted and compared, so it holds nothing stale. */
    memset(st->objects, 0, sizeof(st->objects));
    if (n != 0) {
        memcpy(st->objects, objs, n * sizeof(objs[0]));
    }
    st->object_count = n;
    return 0;
}

/* "host:port": printable host (no space, no control), port 1..65535. */
static bool destination_ok(const uint8_t *p, size_t n) {
    if (n == 0) {
        return true; /* no destination: no push */
    }
    size_t colon = n;
    for (size_t i = 0; i < n; i++) {
        if (p[i] <= 0x20 || p[i] >= 0x7F) {
            return false;
        }
        if (p[i] == ':') {
            colon = i;
        }
    }
    if (colon == 0 || colon >= n - 1 || n - colon - 1 > 5) {
        return false;
    }
    uint32_t port = 0;
    for (size_t i = colon + 1; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
        port = port * 10u + (uint32_t)(p[i] - '0');
    }
    return port >= 1 && port <= 65535;
}

int cosem_push_set_destination(cosem_push_state_t *st, uint8_t transport, const char *dest) {
    size_t n = dest != NULL ? strlen(dest) : 0;
    if (st == NULL || n > EM_COSEM_PUSH_DESTINATION_MAX ||
        (transport != COSEM_PUSH_TCP && transport != COSEM_PUSH_UDP) ||
        !destination_ok((const uint8_t *)dest, n)) {
        return COSEM_ERR_BADARG;
    }
    memset(st->destination, 0, sizeof(st->destination));
    if (n != 0) {
        memcpy(st->destination, dest, n);
    }
    st->destination_len = (uint8_t)n;
    st->transport = transport;
    return 0;
}

void cosem_push_resume(cosem_push_state_t *st) {
    if (st->phase == COSEM_PUSH_SENDING) {
        st->phase = COSEM_PUSH_WAITING; /* due stays: in the past, so at once */
    } else if (st->phase > COSEM_PUSH_SENDING) {
        st->phase = COSEM_PUSH_IDLE;
    }
}

cosem_push_state_t *cosem_push_state(const cosem_server_t *s, const cosem_object_t *obj) {
    if (s == NULL || obj == NULL || obj->cls != &cosem_class_push_setup) {
        return NULL;
    }
    const cosem_push_setup_def_t *d = obj->def;
    return cosem_app_ptr(s, d->state);
}

/* ---- windows ------------------------------------------------------------------------- */

/* Pattern p with its unspecified date and time fields taken from `now`,
 * as wall seconds; false when the result is no date (a 31st in April) or
 * the weekday does not match. */
static bool window_edge(const cosem_datetime_t *p, const cosem_datetime_t *now, int64_t *wall) {
    if (p->day_of_week != COSEM_DT_NOT_SPECIFIED && p->day_of_week != now->day_of_week) {
        return false;
    }
    cosem_datetime_t t;
    cosem_datetime_set_unspecified(&t);
    t.year = p->year != COSEM_DT_YEAR_NOT_SPECIFIED ? p->year : now->year;
    t.month = p->month != COSEM_DT_NOT_SPECIFIED ? p->month : now->month;
    t.day = p->day != COSEM_DT_NOT_SPECIFIED ? p->day : now->day;
    t.hour = p->hour != COSEM_DT_NOT_SPECIFIED ? p->hour : now->hour;
    t.minute = p->minute != COSEM_DT_NOT_SPECIFIED ? p->minute : now->minute;
    t.second = p->second != COSEM_DT_NOT_SPECIFIED ? p->second : now->second;
    t.hundredths = 0;
    if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > cosem_days_in_month(t.year, t.month)) {
        return false;
    }
    return cosem_wall_from_datetime(&t, wall) == 0;
}

bool cosem_push_in_window(const cosem_server_t *s, const cosem_push_state_t *st, int64_t utc) {
    if (st->window_count == 0) {
        return true;
    }
    int64_t wall = cosem_wall_of(cosem_sched_clock(s), utc);
    cosem_datetime_t now;
    if (cosem_wall_to_datetime(wall, &now) != 0) {
        return false;
    }
    uint8_t n = st->window_count < EM_COSEM_PUSH_WINDOWS ? st->window_count : EM_COSEM_PUSH_WINDOWS;
    for (uint8_t i = 0; i < n; i++) {
        int64_t a, b;
        if (!window_edge(&st->windows[i].start, &now, &a) ||
            !window_edge(&st->windows[i].end, &now, &b)) {
            continue;
        }
        if (a <= b ? (wall >= a && wall <= b) : (wall >= a || wall <= b)) {
            return true;
        }
    }
    return false;
}

/* ---- engine -------------------------------------------------------------------------- */

/* Uniform-enough delay in [0, max] seconds from the port's entropy (the
 * modulo bias of 2^32 over at most 65536 values is below 2e-5). */
static uint32_t random_delay(const cosem_server_t *s, uint16_t max) {
    uint8_t r[4] = {0, 0, 0, 0};
    if (max == 0 || s->port == NULL || s->port->entropy == NULL ||
        s->port->entropy(s->port->user, r, sizeof(r)) != 0) {
        return 0;
    }
    uint32_t v = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3];
    return v % ((uint32_t)max + 1u);
}

int cosem_push_trigger(cosem_server_t *s, const cosem_object_t *obj, int64_t utc) {
    cosem_push_state_t *st = cosem_push_state(s, obj);
    if (st == NULL) {
        return COSEM_ERR_PUSH_OBJECT;
    }
    if (st->destination_len == 0) {
        return COSEM_ERR_PUSH_DESTINATION;
    }
    if (st->phase != COSEM_PUSH_IDLE) {
        return 1;
    }
    st->due = utc + (int64_t)random_delay(s, st->randomisation_start_interval);
    st->attempts = 0;
    st->phase = COSEM_PUSH_WAITING;
    return 0;
}

int cosem_push_tick(cosem_server_t *s, const cosem_object_t *obj, int64_t utc) {
    cosem_push_state_t *st = cosem_push_state(s, obj);
    if (st == NULL) {
        return COSEM_ERR_PUSH_OBJECT;
    }
    if (st->phase != COSEM_PUSH_WAITING || utc < st->due || !cosem_push_in_window(s, st, utc)) {
        return 0;
    }
    st->phase = COSEM_PUSH_SENDING;
    return 1;
}

int cosem_push_result(cosem_server_t *s, const cosem_object_t *obj, bool ok, int64_t utc) {
    cosem_push_state_t *st = cosem_push_state(s, obj);
    if (st == NULL) {
        return COSEM_ERR_PUSH_OBJECT;
    }
    if (st->phase != COSEM_PUSH_SENDING) {
        return COSEM_ERR_PUSH_PHASE;
    }
    if (ok) {
        st->sent++;
        st->phase = COSEM_PUSH_IDLE;
        return 0;
    }
    if (st->attempts >= st->number_of_retries) {
        st->failed++;
        st->phase = COSEM_PUSH_IDLE;
        return 0;
    }
    st->attempts++;
    st->due = utc + (int64_t)st->repetition_delay;
    st->phase = COSEM_PUSH_WAITING;
    return 1;
}

/* ---- the notification ---------------------------------------------------------------- */

/* Internal reads see the objects as a ciphered management client would
 * (only Association LN looks at the view). */
static const dlms_assoc_view_t push_view = {
    .server_sap = 1, .status = DLMS_ASSOC_ASSOCIATED, .ciphered = true, .dlms_version = 6};

static bool is_profile_buffer(uint16_t class_id, int8_t attr) {
    return class_id == COSEM_CLASS_PROFILE_GENERIC && attr == 2;
}

/* The object of the table an entry names, if the entry is usable. */
static const cosem_object_t *entry_object(const cosem_server_t *s,
                                          const dlms_capture_object_t *co) {
    const cosem_object_t *o = cosem_find(s, co->logical_name);
    if (o == NULL || o->cls->class_id != co->class_id || co->attribute_index < 1 ||
        co->attribute_index > o->cls->attr_count ||
        is_profile_buffer(co->class_id, co->attribute_index)) {
        return NULL;
    }
    return o;
}

static int read_attribute(cosem_server_t *s, const dlms_capture_object_t *co, int64_t utc,
                          axdr_enc_t *e) {
    const cosem_object_t *o = entry_object(s, co);
    if (o == NULL || (o->cls->present != NULL && !o->cls->present(s, o))) {
        return DLMS_DAR_OBJECT_UNAVAILABLE;
    }
    int8_t id = co->attribute_index;
    if (id == 1) {
        return axdr_put_octet_string(e, o->ln, COSEM_LN_LEN);
    }
    if (co->class_id == COSEM_CLASS_CLOCK && id == 2) {
        return cosem_put_instant(s, e, utc); /* the push instant */
    }
    uint8_t cookie[EM_DLMS_GET_COOKIE];
    memset(cookie, 0, sizeof(cookie));
    cosem_req_t r = {s, o, &push_view, id, NULL, cookie};
    int rc = o->cls->get(&r, e);
    return rc != 0 ? rc : e->err;
}

/* One element's value into out[0..cap): its length, 0 when it cannot be
 * read (sent as null-data), -1 when it does not fit. */
static int entry_value(cosem_server_t *s, const dlms_capture_object_t *co, int64_t utc,
                       uint8_t *out, size_t cap) {
    axdr_enc_t e;
    axdr_enc_init(&e, out, cap);
    int rc = read_attribute(s, co, utc, &e);
    if (rc == AXDR_ERR_OVERFLOW || e.err == AXDR_ERR_OVERFLOW) {
        return -1;
    }
    if (rc != 0 || !axdr_is_one_data(out, e.len)) {
        return 0;
    }
    if (co->data_index == 0) {
        return (int)e.len;
    }
    const uint8_t *el = NULL;
    size_t n = axdr_element(out, e.len, co->data_index, &el);
    if (n != 0) {
        memmove(out, el, n);
    }
    return (int)n;
}

int cosem_push_encode(cosem_server_t *s, const cosem_object_t *obj, int64_t utc, uint8_t *buf,
                      size_t cap) {
    const cosem_push_state_t *st = cosem_push_state(s, obj);
    if (st == NULL || buf == NULL) {
        return st == NULL ? COSEM_ERR_PUSH_OBJECT : COSEM_ERR_BADARG;
    }
    uint8_t n = st->object_count < EM_COSEM_PUSH_OBJECTS ? st->object_count : EM_COSEM_PUSH_OBJECTS;
    axdr_enc_t e;
    axdr_enc_init(&e, buf, cap);
    if (axdr_put_structure(&e, n) != 0) {
        return COSEM_ERR_PUSH_TOO_LONG;
    }
    size_t pos = e.len;
    for (uint8_t i = 0; i < n; i++) {
        /* Keep one byte for each element after this one (null-data). */
        size_t tail = (size_t)(n - i - 1);
        if (pos + 1 + tail > cap) {
            return COSEM_ERR_PUSH_TOO_LONG;
        }
        size_t room = cap - pos - tail;
        int k = entry_value(s, &st->objects[i], utc, buf + pos, room);
        if (k < 0) {
            return COSEM_ERR_PUSH_TOO_LONG;
        }
        if (k == 0) {
            buf[pos] = AXDR_NULL;
            k = 1;
        }
        pos += (size_t)k;
    }
    return (int)pos;
}

int cosem_push_notification(cosem_server_t *s, const cosem_object_t *obj, dlms_server_t *srv,
                            int64_t utc, uint8_t *out, size_t cap) {
    cosem_push_state_t *st = cosem_push_state(s, obj);
    if (st == NULL) {
        return COSEM_ERR_PUSH_OBJECT;
    }
    if (srv == NULL || out == NULL) {
        return COSEM_ERR_BADARG;
    }
    const cosem_push_setup_def_t *d = obj->def;
    dlms_security_context_t *sec = NULL;
    if (st->protection != 0) {
        if (d->sec_index >= s->sec_count || s->sec[d->sec_index] == NULL) {
            return COSEM_ERR_PUSH_SECURITY;
        }
        sec = s->sec[d->sec_index];
    }
    uint8_t body[EM_COSEM_PUSH_MAX_BODY];
    int blen = cosem_push_encode(s, obj, utc, body, sizeof(body));
    if (blen < 0) {
        return blen;
    }
    cosem_datetime_t dt;
    bool has_dt = cosem_local_datetime(s, utc, &dt) == 0;
    uint32_t iid = st->invoke_id >= LIID_MAX ? 1u : st->invoke_id + 1u;
    dlms_slice_t b = {body, (size_t)blen};
    int rc = dlms_server_data_notification(srv, sec, st->protection,
                                           dlms_long_invoke_id_make(iid, false, false),
                                           has_dt ? &dt : NULL, b, out, cap);
    if (rc >= 0) {
        st->invoke_id = iid;
    }
    memset(body, 0, sizeof(body));
    return rc == DLMS_SERVER_ERR_BUFFER ? COSEM_ERR_PUSH_TOO_LONG : rc;
}

/* ---- attributes ------------------------------------------------------------------------ */

static cosem_push_state_t *state_of(const cosem_req_t *r) {
    const cosem_push_setup_def_t *d = r->obj->def;
    return cosem_app_ptr(r->srv, d->state);
}

static int push_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_push_state_t *st = state_of(r);
    switch (r->id) {
    case 2: {
        uint8_t n =
            st->object_count < EM_COSEM_PUSH_OBJECTS ? st->object_count : EM_COSEM_PUSH_OBJECTS;
        axdr_put_array(e, n);
        for (uint8_t i = 0; i < n; i++) {
            dlms_capture_object_put(e, &st->objects[i]);
        }
        return e->err;
    }
    case 3: {
        uint8_t n = st->destination_len < EM_COSEM_PUSH_DESTINATION_MAX
                        ? st->destination_len
                        : EM_COSEM_PUSH_DESTINATION_MAX;
        axdr_put_structure(e, 3);
        axdr_put_enum(e, st->transport);
        axdr_put_octet_string(e, st->destination, n);
        return axdr_put_enum(e, st->message);
    }
    case 4: {
        uint8_t n =
            st->window_count < EM_COSEM_PUSH_WINDOWS ? st->window_count : EM_COSEM_PUSH_WINDOWS;
        axdr_put_array(e, n);
        for (uint8_t i = 0; i < n; i++) {
            axdr_put_structure(e, 2);
            axdr_put_date_time_os(e, &st->windows[i].start);
            axdr_put_date_time_os(e, &st->windows[i].end);
        }
        return e->err;
    }
    case 5:
        return axdr_put_uint16(e, st->randomisation_start_interval);
    case 6:
        return axdr_put_uint8(e, st->number_of_retries);
    default:
        return axdr_put_uint16(e, st->repetition_delay);
    }
}

static int set_objects(const cosem_req_t *r, cosem_push_state_t *st, axdr_dec_t *v) {
    dlms_capture_object_t tmp[EM_COSEM_PUSH_OBJECTS];
    uint32_t n;
    memset(tmp, 0, sizeof(tmp)); /* the state is persisted: no stray bytes */
    if (axdr_get_array(v, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_COSEM_PUSH_OBJECTS) {
        /* the dispatcher validated the whole value: the count alone refuses it */
        return DLMS_DAR_OTHER_REASON;
    }
    bool bad_ref = false;
    for (uint32_t i = 0; i < n; i++) {
        if (dlms_capture_object_get(v, &tmp[i]) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (entry_object(r->srv, &tmp[i]) == NULL) {
            bad_ref = true; /* keep reading: a type error later is type-unmatched */
        }
    }
    if (!cosem_dec_done(v)) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (bad_ref) {
        return DLMS_DAR_OTHER_REASON;
    }
    (void)cosem_push_set_objects(st, tmp, (uint8_t)n);
    return 0;
}

static int set_destination(cosem_push_state_t *st, axdr_dec_t *v) {
    uint32_t n;
    uint8_t transport, message;
    const uint8_t *p;
    size_t len;
    if (axdr_get_structure(v, &n) != 0 || n != 3 || axdr_get_enum(v, &transport) != 0 ||
        axdr_get_octet_string(v, &p, &len) != 0 || axdr_get_enum(v, &message) != 0 ||
        !cosem_dec_done(v)) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if ((transport != COSEM_PUSH_TCP && transport != COSEM_PUSH_UDP) ||
        message != COSEM_PUSH_MSG_AXDR || len > EM_COSEM_PUSH_DESTINATION_MAX ||
        !destination_ok(p, len)) {
        return DLMS_DAR_OTHER_REASON;
    }
    st->transport = transport;
    st->message = message;
    memset(st->destination, 0, sizeof(st->destination));
    if (len != 0) {
        memcpy(st->destination, p, len);
    }
    st->destination_len = (uint8_t)len;
    return 0;
}

/* A window edge: a date-time whose fields are valid or not specified, no
 * DST-month or last-day patterns (a window is read against today). */
static bool edge_ok(const cosem_datetime_t *dt) {
    return cosem_datetime_is_valid(dt) && dt->month != COSEM_DT_MONTH_DST_BEGIN &&
           dt->month != COSEM_DT_MONTH_DST_END && dt->day != COSEM_DT_DAY_LAST &&
           dt->day != COSEM_DT_DAY_2ND_LAST;
}

static int set_windows(cosem_push_state_t *st, axdr_dec_t *v) {
    cosem_push_window_t tmp[EM_COSEM_PUSH_WINDOWS];
    uint32_t n, k;
    memset(tmp, 0, sizeof(tmp)); /* the state is persisted: no stray bytes */
    if (axdr_get_array(v, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_COSEM_PUSH_WINDOWS) {
        return DLMS_DAR_OTHER_REASON;
    }
    bool bad = false;
    for (uint32_t i = 0; i < n; i++) {
        if (axdr_get_structure(v, &k) != 0 || k != 2 || axdr_get_date_time(v, &tmp[i].start) != 0 ||
            axdr_get_date_time(v, &tmp[i].end) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        bad = bad || !edge_ok(&tmp[i].start) || !edge_ok(&tmp[i].end);
    }
    if (!cosem_dec_done(v)) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (bad) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(st->windows, tmp, sizeof(tmp)); /* the unused ones are zero */
    st->window_count = (uint8_t)n;
    return 0;
}

static int push_set(const cosem_req_t *r, axdr_dec_t *value) {
    cosem_push_state_t *st = state_of(r);
    switch (r->id) {
    case 2:
        return set_objects(r, st, value);
    case 3:
        return set_destination(st, value);
    case 4:
        return set_windows(st, value);
    case 6: {
        uint8_t u8;
        if (axdr_get_uint8(value, &u8) != 0 || !cosem_dec_done(value)) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        st->number_of_retries = u8;
        return 0;
    }
    default: { /* 5, 7 */
        uint16_t u16;
        if (axdr_get_uint16(value, &u16) != 0 || !cosem_dec_done(value)) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (r->id == 5) {
            st->randomisation_start_interval = u16;
        } else {
            st->repetition_delay = u16;
        }
        return 0;
    }
    }
}

static int push_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret, bool *has_ret) {
    (void)ret;
    *has_ret = false;
    if (!cosem_param_is_dummy(params)) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    int64_t now;
    if (cosem_rtc_now(r->srv, &now) != 0) {
        return DLMS_ACTION_HARDWARE_FAULT;
    }
    int rc = cosem_push_trigger(r->srv, r->obj, now);
    return rc >= 0 ? (int)DLMS_ACTION_SUCCESS : (int)DLMS_ACTION_OTHER_REASON;
}

static int push_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_push_setup_def_t *d = obj->def;
    if (d == NULL) {
        return COSEM_ERR_TABLE;
    }
    if (d->state > s->app_size || sizeof(cosem_push_state_t) > s->app_size - d->state) {
        return COSEM_ERR_BINDING;
    }
    return 0;
}

const cosem_class_t cosem_class_push_setup = {
    .class_id = COSEM_CLASS_PUSH_SETUP,
    .version = 0,
    .attr_count = 7,
    .method_count = 1,
    .write_mask =
        COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4) | COSEM_BIT(5) | COSEM_BIT(6) | COSEM_BIT(7),
    .method_mask = COSEM_BIT(1),
    .get = push_get,
    .set = push_set,
    .action = push_action,
    .check = push_check,
};

/* ---- persistence ------------------------------------------------------------------------ */

static size_t put_be(uint8_t *p, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
    return n;
}

static uint64_t get_be(const uint8_t *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

int cosem_push_state_pack(const cosem_push_state_t *st, uint8_t *out, size_t cap) {
    if (st == NULL || out == NULL || cap < COSEM_PUSH_RECORD_MAX ||
        st->object_count > EM_COSEM_PUSH_OBJECTS || st->window_count > EM_COSEM_PUSH_WINDOWS ||
        st->destination_len > EM_COSEM_PUSH_DESTINATION_MAX) {
        return COSEM_ERR_BADARG;
    }
    size_t k = 0;
    out[k++] = COSEM_PUSH_RECORD_VERSION;
    out[k++] = st->object_count;
    for (uint8_t i = 0; i < st->object_count; i++) {
        const dlms_capture_object_t *o = &st->objects[i];
        k += put_be(out + k, o->class_id, 2);
        memcpy(out + k, o->logical_name, COSEM_LN_LEN);
        k += COSEM_LN_LEN;
        out[k++] = (uint8_t)o->attribute_index;
        k += put_be(out + k, o->data_index, 2);
    }
    out[k++] = st->transport;
    out[k++] = st->message;
    out[k++] = st->destination_len;
    memcpy(out + k, st->destination, st->destination_len);
    k += st->destination_len;
    out[k++] = st->window_count;
    for (uint8_t i = 0; i < st->window_count; i++) {
        cosem_datetime_pack(&st->windows[i].start, out + k);
        cosem_datetime_pack(&st->windows[i].end, out + k + COSEM_DATETIME_LEN);
        k += 2 * COSEM_DATETIME_LEN;
    }
    k += put_be(out + k, st->randomisation_start_interval, 2);
    out[k++] = st->number_of_retries;
    k += put_be(out + k, st->repetition_delay, 2);
    out[k++] = st->protection;
    out[k++] = st->phase;
    out[k++] = st->attempts;
    k += put_be(out + k, (uint64_t)st->due, 8);
    k += put_be(out + k, st->invoke_id, 4);
    k += put_be(out + k, st->sent, 4);
    k += put_be(out + k, st->failed, 4);
    return (int)k;
}

/* A cursor over a record: every read checks the bytes are there. */
typedef struct rd {
    const uint8_t *p;
    size_t len, pos;
    bool bad;
} rd_t;

static const uint8_t *rd_take(rd_t *r, size_t n) {
    if (r->bad || n > r->len - r->pos) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *q = r->p + r->pos;
    r->pos += n;
    return q;
}

static uint64_t rd_num(rd_t *r, size_t n) {
    const uint8_t *q = rd_take(r, n);
    return q != NULL ? get_be(q, n) : 0;
}

static bool protection_ok(uint8_t sc) {
    return sc == 0 || sc == DLMS_SEC_SC_AUTH_ONLY || sc == DLMS_SEC_SC_ENC_ONLY ||
           sc == DLMS_SEC_SC_AUTH_ENC;
}

static bool edge_ok(const cosem_datetime_t *dt);

int cosem_push_state_unpack(const uint8_t *in, size_t len, cosem_push_state_t *st) {
    if (in == NULL || st == NULL) {
        return COSEM_ERR_BADARG;
    }
    cosem_push_state_t t;
    memset(&t, 0, sizeof(t));
    rd_t r = {in, len, 0, false};
    if (rd_num(&r, 1) != COSEM_PUSH_RECORD_VERSION) {
        return COSEM_ERR_PUSH_RECORD;
    }
    t.object_count = (uint8_t)rd_num(&r, 1);
    if (t.object_count > EM_COSEM_PUSH_OBJECTS) {
        return COSEM_ERR_PUSH_RECORD;
    }
    for (uint8_t i = 0; i < t.object_count && !r.bad; i++) {
        dlms_capture_object_t *o = &t.objects[i];
        o->class_id = (uint16_t)rd_num(&r, 2);
        const uint8_t *ln = rd_take(&r, COSEM_LN_LEN);
        if (ln != NULL) {
            memcpy(o->logical_name, ln, COSEM_LN_LEN);
        }
        o->attribute_index = (int8_t)rd_num(&r, 1);
        o->data_index = (uint16_t)rd_num(&r, 2);
    }
    t.transport = (uint8_t)rd_num(&r, 1);
    t.message = (uint8_t)rd_num(&r, 1);
    t.destination_len = (uint8_t)rd_num(&r, 1);
    const uint8_t *dest =
        t.destination_len <= EM_COSEM_PUSH_DESTINATION_MAX ? rd_take(&r, t.destination_len) : NULL;
    if (r.bad || dest == NULL || (t.transport != COSEM_PUSH_TCP && t.transport != COSEM_PUSH_UDP) ||
        t.message != COSEM_PUSH_MSG_AXDR || !destination_ok(dest, t.destination_len)) {
        return COSEM_ERR_PUSH_RECORD;
    }
    memcpy(t.destination, dest, t.destination_len);
    t.window_count = (uint8_t)rd_num(&r, 1);
    if (t.window_count > EM_COSEM_PUSH_WINDOWS) {
        return COSEM_ERR_PUSH_RECORD;
    }
    for (uint8_t i = 0; i < t.window_count && !r.bad; i++) {
        const uint8_t *w = rd_take(&r, 2 * COSEM_DATETIME_LEN);
        if (w == NULL) {
            break;
        }
        cosem_datetime_unpack(w, &t.windows[i].start);
        cosem_datetime_unpack(w + COSEM_DATETIME_LEN, &t.windows[i].end);
        if (!edge_ok(&t.windows[i].start) || !edge_ok(&t.windows[i].end)) {
            return COSEM_ERR_PUSH_RECORD;
        }
    }
    t.randomisation_start_interval = (uint16_t)rd_num(&r, 2);
    t.number_of_retries = (uint8_t)rd_num(&r, 1);
    t.repetition_delay = (uint16_t)rd_num(&r, 2);
    t.protection = (uint8_t)rd_num(&r, 1);
    t.phase = (uint8_t)rd_num(&r, 1);
    t.attempts = (uint8_t)rd_num(&r, 1);
    t.due = (int64_t)rd_num(&r, 8);
    t.invoke_id = (uint32_t)rd_num(&r, 4);
    t.sent = (uint32_t)rd_num(&r, 4);
    t.failed = (uint32_t)rd_num(&r, 4);
    if (r.bad || r.pos != len || !protection_ok(t.protection) || t.phase > COSEM_PUSH_SENDING ||
        t.invoke_id > LIID_MAX) {
        return COSEM_ERR_PUSH_RECORD;
    }
    *st = t;
    return 0;
}

/* ---- errors ------------------------------------------------------------------------------ */

const char *cosem_push_strerror(int err) {
    switch (err) {
    case COSEM_ERR_PUSH_OBJECT:
        return "push: the object is not a Push setup of the table";
    case COSEM_ERR_PUSH_DESTINATION:
        return "push: no send destination set";
    case COSEM_ERR_PUSH_PHASE:
        return "push: result reported while no push was being sent";
    case COSEM_ERR_PUSH_TOO_LONG:
        return "push: the notification does not fit the buffer";
    case COSEM_ERR_PUSH_SECURITY:
        return "push: ciphering asked but the security context does not exist";
    case COSEM_ERR_PUSH_RECORD:
        return "push: the persisted push setup record is not valid";
    default:
        return cosem_strerror(err);
    }
}
