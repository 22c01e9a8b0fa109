/*
 * rows.h - Profile generic (class 7) helpers of the dlms tool: the rows of
 * a buffer (attribute 2) decoded while its blocks arrive, the capture
 * objects (attribute 3) that name the columns, and the --columns /
 * --entries arguments of `dlms profile` (selective access, dlms-facts §1.2).
 *
 * The buffer is "array of structure": after the array header every row is
 * one complete Data, so a row can be printed as soon as its last byte has
 * arrived; a 1440-row profile never has to be held whole. A buffer that is
 * not an array (a compact-array, say) is collected and handed over whole
 * at the end.
 *
 * Part of the dlms host tool; the unit test includes the .c file.
 */
#ifndef DLMS_CLI_ROWS_H
#define DLMS_CLI_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlms/apdu.h"

/* Most bytes kept while waiting for the end of a row (or of a non-array
 * buffer): bounds what a hostile meter can make the tool allocate. */
#define ROWS_MAX_PENDING (64u * 1024u * 1024u)

typedef struct rowstream {
    int (*on_row)(void *user, const uint8_t *row, size_t len);   /* one row: one Data */
    int (*on_whole)(void *user, const uint8_t *val, size_t len); /* a non-array buffer */
    void *user;
    uint8_t *buf; /* bytes received and not yet consumed */
    size_t len;
    size_t cap;
    bool header_done;
    bool is_array;
    uint32_t rows_left; /* rows announced and not yet seen */
    uint32_t rows;      /* rows handed out */
    char err[160];
} rowstream_t;

void rows_init(rowstream_t *rs, int (*on_row)(void *, const uint8_t *, size_t),
               int (*on_whole)(void *, const uint8_t *, size_t), void *user);
/* The next piece of the buffer's encoding; last on the final piece.
 * Returns 0, a callback's non-zero return, or -1 with rs->err set. */
int rows_feed(rowstream_t *rs, const uint8_t *p, size_t len, bool last);
void rows_free(rowstream_t *rs);

/* capture_objects (attribute 3): array of capture_object_definition. Up to
 * cap entries into out, *n the number. Returns 0 or -1. */
int rows_capture_objects(const uint8_t *p, size_t len, dlms_capture_object_t *out, size_t cap,
                         size_t *n);

/* Column header "0.0.1.0.0.255:2" (":2:3" when a data_index is set). */
void rows_column_name(const dlms_capture_object_t *co, bool iec, char *out, size_t cap);

/* --columns LIST: comma-separated items, each a 1-based column number, a
 * range "2-4", or OBIS[:ATTR] matched against the capture objects. Fills
 * idx (0-based, in the order given) and returns how many, or -1 with a
 * reason in err. */
int rows_columns_parse(const char *spec, const dlms_capture_object_t *caps, size_t ncaps,
                       unsigned *idx, size_t cap, char *err, size_t errlen);

/* --entries A-B | A- | -B | A (1-based; "to" 0 means the last entry).
 * Returns 0 or -1 with a reason. */
int rows_entries_parse(const char *spec, uint32_t *from, uint32_t *to, char *err, size_t errlen);

#endif /* DLMS_CLI_ROWS_H */
