/*
 * apdu_set.c - SET service APDUs (IEC 62056-5-3 / Green Book "SET
 * service", Set-Request and Set-Response CHOICEs in A-XDR): normal, with
 * first datablock, with datablock, with-list and with-list-and-first-
 * datablock requests; normal, datablock, last-datablock, last-datablock-
 * with-list and with-list responses. Layouts in apdu.h.
 */
#include "dlms/apdu.h"

#include <string.h>

#include "dlms/apdu_internal.h"

/* ---- set-request ----------------------------------------------------------- */

static int put_selection(axdr_enc_t *e, const dlms_attr_selection_t *a) {
    dlms_apdu_put_descriptor(e, &a->attr);
    return dlms_apdu_put_access_selection(e, &a->access);
}

/* attribute-descriptor-list: count, then each descriptor with selection. */
static int put_selection_list(axdr_enc_t *e, const dlms_set_request_t *r) {
    int rc = apdu_put_list_count(e, r->count);
    for (uint8_t i = 0; rc == 0 && i < r->count; i++) {
        rc = put_selection(e, &r->items[i]);
    }
    return rc;
}

static int put_value_list(axdr_enc_t *e, const dlms_set_request_t *r) {
    int rc = apdu_put_list_count(e, r->count);
    for (uint8_t i = 0; rc == 0 && i < r->count; i++) {
        rc = dlms_apdu_put_data(e, r->values[i]);
    }
    return rc;
}

static int put_set_request_body(axdr_enc_t *e, const dlms_set_request_t *r) {
    int rc;
    switch (r->type) {
    case DLMS_SET_REQUEST_NORMAL:
        rc = put_selection(e, &r->items[0]);
        return rc != 0 ? rc : dlms_apdu_put_data(e, r->values[0]);
    case DLMS_SET_REQUEST_WITH_FIRST_DATABLOCK:
        rc = put_selection(e, &r->items[0]);
        return rc != 0 ? rc : dlms_apdu_put_datablock_sa(e, &r->block);
    case DLMS_SET_REQUEST_WITH_DATABLOCK:
        return dlms_apdu_put_datablock_sa(e, &r->block);
    case DLMS_SET_REQUEST_WITH_LIST:
        rc = put_selection_list(e, r);
        return rc != 0 ? rc : put_value_list(e, r);
    case DLMS_SET_REQUEST_WITH_LIST_AND_FIRST_DATABLOCK:
        rc = put_selection_list(e, r);
        return rc != 0 ? rc : dlms_apdu_put_datablock_sa(e, &r->block);
    default:
        return DLMS_APDU_ERR_TYPE;
    }
}

int dlms_set_request_encode(const dlms_set_request_t *r, uint8_t *out, size_t cap) {
    axdr_enc_t e;
    int rc = r == NULL ? DLMS_APDU_ERR_BADARG : apdu_enc_begin(&e, out, cap);
    if (rc != 0) {
        return rc;
    }
    apdu_put_u8(&e, DLMS_APDU_SET_REQUEST);
    apdu_put_u8(&e, r->type);
    apdu_put_u8(&e, r->invoke_id);
    return apdu_enc_finish(&e, put_set_request_body(&e, r));
}

static int get_selection(axdr_dec_t *d, dlms_attr_selection_t *a) {
    int rc = dlms_apdu_get_descriptor(d, &a->attr);
    return rc != 0 ? rc : dlms_apdu_get_access_selection(d, &a->access);
}

static int get_selection_list(axdr_dec_t *d, dlms_set_request_t *r) {
    int rc = dlms_apdu_get_list_count(d, &r->count);
    for (uint8_t i = 0; rc == 0 && i < r->count; i++) {
        rc = get_selection(d, &r->items[i]);
    }
    return rc;
}

/* value-list: as many Data as descriptors (Green Book: one value each). */
static int get_value_list(axdr_dec_t *d, dlms_set_request_t *r) {
    uint8_t n = 0;
    int rc = dlms_apdu_get_list_count(d, &n);
    if (rc == 0 && n != r->count) {
        rc = DLMS_APDU_ERR_LIST_MISMATCH;
    }
    for (uint8_t i = 0; rc == 0 && i < n; i++) {
        rc = dlms_apdu_get_data(d, &r->values[i]);
    }
    return rc;
}

static int get_set_request_body(axdr_dec_t *d, dlms_set_request_t *r) {
    int rc = apdu_get_u8(d, &r->invoke_id);
    if (rc != 0) {
        return rc;
    }
    switch (r->type) {
    case DLMS_SET_REQUEST_NORMAL:
        r->count = 1;
        rc = get_selection(d, &r->items[0]);
        return rc != 0 ? rc : dlms_apdu_get_data(d, &r->values[0]);
    case DLMS_SET_REQUEST_WITH_FIRST_DATABLOCK:
        r->count = 1;
        rc = get_selection(d, &r->items[0]);
        return rc != 0 ? rc : dlms_apdu_get_datablock_sa(d, &r->block);
    case DLMS_SET_REQUEST_WITH_DATABLOCK:
        return dlms_apdu_get_datablock_sa(d, &r->block);
    case DLMS_SET_REQUEST_WITH_LIST:
        rc = get_selection_list(d, r);
        return rc != 0 ? rc : get_value_list(d, r);
    case DLMS_SET_REQUEST_WITH_LIST_AND_FIRST_DATABLOCK:
        rc = get_selection_list(d, r);
        return rc != 0 ? rc : dlms_apdu_get_datablock_sa(d, &r->block);
    default:
        return DLMS_APDU_ERR_TYPE;
    }
}

int dlms_set_request_decode(const uint8_t *in, size_t len, dlms_set_request_t *r) {
    if (r == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    memset(r, 0, sizeof(*r));
    axdr_dec_t d;
    int rc = apdu_dec_begin(&d, in, len, DLMS_APDU_SET_REQUEST, &r->type);
    if (rc == 0) {
        rc = get_set_request_body(&d, r);
    }
    if (rc == 0) {
        rc = apdu_dec_end(&d);
    }
    if (rc != 0) {
        memset(r, 0, sizeof(*r));
    }
    return rc;
}

/* ---- set-response ------------------------------------------------------------ */

static int put_results(axdr_enc_t *e, const dlms_set_response_t *r) {
    int rc = apdu_put_list_count(e, r->count);
    for (uint8_t i = 0; rc == 0 && i < r->count; i++) {
        rc = apdu_put_u8(e, r->results[i]);
    }
    return rc;
}

static int put_set_response_body(axdr_enc_t *e, const dlms_set_response_t *r) {
    int rc;
    switch (r->type) {
    case DLMS_SET_RESPONSE_NORMAL:
        return apdu_put_u8(e, r->results[0]);
    case DLMS_SET_RESPONSE_DATABLOCK:
        return apdu_put_u32(e, r->block_number);
    case DLMS_SET_RESPONSE_LAST_DATABLOCK:
        apdu_put_u8(e, r->results[0]);
        return apdu_put_u32(e, r->block_number);
    case DLMS_SET_RESPONSE_LAST_DATABLOCK_WITH_LIST:
        rc = put_results(e, r);
        return rc != 0 ? rc : apdu_put_u32(e, r->block_number);
    case DLMS_SET_RESPONSE_WITH_LIST:
        return put_results(e, r);
    default:
        return DLMS_APDU_ERR_TYPE;
    }
}

int dlms_set_response_encode(const dlms_set_response_t *r, uint8_t *out, size_t cap) {
    axdr_enc_t e;
    int rc = r == NULL ? DLMS_APDU_ERR_BADARG : apdu_enc_begin(&e, out, cap);
    if (rc != 0) {
        return rc;
    }
    apdu_put_u8(&e, DLMS_APDU_SET_RESPONSE);
    apdu_put_u8(&e, r->type);
    apdu_put_u8(&e, r->invoke_id);
    return apdu_enc_finish(&e, put_set_response_body(&e, r));
}

static int get_results(axdr_dec_t *d, dlms_set_response_t *r) {
    int rc = dlms_apdu_get_list_count(d, &r->count);
    for (uint8_t i = 0; rc == 0 && i < r->count; i++) {
        rc = apdu_get_u8(d, &r->results[i]);
    }
    return rc;
}

static int get_set_response_body(axdr_dec_t *d, dlms_set_response_t *r) {
    int rc = apdu_get_u8(d, &r->invoke_id);
    if (rc != 0) {
        return rc;
    }
    switch (r->type) {
    case DLMS_SET_RESPONSE_NORMAL:
        r->count = 1;
        return apdu_get_u8(d, &r->results[0]);
    case DLMS_SET_RESPONSE_DATABLOCK:
        return apdu_get_u32(d, &r->block_number);
    case DLMS_SET_RESPONSE_LAST_DATABLOCK:
        r->count = 1;
        rc = apdu_get_u8(d, &r->results[0]);
        return rc != 0 ? rc : apdu_get_u32(d, &r->block_number);
    case DLMS_SET_RESPONSE_LAST_DATABLOCK_WITH_LIST:
        rc = get_results(d, r);
        return rc != 0 ? rc : apdu_get_u32(d, &r->block_number);
    case DLMS_SET_RESPONSE_WITH_LIST:
        return get_results(d, r);
    default:
        return DLMS_APDU_ERR_TYPE;
    }
}

int dlms_set_response_decode(const uint8_t *in, size_t len, dlms_set_response_t *r) {
    if (r == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    memset(r, 0, sizeof(*r));
    axdr_dec_t d;
    int rc = apdu_dec_begin(&d, in, len, DLMS_APDU_SET_RESPONSE, &r->type);
    if (rc == 0) {
        rc = get_set_response_body(&d, r);
    }
    if (rc == 0) {
        rc = apdu_dec_end(&d);
    }
    if (rc != 0) {
        memset(r, 0, sizeof(*r));
    }
    return rc;
}
