/*
 * image_file.h - firmware image files for `dlms upgrade` and `dlms
 * image-build`: reading a file, building an image in the format that
 * lib/cosem/image_transfer.h defines (payload, meta with the firmware
 * identifier and signature, footer with a SHA-256), and the block
 * arithmetic of a resumed transfer (which blocks the meter's
 * image_transferred_blocks_status still lacks). No I/O besides the file
 * functions; the unit test includes the .c file. docs/upgrade.md.
 */
#ifndef DLMS_CLI_IMAGE_FILE_H
#define DLMS_CLI_IMAGE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads a whole file (at most max bytes) into a malloc'd buffer. 0, or -1
 * with a reason in err. */
int image_file_read(const char *path, size_t max, uint8_t **data, size_t *len, char *err,
                    size_t errlen);

/* Writes len bytes to path (created or truncated). 0 or -1 with err. */
int image_file_write(const char *path, const uint8_t *data, size_t len, char *err, size_t errlen);

/* payload || trailer(id, sig) into a malloc'd *image. 0, or -1 with err
 * (id empty or too long, sig too long, image beyond 4 GiB). */
int image_build(const uint8_t *payload, size_t len, const char *id, const char *sig,
                uint8_t **image, size_t *image_len, char *err, size_t errlen);

/* Blocks of `size` bytes at `block_size`. */
uint32_t image_blocks(uint32_t size, uint32_t block_size);

/* Whether the meter still needs block n: not set in the bit-string bits
 * (nbits long, block 0 in the MSB of bits[0]), or beyond it; blocks below
 * first_missing (attribute 4) are in whatever the bitmap says. */
bool image_block_missing(const uint8_t *bits, uint32_t nbits, uint32_t first_missing, uint32_t n);

#endif /* DLMS_CLI_IMAGE_FILE_H */
