/*
 * fuzz_control_devices.c - the device request decoders of the operator
 * control API (apps/emeter/control_devices.c: POST /api/button, /api/cover,
 * /api/magnet) on hostile bodies: none may crash, a refusal always names a
 * field ("field: reason"), an accepted request keeps the documented ranges
 * (the values reach meter_button, meter_cover, meter_magnet).
 *
 * FUZZ_EXTRA_SOURCES: apps/emeter/control_devices.c apps/emeter/control_api.c
 */
#include <stdint.h>
#include <string.h>

#include "control_devices.h"

static void check_refusal(const char *err) {
    char c = err[0];
    int field_start = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '(' || c == '"';
    if (!field_start || strstr(err, ": ") == NULL)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *body = (const char *)data;
    char err[256] = "";
    control_button_t b;
    if (control_parse_button(body, size, &b, err, sizeof(err)) != 0)
        check_refusal(err);
    else if (!b.edge && b.hold_ms > CONTROL_HOLD_MAX_MS)
        __builtin_trap();
    control_cover_t c;
    if (control_parse_cover(body, size, &c, err, sizeof(err)) != 0)
        check_refusal(err);
    else if (c.which != TAMPER_TERMINAL_COVER && c.which != TAMPER_METER_COVER)
        __builtin_trap();
    uint16_t mt;
    if (control_parse_magnet(body, size, &mt, err, sizeof(err)) != 0)
        check_refusal(err);
    else if (mt > CONTROL_MAGNET_MAX_MT)
        __builtin_trap();
    return 0;
}
