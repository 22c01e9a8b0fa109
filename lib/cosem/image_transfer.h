/*
 * image_transfer.h - interface class Image transfer (class_id 18, version
 * 0; DLMS UA Blue Book "Image transfer", the firmware upgrade process of
 * DSMR/SMR P3) and the image format this meter verifies. User guide and the
 * reasons behind each choice: docs/upgrade.md.
 *
 * ---- Attributes and methods ------------------------------------------------
 *
 *   2 image_block_size                  double-long-unsigned, the def's constant
 *   3 image_transferred_blocks_status   bit-string, bit n = block n received
 *                                       (block 0 in the MSB of the first byte)
 *   4 image_first_not_transferred_block_number  double-long-unsigned; the
 *                                       number of blocks when all are in
 *   5 image_transfer_enabled            boolean, writable
 *   6 image_transfer_status             enum COSEM_IMAGE_* below
 *   7 image_to_activate_info            array of structure{image_to_activate_
 *                                       size double-long-unsigned, _identifi-
 *                                       cation octet-string, _signature
 *                                       octet-string}: one element once the
 *                                       image verified, empty before
 *   method 1 image_transfer_initiate    structure{image_identifier octet-
 *                                       string, image_size double-long-unsigned}
 *   method 2 image_block_transfer       structure{image_block_number double-
 *                                       long-unsigned, image_block_value
 *                                       octet-string}
 *   method 3 image_verify               integer 0
 *   method 4 image_activate             integer 0
 *
 * ---- The process (Blue Book) and this implementation's answers ------------
 *
 *   transfer disabled (attr 5 false)    every method: object-unavailable (11)
 *   initiate, new identifier or size    storage prepare(size), bitmap cleared,
 *                                       status 1; size 0 or above the def's
 *                                       max_size, identifier empty or longer
 *                                       than EM_COSEM_IMAGE_ID_MAX: other-reason
 *   initiate, same identifier and size  RESUME: bitmap and storage kept,
 *     (status 1, 2, 3 or 7)             status 1 (verification starts again).
 *                                       This is what makes a transfer survive
 *                                       a restart: the meter persists the
 *                                       state struct, the head-end initiates
 *                                       again and reads attribute 4 / 3.
 *                                       After a failed verification (status
 *                                       4) the same initiate starts afresh:
 *                                       the blocks held are known bad.
 *   block, status 1, 3 or 4             block number < blocks, length exactly
 *                                       block_size (the last block: the rest
 *                                       of the image), else other-reason; the
 *                                       block is written at number x
 *                                       block_size (a block sent again is
 *                                       written again); a verified image is
 *                                       back to status 1
 *   block, status 0, 6, 7               other-reason (initiate first)
 *   block or initiate, status 2 / 5     temporary-failure (verification or
 *                                       activation running)
 *   verify, blocks missing              other-reason, status unchanged (send
 *                                       the missing blocks, verify again)
 *   verify, all blocks in               status 2; the digest is computed over
 *                                       storage reads, def.verify_step bytes
 *                                       per call (0: all at once). Done: status
 *                                       3 (success, event 17) or 4 (other-
 *                                       reason, COSEM_IMAGE_EVENT_VERIFY_FAILED).
 *                                       Not done: temporary-failure; the
 *                                       meter's cosem_image_transfer_tick()
 *                                       continues and the client polls
 *                                       attribute 6 (or calls verify again,
 *                                       which does one more step)
 *   verify, status 3                    success (already verified)
 *   activate, status 3 or 7             status 5, the def's activate hook with
 *                                       the trailer's firmware identifier and
 *                                       signature: 0 -> status 6, events 18
 *                                       and 20, success; else status 7,
 *                                       COSEM_IMAGE_EVENT_ACTIVATION_FAILED,
 *                                       other-reason
 *   activate, not verified (status 1,   Blue Book: "if the Image has not been
 *     all blocks in, or status 2)       verified before, this is done as part
 *                                       of the activation": verification runs
 *                                       as above and activation follows it at
 *                                       once (temporary-failure meanwhile; the
 *                                       tick activates when it completes)
 *   activate, status 4                  other-reason (a failed image is never
 *                                       activated; re-send blocks or initiate)
 *   activate, status 0 or blocks missing  other-reason
 *   activate, status 6                  success, the hook is not called again
 *                                       (an answer lost on the way is retried)
 *   storage callback failure            hardware-fault (1)
 *
 * Events (the def's event hook, codes of dlms-facts §2.6): 17 firmware
 * ready for activation (verification successful), 18 firmware activated,
 * 20 successful self-check after firmware update (the activate hook returned
 * 0: the new firmware runs). A failed verification or activation has no
 * DSMR event code; the hook gets COSEM_IMAGE_EVENT_VERIFY_FAILED /
 * _ACTIVATION_FAILED (above 255: not a log code) for a manufacturer code or
 * an alarm bit.
 *
 * ---- Image format (what verification checks) ------------------------------
 *
 *   image   = payload || meta || footer
 *   meta    = id_len (1) || id || sig_len (1) || sig
 *   footer  = "EMIMAGE1" (8) || payload_len (4, big-endian) ||
 *             meta_len (2, big-endian) || 00 00 || digest (32)
 *   digest  = SHA-256 of every byte before it (payload, meta and the first
 *             16 bytes of the footer)
 *
 * id (1..EM_COSEM_IMAGE_FW_STR_MAX bytes) is the firmware identifier the
 * image brings, sig (0..EM_COSEM_IMAGE_FW_STR_MAX) its signature string:
 * activation hands both to the meter, which shows them in the active
 * firmware identifier 1.0.0.2.0.255 and signature 1.0.0.2.8.255;
 * image_to_activate_info shows them after verification. image_size must be
 * payload_len + meta_len + 48. The digest protects against corruption in
 * transfer and storage, not against a forged image (no key): an operator
 * who needs authenticity signs the payload (docs/upgrade.md).
 */
#ifndef EMETER_COSEM_IMAGE_TRANSFER_H
#define EMETER_COSEM_IMAGE_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cosem/cosem.h"
#include "port.h"

#define COSEM_CLASS_IMAGE_TRANSFER 18u

extern const cosem_class_t cosem_class_image_transfer;

/* ---- errors (-0x0980..-0x099F) --------------------------------------------- */

#define COSEM_ERR_IMAGE_FORMAT   (-0x0980) /* image trailer malformed or inconsistent */
#define COSEM_ERR_IMAGE_DIGEST   (-0x0981) /* SHA-256 of the image does not match its trailer */
#define COSEM_ERR_IMAGE_SIZE     (-0x0982) /* image larger than the storage / options allow */
#define COSEM_ERR_IMAGE_STORAGE  (-0x0983) /* an image storage callback failed */
#define COSEM_ERR_IMAGE_DEF      (-0x0984) /* image transfer definition invalid */
#define COSEM_ERR_IMAGE_ACTIVATE (-0x0985) /* the activation hook refused the image */
#define COSEM_ERR_IMAGE_STATE    (-0x0986) /* not possible in this transfer status */

/* Short English reason for a COSEM_ERR_IMAGE_* code. */
const char *cosem_image_strerror(int err);

/* ---- image_transfer_status (attribute 6) ------------------------------------ */

#define COSEM_IMAGE_NOT_INITIATED       0u
#define COSEM_IMAGE_INITIATED           1u
#define COSEM_IMAGE_VERIFY_INITIATED    2u
#define COSEM_IMAGE_VERIFY_SUCCESSFUL   3u
#define COSEM_IMAGE_VERIFY_FAILED       4u
#define COSEM_IMAGE_ACTIVATE_INITIATED  5u
#define COSEM_IMAGE_ACTIVATE_SUCCESSFUL 6u
#define COSEM_IMAGE_ACTIVATE_FAILED     7u

/* ---- event hook codes --------------------------------------------------------- */

#define COSEM_IMAGE_EVENT_READY             17u    /* firmware ready for activation */
#define COSEM_IMAGE_EVENT_ACTIVATED         18u    /* firmware activated */
#define COSEM_IMAGE_EVENT_SELF_CHECK_OK     20u    /* successful self-check after update */
#define COSEM_IMAGE_EVENT_VERIFY_FAILED     0x100u /* no DSMR code */
#define COSEM_IMAGE_EVENT_ACTIVATION_FAILED 0x101u /* no DSMR code */

/* ---- image format --------------------------------------------------------- */

#define COSEM_IMAGE_MAGIC      "EMIMAGE1"
#define COSEM_IMAGE_MAGIC_LEN  8u
#define COSEM_IMAGE_FOOTER_LEN 48u /* magic, payload_len, meta_len, 2 reserved, digest */
#define COSEM_IMAGE_DIGEST_AT  16u /* offset of the digest in the footer */
#define COSEM_IMAGE_META_MAX   (2u + 2u * EM_COSEM_IMAGE_FW_STR_MAX)
/* The most bytes at the end of an image the trailer can take. */
#define COSEM_IMAGE_TAIL_MAX (COSEM_IMAGE_META_MAX + COSEM_IMAGE_FOOTER_LEN)

typedef struct cosem_image_info {
    uint32_t payload_len;
    uint16_t meta_len;
    uint8_t fw_id_len;
    uint8_t fw_sig_len;
    uint8_t fw_id[EM_COSEM_IMAGE_FW_STR_MAX];
    uint8_t fw_sig[EM_COSEM_IMAGE_FW_STR_MAX];
    uint8_t digest[EM_SHA256_LEN];
} cosem_image_info_t;

/* Decodes the trailer from `tail`, the last tail_len bytes of an image of
 * image_size bytes (tail_len <= image_size; COSEM_IMAGE_TAIL_MAX bytes, or
 * the whole image when shorter, always suffice). Checks the magic, the
 * lengths (payload_len + meta_len + 48 == image_size) and the meta fields;
 * not the digest. 0, or COSEM_ERR_IMAGE_FORMAT with *info zeroed. */
int cosem_image_trailer_parse(const uint8_t *tail, size_t tail_len, uint32_t image_size,
                              cosem_image_info_t *info);

/* Builds the trailer of an image whose payload_len payload bytes have been
 * fed to *ctx (em_crypto_sha256_start + update): hashes the meta and the
 * footer head, finishes ctx and writes meta || footer to out. Returns the
 * trailer length, COSEM_ERR_IMAGE_FORMAT for an id/sig too long (or id
 * empty), COSEM_ERR_IMAGE_SIZE when out is too small or the image would not
 * fit 32 bits, or a port error. */
int cosem_image_trailer_build(em_sha256_ctx_t *ctx, uint32_t payload_len, const uint8_t *id,
                              size_t id_len, const uint8_t *sig, size_t sig_len, uint8_t *out,
                              size_t cap);

/* Parses and checks a whole image held in memory (trailer and digest):
 * 0, COSEM_ERR_IMAGE_FORMAT or COSEM_ERR_IMAGE_DIGEST. */
int cosem_image_check(const uint8_t *image, size_t len, cosem_image_info_t *info);

/* ---- definition and state --------------------------------------------------- */

/* Where the image bytes go. `app` is the server's app pointer, so one const
 * definition serves every meter of a fleet. Each returns 0 or a negative
 * error. prepare() is called on a new initiate (erase the download area);
 * write() may be called again for a block already written (a block sent
 * twice); read() serves verification. */
typedef struct cosem_image_storage {
    int (*prepare)(void *app, uint32_t size);
    int (*write)(void *app, uint32_t offset, const uint8_t *data, size_t len);
    int (*read)(void *app, uint32_t offset, uint8_t *buf, size_t len);
} cosem_image_storage_t;

typedef struct cosem_image_transfer_def {
    uint32_t state;       /* COSEM_STATE(cosem_image_transfer_state_t, app_t, member) */
    uint32_t block_size;  /* attribute 2; a block + ~60 bytes of APDU must fit the PDU */
    uint32_t max_size;    /* largest image (<= EM_COSEM_IMAGE_MAX_SIZE, storage size) */
    uint32_t verify_step; /* bytes hashed per verify call / tick; 0: all at once */
    cosem_image_storage_t storage;
    /* Required: puts the new firmware in force (the meter changes its
     * active firmware identifier and signature; metering goes on). 0 when
     * the new firmware runs and passed its self-check. */
    int (*activate)(void *app, const uint8_t *id, size_t id_len, const uint8_t *sig,
                    size_t sig_len);
    /* Optional: COSEM_IMAGE_EVENT_* for the event log (and to persist the
     * state: every event is a moment to save it). */
    void (*event)(void *app, uint16_t code);
} cosem_image_transfer_def_t;

/* Everything the object remembers; plain data the meter persists (with
 * its storage) so a transfer resumes after a restart. */
typedef struct cosem_image_transfer_state {
    bool enabled;          /* attribute 5 */
    uint8_t status;        /* attribute 6 */
    bool activate_pending; /* activation asked before verification ended */
    uint8_t id_len;        /* image_identifier of the last initiate */
    uint8_t id[EM_COSEM_IMAGE_ID_MAX];
    uint32_t size;                                         /* image_size of the last initiate */
    uint32_t first_missing;                                /* attribute 4 */
    uint8_t bitmap[(EM_COSEM_IMAGE_MAX_BLOCKS + 7u) / 8u]; /* attribute 3 */
    cosem_image_info_t info;                               /* attribute 7 (status 3, 5-7) */
    /* verification in progress (restarted from byte 0 after a restart) */
    bool verify_running;
    uint32_t verify_pos;
    em_sha256_ctx_t sha;
} cosem_image_transfer_state_t;

/* Factory state: nothing transferred, status 0, transfer enabled or not
 * (DSMR meters ship with it disabled: dlms-facts §2.5). */
void cosem_image_transfer_init(cosem_image_transfer_state_t *st, bool enabled);

/* Call once after restoring a persisted state at start-up: a verification
 * that was running starts again from the first byte (the hash context is
 * not trusted across a restart); an activation cut by the restart is
 * status 7 (activation failed; activate may be retried). A state with
 * values this code never writes (status above 7, lengths above the
 * configured maxima) is reset to the factory state, keeping `enabled`. */
void cosem_image_transfer_restored(cosem_image_transfer_state_t *st);

/* Continues a verification in progress by def.verify_step bytes (and the
 * activation asked for meanwhile). Call it from the meter's loop (once a
 * second is plenty). Returns 1 when the verification (or activation)
 * ended in this call, 0 when nothing was to do or it goes on, or a
 * negative error (bad arguments). */
int cosem_image_transfer_tick(cosem_server_t *s, const cosem_object_t *obj);

/* Blocks of an image of `size` bytes for this definition. */
uint32_t cosem_image_block_count(const cosem_image_transfer_def_t *def, uint32_t size);

#endif /* EMETER_COSEM_IMAGE_TRANSFER_H */
