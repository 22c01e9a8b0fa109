/*
 * value_parse.h - the typed value syntax of the dlms tool: what `dlms set`
 * and `dlms action` take on the command line, and what `--typed` output and
 * the JSON "typed" field print, encoded to A-XDR (IEC 62056-6-2 Data). The
 * full grammar is in docs/dlms-cli.md; in short:
 *
 *   null                      null-data
 *   bool:true | bool:false    boolean (also 1/0)
 *   i8: i16: i32: i64:        integer, long, double-long, long64
 *   u8: u16: u32: u64:        unsigned, long-unsigned, double-long-unsigned, long64-unsigned
 *   enum:N                    enum (0..255)
 *   f32: f64:                 float32, float64
 *   os:0102ab | os:"text"     octet-string (hex digits, ':' or '-' between bytes allowed)
 *   vs:text | vs:"a,b"        visible-string
 *   utf8:text                 utf8-string
 *   bs:1011                   bit-string (one 0/1 per bit)
 *   bcd:N                     bcd (one byte, 0..255)
 *   obis:1.0.1.8.0.255        octet-string(6) from any OBIS notation
 *   dt:2026-11-20T12:00:00Z   date-time as octet-string(12), the COSEM form
 *   date:2026-11-20           date as octet-string(5)
 *   time:12:00:00             time as octet-string(4)
 *   tdt: tdate: ttime:        the same as the tagged types 25 / 26 / 27
 *   wkey:00112233...          a 16-byte key wrapped under the KEK (AES key wrap,
 *                             RFC 3394): octet-string(24) for Security setup
 *                             key_transfer (needs value_parse_set_kek)
 *   struct(v,v,...)           structure
 *   array(v,v,...)            array
 * The standard type names (double-long-unsigned:5, octet-string:..., ...)
 * are accepted as prefixes too. Inside struct()/array() an unquoted string
 * ends at ',' or ')'; quote it ("...", with \" \\ \n \t \xHH) to include
 * them. At the top level the rest of the argument is the string.
 *
 * Date-time: YYYY-MM-DD[THH:MM[:SS[.hh]]][Z | +HH:MM | -HH:MM][/SS]
 *   - '*' in any field: not specified (0xFF, year 0xFFFF); dt:* is all of them;
 *   - Z / +HH:MM: an ISO offset, stored as the COSEM deviation (minutes from
 *     local time to UTC, so +01:00 is deviation -60); no zone: deviation not
 *     specified (0x8000);
 *   - /SS: clock_status in hex (default 00); dt:now is the host's local time.
 *
 * Part of the dlms host tool (uses stdio/stdlib); the unit test includes the
 * .c file directly (see obis_parse.h).
 */
#ifndef DLMS_CLI_VALUE_PARSE_H
#define DLMS_CLI_VALUE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "dlms/axdr.h"
#include "dlms/datetime.h"

/* Encodes the value written in `text` into e (write mode). Returns 0, or -1
 * with a one-line reason in err, e.g. "value: at 9: u8 is 0..255". */
int value_parse(const char *text, axdr_enc_t *e, char *err, size_t errlen);

/* Parses a date-time in the syntax above (without the dt: prefix). Returns
 * 0 or -1 with a reason. */
int datetime_parse(const char *text, cosem_datetime_t *dt, char *err, size_t errlen);

/* Key encryption key (master key) for wkey: values; until it is set, wkey:
 * is refused. */
void value_parse_set_kek(const uint8_t kek[16]);

/* Hex string ("0011aa", optional ':' or '-' or ' ' between bytes) into at
 * most cap bytes. Returns the byte count or -1 (odd digit count, bad
 * character, too long). */
long hex_parse(const char *s, uint8_t *out, size_t cap);

#endif /* DLMS_CLI_VALUE_PARSE_H */
