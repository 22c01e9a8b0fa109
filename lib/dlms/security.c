/*
 * security.c - DLMS/COSEM security suite 0 (IEC 62056-5-3 security, Green
 * Book security suite 0): glo-/ded-/general- ciphered APDUs, HLS-5 GMAC
 * and key transfer with AES key wrap.
 *
 * All cryptography is the port's (port.h): this file only builds IVs and
 * AADs, frames the envelopes and checks counters. Secrets that pass through
 * local buffers are wiped before returning.
 */
#include "dlms/security.h"

#include <string.h>

#if EM_SEC_MAX_CHALLENGE < DLMS_SEC_OWN_CHALLENGE_MIN || EM_SEC_MAX_CHALLENGE > 255
#error "EM_SEC_MAX_CHALLENGE must be 16..255"
#endif
#if EM_SEC_CHALLENGE_LEN < DLMS_SEC_OWN_CHALLENGE_MIN || EM_SEC_CHALLENGE_LEN > EM_SEC_MAX_CHALLENGE
#error "EM_SEC_CHALLENGE_LEN must be 16..EM_SEC_MAX_CHALLENGE"
#endif

#define TAG_GENERAL_GLO 0xDBu /* general-glo-ciphering */
#define TAG_GENERAL_DED 0xDCu /* general-ded-ciphering */
#define NO_TAG          0x00u /* no ciphered form (0x00 is no xDLMS APDU) */

/* SC || AK: the AAD prefix of every authenticated suite 0 APDU. */
#define AAD_PREFIX_LEN (1 + DLMS_SEC_KEY_LEN)

/* Plain xDLMS APDU tags and their glo- and ded- ciphered tags
 * (IEC 62056-5-3 xDLMS-APDU CHOICE; dlms-facts §4.4). */
typedef struct tag_map {
    uint8_t plain;
    uint8_t glo;
    uint8_t ded;
} tag_map_t;

static const tag_map_t tag_maps[] = {
    {0xC0, 0xC8, 0xD0},   /* get-request */
    {0xC1, 0xC9, 0xD1},   /* set-request */
    {0xC3, 0xCB, 0xD3},   /* action-request */
    {0xC4, 0xCC, 0xD4},   /* get-response */
    {0xC5, 0xCD, 0xD5},   /* set-response */
    {0xC7, 0xCF, 0xD7},   /* action-response */
    {0x01, 0x21, NO_TAG}, /* InitiateRequest: sets up the dedicated key */
    {0x08, 0x28, NO_TAG}, /* InitiateResponse */
    {0xC2, 0xCA, NO_TAG}, /* event-notification-request */
};

#define TAG_MAP_COUNT (sizeof tag_maps / sizeof tag_maps[0])

/* ---- small helpers -------------------------------------------------------- */

/* memset that the compiler may not drop: buffers here held keys or
 * unauthenticated plaintext. */
static void wipe(void *p, size_t len) {
    volatile uint8_t *v = (volatile uint8_t *)p;
    while (len-- > 0) {
        *v++ = 0;
    }
}

/* Equality in time independent of where the buffers differ. */
static bool ct_equal(const uint8_t *a, const uint8_t *b, size_t len) {
    volatile uint8_t diff = 0;
    for (size_t i = 0; i < len; i++) {
        diff |= (uint8_t)(a[i] ^ b[i]);
    }
    return diff == 0;
}

static void put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* A-XDR length: one byte below 128, else 0x81 xx or 0x82 xx xx. Only
 * lengths up to DLMS_SEC_MAX_CONTENT are ever encoded. */
static size_t axdr_len_put(uint8_t *p, size_t len) {
    if (len < 0x80u) {
        p[0] = (uint8_t)len;
        return 1;
    }
    if (len <= 0xFFu) {
        p[0] = 0x81;
        p[1] = (uint8_t)len;
        return 2;
    }
    p[0] = 0x82;
    p[1] = (uint8_t)(len >> 8);
    p[2] = (uint8_t)len;
    return 3;
}

/* Reads an A-XDR length at p[0..avail). Non-minimal encodings (0x81 05)
 * are accepted, as peers are not bound to the shortest form; indefinite
 * (0x80) and lengths beyond 16 bits are not. Returns bytes used. */
static int axdr_len_get(const uint8_t *p, size_t avail, size_t *len) {
    if (avail < 1) {
        return DLMS_SEC_ERR_TRUNCATED;
    }
    if (p[0] < 0x80u) {
        *len = p[0];
        return 1;
    }
    size_t n = p[0] & 0x7Fu;
    if (n == 0 || n > 2) {
        return DLMS_SEC_ERR_LENGTH;
    }
    if (avail < 1 + n) {
        return DLMS_SEC_ERR_TRUNCATED;
    }
    *len = n == 1 ? p[1] : ((size_t)p[1] << 8) | p[2];
    return (int)(1 + n);
}

static void make_iv(uint8_t iv[EM_GCM_IV_LEN], const uint8_t *title, uint32_t ic) {
    memcpy(iv, title, DLMS_SEC_SYSTEM_TITLE_LEN);
    put_u32(iv + DLMS_SEC_SYSTEM_TITLE_LEN, ic);
}

static int map_port_err(int rc) {
    return rc == EM_PORT_ERR_AUTH ? DLMS_SEC_ERR_AUTH : DLMS_SEC_ERR_CRYPTO;
}

/* ---- security control byte ------------------------------------------------ */

uint8_t dlms_sec_sc_make(bool auth, bool enc, bool broadcast) {
    return (uint8_t)((auth ? DLMS_SEC_SC_AUTH : 0u) | (enc ? DLMS_SEC_SC_ENC : 0u) |
                     (broadcast ? DLMS_SEC_SC_BROADCAST : 0u));
}

int dlms_sec_sc_check(uint8_t sc) {
    if ((sc & DLMS_SEC_SC_SUITE_MASK) != 0) {
        return DLMS_SEC_ERR_SUITE;
    }
    if ((sc & DLMS_SEC_SC_COMPRESSION) != 0) {
        return DLMS_SEC_ERR_COMPRESSION;
    }
    if ((sc & (DLMS_SEC_SC_AUTH | DLMS_SEC_SC_ENC)) == 0) {
        return DLMS_SEC_ERR_SC; /* "no security" is not a ciphered APDU */
    }
    return 0;
}

/* Key for an SC and key family, or NULL with *err set. */
static const uint8_t *select_key(const dlms_sec_keys_t *keys, bool dedicated, uint8_t sc,
                                 dlms_sec_key_id_t *id, int *err) {
    if (dedicated) {
        if ((sc & DLMS_SEC_SC_BROADCAST) != 0) {
            *err = DLMS_SEC_ERR_SC; /* a dedicated key is never broadcast */
            return NULL;
        }
        if (!keys->has_dedicated) {
            *err = DLMS_SEC_ERR_NO_KEY;
            return NULL;
        }
        *id = DLMS_SEC_KEY_DEDICATED;
        return keys->dedicated;
    }
    if ((sc & DLMS_SEC_SC_BROADCAST) != 0) {
        *id = DLMS_SEC_KEY_BROADCAST;
        return keys->gbek;
    }
    *id = DLMS_SEC_KEY_UNICAST;
    return keys->guek;
}

/* SC || IC || information || tag length for an APDU of apdu_len bytes. */
static size_t content_len(uint8_t sc, size_t apdu_len) {
    size_t tag_len = (sc & DLMS_SEC_SC_AUTH) != 0 ? DLMS_SEC_TAG_LEN : 0;
    return DLMS_SEC_HEADER_LEN + apdu_len + tag_len;
}

/* ---- protect ---------------------------------------------------------- */

int dlms_sec_ciphered_tag(uint8_t plain_tag, bool dedicated) {
    for (size_t i = 0; i < TAG_MAP_COUNT; i++) {
        if (tag_maps[i].plain == plain_tag) {
            uint8_t t = dedicated ? tag_maps[i].ded : tag_maps[i].glo;
            return t == NO_TAG ? DLMS_SEC_ERR_APDU_TAG : t;
        }
    }
    return DLMS_SEC_ERR_APDU_TAG;
}

/* Checks everything protect needs before touching out; returns the
 * content length or an error, and the key to use. */
static int tx_prepare(const dlms_sec_tx_t *tx, const uint8_t *apdu, size_t len,
                      const uint8_t **key) {
    if (tx == NULL || tx->keys == NULL || tx->system_title == NULL || apdu == NULL || len == 0) {
        return DLMS_SEC_ERR_BADARG;
    }
    int rc = dlms_sec_sc_check(tx->sc);
    if (rc != 0) {
        return rc;
    }
    dlms_sec_key_id_t id;
    *key = select_key(tx->keys, tx->dedicated, tx->sc, &id, &rc);
    if (*key == NULL) {
        return rc;
    }
    if (len > DLMS_SEC_MAX_CONTENT - DLMS_SEC_OVERHEAD) {
        return DLMS_SEC_ERR_LENGTH;
    }
    return (int)content_len(tx->sc, len);
}

/* Authentication only: the GMAC covers SC || AK || plaintext, which the
 * port wants contiguous. out has exactly that size (17 + len), so the AAD
 * is assembled there and then rearranged into SC || IC || plaintext ||
 * tag, overwriting AK completely. */
static int protect_auth_only(const uint8_t *key, const uint8_t iv[EM_GCM_IV_LEN], uint8_t sc,
                             const uint8_t *ak, const uint8_t *apdu, size_t len, uint8_t *out) {
    uint8_t tag[DLMS_SEC_TAG_LEN];
    out[0] = sc;
    memcpy(out + 1, ak, DLMS_SEC_KEY_LEN);
    memcpy(out + AAD_PREFIX_LEN, apdu, len);
    int rc = em_crypto_gcm_encrypt(key, iv, out, AAD_PREFIX_LEN + len, NULL, 0, NULL, tag,
                                   DLMS_SEC_TAG_LEN);
    memmove(out + DLMS_SEC_HEADER_LEN, out + AAD_PREFIX_LEN, len);
    memcpy(out + DLMS_SEC_HEADER_LEN + len, tag, DLMS_SEC_TAG_LEN);
    return rc;
}

static int protect_crypto(const dlms_sec_tx_t *tx, const uint8_t *key, const uint8_t *apdu,
                          size_t len, uint8_t *out) {
    uint8_t iv[EM_GCM_IV_LEN];
    uint8_t aad[AAD_PREFIX_LEN];
    uint8_t unused_tag[DLMS_SEC_TAG_LEN];
    uint8_t *body = out + DLMS_SEC_HEADER_LEN;
    int rc;
    make_iv(iv, tx->system_title, tx->ic);
    aad[0] = tx->sc;
    memcpy(aad + 1, tx->keys->ak, DLMS_SEC_KEY_LEN);
    switch (tx->sc & (DLMS_SEC_SC_AUTH | DLMS_SEC_SC_ENC)) {
    case DLMS_SEC_SC_AUTH | DLMS_SEC_SC_ENC:
        rc = em_crypto_gcm_encrypt(key, iv, aad, sizeof aad, apdu, len, body, body + len,
                                   DLMS_SEC_TAG_LEN);
        break;
    case DLMS_SEC_SC_AUTH:
        rc = protect_auth_only(key, iv, tx->sc, tx->keys->ak, apdu, len, out);
        break;
    default: /* encryption only: no AAD and no tag on the wire */
        rc = em_crypto_gcm_encrypt(key, iv, NULL, 0, apdu, len, body, unused_tag, DLMS_SEC_TAG_LEN);
        break;
    }
    out[0] = tx->sc;
    put_u32(out + 1, tx->ic);
    wipe(aad, sizeof aad);
    wipe(unused_tag, sizeof unused_tag);
    return rc == 0 ? 0 : map_port_err(rc);
}

int dlms_sec_protect_content(const dlms_sec_tx_t *tx, const uint8_t *apdu, size_t len, uint8_t *out,
                             size_t cap) {
    if (out == NULL) {
        return DLMS_SEC_ERR_BADARG;
    }
    const uint8_t *key = NULL;
    int n = tx_prepare(tx, apdu, len, &key);
    if (n >= 0 && (size_t)n > cap) {
        n = DLMS_SEC_ERR_BUFFER;
    }
    if (n >= 0) {
        int rc = protect_crypto(tx, key, apdu, len, out);
        n = rc == 0 ? n : rc;
    }
    if (n < 0) {
        wipe(out, cap);
    }
    return n;
}

/* Writes the envelope header (tag, title for general-*, content length)
 * and returns its size, or an error. */
static int put_envelope(const dlms_sec_tx_t *tx, dlms_sec_form_t form, uint8_t plain_tag,
                        size_t clen, uint8_t *out, size_t cap) {
    uint8_t hdr[DLMS_SEC_MAX_ENVELOPE];
    size_t h = 0;
    if (form == DLMS_SEC_FORM_GENERAL) {
        hdr[h++] = tx->dedicated ? TAG_GENERAL_DED : TAG_GENERAL_GLO;
        hdr[h++] = DLMS_SEC_SYSTEM_TITLE_LEN;
        memcpy(hdr + h, tx->system_title, DLMS_SEC_SYSTEM_TITLE_LEN);
        h += DLMS_SEC_SYSTEM_TITLE_LEN;
    } else if (form == DLMS_SEC_FORM_SERVICE) {
        int t = dlms_sec_ciphered_tag(plain_tag, tx->dedicated);
        if (t < 0) {
            return t;
        }
        hdr[h++] = (uint8_t)t;
    } else {
        return DLMS_SEC_ERR_BADARG;
    }
    h += axdr_len_put(hdr + h, clen);
    if (h + clen > cap) {
        return DLMS_SEC_ERR_BUFFER;
    }
    memcpy(out, hdr, h);
    return (int)h;
}

int dlms_sec_protect(const dlms_sec_tx_t *tx, dlms_sec_form_t form, const uint8_t *apdu, size_t len,
                     uint8_t *out, size_t cap) {
    if (out == NULL) {
        return DLMS_SEC_ERR_BADARG;
    }
    const uint8_t *key = NULL;
    int n = tx_prepare(tx, apdu, len, &key);
    if (n >= 0) {
        size_t clen = (size_t)n;
        int h = put_envelope(tx, form, apdu[0], clen, out, cap);
        n = h < 0 ? h : protect_crypto(tx, key, apdu, len, out + h);
        n = n < 0 ? n : h + (int)clen;
    }
    if (n < 0) {
        wipe(out, cap);
    }
    return n;
}

/* ---- unprotect -------------------------------------------------------- */

/* Envelope tag -> form, key family and the plain tag it must carry
 * (NO_TAG for general-*, which carry any APDU). */
static int classify_tag(uint8_t tag, dlms_sec_info_t *info, uint8_t *plain_tag) {
    info->apdu_tag = tag;
    *plain_tag = NO_TAG;
    if (tag == TAG_GENERAL_GLO || tag == TAG_GENERAL_DED) {
        info->form = DLMS_SEC_FORM_GENERAL;
        info->dedicated = tag == TAG_GENERAL_DED;
        return 0;
    }
    for (size_t i = 0; i < TAG_MAP_COUNT; i++) {
        if (tag == tag_maps[i].glo || (tag_maps[i].ded != NO_TAG && tag == tag_maps[i].ded)) {
            info->form = DLMS_SEC_FORM_SERVICE;
            info->dedicated = tag == tag_maps[i].ded;
            *plain_tag = tag_maps[i].plain;
            return 0;
        }
    }
    return DLMS_SEC_ERR_APDU_TAG;
}

/* Sender's title: carried by general-* envelopes at in[*pos], otherwise
 * known by the receiver. Advances *pos past a carried title. */
static int read_title(const dlms_sec_rx_t *rx, const uint8_t *in, size_t in_len, size_t *pos,
                      dlms_sec_info_t *info) {
    if (info->form == DLMS_SEC_FORM_SERVICE) {
        if (rx->peer_title == NULL) {
            return DLMS_SEC_ERR_SYSTEM_TITLE;
        }
        memcpy(info->system_title, rx->peer_title, DLMS_SEC_SYSTEM_TITLE_LEN);
        return 0;
    }
    size_t tlen = 0;
    int used = axdr_len_get(in + *pos, in_len - *pos, &tlen);
    if (used < 0) {
        return used;
    }
    *pos += (size_t)used;
    if (tlen > in_len - *pos) {
        return DLMS_SEC_ERR_TRUNCATED;
    }
    if (tlen != DLMS_SEC_SYSTEM_TITLE_LEN) {
        return DLMS_SEC_ERR_SYSTEM_TITLE;
    }
    const uint8_t *title = in + *pos;
    *pos += tlen;
    if (rx->peer_title != NULL && memcmp(title, rx->peer_title, tlen) != 0) {
        return DLMS_SEC_ERR_SYSTEM_TITLE;
    }
    memcpy(info->system_title, title, tlen);
    return 0;
}

/* Finds the ciphered content: its length field must describe exactly the
 * rest of the input. */
static int read_content(const uint8_t *in, size_t in_len, size_t pos, size_t *clen) {
    int used = axdr_len_get(in + pos, in_len - pos, clen);
    if (used < 0) {
        return used;
    }
    size_t rest = in_len - pos - (size_t)used;
    if (*clen > rest) {
        return DLMS_SEC_ERR_TRUNCATED;
    }
    if (*clen < rest) {
        return DLMS_SEC_ERR_LENGTH; /* trailing bytes after the APDU */
    }
    return used;
}

/* Header checks of SC || IC || ... before any crypto: SC, key, replay,
 * sizes. Returns the plain length or an error; sets *key. */
static int rx_check_header(const dlms_sec_rx_t *rx, const uint8_t *c, size_t clen, size_t out_cap,
                           dlms_sec_info_t *info, const uint8_t **key) {
    if (clen < DLMS_SEC_HEADER_LEN) {
        return DLMS_SEC_ERR_TRUNCATED;
    }
    info->sc = c[0];
    info->ic = get_u32(c + 1);
    int rc = dlms_sec_sc_check(info->sc);
    if (rc != 0) {
        return rc;
    }
    if ((info->sc & rx->sc_required) != rx->sc_required) {
        return DLMS_SEC_ERR_POLICY;
    }
    *key = select_key(rx->keys, info->dedicated, info->sc, &info->key, &rc);
    if (*key == NULL) {
        return rc;
    }
    size_t overhead = content_len(info->sc, 0);
    if (clen <= overhead) {
        return DLMS_SEC_ERR_TRUNCATED; /* no room for even one APDU byte */
    }
    const dlms_sec_rx_ic_t *last = &rx->ic[info->key];
    if (last->valid && info->ic <= last->last) {
        return DLMS_SEC_ERR_REPLAY;
    }
    if (out_cap < clen) {
        return DLMS_SEC_ERR_BUFFER;
    }
    return (int)(clen - overhead);
}

/* Authentication only: rebuild SC || AK || plaintext in out (it has room
 * for the whole content), verify the GMAC there, then move the plaintext
 * to the front and wipe the rest. */
static int unprotect_auth_only(const uint8_t *key, const uint8_t iv[EM_GCM_IV_LEN],
                               const uint8_t *ak, const uint8_t *c, size_t n, uint8_t *out) {
    const uint8_t *tag = c + DLMS_SEC_HEADER_LEN + n;
    out[0] = c[0];
    memcpy(out + 1, ak, DLMS_SEC_KEY_LEN);
    memcpy(out + AAD_PREFIX_LEN, c + DLMS_SEC_HEADER_LEN, n);
    int rc = em_crypto_gcm_decrypt(key, iv, out, AAD_PREFIX_LEN + n, NULL, 0, NULL, tag,
                                   DLMS_SEC_TAG_LEN);
    memmove(out, out + AAD_PREFIX_LEN, n);
    wipe(out + n, AAD_PREFIX_LEN);
    return rc;
}

static int unprotect_crypto(const dlms_sec_rx_t *rx, const uint8_t *key, const uint8_t *c, size_t n,
                            uint8_t *out, const dlms_sec_info_t *info) {
    uint8_t iv[EM_GCM_IV_LEN];
    uint8_t aad[AAD_PREFIX_LEN];
    uint8_t unused_tag[DLMS_SEC_TAG_LEN];
    const uint8_t *body = c + DLMS_SEC_HEADER_LEN;
    int rc;
    make_iv(iv, info->system_title, info->ic);
    aad[0] = info->sc;
    memcpy(aad + 1, rx->keys->ak, DLMS_SEC_KEY_LEN);
    switch (info->sc & (DLMS_SEC_SC_AUTH | DLMS_SEC_SC_ENC)) {
    case DLMS_SEC_SC_AUTH | DLMS_SEC_SC_ENC:
        rc = em_crypto_gcm_decrypt(key, iv, aad, sizeof aad, body, n, out, body + n,
                                   DLMS_SEC_TAG_LEN);
        break;
    case DLMS_SEC_SC_AUTH:
        rc = unprotect_auth_only(key, iv, rx->keys->ak, c, n, out);
        break;
    default:
        /* Encryption only has no tag to check. GCM's payload is AES-CTR,
         * which is its own inverse, so "encrypting" the ciphertext under
         * the same IV yields the plaintext. */
        rc = em_crypto_gcm_encrypt(key, iv, NULL, 0, body, n, out, unused_tag, DLMS_SEC_TAG_LEN);
        break;
    }
    wipe(aad, sizeof aad);
    wipe(unused_tag, sizeof unused_tag);
    return rc == 0 ? 0 : map_port_err(rc);
}

/* Everything of dlms_sec_unprotect except the cleanup on failure. */
static int unprotect(const dlms_sec_rx_t *rx, const uint8_t *in, size_t in_len, uint8_t *out,
                     size_t out_cap, dlms_sec_info_t *info) {
    uint8_t plain_tag = NO_TAG;
    if (in_len < 1) {
        return DLMS_SEC_ERR_TRUNCATED;
    }
    int rc = classify_tag(in[0], info, &plain_tag);
    size_t pos = 1;
    if (rc == 0) {
        rc = read_title(rx, in, in_len, &pos, info);
    }
    size_t clen = 0;
    if (rc == 0) {
        rc = read_content(in, in_len, pos, &clen);
    }
    if (rc < 0) {
        return rc;
    }
    const uint8_t *c = in + pos + (size_t)rc; /* rc: size of the length field */
    const uint8_t *key = NULL;
    int n = rx_check_header(rx, c, clen, out_cap, info, &key);
    if (n < 0) {
        return n;
    }
    rc = unprotect_crypto(rx, key, c, (size_t)n, out, info);
    if (rc != 0) {
        return rc;
    }
    /* A glo-get-request must carry a get-request, and so on: the envelope
     * tag is not authenticated, the APDU inside is. */
    if (plain_tag != NO_TAG && out[0] != plain_tag) {
        return DLMS_SEC_ERR_APDU_TAG;
    }
    return n;
}

int dlms_sec_unprotect(const dlms_sec_rx_t *rx, const uint8_t *in, size_t in_len, uint8_t *out,
                       size_t out_cap, dlms_sec_info_t *info) {
    if (info == NULL) {
        return DLMS_SEC_ERR_BADARG;
    }
    memset(info, 0, sizeof *info);
    if (rx == NULL || rx->keys == NULL || (in == NULL && in_len > 0) || out == NULL) {
        return DLMS_SEC_ERR_BADARG;
    }
    int n = unprotect(rx, in, in_len, out, out_cap, info);
    if (n < 0) {
        wipe(out, out_cap);
    }
    return n;
}

/* ---- HLS-5 GMAC --------------------------------------------------------- */

/* SC || IC || GMAC(GUEK, title || IC, SC || AK || challenge) into out. */
static int hls_tag(const dlms_sec_keys_t *keys, const uint8_t *title, uint8_t sc, uint32_t ic,
                   const uint8_t *challenge, size_t challenge_len,
                   uint8_t out[DLMS_SEC_HLS_REPLY_LEN]) {
    uint8_t iv[EM_GCM_IV_LEN];
    uint8_t aad[AAD_PREFIX_LEN + EM_SEC_MAX_CHALLENGE];
    make_iv(iv, title, ic);
    aad[0] = sc;
    memcpy(aad + 1, keys->ak, DLMS_SEC_KEY_LEN);
    memcpy(aad + AAD_PREFIX_LEN, challenge, challenge_len);
    out[0] = sc;
    put_u32(out + 1, ic);
    int rc = em_crypto_gcm_encrypt(keys->guek, iv, aad, AAD_PREFIX_LEN + challenge_len, NULL, 0,
                                   NULL, out + DLMS_SEC_HEADER_LEN, DLMS_SEC_TAG_LEN);
    wipe(aad, sizeof aad);
    return rc == 0 ? 0 : map_port_err(rc);
}

/* HLS-5 uses SC 0x10 only: authentication, suite 0, unicast key. */
static int hls_check_sc(uint8_t sc) {
    int rc = dlms_sec_sc_check(sc);
    if (rc == 0 && sc != DLMS_SEC_SC_AUTH_ONLY) {
        rc = DLMS_SEC_ERR_SC;
    }
    return rc;
}

static bool peer_challenge_len_ok(size_t len) {
    return len >= DLMS_SEC_PEER_CHALLENGE_MIN && len <= EM_SEC_MAX_CHALLENGE;
}

int dlms_sec_hls_gmac(const dlms_sec_tx_t *tx, const uint8_t *challenge, size_t challenge_len,
                      uint8_t out[DLMS_SEC_HLS_REPLY_LEN]) {
    if (out == NULL) {
        return DLMS_SEC_ERR_BADARG;
    }
    memset(out, 0, DLMS_SEC_HLS_REPLY_LEN);
    if (tx == NULL || tx->keys == NULL || tx->system_title == NULL || challenge == NULL ||
        tx->dedicated) {
        return DLMS_SEC_ERR_BADARG;
    }
    int rc = hls_check_sc(tx->sc);
    if (rc != 0) {
        return rc;
    }
    if (!peer_challenge_len_ok(challenge_len)) {
        return DLMS_SEC_ERR_CHALLENGE;
    }
    rc = hls_tag(tx->keys, tx->system_title, tx->sc, tx->ic, challenge, challenge_len, out);
    if (rc != 0) {
        memset(out, 0, DLMS_SEC_HLS_REPLY_LEN);
    }
    return rc;
}

int dlms_sec_hls_verify(const dlms_sec_keys_t *keys, const uint8_t *peer_title,
                        const uint8_t *challenge, size_t challenge_len, const uint8_t *reply,
                        size_t reply_len, uint32_t *ic_out) {
    if (keys == NULL || peer_title == NULL || challenge == NULL || reply == NULL) {
        return DLMS_SEC_ERR_BADARG;
    }
    if (!peer_challenge_len_ok(challenge_len)) {
        return DLMS_SEC_ERR_CHALLENGE;
    }
    if (reply_len != DLMS_SEC_HLS_REPLY_LEN) {
        return DLMS_SEC_ERR_LENGTH;
    }
    int rc = hls_check_sc(reply[0]);
    if (rc != 0) {
        return rc;
    }
    uint32_t ic = get_u32(reply + 1);
    uint8_t expect[DLMS_SEC_HLS_REPLY_LEN];
    rc = hls_tag(keys, peer_title, reply[0], ic, challenge, challenge_len, expect);
    if (rc == 0 && !ct_equal(expect, reply, DLMS_SEC_HLS_REPLY_LEN)) {
        rc = DLMS_SEC_ERR_AUTH;
    }
    wipe(expect, sizeof expect);
    if (rc == 0 && ic_out != NULL) {
        *ic_out = ic;
    }
    return rc;
}

int dlms_sec_hls_challenge(const em_port_t *port, uint8_t *out, size_t len) {
    if (out == NULL) {
        return DLMS_SEC_ERR_BADARG;
    }
    if (len < DLMS_SEC_OWN_CHALLENGE_MIN || len > EM_SEC_MAX_CHALLENGE) {
        return DLMS_SEC_ERR_CHALLENGE;
    }
    if (port == NULL || port->entropy == NULL || port->entropy(port->user, out, len) != 0) {
        memset(out, 0, len); /* a half-filled challenge must not be used */
        return DLMS_SEC_ERR_ENTROPY;
    }
    return 0;
}

/* ---- key transfer -------------------------------------------------------- */

int dlms_sec_key_wrap(const dlms_sec_keys_t *keys, const uint8_t key[DLMS_SEC_KEY_LEN],
                      uint8_t out[DLMS_SEC_WRAPPED_KEY_LEN]) {
    if (keys == NULL || key == NULL || out == NULL) {
        return DLMS_SEC_ERR_BADARG;
    }
    int rc = em_crypto_aes_wrap(keys->kek, key, DLMS_SEC_KEY_LEN, out);
    if (rc != 0) {
        wipe(out, DLMS_SEC_WRAPPED_KEY_LEN);
        return DLMS_SEC_ERR_CRYPTO;
    }
    return 0;
}

int dlms_sec_key_unwrap(const dlms_sec_keys_t *keys, const uint8_t *wrapped, size_t len,
                        uint8_t key_out[DLMS_SEC_KEY_LEN]) {
    if (keys == NULL || wrapped == NULL || key_out == NULL) {
        return DLMS_SEC_ERR_BADARG;
    }
    if (len != DLMS_SEC_WRAPPED_KEY_LEN) {
        wipe(key_out, DLMS_SEC_KEY_LEN);
        return DLMS_SEC_ERR_LENGTH;
    }
    int rc = em_crypto_aes_unwrap(keys->kek, wrapped, len, key_out);
    if (rc != 0) {
        wipe(key_out, DLMS_SEC_KEY_LEN);
        return rc == EM_PORT_ERR_AUTH ? DLMS_SEC_ERR_KEY_WRAP : DLMS_SEC_ERR_CRYPTO;
    }
    return 0;
}

/* ---- errors ------------------------------------------------------------ */

const char *dlms_security_strerror(int err) {
    switch (err) {
    case 0:
        return "success";
    case DLMS_SEC_ERR_BADARG:
        return "invalid argument";
    case DLMS_SEC_ERR_TRUNCATED:
        return "ciphered APDU truncated";
    case DLMS_SEC_ERR_APDU_TAG:
        return "APDU tag has no ciphered form or does not match its content";
    case DLMS_SEC_ERR_LENGTH:
        return "malformed or inconsistent length";
    case DLMS_SEC_ERR_SUITE:
        return "security suite not supported (only suite 0)";
    case DLMS_SEC_ERR_COMPRESSION:
        return "compression not supported";
    case DLMS_SEC_ERR_SC:
        return "security control byte not usable here";
    case DLMS_SEC_ERR_AUTH:
        return "authentication failed (tag mismatch)";
    case DLMS_SEC_ERR_REPLAY:
        return "invocation counter replayed";
    case DLMS_SEC_ERR_BUFFER:
        return "output buffer too small";
    case DLMS_SEC_ERR_NO_KEY:
        return "no dedicated key";
    case DLMS_SEC_ERR_SYSTEM_TITLE:
        return "system title missing or unexpected";
    case DLMS_SEC_ERR_CHALLENGE:
        return "HLS challenge length out of range";
    case DLMS_SEC_ERR_ENTROPY:
        return "entropy source failed";
    case DLMS_SEC_ERR_KEY_WRAP:
        return "wrapped key integrity check failed";
    case DLMS_SEC_ERR_CRYPTO:
        return "crypto backend failed";
    case DLMS_SEC_ERR_POLICY:
        return "security control weaker than the security policy";
    default:
        return "unknown security error";
    }
}
