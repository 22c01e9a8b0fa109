/*
 * apdu_get.c - GET service APDUs (IEC 62056-5-3 / Green Book "GET
 * service", Get-Request and Get-Response CHOICEs in A-XDR): normal, next
 * (block transfer) and with-list, both directions, and the streamed
 * get-response-with-datablock of long attribute values. Layouts in apdu.h.
 */
#include "dlms/apdu.h"

#include <string.h>

#include "dlms/apdu_internal.h"

/* ---- get-request ---------------------------------------------------------- */

static int put_attr_selection(axdr_enc_t *e, const dlms_attr_selection_t *a) {
    dlms_apdu_put_descriptor(e, &a->attr);
    return dlms_apdu_put_access_selection(e, &a->access);
}

static int get_attr_selection(axdr_dec_t *d, dlms_attr_selection_t *a) {
    int rc = dlms_apdu_get_descriptor(d, &a->attr);
    return rc != 0 ? rc : dlms_apdu_get_access_selection(d, &a->access);
}

int dlms_get_request_encode(const dlms_get_request_t *r, uint8_t *out, size_t cap) {
    axdr_enc_t e;
    int rc = r == NULL ? DLMS_APDU_ERR_BADARG : apdu_enc_begin(&e, out, cap);
    if (rc != 0) {
        return rc;
    }
    apdu_put_u8(&e, DLMS_APDU_GET_REQUEST);
    apdu_put_u8(&e, r->type);
    apdu_put_u8(&e, r->invoke_id);
    switch (r->type) {
    case DLMS_GET_REQUEST_NORMAL:
        rc = put_attr_selection(&e, &r->items[0]);
        break;
    case DLMS_GET_REQUEST_NEXT:
        apdu_put_u32(&e, r->block_number);
        break;
    case DLMS_GET_REQUEST_WITH_LIST:
        rc = apdu_put_list_count(&e, r->count);
        for (uint8_t i = 0; rc == 0 && i < r->count; i++) {
            rc = put_attr_selection(&e, &r->items[i]);
        }
        break;
    default:
        rc = DLMS_APDU_ERR_TYPE;
        break;
    }
    return apdu_enc_finish(&e, rc);
}

static int get_request_body(axdr_dec_t *d, dlms_get_request_t *r) {
    int rc = apdu_get_u8(d, &r->invoke_id);
    if (rc != 0) {
        return rc;
    }
    switch (r->type) {
    case DLMS_GET_REQUEST_NORMAL:
        r->count = 1;
        return get_attr_selection(d, &r->items[0]);
    case DLMS_GET_REQUEST_NEXT:
        return apdu_get_u32(d, &r->block_number);
    case DLMS_GET_REQUEST_WITH_LIST:
        rc = dlms_apdu_get_list_count(d, &r->count);
        for (uint8_t i = 0; rc == 0 && i < r->count; i++) {
            rc = get_attr_selection(d, &r->items[i]);
        }
        return rc;
    default:
        return DLMS_APDU_ERR_TYPE;
    }
}

int dlms_get_request_decode(const uint8_t *in, size_t len, dlms_get_request_t *r) {
    if (r == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    memset(r, 0, sizeof(*r));
    axdr_dec_t d;
    int rc = apdu_dec_begin(&d, in, len, DLMS_APDU_GET_REQUEST, &r->type);
    if (rc == 0) {
        rc = get_request_body(&d, r);
    }
    if (rc == 0) {
        rc = apdu_dec_end(&d);
    }
    if (rc != 0) {
        memset(r, 0, sizeof(*r));
    }
    return rc;
}

/* ---- get-response --------------------------------------------------------- */

int dlms_get_response_encode(const dlms_get_response_t *r, uint8_t *out, size_t cap) {
    axdr_enc_t e;
    int rc = r == NULL ? DLMS_APDU_ERR_BADARG : apdu_enc_begin(&e, out, cap);
    if (rc != 0) {
        return rc;
    }
    apdu_put_u8(&e, DLMS_APDU_GET_RESPONSE);
    apdu_put_u8(&e, r->type);
    apdu_put_u8(&e, r->invoke_id);
    switch (r->type) {
    case DLMS_GET_RESPONSE_NORMAL:
        rc = dlms_apdu_put_get_data_result(&e, &r->results[0]);
        break;
    case DLMS_GET_RESPONSE_WITH_DATABLOCK:
        rc = dlms_apdu_put_datablock_g(&e, &r->block);
        break;
    case DLMS_GET_RESPONSE_WITH_LIST:
        rc = apdu_put_list_count(&e, r->count);
        for (uint8_t i = 0; rc == 0 && i < r->count; i++) {
            rc = dlms_apdu_put_get_data_result(&e, &r->results[i]);
        }
        break;
    default:
        rc = DLMS_APDU_ERR_TYPE;
        break;
    }
    return apdu_enc_finish(&e, rc);
}

static int get_response_body(axdr_dec_t *d, dlms_get_response_t *r) {
    int rc = apdu_get_u8(d, &r->invoke_id);
    if (rc != 0) {
        return rc;
    }
    switch (r->type) {
    case DLMS_GET_RESPONSE_NORMAL:
        r->count = 1;
        return dlms_apdu_get_get_data_result(d, &r->results[0]);
    case DLMS_GET_RESPONSE_WITH_DATABLOCK:
        return dlms_apdu_get_datablock_g(d, &r->block);
    case DLMS_GET_RESPONSE_WITH_LIST:
        rc = dlms_apdu_get_list_count(d, &r->count);
        for (uint8_t i = 0; rc == 0 && i < r->count; i++) {
            rc = dlms_apdu_get_get_data_result(d, &r->results[i]);
        }
        return rc;
    default:
        return DLMS_APDU_ERR_TYPE;
    }
}

int dlms_get_response_decode(const uint8_t *in, size_t len, dlms_get_response_t *r) {
    if (r == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    memset(r, 0, sizeof(*r));
    axdr_dec_t d;
    int rc = apdu_dec_begin(&d, in, len, DLMS_APDU_GET_RESPONSE, &r->type);
    if (rc == 0) {
        rc = get_response_body(&d, r);
    }
    if (rc == 0) {
        rc = apdu_dec_end(&d);
    }
    if (rc != 0) {
        memset(r, 0, sizeof(*r));
    }
    return rc;
}

/* ---- streamed get-response ------------------------------------------------- */

int dlms_get_response_stream_start(dlms_block_stream_t *s, uint8_t invoke_id, bool list_form,
                                   dlms_apdu_producer_t produce, void *user, size_t max_pdu,
                                   uint8_t *out, size_t cap) {
    return apdu_stream_start(s, DLMS_APDU_GET_RESPONSE, invoke_id, list_form, produce, user,
                             max_pdu, out, cap);
}

/* The last block of a long GET, carrying a data-access-result. */
static int get_block_error(uint8_t invoke_id, uint32_t block_number, uint8_t dar, uint8_t *out,
                           size_t cap) {
    dlms_get_response_t r;
    memset(&r, 0, sizeof(r));
    r.type = DLMS_GET_RESPONSE_WITH_DATABLOCK;
    r.invoke_id = invoke_id;
    r.block.last_block = true;
    r.block.block_number = block_number;
    r.block.is_result = true;
    r.block.result = dar;
    return dlms_get_response_encode(&r, out, cap);
}

int dlms_get_response_stream_next(dlms_block_stream_t *s, uint8_t invoke_id, uint32_t block_number,
                                  size_t max_pdu, uint8_t *out, size_t cap) {
    if (s == NULL || out == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    uint8_t dar;
    if (!s->active || s->service != DLMS_APDU_GET_RESPONSE) {
        dar = DLMS_DAR_NO_LONG_GET_IN_PROGRESS;
    } else if (block_number != s->block_number) {
        dar = DLMS_DAR_DATA_BLOCK_NUMBER_INVALID;
    } else {
        s->invoke_id = invoke_id;
        int rc = apdu_stream_next_block(s, max_pdu, out, cap);
        if (rc >= 0 || s->active) {
            return rc; /* a block, or an output problem the caller may retry */
        }
        dar = DLMS_DAR_LONG_GET_ABORTED;
    }
    if (s->service == DLMS_APDU_GET_RESPONSE) {
        dlms_block_stream_abort(s);
    }
    return get_block_error(invoke_id, block_number + 1, dar, out, cap);
}

int dlms_get_response_measure(uint8_t invoke_id, bool list_form, dlms_apdu_producer_t produce,
                              void *user, size_t *total) {
    if (total == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    uint8_t prefix[APDU_NORMAL_PREFIX_MAX];
    size_t plen = apdu_normal_prefix(DLMS_APDU_GET_RESPONSE, invoke_id, list_form, prefix);
    int rc = dlms_apdu_produce_measure(produce, user, total);
    if (rc == 0) {
        *total += plen;
    }
    return rc;
}

int dlms_get_response_window(uint8_t invoke_id, bool list_form, dlms_apdu_producer_t produce,
                             void *user, size_t offset, uint8_t *buf, size_t len) {
    uint8_t prefix[APDU_NORMAL_PREFIX_MAX];
    size_t plen = apdu_normal_prefix(DLMS_APDU_GET_RESPONSE, invoke_id, list_form, prefix);
    return dlms_apdu_produce_window(prefix, plen, produce, user, offset, buf, len);
}
