/*
 * hdlc_frame.c - HDLC frame codec for DLMS/COSEM (IEC 62056-46, frame format type 3 of
 * ISO/IEC 13239): CRC-16/X.25, addresses, frame parse/build, SNRM/UA parameters, deframer.
 */
#include "dlms/hdlc_frame.h"

#include <string.h>

/* ---- CRC-16/X.25 ---------------------------------------------------------- */

/* Reflected polynomial 0x8408 processed a nibble at a time: 32 bytes of table instead of 512,
 * still fast enough for 2 KB frames on a Cortex-M. */
static const uint16_t crc_nibble[16] = {
    0x0000, 0x1081, 0x2102, 0x3183, 0x4204, 0x5285, 0x6306, 0x7387,
    0x8408, 0x9489, 0xA50A, 0xB58B, 0xC60C, 0xD68D, 0xE70E, 0xF78F,
};

uint16_t hdlc_crc16_x25(const uint8_t *data, size_t len) {
    uint16_t crc = 0xFFFF;
    size_t i;

    for (i = 0; i < len; i++) {
        crc = (uint16_t)((crc >> 4) ^ crc_nibble[(crc ^ data[i]) & 0x0F]);
        crc = (uint16_t)((crc >> 4) ^ crc_nibble[(crc ^ (data[i] >> 4)) & 0x0F]);
    }
    return (uint16_t)(crc ^ 0xFFFF);
}

static void put_crc(uint8_t *p, uint16_t crc) {
    p[0] = (uint8_t)(crc & 0xFF);
    p[1] = (uint8_t)(crc >> 8);
}

static bool crc_matches(const uint8_t *data, size_t len, const uint8_t *crc) {
    uint16_t c = hdlc_crc16_x25(data, len);
    return crc[0] == (uint8_t)(c & 0xFF) && crc[1] == (uint8_t)(c >> 8);
}

/* ---- addresses ------------------------------------------------------------------ */

bool hdlc_addr_part_is_all_station(uint16_t part, uint8_t part_bytes) {
    return part == (part_bytes == 2 ? HDLC_ADDR_ALL_STATION_2 : HDLC_ADDR_ALL_STATION_1);
}

/* A 14-bit part spread over two bytes, 7 bits each, most significant first. */
static void put_part14(uint8_t *out, uint16_t v) {
    out[0] = (uint8_t)(((v >> 7) & 0x7F) << 1);
    out[1] = (uint8_t)((v & 0x7F) << 1);
}

int hdlc_addr_encode(const hdlc_addr_t *a, uint8_t *out, size_t cap) {
    if (a == NULL || out == NULL) {
        return HDLC_ERR_BADARG;
    }
    if (a->size != 1 && a->size != 2 && a->size != 4) {
        return HDLC_ERR_ADDRESS;
    }
    if (cap < a->size) {
        return HDLC_ERR_BUFFER;
    }
    if (a->size == 1) {
        if (a->upper > 0x7F || a->lower != 0) {
            return HDLC_ERR_ADDRESS;
        }
        out[0] = (uint8_t)((a->upper << 1) | 1);
    } else if (a->size == 2) {
        if (a->upper > 0x7F || a->lower > 0x7F) {
            return HDLC_ERR_ADDRESS;
        }
        out[0] = (uint8_t)(a->upper << 1);
        out[1] = (uint8_t)((a->lower << 1) | 1);
    } else {
        if (a->upper > 0x3FFF || a->lower > 0x3FFF) {
            return HDLC_ERR_ADDRESS;
        }
        put_part14(out, a->upper);
        put_part14(out + 2, a->lower);
        out[3] |= 1;
    }
    return a->size;
}

int hdlc_addr_decode(const uint8_t *in, size_t len, hdlc_addr_t *a) {
    size_t n = 0;

    if (in == NULL || a == NULL) {
        return HDLC_ERR_BADARG;
    }
    memset(a, 0, sizeof *a);
    /* The first byte with LSB = 1 ends the address. */
    while (n < len && n < 4 && (in[n] & 1) == 0) {
        n++;
    }
    if (n >= len || n >= 4 || n == 2) {
        return HDLC_ERR_ADDRESS; /* unterminated, longer than 4, or 3 bytes */
    }
    a->size = (uint8_t)(n + 1);
    if (a->size == 1) {
        a->upper = (uint16_t)(in[0] >> 1);
    } else if (a->size == 2) {
        a->upper = (uint16_t)(in[0] >> 1);
        a->lower = (uint16_t)(in[1] >> 1);
    } else {
        a->upper = (uint16_t)(((in[0] >> 1) << 7) | (in[1] >> 1));
        a->lower = (uint16_t)(((in[2] >> 1) << 7) | (in[3] >> 1));
    }
    return a->size;
}

/* ---- frames ---------------------------------------------------------------------- */

/* Header after the addresses: control, then HCS + info + FCS or just FCS. */
static int parse_tail(const uint8_t *data, size_t len, size_t pos, hdlc_frame_t *f) {
    size_t rest;

    if (pos + 1 + 2 > len) {
        return HDLC_ERR_LENGTH;
    }
    f->control = data[pos++];
    rest = len - pos;
    if (rest == 2) {
        return 0; /* no information field, so no HCS either */
    }
    if (rest < 5) {
        return HDLC_ERR_LENGTH; /* HCS needs at least one info byte after it */
    }
    if (!crc_matches(data, pos, data + pos)) {
        return HDLC_ERR_HCS;
    }
    f->info = data + pos + 2;
    f->info_len = rest - 4;
    return 0;
}

static int parse_body(const uint8_t *data, size_t len, hdlc_frame_t *f) {
    size_t pos = 2;
    int n;

    if (len > HDLC_MAX_FRAME_LEN) {
        return HDLC_ERR_TOO_LONG;
    }
    if (len < 2 || (data[0] & 0xF0) != HDLC_FORMAT_TYPE3) {
        return HDLC_ERR_FORMAT;
    }
    f->length = (uint16_t)(((data[0] & 0x07) << 8) | data[1]);
    f->segmented = (data[0] & HDLC_FORMAT_SEGMENT) != 0;
    if (f->length != len || len < HDLC_MIN_FRAME_LEN) {
        return HDLC_ERR_LENGTH;
    }
    /* FCS first: on a corrupted frame it names the real cause, not a garbled address. */
    if (!crc_matches(data, len - 2, data + len - 2)) {
        return HDLC_ERR_FCS;
    }
    n = hdlc_addr_decode(data + pos, len - 2 - pos, &f->dest);
    if (n < 0) {
        return n;
    }
    pos += (size_t)n;
    n = hdlc_addr_decode(data + pos, len - 2 - pos, &f->src);
    if (n < 0) {
        return n;
    }
    return parse_tail(data, len, pos + (size_t)n, f);
}

int hdlc_frame_parse(const uint8_t *data, size_t len, hdlc_frame_t *f) {
    int rc;

    if (f == NULL) {
        return HDLC_ERR_BADARG;
    }
    memset(f, 0, sizeof *f);
    if (data == NULL) {
        return HDLC_ERR_BADARG;
    }
    if (len > 0 && data[0] == HDLC_FLAG) {
        if (len < 2 || data[len - 1] != HDLC_FLAG) {
            return HDLC_ERR_FORMAT;
        }
        data++;
        len -= 2;
    }
    rc = parse_body(data, len, f);
    if (rc != 0) {
        memset(f, 0, sizeof *f);
    }
    return rc;
}

int hdlc_frame_build(const hdlc_frame_t *f, uint8_t *out, size_t cap) {
    uint8_t dst[4], src[4];
    int ds, ss;
    size_t hdr, total, p;

    if (f == NULL || out == NULL || (f->info == NULL && f->info_len > 0)) {
        return HDLC_ERR_BADARG;
    }
    ds = hdlc_addr_encode(&f->dest, dst, sizeof dst);
    ss = hdlc_addr_encode(&f->src, src, sizeof src);
    if (ds < 0 || ss < 0) {
        return ds < 0 ? ds : ss;
    }
    hdr = 2 + (size_t)ds + (size_t)ss + 1;
    if (f->info_len > HDLC_MAX_FRAME_LEN) {
        return HDLC_ERR_TOO_LONG;
    }
    total = hdr + (f->info_len > 0 ? 2 + f->info_len : 0) + 2;
    if (total > HDLC_MAX_FRAME_LEN) {
        return HDLC_ERR_TOO_LONG;
    }
    if (total + 2 > cap) {
        return HDLC_ERR_BUFFER;
    }
    /* Info first: it may live in out, where the header is about to go. */
    if (f->info_len > 0) {
        memmove(out + 1 + hdr + 2, f->info, f->info_len);
    }
    out[0] = HDLC_FLAG;
    out[1] = (uint8_t)(HDLC_FORMAT_TYPE3 | (f->segmented ? HDLC_FORMAT_SEGMENT : 0) |
                       ((total >> 8) & 0x07));
    out[2] = (uint8_t)(total & 0xFF);
    memcpy(out + 3, dst, (size_t)ds);
    memcpy(out + 3 + ds, src, (size_t)ss);
    out[hdr] = f->control;
    p = 1 + hdr;
    if (f->info_len > 0) {
        put_crc(out + p, hdlc_crc16_x25(out + 1, hdr));
        p += 2 + f->info_len;
    }
    put_crc(out + p, hdlc_crc16_x25(out + 1, total - 2));
    out[p + 2] = HDLC_FLAG;
    return (int)(total + 2);
}

/* ---- SNRM/UA parameters -------------------------------------------------------------------- */

void hdlc_params_default(hdlc_params_t *p) {
    p->max_info_tx = HDLC_DEFAULT_MAX_INFO;
    p->max_info_rx = HDLC_DEFAULT_MAX_INFO;
    p->window_tx = HDLC_DEFAULT_WINDOW;
    p->window_rx = HDLC_DEFAULT_WINDOW;
}

/* id, length, value big-endian in `size` bytes. */
static size_t put_param(uint8_t *out, uint8_t id, uint32_t v, uint8_t size) {
    uint8_t i;

    out[0] = id;
    out[1] = size;
    for (i = 0; i < size; i++) {
        out[2 + i] = (uint8_t)(v >> (8 * (size - 1 - i)));
    }
    return 2u + size;
}

static uint8_t info_len_size(uint32_t v) {
    return v <= 0xFF ? 1 : (v <= 0xFFFF ? 2 : 4);
}

int hdlc_params_encode(const hdlc_params_t *p, uint8_t *out, size_t cap) {
    uint8_t tmp[HDLC_PARAMS_MAX_LEN];
    size_t n = 3;

    if (p == NULL || out == NULL) {
        return HDLC_ERR_BADARG;
    }
    n += put_param(tmp + n, HDLC_PARAM_MAX_INFO_TX, p->max_info_tx, info_len_size(p->max_info_tx));
    n += put_param(tmp + n, HDLC_PARAM_MAX_INFO_RX, p->max_info_rx, info_len_size(p->max_info_rx));
    n += put_param(tmp + n, HDLC_PARAM_WINDOW_TX, p->window_tx, 4);
    n += put_param(tmp + n, HDLC_PARAM_WINDOW_RX, p->window_rx, 4);
    tmp[0] = HDLC_PARAM_FORMAT_ID;
    tmp[1] = HDLC_PARAM_GROUP_ID;
    tmp[2] = (uint8_t)(n - 3);
    if (n > cap) {
        return HDLC_ERR_BUFFER;
    }
    memcpy(out, tmp, n);
    return (int)n;
}

static int store_param(hdlc_params_t *p, uint8_t id, const uint8_t *v, uint8_t len) {
    uint32_t value = 0;
    uint8_t i;

    if (id < HDLC_PARAM_MAX_INFO_TX || id > HDLC_PARAM_WINDOW_RX) {
        return 0; /* not ours to judge: skip */
    }
    if (len != 1 && len != 2 && len != 4) {
        return HDLC_ERR_PARAM;
    }
    for (i = 0; i < len; i++) {
        value = (value << 8) | v[i];
    }
    if (id == HDLC_PARAM_MAX_INFO_TX) {
        p->max_info_tx = value;
    } else if (id == HDLC_PARAM_MAX_INFO_RX) {
        p->max_info_rx = value;
    } else if (id == HDLC_PARAM_WINDOW_TX) {
        p->window_tx = value;
    } else {
        p->window_rx = value;
    }
    return 0;
}

static int decode_params(const uint8_t *info, size_t len, hdlc_params_t *p) {
    size_t pos = 3;

    if (len < 3 || info[0] != HDLC_PARAM_FORMAT_ID || info[1] != HDLC_PARAM_GROUP_ID ||
        info[2] != len - 3) {
        return HDLC_ERR_PARAM;
    }
    while (pos < len) {
        uint8_t id, plen;
        int rc;

        if (len - pos < 2) {
            return HDLC_ERR_PARAM;
        }
        id = info[pos];
        plen = info[pos + 1];
        pos += 2;
        if (plen > len - pos) {
            return HDLC_ERR_PARAM;
        }
        rc = store_param(p, id, info + pos, plen);
        if (rc != 0) {
            return rc;
        }
        pos += plen;
    }
    return 0;
}

int hdlc_params_decode(const uint8_t *info, size_t len, hdlc_params_t *p) {
    int rc;

    if (p == NULL || (info == NULL && len > 0)) {
        return HDLC_ERR_BADARG;
    }
    hdlc_params_default(p);
    if (len == 0) {
        return 0;
    }
    rc = decode_params(info, len, p);
    if (rc != 0) {
        hdlc_params_default(p);
    }
    return rc;
}

static uint32_t min_u32(uint32_t a, uint32_t b) {
    return a < b ? a : b;
}

int hdlc_params_negotiate(const hdlc_params_t *own, const hdlc_params_t *peer, hdlc_params_t *out) {
    if (own == NULL || peer == NULL || out == NULL) {
        return HDLC_ERR_BADARG;
    }
    if (peer->max_info_tx < HDLC_MIN_INFO_LEN || peer->max_info_rx < HDLC_MIN_INFO_LEN ||
        peer->window_tx == 0 || peer->window_rx == 0) {
        return HDLC_ERR_PARAM;
    }
    out->max_info_tx = min_u32(own->max_info_tx, peer->max_info_rx);
    out->max_info_rx = min_u32(own->max_info_rx, peer->max_info_tx);
    out->window_tx = min_u32(own->window_tx, peer->window_rx);
    out->window_rx = min_u32(own->window_rx, peer->window_tx);
    return 0;
}

/* ---- deframer ---------------------------------------------------------------------------- */

void hdlc_deframer_init(hdlc_deframer_t *d, uint32_t inter_octet_ms, hdlc_frame_cb on_frame,
                        void *user) {
    memset(d, 0, sizeof *d);
    d->inter_octet_ms = inter_octet_ms;
    d->on_frame = on_frame;
    d->user = user;
}

void hdlc_deframer_reset(hdlc_deframer_t *d) {
    d->len = 0;
}

static void drop_front(hdlc_deframer_t *d, size_t n) {
    memmove(d->buf, d->buf + n, d->len - n);
    d->len -= n;
}

/* The candidate that starts at buf[0] failed: restart at the next buffered flag, if any. */
static void resync(hdlc_deframer_t *d) {
    size_t i = 1;

    while (i < d->len && d->buf[i] != HDLC_FLAG) {
        i++;
    }
    d->stats.garbage_bytes += (uint32_t)(i - 1);
    if (i < d->len) {
        drop_front(d, i);
    } else {
        d->len = 0;
    }
}

/* Outcome of looking at the candidate frame at buf[0]. */
enum scan_result { SCAN_MORE, SCAN_RETRY, SCAN_FRAME };

static enum scan_result scan_candidate(hdlc_deframer_t *d, size_t *flen) {
    if (d->len < 2) {
        return SCAN_MORE;
    }
    if (d->buf[1] == HDLC_FLAG) {
        drop_front(d, 1); /* idle flag, or the closing flag of the previous frame */
        return SCAN_RETRY;
    }
    if ((d->buf[1] & 0xF0) != HDLC_FORMAT_TYPE3) {
        d->stats.bad_start++;
        resync(d);
        return SCAN_RETRY;
    }
    if (d->len < 3) {
        return SCAN_MORE;
    }
    *flen = ((size_t)(d->buf[1] & 0x07) << 8) | d->buf[2];
    if (*flen < HDLC_MIN_FRAME_LEN || *flen + 2 > sizeof d->buf) {
        if (*flen < HDLC_MIN_FRAME_LEN) {
            d->stats.bad_start++;
        } else {
            d->stats.too_long++;
        }
        resync(d);
        return SCAN_RETRY;
    }
    if (d->len < *flen + 2) {
        return SCAN_MORE;
    }
    if (d->buf[*flen + 1] != HDLC_FLAG) {
        d->stats.no_closing_flag++;
        resync(d);
        return SCAN_RETRY;
    }
    return SCAN_FRAME;
}

/* Every pass removes at least one byte or stops, so this ends. */
static void scan(hdlc_deframer_t *d) {
    for (;;) {
        size_t flen = 0;
        enum scan_result r = scan_candidate(d, &flen);

        if (r == SCAN_MORE) {
            return;
        }
        if (r == SCAN_FRAME) {
            d->stats.frames++;
            if (d->on_frame != NULL) {
                d->on_frame(d->user, d->buf + 1, flen);
            }
            drop_front(d, flen + 1); /* keep the closing flag: it may open the next frame */
        }
    }
}

static bool stale(const hdlc_deframer_t *d, uint64_t now_ms) {
    return d->len > 0 && d->inter_octet_ms > 0 && now_ms > d->last_ms &&
           now_ms - d->last_ms > d->inter_octet_ms;
}

void hdlc_deframer_feed(hdlc_deframer_t *d, const uint8_t *data, size_t len, uint64_t now_ms) {
    size_t i;

    if (d == NULL || (data == NULL && len > 0)) {
        return;
    }
    for (i = 0; i < len; i++) {
        if (stale(d, now_ms)) {
            if (d->len > 1) {
                d->stats.timeouts++;
            }
            d->len = 0;
        }
        d->last_ms = now_ms;
        if (d->len == 0) {
            if (data[i] == HDLC_FLAG) {
                d->buf[d->len++] = data[i];
            } else {
                d->stats.garbage_bytes++;
            }
            continue;
        }
        if (d->len >= sizeof d->buf) {
            d->len = 0; /* cannot happen: scan() keeps a candidate within the buffer */
            continue;
        }
        d->buf[d->len++] = data[i];
        scan(d);
    }
}
