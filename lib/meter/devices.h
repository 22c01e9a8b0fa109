/*
 * devices.h - the meter's devices wired into the metering application:
 * display and push button, tamper inputs (covers, magnet), the login
 * lockout of the management association and the self-diagnostics (the
 * standalone state machines of display.h, tamper.h, lockout.h and
 * diagnostics.h; docs/devices.md says what each does and which seed
 * clause it follows, docs/devices-wiring.md how they are wired here).
 *
 * What the meter does with them:
 *  - display: values by an internal GET through the meter's own COSEM
 *    server (the class get() of the table, as profile captures read their
 *    columns); the symbols from the meter state at every step (tariff,
 *    quadrant of the total powers, phases and their sequence, tamper
 *    symbol, error register); lists configurable over DLMS as the
 *    capture_objects (attribute 3) of the display readouts 0.0.21.0.1/2/3/
 *    5.255 (Profile generic, class 7: meter_class_display_readout); lists
 *    persisted.
 *  - tamper: events 40-45 into the fraud detection log (through the event
 *    table: alarm bit 13 fraud attempt); outage queue between
 *    meter_persist_power_down and meter_persist_power_up.
 *  - lockout: the management association (client 1) locked after
 *    repeated authentication failures; event 46 once per lock; the lock
 *    persisted.
 *  - diagnostics: error register 0.0.97.97.0.255 (class 1
 *    double-long-unsigned), events 6 and 12-16 into the standard log
 *    (alarm bits through the event table); storage check = a CRC pass over
 *    the mounted store (records and profile rings); program image check
 *    through a digest function the host gives (meter_devices_set_image);
 *    measurement plausibility from every metrology record.
 *
 * Time: the display and the diagnostics schedule run on the port's
 * monotonic clock (em_port_t.monotonic_ms: a human presses the button in
 * real time), events are stamped with the meter's UTC.
 */
#ifndef EMETER_METER_DEVICES_H
#define EMETER_METER_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/cosem_classes.h"
#include "dlms/axdr.h"
#include "meter/diagnostics.h"
#include "meter/display.h"
#include "meter/lockout.h"
#include "meter/metrology/measures.h"
#include "meter/tamper.h"

struct meter;
struct meter_persist;

/* Errors: -0x0AE0..-0x0AE7 of the meter application range. */
#define METER_DEVICES_ERR_BADARG (-0x0AE1) /* NULL pointer, unknown cover */
#define METER_DEVICES_ERR_READ   (-0x0AE2) /* display item not readable (object, class, value) */

/* The program image digest (host: SHA-256 of the executable). */
typedef int (*meter_image_digest_fn)(void *user, uint8_t digest[EM_DIAG_DIGEST_LEN]);

typedef struct meter_devices {
    display_t display;
    tamper_t tamper;
    lockout_t lockout;
    diag_t diag;
    /* the storage check's store: set when meter_persist_mount restores */
    struct meter_persist *persist;
    /* the program image (meter_devices_set_image) */
    meter_image_digest_fn image_digest;
    void *image_user;
    /* from the last metrology record */
    uint8_t quadrant; /* enum metrology_quadrant of the totals, 0 at no load */
    uint8_t phases;   /* bit k: voltage on L(k+1) */
    uint8_t sequence; /* enum metrology_sequence */
    bool no_load;     /* LED steady (no-load) rather than flashing */
    bool powered;     /* between power up and power down */
    bool mute;        /* an event already written by the meter (event 6) */
} meter_devices_t;

/* ---- wiring (meter.c, persist.c) ----------------------------------------------- */

/* From meter_init: the four machines for the meter's variant, the default
 * display lists, display on (power-on page). */
int meter_devices_init(struct meter *m);
/* Factory settings of the login lockout and the tamper inputs (NULL:
 * keep), before meter_persist_mount (a stored lock is restored after):
 * 0, LOCKOUT_ERR_* or TAMPER_ERR_* for values out of range. */
int meter_devices_configure(struct meter *m, const lockout_cfg_t *lc, const tamper_cfg_t *tc);

/* From meter_step: display and tamper timers, diagnostics schedule,
 * display symbols. */
int meter_devices_step(struct meter *m, int64_t utc);
/* From the metrology callback (every record): plausibility, quadrant,
 * phases, no-load state. */
void meter_devices_measures(struct meter *m, const metrology_measures_t *rec);
/* From meter_persist_power_up after meter_power_up: RTC abnormal reset
 * check (event 6 only once), tamper events queued during the outage, the
 * display on. last_utc: the last instant saved before going down. */
int meter_devices_power_up(struct meter *m, int64_t utc, int64_t last_utc);
/* From meter_persist_power_down: tamper queueing, display off. */
int meter_devices_power_down(struct meter *m, int64_t utc);

/* Persistence (record REC_DEVICES of persist.c): the display lists and the
 * lock. encode returns the length written to b[0..METER_DEVICES_REC_LEN).
 * The item formats are not stored: a restored item takes the format the
 * same item has in the configured list, else DISPLAY_FMT_AUTO (what a
 * COSEM SET of the list does). The record grows with EM_DISPLAY_*_MAX
 * (770 bytes with the defaults). */
#define METER_DEVICES_LIST_ITEM 9u /* class u16, logical name 6, attribute i8 */
#define METER_DEVICES_REC_LEN                                                                      \
    (1u + 8u + 1u + DISPLAY_LIST_COUNT +                                                           \
     METER_DEVICES_LIST_ITEM *                                                                     \
         (EM_DISPLAY_AUTO_MAX + 2u * EM_DISPLAY_MANUAL_MAX + EM_DISPLAY_BATTERY_MAX))
size_t meter_devices_encode(const struct meter *m, uint8_t *b);
void meter_devices_restore(struct meter *m, const uint8_t *b, int len, int64_t utc);

/* ---- host API: what the hardware inputs call ----------------------------------- */

/* Button edge (down: pressed) at the port's monotonic now_ms. Returns
 * DISPLAY_PRESS_NONE / _SHORT / _LONG (omni: the breaker's local action,
 * for the disconnect control to take) or a negative error. */
int meter_button(struct meter *m, bool down, uint64_t now_ms);
/* Cover switch: which = TAMPER_TERMINAL_COVER or TAMPER_METER_COVER. */
int meter_cover(struct meter *m, uint8_t which, bool open, int64_t utc);
/* Magnetic field sensor reading. */
int meter_magnet(struct meter *m, uint16_t mt, int64_t utc);
/* What the LCD shows now (three lines of at most 16 characters). */
int meter_display_lines(struct meter *m, char lines[DISPLAY_LINES][DISPLAY_COLS + 1]);
/* The LCD symbols (DISPLAY_SYM_* bits). */
uint32_t meter_display_symbols(const struct meter *m);
/* The LED: true while the meter is in its no-load state (LED steady),
 * false while it pulses with the energy (metrology -> port led_pulse). */
bool meter_led_no_load(const struct meter *m);

/* The program image check: digest function of the host (NULL: none) and
 * the reference (NULL: taken now from fn). Call once after meter_init. */
int meter_devices_set_image(struct meter *m, meter_image_digest_fn fn, void *user,
                            const uint8_t *ref);

/* ---- login lockout (the DLMS server's callbacks) --------------------------------- */

/* May association assoc_index be opened now? false while the management
 * association is locked: the server then answers the AARQ
 * rejected-transient / authentication-failure (docs/devices.md). */
bool meter_login_allowed(struct meter *m, uint8_t assoc_index, int64_t utc);
/* An authentication failure of client_sap (on_auth_failure): the
 * management client counts towards a lock (event 46 once per lock), any
 * other client writes event 46 at once (meter_auth_failure). */
int meter_login_failed(struct meter *m, uint16_t client_sap, int64_t utc);
/* An association established (on_association ASSOCIATED): forgets the
 * failures of the management client. */
int meter_login_ok(struct meter *m, uint8_t assoc_index, int64_t utc);

/* ---- COSEM bindings --------------------------------------------------------------- */

/* Error register 0.0.97.97.0.255: read; a write clears the bits written
 * (like the alarm register). */
int meter_read_error_register(void *app, uint16_t arg, axdr_enc_t *e);
int meter_write_error_register(void *app, uint16_t arg, axdr_dec_t *d);

extern const cosem_data_def_t meter_def_error_register;

/* The display readouts 0.0.21.0.1/2/3/5.255: Profile generic (class 7,
 * version 1) served from the display (devices.c): capture_objects (3) is
 * the display list, read and written through display_list_encode /
 * display_list_write; the buffer (2) one entry of the current values. */
typedef struct meter_display_readout_def {
    uint8_t list; /* enum display_list_id */
} meter_display_readout_def_t;
extern const cosem_class_t meter_class_display_readout;
extern const meter_display_readout_def_t meter_def_display_readout[DISPLAY_LIST_COUNT];
extern const cosem_access_t meter_acc_display_readout;

/* The table rows (objects_esmr.c, objects_omni.c): the error register and
 * the display readouts, management client only, written ciphered. */
#define METER_DEVICES_READOUT(e, list)                                                             \
    METER_OBJ(meter_class_display_readout, 0, 0, 21, 0, e, meter_def_display_readout[list],        \
              meter_acc_display_readout)
#define METER_DEVICES_OBJECTS                                                                      \
    DATA(0, 0, 97, 97, 0, meter_def_error_register, meter_acc_rw_value),                           \
        METER_DEVICES_READOUT(1, DISPLAY_LIST_AUTO),                                               \
        METER_DEVICES_READOUT(2, DISPLAY_LIST_MANUAL),                                             \
        METER_DEVICES_READOUT(3, DISPLAY_LIST_SERVICE),                                            \
        METER_DEVICES_READOUT(5, DISPLAY_LIST_BATTERY)

const char *meter_devices_strerror(int err);

#endif /* EMETER_METER_DEVICES_H */
