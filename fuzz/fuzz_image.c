/*
 * fuzz_image.c - hostile input to the Image transfer class (class 18) of
 * tests/unit/test_cosem_image_table.h and to the image trailer decoder.
 *
 * Input: first byte k; the next k bytes go to cosem_image_check() and
 * cosem_image_trailer_parse() as an image. Then records, at most
 * MAX_RECORDS:
 *   op % 4 == 0  ACTION: op | method (1..4 by value % 4 + 1) | len (2 bytes)
 *                | params (len 0: none)
 *   op % 4 == 1  SET:    op | attribute | len (2 bytes) | value
 *   op % 4 == 2  tick:   op (cosem_image_transfer_tick)
 *   op % 4 == 3  restart: op (state restored, server built again)
 * Record 0 is preceded by an enable and an initiate of the fuzzer's image
 * (when it parsed) so deep states are reachable.
 *
 * Invariants (trap on violation):
 *   - results are 0, a result code 1..255 or a COSEM error;
 *   - status is 0..7; image_first_not_transferred_block_number never passes
 *     the number of blocks, and every block below it is marked received;
 *   - image_to_activate_info is set exactly in statuses 3, 5, 6, 7;
 *   - status 6 only after the activation hook ran with the trailer's id;
 *   - a refused block transfer or initiate changes no byte of the state
 *     (except through a storage failure, which the table never has);
 *   - every attribute still reads as one Data;
 *   - the trailer parser agrees with the whole-image check.
 */
#include <stdint.h>
#include <string.h>

#include "../tests/unit/test_cosem_image_table.h"

#define MAX_RECORDS 64

static it_t T;

static void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

static void result_ok(int rc) {
    check(rc >= 0 ? rc <= 255 : (rc <= -0x0100 && rc >= -0x09FF));
}

static void check_state(void) {
    const cosem_image_transfer_state_t *st = &T.app.image;
    check(st->status <= COSEM_IMAGE_ACTIVATE_FAILED);
    uint32_t blocks = (st->size + IT_BLOCK - 1) / IT_BLOCK;
    check(st->first_missing <= blocks);
    for (uint32_t i = 0; i < st->first_missing; i++) {
        check((st->bitmap[i / 8] & (0x80u >> (i % 8))) != 0);
    }
    bool info =
        st->status == COSEM_IMAGE_VERIFY_SUCCESSFUL || st->status >= COSEM_IMAGE_ACTIVATE_INITIATED;
    check(info == (st->info.fw_id_len > 0));
    if (st->status == COSEM_IMAGE_ACTIVATE_SUCCESSFUL) {
        check(T.app.activate_calls > 0 && T.app.fw_id_len == st->info.fw_id_len &&
              memcmp(T.app.fw_id, st->info.fw_id, st->info.fw_id_len) == 0);
    }
    static uint8_t out[2048];
    for (int8_t a = 1; a <= 7; a++) {
        size_t len = 0, used = 0;
        check(it_get(&T, COSEM_CLASS_IMAGE_TRANSFER, IT_LN, a, out, sizeof(out), &len) == 0);
        check(axdr_validate(out, len, &used) == 0 && used == len);
    }
}

static void fuzz_trailer(const uint8_t *p, size_t n) {
    cosem_image_info_t a, b;
    int rc = cosem_image_check(p, n, &a);
    check(rc == 0 || rc == COSEM_ERR_IMAGE_FORMAT || rc == COSEM_ERR_IMAGE_DIGEST ||
          rc == COSEM_ERR_BADARG);
    size_t tail = n < COSEM_IMAGE_TAIL_MAX ? n : COSEM_IMAGE_TAIL_MAX;
    int pr = cosem_image_trailer_parse(p + n - tail, tail, (uint32_t)n, &b);
    check((pr == 0) == (rc == 0 || rc == COSEM_ERR_IMAGE_DIGEST));
    if (pr == 0) {
        check(b.payload_len + b.meta_len + COSEM_IMAGE_FOOTER_LEN == n);
        check(b.fw_id_len >= 1 && b.fw_id_len <= EM_COSEM_IMAGE_FW_STR_MAX);
        check(b.fw_sig_len <= EM_COSEM_IMAGE_FW_STR_MAX);
    } else {
        check(b.fw_id_len == 0 && b.payload_len == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || it_setup(&T, true) != 0) {
        return 0;
    }
    size_t k = data[0];
    if (k > size - 1) {
        k = size - 1;
    }
    fuzz_trailer(data + 1, k);
    size_t pos = 1 + k;
    /* a head start: initiate an image of the fuzzer's size */
    uint8_t init[16] = {0x02, 0x02, 0x09, 0x01, 'F', 0x06, 0, 0, (uint8_t)(k >> 8), (uint8_t)k};
    result_ok(it_action(&T, 1, init, 10));
    for (int r = 0; r < MAX_RECORDS && pos < size; r++) {
        uint8_t op = data[pos++];
        if (op % 4 == 2) {
            result_ok(cosem_image_transfer_tick(&T.srv, cosem_find(&T.srv, IT_LN)));
        } else if (op % 4 == 3) {
            check(it_restart(&T) == 0);
        } else {
            if (size - pos < 3) {
                break;
            }
            uint8_t id = data[pos];
            size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
            pos += 3;
            if (len > size - pos) {
                len = size - pos;
            }
            const uint8_t *v = data + pos;
            pos += len;
            cosem_image_transfer_state_t before = T.app.image;
            if (op % 4 == 0) {
                int8_t method = (int8_t)(id % 4 + 1);
                int rc = it_action(&T, method, len > 0 ? v : NULL, len);
                result_ok(rc);
                if (rc != 0 && method <= 2) {
                    check(memcmp(&before, &T.app.image, sizeof(before)) == 0);
                }
            } else {
                int rc = it_set(&T, (int8_t)(id % 9), v, len);
                result_ok(rc);
                if (rc != 0) {
                    check(memcmp(&before, &T.app.image, sizeof(before)) == 0);
                }
            }
        }
        check_state();
    }
    return 0;
}
