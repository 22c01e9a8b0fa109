/*
 * test_server_fake.h - shared by the DLMS server tests (test_server.c,
 * test_server_services.c): a fake COSEM object layer behind
 * dlms_cosem_services_t, the Green Book keys and titles of dlms-facts §3,
 * a server configuration with public, LLS, management (HLS-5, ciphered)
 * and pre-established associations, and client-side helpers that build
 * requests with the apdu/acse encoders and the security module.
 *
 * Objects of the fake:
 *   class 8   0.0.1.0.0.255    attr 2  clock-like octet-string(12)
 *   class 3   1.0.1.8.0.255    attr 2  register value (double-long-unsigned, writable)
 *                               attr 3  scaler_unit {0, Wh}
 *   class 7   1.0.99.1.0.255   attr 2  1440-row profile, selective access by
 *                                       entry (2) or range (1), snapshot in the cookie
 *   class 1   0.0.128.1.0.255  attr 2  writable octet-string of up to 4000 bytes
 *   class 18  0.0.44.0.0.255   method 1 echo the parameters as return data
 *                               method 2 no parameters, no return
 *                               method 3 refused: read-write-denied
 *                               method 4 octet-string of n bytes (n: long-unsigned)
 * Anything else: object-undefined.
 *
 * Host-only test code: uses stdlib and cmocka asserts.
 */
#ifndef EMETER_TEST_SERVER_FAKE_H
#define EMETER_TEST_SERVER_FAKE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dlms/acse.h"
#include "dlms/apdu.h"
#include "dlms/security.h"
#include "dlms/server.h"
#include "dlms/xdlms.h"

/* ---- Green Book vectors (dlms-facts §3) --------------------------------------------- */

static const uint8_t GB_EK[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                  0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
static const uint8_t GB_AK[16] = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7,
                                  0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF};
/* §3.3: client and server titles of the HLS example. */
static const uint8_t TITLE_CLIENT[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t TITLE_SERVER[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E};

#define SAP_PUBLIC 16
#define SAP_MGMT   1
#define SAP_LLS    17
#define SAP_PRE    102
#define SAP_SERVER 1

#define CONF_ALL                                                                                   \
    (DLMS_CONF_GET | DLMS_CONF_SET | DLMS_CONF_ACTION | DLMS_CONF_SELECTIVE_ACCESS |               \
     DLMS_CONF_BLOCK_TRANSFER_WITH_GET_OR_READ | DLMS_CONF_BLOCK_TRANSFER_WITH_SET_OR_WRITE |      \
     DLMS_CONF_BLOCK_TRANSFER_WITH_ACTION | DLMS_CONF_MULTIPLE_REFERENCES |                        \
     DLMS_CONF_PRIORITY_MGMT_SUPPORTED | DLMS_CONF_EVENT_NOTIFICATION)

static size_t unhex(const char *hex, uint8_t *buf, size_t cap) {
    size_t n = strlen(hex) / 2;
    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++) {
        char byte[3] = {hex[2 * i], hex[2 * i + 1], 0};
        buf[i] = (uint8_t)strtoul(byte, NULL, 16);
    }
    return n;
}

static void assert_hex(const uint8_t *p, size_t len, const char *hex) {
    uint8_t want[512];
    size_t n = unhex(hex, want, sizeof want);
    assert_int_equal(len, n);
    assert_memory_equal(p, want, n);
}

/* ---- the fake object layer ------------------------------------------------------------ */

#define PROFILE_ROWS 1440
#define ROW_LEN      26 /* 02 03 | 09 0C + 12 | 06 + 4 | 06 + 4 */
#define BIG_MAX      4000
#define COOKIE_MAGIC 0xA5u

static const uint8_t LN_CLOCK[6] = {0, 0, 1, 0, 0, 255};
static const uint8_t LN_REGISTER[6] = {1, 0, 1, 8, 0, 255};
static const uint8_t LN_PROFILE[6] = {1, 0, 99, 1, 0, 255};
static const uint8_t LN_BIG[6] = {0, 0, 128, 1, 0, 255};
static const uint8_t LN_METHODS[6] = {0, 0, 44, 0, 0, 255};
static const uint8_t LN_ASSOC_CURRENT[6] = {0, 0, 40, 0, 0, 255};

typedef struct fake {
    uint32_t register_value;
    uint8_t big[BIG_MAX];
    size_t big_len;
    uint32_t profile_rows; /* grows while a long read runs: the cookie must hold */
    bool profile_grow;
    /* what the server handed over */
    unsigned get_calls, set_calls, action_calls;
    dlms_assoc_view_t last_view;
    uint8_t last_selector;
    uint8_t last_selection[128];
    size_t last_selection_len;
    bool selection_changed;  /* a later block saw other selection bytes */
    size_t max_window_bytes; /* most bytes one get() call put in a window */
    unsigned max_rows_per_call;
    unsigned first_calls;
} fake_t;

static fake_t g_fake;

static void fake_reset(void) {
    memset(&g_fake, 0, sizeof g_fake);
    g_fake.register_value = 12345;
    g_fake.profile_rows = PROFILE_ROWS;
}

static void put_row(axdr_enc_t *e, uint32_t r) {
    cosem_datetime_t dt;
    uint32_t minutes = r * 15u;
    uint32_t day = minutes / 1440u;
    memset(&dt, 0, sizeof dt);
    dt.year = 2024;
    dt.month = 1;
    dt.day = (uint8_t)(1 + day);
    dt.day_of_week = (uint8_t)(1 + day % 7);
    dt.hour = (uint8_t)(minutes % 1440u / 60u);
    dt.minute = (uint8_t)(minutes % 60u);
    dt.deviation = -60;
    axdr_put_structure(e, 3);
    axdr_put_date_time_os(e, &dt);
    axdr_put_uint32(e, 1000u + r * 7u);
    axdr_put_uint32(e, r * r);
}

/* Rows [first, last) of the profile as an array, seeking over the rows
 * before the window so that every call costs one window. */
static int put_rows(axdr_enc_t *e, uint32_t first, uint32_t last) {
    axdr_put_array(e, last - first);
    size_t start = dlms_apdu_window_start(e);
    size_t pos = axdr_enc_size(e);
    uint32_t r = first;
    if (start > pos) {
        uint32_t skip = (uint32_t)((start - pos) / ROW_LEN);
        skip = skip < last - first ? skip : last - first;
        int rc = dlms_apdu_skip(e, (size_t)skip * ROW_LEN);
        if (rc != 0) {
            return rc;
        }
        r += skip;
    }
    unsigned rows = 0;
    for (; r < last && e->err == 0; r++, rows++) {
        put_row(e, r);
    }
    if (e->buf != NULL && rows > g_fake.max_rows_per_call) { /* windows only */
        g_fake.max_rows_per_call = rows;
    }
    return e->err;
}

static void note_selection(const dlms_get_call_t *call) {
    const dlms_access_selection_t *a = call->selection;
    if (!a->present) {
        return;
    }
    if (call->first_call) {
        g_fake.last_selector = a->selector;
        assert_true(a->parameters.len <= sizeof g_fake.last_selection);
        memcpy(g_fake.last_selection, a->parameters.p, a->parameters.len);
        g_fake.last_selection_len = a->parameters.len;
    } else if (a->selector != g_fake.last_selector ||
               a->parameters.len != g_fake.last_selection_len ||
               memcmp(a->parameters.p, g_fake.last_selection, a->parameters.len) != 0) {
        g_fake.selection_changed = true;
    }
}

static int get_profile(dlms_get_call_t *call, axdr_enc_t *e) {
    note_selection(call);
    uint32_t rows;
    if (call->first_call) {
        /* Snapshot: the rows that exist now are the rows served. */
        rows = g_fake.profile_rows;
        call->block_cookie[0] = COOKIE_MAGIC;
        memcpy(call->block_cookie + 1, &rows, sizeof rows);
        g_fake.first_calls++;
    } else {
        assert_int_equal(call->block_cookie[0], COOKIE_MAGIC);
        memcpy(&rows, call->block_cookie + 1, sizeof rows);
    }
    if (g_fake.profile_grow) {
        g_fake.profile_rows++; /* a capture happens between two blocks */
    }
    uint32_t first = 0;
    uint32_t last = rows;
    const dlms_access_selection_t *a = call->selection;
    if (a->present && a->selector == DLMS_ACCESS_SELECTOR_ENTRY) {
        dlms_entry_descriptor_t ed;
        if (dlms_entry_descriptor_decode(a->parameters.p, a->parameters.len, &ed) != 0 ||
            ed.from_entry == 0) {
            return DLMS_DAR_OTHER_REASON;
        }
        first = ed.from_entry - 1;
        last = ed.to_entry == 0 || ed.to_entry > rows ? rows : ed.to_entry;
        if (first > last) {
            first = last;
        }
    } else if (a->present && a->selector == DLMS_ACCESS_SELECTOR_RANGE) {
        last = 100; /* pretend the range covers the first 100 rows */
    } else if (a->present) {
        return DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED;
    }
    return put_rows(e, first, last);
}

static int fake_get(void *user, dlms_get_call_t *call, axdr_enc_t *e) {
    (void)user;
    g_fake.get_calls++;
    g_fake.last_view = *call->assoc;
    const dlms_cosem_descriptor_t *d = call->attr;
    size_t before = e->len;
    int rc = DLMS_DAR_OBJECT_UNDEFINED;
    if (memcmp(d->instance_id, LN_CLOCK, 6) == 0 && d->class_id == 8 && d->id == 2) {
        static const uint8_t now[12] = {0x07, 0xE8, 1, 1, 1, 12, 0, 0, 0, 0xFF, 0xC4, 0};
        rc = axdr_put_octet_string(e, now, sizeof now);
    } else if (memcmp(d->instance_id, LN_REGISTER, 6) == 0 && d->class_id == 3) {
        if (d->id == 2) {
            rc = axdr_put_uint32(e, g_fake.register_value);
        } else if (d->id == 3) {
            axdr_put_structure(e, 2);
            axdr_put_int8(e, 0);
            rc = axdr_put_enum(e, 30);
        }
    } else if (memcmp(d->instance_id, LN_PROFILE, 6) == 0 && d->class_id == 7 && d->id == 2) {
        rc = get_profile(call, e);
    } else if (memcmp(d->instance_id, LN_BIG, 6) == 0 && d->class_id == 1 && d->id == 2) {
        rc = axdr_put_octet_string(e, g_fake.big, g_fake.big_len);
    }
    /* Bytes that landed in a window (a measuring encoder has no buffer). */
    if (e->buf != NULL && e->len - before > g_fake.max_window_bytes) {
        g_fake.max_window_bytes = e->len - before;
    }
    return rc;
}

static int fake_set(void *user, const dlms_assoc_view_t *assoc, const dlms_cosem_descriptor_t *d,
                    const dlms_access_selection_t *sel, axdr_dec_t *value) {
    (void)user;
    (void)sel;
    g_fake.set_calls++;
    g_fake.last_view = *assoc;
    if (memcmp(d->instance_id, LN_REGISTER, 6) == 0 && d->class_id == 3 && d->id == 2) {
        uint32_t v;
        if (axdr_get_uint32(value, &v) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        g_fake.register_value = v;
        return 0;
    }
    if (memcmp(d->instance_id, LN_BIG, 6) == 0 && d->class_id == 1 && d->id == 2) {
        const uint8_t *p;
        size_t n;
        if (axdr_get_octet_string(value, &p, &n) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (n > BIG_MAX) {
            return DLMS_DAR_OTHER_REASON;
        }
        memcpy(g_fake.big, p, n);
        g_fake.big_len = n;
        return 0;
    }
    if (memcmp(d->instance_id, LN_CLOCK, 6) == 0) {
        return DLMS_DAR_READ_WRITE_DENIED;
    }
    return DLMS_DAR_OBJECT_UNDEFINED;
}

static int fake_action(void *user, const dlms_assoc_view_t *assoc, const dlms_cosem_descriptor_t *m,
                       axdr_dec_t *params, axdr_enc_t *ret, bool *has_return) {
    (void)user;
    g_fake.action_calls++;
    g_fake.last_view = *assoc;
    *has_return = false;
    if (memcmp(m->instance_id, LN_METHODS, 6) != 0 || m->class_id != 18) {
        return DLMS_ACTION_OBJECT_UNDEFINED;
    }
    switch (m->id) {
    case 1: /* echo */
        if (params == NULL) {
            return DLMS_ACTION_TYPE_UNMATCHED;
        }
        *has_return = true;
        return axdr_put_raw(ret, params->p + params->pos, axdr_dec_remaining(params));
    case 2:
        return params == NULL ? 0 : DLMS_ACTION_TYPE_UNMATCHED;
    case 3:
        return DLMS_ACTION_READ_WRITE_DENIED;
    case 4: {
        uint16_t n;
        if (params == NULL || axdr_get_uint16(params, &n) != 0) {
            return DLMS_ACTION_TYPE_UNMATCHED;
        }
        *has_return = true;
        uint8_t tag = AXDR_OCTET_STRING;
        axdr_put_raw(ret, &tag, 1);
        axdr_put_length(ret, n);
        for (uint16_t i = 0; i < n; i++) {
            uint8_t b = (uint8_t)i;
            axdr_put_raw(ret, &b, 1);
        }
        return 0;
    }
    default:
        return DLMS_ACTION_OBJECT_UNDEFINED;
    }
}

static const dlms_cosem_services_t g_services = {NULL, fake_get, fake_set, fake_action};

/* ---- port, callbacks and configuration --------------------------------------------------- */

typedef struct harness {
    dlms_security_context_t sec;
    dlms_assoc_config_t pub, lls, mgmt, pre;
    dlms_assoc_config_t *assocs[4];
    dlms_server_config_t cfg;
    em_port_t port;
    dlms_server_t server;
    /* callbacks seen */
    unsigned reserve_calls;
    uint32_t last_bound;
    bool reserve_fail;
    unsigned auth_failures;
    int last_auth_reason;
    uint16_t last_auth_sap;
    unsigned events;
    int last_event;
    dlms_assoc_view_t last_event_view;
    uint64_t now;
} harness_t;

static harness_t *g_h; /* heap: the server context is large */

/* Entropy that returns "P6wRJ21F" over and over: the StoC of §3.3. */
static int fixed_entropy(void *user, uint8_t *buf, size_t len) {
    (void)user;
    static const char stoc[] = "P6wRJ21F";
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)stoc[i % 8];
    }
    return 0;
}

static int cb_reserve(void *user, dlms_security_context_t *sec, uint32_t bound) {
    harness_t *h = user;
    (void)sec;
    h->reserve_calls++;
    h->last_bound = bound;
    return h->reserve_fail ? -1 : 0;
}

static void cb_auth(void *user, uint16_t sap, int reason) {
    harness_t *h = user;
    h->auth_failures++;
    h->last_auth_reason = reason;
    h->last_auth_sap = sap;
}

static void cb_assoc(void *user, const dlms_assoc_view_t *view, int event) {
    harness_t *h = user;
    h->events++;
    h->last_event = event;
    h->last_event_view = *view;
}

static void keys_gb(dlms_sec_keys_t *k) {
    memset(k, 0, sizeof *k);
    memcpy(k->guek, GB_EK, 16);
    memcpy(k->ak, GB_AK, 16);
    memset(k->gbek, 0x5A, 16);
    memset(k->kek, 0x11, 16);
}

static void harness_config(harness_t *h) {
    keys_gb(&h->sec.keys);
    memcpy(h->sec.server_system_title, TITLE_SERVER, 8);
    h->sec.security_policy = DLMS_SEC_POLICY_AUTH_ENCRYPTED;
    h->sec.tx_ic = 0x01234566u; /* AARE 66, f(CtoS) 67 as in §3.3, response 68 */

    static const uint8_t ln_pub[6] = {0, 0, 40, 0, 1, 255};
    static const uint8_t ln_mgmt[6] = {0, 0, 40, 0, 3, 255};
    h->pub.client_sap = SAP_PUBLIC;
    memcpy(h->pub.logical_name, ln_pub, 6);
    h->pub.app_context = DLMS_CONTEXT_LN;
    h->pub.mechanism = DLMS_MECH_NONE;
    h->pub.conformance = 0x00501F; /* §4.6 accepted AARE */
    h->pub.max_receive_pdu = 500;

    h->lls = h->pub;
    h->lls.client_sap = SAP_LLS;
    h->lls.mechanism = DLMS_MECH_LLS;
    memcpy(h->lls.lls_secret, "12345678", 8);
    h->lls.lls_secret_len = 8;
    h->lls.conformance = CONF_ALL;

    h->mgmt.client_sap = SAP_MGMT;
    memcpy(h->mgmt.logical_name, ln_mgmt, 6);
    h->mgmt.app_context = DLMS_CONTEXT_LN_CIPH;
    h->mgmt.mechanism = DLMS_MECH_GMAC;
    h->mgmt.sec = &h->sec;
    h->mgmt.conformance = CONF_ALL;
    h->mgmt.max_receive_pdu = 1024;

    h->pre = h->pub;
    h->pre.client_sap = SAP_PRE;
    h->pre.pre_established = true;
    h->pre.conformance = CONF_ALL;

    h->assocs[0] = &h->pub;
    h->assocs[1] = &h->mgmt;
    h->assocs[2] = &h->lls;
    h->assocs[3] = &h->pre;

    h->port.entropy = fixed_entropy;
    h->cfg.associations = h->assocs;
    h->cfg.association_count = 4;
    h->cfg.server_sap = SAP_SERVER;
    h->cfg.services = &g_services;
    h->cfg.port = &h->port;
    h->cfg.challenge_len = 16;
    h->cfg.user = h;
    h->cfg.reserve_ic = cb_reserve;
    h->cfg.on_auth_failure = cb_auth;
    h->cfg.on_association = cb_assoc;
}

static int harness_setup(void **state) {
    (void)state;
    fake_reset();
    g_h = calloc(1, sizeof *g_h);
    assert_non_null(g_h);
    harness_config(g_h);
    assert_int_equal(dlms_server_init(&g_h->server, &g_h->cfg, 0), 0);
    return 0;
}

static int harness_teardown(void **state) {
    (void)state;
    free(g_h);
    g_h = NULL;
    return 0;
}

/* One APDU into the server from client_sap; the reply in out. */
static int srv_in(uint16_t client_sap, const uint8_t *apdu, size_t len, uint8_t *out, size_t cap) {
    return dlms_server_input(&g_h->server, client_sap, SAP_SERVER, apdu, len, out, cap, g_h->now);
}

/* ---- client side ----------------------------------------------------------------------- */

typedef struct client {
    const uint8_t *title; /* our system title (TITLE_CLIENT by default) */
    dlms_sec_keys_t keys;
    uint32_t ic; /* next counter we send with */
    uint8_t sc;
    bool dedicated;
    dlms_sec_form_t form;
    dlms_sec_rx_t rx; /* the server's replies */
} client_t;

static void client_init(client_t *c, uint32_t first_ic) {
    memset(c, 0, sizeof *c);
    keys_gb(&c->keys);
    c->title = TITLE_CLIENT;
    c->ic = first_ic;
    c->sc = DLMS_SEC_SC_AUTH_ENC;
    c->rx.keys = &c->keys;
    c->rx.peer_title = TITLE_SERVER;
}

/* AARQ from a plain or ciphered client. */
static size_t build_aarq(client_t *c, uint8_t mechanism, const void *auth, size_t auth_len,
                         uint32_t conformance, uint16_t max_pdu, uint8_t *out, size_t cap) {
    dlms_initiate_request_t init;
    dlms_initiate_request_init(&init, conformance, max_pdu);
    dlms_acse_client_t a;
    memset(&a, 0, sizeof a);
    a.mechanism = mechanism;
    a.auth_value = auth;
    a.auth_value_len = auth_len;
    a.initiate = &init;
    dlms_sec_tx_t tx = {c != NULL ? &c->keys : NULL, c != NULL ? c->title : TITLE_CLIENT,
                        c != NULL ? c->sc : 0, c != NULL ? c->ic : 0, false};
    if (c != NULL) {
        a.system_title = c->title;
        a.tx = &tx;
    } else if (mechanism == DLMS_MECH_GMAC) {
        a.system_title = TITLE_CLIENT;
    }
    int n = dlms_acse_client_aarq(&a, out, cap);
    assert_true(n > 0);
    if (c != NULL) {
        c->ic++;
    }
    return (size_t)n;
}

/* Ciphers a plain request the client's way (glo-/ded-/general-). */
static size_t client_protect(client_t *c, const uint8_t *apdu, size_t len, uint8_t *out,
                             size_t cap) {
    dlms_sec_tx_t tx = {&c->keys, c->title, c->sc, c->ic++, c->dedicated};
    int n = dlms_sec_protect(&tx, c->form, apdu, len, out, cap);
    assert_true(n > 0);
    return (size_t)n;
}

/* Deciphers a response; returns the plain length. */
static size_t client_unprotect(client_t *c, const uint8_t *in, size_t len, uint8_t *out,
                               size_t cap) {
    dlms_sec_info_t info;
    int n = dlms_sec_unprotect(&c->rx, in, len, out, cap, &info);
    assert_true(n > 0);
    c->rx.ic[info.key].last = info.ic;
    c->rx.ic[info.key].valid = true;
    return (size_t)n;
}

static size_t get_normal(uint8_t iid, uint16_t class_id, const uint8_t *ln, int8_t attr,
                         const dlms_access_selection_t *sel, uint8_t *out, size_t cap) {
    dlms_get_request_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->type = DLMS_GET_REQUEST_NORMAL;
    r->invoke_id = iid;
    r->count = 1;
    r->items[0].attr.class_id = class_id;
    memcpy(r->items[0].attr.instance_id, ln, 6);
    r->items[0].attr.id = attr;
    if (sel != NULL) {
        r->items[0].access = *sel;
    }
    int n = dlms_get_request_encode(r, out, cap);
    free(r);
    assert_true(n > 0);
    return (size_t)n;
}

static inline size_t get_next_req(uint8_t iid, uint32_t block, uint8_t *out, size_t cap) {
    dlms_get_request_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->type = DLMS_GET_REQUEST_NEXT;
    r->invoke_id = iid;
    r->block_number = block;
    int n = dlms_get_request_encode(r, out, cap);
    free(r);
    assert_true(n > 0);
    return (size_t)n;
}

/* Associates the public client (plain AARQ, given conformance and PDU). */
static inline void associate_public(uint32_t conformance, uint16_t max_pdu) {
    uint8_t aarq[128], out[DLMS_SERVER_OUT_CAP];
    size_t n = build_aarq(NULL, DLMS_MECH_NONE, NULL, 0, conformance, max_pdu, aarq, sizeof aarq);
    int r = srv_in(SAP_PUBLIC, aarq, n, out, sizeof out);
    assert_true(r > 0);
    dlms_aare_t aare;
    dlms_acse_answer_t ans;
    assert_int_equal(dlms_acse_client_aare(out, (size_t)r, NULL, &aare, &ans), 0);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_ASSOCIATED);
}

#endif /* EMETER_TEST_SERVER_FAKE_H */
