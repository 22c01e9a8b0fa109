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

#include "control.h"
#include "meter/meter.h"
#include "runtime.h"

/* Registers the members with control_add_state(). */
void breaker_api_add(control_t *c, runtime_t *rt);

/* The members' values for a meter (new json objects; NULL: leave out). */
json_object *breaker_api_relay(const meter_t *m);
json_object *breaker_api_prepayment(const meter_t *m);

#endif /* EMETER_APP_BREAKER_API_H */
