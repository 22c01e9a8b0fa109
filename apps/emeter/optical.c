/*
 * optical.c - the optical port of the virtual meter (see optical.h).
 *
 * The port is shared by two protocols, one at a time:
 *  - IEC 62056-21 (lib/dlms/iec62056_21): while idle, a sign-on "/?!" CR LF
 *    gets the identification "/MMM5\2EMETER-<serial>" (mode C, 9600 Bd,
 *    mode E offered); the option select ACK 0 Z 0 asks for the data readout
 *    (the readout list, lib/meter/readout), ACK 2 Z 2 hands the port to
 *    HDLC (mode E).
 *  - HDLC (lib/dlms/hdlc, server role) with one DLMS server: entered by
 *    mode E, or directly by an HDLC flag 0x7E while IEC 62056-21 is idle
 *    (meters accept HDLC at the port's configured speed). When the link is
 *    disconnected (DISC, inactivity) or never comes up within
 *    OPTICAL_HDLC_IDLE_MS, the port goes back to IEC 62056-21.
 *
 * Baud rate changes asked by IEC 62056-21 (300 Bd 7E1 for the sign-on, the
 * Z rate for the readout, 8N1 for HDLC) are applied on a real serial
 * device, after the output drained. A pty has no line speed: there they
 * are logged and ignored, so a pty client talks to the meter at "any"
 * speed. The pty's slave side stays open in the meter too, so the master
 * never reports a hang-up (and a busy epoll loop) between clients.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* ptsname_r, cfmakeraw */
#endif
#include "optical.h"

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
#include "dlms/iec62056_21.h"

/* HDLC entered but no link within this time: back to IEC 62056-21, so a
 * stray 0x7E does not make the port deaf to sign-ons. */
#define OPTICAL_HDLC_IDLE_MS 3000u

struct optical {
    net_t *net;
    int fd;
    int slave_fd; /* pty: the meter's own handle on the slave side, else -1 */
    bool is_pty;
    char name[128];
    meter_t *meter;
    const em_port_t *port;
    const dlms_server_config_t *server_cfg;
    meter_readout_item_t readout[OPTICAL_MAX_READOUT];
    size_t readout_count;
    iec21_server_t iec;
    hdlc_t link;
    bool hdlc_mode;       /* the port belongs to HDLC */
    bool leave_hdlc;      /* link went down: back to IEC 62056-21 after the call */
    bool drop_link;       /* the DLMS server asked to drop the connection */
    uint64_t hdlc_rx_ms;  /* last byte received in HDLC mode */
    uint64_t now;         /* time of the call in progress (for the callbacks) */
    dlms_server_t server; /* the port's one association */
    uint8_t out[DLMS_SERVER_OUT_CAP];
};

static uint64_t now_ms(const optical_t *o) {
    return o->port->monotonic_ms(o->port->user);
}

/* Writes everything, waiting briefly when the line is full; a pty nobody
 * reads drops the rest (the client's poll/retry recovers). */
static int write_all(optical_t *o, const uint8_t *p, size_t len) {
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(o->fd, p + off, len - off);
        if (w > 0) {
            off += (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd pf = {o->fd, POLLOUT, 0};
            if (poll(&pf, 1, 200) == 0)
                return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

static speed_t speed_of(uint32_t baud) {
    switch (baud) {
    case 300:
        return B300;
    case 600:
        return B600;
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
    default:
        return 0;
    }
}

/* Raw line at baud: 7E1 for IEC 62056-21 modes A-C, 8N1 for HDLC. */
static int line_setup(int fd, uint32_t baud, bool seven_e1) {
    struct termios tio;
    speed_t sp = speed_of(baud);
    if (sp == 0 || tcgetattr(fd, &tio) != 0)
        return -1;
    cfmakeraw(&tio);
    tio.c_cflag &= ~(tcflag_t)(PARENB | PARODD | CSTOPB | CSIZE | CRTSCTS);
    tio.c_cflag |= (seven_e1 ? CS7 | PARENB : CS8) | CLOCAL | CREAD;
    tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    cfsetispeed(&tio, sp);
    cfsetospeed(&tio, sp);
    return tcsetattr(fd, TCSANOW, &tio);
}

/* An IEC 62056-21 baud event: the bytes before it have to leave the UART
 * at the old rate first (tcdrain). */
static void switch_line(optical_t *o, uint32_t baud, bool seven_e1) {
    if (o->is_pty) {
        fprintf(stderr, "emeter: optical port: line to %u Bd %s (no line speed on a pty)\n", baud,
                seven_e1 ? "7E1" : "8N1");
        return;
    }
    tcdrain(o->fd);
    if (line_setup(o->fd, baud, seven_e1) != 0)
        fprintf(stderr, "emeter: optical port: cannot set %u Bd: %s\n", baud, strerror(errno));
}

static void enter_hdlc(optical_t *o, const char *how) {
    o->hdlc_mode = true;
    o->hdlc_rx_ms = o->now;
    fprintf(stderr, "emeter: optical port: HDLC (%s)\n", how);
}

static void leave_hdlc(optical_t *o) {
    o->hdlc_mode = false;
    o->leave_hdlc = false;
    if (hdlc_state(&o->link) != HDLC_STATE_NDM)
        hdlc_disconnect(&o->link, o->now);
    iec21_server_reset(&o->iec);
}

/* Sends what IEC 62056-21 has to send and applies its line events; asks
 * the loop to wake for the next reaction time or time-out. */
static void iec_pump(optical_t *o) {
    for (;;) {
        uint8_t buf[EM_IEC21_MAX_LINE + 8];
        iec21_event_t ev;
        int n = iec21_server_poll(&o->iec, o->now, buf, sizeof(buf), &ev);
        if (n > 0) {
            write_all(o, buf, (size_t)n);
            continue;
        }
        if (n < 0 || ev.type == IEC21_EV_TX)
            return;
        if (ev.type == IEC21_EV_BAUD) {
            switch_line(o, ev.baud, true);
        } else if (ev.type == IEC21_EV_HDLC) {
            switch_line(o, ev.baud, false);
            enter_hdlc(o, "mode E");
            return;
        } else {
            if (ev.wake_ms != 0)
                net_wake_at(o->net, ev.wake_ms);
            return;
        }
    }
}

/* ---- HDLC callbacks ------------------------------------------------------ */

static int link_tx(void *user, const uint8_t *frame, size_t len) {
    return write_all(user, frame, len);
}

/* One APDU: the DLMS server answers in the same exchange. */
static void link_apdu(void *user, const uint8_t *apdu, size_t len) {
    optical_t *o = user;
    uint16_t server_sap = o->server_cfg->server_sap ? o->server_cfg->server_sap : 1;
    int n = dlms_server_input(&o->server, hdlc_client_sap(&o->link), server_sap, apdu, len, o->out,
                              sizeof(o->out), o->now);
    if (n < 0) {
        o->drop_link = true;
        return;
    }
    if (n > 0) {
        int rc = hdlc_send_apdu(&o->link, o->out, (size_t)n);
        if (rc != 0)
            fprintf(stderr, "emeter: optical port: response lost: %s\n", hdlc_strerror(rc));
    }
}

/* A new or lost link starts or ends the association. */
static void link_event(void *user, hdlc_event_t ev, int err) {
    optical_t *o = user;
    if (ev == HDLC_EVENT_APDU_ERROR) {
        fprintf(stderr, "emeter: optical port: APDU lost: %s\n", hdlc_strerror(err));
        return;
    }
    dlms_server_transport_closed(&o->server);
    if (ev == HDLC_EVENT_DISCONNECTED)
        o->leave_hdlc = true;
}

/* After hdlc_input/hdlc_tick: what the callbacks could not do inside. */
static void link_after(optical_t *o) {
    if (o->drop_link) {
        o->drop_link = false;
        dlms_server_transport_closed(&o->server);
        hdlc_disconnect(&o->link, o->now);
        o->leave_hdlc = true;
    }
    if (o->leave_hdlc) {
        leave_hdlc(o);
        iec_pump(o);
    }
}

/* ---- input --------------------------------------------------------------- */

/* Bytes go to HDLC while it owns the port; otherwise to IEC 62056-21 one at
 * a time, so that a flag 0x7E at an idle moment switches to HDLC and the
 * bytes after the mode E option select reach HDLC. */
static void feed(optical_t *o, const uint8_t *data, size_t len) {
    size_t pos = 0;
    while (pos < len) {
        if (o->hdlc_mode) {
            o->hdlc_rx_ms = o->now;
            hdlc_input(&o->link, data + pos, len - pos, o->now);
            link_after(o);
            return;
        }
        if (data[pos] == HDLC_FLAG && iec21_server_state(&o->iec) == IEC21_STATE_IDLE &&
            o->iec.rx_len == 0) {
            enter_hdlc(o, "direct");
            continue;
        }
        int rc = iec21_server_feed(&o->iec, o->now, data + pos, 1);
        if (rc == IEC21_ERR_HANDED_OVER) {
            enter_hdlc(o, "mode E");
            continue;
        }
        pos++;
        iec_pump(o);
    }
}

void optical_readable(optical_t *o) {
    uint8_t buf[1024];
    for (;;) {
        ssize_t r = read(o->fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        o->now = now_ms(o);
        feed(o, buf, (size_t)r);
    }
}

void optical_tick(optical_t *o) {
    o->now = now_ms(o);
    if (o->hdlc_mode) {
        hdlc_tick(&o->link, o->now);
        if (!hdlc_is_connected(&o->link) && o->now - o->hdlc_rx_ms >= OPTICAL_HDLC_IDLE_MS)
            o->leave_hdlc = true;
        link_after(o);
        if (o->hdlc_mode)
            net_wake_at(o->net, o->now + 100u); /* HDLC inter-octet and poll timers */
    } else {
        iec_pump(o);
    }
    dlms_server_tick(&o->server, o->now);
}

/* ---- set-up ---------------------------------------------------------------- */

static int readout_line(void *user, unsigned index, char *buf, size_t cap) {
    optical_t *o = user;
    int64_t utc = o->port->rtc_get ? o->port->rtc_get(o->port->user) : 0;
    return meter_readout_line(o->meter, o->readout, o->readout_count, utc, index, buf, cap);
}

int optical_parse_readout(const char *text, meter_readout_item_t *items, size_t cap, char *err,
                          size_t errlen) {
    size_t count = 0;
    const char *p = text;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (count >= cap) {
            snprintf(err, errlen, "readout list: more than %zu entries", cap);
            return -1;
        }
        if (meter_readout_parse(p, len, &items[count]) != 0) {
            snprintf(err, errlen, "readout list: \"%.*s\" is not an OBIS code", (int)len, p);
            return -1;
        }
        count++;
        if (end == NULL)
            return (int)count;
        p = end + 1;
    }
}

static int open_pty(optical_t *o, char *err, size_t errlen) {
    o->is_pty = true;
    o->fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (o->fd < 0 || grantpt(o->fd) != 0 || unlockpt(o->fd) != 0 ||
        ptsname_r(o->fd, o->name, sizeof(o->name)) != 0) {
        snprintf(err, errlen, "--hdlc pty: %s", strerror(errno));
        return -1;
    }
    o->slave_fd = open(o->name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (o->slave_fd < 0 || line_setup(o->slave_fd, OPTICAL_DEFAULT_BAUD, false) != 0) {
        snprintf(err, errlen, "--hdlc pty: %s: %s", o->name, strerror(errno));
        return -1;
    }
    return 0;
}

static int open_device(optical_t *o, const char *path, char *err, size_t errlen) {
    snprintf(o->name, sizeof(o->name), "%s", path);
    o->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (o->fd < 0) {
        snprintf(err, errlen, "--hdlc %s: %s", path, strerror(errno));
        return -1;
    }
    if (isatty(o->fd) && line_setup(o->fd, OPTICAL_DEFAULT_BAUD, false) != 0) {
        snprintf(err, errlen, "--hdlc %s: cannot set 9600 Bd 8N1: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* IEC 62056-21: mode C, 9600 Bd offered, mode E, no programming mode. */
static int start_iec21(optical_t *o, const optical_config_t *cfg) {
    iec21_server_config_t ic;
    memset(&ic, 0, sizeof(ic));
    snprintf(ic.manufacturer, sizeof(ic.manufacturer), "%s",
             cfg->manufacturer ? cfg->manufacturer : "MMM");
    snprintf(ic.ident, sizeof(ic.ident), "EMETER-%.*s", (int)o->meter->serial_len,
             (const char *)o->meter->serial);
    ic.mode = IEC21_MODE_C;
    ic.baud_char = '5';
    ic.mode_e = true;
    ic.user = o;
    ic.readout_line = readout_line;
    return iec21_server_init(&o->iec, &ic);
}

static int start_hdlc(optical_t *o, const optical_config_t *cfg) {
    hdlc_config_t hc;
    memset(&hc, 0, sizeof(hc));
    hc.role = HDLC_ROLE_SERVER;
    hc.client_sap = 0; /* every client; the DLMS server maps its SAP to an association */
    hc.server_upper = cfg->server_cfg->server_sap ? cfg->server_cfg->server_sap : 1;
    hc.server_lower = cfg->physical ? cfg->physical : OPTICAL_DEFAULT_PHYSICAL;
    hc.broadcast_replies = true; /* point to point: the only meter on the line */
    hc.tx = link_tx;
    hc.on_apdu = link_apdu;
    hc.on_event = link_event;
    hc.user = o;
    return hdlc_init(&o->link, &hc);
}

static void on_ready(void *user) {
    optical_readable(user);
}

static void on_tick(void *user) {
    optical_tick(user);
}

static void on_close(void *user) {
    optical_close(user);
}

/* Every entry must produce a line now: refuse codes the port cannot serve
 * at start rather than skip them silently in every readout. */
static int check_readout(optical_t *o, const char *text, char *err, size_t errlen) {
    for (size_t i = 0; i < o->readout_count; i++) {
        char line[IEC21_VALUE_MAX_C + 32];
        int rc = readout_line(o, (unsigned)i, line, sizeof(line));
        if (rc < 0) {
            snprintf(err, errlen, "--readout %s: entry %zu: %s", text, i + 1,
                     meter_readout_strerror(rc));
            return -1;
        }
    }
    return 0;
}

static int setup(optical_t *o, net_t *n, const optical_config_t *cfg, char *err, size_t errlen) {
    if (cfg->readout) {
        int c = optical_parse_readout(cfg->readout, o->readout, OPTICAL_MAX_READOUT, err, errlen);
        if (c < 0)
            return -1;
        o->readout_count = (size_t)c;
        if (check_readout(o, cfg->readout, err, errlen) != 0)
            return -1;
    } else {
        memcpy(o->readout, meter_readout_default,
               meter_readout_default_count * sizeof(meter_readout_default[0]));
        o->readout_count = meter_readout_default_count;
    }
    if (strcmp(cfg->path, "pty") == 0 ? open_pty(o, err, errlen)
                                      : open_device(o, cfg->path, err, errlen))
        return -1;
    int fl = fcntl(o->fd, F_GETFL);
    int rc = fl < 0 ? -1 : fcntl(o->fd, F_SETFL, fl | O_NONBLOCK);
    if (rc == 0 && (rc = start_iec21(o, cfg)) != 0)
        snprintf(err, errlen, "optical port: %s", iec21_strerror(rc));
    else if (rc == 0 && (rc = start_hdlc(o, cfg)) != 0)
        snprintf(err, errlen, "optical port: %s", hdlc_strerror(rc));
    else if (rc == 0 && (rc = dlms_server_init(&o->server, cfg->server_cfg, now_ms(o))) != 0)
        snprintf(err, errlen, "optical port: %s", dlms_server_strerror(rc));
    else if (rc == 0 && (rc = net_add_fd(n, o->fd, on_ready, on_tick, on_close, o)) != 0)
        snprintf(err, errlen, "optical port: cannot add it to the event loop");
    else if (rc != 0)
        snprintf(err, errlen, "optical port: %s", strerror(errno));
    return rc == 0 ? 0 : -1;
}

optical_t *optical_open(net_t *n, const optical_config_t *cfg, char *err, size_t errlen) {
    optical_t *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        snprintf(err, errlen, "optical port: out of memory");
        return NULL;
    }
    o->fd = o->slave_fd = -1;
    o->net = n;
    o->meter = cfg->meter;
    o->port = cfg->port;
    o->server_cfg = cfg->server_cfg;
    if (setup(o, n, cfg, err, errlen) != 0) {
        if (o->fd >= 0)
            close(o->fd);
        if (o->slave_fd >= 0)
            close(o->slave_fd);
        free(o);
        return NULL;
    }
    printf("emeter: optical port on %s (IEC 62056-21, HDLC)\n", o->name);
    fflush(stdout);
    return o;
}

const char *optical_name(const optical_t *o) {
    return o->name;
}

void optical_close(optical_t *o) {
    if (o == NULL)
        return;
    dlms_server_transport_closed(&o->server);
    close(o->fd);
    if (o->slave_fd >= 0)
        close(o->slave_fd);
    free(o);
}
