/*
 * cosem.h - the COSEM object layer: a const object table, the access rights
 * of each association, the binding of attributes to application state, and
 * the dispatcher that serves the xDLMS GET/SET/ACTION indications of the
 * DLMS server (IEC 62056-6-2 / DLMS UA Blue Book "COSEM interface classes";
 * the service side is lib/dlms/cosem_services.h).
 *
 * ---- The model -----------------------------------------------------------
 *
 * A meter variant is DATA: one `static const cosem_object_t[]` table. Each
 * entry names
 *   - the interface class (a const cosem_class_t: class_id, version, how many
 *     attributes and methods, and the code that serves them),
 *   - the logical name (OBIS code),
 *   - a const class-specific definition (`def`, e.g. cosem_register_def_t:
 *     scaler/unit and where the value lives),
 *   - the access rights per association (NULL: the association does not see
 *     the object at all).
 * Nothing in the table is mutable and nothing in it points at a meter: the
 * mutable state lives in the application's context struct ("app"), and the
 * table refers to it by OFFSET (offsetof into the app struct). A
 * cosem_server_t supplies the base pointer, so a thousand virtual meters in
 * one process share one table, and a microcontroller keeps the table in
 * flash.
 *
 * Attribute values are described by a small const "value binding"
 * (cosem_value_t), built with the macros below:
 *   COSEM_FIELD(wire, T, m)    field m of app struct T (integer, bool, float,
 *                              fixed byte array); wire is the A-XDR type on
 *                              the wire (AXDR_LONG64_UNSIGNED, ...). The C
 *                              type of m is found with _Generic, so a wrong
 *                              member type is a compile error, not a bug.
 *   COSEM_FIELD_STR(wire, T, m, len)  byte array m with its used length in
 *                              the uint8_t member len (variable strings).
 *   COSEM_FIELD_UTC(T, m)      int64_t UTC seconds shown as a date-time
 *                              octet-string(12) in the meter's local time
 *                              (the clock object's time zone and DST);
 *                              0 means "not set" (all fields not specified).
 *   COSEM_FIELD_DT(T, m)       a cosem_datetime_t kept as it is (patterns).
 *   COSEM_CALL(read, write, arg)  callbacks into the application:
 *                              int read(void *app, uint16_t arg, axdr_enc_t *e)
 *                              int write(void *app, uint16_t arg, axdr_dec_t *d)
 *                              (write NULL: read-only). They return 0, a
 *                              Data-Access-Result 1..255 or a negative error.
 *   COSEM_CONST(bytes...)      a constant: its complete A-XDR encoding
 *                              (a compound literal: use it at file scope,
 *                              where tables live, so it is static).
 *   COSEM_CONST_STR(wire, "s") a constant octet/visible string.
 *   COSEM_NULL                 null-data.
 *
 * Class state that is more than one value (clock settings, demand register
 * accumulators) is a struct from cosem_classes.h embedded in the app struct
 * and referenced with COSEM_STATE(S, T, m), which also checks at compile
 * time that member m of T is an S.
 *
 * ---- Example -------------------------------------------------------------
 *
 *   typedef struct meter_app {
 *       uint64_t a_plus_wh;                 // energy counters (Wh)
 *       int32_t p_w;                        // instantaneous power
 *       uint8_t serial[16]; uint8_t serial_len;
 *       cosem_clock_state_t clock;
 *       dlms_assoc_config_t assoc_public, assoc_mgmt;
 *       dlms_security_context_t sec_mgmt;   // owned here, shared with the server
 *   } meter_app_t;
 *
 *   enum { PUB = 0, MGMT = 1 };             // association indexes (config order)
 *   static const cosem_access_t ro = COSEM_ACCESS_RO;
 *   static const cosem_access_t rw2 = { .read = COSEM_ALL, .write = COSEM_BIT(2) };
 *
 *   static const cosem_register_def_t a_plus = {
 *       .value = COSEM_FIELD(AXDR_LONG64_UNSIGNED, meter_app_t, a_plus_wh),
 *       .scaler = 0, .unit = COSEM_UNIT_WH };
 *   static const cosem_data_def_t ldn = {
 *       .value = COSEM_FIELD_STR(AXDR_OCTET_STRING, meter_app_t, serial, serial_len) };
 *   static const cosem_data_def_t ic = {
 *       .value = COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, meter_app_t, sec_mgmt.tx_ic) };
 *   static const cosem_clock_def_t clk = {
 *       .state = COSEM_STATE(cosem_clock_state_t, meter_app_t, clock),
 *       .measuring_period = 900 };
 *
 *   static const cosem_object_t objects[] = {
 *       { &cosem_class_clock, COSEM_OBIS(0,0,1,0,0,255), &clk, {[PUB] = &ro, [MGMT] = &rw2} },
 *       { &cosem_class_data, COSEM_OBIS(0,0,42,0,0,255), &ldn, {[PUB] = &ro, [MGMT] = &ro} },
 *       { &cosem_class_data, COSEM_OBIS(0,0,43,1,1,255), &ic, {[PUB] = &ro, [MGMT] = &ro} },
 *       { &cosem_class_register, COSEM_OBIS(1,0,1,8,0,255), &a_plus, {[MGMT] = &ro} },
 *   };
 *
 *   cosem_server_init(&srv, objects, COSEM_COUNT(objects), app, sizeof(*app), port);
 *   cosem_server_add_association(&srv, &app->assoc_public);   // index 0 = PUB
 *   cosem_server_add_association(&srv, &app->assoc_mgmt);     // index 1 = MGMT
 *   cosem_server_add_security(&srv, &app->sec_mgmt);          // sec_index 0
 *   srv.notify = on_change;                                   // optional hook
 *   cosem_server_services(&srv, &services);                   // hand to lib/dlms/server
 *
 * cosem_server_init() checks the table against the app struct: unique
 * logical names, every binding inside sizeof(app), wire types that suit the
 * stored C types, class definitions complete. A broken table is refused at
 * start, not found by a client.
 *
 * ---- Dispatch answers (documented choices) --------------------------------
 *
 *   logical name not in the table                 object-undefined (4)
 *   object not visible to the calling association object-undefined (4): the
 *       (access pointer NULL)                     association's object_list
 *                                                 does not show it, so to
 *                                                 that client it does not
 *                                                 exist (what real meters do)
 *   known name, other class_id                    object-class-inconsistent (9)
 *   attribute/method id 0, negative or beyond the object-undefined (4): the
 *       class                                     addressed attribute does
 *                                                 not exist (Gurux servers
 *                                                 answer read-write-denied
 *                                                 here, from an empty access
 *                                                 lookup; the precise code is
 *                                                 kept); attribute 0 ("all
 *                                                 attributes") is not offered
 *                                                 in the conformance block
 *   visible, but no read (write, method) right    read-write-denied (3)
 *   authenticated mode (4-6, method 2) but the    read-write-denied (3)
 *       request did not arrive ciphered
 *   selective access on an attribute or with a    scope-of-access-violated (13)
 *       selector the class does not offer
 *   SET value of the wrong type / structure       type-unmatched (12)
 *   SET value of the right type but out of range  other-reason (250)
 *   value binding that cannot be written          read-write-denied (3)
 * ACTION answers use the Action-Result codes of the same numbers.
 *
 * An association that is not (yet) associated (dlms_assoc_view_t.status:
 * HLS pending) gets read-write-denied for everything: during HLS only
 * reply_to_HLS_authentication is allowed, and the server serves that one.
 *
 * "Authenticated" (access modes 4-6, method mode 2) is taken from
 * dlms_assoc_view_t.ciphered: the request arrived in a protected APDU. The
 * view does not say whether that protection included authentication (an
 * SC of 0x20 is encryption only); the server's security policy check
 * (dlms_sec_rx_t.sc_required) is what guarantees it.
 *
 * After a successful SET or ACTION the optional notify hook runs with the
 * object and COSEM_NOTIFY_SET/ACTION and the attribute/method id, so the
 * application logs "configuration changed", persists keys, raises clock
 * events (the clock keeps the time before and after its last adjustment
 * in its state for event 4/5 records), etc.
 */
#ifndef EMETER_COSEM_H
#define EMETER_COSEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlms/apdu.h"
#include "dlms/association.h"
#include "dlms/axdr.h"
#include "dlms/cosem_services.h"
#include "emeter_config.h"
#include "port.h"

/* ---- errors (-0x0900..-0x09FF) ------------------------------------------- */

#define COSEM_ERR_BADARG    (-0x0901) /* NULL pointer or impossible argument */
#define COSEM_ERR_TABLE     (-0x0902) /* object table entry invalid (class, def, LN) */
#define COSEM_ERR_DUPLICATE (-0x0903) /* two table entries with the same logical name */
#define COSEM_ERR_BINDING   (-0x0904) /* value binding outside the app struct or wrong types */
#define COSEM_ERR_FULL      (-0x0905) /* more associations / security contexts than configured */
#define COSEM_ERR_NO_RTC    (-0x0906) /* the port has no real-time clock */
#define COSEM_ERR_RTC       (-0x0907) /* the port refused to set the clock */
#define COSEM_ERR_CALLBACK  (-0x0908) /* an application callback returned a bad value */
#define COSEM_ERR_STATE     (-0x0909) /* class state inconsistent (e.g. demand period 0) */
#define COSEM_ERR_TIME      (-0x090A) /* instant outside what a date-time can show */

/* Short English reason for a COSEM_ERR_* code. */
const char *cosem_strerror(int err);

/* ---- sizes and helpers --------------------------------------------------- */

#define COSEM_LN_LEN         6
#define COSEM_MAX_ATTRIBUTES 31 /* attribute ids 1..31 (masks are uint32_t) */
#define COSEM_MAX_METHODS    15 /* method ids 1..15 (masks are uint16_t) */

#define COSEM_OBIS(a, b, c, d, e, f)                                                               \
    { (a), (b), (c), (d), (e), (f) }
#define COSEM_COUNT(array) (sizeof(array) / sizeof((array)[0]))
#define COSEM_BIT(n)       (1u << (n))
/* Every attribute (or method) id the class has; masked by its counts. */
#define COSEM_ALL 0xFFFFFFFEu

/* Units (Blue Book enum, dlms-facts §1.3) used by the tables. */
#define COSEM_UNIT_DAY     4u
#define COSEM_UNIT_HOUR    5u
#define COSEM_UNIT_MINUTE  6u
#define COSEM_UNIT_SECOND  7u
#define COSEM_UNIT_CELSIUS 9u
#define COSEM_UNIT_W       27u
#define COSEM_UNIT_VA      28u
#define COSEM_UNIT_VAR     29u
#define COSEM_UNIT_WH      30u
#define COSEM_UNIT_VAH     31u
#define COSEM_UNIT_VARH    32u
#define COSEM_UNIT_A       33u
#define COSEM_UNIT_V       35u
#define COSEM_UNIT_HZ      44u
#define COSEM_UNIT_PERCENT 56u
#define COSEM_UNIT_NONE    255u

/* Attribute access_mode and method access_mode (dlms-facts §1.2), as the
 * object_list shows them. */
#define COSEM_ACCESS_NONE            0u
#define COSEM_ACCESS_READ            1u
#define COSEM_ACCESS_WRITE           2u
#define COSEM_ACCESS_READ_WRITE      3u
#define COSEM_ACCESS_AUTH_READ       4u
#define COSEM_ACCESS_AUTH_WRITE      5u
#define COSEM_ACCESS_AUTH_READ_WRITE 6u
#define COSEM_METHOD_NONE            0u
#define COSEM_METHOD_ACCESS          1u
#define COSEM_METHOD_AUTH_ACCESS     2u

/* Notification kinds for cosem_server_t.notify. */
#define COSEM_NOTIFY_SET    1u
#define COSEM_NOTIFY_ACTION 2u

/* ---- access rights ----------------------------------------------------- */

/* What one association may do with one object. Bit n stands for attribute
 * (method) n. An attribute's access_mode is read|write (1..3), plus 3 when
 * its bit is in `auth` (4..6: only over a ciphered request). A method's mode
 * is 1, or 2 when its bit is in method_auth. Attribute 1 (logical_name) is
 * never writable. Rights beyond what the class implements are not granted
 * (and the object_list does not show them). Tables share a few of these. */
typedef struct cosem_access {
    uint32_t read;
    uint32_t write;
    uint32_t auth;
    uint16_t method;
    uint16_t method_auth;
} cosem_access_t;

#define COSEM_ACCESS_RO                                                                            \
    { .read = COSEM_ALL }
#define COSEM_ACCESS_RW                                                                            \
    { .read = COSEM_ALL, .write = COSEM_ALL, .method = 0xFFFEu }

/* ---- value bindings -------------------------------------------------------- */

enum cosem_value_kind {
    COSEM_VAL_NULL = 0,  /* null-data, read-only */
    COSEM_VAL_CONST,     /* data: complete A-XDR encoding, size bytes */
    COSEM_VAL_CONST_STR, /* data: string bytes, size bytes, tag `wire` */
    COSEM_VAL_FIELD,     /* app field at offset, C type ctype, A-XDR type wire */
    COSEM_VAL_CALL,      /* read/write callbacks with arg */
};

/* C type of a bound app field. */
enum cosem_ctype {
    COSEM_CT_NONE = 0,
    COSEM_CT_U8,
    COSEM_CT_U16,
    COSEM_CT_U32,
    COSEM_CT_U64,
    COSEM_CT_I8,
    COSEM_CT_I16,
    COSEM_CT_I32,
    COSEM_CT_I64,
    COSEM_CT_BOOL,
    COSEM_CT_F32,
    COSEM_CT_F64,
    COSEM_CT_BYTES, /* uint8_t/char array: strings */
    COSEM_CT_UTC,   /* int64_t UTC seconds, date-time in local time on the wire */
    COSEM_CT_DT,    /* cosem_datetime_t */
};

/* The offset value that means "no length member": fixed-length string. */
#define COSEM_NO_OFFSET UINT32_MAX

typedef int (*cosem_read_fn)(void *app, uint16_t arg, axdr_enc_t *e);
typedef int (*cosem_write_fn)(void *app, uint16_t arg, axdr_dec_t *d);

typedef struct cosem_value {
    uint8_t kind;         /* enum cosem_value_kind */
    uint8_t wire;         /* A-XDR tag on the wire (FIELD, CONST_STR) */
    uint8_t ctype;        /* enum cosem_ctype (FIELD) */
    uint16_t arg;         /* CALL: handed to read/write */
    uint32_t size;        /* FIELD: bytes of the member; CONST*: bytes of data */
    uint32_t offset;      /* FIELD: offsetof the member in the app struct */
    uint32_t len_offset;  /* FIELD strings: offsetof a uint8_t length, or COSEM_NO_OFFSET */
    const void *data;     /* CONST* */
    cosem_read_fn read;   /* CALL */
    cosem_write_fn write; /* CALL, NULL: read-only */
} cosem_value_t;

/* C type code of an app struct member (compile error for other types). */
#define COSEM_CTYPE_OF(T, m)                                                                       \
    _Generic(((T *)0)->m,                                                                          \
        uint8_t: COSEM_CT_U8,                                                                      \
        uint16_t: COSEM_CT_U16,                                                                    \
        uint32_t: COSEM_CT_U32,                                                                    \
        uint64_t: COSEM_CT_U64,                                                                    \
        int8_t: COSEM_CT_I8,                                                                       \
        int16_t: COSEM_CT_I16,                                                                     \
        int32_t: COSEM_CT_I32,                                                                     \
        int64_t: COSEM_CT_I64,                                                                     \
        bool: COSEM_CT_BOOL,                                                                       \
        float: COSEM_CT_F32,                                                                       \
        double: COSEM_CT_F64,                                                                      \
        uint8_t *: COSEM_CT_BYTES,                                                                 \
        char *: COSEM_CT_BYTES)

#define COSEM_MEMBER_SIZE(T, m) ((uint32_t)sizeof(((T *)0)->m))

#define COSEM_FIELD(wire_, T, m)                                                                   \
    {                                                                                              \
        .kind = COSEM_VAL_FIELD, .wire = (wire_), .ctype = COSEM_CTYPE_OF(T, m),                   \
        .size = COSEM_MEMBER_SIZE(T, m), .offset = (uint32_t)offsetof(T, m),                       \
        .len_offset = COSEM_NO_OFFSET                                                              \
    }

#define COSEM_FIELD_STR(wire_, T, m, len_m)                                                        \
    {                                                                                              \
        .kind = COSEM_VAL_FIELD, .wire = (wire_),                                                  \
        .ctype = COSEM_CTYPE_OF(T, m) + 0 * _Generic(((T *)0)->len_m, uint8_t : 0),                \
        .size = COSEM_MEMBER_SIZE(T, m), .offset = (uint32_t)offsetof(T, m),                       \
        .len_offset = (uint32_t)offsetof(T, len_m)                                                 \
    }

#define COSEM_FIELD_UTC(T, m)                                                                      \
    {                                                                                              \
        .kind = COSEM_VAL_FIELD, .wire = AXDR_OCTET_STRING,                                        \
        .ctype = COSEM_CT_UTC + 0 * _Generic(((T *)0)->m, int64_t : 0),                            \
        .size = COSEM_MEMBER_SIZE(T, m), .offset = (uint32_t)offsetof(T, m),                       \
        .len_offset = COSEM_NO_OFFSET                                                              \
    }

#define COSEM_FIELD_DT(T, m)                                                                       \
    {                                                                                              \
        .kind = COSEM_VAL_FIELD, .wire = AXDR_OCTET_STRING,                                        \
        .ctype = COSEM_CT_DT + 0 * _Generic(((T *)0)->m, cosem_datetime_t : 0),                    \
        .size = COSEM_MEMBER_SIZE(T, m), .offset = (uint32_t)offsetof(T, m),                       \
        .len_offset = COSEM_NO_OFFSET                                                              \
    }

#define COSEM_CALL(read_, write_, arg_)                                                            \
    { .kind = COSEM_VAL_CALL, .read = (read_), .write = (write_), .arg = (arg_) }

#define COSEM_CONST(...)                                                                           \
    {                                                                                              \
        .kind = COSEM_VAL_CONST, .data = (const uint8_t[]){__VA_ARGS__},                           \
        .size = (uint32_t)sizeof((const uint8_t[]){__VA_ARGS__})                                   \
    }

#define COSEM_CONST_STR(wire_, s)                                                                  \
    { .kind = COSEM_VAL_CONST_STR, .wire = (wire_), .data = (s), .size = (uint32_t)(sizeof(s) - 1) }

#define COSEM_NULL                                                                                 \
    { .kind = COSEM_VAL_NULL }

/* Offset of a class state struct S embedded as member m of app struct T. */
#define COSEM_STATE(S, T, m) ((uint32_t)offsetof(T, m) + 0u * _Generic(((T *)0)->m, S : 1u))

/* ---- objects and classes --------------------------------------------------- */

typedef struct cosem_server cosem_server_t;
typedef struct cosem_object cosem_object_t;

/* One request as a class implementation sees it. */
typedef struct cosem_req {
    cosem_server_t *srv;
    const cosem_object_t *obj;
    const dlms_assoc_view_t *assoc;
    int8_t id;                                /* attribute or method id */
    const dlms_access_selection_t *selection; /* GET/SET: NULL or .present false: none */
    uint8_t *cookie; /* GET: EM_DLMS_GET_COOKIE bytes kept between the blocks of one read */
} cosem_req_t;

/* One interface class: identity, shape and the code that serves it. Class
 * functions return 0, a Data-Access-Result / Action-Result 1..255, or a
 * negative error (the server then answers other-reason). They validate a
 * value completely before they change any state. */
typedef struct cosem_class {
    uint16_t class_id;
    uint8_t version;
    uint8_t attr_count; /* attributes, logical_name included */
    uint8_t method_count;
    uint32_t write_mask;     /* attributes this implementation can write */
    uint16_t method_mask;    /* methods this implementation serves */
    uint32_t selective_mask; /* attributes that take selective access */
    uint16_t selectors;      /* access selectors offered (bit n: selector n) */
    /* Attribute 2.. (attribute 1 is served by the dispatcher). */
    int (*get)(const cosem_req_t *r, axdr_enc_t *e);
    int (*set)(const cosem_req_t *r, axdr_dec_t *value);
    int (*action)(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret, bool *has_ret);
    /* Optional: writable attributes of this instance (default write_mask). */
    uint32_t (*writable)(const cosem_object_t *obj);
    /* Optional: check the definition against the app struct at init. */
    int (*check)(const cosem_server_t *s, const cosem_object_t *obj);
    /* Optional: whether this instance exists in the server's configuration
     * (e.g. an Association LN of an association that is not offered).
     * An absent instance is invisible to every association. */
    bool (*present)(const cosem_server_t *s, const cosem_object_t *obj);
} cosem_class_t;

struct cosem_object {
    const cosem_class_t *cls;
    uint8_t ln[COSEM_LN_LEN];
    const void *def; /* class definition, e.g. const cosem_register_def_t * */
    /* Per association index (cosem_server_add_association order, the
     * dlms_assoc_view_t.assoc_index): NULL hides the object. */
    const cosem_access_t *access[EM_DLMS_MAX_ASSOCIATIONS];
};

typedef void (*cosem_notify_fn)(void *app, const cosem_object_t *obj, uint8_t kind, int8_t id);

struct cosem_server {
    const cosem_object_t *objects;
    size_t count;
    void *app;       /* base of the application context the bindings point into */
    size_t app_size; /* sizeof that context: bindings are checked against it */
    const em_port_t *port;
    dlms_assoc_config_t *assoc[EM_DLMS_MAX_ASSOCIATIONS];
    uint8_t assoc_count;
    dlms_security_context_t *sec[EM_COSEM_MAX_SECURITY];
    uint8_t sec_count;
    const cosem_object_t *clock; /* first Clock object: local time for date-times */
    cosem_notify_fn notify;      /* optional, after a successful SET/ACTION */
};

/* ---- server ------------------------------------------------------------- */

/* Binds a table to an app context and checks it (see above). The port must
 * outlive the server; its rtc_get/rtc_set serve the Clock. */
int cosem_server_init(cosem_server_t *s, const cosem_object_t *objects, size_t count, void *app,
                      size_t app_size, const em_port_t *port);
/* Registers the next association configuration (index 0, 1, ... in call
 * order: the index the table's access arrays and dlms_assoc_view_t use). */
int cosem_server_add_association(cosem_server_t *s, dlms_assoc_config_t *cfg);
/* Registers a security context (sec_index 0, 1, ... for Security setup). */
int cosem_server_add_security(cosem_server_t *s, dlms_security_context_t *sec);
/* Fills the services table the DLMS server calls (user = s). */
void cosem_server_services(cosem_server_t *s, dlms_cosem_services_t *svc);

/* The dlms_cosem_services_t functions (user is the cosem_server_t). */
int cosem_get(void *user, dlms_get_call_t *call, axdr_enc_t *e);
int cosem_set(void *user, const dlms_assoc_view_t *assoc, const dlms_cosem_descriptor_t *attr,
              const dlms_access_selection_t *selection, axdr_dec_t *value);
int cosem_action(void *user, const dlms_assoc_view_t *assoc, const dlms_cosem_descriptor_t *method,
                 axdr_dec_t *params, axdr_enc_t *ret, bool *has_return);

/* The table entry with this logical name, or NULL. */
const cosem_object_t *cosem_find(const cosem_server_t *s, const uint8_t ln[COSEM_LN_LEN]);

/* access_mode (0..6) of attribute `attr` / method mode (0..2) of `method`
 * for association assoc_index, as the object_list shows it: the table's
 * rights limited to what the class implements. */
uint8_t cosem_attr_access(const cosem_object_t *obj, uint8_t assoc_index, int8_t attr);
uint8_t cosem_method_access(const cosem_object_t *obj, uint8_t assoc_index, int8_t method);
/* True when the object appears in association assoc_index's object_list. */
bool cosem_visible(const cosem_server_t *s, const cosem_object_t *obj, uint8_t assoc_index);

/* ---- helpers for class implementations ----------------------------------- */

/* Pointer into the app context (no check: cosem_server_init checked it). */
void *cosem_app_ptr(const cosem_server_t *s, uint32_t offset);

/* Read (encode) / write (decode) one bound value. write returns
 * DLMS_DAR_READ_WRITE_DENIED for read-only bindings, DLMS_DAR_TYPE_UNMATCHED
 * or DLMS_DAR_OTHER_REASON for a bad value, and changes nothing then. */
int cosem_value_get(const cosem_server_t *s, const cosem_value_t *v, axdr_enc_t *e);
int cosem_value_set(const cosem_server_t *s, const cosem_value_t *v, axdr_dec_t *d);
bool cosem_value_writable(const cosem_value_t *v);
/* 0 if the binding is well-formed and inside the app struct, else
 * COSEM_ERR_BINDING. */
int cosem_value_check(const cosem_server_t *s, const cosem_value_t *v);
/* Stores integer 0 in a FIELD binding (register reset). */
int cosem_value_zero(const cosem_server_t *s, const cosem_value_t *v);
/* Stores an instant in a COSEM_FIELD_UTC binding; other kinds: ignored. */
int cosem_value_set_utc(const cosem_server_t *s, const cosem_value_t *v, int64_t utc);

/* The port's RTC (UTC seconds) / set it. */
int cosem_rtc_now(const cosem_server_t *s, int64_t *utc);
int cosem_rtc_set(const cosem_server_t *s, int64_t utc);

/* Local date-time of a UTC instant, by the first Clock object of the table
 * (time zone, DST, status bits); UTC with deviation 0 when there is none. */
int cosem_local_datetime(const cosem_server_t *s, int64_t utc, cosem_datetime_t *out);
/* UTC of a client's date-time: its deviation when specified, otherwise the
 * meter's local time. Date and time fields must be specified. */
int cosem_datetime_to_instant(const cosem_server_t *s, const cosem_datetime_t *dt, int64_t *utc);
/* Encodes an instant as a date-time octet-string(12) in local time; 0
 * (not set) as the all "not specified" pattern. */
int cosem_put_instant(const cosem_server_t *s, axdr_enc_t *e, int64_t utc);

/* True when the decoder holds nothing after the value just read. */
bool cosem_dec_done(const axdr_dec_t *d);

#endif /* EMETER_COSEM_H */
