/*
 * format.h - how the dlms tool prints COSEM values (A-XDR Data of
 * IEC 62056-6-2) in four forms:
 *   text   for people: 1234, "EMETER01", 2026-11-20T12:00:00+01:00 (dst),
 *          {1, [2, 3]}, octet strings as text when printable, else hex;
 *   json   one JSON value (structures and arrays as JSON arrays, octet
 *          strings as text / ISO date-time / hex strings);
 *   typed  the value syntax of value_parse.h, which reads back to the same
 *          bytes (struct(u16:8,os:0000010000ff,i8:2,u16:0));
 *   csv    one CSV cell (quoted when needed).
 * Date-times (tag 25 and the 12-byte octet strings clocks and profiles use)
 * print as ISO 8601 with the offset from the COSEM deviation, '*' for "not
 * specified" fields and the clock status bits by name.
 *
 * Output goes to a growable string (sbuf_t) so the unit test can compare
 * it. Part of the dlms host tool; the unit test includes the .c file.
 */
#ifndef DLMS_CLI_FORMAT_H
#define DLMS_CLI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlms/axdr.h"
#include "dlms/datetime.h"

/* ---- growable string -------------------------------------------------------- */

typedef struct sbuf {
    char *p; /* NUL-terminated once anything was written */
    size_t len;
    size_t cap;
} sbuf_t;

void sb_init(sbuf_t *sb);
void sb_free(sbuf_t *sb);
void sb_reset(sbuf_t *sb);
void sb_putc(sbuf_t *sb, char c);
void sb_puts(sbuf_t *sb, const char *s);
void sb_printf(sbuf_t *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty). */
const char *sb_str(const sbuf_t *sb);

/* ---- values --------------------------------------------------------------------- */

typedef enum fmt_mode {
    FMT_TEXT = 0,
    FMT_JSON = 1,
    FMT_TYPED = 2,
    FMT_CSV = 3,
} fmt_mode_t;

/* Exactly one Data in p[0..len). Returns 0, or -1 when it is not
 * well-formed (nothing useful printed). With `lines` (text mode), the
 * elements of a top-level array go one per line. */
int fmt_value(sbuf_t *sb, fmt_mode_t mode, const uint8_t *p, size_t len, bool lines);

/* One element at the decoder cursor (the cursor moves past it). */
int fmt_value_dec(sbuf_t *sb, fmt_mode_t mode, axdr_dec_t *d);

/* ISO 8601 date-time: "2026-11-20T12:00:00+01:00", '*' for unspecified
 * fields, ".hh" when hundredths are set, no zone when the deviation is not
 * specified, "Z" for deviation 0. */
void fmt_datetime_iso(sbuf_t *sb, const cosem_datetime_t *dt);

/* Clock status: "ok", "not-specified" or the set bits by name
 * ("invalid,doubtful,different-base,invalid-status,dst"). */
void fmt_clock_status(sbuf_t *sb, uint8_t status);

/* The 12 bytes as a date-time when they are a valid one (used to print
 * octet strings of clocks and profiles). */
bool fmt_looks_like_datetime(const uint8_t *p, size_t len, cosem_datetime_t *dt);

void fmt_hex(sbuf_t *sb, const uint8_t *p, size_t n);
void fmt_json_string(sbuf_t *sb, const char *s, size_t n);
/* One CSV cell: as it is, or quoted with "" doubled when it holds , " or a
 * line break. */
void fmt_csv_cell(sbuf_t *sb, const char *s);

/* ---- registers -------------------------------------------------------------------- */

/* Unit symbol for a scaler_unit enum (Blue Book units, dlms-facts §1.3),
 * NULL when unknown; "" for 255 (count, no unit). */
const char *fmt_unit_name(uint8_t unit);

/* A register value scaled by its scaler_unit structure{integer, enum}:
 * "1234.5 V". Exact decimal arithmetic (no floating point) for integer
 * values. Returns 0, or -1 when value or scaler_unit do not fit (the
 * caller then prints the raw value). */
int fmt_scaled(sbuf_t *sb, const uint8_t *value, size_t vlen, const uint8_t *su, size_t sulen);

#endif /* DLMS_CLI_FORMAT_H */
