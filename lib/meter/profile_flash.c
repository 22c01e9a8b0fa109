/*
 * profile_flash.c - Profile generic rows in a lib/store ring (see
 * profile_flash.h). The ring already has the row store's semantics: fixed
 * entry size, append drops the oldest when full, index 0 is the oldest.
 */
#include "meter/profile_flash.h"

static uint32_t pf_capacity(void *user) {
    return store_ring_capacity(&((meter_profile_flash_t *)user)->ring);
}

static uint32_t pf_count(void *user) {
    int n = store_ring_count(&((meter_profile_flash_t *)user)->ring);
    return n > 0 ? (uint32_t)n : 0u; /* an I/O error reads as empty; read() reports it */
}

static int pf_read(void *user, uint32_t index, uint8_t *row) {
    store_ring_t *g = &((meter_profile_flash_t *)user)->ring;
    int rc = store_ring_read(g, index, row, g->entry_len);
    return rc < 0 ? rc : 0;
}

static int pf_append(void *user, const uint8_t *row) {
    store_ring_t *g = &((meter_profile_flash_t *)user)->ring;
    return store_ring_append(g, row, g->entry_len);
}

static int pf_clear(void *user) {
    return store_ring_clear(&((meter_profile_flash_t *)user)->ring);
}

static const cosem_profile_rows_ops_t pf_ops = {
    .capacity = pf_capacity,
    .count = pf_count,
    .read = pf_read,
    .append = pf_append,
    .clear = pf_clear,
};

int meter_profile_flash_init(meter_profile_flash_t *pf, cosem_profile_rows_t *rows,
                             const em_port_t *port, uint32_t first_sector, uint32_t sectors,
                             uint16_t row_size, uint32_t capacity) {
    if (pf == NULL || rows == NULL || row_size < 3 || row_size > EM_COSEM_PROFILE_MAX_ROW)
        return COSEM_ERR_PROFILE_BADARG;
    int rc = store_ring_init(&pf->ring, port, first_sector, sectors, row_size, capacity);
    if (rc != 0)
        return rc;
    rows->ops = &pf_ops;
    rows->user = pf;
    rows->row_size = row_size;
    return 0;
}
