/*
 * apdu_misc.c - pieces shared by the xDLMS service APDUs (IEC 62056-5-3 /
 * Green Book "xDLMS APDUs", A-XDR encoding): error strings and result
 * names, invoke-id helpers, the descriptor / access-selection / DataBlock /
 * Get-Data-Result fields, exception-response, the answer to unserved
 * services, data-notification and the Profile generic selective-access
 * parameters (dlms-facts §1.2). Layouts are in apdu.h.
 */
#include "dlms/apdu.h"

#include <string.h>

#include "dlms/apdu_internal.h"
#include "dlms/xdlms.h"

/* ======================================================================== */
/* Errors and names                                                          */
/* ======================================================================== */

typedef struct code_name {
    int code;
    const char *name;
} code_name_t;

static const code_name_t apdu_errors[] = {
    {0, "success"},
    {DLMS_APDU_ERR_BADARG, "APDU: invalid argument"},
    {DLMS_APDU_ERR_TRUNCATED, "APDU: input ends inside the APDU"},
    {DLMS_APDU_ERR_TAG, "APDU: unexpected APDU tag"},
    {DLMS_APDU_ERR_TYPE, "APDU: unknown request or response type"},
    {DLMS_APDU_ERR_TRAILING, "APDU: trailing bytes after the APDU"},
    {DLMS_APDU_ERR_BUFFER, "APDU: output buffer too small"},
    {DLMS_APDU_ERR_FLAG, "APDU: optional/choice byte is neither 0 nor 1"},
    {DLMS_APDU_ERR_DATA, "APDU: malformed Data field"},
    {DLMS_APDU_ERR_LENGTH, "APDU: malformed length field"},
    {DLMS_APDU_ERR_LIST_TOO_LONG, "APDU: list longer than EM_DLMS_MAX_LIST"},
    {DLMS_APDU_ERR_LIST_EMPTY, "APDU: empty list"},
    {DLMS_APDU_ERR_LIST_MISMATCH, "APDU: descriptor and value lists differ in length"},
    {DLMS_APDU_ERR_PDU_SIZE, "APDU: max PDU size too small for a block"},
    {DLMS_APDU_ERR_PRODUCER, "APDU: value producer failed or is not deterministic"},
    {DLMS_APDU_ERR_STATE, "APDU: no transfer in progress or already complete"},
    {DLMS_APDU_ERR_BLOCK_NUMBER, "APDU: unexpected block number"},
    {DLMS_APDU_ERR_TOO_LONG, "APDU: reassembled data too long"},
    {DLMS_APDU_ERR_DATE_TIME, "APDU: date-time is neither empty nor 12 bytes"},
    {DLMS_APDU_ERR_SKIP, "APDU: skip would cover bytes of the window"},
    {DLMS_APDU_ERR_ABORTED, "APDU: peer aborted the block transfer"},
};

const char *dlms_apdu_strerror(int err) {
    if (err <= -0x0580 && err >= -0x05FF) {
        return dlms_xdlms_strerror(err);
    }
    for (size_t i = 0; i < sizeof(apdu_errors) / sizeof(apdu_errors[0]); i++) {
        if (apdu_errors[i].code == err) {
            return apdu_errors[i].name;
        }
    }
    return "APDU: unknown error";
}

/* Data-Access-Result; Action-Result shares 0..14 and other-reason. */
static const code_name_t dar_names[] = {
    {DLMS_DAR_SUCCESS, "success"},
    {DLMS_DAR_HARDWARE_FAULT, "hardware-fault"},
    {DLMS_DAR_TEMPORARY_FAILURE, "temporary-failure"},
    {DLMS_DAR_READ_WRITE_DENIED, "read-write-denied"},
    {DLMS_DAR_OBJECT_UNDEFINED, "object-undefined"},
    {DLMS_DAR_OBJECT_CLASS_INCONSISTENT, "object-class-inconsistent"},
    {DLMS_DAR_OBJECT_UNAVAILABLE, "object-unavailable"},
    {DLMS_DAR_TYPE_UNMATCHED, "type-unmatched"},
    {DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED, "scope-of-access-violated"},
    {DLMS_DAR_DATA_BLOCK_UNAVAILABLE, "data-block-unavailable"},
    {DLMS_DAR_LONG_GET_ABORTED, "long-get-aborted"},
    {DLMS_DAR_NO_LONG_GET_IN_PROGRESS, "no-long-get-in-progress"},
    {DLMS_DAR_LONG_SET_ABORTED, "long-set-aborted"},
    {DLMS_DAR_NO_LONG_SET_IN_PROGRESS, "no-long-set-in-progress"},
    {DLMS_DAR_DATA_BLOCK_NUMBER_INVALID, "data-block-number-invalid"},
    {DLMS_DAR_OTHER_REASON, "other-reason"},
};

static const char *lookup(const code_name_t *t, size_t n, int code) {
    for (size_t i = 0; i < n; i++) {
        if (t[i].code == code) {
            return t[i].name;
        }
    }
    return "unknown";
}

const char *dlms_data_access_result_name(uint8_t dar) {
    return lookup(dar_names, sizeof(dar_names) / sizeof(dar_names[0]), dar);
}

const char *dlms_action_result_name(uint8_t result) {
    if (result == DLMS_ACTION_LONG_ACTION_ABORTED) {
        return "long-action-aborted";
    }
    if (result == DLMS_ACTION_NO_LONG_ACTION_IN_PROGRESS) {
        return "no-long-action-in-progress";
    }
    if (result > DLMS_ACTION_DATA_BLOCK_UNAVAILABLE && result != DLMS_ACTION_OTHER_REASON) {
        return "unknown"; /* 17..19 are GET/SET-only codes */
    }
    return dlms_data_access_result_name(result);
}

static const code_name_t state_error_names[] = {
    {DLMS_EXC_STATE_SERVICE_NOT_ALLOWED, "service-not-allowed"},
    {DLMS_EXC_STATE_SERVICE_UNKNOWN, "service-unknown"},
};

static const code_name_t service_error_names[] = {
    {DLMS_EXC_OPERATION_NOT_POSSIBLE, "operation-not-possible"},
    {DLMS_EXC_SERVICE_NOT_SUPPORTED, "service-not-supported"},
    {DLMS_EXC_OTHER_REASON, "other-reason"},
    {DLMS_EXC_PDU_TOO_LONG, "pdu-too-long"},
    {DLMS_EXC_DECIPHERING_ERROR, "deciphering-error"},
    {DLMS_EXC_INVOCATION_COUNTER_ERROR, "invocation-counter-error"},
};

const char *dlms_state_error_name(uint8_t state_error) {
    return lookup(state_error_names, sizeof(state_error_names) / sizeof(state_error_names[0]),
                  state_error);
}

const char *dlms_exception_service_error_name(uint8_t service_error) {
    return lookup(service_error_names, sizeof(service_error_names) / sizeof(service_error_names[0]),
                  service_error);
}

/* ======================================================================== */
/* Invoke-id-and-priority                                                    */
/* ======================================================================== */

uint8_t dlms_invoke_id_make(uint8_t id, bool confirmed, bool high_priority) {
    return (uint8_t)((id & DLMS_IID_ID_MASK) | (confirmed ? DLMS_IID_CONFIRMED : 0u) |
                     (high_priority ? DLMS_IID_PRIORITY_HIGH : 0u));
}

bool dlms_invoke_id_matches(uint8_t request, uint8_t response) {
    const uint8_t kept = DLMS_IID_ID_MASK | DLMS_IID_CONFIRMED | DLMS_IID_PRIORITY_HIGH;
    return (request & kept) == (response & kept);
}

uint32_t dlms_long_invoke_id_make(uint32_t id, bool confirmed, bool high_priority) {
    return (id & DLMS_LIID_ID_MASK) | (confirmed ? DLMS_LIID_CONFIRMED : 0u) |
           (high_priority ? DLMS_LIID_PRIORITY_HIGH : 0u);
}

static bool is_service_tag(uint8_t tag) {
    switch (tag) {
    case DLMS_APDU_GET_REQUEST:
    case DLMS_APDU_SET_REQUEST:
    case DLMS_APDU_ACTION_REQUEST:
    case DLMS_APDU_GET_RESPONSE:
    case DLMS_APDU_SET_RESPONSE:
    case DLMS_APDU_ACTION_RESPONSE:
        return true;
    default:
        return false;
    }
}

int dlms_apdu_peek_invoke_id(const uint8_t *in, size_t len, uint8_t *iid) {
    if (iid == NULL || (in == NULL && len > 0)) {
        return DLMS_APDU_ERR_BADARG;
    }
    *iid = 0;
    if (len >= 1 && !is_service_tag(in[0])) {
        return DLMS_APDU_ERR_TAG;
    }
    if (len < 3) {
        return DLMS_APDU_ERR_TRUNCATED;
    }
    *iid = in[2];
    return 0;
}

/* ======================================================================== */
/* Internal encoder/decoder helpers (apdu_internal.h)                        */
/* ======================================================================== */

int apdu_put_u8(axdr_enc_t *e, uint8_t v) {
    return axdr_put_raw(e, &v, 1);
}

int apdu_put_u16(axdr_enc_t *e, uint16_t v) {
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    return axdr_put_raw(e, b, sizeof(b));
}

int apdu_put_u32(axdr_enc_t *e, uint32_t v) {
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return axdr_put_raw(e, b, sizeof(b));
}

int apdu_put_list_count(axdr_enc_t *e, uint8_t count) {
    if (count == 0) {
        return DLMS_APDU_ERR_LIST_EMPTY;
    }
    if (count > EM_DLMS_MAX_LIST) {
        return DLMS_APDU_ERR_LIST_TOO_LONG;
    }
    return axdr_put_length(e, count);
}

int apdu_enc_begin(axdr_enc_t *e, uint8_t *out, size_t cap) {
    if (out == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    axdr_enc_init(e, out, cap);
    return 0;
}

int apdu_enc_finish(axdr_enc_t *e, int rc) {
    if (rc == 0 && e->err != 0) {
        rc = e->err == AXDR_ERR_OVERFLOW ? DLMS_APDU_ERR_BUFFER : DLMS_APDU_ERR_BADARG;
    }
    if (rc == 0 && e->len > INT32_MAX) {
        rc = DLMS_APDU_ERR_BUFFER; /* the length must fit the int result */
    }
    if (rc < 0 && rc > -0x0500) {
        rc = rc == AXDR_ERR_OVERFLOW ? DLMS_APDU_ERR_BUFFER : DLMS_APDU_ERR_BADARG;
    }
    if (rc != 0) {
        if (e->buf != NULL) {
            memset(e->buf, 0, e->cap);
        }
        return rc;
    }
    return (int)e->len;
}

int apdu_get_u8(axdr_dec_t *d, uint8_t *v) {
    if (axdr_dec_remaining(d) < 1) {
        return DLMS_APDU_ERR_TRUNCATED;
    }
    *v = d->p[d->pos++];
    return 0;
}

int apdu_get_u16(axdr_dec_t *d, uint16_t *v) {
    if (axdr_dec_remaining(d) < 2) {
        return DLMS_APDU_ERR_TRUNCATED;
    }
    *v = (uint16_t)((d->p[d->pos] << 8) | d->p[d->pos + 1]);
    d->pos += 2;
    return 0;
}

int apdu_get_u32(axdr_dec_t *d, uint32_t *v) {
    if (axdr_dec_remaining(d) < 4) {
        return DLMS_APDU_ERR_TRUNCATED;
    }
    const uint8_t *p = d->p + d->pos;
    *v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    d->pos += 4;
    return 0;
}

int apdu_get_bytes(axdr_dec_t *d, uint8_t *out, size_t n) {
    if (axdr_dec_remaining(d) < n) {
        return DLMS_APDU_ERR_TRUNCATED;
    }
    memcpy(out, d->p + d->pos, n);
    d->pos += n;
    return 0;
}

int apdu_get_flag(axdr_dec_t *d, bool *set) {
    uint8_t f = 0;
    int rc = apdu_get_u8(d, &f);
    if (rc != 0) {
        return rc;
    }
    if (f > 1) {
        return DLMS_APDU_ERR_FLAG;
    }
    *set = f == 1;
    return 0;
}

int apdu_get_octets(axdr_dec_t *d, dlms_slice_t *out) {
    uint32_t n = 0;
    int rc = axdr_get_length(d, &n);
    if (rc != 0) {
        return apdu_map_axdr_err(rc);
    }
    if (n > axdr_dec_remaining(d)) {
        return DLMS_APDU_ERR_TRUNCATED;
    }
    out->p = d->p + d->pos;
    out->len = n;
    d->pos += n;
    return 0;
}

int apdu_dec_begin(axdr_dec_t *d, const uint8_t *in, size_t len, uint8_t tag, uint8_t *type) {
    if (in == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    axdr_dec_init(d, in, len);
    uint8_t t = 0;
    int rc = apdu_get_u8(d, &t);
    if (rc != 0) {
        return rc;
    }
    if (t != tag) {
        return DLMS_APDU_ERR_TAG;
    }
    return type != NULL ? apdu_get_u8(d, type) : 0;
}

int apdu_dec_end(const axdr_dec_t *d) {
    return axdr_dec_remaining(d) == 0 ? 0 : DLMS_APDU_ERR_TRAILING;
}

int apdu_map_axdr_err(int rc) {
    switch (rc) {
    case 0:
        return 0;
    case AXDR_ERR_TRUNCATED:
        return DLMS_APDU_ERR_TRUNCATED;
    case AXDR_ERR_LENGTH:
        return DLMS_APDU_ERR_LENGTH;
    case AXDR_ERR_ARG:
        return DLMS_APDU_ERR_BADARG;
    default:
        return rc <= -0x0500 ? rc : DLMS_APDU_ERR_DATA;
    }
}

/* ======================================================================== */
/* Fields                                                                    */
/* ======================================================================== */

int dlms_apdu_put_descriptor(axdr_enc_t *e, const dlms_cosem_descriptor_t *d) {
    if (d == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    apdu_put_u16(e, d->class_id);
    axdr_put_raw(e, d->instance_id, DLMS_OBIS_LEN);
    return apdu_put_u8(e, (uint8_t)d->id);
}

int dlms_apdu_put_data(axdr_enc_t *e, dlms_slice_t data) {
    size_t used = 0;
    if (axdr_validate(data.p, data.len, &used) != 0 || used != data.len || data.len == 0) {
        return DLMS_APDU_ERR_DATA;
    }
    return axdr_put_raw(e, data.p, data.len);
}

int dlms_apdu_put_access_selection(axdr_enc_t *e, const dlms_access_selection_t *a) {
    if (a == NULL || !a->present) {
        return apdu_put_u8(e, 0);
    }
    apdu_put_u8(e, 1);
    apdu_put_u8(e, a->selector);
    int rc = dlms_apdu_put_data(e, a->parameters);
    return rc != 0 ? rc : e->err;
}

/* last-block BOOLEAN, written 01 / 00. */
static void put_block_header(axdr_enc_t *e, const dlms_datablock_t *b) {
    apdu_put_u8(e, b->last_block ? 1 : 0);
    apdu_put_u32(e, b->block_number);
}

static int put_raw_data(axdr_enc_t *e, dlms_slice_t raw) {
    if (raw.p == NULL && raw.len > 0) {
        return DLMS_APDU_ERR_BADARG;
    }
    axdr_put_length(e, raw.len);
    return axdr_put_raw(e, raw.p, raw.len);
}

int dlms_apdu_put_datablock_sa(axdr_enc_t *e, const dlms_datablock_t *b) {
    if (b == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    put_block_header(e, b);
    return put_raw_data(e, b->raw_data);
}

int dlms_apdu_put_datablock_g(axdr_enc_t *e, const dlms_datablock_t *b) {
    if (b == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    put_block_header(e, b);
    if (b->is_result) {
        return dlms_apdu_put_result_dar(e, b->result);
    }
    apdu_put_u8(e, 0);
    return put_raw_data(e, b->raw_data);
}

int dlms_apdu_put_result_data(axdr_enc_t *e) {
    return apdu_put_u8(e, 0);
}

int dlms_apdu_put_result_dar(axdr_enc_t *e, uint8_t dar) {
    apdu_put_u8(e, 1);
    return apdu_put_u8(e, dar);
}

int dlms_apdu_put_get_data_result(axdr_enc_t *e, const dlms_get_data_result_t *r) {
    if (r == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    if (!r->is_data) {
        return dlms_apdu_put_result_dar(e, r->dar);
    }
    dlms_apdu_put_result_data(e);
    return dlms_apdu_put_data(e, r->data);
}

int dlms_apdu_put_action_result(axdr_enc_t *e, uint8_t result, bool with_data) {
    apdu_put_u8(e, result);
    if (!with_data) {
        return apdu_put_u8(e, 0);
    }
    apdu_put_u8(e, 1);
    return dlms_apdu_put_result_data(e);
}

int dlms_apdu_get_descriptor(axdr_dec_t *d, dlms_cosem_descriptor_t *out) {
    memset(out, 0, sizeof(*out));
    uint8_t id = 0;
    int rc = apdu_get_u16(d, &out->class_id);
    if (rc == 0) {
        rc = apdu_get_bytes(d, out->instance_id, DLMS_OBIS_LEN);
    }
    if (rc == 0) {
        rc = apdu_get_u8(d, &id);
    }
    out->id = (int8_t)id;
    if (rc != 0) {
        memset(out, 0, sizeof(*out));
    }
    return rc;
}

int dlms_apdu_get_data(axdr_dec_t *d, dlms_slice_t *out) {
    size_t used = 0;
    out->p = NULL;
    out->len = 0;
    size_t rem = axdr_dec_remaining(d);
    if (rem == 0) {
        return DLMS_APDU_ERR_TRUNCATED;
    }
    int rc = axdr_validate(d->p + d->pos, rem, &used);
    if (rc != 0) {
        return rc == AXDR_ERR_TRUNCATED ? DLMS_APDU_ERR_TRUNCATED : DLMS_APDU_ERR_DATA;
    }
    out->p = d->p + d->pos;
    out->len = used;
    d->pos += used;
    return 0;
}

int dlms_apdu_get_access_selection(axdr_dec_t *d, dlms_access_selection_t *out) {
    memset(out, 0, sizeof(*out));
    bool present = false;
    int rc = apdu_get_flag(d, &present);
    if (rc == 0 && present) {
        out->present = true;
        rc = apdu_get_u8(d, &out->selector);
        if (rc == 0) {
            rc = dlms_apdu_get_data(d, &out->parameters);
        }
    }
    if (rc != 0) {
        memset(out, 0, sizeof(*out));
    }
    return rc;
}

static int get_block_header(axdr_dec_t *d, dlms_datablock_t *out) {
    uint8_t last = 0;
    int rc = apdu_get_u8(d, &last);
    out->last_block = last != 0; /* A-XDR BOOLEAN: any nonzero byte is TRUE */
    return rc != 0 ? rc : apdu_get_u32(d, &out->block_number);
}

int dlms_apdu_get_datablock_sa(axdr_dec_t *d, dlms_datablock_t *out) {
    memset(out, 0, sizeof(*out));
    int rc = get_block_header(d, out);
    if (rc == 0) {
        rc = apdu_get_octets(d, &out->raw_data);
    }
    if (rc != 0) {
        memset(out, 0, sizeof(*out));
    }
    return rc;
}

int dlms_apdu_get_datablock_g(axdr_dec_t *d, dlms_datablock_t *out) {
    memset(out, 0, sizeof(*out));
    bool is_result = false;
    int rc = get_block_header(d, out);
    if (rc == 0) {
        rc = apdu_get_flag(d, &is_result);
    }
    if (rc == 0 && is_result) {
        out->is_result = true;
        rc = apdu_get_u8(d, &out->result);
    } else if (rc == 0) {
        rc = apdu_get_octets(d, &out->raw_data);
    }
    if (rc != 0) {
        memset(out, 0, sizeof(*out));
    }
    return rc;
}

int dlms_apdu_get_get_data_result(axdr_dec_t *d, dlms_get_data_result_t *out) {
    memset(out, 0, sizeof(*out));
    bool is_dar = false;
    int rc = apdu_get_flag(d, &is_dar);
    if (rc == 0 && is_dar) {
        rc = apdu_get_u8(d, &out->dar);
    } else if (rc == 0) {
        out->is_data = true;
        rc = dlms_apdu_get_data(d, &out->data);
    }
    if (rc != 0) {
        memset(out, 0, sizeof(*out));
    }
    return rc;
}

int dlms_apdu_get_list_count(axdr_dec_t *d, uint8_t *count) {
    uint32_t n = 0;
    *count = 0;
    int rc = axdr_get_length(d, &n);
    if (rc != 0) {
        return apdu_map_axdr_err(rc);
    }
    if (n == 0) {
        return DLMS_APDU_ERR_LIST_EMPTY;
    }
    if (n > EM_DLMS_MAX_LIST) {
        return DLMS_APDU_ERR_LIST_TOO_LONG;
    }
    *count = (uint8_t)n;
    return 0;
}

/* ======================================================================== */
/* exception-response and unserved services                                  */
/* ======================================================================== */

int dlms_exception_response_encode(const dlms_exception_response_t *x, uint8_t *out, size_t cap) {
    axdr_enc_t e;
    int rc = x == NULL ? DLMS_APDU_ERR_BADARG : apdu_enc_begin(&e, out, cap);
    if (rc != 0) {
        return rc;
    }
    apdu_put_u8(&e, DLMS_APDU_EXCEPTION_RESPONSE);
    apdu_put_u8(&e, x->state_error);
    apdu_put_u8(&e, x->service_error);
    if (x->service_error == DLMS_EXC_INVOCATION_COUNTER_ERROR) {
        apdu_put_u32(&e, x->invocation_counter);
    }
    return apdu_enc_finish(&e, 0);
}

int dlms_exception_response_decode(const uint8_t *in, size_t len, dlms_exception_response_t *x) {
    if (x == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    memset(x, 0, sizeof(*x));
    axdr_dec_t d;
    int rc = apdu_dec_begin(&d, in, len, DLMS_APDU_EXCEPTION_RESPONSE, &x->state_error);
    if (rc == 0) {
        rc = apdu_get_u8(&d, &x->service_error);
    }
    if (rc == 0 && x->service_error == DLMS_EXC_INVOCATION_COUNTER_ERROR) {
        rc = apdu_get_u32(&d, &x->invocation_counter);
    }
    if (rc == 0) {
        rc = apdu_dec_end(&d);
    }
    if (rc != 0) {
        memset(x, 0, sizeof(*x));
    }
    return rc;
}

static bool is_ln_request_tag(uint8_t tag) {
    return tag == DLMS_APDU_GET_REQUEST || tag == DLMS_APDU_SET_REQUEST ||
           tag == DLMS_APDU_ACTION_REQUEST || tag == DLMS_APDU_GENERAL_BLOCK_TRANSFER;
}

int dlms_apdu_refuse(uint8_t request_tag, uint8_t *out, size_t cap) {
    if (out == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    if (request_tag == DLMS_APDU_READ_REQUEST || request_tag == DLMS_APDU_WRITE_REQUEST) {
        /* ConfirmedServiceError choice read [5] / write [6] equals the tag. */
        dlms_confirmed_service_error_t cse = {request_tag, DLMS_SERVICE_ERROR_SERVICE,
                                              2 /* service-unsupported */};
        int rc = dlms_confirmed_service_error_encode(&cse, out, cap);
        return rc >= 0 ? rc : DLMS_APDU_ERR_BUFFER;
    }
    dlms_exception_response_t x = {is_ln_request_tag(request_tag)
                                       ? DLMS_EXC_STATE_SERVICE_NOT_ALLOWED
                                       : DLMS_EXC_STATE_SERVICE_UNKNOWN,
                                   DLMS_EXC_SERVICE_NOT_SUPPORTED, 0};
    return dlms_exception_response_encode(&x, out, cap);
}

/* ======================================================================== */
/* data-notification                                                         */
/* ======================================================================== */

int dlms_data_notification_put_header(axdr_enc_t *e, uint32_t long_invoke_id,
                                      const cosem_datetime_t *dt) {
    apdu_put_u8(e, DLMS_APDU_DATA_NOTIFICATION);
    apdu_put_u32(e, long_invoke_id);
    if (dt == NULL) {
        return axdr_put_length(e, 0);
    }
    uint8_t raw[COSEM_DATETIME_LEN];
    cosem_datetime_pack(dt, raw);
    axdr_put_length(e, sizeof(raw));
    return axdr_put_raw(e, raw, sizeof(raw));
}

int dlms_data_notification_encode(const dlms_data_notification_t *n, uint8_t *out, size_t cap) {
    axdr_enc_t e;
    int rc = n == NULL ? DLMS_APDU_ERR_BADARG : apdu_enc_begin(&e, out, cap);
    if (rc != 0) {
        return rc;
    }
    dlms_data_notification_put_header(&e, n->long_invoke_id,
                                      n->has_date_time ? &n->date_time : NULL);
    rc = dlms_apdu_put_data(&e, n->body);
    return apdu_enc_finish(&e, rc);
}

int dlms_data_notification_decode(const uint8_t *in, size_t len, dlms_data_notification_t *n) {
    if (n == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    memset(n, 0, sizeof(*n));
    axdr_dec_t d;
    dlms_slice_t dt = {NULL, 0};
    int rc = apdu_dec_begin(&d, in, len, DLMS_APDU_DATA_NOTIFICATION, NULL);
    if (rc == 0) {
        rc = apdu_get_u32(&d, &n->long_invoke_id);
    }
    if (rc == 0) {
        rc = apdu_get_octets(&d, &dt);
    }
    if (rc == 0 && dt.len != 0 && dt.len != COSEM_DATETIME_LEN) {
        rc = DLMS_APDU_ERR_DATE_TIME;
    }
    if (rc == 0 && dt.len == COSEM_DATETIME_LEN) {
        n->has_date_time = true;
        cosem_datetime_unpack(dt.p, &n->date_time);
    }
    if (rc == 0) {
        rc = dlms_apdu_get_data(&d, &n->body);
    }
    if (rc == 0) {
        rc = apdu_dec_end(&d);
    }
    if (rc != 0) {
        memset(n, 0, sizeof(*n));
    }
    return rc;
}

/* ======================================================================== */
/* Selective access of Profile generic (class 7)                             */
/* ======================================================================== */

int dlms_capture_object_put(axdr_enc_t *e, const dlms_capture_object_t *co) {
    if (co == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    axdr_put_structure(e, 4);
    axdr_put_uint16(e, co->class_id);
    axdr_put_octet_string(e, co->logical_name, DLMS_OBIS_LEN);
    axdr_put_int8(e, co->attribute_index);
    return axdr_put_uint16(e, co->data_index);
}

int dlms_capture_object_get(axdr_dec_t *d, dlms_capture_object_t *co) {
    memset(co, 0, sizeof(*co));
    uint32_t n = 0;
    const uint8_t *ln = NULL;
    size_t ln_len = 0;
    int rc = axdr_get_structure(d, &n);
    if (rc == 0 && n != 4) {
        rc = AXDR_ERR_COUNT;
    }
    if (rc == 0) {
        rc = axdr_get_uint16(d, &co->class_id);
    }
    if (rc == 0) {
        rc = axdr_get_octet_string(d, &ln, &ln_len);
    }
    if (rc == 0 && ln_len != DLMS_OBIS_LEN) {
        rc = AXDR_ERR_LENGTH;
    }
    if (rc == 0) {
        memcpy(co->logical_name, ln, DLMS_OBIS_LEN);
        rc = axdr_get_int8(d, &co->attribute_index);
    }
    if (rc == 0) {
        rc = axdr_get_uint16(d, &co->data_index);
    }
    if (rc != 0) {
        memset(co, 0, sizeof(*co));
        return rc == AXDR_ERR_TRUNCATED ? DLMS_APDU_ERR_TRUNCATED : DLMS_APDU_ERR_DATA;
    }
    return 0;
}

int dlms_range_descriptor_put(axdr_enc_t *e, const dlms_capture_object_t *restricting,
                              dlms_slice_t from_value, dlms_slice_t to_value,
                              const dlms_capture_object_t *columns, uint32_t ncolumns) {
    if (restricting == NULL || (columns == NULL && ncolumns > 0)) {
        return DLMS_APDU_ERR_BADARG;
    }
    axdr_put_structure(e, 4);
    dlms_capture_object_put(e, restricting);
    int rc = dlms_apdu_put_data(e, from_value);
    if (rc == 0) {
        rc = dlms_apdu_put_data(e, to_value);
    }
    if (rc != 0) {
        return rc;
    }
    axdr_put_array(e, ncolumns);
    for (uint32_t i = 0; i < ncolumns; i++) {
        dlms_capture_object_put(e, &columns[i]);
    }
    return e->err;
}

/* The elements of the selected_values array: each must be a capture
 * object, so the slice handed out can be walked without surprises. */
static int get_selected_values(axdr_dec_t *d, dlms_range_descriptor_t *r) {
    int rc = apdu_map_axdr_err(axdr_get_array(d, &r->selected_count));
    size_t start = d->pos;
    for (uint32_t i = 0; rc == 0 && i < r->selected_count; i++) {
        dlms_capture_object_t co;
        rc = dlms_capture_object_get(d, &co);
    }
    if (rc == 0) {
        r->selected_values.p = d->p + start;
        r->selected_values.len = d->pos - start;
    }
    return rc;
}

int dlms_range_descriptor_decode(const uint8_t *in, size_t len, dlms_range_descriptor_t *r) {
    if (r == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    memset(r, 0, sizeof(*r));
    if (in == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    axdr_dec_t d;
    uint32_t n = 0;
    axdr_dec_init(&d, in, len);
    int rc = apdu_map_axdr_err(axdr_get_structure(&d, &n));
    if (rc == 0 && n != 4) {
        rc = DLMS_APDU_ERR_DATA;
    }
    if (rc == 0) {
        rc = dlms_capture_object_get(&d, &r->restricting_object);
    }
    if (rc == 0) {
        rc = dlms_apdu_get_data(&d, &r->from_value);
    }
    if (rc == 0) {
        rc = dlms_apdu_get_data(&d, &r->to_value);
    }
    if (rc == 0) {
        rc = get_selected_values(&d, r);
    }
    if (rc == 0) {
        rc = apdu_dec_end(&d);
    }
    if (rc != 0) {
        memset(r, 0, sizeof(*r));
    }
    return rc;
}

int dlms_entry_descriptor_put(axdr_enc_t *e, const dlms_entry_descriptor_t *ed) {
    if (ed == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    axdr_put_structure(e, 4);
    axdr_put_uint32(e, ed->from_entry);
    axdr_put_uint32(e, ed->to_entry);
    axdr_put_uint16(e, ed->from_selected_value);
    return axdr_put_uint16(e, ed->to_selected_value);
}

int dlms_entry_descriptor_decode(const uint8_t *in, size_t len, dlms_entry_descriptor_t *ed) {
    if (ed == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    memset(ed, 0, sizeof(*ed));
    if (in == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    axdr_dec_t d;
    uint32_t n = 0;
    axdr_dec_init(&d, in, len);
    int rc = axdr_get_structure(&d, &n);
    if (rc == 0 && n != 4) {
        rc = AXDR_ERR_COUNT;
    }
    if (rc == 0) {
        rc = axdr_get_uint32(&d, &ed->from_entry);
    }
    if (rc == 0) {
        rc = axdr_get_uint32(&d, &ed->to_entry);
    }
    if (rc == 0) {
        rc = axdr_get_uint16(&d, &ed->from_selected_value);
    }
    if (rc == 0) {
        rc = axdr_get_uint16(&d, &ed->to_selected_value);
    }
    rc = rc != 0 ? apdu_map_axdr_err(rc) : apdu_dec_end(&d);
    if (rc != 0) {
        memset(ed, 0, sizeof(*ed));
    }
    return rc;
}
