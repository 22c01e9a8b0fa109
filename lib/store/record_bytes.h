/*
 * record_bytes.h - the bytes of a persisted record's contents: unsigned
 * integers little-endian (1..8 bytes), and a bounded reader over a record
 * read back from flash (the contents come from a journal the meter wrote,
 * but a corrupted or older-layout record must still never be read past its
 * end). Used by the meter modules that keep one record each (see record.h
 * for the journal itself).
 */
#ifndef EMETER_STORE_RECORD_BYTES_H
#define EMETER_STORE_RECORD_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The low n bytes of v at p, least significant first; returns p + n. */
uint8_t *store_put_le(uint8_t *p, uint64_t v, unsigned n);

/* A reader over b[0..len): a read past the end marks it bad (for good) and
 * gives 0, so a decoder reads everything and checks `bad` (and that `pos`
 * reached `len`) once at the end. */
typedef struct store_rd {
    const uint8_t *b;
    size_t len, pos;
    bool bad;
} store_rd_t;

/* The next n (1..8) bytes as a little-endian unsigned integer. */
uint64_t store_get_le(store_rd_t *r, unsigned n);

#endif /* EMETER_STORE_RECORD_BYTES_H */
