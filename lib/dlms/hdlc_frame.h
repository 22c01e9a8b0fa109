/*
 * hdlc_frame.h - HDLC frame codec for DLMS/COSEM (IEC 62056-46, the DLMS profile of
 * ISO/IEC 13239 with frame format type 3).
 *
 * A frame on the line is
 *
 *   7E | format(2) | dest addr(1/2/4) | src addr(1/2/4) | control | [HCS(2) | info] | FCS(2) | 7E
 *
 * The format field is 1010 S LLL LLLLLLLL: type 3 (0xA), the segmentation bit S and the
 * 11-bit frame length counting every byte between the flags. Frames carry no byte stuffing:
 * the length field, not the flags, delimits them, so 7E may occur inside a frame. HCS and FCS
 * are CRC-16/X.25, sent least significant byte first; HCS covers format..control and is present
 * only when there is an information field, FCS covers format..info.
 *
 * This module is stateless apart from the deframer: parse a frame into a struct, build a frame
 * into a caller's buffer, encode and decode addresses and the SNRM/UA parameter negotiation
 * field. hdlc.h builds the data link state machines on top of it.
 */
#ifndef EMETER_DLMS_HDLC_FRAME_H
#define EMETER_DLMS_HDLC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emeter_config.h"

/* ---- errors (-0x0300..-0x03FF, shared with hdlc.h) -------------------- */

#define HDLC_ERR_BADARG        (-0x0301) /* NULL pointer or impossible argument */
#define HDLC_ERR_FORMAT        (-0x0302) /* format type is not 0xA, or a flag is missing */
#define HDLC_ERR_LENGTH        (-0x0303) /* length field does not match the frame */
#define HDLC_ERR_HCS           (-0x0304) /* header check sequence wrong */
#define HDLC_ERR_FCS           (-0x0305) /* frame check sequence wrong */
#define HDLC_ERR_ADDRESS       (-0x0306) /* address not ended within 4 bytes, 3 bytes, or too big */
#define HDLC_ERR_TOO_LONG      (-0x0307) /* frame longer than the 11-bit length allows */
#define HDLC_ERR_BUFFER        (-0x0308) /* output buffer too small */
#define HDLC_ERR_PARAM         (-0x0309) /* SNRM/UA parameter field malformed or unusable */
#define HDLC_ERR_CONTROL       (-0x030A) /* control field not supported here (FRMR W) */
#define HDLC_ERR_STATE         (-0x030B) /* call not allowed in this link state or role */
#define HDLC_ERR_BUSY          (-0x030C) /* the previous APDU is still being sent */
#define HDLC_ERR_APDU_TOO_LONG (-0x030D) /* APDU longer than EM_HDLC_MAX_APDU */
#define HDLC_ERR_LLC           (-0x030E) /* LLC header missing or wrong direction */
#define HDLC_ERR_WRONG_ADDRESS (-0x030F) /* frame for another station */
#define HDLC_ERR_WRONG_CLIENT  (-0x0310) /* frame from an unexpected or invalid source */
#define HDLC_ERR_SEQUENCE      (-0x0311) /* I-frame with N(S) other than V(R) */
#define HDLC_ERR_NR            (-0x0312) /* N(R) acknowledges frames never sent (FRMR Z) */
#define HDLC_ERR_INFO_TOO_LONG (-0x0313) /* info field above the negotiated maximum (FRMR Y) */
#define HDLC_ERR_REFUSED       (-0x0314) /* peer answered DM */
#define HDLC_ERR_TIMEOUT       (-0x0315) /* no answer after the configured retries */
#define HDLC_ERR_INACTIVITY    (-0x0316) /* link dropped by the inactivity timeout */
#define HDLC_ERR_FRMR          (-0x0317) /* peer rejected a frame with FRMR */
#define HDLC_ERR_TX            (-0x0318) /* the tx callback reported a failure */
#define HDLC_ERR_NOT_CONNECTED (-0x0319) /* frame needs a connection (answered with DM) */
#define HDLC_ERR_BROADCAST     (-0x031A) /* command to an all-station address, not answered */
#define HDLC_ERR_UNEXPECTED    (-0x031B) /* response that does not fit the client's state */

/* ---- frame layout ------------------------------------------------------ */

#define HDLC_FLAG           0x7E
#define HDLC_FORMAT_TYPE3   0xA0 /* top nibble of the first format byte */
#define HDLC_FORMAT_SEGMENT 0x08 /* S bit: more segments of this APDU follow */
#define HDLC_MAX_FRAME_LEN  2047 /* 11-bit length field: bytes between the flags */
#define HDLC_MIN_FRAME_LEN  7    /* format + two 1-byte addresses + control + FCS */
/* Largest header + trailer: format, two 4-byte addresses, control, HCS, FCS. */
#define HDLC_OVERHEAD_MAX 15
/* Largest information field the 11-bit length leaves room for (class 23 allows 2030). */
#define HDLC_MAX_INFO_LIMIT 2030
/* Smallest max info field length a peer may negotiate (HDLC setup, class 23, range 32..). */
#define HDLC_MIN_INFO_LEN 32

#if EM_HDLC_MAX_INFO_LEN < HDLC_MIN_INFO_LEN || EM_HDLC_MAX_INFO_LEN > HDLC_MAX_INFO_LIMIT
#error "EM_HDLC_MAX_INFO_LEN must be 32..2030"
#endif
#if EM_HDLC_MAX_WINDOW < 1 || EM_HDLC_MAX_WINDOW > 7
#error "EM_HDLC_MAX_WINDOW must be 1..7 (sequence numbers are modulo 8)"
#endif

/* Bytes of one frame of this build including both flags: the receive and transmit buffers. */
#define HDLC_FRAME_BUF_LEN (EM_HDLC_MAX_INFO_LEN + HDLC_OVERHEAD_MAX + 2)

/* ---- control field (ISO/IEC 13239, modulo 8) ----------------------------- */
/* I:  N(R) N(R) N(R) P/F N(S) N(S) N(S) 0
 * S:  N(R) N(R) N(R) P/F  S    S    0   1   (RR S=00, RNR S=01, REJ S=10, SREJ S=11)
 * U:  M    M    M    P/F  M    M    1   1                                           */

#define HDLC_CTRL_PF   0x10
#define HDLC_CTRL_SNRM 0x83 /* set normal response mode (command) */
#define HDLC_CTRL_DISC 0x43 /* disconnect (command) */
#define HDLC_CTRL_UA   0x63 /* unnumbered acknowledge (response) */
#define HDLC_CTRL_DM   0x0F /* disconnected mode (response) */
#define HDLC_CTRL_FRMR 0x87 /* frame reject (response) */
#define HDLC_CTRL_UI   0x03 /* unnumbered information */
#define HDLC_CTRL_RR   0x01 /* receive ready */
#define HDLC_CTRL_RNR  0x05 /* receive not ready */
#define HDLC_CTRL_REJ  0x09 /* reject: not part of the DLMS profile, answered with FRMR */

/* FRMR information field byte 3 (reason bits). */
#define HDLC_FRMR_W 0x01 /* control field undefined or not implemented */
#define HDLC_FRMR_X 0x02 /* information field not permitted with this frame (set with W) */
#define HDLC_FRMR_Y 0x04 /* information field longer than the negotiated maximum */
#define HDLC_FRMR_Z 0x08 /* N(R) not valid */

static inline bool hdlc_ctrl_is_i(uint8_t c) {
    return (c & 0x01) == 0;
}
static inline bool hdlc_ctrl_is_s(uint8_t c) {
    return (c & 0x03) == 0x01;
}
static inline bool hdlc_ctrl_is_u(uint8_t c) {
    return (c & 0x03) == 0x03;
}
static inline bool hdlc_ctrl_pf(uint8_t c) {
    return (c & HDLC_CTRL_PF) != 0;
}
static inline uint8_t hdlc_ctrl_ns(uint8_t c) {
    return (uint8_t)((c >> 1) & 0x07);
}
static inline uint8_t hdlc_ctrl_nr(uint8_t c) {
    return (uint8_t)(c >> 5);
}
/* S and U frames without the P/F bit: compare against HDLC_CTRL_RR, HDLC_CTRL_SNRM, ... */
static inline uint8_t hdlc_ctrl_cmd(uint8_t c) {
    return (uint8_t)(c & (uint8_t)~HDLC_CTRL_PF);
}
static inline uint8_t hdlc_ctrl_i(uint8_t ns, uint8_t nr, bool pf) {
    return (uint8_t)(((nr & 7) << 5) | (pf ? HDLC_CTRL_PF : 0) | ((ns & 7) << 1));
}
static inline uint8_t hdlc_ctrl_s(uint8_t type, uint8_t nr, bool pf) {
    return (uint8_t)(((nr & 7) << 5) | (pf ? HDLC_CTRL_PF : 0) | type);
}
static inline uint8_t hdlc_ctrl_u(uint8_t cmd, bool pf) {
    return (uint8_t)(cmd | (pf ? HDLC_CTRL_PF : 0));
}

/* ---- CRC ------------------------------------------------------------------ */

/* CRC-16/X.25 (reflected polynomial 0x1021, init 0xFFFF, final XOR 0xFFFF) as used for HCS and
 * FCS. The result goes on the line least significant byte first. */
uint16_t hdlc_crc16_x25(const uint8_t *data, size_t len);

/* ---- addresses ---------------------------------------------------------------- */

/* Reserved values of a 7-bit (1-byte) and a 14-bit (2-byte) address part (Green Book
 * "reserved special HDLC addresses"; not confirmed in a public source, see dlms-facts.md §6
 * item 9). A server accepts the all-station value in either part as addressed to itself. */
#define HDLC_ADDR_NO_STATION    0x00
#define HDLC_ADDR_ALL_STATION_1 0x7F
#define HDLC_ADDR_ALL_STATION_2 0x3FFF

/* One HDLC address. A client address is one byte holding its SAP: (SAP << 1) | 1. A server
 * address holds the upper HDLC address (logical device) and, with 2 or 4 bytes, the lower HDLC
 * address (physical device), 7 bits per byte, LSB = 1 only on the last byte. */
typedef struct hdlc_addr {
    uint16_t upper; /* client SAP, or the server's logical device address */
    uint16_t lower; /* server's physical device address; 0 when size is 1 */
    uint8_t size;   /* bytes on the line: 1 (upper only), 2 (7+7 bits) or 4 (14+14 bits) */
} hdlc_addr_t;

/* Encodes a into out (cap >= size). Returns the number of bytes (1, 2 or 4) or
 * HDLC_ERR_ADDRESS when size is not 1/2/4 or a part does not fit (size 1 needs lower == 0). */
int hdlc_addr_encode(const hdlc_addr_t *a, uint8_t *out, size_t cap);

/* Decodes one address from in[0..len). Returns the bytes used (1, 2 or 4) or HDLC_ERR_ADDRESS
 * when no byte with LSB = 1 ends it within 4 bytes or it ends after 3 bytes. */
int hdlc_addr_decode(const uint8_t *in, size_t len, hdlc_addr_t *a);

/* True if part is the all-station value for a part of part_bytes (1 or 2) bytes. */
bool hdlc_addr_part_is_all_station(uint16_t part, uint8_t part_bytes);

/* ---- frames ----------------------------------------------------------------------- */

typedef struct hdlc_frame {
    bool segmented;      /* S bit: more segments follow */
    uint16_t length;     /* frame length field (parse only; build computes it) */
    hdlc_addr_t dest;    /* destination address */
    hdlc_addr_t src;     /* source address */
    uint8_t control;     /* control field */
    const uint8_t *info; /* information field, NULL when absent */
    size_t info_len;     /* 0 when there is no information field (and no HCS) */
} hdlc_frame_t;

/* Parses one complete frame. data may include both flags (7E ... 7E) or only the bytes between
 * them; the two cannot be confused because a format field never starts with 7E. Checks format
 * type, length field, FCS, addresses, HCS, in that order, and returns 0 or the first failing
 * HDLC_ERR_*. f->info points into data. On error *f is zeroed. */
int hdlc_frame_parse(const uint8_t *data, size_t len, hdlc_frame_t *f);

/* Builds f into out with both flags, computing length, HCS (when info_len > 0) and FCS. Returns
 * the number of bytes written or HDLC_ERR_ADDRESS, HDLC_ERR_TOO_LONG, HDLC_ERR_BUFFER,
 * HDLC_ERR_BADARG. f->info may point into out (memmove is used). */
int hdlc_frame_build(const hdlc_frame_t *f, uint8_t *out, size_t cap);

/* ---- SNRM/UA parameter negotiation ------------------------------------------------------ */

#define HDLC_PARAM_FORMAT_ID   0x81 /* format identifier */
#define HDLC_PARAM_GROUP_ID    0x80 /* HDLC parameter group */
#define HDLC_PARAM_MAX_INFO_TX 0x05
#define HDLC_PARAM_MAX_INFO_RX 0x06
#define HDLC_PARAM_WINDOW_TX   0x07
#define HDLC_PARAM_WINDOW_RX   0x08
#define HDLC_DEFAULT_MAX_INFO  128 /* IEC 62056-46 default without negotiation */
#define HDLC_DEFAULT_WINDOW    1
/* Largest parameter field hdlc_params_encode writes: 81 80 len + 4 x (id len 4-byte value). */
#define HDLC_PARAMS_MAX_LEN 27

/* The four negotiable values, each from the point of view of the station it describes:
 * in a SNRM the client's, in a UA the server's. */
typedef struct hdlc_params {
    uint32_t max_info_tx; /* longest information field this station sends */
    uint32_t max_info_rx; /* longest information field this station accepts */
    uint32_t window_tx;   /* frames this station sends before waiting for an acknowledgement */
    uint32_t window_rx;   /* frames this station accepts before acknowledging */
} hdlc_params_t;

/* 128 bytes and window 1 in both directions. */
void hdlc_params_default(hdlc_params_t *p);

/* Encodes p as 81 80 len {05 06 07 08}. Info lengths use the fewest of 1/2/4 bytes, windows
 * always 4 bytes, as in the IEC 62056-46 UA example. Returns the length or HDLC_ERR_BUFFER. */
int hdlc_params_encode(const hdlc_params_t *p, uint8_t *out, size_t cap);

/* Decodes a SNRM/UA information field. An empty field means the defaults; parameters that are
 * absent keep their default; values may be 1, 2 or 4 bytes; unknown parameter ids are skipped.
 * Returns 0 or HDLC_ERR_PARAM (then *p holds the defaults). */
int hdlc_params_decode(const uint8_t *info, size_t len, hdlc_params_t *p);

/* Combines own limits with what the peer announced, giving the values this station uses:
 * tx = min(own tx, peer rx), rx = min(own rx, peer tx) for info length and window.
 * Returns HDLC_ERR_PARAM when the peer announced an info length below HDLC_MIN_INFO_LEN or
 * a zero window. */
int hdlc_params_negotiate(const hdlc_params_t *own, const hdlc_params_t *peer, hdlc_params_t *out);

/* ---- deframer ------------------------------------------------------------------------------ */

/* Why bytes from the line did not become frames. */
typedef struct hdlc_deframer_stats {
    uint32_t frames;          /* candidate frames handed to on_frame */
    uint32_t garbage_bytes;   /* bytes outside any frame */
    uint32_t bad_start;       /* flag not followed by a plausible type 3 format field */
    uint32_t too_long;        /* length field above HDLC_FRAME_BUF_LEN */
    uint32_t no_closing_flag; /* no 7E where the length field says the frame ends */
    uint32_t timeouts;        /* partial frames dropped by the inter-octet timeout */
} hdlc_deframer_stats_t;

typedef void (*hdlc_frame_cb)(void *user, const uint8_t *frame, size_t len);

/* Finds frames in a byte stream arriving in arbitrary chunks. It hunts for a flag, reads the
 * length from the format field and hands on the bytes between the flags when the closing flag
 * is where the length says. Back-to-back frames may share one flag, idle flags are skipped, and
 * when a candidate fails (bad format, too long, closing flag missing) it resynchronises on the
 * next flag already buffered, so a frame that lost a byte does not take the next one with it.
 * CRCs are left to hdlc_frame_parse. */
typedef struct hdlc_deframer {
    uint8_t buf[HDLC_FRAME_BUF_LEN]; /* opening flag, frame, closing flag */
    size_t len;                      /* bytes in buf */
    uint64_t last_ms;                /* arrival time of the latest byte */
    uint32_t inter_octet_ms;         /* 0 = no inter-octet timeout */
    hdlc_frame_cb on_frame;
    void *user;
    hdlc_deframer_stats_t stats;
} hdlc_deframer_t;

/* on_frame receives the bytes between the flags (valid during the call only); it must not feed
 * the same deframer. */
void hdlc_deframer_init(hdlc_deframer_t *d, uint32_t inter_octet_ms, hdlc_frame_cb on_frame,
                        void *user);

/* Forgets any partial frame (statistics are kept). */
void hdlc_deframer_reset(hdlc_deframer_t *d);

/* Feeds len bytes that arrived at now_ms. A partial frame whose previous byte is older than
 * inter_octet_ms is dropped first, as IEC 62056-46 asks of a receiver. */
void hdlc_deframer_feed(hdlc_deframer_t *d, const uint8_t *data, size_t len, uint64_t now_ms);

#endif /* EMETER_DLMS_HDLC_FRAME_H */
