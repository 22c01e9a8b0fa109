/*
 * client_services.c - the client's xDLMS services of logical-name
 * referencing (IEC 62056-5-3 / Green Book "GET", "SET", "ACTION" services):
 * request encoding, selective access to profile buffers (range and entry
 * descriptors, dlms-facts §1.2), service-specific block transfer in both
 * directions, and the reading of the responses. Layouts in apdu.h.
 */
#include <string.h>

#include "dlms/client.h"
#include "dlms/client_internal.h"

/* The clock's time attribute, what a profile's range is usually over. */
static const dlms_capture_object_t clock_time = {8, {0, 0, 1, 0, 0, 255}, 2, 0};

/* Tag, request type and invoke-id-and-priority, the start of every request. */
static void put_head(axdr_enc_t *e, uint8_t tag, uint8_t type, uint8_t iid) {
    const uint8_t head[3] = {tag, type, iid};
    axdr_put_raw(e, head, sizeof head);
}

/* Encoder result -> wire form -> pending operation. */
static int finish_request(dlms_client_t *c, axdr_enc_t *e, int rc, dlms_client_op_t op, uint8_t iid,
                          uint8_t *out, size_t cap) {
    int n = client_enc_result(e, rc);
    if (n < 0) {
        return n;
    }
    n = client_emit(c, (size_t)n, out, cap);
    if (n > 0) {
        client_start_op(c, op, iid);
    }
    return n;
}

/* ---- GET requests ----------------------------------------------------------------------- */

static int get_begin(dlms_client_t *c, const dlms_cosem_descriptor_t *attr, const uint8_t *out,
                     axdr_enc_t *e, uint8_t *iid) {
    int rc = client_ready(c);
    if (rc != 0) {
        return rc;
    }
    if (attr == NULL || out == NULL) {
        return DLMS_CLIENT_ERR_BADARG;
    }
    *iid = client_next_iid(c);
    client_enc_init(c, e, client_plain_budget(c));
    put_head(e, DLMS_APDU_GET_REQUEST, DLMS_GET_REQUEST_NORMAL, *iid);
    dlms_apdu_put_descriptor(e, attr);
    return 0;
}

int dlms_client_get(dlms_client_t *c, const dlms_cosem_descriptor_t *attr,
                    const dlms_access_selection_t *sel, uint8_t *out, size_t cap) {
    axdr_enc_t e;
    uint8_t iid = 0;
    int rc = get_begin(c, attr, out, &e, &iid);
    if (rc != 0) {
        return rc;
    }
    rc = dlms_apdu_put_access_selection(&e, sel);
    return finish_request(c, &e, rc, DLMS_CLIENT_OP_GET, iid, out, cap);
}

/* A date-time as the octet string (09 0C ...) profiles and clocks use. */
static int date_time_os(const cosem_datetime_t *dt, uint8_t out[2 + COSEM_DATETIME_LEN]) {
    axdr_enc_t e;
    axdr_enc_init(&e, out, 2 + COSEM_DATETIME_LEN);
    return axdr_put_date_time_os(&e, dt);
}

int dlms_client_get_range(dlms_client_t *c, const dlms_cosem_descriptor_t *attr,
                          const dlms_capture_object_t *restricting, const cosem_datetime_t *from,
                          const cosem_datetime_t *to, const dlms_capture_object_t *columns,
                          uint32_t ncolumns, uint8_t *out, size_t cap) {
    uint8_t f[2 + COSEM_DATETIME_LEN];
    uint8_t t[2 + COSEM_DATETIME_LEN];
    int rc = client_ready(c);
    if (rc != 0) {
        return rc;
    }
    if (from == NULL || to == NULL || (columns == NULL && ncolumns > 0) ||
        date_time_os(from, f) != 0 || date_time_os(to, t) != 0) {
        return DLMS_CLIENT_ERR_BADARG;
    }
    axdr_enc_t e;
    uint8_t iid = 0;
    rc = get_begin(c, attr, out, &e, &iid);
    if (rc != 0) {
        return rc;
    }
    const uint8_t sel[2] = {1, DLMS_ACCESS_SELECTOR_RANGE};
    axdr_put_raw(&e, sel, sizeof sel);
    rc = dlms_range_descriptor_put(&e, restricting != NULL ? restricting : &clock_time,
                                   (dlms_slice_t){f, sizeof f}, (dlms_slice_t){t, sizeof t},
                                   columns, ncolumns);
    return finish_request(c, &e, rc, DLMS_CLIENT_OP_GET, iid, out, cap);
}

int dlms_client_get_entry(dlms_client_t *c, const dlms_cosem_descriptor_t *attr,
                          const dlms_entry_descriptor_t *ed, uint8_t *out, size_t cap) {
    axdr_enc_t e;
    uint8_t iid = 0;
    int rc = get_begin(c, attr, out, &e, &iid);
    if (rc != 0) {
        return rc;
    }
    if (ed == NULL) {
        return DLMS_CLIENT_ERR_BADARG;
    }
    const uint8_t sel[2] = {1, DLMS_ACCESS_SELECTOR_ENTRY};
    axdr_put_raw(&e, sel, sizeof sel);
    rc = dlms_entry_descriptor_put(&e, ed);
    return finish_request(c, &e, rc, DLMS_CLIENT_OP_GET, iid, out, cap);
}

int dlms_client_get_list(dlms_client_t *c, const dlms_attr_selection_t *items, uint8_t count,
                         uint8_t *out, size_t cap) {
    int rc = client_ready(c);
    if (rc != 0) {
        return rc;
    }
    if (items == NULL || out == NULL || count == 0 || count > EM_DLMS_MAX_LIST) {
        return DLMS_CLIENT_ERR_BADARG;
    }
    uint8_t iid = client_next_iid(c);
    axdr_enc_t e;
    client_enc_init(c, &e, client_plain_budget(c));
    put_head(&e, DLMS_APDU_GET_REQUEST, DLMS_GET_REQUEST_WITH_LIST, iid);
    axdr_put_length(&e, count);
    for (uint8_t i = 0; rc == 0 && i < count; i++) {
        dlms_apdu_put_descriptor(&e, &items[i].attr);
        rc = dlms_apdu_put_access_selection(&e, &items[i].access);
    }
    rc = finish_request(c, &e, rc, DLMS_CLIENT_OP_GET_LIST, iid, out, cap);
    if (rc > 0) {
        c->list_count = count;
    }
    return rc;
}

/* get-request-next / action-request-next-pblock: acknowledges block n. */
static int request_next(dlms_client_t *c, uint8_t tag, uint8_t type, uint32_t block, uint8_t *out,
                        size_t cap) {
    axdr_enc_t e;
    client_enc_init(c, &e, client_plain_budget(c));
    put_head(&e, tag, type, c->iid);
    const uint8_t bn[4] = {(uint8_t)(block >> 24), (uint8_t)(block >> 16), (uint8_t)(block >> 8),
                           (uint8_t)block};
    axdr_put_raw(&e, bn, sizeof bn);
    int n = client_enc_result(&e, 0);
    return n < 0 ? n : client_emit(c, (size_t)n, out, cap);
}

/* ---- receiving blocks ------------------------------------------------------------------- */

/* One datablock of a reply, in order, to the stream or the reassembly
 * buffer. Returns 0 (more follow), 1 (it was the last) or an error. */
static int rx_block(dlms_client_t *c, const dlms_datablock_t *b, bool stream) {
    if (b->block_number != c->rx_block + 1u) {
        return DLMS_CLIENT_ERR_BLOCK;
    }
    c->rx_block = b->block_number;
    const uint8_t *p = b->raw_data.p;
    size_t len = b->raw_data.len;
    if (stream) {
        if (c->stream(c->stream_user, p, len, b->last_block) != 0) {
            return DLMS_CLIENT_ERR_STREAM;
        }
    } else if (c->rx_buf == NULL) {
        return DLMS_CLIENT_ERR_NO_BUFFER;
    } else if (len > c->rx_cap - c->rx_len) {
        return DLMS_CLIENT_ERR_TOO_LONG;
    } else if (len > 0) {
        memcpy(c->rx_buf + c->rx_len, p, len);
        c->rx_len += len;
    }
    return b->last_block ? 1 : 0;
}

/* ---- GET responses ------------------------------------------------------------------------ */

static int get_normal(dlms_client_t *c, const dlms_get_data_result_t *g,
                      dlms_client_result_t *res) {
    if (!g->is_data) {
        res->dar = g->dar;
        return DLMS_CLIENT_ERR_DATA_ACCESS;
    }
    if (c->op != DLMS_CLIENT_OP_GET || c->rx_block != 0) {
        return DLMS_CLIENT_ERR_UNEXPECTED;
    }
    if (c->stream != NULL) {
        return c->stream(c->stream_user, g->data.p, g->data.len, true) == 0
                   ? 0
                   : DLMS_CLIENT_ERR_STREAM;
    }
    res->data = g->data;
    return 0;
}

static int get_list(dlms_client_t *c, const dlms_get_response_t *r, dlms_client_result_t *res) {
    if (c->op != DLMS_CLIENT_OP_GET_LIST || c->rx_block != 0) {
        return DLMS_CLIENT_ERR_UNEXPECTED;
    }
    if (r->count != c->list_count) {
        return DLMS_CLIENT_ERR_LIST;
    }
    res->count = r->count;
    memcpy(res->list, r->results, r->count * sizeof r->results[0]);
    return 0;
}

/* The reassembled value of a long GET: exactly one Data. */
static int finish_value(dlms_client_t *c, dlms_client_result_t *res) {
    size_t used = 0;
    if (axdr_validate(c->rx_buf, c->rx_len, &used) != 0 || used != c->rx_len) {
        return DLMS_CLIENT_ERR_MALFORMED;
    }
    res->data.p = c->rx_buf;
    res->data.len = c->rx_len;
    return 0;
}

/* The reassembled body of a long with-list GET: count, Get-Data-Result*. */
static int finish_list(dlms_client_t *c, dlms_client_result_t *res) {
    axdr_dec_t d;
    axdr_dec_init(&d, c->rx_buf, c->rx_len);
    uint8_t count = 0;
    if (dlms_apdu_get_list_count(&d, &count) != 0) {
        return DLMS_CLIENT_ERR_MALFORMED;
    }
    if (count != c->list_count) {
        return DLMS_CLIENT_ERR_LIST;
    }
    for (uint8_t i = 0; i < count; i++) {
        if (dlms_apdu_get_get_data_result(&d, &res->list[i]) != 0) {
            return DLMS_CLIENT_ERR_MALFORMED;
        }
    }
    if (axdr_dec_remaining(&d) != 0) {
        return DLMS_CLIENT_ERR_MALFORMED;
    }
    res->count = count;
    return 0;
}

static int get_block(dlms_client_t *c, const dlms_datablock_t *b, uint8_t *out, size_t cap,
                     dlms_client_result_t *res) {
    if (b->is_result) {
        res->dar = b->result; /* the server gave up the long GET */
        return DLMS_CLIENT_ERR_DATA_ACCESS;
    }
    bool stream = c->op == DLMS_CLIENT_OP_GET && c->stream != NULL;
    int rc = rx_block(c, b, stream);
    if (rc == 0) {
        return request_next(c, DLMS_APDU_GET_REQUEST, DLMS_GET_REQUEST_NEXT, b->block_number, out,
                            cap);
    }
    if (rc < 0 || stream) {
        return rc < 0 ? rc : 0;
    }
    return c->op == DLMS_CLIENT_OP_GET ? finish_value(c, res) : finish_list(c, res);
}

int client_on_get(dlms_client_t *c, const uint8_t *p, size_t n, uint8_t *out, size_t cap,
                  dlms_client_result_t *res) {
    if (p[0] != DLMS_APDU_GET_RESPONSE) {
        return DLMS_CLIENT_ERR_UNEXPECTED;
    }
    dlms_get_response_t r;
    int rc = dlms_get_response_decode(p, n, &r);
    if (rc != 0) {
        return rc;
    }
    if (!dlms_invoke_id_matches(c->iid, r.invoke_id)) {
        return DLMS_CLIENT_ERR_INVOKE_ID;
    }
    switch (r.type) {
    case DLMS_GET_RESPONSE_NORMAL:
        return get_normal(c, &r.results[0], res);
    case DLMS_GET_RESPONSE_WITH_DATABLOCK:
        return get_block(c, &r.block, out, cap, res);
    case DLMS_GET_RESPONSE_WITH_LIST:
        return get_list(c, &r, res);
    default:
        return DLMS_CLIENT_ERR_UNEXPECTED;
    }
}

/* ---- sending blocks (SET value, ACTION parameters) ------------------------------------------ */

/* Finishes a with-first-datablock / with-first-pblock request whose header
 * (up to the DataBlock-SA) is in e: block 1 carries as much of data as the
 * server's PDU allows. */
static int send_first_block(dlms_client_t *c, axdr_enc_t *e, dlms_client_op_t op, uint8_t iid,
                            const uint8_t *data, size_t len, uint8_t *out, size_t cap) {
    size_t chunk = dlms_apdu_block_room(client_plain_budget(c), e->len + 5);
    if (chunk == 0) {
        return DLMS_CLIENT_ERR_PDU_SIZE;
    }
    if (chunk > len) {
        chunk = len;
    }
    dlms_datablock_t b = {chunk == len, 1, false, 0, {data, chunk}};
    int n = client_enc_result(e, dlms_apdu_put_datablock_sa(e, &b));
    if (n > 0) {
        n = client_emit(c, (size_t)n, out, cap);
    }
    if (n > 0) {
        client_start_op(c, op, iid);
        c->tx_data = data;
        c->tx_len = len;
        c->tx_sent = chunk;
        c->tx_block = 1;
        c->tx_blocks = true;
    }
    return n;
}

/* set-request-with-datablock / action-request-with-pblock: the next block. */
static int send_next_block(dlms_client_t *c, uint8_t tag, uint8_t type, uint8_t *out, size_t cap) {
    size_t chunk = dlms_apdu_block_room(client_plain_budget(c), 3 + 5);
    size_t left = c->tx_len - c->tx_sent;
    if (chunk == 0) {
        return DLMS_CLIENT_ERR_PDU_SIZE;
    }
    if (chunk > left) {
        chunk = left;
    }
    dlms_datablock_t b = {
        chunk == left, c->tx_block + 1u, false, 0, {c->tx_data + c->tx_sent, chunk}};
    axdr_enc_t e;
    client_enc_init(c, &e, client_plain_budget(c));
    put_head(&e, tag, type, c->iid);
    int n = client_enc_result(&e, dlms_apdu_put_datablock_sa(&e, &b));
    if (n > 0) {
        n = client_emit(c, (size_t)n, out, cap);
    }
    if (n > 0) {
        c->tx_sent += chunk;
        c->tx_block++;
    }
    return n;
}

/* The server acknowledged block `acked` and wants the next one. */
static bool next_block_wanted(const dlms_client_t *c, uint32_t acked) {
    return c->tx_blocks && acked == c->tx_block && c->tx_sent < c->tx_len;
}

/* ---- SET ------------------------------------------------------------------------------------ */

static int set_header(dlms_client_t *c, axdr_enc_t *e, uint8_t type, uint8_t iid,
                      const dlms_cosem_descriptor_t *attr, const dlms_access_selection_t *sel) {
    client_enc_init(c, e, client_plain_budget(c));
    put_head(e, DLMS_APDU_SET_REQUEST, type, iid);
    dlms_apdu_put_descriptor(e, attr);
    return dlms_apdu_put_access_selection(e, sel);
}

int dlms_client_set(dlms_client_t *c, const dlms_cosem_descriptor_t *attr,
                    const dlms_access_selection_t *sel, const uint8_t *value, size_t value_len,
                    uint8_t *out, size_t cap) {
    int rc = client_ready(c);
    if (rc != 0) {
        return rc;
    }
    if (attr == NULL || out == NULL || !axdr_is_one_data(value, value_len)) {
        return DLMS_CLIENT_ERR_BADARG;
    }
    uint8_t iid = client_next_iid(c);
    axdr_enc_t e;
    rc = set_header(c, &e, DLMS_SET_REQUEST_NORMAL, iid, attr, sel);
    if (rc == 0) {
        rc = axdr_put_raw(&e, value, value_len);
    }
    if (rc != AXDR_ERR_OVERFLOW) {
        return finish_request(c, &e, rc, DLMS_CLIENT_OP_SET, iid, out, cap);
    }
    if ((c->conformance & DLMS_CONF_BLOCK_TRANSFER_WITH_SET_OR_WRITE) == 0) {
        return DLMS_CLIENT_ERR_CONFORMANCE;
    }
    rc = set_header(c, &e, DLMS_SET_REQUEST_WITH_FIRST_DATABLOCK, iid, attr, sel);
    if (rc != 0) {
        return client_enc_result(&e, rc);
    }
    return send_first_block(c, &e, DLMS_CLIENT_OP_SET, iid, value, value_len, out, cap);
}

static int set_result(uint8_t dar, dlms_client_result_t *res) {
    res->dar = dar;
    return dar == DLMS_DAR_SUCCESS ? 0 : DLMS_CLIENT_ERR_DATA_ACCESS;
}

int client_on_set(dlms_client_t *c, const uint8_t *p, size_t n, uint8_t *out, size_t cap,
                  dlms_client_result_t *res) {
    if (p[0] != DLMS_APDU_SET_RESPONSE) {
        return DLMS_CLIENT_ERR_UNEXPECTED;
    }
    dlms_set_response_t r;
    int rc = dlms_set_response_decode(p, n, &r);
    if (rc != 0) {
        return rc;
    }
    if (!dlms_invoke_id_matches(c->iid, r.invoke_id)) {
        return DLMS_CLIENT_ERR_INVOKE_ID;
    }
    switch (r.type) {
    case DLMS_SET_RESPONSE_NORMAL:
        /* Also how a server ends a block transfer early, with its reason. */
        return set_result(r.results[0], res);
    case DLMS_SET_RESPONSE_DATABLOCK:
        if (!next_block_wanted(c, r.block_number)) {
            return c->tx_blocks ? DLMS_CLIENT_ERR_BLOCK : DLMS_CLIENT_ERR_UNEXPECTED;
        }
        return send_next_block(c, DLMS_APDU_SET_REQUEST, DLMS_SET_REQUEST_WITH_DATABLOCK, out, cap);
    case DLMS_SET_RESPONSE_LAST_DATABLOCK:
        if (!c->tx_blocks) {
            return DLMS_CLIENT_ERR_UNEXPECTED;
        }
        if (r.block_number != c->tx_block || c->tx_sent != c->tx_len) {
            return DLMS_CLIENT_ERR_BLOCK;
        }
        return set_result(r.results[0], res);
    default:
        return DLMS_CLIENT_ERR_UNEXPECTED;
    }
}

/* ---- ACTION --------------------------------------------------------------------------------- */

int dlms_client_action(dlms_client_t *c, const dlms_cosem_descriptor_t *method,
                       const uint8_t *params, size_t params_len, uint8_t *out, size_t cap) {
    int rc = client_ready(c);
    if (rc != 0) {
        return rc;
    }
    if (method == NULL || out == NULL ||
        (params != NULL && !axdr_is_one_data(params, params_len)) ||
        (params == NULL && params_len != 0)) {
        return DLMS_CLIENT_ERR_BADARG;
    }
    uint8_t iid = client_next_iid(c);
    axdr_enc_t e;
    client_enc_init(c, &e, client_plain_budget(c));
    put_head(&e, DLMS_APDU_ACTION_REQUEST, DLMS_ACTION_REQUEST_NORMAL, iid);
    dlms_apdu_put_descriptor(&e, method);
    const uint8_t present = params != NULL ? 1 : 0;
    axdr_put_raw(&e, &present, 1);
    rc = params != NULL ? axdr_put_raw(&e, params, params_len) : e.err;
    if (rc != AXDR_ERR_OVERFLOW || params == NULL) {
        return finish_request(c, &e, rc, DLMS_CLIENT_OP_ACTION, iid, out, cap);
    }
    if ((c->conformance & DLMS_CONF_BLOCK_TRANSFER_WITH_ACTION) == 0) {
        return DLMS_CLIENT_ERR_CONFORMANCE;
    }
    client_enc_init(c, &e, client_plain_budget(c));
    put_head(&e, DLMS_APDU_ACTION_REQUEST, DLMS_ACTION_REQUEST_WITH_FIRST_PBLOCK, iid);
    rc = dlms_apdu_put_descriptor(&e, method);
    if (rc != 0) {
        return client_enc_result(&e, rc);
    }
    return send_first_block(c, &e, DLMS_CLIENT_OP_ACTION, iid, params, params_len, out, cap);
}

int client_get_action_result(axdr_dec_t *d, dlms_action_result_data_t *r) {
    memset(r, 0, sizeof *r);
    uint8_t flag = 0;
    if (axdr_get_tag(d, &r->result) != 0 || axdr_get_tag(d, &flag) != 0) {
        return DLMS_APDU_ERR_TRUNCATED;
    }
    if (flag > 1) {
        return DLMS_APDU_ERR_FLAG;
    }
    r->has_return = flag == 1;
    return r->has_return ? dlms_apdu_get_get_data_result(d, &r->ret) : 0;
}

static int action_result(const dlms_action_result_data_t *a, dlms_client_result_t *res) {
    res->dar = a->result;
    if (a->result != DLMS_ACTION_SUCCESS) {
        return DLMS_CLIENT_ERR_DATA_ACCESS;
    }
    if (a->has_return && !a->ret.is_data) {
        res->dar = a->ret.dar;
        return DLMS_CLIENT_ERR_DATA_ACCESS;
    }
    if (a->has_return) {
        res->data = a->ret.data;
    }
    return 0;
}

/* The reassembled return of a long ACTION: one Action-Response-With-
 * Optional-Data. */
static int finish_action(dlms_client_t *c, dlms_client_result_t *res) {
    axdr_dec_t d;
    dlms_action_result_data_t a;
    axdr_dec_init(&d, c->rx_buf, c->rx_len);
    if (client_get_action_result(&d, &a) != 0 || axdr_dec_remaining(&d) != 0) {
        return DLMS_CLIENT_ERR_MALFORMED;
    }
    return action_result(&a, res);
}

static int action_pblock(dlms_client_t *c, const dlms_datablock_t *b, uint8_t *out, size_t cap,
                         dlms_client_result_t *res) {
    if (c->tx_blocks && c->tx_sent != c->tx_len) {
        return DLMS_CLIENT_ERR_UNEXPECTED; /* answer before all our parameters */
    }
    int rc = rx_block(c, b, false);
    if (rc == 0) {
        return request_next(c, DLMS_APDU_ACTION_REQUEST, DLMS_ACTION_REQUEST_NEXT_PBLOCK,
                            b->block_number, out, cap);
    }
    return rc < 0 ? rc : finish_action(c, res);
}

int client_on_action(dlms_client_t *c, const uint8_t *p, size_t n, uint8_t *out, size_t cap,
                     dlms_client_result_t *res) {
    if (p[0] != DLMS_APDU_ACTION_RESPONSE) {
        return DLMS_CLIENT_ERR_UNEXPECTED;
    }
    dlms_action_response_t r;
    int rc = dlms_action_response_decode(p, n, &r);
    if (rc != 0) {
        return rc;
    }
    if (!dlms_invoke_id_matches(c->iid, r.invoke_id)) {
        return DLMS_CLIENT_ERR_INVOKE_ID;
    }
    switch (r.type) {
    case DLMS_ACTION_RESPONSE_NORMAL:
        if (c->rx_block != 0) {
            return DLMS_CLIENT_ERR_UNEXPECTED;
        }
        return action_result(&r.results[0], res);
    case DLMS_ACTION_RESPONSE_NEXT_PBLOCK:
        if (!next_block_wanted(c, r.block_number)) {
            return c->tx_blocks ? DLMS_CLIENT_ERR_BLOCK : DLMS_CLIENT_ERR_UNEXPECTED;
        }
        return send_next_block(c, DLMS_APDU_ACTION_REQUEST, DLMS_ACTION_REQUEST_WITH_PBLOCK, out,
                               cap);
    case DLMS_ACTION_RESPONSE_WITH_PBLOCK:
        return action_pblock(c, &r.block, out, cap, res);
    default:
        return DLMS_CLIENT_ERR_UNEXPECTED;
    }
}
