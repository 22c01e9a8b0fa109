/*
 * obis_parse.h - OBIS codes (IEC 62056-6-1 "Object identification system")
 * as the dlms tool reads and prints them.
 *
 * Accepted notations (whitespace around the code is ignored):
 *   A.B.C.D.E.F        1.0.1.8.0.255        the six value groups, dotted
 *   A.B.C.D.E          1.0.1.8.0            F omitted: 255 (current value)
 *   A-B:C.D.E*F        1-0:1.8.0*255        IEC 62056-21 / P1 notation
 *   A-B:C.D.E&F        1-0:1.8.0&1          '&' as F separator (billing periods)
 *   A-B:C.D.E.F        1-0:1.8.0.255
 *   A-B:C.D.E          1-0:1.8.0            F omitted: 255
 *   hex                0100010800FF         12 hex digits (0x prefix allowed)
 * Every group is 0..255, in decimal (hex only in the 12-digit form).
 *
 * This file is part of the dlms host tool, not of lib/: it uses snprintf
 * for its error messages. The unit test includes the .c file directly
 * (tests/unit/test_dlms_cli.c), because CMake links only lib/ and port/
 * into tests.
 */
#ifndef DLMS_CLI_OBIS_PARSE_H
#define DLMS_CLI_OBIS_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Longest printed OBIS code: "255-255:255.255.255*255" plus NUL. */
#define OBIS_STR_MAX 24

/* Parses s into out[6]. Returns 0, or -1 with a one-line reason in err
 * (e.g. "OBIS '1.0.1.8.0.256': value group F is 256, above 255"). */
int obis_parse(const char *s, uint8_t out[6], char *err, size_t errlen);

/* "1.0.1.8.0.255" */
void obis_format(const uint8_t obis[6], char out[OBIS_STR_MAX]);

/* "1-0:1.8.0*255" */
void obis_format_iec(const uint8_t obis[6], char out[OBIS_STR_MAX]);

#endif /* DLMS_CLI_OBIS_PARSE_H */
