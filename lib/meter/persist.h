/*
 * persist.h - the meter's state in power-fail safe flash (lib/store), so
 * nothing a head-end reads is lost on a power failure.
 *
 * Flash layout (one place: meter_persist_layout), in whole sectors from
 * sector 0 of the port's flash:
 *
 *   records   EM_METER_PERSIST_RECORD_SECTORS sectors, the record journal:
 *             energy (µWh counters + the commit time + a clean power-down
 *             flag), status (alarm registers and filters, tariff, last
 *             event codes, AMR interval bits, power failure and session
 *             counters), power quality (sag/swell thresholds and counters,
 *             last sag/swell), demand (running periods, maxima, cumulative
 *             maxima), billing (end-of-billing schedule, last end, counter);
 *   rings     one store ring per profile of the variant's table, in slot
 *             order (profiles.h), sized with store_ring_sectors_needed for
 *             the slot's row size and depth. Every captured row is durable
 *             when the capture returns (meter_profile_flash_init).
 *   image     upgrade (w1): EM_METER_PERSIST_IMAGE_BYTES in whole sectors,
 *             the firmware image Image transfer 0.0.44.0.0.255 receives
 *             (upgrade.h); its state is the record REC_IMAGE;
 *   settings  EM_METER_PERSIST_CAL_SECTORS sectors, a second record
 *             journal for what changes only when a head-end programs it:
 *             the active calendar, the passive calendar with
 *             activate_passive_calendar_time, the special days table (each
 *             up to ~700 bytes), and one configuration record per profile
 *             slot (capture_period, profile_entries; capture_objects too
 *             for the slots whose columns a head-end may change: the load
 *             profile, the definable load profile, the analysis logger).
 *             Kept apart so the garbage collection of the journal written
 *             every second moves only the few records that change.
 *
 * The layout depends on the variant (its profiles); the host keeps one
 * image per meter and names the variant with it (apps/emeter).
 *
 * Policy: meter_persist_tick() after every meter_tick commits every
 * commit_period_s (EM_METER_PERSIST_COMMIT_PERIOD_S, 1 s on the host), and
 * meter_persist_commit() after every change a head-end makes. With the 1 s
 * period every value a client can read is durable before the next request
 * is served: registers never decrease across a restart, whatever the
 * instant of the cut (with a longer period, at most one period of energy
 * is lost). Writes of an
 * unchanged record cost nothing (lib/store skips them), so a commit
 * usually programs only the energy record. A torn or corrupt record reads
 * as its previous copy; any damage a store reports becomes the NV-memory
 * error event 14 in the standard log and alarm bit 10.
 */
#ifndef EMETER_METER_PERSIST_H
#define EMETER_METER_PERSIST_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/profile_rows.h"
#include "emeter_config.h"
#include "meter/profile_flash.h"
#include "meter/profiles.h"
#include "port.h"
#include "store/record.h"

struct meter;

/* Errors: -0x0A50..-0x0A5F of the meter application range; store errors
 * (STORE_ERR_*) and profile errors are passed on. */
#define METER_PERSIST_ERR_BADARG   (-0x0A51) /* NULL pointer */
#define METER_PERSIST_ERR_GEOMETRY (-0x0A52) /* the flash is smaller than the layout */

/* Sector ranges of the meter's flash. */
typedef struct meter_persist_layout {
    uint32_t records_first, records_sectors;
    uint32_t ring_first[METER_PROF_COUNT]; /* profile slots (profiles.h); 0 sectors: none */
    uint32_t ring_sectors[METER_PROF_COUNT];
    uint32_t cal_first, cal_sectors; /* tariff journal, after the rings */
    uint32_t sectors;                /* total used, from sector 0 */

    /* upgrade (w1): the firmware image region, between the rings and the
     * tariff journal */
    uint32_t image_first, image_sectors;
} meter_persist_layout_t;

/* Health and cost counters (since mount). */
typedef struct meter_persist_stats {
    uint32_t commits;     /* meter_persist_commit calls that succeeded */
    uint32_t nv_errors;   /* NV-memory error events logged */
    uint32_t last_errors; /* errors of the last failed commit (0: none) */
} meter_persist_stats_t;

typedef struct meter_persist {
    struct meter *m;
    const em_port_t *port;
    meter_persist_layout_t layout;
    store_records_t rec;
    store_records_t cal_rec; /* the tariff journal: calendars, special days */
    meter_profile_flash_t pf[METER_PROF_COUNT];
    cosem_profile_rows_t rows[METER_PROF_COUNT];
    bool restored;            /* the flash held a meter state at mount */
    bool clean_power_down;    /* ... and its last commit was meter_persist_power_down */
    int64_t last_commit_utc;  /* time of the last commit (at mount: found in flash; 0: none) */
    uint32_t commit_period_s; /* meter_persist_tick period, EM_METER_PERSIST_COMMIT_PERIOD_S */
    meter_persist_stats_t stats;
} meter_persist_t;

/* The layout of a variant (enum meter_variant: its profiles have rings)
 * for a flash geometry (sector_count is not looked at): 0, or
 * STORE_ERR_GEOMETRY when a ring does not fit the sector size. */
int meter_persist_layout(const em_flash_geometry_t *geo, unsigned variant,
                         meter_persist_layout_t *out);

/* Sectors the layout of a variant needs for geo's sector size and program
 * unit (0 when it cannot be laid out): what a host sizes its flash image
 * with. */
uint32_t meter_persist_sectors_needed(const em_flash_geometry_t *geo, unsigned variant);

/* Mount the meter's flash and resume: the records and rings are mounted
 * (formatted when new), the profiles of m's table move to their flash
 * rings with the configuration last stored (else their defaults), and the
 * registers, alarm register and filter, tariff, last event codes, power
 * quality thresholds and counters, billing month, activity calendars and
 * special days take their stored values (a stored calendar that does not
 * decode, or an active one that is not consistent, leaves meter_init's).
 * Periodic profiles continue from the last commit, so an outage over a
 * period boundary captures once at the first tick. Damage the stores
 * found is logged as event 14 at utc (alarm bit 10). Call after
 * meter_init and before the first tick. 0 or a METER_PERSIST_ERR_*,
 * STORE_ERR_* or profile error. */
int meter_persist_mount(meter_persist_t *p, struct meter *m, const em_port_t *port, int64_t utc);

/* Start-up after a mount: when the meter stopped without
 * meter_persist_power_down (a crash or a cut without hold-up), power down
 * event 1 stamped with the last commit time; then power up event 2 (and
 * the power-down AMR bits) at utc through meter_power_up(), and a commit. */
int meter_persist_power_up(meter_persist_t *p, int64_t utc);

/* Make the meter's state durable as of UTC utc: each record is written
 * (synced) when it changed. Also turns store damage found meanwhile into
 * event 14. 0 or a STORE_ERR_* code (the next commit tries again). */
int meter_persist_commit(meter_persist_t *p, int64_t utc);

/* The periodic commit: commits when commit_period_s have passed since the
 * last commit (or the clock went back), else does nothing; a period of 0
 * or 1 commits at every call. Call after every meter_tick. 0, or the
 * errors of meter_persist_commit. */
int meter_persist_tick(meter_persist_t *p, int64_t utc);

/* The power-fail interrupt: power down event 1 at utc, then a commit that
 * marks the stop as clean (the next power up logs no second event 1). */
int meter_persist_power_down(meter_persist_t *p, int64_t utc);

const char *meter_persist_strerror(int err);

#endif /* EMETER_METER_PERSIST_H */
