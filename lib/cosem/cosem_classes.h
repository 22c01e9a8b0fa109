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

#endif /* EMETER_COSEM_CLASSES_H */
