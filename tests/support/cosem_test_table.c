/*
 * cosem_test_table.c - the object table of cosem_test_table.h: one
 * instance of every class lib/cosem implements, bound to the test app
 * context with the table macros of cosem.h.
 */
#include "cosem_test_table.h"

#include <string.h>

/* ---- access rights ---------------------------------------------------------- */

static const cosem_access_t ro = COSEM_ACCESS_RO;
static const cosem_access_t rw = COSEM_ACCESS_RW;
/* Management: everything, but only over ciphered requests. */
static const cosem_access_t mgmt_auth = {.read = COSEM_ALL,
                                         .write = COSEM_ALL,
                                         .auth = COSEM_ALL,
                                         .method = 0xFFFEu,
                                         .method_auth = 0xFFFEu};
/* Association objects: all but the secret readable, secret writable,
 * reply_to_HLS_authentication invocable. */
static const cosem_access_t assoc_rights = {
    .read = COSEM_ALL & ~COSEM_BIT(7), .write = COSEM_BIT(7), .method = COSEM_BIT(1)};
static const cosem_access_t pub_assoc = {.read = COSEM_ALL & ~COSEM_BIT(7)};
/* Clock for the public client: time only. */
static const cosem_access_t clock_pub = {.read = COSEM_BIT(1) | COSEM_BIT(2)};

/* ---- definitions -------------------------------------------------------------- */

#define APP cosem_test_app_t

static const cosem_clock_def_t clock_def = {.state = COSEM_STATE(cosem_clock_state_t, APP, clock),
                                            .measuring_period = 900};
static const cosem_assoc_ln_def_t assoc_current = {.assoc_index = -1};
static const cosem_assoc_ln_def_t assoc_pub = {.assoc_index = CT_PUB};
static const cosem_assoc_ln_def_t assoc_mgmt = {.assoc_index = CT_MGMT, .names_as_structure = true};
/* An association the test server does not offer (index 3 of 3): its
 * object must be invisible to everyone. */
static const cosem_assoc_ln_def_t assoc_absent = {.assoc_index = 3};
static const cosem_sap_entry_t saps[] = {
    {1, COSEM_FIELD_STR(AXDR_OCTET_STRING, APP, ldn, ldn_len)},
};
static const cosem_sap_assignment_def_t sap_def = {saps, 1};
static const cosem_data_def_t ldn_def = {COSEM_FIELD_STR(AXDR_OCTET_STRING, APP, ldn, ldn_len)};
static const cosem_security_setup_def_t sec_def = {.sec_index = 0};
static const cosem_data_def_t ic_def = {COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, APP, sec.tx_ic)};
static const cosem_register_def_t a_plus_def = {COSEM_FIELD(AXDR_LONG64_UNSIGNED, APP, a_plus_wh),
                                                0, COSEM_UNIT_WH};
static const cosem_register_def_t a_minus_def = {
    COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, APP, a_minus_wh), 3, COSEM_UNIT_WH};

static int read_power(void *app, uint16_t arg, axdr_enc_t *e) {
    (void)arg;
    return axdr_put_int32(e, ((const cosem_test_app_t *)app)->p_w);
}

static const cosem_register_def_t power_def = {COSEM_CALL(read_power, NULL, 0), 0, COSEM_UNIT_W};
static const cosem_register_def_t volt_def = {COSEM_FIELD(AXDR_LONG_UNSIGNED, APP, u_l1_dv), -1,
                                              COSEM_UNIT_V};
static const cosem_ext_register_def_t max_demand_def = {
    .value = COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, APP, max_demand_w),
    .scaler = 0,
    .unit = COSEM_UNIT_W,
    .status = COSEM_FIELD(AXDR_UNSIGNED, APP, max_demand_status),
    .capture_time = COSEM_FIELD_UTC(APP, max_demand_time)};
static const cosem_demand_register_def_t demand_def = {
    .state = COSEM_STATE(cosem_demand_state_t, APP, demand),
    .value_type = AXDR_DOUBLE_LONG,
    .scaler = 0,
    .unit = COSEM_UNIT_W};
static const cosem_data_def_t lpf_def = {
    COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, APP, lpf_threshold_s)};
static const cosem_data_def_t serial_def = {COSEM_CONST_STR(AXDR_VISIBLE_STRING, "EMT0012345")};
static const cosem_data_def_t tariff_def = {COSEM_CONST(AXDR_OCTET_STRING, 2, 0x00, 0x02)};
static const cosem_data_def_t freq_def = {COSEM_FIELD(AXDR_FLOAT32, APP, freq_hz)};
static const cosem_data_def_t flag_def = {COSEM_FIELD(AXDR_BOOLEAN, APP, flag)};
static const cosem_data_def_t offset_def = {COSEM_FIELD(AXDR_INTEGER, APP, offset_c)};
static const cosem_data_def_t title_def = {COSEM_FIELD(AXDR_OCTET_STRING, APP, title)};
static const cosem_data_def_t pattern_def = {COSEM_FIELD_DT(APP, pattern)};
static const cosem_data_def_t event_def = {COSEM_FIELD_UTC(APP, last_event)};

static int read_cb(void *app, uint16_t arg, axdr_enc_t *e) {
    (void)arg;
    return axdr_put_int32(e, ((const cosem_test_app_t *)app)->callback_value);
}

/* Accepts a double-long in -1000..1000. */
static int write_cb(void *app, uint16_t arg, axdr_dec_t *d) {
    int32_t v;
    (void)arg;
    if (axdr_get_int32(d, &v) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (v < -1000 || v > 1000) {
        return DLMS_DAR_OTHER_REASON;
    }
    ((cosem_test_app_t *)app)->callback_value = v;
    return 0;
}

static const cosem_data_def_t cb_def = {COSEM_CALL(read_cb, write_cb, 7)};
static const cosem_data_def_t null_def = {COSEM_NULL};

/* ---- the table ------------------------------------------------------------------ */

const cosem_object_t cosem_test_objects[] = {
    {&cosem_class_clock,
     COSEM_OBIS(0, 0, 1, 0, 0, 255),
     &clock_def,
     {[CT_PUB] = &clock_pub, [CT_MGMT] = &mgmt_auth, [CT_LLS] = &ro}},
    {&cosem_class_association_ln,
     COSEM_OBIS(0, 0, 40, 0, 0, 255),
     &assoc_current,
     {[CT_PUB] = &pub_assoc, [CT_MGMT] = &assoc_rights, [CT_LLS] = &assoc_rights}},
    {&cosem_class_association_ln, COSEM_OBIS(0, 0, 40, 0, 1, 255), &assoc_pub, {[CT_MGMT] = &ro}},
    {&cosem_class_association_ln, COSEM_OBIS(0, 0, 40, 0, 2, 255), &assoc_mgmt, {[CT_MGMT] = &ro}},
    {&cosem_class_sap_assignment, COSEM_OBIS(0, 0, 41, 0, 0, 255), &sap_def, {[CT_MGMT] = &ro}},
    {&cosem_class_data,
     COSEM_OBIS(0, 0, 42, 0, 0, 255),
     &ldn_def,
     {[CT_PUB] = &ro, [CT_MGMT] = &ro, [CT_LLS] = &ro}},
    {&cosem_class_security_setup,
     COSEM_OBIS(0, 0, 43, 0, 0, 255),
     &sec_def,
     {[CT_MGMT] = &mgmt_auth}},
    {&cosem_class_data,
     COSEM_OBIS(0, 0, 43, 1, 0, 255),
     &ic_def,
     {[CT_PUB] = &ro, [CT_MGMT] = &ro}},
    {&cosem_class_register,
     COSEM_OBIS(1, 0, 1, 8, 0, 255),
     &a_plus_def,
     {[CT_MGMT] = &ro, [CT_LLS] = &ro}},
    {&cosem_class_register, COSEM_OBIS(1, 0, 2, 8, 0, 255), &a_minus_def, {[CT_MGMT] = &rw}},
    {&cosem_class_register,
     COSEM_OBIS(1, 0, 1, 7, 0, 255),
     &power_def,
     {[CT_MGMT] = &rw, [CT_LLS] = &ro}},
    {&cosem_class_register, COSEM_OBIS(1, 0, 32, 7, 0, 255), &volt_def, {[CT_MGMT] = &ro}},
    {&cosem_class_extended_register,
     COSEM_OBIS(1, 0, 1, 6, 0, 255),
     &max_demand_def,
     {[CT_MGMT] = &rw}},
    {&cosem_class_demand_register, COSEM_OBIS(1, 0, 1, 4, 0, 255), &demand_def, {[CT_MGMT] = &rw}},
    {&cosem_class_data,
     COSEM_OBIS(0, 0, 96, 7, 20, 255),
     &lpf_def,
     {[CT_PUB] = &ro, [CT_MGMT] = &mgmt_auth}},
    {&cosem_class_data,
     COSEM_OBIS(0, 0, 96, 1, 0, 255),
     &serial_def,
     {[CT_PUB] = &ro, [CT_MGMT] = &rw}},
    {&cosem_class_data, COSEM_OBIS(0, 0, 96, 14, 0, 255), &tariff_def, {[CT_MGMT] = &rw}},
    {&cosem_class_data, COSEM_OBIS(0, 0, 96, 128, 0, 255), &freq_def, {[CT_MGMT] = &rw}},
    {&cosem_class_data, COSEM_OBIS(0, 0, 96, 128, 1, 255), &flag_def, {[CT_MGMT] = &rw}},
    {&cosem_class_data, COSEM_OBIS(0, 0, 96, 128, 2, 255), &offset_def, {[CT_MGMT] = &rw}},
    {&cosem_class_data, COSEM_OBIS(0, 0, 96, 128, 3, 255), &title_def, {[CT_MGMT] = &rw}},
    {&cosem_class_data, COSEM_OBIS(0, 0, 96, 128, 4, 255), &pattern_def, {[CT_MGMT] = &rw}},
    {&cosem_class_data, COSEM_OBIS(0, 0, 96, 128, 5, 255), &event_def, {[CT_MGMT] = &rw}},
    {&cosem_class_data, COSEM_OBIS(0, 0, 96, 128, 6, 255), &cb_def, {[CT_MGMT] = &rw}},
    {&cosem_class_data, COSEM_OBIS(0, 0, 96, 128, 7, 255), &null_def, {[CT_MGMT] = &rw}},
    /* Last, so the indexes above match the management object list. */
    {&cosem_class_association_ln,
     COSEM_OBIS(0, 0, 40, 0, 4, 255),
     &assoc_absent,
     {[CT_MGMT] = &ro}},
};

const size_t cosem_test_object_count = COSEM_COUNT(cosem_test_objects);

/* ---- platform -------------------------------------------------------------------- */

static int64_t rtc_get(void *user) {
    return ((cosem_test_app_t *)user)->rtc;
}

static int rtc_set(void *user, int64_t utc) {
    cosem_test_app_t *app = user;
    app->rtc = utc;
    app->rtc_set_calls++;
    return 0;
}

static void on_notify(void *app, const cosem_object_t *obj, uint8_t kind, int8_t id) {
    cosem_test_app_t *a = app;
    a->notify_count++;
    a->notify_obj = obj;
    a->notify_kind = kind;
    a->notify_id = id;
}

/* Green Book example keys (dlms-facts §3.1) and the RFC 3394 KEK (§3.4). */
static void factory_security(dlms_security_context_t *sec) {
    static const uint8_t title[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E};
    memset(sec, 0, sizeof(*sec));
    for (uint8_t i = 0; i < 16; i++) {
        sec->keys.guek[i] = i;
        sec->keys.gbek[i] = (uint8_t)(0x10 + i);
        sec->keys.ak[i] = (uint8_t)(0xD0 + i);
        sec->keys.kek[i] = i;
    }
    memcpy(sec->server_system_title, title, 8);
    sec->security_policy = DLMS_SEC_POLICY_AUTHENTICATED;
    sec->tx_ic = 0x01234567u;
}

static void factory_associations(cosem_test_app_t *a) {
    a->assoc[CT_PUB] = (dlms_assoc_config_t){.client_sap = 16,
                                             .logical_name = {0, 0, 40, 0, 1, 255},
                                             .app_context = 1,
                                             .mechanism = 0,
                                             .conformance = 0x001018u,
                                             .max_receive_pdu = 512};
    a->assoc[CT_MGMT] = (dlms_assoc_config_t){.client_sap = 1,
                                              .logical_name = {0, 0, 40, 0, 2, 255},
                                              .app_context = 3,
                                              .mechanism = 5,
                                              .sec = &a->sec,
                                              .conformance = 0x00701Fu,
                                              .max_receive_pdu = 1024};
    a->assoc[CT_LLS] = (dlms_assoc_config_t){.client_sap = 0x20,
                                             .logical_name = {0, 0, 40, 0, 3, 255},
                                             .app_context = 1,
                                             .mechanism = 1,
                                             .lls_secret = "12345678",
                                             .lls_secret_len = 8,
                                             .conformance = 0x001018u,
                                             .max_receive_pdu = 256};
}

int cosem_test_setup(cosem_test_t *t) {
    memset(t, 0, sizeof(*t));
    cosem_test_app_t *a = &t->app;
    a->a_plus_wh = 123456789012ull;
    a->a_minus_wh = 4321;
    a->p_w = -1500;
    a->u_l1_dv = 2301;
    memcpy(a->ldn, "EMT0000012345678", 16);
    a->ldn_len = 16;
    a->lpf_threshold_s = 180;
    a->freq_hz = 50.0f;
    a->offset_c = -3;
    cosem_datetime_set_unspecified(&a->pattern);
    cosem_demand_init(&a->demand, 900, 1);
    cosem_clock_state_cet(&a->clock);
    factory_security(&a->sec);
    factory_associations(a);
    a->rtc = COSEM_TEST_RTC_START;

    t->port.user = a;
    t->port.rtc_get = rtc_get;
    t->port.rtc_set = rtc_set;
    int rc = cosem_server_init(&t->srv, cosem_test_objects, cosem_test_object_count, a, sizeof(*a),
                               &t->port);
    for (int i = 0; rc == 0 && i < 3; i++) {
        rc = cosem_server_add_association(&t->srv, &a->assoc[i]);
    }
    if (rc == 0) {
        rc = cosem_server_add_security(&t->srv, &a->sec);
    }
    t->srv.notify = on_notify;
    return rc;
}

dlms_assoc_view_t cosem_test_view(int which) {
    dlms_assoc_view_t v;
    memset(&v, 0, sizeof(v));
    v.server_sap = 1;
    v.assoc_index = (uint8_t)which;
    v.status = DLMS_ASSOC_ASSOCIATED;
    v.dlms_version = 6;
    v.server_max_pdu = 1024;
    v.client_max_pdu = 1200;
    switch (which) {
    case CT_MGMT:
        v.client_sap = 1;
        v.app_context = 3;
        v.mechanism = 5;
        v.ciphered = true;
        v.conformance = 0x00501Fu;
        break;
    case CT_LLS:
        v.client_sap = 0x20;
        v.app_context = 1;
        v.mechanism = 1;
        v.conformance = 0x001018u;
        break;
    default:
        v.client_sap = 16;
        v.app_context = 1;
        v.conformance = 0x001018u;
        break;
    }
    return v;
}

/* ---- service helpers ----------------------------------------------------------- */

static dlms_cosem_descriptor_t descriptor(uint16_t class_id, const uint8_t ln[6], int8_t id) {
    dlms_cosem_descriptor_t d;
    memset(&d, 0, sizeof(d));
    d.class_id = class_id;
    memcpy(d.instance_id, ln, 6);
    d.id = id;
    return d;
}

int cosem_call_get(cosem_server_t *srv, const dlms_assoc_view_t *v, uint16_t class_id,
                   const uint8_t ln[6], int8_t attr, const dlms_access_selection_t *sel,
                   uint8_t *out, size_t cap, size_t *len) {
    dlms_cosem_descriptor_t d = descriptor(class_id, ln, attr);
    dlms_access_selection_t none;
    memset(&none, 0, sizeof(none));
    dlms_get_call_t call;
    memset(&call, 0, sizeof(call));
    call.assoc = v;
    call.attr = &d;
    call.selection = sel != NULL ? sel : &none;
    call.first_call = true;
    axdr_enc_t e;
    axdr_enc_init(&e, out, cap);
    int rc = cosem_get(srv, &call, &e);
    *len = e.len;
    return rc;
}

int cosem_call_set(cosem_server_t *srv, const dlms_assoc_view_t *v, uint16_t class_id,
                   const uint8_t ln[6], int8_t attr, const uint8_t *value, size_t n) {
    dlms_cosem_descriptor_t d = descriptor(class_id, ln, attr);
    dlms_access_selection_t none;
    memset(&none, 0, sizeof(none));
    axdr_dec_t dec;
    axdr_dec_init(&dec, value, n);
    return cosem_set(srv, v, &d, &none, &dec);
}

int cosem_call_action(cosem_server_t *srv, const dlms_assoc_view_t *v, uint16_t class_id,
                      const uint8_t ln[6], int8_t method, const uint8_t *params, size_t n,
                      uint8_t *ret, size_t cap, size_t *ret_len, bool *has_ret) {
    dlms_cosem_descriptor_t d = descriptor(class_id, ln, method);
    axdr_dec_t dec;
    axdr_dec_init(&dec, params, n);
    axdr_enc_t e;
    axdr_enc_init(&e, ret, cap);
    int rc = cosem_action(srv, v, &d, params != NULL ? &dec : NULL, &e, has_ret);
    *ret_len = e.len;
    return rc;
}

int cosem_test_get_sel(cosem_test_t *t, const dlms_assoc_view_t *v, uint16_t class_id,
                       const uint8_t ln[6], int8_t attr, const dlms_access_selection_t *sel,
                       uint8_t *out, size_t cap, size_t *len) {
    return cosem_call_get(&t->srv, v, class_id, ln, attr, sel, out, cap, len);
}

int cosem_test_get(cosem_test_t *t, const dlms_assoc_view_t *v, uint16_t class_id,
                   const uint8_t ln[6], int8_t attr, uint8_t *out, size_t cap, size_t *len) {
    return cosem_call_get(&t->srv, v, class_id, ln, attr, NULL, out, cap, len);
}

int cosem_test_set(cosem_test_t *t, const dlms_assoc_view_t *v, uint16_t class_id,
                   const uint8_t ln[6], int8_t attr, const uint8_t *value, size_t n) {
    return cosem_call_set(&t->srv, v, class_id, ln, attr, value, n);
}

int cosem_test_action(cosem_test_t *t, const dlms_assoc_view_t *v, uint16_t class_id,
                      const uint8_t ln[6], int8_t method, const uint8_t *params, size_t n,
                      uint8_t *ret, size_t cap, size_t *ret_len, bool *has_ret) {
    return cosem_call_action(&t->srv, v, class_id, ln, method, params, n, ret, cap, ret_len,
                             has_ret);
}
