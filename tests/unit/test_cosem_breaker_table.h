/*
 * test_cosem_breaker_table.h - a small meter for the Limiter tests
 * (test_cosem_limiter.c) and fuzz/fuzz_breaker.c: Clock (CET), Limiter
 * 0.0.17.0.0.255, Disconnect control 0.0.96.3.10.255 with a transition
 * hook, the disconnect Script table 0.0.10.0.106.255 whose native scripts
 * 1 and 2 are the local disconnect / reconnect, and numeric quantities to
 * monitor (Register double-long power, Register long-unsigned current, Data
 * float32 frequency) plus one octet-string Data. One association
 * (management, everything allowed, plain).
 *
 * Header-only (static inline) so each test program and the fuzz target
 * carry their own copy.
 */
#ifndef EMETER_TEST_COSEM_BREAKER_TABLE_H
#define EMETER_TEST_COSEM_BREAKER_TABLE_H

#include <stdint.h>
#include <string.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "cosem/disconnect_control.h"
#include "cosem/limiter.h"

#define BT_LIMITER ((const uint8_t[6]){0, 0, 17, 0, 0, 255})
#define BT_BREAKER ((const uint8_t[6]){0, 0, 96, 3, 10, 255})
#define BT_SCRIPTS ((const uint8_t[6]){0, 0, 10, 0, 106, 255})
#define BT_POWER   ((const uint8_t[6]){1, 0, 1, 7, 0, 255})

/* Table indexes. */
enum { BT_OBJ_CLOCK, BT_OBJ_LIMITER, BT_OBJ_BREAKER, BT_OBJ_SCRIPTS, BT_OBJ_POWER };

typedef struct bt_app {
    cosem_clock_state_t clock;          /* 0.0.1.0.0.255 */
    cosem_limiter_state_t limiter;      /* 0.0.17.0.0.255 */
    cosem_disconnect_state_t breaker;   /* 0.0.96.3.10.255 */
    cosem_script_table_state_t scripts; /* 0.0.10.0.106.255 */
    int32_t p_w;                        /* 1.0.1.7.0.255 double-long, W */
    uint16_t i_ca;                      /* 1.0.31.7.0.255 long-unsigned, 0.01 A */
    float freq;                         /* 0.0.96.128.0.255 float32 */
    uint8_t text[4];                    /* 0.0.96.128.1.255 octet-string */
    dlms_assoc_config_t assoc;
    /* simulated platform and what the hooks saw */
    int64_t rtc;
    cosem_server_t *srv;
    int transitions;
    char letters[16];
    int native_calls;
} bt_app_t;

typedef struct bt {
    bt_app_t app;
    em_port_t port;
    cosem_server_t srv;
} bt_t;

static inline void bt_on_transition(void *app, const cosem_object_t *obj,
                                    const cosem_disc_transition_t *t) {
    bt_app_t *a = app;
    (void)obj;
    if (a->transitions < (int)sizeof(a->letters)) {
        a->letters[a->transitions] = t->letter;
    }
    a->transitions++;
}

/* The disconnect script table: 1 local disconnect, 2 local reconnect. */
static inline int bt_native_breaker(void *app, const cosem_object_t *table, uint16_t id) {
    bt_app_t *a = app;
    (void)table;
    a->native_calls++;
    const cosem_object_t *b = cosem_find(a->srv, BT_BREAKER);
    int rc = id == 1 ? cosem_disconnect_local_disconnect(a->srv, b)
                     : cosem_disconnect_local_reconnect(a->srv, b);
    return rc < 0 ? rc : 0;
}

static inline int64_t bt_rtc_get(void *user) {
    return ((bt_app_t *)user)->rtc;
}

#define BT_APP bt_app_t

static inline const cosem_object_t *bt_objects(size_t *count) {
    static const cosem_access_t all = {.read = COSEM_ALL, .write = COSEM_ALL, .method = 0xFFFEu};
    static const cosem_clock_def_t clock_def = {COSEM_STATE(cosem_clock_state_t, BT_APP, clock),
                                                900};
    static const cosem_limiter_def_t limiter_def = {
        COSEM_STATE(cosem_limiter_state_t, BT_APP, limiter)};
    static const cosem_disconnect_def_t breaker_def = {
        COSEM_STATE(cosem_disconnect_state_t, BT_APP, breaker), bt_on_transition};
    static const cosem_script_native_t natives[] = {{1, bt_native_breaker}, {2, bt_native_breaker}};
    static const cosem_script_table_def_t scripts_def = {
        COSEM_STATE(cosem_script_table_state_t, BT_APP, scripts), natives, 2};
    static const cosem_register_def_t power_def = {COSEM_FIELD(AXDR_DOUBLE_LONG, BT_APP, p_w), 0,
                                                   COSEM_UNIT_W};
    static const cosem_register_def_t current_def = {COSEM_FIELD(AXDR_LONG_UNSIGNED, BT_APP, i_ca),
                                                     -2, COSEM_UNIT_A};
    static const cosem_data_def_t freq_def = {COSEM_FIELD(AXDR_FLOAT32, BT_APP, freq)};
    static const cosem_data_def_t text_def = {COSEM_FIELD(AXDR_OCTET_STRING, BT_APP, text)};
    static const cosem_object_t objects[] = {
        {&cosem_class_clock, COSEM_OBIS(0, 0, 1, 0, 0, 255), &clock_def, {&all}},
        {&cosem_class_limiter, COSEM_OBIS(0, 0, 17, 0, 0, 255), &limiter_def, {&all}},
        {&cosem_class_disconnect_control, COSEM_OBIS(0, 0, 96, 3, 10, 255), &breaker_def, {&all}},
        {&cosem_class_script_table, COSEM_OBIS(0, 0, 10, 0, 106, 255), &scripts_def, {&all}},
        {&cosem_class_register, COSEM_OBIS(1, 0, 1, 7, 0, 255), &power_def, {&all}},
        {&cosem_class_register, COSEM_OBIS(1, 0, 31, 7, 0, 255), &current_def, {&all}},
        {&cosem_class_data, COSEM_OBIS(0, 0, 96, 128, 0, 255), &freq_def, {&all}},
        {&cosem_class_data, COSEM_OBIS(0, 0, 96, 128, 1, 255), &text_def, {&all}},
    };
    *count = COSEM_COUNT(objects);
    return objects;
}

/* Factory state at `utc`: CET clock, limiter not configured, breaker
 * connected in control mode `mode`, scripts 1 and 2 listed, 50 Hz. */
static inline int bt_setup(bt_t *t, int64_t utc, uint8_t mode) {
    memset(t, 0, sizeof(*t));
    bt_app_t *a = &t->app;
    cosem_clock_state_cet(&a->clock);
    cosem_limiter_init(&a->limiter);
    cosem_disconnect_init(&a->breaker, mode);
    a->scripts.count = 2;
    a->scripts.scripts[0].id = 1;
    a->scripts.scripts[1].id = 2;
    a->assoc = (dlms_assoc_config_t){.client_sap = 1,
                                     .logical_name = {0, 0, 40, 0, 1, 255},
                                     .app_context = 1,
                                     .conformance = 0x00701Fu,
                                     .max_receive_pdu = 1024};
    a->rtc = utc;
    a->srv = &t->srv;
    a->freq = 50.0f;
    t->port.user = a;
    t->port.rtc_get = bt_rtc_get;
    size_t n;
    const cosem_object_t *objs = bt_objects(&n);
    int rc = cosem_server_init(&t->srv, objs, n, a, sizeof(*a), &t->port);
    return rc == 0 ? cosem_server_add_association(&t->srv, &a->assoc) : rc;
}

static inline dlms_assoc_view_t bt_view(void) {
    dlms_assoc_view_t v;
    memset(&v, 0, sizeof(v));
    v.client_sap = 1;
    v.server_sap = 1;
    v.assoc_index = 0;
    v.status = DLMS_ASSOC_ASSOCIATED;
    v.app_context = 1;
    v.dlms_version = 6;
    v.conformance = 0x00701Fu;
    v.server_max_pdu = 1024;
    v.client_max_pdu = 1024;
    return v;
}

#endif /* EMETER_TEST_COSEM_BREAKER_TABLE_H */
