/*
 * runtime.h - the virtual meter process: one meter, its state directory,
 * its listeners, until SIGTERM (power failure: save, exit 0).
 */
#ifndef EMETER_APP_RUNTIME_H
#define EMETER_APP_RUNTIME_H

#include <stddef.h>

#include "config.h"

typedef struct emeter_options {
    const char *config_path; /* NULL: defaults */
    const char *state_dir;   /* default ./var/emeter */
    const char *variant;     /* overrides the config when set */
    const char *listen[CFG_MAX_LISTEN];
    size_t listen_count; /* overrides the config when > 0 */
    const char *hdlc;    /* optical port: "pty" or a serial device; NULL: none */
    const char *readout; /* optical port readout list (OBIS codes, comma-separated) */
    uint64_t seed;       /* load simulator household, when seed_set (overrides the config) */
    int seed_set;
    uint32_t speed; /* simulated time runs this many times faster (0 or 1: real time) */
} emeter_options_t;

#define EMETER_SPEED_MAX 100000u

/* Runs the meter. Returns the process exit status: 0 after SIGTERM/SIGINT,
 * 2 for a configuration or state error (message printed), 1 otherwise. */
int emeter_run(const emeter_options_t *opt);

#endif /* EMETER_APP_RUNTIME_H */
