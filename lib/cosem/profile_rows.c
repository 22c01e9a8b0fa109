/*
 * profile_rows.c - the RAM ring row store of Profile generic (class 7)
 * buffers and the error texts of the profile module (profile_rows.h).
 *
 * The ring keeps `count` rows starting at slot `head`; an append into a
 * full ring overwrites the oldest slot and moves head on, which is the
 * FIFO sort_method of the Blue Book.
 */
#include "cosem/profile_rows.h"

#include <string.h>

const char *cosem_profile_strerror(int err) {
    switch (err) {
    case 0:
        return "success";
    case COSEM_ERR_PROFILE_BADARG:
        return "invalid argument";
    case COSEM_ERR_PROFILE_ROW_SIZE:
        return "profile row size out of range";
    case COSEM_ERR_PROFILE_INDEX:
        return "profile row not stored";
    case COSEM_ERR_PROFILE_STORAGE:
        return "profile has no row storage";
    case COSEM_ERR_PROFILE_CAPACITY:
        return "profile entries exceed the row storage";
    case COSEM_ERR_PROFILE_ROW:
        return "stored profile row malformed";
    case COSEM_ERR_PROFILE_COLUMNS:
        return "capture objects list invalid";
    case COSEM_ERR_PROFILE_FULL:
        return "captured values do not fit the profile row";
    default:
        return "unknown error";
    }
}

static uint32_t ram_capacity(void *user) {
    return ((const cosem_profile_ram_rows_t *)user)->capacity;
}

static uint32_t ram_count(void *user) {
    return ((const cosem_profile_ram_rows_t *)user)->count;
}

static uint8_t *slot(const cosem_profile_ram_rows_t *r, uint32_t index) {
    uint32_t s = (uint32_t)(((uint64_t)r->head + index) % r->capacity);
    return r->buf + (size_t)s * r->rows.row_size;
}

static int ram_read(void *user, uint32_t index, uint8_t *row) {
    const cosem_profile_ram_rows_t *r = user;
    if (row == NULL) {
        return COSEM_ERR_PROFILE_BADARG;
    }
    if (index >= r->count) {
        return COSEM_ERR_PROFILE_INDEX;
    }
    memcpy(row, slot(r, index), r->rows.row_size);
    return 0;
}

static int ram_append(void *user, const uint8_t *row) {
    cosem_profile_ram_rows_t *r = user;
    if (row == NULL) {
        return COSEM_ERR_PROFILE_BADARG;
    }
    if (r->count < r->capacity) {
        memcpy(slot(r, r->count), row, r->rows.row_size);
        r->count++;
        return 0;
    }
    memcpy(slot(r, 0), row, r->rows.row_size); /* the oldest slot becomes the newest */
    r->head = (r->head + 1) % r->capacity;
    return 0;
}

static int ram_clear(void *user) {
    cosem_profile_ram_rows_t *r = user;
    r->head = 0;
    r->count = 0;
    return 0;
}

static const cosem_profile_rows_ops_t ram_ops = {
    .capacity = ram_capacity,
    .count = ram_count,
    .read = ram_read,
    .append = ram_append,
    .clear = ram_clear,
};

int cosem_profile_ram_rows_init(cosem_profile_ram_rows_t *r, uint8_t *buf, size_t len,
                                uint16_t row_size) {
    if (r == NULL || buf == NULL) {
        return COSEM_ERR_PROFILE_BADARG;
    }
    memset(r, 0, sizeof(*r));
    if (row_size <= COSEM_PROFILE_ROW_HEADER || row_size > EM_COSEM_PROFILE_MAX_ROW) {
        return COSEM_ERR_PROFILE_ROW_SIZE;
    }
    size_t capacity = len / row_size;
    if (capacity == 0) {
        return COSEM_ERR_PROFILE_CAPACITY;
    }
    r->rows.ops = &ram_ops;
    r->rows.user = r;
    r->rows.row_size = row_size;
    r->buf = buf;
    r->capacity = capacity > UINT32_MAX ? UINT32_MAX : (uint32_t)capacity;
    return 0;
}
