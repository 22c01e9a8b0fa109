/*
 * apdu.h - xDLMS service APDUs of logical-name referencing: GET, SET,
 * ACTION, exception-response, data-notification and general-block-transfer
 * (IEC 62056-5-3 / DLMS UA Green Book, "xDLMS APDUs" and the A-XDR
 * encoding of the COSEMpdu; tags and codes in dlms-facts §4.4).
 *
 * A-XDR of the ASN.1: a CHOICE is one byte (its [n] tag), OPTIONAL is a
 * 00 / 01 presence byte, BOOLEAN one byte (00 false, anything else true; 01
 * is written), Unsigned8/16/32 big-endian, ENUMERATED one byte, SEQUENCE OF
 * and OCTET STRING an A-XDR length (axdr_put_length) then the items.
 *
 *   Cosem-Attribute-Descriptor  class-id u16 | instance-id 6 bytes | attribute-id i8
 *   Selective-Access-Descriptor access-selector u8 | access-parameters Data
 *   get-request        C0 | 01 iid desc [00 | 01 sel Data]            normal
 *                          | 02 iid block-number u32                   next
 *                          | 03 iid n {desc [00|01 sel Data]}*n       with-list
 *   get-response       C4 | 01 iid Get-Data-Result                     normal
 *                          | 02 iid DataBlock-G                        with-datablock
 *                          | 03 iid n Get-Data-Result*n                with-list
 *     Get-Data-Result  00 Data | 01 data-access-result
 *     DataBlock-G      last-block bool | block-number u32 | 00 raw-data | 01 dar
 *     DataBlock-SA     last-block bool | block-number u32 | raw-data octet string
 *   set-request        C1 | 01 iid desc sel? Data                     normal
 *                          | 02 iid desc sel? DataBlock-SA            with-first-datablock
 *                          | 03 iid DataBlock-SA                      with-datablock
 *                          | 04 iid n {desc sel?}*n n Data*n          with-list
 *                          | 05 iid n {desc sel?}*n DataBlock-SA      with-list-and-first-datablock
 *   set-response       C5 | 01 iid dar | 02 iid u32 | 03 iid dar u32
 *                          | 04 iid n dar*n u32 | 05 iid n dar*n
 *   action-request     C3 | 01 iid mdesc [00 | 01 Data]               normal
 *                          | 02 iid u32                               next-pblock
 *                          | 03 iid n mdesc*n n Data*n                with-list
 *                          | 04 iid mdesc DataBlock-SA                with-first-pblock
 *                          | 05 iid n mdesc*n DataBlock-SA            with-list-and-first-pblock
 *                          | 06 iid DataBlock-SA                      with-pblock
 *   action-response    C7 | 01 iid Action-Response-With-Optional-Data normal
 *                          | 02 iid DataBlock-SA                      with-pblock
 *                          | 03 iid n Action-Response-With-Optional-Data*n  with-list
 *                          | 04 iid u32                               next-pblock
 *     Action-Response-With-Optional-Data  action-result | 00 | 01 Get-Data-Result
 *   exception-response D8 | state-error | service-error [u32 for 6]
 *   data-notification  0F | long-invoke-id u32 | date-time (00 | 0C + 12) | Data
 *   general-block-transfer E0 | block-control | u16 block-number | u16 ack | octet string
 *
 * What a datablock carries: the A-XDR encoding of the part that did not
 * fit, cut in pieces: the attribute value (Data) of a normal GET/SET, the
 * SEQUENCE OF Get-Data-Result / SEQUENCE OF Data of the with-list forms, the
 * method-invocation-parameters (Data, or SEQUENCE OF Data for a list) of an
 * ACTION request, and the Action-Response-With-Optional-Data (or its SEQUENCE
 * OF) of an ACTION response. Blocks are numbered from 1.
 *
 * Decoders take exactly one APDU in in[0..len) (hostile input), refuse
 * trailing bytes, never read past the slice, zero their output first and
 * leave it zeroed on failure. Data fields are checked with axdr_validate()
 * and handed out zero-copy as slices into the input, so the upper layer may
 * trust their boundaries. Encoders return the length written or a negative
 * DLMS_APDU_ERR_*; they write into a caller buffer (no heap, no state).
 *
 * Long replies are never built whole: see "streaming" below.
 */
#ifndef EMETER_DLMS_APDU_H
#define EMETER_DLMS_APDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlms/axdr.h"
#include "dlms/datetime.h"
#include "emeter_config.h"

/* ---- errors (-0x0500..-0x057F; xdlms.h uses -0x0580..-0x05FF) ----------- */

#define DLMS_APDU_ERR_BADARG        (-0x0501) /* NULL pointer or impossible argument */
#define DLMS_APDU_ERR_TRUNCATED     (-0x0502) /* input ends inside the APDU */
#define DLMS_APDU_ERR_TAG           (-0x0503) /* first byte is not the expected APDU tag */
#define DLMS_APDU_ERR_TYPE          (-0x0504) /* unknown request/response type (CHOICE) */
#define DLMS_APDU_ERR_TRAILING      (-0x0505) /* bytes after the end of the APDU */
#define DLMS_APDU_ERR_BUFFER        (-0x0506) /* output buffer too small */
#define DLMS_APDU_ERR_FLAG          (-0x0507) /* OPTIONAL flag or 2-way CHOICE neither 00 nor 01 */
#define DLMS_APDU_ERR_DATA          (-0x0508) /* a Data field is not well-formed A-XDR */
#define DLMS_APDU_ERR_LENGTH        (-0x0509) /* malformed A-XDR length or octet string */
#define DLMS_APDU_ERR_LIST_TOO_LONG (-0x050A) /* more than EM_DLMS_MAX_LIST list entries */
#define DLMS_APDU_ERR_LIST_EMPTY    (-0x050B) /* a with-list form with no entry */
#define DLMS_APDU_ERR_LIST_MISMATCH (-0x050C) /* descriptor and value lists differ in length */
#define DLMS_APDU_ERR_PDU_SIZE      (-0x050D) /* max PDU leaves no room for a block */
#define DLMS_APDU_ERR_PRODUCER      (-0x050E) /* producer failed or was not deterministic */
#define DLMS_APDU_ERR_STATE         (-0x050F) /* call out of order (no stream, already done) */
#define DLMS_APDU_ERR_BLOCK_NUMBER  (-0x0510) /* block number is not the expected one */
#define DLMS_APDU_ERR_TOO_LONG      (-0x0511) /* reassembly buffer full / too many blocks */
#define DLMS_APDU_ERR_DATE_TIME     (-0x0512) /* date-time octet string neither 0 nor 12 bytes */
#define DLMS_APDU_ERR_SKIP          (-0x0513) /* dlms_apdu_skip() would cover window bytes */
#define DLMS_APDU_ERR_ABORTED       (-0x0514) /* peer's block carries a data-access-result */

/* Short English reason for a DLMS_APDU_ERR_* (and DLMS_APDU_ERR_XDLMS_*). */
const char *dlms_apdu_strerror(int err);

/* ---- APDU tags (dlms-facts §4.4) ---------------------------------------- */

#define DLMS_APDU_DATA_NOTIFICATION      0x0Fu
#define DLMS_APDU_READ_REQUEST           0x05u /* SN, refused by this LN stack */
#define DLMS_APDU_WRITE_REQUEST          0x06u /* SN, refused by this LN stack */
#define DLMS_APDU_GET_REQUEST            0xC0u
#define DLMS_APDU_SET_REQUEST            0xC1u
#define DLMS_APDU_EVENT_NOTIFICATION     0xC2u
#define DLMS_APDU_ACTION_REQUEST         0xC3u
#define DLMS_APDU_GET_RESPONSE           0xC4u
#define DLMS_APDU_SET_RESPONSE           0xC5u
#define DLMS_APDU_ACTION_RESPONSE        0xC7u
#define DLMS_APDU_EXCEPTION_RESPONSE     0xD8u
#define DLMS_APDU_GENERAL_BLOCK_TRANSFER 0xE0u

/* get-request / get-response types */
#define DLMS_GET_REQUEST_NORMAL          1u
#define DLMS_GET_REQUEST_NEXT            2u
#define DLMS_GET_REQUEST_WITH_LIST       3u
#define DLMS_GET_RESPONSE_NORMAL         1u
#define DLMS_GET_RESPONSE_WITH_DATABLOCK 2u
#define DLMS_GET_RESPONSE_WITH_LIST      3u

/* set-request / set-response types */
#define DLMS_SET_REQUEST_NORMAL                        1u
#define DLMS_SET_REQUEST_WITH_FIRST_DATABLOCK          2u
#define DLMS_SET_REQUEST_WITH_DATABLOCK                3u
#define DLMS_SET_REQUEST_WITH_LIST                     4u
#define DLMS_SET_REQUEST_WITH_LIST_AND_FIRST_DATABLOCK 5u
#define DLMS_SET_RESPONSE_NORMAL                       1u
#define DLMS_SET_RESPONSE_DATABLOCK                    2u
#define DLMS_SET_RESPONSE_LAST_DATABLOCK               3u
#define DLMS_SET_RESPONSE_LAST_DATABLOCK_WITH_LIST     4u
#define DLMS_SET_RESPONSE_WITH_LIST                    5u

/* action-request / action-response types */
#define DLMS_ACTION_REQUEST_NORMAL                     1u
#define DLMS_ACTION_REQUEST_NEXT_PBLOCK                2u
#define DLMS_ACTION_REQUEST_WITH_LIST                  3u
#define DLMS_ACTION_REQUEST_WITH_FIRST_PBLOCK          4u
#define DLMS_ACTION_REQUEST_WITH_LIST_AND_FIRST_PBLOCK 5u
#define DLMS_ACTION_REQUEST_WITH_PBLOCK                6u
#define DLMS_ACTION_RESPONSE_NORMAL                    1u
#define DLMS_ACTION_RESPONSE_WITH_PBLOCK               2u
#define DLMS_ACTION_RESPONSE_WITH_LIST                 3u
#define DLMS_ACTION_RESPONSE_NEXT_PBLOCK               4u

/* ---- result codes ------------------------------------------------------- */

/* Data-Access-Result (Green Book names). */
#define DLMS_DAR_SUCCESS                   0u
#define DLMS_DAR_HARDWARE_FAULT            1u
#define DLMS_DAR_TEMPORARY_FAILURE         2u
#define DLMS_DAR_READ_WRITE_DENIED         3u
#define DLMS_DAR_OBJECT_UNDEFINED          4u
#define DLMS_DAR_OBJECT_CLASS_INCONSISTENT 9u
#define DLMS_DAR_OBJECT_UNAVAILABLE        11u
#define DLMS_DAR_TYPE_UNMATCHED            12u
#define DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED  13u
#define DLMS_DAR_DATA_BLOCK_UNAVAILABLE    14u
#define DLMS_DAR_LONG_GET_ABORTED          15u
#define DLMS_DAR_NO_LONG_GET_IN_PROGRESS   16u
#define DLMS_DAR_LONG_SET_ABORTED          17u
#define DLMS_DAR_NO_LONG_SET_IN_PROGRESS   18u
#define DLMS_DAR_DATA_BLOCK_NUMBER_INVALID 19u
#define DLMS_DAR_OTHER_REASON              250u

/* Action-Result: the same values up to 14, then the long-action codes. */
#define DLMS_ACTION_SUCCESS                    0u
#define DLMS_ACTION_HARDWARE_FAULT             1u
#define DLMS_ACTION_TEMPORARY_FAILURE          2u
#define DLMS_ACTION_READ_WRITE_DENIED          3u
#define DLMS_ACTION_OBJECT_UNDEFINED           4u
#define DLMS_ACTION_OBJECT_CLASS_INCONSISTENT  9u
#define DLMS_ACTION_OBJECT_UNAVAILABLE         11u
#define DLMS_ACTION_TYPE_UNMATCHED             12u
#define DLMS_ACTION_SCOPE_OF_ACCESS_VIOLATED   13u
#define DLMS_ACTION_DATA_BLOCK_UNAVAILABLE     14u
#define DLMS_ACTION_LONG_ACTION_ABORTED        15u
#define DLMS_ACTION_NO_LONG_ACTION_IN_PROGRESS 16u
#define DLMS_ACTION_OTHER_REASON               250u

/* Green Book name ("read-write-denied", ...) or "unknown". */
const char *dlms_data_access_result_name(uint8_t dar);
const char *dlms_action_result_name(uint8_t result);

/* ---- invoke-id-and-priority ---------------------------------------------- */

/* Invoke-Id-And-Priority (Unsigned8): bit 7 priority high, bit 6 service
 * class confirmed, bits 0-3 invoke id. A server echoes the request's byte
 * unchanged in its response. */
#define DLMS_IID_PRIORITY_HIGH 0x80u
#define DLMS_IID_CONFIRMED     0x40u
#define DLMS_IID_ID_MASK       0x0Fu

/* Long-Invoke-Id-And-Priority (Unsigned32, data-notification): bits 0-23
 * invoke id, 28 self-descriptive, 29 processing-option (break on error),
 * 30 service class confirmed, 31 priority high. */
#define DLMS_LIID_PRIORITY_HIGH    0x80000000u
#define DLMS_LIID_CONFIRMED        0x40000000u
#define DLMS_LIID_BREAK_ON_ERROR   0x20000000u
#define DLMS_LIID_SELF_DESCRIPTIVE 0x10000000u
#define DLMS_LIID_ID_MASK          0x00FFFFFFu

uint8_t dlms_invoke_id_make(uint8_t id, bool confirmed, bool high_priority);
/* True when a response's byte answers the request's: same invoke id and
 * the same priority and service-class bits (what an echo must keep). */
bool dlms_invoke_id_matches(uint8_t request, uint8_t response);
uint32_t dlms_long_invoke_id_make(uint32_t id, bool confirmed, bool high_priority);

/* Invoke-id-and-priority of a GET/SET/ACTION request or response (byte 2),
 * read before the rest is decoded so that even a refused request can be
 * answered with its own invoke id. Returns 0 or _TRUNCATED / _TAG. */
int dlms_apdu_peek_invoke_id(const uint8_t *in, size_t len, uint8_t *iid);

/* ---- building blocks ----------------------------------------------------- */

/* A zero-copy piece of an input (p NULL and len 0 when absent). */
typedef struct dlms_slice {
    const uint8_t *p;
    size_t len;
} dlms_slice_t;

#define DLMS_OBIS_LEN 6

/* Cosem-Attribute-Descriptor / Cosem-Method-Descriptor. */
typedef struct dlms_cosem_descriptor {
    uint16_t class_id;
    uint8_t instance_id[DLMS_OBIS_LEN]; /* logical name (OBIS) */
    int8_t id;                          /* attribute_id or method_id */
} dlms_cosem_descriptor_t;

/* Selective-Access-Descriptor (OPTIONAL). */
typedef struct dlms_access_selection {
    bool present;
    uint8_t selector;        /* access-selector, e.g. DLMS_ACCESS_SELECTOR_RANGE */
    dlms_slice_t parameters; /* access-parameters: one Data, validated */
} dlms_access_selection_t;

/* Cosem-Attribute-Descriptor-With-Selection. */
typedef struct dlms_attr_selection {
    dlms_cosem_descriptor_t attr;
    dlms_access_selection_t access;
} dlms_attr_selection_t;

/* DataBlock-SA (SET, ACTION) and DataBlock-G (GET: is_result/result). */
typedef struct dlms_datablock {
    bool last_block;
    uint32_t block_number;
    bool is_result;        /* DataBlock-G only: the block carries a data-access-result */
    uint8_t result;        /* that data-access-result */
    dlms_slice_t raw_data; /* a piece of an A-XDR encoding, not validated on its own */
} dlms_datablock_t;

/* Get-Data-Result: data or data-access-result. */
typedef struct dlms_get_data_result {
    bool is_data;
    uint8_t dar;       /* when !is_data */
    dlms_slice_t data; /* when is_data: one Data, validated */
} dlms_get_data_result_t;

/* Writers of the pieces, for producers and other encoders. Each returns
 * e->err (sticky, see axdr.h). */
int dlms_apdu_put_descriptor(axdr_enc_t *e, const dlms_cosem_descriptor_t *d);
int dlms_apdu_put_access_selection(axdr_enc_t *e, const dlms_access_selection_t *a);
int dlms_apdu_put_datablock_sa(axdr_enc_t *e, const dlms_datablock_t *b);
int dlms_apdu_put_datablock_g(axdr_enc_t *e, const dlms_datablock_t *b);
int dlms_apdu_put_get_data_result(axdr_enc_t *e, const dlms_get_data_result_t *r);
/* A validated Data slice as it is; DLMS_APDU_ERR_DATA when it is not one
 * well-formed Data. */
int dlms_apdu_put_data(axdr_enc_t *e, dlms_slice_t data);
/* Get-Data-Result choice "data" (00): the caller then puts the Data. */
int dlms_apdu_put_result_data(axdr_enc_t *e);
/* Get-Data-Result choice "data-access-result" (01 dar). */
int dlms_apdu_put_result_dar(axdr_enc_t *e, uint8_t dar);
/* Action-Response-With-Optional-Data: result, then 00 (no return
 * parameters) or 01 00 (return parameters present, choice data): with
 * with_data the caller then puts the returned Data. */
int dlms_apdu_put_action_result(axdr_enc_t *e, uint8_t result, bool with_data);

/* Readers over a decoder cursor (axdr.h). A failure leaves *out zeroed;
 * the cursor position is then unspecified (decoders give up). */
int dlms_apdu_get_descriptor(axdr_dec_t *d, dlms_cosem_descriptor_t *out);
int dlms_apdu_get_access_selection(axdr_dec_t *d, dlms_access_selection_t *out);
int dlms_apdu_get_datablock_sa(axdr_dec_t *d, dlms_datablock_t *out);
int dlms_apdu_get_datablock_g(axdr_dec_t *d, dlms_datablock_t *out);
int dlms_apdu_get_get_data_result(axdr_dec_t *d, dlms_get_data_result_t *out);
int dlms_apdu_get_data(axdr_dec_t *d, dlms_slice_t *out);
/* A SEQUENCE OF count: 1..EM_DLMS_MAX_LIST, else _LIST_EMPTY/_LIST_TOO_LONG. */
int dlms_apdu_get_list_count(axdr_dec_t *d, uint8_t *count);

/* ======================================================================== */
/* GET                                                                       */
/* ======================================================================== */

typedef struct dlms_get_request {
    uint8_t type;          /* DLMS_GET_REQUEST_* */
    uint8_t invoke_id;     /* invoke-id-and-priority byte */
    uint32_t block_number; /* next: the block the client acknowledges */
    uint8_t count;         /* normal: 1; with-list: entries */
    dlms_attr_selection_t items[EM_DLMS_MAX_LIST];
} dlms_get_request_t;

typedef struct dlms_get_response {
    uint8_t type; /* DLMS_GET_RESPONSE_* */
    uint8_t invoke_id;
    uint8_t count; /* normal: 1; with-list: entries */
    dlms_get_data_result_t results[EM_DLMS_MAX_LIST];
    dlms_datablock_t block; /* with-datablock (DataBlock-G) */
} dlms_get_response_t;

int dlms_get_request_encode(const dlms_get_request_t *r, uint8_t *out, size_t cap);
int dlms_get_request_decode(const uint8_t *in, size_t len, dlms_get_request_t *r);
int dlms_get_response_encode(const dlms_get_response_t *r, uint8_t *out, size_t cap);
int dlms_get_response_decode(const uint8_t *in, size_t len, dlms_get_response_t *r);

/* ======================================================================== */
/* SET                                                                       */
/* ======================================================================== */

typedef struct dlms_set_request {
    uint8_t type; /* DLMS_SET_REQUEST_* */
    uint8_t invoke_id;
    uint8_t count; /* descriptors: normal and first-datablock 1, list forms n */
    dlms_attr_selection_t items[EM_DLMS_MAX_LIST];
    dlms_slice_t values[EM_DLMS_MAX_LIST]; /* normal: [0]; with-list: count values */
    dlms_datablock_t block;                /* the three datablock forms */
} dlms_set_request_t;

typedef struct dlms_set_response {
    uint8_t type; /* DLMS_SET_RESPONSE_* */
    uint8_t invoke_id;
    uint32_t block_number;             /* datablock, last-datablock, last-datablock-with-list */
    uint8_t count;                     /* results: normal/last-datablock 1, list forms n */
    uint8_t results[EM_DLMS_MAX_LIST]; /* data-access-results */
} dlms_set_response_t;

int dlms_set_request_encode(const dlms_set_request_t *r, uint8_t *out, size_t cap);
int dlms_set_request_decode(const uint8_t *in, size_t len, dlms_set_request_t *r);
int dlms_set_response_encode(const dlms_set_response_t *r, uint8_t *out, size_t cap);
int dlms_set_response_decode(const uint8_t *in, size_t len, dlms_set_response_t *r);

/* ======================================================================== */
/* ACTION                                                                    */
/* ======================================================================== */

typedef struct dlms_action_request {
    uint8_t type; /* DLMS_ACTION_REQUEST_* */
    uint8_t invoke_id;
    uint32_t block_number; /* next-pblock: the block the client acknowledges */
    uint8_t count;         /* method descriptors */
    dlms_cosem_descriptor_t methods[EM_DLMS_MAX_LIST];
    /* normal: params[0] (p NULL when the OPTIONAL parameters are absent);
     * with-list: one Data per method. */
    dlms_slice_t params[EM_DLMS_MAX_LIST];
    dlms_datablock_t block; /* with-first-pblock, with-list-and-first-pblock, with-pblock */
} dlms_action_request_t;

/* Action-Response-With-Optional-Data. */
typedef struct dlms_action_result_data {
    uint8_t result; /* DLMS_ACTION_* */
    bool has_return;
    dlms_get_data_result_t ret; /* return-parameters when has_return */
} dlms_action_result_data_t;

typedef struct dlms_action_response {
    uint8_t type; /* DLMS_ACTION_RESPONSE_* */
    uint8_t invoke_id;
    uint32_t block_number; /* next-pblock: the block the server acknowledges */
    uint8_t count;         /* normal 1, with-list n */
    dlms_action_result_data_t results[EM_DLMS_MAX_LIST];
    dlms_datablock_t block; /* with-pblock */
} dlms_action_response_t;

int dlms_action_request_encode(const dlms_action_request_t *r, uint8_t *out, size_t cap);
int dlms_action_request_decode(const uint8_t *in, size_t len, dlms_action_request_t *r);
int dlms_action_response_encode(const dlms_action_response_t *r, uint8_t *out, size_t cap);
int dlms_action_response_decode(const uint8_t *in, size_t len, dlms_action_response_t *r);

/* ======================================================================== */
/* Streaming of long replies                                                 */
/* ======================================================================== */
/*
 * The server never builds a long reply whole. The caller hands a producer
 * that (re-)emits the whole encoding with axdr puts, deterministically:
 * every call must produce the same bytes. The codec runs it
 *   1. once in measure mode, to learn the length and choose between a
 *      normal response (everything fits max_pdu) and block transfer;
 *   2. once per block in window mode (axdr_enc_init_window): block n holds
 *      bytes [offset, offset + chunk) of the encoding, written straight
 *      after the APDU header in the output buffer. chunk is the largest
 *      that keeps header + raw-data length + chunk within max_pdu.
 *
 * Cost: a plain producer re-runs its puts from the start up to the end of
 * the window for every block: O(n^2 / chunk) for an n-byte value. Two
 * things make it linear:
 *   - stop early: return as soon as a put returns non-zero (the window is
 *     full: AXDR_ERR_OVERFLOW means "more follows");
 *   - seek: a producer that knows its element sizes (profile rows of fixed
 *     layout) asks dlms_apdu_window_start() where the window begins,
 *     dlms_apdu_skip()s the whole elements before it and starts emitting at
 *     the first element that overlaps the window.
 * axdr.h does not expose the window offset nor a "skip n bytes" put, so
 * these two helpers read the encoder's offset/mode fields and skip by
 * putting filler bytes that land before the window (never in the output).
 * An axdr_enc_window_offset() and an O(1) axdr_put_skip() in axdr.c would
 * replace them.
 *
 * The producer returns 0, the encoder's error, or its own negative code
 * (e.g. a store read failure). max_pdu is the plaintext budget: the
 * negotiated max PDU size minus what ciphering and any envelope add.
 */
typedef int (*dlms_apdu_producer_t)(void *user, axdr_enc_t *e);

/* Stream position of the first byte the encoder keeps: the window offset
 * in window mode, 0 otherwise. */
size_t dlms_apdu_window_start(const axdr_enc_t *e);

/* Advance the stream by n bytes that all lie before the window (window
 * mode) or only count them (measure mode). DLMS_APDU_ERR_SKIP in write
 * mode or when the bytes would reach into the window. Returns e->err
 * otherwise. */
int dlms_apdu_skip(axdr_enc_t *e, size_t n);

/* Length of the whole encoding of a producer; 0 or the producer's error. */
int dlms_apdu_produce_measure(dlms_apdu_producer_t produce, void *user, size_t *total);

/* Bytes [offset, offset + len) of a producer's encoding, with `prefix`
 * (prefix_len bytes, e.g. an APDU header) in front of it, into buf. The
 * window must lie inside prefix + encoding. 0 or the producer's error or
 * DLMS_APDU_ERR_PRODUCER (fewer bytes than asked). */
int dlms_apdu_produce_window(const uint8_t *prefix, size_t prefix_len, dlms_apdu_producer_t produce,
                             void *user, size_t offset, uint8_t *buf, size_t len);

/* Largest raw-data length n with header_len + length-field(n) + n <=
 * max_pdu; 0 when not even one byte fits. */
size_t dlms_apdu_block_room(size_t max_pdu, size_t header_len);

/* Server side of one long GET or ACTION reply. */
typedef struct dlms_block_stream {
    dlms_apdu_producer_t produce;
    void *user;
    size_t total;          /* bytes of the whole encoding (measured once) */
    size_t sent;           /* bytes already sent in blocks */
    uint32_t block_number; /* number of the last block sent, 0 before */
    uint8_t invoke_id;     /* echoed in every block */
    uint8_t service;       /* DLMS_APDU_GET_RESPONSE or DLMS_APDU_ACTION_RESPONSE */
    bool list_form;        /* the producer writes the with-list body */
    bool active;           /* blocks remain to be sent */
} dlms_block_stream_t;

/* Answer a GET: the producer writes the attribute value (one Data) or,
 * with list_form, the body of a get-response-with-list (count, then one
 * Get-Data-Result per entry: dlms_apdu_put_result_data + Data, or
 * dlms_apdu_put_result_dar). When the normal response (C4 01 iid 00 Data /
 * C4 03 iid list) fits min(max_pdu, cap) it is written and the stream is
 * not active; otherwise block 1 of get-response-with-datablock is written
 * and s->active says more follow. Returns the APDU length, or the
 * producer's error / a DLMS_APDU_ERR_* (nothing written, stream inactive):
 * the caller then answers with a data-access-result of its choice. */
int dlms_get_response_stream_start(dlms_block_stream_t *s, uint8_t invoke_id, bool list_form,
                                   dlms_apdu_producer_t produce, void *user, size_t max_pdu,
                                   uint8_t *out, size_t cap);

/* Answer a get-request-next carrying `block_number` (the block the client
 * received last). Writes the next block, or a last block with a
 * data-access-result: no-long-get-in-progress when no stream is active,
 * data-block-number-invalid when the number is not the last block sent,
 * long-get-aborted when the producer fails; the stream then ends. Returns
 * the APDU length or DLMS_APDU_ERR_BUFFER / _PDU_SIZE / _BADARG. */
int dlms_get_response_stream_next(dlms_block_stream_t *s, uint8_t invoke_id, uint32_t block_number,
                                  size_t max_pdu, uint8_t *out, size_t cap);

/* The same for ACTION: the producer writes one Action-Response-With-
 * Optional-Data (dlms_apdu_put_action_result + Data) or, with list_form,
 * count and one per method. Blocks are action-response-with-pblock
 * (DataBlock-SA); the client asks for the next with
 * action-request-next-pblock. */
int dlms_action_response_stream_start(dlms_block_stream_t *s, uint8_t invoke_id, bool list_form,
                                      dlms_apdu_producer_t produce, void *user, size_t max_pdu,
                                      uint8_t *out, size_t cap);
/* Errors are answered with action-response-normal and action-result
 * no-long-action-in-progress (no stream) or long-action-aborted (wrong
 * block number, producer failure). */
int dlms_action_response_stream_next(dlms_block_stream_t *s, uint8_t invoke_id,
                                     uint32_t block_number, size_t max_pdu, uint8_t *out,
                                     size_t cap);

void dlms_block_stream_abort(dlms_block_stream_t *s);

/* Bytes [offset, offset + len) of the complete get-response-normal (list_form
 * false: C4 01 iid 00 + value) or get-response-with-list (C4 03 iid + body)
 * of a producer, and its total length: what general-block-transfer cuts
 * into GBT blocks without building the APDU. */
int dlms_get_response_measure(uint8_t invoke_id, bool list_form, dlms_apdu_producer_t produce,
                              void *user, size_t *total);
int dlms_get_response_window(uint8_t invoke_id, bool list_form, dlms_apdu_producer_t produce,
                             void *user, size_t offset, uint8_t *buf, size_t len);

/* Receiver side of datablocks (client reading a long GET/ACTION reply,
 * server receiving a SET/ACTION request in blocks): appends each block's
 * raw-data in order into a caller buffer. */
typedef struct dlms_block_rx {
    uint8_t *buf;
    size_t cap;
    size_t len;
    uint32_t expected; /* next block number wanted (from 1) */
    bool complete;
} dlms_block_rx_t;

void dlms_block_rx_init(dlms_block_rx_t *rx, uint8_t *buf, size_t cap);
/* Returns 0 (more blocks follow), 1 (last block: buf[0..len) is the whole
 * encoding), or DLMS_APDU_ERR_BLOCK_NUMBER / _TOO_LONG / _ABORTED (a
 * DataBlock-G carrying a data-access-result) / _STATE (already complete). */
int dlms_block_rx_push(dlms_block_rx_t *rx, const dlms_datablock_t *b);

/* ======================================================================== */
/* Selective access for Profile generic (class 7) buffers (dlms-facts §1.2)  */
/* ======================================================================== */

#define DLMS_ACCESS_SELECTOR_RANGE 1u /* range_descriptor */
#define DLMS_ACCESS_SELECTOR_ENTRY 2u /* entry_descriptor */

/* capture_object_definition / restricting_object: structure{class_id
 * long-unsigned, logical_name octet-string(6), attribute_index integer,
 * data_index long-unsigned}. */
typedef struct dlms_capture_object {
    uint16_t class_id;
    uint8_t logical_name[DLMS_OBIS_LEN];
    int8_t attribute_index;
    uint16_t data_index;
} dlms_capture_object_t;

/* range_descriptor: structure{restricting_object, from_value, to_value,
 * selected_values array of capture objects (empty: all columns)}. */
typedef struct dlms_range_descriptor {
    dlms_capture_object_t restricting_object;
    dlms_slice_t from_value; /* one Data, usually a date-time octet string */
    dlms_slice_t to_value;
    uint32_t selected_count;      /* columns asked for, 0 = all */
    dlms_slice_t selected_values; /* the array's elements, for dlms_capture_object_get() */
} dlms_range_descriptor_t;

/* entry_descriptor: structure{from_entry double-long-unsigned, to_entry,
 * from_selected_value long-unsigned, to_selected_value}; entries and
 * columns count from 1, 0 in a "to" field means the last one. */
typedef struct dlms_entry_descriptor {
    uint32_t from_entry;
    uint32_t to_entry;
    uint16_t from_selected_value;
    uint16_t to_selected_value;
} dlms_entry_descriptor_t;

int dlms_capture_object_put(axdr_enc_t *e, const dlms_capture_object_t *co);
int dlms_capture_object_get(axdr_dec_t *d, dlms_capture_object_t *co);
/* Writes the range_descriptor structure (the access-parameters Data). */
int dlms_range_descriptor_put(axdr_enc_t *e, const dlms_capture_object_t *restricting,
                              dlms_slice_t from_value, dlms_slice_t to_value,
                              const dlms_capture_object_t *columns, uint32_t ncolumns);
/* Parses exactly one range_descriptor Data (the access-parameters slice). */
int dlms_range_descriptor_decode(const uint8_t *in, size_t len, dlms_range_descriptor_t *r);
int dlms_entry_descriptor_put(axdr_enc_t *e, const dlms_entry_descriptor_t *ed);
int dlms_entry_descriptor_decode(const uint8_t *in, size_t len, dlms_entry_descriptor_t *ed);

/* ======================================================================== */
/* exception-response, unserved services                                     */
/* ======================================================================== */

/* ExceptionResponse state-error (DLMS_EXC_STATE_*) and service-error
 * (DLMS_EXC_*); not the ServiceError choices of confirmedServiceError,
 * which are DLMS_SERVICE_ERROR_* in xdlms.h. */
/* state-error */
#define DLMS_EXC_STATE_SERVICE_NOT_ALLOWED 1u
#define DLMS_EXC_STATE_SERVICE_UNKNOWN     2u
/* service-error */
#define DLMS_EXC_OPERATION_NOT_POSSIBLE   1u
#define DLMS_EXC_SERVICE_NOT_SUPPORTED    2u
#define DLMS_EXC_OTHER_REASON             3u
#define DLMS_EXC_PDU_TOO_LONG             4u
#define DLMS_EXC_DECIPHERING_ERROR        5u
#define DLMS_EXC_INVOCATION_COUNTER_ERROR 6u /* carries the expected IC */

#define DLMS_EXCEPTION_RESPONSE_MAX 7

typedef struct dlms_exception_response {
    uint8_t state_error;
    uint8_t service_error;
    uint32_t invocation_counter; /* with DLMS_EXC_INVOCATION_COUNTER_ERROR */
} dlms_exception_response_t;

int dlms_exception_response_encode(const dlms_exception_response_t *x, uint8_t *out, size_t cap);
int dlms_exception_response_decode(const uint8_t *in, size_t len, dlms_exception_response_t *x);
const char *dlms_state_error_name(uint8_t state_error);
const char *dlms_exception_service_error_name(uint8_t service_error);

/* The answer to a request APDU this LN server does not serve (unknown tag,
 * or a service outside the negotiated conformance): SN read/write requests
 * get confirmedServiceError read/write, service, service-unsupported
 * (0E 05|06 03 02); a known LN request tag gets exception-response
 * service-not-allowed / service-not-supported (D8 01 02); any other tag
 * exception-response service-unknown / service-not-supported (D8 02 02).
 * Returns the length or DLMS_APDU_ERR_BUFFER / _BADARG. */
int dlms_apdu_refuse(uint8_t request_tag, uint8_t *out, size_t cap);

/* ======================================================================== */
/* data-notification                                                         */
/* ======================================================================== */

typedef struct dlms_data_notification {
    uint32_t long_invoke_id; /* long-invoke-id-and-priority */
    bool has_date_time;
    cosem_datetime_t date_time;
    dlms_slice_t body; /* notification-body: one Data, validated */
} dlms_data_notification_t;

/* Header (0F, long invoke id, date-time or 00) into an encoder; the caller
 * then puts the body Data. dt NULL: no date-time. The finished plain APDU is
 * what dlms_sec_protect(..., DLMS_SEC_FORM_GENERAL, ...) ciphers into a
 * general-glo-ciphering APDU (data-notification has no glo- service tag). */
int dlms_data_notification_put_header(axdr_enc_t *e, uint32_t long_invoke_id,
                                      const cosem_datetime_t *dt);
int dlms_data_notification_encode(const dlms_data_notification_t *n, uint8_t *out, size_t cap);
int dlms_data_notification_decode(const uint8_t *in, size_t len, dlms_data_notification_t *n);

/* ======================================================================== */
/* general-block-transfer                                                    */
/* ======================================================================== */
/*
 * A long APDU (plain or ciphered) cut into blocks, each sent as
 *   E0 | block-control | block-number u16 | block-number-ack u16 | block-data
 * block-control: bit 7 last block, bit 6 streaming (more blocks of this
 * window follow without waiting), bits 0-5 window: how many blocks the
 * sender of this GBT can receive in one stream. Every GBT a side sends has
 * its own next block number, acknowledgement-only GBTs (no block data)
 * included; block-number-ack is the last block received in sequence from
 * the peer.
 *
 * Rules kept by the helpers: the sender sends at most the peer's window
 * blocks, the last of them with streaming 0, then waits; the receiver
 * acknowledges when a stream ends (streaming 0), when its window is full or
 * when the last block arrived. A block lost in transit shows as a gap: the
 * receiver drops what follows it and acknowledges the last block it has in
 * sequence; the sender then resends from ack + 1. When the block that
 * closes a window is lost the receiver sees no end of stream: the caller
 * acknowledges on its response timeout (dlms_gbt_rx_ack_number()).
 */

#define DLMS_GBT_LAST_BLOCK  0x80u
#define DLMS_GBT_STREAMING   0x40u
#define DLMS_GBT_WINDOW_MASK 0x3Fu
#define DLMS_GBT_HEADER_LEN  6 /* tag, control, two u16 (then the length field) */

typedef struct dlms_gbt {
    bool last_block;
    bool streaming;
    uint8_t window; /* 0..63 */
    uint16_t block_number;
    uint16_t block_number_ack;
    dlms_slice_t block_data;
} dlms_gbt_t;

int dlms_gbt_encode(const dlms_gbt_t *g, uint8_t *out, size_t cap);
int dlms_gbt_decode(const uint8_t *in, size_t len, dlms_gbt_t *g);
/* Header with a block-data length of data_len; the caller then puts the
 * data_len bytes (zero-copy from a window producer). */
int dlms_gbt_put_header(axdr_enc_t *e, const dlms_gbt_t *g, size_t data_len);

/* One block to send, as dlms_gbt_tx_next() plans it. */
typedef struct dlms_gbt_block {
    uint16_t block_number;
    size_t offset; /* of its data in the whole APDU */
    size_t len;
    bool last_block;
    bool streaming;
} dlms_gbt_block_t;

/* Sender of one APDU of `total` bytes in blocks of block_size. */
typedef struct dlms_gbt_tx {
    size_t total;
    size_t block_size;
    uint16_t first;      /* block number of the first block */
    uint16_t blocks;     /* how many blocks the APDU takes */
    uint16_t next;       /* index (0-based) of the next block to send */
    uint16_t acked;      /* blocks acknowledged by the peer (0-based count) */
    uint16_t window_end; /* index after the last block of the current stream */
    uint8_t window;      /* the peer's window */
} dlms_gbt_tx_t;

/* first_block_number: this side's next block number; peer_window: the
 * window of the peer's last GBT (0 is taken as 1). _TOO_LONG when more than
 * 65535 blocks would be needed. */
int dlms_gbt_tx_init(dlms_gbt_tx_t *tx, size_t total, size_t block_size,
                     uint16_t first_block_number, uint8_t peer_window);
/* 1 and *blk when a block may be sent now; 0 when the window is used up
 * (wait for the peer's acknowledgement) or every block was sent. */
int dlms_gbt_tx_next(dlms_gbt_tx_t *tx, dlms_gbt_block_t *blk);
/* A GBT from the peer acknowledged `block_number_ack` with `peer_window`:
 * blocks up to it are done, later ones sent before are resent, a new
 * stream opens. Returns 1 when every block is acknowledged, 0 otherwise,
 * _BLOCK_NUMBER when it acknowledges a block never sent. Stale
 * acknowledgements (below the last one) are ignored. */
int dlms_gbt_tx_ack(dlms_gbt_tx_t *tx, uint16_t block_number_ack, uint8_t peer_window);
bool dlms_gbt_tx_done(const dlms_gbt_tx_t *tx);

/* Receiver of one APDU into a caller buffer. */
typedef struct dlms_gbt_rx {
    uint8_t *buf;
    size_t cap;
    size_t len;
    uint16_t expected; /* next block number wanted */
    uint8_t window;    /* own window, 1..63 */
    uint8_t in_stream; /* blocks accepted since the last acknowledgement */
    bool gap;          /* a block was lost in this stream */
    bool complete;
} dlms_gbt_rx_t;

#define DLMS_GBT_RX_MORE     0 /* keep receiving */
#define DLMS_GBT_RX_ACK      1 /* send an acknowledgement now */
#define DLMS_GBT_RX_COMPLETE 2 /* buf[0..len) is the whole APDU */

void dlms_gbt_rx_init(dlms_gbt_rx_t *rx, uint8_t *buf, size_t cap, uint8_t window,
                      uint16_t first_block_number);
/* One GBT from the peer. Returns DLMS_GBT_RX_* or _TOO_LONG (buffer full). */
int dlms_gbt_rx_push(dlms_gbt_rx_t *rx, const dlms_gbt_t *g);
/* block-number-ack to send: the last block received in sequence. */
uint16_t dlms_gbt_rx_ack_number(const dlms_gbt_rx_t *rx);

#endif /* EMETER_DLMS_APDU_H */
