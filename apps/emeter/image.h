/*
 * image.h - the program image digest of the host meter: SHA-256 of the
 * running executable (/proc/self/exe), the "program memory consistency"
 * check of the self-diagnostics (seed 000 §3.3.11; lib/meter/diagnostics.h
 * event 12). A microcontroller's boot loader would hash its flash image.
 */
#ifndef EMETER_IMAGE_H
#define EMETER_IMAGE_H

#include <stdint.h>

#include "emeter_config.h"

/* meter_image_digest_fn: user unused. 0, or -1 when the executable cannot
 * be read. */
int emeter_image_digest(void *user, uint8_t digest[EM_DIAG_DIGEST_LEN]);

#endif /* EMETER_IMAGE_H */
