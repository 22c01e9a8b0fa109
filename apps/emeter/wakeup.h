/*
 * wakeup.h - the wake-up listener of the virtual meter's LTE-M modem
 * (issue 8; seed 000 §3.3.3 "Wake up: the address and the content of an
 * IP message"): a UDP socket in the epoll loop (net_add_fd). Each
 * datagram goes to meter_modem_wakeup() with its IPv4 source address and
 * payload; the modem model decides (authorised source in Auto answer's
 * list_of_allowed_callers, the configured content, the listening
 * windows) and counts. Accepted and ignored datagrams are logged. The
 * socket stands for the network's wake-up path to the module (reachable
 * while registered, also when no PDP context is up).
 */
#ifndef EMETER_APP_WAKEUP_H
#define EMETER_APP_WAKEUP_H

#include <stddef.h>
#include <stdint.h>

#include "meter/meter.h"
#include "net.h"

typedef struct emeter_wakeup {
    int fd;
    uint16_t bound_port;
    meter_t *meter;
    uint64_t datagrams, accepted, ignored;
} emeter_wakeup_t;

/* Bind host:port (port 0: any free port) and serve it in n's loop. 0, or
 * -1 with a message in err. */
int emeter_wakeup_open(emeter_wakeup_t *w, net_t *n, meter_t *m, const char *host, uint16_t port,
                       char *err, size_t errlen);

#endif /* EMETER_APP_WAKEUP_H */
