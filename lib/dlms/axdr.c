/*
 * axdr.c - A-XDR encoder and decoder for COSEM Data (IEC 61334-6 A-XDR,
 * IEC 62056-6-2 / Green Book 9.5 Data CHOICE). See axdr.h for the wire rules.
 *
 * Decoder safety: every read goes through rd_be()/rd_span(), which compare
 * against the bytes that remain in the slice first. Public functions work on
 * a copy of the cursor and store it back only on success, so a refusal
 * leaves the decoder where it was. Counts are bounded by the remaining bytes
 * (every element takes at least one byte) before anything loops over them,
 * so a hostile count costs nothing.
 */
#include "dlms/axdr.h"

#include <string.h>

#if EM_AXDR_MAX_DEPTH < 1
#error "EM_AXDR_MAX_DEPTH must be at least 1"
#endif

/* ---- type table ------------------------------------------------------------ */

enum kind {
    K_UNKNOWN = 0, /* unassigned tag */
    K_NULL,        /* no content */
    K_CONTAINER,   /* array, structure: length-encoded element count */
    K_FIXED,       /* fixed-size content of TYPES[].size bytes */
    K_STRING,      /* length-encoded byte count, then the bytes */
    K_BITS,        /* length-encoded bit count, then (bits+7)/8 bytes */
    K_COMPACT,     /* compact-array */
};

typedef struct type_info {
    uint8_t kind;
    uint8_t size;
} type_info_t;

#define TAG_COUNT 28

static const type_info_t TYPES[TAG_COUNT] = {
    [AXDR_NULL] = {K_NULL, 0},
    [AXDR_ARRAY] = {K_CONTAINER, 0},
    [AXDR_STRUCTURE] = {K_CONTAINER, 0},
    [AXDR_BOOLEAN] = {K_FIXED, 1},
    [AXDR_BIT_STRING] = {K_BITS, 0},
    [AXDR_DOUBLE_LONG] = {K_FIXED, 4},
    [AXDR_DOUBLE_LONG_UNSIGNED] = {K_FIXED, 4},
    [AXDR_OCTET_STRING] = {K_STRING, 0},
    [AXDR_VISIBLE_STRING] = {K_STRING, 0},
    [AXDR_UTF8_STRING] = {K_STRING, 0},
    [AXDR_BCD] = {K_FIXED, 1},
    [AXDR_INTEGER] = {K_FIXED, 1},
    [AXDR_LONG] = {K_FIXED, 2},
    [AXDR_UNSIGNED] = {K_FIXED, 1},
    [AXDR_LONG_UNSIGNED] = {K_FIXED, 2},
    [AXDR_COMPACT_ARRAY] = {K_COMPACT, 0},
    [AXDR_LONG64] = {K_FIXED, 8},
    [AXDR_LONG64_UNSIGNED] = {K_FIXED, 8},
    [AXDR_ENUM] = {K_FIXED, 1},
    [AXDR_FLOAT32] = {K_FIXED, 4},
    [AXDR_FLOAT64] = {K_FIXED, 8},
    [AXDR_DATE_TIME] = {K_FIXED, COSEM_DATETIME_LEN},
    [AXDR_DATE] = {K_FIXED, COSEM_DATE_LEN},
    [AXDR_TIME] = {K_FIXED, COSEM_TIME_LEN},
};

static type_info_t type_info(uint8_t tag) {
    if (tag >= TAG_COUNT) {
        return (type_info_t){K_UNKNOWN, 0};
    }
    return TYPES[tag];
}

bool axdr_tag_is_known(uint8_t tag) {
    return type_info(tag).kind != K_UNKNOWN;
}

static bool is_signed_tag(uint8_t tag) {
    return tag == AXDR_INTEGER || tag == AXDR_LONG || tag == AXDR_DOUBLE_LONG || tag == AXDR_LONG64;
}

const char *axdr_strerror(int err) {
    switch (err) {
    case 0:
        return "ok";
    case AXDR_ERR_OVERFLOW:
        return "A-XDR: output buffer full";
    case AXDR_ERR_TRUNCATED:
        return "A-XDR: input ends inside an element";
    case AXDR_ERR_LENGTH:
        return "A-XDR: bad length field or length beyond the input";
    case AXDR_ERR_TAG:
        return "A-XDR: unknown data type tag";
    case AXDR_ERR_DEPTH:
        return "A-XDR: arrays/structures nested too deep";
    case AXDR_ERR_TYPE:
        return "A-XDR: element has another type than expected";
    case AXDR_ERR_COUNT:
        return "A-XDR: element count larger than the remaining input";
    case AXDR_ERR_COMPACT:
        return "A-XDR: invalid compact-array description or contents";
    case AXDR_ERR_ARG:
        return "A-XDR: invalid argument";
    case COSEM_DT_ERR_INVALID:
        return "date-time: field out of range or date does not exist";
    case COSEM_DT_ERR_UNSPECIFIED:
        return "date-time: a needed field is not specified";
    case COSEM_DT_ERR_PATTERN:
        return "date-time: DST month or last-day pattern is not a date";
    case COSEM_DT_ERR_RANGE:
        return "date-time: outside years 0..65534";
    case COSEM_DT_ERR_ARG:
        return "date-time: invalid argument";
    default:
        return "A-XDR: unknown error";
    }
}

/* ---- big-endian and length helpers ----------------------------------------- */

static void be_store(uint64_t v, unsigned n, uint8_t *out) {
    for (unsigned i = 0; i < n; i++) {
        out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
}

static uint64_t be_load(const uint8_t *p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* Two's complement of an n-byte big-endian value, without relying on the
 * implementation-defined conversion of out-of-range unsigned values. */
static int64_t to_signed(uint64_t raw, unsigned nbytes) {
    uint64_t sign = (uint64_t)1 << (8 * nbytes - 1);
    uint64_t mask = sign | (sign - 1);
    if ((raw & sign) == 0) {
        return (int64_t)raw;
    }
    return -(int64_t)(~raw & mask) - 1;
}

static bool fits_u32(size_t n) {
#if SIZE_MAX > 0xFFFFFFFFu
    return n <= 0xFFFFFFFFu;
#else
    (void)n;
    return true;
#endif
}

/* A-XDR length field for n <= 0xFFFFFFFF; returns its size (1..5). */
static size_t length_encode(uint32_t n, uint8_t out[AXDR_LENGTH_MAX_BYTES]) {
    if (n < 0x80) {
        out[0] = (uint8_t)n;
        return 1;
    }
    unsigned bytes = n > 0xFFFFFFu ? 4 : n > 0xFFFFu ? 3 : n > 0xFFu ? 2 : 1;
    out[0] = (uint8_t)(0x80u | bytes);
    be_store(n, bytes, out + 1);
    return 1 + bytes;
}

/* ======================================================================== */
/* Encoder                                                                   */
/* ======================================================================== */

static void enc_setup(axdr_enc_t *e, uint8_t *buf, size_t cap, uint8_t mode, size_t offset) {
    if (e == NULL) {
        return;
    }
    memset(e, 0, sizeof(*e));
    e->buf = buf;
    e->cap = cap;
    e->mode = mode;
    e->offset = offset;
}

void axdr_enc_init(axdr_enc_t *e, uint8_t *buf, size_t cap) {
    if (buf == NULL) {
        enc_setup(e, NULL, 0, AXDR_ENC_MEASURE, 0);
    } else {
        enc_setup(e, buf, cap, AXDR_ENC_WRITE, 0);
    }
}

void axdr_enc_init_measure(axdr_enc_t *e) {
    enc_setup(e, NULL, 0, AXDR_ENC_MEASURE, 0);
}

void axdr_enc_init_window(axdr_enc_t *e, uint8_t *buf, size_t cap, size_t offset) {
    enc_setup(e, buf, buf ? cap : 0, AXDR_ENC_WINDOW, offset);
}

void axdr_enc_untagged(axdr_enc_t *e, bool untagged) {
    if (e != NULL) {
        e->untagged = untagged ? 1 : 0;
    }
}

size_t axdr_enc_size(const axdr_enc_t *e) {
    return e ? e->pos : 0;
}

static int enc_fail(axdr_enc_t *e, int err) {
    if (e->err == 0) {
        e->err = err;
    }
    return e->err;
}

/* Start an item of n bytes. In write mode the whole item must fit, so a
 * refused item leaves no partial bytes behind. */
static int enc_begin(axdr_enc_t *e, size_t n) {
    if (e->err != 0) {
        return e->err;
    }
    if (n > SIZE_MAX - e->pos) {
        return enc_fail(e, AXDR_ERR_OVERFLOW);
    }
    if (e->mode == AXDR_ENC_WRITE && n > e->cap - e->len) {
        return enc_fail(e, AXDR_ERR_OVERFLOW);
    }
    return 0;
}

/* Append bytes after enc_begin() accepted the item. Window mode drops what
 * lies before the window and stops at its end. */
static void enc_bytes(axdr_enc_t *e, const uint8_t *p, size_t n) {
    if (e->err != 0 || n == 0) {
        return;
    }
    if (e->mode == AXDR_ENC_MEASURE) {
        e->len += n;
        e->pos += n;
        return;
    }
    if (e->mode == AXDR_ENC_WINDOW && e->pos < e->offset) {
        size_t drop = e->offset - e->pos < n ? e->offset - e->pos : n;
        e->pos += drop;
        p += drop;
        n -= drop;
    }
    size_t room = e->cap - e->len;
    size_t k = n < room ? n : room;
    if (k > 0) {
        memcpy(e->buf + e->len, p, k);
        e->len += k;
        e->pos += k;
    }
    if (k < n) {
        enc_fail(e, AXDR_ERR_OVERFLOW); /* window full: more follows */
    }
}

/* Tag (unless untagged) + header + payload as one item. */
static int put_item(axdr_enc_t *e, uint8_t tag, const uint8_t *hdr, size_t hlen,
                    const uint8_t *data, size_t dlen) {
    if (e == NULL) {
        return AXDR_ERR_ARG;
    }
    size_t tlen = e->untagged ? 0 : 1;
    if (dlen > SIZE_MAX - tlen - hlen) {
        return enc_fail(e, AXDR_ERR_OVERFLOW);
    }
    int rc = enc_begin(e, tlen + hlen + dlen);
    if (rc != 0) {
        return rc;
    }
    enc_bytes(e, &tag, tlen);
    enc_bytes(e, hdr, hlen);
    enc_bytes(e, data, dlen);
    return e->err;
}

static int put_fixed(axdr_enc_t *e, uint8_t tag, uint64_t v, unsigned n) {
    uint8_t b[8];
    be_store(v, n, b);
    return put_item(e, tag, NULL, 0, b, n);
}

/* Tagged element whose content is a length field and n bytes. */
static int put_counted(axdr_enc_t *e, uint8_t tag, const uint8_t *p, size_t n) {
    if (e == NULL) {
        return AXDR_ERR_ARG;
    }
    if ((p == NULL && n > 0) || !fits_u32(n)) {
        return enc_fail(e, AXDR_ERR_ARG);
    }
    uint8_t hdr[AXDR_LENGTH_MAX_BYTES];
    size_t hlen = length_encode((uint32_t)n, hdr);
    return put_item(e, tag, hdr, hlen, p, n);
}

int axdr_put_length(axdr_enc_t *e, size_t n) {
    if (e == NULL) {
        return AXDR_ERR_ARG;
    }
    if (!fits_u32(n)) {
        return enc_fail(e, AXDR_ERR_ARG);
    }
    uint8_t hdr[AXDR_LENGTH_MAX_BYTES];
    size_t hlen = length_encode((uint32_t)n, hdr);
    int rc = enc_begin(e, hlen);
    if (rc == 0) {
        enc_bytes(e, hdr, hlen);
    }
    return e->err;
}

int axdr_put_raw(axdr_enc_t *e, const uint8_t *p, size_t n) {
    if (e == NULL) {
        return AXDR_ERR_ARG;
    }
    if (p == NULL && n > 0) {
        return enc_fail(e, AXDR_ERR_ARG);
    }
    int rc = enc_begin(e, n);
    if (rc == 0) {
        enc_bytes(e, p, n);
    }
    return e->err;
}

int axdr_put_null(axdr_enc_t *e) {
    return put_item(e, AXDR_NULL, NULL, 0, NULL, 0);
}

/* Inside compact-array contents a container has no header: the description
 * fixed its shape. */
static int put_container(axdr_enc_t *e, uint8_t tag, uint32_t count) {
    if (e == NULL) {
        return AXDR_ERR_ARG;
    }
    if (e->untagged) {
        return e->err;
    }
    uint8_t hdr[AXDR_LENGTH_MAX_BYTES];
    size_t hlen = length_encode(count, hdr);
    return put_item(e, tag, hdr, hlen, NULL, 0);
}

int axdr_put_array(axdr_enc_t *e, uint32_t count) {
    return put_container(e, AXDR_ARRAY, count);
}

int axdr_put_structure(axdr_enc_t *e, uint32_t count) {
    return put_container(e, AXDR_STRUCTURE, count);
}

int axdr_put_boolean(axdr_enc_t *e, bool v) {
    return put_fixed(e, AXDR_BOOLEAN, v ? 1 : 0, 1);
}

int axdr_put_bit_string(axdr_enc_t *e, const uint8_t *bits, size_t nbits) {
    if (e == NULL) {
        return AXDR_ERR_ARG;
    }
    if ((bits == NULL && nbits > 0) || !fits_u32(nbits)) {
        return enc_fail(e, AXDR_ERR_ARG);
    }
    size_t nbytes = nbits / 8 + (nbits % 8 != 0);
    uint8_t hdr[1 + AXDR_LENGTH_MAX_BYTES];
    size_t hlen = 0;
    if (!e->untagged) {
        hdr[hlen++] = AXDR_BIT_STRING;
    }
    hlen += length_encode((uint32_t)nbits, hdr + hlen);
    int rc = enc_begin(e, hlen + nbytes);
    if (rc != 0) {
        return rc;
    }
    enc_bytes(e, hdr, hlen);
    if (nbytes > 0) {
        /* Unused low bits of the last byte go out as zero. */
        uint8_t last = bits[nbytes - 1];
        if (nbits % 8 != 0) {
            last &= (uint8_t)(0xFFu << (8 - nbits % 8));
        }
        enc_bytes(e, bits, nbytes - 1);
        enc_bytes(e, &last, 1);
    }
    return e->err;
}

int axdr_put_int32(axdr_enc_t *e, int32_t v) {
    return put_fixed(e, AXDR_DOUBLE_LONG, (uint32_t)v, 4);
}

int axdr_put_uint32(axdr_enc_t *e, uint32_t v) {
    return put_fixed(e, AXDR_DOUBLE_LONG_UNSIGNED, v, 4);
}

int axdr_put_octet_string(axdr_enc_t *e, const uint8_t *p, size_t n) {
    return put_counted(e, AXDR_OCTET_STRING, p, n);
}

int axdr_put_visible_string(axdr_enc_t *e, const char *s, size_t n) {
    return put_counted(e, AXDR_VISIBLE_STRING, (const uint8_t *)s, n);
}

int axdr_put_utf8_string(axdr_enc_t *e, const uint8_t *p, size_t n) {
    return put_counted(e, AXDR_UTF8_STRING, p, n);
}

int axdr_put_bcd(axdr_enc_t *e, uint8_t v) {
    return put_fixed(e, AXDR_BCD, v, 1);
}

int axdr_put_int8(axdr_enc_t *e, int8_t v) {
    return put_fixed(e, AXDR_INTEGER, (uint8_t)v, 1);
}

int axdr_put_int16(axdr_enc_t *e, int16_t v) {
    return put_fixed(e, AXDR_LONG, (uint16_t)v, 2);
}

int axdr_put_uint8(axdr_enc_t *e, uint8_t v) {
    return put_fixed(e, AXDR_UNSIGNED, v, 1);
}

int axdr_put_uint16(axdr_enc_t *e, uint16_t v) {
    return put_fixed(e, AXDR_LONG_UNSIGNED, v, 2);
}

int axdr_put_int64(axdr_enc_t *e, int64_t v) {
    return put_fixed(e, AXDR_LONG64, (uint64_t)v, 8);
}

int axdr_put_uint64(axdr_enc_t *e, uint64_t v) {
    return put_fixed(e, AXDR_LONG64_UNSIGNED, v, 8);
}

int axdr_put_enum(axdr_enc_t *e, uint8_t v) {
    return put_fixed(e, AXDR_ENUM, v, 1);
}

/* float/double are IEEE 754 binary32/binary64 on every supported target
 * (x86-64, Cortex-M with or without FPU); their bit patterns go out as
 * big-endian integers. */
_Static_assert(sizeof(float) == 4 && sizeof(double) == 8, "IEEE 754 float/double expected");

int axdr_put_float32(axdr_enc_t *e, float v) {
    uint32_t bits;
    memcpy(&bits, &v, sizeof(bits));
    return put_fixed(e, AXDR_FLOAT32, bits, 4);
}

int axdr_put_float64(axdr_enc_t *e, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    return put_fixed(e, AXDR_FLOAT64, bits, 8);
}

int axdr_put_date_time(axdr_enc_t *e, const cosem_datetime_t *dt) {
    uint8_t b[COSEM_DATETIME_LEN];
    if (dt == NULL) {
        return e ? enc_fail(e, AXDR_ERR_ARG) : AXDR_ERR_ARG;
    }
    cosem_datetime_pack(dt, b);
    return put_item(e, AXDR_DATE_TIME, NULL, 0, b, sizeof(b));
}

int axdr_put_date(axdr_enc_t *e, const cosem_date_t *d) {
    uint8_t b[COSEM_DATE_LEN];
    if (d == NULL) {
        return e ? enc_fail(e, AXDR_ERR_ARG) : AXDR_ERR_ARG;
    }
    cosem_date_pack(d, b);
    return put_item(e, AXDR_DATE, NULL, 0, b, sizeof(b));
}

int axdr_put_time(axdr_enc_t *e, const cosem_time_t *t) {
    uint8_t b[COSEM_TIME_LEN];
    if (t == NULL) {
        return e ? enc_fail(e, AXDR_ERR_ARG) : AXDR_ERR_ARG;
    }
    cosem_time_pack(t, b);
    return put_item(e, AXDR_TIME, NULL, 0, b, sizeof(b));
}

int axdr_put_date_time_os(axdr_enc_t *e, const cosem_datetime_t *dt) {
    uint8_t b[COSEM_DATETIME_LEN];
    if (dt == NULL) {
        return e ? enc_fail(e, AXDR_ERR_ARG) : AXDR_ERR_ARG;
    }
    cosem_datetime_pack(dt, b);
    return put_counted(e, AXDR_OCTET_STRING, b, sizeof(b));
}

int axdr_put_date_os(axdr_enc_t *e, const cosem_date_t *d) {
    uint8_t b[COSEM_DATE_LEN];
    if (d == NULL) {
        return e ? enc_fail(e, AXDR_ERR_ARG) : AXDR_ERR_ARG;
    }
    cosem_date_pack(d, b);
    return put_counted(e, AXDR_OCTET_STRING, b, sizeof(b));
}

int axdr_put_time_os(axdr_enc_t *e, const cosem_time_t *t) {
    uint8_t b[COSEM_TIME_LEN];
    if (t == NULL) {
        return e ? enc_fail(e, AXDR_ERR_ARG) : AXDR_ERR_ARG;
    }
    cosem_time_pack(t, b);
    return put_counted(e, AXDR_OCTET_STRING, b, sizeof(b));
}

/* ---- compact-array encoder --------------------------------------------------- */

/* Description and contents framing are only legal outside the contents. */
static int ca_outside(axdr_enc_t *e) {
    if (e == NULL) {
        return AXDR_ERR_ARG;
    }
    if (e->err == 0 && e->untagged) {
        return enc_fail(e, AXDR_ERR_COMPACT);
    }
    return e->err;
}

int axdr_put_compact_array_begin(axdr_enc_t *e) {
    int rc = ca_outside(e);
    return rc != 0 ? rc : put_item(e, AXDR_COMPACT_ARRAY, NULL, 0, NULL, 0);
}

int axdr_put_type_desc(axdr_enc_t *e, uint8_t tag) {
    int rc = ca_outside(e);
    if (rc != 0) {
        return rc;
    }
    /* A simple type that takes at least one content byte: null would make
     * elements of zero size, so the element count would be undefined. */
    uint8_t kind = type_info(tag).kind;
    if (kind != K_FIXED && kind != K_STRING && kind != K_BITS) {
        return enc_fail(e, AXDR_ERR_COMPACT);
    }
    return axdr_put_raw(e, &tag, 1);
}

int axdr_put_type_desc_array(axdr_enc_t *e, uint16_t count) {
    int rc = ca_outside(e);
    if (rc != 0) {
        return rc;
    }
    if (count == 0) {
        return enc_fail(e, AXDR_ERR_COMPACT);
    }
    uint8_t b[3] = {AXDR_ARRAY, (uint8_t)(count >> 8), (uint8_t)count};
    return axdr_put_raw(e, b, sizeof(b));
}

int axdr_put_type_desc_structure(axdr_enc_t *e, uint32_t count) {
    int rc = ca_outside(e);
    if (rc != 0) {
        return rc;
    }
    if (count == 0) {
        return enc_fail(e, AXDR_ERR_COMPACT);
    }
    uint8_t b[1 + AXDR_LENGTH_MAX_BYTES] = {AXDR_STRUCTURE};
    size_t n = 1 + length_encode(count, b + 1);
    return axdr_put_raw(e, b, n);
}

int axdr_put_compact_array_contents(axdr_enc_t *e, size_t contents_len) {
    int rc = ca_outside(e);
    if (rc != 0) {
        return rc;
    }
    rc = axdr_put_length(e, contents_len);
    if (rc != 0) {
        return rc;
    }
    if (contents_len > SIZE_MAX - e->pos) {
        return enc_fail(e, AXDR_ERR_OVERFLOW);
    }
    e->ca_end = e->pos + contents_len;
    e->untagged = 1;
    return 0;
}

int axdr_put_compact_array_end(axdr_enc_t *e) {
    if (e == NULL) {
        return AXDR_ERR_ARG;
    }
    if (e->err != 0) {
        return e->err;
    }
    if (!e->untagged || e->pos != e->ca_end) {
        return enc_fail(e, AXDR_ERR_COMPACT);
    }
    e->untagged = 0;
    return 0;
}

/* ======================================================================== */
/* Decoder                                                                   */
/* ======================================================================== */

void axdr_dec_init(axdr_dec_t *d, const uint8_t *p, size_t len) {
    if (d == NULL) {
        return;
    }
    d->p = p;
    d->len = p ? len : 0;
    d->pos = 0;
}

static size_t rem_at(const axdr_dec_t *d, size_t pos) {
    return pos < d->len ? d->len - pos : 0;
}

size_t axdr_dec_remaining(const axdr_dec_t *d) {
    return d ? rem_at(d, d->pos) : 0;
}

/* n (1..8) big-endian bytes at *pos. */
static int rd_be(const axdr_dec_t *d, size_t *pos, unsigned n, uint64_t *out) {
    if (rem_at(d, *pos) < n) {
        return AXDR_ERR_TRUNCATED;
    }
    *out = be_load(d->p + *pos, n);
    *pos += n;
    return 0;
}

/* n bytes at *pos, as a pointer into the input. A length field promised
 * them, so running short is a bad length rather than a truncation. */
static int rd_span(const axdr_dec_t *d, size_t *pos, uint64_t n, const uint8_t **out) {
    if (n > rem_at(d, *pos)) {
        return AXDR_ERR_LENGTH;
    }
    *out = d->p + *pos;
    *pos += (size_t)n;
    return 0;
}

static int rd_length(const axdr_dec_t *d, size_t *pos, uint32_t *out) {
    uint64_t first, v;
    int rc = rd_be(d, pos, 1, &first);
    if (rc != 0) {
        return rc;
    }
    if (first < 0x80) {
        *out = (uint32_t)first;
        return 0;
    }
    unsigned n = (unsigned)(first & 0x7F);
    if (n == 0 || n > 4) {
        return AXDR_ERR_LENGTH;
    }
    rc = rd_be(d, pos, n, &v);
    if (rc != 0) {
        return rc;
    }
    *out = (uint32_t)v;
    return 0;
}

/* Scalar fields of v from the raw fixed-size content at p. */
static void fixed_value(uint8_t tag, const uint8_t *p, unsigned size, axdr_value_t *v) {
    uint64_t raw = size <= 8 ? be_load(p, size) : 0;
    switch (tag) {
    case AXDR_BOOLEAN:
        v->b = raw != 0; /* any nonzero byte is true */
        break;
    case AXDR_FLOAT32: {
        uint32_t bits = (uint32_t)raw;
        memcpy(&v->f32, &bits, sizeof(bits));
        break;
    }
    case AXDR_FLOAT64:
        memcpy(&v->f64, &raw, sizeof(raw));
        break;
    case AXDR_DATE_TIME:
        cosem_datetime_unpack(p, &v->dt);
        break;
    case AXDR_DATE:
        cosem_date_unpack(p, &v->date);
        break;
    case AXDR_TIME:
        cosem_time_unpack(p, &v->time);
        break;
    default:
        if (is_signed_tag(tag)) {
            v->i = to_signed(raw, size);
        } else {
            v->u = raw;
        }
        break;
    }
}

static int rd_compact(const axdr_dec_t *d, size_t *pos, axdr_value_t *v);

/* Content of an element whose tag is already known. */
static int rd_content(const axdr_dec_t *d, size_t *pos, uint8_t tag, axdr_value_t *v) {
    type_info_t ti = type_info(tag);
    uint32_t n = 0;
    int rc;
    v->tag = tag;
    switch (ti.kind) {
    case K_NULL:
        return 0;
    case K_CONTAINER:
        rc = rd_length(d, pos, &n);
        if (rc == 0 && n > rem_at(d, *pos)) {
            rc = AXDR_ERR_COUNT; /* each element takes at least its tag byte */
        }
        v->count = n;
        return rc;
    case K_FIXED:
        rc = rd_span(d, pos, ti.size, &v->p);
        if (rc != 0) {
            return AXDR_ERR_TRUNCATED;
        }
        v->len = ti.size;
        fixed_value(tag, v->p, ti.size, v);
        return 0;
    case K_STRING:
        rc = rd_length(d, pos, &n);
        if (rc == 0) {
            rc = rd_span(d, pos, n, &v->p);
            v->len = n;
        }
        return rc;
    case K_BITS:
        rc = rd_length(d, pos, &n);
        if (rc == 0) {
            v->len = n / 8 + (n % 8 != 0);
            v->count = n;
            rc = rd_span(d, pos, v->len, &v->p);
        }
        return rc;
    case K_COMPACT:
        return rd_compact(d, pos, v);
    default:
        return AXDR_ERR_TAG;
    }
}

/* ---- compact-array decoder ---------------------------------------------------- */

/* Above the largest contents (2^32-1 bytes): "cannot fit". Sizes are kept
 * at or below it, so sums of two and products with a 16-bit array count
 * stay far from uint64 overflow without any division. */
#define CA_TOO_BIG ((uint64_t)1 << 33)

static uint64_t ca_clamp(uint64_t n) {
    return n > CA_TOO_BIG ? CA_TOO_BIG : n;
}

static int desc_check(const axdr_dec_t *d, size_t *pos, unsigned depth, uint64_t *min);

/* array: count(2 bytes) + one description. */
static int desc_check_array(const axdr_dec_t *d, size_t *pos, unsigned depth, uint64_t *min) {
    uint64_t count, sub;
    int rc = rd_be(d, pos, 2, &count);
    if (rc != 0) {
        return rc;
    }
    if (count == 0) {
        return AXDR_ERR_COMPACT;
    }
    rc = desc_check(d, pos, depth + 1, &sub);
    if (rc != 0) {
        return rc;
    }
    *min = ca_clamp(count * sub);
    return 0;
}

/* structure: count(length-encoded) + count descriptions. */
static int desc_check_structure(const axdr_dec_t *d, size_t *pos, unsigned depth, uint64_t *min) {
    uint32_t count;
    int rc = rd_length(d, pos, &count);
    if (rc != 0) {
        return rc;
    }
    if (count == 0 || count > rem_at(d, *pos)) {
        return AXDR_ERR_COMPACT;
    }
    *min = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t sub;
        rc = desc_check(d, pos, depth + 1, &sub);
        if (rc != 0) {
            return rc;
        }
        *min = ca_clamp(*min + sub);
    }
    return 0;
}

/* Check one TypeDescription at *pos (depth = containers around it) and give
 * the fewest content bytes a value of it takes. Every leaf takes at least
 * one byte, so walking the contents always makes progress. */
static int desc_check(const axdr_dec_t *d, size_t *pos, unsigned depth, uint64_t *min) {
    uint64_t tag;
    int rc = rd_be(d, pos, 1, &tag);
    if (rc != 0) {
        return rc;
    }
    type_info_t ti = type_info((uint8_t)tag);
    *min = 1;
    switch (ti.kind) {
    case K_FIXED:
        *min = ti.size;
        return 0;
    case K_STRING:
    case K_BITS:
        return 0; /* at least the length byte */
    case K_CONTAINER:
        if (depth >= EM_AXDR_MAX_DEPTH) {
            return AXDR_ERR_DEPTH;
        }
        return tag == AXDR_ARRAY ? desc_check_array(d, pos, depth, min)
                                 : desc_check_structure(d, pos, depth, min);
    default:
        return AXDR_ERR_COMPACT; /* null, compact-array, unknown */
    }
}

/* Consume from the contents (c, *cpos) one value of the description at
 * *dpos, leaving *dpos after that description. The description was checked
 * by desc_check(), so the recursion is bounded by EM_AXDR_MAX_DEPTH. */
static int desc_walk(const axdr_dec_t *d, size_t *dpos, const axdr_dec_t *c, size_t *cpos) {
    uint64_t tag, count;
    uint32_t n;
    int rc = rd_be(d, dpos, 1, &tag);
    if (rc == 0 && tag == AXDR_ARRAY) {
        rc = rd_be(d, dpos, 2, &count);
        size_t sub = *dpos;
        for (uint64_t i = 0; rc == 0 && i < count; i++) {
            *dpos = sub;
            rc = desc_walk(d, dpos, c, cpos);
        }
    } else if (rc == 0 && tag == AXDR_STRUCTURE) {
        rc = rd_length(d, dpos, &n);
        for (uint32_t i = 0; rc == 0 && i < n; i++) {
            rc = desc_walk(d, dpos, c, cpos);
        }
    } else if (rc == 0) {
        axdr_value_t v;
        rc = rd_content(c, cpos, (uint8_t)tag, &v);
    }
    return rc;
}

/* compact-array: contents-description, then array-contents as a counted
 * octet string of untagged values; the element count is what fits. */
static int rd_compact(const axdr_dec_t *d, size_t *pos, axdr_value_t *v) {
    size_t dstart = *pos;
    uint64_t min;
    uint32_t n;
    const uint8_t *cp;
    int rc = desc_check(d, pos, 0, &min);
    if (rc != 0) {
        return rc;
    }
    size_t dend = *pos;
    rc = rd_length(d, pos, &n);
    if (rc == 0) {
        rc = rd_span(d, pos, n, &cp);
    }
    if (rc != 0) {
        return rc;
    }
    if (n > 0 && min > n) {
        return AXDR_ERR_COMPACT; /* not even one element fits */
    }
    axdr_dec_t c = {cp, n, 0};
    uint32_t count = 0;
    while (c.pos < n) {
        size_t dp = dstart;
        if (desc_walk(d, &dp, &c, &c.pos) != 0) {
            return AXDR_ERR_COMPACT;
        }
        count++;
    }
    v->desc = d->p + dstart;
    v->desc_len = dend - dstart;
    v->p = cp;
    v->len = n;
    v->count = count;
    return 0;
}

/* ---- public reads -------------------------------------------------------------- */

int axdr_peek_tag(const axdr_dec_t *d) {
    if (d == NULL) {
        return AXDR_ERR_ARG;
    }
    return rem_at(d, d->pos) > 0 ? d->p[d->pos] : AXDR_ERR_TRUNCATED;
}

bool axdr_next_is(const axdr_dec_t *d, uint8_t tag) {
    return axdr_peek_tag(d) == tag;
}

int axdr_get_tag(axdr_dec_t *d, uint8_t *tag) {
    if (d == NULL || tag == NULL) {
        return AXDR_ERR_ARG;
    }
    int t = axdr_peek_tag(d);
    *tag = t >= 0 ? (uint8_t)t : 0;
    if (t < 0) {
        return t;
    }
    d->pos++;
    return 0;
}

int axdr_get_length(axdr_dec_t *d, uint32_t *n) {
    if (d == NULL || n == NULL) {
        return AXDR_ERR_ARG;
    }
    size_t pos = d->pos;
    int rc = rd_length(d, &pos, n);
    if (rc != 0) {
        *n = 0;
        return rc;
    }
    d->pos = pos;
    return 0;
}

/* One tagged element at the cursor; want < 0 accepts any tag. */
static int get_element(axdr_dec_t *d, int want, axdr_value_t *v) {
    memset(v, 0, sizeof(*v));
    if (d == NULL) {
        return AXDR_ERR_ARG;
    }
    size_t pos = d->pos;
    if (rem_at(d, pos) == 0) {
        return AXDR_ERR_TRUNCATED;
    }
    uint8_t tag = d->p[pos++];
    if (want >= 0 && tag != want) {
        return AXDR_ERR_TYPE;
    }
    int rc = rd_content(d, &pos, tag, v);
    if (rc != 0) {
        memset(v, 0, sizeof(*v));
        return rc;
    }
    d->pos = pos;
    return 0;
}

int axdr_get_value(axdr_dec_t *d, axdr_value_t *v) {
    if (v == NULL) {
        return AXDR_ERR_ARG;
    }
    return get_element(d, -1, v);
}

int axdr_get_untagged(axdr_dec_t *d, uint8_t tag, axdr_value_t *v) {
    if (d == NULL || v == NULL) {
        return AXDR_ERR_ARG;
    }
    memset(v, 0, sizeof(*v));
    uint8_t kind = type_info(tag).kind;
    if (kind == K_UNKNOWN) {
        return AXDR_ERR_TAG;
    }
    if (kind == K_CONTAINER || kind == K_COMPACT) {
        return AXDR_ERR_TYPE;
    }
    size_t pos = d->pos;
    int rc = rd_content(d, &pos, tag, v);
    if (rc != 0) {
        memset(v, 0, sizeof(*v));
        return rc;
    }
    d->pos = pos;
    return 0;
}

int axdr_get_null(axdr_dec_t *d) {
    axdr_value_t v;
    return get_element(d, AXDR_NULL, &v);
}

/* Typed getters: read, then copy the one field the caller wants. */
#define GET_SCALAR(fn, tag, ctype, field)                                                          \
    int fn(axdr_dec_t *d, ctype *out) {                                                            \
        axdr_value_t v;                                                                            \
        if (out == NULL) {                                                                         \
            return AXDR_ERR_ARG;                                                                   \
        }                                                                                          \
        int rc = get_element(d, tag, &v);                                                          \
        *out = (ctype)v.field;                                                                     \
        return rc;                                                                                 \
    }

GET_SCALAR(axdr_get_array, AXDR_ARRAY, uint32_t, count)
GET_SCALAR(axdr_get_structure, AXDR_STRUCTURE, uint32_t, count)
GET_SCALAR(axdr_get_boolean, AXDR_BOOLEAN, bool, b)
GET_SCALAR(axdr_get_int32, AXDR_DOUBLE_LONG, int32_t, i)
GET_SCALAR(axdr_get_uint32, AXDR_DOUBLE_LONG_UNSIGNED, uint32_t, u)
GET_SCALAR(axdr_get_bcd, AXDR_BCD, uint8_t, u)
GET_SCALAR(axdr_get_int8, AXDR_INTEGER, int8_t, i)
GET_SCALAR(axdr_get_int16, AXDR_LONG, int16_t, i)
GET_SCALAR(axdr_get_uint8, AXDR_UNSIGNED, uint8_t, u)
GET_SCALAR(axdr_get_uint16, AXDR_LONG_UNSIGNED, uint16_t, u)
GET_SCALAR(axdr_get_int64, AXDR_LONG64, int64_t, i)
GET_SCALAR(axdr_get_uint64, AXDR_LONG64_UNSIGNED, uint64_t, u)
GET_SCALAR(axdr_get_enum, AXDR_ENUM, uint8_t, u)
GET_SCALAR(axdr_get_float32, AXDR_FLOAT32, float, f32)
GET_SCALAR(axdr_get_float64, AXDR_FLOAT64, double, f64)

static int get_bytes(axdr_dec_t *d, uint8_t tag, const uint8_t **p, size_t *n) {
    axdr_value_t v;
    if (p == NULL || n == NULL) {
        return AXDR_ERR_ARG;
    }
    int rc = get_element(d, tag, &v);
    *p = v.p;
    *n = v.len;
    return rc;
}

int axdr_get_octet_string(axdr_dec_t *d, const uint8_t **p, size_t *n) {
    return get_bytes(d, AXDR_OCTET_STRING, p, n);
}

int axdr_get_visible_string(axdr_dec_t *d, const uint8_t **p, size_t *n) {
    return get_bytes(d, AXDR_VISIBLE_STRING, p, n);
}

int axdr_get_utf8_string(axdr_dec_t *d, const uint8_t **p, size_t *n) {
    return get_bytes(d, AXDR_UTF8_STRING, p, n);
}

int axdr_get_bit_string(axdr_dec_t *d, const uint8_t **bits, uint32_t *nbits) {
    axdr_value_t v;
    if (bits == NULL || nbits == NULL) {
        return AXDR_ERR_ARG;
    }
    int rc = get_element(d, AXDR_BIT_STRING, &v);
    *bits = v.p;
    *nbits = v.count;
    return rc;
}

/* A date/time element, or an octet-string of exactly its size. */
static int get_dt_raw(axdr_dec_t *d, uint8_t tag, size_t size, const uint8_t **raw) {
    axdr_value_t v;
    *raw = NULL;
    int want = axdr_next_is(d, AXDR_OCTET_STRING) ? AXDR_OCTET_STRING : tag;
    size_t saved = d ? d->pos : 0;
    int rc = get_element(d, want, &v);
    if (rc != 0) {
        return rc;
    }
    if (v.len != size) {
        d->pos = saved;
        return AXDR_ERR_TYPE;
    }
    *raw = v.p;
    return 0;
}

int axdr_get_date_time(axdr_dec_t *d, cosem_datetime_t *dt) {
    const uint8_t *raw;
    if (dt == NULL) {
        return AXDR_ERR_ARG;
    }
    int rc = get_dt_raw(d, AXDR_DATE_TIME, COSEM_DATETIME_LEN, &raw);
    if (rc != 0) {
        cosem_datetime_set_unspecified(dt);
        return rc;
    }
    cosem_datetime_unpack(raw, dt);
    return 0;
}

int axdr_get_date(axdr_dec_t *d, cosem_date_t *date) {
    static const uint8_t unspecified[COSEM_DATE_LEN] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    const uint8_t *raw;
    if (date == NULL) {
        return AXDR_ERR_ARG;
    }
    int rc = get_dt_raw(d, AXDR_DATE, COSEM_DATE_LEN, &raw);
    cosem_date_unpack(rc == 0 ? raw : unspecified, date);
    return rc;
}

int axdr_get_time(axdr_dec_t *d, cosem_time_t *t) {
    static const uint8_t unspecified[COSEM_TIME_LEN] = {0xFF, 0xFF, 0xFF, 0xFF};
    const uint8_t *raw;
    if (t == NULL) {
        return AXDR_ERR_ARG;
    }
    int rc = get_dt_raw(d, AXDR_TIME, COSEM_TIME_LEN, &raw);
    cosem_time_unpack(rc == 0 ? raw : unspecified, t);
    return rc;
}

/* ---- skip / validate ----------------------------------------------------------- */

int axdr_skip(axdr_dec_t *d) {
    if (d == NULL) {
        return AXDR_ERR_ARG;
    }
    /* Elements still to read in each open container. */
    uint32_t left[EM_AXDR_MAX_DEPTH];
    unsigned depth = 0;
    axdr_dec_t cur = *d;
    for (;;) {
        axdr_value_t v;
        int rc = get_element(&cur, -1, &v);
        if (rc != 0) {
            return rc;
        }
        if (v.tag == AXDR_ARRAY || v.tag == AXDR_STRUCTURE) {
            if (depth >= EM_AXDR_MAX_DEPTH) {
                return AXDR_ERR_DEPTH;
            }
            if (v.count > 0) {
                left[depth++] = v.count;
                continue;
            }
        }
        /* One element is complete: close every container it completes. */
        while (depth > 0 && --left[depth - 1] == 0) {
            depth--;
        }
        if (depth == 0) {
            break;
        }
    }
    d->pos = cur.pos;
    return 0;
}

int axdr_validate(const uint8_t *buf, size_t len, size_t *consumed) {
    axdr_dec_t d;
    if (consumed != NULL) {
        *consumed = 0;
    }
    if (buf == NULL && len > 0) {
        return AXDR_ERR_ARG;
    }
    axdr_dec_init(&d, buf, len);
    int rc = axdr_skip(&d);
    if (rc == 0 && consumed != NULL) {
        *consumed = d.pos;
    }
    return rc;
}

/* ---- re-encoding a decoded value ------------------------------------------------ */

static int put_compact_value(axdr_enc_t *e, const axdr_value_t *v) {
    int rc = ca_outside(e);
    if (rc != 0) {
        return rc;
    }
    if ((v->desc == NULL && v->desc_len > 0) || (v->p == NULL && v->len > 0) || !fits_u32(v->len)) {
        return enc_fail(e, AXDR_ERR_ARG);
    }
    uint8_t len_field[AXDR_LENGTH_MAX_BYTES];
    size_t llen = length_encode((uint32_t)v->len, len_field);
    if (v->desc_len > SIZE_MAX - 1 - llen || v->len > SIZE_MAX - 1 - llen - v->desc_len) {
        return enc_fail(e, AXDR_ERR_OVERFLOW);
    }
    rc = enc_begin(e, 1 + v->desc_len + llen + v->len);
    if (rc == 0) {
        uint8_t tag = AXDR_COMPACT_ARRAY;
        enc_bytes(e, &tag, 1);
        enc_bytes(e, v->desc, v->desc_len);
        enc_bytes(e, len_field, llen);
        enc_bytes(e, v->p, v->len);
    }
    return e->err;
}

int axdr_put_value(axdr_enc_t *e, const axdr_value_t *v) {
    if (e == NULL) {
        return AXDR_ERR_ARG;
    }
    if (v == NULL) {
        return enc_fail(e, AXDR_ERR_ARG);
    }
    type_info_t ti = type_info(v->tag);
    switch (ti.kind) {
    case K_NULL:
        return axdr_put_null(e);
    case K_CONTAINER:
        return put_container(e, v->tag, v->count);
    case K_STRING:
        return put_counted(e, v->tag, v->p, v->len);
    case K_BITS:
        return axdr_put_bit_string(e, v->p, v->count);
    case K_COMPACT:
        return put_compact_value(e, v);
    case K_FIXED:
        break;
    default:
        return enc_fail(e, AXDR_ERR_TAG);
    }
    switch (v->tag) {
    case AXDR_BOOLEAN:
        return axdr_put_boolean(e, v->b);
    case AXDR_FLOAT32:
        return axdr_put_float32(e, v->f32);
    case AXDR_FLOAT64:
        return axdr_put_float64(e, v->f64);
    case AXDR_DATE_TIME:
        return axdr_put_date_time(e, &v->dt);
    case AXDR_DATE:
        return axdr_put_date(e, &v->date);
    case AXDR_TIME:
        return axdr_put_time(e, &v->time);
    default:
        /* Integers: the low `size` bytes of the two's complement value. */
        return put_fixed(e, v->tag, is_signed_tag(v->tag) ? (uint64_t)v->i : v->u, ti.size);
    }
}

bool axdr_is_one_data(const uint8_t *buf, size_t len) {
    size_t used = 0;
    return buf != NULL && len > 0 && axdr_validate(buf, len, &used) == 0 && used == len;
}

size_t axdr_element(const uint8_t *v, size_t n, uint16_t index, const uint8_t **out) {
    axdr_dec_t d;
    axdr_value_t x;
    size_t used = 0;
    axdr_dec_init(&d, v, n);
    if (index == 0 || axdr_get_value(&d, &x) != 0 ||
        (x.tag != AXDR_ARRAY && x.tag != AXDR_STRUCTURE) || index > x.count) {
        return 0;
    }
    for (uint16_t i = 1; i < index; i++) {
        if (axdr_skip(&d) != 0) {
            return 0;
        }
    }
    if (axdr_validate(d.p + d.pos, n - d.pos, &used) != 0) {
        return 0;
    }
    *out = d.p + d.pos;
    return used;
}
