/*
 * test_cosem_disconnect.c - Disconnect control (class 70): every trigger
 * from every state in every control mode against the Blue Book mode table
 * (the pure diagram, the meter inputs and the DLMS methods with their
 * action results), control_mode writes (type, range, mode 0 connecting),
 * byte-exact GETs, the transition hook and the server notify, a Script
 * table reaching the object by a DLMS action and by a native script, state
 * checks and event codes. Own small object table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "cosem/disconnect_control.h"
#include "cosem_test_table.h"

#define LN(...)    ((const uint8_t[6]){__VA_ARGS__})
#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

#define LN_BREAKER LN(0, 0, 96, 3, 10, 255)
#define LN_QUIET   LN(0, 0, 96, 3, 10, 1) /* no hook */
#define LN_SCRIPTS LN(0, 0, 10, 0, 106, 255)

#define MAX_LOG 16

typedef struct app {
    cosem_disconnect_state_t breaker;
    cosem_disconnect_state_t quiet;
    cosem_script_table_state_t scripts;
    dlms_assoc_config_t assoc[2];
    cosem_server_t *srv;
    /* what the hooks saw */
    int transitions;
    cosem_disc_transition_t log[MAX_LOG];
    bool output_at_hook; /* output_state when the hook ran */
    int notifies;
    uint8_t notify_kind;
    int8_t notify_id;
    int native_rc;
} app_t;

typedef struct fixture {
    app_t app;
    em_port_t port;
    cosem_server_t srv;
} fixture_t;

static fixture_t F;

static void on_transition(void *app, const cosem_object_t *obj, const cosem_disc_transition_t *t) {
    app_t *a = app;
    if (a->transitions < MAX_LOG) {
        a->log[a->transitions] = *t;
    }
    a->transitions++;
    a->output_at_hook = cosem_disconnect_state(a->srv, obj)->output_state;
}

static void on_notify(void *app, const cosem_object_t *obj, uint8_t kind, int8_t id) {
    app_t *a = app;
    (void)obj;
    a->notifies++;
    a->notify_kind = kind;
    a->notify_id = id;
}

/* Script 1: local disconnect (native), script 2: local reconnect (native),
 * script 3: remote_disconnect of the breaker by a DLMS action (written in
 * the test). */
static int native_local(void *app, const cosem_object_t *table, uint16_t id) {
    app_t *a = app;
    (void)table;
    const cosem_object_t *b = cosem_find(a->srv, LN_BREAKER);
    a->native_rc = id == 1 ? cosem_disconnect_local_disconnect(a->srv, b)
                           : cosem_disconnect_local_reconnect(a->srv, b);
    return a->native_rc < 0 ? a->native_rc : 0;
}

static const cosem_access_t ALL = {.read = COSEM_ALL, .write = COSEM_ALL, .method = 0xFFFEu};
static const cosem_access_t RO = {.read = COSEM_ALL};
static const cosem_disconnect_def_t BREAKER_DEF = {
    COSEM_STATE(cosem_disconnect_state_t, app_t, breaker), on_transition};
static const cosem_disconnect_def_t QUIET_DEF = {
    COSEM_STATE(cosem_disconnect_state_t, app_t, quiet), NULL};
static const cosem_script_native_t NATIVES[] = {{1, native_local}, {2, native_local}};
static const cosem_script_table_def_t SCRIPTS_DEF = {
    COSEM_STATE(cosem_script_table_state_t, app_t, scripts), NATIVES, 2};

static const cosem_object_t OBJECTS[] = {
    {&cosem_class_disconnect_control, COSEM_OBIS(0, 0, 96, 3, 10, 255), &BREAKER_DEF, {&ALL, &RO}},
    {&cosem_class_disconnect_control, COSEM_OBIS(0, 0, 96, 3, 10, 1), &QUIET_DEF, {&ALL, &RO}},
    {&cosem_class_script_table, COSEM_OBIS(0, 0, 10, 0, 106, 255), &SCRIPTS_DEF, {&ALL, NULL}},
};

static int setup(void **state) {
    (void)state;
    memset(&F, 0, sizeof(F));
    app_t *a = &F.app;
    cosem_disconnect_init(&a->breaker, 1);
    cosem_disconnect_init(&a->quiet, 1);
    a->scripts.count = 3;
    a->scripts.scripts[0].id = 1;
    a->scripts.scripts[1].id = 2;
    a->scripts.scripts[2].id = 3;
    a->assoc[0] = (dlms_assoc_config_t){.client_sap = 1,
                                        .logical_name = {0, 0, 40, 0, 1, 255},
                                        .app_context = 1,
                                        .conformance = 0x00701Fu,
                                        .max_receive_pdu = 1024};
    a->assoc[1] = a->assoc[0];
    a->assoc[1].client_sap = 16;
    a->assoc[1].logical_name[4] = 2;
    a->srv = &F.srv;
    if (cosem_server_init(&F.srv, OBJECTS, COSEM_COUNT(OBJECTS), a, sizeof(*a), &F.port) != 0 ||
        cosem_server_add_association(&F.srv, &a->assoc[0]) != 0 ||
        cosem_server_add_association(&F.srv, &a->assoc[1]) != 0) {
        return -1;
    }
    F.srv.notify = on_notify;
    return 0;
}

static dlms_assoc_view_t view(uint8_t index) {
    dlms_assoc_view_t v;
    memset(&v, 0, sizeof(v));
    v.client_sap = index == 0 ? 1 : 16;
    v.server_sap = 1;
    v.assoc_index = index;
    v.status = DLMS_ASSOC_ASSOCIATED;
    v.app_context = 1;
    v.dlms_version = 6;
    v.conformance = 0x00701Fu;
    v.server_max_pdu = 1024;
    v.client_max_pdu = 1024;
    return v;
}

static int get(const uint8_t ln[6], int8_t attr, uint8_t *out, size_t cap, size_t *len) {
    dlms_assoc_view_t v = view(0);
    return cosem_call_get(&F.srv, &v, 70, ln, attr, NULL, out, cap, len);
}

static int set(const uint8_t ln[6], int8_t attr, const uint8_t *value, size_t n) {
    dlms_assoc_view_t v = view(0);
    return cosem_call_set(&F.srv, &v, 70, ln, attr, value, n);
}

static int action_as(uint8_t index, const uint8_t ln[6], int8_t method, const uint8_t *params,
                     size_t n) {
    dlms_assoc_view_t v = view(index);
    uint8_t ret[16];
    size_t ret_len = 0;
    bool has_ret = true;
    int rc = cosem_call_action(&F.srv, &v, 70, ln, method, params, n, ret, sizeof(ret), &ret_len,
                               &has_ret);
    assert_false(has_ret);
    return rc;
}

static int action(int8_t method, const uint8_t *params, size_t n) {
    return action_as(0, LN_BREAKER, method, params, n);
}

static void expect_get(const uint8_t ln[6], int8_t attr, const uint8_t *bytes, size_t n) {
    uint8_t out[32];
    size_t len = 0;
    assert_int_equal(get(ln, attr, out, sizeof(out), &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(out, bytes, n);
}

static const uint8_t INT0[] = {0x0F, 0x00};

/* ---- the Blue Book table, written as the table is printed ----------------------- */

/* Per mode: the letters of remote, manual and local disconnection, then of
 * remote, manual and local reconnection ("" for none). */
static const char *const MODE_TABLE[7][6] = {
    {"", "", "", "", "", ""},        /* 0 */
    {"bc", "f", "g", "d", "e", ""},  /* 1 */
    {"bc", "f", "g", "a", "e", ""},  /* 2 */
    {"bc", "", "g", "d", "e", ""},   /* 3 */
    {"bc", "", "g", "a", "e", ""},   /* 4 */
    {"bc", "f", "g", "d", "e", "h"}, /* 5 */
    {"bc", "", "g", "d", "e", "h"},  /* 6 */
};

/* The diagram: each letter's from and to state (D 0, C 1, R 2). */
static const struct {
    char letter;
    uint8_t from, to;
} DIAGRAM[] = {
    {'a', 0, 1}, {'b', 1, 0}, {'c', 2, 0}, {'d', 0, 2},
    {'e', 2, 1}, {'f', 1, 2}, {'g', 1, 2}, {'h', 2, 1},
};

/* Column of MODE_TABLE for a trigger. */
static int column(uint8_t trigger) {
    switch (trigger) {
    case COSEM_DISC_REMOTE_DISCONNECT:
        return 0;
    case COSEM_DISC_MANUAL_DISCONNECT:
        return 1;
    case COSEM_DISC_LOCAL_DISCONNECT:
        return 2;
    case COSEM_DISC_REMOTE_RECONNECT:
        return 3;
    case COSEM_DISC_MANUAL_RECONNECT:
        return 4;
    default:
        return 5;
    }
}

/* The expected letter (0: none) for trigger from state `from` in `mode`. */
static char expected(uint8_t mode, uint8_t from, uint8_t trigger, uint8_t *to) {
    const char *letters = MODE_TABLE[mode][column(trigger)];
    for (const char *p = letters; *p != 0; p++) {
        for (size_t i = 0; i < sizeof(DIAGRAM) / sizeof(DIAGRAM[0]); i++) {
            if (DIAGRAM[i].letter == *p && DIAGRAM[i].from == from) {
                *to = DIAGRAM[i].to;
                return *p;
            }
        }
    }
    return 0;
}

static void put_state(uint8_t mode, uint8_t from) {
    F.app.breaker.control_mode = mode;
    F.app.breaker.control_state = from;
    F.app.breaker.output_state = from == COSEM_DISC_CONNECTED;
    F.app.transitions = 0;
    F.app.notifies = 0;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_diagram_every_mode(void **state) {
    (void)state;
    int offered = 0;
    for (uint8_t mode = 0; mode <= 6; mode++) {
        for (uint8_t from = 0; from <= 2; from++) {
            for (uint8_t trig = COSEM_DISC_REMOTE_DISCONNECT; trig <= COSEM_DISC_LOCAL_RECONNECT;
                 trig++) {
                uint8_t exp_to = 0xEE, to = 0xEE;
                char exp = expected(mode, from, trig, &exp_to);
                char got = cosem_disconnect_transition(mode, from, trig, &to);
                assert_int_equal(got, exp);
                if (exp != 0) {
                    assert_int_equal(to, exp_to);
                    offered++;
                }
            }
        }
    }
    /* Transitions offered: mode 1: b c f g d e = 6, 2: 6, 3: 5, 4: 5, 5: 7,
     * 6: 6 (each letter leaves exactly one state). */
    assert_int_equal(offered, 6 + 6 + 5 + 5 + 7 + 6);
    /* Out of range. */
    assert_int_equal(cosem_disconnect_transition(7, 1, COSEM_DISC_REMOTE_DISCONNECT, NULL), 0);
    assert_int_equal(cosem_disconnect_transition(1, 3, COSEM_DISC_REMOTE_DISCONNECT, NULL), 0);
    assert_int_equal(cosem_disconnect_transition(1, 1, 0, NULL), 0);
}

/* The meter inputs and the methods on the object, for every combination. */
static void test_object_every_mode(void **state) {
    (void)state;
    for (uint8_t mode = 0; mode <= 6; mode++) {
        for (uint8_t from = 0; from <= 2; from++) {
            for (uint8_t trig = COSEM_DISC_REMOTE_DISCONNECT; trig <= COSEM_DISC_LOCAL_RECONNECT;
                 trig++) {
                uint8_t to = from;
                char exp = expected(mode, from, trig, &to);
                put_state(mode, from);
                bool remote =
                    trig == COSEM_DISC_REMOTE_DISCONNECT || trig == COSEM_DISC_REMOTE_RECONNECT;
                if (remote) {
                    int8_t method = trig == COSEM_DISC_REMOTE_DISCONNECT ? 1 : 2;
                    int dar;
                    if (mode == 0) {
                        dar = DLMS_ACTION_READ_WRITE_DENIED;
                    } else if (exp != 0) {
                        dar = 0;
                    } else if (trig == COSEM_DISC_REMOTE_DISCONNECT) {
                        dar = from == COSEM_DISC_DISCONNECTED ? 0 : -1; /* -1: impossible */
                    } else if (from == COSEM_DISC_CONNECTED) {
                        dar = 0; /* already connected */
                    } else if (from == COSEM_DISC_READY_FOR_RECONNECTION) {
                        /* where remote_reconnect leads: ready in 1,3,5,6 */
                        dar = (mode == 2 || mode == 4) ? DLMS_ACTION_TEMPORARY_FAILURE : 0;
                    } else {
                        dar = -1;
                    }
                    assert_int_not_equal(dar, -1);
                    assert_int_equal(action(method, INT0, sizeof(INT0)), dar);
                    assert_int_equal(F.app.notifies, dar == 0 ? 1 : 0);
                } else {
                    assert_int_equal(cosem_disconnect_trigger(&F.srv, &OBJECTS[0], trig),
                                     exp != 0 ? 1 : 0);
                    assert_int_equal(F.app.notifies, 0); /* not a DLMS service */
                }
                assert_int_equal(F.app.breaker.control_state, exp != 0 ? to : from);
                assert_int_equal(F.app.breaker.output_state,
                                 (exp != 0 ? to : from) == COSEM_DISC_CONNECTED);
                assert_int_equal(F.app.transitions, exp != 0 ? 1 : 0);
                if (exp != 0) {
                    assert_int_equal(F.app.log[0].letter, exp);
                    assert_int_equal(F.app.log[0].trigger, trig);
                    assert_int_equal(F.app.log[0].from, from);
                    assert_int_equal(F.app.log[0].to, to);
                    assert_int_equal(F.app.output_at_hook, to == COSEM_DISC_CONNECTED);
                }
            }
        }
    }
}

/* The story of a DSMR-like mode 2 meter, end to end through the methods. */
static void test_mode_2_story(void **state) {
    (void)state;
    put_state(2, COSEM_DISC_CONNECTED);
    assert_int_equal(action(1, INT0, sizeof(INT0)), 0); /* b */
    assert_int_equal(F.app.breaker.control_state, COSEM_DISC_DISCONNECTED);
    assert_int_equal(action(1, INT0, sizeof(INT0)), 0); /* repeated: success, no transition */
    assert_int_equal(F.app.transitions, 1);
    /* the button does nothing while disconnected */
    assert_int_equal(cosem_disconnect_manual_reconnect(&F.srv, &OBJECTS[0]), 0);
    assert_int_equal(action(2, INT0, sizeof(INT0)), 0); /* a: direct */
    assert_int_equal(F.app.breaker.control_state, COSEM_DISC_CONNECTED);
    assert_true(F.app.breaker.output_state);
    /* the limiter opens it: g; a remote reconnect cannot close it again */
    assert_int_equal(cosem_disconnect_local_disconnect(&F.srv, &OBJECTS[0]), 1);
    assert_int_equal(action(2, INT0, sizeof(INT0)), DLMS_ACTION_TEMPORARY_FAILURE);
    /* local reconnect is not in mode 2 */
    assert_int_equal(cosem_disconnect_local_reconnect(&F.srv, &OBJECTS[0]), 0);
    /* the consumer presses the button: e */
    assert_int_equal(cosem_disconnect_manual_reconnect(&F.srv, &OBJECTS[0]), 1);
    assert_int_equal(F.app.breaker.control_state, COSEM_DISC_CONNECTED);
    const char letters[] = {'b', 'a', 'g', 'e'};
    assert_int_equal(F.app.transitions, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(F.app.log[i].letter, letters[i]);
    }
}

/* Mode 1: remote reconnect only arms the button. */
static void test_mode_1_ready(void **state) {
    (void)state;
    put_state(1, COSEM_DISC_CONNECTED);
    assert_int_equal(action(1, NULL, 0), 0);     /* absent parameter accepted */
    assert_int_equal(action(2, BYTES(0x00)), 0); /* null-data accepted: d */
    assert_int_equal(F.app.breaker.control_state, COSEM_DISC_READY_FOR_RECONNECTION);
    assert_false(F.app.breaker.output_state);
    assert_int_equal(action(2, INT0, sizeof(INT0)), 0); /* repeated: stays ready */
    assert_int_equal(F.app.transitions, 2);
    assert_int_equal(cosem_disconnect_manual_reconnect(&F.srv, &OBJECTS[0]), 1);
    assert_true(F.app.breaker.output_state);
    /* manual disconnect f, then remote disconnect from ready: c */
    assert_int_equal(cosem_disconnect_manual_disconnect(&F.srv, &OBJECTS[0]), 1);
    assert_int_equal(action(1, INT0, sizeof(INT0)), 0);
    assert_int_equal(F.app.log[4].letter, 'c');
    assert_int_equal(F.app.breaker.control_state, COSEM_DISC_DISCONNECTED);
}

static void test_refused_methods(void **state) {
    (void)state;
    put_state(0, COSEM_DISC_CONNECTED);
    assert_int_equal(action(1, INT0, sizeof(INT0)), DLMS_ACTION_READ_WRITE_DENIED);
    assert_int_equal(action(2, INT0, sizeof(INT0)), DLMS_ACTION_READ_WRITE_DENIED);
    assert_int_equal(F.app.breaker.control_state, COSEM_DISC_CONNECTED);
    put_state(3, COSEM_DISC_CONNECTED);
    /* parameters other than integer / null */
    assert_int_equal(action(1, BYTES(0x11, 0x00)), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(action(1, BYTES(0x09, 0x00)), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(action(1, BYTES(0x02, 0x01, 0x0F, 0x00)), DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(action(1, BYTES(0x0F)), DLMS_ACTION_TYPE_UNMATCHED); /* truncated */
    assert_int_equal(F.app.breaker.control_state, COSEM_DISC_CONNECTED);
    assert_int_equal(F.app.transitions, 0);
    /* no method right (read-only association) */
    assert_int_equal(action_as(1, LN_BREAKER, 1, INT0, sizeof(INT0)),
                     DLMS_ACTION_READ_WRITE_DENIED);
    /* method 3 does not exist */
    assert_int_equal(action(3, INT0, sizeof(INT0)), DLMS_ACTION_OBJECT_UNDEFINED);
    assert_int_equal(F.app.breaker.control_state, COSEM_DISC_CONNECTED);
    /* manual disconnect is not in mode 3 */
    assert_int_equal(cosem_disconnect_manual_disconnect(&F.srv, &OBJECTS[0]), 0);
    /* bad arguments */
    assert_int_equal(cosem_disconnect_trigger(&F.srv, &OBJECTS[2], COSEM_DISC_LOCAL_DISCONNECT),
                     COSEM_ERR_BADARG);
    assert_int_equal(cosem_disconnect_trigger(&F.srv, &OBJECTS[0], 0), COSEM_ERR_DISC_TRIGGER);
    assert_int_equal(cosem_disconnect_trigger(&F.srv, &OBJECTS[0], COSEM_DISC_MODE_NONE_SET),
                     COSEM_ERR_DISC_TRIGGER);
    assert_int_equal(cosem_disconnect_local_disconnect(NULL, &OBJECTS[0]), COSEM_ERR_BADARG);
    assert_null(cosem_disconnect_state(&F.srv, &OBJECTS[2]));
}

static void test_control_mode_writes(void **state) {
    (void)state;
    put_state(4, COSEM_DISC_CONNECTED);
    assert_int_equal(set(LN_BREAKER, 4, BYTES(0x16, 0x06)), 0);
    assert_int_equal(F.app.breaker.control_mode, 6);
    assert_int_equal(F.app.notifies, 1);
    assert_int_equal(F.app.notify_kind, COSEM_NOTIFY_SET);
    assert_int_equal(F.app.notify_id, 4);
    assert_int_equal(set(LN_BREAKER, 4, BYTES(0x16, 0x07)), DLMS_DAR_OTHER_REASON);
    assert_int_equal(set(LN_BREAKER, 4, BYTES(0x16, 0xFF)), DLMS_DAR_OTHER_REASON);
    assert_int_equal(set(LN_BREAKER, 4, BYTES(0x11, 0x03)), DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(set(LN_BREAKER, 4, BYTES(0x0F, 0x03)), DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(set(LN_BREAKER, 4, BYTES(0x16)), DLMS_DAR_TYPE_UNMATCHED);
    assert_int_equal(F.app.breaker.control_mode, 6);
    /* output_state and control_state are read-only */
    assert_int_equal(set(LN_BREAKER, 2, BYTES(0x03, 0x00)), DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(set(LN_BREAKER, 3, BYTES(0x16, 0x00)), DLMS_DAR_READ_WRITE_DENIED);
    assert_int_equal(F.app.breaker.control_state, COSEM_DISC_CONNECTED);
    /* A mode change keeps the state ... */
    assert_int_equal(action(1, INT0, sizeof(INT0)), 0);
    assert_int_equal(set(LN_BREAKER, 4, BYTES(0x16, 0x02)), 0);
    assert_int_equal(F.app.breaker.control_state, COSEM_DISC_DISCONNECTED);
    /* ... except mode 0, which is "always connected". */
    F.app.transitions = 0;
    assert_int_equal(set(LN_BREAKER, 4, BYTES(0x16, 0x00)), 0);
    assert_int_equal(F.app.breaker.control_state, COSEM_DISC_CONNECTED);
    assert_true(F.app.breaker.output_state);
    assert_int_equal(F.app.transitions, 1);
    assert_int_equal(F.app.log[0].letter, 0);
    assert_int_equal(F.app.log[0].trigger, COSEM_DISC_MODE_NONE_SET);
    assert_int_equal(F.app.log[0].from, COSEM_DISC_DISCONNECTED);
    assert_int_equal(F.app.log[0].to, COSEM_DISC_CONNECTED);
    assert_int_equal(cosem_disconnect_event_code(&F.app.log[0]), 63);
    /* mode 0 while connected: nothing to report */
    assert_int_equal(set(LN_BREAKER, 4, BYTES(0x16, 0x00)), 0);
    assert_int_equal(F.app.transitions, 1);
    /* write right missing */
    dlms_assoc_view_t v = view(1);
    assert_int_equal(cosem_call_set(&F.srv, &v, 70, LN_BREAKER, 4, BYTES(0x16, 0x01)),
                     DLMS_DAR_READ_WRITE_DENIED);
}

static void test_get_encodings(void **state) {
    (void)state;
    expect_get(LN_BREAKER, 1, BYTES(0x09, 0x06, 0x00, 0x00, 0x60, 0x03, 0x0A, 0xFF));
    expect_get(LN_BREAKER, 2, BYTES(0x03, 0x01));
    expect_get(LN_BREAKER, 3, BYTES(0x16, 0x01));
    expect_get(LN_BREAKER, 4, BYTES(0x16, 0x01));
    put_state(5, COSEM_DISC_CONNECTED);
    assert_int_equal(cosem_disconnect_local_disconnect(&F.srv, &OBJECTS[0]), 1);
    expect_get(LN_BREAKER, 2, BYTES(0x03, 0x00));
    expect_get(LN_BREAKER, 3, BYTES(0x16, 0x02));
    expect_get(LN_BREAKER, 4, BYTES(0x16, 0x05));
    uint8_t out[8];
    size_t len;
    assert_int_equal(get(LN_BREAKER, 5, out, sizeof(out), &len), DLMS_DAR_OBJECT_UNDEFINED);
    /* The read-only association sees it too. */
    dlms_assoc_view_t v = view(1);
    assert_int_equal(cosem_call_get(&F.srv, &v, 70, LN_BREAKER, 3, NULL, out, sizeof(out), &len),
                     0);
    assert_memory_equal(out, "\x16\x02", 2);
    assert_int_equal(cosem_attr_access(&OBJECTS[0], 0, 4), COSEM_ACCESS_READ_WRITE);
    assert_int_equal(cosem_attr_access(&OBJECTS[0], 0, 3), COSEM_ACCESS_READ);
    assert_int_equal(cosem_method_access(&OBJECTS[0], 0, 2), COSEM_METHOD_ACCESS);
}

/* An object without a hook works the same. */
static void test_without_hook(void **state) {
    (void)state;
    assert_int_equal(action_as(0, LN_QUIET, 1, INT0, sizeof(INT0)), 0);
    assert_int_equal(F.app.quiet.control_state, COSEM_DISC_DISCONNECTED);
    assert_false(F.app.quiet.output_state);
    assert_int_equal(F.app.transitions, 0);
    assert_int_equal(F.app.breaker.control_state, COSEM_DISC_CONNECTED);
}

/* Script 3 executes remote_disconnect (class 70 method 1, integer 0). */
static const uint8_t SCRIPT_REMOTE[] = {
    0x01, 0x03,                                                 /* 3 scripts */
    0x02, 0x02, 0x12, 0x00, 0x01, 0x01, 0x00,                   /* 1: native only */
    0x02, 0x02, 0x12, 0x00, 0x02, 0x01, 0x00,                   /* 2: native only */
    0x02, 0x02, 0x12, 0x00, 0x03, 0x01, 0x01,                   /* 3: one action */
    0x02, 0x05, 0x16, 0x02, 0x12, 0x00, 0x46,                   /* execute, class 70 */
    0x09, 0x06, 0x00, 0x00, 0x60, 0x03, 0x0A, 0xFF, 0x0F, 0x01, /* LN, method 1 */
    0x0F, 0x00,                                                 /* integer 0 */
};

static void test_scripts_reach_the_breaker(void **state) {
    (void)state;
    put_state(6, COSEM_DISC_CONNECTED);
    /* native: local disconnect g, local reconnect h */
    assert_int_equal(cosem_script_execute(&F.srv, LN_SCRIPTS, 1), 0);
    assert_int_equal(F.app.native_rc, 1);
    assert_int_equal(F.app.breaker.control_state, COSEM_DISC_READY_FOR_RECONNECTION);
    assert_int_equal(F.app.log[0].letter, 'g');
    assert_int_equal(cosem_disconnect_event_code(&F.app.log[0]), 64);
    assert_int_equal(cosem_script_execute(&F.srv, LN_SCRIPTS, 2), 0);
    assert_int_equal(F.app.log[1].letter, 'h');
    assert_int_equal(cosem_disconnect_event_code(&F.app.log[1]), 69);
    assert_true(F.app.breaker.output_state);
    /* A DLMS action in a script: remote_disconnect b, with the notify. */
    dlms_assoc_view_t v = view(0);
    assert_int_equal(
        cosem_call_set(&F.srv, &v, 9, LN_SCRIPTS, 2, SCRIPT_REMOTE, sizeof(SCRIPT_REMOTE)), 0);
    F.app.notifies = 0;
    assert_int_equal(cosem_script_execute(&F.srv, LN_SCRIPTS, 3), 0);
    assert_int_equal(F.app.breaker.control_state, COSEM_DISC_DISCONNECTED);
    assert_int_equal(F.app.log[2].letter, 'b');
    assert_int_equal(F.app.log[2].trigger, COSEM_DISC_REMOTE_DISCONNECT);
    assert_int_equal(F.app.notifies, 1);
    assert_int_equal(F.app.notify_kind, COSEM_NOTIFY_ACTION);
    assert_int_equal(F.app.notify_id, 1);
    /* In mode 0 the action fails, so the script reports it. */
    put_state(0, COSEM_DISC_CONNECTED);
    assert_int_equal(cosem_script_execute(&F.srv, LN_SCRIPTS, 3), COSEM_ERR_SCRIPT_ACTION);
    assert_int_equal(F.app.breaker.control_state, COSEM_DISC_CONNECTED);
    assert_int_equal(cosem_script_execute(&F.srv, LN_SCRIPTS, 1), 0);
    assert_int_equal(F.app.native_rc, 0); /* local disconnect not allowed in mode 0 */
}

static void test_state_checks_and_codes(void **state) {
    (void)state;
    cosem_disconnect_state_t st;
    cosem_disconnect_init(&st, 5);
    assert_int_equal(st.control_state, COSEM_DISC_CONNECTED);
    assert_true(st.output_state);
    assert_int_equal(st.control_mode, 5);
    assert_int_equal(cosem_disconnect_check_state(&st), 0);
    cosem_disconnect_init(&st, 9);
    assert_int_equal(st.control_mode, 0);
    st.control_mode = 7;
    assert_int_equal(cosem_disconnect_check_state(&st), COSEM_ERR_DISC_STATE);
    st.control_mode = 1;
    st.control_state = 3;
    assert_int_equal(cosem_disconnect_check_state(&st), COSEM_ERR_DISC_STATE);
    st.control_state = COSEM_DISC_DISCONNECTED;
    st.output_state = false;
    assert_int_equal(cosem_disconnect_check_state(&st), 0);
    st.control_mode = 0; /* mode 0 but disconnected */
    assert_int_equal(cosem_disconnect_check_state(&st), COSEM_ERR_DISC_STATE);
    assert_int_equal(cosem_disconnect_check_state(NULL), COSEM_ERR_BADARG);
    /* Event codes, letter by letter (IDIS / DSMR disconnector control log). */
    const struct {
        char letter;
        uint8_t code;
    } codes[] = {{'a', 63}, {'b', 62}, {'c', 62}, {'d', 59},
                 {'e', 61}, {'f', 60}, {'g', 64}, {'h', 69}};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        cosem_disc_transition_t t = {codes[i].letter, 0, 0, 0};
        assert_int_equal(cosem_disconnect_event_code(&t), codes[i].code);
    }
    cosem_disc_transition_t none = {0, COSEM_DISC_LOCAL_DISCONNECT, 1, 2};
    assert_int_equal(cosem_disconnect_event_code(&none), 0);
    assert_int_equal(cosem_disconnect_event_code(NULL), 0);
    assert_string_equal(cosem_disconnect_strerror(COSEM_ERR_DISC_STATE),
                        "disconnect control state out of range");
    assert_string_equal(cosem_disconnect_strerror(COSEM_ERR_BADARG),
                        cosem_strerror(COSEM_ERR_BADARG));
}

/* A table whose state binding lies outside the app is refused at init. */
static void test_table_check(void **state) {
    (void)state;
    static const cosem_disconnect_def_t bad = {sizeof(app_t) - 1, NULL};
    static const cosem_object_t objs[] = {
        {&cosem_class_disconnect_control, COSEM_OBIS(0, 0, 96, 3, 10, 255), &bad, {&ALL}},
    };
    cosem_server_t s;
    app_t a;
    memset(&a, 0, sizeof(a));
    assert_int_equal(cosem_server_init(&s, objs, 1, &a, sizeof(a), &F.port), COSEM_ERR_BINDING);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diagram_every_mode),
        cmocka_unit_test_setup(test_object_every_mode, setup),
        cmocka_unit_test_setup(test_mode_2_story, setup),
        cmocka_unit_test_setup(test_mode_1_ready, setup),
        cmocka_unit_test_setup(test_refused_methods, setup),
        cmocka_unit_test_setup(test_control_mode_writes, setup),
        cmocka_unit_test_setup(test_get_encodings, setup),
        cmocka_unit_test_setup(test_without_hook, setup),
        cmocka_unit_test_setup(test_scripts_reach_the_breaker, setup),
        cmocka_unit_test(test_state_checks_and_codes),
        cmocka_unit_test_setup(test_table_check, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
