/*
 * readout.c - IEC 62056-21 data readout lines from the meter's registers
 * (see readout.h). No printf: lines are built with the small writer below,
 * so the module runs on the microcontroller as it is.
 */
#include "meter/readout.h"

#include <string.h>

#include "dlms/datetime.h"
#include "meter/registers.h"

const meter_readout_item_t meter_readout_default[] = {
    {{0, 0, 96, 1, 0}}, /* serial number */
    {{1, 0, 1, 8, 0}},  /* A+ total */
    {{1, 0, 1, 8, 1}},  /* A+ tariff 1 */
    {{1, 0, 1, 8, 2}},  /* A+ tariff 2 */
    {{1, 0, 2, 8, 0}},  /* A- total */
    {{1, 0, 2, 8, 1}},  /* A- tariff 1 */
    {{1, 0, 2, 8, 2}},  /* A- tariff 2 */
    {{1, 0, 0, 9, 1}},  /* local time */
    {{1, 0, 0, 9, 2}},  /* local date */
};
const size_t meter_readout_default_count =
    sizeof(meter_readout_default) / sizeof(meter_readout_default[0]);

/* Bounded line writer: overflow is remembered, checked once at the end. */
typedef struct line {
    char *buf;
    size_t cap;
    size_t len;
    int overflow;
} line_t;

static void put_char(line_t *l, char c) {
    if (l->len < l->cap)
        l->buf[l->len++] = c;
    else
        l->overflow = 1;
}

static void put_str(line_t *l, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        put_char(l, s[i]);
}

/* Decimal, at least `width` digits (zero padded). */
static void put_uint(line_t *l, uint32_t v, unsigned width) {
    char tmp[10];
    unsigned n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0 && n < sizeof(tmp));
    while (n < width && n < sizeof(tmp))
        tmp[n++] = '0';
    while (n > 0)
        put_char(l, tmp[--n]);
}

/* "C.D.E" when A = 1 and B = 0 (electricity, IEC 62056-61 reduced form),
 * else "A-B:C.D.E". */
static void put_address(line_t *l, const uint8_t obis[5]) {
    if (obis[0] != 1 || obis[1] != 0) {
        put_uint(l, obis[0], 1);
        put_char(l, '-');
        put_uint(l, obis[1], 1);
        put_char(l, ':');
    }
    put_uint(l, obis[2], 1);
    put_char(l, '.');
    put_uint(l, obis[3], 1);
    put_char(l, '.');
    put_uint(l, obis[4], 1);
}

/* An identity octet string, printable characters only: anything else
 * (and the data-set delimiters) would break the data line. */
static int put_ident(line_t *l, const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char c = (char)s[i];
        if (c < 0x20 || c > 0x7E || c == '(' || c == ')' || c == '/' || c == '!' || c == '*')
            return METER_READOUT_ERR_OBIS;
        put_char(l, c);
    }
    return 0;
}

/* Energy register idx in kWh with three decimals: Wh / 1000. */
static void put_kwh(line_t *l, const meter_t *m, enum meter_ereg idx) {
    uint32_t wh = meter_energy_wh(&m->energy, idx);
    put_uint(l, wh / 1000u, 6);
    put_char(l, '.');
    put_uint(l, wh % 1000u, 3);
    put_str(l, "*kWh", 4);
}

static int put_energy(line_t *l, const meter_t *m, uint8_t c, uint8_t t) {
    if (t > m->tariffs)
        return METER_READOUT_ERR_OBIS;
    enum meter_ereg base = c == 1 ? METER_E_A_PLUS : METER_E_A_MINUS;
    enum meter_ereg tbase = c == 1 ? METER_E_A_PLUS_T1 : METER_E_A_MINUS_T1;
    put_kwh(l, m, t == 0 ? base : (enum meter_ereg)(tbase + t - 1));
    return 0;
}

/* 0.9.1 hhmmss, 0.9.2 yymmdd, in the clock's local time. */
static int put_clock(line_t *l, const meter_t *m, int64_t utc, uint8_t e) {
    cosem_datetime_t dt;
    if (cosem_clock_local(&m->clock, utc, &dt) != 0)
        return METER_READOUT_ERR_OBIS;
    uint8_t f[3] = {dt.hour, dt.minute, dt.second};
    if (e == 2) {
        f[0] = (uint8_t)(dt.year % 100u);
        f[1] = dt.month;
        f[2] = dt.day;
    }
    for (int i = 0; i < 3; i++)
        put_uint(l, f[i], 2);
    return 0;
}

static int put_value(line_t *l, const meter_t *m, const uint8_t *o, int64_t utc) {
    if (o[0] == 0 && o[1] == 0 && o[2] == 42 && o[3] == 0 && o[4] == 0)
        return put_ident(l, m->ldn, m->ldn_len);
    if (o[0] == 0 && o[1] == 0 && o[2] == 96 && o[3] == 1 && o[4] == 0)
        return put_ident(l, m->serial, m->serial_len);
    if (o[0] == 0 && o[1] == 0 && o[2] == 96 && o[3] == 1 && o[4] == 1)
        return put_ident(l, m->equipment_id, m->equipment_id_len);
    if (o[0] == 1 && o[1] == 0 && (o[2] == 1 || o[2] == 2) && o[3] == 8)
        return put_energy(l, m, o[2], o[4]);
    if (o[0] == 1 && o[1] == 0 && o[2] == 0 && o[3] == 9 && (o[4] == 1 || o[4] == 2))
        return put_clock(l, m, utc, o[4]);
    return METER_READOUT_ERR_OBIS;
}

int meter_readout_line(const meter_t *m, const meter_readout_item_t *list, size_t count,
                       int64_t utc, unsigned index, char *buf, size_t cap) {
    if (m == NULL || buf == NULL || (list == NULL && count > 0))
        return METER_READOUT_ERR_BADARG;
    if (index >= count)
        return 0;
    line_t l = {buf, cap, 0, 0};
    put_address(&l, list[index].obis);
    put_char(&l, '(');
    int rc = put_value(&l, m, list[index].obis, utc);
    if (rc < 0)
        return rc;
    put_char(&l, ')');
    if (l.overflow || l.len > (size_t)INT32_MAX)
        return METER_READOUT_ERR_SPACE;
    return (int)l.len;
}

/* Reads a decimal 0..255 at s[*pos]; returns -1 when there is none. */
static int read_u8(const char *s, size_t len, size_t *pos) {
    unsigned v = 0, n = 0;
    while (*pos < len && s[*pos] >= '0' && s[*pos] <= '9' && n < 4) {
        v = v * 10u + (unsigned)(s[*pos] - '0');
        (*pos)++;
        n++;
    }
    return n == 0 || n > 3 || v > 255 ? -1 : (int)v;
}

int meter_readout_parse(const char *s, size_t len, meter_readout_item_t *item) {
    if (s == NULL || item == NULL)
        return METER_READOUT_ERR_BADARG;
    int v[6];
    size_t pos = 0;
    int n = 0;
    while (n < 6) {
        v[n] = read_u8(s, len, &pos);
        if (v[n] < 0)
            return METER_READOUT_ERR_OBIS;
        n++;
        if (pos == len)
            break;
        char sep = s[pos++];
        if (sep != '.' && sep != '-' && sep != ':' && sep != '*')
            return METER_READOUT_ERR_OBIS;
    }
    if (pos != len)
        return METER_READOUT_ERR_OBIS;
    /* A trailing F must be 255: the readout has no historical values. */
    int groups = n;
    if ((n == 4 || n == 6) && v[n - 1] == 255)
        groups = n - 1;
    if (groups == 3) {
        item->obis[0] = 1;
        item->obis[1] = 0;
        for (int i = 0; i < 3; i++)
            item->obis[2 + i] = (uint8_t)v[i];
        return 0;
    }
    if (groups == 5) {
        for (int i = 0; i < 5; i++)
            item->obis[i] = (uint8_t)v[i];
        return 0;
    }
    return METER_READOUT_ERR_OBIS;
}

const char *meter_readout_strerror(int err) {
    switch (err) {
    case METER_READOUT_ERR_BADARG:
        return "readout: NULL argument";
    case METER_READOUT_ERR_OBIS:
        return "readout: OBIS code not available on the optical port";
    case METER_READOUT_ERR_SPACE:
        return "readout: line too long";
    default:
        return "readout: unknown error";
    }
}
