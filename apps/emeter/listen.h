/*
 * listen.h - the host program's listening sockets: a HOST:PORT from the
 * command line (cfg_listen_t) resolved for a passive socket, and a
 * non-blocking TCP listener bound to it, reporting the port actually bound
 * (port 0 picks a free one, which the tests use). Shared by the DLMS
 * listeners (net.c), the P1 TCP port (p1port.c) and the control API
 * (control.c, whose HTTP daemon binds the resolved address itself).
 */
#ifndef EMETER_APP_LISTEN_H
#define EMETER_APP_LISTEN_H

#include <netdb.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* getaddrinfo() of l for a passive socket of socktype (SOCK_STREAM or
 * SOCK_DGRAM), numeric port: its result (0, or an EAI_* for
 * gai_strerror()); *res is the caller's to freeaddrinfo(). */
int listen_resolve(const cfg_listen_t *l, int socktype, struct addrinfo **res);

/* A non-blocking, close-on-exec TCP listener on l with SO_REUSEADDR and
 * the given backlog: 0 with *fd_out and the bound port in *port_out, or -1
 * with the reason (gai_strerror / strerror text, no prefix) in err. */
int listen_tcp(const cfg_listen_t *l, int backlog, int *fd_out, uint16_t *port_out, char *err,
               size_t errlen);

/* The same for a UDP socket bound to l (no listen): 0 with *fd_out and
 * the bound port, or -1 with the reason in err. */
int listen_udp(const cfg_listen_t *l, int *fd_out, uint16_t *port_out, char *err, size_t errlen);

#endif /* EMETER_APP_LISTEN_H */
