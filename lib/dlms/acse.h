/*
 * acse.h - Association Control (ACSE) APDUs of DLMS/COSEM: AARQ, AARE, RLRQ
 * and RLRE (ISO/IEC 8650-1 / ITU-T X.227 as profiled by IEC 62056-5-3 and
 * the DLMS UA Green Book "COSEM application layer", BER encoding).
 *
 *   AARQ  60 len { [80] protocol-version, A1 application-context-name,
 *                  A6 calling-AP-title (04 08 system title),
 *                  A9 calling-AE-invocation-id (02 INTEGER),
 *                  8A sender-acse-requirements, 8B mechanism-name,
 *                  AC calling-authentication-value (80 charstring),
 *                  BD implementation-information, BE user-information }
 *   AARE  61 len { [80], A1, A2 result (02 01 r), A3 result-source-diagnostic
 *                  (A1 acse-service-user | A2 acse-service-provider, 02 01 d),
 *                  A4 responding-AP-title, 88 responder-acse-requirements,
 *                  89 mechanism-name, AA responding-authentication-value,
 *                  BE user-information }
 *   RLRQ  62 len { [80 reason], [BE user-information] }
 *   RLRE  63 len { [80 reason], [BE user-information] }
 *
 * The OIDs are 2.16.756.5.8.1.x (application context, BER body
 * 60 85 74 05 08 01 x) and 2.16.756.5.8.2.x (mechanism, 60 85 74 05 08 02 x).
 * The user-information is BE len 04 len <xDLMS APDU>: the InitiateRequest /
 * InitiateResponse, their glo- ciphered forms (21 / 28) or a
 * confirmedServiceError (0E), see xdlms.h.
 *
 * Decoding (hostile input): BER lengths in short form or 81 xx / 82 xx xx;
 * the indefinite form and longer forms are refused, as is any length
 * beyond the input and any byte after the APDU. Components may come in any
 * order (the AARE is a SET); a known component twice is refused. Unknown
 * context-specific components (A2..A5, A7, A8, AD, BD, high tag numbers
 * of an AARQ, ...) are skipped when well-formed; anything that is not
 * context-specific is refused. Decoded structs hold the system title and the
 * authentication value in fixed arrays and point into the input only for
 * the user-information; on failure they are zeroed. Nothing here recurses.
 *
 * Encoding writes the components in the ASN.1 order with minimal lengths,
 * which reproduces the Green Book examples byte for byte.
 *
 * On top of the codecs, helpers tie ACSE to xDLMS and security: the server's
 * view of an AARQ's user-information (plain or glo-InitiateRequest), the
 * client's AARQ / RLRQ builders (no security, LLS, HLS-5 with a ciphered
 * InitiateRequest) and the client's reading of AARE / RLRE user-information.
 */
#ifndef EMETER_DLMS_ACSE_H
#define EMETER_DLMS_ACSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlms/security.h"
#include "dlms/xdlms.h"
#include "emeter_config.h"

/* ---- error codes (-0x0600..-0x06FF) -------------------------------------- */

#define DLMS_ACSE_ERR_BADARG       (-0x0601) /* NULL pointer or impossible field value */
#define DLMS_ACSE_ERR_TRUNCATED    (-0x0602) /* input ends inside a tag, length or content */
#define DLMS_ACSE_ERR_LENGTH       (-0x0603) /* indefinite or over-long BER length form */
#define DLMS_ACSE_ERR_APDU_TAG     (-0x0604) /* not the expected AARQ/AARE/RLRQ/RLRE tag */
#define DLMS_ACSE_ERR_TAG          (-0x0605) /* component not context-specific, or wrong form */
#define DLMS_ACSE_ERR_CONTEXT_NAME (-0x0606) /* application-context-name not 2.16.756.5.8.1.1-4 */
#define DLMS_ACSE_ERR_MECHANISM    (-0x0607) /* mechanism-name not 2.16.756.5.8.2.0-7 */
#define DLMS_ACSE_ERR_MISSING      (-0x0608) /* a mandatory component is absent */
#define DLMS_ACSE_ERR_DUPLICATE    (-0x0609) /* a component appears twice */
#define DLMS_ACSE_ERR_VALUE        (-0x060A) /* malformed content of a known component */
#define DLMS_ACSE_ERR_SYSTEM_TITLE (-0x060B) /* AP title is not an 8-byte octet string */
#define DLMS_ACSE_ERR_AUTH_VALUE   (-0x060C) /* auth value not a [0] charstring, or too long */
#define DLMS_ACSE_ERR_USER_INFO    (-0x060D) /* user-information malformed, empty or not expected */
#define DLMS_ACSE_ERR_TRAILING     (-0x060E) /* bytes after the APDU */
#define DLMS_ACSE_ERR_BUFFER       (-0x060F) /* output buffer too small */
#define DLMS_ACSE_ERR_CIPHERING    (-0x0610) /* ciphering does not match the context / no keys */
#define DLMS_ACSE_ERR_REJECTED     (-0x0611) /* the AARE refuses the association */

/* ---- APDU tags ----------------------------------------------------------- */

#define DLMS_ACSE_TAG_AARQ 0x60u
#define DLMS_ACSE_TAG_AARE 0x61u
#define DLMS_ACSE_TAG_RLRQ 0x62u
#define DLMS_ACSE_TAG_RLRE 0x63u

/* ---- names (Green Book / GXC enums.h) ------------------------------------ */

/* Application context names 2.16.756.5.8.1.x. */
#define DLMS_CONTEXT_LN      1u /* logical name referencing, no ciphering */
#define DLMS_CONTEXT_SN      2u
#define DLMS_CONTEXT_LN_CIPH 3u /* logical name referencing with ciphering */
#define DLMS_CONTEXT_SN_CIPH 4u

/* Authentication mechanism names 2.16.756.5.8.2.x. */
#define DLMS_MECH_NONE   0u /* lowest level security */
#define DLMS_MECH_LLS    1u /* low level security: password */
#define DLMS_MECH_HLS    2u /* high level security, manufacturer specific */
#define DLMS_MECH_MD5    3u
#define DLMS_MECH_SHA1   4u
#define DLMS_MECH_GMAC   5u /* HLS-5, security suite 0 */
#define DLMS_MECH_SHA256 6u
#define DLMS_MECH_ECDSA  7u

/* Associate-result. */
#define DLMS_ACSE_RESULT_ACCEPTED           0u
#define DLMS_ACSE_RESULT_REJECTED_PERMANENT 1u
#define DLMS_ACSE_RESULT_REJECTED_TRANSIENT 2u

/* Associate-source-diagnostic choice. */
#define DLMS_ACSE_SOURCE_USER     1u /* acse-service-user */
#define DLMS_ACSE_SOURCE_PROVIDER 2u /* acse-service-provider */

/* acse-service-user diagnostics. */
#define DLMS_ACSE_DIAG_NULL                                         0u
#define DLMS_ACSE_DIAG_NO_REASON_GIVEN                              1u
#define DLMS_ACSE_DIAG_APPLICATION_CONTEXT_NAME_NOT_SUPPORTED       2u
#define DLMS_ACSE_DIAG_CALLING_AP_TITLE_NOT_RECOGNIZED              3u
#define DLMS_ACSE_DIAG_CALLING_AP_INVOCATION_ID_NOT_RECOGNIZED      4u
#define DLMS_ACSE_DIAG_CALLING_AE_QUALIFIER_NOT_RECOGNIZED          5u
#define DLMS_ACSE_DIAG_CALLING_AE_INVOCATION_ID_NOT_RECOGNIZED      6u
#define DLMS_ACSE_DIAG_CALLED_AP_TITLE_NOT_RECOGNIZED               7u
#define DLMS_ACSE_DIAG_CALLED_AP_INVOCATION_ID_NOT_RECOGNIZED       8u
#define DLMS_ACSE_DIAG_CALLED_AE_QUALIFIER_NOT_RECOGNIZED           9u
#define DLMS_ACSE_DIAG_CALLED_AE_INVOCATION_ID_NOT_RECOGNIZED       10u
#define DLMS_ACSE_DIAG_AUTHENTICATION_MECHANISM_NAME_NOT_RECOGNISED 11u
#define DLMS_ACSE_DIAG_AUTHENTICATION_MECHANISM_NAME_REQUIRED       12u
#define DLMS_ACSE_DIAG_AUTHENTICATION_FAILURE                       13u
#define DLMS_ACSE_DIAG_AUTHENTICATION_REQUIRED                      14u

/* acse-service-provider diagnostics. */
#define DLMS_ACSE_DIAG_PROVIDER_NULL                   0u
#define DLMS_ACSE_DIAG_PROVIDER_NO_REASON_GIVEN        1u
#define DLMS_ACSE_DIAG_PROVIDER_NO_COMMON_ACSE_VERSION 2u

/* Release-request-reason and release-response-reason. */
#define DLMS_RLRQ_REASON_NORMAL       0u
#define DLMS_RLRQ_REASON_URGENT       1u
#define DLMS_RLRQ_REASON_USER_DEFINED 30u
#define DLMS_RLRE_REASON_NORMAL       0u
#define DLMS_RLRE_REASON_NOT_FINISHED 1u
#define DLMS_RLRE_REASON_USER_DEFINED 30u

/* Short names for logs and the client tool; "unknown" when out of range. */
const char *dlms_context_name(unsigned context);     /* "LN", "LN-ciphered", ... */
const char *dlms_mechanism_name(unsigned mechanism); /* "none", "low", "high-gmac", ... */
const char *dlms_acse_result_name(unsigned result);  /* "accepted", ... */
/* Diagnostic name for a source (DLMS_ACSE_SOURCE_*) and value. */
const char *dlms_acse_diagnostic_name(unsigned source, unsigned diagnostic);

/* ---- sizes ---------------------------------------------------------------- */

#define DLMS_ACSE_SYSTEM_TITLE_LEN DLMS_SEC_SYSTEM_TITLE_LEN
/* The authentication value array holds a password or a challenge. */
#define DLMS_ACSE_MAX_AUTH_VALUE                                                                   \
    (EM_SEC_MAX_CHALLENGE > EM_ACSE_MAX_PASSWORD ? EM_SEC_MAX_CHALLENGE : EM_ACSE_MAX_PASSWORD)
/* Longest user-information accepted by the encoders (82 xx xx lengths). */
#define DLMS_ACSE_MAX_USER_INFO 0xFF00u

/* ---- AARQ ------------------------------------------------------------------ */

typedef struct dlms_aarq {
    bool has_protocol_version;
    bool protocol_version1; /* the version1 bit; the only version defined */
    uint8_t context;        /* application-context-name, DLMS_CONTEXT_* */
    bool has_calling_ap_title;
    uint8_t calling_ap_title[DLMS_ACSE_SYSTEM_TITLE_LEN]; /* client system title */
    bool has_calling_ae_invocation_id;
    uint32_t calling_ae_invocation_id; /* user id (Association LN user_list) */
    bool has_acse_requirements;
    bool authentication; /* sender-acse-requirements: authentication unit */
    bool has_mechanism;
    uint8_t mechanism; /* DLMS_MECH_* */
    bool has_auth_value;
    size_t auth_value_len; /* <= EM_ACSE_MAX_PASSWORD (LLS) or EM_SEC_MAX_CHALLENGE */
    uint8_t auth_value[DLMS_ACSE_MAX_AUTH_VALUE]; /* password or CtoS */
    const uint8_t *user_info; /* contents of the OCTET STRING; NULL when absent */
    size_t user_info_len;
} dlms_aarq_t;

/* Encodes an AARQ. Components are written when their has_ flag is set
 * (user-information when user_info is not NULL). Returns the length, or
 * DLMS_ACSE_ERR_BUFFER (out zeroed) / _BADARG (context not 1..4, mechanism
 * above 7, auth value too long, empty or over-long user-information). */
int dlms_aarq_encode(const dlms_aarq_t *aarq, uint8_t *out, size_t cap);

/* Decodes exactly one AARQ in in[0..len). Returns 0 or a DLMS_ACSE_ERR_*
 * (aarq zeroed). The application-context-name is mandatory. The
 * authentication value is bounded by EM_ACSE_MAX_PASSWORD for LLS and by
 * EM_SEC_MAX_CHALLENGE otherwise (_AUTH_VALUE). */
int dlms_aarq_decode(const uint8_t *in, size_t len, dlms_aarq_t *aarq);

/* ---- AARE ------------------------------------------------------------------ */

typedef struct dlms_aare {
    bool has_protocol_version;
    bool protocol_version1;
    uint8_t context;           /* echo of the application-context-name */
    uint8_t result;            /* DLMS_ACSE_RESULT_* */
    uint8_t diagnostic_source; /* DLMS_ACSE_SOURCE_USER or _PROVIDER */
    uint8_t diagnostic;        /* DLMS_ACSE_DIAG_* (or _DIAG_PROVIDER_*) */
    bool has_responding_ap_title;
    uint8_t responding_ap_title[DLMS_ACSE_SYSTEM_TITLE_LEN]; /* server system title */
    bool has_acse_requirements;
    bool authentication; /* responder-acse-requirements */
    bool has_mechanism;
    uint8_t mechanism;
    bool has_auth_value;
    size_t auth_value_len;                        /* <= EM_SEC_MAX_CHALLENGE */
    uint8_t auth_value[DLMS_ACSE_MAX_AUTH_VALUE]; /* StoC */
    const uint8_t *user_info;
    size_t user_info_len;
} dlms_aare_t;

/* Encodes an AARE (A1, A2, A3 always). Returns the length or
 * DLMS_ACSE_ERR_BUFFER / _BADARG. */
int dlms_aare_encode(const dlms_aare_t *aare, uint8_t *out, size_t cap);

/* Decodes exactly one AARE. A1, A2 and A3 are mandatory; the result must
 * be 0..2 and the diagnostic source 1 or 2. Returns 0 or DLMS_ACSE_ERR_*. */
int dlms_aare_decode(const uint8_t *in, size_t len, dlms_aare_t *aare);

/* ---- RLRQ / RLRE ------------------------------------------------------------ */

typedef struct dlms_release {
    bool has_reason;
    uint8_t reason;           /* DLMS_RLRQ_REASON_* or DLMS_RLRE_REASON_* */
    const uint8_t *user_info; /* NULL when absent */
    size_t user_info_len;
} dlms_release_t;

int dlms_rlrq_encode(const dlms_release_t *rl, uint8_t *out, size_t cap);
int dlms_rlre_encode(const dlms_release_t *rl, uint8_t *out, size_t cap);
int dlms_rlrq_decode(const uint8_t *in, size_t len, dlms_release_t *rl);
int dlms_rlre_decode(const uint8_t *in, size_t len, dlms_release_t *rl);

/* ---- server side ------------------------------------------------------------ */

/* What a server found in an AARQ's user-information. */
typedef struct dlms_acse_initiate {
    dlms_initiate_request_t request;
    bool ciphered;       /* it came as a ciphered APDU */
    dlms_sec_info_t sec; /* how it was ciphered (valid when ciphered) */
} dlms_acse_initiate_t;

/* Reads the InitiateRequest out of aarq->user_info. A ciphered context
 * (LN/SN with ciphering) needs a ciphered InitiateRequest (glo- or
 * general-glo-ciphering), decrypted with rx->keys under the AARQ's
 * calling-AP-title (rx->peer_title is ignored); a plain context needs a
 * plain one, which must not carry a dedicated key (a key sent in clear is
 * never used). The replay state in rx is checked, not updated: after the
 * association is accepted the caller stores out->sec.ic as
 * rx->ic[out->sec.key].last.
 * Returns 0, DLMS_ACSE_ERR_USER_INFO (absent, not an InitiateRequest),
 * DLMS_ACSE_ERR_CIPHERING (ciphering does not match the context, no keys,
 * no calling-AP-title), a DLMS_SEC_ERR_* (e.g. _AUTH: wrong key) or a
 * DLMS_APDU_ERR_XDLMS_* from the InitiateRequest decoder. out is zeroed on
 * failure. */
int dlms_acse_aarq_initiate(const dlms_aarq_t *aarq, const dlms_sec_rx_t *rx,
                            dlms_acse_initiate_t *out);

/* The acse-service-user diagnostic a server sends in the AARE after an AARQ
 * was refused with err (a dlms_aarq_decode() or dlms_acse_aarq_initiate()
 * code): application-context-name-not-supported, calling-AP-title-not-
 * recognized, authentication-mechanism-name-not-recognised,
 * authentication-failure, or no-reason-given. */
uint8_t dlms_acse_diagnostic_for_error(int err);

/* ---- client side ------------------------------------------------------------ */

/* What the client proposes. */
typedef struct dlms_acse_client {
    uint8_t mechanism;         /* DLMS_MECH_NONE, _LLS, _GMAC, ... */
    const uint8_t *auth_value; /* LLS password or HLS challenge CtoS */
    size_t auth_value_len;
    const uint8_t *system_title; /* calling-AP-title; NULL: tx->system_title if tx */
    const dlms_initiate_request_t *initiate;
    /* Not NULL: context LN with ciphering, the InitiateRequest goes out as
     * glo-initiateRequest protected with tx (the caller advances tx->ic). */
    const dlms_sec_tx_t *tx;
} dlms_acse_client_t;

/* Builds the AARQ. Mechanism none: no 8A/8B/AC. Other mechanisms: 8A
 * (authentication), 8B and AC with the value. HLS-GMAC needs a system
 * title (the server's GMAC check of pass 3 uses it). Returns the length or
 * DLMS_ACSE_ERR_BADARG / _BUFFER, a DLMS_SEC_ERR_ or a DLMS_APDU_ERR_XDLMS_ code. */
int dlms_acse_client_aarq(const dlms_acse_client_t *c, uint8_t *out, size_t cap);

/* Builds an RLRQ with reason normal. initiate NULL: no user-information;
 * otherwise the InitiateRequest (ciphered with tx when tx is not NULL), as
 * ciphered associations release with it. */
int dlms_acse_client_rlrq(const dlms_initiate_request_t *initiate, const dlms_sec_tx_t *tx,
                          uint8_t *out, size_t cap);

/* What a client found in the user-information of an AARE or RLRE. */
typedef struct dlms_acse_answer {
    bool has_response; /* an InitiateResponse was found */
    dlms_initiate_response_t response;
    bool has_error; /* a confirmedServiceError was found */
    dlms_confirmed_service_error_t error;
    bool ciphered;
    dlms_sec_info_t sec; /* valid when ciphered */
} dlms_acse_answer_t;

/* Reads the user-information of an AARE or RLRE: InitiateResponse,
 * glo-/general-glo-ciphered InitiateResponse (decrypted with rx->keys
 * under peer_title, the responding-AP-title; rx->peer_title is ignored;
 * replay state checked, not updated) or confirmedServiceError. ui NULL
 * gives 0 with nothing found (AAREs without user-information exist).
 * Returns 0 or DLMS_ACSE_ERR_USER_INFO / _CIPHERING, DLMS_SEC_ERR_*,
 * DLMS_APDU_ERR_XDLMS_*; out is zeroed on failure. */
int dlms_acse_read_answer(const uint8_t *ui, size_t ui_len, const dlms_sec_rx_t *rx,
                          const uint8_t *peer_title, dlms_acse_answer_t *out);

/* Client's view of an AARE: decodes it and reads its user-information
 * (rx may be NULL for plain associations). Returns 0 when the association
 * is accepted (check aare->diagnostic == DLMS_ACSE_DIAG_AUTHENTICATION_
 * REQUIRED for HLS pass 3/4), DLMS_ACSE_ERR_REJECTED when refused (aare and
 * answer are filled: diagnostic, initiate error), or a decode error. */
int dlms_acse_client_aare(const uint8_t *in, size_t len, const dlms_sec_rx_t *rx, dlms_aare_t *aare,
                          dlms_acse_answer_t *answer);

/* Short English reason for a DLMS_ACSE_ERR_* code; codes of the xDLMS and
 * security modules, which the helpers pass through, are explained too. */
const char *dlms_acse_strerror(int err);

#endif /* EMETER_DLMS_ACSE_H */
