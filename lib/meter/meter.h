/*
 * meter.h - the meter application context: one struct per meter that holds
 * every piece of its mutable state, the associations and security contexts
 * it offers, and the COSEM object server bound to its variant's table.
 *
 * This first cut carries what the DLMS layer needs to be read by a
 * head-end: identity (logical device name, serial numbers, firmware
 * identifiers), the clock, the associations (public 16, management 1 with
 * HLS-5 and ciphering, pre-established 102, optional LLS 17) and the
 * management security context with its invocation counters.
 *
 * The metering application (issue 5, first slice) adds: the metrology
 * engine driven by the phasor source, power quality, energy registers and
 * instantaneous values (registers.h), the tariff in force, the 15-minute
 * load profile and daily values with their AMR profile status, the
 * standard / fraud / power quality event logs and alarm register 1
 * (events.h). One meter_tick() per second of (simulated) time runs them.
 * Tariffs switch by the activity calendar (esmr) or meter_set_tariff();
 * profile rows live in RAM rings inside this struct until
 * meter_persist_mount moves them to flash rings.
 *
 * Association indexes are fixed, so the const object tables can name them:
 * METER_ASSOC_PUBLIC, _MANAGEMENT, _PRE_ESTABLISHED always exist; _LLS is
 * offered only when an LLS password is configured (it is the last index).
 */
#ifndef EMETER_METER_H
#define EMETER_METER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "cosem/push_setup.h" /* push (h7) */
#include "dlms/association.h"
#include "dlms/cosem_services.h"
#include "meter/billing.h"
#include "meter/breaker.h" /* breaker and prepayment (w3) */
#include "meter/demand.h"
#include "meter/devices.h" /* devices (w2): display, tamper, lockout, diagnostics */
#include "meter/events.h"
#include "meter/metrology/metrology.h"
#include "meter/modem.h"     /* modem and module I/O (w4) */
#include "meter/module_io.h" /* modem and module I/O (w4) */
#include "meter/pq.h"
#include "meter/prepay.h" /* breaker and prepayment (w3) */
#include "meter/profiles.h"
#include "meter/registers.h"
#include "meter/upgrade.h" /* upgrade (w1) */
#include "port.h"

#define METER_ERR_BADARG  (-0x0A41) /* NULL pointer or impossible argument */
#define METER_ERR_VARIANT (-0x0A42) /* unknown meter variant */
#define METER_ERR_IDENT   (-0x0A43) /* identity field too long or empty */
#define METER_ERR_TARIFF  (-0x0A44) /* tariff outside 1..the variant's tariff count */
#define METER_ERR_STEP    (-0x0A45) /* step of 0 s or longer than a day */
#define METER_ERR_RAM     (-0x0A46) /* the RAM rings of a table exceed EM_METER_RAM_ROWS_BYTES */

enum meter_assoc {
    METER_ASSOC_PUBLIC = 0,          /* client SAP 16, no security */
    METER_ASSOC_MANAGEMENT = 1,      /* client SAP 1, HLS-5 GMAC, ciphered */
    METER_ASSOC_PRE_ESTABLISHED = 2, /* client SAP 102, no AARQ, read-only */
    METER_ASSOC_LLS = 3,             /* client SAP 17, LLS password (optional) */
    METER_ASSOC_COUNT = 4,
};

#define METER_SAP_PUBLIC          16u
#define METER_SAP_MANAGEMENT      1u
#define METER_SAP_PRE_ESTABLISHED 102u
#define METER_SAP_LLS             17u
#define METER_SERVER_SAP          1u /* the management logical device */

enum meter_variant {
    METER_VARIANT_ESMR = 0, /* ESMR 5 three-phase meter (seed 000) */
    METER_VARIANT_OMNI = 1, /* three-phase meter with breaker (seed 004) */
};

#define METER_LDN_MAX   16 /* COSEM logical device name: 16 octets */
#define METER_ID_MAX    32
#define METER_FW_ID_MAX 16

/* Tariffs per variant: esmr 2 (DSMR T1 low / T2 normal), omni 4. */
#define METER_TARIFFS_ESMR 2u
#define METER_TARIFFS_OMNI 4u

/* Row sizes of the RAM rings (profile_rows.h row format: 2-byte length,
 * then each column's A-XDR Data): clock date-time 14, AMR status
 * unsigned 2, a Wh register double-long-unsigned 5, an event code
 * unsigned 2. */
#define METER_LP_ROW      (2 + 14 + 2 + 2 * 5) /* {clock, AMR, A+, A-} = 28 */
#define METER_DAILY_ROW   (2 + 14 + 2 + 4 * 5) /* {clock, AMR, A+ T1/T2, A- T1/T2} = 38 */
#define METER_MONTHLY_ROW METER_DAILY_ROW      /* the same columns */
#define METER_LOG_ROW     (2 + 14 + 2)         /* {clock, event code} = 18 */
/* Power quality profile 1 {clock, avg V L1-L3, avg I L1-L3, +P, -P} and
 * 2 {clock, avg V L1-L3, THD V L1-L3}, with room for 4 more long-unsigned
 * columns a head-end may add; the definable load profile holds up to 16
 * double-long-unsigned columns with its clock. */
#define METER_PQ1_ROW       (2 + 14 + 6 * 3 + 2 * 5 + 4 * 3)
#define METER_PQ2_ROW       (2 + 14 + 6 * 3 + 4 * 3)
#define METER_DEFINABLE_ROW (2 + 14 + 16 * 5)
/* omni: the four-quadrant load profile {clock, AMR, up to 8 energies}
 * (Z29 channel set 5: A+ A- R+ R- R1 R2 R3 R4), the debiting period logger
 * (the "values saved at the end of a debiting period" of seed 004: the
 * billing period counter, 14 energies, 7 maxima with their times, 4
 * accumulated maxima),
 * the analysis logger (24 channels of at most 5 bytes) and debit logger 2
 * (clock, A+ A- R+ R-, A+ and R+ per tariff). */
#define METER_OMNI_LP_ROW  (2 + 14 + 2 + 8 * 5)
#define METER_DEBIT_ROW    (2 + 14 + 2 + 14 * 5 + 7 * (5 + 14) + 4 * 5)
#define METER_ANALYSIS_ROW (2 + 14 + 24 * 5)
#define METER_DEBIT2_ROW   (2 + 14 + 12 * 5)

/* What the host (or a microcontroller's factory data) gives a meter. */
typedef struct meter_identity {
    enum meter_variant variant;
    const uint8_t *logical_device_name; /* 1..16 octets */
    size_t logical_device_name_len;
    const char *serial_number; /* Device ID 1, 0.0.96.1.0.255 */
    const char *equipment_id;  /* Device ID 2, 0.0.96.1.1.255 (DSMR) */
    uint8_t system_title[8];
    const uint8_t *lls_password; /* NULL: no LLS association */
    size_t lls_password_len;
    uint16_t max_pdu;      /* server-max-receive-pdu-size */
    int16_t time_zone_min; /* clock attr 3 (DLMS sign, CET -60) */
    /* breaker and prepayment (w3): the breaker objects in an esmr meter
     * (omni always has them); the prepayment token key (16 bytes; NULL:
     * derived from the system title, a simulator default). */
    bool breaker;
    const uint8_t *token_key;
} meter_identity_t;

typedef struct meter {
    const em_port_t *port;
    enum meter_variant variant;

    /* identity */
    uint8_t ldn[METER_LDN_MAX];
    uint8_t ldn_len;
    uint8_t serial[METER_ID_MAX];
    uint8_t serial_len;
    uint8_t equipment_id[METER_ID_MAX];
    uint8_t equipment_id_len;
    uint8_t fw_core_id[METER_FW_ID_MAX]; /* 1.0.0.2.0.255 active firmware identifier */
    uint8_t fw_core_id_len;
    uint8_t fw_core_sig[METER_FW_ID_MAX]; /* 1.0.0.2.8.255 active firmware signature */
    uint8_t fw_core_sig_len;
    uint8_t fw_module_id[METER_FW_ID_MAX]; /* 1.1.0.2.0.255 module firmware identifier */
    uint8_t fw_module_id_len;

    /* clock (Clock class state; the time itself is the port RTC) */
    cosem_clock_state_t clock;

    /* security and associations */
    dlms_security_context_t sec_mgmt; /* Security setup 0.0.43.0.0.255 */
    dlms_assoc_config_t assoc[METER_ASSOC_COUNT];
    dlms_assoc_config_t *assoc_list[METER_ASSOC_COUNT];
    uint8_t assoc_count; /* 3, or 4 with LLS */

    /* objects */
    cosem_server_t cosem;
    dlms_cosem_services_t services;

    /* metrology (phasor source) and power quality */
    metrology_t metro;
    pq_t pq;
    int64_t now; /* UTC at the end of the step in progress */

    /* registers and tariff */
    meter_energy_t energy;
    meter_instant_t inst;
    uint8_t tariff;        /* in force, 1..tariffs */
    uint8_t tariffs;       /* of the variant */
    uint8_t tariff_ind[2]; /* 0.0.96.14.0.255: {0, tariff} */

    /* tariffication (esmr): activity calendar 0.0.13.0.0.255 with special
     * days 0.0.11.0.0.255; its day actions run scripts 1..tariffs of the
     * tariffication script table 0.0.10.0.100.255, native hooks calling
     * meter_set_tariff(). meter_step runs them (cosem_sched_tick). */
    cosem_activity_calendar_state_t calendar;
    cosem_special_days_state_t special_days;
    cosem_script_table_state_t tariff_scripts;
    bool in_sched; /* inside cosem_sched_tick: its events are stamped `now` */

    /* profiles (profiles.h): slot i holds the profile of the table named
     * meter_prof_spec(variant, i)->ln; prof_obj[i] is NULL when the
     * variant's table lacks it. amr[i] is the AMR profile status of the
     * slot's capture in progress (0.0.96.10.2/4/6.255 show those of the load
     * profile, daily and monthly values), amr_sticky[i] the events of its
     * running interval. The RAM rings come from ram_rows until
     * meter_persist_mount moves the rows to flash. */
    const cosem_object_t *prof_obj[METER_PROF_COUNT];
    cosem_profile_state_t prof[METER_PROF_COUNT];
    cosem_profile_ram_rows_t prof_ram[METER_PROF_COUNT];
    uint8_t amr[METER_PROF_COUNT];
    uint8_t amr_sticky[METER_PROF_COUNT];

    /* billing (billing.h): end of billing by the single action schedule
     * 0.0.15.0.0.255 through script 1 of 0.0.10.0.1.255 */
    meter_billing_t billing;

    /* demand and maximum demand (demand.h) */
    meter_demand_t demand;

    /* event logs and alarms (events.h) */
    uint8_t event_code[METER_LOG_COUNT];     /* 0.0.96.11.x.255 last event code per log */
    uint32_t event_magnitude;                /* 0.0.96.11.20/22.255: 0.1 V or 0.1 % */
    uint32_t event_duration_ms;              /* 0.0.96.11.21.255 */
    uint32_t alarm[METER_ALARM_REGS];        /* 0.0.97.98.0/1/2.255 */
    uint32_t alarm_filter[METER_ALARM_REGS]; /* 0.0.97.98.10/11/12.255 */
    int64_t clock_adjust_seen[2];            /* adjust_old/new already logged */

    /* power failures (events.h): 0.0.96.7.21.255 any phase, 0.0.96.7.9.255
     * long ones, 0.0.96.7.20.255 the long power failure threshold (s),
     * 0.0.96.7.19.255 the duration of the last long one (s) */
    uint16_t power_failures, long_power_failures;
    uint32_t long_pf_threshold_s;
    uint32_t last_pf_duration_s;

    /* communication sessions (events.h): 0.0.96.15.4.255; what each open
     * association did so far (METER_SESSION_* bits, meter_session_end) */
    uint32_t comm_sessions;
    uint32_t comm_sessions_assoc[METER_ASSOC_COUNT];
    uint8_t session_flags[METER_ASSOC_COUNT];
    dlms_cosem_services_t cosem_services; /* the object layer's, wrapped by `services` */

    uint8_t ram_rows[EM_METER_RAM_ROWS_BYTES];

    /* ---- push (h7): Push setup 0.0.25.9.0.255 (scheduled) and
     * 0.1.25.9.0.255 (alarm), lib/cosem/push_setup.h ---- */
    cosem_push_state_t push_sched, push_alarm;
    /* The push schedule 0.0.15.0.4.255 runs script 1 of the push script
     * table 0.0.10.0.108.255 (script 1: scheduled push, 2: alarm push). */
    cosem_single_action_state_t push_schedule;
    cosem_script_table_state_t push_scripts;

    /* ---- upgrade (w1): Image transfer 0.0.44.0.0.255, image activation
     * schedule 0.0.15.0.2.255 and script table 0.0.10.0.107.255 ---- */
    meter_upgrade_t upgrade;
    /* ---- modem and module I/O (w4): the LTE-M module with its
     * communication objects (modem.h), the OMNIPOWER module ports
     * (module_io.h) ---- */
    meter_modem_t modem;
    meter_module_io_t io;
    /* devices (w2): display and button, tamper, login lockout,
     * self-diagnostics (devices.h) */
    meter_devices_t devices;

    /* ---- breaker and prepayment (w3): breaker.h, prepay.h ---- */
    meter_breaker_t breaker;
    meter_prepay_t prepay;

    /* Called after a head-end changed something that must survive a
     * restart (keys, security policy, LLS secret, clock settings). */
    void *hook_user;
    void (*on_persist)(void *user, struct meter *m, const cosem_object_t *obj);
    /* Alarm bits newly raised in alarm register reg (0..2) that pass its
     * filter (the alarm push). */
    void (*on_alarm)(void *user, struct meter *m, unsigned reg, uint32_t bits);
} meter_t;

/* Set up a meter from zero: identity, associations, clock (CET rules with
 * time_zone_min), security policy 3, and the object table of its variant.
 * The caller then loads the keys and counters into m->sec_mgmt (factory
 * values or what it persisted). Metering starts at zero: registers and
 * logs empty, tariff 1, alarm filter all ones, the phasor source at
 * nominal voltage without current (meter_set_load), profiles of the table
 * attached to their RAM rings. Returns 0 or METER_ERR_* / COSEM_ERR_*
 * (COSEM_ERR_PROFILE_*, METROLOGY_ERR_*, PQ_ERR_* from the metering
 * set-up; meter_strerror names them all). */
int meter_init(meter_t *m, const meter_identity_t *id, const em_port_t *port);

/* Tariff in force for the registers from the next record on, 1..the
 * variant's tariff count (METER_ERR_TARIFF otherwise). Also shown by the
 * tariff indicator 0.0.96.14.0.255. */
int meter_set_tariff(meter_t *m, unsigned tariff);

/* The factory calendar (DSMR-like, local time): tariff 2 (normal) Monday
 * to Friday 07:00-23:00, tariff 1 (low) at night and all weekend; one
 * season from 1 January, one week, day profiles 1 (weekday) and 2
 * (weekend, also what a special day names for a holiday). meter_init
 * installs it as the active calendar of a variant with an activity
 * calendar; meter_persist_mount replaces it with a stored one. */
void meter_calendar_default(cosem_calendar_t *cal);

/* A tariff switch of a simple weekly calendar: at hour:minute (local)
 * tariff `tariff` (1..the variant's tariffs) comes in force. */
typedef struct meter_switch {
    uint8_t hour, minute;
    uint8_t tariff;
} meter_switch_t;

/* A calendar of one season and one week: Monday-Friday run `weekday`
 * (n_weekday switches, ascending times), Saturday, Sunday and special
 * days the `weekend` list, each action running script `tariff` of the
 * tariffication script table. METER_ERR_TARIFF for a tariff outside
 * 1..tariffs, METER_ERR_BADARG for an empty or too long list or times
 * out of order. meter_calendar_default is the DSMR one of this form. */
int meter_calendar_weekly(cosem_calendar_t *cal, unsigned tariffs, const meter_switch_t *weekday,
                          size_t n_weekday, const meter_switch_t *weekend, size_t n_weekend);

/* The load the phasor source simulates from the next step on (copied;
 * METROLOGY_ERR_RANGE for impossible values). */
int meter_set_load(meter_t *m, const metrology_phasor_input_t *load);
/* A balanced 3-phase load, ABC sequence: u_rms V, i_rms A, current lagging
 * by phi_deg (cos phi = power factor), freq_hz. */
void meter_load_balanced(metrology_phasor_input_t *load, double u_rms, double i_rms, double phi_deg,
                         double freq_hz);

/* One second of meter time ending at UTC `utc`: the phasor source
 * advances 1 s with the load, the registers take the record, power
 * quality runs and its events go to the PQ log, the profiles capture at
 * their period boundaries, and the monthly billing values at the first
 * step in a new local month (stamped with 00:00 of its first day). */
int meter_tick(meter_t *m, int64_t utc);
/* The same for `seconds` (1..86400) at once: one record for the whole
 * step (exact energy, coarser power quality). Profiles capture once at
 * `utc` if a boundary lies in the step, stamped with the boundary: steps
 * that end on the 15-minute boundaries keep the load profile exact.
 * The time-driven objects (activity calendar) run at the start of the
 * step (cosem_sched_tick), and a step that contains a tariff switching
 * instant is metered as two records split there, so the tariff registers
 * are exact whatever the step. An error of those objects (a day action
 * naming a missing script: COSEM_ERR_SCRIPT_*, or a native's
 * METER_ERR_TARIFF) does not stop the metering: it is returned after the
 * whole step ran. */
int meter_step(meter_t *m, int64_t utc, uint32_t seconds);

/* The object table of a variant (for docs/objects.md and tools). */
const cosem_object_t *meter_objects(enum meter_variant v, size_t *count);

/* Variant name <-> id ("esmr", "omni"). */
const char *meter_variant_name(enum meter_variant v);
int meter_variant_from_name(const char *name, enum meter_variant *out);

/* The end of a session of association `assoc` (released, timed out,
 * closed): one communication session log entry for what it did
 * (meter_comm_session). The DLMS server gets m->services, which note
 * the reads, profile reads and changes of each association. */
int meter_session_end(meter_t *m, unsigned assoc, int64_t utc);

/* Invocation counter shown to clients (0.0.43.1.0.255): see
 * cosem_ic_for_clients(). Bound as a callback in the tables. */
int meter_read_ic(void *app, uint16_t arg, axdr_enc_t *e);

const char *meter_strerror(int err);

#endif /* EMETER_METER_H */
