/*
 * diagnostics.h - the meter's self-diagnostics (seed 000 §3.3.11 "Self
 * Diagnostic": memory consistency, meter accuracy, RTC abnormal reset
 * recording, program memory consistency), reported as the error register
 * 0.0.97.97.0.255 (class 1, double-long-unsigned), events 6 and 12-16 of
 * the standard event log (dlms-facts §2.6) and, through the meter's event
 * table, the alarm register 1 bits (events.c: 12 -> METER_ALARM_PROGRAM_
 * MEMORY, 13 RAM, 14 NV_MEMORY, 15 WATCHDOG, 16 MEASUREMENT, 6
 * CLOCK_INVALID).
 *
 * Error register layout: no public DSMR/IDIS source in dlms-facts gives
 * the bits of 0.0.97.97.0.255, so it uses the layout of alarm register 1
 * (dlms-facts §2.7, seed 000 table 4 "Other Alarms" / "Critical Alarms"):
 *   bit 0  clock invalid (RTC abnormal reset)        METER_ALARM_CLOCK_INVALID
 *   bit 8  program memory error (image digest)       METER_ALARM_PROGRAM_MEMORY
 *   bit 9  RAM error                                 METER_ALARM_RAM
 *   bit 10 NV memory error (storage CRC)             METER_ALARM_NV_MEMORY
 *   bit 11 measurement system error (plausibility)   METER_ALARM_MEASUREMENT
 *   bit 12 watchdog error                            METER_ALARM_WATCHDOG
 * so a head-end reads the two registers the same way. Unlike the alarm
 * register, the error register shows the PRESENT state: a periodic check
 * sets its bit when it fails and clears it when it passes again (storage
 * repaired, image restored, measurements plausible). The two incident bits
 * (watchdog reset, RTC abnormal reset) stay until diag_clear (the head-end
 * resets the register, the clock is set). The event is written once per
 * raise, not on every failing run.
 *
 * Checks:
 *  - storage (every storage_period_s): ops.storage_check walks the
 *    persistent records and their CRCs: 0 intact, > 0 damaged, < 0 could
 *    not check (counted as damaged). Event 14.
 *  - program image (every image_period_s): ops.image_digest computes the
 *    digest of the running image (on the host: SHA-256 of the executable)
 *    and the module compares it with the reference taken at diag_init
 *    (passed in, e.g. the factory digest, or computed then). Event 12.
 *  - RAM (every ram_period_s): the reference digest is kept together with
 *    its complement; a mismatch means the RAM holding it changed under the
 *    program; plus ops.ram_check when the platform has a march test. While
 *    the reference itself is damaged the image check is skipped. Event 13.
 *  - watchdog: diag_watchdog_reset at start when the port reports a
 *    watchdog reset. Event 15.
 *  - RTC abnormal reset (diag_rtc_check at start): the RTC says its time
 *    is invalid, or it is before the last instant the meter saved before
 *    going down (time went backwards across the restart), or outside
 *    [rtc_min_utc, rtc_max_utc) (2000-01-01, seed 000 §3.3.4 "earliest
 *    time stamp ... 01-01-2000", to 2100-01-01). Event 6 clock invalid.
 *  - measurement plausibility (diag_measures, each 1 s record), skipped
 *    while metrology says it is settling. A record is implausible when:
 *      RANGE      a voltage, current or apparent power is negative, not a
 *                 number or infinite, or a voltage is above v_max;
 *      FREQUENCY  some phase has voltage (>= v_present) but the frequency
 *                 is invalid or outside [f_min, f_max] (40-70 Hz);
 *      POWER      a phase or the total has |PF| > 1 + pf_tol, or a phase
 *                 has |P| > S (1 + pf_tol) + s_abs_va (S = Urms Irms bounds
 *                 |P| by Cauchy-Schwarz, harmonics included);
 *      ENERGY     the net active energy of the totals (A+ - A-) differs
 *                 from the sum of the per-phase nets (A+Lx - A-Lx) by more
 *                 than energy_tol_uwh + energy_tol_ppm of the energy moved
 *                 (both sides integrate the same element powers, in
 *                 net-sum or per-element mode; only the µWh carries
 *                 differ), or a register delta is negative.
 *    persist_records implausible records in a row raise the error (one bad
 *    second from a transient does not), as many plausible ones clear it.
 *    Event 16.
 *
 * Time: now_ms (monotonic) schedules the periodic checks; utc stamps the
 * events. The first diag_tick runs every periodic check.
 */
#ifndef EMETER_METER_DIAGNOSTICS_H
#define EMETER_METER_DIAGNOSTICS_H

#include <stdbool.h>
#include <stdint.h>

#include "emeter_config.h"
#include "meter/events.h"
#include "meter/metrology/measures.h"

/* Errors: -0x0AD0..-0x0ADF of the meter application range. */
#define DIAG_ERR_BADARG (-0x0AD1) /* NULL pointer */
#define DIAG_ERR_CONFIG (-0x0AD2) /* period 0, tolerance or range invalid */
#define DIAG_ERR_DIGEST (-0x0AD3) /* the reference digest could not be computed */

/* Event codes (dlms-facts §2.6, standard event log). */
#define DIAG_EV_CLOCK_INVALID  6u
#define DIAG_EV_PROGRAM_MEMORY 12u
#define DIAG_EV_RAM            13u
#define DIAG_EV_NV_MEMORY      14u
#define DIAG_EV_WATCHDOG       15u
#define DIAG_EV_MEASUREMENT    16u

/* Error register bits: the alarm register 1 layout (see above). */
#define DIAG_ERROR_MASK                                                                            \
    (METER_ALARM_CLOCK_INVALID | METER_ALARM_PROGRAM_MEMORY | METER_ALARM_RAM |                    \
     METER_ALARM_NV_MEMORY | METER_ALARM_MEASUREMENT | METER_ALARM_WATCHDOG)

/* Why the last record was implausible (diag_measurement_reasons). */
#define DIAG_MEAS_RANGE     0x01u
#define DIAG_MEAS_FREQUENCY 0x02u
#define DIAG_MEAS_POWER     0x04u
#define DIAG_MEAS_ENERGY    0x08u

typedef struct diag_ops {
    int (*storage_check)(void *user); /* NULL: no storage check */
    int (*image_digest)(void *user, uint8_t digest[EM_DIAG_DIGEST_LEN]); /* NULL: none */
    int (*ram_check)(void *user); /* optional march test: 0 ok */
    void (*event)(void *user, uint8_t code, int64_t utc);
    void *user;
} diag_ops_t;

typedef struct diag_cfg {
    uint32_t storage_period_s; /* 3600 */
    uint32_t image_period_s;   /* 3600 */
    uint32_t ram_period_s;     /* 600 */
    float v_present;           /* V: 40 (a phase with voltage) */
    float v_max;               /* V: 600 (element voltage a 230/400 V meter cannot see) */
    float f_min, f_max;        /* Hz: 40, 70 */
    float pf_tol;              /* 0.02 */
    float s_abs_va;            /* VA: 2 (no-load noise) */
    uint32_t energy_tol_uwh;   /* 1000 µWh per record */
    uint32_t energy_tol_ppm;   /* 10000 (1 %) of the energy moved */
    uint16_t persist_records;  /* 10 */
    int64_t rtc_min_utc;       /* 946684800: 2000-01-01 */
    int64_t rtc_max_utc;       /* 4102444800: 2100-01-01 */
} diag_cfg_t;

typedef struct diag {
    diag_cfg_t cfg;
    diag_ops_t ops;
    uint8_t ref[EM_DIAG_DIGEST_LEN];     /* reference image digest */
    uint8_t ref_inv[EM_DIAG_DIGEST_LEN]; /* its complement (RAM check) */
    bool has_ref;
    bool started;    /* first tick done */
    uint32_t errors; /* error register */
    uint64_t next_storage_ms, next_image_ms, next_ram_ms;
    uint16_t bad_run, good_run;
    uint8_t meas_reasons;
} diag_t;

void diag_cfg_default(diag_cfg_t *cfg);

/* ref_digest: the reference image digest (factory), or NULL to take it now
 * from ops.image_digest (DIAG_ERR_DIGEST when that fails). Without
 * ops.image_digest there is no image check. ops.event is required. */
int diag_init(diag_t *g, const diag_cfg_t *cfg, const diag_ops_t *ops, const uint8_t *ref_digest);

/* Runs the periodic checks that are due. Returns the error register, or a
 * negative error. */
int64_t diag_tick(diag_t *g, uint64_t now_ms, int64_t utc);

/* Single checks (also what diag_tick runs): 1 failed, 0 passed (or not
 * configured), negative error. */
int diag_check_storage(diag_t *g, int64_t utc);
int diag_check_image(diag_t *g, int64_t utc);
int diag_check_ram(diag_t *g, int64_t utc);

/* Start-up checks. diag_rtc_check: 1 abnormal (the meter marks its clock
 * invalid), 0 normal. last_utc: the last instant saved before going down
 * (0: none known). */
int diag_rtc_check(diag_t *g, int64_t utc, int64_t last_utc, bool rtc_valid);
int diag_watchdog_reset(diag_t *g, int64_t utc);

/* One metrology record. Returns 1 when it was implausible, 0 when not (or
 * skipped while settling). */
int diag_measures(diag_t *g, const metrology_measures_t *m, int64_t utc);
uint8_t diag_measurement_reasons(const diag_t *g);

uint32_t diag_error_register(const diag_t *g);
/* Clears error register bits (head-end reset, clock set). A condition
 * still present is raised again by its next check. */
void diag_clear(diag_t *g, uint32_t bits);

const char *diag_strerror(int err);

#endif /* EMETER_METER_DIAGNOSTICS_H */
