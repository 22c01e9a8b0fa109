/*
 * resolve_posix.c - host name resolution for the port (port.h `resolve`):
 * getaddrinfo restricted to IPv4, the first address. Blocks for a DNS
 * round trip when the name is not numeric; lib/meter/modem.c calls it once
 * per modem attachment, never on a request path.
 */
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "port_posix.h"

int em_posix_resolve(void *user, const char *host, uint32_t *ipv4) {
    (void)user;
    if (host == NULL || ipv4 == NULL || host[0] == '\0')
        return EM_PORT_ERR_BADARG;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL)
        return EM_PORT_ERR_IO;
    const struct sockaddr_in *sa = (const struct sockaddr_in *)res->ai_addr;
    *ipv4 = ntohl(sa->sin_addr.s_addr);
    freeaddrinfo(res);
    return 0;
}
