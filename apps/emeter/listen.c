/*
 * listen.c - resolving a listen address and opening a TCP listener (see
 * listen.h).
 */
#include "listen.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int listen_resolve(const cfg_listen_t *l, int socktype, struct addrinfo **res) {
    struct addrinfo hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char port[8];
    snprintf(port, sizeof(port), "%u", l->port);
    *res = NULL;
    return getaddrinfo(l->host, port, &hints, res);
}

/* A non-blocking, close-on-exec socket of socktype bound to l (listening
 * with `backlog` for a stream socket): 0 with the fd and the bound port. */
static int bind_socket(const cfg_listen_t *l, int socktype, int backlog, int *fd_out,
                       uint16_t *port_out, char *err, size_t errlen) {
    struct addrinfo *res = NULL;
    int rc = listen_resolve(l, socktype, &res);
    if (rc != 0) {
        snprintf(err, errlen, "%s", gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    if (fd < 0 ||
        (socktype == SOCK_STREAM &&
         setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 ||
        (socktype == SOCK_STREAM && listen(fd, backlog) != 0)) {
        snprintf(err, errlen, "%s", strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    *port_out = l->port;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        *port_out = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                   : ((struct sockaddr_in *)&ss)->sin_port);
    *fd_out = fd;
    return 0;
}

int listen_tcp(const cfg_listen_t *l, int backlog, int *fd_out, uint16_t *port_out, char *err,
               size_t errlen) {
    return bind_socket(l, SOCK_STREAM, backlog, fd_out, port_out, err, errlen);
}

int listen_udp(const cfg_listen_t *l, int *fd_out, uint16_t *port_out, char *err, size_t errlen) {
    return bind_socket(l, SOCK_DGRAM, 0, fd_out, port_out, err, errlen);
}
