/*
 * test_client_support.h - the canned server of the client tests
 * (test_client.c, test_client_blocks.c): hex helpers and AARE / ciphered
 * response builders made with the library's own server-side encoders
 * (acse.h, xdlms.h, security.h), so the client is tested against real
 * encodings without a server implementation. Host-only, header-only.
 */
#ifndef TEST_CLIENT_SUPPORT_H
#define TEST_CLIENT_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dlms/acse.h"
#include "dlms/client.h"
#include "dlms/security.h"
#include "dlms/xdlms.h"

/* Green Book example keys and titles (dlms-facts §3.1 / §3.3). */
#define TC_GUEK  "000102030405060708090A0B0C0D0E0F"
#define TC_AK    "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"
#define TC_CLI_T "4D4D4D0000000001"
#define TC_SRV_T "4D4D4D0000BC614E"

static inline int tc_nibble(char ch) {
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

/* Hex string (no separators) into out; returns the byte count. */
static inline size_t tc_unhex(const char *hex, uint8_t *out, size_t cap) {
    size_t n = 0;
    while (hex[0] != '\0' && hex[1] != '\0' && n < cap) {
        out[n++] = (uint8_t)(tc_nibble(hex[0]) << 4 | tc_nibble(hex[1]));
        hex += 2;
    }
    return n;
}

static inline void tc_keys(dlms_sec_keys_t *k) {
    memset(k, 0, sizeof *k);
    tc_unhex(TC_GUEK, k->guek, sizeof k->guek);
    tc_unhex(TC_AK, k->ak, sizeof k->ak);
}

/* The server's side of ciphering: keys, its title, its counter. */
typedef struct tc_server {
    dlms_sec_keys_t keys;
    uint8_t title[8];
    uint32_t ic;
} tc_server_t;

static inline void tc_server_init(tc_server_t *s, uint32_t ic) {
    tc_keys(&s->keys);
    tc_unhex(TC_SRV_T, s->title, 8);
    s->ic = ic;
}

/* Plain APDU -> glo-ciphered (SC 0x30) with the server's next counter. */
static inline int tc_protect(tc_server_t *s, const uint8_t *plain, size_t n, uint8_t *out,
                             size_t cap) {
    dlms_sec_tx_t tx = {&s->keys, s->title, DLMS_SEC_SC_AUTH_ENC, s->ic++, false};
    return dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, plain, n, out, cap);
}

/* What an AARE built by tc_aare() carries. */
typedef struct tc_aare_opts {
    uint8_t result;      /* DLMS_ACSE_RESULT_* */
    uint8_t diagnostic;  /* acse-service-user diagnostic */
    bool ciphered;       /* context 3, glo-initiateResponse with srv */
    const uint8_t *stoc; /* HLS-5 StoC (NULL: none) */
    size_t stoc_len;
    bool title;           /* responding-AP-title = srv->title */
    uint32_t conformance; /* negotiated */
    uint16_t max_pdu;     /* server-max-receive-pdu-size */
} tc_aare_opts_t;

static inline int tc_aare(tc_server_t *srv, const tc_aare_opts_t *o, uint8_t *out, size_t cap) {
    dlms_initiate_response_t ir = {false,          0,          DLMS_XDLMS_VERSION,
                                   o->conformance, o->max_pdu, DLMS_XDLMS_VAA_NAME_LN};
    uint8_t plain[32], ui[64];
    int n = dlms_initiate_response_encode(&ir, plain, sizeof plain);
    if (n < 0) {
        return n;
    }
    if (o->ciphered) {
        n = tc_protect(srv, plain, (size_t)n, ui, sizeof ui);
        if (n < 0) {
            return n;
        }
    } else {
        memcpy(ui, plain, (size_t)n);
    }
    dlms_aare_t a;
    memset(&a, 0, sizeof a);
    a.context = o->ciphered ? DLMS_CONTEXT_LN_CIPH : DLMS_CONTEXT_LN;
    a.result = o->result;
    a.diagnostic_source = DLMS_ACSE_SOURCE_USER;
    a.diagnostic = o->diagnostic;
    if (o->title) {
        a.has_responding_ap_title = true;
        memcpy(a.responding_ap_title, srv->title, 8);
    }
    if (o->stoc != NULL) {
        a.has_acse_requirements = true;
        a.authentication = true;
        a.has_mechanism = true;
        a.mechanism = DLMS_MECH_GMAC;
        a.has_auth_value = true;
        a.auth_value_len = o->stoc_len;
        memcpy(a.auth_value, o->stoc, o->stoc_len);
    }
    a.user_info = ui;
    a.user_info_len = (size_t)n;
    return dlms_aare_encode(&a, out, cap);
}

/* Plain settings with the example keys and client title. */
static inline void tc_settings(dlms_client_settings_t *s) {
    dlms_client_settings_init(s);
    tc_keys(&s->keys);
    tc_unhex(TC_CLI_T, s->system_title, 8);
}

#endif /* TEST_CLIENT_SUPPORT_H */
