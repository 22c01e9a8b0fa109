/*
 * breaker_api.c - "relay" and "prepayment" of GET /api/state (see
 * breaker_api.h): what the meter drives the relay output to (the position
 * em_port_t.relay last received) and the Disconnect control state behind
 * it (Blue Book class 70), and the prepayment account (class 111).
 */
#include "breaker_api.h"

static const char *const CONTROL_STATES[] = {"disconnected", "connected", "ready_for_reconnection"};

json_object *breaker_api_relay(const meter_t *m) {
    json_object *o = json_object_new_object();
    bool present = meter_breaker_present(m);
    json_object_object_add(o, "present", json_object_new_boolean(present));
    json_object_object_add(o, "closed", json_object_new_boolean(meter_breaker_closed(m)));
    if (!present)
        return o;
    uint8_t st = meter_breaker_control_state(m);
    json_object_object_add(o, "control_state",
                           json_object_new_string(st <= 2 ? CONTROL_STATES[st] : "?"));
    json_object_object_add(o, "control_mode", json_object_new_int(m->breaker.disc.control_mode));
    json_object_object_add(o, "limiter_over", json_object_new_boolean(m->breaker.limiter.over));
    json_object *trips = json_object_new_array();
    static const char *const names[METER_SUP_COUNT] = {"over_current", "over_power", "over_voltage",
                                                       "neutral_loss"};
    for (unsigned k = 0; k < METER_SUP_COUNT; k++)
        if (m->breaker.sup_tripped & (1u << k))
            json_object_array_add(trips, json_object_new_string(names[k]));
    json_object_object_add(o, "supervision_trips", trips);
    json_object_object_add(o, "prepayment_off", json_object_new_boolean(m->breaker.prepay_inhibit));
    return o;
}

json_object *breaker_api_prepayment(const meter_t *m) {
    const meter_prepay_t *p = &m->prepay;
    if (!p->enabled)
        return NULL;
    static const char *const status[] = {"?", "new", "active", "closed"};
    const cosem_account_state_t *a = &p->account;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "mode",
                           json_object_new_string(a->payment_mode == COSEM_PAYMENT_MODE_CREDIT
                                                      ? "credit"
                                                      : "prepayment"));
    json_object_object_add(
        o, "status",
        json_object_new_string(a->account_status <= 3 ? status[a->account_status] : "?"));
    json_object_object_add(o, "available_credit", json_object_new_int(a->available_credit));
    json_object_object_add(o, "token_credit", json_object_new_int(p->token.current_credit_amount));
    json_object_object_add(o, "emergency_credit",
                           json_object_new_int(p->emergency.current_credit_amount));
    json_object_object_add(
        o, "currency",
        json_object_new_string_len((const char *)a->currency_name, a->currency_name_len));
    json_object_object_add(o, "scale", json_object_new_int(a->currency_scale));
    json_object_object_add(o, "disconnect_wanted", json_object_new_boolean(a->disconnect_wanted));
    return o;
}

void breaker_api_configure(meter_t *m, const emeter_config_t *c) {
    meter_supervision_cfg_t *s = &m->breaker.sup;
    if (c->supervision.over_current_a >= 0)
        s->over_current_ca = (uint16_t)(c->supervision.over_current_a * 100.0 + 0.5);
    if (c->supervision.over_power_kw >= 0)
        s->over_power_w = (uint32_t)(c->supervision.over_power_kw * 1000.0 + 0.5);
    if (c->supervision.over_voltage_v >= 0)
        s->over_voltage_dv = (uint16_t)(c->supervision.over_voltage_v * 10.0 + 0.5);
    if (c->supervision.over_current_s >= 0)
        s->over_current_s = (uint32_t)c->supervision.over_current_s;
    if (c->supervision.over_power_s >= 0)
        s->over_power_s = (uint32_t)c->supervision.over_power_s;
    if (c->supervision.over_voltage_s >= 0)
        s->over_voltage_s = (uint32_t)c->supervision.over_voltage_s;
    if (c->supervision.neutral_s >= 0)
        s->neutral_s = (uint32_t)c->supervision.neutral_s;
    if (c->supervision.restore_s >= 0)
        s->restore_s = (uint32_t)c->supervision.restore_s;
    if (c->supervision.neutral_loss >= 0)
        s->neutral_loss = c->supervision.neutral_loss != 0;
}

static json_object *relay_fn(void *user) {
    return breaker_api_relay(runtime_meter(user));
}

static json_object *prepay_fn(void *user) {
    return breaker_api_prepayment(runtime_meter(user));
}

void breaker_api_add(control_t *c, runtime_t *rt) {
    control_add_state(c, "relay", relay_fn, rt);
    control_add_state(c, "prepayment", prepay_fn, rt);
}
