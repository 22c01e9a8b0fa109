/*
 * optical.h - the virtual meter's optical port (IEC 62056-21) on a serial
 * device or a pseudo-terminal: data readout in protocol mode C, and HDLC
 * (IEC 62056-46) with DLMS, entered by the mode E option select or by an
 * HDLC frame straight away. One DLMS server (one association) for the port,
 * bound to the same server configuration as the TCP listeners.
 *
 * Served by the net loop (net_add_fd): the port's fd is read when readable,
 * timers run every round. See docs/emeter.md, "Optical port".
 */
#ifndef EMETER_APP_OPTICAL_H
#define EMETER_APP_OPTICAL_H

#include <stddef.h>
#include <stdint.h>

#include "dlms/server.h"
#include "meter/meter.h"
#include "meter/readout.h"
#include "net.h"

/* HDLC lower (physical) address of the meter: 0x11 = 17, the usual
 * default of meters addressed with 2-byte HDLC addresses. A client sending
 * a 1-byte address (the dlms tool without --physical) is served too. */
#define OPTICAL_DEFAULT_PHYSICAL 17u
/* Line speed for HDLC and the port's initial setting (mode E's '5'). */
#define OPTICAL_DEFAULT_BAUD 9600u
#define OPTICAL_MAX_READOUT  32

typedef struct optical optical_t;

typedef struct optical_config {
    const char *path; /* "pty" to create a pseudo-terminal, else a serial device */
    meter_t *meter;
    const dlms_server_config_t *server_cfg;
    const em_port_t *port;    /* monotonic clock and RTC */
    const char *manufacturer; /* 3 letters for the identification; NULL: "MMM" */
    const char *readout;      /* comma-separated OBIS codes; NULL: meter_readout_default */
    uint16_t physical;        /* 0: OPTICAL_DEFAULT_PHYSICAL */
} optical_config_t;

/* Opens the port, prints "emeter: optical port on NAME (IEC 62056-21,
 * HDLC)" and adds it to n's loop (closed by net_close). NULL with a
 * message in err on failure. */
optical_t *optical_open(net_t *n, const optical_config_t *cfg, char *err, size_t errlen);

/* Device name of the port (the /dev/pts/N of a pty). */
const char *optical_name(const optical_t *o);

/* The port's fd is readable: feed the bytes to IEC 62056-21 or HDLC. */
void optical_readable(optical_t *o);

/* Timers: reaction times and time-outs of IEC 62056-21, HDLC inactivity,
 * the association's inactivity. */
void optical_tick(optical_t *o);

/* Closes the port (association closed) and frees o. */
void optical_close(optical_t *o);

/* Parse a comma-separated readout list into items (at most cap). Returns
 * the count, or -1 naming the bad entry in err. */
int optical_parse_readout(const char *text, meter_readout_item_t *items, size_t cap, char *err,
                          size_t errlen);

#endif /* EMETER_APP_OPTICAL_H */
