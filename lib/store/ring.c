/*
 * ring.c - power-fail safe append-only rings of fixed-size entries (ring.h
 * explains the scheme, docs/store.md the layout and the limits).
 *
 * Slot layout, at data_off + j * slot_size of a sector formatted with base:
 *   0  seq u32 (= base + j) | 4  CRC-32 of bytes 0..3 and the payload | 8  payload
 *   then 0xFF up to the alignment
 * An all-0xFF slot is free; anything else that does not verify is a torn
 * or damaged entry.
 */
#include "store/ring.h"

#include <string.h>

/* A damaged slot found by a mount is counted once and zeroed (KILLED):
 * later mounts treat it as a silent hole. */
enum slot_state { SLOT_EMPTY, SLOT_VALID, SLOT_DAMAGED, SLOT_KILLED };

static uint32_t next_sector(const store_ring_t *g, uint32_t rel) {
    return rel + 1u == g->region.sectors ? 0u : rel + 1u;
}

static uint32_t prev_sector(const store_ring_t *g, uint32_t rel) {
    return rel == 0 ? g->region.sectors - 1u : rel - 1u;
}

static uint32_t slot_addr(const store_ring_t *g, uint32_t rel, uint32_t j) {
    return store_sector_addr(&g->region, rel) + g->region.data_off + j * g->slot_size;
}

/* Slots of sector rel taken so far (the head sector is partly filled). */
static uint32_t used_slots(const store_ring_t *g, uint32_t rel) {
    return rel == g->head ? g->head_slot : g->per_sector;
}

/* Sequence number of slot 0 of the i-th live sector (0 = oldest). */
static uint32_t live_base(const store_ring_t *g, uint32_t i) {
    return g->head_base - (g->live - 1u - i) * g->per_sector;
}

static bool in_chain(const store_ring_t *g, uint32_t rel) {
    uint32_t d = rel >= g->oldest ? rel - g->oldest : rel + g->region.sectors - g->oldest;
    return d < g->live;
}

/* Classify slot j of sector rel, expected to hold sequence number seq,
 * without keeping the payload. */
static int slot_check(const store_ring_t *g, uint32_t rel, uint32_t j, uint32_t seq,
                      enum slot_state *st) {
    uint8_t hdr[STORE_RING_ENTRY_HDR_LEN];
    uint32_t addr = slot_addr(g, rel, j);
    bool ff;
    int rc = store_flash_read(&g->region, addr, hdr, sizeof(hdr));
    if (rc != 0)
        return rc;
    uint32_t crc = store_crc32(0, hdr, 4);
    rc = store_flash_scan(&g->region, addr + sizeof(hdr), g->entry_len, &crc, &ff);
    /* A free slot is erased up to its end, padding included: an append
     * programs all of it. */
    uint32_t pad = g->slot_size - STORE_RING_ENTRY_HDR_LEN - g->entry_len;
    bool pad_ff = true;
    if (rc == 0 && ff && pad > 0)
        rc = store_flash_scan(&g->region, addr + sizeof(hdr) + g->entry_len, pad, NULL, &pad_ff);
    if (rc != 0)
        return rc;
    ff = ff && pad_ff;
    if (store_get_u32(hdr) == seq && store_get_u32(hdr + 4) == crc)
        *st = SLOT_VALID;
    else if (store_get_u32(hdr) == 0 && store_get_u32(hdr + 4) == 0)
        *st = SLOT_KILLED;
    else if (ff && store_get_u32(hdr) == 0xFFFFFFFFu && store_get_u32(hdr + 4) == 0xFFFFFFFFu)
        *st = SLOT_EMPTY;
    else
        *st = SLOT_DAMAGED;
    return 0;
}

/* Read slot j into buf and tell whether it is the valid entry seq. */
static int slot_read(const store_ring_t *g, uint32_t rel, uint32_t j, uint32_t seq, void *buf,
                     bool *valid) {
    uint8_t hdr[STORE_RING_ENTRY_HDR_LEN];
    uint32_t addr = slot_addr(g, rel, j);
    int rc = store_flash_read(&g->region, addr, hdr, sizeof(hdr));
    if (rc == 0)
        rc = store_flash_read(&g->region, addr + sizeof(hdr), buf, g->entry_len);
    if (rc != 0)
        return rc;
    uint32_t crc = store_crc32(store_crc32(0, hdr, 4), buf, g->entry_len);
    *valid = store_get_u32(hdr) == seq && store_get_u32(hdr + 4) == crc;
    return 0;
}

/* ---- mount ------------------------------------------------------------------------ */

/* Count the valid entries of live sector rel (slot 0 = base). In the head
 * sector the used slots end after the last non-empty one; free slots before
 * it are holes. Damaged slots are counted as bad entries and zeroed. */
static int scan_live_sector(store_ring_t *g, uint32_t rel, uint32_t base, uint32_t *used) {
    uint32_t valid = 0, last = 0;
    for (uint32_t j = 0; j < g->per_sector; j++) {
        enum slot_state st;
        int rc = slot_check(g, rel, j, base + j, &st);
        if (rc != 0)
            return rc;
        if (st == SLOT_VALID) {
            valid++;
        } else if (st == SLOT_DAMAGED) {
            g->stats.bad_entries++;
            rc = store_flash_zero(&g->region, slot_addr(g, rel, j), g->slot_size);
            if (rc != 0)
                return rc;
        }
        if (st != SLOT_EMPTY)
            last = j + 1u;
    }
    g->valid[rel] = (uint16_t)valid;
    g->total += valid;
    *used = last;
    return 0;
}

/* Is sector rel the live predecessor (epoch, base) of a live sector? */
static int is_predecessor(store_ring_t *g, uint32_t rel, uint32_t base, bool *yes) {
    store_sector_info_t info;
    *yes = false;
    int rc = store_sector_probe(&g->region, rel, STORE_KIND_RING, false, &info);
    if (rc == 0 && base >= g->per_sector)
        *yes = info.state == STORE_SECTOR_FORMATTED && info.hdr.param == g->entry_len &&
               info.hdr.gen == g->epoch && info.hdr.base == base - g->per_sector;
    return rc;
}

/* From the newest sector, walk back over the sectors of the same epoch
 * whose bases follow one another: they are the live ring. */
static int build_chain(store_ring_t *g, uint32_t newest, uint32_t base) {
    g->oldest = g->head = newest;
    g->live = 1;
    g->head_base = base;
    while (g->live < g->region.sectors) {
        bool yes;
        uint32_t prev = prev_sector(g, g->oldest);
        int rc = is_predecessor(g, prev, base, &yes);
        if (rc != 0)
            return rc;
        if (!yes)
            break;
        g->oldest = prev;
        base -= g->per_sector;
        g->live++;
    }
    uint32_t rel = g->oldest, used = 0;
    for (uint32_t i = 0; i < g->live; i++, rel = next_sector(g, rel)) {
        int rc = scan_live_sector(g, rel, live_base(g, i), &used);
        if (rc != 0)
            return rc;
    }
    g->head_slot = used; /* of the last one scanned: the head */
    return 0;
}

/* Sectors outside the live ring that can never become part of it again
 * (no header, or another entry length) are counted once and erased now;
 * stale sectors of an older epoch are left for the head to reuse. */
static int clean_outside(store_ring_t *g, bool have_chain) {
    for (uint32_t rel = 0; rel < g->region.sectors; rel++) {
        store_sector_info_t info;
        if (have_chain && in_chain(g, rel))
            continue;
        int rc = store_sector_probe(&g->region, rel, STORE_KIND_RING, true, &info);
        if (rc != 0)
            return rc;
        bool foreign = info.state == STORE_SECTOR_FORMATTED && info.hdr.param != g->entry_len;
        if (info.state != STORE_SECTOR_GARBAGE && !foreign)
            continue;
        g->stats.bad_sectors++;
        rc = store_sector_drop(&g->region, rel, &info, &g->stats.erases);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Quick look at every header for the newest sector of the highest epoch. */
static int find_newest(store_ring_t *g, bool *found, uint32_t *newest, uint32_t *base,
                       uint32_t *max_epoch) {
    *found = false;
    *max_epoch = 0;
    for (uint32_t rel = 0; rel < g->region.sectors; rel++) {
        store_sector_info_t info;
        int rc = store_sector_probe(&g->region, rel, STORE_KIND_RING, false, &info);
        if (rc != 0)
            return rc;
        if (info.hdr_ok && info.hdr.gen > *max_epoch)
            *max_epoch = info.hdr.gen;
        if (info.state != STORE_SECTOR_FORMATTED || info.hdr.param != g->entry_len)
            continue;
        if (!*found || info.hdr.gen > g->epoch ||
            (info.hdr.gen == g->epoch && info.hdr.base > *base)) {
            *found = true;
            g->epoch = info.hdr.gen;
            *newest = rel;
            *base = info.hdr.base;
        }
    }
    return 0;
}

/* Erase sector rel if it is not blank and format it as a live sector. */
static int open_sector(store_ring_t *g, uint32_t rel, uint32_t epoch, uint32_t base) {
    store_sector_info_t info;
    int rc = store_sector_probe(&g->region, rel, STORE_KIND_RING, true, &info);
    if (rc == 0 && info.state != STORE_SECTOR_BLANK)
        rc = store_sector_drop(&g->region, rel, &info, &g->stats.erases);
    if (rc == 0) {
        store_sector_hdr_t h = {STORE_KIND_RING, g->entry_len, epoch, base};
        rc = store_sector_format(&g->region, rel, &h);
    }
    return rc;
}

static void reset_to(store_ring_t *g, uint32_t rel, uint32_t epoch, uint32_t base) {
    memset(g->valid, 0, sizeof(g->valid));
    g->total = 0;
    g->epoch = epoch;
    g->oldest = g->head = rel;
    g->live = 1;
    g->head_base = base;
    g->head_slot = 0;
}

static int mount(store_ring_t *g) {
    bool found;
    uint32_t newest = 0, base = 0, max_epoch;
    memset(g->valid, 0, sizeof(g->valid));
    g->total = 0;
    g->need_mount = true;
    int rc = find_newest(g, &found, &newest, &base, &max_epoch);
    if (rc == 0 && found)
        rc = build_chain(g, newest, base);
    if (rc == 0)
        rc = clean_outside(g, found);
    if (rc == 0 && !found) {
        if (max_epoch == UINT32_MAX)
            return STORE_ERR_EXHAUSTED;
        rc = open_sector(g, 0, max_epoch + 1u, 0);
        if (rc == 0)
            reset_to(g, 0, max_epoch + 1u, 0);
    }
    if (rc != 0)
        return rc;
    /* A program that failed in this session may have left half-programmed
     * cells that read 0xFF: do not program that slot again. */
    if (g->fail_pending && g->fail_seq >= g->head_base + g->head_slot &&
        g->fail_seq - g->head_base < g->per_sector)
        g->head_slot = g->fail_seq - g->head_base + 1u;
    g->need_mount = false;
    return 0;
}

static int ensure_mounted(store_ring_t *g) {
    return g->need_mount ? mount(g) : 0;
}

/* ---- public API ---------------------------------------------------------------------- */

static uint32_t slots_per_sector(const store_region_t *layout, uint32_t slot_size) {
    uint32_t p = (layout->data_end - layout->data_off) / slot_size;
    return p > 0xFFFFu ? 0xFFFFu : p; /* valid[] counts are 16-bit */
}

uint32_t store_ring_sectors_needed(const em_flash_geometry_t *geo, size_t entry_len,
                                   uint32_t capacity) {
    store_region_t layout;
    if (geo == NULL || entry_len == 0 || entry_len > 0xFFFFu ||
        store_region_layout(&layout, geo) != 0)
        return 0;
    uint32_t slot = store_align_up(STORE_RING_ENTRY_HDR_LEN + (uint32_t)entry_len, layout.align);
    if (slot > layout.data_end - layout.data_off)
        return 0;
    uint32_t p = slots_per_sector(&layout, slot);
    uint64_t n = ((uint64_t)capacity + p - 1u) / p + 1u;
    if (n < 2)
        n = 2;
    return n > EM_STORE_RING_MAX_SECTORS ? 0 : (uint32_t)n;
}

int store_ring_init(store_ring_t *g, const em_port_t *port, uint32_t first_sector,
                    uint32_t sector_count, size_t entry_len, uint32_t capacity) {
    if (g == NULL || port == NULL)
        return STORE_ERR_BADARG;
    memset(g, 0, sizeof(*g));
    if (entry_len == 0 || entry_len > 0xFFFFu || capacity == 0 ||
        sector_count > EM_STORE_RING_MAX_SECTORS)
        return STORE_ERR_CONFIG;
    int rc = store_region_init(&g->region, port, first_sector, sector_count);
    if (rc != 0)
        return rc;
    g->slot_size = store_align_up(STORE_RING_ENTRY_HDR_LEN + (uint32_t)entry_len, g->region.align);
    if (g->slot_size > g->region.data_end - g->region.data_off)
        return STORE_ERR_NOSPACE;
    g->per_sector = slots_per_sector(&g->region, g->slot_size);
    /* The sector being refilled holds nothing of the guaranteed history. */
    if ((uint64_t)(sector_count - 1u) * g->per_sector < capacity)
        return STORE_ERR_NOSPACE;
    g->capacity = capacity;
    g->entry_len = (uint32_t)entry_len; /* from here on the ring is usable */
    /* A mount that fails on I/O is retried by the next call. */
    return mount(g);
}

/* Move the head to the next sector, dropping the oldest sector when the
 * ring has come round to it. */
static int advance(store_ring_t *g) {
    uint32_t x = next_sector(g, g->head);
    if (g->head_base > UINT32_MAX - 2u * g->per_sector)
        return STORE_ERR_EXHAUSTED;
    if (g->live == g->region.sectors) {
        g->total -= g->valid[x];
        g->valid[x] = 0;
        g->oldest = next_sector(g, g->oldest);
        g->live--;
    }
    int rc = open_sector(g, x, g->epoch, g->head_base + g->per_sector);
    if (rc != 0) {
        g->need_mount = true;
        return rc;
    }
    g->head = x;
    g->live++;
    g->head_base += g->per_sector;
    g->head_slot = 0;
    return 0;
}

int store_ring_append(store_ring_t *g, const void *entry, size_t len) {
    if (g == NULL || g->entry_len == 0 || entry == NULL)
        return STORE_ERR_BADARG;
    int rc = ensure_mounted(g);
    if (rc != 0)
        return rc;
    if (len != g->entry_len)
        return STORE_ERR_CONFIG;
    if (g->head_slot >= g->per_sector) {
        rc = advance(g);
        if (rc != 0)
            return rc;
    }
    uint32_t seq = g->head_base + g->head_slot;
    uint8_t hdr[STORE_RING_ENTRY_HDR_LEN];
    store_writer_t w;
    store_put_u32(hdr, seq);
    store_put_u32(hdr + 4, store_crc32(store_crc32(0, hdr, 4), entry, len));
    store_writer_begin(&w, &g->region, slot_addr(g, g->head, g->head_slot));
    store_writer_put(&w, hdr, sizeof(hdr));
    store_writer_put(&w, entry, len);
    rc = store_writer_end(&w);
    if (rc == 0)
        rc = store_flash_sync(&g->region);
    if (rc != 0) {
        g->fail_seq = seq;
        g->fail_pending = true;
        g->need_mount = true;
        return rc;
    }
    g->fail_pending = false;
    g->head_slot++;
    g->valid[g->head]++;
    g->total++;
    return 0;
}

int store_ring_count(store_ring_t *g) {
    if (g == NULL || g->entry_len == 0)
        return STORE_ERR_BADARG;
    int rc = ensure_mounted(g);
    if (rc != 0)
        return rc;
    return (int)(g->total < g->capacity ? g->total : g->capacity);
}

uint32_t store_ring_capacity(const store_ring_t *g) {
    return g->capacity;
}

/* The k-th valid entry of live sector rel (the i-th, slot 0 = base). A
 * sector without holes is indexed directly. One with holes is walked whole:
 * if it shows more holes than the mount counted, an entry went bad since,
 * the indexes would shift, so the read fails and the next call remounts. */
static int read_in_sector(store_ring_t *g, uint32_t rel, uint32_t i, uint32_t k, void *buf) {
    uint32_t base = live_base(g, i), used = used_slots(g, rel);
    uint32_t hit = used, holes = 0;
    bool valid;
    if (g->valid[rel] == used) {
        int rc = slot_read(g, rel, k, base + k, buf, &valid);
        if (rc != 0 || valid)
            return rc != 0 ? rc : (int)g->entry_len;
    } else {
        for (uint32_t j = 0; j < used; j++) {
            int rc = slot_read(g, rel, j, base + j, buf, &valid);
            if (rc != 0)
                return rc;
            if (!valid)
                holes++;
            else if (k-- == 0)
                hit = j;
        }
        if (hit < used && holes == used - g->valid[rel]) {
            int rc = slot_read(g, rel, hit, base + hit, buf, &valid);
            if (rc != 0 || valid)
                return rc != 0 ? rc : (int)g->entry_len;
        }
        g->need_mount = true;
    }
    g->stats.bad_entries++;
    return STORE_ERR_CORRUPT;
}

int store_ring_read(store_ring_t *g, uint32_t index, void *buf, size_t cap) {
    if (g == NULL || buf == NULL)
        return STORE_ERR_BADARG;
    int count = store_ring_count(g);
    if (count < 0)
        return count;
    if (index >= (uint32_t)count)
        return STORE_ERR_RANGE;
    if (cap < g->entry_len)
        return STORE_ERR_BUFFER;
    uint32_t k = g->total - (uint32_t)count + index;
    uint32_t rel = g->oldest;
    for (uint32_t i = 0; i < g->live; i++, rel = next_sector(g, rel)) {
        if (k < g->valid[rel])
            return read_in_sector(g, rel, i, k, buf);
        k -= g->valid[rel];
    }
    return STORE_ERR_CORRUPT; /* unreachable: total is the sum of valid[] */
}

int store_ring_clear(store_ring_t *g) {
    if (g == NULL || g->entry_len == 0)
        return STORE_ERR_BADARG;
    int rc = ensure_mounted(g);
    if (rc != 0)
        return rc;
    if (g->epoch == UINT32_MAX)
        return STORE_ERR_EXHAUSTED;
    uint32_t x = next_sector(g, g->head);
    uint32_t base = g->head_base + g->head_slot;
    /* The new epoch's header is the commit point: until it is written a
     * mount still follows the old sectors. */
    rc = open_sector(g, x, g->epoch + 1u, base);
    if (rc != 0) {
        g->need_mount = true;
        return rc;
    }
    reset_to(g, x, g->epoch + 1u, base);
    return 0;
}

int store_ring_check(store_ring_t *g, store_check_t *res) {
    if (g == NULL || g->entry_len == 0 || res == NULL)
        return STORE_ERR_BADARG;
    res->checked = 0;
    res->bad = 0;
    int rc = ensure_mounted(g);
    uint32_t rel = g->oldest;
    for (uint32_t i = 0; rc == 0 && i < g->live; i++, rel = next_sector(g, rel)) {
        uint32_t now = 0, base = live_base(g, i), used = used_slots(g, rel);
        for (uint32_t j = 0; rc == 0 && j < used; j++) {
            enum slot_state st;
            rc = slot_check(g, rel, j, base + j, &st);
            if (rc == 0 && st == SLOT_VALID)
                now++;
        }
        res->checked += g->valid[rel];
        if (now < g->valid[rel])
            res->bad += g->valid[rel] - now;
    }
    if (rc != 0)
        return rc;
    g->stats.bad_entries += res->bad;
    return res->bad > 0 ? STORE_ERR_CORRUPT : 0;
}

const store_stats_t *store_ring_stats(const store_ring_t *g) {
    return &g->stats;
}
