/*
 * server_services.c - the xDLMS GET, SET and ACTION services of the DLMS
 * server (IEC 62056-5-3 / Green Book "GET", "SET", "ACTION" services with
 * service-specific block transfer; dlms-facts §4.4): requests decoded,
 * checked against the negotiated conformance, handed attribute by
 * attribute to the object layer (cosem_services.h), and answered with the
 * object's exact data-access-result / action-result.
 *
 * Long GET replies go through the apdu streaming engine: the producer
 * below calls the object's get() again for each block on a window
 * encoder, with the descriptor, a copy of the selective-access parameters
 * and the object's cookie kept in s->lt. ACTION return data is produced
 * once (methods have side effects) into the reassembly buffer and streamed
 * from there. SET values and ACTION parameters sent in blocks are
 * reassembled there too.
 */
#include <string.h>

#include "dlms/server_internal.h"

/* ---- common -------------------------------------------------------------------------------- */

void srv_long_abort(dlms_server_t *s) {
    memset(&s->lt, 0, sizeof s->lt);
}

static bool conf_has(const dlms_server_t *s, uint32_t bits) {
    return (s->view.conformance & bits) == bits;
}

/* An object's answer as a data-access-result / action-result: 1..255 as
 * it is, an internal error (negative) or a code out of range other-reason. */
static uint8_t result_of(int rc) {
    if (rc == 0) {
        return DLMS_DAR_SUCCESS;
    }
    return (rc > 0 && rc <= 255) ? (uint8_t)rc : DLMS_DAR_OTHER_REASON;
}

/* A request the decoder refused. */
static int refuse_decode(srv_req_t *c, int rc, uint8_t tag) {
    if (rc == DLMS_APDU_ERR_TYPE) {
        return srv_refuse(c, tag); /* a request type we do not know */
    }
    uint8_t why =
        rc == DLMS_APDU_ERR_LIST_TOO_LONG ? DLMS_EXC_OPERATION_NOT_POSSIBLE : DLMS_EXC_OTHER_REASON;
    return srv_exception(c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED, why, 0);
}

/* Length of an encoder's output; DLMS_SERVER_ERR_BUFFER when the reply
 * does not fit the PDU (the caller answers pdu-too-long instead). */
static int enc_done(const axdr_enc_t *e) {
    return e->err == 0 ? (int)e->len : DLMS_SERVER_ERR_BUFFER;
}

/* Copies the selective-access parameters of the transfer out of the
 * request, which is gone when the next block is asked for. */
static bool keep_selections(dlms_server_t *s) {
    dlms_server_long_t *lt = &s->lt;
    size_t used = 0;
    for (uint8_t i = 0; i < lt->count; i++) {
        dlms_access_selection_t *a = &lt->sel[i];
        if (!a->present || a->parameters.len == 0) {
            continue;
        }
        if (a->parameters.len > sizeof lt->sel_buf - used) {
            return false;
        }
        memcpy(lt->sel_buf + used, a->parameters.p, a->parameters.len);
        a->parameters.p = lt->sel_buf + used;
        used += a->parameters.len;
    }
    lt->sel_used = used;
    return true;
}

/* ==================================================================================== */
/* GET                                                                                   */
/* ==================================================================================== */

/* get-response-normal with a data-access-result: C4 01 iid 01 dar. */
static int get_dar_reply(srv_req_t *c, uint8_t invoke_id, uint8_t dar) {
    axdr_enc_t e;
    axdr_enc_init(&e, c->body, c->budget);
    axdr_put_raw(&e, (const uint8_t[]){DLMS_APDU_GET_RESPONSE, DLMS_GET_RESPONSE_NORMAL}, 2);
    axdr_put_raw(&e, &invoke_id, 1);
    dlms_apdu_put_result_dar(&e, dar);
    return enc_done(&e);
}

/* get-response-with-list where every entry carries the same dar. */
static int get_list_dar_reply(srv_req_t *c, uint8_t invoke_id, uint8_t count, uint8_t dar) {
    axdr_enc_t e;
    axdr_enc_init(&e, c->body, c->budget);
    axdr_put_raw(&e, (const uint8_t[]){DLMS_APDU_GET_RESPONSE, DLMS_GET_RESPONSE_WITH_LIST}, 2);
    axdr_put_raw(&e, &invoke_id, 1);
    axdr_put_length(&e, count);
    for (uint8_t i = 0; i < count; i++) {
        dlms_apdu_put_result_dar(&e, dar);
    }
    return enc_done(&e);
}

static int get_failed(dlms_server_t *s, srv_req_t *c, uint8_t dar) {
    uint8_t iid = s->lt.invoke_id;
    bool list = s->lt.list_form;
    uint8_t count = s->lt.count;
    srv_long_abort(s);
    return list ? get_list_dar_reply(c, iid, count, dar) : get_dar_reply(c, iid, dar);
}

/* One run of the object's get() for entry i. */
static int run_get(dlms_server_t *s, uint8_t i, axdr_enc_t *e) {
    const dlms_cosem_services_t *sv = s->cfg->services;
    dlms_get_call_t *call = &s->lt.call[i];
    int rc = sv->get(sv->user, call, e);
    call->first_call = false; /* the cookie now holds what the object kept */
    return rc != 0 ? rc : e->err;
}

/* In window mode the encoder overflowing is how a window ends. */
static bool window_full(const axdr_enc_t *e, int rc) {
    return rc == AXDR_ERR_OVERFLOW && e->err == AXDR_ERR_OVERFLOW;
}

static int produce_single(dlms_server_t *s, axdr_enc_t *e) {
    int rc = run_get(s, 0, e);
    if (rc == 0 || window_full(e, rc)) {
        return rc;
    }
    /* A DAR is not an APDU length: carry it beside the error. */
    s->lt.producer_dar = result_of(rc);
    return DLMS_SERVER_ERR_DAR;
}

/* What entry i answers, found once by measuring it on its own, so that a
 * refused entry is written as its data-access-result and not as the
 * pieces it may have put before refusing. */
static uint8_t entry_outcome(dlms_server_t *s, uint8_t i) {
    axdr_enc_t m;
    axdr_enc_init_measure(&m);
    int rc = run_get(s, i, &m);
    if (rc == 0 && m.len == 0) {
        rc = DLMS_DAR_OTHER_REASON; /* no Data at all */
    }
    return result_of(rc);
}

/* The body of get-response-with-list: count, then per entry Get-Data-Result. */
static int produce_list(dlms_server_t *s, axdr_enc_t *e) {
    dlms_server_long_t *lt = &s->lt;
    axdr_put_length(e, lt->count);
    for (uint8_t i = 0; i < lt->count && e->err == 0; i++) {
        if (!lt->outcomes) {
            lt->dar[i] = entry_outcome(s, i);
        }
        if (lt->dar[i] != DLMS_DAR_SUCCESS) {
            dlms_apdu_put_result_dar(e, lt->dar[i]);
            continue;
        }
        if (dlms_apdu_put_result_data(e) != 0) {
            break;
        }
        int rc = run_get(s, i, e);
        if (rc != 0 && !window_full(e, rc)) {
            return DLMS_SERVER_ERR_DAR; /* the object changed its mind: abort */
        }
    }
    if (e->err == 0) {
        lt->outcomes = true;
    }
    return e->err;
}

static int get_producer(void *user, axdr_enc_t *e) {
    dlms_server_t *s = user;
    return s->lt.list_form ? produce_list(s, e) : produce_single(s, e);
}

/* The transfer state of a new GET (normal: one entry, with-list: n). */
static void get_prepare(dlms_server_t *s, uint8_t invoke_id, bool list, uint8_t count,
                        const dlms_attr_selection_t *items) {
    dlms_server_long_t *lt = &s->lt;
    srv_long_abort(s);
    lt->invoke_id = invoke_id;
    lt->list_form = list;
    lt->count = count;
    for (uint8_t i = 0; i < count; i++) {
        lt->desc[i] = items[i].attr;
        lt->sel[i] = items[i].access;
        lt->call[i].assoc = &s->view;
        lt->call[i].attr = &lt->desc[i];
        lt->call[i].selection = &lt->sel[i];
        lt->call[i].first_call = true;
    }
}

/* ---- GET in general-block-transfer blocks ------------------------------------------------- */

/* The next GBT block of the streamed reply, straight into the output: the
 * block data is a window of the whole get-response, produced on demand. */
static int gbt_send_next(dlms_server_t *s, srv_req_t *c) {
    dlms_server_long_t *lt = &s->lt;
    dlms_gbt_block_t blk;
    if (dlms_gbt_tx_next(&lt->gbt, &blk) == 0) {
        return 0; /* waiting for an acknowledgement */
    }
    dlms_gbt_t g = {blk.last_block,   blk.streaming,  EM_DLMS_GBT_WINDOW,
                    blk.block_number, s->gbt_rx_last, {NULL, 0}};
    axdr_enc_t e;
    axdr_enc_init(&e, c->out, c->limit);
    if (dlms_gbt_put_header(&e, &g, blk.len) != 0 || blk.len > c->limit - e.len) {
        srv_long_abort(s);
        return DLMS_SERVER_ERR_INTERNAL;
    }
    int rc = dlms_get_response_window(lt->invoke_id, lt->list_form, get_producer, s, blk.offset,
                                      c->out + e.len, blk.len);
    if (rc != 0) {
        srv_long_abort(s);
        return srv_exception(c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED, DLMS_EXC_OTHER_REASON, 0);
    }
    s->gbt_tx_number = (uint16_t)(blk.block_number + 1u);
    c->final = true;
    return (int)(e.len + blk.len);
}

static int get_gbt_start(dlms_server_t *s, srv_req_t *c) {
    dlms_server_long_t *lt = &s->lt;
    dlms_block_stream_abort(&lt->stream);
    size_t total = 0;
    if (dlms_get_response_measure(lt->invoke_id, lt->list_form, get_producer, s, &total) != 0) {
        return get_failed(s, c, DLMS_DAR_OTHER_REASON);
    }
    if (s->gbt_tx_number == 0) {
        s->gbt_tx_number = 1;
    }
    /* One block per acknowledgement (peer window taken as 1): the server
     * returns one APDU per input. */
    if (dlms_gbt_tx_init(&lt->gbt, total, c->limit - SRV_GBT_HEADER_MAX, s->gbt_tx_number, 1) !=
        0) {
        return get_failed(s, c, DLMS_DAR_OTHER_REASON);
    }
    lt->kind = DLMS_SERVER_LONG_GET_GBT;
    return gbt_send_next(s, c);
}

int srv_get_gbt_ack(dlms_server_t *s, srv_req_t *c, const dlms_gbt_t *ack) {
    int rc = dlms_gbt_tx_ack(&s->lt.gbt, ack->block_number_ack, 1);
    if (rc != 0) {
        srv_long_abort(s); /* all acknowledged, or an impossible acknowledgement */
        return 0;
    }
    return gbt_send_next(s, c);
}

/* ---- GET normal / with-list / next ------------------------------------------------------------
 */

/* The reply does not fit one APDU: keep the transfer for the next blocks,
 * or choose GBT, or give up. */
static int get_long(dlms_server_t *s, srv_req_t *c, int n) {
    if (!keep_selections(s)) {
        return get_failed(s, c, DLMS_DAR_OTHER_REASON);
    }
    if (conf_has(s, DLMS_CONF_BLOCK_TRANSFER_WITH_GET_OR_READ)) {
        s->lt.kind = DLMS_SERVER_LONG_GET;
        return n;
    }
    if (conf_has(s, DLMS_CONF_GENERAL_BLOCK_TRANSFER) && !c->ciphered) {
        return get_gbt_start(s, c);
    }
    return get_failed(s, c, DLMS_DAR_OTHER_REASON); /* no way to send it */
}

static int get_start(dlms_server_t *s, srv_req_t *c) {
    dlms_server_long_t *lt = &s->lt;
    int n = dlms_get_response_stream_start(&lt->stream, lt->invoke_id, lt->list_form, get_producer,
                                           s, c->budget, c->body, c->budget);
    if (n == DLMS_SERVER_ERR_DAR && !lt->list_form) {
        return get_failed(s, c, lt->producer_dar);
    }
    if (n < 0) {
        return get_failed(s, c, DLMS_DAR_OTHER_REASON);
    }
    if (!lt->stream.active) {
        srv_long_abort(s); /* answered in one APDU */
        return n;
    }
    return get_long(s, c, n);
}

static int get_next(dlms_server_t *s, srv_req_t *c, const dlms_get_request_t *r) {
    if (s->lt.kind != DLMS_SERVER_LONG_GET) {
        srv_long_abort(s); /* the engine answers no-long-get-in-progress */
    }
    int n = dlms_get_response_stream_next(&s->lt.stream, r->invoke_id, r->block_number, c->budget,
                                          c->body, c->budget);
    if (!s->lt.stream.active) {
        srv_long_abort(s);
    }
    if (n < 0) {
        return srv_exception(c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED, DLMS_EXC_OTHER_REASON, 0);
    }
    return n;
}

int srv_get(dlms_server_t *s, srv_req_t *c, const uint8_t *apdu, size_t len) {
    if (!conf_has(s, DLMS_CONF_GET)) {
        return srv_refuse(c, DLMS_APDU_GET_REQUEST);
    }
    dlms_get_request_t *r = &s->req.get;
    int rc = dlms_get_request_decode(apdu, len, r);
    if (rc != 0) {
        return refuse_decode(c, rc, DLMS_APDU_GET_REQUEST);
    }
    switch (r->type) {
    case DLMS_GET_REQUEST_NORMAL:
        get_prepare(s, r->invoke_id, false, 1, r->items);
        return get_start(s, c);
    case DLMS_GET_REQUEST_NEXT:
        return get_next(s, c, r);
    default: /* with-list */
        if (!conf_has(s, DLMS_CONF_MULTIPLE_REFERENCES)) {
            return srv_refuse(c, DLMS_APDU_GET_REQUEST);
        }
        get_prepare(s, r->invoke_id, true, r->count, r->items);
        return get_start(s, c);
    }
}

/* ==================================================================================== */
/* SET                                                                                   */
/* ==================================================================================== */

static uint8_t call_set(dlms_server_t *s, const dlms_cosem_descriptor_t *attr,
                        const dlms_access_selection_t *sel, const uint8_t *value, size_t len) {
    const dlms_cosem_services_t *sv = s->cfg->services;
    axdr_dec_t d;
    axdr_dec_init(&d, value, len);
    return result_of(sv->set(sv->user, &s->view, attr, sel, &d));
}

static int set_reply(srv_req_t *c, const dlms_set_response_t *r) {
    int n = dlms_set_response_encode(r, c->body, c->budget);
    return n < 0 ? DLMS_SERVER_ERR_BUFFER : n;
}

static void set_response_init(dlms_set_response_t *r, uint8_t type, uint8_t invoke_id) {
    memset(r, 0, sizeof *r);
    r->type = type;
    r->invoke_id = invoke_id;
}

static int set_normal(dlms_server_t *s, srv_req_t *c, const dlms_set_request_t *q) {
    dlms_set_response_t r;
    set_response_init(&r, DLMS_SET_RESPONSE_NORMAL, q->invoke_id);
    r.count = 1;
    r.results[0] =
        call_set(s, &q->items[0].attr, &q->items[0].access, q->values[0].p, q->values[0].len);
    return set_reply(c, &r);
}

static int set_list(dlms_server_t *s, srv_req_t *c, const dlms_set_request_t *q) {
    dlms_set_response_t r;
    set_response_init(&r, DLMS_SET_RESPONSE_WITH_LIST, q->invoke_id);
    r.count = q->count;
    for (uint8_t i = 0; i < q->count; i++) {
        r.results[i] =
            call_set(s, &q->items[i].attr, &q->items[i].access, q->values[i].p, q->values[i].len);
    }
    return set_reply(c, &r);
}

/* The last answer of a SET in blocks: one dar per entry, block number. */
static int set_last_reply(srv_req_t *c, uint8_t invoke_id, bool list, uint8_t count,
                          const uint8_t *dars, uint32_t block_number) {
    dlms_set_response_t r;
    set_response_init(
        &r, list ? DLMS_SET_RESPONSE_LAST_DATABLOCK_WITH_LIST : DLMS_SET_RESPONSE_LAST_DATABLOCK,
        invoke_id);
    r.block_number = block_number;
    r.count = list ? count : 1;
    memcpy(r.results, dars, r.count);
    return set_reply(c, &r);
}

/* A SET in blocks ends with the same dar for every entry. */
static int set_abort(dlms_server_t *s, srv_req_t *c, uint8_t invoke_id, uint8_t dar,
                     uint32_t block_number) {
    bool list = s->lt.kind == DLMS_SERVER_LONG_SET && s->lt.list_form;
    uint8_t count = list ? s->lt.count : 1;
    uint8_t dars[EM_DLMS_MAX_LIST];
    memset(dars, dar, sizeof dars);
    srv_long_abort(s);
    return set_last_reply(c, invoke_id, list, count, dars, block_number);
}

/* Splits a reassembled value into its Data: one, or with a list a
 * SEQUENCE OF count Data, and nothing after them. */
static bool split_data(const uint8_t *buf, size_t len, bool list, uint8_t count,
                       dlms_slice_t *items) {
    axdr_dec_t d;
    axdr_dec_init(&d, buf, len);
    uint32_t n = 1;
    if (list && (axdr_get_length(&d, &n) != 0 || n != count)) {
        return false;
    }
    for (uint8_t i = 0; i < count; i++) {
        size_t used = 0;
        if (axdr_validate(d.p + d.pos, axdr_dec_remaining(&d), &used) != 0) {
            return false;
        }
        items[i].p = d.p + d.pos;
        items[i].len = used;
        d.pos += used;
    }
    return axdr_dec_remaining(&d) == 0;
}

/* The whole value arrived: every entry is checked before any is written. */
static int set_complete(dlms_server_t *s, srv_req_t *c, uint8_t invoke_id, uint32_t block_number) {
    dlms_server_long_t *lt = &s->lt;
    uint8_t dars[EM_DLMS_MAX_LIST];
    dlms_slice_t values[EM_DLMS_MAX_LIST];
    memset(dars, DLMS_DAR_TYPE_UNMATCHED, sizeof dars);
    if (split_data(s->block_buf, lt->rx.len, lt->list_form, lt->count, values)) {
        for (uint8_t i = 0; i < lt->count; i++) {
            dars[i] = call_set(s, &lt->desc[i], &lt->sel[i], values[i].p, values[i].len);
        }
    }
    bool list = lt->list_form;
    uint8_t count = lt->count;
    srv_long_abort(s);
    return set_last_reply(c, invoke_id, list, count, dars, block_number);
}

static int set_push(dlms_server_t *s, srv_req_t *c, uint8_t invoke_id, const dlms_datablock_t *b) {
    int rc = dlms_block_rx_push(&s->lt.rx, b);
    if (rc == 1) {
        return set_complete(s, c, invoke_id, b->block_number);
    }
    if (rc < 0) {
        uint8_t dar = rc == DLMS_APDU_ERR_BLOCK_NUMBER ? DLMS_DAR_DATA_BLOCK_NUMBER_INVALID
                      : rc == DLMS_APDU_ERR_TOO_LONG   ? DLMS_DAR_LONG_SET_ABORTED
                                                       : DLMS_DAR_OTHER_REASON;
        return set_abort(s, c, invoke_id, dar, b->block_number);
    }
    dlms_set_response_t r;
    set_response_init(&r, DLMS_SET_RESPONSE_DATABLOCK, invoke_id);
    r.block_number = b->block_number;
    return set_reply(c, &r);
}

static int set_first_block(dlms_server_t *s, srv_req_t *c, const dlms_set_request_t *q) {
    dlms_server_long_t *lt = &s->lt;
    srv_long_abort(s);
    lt->kind = DLMS_SERVER_LONG_SET;
    lt->invoke_id = q->invoke_id;
    lt->list_form = q->type == DLMS_SET_REQUEST_WITH_LIST_AND_FIRST_DATABLOCK;
    lt->count = q->count;
    for (uint8_t i = 0; i < q->count; i++) {
        lt->desc[i] = q->items[i].attr;
        lt->sel[i] = q->items[i].access;
    }
    if (!keep_selections(s)) {
        return set_abort(s, c, q->invoke_id, DLMS_DAR_OTHER_REASON, q->block.block_number);
    }
    dlms_block_rx_init(&lt->rx, s->block_buf, sizeof s->block_buf);
    return set_push(s, c, q->invoke_id, &q->block);
}

static int set_next_block(dlms_server_t *s, srv_req_t *c, const dlms_set_request_t *q) {
    if (s->lt.kind != DLMS_SERVER_LONG_SET) {
        return set_abort(s, c, q->invoke_id, DLMS_DAR_NO_LONG_SET_IN_PROGRESS,
                         q->block.block_number);
    }
    return set_push(s, c, q->invoke_id, &q->block);
}

/* Conformance a SET request type needs beyond "set". */
static uint32_t set_needs(uint8_t type) {
    switch (type) {
    case DLMS_SET_REQUEST_WITH_FIRST_DATABLOCK:
    case DLMS_SET_REQUEST_WITH_DATABLOCK:
        return DLMS_CONF_BLOCK_TRANSFER_WITH_SET_OR_WRITE;
    case DLMS_SET_REQUEST_WITH_LIST:
        return DLMS_CONF_MULTIPLE_REFERENCES;
    case DLMS_SET_REQUEST_WITH_LIST_AND_FIRST_DATABLOCK:
        return DLMS_CONF_MULTIPLE_REFERENCES | DLMS_CONF_BLOCK_TRANSFER_WITH_SET_OR_WRITE;
    default:
        return 0;
    }
}

int srv_set(dlms_server_t *s, srv_req_t *c, const uint8_t *apdu, size_t len) {
    if (!conf_has(s, DLMS_CONF_SET)) {
        return srv_refuse(c, DLMS_APDU_SET_REQUEST);
    }
    dlms_set_request_t *q = &s->req.set;
    int rc = dlms_set_request_decode(apdu, len, q);
    if (rc != 0) {
        return refuse_decode(c, rc, DLMS_APDU_SET_REQUEST);
    }
    if (!conf_has(s, set_needs(q->type))) {
        return srv_refuse(c, DLMS_APDU_SET_REQUEST);
    }
    if (q->type != DLMS_SET_REQUEST_WITH_DATABLOCK) {
        srv_long_abort(s); /* a new SET abandons any long transfer */
    }
    switch (q->type) {
    case DLMS_SET_REQUEST_NORMAL:
        return set_normal(s, c, q);
    case DLMS_SET_REQUEST_WITH_LIST:
        return set_list(s, c, q);
    case DLMS_SET_REQUEST_WITH_DATABLOCK:
        return set_next_block(s, c, q);
    default: /* with-first-datablock, with-list-and-first-datablock */
        return set_first_block(s, c, q);
    }
}

/* ==================================================================================== */
/* ACTION                                                                                */
/* ==================================================================================== */

/* action-response-normal / with-list where every method has one result
 * and no data. */
static int action_results_reply(srv_req_t *c, uint8_t invoke_id, bool list, uint8_t count,
                                uint8_t result) {
    axdr_enc_t e;
    axdr_enc_init(&e, c->body, c->budget);
    uint8_t hdr[3] = {DLMS_APDU_ACTION_RESPONSE,
                      list ? DLMS_ACTION_RESPONSE_WITH_LIST : DLMS_ACTION_RESPONSE_NORMAL,
                      invoke_id};
    axdr_put_raw(&e, hdr, sizeof hdr);
    if (list) {
        axdr_put_length(&e, count);
    }
    for (uint8_t i = 0; i < (list ? count : 1u); i++) {
        dlms_apdu_put_action_result(&e, result, false);
    }
    return enc_done(&e);
}

/* Runs one method and writes its Action-Response-With-Optional-Data at
 * region[0..): result, 00 | result, 01 00 Data | result, 01 01 dar (return
 * data that did not fit). The Data is encoded in place 3 bytes in, where
 * it ends up once the result is known. Returns the bytes written, or -1
 * when not even a result fits. */
static int run_method(dlms_server_t *s, const dlms_cosem_descriptor_t *m, dlms_slice_t params,
                      uint8_t *region, size_t cap) {
    if (cap < 4) {
        return -1;
    }
    const dlms_cosem_services_t *sv = s->cfg->services;
    axdr_enc_t ret;
    axdr_enc_init(&ret, region + 3, cap - 3);
    axdr_dec_t pd;
    axdr_dec_init(&pd, params.p, params.len);
    bool has_return = false;
    int rc = sv->action(sv->user, &s->view, m, params.p != NULL ? &pd : NULL, &ret, &has_return);
    region[0] = result_of(rc);
    if (!has_return) {
        region[1] = 0;
        return 2;
    }
    region[1] = 1;
    if (ret.err == 0 && axdr_is_one_data(region + 3, ret.len)) {
        region[2] = 0; /* Get-Data-Result choice data */
        return (int)(3 + ret.len);
    }
    region[2] = 1; /* choice data-access-result */
    region[3] = DLMS_DAR_OTHER_REASON;
    return 4;
}

static int action_producer(void *user, axdr_enc_t *e) {
    dlms_server_t *s = user;
    return axdr_put_raw(e, s->block_buf + s->lt.ret_off, s->lt.ret_len);
}

/* Runs the methods and answers with their results, in pblocks when long.
 * Parameters may lie in block_buf[0..start): the replies go after them. */
static int run_actions(dlms_server_t *s, srv_req_t *c, uint8_t invoke_id, bool list, uint8_t count,
                       const dlms_cosem_descriptor_t *methods, const dlms_slice_t *params,
                       size_t start) {
    dlms_server_long_t *lt = &s->lt;
    uint8_t *region = s->block_buf + start;
    size_t cap = sizeof s->block_buf - start;
    size_t pos = 0;
    if (list && cap > 0) {
        region[pos++] = count; /* SEQUENCE OF count: one byte below 128 */
    }
    for (uint8_t i = 0; i < count; i++) {
        int n = run_method(s, &methods[i], params[i], region + pos, cap - pos);
        if (n < 0) {
            srv_long_abort(s);
            return action_results_reply(c, invoke_id, list, count, DLMS_ACTION_OTHER_REASON);
        }
        pos += (size_t)n;
    }
    lt->kind = DLMS_SERVER_LONG_NONE;
    lt->ret_off = start;
    lt->ret_len = pos;
    int n = dlms_action_response_stream_start(&lt->stream, invoke_id, list, action_producer, s,
                                              c->budget, c->body, c->budget);
    bool long_reply = n >= 0 && lt->stream.active;
    if (long_reply && conf_has(s, DLMS_CONF_BLOCK_TRANSFER_WITH_ACTION)) {
        lt->kind = DLMS_SERVER_LONG_ACTION_TX; /* the reply stays in block_buf */
        return n;
    }
    srv_long_abort(s);
    if (n < 0 || long_reply) {
        /* Ran, but the return data cannot be delivered. */
        return action_results_reply(c, invoke_id, list, count, DLMS_ACTION_OTHER_REASON);
    }
    return n;
}

/* ---- ACTION parameters in pblocks -------------------------------------------------------------
 */

/* The whole parameters arrived: one Data, or with a list SEQUENCE OF Data. */
static int action_complete(dlms_server_t *s, srv_req_t *c, uint8_t invoke_id) {
    dlms_server_long_t *lt = &s->lt;
    dlms_slice_t params[EM_DLMS_MAX_LIST];
    if (!split_data(s->block_buf, lt->rx.len, lt->list_form, lt->count, params)) {
        bool list = lt->list_form;
        uint8_t count = lt->count;
        srv_long_abort(s);
        return action_results_reply(c, invoke_id, list, count, DLMS_ACTION_TYPE_UNMATCHED);
    }
    dlms_cosem_descriptor_t methods[EM_DLMS_MAX_LIST];
    memcpy(methods, lt->desc, sizeof methods);
    return run_actions(s, c, invoke_id, lt->list_form, lt->count, methods, params, lt->rx.len);
}

static int action_push(dlms_server_t *s, srv_req_t *c, uint8_t invoke_id,
                       const dlms_datablock_t *b) {
    int rc = dlms_block_rx_push(&s->lt.rx, b);
    if (rc == 1) {
        return action_complete(s, c, invoke_id);
    }
    if (rc < 0) {
        srv_long_abort(s);
        return action_results_reply(c, invoke_id, false, 1, DLMS_ACTION_LONG_ACTION_ABORTED);
    }
    /* action-response-next-pblock: acknowledges the block received. */
    axdr_enc_t e;
    axdr_enc_init(&e, c->body, c->budget);
    uint8_t hdr[3] = {DLMS_APDU_ACTION_RESPONSE, DLMS_ACTION_RESPONSE_NEXT_PBLOCK, invoke_id};
    uint8_t bn[4] = {(uint8_t)(b->block_number >> 24), (uint8_t)(b->block_number >> 16),
                     (uint8_t)(b->block_number >> 8), (uint8_t)b->block_number};
    axdr_put_raw(&e, hdr, sizeof hdr);
    axdr_put_raw(&e, bn, sizeof bn);
    return enc_done(&e);
}

static int action_first_block(dlms_server_t *s, srv_req_t *c, const dlms_action_request_t *q) {
    dlms_server_long_t *lt = &s->lt;
    srv_long_abort(s);
    lt->kind = DLMS_SERVER_LONG_ACTION_RX;
    lt->invoke_id = q->invoke_id;
    lt->list_form = q->type == DLMS_ACTION_REQUEST_WITH_LIST_AND_FIRST_PBLOCK;
    lt->count = q->count;
    memcpy(lt->desc, q->methods, sizeof(q->methods[0]) * q->count);
    dlms_block_rx_init(&lt->rx, s->block_buf, sizeof s->block_buf);
    return action_push(s, c, q->invoke_id, &q->block);
}

static int action_next_block(dlms_server_t *s, srv_req_t *c, const dlms_action_request_t *q) {
    if (s->lt.kind != DLMS_SERVER_LONG_ACTION_RX) {
        srv_long_abort(s);
        return action_results_reply(c, q->invoke_id, false, 1,
                                    DLMS_ACTION_NO_LONG_ACTION_IN_PROGRESS);
    }
    return action_push(s, c, q->invoke_id, &q->block);
}

static int action_next_pblock(dlms_server_t *s, srv_req_t *c, const dlms_action_request_t *q) {
    if (s->lt.kind != DLMS_SERVER_LONG_ACTION_TX) {
        srv_long_abort(s); /* the engine answers no-long-action-in-progress */
    }
    int n = dlms_action_response_stream_next(&s->lt.stream, q->invoke_id, q->block_number,
                                             c->budget, c->body, c->budget);
    if (!s->lt.stream.active) {
        srv_long_abort(s);
    }
    if (n < 0) {
        return srv_exception(c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED, DLMS_EXC_OTHER_REASON, 0);
    }
    return n;
}

/* Conformance an ACTION request type needs beyond "action". */
static uint32_t action_needs(uint8_t type) {
    switch (type) {
    case DLMS_ACTION_REQUEST_NEXT_PBLOCK:
    case DLMS_ACTION_REQUEST_WITH_FIRST_PBLOCK:
    case DLMS_ACTION_REQUEST_WITH_PBLOCK:
        return DLMS_CONF_BLOCK_TRANSFER_WITH_ACTION;
    case DLMS_ACTION_REQUEST_WITH_LIST:
        return DLMS_CONF_MULTIPLE_REFERENCES;
    case DLMS_ACTION_REQUEST_WITH_LIST_AND_FIRST_PBLOCK:
        return DLMS_CONF_MULTIPLE_REFERENCES | DLMS_CONF_BLOCK_TRANSFER_WITH_ACTION;
    default:
        return 0;
    }
}

static int action_dispatch(dlms_server_t *s, srv_req_t *c, const dlms_action_request_t *q) {
    bool continues = (q->type == DLMS_ACTION_REQUEST_NEXT_PBLOCK) ||
                     (q->type == DLMS_ACTION_REQUEST_WITH_PBLOCK);
    if (!continues) {
        srv_long_abort(s); /* a new ACTION abandons any long transfer */
    }
    switch (q->type) {
    case DLMS_ACTION_REQUEST_NORMAL:
    case DLMS_ACTION_REQUEST_WITH_LIST:
        return run_actions(s, c, q->invoke_id, q->type == DLMS_ACTION_REQUEST_WITH_LIST, q->count,
                           q->methods, q->params, 0);
    case DLMS_ACTION_REQUEST_NEXT_PBLOCK:
        return action_next_pblock(s, c, q);
    case DLMS_ACTION_REQUEST_WITH_PBLOCK:
        return action_next_block(s, c, q);
    default: /* with-first-pblock, with-list-and-first-pblock */
        return action_first_block(s, c, q);
    }
}

int srv_action(dlms_server_t *s, srv_req_t *c, const uint8_t *apdu, size_t len) {
    dlms_action_request_t *q = &s->req.action;
    int rc = dlms_action_request_decode(apdu, len, q);
    if (rc != 0) {
        return refuse_decode(c, rc, DLMS_APDU_ACTION_REQUEST);
    }
    /* HLS pass 3 belongs to association establishment: answered here
     * whatever the conformance, and the object layer never sees it. */
    if (srv_is_hls_pass3(s, q)) {
        srv_long_abort(s);
        return srv_hls_pass3(s, c, q);
    }
    if (s->view.status == DLMS_ASSOC_PENDING) {
        return srv_exception(c, DLMS_EXC_STATE_SERVICE_NOT_ALLOWED, DLMS_EXC_OPERATION_NOT_POSSIBLE,
                             0);
    }
    if (!conf_has(s, DLMS_CONF_ACTION | action_needs(q->type))) {
        return srv_refuse(c, DLMS_APDU_ACTION_REQUEST);
    }
    return action_dispatch(s, c, q);
}
