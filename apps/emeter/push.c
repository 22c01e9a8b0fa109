/*
 * push.c - the virtual meter's push client (see push.h): Push setup
 * (class 40) notifications over the TCP or UDP wrapper (IEC 62056-47,
 * Green Book "TCP-UDP based communication profile").
 *
 * A send: the engine's tick says "send now"; the notification is built
 * (cosem_push_notification: read the push_object_list, data-notification,
 * general-glo-ciphering with a reserved invocation counter), framed with
 * the wrapper, and written. TCP: a non-blocking connect to the
 * destination, the frame written, the connection closed: success is the
 * frame accepted by the peer's TCP (DSMR push setup version 0 has no
 * application-level confirmation). UDP: one datagram, success when the
 * host accepted it. Any error, or PUSH_TIMEOUT_MS without completion, is a
 * failure and the engine schedules the retry after repetition_delay.
 *
 * The destination "host:port" is resolved with getaddrinfo (numeric
 * addresses do not block; a DNS name may, once per send).
 */
#include "push.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)(ts.tv_nsec / 1000000);
}

static void ln_text(const uint8_t ln[6], char *out, size_t cap) {
    snprintf(out, cap, "%u.%u.%u.%u.%u.%u", ln[0], ln[1], ln[2], ln[3], ln[4], ln[5]);
}

static int64_t meter_now(const emeter_push_t *p) {
    int64_t utc = 0;
    cosem_rtc_now(&p->meter->cosem, &utc);
    return utc;
}

/* Factory settings of one object from the configuration. */
static void apply_config(cosem_push_state_t *st, const cfg_push_t *cp, bool ciphered) {
    st->protection = ciphered ? DLMS_SEC_SC_AUTH_ENC : 0;
    if (st->destination_len != 0 || cp->destination[0] == '\0') {
        return; /* a head-end's destination wins; no factory one */
    }
    if (cosem_push_set_destination(st, cp->transport, cp->destination) != 0) {
        return; /* validated by config.c */
    }
    st->randomisation_start_interval = cp->randomisation_s;
    st->number_of_retries = cp->retries;
    st->repetition_delay = cp->repetition_delay_s;
}

static const uint8_t ALARM_LN[6] = {0, 1, 25, 9, 0, 255};

void emeter_push_configure(meter_t *m, const emeter_config_t *c) {
    for (size_t i = 0; i < m->cosem.count; i++) {
        const cosem_object_t *o = &m->cosem.objects[i];
        cosem_push_state_t *st = cosem_push_state(&m->cosem, o);
        if (st == NULL) {
            continue;
        }
        bool alarm = memcmp(o->ln, ALARM_LN, 6) == 0;
        apply_config(st, alarm ? &c->push_alarm : &c->push_sched, c->push_ciphered);
        cosem_push_resume(st);
    }
}

int emeter_push_open(emeter_push_t *p, net_t *net, meter_t *m, const dlms_server_config_t *cfg,
                     const emeter_config_t *c, char *err, size_t errlen) {
    memset(p, 0, sizeof(*p));
    p->meter = m;
    p->net = net;
    p->dest_wport = c->push_dest_wport;
    int rc = dlms_server_init(&p->srv, cfg, mono_ms());
    if (rc != 0) {
        snprintf(err, errlen, "push: %s", dlms_server_strerror(rc));
        return -1;
    }
    for (size_t i = 0; i < m->cosem.count && p->count < PUSH_MAX_OBJECTS; i++) {
        const cosem_object_t *o = &m->cosem.objects[i];
        const cosem_push_state_t *st = cosem_push_state(&m->cosem, o);
        if (st == NULL) {
            continue;
        }
        push_channel_t *ch = &p->ch[p->count++];
        ch->obj = o;
        ch->fd = -1;
        if (st->destination_len != 0) {
            char name[32];
            ln_text(o->ln, name, sizeof(name));
            printf("emeter: push %s to %.*s (%s, %s)\n", name, (int)st->destination_len,
                   (const char *)st->destination, st->transport == COSEM_PUSH_UDP ? "udp" : "tcp",
                   st->protection ? "ciphered" : "plain");
        }
    }
    return 0;
}

int emeter_push_trigger(emeter_push_t *p, const uint8_t ln[6]) {
    const cosem_object_t *o = cosem_find(&p->meter->cosem, ln);
    return cosem_push_trigger(&p->meter->cosem, o, meter_now(p));
}

/* ---- one send ------------------------------------------------------------------------- */

static void ch_close(push_channel_t *ch) {
    if (ch->fd >= 0) {
        close(ch->fd);
    }
    ch->fd = -1;
    ch->connected = false;
    ch->len = ch->sent = 0;
}

static void report(emeter_push_t *p, push_channel_t *ch, bool ok, const char *why) {
    cosem_push_state_t *st = cosem_push_state(&p->meter->cosem, ch->obj);
    char name[32];
    ln_text(ch->obj->ln, name, sizeof(name));
    int rc = cosem_push_result(&p->meter->cosem, ch->obj, ok, meter_now(p));
    if (ok) {
        printf("emeter: push %s sent to %s (invoke id %u)\n", name, ch->dest, ch->invoke_id);
    } else if (rc == 1) {
        printf("emeter: push %s to %s failed: %s; retry %u of %u in %u s\n", name, ch->dest, why,
               st->attempts, st->number_of_retries, st->repetition_delay);
    } else {
        printf("emeter: push %s to %s failed: %s; dropped\n", name, ch->dest, why);
    }
    fflush(stdout);
    ch_close(ch);
}

/* Opens the socket and starts the connect (TCP) or sends (UDP). */
static void start_send(emeter_push_t *p, push_channel_t *ch, const cosem_push_state_t *st) {
    char host[EM_COSEM_PUSH_DESTINATION_MAX + 1], port[8];
    size_t n = st->destination_len;
    memcpy(ch->dest, st->destination, n);
    ch->dest[n] = '\0';
    char *colon = strrchr(ch->dest, ':');
    if (colon == NULL) {
        report(p, ch, false, "destination is not host:port");
        return;
    }
    size_t hl = (size_t)(colon - ch->dest);
    memcpy(host, ch->dest, hl);
    host[hl] = '\0';
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') { /* [v6]:port */
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    snprintf(port, sizeof(port), "%s", colon + 1);
    ch->udp = st->transport == COSEM_PUSH_UDP;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = ch->udp ? SOCK_DGRAM : SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int g = getaddrinfo(host, port, &hints, &res);
    if (g != 0) {
        report(p, ch, false, gai_strerror(g));
        return;
    }
    ch->fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (ch->fd < 0) {
        freeaddrinfo(res);
        report(p, ch, false, strerror(errno));
        return;
    }
    int rc = connect(ch->fd, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    if (rc != 0 && errno != EINPROGRESS) {
        report(p, ch, false, strerror(errno));
        return;
    }
    ch->connected = rc == 0;
    ch->deadline_ms = mono_ms() + PUSH_TIMEOUT_MS;
    if (ch->udp) {
        ssize_t w = send(ch->fd, ch->frame, ch->len, MSG_NOSIGNAL);
        report(p, ch, w == (ssize_t)ch->len, w < 0 ? strerror(errno) : "short datagram");
    }
}

/* TCP in progress: finish the connect, write, close. */
static void poll_send(emeter_push_t *p, push_channel_t *ch) {
    struct pollfd pf = {.fd = ch->fd, .events = POLLOUT};
    int k = poll(&pf, 1, 0);
    if (k < 0 && errno != EINTR) {
        report(p, ch, false, strerror(errno));
        return;
    }
    if (k > 0 && !ch->connected) {
        int so = 0;
        socklen_t sl = sizeof(so);
        if (getsockopt(ch->fd, SOL_SOCKET, SO_ERROR, &so, &sl) != 0 || so != 0) {
            report(p, ch, false, strerror(so != 0 ? so : errno));
            return;
        }
        ch->connected = true;
    }
    while (k > 0 && ch->sent < ch->len) {
        ssize_t w = send(ch->fd, ch->frame + ch->sent, ch->len - ch->sent, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        }
        if (w <= 0) {
            report(p, ch, false, w < 0 ? strerror(errno) : "connection closed");
            return;
        }
        ch->sent += (size_t)w;
    }
    if (ch->sent == ch->len) {
        report(p, ch, true, NULL);
        return;
    }
    if (mono_ms() >= ch->deadline_ms) {
        report(p, ch, false, ch->connected ? "write timed out" : "connect timed out");
        return;
    }
    net_wake_at(p->net, mono_ms() + PUSH_POLL_MS);
}

void emeter_push_tick(emeter_push_t *p) {
    cosem_server_t *s = &p->meter->cosem;
    int64_t utc = meter_now(p);
    for (size_t i = 0; i < p->count; i++) {
        push_channel_t *ch = &p->ch[i];
        if (ch->fd >= 0) {
            poll_send(p, ch);
            continue;
        }
        if (cosem_push_tick(s, ch->obj, utc) != 1) {
            continue;
        }
        cosem_push_state_t *st = cosem_push_state(s, ch->obj);
        int n =
            cosem_push_notification(s, ch->obj, &p->srv, utc, ch->frame + DLMS_WRAPPER_HEADER_LEN,
                                    sizeof(ch->frame) - DLMS_WRAPPER_HEADER_LEN);
        int wl = n > 0 ? dlms_wrapper_encode(PUSH_SOURCE_WPORT, p->dest_wport,
                                             ch->frame + DLMS_WRAPPER_HEADER_LEN, (size_t)n,
                                             ch->frame, sizeof(ch->frame))
                       : n;
        memcpy(ch->dest, st->destination, st->destination_len);
        ch->dest[st->destination_len] = '\0';
        if (wl < 0) {
            report(p, ch, false,
                   n < 0 ? (n <= -0x0900 && n >= -0x09FF ? cosem_push_strerror(n)
                                                         : dlms_server_strerror(n))
                         : dlms_wrapper_strerror(wl));
            continue;
        }
        ch->invoke_id = st->invoke_id;
        ch->len = (size_t)wl;
        ch->sent = 0;
        start_send(p, ch, st);
        if (ch->fd >= 0) {
            poll_send(p, ch);
        }
    }
}

void emeter_push_close(emeter_push_t *p) {
    for (size_t i = 0; i < p->count; i++) {
        ch_close(&p->ch[i]);
    }
}
