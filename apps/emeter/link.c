/*
 * link.c - the link emulation between the virtual meter and its head-end
 * (see link.h; issue 8 "Link emulation"). The parameters' defaults,
 * checks and JSON decoding are in config.c (the "link" section), so code
 * that includes config.c alone links.
 */
#include "link.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

int link_params_from_json(const char *json, size_t len, link_params_t *p, char *err,
                          size_t errlen) {
    json_tokener *tok = json_tokener_new();
    if (tok == NULL) {
        snprintf(err, errlen, "link: out of memory");
        return -1;
    }
    json_object *o = json_tokener_parse_ex(tok, json, (int)len);
    json_tokener_free(tok);
    int rc = link_params_from_object(o, p, err, errlen);
    json_object_put(o);
    return rc;
}

int link_params_to_json(const link_t *l, char *out, size_t cap) {
    const link_params_t *p = &l->p;
    int n = snprintf(out, cap,
                     "{\"latency_ms\":%u,\"bandwidth_bps\":%u,\"loss_pct\":%g,\"seed\":%llu,"
                     "\"outage_every_s\":%u,\"outage_s\":%u,\"down\":%s,\"rssi_dbm\":%d,"
                     "\"frames_lost\":%llu,\"frames_delayed\":%llu,\"cuts\":%llu}",
                     p->latency_ms, p->bandwidth_bps, p->loss_pct, (unsigned long long)p->seed,
                     p->outage_every_s, p->outage_s, p->down ? "true" : "false", p->rssi_dbm,
                     (unsigned long long)l->frames_lost, (unsigned long long)l->frames_delayed,
                     (unsigned long long)l->cuts);
    return n < 0 || (size_t)n >= cap ? -1 : n;
}

void link_init(link_t *l, const link_params_t *p, uint64_t now_ms) {
    memset(l, 0, sizeof(*l));
    l->p = *p;
    l->rng = p->seed ? p->seed : 1;
    l->start_ms = now_ms;
}

int link_set(link_t *l, const link_params_t *p, char *err, size_t errlen) {
    if (link_params_check(p, err, errlen) != 0)
        return -1;
    if (p->seed != l->p.seed)
        l->rng = p->seed ? p->seed : 1;
    l->p = *p;
    return 0;
}

bool link_up(const link_t *l, uint64_t now_ms) {
    if (l->p.down)
        return false;
    if (l->p.outage_every_s == 0)
        return true;
    uint64_t period = (uint64_t)l->p.outage_every_s * 1000u;
    uint64_t pos = (now_ms - l->start_ms) % period;
    /* the outage is at the end of each period: the link starts up */
    return pos < period - (uint64_t)l->p.outage_s * 1000u;
}

bool link_active(const link_t *l) {
    return l->p.latency_ms != 0 || l->p.bandwidth_bps != 0 || l->p.loss_pct > 0.0 || l->p.down ||
           l->p.outage_every_s != 0;
}

/* xorshift64* (Vigna), uniform in [0, 1). */
static double next_unit(link_t *l) {
    uint64_t x = l->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    l->rng = x;
    return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

bool link_lose(link_t *l) {
    if (l->p.loss_pct <= 0.0)
        return false;
    bool lost = next_unit(l) * 100.0 < l->p.loss_pct;
    if (lost)
        l->frames_lost++;
    return lost;
}

uint64_t link_delay_ms(const link_t *l, size_t in, size_t out) {
    uint64_t d = 2u * (uint64_t)l->p.latency_ms;
    if (l->p.bandwidth_bps != 0)
        d += ((uint64_t)(in + out) * 8u * 1000u + l->p.bandwidth_bps - 1) / l->p.bandwidth_bps;
    return d;
}

void link_modem_input(const link_t *l, uint64_t now_ms, meter_modem_link_t *out) {
    memset(out, 0, sizeof(*out));
    out->available = link_up(l, now_ms);
    out->rssi_dbm = l->p.rssi_dbm;
    /* LTE-M: RSRP about 20 dB under the RSSI of a 6-PRB carrier, RSRQ and
     * SINR from the margin over the -113 dBm floor (a plausible model,
     * not a radio simulation) */
    out->rsrp_dbm = (int16_t)(l->p.rssi_dbm - 20);
    int margin = l->p.rssi_dbm + 113; /* 0..62 */
    out->rsrq_db = (int8_t)(-20 + margin / 4);
    out->sinr_db = (int8_t)(-10 + margin / 2);
    /* the network's lease of a test bench: a private address */
    out->ip = 0x0A000002u; /* 10.0.0.2 */
    out->mask = 0xFFFFFF00u;
    out->gateway = 0x0A000001u;
    out->dns1 = 0x0A000001u;
    out->dns2 = 0x08080808u;
}
