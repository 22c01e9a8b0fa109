/*
 * fuzz_listen.c - hostile APDUs into the push receiver of the dlms tool
 * (apps/dlms/listen.c: listen_decode, listen_format).
 *
 * Input: mode | bytes...
 *   mode even  the bytes are the APDU as it came out of the wrapper
 *   mode odd   the bytes are a plain APDU that is first ciphered as
 *              general-glo-ciphering with the receiver's keys (SC 0x30 or
 *              0x10 by bit 1, counter from the mode byte), so the
 *              data-notification parser sees hostile plaintext behind a
 *              valid tag
 *
 * Invariants (trap on violation): a decoded notification's body is one
 * well-formed Data inside the plain buffer; formatting it (text and JSON)
 * terminates and gives a non-empty string; a ciphered APDU decoded once is
 * refused the second time (replay).
 *
 * The extra sources (one line, for scripts/fuzz.sh):
 */
// clang-format off
// FUZZ_EXTRA_SOURCES: apps/dlms/listen.c apps/dlms/format.c apps/dlms/value_parse.c apps/dlms/obis_parse.c
// clang-format on
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../apps/dlms/listen.h"

static listen_ctx_t C;
static listen_msg_t M;

static void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    dlms_sec_keys_t k;
    memset(&k, 0, sizeof(k));
    memset(k.guek, 0x11, 16);
    memset(k.ak, 0x22, 16);
    listen_init(&C, &k);
    static uint8_t apdu[4096];
    size_t n = size - 1 < 2048 ? size - 1 : 2048;
    bool ciphered = (data[0] & 1) != 0;
    if (ciphered) {
        static const uint8_t title[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        dlms_sec_tx_t tx = {&k, title, (data[0] & 2) ? 0x10 : 0x30, data[0], false};
        int r = dlms_sec_protect(&tx, DLMS_SEC_FORM_GENERAL, data + 1, n, apdu, sizeof(apdu));
        if (r <= 0) {
            return 0; /* empty or too long to cipher */
        }
        n = (size_t)r;
    } else {
        memcpy(apdu, data + 1, n);
    }
    char err[256];
    int rc = listen_decode(&C, apdu, n, &M, err, sizeof(err));
    check(rc == 0 || rc == -1);
    if (rc != 0) {
        check(strlen(err) > 0);
        return 0;
    }
    size_t used = 0;
    check(M.n.body.p >= M.plain && M.n.body.p + M.n.body.len <= M.plain + sizeof(M.plain));
    check(axdr_validate(M.n.body.p, M.n.body.len, &used) == 0 && used == M.n.body.len);
    sbuf_t sb;
    sb_init(&sb);
    listen_format(&sb, false, "fuzz", 1, 102, &M);
    check(sb.len > 0);
    sb_reset(&sb);
    listen_format(&sb, true, "fuzz", 1, 102, &M);
    check(sb.len > 0 && sb_str(&sb)[sb.len - 1] == '\n');
    sb_free(&sb);
    if (M.ciphered) {
        check(listen_decode(&C, apdu, n, &M, err, sizeof(err)) == -1);
    }
    return 0;
}
