/*
 * comm.c - shared parts of the communication setup classes (DLMS UA Blue
 * Book, classes 28, 29, 41, 42, 44, 45, 47, 151): error texts, calling and
 * listening windows (Auto connect calling_window, Auto answer
 * listening_window), logical name references, destination parsing. The
 * reading of window patterns is in comm.h.
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/comm.h"

#define NS         COSEM_DT_NOT_SPECIFIED
#define SPAN_YEARS 6 /* search range: a Feb 29 recurs within 8 years, 6 on either side */

const char *cosem_comm_strerror(int err) {
    switch (err) {
    case COSEM_COMM_ERR_ARG:
        return "bad argument";
    case COSEM_COMM_ERR_VALUE:
        return "value out of the attribute's range";
    case COSEM_COMM_ERR_DEST:
        return "destination is not an IPv4 address or a domain name (with an optional port)";
    case COSEM_COMM_ERR_NO_WINDOW:
        return "no window occurrence within the search range";
    case COSEM_COMM_ERR_PATTERN:
        return "date-time pattern cannot delimit a window";
    case COSEM_COMM_ERR_FULL:
        return "list full";
    case COSEM_COMM_ERR_STATE:
        return "communication object state outside the application or inconsistent";
    default:
        return cosem_strerror(err);
    }
}

/* ---- patterns ------------------------------------------------------------------------ */

enum { LV_YEAR = 0, LV_MONTH, LV_DAY, LV_HOUR, LV_MINUTE, LV_SECOND };

/* The least significant specified field, -1 for none. */
static int level_of(const cosem_datetime_t *p) {
    if (p->second != NS) {
        return LV_SECOND;
    }
    if (p->minute != NS) {
        return LV_MINUTE;
    }
    if (p->hour != NS) {
        return LV_HOUR;
    }
    if (p->day != NS || p->day_of_week != NS) {
        return LV_DAY;
    }
    if (p->month != NS) {
        return LV_MONTH;
    }
    return p->year != COSEM_DT_YEAR_NOT_SPECIFIED ? LV_YEAR : -1;
}

bool cosem_comm_pattern_valid(const cosem_datetime_t *p) {
    if (p == NULL || level_of(p) < 0 || p->month == COSEM_DT_MONTH_DST_BEGIN ||
        p->month == COSEM_DT_MONTH_DST_END) {
        return false;
    }
    cosem_date_t d = {p->year, p->month, p->day, p->day_of_week};
    cosem_time_t t = {p->hour, p->minute, p->second, p->hundredths};
    return cosem_date_is_valid(&d) && cosem_time_is_valid(&t) &&
           (p->year == COSEM_DT_YEAR_NOT_SPECIFIED || (p->year >= 1970 && p->year <= 9999));
}

/* Whether the pattern's date part gives date y-m-d. */
static bool date_ok(const cosem_datetime_t *p, int lv, uint16_t y, uint8_t m, uint8_t d) {
    if (p->year != COSEM_DT_YEAR_NOT_SPECIFIED && p->year != y) {
        return false;
    }
    if (p->month != NS ? p->month != m : (lv < LV_MONTH ? m != 1 : false)) {
        return false;
    }
    if (p->day != NS) {
        return cosem_pattern_day(y, m, p->day, p->day_of_week) == d;
    }
    if (p->day_of_week != NS) {
        return cosem_day_of_week(y, m, d) == p->day_of_week;
    }
    return lv < LV_DAY ? d == 1 : true;
}

/* Candidate hours / minutes: the specified value, every value when not
 * specified above the level, 0 below it. */
static void range_of(uint8_t field, bool repeats, uint8_t max, uint8_t *lo, uint8_t *hi) {
    if (field != NS) {
        *lo = *hi = field;
    } else {
        *lo = 0;
        *hi = repeats ? max : 0;
    }
}

/* Latest (prev) or earliest (!prev) time of day of the pattern within
 * [lo, hi] seconds; -1 for none. */
static int32_t tod_pick(const cosem_datetime_t *p, int lv, bool prev, int32_t lo, int32_t hi) {
    uint8_t h0, h1, m0, m1;
    range_of(p->hour, lv > LV_HOUR, 23, &h0, &h1);
    range_of(p->minute, lv > LV_MINUTE, 59, &m0, &m1);
    int32_t s = p->second != NS ? p->second : 0;
    for (int32_t hi_ = 0; hi_ <= h1 - h0; hi_++) {
        int32_t h = prev ? h1 - hi_ : h0 + hi_;
        for (int32_t mi = 0; mi <= m1 - m0; mi++) {
            int32_t m = prev ? m1 - mi : m0 + mi;
            int32_t t = h * 3600 + m * 60 + s;
            if (t >= lo && t <= hi) {
                return t;
            }
        }
    }
    return -1;
}

static int64_t wall_of_day(uint16_t y, uint8_t m, uint8_t d, int32_t tod) {
    cosem_datetime_t dt;
    cosem_datetime_set_unspecified(&dt);
    dt.year = y;
    dt.month = m;
    dt.day = d;
    dt.hour = 0;
    dt.minute = 0;
    dt.second = 0;
    dt.hundredths = 0;
    int64_t w = 0;
    (void)cosem_wall_from_datetime(&dt, &w);
    return w + tod;
}

/* The search: day by day from wall's date backward (prev) or forward. */
static int pattern_find(const cosem_datetime_t *p, int64_t wall, bool prev, int64_t *occ) {
    if (p == NULL || occ == NULL) {
        return COSEM_COMM_ERR_ARG;
    }
    if (!cosem_comm_pattern_valid(p)) {
        return COSEM_COMM_ERR_PATTERN;
    }
    cosem_datetime_t now;
    if (cosem_wall_to_datetime(wall, &now) != 0) {
        return COSEM_COMM_ERR_ARG;
    }
    int lv = level_of(p);
    int32_t tod = (int32_t)(now.hour * 3600 + now.minute * 60 + now.second);
    int32_t y_first = now.year, y_last = prev ? now.year - SPAN_YEARS : now.year + SPAN_YEARS;
    if (p->year != COSEM_DT_YEAR_NOT_SPECIFIED) {
        if (prev ? p->year > now.year : p->year < now.year) {
            return COSEM_COMM_ERR_NO_WINDOW;
        }
        y_first = y_last = p->year;
    }
    int step = prev ? -1 : 1;
    for (int32_t y = y_first; prev ? y >= y_last : y <= y_last; y += step) {
        if (y < 1970 || y > 9999) {
            break;
        }
        for (int mi = 0; mi < 12; mi++) {
            uint8_t m = (uint8_t)(prev ? 12 - mi : 1 + mi);
            bool this_month = y == now.year && m == now.month;
            if ((y == now.year && (prev ? m > now.month : m < now.month)) ||
                (p->month != NS && p->month != m)) {
                continue;
            }
            uint8_t days = cosem_days_in_month((uint16_t)y, m);
            for (int di = 0; di < days; di++) {
                uint8_t d = (uint8_t)(prev ? days - di : 1 + di);
                bool today = this_month && d == now.day;
                if ((this_month && (prev ? d > now.day : d < now.day)) ||
                    !date_ok(p, lv, (uint16_t)y, m, d)) {
                    continue;
                }
                int32_t lo = today && !prev ? tod + 1 : 0;
                int32_t hi = today && prev ? tod : 86399;
                int32_t t = tod_pick(p, lv, prev, lo, hi);
                if (t >= 0) {
                    *occ = wall_of_day((uint16_t)y, m, d, t);
                    return 0;
                }
            }
        }
    }
    return COSEM_COMM_ERR_NO_WINDOW;
}

int cosem_comm_pattern_prev(const cosem_datetime_t *p, int64_t wall, int64_t *occ) {
    return pattern_find(p, wall, true, occ);
}

int cosem_comm_pattern_next(const cosem_datetime_t *p, int64_t wall, int64_t *occ) {
    return pattern_find(p, wall, false, occ);
}

/* Whether window w is open at wall; *end: when it closes. */
static bool window_open(const cosem_comm_window_t *w, int64_t wall, int64_t *end) {
    int64_t s, e;
    if (cosem_comm_pattern_prev(&w->start, wall, &s) != 0 || !cosem_comm_pattern_valid(&w->end)) {
        return false;
    }
    if (cosem_comm_pattern_next(&w->end, s, &e) != 0) {
        e = INT64_MAX; /* an end that never comes keeps it open */
    }
    *end = e;
    return wall < e;
}

int cosem_comm_windows_eval(const cosem_comm_window_t *w, uint8_t n, int64_t wall,
                            cosem_comm_window_eval_t *out) {
    if (out == NULL || (w == NULL && n > 0)) {
        return COSEM_COMM_ERR_ARG;
    }
    out->inside = n == 0;
    out->end = INT64_MAX;
    out->next_start = INT64_MAX;
    if (n == 0) {
        return 0;
    }
    int64_t latest_end = INT64_MIN;
    for (uint8_t i = 0; i < n; i++) {
        int64_t e;
        if (window_open(&w[i], wall, &e)) {
            out->inside = true;
            latest_end = e > latest_end ? e : latest_end;
        }
    }
    if (out->inside) {
        out->end = latest_end;
        if (latest_end == INT64_MAX) {
            return 0;
        }
    }
    int64_t from = out->inside ? latest_end - 1 : wall;
    for (uint8_t i = 0; i < n; i++) {
        int64_t s;
        if (cosem_comm_pattern_next(&w[i].start, from, &s) == 0 && s < out->next_start) {
            out->next_start = s;
        }
    }
    return 0;
}

int cosem_comm_windows_eval_local(const cosem_comm_window_t *w, uint8_t n,
                                  const cosem_datetime_t *local, cosem_comm_window_eval_t *out) {
    int64_t wall;
    if (local == NULL || cosem_wall_from_datetime(local, &wall) != 0) {
        return COSEM_COMM_ERR_ARG;
    }
    return cosem_comm_windows_eval(w, n, wall, out);
}

int cosem_comm_get_windows(axdr_dec_t *d, cosem_comm_window_t *out, uint8_t cap, uint8_t *count) {
    uint32_t n, k;
    if (axdr_get_array(d, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > cap) {
        return DLMS_DAR_OTHER_REASON;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (axdr_get_structure(d, &k) != 0 || k != 2 || axdr_get_date_time(d, &out[i].start) != 0 ||
            axdr_get_date_time(d, &out[i].end) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!cosem_comm_pattern_valid(&out[i].start) || !cosem_comm_pattern_valid(&out[i].end)) {
            return DLMS_DAR_OTHER_REASON;
        }
    }
    *count = (uint8_t)n;
    return 0;
}

int cosem_comm_put_windows(axdr_enc_t *e, const cosem_comm_window_t *w, uint8_t n) {
    axdr_put_array(e, n);
    for (uint8_t i = 0; i < n; i++) {
        axdr_put_structure(e, 2);
        axdr_put_date_time_os(e, &w[i].start);
        axdr_put_date_time_os(e, &w[i].end);
    }
    return e->err;
}

/* ---- scalars ------------------------------------------------------------------------ */

int cosem_comm_get_u8(axdr_dec_t *d, uint8_t *dst) {
    uint8_t v;
    if (axdr_get_uint8(d, &v) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    *dst = v;
    return 0;
}

int cosem_comm_get_u16(axdr_dec_t *d, uint16_t *dst) {
    uint16_t v;
    if (axdr_get_uint16(d, &v) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    *dst = v;
    return 0;
}

/* ---- references ------------------------------------------------------------------ */

int cosem_comm_get_ln_ref(const cosem_server_t *s, axdr_dec_t *d, uint16_t class_id,
                          uint8_t out[COSEM_LN_LEN]) {
    const uint8_t *p;
    size_t n;
    if (axdr_get_octet_string(d, &p, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n != COSEM_LN_LEN) {
        return DLMS_DAR_OTHER_REASON;
    }
    const cosem_object_t *o = cosem_find(s, p);
    if (o == NULL || (class_id != 0 && o->cls->class_id != class_id)) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(out, p, COSEM_LN_LEN);
    return 0;
}

/* ---- destinations ------------------------------------------------------------------ */

static bool is_digit(uint8_t c) {
    return c >= '0' && c <= '9';
}

static bool is_alnum(uint8_t c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool cosem_comm_parse_ipv4(const uint8_t *s, size_t n, uint32_t *ip) {
    if (s == NULL || n < 7 || n > 15) {
        return false;
    }
    uint32_t v = 0, part = 0;
    int parts = 0, digits = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (digits == 0 || part > 255) {
                return false;
            }
            v = (v << 8) | part;
            parts++;
            part = 0;
            digits = 0;
        } else if (is_digit(s[i]) && digits < 3) {
            part = part * 10 + (uint32_t)(s[i] - '0');
            digits++;
        } else {
            return false;
        }
    }
    if (parts != 4) {
        return false;
    }
    if (ip != NULL) {
        *ip = v;
    }
    return true;
}

size_t cosem_comm_format_ipv4(uint32_t ip, uint8_t out[15]) {
    size_t n = 0;
    for (int i = 3; i >= 0; i--) {
        uint8_t b = (uint8_t)(ip >> (i * 8));
        if (b >= 100) {
            out[n++] = (uint8_t)('0' + b / 100);
        }
        if (b >= 10) {
            out[n++] = (uint8_t)('0' + b / 10 % 10);
        }
        out[n++] = (uint8_t)('0' + b % 10);
        if (i > 0) {
            out[n++] = '.';
        }
    }
    return n;
}

static bool fqdn_ok(const uint8_t *s, size_t n) {
    if (n > 0 && s[n - 1] == '.') {
        n--; /* the root */
    }
    if (n == 0 || n > 253) {
        return false;
    }
    size_t start = 0;
    bool all_digits = true;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            size_t len = i - start;
            if (len == 0 || len > 63 || s[start] == '-' || s[i - 1] == '-') {
                return false;
            }
            if (i == n && all_digits) {
                return false; /* a top-level label is never all digits (RFC 3696 §2) */
            }
            start = i + 1;
            all_digits = true;
        } else if (is_alnum(s[i]) || s[i] == '-') {
            all_digits = all_digits && is_digit(s[i]);
        } else {
            return false;
        }
    }
    return true;
}

int cosem_comm_parse_destination(const uint8_t *s, size_t n, cosem_comm_dest_t *out) {
    if (out == NULL) {
        return COSEM_COMM_ERR_ARG;
    }
    memset(out, 0, sizeof(*out));
    if (s == NULL || n == 0 || n > 260) {
        return COSEM_COMM_ERR_DEST;
    }
    size_t host_len = n;
    uint32_t port = 0;
    for (size_t i = n; i > 0; i--) {
        if (s[i - 1] == ':') {
            size_t digits = n - i;
            if (digits == 0 || digits > 5) {
                return COSEM_COMM_ERR_DEST;
            }
            for (size_t k = i; k < n; k++) {
                if (!is_digit(s[k])) {
                    return COSEM_COMM_ERR_DEST;
                }
                port = port * 10 + (uint32_t)(s[k] - '0');
            }
            if (port == 0 || port > 65535) {
                return COSEM_COMM_ERR_DEST;
            }
            host_len = i - 1;
            break;
        }
    }
    uint32_t ip;
    if (cosem_comm_parse_ipv4(s, host_len, &ip)) {
        out->kind = COSEM_COMM_DEST_IPV4;
        out->ipv4 = ip;
    } else if (fqdn_ok(s, host_len)) {
        out->kind = COSEM_COMM_DEST_FQDN;
    } else {
        return COSEM_COMM_ERR_DEST;
    }
    out->port = (uint16_t)port;
    out->host = s;
    out->host_len = (uint8_t)host_len;
    return 0;
}
