/*
 * runtime.h - the virtual meter process: one meter, its state directory,
 * its listeners, until SIGTERM (power failure: save, exit 0).
 */
#ifndef EMETER_APP_RUNTIME_H
#define EMETER_APP_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "meter/meter.h"

#define EMETER_MAX_P1 4 /* --p1 outputs (P1PORT_MAX_OUTPUTS) */

typedef struct emeter_options {
    const char *config_path; /* NULL: defaults */
    const char *state_dir;   /* default ./var/emeter */
    const char *variant;     /* overrides the config when set */
    const char *listen[CFG_MAX_LISTEN];
    size_t listen_count; /* overrides the config when > 0 */
    const char *hdlc;    /* optical port: "pty" or a serial device; NULL: none */
    const char *readout; /* optical port readout list (OBIS codes, comma-separated) */
    uint64_t seed;       /* load simulator household, when seed_set (overrides the config) */
    int seed_set;
    uint32_t speed; /* simulated time runs this many times faster (0 or 1: real time) */
    const char *p1[EMETER_MAX_P1]; /* P1 port outputs: "pty", "tcp:HOST:PORT", a device */
    size_t p1_count;               /* overrides the config when > 0 */
    const char *control;           /* control API "HOST:PORT" or "off"; NULL: config/default */
    int fleet_index;               /* >= 0: meter fleet_index of a fleet (fleet.c); -1: alone */
} emeter_options_t;

#define EMETER_SPEED_MAX 100000u

/* ---- the running meter, for the ports and the operator control API ----
 * (apps/emeter/p1port.c, control.c). One runtime per process. */
typedef struct runtime runtime_t;

/* The meter and the instant its values are for (its simulated UTC, up to
 * which it has run), the meter's clock (the RTC: simulated time now), and
 * the speed of simulated time. */
const meter_t *runtime_meter(const runtime_t *rt);
int64_t runtime_meter_utc(const runtime_t *rt);
int64_t runtime_clock(const runtime_t *rt);
uint32_t runtime_speed(const runtime_t *rt);

/* What the operator overrides now (NAN: the load simulator's value). */
typedef struct runtime_inputs {
    double voltage[3];   /* V */
    double current_a[3]; /* A */
    double angle_deg[3]; /* current lag */
    bool pulse;          /* a sag or swell is running or waiting */
    bool pulse_swell;
    uint8_t pulse_phase; /* 1..3, 0 = all */
    double pulse_pct;    /* depth (sag) or rise (swell) in % */
    int64_t pulse_from;  /* UTC, the pulse covers [from, until) */
    int64_t pulse_until;
    bool mains;           /* false during an outage */
    int64_t outage_until; /* UTC the mains come back */
} runtime_inputs_t;
void runtime_inputs(const runtime_t *rt, runtime_inputs_t *out);

/* Operator inputs. They take the meter's own paths: the meter first runs
 * up to its clock, then
 *  - an outage is the power-fail interrupt (meter_persist_power_down: event
 *    1, clean commit, DLMS connections dropped), `seconds` of simulated time
 *    without metering, then power up (meter_persist_power_up: event 2,
 *    power-down AMR bits);
 *  - voltages, sags/swells and currents change the phasor input of the
 *    metrology (meter_set_load) for each step, so power quality sees them
 *    as it sees the simulated grid; a pulse is metered in 1 s steps;
 *  - speed re-bases the RTC model; a time set is a clock adjustment (the
 *    RTC moves, events 4 and 5, as a DLMS clock set).
 * Each returns 0, or -1 with the reason in err when the meter's state does
 * not allow it (an outage during an outage, a pulse while one runs). */
int runtime_outage(runtime_t *rt, uint32_t seconds, char *err, size_t errlen);
int runtime_set_voltage(runtime_t *rt, const double v[3], char *err, size_t errlen);
int runtime_pulse(runtime_t *rt, uint8_t phase, bool swell, double pct, uint32_t duration_ms,
                  char *err, size_t errlen);
int runtime_set_load(runtime_t *rt, bool auto_all, const double current_a[3],
                     const double angle_deg[3], char *err, size_t errlen);
int runtime_set_speed(runtime_t *rt, uint32_t speed, char *err, size_t errlen);
int runtime_set_time(runtime_t *rt, int64_t utc, char *err, size_t errlen);

/* Runs the meter. Returns the process exit status: 0 after SIGTERM/SIGINT,
 * 2 for a configuration or state error (message printed), 1 otherwise. */
int emeter_run(const emeter_options_t *opt);

#endif /* EMETER_APP_RUNTIME_H */
