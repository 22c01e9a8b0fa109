/*
 * port.h - the only door from the portable core (lib/) to the platform.
 *
 * Two kinds of services live here:
 *
 *  - Per-meter services (clock, flash, entropy, log) are function pointers in
 *    an em_port_t with a user pointer, so one process can run thousands of
 *    meters, each with its own flash image and simulated clock, and lib/
 *    holds no global state. A meter context keeps a const em_port_t *.
 *
 *  - Stateless crypto primitives (AES-GCM, AES key wrap, SHA-256) are plain
 *    functions. The POSIX port implements them with mbedTLS; a
 *    microcontroller port may use mbedTLS or its AES peripheral. lib/ never
 *    implements a cipher itself.
 *
 * All functions return 0 on success or a negative EM_PORT_ERR_* code.
 * port/posix/ implements this on Linux; port/cortex-m/ shows what a
 * microcontroller port has to provide.
 */
#ifndef EMETER_PORT_H
#define EMETER_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EM_PORT_ERR_IO        (-0x0011) /* flash or device I/O failed */
#define EM_PORT_ERR_RANGE     (-0x0012) /* address or length outside the device */
#define EM_PORT_ERR_ALIGN     (-0x0013) /* program not aligned to the program unit */
#define EM_PORT_ERR_AUTH      (-0x0014) /* GCM tag or key-wrap integrity check failed */
#define EM_PORT_ERR_CRYPTO    (-0x0015) /* crypto backend refused the operation */
#define EM_PORT_ERR_ENTROPY   (-0x0016) /* no random bytes could be had */
#define EM_PORT_ERR_BADARG    (-0x0017) /* a length or pointer is invalid */

/* Log levels, most severe first. */
enum em_log_level {
    EM_LOG_ERROR = 0,
    EM_LOG_WARN = 1,
    EM_LOG_INFO = 2,
    EM_LOG_DEBUG = 3,
};

/* Flash geometry: NOR-like semantics. Erase sets a whole sector to 0xFF;
 * program can only clear bits (1 -> 0) and works on multiples of
 * program_unit at aligned addresses. */
typedef struct em_flash_geometry {
    uint32_t sector_size;   /* bytes per erasable sector */
    uint32_t sector_count;  /* number of sectors */
    uint32_t program_unit;  /* smallest programmable unit in bytes (1, 4, 8...) */
} em_flash_geometry_t;

typedef struct em_port {
    void *user; /* handed back to every callback below */

    /* ---- clock ---- */
    /* Milliseconds from an arbitrary origin; never goes backwards. Timeouts
     * (HDLC inactivity, inter-octet, association) are measured with it. */
    uint64_t (*monotonic_ms)(void *user);
    /* Real-time clock in UTC seconds since 1970-01-01 (battery backed on a
     * meter; simulated time on the host). */
    int64_t (*rtc_get)(void *user);
    int (*rtc_set)(void *user, int64_t utc_seconds);

    /* ---- flash ---- */
    em_flash_geometry_t flash;
    int (*flash_read)(void *user, uint32_t addr, void *buf, size_t len);
    int (*flash_program)(void *user, uint32_t addr, const void *buf, size_t len);
    int (*flash_erase)(void *user, uint32_t sector);
    /* Make every program/erase so far durable (a no-op on real flash). */
    int (*flash_sync)(void *user);

    /* ---- entropy ---- */
    /* Fill buf with len bytes from a CSPRNG (HLS challenges, nonces). */
    int (*entropy)(void *user, uint8_t *buf, size_t len);

    /* ---- outputs ---- */
    /* Metrology LED / S0 output: `count` pulses completed on channel 0
     * (active energy) or 1 (reactive energy). A microcontroller drives a
     * GPIO with an on-time well under 13 ms (69 kW at 2000 imp/kWh is 38 Hz,
     * metrology-facts §0); the host counts them. May be NULL. */
    void (*led_pulse)(void *user, unsigned channel, uint32_t count);
    /* Supply breaker relay (bistable): drive it closed (consumer supplied)
     * or open. Called at every Disconnect control transition and at power
     * up with the restored position. May be NULL (no breaker). */
    void (*relay)(void *user, bool closed);

    /* ---- name resolution (issue 8) ---- */
    /* IPv4 address of a host name (an FQDN push or Auto connect
     * destination): 0 and *ipv4 = a.b.c.d as (a << 24) | ... | d, or
     * EM_PORT_ERR_IO. May block for a DNS round trip on the host
     * (getaddrinfo); a microcontroller port answers from the modem's DNS
     * cache or fails at once. lib/ calls it once per modem attachment,
     * never on a request path (lib/meter/modem.h). May be NULL (FQDN
     * destinations then stay unresolved). */
    int (*resolve)(void *user, const char *host, uint32_t *ipv4);

    /* ---- log ---- */
    /* msg is a complete line without a newline. lib/ has no printf: a
     * module that logs numbers formats them itself. May be NULL. */
    void (*log)(void *user, enum em_log_level level, const char *module,
                const char *msg);
} em_port_t;

/* ---- crypto primitives (stateless) ---------------------------------- */

#define EM_AES128_KEY_LEN 16
#define EM_GCM_IV_LEN     12
#define EM_SHA256_LEN     32

/* AES-128-GCM encryption. out receives len bytes (may be NULL when len is
 * 0, i.e. GMAC); tag receives tag_len bytes (4..16). */
int em_crypto_gcm_encrypt(const uint8_t key[EM_AES128_KEY_LEN],
                          const uint8_t iv[EM_GCM_IV_LEN],
                          const uint8_t *aad, size_t aad_len,
                          const uint8_t *in, size_t len, uint8_t *out,
                          uint8_t *tag, size_t tag_len);

/* AES-128-GCM decryption with tag check; returns EM_PORT_ERR_AUTH and
 * leaves out zeroed when the tag does not match. */
int em_crypto_gcm_decrypt(const uint8_t key[EM_AES128_KEY_LEN],
                          const uint8_t iv[EM_GCM_IV_LEN],
                          const uint8_t *aad, size_t aad_len,
                          const uint8_t *in, size_t len, uint8_t *out,
                          const uint8_t *tag, size_t tag_len);

/* AES key wrap (RFC 3394) with a 128-bit KEK. len is a multiple of 8, at
 * least 16; out receives len + 8 bytes. */
int em_crypto_aes_wrap(const uint8_t kek[EM_AES128_KEY_LEN], const uint8_t *in,
                       size_t len, uint8_t *out);

/* AES key unwrap (RFC 3394). len is the wrapped length (multiple of 8, at
 * least 24); out receives len - 8 bytes. EM_PORT_ERR_AUTH when the
 * integrity check value does not match. */
int em_crypto_aes_unwrap(const uint8_t kek[EM_AES128_KEY_LEN],
                         const uint8_t *in, size_t len, uint8_t *out);

/* SHA-256 digest of one buffer. */
int em_crypto_sha256(const void *data, size_t len, uint8_t out[EM_SHA256_LEN]);

/* Streaming SHA-256 for data that is not in RAM at once (an image in
 * flash, hashed a chunk at a time, possibly over several calls). The
 * context is opaque and of a fixed size, so lib/ can keep one in a state
 * struct without a heap; it holds no pointers and may be copied. A port
 * checks at compile time that its backend's context fits. start() before
 * the first update(); finish() writes the digest and wipes the context
 * (start() again to reuse it). */
#define EM_SHA256_CTX_SIZE 128

typedef struct em_sha256_ctx {
    uint64_t opaque[EM_SHA256_CTX_SIZE / 8];
} em_sha256_ctx_t;

int em_crypto_sha256_start(em_sha256_ctx_t *ctx);
int em_crypto_sha256_update(em_sha256_ctx_t *ctx, const void *data, size_t len);
int em_crypto_sha256_finish(em_sha256_ctx_t *ctx, uint8_t out[EM_SHA256_LEN]);

#endif /* EMETER_PORT_H */
