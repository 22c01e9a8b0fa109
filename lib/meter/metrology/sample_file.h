/*
 * sample_file.h - streaming decoder of recorded sample files for the
 * metrology engine (the `emeter --samples` replay tool, test benches).
 *
 * Formats:
 *  - csv: one sample set per line, "t,v1,i1,v2,i2,v3,i3" in seconds,
 *    volts and amperes, or "t,v,i" for a single phase. Optional header
 *    line (starts with a letter) before the first row; blank lines and
 *    lines starting with '#' are skipped; CRLF accepted. Timestamps must
 *    advance by one sample period (+/- half a period); when no rate is
 *    given it is taken from the first two rows.
 *  - s16: raw little-endian int16, interleaved v1 i1 v2 i2 v3 i3, times
 *    scale_v / scale_i.
 *  - f32: raw little-endian IEEE 754 float32, same order and scaling.
 *
 * The decoder treats its input as hostile: it never reads outside the
 * slice it is given, bounds the line length (EM_METROLOGY_CSV_MAX_LINE),
 * refuses non-finite or absurd values (|x| > 1e9), and on error records
 * the 1-based line (csv) or the byte offset (raw) for the message. Input
 * may be fed in chunks of any size, with the same result.
 */
#ifndef EMETER_METROLOGY_SAMPLE_FILE_H
#define EMETER_METROLOGY_SAMPLE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emeter_config.h"

enum metrology_sf_format {
    METROLOGY_SF_CSV = 0,
    METROLOGY_SF_S16 = 1,
    METROLOGY_SF_F32 = 2,
};

#define METROLOGY_SF_RATE_MIN 1000u
#define METROLOGY_SF_RATE_MAX 64000u

typedef struct metrology_sf {
    uint8_t format;
    float scale_v, scale_i;
    uint32_t rate; /* Hz; 0 until inferred (csv without a given rate) */
    bool rate_given;

    uint64_t line;   /* csv: number of the line being read, from 1 */
    uint64_t offset; /* bytes consumed so far */
    int err;         /* sticky: first error, 0 while fine */
    uint64_t err_line, err_offset;

    /* csv */
    char buf[EM_METROLOGY_CSV_MAX_LINE];
    size_t len;
    int columns; /* 3 or 7 once the first row is seen */
    uint64_t rows;
    double t0;
    bool header_allowed;

    /* raw: a partly received sample set */
    uint8_t raw[24];
    size_t raw_len;
} metrology_sf_t;

/* rate 0 for csv means "from the timestamps"; raw formats need one. */
int metrology_sf_init(metrology_sf_t *r, uint8_t format, uint32_t rate, float scale_v,
                      float scale_i);

/* Decode up to cap sample sets (6 floats each: v1 i1 v2 i2 v3 i3) from
 * data[0..len) into out. *used receives the bytes consumed (less than len
 * when out is full). Returns the number of sets written or a negative
 * METROLOGY_ERR_SF_* code. An error sticks (r->err, r->err_line and
 * r->err_offset say where); when sets were decoded before it in the same
 * call, they are returned first and the error comes with the next call
 * or metrology_sf_finish(), so the result never depends on chunking. */
int metrology_sf_feed(metrology_sf_t *r, const uint8_t *data, size_t len, size_t *used, float *out,
                      size_t cap);

/* End of input: decodes a last csv line without newline (cap >= 1 needed
 * to receive it) and refuses a raw file that ends inside a sample set. */
int metrology_sf_finish(metrology_sf_t *r, float *out, size_t cap);

/* Decimal number "[+-]digits[.digits][(e|E)[+-]digits]" in s[0..n)
 * without surrounding spaces; 0 or METROLOGY_ERR_SF_SYNTAX. */
int metrology_parse_decimal(const char *s, size_t n, double *out);

#endif /* EMETER_METROLOGY_SAMPLE_FILE_H */
