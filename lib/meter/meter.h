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
#include "meter/events.h"
#include "meter/metrology/metrology.h"
#include "meter/pq.h"
#include "meter/registers.h"
#include "port.h"

#define METER_ERR_BADARG  (-0x0A41) /* NULL pointer or impossible argument */
#define METER_ERR_VARIANT (-0x0A42) /* unknown meter variant */
#define METER_ERR_IDENT   (-0x0A43) /* identity field too long or empty */
#define METER_ERR_TARIFF  (-0x0A44) /* tariff outside 1..the variant's tariff count */
#define METER_ERR_STEP    (-0x0A45) /* step of 0 s or longer than a day */

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

    /* profiles: 1.0.99.1.0.255 load profile, 1.0.99.2.0.255 daily values */
    const cosem_object_t *lp_obj, *daily_obj;
    cosem_profile_state_t lp, daily;
    cosem_profile_ram_rows_t lp_ram, daily_ram;
    uint8_t amr_lp, amr_daily;               /* 0.0.96.10.2.255 / .4.255, as captured */
    uint8_t amr_lp_sticky, amr_daily_sticky; /* events of the running interval */
    uint8_t lp_buf[EM_METER_LP_ENTRIES * METER_LP_ROW];
    uint8_t daily_buf[EM_METER_DAILY_ENTRIES * METER_DAILY_ROW];

    /* billing: 1.0.98.1.0.255 monthly values, captured at local month end */
    const cosem_object_t *monthly_obj;
    cosem_profile_state_t monthly;
    cosem_profile_ram_rows_t monthly_ram;
    uint8_t amr_monthly, amr_monthly_sticky; /* 0.0.96.10.6.255 */
    uint32_t billing_month; /* local year * 12 + month - 1 of the last step, 0: none yet */
    uint8_t monthly_buf[EM_METER_MONTHLY_ENTRIES * METER_MONTHLY_ROW];

    /* event logs and alarms */
    const cosem_object_t *log_obj[METER_LOG_COUNT];
    cosem_profile_state_t logs[METER_LOG_COUNT];
    cosem_profile_ram_rows_t log_ram[METER_LOG_COUNT];
    uint8_t event_code[METER_LOG_COUNT]; /* 0.0.96.11.0/1/5.255 */
    uint8_t std_log_buf[EM_METER_STD_LOG_ENTRIES * METER_LOG_ROW];
    uint8_t fraud_log_buf[EM_METER_FRAUD_LOG_ENTRIES * METER_LOG_ROW];
    uint8_t pq_log_buf[EM_METER_PQ_LOG_ENTRIES * METER_LOG_ROW];
    uint32_t alarm1;              /* 0.0.97.98.0.255 */
    uint32_t alarm_filter1;       /* 0.0.97.98.10.255 */
    int64_t clock_adjust_seen[2]; /* adjust_old/new already logged */

    /* ---- push (h7): Push setup 0.0.25.9.0.255 (scheduled) and
     * 0.1.25.9.0.255 (alarm), lib/cosem/push_setup.h ---- */
    cosem_push_state_t push_sched, push_alarm;

    /* Called after a head-end changed something that must survive a
     * restart (keys, security policy, LLS secret, clock settings). */
    void *hook_user;
    void (*on_persist)(void *user, struct meter *m, const cosem_object_t *obj);
    /* Alarm bits newly raised that pass alarm filter 1 (alarm push). */
    void (*on_alarm)(void *user, struct meter *m, uint32_t bits);
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

/* End of a billing period now (UTC utc): captures the monthly billing
 * values with the AMR monthly status. meter_step calls it at each local
 * month start; a future end-of-billing schedule can call it instead. */
int meter_billing_close(meter_t *m, int64_t utc);

/* The object table of a variant (for docs/objects.md and tools). */
const cosem_object_t *meter_objects(enum meter_variant v, size_t *count);

/* Variant name <-> id ("esmr", "omni"). */
const char *meter_variant_name(enum meter_variant v);
int meter_variant_from_name(const char *name, enum meter_variant *out);

/* Invocation counter shown to clients (0.0.43.1.0.255): see
 * cosem_ic_for_clients(). Bound as a callback in the tables. */
int meter_read_ic(void *app, uint16_t arg, axdr_enc_t *e);

const char *meter_strerror(int err);

#endif /* EMETER_METER_H */
