/*
 * cosem_services.h - the contract between the DLMS server (application
 * layer, lib/dlms/server) and the COSEM application process that owns the
 * objects (lib/cosem).
 *
 * In Green Book terms these are the .indication side of the xDLMS GET, SET
 * and ACTION services: the server decodes APDUs, runs the association and
 * the security, handles blocks, and calls these functions once per
 * attribute or method; the object layer checks the access rights of the
 * calling association and reads or writes the object.
 *
 * lib/dlms knows nothing of meters: it sees objects only through this
 * interface. lib/cosem implements it over a const object table.
 *
 * Return convention of get/set/action:
 *   0            success
 *   1..255       a Data-Access-Result (get/set) or Action-Result (action)
 *                the server puts on the wire (DLMS_DAR_* / DLMS_ACTION_*)
 *   negative     an internal error; the server answers other-reason (250)
 *                and may log it
 */
#ifndef EMETER_DLMS_COSEM_SERVICES_H
#define EMETER_DLMS_COSEM_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlms/apdu.h"
#include "dlms/axdr.h"
#include "emeter_config.h"

/* Association status, as Association LN (class 15) attribute 8 shows it. */
#define DLMS_ASSOC_NON_ASSOCIATED 0u
#define DLMS_ASSOC_PENDING        1u /* HLS pass 2 done, waiting for pass 3 */
#define DLMS_ASSOC_ASSOCIATED     2u

/* What the object layer may know about the association making a request.
 * The server fills it; the object layer reads it (access rights, the
 * Association LN attributes of the current association, object_list). */
typedef struct dlms_assoc_view {
    uint16_t client_sap;      /* e.g. 16 public, 1 management */
    uint16_t server_sap;      /* logical device, 1 = management */
    uint8_t assoc_index;      /* which configured association (0..n-1) */
    uint8_t status;           /* DLMS_ASSOC_* */
    uint8_t app_context;      /* DLMS application context id: 1 LN, 3 LN with ciphering */
    uint8_t mechanism;        /* authentication mechanism id: 0 none, 1 LLS, 5 HLS-GMAC */
    bool ciphered;            /* this request arrived protected (glo/ded/general) */
    uint32_t conformance;     /* negotiated conformance block (24-bit mask) */
    uint16_t client_max_pdu;  /* client-max-receive-pdu-size (65535 for 0) */
    uint16_t server_max_pdu;  /* what the server announced */
    uint8_t dlms_version;     /* 6 */
    uint8_t client_system_title[8];
    bool has_client_system_title;
} dlms_assoc_view_t;

/* One attribute read in progress. The server calls get() again for each
 * block of a long reply, with the same descriptor and selection and with
 * `block_cookie` preserved between calls, so the object can snapshot what
 * it serves at the first call (cookie all zero) and stay consistent while
 * a profile captures new rows. `first_call` is true on the first call. */
typedef struct dlms_get_call {
    const dlms_assoc_view_t *assoc;
    const dlms_cosem_descriptor_t *attr;
    const dlms_access_selection_t *selection; /* present == false: plain read */
    bool first_call;
    uint8_t block_cookie[EM_DLMS_GET_COOKIE];
} dlms_get_call_t;

typedef struct dlms_cosem_services {
    void *user; /* the object layer's context (e.g. a cosem_server_t) */

    /* Encode attribute `call->attr` (one A-XDR Data) into e. Must be
     * deterministic for a given cookie: the server may re-run it with a
     * window encoder (axdr_enc_init_window) to cut a long value into
     * blocks, and a seekable object (profile rows) may use
     * dlms_apdu_window_start()/dlms_apdu_skip() to jump to the window. */
    int (*get)(void *user, dlms_get_call_t *call, axdr_enc_t *e);

    /* Write attribute `attr` from the A-XDR Data in `value` (a complete
     * element, already reassembled from blocks). */
    int (*set)(void *user, const dlms_assoc_view_t *assoc, const dlms_cosem_descriptor_t *attr,
               const dlms_access_selection_t *selection, axdr_dec_t *value);

    /* Invoke method `method`. params is NULL when the request carried no
     * parameters. When the method returns data, it encodes one Data into
     * `ret` and sets *has_return. */
    int (*action)(void *user, const dlms_assoc_view_t *assoc, const dlms_cosem_descriptor_t *method,
                  axdr_dec_t *params, axdr_enc_t *ret, bool *has_return);
} dlms_cosem_services_t;

#endif /* EMETER_DLMS_COSEM_SERVICES_H */
