/*
 * fuzz_security.c - libFuzzer target for the ciphered APDU path of
 * lib/dlms/security (glo-, ded-, general-glo and general-ded envelopes).
 *
 * Input: one flag byte, then the bytes under test.
 *   bit 0  receiver does not know the peer title (general-* only)
 *   bit 1  security policy requires authentication
 *   bit 2  security policy requires encryption
 *   bit 3  an IC of 0x01234566 was already accepted under every key
 *   bit 7  protect mode: the rest is a plain APDU to protect and unprotect
 *          (bits 4-5 pick the SC, bit 6 the dedicated key, bit 0 the form)
 *
 * Invariants (trap on violation): on failure the output is all zero; on
 * success the SC meets the policy, the IC is fresh, and protecting the
 * plain APDU again with the same SC, IC, title and key gives the very
 * ciphered content that was received.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlms/security.h"

static const uint8_t server_title[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E};
static const uint8_t last_ic = 0x66; /* low byte of 0x01234566 */

static void make_keys(dlms_sec_keys_t *k) {
    memset(k, 0, sizeof *k);
    for (uint8_t i = 0; i < 16; i++) {
        k->guek[i] = i;                 /* Green Book EK */
        k->ak[i] = (uint8_t)(0xD0 + i); /* Green Book AK */
        k->gbek[i] = (uint8_t)(0x42 + i);
        k->kek[i] = i;
        k->dedicated[i] = (uint8_t)(0x11 * i); /* 00 11 22 .. FF */
    }
    k->has_dedicated = true;
}

static int all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) {
            return 0;
        }
    }
    return 1;
}

/* Protecting the recovered APDU again must reproduce the input. */
static void check_reprotect(const dlms_sec_keys_t *keys, const dlms_sec_info_t *info,
                            const uint8_t *in, size_t in_len, const uint8_t *plain, size_t n) {
    dlms_sec_tx_t tx = {keys, info->system_title, info->sc, info->ic, info->dedicated};
    uint8_t *buf = malloc(in_len + DLMS_SEC_MAX_ENVELOPE);
    int c = dlms_sec_protect_content(&tx, plain, n, buf, in_len);
    if (c <= 0 || (size_t)c > in_len || memcmp(buf, in + in_len - (size_t)c, (size_t)c) != 0) {
        __builtin_trap();
    }
    int e = dlms_sec_protect(&tx, info->form, plain, n, buf, in_len + DLMS_SEC_MAX_ENVELOPE);
    if (e <= c || buf[0] != in[0]) {
        __builtin_trap();
    }
    /* Only a non-minimal length in the input can make it longer. */
    if ((size_t)e > in_len || ((size_t)e == in_len && memcmp(buf, in, in_len) != 0)) {
        __builtin_trap();
    }
    free(buf);
}

static void fuzz_unprotect(uint8_t flags, const uint8_t *in, size_t len) {
    dlms_sec_keys_t keys;
    make_keys(&keys);
    dlms_sec_rx_t rx;
    memset(&rx, 0, sizeof rx);
    rx.keys = &keys;
    rx.peer_title = (flags & 0x01) ? NULL : server_title;
    rx.sc_required =
        (uint8_t)(((flags & 0x02) ? DLMS_SEC_SC_AUTH : 0) | ((flags & 0x04) ? DLMS_SEC_SC_ENC : 0));
    for (int k = 0; k < DLMS_SEC_KEY_COUNT; k++) {
        rx.ic[k].last = 0x01234500u | last_ic;
        rx.ic[k].valid = (flags & 0x08) != 0;
    }
    size_t cap = len ? len : 1;
    uint8_t *out = malloc(cap);
    memset(out, 0xAA, cap);
    dlms_sec_info_t info;
    int n = dlms_sec_unprotect(&rx, in, len, out, cap, &info);
    if (n < 0) {
        if (!all_zero(out, cap)) {
            __builtin_trap();
        }
    } else {
        if (n == 0 || (size_t)n >= len || (info.sc & rx.sc_required) != rx.sc_required ||
            (rx.ic[info.key].valid && info.ic <= rx.ic[info.key].last)) {
            __builtin_trap();
        }
        check_reprotect(&keys, &info, in, len, out, (size_t)n);
    }
    free(out);
}

/* Any plain APDU protected in any form comes back unchanged. */
static void fuzz_round_trip(uint8_t flags, const uint8_t *apdu, size_t len) {
    static const uint8_t scs[4] = {0x10, 0x20, 0x30, 0x70};
    dlms_sec_keys_t keys;
    make_keys(&keys);
    bool dedicated = (flags & 0x40) != 0;
    uint8_t sc = scs[(flags >> 4) & 3];
    dlms_sec_form_t form = (flags & 1) ? DLMS_SEC_FORM_GENERAL : DLMS_SEC_FORM_SERVICE;
    dlms_sec_tx_t tx = {&keys, server_title, sc, 0x01234567u, dedicated};
    size_t cap = len + DLMS_SEC_OVERHEAD + DLMS_SEC_MAX_ENVELOPE;
    uint8_t *wire = malloc(cap);
    uint8_t *plain = malloc(cap);
    int n = dlms_sec_protect(&tx, form, apdu, len, wire, cap);
    if (n < 0) {
        bool expected = n == DLMS_SEC_ERR_BADARG || n == DLMS_SEC_ERR_APDU_TAG ||
                        n == DLMS_SEC_ERR_SC || n == DLMS_SEC_ERR_LENGTH;
        if (!expected || !all_zero(wire, cap)) {
            __builtin_trap();
        }
    } else {
        dlms_sec_rx_t rx;
        memset(&rx, 0, sizeof rx);
        rx.keys = &keys;
        rx.peer_title = server_title;
        dlms_sec_info_t info;
        int m = dlms_sec_unprotect(&rx, wire, (size_t)n, plain, cap, &info);
        if (m < 0 || (size_t)m != len || memcmp(plain, apdu, len) != 0 || info.sc != sc ||
            info.ic != tx.ic || info.dedicated != dedicated) {
            __builtin_trap();
        }
    }
    free(wire);
    free(plain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    uint8_t flags = data[0];
    if (flags & 0x80) {
        fuzz_round_trip(flags, data + 1, size - 1);
    } else {
        fuzz_unprotect(flags, data + 1, size - 1);
    }
    return 0;
}
