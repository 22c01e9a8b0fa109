/*
 * transport.h - how the dlms tool moves APDUs to and from a meter: the
 * TCP/UDP wrapper over a TCP socket (IEC 62056-47, lib/dlms/wrapper) or
 * HDLC over a serial line or pty (IEC 62056-46, lib/dlms/hdlc, client
 * role). Both are blocking with a timeout: send one APDU, receive one APDU.
 * The protocol state machines are the library's; this layer only owns the
 * file descriptor and the clock.
 */
#ifndef DLMS_CLI_TRANSPORT_H
#define DLMS_CLI_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#define TRANSPORT_ERR_IO      (-1) /* connect/read/write failed; err says why */
#define TRANSPORT_ERR_TIMEOUT (-2) /* no (complete) answer within the timeout */
#define TRANSPORT_ERR_CLOSED  (-3) /* the meter closed the connection / link */
#define TRANSPORT_ERR_FRAME   (-4) /* a frame the transport refuses (ports, length) */

typedef struct transport transport_t;

struct transport {
    int (*send)(transport_t *t, const uint8_t *apdu, size_t len);
    /* One whole APDU into buf; *len its length. */
    int (*recv)(transport_t *t, uint8_t *buf, size_t cap, size_t *len);
    void (*close)(transport_t *t); /* also frees t */
    int timeout_ms;
    char err[256]; /* reason of the last failure */
};

typedef struct transport_tcp_cfg {
    const char *host;
    uint16_t port;
    uint16_t client_sap; /* source wPort of what we send */
    uint16_t server_sap; /* destination wPort */
    int timeout_ms;
} transport_tcp_cfg_t;

typedef struct transport_hdlc_cfg {
    const char *device; /* /dev/ttyUSB0, a pty such as /dev/pts/3, or a FIFO/socket path */
    int baud;           /* 8N1 at this speed when the device is a tty */
    uint16_t client_sap;
    uint16_t server_sap;      /* HDLC upper (logical device) address */
    uint16_t server_physical; /* lower address; 0: one-byte address (point-to-point) */
    int timeout_ms;
} transport_hdlc_cfg_t;

/* NULL on failure with a one-line reason in err. */
transport_t *transport_tcp_open(const transport_tcp_cfg_t *cfg, char *err, size_t errlen);
transport_t *transport_hdlc_open(const transport_hdlc_cfg_t *cfg, char *err, size_t errlen);

/* Milliseconds of a monotonic clock (shared by both transports). */
uint64_t transport_now_ms(void);

#endif /* DLMS_CLI_TRANSPORT_H */
