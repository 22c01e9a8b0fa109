/*
 * lockout.h - failed login counting and association lockout (seed 000
 * §3.3.6 "password error" among the tamper attempts, §3.3.4 fraud
 * detection log "access with wrong password"; event 46 "failed login
 * attempt (n times wrong password)", dlms-facts §2.6).
 *
 * One context per authenticated association (e.g. the management client,
 * SAP 1; the public client 16 has no secret to guess). The DLMS server
 * reports each authentication failure (LLS password wrong, HLS-5 pass 4
 * f(StoC) wrong) with lockout_failure and each success with
 * lockout_success. max_failures failures within window_s seconds lock the
 * association for lockout_s seconds; a success resets the count. While
 * locked, lockout_allowed() is false and the server must refuse the
 * association BEFORE looking at its credentials, so a locked meter cannot
 * be used as an oracle:
 *
 *   AARE result rejected-transient (2), result-source-diagnostic
 *   acse-service-user authentication-failure (13) (A2 03 02 01 02,
 *   A3 05 A1 03 02 01 0D). Transient because the lock ends by itself;
 *   authentication-failure because that is what a client can act on (the
 *   client library reports "authentication failure", the operator checks
 *   the keys and waits), without telling a guesser anything new.
 *
 * Attempts refused during the lock are not counted (nothing was
 * authenticated) and do not extend it.
 *
 * Event 46: by default once per lockout, stamped with the failure that
 * completed the count (the DSMR meaning "n times wrong password");
 * log_each_failure writes it for every failure instead. The meter's event
 * table raises the fraud attempt alarm for 46 (events.c).
 *
 * A restart must not open the lock: the meter persists lockout_until()
 * and gives it back with lockout_restore() at start.
 *
 * Time: UTC seconds. A clock set back never lengthens a lock beyond
 * lockout_s from now, and failures "from the future" count as recent.
 */
#ifndef EMETER_METER_LOCKOUT_H
#define EMETER_METER_LOCKOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "emeter_config.h"

/* Errors: -0x0AC8..-0x0ACF of the meter application range. */
#define LOCKOUT_ERR_BADARG (-0x0AC9) /* NULL pointer */
#define LOCKOUT_ERR_CONFIG                                                                         \
    (-0x0ACA) /* count 0 or above EM_LOCKOUT_MAX_FAILURES, time 0 or > 1 week */

#define LOCKOUT_EV_FAILED_LOGIN 46u

typedef struct lockout_ops {
    void (*event)(void *user, uint8_t code, int64_t utc);
    void *user;
} lockout_ops_t;

typedef struct lockout_cfg {
    uint8_t max_failures; /* 1..EM_LOCKOUT_MAX_FAILURES */
    uint32_t window_s;    /* failures older than this are forgotten */
    uint32_t lockout_s;   /* length of a lock */
    bool log_each_failure;
} lockout_cfg_t;

typedef struct lockout {
    lockout_cfg_t cfg;
    lockout_ops_t ops;
    int64_t fail_utc[EM_LOCKOUT_MAX_FAILURES]; /* ring of the latest failures */
    uint8_t head, count;
    bool locked;
    int64_t until_utc; /* lock ends (valid when locked) */
    uint32_t locks;    /* locks since init */
} lockout_t;

/* Defaults: 3 failures within 600 s lock for 900 s (chosen: a mistyped key
 * is retried a couple of times; a guesser gets 3 tries per quarter hour). */
void lockout_cfg_default(lockout_cfg_t *cfg);

int lockout_init(lockout_t *l, const lockout_cfg_t *cfg, const lockout_ops_t *ops);

/* An authentication failure at utc. Returns 1 when it started a lock, 0
 * otherwise, or a negative error. */
int lockout_failure(lockout_t *l, int64_t utc);

/* A successful authentication: forgets the failures. */
int lockout_success(lockout_t *l, int64_t utc);

/* May an association be attempted at utc? (Also ends an expired lock.) */
bool lockout_allowed(lockout_t *l, int64_t utc);

/* Seconds until the lock ends (0 when not locked). */
uint32_t lockout_remaining(lockout_t *l, int64_t utc);

/* Failures counted within the window at utc. */
unsigned lockout_failures(const lockout_t *l, int64_t utc);

/* Persistence: the end of the current lock (0: none) and its restore. */
int64_t lockout_until(const lockout_t *l);
int lockout_restore(lockout_t *l, int64_t until_utc, int64_t now_utc);

const char *lockout_strerror(int err);

#endif /* EMETER_METER_LOCKOUT_H */
