/*
 * fuzz_meter_readout.c - libFuzzer target for the readout list parser
 * (lib/meter/readout.c, meter_readout_parse). Invariants: no read past the
 * input, and an accepted code printed as "A.B.C.D.E" parses back to the
 * same code.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "meter/readout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    meter_readout_item_t it, again;
    if (meter_readout_parse((const char *)data, size, &it) != 0)
        return 0;
    char text[32];
    int n = snprintf(text, sizeof(text), "%u.%u.%u.%u.%u", it.obis[0], it.obis[1], it.obis[2],
                     it.obis[3], it.obis[4]);
    if (n <= 0 || meter_readout_parse(text, (size_t)n, &again) != 0 ||
        memcmp(it.obis, again.obis, sizeof(it.obis)) != 0)
        __builtin_trap();
    return 0;
}
