/*
 * module_io.c - the OMNIPOWER module I/O ports, their counters and the
 * load control outputs (see module_io.h; seed 004 "Configuration –
 * software" Z3, Z8, Z12, Z13, Z14; registers DLMS UA Blue Book class 3,
 * data class 1).
 */
#include "meter/module_io.h"

#include <string.h>

#include "cosem/calendar_eval.h"
#include "meter/meter.h"
#include "meter/objects_metering.h"

#define APP meter_t

/* ---- the Z3 table ------------------------------------------------------------------- */

typedef struct z3_row {
    uint8_t code;
    uint8_t fn[2];
    uint8_t inv; /* bit 0: port 1 inverted, bit 1: port 2 */
} z3_row_t;

#define R(code, f1, f2, inv)                                                                       \
    { (code), {METER_IO_##f1, METER_IO_##f2}, (inv) }
static const z3_row_t z3_table[] = {
    R(0, NONE, NONE, 0),
    R(1, TARIFF4_B0, TARIFF4_B1, 0),
    R(2, TARIFF4_B0, TARIFF4_B1, 3),
    R(3, PULSE_IN, ALARM_IN, 0),
    R(4, PULSE_IN, ALARM_IN, 2),
    R(5, PULSE_IN, A_PLUS_OUT, 0),
    R(6, R_PLUS_OUT, A_PLUS_OUT, 0),
    R(7, TARIFF2, ALARM_IN, 0),
    R(8, TARIFF2, ALARM_IN, 1),
    R(9, TARIFF2, ALARM_IN, 2),
    R(10, TARIFF2, ALARM_IN, 3),
    R(11, TARIFF2, A_PLUS_OUT, 0),
    R(12, TARIFF2, A_PLUS_OUT, 1),
    R(13, PULSE_IN, TARIFF2, 0),
    R(14, PULSE_IN, TARIFF2, 2),
    R(15, DEBIT_STOP_IN, NONE, 0),
    R(16, A_MINUS_OUT, A_PLUS_OUT, 0),
    R(17, LOAD_CTRL_IN, STATUS_OUT, 0),
    R(18, PULSE_IN, LOAD_SYNC_OUT, 0),
    R(19, PULSE_IN, LOAD_SYNC_OUT, 1),
    R(20, PULSE_IN, LOAD_SYNC_OUT, 2),
    R(21, PULSE_IN, LOAD_SYNC_OUT, 3),
    R(22, TARIFF4_B0, TARIFF4_B1, 0),
    R(23, TARIFF4_B0, TARIFF4_B1, 3),
    R(26, LC1_OUT, LC2_OUT, 0),
    R(27, PULSE_IN, LC1_OUT, 0),
    R(28, PULSE_IN, LC_CHANGE_OUT, 0),
};
#undef R

static const z3_row_t *z3_find(uint8_t code) {
    for (size_t i = 0; i < sizeof(z3_table) / sizeof(z3_table[0]); i++)
        if (z3_table[i].code == code)
            return &z3_table[i];
    return NULL;
}

static bool is_output(uint8_t fn) {
    return fn >= METER_IO_A_PLUS_OUT;
}

/* ---- table definitions ---------------------------------------------------------------- */

enum io_arg {
    ARG_IN = 0,
    ARG_OUT,
    ARG_Z3,
    ARG_Z8,
    ARG_Z12,
    ARG_Z13,
    ARG_PLAN,
    ARG_PULSES0, /* .. ARG_PULSES0 + 3 */
    ARG_HOURS = ARG_PULSES0 + 4,
    ARG_DEBIT_STOPS,
    ARG_THRESHOLD_COUNT,
    ARG_ALARMS,
    ARG_THRESHOLD,
};

/* Configuration: read by the management client, written ciphered. */
const cosem_access_t meter_acc_io_cfg = {
    .read = COSEM_ALL, .write = COSEM_BIT(2), .auth = COSEM_BIT(2)};

const cosem_data_def_t meter_def_io_in = {COSEM_CALL(meter_io_read, NULL, ARG_IN)};
const cosem_data_def_t meter_def_io_out = {COSEM_CALL(meter_io_read, NULL, ARG_OUT)};
const cosem_data_def_t meter_def_io_z3 = {COSEM_CALL(meter_io_read, meter_io_write, ARG_Z3)};
const cosem_data_def_t meter_def_io_z8 = {COSEM_CALL(meter_io_read, meter_io_write, ARG_Z8)};
const cosem_data_def_t meter_def_io_z12 = {COSEM_CALL(meter_io_read, meter_io_write, ARG_Z12)};
const cosem_data_def_t meter_def_io_z13 = {COSEM_CALL(meter_io_read, meter_io_write, ARG_Z13)};
const cosem_data_def_t meter_def_io_plan = {COSEM_CALL(meter_io_read, meter_io_write, ARG_PLAN)};
/* Unit 19 is the litre in the Blue Book unit list (Gurux DLMS_UNIT
 * VOLUME_LITER: U), 13 the cubic metre. */
#define UNIT_M3    13u
#define UNIT_LITRE 19u
const cosem_register_def_t meter_def_io_pulses[4] = {
    {COSEM_CALL(meter_io_read, NULL, ARG_PULSES0), 0, COSEM_UNIT_NONE},
    {COSEM_CALL(meter_io_read, NULL, ARG_PULSES0 + 1), 0, COSEM_UNIT_WH},
    {COSEM_CALL(meter_io_read, NULL, ARG_PULSES0 + 2), -3, UNIT_M3},
    {COSEM_CALL(meter_io_read, NULL, ARG_PULSES0 + 3), 0, UNIT_LITRE},
};
const cosem_register_def_t meter_def_io_hours = {COSEM_CALL(meter_io_read, NULL, ARG_HOURS), 0,
                                                 COSEM_UNIT_HOUR};
const cosem_register_def_t meter_def_io_debit_stops = {
    COSEM_CALL(meter_io_read, NULL, ARG_DEBIT_STOPS), 0, COSEM_UNIT_NONE};
const cosem_register_def_t meter_def_io_threshold_count = {
    COSEM_CALL(meter_io_read, NULL, ARG_THRESHOLD_COUNT), 0, COSEM_UNIT_NONE};
const cosem_register_def_t meter_def_io_alarms = {COSEM_CALL(meter_io_read, NULL, ARG_ALARMS), 0,
                                                  COSEM_UNIT_NONE};
const cosem_register_def_t meter_def_io_threshold = {
    COSEM_CALL(meter_io_read, meter_io_write, ARG_THRESHOLD), 0, COSEM_UNIT_W};

/* ---- behaviour ------------------------------------------------------------------------ */

void meter_module_io_init(meter_t *m) {
    meter_module_io_t *io = &m->io;
    memset(io, 0, sizeof(*io));
    io->z8 = 1;
}

uint8_t meter_io_function(const meter_t *m, unsigned port, bool *inverted) {
    const z3_row_t *r = m != NULL ? z3_find(m->io.z3) : NULL;
    if (inverted != NULL)
        *inverted = false;
    if (r == NULL || port < 1 || port > METER_IO_PORTS)
        return METER_IO_NONE;
    if (inverted != NULL)
        *inverted = (r->inv >> (port - 1)) & 1u;
    uint8_t fn = r->fn[port - 1];
    /* Z8: the alarm input only when enabled (2 or 4). */
    if (fn == METER_IO_ALARM_IN && m->io.z8 != 2 && m->io.z8 != 4)
        return METER_IO_NONE;
    return fn;
}

/* The effective (inversion applied) level of the port with function fn. */
static bool effective(const meter_t *m, uint8_t fn, bool *found) {
    for (unsigned p = 1; p <= METER_IO_PORTS; p++) {
        bool inv;
        if (meter_io_function(m, p, &inv) == fn) {
            *found = true;
            return (m->io.level[p - 1] != 0) != inv;
        }
    }
    *found = false;
    return false;
}

/* The tariff the inputs select, 0 when they do not control it. */
static unsigned input_tariff(const meter_t *m) {
    if (m->io.z13 != 1)
        return 0;
    bool f0, f1, f2;
    bool b0 = effective(m, METER_IO_TARIFF4_B0, &f0);
    bool b1 = effective(m, METER_IO_TARIFF4_B1, &f1);
    bool t2 = effective(m, METER_IO_TARIFF2, &f2);
    unsigned t = 0;
    if (f0 && f1)
        t = 1u + (b0 ? 1u : 0u) + (b1 ? 2u : 0u);
    else if (f2)
        t = t2 ? 2u : 1u;
    return t > m->tariffs ? m->tariffs : t;
}

static void apply_tariff(meter_t *m) {
    unsigned t = input_tariff(m);
    if (t != 0 && t != m->tariff)
        (void)meter_set_tariff(m, t);
}

int meter_io_configure(meter_t *m, uint8_t z3, uint8_t z8, uint8_t z12, uint8_t z13) {
    if (m == NULL)
        return METER_IO_ERR_ARG;
    if (z3_find(z3) == NULL || z8 < 1 || z8 > 4 || z12 > 3 || z13 > 2)
        return METER_IO_ERR_VALUE;
    m->io.z3 = z3;
    m->io.z8 = z8;
    m->io.z12 = z12;
    m->io.z13 = z13;
    apply_tariff(m);
    return 0;
}

int meter_io_input(meter_t *m, unsigned port, unsigned level, int64_t utc) {
    if (m == NULL || port < 1 || port > METER_IO_PORTS || level > 1)
        return METER_IO_ERR_ARG;
    bool inv;
    uint8_t fn = meter_io_function(m, port, &inv);
    if (fn == METER_IO_NONE || is_output(fn))
        return METER_IO_ERR_DIR;
    meter_module_io_t *io = &m->io;
    bool before = (io->level[port - 1] != 0) != inv;
    io->level[port - 1] = (uint8_t)level;
    bool after = (level != 0) != inv;
    bool rising = after && !before;
    switch (fn) {
    case METER_IO_PULSE_IN:
        if (rising)
            io->pulses++;
        break;
    case METER_IO_ALARM_IN:
        if (rising)
            io->alarms++;
        io->alarm_active = after;
        break;
    case METER_IO_DEBIT_STOP_IN:
        if (rising) {
            io->debit_stops++;
            (void)meter_billing_close(m, utc);
        }
        break;
    case METER_IO_LOAD_CTRL_IN:
        for (unsigned p = 1; p <= METER_IO_PORTS; p++)
            if (meter_io_function(m, p, NULL) == METER_IO_STATUS_OUT)
                io->out[p - 1] = after ? 1u : 0u;
        break;
    default: /* tariff inputs */
        apply_tariff(m);
        break;
    }
    return 0;
}

uint8_t meter_io_outputs(const meter_t *m) {
    if (m == NULL)
        return 0;
    return (uint8_t)((m->io.out[0] ? 1u : 0u) | (m->io.out[1] ? 2u : 0u));
}

/* Inside the daily window [on, off) of local minutes (across midnight
 * when off < on; never when on == off). */
static bool in_plan(uint16_t on, uint16_t off, uint32_t minute) {
    if (on == off)
        return false;
    return on < off ? minute >= on && minute < off : minute >= on || minute < off;
}

void meter_module_io_step(meter_t *m, int64_t utc, uint32_t seconds) {
    meter_module_io_t *io = &m->io;
    io->supply_s += seconds;
    /* power threshold counter (A+): upward crossings */
    bool above = io->threshold_w != 0 && m->inst.p_plus_w > io->threshold_w;
    if (above && !io->above_threshold)
        io->threshold_count++;
    io->above_threshold = above;
    /* pulse outputs: one pulse per Wh / varh */
    static const uint8_t ereg[3] = {METER_E_A_PLUS, METER_E_R_PLUS, METER_E_A_MINUS};
    uint32_t wh[3], delta[3];
    for (unsigned k = 0; k < 3; k++) {
        wh[k] = meter_energy_wh(&m->energy, ereg[k]);
        delta[k] = io->started ? wh[k] - io->wh_seen[k] : 0;
        io->wh_seen[k] = wh[k];
    }
    io->started = true;
    int64_t wall = cosem_wall_of(&m->clock, utc);
    uint32_t minute = (uint32_t)(((wall % 86400) + 86400) % 86400 / 60);
    for (unsigned p = 1; p <= METER_IO_PORTS; p++) {
        bool inv;
        uint8_t fn = meter_io_function(m, p, &inv);
        uint32_t n = 0;
        bool on = false;
        switch (fn) {
        case METER_IO_A_PLUS_OUT:
            n = delta[0];
            break;
        case METER_IO_R_PLUS_OUT:
            n = delta[1];
            break;
        case METER_IO_A_MINUS_OUT:
            n = delta[2];
            break;
        case METER_IO_LOAD_SYNC_OUT:
            on = (m->tariff == 1) != inv;
            break;
        case METER_IO_LC1_OUT:
            on = io->lc_enabled && in_plan(io->lc_on[0], io->lc_off[0], minute);
            break;
        case METER_IO_LC2_OUT:
        case METER_IO_LC_CHANGE_OUT:
            on = io->lc_enabled && in_plan(io->lc_on[1], io->lc_off[1], minute);
            break;
        case METER_IO_STATUS_OUT:
            on = io->out[p - 1] != 0; /* follows the load control input */
            break;
        default:
            break;
        }
        if (fn == METER_IO_A_PLUS_OUT || fn == METER_IO_R_PLUS_OUT || fn == METER_IO_A_MINUS_OUT) {
            io->out_pulses[p - 1] += n;
            on = n != 0;
        }
        io->out[p - 1] = on ? 1u : 0u;
    }
    apply_tariff(m);
}

/* ---- COSEM callbacks ------------------------------------------------------------------ */

int meter_io_read(void *app, uint16_t arg, axdr_enc_t *e) {
    const meter_t *m = app;
    const meter_module_io_t *io = &m->io;
    switch (arg) {
    case ARG_IN:
        return axdr_put_uint8(e, (uint8_t)((io->level[0] ? 1u : 0u) | (io->level[1] ? 2u : 0u)));
    case ARG_OUT:
        return axdr_put_uint8(e, meter_io_outputs(m));
    case ARG_Z3:
        return axdr_put_uint8(e, io->z3);
    case ARG_Z8:
        return axdr_put_uint8(e, io->z8);
    case ARG_Z12:
        return axdr_put_uint8(e, io->z12);
    case ARG_Z13:
        return axdr_put_uint8(e, io->z13);
    case ARG_PLAN: {
        int rc = axdr_put_structure(e, 5);
        rc |= axdr_put_boolean(e, io->lc_enabled);
        for (unsigned i = 0; i < 2; i++) {
            rc |= axdr_put_uint16(e, io->lc_on[i]);
            rc |= axdr_put_uint16(e, io->lc_off[i]);
        }
        return rc;
    }
    case ARG_HOURS:
        return axdr_put_uint32(e, (uint32_t)(io->supply_s / 3600u));
    case ARG_DEBIT_STOPS:
        return axdr_put_uint32(e, io->debit_stops);
    case ARG_THRESHOLD_COUNT:
        return axdr_put_uint32(e, io->threshold_count);
    case ARG_ALARMS:
        return axdr_put_uint32(e, io->alarms);
    case ARG_THRESHOLD:
        return axdr_put_uint32(e, io->threshold_w);
    default:
        if (arg >= ARG_PULSES0 && arg < ARG_PULSES0 + 4)
            return axdr_put_uint32(e, io->z12 == arg - ARG_PULSES0 ? io->pulses : 0u);
        return DLMS_DAR_OBJECT_UNAVAILABLE;
    }
}

int meter_io_write(void *app, uint16_t arg, axdr_dec_t *d) {
    meter_t *m = app;
    meter_module_io_t *io = &m->io;
    if (arg == ARG_THRESHOLD) {
        uint32_t v;
        if (axdr_get_uint32(d, &v) != 0 || !cosem_dec_done(d))
            return DLMS_DAR_TYPE_UNMATCHED;
        io->threshold_w = v;
        io->above_threshold = false;
        return 0;
    }
    if (arg == ARG_PLAN) {
        uint32_t n;
        bool en;
        uint16_t t[4];
        if (axdr_get_structure(d, &n) != 0 || n != 5 || axdr_get_boolean(d, &en) != 0)
            return DLMS_DAR_TYPE_UNMATCHED;
        for (unsigned i = 0; i < 4; i++)
            if (axdr_get_uint16(d, &t[i]) != 0)
                return DLMS_DAR_TYPE_UNMATCHED;
        if (!cosem_dec_done(d))
            return DLMS_DAR_TYPE_UNMATCHED;
        for (unsigned i = 0; i < 4; i++)
            if (t[i] >= 1440)
                return DLMS_DAR_OTHER_REASON;
        io->lc_enabled = en;
        io->lc_on[0] = t[0];
        io->lc_off[0] = t[1];
        io->lc_on[1] = t[2];
        io->lc_off[1] = t[3];
        return 0;
    }
    uint8_t v;
    if (axdr_get_uint8(d, &v) != 0 || !cosem_dec_done(d))
        return DLMS_DAR_TYPE_UNMATCHED;
    uint8_t z3 = io->z3, z8 = io->z8, z12 = io->z12, z13 = io->z13;
    switch (arg) {
    case ARG_Z3:
        z3 = v;
        break;
    case ARG_Z8:
        z8 = v;
        break;
    case ARG_Z12:
        z12 = v;
        break;
    case ARG_Z13:
        z13 = v;
        break;
    default:
        return DLMS_DAR_READ_WRITE_DENIED;
    }
    return meter_io_configure(m, z3, z8, z12, z13) == 0 ? 0 : DLMS_DAR_OTHER_REASON;
}

const char *meter_io_fn_name(uint8_t fn) {
    static const char *const names[] = {"none",
                                        "tariff4-bit0",
                                        "tariff4-bit1",
                                        "tariff2",
                                        "pulse-in",
                                        "alarm-in",
                                        "debit-stop",
                                        "load-control-in",
                                        "a-plus-out",
                                        "r-plus-out",
                                        "a-minus-out",
                                        "status-out",
                                        "load-tariff-sync",
                                        "load-control-1",
                                        "load-control-2",
                                        "load-control-change"};
    return fn < sizeof(names) / sizeof(names[0]) ? names[fn] : "?";
}

const char *meter_module_io_strerror(int err) {
    switch (err) {
    case METER_IO_ERR_ARG:
        return "module I/O: invalid argument (port 1 or 2, level 0 or 1)";
    case METER_IO_ERR_VALUE:
        return "module I/O: configuration code not in the Z3/Z8/Z12/Z13 tables";
    case METER_IO_ERR_DIR:
        return "module I/O: the port is not an input in this configuration";
    default:
        return "module I/O: unknown error";
    }
}
