/*
 * test_apdu.c - unit tests of the xDLMS service APDU codec (lib/dlms/apdu*):
 * GET, SET and ACTION requests and responses of every type to exact bytes
 * and back, the Green Book vectors of dlms-facts §3.1 (get-request-normal
 * for the clock) and §4.8 (HLS-5 pass 3 ACTION), with-list limits,
 * selective access (range and entry descriptors), exception-response and
 * refused services, data-notification (plain and through general-glo
 * ciphering), invoke-id echo, and refusal of truncated, trailing,
 * oversized and unknown input with specific codes.
 *
 * Expected bytes are derived in the comments from the A-XDR layout of the
 * Green Book APDUs (summarised in apdu.h): CHOICE = one byte, OPTIONAL =
 * 00/01, Unsigned16/32 big-endian, SEQUENCE OF = count, Data = tagged.
 * Streaming and general-block-transfer are in test_apdu_stream.c.
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
#include "dlms/security.h"
#include "dlms/xdlms.h"
#include "test_hex.h"

/* ---- helpers ---------------------------------------------------------------- */

/* Parse hex with optional spaces into out; returns the byte count. */

static bool all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) {
            return false;
        }
    }
    return true;
}

static bool slice_is(dlms_slice_t s, const char *want_hex) {
    uint8_t want[256];
    size_t n = test_unhex(want_hex, want, sizeof want);
    return s.len == n && s.p != NULL && memcmp(s.p, want, n) == 0;
}

static dlms_slice_t slice_of(const uint8_t *p, size_t n) {
    dlms_slice_t s = {p, n};
    return s;
}

static const uint8_t CLOCK_LN[6] = {0, 0, 1, 0, 0, 255};
static const uint8_t ASSOC_LN[6] = {0, 0, 40, 0, 0, 255};
static const uint8_t PROFILE_LN[6] = {1, 0, 99, 1, 0, 255};

typedef int (*decode_fn)(const uint8_t *in, size_t len, void *out);

/* Every proper prefix of a valid APDU is refused and leaves the output
 * zeroed; one extra byte is refused as trailing. */
static void expect_prefixes_refused(decode_fn dec, const uint8_t *in, size_t n, void *out,
                                    size_t out_size) {
    uint8_t buf[512];
    assert_true(n < sizeof buf);
    for (size_t k = 0; k < n; k++) {
        memset(out, 0xA5, out_size);
        int rc = dec(in, k, out);
        assert_true(rc < 0);
        assert_true(all_zero(out, out_size));
    }
    memcpy(buf, in, n);
    buf[n] = 0x00;
    assert_int_equal(dec(buf, n + 1, out), DLMS_APDU_ERR_TRAILING);
    assert_true(all_zero(out, out_size));
}

/* Decoder adapters with a void * output, for the helpers above. */
static int dec_get_req(const uint8_t *in, size_t len, void *o) {
    return dlms_get_request_decode(in, len, o);
}
static int dec_get_resp(const uint8_t *in, size_t len, void *o) {
    return dlms_get_response_decode(in, len, o);
}
static int dec_set_req(const uint8_t *in, size_t len, void *o) {
    return dlms_set_request_decode(in, len, o);
}
static int dec_set_resp(const uint8_t *in, size_t len, void *o) {
    return dlms_set_response_decode(in, len, o);
}
static int dec_act_req(const uint8_t *in, size_t len, void *o) {
    return dlms_action_request_decode(in, len, o);
}
static int dec_act_resp(const uint8_t *in, size_t len, void *o) {
    return dlms_action_response_decode(in, len, o);
}

/* An encoder given every capacity below the APDU length refuses with
 * _BUFFER and leaves the buffer zeroed. */
typedef int (*encode_fn)(const void *in, uint8_t *out, size_t cap);

static void expect_small_buffers_refused(encode_fn enc, const void *in, size_t n) {
    uint8_t out[512];
    for (size_t cap = 0; cap < n; cap++) {
        memset(out, 0xA5, sizeof out);
        assert_int_equal(enc(in, out, cap), DLMS_APDU_ERR_BUFFER);
        assert_true(all_zero(out, cap));
    }
}

static int enc_get_req(const void *in, uint8_t *out, size_t cap) {
    return dlms_get_request_encode(in, out, cap);
}
static int enc_get_resp(const void *in, uint8_t *out, size_t cap) {
    return dlms_get_response_encode(in, out, cap);
}
static int enc_set_req(const void *in, uint8_t *out, size_t cap) {
    return dlms_set_request_encode(in, out, cap);
}
static int enc_set_resp(const void *in, uint8_t *out, size_t cap) {
    return dlms_set_response_encode(in, out, cap);
}
static int enc_act_req(const void *in, uint8_t *out, size_t cap) {
    return dlms_action_request_encode(in, out, cap);
}
static int enc_act_resp(const void *in, uint8_t *out, size_t cap) {
    return dlms_action_response_encode(in, out, cap);
}

/* Decode `hex` with dec into out (must succeed), re-encode with enc and
 * expect the same bytes; then the prefix, trailing-byte and small-buffer
 * refusals. */
static void round_trip(const char *hex, decode_fn dec, encode_fn enc, void *out, size_t out_size) {
    static uint8_t in[512];
    uint8_t again[512];
    size_t n = test_unhex(hex, in, sizeof in);
    assert_int_equal(dec(in, n, out), 0);
    memset(again, 0, sizeof again);
    assert_int_equal(enc(out, again, sizeof again), (int)n);
    assert_memory_equal(again, in, n);
    expect_small_buffers_refused(enc, out, n);
    /* The prefix check overwrites out: decode again for the caller. */
    void *copy = malloc(out_size);
    assert_non_null(copy);
    expect_prefixes_refused(dec, in, n, copy, out_size);
    free(copy);
    assert_int_equal(dec(in, n, out), 0);
}

/* ---- GET ------------------------------------------------------------------------ */

/* dlms-facts §3.1: the plaintext of the Green Book GCM example.
 *   C0 get-request, 01 normal, 00 invoke-id-and-priority,
 *   0008 class Clock, 0000010000FF 0.0.1.0.0.255, 02 attribute time,
 *   00 no access-selection. */
#define GET_CLOCK_HEX "C0 01 00 0008 0000010000FF 02 00"

static void test_get_request_normal_clock_vector(void **state) {
    (void)state;
    dlms_get_request_t r;
    round_trip(GET_CLOCK_HEX, dec_get_req, enc_get_req, &r, sizeof r);
    assert_int_equal(r.type, DLMS_GET_REQUEST_NORMAL);
    assert_int_equal(r.invoke_id, 0x00);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.items[0].attr.class_id, 8);
    assert_memory_equal(r.items[0].attr.instance_id, CLOCK_LN, 6);
    assert_int_equal(r.items[0].attr.id, 2);
    assert_false(r.items[0].access.present);

    /* Built from fields by a client: the same 13 bytes. */
    dlms_get_request_t c;
    memset(&c, 0, sizeof c);
    c.type = DLMS_GET_REQUEST_NORMAL;
    c.items[0].attr.class_id = 8;
    memcpy(c.items[0].attr.instance_id, CLOCK_LN, 6);
    c.items[0].attr.id = 2;
    uint8_t out[32], want[32];
    size_t n = test_unhex(GET_CLOCK_HEX, want, sizeof want);
    assert_int_equal(n, 13);
    assert_int_equal(dlms_get_request_encode(&c, out, sizeof out), 13);
    assert_memory_equal(out, want, 13);
}

static void test_get_request_next(void **state) {
    (void)state;
    dlms_get_request_t r;
    /* C0, 02 next, C1 iid, 00000001 block-number: 7 bytes. */
    round_trip("C0 02 C1 00000001", dec_get_req, enc_get_req, &r, sizeof r);
    assert_int_equal(r.type, DLMS_GET_REQUEST_NEXT);
    assert_int_equal(r.invoke_id, 0xC1);
    assert_int_equal(r.block_number, 1);
    round_trip("C0 02 C1 FFFFFFFE", dec_get_req, enc_get_req, &r, sizeof r);
    assert_int_equal(r.block_number, 0xFFFFFFFEu);
}

static void test_get_request_with_list(void **state) {
    (void)state;
    dlms_get_request_t r;
    /* C0 03 C1, 02 entries: clock time (no selection) and Register
     * 1.0.1.8.0.255 (class 3 = 0003) value, attribute 2. */
    round_trip("C0 03 C1 02 0008 0000010000FF 02 00 0003 0100010800FF 02 00", dec_get_req,
               enc_get_req, &r, sizeof r);
    assert_int_equal(r.type, DLMS_GET_REQUEST_WITH_LIST);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.items[1].attr.class_id, 3);
    assert_int_equal(r.items[1].attr.instance_id[2], 1);
    assert_int_equal(r.items[1].attr.instance_id[3], 8);
}

/* A with-list of n clock descriptors, each 10 bytes. */
static size_t with_list_hex(uint8_t *buf, size_t cap, unsigned n) {
    size_t len = test_unhex("C0 03 C1", buf, cap);
    buf[len++] = (uint8_t)n; /* n < 0x80: one length byte */
    for (unsigned i = 0; i < n; i++) {
        assert_true(len + 10 <= cap);
        len += test_unhex("0008 0000010000FF 02 00", buf + len, cap - len);
    }
    return len;
}

static void test_with_list_limits(void **state) {
    (void)state;
    uint8_t in[16 + 10 * (EM_DLMS_MAX_LIST + 2)];
    dlms_get_request_t r;
    size_t n = with_list_hex(in, sizeof in, EM_DLMS_MAX_LIST);
    assert_int_equal(dlms_get_request_decode(in, n, &r), 0);
    assert_int_equal(r.count, EM_DLMS_MAX_LIST);
    n = with_list_hex(in, sizeof in, EM_DLMS_MAX_LIST + 1);
    assert_int_equal(dlms_get_request_decode(in, n, &r), DLMS_APDU_ERR_LIST_TOO_LONG);
    assert_true(all_zero((const uint8_t *)&r, sizeof r));
    n = with_list_hex(in, sizeof in, 0);
    assert_int_equal(dlms_get_request_decode(in, n, &r), DLMS_APDU_ERR_LIST_EMPTY);
    /* A list count in long form (81 11 = 17) is refused the same way. */
    uint8_t big[] = {0xC0, 0x03, 0xC1, 0x81, EM_DLMS_MAX_LIST + 1};
    assert_int_equal(dlms_get_request_decode(big, sizeof big, &r), DLMS_APDU_ERR_LIST_TOO_LONG);
    uint8_t bad_len[] = {0xC0, 0x03, 0xC1, 0x80};
    assert_int_equal(dlms_get_request_decode(bad_len, sizeof bad_len, &r), DLMS_APDU_ERR_LENGTH);

    /* The encoder refuses the same counts. */
    uint8_t out[512];
    memset(&r, 0, sizeof r);
    r.type = DLMS_GET_REQUEST_WITH_LIST;
    r.count = EM_DLMS_MAX_LIST + 1;
    assert_int_equal(dlms_get_request_encode(&r, out, sizeof out), DLMS_APDU_ERR_LIST_TOO_LONG);
    r.count = 0;
    assert_int_equal(dlms_get_request_encode(&r, out, sizeof out), DLMS_APDU_ERR_LIST_EMPTY);
}

/* Profile generic 1.0.99.1.0.255 (class 7 = 0007) buffer, attribute 2. */
#define PROFILE_DESC "0007 0100630100FF 02"
/* restricting_object: structure(4){long-unsigned 8, octet-string(6) clock,
 * integer 2, long-unsigned 0} = 02 04 12 0008 09 06 0000010000FF 0F 02 12 0000 */
#define RESTRICT_CLOCK "02 04 12 0008 09 06 0000010000FF 0F 02 12 0000"
/* from 2024-01-01 00:00:00 (Monday) and to 2024-01-02 00:00:00 (Tuesday),
 * deviation not specified (8000), status not specified (FF), as
 * octet-string(12): 09 0C + year 07E8, month, day, dow, h, m, s, hs, dev, st */
#define FROM_DT "09 0C 07E8 01 01 01 00 00 00 00 8000 FF"
#define TO_DT   "09 0C 07E8 01 02 02 00 00 00 00 8000 FF"
/* capture object Register 1.0.1.8.0.255 value: 02 04 12 0003 09 06 0100010800FF 0F 02 12 0000 */
#define COLUMN_ENERGY "02 04 12 0003 09 06 0100010800FF 0F 02 12 0000"

static void check_range(const dlms_access_selection_t *a, uint32_t ncols) {
    assert_true(a->present);
    assert_int_equal(a->selector, DLMS_ACCESS_SELECTOR_RANGE);
    dlms_range_descriptor_t rd;
    assert_int_equal(dlms_range_descriptor_decode(a->parameters.p, a->parameters.len, &rd), 0);
    assert_int_equal(rd.restricting_object.class_id, 8);
    assert_memory_equal(rd.restricting_object.logical_name, CLOCK_LN, 6);
    assert_int_equal(rd.restricting_object.attribute_index, 2);
    assert_int_equal(rd.restricting_object.data_index, 0);
    assert_true(slice_is(rd.from_value, FROM_DT));
    assert_true(slice_is(rd.to_value, TO_DT));
    assert_int_equal(rd.selected_count, ncols);
    axdr_dec_t d;
    axdr_dec_init(&d, rd.selected_values.p, rd.selected_values.len);
    for (uint32_t i = 0; i < ncols; i++) {
        dlms_capture_object_t co;
        assert_int_equal(dlms_capture_object_get(&d, &co), 0);
        assert_int_equal(co.class_id, i == 0 ? 8 : 3);
        assert_int_equal(co.attribute_index, 2);
    }
    assert_int_equal(axdr_dec_remaining(&d), 0);
}

static void test_selective_access_range(void **state) {
    (void)state;
    dlms_get_request_t r;
    /* get-request-normal, access-selection present (01), selector 1,
     * range_descriptor structure(4){restricting, from, to, array(0)}. */
    round_trip("C0 01 C1 " PROFILE_DESC " 01 01 02 04 " RESTRICT_CLOCK " " FROM_DT " " TO_DT
               " 01 00",
               dec_get_req, enc_get_req, &r, sizeof r);
    assert_int_equal(r.items[0].attr.class_id, 7);
    assert_memory_equal(r.items[0].attr.instance_id, PROFILE_LN, 6);
    check_range(&r.items[0].access, 0);

    /* Two columns: the clock and the energy register. */
    round_trip("C0 01 C1 " PROFILE_DESC " 01 01 02 04 " RESTRICT_CLOCK " " FROM_DT " " TO_DT
               " 01 02 " RESTRICT_CLOCK " " COLUMN_ENERGY,
               dec_get_req, enc_get_req, &r, sizeof r);
    check_range(&r.items[0].access, 2);

    /* The client builds the same parameters with dlms_range_descriptor_put. */
    uint8_t from[16], to[16], params[128], want[128];
    size_t nf = test_unhex(FROM_DT, from, sizeof from);
    size_t nt = test_unhex(TO_DT, to, sizeof to);
    dlms_capture_object_t cols[2] = {{8, {0, 0, 1, 0, 0, 255}, 2, 0},
                                     {3, {1, 0, 1, 8, 0, 255}, 2, 0}};
    axdr_enc_t e;
    axdr_enc_init(&e, params, sizeof params);
    assert_int_equal(
        dlms_range_descriptor_put(&e, &cols[0], slice_of(from, nf), slice_of(to, nt), cols, 2), 0);
    size_t n = test_unhex("02 04 " RESTRICT_CLOCK " " FROM_DT " " TO_DT " 01 02 " RESTRICT_CLOCK
                     " " COLUMN_ENERGY,
                     want, sizeof want);
    assert_int_equal(e.len, n);
    assert_memory_equal(params, want, n);
    assert_memory_equal(r.items[0].access.parameters.p, want, n);

    /* Malformed descriptors: wrong structure size, LN of 5 bytes. */
    dlms_range_descriptor_t rd;
    uint8_t bad[64];
    n = test_unhex("02 03 " RESTRICT_CLOCK, bad, sizeof bad);
    assert_int_equal(dlms_range_descriptor_decode(bad, n, &rd), DLMS_APDU_ERR_DATA);
    n = test_unhex("02 04 02 04 12 0008 09 05 00000100FF 0F 02 12 0000 " FROM_DT " " TO_DT " 01 00", bad,
              sizeof bad);
    assert_int_equal(dlms_range_descriptor_decode(bad, n, &rd), DLMS_APDU_ERR_DATA);
    assert_true(all_zero((const uint8_t *)&rd, sizeof rd));
}

static void test_selective_access_entry(void **state) {
    (void)state;
    dlms_get_request_t r;
    /* selector 2, entry_descriptor structure(4){double-long-unsigned 1,
     * double-long-unsigned 0 (to the last entry), long-unsigned 1,
     * long-unsigned 0 (to the last column)}. */
    round_trip("C0 01 C1 " PROFILE_DESC " 01 02 02 04 06 00000001 06 00000000 12 0001 12 0000",
               dec_get_req, enc_get_req, &r, sizeof r);
    const dlms_access_selection_t *a = &r.items[0].access;
    assert_int_equal(a->selector, DLMS_ACCESS_SELECTOR_ENTRY);
    dlms_entry_descriptor_t ed;
    assert_int_equal(dlms_entry_descriptor_decode(a->parameters.p, a->parameters.len, &ed), 0);
    assert_int_equal(ed.from_entry, 1);
    assert_int_equal(ed.to_entry, 0);
    assert_int_equal(ed.from_selected_value, 1);
    assert_int_equal(ed.to_selected_value, 0);

    uint8_t out[32];
    axdr_enc_t e;
    axdr_enc_init(&e, out, sizeof out);
    assert_int_equal(dlms_entry_descriptor_put(&e, &ed), 0);
    assert_int_equal(e.len, a->parameters.len);
    assert_memory_equal(out, a->parameters.p, e.len);
    /* Wrong types are refused. */
    uint8_t bad[] = {0x02, 0x04, 0x05, 0, 0, 0, 1, 0x06, 0, 0, 0, 0, 0x12, 0, 1, 0x12, 0, 0};
    assert_int_equal(dlms_entry_descriptor_decode(bad, sizeof bad, &ed), DLMS_APDU_ERR_DATA);
}

static void test_get_response_all_types(void **state) {
    (void)state;
    dlms_get_response_t r;
    /* normal, data: C4 01 C1, 00 choice data, 09 0C date-time octet string */
    round_trip("C4 01 C1 00 09 0C 07E8 01 01 01 0C 00 00 00 FFC4 00", dec_get_resp, enc_get_resp,
               &r, sizeof r);
    assert_int_equal(r.type, DLMS_GET_RESPONSE_NORMAL);
    assert_true(r.results[0].is_data);
    assert_int_equal(r.results[0].data.len, 14);
    /* normal, data-access-result: 01 choice, 04 object-undefined */
    round_trip("C4 01 C1 01 04", dec_get_resp, enc_get_resp, &r, sizeof r);
    assert_false(r.results[0].is_data);
    assert_int_equal(r.results[0].dar, DLMS_DAR_OBJECT_UNDEFINED);
    /* with-datablock: last-block 00, block 1, 00 raw-data, 05 bytes */
    round_trip("C4 02 C1 00 00000001 00 05 0102030405", dec_get_resp, enc_get_resp, &r, sizeof r);
    assert_int_equal(r.type, DLMS_GET_RESPONSE_WITH_DATABLOCK);
    assert_false(r.block.last_block);
    assert_int_equal(r.block.block_number, 1);
    assert_false(r.block.is_result);
    assert_true(slice_is(r.block.raw_data, "0102030405"));
    /* with-datablock ending with a result: last 01, block 2, 01 dar 0F
     * long-get-aborted */
    round_trip("C4 02 C1 01 00000002 01 0F", dec_get_resp, enc_get_resp, &r, sizeof r);
    assert_true(r.block.last_block);
    assert_true(r.block.is_result);
    assert_int_equal(r.block.result, DLMS_DAR_LONG_GET_ABORTED);
    /* with-list: 2 results, long-unsigned 100 and read-write-denied */
    round_trip("C4 03 C1 02 00 12 0064 01 03", dec_get_resp, enc_get_resp, &r, sizeof r);
    assert_int_equal(r.count, 2);
    assert_true(slice_is(r.results[0].data, "12 0064"));
    assert_int_equal(r.results[1].dar, DLMS_DAR_READ_WRITE_DENIED);

    /* A-XDR BOOLEAN: any nonzero last-block byte is TRUE. */
    uint8_t ff[] = {0xC4, 0x02, 0xC1, 0xFF, 0, 0, 0, 3, 0x00, 0x00};
    assert_int_equal(dlms_get_response_decode(ff, sizeof ff, &r), 0);
    assert_true(r.block.last_block);
    assert_int_equal(r.block.raw_data.len, 0);
}

/* ---- SET ------------------------------------------------------------------------ */

#define CLOCK_DESC "0008 0000010000FF 02"
#define DT_VALUE   "09 0C 07E8 03 1F 07 02 00 00 00 FFC4 00"

static void test_set_request_all_types(void **state) {
    (void)state;
    dlms_set_request_t r;
    /* normal: C1 01 C1, clock time, 00 no selection, value */
    round_trip("C1 01 C1 " CLOCK_DESC " 00 " DT_VALUE, dec_set_req, enc_set_req, &r, sizeof r);
    assert_int_equal(r.type, DLMS_SET_REQUEST_NORMAL);
    assert_int_equal(r.count, 1);
    assert_true(slice_is(r.values[0], DT_VALUE));
    /* with-first-datablock: descriptor, 00, DataBlock-SA{00 not last,
     * 00000001, 05 raw bytes} */
    round_trip("C1 02 C1 " CLOCK_DESC " 00 00 00000001 05 0102030405", dec_set_req, enc_set_req, &r,
               sizeof r);
    assert_int_equal(r.type, DLMS_SET_REQUEST_WITH_FIRST_DATABLOCK);
    assert_false(r.block.last_block);
    assert_int_equal(r.block.block_number, 1);
    assert_true(slice_is(r.block.raw_data, "0102030405"));
    /* with-datablock: DataBlock-SA{01 last, 00000002, 03 bytes} */
    round_trip("C1 03 C1 01 00000002 03 060708", dec_set_req, enc_set_req, &r, sizeof r);
    assert_true(r.block.last_block);
    assert_int_equal(r.block.block_number, 2);
    /* with-list: 2 descriptors (Data 0.0.96.1.0.255 class 1, Register
     * 1.0.1.8.0.255 class 3), then 02 values: visible-string "ABC",
     * double-long-unsigned 100 */
    round_trip("C1 04 C1 02 0001 0000600100FF 02 00 0003 0100010800FF 02 00"
               " 02 0A 03 414243 06 00000064",
               dec_set_req, enc_set_req, &r, sizeof r);
    assert_int_equal(r.count, 2);
    assert_true(slice_is(r.values[0], "0A 03 414243"));
    assert_true(slice_is(r.values[1], "06 00000064"));
    /* with-list-and-first-datablock: 2 descriptors then DataBlock-SA */
    round_trip("C1 05 C1 02 0001 0000600100FF 02 00 0003 0100010800FF 02 00"
               " 00 00000001 03 AABBCC",
               dec_set_req, enc_set_req, &r, sizeof r);
    assert_int_equal(r.type, DLMS_SET_REQUEST_WITH_LIST_AND_FIRST_DATABLOCK);
    assert_int_equal(r.count, 2);
    assert_true(slice_is(r.block.raw_data, "AABBCC"));

    /* A value list shorter than the descriptor list. */
    uint8_t in[64];
    size_t n = test_unhex("C1 04 C1 02 0001 0000600100FF 02 00 0003 0100010800FF 02 00 01 0A 00", in,
                     sizeof in);
    assert_int_equal(dlms_set_request_decode(in, n, &r), DLMS_APDU_ERR_LIST_MISMATCH);
    /* A value that is not A-XDR (tag 07 is unassigned). */
    n = test_unhex("C1 01 C1 " CLOCK_DESC " 00 07 00", in, sizeof in);
    assert_int_equal(dlms_set_request_decode(in, n, &r), DLMS_APDU_ERR_DATA);
    /* An access-selection flag of 02. */
    n = test_unhex("C1 01 C1 " CLOCK_DESC " 02 00", in, sizeof in);
    assert_int_equal(dlms_set_request_decode(in, n, &r), DLMS_APDU_ERR_FLAG);
    /* The encoder checks values too. */
    dlms_set_request_t c;
    memset(&c, 0, sizeof c);
    c.type = DLMS_SET_REQUEST_NORMAL;
    uint8_t junk[] = {0x07};
    c.values[0] = slice_of(junk, 1);
    assert_int_equal(dlms_set_request_encode(&c, in, sizeof in), DLMS_APDU_ERR_DATA);
}

static void test_set_response_all_types(void **state) {
    (void)state;
    dlms_set_response_t r;
    round_trip("C5 01 C1 00", dec_set_resp, enc_set_resp, &r, sizeof r); /* normal, success */
    assert_int_equal(r.results[0], DLMS_DAR_SUCCESS);
    round_trip("C5 02 C1 00000001", dec_set_resp, enc_set_resp, &r, sizeof r); /* datablock 1 */
    assert_int_equal(r.block_number, 1);
    /* last-datablock: result 0C type-unmatched, block 2 */
    round_trip("C5 03 C1 0C 00000002", dec_set_resp, enc_set_resp, &r, sizeof r);
    assert_int_equal(r.results[0], DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(r.block_number, 2);
    /* last-datablock-with-list: 2 results, block 3 */
    round_trip("C5 04 C1 02 00 03 00000003", dec_set_resp, enc_set_resp, &r, sizeof r);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.results[1], DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(r.block_number, 3);
    /* with-list: 2 results */
    round_trip("C5 05 C1 02 00 03", dec_set_resp, enc_set_resp, &r, sizeof r);
    assert_int_equal(r.type, DLMS_SET_RESPONSE_WITH_LIST);
}

/* ---- ACTION ---------------------------------------------------------------------- */

/* dlms-facts §4.8 with the f(StoC) of §3.3: C3 action-request, 01 normal,
 * C0 iid, 000F Association LN, 0000280000FF, 01 method
 * reply_to_HLS_authentication, 01 parameters present, 09 11 octet-string
 * of 17 bytes = SC 10 || IC 00000001 || tag 1A52FE7DD3E72748973C1E28. */
#define HLS_PASS3_HEX "C3 01 C0 000F 0000280000FF 01 01 09 11 10000000011A52FE7DD3E72748973C1E28"

static void test_action_hls_pass3_vector(void **state) {
    (void)state;
    dlms_action_request_t r;
    round_trip(HLS_PASS3_HEX, dec_act_req, enc_act_req, &r, sizeof r);
    assert_int_equal(r.type, DLMS_ACTION_REQUEST_NORMAL);
    assert_int_equal(r.invoke_id, 0xC0);
    assert_int_equal(r.methods[0].class_id, 15);
    assert_memory_equal(r.methods[0].instance_id, ASSOC_LN, 6);
    assert_int_equal(r.methods[0].id, 1);
    assert_true(slice_is(r.params[0], "09 11 10000000011A52FE7DD3E72748973C1E28"));

    /* Pass 4: C7 01 C0, 00 success, 01 return present, 00 data, 09 11
     * f(CtoS) = 10 01234567 FE1466AFB3DBCD4F9389E2B7. */
    dlms_action_response_t a;
    round_trip("C7 01 C0 00 01 00 09 11 1001234567FE1466AFB3DBCD4F9389E2B7", dec_act_resp,
               enc_act_resp, &a, sizeof a);
    assert_int_equal(a.results[0].result, DLMS_ACTION_SUCCESS);
    assert_true(a.results[0].has_return);
    assert_true(a.results[0].ret.is_data);
    assert_int_equal(a.results[0].ret.data.len, 19);
}

static void test_action_request_all_types(void **state) {
    (void)state;
    dlms_action_request_t r;
    /* normal without parameters: 00 after the method id */
    round_trip("C3 01 C1 0046 000060030AFF 01 00", dec_act_req, enc_act_req, &r, sizeof r);
    assert_null(r.params[0].p);
    /* next-pblock 1 */
    round_trip("C3 02 C1 00000001", dec_act_req, enc_act_req, &r, sizeof r);
    assert_int_equal(r.block_number, 1);
    /* with-list: clock shift_time (method 6, long 60) and disconnect
     * control 0.0.96.3.10.255 (class 70 = 0046) remote_disconnect
     * (method 1, integer 0) */
    round_trip("C3 03 C1 02 0008 0000010000FF 06 0046 000060030AFF 01 02 10 003C 0F 00",
               dec_act_req, enc_act_req, &r, sizeof r);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.methods[1].class_id, 70);
    assert_true(slice_is(r.params[0], "10 003C"));
    assert_true(slice_is(r.params[1], "0F 00"));
    /* with-first-pblock: image transfer 0.0.44.0.0.255 (class 18 = 0012)
     * method 2, DataBlock-SA{00, 00000001, 04 DEADBEEF} */
    round_trip("C3 04 C1 0012 00002C0000FF 02 00 00000001 04 DEADBEEF", dec_act_req, enc_act_req,
               &r, sizeof r);
    assert_int_equal(r.methods[0].class_id, 18);
    assert_true(slice_is(r.block.raw_data, "DEADBEEF"));
    /* with-list-and-first-pblock: 2 methods then DataBlock-SA{01 last} */
    round_trip("C3 05 C1 02 0008 0000010000FF 06 0046 000060030AFF 01 01 00000001 02 0F00",
               dec_act_req, enc_act_req, &r, sizeof r);
    assert_int_equal(r.count, 2);
    assert_true(r.block.last_block);
    /* with-pblock: block 2 */
    round_trip("C3 06 C1 01 00000002 02 AABB", dec_act_req, enc_act_req, &r, sizeof r);
    assert_int_equal(r.block.block_number, 2);

    uint8_t in[64];
    size_t n =
        test_unhex("C3 03 C1 02 0008 0000010000FF 06 0046 000060030AFF 01 01 10 003C", in, sizeof in);
    assert_int_equal(dlms_action_request_decode(in, n, &r), DLMS_APDU_ERR_LIST_MISMATCH);
    n = test_unhex("C3 01 C1 0046 000060030AFF 01 02", in, sizeof in);
    assert_int_equal(dlms_action_request_decode(in, n, &r), DLMS_APDU_ERR_FLAG);
}

static void test_action_response_all_types(void **state) {
    (void)state;
    dlms_action_response_t r;
    /* normal: success, no return parameters */
    round_trip("C7 01 C1 00 00", dec_act_resp, enc_act_resp, &r, sizeof r);
    assert_false(r.results[0].has_return);
    /* normal: success, return parameters = data-access-result 03 */
    round_trip("C7 01 C1 00 01 01 03", dec_act_resp, enc_act_resp, &r, sizeof r);
    assert_true(r.results[0].has_return);
    assert_false(r.results[0].ret.is_data);
    assert_int_equal(r.results[0].ret.dar, 3);
    /* with-pblock: DataBlock-SA{00, 1, 03 bytes} */
    round_trip("C7 02 C1 00 00000001 03 010203", dec_act_resp, enc_act_resp, &r, sizeof r);
    assert_true(slice_is(r.block.raw_data, "010203"));
    /* with-list: (success, none), (read-write-denied, data unsigned 5) */
    round_trip("C7 03 C1 02 00 00 03 01 00 11 05", dec_act_resp, enc_act_resp, &r, sizeof r);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.results[1].result, DLMS_ACTION_READ_WRITE_DENIED);
    assert_true(slice_is(r.results[1].ret.data, "11 05"));
    /* next-pblock 1 */
    round_trip("C7 04 C1 00000001", dec_act_resp, enc_act_resp, &r, sizeof r);
    assert_int_equal(r.block_number, 1);
}

/* ---- refusals common to every decoder ------------------------------------------- */

static void test_unknown_tags_and_types(void **state) {
    (void)state;
    uint8_t in[] = {0xC0, 0x04, 0xC1, 0, 0, 0, 1};
    dlms_get_request_t g;
    dlms_set_request_t s;
    dlms_action_request_t a;
    dlms_get_response_t gr;
    dlms_set_response_t sr;
    dlms_action_response_t ar;
    assert_int_equal(dlms_get_request_decode(in, sizeof in, &g), DLMS_APDU_ERR_TYPE);
    in[1] = 0x00;
    assert_int_equal(dlms_get_request_decode(in, sizeof in, &g), DLMS_APDU_ERR_TYPE);
    in[0] = 0xC1;
    in[1] = 0x06;
    assert_int_equal(dlms_set_request_decode(in, sizeof in, &s), DLMS_APDU_ERR_TYPE);
    in[0] = 0xC3;
    in[1] = 0x07;
    assert_int_equal(dlms_action_request_decode(in, sizeof in, &a), DLMS_APDU_ERR_TYPE);
    in[0] = 0xC4;
    in[1] = 0x04;
    assert_int_equal(dlms_get_response_decode(in, sizeof in, &gr), DLMS_APDU_ERR_TYPE);
    in[0] = 0xC5;
    in[1] = 0x06;
    assert_int_equal(dlms_set_response_decode(in, sizeof in, &sr), DLMS_APDU_ERR_TYPE);
    in[0] = 0xC7;
    in[1] = 0x05;
    assert_int_equal(dlms_action_response_decode(in, sizeof in, &ar), DLMS_APDU_ERR_TYPE);

    /* Wrong tags: a get-response is not a get-request, and so on. */
    in[0] = 0xC4;
    in[1] = 0x01;
    assert_int_equal(dlms_get_request_decode(in, sizeof in, &g), DLMS_APDU_ERR_TAG);
    assert_int_equal(dlms_set_request_decode(in, sizeof in, &s), DLMS_APDU_ERR_TAG);
    assert_int_equal(dlms_action_request_decode(in, sizeof in, &a), DLMS_APDU_ERR_TAG);
    in[0] = 0xC8; /* glo-get-request: ciphered, not for this codec */
    assert_int_equal(dlms_get_request_decode(in, sizeof in, &g), DLMS_APDU_ERR_TAG);
    assert_int_equal(dlms_get_request_decode(in, 0, &g), DLMS_APDU_ERR_TRUNCATED);
    assert_int_equal(dlms_get_request_decode(NULL, 4, &g), DLMS_APDU_ERR_BADARG);
    assert_int_equal(dlms_get_request_decode(in, 4, NULL), DLMS_APDU_ERR_BADARG);

    /* Encoders refuse unknown types. */
    uint8_t out[32];
    memset(&g, 0, sizeof g);
    g.type = 9;
    assert_int_equal(dlms_get_request_encode(&g, out, sizeof out), DLMS_APDU_ERR_TYPE);
    assert_int_equal(dlms_get_request_encode(NULL, out, sizeof out), DLMS_APDU_ERR_BADARG);
    assert_int_equal(dlms_get_request_encode(&g, NULL, 0), DLMS_APDU_ERR_BADARG);
}

static void test_truncated_in_fixed_fields(void **state) {
    (void)state;
    uint8_t in[32];
    size_t n = test_unhex(GET_CLOCK_HEX, in, sizeof in);
    dlms_get_request_t r;
    /* Cut inside the OBIS code and inside the block number. */
    assert_int_equal(dlms_get_request_decode(in, 7, &r), DLMS_APDU_ERR_TRUNCATED);
    assert_int_equal(dlms_get_request_decode(in, n - 1, &r), DLMS_APDU_ERR_TRUNCATED);
    n = test_unhex("C0 02 C1 000000", in, sizeof in);
    assert_int_equal(dlms_get_request_decode(in, n, &r), DLMS_APDU_ERR_TRUNCATED);
    /* A raw-data octet string announcing more than what follows. */
    dlms_get_response_t g;
    n = test_unhex("C4 02 C1 00 00000001 00 05 01020304", in, sizeof in);
    assert_int_equal(dlms_get_response_decode(in, n, &g), DLMS_APDU_ERR_TRUNCATED);
    /* A Data value cut short. */
    n = test_unhex("C4 01 C1 00 06 000000", in, sizeof in);
    assert_int_equal(dlms_get_response_decode(in, n, &g), DLMS_APDU_ERR_TRUNCATED);
}

/* ---- invoke-id ------------------------------------------------------------------- */

static void test_invoke_id(void **state) {
    (void)state;
    assert_int_equal(dlms_invoke_id_make(1, true, true), 0xC1);
    assert_int_equal(dlms_invoke_id_make(0x1F, false, false), 0x0F);
    assert_int_equal(dlms_invoke_id_make(5, true, false), 0x45);
    assert_true(dlms_invoke_id_matches(0xC1, 0xC1));
    assert_false(dlms_invoke_id_matches(0xC1, 0xC2));
    assert_false(dlms_invoke_id_matches(0xC1, 0x41));
    assert_true(dlms_invoke_id_matches(0xC1, 0xF1)); /* reserved bits 4-5 ignored */
    assert_int_equal(dlms_long_invoke_id_make(0x1234567, true, false), 0x40234567u);

    /* Echo: the server copies the request's byte into its response. */
    uint8_t in[32], out[32], iid = 0;
    size_t n = test_unhex("C0 01 85 0008 0000010000FF 02 00", in, sizeof in);
    assert_int_equal(dlms_apdu_peek_invoke_id(in, n, &iid), 0);
    assert_int_equal(iid, 0x85);
    dlms_get_request_t req;
    assert_int_equal(dlms_get_request_decode(in, n, &req), 0);
    dlms_get_response_t resp;
    memset(&resp, 0, sizeof resp);
    resp.type = DLMS_GET_RESPONSE_NORMAL;
    resp.invoke_id = req.invoke_id;
    resp.results[0].dar = DLMS_DAR_READ_WRITE_DENIED;
    int len = dlms_get_response_encode(&resp, out, sizeof out);
    assert_int_equal(len, 5);
    assert_int_equal(out[2], 0x85);
    dlms_get_response_t back;
    assert_int_equal(dlms_get_response_decode(out, (size_t)len, &back), 0);
    assert_true(dlms_invoke_id_matches(req.invoke_id, back.invoke_id));

    /* Peek works on a request the decoder refuses, not on other tags. */
    n = test_unhex("C1 09 C3 FF", in, sizeof in);
    assert_int_equal(dlms_apdu_peek_invoke_id(in, n, &iid), 0);
    assert_int_equal(iid, 0xC3);
    assert_int_equal(dlms_apdu_peek_invoke_id(in, 2, &iid), DLMS_APDU_ERR_TRUNCATED);
    in[0] = 0x60;
    assert_int_equal(dlms_apdu_peek_invoke_id(in, n, &iid), DLMS_APDU_ERR_TAG);
}

/* ---- exception-response, refused services ---------------------------------------- */

static void test_exception_response(void **state) {
    (void)state;
    uint8_t out[16], want[16];
    dlms_exception_response_t x = {DLMS_EXC_STATE_SERVICE_NOT_ALLOWED,
                                   DLMS_EXC_SERVICE_NOT_SUPPORTED, 0};
    assert_int_equal(dlms_exception_response_encode(&x, out, sizeof out), 3);
    size_t n = test_unhex("D8 01 02", want, sizeof want);
    assert_memory_equal(out, want, n);
    /* invocation-counter-error carries the expected IC as Unsigned32. */
    x.state_error = DLMS_EXC_STATE_SERVICE_UNKNOWN;
    x.service_error = DLMS_EXC_INVOCATION_COUNTER_ERROR;
    x.invocation_counter = 0x10;
    assert_int_equal(dlms_exception_response_encode(&x, out, sizeof out), 7);
    n = test_unhex("D8 02 06 00000010", want, sizeof want);
    assert_memory_equal(out, want, n);
    dlms_exception_response_t back;
    assert_int_equal(dlms_exception_response_decode(out, 7, &back), 0);
    assert_int_equal(back.invocation_counter, 0x10);
    assert_int_equal(dlms_exception_response_decode(out, 6, &back), DLMS_APDU_ERR_TRUNCATED);
    assert_int_equal(dlms_exception_response_encode(&x, out, 6), DLMS_APDU_ERR_BUFFER);
    assert_string_equal(dlms_state_error_name(2), "service-unknown");
    assert_string_equal(dlms_exception_service_error_name(5), "deciphering-error");
    assert_string_equal(dlms_exception_service_error_name(9), "unknown");

    /* Unserved services. */
    assert_int_equal(dlms_apdu_refuse(DLMS_APDU_READ_REQUEST, out, sizeof out), 4);
    n = test_unhex("0E 05 03 02", want,
              sizeof want); /* confirmedServiceError read, service, unsupported */
    assert_memory_equal(out, want, n);
    assert_int_equal(dlms_apdu_refuse(DLMS_APDU_WRITE_REQUEST, out, sizeof out), 4);
    assert_int_equal(out[1], 0x06);
    assert_int_equal(dlms_apdu_refuse(DLMS_APDU_ACTION_REQUEST, out, sizeof out), 3);
    n = test_unhex("D8 01 02", want, sizeof want);
    assert_memory_equal(out, want, n);
    assert_int_equal(dlms_apdu_refuse(0xFF, out, sizeof out), 3);
    n = test_unhex("D8 02 02", want, sizeof want);
    assert_memory_equal(out, want, n);
    assert_int_equal(dlms_apdu_refuse(0xFF, out, 2), DLMS_APDU_ERR_BUFFER);
    assert_int_equal(dlms_apdu_refuse(DLMS_APDU_READ_REQUEST, out, 3), DLMS_APDU_ERR_BUFFER);
}

/* ---- data-notification ----------------------------------------------------------- */

/* 0F, long-invoke-id 40000001 (service class confirmed, invoke id 1),
 * date-time 0C + 2024-01-01 00:00 Monday, deviation and status not
 * specified, body structure{octet-string 0.0.25.9.0.255 (push
 * setup), double-long-unsigned 12345 = 00003039}. */
#define NOTIF_BODY "02 02 09 06 0000190900FF 06 00003039"
#define NOTIF_HEX  "0F 40000001 0C 07E8 01 01 01 00 00 00 00 8000 FF " NOTIF_BODY

static void test_data_notification(void **state) {
    (void)state;
    uint8_t in[64], out[64];
    size_t n = test_unhex(NOTIF_HEX, in, sizeof in);
    dlms_data_notification_t dn;
    assert_int_equal(dlms_data_notification_decode(in, n, &dn), 0);
    assert_int_equal(dn.long_invoke_id, 0x40000001u);
    assert_true(dn.has_date_time);
    assert_int_equal(dn.date_time.year, 2024);
    assert_int_equal(dn.date_time.deviation, COSEM_DT_DEVIATION_NOT_SPECIFIED);
    assert_true(slice_is(dn.body, NOTIF_BODY));
    assert_int_equal(dlms_data_notification_encode(&dn, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);
    for (size_t k = 0; k < n; k++) {
        assert_true(dlms_data_notification_decode(in, k, &dn) < 0);
    }
    /* Without date-time: 00 in its place. */
    n = test_unhex("0F 00000002 00 " NOTIF_BODY, in, sizeof in);
    assert_int_equal(dlms_data_notification_decode(in, n, &dn), 0);
    assert_false(dn.has_date_time);
    assert_int_equal(dlms_data_notification_encode(&dn, out, sizeof out), (int)n);
    assert_memory_equal(out, in, n);
    /* A 5-byte date-time is refused. */
    n = test_unhex("0F 00000002 05 07E8010101 " NOTIF_BODY, in, sizeof in);
    assert_int_equal(dlms_data_notification_decode(in, n, &dn), DLMS_APDU_ERR_DATE_TIME);

    /* Header + body put through an encoder, as a push producer does. */
    axdr_enc_t e;
    axdr_enc_init(&e, out, sizeof out);
    assert_int_equal(dlms_data_notification_put_header(&e, 2, NULL), 0);
    axdr_put_structure(&e, 2);
    axdr_put_octet_string(&e, (const uint8_t[]){0, 0, 25, 9, 0, 255}, 6);
    assert_int_equal(axdr_put_uint32(&e, 12345), 0);
    n = test_unhex("0F 00000002 00 " NOTIF_BODY, in, sizeof in);
    assert_int_equal(e.len, n);
    assert_memory_equal(out, in, n);
}

/* The plain APDU is what general-glo-ciphering takes: protect with the
 * Green Book keys and get the same bytes back. */
static void test_data_notification_ciphered(void **state) {
    (void)state;
    static const uint8_t title[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E};
    dlms_sec_keys_t keys;
    memset(&keys, 0, sizeof keys);
    for (unsigned i = 0; i < 16; i++) {
        keys.guek[i] = (uint8_t)i;
        keys.ak[i] = (uint8_t)(0xD0 + i);
    }
    uint8_t plain[64], wire[128], back[128];
    size_t n = test_unhex(NOTIF_HEX, plain, sizeof plain);
    dlms_sec_tx_t tx = {&keys, title, 0x30, 0x01234567u, false};
    int clen = dlms_sec_protect(&tx, DLMS_SEC_FORM_GENERAL, plain, n, wire, sizeof wire);
    assert_true(clen > (int)n);
    assert_int_equal(wire[0], 0xDB); /* general-glo-ciphering */
    dlms_sec_rx_t rx;
    memset(&rx, 0, sizeof rx);
    rx.keys = &keys;
    rx.peer_title = title;
    rx.sc_required = DLMS_SEC_SC_AUTH | DLMS_SEC_SC_ENC;
    dlms_sec_info_t info;
    int plen = dlms_sec_unprotect(&rx, wire, (size_t)clen, back, sizeof back, &info);
    assert_int_equal(plen, (int)n);
    dlms_data_notification_t dn;
    assert_int_equal(dlms_data_notification_decode(back, (size_t)plen, &dn), 0);
    assert_true(slice_is(dn.body, NOTIF_BODY));
}

/* ---- names and strings ------------------------------------------------------------- */

static void test_result_names(void **state) {
    (void)state;
    static const struct {
        uint8_t code;
        const char *name;
    } dars[] = {{0, "success"},
                {1, "hardware-fault"},
                {2, "temporary-failure"},
                {3, "read-write-denied"},
                {4, "object-undefined"},
                {9, "object-class-inconsistent"},
                {11, "object-unavailable"},
                {12, "type-unmatched"},
                {13, "scope-of-access-violated"},
                {14, "data-block-unavailable"},
                {15, "long-get-aborted"},
                {16, "no-long-get-in-progress"},
                {17, "long-set-aborted"},
                {18, "no-long-set-in-progress"},
                {19, "data-block-number-invalid"},
                {250, "other-reason"}};
    for (size_t i = 0; i < sizeof dars / sizeof dars[0]; i++) {
        assert_string_equal(dlms_data_access_result_name(dars[i].code), dars[i].name);
    }
    assert_string_equal(dlms_data_access_result_name(5), "unknown");
    assert_string_equal(dlms_action_result_name(15), "long-action-aborted");
    assert_string_equal(dlms_action_result_name(16), "no-long-action-in-progress");
    assert_string_equal(dlms_action_result_name(17), "unknown");
    assert_string_equal(dlms_action_result_name(3), "read-write-denied");
    assert_string_equal(dlms_action_result_name(250), "other-reason");

    for (int err = -0x0501; err >= -0x0514; err--) {
        assert_string_not_equal(dlms_apdu_strerror(err), "APDU: unknown error");
    }
    assert_string_equal(dlms_apdu_strerror(-0x0515), "APDU: unknown error");
    assert_string_equal(dlms_apdu_strerror(0), "success");
    assert_string_equal(dlms_apdu_strerror(-0x0582), dlms_xdlms_strerror(-0x0582));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_request_normal_clock_vector),
        cmocka_unit_test(test_get_request_next),
        cmocka_unit_test(test_get_request_with_list),
        cmocka_unit_test(test_with_list_limits),
        cmocka_unit_test(test_selective_access_range),
        cmocka_unit_test(test_selective_access_entry),
        cmocka_unit_test(test_get_response_all_types),
        cmocka_unit_test(test_set_request_all_types),
        cmocka_unit_test(test_set_response_all_types),
        cmocka_unit_test(test_action_hls_pass3_vector),
        cmocka_unit_test(test_action_request_all_types),
        cmocka_unit_test(test_action_response_all_types),
        cmocka_unit_test(test_unknown_tags_and_types),
        cmocka_unit_test(test_truncated_in_fixed_fields),
        cmocka_unit_test(test_invoke_id),
        cmocka_unit_test(test_exception_response),
        cmocka_unit_test(test_data_notification),
        cmocka_unit_test(test_data_notification_ciphered),
        cmocka_unit_test(test_result_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
