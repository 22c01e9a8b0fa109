/*
 * wrapper.h - DLMS/COSEM TCP and UDP wrapper (IEC 62056-47, Green Book
 * "TCP-UDP based communication profile").
 *
 * Every APDU travels behind an 8-byte wrapper header, all fields big-endian:
 *
 *     version (2) = 0x0001 | source wPort (2) | destination wPort (2) | length (2)
 *
 * length counts the APDU only, not the header. No LLC bytes follow. The
 * wPorts carry the client and server SAPs (public client 0x0010, management
 * logical device 0x0001). The default TCP/UDP port is 4059.
 *
 * Three services:
 *  - header/frame build and parse (dlms_wrapper_header_*, dlms_wrapper_encode),
 *  - a TCP reassembler (dlms_wrapper_rx_*) fed by a byte stream cut in
 *    arbitrary pieces, handing out complete frames one at a time,
 *  - a UDP helper (dlms_wrapper_udp_decode): one datagram is exactly one frame.
 *
 * Refusals. A zero length is refused (a frame without an APDU carries
 * nothing the server could answer, and accepting it would let a peer keep a
 * connection busy for free); a length above the limit is refused from the
 * header alone, before any payload byte is buffered. TCP has no frame
 * delimiter, so after the reassembler refused a header the position of the
 * next header is unknown: the stream cannot be resynchronised and every
 * negative return of dlms_wrapper_rx_feed() means "close the connection".
 */
#ifndef DLMS_WRAPPER_H
#define DLMS_WRAPPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emeter_config.h"

#define DLMS_WRAPPER_VERSION    0x0001u /* the only version defined */
#define DLMS_WRAPPER_HEADER_LEN 8u
#define DLMS_WRAPPER_PORT       4059u /* IANA-registered DLMS/COSEM port (TCP and UDP) */

/* Errors: -0x0200..-0x02FF. */
#define DLMS_WRAPPER_ERR_BADARG    (-0x0201) /* NULL pointer or limit out of range */
#define DLMS_WRAPPER_ERR_VERSION   (-0x0202) /* version field is not 0x0001 */
#define DLMS_WRAPPER_ERR_TOO_LONG  (-0x0203) /* length above the configured maximum */
#define DLMS_WRAPPER_ERR_EMPTY     (-0x0204) /* length 0: no APDU */
#define DLMS_WRAPPER_ERR_SHORT     (-0x0205) /* fewer bytes than header + length */
#define DLMS_WRAPPER_ERR_TRAILING  (-0x0206) /* datagram longer than header + length */
#define DLMS_WRAPPER_ERR_BUF_SMALL (-0x0207) /* output buffer too small */

/* Decoded header. The version is not stored: anything but 0x0001 is refused. */
typedef struct dlms_wrapper_header {
    uint16_t source_wport;
    uint16_t dest_wport;
    uint16_t length; /* APDU length, header not counted */
} dlms_wrapper_header_t;

/* TCP reassembler. One per connection; no field is meant to be touched by
 * the caller (use the accessors). */
typedef struct dlms_wrapper_rx {
    size_t max_apdu; /* per-connection limit, <= EM_WRAPPER_MAX_APDU */
    size_t have;     /* bytes of the current frame received, header included */
    int error;       /* sticky refusal, 0 while the stream is good */
    bool delivered;  /* the frame in apdu[] was handed out */
    uint8_t hdr[DLMS_WRAPPER_HEADER_LEN];
    dlms_wrapper_header_t header; /* valid once have >= 8 */
    uint8_t apdu[EM_WRAPPER_MAX_APDU];
} dlms_wrapper_rx_t;

/* Write the 8-byte header for h (version 0x0001) into out.
 * Returns 8, or DLMS_WRAPPER_ERR_EMPTY / _TOO_LONG (h->length 0 or above
 * EM_WRAPPER_MAX_APDU) / _BUF_SMALL / _BADARG. */
int dlms_wrapper_header_encode(const dlms_wrapper_header_t *h, uint8_t *out, size_t cap);

/* Parse the header at buf[0..8). max_apdu is the caller's limit; 0 means
 * EM_WRAPPER_MAX_APDU and a larger value is clamped to it, because every
 * APDU buffer above this layer is sized by that option. Returns 0, or
 * DLMS_WRAPPER_ERR_SHORT (len < 8) / _VERSION / _EMPTY / _TOO_LONG /
 * _BADARG. On error *h is zeroed. */
int dlms_wrapper_header_decode(const uint8_t *buf, size_t len, size_t max_apdu,
                               dlms_wrapper_header_t *h);

/* Build header + APDU into out. apdu may point at out + 8 (the APDU built
 * in place behind room for the header); other overlaps are also handled.
 * Returns 8 + apdu_len, or DLMS_WRAPPER_ERR_EMPTY / _TOO_LONG / _BUF_SMALL
 * / _BADARG. */
int dlms_wrapper_encode(uint16_t source_wport, uint16_t dest_wport, const uint8_t *apdu,
                        size_t apdu_len, uint8_t *out, size_t cap);

/* UDP: a datagram holds exactly one frame. Returns the APDU length (> 0)
 * with *h filled and *apdu pointing into dgram, or DLMS_WRAPPER_ERR_SHORT
 * (missing bytes) / _TRAILING (extra bytes) / _VERSION / _EMPTY / _TOO_LONG
 * / _BADARG. max_apdu as for dlms_wrapper_header_decode(). */
int dlms_wrapper_udp_decode(const uint8_t *dgram, size_t len, size_t max_apdu,
                            dlms_wrapper_header_t *h, const uint8_t **apdu);

/* Prepare a reassembler for a new connection. max_apdu: 0 means
 * EM_WRAPPER_MAX_APDU; above it is DLMS_WRAPPER_ERR_BADARG. */
int dlms_wrapper_rx_init(dlms_wrapper_rx_t *rx, size_t max_apdu);

/* Forget everything received (new connection), keep the limit. */
void dlms_wrapper_rx_reset(dlms_wrapper_rx_t *rx);

/* Feed stream bytes. *consumed tells how many of data[0..len) were used.
 * Returns:
 *   > 0  a frame is complete; the value is its APDU length. The header and
 *        APDU stay readable through the accessors until the next feed.
 *        Bytes after the frame were not consumed: feed them again.
 *   0    all bytes consumed, no complete frame yet.
 *   < 0  the stream carries a header that was refused (_VERSION, _EMPTY,
 *        _TOO_LONG; consumed stops right after that header, no payload
 *        was buffered) or the call was invalid (_BADARG). The stream cannot
 *        be resynchronised: close the connection. Later calls return the
 *        same code and consume nothing until dlms_wrapper_rx_reset(). */
int dlms_wrapper_rx_feed(dlms_wrapper_rx_t *rx, const uint8_t *data, size_t len, size_t *consumed);

/* The last completed frame (valid after dlms_wrapper_rx_feed() > 0). */
const dlms_wrapper_header_t *dlms_wrapper_rx_header(const dlms_wrapper_rx_t *rx);
const uint8_t *dlms_wrapper_rx_apdu(const dlms_wrapper_rx_t *rx);

/* True while part of a frame is buffered (a connection closing now loses it). */
bool dlms_wrapper_rx_partial(const dlms_wrapper_rx_t *rx);

const char *dlms_wrapper_strerror(int err);

#endif /* DLMS_WRAPPER_H */
