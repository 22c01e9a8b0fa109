/*
 * store.h - power-fail safe storage over the port's NOR flash: what the
 * record store (record.h) and the rings (ring.h) share.
 *
 * The store keeps what a meter must not lose (energy registers, counters,
 * keys, configuration, event logs, load profiles) in flash reached only
 * through the em_port_t flash callbacks (port/port.h: erase sets a sector to
 * 0xFF, program only clears bits, programs are aligned to program_unit).
 * Every unit written carries a sequence number and a CRC-32, so after a
 * power cut at any byte of any program or erase a mount finds the newest
 * complete data and skips the torn piece. docs/store.md describes the
 * on-flash layout, the commit protocol and the limits.
 *
 * A store context never touches the heap or a global: all its state is in
 * the store_records_t / store_ring_t the caller owns.
 */
#ifndef EMETER_STORE_H
#define EMETER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emeter_config.h"
#include "port.h"

/* ---- errors (-0x0800..-0x08FF) -------------------------------------------- */

#define STORE_ERR_BADARG    (-0x0801) /* NULL pointer or impossible argument */
#define STORE_ERR_GEOMETRY  (-0x0802) /* flash geometry or sector region unusable */
#define STORE_ERR_CONFIG    (-0x0803) /* record table or ring parameters invalid */
#define STORE_ERR_NOSPACE   (-0x0804) /* region too small for the configured data */
#define STORE_ERR_NOTFOUND  (-0x0805) /* no record slot with this id */
#define STORE_ERR_EMPTY     (-0x0806) /* record never written (or no copy left) */
#define STORE_ERR_TOOBIG    (-0x0807) /* value longer than the slot's maximum */
#define STORE_ERR_BUFFER    (-0x0808) /* caller's buffer too small for the value */
#define STORE_ERR_RANGE     (-0x0809) /* ring index not below the entry count */
#define STORE_ERR_CORRUPT   (-0x080A) /* CRC check failed, no good copy to fall back to */
#define STORE_ERR_IO        (-0x080B) /* the flash driver reported a failure */
#define STORE_ERR_EXHAUSTED (-0x080C) /* 32-bit sequence or generation numbers used up */

/* Short English reason for a STORE_ERR_* code ("unknown store error" for
 * anything else). */
const char *store_strerror(int err);

/* ---- CRC-32 --------------------------------------------------------------- */

/* CRC-32 of IEEE 802.3 (reflected polynomial 0xEDB88320, initial value and
 * final XOR 0xFFFFFFFF; check value 0xCBF43926 for "123456789"). Chains like
 * zlib's crc32(): start with crc = 0 and feed the previous result back to
 * continue over more data. It detects torn writes and flipped bits; it is
 * not a protection against deliberate tampering. */
uint32_t store_crc32(uint32_t crc, const void *data, size_t len);

/* ---- health ----------------------------------------------------------------- */

/* What a store found wrong since it was initialised. The meter turns any
 * non-zero counter (store_stats_corrupted) into the NV-memory error event
 * (14) and the alarm bit, then calls store_stats_reset(). */
typedef struct store_stats {
    uint32_t bad_entries; /* record copies / ring entries whose CRC failed: torn or flipped */
    uint32_t bad_sectors; /* sectors neither blank nor carrying a readable header */
    uint32_t lost;        /* records whose every copy turned out damaged */
    uint32_t erases;      /* sector erases issued (wear accounting, not an error) */
} store_stats_t;

/* True when any error counter (not erases) is non-zero. */
bool store_stats_corrupted(const store_stats_t *s);

/* Zero the error counters once the caller has logged them. */
void store_stats_reset(store_stats_t *s);

/* ---- self-check (periodic self-diagnostic) --------------------------------- */

typedef struct store_check {
    uint32_t checked; /* live copies / entries whose CRC was verified */
    uint32_t bad;     /* of which did not verify */
} store_check_t;

struct store_records;
struct store_ring;

/* Verify the CRC of every live record copy of r (may be NULL) and of every
 * entry of the nrings rings (entries may be NULL). res receives the totals
 * (the counts add up; the structure is zeroed first). Returns 0 when every
 * CRC verified, STORE_ERR_CORRUPT when any failed (each failure is also
 * counted in the owner's store_stats_t), or another STORE_ERR_* code. */
int store_check(struct store_records *r, struct store_ring *const *rings, size_t nrings,
                store_check_t *res);

#endif /* EMETER_STORE_H */
