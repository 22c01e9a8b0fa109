/*
 * test_cosem_image_table.h - a small meter for the Image transfer tests
 * (test_cosem_image_transfer.c) and fuzz/fuzz_image.c: one Image transfer
 * object 0.0.44.0.0.255 over a RAM image storage, the active firmware
 * identifier / signature Data objects 1.0.0.2.0.255 / 1.0.0.2.8.255 that the
 * activation hook changes, and records of the hooks and storage calls. One
 * association (management, everything allowed, plain).
 *
 * Header-only (static inline) so each program carries its own copy.
 */
#ifndef EMETER_TEST_COSEM_IMAGE_TABLE_H
#define EMETER_TEST_COSEM_IMAGE_TABLE_H

#include <stdint.h>
#include <string.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "cosem/image_transfer.h"

#define IT_BLOCK     64u   /* image_block_size */
#define IT_MAX_SIZE  8192u /* storage */
#define IT_STEP      1000u /* bytes hashed per verify call / tick */
#define IT_EVENT_MAX 16

typedef struct it_app {
    cosem_image_transfer_state_t image;       /* 0.0.44.0.0.255 */
    uint8_t fw_id[EM_COSEM_IMAGE_FW_STR_MAX]; /* 1.0.0.2.0.255 */
    uint8_t fw_id_len;
    uint8_t fw_sig[EM_COSEM_IMAGE_FW_STR_MAX]; /* 1.0.0.2.8.255 */
    uint8_t fw_sig_len;
    dlms_assoc_config_t assoc;
    /* simulated storage and records */
    uint8_t storage[IT_MAX_SIZE];
    int prepare_calls;
    int write_calls;
    int read_calls;
    int fail_storage; /* nonzero: every storage call fails */
    int activate_calls;
    int activate_rc; /* what the activation hook answers */
    int events;
    uint16_t event_log[IT_EVENT_MAX];
} it_app_t;

typedef struct it {
    it_app_t app;
    em_port_t port;
    cosem_server_t srv;
} it_t;

#define IT_LN     ((const uint8_t[6]){0, 0, 44, 0, 0, 255})
#define IT_FW_ID  ((const uint8_t[6]){1, 0, 0, 2, 0, 255})
#define IT_FW_SIG ((const uint8_t[6]){1, 0, 0, 2, 8, 255})

static inline int it_prepare(void *app, uint32_t size) {
    it_app_t *a = app;
    a->prepare_calls++;
    if (a->fail_storage || size > sizeof(a->storage)) {
        return -1;
    }
    memset(a->storage, 0xFF, sizeof(a->storage));
    return 0;
}

static inline int it_write(void *app, uint32_t offset, const uint8_t *data, size_t len) {
    it_app_t *a = app;
    a->write_calls++;
    if (a->fail_storage || offset > sizeof(a->storage) || len > sizeof(a->storage) - offset) {
        return -1;
    }
    memcpy(a->storage + offset, data, len);
    return 0;
}

static inline int it_read(void *app, uint32_t offset, uint8_t *buf, size_t len) {
    it_app_t *a = app;
    a->read_calls++;
    if (a->fail_storage || offset > sizeof(a->storage) || len > sizeof(a->storage) - offset) {
        return -1;
    }
    memcpy(buf, a->storage + offset, len);
    return 0;
}

static inline int it_activate(void *app, const uint8_t *id, size_t id_len, const uint8_t *sig,
                              size_t sig_len) {
    it_app_t *a = app;
    a->activate_calls++;
    if (a->activate_rc != 0) {
        return a->activate_rc;
    }
    memcpy(a->fw_id, id, id_len);
    a->fw_id_len = (uint8_t)id_len;
    memcpy(a->fw_sig, sig, sig_len);
    a->fw_sig_len = (uint8_t)sig_len;
    return 0;
}

static inline void it_event(void *app, uint16_t code) {
    it_app_t *a = app;
    if (a->events < IT_EVENT_MAX) {
        a->event_log[a->events] = code;
    }
    a->events++;
}

static inline const cosem_object_t *it_objects(size_t *n) {
    static const cosem_access_t rw = COSEM_ACCESS_RW;
    static const cosem_image_transfer_def_t image = {
        .state = COSEM_STATE(cosem_image_transfer_state_t, it_app_t, image),
        .block_size = IT_BLOCK,
        .max_size = IT_MAX_SIZE,
        .verify_step = IT_STEP,
        .storage = {it_prepare, it_write, it_read},
        .activate = it_activate,
        .event = it_event,
    };
    static const cosem_data_def_t fw_id = {
        .value = COSEM_FIELD_STR(AXDR_OCTET_STRING, it_app_t, fw_id, fw_id_len)};
    static const cosem_data_def_t fw_sig = {
        .value = COSEM_FIELD_STR(AXDR_OCTET_STRING, it_app_t, fw_sig, fw_sig_len)};
    static const cosem_object_t objs[] = {
        {&cosem_class_image_transfer, {0, 0, 44, 0, 0, 255}, &image, {&rw}},
        {&cosem_class_data, {1, 0, 0, 2, 0, 255}, &fw_id, {&rw}},
        {&cosem_class_data, {1, 0, 0, 2, 8, 255}, &fw_sig, {&rw}},
    };
    *n = sizeof(objs) / sizeof(objs[0]);
    return objs;
}

/* A fresh meter (restart == false) or a restarted one: the server is built
 * again over an app whose image state and storage were kept, as a meter
 * does after reading them back from flash. */
static inline int it_setup(it_t *t, bool enabled) {
    memset(t, 0, sizeof(*t));
    it_app_t *a = &t->app;
    cosem_image_transfer_init(&a->image, enabled);
    memcpy(a->fw_id, "EM-1.0.0", 8);
    a->fw_id_len = 8;
    a->assoc = (dlms_assoc_config_t){.client_sap = 1,
                                     .logical_name = {0, 0, 40, 0, 1, 255},
                                     .app_context = 1,
                                     .mechanism = 0,
                                     .conformance = 0x00701Fu,
                                     .max_receive_pdu = 1024};
    t->port.user = a;
    size_t n;
    const cosem_object_t *objs = it_objects(&n);
    int rc = cosem_server_init(&t->srv, objs, n, a, sizeof(*a), &t->port);
    return rc == 0 ? cosem_server_add_association(&t->srv, &a->assoc) : rc;
}

/* The restart: a new server over the same app (state and storage). */
static inline int it_restart(it_t *t) {
    cosem_image_transfer_restored(&t->app.image);
    memset(&t->srv, 0, sizeof(t->srv));
    size_t n;
    const cosem_object_t *objs = it_objects(&n);
    int rc = cosem_server_init(&t->srv, objs, n, &t->app, sizeof(t->app), &t->port);
    return rc == 0 ? cosem_server_add_association(&t->srv, &t->app.assoc) : rc;
}

static inline dlms_assoc_view_t it_view(void) {
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

static inline dlms_cosem_descriptor_t it_desc(uint16_t class_id, const uint8_t ln[6], int8_t id) {
    dlms_cosem_descriptor_t d;
    memset(&d, 0, sizeof(d));
    d.class_id = class_id;
    memcpy(d.instance_id, ln, 6);
    d.id = id;
    return d;
}

static inline int it_get(it_t *t, uint16_t class_id, const uint8_t ln[6], int8_t attr, uint8_t *out,
                         size_t cap, size_t *len) {
    dlms_assoc_view_t v = it_view();
    dlms_cosem_descriptor_t d = it_desc(class_id, ln, attr);
    dlms_access_selection_t none;
    memset(&none, 0, sizeof(none));
    dlms_get_call_t call;
    memset(&call, 0, sizeof(call));
    call.assoc = &v;
    call.attr = &d;
    call.selection = &none;
    call.first_call = true;
    axdr_enc_t e;
    axdr_enc_init(&e, out, cap);
    int rc = cosem_get(&t->srv, &call, &e);
    *len = e.len;
    return rc;
}

static inline int it_set(it_t *t, int8_t attr, const uint8_t *value, size_t n) {
    dlms_assoc_view_t v = it_view();
    dlms_cosem_descriptor_t d = it_desc(COSEM_CLASS_IMAGE_TRANSFER, IT_LN, attr);
    dlms_access_selection_t none;
    memset(&none, 0, sizeof(none));
    axdr_dec_t dec;
    axdr_dec_init(&dec, value, n);
    return cosem_set(&t->srv, &v, &d, &none, &dec);
}

static inline int it_action(it_t *t, int8_t method, const uint8_t *params, size_t n) {
    dlms_assoc_view_t v = it_view();
    dlms_cosem_descriptor_t d = it_desc(COSEM_CLASS_IMAGE_TRANSFER, IT_LN, method);
    axdr_dec_t dec;
    axdr_dec_init(&dec, params, n);
    uint8_t ret[64];
    axdr_enc_t e;
    axdr_enc_init(&e, ret, sizeof(ret));
    bool has_ret = false;
    return cosem_action(&t->srv, &v, &d, params != NULL ? &dec : NULL, &e, &has_ret);
}

#endif /* EMETER_TEST_COSEM_IMAGE_TABLE_H */
