/*
 * cosem_classes.h - the interface classes of lib/cosem (DLMS UA Blue Book,
 * "COSEM interface classes"; attribute and method lists in dlms-facts §1.1):
 * their const class descriptors, the per-instance definitions an object
 * table declares, and the state structs an application embeds.
 *
 *   class                    id ver  def                         state in the app
 *   Data                      1  0   cosem_data_def_t            (bindings)
 *   Register                  3  0   cosem_register_def_t        (bindings)
 *   Extended register         4  0   cosem_ext_register_def_t    (bindings)
 *   Demand register           5  0   cosem_demand_register_def_t cosem_demand_state_t
 *   Clock                     8  0   cosem_clock_def_t           cosem_clock_state_t
 *   Association LN           15  1   cosem_assoc_ln_def_t        dlms_assoc_config_t (server)
 *   SAP assignment           17  0   cosem_sap_assignment_def_t  (bindings)
 *   Security setup           64  0   cosem_security_setup_def_t  dlms_security_context_t
 *
 * The invocation counter objects 0.0.43.1.x.255 are Data objects whose
 * value is COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, app_t, sec.tx_ic) when the
 * security context lives in the app struct (as association.h recommends).
 * Note how clients use it: Gurux (ReadInvocationCounter) and OSGP
 * (InvocationCounterManager) read it over the public client and take
 * value + 1 as their OWN next counter. tx_ic works as long as the server
 * sends at least as many ciphered APDUs as it accepts; a meter that can
 * accept more than it answers should bind a callback that shows
 * cosem_ic_for_clients() instead (see security_setup.c).
 */
#ifndef EMETER_COSEM_CLASSES_H
#define EMETER_COSEM_CLASSES_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/cosem.h"
#include "dlms/datetime.h"

#define COSEM_CLASS_DATA              1u
#define COSEM_CLASS_REGISTER          3u
#define COSEM_CLASS_EXTENDED_REGISTER 4u
#define COSEM_CLASS_DEMAND_REGISTER   5u
#define COSEM_CLASS_CLOCK             8u
#define COSEM_CLASS_ASSOCIATION_LN    15u
#define COSEM_CLASS_SAP_ASSIGNMENT    17u
#define COSEM_CLASS_SECURITY_SETUP    64u

extern const cosem_class_t cosem_class_data;
extern const cosem_class_t cosem_class_register;
extern const cosem_class_t cosem_class_extended_register;
extern const cosem_class_t cosem_class_demand_register;
extern const cosem_class_t cosem_class_clock;
extern const cosem_class_t cosem_class_association_ln;
extern const cosem_class_t cosem_class_sap_assignment;
extern const cosem_class_t cosem_class_security_setup;

/* ==== Data (1): 2 value =================================================== */

typedef struct cosem_data_def {
    cosem_value_t value;
} cosem_data_def_t;

/* ==== Register (3): 2 value, 3 scaler_unit; method 1 reset ================== */

typedef struct cosem_register_def {
    cosem_value_t value;
    int8_t scaler; /* value x 10^scaler in `unit` */
    uint8_t unit;  /* COSEM_UNIT_* */
} cosem_register_def_t;

/* Writes structure{integer scaler, enum unit} (also used by classes 4, 5). */
int cosem_put_scaler_unit(axdr_enc_t *e, int8_t scaler, uint8_t unit);
/* Accepts a reset/next_period style parameter: absent, null-data or one
 * integer (the Blue Book's "data ::= integer (0)"). */
bool cosem_param_is_dummy(axdr_dec_t *params);

/* ==== Extended register (4): + 4 status, 5 capture_time; method 1 reset ===== */

typedef struct cosem_ext_register_def {
    cosem_value_t value;
    int8_t scaler;
    uint8_t unit;
    cosem_value_t status;       /* "any type"; reset stores 0 in a FIELD */
    cosem_value_t capture_time; /* normally COSEM_FIELD_UTC; reset stores now */
} cosem_ext_register_def_t;

/* ==== Demand register (5) ==================================================
 * 2 current_average_value, 3 last_average_value, 4 scaler_unit, 5 status,
 * 6 capture_time, 7 start_time_current, 8 period, 9 number_of_periods;
 * methods 1 reset, 2 next_period.
 *
 * The averaging: the application calls cosem_demand_update(st, value, now)
 * with the instantaneous quantity (e.g. W) whenever it has a new one (each
 * second). The value is held until the next call and integrated over time.
 * Periods are aligned to multiples of `period` seconds of UTC. With
 * number_of_periods n > 1 the demand slides: the averages cover the last n
 * sub-periods (Blue Book: energy accumulated over n x period divided by
 * n x period). current_average_value is the running demand: what has been
 * accumulated in the window so far, divided by n x period. */

typedef struct cosem_demand_state {
    int64_t current_average;    /* attr 2, in value units (before scaler) */
    int64_t last_average;       /* attr 3 */
    uint8_t status;             /* attr 5 */
    int64_t capture_time;       /* attr 6: end of the last completed period (UTC) */
    int64_t start_time_current; /* attr 7: start of the running period (UTC) */
    uint32_t period;            /* attr 8: seconds, > 0 */
    uint16_t number_of_periods; /* attr 9: 1..EM_COSEM_DEMAND_MAX_PERIODS */
    /* private to the averaging */
    int64_t acc;         /* integral of value over the running period (value x s) */
    int64_t last_update; /* instant of the last update, 0: not started */
    int64_t held;        /* value held since last_update */
    uint16_t ring_pos;   /* next slot of ring */
    int64_t ring[EM_COSEM_DEMAND_MAX_PERIODS]; /* integrals of completed sub-periods */
} cosem_demand_state_t;

typedef struct cosem_demand_register_def {
    uint32_t state;     /* COSEM_STATE(cosem_demand_state_t, app_t, member) */
    uint8_t value_type; /* A-XDR integer type of attributes 2 and 3, e.g. AXDR_DOUBLE_LONG */
    int8_t scaler;
    uint8_t unit;
} cosem_demand_register_def_t;

/* Sets period and number of periods and clears the averages (COSEM_ERR_STATE
 * for period 0 or n outside 1..EM_COSEM_DEMAND_MAX_PERIODS). */
int cosem_demand_init(cosem_demand_state_t *st, uint32_t period, uint16_t number_of_periods);
/* Integrates `value` held since the last call up to `now` (UTC), closing
 * every period boundary passed on the way. A clock set backwards restarts
 * the running period at now. */
int cosem_demand_update(cosem_demand_state_t *st, int64_t value, int64_t now);
/* Method next_period: closes the running period at `now`. */
int cosem_demand_next_period(cosem_demand_state_t *st, int64_t now);
/* Method reset: averages 0, capture and start time now. */
void cosem_demand_reset(cosem_demand_state_t *st, int64_t now);

/* ==== Clock (8) ===============================================================
 * 2 time (from the port's RTC), 3 time_zone, 4 status, 5 daylight_savings_
 * begin, 6 daylight_savings_end, 7 daylight_savings_deviation, 8 daylight_
 * savings_enabled, 9 clock_base. Methods 1 adjust_to_quarter, 2 adjust_to_
 * measuring_period, 3 adjust_to_minute, 4 adjust_to_preset_time, 5 preset_
 * adjusting_time, 6 shift_time (long, -900..900 s).
 *
 * Signs (dlms-facts §1.2, datetime.h): time_zone is the deviation of local
 * standard time from UTC in minutes with UTC = local + deviation, so CET is
 * -60; daylight_savings_deviation is the shift in DST (+60). In DST the
 * date-time deviation is time_zone - dst_deviation (-120 for CEST) and the
 * status has bit 7 set.
 *
 * DST begin/end are date-time patterns in local time: begin in standard
 * time, end in DST (the EU rule is "last Sunday of March 02:00" and "last
 * Sunday of October 03:00", both 01:00 UTC). A pattern's deviation, when
 * specified, overrides that. Year 0xFFFF repeats every year; day 0xFE/0xFD
 * with a weekday is the last/second last such weekday of the month; a day
 * 1..31 with a weekday is the first such weekday on or after that day
 * (Blue Book reading, e.g. day 25 + Sunday = last Sunday of March);
 * unspecified hour/minute/second count as 0. */

typedef struct cosem_clock_state {
    int16_t time_zone;          /* attr 3, minutes, -720..720 */
    uint8_t status;             /* attr 4 bits 0-3 kept here; bit 7 computed */
    int8_t dst_deviation;       /* attr 7, minutes, -120..120 */
    bool dst_enabled;           /* attr 8 */
    uint8_t clock_base;         /* attr 9: 0 undefined, 1 crystal, 2 mains 50 Hz, ... */
    cosem_datetime_t dst_begin; /* attr 5 */
    cosem_datetime_t dst_end;   /* attr 6 */
    int64_t preset_time;        /* method 5, UTC (0: none) */
    int64_t preset_from;        /* validity interval start, UTC */
    int64_t preset_to;          /* validity interval end, UTC */
    int64_t adjust_old;         /* last time change: the time before it (UTC) */
    int64_t adjust_new;         /* and after it: for clock events 4/5 */
} cosem_clock_state_t;

typedef struct cosem_clock_def {
    uint32_t state;            /* COSEM_STATE(cosem_clock_state_t, app_t, member) */
    uint32_t measuring_period; /* s, for adjust_to_measuring_period; 0: refused */
} cosem_clock_def_t;

/* Central European rule: time_zone -60, DST +60, last Sunday of March 02:00
 * to last Sunday of October 03:00, DST enabled, clock base crystal. */
void cosem_clock_state_cet(cosem_clock_state_t *st);
/* True when DST is in force at instant utc. */
bool cosem_clock_dst_active(const cosem_clock_state_t *st, int64_t utc);
/* Deviation (minutes) and status byte of the local time at utc. */
int16_t cosem_clock_deviation(const cosem_clock_state_t *st, int64_t utc);
uint8_t cosem_clock_status(const cosem_clock_state_t *st, int64_t utc);
/* Local date-time at utc (what attribute 2 shows). */
int cosem_clock_local(const cosem_clock_state_t *st, int64_t utc, cosem_datetime_t *out);
/* UTC of a local date-time without deviation: standard time, or DST time
 * when that reading falls inside DST. COSEM_ERR_TIME if not concrete. */
int cosem_clock_from_local(const cosem_clock_state_t *st, const cosem_datetime_t *dt, int64_t *utc);
/* UTC instants at which DST begins and ends in `year` (false when the
 * patterns do not give one in that year). */
bool cosem_clock_dst_instants(const cosem_clock_state_t *st, uint16_t year, int64_t *begin,
                              int64_t *end);

/* ==== Association LN (15), version 1 ========================================
 * 2 object_list, 3 associated_partners_id, 4 application_context_name,
 * 5 xDLMS_context_info, 6 authentication_mechanism_name, 7 secret,
 * 8 association_status, 9 security_setup_reference. Methods 1 reply_to_HLS_
 * authentication, 2 change_HLS_secret, 3 add_object, 4 remove_object.
 *
 * Version 1 (choice for dlms-facts §6.1): it has security_setup_reference,
 * which DSMR/SMR head-ends read, and none of the user_list attributes of
 * version 2 that no profile here uses.
 *
 * The instance 0.0.40.0.0.255 is the current association (assoc_index -1):
 * every attribute describes the association of the caller. An instance
 * 0.0.40.0.e.255 describes configured association assoc_index.
 *
 * object_list is streamed: elements are produced one after the other into
 * the encoder, elements lying wholly before a block window are skipped by
 * their computed size (dlms_apdu_skip), and production stops when the
 * window is full, so a list of hundreds of objects never exists in RAM.
 *
 * application_context_name and authentication_mechanism_name: by default the
 * octet-string holding the BER body of the OID (60 85 74 05 08 01 0x / 08 02
 * 0x), as Blue Book editions after 8 define it; names_as_structure selects
 * the older structure{joint-iso-ctt unsigned, country unsigned, country-name
 * long-unsigned, identified-organization unsigned, DLMS-UA unsigned,
 * application-context / authentication-mechanism-name unsigned, id
 * unsigned} that Gurux servers write. Gurux clients decode both forms.
 *
 * secret (7) is never readable, whatever the rights say; writing it sets
 * the LLS password of a mechanism-1 association and is refused
 * (read-write-denied) for others: HLS-5 (GMAC) has no secret of its own,
 * its keys change through Security setup global_key_transfer. For the same
 * reason change_HLS_secret answers read-write-denied. reply_to_HLS_
 * authentication is served by the DLMS server before dispatch; if it ever
 * reaches this class it answers other-reason. add_object/remove_object are
 * refused (read-write-denied): the object table is const. */

typedef struct cosem_assoc_ln_def {
    int8_t assoc_index;      /* -1: the current association; else the configured one */
    bool names_as_structure; /* OID attributes as structure instead of octet-string */
} cosem_assoc_ln_def_t;

/* Encoded length of the object_list element of `obj` (for skipping). */
size_t cosem_object_list_element_size(const cosem_object_t *obj, uint8_t assoc_index);

/* ==== SAP assignment (17): 2 SAP_assignment_list; method 1 connect_logical_
 * device (refused: one logical device). */

typedef struct cosem_sap_entry {
    uint16_t sap;       /* server SAP of the logical device */
    cosem_value_t name; /* its logical device name (octet-string) */
} cosem_sap_entry_t;

typedef struct cosem_sap_assignment_def {
    const cosem_sap_entry_t *entries;
    uint8_t count;
} cosem_sap_assignment_def_t;

/* ==== Security setup (64), version 0 ========================================
 * 2 security_policy (enum 0..3), 3 security_suite, 4 client_system_title,
 * 5 server_system_title. Methods 1 security_activate (enum policy),
 * 2 global_key_transfer (array of structure{key_id enum, key_wrapped
 * octet-string}: 0 GUEK, 1 GBEK, 2 AK, 3 KEK).
 *
 * security_activate may only strengthen the policy: the new policy must
 * keep every protection of the old one (authentication 1, encryption 2,
 * both 3); anything else is refused with read-write-denied.
 *
 * global_key_transfer unwraps every key with the KEK in force (RFC 3394)
 * before it changes anything: a bad wrap, an unknown or repeated key id,
 * a malformed element refuses the whole call and leaves every key as it
 * was. Then all keys switch at once and the notify hook tells the
 * application to persist them. A new GUEK also clears the last accepted
 * client invocation counter (a new key starts a new counter space); the
 * transmit counter is kept, which is never unsafe. */

typedef struct cosem_security_setup_def {
    uint8_t sec_index; /* cosem_server_add_security() order */
} cosem_security_setup_def_t;

/* The invocation counter to show to clients that continue from it: the
 * larger of the transmit counter and the last accepted client counter, so
 * value + 1 is both fresh for the server and above every counter seen. */
uint32_t cosem_ic_for_clients(const dlms_security_context_t *sec);

#define COSEM_KEY_ID_GUEK 0u
#define COSEM_KEY_ID_GBEK 1u
#define COSEM_KEY_ID_AK   2u
#define COSEM_KEY_ID_KEK  3u

/* ==== Profile generic (7), version 1 =========================================
 * 2 buffer, 3 capture_objects, 4 capture_period (s, 0 = asynchronous),
 * 5 sort_method, 6 sort_object, 7 entries_in_use, 8 profile_entries.
 * Methods 1 reset, 2 capture (data ::= integer 0). profile_generic.c.
 *
 * Rows live in a row store (profile_rows.h: RAM ring, or flash through
 * lib/store); the state below lives in the app struct (COSEM_STATE) and
 * the const definition gives its defaults. cosem_profile_init() puts the
 * defaults in force and attaches the store; the application then calls
 * cosem_profile_tick() every second (periodic profiles) or
 * cosem_profile_capture() on an event (event logs, billing).
 *
 * Capture reads each capture object's attribute through the class get()
 * of the same object table (no access rights: the profile's definition
 * decides), data_index n > 0 picking element n of an array/structure
 * value. A clock time column (class 8 attribute 2) shows the capture
 * instant given to the capture, in local time with the clock's deviation
 * and status, not the RTC's second of the call, so a tick that arrives
 * late still stamps the period boundary. Periodic captures happen when the
 * local time crosses a multiple of capture_period (900 s: :00, :15, :30,
 * :45; 86400: local midnight); the 25-hour day of the DST end gets its
 * extra periods, a clock set back captures nothing until the next
 * boundary, a clock set forward captures once at the boundary reached.
 *
 * Sort method: FIFO only (writing 1 is accepted, any other value
 * other-reason); sort_object reads as the empty definition {0, 0...0, 0,
 * 0}. Writing capture_objects or capture_period clears the buffer (Blue
 * Book rule; a changed period would leave rows of two cadences).
 * profile_entries accepts 1..storage capacity; lowering it hides the
 * oldest rows, raising it shows no rows that were hidden (entries_in_use
 * only grows by captures). A capture object must name an attribute of an
 * object of the table (other-reason otherwise); a profile buffer cannot be
 * a column; the current values of the new list must fit the row size.
 *
 * Buffer reads are streamed: every row encodes as structure{the selected
 * columns}, and when the selected columns have had the same encoded width
 * in every row since the last clear (integers, date-times: the usual
 * case) rows before a block window are skipped by computed size without a
 * store read, and production stops when the window is full: a block costs
 * the rows it carries. The first call of a read snapshots the rows it
 * answers (sequence numbers in the GET cookie), so captures during a long
 * read do not shift it; if a row it still has to send is overwritten
 * meanwhile (full FIFO), the read ends with data-block-unavailable.
 *
 * Selective access (selector 1 range_descriptor, 2 entry_descriptor):
 *   range: rows whose restricting column lies in [from_value, to_value]
 *     (inclusive). The restricting object and every selected_values entry
 *     must equal a capture object definition (class, logical name,
 *     attribute, data_index); columns come in the order asked, an empty
 *     selected_values means all. Date-times compare as instants: a bound
 *     with deviation 0x8000 is read in the meter's local time (clock time
 *     zone and DST), status and hundredths are ignored, an unspecified
 *     hour/minute/second counts as 0 in from_value and 23/59/59 in
 *     to_value. Integers of any A-XDR integer type compare by value.
 *     from > to, or no row inside: an empty array. The first call scans
 *     the restricting column once.
 *   entry: rows from_entry..to_entry and columns from_selected_value..
 *     to_selected_value, counted from 1 (a 0 "from" is read as 1), 0 in a
 *     "to" meaning the last; a "to" beyond the end is cut to it, a
 *     from_entry beyond entries_in_use gives an empty array.
 *   Refusals: access-parameters that are not the selector's structure, or
 *     bounds that are neither date-times nor integers (or of two kinds):
 *     type-unmatched (12). A restricting or selected column that is not a
 *     capture object, more selected columns than EM_COSEM_PROFILE_MAX_
 *     COLUMNS, a date-time bound without a date, from > to in entries or
 *     columns, from_selected_value beyond the columns: scope-of-access-
 *     violated (13). */

#include "cosem/profile_rows.h"

#define COSEM_CLASS_PROFILE_GENERIC 7u
#define COSEM_PROFILE_SORT_FIFO     1u

extern const cosem_class_t cosem_class_profile_generic;

typedef struct cosem_profile_state {
    dlms_capture_object_t capture_objects[EM_COSEM_PROFILE_MAX_COLUMNS]; /* attr 3 */
    uint8_t capture_count;    /* 1..EM_COSEM_PROFILE_MAX_COLUMNS */
    uint8_t sort_method;      /* attr 5: COSEM_PROFILE_SORT_FIFO */
    uint32_t capture_period;  /* attr 4, s; 0: asynchronous */
    uint32_t profile_entries; /* attr 8, 1..storage capacity */
    uint32_t entries_in_use;  /* attr 7 (never above the rows stored) */
    /* private to the class */
    uint32_t captures; /* sequence number of the next row (wraps) */
    int64_t last_tick; /* UTC of the last cosem_profile_tick(), 0: not yet */
    /* A-XDR bytes of each column in every row since the last clear: 0 none
     * yet, 0xFFFF they vary. */
    uint16_t width[EM_COSEM_PROFILE_MAX_COLUMNS];
    cosem_profile_rows_t *rows; /* the row store in use */
} cosem_profile_state_t;

typedef struct cosem_profile_def {
    uint32_t state; /* COSEM_STATE(cosem_profile_state_t, app_t, member) */
    /* Default row store: COSEM_STATE(cosem_profile_rows_t, app_t, ring.rows),
     * or COSEM_NO_OFFSET when the application hands one to init. */
    uint32_t rows;
    const dlms_capture_object_t *capture_objects; /* default capture objects */
    uint8_t capture_count;
    uint32_t capture_period;  /* default, s */
    uint32_t profile_entries; /* default, <= the store's capacity */
} cosem_profile_def_t;

/* A configuration to start with (cosem_profile_init_with). */
typedef struct cosem_profile_config {
    const dlms_capture_object_t *capture_objects;
    uint8_t capture_count;
    uint32_t capture_period;
    uint32_t profile_entries;
} cosem_profile_config_t;

/* The state of a Profile generic object, NULL for other objects. */
cosem_profile_state_t *cosem_profile_state(const cosem_server_t *s, const cosem_object_t *obj);
/* Puts the definition's defaults in force and attaches `rows` (NULL: the
 * definition's store). Rows already in the store (a flash ring after a
 * restart) are kept when every one holds the default columns, else the
 * store is cleared. COSEM_ERR_PROFILE_* for a missing store, a bad row
 * size, profile_entries above the capacity, or current values that do not
 * fit a row. */
int cosem_profile_init(cosem_server_t *s, const cosem_object_t *obj, cosem_profile_rows_t *rows);
/* The same with another configuration than the definition's: what an
 * application that keeps the values last SET over DLMS (the notify hook)
 * restores after a restart, so a flash store's rows stay with the columns
 * they were captured with. The list must be the one the rows hold: rows
 * are checked for their number of columns only. COSEM_ERR_PROFILE_COLUMNS
 * for an invalid list. */
int cosem_profile_init_with(cosem_server_t *s, const cosem_object_t *obj,
                            cosem_profile_rows_t *rows, const cosem_profile_config_t *cfg);
/* Captures one row now (UTC seconds; the clock column shows this instant). */
int cosem_profile_capture(cosem_server_t *s, const cosem_object_t *obj, int64_t now);
/* Call every second (or at least once per period) with the UTC time:
 * captures at capture_period boundaries of local time. Returns 1 when it
 * captured, 0 when not, or a negative error. */
int cosem_profile_tick(cosem_server_t *s, const cosem_object_t *obj, int64_t utc);
/* Method reset: empties the buffer. */
int cosem_profile_reset(cosem_server_t *s, const cosem_object_t *obj);

/* ==== Time-driven classes ===================================================
 *
 *   class                    id ver  def                            state in the app
 *   Script table              9  0   cosem_script_table_def_t       cosem_script_table_state_t
 *   Special days table       11  0   cosem_special_days_def_t       cosem_special_days_state_t
 *   Activity calendar        20  0   cosem_activity_calendar_def_t  cosem_activity_calendar_state_t
 *   Register monitor         21  0   cosem_register_monitor_def_t   cosem_register_monitor_state_t
 *   Single action schedule   22  0   cosem_single_action_def_t      cosem_single_action_state_t
 *
 * The application drives them with one call, cosem_sched_tick(s, utc)
 * (calendar_eval.h), once a second. The calendar evaluation rules (seasons,
 * special days, action in force, DST days) are in calendar_eval.h.
 *
 * SET answers (cosem.h's rules, made precise here):
 *   value not of the attribute's structure or types      type-unmatched (12)
 *   right types, value out of range (a time 25:00, a     other-reason (250)
 *     name longer than EM_COSEM_CAL_NAME_MAX, more
 *     entries than configured, duplicate names/ids)
 *   a reference that does not resolve (a week naming a   other-reason (250)
 *     missing day profile, a season a missing week, a
 *     script table that is not in the object table)
 * Reference errors are value errors ("right type, wrong value"): Blue Book
 * has no code of its own for them, scope-of-access-violated is about
 * selective access. Nothing changes on a refused write. */

#define COSEM_CLASS_SCRIPT_TABLE           9u
#define COSEM_CLASS_SPECIAL_DAYS_TABLE     11u
#define COSEM_CLASS_ACTIVITY_CALENDAR      20u
#define COSEM_CLASS_REGISTER_MONITOR       21u
#define COSEM_CLASS_SINGLE_ACTION_SCHEDULE 22u

extern const cosem_class_t cosem_class_script_table;
extern const cosem_class_t cosem_class_special_days_table;
extern const cosem_class_t cosem_class_activity_calendar;
extern const cosem_class_t cosem_class_register_monitor;
extern const cosem_class_t cosem_class_single_action_schedule;

/* Errors of the time-driven classes (-0x0940..-0x095F, cosem_sched_strerror). */
#define COSEM_ERR_CAL_INCONSISTENT (-0x0940) /* a season names a missing week, a week a missing day */
#define COSEM_ERR_SCRIPT_UNKNOWN   (-0x0941) /* no such Script table object or script */
#define COSEM_ERR_SCRIPT_BUSY      (-0x0942) /* script table already running (re-entrant call) */
#define COSEM_ERR_SCRIPT_ACTION    (-0x0943) /* a script action failed or names a missing target */
#define COSEM_ERR_MONITOR_VALUE    (-0x0944) /* monitored attribute unreadable or not a number */

/* A script reference: a Script table's logical name and a script_identifier
 * (calendar day actions, executed_script, register monitor actions). */
typedef struct cosem_script_ref {
    uint8_t ln[COSEM_LN_LEN];
    uint16_t selector;
} cosem_script_ref_t;

/* ==== Script table (9): 2 scripts; method 1 execute (long-unsigned id) =======
 * scripts: array of structure{script_identifier long-unsigned, actions array
 * of structure{service_id enum (1 write attribute, 2 execute method),
 * class_id long-unsigned, logical_name octet-string(6), index integer,
 * parameter Data}}.
 *
 * execute(id): id 0 is the null script (Blue Book: no action). Otherwise
 * the stored script's actions run in order through the object layer (the
 * class set/action of the named object, then the server's notify hook, as
 * a client request would), then a native script bound to (this table, id).
 * An id with neither answers other-reason. Actions run with the meter's own
 * authority: access rights are not checked, only that the object, the
 * class, the attribute (writable) or method (implemented) exist; every
 * action runs even when one fails, and the first failure is the result.
 * A table that is already running refuses (temporary-failure), which stops
 * a script from executing itself through any chain of tables.
 *
 * Native scripts: the meter application binds C functions to (table, id)
 * in the table's const definition, so tariffication (0.0.10.0.100.255,
 * selector = tariff), end of billing (0.0.10.0.1.255), disconnect
 * (0.0.10.0.106.255), image activation (0.0.10.0.107.255) and push
 * (0.0.10.0.108.255) need no DLMS actions in the table. Give the table
 * scripts with no actions for those ids so that attribute 2 lists them. */

/* Native script: returns 0, or an Action-Result / negative error. */
typedef int (*cosem_script_native_fn)(void *app, const cosem_object_t *table, uint16_t script_id);

/* script_id COSEM_SCRIPT_ANY binds every id (1..65535) of the table. */
#define COSEM_SCRIPT_ANY 0u

typedef struct cosem_script_native {
    uint16_t script_id;
    cosem_script_native_fn run;
} cosem_script_native_t;

#define COSEM_SCRIPT_WRITE_ATTRIBUTE 1u
#define COSEM_SCRIPT_EXECUTE_METHOD  2u

typedef struct cosem_script_action {
    uint8_t service_id; /* COSEM_SCRIPT_WRITE_ATTRIBUTE / _EXECUTE_METHOD */
    int8_t index;       /* attribute or method id, >= 1 */
    uint16_t class_id;
    uint8_t ln[COSEM_LN_LEN];
    uint8_t param_len;                           /* bytes of param */
    uint8_t param[EM_COSEM_SCRIPT_PARAM_MAX];    /* one complete A-XDR Data */
} cosem_script_action_t;

typedef struct cosem_script {
    uint16_t id;
    uint8_t action_count;
    cosem_script_action_t actions[EM_COSEM_SCRIPT_ACTIONS];
} cosem_script_t;

typedef struct cosem_script_table_state {
    uint8_t count;
    cosem_script_t scripts[EM_COSEM_SCRIPTS];
    /* Runtime, not configuration: the re-entrancy guard. Do not persist
     * it (or clear it when restoring). */
    bool running;
} cosem_script_table_state_t;

typedef struct cosem_script_table_def {
    uint32_t state; /* COSEM_STATE(cosem_script_table_state_t, app_t, member) */
    const cosem_script_native_t *natives;
    uint8_t native_count;
} cosem_script_table_def_t;

/* Executes script `script_id` of the Script table named ln: 0, or
 * COSEM_ERR_SCRIPT_UNKNOWN / _BUSY / _ACTION, or a native script's result. */
int cosem_script_execute(cosem_server_t *s, const uint8_t ln[COSEM_LN_LEN], uint16_t script_id);
/* The same for a reference; selector 0 or an all-zero name is "no action"
 * and returns 0. */
int cosem_script_run_ref(cosem_server_t *s, const cosem_script_ref_t *ref);
/* True for the "no action" reference: selector 0 (the null script) or an
 * all-zero logical name. */
bool cosem_script_ref_is_null(const cosem_script_ref_t *ref);
/* True when ln names a Script table object of the server's table. */
bool cosem_script_table_exists(const cosem_server_t *s, const uint8_t ln[COSEM_LN_LEN]);

/* ==== Special days table (11): 2 entries; methods 1 insert, 2 delete =======
 * entries: array of structure{index long-unsigned, specialday_date
 * octet-string(5) date, day_id unsigned}. The date may repeat (year
 * 0xFFFF: every year; month 0xFF; day 0xFE/0xFD last/second last; a
 * weekday); the DST months 0xFD/0xFE are refused (other-reason): which
 * month they are depends on the year's DST rule. Indexes are unique.
 * day_id is not checked against the calendar (the passive calendar may
 * bring it); a special day whose day_id the active calendar lacks is
 * ignored (calendar_eval.h).
 * insert(entry): an entry with the same index or the same date is replaced
 * (Blue Book), otherwise the entry is appended (other-reason when full).
 * delete(index): removes the entry with that index; an index that is not
 * there is already deleted (success). */

typedef struct cosem_special_day {
    uint16_t index;
    cosem_date_t date;
    uint8_t day_id;
} cosem_special_day_t;

typedef struct cosem_special_days_state {
    uint8_t count;
    cosem_special_day_t entries[EM_COSEM_SPECIAL_DAYS];
} cosem_special_days_state_t;

typedef struct cosem_special_days_def {
    uint32_t state; /* COSEM_STATE(cosem_special_days_state_t, app_t, member) */
} cosem_special_days_def_t;

/* ==== Activity calendar (20) =================================================
 * 2 calendar_name_active, 3 season_profile_active, 4 week_profile_table_
 * active, 5 day_profile_table_active, 6-9 the same passive (writable),
 * 10 activate_passive_calendar_time; method 1 activate_passive_calendar.
 *   season_profile: array of structure{season_profile_name octet-string,
 *     season_start octet-string(12), week_name octet-string}
 *   week_profile_table: array of structure{week_profile_name octet-string,
 *     monday .. sunday unsigned day_id}
 *   day_profile_table: array of structure{day_id unsigned, day_schedule
 *     array of structure{start_time octet-string(4), script_logical_name
 *     octet-string(6), script_selector long-unsigned}}
 *
 * Consistency of the passive calendar. Head-ends write it attribute by
 * attribute in index order, 6, 7, 8, 9, then 10 or method 1 (OSGP's
 * SetActivityCalendar, Gurux's write of all attributes), with new names in
 * seasons before the weeks that define them. So each write checks the
 * references INTO the table it replaces, which are already there:
 *   7 seasons     own checks only (names unique, season_start a usable
 *                 pattern: month 1..12, a day, valid time fields);
 *   8 weeks       names unique, and every passive season's week_name names
 *                 one of the new weeks;
 *   9 days        day_ids unique, actions <= EM_COSEM_CAL_DAY_ACTIONS,
 *                 start_time with an hour, every script_logical_name a
 *                 Script table of the object table, and every day_id of
 *                 every passive week one of the new day profiles (the
 *                 script_selector is not checked: the script table may be
 *                 reprogrammed later; a missing script makes the tick
 *                 report COSEM_ERR_SCRIPT_UNKNOWN);
 *   10, method 1  the whole passive calendar is consistent.
 * Every failure is other-reason (reference) or type-unmatched (structure),
 * as above; the passive calendar is unchanged then. Writing in another
 * order works as long as each step is consistent with what is there.
 *
 * activate_passive_calendar_time: all date and time fields not specified
 * disables the automatic activation; otherwise it must be a concrete
 * date-time (Blue Book: no partial wildcards), read in local time unless it
 * carries a deviation. At the first tick at or after it, the passive
 * calendar is copied to the active one, the attribute is set back to "not
 * specified" (one activation per programming) and the server's notify hook
 * runs with (calendar, COSEM_NOTIFY_ACTION, 1), exactly as after a
 * client's activate_passive_calendar. A time already past activates at the
 * next tick.
 *
 * For the application's event log: notify SET of attributes 6..10 is
 * "passive tariff updated" (event 19); notify ACTION 1 is "tariff
 * activated" (event 9); both are the moments to persist the state.
 *
 * Switching: after an activation and at start-up the tick runs the scripts
 * of the switching point in force; afterwards it runs each switching point
 * once, when the wall clock reaches it (calendar_eval.h). A clock set
 * back, or a change of the Clock's time zone / DST rules, evaluates again
 * and runs the point then in force if it differs from the last one run; a
 * clock set forward over several points runs only the one in force.
 * Method 1 leaves attribute 10 as it is (a pending automatic activation
 * still happens, copying the passive calendar again). */

typedef struct cosem_cal_name {
    uint8_t len;
    uint8_t bytes[EM_COSEM_CAL_NAME_MAX];
} cosem_cal_name_t;

typedef struct cosem_cal_season {
    cosem_cal_name_t name;
    cosem_datetime_t start; /* kept as written (pattern) */
    cosem_cal_name_t week;
} cosem_cal_season_t;

typedef struct cosem_cal_week {
    cosem_cal_name_t name;
    uint8_t day_id[7]; /* Monday .. Sunday */
} cosem_cal_week_t;

typedef struct cosem_cal_action {
    cosem_time_t start;
    cosem_script_ref_t script;
} cosem_cal_action_t;

typedef struct cosem_cal_day {
    uint8_t day_id;
    uint8_t count;
    cosem_cal_action_t actions[EM_COSEM_CAL_DAY_ACTIONS];
} cosem_cal_day_t;

typedef struct cosem_calendar {
    cosem_cal_name_t name;
    uint8_t season_count;
    uint8_t week_count;
    uint8_t day_count;
    cosem_cal_season_t seasons[EM_COSEM_CAL_SEASONS];
    cosem_cal_week_t weeks[EM_COSEM_CAL_WEEKS];
    cosem_cal_day_t days[EM_COSEM_CAL_DAYS];
} cosem_calendar_t;

/* Bookkeeping of the tick (runtime; restoring it is harmless). */
typedef struct cosem_cal_run {
    bool started;        /* the point in force has been run since start-up */
    int64_t last_tick;   /* UTC of the last tick */
    int64_t next_switch; /* UTC of the next switching instant */
    int64_t last_wall;   /* the last point run: its wall start, */
    int8_t last_day;     /* day profile index */
    uint32_t last_mask;  /* and actions */
    uint32_t rules;      /* cosem_sched_rules() next_switch was computed with */
} cosem_cal_run_t;

typedef struct cosem_activity_calendar_state {
    cosem_calendar_t active;     /* attributes 2-5 */
    cosem_calendar_t passive;    /* attributes 6-9 */
    cosem_datetime_t activation; /* attribute 10 */
    cosem_cal_run_t run;
} cosem_activity_calendar_state_t;

typedef struct cosem_activity_calendar_def {
    uint32_t state;        /* COSEM_STATE(cosem_activity_calendar_state_t, app_t, member) */
    uint32_t special_days; /* COSEM_STATE(cosem_special_days_state_t, ...) or COSEM_NO_OFFSET */
} cosem_activity_calendar_def_t;

/* Empty calendars, no activation pending. */
void cosem_activity_calendar_init(cosem_activity_calendar_state_t *st);
/* 0 when every season names a week of cal and every week's day_ids name
 * day profiles of cal, else COSEM_ERR_CAL_INCONSISTENT. */
int cosem_calendar_check(const cosem_calendar_t *cal);
/* Copies the passive calendar to the active one (COSEM_ERR_CAL_INCONSISTENT
 * if it is not consistent: nothing changes); the next tick runs the point
 * in force. No notify: callers decide. */
int cosem_activity_calendar_activate(cosem_activity_calendar_state_t *st);
/* One tick of the calendar object obj at UTC utc: activation, switching.
 * Returns the number of scripts started or a negative error. */
int cosem_activity_calendar_tick(cosem_server_t *s, const cosem_object_t *obj, int64_t utc);

/* ==== Single action schedule (22) ==============================================
 * 2 executed_script structure{script_logical_name octet-string(6),
 * script_selector long-unsigned}, 3 type enum, 4 execution_time array of
 * structure{time octet-string(4), date octet-string(5)}. All writable.
 *
 * Types (Blue Book), all five supported:
 *   1  one entry (0 or 1 here), wildcards in the date allowed
 *   2  n entries, all times equal, no wildcards in the date
 *   3  n entries, all times equal, wildcards in the date allowed
 *   4  n entries, times may differ, no wildcards in the date
 *   5  n entries, times may differ, wildcards in the date allowed
 * Other types are refused (other-reason). A write of type or execution_time
 * must leave the pair valid (other-reason otherwise), so to move to a
 * stricter type write a fitting execution_time first.
 *
 * Patterns: date fields as for special days (year/month/day 0xFF, day
 * 0xFE/0xFD, weekday); time hour 0xFF = every hour, minute 0xFF = every
 * minute, second 0xFF = second 0 (at most once a minute), hundredths
 * ignored. "No wildcards in the date" means year, month and day are
 * specified and the day is 1..31. Times are local wall time (DST rules of
 * calendar_eval.h: a time skipped by spring-forward runs at the end of the
 * gap, a repeated time runs once).
 *
 * The tick runs executed_script when the next execution instant is
 * reached. `next` is kept in the state: if the application restores the
 * state after a power failure, an execution missed meanwhile runs once at
 * the first tick (several missed ones also run once), as does a clock set
 * forward over one or more instants. A write of attributes 2-4, a clock set
 * backwards or a change of the Clock's time zone / DST rules recomputes
 * `next` from the new time without running anything; an instant the clock
 * passes again after being set back runs again (end of billing: the
 * billing code must recognise a period it has already closed). */

typedef struct cosem_sas_time {
    cosem_time_t time;
    cosem_date_t date;
} cosem_sas_time_t;

typedef struct cosem_single_action_state {
    cosem_script_ref_t script; /* attribute 2 */
    uint8_t type;              /* attribute 3, 1..5 */
    uint8_t count;             /* attribute 4 */
    cosem_sas_time_t times[EM_COSEM_SAS_TIMES];
    int64_t next;      /* UTC of the next execution; 0: compute at the next tick */
    int64_t last_tick; /* UTC of the last tick */
    uint32_t rules;    /* cosem_sched_rules() `next` was computed with */
} cosem_single_action_state_t;

typedef struct cosem_single_action_def {
    uint32_t state; /* COSEM_STATE(cosem_single_action_state_t, app_t, member) */
} cosem_single_action_def_t;

/* No entries, the given type (1..5), no script. */
void cosem_single_action_init(cosem_single_action_state_t *st, uint8_t type);
/* The first execution instant strictly after UTC `after` in the local time
 * of clk (NULL: UTC): 0 and *next, or COSEM_ERR_TIME when no entry gives
 * one (patterns with a wildcard year are searched 8 years ahead: a Feb 29
 * repeats within that). */
int cosem_single_action_next(const cosem_single_action_state_t *st,
                             const cosem_clock_state_t *clk, int64_t after, int64_t *next);
/* One tick: 1 when the script was started, 0 when nothing was due, or a
 * negative error. */
int cosem_single_action_tick(cosem_server_t *s, const cosem_object_t *obj, int64_t utc);

/* ==== Register monitor (21) =====================================================
 * 2 thresholds array (all elements of one numeric type: the integer types,
 * enum, boolean, float32/64; the monitored value's type is not enforced,
 * comparisons are numeric), 3 monitored_value structure{class_id
 * long-unsigned, logical_name octet-string(6), attribute_index integer},
 * 4 actions array of structure{action_up structure{script_logical_name,
 * script_selector}, action_down structure{...}}. All writable.
 *
 * Crossing semantics (Blue Book: "crosses the threshold in the upwards /
 * downwards direction"; the class has no hysteresis attribute): each
 * threshold i keeps whether the value was above it (value > threshold).
 * When a tick finds the value above and it was not, action_up[i] runs; when
 * it finds it not above (value <= threshold) and it was, action_down[i]
 * runs. Edge-triggered: a value staying on one side runs nothing, a value
 * equal to the threshold is below it. Hysteresis is two thresholds (e.g.
 * 253 V with the alarm as action_up, 248 V with the all-clear as
 * action_down). The state starts "below every threshold", so a value
 * already above at start-up (or after a write of attributes 2 or 3) runs
 * action_up at the first tick, as a DSMR alarm push at power-up wants.
 * actions[i] belongs to thresholds[i]; thresholds without an action pair
 * run nothing (the two are written separately). A reference with selector
 * 0 or an all-zero name is "no action". */

typedef struct cosem_monitor_number {
    uint8_t tag; /* A-XDR type of the threshold */
    union {
        int64_t i;  /* signed integer types */
        uint64_t u; /* unsigned types, enum, boolean */
        double f;   /* float32, float64 */
    } v;
} cosem_monitor_number_t;

typedef struct cosem_register_monitor_state {
    uint8_t threshold_count;
    cosem_monitor_number_t thresholds[EM_COSEM_MONITOR_THRESHOLDS];
    uint16_t class_id; /* monitored_value */
    uint8_t ln[COSEM_LN_LEN];
    int8_t attribute_index;
    uint8_t action_count;
    cosem_script_ref_t up[EM_COSEM_MONITOR_THRESHOLDS];
    cosem_script_ref_t down[EM_COSEM_MONITOR_THRESHOLDS];
    uint32_t above; /* runtime: bit i, the value was above thresholds[i] */
} cosem_register_monitor_state_t;

typedef struct cosem_register_monitor_def {
    uint32_t state; /* COSEM_STATE(cosem_register_monitor_state_t, app_t, member) */
} cosem_register_monitor_def_t;

/* Reads the monitored value, runs the actions of the thresholds it crossed
 * since the last tick. Returns the number of scripts started or a negative
 * error (COSEM_ERR_MONITOR_VALUE: nothing changes). */
int cosem_register_monitor_tick(cosem_server_t *s, const cosem_object_t *obj);

#endif /* EMETER_COSEM_CLASSES_H */
