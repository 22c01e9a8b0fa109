/*
 * link.h - the link emulation of the virtual meter (issue 8): a model of
 * the LTE-M path between the meter and its head-end, applied to the DLMS
 * TCP wrapper connections of net.c, so head-end retry and time-out logic
 * can be tested against one meter or many.
 *
 *   latency_ms     one-way delay; a response leaves the meter
 *                  2 x latency_ms + serialisation after its request
 *                  arrived (the request's and the response's way);
 *   bandwidth_bps  serialisation: (request + response bytes) x 8 / rate
 *                  (0: unlimited);
 *   loss_pct       probability (0..100) that a wrapper frame is lost, per
 *                  frame and direction, from a seeded PRNG (xorshift64*,
 *                  `seed`): a lost request is never answered, a lost
 *                  response is computed (the meter acted) but not sent.
 *                  TCP itself never loses bytes; what a head-end sees of a
 *                  lossy radio path once TCP gave up is a missing
 *                  response, which is what this models;
 *   outages        `down` (now), or periodic: every outage_every_s
 *                  seconds (from the start) the link is down for
 *                  outage_s seconds. An outage cuts every open connection
 *                  (the modem loses its PDP context), refuses new ones,
 *                  and tells the modem model there is no coverage;
 *   rssi_dbm       the signal strength the modem model reports (GSM
 *                  diagnostic, LTE monitoring, the LCD's bars).
 *
 * All can be changed at run time (link_set; the operator API /api/link
 * takes the same JSON as the "link" section, link_params_from_json).
 * Times are the host's monotonic milliseconds (real time, not the
 * meter's simulated time).
 */
#ifndef EMETER_APP_LINK_H
#define EMETER_APP_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/modem.h"

typedef struct link_params {
    uint32_t latency_ms;     /* 0..60000 */
    uint32_t bandwidth_bps;  /* 0 (unlimited) or 300..1e9 */
    double loss_pct;         /* 0..100 */
    uint64_t seed;           /* PRNG seed (0 is replaced by 1) */
    uint32_t outage_every_s; /* 0: no periodic outage */
    uint32_t outage_s;       /* < outage_every_s */
    bool down;               /* the link is down now */
    int16_t rssi_dbm;        /* -113..-51 */
} link_params_t;

typedef struct link {
    link_params_t p;
    uint64_t rng;
    uint64_t start_ms;    /* origin of the periodic outages */
    uint64_t frames_lost; /* requests and responses dropped */
    uint64_t frames_delayed;
    uint64_t cuts; /* connections cut by an outage */
} link_t;

/* Defaults: no latency, unlimited, no loss, seed 1, no outage, -75 dBm. */
void link_params_default(link_params_t *p);
/* Checks p; "" or a reason in err. 0 or -1. */
int link_params_check(const link_params_t *p, char *err, size_t errlen);
/* Fields present in a JSON object (the "link" section, /api/link) over
 * *p: 0 or -1 with "link.FIELD: reason" in err. Unknown fields refused. */
int link_params_from_json(const char *json, size_t len, link_params_t *p, char *err, size_t errlen);
/* The same from a parsed json_object * (the config file's section). */
int link_params_from_object(void *json_object, link_params_t *p, char *err, size_t errlen);
/* The parameters as a JSON object (for /api/link GET), NUL-terminated. */
int link_params_to_json(const link_t *l, char *out, size_t cap);

void link_init(link_t *l, const link_params_t *p, uint64_t now_ms);
/* Run-time change (the PRNG is re-seeded when the seed changes). 0 or -1. */
int link_set(link_t *l, const link_params_t *p, char *err, size_t errlen);
/* True when the link carries traffic at now_ms. */
bool link_up(const link_t *l, uint64_t now_ms);
/* True when something is to be emulated (delay, loss, outages). */
bool link_active(const link_t *l);
/* One frame's fate: true = lost (counts it). */
bool link_lose(link_t *l);
/* Delay of a response to a request of in bytes with out bytes. */
uint64_t link_delay_ms(const link_t *l, size_t in, size_t out);
/* What the modem model sees at now_ms (coverage, signal, the lease). */
void link_modem_input(const link_t *l, uint64_t now_ms, meter_modem_link_t *out);

#endif /* EMETER_APP_LINK_H */
