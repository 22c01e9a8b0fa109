/*
 * apdu_action.c - ACTION service APDUs (IEC 62056-5-3 / Green Book "ACTION
 * service", Action-Request and Action-Response CHOICEs in A-XDR): normal,
 * next-pblock, with-list, with-first-pblock, with-list-and-first-pblock and
 * with-pblock requests; normal, with-pblock, with-list and next-pblock
 * responses; and the streamed action-response-with-pblock of long return
 * parameters. Layouts in apdu.h.
 */
#include "dlms/apdu.h"

#include <string.h>

#include "dlms/apdu_internal.h"

/* ---- action-request ---------------------------------------------------------- */

static int put_method_list(axdr_enc_t *e, const dlms_action_request_t *r) {
    int rc = apdu_put_list_count(e, r->count);
    for (uint8_t i = 0; rc == 0 && i < r->count; i++) {
        rc = dlms_apdu_put_descriptor(e, &r->methods[i]);
    }
    return rc;
}

static int put_param_list(axdr_enc_t *e, const dlms_action_request_t *r) {
    int rc = apdu_put_list_count(e, r->count);
    for (uint8_t i = 0; rc == 0 && i < r->count; i++) {
        rc = dlms_apdu_put_data(e, r->params[i]);
    }
    return rc;
}

/* method-invocation-parameters Data OPTIONAL: 00, or 01 and the Data. */
static int put_optional_params(axdr_enc_t *e, dlms_slice_t params) {
    if (params.p == NULL) {
        return apdu_put_u8(e, 0);
    }
    apdu_put_u8(e, 1);
    return dlms_apdu_put_data(e, params);
}

static int put_action_request_body(axdr_enc_t *e, const dlms_action_request_t *r) {
    int rc;
    switch (r->type) {
    case DLMS_ACTION_REQUEST_NORMAL:
        dlms_apdu_put_descriptor(e, &r->methods[0]);
        return put_optional_params(e, r->params[0]);
    case DLMS_ACTION_REQUEST_NEXT_PBLOCK:
        return apdu_put_u32(e, r->block_number);
    case DLMS_ACTION_REQUEST_WITH_LIST:
        rc = put_method_list(e, r);
        return rc != 0 ? rc : put_param_list(e, r);
    case DLMS_ACTION_REQUEST_WITH_FIRST_PBLOCK:
        dlms_apdu_put_descriptor(e, &r->methods[0]);
        return dlms_apdu_put_datablock_sa(e, &r->block);
    case DLMS_ACTION_REQUEST_WITH_LIST_AND_FIRST_PBLOCK:
        rc = put_method_list(e, r);
        return rc != 0 ? rc : dlms_apdu_put_datablock_sa(e, &r->block);
    case DLMS_ACTION_REQUEST_WITH_PBLOCK:
        return dlms_apdu_put_datablock_sa(e, &r->block);
    default:
        return DLMS_APDU_ERR_TYPE;
    }
}

int dlms_action_request_encode(const dlms_action_request_t *r, uint8_t *out, size_t cap) {
    axdr_enc_t e;
    int rc = r == NULL ? DLMS_APDU_ERR_BADARG : apdu_enc_begin(&e, out, cap);
    if (rc != 0) {
        return rc;
    }
    apdu_put_u8(&e, DLMS_APDU_ACTION_REQUEST);
    apdu_put_u8(&e, r->type);
    apdu_put_u8(&e, r->invoke_id);
    return apdu_enc_finish(&e, put_action_request_body(&e, r));
}

static int get_method_list(axdr_dec_t *d, dlms_action_request_t *r) {
    int rc = dlms_apdu_get_list_count(d, &r->count);
    for (uint8_t i = 0; rc == 0 && i < r->count; i++) {
        rc = dlms_apdu_get_descriptor(d, &r->methods[i]);
    }
    return rc;
}

/* One Data per method (Green Book: the lists have the same length). */
static int get_param_list(axdr_dec_t *d, dlms_action_request_t *r) {
    uint8_t n = 0;
    int rc = dlms_apdu_get_list_count(d, &n);
    if (rc == 0 && n != r->count) {
        rc = DLMS_APDU_ERR_LIST_MISMATCH;
    }
    for (uint8_t i = 0; rc == 0 && i < n; i++) {
        rc = dlms_apdu_get_data(d, &r->params[i]);
    }
    return rc;
}

static int get_optional_params(axdr_dec_t *d, dlms_slice_t *params) {
    bool present = false;
    int rc = apdu_get_flag(d, &present);
    return (rc != 0 || !present) ? rc : dlms_apdu_get_data(d, params);
}

static int get_action_request_body(axdr_dec_t *d, dlms_action_request_t *r) {
    int rc = apdu_get_u8(d, &r->invoke_id);
    if (rc != 0) {
        return rc;
    }
    switch (r->type) {
    case DLMS_ACTION_REQUEST_NORMAL:
        r->count = 1;
        rc = dlms_apdu_get_descriptor(d, &r->methods[0]);
        return rc != 0 ? rc : get_optional_params(d, &r->params[0]);
    case DLMS_ACTION_REQUEST_NEXT_PBLOCK:
        return apdu_get_u32(d, &r->block_number);
    case DLMS_ACTION_REQUEST_WITH_LIST:
        rc = get_method_list(d, r);
        return rc != 0 ? rc : get_param_list(d, r);
    case DLMS_ACTION_REQUEST_WITH_FIRST_PBLOCK:
        r->count = 1;
        rc = dlms_apdu_get_descriptor(d, &r->methods[0]);
        return rc != 0 ? rc : dlms_apdu_get_datablock_sa(d, &r->block);
    case DLMS_ACTION_REQUEST_WITH_LIST_AND_FIRST_PBLOCK:
        rc = get_method_list(d, r);
        return rc != 0 ? rc : dlms_apdu_get_datablock_sa(d, &r->block);
    case DLMS_ACTION_REQUEST_WITH_PBLOCK:
        return dlms_apdu_get_datablock_sa(d, &r->block);
    default:
        return DLMS_APDU_ERR_TYPE;
    }
}

int dlms_action_request_decode(const uint8_t *in, size_t len, dlms_action_request_t *r) {
    if (r == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    memset(r, 0, sizeof(*r));
    axdr_dec_t d;
    int rc = apdu_dec_begin(&d, in, len, DLMS_APDU_ACTION_REQUEST, &r->type);
    if (rc == 0) {
        rc = get_action_request_body(&d, r);
    }
    if (rc == 0) {
        rc = apdu_dec_end(&d);
    }
    if (rc != 0) {
        memset(r, 0, sizeof(*r));
    }
    return rc;
}

/* ---- action-response ---------------------------------------------------------- */

static int put_result_data(axdr_enc_t *e, const dlms_action_result_data_t *a) {
    apdu_put_u8(e, a->result);
    if (!a->has_return) {
        return apdu_put_u8(e, 0);
    }
    apdu_put_u8(e, 1);
    return dlms_apdu_put_get_data_result(e, &a->ret);
}

static int put_action_response_body(axdr_enc_t *e, const dlms_action_response_t *r) {
    int rc;
    switch (r->type) {
    case DLMS_ACTION_RESPONSE_NORMAL:
        return put_result_data(e, &r->results[0]);
    case DLMS_ACTION_RESPONSE_WITH_PBLOCK:
        return dlms_apdu_put_datablock_sa(e, &r->block);
    case DLMS_ACTION_RESPONSE_WITH_LIST:
        rc = apdu_put_list_count(e, r->count);
        for (uint8_t i = 0; rc == 0 && i < r->count; i++) {
            rc = put_result_data(e, &r->results[i]);
        }
        return rc;
    case DLMS_ACTION_RESPONSE_NEXT_PBLOCK:
        return apdu_put_u32(e, r->block_number);
    default:
        return DLMS_APDU_ERR_TYPE;
    }
}

int dlms_action_response_encode(const dlms_action_response_t *r, uint8_t *out, size_t cap) {
    axdr_enc_t e;
    int rc = r == NULL ? DLMS_APDU_ERR_BADARG : apdu_enc_begin(&e, out, cap);
    if (rc != 0) {
        return rc;
    }
    apdu_put_u8(&e, DLMS_APDU_ACTION_RESPONSE);
    apdu_put_u8(&e, r->type);
    apdu_put_u8(&e, r->invoke_id);
    return apdu_enc_finish(&e, put_action_response_body(&e, r));
}

static int get_result_data(axdr_dec_t *d, dlms_action_result_data_t *a) {
    int rc = apdu_get_u8(d, &a->result);
    if (rc == 0) {
        rc = apdu_get_flag(d, &a->has_return);
    }
    if (rc == 0 && a->has_return) {
        rc = dlms_apdu_get_get_data_result(d, &a->ret);
    }
    return rc;
}

static int get_action_response_body(axdr_dec_t *d, dlms_action_response_t *r) {
    int rc = apdu_get_u8(d, &r->invoke_id);
    if (rc != 0) {
        return rc;
    }
    switch (r->type) {
    case DLMS_ACTION_RESPONSE_NORMAL:
        r->count = 1;
        return get_result_data(d, &r->results[0]);
    case DLMS_ACTION_RESPONSE_WITH_PBLOCK:
        return dlms_apdu_get_datablock_sa(d, &r->block);
    case DLMS_ACTION_RESPONSE_WITH_LIST:
        rc = dlms_apdu_get_list_count(d, &r->count);
        for (uint8_t i = 0; rc == 0 && i < r->count; i++) {
            rc = get_result_data(d, &r->results[i]);
        }
        return rc;
    case DLMS_ACTION_RESPONSE_NEXT_PBLOCK:
        return apdu_get_u32(d, &r->block_number);
    default:
        return DLMS_APDU_ERR_TYPE;
    }
}

int dlms_action_response_decode(const uint8_t *in, size_t len, dlms_action_response_t *r) {
    if (r == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    memset(r, 0, sizeof(*r));
    axdr_dec_t d;
    int rc = apdu_dec_begin(&d, in, len, DLMS_APDU_ACTION_RESPONSE, &r->type);
    if (rc == 0) {
        rc = get_action_response_body(&d, r);
    }
    if (rc == 0) {
        rc = apdu_dec_end(&d);
    }
    if (rc != 0) {
        memset(r, 0, sizeof(*r));
    }
    return rc;
}

/* ---- streamed action-response ----------------------------------------------------- */

int dlms_action_response_stream_start(dlms_block_stream_t *s, uint8_t invoke_id, bool list_form,
                                      dlms_apdu_producer_t produce, void *user, size_t max_pdu,
                                      uint8_t *out, size_t cap) {
    return apdu_stream_start(s, DLMS_APDU_ACTION_RESPONSE, invoke_id, list_form, produce, user,
                             max_pdu, out, cap);
}

/* action-response-normal with a bare action-result: how a long ACTION ends
 * when it cannot go on (DataBlock-SA has no result field). */
static int action_error(uint8_t invoke_id, uint8_t result, uint8_t *out, size_t cap) {
    dlms_action_response_t r;
    memset(&r, 0, sizeof(r));
    r.type = DLMS_ACTION_RESPONSE_NORMAL;
    r.invoke_id = invoke_id;
    r.count = 1;
    r.results[0].result = result;
    return dlms_action_response_encode(&r, out, cap);
}

int dlms_action_response_stream_next(dlms_block_stream_t *s, uint8_t invoke_id,
                                     uint32_t block_number, size_t max_pdu, uint8_t *out,
                                     size_t cap) {
    if (s == NULL || out == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    uint8_t result;
    if (!s->active || s->service != DLMS_APDU_ACTION_RESPONSE) {
        result = DLMS_ACTION_NO_LONG_ACTION_IN_PROGRESS;
    } else if (block_number != s->block_number) {
        result = DLMS_ACTION_LONG_ACTION_ABORTED;
    } else {
        s->invoke_id = invoke_id;
        int rc = apdu_stream_next_block(s, max_pdu, out, cap);
        if (rc >= 0 || s->active) {
            return rc;
        }
        result = DLMS_ACTION_LONG_ACTION_ABORTED;
    }
    if (s->service == DLMS_APDU_ACTION_RESPONSE) {
        dlms_block_stream_abort(s);
    }
    return action_error(invoke_id, result, out, cap);
}
