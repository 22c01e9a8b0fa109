/*
 * control_devices.h - the operator API of the meter's devices
 * (docs/devices-wiring.md, docs/control-api.md): the request decoders of
 * POST /api/button, /api/cover and /api/magnet, and the "lcd" and "led"
 * members of GET /api/state. The inputs take the hardware paths of
 * lib/meter/devices.h (meter_button, meter_cover, meter_magnet).
 */
#ifndef EMETER_APP_CONTROL_DEVICES_H
#define EMETER_APP_CONTROL_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "meter/meter.h"

#define CONTROL_HOLD_MAX_MS    60000u /* a press held a minute */
#define CONTROL_SHORT_PRESS_MS 200u   /* {"press": "short"} */
#define CONTROL_LONG_PRESS_MS  3000u  /* {"press": "long"}: beyond the 2 s long press */
#define CONTROL_MAGNET_MAX_MT  2000u  /* a strong neodymium magnet at the case: ~1 T */

/* POST /api/button: exactly one of
 *   {"press": "short" | "long"}  a whole press (held 200 ms / 3 s)
 *   {"hold_ms": N}               a whole press held N ms (0..CONTROL_HOLD_MAX_MS)
 *   {"down": true | false}       one edge (a front panel's mouse down / up) */
typedef struct control_button {
    bool edge;        /* one edge (down), else a whole press of hold_ms */
    bool down;        /* edge: pressed */
    uint32_t hold_ms; /* whole press */
} control_button_t;

/* POST /api/cover: {"cover": "terminal" | "meter", "open": true | false} */
typedef struct control_cover {
    uint8_t which; /* TAMPER_TERMINAL_COVER or TAMPER_METER_COVER */
    bool open;
} control_cover_t;

/* Decoders: 0, or -1 with "field: reason" in err. POST /api/magnet is
 * {"mt": N}, N = 0..CONTROL_MAGNET_MAX_MT (the field at the sensor). */
int control_parse_button(const char *body, size_t len, control_button_t *out, char *err,
                         size_t errlen);
int control_parse_cover(const char *body, size_t len, control_cover_t *out, char *err,
                        size_t errlen);
int control_parse_magnet(const char *body, size_t len, uint16_t *mt, char *err, size_t errlen);

/* "short", "long" or "none" for a meter_button result. */
const char *control_press_name(int press);

/* GET /api/state members (control_state_fn, user = the meter_t):
 * "lcd": {"mode": "auto", "lines": [3 strings], "symbols": ["T1", "Q1", ...]}
 * "led": {"state": "pulsing" | "steady"} (steady = no-load state). */
json_object *control_lcd_json(void *meter);
json_object *control_led_json(void *meter);

#endif /* EMETER_APP_CONTROL_DEVICES_H */
