/*
 * test_cosem_prepay_table.h - a small prepayment meter for
 * test_cosem_prepay.c and fuzz/fuzz_prepay.c: Clock, Account 0.0.19.0.0.255
 * with a token credit and an emergency credit, an energy charge (25 ct/kWh
 * from 1.0.1.8.0.255), a standing charge and a debt charge, a Token gateway,
 * the energy register and the tariff indicator. One association
 * (everything allowed, plain). Header-only so each program has its copy.
 */
#ifndef EMETER_TEST_COSEM_PREPAY_TABLE_H
#define EMETER_TEST_COSEM_PREPAY_TABLE_H

#include <stdint.h>
#include <string.h>

#include "cosem/prepayment.h"

#define LN(...) ((const uint8_t[6]){__VA_ARGS__})

#define LN_CLOCK     LN(0, 0, 1, 0, 0, 255)
#define LN_ACCOUNT   LN(0, 0, 19, 0, 0, 255)
#define LN_TOKEN     LN(0, 0, 19, 10, 0, 255)
#define LN_EMERGENCY LN(0, 0, 19, 10, 1, 255)
#define LN_ENERGY    LN(0, 0, 19, 20, 0, 255)
#define LN_STANDING  LN(0, 0, 19, 20, 1, 255)
#define LN_DEBT      LN(0, 0, 19, 20, 2, 255)
#define LN_GATEWAY   LN(0, 0, 19, 40, 0, 255)
#define LN_A_PLUS    LN(1, 0, 1, 8, 0, 255)
#define LN_TARIFF    LN(0, 0, 96, 14, 0, 255)

#define EV_MAX 16

typedef struct pp_app {
    cosem_clock_state_t clock;
    cosem_account_state_t account;
    cosem_credit_state_t token, emergency;
    cosem_charge_state_t energy, standing, debt;
    cosem_token_gateway_state_t gateway;
    uint64_t a_plus_wh;
    uint8_t tariff[2];
    dlms_assoc_config_t assoc;
    int64_t rtc;
    int events[EV_MAX];
    int32_t values[EV_MAX];
    uint8_t last_event;
} pp_app_t;

typedef struct pp {
    pp_app_t app;
    em_port_t port;
    cosem_server_t srv;
} pp_t;

static inline void pp_hook(void *app, const cosem_object_t *account, uint8_t ev, int32_t value) {
    pp_app_t *a = app;
    (void)account;
    if (ev < EV_MAX) {
        a->events[ev]++;
        a->values[ev] = value;
        a->last_event = ev;
    }
}

#define APP pp_app_t
static const cosem_access_t pp_all = {.read = COSEM_ALL, .write = COSEM_ALL, .method = 0xFFFEu};
static const cosem_clock_def_t clock_def = {.state = COSEM_STATE(cosem_clock_state_t, APP, clock),
                                            .measuring_period = 900};
static const cosem_account_def_t account_def = {
    .state = COSEM_STATE(cosem_account_state_t, APP, account),
    .hook = pp_hook,
    .tariff = COSEM_FIELD(AXDR_OCTET_STRING, APP, tariff)};
static const cosem_credit_def_t token_def = {COSEM_STATE(cosem_credit_state_t, APP, token)};
static const cosem_credit_def_t emergency_def = {COSEM_STATE(cosem_credit_state_t, APP, emergency)};
static const cosem_charge_def_t energy_def = {COSEM_STATE(cosem_charge_state_t, APP, energy)};
static const cosem_charge_def_t standing_def = {COSEM_STATE(cosem_charge_state_t, APP, standing)};
static const cosem_charge_def_t debt_def = {COSEM_STATE(cosem_charge_state_t, APP, debt)};
static const cosem_token_gateway_def_t gateway_def = {
    COSEM_STATE(cosem_token_gateway_state_t, APP, gateway), {0, 0, 19, 0, 0, 255}};
static const cosem_register_def_t a_plus_def = {COSEM_FIELD(AXDR_LONG64_UNSIGNED, APP, a_plus_wh),
                                                0, COSEM_UNIT_WH};
static const cosem_data_def_t tariff_def = {COSEM_FIELD(AXDR_OCTET_STRING, APP, tariff)};

static const cosem_object_t pp_objects[] = {
    {&cosem_class_clock, COSEM_OBIS(0, 0, 1, 0, 0, 255), &clock_def, {&pp_all}},
    {&cosem_class_account, COSEM_OBIS(0, 0, 19, 0, 0, 255), &account_def, {&pp_all}},
    {&cosem_class_credit, COSEM_OBIS(0, 0, 19, 10, 0, 255), &token_def, {&pp_all}},
    {&cosem_class_credit, COSEM_OBIS(0, 0, 19, 10, 1, 255), &emergency_def, {&pp_all}},
    {&cosem_class_charge, COSEM_OBIS(0, 0, 19, 20, 0, 255), &energy_def, {&pp_all}},
    {&cosem_class_charge, COSEM_OBIS(0, 0, 19, 20, 1, 255), &standing_def, {&pp_all}},
    {&cosem_class_charge, COSEM_OBIS(0, 0, 19, 20, 2, 255), &debt_def, {&pp_all}},
    {&cosem_class_token_gateway, COSEM_OBIS(0, 0, 19, 40, 0, 255), &gateway_def, {&pp_all}},
    {&cosem_class_register, COSEM_OBIS(1, 0, 1, 8, 0, 255), &a_plus_def, {&pp_all}},
    {&cosem_class_data, COSEM_OBIS(0, 0, 96, 14, 0, 255), &tariff_def, {&pp_all}},
};

static const uint8_t PP_KEY[16] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                                   0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F};
static const uint8_t PP_TITLE[8] = {'E', 'M', 'T', 0x00, 0x00, 0x00, 0x00, 0x04};

static inline int64_t pp_rtc_get(void *user) {
    return ((pp_app_t *)user)->rtc;
}

static inline int pp_rtc_set(void *user, int64_t utc) {
    ((pp_app_t *)user)->rtc = utc;
    return 0;
}

/* 2024-01-15 12:00 UTC, a Monday (13:00 CET). */
#define PP_T0 ((int64_t)1705320000)

/* The omni-style account: EUR in cents, token credit (priority 1) and an
 * emergency credit of 50 (priority 2, selectable when the token credit is
 * down to 0, no confirmation), energy at 25 ct/kWh from 1.0.1.8.0, the
 * standing charge and the debt charge present but priority 0 (off). */
static inline int pp_setup(pp_t *t) {
    memset(t, 0, sizeof(*t));
    pp_app_t *a = &t->app;
    cosem_clock_state_cet(&a->clock);
    cosem_account_init(&a->account, "EUR", -2, COSEM_CURRENCY_MONETARY);
    a->account.credit_count = 2;
    memcpy(a->account.credits[0], LN_TOKEN, 6);
    memcpy(a->account.credits[1], LN_EMERGENCY, 6);
    a->account.charge_count = 3;
    memcpy(a->account.charges[0], LN_ENERGY, 6);
    memcpy(a->account.charges[1], LN_STANDING, 6);
    memcpy(a->account.charges[2], LN_DEBT, 6);
    a->account.low_credit_threshold = 40;
    cosem_credit_init_token(&a->token, 1);
    cosem_credit_init_emergency(&a->emergency, 2, 50, 0, false);
    cosem_charge_init(&a->energy, COSEM_CHARGE_CONSUMPTION, 1, 25, -3, 0);
    a->energy.active.class_id = 3;
    memcpy(a->energy.active.ln, LN_A_PLUS, 6);
    a->energy.active.attribute_index = 2;
    a->energy.passive = a->energy.active;
    cosem_charge_init(&a->standing, COSEM_CHARGE_TIME, 0, 30, 0, 0);
    a->standing.period = 86400;
    cosem_charge_init(&a->debt, COSEM_CHARGE_PAYMENT, 0, 0, 0, 0);
    a->debt.charge_configuration = COSEM_CHARGE_CFG_PERCENTAGE;
    a->debt.proportion = 2500;
    cosem_token_gateway_init(&a->gateway, PP_KEY, PP_TITLE);
    a->tariff[1] = 1;
    a->assoc = (dlms_assoc_config_t){.client_sap = 16,
                                     .logical_name = {0, 0, 40, 0, 1, 255},
                                     .app_context = 1,
                                     .conformance = 0x00701Fu,
                                     .max_receive_pdu = 1024};
    a->rtc = PP_T0;
    t->port.user = a;
    t->port.rtc_get = pp_rtc_get;
    t->port.rtc_set = pp_rtc_set;
    int rc =
        cosem_server_init(&t->srv, pp_objects, COSEM_COUNT(pp_objects), a, sizeof(*a), &t->port);
    if (rc == 0) {
        rc = cosem_server_add_association(&t->srv, &a->assoc);
    }
    return rc;
}

#endif /* EMETER_TEST_COSEM_PREPAY_TABLE_H */
