/*
 * apdu_stream.c - streaming of long GET and ACTION replies in datablocks
 * (IEC 62056-5-3 / Green Book "GET service with block transfer", "ACTION
 * service with block transfer") without building them whole, and the
 * receiver's reassembly of datablocks. See "Streaming" in apdu.h.
 *
 * A value is described by a producer that replays its axdr puts. The
 * engine measures it once, then for each block runs it again on an A-XDR
 * encoder in window mode whose buffer is the output right after the block
 * header, so the only RAM a block costs is the output APDU itself.
 */
#include "dlms/apdu.h"

#include <string.h>

#include "dlms/apdu_internal.h"

/* get-response-with-datablock: C4 02 iid last u32 00 (then the length);
 * action-response-with-pblock: C7 02 iid last u32 (then the length). */
#define GET_BLOCK_HEADER    9
#define ACTION_BLOCK_HEADER 8

/* Largest APDU the engine writes: its length is returned as an int. */
#define APDU_LEN_MAX ((size_t)INT32_MAX)

/* ---- seeking producers ---------------------------------------------------- */

size_t dlms_apdu_window_start(const axdr_enc_t *e) {
    /* axdr.h has no accessor for this (see apdu.h): read the fields it
     * documents as the window offset and the mode. */
    return (e != NULL && e->mode == AXDR_ENC_WINDOW) ? e->offset : 0;
}

int dlms_apdu_skip(axdr_enc_t *e, size_t n) {
    /* Filler for bytes that fall before the window: axdr drops them, so
     * their value never reaches the output. */
    static const uint8_t filler[64];
    if (e == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    if (e->err != 0) {
        return e->err;
    }
    if (e->mode == AXDR_ENC_WRITE) {
        return DLMS_APDU_ERR_SKIP;
    }
    if (e->mode == AXDR_ENC_WINDOW) {
        size_t pos = axdr_enc_size(e);
        if (pos > e->offset || n > e->offset - pos) {
            return DLMS_APDU_ERR_SKIP;
        }
    }
    while (n > 0 && e->err == 0) {
        size_t k = n < sizeof(filler) ? n : sizeof(filler);
        axdr_put_raw(e, filler, k);
        n -= k;
    }
    return e->err;
}

/* ---- running producers ----------------------------------------------------- */

/* A-XDR errors from a producer's puts mean it asked for something
 * impossible; its own codes (other modules) pass through. */
static int producer_err(int rc) {
    return (rc <= -0x0100 && rc >= -0x01FF) ? DLMS_APDU_ERR_PRODUCER : rc;
}

int dlms_apdu_produce_measure(dlms_apdu_producer_t produce, void *user, size_t *total) {
    if (produce == NULL || total == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    *total = 0;
    axdr_enc_t e;
    axdr_enc_init_measure(&e);
    int rc = produce(user, &e);
    if (rc == 0) {
        rc = e.err;
    }
    if (rc != 0) {
        return producer_err(rc);
    }
    *total = e.len;
    return 0;
}

int dlms_apdu_produce_window(const uint8_t *prefix, size_t prefix_len, dlms_apdu_producer_t produce,
                             void *user, size_t offset, uint8_t *buf, size_t len) {
    if (produce == NULL || (buf == NULL && len > 0) || (prefix == NULL && prefix_len > 0)) {
        return DLMS_APDU_ERR_BADARG;
    }
    if (len == 0) {
        return 0;
    }
    axdr_enc_t e;
    axdr_enc_init_window(&e, buf, len, offset);
    axdr_put_raw(&e, prefix, prefix_len);
    int rc = e.err == 0 ? produce(user, &e) : 0;
    /* In window mode AXDR_ERR_OVERFLOW is "window full", the normal end. */
    if (rc != 0 && rc != AXDR_ERR_OVERFLOW) {
        return producer_err(rc);
    }
    if ((e.err != 0 && e.err != AXDR_ERR_OVERFLOW) || e.len != len) {
        return DLMS_APDU_ERR_PRODUCER; /* fewer bytes than measured */
    }
    return 0;
}

static size_t length_field_size(size_t n) {
    axdr_enc_t e;
    axdr_enc_init_measure(&e);
    axdr_put_length(&e, n);
    return e.err == 0 ? e.len : AXDR_LENGTH_MAX_BYTES;
}

size_t dlms_apdu_block_room(size_t max_pdu, size_t header_len) {
    if (max_pdu <= header_len) {
        return 0;
    }
    size_t avail = max_pdu - header_len;
    if (avail > (size_t)UINT32_MAX) {
        avail = (size_t)UINT32_MAX; /* the length field tops out at 2^32-1 */
    }
    /* Try each length-field size: the first whose room fits it wins. */
    for (size_t lf = 1; lf <= AXDR_LENGTH_MAX_BYTES; lf++) {
        if (avail <= lf) {
            return 0;
        }
        size_t n = avail - lf;
        if (length_field_size(n) <= lf) {
            return n;
        }
    }
    return 0;
}

/* ---- the engine ------------------------------------------------------------ */

size_t apdu_normal_prefix(uint8_t service, uint8_t invoke_id, bool list_form,
                          uint8_t prefix[APDU_NORMAL_PREFIX_MAX]) {
    size_t n = 0;
    prefix[n++] = service;
    prefix[n++] = list_form ? 3 : 1; /* with-list : normal, same in GET and ACTION */
    prefix[n++] = invoke_id;
    if (service == DLMS_APDU_GET_RESPONSE && !list_form) {
        prefix[n++] = 0; /* Get-Data-Result choice data */
    }
    return n;
}

static size_t limit_of(size_t max_pdu, size_t cap) {
    size_t limit = max_pdu < cap ? max_pdu : cap;
    return limit < APDU_LEN_MAX ? limit : APDU_LEN_MAX;
}

int apdu_stream_start(dlms_block_stream_t *s, uint8_t service, uint8_t invoke_id, bool list_form,
                      dlms_apdu_producer_t produce, void *user, size_t max_pdu, uint8_t *out,
                      size_t cap) {
    if (s == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    memset(s, 0, sizeof(*s));
    if (produce == NULL || out == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    size_t total = 0;
    int rc = dlms_apdu_produce_measure(produce, user, &total);
    if (rc == 0 && total == 0) {
        rc = DLMS_APDU_ERR_PRODUCER; /* a response needs at least one Data */
    }
    if (rc != 0) {
        return rc;
    }
    uint8_t prefix[APDU_NORMAL_PREFIX_MAX];
    size_t plen = apdu_normal_prefix(service, invoke_id, list_form, prefix);
    size_t limit = limit_of(max_pdu, cap);
    if (total <= limit && plen <= limit - total) {
        rc = dlms_apdu_produce_window(prefix, plen, produce, user, 0, out, plen + total);
        if (rc != 0) {
            memset(out, 0, cap);
            return rc;
        }
        return (int)(plen + total);
    }
    s->produce = produce;
    s->user = user;
    s->total = total;
    s->invoke_id = invoke_id;
    s->service = service;
    s->list_form = list_form;
    s->active = true;
    rc = apdu_stream_next_block(s, max_pdu, out, cap);
    if (rc < 0) {
        memset(s, 0, sizeof(*s));
    }
    return rc;
}

/* Header of block s->block_number + 1 carrying n raw-data bytes. */
static int put_block_header(axdr_enc_t *e, const dlms_block_stream_t *s, size_t n, bool last) {
    apdu_put_u8(e, s->service);
    apdu_put_u8(e, 2); /* with-datablock / with-pblock */
    apdu_put_u8(e, s->invoke_id);
    apdu_put_u8(e, last ? 1 : 0);
    apdu_put_u32(e, s->block_number + 1);
    if (s->service == DLMS_APDU_GET_RESPONSE) {
        apdu_put_u8(e, 0); /* DataBlock-G result choice raw-data */
    }
    return axdr_put_length(e, n);
}

int apdu_stream_next_block(dlms_block_stream_t *s, size_t max_pdu, uint8_t *out, size_t cap) {
    if (s == NULL || out == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    if (!s->active) {
        return DLMS_APDU_ERR_STATE;
    }
    size_t hdr = s->service == DLMS_APDU_GET_RESPONSE ? GET_BLOCK_HEADER : ACTION_BLOCK_HEADER;
    size_t room = dlms_apdu_block_room(limit_of(max_pdu, cap), hdr);
    if (room == 0) {
        return DLMS_APDU_ERR_PDU_SIZE;
    }
    if (s->block_number == UINT32_MAX) {
        s->active = false;
        return DLMS_APDU_ERR_TOO_LONG;
    }
    size_t left = s->total - s->sent;
    size_t n = room < left ? room : left;
    bool last = n == left;
    axdr_enc_t e;
    axdr_enc_init(&e, out, cap);
    if (put_block_header(&e, s, n, last) != 0) {
        return DLMS_APDU_ERR_BUFFER;
    }
    size_t h = e.len;
    int rc = dlms_apdu_produce_window(NULL, 0, s->produce, s->user, s->sent, out + h, n);
    if (rc != 0) {
        memset(out, 0, cap);
        s->active = false;
        return rc;
    }
    s->sent += n;
    s->block_number++;
    s->active = !last;
    return (int)(h + n);
}

void dlms_block_stream_abort(dlms_block_stream_t *s) {
    if (s != NULL) {
        memset(s, 0, sizeof(*s));
    }
}

/* ---- reassembly --------------------------------------------------------------- */

void dlms_block_rx_init(dlms_block_rx_t *rx, uint8_t *buf, size_t cap) {
    if (rx == NULL) {
        return;
    }
    rx->buf = buf;
    rx->cap = buf != NULL ? cap : 0;
    rx->len = 0;
    rx->expected = 1;
    rx->complete = false;
}

int dlms_block_rx_push(dlms_block_rx_t *rx, const dlms_datablock_t *b) {
    if (rx == NULL || b == NULL || (b->raw_data.p == NULL && b->raw_data.len > 0)) {
        return DLMS_APDU_ERR_BADARG;
    }
    if (rx->complete) {
        return DLMS_APDU_ERR_STATE;
    }
    if (b->is_result) {
        return DLMS_APDU_ERR_ABORTED;
    }
    if (b->block_number != rx->expected) {
        return DLMS_APDU_ERR_BLOCK_NUMBER;
    }
    if (b->raw_data.len > rx->cap - rx->len) {
        return DLMS_APDU_ERR_TOO_LONG;
    }
    if (b->raw_data.len > 0) {
        memcpy(rx->buf + rx->len, b->raw_data.p, b->raw_data.len);
        rx->len += b->raw_data.len;
    }
    rx->expected++;
    rx->complete = b->last_block;
    return rx->complete ? 1 : 0;
}
