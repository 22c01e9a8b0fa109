/*
 * fuzz_acse.c - libFuzzer target for the ACSE and xDLMS decoders
 * (lib/dlms/acse, lib/dlms/xdlms).
 *
 * The whole input is decoded as AARQ, AARE, RLRQ, RLRE, InitiateRequest,
 * InitiateResponse and confirmedServiceError. A decoded AARQ also goes down
 * the server's user-information path (plain or glo-initiateRequest,
 * decrypted with the Green Book keys under its calling-AP-title) and
 * through the xDLMS negotiation; an AARE goes through the client's path.
 *
 * Invariants (trap on violation):
 *  - a refused input leaves the output struct all zero;
 *  - zero-copy user-information lies inside the input;
 *  - whatever decodes re-encodes, and re-decoding the encoding gives the
 *    same fields (AARQ, AARE, RLRQ, RLRE, InitiateRequest/Response);
 *  - an accepted negotiation answers a conformance inside both the
 *    proposal and the server's set, version 6, and a send size no larger
 *    than either side's; a refusal names InitiateError 1..3.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlms/acse.h"

#define OUT_CAP 0x10100u /* any re-encoding: 64 KiB of body plus headers */

static dlms_sec_keys_t gb_keys(void) {
    dlms_sec_keys_t k;
    memset(&k, 0, sizeof k);
    for (uint8_t i = 0; i < 16; i++) {
        k.guek[i] = i;                 /* Green Book EK */
        k.ak[i] = (uint8_t)(0xD0 + i); /* Green Book AK */
    }
    return k;
}

static void check(int ok) {
    if (!ok) {
        __builtin_trap();
    }
}

static int all_zero(const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0) {
            return 0;
        }
    }
    return 1;
}

static void check_slice(const uint8_t *p, size_t n, const uint8_t *in, size_t len) {
    check(p == NULL ? n == 0 : (p >= in && n > 0 && n <= len && (size_t)(p - in) <= len - n));
}

/* Two decodings are equal when every field is, user-information by content. */
static int same_ui(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
    return an == bn && (a == NULL) == (b == NULL) && (an == 0 || memcmp(a, b, an) == 0);
}

static void fuzz_aarq_initiate(const dlms_aarq_t *a) {
    dlms_sec_keys_t keys = gb_keys();
    dlms_sec_rx_t rx;
    memset(&rx, 0, sizeof rx);
    rx.keys = &keys;
    dlms_acse_initiate_t init;
    if (dlms_acse_aarq_initiate(a, &rx, &init) != 0) {
        check(all_zero(&init, sizeof init));
        return;
    }
    uint8_t buf[DLMS_XDLMS_INITIATE_REQUEST_MAX];
    dlms_initiate_request_t again;
    int n = dlms_initiate_request_encode(&init.request, buf, sizeof buf);
    check(n > 0 && dlms_initiate_request_decode(buf, (size_t)n, &again) == 0);
    check(memcmp(&again, &init.request, sizeof again) == 0);

    dlms_xdlms_server_cfg_t cfg = {0x00501F | DLMS_CONF_GENERAL_BLOCK_TRANSFER, 512, 0};
    dlms_xdlms_negotiated_t neg;
    int rc = dlms_xdlms_negotiate(&init.request, &cfg, &neg);
    if (rc == 0) {
        uint32_t c = neg.response.conformance;
        check(c != 0 && (c & ~init.request.conformance) == 0 && (c & ~cfg.conformance) == 0);
        check(neg.response.dlms_version == DLMS_XDLMS_VERSION);
        check(neg.max_send_pdu <= cfg.max_pdu_size && neg.max_send_pdu >= 12);
        check(neg.max_send_pdu <= neg.client_max_receive_pdu);
        uint8_t ans[32];
        dlms_initiate_response_t resp;
        n = dlms_xdlms_answer(&neg, NULL, ans, sizeof ans);
        check(n > 0 && dlms_initiate_response_decode(ans, (size_t)n, &resp) == 0);
        check(memcmp(&resp, &neg.response, sizeof resp) == 0);
    } else {
        check(rc == DLMS_APDU_ERR_XDLMS_REFUSED);
        check(neg.initiate_error >= 1 && neg.initiate_error <= 3);
    }
}

static void fuzz_aarq(const uint8_t *in, size_t len, uint8_t *out) {
    dlms_aarq_t a, b;
    if (dlms_aarq_decode(in, len, &a) != 0) {
        check(all_zero(&a, sizeof a));
        return;
    }
    check_slice(a.user_info, a.user_info_len, in, len);
    int n = dlms_aarq_encode(&a, out, OUT_CAP);
    check(n > 0 && dlms_aarq_decode(out, (size_t)n, &b) == 0);
    check(same_ui(a.user_info, a.user_info_len, b.user_info, b.user_info_len));
    b.user_info = a.user_info;
    check(memcmp(&a, &b, sizeof a) == 0);
    fuzz_aarq_initiate(&a);
}

static void fuzz_aare(const uint8_t *in, size_t len, uint8_t *out) {
    dlms_aare_t a, b;
    if (dlms_aare_decode(in, len, &a) != 0) {
        check(all_zero(&a, sizeof a));
        return;
    }
    check_slice(a.user_info, a.user_info_len, in, len);
    int n = dlms_aare_encode(&a, out, OUT_CAP);
    check(n > 0 && dlms_aare_decode(out, (size_t)n, &b) == 0);
    check(same_ui(a.user_info, a.user_info_len, b.user_info, b.user_info_len));
    b.user_info = a.user_info;
    check(memcmp(&a, &b, sizeof a) == 0);

    /* The client's reading of it, with the Green Book keys. */
    dlms_sec_keys_t keys = gb_keys();
    dlms_sec_rx_t rx;
    memset(&rx, 0, sizeof rx);
    rx.keys = &keys;
    dlms_acse_answer_t ans;
    int rc = dlms_acse_client_aare(in, len, &rx, &a, &ans);
    check(rc != 0 || (a.result == 0 && ans.has_response && !ans.has_error));
}

typedef int (*rl_dec_fn)(const uint8_t *, size_t, dlms_release_t *);
typedef int (*rl_enc_fn)(const dlms_release_t *, uint8_t *, size_t);

static void fuzz_release(const uint8_t *in, size_t len, uint8_t *out, rl_dec_fn dec,
                         rl_enc_fn enc) {
    dlms_release_t a, b;
    if (dec(in, len, &a) != 0) {
        check(all_zero(&a, sizeof a));
        return;
    }
    check_slice(a.user_info, a.user_info_len, in, len);
    int n = enc(&a, out, OUT_CAP);
    check(n > 0 && dec(out, (size_t)n, &b) == 0);
    check(same_ui(a.user_info, a.user_info_len, b.user_info, b.user_info_len));
    check(a.has_reason == b.has_reason && a.reason == b.reason);
    dlms_acse_answer_t ans;
    if (dlms_acse_read_answer(a.user_info, a.user_info_len, NULL, NULL, &ans) != 0) {
        check(all_zero(&ans, sizeof ans));
    }
}

static void fuzz_xdlms(const uint8_t *in, size_t len) {
    uint8_t buf[64];
    dlms_initiate_request_t rq, rq2;
    if (dlms_initiate_request_decode(in, len, &rq) == 0) {
        int n = dlms_initiate_request_encode(&rq, buf, sizeof buf);
        check(n > 0 && (size_t)n <= len && dlms_initiate_request_decode(buf, (size_t)n, &rq2) == 0);
        check(memcmp(&rq, &rq2, sizeof rq) == 0);
    } else {
        check(all_zero(&rq, sizeof rq));
    }
    dlms_initiate_response_t rs, rs2;
    if (dlms_initiate_response_decode(in, len, &rs) == 0) {
        int n = dlms_initiate_response_encode(&rs, buf, sizeof buf);
        check(n > 0 && (size_t)n == len && memcmp(buf, in, len) == 0);
        check(dlms_initiate_response_decode(buf, (size_t)n, &rs2) == 0);
        check(memcmp(&rs, &rs2, sizeof rs) == 0);
    } else {
        check(all_zero(&rs, sizeof rs));
    }
    dlms_confirmed_service_error_t e;
    if (dlms_confirmed_service_error_decode(in, len, &e) == 0) {
        check(len == 4 && dlms_confirmed_service_error_encode(&e, buf, sizeof buf) == 4);
        check(memcmp(buf, in, 4) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* An exact-size copy so that ASan sees any read past the end. */
    uint8_t *in = malloc(size ? size : 1);
    uint8_t *out = malloc(OUT_CAP);
    if (in == NULL || out == NULL) {
        free(in);
        free(out);
        return 0;
    }
    memcpy(in, data, size);
    fuzz_aarq(in, size, out);
    fuzz_aare(in, size, out);
    fuzz_release(in, size, out, dlms_rlrq_decode, dlms_rlrq_encode);
    fuzz_release(in, size, out, dlms_rlre_decode, dlms_rlre_encode);
    fuzz_xdlms(in, size);
    free(in);
    free(out);
    return 0;
}
