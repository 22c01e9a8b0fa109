/*
 * transport_hdlc.c - APDUs over HDLC (IEC 62056-46) on a serial line or a
 * pty, with lib/dlms/hdlc in the client (primary station) role: SNRM/UA to
 * open the link, I-frames with the LLC header E6 E6 00, RR polling and
 * segmentation, DISC to close. The line is set to 8N1 raw at --baud when
 * the device is a terminal (a real port or a pty); any other path that can
 * be opened read/write (a FIFO, a socket made by socat) is used as it is.
 *
 * The library's callbacks run inside hdlc_input()/hdlc_tick(): tx writes to
 * the device, on_apdu copies the response out, on_event records the link
 * state. Time is the monotonic clock, in milliseconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "dlms/hdlc.h"
#include "transport.h"

typedef struct hdlc_transport {
    transport_t base;
    int fd;
    const char *device;
    hdlc_t link;
    bool connected;
    bool lost; /* the link dropped (DISC, DM, retries exhausted) */
    int lost_err;
    bool apdu_error; /* the library gave up on the response */
    int apdu_err;
    size_t apdu_len; /* the response, copied in on_apdu */
    bool apdu_ready;
    uint8_t apdu_buf[HDLC_APDU_BUF_LEN];
} hdlc_transport_t;

static int hdlc_tx(void *user, const uint8_t *frame, size_t len) {
    hdlc_transport_t *t = user;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(t->fd, frame + off, len - off);
        if (w > 0) {
            off += (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd p = {t->fd, POLLOUT, 0};
            poll(&p, 1, 100);
        } else {
            return -1;
        }
    }
    return 0;
}

static void hdlc_on_apdu(void *user, const uint8_t *apdu, size_t len) {
    hdlc_transport_t *t = user;
    if (len <= sizeof t->apdu_buf) {
        memcpy(t->apdu_buf, apdu, len);
        t->apdu_len = len;
        t->apdu_ready = true;
    }
}

static void hdlc_on_event(void *user, hdlc_event_t ev, int err) {
    hdlc_transport_t *t = user;
    if (ev == HDLC_EVENT_CONNECTED) {
        t->connected = true;
    } else if (ev == HDLC_EVENT_DISCONNECTED) {
        t->connected = false;
        t->lost = true;
        t->lost_err = err;
    } else {
        t->apdu_error = true;
        t->apdu_err = err;
    }
}

/* Reads what the line has (waiting at most wait_ms) into the link. */
static int hdlc_pump(hdlc_transport_t *t, int wait_ms) {
    struct pollfd p = {t->fd, POLLIN, 0};
    int rc = poll(&p, 1, wait_ms);
    if (rc < 0 && errno != EINTR) {
        snprintf(t->base.err, sizeof t->base.err, "%s: %s", t->device, strerror(errno));
        return TRANSPORT_ERR_IO;
    }
    if (rc > 0) {
        uint8_t buf[1024];
        ssize_t r = read(t->fd, buf, sizeof buf);
        if (r < 0 && errno != EAGAIN && errno != EINTR) {
            snprintf(t->base.err, sizeof t->base.err, "%s: %s", t->device, strerror(errno));
            return TRANSPORT_ERR_IO;
        }
        if (r == 0 && (p.revents & POLLHUP) != 0) {
            snprintf(t->base.err, sizeof t->base.err, "%s: the other side closed", t->device);
            return TRANSPORT_ERR_CLOSED;
        }
        if (r > 0) {
            hdlc_input(&t->link, buf, (size_t)r, transport_now_ms());
        }
    }
    hdlc_tick(&t->link, transport_now_ms());
    return 0;
}

/* Pumps until done() or the deadline. */
static int hdlc_run(hdlc_transport_t *t, bool (*done)(const hdlc_transport_t *),
                    uint64_t deadline) {
    while (!done(t)) {
        if (t->lost) {
            snprintf(t->base.err, sizeof t->base.err, "HDLC link lost: %s",
                     hdlc_strerror(t->lost_err));
            return t->lost_err == HDLC_ERR_TIMEOUT ? TRANSPORT_ERR_TIMEOUT : TRANSPORT_ERR_CLOSED;
        }
        if (t->apdu_error) {
            snprintf(t->base.err, sizeof t->base.err, "HDLC: response lost: %s",
                     hdlc_strerror(t->apdu_err));
            t->apdu_error = false;
            return t->apdu_err == HDLC_ERR_TIMEOUT ? TRANSPORT_ERR_TIMEOUT : TRANSPORT_ERR_FRAME;
        }
        uint64_t now = transport_now_ms();
        if (now >= deadline) {
            snprintf(t->base.err, sizeof t->base.err, "timeout: no answer on %s", t->device);
            return TRANSPORT_ERR_TIMEOUT;
        }
        int rc = hdlc_pump(t, (int)(deadline - now < 50 ? deadline - now : 50));
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static bool hdlc_is_up(const hdlc_transport_t *t) {
    return t->connected;
}

static bool hdlc_has_apdu(const hdlc_transport_t *t) {
    return t->apdu_ready;
}

static bool hdlc_is_down(const hdlc_transport_t *t) {
    return !t->connected;
}

static int hdlc_send(transport_t *base, const uint8_t *apdu, size_t len) {
    hdlc_transport_t *t = (hdlc_transport_t *)base;
    t->apdu_ready = false;
    t->apdu_error = false;
    int rc = hdlc_send_apdu(&t->link, apdu, len);
    if (rc != 0) {
        snprintf(base->err, sizeof base->err, "HDLC send: %s", hdlc_strerror(rc));
        return rc == HDLC_ERR_STATE ? TRANSPORT_ERR_CLOSED : TRANSPORT_ERR_FRAME;
    }
    return 0;
}

static int hdlc_recv(transport_t *base, uint8_t *buf, size_t cap, size_t *len) {
    hdlc_transport_t *t = (hdlc_transport_t *)base;
    int rc = hdlc_run(t, hdlc_has_apdu, transport_now_ms() + (uint64_t)base->timeout_ms);
    if (rc != 0) {
        return rc;
    }
    t->apdu_ready = false;
    if (t->apdu_len > cap) {
        snprintf(base->err, sizeof base->err, "APDU of %zu bytes is too long", t->apdu_len);
        return TRANSPORT_ERR_FRAME;
    }
    memcpy(buf, t->apdu_buf, t->apdu_len);
    *len = t->apdu_len;
    return 0;
}

static void hdlc_close(transport_t *base) {
    hdlc_transport_t *t = (hdlc_transport_t *)base;
    if (t->connected && hdlc_disconnect(&t->link, transport_now_ms()) == 0) {
        hdlc_run(t, hdlc_is_down, transport_now_ms() + 1000u);
    }
    close(t->fd);
    free(t);
}

static speed_t hdlc_speed(int baud) {
    switch (baud) {
    case 300:
        return B300;
    case 1200:
        return B1200;
    case 2400:
        return B2400;
    case 4800:
        return B4800;
    case 9600:
        return B9600;
    case 19200:
        return B19200;
    case 38400:
        return B38400;
    case 57600:
        return B57600;
    case 115200:
        return B115200;
    default:
        return 0;
    }
}

/* 8N1, raw, no flow control: what IEC 62056-46 over a serial port uses
 * after the mode E handover (dlms-facts §4.3). */
static int hdlc_line_setup(int fd, int baud, char *err, size_t errlen) {
    if (!isatty(fd)) {
        return 0;
    }
    struct termios tio;
    speed_t sp = hdlc_speed(baud);
    if (sp == 0) {
        snprintf(err, errlen, "unsupported --baud %d (300..115200)", baud);
        return -1;
    }
    if (tcgetattr(fd, &tio) != 0) {
        snprintf(err, errlen, "tcgetattr: %s", strerror(errno));
        return -1;
    }
    cfmakeraw(&tio);
    tio.c_cflag &= ~(tcflag_t)(PARENB | CSTOPB | CSIZE | CRTSCTS);
    tio.c_cflag |= CS8 | CLOCAL | CREAD;
    tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    cfsetispeed(&tio, sp);
    cfsetospeed(&tio, sp);
    if (tcsetattr(fd, TCSANOW, &tio) != 0) {
        snprintf(err, errlen, "tcsetattr: %s", strerror(errno));
        return -1;
    }
    tcflush(fd, TCIOFLUSH);
    return 0;
}

static int hdlc_start(hdlc_transport_t *t, const transport_hdlc_cfg_t *cfg, char *err,
                      size_t errlen) {
    hdlc_config_t hc;
    memset(&hc, 0, sizeof hc);
    hc.role = HDLC_ROLE_CLIENT;
    hc.client_sap = cfg->client_sap;
    hc.server_upper = cfg->server_sap;
    hc.server_lower = cfg->server_physical;
    hc.tx = hdlc_tx;
    hc.on_apdu = hdlc_on_apdu;
    hc.on_event = hdlc_on_event;
    hc.user = t;
    int rc = hdlc_init(&t->link, &hc);
    if (rc != 0) {
        snprintf(err, errlen, "HDLC: %s (client %u, server %u/%u)", hdlc_strerror(rc),
                 cfg->client_sap, cfg->server_sap, cfg->server_physical);
        return -1;
    }
    rc = hdlc_connect(&t->link, transport_now_ms());
    if (rc == 0) {
        rc = hdlc_run(t, hdlc_is_up, transport_now_ms() + (uint64_t)cfg->timeout_ms);
    }
    if (rc != 0) {
        snprintf(err, errlen, "HDLC connect on %s: %s", cfg->device,
                 t->lost ? hdlc_strerror(t->lost_err) : t->base.err);
        return -1;
    }
    return 0;
}

transport_t *transport_hdlc_open(const transport_hdlc_cfg_t *cfg, char *err, size_t errlen) {
    int fd = open(cfg->device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", cfg->device, strerror(errno));
        return NULL;
    }
    if (hdlc_line_setup(fd, cfg->baud, err, errlen) != 0) {
        close(fd);
        return NULL;
    }
    hdlc_transport_t *t = calloc(1, sizeof *t);
    if (t == NULL) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->fd = fd;
    t->device = cfg->device;
    t->base.send = hdlc_send;
    t->base.recv = hdlc_recv;
    t->base.close = hdlc_close;
    t->base.timeout_ms = cfg->timeout_ms;
    if (hdlc_start(t, cfg, err, errlen) != 0) {
        close(fd);
        free(t);
        return NULL;
    }
    return &t->base;
}
