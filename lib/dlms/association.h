/*
 * association.h - configuration and persistent security state of the
 * associations a DLMS server offers (Green Book "application associations";
 * Blue Book Association LN class 15 and Security setup class 64).
 *
 * The owner (the meter application) keeps these structs in its own context
 * and hands pointers to both sides:
 *   - the DLMS server (lib/dlms/server) reads the configuration to accept
 *     an AARQ, ciphers with the keys and advances the invocation counters;
 *   - the COSEM objects (lib/cosem: Association LN, Security setup,
 *     invocation counter Data objects) show and change them (LLS secret,
 *     key transfer, security_activate).
 *
 * Invocation counters: tx_ic is the next counter this server uses. It must
 * never be reused, even across a crash, so the server asks the owner to
 * persist a reservation (tx_ic_reserved) before it uses a counter at or
 * above the last reservation (see dlms_server_config_t.reserve_ic).
 */
#ifndef EMETER_DLMS_ASSOCIATION_H
#define EMETER_DLMS_ASSOCIATION_H

#include <stdbool.h>
#include <stdint.h>

#include "dlms/security.h"
#include "emeter_config.h"

/* Security setup (class 64, version 0) security_policy values. */
#define DLMS_SEC_POLICY_NOTHING           0u
#define DLMS_SEC_POLICY_AUTHENTICATED     1u
#define DLMS_SEC_POLICY_ENCRYPTED         2u
#define DLMS_SEC_POLICY_AUTH_ENCRYPTED    3u

/* One security context: the keys and counters of one Security setup
 * object. Several associations may share it. */
typedef struct dlms_security_context {
    dlms_sec_keys_t keys;              /* GUEK, GBEK, AK, KEK (+ dedicated, per session) */
    uint8_t server_system_title[8];    /* our system title (IV of what we send) */
    uint8_t client_system_title[8];    /* last client system title seen (class 64 attr 4) */
    bool has_client_system_title;
    uint8_t security_policy;           /* DLMS_SEC_POLICY_* (class 64 v0 attr 2) */
    uint8_t security_suite;            /* 0: AES-GCM-128 */
    uint32_t tx_ic;                    /* next invocation counter we send with */
    uint32_t tx_ic_reserved;           /* persisted bound: tx_ic < tx_ic_reserved */
    uint32_t rx_ic_last;               /* last accepted client counter (GUEK) */
    bool rx_ic_valid;                  /* false until the first accepted counter */
} dlms_security_context_t;

/* One association the server offers, selected by the client SAP. */
typedef struct dlms_assoc_config {
    uint16_t client_sap;               /* 16 public, 1 management, 102 pre-established */
    uint8_t logical_name[6];           /* its Association LN object, e.g. 0.0.40.0.1.255 */
    uint8_t app_context;               /* 1 LN, 3 LN with ciphering */
    uint8_t mechanism;                 /* 0 none, 1 LLS, 5 HLS-GMAC */
    uint8_t lls_secret[EM_ACSE_MAX_PASSWORD]; /* LLS password (class 15 attr 7) */
    uint8_t lls_secret_len;
    dlms_security_context_t *sec;      /* NULL: no ciphering offered */
    uint32_t conformance;              /* what the server supports for this client */
    uint16_t max_receive_pdu;          /* server-max-receive-pdu-size announced */
    bool pre_established;              /* no AARQ needed (class 15 "pre-established") */
} dlms_assoc_config_t;

#endif /* EMETER_DLMS_ASSOCIATION_H */
