/*
 * ring.h - power-fail safe append-only rings of fixed-size entries (event
 * logs, load profile rows) over a region of sectors.
 *
 * Each sector is formatted with {epoch, base}: slot j of the sector holds
 * the entry with sequence number base + j, written as {seq u32, CRC-32 of
 * seq and payload u32, payload}. Sectors fill in physical order; when the
 * newest one is full the next one is erased (dropping the oldest entries
 * when the ring has come round) and formatted with base + slots. An entry
 * is valid when its CRC verifies and its sequence number matches its slot,
 * so after a power cut the ring mounts with every fully written entry; a
 * torn or flipped one is skipped and counted in stats.bad_entries (the
 * caller logs NV-memory event 14 and raises the alarm bit).
 *
 * Capacity: one sector is always being refilled, so the ring keeps at
 * least (sectors - 1) * slots_per_sector entries; init refuses a capacity
 * above that (STORE_ERR_NOSPACE). count() never exceeds the requested
 * capacity: read(0) is the oldest of the newest `capacity` entries.
 * store_ring_sectors_needed() sizes a region.
 *
 * clear() is atomic: it formats a fresh sector with the next epoch, and a
 * mount only follows the sectors of the highest epoch.
 */
#ifndef EMETER_STORE_RING_H
#define EMETER_STORE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emeter_config.h"
#include "port.h"
#include "store/sector.h"
#include "store/store.h"

/* Bytes in front of each entry's payload: seq u32, CRC u32. */
#define STORE_RING_ENTRY_HDR_LEN 8u

typedef struct store_ring {
    store_region_t region;
    uint32_t entry_len;  /* payload bytes of every entry */
    uint32_t slot_size;  /* header + payload rounded up to the alignment */
    uint32_t per_sector; /* slots in one sector */
    uint32_t capacity;   /* most entries count() reports */
    uint32_t epoch;      /* epoch of the live sectors (bumped by clear) */
    uint32_t oldest;     /* relative sector holding the oldest entries */
    uint32_t head;       /* relative sector taking new entries */
    uint32_t live;       /* sectors from oldest to head, in physical order */
    uint32_t head_base;  /* sequence number of the head sector's slot 0 */
    uint32_t head_slot;  /* next free slot of the head sector */
    uint32_t total;      /* valid entries in the live sectors */
    uint32_t fail_seq;   /* after a failed program: the slot not to reuse (with fail_pending) */
    bool fail_pending;
    bool need_mount; /* state unknown after an I/O error: rescan first */
    store_stats_t stats;
    uint16_t valid[EM_STORE_RING_MAX_SECTORS]; /* valid entries per sector */
} store_ring_t;

/* Sectors of geometry geo a ring of `capacity` entries of entry_len bytes
 * needs (at least 2), or 0 when an entry does not fit a sector or more
 * than EM_STORE_RING_MAX_SECTORS would be needed. */
uint32_t store_ring_sectors_needed(const em_flash_geometry_t *geo, size_t entry_len,
                                   uint32_t capacity);

/* Check the parameters and mount the ring over sectors [first_sector,
 * first_sector + sector_count) (2..EM_STORE_RING_MAX_SECTORS): recover the
 * newest live sectors, count valid entries, format an empty region, and
 * reformat one that was written with another entry length (counted as a
 * bad sector). Returns 0 or STORE_ERR_BADARG, _GEOMETRY, _CONFIG,
 * _NOSPACE, _IO. */
int store_ring_init(store_ring_t *g, const em_port_t *port, uint32_t first_sector,
                    uint32_t sector_count, size_t entry_len, uint32_t capacity);

/* Append entry[0..len) (len == entry_len) as the newest entry, durably
 * (synced) when it returns 0; drops the oldest sector's entries when the
 * ring is full. STORE_ERR_CONFIG (wrong len), _EXHAUSTED, _IO. */
int store_ring_append(store_ring_t *g, const void *entry, size_t len);

/* Entries readable: min(valid entries, capacity), or a negative error. */
int store_ring_count(store_ring_t *g);

/* The requested capacity. */
uint32_t store_ring_capacity(const store_ring_t *g);

/* Copy entry `index` (0 = oldest) into buf (cap >= entry_len). Returns
 * entry_len, STORE_ERR_RANGE, STORE_ERR_BUFFER, STORE_ERR_CORRUPT (the
 * entry failed its CRC since mount; counted) or STORE_ERR_IO. */
int store_ring_read(store_ring_t *g, uint32_t index, void *buf, size_t cap);

/* Empty the ring atomically (a cut leaves it either cleared or as it was,
 * minus at most its oldest sector when it was full). Sequence numbers keep
 * growing across a clear. */
int store_ring_clear(store_ring_t *g);

/* Self-check: verify every counted entry's CRC. 0, STORE_ERR_CORRUPT (the
 * failures are added to stats.bad_entries), STORE_ERR_IO. */
int store_ring_check(store_ring_t *g, store_check_t *res);

/* Damage counters since init or the last store_stats_reset(&g->stats). */
const store_stats_t *store_ring_stats(const store_ring_t *g);

#endif /* EMETER_STORE_RING_H */
