/*
 * format.c - printing A-XDR Data (IEC 62056-6-2, tags in dlms-facts §1.3)
 * as text, JSON, the typed value syntax and CSV cells for the dlms tool.
 * Date-time layout and clock status bits: Blue Book 4.1.6.1 (datetime.h).
 *
 * The walker decodes with lib/dlms/axdr (bounded, never past the input)
 * and recurses once per array/structure level; the decoder has already
 * refused nesting deeper than EM_AXDR_MAX_DEPTH when the caller validated
 * the value, and fmt_value() validates it first.
 */
#include "format.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value_parse.h"

/* ---- sbuf ------------------------------------------------------------------------- */

void sb_init(sbuf_t *sb) {
    memset(sb, 0, sizeof *sb);
}

void sb_free(sbuf_t *sb) {
    free(sb->p);
    sb_init(sb);
}

void sb_reset(sbuf_t *sb) {
    sb->len = 0;
    if (sb->p != NULL) {
        sb->p[0] = '\0';
    }
}

static void sb_reserve(sbuf_t *sb, size_t more) {
    if (sb->len + more + 1 <= sb->cap) {
        return;
    }
    size_t cap = sb->cap == 0 ? 256 : sb->cap;
    while (cap < sb->len + more + 1) {
        cap *= 2;
    }
    char *p = realloc(sb->p, cap);
    if (p == NULL) {
        fputs("dlms: out of memory\n", stderr);
        exit(1);
    }
    sb->p = p;
    sb->cap = cap;
}

void sb_putc(sbuf_t *sb, char c) {
    sb_reserve(sb, 1);
    sb->p[sb->len++] = c;
    sb->p[sb->len] = '\0';
}

void sb_puts(sbuf_t *sb, const char *s) {
    size_t n = strlen(s);
    sb_reserve(sb, n);
    memcpy(sb->p + sb->len, s, n + 1);
    sb->len += n;
}

void sb_printf(sbuf_t *sb, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) {
        return;
    }
    sb_reserve(sb, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(sb->p + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

const char *sb_str(const sbuf_t *sb) {
    return sb->p != NULL ? sb->p : "";
}

/* ---- small pieces -------------------------------------------------------------------- */

void fmt_hex(sbuf_t *sb, const uint8_t *p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    sb_reserve(sb, 2 * n);
    for (size_t i = 0; i < n; i++) {
        sb->p[sb->len++] = digits[p[i] >> 4];
        sb->p[sb->len++] = digits[p[i] & 15];
    }
    sb->p[sb->len] = '\0';
}

void fmt_json_string(sbuf_t *sb, const char *s, size_t n) {
    sb_putc(sb, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            sb_putc(sb, '\\');
            sb_putc(sb, (char)c);
        } else if (c < 0x20 || c == 0x7F) {
            sb_printf(sb, "\\u%04x", c);
        } else {
            sb_putc(sb, (char)c);
        }
    }
    sb_putc(sb, '"');
}

void fmt_csv_cell(sbuf_t *sb, const char *s) {
    if (strpbrk(s, ",\"\r\n") == NULL) {
        sb_puts(sb, s);
        return;
    }
    sb_putc(sb, '"');
    for (; *s != '\0'; s++) {
        if (*s == '"') {
            sb_putc(sb, '"');
        }
        sb_putc(sb, *s);
    }
    sb_putc(sb, '"');
}

/* Text in the typed syntax's quotes, escaping what the parser unescapes. */
static void fmt_quoted(sbuf_t *sb, const uint8_t *p, size_t n) {
    sb_putc(sb, '"');
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\') {
            sb_putc(sb, '\\');
            sb_putc(sb, (char)c);
        } else if (c == '\n') {
            sb_puts(sb, "\\n");
        } else if (c == '\t') {
            sb_puts(sb, "\\t");
        } else if (c < 0x20 || c >= 0x7F) {
            sb_printf(sb, "\\x%02x", c);
        } else {
            sb_putc(sb, (char)c);
        }
    }
    sb_putc(sb, '"');
}

static bool fmt_printable(const uint8_t *p, size_t n) {
    if (n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x20 || p[i] > 0x7E) {
            return false;
        }
    }
    return true;
}

/* ---- date and time ----------------------------------------------------------------- */

static void fmt_2(sbuf_t *sb, uint8_t v) {
    if (v == COSEM_DT_NOT_SPECIFIED) {
        sb_putc(sb, '*');
    } else {
        sb_printf(sb, "%02u", v);
    }
}

static void fmt_date_part(sbuf_t *sb, uint16_t year, uint8_t month, uint8_t day) {
    if (year == COSEM_DT_YEAR_NOT_SPECIFIED) {
        sb_putc(sb, '*');
    } else {
        sb_printf(sb, "%04u", year);
    }
    sb_putc(sb, '-');
    fmt_2(sb, month);
    sb_putc(sb, '-');
    fmt_2(sb, day);
}

static void fmt_time_part(sbuf_t *sb, uint8_t h, uint8_t m, uint8_t s, uint8_t hs) {
    fmt_2(sb, h);
    sb_putc(sb, ':');
    fmt_2(sb, m);
    sb_putc(sb, ':');
    fmt_2(sb, s);
    if (hs != COSEM_DT_NOT_SPECIFIED && hs != 0) {
        sb_printf(sb, ".%02u", hs);
    }
}

void fmt_datetime_iso(sbuf_t *sb, const cosem_datetime_t *dt) {
    fmt_date_part(sb, dt->year, dt->month, dt->day);
    sb_putc(sb, 'T');
    fmt_time_part(sb, dt->hour, dt->minute, dt->second, dt->hundredths);
    if (dt->deviation == COSEM_DT_DEVIATION_NOT_SPECIFIED) {
        return;
    }
    int offset = -dt->deviation; /* deviation: local -> UTC; ISO: UTC -> local */
    if (offset == 0) {
        sb_putc(sb, 'Z');
        return;
    }
    int a = offset < 0 ? -offset : offset;
    sb_printf(sb, "%c%02d:%02d", offset < 0 ? '-' : '+', a / 60, a % 60);
}

void fmt_clock_status(sbuf_t *sb, uint8_t status) {
    static const struct {
        uint8_t bit;
        const char *name;
    } bits[] = {
        {COSEM_CLOCK_STATUS_INVALID, "invalid"},
        {COSEM_CLOCK_STATUS_DOUBTFUL, "doubtful"},
        {COSEM_CLOCK_STATUS_DIFFERENT_BASE, "different-base"},
        {COSEM_CLOCK_STATUS_INVALID_STATUS, "invalid-status"},
        {COSEM_CLOCK_STATUS_DST_ACTIVE, "dst"},
    };
    if (status == COSEM_CLOCK_STATUS_NOT_SPECIFIED) {
        sb_puts(sb, "not-specified");
        return;
    }
    if (status == 0) {
        sb_puts(sb, "ok");
        return;
    }
    bool first = true;
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        if ((status & bits[i].bit) != 0) {
            sb_printf(sb, "%s%s", first ? "" : ",", bits[i].name);
            first = false;
        }
    }
    if ((status & 0x70u) != 0) {
        sb_printf(sb, "%sreserved-0x%02x", first ? "" : ",", status & 0x70u);
    }
}

bool fmt_looks_like_datetime(const uint8_t *p, size_t len, cosem_datetime_t *dt) {
    if (len != COSEM_DATETIME_LEN) {
        return false;
    }
    cosem_datetime_unpack(p, dt);
    return cosem_datetime_is_valid(dt);
}

/* The typed form of a date-time, or NULL-equivalent (false) when the
 * syntax cannot say it (special months, a day of week that disagrees):
 * checked by reading it back. */
static bool fmt_typed_datetime(sbuf_t *sb, const cosem_datetime_t *dt, bool tagged) {
    sbuf_t t;
    sb_init(&t);
    fmt_datetime_iso(&t, dt);
    if (dt->clock_status != 0) {
        sb_printf(&t, "/%02X", dt->clock_status);
    }
    bool all = dt->year == COSEM_DT_YEAR_NOT_SPECIFIED && dt->month == 0xFF && dt->day == 0xFF &&
               dt->hour == 0xFF && dt->minute == 0xFF && dt->second == 0xFF &&
               dt->hundredths == 0xFF && dt->deviation == COSEM_DT_DEVIATION_NOT_SPECIFIED &&
               dt->clock_status == 0xFF && dt->day_of_week == 0xFF;
    if (all) {
        sb_reset(&t);
        sb_putc(&t, '*');
    }
    cosem_datetime_t back;
    uint8_t a[COSEM_DATETIME_LEN], b[COSEM_DATETIME_LEN];
    bool ok = datetime_parse(sb_str(&t), &back, NULL, 0) == 0;
    if (ok) {
        cosem_datetime_pack(dt, a);
        cosem_datetime_pack(&back, b);
        ok = memcmp(a, b, sizeof a) == 0;
    }
    if (ok) {
        sb_printf(sb, "%s:%s", tagged ? "tdt" : "dt", sb_str(&t));
    }
    sb_free(&t);
    return ok;
}

static void fmt_datetime_value(sbuf_t *sb, fmt_mode_t mode, const cosem_datetime_t *dt) {
    if (mode == FMT_JSON) {
        sbuf_t t;
        sb_init(&t);
        fmt_datetime_iso(&t, dt);
        fmt_json_string(sb, sb_str(&t), t.len);
        sb_free(&t);
        return;
    }
    fmt_datetime_iso(sb, dt);
    if (mode == FMT_TEXT && dt->clock_status != 0 && dt->clock_status != 0xFF) {
        sb_puts(sb, " (");
        fmt_clock_status(sb, dt->clock_status);
        sb_putc(sb, ')');
    }
}

/* ---- scalars -------------------------------------------------------------------------- */

static void fmt_octets(sbuf_t *sb, fmt_mode_t mode, const uint8_t *p, size_t n) {
    cosem_datetime_t dt;
    if (fmt_looks_like_datetime(p, n, &dt)) {
        if (mode != FMT_TYPED) {
            fmt_datetime_value(sb, mode, &dt);
            return;
        }
        if (fmt_typed_datetime(sb, &dt, false)) {
            return;
        }
    }
    bool text = fmt_printable(p, n);
    switch (mode) {
    case FMT_TYPED:
        sb_puts(sb, "os:");
        if (text) {
            fmt_quoted(sb, p, n);
        } else {
            fmt_hex(sb, p, n);
        }
        return;
    case FMT_JSON:
        if (text) {
            fmt_json_string(sb, (const char *)p, n);
        } else {
            sb_putc(sb, '"');
            fmt_hex(sb, p, n);
            sb_putc(sb, '"');
        }
        return;
    case FMT_TEXT:
        if (text) {
            sb_printf(sb, "\"%.*s\"", (int)n, (const char *)p);
        } else {
            fmt_hex(sb, p, n);
        }
        return;
    default:
        if (text) {
            sb_printf(sb, "%.*s", (int)n, (const char *)p);
        } else {
            fmt_hex(sb, p, n);
        }
        return;
    }
}

static void fmt_string(sbuf_t *sb, fmt_mode_t mode, const char *prefix, const uint8_t *p,
                       size_t n) {
    if (mode == FMT_TYPED) {
        sb_printf(sb, "%s:", prefix);
        fmt_quoted(sb, p, n);
    } else if (mode == FMT_JSON) {
        fmt_json_string(sb, (const char *)p, n);
    } else if (mode == FMT_TEXT) {
        fmt_quoted(sb, p, n);
    } else {
        sb_printf(sb, "%.*s", (int)n, (const char *)p);
    }
}

static void fmt_bits(sbuf_t *sb, fmt_mode_t mode, const uint8_t *p, uint32_t nbits) {
    if (mode == FMT_TYPED) {
        sb_puts(sb, "bs:");
    } else if (mode == FMT_JSON) {
        sb_putc(sb, '"');
    }
    for (uint32_t i = 0; i < nbits; i++) {
        sb_putc(sb, (p[i / 8] & (0x80u >> (i % 8))) != 0 ? '1' : '0');
    }
    if (mode == FMT_JSON) {
        sb_putc(sb, '"');
    }
}

static void fmt_float(sbuf_t *sb, fmt_mode_t mode, double x, bool f32) {
    if (mode == FMT_JSON && !isfinite(x)) {
        sb_puts(sb, "null");
        return;
    }
    if (mode == FMT_TYPED) {
        sb_puts(sb, f32 ? "f32:" : "f64:");
    }
    sb_printf(sb, f32 ? "%.9g" : "%.17g", x);
}

/* Short typed prefix of an integer-like tag. */
static const char *fmt_int_prefix(uint8_t tag) {
    switch (tag) {
    case AXDR_INTEGER:
        return "i8";
    case AXDR_LONG:
        return "i16";
    case AXDR_DOUBLE_LONG:
        return "i32";
    case AXDR_LONG64:
        return "i64";
    case AXDR_UNSIGNED:
        return "u8";
    case AXDR_LONG_UNSIGNED:
        return "u16";
    case AXDR_DOUBLE_LONG_UNSIGNED:
        return "u32";
    case AXDR_LONG64_UNSIGNED:
        return "u64";
    case AXDR_ENUM:
        return "enum";
    default:
        return "bcd";
    }
}

static bool fmt_is_signed(uint8_t tag) {
    return tag == AXDR_INTEGER || tag == AXDR_LONG || tag == AXDR_DOUBLE_LONG || tag == AXDR_LONG64;
}

static void fmt_date_only(sbuf_t *sb, fmt_mode_t mode, const axdr_value_t *v) {
    sbuf_t t;
    sb_init(&t);
    if (v->tag == AXDR_DATE) {
        fmt_date_part(&t, v->date.year, v->date.month, v->date.day);
    } else {
        fmt_time_part(&t, v->time.hour, v->time.minute, v->time.second, v->time.hundredths);
    }
    if (mode == FMT_JSON) {
        fmt_json_string(sb, sb_str(&t), t.len);
    } else if (mode == FMT_TYPED) {
        sb_printf(sb, "%s:%s", v->tag == AXDR_DATE ? "tdate" : "ttime", sb_str(&t));
    } else {
        sb_puts(sb, sb_str(&t));
    }
    sb_free(&t);
}

static int fmt_scalar(sbuf_t *sb, fmt_mode_t mode, const axdr_value_t *v) {
    switch (v->tag) {
    case AXDR_NULL:
        sb_puts(sb, mode == FMT_CSV ? "" : "null");
        return 0;
    case AXDR_BOOLEAN:
        sb_printf(sb, "%s%s", mode == FMT_TYPED ? "bool:" : "", v->b ? "true" : "false");
        return 0;
    case AXDR_OCTET_STRING:
        fmt_octets(sb, mode, v->p, v->len);
        return 0;
    case AXDR_VISIBLE_STRING:
        fmt_string(sb, mode, "vs", v->p, v->len);
        return 0;
    case AXDR_UTF8_STRING:
        fmt_string(sb, mode, "utf8", v->p, v->len);
        return 0;
    case AXDR_BIT_STRING:
        fmt_bits(sb, mode, v->p, v->count);
        return 0;
    case AXDR_FLOAT32:
        fmt_float(sb, mode, v->f32, true);
        return 0;
    case AXDR_FLOAT64:
        fmt_float(sb, mode, v->f64, false);
        return 0;
    case AXDR_DATE_TIME:
        if (mode != FMT_TYPED || !fmt_typed_datetime(sb, &v->dt, true)) {
            fmt_datetime_value(sb, mode == FMT_TYPED ? FMT_CSV : mode, &v->dt);
        }
        return 0;
    case AXDR_DATE:
    case AXDR_TIME:
        fmt_date_only(sb, mode, v);
        return 0;
    default:
        break;
    }
    if (mode == FMT_TYPED) {
        sb_printf(sb, "%s:", fmt_int_prefix(v->tag));
    }
    if (fmt_is_signed(v->tag)) {
        sb_printf(sb, "%lld", (long long)v->i);
    } else {
        sb_printf(sb, "%llu", (unsigned long long)v->u);
    }
    return 0;
}

/* ---- containers ------------------------------------------------------------------------ */

static int fmt_elements(sbuf_t *sb, fmt_mode_t mode, axdr_dec_t *d, uint32_t count, bool is_struct,
                        bool lines, int depth);

static int fmt_walk(sbuf_t *sb, fmt_mode_t mode, axdr_dec_t *d, bool lines, int depth);

/* compact-array: the untagged contents walked with the type description. */
static int fmt_compact_one(sbuf_t *sb, fmt_mode_t mode, axdr_dec_t *desc, axdr_dec_t *data,
                           int depth);

static int fmt_compact_list(sbuf_t *sb, fmt_mode_t mode, axdr_dec_t *desc, axdr_dec_t *data,
                            uint32_t n, bool is_struct, int depth) {
    const char *open = mode == FMT_TYPED  ? (is_struct ? "struct(" : "array(")
                       : mode == FMT_TEXT ? (is_struct ? "{" : "[")
                                          : "[";
    const char *close = mode == FMT_TYPED ? ")" : mode == FMT_TEXT && is_struct ? "}" : "]";
    sb_puts(sb, open);
    size_t start = desc->pos;
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0) {
            sb_puts(sb, mode == FMT_TEXT ? ", " : ",");
        }
        if (!is_struct) {
            desc->pos = start; /* every array element has the same description */
        }
        if (fmt_compact_one(sb, mode, desc, data, depth + 1) != 0) {
            return -1;
        }
    }
    if (!is_struct && n == 0 && axdr_skip(desc) != 0) {
        return -1;
    }
    sb_puts(sb, close);
    return 0;
}

static int fmt_compact_one(sbuf_t *sb, fmt_mode_t mode, axdr_dec_t *desc, axdr_dec_t *data,
                           int depth) {
    uint8_t tag = 0;
    if (depth > EM_AXDR_MAX_DEPTH || axdr_get_tag(desc, &tag) != 0) {
        return -1;
    }
    if (tag == AXDR_ARRAY) {
        uint8_t hi = 0, lo = 0;
        if (axdr_get_tag(desc, &hi) != 0 || axdr_get_tag(desc, &lo) != 0) {
            return -1;
        }
        return fmt_compact_list(sb, mode, desc, data, (uint32_t)(hi << 8 | lo), false, depth);
    }
    if (tag == AXDR_STRUCTURE) {
        uint32_t n = 0;
        if (axdr_get_length(desc, &n) != 0) {
            return -1;
        }
        return fmt_compact_list(sb, mode, desc, data, n, true, depth);
    }
    axdr_value_t v;
    if (axdr_get_untagged(data, tag, &v) != 0) {
        return -1;
    }
    return fmt_scalar(sb, mode, &v);
}

static int fmt_compact(sbuf_t *sb, fmt_mode_t mode, const axdr_value_t *v, int depth) {
    axdr_dec_t desc, data;
    axdr_dec_init(&desc, v->desc, v->desc_len);
    axdr_dec_init(&data, v->p, v->len);
    /* The contents are a sequence of elements of the description. */
    sb_puts(sb, mode == FMT_TYPED || mode == FMT_TEXT ? (mode == FMT_TYPED ? "array(" : "[") : "[");
    for (uint32_t i = 0; axdr_dec_remaining(&data) > 0; i++) {
        if (i > 0) {
            sb_puts(sb, mode == FMT_TEXT ? ", " : ",");
        }
        desc.pos = 0;
        if (fmt_compact_one(sb, mode, &desc, &data, depth + 1) != 0) {
            return -1;
        }
    }
    sb_puts(sb, mode == FMT_TYPED ? ")" : "]");
    return 0;
}

static int fmt_elements(sbuf_t *sb, fmt_mode_t mode, axdr_dec_t *d, uint32_t count, bool is_struct,
                        bool lines, int depth) {
    const char *open = mode == FMT_TYPED  ? (is_struct ? "struct(" : "array(")
                       : mode == FMT_TEXT ? (is_struct ? "{" : "[")
                                          : "[";
    const char *close = mode == FMT_TYPED ? ")" : mode == FMT_TEXT && is_struct ? "}" : "]";
    const char *sep = mode == FMT_TEXT ? (lines ? "\n" : ", ") : ",";
    if (!lines) {
        sb_puts(sb, open);
    }
    for (uint32_t i = 0; i < count; i++) {
        if (i > 0) {
            sb_puts(sb, sep);
        }
        if (fmt_walk(sb, mode, d, false, depth + 1) != 0) {
            return -1;
        }
    }
    if (!lines) {
        sb_puts(sb, close);
    }
    return 0;
}

static int fmt_walk(sbuf_t *sb, fmt_mode_t mode, axdr_dec_t *d, bool lines, int depth) {
    axdr_value_t v;
    if (depth > EM_AXDR_MAX_DEPTH || axdr_get_value(d, &v) != 0) {
        return -1;
    }
    if (v.tag == AXDR_ARRAY || v.tag == AXDR_STRUCTURE) {
        bool one_per_line = lines && mode == FMT_TEXT && v.tag == AXDR_ARRAY && v.count > 0;
        return fmt_elements(sb, mode, d, v.count, v.tag == AXDR_STRUCTURE, one_per_line, depth);
    }
    if (v.tag == AXDR_COMPACT_ARRAY) {
        return fmt_compact(sb, mode, &v, depth);
    }
    return fmt_scalar(sb, mode, &v);
}

int fmt_value_dec(sbuf_t *sb, fmt_mode_t mode, axdr_dec_t *d) {
    return fmt_walk(sb, mode, d, false, 0);
}

int fmt_value(sbuf_t *sb, fmt_mode_t mode, const uint8_t *p, size_t len, bool lines) {
    size_t used = 0;
    if (p == NULL || axdr_validate(p, len, &used) != 0 || used != len) {
        return -1;
    }
    axdr_dec_t d;
    axdr_dec_init(&d, p, len);
    return fmt_walk(sb, mode, &d, lines, 0);
}

/* ---- registers ------------------------------------------------------------------------- */

const char *fmt_unit_name(uint8_t unit) {
    switch (unit) {
    case 4:
        return "d";
    case 5:
        return "h";
    case 6:
        return "min";
    case 7:
        return "s";
    case 9:
        return "\xC2\xB0"
               "C";
    case 27:
        return "W";
    case 28:
        return "VA";
    case 29:
        return "var";
    case 30:
        return "Wh";
    case 31:
        return "VAh";
    case 32:
        return "varh";
    case 33:
        return "A";
    case 35:
        return "V";
    case 44:
        return "Hz";
    case 56:
        return "%";
    case 255:
        return "";
    default:
        return NULL;
    }
}

/* Integer value of a Data, when it is an integer type. */
static int fmt_integer(const uint8_t *p, size_t len, bool *neg, unsigned long long *mag) {
    axdr_dec_t d;
    axdr_value_t v;
    axdr_dec_init(&d, p, len);
    if (axdr_get_value(&d, &v) != 0 || axdr_dec_remaining(&d) != 0) {
        return -1;
    }
    if (fmt_is_signed(v.tag)) {
        *neg = v.i < 0;
        *mag = *neg ? (unsigned long long)(-(v.i + 1)) + 1u : (unsigned long long)v.i;
        return 0;
    }
    if (v.tag == AXDR_UNSIGNED || v.tag == AXDR_LONG_UNSIGNED ||
        v.tag == AXDR_DOUBLE_LONG_UNSIGNED || v.tag == AXDR_LONG64_UNSIGNED) {
        *neg = false;
        *mag = v.u;
        return 0;
    }
    return -1;
}

int fmt_scaled(sbuf_t *sb, const uint8_t *value, size_t vlen, const uint8_t *su, size_t sulen) {
    axdr_dec_t d;
    uint32_t n = 0;
    int8_t scaler = 0;
    uint8_t unit = 0;
    axdr_dec_init(&d, su, sulen);
    if (axdr_get_structure(&d, &n) != 0 || n != 2 || axdr_get_int8(&d, &scaler) != 0 ||
        axdr_get_enum(&d, &unit) != 0 || axdr_dec_remaining(&d) != 0) {
        return -1;
    }
    bool neg = false;
    unsigned long long mag = 0;
    if (fmt_integer(value, vlen, &neg, &mag) != 0 || scaler < -18 || scaler > 18) {
        return -1;
    }
    char digits[64];
    snprintf(digits, sizeof digits, "%llu", mag);
    sb_puts(sb, neg ? "-" : "");
    if (scaler >= 0) {
        sb_puts(sb, digits);
        for (int i = 0; i < scaler && mag != 0; i++) {
            sb_putc(sb, '0');
        }
    } else {
        int places = -scaler;
        int len = (int)strlen(digits);
        if (len <= places) {
            sb_puts(sb, "0.");
            for (int i = len; i < places; i++) {
                sb_putc(sb, '0');
            }
            sb_puts(sb, digits);
        } else {
            sb_printf(sb, "%.*s.%s", len - places, digits, digits + len - places);
        }
    }
    const char *u = fmt_unit_name(unit);
    if (u == NULL) {
        sb_printf(sb, " (unit %u)", unit);
    } else if (u[0] != '\0') {
        sb_printf(sb, " %s", u);
    }
    return 0;
}
