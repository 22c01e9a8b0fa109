/*
 * rows.c - profile buffer rows decoded as the blocks arrive, capture
 * objects and the column / entry arguments of `dlms profile` (Profile
 * generic, class 7, attributes 2 and 3; selective access in dlms-facts
 * §1.2).
 */
#include "rows.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlms/axdr.h"
#include "obis_parse.h"

void rows_init(rowstream_t *rs, int (*on_row)(void *, const uint8_t *, size_t),
               int (*on_whole)(void *, const uint8_t *, size_t), void *user) {
    memset(rs, 0, sizeof *rs);
    rs->on_row = on_row;
    rs->on_whole = on_whole;
    rs->user = user;
}

void rows_free(rowstream_t *rs) {
    free(rs->buf);
    rs->buf = NULL;
    rs->len = rs->cap = 0;
}

static int rows_fail(rowstream_t *rs, const char *why) {
    snprintf(rs->err, sizeof rs->err, "profile buffer: %s", why);
    return -1;
}

static int rows_append(rowstream_t *rs, const uint8_t *p, size_t len) {
    if (rs->len + len > ROWS_MAX_PENDING) {
        return rows_fail(rs, "a row longer than the limit");
    }
    if (rs->len + len > rs->cap) {
        size_t cap = rs->cap == 0 ? 4096 : rs->cap;
        while (cap < rs->len + len) {
            cap *= 2;
        }
        uint8_t *b = realloc(rs->buf, cap);
        if (b == NULL) {
            return rows_fail(rs, "out of memory");
        }
        rs->buf = b;
        rs->cap = cap;
    }
    if (len > 0) {
        memcpy(rs->buf + rs->len, p, len);
        rs->len += len;
    }
    return 0;
}

static void rows_consume(rowstream_t *rs, size_t n) {
    memmove(rs->buf, rs->buf + n, rs->len - n);
    rs->len -= n;
}

/* Errors that mean "the element goes on in the next block". */
static bool rows_incomplete(int rc) {
    return rc == AXDR_ERR_TRUNCATED || rc == AXDR_ERR_LENGTH || rc == AXDR_ERR_COUNT;
}

/* The array tag and count, once enough bytes are there. 1: not yet. */
static int rows_header(rowstream_t *rs) {
    axdr_dec_t d;
    uint32_t n = 0;
    axdr_dec_init(&d, rs->buf, rs->len);
    if (rs->len == 0) {
        return 1;
    }
    if (rs->buf[0] != AXDR_ARRAY) {
        rs->header_done = true; /* collected whole, handed over at the end */
        return 0;
    }
    int rc = axdr_get_array(&d, &n);
    if (rc != 0) {
        return rows_incomplete(rc) ? 1 : rows_fail(rs, "bad array header");
    }
    rs->header_done = true;
    rs->is_array = true;
    rs->rows_left = n;
    rows_consume(rs, d.pos);
    return 0;
}

/* Hands out every complete row in the buffer. */
static int rows_drain(rowstream_t *rs) {
    size_t pos = 0;
    int rc = 0;
    while (rs->rows_left > 0 && pos < rs->len) {
        size_t used = 0;
        int v = axdr_validate(rs->buf + pos, rs->len - pos, &used);
        if (v != 0) {
            if (!rows_incomplete(v)) {
                rc = rows_fail(rs, axdr_strerror(v));
            }
            break;
        }
        rc = rs->on_row != NULL ? rs->on_row(rs->user, rs->buf + pos, used) : 0;
        pos += used;
        rs->rows_left--;
        rs->rows++;
        if (rc != 0) {
            break;
        }
    }
    rows_consume(rs, pos);
    return rc;
}

static int rows_finish(rowstream_t *rs) {
    if (!rs->header_done) {
        return rows_fail(rs, "empty");
    }
    if (!rs->is_array) {
        size_t used = 0;
        if (axdr_validate(rs->buf, rs->len, &used) != 0 || used != rs->len) {
            return rows_fail(rs, "not one well-formed value");
        }
        return rs->on_whole != NULL ? rs->on_whole(rs->user, rs->buf, rs->len) : 0;
    }
    if (rs->rows_left != 0) {
        return rows_fail(rs, "ends inside a row");
    }
    return rs->len == 0 ? 0 : rows_fail(rs, "bytes after the last row");
}

int rows_feed(rowstream_t *rs, const uint8_t *p, size_t len, bool last) {
    int rc = rows_append(rs, p, len);
    if (rc == 0 && !rs->header_done) {
        rc = rows_header(rs);
        rc = rc == 1 ? 0 : rc;
    }
    if (rc == 0 && rs->is_array) {
        rc = rows_drain(rs);
    }
    if (rc == 0 && last) {
        rc = rows_finish(rs);
    }
    return rc;
}

int rows_capture_objects(const uint8_t *p, size_t len, dlms_capture_object_t *out, size_t cap,
                         size_t *n) {
    axdr_dec_t d;
    uint32_t count = 0;
    *n = 0;
    axdr_dec_init(&d, p, len);
    if (axdr_get_array(&d, &count) != 0) {
        return -1;
    }
    for (uint32_t i = 0; i < count; i++) {
        dlms_capture_object_t co;
        if (dlms_capture_object_get(&d, &co) != 0) {
            return -1;
        }
        if (*n < cap) {
            out[(*n)++] = co;
        }
    }
    return axdr_dec_remaining(&d) == 0 ? 0 : -1;
}

void rows_column_name(const dlms_capture_object_t *co, bool iec, char *out, size_t cap) {
    char name[OBIS_STR_MAX];
    if (iec) {
        obis_format_iec(co->logical_name, name);
    } else {
        obis_format(co->logical_name, name);
    }
    if (co->data_index != 0) {
        snprintf(out, cap, "%s:%d:%u", name, co->attribute_index, co->data_index);
    } else {
        snprintf(out, cap, "%s:%d", name, co->attribute_index);
    }
}

static int rows_err(char *err, size_t errlen, const char *item, const char *why) {
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "--columns '%s': %s", item, why);
    }
    return -1;
}

/* "N" or "N-M" of column numbers. */
static int rows_number_item(const char *item, size_t ncaps, unsigned *lo, unsigned *hi) {
    char *end = NULL;
    unsigned long a = strtoul(item, &end, 10);
    unsigned long b = a;
    if (end == item) {
        return -1;
    }
    if (*end == '-') {
        const char *s = end + 1;
        b = strtoul(s, &end, 10);
        if (end == s) {
            return -1;
        }
    }
    if (*end != '\0' || a == 0 || b < a || b > ncaps) {
        return -2;
    }
    *lo = (unsigned)a;
    *hi = (unsigned)b;
    return 0;
}

/* OBIS[:ATTR]: the first capture object with that name (and attribute). */
static int rows_obis_item(const char *item, const dlms_capture_object_t *caps, size_t ncaps,
                          unsigned *index, char *err, size_t errlen) {
    char name[64];
    snprintf(name, sizeof name, "%s", item);
    long attr = -1;
    char *colon = strrchr(name, ':');
    /* A-B:C.D.E*F has a colon too: an attribute is a number after the last colon
     * that is not followed by a dot. */
    if (colon != NULL && strchr(colon, '.') == NULL) {
        attr = strtol(colon + 1, NULL, 10);
        *colon = '\0';
    }
    uint8_t obis[6];
    char why[160];
    if (obis_parse(name, obis, why, sizeof why) != 0) {
        return rows_err(err, errlen, item, why);
    }
    for (size_t i = 0; i < ncaps; i++) {
        if (memcmp(caps[i].logical_name, obis, 6) == 0 &&
            (attr < 0 || caps[i].attribute_index == attr)) {
            *index = (unsigned)i;
            return 0;
        }
    }
    return rows_err(err, errlen, item, "no such capture object in this profile");
}

int rows_columns_parse(const char *spec, const dlms_capture_object_t *caps, size_t ncaps,
                       unsigned *idx, size_t cap, char *err, size_t errlen) {
    char buf[1024];
    size_t n = 0;
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *save = NULL, *item = strtok_r(buf, ",", &save); item != NULL;
         item = strtok_r(NULL, ",", &save)) {
        unsigned lo = 0, hi = 0;
        int kind = isdigit((unsigned char)item[0]) && strchr(item, '.') == NULL &&
                           strchr(item, ':') == NULL
                       ? rows_number_item(item, ncaps, &lo, &hi)
                       : -1;
        if (kind == -2) {
            return rows_err(err, errlen, item, "column number out of range");
        }
        if (kind == -1) {
            if (rows_obis_item(item, caps, ncaps, &lo, err, errlen) != 0) {
                return -1;
            }
            hi = ++lo;
        }
        for (unsigned c = lo; c <= hi; c++) {
            if (n == cap) {
                return rows_err(err, errlen, item, "too many columns");
            }
            idx[n++] = c - 1;
        }
    }
    if (n == 0) {
        return rows_err(err, errlen, spec, "no column");
    }
    return (int)n;
}

int rows_entries_parse(const char *spec, uint32_t *from, uint32_t *to, char *err, size_t errlen) {
    char *end = NULL;
    const char *s = spec;
    unsigned long a = 1, b = 0;
    if (*s != '-') {
        a = strtoul(s, &end, 10);
        if (end == s) {
            goto bad;
        }
        s = end;
        b = a;
    }
    if (*s == '-') {
        s++;
        b = 0;
        if (*s != '\0') {
            b = strtoul(s, &end, 10);
            if (end == s) {
                goto bad;
            }
            s = end;
        }
    }
    if (*s != '\0' || a == 0 || a > UINT32_MAX || b > UINT32_MAX || (b != 0 && b < a)) {
        goto bad;
    }
    *from = (uint32_t)a;
    *to = (uint32_t)b;
    return 0;
bad:
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "--entries '%s': expected A-B, A-, -B or A (entries count from 1)",
                 spec);
    }
    return -1;
}
