/*
 * value_parse.c - the dlms tool's typed value syntax to A-XDR (grammar in
 * value_parse.h and docs/dlms-cli.md; A-XDR Data types of IEC 62056-6-2,
 * dlms-facts §1.3; date-time layout of Blue Book 4.1.6.1, datetime.h).
 *
 * A small recursive-descent parser over the argument string. Each value is
 * "type:literal" or a container "struct(...)" / "array(...)"; the literal
 * ends at the end of the string at the top level and at an unquoted ',' or
 * ')' inside a container. Nesting is bounded by EM_AXDR_MAX_DEPTH, as the
 * decoder on the other side bounds it.
 */
#include "value_parse.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlms/security.h"
#include "obis_parse.h"

/* Longest string literal accepted (an octet string written in hex is half). */
#define VP_MAX_LITERAL 4096

/* The KEK of wkey: values (the tool's --kek); the tool is single-threaded. */
static uint8_t vp_kek[DLMS_SEC_KEY_LEN];
static bool vp_have_kek;

void value_parse_set_kek(const uint8_t kek[16]) {
    memcpy(vp_kek, kek, sizeof vp_kek);
    vp_have_kek = true;
}

typedef struct vp {
    const char *start; /* the whole argument, for positions in messages */
    const char *p;     /* next character */
    axdr_enc_t *e;
    char *err;
    size_t errlen;
} vp_t;

static int vp_fail(vp_t *v, const char *why) {
    if (v->err != NULL && v->errlen > 0 && v->err[0] == '\0') {
        snprintf(v->err, v->errlen, "value: at %ld: %s", (long)(v->p - v->start) + 1, why);
    }
    return -1;
}

/* ---- hex and literals ----------------------------------------------------- */

static int vp_hex_digit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

long hex_parse(const char *s, uint8_t *out, size_t cap) {
    size_t n = 0;
    int hi = -1;
    for (; *s != '\0'; s++) {
        if ((*s == ':' || *s == '-' || *s == ' ') && hi < 0) {
            continue;
        }
        int d = vp_hex_digit(*s);
        if (d < 0) {
            return -1;
        }
        if (hi < 0) {
            hi = d;
            continue;
        }
        if (n == cap) {
            return -1;
        }
        out[n++] = (uint8_t)(hi << 4 | d);
        hi = -1;
    }
    return hi < 0 ? (long)n : -1;
}

/* One escape after a backslash in a quoted literal. */
static int vp_escape(vp_t *v, char *out) {
    char c = *v->p++;
    switch (c) {
    case 'n':
        *out = '\n';
        return 0;
    case 't':
        *out = '\t';
        return 0;
    case '"':
    case '\\':
        *out = c;
        return 0;
    case 'x': {
        int hi = vp_hex_digit(v->p[0]);
        int lo = hi < 0 ? -1 : vp_hex_digit(v->p[1]);
        if (lo < 0) {
            return vp_fail(v, "\\x needs two hex digits");
        }
        v->p += 2;
        *out = (char)(hi << 4 | lo);
        return 0;
    }
    default:
        return vp_fail(v, "unknown escape (use \\\" \\\\ \\n \\t \\xHH)");
    }
}

/* The literal after "type:". *quoted says whether it was "...". buf gets
 * NUL-terminated text of length *len (may contain NUL bytes when quoted). */
static int vp_literal(vp_t *v, int depth, char *buf, size_t *len, bool *quoted) {
    size_t n = 0;
    *quoted = *v->p == '"';
    if (*quoted) {
        v->p++;
        while (*v->p != '"') {
            if (*v->p == '\0') {
                return vp_fail(v, "unterminated \"");
            }
            char c = *v->p++;
            if (c == '\\' && vp_escape(v, &c) != 0) {
                return -1;
            }
            if (n + 1 >= VP_MAX_LITERAL) {
                return vp_fail(v, "literal too long");
            }
            buf[n++] = c;
        }
        v->p++;
    } else {
        while (*v->p != '\0' && (depth == 0 || (*v->p != ',' && *v->p != ')'))) {
            if (n + 1 >= VP_MAX_LITERAL) {
                return vp_fail(v, "literal too long");
            }
            buf[n++] = *v->p++;
        }
        /* "struct( u8:1 , ...)": spaces around a value are layout. */
        while (depth > 0 && n > 0 && isspace((unsigned char)buf[n - 1])) {
            n--;
        }
    }
    buf[n] = '\0';
    *len = n;
    return 0;
}

/* ---- numbers ------------------------------------------------------------------ */

/* Decimal, or hex with 0x; never octal (a leading 0 means nothing). */
static int vp_base(const char *s) {
    if (*s == '-' || *s == '+') {
        s++;
    }
    return s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10;
}

static int vp_signed(vp_t *v, const char *s, long long min, long long max, long long *out) {
    char *end = NULL;
    errno = 0;
    long long x = strtoll(s, &end, vp_base(s));
    if (*s == '\0' || end == s || *end != '\0') {
        return vp_fail(v, "not an integer");
    }
    if (errno == ERANGE || x < min || x > max) {
        char why[96];
        snprintf(why, sizeof why, "out of range %lld..%lld", min, max);
        return vp_fail(v, why);
    }
    *out = x;
    return 0;
}

static int vp_unsigned(vp_t *v, const char *s, unsigned long long max, unsigned long long *out) {
    char *end = NULL;
    errno = 0;
    if (*s == '-') {
        return vp_fail(v, "unsigned type cannot be negative");
    }
    unsigned long long x = strtoull(s, &end, vp_base(s));
    if (*s == '\0' || end == s || *end != '\0') {
        return vp_fail(v, "not an integer");
    }
    if (errno == ERANGE || x > max) {
        char why[64];
        snprintf(why, sizeof why, "out of range 0..%llu", max);
        return vp_fail(v, why);
    }
    *out = x;
    return 0;
}

static int vp_float(vp_t *v, const char *s, double *out) {
    char *end = NULL;
    *out = strtod(s, &end);
    if (*s == '\0' || end == s || *end != '\0') {
        return vp_fail(v, "not a number");
    }
    return 0;
}

/* ---- date and time ------------------------------------------------------------- */

/* A field of `digits` digits, or '*' for "not specified" (unspec). */
static int dt_field(const char **p, int digits, unsigned unspec, unsigned max, unsigned *out) {
    if (**p == '*') {
        (*p)++;
        *out = unspec;
        return 0;
    }
    unsigned v = 0;
    for (int i = 0; i < digits; i++) {
        if (!isdigit((unsigned char)**p)) {
            return -1;
        }
        v = v * 10u + (unsigned)(*(*p)++ - '0');
    }
    if (v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

static int dt_fail(char *err, size_t errlen, const char *text, const char *why) {
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "date-time '%s': %s", text, why);
    }
    return -1;
}

/* The host's local time: deviation from the C library's UTC offset. */
static int dt_now(cosem_datetime_t *dt) {
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm) == NULL) {
        return -1;
    }
    long dev = -tm.tm_gmtoff / 60;
    uint8_t status = tm.tm_isdst > 0 ? COSEM_CLOCK_STATUS_DST_ACTIVE : 0;
    return cosem_datetime_from_utc((int64_t)now, (int16_t)dev, status, dt);
}

static int dt_time_part(const char **p, cosem_datetime_t *dt) {
    unsigned h = 0, mi = 0, s = 0, hs = 0;
    if (dt_field(p, 2, 0xFF, 23, &h) != 0 || *(*p)++ != ':' || dt_field(p, 2, 0xFF, 59, &mi) != 0) {
        return -1;
    }
    if (**p == ':') {
        (*p)++;
        if (dt_field(p, 2, 0xFF, 59, &s) != 0) {
            return -1;
        }
        if (**p == '.') {
            (*p)++;
            if (dt_field(p, 2, 0xFF, 99, &hs) != 0) {
                return -1;
            }
        }
    }
    dt->hour = (uint8_t)h;
    dt->minute = (uint8_t)mi;
    dt->second = (uint8_t)s;
    dt->hundredths = (uint8_t)hs;
    return 0;
}

/* Z, +HH:MM, -HH:MM, +HHMM: the ISO offset turned into a deviation. */
static int dt_zone(const char **p, cosem_datetime_t *dt) {
    if (**p == 'Z') {
        (*p)++;
        dt->deviation = 0;
        return 0;
    }
    if (**p != '+' && **p != '-') {
        return 0;
    }
    int sign = *(*p)++ == '+' ? 1 : -1;
    unsigned h = 0, m = 0;
    if (dt_field(p, 2, 100, 14, &h) != 0 || h == 100) {
        return -1;
    }
    if (**p == ':') {
        (*p)++;
    }
    if (dt_field(p, 2, 100, 59, &m) != 0 || m == 100) {
        return -1;
    }
    int offset = sign * (int)(h * 60 + m);
    if (offset > COSEM_DT_DEVIATION_MAX || offset < -COSEM_DT_DEVIATION_MAX) {
        return -1;
    }
    dt->deviation = (int16_t)-offset; /* COSEM: minutes from local time to UTC */
    return 0;
}

static int dt_status(const char **p, cosem_datetime_t *dt) {
    if (**p != '/') {
        return 0;
    }
    (*p)++;
    int hi = vp_hex_digit((*p)[0]);
    int lo = hi < 0 ? -1 : vp_hex_digit((*p)[1]);
    if (lo < 0) {
        return -1;
    }
    *p += 2;
    dt->clock_status = (uint8_t)(hi << 4 | lo);
    return 0;
}

int datetime_parse(const char *text, cosem_datetime_t *dt, char *err, size_t errlen) {
    cosem_datetime_set_unspecified(dt);
    if (strcmp(text, "*") == 0) {
        return 0;
    }
    if (strcmp(text, "now") == 0) {
        return dt_now(dt) == 0 ? 0 : dt_fail(err, errlen, text, "no local time");
    }
    const char *p = text;
    unsigned y = 0, mo = 0, d = 0;
    if (dt_field(&p, 4, COSEM_DT_YEAR_NOT_SPECIFIED, 9999, &y) != 0 || *p++ != '-' ||
        dt_field(&p, 2, 0xFF, 12, &mo) != 0 || *p++ != '-' || dt_field(&p, 2, 0xFF, 31, &d) != 0) {
        return dt_fail(err, errlen, text, "expected YYYY-MM-DD (or * per field)");
    }
    dt->year = (uint16_t)y;
    dt->month = (uint8_t)mo;
    dt->day = (uint8_t)d;
    dt->hour = dt->minute = dt->second = dt->hundredths = 0;
    if ((*p == 'T' || *p == ' ') && (p++, dt_time_part(&p, dt) != 0)) {
        return dt_fail(err, errlen, text, "expected THH:MM[:SS[.hh]]");
    }
    dt->clock_status = 0;
    if (dt_zone(&p, dt) != 0) {
        return dt_fail(err, errlen, text, "zone must be Z or +HH:MM / -HH:MM up to 12:00");
    }
    if (dt_status(&p, dt) != 0 || *p != '\0') {
        return dt_fail(err, errlen, text, "trailing characters (status is /HH in hex)");
    }
    if (y != COSEM_DT_YEAR_NOT_SPECIFIED && mo != 0xFF && d != 0xFF) {
        dt->day_of_week = cosem_day_of_week(dt->year, dt->month, dt->day);
        if (dt->day_of_week == 0) {
            return dt_fail(err, errlen, text, "no such day");
        }
    }
    if (mo == 0 || d == 0 || !cosem_datetime_is_valid(dt)) {
        return dt_fail(err, errlen, text, "field out of range");
    }
    return 0;
}

/* dt:/date:/time: and their tagged forms. */
static int vp_put_datetime(vp_t *v, const char *type, const char *lit) {
    cosem_datetime_t dt;
    char why[160] = "";
    bool is_date = strcmp(type, "date") == 0 || strcmp(type, "tdate") == 0;
    bool is_time = strcmp(type, "time") == 0 || strcmp(type, "ttime") == 0;
    bool tagged = type[0] == 't' && strcmp(type, "time") != 0;
    char full[64];
    size_t n = strlen(lit);
    /* The longest date-time is 34 characters; a lone time gets 6 in front. */
    if (n > sizeof full - 8) {
        return vp_fail(v, "date-time too long");
    }
    /* A lone time is read through the date-time parser. */
    memcpy(full, "*-*-*T", is_time ? 6 : 0);
    memcpy(full + (is_time ? 6 : 0), lit, n + 1);
    if (datetime_parse(full, &dt, why, sizeof why) != 0) {
        return vp_fail(v, why);
    }
    if (is_date) {
        cosem_date_t d = {dt.year, dt.month, dt.day, dt.day_of_week};
        return tagged ? axdr_put_date(v->e, &d) : axdr_put_date_os(v->e, &d);
    }
    if (is_time) {
        cosem_time_t t = {dt.hour, dt.minute, dt.second, dt.hundredths};
        return tagged ? axdr_put_time(v->e, &t) : axdr_put_time_os(v->e, &t);
    }
    return tagged ? axdr_put_date_time(v->e, &dt) : axdr_put_date_time_os(v->e, &dt);
}

/* ---- types ----------------------------------------------------------------------- */

typedef enum vp_kind {
    VP_INT,
    VP_UINT,
    VP_BOOL,
    VP_ENUM,
    VP_BCD,
    VP_FLOAT,
    VP_OCTETS,
    VP_VISIBLE,
    VP_UTF8,
    VP_BITS,
    VP_OBIS,
    VP_DATETIME,
    VP_WRAPKEY,
} vp_kind_t;

typedef struct vp_type {
    const char *name;  /* short prefix */
    const char *alias; /* Green Book type name */
    vp_kind_t kind;
    uint8_t tag;
} vp_type_t;

static const vp_type_t vp_types[] = {
    {"i8", "integer", VP_INT, AXDR_INTEGER},
    {"i16", "long", VP_INT, AXDR_LONG},
    {"i32", "double-long", VP_INT, AXDR_DOUBLE_LONG},
    {"i64", "long64", VP_INT, AXDR_LONG64},
    {"u8", "unsigned", VP_UINT, AXDR_UNSIGNED},
    {"u16", "long-unsigned", VP_UINT, AXDR_LONG_UNSIGNED},
    {"u32", "double-long-unsigned", VP_UINT, AXDR_DOUBLE_LONG_UNSIGNED},
    {"u64", "long64-unsigned", VP_UINT, AXDR_LONG64_UNSIGNED},
    {"bool", "boolean", VP_BOOL, AXDR_BOOLEAN},
    {"enum", "enum", VP_ENUM, AXDR_ENUM},
    {"bcd", "bcd", VP_BCD, AXDR_BCD},
    {"f32", "float32", VP_FLOAT, AXDR_FLOAT32},
    {"f64", "float64", VP_FLOAT, AXDR_FLOAT64},
    {"os", "octet-string", VP_OCTETS, AXDR_OCTET_STRING},
    {"vs", "visible-string", VP_VISIBLE, AXDR_VISIBLE_STRING},
    {"utf8", "utf8-string", VP_UTF8, AXDR_UTF8_STRING},
    {"bs", "bit-string", VP_BITS, AXDR_BIT_STRING},
    {"obis", "logical-name", VP_OBIS, AXDR_OCTET_STRING},
    {"dt", "date-time-os", VP_DATETIME, AXDR_OCTET_STRING},
    {"date", "date-os", VP_DATETIME, AXDR_OCTET_STRING},
    {"time", "time-os", VP_DATETIME, AXDR_OCTET_STRING},
    {"tdt", "date-time", VP_DATETIME, AXDR_DATE_TIME},
    {"tdate", "date", VP_DATETIME, AXDR_DATE},
    {"ttime", "time", VP_DATETIME, AXDR_TIME},
    {"wkey", "wrapped-key", VP_WRAPKEY, AXDR_OCTET_STRING},
};

static const vp_type_t *vp_find_type(const char *name) {
    for (size_t i = 0; i < sizeof vp_types / sizeof vp_types[0]; i++) {
        if (strcmp(name, vp_types[i].name) == 0 || strcmp(name, vp_types[i].alias) == 0) {
            return &vp_types[i];
        }
    }
    return NULL;
}

static int vp_put_int(vp_t *v, uint8_t tag, const char *lit) {
    static const long long lim[] = {INT8_MAX, INT16_MAX, INT32_MAX, INT64_MAX};
    int k = tag == AXDR_INTEGER ? 0 : tag == AXDR_LONG ? 1 : tag == AXDR_DOUBLE_LONG ? 2 : 3;
    long long x = 0;
    if (vp_signed(v, lit, -lim[k] - 1, lim[k], &x) != 0) {
        return -1;
    }
    switch (tag) {
    case AXDR_INTEGER:
        return axdr_put_int8(v->e, (int8_t)x);
    case AXDR_LONG:
        return axdr_put_int16(v->e, (int16_t)x);
    case AXDR_DOUBLE_LONG:
        return axdr_put_int32(v->e, (int32_t)x);
    default:
        return axdr_put_int64(v->e, (int64_t)x);
    }
}

static int vp_put_uint(vp_t *v, uint8_t tag, const char *lit) {
    unsigned long long max = tag == AXDR_UNSIGNED               ? UINT8_MAX
                             : tag == AXDR_LONG_UNSIGNED        ? UINT16_MAX
                             : tag == AXDR_DOUBLE_LONG_UNSIGNED ? UINT32_MAX
                                                                : UINT64_MAX;
    unsigned long long x = 0;
    if (vp_unsigned(v, lit, max, &x) != 0) {
        return -1;
    }
    switch (tag) {
    case AXDR_UNSIGNED:
        return axdr_put_uint8(v->e, (uint8_t)x);
    case AXDR_LONG_UNSIGNED:
        return axdr_put_uint16(v->e, (uint16_t)x);
    case AXDR_DOUBLE_LONG_UNSIGNED:
        return axdr_put_uint32(v->e, (uint32_t)x);
    default:
        return axdr_put_uint64(v->e, (uint64_t)x);
    }
}

static int vp_put_bits(vp_t *v, const char *lit, size_t n) {
    uint8_t bits[VP_MAX_LITERAL / 8 + 1];
    memset(bits, 0, sizeof bits);
    for (size_t i = 0; i < n; i++) {
        if (lit[i] != '0' && lit[i] != '1') {
            return vp_fail(v, "bit-string takes 0 and 1 only");
        }
        if (lit[i] == '1') {
            bits[i / 8] |= (uint8_t)(0x80u >> (i % 8));
        }
    }
    return axdr_put_bit_string(v->e, bits, n);
}

static int vp_put_octets(vp_t *v, const char *lit, size_t n, bool quoted) {
    if (quoted) {
        return axdr_put_octet_string(v->e, (const uint8_t *)lit, n);
    }
    uint8_t bytes[VP_MAX_LITERAL / 2];
    long len = hex_parse(lit, bytes, sizeof bytes);
    if (len < 0) {
        return vp_fail(v, "octet-string takes hex digits (or a \"quoted\" text)");
    }
    return axdr_put_octet_string(v->e, bytes, (size_t)len);
}

static int vp_put_small(vp_t *v, const vp_type_t *t, const char *lit) {
    unsigned long long x = 0;
    if (t->kind == VP_BOOL) {
        if (strcmp(lit, "true") == 0 || strcmp(lit, "1") == 0) {
            return axdr_put_boolean(v->e, true);
        }
        if (strcmp(lit, "false") == 0 || strcmp(lit, "0") == 0) {
            return axdr_put_boolean(v->e, false);
        }
        return vp_fail(v, "boolean is true or false");
    }
    if (vp_unsigned(v, lit, UINT8_MAX, &x) != 0) {
        return -1;
    }
    return t->kind == VP_ENUM ? axdr_put_enum(v->e, (uint8_t)x) : axdr_put_bcd(v->e, (uint8_t)x);
}

static int vp_put_float(vp_t *v, uint8_t tag, const char *lit) {
    double x = 0;
    if (vp_float(v, lit, &x) != 0) {
        return -1;
    }
    if (tag == AXDR_FLOAT32) {
        return axdr_put_float32(v->e, (float)x);
    }
    return axdr_put_float64(v->e, x);
}

static int vp_put_obis(vp_t *v, const char *lit) {
    uint8_t obis[6];
    char why[160];
    if (obis_parse(lit, obis, why, sizeof why) != 0) {
        return vp_fail(v, why);
    }
    return axdr_put_octet_string(v->e, obis, sizeof obis);
}

/* A new key for key_transfer, wrapped under the KEK (RFC 3394). */
static int vp_put_wrapped_key(vp_t *v, const char *lit) {
    uint8_t key[DLMS_SEC_KEY_LEN];
    uint8_t wrapped[DLMS_SEC_WRAPPED_KEY_LEN];
    dlms_sec_keys_t keys;
    if (!vp_have_kek) {
        return vp_fail(v, "wkey: needs the key encryption key (--kek)");
    }
    if (hex_parse(lit, key, sizeof key) != (long)sizeof key) {
        return vp_fail(v, "wkey: takes a 16-byte key in hex");
    }
    memset(&keys, 0, sizeof keys);
    memcpy(keys.kek, vp_kek, sizeof keys.kek);
    int rc = dlms_sec_key_wrap(&keys, key, wrapped);
    memset(key, 0, sizeof key);
    memset(&keys, 0, sizeof keys);
    if (rc != 0) {
        return vp_fail(v, dlms_security_strerror(rc));
    }
    return axdr_put_octet_string(v->e, wrapped, sizeof wrapped);
}

/* type:literal, with the type already read. */
static int vp_scalar(vp_t *v, const vp_type_t *t, int depth) {
    static char lit[VP_MAX_LITERAL];
    size_t n = 0;
    bool quoted = false;
    if (vp_literal(v, depth, lit, &n, &quoted) != 0) {
        return -1;
    }
    switch (t->kind) {
    case VP_INT:
        return vp_put_int(v, t->tag, lit);
    case VP_UINT:
        return vp_put_uint(v, t->tag, lit);
    case VP_BOOL:
    case VP_ENUM:
    case VP_BCD:
        return vp_put_small(v, t, lit);
    case VP_FLOAT:
        return vp_put_float(v, t->tag, lit);
    case VP_OCTETS:
        return vp_put_octets(v, lit, n, quoted);
    case VP_VISIBLE:
        return axdr_put_visible_string(v->e, lit, n);
    case VP_UTF8:
        return axdr_put_utf8_string(v->e, (const uint8_t *)lit, n);
    case VP_BITS:
        return vp_put_bits(v, lit, n);
    case VP_OBIS:
        return vp_put_obis(v, lit);
    case VP_WRAPKEY:
        return vp_put_wrapped_key(v, lit);
    default:
        return vp_put_datetime(v, t->name, lit);
    }
}

static int vp_value(vp_t *v, int depth);

/* struct( / array( already read: the elements up to ')'. The count goes
 * first on the wire, so the elements are encoded into a scratch encoder and
 * copied after the header. */
static int vp_container(vp_t *v, bool is_struct, int depth) {
    if (depth >= EM_AXDR_MAX_DEPTH) {
        return vp_fail(v, "nested too deep");
    }
    axdr_enc_t *outer = v->e;
    uint8_t *scratch = malloc(65536);
    if (scratch == NULL) {
        return vp_fail(v, "out of memory");
    }
    axdr_enc_t inner;
    axdr_enc_init(&inner, scratch, 65536);
    v->e = &inner;
    uint32_t count = 0;
    int rc = 0;
    while (*v->p != ')' && rc == 0) {
        if (*v->p == '\0') {
            rc = vp_fail(v, "missing ')'");
            break;
        }
        rc = vp_value(v, depth + 1);
        count++;
        while (rc == 0 && isspace((unsigned char)*v->p)) {
            v->p++;
        }
        if (rc == 0 && *v->p == ',') {
            v->p++;
            if (*v->p == ')') {
                rc = vp_fail(v, "value expected after ','");
            }
        } else if (rc == 0 && *v->p != ')') {
            rc = vp_fail(v, *v->p == '\0' ? "missing ')'" : "expected ',' or ')'");
        }
    }
    v->e = outer;
    if (rc == 0 && inner.err != 0) {
        rc = vp_fail(v, "value too long");
    }
    if (rc == 0) {
        v->p++; /* ')' */
        if (is_struct) {
            axdr_put_structure(v->e, count);
        } else {
            axdr_put_array(v->e, count);
        }
        rc = axdr_put_raw(v->e, scratch, inner.len) == 0 ? 0 : vp_fail(v, "value too long");
    }
    free(scratch);
    return rc;
}

static int vp_value(vp_t *v, int depth) {
    while (isspace((unsigned char)*v->p)) {
        v->p++;
    }
    if (strncmp(v->p, "null", 4) == 0 && (v->p[4] == '\0' || v->p[4] == ',' || v->p[4] == ')')) {
        v->p += 4;
        return axdr_put_null(v->e);
    }
    if (strncmp(v->p, "struct(", 7) == 0 || strncmp(v->p, "structure(", 10) == 0) {
        v->p = strchr(v->p, '(') + 1;
        return vp_container(v, true, depth);
    }
    if (strncmp(v->p, "array(", 6) == 0) {
        v->p += 6;
        return vp_container(v, false, depth);
    }
    const char *colon = strchr(v->p, ':');
    char name[32];
    size_t nlen = colon != NULL ? (size_t)(colon - v->p) : 0;
    if (colon == NULL || nlen == 0 || nlen >= sizeof name) {
        return vp_fail(v, "expected type:value, null, struct(...) or array(...)");
    }
    memcpy(name, v->p, nlen);
    name[nlen] = '\0';
    const vp_type_t *t = vp_find_type(name);
    if (t == NULL) {
        return vp_fail(v, "unknown type (u8 u16 u32 u64 i8 i16 i32 i64 bool enum bcd f32 f64 os "
                          "vs utf8 bs obis dt date time tdt tdate ttime wkey)");
    }
    v->p = colon + 1;
    return vp_scalar(v, t, depth);
}

int value_parse(const char *text, axdr_enc_t *e, char *err, size_t errlen) {
    if (err != NULL && errlen > 0) {
        err[0] = '\0';
    }
    vp_t v = {text, text, e, err, errlen};
    if (text == NULL || e == NULL) {
        return -1;
    }
    int rc = vp_value(&v, 0);
    while (rc == 0 && isspace((unsigned char)*v.p)) {
        v.p++;
    }
    if (rc == 0 && *v.p != '\0') {
        rc = vp_fail(&v, "unexpected characters after the value");
    }
    if (rc == 0 && e->err != 0) {
        rc = vp_fail(&v, axdr_strerror(e->err));
    }
    return rc == 0 ? 0 : -1;
}
