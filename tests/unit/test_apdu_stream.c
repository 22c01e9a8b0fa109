/*
 * test_apdu_stream.c - unit tests of the streaming of long replies and of
 * general-block-transfer (lib/dlms/apdu_stream.c, apdu_gbt.c, with the GET
 * and ACTION codecs): a 1440-row synthetic load profile (rows of
 * {date-time, double-long-unsigned, double-long-unsigned}) read in
 * get-response-with-datablock blocks with max PDU 64, 128, 256 and 1024 and
 * output buffers no larger than the PDU, reassembled by the client-side
 * decoder and compared with the single-shot encoding; block numbering and
 * the last-block flag; the normal/block decision; with-list and ACTION
 * pblock streams; every abort path; seeking producers; and GBT split and
 * reassembly with windows 1 and 4 and lost blocks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dlms/apdu.h"

/* ---- the synthetic profile ------------------------------------------------------ */

#define PROFILE_ROWS 1440
/* One row: 02 03 | 09 0C + 12 bytes | 06 + 4 | 06 + 4 = 2 + 14 + 5 + 5. */
#define ROW_LEN 26
/* array header for 1440 = 0x05A0 entries: 01 82 05 A0 */
#define PROFILE_LEN (4 + PROFILE_ROWS * ROW_LEN)

typedef struct profile {
    uint32_t rows;
    bool seek;                  /* skip the rows before the window */
    unsigned long rows_emitted; /* work done, over every call */
    size_t fail_after;          /* > 0: fail once the window starts past this offset */
    bool shrink;                /* not deterministic: one row fewer after the first call */
    unsigned calls;
} profile_t;

/* Row r: 15-minute interval from 2024-01-01 00:00 CET, two counters. */
static void put_row(axdr_enc_t *e, uint32_t r) {
    cosem_datetime_t dt;
    uint32_t minutes = r * 15u;
    uint32_t day = minutes / 1440u;
    dt.year = 2024;
    dt.month = 1;
    dt.day = (uint8_t)(1 + day);
    dt.day_of_week = (uint8_t)(1 + day % 7); /* 2024-01-01 was a Monday */
    dt.hour = (uint8_t)(minutes % 1440u / 60u);
    dt.minute = (uint8_t)(minutes % 60u);
    dt.second = 0;
    dt.hundredths = 0;
    dt.deviation = -60;
    dt.clock_status = 0;
    axdr_put_structure(e, 3);
    axdr_put_date_time_os(e, &dt);
    axdr_put_uint32(e, 1000u + r * 7u);
    axdr_put_uint32(e, r * r);
}

static int produce_profile(void *user, axdr_enc_t *e) {
    profile_t *p = user;
    uint32_t rows = p->rows;
    if (p->shrink && p->calls > 0) {
        rows--;
    }
    p->calls++;
    size_t start = dlms_apdu_window_start(e);
    if (p->fail_after > 0 && start > p->fail_after) {
        return -0x0A01; /* e.g. a store read error, in another module's range */
    }
    axdr_put_array(e, p->rows);
    uint32_t first = 0;
    size_t pos = axdr_enc_size(e);
    if (p->seek && start > pos) {
        /* Rows have a fixed size: jump to the first one the window needs. */
        first = (uint32_t)((start - pos) / ROW_LEN);
        first = first < rows ? first : rows;
        int rc = dlms_apdu_skip(e, (size_t)first * ROW_LEN);
        if (rc != 0) {
            return rc;
        }
    }
    for (uint32_t r = first; r < rows && e->err == 0; r++) {
        put_row(e, r);
        p->rows_emitted++;
    }
    return e->err;
}

/* The whole encoding in one buffer, the reference. */
static size_t single_shot(profile_t *p, uint8_t *buf, size_t cap) {
    axdr_enc_t e;
    axdr_enc_init(&e, buf, cap);
    assert_int_equal(produce_profile(p, &e), 0);
    return e.len;
}

static uint8_t reference[PROFILE_LEN + 64];
static uint8_t reassembled[PROFILE_LEN + 64];

/* ---- GET in datablocks ---------------------------------------------------------- */

/* Client side of one long GET: decode each block, push it, ask for the
 * next with a get-request-next that the server decodes. Returns the number
 * of blocks. The server's output buffer is exactly max_pdu bytes. */
static uint32_t read_in_blocks(profile_t *p, size_t max_pdu, uint8_t iid) {
    uint8_t *apdu = malloc(max_pdu);
    assert_non_null(apdu);
    dlms_block_stream_t s;
    dlms_block_rx_t rx;
    dlms_block_rx_init(&rx, reassembled, sizeof reassembled);
    int n =
        dlms_get_response_stream_start(&s, iid, false, produce_profile, p, max_pdu, apdu, max_pdu);
    uint32_t blocks = 0;
    size_t room = dlms_apdu_block_room(max_pdu, 9);
    for (;;) {
        assert_true(n > 0);
        assert_true((size_t)n <= max_pdu);
        dlms_get_response_t resp;
        assert_int_equal(dlms_get_response_decode(apdu, (size_t)n, &resp), 0);
        assert_int_equal(resp.type, DLMS_GET_RESPONSE_WITH_DATABLOCK);
        assert_int_equal(resp.invoke_id, iid);
        assert_int_equal(resp.block.block_number, blocks + 1);
        blocks++;
        if (!resp.block.last_block) {
            /* Every block but the last fills the PDU exactly. */
            assert_int_equal((size_t)n, max_pdu);
            assert_int_equal(resp.block.raw_data.len, room);
            assert_true(s.active);
        }
        int rc = dlms_block_rx_push(&rx, &resp.block);
        if (resp.block.last_block) {
            assert_int_equal(rc, 1);
            assert_false(s.active);
            break;
        }
        assert_int_equal(rc, 0);
        dlms_get_request_t next;
        memset(&next, 0, sizeof next);
        next.type = DLMS_GET_REQUEST_NEXT;
        next.invoke_id = iid;
        next.block_number = resp.block.block_number;
        uint8_t req[16];
        int rl = dlms_get_request_encode(&next, req, sizeof req);
        assert_int_equal(rl, 7);
        dlms_get_request_t got;
        assert_int_equal(dlms_get_request_decode(req, (size_t)rl, &got), 0);
        n = dlms_get_response_stream_next(&s, got.invoke_id, got.block_number, max_pdu, apdu,
                                          max_pdu);
    }
    free(apdu);
    assert_true(rx.complete);
    assert_int_equal(rx.len, PROFILE_LEN);
    assert_memory_equal(reassembled, reference, PROFILE_LEN);
    return blocks;
}

static void test_profile_in_blocks(void **state) {
    (void)state;
    profile_t p = {PROFILE_ROWS, false, 0, 0, false, 0};
    assert_int_equal(single_shot(&p, reference, sizeof reference), PROFILE_LEN);
    /* Block payloads: max_pdu - 9 header bytes - the raw-data length field:
     * 64 -> 54 (1-byte length), 128 -> 118 (1), 256 -> 245 (81 F5),
     * 1024 -> 1012 (82 03 F4). */
    static const struct {
        size_t max_pdu, room;
    } cases[] = {{64, 54}, {128, 118}, {256, 245}, {1024, 1012}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(dlms_apdu_block_room(cases[i].max_pdu, 9), cases[i].room);
        for (int seek = 0; seek < 2; seek++) {
            profile_t q = {PROFILE_ROWS, seek != 0, 0, 0, false, 0};
            uint32_t blocks = read_in_blocks(&q, cases[i].max_pdu, 0xC1);
            size_t want = (PROFILE_LEN + cases[i].room - 1) / cases[i].room;
            assert_int_equal(blocks, want);
            if (seek) {
                /* Measure once (1440 rows) plus, per block, the rows that
                 * overlap its window and the one that overflows it. */
                unsigned long bound =
                    PROFILE_ROWS + PROFILE_ROWS + 3ul * blocks + (unsigned long)blocks;
                assert_true(q.rows_emitted <= bound);
            }
        }
    }
    /* With PDU 64 the plain producer re-emits about blocks * rows / 2 rows,
     * the seeking one a few per block. */
    profile_t plain = {PROFILE_ROWS, false, 0, 0, false, 0};
    profile_t seek = {PROFILE_ROWS, true, 0, 0, false, 0};
    read_in_blocks(&plain, 64, 0xC2);
    read_in_blocks(&seek, 64, 0xC2);
    assert_true(plain.rows_emitted > 100ul * seek.rows_emitted / 10ul);
    assert_true(plain.rows_emitted > 400000ul);
}

/* Small values go out as get-response-normal, up to exactly max_pdu. */
static void test_normal_or_blocks(void **state) {
    (void)state;
    profile_t p = {10, false, 0, 0, false, 0};
    uint8_t ref[512], out[512];
    size_t vlen = single_shot(&p, ref, sizeof ref);
    assert_int_equal(vlen, 2 + 10 * ROW_LEN); /* 01 0A header */
    dlms_block_stream_t s;
    /* C4 01 C1 00 + value = 266 bytes: fits 266, not 265. */
    int n =
        dlms_get_response_stream_start(&s, 0xC1, false, produce_profile, &p, 266, out, sizeof out);
    assert_int_equal(n, 266);
    assert_false(s.active);
    dlms_get_response_t r;
    assert_int_equal(dlms_get_response_decode(out, (size_t)n, &r), 0);
    assert_int_equal(r.type, DLMS_GET_RESPONSE_NORMAL);
    assert_true(r.results[0].is_data);
    assert_int_equal(r.results[0].data.len, vlen);
    assert_memory_equal(r.results[0].data.p, ref, vlen);
    n = dlms_get_response_stream_start(&s, 0xC1, false, produce_profile, &p, 265, out, sizeof out);
    assert_int_equal(n, 265);
    assert_true(s.active);
    assert_int_equal(dlms_get_response_decode(out, (size_t)n, &r), 0);
    assert_int_equal(r.type, DLMS_GET_RESPONSE_WITH_DATABLOCK);
    /* The output buffer caps the PDU as well. */
    n = dlms_get_response_stream_start(&s, 0xC1, false, produce_profile, &p, 1024, out, 100);
    assert_int_equal(n, 100);
    assert_true(s.active);

    /* The GBT view of the same reply: C4 01 C1 00 then the value. */
    size_t total = 0;
    assert_int_equal(dlms_get_response_measure(0xC1, false, produce_profile, &p, &total), 0);
    assert_int_equal(total, 4 + vlen);
    uint8_t part[7];
    assert_int_equal(
        dlms_get_response_window(0xC1, false, produce_profile, &p, 1, part, sizeof part), 0);
    static const uint8_t want[7] = {0x01, 0xC1, 0x00, 0x01, 0x0A, 0x02, 0x03};
    assert_memory_equal(part, want, sizeof want);
}

/* get-response-with-list produced by the server: 2 entries, a 20-byte
 * octet string and a data-access-result. */
static int produce_list(void *user, axdr_enc_t *e) {
    (void)user;
    static const uint8_t serial[20] = "EMT0000000000000042";
    axdr_put_length(e, 2);
    dlms_apdu_put_result_data(e);
    axdr_put_octet_string(e, serial, sizeof serial);
    return dlms_apdu_put_result_dar(e, DLMS_DAR_READ_WRITE_DENIED);
}

static void test_with_list_stream(void **state) {
    (void)state;
    uint8_t out[64], want[64];
    dlms_block_stream_t s;
    /* C4 03 C1 | 02 | 00 09 14 "EMT...42" NUL | 01 03: 3 + 26 bytes */
    size_t wl = 0;
    want[wl++] = 0xC4;
    want[wl++] = 0x03;
    want[wl++] = 0xC1;
    want[wl++] = 0x02;
    want[wl++] = 0x00;
    want[wl++] = 0x09;
    want[wl++] = 0x14;
    memcpy(want + wl, "EMT0000000000000042", 20);
    wl += 20;
    want[wl++] = 0x01;
    want[wl++] = 0x03;
    int n = dlms_get_response_stream_start(&s, 0xC1, true, produce_list, NULL, 64, out, sizeof out);
    assert_int_equal(n, wl);
    assert_memory_equal(out, want, wl);
    dlms_get_response_t lr;
    assert_int_equal(dlms_get_response_decode(out, (size_t)n, &lr), 0);
    assert_int_equal(lr.type, DLMS_GET_RESPONSE_WITH_LIST);
    assert_int_equal(lr.count, 2);
    /* With a 12-byte PDU the list body (26 bytes) goes in blocks of 2. */
    n = dlms_get_response_stream_start(&s, 0xC1, true, produce_list, NULL, 12, out, sizeof out);
    assert_int_equal(n, 12);
    dlms_block_rx_t rx;
    uint8_t body[32];
    dlms_block_rx_init(&rx, body, sizeof body);
    for (uint32_t bn = 1;; bn++) {
        dlms_get_response_t r;
        assert_int_equal(dlms_get_response_decode(out, (size_t)n, &r), 0);
        int rc = dlms_block_rx_push(&rx, &r.block);
        if (rc == 1) {
            break;
        }
        n = dlms_get_response_stream_next(&s, 0xC1, bn, 12, out, sizeof out);
    }
    assert_int_equal(rx.len, wl - 3);
    assert_memory_equal(body, want + 3, wl - 3);
    assert_int_equal(rx.expected - 1, 13);
}

/* ---- abort paths ------------------------------------------------------------------- */

static int produce_fail(void *user, axdr_enc_t *e) {
    (void)user;
    (void)e;
    return -0x0A01;
}

static void test_stream_errors(void **state) {
    (void)state;
    uint8_t out[128], want[32];
    dlms_block_stream_t s;
    memset(&s, 0, sizeof s);
    /* No long GET: C4 02 C1, last 01, block 6 (5 + 1), 01 dar 10
     * no-long-get-in-progress. */
    int n = dlms_get_response_stream_next(&s, 0xC1, 5, 64, out, sizeof out);
    static const uint8_t none[] = {0xC4, 0x02, 0xC1, 0x01, 0, 0, 0, 6, 0x01, 0x10};
    assert_int_equal(n, sizeof none);
    assert_memory_equal(out, none, sizeof none);

    /* Wrong block number: data-block-number-invalid (0x13), stream ends. */
    profile_t p = {PROFILE_ROWS, true, 0, 0, false, 0};
    n = dlms_get_response_stream_start(&s, 0xC1, false, produce_profile, &p, 64, out, 64);
    assert_int_equal(n, 64);
    n = dlms_get_response_stream_next(&s, 0xC1, 7, 64, out, 64);
    static const uint8_t invalid[] = {0xC4, 0x02, 0xC1, 0x01, 0, 0, 0, 8, 0x01, 0x13};
    assert_int_equal(n, sizeof invalid);
    assert_memory_equal(out, invalid, sizeof invalid);
    assert_false(s.active);

    /* Producer failure in the middle: long-get-aborted (0x0F). */
    profile_t f = {PROFILE_ROWS, true, 0, 200, false, 0};
    n = dlms_get_response_stream_start(&s, 0xC1, false, produce_profile, &f, 64, out, 64);
    uint32_t bn = 1;
    for (; n == 64; bn++) {
        n = dlms_get_response_stream_next(&s, 0xC1, bn, 64, out, 64);
    }
    dlms_get_response_t r;
    assert_int_equal(dlms_get_response_decode(out, (size_t)n, &r), 0);
    assert_true(r.block.is_result);
    assert_true(r.block.last_block);
    assert_int_equal(r.block.result, DLMS_DAR_LONG_GET_ABORTED);
    assert_false(s.active);
    assert_true(bn > 3);

    /* Failure while measuring: the producer's code, nothing written. */
    memset(out, 0xA5, sizeof out);
    assert_int_equal(
        dlms_get_response_stream_start(&s, 0xC1, false, produce_fail, NULL, 64, out, 64), -0x0A01);
    assert_false(s.active);
    assert_int_equal(out[0], 0xA5);
    assert_int_equal(dlms_get_response_stream_start(&s, 0xC1, false, NULL, NULL, 64, out, 64),
                     DLMS_APDU_ERR_BADARG);
    /* Not deterministic: fewer bytes in the window than measured. */
    profile_t shrink = {3, false, 0, 0, true, 0};
    assert_int_equal(dlms_get_response_stream_start(&s, 0xC1, false, produce_profile, &shrink, 1024,
                                                    out, sizeof out),
                     DLMS_APDU_ERR_PRODUCER);
    assert_false(s.active);
    /* A PDU too small for one raw-data byte. */
    profile_t big = {PROFILE_ROWS, true, 0, 0, false, 0};
    assert_int_equal(
        dlms_get_response_stream_start(&s, 0xC1, false, produce_profile, &big, 10, out, 64),
        DLMS_APDU_ERR_PDU_SIZE);
    assert_int_equal(
        dlms_get_response_stream_start(&s, 0xC1, false, produce_profile, &big, 11, out, 64), 11);

    /* ACTION: next-pblock without a stream -> C7 01 C1 10 00. */
    memset(&s, 0, sizeof s);
    n = dlms_action_response_stream_next(&s, 0xC1, 1, 64, out, sizeof out);
    size_t k = 0;
    want[k++] = 0xC7;
    want[k++] = 0x01;
    want[k++] = 0xC1;
    want[k++] = DLMS_ACTION_NO_LONG_ACTION_IN_PROGRESS;
    want[k++] = 0x00;
    assert_int_equal(n, (int)k);
    assert_memory_equal(out, want, k);
    /* A GET next does not touch an ACTION stream and vice versa. */
    profile_t a = {PROFILE_ROWS, true, 0, 0, false, 0};
    n = dlms_action_response_stream_start(&s, 0xC1, false, produce_profile, &a, 64, out, 64);
    assert_int_equal(n, 64);
    n = dlms_get_response_stream_next(&s, 0xC1, 1, 64, out, sizeof out);
    assert_int_equal(out[9], DLMS_DAR_NO_LONG_GET_IN_PROGRESS);
    assert_true(s.active);
    dlms_block_stream_abort(&s);
    assert_false(s.active);
}

/* ---- ACTION with pblocks --------------------------------------------------------------- */

/* Action-Response-With-Optional-Data: success, return data = a profile. */
static int produce_action(void *user, axdr_enc_t *e) {
    dlms_apdu_put_action_result(e, DLMS_ACTION_SUCCESS, true);
    return produce_profile(user, e);
}

static void test_action_pblocks(void **state) {
    (void)state;
    profile_t p = {200, true, 0, 0, false, 0};
    uint8_t ref[8192], out[128], body[8192];
    axdr_enc_t e;
    axdr_enc_init(&e, ref, sizeof ref);
    assert_int_equal(produce_action(&p, &e), 0);
    size_t total = e.len;
    assert_int_equal(total, 3 + 3 + 200 * ROW_LEN); /* 00 01 00, 01 81 C8 */

    dlms_block_stream_t s;
    dlms_block_rx_t rx;
    dlms_block_rx_init(&rx, body, sizeof body);
    int n = dlms_action_response_stream_start(&s, 0xC2, false, produce_action, &p, 128, out,
                                              sizeof out);
    /* C7 02 C2 last u32 then the length: 8 + 1 + 119 = 128. */
    assert_int_equal(dlms_apdu_block_room(128, 8), 119);
    for (;;) {
        dlms_action_response_t r;
        assert_true(n > 0 && n <= 128);
        assert_int_equal(dlms_action_response_decode(out, (size_t)n, &r), 0);
        assert_int_equal(r.type, DLMS_ACTION_RESPONSE_WITH_PBLOCK);
        assert_int_equal(r.invoke_id, 0xC2);
        int rc = dlms_block_rx_push(&rx, &r.block);
        assert_true(rc >= 0);
        if (rc == 1) {
            break;
        }
        dlms_action_request_t next;
        memset(&next, 0, sizeof next);
        next.type = DLMS_ACTION_REQUEST_NEXT_PBLOCK;
        next.invoke_id = 0xC2;
        next.block_number = r.block.block_number;
        uint8_t req[16];
        int rl = dlms_action_request_encode(&next, req, sizeof req);
        dlms_action_request_t got;
        assert_int_equal(dlms_action_request_decode(req, (size_t)rl, &got), 0);
        n = dlms_action_response_stream_next(&s, got.invoke_id, got.block_number, 128, out,
                                             sizeof out);
    }
    assert_int_equal(rx.len, total);
    assert_memory_equal(body, ref, total);
    assert_int_equal(rx.expected - 1, (total + 118) / 119);
    /* Wrong block number: long-action-aborted. */
    n = dlms_action_response_stream_start(&s, 0xC2, false, produce_action, &p, 128, out,
                                          sizeof out);
    n = dlms_action_response_stream_next(&s, 0xC2, 3, 128, out, sizeof out);
    assert_int_equal(n, 5);
    assert_int_equal(out[3], DLMS_ACTION_LONG_ACTION_ABORTED);
    assert_false(s.active);
}

/* ---- block reassembly refusals ---------------------------------------------------------- */

static void test_block_rx(void **state) {
    (void)state;
    uint8_t buf[4];
    uint8_t data[3] = {1, 2, 3};
    dlms_block_rx_t rx;
    dlms_block_rx_init(&rx, buf, sizeof buf);
    dlms_datablock_t b = {false, 2, false, 0, {data, 3}};
    assert_int_equal(dlms_block_rx_push(&rx, &b), DLMS_APDU_ERR_BLOCK_NUMBER);
    b.block_number = 1;
    assert_int_equal(dlms_block_rx_push(&rx, &b), 0);
    b.block_number = 2;
    assert_int_equal(dlms_block_rx_push(&rx, &b), DLMS_APDU_ERR_TOO_LONG);
    b.is_result = true;
    assert_int_equal(dlms_block_rx_push(&rx, &b), DLMS_APDU_ERR_ABORTED);
    b.is_result = false;
    b.last_block = true;
    b.raw_data.len = 1;
    assert_int_equal(dlms_block_rx_push(&rx, &b), 1);
    assert_int_equal(rx.len, 4);
    assert_int_equal(dlms_block_rx_push(&rx, &b), DLMS_APDU_ERR_STATE);
}

/* ---- seeking helpers ---------------------------------------------------------------------- */

static void test_skip(void **state) {
    (void)state;
    uint8_t buf[8];
    axdr_enc_t e;
    axdr_enc_init(&e, buf, sizeof buf);
    assert_int_equal(dlms_apdu_skip(&e, 1), DLMS_APDU_ERR_SKIP); /* would write filler */
    assert_int_equal(dlms_apdu_window_start(&e), 0);
    axdr_enc_init_measure(&e);
    assert_int_equal(dlms_apdu_skip(&e, 1000), 0);
    assert_int_equal(axdr_enc_size(&e), 1000);
    axdr_enc_init_window(&e, buf, sizeof buf, 100);
    assert_int_equal(dlms_apdu_window_start(&e), 100);
    assert_int_equal(dlms_apdu_skip(&e, 101), DLMS_APDU_ERR_SKIP); /* into the window */
    assert_int_equal(dlms_apdu_skip(&e, 100), 0);
    assert_int_equal(axdr_enc_size(&e), 100);
    assert_int_equal(e.len, 0);
    assert_int_equal(axdr_put_uint16(&e, 0x1234), 0);
    static const uint8_t want[] = {0x12, 0x12, 0x34};
    assert_memory_equal(buf, want, sizeof want);
}

/* ---- general-block-transfer ----------------------------------------------------------------- */

static void test_gbt_codec(void **state) {
    (void)state;
    uint8_t out[32];
    uint8_t data[3] = {0xC0, 0x01, 0x00};
    /* E0, control 84 (last, window 4), block 0001, ack 0000, 03 bytes. */
    dlms_gbt_t g = {true, false, 4, 1, 0, {data, 3}};
    static const uint8_t want[] = {0xE0, 0x84, 0x00, 0x01, 0x00, 0x00, 0x03, 0xC0, 0x01, 0x00};
    assert_int_equal(dlms_gbt_encode(&g, out, sizeof out), sizeof want);
    assert_memory_equal(out, want, sizeof want);
    dlms_gbt_t back;
    assert_int_equal(dlms_gbt_decode(out, sizeof want, &back), 0);
    assert_true(back.last_block);
    assert_false(back.streaming);
    assert_int_equal(back.window, 4);
    assert_int_equal(back.block_number, 1);
    assert_int_equal(back.block_data.len, 3);
    /* Streaming, window 63, empty acknowledgement: control 7F. */
    dlms_gbt_t ack = {false, true, 63, 2, 3, {NULL, 0}};
    static const uint8_t want_ack[] = {0xE0, 0x7F, 0x00, 0x02, 0x00, 0x03, 0x00};
    assert_int_equal(dlms_gbt_encode(&ack, out, sizeof out), sizeof want_ack);
    assert_memory_equal(out, want_ack, sizeof want_ack);
    for (size_t k = 0; k < sizeof want; k++) {
        assert_true(dlms_gbt_decode(want, k, &back) < 0);
    }
    assert_int_equal(dlms_gbt_decode(want, 6, &back), DLMS_APDU_ERR_TRUNCATED);
    ack.window = 64;
    assert_int_equal(dlms_gbt_encode(&ack, out, sizeof out), DLMS_APDU_ERR_BADARG);
    assert_int_equal(dlms_gbt_encode(&g, out, 9), DLMS_APDU_ERR_BUFFER);
}

typedef struct gbt_run {
    unsigned sent;     /* GBT APDUs sent by the server */
    unsigned dropped;  /* of which lost */
    unsigned acks;     /* acknowledgements the client's receiver asked for */
    unsigned timeouts; /* acknowledgements sent on a timeout */
} gbt_run_t;

static bool lose_once(uint16_t bn, uint16_t *lose, size_t nlose) {
    for (size_t i = 0; i < nlose; i++) {
        if (lose[i] == bn) {
            lose[i] = 0;
            return true;
        }
    }
    return false;
}

/* The server sends the get-response-normal of the profile in GBT blocks
 * built from window-mode production; the client reassembles it. */
static gbt_run_t gbt_transfer(uint8_t window, size_t max_pdu, uint16_t *lose, size_t nlose) {
    gbt_run_t run = {0, 0, 0, 0};
    profile_t p = {PROFILE_ROWS, true, 0, 0, false, 0};
    size_t total = 0;
    assert_int_equal(dlms_get_response_measure(0xC1, false, produce_profile, &p, &total), 0);
    assert_int_equal(total, 4 + PROFILE_LEN);
    size_t bs = dlms_apdu_block_room(max_pdu, DLMS_GBT_HEADER_LEN);
    dlms_gbt_tx_t tx;
    dlms_gbt_rx_t rx;
    assert_int_equal(dlms_gbt_tx_init(&tx, total, bs, 1, window), 0);
    dlms_gbt_rx_init(&rx, reassembled, sizeof reassembled, window, 1);
    uint16_t client_bn = 1; /* the request went out as the client's block 1 */
    uint8_t frame[1100];
    for (unsigned guard = 0; guard < 100000; guard++) {
        dlms_gbt_block_t blk;
        bool asked = false;
        while (dlms_gbt_tx_next(&tx, &blk)) {
            dlms_gbt_t g = {blk.last_block, blk.streaming, 1, blk.block_number, 1, {NULL, 0}};
            axdr_enc_t e;
            axdr_enc_init(&e, frame, sizeof frame);
            assert_int_equal(dlms_gbt_put_header(&e, &g, blk.len), 0);
            assert_int_equal(dlms_get_response_window(0xC1, false, produce_profile, &p, blk.offset,
                                                      frame + e.len, blk.len),
                             0);
            size_t flen = e.len + blk.len;
            assert_true(flen <= max_pdu);
            run.sent++;
            if (lose_once(blk.block_number, lose, nlose)) {
                run.dropped++;
                continue;
            }
            dlms_gbt_t in;
            assert_int_equal(dlms_gbt_decode(frame, flen, &in), 0);
            int rc = dlms_gbt_rx_push(&rx, &in);
            assert_true(rc >= 0);
            asked = asked || rc != DLMS_GBT_RX_MORE;
        }
        if (dlms_gbt_tx_done(&tx)) {
            break;
        }
        /* The window is used up: the client acknowledges, because its
         * receiver asked or on its response timeout. */
        if (asked) {
            run.acks++;
        } else {
            run.timeouts++;
        }
        dlms_gbt_t ack = {true, false, window, ++client_bn, dlms_gbt_rx_ack_number(&rx), {NULL, 0}};
        int al = dlms_gbt_encode(&ack, frame, sizeof frame);
        assert_int_equal(al, 7);
        dlms_gbt_t in;
        assert_int_equal(dlms_gbt_decode(frame, (size_t)al, &in), 0);
        assert_true(dlms_gbt_tx_ack(&tx, in.block_number_ack, in.window) >= 0);
    }
    assert_true(rx.complete);
    assert_true(dlms_gbt_tx_done(&tx));
    assert_int_equal(rx.len, total);
    dlms_get_response_t r;
    assert_int_equal(dlms_get_response_decode(reassembled, rx.len, &r), 0);
    assert_int_equal(r.type, DLMS_GET_RESPONSE_NORMAL);
    assert_int_equal(r.results[0].data.len, PROFILE_LEN);
    assert_memory_equal(r.results[0].data.p, reference, PROFILE_LEN);
    return run;
}

static void test_gbt_windows(void **state) {
    (void)state;
    profile_t p = {PROFILE_ROWS, false, 0, 0, false, 0};
    assert_int_equal(single_shot(&p, reference, sizeof reference), PROFILE_LEN);
    size_t bs = dlms_apdu_block_room(256, DLMS_GBT_HEADER_LEN); /* 256 - 6 - 2 = 248 */
    assert_int_equal(bs, 248);
    unsigned blocks = (unsigned)((4 + PROFILE_LEN + bs - 1) / bs);

    /* Window 1: every block is acknowledged. */
    gbt_run_t run = gbt_transfer(1, 256, NULL, 0);
    assert_int_equal(run.sent, blocks);
    assert_int_equal(run.acks, blocks);
    assert_int_equal(run.timeouts, 0);
    /* Window 4: one acknowledgement per stream of 4 blocks. */
    run = gbt_transfer(4, 256, NULL, 0);
    assert_int_equal(run.sent, blocks);
    assert_int_equal(run.acks, (blocks + 3) / 4);
    assert_int_equal(run.timeouts, 0);

    /* Window 4, block 6 lost inside the stream 5..8: block 8 closes the
     * stream, the receiver acknowledges 5, the sender resends 6..9. */
    uint16_t lose[] = {6};
    run = gbt_transfer(4, 256, lose, 1);
    assert_int_equal(run.dropped, 1);
    assert_int_equal(run.timeouts, 0);
    assert_int_equal(run.sent, blocks + 3); /* 6, 7, 8 sent twice */

    /* Window 4, block 8 (closing the stream) lost: no end of stream seen,
     * the client acknowledges 7 on its timeout, 8 is resent. */
    uint16_t lose_end[] = {8};
    run = gbt_transfer(4, 256, lose_end, 1);
    assert_int_equal(run.timeouts, 1);
    assert_int_equal(run.sent, blocks + 1);

    /* Window 1 with two losses, and a small PDU. */
    uint16_t lose_two[] = {3, 40};
    run = gbt_transfer(1, 64, lose_two, 2);
    assert_int_equal(run.dropped, 2);
    assert_int_equal(run.timeouts, 2);
}

static void test_gbt_bookkeeping(void **state) {
    (void)state;
    dlms_gbt_tx_t tx;
    dlms_gbt_block_t blk;
    assert_int_equal(dlms_gbt_tx_init(&tx, 10, 0, 1, 1), DLMS_APDU_ERR_BADARG);
    assert_int_equal(dlms_gbt_tx_init(&tx, 65536, 1, 1, 1), DLMS_APDU_ERR_TOO_LONG);
    assert_int_equal(dlms_gbt_tx_init(&tx, 65535, 1, 1, 1), 0);
    assert_int_equal(dlms_gbt_tx_init(&tx, 65535, 1, 2, 1), DLMS_APDU_ERR_TOO_LONG);
    /* 10 bytes in blocks of 4 starting at number 5, window 0 taken as 1. */
    assert_int_equal(dlms_gbt_tx_init(&tx, 10, 4, 5, 0), 0);
    assert_int_equal(dlms_gbt_tx_next(&tx, &blk), 1);
    assert_int_equal(blk.block_number, 5);
    assert_false(blk.streaming);
    assert_int_equal(dlms_gbt_tx_next(&tx, &blk), 0);
    assert_int_equal(dlms_gbt_tx_ack(&tx, 7, 2), DLMS_APDU_ERR_BLOCK_NUMBER); /* never sent */
    assert_int_equal(dlms_gbt_tx_ack(&tx, 5, 2), 0);
    assert_int_equal(dlms_gbt_tx_next(&tx, &blk), 1);
    assert_int_equal(blk.block_number, 6);
    assert_true(blk.streaming);
    assert_int_equal(blk.offset, 4);
    assert_int_equal(dlms_gbt_tx_next(&tx, &blk), 1);
    assert_int_equal(blk.block_number, 7);
    assert_true(blk.last_block);
    assert_false(blk.streaming);
    assert_int_equal(blk.len, 2);
    assert_int_equal(dlms_gbt_tx_ack(&tx, 4, 2), 0); /* stale: ignored */
    assert_int_equal(dlms_gbt_tx_ack(&tx, 7, 2), 1);
    assert_true(dlms_gbt_tx_done(&tx));

    /* Receiver: buffer too small, ack-only GBTs, duplicates. */
    uint8_t buf[4], d3[3] = {1, 2, 3};
    dlms_gbt_rx_t rx;
    dlms_gbt_rx_init(&rx, buf, sizeof buf, 2, 1);
    dlms_gbt_t g = {false, true, 1, 1, 0, {d3, 3}};
    assert_int_equal(dlms_gbt_rx_push(&rx, &g), DLMS_GBT_RX_MORE);
    assert_int_equal(dlms_gbt_rx_push(&rx, &g), DLMS_GBT_RX_MORE); /* repeat, ignored */
    dlms_gbt_t only_ack = {false, false, 1, 2, 0, {NULL, 0}};
    assert_int_equal(dlms_gbt_rx_push(&rx, &only_ack), DLMS_GBT_RX_MORE); /* never answered */
    assert_int_equal(dlms_gbt_rx_ack_number(&rx), 2);
    g.block_number = 3;
    assert_int_equal(dlms_gbt_rx_push(&rx, &g), DLMS_APDU_ERR_TOO_LONG);
    g.block_data.len = 1;
    g.streaming = false;
    assert_int_equal(dlms_gbt_rx_push(&rx, &g), DLMS_GBT_RX_ACK);
    g.block_number = 4;
    g.last_block = true;
    g.block_data.len = 0; /* an empty last block still completes the APDU */
    assert_int_equal(dlms_gbt_rx_push(&rx, &g), DLMS_GBT_RX_COMPLETE);
    assert_int_equal(rx.len, 4);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_in_blocks),
        cmocka_unit_test(test_normal_or_blocks),
        cmocka_unit_test(test_with_list_stream),
        cmocka_unit_test(test_stream_errors),
        cmocka_unit_test(test_action_pblocks),
        cmocka_unit_test(test_block_rx),
        cmocka_unit_test(test_skip),
        cmocka_unit_test(test_gbt_codec),
        cmocka_unit_test(test_gbt_windows),
        cmocka_unit_test(test_gbt_bookkeeping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
