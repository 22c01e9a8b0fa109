/*
 * p1.c - DSMR 5.0.2 P1 telegram encoder and CRC-16/ARC (dlms-facts §5.2).
 * See p1.h for the interface and docs/p1.md for the lines produced.
 *
 * Numbers are written by a small fixed-point formatter (put_fixed): every
 * value arrives as an integer in the field's smallest unit (Wh for kWh
 * with 3 decimals, W for kW, 0.1 V, dm3 for m3), so the text is exact and
 * no floating point or printf is needed on the meter.
 */
#include "meter/p1.h"

#include <string.h>

/* Output cursor: counts every byte, stores only those that fit, so a
 * measuring pass (out == NULL, cap == 0) and a short buffer need no
 * special cases in the line writers. */
typedef struct {
    char *out;
    size_t cap;
    size_t len;
} p1_out_t;

static const uint64_t pow10_tab[] = {
    1ull,       10ull,       100ull,       1000ull,       10000ull,       100000ull,
    1000000ull, 10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
};

static const char hex_digits[] = "0123456789ABCDEF";

static void put_char(p1_out_t *w, char c) {
    if (w->len < w->cap) {
        w->out[w->len] = c;
    }
    w->len++;
}

static void put_str(p1_out_t *w, const char *s) {
    while (*s != '\0') {
        put_char(w, *s++);
    }
}

/* Writes v (already below 10^(int_digits + decimals)) as int_digits
 * zero-padded digits, '.', and decimals digits. */
static void put_fixed(p1_out_t *w, uint64_t v, unsigned int_digits, unsigned decimals) {
    char buf[20];
    unsigned n = int_digits + decimals;
    for (unsigned i = n; i > 0; i--) {
        buf[i - 1] = (char)('0' + (unsigned)(v % 10u));
        v /= 10u;
    }
    for (unsigned i = 0; i < n; i++) {
        if (i == int_digits) {
            put_char(w, '.');
        }
        put_char(w, buf[i]);
    }
}

/* A field that cannot show v shows its largest value instead: a wrong
 * but recognisably full reading, never a small one. */
static uint64_t saturate(uint64_t v, unsigned digits) {
    uint64_t max = pow10_tab[digits] - 1u;
    return v > max ? max : v;
}

static uint64_t nonneg(int32_t v) {
    return v < 0 ? 0u : (uint64_t)v;
}

/* Writes v without leading zeros (OBIS value groups, log entry count). */
static void put_uint(p1_out_t *w, unsigned v) {
    unsigned digits = 1;
    while (digits < 10u && v >= pow10_tab[digits]) {
        digits++;
    }
    put_fixed(w, v, digits, 0);
}

/* Writes "A-B:C.D.E(", the reduced OBIS id of IEC 62056-21 data lines. */
static void put_obis(p1_out_t *w, unsigned a, unsigned b, unsigned c, unsigned d, unsigned e) {
    put_uint(w, a);
    put_char(w, '-');
    put_uint(w, b);
    put_char(w, ':');
    put_uint(w, c);
    put_char(w, '.');
    put_uint(w, d);
    put_char(w, '.');
    put_uint(w, e);
    put_char(w, '(');
}

static void put_eol(p1_out_t *w) {
    put_char(w, '\r');
    put_char(w, '\n');
}

static void put_hex(p1_out_t *w, const uint8_t *data, size_t len) {
    for (size_t i = 0; i < len; i++) {
        put_char(w, hex_digits[data[i] >> 4]);
        put_char(w, hex_digits[data[i] & 0x0Fu]);
    }
}

/* YYMMDDhhmmssX, X = 'S' summer / 'W' winter (DSMR TST format). */
static void put_time(p1_out_t *w, const p1_time_t *t) {
    put_fixed(w, t->year % 100u, 2, 0);
    put_fixed(w, t->month, 2, 0);
    put_fixed(w, t->day, 2, 0);
    put_fixed(w, t->hour, 2, 0);
    put_fixed(w, t->minute, 2, 0);
    put_fixed(w, t->second, 2, 0);
    put_char(w, t->dst ? 'S' : 'W');
}

/* "value*unit)" CR LF: the common tail of a measurement line. */
static void put_unit_end(p1_out_t *w, const char *unit) {
    put_char(w, '*');
    put_str(w, unit);
    put_str(w, ")\r\n");
}

/* Energy register, kWh as 6.3 digits. It rolls over at 10^6 kWh like a
 * fixed-width register, so a consumer that takes differences stays right
 * (saturating would freeze the reading and lose consumption). */
static void put_energy(p1_out_t *w, unsigned c, unsigned e, uint64_t wh) {
    put_obis(w, 1, 0, c, 8, e);
    put_fixed(w, wh % pow10_tab[9], 6, 3);
    put_unit_end(w, "kWh");
}

/* Instantaneous power, kW as 2.3 digits from W (exact). */
static void put_power(p1_out_t *w, unsigned c, int32_t watt) {
    put_obis(w, 1, 0, c, 7, 0);
    put_fixed(w, saturate(nonneg(watt), 5), 2, 3);
    put_unit_end(w, "kW");
}

/* A plain zero-padded counter line such as 0-0:96.7.21(00013). */
static void put_counter(p1_out_t *w, unsigned a, unsigned c, unsigned d, unsigned e, uint64_t v,
                        unsigned digits) {
    put_obis(w, a, 0, c, d, e);
    put_fixed(w, saturate(v, digits), digits, 0);
    put_str(w, ")\r\n");
}

static void put_header(p1_out_t *w, const p1_values_t *v, const char *ident) {
    put_char(w, '/');
    put_str(w, ident);
    put_eol(w);
    put_eol(w);
    /* P1 version 5.0 uses medium 1, channel 3 (dlms-facts §6 item 6). */
    put_str(w, "1-3:0.2.8(50)\r\n");
    put_obis(w, 0, 0, 1, 0, 0);
    put_time(w, &v->timestamp);
    put_str(w, ")\r\n");
    put_obis(w, 0, 0, 96, 1, 1);
    put_hex(w, v->equipment_id, v->equipment_id_len);
    put_str(w, ")\r\n");
}

static void put_energy_and_power(p1_out_t *w, const p1_values_t *v) {
    put_energy(w, 1, 1, v->import_wh[0]);
    put_energy(w, 1, 2, v->import_wh[1]);
    put_energy(w, 2, 1, v->export_wh[0]);
    put_energy(w, 2, 2, v->export_wh[1]);
    put_counter(w, 0, 96, 14, 0, v->tariff, 4);
    put_power(w, 1, v->import_w);
    put_power(w, 2, v->export_w);
}

/* 1-0:99.97.0(n)(0-0:96.7.19)(end)(duration*s)...: a profile generic
 * with the OBIS id of its captured event, then n (end, duration) pairs. */
static void put_failures(p1_out_t *w, const p1_values_t *v) {
    put_counter(w, 0, 96, 7, 21, v->short_failures, 5);
    put_counter(w, 0, 96, 7, 9, v->long_failures, 5);
    put_obis(w, 1, 0, 99, 97, 0);
    put_uint(w, v->n_power_failures);
    put_str(w, ")(0-0:96.7.19)");
    for (unsigned i = 0; i < v->n_power_failures; i++) {
        const p1_power_failure_t *f = &v->power_failures[i];
        put_char(w, '(');
        put_time(w, &f->end);
        put_str(w, ")(");
        put_fixed(w, f->duration_s, 10, 0);
        put_str(w, "*s)");
    }
    put_eol(w);
}

/* Value group C of L1, L2, L3 for a quantity: L1 + 20 * (phase). */
static unsigned phase_c(unsigned c_l1, unsigned phase) {
    return c_l1 + 20u * phase;
}

static void put_quality(p1_out_t *w, const p1_values_t *v, unsigned phases) {
    for (unsigned p = 0; p < phases; p++) {
        put_counter(w, 1, phase_c(32, p), 32, 0, v->sags[p], 5);
    }
    for (unsigned p = 0; p < phases; p++) {
        put_counter(w, 1, phase_c(32, p), 36, 0, v->swells[p], 5);
    }
    put_obis(w, 0, 0, 96, 13, 0);
    put_hex(w, v->text, v->text_len);
    put_str(w, ")\r\n");
}

/* Current in A with the format's digits, rounded half up from mA. */
static uint64_t current_scaled(int32_t ma, unsigned decimals) {
    return (nonneg(ma) * pow10_tab[decimals] + 500u) / 1000u;
}

static void put_phase_values(p1_out_t *w, const p1_values_t *v, unsigned phases) {
    unsigned vi = v->format.voltage_int_digits ? v->format.voltage_int_digits : 3u;
    unsigned ci = v->format.current_int_digits ? v->format.current_int_digits : 3u;
    unsigned cd = v->format.current_decimals;
    for (unsigned p = 0; p < phases; p++) {
        put_obis(w, 1, 0, phase_c(32, p), 7, 0);
        put_fixed(w, saturate(nonneg(v->voltage_dv[p]), vi + 1u), vi, 1);
        put_unit_end(w, "V");
    }
    for (unsigned p = 0; p < phases; p++) {
        put_obis(w, 1, 0, phase_c(31, p), 7, 0);
        put_fixed(w, saturate(current_scaled(v->current_ma[p], cd), ci + cd), ci, cd);
        put_unit_end(w, "A");
    }
    for (unsigned p = 0; p < phases; p++) {
        put_power(w, phase_c(21, p), v->import_w_phase[p]);
    }
    for (unsigned p = 0; p < phases; p++) {
        put_power(w, phase_c(22, p), v->export_w_phase[p]);
    }
}

/* M-Bus channel n: device type, equipment id and, when there is one, the
 * last reading with its capture time (m3 as 5.3 digits, rolling over). */
static void put_mbus(p1_out_t *w, const p1_mbus_t *m, unsigned n) {
    put_obis(w, 0, n, 24, 1, 0);
    put_fixed(w, m->device_type, 3, 0);
    put_str(w, ")\r\n");
    put_obis(w, 0, n, 96, 1, 0);
    put_hex(w, m->equipment_id, m->equipment_id_len);
    put_str(w, ")\r\n");
    if (m->has_reading) {
        put_obis(w, 0, n, 24, 2, 1);
        put_time(w, &m->capture_time);
        put_str(w, ")(");
        put_fixed(w, m->volume_dm3 % pow10_tab[8], 5, 3);
        put_unit_end(w, "m3");
    }
}

static bool time_valid(const p1_time_t *t) {
    return t->month >= 1u && t->month <= 12u && t->day >= 1u && t->day <= 31u && t->hour <= 23u &&
           t->minute <= 59u && t->second <= 59u;
}

/* '/' and '!' delimit the CRC span and '(' ')' the values, so none of
 * them may appear in the identification. */
static int check_ident(const char *ident) {
    size_t n = 0;
    for (; ident[n] != '\0'; n++) {
        char c = ident[n];
        if (n >= P1_IDENT_MAX || c <= ' ' || c > '~' || c == '/' || c == '!' || c == '(' ||
            c == ')') {
            return P1_ERR_IDENT;
        }
    }
    return n == 0 ? P1_ERR_IDENT : 0;
}

static int check_format(const p1_format_t *f) {
    if (f->voltage_int_digits > 4u || f->current_int_digits > 3u || f->current_decimals > 2u) {
        return P1_ERR_BADARG;
    }
    return 0;
}

static int check_lengths(const p1_values_t *v) {
    if (v->equipment_id_len > EM_P1_EQUIPMENT_ID_MAX || v->text_len > EM_P1_TEXT_MAX ||
        v->n_power_failures > P1_MAX_POWER_FAILURES ||
        (v->equipment_id_len != 0u && v->equipment_id == NULL) ||
        (v->text_len != 0u && v->text == NULL)) {
        return P1_ERR_FIELD;
    }
    for (unsigned i = 0; i < EM_P1_MAX_MBUS; i++) {
        const p1_mbus_t *m = &v->mbus[i];
        if (m->present && (m->equipment_id_len > EM_P1_EQUIPMENT_ID_MAX ||
                           (m->equipment_id_len != 0u && m->equipment_id == NULL))) {
            return P1_ERR_FIELD;
        }
    }
    return 0;
}

static int check_times(const p1_values_t *v) {
    if (!time_valid(&v->timestamp)) {
        return P1_ERR_TIME;
    }
    for (unsigned i = 0; i < v->n_power_failures; i++) {
        if (!time_valid(&v->power_failures[i].end)) {
            return P1_ERR_TIME;
        }
    }
    for (unsigned i = 0; i < EM_P1_MAX_MBUS; i++) {
        if (v->mbus[i].present && v->mbus[i].has_reading && !time_valid(&v->mbus[i].capture_time)) {
            return P1_ERR_TIME;
        }
    }
    return 0;
}

/* Everything is checked before the first byte is written, so a refused
 * call leaves out untouched. */
static int check_values(const p1_values_t *v, const char *ident) {
    int rc = check_ident(ident);
    if (rc == 0) {
        rc = check_format(&v->format);
    }
    if (rc == 0) {
        rc = check_lengths(v);
    }
    if (rc == 0) {
        rc = check_times(v);
    }
    return rc;
}

static void put_body(p1_out_t *w, const p1_values_t *v, const char *ident) {
    unsigned phases = v->single_phase ? 1u : 3u;
    put_header(w, v, ident);
    put_energy_and_power(w, v);
    put_failures(w, v);
    put_quality(w, v, phases);
    put_phase_values(w, v, phases);
    for (unsigned i = 0; i < EM_P1_MAX_MBUS; i++) {
        if (v->mbus[i].present) {
            put_mbus(w, &v->mbus[i], i + 1u);
        }
    }
    put_char(w, '!');
}

int p1_telegram(const p1_values_t *v, const char *ident, char *out, size_t cap) {
    if (v == NULL || ident == NULL || (out == NULL && cap != 0u)) {
        return P1_ERR_BADARG;
    }
    int rc = check_values(v, ident);
    if (rc != 0) {
        return rc;
    }
    p1_out_t w = {out, cap, 0};
    put_body(&w, v, ident);
    size_t total = w.len + 6u; /* CRC and CR LF */
    if (out == NULL) {
        return (int)total;
    }
    if (total > cap) {
        return P1_ERR_BUFFER;
    }
    uint16_t crc = p1_crc16(0, (const uint8_t *)out, w.len);
    for (unsigned shift = 16; shift > 0; shift -= 4u) {
        put_char(&w, hex_digits[(crc >> (shift - 4u)) & 0x0Fu]);
    }
    put_eol(&w);
    return (int)w.len;
}

/* CRC-16/ARC bit by bit: 0xA001 is 0x8005 reflected. A table would be
 * faster but costs 512 bytes of flash for a telegram a second. */
uint16_t p1_crc16(uint16_t crc, const uint8_t *data, size_t len) {
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (unsigned bit = 0; bit < 8u; bit++) {
            crc = (crc & 1u) ? (uint16_t)((crc >> 1) ^ 0xA001u) : (uint16_t)(crc >> 1);
        }
    }
    return crc;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int p1_crc_check(const char *telegram, size_t len) {
    if (telegram == NULL || len == 0u || telegram[0] != '/') {
        return P1_ERR_FORMAT;
    }
    const char *bang = memchr(telegram, '!', len);
    if (bang == NULL) {
        return P1_ERR_FORMAT;
    }
    size_t span = (size_t)(bang - telegram) + 1u;
    if (len - span < 4u) {
        return P1_ERR_FORMAT;
    }
    unsigned want = 0;
    for (size_t i = 0; i < 4u; i++) {
        int d = hex_value(telegram[span + i]);
        if (d < 0) {
            return P1_ERR_FORMAT;
        }
        want = (want << 4) | (unsigned)d;
    }
    return p1_crc16(0, (const uint8_t *)telegram, span) == want ? 0 : P1_ERR_CRC;
}

const char *p1_strerror(int err) {
    switch (err) {
    case 0:
        return "ok";
    case P1_ERR_BADARG:
        return "bad argument";
    case P1_ERR_BUFFER:
        return "output buffer too small for the telegram";
    case P1_ERR_IDENT:
        return "identification empty, too long or with a reserved character";
    case P1_ERR_TIME:
        return "date-time field out of range";
    case P1_ERR_FIELD:
        return "equipment id or text too long, or too many power failure entries";
    case P1_ERR_FORMAT:
        return "not a P1 telegram: no '/', no '!' or bad CRC digits";
    case P1_ERR_CRC:
        return "telegram CRC does not match";
    default:
        return "unknown P1 error";
    }
}
