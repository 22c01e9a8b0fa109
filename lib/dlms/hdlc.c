/*
 * hdlc.c - HDLC data link state machines for DLMS/COSEM (IEC 62056-46): secondary station
 * (server) and primary station (client) in normal response mode, with segmentation, windows,
 * checkpoint retransmission (go back to the peer's N(R) on a poll) and timeouts.
 * See hdlc.h for the behaviour; ISO/IEC 13239 for the procedures it follows.
 */
#include "dlms/hdlc.h"

#include <string.h>

static const uint8_t llc_request[HDLC_LLC_LEN] = {0xE6, 0xE6, 0x00};
static const uint8_t llc_response[HDLC_LLC_LEN] = {0xE6, 0xE7, 0x00};

/* What a client waits for. */
enum {
    WAIT_NONE = 0, /* the client holds the poll and has nothing to ask */
    WAIT_FINAL,    /* a frame with P=1 went out: waiting for the server's F=1 */
    WAIT_REPOLL,   /* the client holds the poll but wants to ask again at deadline_ms */
};

/* ---- common helpers ------------------------------------------------------ */

static void emit_event(hdlc_t *h, hdlc_event_t ev, int err) {
    if (h->on_event != NULL) {
        h->on_event(h->user, ev, err);
    }
}

/* A frame that cannot be built or sent counts as lost on the line: the peer's poll or our
 * timeout recovers it, so callers keep their state moving. */
static int send_frame(hdlc_t *h, uint8_t control, bool segmented, const uint8_t *info,
                      size_t info_len) {
    hdlc_frame_t f;
    int n;

    memset(&f, 0, sizeof f);
    f.segmented = segmented;
    f.dest = h->peer;
    f.src = h->self;
    f.control = control;
    f.info = info;
    f.info_len = info_len;
    n = hdlc_frame_build(&f, h->frame, sizeof h->frame);
    if (n < 0 || h->tx(h->user, h->frame, (size_t)n) < 0) {
        h->stats.tx_errors++;
        if (h->tx_rc == 0) {
            h->tx_rc = HDLC_ERR_TX;
        }
        return HDLC_ERR_TX;
    }
    h->stats.frames_tx++;
    return 0;
}

static int send_u(hdlc_t *h, uint8_t cmd, const uint8_t *info, size_t len) {
    return send_frame(h, hdlc_ctrl_u(cmd, true), false, info, len);
}

static int send_rr(hdlc_t *h) {
    return send_frame(h, hdlc_ctrl_s(HDLC_CTRL_RR, h->vr, true), false, NULL, 0);
}

static void rx_reset(hdlc_t *h) {
    h->rx_len = 0;
    h->rx_open = false;
    h->rx_overflow = false;
}

static void tx_reset(hdlc_t *h) {
    h->tx_len = 0;
    h->tx_segs = 0;
    h->tx_next = 0;
    h->tx_acked = 0;
}

static void link_reset(hdlc_t *h) {
    h->vs = 0;
    h->vr = 0;
    h->peer_busy = false;
    h->wait = WAIT_NONE;
    h->retries = 0;
    h->idle_polls = 0;
    h->expect_response = false;
    h->rx_gap = false;
    rx_reset(h);
    tx_reset(h);
}

/* Back to NDM; the upper layer hears of it when a link (or a link attempt) existed. */
static void link_down(hdlc_t *h, int err) {
    bool was_up = h->state != HDLC_STATE_NDM;

    link_reset(h);
    h->state = HDLC_STATE_NDM;
    if (was_up) {
        emit_event(h, HDLC_EVENT_DISCONNECTED, err);
    }
}

/* ---- transmit segmentation ---------------------------------------------------- */

static void tx_queue(hdlc_t *h, const uint8_t *llc, const uint8_t *apdu, size_t len) {
    memcpy(h->tx_buf, llc, HDLC_LLC_LEN);
    if (len > 0) {
        memcpy(h->tx_buf + HDLC_LLC_LEN, apdu, len);
    }
    h->tx_len = len + HDLC_LLC_LEN;
    h->tx_segs = (uint16_t)((h->tx_len + h->neg.max_info_tx - 1) / h->neg.max_info_tx);
    h->tx_next = 0;
    h->tx_acked = 0;
}

/* N(R) acknowledges every frame before it. It must lie between the oldest unacknowledged
 * N(S) and V(S); anything else acknowledges frames never sent. */
static int tx_ack(hdlc_t *h, uint8_t nr) {
    uint16_t outstanding = (uint16_t)(h->tx_next - h->tx_acked);
    uint8_t oldest = (uint8_t)((h->vs - outstanding) & 7);
    uint8_t n = (uint8_t)((nr - oldest) & 7);

    if (n > outstanding) {
        return HDLC_ERR_NR;
    }
    h->tx_acked = (uint16_t)(h->tx_acked + n);
    if (h->tx_len > 0 && h->tx_acked == h->tx_segs) {
        tx_reset(h);
    }
    return n;
}

/* Checkpoint recovery: after a poll, frames the peer's N(R) did not acknowledge were lost and
 * are sent again starting from that N(R). */
static void tx_go_back(hdlc_t *h) {
    uint16_t outstanding = (uint16_t)(h->tx_next - h->tx_acked);

    if (outstanding > 0) {
        h->vs = (uint8_t)((h->vs - outstanding) & 7);
        h->tx_next = h->tx_acked;
        h->stats.retransmissions += outstanding;
    }
}

/* One window of I-frames: S=1 on all but the APDU's last segment, P/F=1 on the window's last
 * frame. */
static int tx_window(hdlc_t *h) {
    uint32_t k;
    int rc = 0;

    for (k = 0; k < h->neg.window_tx && h->tx_next < h->tx_segs; k++) {
        size_t off = (size_t)h->tx_next * h->neg.max_info_tx;
        size_t n = h->tx_len - off;
        bool last = h->tx_next + 1 == h->tx_segs;
        uint8_t ctrl = hdlc_ctrl_i(h->vs, h->vr, last || k + 1 == h->neg.window_tx);

        if (n > h->neg.max_info_tx) {
            n = h->neg.max_info_tx;
        }
        h->vs = (uint8_t)((h->vs + 1) & 7);
        h->tx_next++;
        if (send_frame(h, ctrl, !last, h->tx_buf + off, n) != 0) {
            rc = HDLC_ERR_TX;
        }
    }
    return rc;
}

/* A server drops an unfinished response when a new request arrives: the client gave up on it.
 * Frames the client did not acknowledge count as never sent. */
static void tx_abandon(hdlc_t *h) {
    if (h->tx_len > 0) {
        h->stats.tx_abandoned++;
        h->vs = (uint8_t)((h->vs - (h->tx_next - h->tx_acked)) & 7);
        tx_reset(h);
    }
}

/* ---- receive reassembly ----------------------------------------------------------- */

static void rx_append(hdlc_t *h, const uint8_t *p, size_t n) {
    h->rx_open = true;
    if (h->rx_overflow) {
        return;
    }
    if (n > sizeof h->rx_buf - h->rx_len) {
        h->rx_overflow = true; /* keep acknowledging, drop the APDU at its last segment */
        return;
    }
    if (n > 0) {
        memcpy(h->rx_buf + h->rx_len, p, n);
    }
    h->rx_len += n;
}

/* Checks the LLC header the peer must use and hands the APDU up. */
static int deliver(hdlc_t *h, const uint8_t *data, size_t len) {
    const uint8_t *llc = h->role == HDLC_ROLE_SERVER ? llc_request : llc_response;

    if (len < HDLC_LLC_LEN || memcmp(data, llc, HDLC_LLC_LEN) != 0) {
        h->stats.bad_llc++;
        emit_event(h, HDLC_EVENT_APDU_ERROR, HDLC_ERR_LLC);
        return HDLC_ERR_LLC;
    }
    if (h->on_apdu != NULL) {
        h->on_apdu(h->user, data + HDLC_LLC_LEN, len - HDLC_LLC_LEN);
    }
    return 0;
}

static int rx_complete(hdlc_t *h) {
    int rc;

    if (h->rx_overflow) {
        h->stats.rx_overflow++;
        rx_reset(h);
        emit_event(h, HDLC_EVENT_APDU_ERROR, HDLC_ERR_APDU_TOO_LONG);
        return HDLC_ERR_APDU_TOO_LONG;
    }
    h->rx_open = false; /* on_apdu may queue the answer, which waits for !rx_open */
    rc = deliver(h, h->rx_buf, h->rx_len);
    rx_reset(h);
    return rc;
}

/* ---- server (secondary station) ---------------------------------------------------------- */

static int server_dest(const hdlc_t *h, const hdlc_addr_t *d, bool *broadcast) {
    uint8_t part = d->size == 4 ? 2 : 1;
    bool upper_all = hdlc_addr_part_is_all_station(d->upper, part);
    bool lower_all = d->size > 1 && hdlc_addr_part_is_all_station(d->lower, part);

    if (!upper_all && d->upper != h->server_upper) {
        return HDLC_ERR_WRONG_ADDRESS;
    }
    if (d->size > 1 && !lower_all && d->lower != h->server_lower) {
        return HDLC_ERR_WRONG_ADDRESS;
    }
    *broadcast = lower_all || (d->size == 1 && upper_all);
    return 0;
}

static int server_src(const hdlc_t *h, const hdlc_addr_t *s) {
    if (s->size != 1 || s->upper == HDLC_ADDR_NO_STATION || s->upper == HDLC_ADDR_ALL_STATION_1) {
        return HDLC_ERR_WRONG_CLIENT;
    }
    if (h->client_sap != 0 && s->upper != h->client_sap) {
        return HDLC_ERR_WRONG_CLIENT;
    }
    if (h->state != HDLC_STATE_NDM && s->upper != h->peer.upper) {
        return HDLC_ERR_WRONG_CLIENT;
    }
    return 0;
}

/* Replies come from the address the client used, all-station parts replaced by our own;
 * when our own address does not fit that form, from the 4-byte form. */
static hdlc_addr_t server_reply_addr(const hdlc_t *h, const hdlc_addr_t *d) {
    hdlc_addr_t a = *d;
    uint8_t part = d->size == 4 ? 2 : 1;
    uint8_t tmp[4];

    if (hdlc_addr_part_is_all_station(a.upper, part)) {
        a.upper = h->server_upper;
    }
    if (a.size > 1 && hdlc_addr_part_is_all_station(a.lower, part)) {
        a.lower = h->server_lower;
    }
    if (hdlc_addr_encode(&a, tmp, sizeof tmp) < 0) {
        a.upper = h->server_upper;
        a.lower = h->server_lower;
        a.size = 4;
    }
    return a;
}

/* Answer to a poll: pending response data, else RR with V(R). Data waits while the client is
 * busy (RNR) or still sending segments of a request. */
static int server_respond(hdlc_t *h) {
    if (h->tx_len > 0 && !h->peer_busy && !h->rx_open) {
        tx_go_back(h);
        return tx_window(h);
    }
    return send_rr(h);
}

static int reject_error(uint8_t reason) {
    if (reason & HDLC_FRMR_Z) {
        return HDLC_ERR_NR;
    }
    if (reason & HDLC_FRMR_Y) {
        return HDLC_ERR_INFO_TOO_LONG;
    }
    return HDLC_ERR_CONTROL;
}

/* FRMR with the rejected control field, V(S)/V(R) and the W/X/Y/Z reason bits, then the frame
 * reject condition (the FRMR is repeated on every poll until SNRM or DISC). */
static int server_reject(hdlc_t *h, uint8_t control, uint8_t reason, bool poll) {
    int rc = 0;

    h->frmr_info[0] = control;
    h->frmr_info[1] = (uint8_t)((h->vs << 1) | (h->vr << 5)); /* C/R = 0: a command */
    h->frmr_info[2] = reason;
    h->state = HDLC_STATE_FRMR;
    h->stats.frmr++;
    if (poll) {
        rc = send_u(h, HDLC_CTRL_FRMR, h->frmr_info, sizeof h->frmr_info);
    }
    return rc != 0 ? rc : reject_error(reason);
}

static int server_snrm(hdlc_t *h, const hdlc_frame_t *f, bool poll) {
    hdlc_params_t peer, neg;
    uint8_t info[HDLC_PARAMS_MAX_LEN];
    int n, rc;

    rc = hdlc_params_decode(f->info, f->info_len, &peer);
    if (rc == 0) {
        rc = hdlc_params_negotiate(&h->own, &peer, &neg);
    }
    if (rc != 0) {
        h->stats.bad_param++;
        link_down(h, HDLC_ERR_PARAM);
        if (poll) {
            send_u(h, HDLC_CTRL_DM, NULL, 0);
        }
        return rc;
    }
    link_down(h, 0); /* a SNRM on a connected link resets it, association included */
    h->neg = neg;
    h->state = HDLC_STATE_NRM;
    rc = 0;
    if (poll) {
        n = hdlc_params_encode(&neg, info, sizeof info);
        rc = send_u(h, HDLC_CTRL_UA, info, n > 0 ? (size_t)n : 0);
    }
    emit_event(h, HDLC_EVENT_CONNECTED, 0);
    return rc;
}

static int server_disc(hdlc_t *h, bool poll) {
    int rc = 0;

    if (poll) {
        rc = send_u(h, h->state == HDLC_STATE_NDM ? HDLC_CTRL_DM : HDLC_CTRL_UA, NULL, 0);
    }
    link_down(h, 0);
    return rc;
}

static int server_ui(hdlc_t *h, const hdlc_frame_t *f, bool poll) {
    int rc = deliver(h, f->info, f->info_len);
    int rc2 = 0;

    if (poll) {
        rc2 = h->state == HDLC_STATE_NDM ? send_u(h, HDLC_CTRL_DM, NULL, 0) : server_respond(h);
    }
    return rc2 != 0 ? rc2 : rc;
}

static int server_ndm(hdlc_t *h, const hdlc_frame_t *f, bool poll) {
    uint8_t cmd = hdlc_ctrl_cmd(f->control);

    if (hdlc_ctrl_is_u(f->control)) {
        if (cmd == HDLC_CTRL_SNRM) {
            return server_snrm(h, f, poll);
        }
        if (cmd == HDLC_CTRL_DISC) {
            return server_disc(h, poll);
        }
        if (cmd == HDLC_CTRL_UI) {
            return server_ui(h, f, poll);
        }
    }
    h->stats.not_connected++;
    if (poll) {
        send_u(h, HDLC_CTRL_DM, NULL, 0);
    }
    return HDLC_ERR_NOT_CONNECTED;
}

static int server_s(hdlc_t *h, const hdlc_frame_t *f, bool poll) {
    uint8_t type = (uint8_t)(f->control & 0x0F);

    if (type != HDLC_CTRL_RR && type != HDLC_CTRL_RNR) {
        return server_reject(h, f->control, HDLC_FRMR_W, poll); /* REJ, SREJ */
    }
    if (tx_ack(h, hdlc_ctrl_nr(f->control)) < 0) {
        return server_reject(h, f->control, HDLC_FRMR_Z, poll);
    }
    h->peer_busy = type == HDLC_CTRL_RNR;
    return poll ? server_respond(h) : 0;
}

static int server_i(hdlc_t *h, const hdlc_frame_t *f, bool poll) {
    uint8_t c = f->control;
    int rc = 0, rc2 = 0;

    if (f->info_len > h->neg.max_info_rx) {
        return server_reject(h, c, HDLC_FRMR_Y, poll);
    }
    if (tx_ack(h, hdlc_ctrl_nr(c)) < 0) {
        return server_reject(h, c, HDLC_FRMR_Z, poll);
    }
    h->peer_busy = false; /* a client that sends a request is ready for the answer */
    if (hdlc_ctrl_ns(c) != h->vr) {
        /* Not accepted; the answer's N(R) tells the client where to resume. */
        h->stats.out_of_sequence++;
        rc = HDLC_ERR_SEQUENCE;
    } else {
        h->vr = (uint8_t)((h->vr + 1) & 7);
        rx_append(h, f->info, f->info_len);
        if (!f->segmented) {
            tx_abandon(h);
            rc = rx_complete(h);
        }
    }
    if (poll) {
        rc2 = server_respond(h);
    }
    return rc2 != 0 ? rc2 : rc;
}

static int server_nrm(hdlc_t *h, const hdlc_frame_t *f, bool poll) {
    uint8_t c = f->control;
    uint8_t cmd = hdlc_ctrl_cmd(c);
    bool u = hdlc_ctrl_is_u(c);

    if (u && cmd == HDLC_CTRL_SNRM) {
        return server_snrm(h, f, poll);
    }
    if (u && cmd == HDLC_CTRL_DISC) {
        return server_disc(h, poll);
    }
    if (h->state == HDLC_STATE_FRMR) {
        int rc = poll ? send_u(h, HDLC_CTRL_FRMR, h->frmr_info, sizeof h->frmr_info) : 0;
        return rc != 0 ? rc : HDLC_ERR_CONTROL;
    }
    if (f->info_len > 0 && !hdlc_ctrl_is_i(c) && !(u && cmd == HDLC_CTRL_UI)) {
        return server_reject(h, c, HDLC_FRMR_W | HDLC_FRMR_X, poll);
    }
    if (u) {
        return cmd == HDLC_CTRL_UI ? server_ui(h, f, poll) : server_reject(h, c, HDLC_FRMR_W, poll);
    }
    if (hdlc_ctrl_is_s(c)) {
        return server_s(h, f, poll);
    }
    return server_i(h, f, poll);
}

static int server_frame(hdlc_t *h, const hdlc_frame_t *f) {
    bool broadcast = false, poll;
    bool ui = hdlc_ctrl_is_u(f->control) && hdlc_ctrl_cmd(f->control) == HDLC_CTRL_UI;
    int rc;

    rc = server_dest(h, &f->dest, &broadcast);
    if (rc != 0) {
        h->stats.wrong_address++;
        return rc;
    }
    rc = server_src(h, &f->src);
    if (rc != 0) {
        h->stats.wrong_client++;
        return rc;
    }
    if (broadcast && !h->broadcast_replies && !ui) {
        h->stats.broadcast_ignored++;
        return HDLC_ERR_BROADCAST;
    }
    h->stats.frames_rx++;
    h->last_rx_ms = h->now_ms;
    h->peer = f->src;
    h->self = server_reply_addr(h, &f->dest);
    poll = hdlc_ctrl_pf(f->control) && (!broadcast || h->broadcast_replies);
    return h->state == HDLC_STATE_NDM ? server_ndm(h, f, poll) : server_nrm(h, f, poll);
}

static void server_inactivity(hdlc_t *h) {
    if (h->state != HDLC_STATE_NDM && h->now_ms > h->last_rx_ms &&
        h->now_ms - h->last_rx_ms >= h->inactivity_ms) {
        link_down(h, HDLC_ERR_INACTIVITY);
    }
}

/* ---- client (primary station) ---------------------------------------------------------------- */

static void client_arm(hdlc_t *h, uint8_t wait) {
    h->wait = wait;
    h->deadline_ms = h->now_ms + h->response_ms;
}

static int client_poll(hdlc_t *h) {
    int rc = send_rr(h);

    client_arm(h, WAIT_FINAL);
    return rc;
}

static bool params_are_default(const hdlc_params_t *p) {
    return p->max_info_tx == HDLC_DEFAULT_MAX_INFO && p->max_info_rx == HDLC_DEFAULT_MAX_INFO &&
           p->window_tx == HDLC_DEFAULT_WINDOW && p->window_rx == HDLC_DEFAULT_WINDOW;
}

/* SNRM carries the own limits, or nothing when they are the defaults anyway. */
static int client_send_snrm(hdlc_t *h) {
    uint8_t info[HDLC_PARAMS_MAX_LEN];
    int n = 0;
    int rc;

    if (!params_are_default(&h->own)) {
        n = hdlc_params_encode(&h->own, info, sizeof info);
    }
    rc = send_u(h, HDLC_CTRL_SNRM, info, n > 0 ? (size_t)n : 0);
    client_arm(h, WAIT_FINAL);
    return rc;
}

static int client_send_disc(hdlc_t *h) {
    int rc = send_u(h, HDLC_CTRL_DISC, NULL, 0);

    client_arm(h, WAIT_FINAL);
    return rc;
}

/* The link is in an unknown state: tell the server (best effort) and give up. */
static void client_fail(hdlc_t *h, int err) {
    send_u(h, HDLC_CTRL_DISC, NULL, 0);
    link_down(h, err);
}

static int client_send_window(hdlc_t *h) {
    int rc;

    tx_go_back(h);
    rc = tx_window(h);
    client_arm(h, WAIT_FINAL);
    return rc;
}

/* The server handed the poll back (F=1): decide what to ask next. */
static int client_final(hdlc_t *h) {
    if (h->wait != WAIT_NONE) {
        return 0; /* on_apdu already sent the next request */
    }
    if (h->rx_open || h->rx_gap) {
        h->rx_gap = false;
        return client_poll(h); /* more segments, or the lost ones again */
    }
    if (h->tx_len > 0) {
        if (h->peer_busy) {
            client_arm(h, WAIT_REPOLL);
            return 0;
        }
        return client_send_window(h);
    }
    if (h->expect_response) {
        if (++h->idle_polls > h->max_retries) {
            h->expect_response = false;
            h->idle_polls = 0;
            emit_event(h, HDLC_EVENT_APDU_ERROR, HDLC_ERR_TIMEOUT);
            return 0;
        }
        client_arm(h, WAIT_REPOLL); /* acknowledged but not answered yet: ask again later */
    }
    return 0;
}

static int client_ua(hdlc_t *h, const hdlc_frame_t *f) {
    hdlc_params_t peer, neg;
    int rc;

    if (h->state == HDLC_STATE_DISCONNECTING) {
        link_down(h, 0);
        return 0;
    }
    if (h->state != HDLC_STATE_CONNECTING) {
        h->stats.unexpected++;
        return HDLC_ERR_UNEXPECTED;
    }
    rc = hdlc_params_decode(f->info, f->info_len, &peer);
    if (rc == 0) {
        rc = hdlc_params_negotiate(&h->own, &peer, &neg);
    }
    if (rc != 0) {
        h->stats.bad_param++;
        client_fail(h, HDLC_ERR_PARAM);
        return rc;
    }
    link_reset(h);
    h->neg = neg;
    h->state = HDLC_STATE_NRM;
    emit_event(h, HDLC_EVENT_CONNECTED, 0);
    return 0;
}

static int client_u(hdlc_t *h, const hdlc_frame_t *f) {
    uint8_t cmd = hdlc_ctrl_cmd(f->control);

    if (cmd == HDLC_CTRL_UA) {
        return client_ua(h, f);
    }
    if (cmd == HDLC_CTRL_UI) {
        return deliver(h, f->info, f->info_len);
    }
    if (cmd == HDLC_CTRL_DM && h->state != HDLC_STATE_NDM) {
        link_down(h, h->state == HDLC_STATE_DISCONNECTING ? 0 : HDLC_ERR_REFUSED);
        return 0;
    }
    if (cmd == HDLC_CTRL_FRMR && h->state != HDLC_STATE_NDM) {
        h->stats.frmr++;
        client_fail(h, HDLC_ERR_FRMR);
        return HDLC_ERR_FRMR;
    }
    h->stats.unexpected++;
    return HDLC_ERR_UNEXPECTED;
}

static int client_s(hdlc_t *h, const hdlc_frame_t *f) {
    uint8_t type = (uint8_t)(f->control & 0x0F);

    if (type != HDLC_CTRL_RR && type != HDLC_CTRL_RNR) {
        h->stats.unexpected++;
        return HDLC_ERR_UNEXPECTED;
    }
    if (tx_ack(h, hdlc_ctrl_nr(f->control)) < 0) {
        client_fail(h, HDLC_ERR_NR);
        return HDLC_ERR_NR;
    }
    h->peer_busy = type == HDLC_CTRL_RNR;
    if (!hdlc_ctrl_pf(f->control)) {
        return 0;
    }
    h->wait = WAIT_NONE;
    h->retries = 0;
    return client_final(h);
}

static int client_i(hdlc_t *h, const hdlc_frame_t *f) {
    uint8_t c = f->control;
    bool final = hdlc_ctrl_pf(c);
    int rc = 0, rc2 = 0;

    if (tx_ack(h, hdlc_ctrl_nr(c)) < 0) {
        client_fail(h, HDLC_ERR_NR);
        return HDLC_ERR_NR;
    }
    if (final) {
        h->wait = WAIT_NONE; /* we hold the poll again: on_apdu may send the next request */
        h->retries = 0;
    }
    if (hdlc_ctrl_ns(c) != h->vr) {
        h->stats.out_of_sequence++;
        h->rx_gap = true;
        rc = HDLC_ERR_SEQUENCE;
    } else {
        h->vr = (uint8_t)((h->vr + 1) & 7);
        h->idle_polls = 0;
        rx_append(h, f->info, f->info_len);
        if (!f->segmented) {
            h->expect_response = false;
            rc = rx_complete(h);
        }
    }
    if (final && h->state == HDLC_STATE_NRM) {
        rc2 = client_final(h);
    }
    return rc2 != 0 ? rc2 : rc;
}

static int client_frame(hdlc_t *h, const hdlc_frame_t *f) {
    const hdlc_addr_t *d = &f->dest, *s = &f->src;

    if (d->size != 1 || (d->upper != h->client_sap && d->upper != HDLC_ADDR_ALL_STATION_1)) {
        h->stats.wrong_address++;
        return HDLC_ERR_WRONG_ADDRESS;
    }
    if (s->upper != h->server.upper || (s->size > 1 && s->lower != h->server.lower)) {
        h->stats.wrong_client++;
        return HDLC_ERR_WRONG_CLIENT;
    }
    h->stats.frames_rx++;
    h->last_rx_ms = h->now_ms;
    if (h->wait == WAIT_FINAL) {
        h->deadline_ms = h->now_ms + h->response_ms; /* the server is talking: wait for the rest */
    }
    if (hdlc_ctrl_is_u(f->control)) {
        return client_u(h, f);
    }
    if (h->state != HDLC_STATE_NRM) {
        h->stats.unexpected++;
        return HDLC_ERR_UNEXPECTED;
    }
    return hdlc_ctrl_is_s(f->control) ? client_s(h, f) : client_i(h, f);
}

static void client_tick(hdlc_t *h) {
    if (h->wait == WAIT_NONE || h->now_ms < h->deadline_ms) {
        return;
    }
    if (h->wait == WAIT_REPOLL) {
        client_poll(h);
        return;
    }
    h->stats.timeouts++;
    if (++h->retries > h->max_retries) {
        if (h->state == HDLC_STATE_NRM) {
            client_fail(h, HDLC_ERR_TIMEOUT);
        } else {
            link_down(h, HDLC_ERR_TIMEOUT);
        }
        return;
    }
    if (h->state == HDLC_STATE_CONNECTING) {
        client_send_snrm(h);
    } else if (h->state == HDLC_STATE_DISCONNECTING) {
        client_send_disc(h);
    } else {
        client_poll(h); /* the answer tells what the server got and resends what we lost */
    }
}

/* ---- entry points --------------------------------------------------------------------------- */

static void count_parse_error(hdlc_t *h, int rc) {
    if (rc == HDLC_ERR_FORMAT) {
        h->stats.bad_format++;
    } else if (rc == HDLC_ERR_HCS) {
        h->stats.bad_hcs++;
    } else if (rc == HDLC_ERR_FCS) {
        h->stats.bad_fcs++;
    } else if (rc == HDLC_ERR_ADDRESS) {
        h->stats.bad_address++;
    } else {
        h->stats.bad_length++;
    }
}

static int handle_frame(hdlc_t *h, const uint8_t *data, size_t len) {
    hdlc_frame_t f;
    int rc = hdlc_frame_parse(data, len, &f);

    if (rc != 0) {
        count_parse_error(h, rc);
        return rc;
    }
    return h->role == HDLC_ROLE_SERVER ? server_frame(h, &f) : client_frame(h, &f);
}

static void on_line_frame(void *user, const uint8_t *frame, size_t len) {
    handle_frame((hdlc_t *)user, frame, len);
}

static uint32_t or_default(uint32_t v, uint32_t def) {
    return v != 0 ? v : def;
}

static int init_limits(hdlc_t *h, const hdlc_config_t *cfg) {
    uint32_t itx = or_default(cfg->max_info_tx, EM_HDLC_MAX_INFO_LEN);
    uint32_t irx = or_default(cfg->max_info_rx, EM_HDLC_MAX_INFO_LEN);
    uint32_t wtx = or_default(cfg->window_tx, EM_HDLC_MAX_WINDOW);
    uint32_t wrx = or_default(cfg->window_rx, EM_HDLC_MAX_WINDOW);

    if (itx < HDLC_MIN_INFO_LEN || irx < HDLC_MIN_INFO_LEN) {
        return HDLC_ERR_BADARG;
    }
    h->own.max_info_tx = itx < EM_HDLC_MAX_INFO_LEN ? itx : EM_HDLC_MAX_INFO_LEN;
    h->own.max_info_rx = irx < EM_HDLC_MAX_INFO_LEN ? irx : EM_HDLC_MAX_INFO_LEN;
    h->own.window_tx = wtx < EM_HDLC_MAX_WINDOW ? wtx : EM_HDLC_MAX_WINDOW;
    h->own.window_rx = wrx < EM_HDLC_MAX_WINDOW ? wrx : EM_HDLC_MAX_WINDOW;
    h->inactivity_ms = or_default(cfg->inactivity_ms, EM_HDLC_INACTIVITY_MS);
    h->response_ms = or_default(cfg->response_ms, EM_HDLC_RESPONSE_MS);
    h->max_retries = (uint8_t)or_default(cfg->max_retries, EM_HDLC_MAX_RETRIES);
    return 0;
}

static int init_addresses(hdlc_t *h, const hdlc_config_t *cfg) {
    uint8_t tmp[4];

    if (cfg->server_upper > 0x3FFF || cfg->server_lower > 0x3FFF) {
        return HDLC_ERR_ADDRESS;
    }
    h->server_upper = cfg->server_upper;
    h->server_lower = cfg->server_lower;
    h->client_sap = cfg->client_sap;
    if (h->role == HDLC_ROLE_SERVER) {
        return cfg->client_sap >= HDLC_ADDR_ALL_STATION_1 ? HDLC_ERR_ADDRESS : 0;
    }
    if (cfg->client_sap == HDLC_ADDR_NO_STATION || cfg->client_sap >= HDLC_ADDR_ALL_STATION_1) {
        return HDLC_ERR_ADDRESS;
    }
    h->server.upper = cfg->server_upper;
    h->server.lower = cfg->server_lower;
    h->server.size = cfg->server_addr_size;
    if (h->server.size == 0) {
        h->server.size = cfg->server_lower == 0                                     ? 1
                         : (cfg->server_upper <= 0x7F && cfg->server_lower <= 0x7F) ? 2
                                                                                    : 4;
    }
    if (h->server.size == 1) {
        h->server.lower = 0; /* a 1-byte address carries the upper address only */
    }
    h->self.upper = cfg->client_sap;
    h->self.size = 1;
    return hdlc_addr_encode(&h->server, tmp, sizeof tmp) < 0 ? HDLC_ERR_ADDRESS : 0;
}

int hdlc_init(hdlc_t *h, const hdlc_config_t *cfg) {
    int rc;

    if (h == NULL || cfg == NULL || cfg->tx == NULL ||
        (cfg->role != HDLC_ROLE_SERVER && cfg->role != HDLC_ROLE_CLIENT)) {
        return HDLC_ERR_BADARG;
    }
    memset(h, 0, sizeof *h);
    h->role = cfg->role;
    rc = init_limits(h, cfg);
    if (rc == 0) {
        rc = init_addresses(h, cfg);
    }
    if (rc != 0) {
        return rc;
    }
    h->broadcast_replies = cfg->broadcast_replies;
    h->tx = cfg->tx;
    h->on_apdu = cfg->on_apdu;
    h->on_event = cfg->on_event;
    h->user = cfg->user;
    h->state = HDLC_STATE_NDM;
    hdlc_params_default(&h->neg);
    hdlc_deframer_init(&h->deframer, or_default(cfg->inter_octet_ms, EM_HDLC_INTER_OCTET_MS),
                       on_line_frame, h);
    return 0;
}

/* Every entry point records the time and starts with no tx failure. */
static void begin(hdlc_t *h, uint64_t now_ms) {
    h->now_ms = now_ms;
    h->tx_rc = 0;
    if (h->role == HDLC_ROLE_SERVER) {
        server_inactivity(h); /* a frame after a long silence meets a link already in NDM */
    }
}

int hdlc_input(hdlc_t *h, const uint8_t *data, size_t len, uint64_t now_ms) {
    if (h == NULL || (data == NULL && len > 0)) {
        return HDLC_ERR_BADARG;
    }
    begin(h, now_ms);
    hdlc_deframer_feed(&h->deframer, data, len, now_ms);
    return h->tx_rc;
}

int hdlc_input_frame(hdlc_t *h, const uint8_t *frame, size_t len, uint64_t now_ms) {
    if (h == NULL || frame == NULL) {
        return HDLC_ERR_BADARG;
    }
    begin(h, now_ms);
    return handle_frame(h, frame, len);
}

int hdlc_tick(hdlc_t *h, uint64_t now_ms) {
    if (h == NULL) {
        return HDLC_ERR_BADARG;
    }
    begin(h, now_ms);
    if (h->role == HDLC_ROLE_CLIENT) {
        client_tick(h);
    }
    return h->tx_rc;
}

int hdlc_send_apdu(hdlc_t *h, const uint8_t *apdu, size_t len) {
    if (h == NULL || (apdu == NULL && len > 0)) {
        return HDLC_ERR_BADARG;
    }
    if (h->state != HDLC_STATE_NRM) {
        return HDLC_ERR_STATE;
    }
    if (len > EM_HDLC_MAX_APDU) {
        return HDLC_ERR_APDU_TOO_LONG;
    }
    if (!hdlc_can_send(h)) {
        return HDLC_ERR_BUSY;
    }
    if (h->role == HDLC_ROLE_SERVER) {
        tx_queue(h, llc_response, apdu, len); /* goes out at the next poll */
        return 0;
    }
    tx_queue(h, llc_request, apdu, len);
    h->expect_response = true;
    h->idle_polls = 0;
    if (h->peer_busy) {
        client_arm(h, WAIT_REPOLL);
        return 0;
    }
    return client_send_window(h);
}

int hdlc_connect(hdlc_t *h, uint64_t now_ms) {
    if (h == NULL) {
        return HDLC_ERR_BADARG;
    }
    if (h->role != HDLC_ROLE_CLIENT || h->state != HDLC_STATE_NDM) {
        return HDLC_ERR_STATE;
    }
    begin(h, now_ms);
    link_reset(h);
    h->peer = h->server;
    h->state = HDLC_STATE_CONNECTING;
    return client_send_snrm(h);
}

int hdlc_disconnect(hdlc_t *h, uint64_t now_ms) {
    if (h == NULL) {
        return HDLC_ERR_BADARG;
    }
    if (h->state == HDLC_STATE_NDM) {
        return HDLC_ERR_STATE;
    }
    begin(h, now_ms);
    if (h->role == HDLC_ROLE_SERVER) {
        link_down(h, 0);
        return 0;
    }
    link_reset(h);
    h->state = HDLC_STATE_DISCONNECTING;
    return client_send_disc(h);
}

hdlc_state_t hdlc_state(const hdlc_t *h) {
    return h->state;
}

bool hdlc_is_connected(const hdlc_t *h) {
    return h->state == HDLC_STATE_NRM;
}

bool hdlc_can_send(const hdlc_t *h) {
    if (h->state != HDLC_STATE_NRM || h->tx_len > 0) {
        return false;
    }
    return h->role == HDLC_ROLE_SERVER || (h->wait == WAIT_NONE && !h->expect_response);
}

const hdlc_params_t *hdlc_negotiated(const hdlc_t *h) {
    return &h->neg;
}

uint16_t hdlc_client_sap(const hdlc_t *h) {
    if (h->role == HDLC_ROLE_CLIENT) {
        return h->client_sap;
    }
    return h->state == HDLC_STATE_NDM ? 0 : h->peer.upper;
}

void hdlc_get_stats(const hdlc_t *h, hdlc_stats_t *out) {
    *out = h->stats;
    out->line = h->deframer.stats;
}

const char *hdlc_strerror(int err) {
    switch (err) {
    case 0:
        return "success";
    case HDLC_ERR_BADARG:
        return "invalid argument";
    case HDLC_ERR_FORMAT:
        return "HDLC format type is not 0xA or a flag is missing";
    case HDLC_ERR_LENGTH:
        return "HDLC frame length field does not match the frame";
    case HDLC_ERR_HCS:
        return "HDLC header check sequence wrong";
    case HDLC_ERR_FCS:
        return "HDLC frame check sequence wrong";
    case HDLC_ERR_ADDRESS:
        return "HDLC address invalid (1, 2 or 4 bytes, LSB=1 on the last)";
    case HDLC_ERR_TOO_LONG:
        return "HDLC frame too long";
    case HDLC_ERR_BUFFER:
        return "output buffer too small";
    case HDLC_ERR_PARAM:
        return "HDLC SNRM/UA parameters invalid";
    case HDLC_ERR_CONTROL:
        return "HDLC control field not supported (frame rejected)";
    case HDLC_ERR_STATE:
        return "not allowed in this HDLC link state";
    case HDLC_ERR_BUSY:
        return "previous APDU still in progress";
    case HDLC_ERR_APDU_TOO_LONG:
        return "APDU longer than EM_HDLC_MAX_APDU";
    case HDLC_ERR_LLC:
        return "LLC header missing or wrong";
    case HDLC_ERR_WRONG_ADDRESS:
        return "HDLC frame for another station";
    case HDLC_ERR_WRONG_CLIENT:
        return "HDLC frame from an unexpected client";
    case HDLC_ERR_SEQUENCE:
        return "HDLC I-frame out of sequence";
    case HDLC_ERR_NR:
        return "HDLC N(R) acknowledges frames never sent";
    case HDLC_ERR_INFO_TOO_LONG:
        return "HDLC information field above the negotiated maximum";
    case HDLC_ERR_REFUSED:
        return "HDLC peer answered DM (refused or disconnected)";
    case HDLC_ERR_TIMEOUT:
        return "HDLC peer did not answer";
    case HDLC_ERR_INACTIVITY:
        return "HDLC link dropped after inactivity timeout";
    case HDLC_ERR_FRMR:
        return "HDLC peer rejected a frame (FRMR)";
    case HDLC_ERR_TX:
        return "HDLC frame could not be sent";
    case HDLC_ERR_NOT_CONNECTED:
        return "HDLC frame needs a connection";
    case HDLC_ERR_BROADCAST:
        return "HDLC command to all stations ignored";
    case HDLC_ERR_UNEXPECTED:
        return "HDLC response not expected now";
    default:
        return "unknown HDLC error";
    }
}
