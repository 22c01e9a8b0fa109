/*
 * p1port.c - the P1 consumer port of the virtual meter (see p1port.h).
 *
 * DSMR 5.0.2 P1 companion standard: one telegram a second (lib/meter/p1,
 * CRC-16/ARC), 115200 Bd 8N1, read-only for the consumer. Every output is
 * a sink with its own pending buffer: a telegram goes out whole or, when
 * the sink has not drained the previous one yet, not at all (a consumer
 * that does not keep up misses telegrams but never gets a torn one in the
 * middle of a fresh one). On a pty nobody reads, the unread telegrams are
 * flushed once more than two wait, so a consumer that opens the port later
 * starts with fresh data.
 *
 * Time: a telegram for each new second of the meter's simulated time, in
 * accelerated time at most P1PORT_MAX_RATE_HZ a second (each with its own
 * time stamp); none while the meter has no mains (control API outage).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* ptsname_r, cfmakeraw, accept4 */
#endif
#include "p1port.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include "config.h"
#include "listen.h"

enum sink_kind { SINK_PTY, SINK_DEVICE, SINK_CLIENT };

typedef struct p1_sink {
    struct p1port *owner; /* first member: see on_close_first */
    int fd;
    int slave_fd; /* pty: the meter's own handle on the slave side */
    enum sink_kind kind;
    size_t len, sent; /* pending telegram bytes in out */
    char out[P1_TELEGRAM_MAX];
} p1_sink_t;

typedef struct p1_listener {
    struct p1port *owner; /* first member: see on_close_first */
    int fd;
    uint16_t port;
    char host[64];
} p1_listener_t;

struct p1port {
    net_t *net;
    p1port_config_t cfg;
    char ident[P1_IDENT_MAX + 1];
    p1_sink_t *sinks[P1PORT_MAX_OUTPUTS + P1PORT_MAX_OUTPUTS * P1PORT_MAX_CLIENTS];
    size_t sink_count;
    p1_listener_t listeners[P1PORT_MAX_OUTPUTS];
    size_t listener_count;
    int64_t last_utc;      /* time stamp of the last telegram */
    uint64_t last_sent_ms; /* monotonic ms of the last telegram */
    uint64_t sent, dropped;
    char names[P1PORT_MAX_OUTPUTS][128];
};

static uint64_t mono_ms(const p1port_t *p) {
    return p->cfg.port->monotonic_ms(p->cfg.port->user);
}

/* ---- values ------------------------------------------------------------- */

int p1port_values(const meter_t *m, int64_t utc, p1_values_t *v) {
    memset(v, 0, sizeof(*v));
    cosem_datetime_t dt;
    if (cosem_clock_local(&m->clock, utc, &dt) != 0)
        return P1_ERR_TIME;
    v->timestamp = (p1_time_t){dt.year,
                               dt.month,
                               dt.day,
                               dt.hour,
                               dt.minute,
                               dt.second,
                               cosem_clock_dst_active(&m->clock, utc)};
    v->equipment_id = m->equipment_id;
    v->equipment_id_len = m->equipment_id_len;
    for (unsigned t = 0; t < 2; t++) {
        v->import_wh[t] =
            meter_energy_wh(&m->energy, (enum meter_ereg)(METER_E_A_PLUS_T1 + (int)t));
        v->export_wh[t] =
            meter_energy_wh(&m->energy, (enum meter_ereg)(METER_E_A_MINUS_T1 + (int)t));
    }
    v->tariff = m->tariff;
    v->import_w = (int32_t)m->inst.p_plus_w;
    v->export_w = (int32_t)m->inst.p_minus_w;
    /* Power failure counters 0.0.96.7.21 / 0.0.96.7.9 and the power failure
     * event log 1.0.99.97.0 (rows {clock, duration}, oldest first). */
    v->short_failures = m->power_failures;
    v->long_failures = m->long_power_failures;
    const cosem_profile_rows_t *rows = m->prof[METER_PROF_LOG_POWER].rows;
    if (m->prof_obj[METER_PROF_LOG_POWER] != NULL && rows != NULL && rows->ops != NULL) {
        uint32_t n = rows->ops->count(rows->user);
        uint32_t first = n > P1_MAX_POWER_FAILURES ? n - P1_MAX_POWER_FAILURES : 0;
        for (uint32_t i = first; i < n; i++) {
            uint8_t row[EM_COSEM_PROFILE_MAX_ROW];
            if (rows->ops->read(rows->user, i, row) != 0 || row[2] != AXDR_OCTET_STRING ||
                row[3] != 12 || row[16] != AXDR_DOUBLE_LONG_UNSIGNED)
                continue;
            cosem_datetime_t end;
            cosem_datetime_unpack(row + 4, &end);
            p1_power_failure_t *f = &v->power_failures[v->n_power_failures++];
            f->end = (p1_time_t){end.year,
                                 end.month,
                                 end.day,
                                 end.hour,
                                 end.minute,
                                 end.second,
                                 end.clock_status != 0xFF && (end.clock_status & 0x80) != 0};
            f->duration_s = (uint32_t)row[17] << 24 | (uint32_t)row[18] << 16 |
                            (uint32_t)row[19] << 8 | row[20];
        }
    }
    for (unsigned k = 0; k < 3; k++) {
        v->sags[k] = m->pq.ph[k].sags;
        v->swells[k] = m->pq.ph[k].swells;
        v->voltage_dv[k] = m->inst.v_dv[k];
        v->current_ma[k] = (int32_t)m->inst.i_ca[k] * 10;
        v->import_w_phase[k] = (int32_t)m->inst.p_plus_ph_w[k];
        v->export_w_phase[k] = (int32_t)m->inst.p_minus_ph_w[k];
    }
    return 0;
}

void p1port_ident(const meter_t *m, const char *manufacturer, char *out, size_t cap) {
    char id[64];
    snprintf(id, sizeof(id), "%.3s5\\2EMETER-%.*s", manufacturer ? manufacturer : "MMM",
             (int)m->serial_len, (const char *)m->serial);
    snprintf(out, cap, "%.*s", (int)P1_IDENT_MAX, id);
}

/* ---- sinks --------------------------------------------------------------- */

static void sink_close(p1_sink_t *s) {
    if (s->fd >= 0)
        close(s->fd);
    if (s->slave_fd >= 0)
        close(s->slave_fd);
    free(s);
}

/* Sends what is pending. 0 when drained, 1 when the sink is full, -1 when
 * the peer went away. */
static int sink_flush(p1_sink_t *s) {
    while (s->sent < s->len) {
        ssize_t w = s->kind == SINK_CLIENT
                        ? send(s->fd, s->out + s->sent, s->len - s->sent, MSG_NOSIGNAL)
                        : write(s->fd, s->out + s->sent, s->len - s->sent);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 1;
        if (w <= 0)
            return -1;
        s->sent += (size_t)w;
    }
    s->len = s->sent = 0;
    return 0;
}

/* A pty nobody reads keeps what was written: drop it once more than two
 * telegrams wait, so a consumer that opens the port reads fresh ones. */
static void pty_drop_stale(p1_sink_t *s, size_t len) {
    int queued = 0;
    if (s->slave_fd >= 0 && ioctl(s->slave_fd, FIONREAD, &queued) == 0 &&
        (size_t)queued > 2 * len) {
        tcflush(s->slave_fd, TCIFLUSH);
        s->len = s->sent = 0; /* its head went with the flush */
    }
}

/* One telegram to one sink. -1: close the sink. */
static int sink_send(p1port_t *p, p1_sink_t *s, const char *tg, size_t len) {
    if (s->kind == SINK_PTY)
        pty_drop_stale(s, len);
    if (s->len != 0) {
        int rc = sink_flush(s);
        if (rc < 0)
            return -1;
        if (rc > 0) {
            p->dropped++;
            return 0;
        }
    }
    memcpy(s->out, tg, len);
    s->len = len;
    s->sent = 0;
    return sink_flush(s) < 0 ? -1 : 0;
}

static int add_sink(p1port_t *p, p1_sink_t *s) {
    if (p->sink_count >= sizeof(p->sinks) / sizeof(p->sinks[0]))
        return -1;
    p->sinks[p->sink_count++] = s;
    return 0;
}

static p1_sink_t *new_sink(p1port_t *p, enum sink_kind kind) {
    p1_sink_t *s = calloc(1, sizeof(*s));
    if (s != NULL) {
        s->owner = p;
        s->fd = s->slave_fd = -1;
        s->kind = kind;
    }
    return s;
}

/* ---- the telegram, once per simulated second ------------------------------ */

/* Real ms to the next second of CLOCK_REALTIME (the RTC in real time runs
 * on whole-second offsets from it). */
static uint32_t ms_to_next_second(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return 1000u - (uint32_t)(ts.tv_nsec / 1000000);
}

void p1port_tick(p1port_t *p) {
    uint64_t now = mono_ms(p);
    if (!p->cfg.powered(p->cfg.user)) {
        net_wake_at(p->net, now + 1000u);
        return;
    }
    int64_t utc = p->cfg.meter_utc(p->cfg.user);
    uint32_t min_gap = 1000u / P1PORT_MAX_RATE_HZ;
    if (utc == p->last_utc) {
        net_wake_at(p->net, now + ms_to_next_second() + 2u);
        return;
    }
    if (p->last_sent_ms != 0 && now - p->last_sent_ms < min_gap) {
        net_wake_at(p->net, p->last_sent_ms + min_gap);
        return;
    }
    p1_values_t v;
    static char tg[P1_TELEGRAM_MAX];
    int n = p1port_values(p->cfg.meter, utc, &v);
    if (n == 0)
        n = p1_telegram(&v, p->ident, tg, sizeof(tg));
    p->last_utc = utc;
    p->last_sent_ms = now;
    if (n < 0) {
        static int reported;
        if (!reported++)
            fprintf(stderr, "emeter: P1 port: %s\n", p1_strerror(n));
        return;
    }
    for (size_t i = 0; i < p->sink_count;) {
        if (sink_send(p, p->sinks[i], tg, (size_t)n) < 0) {
            if (p->sinks[i]->kind != SINK_CLIENT) {
                /* A device or pty stays (its fd is in the loop); a write
                 * error there loses this telegram only. */
                p->sinks[i]->len = p->sinks[i]->sent = 0;
                i++;
                continue;
            }
            sink_close(p->sinks[i]);
            p->sinks[i] = p->sinks[--p->sink_count];
            continue;
        }
        i++;
    }
    p->sent++;
    net_wake_at(p->net, now + ms_to_next_second() + 2u);
}

uint64_t p1port_sent(const p1port_t *p) {
    return p->sent;
}

/* ---- set-up ----------------------------------------------------------------- */

/* Raw 115200 Bd 8N1 (DSMR 5 P1), no echo, no CR/LF translation. */
static int line_setup(int fd) {
    struct termios tio;
    if (tcgetattr(fd, &tio) != 0)
        return -1;
    cfmakeraw(&tio);
    tio.c_cflag &= ~(tcflag_t)(PARENB | CSTOPB | CSIZE | CRTSCTS);
    tio.c_cflag |= CS8 | CLOCAL | CREAD;
    tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    cfsetispeed(&tio, B115200);
    cfsetospeed(&tio, B115200);
    return tcsetattr(fd, TCSANOW, &tio);
}

static int set_nonblock(int fd) {
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* What a consumer writes to the port is read and dropped. */
static void on_sink_readable(void *user) {
    p1_sink_t *s = user;
    char buf[512];
    while (read(s->fd, buf, sizeof(buf)) > 0) {
    }
}

static void on_accept(void *user) {
    p1_listener_t *l = user;
    p1port_t *p = l->owner;
    for (;;) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        p1_sink_t *s = new_sink(p, SINK_CLIENT);
        size_t clients = 0;
        for (size_t i = 0; i < p->sink_count; i++)
            clients += p->sinks[i]->kind == SINK_CLIENT;
        if (s == NULL || clients >= P1PORT_MAX_CLIENTS * p->listener_count || add_sink(p, s) != 0) {
            close(fd);
            free(s);
            continue;
        }
        /* Half-close our receive side is not needed: a consumer's bytes
         * are never read and simply fill its socket buffer. */
        s->fd = fd;
    }
}

static void on_close_all(void *user) {
    p1port_t *p = user;
    for (size_t i = 0; i < p->sink_count; i++)
        sink_close(p->sinks[i]);
    for (size_t i = 0; i < p->listener_count; i++)
        close(p->listeners[i].fd);
    free(p);
}

/* The loop's close hook sits on the first fd of the port, whose user is a
 * sink or a listener: both start with the owner. */
static void on_close_first(void *user) {
    on_close_all(*(p1port_t **)user);
}

int p1port_check_output(const char *o, char *err, size_t errlen) {
    if (strcmp(o, "pty") == 0 || o[0] == '/')
        return 0;
    cfg_listen_t l;
    if (strncmp(o, "tcp:", 4) == 0 && emeter_config_parse_listen(o + 4, &l) == 0)
        return 0;
    snprintf(err, errlen, "expected pty, tcp:HOST:PORT or a device path, got \"%s\"", o);
    return -1;
}

static int open_pty(p1port_t *p, size_t idx, char *err, size_t errlen) {
    p1_sink_t *s = new_sink(p, SINK_PTY);
    char *name = p->names[idx];
    if (s == NULL || add_sink(p, s) != 0) {
        free(s);
        snprintf(err, errlen, "--p1 pty: out of memory");
        return -1;
    }
    s->fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s->fd < 0 || grantpt(s->fd) != 0 || unlockpt(s->fd) != 0 ||
        ptsname_r(s->fd, name, sizeof(p->names[idx])) != 0) {
        snprintf(err, errlen, "--p1 pty: %s", strerror(errno));
        return -1;
    }
    s->slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (s->slave_fd < 0 || line_setup(s->slave_fd) != 0 || set_nonblock(s->fd) != 0) {
        snprintf(err, errlen, "--p1 pty: %s: %s", name, strerror(errno));
        return -1;
    }
    if (net_add_fd(p->net, s->fd, on_sink_readable, NULL, NULL, s) != 0) {
        snprintf(err, errlen, "--p1 pty: cannot add it to the event loop");
        return -1;
    }
    return 0;
}

static int open_device(p1port_t *p, size_t idx, const char *path, char *err, size_t errlen) {
    p1_sink_t *s = new_sink(p, SINK_DEVICE);
    if (s == NULL || add_sink(p, s) != 0) {
        free(s);
        snprintf(err, errlen, "--p1 %s: out of memory", path);
        return -1;
    }
    snprintf(p->names[idx], sizeof(p->names[idx]), "%s", path);
    s->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (s->fd < 0) {
        snprintf(err, errlen, "--p1 %s: %s", path, strerror(errno));
        return -1;
    }
    if (isatty(s->fd) && line_setup(s->fd) != 0) {
        snprintf(err, errlen, "--p1 %s: cannot set 115200 Bd 8N1: %s", path, strerror(errno));
        return -1;
    }
    if (net_add_fd(p->net, s->fd, on_sink_readable, NULL, NULL, s) != 0) {
        snprintf(err, errlen, "--p1 %s: cannot add it to the event loop", path);
        return -1;
    }
    return 0;
}

static int open_tcp(p1port_t *p, size_t idx, const char *spec, char *err, size_t errlen) {
    cfg_listen_t l;
    if (emeter_config_parse_listen(spec + 4, &l) != 0) {
        snprintf(err, errlen, "--p1 %s: expected tcp:HOST:PORT", spec);
        return -1;
    }
    p1_listener_t *pl = &p->listeners[p->listener_count];
    char why[160];
    if (listen_tcp(&l, 16, &pl->fd, &pl->port, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "--p1 %s: %s", spec, why);
        return -1;
    }
    pl->owner = p;
    snprintf(pl->host, sizeof(pl->host), "%s", l.host);
    p->listener_count++;
    char name[sizeof(p->names[idx])]; /* not straight into p: gcc -O2 sees pl->host in p */
    snprintf(name, sizeof(name), "tcp:%s:%u", pl->host, pl->port);
    memcpy(p->names[idx], name, sizeof(name));
    if (net_add_fd(p->net, pl->fd, on_accept, NULL, NULL, pl) != 0) {
        snprintf(err, errlen, "--p1 %s: cannot add it to the event loop", spec);
        return -1;
    }
    return 0;
}

p1port_t *p1port_open(net_t *n, const p1port_config_t *cfg, char *err, size_t errlen) {
    if (cfg->output_count == 0 || cfg->output_count > P1PORT_MAX_OUTPUTS) {
        snprintf(err, errlen, "--p1: 1 to %d outputs", P1PORT_MAX_OUTPUTS);
        return NULL;
    }
    p1port_t *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        snprintf(err, errlen, "P1 port: out of memory");
        return NULL;
    }
    p->net = n;
    p->cfg = *cfg;
    p->last_utc = INT64_MIN;
    p1port_ident(cfg->meter, cfg->manufacturer, p->ident, sizeof(p->ident));
    /* The port is closed with the loop: one close hook for everything. */
    size_t first_extra = n->extra_count;
    int rc = 0;
    for (size_t i = 0; i < cfg->output_count && rc == 0; i++) {
        const char *o = cfg->outputs[i];
        if (p1port_check_output(o, err, errlen) != 0)
            rc = -1;
        else if (strcmp(o, "pty") == 0)
            rc = open_pty(p, i, err, errlen);
        else if (strncmp(o, "tcp:", 4) == 0)
            rc = open_tcp(p, i, o, err, errlen);
        else
            rc = open_device(p, i, o, err, errlen);
    }
    if (rc != 0 || n->extra_count == first_extra) {
        /* Take the fds added so far out of the loop again. */
        n->extra_count = first_extra;
        on_close_all(p);
        return NULL;
    }
    n->extra[first_extra].on_close = on_close_first;
    for (size_t i = 0; i < cfg->output_count; i++)
        printf("emeter: P1 port on %s (DSMR 5.0.2, one telegram a second)\n", p->names[i]);
    fflush(stdout);
    return p;
}
