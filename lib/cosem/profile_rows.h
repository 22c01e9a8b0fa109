/*
 * profile_rows.h - row storage of the Profile generic class (class_id 7,
 * Blue Book "Profile generic", attribute 2 buffer): the small interface a
 * profile keeps its captured rows through, and a RAM ring over a caller
 * buffer that implements it.
 *
 * ---- Interface ---------------------------------------------------------------
 *
 * A row store holds up to `capacity` rows of exactly `row_size` bytes, in
 * capture order: read(index 0) is the oldest row, read(count - 1) the
 * newest. append() adds a row after the newest one and, when the store is
 * full, drops the oldest (FIFO, the Blue Book sort_method 1). clear()
 * empties it. The functions return 0 or a negative error of the store
 * (e.g. lib/store's codes for a flash ring; the profile passes them on).
 * A flash implementation (fixed-size entries with a sequence number and a
 * CRC, lib/store) fits this directly: rows never change once written.
 *
 * ---- Row format (what the bytes of a row mean) ------------------------------
 *
 *   offset 0..1      L, big-endian: bytes of captured data that follow
 *                    (2 <= 2 + L <= row_size)
 *   offset 2..2+L    the captured values, one per capture object in the
 *                    order of capture_objects, each as the complete A-XDR
 *                    Data the attribute read gave at capture time (tag
 *                    included: 09 0C <12 bytes> for a date-time, 06 <4> for
 *                    a double-long-unsigned, ...); 00 (null-data) for a
 *                    value that could not be read or did not fit
 *   offset 2+L..     zero padding up to row_size
 *
 * Keeping the values as A-XDR makes a stored row as compact as the wire
 * form (tag + big-endian value, no padding) and lets the buffer be served
 * with the stored bytes as they are, column by column, without a type
 * table: rows are self-describing, a store that outlives a firmware
 * update still reads, and the date-time column keeps the deviation and
 * clock status the clock showed at capture time.
 */
#ifndef EMETER_COSEM_PROFILE_ROWS_H
#define EMETER_COSEM_PROFILE_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "emeter_config.h"

/* ---- errors (-0x0920..-0x093F, shared with profile_generic.c) ------------ */

#define COSEM_ERR_PROFILE_BADARG   (-0x0920) /* NULL pointer or impossible argument */
#define COSEM_ERR_PROFILE_ROW_SIZE (-0x0921) /* row_size outside 3..EM_COSEM_PROFILE_MAX_ROW */
#define COSEM_ERR_PROFILE_INDEX    (-0x0922) /* read of a row that is not stored */
#define COSEM_ERR_PROFILE_STORAGE  (-0x0923) /* no row storage attached */
#define COSEM_ERR_PROFILE_CAPACITY (-0x0924) /* profile_entries 0 or above the storage capacity */
#define COSEM_ERR_PROFILE_ROW      (-0x0925) /* stored row malformed */
#define COSEM_ERR_PROFILE_COLUMNS  (-0x0926) /* capture objects list invalid */
#define COSEM_ERR_PROFILE_FULL     (-0x0927) /* the captured values do not fit row_size */

/* Short English reason for a COSEM_ERR_PROFILE_* code (others: "unknown"). */
const char *cosem_profile_strerror(int err);

/* Bytes in front of the captured data of a row (the length L). */
#define COSEM_PROFILE_ROW_HEADER 2u

/* ---- the interface ----------------------------------------------------------- */

typedef struct cosem_profile_rows_ops {
    uint32_t (*capacity)(void *user);
    uint32_t (*count)(void *user);
    /* Row `index` (0 = oldest) into row[0..row_size). */
    int (*read)(void *user, uint32_t index, uint8_t *row);
    /* Adds row[0..row_size) as the newest, dropping the oldest when full. */
    int (*append)(void *user, const uint8_t *row);
    int (*clear)(void *user);
} cosem_profile_rows_ops_t;

typedef struct cosem_profile_rows {
    const cosem_profile_rows_ops_t *ops;
    void *user;        /* handed to every op */
    uint16_t row_size; /* bytes of every row, 3..EM_COSEM_PROFILE_MAX_ROW */
} cosem_profile_rows_t;

/* ---- RAM ring ------------------------------------------------------------------ */

/* Rows in a caller buffer (static array, or a section that survives a
 * reset): capacity = buffer length / row_size. Hand &ring.rows to the
 * profile. */
typedef struct cosem_profile_ram_rows {
    cosem_profile_rows_t rows; /* the interface, user = this struct */
    uint8_t *buf;
    uint32_t capacity;
    uint32_t head;  /* slot of the oldest row */
    uint32_t count; /* rows stored */
} cosem_profile_ram_rows_t;

/* COSEM_ERR_PROFILE_BADARG for NULL, COSEM_ERR_PROFILE_ROW_SIZE for a bad
 * row_size, COSEM_ERR_PROFILE_CAPACITY when not one row fits. Starts
 * empty. */
int cosem_profile_ram_rows_init(cosem_profile_ram_rows_t *r, uint8_t *buf, size_t len,
                                uint16_t row_size);

#endif /* EMETER_COSEM_PROFILE_ROWS_H */
