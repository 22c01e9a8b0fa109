/*
 * test_store_ring.c - lib/store rings: append/read/count over several flash
 * geometries and laps, capacity and sizing, restart, torn appends at every
 * byte (POSIX port fault injection), cuts at every byte / erase of a sector
 * change and of a clear (wrapper port), random power cuts against a model,
 * flipped bits, reformat on a new entry length, wear spread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store/ring.h"
#include "test_store_harness.h"

/* Entry number id: its id in the first 4 bytes, then a pattern of it. */
static void entry_of(uint32_t id, uint8_t *out, size_t len) {
    uint32_t x = id * 2246822519u + 7u;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        out[i] = (uint8_t)(x >> 16);
    }
    for (size_t i = 0; i < 4 && i < len; i++)
        out[i] = (uint8_t)(id >> (8 * i));
}

static void append_id(store_ring_t *g, uint32_t id) {
    uint8_t e[256];
    entry_of(id, e, g->entry_len);
    assert_int_equal(store_ring_append(g, e, g->entry_len), 0);
}

/* The id of entry index, checking that its bytes are exactly entry_of(id). */
static uint32_t id_at(store_ring_t *g, uint32_t index) {
    uint8_t e[256], want[256];
    assert_int_equal(store_ring_read(g, index, e, sizeof(e)), (int)g->entry_len);
    uint32_t id =
        (uint32_t)e[0] | (uint32_t)e[1] << 8 | (uint32_t)e[2] << 16 | (uint32_t)e[3] << 24;
    entry_of(id, want, g->entry_len);
    assert_memory_equal(e, want, g->entry_len);
    return id;
}

/* The ring holds exactly ids[n - count .. n) in order, with count at least
 * min_count. */
static int expect_suffix(store_ring_t *g, const uint32_t *ids, uint32_t n, uint32_t min_count) {
    int count = store_ring_count(g);
    assert_true(count >= 0);
    assert_true((uint32_t)count <= n);
    assert_true((uint32_t)count <= store_ring_capacity(g));
    if ((uint32_t)count < min_count)
        fail_msg("count %d below %u", count, min_count);
    for (uint32_t i = 0; i < (uint32_t)count; i++)
        assert_int_equal(id_at(g, i), ids[n - (uint32_t)count + i]);
    return count;
}

/* ids 0..n-1 stand for themselves. */
static uint32_t seq_ids[40000];

static void setup_seq_ids(void) {
    for (uint32_t i = 0; i < 40000; i++)
        seq_ids[i] = i;
}

static uint32_t min_u32(uint32_t a, uint32_t b) {
    return a < b ? a : b;
}

/* ---- round trips ------------------------------------------------------------------ */

static void laps_geometry(uint32_t sector_size, uint32_t unit, size_t entry_len) {
    tflash_t t;
    store_ring_t g;
    assert_int_equal(tflash_open(&t, sector_size, 6, unit), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 1, 4, entry_len, 1), 0);
    uint32_t cap = 3u * g.per_sector; /* all the sectors guarantee */
    assert_int_equal(store_ring_init(&g, &t.port, 1, 4, entry_len, cap), 0);
    assert_int_equal(store_ring_count(&g), 0);
    assert_false(store_stats_corrupted(store_ring_stats(&g)));

    uint32_t n = 4u * cap + 7u; /* several laps */
    for (uint32_t i = 0; i < n; i++) {
        unsigned long syncs = t.syncs;
        append_id(&g, i);
        assert_true(t.syncs > syncs); /* durable when it returns */
        assert_int_equal(store_ring_count(&g), (int)min_u32(i + 1u, cap));
        assert_int_equal(id_at(&g, (uint32_t)store_ring_count(&g) - 1u), i);
        if (i % 97u == 0)
            expect_suffix(&g, seq_ids, i + 1u, min_u32(i + 1u, cap));
    }
    expect_suffix(&g, seq_ids, n, cap);
    assert_int_equal(tflash_power_cycle(&t), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 1, 4, entry_len, cap), 0);
    assert_false(store_stats_corrupted(store_ring_stats(&g)));
    expect_suffix(&g, seq_ids, n, cap);
    append_id(&g, n);
    expect_suffix(&g, seq_ids, n + 1u, cap);
    assert_int_equal(t.erases[0] + t.erases[5], 0);
    tflash_close(&t);
}

static void test_laps_geometries(void **state) {
    (void)state;
    static const uint32_t sizes[] = {512, 4096};
    static const uint32_t units[] = {1, 4, 8, 16};
    static const size_t lens[] = {16, 64};
    for (size_t s = 0; s < 2; s++)
        for (size_t u = 0; u < 4; u++)
            for (size_t l = 0; l < 2; l++)
                laps_geometry(sizes[s], units[u], lens[l]);
}

static void test_capacity_and_errors(void **state) {
    (void)state;
    tflash_t t;
    store_ring_t g;
    uint8_t e[64];
    assert_int_equal(tflash_open(&t, 512, 4, 4), 0);
    /* 16-byte entries: 24-byte slots, 20 per 488-byte data area. */
    assert_int_equal(store_ring_init(&g, &t.port, 0, 4, 16, 61), STORE_ERR_NOSPACE);
    assert_int_equal(store_ring_count(&g), STORE_ERR_BADARG); /* unusable, not half set up */
    assert_int_equal(store_ring_append(&g, e, 0), STORE_ERR_BADARG);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 4, 16, 45), 0);
    assert_int_equal(g.per_sector, 20);
    for (uint32_t i = 0; i < 100; i++) {
        append_id(&g, i);
        assert_int_equal(store_ring_count(&g), (int)min_u32(i + 1u, 45));
    }
    expect_suffix(&g, seq_ids, 100, 45);
    assert_int_equal(store_ring_read(&g, 45, e, sizeof(e)), STORE_ERR_RANGE);
    assert_int_equal(store_ring_read(&g, 0, e, 15), STORE_ERR_BUFFER);
    assert_int_equal(store_ring_append(&g, e, 15), STORE_ERR_CONFIG);
    assert_int_equal(store_ring_append(&g, NULL, 16), STORE_ERR_BADARG);
    assert_int_equal(store_ring_capacity(&g), 45);

    assert_int_equal(store_ring_init(&g, &t.port, 0, 4, 0, 10), STORE_ERR_CONFIG);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 4, 16, 0), STORE_ERR_CONFIG);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 4, 481, 1), STORE_ERR_NOSPACE);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 1, 16, 1), STORE_ERR_GEOMETRY);
    assert_int_equal(store_ring_init(&g, &t.port, 2, 3, 16, 1), STORE_ERR_GEOMETRY);
    assert_int_equal(store_ring_init(&g, &t.port, 0, EM_STORE_RING_MAX_SECTORS + 1, 16, 1),
                     STORE_ERR_CONFIG);
    tflash_close(&t);
}

static void test_sectors_needed(void **state) {
    (void)state;
    em_flash_geometry_t geo = {4096, 64, 8};
    /* 64-byte profile rows: 72-byte slots, 56 per 4064-byte data area. */
    assert_int_equal(store_ring_sectors_needed(&geo, 64, 960), 19);
    /* 16-byte events: 24-byte slots, 169 per sector. */
    assert_int_equal(store_ring_sectors_needed(&geo, 16, 2190), 14);
    assert_int_equal(store_ring_sectors_needed(&geo, 16, 1), 2);
    assert_int_equal(store_ring_sectors_needed(&geo, 5000, 1), 0);
    assert_int_equal(store_ring_sectors_needed(&geo, 64, 1000000), 0);
    geo.program_unit = 3;
    assert_int_equal(store_ring_sectors_needed(&geo, 16, 10), 0);

    /* The count it gives is enough, one less is not. */
    tflash_t t;
    store_ring_t g;
    assert_int_equal(tflash_open(&t, 512, 16, 8), 0);
    uint32_t n = store_ring_sectors_needed(&t.geo, 40, 150);
    assert_true(n >= 2 && n <= 16);
    assert_int_equal(store_ring_init(&g, &t.port, 0, n, 40, 150), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 0, n - 1u, 40, 150), STORE_ERR_NOSPACE);
    tflash_close(&t);
}

static void test_clear(void **state) {
    (void)state;
    tflash_t t;
    store_ring_t g;
    assert_int_equal(tflash_open(&t, 512, 3, 4), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 3, 16, 40), 0);
    for (uint32_t i = 0; i < 50; i++)
        append_id(&g, i);
    uint32_t seq_before = g.head_base + g.head_slot;
    assert_int_equal(store_ring_clear(&g), 0);
    assert_int_equal(store_ring_count(&g), 0);
    assert_true(g.head_base >= seq_before); /* numbers keep growing */
    assert_int_equal(tflash_power_cycle(&t), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 3, 16, 40), 0);
    assert_int_equal(store_ring_count(&g), 0);
    assert_false(store_stats_corrupted(store_ring_stats(&g)));
    for (uint32_t i = 100; i < 190; i++)
        append_id(&g, i);
    assert_int_equal(tflash_power_cycle(&t), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 3, 16, 40), 0);
    assert_false(store_stats_corrupted(store_ring_stats(&g)));
    expect_suffix(&g, seq_ids + 100, 90, 40);
    /* Clear twice in a row, and on an empty ring. */
    assert_int_equal(store_ring_clear(&g), 0);
    assert_int_equal(store_ring_clear(&g), 0);
    assert_int_equal(store_ring_count(&g), 0);
    append_id(&g, 7);
    assert_int_equal(id_at(&g, 0), 7);
    tflash_close(&t);
}

/* ---- torn appends ------------------------------------------------------------------- */

/* Power cut after k bytes of an entry (POSIX tear_next_program_at), every k:
 * the ring mounts with every complete entry, without the torn one, and
 * reports it (once). */
static void torn_append_every_byte(uint32_t unit, size_t entry_len) {
    uint32_t commits = 0, olds = 0;
    uint32_t slot = (uint32_t)(8 + entry_len + 15) & ~15u;
    for (uint32_t k = 0; k <= slot; k++) {
        tflash_t t;
        store_ring_t g;
        uint8_t e[256];
        assert_int_equal(tflash_open(&t, 512, 3, unit), 0);
        assert_int_equal(store_ring_init(&g, &t.port, 0, 3, entry_len, 8), 0);
        for (uint32_t i = 0; i < 5; i++)
            append_id(&g, i);
        entry_of(5, e, entry_len);
        t.st.tear_next_program_at = (long)k;
        int rc = store_ring_append(&g, e, entry_len);
        assert_int_equal(tflash_power_cycle(&t), 0);
        assert_int_equal(store_ring_init(&g, &t.port, 0, 3, entry_len, 8), 0);
        int count = store_ring_count(&g);
        if (rc == 0) {
            commits++;
            assert_int_equal(count, 6);
        }
        assert_true(count == 5 || count == 6);
        expect_suffix(&g, seq_ids, (uint32_t)count, (uint32_t)count);
        if (count == 5) {
            olds++;
            if (k > 0) /* bytes reached the flash */
                assert_true(store_ring_stats(&g)->bad_entries > 0);
        }
        /* Reported once: the next mount is clean. */
        assert_int_equal(tflash_power_cycle(&t), 0);
        assert_int_equal(store_ring_init(&g, &t.port, 0, 3, entry_len, 8), 0);
        assert_false(store_stats_corrupted(store_ring_stats(&g)));
        /* Appends go on after the hole, across a sector change. */
        uint32_t ids[64];
        uint32_t n = 0;
        for (uint32_t i = 0; i < (uint32_t)count; i++)
            ids[n++] = i;
        for (uint32_t i = 10; i < 40; i++) {
            append_id(&g, i);
            ids[n++] = i;
        }
        expect_suffix(&g, ids, n, 8);
        assert_int_equal(tflash_power_cycle(&t), 0);
        assert_int_equal(store_ring_init(&g, &t.port, 0, 3, entry_len, 8), 0);
        expect_suffix(&g, ids, n, 8);
        tflash_close(&t);
    }
    assert_true(olds > 0);
    assert_true(commits > 0);
}

static void test_torn_append_every_byte(void **state) {
    (void)state;
    torn_append_every_byte(1, 16);
    torn_append_every_byte(4, 16);
    torn_append_every_byte(8, 64);
}

/* A ring of 3 sectors of 20 slots brought round so that its head sector
 * is full: the next append drops the oldest sector. */
static void fill_ring(tflash_t *t, store_ring_t *g, uint32_t *n) {
    assert_int_equal(tflash_open(t, 512, 3, 4), 0);
    assert_int_equal(store_ring_init(g, &t->port, 0, 3, 16, 40), 0);
    uint32_t i = 0;
    while (g->live < 3 || g->head_slot < g->per_sector)
        append_id(g, i++);
    *n = i;
}

/* Cut at every byte programmed and inside every erase of an append that
 * changes sector (and of a clear): the ring mounts with a suffix of what
 * was appended, at least `capacity` entries long unless cleared. */
static void torn_sector_change(int clear) {
    tflash_t t;
    store_ring_t g;
    uint32_t n;
    uint8_t e[16];

    fill_ring(&t, &g, &n);
    unsigned long p0 = t.programmed, e0 = tflash_total_erases(&t);
    entry_of(n, e, 16);
    assert_int_equal(clear ? store_ring_clear(&g) : store_ring_append(&g, e, 16), 0);
    long bytes = (long)(t.programmed - p0);
    unsigned erases = (unsigned)(tflash_total_erases(&t) - e0);
    assert_true(bytes >= 20 + 4);
    assert_int_equal(erases, 1);
    tflash_close(&t);

    for (long c = 0; c <= bytes + 40; c++) {
        fill_ring(&t, &g, &n);
        if (c <= bytes)
            t.prog_budget = c;
        else
            t.erase_budget = (c - bytes - 1) * 13; /* 0 .. 507 */
        int rc = clear ? store_ring_clear(&g) : store_ring_append(&g, e, 16);
        assert_int_equal(tflash_power_cycle(&t), 0);
        assert_int_equal(store_ring_init(&g, &t.port, 0, 3, 16, 40), 0);
        int count = store_ring_count(&g);
        if (c > bytes) /* an erase cut short is not corruption */
            assert_false(store_stats_corrupted(store_ring_stats(&g)));
        if (clear) {
            /* cleared, or as it was minus at most its oldest sector */
            if (rc == 0)
                assert_int_equal(count, 0);
            if (count > 0)
                expect_suffix(&g, seq_ids, n, 40u - 20u);
        } else {
            uint32_t got = count > 0 ? id_at(&g, (uint32_t)count - 1u) : 0;
            assert_true(got == n - 1u || got == n);
            if (rc == 0)
                assert_int_equal(got, n);
            expect_suffix(&g, seq_ids, got + 1u, 40);
        }
        /* and it carries on */
        uint32_t base = count > 0 ? id_at(&g, (uint32_t)count - 1u) + 1u : 1000u;
        for (uint32_t i = 0; i < 45; i++)
            append_id(&g, base + i);
        expect_suffix(&g, seq_ids + base, 45, 40);
        tflash_close(&t);
    }
}

static void test_torn_sector_change(void **state) {
    (void)state;
    torn_sector_change(0);
}

static void test_torn_clear(void **state) {
    (void)state;
    torn_sector_change(1);
}

/* Random cuts during random appends (and a few clears), checked against a
 * model of what was appended. */
static void test_random_power_cuts(void **state) {
    (void)state;
    static uint32_t ids[20000];
    uint32_t n = 0, next_id = 0, seed = 777;
    tflash_t t;
    store_ring_t g;
    assert_int_equal(tflash_open(&t, 512, 4, 8), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 4, 20, 45), 0);
    for (int round = 0; round < 300; round++) {
        seed = seed * 1664525u + 1013904223u;
        if (seed >> 31)
            t.prog_budget = (long)((seed >> 8) % 2000u);
        else
            t.erase_budget = (long)((seed >> 12) % 512u);
        int pending = 0, clearing = 0;
        for (int w = 0; w < 60; w++) {
            seed = seed * 1664525u + 1013904223u;
            int rc;
            if ((seed >> 16) % 97u == 0) {
                rc = store_ring_clear(&g);
                if (rc == 0)
                    n = 0;
                else
                    clearing = 1;
            } else {
                uint8_t e[20];
                entry_of(next_id, e, 20);
                rc = store_ring_append(&g, e, 20);
                if (rc == 0 && n < 20000)
                    ids[n++] = next_id;
                else if (rc != 0)
                    pending = 1;
                next_id++;
            }
            if (rc != 0)
                break;
        }
        assert_int_equal(tflash_power_cycle(&t), 0);
        assert_int_equal(store_ring_init(&g, &t.port, 0, 4, 20, 45), 0);
        int count = store_ring_count(&g);
        if (clearing) {
            /* cleared, or the old entries minus at most the oldest sector */
            if (count > 0) {
                expect_suffix(&g, ids, n, 1);
                memmove(ids, ids + n - (uint32_t)count, (size_t)count * sizeof(ids[0]));
            }
            n = (uint32_t)count;
            continue;
        }
        if (pending && count > 0 && id_at(&g, (uint32_t)count - 1u) == next_id - 1u)
            ids[n++] = next_id - 1u;
        /* A torn entry keeps its slot until its sector is dropped, so the
         * ring may hold a few entries less than its capacity. */
        expect_suffix(&g, ids, n, min_u32(n, 45) > 5 ? min_u32(n, 45) - 5 : 0);
        if (n > 10000) { /* keep the model short */
            memmove(ids, ids + n - 100, 100 * sizeof(ids[0]));
            n = 100;
        }
    }
    tflash_close(&t);
}

/* ---- corruption ----------------------------------------------------------------------- */

static void test_flipped_bit(void **state) {
    (void)state;
    tflash_t t;
    store_ring_t g;
    store_check_t res;
    uint8_t e[16];
    assert_int_equal(tflash_open(&t, 512, 3, 4), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 3, 16, 40), 0);
    for (uint32_t i = 0; i < 30; i++)
        append_id(&g, i);
    assert_int_equal(store_ring_check(&g, &res), 0);
    assert_int_equal(res.checked, 30);
    assert_int_equal(res.bad, 0);
    /* Entry 7 (sector 0, slot 7): flip a payload bit. */
    tflash_flip_bit(&t, 20u + 7u * 24u + 8u + 5u, 3);
    assert_int_equal(store_ring_check(&g, &res), STORE_ERR_CORRUPT);
    assert_int_equal(res.bad, 1);
    assert_true(store_stats_corrupted(store_ring_stats(&g)));
    assert_int_equal(store_ring_read(&g, 7, e, sizeof(e)), STORE_ERR_CORRUPT);
    assert_int_equal(id_at(&g, 8), 8);

    /* After a restart the entry is gone, the rest is there, in order. */
    assert_int_equal(tflash_power_cycle(&t), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 3, 16, 40), 0);
    assert_int_equal(store_ring_stats(&g)->bad_entries, 1);
    uint32_t ids[30], n = 0;
    for (uint32_t i = 0; i < 30; i++)
        if (i != 7)
            ids[n++] = i;
    expect_suffix(&g, ids, n, 29);
    /* A flipped sequence number is caught the same way. */
    tflash_flip_bit(&t, 512u + 20u + 2u * 24u, 0); /* sector 1, slot 2: entry 22 */
    assert_int_equal(tflash_power_cycle(&t), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 3, 16, 40), 0);
    assert_int_equal(store_ring_stats(&g)->bad_entries, 1);
    assert_int_equal(store_ring_count(&g), 28);
    n = 0;
    for (uint32_t i = 0; i < 30; i++)
        if (i != 7 && i != 22)
            ids[n++] = i;
    expect_suffix(&g, ids, n, 28);
    /* Sector 0 has a hole now (entry 7). A bit of entry 10 flips under the
     * mounted ring: reading it must not return its neighbour instead. */
    tflash_flip_bit(&t, 20u + 10u * 24u + 8u + 1u, 7);
    assert_int_equal(store_ring_read(&g, 9, e, sizeof(e)), STORE_ERR_CORRUPT);
    assert_int_equal(id_at(&g, 9), 11); /* remounted: entry 10 skipped */
    assert_int_equal(store_ring_count(&g), 27);
    for (uint32_t i = 30; i < 80; i++)
        append_id(&g, i);
    expect_suffix(&g, seq_ids, 80, 40);

    /* A complete, CRC-valid entry in the wrong slot (a misdirected write)
     * is refused: the sequence number must match the slot. */
    uint8_t slot[24];
    append_id(&g, 80); /* the head sector has free slots after this one */
    assert_true(g.head_slot < g.per_sector);
    uint32_t head = store_sector_addr(&g.region, g.head) + 20u;
    tflash_peek(&t, head + 0u * 24u, slot, sizeof(slot));
    tflash_poke(&t, head + g.head_slot * 24u, slot, sizeof(slot));
    assert_int_equal(tflash_power_cycle(&t), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 3, 16, 40), 0);
    assert_int_equal(store_ring_stats(&g)->bad_entries, 1);
    expect_suffix(&g, seq_ids, 81, 40);
    append_id(&g, 81);
    expect_suffix(&g, seq_ids, 82, 40);
    tflash_close(&t);
}

/* Sector headers destroyed: a broken link drops what is behind it and is
 * reported; a region of another entry length is reformatted. */
static void test_bad_headers_and_reformat(void **state) {
    (void)state;
    tflash_t t;
    store_ring_t g;
    assert_int_equal(tflash_open(&t, 512, 3, 4), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 3, 16, 40), 0);
    for (uint32_t i = 0; i < 50; i++)
        append_id(&g, i);
    /* Sector 1 (entries 20..39) loses its header CRC. */
    tflash_flip_bit(&t, 512u + 17u, 4);
    assert_int_equal(tflash_power_cycle(&t), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 3, 16, 40), 0);
    assert_true(store_ring_stats(&g)->bad_sectors > 0);
    expect_suffix(&g, seq_ids, 50, 10);
    assert_int_equal(store_ring_count(&g), 10);
    for (uint32_t i = 50; i < 120; i++)
        append_id(&g, i);
    expect_suffix(&g, seq_ids, 120, 40);

    /* Same region, 24-byte entries now: reformatted and reported. */
    assert_int_equal(store_ring_init(&g, &t.port, 0, 3, 24, 30), 0);
    assert_true(store_ring_stats(&g)->bad_sectors > 0);
    assert_int_equal(store_ring_count(&g), 0);
    for (uint32_t i = 0; i < 40; i++)
        append_id(&g, i);
    assert_int_equal(tflash_power_cycle(&t), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 3, 24, 30), 0);
    assert_false(store_stats_corrupted(store_ring_stats(&g)));
    expect_suffix(&g, seq_ids, 40, 30);

    /* Junk everywhere: reported, formatted, usable. */
    uint8_t junk[512];
    for (uint32_t s = 0; s < 3; s++) {
        for (size_t i = 0; i < sizeof(junk); i++)
            junk[i] = (uint8_t)(i * 13u + s);
        tflash_poke(&t, s * 512u, junk, sizeof(junk));
    }
    assert_int_equal(tflash_power_cycle(&t), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 3, 24, 30), 0);
    assert_int_equal(store_ring_stats(&g)->bad_sectors, 3);
    assert_int_equal(store_ring_count(&g), 0);
    append_id(&g, 1);
    assert_int_equal(id_at(&g, 0), 1);
    tflash_close(&t);
}

/* ---- wear ---------------------------------------------------------------------------- */

static void test_wear_spread(void **state) {
    (void)state;
    tflash_t t;
    store_ring_t g;
    assert_int_equal(tflash_open(&t, 512, 5, 4), 0);
    assert_int_equal(store_ring_init(&g, &t.port, 0, 5, 16, 80), 0);
    for (uint32_t i = 0; i < 20000; i++)
        append_id(&g, i % 40000u);
    unsigned long lo = ~0ul, hi = 0;
    for (uint32_t s = 0; s < 5; s++) {
        lo = t.erases[s] < lo ? t.erases[s] : lo;
        hi = t.erases[s] > hi ? t.erases[s] : hi;
    }
    /* 20000 entries, 20 per sector: 1000 sector changes in turn. */
    assert_true(hi - lo <= 1);
    assert_true(lo >= 1000 / 5 - 2);
    assert_int_equal(store_ring_stats(&g)->erases, tflash_total_erases(&t));
    tflash_close(&t);
}

int main(void) {
    setup_seq_ids();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_laps_geometries),
        cmocka_unit_test(test_capacity_and_errors),
        cmocka_unit_test(test_sectors_needed),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_torn_append_every_byte),
        cmocka_unit_test(test_torn_sector_change),
        cmocka_unit_test(test_torn_clear),
        cmocka_unit_test(test_random_power_cuts),
        cmocka_unit_test(test_flipped_bit),
        cmocka_unit_test(test_bad_headers_and_reformat),
        cmocka_unit_test(test_wear_spread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
