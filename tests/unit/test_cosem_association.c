/*
 * test_cosem_association.c - Association LN (class 15): the object_list of
 * two associations (exact bytes for the public one), its streaming through
 * a window encoder at every block size from 16 to 512 bytes and through the
 * server's block stream, and the other attributes and methods.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cosem_test_table.h"
#include "dlms/apdu.h"

#define LN(...)    ((const uint8_t[6]){__VA_ARGS__})
#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static const uint8_t *LN_CUR = LN(0, 0, 40, 0, 0, 255);
static const uint8_t *LN_A_PUB = LN(0, 0, 40, 0, 1, 255);
static const uint8_t *LN_A_MGMT = LN(0, 0, 40, 0, 2, 255);

static int setup(void **state) {
    static cosem_test_t t;
    assert_int_equal(cosem_test_setup(&t), 0);
    *state = &t;
    return 0;
}

static void check_get(cosem_test_t *t, int which, const uint8_t *ln, int8_t attr,
                      const uint8_t *exp, size_t n) {
    dlms_assoc_view_t v = cosem_test_view(which);
    uint8_t out[64];
    size_t len = 0;
    assert_int_equal(cosem_test_get(t, &v, 15, ln, attr, out, sizeof(out), &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(out, exp, n);
}

/* ---- an independent object_list element writer ------------------------------------- */

typedef struct buf {
    uint8_t b[4096];
    size_t n;
} buf_t;

static void put(buf_t *b, const uint8_t *p, size_t n) {
    assert_true(b->n + n <= sizeof(b->b));
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void put1(buf_t *b, uint8_t x) {
    put(b, &x, 1);
}

static void element(buf_t *b, uint16_t cls, uint8_t ver, const uint8_t ln[6], const uint8_t *amodes,
                    unsigned na, const uint8_t *mmodes, unsigned nm) {
    put(b, BYTES(0x02, 0x04, 0x12, (uint8_t)(cls >> 8), (uint8_t)cls, 0x11, ver, 0x09, 0x06));
    put(b, ln, 6);
    put(b, BYTES(0x02, 0x02, 0x01, (uint8_t)na));
    for (unsigned i = 0; i < na; i++) {
        put(b, BYTES(0x02, 0x03, 0x0F, (uint8_t)(i + 1), 0x16, amodes[i], 0x00));
    }
    put1(b, 0x01);
    put1(b, (uint8_t)nm);
    for (unsigned i = 0; i < nm; i++) {
        put(b, BYTES(0x02, 0x02, 0x0F, (uint8_t)(i + 1), 0x16, mmodes[i]));
    }
}

static void get_all(cosem_test_t *t, int which, const uint8_t *ln, buf_t *out) {
    dlms_assoc_view_t v = cosem_test_view(which);
    assert_int_equal(cosem_test_get(t, &v, 15, ln, 2, out->b, sizeof(out->b), &out->n), 0);
}

/* ---- object_list -------------------------------------------------------------------- */

static void test_object_list_public(void **state) {
    cosem_test_t *t = *state;
    buf_t got = {0}, exp = {0};
    get_all(t, CT_PUB, LN_CUR, &got);

    /* The clock element spelled out once, byte by byte. */
    /* clang-format off */
    static const uint8_t clock_element[] = {
        0x02, 0x04,                                     /* structure of 4 */
        0x12, 0x00, 0x08,                               /* class_id 8 */
        0x11, 0x00,                                     /* version 0 */
        0x09, 0x06, 0x00, 0x00, 0x01, 0x00, 0x00, 0xFF, /* logical_name */
        0x02, 0x02,                                     /* access_rights */
        0x01, 0x09,                                     /* attribute_access: 9 */
        0x02, 0x03, 0x0F, 0x01, 0x16, 0x01, 0x00,       /* 1 read-only, no selectors */
        0x02, 0x03, 0x0F, 0x02, 0x16, 0x01, 0x00,       /* 2 read-only */
        0x02, 0x03, 0x0F, 0x03, 0x16, 0x00, 0x00,       /* 3..9 no access */
        0x02, 0x03, 0x0F, 0x04, 0x16, 0x00, 0x00,
        0x02, 0x03, 0x0F, 0x05, 0x16, 0x00, 0x00,
        0x02, 0x03, 0x0F, 0x06, 0x16, 0x00, 0x00,
        0x02, 0x03, 0x0F, 0x07, 0x16, 0x00, 0x00,
        0x02, 0x03, 0x0F, 0x08, 0x16, 0x00, 0x00,
        0x02, 0x03, 0x0F, 0x09, 0x16, 0x00, 0x00,
        0x01, 0x06,                                     /* method_access: 6 */
        0x02, 0x02, 0x0F, 0x01, 0x16, 0x00,             /* 1..6 no access */
        0x02, 0x02, 0x0F, 0x02, 0x16, 0x00,
        0x02, 0x02, 0x0F, 0x03, 0x16, 0x00,
        0x02, 0x02, 0x0F, 0x04, 0x16, 0x00,
        0x02, 0x02, 0x0F, 0x05, 0x16, 0x00,
        0x02, 0x02, 0x0F, 0x06, 0x16, 0x00};
    /* clang-format on */
    put(&exp, BYTES(0x01, 0x06));
    put(&exp, clock_element, sizeof(clock_element));
    static const uint8_t assoc_modes[9] = {1, 1, 1, 1, 1, 1, 0, 1, 1};
    static const uint8_t none[6] = {0};
    static const uint8_t ro2[2] = {1, 1};
    element(&exp, 15, 1, LN_CUR, assoc_modes, 9, none, 4);
    element(&exp, 1, 0, LN(0, 0, 42, 0, 0, 255), ro2, 2, none, 0);
    element(&exp, 1, 0, LN(0, 0, 43, 1, 0, 255), ro2, 2, none, 0);
    element(&exp, 1, 0, LN(0, 0, 96, 7, 20, 255), ro2, 2, none, 0);
    element(&exp, 1, 0, LN(0, 0, 96, 1, 0, 255), ro2, 2, none, 0);
    assert_int_equal(got.n, exp.n);
    assert_memory_equal(got.b, exp.b, exp.n);
}

/* Decoded view of one element. */
typedef struct elem {
    uint16_t cls;
    uint8_t ver;
    uint8_t ln[6];
    uint8_t amode[32];
    uint32_t na;
    uint8_t mmode[16];
    uint32_t nm;
} elem_t;

static void decode_element(axdr_dec_t *d, elem_t *e) {
    uint32_t n;
    const uint8_t *p;
    size_t len;
    memset(e, 0, sizeof(*e));
    assert_int_equal(axdr_get_structure(d, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(axdr_get_uint16(d, &e->cls), 0);
    assert_int_equal(axdr_get_uint8(d, &e->ver), 0);
    assert_int_equal(axdr_get_octet_string(d, &p, &len), 0);
    assert_int_equal(len, 6);
    memcpy(e->ln, p, 6);
    assert_int_equal(axdr_get_structure(d, &n), 0);
    assert_int_equal(axdr_get_array(d, &e->na), 0);
    for (uint32_t i = 0; i < e->na; i++) {
        int8_t id;
        assert_int_equal(axdr_get_structure(d, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(axdr_get_int8(d, &id), 0);
        assert_int_equal(id, (int8_t)(i + 1));
        assert_int_equal(axdr_get_enum(d, &e->amode[i]), 0);
        assert_int_equal(axdr_skip(d), 0);
    }
    assert_int_equal(axdr_get_array(d, &e->nm), 0);
    for (uint32_t i = 0; i < e->nm; i++) {
        int8_t id;
        assert_int_equal(axdr_get_structure(d, &n), 0);
        assert_int_equal(axdr_get_int8(d, &id), 0);
        assert_int_equal(id, (int8_t)(i + 1));
        assert_int_equal(axdr_get_enum(d, &e->mmode[i]), 0);
    }
}

static void test_object_list_management(void **state) {
    cosem_test_t *t = *state;
    buf_t got = {0};
    get_all(t, CT_MGMT, LN_CUR, &got);
    axdr_dec_t d;
    axdr_dec_init(&d, got.b, got.n);
    uint32_t count;
    assert_int_equal(axdr_get_array(&d, &count), 0);
    /* management sees everything but the last entry, the Association LN of
     * an association the test server does not offer */
    assert_int_equal(count, cosem_test_object_count - 1);
    for (uint32_t i = 0; i < count; i++) {
        const cosem_object_t *o = &cosem_test_objects[i];
        elem_t e;
        decode_element(&d, &e);
        assert_int_equal(e.cls, o->cls->class_id);
        assert_int_equal(e.ver, o->cls->version);
        assert_memory_equal(e.ln, o->ln, 6);
        assert_int_equal(e.na, o->cls->attr_count);
        assert_int_equal(e.nm, o->cls->method_count);
        for (uint32_t a = 0; a < e.na; a++) {
            assert_int_equal(e.amode[a], cosem_attr_access(o, CT_MGMT, (int8_t)(a + 1)));
        }
        for (uint32_t m = 0; m < e.nm; m++) {
            assert_int_equal(e.mmode[m], cosem_method_access(o, CT_MGMT, (int8_t)(m + 1)));
        }
        if (i == 0) { /* clock: authenticated read/write time, methods authenticated */
            assert_int_equal(e.amode[1], COSEM_ACCESS_AUTH_READ_WRITE);
            assert_int_equal(e.amode[3], COSEM_ACCESS_AUTH_READ);
            assert_int_equal(e.mmode[5], COSEM_METHOD_AUTH_ACCESS);
        }
        if (i == 1) { /* current association: write-only secret, HLS reply */
            assert_int_equal(e.amode[6], COSEM_ACCESS_WRITE);
            assert_int_equal(e.mmode[0], COSEM_METHOD_ACCESS);
            assert_int_equal(e.mmode[1], COSEM_METHOD_NONE);
        }
    }
    assert_int_equal(axdr_dec_remaining(&d), 0);
    /* the same list through the instance of the management association */
    buf_t again = {0};
    get_all(t, CT_MGMT, LN_A_MGMT, &again);
    assert_int_equal(again.n, got.n);
    assert_memory_equal(again.b, got.b, got.n);
    /* and the public association's list read by management */
    buf_t pub = {0}, pub2 = {0};
    get_all(t, CT_MGMT, LN_A_PUB, &pub);
    get_all(t, CT_PUB, LN_CUR, &pub2);
    assert_int_equal(pub.n, pub2.n);
    assert_memory_equal(pub.b, pub2.b, pub.n);
}

/* The computed element sizes (used to skip elements before a window)
 * match the encoded elements. */
static void test_element_size(void **state) {
    cosem_test_t *t = *state;
    buf_t got = {0};
    get_all(t, CT_MGMT, LN_CUR, &got);
    axdr_dec_t d;
    axdr_dec_init(&d, got.b, got.n);
    uint32_t count;
    assert_int_equal(axdr_get_array(&d, &count), 0);
    for (uint32_t i = 0; i < count; i++) {
        size_t before = d.pos;
        assert_int_equal(axdr_skip(&d), 0);
        assert_int_equal(d.pos - before,
                         cosem_object_list_element_size(&cosem_test_objects[i], CT_MGMT));
    }
}

/* ---- streaming ------------------------------------------------------------------------- */

/* Reads the object_list block after block through a window encoder, as a
 * server cutting a long reply does, and compares it with the whole. */
static void stream_and_compare(cosem_test_t *t, int which, const buf_t *whole) {
    dlms_assoc_view_t v = cosem_test_view(which);
    dlms_cosem_descriptor_t d = {.class_id = 15, .instance_id = {0, 0, 40, 0, 0, 255}, .id = 2};
    dlms_access_selection_t none = {0};
    for (size_t bs = 16; bs <= 512; bs++) {
        dlms_get_call_t call = {.assoc = &v, .attr = &d, .selection = &none, .first_call = true};
        uint8_t got[4096];
        size_t off = 0;
        for (;;) {
            axdr_enc_t e;
            axdr_enc_init_window(&e, got + off, bs, off);
            int rc = cosem_get(&t->srv, &call, &e);
            call.first_call = false;
            assert_true(rc == 0 || rc == AXDR_ERR_OVERFLOW);
            off += e.len;
            if (rc == 0) {
                break;
            }
            assert_int_equal(e.len, bs);
            assert_true(off < whole->n);
        }
        assert_int_equal(off, whole->n);
        assert_memory_equal(got, whole->b, whole->n);
    }
}

/* A class with selective access (as Profile generic will have): the
 * object_list shows its selectors, the dispatcher accepts exactly those. */
static cosem_class_t selective_data;
static const cosem_data_def_t sel_def = {COSEM_CONST(AXDR_UNSIGNED, 7)};
static const cosem_assoc_ln_def_t sel_cur = {.assoc_index = -1};
static const cosem_access_t sel_ro = COSEM_ACCESS_RO;

static void test_selectors(void **state) {
    cosem_test_t *t = *state;
    selective_data = cosem_class_data;
    selective_data.selective_mask = COSEM_BIT(2);
    selective_data.selectors = COSEM_BIT(1) | COSEM_BIT(2);
    const cosem_object_t objs[] = {
        {&cosem_class_association_ln, COSEM_OBIS(0, 0, 40, 0, 0, 255), &sel_cur, {&sel_ro}},
        {&selective_data, COSEM_OBIS(0, 0, 99, 1, 0, 255), &sel_def, {&sel_ro}},
    };
    cosem_test_t local = *t;
    assert_int_equal(
        cosem_server_init(&local.srv, objs, 2, &local.app, sizeof(local.app), &local.port), 0);
    dlms_assoc_view_t v = cosem_test_view(CT_PUB);
    buf_t got = {0};
    assert_int_equal(cosem_test_get(&local, &v, 15, LN_CUR, 2, got.b, sizeof(got.b), &got.n), 0);
    /* clang-format off */
    static const uint8_t data_element[] = {
        0x02, 0x04, 0x12, 0x00, 0x01, 0x11, 0x00,
        0x09, 0x06, 0x00, 0x00, 0x63, 0x01, 0x00, 0xFF,
        0x02, 0x02, 0x01, 0x02,
        0x02, 0x03, 0x0F, 0x01, 0x16, 0x01, 0x00,                         /* 1: null */
        0x02, 0x03, 0x0F, 0x02, 0x16, 0x01, 0x01, 0x02, 0x0F, 0x01, 0x0F, 0x02, /* 2: {1, 2} */
        0x01, 0x00};
    /* clang-format on */
    assert_true(got.n > sizeof(data_element));
    assert_memory_equal(got.b + got.n - sizeof(data_element), data_element, sizeof(data_element));
    assert_int_equal(cosem_object_list_element_size(&objs[1], CT_PUB), sizeof(data_element));
    stream_and_compare(&local, CT_PUB, &got);

    uint8_t out[8];
    size_t len;
    dlms_access_selection_t sel = {.present = true, .selector = 2};
    assert_int_equal(
        cosem_test_get_sel(&local, &v, 1, LN(0, 0, 99, 1, 0, 255), 2, &sel, out, sizeof(out), &len),
        0);
    sel.selector = 3;
    assert_int_equal(
        cosem_test_get_sel(&local, &v, 1, LN(0, 0, 99, 1, 0, 255), 2, &sel, out, sizeof(out), &len),
        DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
    sel.selector = 1;
    assert_int_equal(
        cosem_test_get_sel(&local, &v, 1, LN(0, 0, 99, 1, 0, 255), 1, &sel, out, sizeof(out), &len),
        DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED);
}

static void test_object_list_streaming(void **state) {
    cosem_test_t *t = *state;
    buf_t pub = {0}, mgmt = {0};
    get_all(t, CT_PUB, LN_CUR, &pub);
    get_all(t, CT_MGMT, LN_CUR, &mgmt);
    assert_true(mgmt.n > 1000); /* several blocks even at 512 */
    stream_and_compare(t, CT_PUB, &pub);
    stream_and_compare(t, CT_MGMT, &mgmt);
    /* measure mode agrees with the written length */
    dlms_assoc_view_t v = cosem_test_view(CT_MGMT);
    dlms_cosem_descriptor_t d = {.class_id = 15, .instance_id = {0, 0, 40, 0, 0, 255}, .id = 2};
    dlms_access_selection_t none = {0};
    dlms_get_call_t call = {.assoc = &v, .attr = &d, .selection = &none, .first_call = true};
    axdr_enc_t e;
    axdr_enc_init_measure(&e);
    assert_int_equal(cosem_get(&t->srv, &call, &e), 0);
    assert_int_equal(e.len, mgmt.n);
}

/* The same list through the APDU layer's block stream (get-response-with-
 * datablock), reassembled on the client side. */
typedef struct producer_ctx {
    cosem_test_t *t;
    dlms_get_call_t call;
} producer_ctx_t;

static int produce(void *user, axdr_enc_t *e) {
    producer_ctx_t *p = user;
    int rc = cosem_get(&p->t->srv, &p->call, e);
    p->call.first_call = false;
    return rc;
}

static void test_object_list_block_stream(void **state) {
    cosem_test_t *t = *state;
    buf_t whole = {0};
    get_all(t, CT_MGMT, LN_CUR, &whole);
    dlms_assoc_view_t v = cosem_test_view(CT_MGMT);
    dlms_cosem_descriptor_t d = {.class_id = 15, .instance_id = {0, 0, 40, 0, 0, 255}, .id = 2};
    dlms_access_selection_t none = {0};
    static const size_t pdus[] = {64, 128, 256, 1024};
    for (size_t k = 0; k < sizeof(pdus) / sizeof(pdus[0]); k++) {
        producer_ctx_t ctx = {t, {.assoc = &v, .attr = &d, .selection = &none, .first_call = true}};
        dlms_block_stream_t s;
        uint8_t apdu[1100], rxbuf[4096];
        dlms_block_rx_t rx;
        dlms_block_rx_init(&rx, rxbuf, sizeof(rxbuf));
        int n = dlms_get_response_stream_start(&s, 0xC1, false, produce, &ctx, pdus[k], apdu,
                                               sizeof(apdu));
        assert_true(n > 0 && (size_t)n <= pdus[k]);
        for (int guard = 0; guard < 1000; guard++) {
            dlms_get_response_t r;
            assert_int_equal(dlms_get_response_decode(apdu, (size_t)n, &r), 0);
            assert_int_equal(r.type, DLMS_GET_RESPONSE_WITH_DATABLOCK);
            int rc = dlms_block_rx_push(&rx, &r.block);
            assert_true(rc >= 0);
            if (rc == 1) {
                break;
            }
            n = dlms_get_response_stream_next(&s, 0xC1, r.block.block_number, pdus[k], apdu,
                                              sizeof(apdu));
            assert_true(n > 0 && (size_t)n <= pdus[k]);
        }
        assert_true(rx.complete);
        assert_int_equal(rx.len, whole.n);
        assert_memory_equal(rxbuf, whole.b, whole.n);
    }
}

/* ---- other attributes ---------------------------------------------------------------------- */

static void test_attributes(void **state) {
    cosem_test_t *t = *state;
    check_get(t, CT_PUB, LN_CUR, 1, BYTES(0x09, 0x06, 0, 0, 40, 0, 0, 0xFF));
    check_get(t, CT_PUB, LN_CUR, 3, BYTES(0x02, 0x02, 0x0F, 0x10, 0x12, 0x00, 0x01));
    check_get(t, CT_MGMT, LN_CUR, 3, BYTES(0x02, 0x02, 0x0F, 0x01, 0x12, 0x00, 0x01));
    check_get(t, CT_PUB, LN_CUR, 4, BYTES(0x09, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01));
    check_get(t, CT_MGMT, LN_CUR, 4, BYTES(0x09, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x03));
    check_get(t, CT_PUB, LN_CUR, 5,
              BYTES(0x02, 0x06, 0x04, 0x18, 0x00, 0x10, 0x18, 0x12, 0x04, 0x00, 0x12, 0x04, 0xB0,
                    0x11, 0x06, 0x0F, 0x00, 0x09, 0x00));
    check_get(t, CT_PUB, LN_CUR, 6, BYTES(0x09, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x02, 0x00));
    check_get(t, CT_MGMT, LN_CUR, 6, BYTES(0x09, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x02, 0x05));
    check_get(t, CT_PUB, LN_CUR, 8, BYTES(0x16, 0x02));
    check_get(t, CT_MGMT, LN_CUR, 9, BYTES(0x09, 0x06, 0x00, 0x00, 0x2B, 0x00, 0x00, 0xFF));
    check_get(t, CT_PUB, LN_CUR, 9, BYTES(0x09, 0x06, 0, 0, 0, 0, 0, 0));
    /* the public association's own object, read by management */
    check_get(t, CT_MGMT, LN_A_PUB, 3, BYTES(0x02, 0x02, 0x0F, 0x10, 0x12, 0x00, 0x01));
    check_get(t, CT_MGMT, LN_A_PUB, 4, BYTES(0x09, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01));
    check_get(t, CT_MGMT, LN_A_PUB, 5,
              BYTES(0x02, 0x06, 0x04, 0x18, 0x00, 0x10, 0x18, 0x12, 0x02, 0x00, 0x12, 0x00, 0x00,
                    0x11, 0x06, 0x0F, 0x00, 0x09, 0x00));
    check_get(t, CT_MGMT, LN_A_PUB, 8, BYTES(0x16, 0x00));
    /* the management association's object: OIDs in the structure form */
    check_get(t, CT_MGMT, LN_A_MGMT, 4,
              BYTES(0x02, 0x07, 0x11, 0x02, 0x11, 0x10, 0x12, 0x02, 0xF4, 0x11, 0x05, 0x11, 0x08,
                    0x11, 0x01, 0x11, 0x03));
    check_get(t, CT_MGMT, LN_A_MGMT, 6,
              BYTES(0x02, 0x07, 0x11, 0x02, 0x11, 0x10, 0x12, 0x02, 0xF4, 0x11, 0x05, 0x11, 0x08,
                    0x11, 0x02, 0x11, 0x05));
    check_get(t, CT_MGMT, LN_A_MGMT, 8, BYTES(0x16, 0x02));
    check_get(t, CT_MGMT, LN_A_MGMT, 9, BYTES(0x09, 0x06, 0x00, 0x00, 0x2B, 0x00, 0x00, 0xFF));
    /* while HLS is pending nothing reaches the objects */
    dlms_assoc_view_t v = cosem_test_view(CT_MGMT);
    v.status = DLMS_ASSOC_PENDING;
    uint8_t out[8];
    size_t len;
    bool has;
    assert_int_equal(cosem_test_get(t, &v, 15, LN_CUR, 8, out, sizeof(out), &len),
                     DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(cosem_test_set(t, &v, 1, LN(0, 0, 96, 7, 20, 255), 2, BYTES(0x06, 0, 0, 0, 1)),
                     DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(cosem_test_action(t, &v, 15, LN_CUR, 1, BYTES(0x09, 0x01, 0x00), out,
                                       sizeof(out), &len, &has),
                     DLMS_ACTION_READ_WRITE_DENIED);
    v.status = DLMS_ASSOC_NON_ASSOCIATED;
    assert_int_equal(cosem_test_get(t, &v, 8, LN(0, 0, 1, 0, 0, 255), 2, out, sizeof(out), &len),
                     DLMS_DAR_READ_WRITE_DENIED);
}

static void test_secret(void **state) {
    cosem_test_t *t = *state;
    dlms_assoc_view_t lls = cosem_test_view(CT_LLS);
    dlms_assoc_view_t mgmt = cosem_test_view(CT_MGMT);
    uint8_t out[64];
    size_t len;
    /* never readable, even where the rights say read */
    assert_int_equal(cosem_test_get(t, &lls, 15, LN_CUR, 7, out, sizeof(out), &len),
                     DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(cosem_test_get(t, &mgmt, 15, LN_A_PUB, 7, out, sizeof(out), &len),
                     DLMS_DAR_READ_WRITE_DENIED);
    /* an LLS association changes its password */
    assert_int_equal(cosem_test_set(t, &lls, 15, LN_CUR, 7, BYTES(0x09, 0x04, 'a', 'b', 'c', 'd')),
                     0);
    assert_int_equal(t->app.assoc[CT_LLS].lls_secret_len, 4);
    assert_memory_equal(t->app.assoc[CT_LLS].lls_secret, "abcd\0\0\0\0", 8);
    assert_int_equal(t->app.notify_id, 7);
    assert_int_equal(cosem_test_set(t, &lls, 15, LN_CUR, 7, BYTES(0x0A, 0x02, 'x', 'y')),
                     DLMS_DAR_TYPE_UNMATCHED);
    uint8_t longpw[2 + 33] = {0x09, 33};
    memset(longpw + 2, 'z', 33);
    assert_int_equal(cosem_test_set(t, &lls, 15, LN_CUR, 7, longpw, sizeof(longpw)),
                     DLMS_DAR_OTHER_REASON);
    assert_int_equal(cosem_test_set(t, &lls, 15, LN_CUR, 7, BYTES(0x09, 0x00)),
                     DLMS_DAR_OTHER_REASON);
    assert_int_equal(t->app.assoc[CT_LLS].lls_secret_len, 4);
    /* HLS-5 has no secret to write */
    assert_int_equal(cosem_test_set(t, &mgmt, 15, LN_CUR, 7, BYTES(0x09, 0x02, 'x', 'y')),
                     DLMS_DAR_READ_WRITE_DENIED);
    /* the public client may not write at all */
    dlms_assoc_view_t pub = cosem_test_view(CT_PUB);
    assert_int_equal(cosem_test_set(t, &pub, 15, LN_CUR, 7, BYTES(0x09, 0x02, 'x', 'y')),
                     DLMS_DAR_READ_WRITE_DENIED);
}

static void test_methods(void **state) {
    cosem_test_t *t = *state;
    dlms_assoc_view_t mgmt = cosem_test_view(CT_MGMT);
    uint8_t ret[32];
    size_t len;
    bool has = true;
    /* reply_to_HLS_authentication belongs to the server */
    assert_int_equal(cosem_test_action(t, &mgmt, 15, LN_CUR, 1, BYTES(0x09, 0x02, 1, 2), ret,
                                       sizeof(ret), &len, &has),
                     DLMS_ACTION_OTHER_REASON);
    assert_false(has);
    assert_int_equal(t->app.notify_count, 0);
    /* change_HLS_secret, add/remove_object: not granted, not implemented */
    for (int8_t m = 2; m <= 4; m++) {
        assert_int_equal(cosem_test_action(t, &mgmt, 15, LN_CUR, m, BYTES(0x09, 0x00), ret,
                                           sizeof(ret), &len, &has),
                         DLMS_ACTION_READ_WRITE_DENIED);
    }
    assert_int_equal(
        cosem_test_action(t, &mgmt, 15, LN_CUR, 5, NULL, 0, ret, sizeof(ret), &len, &has),
        DLMS_ACTION_OBJECT_UNDEFINED);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_object_list_public, setup),
        cmocka_unit_test_setup(test_object_list_management, setup),
        cmocka_unit_test_setup(test_element_size, setup),
        cmocka_unit_test_setup(test_object_list_streaming, setup),
        cmocka_unit_test_setup(test_object_list_block_stream, setup),
        cmocka_unit_test_setup(test_selectors, setup),
        cmocka_unit_test_setup(test_attributes, setup),
        cmocka_unit_test_setup(test_secret, setup),
        cmocka_unit_test_setup(test_methods, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
