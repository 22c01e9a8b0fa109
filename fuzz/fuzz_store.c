/*
 * fuzz_store.c - libFuzzer target for lib/store: a record store and a ring
 * mounted over a flash image taken from the input.
 *
 * Input: byte 0 geometry (program unit, sector size), byte 1 region sizes
 * and ring entry length, bytes 2..3 seed of the operations, the rest the
 * flash image (padded with 0xFF, the erased state).
 *
 * The flash is an in-memory NOR port that traps on any access outside the
 * image, any misaligned program, and any program that would have to turn a
 * 0 bit back into 1 (the store only programs erased bytes, or zeros).
 *
 * Invariants (trap on violation): mount succeeds; a record or entry read
 * twice gives the same bytes; every entry below count() reads back; the
 * self-check finds nothing right after mount; after a write the read
 * returns what was written; after a remount every record holds what was
 * last written (or what was read before, when untouched) and the ring's
 * newest entry is the last one appended.
 *
 * One operation flips a programmed bit back to 1 behind the store's back
 * (a weak cell; free space stays erased): from then on values may fall
 * back or be lost, so only the consistency invariants are checked.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "store/record.h"
#include "store/ring.h"

#define MAX_IMAGE (8u * 1024u * 2u)

typedef struct mem_flash {
    uint8_t img[MAX_IMAGE];
    uint32_t size;
    uint32_t sector_size;
    uint32_t unit;
} mem_flash_t;

static mem_flash_t flash;

static int mem_read(void *user, uint32_t addr, void *buf, size_t len) {
    mem_flash_t *m = user;
    if ((uint64_t)addr + len > m->size)
        __builtin_trap();
    memcpy(buf, m->img + addr, len);
    return 0;
}

static int mem_program(void *user, uint32_t addr, const void *buf, size_t len) {
    mem_flash_t *m = user;
    const uint8_t *src = buf;
    if ((uint64_t)addr + len > m->size || addr % m->unit != 0 || len % m->unit != 0)
        __builtin_trap();
    for (size_t i = 0; i < len; i++) {
        if ((m->img[addr + i] & src[i]) != src[i])
            __builtin_trap(); /* would need an erase first */
        m->img[addr + i] = src[i];
    }
    return 0;
}

static int mem_erase(void *user, uint32_t sector) {
    mem_flash_t *m = user;
    if ((uint64_t)(sector + 1u) * m->sector_size > m->size)
        __builtin_trap();
    memset(m->img + (size_t)sector * m->sector_size, 0xFF, m->sector_size);
    return 0;
}

static int mem_sync(void *user) {
    (void)user;
    return 0;
}

static const store_record_def_t defs[] = {{1, 24}, {2, 8}, {3, 40}, {9, 4}};
#define NDEFS 4u

typedef struct expect {
    uint8_t val[40];
    int len; /* or a negative error: STORE_ERR_EMPTY */
} expect_t;

static void value_for(uint32_t x, uint8_t *out, size_t len) {
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        out[i] = (uint8_t)(x >> 16);
    }
}

static void check_record(store_records_t *r, unsigned i, const expect_t *e) {
    uint8_t buf[64];
    int n = store_record_read(r, defs[i].id, buf, sizeof(buf));
    if (n != e->len || (n > 0 && memcmp(buf, e->val, (size_t)n) != 0))
        __builtin_trap();
}

/* After a flipped bit: whatever a record reads, it reads it again. */
static void check_record_stable(store_records_t *r, unsigned i) {
    uint8_t a[64], b[64];
    int na = store_record_read(r, defs[i].id, a, sizeof(a));
    int nb = store_record_read(r, defs[i].id, b, sizeof(b));
    if (na == STORE_ERR_CORRUPT) /* the first read found the damage */
        nb = na;
    if (na != nb || (na > 0 && memcmp(a, b, (size_t)na) != 0) || na > (int)defs[i].max_len)
        __builtin_trap();
}

/* Turn one 0 bit of a programmed byte back into 1. */
static void flip_programmed_bit(uint32_t x) {
    uint32_t addr = x % flash.size;
    for (uint32_t n = 0; n < flash.size; n++, addr = (addr + 1u) % flash.size) {
        uint8_t b = flash.img[addr];
        if (b == 0xFF)
            continue;
        unsigned bit = (x >> 20) % 8u;
        while (b & (1u << bit))
            bit = (bit + 1u) % 8u;
        flash.img[addr] = (uint8_t)(b | 1u << bit);
        return;
    }
}

/* Mount the records, read everything twice. */
static void read_records(store_records_t *r, expect_t *seen) {
    for (unsigned i = 0; i < NDEFS; i++) {
        uint8_t a[64], b[64];
        int na = store_record_read(r, defs[i].id, a, sizeof(a));
        int nb = store_record_read(r, defs[i].id, b, sizeof(b));
        if (na != nb || (na >= 0 && memcmp(a, b, (size_t)na) != 0))
            __builtin_trap();
        if (na > (int)defs[i].max_len || (na < 0 && na != STORE_ERR_EMPTY))
            __builtin_trap();
        seen[i].len = na;
        if (na > 0)
            memcpy(seen[i].val, a, (size_t)na);
    }
}

static void read_ring(store_ring_t *g) {
    int count = store_ring_count(g);
    if (count < 0 || (uint32_t)count > store_ring_capacity(g))
        __builtin_trap();
    for (int i = 0; i < count; i++) {
        uint8_t a[64], b[64];
        if (store_ring_read(g, (uint32_t)i, a, sizeof(a)) != (int)g->entry_len ||
            store_ring_read(g, (uint32_t)i, b, sizeof(b)) != (int)g->entry_len ||
            memcmp(a, b, g->entry_len) != 0)
            __builtin_trap();
    }
    uint8_t c[64];
    if (store_ring_read(g, (uint32_t)count, c, sizeof(c)) != STORE_ERR_RANGE)
        __builtin_trap();
}

static void last_entry_is(store_ring_t *g, const uint8_t *want) {
    uint8_t got[64];
    int count = store_ring_count(g);
    if (count <= 0 ||
        store_ring_read(g, (uint32_t)count - 1u, got, sizeof(got)) != (int)g->entry_len)
        __builtin_trap();
    if (memcmp(got, want, g->entry_len) != 0)
        __builtin_trap();
}

/* After a flipped bit the newest entry reads back, or is reported. */
static void last_entry_is_or_corrupt(store_ring_t *g, const uint8_t *want) {
    uint8_t got[64];
    int count = store_ring_count(g);
    if (count <= 0)
        __builtin_trap();
    int rc = store_ring_read(g, (uint32_t)count - 1u, got, sizeof(got));
    if (rc == STORE_ERR_CORRUPT)
        return;
    if (rc != (int)g->entry_len || memcmp(got, want, g->entry_len) != 0)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const uint32_t units[] = {1, 2, 4, 8};
    static const uint32_t sectors[] = {256, 512, 1024};
    static const uint32_t entry_lens[] = {8, 16, 21, 40}; /* 21: slots with padding */
    if (size < 4)
        return 0;
    uint32_t unit = units[data[0] & 3u];
    uint32_t ssize = sectors[(data[0] >> 2) % 3u];
    uint32_t nrec = 2u + (data[1] & 3u), nring = 2u + ((data[1] >> 2) & 3u);
    uint32_t elen = entry_lens[(data[1] >> 4) & 3u];
    uint32_t seed = (uint32_t)data[2] | (uint32_t)data[3] << 8;
    data += 4;
    size -= 4;

    flash.size = ssize * (nrec + nring);
    flash.sector_size = ssize;
    flash.unit = unit;
    memset(flash.img, 0xFF, flash.size);
    memcpy(flash.img, data, size < flash.size ? size : flash.size);

    em_port_t port;
    memset(&port, 0, sizeof(port));
    port.user = &flash;
    port.flash.sector_size = ssize;
    port.flash.sector_count = nrec + nring;
    port.flash.program_unit = unit;
    port.flash_read = mem_read;
    port.flash_program = mem_program;
    port.flash_erase = mem_erase;
    port.flash_sync = mem_sync;

    static store_records_t r;
    static store_ring_t g;
    expect_t want[NDEFS];
    store_check_t res;
    int rc = store_record_init(&r, &port, 0, nrec, defs, NDEFS);
    if (rc == STORE_ERR_EXHAUSTED)
        return 0; /* generations used up: only a crafted image gets there */
    if (rc != 0)
        __builtin_trap();
    read_records(&r, want);
    if (store_record_check(&r, &res) != 0 || res.bad != 0)
        __builtin_trap();

    rc = store_ring_init(&g, &port, nrec, nring, elen, 1);
    if (rc == 0)
        rc = store_ring_init(&g, &port, nrec, nring, elen, (nring - 1u) * g.per_sector);
    if (rc == STORE_ERR_EXHAUSTED)
        return 0;
    if (rc != 0)
        __builtin_trap();
    read_ring(&g);
    if (store_ring_check(&g, &res) != 0 || res.bad != 0)
        __builtin_trap();

    /* A few operations, checked as they go. */
    uint8_t last[64];
    int appended = 0, tainted = 0;
    unsigned nops = 8u + seed % 64u;
    for (unsigned op = 0; op < nops; op++) {
        seed = seed * 1664525u + 1013904223u;
        unsigned which = (seed >> 24) % 8u;
        if (which < 4) {
            unsigned i = (seed >> 8) % NDEFS;
            size_t len = (seed >> 12) % (defs[i].max_len + 1u);
            uint8_t v[40];
            value_for(seed, v, len);
            rc = store_record_write(&r, defs[i].id, v, len);
            if (rc == 0) {
                memcpy(want[i].val, v, len);
                want[i].len = (int)len;
                check_record(&r, i, &want[i]); /* a fresh copy, even when tainted */
            } else if (rc != STORE_ERR_NOSPACE && rc != STORE_ERR_EXHAUSTED) {
                __builtin_trap();
            }
            if (tainted)
                check_record_stable(&r, i);
            else
                check_record(&r, i, &want[i]);
        } else if (which < 7) {
            value_for(seed, last, elen);
            rc = store_ring_append(&g, last, elen);
            if (rc == 0) {
                appended = 1;
                if (tainted)
                    last_entry_is_or_corrupt(&g, last);
                else
                    last_entry_is(&g, last);
            } else if (rc != STORE_ERR_EXHAUSTED) {
                __builtin_trap();
            }
        } else if ((seed & 0x700u) == 0) {
            flip_programmed_bit(seed);
            tainted = 1;
            for (unsigned i = 0; i < NDEFS; i++)
                check_record_stable(&r, i);
            store_record_check(&r, &res);
            store_ring_check(&g, &res);
        } else if ((seed & 0xF0u) == 0) {
            rc = store_ring_clear(&g);
            if (rc == 0) {
                appended = 0;
                if (store_ring_count(&g) != 0)
                    __builtin_trap();
            } else if (rc != STORE_ERR_EXHAUSTED) {
                __builtin_trap();
            }
        }
    }

    /* Restart over the same flash. */
    if (store_record_init(&r, &port, 0, nrec, defs, NDEFS) != 0)
        __builtin_trap();
    for (unsigned i = 0; i < NDEFS; i++) {
        if (tainted)
            check_record_stable(&r, i);
        else
            check_record(&r, i, &want[i]);
    }
    if (store_record_check(&r, &res) != 0)
        __builtin_trap();
    if (store_ring_init(&g, &port, nrec, nring, elen, (nring - 1u) * g.per_sector) != 0)
        __builtin_trap();
    read_ring(&g);
    if (appended && !tainted)
        last_entry_is(&g, last);
    if (store_ring_check(&g, &res) != 0)
        __builtin_trap();
    return 0;
}
