/*
 * sector.h - the flash plumbing under the record store and the rings: a
 * region of whole sectors, the sector header that formats a sector, the
 * obsolete marker, chunked reads that compute a CRC or look for erased
 * bytes, and a writer that programs a unit stream in aligned chunks.
 *
 * Internal to lib/store (record.c, ring.c); not part of the public API.
 *
 * Sector layout (all integers little-endian, read byte by byte):
 *
 *   0      header: kind u32, param u32, gen u32, base u32, crc u32
 *          (crc = CRC-32 of the first 16 bytes)
 *   data_off .. data_end   entries of the record store or ring slots
 *   data_end .. end        obsolete marker: one program unit (at least
 *                          4 bytes), all 0x00 once the sector's content
 *                          has been copied or given up and it is about to
 *                          be erased
 *
 * The marker sits at the very end so that an erase cut short after
 * clearing a prefix of the sector (the header first) still shows it, and
 * it is all zeros because ECC flash (STM32L4/G4...) accepts zeros over a
 * programmed word but nothing else.
 */
#ifndef EMETER_STORE_SECTOR_H
#define EMETER_STORE_SECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emeter_config.h"
#include "port.h"

#define STORE_SECTOR_HDR_LEN 20u /* kind, param, gen, base, crc */
#define STORE_READ_CHUNK     64u /* bytes read per flash_read when scanning */

/* Sector kinds ("EMR1", "EMG1" as bytes on flash). */
#define STORE_KIND_RECORDS 0x31524D45u
#define STORE_KIND_RING    0x31474D45u

typedef struct store_region {
    const em_port_t *port;
    uint32_t base;        /* flash address of the region's first sector */
    uint32_t sectors;     /* sectors in the region, >= 2 */
    uint32_t sector_size; /* bytes per sector */
    uint32_t unit;        /* program unit */
    uint32_t align;       /* max(unit, 4): every entry starts on this boundary */
    uint32_t data_off;    /* first byte after the header */
    uint32_t data_end;    /* first byte of the obsolete marker */
} store_region_t;

typedef struct store_sector_hdr {
    uint32_t kind;  /* STORE_KIND_* */
    uint32_t param; /* ring: entry length; records: 0 */
    uint32_t gen;   /* records: sector generation; ring: epoch */
    uint32_t base;  /* ring: sequence number of slot 0; records: 0 */
} store_sector_hdr_t;

enum store_sector_state {
    STORE_SECTOR_BLANK = 0,   /* every byte 0xFF */
    STORE_SECTOR_FORMATTED,   /* header of the expected kind, CRC good */
    STORE_SECTOR_OBSOLETE,    /* marker all zeros, or partly with the header erased (an
                                 erase cut short): content no longer needed */
    STORE_SECTOR_GARBAGE,     /* anything else: torn header, foreign data, flipped bits */
    STORE_SECTOR_UNFORMATTED, /* quick probe only: no header, not obsolete, not looked further */
};

typedef struct store_sector_info {
    enum store_sector_state state;
    bool hdr_ok;            /* the header verified (also possible when OBSOLETE) */
    store_sector_hdr_t hdr; /* valid when hdr_ok */
} store_sector_info_t;

/* Round v up to a multiple of a (a power of two). */
uint32_t store_align_up(uint32_t v, uint32_t a);

/* Check geometry f (program unit a power of two up to
 * EM_STORE_MAX_PROGRAM_UNIT, sector size a multiple of it and of 4, room
 * for data) and fill the layout fields of g (sector_size, unit, align,
 * data_off, data_end). STORE_ERR_GEOMETRY. */
int store_region_layout(store_region_t *g, const em_flash_geometry_t *f);

/* Check the port's geometry and the sector range [first, first + count)
 * and fill g. STORE_ERR_BADARG, STORE_ERR_GEOMETRY. */
int store_region_init(store_region_t *g, const em_port_t *port, uint32_t first_sector,
                      uint32_t sector_count);

/* Flash address of relative sector rel. */
uint32_t store_sector_addr(const store_region_t *g, uint32_t rel);

/* Port calls with the port's errors mapped to STORE_ERR_IO. */
int store_flash_read(const store_region_t *g, uint32_t addr, void *buf, size_t len);
int store_flash_sync(const store_region_t *g);

/* Read [addr, addr + len) in chunks: *crc (when crc != NULL) is continued
 * over the bytes, *all_ff (when not NULL) tells whether every byte is 0xFF. */
int store_flash_scan(const store_region_t *g, uint32_t addr, uint32_t len, uint32_t *crc,
                     bool *all_ff);

/* Offset (within sector rel) just past the last byte that is not 0xFF in
 * [from, to); from when there is none. */
int store_sector_last_used(const store_region_t *g, uint32_t rel, uint32_t from, uint32_t to,
                           uint32_t *end);

/* Read and classify sector rel as a sector of `kind`. A quick probe
 * (full = false) reads only the header and the marker and leaves a sector
 * without either as STORE_SECTOR_UNFORMATTED; a full probe reads such a
 * sector through to tell BLANK from GARBAGE. */
int store_sector_probe(const store_region_t *g, uint32_t rel, uint32_t kind, bool full,
                       store_sector_info_t *info);

/* Program the header of an erased sector and sync. */
int store_sector_format(const store_region_t *g, uint32_t rel, const store_sector_hdr_t *h);

/* Give up sector rel: when its header is readable, program the obsolete
 * marker and sync first (so a cut erase is recognised as such), then
 * erase and sync. stats_erases is incremented for the erase. */
int store_sector_drop(const store_region_t *g, uint32_t rel, const store_sector_info_t *info,
                      uint32_t *stats_erases);

/* ---- writer ------------------------------------------------------------------ */

/* Collects a byte stream and programs it in chunks of EM_STORE_PROGRAM_CHUNK
 * bytes at consecutive aligned addresses, so an entry up to that size goes
 * to the port in one flash_program call. The first error sticks in rc. */
typedef struct store_writer {
    const store_region_t *g;
    uint32_t addr; /* flash address of buf[0] */
    size_t fill;
    int rc;
    uint8_t buf[EM_STORE_PROGRAM_CHUNK];
} store_writer_t;

void store_writer_begin(store_writer_t *w, const store_region_t *g, uint32_t addr);
void store_writer_put(store_writer_t *w, const void *data, size_t len);
/* Pad with 0xFF to a multiple of the program unit, program the rest and
 * return the first error (STORE_ERR_IO) or 0. Does not sync. */
int store_writer_end(store_writer_t *w);

/* Program zeros over [addr, addr + len) (aligned to the program unit) and
 * sync: the tombstone that turns a damaged entry into a silent hole, so it
 * is reported once. Zeros can be programmed over any content, also on ECC
 * flash. */
int store_flash_zero(const store_region_t *g, uint32_t addr, uint32_t len);

/* Copy len bytes (a multiple of the alignment) from flash address src to
 * the writer. */
void store_writer_copy(store_writer_t *w, uint32_t src, uint32_t len);

/* Little-endian field helpers (no unaligned access). */
void store_put_u32(uint8_t *p, uint32_t v);
void store_put_u16(uint8_t *p, uint16_t v);
uint32_t store_get_u32(const uint8_t *p);
uint16_t store_get_u16(const uint8_t *p);

#endif /* EMETER_STORE_SECTOR_H */
