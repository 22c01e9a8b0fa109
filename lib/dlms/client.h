/*
 * client.h - the client (head-end) side of the DLMS/COSEM application layer
 * (IEC 62056-5-3 / DLMS UA Green Book: ACSE association establishment and
 * release, HLS-5 GMAC authentication, xDLMS GET/SET/ACTION with service-
 * specific block transfer, security suite 0 ciphering of every xDLMS APDU).
 *
 * Pure and I/O-free, like the server: the caller owns the transport. Every
 * request function writes one APDU (glo-ciphered when the association is
 * ciphered) into a caller buffer; the caller sends it, receives the answer
 * and hands it to dlms_client_handle(), which either finishes the operation
 * (returns 0 with the result, or a negative error) or writes the next request
 * the exchange needs and returns its length:
 *
 *     n = dlms_client_get(c, &attr, NULL, out, sizeof out);
 *     while (n > 0) {
 *         send(out, n); len = receive(in);
 *         n = dlms_client_handle(c, in, len, out, sizeof out, &res);
 *     }
 *     n == 0: res.data holds the attribute value (one A-XDR Data)
 *
 * Follow-up requests produced by dlms_client_handle():
 *   - AARE that asks for HLS-5 (diagnostic authentication-required) -> pass 3:
 *     ACTION 0.0.40.0.0.255 class 15 method 1 (reply_to_HLS_authentication)
 *     carrying f(StoC); the answer must carry f(CtoS), verified against our
 *     CtoS and the server system title (a server that cannot prove it knows
 *     the keys is refused with DLMS_CLIENT_ERR_HLS_VERIFY);
 *   - get-response-with-datablock -> get-request-next (same invoke id);
 *   - set-response-datablock -> set-request-with-datablock (next block);
 *   - action-response-next-pblock -> action-request-with-pblock;
 *   - action-response-with-pblock -> action-request-next-pblock.
 * HDLC RR polling and segmentation are the transport's job, not this one's.
 *
 * Long replies: blocks of a GET are either appended to a reassembly buffer
 * (dlms_client_set_rx_buffer) or handed one by one to a callback
 * (dlms_client_set_rx_stream), so a 1440-row profile can be printed while it
 * arrives without ever being held whole. With-list GETs and ACTION return
 * data in blocks need the buffer. Long requests: a SET value or ACTION
 * parameter that does not fit the server's max receive PDU goes out as
 * set-request-with-first-datablock / action-request-with-first-pblock,
 * cut to that PDU (the value stays in the caller's memory until the
 * operation ends). General block transfer is not proposed in the
 * conformance block, so servers answer with service-specific blocks.
 *
 * Checks on every response: the APDU is the one the pending operation
 * expects (DLMS_CLIENT_ERR_UNEXPECTED), its invoke-id-and-priority echoes
 * the request's (DLMS_CLIENT_ERR_INVOKE_ID), block numbers follow on
 * (DLMS_CLIENT_ERR_BLOCK), and on a ciphered association it is ciphered,
 * authenticated under the server's system title and carries an invocation
 * counter above the last one accepted (DLMS_SEC_ERR_REPLAY otherwise). Only
 * exception-response and confirmedServiceError are accepted in clear on a
 * ciphered association: a server that could not decipher a request cannot
 * protect its answer, and such an answer only ends the operation with an
 * error, never delivers data.
 *
 * Invoke ids count 1, 2, ..., 15, 0, 1, ... (settings.first_invoke_id), one
 * per service request; the follow-up requests of a block transfer reuse the
 * id of the request they continue.
 *
 * Lifetime of results: res->data and res->list[] slices point into the
 * response passed in (plain association), into the context's decipher
 * buffer (ciphered association) or into the reassembly buffer. They stay
 * valid until the next call on the context or until `in` changes.
 *
 * No heap, no globals, no I/O: two buffers of EM_DLMS_CLIENT_MAX_PDU bytes
 * live in the context (the plaintext of the request being built and of the
 * response being read). Do not copy an initialised context that has a
 * request pending (the reassembly pointers are the caller's).
 */
#ifndef EMETER_DLMS_CLIENT_H
#define EMETER_DLMS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlms/acse.h"
#include "dlms/apdu.h"
#include "dlms/datetime.h"
#include "dlms/security.h"
#include "dlms/xdlms.h"
#include "emeter_config.h"

#if EM_DLMS_CLIENT_MAX_PDU < 64 || EM_DLMS_CLIENT_MAX_PDU > 65535
#error "EM_DLMS_CLIENT_MAX_PDU must be 64..65535 (a 16-bit max receive PDU size)"
#endif

/* ---- errors (-0x0B00..-0x0BFF) ------------------------------------------ */

#define DLMS_CLIENT_ERR_BADARG        (-0x0B01) /* NULL pointer or impossible setting */
#define DLMS_CLIENT_ERR_STATE         (-0x0B02) /* not allowed in this association state */
#define DLMS_CLIENT_ERR_BUSY          (-0x0B03) /* another operation is still pending */
#define DLMS_CLIENT_ERR_NO_REQUEST    (-0x0B04) /* a response came while nothing was pending */
#define DLMS_CLIENT_ERR_UNEXPECTED    (-0x0B05) /* response of another service or type */
#define DLMS_CLIENT_ERR_INVOKE_ID     (-0x0B06) /* invoke id does not echo the request's */
#define DLMS_CLIENT_ERR_NOT_CIPHERED  (-0x0B07) /* plain response on a ciphered association */
#define DLMS_CLIENT_ERR_REJECTED      (-0x0B08) /* AARE refused the association */
#define DLMS_CLIENT_ERR_HLS_FAILED    (-0x0B09) /* server refused HLS pass 3 or broke the flow */
#define DLMS_CLIENT_ERR_HLS_VERIFY    (-0x0B0A) /* f(CtoS) does not verify: server not authentic */
#define DLMS_CLIENT_ERR_DATA_ACCESS   (-0x0B0B) /* data-access-result / action-result not success */
#define DLMS_CLIENT_ERR_EXCEPTION     (-0x0B0C) /* the server answered exception-response */
#define DLMS_CLIENT_ERR_SERVICE_ERROR (-0x0B0D) /* the server answered confirmedServiceError */
#define DLMS_CLIENT_ERR_BLOCK         (-0x0B0E) /* block number out of sequence */
#define DLMS_CLIENT_ERR_NO_BUFFER     (-0x0B0F) /* blocks arrive but no buffer/stream is set */
#define DLMS_CLIENT_ERR_TOO_LONG      (-0x0B10) /* reply longer than the reassembly buffer */
#define DLMS_CLIENT_ERR_PDU_SIZE      (-0x0B11) /* request longer than the server accepts */
#define DLMS_CLIENT_ERR_BUFFER        (-0x0B12) /* output buffer too small */
#define DLMS_CLIENT_ERR_IC_EXHAUSTED  (-0x0B13) /* transmit invocation counter used up */
#define DLMS_CLIENT_ERR_CONFORMANCE   (-0x0B14) /* needs a service the server did not agree to */
#define DLMS_CLIENT_ERR_STREAM        (-0x0B15) /* the stream callback stopped the transfer */
#define DLMS_CLIENT_ERR_MALFORMED     (-0x0B16) /* reassembled reply is not well-formed */
#define DLMS_CLIENT_ERR_LIST          (-0x0B17) /* with-list reply count differs from the request */
#define DLMS_CLIENT_ERR_SETTINGS      (-0x0B18) /* settings inconsistent (no title, no password) */

/* Short English reason for a DLMS_CLIENT_ERR_* code; codes of the modules the
 * client passes through (A-XDR, APDU, xDLMS, ACSE, security) are explained
 * too, so a host program needs only this one function. */
const char *dlms_client_strerror(int err);

/* ---- well-known objects --------------------------------------------------- */

/* The current association (Association LN, class 15) and its methods. */
#define DLMS_CLIENT_CLASS_ASSOCIATION_LN 15u
#define DLMS_CLIENT_METHOD_REPLY_TO_HLS  1 /* reply_to_HLS_authentication */

/* What the client proposes unless told otherwise: the Green Book example
 * 007E1F (priority-mgmt, attribute0-get, block transfer with get, set and
 * action, multiple-references, get, set, selective-access,
 * event-notification, action). General block transfer is left out on
 * purpose (see above). */
#define DLMS_CLIENT_DEFAULT_CONFORMANCE 0x007E1Fu

/* ---- settings ------------------------------------------------------------ */

typedef struct dlms_client_settings {
    uint8_t mechanism; /* DLMS_MECH_NONE, DLMS_MECH_LLS or DLMS_MECH_GMAC */
    /* Context "LN with ciphering": the InitiateRequest and every xDLMS APDU are
     * glo-ciphered with keys.guek/keys.ak under system_title. */
    bool ciphered;
    uint8_t password[EM_ACSE_MAX_PASSWORD]; /* LLS secret */
    uint8_t password_len;
    dlms_sec_keys_t keys;                            /* GUEK, AK (KEK unused here) */
    uint8_t system_title[DLMS_SEC_SYSTEM_TITLE_LEN]; /* client system title */
    uint32_t tx_ic;                                  /* first invocation counter to send with */
    uint8_t sc;               /* security control of ciphered requests (0x30) */
    uint32_t conformance;     /* proposed conformance block */
    uint16_t max_receive_pdu; /* proposed client-max-receive-pdu-size */
    uint8_t invoke_flags;     /* priority / service-class bits of every request (0xC0) */
    uint8_t first_invoke_id;  /* invoke id of the first request, 0..15 (1) */
} dlms_client_settings_t;

/* Defaults: no authentication, not ciphered, tx_ic 1, SC 0x30, the default
 * conformance, max receive PDU EM_DLMS_CLIENT_MAX_PDU, invoke flags
 * high priority + confirmed, first invoke id 1. */
void dlms_client_settings_init(dlms_client_settings_t *s);

/* ---- context -------------------------------------------------------------- */

typedef enum dlms_client_state {
    DLMS_CLIENT_IDLE = 0,        /* no association */
    DLMS_CLIENT_AARQ_SENT = 1,   /* waiting for the AARE */
    DLMS_CLIENT_HLS_PENDING = 2, /* AARE accepted, HLS pass 3 sent, waiting for pass 4 */
    DLMS_CLIENT_ASSOCIATED = 3,
    DLMS_CLIENT_RELEASING = 4, /* RLRQ sent */
} dlms_client_state_t;

/* The operation a response belongs to. */
typedef enum dlms_client_op {
    DLMS_CLIENT_OP_NONE = 0,
    DLMS_CLIENT_OP_ASSOCIATE = 1, /* AARQ .. AARE (.. HLS pass 4) */
    DLMS_CLIENT_OP_GET = 2,
    DLMS_CLIENT_OP_GET_LIST = 3,
    DLMS_CLIENT_OP_SET = 4,
    DLMS_CLIENT_OP_ACTION = 5,
    DLMS_CLIENT_OP_RELEASE = 6,
} dlms_client_op_t;

/* Receives each piece of a streamed GET reply in order: the whole Data of a
 * normal response, or each block's raw data (last true on the final piece).
 * A non-zero return stops the transfer (DLMS_CLIENT_ERR_STREAM). */
typedef int (*dlms_client_stream_cb_t)(void *user, const uint8_t *p, size_t len, bool last);

typedef struct dlms_client {
    dlms_client_settings_t s;

    /* association */
    dlms_client_state_t state;
    uint8_t server_title[DLMS_SEC_SYSTEM_TITLE_LEN]; /* responding-AP-title */
    bool has_server_title;
    uint32_t conformance;                       /* negotiated */
    uint16_t server_max_pdu;                    /* server-max-receive-pdu-size (0 read as 65535) */
    dlms_sec_rx_ic_t rx_ic[DLMS_SEC_KEY_COUNT]; /* last counters accepted from the server */
    uint32_t tx_ic;                             /* next counter to send with */
    uint8_t ctos[EM_SEC_MAX_CHALLENGE];         /* our HLS challenge */
    uint8_t ctos_len;

    /* the pending operation */
    dlms_client_op_t op;
    uint8_t next_id;    /* invoke id of the next new request */
    uint8_t iid;        /* invoke-id-and-priority of the pending request */
    uint8_t list_count; /* GET with-list: entries asked for */
    uint32_t rx_block;  /* last block number received (0 before the first) */
    size_t rx_len;      /* bytes reassembled */
    /* SET / ACTION request sent in blocks (value in the caller's memory) */
    const uint8_t *tx_data;
    size_t tx_len;
    size_t tx_sent;
    uint32_t tx_block; /* last block number sent (0: not in block mode) */
    bool tx_blocks;    /* the request went out in blocks */

    /* where long replies go */
    uint8_t *rx_buf;
    size_t rx_cap;
    dlms_client_stream_cb_t stream;
    void *stream_user;

    uint8_t tx_plain[EM_DLMS_CLIENT_MAX_PDU]; /* request before ciphering */
    uint8_t rx_plain[EM_DLMS_CLIENT_MAX_PDU]; /* response after deciphering */
} dlms_client_t;

/* Checks the settings (LLS needs a password; HLS-5 and ciphering need a
 * system title; SC must be usable; max PDU 12..EM_DLMS_CLIENT_MAX_PDU, 0 =
 * the maximum) and starts idle. Returns 0 or DLMS_CLIENT_ERR_SETTINGS /
 * _BADARG. */
int dlms_client_init(dlms_client_t *c, const dlms_client_settings_t *s);

/* The transport was lost: back to idle, nothing pending. The transmit
 * counter is kept (never reuse one). */
void dlms_client_reset(dlms_client_t *c);

/* Forget the pending operation (e.g. after a response timeout); the
 * association state stays. An association or release in progress falls
 * back to idle. */
void dlms_client_abort(dlms_client_t *c);

/* Where the blocks of long replies go (buf NULL: none). The stream, when
 * set, takes the single-attribute GETs; the buffer takes everything else. */
void dlms_client_set_rx_buffer(dlms_client_t *c, uint8_t *buf, size_t cap);
void dlms_client_set_rx_stream(dlms_client_t *c, dlms_client_stream_cb_t cb, void *user);

/* ---- results ---------------------------------------------------------------- */

typedef struct dlms_client_result {
    dlms_client_op_t op; /* the operation this answer ended (or advanced) */
    /* GET value, ACTION return data: one Data, validated (p NULL when absent
     * or when streamed). */
    dlms_slice_t data;
    /* DLMS_CLIENT_ERR_DATA_ACCESS: the data-access-result (GET, SET) or
     * action-result (ACTION). */
    uint8_t dar;
    /* GET with-list: one result per attribute asked for. */
    uint8_t count;
    dlms_get_data_result_t list[EM_DLMS_MAX_LIST];
    /* Association: AARE result and diagnostic (DLMS_CLIENT_ERR_REJECTED). */
    uint8_t assoc_result;
    uint8_t diag_source;
    uint8_t diagnostic;
    /* confirmedServiceError (in the AARE or as a response): e.g. an
     * InitiateError with error.service DLMS_CSE_INITIATE_ERROR. */
    bool has_service_error;
    dlms_confirmed_service_error_t service_error;
    bool has_exception;
    dlms_exception_response_t exception;
    uint32_t blocks; /* datablocks received for this reply */
} dlms_client_result_t;

/* The Green Book name that says why an operation failed, from err and res:
 * the AARE diagnostic or InitiateError of a rejection, the data-access-result
 * or action-result, the exception-response service-error; otherwise
 * dlms_client_strerror(err). A static string (lib/ has no printf): a host
 * program prints "<strerror>: <reason>". */
const char *dlms_client_reason(int err, const dlms_client_result_t *res);

/* ---- association -------------------------------------------------------------- */

/* AARQ: LN context (with ciphering when settings.ciphered), the mechanism,
 * the password (LLS) or our challenge CtoS (HLS-5, 8..EM_SEC_MAX_CHALLENGE
 * bytes from dlms_sec_hls_challenge(); ignored otherwise), and the
 * (glo-)InitiateRequest. Returns the APDU length or a negative error. */
int dlms_client_aarq(dlms_client_t *c, const uint8_t *ctos, size_t ctos_len, uint8_t *out,
                     size_t cap);

/* RLRQ, reason normal (with the ciphered InitiateRequest as user-information
 * on a ciphered association, so the release is authenticated). */
int dlms_client_release(dlms_client_t *c, uint8_t *out, size_t cap);

/* ---- services ---------------------------------------------------------------- */

/* get-request-normal of one attribute, with an optional selective access
 * (sel NULL or !sel->present: none; parameters one well-formed Data). */
int dlms_client_get(dlms_client_t *c, const dlms_cosem_descriptor_t *attr,
                    const dlms_access_selection_t *sel, uint8_t *out, size_t cap);

/* GET of a profile buffer with a range_descriptor: restricting object
 * (NULL: the clock 0.0.1.0.0.255 attribute 2, class 8), from and to as
 * date-time octet strings, and the columns (capture objects) wanted (none:
 * all). */
int dlms_client_get_range(dlms_client_t *c, const dlms_cosem_descriptor_t *attr,
                          const dlms_capture_object_t *restricting, const cosem_datetime_t *from,
                          const cosem_datetime_t *to, const dlms_capture_object_t *columns,
                          uint32_t ncolumns, uint8_t *out, size_t cap);

/* GET of a profile buffer with an entry_descriptor. */
int dlms_client_get_entry(dlms_client_t *c, const dlms_cosem_descriptor_t *attr,
                          const dlms_entry_descriptor_t *ed, uint8_t *out, size_t cap);

/* get-request-with-list of 1..EM_DLMS_MAX_LIST attributes. */
int dlms_client_get_list(dlms_client_t *c, const dlms_attr_selection_t *items, uint8_t count,
                         uint8_t *out, size_t cap);

/* set-request-normal, or with-first-datablock when value (one Data) does not
 * fit the server's max receive PDU. value must stay valid until the
 * operation ends. */
int dlms_client_set(dlms_client_t *c, const dlms_cosem_descriptor_t *attr,
                    const dlms_access_selection_t *sel, const uint8_t *value, size_t value_len,
                    uint8_t *out, size_t cap);

/* action-request-normal (params NULL: no method-invocation-parameters), or
 * with-first-pblock when the parameters do not fit. params must stay valid
 * until the operation ends. */
int dlms_client_action(dlms_client_t *c, const dlms_cosem_descriptor_t *method,
                       const uint8_t *params, size_t params_len, uint8_t *out, size_t cap);

/* ---- responses ------------------------------------------------------------------ */

/* Hands the server's answer to the pending operation. Returns
 *   > 0  length of the next request written to out: send it, then hand the
 *        answer to this function again;
 *   0    the operation finished successfully, res filled;
 *   < 0  it failed (res says why: dar, diagnostic, exception...). The
 *        operation is over; a failed association or release leaves the
 *        context idle, a failed service leaves the association as it was.
 * in is one complete APDU from the transport. */
int dlms_client_handle(dlms_client_t *c, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                       dlms_client_result_t *res);

/* ---- state ---------------------------------------------------------------------- */

dlms_client_state_t dlms_client_state(const dlms_client_t *c);
bool dlms_client_is_associated(const dlms_client_t *c);
/* Next transmit invocation counter: store it before the program ends, so
 * the next run never reuses one. */
uint32_t dlms_client_tx_ic(const dlms_client_t *c);
uint32_t dlms_client_conformance(const dlms_client_t *c);
/* Server's max receive PDU as negotiated (0 read as 65535). */
uint16_t dlms_client_server_max_pdu(const dlms_client_t *c);
/* The server system title from the AARE, NULL when it sent none. */
const uint8_t *dlms_client_server_title(const dlms_client_t *c);

#endif /* EMETER_DLMS_CLIENT_H */
