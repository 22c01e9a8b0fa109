/*
 * test_server_services.c - the xDLMS services of the DLMS server
 * (lib/dlms/server_services.c) against the fake object layer of
 * test_server_fake.h: GET normal / with-list / next with exact
 * data-access-results; the 1440-row profile read in datablocks with
 * negotiated PDUs of 64, 128, 256 and 1024 and an output buffer no larger
 * than the PDU (every response within the PDU, the object called once per
 * block on a window no larger than the PDU, its cookie snapshot kept, the
 * server context smaller than the reply); selective access handed to the
 * object and kept across blocks while the request buffer is overwritten;
 * block number errors and abandoned transfers; SET normal / with-list /
 * with-first-datablock / with-datablock / with-list-and-first-datablock and
 * the reassembly overflow; ACTION normal / with-list / with-first-pblock /
 * with-pblock / next-pblock with return data in pblocks; conformance
 * refusals; general-block-transfer both ways; ciphered replies in blocks
 * within a 64-byte PDU.
 */
#include "test_server_fake.h"

static uint8_t out[DLMS_SERVER_OUT_CAP];
static uint8_t req[4096];
static uint8_t plain[4096];
static uint8_t reference[PROFILE_ROWS * ROW_LEN + 64];
static uint8_t whole[PROFILE_ROWS * ROW_LEN + 64];

/* The public association with every service (and the PDU sizes asked). */
static void open_public(uint32_t conformance, uint16_t client_pdu) {
    g_h->pub.conformance = conformance;
    g_h->pub.max_receive_pdu = 1024;
    associate_public(conformance, client_pdu);
}

static int send_get(uint8_t iid, uint16_t cls, const uint8_t *ln, int8_t attr,
                    const dlms_access_selection_t *sel, size_t cap) {
    size_t n = get_normal(iid, cls, ln, attr, sel, req, sizeof req);
    return srv_in(SAP_PUBLIC, req, n, out, cap);
}

/* Reference encoding of profile rows [first, last). */
static size_t profile_reference(uint32_t first, uint32_t last) {
    axdr_enc_t e;
    axdr_enc_init(&e, reference, sizeof reference);
    assert_int_equal(put_rows(&e, first, last), 0);
    g_fake.max_rows_per_call = 0;
    return e.len;
}

/* Reads a GET reply in datablocks: the first response is in out[0..n);
 * each next block is asked with get-request-next. Every response must fit
 * max_pdu. Returns the reassembled value length (in whole). */
static size_t read_blocks(int n, uint8_t iid, size_t max_pdu, size_t cap, uint32_t *blocks) {
    dlms_get_response_t *resp = calloc(1, sizeof *resp);
    assert_non_null(resp);
    dlms_block_rx_t rx;
    dlms_block_rx_init(&rx, whole, sizeof whole);
    *blocks = 0;
    for (;;) {
        assert_true(n > 0);
        assert_true((size_t)n <= max_pdu);
        assert_int_equal(dlms_get_response_decode(out, (size_t)n, resp), 0);
        assert_int_equal(resp->invoke_id, iid);
        if (resp->type == DLMS_GET_RESPONSE_NORMAL) {
            assert_int_equal(*blocks, 0);
            assert_true(resp->results[0].is_data);
            memcpy(whole, resp->results[0].data.p, resp->results[0].data.len);
            size_t len = resp->results[0].data.len;
            free(resp);
            return len;
        }
        assert_int_equal(resp->type, DLMS_GET_RESPONSE_WITH_DATABLOCK);
        assert_false(resp->block.is_result);
        assert_int_equal(resp->block.block_number, *blocks + 1);
        (*blocks)++;
        int rc = dlms_block_rx_push(&rx, &resp->block);
        if (resp->block.last_block) {
            assert_int_equal(rc, 1);
            break;
        }
        assert_int_equal(rc, 0);
        size_t q = get_next_req(iid, resp->block.block_number, req, sizeof req);
        n = srv_in(SAP_PUBLIC, req, q, out, cap);
        memset(req, 0xEE, sizeof req); /* the request buffer is reused */
    }
    free(resp);
    return rx.len;
}

/* ---- GET ------------------------------------------------------------------------------------ */

static void test_get_normal(void **state) {
    (void)state;
    open_public(CONF_ALL, 1200);
    int r = send_get(0xC1, 3, LN_REGISTER, 2, NULL, sizeof out);
    assert_hex(out, (size_t)r, "C401C1000600003039");
    r = send_get(0xC2, 3, LN_REGISTER, 3, NULL, sizeof out);
    assert_hex(out, (size_t)r,
               "C401C2000202"
               "0F00"
               "161E");
    r = send_get(0x81, 3, LN_METHODS, 2, NULL, sizeof out); /* unknown: object-undefined */
    assert_hex(out, (size_t)r, "C401810104");
    /* An entry selector the object refuses: its exact DAR. */
    uint8_t params[] = {0x00};
    dlms_access_selection_t sel = {true, 9, {params, 1}};
    r = send_get(0xC1, 7, LN_PROFILE, 2, &sel, sizeof out);
    assert_hex(out, (size_t)r, "C401C1010D");
    assert_int_equal(g_fake.last_view.client_sap, SAP_PUBLIC);
    assert_false(g_fake.last_view.ciphered);
    assert_int_equal(g_fake.last_view.conformance, CONF_ALL);
}

static void test_get_with_list(void **state) {
    (void)state;
    open_public(CONF_ALL, 1200);
    dlms_get_request_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->type = DLMS_GET_REQUEST_WITH_LIST;
    r->invoke_id = 0xC5;
    r->count = 3;
    r->items[0].attr = (dlms_cosem_descriptor_t){3, {1, 0, 1, 8, 0, 255}, 2};
    r->items[1].attr = (dlms_cosem_descriptor_t){3, {9, 9, 9, 9, 9, 9}, 2};
    r->items[2].attr = (dlms_cosem_descriptor_t){3, {1, 0, 1, 8, 0, 255}, 3};
    int n = dlms_get_request_encode(r, req, sizeof req);
    free(r);
    int rx = srv_in(SAP_PUBLIC, req, (size_t)n, out, sizeof out);
    assert_hex(out, (size_t)rx,
               "C403C503"
               "000600003039"
               "0104"
               "000202"
               "0F00"
               "161E");
    /* Without multiple-references the list form is refused. */
    dlms_server_transport_closed(&g_h->server);
    open_public(CONF_ALL & ~DLMS_CONF_MULTIPLE_REFERENCES, 1200);
    rx = srv_in(SAP_PUBLIC, req, (size_t)n, out, sizeof out);
    assert_hex(out, (size_t)rx, "D80102");
    /* A long list reply goes in datablocks: the blocks carry the list body. */
    dlms_server_transport_closed(&g_h->server);
    open_public(CONF_ALL, 128);
    r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->type = DLMS_GET_REQUEST_WITH_LIST;
    r->invoke_id = 0xC6;
    r->count = 2;
    r->items[0].attr = (dlms_cosem_descriptor_t){3, {1, 0, 1, 8, 0, 255}, 2};
    r->items[1].attr = (dlms_cosem_descriptor_t){7, {1, 0, 99, 1, 0, 255}, 2};
    int m = dlms_get_request_encode(r, req, sizeof req);
    rx = srv_in(SAP_PUBLIC, req, (size_t)m, out, DLMS_SERVER_OUT_MIN);
    uint32_t blocks = 0;
    size_t len = read_blocks(rx, 0xC6, 128, DLMS_SERVER_OUT_MIN, &blocks);
    size_t ref = profile_reference(0, PROFILE_ROWS);
    assert_int_equal(len, 1 + 6 + 1 + ref);
    assert_memory_equal(whole, ((const uint8_t[]){0x02, 0x00, 0x06, 0, 0, 0x30, 0x39, 0x00}), 8);
    assert_memory_equal(whole + 8, reference, ref);
    /* Without block transfer every entry says other-reason. */
    dlms_server_transport_closed(&g_h->server);
    open_public(DLMS_CONF_GET | DLMS_CONF_MULTIPLE_REFERENCES, 128);
    m = dlms_get_request_encode(r, req, sizeof req);
    free(r);
    rx = srv_in(SAP_PUBLIC, req, (size_t)m, out, sizeof out);
    assert_hex(out, (size_t)rx, "C403C60201FA01FA");
}

static void test_get_selective_entry(void **state) {
    (void)state;
    open_public(CONF_ALL, 1200);
    uint8_t params[64];
    axdr_enc_t e;
    axdr_enc_init(&e, params, sizeof params);
    dlms_entry_descriptor_t ed = {11, 20, 1, 0};
    assert_int_equal(dlms_entry_descriptor_put(&e, &ed), 0);
    dlms_access_selection_t sel = {true, DLMS_ACCESS_SELECTOR_ENTRY, {params, e.len}};
    int r = send_get(0xC1, 7, LN_PROFILE, 2, &sel, sizeof out);
    size_t ref = profile_reference(10, 20);
    assert_int_equal((size_t)r, 4 + ref);
    assert_memory_equal(out + 4, reference, ref);
    assert_int_equal(g_fake.last_selector, DLMS_ACCESS_SELECTOR_ENTRY);
    assert_int_equal(g_fake.last_selection_len, e.len);
    assert_memory_equal(g_fake.last_selection, params, e.len);
}

/* The 1440-row profile in blocks of one PDU, the output buffer no larger. */
static void long_profile_at(size_t pdu) {
    fake_reset();
    g_h->pub.conformance = CONF_ALL;
    g_h->pub.max_receive_pdu = 1024;
    assert_int_equal(dlms_server_init(&g_h->server, &g_h->cfg, 0), 0);
    size_t cap = pdu < DLMS_SERVER_OUT_MIN ? DLMS_SERVER_OUT_MIN : pdu;
    associate_public(CONF_ALL, (uint16_t)pdu);
    g_fake.profile_grow = true; /* rows are captured while the read runs */
    size_t ref = profile_reference(0, PROFILE_ROWS);
    int n = send_get(0xC7, 7, LN_PROFILE, 2, NULL, cap);
    uint32_t blocks = 0;
    size_t len = read_blocks(n, 0xC7, pdu, cap, &blocks);
    assert_int_equal(len, ref);
    assert_memory_equal(whole, reference, ref);
    assert_true(blocks >= ref / pdu);
    /* Never built whole: one window per call, one snapshot. */
    assert_true(g_fake.max_window_bytes <= pdu);
    assert_true(g_fake.max_rows_per_call <= pdu / ROW_LEN + 2);
    assert_int_equal(g_fake.first_calls, 1);
    assert_true(g_fake.get_calls <= blocks + 2);
    assert_true(sizeof(dlms_server_t) < ref);
    assert_int_equal(g_h->server.lt.kind, DLMS_SERVER_LONG_NONE);
}

static void test_long_profile_blocks(void **state) {
    (void)state;
    long_profile_at(64);
    long_profile_at(128);
    long_profile_at(256);
    long_profile_at(1024);
}

static void test_long_get_keeps_selection(void **state) {
    (void)state;
    open_public(CONF_ALL, 64);
    uint8_t params[128];
    axdr_enc_t e;
    axdr_enc_init(&e, params, sizeof params);
    dlms_capture_object_t clock = {8, {0, 0, 1, 0, 0, 255}, 2, 0};
    uint8_t from[] = {0x09, 0x0C, 0x07, 0xE8, 1, 1, 0xFF, 0, 0, 0, 0, 0x80, 0, 0};
    uint8_t to[] = {0x09, 0x0C, 0x07, 0xE8, 1, 2, 0xFF, 0, 0, 0, 0, 0x80, 0, 0};
    assert_int_equal(dlms_range_descriptor_put(&e, &clock, (dlms_slice_t){from, sizeof from},
                                               (dlms_slice_t){to, sizeof to}, NULL, 0),
                     0);
    dlms_access_selection_t sel = {true, DLMS_ACCESS_SELECTOR_RANGE, {params, e.len}};
    size_t q = get_normal(0xC1, 7, LN_PROFILE, 2, &sel, req, sizeof req);
    int n = srv_in(SAP_PUBLIC, req, q, out, DLMS_SERVER_OUT_MIN);
    memset(req, 0xEE, sizeof req);
    memset(params, 0xEE, sizeof params);
    uint32_t blocks = 0;
    size_t len = read_blocks(n, 0xC1, 64, DLMS_SERVER_OUT_MIN, &blocks);
    size_t ref = profile_reference(0, 100);
    assert_int_equal(len, ref);
    assert_memory_equal(whole, reference, ref);
    assert_true(blocks > 30);
    assert_int_equal(g_fake.last_selector, DLMS_ACCESS_SELECTOR_RANGE);
    assert_false(g_fake.selection_changed);
}

static void assert_block_dar(int n, uint8_t dar) {
    dlms_get_response_t *resp = calloc(1, sizeof *resp);
    assert_non_null(resp);
    assert_int_equal(dlms_get_response_decode(out, (size_t)n, resp), 0);
    assert_int_equal(resp->type, DLMS_GET_RESPONSE_WITH_DATABLOCK);
    assert_true(resp->block.last_block);
    assert_true(resp->block.is_result);
    assert_int_equal(resp->block.result, dar);
    free(resp);
}

static void test_get_next_errors(void **state) {
    (void)state;
    open_public(CONF_ALL, 128);
    size_t q = get_next_req(0xC1, 1, req, sizeof req);
    int n = srv_in(SAP_PUBLIC, req, q, out, sizeof out);
    assert_block_dar(n, DLMS_DAR_NO_LONG_GET_IN_PROGRESS);
    /* A wrong block number ends the transfer. */
    n = send_get(0xC1, 7, LN_PROFILE, 2, NULL, sizeof out);
    assert_int_equal(out[1], DLMS_GET_RESPONSE_WITH_DATABLOCK);
    q = get_next_req(0xC1, 5, req, sizeof req);
    n = srv_in(SAP_PUBLIC, req, q, out, sizeof out);
    assert_block_dar(n, DLMS_DAR_DATA_BLOCK_NUMBER_INVALID);
    q = get_next_req(0xC1, 1, req, sizeof req);
    n = srv_in(SAP_PUBLIC, req, q, out, sizeof out);
    assert_block_dar(n, DLMS_DAR_NO_LONG_GET_IN_PROGRESS);
    /* A new GET abandons the long one. */
    n = send_get(0xC1, 7, LN_PROFILE, 2, NULL, sizeof out);
    assert_int_equal(out[1], DLMS_GET_RESPONSE_WITH_DATABLOCK);
    n = send_get(0xC2, 3, LN_REGISTER, 2, NULL, sizeof out);
    assert_hex(out, (size_t)n, "C401C2000600003039");
    q = get_next_req(0xC1, 1, req, sizeof req);
    n = srv_in(SAP_PUBLIC, req, q, out, sizeof out);
    assert_block_dar(n, DLMS_DAR_NO_LONG_GET_IN_PROGRESS);
    /* Without block transfer a long reply cannot be sent. */
    dlms_server_transport_closed(&g_h->server);
    open_public(DLMS_CONF_GET, 128);
    n = send_get(0xC3, 7, LN_PROFILE, 2, NULL, sizeof out);
    assert_hex(out, (size_t)n, "C401C301FA");
}

/* ---- SET ------------------------------------------------------------------------------------ */

static size_t set_request(const dlms_set_request_t *r) {
    int n = dlms_set_request_encode(r, req, sizeof req);
    assert_true(n > 0);
    return (size_t)n;
}

static dlms_set_request_t *new_set(uint8_t type, uint8_t iid) {
    dlms_set_request_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->type = type;
    r->invoke_id = iid;
    return r;
}

static const dlms_cosem_descriptor_t D_REGISTER = {3, {1, 0, 1, 8, 0, 255}, 2};
static const dlms_cosem_descriptor_t D_BIG = {1, {0, 0, 128, 1, 0, 255}, 2};
static const dlms_cosem_descriptor_t D_CLOCK = {8, {0, 0, 1, 0, 0, 255}, 2};

static void test_set_normal_and_list(void **state) {
    (void)state;
    open_public(CONF_ALL, 1200);
    dlms_set_request_t *r = new_set(DLMS_SET_REQUEST_NORMAL, 0xC1);
    r->count = 1;
    r->items[0].attr = D_REGISTER;
    uint8_t v7[] = {0x06, 0, 0, 0, 7};
    r->values[0] = (dlms_slice_t){v7, sizeof v7};
    int n = srv_in(SAP_PUBLIC, req, set_request(r), out, sizeof out);
    assert_hex(out, (size_t)n, "C501C100");
    assert_int_equal(g_fake.register_value, 7);
    uint8_t wrong[] = {0x12, 0, 9};
    r->values[0] = (dlms_slice_t){wrong, sizeof wrong};
    n = srv_in(SAP_PUBLIC, req, set_request(r), out, sizeof out);
    assert_hex(out, (size_t)n, "C501C10C"); /* type-unmatched */
    r->type = DLMS_SET_REQUEST_WITH_LIST;
    r->count = 2;
    r->items[1].attr = D_CLOCK;
    r->values[0] = (dlms_slice_t){v7, sizeof v7};
    r->values[1] = (dlms_slice_t){v7, sizeof v7};
    n = srv_in(SAP_PUBLIC, req, set_request(r), out, sizeof out);
    assert_hex(out, (size_t)n, "C505C1020003"); /* success, read-write-denied */
    free(r);
}

/* The A-XDR octet-string of n bytes (i * 7) into v; returns its length. */
static size_t big_value(uint8_t *v, size_t n) {
    axdr_enc_t e;
    axdr_enc_init(&e, v, 8192);
    uint8_t data[4000];
    for (size_t i = 0; i < n; i++) {
        data[i] = (uint8_t)(i * 7);
    }
    axdr_put_octet_string(&e, data, n);
    return e.len;
}

/* Sends value[0..len) in SET datablocks of `chunk` bytes: first
 * (with-first-datablock, or with-list-and-first for a list) then
 * with-datablock. Returns the last response length. */
static int set_in_blocks(const dlms_cosem_descriptor_t *descs, uint8_t count, const uint8_t *value,
                         size_t len, size_t chunk, size_t max_pdu) {
    dlms_set_request_t *r = new_set(count > 1 ? DLMS_SET_REQUEST_WITH_LIST_AND_FIRST_DATABLOCK
                                              : DLMS_SET_REQUEST_WITH_FIRST_DATABLOCK,
                                    0xC2);
    r->count = count;
    for (uint8_t i = 0; i < count; i++) {
        r->items[i].attr = descs[i];
    }
    size_t off = 0;
    uint32_t bn = 1;
    int n = 0;
    while (off < len) {
        size_t k = len - off < chunk ? len - off : chunk;
        r->block = (dlms_datablock_t){off + k == len, bn, false, 0, {value + off, k}};
        n = srv_in(SAP_PUBLIC, req, set_request(r), out, sizeof out);
        assert_true(n > 0 && (size_t)n <= max_pdu);
        off += k;
        if (off < len) {
            /* set-response-datablock acknowledging bn */
            uint8_t ack[] = {0xC5, 0x02, 0xC2, 0, 0, 0, (uint8_t)bn};
            assert_int_equal(n, 7);
            assert_memory_equal(out, ack, 7);
        }
        r->type = DLMS_SET_REQUEST_WITH_DATABLOCK;
        bn++;
    }
    free(r);
    return n;
}

static void test_set_blocks(void **state) {
    (void)state;
    open_public(CONF_ALL, 64);
    static uint8_t value[4100];
    size_t len = big_value(value, 1000);
    int n = set_in_blocks(&D_BIG, 1, value, len, 40, 64);
    uint32_t last = (uint32_t)((len + 39) / 40);
    uint8_t done[] = {0xC5, 0x03, 0xC2, 0x00, 0, 0, 0, (uint8_t)last};
    assert_int_equal(n, 8);
    assert_memory_equal(out, done, 8);
    assert_int_equal(g_fake.big_len, 1000);
    assert_memory_equal(g_fake.big, value + 4, 1000); /* after 09 82 03 E8 */
    /* Read it back in blocks. */
    n = send_get(0xC4, 1, LN_BIG, 2, NULL, DLMS_SERVER_OUT_MIN);
    uint32_t blocks = 0;
    size_t got = read_blocks(n, 0xC4, 64, DLMS_SERVER_OUT_MIN, &blocks);
    assert_int_equal(got, len);
    assert_memory_equal(whole, value, len);
    /* A list: register and the big string in one SEQUENCE OF Data. */
    static uint8_t seq[4200];
    seq[0] = 2;
    uint8_t v9[] = {0x06, 0, 0, 0, 9};
    memcpy(seq + 1, v9, sizeof v9);
    size_t slen = 1 + sizeof v9 + big_value(seq + 1 + sizeof v9, 500);
    dlms_cosem_descriptor_t two[2] = {D_REGISTER, D_BIG};
    n = set_in_blocks(two, 2, seq, slen, 50, 64);
    assert_int_equal(out[1], DLMS_SET_RESPONSE_LAST_DATABLOCK_WITH_LIST);
    assert_memory_equal(out + 2, ((const uint8_t[]){0xC2, 0x02, 0x00, 0x00}), 4);
    assert_int_equal(g_fake.register_value, 9);
    assert_int_equal(g_fake.big_len, 500);
}

static void test_set_block_errors(void **state) {
    (void)state;
    open_public(CONF_ALL, 1024);
    static uint8_t value[4100];
    size_t len = big_value(value, 3000); /* more than EM_DLMS_RX_BUFFER */
    dlms_set_request_t *r = new_set(DLMS_SET_REQUEST_WITH_FIRST_DATABLOCK, 0xC1);
    r->count = 1;
    r->items[0].attr = D_BIG;
    uint32_t bn = 1;
    int n = 0;
    for (size_t off = 0; off < len; off += 900, bn++) {
        size_t k = len - off < 900 ? len - off : 900;
        r->block = (dlms_datablock_t){off + k == len, bn, false, 0, {value + off, k}};
        n = srv_in(SAP_PUBLIC, req, set_request(r), out, sizeof out);
        r->type = DLMS_SET_REQUEST_WITH_DATABLOCK;
        if (out[1] == DLMS_SET_RESPONSE_LAST_DATABLOCK) {
            break;
        }
    }
    assert_hex(out, (size_t)n, "C503C11100000003"); /* long-set-aborted at block 3 */
    assert_int_equal(g_fake.set_calls, 0);
    /* A datablock with no SET in progress. */
    n = srv_in(SAP_PUBLIC, req, set_request(r), out, sizeof out);
    assert_int_equal(out[3], DLMS_DAR_NO_LONG_SET_IN_PROGRESS);
    /* A wrong block number. */
    r->type = DLMS_SET_REQUEST_WITH_FIRST_DATABLOCK;
    r->block = (dlms_datablock_t){false, 1, false, 0, {value, 100}};
    n = srv_in(SAP_PUBLIC, req, set_request(r), out, sizeof out);
    assert_hex(out, (size_t)n, "C502C100000001");
    r->type = DLMS_SET_REQUEST_WITH_DATABLOCK;
    r->block = (dlms_datablock_t){true, 3, false, 0, {value + 100, 100}};
    n = srv_in(SAP_PUBLIC, req, set_request(r), out, sizeof out);
    assert_hex(out, (size_t)n, "C503C11300000003"); /* data-block-number-invalid */
    /* A complete value that is not one Data. */
    r->type = DLMS_SET_REQUEST_WITH_FIRST_DATABLOCK;
    r->block = (dlms_datablock_t){true, 1, false, 0, {value, 100}};
    n = srv_in(SAP_PUBLIC, req, set_request(r), out, sizeof out);
    assert_hex(out, (size_t)n, "C503C10C00000001"); /* type-unmatched */
    free(r);
    /* Block transfer outside the conformance. */
    dlms_server_transport_closed(&g_h->server);
    open_public(CONF_ALL & ~DLMS_CONF_BLOCK_TRANSFER_WITH_SET_OR_WRITE, 1024);
    r = new_set(DLMS_SET_REQUEST_WITH_FIRST_DATABLOCK, 0xC1);
    r->count = 1;
    r->items[0].attr = D_BIG;
    r->block = (dlms_datablock_t){true, 1, false, 0, {value, 10}};
    n = srv_in(SAP_PUBLIC, req, set_request(r), out, sizeof out);
    assert_hex(out, (size_t)n, "D80102");
    free(r);
}

/* ---- ACTION ------------------------------------------------------------------------------------
 */

static const dlms_cosem_descriptor_t M_ECHO = {18, {0, 0, 44, 0, 0, 255}, 1};
static const dlms_cosem_descriptor_t M_NONE = {18, {0, 0, 44, 0, 0, 255}, 2};
static const dlms_cosem_descriptor_t M_DENY = {18, {0, 0, 44, 0, 0, 255}, 3};
static const dlms_cosem_descriptor_t M_LONG = {18, {0, 0, 44, 0, 0, 255}, 4};

static dlms_action_request_t *new_action(uint8_t type, uint8_t iid) {
    dlms_action_request_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->type = type;
    r->invoke_id = iid;
    return r;
}

static int send_action(const dlms_action_request_t *r, size_t cap) {
    int n = dlms_action_request_encode(r, req, sizeof req);
    assert_true(n > 0);
    return srv_in(SAP_PUBLIC, req, (size_t)n, out, cap);
}

static void test_action_forms(void **state) {
    (void)state;
    open_public(CONF_ALL, 1200);
    dlms_action_request_t *r = new_action(DLMS_ACTION_REQUEST_NORMAL, 0xC1);
    r->count = 1;
    r->methods[0] = M_NONE;
    int n = send_action(r, sizeof out);
    assert_hex(out, (size_t)n, "C701C10000");
    uint8_t p5[] = {0x11, 0x05};
    r->methods[0] = M_ECHO;
    r->params[0] = (dlms_slice_t){p5, 2};
    n = send_action(r, sizeof out);
    assert_hex(out, (size_t)n, "C701C10001001105");
    r->methods[0] = M_DENY;
    n = send_action(r, sizeof out);
    assert_hex(out, (size_t)n, "C701C10300");
    r->methods[0] = (dlms_cosem_descriptor_t){18, {1, 2, 3, 4, 5, 6}, 1};
    n = send_action(r, sizeof out);
    assert_hex(out, (size_t)n, "C701C10400");
    /* with-list */
    r->type = DLMS_ACTION_REQUEST_WITH_LIST;
    r->count = 2;
    r->methods[0] = M_ECHO;
    r->methods[1] = M_DENY;
    uint8_t p7[] = {0x11, 0x07};
    r->params[0] = (dlms_slice_t){p7, 2};
    r->params[1] = (dlms_slice_t){p7, 2};
    n = send_action(r, sizeof out);
    assert_hex(out, (size_t)n,
               "C703C102"
               "0001001107"
               "0300");
    assert_int_equal(g_fake.action_calls, 6);
    free(r);
}

/* Reads an action reply in pblocks (first response in out); returns the
 * reassembled body. */
static size_t read_pblocks(int n, uint8_t iid, size_t max_pdu) {
    dlms_action_response_t *resp = calloc(1, sizeof *resp);
    dlms_action_request_t *next = new_action(DLMS_ACTION_REQUEST_NEXT_PBLOCK, iid);
    assert_non_null(resp);
    dlms_block_rx_t rx;
    dlms_block_rx_init(&rx, whole, sizeof whole);
    for (;;) {
        assert_true(n > 0 && (size_t)n <= max_pdu);
        assert_int_equal(dlms_action_response_decode(out, (size_t)n, resp), 0);
        assert_int_equal(resp->type, DLMS_ACTION_RESPONSE_WITH_PBLOCK);
        int rc = dlms_block_rx_push(&rx, &resp->block);
        assert_true(rc >= 0);
        if (rc == 1) {
            break;
        }
        next->block_number = resp->block.block_number;
        n = send_action(next, DLMS_SERVER_OUT_MIN);
    }
    free(resp);
    free(next);
    return rx.len;
}

static void test_action_pblocks(void **state) {
    (void)state;
    open_public(CONF_ALL, 128);
    static uint8_t value[4100];
    size_t len = big_value(value, 600);
    /* Parameters in pblocks, then the echoed return data in pblocks. */
    dlms_action_request_t *r = new_action(DLMS_ACTION_REQUEST_WITH_FIRST_PBLOCK, 0xC3);
    r->count = 1;
    r->methods[0] = M_ECHO;
    uint32_t bn = 1;
    int n = 0;
    for (size_t off = 0; off < len; off += 100, bn++) {
        size_t k = len - off < 100 ? len - off : 100;
        r->block = (dlms_datablock_t){off + k == len, bn, false, 0, {value + off, k}};
        n = send_action(r, DLMS_SERVER_OUT_MIN);
        r->type = DLMS_ACTION_REQUEST_WITH_PBLOCK;
        if (off + k < len) {
            uint8_t ack[] = {0xC7, 0x04, 0xC3, 0, 0, 0, (uint8_t)bn};
            assert_int_equal(n, 7);
            assert_memory_equal(out, ack, 7);
        }
    }
    size_t got = read_pblocks(n, 0xC3, 128);
    /* Action-Response-With-Optional-Data: success, data, the value. */
    assert_int_equal(got, 3 + len);
    assert_memory_equal(whole, ((const uint8_t[]){0x00, 0x01, 0x00}), 3);
    assert_memory_equal(whole + 3, value, len);
    /* A long return from a short request. */
    r->type = DLMS_ACTION_REQUEST_NORMAL;
    r->methods[0] = M_LONG;
    uint8_t p[] = {0x12, 0x01, 0xF4};
    r->params[0] = (dlms_slice_t){p, sizeof p};
    n = send_action(r, DLMS_SERVER_OUT_MIN);
    got = read_pblocks(n, 0xC3, 128);
    assert_int_equal(got, 3 + 4 + 500); /* 00 01 00 | 09 82 01 F4 | 500 bytes */
    assert_int_equal(whole[3], 0x09);
    assert_int_equal(whole[7 + 499], (uint8_t)499);
    /* next-pblock with nothing in progress, with-pblock likewise. */
    r->type = DLMS_ACTION_REQUEST_NEXT_PBLOCK;
    r->block_number = 1;
    n = send_action(r, sizeof out);
    assert_hex(out, (size_t)n, "C701C31000");
    r->type = DLMS_ACTION_REQUEST_WITH_PBLOCK;
    r->block = (dlms_datablock_t){true, 2, false, 0, {value, 10}};
    n = send_action(r, sizeof out);
    assert_hex(out, (size_t)n, "C701C31000");
    /* Parameters that are not one Data. */
    r->type = DLMS_ACTION_REQUEST_WITH_FIRST_PBLOCK;
    r->block = (dlms_datablock_t){true, 1, false, 0, {value, 10}};
    n = send_action(r, sizeof out);
    assert_hex(out, (size_t)n, "C701C30C00");
    free(r);
}

static void test_action_without_block_transfer(void **state) {
    (void)state;
    open_public(CONF_ALL & ~DLMS_CONF_BLOCK_TRANSFER_WITH_ACTION, 128);
    dlms_action_request_t *r = new_action(DLMS_ACTION_REQUEST_NORMAL, 0xC1);
    r->count = 1;
    r->methods[0] = M_LONG;
    uint8_t p[] = {0x12, 0x01, 0xF4};
    r->params[0] = (dlms_slice_t){p, sizeof p};
    int n = send_action(r, sizeof out);
    assert_hex(out, (size_t)n, "C701C1FA00"); /* ran, but the data cannot go */
    r->type = DLMS_ACTION_REQUEST_NEXT_PBLOCK;
    n = send_action(r, sizeof out);
    assert_hex(out, (size_t)n, "D80102");
    /* No ACTION at all in the public §4.6 conformance? It has action; SET
     * with-list needs multiple-references, which 00501F lacks. */
    free(r);
    dlms_server_transport_closed(&g_h->server);
    g_h->pub.conformance = 0x00501F;
    associate_public(0x7E1F, 1200);
    dlms_set_request_t *s = new_set(DLMS_SET_REQUEST_WITH_LIST, 0xC1);
    s->count = 1;
    s->items[0].attr = D_REGISTER;
    uint8_t v[] = {0x06, 0, 0, 0, 1};
    s->values[0] = (dlms_slice_t){v, sizeof v};
    n = srv_in(SAP_PUBLIC, req, set_request(s), out, sizeof out);
    assert_hex(out, (size_t)n, "D80102");
    free(s);
}

/* ---- general-block-transfer ------------------------------------------------------------------ */

static void test_gbt_reply_stream(void **state) {
    (void)state;
    open_public(DLMS_CONF_GET | DLMS_CONF_SELECTIVE_ACCESS | DLMS_CONF_GENERAL_BLOCK_TRANSFER, 128);
    uint8_t params[64];
    axdr_enc_t e;
    axdr_enc_init(&e, params, sizeof params);
    dlms_entry_descriptor_t ed = {1, 50, 1, 0};
    dlms_entry_descriptor_put(&e, &ed);
    dlms_access_selection_t sel = {true, DLMS_ACCESS_SELECTOR_ENTRY, {params, e.len}};
    int n = send_get(0xC1, 7, LN_PROFILE, 2, &sel, DLMS_SERVER_OUT_MIN);
    size_t total = 0;
    uint16_t expect = 1;
    for (;;) {
        assert_true(n > 0 && n <= 128);
        dlms_gbt_t g;
        assert_int_equal(dlms_gbt_decode(out, (size_t)n, &g), 0);
        assert_int_equal(g.block_number, expect);
        assert_false(g.streaming);
        memcpy(whole + total, g.block_data.p, g.block_data.len);
        total += g.block_data.len;
        if (g.last_block) {
            break;
        }
        dlms_gbt_t ack = {false, false, 1, expect, expect, {NULL, 0}};
        int q = dlms_gbt_encode(&ack, req, sizeof req);
        n = srv_in(SAP_PUBLIC, req, (size_t)q, out, DLMS_SERVER_OUT_MIN);
        expect++;
    }
    size_t ref = profile_reference(0, 50);
    assert_int_equal(total, 4 + ref);
    assert_memory_equal(whole, ((const uint8_t[]){0xC4, 0x01, 0xC1, 0x00}), 4);
    assert_memory_equal(whole + 4, reference, ref);
    /* The last acknowledgement ends it: nothing more to send. */
    dlms_gbt_t ack = {false, false, 1, expect, expect, {NULL, 0}};
    int q = dlms_gbt_encode(&ack, req, sizeof req);
    assert_int_equal(srv_in(SAP_PUBLIC, req, (size_t)q, out, sizeof out), 0);
    assert_int_equal(g_h->server.lt.kind, DLMS_SERVER_LONG_NONE);
}

/* A SET sent as GBT blocks of `chunk` bytes; returns the final response. */
static int set_via_gbt(const uint8_t *apdu, size_t len, size_t chunk, bool streaming,
                       unsigned *acks) {
    uint16_t bn = 1;
    int n = 0;
    *acks = 0;
    for (size_t off = 0; off < len; off += chunk, bn++) {
        size_t k = len - off < chunk ? len - off : chunk;
        bool last = off + k == len;
        dlms_gbt_t g = {last, streaming && !last, 1, bn, 0, {apdu + off, k}};
        uint8_t blk[512];
        int q = dlms_gbt_encode(&g, blk, sizeof blk);
        assert_true(q > 0);
        n = srv_in(SAP_PUBLIC, blk, (size_t)q, out, sizeof out);
        if (!last && n > 0) {
            dlms_gbt_t a;
            assert_int_equal(dlms_gbt_decode(out, (size_t)n, &a), 0);
            assert_int_equal(a.block_number_ack, bn);
            assert_int_equal(a.block_data.len, 0);
            (*acks)++;
        }
    }
    return n;
}

static void test_gbt_request(void **state) {
    (void)state;
    open_public(CONF_ALL | DLMS_CONF_GENERAL_BLOCK_TRANSFER, 1024);
    static uint8_t value[4100];
    dlms_set_request_t *r = new_set(DLMS_SET_REQUEST_NORMAL, 0xC6);
    r->count = 1;
    r->items[0].attr = D_BIG;
    r->values[0] = (dlms_slice_t){value, big_value(value, 300)};
    size_t len = set_request(r);
    free(r);
    static uint8_t apdu[1024];
    memcpy(apdu, req, len);
    unsigned acks = 0;
    /* Streamed in a window: no acknowledgement until the end. */
    int n = set_via_gbt(apdu, len, 110, true, &acks);
    assert_int_equal(acks, 0);
    dlms_gbt_t g;
    assert_int_equal(dlms_gbt_decode(out, (size_t)n, &g), 0);
    assert_true(g.last_block);
    assert_int_equal(g.block_number_ack, 3);
    assert_hex(g.block_data.p, g.block_data.len, "C501C600");
    assert_int_equal(g_fake.big_len, 300);
    /* One block per exchange: each is acknowledged. */
    n = set_via_gbt(apdu, len, 110, false, &acks);
    assert_int_equal(acks, 2);
    assert_int_equal(dlms_gbt_decode(out, (size_t)n, &g), 0);
    assert_hex(g.block_data.p, g.block_data.len, "C501C600");
    /* GBT outside the conformance. */
    dlms_server_transport_closed(&g_h->server);
    open_public(CONF_ALL, 1024);
    n = set_via_gbt(apdu, 50, 110, false, &acks);
    assert_hex(out, (size_t)n, "D80102");
}

/* ---- ciphered replies in blocks
 * ------------------------------------------------------------------ */

static void test_ciphered_blocks_small_pdu(void **state) {
    (void)state;
    g_h->sec.security_policy = DLMS_SEC_POLICY_AUTH_ENCRYPTED;
    client_t c;
    client_init(&c, 0);
    static const uint8_t ctos[8] = {'K', '5', '6', 'i', 'V', 'a', 'g', 'Y'};
    size_t n = build_aarq(&c, DLMS_MECH_GMAC, ctos, 8, CONF_ALL, 64, req, sizeof req);
    int r = srv_in(SAP_MGMT, req, n, out, sizeof out);
    dlms_aare_t aare;
    dlms_acse_answer_t ans;
    assert_int_equal(dlms_acse_client_aare(out, (size_t)r, &c.rx, &aare, &ans), 0);
    c.rx.ic[0].last = ans.sec.ic;
    c.rx.ic[0].valid = true;
    /* pass 3 */
    uint8_t f[17];
    dlms_sec_tx_t tx = {&c.keys, TITLE_CLIENT, 0x10, c.ic++, false};
    assert_int_equal(dlms_sec_hls_gmac(&tx, aare.auth_value, aare.auth_value_len, f), 0);
    uint8_t p3[40] = {0xC3, 0x01, 0xC1, 0x00, 0x0F, 0, 0, 40, 0, 0, 255, 0x01, 0x01, 0x09, 0x11};
    memcpy(p3 + 15, f, 17);
    n = client_protect(&c, p3, 32, req, sizeof req);
    r = srv_in(SAP_MGMT, req, n, out, sizeof out);
    assert_true(r > 0 && r <= 64);
    client_unprotect(&c, out, (size_t)r, plain, sizeof plain);
    assert_int_equal(dlms_server_status(&g_h->server), DLMS_ASSOC_ASSOCIATED);
    /* 20 rows (522 bytes) through a 64-byte PDU, every block ciphered. */
    uint8_t params[64];
    axdr_enc_t e;
    axdr_enc_init(&e, params, sizeof params);
    dlms_entry_descriptor_t ed = {1, 20, 1, 0};
    dlms_entry_descriptor_put(&e, &ed);
    dlms_access_selection_t sel = {true, DLMS_ACCESS_SELECTOR_ENTRY, {params, e.len}};
    size_t q = get_normal(0xC1, 7, LN_PROFILE, 2, &sel, plain, sizeof plain);
    n = client_protect(&c, plain, q, req, sizeof req);
    r = srv_in(SAP_MGMT, req, n, out, DLMS_SERVER_OUT_MIN);
    dlms_get_response_t *resp = calloc(1, sizeof *resp);
    assert_non_null(resp);
    dlms_block_rx_t rx;
    dlms_block_rx_init(&rx, whole, sizeof whole);
    unsigned blocks = 0;
    for (;;) {
        assert_true(r > 0 && r <= 64);
        assert_int_equal(out[0], 0xCC);
        size_t m = client_unprotect(&c, out, (size_t)r, plain, sizeof plain);
        assert_int_equal(dlms_get_response_decode(plain, m, resp), 0);
        assert_int_equal(resp->type, DLMS_GET_RESPONSE_WITH_DATABLOCK);
        blocks++;
        if (dlms_block_rx_push(&rx, &resp->block) == 1) {
            break;
        }
        q = get_next_req(0xC1, resp->block.block_number, plain, sizeof plain);
        n = client_protect(&c, plain, q, req, sizeof req);
        r = srv_in(SAP_MGMT, req, n, out, DLMS_SERVER_OUT_MIN);
    }
    free(resp);
    size_t ref = profile_reference(0, 20);
    assert_int_equal(rx.len, ref);
    assert_memory_equal(whole, reference, ref);
    assert_true(blocks > 15);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_get_normal, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_get_with_list, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_get_selective_entry, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_long_profile_blocks, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_long_get_keeps_selection, harness_setup,
                                        harness_teardown),
        cmocka_unit_test_setup_teardown(test_get_next_errors, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_set_normal_and_list, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_set_blocks, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_set_block_errors, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_action_forms, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_action_pblocks, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_action_without_block_transfer, harness_setup,
                                        harness_teardown),
        cmocka_unit_test_setup_teardown(test_gbt_reply_stream, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_gbt_request, harness_setup, harness_teardown),
        cmocka_unit_test_setup_teardown(test_ciphered_blocks_small_pdu, harness_setup,
                                        harness_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
