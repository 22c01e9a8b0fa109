/*
 * test_cosem_comm_table.h - a small meter for the tests of the
 * communication setup classes (test_cosem_comm_*.c): Clock, TCP-UDP setup,
 * IPv4 setup, PPP setup, GPRS modem setup, GSM diagnostic, LTE monitoring,
 * Auto connect and Auto answer at the ESMR OBIS codes, with two
 * associations: public (index 0, sees the two diagnostic objects
 * read-only) and management (index 1, reads and writes everything).
 *
 * Header-only (static inline) so each test program carries its own copy.
 */
#ifndef EMETER_TEST_COSEM_COMM_TABLE_H
#define EMETER_TEST_COSEM_COMM_TABLE_H

#include <stdint.h>
#include <string.h>

#include "cosem/auto_answer.h"
#include "cosem/auto_connect.h"
#include "cosem/calendar_eval.h"
#include "cosem/comm.h"
#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "cosem/gprs_modem_setup.h"
#include "cosem/gsm_diagnostic.h"
#include "cosem/ipv4_setup.h"
#include "cosem/lte_monitoring.h"
#include "cosem/ppp_setup.h"
#include "cosem/tcp_udp_setup.h"
#include "../support/cosem_test_table.h"

enum { CM_PUB = 0, CM_MGMT = 1 };

typedef struct cm_app {
    cosem_clock_state_t clock;     /* 0.0.1.0.0.255 */
    cosem_tcp_udp_state_t tcp;     /* 0.0.25.0.0.255 */
    cosem_ipv4_state_t ipv4;       /* 0.0.25.1.0.255 */
    cosem_ppp_state_t ppp;         /* 0.0.25.3.0.255 */
    cosem_gprs_state_t gprs;       /* 0.0.25.4.0.255 */
    cosem_gsm_diag_state_t gsm;    /* 0.0.25.6.0.255 */
    cosem_lte_state_t lte;         /* 0.0.25.11.0.255 */
    cosem_auto_connect_state_t ac; /* 0.0.2.1.0.255 */
    cosem_auto_answer_state_t aa;  /* 0.0.2.2.0.255 */
    dlms_assoc_config_t assoc[2];
    int64_t rtc;
    int notify_count;
    uint8_t notify_kind;
    int8_t notify_id;
} cm_app_t;

typedef struct cm {
    cm_app_t app;
    em_port_t port;
    cosem_server_t srv;
} cm_t;

#define CM_CLOCK ((const uint8_t[6]){0, 0, 1, 0, 0, 255})
#define CM_TCP   ((const uint8_t[6]){0, 0, 25, 0, 0, 255})
#define CM_IPV4  ((const uint8_t[6]){0, 0, 25, 1, 0, 255})
#define CM_PPP   ((const uint8_t[6]){0, 0, 25, 3, 0, 255})
#define CM_GPRS  ((const uint8_t[6]){0, 0, 25, 4, 0, 255})
#define CM_GSM   ((const uint8_t[6]){0, 0, 25, 6, 0, 255})
#define CM_LTE   ((const uint8_t[6]){0, 0, 25, 11, 0, 255})
#define CM_AC    ((const uint8_t[6]){0, 0, 2, 1, 0, 255})
#define CM_AA    ((const uint8_t[6]){0, 0, 2, 2, 0, 255})

#define CM_APP cm_app_t

static inline const cosem_object_t *cm_objects(size_t *count) {
    static const cosem_access_t ro = COSEM_ACCESS_RO;
    static const cosem_access_t rw = COSEM_ACCESS_RW;
    static const cosem_clock_def_t clock_def = {
        .state = COSEM_STATE(cosem_clock_state_t, CM_APP, clock), .measuring_period = 900};
    static const cosem_tcp_udp_def_t tcp_def = {COSEM_STATE(cosem_tcp_udp_state_t, CM_APP, tcp), 2};
    static const cosem_ipv4_def_t ipv4_def = {COSEM_STATE(cosem_ipv4_state_t, CM_APP, ipv4)};
    static const cosem_ppp_def_t ppp_def = {COSEM_STATE(cosem_ppp_state_t, CM_APP, ppp), false};
    static const cosem_gprs_def_t gprs_def = {COSEM_STATE(cosem_gprs_state_t, CM_APP, gprs)};
    static const cosem_gsm_diag_def_t gsm_def = {COSEM_STATE(cosem_gsm_diag_state_t, CM_APP, gsm)};
    static const cosem_lte_def_t lte_def = {COSEM_STATE(cosem_lte_state_t, CM_APP, lte)};
    static const cosem_auto_connect_def_t ac_def = {
        COSEM_STATE(cosem_auto_connect_state_t, CM_APP, ac)};
    static const cosem_auto_answer_def_t aa_def = {
        COSEM_STATE(cosem_auto_answer_state_t, CM_APP, aa)};
    static const cosem_object_t objects[] = {
        {&cosem_class_clock, COSEM_OBIS(0, 0, 1, 0, 0, 255), &clock_def, {&ro, &rw}},
        {&cosem_class_tcp_udp_setup, COSEM_OBIS(0, 0, 25, 0, 0, 255), &tcp_def, {NULL, &rw}},
        {&cosem_class_ipv4_setup, COSEM_OBIS(0, 0, 25, 1, 0, 255), &ipv4_def, {NULL, &rw}},
        {&cosem_class_ppp_setup, COSEM_OBIS(0, 0, 25, 3, 0, 255), &ppp_def, {NULL, &rw}},
        {&cosem_class_gprs_modem_setup, COSEM_OBIS(0, 0, 25, 4, 0, 255), &gprs_def, {NULL, &rw}},
        {&cosem_class_gsm_diagnostic, COSEM_OBIS(0, 0, 25, 6, 0, 255), &gsm_def, {&ro, &rw}},
        {&cosem_class_lte_monitoring, COSEM_OBIS(0, 0, 25, 11, 0, 255), &lte_def, {&ro, &rw}},
        {&cosem_class_auto_connect, COSEM_OBIS(0, 0, 2, 1, 0, 255), &ac_def, {NULL, &rw}},
        {&cosem_class_auto_answer, COSEM_OBIS(0, 0, 2, 2, 0, 255), &aa_def, {NULL, &rw}},
    };
    *count = COSEM_COUNT(objects);
    return objects;
}

static inline int64_t cm_rtc_get(void *user) {
    return ((cm_app_t *)user)->rtc;
}

static inline int cm_rtc_set(void *user, int64_t utc) {
    ((cm_app_t *)user)->rtc = utc;
    return 0;
}

static inline void cm_on_notify(void *app, const cosem_object_t *obj, uint8_t kind, int8_t id) {
    cm_app_t *a = app;
    (void)obj;
    a->notify_count++;
    a->notify_kind = kind;
    a->notify_id = id;
}

/* Factory state of an ESMR LTE-M meter at UTC `utc` (CET clock). */
static inline int cm_setup(cm_t *t, int64_t utc) {
    memset(t, 0, sizeof(*t));
    cm_app_t *a = &t->app;
    cosem_clock_state_cet(&a->clock);
    cosem_tcp_udp_init(&a->tcp, CM_IPV4);
    cosem_ipv4_init(&a->ipv4, CM_PPP);
    cosem_ppp_init(&a->ppp, CM_GPRS);
    int rc = cosem_gprs_init(&a->gprs, "iot.example.nl");
    cosem_gsm_diagnostic_init(&a->gsm);
    cosem_lte_monitoring_init(&a->lte);
    cosem_auto_connect_init(&a->ac, COSEM_AC_MODE_PERMANENT);
    cosem_auto_answer_init(&a->aa);
    a->assoc[CM_PUB] = (dlms_assoc_config_t){.client_sap = 16,
                                             .logical_name = {0, 0, 40, 0, 1, 255},
                                             .app_context = 1,
                                             .mechanism = 0,
                                             .conformance = 0x001018u,
                                             .max_receive_pdu = 512};
    a->assoc[CM_MGMT] = (dlms_assoc_config_t){.client_sap = 1,
                                              .logical_name = {0, 0, 40, 0, 2, 255},
                                              .app_context = 1,
                                              .mechanism = 0,
                                              .conformance = 0x00701Fu,
                                              .max_receive_pdu = 1024};
    a->rtc = utc;
    t->port.user = a;
    t->port.rtc_get = cm_rtc_get;
    t->port.rtc_set = cm_rtc_set;
    size_t n;
    const cosem_object_t *objs = cm_objects(&n);
    if (rc == 0) {
        rc = cosem_server_init(&t->srv, objs, n, a, sizeof(*a), &t->port);
    }
    for (int i = 0; rc == 0 && i < 2; i++) {
        rc = cosem_server_add_association(&t->srv, &a->assoc[i]);
    }
    t->srv.notify = cm_on_notify;
    return rc;
}

static inline dlms_assoc_view_t cm_view(int which) {
    dlms_assoc_view_t v;
    memset(&v, 0, sizeof(v));
    v.client_sap = which == CM_MGMT ? 1 : 16;
    v.server_sap = 1;
    v.assoc_index = (uint8_t)which;
    v.status = DLMS_ASSOC_ASSOCIATED;
    v.app_context = 1;
    v.dlms_version = 6;
    v.conformance = which == CM_MGMT ? 0x00701Fu : 0x001018u;
    v.server_max_pdu = 1024;
    v.client_max_pdu = 1024;
    return v;
}

static inline int cm_get_as(cm_t *t, int which, uint16_t class_id, const uint8_t ln[6], int8_t attr,
                            uint8_t *out, size_t cap, size_t *len) {
    dlms_assoc_view_t v = cm_view(which);
    return cosem_call_get(&t->srv, &v, class_id, ln, attr, NULL, out, cap, len);
}

static inline int cm_get(cm_t *t, uint16_t class_id, const uint8_t ln[6], int8_t attr, uint8_t *out,
                         size_t cap, size_t *len) {
    return cm_get_as(t, CM_MGMT, class_id, ln, attr, out, cap, len);
}

static inline int cm_set_as(cm_t *t, int which, uint16_t class_id, const uint8_t ln[6], int8_t attr,
                            const uint8_t *value, size_t n) {
    dlms_assoc_view_t v = cm_view(which);
    return cosem_call_set(&t->srv, &v, class_id, ln, attr, value, n);
}

static inline int cm_set(cm_t *t, uint16_t class_id, const uint8_t ln[6], int8_t attr,
                         const uint8_t *value, size_t n) {
    return cm_set_as(t, CM_MGMT, class_id, ln, attr, value, n);
}

static inline int cm_action(cm_t *t, uint16_t class_id, const uint8_t ln[6], int8_t method,
                            const uint8_t *params, size_t n, uint8_t *ret, size_t cap,
                            size_t *ret_len) {
    dlms_assoc_view_t v = cm_view(CM_MGMT);
    bool has_ret = false;
    int rc = cosem_call_action(&t->srv, &v, class_id, ln, method, params, n, ret, cap, ret_len,
                               &has_ret);
    if (!has_ret) {
        *ret_len = 0;
    }
    return rc;
}

/* Local wall seconds of a date and time (calendar_eval.h). */
static inline int64_t cm_wall(uint16_t y, uint8_t mo, uint8_t d, uint8_t h, uint8_t mi, uint8_t s) {
    cosem_datetime_t dt;
    cosem_datetime_set_unspecified(&dt);
    dt.year = y;
    dt.month = mo;
    dt.day = d;
    dt.hour = h;
    dt.minute = mi;
    dt.second = s;
    dt.hundredths = 0;
    int64_t w = 0;
    (void)cosem_wall_from_datetime(&dt, &w);
    return w;
}

#endif /* EMETER_TEST_COSEM_COMM_TABLE_H */
