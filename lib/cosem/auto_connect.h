/*
 * auto_connect.h - interface class Auto connect (class_id 29, version 2;
 * DLMS UA Blue Book "Auto connect", version 2 as DSMR/SMR 5 P3 uses it and
 * Gurux implements it by default; OSGP's InterfaceClass lists version 1,
 * which has the same six attributes and no method):
 *
 *   2 mode              enum
 *   3 repetitions       unsigned
 *   4 repetition_delay  long-unsigned, seconds
 *   5 calling_window    array of structure{start_time octet-string(12),
 *                       end_time octet-string(12)} (comm.h: windows)
 *   6 destination_list  array of octet-string ("host[:port]", host an IPv4
 *                       address or an FQDN)
 *   method 1 connect    data ::= integer (0)
 *
 * Modes (Blue Book, version 2) and what this implementation accepts:
 *     0  no auto dialling                                      accepted
 *     1  auto dialling allowed anytime                         accepted
 *     2  auto dialling allowed within the calling window       accepted
 *     3  "regular" dialling within the window, "alarm"
 *        initiated dialling anytime                            accepted
 *     4  SMS sending via PLMN, 5 SMS via PSTN, 6 e-mail        refused (other-reason):
 *                                                              an IP-only LTE-M module
 *   101  permanently connected ("always connected")            accepted
 *   102  permanently connected within the calling window       accepted
 *   103  permanently connected, connection (session) opened
 *        when the connect method is invoked                    accepted
 *   104  usually disconnected, connects when the connect
 *        method is invoked ("triggered")                       accepted
 *   200..255 manufacturer specific                             refused (none defined)
 *
 * All attributes validate completely before anything changes; wrong shapes
 * are type-unmatched, values out of range / too many entries / invalid
 * patterns / unusable destinations other-reason.
 *
 * ---- Behaviour (pure helpers the meter's connection manager calls) -----
 *
 * cosem_auto_connect_allows(st, reason, wall): whether the mode lets the
 * meter go on line for `reason` at local wall time `wall`:
 *
 *   reason        0   1   2    3    101  102  103  104
 *   POWER_UP      -   -   -    -    yes  win  yes  -     (seed 000 §3.3.3:
 *   SESSION_LOST  -   -   -    -    yes  win  yes  -      "triggered" stays silent
 *   WINDOW_OPEN   -   -   -    -    yes  win  yes  -      after power restoration)
 *   REGULAR       -   yes win  win  yes  win  yes  yes   (scheduled push)
 *   ALARM         -   yes win  yes  yes  win  yes  yes   (alarm push)
 *   INVOKED       -   yes win  yes  yes  win  yes  yes   (connect method, wake-up)
 *
 * ("win": only inside a calling window; an empty window list is "always",
 * comm.h.) Mode 0 ignores even the connect method: the method succeeds and
 * is recorded, the meter stays off line.
 *
 * cosem_auto_connect_keep(st, wall): false when an open connection must be
 * closed (mode 0; mode 102 outside its windows).
 *
 * The retry machine (cosem_auto_connect_run_t) is the repetition schedule:
 *
 *   trigger(at) -> DUE -(poll: now >= at)-> DIALLING -ok-> CONNECTED
 *                                             |fail
 *        WAITING (at = now + repetition_delay) <-+  while failures <= repetitions
 *        GAVE_UP                               <-+  after 1 + repetitions attempts
 *
 * `repetitions` is read as the number of REPEATED attempts after the first
 * (Blue Book: "the maximum number of trials in the case of unsuccessful
 * dialling attempts"): 0 dials once, 3 dials at most four times. A trigger
 * while a cycle runs (DUE, DIALLING, WAITING) or while connected changes
 * nothing; after GAVE_UP or IDLE it starts a new cycle. The power-up delay
 * of an "always connected" meter ("re-connects randomly, about 1 minute on
 * average") is trigger(now + cosem_auto_connect_random_delay(r, 60)).
 * Times of the machine are whatever seconds the caller counts in
 * (monotonic or UTC).
 */
#ifndef EMETER_COSEM_AUTO_CONNECT_H
#define EMETER_COSEM_AUTO_CONNECT_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/comm.h"
#include "cosem/cosem.h"

#define COSEM_CLASS_AUTO_CONNECT 29u

extern const cosem_class_t cosem_class_auto_connect;

enum cosem_auto_connect_mode {
    COSEM_AC_MODE_NONE = 0,
    COSEM_AC_MODE_ANYTIME = 1,
    COSEM_AC_MODE_WINDOW = 2,
    COSEM_AC_MODE_REGULAR_WINDOW = 3,
    COSEM_AC_MODE_PERMANENT = 101,
    COSEM_AC_MODE_PERMANENT_WINDOW = 102,
    COSEM_AC_MODE_PERMANENT_INVOKED = 103,
    COSEM_AC_MODE_INVOKED = 104,
};

enum cosem_auto_connect_reason {
    COSEM_AC_POWER_UP = 1, /* power restored (or start-up) */
    COSEM_AC_SESSION_LOST, /* the connection broke unexpectedly */
    COSEM_AC_WINDOW_OPEN,  /* a tick found a calling window open */
    COSEM_AC_REGULAR,      /* a scheduled push is to be sent */
    COSEM_AC_ALARM,        /* an alarm push is to be sent */
    COSEM_AC_INVOKED,      /* connect method, or an accepted wake-up */
};

typedef struct cosem_auto_connect_state {
    uint8_t mode;              /* attr 2 */
    uint8_t repetitions;       /* attr 3 */
    uint16_t repetition_delay; /* attr 4, s */
    uint8_t window_count;      /* attr 5 */
    cosem_comm_window_t windows[EM_COSEM_COMM_WINDOWS];
    uint8_t dest_count; /* attr 6 */
    uint8_t dest_len[EM_COSEM_COMM_DESTINATIONS];
    uint8_t dest[EM_COSEM_COMM_DESTINATIONS][EM_COSEM_COMM_DEST_MAX];
    bool connect_requested; /* method 1 was invoked and not yet taken */
} cosem_auto_connect_state_t;

typedef struct cosem_auto_connect_def {
    uint32_t state; /* COSEM_STATE(cosem_auto_connect_state_t, app_t, member) */
} cosem_auto_connect_def_t;

/* No windows, no destinations, the given mode, repetitions 3, delay 60 s. */
void cosem_auto_connect_init(cosem_auto_connect_state_t *st, uint8_t mode);
/* True for the modes this implementation accepts (see above). */
bool cosem_auto_connect_mode_ok(uint8_t mode);
/* Adds a destination (the factory configuration): 0, COSEM_COMM_ERR_DEST,
 * COSEM_COMM_ERR_FULL or COSEM_COMM_ERR_VALUE (too long). */
int cosem_auto_connect_add_destination(cosem_auto_connect_state_t *st, const char *dest);
/* Destination i parsed (0, or COSEM_COMM_ERR_ARG for no such entry). */
int cosem_auto_connect_destination(const cosem_auto_connect_state_t *st, uint8_t i,
                                   cosem_comm_dest_t *out);

/* See the table above. */
bool cosem_auto_connect_allows(const cosem_auto_connect_state_t *st, uint8_t reason, int64_t wall);
bool cosem_auto_connect_keep(const cosem_auto_connect_state_t *st, int64_t wall);
/* The calling windows at wall (comm.h). */
int cosem_auto_connect_windows(const cosem_auto_connect_state_t *st, int64_t wall,
                               cosem_comm_window_eval_t *out);
/* True once per connect method invocation (clears the request). */
bool cosem_auto_connect_take_request(cosem_auto_connect_state_t *st);
/* A delay uniform in 0 .. 2 x mean_s seconds from a random number: its
 * mean is mean_s. */
uint32_t cosem_auto_connect_random_delay(uint32_t random, uint32_t mean_s);

/* ---- retry machine ---------------------------------------------------------------- */

enum cosem_auto_connect_phase {
    COSEM_AC_IDLE = 0,  /* nothing to do */
    COSEM_AC_DUE,       /* first attempt due at `at` */
    COSEM_AC_DIALLING,  /* an attempt is under way */
    COSEM_AC_WAITING,   /* repetition due at `at` */
    COSEM_AC_CONNECTED, /* the last attempt succeeded */
    COSEM_AC_GAVE_UP,   /* 1 + repetitions attempts failed */
};

typedef struct cosem_auto_connect_run {
    uint8_t phase;    /* enum cosem_auto_connect_phase */
    uint8_t failures; /* failed attempts of this cycle */
    int64_t at;       /* DUE / WAITING: when the next attempt is due */
} cosem_auto_connect_run_t;

void cosem_auto_connect_run_init(cosem_auto_connect_run_t *run);
/* Starts a cycle with the first attempt at `at` (see above). */
void cosem_auto_connect_run_trigger(cosem_auto_connect_run_t *run, int64_t at);
/* True when an attempt is to be made now (the machine is DIALLING then). */
bool cosem_auto_connect_run_poll(cosem_auto_connect_run_t *run, int64_t now);
/* The outcome of the attempt under way. */
void cosem_auto_connect_run_result(cosem_auto_connect_run_t *run,
                                   const cosem_auto_connect_state_t *st, bool ok, int64_t now);
/* The connection ended (closed or lost): back to IDLE. */
void cosem_auto_connect_run_closed(cosem_auto_connect_run_t *run);

#endif /* EMETER_COSEM_AUTO_CONNECT_H */
