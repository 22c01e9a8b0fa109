/*
 * net.c - TCP wrapper listeners and connections for the virtual meter.
 *
 * Single-threaded epoll loop. Each connection owns a wrapper reassembler
 * (bytes arrive in arbitrary pieces) and a dlms_server_t (one association
 * at a time). A request is answered before the next is read, as DLMS
 * clients wait for each response; a response that the socket does not take
 * at once is kept and the connection stops reading until it has drained.
 *
 * A wrapper frame that cannot be resynchronised (bad version, length above
 * the maximum) closes the connection: TCP has no frame delimiter.
 */
#include "net.h"
#include "listen.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <time.h>
#include <unistd.h>

#include "dlms/wrapper.h"
#include "link.h" /* link emulation (w4) */

#define OUT_CAP (DLMS_SERVER_OUT_CAP + DLMS_WRAPPER_HEADER_LEN)

struct net_conn {
    net_conn_t *prev, *next;
    int fd;
    dlms_wrapper_rx_t rx;
    dlms_server_t server;
    uint8_t out[OUT_CAP]; /* wrapper header + response APDU */
    size_t out_len, out_sent;
    uint8_t in[4096]; /* bytes read but not yet fed (a response was pending) */
    size_t in_len;
    char peer[64];
    uint64_t due_ms; /* link emulation (w4): the pending response leaves then */
    bool cut;        /* closed by a link outage */
};

/* Tags that tell listeners from connections in epoll_event.data.u64: a
 * listener index is below this, a connection is a pointer (always above).
 * Extra fds (net_add_fd) are EXTRA_TAG + index, still below the maximum. */
#define LISTENER_TAG_MAX 64u
#define EXTRA_TAG        32u

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)(ts.tv_nsec / 1000000);
}

static int open_listener(const cfg_listen_t *l, int *fd_out, uint16_t *port_out, char *err,
                         size_t errlen) {
    char why[160];
    if (listen_tcp(l, 128, fd_out, port_out, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "listen %s:%u: %s", l->host, l->port, why);
        return -1;
    }
    return 0;
}

int net_open(net_t *n, const emeter_config_t *cfg, const dlms_server_config_t *server_cfg,
             char *err, size_t errlen) {
    memset(n, 0, sizeof(*n));
    n->server_cfg = server_cfg;
    n->max_connections = cfg->max_connections;
    n->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (n->epfd < 0) {
        snprintf(err, errlen, "epoll: %s", strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < cfg->listen_count; i++) {
        if (open_listener(&cfg->listen[i], &n->listen_fd[i], &n->bound_port[i], err, errlen))
            return -1;
        n->listen_count++;
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = i};
        epoll_ctl(n->epfd, EPOLL_CTL_ADD, n->listen_fd[i], &ev);
    }
    return 0;
}

static void conn_close(net_t *n, net_conn_t *c) {
    if (n->session)
        n->session(n->link_user, 0, c->cut);
    dlms_server_transport_closed(&c->server);
    epoll_ctl(n->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    if (c->prev)
        c->prev->next = c->next;
    else
        n->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    n->connections--;
    n->closed++;
    free(c);
}

static void conn_want(net_t *n, net_conn_t *c, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    epoll_ctl(n->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Send what is pending. Returns 0 when all went, 1 when the socket is
 * full (wait for EPOLLOUT), -1 on error. */
static int conn_flush(net_t *n, net_conn_t *c) {
    while (c->out_sent < c->out_len) {
        ssize_t w = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            conn_want(n, c, EPOLLOUT);
            return 1;
        }
        if (w <= 0)
            return -1;
        c->out_sent += (size_t)w;
    }
    c->out_len = c->out_sent = 0;
    conn_want(n, c, EPOLLIN);
    return 0;
}

/* Feed c->in to the reassembler and answer every complete frame, until the
 * input is used up or a response waits for the socket. Returns -1 to close
 * the connection, 1 when output is pending, 0 otherwise. */
static int conn_serve(net_t *n, net_conn_t *c) {
    size_t pos = 0;
    int result = 0;
    while (pos < c->in_len && c->out_len == 0) {
        size_t used = 0;
        int rc = dlms_wrapper_rx_feed(&c->rx, c->in + pos, c->in_len - pos, &used);
        pos += used;
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
        if (n->link && link_lose(n->link))
            continue; /* link emulation (w4): the request was lost */
        const dlms_wrapper_header_t *h = dlms_wrapper_rx_header(&c->rx);
        const uint8_t *apdu = dlms_wrapper_rx_apdu(&c->rx);
        /* The client's wPort is its SAP, ours the logical device. */
        int out = dlms_server_input(&c->server, h->source_wport, h->dest_wport, apdu, (size_t)rc,
                                    c->out + DLMS_WRAPPER_HEADER_LEN,
                                    sizeof(c->out) - DLMS_WRAPPER_HEADER_LEN, now_ms());
        if (out < 0)
            return -1;
        if (out == 0)
            continue;
        int wl =
            dlms_wrapper_encode(h->dest_wport, h->source_wport, c->out + DLMS_WRAPPER_HEADER_LEN,
                                (size_t)out, c->out, sizeof(c->out));
        if (wl < 0)
            return -1;
        c->out_len = (size_t)wl;
        c->out_sent = 0;
        /* link emulation (w4): a lost response, or one that leaves after
         * the link's round trip (tick_all sends it) */
        if (n->link && link_lose(n->link)) {
            c->out_len = 0;
            continue;
        }
        uint64_t delay = n->link ? link_delay_ms(n->link, (size_t)rc, (size_t)wl) : 0;
        if (delay != 0) {
            n->link->frames_delayed++;
            c->due_ms = now_ms() + delay;
            conn_want(n, c, 0);
            net_wake_at(n, c->due_ms);
            result = 1;
            break;
        }
        result = conn_flush(n, c);
        if (result < 0)
            return -1;
    }
    /* Keep what was not fed yet for when the response has drained. */
    memmove(c->in, c->in + pos, c->in_len - pos);
    c->in_len -= pos;
    return result;
}

static void conn_readable(net_t *n, net_conn_t *c) {
    while (c->out_len == 0 && c->in_len < sizeof(c->in)) {
        ssize_t r = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (r <= 0) {
            conn_close(n, c);
            return;
        }
        c->in_len += (size_t)r;
        if (conn_serve(n, c) < 0) {
            conn_close(n, c);
            return;
        }
    }
}

static void accept_all(net_t *n, int lfd) {
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        if (n->connections >= n->max_connections || n->powered_off) {
            n->refused++;
            close(fd);
            continue;
        }
        if ((n->link && !link_up(n->link, now_ms())) ||
            (n->admit && !n->admit(n->link_user))) { /* link emulation, modem (w4) */
            n->link_refused++;
            close(fd);
            continue;
        }
        net_conn_t *c = calloc(1, sizeof(*c));
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->fd = fd;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        dlms_wrapper_rx_init(&c->rx, EM_WRAPPER_MAX_APDU);
        if (dlms_server_init(&c->server, n->server_cfg, now_ms()) != 0) {
            close(fd);
            free(c);
            continue;
        }
        getnameinfo((struct sockaddr *)&ss, sl, c->peer, sizeof(c->peer), NULL, 0, NI_NUMERICHOST);
        c->next = n->conns;
        if (n->conns)
            n->conns->prev = c;
        n->conns = c;
        n->connections++;
        n->accepted++;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(n->epfd, EPOLL_CTL_ADD, fd, &ev);
        if (n->session)
            n->session(n->link_user, 1, 0);
    }
}

/* Inactivity timeouts: the server releases the association; the meter
 * then closes the idle connection, as the TCP-UDP setup inactivity
 * timeout (class 41 attribute 6) asks. */
static void tick_all(net_t *n) {
    uint64_t t = now_ms();
    bool up = n->link == NULL || link_up(n->link, t);
    for (net_conn_t *c = n->conns, *next; c; c = next) {
        next = c->next;
        if (!up) { /* link emulation (w4): an outage cuts the connection */
            c->cut = true;
            n->link->cuts++;
            conn_close(n, c);
            continue;
        }
        if (c->due_ms != 0) { /* a delayed response is due */
            if (t < c->due_ms) {
                net_wake_at(n, c->due_ms);
                continue;
            }
            c->due_ms = 0;
            int f = conn_flush(n, c);
            if (f < 0 || (f == 0 && conn_serve(n, c) < 0)) {
                conn_close(n, c);
                continue;
            }
            if (f == 0 && c->out_len == 0)
                conn_readable(n, c); /* may close c */
            continue;
        }
        if (dlms_server_tick(&c->server, t) == 1)
            conn_close(n, c);
    }
}

int net_add_fd(net_t *n, int fd, void (*on_ready)(void *user), void (*on_tick)(void *user),
               void (*on_close)(void *user), void *user) {
    if (n->extra_count >= NET_MAX_EXTRA || on_ready == NULL)
        return -1;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = EXTRA_TAG + n->extra_count};
    if (epoll_ctl(n->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        return -1;
    n->extra[n->extra_count++] = (net_extra_t){fd, on_ready, on_tick, on_close, user};
    return 0;
}

void net_set_powered_off(net_t *n, int off) {
    n->powered_off = off;
    if (off)
        while (n->conns)
            conn_close(n, n->conns);
}

void net_wake_at(net_t *n, uint64_t at_ms) {
    if (n->wake_ms == 0 || at_ms < n->wake_ms)
        n->wake_ms = at_ms;
}

/* epoll timeout: 1 s (the meter's tick), or less when a timer asked. */
static int loop_timeout(net_t *n) {
    int ms = 1000;
    if (n->wake_ms != 0) {
        uint64_t t = now_ms();
        ms = n->wake_ms <= t ? 0 : n->wake_ms - t < 1000u ? (int)(n->wake_ms - t) : 1000;
        n->wake_ms = 0;
    }
    return ms;
}

int net_run(net_t *n, volatile sig_atomic_t *stop) {
    struct epoll_event evs[64];
    while (!*stop) {
        int k = epoll_wait(n->epfd, evs, 64, loop_timeout(n));
        for (int i = 0; i < k; i++) {
            uint64_t tag = evs[i].data.u64;
            if (tag >= EXTRA_TAG && tag < EXTRA_TAG + n->extra_count) {
                n->extra[tag - EXTRA_TAG].on_ready(n->extra[tag - EXTRA_TAG].user);
                continue;
            }
            if (evs[i].data.u64 < LISTENER_TAG_MAX) {
                accept_all(n, n->listen_fd[evs[i].data.u64]);
                continue;
            }
            net_conn_t *c = evs[i].data.ptr;
            if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
                conn_close(n, c);
            } else if (evs[i].events & EPOLLOUT) {
                int f = conn_flush(n, c);
                if (f < 0 || (f == 0 && conn_serve(n, c) < 0))
                    conn_close(n, c);
                else if (f == 0 && c->out_len == 0)
                    conn_readable(n, c);
            } else if (evs[i].events & EPOLLIN) {
                conn_readable(n, c);
            }
        }
        tick_all(n);
        for (size_t i = 0; i < n->extra_count; i++)
            if (n->extra[i].on_tick)
                n->extra[i].on_tick(n->extra[i].user);
        if (n->idle)
            n->idle(n->idle_user);
    }
    return 0;
}

void net_close(net_t *n) {
    while (n->conns)
        conn_close(n, n->conns);
    for (size_t i = 0; i < n->extra_count; i++) {
        epoll_ctl(n->epfd, EPOLL_CTL_DEL, n->extra[i].fd, NULL);
        if (n->extra[i].on_close)
            n->extra[i].on_close(n->extra[i].user);
    }
    n->extra_count = 0;
    for (size_t i = 0; i < n->listen_count; i++)
        close(n->listen_fd[i]);
    if (n->epfd >= 0)
        close(n->epfd);
    n->listen_count = 0;
}
