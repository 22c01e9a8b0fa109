/*
 * listen.c - `dlms listen`: receive and print the data-notifications a
 * meter pushes (Push setup, class 40) over the TCP and UDP wrapper
 * (IEC 62056-47), plain (0F) or general-glo-ciphered (DB, security suite
 * 0; IEC 62056-5-3 / Green Book). See listen.h and docs/push.md.
 *
 * The receiver: a TCP listener (any number of meters connect, send one or
 * more wrapper frames and close) and, with --udp, a UDP socket on the same
 * port (one datagram = one frame), in one poll loop. A frame the wrapper
 * refuses closes its TCP connection; a notification that does not decipher
 * or parse is reported on stderr and not counted. --count N exits after N
 * notifications; --timeout S (when given) bounds the wait.
 */
#include "listen.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include "dlms/wrapper.h"

void listen_init(listen_ctx_t *c, const dlms_sec_keys_t *keys) {
    memset(c, 0, sizeof(*c));
    c->keys = *keys;
    c->keys.has_dedicated = false;
}

static listen_sender_t *sender_of(listen_ctx_t *c, const uint8_t *title) {
    for (size_t i = 0; i < LISTEN_MAX_SENDERS; i++) {
        if (c->senders[i].used && memcmp(c->senders[i].title, title, 8) == 0) {
            return &c->senders[i];
        }
    }
    return NULL;
}

static void sender_store(listen_ctx_t *c, const uint8_t *title, uint32_t ic) {
    listen_sender_t *s = sender_of(c, title);
    if (s == NULL) {
        s = &c->senders[c->next_slot];
        c->next_slot = (c->next_slot + 1) % LISTEN_MAX_SENDERS;
        memcpy(s->title, title, 8);
        s->used = true;
    }
    s->last_ic = ic;
}

static int refuse(char *err, size_t errlen, const char *what, const char *reason) {
    snprintf(err, errlen, "%s: %s", what, reason);
    return -1;
}

int listen_decode(listen_ctx_t *c, const uint8_t *apdu, size_t len, listen_msg_t *m, char *err,
                  size_t errlen) {
    memset(m, 0, sizeof(*m));
    if (apdu == NULL || len == 0) {
        return refuse(err, errlen, "push", "empty APDU");
    }
    const uint8_t *plain = apdu;
    size_t plain_len = len;
    if (apdu[0] == 0xDB) { /* general-glo-ciphering */
        dlms_sec_rx_t rx;
        memset(&rx, 0, sizeof(rx));
        rx.keys = &c->keys;
        rx.peer_title = NULL; /* the envelope carries it */
        /* A head-end trusts only authenticated pushes. */
        rx.sc_required = DLMS_SEC_SC_AUTH;
        if (len >= 10 && apdu[1] == DLMS_SEC_SYSTEM_TITLE_LEN) {
            listen_sender_t *s = sender_of(c, apdu + 2);
            if (s != NULL) {
                for (int k = 0; k < DLMS_SEC_KEY_COUNT; k++) {
                    rx.ic[k].last = s->last_ic;
                    rx.ic[k].valid = true;
                }
            }
        }
        dlms_sec_info_t info;
        int n = dlms_sec_unprotect(&rx, apdu, len, m->plain, sizeof(m->plain), &info);
        if (n < 0) {
            return refuse(err, errlen, "general-glo-ciphering", dlms_security_strerror(n));
        }
        if (info.dedicated) {
            return refuse(err, errlen, "push", "dedicated-key ciphering in a push");
        }
        m->ciphered = true;
        m->sc = info.sc;
        m->ic = info.ic;
        memcpy(m->system_title, info.system_title, 8);
        plain = m->plain;
        plain_len = (size_t)n;
        sender_store(c, info.system_title, info.ic);
    } else if (apdu[0] == DLMS_APDU_DATA_NOTIFICATION) {
        if (len > sizeof(m->plain)) {
            return refuse(err, errlen, "data-notification", "too long");
        }
        memcpy(m->plain, apdu, len);
        plain = m->plain;
    } else {
        char what[64];
        snprintf(what, sizeof(what), "APDU tag %02X", apdu[0]);
        return refuse(err, errlen, what, "not a data-notification nor general-glo-ciphering");
    }
    int rc = dlms_data_notification_decode(plain, plain_len, &m->n);
    if (rc != 0) {
        return refuse(err, errlen, "data-notification", dlms_apdu_strerror(rc));
    }
    m->plain_len = plain_len;
    return 0;
}

/* ---- printing --------------------------------------------------------------------------- */

static void hex8(sbuf_t *sb, const uint8_t *p) {
    fmt_hex(sb, p, DLMS_SEC_SYSTEM_TITLE_LEN);
}

/* The body's elements, one by one when it is a structure (the usual push
 * body); otherwise the whole value as one element. */
static void format_values(sbuf_t *sb, bool json, const dlms_slice_t *body) {
    axdr_dec_t d;
    axdr_dec_init(&d, body->p, body->len);
    uint32_t count = 0;
    bool structure =
        body->len > 0 && body->p[0] == AXDR_STRUCTURE && axdr_get_structure(&d, &count) == 0;
    if (!structure) {
        if (json) {
            sb_puts(sb, "[");
            fmt_value(sb, FMT_JSON, body->p, body->len, false);
            sb_puts(sb, "]");
        } else {
            sb_puts(sb, "  1: ");
            fmt_value(sb, FMT_TEXT, body->p, body->len, false);
            sb_puts(sb, "\n");
        }
        return;
    }
    if (json) {
        sb_puts(sb, "[");
    }
    for (uint32_t i = 0; i < count; i++) {
        if (json) {
            sb_puts(sb, i ? "," : "");
        } else {
            sb_printf(sb, "  %u: ", (unsigned)(i + 1));
        }
        if (fmt_value_dec(sb, json ? FMT_JSON : FMT_TEXT, &d) != 0) {
            sb_puts(sb, json ? "null" : "?");
            break;
        }
        if (!json) {
            sb_puts(sb, "\n");
        }
    }
    if (json) {
        sb_puts(sb, "]");
    }
}

void listen_format(sbuf_t *sb, bool json, const char *from, uint16_t src_wport, uint16_t dst_wport,
                   const listen_msg_t *m) {
    uint32_t liid = m->n.long_invoke_id;
    if (json) {
        sb_puts(sb, "{\"from\":");
        fmt_json_string(sb, from, strlen(from));
        sb_printf(sb, ",\"source_wport\":%u,\"destination_wport\":%u", src_wport, dst_wport);
        sb_printf(sb, ",\"ciphered\":%s", m->ciphered ? "true" : "false");
        if (m->ciphered) {
            sb_printf(sb, ",\"security_control\":%u,\"invocation_counter\":%u,\"system_title\":\"",
                      m->sc, m->ic);
            hex8(sb, m->system_title);
            sb_puts(sb, "\"");
        }
        sb_printf(sb, ",\"invoke_id\":%u,\"priority_high\":%s,\"confirmed\":%s",
                  liid & DLMS_LIID_ID_MASK, (liid & DLMS_LIID_PRIORITY_HIGH) ? "true" : "false",
                  (liid & DLMS_LIID_CONFIRMED) ? "true" : "false");
        sb_puts(sb, ",\"date_time\":");
        if (m->n.has_date_time) {
            sbuf_t dt;
            sb_init(&dt);
            fmt_datetime_iso(&dt, &m->n.date_time);
            fmt_json_string(sb, sb_str(&dt), dt.len);
            sb_free(&dt);
        } else {
            sb_puts(sb, "null");
        }
        sb_puts(sb, ",\"values\":");
        format_values(sb, true, &m->n.body);
        sb_puts(sb, "}\n");
        return;
    }
    sb_printf(sb, "push from %s, wport %u -> %u, ", from, src_wport, dst_wport);
    if (m->ciphered) {
        sb_printf(sb, "general-glo-ciphering SC %02X IC %u system title ", m->sc, m->ic);
        hex8(sb, m->system_title);
    } else {
        sb_puts(sb, "plain");
    }
    sb_printf(sb, "\n  invoke id %u%s%s, date-time ", liid & DLMS_LIID_ID_MASK,
              (liid & DLMS_LIID_PRIORITY_HIGH) ? ", high priority" : "",
              (liid & DLMS_LIID_CONFIRMED) ? ", confirmed" : "");
    if (m->n.has_date_time) {
        fmt_datetime_iso(sb, &m->n.date_time);
    } else {
        sb_puts(sb, "none");
    }
    sb_puts(sb, "\n");
    format_values(sb, false, &m->n.body);
}

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)(ts.tv_nsec / 1000000);
}

/* ---- sockets ------------------------------------------------------------------------------ */

#define LISTEN_MAX_CONNS 16

typedef struct conn {
    int fd;
    char peer[80];
    dlms_wrapper_rx_t rx;
} conn_t;

typedef struct listener {
    const cli_opts_t *o;
    listen_ctx_t ctx;
    listen_msg_t msg;
    long received;
    conn_t *conns[LISTEN_MAX_CONNS];
} listener_t;

static void peer_name(const struct sockaddr_storage *ss, socklen_t sl, const char *proto, char *out,
                      size_t cap) {
    char host[64] = "?", port[16] = "?";
    getnameinfo((const struct sockaddr *)ss, sl, host, sizeof(host), port, sizeof(port),
                NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(out, cap, "%s:%s %s", host, port, proto);
}

static int open_socket(const cli_opts_t *o, int type, char *err, size_t errlen) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = type;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char port[8];
    snprintf(port, sizeof(port), "%u", o->port);
    int rc = getaddrinfo(o->host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "listen %s:%u: %s", o->host, o->port, gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 ||
        (type == SOCK_STREAM && listen(fd, 16) != 0)) {
        snprintf(err, errlen, "listen %s:%u/%s: %s", o->host, o->port,
                 type == SOCK_STREAM ? "tcp" : "udp", strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* One wrapper frame: decode, print, count. */
static void on_frame(listener_t *l, const char *from, const dlms_wrapper_header_t *h,
                     const uint8_t *apdu, size_t len) {
    char err[256];
    if (listen_decode(&l->ctx, apdu, len, &l->msg, err, sizeof(err)) != 0) {
        fprintf(stderr, "dlms: push from %s refused: %s\n", from, err);
        return;
    }
    sbuf_t sb;
    sb_init(&sb);
    listen_format(&sb, l->o->json, from, h->source_wport, h->dest_wport, &l->msg);
    fputs(sb_str(&sb), stdout);
    fflush(stdout);
    sb_free(&sb);
    l->received++;
}

static void conn_close(listener_t *l, int i) {
    close(l->conns[i]->fd);
    free(l->conns[i]);
    l->conns[i] = NULL;
}

static void conn_readable(listener_t *l, int i) {
    conn_t *c = l->conns[i];
    uint8_t buf[4096];
    ssize_t r = recv(c->fd, buf, sizeof(buf), 0);
    if (r <= 0) {
        if (r < 0 && errno == EINTR) {
            return;
        }
        if (dlms_wrapper_rx_partial(&c->rx)) {
            fprintf(stderr, "dlms: %s closed inside a wrapper frame\n", c->peer);
        }
        conn_close(l, i);
        return;
    }
    size_t pos = 0;
    while (pos < (size_t)r) {
        size_t used = 0;
        int n = dlms_wrapper_rx_feed(&c->rx, buf + pos, (size_t)r - pos, &used);
        pos += used;
        if (n < 0) {
            fprintf(stderr, "dlms: frame from %s refused: %s\n", c->peer, dlms_wrapper_strerror(n));
            conn_close(l, i);
            return;
        }
        if (n == 0) {
            break;
        }
        on_frame(l, c->peer, dlms_wrapper_rx_header(&c->rx), dlms_wrapper_rx_apdu(&c->rx),
                 (size_t)n);
    }
}

static void accept_one(listener_t *l, int lfd) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
    if (fd < 0) {
        return;
    }
    for (int i = 0; i < LISTEN_MAX_CONNS; i++) {
        if (l->conns[i] == NULL) {
            conn_t *c = calloc(1, sizeof(*c));
            if (c == NULL) {
                break;
            }
            c->fd = fd;
            dlms_wrapper_rx_init(&c->rx, 0);
            peer_name(&ss, sl, "tcp", c->peer, sizeof(c->peer));
            l->conns[i] = c;
            return;
        }
    }
    close(fd); /* full */
}

static void udp_readable(listener_t *l, int ufd) {
    static uint8_t dgram[EM_WRAPPER_MAX_APDU + DLMS_WRAPPER_HEADER_LEN + 1];
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    ssize_t r = recvfrom(ufd, dgram, sizeof(dgram), 0, (struct sockaddr *)&ss, &sl);
    if (r <= 0) {
        return;
    }
    char from[80];
    peer_name(&ss, sl, "udp", from, sizeof(from));
    dlms_wrapper_header_t h;
    const uint8_t *apdu = NULL;
    int n = dlms_wrapper_udp_decode(dgram, (size_t)r, 0, &h, &apdu);
    if (n < 0) {
        fprintf(stderr, "dlms: datagram from %s refused: %s\n", from, dlms_wrapper_strerror(n));
        return;
    }
    on_frame(l, from, &h, apdu, (size_t)n);
}

int cmd_listen(const cli_opts_t *o) {
    if (o->nargs != 0) {
        fprintf(stderr, "dlms: usage: dlms [options] listen [--port P] [--udp] [--count N]\n");
        return CLI_EXIT_USAGE;
    }
    static listener_t l;
    memset(&l, 0, sizeof(l));
    l.o = o;
    listen_init(&l.ctx, &o->keys);
    char err[256];
    int tfd = open_socket(o, SOCK_STREAM, err, sizeof(err));
    int ufd = tfd >= 0 && o->udp ? open_socket(o, SOCK_DGRAM, err, sizeof(err)) : -1;
    if (tfd < 0 || (o->udp && ufd < 0)) {
        fprintf(stderr, "dlms: %s\n", err);
        if (tfd >= 0) {
            close(tfd);
        }
        return CLI_EXIT_TRANSPORT;
    }
    fprintf(stderr, "dlms: listening for pushes on %s:%u (tcp%s)\n", o->host, o->port,
            o->udp ? ", udp" : "");
    uint64_t deadline = o->timeout_given ? now_ms() + (uint64_t)o->timeout_ms : 0;
    int status = CLI_OK;
    while (o->count <= 0 || l.received < o->count) {
        struct pollfd pf[2 + LISTEN_MAX_CONNS];
        int map[2 + LISTEN_MAX_CONNS];
        nfds_t n = 0;
        pf[n] = (struct pollfd){.fd = tfd, .events = POLLIN};
        map[n++] = -1;
        if (ufd >= 0) {
            pf[n] = (struct pollfd){.fd = ufd, .events = POLLIN};
            map[n++] = -2;
        }
        for (int i = 0; i < LISTEN_MAX_CONNS; i++) {
            if (l.conns[i] != NULL) {
                pf[n] = (struct pollfd){.fd = l.conns[i]->fd, .events = POLLIN};
                map[n++] = i;
            }
        }
        int wait = -1;
        if (deadline != 0) {
            uint64_t now = now_ms();
            if (now >= deadline) {
                fprintf(stderr, "dlms: timeout: %ld of %ld notifications received\n", l.received,
                        o->count);
                status = CLI_EXIT_TRANSPORT;
                break;
            }
            wait = (int)(deadline - now);
        }
        int k = poll(pf, n, wait);
        if (k < 0 && errno != EINTR) {
            fprintf(stderr, "dlms: poll: %s\n", strerror(errno));
            status = CLI_EXIT_FAILURE;
            break;
        }
        for (nfds_t i = 0; k > 0 && i < n; i++) {
            if ((pf[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
                continue;
            }
            if (map[i] == -1) {
                accept_one(&l, tfd);
            } else if (map[i] == -2) {
                udp_readable(&l, ufd);
            } else if (l.conns[map[i]] != NULL) {
                conn_readable(&l, map[i]);
            }
        }
    }
    for (int i = 0; i < LISTEN_MAX_CONNS; i++) {
        if (l.conns[i] != NULL) {
            conn_close(&l, i);
        }
    }
    close(tfd);
    if (ufd >= 0) {
        close(ufd);
    }
    return status;
}
