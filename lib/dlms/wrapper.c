/*
 * wrapper.c - DLMS/COSEM TCP and UDP wrapper (IEC 62056-47, Green Book
 * TCP-UDP profile): 8-byte header, build/parse, TCP reassembly, UDP check.
 * See wrapper.h for the frame layout and the refusal rules.
 */
#include "dlms/wrapper.h"

#include <string.h>

static uint16_t get_be16(const uint8_t *p) {
    return (uint16_t)(((uint16_t)p[0] << 8) | p[1]);
}

static void put_be16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* 0 and anything above the compile-time maximum mean "the maximum": every
 * APDU buffer above this layer is sized by EM_WRAPPER_MAX_APDU. */
static size_t effective_limit(size_t max_apdu) {
    if (max_apdu == 0 || max_apdu > EM_WRAPPER_MAX_APDU) {
        return EM_WRAPPER_MAX_APDU;
    }
    return max_apdu;
}

static int check_length(size_t length, size_t limit) {
    if (length == 0) {
        return DLMS_WRAPPER_ERR_EMPTY;
    }
    if (length > limit) {
        return DLMS_WRAPPER_ERR_TOO_LONG;
    }
    return 0;
}

int dlms_wrapper_header_encode(const dlms_wrapper_header_t *h, uint8_t *out, size_t cap) {
    if (h == NULL || out == NULL) {
        return DLMS_WRAPPER_ERR_BADARG;
    }
    int rc = check_length(h->length, EM_WRAPPER_MAX_APDU);
    if (rc != 0) {
        return rc;
    }
    if (cap < DLMS_WRAPPER_HEADER_LEN) {
        return DLMS_WRAPPER_ERR_BUF_SMALL;
    }
    put_be16(out, DLMS_WRAPPER_VERSION);
    put_be16(out + 2, h->source_wport);
    put_be16(out + 4, h->dest_wport);
    put_be16(out + 6, h->length);
    return (int)DLMS_WRAPPER_HEADER_LEN;
}

int dlms_wrapper_header_decode(const uint8_t *buf, size_t len, size_t max_apdu,
                               dlms_wrapper_header_t *h) {
    if (h == NULL) {
        return DLMS_WRAPPER_ERR_BADARG;
    }
    memset(h, 0, sizeof(*h));
    if (buf == NULL) {
        return DLMS_WRAPPER_ERR_BADARG;
    }
    if (len < DLMS_WRAPPER_HEADER_LEN) {
        return DLMS_WRAPPER_ERR_SHORT;
    }
    if (get_be16(buf) != DLMS_WRAPPER_VERSION) {
        return DLMS_WRAPPER_ERR_VERSION;
    }
    uint16_t length = get_be16(buf + 6);
    int rc = check_length(length, effective_limit(max_apdu));
    if (rc != 0) {
        return rc;
    }
    h->source_wport = get_be16(buf + 2);
    h->dest_wport = get_be16(buf + 4);
    h->length = length;
    return 0;
}

int dlms_wrapper_encode(uint16_t source_wport, uint16_t dest_wport, const uint8_t *apdu,
                        size_t apdu_len, uint8_t *out, size_t cap) {
    if (out == NULL || (apdu == NULL && apdu_len != 0)) {
        return DLMS_WRAPPER_ERR_BADARG;
    }
    int rc = check_length(apdu_len, EM_WRAPPER_MAX_APDU);
    if (rc != 0) {
        return rc;
    }
    if (cap < DLMS_WRAPPER_HEADER_LEN + apdu_len) {
        return DLMS_WRAPPER_ERR_BUF_SMALL;
    }
    /* Move the APDU first: it may sit where the header goes. */
    memmove(out + DLMS_WRAPPER_HEADER_LEN, apdu, apdu_len);
    dlms_wrapper_header_t h = {source_wport, dest_wport, (uint16_t)apdu_len};
    (void)dlms_wrapper_header_encode(&h, out, cap);
    return (int)(DLMS_WRAPPER_HEADER_LEN + apdu_len);
}

int dlms_wrapper_udp_decode(const uint8_t *dgram, size_t len, size_t max_apdu,
                            dlms_wrapper_header_t *h, const uint8_t **apdu) {
    if (apdu == NULL) {
        return DLMS_WRAPPER_ERR_BADARG;
    }
    *apdu = NULL;
    int rc = dlms_wrapper_header_decode(dgram, len, max_apdu, h);
    if (rc != 0) {
        return rc;
    }
    size_t want = DLMS_WRAPPER_HEADER_LEN + h->length;
    if (len != want) {
        rc = len < want ? DLMS_WRAPPER_ERR_SHORT : DLMS_WRAPPER_ERR_TRAILING;
        memset(h, 0, sizeof(*h));
        return rc;
    }
    *apdu = dgram + DLMS_WRAPPER_HEADER_LEN;
    return (int)h->length;
}

int dlms_wrapper_rx_init(dlms_wrapper_rx_t *rx, size_t max_apdu) {
    if (rx == NULL || max_apdu > EM_WRAPPER_MAX_APDU) {
        return DLMS_WRAPPER_ERR_BADARG;
    }
    rx->max_apdu = effective_limit(max_apdu);
    dlms_wrapper_rx_reset(rx);
    return 0;
}

void dlms_wrapper_rx_reset(dlms_wrapper_rx_t *rx) {
    if (rx == NULL) {
        return;
    }
    rx->have = 0;
    rx->error = 0;
    rx->delivered = false;
    memset(&rx->header, 0, sizeof(rx->header));
}

/* Take header bytes; once all 8 are in, validate them before any payload
 * is accepted. Returns 0 or a refusal (made sticky by the caller). */
static int rx_take_header(dlms_wrapper_rx_t *rx, const uint8_t *data, size_t len, size_t *used) {
    size_t n = DLMS_WRAPPER_HEADER_LEN - rx->have;
    if (n > len) {
        n = len;
    }
    memcpy(rx->hdr + rx->have, data, n);
    rx->have += n;
    *used = n;
    if (rx->have < DLMS_WRAPPER_HEADER_LEN) {
        return 0;
    }
    return dlms_wrapper_header_decode(rx->hdr, DLMS_WRAPPER_HEADER_LEN, rx->max_apdu, &rx->header);
}

static size_t rx_take_payload(dlms_wrapper_rx_t *rx, const uint8_t *data, size_t len) {
    size_t got = rx->have - DLMS_WRAPPER_HEADER_LEN;
    size_t n = (size_t)rx->header.length - got;
    if (n > len) {
        n = len;
    }
    memcpy(rx->apdu + got, data, n);
    rx->have += n;
    return n;
}

int dlms_wrapper_rx_feed(dlms_wrapper_rx_t *rx, const uint8_t *data, size_t len, size_t *consumed) {
    if (consumed != NULL) {
        *consumed = 0;
    }
    if (rx == NULL || consumed == NULL || (data == NULL && len != 0)) {
        return DLMS_WRAPPER_ERR_BADARG;
    }
    if (rx->error != 0) {
        return rx->error;
    }
    if (rx->delivered) {
        /* The previous frame was handed out; this call starts the next. */
        rx->delivered = false;
        rx->have = 0;
    }
    size_t pos = 0;
    if (rx->have < DLMS_WRAPPER_HEADER_LEN) {
        size_t used = 0;
        int rc = rx_take_header(rx, data, len, &used);
        pos += used;
        *consumed = pos;
        if (rc != 0) {
            rx->error = rc;
            return rc;
        }
        if (rx->have < DLMS_WRAPPER_HEADER_LEN) {
            return 0;
        }
    }
    pos += rx_take_payload(rx, data + pos, len - pos);
    *consumed = pos;
    if (rx->have == DLMS_WRAPPER_HEADER_LEN + rx->header.length) {
        rx->delivered = true;
        return (int)rx->header.length;
    }
    return 0;
}

const dlms_wrapper_header_t *dlms_wrapper_rx_header(const dlms_wrapper_rx_t *rx) {
    return &rx->header;
}

const uint8_t *dlms_wrapper_rx_apdu(const dlms_wrapper_rx_t *rx) {
    return rx->apdu;
}

bool dlms_wrapper_rx_partial(const dlms_wrapper_rx_t *rx) {
    return rx != NULL && rx->have > 0 && !rx->delivered;
}

const char *dlms_wrapper_strerror(int err) {
    switch (err) {
    case 0:
        return "success";
    case DLMS_WRAPPER_ERR_BADARG:
        return "wrapper: invalid argument";
    case DLMS_WRAPPER_ERR_VERSION:
        return "wrapper: version is not 0x0001";
    case DLMS_WRAPPER_ERR_TOO_LONG:
        return "wrapper: APDU length above the limit";
    case DLMS_WRAPPER_ERR_EMPTY:
        return "wrapper: APDU length is zero";
    case DLMS_WRAPPER_ERR_SHORT:
        return "wrapper: frame shorter than its header announces";
    case DLMS_WRAPPER_ERR_TRAILING:
        return "wrapper: bytes after the announced APDU";
    case DLMS_WRAPPER_ERR_BUF_SMALL:
        return "wrapper: output buffer too small";
    default:
        return "wrapper: unknown error";
    }
}
