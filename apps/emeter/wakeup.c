/*
 * wakeup.c - the wake-up listener (see wakeup.h).
 */
#include "wakeup.h"

#include "listen.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

static int64_t meter_now(const meter_t *m) {
    int64_t utc = 0;
    cosem_rtc_now(&m->cosem, &utc);
    return utc;
}

static void on_ready(void *user) {
    emeter_wakeup_t *w = user;
    for (;;) {
        uint8_t buf[512];
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        ssize_t r = recvfrom(w->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
        if (r < 0)
            return;
        w->datagrams++;
        uint32_t src = 0;
        if (ss.ss_family == AF_INET) {
            src = ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr);
        } else if (ss.ss_family == AF_INET6) {
            const uint8_t *a = ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr;
            static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
            if (memcmp(a, v4mapped, 12) == 0)
                src = (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 | (uint32_t)a[14] << 8 | a[15];
        }
        int rc = meter_modem_wakeup(w->meter, src, buf, (size_t)r, meter_now(w->meter));
        if (rc == METER_MODEM_WAKE_ACCEPTED)
            w->accepted++;
        else
            w->ignored++;
        printf("emeter: wake-up datagram from %u.%u.%u.%u (%zd bytes): %s\n", src >> 24,
               (src >> 16) & 0xFF, (src >> 8) & 0xFF, src & 0xFF, r,
               rc == METER_MODEM_WAKE_ACCEPTED  ? "accepted"
               : rc == METER_MODEM_WAKE_SOURCE  ? "ignored (source not allowed)"
               : rc == METER_MODEM_WAKE_CONTENT ? "ignored (wrong content)"
               : rc == METER_MODEM_WAKE_WINDOW  ? "ignored (outside the listening window)"
                                                : "ignored (modem not registered)");
        fflush(stdout);
    }
}

static void on_close(void *user) {
    emeter_wakeup_t *w = user;
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
}

int emeter_wakeup_open(emeter_wakeup_t *w, net_t *n, meter_t *m, const char *host, uint16_t port,
                       char *err, size_t errlen) {
    memset(w, 0, sizeof(*w));
    w->fd = -1;
    w->meter = m;
    cfg_listen_t l;
    memset(&l, 0, sizeof(l));
    if (snprintf(l.host, sizeof(l.host), "%s", host) >= (int)sizeof(l.host)) {
        snprintf(err, errlen, "wake-up listener %s:%u: host name too long", host, port);
        return -1;
    }
    l.port = port;
    int fd;
    char why[160];
    if (listen_udp(&l, &fd, &w->bound_port, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "wake-up listener %s:%u: %s", host, port, why);
        return -1;
    }
    w->fd = fd;
    if (net_add_fd(n, fd, on_ready, NULL, on_close, w) != 0) {
        snprintf(err, errlen, "wake-up listener: the loop has no room for another fd");
        close(fd);
        w->fd = -1;
        return -1;
    }
    return 0;
}
