/*
 * fleet.h - `emeter --count N`: N virtual meters on one host (fleet.c).
 */
#ifndef EMETER_APP_FLEET_H
#define EMETER_APP_FLEET_H

#include "runtime.h"

/* Maximum --count (each meter is a process with a ~1-2 MB flash image). */
#define EMETER_FLEET_MAX 10000u

/* Runs `count` meters as child processes until SIGTERM/SIGINT; 0 when
 * every meter stopped cleanly, 1 otherwise, 2 when the fleet could not
 * start. */
int emeter_fleet_run(const emeter_options_t *opt, unsigned count);

#endif /* EMETER_APP_FLEET_H */
