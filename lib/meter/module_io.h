/*
 * module_io.h - the OMNIPOWER module area's two I/O ports (seed 004,
 * "Configuration – software": Z3 primary module configuration, Z8 pulse
 * out length / alarm input, Z12 unit for pulse input, Z13 tariff schedule
 * "module port control", Z14 load control plan), the hour counter,
 * debiting stop counter and power threshold counter (A+) of its debiting
 * logger list, and the S0 pulse output (the metrology LED: port.h
 * led_pulse, seed 004 "S0 only as LED not as output").
 *
 * ---- Z3: what each port does ----------------------------------------------------------
 *
 *   code  I/O 1                      I/O 2
 *   00    -                          -
 *   01/02 4-tariff bit 0 (02 inv.)   4-tariff bit 1 (02 inv.)
 *   03    pulse input                alarm input
 *   04    pulse input                alarm input inverted
 *   05    pulse input                A+ output
 *   06    R+ output                  A+ output
 *   07-10 2-tariff (08, 10 inv.)     alarm input (09, 10 inv.)
 *   11/12 2-tariff (12 inv.)         A+ output
 *   13/14 pulse input                2-tariff (14 inv.)
 *   15    debiting stop pulse        -
 *   16    A- output ("A output")     A+ output
 *   17    load control input         status control output (follows the input)
 *   18-21 pulse input (19, 21 inv.)  load tariff synchronisation (20, 21 inv.)
 *   22/23 4-tariff synchronisation load control (bits 0/1; 23 inverted)
 *   26    load control 1             load control 2
 *   27    pulse input                load control (plan 1)
 *   28    pulse input                change between load control 1 and 2
 *                                    (read here: on while plan 2's window is open)
 *   24, 25 and above 28 are refused (not in the table).
 *
 * Inputs are driven through meter_io_input(m, port, level, utc) (the
 * operator API): the electrical level; an inverted function reads it
 * negated. Effects at the edge:
 *   - tariff inputs: with Z13 = 1 (module port control) the tariff in
 *     force becomes 1 + bit0 + 2 x bit1 (4-tariff, clamped to the
 *     variant's tariffs) or 1 + level (2-tariff) through meter_set_tariff;
 *     the inputs are re-applied every step, and the activity calendar's
 *     switches do nothing while Z13 = 1 (the tariffication script's
 *     native in objects_metering.c), so every µWh goes to the input's
 *     tariff;
 *   - pulse input: each rising edge counts one pulse; the count shows in
 *     the register 0.1.24.2.e.255 whose unit Z12 selects (e = Z12: 0 no
 *     unit, 1 active energy {0, Wh}, 2 volume {-3, m³}: one pulse = 1 L,
 *     3 {0, litre}); the other three read 0 (a class 3 scaler_unit is
 *     fixed per object);
 *   - alarm input (Z8 2 or 4): a rising edge counts into 0.0.96.15.3.255
 *     and sets the alarm input state;
 *   - debiting stop pulse: a rising edge counts into the debiting stop
 *     counter and closes the debiting period (meter_billing_close: Z7
 *     "None (externally controlled)");
 *   - load control input: the status control output follows it.
 * Outputs are state (meter_io_outputs, 0.0.96.3.2.255): A+ / R+ / A-
 * pulse outputs count one pulse per Wh / varh (1000 imp/kWh, the S0 rate
 * of seed 004) with the Z8 pulse length of 30 or 80 ms; the level shown
 * is "pulsing in the last step"; load control outputs follow the load
 * control plan (0.0.96.3.132.255: two daily windows in local minutes, Z14
 * register control when enabled); load tariff synchronisation is on
 * while tariff 1 is in force.
 *
 * Counters (class 3 registers): hour counter 0.0.96.8.0.255 (hours with
 * supply), debiting stop counter 0.0.96.15.1.255, power threshold counter
 * (A+) 0.0.96.15.2.255 (times P+ rose above the threshold 1.0.1.35.0.255,
 * W, writable), alarm input counter 0.0.96.15.3.255.
 *
 * Errors: -0x0AF8..-0x0AFF (meter_module_io_strerror).
 */
#ifndef EMETER_METER_MODULE_IO_H
#define EMETER_METER_MODULE_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

struct meter;

#define METER_IO_ERR_ARG   (-0x0AF8) /* NULL pointer, port not 1 or 2 */
#define METER_IO_ERR_VALUE (-0x0AF9) /* configuration code not in its table */
#define METER_IO_ERR_DIR   (-0x0AFA) /* the port is not an input in this configuration */

#define METER_IO_PORTS 2u

enum meter_io_fn {
    METER_IO_NONE = 0,
    METER_IO_TARIFF4_B0, /* 4-tariff input, bit 0 */
    METER_IO_TARIFF4_B1, /* 4-tariff input, bit 1 */
    METER_IO_TARIFF2,    /* 2-tariff input */
    METER_IO_PULSE_IN,
    METER_IO_ALARM_IN,
    METER_IO_DEBIT_STOP_IN,
    METER_IO_LOAD_CTRL_IN,
    METER_IO_A_PLUS_OUT, /* first output function */
    METER_IO_R_PLUS_OUT,
    METER_IO_A_MINUS_OUT,
    METER_IO_STATUS_OUT,
    METER_IO_LOAD_SYNC_OUT,
    METER_IO_LC1_OUT,
    METER_IO_LC2_OUT,
    METER_IO_LC_CHANGE_OUT,
};

typedef struct meter_module_io {
    /* configuration (0.0.96.3.128..132.255) */
    uint8_t z3, z8, z12, z13;
    bool lc_enabled;      /* Z14: register control */
    uint16_t lc_on[2];    /* load control plan windows, local minutes 0..1439 */
    uint16_t lc_off[2];   /* on == off: never */
    uint32_t threshold_w; /* 1.0.1.35.0.255 */

    /* state */
    uint8_t level[METER_IO_PORTS]; /* electrical input levels as driven */
    uint8_t out[METER_IO_PORTS];   /* output levels */
    bool alarm_active;
    bool above_threshold;

    /* counters */
    uint32_t pulses;          /* pulse input */
    uint32_t alarms;          /* alarm input edges */
    uint32_t debit_stops;     /* debiting stop counter */
    uint32_t threshold_count; /* power threshold counter (A+) */
    uint64_t supply_s;        /* hour counter, in seconds */
    uint64_t out_pulses[METER_IO_PORTS];
    uint32_t wh_seen[3]; /* A+, R+, A- at the last step (pulse outputs) */
    bool started;
} meter_module_io_t;

/* ---- the table rows (objects_omni.c) ----------------------------------------- */

extern const cosem_data_def_t meter_def_io_in, meter_def_io_out, meter_def_io_z3, meter_def_io_z8,
    meter_def_io_z12, meter_def_io_z13, meter_def_io_plan;
extern const cosem_register_def_t meter_def_io_pulses[4], meter_def_io_hours,
    meter_def_io_debit_stops, meter_def_io_threshold_count, meter_def_io_alarms,
    meter_def_io_threshold;
extern const cosem_access_t meter_acc_io_cfg;

#define METER_MODULE_IO_OBJECTS                                                                    \
    DATA(0, 0, 96, 3, 1, meter_def_io_in, meter_acc_ro),                                           \
        DATA(0, 0, 96, 3, 2, meter_def_io_out, meter_acc_ro),                                      \
        DATA(0, 0, 96, 3, 128, meter_def_io_z3, meter_acc_io_cfg),                                 \
        DATA(0, 0, 96, 3, 129, meter_def_io_z8, meter_acc_io_cfg),                                 \
        DATA(0, 0, 96, 3, 130, meter_def_io_z12, meter_acc_io_cfg),                                \
        DATA(0, 0, 96, 3, 131, meter_def_io_z13, meter_acc_io_cfg),                                \
        DATA(0, 0, 96, 3, 132, meter_def_io_plan, meter_acc_io_cfg),                               \
        REG(0, 1, 24, 2, 0, meter_def_io_pulses[0]), REG(0, 1, 24, 2, 1, meter_def_io_pulses[1]),  \
        REG(0, 1, 24, 2, 2, meter_def_io_pulses[2]), REG(0, 1, 24, 2, 3, meter_def_io_pulses[3]),  \
        REG(0, 0, 96, 8, 0, meter_def_io_hours), REG(0, 0, 96, 15, 1, meter_def_io_debit_stops),   \
        REG(0, 0, 96, 15, 2, meter_def_io_threshold_count),                                        \
        REG(0, 0, 96, 15, 3, meter_def_io_alarms), REG_RW(1, 0, 1, 35, 0, meter_def_io_threshold)

/* ---- API ------------------------------------------------------------------------------ */

/* Factory state: Z3 00 (no function), Z8 1 (30 ms, alarm input disabled),
 * Z12 0, Z13 0 (tariffs not from the module), no load control, threshold
 * 0 (counter off), counters 0. */
void meter_module_io_init(struct meter *m);
/* Configure (the factory configuration or the operator): 0, or
 * METER_IO_ERR_VALUE (z3 not in the Z3 table, z8 not 1..4, z12 not 0..3,
 * z13 not 0..2). */
int meter_io_configure(struct meter *m, uint8_t z3, uint8_t z8, uint8_t z12, uint8_t z13);
/* Drive input port 1 or 2 to level (0/1) at utc: 0, METER_IO_ERR_ARG or
 * METER_IO_ERR_DIR (the port is an output or unused). */
int meter_io_input(struct meter *m, unsigned port, unsigned level, int64_t utc);
/* Function of port 1 or 2 in the current configuration (enum
 * meter_io_fn) and whether it reads inverted. */
uint8_t meter_io_function(const struct meter *m, unsigned port, bool *inverted);
/* Output levels, bit 0 port 1, bit 1 port 2 (0.0.96.3.2.255). */
uint8_t meter_io_outputs(const struct meter *m);
/* Per-step work (meter_step): hour counter, threshold counter, pulse
 * outputs, load control, tariff inputs. */
void meter_module_io_step(struct meter *m, int64_t utc, uint32_t seconds);
const char *meter_io_fn_name(uint8_t fn);
const char *meter_module_io_strerror(int err);

/* COSEM callbacks of the rows (arg: which value). */
int meter_io_read(void *app, uint16_t arg, axdr_enc_t *e);
int meter_io_write(void *app, uint16_t arg, axdr_dec_t *d);

#endif /* EMETER_METER_MODULE_IO_H */
