/*
 * test_store_record.c - lib/store records: round trips over several flash
 * geometries, restart, torn writes at every byte (POSIX port fault
 * injection) and at every byte / erase of a garbage collection (wrapper
 * port), random power cuts, flipped bits, wear spread, table checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store/record.h"
#include "test_store_harness.h"

#define ID_ENERGY  1u
#define ID_COUNTER 2u
#define ID_KEYS    3u
#define ID_CONFIG  7u

static const store_record_def_t defs[] = {
    {ID_ENERGY, 64},
    {ID_COUNTER, 8},
    {ID_KEYS, 32},
    {ID_CONFIG, 100},
};
#define NDEFS (sizeof(defs) / sizeof(defs[0]))

/* The value of version v of record id: a length and bytes derived from both,
 * so that two versions never share a prefix by accident. */
static size_t value_of(unsigned id, unsigned v, uint8_t *out) {
    size_t max = 0;
    for (size_t i = 0; i < NDEFS; i++)
        if (defs[i].id == id)
            max = defs[i].max_len;
    size_t len = 1 + (id * 7u + v * 13u) % max;
    uint32_t x = id * 2654435761u ^ v * 40503u;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        out[i] = (uint8_t)(x >> 16);
    }
    return len;
}

static void write_version(store_records_t *r, unsigned id, unsigned v) {
    uint8_t buf[128];
    size_t len = value_of(id, v, buf);
    assert_int_equal(store_record_write(r, (uint16_t)id, buf, len), 0);
}

/* Which version (from the candidates a, b) record id holds; fails otherwise.
 * A candidate of -1 stands for "never written" (STORE_ERR_EMPTY). */
static int held_version(store_records_t *r, unsigned id, int a, int b) {
    uint8_t got[128], want[128];
    int n = store_record_read(r, (uint16_t)id, got, sizeof(got));
    int cands[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        if (cands[i] < 0) {
            if (n == STORE_ERR_EMPTY)
                return -1;
            continue;
        }
        size_t len = value_of(id, (unsigned)cands[i], want);
        if (n == (int)len && memcmp(got, want, len) == 0)
            return cands[i];
    }
    fail_msg("record %u holds neither version %d nor %d (read %d)", id, a, b, n);
    return -2;
}

static void expect_version(store_records_t *r, unsigned id, int v) {
    assert_int_equal(held_version(r, id, v, v), v);
}

static int mount(tflash_t *t, store_records_t *r, uint32_t first, uint32_t count) {
    return store_record_init(r, &t->port, first, count, defs, NDEFS);
}

/* ---- round trips ------------------------------------------------------------------ */

static void round_trip_geometry(uint32_t sector_size, uint32_t unit) {
    tflash_t t;
    store_records_t r;
    int ver[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
    assert_int_equal(tflash_open(&t, sector_size, 5, unit), 0);
    t.real_sync = sector_size == 512 && unit == 4; /* once through fdatasync */
    assert_int_equal(mount(&t, &r, 1, 3), 0);
    assert_false(store_stats_corrupted(store_record_stats(&r)));
    for (size_t i = 0; i < NDEFS; i++)
        assert_int_equal(store_record_read(&r, defs[i].id, NULL, 0), STORE_ERR_EMPTY);

    /* Enough writes to go round the three sectors several times. */
    unsigned writes = sector_size * 12u / 40u;
    for (unsigned n = 0; n < writes; n++) {
        unsigned k = n % 7u < 4u ? 0u : n % 7u - 3u; /* energy most of the time */
        unsigned id = defs[k].id;
        write_version(&r, id, n);
        ver[k] = (int)n;
        if (n % 17u == 0) {
            for (size_t i = 0; i < NDEFS; i++)
                expect_version(&r, defs[i].id, ver[i]);
        }
    }
    for (size_t i = 0; i < NDEFS; i++)
        expect_version(&r, defs[i].id, ver[i]);
    assert_true(store_record_stats(&r)->erases >= 3);

    /* Restart: a new context over the same image file. */
    assert_int_equal(tflash_power_cycle(&t), 0);
    assert_int_equal(mount(&t, &r, 1, 3), 0);
    assert_false(store_stats_corrupted(store_record_stats(&r)));
    for (size_t i = 0; i < NDEFS; i++)
        expect_version(&r, defs[i].id, ver[i]);
    /* Sectors outside the region were never touched. */
    assert_int_equal(t.erases[0] + t.erases[4], 0);
    uint8_t b[16];
    tflash_peek(&t, 0, b, sizeof(b));
    for (size_t i = 0; i < sizeof(b); i++)
        assert_int_equal(b[i], 0xFF);
    tflash_close(&t);
}

static void test_round_trip_geometries(void **state) {
    (void)state;
    static const uint32_t sizes[] = {512, 4096};
    static const uint32_t units[] = {1, 4, 8, 16};
    for (size_t s = 0; s < 2; s++)
        for (size_t u = 0; u < 4; u++)
            round_trip_geometry(sizes[s], units[u]);
}

static void test_errors_and_lengths(void **state) {
    (void)state;
    tflash_t t;
    store_records_t r;
    uint8_t buf[128];
    assert_int_equal(tflash_open(&t, 512, 2, 4), 0);
    assert_int_equal(mount(&t, &r, 0, 2), 0);
    memset(buf, 0x5A, sizeof(buf));
    assert_int_equal(store_record_write(&r, 99, buf, 1), STORE_ERR_NOTFOUND);
    assert_int_equal(store_record_read(&r, 99, buf, sizeof(buf)), STORE_ERR_NOTFOUND);
    assert_int_equal(store_record_write(&r, ID_COUNTER, buf, 9), STORE_ERR_TOOBIG);
    assert_int_equal(store_record_write(&r, ID_COUNTER, NULL, 1), STORE_ERR_BADARG);
    assert_int_equal(store_record_len(&r, ID_COUNTER), STORE_ERR_EMPTY);
    assert_int_equal(store_record_write(&r, ID_COUNTER, buf, 8), 0);
    assert_int_equal(store_record_len(&r, ID_COUNTER), 8);
    assert_int_equal(store_record_read(&r, ID_COUNTER, buf, 7), STORE_ERR_BUFFER);
    /* A zero-length value is a value. */
    assert_int_equal(store_record_write(&r, ID_KEYS, buf, 0), 0);
    assert_int_equal(store_record_read(&r, ID_KEYS, buf, sizeof(buf)), 0);
    /* The same value again costs no flash. */
    unsigned long before = t.programmed;
    memset(buf, 0x5A, 8);
    assert_int_equal(store_record_write(&r, ID_COUNTER, buf, 8), 0);
    assert_int_equal(t.programmed, before);
    buf[7] = 0x5B;
    unsigned long syncs = t.syncs;
    assert_int_equal(store_record_write(&r, ID_COUNTER, buf, 8), 0);
    assert_true(t.programmed > before);
    assert_true(t.syncs > syncs); /* durable when it returns */
    memset(buf, 0, sizeof(buf));
    assert_int_equal(store_record_read(&r, ID_COUNTER, buf, sizeof(buf)), 8);
    assert_int_equal(buf[6], 0x5A);
    assert_int_equal(buf[7], 0x5B);
    tflash_close(&t);
}

static void test_table_and_geometry_checks(void **state) {
    (void)state;
    tflash_t t;
    store_records_t r;
    assert_int_equal(tflash_open(&t, 512, 4, 4), 0);
    static const store_record_def_t dup[] = {{1, 8}, {1, 8}};
    static const store_record_def_t erased_id[] = {{0xFFFF, 8}};
    static const store_record_def_t empty_len[] = {{1, 0}};
    static const store_record_def_t too_big[] = {{1, 200}, {2, 200}};
    static const store_record_def_t just_fits[] = {{1, 140}, {2, 140}}; /* 3 x 156 <= 488 */
    assert_int_equal(store_record_init(&r, &t.port, 0, 2, dup, 2), STORE_ERR_CONFIG);
    assert_int_equal(store_record_init(&r, &t.port, 0, 2, erased_id, 1), STORE_ERR_CONFIG);
    assert_int_equal(store_record_init(&r, &t.port, 0, 2, empty_len, 1), STORE_ERR_CONFIG);
    assert_int_equal(store_record_init(&r, &t.port, 0, 2, defs, 0), STORE_ERR_CONFIG);
    assert_int_equal(store_record_init(&r, &t.port, 0, 2, defs, EM_STORE_MAX_RECORDS + 1),
                     STORE_ERR_CONFIG);
    /* 2 x 216 + 216 > 488 bytes of data area */
    assert_int_equal(store_record_init(&r, &t.port, 0, 2, too_big, 2), STORE_ERR_NOSPACE);
    uint8_t b[8];
    assert_int_equal(store_record_read(&r, 1, b, sizeof(b)), STORE_ERR_BADARG);
    assert_int_equal(store_record_write(&r, 1, b, 1), STORE_ERR_BADARG);
    assert_int_equal(store_record_init(&r, &t.port, 0, 2, just_fits, 2), 0);
    /* Regions: one sector, past the end, overflowing. */
    assert_int_equal(mount(&t, &r, 0, 1), STORE_ERR_GEOMETRY);
    assert_int_equal(mount(&t, &r, 3, 2), STORE_ERR_GEOMETRY);
    assert_int_equal(mount(&t, &r, 4, 2), STORE_ERR_GEOMETRY);
    assert_int_equal(mount(&t, &r, 0xFFFFFFFFu, 2), STORE_ERR_GEOMETRY);
    assert_int_equal(store_record_init(NULL, &t.port, 0, 2, defs, NDEFS), STORE_ERR_BADARG);
    assert_int_equal(store_record_init(&r, NULL, 0, 2, defs, NDEFS), STORE_ERR_BADARG);
    /* Program units the store does not support. */
    em_port_t odd = t.port;
    odd.flash.program_unit = 3;
    assert_int_equal(store_record_init(&r, &odd, 0, 2, defs, NDEFS), STORE_ERR_GEOMETRY);
    odd.flash.program_unit = 2u * EM_STORE_MAX_PROGRAM_UNIT;
    assert_int_equal(store_record_init(&r, &odd, 0, 2, defs, NDEFS), STORE_ERR_GEOMETRY);
    odd = t.port;
    odd.flash_erase = NULL;
    assert_int_equal(store_record_init(&r, &odd, 0, 2, defs, NDEFS), STORE_ERR_BADARG);
    tflash_close(&t);
}

/* ---- torn writes ---------------------------------------------------------------- */

/* Power cut after k bytes of a record copy (the POSIX port's
 * tear_next_program_at), for every k: the record reads old or new, never
 * a mix, the other records are untouched, a torn copy is reported, and
 * the store keeps working. */
static void torn_copy_every_byte(uint32_t unit) {
    uint8_t val[128];
    size_t len = value_of(ID_ENERGY, 1000, val);
    uint32_t size = (uint32_t)(16 + len + 7) & ~7u; /* >= the copy on any unit up to 8 */
    int commits = 0, olds = 0;
    for (uint32_t k = 0; k <= size; k++) {
        tflash_t t;
        store_records_t r;
        assert_int_equal(tflash_open(&t, 512, 2, unit), 0);
        assert_int_equal(mount(&t, &r, 0, 2), 0);
        write_version(&r, ID_ENERGY, 1);
        write_version(&r, ID_COUNTER, 2);
        write_version(&r, ID_ENERGY, 3);

        t.st.tear_next_program_at = (long)k;
        int rc = store_record_write(&r, ID_ENERGY, val, len);
        if (rc == 0) {
            expect_version(&r, ID_ENERGY, 1000);
        }
        assert_int_equal(tflash_power_cycle(&t), 0);
        assert_int_equal(mount(&t, &r, 0, 2), 0);
        int v = held_version(&r, ID_ENERGY, 3, 1000);
        expect_version(&r, ID_COUNTER, 2);
        if (rc == 0) {
            assert_int_equal(v, 1000);
            commits++;
        } else if (v == 3) {
            olds++;
            /* Something reached the flash, so the torn copy is reported. */
            if (k > 0)
                assert_true(store_record_stats(&r)->bad_entries > 0);
        }
        /* ... once: the mount buried it, the next mount is clean. */
        assert_int_equal(tflash_power_cycle(&t), 0);
        assert_int_equal(mount(&t, &r, 0, 2), 0);
        if (store_stats_corrupted(store_record_stats(&r)))
            fail_msg("unit %u k %u: reported again (%u bad entries)", unit, k,
                     store_record_stats(&r)->bad_entries);
        held_version(&r, ID_ENERGY, 3, 1000);

        /* Life goes on after the cut. */
        write_version(&r, ID_ENERGY, 2000 + k);
        write_version(&r, ID_KEYS, 5);
        assert_int_equal(tflash_power_cycle(&t), 0);
        assert_int_equal(mount(&t, &r, 0, 2), 0);
        expect_version(&r, ID_ENERGY, (int)(2000 + k));
        expect_version(&r, ID_KEYS, 5);
        expect_version(&r, ID_COUNTER, 2);
        tflash_close(&t);
    }
    assert_true(olds > 0);
    assert_true(commits > 0);
}

static void test_torn_copy_every_byte(void **state) {
    (void)state;
    torn_copy_every_byte(1);
    torn_copy_every_byte(4);
    torn_copy_every_byte(8);
}

/* Bring a fresh store (sectors x 512, unit) to the point where the next
 * write of ID_ENERGY fills the active sector, so it triggers a sector
 * change and a garbage collection of the sector holding the current copies
 * of the other records. ver receives the versions held. */
static void fill_until_gc(tflash_t *t, store_records_t *r, uint32_t sectors, uint32_t unit,
                          int ver[NDEFS], unsigned *next) {
    uint8_t val[128];
    assert_int_equal(tflash_open(t, 512, sectors, unit), 0);
    assert_int_equal(mount(t, r, 0, sectors), 0);
    /* Go round once, so that the victim has been erased before. */
    unsigned n = 1;
    while (r->stats.erases == 0) {
        write_version(r, ID_ENERGY, n);
        ver[0] = (int)n++;
    }
    for (size_t i = 1; i < NDEFS; i++) {
        write_version(r, defs[i].id, 100 + (unsigned)i);
        ver[i] = 100 + (int)i;
    }
    /* Fill sectors until the next sector change reclaims the one holding
     * the copies just written. */
    uint32_t holder = r->active;
    for (;;) {
        size_t len = value_of(ID_ENERGY, n, val);
        uint32_t size = store_align_up((uint32_t)(16 + len), r->region.align);
        uint32_t victim = (r->active + 2u) % sectors;
        if (victim == holder && r->wp + size > r->region.data_end)
            break;
        assert_int_equal(store_record_write(r, ID_ENERGY, val, len), 0);
        ver[0] = (int)n++;
    }
    *next = n;
}

/* Cut the power at every byte of every program of a write that triggers a
 * garbage collection, and in every erase of it after a range of prefixes:
 * after the restart every record holds its old value (or the new one for
 * the record being written) and the store carries on. */
static void torn_gc(uint32_t sectors, uint32_t unit) {
    tflash_t t;
    store_records_t r;
    int ver[NDEFS];
    unsigned n;
    uint8_t val[128];

    /* Dry run: how many bytes and erases the write costs. */
    fill_until_gc(&t, &r, sectors, unit, ver, &n);
    unsigned long p0 = t.programmed, e0 = tflash_total_erases(&t);
    size_t len = value_of(ID_ENERGY, n, val);
    assert_int_equal(store_record_write(&r, ID_ENERGY, val, len), 0);
    long bytes = (long)(t.programmed - p0);
    unsigned erases = (unsigned)(tflash_total_erases(&t) - e0);
    assert_true(erases >= 1);
    tflash_close(&t);

    long cuts = bytes + 1;
    assert_true(bytes > 200); /* header, moved copies, marker, new copy */
    for (long c = 0; c < cuts + (long)erases * 40; c++) {
        fill_until_gc(&t, &r, sectors, unit, ver, &n);
        if (c < cuts) {
            t.prog_budget = c;
        } else {
            long e = (c - cuts) / 40, step = (c - cuts) % 40;
            t.erase_skip = (unsigned)e;
            t.erase_budget = step * 13; /* 0 .. 507: header, entries, marker */
        }
        len = value_of(ID_ENERGY, n, val);
        int rc = store_record_write(&r, ID_ENERGY, val, len);
        assert_int_equal(tflash_power_cycle(&t), 0);
        assert_int_equal(mount(&t, &r, 0, sectors), 0);
        int v = held_version(&r, ID_ENERGY, ver[0], (int)n);
        if (rc == 0)
            assert_int_equal(v, (int)n);
        /* An erase cut short is recognised (obsolete marker), not reported
         * as corruption. */
        if (c >= cuts)
            if (store_stats_corrupted(store_record_stats(&r)))
                fail_msg("c %ld cuts %ld: %u %u %u", c, cuts, r.stats.bad_entries,
                         r.stats.bad_sectors, r.stats.lost);
        for (size_t i = 1; i < NDEFS; i++)
            expect_version(&r, defs[i].id, ver[i]);
        /* Keep writing: another round of sector changes must work. */
        for (unsigned k = 0; k < 40; k++)
            write_version(&r, ID_ENERGY, 5000 + k);
        write_version(&r, ID_CONFIG, 77);
        assert_int_equal(tflash_power_cycle(&t), 0);
        assert_int_equal(mount(&t, &r, 0, sectors), 0);
        expect_version(&r, ID_ENERGY, 5039);
        expect_version(&r, ID_CONFIG, 77);
        expect_version(&r, ID_KEYS, ver[2]);
        expect_version(&r, ID_COUNTER, ver[1]);
        tflash_close(&t);
    }
}

static void test_torn_garbage_collection(void **state) {
    (void)state;
    torn_gc(2, 4);
    torn_gc(3, 8);
    torn_gc(2, 1);
}

/* Random cuts (programs and erases) during random writes, checked against
 * a model: every record holds its last committed value, or the value of
 * the write the cut interrupted. */
static void test_random_power_cuts(void **state) {
    (void)state;
    tflash_t t;
    store_records_t r;
    int committed[NDEFS] = {-1, -1, -1, -1};
    uint32_t seed = 12345;
    unsigned version = 1;
    assert_int_equal(tflash_open(&t, 512, 3, 4), 0);
    assert_int_equal(mount(&t, &r, 0, 3), 0);
    for (int round = 0; round < 400; round++) {
        seed = seed * 1664525u + 1013904223u;
        if (seed >> 31)
            t.prog_budget = (long)((seed >> 8) % 1500u);
        else {
            t.erase_skip = (seed >> 8) % 2u;
            t.erase_budget = (long)((seed >> 12) % 512u);
        }
        int pending_slot = -1, pending = -1;
        for (int w = 0; w < 30; w++) {
            seed = seed * 1664525u + 1013904223u;
            size_t k = (seed >> 16) % 8u < 5u ? 0 : (seed >> 16) % NDEFS;
            uint8_t val[128];
            size_t len = value_of(defs[k].id, version, val);
            int rc = store_record_write(&r, defs[k].id, val, len);
            if (rc == 0) {
                committed[k] = (int)version++;
                continue;
            }
            pending_slot = (int)k;
            pending = (int)version++;
            break;
        }
        assert_int_equal(tflash_power_cycle(&t), 0);
        assert_int_equal(mount(&t, &r, 0, 3), 0);
        for (size_t i = 0; i < NDEFS; i++) {
            int alt = (int)i == pending_slot ? pending : committed[i];
            committed[i] = held_version(&r, defs[i].id, committed[i], alt);
        }
    }
    tflash_close(&t);
}

/* ---- corruption ---------------------------------------------------------------------- */

static uint32_t copy_addr(const store_records_t *r, unsigned id) {
    for (uint32_t i = 0; i < r->count; i++)
        if (r->defs[i].id == id)
            return r->loc[i].addr;
    return 0;
}

static void test_flipped_bit_uses_previous_copy(void **state) {
    (void)state;
    static const unsigned where[] = {16 + 3, 4, 13}; /* data, header seq, header CRC */
    for (size_t w = 0; w < 3; w++) {
        tflash_t t;
        store_records_t r;
        store_check_t res;
        assert_int_equal(tflash_open(&t, 512, 2, 4), 0);
        assert_int_equal(mount(&t, &r, 0, 2), 0);
        write_version(&r, ID_ENERGY, 1);
        write_version(&r, ID_COUNTER, 1);
        write_version(&r, ID_ENERGY, 2);
        assert_int_equal(store_record_check(&r, &res), 0);
        assert_int_equal(res.checked, 2);
        assert_int_equal(res.bad, 0);

        /* Flip a bit of the newest copy behind the store's back. */
        tflash_flip_bit(&t, copy_addr(&r, ID_ENERGY) + where[w], 2);
        assert_int_equal(store_record_check(&r, &res), STORE_ERR_CORRUPT);
        assert_int_equal(res.bad, 1);
        assert_true(store_stats_corrupted(store_record_stats(&r)));
        /* Without a restart the read falls back to the previous copy... */
        expect_version(&r, ID_ENERGY, 1);
        /* ...and so does a mount. */
        assert_int_equal(tflash_power_cycle(&t), 0);
        assert_int_equal(mount(&t, &r, 0, 2), 0);
        assert_true(store_record_stats(&r)->bad_entries > 0);
        expect_version(&r, ID_ENERGY, 1);
        expect_version(&r, ID_COUNTER, 1);
        store_stats_reset(&r.stats);
        assert_false(store_stats_corrupted(store_record_stats(&r)));

        /* The only copy of a record damaged: reported, then empty. */
        tflash_flip_bit(&t, copy_addr(&r, ID_COUNTER) + 17, 0);
        uint8_t buf[16];
        assert_int_equal(store_record_read(&r, ID_COUNTER, buf, sizeof(buf)), STORE_ERR_CORRUPT);
        assert_int_equal(store_record_stats(&r)->lost, 1);
        assert_int_equal(store_record_read(&r, ID_COUNTER, buf, sizeof(buf)), STORE_ERR_EMPTY);
        write_version(&r, ID_COUNTER, 3);
        assert_int_equal(tflash_power_cycle(&t), 0);
        assert_int_equal(mount(&t, &r, 0, 2), 0);
        expect_version(&r, ID_COUNTER, 3);
        expect_version(&r, ID_ENERGY, 1);
        tflash_close(&t);
    }
}

/* A damaged copy in the sector being garbage-collected is not carried over:
 * the previous good copy is. */
static void test_flipped_bit_during_gc(void **state) {
    (void)state;
    tflash_t t;
    store_records_t r;
    int ver[NDEFS];
    unsigned n;
    fill_until_gc(&t, &r, 2, 4, ver, &n);
    /* ID_CONFIG's only copy sits in the old sector: damage it. */
    tflash_flip_bit(&t, copy_addr(&r, ID_CONFIG) + 20, 5);
    write_version(&r, ID_ENERGY, n);
    assert_true(store_record_stats(&r)->lost >= 1);
    uint8_t buf[128];
    assert_int_equal(store_record_read(&r, ID_CONFIG, buf, sizeof(buf)), STORE_ERR_EMPTY);
    expect_version(&r, ID_KEYS, ver[2]);
    assert_int_equal(tflash_power_cycle(&t), 0);
    assert_int_equal(mount(&t, &r, 0, 2), 0);
    expect_version(&r, ID_ENERGY, (int)n);
    expect_version(&r, ID_KEYS, ver[2]);
    tflash_close(&t);
}

/* Arbitrary bytes in the region: mount reports them, formats, and works. */
static void test_garbage_region(void **state) {
    (void)state;
    tflash_t t;
    store_records_t r;
    uint8_t junk[512];
    assert_int_equal(tflash_open(&t, 512, 3, 4), 0);
    for (uint32_t s = 0; s < 3; s++) {
        for (size_t i = 0; i < sizeof(junk); i++)
            junk[i] = (uint8_t)(i * 31u + s * 7u);
        tflash_poke(&t, s * 512u, junk, sizeof(junk));
    }
    assert_int_equal(mount(&t, &r, 0, 3), 0);
    assert_int_equal(store_record_stats(&r)->bad_sectors, 3);
    for (size_t i = 0; i < NDEFS; i++)
        assert_int_equal(store_record_len(&r, defs[i].id), STORE_ERR_EMPTY);
    /* Reported once: the junk was erased. */
    assert_int_equal(mount(&t, &r, 0, 3), 0);
    assert_false(store_stats_corrupted(store_record_stats(&r)));
    for (unsigned v = 0; v < 50; v++)
        write_version(&r, ID_ENERGY, v);
    write_version(&r, ID_KEYS, 9);
    assert_int_equal(tflash_power_cycle(&t), 0);
    assert_int_equal(mount(&t, &r, 0, 3), 0);
    expect_version(&r, ID_ENERGY, 49);
    expect_version(&r, ID_KEYS, 9);
    tflash_close(&t);
}

/* A flipped bit in the header of a sector holding live copies: they are
 * still found (copies carry their own CRC and sequence number). */
static void test_flipped_sector_header(void **state) {
    (void)state;
    tflash_t t;
    store_records_t r;
    assert_int_equal(tflash_open(&t, 512, 3, 4), 0);
    assert_int_equal(mount(&t, &r, 0, 3), 0);
    write_version(&r, ID_KEYS, 4);
    write_version(&r, ID_ENERGY, 5);
    tflash_flip_bit(&t, store_sector_addr(&r.region, r.active) + 9, 1);
    assert_int_equal(tflash_power_cycle(&t), 0);
    assert_int_equal(mount(&t, &r, 0, 3), 0);
    assert_true(store_record_stats(&r)->bad_sectors > 0);
    expect_version(&r, ID_KEYS, 4);
    expect_version(&r, ID_ENERGY, 5);
    for (unsigned v = 6; v < 60; v++)
        write_version(&r, ID_ENERGY, v);
    assert_int_equal(tflash_power_cycle(&t), 0);
    assert_int_equal(mount(&t, &r, 0, 3), 0);
    expect_version(&r, ID_KEYS, 4);
    expect_version(&r, ID_ENERGY, 59);
    tflash_close(&t);
}

/* ---- wear ------------------------------------------------------------------------------ */

static void test_wear_spread(void **state) {
    (void)state;
    tflash_t t;
    store_records_t r;
    assert_int_equal(tflash_open(&t, 512, 6, 4), 0);
    assert_int_equal(mount(&t, &r, 1, 4), 0);
    write_version(&r, ID_CONFIG, 1);
    write_version(&r, ID_KEYS, 1);
    uint8_t e[16];
    for (uint32_t n = 0; n < 6000; n++) {
        memset(e, 0, sizeof(e));
        e[0] = (uint8_t)n;
        e[1] = (uint8_t)(n >> 8);
        assert_int_equal(store_record_write(&r, ID_ENERGY, e, sizeof(e)), 0);
    }
    unsigned long lo = ~0ul, hi = 0;
    for (uint32_t s = 1; s <= 4; s++) {
        lo = t.erases[s] < lo ? t.erases[s] : lo;
        hi = t.erases[s] > hi ? t.erases[s] : hi;
    }
    /* Sectors are erased strictly in turn. 6000 copies of 32 bytes fill a
     * 488-byte data area 15 at a time, minus the two moved copies. */
    assert_true(hi - lo <= 1);
    assert_true(lo >= 6000 / 15 / 4 - 2);
    assert_int_equal(t.erases[0] + t.erases[5], 0);
    expect_version(&r, ID_CONFIG, 1);
    expect_version(&r, ID_KEYS, 1);
    tflash_close(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_geometries),
        cmocka_unit_test(test_errors_and_lengths),
        cmocka_unit_test(test_table_and_geometry_checks),
        cmocka_unit_test(test_torn_copy_every_byte),
        cmocka_unit_test(test_torn_garbage_collection),
        cmocka_unit_test(test_random_power_cuts),
        cmocka_unit_test(test_flipped_bit_uses_previous_copy),
        cmocka_unit_test(test_flipped_bit_during_gc),
        cmocka_unit_test(test_garbage_region),
        cmocka_unit_test(test_flipped_sector_header),
        cmocka_unit_test(test_wear_spread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
