/*
 * fuzz_apdu.c - libFuzzer target for the xDLMS service APDU codec
 * (lib/dlms/apdu*.c): the input is decoded as every request (server side:
 * GET/SET/ACTION requests, general-block-transfer) and every response
 * (client side: GET/SET/ACTION responses, exception-response,
 * data-notification), and as Profile generic selective-access parameters.
 *
 * Invariants checked (__builtin_trap() on violation):
 *  - a refused decode leaves its output all zero;
 *  - a decoded APDU re-encodes, no longer than the input (re-encoding only
 *    shortens non-minimal length fields), into bytes that decode and
 *    re-encode to themselves; when the length is the same the only bytes
 *    that may differ are BOOLEANs normalised to 01;
 *  - every Data slice lies inside the input and is one well-formed element;
 *  - the input, as a value, streamed in datablocks with a PDU size taken
 *    from its first byte, reassembles to itself, every block within the PDU;
 *  - the input, as an APDU, cut in general-block-transfer blocks with a
 *    window and lost blocks chosen by its bytes, reassembles to itself.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dlms/apdu.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            __builtin_trap();                                                                      \
        }                                                                                          \
    } while (0)

#define MAX_IN 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *g_in;
static size_t g_in_len;

static bool all_zero(const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0) {
            return false;
        }
    }
    return true;
}

/* A non-empty slice is inside the input and one whole Data element. */
static void check_data(dlms_slice_t s) {
    if (s.len == 0) {
        CHECK(s.p == NULL);
        return;
    }
    CHECK(s.p >= g_in && s.p + s.len <= g_in + g_in_len);
    size_t used = 0;
    CHECK(axdr_validate(s.p, s.len, &used) == 0 && used == s.len);
}

static void check_raw(dlms_slice_t s) {
    CHECK(s.len == 0 || (s.p >= g_in && s.p + s.len <= g_in + g_in_len));
}

typedef int (*dec_fn)(const uint8_t *in, size_t len, void *out);
typedef int (*enc_fn)(const void *in, uint8_t *out, size_t cap);
typedef void (*check_fn)(const void *decoded);

/* Decode, check, re-encode, and check the re-encoding is a fixed point. */
static void round_trip(const uint8_t *in, size_t len, dec_fn dec, enc_fn enc, check_fn check,
                       void *a, void *b, size_t out_size) {
    static uint8_t y[MAX_IN + 64], z[MAX_IN + 64];
    int rc = dec(in, len, a);
    if (rc != 0) {
        CHECK(rc < 0 && all_zero(a, out_size));
        return;
    }
    check(a);
    int ylen = enc(a, y, sizeof y);
    CHECK(ylen > 0 && (size_t)ylen <= len);
    if ((size_t)ylen == len) {
        for (size_t i = 0; i < len; i++) {
            CHECK(y[i] == in[i] || (y[i] == 0x01 && in[i] > 0x01)); /* BOOLEAN TRUE */
        }
    }
    CHECK(dec(y, (size_t)ylen, b) == 0);
    int zlen = enc(b, z, sizeof z);
    CHECK(zlen == ylen && memcmp(y, z, (size_t)ylen) == 0);
}

/* ---- per-type checks and adapters ------------------------------------------------ */

static void check_selection(const dlms_attr_selection_t *a) {
    if (a->access.present) {
        check_data(a->access.parameters);
    } else {
        CHECK(a->access.parameters.len == 0);
    }
}

static void check_get_req(const void *p) {
    const dlms_get_request_t *r = p;
    CHECK(r->count <= EM_DLMS_MAX_LIST);
    for (uint8_t i = 0; i < r->count; i++) {
        check_selection(&r->items[i]);
    }
}

static void check_set_req(const void *p) {
    const dlms_set_request_t *r = p;
    CHECK(r->count <= EM_DLMS_MAX_LIST);
    for (uint8_t i = 0; i < r->count; i++) {
        check_selection(&r->items[i]);
        check_data(r->values[i]);
    }
    check_raw(r->block.raw_data);
}

static void check_act_req(const void *p) {
    const dlms_action_request_t *r = p;
    CHECK(r->count <= EM_DLMS_MAX_LIST);
    for (uint8_t i = 0; i < r->count; i++) {
        check_data(r->params[i]);
    }
    check_raw(r->block.raw_data);
}

static void check_gdr(const dlms_get_data_result_t *g) {
    if (g->is_data) {
        check_data(g->data);
        CHECK(g->data.len > 0);
    }
}

static void check_get_resp(const void *p) {
    const dlms_get_response_t *r = p;
    CHECK(r->count <= EM_DLMS_MAX_LIST);
    for (uint8_t i = 0; i < r->count; i++) {
        check_gdr(&r->results[i]);
    }
    check_raw(r->block.raw_data);
}

static void check_set_resp(const void *p) {
    const dlms_set_response_t *r = p;
    CHECK(r->count <= EM_DLMS_MAX_LIST);
}

static void check_act_resp(const void *p) {
    const dlms_action_response_t *r = p;
    CHECK(r->count <= EM_DLMS_MAX_LIST);
    for (uint8_t i = 0; i < r->count; i++) {
        if (r->results[i].has_return) {
            check_gdr(&r->results[i].ret);
        }
    }
    check_raw(r->block.raw_data);
}

static void check_none(const void *p) {
    (void)p;
}

static void check_notification(const void *p) {
    const dlms_data_notification_t *n = p;
    check_data(n->body);
    CHECK(n->body.len > 0);
}

static void check_gbt(const void *p) {
    const dlms_gbt_t *g = p;
    check_raw(g->block_data);
    CHECK(g->window <= DLMS_GBT_WINDOW_MASK);
}

#define ADAPT(name, type, dec, enc)                                                                \
    static int dec_##name(const uint8_t *in, size_t len, void *o) {                                \
        return dec(in, len, (type *)o);                                                            \
    }                                                                                              \
    static int enc_##name(const void *o, uint8_t *out, size_t cap) {                               \
        return enc((const type *)o, out, cap);                                                     \
    }

ADAPT(get_req, dlms_get_request_t, dlms_get_request_decode, dlms_get_request_encode)
ADAPT(set_req, dlms_set_request_t, dlms_set_request_decode, dlms_set_request_encode)
ADAPT(act_req, dlms_action_request_t, dlms_action_request_decode, dlms_action_request_encode)
ADAPT(get_resp, dlms_get_response_t, dlms_get_response_decode, dlms_get_response_encode)
ADAPT(set_resp, dlms_set_response_t, dlms_set_response_decode, dlms_set_response_encode)
ADAPT(act_resp, dlms_action_response_t, dlms_action_response_decode, dlms_action_response_encode)
ADAPT(exc, dlms_exception_response_t, dlms_exception_response_decode,
      dlms_exception_response_encode)
ADAPT(notif, dlms_data_notification_t, dlms_data_notification_decode, dlms_data_notification_encode)
ADAPT(gbt, dlms_gbt_t, dlms_gbt_decode, dlms_gbt_encode)

/* Two outputs of the largest decoded type, reused by every round trip. */
typedef union any_apdu {
    dlms_get_request_t get_req;
    dlms_set_request_t set_req;
    dlms_action_request_t act_req;
    dlms_get_response_t get_resp;
    dlms_set_response_t set_resp;
    dlms_action_response_t act_resp;
    dlms_exception_response_t exc;
    dlms_data_notification_t notif;
    dlms_gbt_t gbt;
} any_apdu_t;

static any_apdu_t g_a, g_b;

#define RT(name, type, check)                                                                      \
    round_trip(data, size, dec_##name, enc_##name, check, &g_a, &g_b, sizeof(type))

static void decode_all(const uint8_t *data, size_t size) {
    RT(get_req, dlms_get_request_t, check_get_req);
    RT(set_req, dlms_set_request_t, check_set_req);
    RT(act_req, dlms_action_request_t, check_act_req);
    RT(get_resp, dlms_get_response_t, check_get_resp);
    RT(set_resp, dlms_set_response_t, check_set_resp);
    RT(act_resp, dlms_action_response_t, check_act_resp);
    RT(exc, dlms_exception_response_t, check_none);
    RT(notif, dlms_data_notification_t, check_notification);
    RT(gbt, dlms_gbt_t, check_gbt);

    dlms_range_descriptor_t rd;
    if (dlms_range_descriptor_decode(data, size, &rd) == 0) {
        check_data(rd.from_value);
        check_data(rd.to_value);
        axdr_dec_t d;
        axdr_dec_init(&d, rd.selected_values.p, rd.selected_values.len);
        for (uint32_t i = 0; i < rd.selected_count; i++) {
            dlms_capture_object_t co;
            CHECK(dlms_capture_object_get(&d, &co) == 0);
        }
        CHECK(axdr_dec_remaining(&d) == 0);
    } else {
        CHECK(all_zero(&rd, sizeof rd));
    }
    dlms_entry_descriptor_t ed;
    if (dlms_entry_descriptor_decode(data, size, &ed) != 0) {
        CHECK(all_zero(&ed, sizeof ed));
    }
    uint8_t iid;
    (void)dlms_apdu_peek_invoke_id(data, size, &iid);
}

/* ---- streaming of the input as a value --------------------------------------------- */

typedef struct raw_value {
    const uint8_t *p;
    size_t len;
} raw_value_t;

static int produce_raw(void *user, axdr_enc_t *e) {
    const raw_value_t *v = user;
    return axdr_put_raw(e, v->p, v->len);
}

static void stream_value(const uint8_t *data, size_t size) {
    static uint8_t body[MAX_IN];
    uint8_t apdu[300];
    if (size < 2) {
        return;
    }
    size_t max_pdu = 11 + data[0]; /* 11..266: from one raw-data byte up */
    raw_value_t v = {data + 1, size - 1};
    dlms_block_stream_t s;
    dlms_block_rx_t rx;
    dlms_block_rx_init(&rx, body, sizeof body);
    int n = dlms_get_response_stream_start(&s, 0xC1, false, produce_raw, &v, max_pdu, apdu,
                                           sizeof apdu);
    CHECK(n > 0 && (size_t)n <= max_pdu);
    if (apdu[1] == DLMS_GET_RESPONSE_NORMAL) {
        /* C4 01 C1 00 + the value (not decoded: the bytes need not be Data) */
        CHECK(!s.active && (size_t)n == 4 + v.len && apdu[0] == DLMS_APDU_GET_RESPONSE);
        CHECK(apdu[2] == 0xC1 && apdu[3] == 0 && memcmp(apdu + 4, v.p, v.len) == 0);
        return;
    }
    for (uint32_t guard = 0; guard <= size; guard++) {
        dlms_get_response_t r;
        CHECK(dlms_get_response_decode(apdu, (size_t)n, &r) == 0);
        CHECK(r.type == DLMS_GET_RESPONSE_WITH_DATABLOCK && !r.block.is_result);
        CHECK(r.block.block_number == guard + 1);
        int rc = dlms_block_rx_push(&rx, &r.block);
        CHECK(rc >= 0);
        if (rc == 1) {
            CHECK(!s.active && rx.len == v.len && memcmp(body, v.p, v.len) == 0);
            return;
        }
        n = dlms_get_response_stream_next(&s, 0xC1, r.block.block_number, max_pdu, apdu,
                                          sizeof apdu);
        CHECK(n > 0 && (size_t)n <= max_pdu);
    }
    CHECK(false); /* more blocks than bytes */
}

/* ---- general-block-transfer of the input as an APDU ---------------------------------- */

static void gbt_transfer(const uint8_t *data, size_t size) {
    static uint8_t got[MAX_IN];
    if (size < 3) {
        return;
    }
    uint8_t window = (uint8_t)(1 + data[0] % 8);
    size_t bs = 1 + data[1] % 64;
    uint8_t loss = data[2]; /* bit i: lose the (i % 8)-th send once */
    dlms_gbt_tx_t tx;
    dlms_gbt_rx_t rx;
    if (dlms_gbt_tx_init(&tx, size, bs, 1, window) != 0) {
        return;
    }
    dlms_gbt_rx_init(&rx, got, sizeof got, window, 1);
    unsigned sends = 0;
    for (unsigned round = 0; round < 4 * size + 16; round++) {
        dlms_gbt_block_t blk;
        while (dlms_gbt_tx_next(&tx, &blk)) {
            CHECK(blk.offset + blk.len <= size && blk.len <= bs);
            unsigned k = sends++;
            if (k < 8 && (loss >> k) & 1u) {
                continue;
            }
            dlms_gbt_t g = {blk.last_block,
                            blk.streaming,
                            1,
                            blk.block_number,
                            0,
                            {data + blk.offset, blk.len}};
            CHECK(dlms_gbt_rx_push(&rx, &g) >= 0);
        }
        if (dlms_gbt_tx_done(&tx)) {
            CHECK(rx.complete && rx.len == size && memcmp(got, data, size) == 0);
            return;
        }
        CHECK(dlms_gbt_tx_ack(&tx, dlms_gbt_rx_ack_number(&rx), window) >= 0);
    }
    CHECK(false); /* never finished */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > MAX_IN) {
        return 0;
    }
    g_in = data;
    g_in_len = size;
    decode_all(data, size);
    stream_value(data, size);
    gbt_transfer(data, size);
    return 0;
}
