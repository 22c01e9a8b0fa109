/*
 * push_setup.h - interface class Push setup (class_id 40, version 0; DLMS
 * UA Blue Book "Push setup", as DSMR/SMR 5 use it: dlms-facts §1.1, §2.5)
 * and the push engine that drives it.
 *
 * Attributes (all writable by an association with the right, values
 * validated; a refused value changes nothing):
 *   2 push_object_list  array of structure{class_id long-unsigned,
 *                       logical_name octet-string(6), attribute_index
 *                       integer, data_index long-unsigned}. Every entry
 *                       must name an attribute 1..n of an object of the
 *                       table with that class (other-reason otherwise);
 *                       data_index 0 is the whole attribute, n > 0 element
 *                       n of an array/structure value.
 *   3 send_destination_and_method  structure{transport_service enum,
 *                       destination octet-string, message enum}.
 *                       transport_service 0 TCP and 1 UDP only (2 FTP ..
 *                       7 ZigBee and the manufacturer values: other-
 *                       reason: this meter has no such bearer); message 0
 *                       (A-XDR xDLMS APDU) only (1 XML: other-reason);
 *                       destination empty (no push) or "host:port" with
 *                       printable host characters and a port 1..65535
 *                       (other-reason otherwise).
 *   4 communication_window  array of structure{start octet-string(12),
 *                       end octet-string(12)} date-time patterns (see
 *                       "windows" below); empty: pushes at any time.
 *   5 randomisation_start_interval  long-unsigned, seconds
 *   6 number_of_retries  unsigned
 *   7 repetition_delay  long-unsigned, seconds
 * Method 1 push (data: integer 0): starts a push (cosem_push_trigger);
 * other-reason when no destination is set.
 *
 * ---- The engine -----------------------------------------------------------
 *
 * Pure state in cosem_push_state_t (no sockets, no clock reads): the
 * application owns the transport and the time.
 *
 *   cosem_push_trigger()  from method 1, a Script table native (the single
 *                         action schedule 0.0.15.0.4.255 runs push script
 *                         n of 0.0.10.0.108.255) or the alarm path: draws a
 *                         random start delay in [0, randomisation_start_
 *                         interval] from the port's entropy and waits.
 *                         A trigger while a push is already pending is
 *                         merged with it (returns 1): the values are read
 *                         when the push is sent, so nothing is lost.
 *   cosem_push_tick()     returns 1 ("send now") once the delay is over
 *                         and the local time lies in a communication
 *                         window; the application then builds the APDU
 *                         (cosem_push_notification) and sends it.
 *   cosem_push_result()   ok: done. Failure: after repetition_delay the
 *                         tick says "send now" again, up to
 *                         number_of_retries retries; then the push is
 *                         dropped (failed counter).
 *
 * Windows: each window's start and end are date-time patterns in local
 * time (the table's Clock). A field not specified (0xFF / 0xFFFF) takes
 * today's value, so {*-*-* 01:00:00, *-*-* 05:00:00} is every night; a
 * window whose end comes before its start (22:00 .. 02:00) wraps over
 * midnight; a specified day_of_week limits the window to that weekday;
 * hundredths and deviation are ignored. Day 0xFD/0xFE and the DST months
 * are refused at SET (other-reason). A push that is due outside every
 * window waits for one to open.
 *
 * The notification (cosem_push_encode / cosem_push_notification): the
 * body is a structure with one element per push_object_list entry, each
 * read through the class get() of the same table as a ciphered management
 * client would see it, without access rights (the push setup's list is the
 * authority); a Clock attribute 2 shows the push instant; an entry that
 * cannot be read is sent as null-data. The APDU is a data-notification
 * (0F, long-invoke-id-and-priority: invoke id counting 1, 2, ... per push,
 * unconfirmed, normal priority; date-time of the push instant in local
 * time; body), protected with the security context def->sec_index as
 * general-glo-ciphering (DB, data-notification has no glo- tag) with SC
 * state.protection (0x30 by default; 0 sends it plain, as OSGP's SMR 5
 * alarm decoder expects), with the next transmit invocation counter
 * reserved through the DLMS server's reserve_ic callback first
 * (dlms_server_data_notification), so a counter is never reused.
 *
 * DSMR/SMR 5 content (OSGP DlmsPushNotificationDecoder / Smr5AlarmDecoder
 * examples): scheduled push {0.0.96.1.1.255 attr 2 equipment identifier,
 * 0.0.25.9.0.255 attr 1}; alarm push {0.0.96.1.1.255 attr 2, 0.1.25.9.0.255
 * attr 1, 0.0.97.98.0.255 attr 2 alarm register 1}. COSEM_PUSH_LIST_*
 * below give them.
 */
#ifndef EMETER_COSEM_PUSH_SETUP_H
#define EMETER_COSEM_PUSH_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cosem/cosem.h"
#include "dlms/server.h"

#define COSEM_CLASS_PUSH_SETUP 40u

extern const cosem_class_t cosem_class_push_setup;

/* ---- errors (-0x09F0..-0x09FF, cosem_push_strerror) ------------------------ */

#define COSEM_ERR_PUSH_OBJECT      (-0x09F0) /* the object is not a Push setup of the table */
#define COSEM_ERR_PUSH_DESTINATION (-0x09F1) /* no destination set */
#define COSEM_ERR_PUSH_PHASE       (-0x09F2) /* result reported while no push was being sent */
#define COSEM_ERR_PUSH_TOO_LONG    (-0x09F3) /* the notification does not fit the buffer */
#define COSEM_ERR_PUSH_SECURITY    (-0x09F4) /* protection asked but no security context */
#define COSEM_ERR_PUSH_RECORD      (-0x09F5) /* a persisted state record is not a valid one */

const char *cosem_push_strerror(int err);

/* ---- values ------------------------------------------------------------------ */

#define COSEM_PUSH_TCP      0u /* transport_service */
#define COSEM_PUSH_UDP      1u
#define COSEM_PUSH_MSG_AXDR 0u /* message: A-XDR encoded xDLMS APDU */
#define COSEM_PUSH_LN_PUSH  1  /* attribute_index of logical_name */

/* Engine phases. */
#define COSEM_PUSH_IDLE    0u /* nothing pending */
#define COSEM_PUSH_WAITING 1u /* waiting for `due` and a window */
#define COSEM_PUSH_SENDING 2u /* the application is sending; cosem_push_result next */

typedef struct cosem_push_window {
    cosem_datetime_t start;
    cosem_datetime_t end;
} cosem_push_window_t;

/* Plain data: the application persists it whole (configuration and the
 * pending push; cosem_push_resume() after restoring). */
typedef struct cosem_push_state {
    /* attribute 2 */
    uint8_t object_count;
    dlms_capture_object_t objects[EM_COSEM_PUSH_OBJECTS];
    /* attribute 3 */
    uint8_t transport;
    uint8_t message;
    uint8_t destination_len;
    uint8_t destination[EM_COSEM_PUSH_DESTINATION_MAX];
    /* attribute 4 */
    uint8_t window_count;
    cosem_push_window_t windows[EM_COSEM_PUSH_WINDOWS];
    /* attributes 5-7 */
    uint16_t randomisation_start_interval; /* s */
    uint8_t number_of_retries;
    uint16_t repetition_delay; /* s */
    /* meter configuration, not an attribute: SC of the notification (0
     * plain, 0x10 / 0x20 / 0x30 general-glo-ciphering) */
    uint8_t protection;
    /* engine */
    uint8_t phase;      /* COSEM_PUSH_* */
    uint8_t attempts;   /* failed attempts of the pending push */
    int64_t due;        /* UTC at which the pending push may go */
    uint32_t invoke_id; /* long-invoke-id of the last notification (1..0xFFFFFF) */
    uint32_t sent;      /* pushes delivered */
    uint32_t failed;    /* pushes dropped after the last retry */
} cosem_push_state_t;

typedef struct cosem_push_setup_def {
    uint32_t state;    /* COSEM_STATE(cosem_push_state_t, app_t, member) */
    uint8_t sec_index; /* security context of the notification (add_security order) */
} cosem_push_setup_def_t;

/* The DSMR/SMR 5 push object lists (see above), for initialisation. */
extern const dlms_capture_object_t cosem_push_list_scheduled[2];
extern const dlms_capture_object_t cosem_push_list_alarm[3];

/* Factory state: empty lists, TCP, no destination, no window, no delay, no
 * retry, protection 0x30, idle. */
void cosem_push_init(cosem_push_state_t *st);
/* Sets push_object_list (n <= EM_COSEM_PUSH_OBJECTS, not checked against a
 * table) and destination ("host:port", <= EM_COSEM_PUSH_DESTINATION_MAX):
 * what a meter's factory configuration gives. COSEM_ERR_BADARG if too long. */
int cosem_push_set_objects(cosem_push_state_t *st, const dlms_capture_object_t *objs, uint8_t n);
int cosem_push_set_destination(cosem_push_state_t *st, uint8_t transport, const char *dest);
/* After restoring a persisted state: a push that was being sent when the
 * meter stopped is sent again (phase SENDING becomes WAITING, due now). */
void cosem_push_resume(cosem_push_state_t *st);

/* Persisting the state: a versioned byte record (no struct image, so a
 * record reads the same after a compiler or layout change), at most
 * COSEM_PUSH_RECORD_MAX bytes. pack returns the length (or COSEM_ERR_BADARG
 * when cap is too small); unpack checks everything (counts, transport,
 * destination syntax, window patterns, protection, phase) and the exact
 * length, and changes *st only when the record is valid
 * (COSEM_ERR_PUSH_RECORD otherwise). Entries of push_object_list are not
 * checked against a table here (a later SET does that). */
#define COSEM_PUSH_RECORD_VERSION 1u
#define COSEM_PUSH_RECORD_MAX                                                                      \
    (1 + 1 + 11 * EM_COSEM_PUSH_OBJECTS + 3 + EM_COSEM_PUSH_DESTINATION_MAX + 1 +                  \
     24 * EM_COSEM_PUSH_WINDOWS + 5 + 1 + 2 + 8 + 12)
int cosem_push_state_pack(const cosem_push_state_t *st, uint8_t *out, size_t cap);
int cosem_push_state_unpack(const uint8_t *in, size_t len, cosem_push_state_t *st);

/* The state of a Push setup object of s's table, NULL for anything else. */
cosem_push_state_t *cosem_push_state(const cosem_server_t *s, const cosem_object_t *obj);

/* Starts a push at UTC utc: 0 started, 1 merged with the pending one,
 * COSEM_ERR_PUSH_DESTINATION (nothing started), COSEM_ERR_PUSH_OBJECT. A
 * port without entropy (or whose entropy fails) gives delay 0. */
int cosem_push_trigger(cosem_server_t *s, const cosem_object_t *obj, int64_t utc);
/* 1 when the pending push should be sent now (phase becomes SENDING), 0
 * otherwise, or COSEM_ERR_PUSH_OBJECT. */
int cosem_push_tick(cosem_server_t *s, const cosem_object_t *obj, int64_t utc);
/* The send ended: ok, or failed (connection refused, timeout...). Returns
 * 0 when the push is over (delivered, or dropped after the last retry), 1
 * when a retry is scheduled at utc + repetition_delay, COSEM_ERR_PUSH_PHASE
 * when no push was being sent. */
int cosem_push_result(cosem_server_t *s, const cosem_object_t *obj, bool ok, int64_t utc);
/* True when the local time at utc lies in a communication window (or
 * there is none). */
bool cosem_push_in_window(const cosem_server_t *s, const cosem_push_state_t *st, int64_t utc);

/* The notification-body (one Data: structure of the pushed values) into
 * buf[0..cap). Returns its length, COSEM_ERR_PUSH_TOO_LONG or
 * COSEM_ERR_PUSH_OBJECT. */
int cosem_push_encode(cosem_server_t *s, const cosem_object_t *obj, int64_t utc, uint8_t *buf,
                      size_t cap);
/* The complete APDU (data-notification, protected as described above)
 * into out[0..cap), using srv's scratch buffer and reserve_ic (srv may be
 * idle; only its configuration is used). Takes the next invoke id. Returns
 * the length or a negative COSEM_ERR_PUSH_* / DLMS_SERVER_ERR_* (e.g.
 * _IC_RESERVE: nothing may be sent). */
int cosem_push_notification(cosem_server_t *s, const cosem_object_t *obj, dlms_server_t *srv,
                            int64_t utc, uint8_t *out, size_t cap);

#endif /* EMETER_COSEM_PUSH_SETUP_H */
