/*
 * fuzz_config.c - the emeter JSON configuration decoder (apps/emeter/config.c)
 * on hostile input: it must never crash, must either accept the text or
 * return a message that names a field, and an accepted configuration must
 * satisfy every bound the validator promises.
 *
 * FUZZ_EXTRA_SOURCES: apps/emeter/config.c
 */
#include <stdint.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    emeter_config_t c;
    emeter_config_defaults(&c);
    char err[512] = "";
    int rc = emeter_config_parse(&c, (const char *)data, size, "fuzz", err, sizeof(err));
    if (rc != 0) {
        /* A refusal always says "fuzz: field: reason". */
        if (strncmp(err, "fuzz: ", 6) != 0 || strchr(err + 6, ':') == NULL)
            __builtin_trap();
        return 0;
    }
    if (strcmp(c.variant, "esmr") != 0 && strcmp(c.variant, "omni") != 0)
        __builtin_trap();
    if (c.listen_count == 0 || c.listen_count > CFG_MAX_LISTEN)
        __builtin_trap();
    if (c.logical_device_name_len == 0 || c.logical_device_name_len > CFG_LDN_MAX)
        __builtin_trap();
    if (c.max_pdu < 64 || c.inactivity_timeout_s == 0 || c.max_connections == 0)
        __builtin_trap();
    if (c.time_zone_min < -720 || c.time_zone_min > 840)
        __builtin_trap();
    if (strlen(c.manufacturer) != 3 || strlen(c.serial_number) == 0)
        __builtin_trap();
    if (!(c.load_annual_kwh >= 100 && c.load_annual_kwh <= 100000) ||
        !(c.load_pv_kwp >= 0 && c.load_pv_kwp <= 100) || c.load_seed > (uint64_t)INT64_MAX)
        __builtin_trap();
    return 0;
}
