/*
 * net.h - the virtual meter's network side: TCP listeners speaking the
 * DLMS TCP wrapper (IEC 62056-47), one DLMS server state per connection,
 * in a single-threaded epoll loop.
 */
#ifndef EMETER_APP_NET_H
#define EMETER_APP_NET_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "dlms/server.h"

typedef struct net_conn net_conn_t;

/* A file descriptor served by the loop besides the TCP wrapper (the
 * optical port): on_ready when it is readable or hung up, on_tick after
 * every round, on_close from net_close(). */
typedef struct net_extra {
    int fd;
    void (*on_ready)(void *user);
    void (*on_tick)(void *user);
    void (*on_close)(void *user);
    void *user;
} net_extra_t;

/* Extra fds: the optical port, the P1 port (pty, TCP listener), the control
 * API, the push client, with room for the device modules. */
#define NET_MAX_EXTRA 16

typedef struct net {
    int epfd;
    int listen_fd[CFG_MAX_LISTEN];
    size_t listen_count;
    uint16_t bound_port[CFG_MAX_LISTEN]; /* actual port (when 0 was asked) */
    const dlms_server_config_t *server_cfg;
    uint32_t max_connections;
    uint32_t connections;
    net_conn_t *conns; /* doubly linked list of open connections */
    uint64_t accepted, refused, closed;
    /* Called after each round of the loop, once replies went out (e.g. to
     * top up invocation counter reservations off the request path). */
    void (*idle)(void *user);
    void *idle_user;
    net_extra_t extra[NET_MAX_EXTRA];
    size_t extra_count;
    uint64_t wake_ms; /* earliest wake-up asked by net_wake_at (0 = none) */
    /* Mains off (an outage from the control API): no DLMS over TCP, new
     * connections are accepted and closed at once. */
    int powered_off;
} net_t;

/* Open every listener of cfg. 0 or -1 with a message in err. */
int net_open(net_t *n, const emeter_config_t *cfg, const dlms_server_config_t *server_cfg,
             char *err, size_t errlen);

/* Serve fd in the loop (see net_extra_t). 0, or -1 when full or epoll
 * refuses the fd. on_tick and on_close may be NULL. */
int net_add_fd(net_t *n, int fd, void (*on_ready)(void *user), void (*on_tick)(void *user),
               void (*on_close)(void *user), void *user);

/* Wake the loop by at_ms (monotonic ms) at the latest, for timers shorter
 * than the loop's 1 s period (IEC 62056-21 reaction times). */
void net_wake_at(net_t *n, uint64_t at_ms);

/* Mains off (1) or back on (0): off closes every DLMS connection (the
 * associations end as in a power cut) and refuses new ones until on. */
void net_set_powered_off(net_t *n, int off);

/* Run until *stop becomes non-zero (set by a signal handler). Returns 0. */
int net_run(net_t *n, volatile sig_atomic_t *stop);

/* Close every connection (transport closed for each server), every extra
 * fd (on_close) and listener. */
void net_close(net_t *n);

#endif /* EMETER_APP_NET_H */
