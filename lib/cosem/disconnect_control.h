/*
 * disconnect_control.h - interface class Disconnect control (class_id 70,
 * version 0; DLMS UA 1000-1 Blue Book "Disconnect control", IEC 62056-6-2
 * clause 4.5.8 in the 2017 edition): the supply breaker of the meter.
 *
 * Attributes 2 output_state (boolean: true = the breaker is closed and the
 * consumer supplied), 3 control_state (enum 0 disconnected, 1 connected,
 * 2 ready_for_reconnection), 4 control_mode (enum 0..6, writable). Methods
 * 1 remote_disconnect, 2 remote_reconnect (data ::= integer 0).
 *
 * ---- State diagram (Blue Book figure "Disconnect control state diagram") --
 *
 *   a  remote_reconnect   disconnected (0)            -> connected (1)
 *   b  remote_disconnect  connected (1)               -> disconnected (0)
 *   c  remote_disconnect  ready_for_reconnection (2)  -> disconnected (0)
 *   d  remote_reconnect   disconnected (0)            -> ready_for_reconnection (2)
 *   e  manual_reconnect   ready_for_reconnection (2)  -> connected (1)
 *   f  manual_disconnect  connected (1)               -> ready_for_reconnection (2)
 *   g  local_disconnect   connected (1)               -> ready_for_reconnection (2)
 *   h  local_reconnect    ready_for_reconnection (2)  -> connected (1)
 *
 * ---- Control modes (Blue Book table "Disconnect control modes") ---------
 *
 *   mode  disconnection                  reconnection
 *   0     none: always connected         none
 *   1     remote b,c  manual f  local g  remote d  manual e
 *   2     remote b,c  manual f  local g  remote a  manual e
 *   3     remote b,c            local g  remote d  manual e
 *   4     remote b,c            local g  remote a  manual e
 *   5     remote b,c  manual f  local g  remote d  manual e  local h
 *   6     remote b,c            local g  remote d  manual e  local h
 *
 * So remote_reconnect ends in ready_for_reconnection in modes 1, 3, 5, 6
 * (the consumer confirms with the button, e, or a local function, h) and
 * directly in connected in modes 2 and 4, as the Blue Book's method text
 * says ("direct remote reconnection enabled (control_mode = 2, 4)"). The
 * table is cross-checked with Gurux (ControlMode.java / ControlMode.py,
 * GXDLMSDisconnectControl.h) which carry the same text. Newer Blue Book
 * editions add mode 7; this is version 0 with modes 0..6, so a write of 7
 * or more is refused (other-reason).
 *
 * The "manual" trigger is the meter's push button (the meter application
 * decides which press means what); "local" is a function inside the meter:
 * the limiter (class 71, limiter.h, through a Script table), supervision
 * (over-current, over-voltage, loss of neutral) or prepayment. None of them
 * is a DLMS method: the application calls the functions below.
 *
 * ---- Answers (documented choices) ---------------------------------------
 *
 *   request                                     result
 *   method whose transition the mode offers      success (0), state changes
 *   method whose target state is already the     success (0), nothing changes
 *     current one (remote_disconnect while        (no transition: the hook
 *     disconnected; remote_reconnect while        does not run). Head-ends
 *     connected, or in modes 1,3,5,6 while        retry commands; a repeat
 *     ready_for_reconnection)                     must not fail.
 *   any method in control_mode 0                 read-write-denied (3): the
 *                                                 disconnect function is off
 *                                                 in this configuration,
 *                                                 like a method without a
 *                                                 right (Blue Book: "if
 *                                                 remote disconnection is
 *                                                 enabled (control_mode > 0)")
 *   remote_reconnect in modes 2, 4 while         temporary-failure (2): the
 *     ready_for_reconnection                      diagram has no remote
 *                                                 transition out of that
 *                                                 state there (only e, the
 *                                                 button); a later state may
 *                                                 allow it
 *   parameter other than integer/null/absent     type-unmatched (12)
 *   SET control_mode of another type             type-unmatched (12)
 *   SET control_mode > 6                         other-reason (250)
 *
 * SET control_mode 0 while not connected connects: mode 0 is "always in
 * connected state" (Blue Book). The hook reports it as a transition with
 * trigger COSEM_DISC_MODE_NONE_SET and letter 0. Any other mode change keeps
 * the state.
 *
 * ---- Transitions reach the application -----------------------------------
 *
 * Every transition, whatever its trigger (method, button, local function,
 * a Script table action), updates output_state (true exactly in connected)
 * and control_state, then runs the definition's on_transition hook with
 * the letter, the trigger and both states. The application drives the
 * relay output through the port from it, writes the disconnector event log
 * (cosem_disconnect_event_code) and counts. Methods also run the server's
 * notify hook afterwards (COSEM_NOTIFY_ACTION), as for every class; local
 * and manual transitions do not (they are not DLMS services).
 *
 * output_state is what the meter shows as the breaker's actual position.
 * A meter with a feedback contact may overwrite it in the state after the
 * hook (e.g. a relay that did not switch: output_state stays, the
 * application logs "disconnect/reconnect failure" 68).
 *
 * ---- Persistence -----------------------------------------------------------
 *
 * The breaker is bistable: it keeps its position through an outage, so the
 * state struct is plain data (three bytes, no pointers, no runtime fields)
 * the meter persists after every transition (the hook) and every control_
 * mode SET (notify), and restores at power-up before the first request.
 * cosem_disconnect_check_state() validates a restored copy. Restoring
 * does not run the hook: the relay is already where the state says.
 */
#ifndef EMETER_COSEM_DISCONNECT_CONTROL_H
#define EMETER_COSEM_DISCONNECT_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/cosem.h"

#define COSEM_CLASS_DISCONNECT_CONTROL 70u

extern const cosem_class_t cosem_class_disconnect_control;

/* Errors of Disconnect control (-0x0960..-0x096F). */
#define COSEM_ERR_DISC_STATE   (-0x0960) /* state out of range (control_state > 2, mode > 6) */
#define COSEM_ERR_DISC_TRIGGER (-0x0961) /* unknown trigger */

/* control_state (attribute 3). */
#define COSEM_DISC_DISCONNECTED           0u
#define COSEM_DISC_CONNECTED              1u
#define COSEM_DISC_READY_FOR_RECONNECTION 2u

/* control_mode (attribute 4): 0..COSEM_DISC_MODE_MAX. */
#define COSEM_DISC_MODE_NONE 0u
#define COSEM_DISC_MODE_MAX  6u

/* What asked for a transition. */
enum cosem_disc_trigger {
    COSEM_DISC_REMOTE_DISCONNECT = 1, /* method 1 */
    COSEM_DISC_REMOTE_RECONNECT,      /* method 2 */
    COSEM_DISC_MANUAL_DISCONNECT,     /* push button */
    COSEM_DISC_MANUAL_RECONNECT,      /* push button */
    COSEM_DISC_LOCAL_DISCONNECT,      /* limiter, supervision, prepayment */
    COSEM_DISC_LOCAL_RECONNECT,       /* limiter, supervision, prepayment */
    COSEM_DISC_MODE_NONE_SET,         /* control_mode set to 0: forced connected */
};

typedef struct cosem_disconnect_state {
    bool output_state;     /* attribute 2 */
    uint8_t control_state; /* attribute 3, COSEM_DISC_* */
    uint8_t control_mode;  /* attribute 4, 0..6 */
} cosem_disconnect_state_t;

/* One transition, as the hook sees it. */
typedef struct cosem_disc_transition {
    char letter;     /* 'a'..'h' of the diagram; 0 for the mode-0 connection */
    uint8_t trigger; /* enum cosem_disc_trigger */
    uint8_t from;    /* control_state before */
    uint8_t to;      /* control_state after */
} cosem_disc_transition_t;

/* Runs after the state changed (state already updated). */
typedef void (*cosem_disc_hook_fn)(void *app, const cosem_object_t *obj,
                                   const cosem_disc_transition_t *t);

typedef struct cosem_disconnect_def {
    uint32_t state;                   /* COSEM_STATE(cosem_disconnect_state_t, app_t, member) */
    cosem_disc_hook_fn on_transition; /* optional */
} cosem_disconnect_def_t;

/* Factory state: connected, output closed, the given mode (0..6). */
void cosem_disconnect_init(cosem_disconnect_state_t *st, uint8_t control_mode);
/* 0 when a (restored) state is in range (control_state 0..2, mode 0..6,
 * connected in mode 0), else COSEM_ERR_DISC_STATE. output_state is not
 * checked: a meter with feedback may keep a position that differs. */
int cosem_disconnect_check_state(const cosem_disconnect_state_t *st);
/* The state of a Disconnect control object, NULL for other objects. */
cosem_disconnect_state_t *cosem_disconnect_state(const cosem_server_t *s,
                                                 const cosem_object_t *obj);

/* The pure diagram: the letter of the transition `trigger` takes in `mode`
 * from control_state `from` (and the new state in *to), or 0 when the mode
 * does not offer one from that state. */
char cosem_disconnect_transition(uint8_t mode, uint8_t from, uint8_t trigger, uint8_t *to);

/* Applies one trigger to the object: 1 when the transition happened (hook
 * run), 0 when the mode or state does not allow it (nothing changes),
 * COSEM_ERR_BADARG for a wrong object, COSEM_ERR_DISC_TRIGGER. */
int cosem_disconnect_trigger(cosem_server_t *s, const cosem_object_t *obj, uint8_t trigger);

/* The meter's inputs (cosem_disconnect_trigger with that trigger). */
int cosem_disconnect_manual_disconnect(cosem_server_t *s, const cosem_object_t *obj);
int cosem_disconnect_manual_reconnect(cosem_server_t *s, const cosem_object_t *obj);
int cosem_disconnect_local_disconnect(cosem_server_t *s, const cosem_object_t *obj);
int cosem_disconnect_local_reconnect(cosem_server_t *s, const cosem_object_t *obj);

/* Event code of a transition in the disconnector control log (IDIS / DSMR
 * numbering, dlms-facts §2.6; docs/breaker.md): 59 ready for manual
 * reconnection (d), 60 manual disconnection (f), 61 manual connection (e),
 * 62 remote disconnection (b, c), 63 remote connection (a, and the mode-0
 * connection), 64 local disconnection (g), 69 local reconnection (h). */
uint8_t cosem_disconnect_event_code(const cosem_disc_transition_t *t);

/* Short English reason for COSEM_ERR_DISC_* (other codes: cosem_strerror). */
const char *cosem_disconnect_strerror(int err);

#endif /* EMETER_COSEM_DISCONNECT_CONTROL_H */
