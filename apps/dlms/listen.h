/*
 * listen.h - the dlms tool's push receiver (`dlms listen`): a head-end's
 * side of the meter's Push setup (class 40) notifications, received over
 * the TCP or UDP wrapper (IEC 62056-47), deciphered when they come as
 * general-glo-ciphering (DB, suite 0, the sender's system title inside),
 * parsed as data-notification (0F, IEC 62056-5-3) and printed in the value
 * formats of `dlms get` (format.h).
 *
 * The decoder is separate from the sockets so the unit test can feed it
 * APDUs: listen_decode() treats its input as hostile (bounded, every
 * refusal a reason in err). Replays: the decoder remembers the last
 * invocation counter accepted per sender system title (LISTEN_MAX_SENDERS)
 * and refuses one that does not increase, as a head-end must.
 */
#ifndef DLMS_CLI_LISTEN_H
#define DLMS_CLI_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "dlms/apdu.h"
#include "dlms/security.h"
#include "format.h"

#define LISTEN_MAX_SENDERS 16
#define LISTEN_MAX_APDU    EM_WRAPPER_MAX_APDU

typedef struct listen_sender {
    uint8_t title[DLMS_SEC_SYSTEM_TITLE_LEN];
    uint32_t last_ic;
    bool used;
} listen_sender_t;

/* What the decoder keeps between notifications. */
typedef struct listen_ctx {
    dlms_sec_keys_t keys; /* GUEK (GBEK for broadcast SC) and AK */
    listen_sender_t senders[LISTEN_MAX_SENDERS];
    size_t next_slot; /* round robin when the table is full */
} listen_ctx_t;

/* One decoded notification. n.body points into plain[]. */
typedef struct listen_msg {
    bool ciphered;
    uint8_t sc;
    uint32_t ic;
    uint8_t system_title[DLMS_SEC_SYSTEM_TITLE_LEN];
    uint8_t plain[LISTEN_MAX_APDU + DLMS_SEC_OVERHEAD];
    size_t plain_len;
    dlms_data_notification_t n;
} listen_msg_t;

void listen_init(listen_ctx_t *c, const dlms_sec_keys_t *keys);

/* One APDU (the wrapper's payload). 0 and *m, or -1 with the reason in
 * err (unknown tag, deciphering failure, replay, malformed notification). */
int listen_decode(listen_ctx_t *c, const uint8_t *apdu, size_t len, listen_msg_t *m, char *err,
                  size_t errlen);

/* The notification as one text block (header line, then one line per
 * element of a structure body) or one JSON object line. `from` names the
 * sender ("127.0.0.1:40312 tcp"), wports the wrapper's ports. */
void listen_format(sbuf_t *sb, bool json, const char *from, uint16_t src_wport, uint16_t dst_wport,
                   const listen_msg_t *m);

/* The `listen` command (commands.c dispatches it). */
int cmd_listen(const cli_opts_t *o);

#endif /* DLMS_CLI_LISTEN_H */
