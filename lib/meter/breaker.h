/*
 * breaker.h - the meter's supply breaker: Disconnect control 0.0.96.3.10.255
 * (class 70), Limiter 0.0.17.0.0.255 (class 71), the disconnect Script
 * table 0.0.10.0.106.255 (class 9) whose native scripts 1 and 2 are the
 * local disconnect / reconnect, the smart-disconnect supervision
 * (over-current, over-power, over-voltage, loss of neutral), the local
 * button and the relay output (em_port_t.relay). Blue Book "Disconnect
 * control" / "Limiter" (IEC 62056-6-2:2017 4.5.8 / 4.5.9); the class
 * modules are lib/cosem/disconnect_control.h and limiter.h, the wiring
 * choices docs/breaker.md ("In the meter").
 *
 * Availability: the omni variant always has the breaker; esmr only when
 * meter_identity_t.breaker is set (the runtime's "breaker": true). Both
 * tables carry the rows (METER_BREAKER_OBJECTS) with wrapper classes whose
 * present() hook reads meter_breaker_t.enabled: absent objects are
 * invisible to every association and cannot be referenced by scripts or
 * limiters.
 *
 * The relay: every transition of Disconnect control drives the port's
 * relay output (closed exactly in "connected"), writes the event code of
 * the transition to the disconnector control log (METER_LOG_BREAKER; omni
 * only: esmr has no such log) and, while open, the metrology sees no
 * current (meter_set_load keeps the voltages and zeroes the currents), so
 * energy stops. The relay is bistable: the state persists (record
 * REC_BREAKER) and a restore re-drives the relay output to the restored
 * position without running the hook (no event).
 */
#ifndef EMETER_METER_BREAKER_H
#define EMETER_METER_BREAKER_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "cosem/disconnect_control.h"
#include "cosem/limiter.h"
#include "meter/metrology/metrology.h"

struct meter;
struct meter_identity;

/* Manufacturer-specific disconnector log codes (230-249 range; pq uses
 * 230-234): the supervision condition that opened the breaker. The
 * disconnect itself is logged as 64 "local disconnection". */
#define METER_EV_BREAKER_LIMITER_OVER 65u  /* limiter threshold exceeded */
#define METER_EV_BREAKER_LIMITER_OK   66u  /* limiter threshold ok */
#define METER_EV_BREAKER_OVER_CURRENT 240u /* supervision: over-current */
#define METER_EV_BREAKER_OVER_POWER   241u /* supervision: over-power */
#define METER_EV_BREAKER_OVER_VOLTAGE 242u /* supervision: over-voltage */
#define METER_EV_BREAKER_NEUTRAL_LOSS 243u /* supervision: loss of neutral */
#define METER_EV_BREAKER_PREPAY       244u /* prepayment: out of credit */

/* Supervision conditions (bit n of sup_active / index of sup_since). */
enum meter_sup_cond {
    METER_SUP_OVER_CURRENT = 0,
    METER_SUP_OVER_POWER = 1,
    METER_SUP_OVER_VOLTAGE = 2,
    METER_SUP_NEUTRAL_LOSS = 3,
    METER_SUP_COUNT = 4,
};

/* Smart disconnect thresholds (meter configuration, not COSEM attributes;
 * a threshold of 0 switches its condition off). A condition that holds for
 * its duration opens the breaker by a local disconnect (g: connected ->
 * ready_for_reconnection). Over-voltage and loss of neutral are measured
 * on the supply side, so they are still seen with the relay open: when
 * they have been gone for restore_s the breaker reconnects locally (h,
 * control modes 5 and 6; the other modes wait for the button). Over-current
 * and over-power cannot be seen while open: the consumer reconnects. */
typedef struct meter_supervision_cfg {
    uint16_t over_current_ca; /* any phase current above, 0.01 A (0: off) */
    uint32_t over_current_s;
    uint32_t over_power_w; /* total import active power above, W (0: off) */
    uint32_t over_power_s;
    uint16_t over_voltage_dv; /* any phase voltage above, 0.1 V (0: off) */
    uint32_t over_voltage_s;
    bool neutral_loss;  /* disconnect on the pq loss-of-neutral detection */
    uint32_t neutral_s; /* on top of pq's own detection time */
    uint32_t restore_s; /* over-voltage / neutral gone that long: local reconnect */
} meter_supervision_cfg_t;

typedef struct meter_breaker {
    bool enabled;                  /* the objects exist (omni, or esmr with the breaker option) */
    bool in_step;                  /* inside meter_breaker_step: events are stamped m->now */
    bool in_limiter;               /* inside the limiter tick: scripts 1/2 wait ... */
    uint8_t limiter_pending;       /* ... in here until its event is logged */
    cosem_disconnect_state_t disc; /* 0.0.96.3.10.255 */
    cosem_limiter_state_t limiter; /* 0.0.17.0.0.255 */
    cosem_script_table_state_t scripts; /* 0.0.10.0.106.255 */
    meter_supervision_cfg_t sup;
    uint8_t sup_tripped;                /* conditions that opened the breaker (bits) */
    int64_t sup_since[METER_SUP_COUNT]; /* condition seen since (0: not seen) */
    int64_t sup_clear_since;            /* tripped voltage conditions gone since */
    bool prepay_inhibit;                /* prepayment wants the supply off */
    bool relay_closed;                  /* position last driven to the port */
    uint32_t transitions;               /* since power-up */
    metrology_phasor_input_t load;      /* the load asked for (meter_set_load) */
} meter_breaker_t;

/* Defaults: control mode 5 (seed 004: remote and manual disconnection,
 * reconnection confirmed by the button or locally), limiter monitoring
 * 1.0.1.7.0.255 (P+) with no thresholds, min over 60 s / under 300 s and
 * actions script 1 / 2 of 0.0.10.0.106.255; supervision: over-current 1.1 x 63 A (seed 004's
 * breaker variant is 5(63) A: 69 A) for 10 s,
 * over-voltage 1.2 x Un (276 V) for 5 s, loss of neutral after pq's
 * detection, over-power off, restore after 60 s. */
void meter_supervision_default(meter_supervision_cfg_t *cfg);

/* From meter_init: the objects' factory state, enabled per variant and
 * identity, the relay output driven closed. */
void meter_breaker_init(struct meter *m, const struct meter_identity *id);

/* From meter_step (after the metering of the step, at its end utc): the
 * limiter tick (events 65/66), the supervision, the prepayment level. */
int meter_breaker_step(struct meter *m, int64_t utc);

/* The load the metrology sees: `load` as it is while the relay is closed,
 * its voltages without currents while open (meter_set_load). */
int meter_breaker_set_load(struct meter *m, const metrology_phasor_input_t *load);

/* After a restore of the state (persist): re-drives the relay output and
 * the metrology to the restored position, without the hook (no event). */
void meter_breaker_restored(struct meter *m);

/* A long press of the push button (the devices glue calls it): in
 * ready_for_reconnection a manual reconnect (e), unless the prepayment or a
 * supervision condition still holds the supply off; in connected a manual
 * disconnect (f, control modes 1, 2, 5). 1 when the breaker moved, 0 when
 * the mode or state does not allow it, or a negative error. */
int meter_breaker_button(struct meter *m);

/* Local disconnect / reconnect by a function of the meter (prepayment,
 * supervision, the limiter's scripts): 1 moved, 0 not allowed, < 0 error. */
int meter_breaker_local(struct meter *m, bool disconnect);

/* The breaker's state for displays and the operator API. */
bool meter_breaker_present(const struct meter *m);
bool meter_breaker_closed(const struct meter *m);
uint8_t meter_breaker_control_state(const struct meter *m);

/* Persistence (lib/meter/persist.c, record REC_BREAKER): encode into b
 * (METER_BREAKER_REC_LEN bytes at most), restore from a record (false when
 * it does not decode: the factory state stays). */
#define METER_BREAKER_REC_LEN 128u
size_t meter_breaker_encode(const struct meter *m, uint8_t *b);
bool meter_breaker_decode(struct meter *m, const uint8_t *b, size_t len);

/* Wrapper classes of the table rows: the class of the module plus a
 * present() that reads meter_breaker_t.enabled. */
extern const cosem_class_t meter_class_disconnect_control, meter_class_limiter,
    meter_class_breaker_scripts;
extern const cosem_disconnect_def_t meter_def_breaker;
extern const cosem_limiter_def_t meter_def_limiter;
extern const cosem_script_table_def_t meter_def_breaker_scripts;
extern const cosem_access_t meter_acc_breaker, meter_acc_limiter;

/* The table rows (both variants, before the event logs). Management client
 * only: read in clear or ciphered, control_mode / limiter settings written
 * and the methods invoked over ciphered requests only. */
#define METER_BREAKER_OBJECTS                                                                      \
    {&meter_class_disconnect_control,                                                              \
     COSEM_OBIS(0, 0, 96, 3, 10, 255),                                                             \
     &meter_def_breaker,                                                                           \
     {[METER_ASSOC_MANAGEMENT] = &meter_acc_breaker}},                                             \
        {&meter_class_limiter,                                                                     \
         COSEM_OBIS(0, 0, 17, 0, 0, 255),                                                          \
         &meter_def_limiter,                                                                       \
         {[METER_ASSOC_MANAGEMENT] = &meter_acc_limiter}},                                         \
    {                                                                                              \
        &meter_class_breaker_scripts, COSEM_OBIS(0, 0, 10, 0, 106, 255),                           \
            &meter_def_breaker_scripts, {                                                          \
            [METER_ASSOC_MANAGEMENT] = &meter_acc_script                                           \
        }                                                                                          \
    }

#endif /* EMETER_METER_BREAKER_H */
