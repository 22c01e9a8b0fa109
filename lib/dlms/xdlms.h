/*
 * xdlms.h - xDLMS InitiateRequest / InitiateResponse, the conformance block
 * and confirmedServiceError (IEC 62056-5-3 / DLMS UA Green Book, "xDLMS
 * services": A-XDR encoding of the COSEMpdu types carried in the
 * user-information of the AARQ / AARE / RLRQ / RLRE).
 *
 *   InitiateRequest  01 | dedicated-key   00 | 01 len key   (OPTIONAL)
 *                       | response-allowed 00 | 01 bool     (DEFAULT TRUE)
 *                       | proposed-quality-of-service 00 | 01 int8 (OPTIONAL)
 *                       | proposed-dlms-version-number  uint8 (6)
 *                       | proposed-conformance  5F 1F 04 00 b1 b2 b3
 *                       | client-max-receive-pdu-size  uint16
 *   InitiateResponse 08 | negotiated-quality-of-service 00 | 01 int8
 *                       | negotiated-dlms-version-number uint8
 *                       | negotiated-conformance  5F 1F 04 00 b1 b2 b3
 *                       | server-max-receive-pdu-size  uint16
 *                       | vaa-name  int16 (0x0007 for LN referencing)
 *   confirmedServiceError  0E | ConfirmedServiceError choice (1 initiateError)
 *                             | ServiceError choice (6 initiate) | enum value
 *
 * The conformance block is the BER bit string [APPLICATION 31] of 24 bits;
 * Green Book bit 0 is the most significant bit of b1, so a bit's mask is
 * 0x800000 >> bit and the value kept in memory is the 24-bit word b1b2b3.
 *
 * Decoders work on a bounded slice, never read past it, refuse trailing
 * bytes and zero their output on failure. No heap, no state.
 *
 * Server negotiation (dlms_xdlms_negotiate): the conformance answered is the
 * intersection of the proposal and what the server supports, a proposed DLMS
 * version below 6 is refused with InitiateError dlms-version-too-low, an
 * empty intersection with incompatible-conformance, a client max receive PDU
 * size below the configured minimum with pdu-size-too-short (0 means "no
 * limit", i.e. 65535; 1..11 are reserved and always refused). The server
 * then sends APDUs of at most min(client max receive, server max).
 */
#ifndef EMETER_DLMS_XDLMS_H
#define EMETER_DLMS_XDLMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlms/security.h"
#include "emeter_config.h"

/* ---- error codes (-0x0580..-0x05FF; -0x0500..-0x057F is GET/SET/ACTION) -- */

#define DLMS_APDU_ERR_XDLMS_BADARG      (-0x0581) /* NULL pointer or impossible argument */
#define DLMS_APDU_ERR_XDLMS_TRUNCATED   (-0x0582) /* input ends inside the APDU */
#define DLMS_APDU_ERR_XDLMS_TAG         (-0x0583) /* first byte is not the expected APDU tag */
#define DLMS_APDU_ERR_XDLMS_FLAG        (-0x0584) /* OPTIONAL/DEFAULT flag is neither 00 nor 01 */
#define DLMS_APDU_ERR_XDLMS_KEY         (-0x0585) /* dedicated key is not 16 bytes */
#define DLMS_APDU_ERR_XDLMS_CONFORMANCE (-0x0586) /* conformance is not 5F 1F 04 00 xx xx xx */
#define DLMS_APDU_ERR_XDLMS_TRAILING    (-0x0587) /* bytes after the end of the APDU */
#define DLMS_APDU_ERR_XDLMS_BUFFER      (-0x0588) /* output buffer too small */
#define DLMS_APDU_ERR_XDLMS_REFUSED     (-0x0589) /* negotiation refused: see initiate_error */

/* ---- APDU tags ----------------------------------------------------------- */

#define DLMS_XDLMS_TAG_INITIATE_REQUEST        0x01u
#define DLMS_XDLMS_TAG_INITIATE_RESPONSE       0x08u
#define DLMS_XDLMS_TAG_CONFIRMED_SERVICE_ERROR 0x0Eu
#define DLMS_XDLMS_TAG_GLO_INITIATE_REQUEST    0x21u
#define DLMS_XDLMS_TAG_GLO_INITIATE_RESPONSE   0x28u

/* The only DLMS version this stack speaks (Green Book: 6). */
#define DLMS_XDLMS_VERSION 6u

/* vaa-name of the InitiateResponse: the "current association" object. */
#define DLMS_XDLMS_VAA_NAME_LN 0x0007u
#define DLMS_XDLMS_VAA_NAME_SN 0xFA00u

/* 0 in client-max-receive-pdu-size: the client has no limit. */
#define DLMS_XDLMS_PDU_UNLIMITED 0xFFFFu
/* Values 1..11 of a max receive PDU size are reserved (Green Book). */
#define DLMS_XDLMS_PDU_RESERVED_BELOW 12u

/* Longest encodings: tag, key flag + length + 16-byte key, two flags with
 * values, version, 7-byte conformance, 2-byte size (response: + vaa-name). */
#define DLMS_XDLMS_INITIATE_REQUEST_MAX        (1 + 2 + 16 + 2 + 2 + 1 + 7 + 2)
#define DLMS_XDLMS_INITIATE_RESPONSE_MAX       (1 + 2 + 1 + 7 + 2 + 2)
#define DLMS_XDLMS_CONFIRMED_SERVICE_ERROR_LEN 4

/* ---- conformance block (Green Book bit n = mask 0x800000 >> n) ---------- */

#define DLMS_CONF_RESERVED_ZERO                    0x800000u /* bit 0 */
#define DLMS_CONF_GENERAL_PROTECTION               0x400000u /* bit 1 */
#define DLMS_CONF_GENERAL_BLOCK_TRANSFER           0x200000u /* bit 2 */
#define DLMS_CONF_READ                             0x100000u /* bit 3, SN */
#define DLMS_CONF_WRITE                            0x080000u /* bit 4, SN */
#define DLMS_CONF_UNCONFIRMED_WRITE                0x040000u /* bit 5, SN */
#define DLMS_CONF_DELTA_VALUE_ENCODING             0x020000u /* bit 6 */
#define DLMS_CONF_RESERVED_SEVEN                   0x010000u /* bit 7 */
#define DLMS_CONF_ATTRIBUTE0_SUPPORTED_WITH_SET    0x008000u /* bit 8 */
#define DLMS_CONF_PRIORITY_MGMT_SUPPORTED          0x004000u /* bit 9 */
#define DLMS_CONF_ATTRIBUTE0_SUPPORTED_WITH_GET    0x002000u /* bit 10 */
#define DLMS_CONF_BLOCK_TRANSFER_WITH_GET_OR_READ  0x001000u /* bit 11 */
#define DLMS_CONF_BLOCK_TRANSFER_WITH_SET_OR_WRITE 0x000800u /* bit 12 */
#define DLMS_CONF_BLOCK_TRANSFER_WITH_ACTION       0x000400u /* bit 13 */
#define DLMS_CONF_MULTIPLE_REFERENCES              0x000200u /* bit 14 */
#define DLMS_CONF_INFORMATION_REPORT               0x000100u /* bit 15, SN */
#define DLMS_CONF_DATA_NOTIFICATION                0x000080u /* bit 16 */
#define DLMS_CONF_ACCESS                           0x000040u /* bit 17 */
#define DLMS_CONF_PARAMETERIZED_ACCESS             0x000020u /* bit 18, SN */
#define DLMS_CONF_GET                              0x000010u /* bit 19 */
#define DLMS_CONF_SET                              0x000008u /* bit 20 */
#define DLMS_CONF_SELECTIVE_ACCESS                 0x000004u /* bit 21 */
#define DLMS_CONF_EVENT_NOTIFICATION               0x000002u /* bit 22 */
#define DLMS_CONF_ACTION                           0x000001u /* bit 23 */

#define DLMS_CONF_BITS 24u
#define DLMS_CONF_MASK 0xFFFFFFu
/* Bits no server may agree to. */
#define DLMS_CONF_RESERVED (DLMS_CONF_RESERVED_ZERO | DLMS_CONF_RESERVED_SEVEN)

/* Mask of Green Book conformance bit 0..23, 0 for any other bit. */
uint32_t dlms_conformance_bit_mask(unsigned bit);

/* Green Book name of conformance bit 0..23 ("get",
 * "block-transfer-with-get-or-read", ...), NULL for any other bit. */
const char *dlms_conformance_bit_name(unsigned bit);

/* Writes the names of the bits set in conf, in bit order, separated by
 * ", " and NUL-terminated, into out (for the client tool: no printf).
 * Returns the string length, or DLMS_APDU_ERR_XDLMS_BUFFER / _BADARG with
 * out[0] = 0 when cap allows. Bits above 23 are ignored. */
int dlms_conformance_describe(uint32_t conf, char *out, size_t cap);

/* ---- InitiateError and confirmedServiceError ----------------------------- */

/* InitiateError (ServiceError choice initiate). */
#define DLMS_INITIATE_ERROR_OTHER                    0u
#define DLMS_INITIATE_ERROR_DLMS_VERSION_TOO_LOW     1u
#define DLMS_INITIATE_ERROR_INCOMPATIBLE_CONFORMANCE 2u
#define DLMS_INITIATE_ERROR_PDU_SIZE_TOO_SHORT       3u
#define DLMS_INITIATE_ERROR_REFUSED_BY_VDE_HANDLER   4u

/* ConfirmedServiceError choices (the service that failed). */
#define DLMS_CSE_INITIATE_ERROR 1u
#define DLMS_CSE_READ           5u
#define DLMS_CSE_WRITE          6u

/* ServiceError choices (the kind of error). */
#define DLMS_SERVICE_ERROR_APPLICATION_REFERENCE 0u
#define DLMS_SERVICE_ERROR_HARDWARE_RESOURCE     1u
#define DLMS_SERVICE_ERROR_VDE_STATE_ERROR       2u
#define DLMS_SERVICE_ERROR_SERVICE               3u
#define DLMS_SERVICE_ERROR_DEFINITION            4u
#define DLMS_SERVICE_ERROR_ACCESS                5u
#define DLMS_SERVICE_ERROR_INITIATE              6u
#define DLMS_SERVICE_ERROR_LOAD_DATA_SET         7u

/* Green Book name of an InitiateError value, "unknown" otherwise. */
const char *dlms_initiate_error_name(unsigned value);

/* confirmedServiceError: 0E service error-choice value. */
typedef struct dlms_confirmed_service_error {
    uint8_t service;      /* DLMS_CSE_* */
    uint8_t error_choice; /* DLMS_SERVICE_ERROR_* */
    uint8_t value;        /* enum of that choice, e.g. DLMS_INITIATE_ERROR_* */
} dlms_confirmed_service_error_t;

/* Writes the 4-byte confirmedServiceError. Returns 4 or _BUFFER/_BADARG. */
int dlms_confirmed_service_error_encode(const dlms_confirmed_service_error_t *e, uint8_t *out,
                                        size_t cap);

/* Writes 0E 01 06 value: the answer to an InitiateRequest that was refused. */
int dlms_initiate_error_encode(uint8_t initiate_error, uint8_t *out, size_t cap);

/* Parses exactly one confirmedServiceError in in[0..len). Returns 0 or
 * _TRUNCATED / _TAG / _TRAILING / _BADARG (output zeroed). */
int dlms_confirmed_service_error_decode(const uint8_t *in, size_t len,
                                        dlms_confirmed_service_error_t *e);

/* ---- InitiateRequest / InitiateResponse ---------------------------------- */

typedef struct dlms_initiate_request {
    bool has_dedicated_key;
    uint8_t dedicated_key[DLMS_SEC_KEY_LEN];
    bool response_allowed; /* DEFAULT TRUE; FALSE means unconfirmed services only */
    bool has_quality_of_service;
    int8_t quality_of_service;
    uint8_t dlms_version;                 /* proposed-dlms-version-number */
    uint32_t conformance;                 /* proposed-conformance, 24-bit word */
    uint16_t client_max_receive_pdu_size; /* 0: no limit */
} dlms_initiate_request_t;

typedef struct dlms_initiate_response {
    bool has_quality_of_service;
    int8_t quality_of_service;
    uint8_t dlms_version;                 /* negotiated-dlms-version-number */
    uint32_t conformance;                 /* negotiated-conformance */
    uint16_t server_max_receive_pdu_size; /* largest APDU the client may send */
    uint16_t vaa_name;                    /* DLMS_XDLMS_VAA_NAME_LN */
} dlms_initiate_response_t;

/* A proposal with the Green Book defaults: version 6, response allowed, no
 * key, no quality of service, the given conformance and max PDU size. */
void dlms_initiate_request_init(dlms_initiate_request_t *req, uint32_t conformance,
                                uint16_t client_max_receive_pdu_size);

/* Encoders: return the length written (the default response-allowed TRUE
 * is written as 00) or _BUFFER / _BADARG (conformance above 24 bits). On
 * failure out[0..cap) is zeroed. */
int dlms_initiate_request_encode(const dlms_initiate_request_t *req, uint8_t *out, size_t cap);
int dlms_initiate_response_encode(const dlms_initiate_response_t *resp, uint8_t *out, size_t cap);

/* Decoders of exactly one APDU in in[0..len) (hostile input). Return 0 or
 * _TRUNCATED / _TAG / _FLAG / _KEY / _CONFORMANCE / _TRAILING / _BADARG;
 * on failure the output is zeroed. */
int dlms_initiate_request_decode(const uint8_t *in, size_t len, dlms_initiate_request_t *req);
int dlms_initiate_response_decode(const uint8_t *in, size_t len, dlms_initiate_response_t *resp);

/* ---- server negotiation --------------------------------------------------- */

typedef struct dlms_xdlms_server_cfg {
    uint32_t conformance;    /* what this server (association) supports */
    uint16_t max_pdu_size;   /* server-max-receive-pdu-size; also caps our sends */
    uint16_t min_client_pdu; /* smallest client max receive accepted; 0: EM_XDLMS_MIN_PDU_SIZE */
} dlms_xdlms_server_cfg_t;

typedef struct dlms_xdlms_negotiated {
    uint8_t initiate_error;            /* 0 when accepted, else DLMS_INITIATE_ERROR_* */
    dlms_initiate_response_t response; /* the InitiateResponse to send when accepted */
    uint16_t max_send_pdu;             /* longest APDU the server may send */
    uint16_t client_max_receive_pdu;   /* as proposed, 0 already mapped to 65535 */
} dlms_xdlms_negotiated_t;

/* Computes the server's answer to req. Checks, in this order (the order
 * GXC's server uses): DLMS version, PDU size, conformance intersection.
 * Returns 0 when accepted, DLMS_APDU_ERR_XDLMS_REFUSED when refused
 * (out->initiate_error says why), or _BADARG (NULL, or cfg->max_pdu_size
 * below 12). */
int dlms_xdlms_negotiate(const dlms_initiate_request_t *req, const dlms_xdlms_server_cfg_t *cfg,
                         dlms_xdlms_negotiated_t *out);

/* Writes the user-information of the AARE for a negotiation: the
 * InitiateResponse (protected as glo-initiateResponse with tx when tx is
 * not NULL; the caller then advances tx->ic) or, when refused, the plain
 * confirmedServiceError 0E 01 06 xx.
 * Returns the length or _BUFFER / _BADARG / a DLMS_SEC_ERR_* code. */
int dlms_xdlms_answer(const dlms_xdlms_negotiated_t *neg, const dlms_sec_tx_t *tx, uint8_t *out,
                      size_t cap);

/* Short English reason for a DLMS_APDU_ERR_XDLMS_* code. */
const char *dlms_xdlms_strerror(int err);

#endif /* EMETER_DLMS_XDLMS_H */
