/*
 * test_dlms_image_file.c - the image helpers of the dlms tool
 * (apps/dlms/image_file.c): `dlms image-build` output is an image
 * lib/cosem accepts with the given identifier and signature and a
 * SHA-256 over everything before the digest; bad --id/--sig refused; the
 * file round trip; block counts and which blocks a resumed transfer sends.
 *
 * The tool's source is included directly (as test_dlms_cli.c does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../apps/dlms/image_file.c"

static void test_build(void **state) {
    (void)state;
    uint8_t payload[1000];
    for (size_t i = 0; i < sizeof(payload); i++) {
        payload[i] = (uint8_t)(i * 7);
    }
    uint8_t *img = NULL;
    size_t n = 0;
    char err[200];
    assert_int_equal(
        image_build(payload, sizeof(payload), "EM-3.1", "abc", &img, &n, err, sizeof(err)), 0);
    assert_int_equal(n, sizeof(payload) + 2 + 6 + 3 + 48);
    assert_memory_equal(img, payload, sizeof(payload));
    cosem_image_info_t info;
    assert_int_equal(cosem_image_check(img, n, &info), 0);
    assert_int_equal(info.payload_len, sizeof(payload));
    assert_int_equal(info.fw_id_len, 6);
    assert_memory_equal(info.fw_id, "EM-3.1", 6);
    assert_int_equal(info.fw_sig_len, 3);
    assert_memory_equal(info.fw_sig, "abc", 3);
    uint8_t d[EM_SHA256_LEN];
    assert_int_equal(em_crypto_sha256(img, n - EM_SHA256_LEN, d), 0);
    assert_memory_equal(d, img + n - EM_SHA256_LEN, EM_SHA256_LEN);
    /* no signature, empty payload */
    free(img);
    assert_int_equal(image_build(NULL, 0, "x", NULL, &img, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 2 + 1 + 48);
    assert_int_equal(cosem_image_check(img, n, &info), 0);
    free(img);
    /* refused identifiers and signatures */
    char longs[EM_COSEM_IMAGE_FW_STR_MAX + 2];
    memset(longs, 'a', sizeof(longs) - 1);
    longs[sizeof(longs) - 1] = '\0';
    assert_int_equal(image_build(payload, 10, "", "s", &img, &n, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "--id"));
    assert_null(img);
    assert_int_equal(image_build(payload, 10, NULL, "s", &img, &n, err, sizeof(err)), -1);
    assert_int_equal(image_build(payload, 10, longs, "s", &img, &n, err, sizeof(err)), -1);
    assert_int_equal(image_build(payload, 10, "id", longs, &img, &n, err, sizeof(err)), -1);
    longs[EM_COSEM_IMAGE_FW_STR_MAX] = '\0'; /* exactly the maximum */
    assert_int_equal(image_build(payload, 10, longs, longs, &img, &n, err, sizeof(err)), 0);
    assert_int_equal(cosem_image_check(img, n, &info), 0);
    free(img);
}

static void test_file_round_trip(void **state) {
    (void)state;
    char path[] = "/tmp/test_dlms_image_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    static uint8_t big[200000];
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)(i ^ (i >> 8));
    }
    char err[200];
    assert_int_equal(image_file_write(path, big, sizeof(big), err, sizeof(err)), 0);
    uint8_t *back = NULL;
    size_t n = 0;
    assert_int_equal(image_file_read(path, sizeof(big), &back, &n, err, sizeof(err)), 0);
    assert_int_equal(n, sizeof(big));
    assert_memory_equal(back, big, sizeof(big));
    free(back);
    assert_int_equal(image_file_read(path, sizeof(big) - 1, &back, &n, err, sizeof(err)), -1);
    assert_null(back);
    assert_non_null(strstr(err, "larger than"));
    unlink(path);
    assert_int_equal(image_file_read(path, 10, &back, &n, err, sizeof(err)), -1);
    assert_non_null(strstr(err, path));
}

static void test_blocks(void **state) {
    (void)state;
    assert_int_equal(image_blocks(0, 512), 0);
    assert_int_equal(image_blocks(1, 512), 1);
    assert_int_equal(image_blocks(512, 512), 1);
    assert_int_equal(image_blocks(513, 512), 2);
    assert_int_equal(image_blocks(UINT32_MAX, 1), UINT32_MAX);
    assert_int_equal(image_blocks(100, 0), 0);
    /* bitmap 1101 0000 1 of 9 blocks, attribute 4 = 2 */
    static const uint8_t bits[] = {0xD0, 0x80};
    bool want[] = {false, false, true, false, true, true, true, true, false, true};
    for (uint32_t n = 0; n < 10; n++) {
        assert_int_equal(image_block_missing(bits, 9, 2, n), want[n]);
    }
    /* no bitmap: everything from attribute 4 on */
    assert_false(image_block_missing(NULL, 0, 3, 2));
    assert_true(image_block_missing(NULL, 0, 3, 3));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_file_round_trip),
        cmocka_unit_test(test_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
