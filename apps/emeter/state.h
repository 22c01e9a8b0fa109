/*
 * state.h - what the virtual meter keeps across restarts in --state DIR,
 * until the power-fail safe flash store (lib/store) takes over: the keys
 * of the management security context, the invocation counter reservation,
 * the last accepted client counter, and the LLS secret.
 *
 * File DIR/security.state, text, one "name=value" per line, replaced
 * atomically (write a temporary file, fsync, rename, fsync the directory),
 * so a kill at any instant leaves either the old or the new file.
 *
 * Invocation counters are never reused: the server reserves a block of
 * counters (tx_ic_reserved) and persists the reservation *before* it sends
 * with any counter in the block; on start the meter continues from the
 * saved reservation, skipping whatever the crashed process did not use.
 */
#ifndef EMETER_APP_STATE_H
#define EMETER_APP_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct emeter_state {
    uint8_t guek[16], gbek[16], ak[16], kek[16];
    uint32_t tx_ic_reserved; /* persisted bound; the next start sends from here */
    uint32_t rx_ic_last;
    bool rx_ic_valid;
    uint8_t lls_secret[32];
    uint8_t lls_secret_len;
    uint8_t security_policy;
} emeter_state_t;

/* Create DIR (and parents) when missing. 0 or -1 with a message. */
int emeter_state_prepare_dir(const char *dir, char *err, size_t errlen);

/* Load DIR/security.state. Returns 1 when loaded, 0 when there is no state
 * yet (first start), -1 on a damaged file (message in err). */
int emeter_state_load(const char *dir, emeter_state_t *st, char *err, size_t errlen);

/* Atomically replace DIR/security.state and make it durable. 0 or -1. */
int emeter_state_save(const char *dir, const emeter_state_t *st, char *err, size_t errlen);

#endif /* EMETER_APP_STATE_H */
