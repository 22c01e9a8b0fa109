/*
 * apdu_gbt.c - general-block-transfer (IEC 62056-5-3 / Green Book "General
 * block transfer (GBT) mechanism"; General-Block-Transfer APDU, tag E0,
 * dlms-facts §4.4): the APDU codec and the bookkeeping of one APDU sent or
 * received in blocks with a window, acknowledgements and the resending of
 * lost blocks. The rules kept are listed in apdu.h.
 */
#include "dlms/apdu.h"

#include <string.h>

#include "dlms/apdu_internal.h"

/* ---- the APDU ----------------------------------------------------------------- */

int dlms_gbt_put_header(axdr_enc_t *e, const dlms_gbt_t *g, size_t data_len) {
    if (g == NULL || g->window > DLMS_GBT_WINDOW_MASK) {
        return DLMS_APDU_ERR_BADARG;
    }
    uint8_t control = (uint8_t)(g->window | (g->last_block ? DLMS_GBT_LAST_BLOCK : 0u) |
                                (g->streaming ? DLMS_GBT_STREAMING : 0u));
    apdu_put_u8(e, DLMS_APDU_GENERAL_BLOCK_TRANSFER);
    apdu_put_u8(e, control);
    apdu_put_u16(e, g->block_number);
    apdu_put_u16(e, g->block_number_ack);
    return axdr_put_length(e, data_len);
}

int dlms_gbt_encode(const dlms_gbt_t *g, uint8_t *out, size_t cap) {
    axdr_enc_t e;
    int rc = g == NULL ? DLMS_APDU_ERR_BADARG : apdu_enc_begin(&e, out, cap);
    if (rc != 0) {
        return rc;
    }
    if (g->block_data.p == NULL && g->block_data.len > 0) {
        return apdu_enc_finish(&e, DLMS_APDU_ERR_BADARG);
    }
    rc = dlms_gbt_put_header(&e, g, g->block_data.len);
    if (rc == 0) {
        axdr_put_raw(&e, g->block_data.p, g->block_data.len);
    }
    return apdu_enc_finish(&e, rc);
}

int dlms_gbt_decode(const uint8_t *in, size_t len, dlms_gbt_t *g) {
    if (g == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    memset(g, 0, sizeof(*g));
    axdr_dec_t d;
    uint8_t control = 0;
    int rc = apdu_dec_begin(&d, in, len, DLMS_APDU_GENERAL_BLOCK_TRANSFER, &control);
    if (rc == 0) {
        rc = apdu_get_u16(&d, &g->block_number);
    }
    if (rc == 0) {
        rc = apdu_get_u16(&d, &g->block_number_ack);
    }
    if (rc == 0) {
        rc = apdu_get_octets(&d, &g->block_data);
    }
    if (rc == 0) {
        rc = apdu_dec_end(&d);
    }
    if (rc != 0) {
        memset(g, 0, sizeof(*g));
        return rc;
    }
    g->last_block = (control & DLMS_GBT_LAST_BLOCK) != 0;
    g->streaming = (control & DLMS_GBT_STREAMING) != 0;
    g->window = control & DLMS_GBT_WINDOW_MASK;
    return 0;
}

/* ---- sender --------------------------------------------------------------------- */

static uint8_t window_of(uint8_t w) {
    w &= DLMS_GBT_WINDOW_MASK;
    return w == 0 ? 1 : w; /* a window of 0 would stall the transfer */
}

static uint16_t window_end(const dlms_gbt_tx_t *tx, uint16_t from) {
    uint32_t end = (uint32_t)from + tx->window;
    return end < tx->blocks ? (uint16_t)end : tx->blocks;
}

int dlms_gbt_tx_init(dlms_gbt_tx_t *tx, size_t total, size_t block_size,
                     uint16_t first_block_number, uint8_t peer_window) {
    if (tx == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    memset(tx, 0, sizeof(*tx));
    if (block_size == 0 || first_block_number == 0) {
        return DLMS_APDU_ERR_BADARG;
    }
    /* An empty APDU still takes one (empty, last) block. */
    size_t blocks = total / block_size + (total % block_size != 0 || total == 0);
    if (blocks > (size_t)(UINT16_MAX - first_block_number) + 1) {
        return DLMS_APDU_ERR_TOO_LONG; /* block numbers are Unsigned16 */
    }
    tx->total = total;
    tx->block_size = block_size;
    tx->first = first_block_number;
    tx->blocks = (uint16_t)blocks;
    tx->window = window_of(peer_window);
    tx->window_end = window_end(tx, 0);
    return 0;
}

int dlms_gbt_tx_next(dlms_gbt_tx_t *tx, dlms_gbt_block_t *blk) {
    if (tx == NULL || blk == NULL || tx->next >= tx->window_end) {
        return 0;
    }
    uint16_t i = tx->next++;
    blk->block_number = (uint16_t)(tx->first + i);
    blk->offset = (size_t)i * tx->block_size;
    size_t left = tx->total - blk->offset;
    blk->len = left < tx->block_size ? left : tx->block_size;
    blk->last_block = i + 1u == tx->blocks;
    blk->streaming = i + 1u < tx->window_end; /* 0 closes the stream: wait for an ack */
    return 1;
}

int dlms_gbt_tx_ack(dlms_gbt_tx_t *tx, uint16_t block_number_ack, uint8_t peer_window) {
    if (tx == NULL) {
        return DLMS_APDU_ERR_BADARG;
    }
    /* Blocks acknowledged, counted from our first block; an ack below it
     * (of an earlier exchange) acknowledges none. */
    uint16_t acked =
        block_number_ack >= tx->first ? (uint16_t)(block_number_ack - tx->first + 1u) : 0;
    if (acked > tx->next) {
        return DLMS_APDU_ERR_BLOCK_NUMBER;
    }
    if (acked < tx->acked) {
        return 0; /* stale, e.g. a repeated acknowledgement */
    }
    tx->acked = acked;
    tx->next = acked; /* anything sent after it is resent */
    tx->window = window_of(peer_window);
    tx->window_end = window_end(tx, acked);
    return acked == tx->blocks ? 1 : 0;
}

bool dlms_gbt_tx_done(const dlms_gbt_tx_t *tx) {
    return tx != NULL && tx->blocks > 0 && tx->acked == tx->blocks;
}

/* ---- receiver ------------------------------------------------------------------- */

void dlms_gbt_rx_init(dlms_gbt_rx_t *rx, uint8_t *buf, size_t cap, uint8_t window,
                      uint16_t first_block_number) {
    if (rx == NULL) {
        return;
    }
    memset(rx, 0, sizeof(*rx));
    rx->buf = buf;
    rx->cap = buf != NULL ? cap : 0;
    rx->window = window_of(window);
    rx->expected = first_block_number != 0 ? first_block_number : 1;
}

/* The block we waited for: keep its data. */
static int rx_in_sequence(dlms_gbt_rx_t *rx, const dlms_gbt_t *g) {
    size_t n = g->block_data.len;
    if (n > rx->cap - rx->len) {
        return DLMS_APDU_ERR_TOO_LONG;
    }
    if (n > 0) {
        memcpy(rx->buf + rx->len, g->block_data.p, n);
        rx->len += n;
    }
    rx->expected++;
    rx->gap = false;
    if (g->last_block) {
        rx->complete = true;
        return DLMS_GBT_RX_COMPLETE;
    }
    if (++rx->in_stream >= rx->window || !g->streaming) {
        rx->in_stream = 0;
        return DLMS_GBT_RX_ACK;
    }
    return DLMS_GBT_RX_MORE;
}

int dlms_gbt_rx_push(dlms_gbt_rx_t *rx, const dlms_gbt_t *g) {
    if (rx == NULL || g == NULL || (g->block_data.p == NULL && g->block_data.len > 0)) {
        return DLMS_APDU_ERR_BADARG;
    }
    if (rx->complete) {
        return DLMS_GBT_RX_COMPLETE;
    }
    /* An acknowledgement-only GBT carries no data: it uses up its number if
     * it is the one expected (peers that number their acks) and is never
     * answered, or two receivers would acknowledge each other forever. */
    bool ack_only = g->block_data.len == 0 && !g->last_block;
    if (ack_only) {
        if (g->block_number == rx->expected) {
            rx->expected++;
        }
        return DLMS_GBT_RX_MORE;
    }
    if (g->block_number == rx->expected) {
        return rx_in_sequence(rx, g);
    }
    /* Ahead of what we expect: a block was lost; behind: a repeat. Either
     * way the data is dropped, and at the end of the stream we acknowledge
     * the last block in sequence so the sender resends from there. */
    if ((uint16_t)(g->block_number - rx->expected) < 0x8000u) {
        rx->gap = true;
    }
    if (!g->streaming || g->last_block) {
        rx->in_stream = 0;
        return DLMS_GBT_RX_ACK;
    }
    return DLMS_GBT_RX_MORE;
}

uint16_t dlms_gbt_rx_ack_number(const dlms_gbt_rx_t *rx) {
    return rx != NULL ? (uint16_t)(rx->expected - 1u) : 0;
}
