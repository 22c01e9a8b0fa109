/*
 * lockout.c - failed login counting and association lockout (see
 * lockout.h; event 46 of dlms-facts §2.6).
 */
#include "meter/lockout.h"

#include <string.h>

#define WEEK_S (7u * 86400u)

const char *lockout_strerror(int err) {
    switch (err) {
    case 0:
        return "ok";
    case LOCKOUT_ERR_BADARG:
        return "lockout: bad argument";
    case LOCKOUT_ERR_CONFIG:
        return "lockout: configuration invalid";
    default:
        return "lockout: unknown error";
    }
}

void lockout_cfg_default(lockout_cfg_t *cfg) {
    if (cfg == NULL)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_failures = 3;
    cfg->window_s = 600;
    cfg->lockout_s = 900;
}

int lockout_init(lockout_t *l, const lockout_cfg_t *cfg, const lockout_ops_t *ops) {
    if (l == NULL || cfg == NULL || ops == NULL || ops->event == NULL)
        return LOCKOUT_ERR_BADARG;
    if (cfg->max_failures == 0 || cfg->max_failures > EM_LOCKOUT_MAX_FAILURES ||
        cfg->window_s == 0 || cfg->window_s > WEEK_S || cfg->lockout_s == 0 ||
        cfg->lockout_s > WEEK_S)
        return LOCKOUT_ERR_CONFIG;
    memset(l, 0, sizeof(*l));
    l->cfg = *cfg;
    l->ops = *ops;
    return 0;
}

/* b - a for b > a, without overflow. */
static uint64_t after(int64_t a, int64_t b) {
    return (uint64_t)b - (uint64_t)a;
}

/* utc + s, saturated. */
static int64_t plus(int64_t utc, uint32_t s) {
    return utc > INT64_MAX - (int64_t)s ? INT64_MAX : utc + (int64_t)s;
}

/* Ends the lock when its time is over; caps it after a clock set back. */
static void update(lockout_t *l, int64_t utc) {
    if (!l->locked)
        return;
    if (utc >= l->until_utc) {
        l->locked = false;
        return;
    }
    if (after(utc, l->until_utc) > l->cfg.lockout_s)
        l->until_utc = plus(utc, l->cfg.lockout_s);
}

unsigned lockout_failures(const lockout_t *l, int64_t utc) {
    if (l == NULL)
        return 0;
    unsigned n = 0;
    for (unsigned i = 0; i < l->count; i++) {
        unsigned k = (l->head + EM_LOCKOUT_MAX_FAILURES - 1u - i) % EM_LOCKOUT_MAX_FAILURES;
        /* utc - t < window; a failure stamped after utc counts as recent */
        if (utc <= l->fail_utc[k] || after(l->fail_utc[k], utc) < l->cfg.window_s)
            n++;
    }
    return n;
}

int lockout_failure(lockout_t *l, int64_t utc) {
    if (l == NULL)
        return LOCKOUT_ERR_BADARG;
    update(l, utc);
    if (l->locked)
        return 0; /* refused attempts do not count (lockout.h) */
    l->fail_utc[l->head] = utc;
    l->head = (uint8_t)((l->head + 1u) % EM_LOCKOUT_MAX_FAILURES);
    if (l->count < EM_LOCKOUT_MAX_FAILURES)
        l->count++;
    if (l->cfg.log_each_failure)
        l->ops.event(l->ops.user, LOCKOUT_EV_FAILED_LOGIN, utc);
    if (lockout_failures(l, utc) < l->cfg.max_failures)
        return 0;
    l->locked = true;
    l->until_utc = plus(utc, l->cfg.lockout_s);
    l->locks++;
    l->count = 0;
    l->head = 0;
    if (!l->cfg.log_each_failure)
        l->ops.event(l->ops.user, LOCKOUT_EV_FAILED_LOGIN, utc);
    return 1;
}

int lockout_success(lockout_t *l, int64_t utc) {
    if (l == NULL)
        return LOCKOUT_ERR_BADARG;
    update(l, utc);
    l->count = 0;
    l->head = 0;
    return 0;
}

bool lockout_allowed(lockout_t *l, int64_t utc) {
    if (l == NULL)
        return false;
    update(l, utc);
    return !l->locked;
}

uint32_t lockout_remaining(lockout_t *l, int64_t utc) {
    if (l == NULL)
        return 0;
    update(l, utc);
    return l->locked ? (uint32_t)after(utc, l->until_utc) : 0u;
}

int64_t lockout_until(const lockout_t *l) {
    return l != NULL && l->locked ? l->until_utc : 0;
}

int lockout_restore(lockout_t *l, int64_t until_utc, int64_t now_utc) {
    if (l == NULL)
        return LOCKOUT_ERR_BADARG;
    l->locked = until_utc > now_utc;
    l->until_utc = l->locked ? until_utc : 0;
    update(l, now_utc); /* a stored end beyond lockout_s is capped */
    return 0;
}
