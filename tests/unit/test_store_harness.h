/*
 * test_store_harness.h - a flash for the lib/store tests: the POSIX port's
 * image file under /tmp, wrapped in an em_port_t whose callbacks can cut
 * the power (host-only test helper).
 *
 *  - prog_budget >= 0: programs may still write that many bytes in total;
 *    the program that crosses the budget writes only the bytes up to it
 *    (through the POSIX port's tear_next_program_at) and fails, and from
 *    then on the flash is dead (every call fails) until tflash_power_cycle().
 *  - erase_budget >= 0: the next erase (after erase_skip more) clears only that many bytes at the
 *    start of the sector (the rest keeps its content) and fails: a cut in
 *    the middle of a sector erase. The flash is dead afterwards.
 *  - erases[] counts the erases per sector, programmed counts bytes.
 */
#ifndef TEST_STORE_HARNESS_H
#define TEST_STORE_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "port_posix.h"

#define TFLASH_MAX_SECTORS 64

typedef struct tflash {
    em_port_t inner; /* the POSIX port */
    em_port_posix_t st;
    em_port_t port; /* what the store gets */
    em_flash_geometry_t geo;
    char path[96];
    long prog_budget;
    long erase_budget;
    unsigned erase_skip; /* erases let through before erase_budget applies */
    int dead;
    int real_sync; /* call fdatasync: off by default, a test only needs the
                      bytes, which pread sees without it, and a loaded disk
                      makes thousands of fdatasync calls take a minute */
    unsigned long programmed;
    unsigned long syncs;
    unsigned long erases[TFLASH_MAX_SECTORS];
} tflash_t;

static inline int tflash_read(void *user, uint32_t addr, void *buf, size_t len) {
    tflash_t *t = user;
    if (t->dead)
        return EM_PORT_ERR_IO;
    return t->inner.flash_read(t->inner.user, addr, buf, len);
}

static inline int tflash_program(void *user, uint32_t addr, const void *buf, size_t len) {
    tflash_t *t = user;
    if (t->dead)
        return EM_PORT_ERR_IO;
    if (t->prog_budget >= 0 && (unsigned long)t->prog_budget < len) {
        t->st.tear_next_program_at = t->prog_budget;
        t->inner.flash_program(t->inner.user, addr, buf, len);
        t->programmed += (unsigned long)t->prog_budget;
        t->prog_budget = 0;
        t->dead = 1;
        return EM_PORT_ERR_IO;
    }
    int rc = t->inner.flash_program(t->inner.user, addr, buf, len);
    if (rc == 0) {
        t->programmed += len;
        if (t->prog_budget >= 0)
            t->prog_budget -= (long)len;
    }
    return rc;
}

static inline int tflash_erase(void *user, uint32_t sector) {
    tflash_t *t = user;
    if (t->dead)
        return EM_PORT_ERR_IO;
    if (sector < TFLASH_MAX_SECTORS)
        t->erases[sector]++;
    if (t->erase_budget >= 0 && t->erase_skip > 0) {
        t->erase_skip--;
    } else if (t->erase_budget >= 0) {
        /* Clear a prefix only, then lose power. */
        uint8_t ff[4096];
        size_t n = (size_t)t->erase_budget;
        if (n > t->geo.sector_size)
            n = t->geo.sector_size;
        memset(ff, 0xFF, sizeof(ff));
        off_t off = (off_t)sector * t->geo.sector_size;
        while (n > 0) {
            size_t k = n < sizeof(ff) ? n : sizeof(ff);
            if (pwrite(t->st.flash_fd, ff, k, off) != (ssize_t)k)
                abort();
            off += (off_t)k;
            n -= k;
        }
        t->erase_budget = -1;
        t->dead = 1;
        return EM_PORT_ERR_IO;
    }
    return t->inner.flash_erase(t->inner.user, sector);
}

static inline int tflash_sync(void *user) {
    tflash_t *t = user;
    if (t->dead)
        return EM_PORT_ERR_IO;
    t->syncs++;
    return t->real_sync ? t->inner.flash_sync(t->inner.user) : 0;
}

static inline void tflash_bind(tflash_t *t) {
    memset(&t->port, 0, sizeof(t->port));
    t->port.user = t;
    t->port.flash = t->geo;
    t->port.flash_read = tflash_read;
    t->port.flash_program = tflash_program;
    t->port.flash_erase = tflash_erase;
    t->port.flash_sync = tflash_sync;
    t->prog_budget = -1;
    t->erase_budget = -1;
    t->erase_skip = 0;
    t->dead = 0;
}

/* Fresh, erased image with geometry (sector_size, sector_count, unit). */
static inline int tflash_open(tflash_t *t, uint32_t sector_size, uint32_t sector_count,
                              uint32_t unit) {
    static unsigned serial;
    memset(t, 0, sizeof(*t));
    t->geo.sector_size = sector_size;
    t->geo.sector_count = sector_count;
    t->geo.program_unit = unit;
    snprintf(t->path, sizeof(t->path), "/tmp/test_store_%d_%u.img", (int)getpid(), serial++);
    /* Write the erased image here: the port would create it too, but with
     * an fdatasync that is slow on a busy disk, hundreds of times over. */
    FILE *f = fopen(t->path, "wb");
    if (f == NULL)
        return -1;
    for (uint64_t i = 0; i < (uint64_t)sector_size * sector_count; i++)
        fputc(0xFF, f);
    fclose(f);
    int rc = em_port_posix_init(&t->inner, &t->st, t->path, &t->geo);
    tflash_bind(t);
    return rc;
}

/* Power off and on: reopen the same image, power restored. */
static inline int tflash_power_cycle(tflash_t *t) {
    em_port_posix_deinit(&t->st);
    int rc = em_port_posix_init(&t->inner, &t->st, t->path, &t->geo);
    tflash_bind(t);
    return rc;
}

static inline void tflash_close(tflash_t *t) {
    em_port_posix_deinit(&t->st);
    unlink(t->path);
}

/* Raw access to the image behind the store's back. */
static inline void tflash_peek(tflash_t *t, uint32_t addr, void *buf, size_t len) {
    if (pread(t->st.flash_fd, buf, len, (off_t)addr) != (ssize_t)len)
        abort();
}

static inline void tflash_poke(tflash_t *t, uint32_t addr, const void *buf, size_t len) {
    if (pwrite(t->st.flash_fd, buf, len, (off_t)addr) != (ssize_t)len)
        abort();
}

static inline unsigned long tflash_total_erases(const tflash_t *t) {
    unsigned long n = 0;
    for (unsigned i = 0; i < TFLASH_MAX_SECTORS; i++)
        n += t->erases[i];
    return n;
}

static inline void tflash_flip_bit(tflash_t *t, uint32_t addr, unsigned bit) {
    uint8_t b;
    tflash_peek(t, addr, &b, 1);
    b ^= (uint8_t)(1u << bit);
    tflash_poke(t, addr, &b, 1);
}

#endif /* TEST_STORE_HARNESS_H */
