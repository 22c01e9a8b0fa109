/*
 * store.c - common part of lib/store: CRC-32, error strings, health
 * counters and the self-check over a record store and its rings.
 */
#include "store/store.h"

#include "store/record.h"
#include "store/ring.h"

/* Nibble table of the reflected CRC-32 (poly 0xEDB88320): 64 bytes of
 * flash instead of 1 KiB, at two table steps per byte, which is plenty for
 * the few hundred bytes a commit covers. */
static const uint32_t crc32_nibble[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
    0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t store_crc32(uint32_t crc, const void *data, size_t len) {
    const uint8_t *p = data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ crc32_nibble[crc & 0x0Fu];
        crc = (crc >> 4) ^ crc32_nibble[crc & 0x0Fu];
    }
    return ~crc;
}

const char *store_strerror(int err) {
    switch (err) {
    case 0:
        return "success";
    case STORE_ERR_BADARG:
        return "invalid argument";
    case STORE_ERR_GEOMETRY:
        return "flash geometry or sector region unusable";
    case STORE_ERR_CONFIG:
        return "record table or ring parameters invalid";
    case STORE_ERR_NOSPACE:
        return "flash region too small for the configured data";
    case STORE_ERR_NOTFOUND:
        return "no record with this id";
    case STORE_ERR_EMPTY:
        return "record never written";
    case STORE_ERR_TOOBIG:
        return "value longer than the record's maximum";
    case STORE_ERR_BUFFER:
        return "buffer too small for the stored value";
    case STORE_ERR_RANGE:
        return "ring index out of range";
    case STORE_ERR_CORRUPT:
        return "stored data corrupted (CRC mismatch)";
    case STORE_ERR_IO:
        return "flash I/O failed";
    case STORE_ERR_EXHAUSTED:
        return "sequence numbers exhausted";
    default:
        return "unknown store error";
    }
}

bool store_stats_corrupted(const store_stats_t *s) {
    return s->bad_entries != 0 || s->bad_sectors != 0 || s->lost != 0;
}

void store_stats_reset(store_stats_t *s) {
    s->bad_entries = 0;
    s->bad_sectors = 0;
    s->lost = 0;
}

static void check_add(store_check_t *total, const store_check_t *part) {
    total->checked += part->checked;
    total->bad += part->bad;
}

int store_check(struct store_records *r, struct store_ring *const *rings, size_t nrings,
                store_check_t *res) {
    store_check_t part;
    int worst = 0;
    if (res == NULL || (nrings > 0 && rings == NULL))
        return STORE_ERR_BADARG;
    res->checked = 0;
    res->bad = 0;
    if (r != NULL) {
        int rc = store_record_check(r, &part);
        if (rc != 0 && rc != STORE_ERR_CORRUPT)
            return rc;
        check_add(res, &part);
    }
    for (size_t i = 0; i < nrings; i++) {
        if (rings[i] == NULL)
            continue;
        int rc = store_ring_check(rings[i], &part);
        if (rc != 0 && rc != STORE_ERR_CORRUPT)
            return rc;
        check_add(res, &part);
    }
    if (res->bad > 0)
        worst = STORE_ERR_CORRUPT;
    return worst;
}
