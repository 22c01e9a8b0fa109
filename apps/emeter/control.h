/*
 * control.h - the operator control API of the virtual meter: HTTP with
 * JSON (libmicrohttpd, json-c) on --control ADDR:PORT (default
 * 127.0.0.1:8059), served inside the meter's single-threaded epoll loop
 * (MHD's external epoll mode: MHD's epoll fd is one more fd of net.c).
 *
 * A tester, or later a web front panel, reads GET /api/state and drives
 * the meter's inputs with POST /api/grid, /api/load and /api/time; those
 * take the meter's own input paths (runtime.h). docs/control-api.md.
 *
 * Extending it: an endpoint is one row of the table in control.c (path,
 * method, handler) and one handler function; a member of GET /api/state
 * that belongs to another module (the LCD, the LED, the relay) is added by
 * that module with control_add_state().
 */
#ifndef EMETER_APP_CONTROL_H
#define EMETER_APP_CONTROL_H

#include <stddef.h>

#include <json-c/json.h>

#include "net.h"
#include "runtime.h"

typedef struct control control_t;

/* Opens the API on addr ("HOST:PORT", port 0 = any free port), prints
 * "emeter: control API on http://HOST:PORT/api/state" and adds it to n's
 * loop (closed by net_close). NULL with a message in err. */
control_t *control_open(net_t *n, const char *addr, runtime_t *rt, char *err, size_t errlen);

/* The port it listens on (the one chosen when 0 was asked). */
unsigned control_port(const control_t *c);

/* Adds member `name` to every GET /api/state answer: fn returns a new
 * json_object (the state takes ownership) or NULL to leave it out. For the
 * device modules: "lcd", "led", "relay". At most CONTROL_MAX_STATE; 0 or
 * -1 when full. */
#define CONTROL_MAX_STATE 8
typedef json_object *(*control_state_fn)(void *user);
int control_add_state(control_t *c, const char *name, control_state_fn fn, void *user);

#endif /* EMETER_APP_CONTROL_H */
