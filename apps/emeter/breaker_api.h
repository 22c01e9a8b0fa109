/*
 * breaker_api.h - the breaker and prepayment members of the control API's
 * GET /api/state (docs/control-api.md, docs/breaker.md): "relay" (the
 * supply breaker: present, closed, control state and mode) and, for a
 * meter with prepayment, "prepayment" (account status, available credit,
 * token credit, currency).
 */
#ifndef EMETER_APP_BREAKER_API_H
#define EMETER_APP_BREAKER_API_H

#include <json-c/json.h>

#include "config.h"
#include "control.h"
#include "meter/meter.h"
#include "runtime.h"

/* The configuration's "supervision" over the meter's defaults (after
 * meter_init; not persisted: the configuration file is its only source). */
void breaker_api_configure(meter_t *m, const emeter_config_t *c);

/* Registers the members with control_add_state(). */
void breaker_api_add(control_t *c, runtime_t *rt);

/* The members' values for a meter (new json objects; NULL: leave out). */
json_object *breaker_api_relay(const meter_t *m);
json_object *breaker_api_prepayment(const meter_t *m);

#endif /* EMETER_APP_BREAKER_API_H */
