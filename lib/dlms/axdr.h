/*
 * axdr.h - A-XDR encoding of COSEM "Data" (IEC 61334-6 A-XDR rules applied to
 * the Data CHOICE of IEC 62056-6-2 / DLMS UA Green Book 9.5).
 *
 * Every element is a type tag byte followed by its content:
 *   - integers are big-endian two's complement of fixed size;
 *   - float32/float64 are IEEE 754 big-endian;
 *   - date-time, date and time have a fixed 12/5/4-byte content (datetime.h);
 *   - boolean, enum, bcd, integer and unsigned are one byte;
 *   - array/structure carry an element count, octet-/visible-/utf8-string a
 *     byte length and bit-string a length in BITS, all in the A-XDR length
 *     form: a value < 0x80 is one byte, otherwise 0x80|N followed by N (1..4
 *     here) big-endian bytes;
 *   - compact-array (19): a contents-description (TypeDescription) followed
 *     by the array-contents as an octet-string whose bytes are untagged
 *     values (see the compact-array section below).
 *
 * bcd [13] is read as the Green Book types it, "bcd [13] IMPLICIT Integer8":
 * one content byte (0D xx), carried as the raw byte in axdr_value_t.u. The
 * delta types 28..33 of newer editions and the "don't-care" tag 255 are not
 * supported (AXDR_ERR_TAG).
 *
 * Encoder: a streaming writer into a caller buffer with a sticky error. It
 * can also only measure (buf NULL), or write one window of a longer encoding
 * (for block transfer of long replies without building them whole).
 *
 * Decoder: a cursor over a bounded slice. Strings are returned zero-copy as
 * pointer + length into the input. A failed read leaves the cursor where it
 * was and its outputs zeroed (date/time outputs: all "not specified"). Nothing ever reads past the
 * slice; nesting is bounded by EM_AXDR_MAX_DEPTH and element counts by the bytes that remain.
 */
#ifndef EMETER_DLMS_AXDR_H
#define EMETER_DLMS_AXDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlms/datetime.h"
#include "emeter_config.h"

/* ---- errors (-0x0100..-0x01FF; datetime.h uses -0x0180..-0x018F) --------- */
#define AXDR_ERR_OVERFLOW  (-0x0101) /* encoder: output buffer full (sticky) */
#define AXDR_ERR_TRUNCATED (-0x0102) /* input ends inside a tag, length or fixed-size value */
#define AXDR_ERR_LENGTH    (-0x0103) /* bad length: 0x80 or >4 length bytes, or past the input */
#define AXDR_ERR_TAG       (-0x0104) /* unknown data type tag */
#define AXDR_ERR_DEPTH     (-0x0105) /* containers nested deeper than EM_AXDR_MAX_DEPTH */
#define AXDR_ERR_TYPE      (-0x0106) /* element is not of the type asked for */
#define AXDR_ERR_COUNT     (-0x0107) /* more elements announced than bytes remain */
#define AXDR_ERR_COMPACT   (-0x0108) /* compact-array description or contents invalid */
#define AXDR_ERR_ARG       (-0x0109) /* bad argument (NULL, length above 2^32-1) */

/* ---- data type tags (Green Book "Data" CHOICE) -------------------------- */
enum axdr_tag {
    AXDR_NULL = 0,
    AXDR_ARRAY = 1,
    AXDR_STRUCTURE = 2,
    AXDR_BOOLEAN = 3,
    AXDR_BIT_STRING = 4,
    AXDR_DOUBLE_LONG = 5,          /* int32 */
    AXDR_DOUBLE_LONG_UNSIGNED = 6, /* uint32 */
    AXDR_OCTET_STRING = 9,
    AXDR_VISIBLE_STRING = 10,
    AXDR_UTF8_STRING = 12,
    AXDR_BCD = 13,
    AXDR_INTEGER = 15,       /* int8 */
    AXDR_LONG = 16,          /* int16 */
    AXDR_UNSIGNED = 17,      /* uint8 */
    AXDR_LONG_UNSIGNED = 18, /* uint16 */
    AXDR_COMPACT_ARRAY = 19,
    AXDR_LONG64 = 20,          /* int64 */
    AXDR_LONG64_UNSIGNED = 21, /* uint64 */
    AXDR_ENUM = 22,
    AXDR_FLOAT32 = 23,
    AXDR_FLOAT64 = 24,
    AXDR_DATE_TIME = 25,
    AXDR_DATE = 26,
    AXDR_TIME = 27,
};

/* Longest A-XDR length field: 0x84 + 4 bytes. */
#define AXDR_LENGTH_MAX_BYTES 5

const char *axdr_strerror(int err);

/* True for the tags this codec knows (0..27 minus the unassigned 7, 8, 11, 14). */
bool axdr_tag_is_known(uint8_t tag);

/* ======================================================================== */
/* Encoder                                                                   */
/* ======================================================================== */

enum axdr_enc_mode {
    AXDR_ENC_WRITE = 0,   /* write into buf; a value that does not fit is not written */
    AXDR_ENC_MEASURE = 1, /* write nothing, count the bytes in len */
    AXDR_ENC_WINDOW = 2,  /* write stream bytes [offset, offset+cap) into buf */
};

typedef struct axdr_enc {
    uint8_t *buf; /* output, NULL when measuring */
    size_t cap;   /* bytes available at buf */
    size_t len;   /* bytes written to buf (measure mode: bytes counted) */
    int err;      /* first error, sticky: once set every put is a no-op */
    /* private, set by the init functions */
    size_t pos;       /* bytes of the whole encoding produced so far */
    size_t offset;    /* window mode: stream position of buf[0] */
    size_t ca_end;    /* compact-array: stream position where the contents end */
    uint8_t mode;     /* enum axdr_enc_mode */
    uint8_t untagged; /* inside compact-array contents: values carry no tag */
} axdr_enc_t;

/* Write mode. buf NULL (any cap) selects measure mode. A put that does not
 * fit sets AXDR_ERR_OVERFLOW and writes none of its bytes. */
void axdr_enc_init(axdr_enc_t *e, uint8_t *buf, size_t cap);

/* Measure mode: len counts what would be written; never overflows. */
void axdr_enc_init_measure(axdr_enc_t *e);

/* Window mode: the caller replays the same sequence of puts; only the bytes
 * at stream positions offset..offset+cap-1 land in buf. When the stream
 * reaches offset+cap the buffer is full (len == cap) and err becomes
 * AXDR_ERR_OVERFLOW, which here means "more follows"; err 0 at the end means
 * buf holds the last len bytes of the encoding. This lets a server send
 * block N of a long reply without holding the whole reply. */
void axdr_enc_init_window(axdr_enc_t *e, uint8_t *buf, size_t cap, size_t offset);

/* Bytes of the encoding produced so far, windowed or not (== len in write and
 * measure mode). */
size_t axdr_enc_size(const axdr_enc_t *e);

/* Raw helpers: an A-XDR length field; bytes as they are. */
int axdr_put_length(axdr_enc_t *e, size_t n);
int axdr_put_raw(axdr_enc_t *e, const uint8_t *p, size_t n);

/* One put per type. Each returns e->err (0 or the first error). */
int axdr_put_null(axdr_enc_t *e);
int axdr_put_array(axdr_enc_t *e, uint32_t count);     /* then count elements */
int axdr_put_structure(axdr_enc_t *e, uint32_t count); /* then count elements */
int axdr_put_boolean(axdr_enc_t *e, bool v);
/* bits: (nbits+7)/8 bytes, first bit in the MSB of bits[0]; unused bits of the
 * last byte are sent as 0. */
int axdr_put_bit_string(axdr_enc_t *e, const uint8_t *bits, size_t nbits);
int axdr_put_int32(axdr_enc_t *e, int32_t v);   /* double-long */
int axdr_put_uint32(axdr_enc_t *e, uint32_t v); /* double-long-unsigned */
int axdr_put_octet_string(axdr_enc_t *e, const uint8_t *p, size_t n);
int axdr_put_visible_string(axdr_enc_t *e, const char *s, size_t n);
int axdr_put_utf8_string(axdr_enc_t *e, const uint8_t *p, size_t n);
int axdr_put_bcd(axdr_enc_t *e, uint8_t v);     /* one raw byte, see above */
int axdr_put_int8(axdr_enc_t *e, int8_t v);     /* integer */
int axdr_put_int16(axdr_enc_t *e, int16_t v);   /* long */
int axdr_put_uint8(axdr_enc_t *e, uint8_t v);   /* unsigned */
int axdr_put_uint16(axdr_enc_t *e, uint16_t v); /* long-unsigned */
int axdr_put_int64(axdr_enc_t *e, int64_t v);   /* long64 */
int axdr_put_uint64(axdr_enc_t *e, uint64_t v); /* long64-unsigned */
int axdr_put_enum(axdr_enc_t *e, uint8_t v);
int axdr_put_float32(axdr_enc_t *e, float v);
int axdr_put_float64(axdr_enc_t *e, double v);
int axdr_put_date_time(axdr_enc_t *e, const cosem_datetime_t *dt);
int axdr_put_date(axdr_enc_t *e, const cosem_date_t *d);
int axdr_put_time(axdr_enc_t *e, const cosem_time_t *t);
/* Clock attributes and profile capture times are typed octet-string in the
 * Blue Book: these write 09 0C <12 bytes> / 09 05 <5> / 09 04 <4>. */
int axdr_put_date_time_os(axdr_enc_t *e, const cosem_datetime_t *dt);
int axdr_put_date_os(axdr_enc_t *e, const cosem_date_t *d);
int axdr_put_time_os(axdr_enc_t *e, const cosem_time_t *t);

/* ---- compact-array (tag 19) ----------------------------------------------
 * Sequence of calls:
 *   axdr_put_compact_array_begin(e)             tag 19
 *   one type description, built from
 *     axdr_put_type_desc(e, tag)                a simple type
 *     axdr_put_type_desc_array(e, n)            01 n(2 bytes), then one description
 *     axdr_put_type_desc_structure(e, n)        02 n, then n descriptions
 *   axdr_put_compact_array_contents(e, bytes)   length of the contents; from
 *                                               here on puts write no tags and
 *                                               array/structure puts nothing
 *   the values, element after element
 *   axdr_put_compact_array_end(e)               AXDR_ERR_COMPACT unless exactly
 *                                               `bytes` were written
 * The contents length is found first by running the same value puts on a
 * measure-mode encoder switched to untagged (axdr_enc_untagged). */
int axdr_put_compact_array_begin(axdr_enc_t *e);
int axdr_put_type_desc(axdr_enc_t *e, uint8_t tag);
int axdr_put_type_desc_array(axdr_enc_t *e, uint16_t count);
int axdr_put_type_desc_structure(axdr_enc_t *e, uint32_t count);
int axdr_put_compact_array_contents(axdr_enc_t *e, size_t contents_len);
int axdr_put_compact_array_end(axdr_enc_t *e);
/* Switch tags off (on) for the following puts, e.g. to measure compact-array
 * contents on their own. */
void axdr_enc_untagged(axdr_enc_t *e, bool untagged);

/* ======================================================================== */
/* Decoder                                                                   */
/* ======================================================================== */

typedef struct axdr_dec {
    const uint8_t *p; /* input slice */
    size_t len;       /* its length */
    size_t pos;       /* next byte to read */
} axdr_dec_t;

/* One decoded element. Pointers point into the decoder's input. */
typedef struct axdr_value {
    uint8_t tag;         /* enum axdr_tag */
    uint32_t count;      /* array/structure/compact-array: elements; bit-string: bits */
    const uint8_t *p;    /* strings, bit-string, raw date/time bytes, compact-array contents */
    size_t len;          /* bytes at p */
    const uint8_t *desc; /* compact-array: contents-description */
    size_t desc_len;     /* its length */
    union {              /* scalar value, chosen by tag */
        bool b;          /* boolean (any nonzero byte is true) */
        int64_t i;       /* integer, long, double-long, long64 */
        uint64_t u;      /* unsigned, long-unsigned, double-long-unsigned,
                            long64-unsigned, enum, bcd */
        float f32;       /* float32 */
        double f64;      /* float64 */
        cosem_datetime_t dt;
        cosem_date_t date;
        cosem_time_t time;
    };
} axdr_value_t;

void axdr_dec_init(axdr_dec_t *d, const uint8_t *p, size_t len);
size_t axdr_dec_remaining(const axdr_dec_t *d);

/* Tag of the next element (0..255) without consuming it, or
 * AXDR_ERR_TRUNCATED at the end of the input. */
int axdr_peek_tag(const axdr_dec_t *d);
/* True when the next element has this tag. */
bool axdr_next_is(const axdr_dec_t *d, uint8_t tag);

/* Raw helpers: one tag byte; one A-XDR length field (not checked against the
 * remaining input: the caller knows whether it counts bytes, bits or
 * elements). */
int axdr_get_tag(axdr_dec_t *d, uint8_t *tag);
int axdr_get_length(axdr_dec_t *d, uint32_t *n);

/* Typed reads: AXDR_ERR_TYPE when the next element has another tag. */
int axdr_get_null(axdr_dec_t *d);
int axdr_get_array(axdr_dec_t *d, uint32_t *count); /* header only */
int axdr_get_structure(axdr_dec_t *d, uint32_t *count);
int axdr_get_boolean(axdr_dec_t *d, bool *v);
int axdr_get_bit_string(axdr_dec_t *d, const uint8_t **bits, uint32_t *nbits);
int axdr_get_int32(axdr_dec_t *d, int32_t *v);
int axdr_get_uint32(axdr_dec_t *d, uint32_t *v);
int axdr_get_octet_string(axdr_dec_t *d, const uint8_t **p, size_t *n);
int axdr_get_visible_string(axdr_dec_t *d, const uint8_t **p, size_t *n);
int axdr_get_utf8_string(axdr_dec_t *d, const uint8_t **p, size_t *n);
int axdr_get_bcd(axdr_dec_t *d, uint8_t *v);
int axdr_get_int8(axdr_dec_t *d, int8_t *v);
int axdr_get_int16(axdr_dec_t *d, int16_t *v);
int axdr_get_uint8(axdr_dec_t *d, uint8_t *v);
int axdr_get_uint16(axdr_dec_t *d, uint16_t *v);
int axdr_get_int64(axdr_dec_t *d, int64_t *v);
int axdr_get_uint64(axdr_dec_t *d, uint64_t *v);
int axdr_get_enum(axdr_dec_t *d, uint8_t *v);
int axdr_get_float32(axdr_dec_t *d, float *v);
int axdr_get_float64(axdr_dec_t *d, double *v);
/* Accept the date/time tag or an octet-string of exactly the right size,
 * since COSEM attributes carry date-times both ways. */
int axdr_get_date_time(axdr_dec_t *d, cosem_datetime_t *dt);
int axdr_get_date(axdr_dec_t *d, cosem_date_t *date);
int axdr_get_time(axdr_dec_t *d, cosem_time_t *t);

/* One element into *v: scalars whole, array/structure only their header
 * (the elements follow), compact-array whole (description checked, contents
 * walked and counted). */
int axdr_get_value(axdr_dec_t *d, axdr_value_t *v);

/* One untagged value of a simple type, as found in compact-array contents.
 * AXDR_ERR_TYPE for array, structure and compact-array (they have no
 * untagged form of their own), AXDR_ERR_TAG for unknown tags. */
int axdr_get_untagged(axdr_dec_t *d, uint8_t tag, axdr_value_t *v);

/* Skip one whole element with everything nested in it. Nesting deeper than
 * EM_AXDR_MAX_DEPTH containers below the skipped element's level is refused
 * (AXDR_ERR_DEPTH): up to EM_AXDR_MAX_DEPTH arrays/structures may be open at
 * once, counting the skipped element itself. Iterative. */
int axdr_skip(axdr_dec_t *d);

/* Check that buf starts with one well-formed element; *consumed gets its
 * length (0 on error). Trailing bytes are the caller's business. */
int axdr_validate(const uint8_t *buf, size_t len, size_t *consumed);

/* True when buf[0..len) is exactly one well-formed element (no trailing
 * bytes): the check of a Data argument or attribute value. */
bool axdr_is_one_data(const uint8_t *buf, size_t len);

/* Element `index` (from 1) of the array or structure at v[0..n): *out gets
 * where it starts, the result is its length; 0 when v is not an array or
 * structure, index is 0 or beyond its count, or the element is malformed. */
size_t axdr_element(const uint8_t *v, size_t n, uint16_t index, const uint8_t **out);

/* Encode a decoded value again (scalars, container headers, whole
 * compact-arrays). Used to echo and to check round trips. */
int axdr_put_value(axdr_enc_t *e, const axdr_value_t *v);

#endif /* EMETER_DLMS_AXDR_H */
