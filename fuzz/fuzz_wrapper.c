/*
 * fuzz_wrapper.c - libFuzzer target for the DLMS TCP/UDP wrapper.
 *
 * Input layout: byte 0 picks a per-connection APDU limit, byte 1 seeds the
 * chunk sizes, the rest is the TCP stream. Invariants checked:
 *  - every frame the reassembler hands out re-encodes to exactly the
 *    stream bytes it came from, and its length is within the limit;
 *  - feed never consumes more than it was given, and a refusal is sticky;
 *  - the UDP decoder accepts the whole stream only if it re-encodes to it.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dlms/wrapper.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static dlms_wrapper_rx_t rx;
static uint8_t enc[DLMS_WRAPPER_HEADER_LEN + EM_WRAPPER_MAX_APDU];

static void check_frame(const uint8_t *stream, size_t end, int apdu_len, size_t limit) {
    const dlms_wrapper_header_t *h = dlms_wrapper_rx_header(&rx);
    if (apdu_len <= 0 || (size_t)apdu_len > limit || h->length != (uint16_t)apdu_len) {
        __builtin_trap();
    }
    size_t flen = DLMS_WRAPPER_HEADER_LEN + (size_t)apdu_len;
    if (end < flen) {
        __builtin_trap();
    }
    int n = dlms_wrapper_encode(h->source_wport, h->dest_wport, dlms_wrapper_rx_apdu(&rx),
                                (size_t)apdu_len, enc, sizeof(enc));
    if (n != (int)flen || memcmp(enc, stream + end - flen, flen) != 0) {
        __builtin_trap();
    }
}

static void fuzz_tcp(const uint8_t *stream, size_t len, size_t limit, uint8_t seed) {
    if (dlms_wrapper_rx_init(&rx, limit) != 0) {
        __builtin_trap();
    }
    size_t eff = limit == 0 ? EM_WRAPPER_MAX_APDU : limit;
    size_t pos = 0;
    uint32_t lcg = seed;
    while (pos < len) {
        lcg = lcg * 1103515245u + 12345u;
        size_t chunk = 1 + (lcg >> 16) % 64;
        if (chunk > len - pos) {
            chunk = len - pos;
        }
        size_t used = 0;
        int rc = dlms_wrapper_rx_feed(&rx, stream + pos, chunk, &used);
        if (used > chunk) {
            __builtin_trap();
        }
        pos += used;
        if (rc > 0) {
            check_frame(stream, pos, rc, eff);
        } else if (rc < 0) {
            size_t again = 1;
            if (dlms_wrapper_rx_feed(&rx, stream, len, &again) != rc || again != 0) {
                __builtin_trap();
            }
            return;
        } else if (used != chunk) {
            __builtin_trap();
        }
    }
}

static void fuzz_udp(const uint8_t *dgram, size_t len, size_t limit) {
    dlms_wrapper_header_t h;
    const uint8_t *apdu = NULL;
    int rc = dlms_wrapper_udp_decode(dgram, len, limit, &h, &apdu);
    if (rc <= 0) {
        return;
    }
    if ((size_t)rc + DLMS_WRAPPER_HEADER_LEN != len || apdu != dgram + DLMS_WRAPPER_HEADER_LEN) {
        __builtin_trap();
    }
    int n = dlms_wrapper_encode(h.source_wport, h.dest_wport, apdu, (size_t)rc, enc, sizeof(enc));
    if (n != (int)len || memcmp(enc, dgram, len) != 0) {
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) {
        return 0;
    }
    /* 0 = compile-time maximum, else a small limit so refusals are common. */
    size_t limit = data[0] < 128 ? 0 : (size_t)(data[0] - 127);
    fuzz_tcp(data + 2, size - 2, limit, data[1]);
    fuzz_udp(data + 2, size - 2, limit);
    return 0;
}
