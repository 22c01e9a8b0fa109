/*
 * comm.h - what the communication setup classes of lib/cosem share (DLMS
 * UA Blue Book, "Interface classes for setting up data exchange via
 * modems and the Internet": Auto answer 28, Auto connect 29, TCP-UDP setup
 * 41, IPv4 setup 42, PPP setup 44, GPRS modem setup 45, GSM diagnostic 47,
 * LTE monitoring 151): their error codes, the date-time windows of Auto
 * connect (calling_window) and Auto answer (listening_window) with the
 * evaluation "is this instant inside a window, when does the next one
 * start", logical name references between the objects, and the parsing of
 * destinations (IPv4 address or fully qualified domain name, optional port).
 *
 * ---- Windows ------------------------------------------------------------------
 *
 * A window is structure{start_time octet-string(12), end_time
 * octet-string(12)}, two date-time patterns in local time. The Blue Book
 * says the start "defines implicitly the period": the fields that are not
 * specified repeat. This file reads a pattern like this:
 *
 *   - its LEVEL is its least significant specified field, in the order
 *     year, month, day (day of month or day of week), hour, minute, second
 *     (hundredths, deviation and clock status are ignored);
 *   - a field more significant than the level that is not specified
 *     repeats (every year, every month, every day, every hour, every
 *     minute); a field less significant than the level that is not
 *     specified is its smallest value (month 1, day 1, 00, 00, 00);
 *   - day 0xFE / 0xFD is the last / second last day of the month (with a
 *     weekday: the last / second last such weekday), a day 1..31 with a
 *     weekday the first such weekday on or after that day (the readings of
 *     the Clock and the calendar, calendar_eval.h).
 *
 * So "start 22:00:00, end 06:00:00, dates not specified" is every night
 * from 22:00 to 06:00 (across midnight), "start day 3, end day 4, all else
 * not specified" is the whole 3rd day of every month (the Blue Book's
 * example), "start Monday 08:00, end Monday 17:00" is Mondays 08-17, and
 * "start 2025-06-01 00:00:00, end 2025-07-01 00:00:00" is June 2025 once.
 * A pattern with nothing specified, a DST month (0xFD/0xFE) or a field out
 * of range is refused when written (other-reason).
 *
 * An instant t is inside a window when the latest start occurrence s <= t
 * exists and the first end occurrence after s lies after t (an end that
 * never comes keeps the window open). Occurrences are searched 6 years
 * back and forward (a Feb 29 recurs within that); a pattern with a year is
 * searched in that year only. Times are wall seconds (calendar_eval.h:
 * local date and time counted like UTC seconds), so a window follows the
 * meter's local time through DST changes.
 *
 * An EMPTY window list is "no restriction": inside always. A calling
 * window list a client forgot to fill must not cut a meter off for good
 * (with mode 102 "connected within the window" the meter could never be
 * reached again to correct it).
 */
#ifndef EMETER_COSEM_COMM_H
#define EMETER_COSEM_COMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cosem/cosem.h"
#include "dlms/datetime.h"

/* ---- errors (-0x09B0..-0x09CF) ------------------------------------------- */

#define COSEM_COMM_ERR_ARG       (-0x09B0) /* NULL pointer or impossible argument */
#define COSEM_COMM_ERR_VALUE     (-0x09B1) /* value out of the attribute's range (setter) */
#define COSEM_COMM_ERR_DEST      (-0x09B2) /* not an IPv4 address or FQDN[:port] */
#define COSEM_COMM_ERR_NO_WINDOW (-0x09B3) /* no window start within the search range */
#define COSEM_COMM_ERR_PATTERN   (-0x09B4) /* date-time pattern unusable for a window */
#define COSEM_COMM_ERR_FULL      (-0x09B5) /* list full */
#define COSEM_COMM_ERR_STATE     (-0x09B6) /* state outside the app struct or inconsistent */

/* Short English reason for the codes above (other codes: cosem_strerror()). */
const char *cosem_comm_strerror(int err);

/* ---- windows ----------------------------------------------------------------- */

typedef struct cosem_comm_window {
    cosem_datetime_t start; /* local date-time patterns, see above */
    cosem_datetime_t end;
} cosem_comm_window_t;

/* What cosem_comm_windows_eval() found at one instant (wall seconds). */
typedef struct cosem_comm_window_eval {
    bool inside;        /* inside one of the windows (or the list is empty) */
    int64_t end;        /* inside: when the window closes; INT64_MAX: not within the range */
    int64_t next_start; /* the next window start after now (inside: after `end`);
                           INT64_MAX: none within the range */
} cosem_comm_window_eval_t;

/* True when the pattern can delimit a window (see above). */
bool cosem_comm_pattern_valid(const cosem_datetime_t *p);
/* Latest occurrence of pattern p at or before wall / first one strictly
 * after wall: 0 and *occ, COSEM_COMM_ERR_NO_WINDOW when none is within
 * the range, COSEM_COMM_ERR_PATTERN for an invalid pattern. */
int cosem_comm_pattern_prev(const cosem_datetime_t *p, int64_t wall, int64_t *occ);
int cosem_comm_pattern_next(const cosem_datetime_t *p, int64_t wall, int64_t *occ);
/* Evaluates windows w[0..n) at wall instant `wall` (0, or
 * COSEM_COMM_ERR_ARG). Windows with invalid patterns never match. */
int cosem_comm_windows_eval(const cosem_comm_window_t *w, uint8_t n, int64_t wall,
                            cosem_comm_window_eval_t *out);
/* The same at a local date-time (date and time specified). */
int cosem_comm_windows_eval_local(const cosem_comm_window_t *w, uint8_t n,
                                  const cosem_datetime_t *local, cosem_comm_window_eval_t *out);

/* Reads array of structure{start octet-string(12), end octet-string(12)}
 * (at most `cap` entries, both patterns valid) into out[]: 0 and *count,
 * or a Data-Access-Result (type-unmatched for the wrong shape,
 * other-reason for too many entries or an invalid pattern). */
int cosem_comm_get_windows(axdr_dec_t *d, cosem_comm_window_t *out, uint8_t cap, uint8_t *count);
int cosem_comm_put_windows(axdr_enc_t *e, const cosem_comm_window_t *w, uint8_t n);

/* ---- scalars ------------------------------------------------------------------------ */

/* Read an unsigned / long-unsigned into *dst, which changes only on
 * success: 0 or type-unmatched. */
int cosem_comm_get_u8(axdr_dec_t *d, uint8_t *dst);
int cosem_comm_get_u16(axdr_dec_t *d, uint16_t *dst);

/* ---- references ------------------------------------------------------------------ */

/* Reads a logical name reference octet-string(6) that must name an object
 * of the server's table (of class class_id, 0: any class): 0, or
 * type-unmatched / other-reason. */
int cosem_comm_get_ln_ref(const cosem_server_t *s, axdr_dec_t *d, uint16_t class_id,
                          uint8_t out[COSEM_LN_LEN]);

/* ---- destinations -------------------------------------------------------------------- */

enum cosem_comm_dest_kind {
    COSEM_COMM_DEST_IPV4 = 1, /* dotted quad */
    COSEM_COMM_DEST_FQDN = 2, /* a name to resolve (the port's resolver) */
};

typedef struct cosem_comm_dest {
    uint8_t kind;        /* enum cosem_comm_dest_kind */
    uint32_t ipv4;       /* IPV4: a.b.c.d as (a << 24) | ... | d */
    uint16_t port;       /* 0: none given (the caller's default, e.g. 4059) */
    const uint8_t *host; /* the host part (points into the input) */
    uint8_t host_len;
} cosem_comm_dest_t;

/* Parses "host[:port]": host an IPv4 address (a.b.c.d, each 0..255) or a
 * fully qualified domain name (labels of letters, digits and hyphens,
 * 1..63 characters, not starting or ending with a hyphen, at most 253
 * characters, the last label not all digits, an optional final dot);
 * port 1..65535. 0, or COSEM_COMM_ERR_DEST (out zeroed). */
int cosem_comm_parse_destination(const uint8_t *s, size_t n, cosem_comm_dest_t *out);
/* An IPv4 address in dotted text: true and *ip. */
bool cosem_comm_parse_ipv4(const uint8_t *s, size_t n, uint32_t *ip);
/* Writes a.b.c.d (at most 15 characters, no terminator) to out; returns
 * the length. */
size_t cosem_comm_format_ipv4(uint32_t ip, uint8_t out[15]);

#endif /* EMETER_COSEM_COMM_H */
