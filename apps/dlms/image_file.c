/*
 * image_file.c - image files of the dlms tool (image_file.h): read/write a
 * file, build the emeter image format of lib/cosem/image_transfer.h, and
 * which blocks a resumed transfer still has to send.
 */
#include "image_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cosem/image_transfer.h"

int image_file_read(const char *path, size_t max, uint8_t **data, size_t *len, char *err,
                    size_t errlen) {
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 64 * 1024, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > max) {
            snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
            break;
        }
        if (got == 0) {
            if (ferror(f)) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                break;
            }
            fclose(f);
            *data = buf;
            *len = n;
            return 0;
        }
        if (n == cap) {
            uint8_t *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
            }
            buf = bigger;
            cap *= 2;
        }
    }
    if (buf == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
    }
    free(buf);
    fclose(f);
    return -1;
}

int image_file_write(const char *path, const uint8_t *data, size_t len, char *err, size_t errlen) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    bool ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (!ok) {
        snprintf(err, errlen, "%s: write failed", path);
        return -1;
    }
    return 0;
}

int image_build(const uint8_t *payload, size_t len, const char *id, const char *sig,
                uint8_t **image, size_t *image_len, char *err, size_t errlen) {
    *image = NULL;
    *image_len = 0;
    size_t id_len = id != NULL ? strlen(id) : 0, sig_len = sig != NULL ? strlen(sig) : 0;
    if (id_len == 0 || id_len > EM_COSEM_IMAGE_FW_STR_MAX || sig_len > EM_COSEM_IMAGE_FW_STR_MAX) {
        snprintf(err, errlen, "--id must be 1..%u bytes and --sig at most %u",
                 (unsigned)EM_COSEM_IMAGE_FW_STR_MAX, (unsigned)EM_COSEM_IMAGE_FW_STR_MAX);
        return -1;
    }
    if (len > UINT32_MAX - COSEM_IMAGE_TAIL_MAX) {
        snprintf(err, errlen, "payload too large");
        return -1;
    }
    size_t cap = len + COSEM_IMAGE_TAIL_MAX;
    uint8_t *out = malloc(cap);
    if (out == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (len > 0) {
        memcpy(out, payload, len);
    }
    em_sha256_ctx_t ctx;
    int rc = em_crypto_sha256_start(&ctx);
    if (rc == 0) {
        rc = em_crypto_sha256_update(&ctx, out, len);
    }
    if (rc == 0) {
        rc = cosem_image_trailer_build(&ctx, (uint32_t)len, (const uint8_t *)id, id_len,
                                       (const uint8_t *)sig, sig_len, out + len, cap - len);
    }
    if (rc < 0) {
        snprintf(err, errlen, "cannot build the image trailer (%d)", rc);
        free(out);
        return -1;
    }
    *image = out;
    *image_len = len + (size_t)rc;
    return 0;
}

uint32_t image_blocks(uint32_t size, uint32_t block_size) {
    return block_size == 0 ? 0 : (uint32_t)(((uint64_t)size + block_size - 1) / block_size);
}

bool image_block_missing(const uint8_t *bits, uint32_t nbits, uint32_t first_missing, uint32_t n) {
    if (n < first_missing) {
        return false;
    }
    if (bits == NULL || n >= nbits) {
        return true;
    }
    return (bits[n / 8] & (0x80u >> (n % 8))) == 0;
}
