/*
 * fuzz_axdr.c - libFuzzer target for the A-XDR decoder and the COSEM
 * date-time helpers (lib/dlms/axdr.c, lib/dlms/datetime.c).
 *
 * Invariants checked (__builtin_trap() on violation):
 *  - axdr_validate() and axdr_skip() agree, consume within the input and
 *    report 0 consumed on refusal;
 *  - a flat walk with axdr_get_value() always moves forward on success and
 *    leaves the cursor untouched on refusal;
 *  - every decoded element re-encodes (axdr_put_value) to at most its own
 *    size, the re-encoding decodes to the same value, is stable when encoded
 *    again, measures to the same length, refuses atomically one byte short
 *    and windows consistently;
 *  - typed getters agree with the generic value;
 *  - date-time unpack/pack reproduces the bytes, and every valid date-time
 *    that converts to UTC converts back to the same instant and fields.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dlms/axdr.h"
#include "dlms/datetime.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            __builtin_trap();                                                                      \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void check_datetime_bytes(const uint8_t *data);

static bool same_dt(const cosem_datetime_t *a, const cosem_datetime_t *b) {
    return a->year == b->year && a->month == b->month && a->day == b->day &&
           a->day_of_week == b->day_of_week && a->hour == b->hour && a->minute == b->minute &&
           a->second == b->second && a->hundredths == b->hundredths &&
           a->deviation == b->deviation && a->clock_status == b->clock_status;
}

static bool same_bits(const axdr_value_t *a, const axdr_value_t *b) {
    if (a->count != b->count || a->len != b->len) {
        return false;
    }
    if (a->len == 0) {
        return true;
    }
    if (memcmp(a->p, b->p, a->len - 1) != 0) {
        return false;
    }
    unsigned used = a->count % 8;
    uint8_t mask = used ? (uint8_t)(0xFFu << (8 - used)) : 0xFFu;
    return (a->p[a->len - 1] & mask) == (b->p[b->len - 1] & mask);
}

/* Same value, compared by meaning (pointers differ, padding ignored). */
static bool same_value(const axdr_value_t *a, const axdr_value_t *b) {
    if (a->tag != b->tag) {
        return false;
    }
    switch (a->tag) {
    case AXDR_NULL:
        return true;
    case AXDR_ARRAY:
    case AXDR_STRUCTURE:
        return a->count == b->count;
    case AXDR_BOOLEAN:
        return a->b == b->b;
    case AXDR_BIT_STRING:
        return same_bits(a, b);
    case AXDR_OCTET_STRING:
    case AXDR_VISIBLE_STRING:
    case AXDR_UTF8_STRING:
        return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
    case AXDR_COMPACT_ARRAY:
        return a->count == b->count && a->len == b->len && a->desc_len == b->desc_len &&
               memcmp(a->desc, b->desc, a->desc_len) == 0 &&
               (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
    case AXDR_FLOAT32:
        return memcmp(&a->f32, &b->f32, sizeof(float)) == 0;
    case AXDR_FLOAT64:
        return memcmp(&a->f64, &b->f64, sizeof(double)) == 0;
    case AXDR_DATE_TIME:
        return same_dt(&a->dt, &b->dt);
    case AXDR_DATE:
        return a->date.year == b->date.year && a->date.month == b->date.month &&
               a->date.day == b->date.day && a->date.day_of_week == b->date.day_of_week;
    case AXDR_TIME:
        return a->time.hour == b->time.hour && a->time.minute == b->time.minute &&
               a->time.second == b->time.second && a->time.hundredths == b->time.hundredths;
    default:
        return a->u == b->u; /* integers share the 64-bit storage */
    }
}

/* Decode bytes that axdr_put_value() produced. Container headers stand
 * alone there, so they are read as tag + length. */
static void redecode(const uint8_t *buf, size_t n, axdr_value_t *out) {
    axdr_dec_t d;
    axdr_dec_init(&d, buf, n);
    if (buf[0] == AXDR_ARRAY || buf[0] == AXDR_STRUCTURE) {
        uint8_t tag;
        uint32_t count;
        CHECK(axdr_get_tag(&d, &tag) == 0 && axdr_get_length(&d, &count) == 0);
        memset(out, 0, sizeof(*out));
        out->tag = tag;
        out->count = count;
    } else {
        CHECK(axdr_get_value(&d, out) == 0);
    }
    CHECK(axdr_dec_remaining(&d) == 0);
}

static void check_reencode(const axdr_value_t *v, const uint8_t *orig, size_t orig_len) {
    uint8_t buf[512];
    axdr_enc_t e, m;

    if (orig_len > sizeof(buf)) {
        return;
    }
    axdr_enc_init(&e, buf, sizeof(buf));
    CHECK(axdr_put_value(&e, v) == 0);
    CHECK(e.len > 0 && e.len <= orig_len); /* canonical form is never longer */
    /* Same size means the input was canonical (minimal length fields), so
     * the bytes must be the same, except a boolean byte above 1 and the
     * unused bits of a bit-string, which are normalised. */
    bool normalised = (v->tag == AXDR_BOOLEAN && orig[1] > 1) || v->tag == AXDR_BIT_STRING;
    CHECK(e.len != orig_len || normalised || memcmp(buf, orig, orig_len) == 0);

    axdr_enc_init_measure(&m);
    CHECK(axdr_put_value(&m, v) == 0 && m.len == e.len);

    axdr_value_t w;
    redecode(buf, e.len, &w);
    CHECK(same_value(v, &w));

    /* stable: encoding the re-decoded value gives the same bytes */
    uint8_t again[512];
    axdr_enc_t e2;
    axdr_enc_init(&e2, again, sizeof(again));
    CHECK(axdr_put_value(&e2, &w) == 0 && e2.len == e.len && memcmp(again, buf, e.len) == 0);

    /* one byte short: refused whole, nothing written */
    axdr_enc_init(&e2, again, e.len - 1);
    CHECK(axdr_put_value(&e2, v) == AXDR_ERR_OVERFLOW && e2.len == 0);

    /* a window in the middle holds exactly those bytes */
    if (e.len >= 3) {
        uint8_t win[2];
        axdr_enc_init_window(&e2, win, sizeof(win), 1);
        int rc = axdr_put_value(&e2, v);
        CHECK(e2.len == 2 && memcmp(win, buf + 1, 2) == 0);
        CHECK(rc == (e.len > 3 ? AXDR_ERR_OVERFLOW : 0));
    }
}

/* Typed getters must agree with the generic read of the same element. */
static void check_typed(const uint8_t *p, size_t n, const axdr_value_t *v) {
    axdr_dec_t d;
    axdr_dec_init(&d, p, n);
    switch (v->tag) {
    case AXDR_LONG_UNSIGNED: {
        uint16_t x;
        CHECK(axdr_get_uint16(&d, &x) == 0 && x == v->u);
        break;
    }
    case AXDR_DOUBLE_LONG: {
        int32_t x;
        CHECK(axdr_get_int32(&d, &x) == 0 && x == v->i);
        break;
    }
    case AXDR_LONG64: {
        int64_t x;
        CHECK(axdr_get_int64(&d, &x) == 0 && x == v->i);
        break;
    }
    case AXDR_OCTET_STRING: {
        const uint8_t *s;
        size_t len;
        CHECK(axdr_get_octet_string(&d, &s, &len) == 0 && s == v->p && len == v->len);
        break;
    }
    case AXDR_DATE_TIME: {
        cosem_datetime_t dt;
        CHECK(axdr_get_date_time(&d, &dt) == 0 && same_dt(&dt, &v->dt));
        break;
    }
    default: {
        /* the wrong typed getter refuses without moving */
        uint16_t x;
        if (v->tag != AXDR_LONG_UNSIGNED) {
            CHECK(axdr_get_uint16(&d, &x) == AXDR_ERR_TYPE && d.pos == 0 && x == 0);
        }
        return;
    }
    }
    CHECK(d.pos == n);
}

static void walk_values(const uint8_t *data, size_t size) {
    axdr_dec_t d;
    axdr_dec_init(&d, data, size);
    while (axdr_dec_remaining(&d) > 0) {
        size_t before = d.pos;
        axdr_value_t v;
        if (axdr_get_value(&d, &v) != 0) {
            CHECK(d.pos == before && v.tag == 0 && v.p == NULL);
            return;
        }
        CHECK(d.pos > before && d.pos <= size);
        CHECK(v.len <= size && (v.p == NULL || (v.p >= data && v.p + v.len <= data + size)));
        check_reencode(&v, data + before, d.pos - before);
        if ((v.tag == AXDR_DATE_TIME || v.tag == AXDR_OCTET_STRING) &&
            v.len == COSEM_DATETIME_LEN) {
            check_datetime_bytes(v.p);
        }
        check_typed(data + before, d.pos - before, &v);
    }
}

static void walk_skips(const uint8_t *data, size_t size) {
    size_t consumed = 1234;
    int rc = axdr_validate(data, size, &consumed);
    CHECK(rc <= 0 && (rc == 0 ? consumed > 0 && consumed <= size : consumed == 0));

    axdr_dec_t d;
    axdr_dec_init(&d, data, size);
    int rc2 = axdr_skip(&d);
    CHECK(rc2 == rc && (rc2 != 0 ? d.pos == 0 : d.pos == consumed));
    while (rc2 == 0 && axdr_dec_remaining(&d) > 0) {
        size_t before = d.pos;
        rc2 = axdr_skip(&d);
        CHECK(rc2 == 0 ? d.pos > before : d.pos == before);
    }
}

static int64_t load_i64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    int64_t s;
    memcpy(&s, &v, sizeof(s));
    return s;
}

/* Wire bytes of a date-time: unpack/pack, validity, UTC round trip. */
static void check_datetime_bytes(const uint8_t *data) {
    cosem_datetime_t dt, back;
    uint8_t w[COSEM_DATETIME_LEN];
    cosem_datetime_unpack(data, &dt);
    cosem_datetime_pack(&dt, w);
    CHECK(memcmp(w, data, COSEM_DATETIME_LEN) == 0);

    int64_t utc, utc2;
    bool valid = cosem_datetime_is_valid(&dt);
    int rc = cosem_datetime_to_utc(&dt, &utc);
    CHECK(valid || rc == COSEM_DT_ERR_INVALID);
    if (rc == 0) {
        CHECK(cosem_datetime_from_utc(utc, dt.deviation, dt.clock_status, &back) == 0);
        CHECK(cosem_datetime_is_valid(&back));
        CHECK(back.year == dt.year && back.month == dt.month && back.day == dt.day &&
              back.hour == dt.hour && back.minute == dt.minute && back.second == dt.second);
        CHECK(dt.day_of_week == COSEM_DT_NOT_SPECIFIED || back.day_of_week == dt.day_of_week);
        CHECK(cosem_datetime_to_utc(&back, &utc2) == 0 && utc2 == utc);
        CHECK(cosem_datetime_matches(&dt, &back) ==
              (dt.hundredths == COSEM_DT_NOT_SPECIFIED || dt.hundredths == 0));
    } else {
        CHECK(utc == 0);
    }
    (void)cosem_datetime_matches(&dt, &dt);
    uint8_t day;
    if (cosem_resolve_day(dt.year, dt.month, dt.day, dt.day_of_week, &day) == 0) {
        CHECK(day >= 1 && day <= cosem_days_in_month(dt.year, dt.month));
    }
}

/* Arbitrary instants: either refused or a valid date-time that maps back. */
static void check_instant(const uint8_t *data, size_t size) {
    cosem_datetime_t back;
    int64_t utc2;
    if (size < COSEM_DATETIME_LEN) {
        return;
    }
    int64_t t = load_i64(data) / ((int64_t)1 << (data[8] % 24));
    int16_t dev = (int16_t)((data[9] << 8) | data[10]);
    if (cosem_datetime_from_utc(t, dev, data[11], &back) == 0) {
        CHECK(cosem_datetime_is_valid(&back));
        CHECK(cosem_datetime_to_utc(&back, &utc2) == 0 && utc2 == t);
    } else {
        CHECK(back.year == COSEM_DT_YEAR_NOT_SPECIFIED);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    walk_skips(data, size);
    walk_values(data, size);
    if (size >= COSEM_DATETIME_LEN) {
        check_datetime_bytes(data);
    }
    check_instant(data, size);
    return 0;
}
