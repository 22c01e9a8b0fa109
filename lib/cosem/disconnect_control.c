/*
 * disconnect_control.c - interface class Disconnect control (class_id 70,
 * version 0; Blue Book "Disconnect control", clause 4.5.8 of the time- and
 * event-bound control classes in edition 12 / IEC 62056-6-2:2017):
 * the state diagram (transitions a..h), the control modes 0..6, the
 * methods remote_disconnect / remote_reconnect and the meter's manual and
 * local inputs. The diagram, the mode table and the answers are in
 * disconnect_control.h.
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "cosem/disconnect_control.h"

/* One transition of the diagram. */
typedef struct edge {
    char letter;
    uint8_t trigger;
    uint8_t from;
    uint8_t to;
} edge_t;

static const edge_t EDGES[] = {
    {'a', COSEM_DISC_REMOTE_RECONNECT, COSEM_DISC_DISCONNECTED, COSEM_DISC_CONNECTED},
    {'b', COSEM_DISC_REMOTE_DISCONNECT, COSEM_DISC_CONNECTED, COSEM_DISC_DISCONNECTED},
    {'c', COSEM_DISC_REMOTE_DISCONNECT, COSEM_DISC_READY_FOR_RECONNECTION, COSEM_DISC_DISCONNECTED},
    {'d', COSEM_DISC_REMOTE_RECONNECT, COSEM_DISC_DISCONNECTED, COSEM_DISC_READY_FOR_RECONNECTION},
    {'e', COSEM_DISC_MANUAL_RECONNECT, COSEM_DISC_READY_FOR_RECONNECTION, COSEM_DISC_CONNECTED},
    {'f', COSEM_DISC_MANUAL_DISCONNECT, COSEM_DISC_CONNECTED, COSEM_DISC_READY_FOR_RECONNECTION},
    {'g', COSEM_DISC_LOCAL_DISCONNECT, COSEM_DISC_CONNECTED, COSEM_DISC_READY_FOR_RECONNECTION},
    {'h', COSEM_DISC_LOCAL_RECONNECT, COSEM_DISC_READY_FOR_RECONNECTION, COSEM_DISC_CONNECTED},
};

/* The transitions each control mode offers (Blue Book mode table), as the
 * letters' bits (bit 0 = a). */
#define L(c) (1u << ((c) - 'a'))
static const uint8_t MODE_EDGES[COSEM_DISC_MODE_MAX + 1] = {
    0,                                                            /* 0: always connected */
    L('b') | L('c') | L('f') | L('g') | L('d') | L('e'),          /* 1 */
    L('b') | L('c') | L('f') | L('g') | L('a') | L('e'),          /* 2 */
    L('b') | L('c') | L('g') | L('d') | L('e'),                   /* 3 */
    L('b') | L('c') | L('g') | L('a') | L('e'),                   /* 4 */
    L('b') | L('c') | L('f') | L('g') | L('d') | L('e') | L('h'), /* 5 */
    L('b') | L('c') | L('g') | L('d') | L('e') | L('h'),          /* 6 */
};
#undef L

static const cosem_disconnect_def_t *def_of(const cosem_object_t *obj) {
    return obj->def;
}

cosem_disconnect_state_t *cosem_disconnect_state(const cosem_server_t *s,
                                                 const cosem_object_t *obj) {
    /* By class_id, so a table may wrap the class (e.g. a present() hook). */
    if (s == NULL || obj == NULL || obj->cls->class_id != COSEM_CLASS_DISCONNECT_CONTROL) {
        return NULL;
    }
    return cosem_app_ptr(s, def_of(obj)->state);
}

void cosem_disconnect_init(cosem_disconnect_state_t *st, uint8_t control_mode) {
    memset(st, 0, sizeof(*st));
    st->control_state = COSEM_DISC_CONNECTED;
    st->output_state = true;
    st->control_mode = control_mode <= COSEM_DISC_MODE_MAX ? control_mode : COSEM_DISC_MODE_NONE;
}

int cosem_disconnect_check_state(const cosem_disconnect_state_t *st) {
    if (st == NULL) {
        return COSEM_ERR_BADARG;
    }
    if (st->control_state > COSEM_DISC_READY_FOR_RECONNECTION ||
        st->control_mode > COSEM_DISC_MODE_MAX ||
        (st->control_mode == COSEM_DISC_MODE_NONE && st->control_state != COSEM_DISC_CONNECTED)) {
        return COSEM_ERR_DISC_STATE;
    }
    return 0;
}

char cosem_disconnect_transition(uint8_t mode, uint8_t from, uint8_t trigger, uint8_t *to) {
    if (mode > COSEM_DISC_MODE_MAX) {
        return 0;
    }
    for (size_t i = 0; i < sizeof(EDGES) / sizeof(EDGES[0]); i++) {
        const edge_t *e = &EDGES[i];
        if (e->trigger == trigger && e->from == from &&
            (MODE_EDGES[mode] & (1u << (e->letter - 'a')))) {
            if (to != NULL) {
                *to = e->to;
            }
            return e->letter;
        }
    }
    return 0;
}

/* ---- transitions ---------------------------------------------------------------- */

static void move(cosem_server_t *s, const cosem_object_t *obj, cosem_disconnect_state_t *st,
                 char letter, uint8_t trigger, uint8_t to) {
    cosem_disc_transition_t t = {letter, trigger, st->control_state, to};
    st->control_state = to;
    st->output_state = to == COSEM_DISC_CONNECTED;
    if (def_of(obj)->on_transition != NULL) {
        def_of(obj)->on_transition(s->app, obj, &t);
    }
}

static bool trigger_known(uint8_t trigger) {
    return trigger >= COSEM_DISC_REMOTE_DISCONNECT && trigger <= COSEM_DISC_LOCAL_RECONNECT;
}

int cosem_disconnect_trigger(cosem_server_t *s, const cosem_object_t *obj, uint8_t trigger) {
    cosem_disconnect_state_t *st = cosem_disconnect_state(s, obj);
    if (st == NULL) {
        return COSEM_ERR_BADARG;
    }
    if (!trigger_known(trigger)) {
        return COSEM_ERR_DISC_TRIGGER;
    }
    uint8_t to;
    char letter = cosem_disconnect_transition(st->control_mode, st->control_state, trigger, &to);
    if (letter == 0) {
        return 0;
    }
    move(s, obj, st, letter, trigger, to);
    return 1;
}

int cosem_disconnect_manual_disconnect(cosem_server_t *s, const cosem_object_t *obj) {
    return cosem_disconnect_trigger(s, obj, COSEM_DISC_MANUAL_DISCONNECT);
}

int cosem_disconnect_manual_reconnect(cosem_server_t *s, const cosem_object_t *obj) {
    return cosem_disconnect_trigger(s, obj, COSEM_DISC_MANUAL_RECONNECT);
}

int cosem_disconnect_local_disconnect(cosem_server_t *s, const cosem_object_t *obj) {
    return cosem_disconnect_trigger(s, obj, COSEM_DISC_LOCAL_DISCONNECT);
}

int cosem_disconnect_local_reconnect(cosem_server_t *s, const cosem_object_t *obj) {
    return cosem_disconnect_trigger(s, obj, COSEM_DISC_LOCAL_RECONNECT);
}

uint8_t cosem_disconnect_event_code(const cosem_disc_transition_t *t) {
    switch (t == NULL ? 0 : t->letter) {
    case 'a':
        return 63; /* remote connection */
    case 'b':
    case 'c':
        return 62; /* remote disconnection */
    case 'd':
        return 59; /* ready for manual reconnection */
    case 'e':
        return 61; /* manual connection */
    case 'f':
        return 60; /* manual disconnection */
    case 'g':
        return 64; /* local disconnection */
    case 'h':
        return 69; /* local reconnection */
    default:
        return t != NULL && t->trigger == COSEM_DISC_MODE_NONE_SET ? 63 : 0;
    }
}

/* ---- methods ------------------------------------------------------------------------ */

/* The state a remote method asks for in this mode: disconnected, or (for
 * remote_reconnect) the target of the mode's a or d. */
static uint8_t remote_target(uint8_t mode, uint8_t trigger) {
    if (trigger == COSEM_DISC_REMOTE_DISCONNECT) {
        return COSEM_DISC_DISCONNECTED;
    }
    uint8_t to = COSEM_DISC_CONNECTED;
    (void)cosem_disconnect_transition(mode, COSEM_DISC_DISCONNECTED, trigger, &to);
    return to;
}

static int disconnect_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret,
                             bool *has_ret) {
    (void)ret;
    *has_ret = false;
    if (!cosem_param_is_dummy(params)) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    cosem_disconnect_state_t *st = cosem_disconnect_state(r->srv, r->obj);
    uint8_t trigger = r->id == 1 ? COSEM_DISC_REMOTE_DISCONNECT : COSEM_DISC_REMOTE_RECONNECT;
    if (st->control_mode == COSEM_DISC_MODE_NONE || st->control_mode > COSEM_DISC_MODE_MAX) {
        return DLMS_ACTION_READ_WRITE_DENIED;
    }
    int rc = cosem_disconnect_trigger(r->srv, r->obj, trigger);
    if (rc != 0) {
        return rc < 0 ? rc : 0;
    }
    /* No transition: success when the state is already the one asked for
     * (a repeated command), else the diagram refuses it from here. */
    if (st->control_state == remote_target(st->control_mode, trigger) ||
        (trigger == COSEM_DISC_REMOTE_RECONNECT && st->control_state == COSEM_DISC_CONNECTED)) {
        return 0;
    }
    return DLMS_ACTION_TEMPORARY_FAILURE;
}

/* ---- attributes --------------------------------------------------------------------- */

static int disconnect_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_disconnect_state_t *st = cosem_disconnect_state(r->srv, r->obj);
    switch (r->id) {
    case 2:
        return axdr_put_boolean(e, st->output_state);
    case 3:
        return axdr_put_enum(e, st->control_state);
    default:
        return axdr_put_enum(e, st->control_mode);
    }
}

static int disconnect_set(const cosem_req_t *r, axdr_dec_t *value) {
    cosem_disconnect_state_t *st = cosem_disconnect_state(r->srv, r->obj);
    uint8_t mode;
    if (axdr_get_enum(value, &mode) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (mode > COSEM_DISC_MODE_MAX) {
        return DLMS_DAR_OTHER_REASON;
    }
    st->control_mode = mode;
    if (mode == COSEM_DISC_MODE_NONE && st->control_state != COSEM_DISC_CONNECTED) {
        /* Mode 0: "always in connected state". */
        move(r->srv, r->obj, st, 0, COSEM_DISC_MODE_NONE_SET, COSEM_DISC_CONNECTED);
    }
    return 0;
}

static int disconnect_check(const cosem_server_t *s, const cosem_object_t *obj) {
    return cosem_sched_check_state(s, def_of(obj)->state, sizeof(cosem_disconnect_state_t));
}

const cosem_class_t cosem_class_disconnect_control = {
    .class_id = COSEM_CLASS_DISCONNECT_CONTROL,
    .version = 0,
    .attr_count = 4,
    .method_count = 2,
    .write_mask = COSEM_BIT(4),
    .method_mask = COSEM_BIT(1) | COSEM_BIT(2),
    .get = disconnect_get,
    .set = disconnect_set,
    .action = disconnect_action,
    .check = disconnect_check,
};

const char *cosem_disconnect_strerror(int err) {
    switch (err) {
    case COSEM_ERR_DISC_STATE:
        return "disconnect control state out of range";
    case COSEM_ERR_DISC_TRIGGER:
        return "unknown disconnect control trigger";
    default:
        return cosem_strerror(err);
    }
}
