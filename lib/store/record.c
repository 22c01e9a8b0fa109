/*
 * record.c - power-fail safe records as a log-structured journal over a
 * sector region (record.h explains the scheme, docs/store.md the layout).
 *
 * Copy layout, from an aligned offset of a formatted sector:
 *   0  id u16 | 2  len u16 | 4  seq u32 | 8  CRC-32 of data | 12  CRC-32 of bytes 0..11
 *   16 data[len], then 0xFF up to the alignment
 * A copy is valid when both CRCs verify; the header CRC alone lets a scan
 * step over a copy whose data is torn.
 */
#include "store/record.h"

#include <string.h>

typedef struct rec_hdr {
    uint16_t id;
    uint16_t len;
    uint32_t seq;
    uint32_t dcrc;
} rec_hdr_t;

static uint32_t copy_size(const store_records_t *r, uint32_t len) {
    return store_align_up(STORE_RECORD_HDR_LEN + len, r->region.align);
}

static int slot_of(const store_records_t *r, uint16_t id) {
    for (uint32_t i = 0; i < r->count; i++)
        if (r->defs[i].id == id)
            return (int)i;
    return -1;
}

static uint32_t sector_of(const store_records_t *r, uint32_t addr) {
    return (addr - r->region.base) / r->region.sector_size;
}

static uint32_t next_sector(const store_records_t *r, uint32_t rel) {
    return rel + 1u == r->region.sectors ? 0u : rel + 1u;
}

static void hdr_encode(uint8_t out[STORE_RECORD_HDR_LEN], const rec_hdr_t *h) {
    store_put_u16(out, h->id);
    store_put_u16(out + 2, h->len);
    store_put_u32(out + 4, h->seq);
    store_put_u32(out + 8, h->dcrc);
    store_put_u32(out + 12, store_crc32(0, out, 12));
}

static bool hdr_decode(const uint8_t in[STORE_RECORD_HDR_LEN], rec_hdr_t *h) {
    if (store_get_u32(in + 12) != store_crc32(0, in, 12))
        return false;
    h->id = store_get_u16(in);
    h->len = store_get_u16(in + 2);
    h->seq = store_get_u32(in + 4);
    h->dcrc = store_get_u32(in + 8);
    return true;
}

/* ---- scanning ------------------------------------------------------------------ */

/* Take the copy at addr as slot's newest when its sequence number is not
 * lower: sectors are scanned oldest first, so of two equal copies (one
 * moved by a garbage collection) the moved one wins. */
static void consider(store_records_t *r, int slot, const rec_hdr_t *h, uint32_t addr) {
    store_record_loc_t *loc = &r->loc[slot];
    if (loc->valid && h->seq < loc->seq)
        return;
    loc->addr = addr;
    loc->seq = h->seq;
    loc->crc = h->dcrc;
    loc->len = h->len;
    loc->valid = true;
}

/* Size of the copy whose header is at offset pos of sector rel, 0 when no
 * valid header is there (or it claims more than the sector holds); *zero
 * tells whether the bytes there are a tombstone (all 0x00). */
static int header_at(store_records_t *r, uint32_t rel, uint32_t pos, rec_hdr_t *h, uint32_t *size,
                     bool *zero) {
    const store_region_t *g = &r->region;
    uint8_t raw[STORE_RECORD_HDR_LEN];
    uint32_t n = g->data_end - pos < sizeof(raw) ? g->data_end - pos : (uint32_t)sizeof(raw);
    *size = 0;
    int rc = store_flash_read(g, store_sector_addr(g, rel) + pos, raw, n);
    if (rc != 0)
        return rc;
    /* A tombstone covers whole alignment units: look at the first one. */
    *zero = true;
    for (uint32_t i = 0; i < n && i < g->align; i++)
        if (raw[i] != 0)
            *zero = false;
    if (n < sizeof(raw) || !hdr_decode(raw, h))
        return 0;
    uint32_t need = copy_size(r, h->len);
    if (need <= g->data_end - pos)
        *size = need;
    return 0;
}

/* Damaged bytes [from, to) of sector rel found by a mount: count them once
 * and turn them into a tombstone, so the next mount steps over silently. */
static int bury(store_records_t *r, uint32_t rel, uint32_t from, uint32_t to) {
    r->stats.bad_entries++;
    return store_flash_zero(&r->region, store_sector_addr(&r->region, rel) + from, to - from);
}

/* Walk the copies of sector rel and index the valid ones (every slot when
 * only < 0, else that slot alone). A damaged run (no valid header) is
 * stepped over one alignment unit at a time, a copy with a good header and
 * bad data is skipped whole; when bury is set (mount) both are counted and
 * zeroed. *end receives the offset after the last used byte: the next free
 * spot. */
static int scan_sector(store_records_t *r, uint32_t rel, int only, bool bury_damage,
                       uint32_t *end) {
    const store_region_t *g = &r->region;
    uint32_t last, pos = g->data_off, run = 0;
    bool in_run = false;
    int rc = store_sector_last_used(g, rel, g->data_off, g->data_end, &last);
    while (rc == 0 && pos < last) {
        rec_hdr_t h;
        uint32_t size;
        bool zero;
        rc = header_at(r, rel, pos, &h, &size, &zero);
        if (rc != 0)
            break;
        /* A run of damage ends at a tombstone or at the next good header. */
        if (in_run && (size != 0 || zero)) {
            in_run = false;
            if (bury_damage && (rc = bury(r, rel, run, pos)) != 0)
                break;
        }
        if (size == 0) {
            if (!zero && !in_run) {
                in_run = true;
                run = pos;
            }
            pos += g->align;
            continue;
        }
        if (h.seq > r->seq)
            r->seq = h.seq; /* never reuse a number, even a torn copy's */
        uint32_t addr = store_sector_addr(g, rel) + pos;
        uint32_t crc = 0;
        rc = store_flash_scan(g, addr + STORE_RECORD_HDR_LEN, h.len, &crc, NULL);
        if (rc != 0)
            break;
        int slot = slot_of(r, h.id);
        if (crc != h.dcrc) {
            if (bury_damage && (rc = bury(r, rel, pos, pos + size)) != 0)
                break;
        } else if (slot >= 0 && h.len <= r->defs[slot].max_len && (only < 0 || slot == only)) {
            consider(r, slot, &h, addr);
        }
        pos += size;
    }
    if (rc == 0 && in_run && bury_damage)
        rc = bury(r, rel, run, pos);
    *end = pos;
    return rc;
}

/* Look for slot's newest valid copy again, after its indexed one failed. */
static int refind(store_records_t *r, int slot) {
    uint32_t end, rel = next_sector(r, r->active);
    r->loc[slot].valid = false;
    for (uint32_t i = 0; i < r->region.sectors; i++, rel = next_sector(r, rel)) {
        store_sector_info_t info;
        int rc = store_sector_probe(&r->region, rel, STORE_KIND_RECORDS, false, &info);
        if (rc == 0 && info.state != STORE_SECTOR_OBSOLETE)
            rc = scan_sector(r, rel, slot, false, &end);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Is the indexed copy's header still the one indexed? */
static int verify_header(store_records_t *r, const store_record_loc_t *loc, bool *ok) {
    uint8_t raw[STORE_RECORD_HDR_LEN];
    rec_hdr_t h;
    *ok = false;
    int rc = store_flash_read(&r->region, loc->addr, raw, sizeof(raw));
    if (rc == 0 && hdr_decode(raw, &h))
        *ok = h.len == loc->len && h.seq == loc->seq && h.dcrc == loc->crc;
    return rc;
}

/* Does the indexed copy still verify (header and data)? With buf, the
 * data is left there. */
static int verify(store_records_t *r, const store_record_loc_t *loc, void *buf, bool *ok) {
    uint32_t crc = 0;
    uint32_t data = loc->addr + STORE_RECORD_HDR_LEN;
    int rc = verify_header(r, loc, ok);
    if (rc != 0 || !*ok)
        return rc;
    if (buf != NULL) {
        rc = store_flash_read(&r->region, data, buf, loc->len);
        crc = store_crc32(0, buf, loc->len);
    } else {
        rc = store_flash_scan(&r->region, data, loc->len, &crc, NULL);
    }
    *ok = rc == 0 && crc == loc->crc;
    return rc;
}

/* ---- writing ---------------------------------------------------------------------- */

/* Remember where a failed program ended: the bytes may be half programmed
 * (ECC flash refuses a second program there), so the next copy goes after. */
static int program_failed(store_records_t *r, uint32_t end, int rc) {
    r->fail_end = end;
    r->need_mount = true;
    return rc;
}

/* Copy a valid copy verbatim (same sequence number) to the active sector. */
static int move_copy(store_records_t *r, int slot) {
    store_record_loc_t *loc = &r->loc[slot];
    store_writer_t w;
    uint32_t size = copy_size(r, loc->len);
    if (r->wp + size > r->region.data_end)
        return STORE_ERR_NOSPACE;
    uint32_t dst = store_sector_addr(&r->region, r->active) + r->wp;
    store_writer_begin(&w, &r->region, dst);
    store_writer_copy(&w, loc->addr, size);
    int rc = store_writer_end(&w);
    if (rc != 0)
        return program_failed(r, dst + size, rc);
    loc->addr = dst;
    r->wp += size;
    return 0;
}

/* Move slot's current copy out of sector `from` when it lives there. A copy
 * that no longer verifies is replaced by the best remaining one first. */
static int relocate(store_records_t *r, int slot, uint32_t from) {
    for (int attempt = 0; attempt < 2; attempt++) {
        store_record_loc_t *loc = &r->loc[slot];
        bool ok;
        if (!loc->valid || sector_of(r, loc->addr) != from)
            return 0;
        int rc = verify(r, loc, NULL, &ok);
        if (rc != 0)
            return rc;
        if (ok)
            return move_copy(r, slot);
        r->stats.bad_entries++;
        rc = refind(r, slot);
        if (rc != 0)
            return rc;
        if (!r->loc[slot].valid)
            r->stats.lost++;
    }
    /* Two damaged copies in a row: give the slot up rather than loop. */
    r->loc[slot].valid = false;
    r->stats.lost++;
    return 0;
}

/* Garbage-collect sector rel: move every current copy it holds into the
 * active sector, sync, then mark it obsolete and erase it. Nothing current
 * is erased, so a cut anywhere here leaves every record readable. */
static int reclaim(store_records_t *r, uint32_t rel, const store_sector_info_t *info) {
    for (uint32_t i = 0; i < r->count; i++) {
        int rc = relocate(r, (int)i, rel);
        if (rc != 0)
            return rc;
    }
    int rc = store_flash_sync(&r->region);
    if (rc == 0)
        rc = store_sector_drop(&r->region, rel, info, &r->stats.erases);
    if (rc != 0)
        r->need_mount = true;
    return rc;
}

/* Open the next sector (kept erased) as the active one, then reclaim the
 * sector after it, the oldest, so that one sector is erased again. */
static int advance(store_records_t *r) {
    store_sector_info_t info;
    uint32_t next = next_sector(r, r->active);
    if (r->active_gen == UINT32_MAX)
        return STORE_ERR_EXHAUSTED;
    int rc = store_sector_probe(&r->region, next, STORE_KIND_RECORDS, true, &info);
    if (rc == 0 && info.state != STORE_SECTOR_BLANK)
        rc = reclaim(r, next, &info); /* only after an earlier failure */
    if (rc != 0)
        return rc;
    store_sector_hdr_t h = {STORE_KIND_RECORDS, 0, r->active_gen + 1u, 0};
    rc = store_sector_format(&r->region, next, &h);
    if (rc != 0)
        return program_failed(r, 0, rc);
    r->active = next;
    r->active_gen++;
    r->wp = r->region.data_off;
    uint32_t victim = next_sector(r, next);
    rc = store_sector_probe(&r->region, victim, STORE_KIND_RECORDS, true, &info);
    if (rc == 0 && info.state != STORE_SECTOR_BLANK)
        rc = reclaim(r, victim, &info);
    return rc;
}

static int make_room(store_records_t *r, uint32_t size) {
    /* After advance() the active sector holds at most the live copies,
     * which init checked leave room for one more; a second round covers
     * space wasted by copies torn during a garbage collection. */
    for (int i = 0; i < 2 && r->wp + size > r->region.data_end; i++) {
        int rc = advance(r);
        if (rc != 0)
            return rc;
    }
    return r->wp + size > r->region.data_end ? STORE_ERR_NOSPACE : 0;
}

/* ---- mount ---------------------------------------------------------------------- */

static int count_in_sector(const store_records_t *r, uint32_t rel) {
    int n = 0;
    for (uint32_t i = 0; i < r->count; i++)
        if (r->loc[i].valid && sector_of(r, r->loc[i].addr) == rel)
            n++;
    return n;
}

/* No formatted sector: start a journal in a blank sector, else in one
 * holding no current copy, else (nothing else possible) in sector 0, whose
 * copies are then lost. gen continues above every generation seen. */
static int format_region(store_records_t *r, uint32_t gen) {
    store_sector_info_t info;
    uint32_t target = r->region.sectors;
    int rc;
    for (uint32_t rel = 0; rel < r->region.sectors && target == r->region.sectors; rel++) {
        rc = store_sector_probe(&r->region, rel, STORE_KIND_RECORDS, true, &info);
        if (rc != 0)
            return rc;
        if (info.state == STORE_SECTOR_BLANK)
            target = rel;
    }
    for (uint32_t rel = 0; rel < r->region.sectors && target == r->region.sectors; rel++)
        if (count_in_sector(r, rel) == 0)
            target = rel;
    if (target == r->region.sectors) {
        target = 0;
        for (uint32_t i = 0; i < r->count; i++) {
            if (r->loc[i].valid && sector_of(r, r->loc[i].addr) == 0) {
                r->loc[i].valid = false;
                r->stats.lost++;
            }
        }
    }
    rc = store_sector_probe(&r->region, target, STORE_KIND_RECORDS, true, &info);
    if (rc == 0 && info.state != STORE_SECTOR_BLANK)
        rc = store_sector_drop(&r->region, target, &info, &r->stats.erases);
    if (rc != 0)
        return rc;
    store_sector_hdr_t h = {STORE_KIND_RECORDS, 0, gen, 0};
    rc = store_sector_format(&r->region, target, &h);
    if (rc != 0)
        return rc;
    r->active = target;
    r->active_gen = gen;
    r->wp = r->region.data_off;
    return 0;
}

/* Quick look at every header: the formatted sector with the highest
 * generation is the active one. */
static int find_active(store_records_t *r, bool *found, uint32_t *max_gen) {
    *found = false;
    *max_gen = 0;
    for (uint32_t rel = 0; rel < r->region.sectors; rel++) {
        store_sector_info_t info;
        int rc = store_sector_probe(&r->region, rel, STORE_KIND_RECORDS, false, &info);
        if (rc != 0)
            return rc;
        if (info.hdr_ok && info.hdr.gen > *max_gen)
            *max_gen = info.hdr.gen;
        if (info.state == STORE_SECTOR_FORMATTED && (!*found || info.hdr.gen > r->active_gen)) {
            *found = true;
            r->active = rel;
            r->active_gen = info.hdr.gen;
        }
    }
    return 0;
}

/* Sectors without a header that hold no current copy (a torn format, a
 * foreign or damaged sector) are erased once counted, so that they are
 * reported once; those still holding copies wait for their garbage
 * collection. */
static int drop_dead_sectors(store_records_t *r) {
    for (uint32_t rel = 0; rel < r->region.sectors; rel++) {
        store_sector_info_t info;
        if (rel == r->active || count_in_sector(r, rel) != 0)
            continue;
        int rc = store_sector_probe(&r->region, rel, STORE_KIND_RECORDS, false, &info);
        if (rc == 0 && info.state == STORE_SECTOR_UNFORMATTED)
            rc = store_sector_probe(&r->region, rel, STORE_KIND_RECORDS, true, &info);
        if (rc == 0 && info.state == STORE_SECTOR_GARBAGE)
            rc = store_sector_drop(&r->region, rel, &info, &r->stats.erases);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Index every sector, oldest (the one after the active) first. Sectors
 * without a header are scanned too: a flipped bit in a header must not
 * hide the copies behind it. */
static int index_all(store_records_t *r, bool have_active) {
    uint32_t rel = have_active ? next_sector(r, r->active) : 0;
    for (uint32_t i = 0; i < r->region.sectors; i++, rel = next_sector(r, rel)) {
        store_sector_info_t info;
        uint32_t end;
        int rc = store_sector_probe(&r->region, rel, STORE_KIND_RECORDS, true, &info);
        if (rc != 0)
            return rc;
        if (info.state == STORE_SECTOR_BLANK || info.state == STORE_SECTOR_OBSOLETE)
            continue;
        if (info.state == STORE_SECTOR_GARBAGE)
            r->stats.bad_sectors++;
        rc = scan_sector(r, rel, -1, true, &end);
        if (rc != 0)
            return rc;
        if (have_active && rel == r->active)
            r->wp = end;
    }
    return 0;
}

static int mount(store_records_t *r) {
    bool have;
    uint32_t max_gen;
    memset(r->loc, 0, sizeof(r->loc));
    r->seq = 0;
    r->need_mount = true;
    int rc = find_active(r, &have, &max_gen);
    if (rc == 0)
        rc = index_all(r, have);
    if (rc == 0 && !have)
        rc = max_gen == UINT32_MAX ? STORE_ERR_EXHAUSTED : format_region(r, max_gen + 1u);
    if (rc == 0)
        rc = drop_dead_sectors(r);
    if (rc != 0)
        return rc;

    uint32_t abase = store_sector_addr(&r->region, r->active);
    if (r->fail_end > abase + r->wp && r->fail_end <= abase + r->region.data_end)
        r->wp = store_align_up(r->fail_end - abase, r->region.align);

    /* The sector after the active one must be erased; if it is not, a
     * garbage collection was cut short (or a sector header was torn):
     * finish it now, so that the next advance finds it blank. */
    store_sector_info_t info;
    uint32_t spare = next_sector(r, r->active);
    rc = store_sector_probe(&r->region, spare, STORE_KIND_RECORDS, true, &info);
    if (rc == 0 && info.state != STORE_SECTOR_BLANK) {
        rc = reclaim(r, spare, &info);
        if (rc == STORE_ERR_NOSPACE)
            rc = 0; /* reads still work; writes report NOSPACE (docs/store.md) */
    }
    if (rc == 0)
        r->need_mount = false;
    return rc;
}

static int ensure_mounted(store_records_t *r) {
    return r->need_mount ? mount(r) : 0;
}

/* ---- public API ---------------------------------------------------------------------- */

static int check_table(const store_records_t *r) {
    const store_region_t *g = &r->region;
    uint32_t total = 0, largest = 0;
    for (uint32_t i = 0; i < r->count; i++) {
        const store_record_def_t *d = &r->defs[i];
        if (d->id == 0xFFFFu || d->max_len == 0)
            return STORE_ERR_CONFIG;
        for (uint32_t j = 0; j < i; j++)
            if (r->defs[j].id == d->id)
                return STORE_ERR_CONFIG;
        uint32_t n = copy_size(r, d->max_len);
        total += n;
        if (n > largest)
            largest = n;
    }
    /* A garbage collection may move every current copy into the new active
     * sector, which must then still take the copy that triggered it. */
    return total + largest <= g->data_end - g->data_off ? 0 : STORE_ERR_NOSPACE;
}

int store_record_init(store_records_t *r, const em_port_t *port, uint32_t first_sector,
                      uint32_t sector_count, const store_record_def_t *defs, size_t count) {
    if (r == NULL || port == NULL || defs == NULL)
        return STORE_ERR_BADARG;
    memset(r, 0, sizeof(*r));
    if (count == 0 || count > EM_STORE_MAX_RECORDS)
        return STORE_ERR_CONFIG;
    int rc = store_region_init(&r->region, port, first_sector, sector_count);
    if (rc != 0)
        return rc;
    r->defs = defs;
    r->count = (uint32_t)count;
    rc = check_table(r);
    if (rc != 0) {
        r->defs = NULL; /* unusable: every call answers STORE_ERR_BADARG */
        return rc;
    }
    /* A mount that fails on I/O is retried by the next call. */
    return mount(r);
}

static int lookup(store_records_t *r, uint16_t id) {
    if (r == NULL || r->defs == NULL)
        return STORE_ERR_BADARG;
    int rc = ensure_mounted(r);
    if (rc != 0)
        return rc;
    int slot = slot_of(r, id);
    return slot < 0 ? STORE_ERR_NOTFOUND : slot;
}

int store_record_read(store_records_t *r, uint16_t id, void *buf, size_t cap) {
    if (buf == NULL && cap > 0)
        return STORE_ERR_BADARG;
    int slot = lookup(r, id);
    if (slot < 0)
        return slot;
    for (int attempt = 0; attempt < 2; attempt++) {
        const store_record_loc_t *loc = &r->loc[slot];
        if (!loc->valid)
            return attempt == 0 ? STORE_ERR_EMPTY : STORE_ERR_CORRUPT;
        if (cap < loc->len)
            return STORE_ERR_BUFFER;
        bool ok;
        int rc = verify(r, loc, buf, &ok);
        if (rc != 0)
            return rc;
        if (ok)
            return loc->len;
        /* Flipped since mount: fall back to the best copy left. */
        r->stats.bad_entries++;
        rc = refind(r, slot);
        if (rc != 0)
            return rc;
        if (!r->loc[slot].valid)
            r->stats.lost++;
    }
    return STORE_ERR_CORRUPT;
}

int store_record_len(store_records_t *r, uint16_t id) {
    int slot = lookup(r, id);
    if (slot < 0)
        return slot;
    return r->loc[slot].valid ? r->loc[slot].len : STORE_ERR_EMPTY;
}

/* Is data[0..len) already the slot's current value (so the write can be
 * skipped)? */
static int same_value(store_records_t *r, int slot, const uint8_t *data, size_t len, bool *same) {
    const store_record_loc_t *loc = &r->loc[slot];
    uint8_t buf[STORE_READ_CHUNK];
    *same = false;
    if (!loc->valid || loc->len != len || store_crc32(0, data, len) != loc->crc)
        return 0;
    for (size_t off = 0; off < len; off += sizeof(buf)) {
        size_t n = len - off < sizeof(buf) ? len - off : sizeof(buf);
        int rc =
            store_flash_read(&r->region, loc->addr + STORE_RECORD_HDR_LEN + (uint32_t)off, buf, n);
        if (rc != 0)
            return rc;
        if (memcmp(buf, data + off, n) != 0)
            return 0;
    }
    *same = true;
    return 0;
}

int store_record_write(store_records_t *r, uint16_t id, const void *data, size_t len) {
    if (data == NULL && len > 0)
        return STORE_ERR_BADARG;
    int slot = lookup(r, id);
    if (slot < 0)
        return slot;
    if (len > r->defs[slot].max_len)
        return STORE_ERR_TOOBIG;
    bool same;
    int rc = same_value(r, slot, data, len, &same);
    if (rc != 0 || same)
        return rc;
    if (r->seq == UINT32_MAX)
        return STORE_ERR_EXHAUSTED;

    uint32_t size = copy_size(r, (uint32_t)len);
    rc = make_room(r, size);
    if (rc != 0)
        return rc;
    rec_hdr_t h = {(uint16_t)id, (uint16_t)len, r->seq + 1u, store_crc32(0, data, len)};
    uint8_t raw[STORE_RECORD_HDR_LEN];
    store_writer_t w;
    uint32_t addr = store_sector_addr(&r->region, r->active) + r->wp;
    hdr_encode(raw, &h);
    store_writer_begin(&w, &r->region, addr);
    store_writer_put(&w, raw, sizeof(raw));
    store_writer_put(&w, data, len);
    rc = store_writer_end(&w);
    if (rc == 0)
        rc = store_flash_sync(&r->region);
    if (rc != 0)
        return program_failed(r, addr + size, rc);
    r->seq = h.seq;
    r->wp += size;
    r->fail_end = 0;
    consider(r, slot, &h, addr);
    return 0;
}

int store_record_check(store_records_t *r, store_check_t *res) {
    if (r == NULL || r->defs == NULL || res == NULL)
        return STORE_ERR_BADARG;
    res->checked = 0;
    res->bad = 0;
    int rc = ensure_mounted(r);
    for (uint32_t i = 0; rc == 0 && i < r->count; i++) {
        bool ok;
        if (!r->loc[i].valid)
            continue;
        res->checked++;
        rc = verify(r, &r->loc[i], NULL, &ok);
        if (rc == 0 && !ok)
            res->bad++;
    }
    if (rc != 0)
        return rc;
    r->stats.bad_entries += res->bad;
    return res->bad > 0 ? STORE_ERR_CORRUPT : 0;
}

const store_stats_t *store_record_stats(const store_records_t *r) {
    return &r->stats;
}
