/*
 * sector.c - flash plumbing shared by the record store and the rings:
 * region geometry, sector header and obsolete marker, chunked scans and
 * the chunked writer (see sector.h for the layout).
 */
#include "store/sector.h"

#include <string.h>

#include "store/store.h"

_Static_assert(EM_STORE_PROGRAM_CHUNK % EM_STORE_MAX_PROGRAM_UNIT == 0,
               "EM_STORE_PROGRAM_CHUNK must be a multiple of EM_STORE_MAX_PROGRAM_UNIT");
_Static_assert((EM_STORE_MAX_PROGRAM_UNIT & (EM_STORE_MAX_PROGRAM_UNIT - 1)) == 0,
               "EM_STORE_MAX_PROGRAM_UNIT must be a power of two");

void store_put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void store_put_u16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

uint32_t store_get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint16_t store_get_u16(const uint8_t *p) {
    return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t store_align_up(uint32_t v, uint32_t a) {
    return (v + a - 1u) & ~(a - 1u);
}

static bool is_pow2(uint32_t v) {
    return v != 0 && (v & (v - 1u)) == 0;
}

int store_region_layout(store_region_t *g, const em_flash_geometry_t *f) {
    uint32_t unit = f->program_unit;
    if (!is_pow2(unit) || unit > EM_STORE_MAX_PROGRAM_UNIT || f->sector_size == 0 ||
        f->sector_size % unit != 0 || f->sector_size % 4u != 0)
        return STORE_ERR_GEOMETRY;
    g->sector_size = f->sector_size;
    g->unit = unit;
    g->align = unit > 4u ? unit : 4u;
    g->data_off = store_align_up(STORE_SECTOR_HDR_LEN, g->align);
    g->data_end = f->sector_size - store_align_up(4u, unit);
    return g->data_end > g->data_off ? 0 : STORE_ERR_GEOMETRY;
}

int store_region_init(store_region_t *g, const em_port_t *port, uint32_t first_sector,
                      uint32_t sector_count) {
    if (g == NULL || port == NULL || port->flash_read == NULL || port->flash_program == NULL ||
        port->flash_erase == NULL)
        return STORE_ERR_BADARG;
    const em_flash_geometry_t *f = &port->flash;
    memset(g, 0, sizeof(*g));
    int rc = store_region_layout(g, f);
    if (rc != 0)
        return rc;
    /* Two sectors at least: one being filled while the other is erased. */
    if (sector_count < 2 || first_sector >= f->sector_count ||
        sector_count > f->sector_count - first_sector)
        return STORE_ERR_GEOMETRY;
    /* Every address of the region must fit the port's 32-bit addresses. */
    if (((uint64_t)first_sector + sector_count) * f->sector_size > 0xFFFFFFFFull)
        return STORE_ERR_GEOMETRY;
    g->port = port;
    g->base = first_sector * f->sector_size;
    g->sectors = sector_count;
    return 0;
}

uint32_t store_sector_addr(const store_region_t *g, uint32_t rel) {
    return g->base + rel * g->sector_size;
}

int store_flash_read(const store_region_t *g, uint32_t addr, void *buf, size_t len) {
    const em_port_t *p = g->port;
    return p->flash_read(p->user, addr, buf, len) == 0 ? 0 : STORE_ERR_IO;
}

int store_flash_sync(const store_region_t *g) {
    const em_port_t *p = g->port;
    if (p->flash_sync == NULL)
        return 0;
    return p->flash_sync(p->user) == 0 ? 0 : STORE_ERR_IO;
}

static int flash_program(const store_region_t *g, uint32_t addr, const void *buf, size_t len) {
    const em_port_t *p = g->port;
    return p->flash_program(p->user, addr, buf, len) == 0 ? 0 : STORE_ERR_IO;
}

static bool bytes_are(const uint8_t *p, size_t n, uint8_t v) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

int store_flash_scan(const store_region_t *g, uint32_t addr, uint32_t len, uint32_t *crc,
                     bool *all_ff) {
    uint8_t buf[STORE_READ_CHUNK];
    bool ff = true;
    while (len > 0) {
        uint32_t n = len < sizeof(buf) ? len : (uint32_t)sizeof(buf);
        int rc = store_flash_read(g, addr, buf, n);
        if (rc != 0)
            return rc;
        if (crc != NULL)
            *crc = store_crc32(*crc, buf, n);
        if (ff && !bytes_are(buf, n, 0xFF))
            ff = false;
        addr += n;
        len -= n;
    }
    if (all_ff != NULL)
        *all_ff = ff;
    return 0;
}

int store_sector_last_used(const store_region_t *g, uint32_t rel, uint32_t from, uint32_t to,
                           uint32_t *end) {
    uint8_t buf[STORE_READ_CHUNK];
    uint32_t base = store_sector_addr(g, rel);
    /* Backwards: a full sector stops at its first chunk. */
    while (to > from) {
        uint32_t n = to - from < sizeof(buf) ? to - from : (uint32_t)sizeof(buf);
        int rc = store_flash_read(g, base + to - n, buf, n);
        if (rc != 0)
            return rc;
        for (uint32_t i = n; i > 0; i--) {
            if (buf[i - 1] != 0xFF) {
                *end = to - n + i;
                return 0;
            }
        }
        to -= n;
    }
    *end = from;
    return 0;
}

static void hdr_encode(uint8_t out[STORE_SECTOR_HDR_LEN], const store_sector_hdr_t *h) {
    store_put_u32(out, h->kind);
    store_put_u32(out + 4, h->param);
    store_put_u32(out + 8, h->gen);
    store_put_u32(out + 12, h->base);
    store_put_u32(out + 16, store_crc32(0, out, 16));
}

int store_sector_probe(const store_region_t *g, uint32_t rel, uint32_t kind, bool full,
                       store_sector_info_t *info) {
    uint8_t hdr[STORE_SECTOR_HDR_LEN];
    uint8_t marker[EM_STORE_MAX_PROGRAM_UNIT > 4 ? EM_STORE_MAX_PROGRAM_UNIT : 4];
    uint32_t base = store_sector_addr(g, rel);
    uint32_t mlen = g->sector_size - g->data_end;
    memset(info, 0, sizeof(*info));
    int rc = store_flash_read(g, base, hdr, sizeof(hdr));
    if (rc == 0)
        rc = store_flash_read(g, base + g->data_end, marker, mlen);
    if (rc != 0)
        return rc;

    if (store_get_u32(hdr + 16) == store_crc32(0, hdr, 16) && store_get_u32(hdr) == kind) {
        info->hdr_ok = true;
        info->hdr.kind = kind;
        info->hdr.param = store_get_u32(hdr + 4);
        info->hdr.gen = store_get_u32(hdr + 8);
        info->hdr.base = store_get_u32(hdr + 12);
    }
    if (bytes_are(marker, mlen, 0x00)) {
        info->state = STORE_SECTOR_OBSOLETE;
        return 0;
    }
    if (info->hdr_ok) {
        info->state = STORE_SECTOR_FORMATTED;
        return 0;
    }
    /* Header erased but the marker still partly programmed: an erase cut
     * short after clearing the header and part of the marker. */
    if (bytes_are(hdr, sizeof(hdr), 0xFF) && !bytes_are(marker, mlen, 0xFF)) {
        info->state = STORE_SECTOR_OBSOLETE;
        return 0;
    }
    if (!full) {
        info->state = STORE_SECTOR_UNFORMATTED;
        return 0;
    }
    bool ff;
    rc = store_flash_scan(g, base, g->sector_size, NULL, &ff);
    if (rc != 0)
        return rc;
    info->state = ff ? STORE_SECTOR_BLANK : STORE_SECTOR_GARBAGE;
    return 0;
}

int store_sector_format(const store_region_t *g, uint32_t rel, const store_sector_hdr_t *h) {
    uint8_t hdr[STORE_SECTOR_HDR_LEN];
    store_writer_t w;
    hdr_encode(hdr, h);
    store_writer_begin(&w, g, store_sector_addr(g, rel));
    store_writer_put(&w, hdr, sizeof(hdr));
    int rc = store_writer_end(&w);
    return rc != 0 ? rc : store_flash_sync(g);
}

int store_sector_drop(const store_region_t *g, uint32_t rel, const store_sector_info_t *info,
                      uint32_t *stats_erases) {
    const em_port_t *p = g->port;
    int rc;
    if (info->hdr_ok && info->state != STORE_SECTOR_OBSOLETE) {
        uint8_t zeros[EM_STORE_MAX_PROGRAM_UNIT > 4 ? EM_STORE_MAX_PROGRAM_UNIT : 4];
        memset(zeros, 0, sizeof(zeros));
        rc = flash_program(g, store_sector_addr(g, rel) + g->data_end, zeros,
                           g->sector_size - g->data_end);
        if (rc == 0)
            rc = store_flash_sync(g);
        if (rc != 0)
            return rc;
    }
    (*stats_erases)++;
    if (p->flash_erase(p->user, (g->base / g->sector_size) + rel) != 0)
        return STORE_ERR_IO;
    return store_flash_sync(g);
}

/* ---- writer -------------------------------------------------------------------- */

void store_writer_begin(store_writer_t *w, const store_region_t *g, uint32_t addr) {
    w->g = g;
    w->addr = addr;
    w->fill = 0;
    w->rc = 0;
}

static void writer_flush(store_writer_t *w) {
    if (w->rc == 0 && w->fill > 0)
        w->rc = flash_program(w->g, w->addr, w->buf, w->fill);
    w->addr += (uint32_t)w->fill;
    w->fill = 0;
}

void store_writer_put(store_writer_t *w, const void *data, size_t len) {
    const uint8_t *src = data;
    while (len > 0) {
        size_t n = sizeof(w->buf) - w->fill;
        if (n > len)
            n = len;
        memcpy(w->buf + w->fill, src, n);
        w->fill += n;
        src += n;
        len -= n;
        if (w->fill == sizeof(w->buf))
            writer_flush(w);
    }
}

int store_writer_end(store_writer_t *w) {
    size_t padded = store_align_up((uint32_t)w->fill, w->g->unit);
    memset(w->buf + w->fill, 0xFF, padded - w->fill);
    w->fill = padded;
    writer_flush(w);
    return w->rc;
}

int store_flash_zero(const store_region_t *g, uint32_t addr, uint32_t len) {
    static const uint8_t zeros[STORE_READ_CHUNK];
    store_writer_t w;
    store_writer_begin(&w, g, addr);
    while (len > 0) {
        uint32_t n = len < sizeof(zeros) ? len : (uint32_t)sizeof(zeros);
        store_writer_put(&w, zeros, n);
        len -= n;
    }
    int rc = store_writer_end(&w);
    return rc != 0 ? rc : store_flash_sync(g);
}

void store_writer_copy(store_writer_t *w, uint32_t src, uint32_t len) {
    uint8_t buf[STORE_READ_CHUNK];
    while (len > 0 && w->rc == 0) {
        uint32_t n = len < sizeof(buf) ? len : (uint32_t)sizeof(buf);
        w->rc = store_flash_read(w->g, src, buf, n);
        if (w->rc == 0)
            store_writer_put(w, buf, n);
        src += n;
        len -= n;
    }
}
