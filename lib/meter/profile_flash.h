/*
 * profile_flash.h - Profile generic rows kept in flash: the row-store
 * interface of lib/cosem/profile_rows.h implemented over a lib/store ring,
 * so load profiles and event logs survive power failures (every captured
 * row is durable when the capture returns, a torn row is skipped at the
 * next start, the oldest rows go when the ring is full).
 */
#ifndef EMETER_METER_PROFILE_FLASH_H
#define EMETER_METER_PROFILE_FLASH_H

#include <stdint.h>

#include "cosem/profile_rows.h"
#include "port.h"
#include "store/ring.h"

typedef struct meter_profile_flash {
    store_ring_t ring;
} meter_profile_flash_t;

/* Mount (or format) a ring over sectors [first_sector, first_sector +
 * sectors) for `capacity` rows of row_size bytes, and fill *rows so a
 * profile can use it (cosem_profile_init). Rows already in flash are kept.
 * store_ring_sectors_needed() tells how many sectors a capacity needs.
 * Returns 0 or a STORE_ERR_* / COSEM_ERR_PROFILE_* code. */
int meter_profile_flash_init(meter_profile_flash_t *pf, cosem_profile_rows_t *rows,
                             const em_port_t *port, uint32_t first_sector, uint32_t sectors,
                             uint16_t row_size, uint32_t capacity);

#endif /* EMETER_METER_PROFILE_FLASH_H */
