/*
 * transport_tcp.c - APDUs over the DLMS/COSEM TCP wrapper (IEC 62056-47,
 * dlms-facts §4.1): an 8-byte header (version 1, source wPort = our client
 * SAP, destination wPort = the server SAP, length) in front of every APDU.
 * Non-blocking socket driven by poll() so that connect, send and receive
 * all honour the tool's --timeout; framing and checks by lib/dlms/wrapper.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dlms/wrapper.h"
#include "transport.h"

typedef struct tcp_transport {
    transport_t base;
    int fd;
    uint16_t client_sap;
    uint16_t server_sap;
    char peer[160];
    dlms_wrapper_rx_t rx;
    uint8_t pending[4096]; /* bytes read past the end of the last frame */
    size_t pending_len;
} tcp_transport_t;

uint64_t transport_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int tcp_wait(tcp_transport_t *t, short events, uint64_t deadline) {
    for (;;) {
        uint64_t now = transport_now_ms();
        if (now >= deadline) {
            return TRANSPORT_ERR_TIMEOUT;
        }
        struct pollfd p = {t->fd, events, 0};
        int rc = poll(&p, 1, (int)(deadline - now));
        if (rc > 0) {
            return 0;
        }
        if (rc < 0 && errno != EINTR) {
            snprintf(t->base.err, sizeof t->base.err, "poll: %s", strerror(errno));
            return TRANSPORT_ERR_IO;
        }
    }
}

static int tcp_send(transport_t *base, const uint8_t *apdu, size_t len) {
    tcp_transport_t *t = (tcp_transport_t *)base;
    uint8_t frame[DLMS_WRAPPER_HEADER_LEN + EM_WRAPPER_MAX_APDU];
    int n = dlms_wrapper_encode(t->client_sap, t->server_sap, apdu, len, frame, sizeof frame);
    if (n < 0) {
        snprintf(base->err, sizeof base->err, "wrapper: %s", dlms_wrapper_strerror(n));
        return TRANSPORT_ERR_FRAME;
    }
    uint64_t deadline = transport_now_ms() + (uint64_t)base->timeout_ms;
    size_t off = 0;
    while (off < (size_t)n) {
        ssize_t w = send(t->fd, frame + off, (size_t)n - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            int rc = tcp_wait(t, POLLOUT, deadline);
            if (rc != 0) {
                return rc;
            }
            continue;
        }
        snprintf(base->err, sizeof base->err, "send to %s: %s", t->peer, strerror(errno));
        return errno == EPIPE || errno == ECONNRESET ? TRANSPORT_ERR_CLOSED : TRANSPORT_ERR_IO;
    }
    return 0;
}

/* Feeds bytes to the reassembler; >0 when a frame completed (leftovers kept). */
static int tcp_feed(tcp_transport_t *t, const uint8_t *p, size_t len) {
    size_t consumed = 0;
    int rc = dlms_wrapper_rx_feed(&t->rx, p, len, &consumed);
    if (rc < 0) {
        snprintf(t->base.err, sizeof t->base.err, "wrapper frame from %s refused: %s", t->peer,
                 dlms_wrapper_strerror(rc));
        return TRANSPORT_ERR_FRAME;
    }
    size_t rest = len - consumed;
    if (rest > sizeof t->pending) {
        snprintf(t->base.err, sizeof t->base.err, "wrapper: too many bytes after a frame");
        return TRANSPORT_ERR_FRAME;
    }
    memmove(t->pending, p + consumed, rest);
    t->pending_len = rest;
    return rc;
}

static int tcp_deliver(tcp_transport_t *t, int apdu_len, uint8_t *buf, size_t cap, size_t *len) {
    const dlms_wrapper_header_t *h = dlms_wrapper_rx_header(&t->rx);
    if (h->source_wport != t->server_sap || h->dest_wport != t->client_sap) {
        snprintf(t->base.err, sizeof t->base.err,
                 "wrapper frame from wPort %u to wPort %u (expected %u to %u)", h->source_wport,
                 h->dest_wport, t->server_sap, t->client_sap);
        return TRANSPORT_ERR_FRAME;
    }
    if ((size_t)apdu_len > cap) {
        snprintf(t->base.err, sizeof t->base.err, "APDU of %d bytes is too long", apdu_len);
        return TRANSPORT_ERR_FRAME;
    }
    memcpy(buf, dlms_wrapper_rx_apdu(&t->rx), (size_t)apdu_len);
    *len = (size_t)apdu_len;
    return 0;
}

static int tcp_recv(transport_t *base, uint8_t *buf, size_t cap, size_t *len) {
    tcp_transport_t *t = (tcp_transport_t *)base;
    uint64_t deadline = transport_now_ms() + (uint64_t)base->timeout_ms;
    uint8_t chunk[4096];
    if (t->pending_len > 0) {
        size_t n = t->pending_len;
        memcpy(chunk, t->pending, n);
        t->pending_len = 0;
        int rc = tcp_feed(t, chunk, n);
        if (rc != 0) {
            return rc > 0 ? tcp_deliver(t, rc, buf, cap, len) : rc;
        }
    }
    for (;;) {
        int rc = tcp_wait(t, POLLIN, deadline);
        if (rc != 0) {
            if (rc == TRANSPORT_ERR_TIMEOUT) {
                snprintf(base->err, sizeof base->err, "timeout: no answer from %s", t->peer);
            }
            return rc;
        }
        ssize_t r = recv(t->fd, chunk, sizeof chunk, 0);
        if (r == 0) {
            snprintf(base->err, sizeof base->err, "%s closed the connection", t->peer);
            return TRANSPORT_ERR_CLOSED;
        }
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                continue;
            }
            snprintf(base->err, sizeof base->err, "recv from %s: %s", t->peer, strerror(errno));
            return errno == ECONNRESET ? TRANSPORT_ERR_CLOSED : TRANSPORT_ERR_IO;
        }
        rc = tcp_feed(t, chunk, (size_t)r);
        if (rc != 0) {
            return rc > 0 ? tcp_deliver(t, rc, buf, cap, len) : rc;
        }
    }
}

static void tcp_close(transport_t *base) {
    tcp_transport_t *t = (tcp_transport_t *)base;
    if (t->fd >= 0) {
        close(t->fd);
    }
    free(t);
}

/* Non-blocking connect to one address, waiting at most until deadline. */
static int tcp_connect_one(const struct addrinfo *ai, uint64_t deadline, int *err_out) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        *err_out = errno;
        return -1;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        return fd;
    }
    if (errno != EINPROGRESS) {
        *err_out = errno;
        close(fd);
        return -1;
    }
    uint64_t now = transport_now_ms();
    struct pollfd p = {fd, POLLOUT, 0};
    int rc = now < deadline ? poll(&p, 1, (int)(deadline - now)) : 0;
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (rc <= 0) {
        *err_out = rc == 0 ? ETIMEDOUT : errno;
    } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
        *err_out = soerr != 0 ? soerr : errno;
    } else {
        return fd;
    }
    close(fd);
    return -1;
}

transport_t *transport_tcp_open(const transport_tcp_cfg_t *cfg, char *err, size_t errlen) {
    char port[8];
    snprintf(port, sizeof port, "%u", cfg->port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(cfg->host, port, &hints, &res);
    if (g != 0) {
        snprintf(err, errlen, "cannot resolve %s: %s", cfg->host, gai_strerror(g));
        return NULL;
    }
    uint64_t deadline = transport_now_ms() + (uint64_t)cfg->timeout_ms;
    int fd = -1, e = 0;
    for (const struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = tcp_connect_one(ai, deadline, &e);
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "%s (%s:%u)",
                 e == ECONNREFUSED ? "connection refused"
                 : e == ETIMEDOUT  ? "timeout connecting"
                                   : strerror(e),
                 cfg->host, cfg->port);
        return NULL;
    }
    tcp_transport_t *t = calloc(1, sizeof *t);
    if (t == NULL) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->fd = fd;
    t->client_sap = cfg->client_sap;
    t->server_sap = cfg->server_sap;
    snprintf(t->peer, sizeof t->peer, "%s:%u", cfg->host, cfg->port);
    dlms_wrapper_rx_init(&t->rx, 0);
    t->base.send = tcp_send;
    t->base.recv = tcp_recv;
    t->base.close = tcp_close;
    t->base.timeout_ms = cfg->timeout_ms;
    return &t->base;
}
