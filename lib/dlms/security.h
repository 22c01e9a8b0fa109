/*
 * security.h - DLMS/COSEM security suite 0: ciphered APDUs, HLS-5 GMAC and
 * key transfer (IEC 62056-5-3 "security", DLMS UA Green Book security
 * suite 0: AES-128-GCM, 12-byte tags, AES key wrap).
 *
 * A ciphered APDU carries SC || IC || information || tag where
 *   SC   security control byte (suite, authentication, encryption, key set,
 *        compression bits),
 *   IC   4-byte invocation counter of the sender, big-endian,
 *   information   the xDLMS APDU, encrypted when SC bit 5 is set,
 *   tag  12 bytes of GCM tag when SC bit 4 (authentication) is set.
 * The GCM IV is the sender's 8-byte system title || IC. The additional
 * authenticated data is SC || AK (authenticated and encrypted), SC || AK ||
 * plaintext (authenticated only) or nothing (encrypted only).
 *
 * That content travels in one of four envelopes:
 *   glo-xxx  (C8 glo-get-request, 21 glo-initiateRequest, ...): tag,
 *            A-XDR length, content; global unicast or broadcast key;
 *   ded-xxx  (D0 ded-get-request, ...): same layout, dedicated key;
 *   general-glo-ciphering (DB) and general-ded-ciphering (DC): tag,
 *            system title as a length-prefixed octet string, then the
 *            length-prefixed content.
 *
 * No heap, no state: every function works on its arguments. All crypto goes
 * through port.h. Inputs and outputs must not overlap.
 */
#ifndef EMETER_DLMS_SECURITY_H
#define EMETER_DLMS_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emeter_config.h"
#include "port.h"

/* ---- error codes (-0x0700..-0x07FF) ----------------------------------- */

#define DLMS_SEC_ERR_BADARG       (-0x0701) /* NULL pointer or impossible argument */
#define DLMS_SEC_ERR_TRUNCATED    (-0x0702) /* input ends before its declared content */
#define DLMS_SEC_ERR_APDU_TAG     (-0x0703) /* tag is not a ciphered APDU, or has no ciphered form */
#define DLMS_SEC_ERR_LENGTH       (-0x0704) /* malformed length, trailing bytes, or too long */
#define DLMS_SEC_ERR_SUITE        (-0x0705) /* security suite other than 0 */
#define DLMS_SEC_ERR_COMPRESSION  (-0x0706) /* SC asks for compression */
#define DLMS_SEC_ERR_SC           (-0x0707) /* SC combination not usable here */
#define DLMS_SEC_ERR_AUTH         (-0x0708) /* authentication tag does not match */
#define DLMS_SEC_ERR_REPLAY       (-0x0709) /* invocation counter not above the last accepted */
#define DLMS_SEC_ERR_BUFFER       (-0x070A) /* output buffer too small */
#define DLMS_SEC_ERR_NO_KEY       (-0x070B) /* ded- APDU but no dedicated key */
#define DLMS_SEC_ERR_SYSTEM_TITLE (-0x070C) /* system title missing, not 8 bytes, or unexpected */
#define DLMS_SEC_ERR_CHALLENGE    (-0x070D) /* HLS challenge length out of bounds */
#define DLMS_SEC_ERR_ENTROPY      (-0x070E) /* the port's entropy source failed */
#define DLMS_SEC_ERR_KEY_WRAP     (-0x070F) /* wrapped key fails its integrity check */
#define DLMS_SEC_ERR_CRYPTO       (-0x0710) /* port crypto refused the operation */
#define DLMS_SEC_ERR_POLICY       (-0x0711) /* SC weaker than the security policy requires */

/* ---- sizes ------------------------------------------------------------ */

#define DLMS_SEC_KEY_LEN          16 /* AES-128 */
#define DLMS_SEC_SYSTEM_TITLE_LEN 8
#define DLMS_SEC_TAG_LEN          12 /* suite 0 truncates GCM tags to 96 bits */
#define DLMS_SEC_HEADER_LEN       5  /* SC + 4-byte IC */
/* Bytes ciphering adds to an APDU with authentication (SC, IC, tag). */
#define DLMS_SEC_OVERHEAD (DLMS_SEC_HEADER_LEN + DLMS_SEC_TAG_LEN)
/* Largest envelope header: general-xxx tag, title (1 + 8), 3-byte length. */
#define DLMS_SEC_MAX_ENVELOPE (1 + 1 + DLMS_SEC_SYSTEM_TITLE_LEN + 3)
/* Longest ciphered content: the envelope length field is at most 0x82 xx xx. */
#define DLMS_SEC_MAX_CONTENT 0xFFFFu
/* f(challenge) of HLS-5: SC || IC || GMAC tag. */
#define DLMS_SEC_HLS_REPLY_LEN (DLMS_SEC_HEADER_LEN + DLMS_SEC_TAG_LEN)
/* Challenges accepted from a peer (Green Book: 8..64 bytes). */
#define DLMS_SEC_PEER_CHALLENGE_MIN 8
/* Challenges we generate: at least 128 bits of entropy. */
#define DLMS_SEC_OWN_CHALLENGE_MIN 16
/* Wrapped 128-bit key: key + 8-byte RFC 3394 integrity block. */
#define DLMS_SEC_WRAPPED_KEY_LEN (DLMS_SEC_KEY_LEN + 8)

/* ---- security control byte -------------------------------------------- */

#define DLMS_SEC_SC_SUITE_MASK  0x0Fu /* bits 0-3: security suite id */
#define DLMS_SEC_SC_AUTH        0x10u /* bit 4: authentication (GCM tag) */
#define DLMS_SEC_SC_ENC         0x20u /* bit 5: encryption */
#define DLMS_SEC_SC_BROADCAST   0x40u /* bit 6: key set, 0 unicast, 1 broadcast */
#define DLMS_SEC_SC_COMPRESSION 0x80u /* bit 7: compression (not supported) */

/* The SC values of suite 0 (Green Book examples). */
#define DLMS_SEC_SC_AUTH_ONLY 0x10u
#define DLMS_SEC_SC_ENC_ONLY  0x20u
#define DLMS_SEC_SC_AUTH_ENC  0x30u

/* Suite 0 SC byte from its flags. */
uint8_t dlms_sec_sc_make(bool auth, bool enc, bool broadcast);

/* 0 if sc is usable for a ciphered APDU: suite 0, no compression, and at
 * least one of authentication and encryption. Otherwise
 * DLMS_SEC_ERR_SUITE, _COMPRESSION or _SC. */
int dlms_sec_sc_check(uint8_t sc);

/* ---- keys ------------------------------------------------------------- */

/* Which key protected an APDU; each has its own invocation counters. */
typedef enum dlms_sec_key_id {
    DLMS_SEC_KEY_UNICAST = 0,   /* GUEK: glo- and general-glo with SC bit 6 clear */
    DLMS_SEC_KEY_BROADCAST = 1, /* GBEK: glo- and general-glo with SC bit 6 set */
    DLMS_SEC_KEY_DEDICATED = 2, /* dedicated key: ded- and general-ded */
    DLMS_SEC_KEY_COUNT = 3,
} dlms_sec_key_id_t;

/* The keys of one security setup (class 64) plus the association's
 * dedicated key, when the client sent one in its InitiateRequest. */
typedef struct dlms_sec_keys {
    uint8_t guek[DLMS_SEC_KEY_LEN]; /* global unicast encryption key */
    uint8_t gbek[DLMS_SEC_KEY_LEN]; /* global broadcast encryption key */
    uint8_t ak[DLMS_SEC_KEY_LEN];   /* authentication key (in the AAD) */
    uint8_t kek[DLMS_SEC_KEY_LEN];  /* master key: wraps transferred keys */
    uint8_t dedicated[DLMS_SEC_KEY_LEN];
    bool has_dedicated;
} dlms_sec_keys_t;

/* ---- protect (sender side) -------------------------------------------- */

/* The sender's side of one ciphered APDU. */
typedef struct dlms_sec_tx {
    const dlms_sec_keys_t *keys;
    const uint8_t *system_title; /* the sender's (our) 8-byte title, in the IV */
    uint8_t sc;                  /* security control byte */
    uint32_t ic;                 /* invocation counter, used once per key */
    bool dedicated;              /* dedicated key and ded- envelopes instead of global */
} dlms_sec_tx_t;

/* Envelope of a ciphered APDU. */
typedef enum dlms_sec_form {
    DLMS_SEC_FORM_SERVICE = 0, /* glo-xxx / ded-xxx, tag from the plain APDU */
    DLMS_SEC_FORM_GENERAL = 1, /* general-glo-ciphering / general-ded-ciphering */
} dlms_sec_form_t;

/* Ciphered tag for a plain APDU tag: glo- (C0 -> C8, 01 -> 21, ...) or
 * ded- (C0 -> D0, ...). Returns the tag, or DLMS_SEC_ERR_APDU_TAG when the
 * service has no such ciphered form. */
int dlms_sec_ciphered_tag(uint8_t plain_tag, bool dedicated);

/* Writes SC || IC || information || tag for apdu[0..len) into out.
 * Returns the number of bytes written (len + 5, plus 12 with
 * authentication) or a negative DLMS_SEC_ERR_*. On failure out[0..cap) is
 * zeroed. The caller uses tx->ic once and then advances it. */
int dlms_sec_protect_content(const dlms_sec_tx_t *tx, const uint8_t *apdu, size_t len, uint8_t *out,
                             size_t cap);

/* Writes the complete ciphered APDU in the envelope form (glo-/ded- or
 * general-glo/general-ded) into out. Returns its length or a negative
 * DLMS_SEC_ERR_*; on failure out[0..cap) is zeroed. */
int dlms_sec_protect(const dlms_sec_tx_t *tx, dlms_sec_form_t form, const uint8_t *apdu, size_t len,
                     uint8_t *out, size_t cap);

/* ---- unprotect (receiver side) ------------------------------------------ */

/* Last invocation counter accepted under one key. */
typedef struct dlms_sec_rx_ic {
    uint32_t last;
    bool valid; /* false: nothing accepted yet under this key, any IC is fresh */
} dlms_sec_rx_ic_t;

/* What the receiver knows about the sender. */
typedef struct dlms_sec_rx {
    const dlms_sec_keys_t *keys;
    /* The sender's 8-byte system title (from the AARQ/AARE AP title). NULL
     * is allowed only for general-* envelopes, which carry the title; when
     * given, a general-* envelope must carry this same title. */
    const uint8_t *peer_title;
    dlms_sec_rx_ic_t ic[DLMS_SEC_KEY_COUNT]; /* indexed by dlms_sec_key_id_t */
    /* SC bits (DLMS_SEC_SC_AUTH, DLMS_SEC_SC_ENC) every accepted APDU must
     * have: the security policy of the association. The envelope and SC
     * are not authenticated by themselves, so without this a forged SC of
     * 0x20 (encryption only, no tag) would be decrypted without any check. */
    uint8_t sc_required;
} dlms_sec_rx_t;

/* What dlms_sec_unprotect found. */
typedef struct dlms_sec_info {
    uint8_t apdu_tag; /* envelope tag as received (C8, D0, DB, ...) */
    dlms_sec_form_t form;
    dlms_sec_key_id_t key;
    bool dedicated;
    uint8_t sc;
    uint32_t ic;
    uint8_t system_title[DLMS_SEC_SYSTEM_TITLE_LEN]; /* sender's title used in the IV */
} dlms_sec_info_t;

/* Parses any ciphered envelope in in[0..in_len) (hostile input), checks the
 * SC against rx->sc_required (DLMS_SEC_ERR_POLICY), refuses an IC not
 * strictly above rx->ic[key].last before doing any crypto
 * (DLMS_SEC_ERR_REPLAY), verifies and decrypts, and writes the plain APDU
 * into out. For glo-/ded- envelopes the plain APDU's tag must be the
 * one the envelope tag stands for.
 *
 * out_cap must hold the whole ciphered content (SC || IC || information ||
 * tag): authenticated-only content is checked in place there. in_len is
 * always enough.
 *
 * Returns the plain APDU length, or a negative DLMS_SEC_ERR_*; on failure
 * out[0..out_cap) is zeroed and info holds what was parsed before the
 * failure (zeros otherwise). The caller stores info->ic as
 * rx->ic[info->key].last only after this call succeeded, so a forged APDU
 * can never move the counter. */
int dlms_sec_unprotect(const dlms_sec_rx_t *rx, const uint8_t *in, size_t in_len, uint8_t *out,
                       size_t out_cap, dlms_sec_info_t *info);

/* ---- HLS-5 (GMAC) authentication ----------------------------------------- */

/* f(challenge) = SC || IC || GMAC(GUEK, IV = title || IC, AAD = SC || AK ||
 * challenge), the reply of HLS passes 3 and 4. tx->sc must be 0x10
 * (authentication only, suite 0), tx->dedicated false. challenge_len is
 * DLMS_SEC_PEER_CHALLENGE_MIN..EM_SEC_MAX_CHALLENGE. */
int dlms_sec_hls_gmac(const dlms_sec_tx_t *tx, const uint8_t *challenge, size_t challenge_len,
                      uint8_t out[DLMS_SEC_HLS_REPLY_LEN]);

/* Checks a peer's f(challenge) against the challenge we sent and the
 * peer's system title, comparing the tag in constant time. Returns 0 and
 * the peer's IC in *ic_out (may be NULL), or DLMS_SEC_ERR_AUTH,
 * _LENGTH, _SC, _CHALLENGE. No replay check is needed: the challenge is
 * fresh for every association. */
int dlms_sec_hls_verify(const dlms_sec_keys_t *keys, const uint8_t *peer_title,
                        const uint8_t *challenge, size_t challenge_len, const uint8_t *reply,
                        size_t reply_len, uint32_t *ic_out);

/* Fills out with len random bytes from port->entropy: our own challenge
 * (StoC on the server, CtoS on the client). len is
 * DLMS_SEC_OWN_CHALLENGE_MIN..EM_SEC_MAX_CHALLENGE (EM_SEC_CHALLENGE_LEN is
 * the configured choice). On failure out is zeroed and
 * DLMS_SEC_ERR_ENTROPY or DLMS_SEC_ERR_CHALLENGE returned. */
int dlms_sec_hls_challenge(const em_port_t *port, uint8_t *out, size_t len);

/* ---- key transfer (security setup method key_transfer) ---------------- */

/* Wraps a new 128-bit key under keys->kek (RFC 3394) for key_transfer. */
int dlms_sec_key_wrap(const dlms_sec_keys_t *keys, const uint8_t key[DLMS_SEC_KEY_LEN],
                      uint8_t out[DLMS_SEC_WRAPPED_KEY_LEN]);

/* Unwraps a key_wrapped octet string (24 bytes) under keys->kek. Returns 0,
 * DLMS_SEC_ERR_LENGTH or DLMS_SEC_ERR_KEY_WRAP (integrity check failed);
 * on failure key_out is zeroed. */
int dlms_sec_key_unwrap(const dlms_sec_keys_t *keys, const uint8_t *wrapped, size_t len,
                        uint8_t key_out[DLMS_SEC_KEY_LEN]);

/* Short English reason for a DLMS_SEC_ERR_* code. */
const char *dlms_security_strerror(int err);

#endif /* EMETER_DLMS_SECURITY_H */
