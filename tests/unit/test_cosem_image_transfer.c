/*
 * test_cosem_image_transfer.c - Image transfer (class 18) over a RAM image
 * storage (test_cosem_image_table.h): the image format (build, check, every
 * kind of damage), the full flow initiate / blocks / verify / activate with
 * exact attribute bytes and events 17, 18, 20, resume after a restart from
 * the persisted state, blocks out of order, refused blocks and parameters,
 * a corrupted byte failing verification, activation before verification,
 * a disabled transfer, hook and storage failures, a restart during
 * verification, and definitions the server refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_cosem_image_table.h"

#define PAYLOAD_LEN 3000u
#define IMAGE_CAP   4096u

static it_t T;

typedef struct image {
    uint8_t bytes[IMAGE_CAP];
    uint32_t size;
} image_t;

static image_t IMG;

/* An image of payload_len pseudo-random bytes with firmware id and signature. */
static uint32_t build_image(image_t *img, uint32_t payload_len, const char *id, const char *sig) {
    uint32_t x = 0x12345678u;
    for (uint32_t i = 0; i < payload_len; i++) {
        x = x * 1103515245u + 12345u;
        img->bytes[i] = (uint8_t)(x >> 16);
    }
    em_sha256_ctx_t ctx;
    assert_int_equal(em_crypto_sha256_start(&ctx), 0);
    assert_int_equal(em_crypto_sha256_update(&ctx, img->bytes, payload_len), 0);
    int n = cosem_image_trailer_build(&ctx, payload_len, (const uint8_t *)id, strlen(id),
                                      (const uint8_t *)sig, strlen(sig), img->bytes + payload_len,
                                      IMAGE_CAP - payload_len);
    assert_true(n > 0);
    img->size = payload_len + (uint32_t)n;
    return img->size;
}

static int setup(void **state) {
    (void)state;
    assert_int_equal(it_setup(&T, true), 0);
    build_image(&IMG, PAYLOAD_LEN, "EM-2.0.0", "sig-2.0.0");
    return 0;
}

/* ---- request helpers ---------------------------------------------------------------------- */

static int initiate(const char *id, uint32_t size) {
    uint8_t p[64];
    size_t n = strlen(id);
    p[0] = 0x02;
    p[1] = 0x02;
    p[2] = 0x09;
    p[3] = (uint8_t)n;
    memcpy(p + 4, id, n);
    p[4 + n] = 0x06;
    p[5 + n] = (uint8_t)(size >> 24);
    p[6 + n] = (uint8_t)(size >> 16);
    p[7 + n] = (uint8_t)(size >> 8);
    p[8 + n] = (uint8_t)size;
    return it_action(&T, 1, p, 9 + n);
}

static int block(uint32_t number, const uint8_t *data, size_t len) {
    uint8_t p[16 + 256];
    assert_true(len <= 256);
    p[0] = 0x02;
    p[1] = 0x02;
    p[2] = 0x06;
    p[3] = (uint8_t)(number >> 24);
    p[4] = (uint8_t)(number >> 16);
    p[5] = (uint8_t)(number >> 8);
    p[6] = (uint8_t)number;
    p[7] = 0x09;
    size_t h = 8;
    if (len > 127) {
        p[h++] = 0x81;
    }
    p[h++] = (uint8_t)len;
    memcpy(p + h, data, len);
    return it_action(&T, 2, p, h + len);
}

static uint32_t blocks_of(uint32_t size) {
    return (size + IT_BLOCK - 1) / IT_BLOCK;
}

static int send_block(const image_t *img, uint32_t n) {
    uint32_t off = n * IT_BLOCK, len = img->size - off < IT_BLOCK ? img->size - off : IT_BLOCK;
    return block(n, img->bytes + off, len);
}

static const uint8_t ZERO[] = {0x0F, 0x00};

static int verify(void) {
    return it_action(&T, 3, ZERO, sizeof(ZERO));
}

static int activate(void) {
    return it_action(&T, 4, ZERO, sizeof(ZERO));
}

static void get(int8_t attr, uint8_t *out, size_t cap, size_t *len) {
    assert_int_equal(it_get(&T, COSEM_CLASS_IMAGE_TRANSFER, IT_LN, attr, out, cap, len), 0);
}

static uint32_t get_u32(int8_t attr) {
    uint8_t out[8];
    size_t n;
    get(attr, out, sizeof(out), &n);
    assert_int_equal(n, 5);
    assert_int_equal(out[0], 0x06);
    return (uint32_t)out[1] << 24 | (uint32_t)out[2] << 16 | (uint32_t)out[3] << 8 | out[4];
}

static uint8_t status(void) {
    uint8_t out[4];
    size_t n;
    get(6, out, sizeof(out), &n);
    assert_int_equal(n, 2);
    assert_int_equal(out[0], 0x16);
    return out[1];
}

static void expect_events(const uint16_t *codes, int n) {
    assert_int_equal(T.app.events, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(T.app.event_log[i], codes[i]);
    }
}

/* Runs the tick until the verification ends; returns the ticks it took. */
static int tick_until_done(void) {
    const cosem_object_t *obj = cosem_find(&T.srv, IT_LN);
    int ticks = 0;
    while (status() == COSEM_IMAGE_VERIFY_INITIATED) {
        assert_true(++ticks < 100);
        assert_true(cosem_image_transfer_tick(&T.srv, obj) >= 0);
    }
    return ticks;
}

/* ---- the image format ------------------------------------------------------------------------ */

static void test_image_format(void **state) {
    (void)state;
    cosem_image_info_t info;
    assert_int_equal(IMG.size, PAYLOAD_LEN + 2 + 8 + 9 + 48);
    assert_int_equal(cosem_image_check(IMG.bytes, IMG.size, &info), 0);
    assert_int_equal(info.payload_len, PAYLOAD_LEN);
    assert_int_equal(info.meta_len, 19);
    assert_int_equal(info.fw_id_len, 8);
    assert_memory_equal(info.fw_id, "EM-2.0.0", 8);
    assert_int_equal(info.fw_sig_len, 9);
    assert_memory_equal(info.fw_sig, "sig-2.0.0", 9);
    /* the digest is the SHA-256 of everything before it */
    uint8_t d[EM_SHA256_LEN];
    assert_int_equal(em_crypto_sha256(IMG.bytes, IMG.size - 32, d), 0);
    assert_memory_equal(d, IMG.bytes + IMG.size - 32, 32);
    assert_memory_equal(IMG.bytes + IMG.size - 48, "EMIMAGE1\x00\x00\x0B\xB8\x00\x13\x00\x00", 16);
    /* any changed byte is found: payload, meta, footer, digest */
    static const uint32_t at[] = {
        0, 1500, PAYLOAD_LEN - 1, PAYLOAD_LEN + 3, PAYLOAD_LEN + 20, PAYLOAD_LEN + 19 + 47};
    for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
        image_t bad = IMG;
        bad.bytes[at[i]] ^= 0x01;
        int rc = cosem_image_check(bad.bytes, bad.size, &info);
        assert_true(rc == COSEM_ERR_IMAGE_DIGEST || rc == COSEM_ERR_IMAGE_FORMAT);
    }
    /* structural damage is a format error, with info cleared */
    image_t bad = IMG;
    bad.bytes[IMG.size - 48] = 'X'; /* magic */
    assert_int_equal(cosem_image_check(bad.bytes, bad.size, &info), COSEM_ERR_IMAGE_FORMAT);
    assert_int_equal(info.fw_id_len, 0);
    bad = IMG;
    bad.bytes[IMG.size - 37] ^= 0x01; /* payload_len */
    assert_int_equal(cosem_image_check(bad.bytes, bad.size, &info), COSEM_ERR_IMAGE_FORMAT);
    bad = IMG;
    bad.bytes[IMG.size - 35] = 0x14; /* meta_len */
    assert_int_equal(cosem_image_check(bad.bytes, bad.size, &info), COSEM_ERR_IMAGE_FORMAT);
    bad = IMG;
    bad.bytes[PAYLOAD_LEN] = 0; /* empty id */
    assert_int_equal(cosem_image_check(bad.bytes, bad.size, &info), COSEM_ERR_IMAGE_FORMAT);
    bad = IMG;
    bad.bytes[PAYLOAD_LEN + 9] = 10; /* sig_len beyond meta */
    assert_int_equal(cosem_image_check(bad.bytes, bad.size, &info), COSEM_ERR_IMAGE_FORMAT);
    assert_int_equal(cosem_image_check(IMG.bytes, IMG.size - 1, &info), COSEM_ERR_IMAGE_FORMAT);
    assert_int_equal(cosem_image_check(IMG.bytes, 40, &info), COSEM_ERR_IMAGE_FORMAT);
    assert_int_equal(cosem_image_check(IMG.bytes, 0, &info), COSEM_ERR_IMAGE_FORMAT);
    /* the parser reads the tail only */
    assert_int_equal(cosem_image_trailer_parse(IMG.bytes + IMG.size - 67, 67, IMG.size, &info), 0);
    assert_int_equal(cosem_image_trailer_parse(IMG.bytes + IMG.size - 66, 66, IMG.size, &info),
                     COSEM_ERR_IMAGE_FORMAT);
    assert_int_equal(cosem_image_trailer_parse(IMG.bytes, IMG.size, IMG.size - 1, &info),
                     COSEM_ERR_IMAGE_FORMAT);
    /* the builder refuses what the parser would */
    em_sha256_ctx_t ctx;
    uint8_t out[256];
    char longid[EM_COSEM_IMAGE_FW_STR_MAX + 2];
    memset(longid, 'x', sizeof(longid));
    assert_int_equal(em_crypto_sha256_start(&ctx), 0);
    assert_int_equal(
        cosem_image_trailer_build(&ctx, 0, (const uint8_t *)"", 0, NULL, 0, out, sizeof(out)),
        COSEM_ERR_IMAGE_FORMAT);
    assert_int_equal(cosem_image_trailer_build(&ctx, 0, (const uint8_t *)longid, sizeof(longid),
                                               NULL, 0, out, sizeof(out)),
                     COSEM_ERR_IMAGE_FORMAT);
    assert_int_equal(cosem_image_trailer_build(&ctx, 0, (const uint8_t *)"a", 1, NULL, 0, out, 50),
                     COSEM_ERR_IMAGE_SIZE);
    /* an empty payload and signature are fine */
    assert_int_equal(
        cosem_image_trailer_build(&ctx, 0, (const uint8_t *)"a", 1, NULL, 0, out, sizeof(out)), 51);
    assert_int_equal(cosem_image_check(out, 51, &info), 0);
    assert_int_equal(info.fw_sig_len, 0);
    assert_string_equal(cosem_image_strerror(COSEM_ERR_IMAGE_DIGEST),
                        "image SHA-256 does not match its trailer");
}

/* ---- the flow -----------------------------------------------------------------------------------
 */

static void test_full_flow(void **state) {
    (void)state;
    uint8_t out[512];
    size_t n;
    /* factory: nothing initiated */
    assert_int_equal(get_u32(2), IT_BLOCK);
    assert_int_equal(status(), COSEM_IMAGE_NOT_INITIATED);
    get(3, out, sizeof(out), &n);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "\x04\x00", 2);
    get(7, out, sizeof(out), &n);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "\x01\x00", 2);
    get(5, out, sizeof(out), &n);
    assert_memory_equal(out, "\x03\x01", 2);

    assert_int_equal(initiate("EM-2.0.0", IMG.size), 0);
    assert_int_equal(status(), COSEM_IMAGE_INITIATED);
    assert_int_equal(T.app.prepare_calls, 1);
    uint32_t nb = blocks_of(IMG.size);
    assert_int_equal(nb, 48);
    get(3, out, sizeof(out), &n);
    assert_int_equal(n, 8); /* 04 30 + 6 bytes */
    assert_memory_equal(out, "\x04\x30\x00\x00\x00\x00\x00\x00", 8);
    assert_int_equal(get_u32(4), 0);
    for (uint32_t i = 0; i < nb; i++) {
        assert_int_equal(send_block(&IMG, i), 0);
        assert_int_equal(get_u32(4), i + 1);
    }
    get(3, out, sizeof(out), &n);
    assert_memory_equal(out, "\x04\x30\xFF\xFF\xFF\xFF\xFF\xFF", 8);
    assert_memory_equal(T.app.storage, IMG.bytes, IMG.size);
    assert_int_equal(T.app.events, 0);

    /* verification takes several steps of IT_STEP bytes */
    assert_int_equal(verify(), DLMS_ACTION_TEMPORARY_FAILURE);
    assert_int_equal(status(), COSEM_IMAGE_VERIFY_INITIATED);
    get(7, out, sizeof(out), &n);
    assert_memory_equal(out, "\x01\x00", 2);
    assert_int_equal(block(0, IMG.bytes, IT_BLOCK), DLMS_ACTION_TEMPORARY_FAILURE);
    assert_int_equal(initiate("EM-2.0.0", IMG.size), DLMS_ACTION_TEMPORARY_FAILURE);
    assert_int_equal(verify(), DLMS_ACTION_TEMPORARY_FAILURE); /* a call does a step too */
    assert_int_equal(tick_until_done(), 2);                    /* 3067 - 32 bytes: 4 steps */
    assert_int_equal(status(), COSEM_IMAGE_VERIFY_SUCCESSFUL);
    expect_events((const uint16_t[]){17}, 1);
    assert_int_equal(verify(), 0);
    get(7, out, sizeof(out), &n);
    static const uint8_t info[] = {0x01, 0x01, 0x02, 0x03, 0x06, 0x00, 0x00, 0x0B, 0xFB, 0x09,
                                   0x08, 'E',  'M',  '-',  '2',  '.',  '0',  '.',  '0',  0x09,
                                   0x09, 's',  'i',  'g',  '-',  '2',  '.',  '0',  '.',  '0'};
    assert_int_equal(n, sizeof(info));
    assert_memory_equal(out, info, sizeof(info));

    /* activation changes the active firmware identifier and signature */
    assert_int_equal(activate(), 0);
    assert_int_equal(status(), COSEM_IMAGE_ACTIVATE_SUCCESSFUL);
    assert_int_equal(T.app.activate_calls, 1);
    expect_events((const uint16_t[]){17, 18, 20}, 3);
    assert_int_equal(it_get(&T, 1, IT_FW_ID, 2, out, sizeof(out), &n), 0);
    assert_memory_equal(out,
                        "\x09\x08"
                        "EM-2.0.0",
                        10);
    assert_int_equal(it_get(&T, 1, IT_FW_SIG, 2, out, sizeof(out), &n), 0);
    assert_memory_equal(out, "\x09\x09sig-2.0.0", 11);
    /* activate again: success, no second activation; blocks refused now */
    assert_int_equal(activate(), 0);
    assert_int_equal(T.app.activate_calls, 1);
    assert_int_equal(send_block(&IMG, 0), DLMS_ACTION_OTHER_REASON);
    /* the same image initiated after activation starts afresh */
    assert_int_equal(initiate("EM-2.0.0", IMG.size), 0);
    assert_int_equal(T.app.prepare_calls, 2);
    assert_int_equal(get_u32(4), 0);
}

static void test_resume_after_restart(void **state) {
    (void)state;
    uint8_t out[64];
    size_t n;
    uint32_t nb = blocks_of(IMG.size);
    assert_int_equal(initiate("EM-2.0.0", IMG.size), 0);
    for (uint32_t i = 0; i < nb / 2; i++) {
        assert_int_equal(send_block(&IMG, i), 0);
    }
    /* power fails: the meter kept the state struct and the storage */
    assert_int_equal(it_restart(&T), 0);
    assert_int_equal(get_u32(4), nb / 2);
    assert_int_equal(status(), COSEM_IMAGE_INITIATED);
    /* the head-end initiates the same image again: a resume */
    assert_int_equal(initiate("EM-2.0.0", IMG.size), 0);
    assert_int_equal(T.app.prepare_calls, 1); /* storage not erased */
    assert_int_equal(get_u32(4), nb / 2);
    get(3, out, sizeof(out), &n);
    assert_memory_equal(out, "\x04\x30\xFF\xFF\xFF\x00\x00\x00", 8);
    for (uint32_t i = nb / 2; i < nb; i++) {
        assert_int_equal(send_block(&IMG, i), 0);
    }
    assert_int_equal(get_u32(4), nb);
    assert_int_equal(activate(), DLMS_ACTION_TEMPORARY_FAILURE);
    tick_until_done();
    assert_int_equal(status(), COSEM_IMAGE_ACTIVATE_SUCCESSFUL);
    assert_memory_equal(T.app.fw_id, "EM-2.0.0", 8);

    /* another identifier or size is a new transfer */
    assert_int_equal(it_setup(&T, true), 0);
    assert_int_equal(initiate("EM-2.0.0", IMG.size), 0);
    assert_int_equal(send_block(&IMG, 0), 0);
    assert_int_equal(initiate("EM-2.0.1", IMG.size), 0);
    assert_int_equal(get_u32(4), 0);
    assert_int_equal(T.app.prepare_calls, 2);
    assert_int_equal(send_block(&IMG, 0), 0);
    assert_int_equal(initiate("EM-2.0.1", IMG.size + 1), 0);
    assert_int_equal(get_u32(4), 0);
    assert_int_equal(T.app.prepare_calls, 3);
}

static void test_out_of_order(void **state) {
    (void)state;
    uint8_t out[64];
    size_t n;
    uint32_t nb = blocks_of(IMG.size);
    assert_int_equal(initiate("EM-2.0.0", IMG.size), 0);
    assert_int_equal(send_block(&IMG, nb - 1), 0); /* the short last block first */
    assert_int_equal(send_block(&IMG, 9), 0);
    assert_int_equal(send_block(&IMG, 1), 0);
    assert_int_equal(get_u32(4), 0);
    get(3, out, sizeof(out), &n);
    assert_memory_equal(out, "\x04\x30\x40\x40\x00\x00\x00\x01", 8);
    assert_int_equal(verify(), DLMS_ACTION_OTHER_REASON); /* blocks missing */
    assert_int_equal(activate(), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(status(), COSEM_IMAGE_INITIATED);
    assert_int_equal(send_block(&IMG, 0), 0);
    assert_int_equal(get_u32(4), 2);
    assert_int_equal(send_block(&IMG, 9), 0); /* again: written again */
    for (uint32_t i = nb - 1; i-- > 0;) {
        if (i != 0 && i != 1 && i != 9) {
            assert_int_equal(send_block(&IMG, i), 0);
        }
    }
    assert_int_equal(get_u32(4), nb);
    assert_int_equal(verify(), DLMS_ACTION_TEMPORARY_FAILURE);
    tick_until_done();
    assert_int_equal(status(), COSEM_IMAGE_VERIFY_SUCCESSFUL);
}

static void test_refusals(void **state) {
    (void)state;
    uint8_t big[IT_BLOCK + 1];
    memset(big, 0xAA, sizeof(big));
    /* before any initiate */
    assert_int_equal(block(0, big, IT_BLOCK), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(verify(), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(activate(), DLMS_ACTION_OTHER_REASON);
    /* bad initiate parameters */
    assert_int_equal(initiate("", 100), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(initiate("123456789012345678901234567890123", 100), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(initiate("x", 0), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(initiate("x", IT_MAX_SIZE + 1), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(it_action(&T, 1, NULL, 0), DLMS_ACTION_TYPE_UNMATCHED);
    static const uint8_t wrong[] = {0x02, 0x02, 0x0A, 0x01, 'x', 0x06, 0, 0, 1, 0};
    assert_int_equal(it_action(&T, 1, wrong, sizeof(wrong)), DLMS_ACTION_TYPE_UNMATCHED);
    static const uint8_t three[] = {0x02, 0x03, 0x09, 0x01, 'x', 0x06, 0, 0, 1, 0, 0x00};
    assert_int_equal(it_action(&T, 1, three, sizeof(three)), DLMS_ACTION_TYPE_UNMATCHED);
    static const uint8_t trailing[] = {0x02, 0x02, 0x09, 0x01, 'x', 0x06, 0, 0, 1, 0, 0x00};
    assert_int_equal(it_action(&T, 1, trailing, sizeof(trailing)), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(status(), COSEM_IMAGE_NOT_INITIATED);
    assert_int_equal(T.app.prepare_calls, 0);

    /* bad blocks: nothing changes */
    assert_int_equal(initiate("EM-2.0.0", IMG.size), 0);
    cosem_image_transfer_state_t before = T.app.image;
    uint32_t nb = blocks_of(IMG.size), last = IMG.size - (nb - 1) * IT_BLOCK;
    assert_int_equal(block(nb, big, last), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(block(0xFFFFFFFFu, big, IT_BLOCK), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(block(0, big, IT_BLOCK - 1), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(block(0, big, IT_BLOCK + 1), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(block(nb - 1, big, last + 1), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(block(nb - 1, big, IT_BLOCK), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(it_action(&T, 2, NULL, 0), DLMS_ACTION_TYPE_UNMATCHED);
    static const uint8_t as_u16[] = {0x02, 0x02, 0x12, 0x00, 0x00, 0x09, 0x01, 0xAA};
    assert_int_equal(it_action(&T, 2, as_u16, sizeof(as_u16)), DLMS_ACTION_TYPE_UNMATCHED);
    static const uint8_t as_vis[] = {0x02, 0x02, 0x06, 0, 0, 0, 0, 0x0A, 0x01, 0xAA};
    assert_int_equal(it_action(&T, 2, as_vis, sizeof(as_vis)), DLMS_ACTION_TYPE_UNMATCHED);
    static const uint8_t one[] = {0x11, 0x01};
    assert_int_equal(it_action(&T, 3, one, sizeof(one)), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(it_action(&T, 4, one, sizeof(one)), DLMS_ACTION_TYPE_UNMATCHED);
    assert_memory_equal(&before, &T.app.image, sizeof(before));
    assert_int_equal(T.app.write_calls, 0);
    /* read-only attributes, writable one with a wrong type */
    static const uint8_t u32[] = {0x06, 0, 0, 0, 1}, tru[] = {0x03, 0x01}, u8[] = {0x11, 0x01};
    assert_int_equal(it_set(&T, 2, u32, sizeof(u32)), DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(it_set(&T, 4, u32, sizeof(u32)), DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(it_set(&T, 6, u8, sizeof(u8)), DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(it_set(&T, 5, u8, sizeof(u8)), DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(it_set(&T, 5, tru, sizeof(tru)), 0);
    assert_memory_equal(&before, &T.app.image, sizeof(before));
}

static void test_verify_failure(void **state) {
    (void)state;
    uint8_t out[16];
    size_t n;
    uint32_t nb = blocks_of(IMG.size);
    image_t bad = IMG;
    bad.bytes[1234] ^= 0x20; /* one byte corrupted on the way */
    assert_int_equal(initiate("EM-2.0.0", IMG.size), 0);
    for (uint32_t i = 0; i < nb; i++) {
        assert_int_equal(send_block(&bad, i), 0);
    }
    assert_int_equal(verify(), DLMS_ACTION_TEMPORARY_FAILURE);
    tick_until_done();
    assert_int_equal(status(), COSEM_IMAGE_VERIFY_FAILED);
    expect_events((const uint16_t[]){COSEM_IMAGE_EVENT_VERIFY_FAILED}, 1);
    get(7, out, sizeof(out), &n);
    assert_memory_equal(out, "\x01\x00", 2);
    assert_int_equal(activate(), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(T.app.activate_calls, 0);
    assert_memory_equal(T.app.fw_id, "EM-1.0.0", 8);
    /* the same again: fails again, synchronously through verify calls */
    assert_int_equal(verify(), DLMS_ACTION_TEMPORARY_FAILURE);
    int rc;
    while ((rc = verify()) == DLMS_ACTION_TEMPORARY_FAILURE) {
    }
    assert_int_equal(rc, DLMS_ACTION_OTHER_REASON);
    assert_int_equal(T.app.events, 2);
    /* the same initiate after a failed verification starts afresh */
    static it_app_t failed;
    failed = T.app;
    assert_int_equal(initiate("EM-2.0.0", IMG.size), 0);
    assert_int_equal(T.app.prepare_calls, 2);
    assert_int_equal(get_u32(4), 0);
    T.app = failed; /* back to the failed transfer (state and storage) */
    /* the damaged block sent again: status 1, then the image verifies */
    assert_int_equal(send_block(&IMG, 1234 / IT_BLOCK), 0);
    assert_int_equal(status(), COSEM_IMAGE_INITIATED);
    assert_int_equal(verify(), DLMS_ACTION_TEMPORARY_FAILURE);
    tick_until_done();
    assert_int_equal(status(), COSEM_IMAGE_VERIFY_SUCCESSFUL);
    /* a block sent after verification needs a new verification */
    assert_int_equal(send_block(&IMG, 3), 0);
    assert_int_equal(status(), COSEM_IMAGE_INITIATED);
    get(7, out, sizeof(out), &n);
    assert_memory_equal(out, "\x01\x00", 2);

    /* an image that is not of this format fails at once */
    image_t other = IMG;
    other.size = 200;
    assert_int_equal(initiate("other", other.size), 0);
    for (uint32_t i = 0; i < blocks_of(other.size); i++) {
        assert_int_equal(send_block(&other, i), 0);
    }
    assert_int_equal(verify(), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(status(), COSEM_IMAGE_VERIFY_FAILED);
}

static void test_activate_before_verify(void **state) {
    (void)state;
    uint32_t nb = blocks_of(IMG.size);
    assert_int_equal(initiate("EM-2.0.0", IMG.size), 0);
    for (uint32_t i = 0; i < nb; i++) {
        assert_int_equal(send_block(&IMG, i), 0);
    }
    /* Blue Book: the verification runs as part of the activation */
    assert_int_equal(activate(), DLMS_ACTION_TEMPORARY_FAILURE);
    assert_int_equal(status(), COSEM_IMAGE_VERIFY_INITIATED);
    assert_int_equal(activate(), DLMS_ACTION_TEMPORARY_FAILURE);
    tick_until_done();
    assert_int_equal(status(), COSEM_IMAGE_ACTIVATE_SUCCESSFUL);
    expect_events((const uint16_t[]){17, 18, 20}, 3);
    assert_memory_equal(T.app.fw_id, "EM-2.0.0", 8);
    assert_int_equal(T.app.activate_calls, 1);
}

static void test_activation_failure(void **state) {
    (void)state;
    uint32_t nb = blocks_of(IMG.size);
    assert_int_equal(initiate("EM-2.0.0", IMG.size), 0);
    for (uint32_t i = 0; i < nb; i++) {
        assert_int_equal(send_block(&IMG, i), 0);
    }
    int rc;
    while ((rc = verify()) == DLMS_ACTION_TEMPORARY_FAILURE) {
    }
    assert_int_equal(rc, 0);
    T.app.activate_rc = -1;
    assert_int_equal(activate(), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(status(), COSEM_IMAGE_ACTIVATE_FAILED);
    expect_events((const uint16_t[]){17, COSEM_IMAGE_EVENT_ACTIVATION_FAILED}, 2);
    assert_memory_equal(T.app.fw_id, "EM-1.0.0", 8);
    /* retried once the meter can */
    T.app.activate_rc = 0;
    assert_int_equal(activate(), 0);
    assert_int_equal(status(), COSEM_IMAGE_ACTIVATE_SUCCESSFUL);
    assert_memory_equal(T.app.fw_id, "EM-2.0.0", 8);
    /* an activation cut by a restart is status 7 */
    T.app.image.status = COSEM_IMAGE_ACTIVATE_INITIATED;
    assert_int_equal(it_restart(&T), 0);
    assert_int_equal(status(), COSEM_IMAGE_ACTIVATE_FAILED);
    /* a persisted state with impossible values is reset, enabled kept */
    T.app.image.info.fw_id_len = EM_COSEM_IMAGE_FW_STR_MAX + 1;
    assert_int_equal(it_restart(&T), 0);
    assert_int_equal(status(), COSEM_IMAGE_NOT_INITIATED);
    assert_int_equal(T.app.image.size, 0);
    assert_true(T.app.image.enabled);
    T.app.image.status = 8;
    assert_int_equal(it_restart(&T), 0);
    assert_int_equal(status(), COSEM_IMAGE_NOT_INITIATED);
}

static void test_disabled(void **state) {
    (void)state;
    assert_int_equal(it_setup(&T, false), 0);
    uint8_t out[4];
    size_t n;
    get(5, out, sizeof(out), &n);
    assert_memory_equal(out, "\x03\x00", 2);
    assert_int_equal(initiate("EM-2.0.0", IMG.size), DLMS_ACTION_OBJECT_UNAVAILABLE);
    assert_int_equal(send_block(&IMG, 0), DLMS_ACTION_OBJECT_UNAVAILABLE);
    assert_int_equal(verify(), DLMS_ACTION_OBJECT_UNAVAILABLE);
    assert_int_equal(activate(), DLMS_ACTION_OBJECT_UNAVAILABLE);
    assert_int_equal(T.app.prepare_calls, 0);
    static const uint8_t on[] = {0x03, 0x01}, off[] = {0x03, 0x00};
    assert_int_equal(it_set(&T, 5, on, sizeof(on)), 0);
    assert_int_equal(initiate("EM-2.0.0", IMG.size), 0);
    assert_int_equal(send_block(&IMG, 0), 0);
    /* disabled mid-way: refused, kept; enabled again: goes on */
    assert_int_equal(it_set(&T, 5, off, sizeof(off)), 0);
    assert_int_equal(send_block(&IMG, 1), DLMS_ACTION_OBJECT_UNAVAILABLE);
    assert_int_equal(it_set(&T, 5, on, sizeof(on)), 0);
    assert_int_equal(get_u32(4), 1);
    assert_int_equal(send_block(&IMG, 1), 0);
    assert_int_equal(get_u32(4), 2);
}

static void test_storage_failure(void **state) {
    (void)state;
    T.app.fail_storage = 1;
    assert_int_equal(initiate("EM-2.0.0", IMG.size), DLMS_ACTION_HARDWARE_FAULT);
    assert_int_equal(status(), COSEM_IMAGE_NOT_INITIATED);
    T.app.fail_storage = 0;
    assert_int_equal(initiate("EM-2.0.0", IMG.size), 0);
    T.app.fail_storage = 1;
    assert_int_equal(send_block(&IMG, 0), DLMS_ACTION_HARDWARE_FAULT);
    assert_int_equal(get_u32(4), 0);
    T.app.fail_storage = 0;
    for (uint32_t i = 0; i < blocks_of(IMG.size); i++) {
        assert_int_equal(send_block(&IMG, i), 0);
    }
    T.app.fail_storage = 1;
    assert_int_equal(verify(), DLMS_ACTION_HARDWARE_FAULT);
    assert_int_equal(status(), COSEM_IMAGE_VERIFY_FAILED);
}

static void test_restart_during_verify(void **state) {
    (void)state;
    assert_int_equal(initiate("EM-2.0.0", IMG.size), 0);
    for (uint32_t i = 0; i < blocks_of(IMG.size); i++) {
        assert_int_equal(send_block(&IMG, i), 0);
    }
    assert_int_equal(activate(), DLMS_ACTION_TEMPORARY_FAILURE);
    assert_int_equal(T.app.image.verify_pos, IT_STEP);
    /* the hash context is garbage after the restart: verification starts over */
    memset(&T.app.image.sha, 0x5A, sizeof(T.app.image.sha));
    assert_int_equal(it_restart(&T), 0);
    assert_int_equal(status(), COSEM_IMAGE_VERIFY_INITIATED);
    assert_int_equal(T.app.image.verify_pos, 0);
    tick_until_done();
    assert_int_equal(status(), COSEM_IMAGE_ACTIVATE_SUCCESSFUL); /* pending activation kept */
    expect_events((const uint16_t[]){17, 18, 20}, 3);
}

/* ---- definitions the server refuses --------------------------------------------------------- */

static int nop_activate(void *app, const uint8_t *id, size_t id_len, const uint8_t *sig,
                        size_t sig_len) {
    (void)app, (void)id, (void)id_len, (void)sig, (void)sig_len;
    return 0;
}

static void test_bad_definitions(void **state) {
    (void)state;
    static const cosem_access_t rw = COSEM_ACCESS_RW;
    static const cosem_image_transfer_def_t defs[] = {
        {.state = 0,
         .block_size = 0,
         .max_size = 1000,
         .storage = {it_prepare, it_write, it_read},
         .activate = nop_activate},
        {.state = 0,
         .block_size = 2000,
         .max_size = 4000,
         .storage = {it_prepare, it_write, it_read},
         .activate = nop_activate},
        {.state = 0,
         .block_size = 64,
         .max_size = EM_COSEM_IMAGE_MAX_SIZE + 1,
         .storage = {it_prepare, it_write, it_read},
         .activate = nop_activate},
        {.state = 0,
         .block_size = 64,
         .max_size = 64 * (EM_COSEM_IMAGE_MAX_BLOCKS + 1),
         .storage = {it_prepare, it_write, it_read},
         .activate = nop_activate},
        {.state = 0,
         .block_size = 64,
         .max_size = 1000,
         .storage = {it_prepare, NULL, it_read},
         .activate = nop_activate},
        {.state = 0,
         .block_size = 64,
         .max_size = 1000,
         .storage = {it_prepare, it_write, it_read},
         .activate = NULL},
        {.state = sizeof(it_app_t),
         .block_size = 64,
         .max_size = 1000,
         .storage = {it_prepare, it_write, it_read},
         .activate = nop_activate},
    };
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
        cosem_object_t obj = {&cosem_class_image_transfer, {0, 0, 44, 0, 0, 255}, &defs[i], {&rw}};
        cosem_server_t s;
        int rc = cosem_server_init(&s, &obj, 1, &T.app, sizeof(T.app), &T.port);
        assert_true(rc == COSEM_ERR_IMAGE_DEF || rc == COSEM_ERR_BINDING);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_image_format, setup),
        cmocka_unit_test_setup(test_full_flow, setup),
        cmocka_unit_test_setup(test_resume_after_restart, setup),
        cmocka_unit_test_setup(test_out_of_order, setup),
        cmocka_unit_test_setup(test_refusals, setup),
        cmocka_unit_test_setup(test_verify_failure, setup),
        cmocka_unit_test_setup(test_activate_before_verify, setup),
        cmocka_unit_test_setup(test_activation_failure, setup),
        cmocka_unit_test_setup(test_disabled, setup),
        cmocka_unit_test_setup(test_storage_failure, setup),
        cmocka_unit_test_setup(test_restart_during_verify, setup),
        cmocka_unit_test_setup(test_bad_definitions, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
