/*
 * readout.h - the meter's IEC 62056-21 data readout (optical port, modes
 * A-C): one data line per entry of a readout list of OBIS codes, in the
 * form the iec21 server's readout_line callback asks for
 * (lib/dlms/iec62056_21.h).
 *
 * Address: the reduced OBIS form "C.D.E" of IEC 62056-61 when A = 1 and
 * B = 0 (electricity, the usual readout codes: "1.8.0", "0.9.1"), else
 * "A-B:C.D.E"; F is always 255 and left out. Values, read from the meter's
 * fields (the same state the COSEM objects serve, without an association):
 *
 *   0.0.42.0.0   logical device name         (MMM00000001)
 *   0.0.96.1.0   serial number (device ID 1) (00000001)
 *   0.0.96.1.1   equipment id (device ID 2)
 *   1.0.1.8.t    A+ total (t = 0) or tariff t, kWh with 3 decimals (000123.456*kWh)
 *   1.0.2.8.t    A- likewise
 *   1.0.0.9.1    local time hhmmss           (083000)
 *   1.0.0.9.2    local date yymmdd           (261121)
 *
 * Energy is floor(Wh) as a DLMS client reads it (meter_energy_wh), shown
 * in kWh with at least 6 integer digits. Time and date are the clock's
 * local time (time zone and DST of the Clock object).
 */
#ifndef EMETER_METER_READOUT_H
#define EMETER_METER_READOUT_H

#include <stddef.h>
#include <stdint.h>

#include "meter/meter.h"

/* Errors: -0x0AA0..-0x0AAF. */
#define METER_READOUT_ERR_BADARG (-0x0AA1) /* NULL pointer */
#define METER_READOUT_ERR_OBIS   (-0x0AA2) /* code not readable on the optical port */
#define METER_READOUT_ERR_SPACE  (-0x0AA3) /* line longer than the buffer */

/* One entry of a readout list: an OBIS code A.B.C.D.E (F = 255). */
typedef struct meter_readout_item {
    uint8_t obis[5];
} meter_readout_item_t;

/* The default list: serial, A+ and A- total and T1/T2, time, date. */
extern const meter_readout_item_t meter_readout_default[];
extern const size_t meter_readout_default_count;

/* Writes data line `index` of list[0..count) for the meter at UTC time utc
 * into buf (no CR LF, no NUL). Returns its length, 0 when index >= count,
 * or METER_READOUT_ERR_OBIS (unknown code, tariff the variant lacks) /
 * _SPACE / _BADARG: the iec21 server then skips the line and counts it. */
int meter_readout_line(const meter_t *m, const meter_readout_item_t *list, size_t count,
                       int64_t utc, unsigned index, char *buf, size_t cap);

/* Parse "A.B.C.D.E", "A-B:C.D.E" or the reduced "C.D.E" (A = 1, B = 0),
 * optionally followed by ".255" / "*255", into item. Returns 0 or
 * METER_READOUT_ERR_OBIS. len is the text's length. */
int meter_readout_parse(const char *s, size_t len, meter_readout_item_t *item);

const char *meter_readout_strerror(int err);

#endif /* EMETER_METER_READOUT_H */
