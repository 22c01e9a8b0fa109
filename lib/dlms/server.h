/*
 * server.h - the DLMS/COSEM server application layer (IEC 62056-5-3 /
 * DLMS UA Green Book "COSEM application layer", server side): association
 * control (AARQ/AARE, RLRQ/RLRE, HLS-5 passes 3 and 4), the xDLMS GET, SET
 * and ACTION services with service-specific block transfer and
 * general-block-transfer, security suite 0 ciphering of requests and
 * responses, and data-notification for pushes.
 *
 * It sits between a transport (TCP/UDP wrapper or HDLC, which deliver
 * whole APDUs with the client and server SAPs) and the COSEM object layer
 * (reached only through dlms_cosem_services_t, cosem_services.h). It knows
 * nothing of meters.
 *
 * One dlms_server_t is one client connection: it holds at most one
 * association at a time. Several connections share one const
 * dlms_server_config_t, whose associations (association.h) and security
 * contexts the application owns.
 *
 * Association state machine (dlms_assoc_view_t.status):
 *
 *   non-associated --AARQ, mechanism none or LLS, accepted--> associated
 *   non-associated --AARQ, HLS-5 (mechanism 5), accepted----> pending
 *   pending --ACTION reply_to_HLS_authentication, f(StoC) ok--> associated
 *   pending --same, f(StoC) wrong--> non-associated (on_auth_failure; the
 *            ACTION is answered with action-result read-write-denied)
 *   associated/pending --RLRQ / inactivity / transport closed--> non-associated
 *
 *   - Pass 3 is an ACTION on class 15, instance 0.0.40.0.0.255 (the current
 *     association) or the association's own logical name, method 1. The
 *     server checks it itself with the keys and StoC it holds; the object
 *     layer never sees that call. While pending, nothing else is served
 *     (exception-response service-not-allowed).
 *   - A new AARQ on a connection that is associated (or pending) releases
 *     that association first (event DLMS_SERVER_EVENT_REPLACED) and is then
 *     handled like any AARQ: a client that lost its association without an
 *     RLRQ can associate again at once, and the connection never holds more
 *     rights than the last AARQ earned.
 *   - After an RLRQ the same connection may associate as another client.
 *   - A pre-established association (dlms_assoc_config_t.pre_established)
 *     is opened implicitly by the first request of its client SAP on an
 *     idle connection, with the configured conformance and PDU size.
 *   - A request from a client SAP that is not the associated one, or with
 *     no association, gets exception-response service-not-allowed /
 *     operation-not-possible (D8 01 01).
 *
 * AARQ checks, in order, and the AARE diagnostic (acse-service-user) when
 * refused (result rejected-permanent unless noted):
 *   undecodable AARQ                    dlms_acse_diagnostic_for_error()
 *   no association for the client SAP  no-reason-given (1)
 *   application context differs         application-context-name-not-supported (2)
 *   mechanism absent but required       authentication-mechanism-name-required (12)
 *   mechanism differs                   authentication-mechanism-name-not-recognised (11)
 *   ciphered InitiateRequest fails      authentication-failure (13) for a wrong
 *                                       key (+ on_auth_failure), else as
 *                                       dlms_acse_diagnostic_for_error()
 *   assoc_allowed() false (lockout)     authentication-failure (13), rejected-transient,
 *                                       before the credentials are looked at
 *   LLS password wrong                  authentication-failure (13) + on_auth_failure
 *   HLS-5 without calling-AP-title or   authentication-failure (13)
 *     a CtoS of 8..EM_SEC_MAX_CHALLENGE
 *   InitiateRequest refused             no-reason-given (1), user-information
 *                                       confirmedServiceError 0E 01 06 <initiate-error>
 *   StoC or IC reservation failed       rejected-transient, no-reason-given
 *
 * Services: GET normal / next / with-list; SET normal, with-first-datablock,
 * with-datablock, with-list, with-list-and-first-datablock; ACTION normal,
 * next-pblock, with-list, with-first-pblock, with-list-and-first-pblock,
 * with-pblock; general-block-transfer. A service, block transfer or list
 * form outside the negotiated conformance is refused (dlms_apdu_refuse()),
 * as is any other tag. Undecodable requests get exception-response
 * service-not-allowed / other-reason (D8 01 03), a with-list request longer
 * than EM_DLMS_MAX_LIST operation-not-possible (D8 01 01), a request longer
 * than the announced server-max-receive-pdu-size pdu-too-long (D8 01 04).
 * Requests are answered whatever their invoke-id service-class bit says
 * (the Green Book examples send GET with invoke-id 00). A reply longer
 * than the PDU when no block transfer can carry it is answered with
 * data-access-result other-reason per attribute (GET) or action-result
 * other-reason (ACTION: the method did run); an answer that cannot fit
 * even then (a long list in a tiny PDU) with pdu-too-long (D8 01 04).
 *
 * Long replies are never built whole: GET replies run the object's get()
 * once per block on an A-XDR window encoder (apdu.h streaming), with the
 * request's descriptor, a copy of its selective-access parameters and the
 * object's cookie kept here; ACTION return data (produced once: a method
 * has side effects) is kept in the reassembly buffer and sent from there.
 * Only one long transfer exists at a time: any new GET/SET/ACTION request
 * other than the continuation of the one in progress abandons it.
 *
 * Security: in an association with application context 3 (LN with
 * ciphering), requests may come as glo-, ded-, general-glo- or
 * general-ded-ciphered APDUs. They are deciphered with the association's
 * security context (replay: a counter must exceed the last one accepted
 * under that key), and the response is protected the same way the request
 * came (same envelope kind, same key, the request's SC) with the security
 * context's tx_ic. When the context's security_policy asks for protection,
 * plain requests are refused with exception-response service-not-allowed /
 * deciphering-error (D8 01 05); a request failing authentication (wrong
 * key) gets D8 01 05 and on_auth_failure; a replayed counter gets D8 01 06
 * with the next counter expected. Broadcast-key (GBEK) requests are
 * refused: these are unicast associations.
 *
 * Invocation counters: tx_ic is never reused, even across a crash. Before
 * a counter at or above tx_ic_reserved is used, the server calls
 * reserve_ic(user, sec, new_bound), new_bound = tx_ic + ic_reserve_step
 * (capped at 0xFFFFFFFF, which is never used: then a new key is needed);
 * the owner persists new_bound durably and returns 0, and the server then
 * raises tx_ic_reserved. At start-up the owner sets tx_ic = tx_ic_reserved
 * = the persisted bound. The counters a response needs are reserved before
 * the request is executed, so a failed reservation never leaves a SET done
 * and unanswered: the request is refused with exception-response
 * service-not-allowed / other-reason (D8 01 03), sent in clear as it
 * carries no data. reserve_ic NULL means counters cannot be persisted:
 * nothing is ever sent ciphered.
 *
 * general-block-transfer (when negotiated): a request may arrive in GBT
 * blocks (window EM_DLMS_GBT_WINDOW, reassembled in EM_DLMS_GBT_BUFFER);
 * the response to a request that came in GBT goes back in GBT. A plain
 * GET reply longer than the PDU is streamed in GBT blocks when the client
 * negotiated GBT but not block-transfer-with-get (the server sends one
 * block per acknowledgement); otherwise long replies use the
 * service-specific datablocks. A ciphered reply is always cut into
 * service-specific blocks, each ciphered on its own (GCM over a whole
 * long APDU would need it whole in memory), and needs block-transfer-with-
 * get. GBT blocks go out one per acknowledgement: every GBT the server
 * sends, acknowledgements included, takes its next block number.
 *
 * Output buffer: dlms_server_input() writes one response APDU (ciphered and
 * wrapped as it goes on the wire, transport header excluded) into the
 * caller's out[0..cap). A response never exceeds the negotiated
 * client-max-receive-pdu-size (the ciphering overhead and envelope counted
 * in) nor cap: block sizes shrink to fit. cap >= DLMS_SERVER_OUT_CAP always
 * suffices (the largest max PDU the server can negotiate, or an AARE);
 * cap >= DLMS_SERVER_OUT_MIN is required. RAM: sizeof(dlms_server_t) is
 * dominated by EM_DLMS_SERVER_MAX_PDU (twice), EM_DLMS_RX_BUFFER and
 * EM_DLMS_GBT_BUFFER: about 7.1 KB on a Cortex-M4 with the defaults.
 *
 * No heap, no globals; time comes in as now_ms.
 */
#ifndef EMETER_DLMS_SERVER_H
#define EMETER_DLMS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlms/acse.h"
#include "dlms/apdu.h"
#include "dlms/association.h"
#include "dlms/cosem_services.h"
#include "dlms/security.h"
#include "dlms/xdlms.h"
#include "emeter_config.h"
#include "port.h"

#if EM_DLMS_SERVER_MAX_PDU < 64 || EM_DLMS_SERVER_MAX_PDU > 65535
#error "EM_DLMS_SERVER_MAX_PDU must be 64..65535"
#endif
#if EM_DLMS_GBT_WINDOW < 1 || EM_DLMS_GBT_WINDOW > 63
#error "EM_DLMS_GBT_WINDOW must be 1..63"
#endif

/* ---- errors (-0x0680..-0x06FF) ------------------------------------------- */

#define DLMS_SERVER_ERR_BADARG       (-0x0681) /* NULL or impossible argument */
#define DLMS_SERVER_ERR_CONFIG       (-0x0682) /* configuration not usable */
#define DLMS_SERVER_ERR_BUFFER       (-0x0683) /* output buffer too small */
#define DLMS_SERVER_ERR_IC_RESERVE   (-0x0684) /* counter reservation failed */
#define DLMS_SERVER_ERR_IC_EXHAUSTED (-0x0685) /* tx counter used up: new key needed */
#define DLMS_SERVER_ERR_DAR          (-0x0686) /* internal: the object gave a DAR */
#define DLMS_SERVER_ERR_INTERNAL     (-0x0687) /* the server built a bad APDU */

/* Short English reason for a DLMS_SERVER_ERR_* (codes of the modules below
 * are passed on to their own strerror). */
const char *dlms_server_strerror(int err);

/* ---- events for the application's logs ------------------------------------ */

/* on_association events (communication log). Only associations that were
 * established (status associated) produce them. */
#define DLMS_SERVER_EVENT_ASSOCIATED 1 /* AARE accepted, or HLS pass 4 sent */
#define DLMS_SERVER_EVENT_RELEASED   2 /* RLRQ answered */
#define DLMS_SERVER_EVENT_TIMEOUT    3 /* inactivity timeout */
#define DLMS_SERVER_EVENT_CLOSED     4 /* transport closed */
#define DLMS_SERVER_EVENT_REPLACED   5 /* a new AARQ arrived on the connection */

/* on_auth_failure reasons (fraud log: failed login attempts, event 46). */
#define DLMS_SERVER_AUTH_LLS      1 /* wrong or missing LLS password */
#define DLMS_SERVER_AUTH_HLS      2 /* HLS-5 f(StoC) wrong, or pass 3 malformed */
#define DLMS_SERVER_AUTH_DECIPHER 3 /* a ciphered APDU failed authentication: wrong key */

/* inactivity_ms value that disables the timeout. */
#define DLMS_SERVER_NO_TIMEOUT 0xFFFFFFFFu

/* Largest AARE the server writes: components with a 64-byte StoC and a
 * ciphered InitiateResponse in the user-information. */
#define DLMS_SERVER_AARE_MAX 192
/* Smallest output capacity: an AARE, an RLRE or an exception-response. */
#define DLMS_SERVER_OUT_MIN DLMS_SERVER_AARE_MAX
/* Capacity that is always enough. */
#define DLMS_SERVER_OUT_CAP                                                                        \
    (EM_DLMS_SERVER_MAX_PDU > DLMS_SERVER_AARE_MAX ? EM_DLMS_SERVER_MAX_PDU : DLMS_SERVER_AARE_MAX)

/* Deciphered request: content of the largest ciphered APDU that fits the
 * announced max PDU (dlms_sec_unprotect works in place there). */
#define DLMS_SERVER_RX_BUFFER (EM_DLMS_SERVER_MAX_PDU + DLMS_SEC_OVERHEAD)

/* ---- configuration ------------------------------------------------------------ */

typedef struct dlms_server_config {
    /* The associations offered, selected by client SAP (unique). The index
     * in this array is dlms_assoc_view_t.assoc_index: the object layer must
     * know the associations in the same order. */
    dlms_assoc_config_t *const *associations;
    uint8_t association_count; /* 1..EM_DLMS_MAX_ASSOCIATIONS */
    uint16_t server_sap;       /* logical device (1 management); 0: any */

    const dlms_cosem_services_t *services; /* the object layer */
    const em_port_t *port;                 /* entropy for StoC (HLS-5) */

    uint32_t inactivity_ms;   /* 0: EM_DLMS_INACTIVITY_MS; DLMS_SERVER_NO_TIMEOUT: none */
    uint32_t ic_reserve_step; /* 0: EM_DLMS_IC_RESERVE_STEP */
    uint8_t challenge_len;    /* StoC length; 0: EM_SEC_CHALLENGE_LEN (16..64) */

    void *user; /* handed back to the callbacks */
    /* Persist new_bound as sec's invocation counter reservation durably
     * (flash written and synced) and return 0; anything else refuses the
     * reply. The server then sets sec->tx_ic_reserved = new_bound. */
    int (*reserve_ic)(void *user, dlms_security_context_t *sec, uint32_t new_bound);
    /* A failed login (DLMS_SERVER_AUTH_*). May be NULL. */
    void (*on_auth_failure)(void *user, uint16_t client_sap, int reason);
    /* Association established or ended (DLMS_SERVER_EVENT_*); view is the
     * association as it was while established. May be NULL. */
    void (*on_association)(void *user, const dlms_assoc_view_t *view, int event);
    /* May an AARQ for association assoc_index (client_sap) be considered
     * now? false (e.g. a login lockout): refused before any credential is
     * looked at, AARE rejected-transient (2) with acse-service-user
     * authentication-failure (13). May be NULL (always allowed). */
    bool (*assoc_allowed)(void *user, uint8_t assoc_index, uint16_t client_sap);
} dlms_server_config_t;

/* ---- connection state ----------------------------------------------------------- */

/* The one long transfer of a connection. */
typedef enum dlms_server_long_kind {
    DLMS_SERVER_LONG_NONE = 0,
    DLMS_SERVER_LONG_GET,       /* GET reply in datablocks (stream) */
    DLMS_SERVER_LONG_GET_GBT,   /* GET reply in general-block-transfer blocks */
    DLMS_SERVER_LONG_SET,       /* SET request arriving in datablocks */
    DLMS_SERVER_LONG_ACTION_RX, /* ACTION parameters arriving in pblocks */
    DLMS_SERVER_LONG_ACTION_TX, /* ACTION reply in pblocks (stream) */
} dlms_server_long_kind_t;

typedef struct dlms_server_long {
    uint8_t kind; /* dlms_server_long_kind_t */
    uint8_t invoke_id;
    uint8_t count;  /* entries of a with-list transfer (1 otherwise) */
    bool list_form; /* with-list request / response */
    bool outcomes;  /* with-list GET: item results known (first run done) */
    dlms_cosem_descriptor_t desc[EM_DLMS_MAX_LIST];
    dlms_access_selection_t sel[EM_DLMS_MAX_LIST];
    dlms_get_call_t call[EM_DLMS_MAX_LIST];
    uint8_t dar[EM_DLMS_MAX_LIST]; /* with-list GET: 0 or the item's data-access-result */
    uint8_t sel_buf[EM_DLMS_SELECTION_BUFFER];
    size_t sel_used;
    uint8_t producer_dar;       /* the DAR a single GET answered (DLMS_SERVER_ERR_DAR) */
    dlms_block_stream_t stream; /* GET / ACTION_TX */
    dlms_block_rx_t rx;         /* SET / ACTION_RX, into block_buf */
    size_t ret_off;             /* ACTION_TX: the reply body in block_buf */
    size_t ret_len;
    dlms_gbt_tx_t gbt; /* GET_GBT */
} dlms_server_long_t;

typedef struct dlms_server {
    const dlms_server_config_t *cfg;
    dlms_assoc_config_t *assoc; /* current association, NULL when idle */
    dlms_assoc_view_t view;     /* what the object layer sees; view.status is the state */
    uint64_t last_activity_ms;

    /* negotiated */
    uint16_t max_send_pdu;                      /* longest APDU we send, ciphering included */
    uint16_t max_recv_pdu;                      /* server-max-receive-pdu-size announced */
    dlms_initiate_response_t initiate_response; /* for the RLRE */
    uint8_t assoc_sc;                           /* SC of the ciphered InitiateRequest */

    /* security of the session */
    uint8_t client_title[DLMS_SEC_SYSTEM_TITLE_LEN];
    bool has_client_title;
    uint8_t dedicated_key[DLMS_SEC_KEY_LEN];
    bool has_dedicated_key;
    dlms_sec_rx_ic_t dedicated_rx; /* last counter accepted under the dedicated key */
    dlms_sec_keys_t keys;          /* snapshot for the request being served */
    uint8_t stoc[EM_SEC_MAX_CHALLENGE];
    uint8_t stoc_len;
    uint8_t ctos[EM_SEC_MAX_CHALLENGE];
    uint8_t ctos_len;

    /* general-block-transfer */
    uint16_t gbt_tx_number; /* number of the next GBT block we send */
    uint16_t gbt_rx_last;   /* last client block received in sequence */
    bool gbt_rx_active;     /* a GBT request is being reassembled */
    dlms_gbt_rx_t gbt_rx;

    dlms_server_long_t lt; /* the long transfer in progress */

    /* request decoding (too big for a microcontroller stack) */
    union {
        dlms_get_request_t get;
        dlms_set_request_t set;
        dlms_action_request_t action;
    } req;

    uint8_t rx[DLMS_SERVER_RX_BUFFER];    /* deciphered request */
    uint8_t tx[EM_DLMS_SERVER_MAX_PDU];   /* plain response before ciphering */
    uint8_t block_buf[EM_DLMS_RX_BUFFER]; /* datablock reassembly / ACTION reply */
    uint8_t gbt_buf[EM_DLMS_GBT_BUFFER];  /* request reassembled from GBT blocks */
} dlms_server_t;

/* ---- API ------------------------------------------------------------------------ */

/* Checks cfg (services with get/set/action; 1..EM_DLMS_MAX_ASSOCIATIONS
 * associations, unique client SAPs; context 1 or 3; mechanism 0, 1 or 5;
 * a security context for context 3 and HLS-5; a port with entropy for
 * HLS-5) and starts the connection idle. cfg must outlive s. Returns 0,
 * DLMS_SERVER_ERR_BADARG or DLMS_SERVER_ERR_CONFIG. */
int dlms_server_init(dlms_server_t *s, const dlms_server_config_t *cfg, uint64_t now_ms);

/* One APDU from the transport, as addressed by it (client and server SAP).
 * Writes the response into out[0..cap). Returns its length, 0 when nothing
 * is to be sent (an APDU for another server SAP, an empty APDU, a GBT
 * block that needs no acknowledgement), or a negative error meaning "drop
 * the connection" (DLMS_SERVER_ERR_BADARG, _BUFFER with cap below
 * DLMS_SERVER_OUT_MIN, _INTERNAL). */
int dlms_server_input(dlms_server_t *s, uint16_t client_sap, uint16_t server_sap,
                      const uint8_t *apdu, size_t len, uint8_t *out, size_t cap, uint64_t now_ms);

/* Releases the association when it saw no APDU for the inactivity timeout
 * (event DLMS_SERVER_EVENT_TIMEOUT). Returns 1 when it did, 0 otherwise. */
int dlms_server_tick(dlms_server_t *s, uint64_t now_ms);

/* The transport is gone: forget the association (DLMS_SERVER_EVENT_CLOSED
 * when one was established) and every session secret. */
void dlms_server_transport_closed(dlms_server_t *s);

/* Reserve the next block of invocation counters of sec ahead of need: when
 * fewer than half a reservation step remain, persist tx_ic + step through
 * cfg->reserve_ic now. Call it when the transport is idle (after replies
 * went out), so the durable write is off the request path; the server still
 * reserves in line when a burst outruns it. Returns 0, or
 * DLMS_SERVER_ERR_IC_RESERVE / _IC_EXHAUSTED / _BADARG. */
int dlms_server_ic_top_up(const dlms_server_config_t *cfg, dlms_security_context_t *sec);

/* DLMS_ASSOC_NON_ASSOCIATED / _PENDING / _ASSOCIATED. */
uint8_t dlms_server_status(const dlms_server_t *s);

/* The current association as the object layer sees it (status
 * non-associated when idle). */
const dlms_assoc_view_t *dlms_server_view(const dlms_server_t *s);

/* Builds a data-notification (push) APDU: 0F, long-invoke-id, optional
 * date-time, then body (one A-XDR Data). With sec NULL or sc 0 it is plain;
 * otherwise it is protected as general-glo-ciphering with sc (0x10, 0x20,
 * 0x30), sec's keys and system title and the next tx_ic, reserved through
 * s's config first (data-notification has no glo- service tag). s provides
 * the scratch buffer and the config; it may be idle. Returns the length or
 * DLMS_SERVER_ERR_BADARG / _BUFFER / _IC_RESERVE / _IC_EXHAUSTED, an
 * apdu or security error. */
int dlms_server_data_notification(dlms_server_t *s, dlms_security_context_t *sec, uint8_t sc,
                                  uint32_t long_invoke_id, const cosem_datetime_t *dt,
                                  dlms_slice_t body, uint8_t *out, size_t cap);

#endif /* EMETER_DLMS_SERVER_H */
