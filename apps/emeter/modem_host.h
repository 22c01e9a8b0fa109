/*
 * modem_host.h - the host side of the meter's LTE-M modem (issue 8): the
 * factory configuration of lib/meter/modem (config "modem" and "io"
 * sections), the link emulation (link.h) hooked into net.c's TCP wrapper
 * connections, the wake-up listener (wakeup.h), and the link model's
 * coverage and signal fed to the modem model every loop round.
 *
 * The C API for the operator interface (/api/link, module inputs, the
 * state) works on the one running meter of the process.
 */
#ifndef EMETER_APP_MODEM_HOST_H
#define EMETER_APP_MODEM_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "config.h"
#include "link.h"
#include "meter/meter.h"
#include "net.h"
#include "wakeup.h"

typedef struct emeter_modem {
    meter_t *meter;
    net_t *net;
    link_t link;
    emeter_wakeup_t wakeup;
    bool wakeup_open;
    bool gate;
    uint8_t last_state; /* for the log line on a change */
} emeter_modem_t;

/* After the meter is mounted and the net is open: the factory settings
 * (the COSEM ones only when `fresh`, i.e. the flash held no meter), the
 * link, the net hooks, the wake-up listener. 0 or -1 with err. */
int emeter_modem_start(emeter_modem_t *h, net_t *net, meter_t *m, const emeter_config_t *c,
                       bool fresh, char *err, size_t errlen);
/* Every loop round: the link model's coverage and signal to the modem. */
void emeter_modem_tick(emeter_modem_t *h);

/* ---- operator API (the running meter) ---------------------------------------------- */

/* /api/link PUT/POST: fields of a JSON object over the current link. 0 or
 * -1 with "link.FIELD: reason" (nothing changed). */
int emeter_link_update_json(const char *json, size_t len, char *err, size_t errlen);
/* /api/link GET: the link as JSON. Length or -1. */
int emeter_link_json(char *out, size_t cap);
/* Module input port 1/2 to level 0/1 (meter_io_input at the meter's
 * time). 0 or METER_IO_ERR_*. */
int emeter_io_input(unsigned port, unsigned level);
/* /api/state: modem and module I/O as a JSON object. Length or -1. */
int emeter_comm_state_json(char *out, size_t cap);
/* The same as a json_object * (control_add_state's control_state_fn). */
json_object *emeter_comm_state_object(void *user);

#endif /* EMETER_APP_MODEM_HOST_H */
