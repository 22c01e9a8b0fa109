/*
 * test_client_blocks.c - lib/dlms/client services beyond one short APDU:
 * GET replies in blocks reassembled or streamed for PDU sizes 64..1024
 * (plain and ciphered), produced by the library's own server-side block
 * streamer (dlms_get_response_stream_*); hostile block sequences; GET
 * with-list (short and in blocks); selective access by range and by entry
 * (exact request bytes); SET normal and with datablocks; ACTION normal,
 * with pblocks out and with pblocks back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "dlms/client.h"
#include "test_client_support.h"

static uint8_t out[EM_DLMS_CLIENT_MAX_PDU + 64];
static uint8_t in[EM_DLMS_CLIENT_MAX_PDU + 64];
static uint8_t plain[EM_DLMS_CLIENT_MAX_PDU + 64];
static uint8_t reasm[16384];
static dlms_client_t the_client;

static const dlms_cosem_descriptor_t profile_buffer = {7, {1, 0, 99, 1, 0, 255}, 2};

static void expect_bytes(const uint8_t *got, int n, const char *hex) {
    uint8_t want[512];
    size_t wn = tc_unhex(hex, want, sizeof want);
    assert_int_equal(n, (int)wn);
    assert_memory_equal(got, want, wn);
}

/* A client associated (plain or ciphered) with a server that receives at
 * most max_pdu and agreed to conformance. */
static dlms_client_t *associate(bool ciphered, uint32_t conformance, uint16_t max_pdu,
                                tc_server_t *srv) {
    dlms_client_settings_t s;
    tc_settings(&s);
    s.ciphered = ciphered;
    dlms_client_t *c = &the_client;
    assert_int_equal(dlms_client_init(c, &s), 0);
    tc_server_init(srv, 1000);
    assert_true(dlms_client_aarq(c, NULL, 0, out, sizeof out) > 0);
    tc_aare_opts_t o = {0, 0, ciphered, NULL, 0, true, conformance, max_pdu};
    int n = tc_aare(srv, &o, in, sizeof in);
    dlms_client_result_t res;
    assert_int_equal(dlms_client_handle(c, in, (size_t)n, out, sizeof out, &res), 0);
    dlms_client_set_rx_buffer(c, reasm, sizeof reasm);
    return c;
}

/* The canned server's view of a request: deciphered when ciphered. */
static size_t server_read(tc_server_t *srv, bool ciphered, const uint8_t *req, int n) {
    assert_true(n > 0);
    if (!ciphered) {
        memcpy(plain, req, (size_t)n);
        return (size_t)n;
    }
    dlms_sec_rx_t rx;
    memset(&rx, 0, sizeof rx);
    rx.keys = &srv->keys;
    uint8_t title[8];
    tc_unhex(TC_CLI_T, title, 8);
    rx.peer_title = title;
    dlms_sec_info_t info;
    int m = dlms_sec_unprotect(&rx, req, (size_t)n, plain, sizeof plain, &info);
    assert_true(m > 0);
    return (size_t)m;
}

/* The canned server's answer: plain APDU in p, ciphered when needed, in `in`. */
static size_t server_answer(tc_server_t *srv, bool ciphered, const uint8_t *p, size_t n) {
    if (!ciphered) {
        memmove(in, p, n);
        return n;
    }
    int m = tc_protect(srv, p, n, in, sizeof in);
    assert_true(m > 0);
    return (size_t)m;
}

/* Plaintext budget of a server sending APDUs of at most pdu bytes. */
static size_t server_budget(bool ciphered, size_t pdu) {
    return ciphered ? pdu - (1 + (pdu - 1 > 127 ? 3 : 1) + 17) : pdu;
}

/* ---- a long value and its producer --------------------------------------------------- */

/* A profile-like buffer: array of rows {double-long-unsigned, octet
 * string(12), long}. */
static int produce_rows(void *user, axdr_enc_t *e) {
    unsigned rows = *(const unsigned *)user;
    static const uint8_t dt[12] = {0x07, 0xEA, 11, 20, 5, 12, 0, 0, 0, 0xFF, 0xC4, 0};
    axdr_put_array(e, rows);
    for (unsigned i = 0; i < rows && e->err == 0; i++) {
        axdr_put_structure(e, 3);
        axdr_put_uint32(e, i * 1000u);
        axdr_put_octet_string(e, dt, sizeof dt);
        axdr_put_int16(e, (int16_t) - (int)i);
    }
    return e->err;
}

static size_t expected_rows(unsigned rows, uint8_t *buf, size_t cap) {
    axdr_enc_t e;
    axdr_enc_init(&e, buf, cap);
    assert_int_equal(produce_rows(&rows, &e), 0);
    return e.len;
}

/* Stream sink: concatenates pieces, counts calls and "last" flags. */
typedef struct sink {
    uint8_t buf[16384];
    size_t len;
    unsigned calls;
    unsigned lasts;
    int fail_at; /* call number that returns an error, 0: never */
} sink_t;

static int sink_cb(void *user, const uint8_t *p, size_t len, bool last) {
    sink_t *s = user;
    s->calls++;
    if (s->fail_at != 0 && (int)s->calls == s->fail_at) {
        return -1;
    }
    assert_true(s->len + len <= sizeof s->buf);
    memcpy(s->buf + s->len, p, len);
    s->len += len;
    s->lasts += last ? 1u : 0u;
    return 0;
}

/* One GET of `rows` rows served by the library's block streamer. Returns
 * the client's final return code; *blocks gets the APDUs the server sent. */
static int run_long_get(dlms_client_t *c, tc_server_t *srv, bool ciphered, size_t pdu,
                        unsigned rows, dlms_client_result_t *res, unsigned *blocks) {
    int n = dlms_client_get(c, &profile_buffer, NULL, out, sizeof out);
    size_t pn = server_read(srv, ciphered, out, n);
    dlms_get_request_t req;
    assert_int_equal(dlms_get_request_decode(plain, pn, &req), 0);
    dlms_block_stream_t st;
    uint8_t rsp[EM_DLMS_CLIENT_MAX_PDU];
    size_t budget = server_budget(ciphered, pdu);
    int m = dlms_get_response_stream_start(&st, req.invoke_id, false, produce_rows, &rows, budget,
                                           rsp, sizeof rsp);
    *blocks = 0;
    for (;;) {
        assert_true(m > 0);
        assert_true((size_t)m <= budget);
        size_t an = server_answer(srv, ciphered, rsp, (size_t)m);
        assert_true(an <= pdu);
        (*blocks)++;
        int rc = dlms_client_handle(c, in, an, out, sizeof out, res);
        if (rc <= 0) {
            return rc;
        }
        pn = server_read(srv, ciphered, out, rc);
        assert_int_equal(dlms_get_request_decode(plain, pn, &req), 0);
        assert_int_equal(req.type, DLMS_GET_REQUEST_NEXT);
        assert_int_equal(req.block_number, *blocks);
        m = dlms_get_response_stream_next(&st, req.invoke_id, req.block_number, budget, rsp,
                                          sizeof rsp);
    }
}

/* ---- GET in blocks ------------------------------------------------------------------ */

static void test_get_blocks_all_pdus(void **state) {
    (void)state;
    static const size_t pdus[] = {64, 65, 100, 128, 129, 200, 256, 300, 511, 512, 777, 1000, 1024};
    static uint8_t want[16384];
    const unsigned rows = 300;
    size_t wn = expected_rows(rows, want, sizeof want);
    for (int ciphered = 0; ciphered <= 1; ciphered++) {
        for (size_t i = 0; i < sizeof pdus / sizeof pdus[0]; i++) {
            tc_server_t srv;
            dlms_client_t *c = associate(ciphered, 0x00501F, 1024, &srv);
            dlms_client_result_t res;
            unsigned blocks = 0;
            int rc = run_long_get(c, &srv, ciphered, pdus[i], rows, &res, &blocks);
            assert_int_equal(rc, 0);
            assert_true(blocks > 1);
            assert_int_equal(res.blocks, blocks);
            assert_int_equal(res.data.len, wn);
            assert_memory_equal(res.data.p, want, wn);
            assert_ptr_equal(res.data.p, reasm);
            assert_true(dlms_client_is_associated(c));
        }
    }
}

/* A short value needs no block; the same GET then streams to a callback. */
static void test_get_stream(void **state) {
    (void)state;
    static uint8_t want[16384];
    size_t wn = expected_rows(200, want, sizeof want);
    static sink_t sink;
    for (int ciphered = 0; ciphered <= 1; ciphered++) {
        tc_server_t srv;
        dlms_client_t *c = associate(ciphered, 0x00501F, 1024, &srv);
        memset(&sink, 0, sizeof sink);
        dlms_client_set_rx_stream(c, sink_cb, &sink);
        dlms_client_set_rx_buffer(c, NULL, 0); /* streaming needs no buffer */
        dlms_client_result_t res;
        unsigned blocks = 0;
        assert_int_equal(run_long_get(c, &srv, ciphered, 128, 200, &res, &blocks), 0);
        assert_null(res.data.p);
        assert_int_equal(sink.calls, blocks);
        assert_int_equal(sink.lasts, 1);
        assert_int_equal(sink.len, wn);
        assert_memory_equal(sink.buf, want, wn);

        /* A value that fits one APDU comes as one piece, flagged last. */
        memset(&sink, 0, sizeof sink);
        assert_int_equal(run_long_get(c, &srv, ciphered, 1024, 2, &res, &blocks), 0);
        assert_int_equal(blocks, 1);
        assert_int_equal(sink.calls, 1);
        assert_int_equal(sink.lasts, 1);

        /* The receiver stops the transfer. */
        memset(&sink, 0, sizeof sink);
        sink.fail_at = 3;
        assert_int_equal(run_long_get(c, &srv, ciphered, 128, 200, &res, &blocks),
                         DLMS_CLIENT_ERR_STREAM);
        assert_true(dlms_client_is_associated(c));
    }
}

/* Build a get-response-with-datablock by hand. */
static size_t block_apdu(uint8_t iid, bool last, uint32_t bn, const char *raw_hex, uint8_t *buf) {
    uint8_t raw[256];
    size_t rn = tc_unhex(raw_hex, raw, sizeof raw);
    dlms_get_response_t r;
    memset(&r, 0, sizeof r);
    r.type = DLMS_GET_RESPONSE_WITH_DATABLOCK;
    r.invoke_id = iid;
    r.block.last_block = last;
    r.block.block_number = bn;
    r.block.raw_data.p = raw;
    r.block.raw_data.len = rn;
    int n = dlms_get_response_encode(&r, buf, 512);
    assert_true(n > 0);
    return (size_t)n;
}

static void test_get_blocks_hostile(void **state) {
    (void)state;
    tc_server_t srv;
    dlms_client_t *c = associate(false, 0x00501F, 1024, &srv);
    dlms_client_result_t res;
    uint8_t rsp[512];
    size_t m;

    /* Starts with block 2. */
    assert_true(dlms_client_get(c, &profile_buffer, NULL, out, sizeof out) > 0);
    m = block_apdu(out[2], false, 2, "0102", rsp);
    assert_int_equal(dlms_client_handle(c, rsp, m, out, sizeof out, &res), DLMS_CLIENT_ERR_BLOCK);

    /* Block 1 twice. */
    int n = dlms_client_get(c, &profile_buffer, NULL, out, sizeof out);
    uint8_t iid = out[2];
    m = block_apdu(iid, false, 1, "0102", rsp);
    n = dlms_client_handle(c, rsp, m, out, sizeof out, &res);
    expect_bytes(out, n, "C002C200000001"); /* get-request-next, same invoke id */
    assert_int_equal(out[2], iid);
    assert_int_equal(dlms_client_handle(c, rsp, m, out, sizeof out, &res), DLMS_CLIENT_ERR_BLOCK);

    /* The server gives up: a block carrying long-get-aborted. */
    n = dlms_client_get(c, &profile_buffer, NULL, out, sizeof out);
    iid = out[2];
    m = block_apdu(iid, false, 1, "0102", rsp);
    assert_true(dlms_client_handle(c, rsp, m, out, sizeof out, &res) > 0);
    dlms_get_response_t r;
    memset(&r, 0, sizeof r);
    r.type = DLMS_GET_RESPONSE_WITH_DATABLOCK;
    r.invoke_id = iid;
    r.block = (dlms_datablock_t){true, 2, true, DLMS_DAR_LONG_GET_ABORTED, {NULL, 0}};
    m = (size_t)dlms_get_response_encode(&r, rsp, sizeof rsp);
    int rc = dlms_client_handle(c, rsp, m, out, sizeof out, &res);
    assert_int_equal(rc, DLMS_CLIENT_ERR_DATA_ACCESS);
    assert_int_equal(res.dar, DLMS_DAR_LONG_GET_ABORTED);
    assert_string_equal(dlms_client_reason(rc, &res), "long-get-aborted");

    /* The blocks do not make one Data. */
    assert_true(dlms_client_get(c, &profile_buffer, NULL, out, sizeof out) > 0);
    m = block_apdu(out[2], false, 1, "0103", rsp);
    assert_true(dlms_client_handle(c, rsp, m, out, sizeof out, &res) > 0);
    m = block_apdu(out[2], true, 2, "1105", rsp);
    assert_int_equal(dlms_client_handle(c, rsp, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_MALFORMED);
    assert_true(dlms_client_get(c, &profile_buffer, NULL, out, sizeof out) > 0);
    m = block_apdu(out[2], true, 1, "11050000", rsp); /* one Data and trailing bytes */
    assert_int_equal(dlms_client_handle(c, rsp, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_MALFORMED);

    /* A reassembly buffer too small. */
    dlms_client_set_rx_buffer(c, reasm, 3);
    assert_true(dlms_client_get(c, &profile_buffer, NULL, out, sizeof out) > 0);
    m = block_apdu(out[2], false, 1, "0102", rsp);
    assert_true(dlms_client_handle(c, rsp, m, out, sizeof out, &res) > 0);
    m = block_apdu(out[2], false, 2, "0102", rsp);
    assert_int_equal(dlms_client_handle(c, rsp, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_TOO_LONG);

    /* A normal answer in the middle of blocks. */
    dlms_client_set_rx_buffer(c, reasm, sizeof reasm);
    assert_true(dlms_client_get(c, &profile_buffer, NULL, out, sizeof out) > 0);
    m = block_apdu(out[2], false, 1, "0102", rsp);
    assert_true(dlms_client_handle(c, rsp, m, out, sizeof out, &res) > 0);
    const uint8_t normal[] = {0xC4, 0x01, out[2], 0x00, 0x11, 0x01};
    assert_int_equal(dlms_client_handle(c, normal, sizeof normal, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_UNEXPECTED);

    /* Block with another invoke id. */
    assert_true(dlms_client_get(c, &profile_buffer, NULL, out, sizeof out) > 0);
    m = block_apdu((uint8_t)(out[2] + 1), false, 1, "0102", rsp);
    assert_int_equal(dlms_client_handle(c, rsp, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_INVOKE_ID);
    assert_true(dlms_client_is_associated(c));
}

/* ---- GET with-list ---------------------------------------------------------------- */

static const dlms_attr_selection_t two_items[2] = {
    {{8, {0, 0, 1, 0, 0, 255}, 2}, {false, 0, {NULL, 0}}},
    {{1, {0, 0, 42, 0, 0, 255}, 2}, {false, 0, {NULL, 0}}},
};

static void test_get_list(void **state) {
    (void)state;
    tc_server_t srv;
    dlms_client_t *c = associate(false, 0x00521F, 1024, &srv);
    dlms_client_result_t res;
    int n = dlms_client_get_list(c, two_items, 2, out, sizeof out);
    expect_bytes(out, n,
                 "C003C1020008"
                 "0000010000FF0200"
                 "0001"
                 "00002A0000FF0200");
    size_t m = tc_unhex("C403C10200090345454D0104", in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res), 0);
    assert_int_equal(res.op, DLMS_CLIENT_OP_GET_LIST);
    assert_int_equal(res.count, 2);
    assert_true(res.list[0].is_data);
    assert_int_equal(res.list[0].data.len, 5);
    assert_false(res.list[1].is_data);
    assert_int_equal(res.list[1].dar, DLMS_DAR_OBJECT_UNDEFINED);

    /* Fewer results than attributes asked for. */
    assert_true(dlms_client_get_list(c, two_items, 2, out, sizeof out) > 0);
    m = tc_unhex("C403C2010104", in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res), DLMS_CLIENT_ERR_LIST);
    /* A normal response to a list. */
    assert_true(dlms_client_get_list(c, two_items, 2, out, sizeof out) > 0);
    m = tc_unhex("C401C3001105", in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_UNEXPECTED);
    /* Count out of bounds. */
    assert_int_equal(dlms_client_get_list(c, two_items, 0, out, sizeof out),
                     DLMS_CLIENT_ERR_BADARG);
    assert_int_equal(dlms_client_get_list(c, two_items, EM_DLMS_MAX_LIST + 1, out, sizeof out),
                     DLMS_CLIENT_ERR_BADARG);
}

/* The body of a with-list reply: two long octet strings. */
static int produce_list(void *user, axdr_enc_t *e) {
    (void)user;
    static uint8_t big[300];
    for (size_t i = 0; i < sizeof big; i++) {
        big[i] = (uint8_t)i;
    }
    axdr_put_length(e, 2);
    dlms_apdu_put_result_data(e);
    axdr_put_octet_string(e, big, sizeof big);
    dlms_apdu_put_result_data(e);
    return axdr_put_octet_string(e, big, 100);
}

static void test_get_list_blocks(void **state) {
    (void)state;
    tc_server_t srv;
    dlms_client_t *c = associate(false, 0x00521F, 1024, &srv);
    dlms_client_result_t res;
    int n = dlms_client_get_list(c, two_items, 2, out, sizeof out);
    dlms_block_stream_t st;
    uint8_t rsp[256];
    int m =
        dlms_get_response_stream_start(&st, out[2], true, produce_list, NULL, 64, rsp, sizeof rsp);
    unsigned blocks = 0;
    for (;;) {
        blocks++;
        n = dlms_client_handle(c, rsp, (size_t)m, out, sizeof out, &res);
        if (n <= 0) {
            break;
        }
        dlms_get_request_t req;
        assert_int_equal(dlms_get_request_decode(out, (size_t)n, &req), 0);
        m = dlms_get_response_stream_next(&st, req.invoke_id, req.block_number, 64, rsp,
                                          sizeof rsp);
    }
    assert_int_equal(n, 0);
    assert_true(blocks > 5);
    assert_int_equal(res.count, 2);
    assert_int_equal(res.list[0].data.len, 4 + 300); /* 09 82 01 2C ... */
    assert_int_equal(res.list[0].data.p[4 + 299], (uint8_t)299);
    assert_int_equal(res.list[1].data.len, 2 + 100);

    /* Without a buffer the blocks have nowhere to go (the stream is only
     * for single attributes). */
    static sink_t sink;
    memset(&sink, 0, sizeof sink);
    dlms_client_set_rx_buffer(c, NULL, 0);
    dlms_client_set_rx_stream(c, sink_cb, &sink);
    assert_true(dlms_client_get_list(c, two_items, 2, out, sizeof out) > 0);
    m = dlms_get_response_stream_start(&st, out[2], true, produce_list, NULL, 64, rsp, sizeof rsp);
    assert_int_equal(dlms_client_handle(c, rsp, (size_t)m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_NO_BUFFER);
    assert_int_equal(sink.calls, 0);
}

/* ---- selective access ------------------------------------------------------------- */

static void test_get_range(void **state) {
    (void)state;
    tc_server_t srv;
    dlms_client_t *c = associate(false, 0x00501F, 1024, &srv);
    cosem_datetime_t from = {2026, 11, 20, 0xFF, 0, 0, 0, 0, -60, 0};
    cosem_datetime_t to = {2026, 11, 21, 0xFF, 0, 0, 0, 0, -60, 0};
    int n = dlms_client_get_range(c, &profile_buffer, NULL, &from, &to, NULL, 0, out, sizeof out);
    expect_bytes(out, n,
                 "C001C1"
                 "00070100630100FF02"
                 "01"
                 "01"
                 "0204"
                 "0204"
                 "120008"
                 "09060000010000FF"
                 "0F02"
                 "120000"
                 "090C07EA0B14FF00000000FFC400"
                 "090C07EA0B15FF00000000FFC400"
                 "0100");
    dlms_client_abort(c);

    /* Two columns: the clock and A+; decoded back with the server's parser. */
    const dlms_capture_object_t cols[2] = {{8, {0, 0, 1, 0, 0, 255}, 2, 0},
                                           {3, {1, 0, 1, 8, 0, 255}, 2, 0}};
    n = dlms_client_get_range(c, &profile_buffer, NULL, &from, &to, cols, 2, out, sizeof out);
    dlms_get_request_t req;
    assert_int_equal(dlms_get_request_decode(out, (size_t)n, &req), 0);
    assert_true(req.items[0].access.present);
    assert_int_equal(req.items[0].access.selector, DLMS_ACCESS_SELECTOR_RANGE);
    dlms_range_descriptor_t rd;
    assert_int_equal(dlms_range_descriptor_decode(req.items[0].access.parameters.p,
                                                  req.items[0].access.parameters.len, &rd),
                     0);
    assert_int_equal(rd.restricting_object.class_id, 8);
    assert_int_equal(rd.restricting_object.attribute_index, 2);
    assert_int_equal(rd.selected_count, 2);
    axdr_dec_t d;
    axdr_dec_init(&d, rd.selected_values.p, rd.selected_values.len);
    dlms_capture_object_t co;
    assert_int_equal(dlms_capture_object_get(&d, &co), 0);
    assert_int_equal(co.class_id, 8);
    assert_int_equal(dlms_capture_object_get(&d, &co), 0);
    assert_int_equal(co.class_id, 3);
    assert_memory_equal(co.logical_name, cols[1].logical_name, 6);
    dlms_client_abort(c);

    /* Another restricting object, and argument errors. */
    const dlms_capture_object_t status = {1, {0, 0, 96, 10, 1, 255}, 2, 0};
    n = dlms_client_get_range(c, &profile_buffer, &status, &from, &to, NULL, 0, out, sizeof out);
    assert_true(n > 0);
    assert_int_equal(out[19], 0x00); /* restricting class 1 */
    assert_int_equal(out[20], 0x01);
    dlms_client_abort(c);
    assert_int_equal(
        dlms_client_get_range(c, &profile_buffer, NULL, NULL, &to, NULL, 0, out, sizeof out),
        DLMS_CLIENT_ERR_BADARG);
    assert_int_equal(
        dlms_client_get_range(c, &profile_buffer, NULL, &from, &to, NULL, 3, out, sizeof out),
        DLMS_CLIENT_ERR_BADARG);
}

static void test_get_entry(void **state) {
    (void)state;
    tc_server_t srv;
    dlms_client_t *c = associate(false, 0x00501F, 1024, &srv);
    dlms_entry_descriptor_t ed = {1, 10, 1, 0};
    int n = dlms_client_get_entry(c, &profile_buffer, &ed, out, sizeof out);
    expect_bytes(out, n,
                 "C001C1"
                 "00070100630100FF02"
                 "01"
                 "02"
                 "0204"
                 "0600000001"
                 "060000000A"
                 "120001"
                 "120000");
    dlms_client_abort(c);
    assert_int_equal(dlms_client_get_entry(c, &profile_buffer, NULL, out, sizeof out),
                     DLMS_CLIENT_ERR_BADARG);
}

/* A request longer than the server's max PDU is refused before sending. */
static void test_get_request_too_long(void **state) {
    (void)state;
    tc_server_t srv;
    dlms_client_t *c = associate(true, 0x00501F, 64, &srv);
    static dlms_capture_object_t cols[10];
    for (int i = 0; i < 10; i++) {
        cols[i] = (dlms_capture_object_t){3, {1, 0, 1, 8, (uint8_t)i, 255}, 2, 0};
    }
    cosem_datetime_t t = {2026, 1, 1, 0xFF, 0, 0, 0, 0, 0, 0};
    assert_int_equal(
        dlms_client_get_range(c, &profile_buffer, NULL, &t, &t, cols, 10, out, sizeof out),
        DLMS_CLIENT_ERR_PDU_SIZE);
    assert_true(dlms_client_get_range(c, &profile_buffer, NULL, &t, &t, cols, 0, out, sizeof out) <=
                64);
}

/* ---- SET ----------------------------------------------------------------------------- */

static void test_set_normal(void **state) {
    (void)state;
    tc_server_t srv;
    dlms_client_t *c = associate(false, 0x00501F, 1024, &srv);
    dlms_client_result_t res;
    const dlms_cosem_descriptor_t clk = {8, {0, 0, 1, 0, 0, 255}, 2};
    uint8_t v[14];
    size_t vn = tc_unhex("090C07EA0B14050C000000FFC400", v, sizeof v);
    int n = dlms_client_set(c, &clk, NULL, v, vn, out, sizeof out);
    expect_bytes(out, n,
                 "C101C1"
                 "00080000010000FF0200"
                 "090C07EA0B14050C000000FFC400");
    size_t m = tc_unhex("C501C100", in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res), 0);
    assert_int_equal(res.op, DLMS_CLIENT_OP_SET);

    assert_true(dlms_client_set(c, &clk, NULL, v, vn, out, sizeof out) > 0);
    m = tc_unhex("C501C203", in, sizeof in);
    int rc = dlms_client_handle(c, in, m, out, sizeof out, &res);
    assert_int_equal(rc, DLMS_CLIENT_ERR_DATA_ACCESS);
    assert_string_equal(dlms_client_reason(rc, &res), "read-write-denied");

    /* A datablock acknowledgement for a normal SET. */
    assert_true(dlms_client_set(c, &clk, NULL, v, vn, out, sizeof out) > 0);
    m = tc_unhex("C502C300000001", in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_UNEXPECTED);

    /* Not one Data. */
    assert_int_equal(dlms_client_set(c, &clk, NULL, v, vn - 1, out, sizeof out),
                     DLMS_CLIENT_ERR_BADARG);
    assert_int_equal(dlms_client_set(c, &clk, NULL, v, 0, out, sizeof out), DLMS_CLIENT_ERR_BADARG);
}

/* A value of 600 bytes to servers receiving 64..256: set-request-with-
 * first-datablock, then with-datablock until the last; every request fits
 * the server's PDU, the server's block receiver gets the value back. */
static void test_set_blocks(void **state) {
    (void)state;
    static uint8_t value[4 + 600]; /* 09 82 02 58: octet string of 600 bytes */
    const uint8_t head[4] = {0x09, 0x82, 0x02, 0x58};
    memcpy(value, head, sizeof head);
    for (size_t i = 4; i < sizeof value; i++) {
        value[i] = (uint8_t)(i * 7);
    }
    static const uint16_t pdus[] = {64, 100, 256};
    for (int ciphered = 0; ciphered <= 1; ciphered++) {
        for (size_t k = 0; k < sizeof pdus / sizeof pdus[0]; k++) {
            tc_server_t srv;
            dlms_client_t *c = associate(ciphered, 0x00581F, pdus[k], &srv);
            const dlms_cosem_descriptor_t a = {1, {0, 0, 96, 1, 0, 255}, 2};
            dlms_client_result_t res;
            int n = dlms_client_set(c, &a, NULL, value, sizeof value, out, sizeof out);
            static uint8_t got[1024];
            dlms_block_rx_t brx;
            dlms_block_rx_init(&brx, got, sizeof got);
            unsigned rounds = 0;
            for (;;) {
                assert_true(n > 0 && n <= pdus[k]);
                size_t pn = server_read(&srv, ciphered, out, n);
                dlms_set_request_t req;
                assert_int_equal(dlms_set_request_decode(plain, pn, &req), 0);
                assert_int_equal(req.type, rounds == 0 ? DLMS_SET_REQUEST_WITH_FIRST_DATABLOCK
                                                       : DLMS_SET_REQUEST_WITH_DATABLOCK);
                int last = dlms_block_rx_push(&brx, &req.block);
                assert_true(last >= 0);
                rounds++;
                uint8_t rsp[16];
                dlms_set_response_t r;
                memset(&r, 0, sizeof r);
                r.invoke_id = req.invoke_id;
                r.block_number = req.block.block_number;
                r.type = last ? DLMS_SET_RESPONSE_LAST_DATABLOCK : DLMS_SET_RESPONSE_DATABLOCK;
                r.count = 1;
                int rn = dlms_set_response_encode(&r, rsp, sizeof rsp);
                size_t an = server_answer(&srv, ciphered, rsp, (size_t)rn);
                n = dlms_client_handle(c, in, an, out, sizeof out, &res);
                if (last) {
                    break;
                }
            }
            assert_int_equal(n, 0);
            assert_true(rounds > 2);
            assert_int_equal(brx.len, sizeof value);
            assert_memory_equal(got, value, sizeof value);
        }
    }
}

static void test_set_blocks_hostile(void **state) {
    (void)state;
    static uint8_t value[3 + 200];
    memset(value, 0x33, sizeof value);
    value[0] = 0x09;
    value[1] = 0x81;
    value[2] = 200;
    const dlms_cosem_descriptor_t a = {1, {0, 0, 96, 1, 0, 255}, 2};
    dlms_client_result_t res;
    tc_server_t srv;

    /* The server did not agree to block transfer with SET. */
    dlms_client_t *c = associate(false, 0x00501F, 64, &srv);
    assert_int_equal(dlms_client_set(c, &a, NULL, value, sizeof value, out, sizeof out),
                     DLMS_CLIENT_ERR_CONFORMANCE);

    c = associate(false, 0x00581F, 64, &srv);
    int n = dlms_client_set(c, &a, NULL, value, sizeof value, out, sizeof out);
    assert_true(n > 0);
    uint8_t iid = out[2];
    /* Acknowledges a block never sent. */
    uint8_t rsp[16] = {0xC5, 0x02, iid, 0, 0, 0, 2};
    assert_int_equal(dlms_client_handle(c, rsp, 7, out, sizeof out, &res), DLMS_CLIENT_ERR_BLOCK);

    /* "Last datablock" before the last one was sent. */
    n = dlms_client_set(c, &a, NULL, value, sizeof value, out, sizeof out);
    iid = out[2];
    const uint8_t last[] = {0xC5, 0x03, iid, 0x00, 0, 0, 0, 1};
    assert_int_equal(dlms_client_handle(c, last, sizeof last, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_BLOCK);

    /* The server ends the transfer early with a reason. */
    n = dlms_client_set(c, &a, NULL, value, sizeof value, out, sizeof out);
    iid = out[2];
    const uint8_t early[] = {0xC5, 0x01, iid, DLMS_DAR_LONG_SET_ABORTED};
    int rc = dlms_client_handle(c, early, sizeof early, out, sizeof out, &res);
    assert_int_equal(rc, DLMS_CLIENT_ERR_DATA_ACCESS);
    assert_int_equal(res.dar, DLMS_DAR_LONG_SET_ABORTED);
}

/* ---- ACTION ----------------------------------------------------------------------------- */

static void test_action_normal(void **state) {
    (void)state;
    tc_server_t srv;
    dlms_client_t *c = associate(false, 0x00501F, 1024, &srv);
    dlms_client_result_t res;
    const dlms_cosem_descriptor_t disc = {70, {0, 0, 96, 3, 10, 255}, 1};
    const uint8_t zero[] = {0x0F, 0x00};
    int n = dlms_client_action(c, &disc, zero, sizeof zero, out, sizeof out);
    expect_bytes(out, n,
                 "C301C1"
                 "0046"
                 "000060030AFF"
                 "01"
                 "01"
                 "0F00");
    size_t m = tc_unhex("C701C10000", in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res), 0);
    assert_null(res.data.p);

    n = dlms_client_action(c, &disc, NULL, 0, out, sizeof out);
    expect_bytes(out, n,
                 "C301C2"
                 "0046"
                 "000060030AFF"
                 "01"
                 "00");
    m = tc_unhex("C701C2000100"
                 "1105",
                 in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res), 0);
    assert_int_equal(res.data.len, 2);
    assert_int_equal(res.data.p[1], 5);

    assert_true(dlms_client_action(c, &disc, NULL, 0, out, sizeof out) > 0);
    m = tc_unhex("C701C30B00", in, sizeof in);
    int rc = dlms_client_handle(c, in, m, out, sizeof out, &res);
    assert_int_equal(rc, DLMS_CLIENT_ERR_DATA_ACCESS);
    assert_int_equal(res.dar, DLMS_ACTION_OBJECT_UNAVAILABLE);
    assert_string_equal(dlms_client_reason(rc, &res),
                        dlms_action_result_name(DLMS_ACTION_OBJECT_UNAVAILABLE));

    /* Success, but the return parameters carry a data-access-result. */
    assert_true(dlms_client_action(c, &disc, NULL, 0, out, sizeof out) > 0);
    m = tc_unhex("C701C400010102", in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_DATA_ACCESS);
    assert_int_equal(res.dar, 2);

    /* Hostile: a GET response, a bad flag. */
    assert_true(dlms_client_action(c, &disc, NULL, 0, out, sizeof out) > 0);
    m = tc_unhex("C401C5001105", in, sizeof in);
    assert_int_equal(dlms_client_handle(c, in, m, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_UNEXPECTED);
    assert_true(dlms_client_action(c, &disc, NULL, 0, out, sizeof out) > 0);
    m = tc_unhex("C701C60002", in, sizeof in);
    assert_true(dlms_client_handle(c, in, m, out, sizeof out, &res) < 0);
    assert_int_equal(dlms_client_action(c, &disc, NULL, 3, out, sizeof out),
                     DLMS_CLIENT_ERR_BADARG);
}

/* Parameters of 500 bytes go out in pblocks; the answer is normal. */
static void test_action_pblocks_out(void **state) {
    (void)state;
    static uint8_t params[4 + 500]; /* 09 82 01 F4: octet string of 500 bytes */
    const uint8_t head[4] = {0x09, 0x82, 0x01, 0xF4};
    memcpy(params, head, sizeof head);
    for (size_t i = 4; i < sizeof params; i++) {
        params[i] = (uint8_t)i;
    }
    for (int ciphered = 0; ciphered <= 1; ciphered++) {
        tc_server_t srv;
        dlms_client_t *c = associate(ciphered, 0x00541F, 80, &srv);
        const dlms_cosem_descriptor_t m18 = {18, {0, 0, 44, 0, 0, 255}, 2};
        dlms_client_result_t res;
        int n = dlms_client_action(c, &m18, params, sizeof params, out, sizeof out);
        static uint8_t got[1024];
        dlms_block_rx_t brx;
        dlms_block_rx_init(&brx, got, sizeof got);
        for (unsigned round = 0;; round++) {
            assert_true(n > 0 && n <= 80);
            size_t pn = server_read(&srv, ciphered, out, n);
            dlms_action_request_t req;
            assert_int_equal(dlms_action_request_decode(plain, pn, &req), 0);
            assert_int_equal(req.type, round == 0 ? DLMS_ACTION_REQUEST_WITH_FIRST_PBLOCK
                                                  : DLMS_ACTION_REQUEST_WITH_PBLOCK);
            int last = dlms_block_rx_push(&brx, &req.block);
            assert_true(last >= 0);
            uint8_t rsp[16];
            size_t rn;
            if (last) {
                const uint8_t done[] = {0xC7, 0x01, req.invoke_id, 0x00, 0x00};
                memcpy(rsp, done, sizeof done);
                rn = sizeof done;
            } else {
                const uint8_t next[] = {
                    0xC7, 0x04, req.invoke_id, 0, 0, 0, (uint8_t)req.block.block_number};
                memcpy(rsp, next, sizeof next);
                rn = sizeof next;
            }
            size_t an = server_answer(&srv, ciphered, rsp, rn);
            n = dlms_client_handle(c, in, an, out, sizeof out, &res);
            if (last) {
                break;
            }
        }
        assert_int_equal(n, 0);
        assert_int_equal(brx.len, sizeof params);
        assert_memory_equal(got, params, sizeof params);
    }
}

/* The return data of an ACTION in pblocks (action-response-with-pblock,
 * action-request-next-pblock), from the library's ACTION streamer. */
static int produce_action_return(void *user, axdr_enc_t *e) {
    (void)user;
    static uint8_t big[400];
    for (size_t i = 0; i < sizeof big; i++) {
        big[i] = (uint8_t)(255 - i);
    }
    dlms_apdu_put_action_result(e, DLMS_ACTION_SUCCESS, true);
    return axdr_put_octet_string(e, big, sizeof big);
}

static void test_action_pblocks_back(void **state) {
    (void)state;
    tc_server_t srv;
    dlms_client_t *c = associate(false, 0x00541F, 1024, &srv);
    const dlms_cosem_descriptor_t m = {1, {0, 0, 96, 1, 0, 255}, 1};
    dlms_client_result_t res;
    int n = dlms_client_action(c, &m, NULL, 0, out, sizeof out);
    dlms_block_stream_t st;
    uint8_t rsp[128];
    int rn = dlms_action_response_stream_start(&st, out[2], false, produce_action_return, NULL, 64,
                                               rsp, sizeof rsp);
    unsigned blocks = 0;
    for (;;) {
        assert_true(rn > 0);
        blocks++;
        n = dlms_client_handle(c, rsp, (size_t)rn, out, sizeof out, &res);
        if (n <= 0) {
            break;
        }
        dlms_action_request_t req;
        assert_int_equal(dlms_action_request_decode(out, (size_t)n, &req), 0);
        assert_int_equal(req.type, DLMS_ACTION_REQUEST_NEXT_PBLOCK);
        rn = dlms_action_response_stream_next(&st, req.invoke_id, req.block_number, 64, rsp,
                                              sizeof rsp);
    }
    assert_int_equal(n, 0);
    assert_true(blocks > 5);
    assert_int_equal(res.data.len, 4 + 400); /* 09 82 01 90 ... */
    assert_int_equal(res.data.p[4], 255);
    assert_ptr_equal(res.data.p, reasm + 3); /* after result, 01 present, 00 data */

    /* No buffer: refused at the first block. */
    dlms_client_set_rx_buffer(c, NULL, 0);
    assert_true(dlms_client_action(c, &m, NULL, 0, out, sizeof out) > 0);
    rn = dlms_action_response_stream_start(&st, out[2], false, produce_action_return, NULL, 64, rsp,
                                           sizeof rsp);
    assert_int_equal(dlms_client_handle(c, rsp, (size_t)rn, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_NO_BUFFER);
    /* The reassembled return is not an Action-Response-With-Optional-Data. */
    dlms_client_set_rx_buffer(c, reasm, sizeof reasm);
    assert_true(dlms_client_action(c, &m, NULL, 0, out, sizeof out) > 0);
    const uint8_t bad[] = {0xC7, 0x02, out[2], 0x01, 0, 0, 0, 1, 0x02, 0x00, 0x05};
    assert_int_equal(dlms_client_handle(c, bad, sizeof bad, out, sizeof out, &res),
                     DLMS_CLIENT_ERR_MALFORMED);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_blocks_all_pdus), cmocka_unit_test(test_get_stream),
        cmocka_unit_test(test_get_blocks_hostile),  cmocka_unit_test(test_get_list),
        cmocka_unit_test(test_get_list_blocks),     cmocka_unit_test(test_get_range),
        cmocka_unit_test(test_get_entry),           cmocka_unit_test(test_get_request_too_long),
        cmocka_unit_test(test_set_normal),          cmocka_unit_test(test_set_blocks),
        cmocka_unit_test(test_set_blocks_hostile),  cmocka_unit_test(test_action_normal),
        cmocka_unit_test(test_action_pblocks_out),  cmocka_unit_test(test_action_pblocks_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
