/*
 * display.h - the meter's display and push button: one model for the 3x16
 * dot-matrix LCD of the ESMR-style meter (seed 000, §3.3.9 "Button" and
 * §3.3.16 "Display Introduction") and the segment LCD of the
 * OMNIPOWER-style meter (seed 004, "Display", "Breaker", "Configuration -
 * software" Z1), chosen by a profile (timings, resolution, layout).
 *
 * Modes (seed 000 §3.3.16, figure 9 "Display process"):
 *   power-on  the legal firmware version for 5 s, then auto-scroll (cover
 *             closed) or service mode (cover open);
 *   auto      the automatic list, one item per 5 s (esmr) / 10 s (omni,
 *             seed 004 "automatic shift function ... every 10 seconds");
 *   manual    entered by the button; each press shows the next item of the
 *             manual list; back to auto 30 s (esmr) / 2 min (omni) after the
 *             last press;
 *   service   while the terminal cover is open (esmr): the service list
 *             (the manual list when the service list is empty), next item
 *             every 5 s or on a press, energy with 0.001 kWh resolution;
 *   battery   (omni) without supply a press lights the display on the
 *             battery list; each press shows the next item; off again after
 *             battery_timeout_ms without a press;
 *   off       no supply (and no battery list or its timeout ran out).
 *
 * Button (display_button, edges with their instants): esmr "both short
 * and long press ... turn into manual scroll mode or show next display
 * index" (seed 000 §3.3.9): both are SHORT. omni: a short press scrolls; a
 * press held for long_press_ms is reported as DISPLAY_PRESS_LONG and does
 * not scroll: the meter uses it for the local disconnect / reconnect of
 * the breaker (seed 004 "Breaker": "disconnection can be carried out
 * locally by activating the meter's push button"), which the disconnect
 * control mode allows or not. The press is classified on release.
 *
 * Lists: each item is a COSEM attribute (class id, logical name, attribute
 * index, data index 0) plus a display format. Values come from the meter
 * through ops.read (the lead implements it as an internal COSEM GET). The
 * COSEM side of a list is the capture_objects attribute (3) of a Profile
 * generic (class 7) readout object, Blue Book OBIS group C = 21:
 *   0.0.21.0.1.255  General display readout   = automatic list
 *   0.0.21.0.2.255  Alternate display readout = manual (button) list
 *   0.0.21.0.3.255  Service display readout   = service-mode list
 *   0.0.21.0.5.255  Additional readout profile 1 = battery list (no
 *                   standard code exists for it; chosen, see docs/devices.md)
 * display_list_encode / display_list_write encode and decode that
 * attribute: array of capture_object_definition structure {class_id
 * long-unsigned, logical_name octet-string[6], attribute_index integer,
 * data_index long-unsigned}.
 *
 * Legal readings (seed 004: "it is not possible to deselect legal
 * readings"; seed 000 §3.2 legal registers): the configuration names them
 * (default total A+ 1.0.1.8.0.255 and A- 1.0.2.8.0.255, attribute 2) and
 * the lists that must hold them; a list SET without every one of them is
 * REFUSED (other-reason), the list stays as it was. Refusing keeps the
 * client's view and the meter's list identical (adding them silently
 * would make a GET differ from the SET just done).
 *
 * Rendering (display_render): three NUL-terminated lines of at most 16
 * characters.
 *   esmr  line 0: OBIS code ("1.8.0", or "A-B:C.D.E" when A.B != 1.0)
 *         line 1: value and unit, right aligned ("12345.678 kWh")
 *         line 2: status (see below)
 *   omni  line 0: the 9-digit value field and the unit field
 *         line 1: the 7-digit identification field: "C.D.E"
 *         line 2: status
 * Status line columns: 0-1 tariff "T1".."T4"; 3-4 quadrant "Q1".."Q4";
 * 6-9 phases "L123" (a missing phase shows '-', reversed sequence "L132");
 * 11 '!' tamper; 12 'E' error; 13 breaker 'O' open / 'I' closed; 14 'B'
 * battery low; 15 signal level '0'..'4' (blank without modem). The same
 * state is available as a bit set (display_symbols, DISPLAY_SYM_*).
 *
 * Energy (units Wh, varh, VAh) is shown in k-units with the decimals
 * setting of seed 004 Z1 (7.0, 6.1, 7.2, 6.3: integer digits.decimals),
 * 0.001 in service mode; truncated, never rounded up (a legal register
 * must not show energy not yet registered), and counted modulo the integer
 * digits like a register rolling over.
 */
#ifndef EMETER_METER_DISPLAY_H
#define EMETER_METER_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlms/axdr.h"
#include "emeter_config.h"

/* Errors: -0x0AB0..-0x0ABF of the meter application range. */
#define DISPLAY_ERR_BADARG (-0x0AB1) /* NULL pointer, unknown list or variant */
#define DISPLAY_ERR_CONFIG (-0x0AB2) /* timing 0, decimals setting or legal list invalid */
#define DISPLAY_ERR_LIST   (-0x0AB3) /* more items than the list holds */
#define DISPLAY_ERR_ITEM   (-0x0AB4) /* item invalid: class 0, attribute < 1, data index */
#define DISPLAY_ERR_LEGAL  (-0x0AB5) /* a legal reading is missing from the list */
#define DISPLAY_ERR_READ   (-0x0AB6) /* ops.read failed (the value line shows "Err") */

#define DISPLAY_LINES 3
#define DISPLAY_COLS  16

enum display_variant {
    DISPLAY_VARIANT_ESMR = 0, /* seed 000: 3x16 dot matrix */
    DISPLAY_VARIANT_OMNI = 1, /* seed 004: segments, 9-digit value, 7-digit id */
};

enum display_mode {
    DISPLAY_MODE_OFF = 0,
    DISPLAY_MODE_POWER_ON = 1,
    DISPLAY_MODE_AUTO = 2,
    DISPLAY_MODE_MANUAL = 3,
    DISPLAY_MODE_SERVICE = 4,
    DISPLAY_MODE_BATTERY = 5,
};

enum display_list_id {
    DISPLAY_LIST_AUTO = 0,    /* 0.0.21.0.1.255, EM_DISPLAY_AUTO_MAX items */
    DISPLAY_LIST_MANUAL = 1,  /* 0.0.21.0.2.255, EM_DISPLAY_MANUAL_MAX */
    DISPLAY_LIST_SERVICE = 2, /* 0.0.21.0.3.255, EM_DISPLAY_MANUAL_MAX */
    DISPLAY_LIST_BATTERY = 3, /* 0.0.21.0.5.255, EM_DISPLAY_BATTERY_MAX */
    DISPLAY_LIST_COUNT = 4,
};

/* Decimals in display (seed 004 "Configuration - software" Z1; the
 * values are the order codes). */
enum display_decimals {
    DISPLAY_DEC_7_0 = 1,
    DISPLAY_DEC_6_1 = 2,
    DISPLAY_DEC_7_2 = 3,
    DISPLAY_DEC_6_3 = 4,
};

/* What a button press was (display_button on the release edge). */
enum display_press {
    DISPLAY_PRESS_NONE = 0,  /* no press ended (press edge, bounce) */
    DISPLAY_PRESS_SHORT = 1, /* scrolls (esmr: every press) */
    DISPLAY_PRESS_LONG = 2,  /* omni: held >= long_press_ms; the meter acts (breaker) */
};

/* display_item_t.format */
#define DISPLAY_FMT_AUTO   0xFFu /* energy units: the decimals setting; else -scaler, 0..3 */
#define DISPLAY_FMT_ENERGY 0xFEu /* value in Wh-like units shown in k-units, setting's decimals */
/* 0..3: that many decimals of the value in its own unit */

typedef struct display_item {
    uint16_t class_id;   /* interface class of the object */
    uint8_t obis[6];     /* logical name */
    int8_t attr;         /* attribute index, >= 1 */
    uint16_t data_index; /* 0: the whole attribute (the only value accepted) */
    uint8_t format;      /* DISPLAY_FMT_* or 0..3 decimals */
} display_item_t;

typedef struct display_list {
    display_item_t items[EM_DISPLAY_MANUAL_MAX];
    uint8_t count;
} display_list_t;

enum display_value_kind {
    DISPLAY_VALUE_NUMBER = 0, /* value * 10^scaler in unit */
    DISPLAY_VALUE_TEXT = 1,   /* text[0..text_len) shown as it is */
};

/* What ops.read returns for one item. */
typedef struct display_value {
    uint8_t kind;  /* enum display_value_kind */
    int8_t scaler; /* Blue Book scaler_unit */
    uint8_t unit;  /* Blue Book unit enum (COSEM_UNIT_*), 255 none */
    int64_t value; /* integer value */
    uint8_t text_len;
    char text[DISPLAY_COLS];
} display_value_t;

typedef struct display_ops {
    /* Value of one item: 0, or a negative error (the item shows "Err").
     * out is zeroed before the call. */
    int (*read)(void *user, const display_item_t *item, display_value_t *out);
    void *user;
} display_ops_t;

/* Behaviour of one display variant. display_profile_default fills it. */
typedef struct display_profile {
    uint8_t variant;             /* enum display_variant: layout of the lines */
    uint32_t power_on_ms;        /* firmware version shown: 5000 */
    uint32_t auto_ms;            /* per auto item: 5000 esmr, 10000 omni */
    uint32_t manual_timeout_ms;  /* back to auto: 30000 esmr, 120000 omni */
    uint32_t service_ms;         /* per service item: 5000 */
    uint32_t long_press_ms;      /* long press threshold: 2000 (chosen) */
    uint32_t battery_timeout_ms; /* battery list off again: 30000 (chosen) */
    bool service_mode;           /* cover open -> service mode (esmr) */
    bool battery_list;           /* press without supply -> battery list (omni) */
    bool long_press_outcome;     /* long press reported, not scrolled (omni) */
} display_profile_t;

typedef struct display_cfg {
    display_profile_t profile;
    uint8_t decimals;                /* enum display_decimals */
    char firmware[DISPLAY_COLS + 1]; /* legal firmware version (power-on) */
    display_item_t legal[EM_DISPLAY_LEGAL_MAX];
    uint8_t legal_count;
    uint8_t legal_lists; /* bit (1 << list id): lists that must hold every legal item */
} display_cfg_t;

/* Meter state the symbols show, set by the meter (display_set_status). */
#define DISPLAY_SIGNAL_NONE 0xFFu /* no modem: no antenna symbol */
typedef struct display_status {
    uint8_t tariff;   /* 0 none, 1..4 */
    uint8_t quadrant; /* 0 none (no load), 1..4 */
    uint8_t signal;   /* 0..4 bars, DISPLAY_SIGNAL_NONE */
    uint8_t phases;   /* bit k: voltage present on L(k+1) */
    uint8_t sequence; /* 0 unknown, 1 L1L2L3, 2 L1L3L2 (metrology_sequence) */
    bool tamper;      /* tamper symbol (tamper_symbol()) */
    bool error;       /* critical internal error (diag error register) */
    bool breaker_present;
    bool breaker_open;
    bool battery_low;
    bool prepayment;
} display_status_t;

/* display_symbols() bits */
#define DISPLAY_SYM_T1             (1u << 0) /* T2..T4: bits 1..3 */
#define DISPLAY_SYM_Q1             (1u << 4) /* Q2..Q4: bits 5..7 */
#define DISPLAY_SYM_IMPORT         (1u << 8) /* Q1 or Q4: +A */
#define DISPLAY_SYM_EXPORT         (1u << 9) /* Q2 or Q3: -A */
#define DISPLAY_SYM_TAMPER         (1u << 10)
#define DISPLAY_SYM_BREAKER_OPEN   (1u << 11)
#define DISPLAY_SYM_BREAKER_CLOSED (1u << 12)
#define DISPLAY_SYM_ERROR          (1u << 13)
#define DISPLAY_SYM_BATTERY        (1u << 14)
#define DISPLAY_SYM_ANTENNA        (1u << 15) /* modem present */
#define DISPLAY_SYM_SIGNAL1        (1u << 16) /* bars 2..4: bits 17..19; level n lights 1..n */
#define DISPLAY_SYM_L1             (1u << 20) /* L2, L3: bits 21, 22 */
#define DISPLAY_SYM_SEQ_123        (1u << 23) /* rotation L1L2L3 */
#define DISPLAY_SYM_SEQ_132        (1u << 24) /* rotation L1L3L2 */
#define DISPLAY_SYM_PREPAYMENT     (1u << 25)
#define DISPLAY_SYM_SERVICE        (1u << 26) /* service mode */
#define DISPLAY_SYM_MANUAL         (1u << 27) /* manual scroll mode */

typedef struct display {
    display_cfg_t cfg;
    display_ops_t ops;
    display_list_t list[DISPLAY_LIST_COUNT];
    display_status_t status;
    uint8_t mode;       /* enum display_mode */
    uint8_t cur_list;   /* list shown */
    uint8_t index;      /* item shown */
    bool powered;       /* between display_power_up and display_power_down */
    bool cover_open;    /* terminal cover (display_cover) */
    bool pressed;       /* button held */
    uint64_t since_ms;  /* current item shown since */
    uint64_t press_ms;  /* last press edge */
    uint64_t active_ms; /* last completed press (manual/battery timeouts) */
} display_t;

/* Profile and configuration of a variant: the seed timings, decimals 7.0,
 * legal readings A+ and A- (class 3, attr 2), required in the auto list
 * (esmr) / the manual list (omni, seed 004). firmware is left empty. */
int display_profile_default(display_profile_t *p, uint8_t variant);
int display_cfg_default(display_cfg_t *cfg, uint8_t variant);

/* Checks cfg and starts with empty lists, display off, no supply. */
int display_init(display_t *d, const display_cfg_t *cfg, const display_ops_t *ops);

/* Capacity of a list (EM_DISPLAY_*_MAX), 0 for an unknown id. */
size_t display_list_capacity(uint8_t list_id);

/* Replaces a list (configuration, or a decoded SET). DISPLAY_ERR_LIST too
 * many, DISPLAY_ERR_ITEM, DISPLAY_ERR_LEGAL: the list stays as it was. */
int display_list_set(display_t *d, uint8_t list_id, const display_item_t *items, size_t count);
const display_list_t *display_list_get(const display_t *d, uint8_t list_id);

/* Supply back (power-on mode for power_on_ms) / gone (off; battery list on
 * a press when the profile has one). */
int display_power_up(display_t *d, uint64_t now_ms);
int display_power_down(display_t *d, uint64_t now_ms);

/* Terminal cover state (raw input; service mode when the profile has it). */
int display_cover(display_t *d, uint64_t now_ms, bool open);

/* Button edge: down true on press, false on release. Returns the press
 * that ended (enum display_press) or a negative error. */
int display_button(display_t *d, uint64_t now_ms, bool down);

/* Advances the timers (item scrolling, timeouts). Call at least once a
 * second; late calls catch up. */
int display_tick(display_t *d, uint64_t now_ms);

int display_set_status(display_t *d, const display_status_t *st);
uint32_t display_symbols(const display_t *d);

/* The three lines (NUL-terminated) of what the display shows now. Returns
 * 0, or DISPLAY_ERR_READ when the item could not be read (the value line
 * then shows "Err"). */
int display_render(display_t *d, char lines[DISPLAY_LINES][DISPLAY_COLS + 1]);

uint8_t display_mode(const display_t *d);
/* List and index shown (AUTO/MANUAL/SERVICE/BATTERY modes). */
void display_position(const display_t *d, uint8_t *list_id, uint8_t *index);

/* COSEM: the list as capture_objects (array of structure {long-unsigned,
 * octet-string[6], integer, long-unsigned}). Returns e->err. */
int display_list_encode(const display_t *d, uint8_t list_id, axdr_enc_t *e);

/* COSEM: decode capture_objects from hostile input into items[0..cap).
 * Returns a Data-Access-Result: 0, TYPE_UNMATCHED (not an array of
 * 4-element structures of the right types, truncated), OTHER_REASON (more
 * than cap items, class 0, attribute < 1, data index != 0); negative for
 * NULL arguments. *count is 0 unless it succeeds. */
int display_list_decode(axdr_dec_t *dec, display_item_t *items, size_t cap, size_t *count);

/* COSEM SET of a list: decode, check (capacity, legal readings), replace.
 * An item already in the list keeps its format; a new one gets
 * DISPLAY_FMT_AUTO. Returns a Data-Access-Result (OTHER_REASON for a
 * missing legal reading) or a negative error. */
int display_list_write(display_t *d, uint8_t list_id, axdr_dec_t *dec);

const char *display_strerror(int err);

#endif /* EMETER_METER_DISPLAY_H */
