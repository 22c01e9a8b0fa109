/*
 * record.h - power-fail safe records: a fixed set of small values that are
 * rewritten (energy registers, counters, invocation counter reservations,
 * keys, configuration), each with an id and a maximum length from a const
 * table.
 *
 * The records live in a log-structured journal over a region of sectors.
 * A write appends a new copy {id, len, seq, CRC of the data, CRC of the
 * header} + data to the active sector and syncs; a read returns the valid
 * copy with the highest sequence number. When the active sector is full the
 * next sector (always kept erased) becomes active and the sector after it,
 * the oldest, is garbage-collected: the copies still current there are
 * copied into the new active sector, the old sector is marked obsolete and
 * erased. Sectors are thus erased strictly in turn (even wear) and a
 * sector is only erased once nothing current lives in it.
 *
 * Atomicity: a copy counts only when both CRCs verify, so a power cut at
 * any byte of a write leaves the previous copy as the newest valid one; a
 * cut anywhere in a garbage collection leaves the old sector readable
 * until its copies are all in place. docs/store.md has the layout, the
 * lifetime estimate and the limits.
 *
 * Sizing: every slot's largest copy (16 + max_len rounded up to the
 * alignment) summed, plus the largest copy once more, must fit the data
 * area of one sector; init refuses a table that does not
 * (STORE_ERR_NOSPACE).
 */
#ifndef EMETER_STORE_RECORD_H
#define EMETER_STORE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emeter_config.h"
#include "port.h"
#include "store/sector.h"
#include "store/store.h"

/* Bytes in front of the data of every copy: id u16, len u16, seq u32,
 * data CRC u32, header CRC u32. */
#define STORE_RECORD_HDR_LEN 16u

/* One slot of the table handed to store_record_init(). */
typedef struct store_record_def {
    uint16_t id;      /* unique, not 0xFFFF (an erased header) */
    uint16_t max_len; /* largest value in bytes, >= 1 */
} store_record_def_t;

/* Where the newest valid copy of a slot is (RAM index built at mount). */
typedef struct store_record_loc {
    uint32_t addr; /* flash address of the copy's header */
    uint32_t seq;  /* its sequence number */
    uint32_t crc;  /* CRC-32 of its data */
    uint16_t len;  /* data length */
    bool valid;    /* false: never written, or every copy damaged */
} store_record_loc_t;

typedef struct store_records {
    store_region_t region;
    const store_record_def_t *defs; /* the caller's table, kept by reference */
    uint32_t count;                 /* slots in defs */
    uint32_t active;                /* relative sector taking new copies */
    uint32_t active_gen;            /* its generation (header gen field) */
    uint32_t wp;                    /* offset of the next copy in the active sector */
    uint32_t seq;                   /* highest sequence number seen or written */
    uint32_t fail_end;              /* after a failed program: flash address the next copy
                                       must not start below (0: none) */
    bool need_mount;                /* state unknown after an I/O error: rescan first */
    store_stats_t stats;
    store_record_loc_t loc[EM_STORE_MAX_RECORDS];
} store_records_t;

/* Check the table and the geometry of sectors [first_sector, first_sector
 * + sector_count) of port's flash (at least 2), then mount: scan the
 * sectors, index the newest valid copy of every slot, finish a garbage
 * collection a power cut interrupted, and format the region when it holds
 * no store yet. Damage found is counted in r->stats. The table must
 * outlive r. Returns 0 or STORE_ERR_BADARG, _GEOMETRY, _CONFIG, _NOSPACE,
 * _IO. */
int store_record_init(store_records_t *r, const em_port_t *port, uint32_t first_sector,
                      uint32_t sector_count, const store_record_def_t *defs, size_t count);

/* Copy the current value of record `id` into buf (capacity cap). Returns
 * its length, or STORE_ERR_NOTFOUND (no such slot), STORE_ERR_EMPTY (never
 * written), STORE_ERR_BUFFER (cap too small), STORE_ERR_CORRUPT (the copy
 * failed its CRC and no older valid copy is left; the slot then reads
 * STORE_ERR_EMPTY until written again), STORE_ERR_IO. When the newest copy
 * fails its CRC the previous valid copy is returned and the damage
 * counted. */
int store_record_read(store_records_t *r, uint16_t id, void *buf, size_t cap);

/* Length of record `id`'s current value, or the errors of read. */
int store_record_len(store_records_t *r, uint16_t id);

/* Make data[0..len) the value of record `id`, durably (synced) when it
 * returns 0. Writing the value already stored does nothing (no wear).
 * STORE_ERR_NOTFOUND, _TOOBIG, _NOSPACE, _EXHAUSTED, _IO. After an error
 * the next call rescans the flash first; the record then holds either the
 * old or the new value. */
int store_record_write(store_records_t *r, uint16_t id, const void *data, size_t len);

/* Self-check: verify the CRC of every slot's current copy. Returns 0 or
 * STORE_ERR_CORRUPT (bad copies are counted in r->stats.bad_entries; the
 * next read falls back to an older copy), STORE_ERR_IO. */
int store_record_check(store_records_t *r, store_check_t *res);

/* Damage counters (torn or corrupted copies found) since init or the last
 * store_stats_reset(&r->stats). */
const store_stats_t *store_record_stats(const store_records_t *r);

#endif /* EMETER_STORE_RECORD_H */
