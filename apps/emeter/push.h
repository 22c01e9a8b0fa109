/*
 * push.h - the virtual meter's push client: the transport of the Push
 * setup objects (class 40, lib/cosem/push_setup.h) in the single-threaded
 * event loop. The engine (when to send, retries, the ciphered
 * data-notification) is the library's; this module opens the TCP
 * connection (non-blocking) or sends the UDP datagram to the object's
 * send_destination, frames the APDU with the TCP/UDP wrapper (IEC 62056-47:
 * source wPort 1, the management logical device; destination wPort from
 * the configuration, default 102) and reports the outcome back to the
 * engine. See docs/push.md.
 *
 * The loop calls emeter_push_tick() every round (runtime.c on_idle). While
 * a connection is being set up or a frame is being written the module asks
 * the loop to come back within PUSH_POLL_MS and polls its sockets without
 * blocking, so it needs no slot of its own in the epoll set.
 */
#ifndef EMETER_APP_PUSH_H
#define EMETER_APP_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "dlms/server.h"
#include "dlms/wrapper.h"
#include "meter/meter.h"
#include "net.h"

#define PUSH_MAX_OBJECTS  4
#define PUSH_POLL_MS      20u    /* re-poll period while a send is in progress */
#define PUSH_TIMEOUT_MS   10000u /* connect + write of one notification (real time) */
#define PUSH_SOURCE_WPORT 1u     /* the management logical device */

typedef struct push_channel {
    const cosem_object_t *obj;
    int fd;   /* -1 when idle */
    bool udp; /* the send in progress goes over UDP */
    bool connected;
    uint64_t deadline_ms;
    size_t len, sent;
    uint32_t invoke_id; /* of the notification in flight */
    char dest[EM_COSEM_PUSH_DESTINATION_MAX + 1];
    uint8_t frame[DLMS_WRAPPER_HEADER_LEN + DLMS_SERVER_OUT_CAP];
} push_channel_t;

typedef struct emeter_push {
    meter_t *meter;
    net_t *net;
    dlms_server_t srv; /* scratch and invocation counter reservation for notifications */
    uint16_t dest_wport;
    size_t count;
    push_channel_t ch[PUSH_MAX_OBJECTS];
} emeter_push_t;

/* Applies the configuration's factory settings to the meter's Push setup
 * objects that have no destination yet (a destination a head-end set
 * wins), the protection (ciphered or plain) to all, and resumes a push
 * that was being sent (cosem_push_resume). Call after the meter's state
 * was restored and before anything can raise an alarm. */
void emeter_push_configure(meter_t *m, const emeter_config_t *c);

/* The transport: finds the meter's Push setup objects and prints where
 * they push. Returns 0, or -1 with a message in err. */
int emeter_push_open(emeter_push_t *p, net_t *net, meter_t *m, const dlms_server_config_t *cfg,
                     const emeter_config_t *c, char *err, size_t errlen);

/* Starts the push of object `ln` now (cosem_push_trigger at the meter's
 * time): what the alarm hook and a push script call. Returns its result. */
int emeter_push_trigger(emeter_push_t *p, const uint8_t ln[6]);

/* One round: engine ticks, sends started, sockets polled, results
 * reported. */
void emeter_push_tick(emeter_push_t *p);

/* Closes the sockets. A send in progress stays in phase SENDING, so a
 * persisted state sends it again after cosem_push_resume(). */
void emeter_push_close(emeter_push_t *p);

#endif /* EMETER_APP_PUSH_H */
