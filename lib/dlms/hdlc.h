/*
 * hdlc.h - HDLC data link layer for DLMS/COSEM (IEC 62056-46): the secondary station (server,
 * the meter) and the primary station (client, the head-end), in normal response mode (NRM).
 *
 * Pure byte-in/byte-out state machine: no sockets, files or clocks. Bytes from the line go in
 * with hdlc_input(), time goes in as now_ms, frames come out through the tx callback, complete
 * APDUs (LLC header checked and removed, segments reassembled) come out through on_apdu, and
 * link changes through on_event. Frame coding is in hdlc_frame.h.
 *
 * Server (secondary station, NRM):
 *  - NDM: SNRM -> UA with the negotiated parameters (min of own and requested; a SNRM without
 *    information field means 128 bytes / window 1) -> NRM, HDLC_EVENT_CONNECTED. DISC -> DM.
 *    UI frames are delivered. Anything else polled -> DM.
 *  - NRM: I-frames are checked against V(R); an out-of-sequence frame is not accepted and the
 *    poll is answered with RR carrying the expected N(R) (or with pending data, which carries
 *    it too). Segments (S bit) are acknowledged with RR and reassembled up to EM_HDLC_MAX_APDU;
 *    a longer APDU is dropped with HDLC_EVENT_APDU_ERROR and the link stays up.
 *  - A response queued with hdlc_send_apdu() (LLC E6 E7 00 prepended) goes out only when the
 *    client polls (P=1), in segments of the negotiated max info length, up to the negotiated
 *    window per poll, F=1 on the last frame of each window. The client's RR(poll) acknowledges
 *    and asks for more; a poll with an older N(R) makes the server resend from that N(R).
 *    Calling hdlc_send_apdu() from inside on_apdu answers in the same exchange.
 *  - DISC -> UA, NDM, HDLC_EVENT_DISCONNECTED. Undefined or invalid frames -> FRMR (W/X/Y/Z)
 *    and the frame reject condition, left only by SNRM or DISC (IEC 13239).
 *  - Frames for another address or from an unexpected client are dropped and counted.
 *  - No valid frame for inactivity_ms: NDM and HDLC_EVENT_DISCONNECTED(HDLC_ERR_INACTIVITY).
 *
 * Addresses accepted by a server configured with logical device U and physical device L:
 *  - 1 byte: upper U (the lower address is absent: point-to-point links such as the optical
 *    port), 2 bytes: U/L in 7 bits each, 4 bytes: U/L in 14 bits each. Replies use the form the
 *    client used.
 *  - The all-station value (0x7F for a 1-byte part, 0x3FFF for a 2-byte part) in either part
 *    is accepted as addressed to this server. When the lower part (or a 1-byte address) is
 *    all-station, the frame is a broadcast to every meter on the line: only UI frames are
 *    processed and nothing is answered, since several meters answering at once would collide,
 *    unless broadcast_replies is set (point-to-point links), in which case the server answers
 *    from its own address.
 *  - Source (client) address: exactly one byte, neither 0x00 (no-station) nor 0x7F
 *    (all-station). While connected, only the connected client is served.
 *
 * Client (primary station): hdlc_connect() sends SNRM (without information field when the own
 * limits are the defaults), a UA completes it (HDLC_EVENT_CONNECTED), a DM refuses it.
 * hdlc_send_apdu() sends a request (LLC E6 E6 00) in windows, waiting for RR after each; the
 * response is collected by polling with RR after every final frame until the last segment.
 * After a request the client expects a response: if the server only acknowledges, it polls
 * again after response_ms, and after max_retries such polls reports HDLC_EVENT_APDU_ERROR
 * (HDLC_ERR_TIMEOUT). A poll without any answer is repeated max_retries times, then the link
 * is given up (DISC sent, HDLC_EVENT_DISCONNECTED(HDLC_ERR_TIMEOUT)). hdlc_disconnect() sends
 * DISC and waits for UA/DM. Frames addressed to the all-station client address 0x7F are
 * accepted like frames to the own SAP.
 *
 * Callbacks run synchronously inside hdlc_input()/hdlc_tick()/... . on_apdu and on_event may
 * call hdlc_send_apdu(); no callback may call hdlc_input(), hdlc_tick(), hdlc_connect() or
 * hdlc_disconnect() on the same instance (a test that wires two instances together queues the
 * bytes and feeds them afterwards).
 */
#ifndef EMETER_DLMS_HDLC_H
#define EMETER_DLMS_HDLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlms/hdlc_frame.h"
#include "emeter_config.h"

/* LLC headers of IEC 62056-46 I-frames: destination LSAP E6, source LSAP E6 (command) or
 * E7 (response), quality 00. */
#define HDLC_LLC_LEN 3

/* Reassembly and transmit buffers hold the LLC header too. */
#define HDLC_APDU_BUF_LEN (EM_HDLC_MAX_APDU + HDLC_LLC_LEN)

typedef enum hdlc_role {
    HDLC_ROLE_SERVER = 0, /* secondary station: the meter */
    HDLC_ROLE_CLIENT = 1, /* primary station: the head-end */
} hdlc_role_t;

typedef enum hdlc_state {
    HDLC_STATE_NDM = 0,       /* normal disconnected mode */
    HDLC_STATE_CONNECTING,    /* client: SNRM sent, waiting for UA or DM */
    HDLC_STATE_NRM,           /* normal response mode: connected */
    HDLC_STATE_FRMR,          /* server: frame reject condition until SNRM or DISC */
    HDLC_STATE_DISCONNECTING, /* client: DISC sent, waiting for UA or DM */
} hdlc_state_t;

typedef enum hdlc_event {
    /* Link entered NRM. The upper layer starts with no association. */
    HDLC_EVENT_CONNECTED = 0,
    /* Link left NRM (err: 0 for DISC/UA, HDLC_ERR_INACTIVITY, HDLC_ERR_TIMEOUT,
     * HDLC_ERR_REFUSED, HDLC_ERR_FRMR, HDLC_ERR_PARAM, ...). The DLMS association must be
     * dropped. A SNRM on a connected link reports DISCONNECTED then CONNECTED. */
    HDLC_EVENT_DISCONNECTED = 1,
    /* An APDU was lost while the link stays up (err: HDLC_ERR_APDU_TOO_LONG, HDLC_ERR_LLC,
     * client HDLC_ERR_TIMEOUT when no response came). */
    HDLC_EVENT_APDU_ERROR = 2,
} hdlc_event_t;

typedef struct hdlc_config {
    hdlc_role_t role;
    /* Client: own SAP (16 public, 1 management). Server: the only client SAP served, 0 = any. */
    uint16_t client_sap;
    /* The server's upper (logical device) and lower (physical device) HDLC addresses. */
    uint16_t server_upper;
    uint16_t server_lower;
    /* Client: bytes used to address the server: 1 (upper address only, server_lower not
     * sent), 2 or 4. 0 = 1 if server_lower is 0, 2 if both parts fit in 7 bits, else 4.
     * Ignored by a server, which answers in the form it is addressed in. */
    uint8_t server_addr_size;
    /* Own limits offered in SNRM/UA. 0 = EM_HDLC_MAX_INFO_LEN / EM_HDLC_MAX_WINDOW; larger
     * values are clamped to them. */
    uint16_t max_info_tx;
    uint16_t max_info_rx;
    uint8_t window_tx;
    uint8_t window_rx;
    uint32_t inactivity_ms;  /* server; 0 = EM_HDLC_INACTIVITY_MS */
    uint32_t inter_octet_ms; /* 0 = EM_HDLC_INTER_OCTET_MS */
    uint32_t response_ms;    /* client: wait for an answer; 0 = EM_HDLC_RESPONSE_MS */
    uint8_t max_retries;     /* client: repeated polls; 0 = EM_HDLC_MAX_RETRIES */
    bool broadcast_replies;  /* server: answer commands sent to the all-station address */

    /* Sends one complete frame (flags included). A negative return counts as a lost frame:
     * the poll/retransmission mechanism recovers, the calling function returns HDLC_ERR_TX. */
    int (*tx)(void *user, const uint8_t *frame, size_t len);
    /* A complete APDU without LLC header, valid during the call. May be NULL. */
    void (*on_apdu)(void *user, const uint8_t *apdu, size_t len);
    /* Link events (see hdlc_event_t). May be NULL. */
    void (*on_event)(void *user, hdlc_event_t ev, int err);
    void *user;
} hdlc_config_t;

/* Per-reason counters: "why was my frame dropped". */
typedef struct hdlc_stats {
    hdlc_deframer_stats_t line; /* byte stream: garbage, bad start, too long, timeouts */
    uint32_t frames_rx;         /* valid frames for this station */
    uint32_t frames_tx;
    uint32_t bad_format; /* format type not 0xA / missing flag */
    uint32_t bad_length; /* length field does not match, frame too short or long */
    uint32_t bad_hcs;
    uint32_t bad_fcs;
    uint32_t bad_address;       /* address encoding invalid (no end within 4 bytes, 3 bytes) */
    uint32_t wrong_address;     /* destination is another station */
    uint32_t wrong_client;      /* source invalid, not the configured or the connected client */
    uint32_t broadcast_ignored; /* commands other than UI sent to all stations */
    uint32_t not_connected;     /* frames other than SNRM/DISC/UI in NDM */
    uint32_t bad_param;         /* SNRM/UA parameter field refused */
    uint32_t bad_llc;           /* APDUs without the expected LLC header */
    uint32_t out_of_sequence;   /* I-frames with N(S) != V(R), not accepted */
    uint32_t frmr;              /* frame rejects raised (server) or FRMR received (client) */
    uint32_t rx_overflow;       /* APDUs longer than EM_HDLC_MAX_APDU, dropped */
    uint32_t retransmissions;   /* I-frames sent again after a poll with an older N(R) */
    uint32_t tx_abandoned;      /* server: unfinished response dropped by a new request */
    uint32_t timeouts;          /* client: polls that got no answer in time */
    uint32_t unexpected;        /* client: responses that do not fit the state */
    uint32_t tx_errors;         /* tx callback failures */
} hdlc_stats_t;

typedef struct hdlc {
    /* configuration, defaults resolved */
    hdlc_role_t role;
    hdlc_params_t own;
    uint16_t client_sap;
    hdlc_addr_t server; /* client: address of the server as sent */
    uint16_t server_upper;
    uint16_t server_lower;
    bool broadcast_replies;
    uint32_t inactivity_ms;
    uint32_t response_ms;
    uint8_t max_retries;
    int (*tx)(void *user, const uint8_t *frame, size_t len);
    void (*on_apdu)(void *user, const uint8_t *apdu, size_t len);
    void (*on_event)(void *user, hdlc_event_t ev, int err);
    void *user;

    /* link */
    hdlc_state_t state;
    hdlc_params_t neg; /* negotiated limits, from this station's point of view */
    hdlc_addr_t peer;  /* destination of the frames sent */
    hdlc_addr_t self;  /* source of the frames sent */
    uint8_t vs;        /* send state variable V(S) */
    uint8_t vr;        /* receive state variable V(R) */
    bool peer_busy;    /* RNR received */
    uint8_t frmr_info[3];
    uint64_t now_ms;     /* time given by the latest call */
    uint64_t last_rx_ms; /* latest valid frame (inactivity timeout) */
    int tx_rc;           /* first tx failure during the current call */

    /* client timing */
    uint8_t wait; /* what the client waits for (internal enum) */
    uint64_t deadline_ms;
    uint8_t retries;    /* polls in a row without any answer */
    uint8_t idle_polls; /* answers in a row without the expected response */
    bool expect_response;
    bool rx_gap; /* an out-of-sequence I-frame arrived since the last poll */

    /* receive reassembly, LLC header included */
    uint8_t rx_buf[HDLC_APDU_BUF_LEN];
    size_t rx_len;
    bool rx_open;     /* segments of an APDU are arriving */
    bool rx_overflow; /* the APDU being received is too long: discard until the last segment */

    /* transmit segmentation, LLC header included */
    uint8_t tx_buf[HDLC_APDU_BUF_LEN];
    size_t tx_len;     /* 0 = nothing queued */
    uint16_t tx_segs;  /* segments of the queued APDU */
    uint16_t tx_next;  /* index of the next segment to send */
    uint16_t tx_acked; /* index of the oldest unacknowledged segment */

    hdlc_deframer_t deframer;
    uint8_t frame[HDLC_FRAME_BUF_LEN]; /* frame being sent */
    hdlc_stats_t stats;
} hdlc_t;

/* Checks cfg (tx required; own max info lengths 0 or >= 32; a client needs client_sap 1..0x7E
 * and a valid server address) and starts in NDM. h keeps a pointer to itself for its deframer:
 * do not copy an initialised hdlc_t. Returns 0 or HDLC_ERR_BADARG / HDLC_ERR_ADDRESS. */
int hdlc_init(hdlc_t *h, const hdlc_config_t *cfg);

/* Bytes from the line, arriving at now_ms. Runs the inactivity check, finds frames, handles
 * them. Returns 0, or HDLC_ERR_TX when a frame could not be sent. Dropped frames are not
 * errors of the call: they are counted in the statistics. */
int hdlc_input(hdlc_t *h, const uint8_t *data, size_t len, uint64_t now_ms);

/* One complete frame (with or without flags), bypassing the deframer. Returns 0 when the frame
 * was accepted, otherwise why it was dropped or rejected (HDLC_ERR_FCS, HDLC_ERR_WRONG_ADDRESS,
 * HDLC_ERR_SEQUENCE, HDLC_ERR_CONTROL, ...) or HDLC_ERR_TX. */
int hdlc_input_frame(hdlc_t *h, const uint8_t *frame, size_t len, uint64_t now_ms);

/* Timers: server inactivity timeout; client response timeout, poll repetition, retries. */
int hdlc_tick(hdlc_t *h, uint64_t now_ms);

/* Queues one APDU (copied; LLC E6 E6 00 from a client, E6 E7 00 from a server). A server sends
 * it when polled; a client sends the first window now. Returns 0, HDLC_ERR_STATE (not
 * connected), HDLC_ERR_BUSY (previous APDU unfinished, client waiting for a response),
 * HDLC_ERR_APDU_TOO_LONG or HDLC_ERR_TX. Time is that of the latest call with now_ms. */
int hdlc_send_apdu(hdlc_t *h, const uint8_t *apdu, size_t len);

/* Client: sends SNRM. The outcome comes as HDLC_EVENT_CONNECTED or HDLC_EVENT_DISCONNECTED. */
int hdlc_connect(hdlc_t *h, uint64_t now_ms);

/* Client: sends DISC, HDLC_EVENT_DISCONNECTED follows UA/DM (or the retries). Server: drops the
 * link locally (the next frame from the client is answered with DM). */
int hdlc_disconnect(hdlc_t *h, uint64_t now_ms);

hdlc_state_t hdlc_state(const hdlc_t *h);

/* True in NRM. */
bool hdlc_is_connected(const hdlc_t *h);

/* True when hdlc_send_apdu() would accept an APDU now. */
bool hdlc_can_send(const hdlc_t *h);

/* Negotiated limits from this station's point of view (valid when connected). */
const hdlc_params_t *hdlc_negotiated(const hdlc_t *h);

/* SAP of the connected client (server; 0 in NDM), or the own SAP (client). */
uint16_t hdlc_client_sap(const hdlc_t *h);

void hdlc_get_stats(const hdlc_t *h, hdlc_stats_t *out);

/* Short English reason for an HDLC_ERR_* code. */
const char *hdlc_strerror(int err);

#endif /* EMETER_DLMS_HDLC_H */
