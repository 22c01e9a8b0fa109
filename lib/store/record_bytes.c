/*
 * record_bytes.c - little-endian integers and the bounded reader of a
 * persisted record's contents (see record_bytes.h).
 */
#include "store/record_bytes.h"

uint8_t *store_put_le(uint8_t *p, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
    return p + n;
}

uint64_t store_get_le(store_rd_t *r, unsigned n) {
    if (r->bad || r->len - r->pos < n) {
        r->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)r->b[r->pos + i] << (8 * i);
    }
    r->pos += n;
    return v;
}
