/*
 * test_meter_upgrade.c - the firmware upgrade of the meter (lib/meter/
 * upgrade.c, docs/upgrade.md) through the COSEM dispatcher, on a meter
 * whose flash is a POSIX image: the factory state (transfer disabled,
 * management client only), initiate and blocks into the image region,
 * a restart (a new meter_init + meter_persist_mount over the same image)
 * that resumes from image_first_not_transferred_block_number, verification
 * over ticks, activation that changes and persists 1.0.0.2.0.255 with
 * events 17, 18, 20; a block durable but not counted at a crash and sent
 * again; other bytes over a stored block refused; a crash after the erase
 * of a new initiate; a damaged image; a firmware identifier too long; the
 * image activation script and schedule; the omni variant.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cosem/image_transfer.h"
#include "cosem_test_table.h"
#include "meter/meter.h"
#include "meter/persist.h"
#include "port_posix.h"

/* 2024-01-15 12:00:00 UTC (13:00 CET). */
static const int64_t T = 1705320000;

static const uint8_t LN_IMAGE[6] = {0, 0, 44, 0, 0, 255};
static const uint8_t LN_FW_ID[6] = {1, 0, 0, 2, 0, 255};
static const uint8_t LN_FW_SIG[6] = {1, 0, 0, 2, 8, 255};
static const uint8_t LN_SCRIPTS[6] = {0, 0, 10, 0, 107, 255};
static const uint8_t LN_SCHEDULE[6] = {0, 0, 15, 0, 2, 255};

static em_flash_geometry_t geo = {.sector_size = 4096, .sector_count = 0, .program_unit = 4};
static char path[64];
static em_port_t port;
static em_port_posix_t pst;
static bool port_open;
static meter_t m;
static meter_persist_t p;
static int64_t rtc;
static enum meter_variant variant;
static bool commit_on_notify; /* the runtime's notify hook: commit after every SET/ACTION */

static int64_t rtc_get(void *user) {
    (void)user;
    return rtc;
}

static int rtc_set(void *user, int64_t utc) {
    (void)user;
    rtc = utc;
    return 0;
}

static void on_notify(void *app, const cosem_object_t *obj, uint8_t kind, int8_t id) {
    meter_on_notify(app, obj, kind, id);
    if (commit_on_notify)
        assert_int_equal(meter_persist_commit(&p, rtc), 0);
}

/* A power cycle (or a crash: nothing is saved first), as apps/emeter. */
static void boot(int64_t utc) {
    if (port_open)
        em_port_posix_deinit(&pst);
    geo.sector_count = meter_persist_sectors_needed(&geo, variant);
    assert_int_equal(em_port_posix_init(&port, &pst, path, &geo), 0);
    port_open = true;
    port.rtc_get = rtc_get;
    port.rtc_set = rtc_set;
    rtc = utc;
    static const uint8_t ldn[] = "EMT0000000000001";
    meter_identity_t id = {.variant = variant,
                           .logical_device_name = ldn,
                           .logical_device_name_len = 16,
                           .serial_number = "E0001",
                           .equipment_id = "E0001",
                           .max_pdu = 1024,
                           .time_zone_min = -60};
    assert_int_equal(meter_init(&m, &id, &port), 0);
    m.cosem.notify = on_notify;
    assert_int_equal(meter_persist_mount(&p, &m, &port, utc), 0);
    assert_int_equal(meter_persist_power_up(&p, utc), 0);
}

static void step(int64_t utc) {
    rtc = utc;
    assert_int_equal(meter_step(&m, utc, 1), 0);
}

static int setup(void **state) {
    (void)state;
    variant = METER_VARIANT_ESMR;
    commit_on_notify = true;
    snprintf(path, sizeof(path), "/tmp/test_meter_upgrade_%d.img", (int)getpid());
    unlink(path);
    port_open = false;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    if (port_open)
        em_port_posix_deinit(&pst);
    port_open = false;
    unlink(path);
    return 0;
}

/* ---- the image ---------------------------------------------------------------------------- */

#define PAYLOAD 40000u
#define BLOCK   METER_UPGRADE_BLOCK_SIZE

static uint8_t img[PAYLOAD + COSEM_IMAGE_TAIL_MAX];
static uint32_t img_size;

static void build_image(const char *id, const char *sig, uint32_t seed) {
    uint32_t x = seed;
    for (uint32_t i = 0; i < PAYLOAD; i++) {
        x = x * 1103515245u + 12345u;
        img[i] = (uint8_t)(x >> 16);
    }
    em_sha256_ctx_t ctx;
    assert_int_equal(em_crypto_sha256_start(&ctx), 0);
    assert_int_equal(em_crypto_sha256_update(&ctx, img, PAYLOAD), 0);
    int n = cosem_image_trailer_build(&ctx, PAYLOAD, (const uint8_t *)id, strlen(id),
                                      (const uint8_t *)sig, strlen(sig), img + PAYLOAD,
                                      sizeof(img) - PAYLOAD);
    assert_true(n > 0);
    img_size = PAYLOAD + (uint32_t)n;
}

static uint32_t blocks(void) {
    return (img_size + BLOCK - 1) / BLOCK;
}

/* ---- dispatcher ------------------------------------------------------------------------------ */

static uint8_t out[2048];
static size_t out_len;

static dlms_assoc_view_t view(uint8_t assoc) {
    dlms_assoc_view_t v;
    memset(&v, 0, sizeof(v));
    v.assoc_index = assoc;
    v.client_sap = assoc == METER_ASSOC_MANAGEMENT ? 1 : 16;
    v.server_sap = 1;
    v.status = DLMS_ASSOC_ASSOCIATED;
    v.ciphered = assoc == METER_ASSOC_MANAGEMENT;
    return v;
}

static int get_as(uint8_t assoc, uint16_t cls, const uint8_t ln[6], int8_t attr) {
    dlms_assoc_view_t v = view(assoc);
    return cosem_call_get(&m.cosem, &v, cls, ln, attr, NULL, out, sizeof(out), &out_len);
}

static int action(uint16_t cls, const uint8_t ln[6], int8_t method, const uint8_t *prm, size_t n) {
    dlms_assoc_view_t v = view(METER_ASSOC_MANAGEMENT);
    uint8_t ret[16];
    size_t ret_len;
    bool has_ret = false;
    return cosem_call_action(&m.cosem, &v, cls, ln, method, prm, n, ret, sizeof(ret), &ret_len,
                             &has_ret);
}

static uint32_t get_u32(int8_t attr) {
    assert_int_equal(get_as(METER_ASSOC_MANAGEMENT, 18, LN_IMAGE, attr), 0);
    assert_int_equal(out_len, 5);
    assert_int_equal(out[0], 0x06);
    return (uint32_t)out[1] << 24 | (uint32_t)out[2] << 16 | (uint32_t)out[3] << 8 | out[4];
}

static unsigned status(void) {
    assert_int_equal(get_as(METER_ASSOC_MANAGEMENT, 18, LN_IMAGE, 6), 0);
    assert_int_equal(out[0], 0x16);
    return out[1];
}

static void enable(void) {
    static const uint8_t on[] = {0x03, 0x01};
    dlms_assoc_view_t v = view(METER_ASSOC_MANAGEMENT);
    assert_int_equal(cosem_call_set(&m.cosem, &v, 18, LN_IMAGE, 5, on, sizeof(on)), 0);
}

static int initiate(const char *id, uint32_t size) {
    uint8_t prm[64];
    size_t n = strlen(id);
    prm[0] = 0x02;
    prm[1] = 0x02;
    prm[2] = 0x09;
    prm[3] = (uint8_t)n;
    memcpy(prm + 4, id, n);
    prm[4 + n] = 0x06;
    prm[5 + n] = (uint8_t)(size >> 24);
    prm[6 + n] = (uint8_t)(size >> 16);
    prm[7 + n] = (uint8_t)(size >> 8);
    prm[8 + n] = (uint8_t)size;
    return action(18, LN_IMAGE, 1, prm, 9 + n);
}

/* Block `number` of img (or of `data` when not NULL). */
static int block(uint32_t number, const uint8_t *data) {
    static uint8_t prm[16 + BLOCK];
    uint32_t off = number * BLOCK;
    uint32_t len = off + BLOCK <= img_size ? BLOCK : img_size - off;
    size_t k = 0;
    prm[k++] = 0x02;
    prm[k++] = 0x02;
    prm[k++] = 0x06;
    for (int s = 24; s >= 0; s -= 8)
        prm[k++] = (uint8_t)(number >> s);
    prm[k++] = 0x09;
    if (len >= 256) {
        prm[k++] = 0x82;
        prm[k++] = (uint8_t)(len >> 8);
    } else if (len >= 128) {
        prm[k++] = 0x81;
    }
    prm[k++] = (uint8_t)len;
    memcpy(prm + k, data != NULL ? data : img + off, len);
    return action(18, LN_IMAGE, 2, prm, k + len);
}

static const uint8_t ZERO[] = {0x0F, 0x00};

static int verify(void) {
    return action(18, LN_IMAGE, 3, ZERO, sizeof(ZERO));
}

static int activate(void) {
    return action(18, LN_IMAGE, 4, ZERO, sizeof(ZERO));
}

/* The active firmware identifier (1.0.0.2.0.255 attribute 2) is s. */
static void expect_fw(const uint8_t ln[6], const char *s) {
    assert_int_equal(get_as(METER_ASSOC_MANAGEMENT, 1, ln, 2), 0);
    assert_int_equal(out[0], 0x09);
    assert_int_equal(out[1], strlen(s));
    assert_memory_equal(out + 2, s, strlen(s));
}

static bool std_has(uint8_t code) {
    cosem_profile_rows_t *r = &p.rows[METER_PROF_LOG_STD];
    for (uint32_t i = 0; i < r->ops->count(r->user); i++) {
        uint8_t row[METER_LOG_ROW];
        assert_int_equal(r->ops->read(r->user, i, row), 0);
        if (row[16] == AXDR_UNSIGNED && row[17] == code)
            return true;
    }
    return false;
}

/* Ticks until the verification ends; returns the status. */
static unsigned verify_by_ticks(int64_t *t) {
    for (int i = 0; i < 100 && status() == COSEM_IMAGE_VERIFY_INITIATED; i++)
        step(++*t);
    return status();
}

/* ---- tests ------------------------------------------------------------------------------------
 */

static void test_factory(void **state) {
    (void)state;
    boot(T);
    /* management client only, transfer disabled, nothing initiated */
    assert_int_not_equal(get_as(METER_ASSOC_PUBLIC, 18, LN_IMAGE, 6), 0);
    assert_int_equal(get_u32(2), BLOCK);
    assert_int_equal(get_as(METER_ASSOC_MANAGEMENT, 18, LN_IMAGE, 5), 0);
    assert_int_equal(out[1], 0);
    assert_int_equal(status(), COSEM_IMAGE_NOT_INITIATED);
    build_image("EM-2.0.0", "sig-2.0.0", 1);
    assert_int_equal(initiate("EM-2.0.0", img_size), DLMS_ACTION_OBJECT_UNAVAILABLE);
    /* larger than the image region */
    enable();
    assert_int_equal(initiate("EM-2.0.0", EM_METER_PERSIST_IMAGE_BYTES + 1),
                     DLMS_ACTION_OTHER_REASON);
    /* enabled survives a restart (the SET was committed) */
    boot(T + 10);
    assert_int_equal(get_as(METER_ASSOC_MANAGEMENT, 18, LN_IMAGE, 5), 0);
    assert_int_equal(out[1], 1);
    /* the region lies between the rings and the settings journal */
    assert_int_equal(p.layout.image_first + p.layout.image_sectors, p.layout.cal_first);
    assert_int_equal(p.layout.image_sectors * geo.sector_size, EM_METER_PERSIST_IMAGE_BYTES);
}

static void test_resume_verify_activate(void **state) {
    (void)state;
    build_image("EM-2.0.0", "sig-2.0.0", 1);
    boot(T);
    enable();
    assert_int_equal(initiate("EM-2.0.0", img_size), 0);
    assert_int_equal(status(), COSEM_IMAGE_INITIATED);
    for (uint32_t b = 0; b < 30; b++)
        assert_int_equal(block(b, NULL), 0);
    assert_int_equal(get_u32(4), 30);
    /* the blocks are in the image region of the flash */
    uint8_t buf[BLOCK];
    assert_int_equal(
        port.flash_read(port.user, p.layout.image_first * geo.sector_size + 7 * BLOCK, buf, BLOCK),
        0);
    assert_memory_equal(buf, img + 7 * BLOCK, BLOCK);

    /* restart: the state and the blocks are there */
    boot(T + 100);
    assert_int_equal(get_u32(4), 30);
    assert_int_equal(status(), COSEM_IMAGE_INITIATED);
    assert_int_equal(get_as(METER_ASSOC_MANAGEMENT, 18, LN_IMAGE, 3), 0);
    assert_int_equal(out[0], 0x04); /* bit-string of blocks() bits, 30 set */
    assert_int_equal(out[1], blocks());
    assert_int_equal(out[2] & out[3] & out[4], 0xFF);
    assert_int_equal(out[5], 0xFC);
    assert_int_equal(out[6], 0x00);
    expect_fw(LN_FW_ID, "EMT-CORE-0.1.0");
    /* the head-end initiates the same image again: resume */
    assert_int_equal(initiate("EM-2.0.0", img_size), 0);
    assert_int_equal(get_u32(4), 30);
    for (uint32_t b = get_u32(4); b < blocks(); b++)
        assert_int_equal(block(b, NULL), 0);
    assert_int_equal(get_u32(4), blocks());

    /* verification: 16 KiB per step, the meter's step continues it */
    int64_t t = T + 200;
    assert_int_equal(verify(), DLMS_ACTION_TEMPORARY_FAILURE);
    assert_int_equal(status(), COSEM_IMAGE_VERIFY_INITIATED);
    /* a crash during the verification (after a periodic commit): it
     * starts again from the first byte and ends in the steps */
    assert_int_equal(meter_persist_commit(&p, t), 0);
    boot(++t);
    assert_int_equal(status(), COSEM_IMAGE_VERIFY_INITIATED);
    assert_false(std_has(17));
    assert_int_equal(verify_by_ticks(&t), COSEM_IMAGE_VERIFY_SUCCESSFUL);
    assert_true(std_has(17));
    assert_false(std_has(18));
    /* image_to_activate_info */
    assert_int_equal(get_as(METER_ASSOC_MANAGEMENT, 18, LN_IMAGE, 7), 0);
    assert_int_equal(out[0], 0x01);
    assert_int_equal(out[1], 1);

    /* a restart keeps "verified" and the info (read back from the trailer) */
    boot(t + 10);
    assert_int_equal(status(), COSEM_IMAGE_VERIFY_SUCCESSFUL);
    assert_int_equal(get_as(METER_ASSOC_MANAGEMENT, 18, LN_IMAGE, 7), 0);
    assert_int_equal(out[1], 1);

    /* activation: the new identifier and signature, events 18 and 20 */
    assert_int_equal(activate(), 0);
    assert_int_equal(status(), COSEM_IMAGE_ACTIVATE_SUCCESSFUL);
    expect_fw(LN_FW_ID, "EM-2.0.0");
    expect_fw(LN_FW_SIG, "sig-2.0.0");
    assert_true(std_has(18));
    assert_true(std_has(20));
    /* metering goes on */
    step(t + 20);

    /* ... and all of it survives a restart */
    boot(t + 100);
    assert_int_equal(status(), COSEM_IMAGE_ACTIVATE_SUCCESSFUL);
    expect_fw(LN_FW_ID, "EM-2.0.0");
    expect_fw(LN_FW_SIG, "sig-2.0.0");
    /* the same image again after activation starts afresh */
    assert_int_equal(initiate("EM-2.0.0", img_size), 0);
    assert_int_equal(get_u32(4), 0);
    expect_fw(LN_FW_ID, "EM-2.0.0");
}

/* A crash after a block's bytes reached the flash but before the state
 * that counts it: the meter reports the block missing, the head-end sends
 * it again and the flash takes it (the same bytes). */
static void test_block_resent_after_crash(void **state) {
    (void)state;
    build_image("EM-2.0.1", "", 2);
    boot(T);
    enable();
    assert_int_equal(initiate("EM-2.0.1", img_size), 0);
    for (uint32_t b = 0; b < 5; b++)
        assert_int_equal(block(b, NULL), 0);
    commit_on_notify = false; /* the cut comes before the commit */
    assert_int_equal(block(5, NULL), 0);
    assert_int_equal(get_u32(4), 6);
    commit_on_notify = true;
    boot(T + 50);
    assert_int_equal(get_u32(4), 5);
    assert_int_equal(initiate("EM-2.0.1", img_size), 0);
    assert_int_equal(block(5, NULL), 0); /* the same bytes over themselves */
    assert_int_equal(get_u32(4), 6);
    /* other bytes over a block the flash holds: refused, nothing changes */
    uint8_t other[BLOCK];
    memcpy(other, img + 3 * BLOCK, BLOCK);
    other[100] ^= 0x5A;
    assert_int_equal(block(3, other), DLMS_ACTION_HARDWARE_FAULT);
    assert_int_equal(get_u32(4), 6);
    assert_int_equal(block(3, NULL), 0);
    for (uint32_t b = 6; b < blocks(); b++)
        assert_int_equal(block(b, NULL), 0);
    /* activate before verify: the verification runs first (Blue Book) */
    int64_t t = T + 60;
    assert_int_equal(activate(), DLMS_ACTION_TEMPORARY_FAILURE);
    assert_int_equal(verify_by_ticks(&t), COSEM_IMAGE_ACTIVATE_SUCCESSFUL);
    expect_fw(LN_FW_ID, "EM-2.0.1");
    /* the tick's activation was committed by the event hook */
    boot(t + 10);
    assert_int_equal(status(), COSEM_IMAGE_ACTIVATE_SUCCESSFUL);
    expect_fw(LN_FW_ID, "EM-2.0.1");
    expect_fw(LN_FW_SIG, "");
}

/* A new initiate erases the region after committing "nothing": a crash
 * right after it never shows blocks of the previous image as received. */
static void test_crash_after_new_initiate(void **state) {
    (void)state;
    build_image("EM-A", "", 3);
    boot(T);
    enable();
    assert_int_equal(initiate("EM-A", img_size), 0);
    for (uint32_t b = 0; b < 20; b++)
        assert_int_equal(block(b, NULL), 0);
    commit_on_notify = false;
    build_image("EM-B", "", 4);
    assert_int_equal(initiate("EM-B", img_size), 0);
    assert_int_equal(status(), COSEM_IMAGE_INITIATED);
    commit_on_notify = true;
    boot(T + 10);
    assert_int_equal(status(), COSEM_IMAGE_NOT_INITIATED);
    assert_int_equal(get_u32(4), 0);
    /* and the old image is gone from the flash */
    uint8_t buf[BLOCK];
    assert_int_equal(
        port.flash_read(port.user, p.layout.image_first * geo.sector_size, buf, sizeof(buf)), 0);
    for (unsigned i = 0; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 0xFF);
}

static void test_damaged_image(void **state) {
    (void)state;
    build_image("EM-BAD", "x", 5);
    img[1000] ^= 0x55;
    boot(T);
    enable();
    assert_int_equal(initiate("EM-BAD", img_size), 0);
    for (uint32_t b = 0; b < blocks(); b++)
        assert_int_equal(block(b, NULL), 0);
    int64_t t = T;
    assert_int_equal(verify(), DLMS_ACTION_TEMPORARY_FAILURE);
    assert_int_equal(verify_by_ticks(&t), COSEM_IMAGE_VERIFY_FAILED);
    assert_int_equal(activate(), DLMS_ACTION_OTHER_REASON);
    assert_false(std_has(17));
    expect_fw(LN_FW_ID, "EMT-CORE-0.1.0");
    boot(t + 10);
    assert_int_equal(status(), COSEM_IMAGE_VERIFY_FAILED);
    /* the same image again starts afresh */
    assert_int_equal(initiate("EM-BAD", img_size), 0);
    assert_int_equal(get_u32(4), 0);
}

/* An identifier longer than 1.0.0.2.0.255 holds: activation fails. */
static void test_fw_id_too_long(void **state) {
    (void)state;
    build_image("EM-0123456789-LONG", "", 6);
    boot(T);
    enable();
    assert_int_equal(initiate("EM-LONG", img_size), 0);
    for (uint32_t b = 0; b < blocks(); b++)
        assert_int_equal(block(b, NULL), 0);
    int64_t t = T;
    assert_int_equal(verify(), DLMS_ACTION_TEMPORARY_FAILURE);
    assert_int_equal(verify_by_ticks(&t), COSEM_IMAGE_VERIFY_SUCCESSFUL);
    assert_int_equal(activate(), DLMS_ACTION_OTHER_REASON);
    assert_int_equal(status(), COSEM_IMAGE_ACTIVATE_FAILED);
    expect_fw(LN_FW_ID, "EMT-CORE-0.1.0");
    assert_false(std_has(18));
}

/* Image activation by script 1 of 0.0.10.0.107.255, and by the image
 * activation schedule 0.0.15.0.2.255 (whose time survives a restart). */
static void test_script_and_schedule(void **state) {
    (void)state;
    build_image("EM-3.0.0", "s3", 7);
    boot(T);
    enable();
    assert_int_equal(initiate("EM-3.0.0", img_size), 0);
    for (uint32_t b = 0; b < blocks(); b++)
        assert_int_equal(block(b, NULL), 0);
    int64_t t = T;
    assert_int_equal(verify(), DLMS_ACTION_TEMPORARY_FAILURE);
    assert_int_equal(verify_by_ticks(&t), COSEM_IMAGE_VERIFY_SUCCESSFUL);
    /* the schedule: 2024-01-15 13:05 local (12:05 UTC) */
    static const uint8_t when[] = {0x01, 0x01, 0x02, 0x02, 0x09, 0x04, 13,   5,   0,
                                   0,    0x09, 0x05, 0x07, 0xE8, 0x01, 0x0F, 0xFF};
    dlms_assoc_view_t v = view(METER_ASSOC_MANAGEMENT);
    assert_int_equal(cosem_call_set(&m.cosem, &v, 22, LN_SCHEDULE, 4, when, sizeof(when)), 0);
    boot(t + 1);
    t += 1;
    step(++t);
    assert_int_equal(status(), COSEM_IMAGE_VERIFY_SUCCESSFUL);
    for (; t < T + 310; t++)
        step(t);
    assert_int_equal(status(), COSEM_IMAGE_ACTIVATE_SUCCESSFUL);
    expect_fw(LN_FW_ID, "EM-3.0.0");
    assert_true(std_has(18));

    /* the script directly (a head-end's "activate now") */
    build_image("EM-3.0.1", "s4", 8);
    assert_int_equal(initiate("EM-3.0.1", img_size), 0);
    for (uint32_t b = 0; b < blocks(); b++)
        assert_int_equal(block(b, NULL), 0);
    assert_int_equal(verify(), DLMS_ACTION_TEMPORARY_FAILURE);
    assert_int_equal(verify_by_ticks(&t), COSEM_IMAGE_VERIFY_SUCCESSFUL);
    static const uint8_t one[] = {0x12, 0x00, 0x01};
    assert_int_equal(action(9, LN_SCRIPTS, 1, one, sizeof(one)), 0);
    expect_fw(LN_FW_ID, "EM-3.0.1");
}

static void test_omni(void **state) {
    (void)state;
    variant = METER_VARIANT_OMNI;
    build_image("OM-2.0.0", "o", 9);
    boot(T);
    enable();
    assert_int_equal(initiate("OM-2.0.0", img_size), 0);
    for (uint32_t b = 0; b < 10; b++)
        assert_int_equal(block(b, NULL), 0);
    boot(T + 5);
    assert_int_equal(get_u32(4), 10);
    assert_int_equal(initiate("OM-2.0.0", img_size), 0);
    for (uint32_t b = 10; b < blocks(); b++)
        assert_int_equal(block(b, NULL), 0);
    int64_t t = T + 10;
    assert_int_equal(activate(), DLMS_ACTION_TEMPORARY_FAILURE);
    assert_int_equal(verify_by_ticks(&t), COSEM_IMAGE_ACTIVATE_SUCCESSFUL);
    boot(t + 1);
    expect_fw(LN_FW_ID, "OM-2.0.0");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_factory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_verify_activate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_resent_after_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_after_new_initiate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fw_id_too_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_script_and_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_omni, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
