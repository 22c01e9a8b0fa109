/*
 * flash_file.c - NOR flash emulated in an image file.
 *
 * Semantics follow real NOR flash so the store is tested against what a
 * microcontroller does: erase sets a sector to 0xFF, program can only clear
 * bits (the new content is old AND new), and programs must be aligned to
 * the program unit. Durability comes from fdatasync in flash_sync, which
 * the store calls at its commit points.
 *
 * tear_next_program_at simulates a power cut in the middle of a program:
 * only the first N bytes reach the file and the call fails.
 */
#include "port_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int full_pread(int fd, void *buf, size_t len, off_t off) {
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return EM_PORT_ERR_IO;
        p += n;
        len -= (size_t)n;
        off += n;
    }
    return 0;
}

static int full_pwrite(int fd, const void *buf, size_t len, off_t off) {
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return EM_PORT_ERR_IO;
        p += n;
        len -= (size_t)n;
        off += n;
    }
    return 0;
}

static uint64_t image_size(const em_flash_geometry_t *g) {
    return (uint64_t)g->sector_size * g->sector_count;
}

static int check_range(const em_port_posix_t *st, uint32_t addr, size_t len) {
    if (st == NULL || st->flash_fd < 0)
        return EM_PORT_ERR_IO;
    if ((uint64_t)addr + len > image_size(&st->geometry))
        return EM_PORT_ERR_RANGE;
    return 0;
}

int em_posix_flash_open(em_port_posix_t *st, const char *path, const em_flash_geometry_t *g) {
    if (g->sector_size == 0 || g->sector_count == 0 || g->program_unit == 0 ||
        g->sector_size % g->program_unit != 0)
        return EM_PORT_ERR_BADARG;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return EM_PORT_ERR_IO;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return EM_PORT_ERR_IO;
    }
    st->flash_fd = fd;
    st->geometry = *g;
    if (sb.st_size == 0) {
        /* A new image is an erased chip. */
        for (uint32_t s = 0; s < g->sector_count; s++) {
            int rc = em_posix_flash_erase(st, s);
            if (rc != 0) {
                close(fd);
                st->flash_fd = -1;
                return rc;
            }
        }
        return em_posix_flash_sync(st);
    }
    if ((uint64_t)sb.st_size != image_size(g)) {
        close(fd);
        st->flash_fd = -1;
        return EM_PORT_ERR_RANGE;
    }
    return 0;
}

int em_posix_flash_read(void *user, uint32_t addr, void *buf, size_t len) {
    em_port_posix_t *st = user;
    int rc = check_range(st, addr, len);
    if (rc != 0)
        return rc;
    return full_pread(st->flash_fd, buf, len, (off_t)addr);
}

int em_posix_flash_program(void *user, uint32_t addr, const void *buf, size_t len) {
    em_port_posix_t *st = user;
    int rc = check_range(st, addr, len);
    if (rc != 0)
        return rc;
    if (addr % st->geometry.program_unit != 0 || len % st->geometry.program_unit != 0)
        return EM_PORT_ERR_ALIGN;

    /* NOR: the cell keeps a 0 once programmed, so the result is old AND new. */
    uint8_t chunk[256];
    const uint8_t *src = buf;
    size_t done = 0;
    size_t limit = len;
    int torn = 0;
    if (st->tear_next_program_at >= 0) {
        if ((size_t)st->tear_next_program_at < len) {
            limit = (size_t)st->tear_next_program_at;
            torn = 1;
        }
        st->tear_next_program_at = -1;
    }
    while (done < limit) {
        size_t n = limit - done < sizeof(chunk) ? limit - done : sizeof(chunk);
        rc = full_pread(st->flash_fd, chunk, n, (off_t)(addr + done));
        if (rc != 0)
            return rc;
        for (size_t i = 0; i < n; i++)
            chunk[i] &= src[done + i];
        rc = full_pwrite(st->flash_fd, chunk, n, (off_t)(addr + done));
        if (rc != 0)
            return rc;
        done += n;
    }
    return torn ? EM_PORT_ERR_IO : 0;
}

int em_posix_flash_erase(void *user, uint32_t sector) {
    em_port_posix_t *st = user;
    if (st == NULL || st->flash_fd < 0)
        return EM_PORT_ERR_IO;
    if (sector >= st->geometry.sector_count)
        return EM_PORT_ERR_RANGE;
    uint8_t ff[256];
    memset(ff, 0xFF, sizeof(ff));
    uint64_t base = (uint64_t)sector * st->geometry.sector_size;
    for (uint32_t off = 0; off < st->geometry.sector_size;) {
        size_t n = st->geometry.sector_size - off;
        if (n > sizeof(ff))
            n = sizeof(ff);
        int rc = full_pwrite(st->flash_fd, ff, n, (off_t)(base + off));
        if (rc != 0)
            return rc;
        off += (uint32_t)n;
    }
    return 0;
}

int em_posix_flash_sync(void *user) {
    em_port_posix_t *st = user;
    if (st == NULL || st->flash_fd < 0)
        return EM_PORT_ERR_IO;
    return fdatasync(st->flash_fd) == 0 ? 0 : EM_PORT_ERR_IO;
}
