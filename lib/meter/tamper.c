/*
 * tamper.c - tamper detection (see tamper.h): debounced cover and magnetic
 * field inputs stamped with their raw edges, an outage queue, and event 47
 * (seed 000 §3.3.6; event codes dlms-facts §2.6).
 */
#include "meter/tamper.h"

#include <string.h>

const char *tamper_strerror(int err) {
    switch (err) {
    case 0:
        return "ok";
    case TAMPER_ERR_BADARG:
        return "tamper: bad argument";
    case TAMPER_ERR_CONFIG:
        return "tamper: configuration invalid";
    default:
        return "tamper: unknown error";
    }
}

/* Event code when source becomes active (+0) or inactive (+1). */
static const uint8_t ev_base[TAMPER_SOURCE_COUNT] = {
    TAMPER_EV_TERMINAL_COVER_OPEN, TAMPER_EV_METER_COVER_OPEN, TAMPER_EV_MAGNET_DETECTED};

void tamper_cfg_default(tamper_cfg_t *cfg) {
    if (cfg == NULL)
        return;
    memset(cfg, 0, sizeof(*cfg));
    for (unsigned k = 0; k < TAMPER_SOURCE_COUNT; k++)
        cfg->threshold_s[k] = 5;
    cfg->magnet_mt = 70; /* seed 000 table 5 */
}

int tamper_init(tamper_t *t, const tamper_cfg_t *cfg, const tamper_ops_t *ops) {
    if (t == NULL || cfg == NULL || ops == NULL || ops->event == NULL)
        return TAMPER_ERR_BADARG;
    for (unsigned k = 0; k < TAMPER_SOURCE_COUNT; k++)
        if (cfg->threshold_s[k] > 86400u)
            return TAMPER_ERR_CONFIG;
    if (cfg->magnet_mt == 0)
        return TAMPER_ERR_CONFIG;
    memset(t, 0, sizeof(*t));
    t->cfg = *cfg;
    t->ops = *ops;
    return 0;
}

static void emit(tamper_t *t, uint8_t code, int64_t utc) {
    if (!t->down) {
        t->ops.event(t->ops.user, code, utc);
        return;
    }
    if (t->queued >= EM_TAMPER_QUEUE) {
        t->lost++;
        return;
    }
    t->queue[t->queued].code = code;
    t->queue[t->queued].utc = utc;
    t->queued++;
}

/* Confirm source k at utc when its new raw state has lasted the threshold. */
static void confirm(tamper_t *t, unsigned k, int64_t utc) {
    tamper_input_t *in = &t->in[k];
    if (!in->pending)
        return;
    /* A clock set back counts as no time elapsed (unsigned difference:
     * no overflow whatever instants the RTC gives). */
    uint64_t held = utc > in->edge_utc ? (uint64_t)utc - (uint64_t)in->edge_utc : 0u;
    if (held < t->cfg.threshold_s[k])
        return;
    in->pending = false;
    in->active = in->raw;
    if (in->active)
        t->symbol = true;
    emit(t, (uint8_t)(ev_base[k] + (in->active ? 0u : 1u)), in->edge_utc);
}

int tamper_tick(tamper_t *t, int64_t utc) {
    if (t == NULL)
        return TAMPER_ERR_BADARG;
    for (unsigned k = 0; k < TAMPER_SOURCE_COUNT; k++)
        confirm(t, k, utc);
    return 0;
}

int tamper_input(tamper_t *t, uint8_t source, bool active, int64_t utc) {
    if (t == NULL || source >= TAMPER_SOURCE_COUNT)
        return TAMPER_ERR_BADARG;
    /* First what the previous state has become by now (a threshold may
     * have run out while nothing called tick: an outage). */
    tamper_tick(t, utc);
    tamper_input_t *in = &t->in[source];
    if (active == in->raw)
        return 0;
    in->raw = active;
    if (active == in->active) {
        in->pending = false; /* back before the threshold: a bounce */
    } else {
        in->pending = true;
        in->edge_utc = utc;
        confirm(t, source, utc); /* threshold 0: at once */
    }
    return 0;
}

int tamper_magnet_field(tamper_t *t, uint16_t mt, int64_t utc) {
    if (t == NULL)
        return TAMPER_ERR_BADARG;
    return tamper_input(t, TAMPER_MAGNET, mt >= t->cfg.magnet_mt, utc);
}

int tamper_power_down(tamper_t *t, int64_t utc) {
    if (t == NULL)
        return TAMPER_ERR_BADARG;
    tamper_tick(t, utc);
    t->down = true;
    return 0;
}

int tamper_power_up(tamper_t *t, int64_t utc) {
    if (t == NULL)
        return TAMPER_ERR_BADARG;
    tamper_tick(t, utc); /* still queued: keeps the order */
    t->down = false;
    int n = t->queued;
    for (unsigned i = 0; i < t->queued; i++)
        t->ops.event(t->ops.user, t->queue[i].code, t->queue[i].utc);
    t->queued = 0;
    return n;
}

int tamper_config_change(tamper_t *t, int64_t utc) {
    if (t == NULL)
        return TAMPER_ERR_BADARG;
    emit(t, TAMPER_EV_CONFIG_CHANGE, utc);
    return 0;
}

bool tamper_active(const tamper_t *t, uint8_t source) {
    return t != NULL && source < TAMPER_SOURCE_COUNT && t->in[source].active;
}

bool tamper_raw(const tamper_t *t, uint8_t source) {
    return t != NULL && source < TAMPER_SOURCE_COUNT && t->in[source].raw;
}

bool tamper_symbol(const tamper_t *t) {
    return t != NULL && t->symbol;
}

void tamper_clear_symbol(tamper_t *t) {
    if (t == NULL)
        return;
    /* A tamper still present keeps the symbol. */
    t->symbol = false;
    for (unsigned k = 0; k < TAMPER_SOURCE_COUNT; k++)
        if (t->in[k].active)
            t->symbol = true;
}

uint32_t tamper_lost(const tamper_t *t) {
    return t == NULL ? 0 : t->lost;
}
