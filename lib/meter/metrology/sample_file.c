/*
 * sample_file.c - streaming decoder of csv / s16 / f32 sample files (see
 * sample_file.h). Portable core code: no stdio and no strtod (not among
 * the headers lib/ may use), so decimal numbers are parsed here.
 */
#include "meter/metrology/sample_file.h"

#include <string.h>

#include "meter/metrology/metrology.h"

#define MAX_ABS   1e9  /* volts or amperes beyond this are not a recording */
#define MAX_ABS_T 1e12 /* seconds: room for UNIX time stamps */

int metrology_sf_init(metrology_sf_t *r, uint8_t format, uint32_t rate, float scale_v,
                      float scale_i) {
    if (r == NULL || format > METROLOGY_SF_F32) {
        return METROLOGY_ERR_BADARG;
    }
    memset(r, 0, sizeof(*r));
    r->format = format;
    r->scale_v = scale_v;
    r->scale_i = scale_i;
    r->line = 1;
    r->header_allowed = true;
    if (rate != 0) {
        if (rate < METROLOGY_SF_RATE_MIN || rate > METROLOGY_SF_RATE_MAX) {
            return METROLOGY_ERR_SF_RATE;
        }
        r->rate = rate;
        r->rate_given = true;
    } else if (format != METROLOGY_SF_CSV) {
        return METROLOGY_ERR_SF_RATE;
    }
    if (!(scale_v > 0.0f && scale_v < 1e6f) || !(scale_i > 0.0f && scale_i < 1e6f)) {
        return METROLOGY_ERR_BADARG;
    }
    return 0;
}

static int fail(metrology_sf_t *r, int err, uint64_t offset) {
    r->err = err;
    r->err_line = r->line;
    r->err_offset = offset;
    return err;
}

/* ---- decimal numbers ------------------------------------------------------- */

/* 10^e for 0 <= e < 512 by binary powers: a few ulp, enough for samples. */
static double pow10_pos(unsigned e) {
    static const double p[9] = {1e1, 1e2, 1e4, 1e8, 1e16, 1e32, 1e64, 1e128, 1e256};
    double v = 1.0;
    for (int k = 0; k < 9 && e != 0; k++, e >>= 1) {
        if (e & 1u) {
            v *= p[k];
        }
    }
    return v;
}

int metrology_parse_decimal(const char *s, size_t n, double *out) {
    size_t i = 0;
    uint64_t mant = 0;
    int digits = 0, sig = 0, exp10 = 0, eexp = 0;
    bool neg = false, eneg = false;
    double v;

    if (i < n && (s[i] == '+' || s[i] == '-')) {
        neg = s[i++] == '-';
    }
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        if (sig < 19) { /* uint64 holds 19 digits; later ones only scale */
            mant = mant * 10u + (uint64_t)(s[i] - '0');
            sig += mant != 0;
        } else {
            exp10++;
        }
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
            if (sig < 19) {
                mant = mant * 10u + (uint64_t)(s[i] - '0');
                sig += mant != 0;
                exp10--;
            }
        }
    }
    if (digits == 0) {
        return METROLOGY_ERR_SF_SYNTAX;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int edigits = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i++] == '-';
        }
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, edigits++) {
            if (eexp < 10000) { /* saturate: 1e99999 is refused as too large */
                eexp = eexp * 10 + (s[i] - '0');
            }
        }
        if (edigits == 0) {
            return METROLOGY_ERR_SF_SYNTAX;
        }
    }
    if (i != n) {
        return METROLOGY_ERR_SF_SYNTAX;
    }
    exp10 += eneg ? -eexp : eexp;
    v = (double)mant;
    if (mant == 0 || exp10 < -400) {
        v = 0.0;
    } else if (exp10 > 400) {
        v = 1e300 * 1e10; /* too large: refused by the caller's range check */
    } else if (exp10 >= 0) {
        v *= pow10_pos((unsigned)exp10);
    } else {
        v /= pow10_pos((unsigned)-exp10);
    }
    *out = neg ? -v : v;
    return 0;
}

/* ---- csv ---------------------------------------------------------------------- */

static bool is_space(char c) {
    return c == ' ' || c == '\t';
}

static bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Split the line into trimmed fields and parse them. Returns the number
 * of fields or a negative error. */
static int csv_fields(const char *p, size_t n, double val[7]) {
    int count = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == ',') {
            size_t a = start, b = i;
            while (a < b && is_space(p[a])) {
                a++;
            }
            while (b > a && is_space(p[b - 1])) {
                b--;
            }
            if (count == 7) {
                return METROLOGY_ERR_SF_COLUMNS;
            }
            if (metrology_parse_decimal(p + a, b - a, &val[count]) != 0) {
                return METROLOGY_ERR_SF_SYNTAX;
            }
            double lim = count == 0 ? MAX_ABS_T : MAX_ABS;
            if (!(val[count] <= lim && val[count] >= -lim)) {
                return METROLOGY_ERR_SF_NUMBER;
            }
            count++;
            start = i + 1;
        }
    }
    return count;
}

/* Timestamps: t0 + n / rate within half a period; rate from row 1 when
 * not given. */
static int csv_time(metrology_sf_t *r, double t) {
    double expect;
    if (r->rows == 0) {
        r->t0 = t;
        return 0;
    }
    if (r->rate == 0) {
        double dt = t - r->t0, rate;
        if (!(dt > 0.0)) {
            return METROLOGY_ERR_SF_TIME;
        }
        rate = 1.0 / dt;
        if (!(rate >= METROLOGY_SF_RATE_MIN - 0.5 && rate < METROLOGY_SF_RATE_MAX + 0.5)) {
            return METROLOGY_ERR_SF_RATE;
        }
        r->rate = (uint32_t)(rate + 0.5);
    }
    expect = r->t0 + (double)r->rows / (double)r->rate;
    if (!(t - expect <= 0.5 / r->rate && expect - t <= 0.5 / r->rate)) {
        return METROLOGY_ERR_SF_TIME;
    }
    return 0;
}

/* One complete line (without its newline). Returns 1 when it produced a
 * sample set in out[0..5], 0 when skipped, or a negative error. */
static int csv_line(metrology_sf_t *r, float *out) {
    const char *p = r->buf;
    size_t n = r->len, a = 0;
    double val[7];
    int cols, rc;

    if (n > 0 && p[n - 1] == '\r') {
        n--;
    }
    while (a < n && is_space(p[a])) {
        a++;
    }
    if (a == n || p[a] == '#') {
        return 0;
    }
    if (r->header_allowed && r->rows == 0 && is_letter(p[a])) {
        r->header_allowed = false;
        return 0;
    }
    cols = csv_fields(p, n, val);
    if (cols < 0) {
        return cols;
    }
    if ((cols != 3 && cols != 7) || (r->columns != 0 && cols != r->columns)) {
        return METROLOGY_ERR_SF_COLUMNS;
    }
    r->columns = cols;
    rc = csv_time(r, val[0]);
    if (rc != 0) {
        return rc;
    }
    memset(out, 0, 6 * sizeof(float));
    for (int k = 1; k < cols; k++) {
        out[k - 1] = (float)val[k];
    }
    r->rows++;
    r->header_allowed = false;
    return 1;
}

static int csv_feed(metrology_sf_t *r, const uint8_t *d, size_t len, size_t *used, float *out,
                    size_t cap) {
    size_t i = 0;
    int sets = 0;
    while (i < len && (size_t)sets < cap) {
        uint8_t c = d[i++];
        int rc;
        if (c != '\n') {
            if (r->len == sizeof(r->buf)) {
                *used = i;
                fail(r, METROLOGY_ERR_SF_LINE, r->offset + i - 1);
                return sets > 0 ? sets : r->err;
            }
            r->buf[r->len++] = (char)c;
            continue;
        }
        rc = csv_line(r, out + 6 * (size_t)sets);
        if (rc < 0) {
            *used = i;
            fail(r, rc, r->offset + i - 1);
            return sets > 0 ? sets : r->err;
        }
        sets += rc;
        r->len = 0;
        r->line++;
    }
    *used = i;
    return sets;
}

/* ---- raw ------------------------------------------------------------------------ */

static int raw_set(metrology_sf_t *r, uint64_t at, float *out) {
    for (int k = 0; k < 6; k++) {
        float scale = (k & 1) ? r->scale_i : r->scale_v;
        double x;
        if (r->format == METROLOGY_SF_S16) {
            uint16_t u = (uint16_t)(r->raw[2 * k] | (r->raw[2 * k + 1] << 8));
            x = (double)(int16_t)u;
        } else {
            uint32_t u = (uint32_t)r->raw[4 * k] | ((uint32_t)r->raw[4 * k + 1] << 8) |
                         ((uint32_t)r->raw[4 * k + 2] << 16) | ((uint32_t)r->raw[4 * k + 3] << 24);
            float f;
            memcpy(&f, &u, sizeof(f));
            x = (double)f;
        }
        x *= (double)scale;
        if (!(x <= MAX_ABS && x >= -MAX_ABS)) {
            return fail(r, METROLOGY_ERR_SF_NUMBER,
                        at + (uint64_t)k * (r->format == METROLOGY_SF_S16 ? 2u : 4u));
        }
        out[k] = (float)x;
    }
    return 0;
}

static int raw_feed(metrology_sf_t *r, const uint8_t *d, size_t len, size_t *used, float *out,
                    size_t cap) {
    size_t need = r->format == METROLOGY_SF_S16 ? 12u : 24u, i = 0;
    int sets = 0;
    while (i < len && (size_t)sets < cap) {
        size_t take = need - r->raw_len;
        if (take > len - i) {
            take = len - i;
        }
        memcpy(r->raw + r->raw_len, d + i, take);
        r->raw_len += take;
        i += take;
        if (r->raw_len == need) {
            uint64_t at = r->offset + i - need;
            if (raw_set(r, at, out + 6 * (size_t)sets) != 0) {
                *used = i;
                return sets > 0 ? sets : r->err;
            }
            r->raw_len = 0;
            sets++;
        }
    }
    *used = i;
    return sets;
}

/* ---- entry points ------------------------------------------------------------------ */

int metrology_sf_feed(metrology_sf_t *r, const uint8_t *data, size_t len, size_t *used, float *out,
                      size_t cap) {
    int rc;
    size_t u = 0;
    if (used != NULL) {
        *used = 0;
    }
    if (r == NULL || used == NULL || (data == NULL && len > 0) || (out == NULL && cap > 0)) {
        return METROLOGY_ERR_BADARG;
    }
    if (r->err != 0) {
        return r->err;
    }
    if (r->format == METROLOGY_SF_CSV) {
        rc = csv_feed(r, data, len, &u, out, cap);
    } else {
        rc = raw_feed(r, data, len, &u, out, cap);
    }
    r->offset += u;
    *used = u;
    return rc;
}

int metrology_sf_finish(metrology_sf_t *r, float *out, size_t cap) {
    int rc;
    if (r == NULL || (out == NULL && cap > 0)) {
        return METROLOGY_ERR_BADARG;
    }
    if (r->err != 0) {
        return r->err;
    }
    if (r->format != METROLOGY_SF_CSV) {
        return r->raw_len ? fail(r, METROLOGY_ERR_SF_TRUNC, r->offset - r->raw_len) : 0;
    }
    if (r->len == 0) {
        return 0;
    }
    if (cap == 0) {
        return METROLOGY_ERR_BADARG;
    }
    rc = csv_line(r, out);
    if (rc < 0) {
        return fail(r, rc, r->offset);
    }
    r->len = 0;
    return rc;
}
