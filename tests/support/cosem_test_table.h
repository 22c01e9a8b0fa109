/*
 * cosem_test_table.h - a small meter (about 20 objects) for the COSEM
 * object layer tests and fuzz target: the application context, the object
 * table, a simulated RTC port and two/three associations (public client 16,
 * management client 1 with HLS-5 over a security context, an LLS client
 * 0x20), the way the meter application will declare its variants.
 */
#ifndef EMETER_TEST_COSEM_TABLE_H
#define EMETER_TEST_COSEM_TABLE_H

#include <stdint.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

/* Association indexes (cosem_server_add_association order). */
enum { CT_PUB = 0, CT_MGMT = 1, CT_LLS = 2 };

typedef struct cosem_test_app {
    uint64_t a_plus_wh;  /* 1.0.1.8.0.255 long64-unsigned, Wh */
    uint32_t a_minus_wh; /* 1.0.2.8.0.255 double-long-unsigned, Wh */
    int32_t p_w;         /* 1.0.1.7.0.255 via callback, W */
    uint16_t u_l1_dv;    /* 1.0.32.7.0.255 long-unsigned, 0.1 V */
    uint8_t ldn[16];     /* 0.0.42.0.0.255 logical device name */
    uint8_t ldn_len;
    uint32_t lpf_threshold_s; /* 0.0.96.7.20.255 writable by management */
    uint32_t max_demand_w;    /* 1.0.1.6.0.255 extended register */
    uint8_t max_demand_status;
    int64_t max_demand_time;
    float freq_hz;               /* 0.0.96.128.0.255 float32 Data */
    bool flag;                   /* 0.0.96.128.1.255 boolean Data */
    int8_t offset_c;             /* 0.0.96.128.2.255 integer Data */
    uint8_t title[8];            /* 0.0.96.128.3.255 fixed 8-byte octet-string */
    cosem_datetime_t pattern;    /* 0.0.96.128.4.255 date-time as stored */
    int64_t last_event;          /* 0.0.96.128.5.255 UTC instant */
    int32_t callback_value;      /* 0.0.96.128.6.255 callback read/write */
    cosem_demand_state_t demand; /* 1.0.1.4.0.255 */
    cosem_clock_state_t clock;   /* 0.0.1.0.0.255 */
    dlms_assoc_config_t assoc[3];
    dlms_security_context_t sec; /* 0.0.43.0.0.255, counter 0.0.43.1.0.255 */
    /* simulated platform and notify record */
    int64_t rtc;
    int rtc_set_calls;
    int notify_count;
    const cosem_object_t *notify_obj;
    uint8_t notify_kind;
    int8_t notify_id;
} cosem_test_app_t;

typedef struct cosem_test {
    cosem_test_app_t app;
    em_port_t port;
    cosem_server_t srv;
} cosem_test_t;

extern const cosem_object_t cosem_test_objects[];
extern const size_t cosem_test_object_count;

/* Fills the app with its factory values (RTC 2024-01-15 12:00:00 UTC, CET
 * rules, DLMS example keys), the port and the server. Returns 0. */
int cosem_test_setup(cosem_test_t *t);

/* The view the server would hand for association `which` (CT_*): public
 * plain, management ciphered with HLS-5, LLS plain. */
dlms_assoc_view_t cosem_test_view(int which);

/* One GET / SET / ACTION through the object layer of any cosem server, as
 * the DLMS server calls it (sel NULL: no selective access; params NULL:
 * no parameters). They return what cosem_get/cosem_set/cosem_action did. */
int cosem_call_get(cosem_server_t *srv, const dlms_assoc_view_t *v, uint16_t class_id,
                   const uint8_t ln[6], int8_t attr, const dlms_access_selection_t *sel,
                   uint8_t *out, size_t cap, size_t *len);
int cosem_call_set(cosem_server_t *srv, const dlms_assoc_view_t *v, uint16_t class_id,
                   const uint8_t ln[6], int8_t attr, const uint8_t *value, size_t n);
int cosem_call_action(cosem_server_t *srv, const dlms_assoc_view_t *v, uint16_t class_id,
                      const uint8_t ln[6], int8_t method, const uint8_t *params, size_t n,
                      uint8_t *ret, size_t cap, size_t *ret_len, bool *has_ret);

/* The same on the test table's server.
 * get: the value lands in out[0..*len). action: params NULL for none; the
 * return data (if any) in ret[0..*ret_len). They return what cosem_get/
 * cosem_set/cosem_action returned. */
int cosem_test_get(cosem_test_t *t, const dlms_assoc_view_t *v, uint16_t class_id,
                   const uint8_t ln[6], int8_t attr, uint8_t *out, size_t cap, size_t *len);
int cosem_test_get_sel(cosem_test_t *t, const dlms_assoc_view_t *v, uint16_t class_id,
                       const uint8_t ln[6], int8_t attr, const dlms_access_selection_t *sel,
                       uint8_t *out, size_t cap, size_t *len);
int cosem_test_set(cosem_test_t *t, const dlms_assoc_view_t *v, uint16_t class_id,
                   const uint8_t ln[6], int8_t attr, const uint8_t *value, size_t n);
int cosem_test_action(cosem_test_t *t, const dlms_assoc_view_t *v, uint16_t class_id,
                      const uint8_t ln[6], int8_t method, const uint8_t *params, size_t n,
                      uint8_t *ret, size_t cap, size_t *ret_len, bool *has_ret);

/* 2024-01-15 12:00:00 UTC */
#define COSEM_TEST_RTC_START 1705320000
#endif /* EMETER_TEST_COSEM_TABLE_H */
