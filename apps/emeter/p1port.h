/*
 * p1port.h - the virtual meter's P1 consumer port (DSMR 5.0.2, P1 companion
 * standard): the telegram of lib/meter/p1 once a second of simulated time,
 * written to a pseudo-terminal, a serial device (115200 Bd 8N1) and/or every
 * client of a TCP port. Output only: what a consumer writes is read and
 * dropped (the data-request line of a real P1 port is taken as always on).
 *
 * Served by the net loop (net_add_fd): the TCP listener accepts clients
 * when readable, the telegram goes out from the loop's tick. See
 * docs/p1.md, "The P1 port of emeter".
 */
#ifndef EMETER_APP_P1PORT_H
#define EMETER_APP_P1PORT_H

#include <stddef.h>
#include <stdint.h>

#include "meter/meter.h"
#include "meter/p1.h"
#include "net.h"

#define P1PORT_MAX_OUTPUTS 4  /* --p1 given up to this many times */
#define P1PORT_MAX_CLIENTS 16 /* TCP consumers at once, per listener */
/* In accelerated time at most this many telegrams per real second: a real
 * P1 line (115200 Bd, ~900-byte telegrams) carries about 12. */
#define P1PORT_MAX_RATE_HZ 10u

typedef struct p1port p1port_t;

typedef struct p1port_config {
    const char *const *outputs; /* "pty", "tcp:HOST:PORT" or a serial device path */
    size_t output_count;        /* 1..P1PORT_MAX_OUTPUTS */
    const meter_t *meter;
    const em_port_t *port;    /* monotonic clock */
    const char *manufacturer; /* 3-letter FLAG id for the identification */
    /* The instant the meter's values are for (its simulated UTC), and
     * whether it has mains (no telegram during an outage). */
    int64_t (*meter_utc)(void *user);
    int (*powered)(void *user);
    void *user;
} p1port_config_t;

/* Checks an output name: 0, or -1 with the reason in err. */
int p1port_check_output(const char *output, char *err, size_t errlen);

/* Opens every output, prints "emeter: P1 port on NAME (DSMR 5.0.2)" for
 * each, and adds them to n's loop (closed by net_close). NULL with a
 * message in err on failure. */
p1port_t *p1port_open(net_t *n, const p1port_config_t *cfg, char *err, size_t errlen);

/* The telegram's values from the meter at UTC utc (local time stamp by the
 * meter's Clock): energy registers of tariffs 1 and 2, instantaneous
 * values, sag/swell counters. 0 or a P1_ERR_* code (time out of range). */
int p1port_values(const meter_t *m, int64_t utc, p1_values_t *v);

/* The identification after '/': "<FLAG>5\2EMETER-<serial>" cut to
 * P1_IDENT_MAX. */
void p1port_ident(const meter_t *m, const char *manufacturer, char *out, size_t cap);

/* After every round of the loop, once the meter ran (runtime.c on_idle):
 * sends the telegram when the meter reached a new simulated second, and
 * asks the loop to wake for the next one. */
void p1port_tick(p1port_t *p);

/* Telegrams sent (to at least one output) since the start. */
uint64_t p1port_sent(const p1port_t *p);

#endif /* EMETER_APP_P1PORT_H */
