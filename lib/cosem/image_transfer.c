/*
 * image_transfer.c - interface class Image transfer (class_id 18, version
 * 0; Blue Book "Image transfer", DSMR/SMR P3 firmware upgrade): initiate,
 * block transfer with a bitmap of the blocks received, verification of the
 * image trailer's SHA-256 over storage reads (possibly spread over ticks),
 * activation through the meter's hook. The process, the answers and the
 * image format are documented in image_transfer.h and docs/upgrade.md.
 */
#include "cosem/image_transfer.h"

#include <string.h>

#include "cosem/cosem_classes.h"

_Static_assert(EM_COSEM_IMAGE_ID_MAX <= 255, "id_len is uint8_t");
_Static_assert(EM_COSEM_IMAGE_FW_STR_MAX <= 255, "fw_id_len / fw_sig_len are uint8_t");
_Static_assert(EM_COSEM_IMAGE_CHUNK >= 1, "verification reads at least one byte at a time");

/* Room an ACTION request needs around the block: APDU header, descriptor,
 * parameter structure and a ciphering envelope (general-glo-ciphering with
 * a 12-byte tag). */
#define BLOCK_OVERHEAD 64u

const char *cosem_image_strerror(int err) {
    switch (err) {
    case COSEM_ERR_IMAGE_FORMAT:
        return "image trailer malformed or inconsistent with the image size";
    case COSEM_ERR_IMAGE_DIGEST:
        return "image SHA-256 does not match its trailer";
    case COSEM_ERR_IMAGE_SIZE:
        return "image too large";
    case COSEM_ERR_IMAGE_STORAGE:
        return "image storage failed";
    case COSEM_ERR_IMAGE_DEF:
        return "image transfer definition invalid (block size, sizes or callbacks)";
    case COSEM_ERR_IMAGE_ACTIVATE:
        return "image activation refused by the meter";
    case COSEM_ERR_IMAGE_STATE:
        return "not possible in this image transfer status";
    default:
        return "unknown image transfer error";
    }
}

/* ---- image format ------------------------------------------------------------------------ */

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* meta = id_len id sig_len sig, exactly meta_len bytes. */
static bool meta_parse(const uint8_t *m, size_t len, cosem_image_info_t *info) {
    if (len < 2 || m[0] == 0 || m[0] > EM_COSEM_IMAGE_FW_STR_MAX || 1u + m[0] >= len) {
        return false;
    }
    size_t sig_at = 1u + m[0];
    uint8_t sig_len = m[sig_at];
    if (sig_len > EM_COSEM_IMAGE_FW_STR_MAX || sig_at + 1u + sig_len != len) {
        return false;
    }
    info->fw_id_len = m[0];
    memcpy(info->fw_id, m + 1, m[0]);
    info->fw_sig_len = sig_len;
    memcpy(info->fw_sig, m + sig_at + 1, sig_len);
    return true;
}

int cosem_image_trailer_parse(const uint8_t *tail, size_t tail_len, uint32_t image_size,
                              cosem_image_info_t *info) {
    if (info == NULL) {
        return COSEM_ERR_BADARG;
    }
    memset(info, 0, sizeof(*info));
    if (tail == NULL || tail_len > image_size || tail_len < COSEM_IMAGE_FOOTER_LEN) {
        return COSEM_ERR_IMAGE_FORMAT;
    }
    const uint8_t *f = tail + tail_len - COSEM_IMAGE_FOOTER_LEN;
    uint32_t payload_len = be32(f + 8);
    uint16_t meta_len = (uint16_t)(f[12] << 8 | f[13]);
    if (memcmp(f, COSEM_IMAGE_MAGIC, COSEM_IMAGE_MAGIC_LEN) != 0 || f[14] != 0 || f[15] != 0 ||
        meta_len > COSEM_IMAGE_META_MAX || meta_len > tail_len - COSEM_IMAGE_FOOTER_LEN ||
        (uint64_t)payload_len + meta_len + COSEM_IMAGE_FOOTER_LEN != image_size ||
        !meta_parse(f - meta_len, meta_len, info)) {
        memset(info, 0, sizeof(*info));
        return COSEM_ERR_IMAGE_FORMAT;
    }
    info->payload_len = payload_len;
    info->meta_len = meta_len;
    memcpy(info->digest, f + COSEM_IMAGE_DIGEST_AT, EM_SHA256_LEN);
    return 0;
}

int cosem_image_trailer_build(em_sha256_ctx_t *ctx, uint32_t payload_len, const uint8_t *id,
                              size_t id_len, const uint8_t *sig, size_t sig_len, uint8_t *out,
                              size_t cap) {
    if (ctx == NULL || out == NULL || (id == NULL && id_len > 0) || (sig == NULL && sig_len > 0)) {
        return COSEM_ERR_BADARG;
    }
    if (id_len == 0 || id_len > EM_COSEM_IMAGE_FW_STR_MAX || sig_len > EM_COSEM_IMAGE_FW_STR_MAX) {
        return COSEM_ERR_IMAGE_FORMAT;
    }
    size_t meta_len = 2u + id_len + sig_len, total = meta_len + COSEM_IMAGE_FOOTER_LEN;
    if (cap < total || (uint64_t)payload_len + total > UINT32_MAX) {
        return COSEM_ERR_IMAGE_SIZE;
    }
    out[0] = (uint8_t)id_len;
    memcpy(out + 1, id, id_len);
    out[1 + id_len] = (uint8_t)sig_len;
    if (sig_len > 0) {
        memcpy(out + 2 + id_len, sig, sig_len);
    }
    uint8_t *f = out + meta_len;
    memcpy(f, COSEM_IMAGE_MAGIC, COSEM_IMAGE_MAGIC_LEN);
    put_be32(f + 8, payload_len);
    f[12] = (uint8_t)(meta_len >> 8);
    f[13] = (uint8_t)meta_len;
    f[14] = 0;
    f[15] = 0;
    int rc = em_crypto_sha256_update(ctx, out, meta_len + COSEM_IMAGE_DIGEST_AT);
    if (rc == 0) {
        rc = em_crypto_sha256_finish(ctx, f + COSEM_IMAGE_DIGEST_AT);
    }
    return rc == 0 ? (int)total : rc;
}

int cosem_image_check(const uint8_t *image, size_t len, cosem_image_info_t *info) {
    if (image == NULL || info == NULL || len > UINT32_MAX) {
        return COSEM_ERR_BADARG;
    }
    size_t tail = len < COSEM_IMAGE_TAIL_MAX ? len : COSEM_IMAGE_TAIL_MAX;
    int rc = cosem_image_trailer_parse(image + len - tail, tail, (uint32_t)len, info);
    if (rc != 0) {
        return rc;
    }
    uint8_t digest[EM_SHA256_LEN];
    rc = em_crypto_sha256(image, len - EM_SHA256_LEN, digest);
    if (rc != 0) {
        return rc;
    }
    return memcmp(digest, info->digest, EM_SHA256_LEN) == 0 ? 0 : COSEM_ERR_IMAGE_DIGEST;
}

/* ---- state helpers
 * ------------------------------------------------------------------------------- */

uint32_t cosem_image_block_count(const cosem_image_transfer_def_t *def, uint32_t size) {
    if (def == NULL || def->block_size == 0) {
        return 0;
    }
    return (uint32_t)(((uint64_t)size + def->block_size - 1u) / def->block_size);
}

void cosem_image_transfer_init(cosem_image_transfer_state_t *st, bool enabled) {
    memset(st, 0, sizeof(*st));
    st->enabled = enabled;
    st->status = COSEM_IMAGE_NOT_INITIATED;
}

void cosem_image_transfer_restored(cosem_image_transfer_state_t *st) {
    if (st == NULL) {
        return;
    }
    st->verify_running = false;
    st->verify_pos = 0;
    memset(&st->sha, 0, sizeof(st->sha));
    if (st->status == COSEM_IMAGE_ACTIVATE_INITIATED) {
        st->status = COSEM_IMAGE_ACTIVATE_FAILED;
        st->activate_pending = false;
    }
    /* Values this code never writes (a damaged or foreign record): start
     * from nothing rather than trust lengths that index arrays. */
    if (st->status > COSEM_IMAGE_ACTIVATE_FAILED || st->id_len > EM_COSEM_IMAGE_ID_MAX ||
        st->size > EM_COSEM_IMAGE_MAX_SIZE || st->info.fw_id_len > EM_COSEM_IMAGE_FW_STR_MAX ||
        st->info.fw_sig_len > EM_COSEM_IMAGE_FW_STR_MAX ||
        st->info.meta_len > COSEM_IMAGE_META_MAX) {
        cosem_image_transfer_init(st, st->enabled);
    }
}

static bool bit_get(const uint8_t *bm, uint32_t n) {
    return (bm[n / 8u] & (0x80u >> (n % 8u))) != 0;
}

static void bit_set(uint8_t *bm, uint32_t n) {
    bm[n / 8u] = (uint8_t)(bm[n / 8u] | (0x80u >> (n % 8u)));
}

static uint32_t blocks_of(const cosem_image_transfer_def_t *d,
                          const cosem_image_transfer_state_t *st) {
    uint32_t n = cosem_image_block_count(d, st->size);
    return n <= EM_COSEM_IMAGE_MAX_BLOCKS ? n : 0; /* a restored state that does not fit */
}

static bool complete(const cosem_image_transfer_def_t *d, const cosem_image_transfer_state_t *st) {
    return st->size > 0 && st->first_missing >= blocks_of(d, st);
}

static void event(const cosem_server_t *s, const cosem_image_transfer_def_t *d, uint16_t code) {
    if (d->event != NULL) {
        d->event(s->app, code);
    }
}

/* ---- verification and activation
 * ----------------------------------------------------------------- */

/* Reads the image tail from storage and decodes the trailer. */
static int read_trailer(const cosem_server_t *s, const cosem_image_transfer_def_t *d,
                        const cosem_image_transfer_state_t *st, cosem_image_info_t *info) {
    uint8_t tail[COSEM_IMAGE_TAIL_MAX];
    uint32_t n = st->size < COSEM_IMAGE_TAIL_MAX ? st->size : COSEM_IMAGE_TAIL_MAX;
    if (d->storage.read(s->app, st->size - n, tail, n) != 0) {
        memset(info, 0, sizeof(*info));
        return COSEM_ERR_IMAGE_STORAGE;
    }
    return cosem_image_trailer_parse(tail, n, st->size, info);
}

/* Ends a verification: status 3 with the trailer as image_to_activate_info,
 * or status 4. Returns 0 or the reason it failed. */
static int verify_end(const cosem_server_t *s, const cosem_image_transfer_def_t *d,
                      cosem_image_transfer_state_t *st, int rc) {
    cosem_image_info_t info;
    uint8_t digest[EM_SHA256_LEN];
    if (rc == 0) {
        rc = em_crypto_sha256_finish(&st->sha, digest);
    }
    if (rc == 0) {
        rc = read_trailer(s, d, st, &info);
    }
    if (rc == 0 && memcmp(digest, info.digest, EM_SHA256_LEN) != 0) {
        rc = COSEM_ERR_IMAGE_DIGEST;
    }
    st->verify_running = false;
    st->verify_pos = 0;
    memset(&st->sha, 0, sizeof(st->sha));
    if (rc != 0) {
        memset(&st->info, 0, sizeof(st->info));
        st->status = COSEM_IMAGE_VERIFY_FAILED;
        st->activate_pending = false;
        event(s, d, COSEM_IMAGE_EVENT_VERIFY_FAILED);
        return rc;
    }
    st->info = info;
    st->status = COSEM_IMAGE_VERIFY_SUCCESSFUL;
    event(s, d, COSEM_IMAGE_EVENT_READY);
    return 0;
}

/* One verification step: starts it when not running, hashes up to
 * verify_step bytes. 1 while it goes on, else what verify_end() returned. */
static int verify_step(const cosem_server_t *s, const cosem_image_transfer_def_t *d,
                       cosem_image_transfer_state_t *st) {
    if (!st->verify_running) {
        cosem_image_info_t info;
        int rc = read_trailer(s, d, st, &info); /* a malformed image fails at once */
        if (rc == 0) {
            rc = em_crypto_sha256_start(&st->sha);
        }
        st->status = COSEM_IMAGE_VERIFY_INITIATED;
        st->verify_pos = 0;
        st->verify_running = true;
        if (rc != 0) {
            return verify_end(s, d, st, rc);
        }
    }
    uint32_t end = st->size - EM_SHA256_LEN; /* the trailer parsed: size > 48 */
    uint32_t budget = d->verify_step == 0 ? UINT32_MAX : d->verify_step;
    uint8_t chunk[EM_COSEM_IMAGE_CHUNK];
    while (st->verify_pos < end && budget > 0) {
        uint32_t n = end - st->verify_pos;
        n = n < sizeof(chunk) ? n : (uint32_t)sizeof(chunk);
        n = n < budget ? n : budget;
        int rc = d->storage.read(s->app, st->verify_pos, chunk, n) != 0
                     ? COSEM_ERR_IMAGE_STORAGE
                     : em_crypto_sha256_update(&st->sha, chunk, n);
        if (rc != 0) {
            return verify_end(s, d, st, rc);
        }
        st->verify_pos += n;
        budget -= n;
    }
    return st->verify_pos < end ? 1 : verify_end(s, d, st, 0);
}

/* Calls the activation hook for a verified image. 0 or the hook's error. */
static int activate_now(const cosem_server_t *s, const cosem_image_transfer_def_t *d,
                        cosem_image_transfer_state_t *st) {
    st->activate_pending = false;
    st->status = COSEM_IMAGE_ACTIVATE_INITIATED;
    const cosem_image_info_t *i = &st->info;
    if (d->activate(s->app, i->fw_id, i->fw_id_len, i->fw_sig, i->fw_sig_len) != 0) {
        st->status = COSEM_IMAGE_ACTIVATE_FAILED;
        event(s, d, COSEM_IMAGE_EVENT_ACTIVATION_FAILED);
        return COSEM_ERR_IMAGE_ACTIVATE;
    }
    st->status = COSEM_IMAGE_ACTIVATE_SUCCESSFUL;
    event(s, d, COSEM_IMAGE_EVENT_ACTIVATED);
    event(s, d, COSEM_IMAGE_EVENT_SELF_CHECK_OK);
    return 0;
}

/* Action-Result of a verification step's outcome. */
static int step_result(int rc) {
    if (rc == 1) {
        return DLMS_ACTION_TEMPORARY_FAILURE;
    }
    if (rc == COSEM_ERR_IMAGE_STORAGE) {
        return DLMS_ACTION_HARDWARE_FAULT;
    }
    return rc == 0 ? 0 : (int)DLMS_ACTION_OTHER_REASON;
}

int cosem_image_transfer_tick(cosem_server_t *s, const cosem_object_t *obj) {
    if (s == NULL || obj == NULL || obj->cls != &cosem_class_image_transfer) {
        return COSEM_ERR_BADARG;
    }
    const cosem_image_transfer_def_t *d = obj->def;
    cosem_image_transfer_state_t *st = cosem_app_ptr(s, d->state);
    if (st->status != COSEM_IMAGE_VERIFY_INITIATED) {
        return 0;
    }
    if (!complete(d, st)) { /* a restored state that lost blocks */
        st->status = COSEM_IMAGE_INITIATED;
        st->verify_running = false;
        st->activate_pending = false;
        return 1;
    }
    int rc = verify_step(s, d, st);
    if (rc == 1) {
        return 0;
    }
    if (rc == 0 && st->activate_pending) {
        (void)activate_now(s, d, st);
    }
    return 1;
}

/* ---- methods
 * -------------------------------------------------------------------------------------- */

static int do_initiate(const cosem_req_t *r, const cosem_image_transfer_def_t *d,
                       cosem_image_transfer_state_t *st, axdr_dec_t *p) {
    uint32_t n, size;
    const uint8_t *id;
    size_t id_len;
    if (p == NULL || axdr_get_structure(p, &n) != 0 || n != 2 ||
        axdr_get_octet_string(p, &id, &id_len) != 0 || axdr_get_uint32(p, &size) != 0 ||
        !cosem_dec_done(p)) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    if (id_len == 0 || id_len > EM_COSEM_IMAGE_ID_MAX || size == 0 || size > d->max_size) {
        return DLMS_ACTION_OTHER_REASON;
    }
    if (st->status == COSEM_IMAGE_VERIFY_INITIATED ||
        st->status == COSEM_IMAGE_ACTIVATE_INITIATED) {
        return DLMS_ACTION_TEMPORARY_FAILURE;
    }
    /* Resume unless nothing was initiated, the image was activated, or it
     * failed verification (its blocks are known bad: start afresh). */
    bool same = st->status != COSEM_IMAGE_NOT_INITIATED &&
                st->status != COSEM_IMAGE_VERIFY_FAILED &&
                st->status != COSEM_IMAGE_ACTIVATE_SUCCESSFUL && st->size == size &&
                st->id_len == id_len && memcmp(st->id, id, id_len) == 0;
    st->verify_running = false;
    st->verify_pos = 0;
    st->activate_pending = false;
    memset(&st->info, 0, sizeof(st->info));
    if (same) {
        st->status = COSEM_IMAGE_INITIATED; /* resume: blocks kept, verify again */
        return 0;
    }
    st->status = COSEM_IMAGE_NOT_INITIATED;
    st->size = 0;
    st->first_missing = 0;
    memset(st->bitmap, 0, sizeof(st->bitmap));
    memcpy(st->id, id, id_len);
    st->id_len = (uint8_t)id_len;
    if (d->storage.prepare(r->srv->app, size) != 0) {
        st->id_len = 0;
        return DLMS_ACTION_HARDWARE_FAULT;
    }
    st->size = size;
    st->status = COSEM_IMAGE_INITIATED;
    return 0;
}

static int do_block(const cosem_req_t *r, const cosem_image_transfer_def_t *d,
                    cosem_image_transfer_state_t *st, axdr_dec_t *p) {
    uint32_t n, number;
    const uint8_t *data;
    size_t len;
    if (p == NULL || axdr_get_structure(p, &n) != 0 || n != 2 || axdr_get_uint32(p, &number) != 0 ||
        axdr_get_octet_string(p, &data, &len) != 0 || !cosem_dec_done(p)) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    if (st->status == COSEM_IMAGE_VERIFY_INITIATED ||
        st->status == COSEM_IMAGE_ACTIVATE_INITIATED) {
        return DLMS_ACTION_TEMPORARY_FAILURE;
    }
    if (st->status != COSEM_IMAGE_INITIATED && st->status != COSEM_IMAGE_VERIFY_SUCCESSFUL &&
        st->status != COSEM_IMAGE_VERIFY_FAILED) {
        return DLMS_ACTION_OTHER_REASON;
    }
    uint32_t blocks = blocks_of(d, st);
    if (number >= blocks) {
        return DLMS_ACTION_OTHER_REASON;
    }
    uint32_t offset = number * d->block_size;
    uint32_t want = number + 1 < blocks ? d->block_size : st->size - offset;
    if (len != want) {
        return DLMS_ACTION_OTHER_REASON;
    }
    if (d->storage.write(r->srv->app, offset, data, len) != 0) {
        return DLMS_ACTION_HARDWARE_FAULT;
    }
    bit_set(st->bitmap, number);
    while (st->first_missing < blocks && bit_get(st->bitmap, st->first_missing)) {
        st->first_missing++;
    }
    if (st->status != COSEM_IMAGE_INITIATED) { /* the image changed: verify again */
        st->status = COSEM_IMAGE_INITIATED;
        memset(&st->info, 0, sizeof(st->info));
    }
    return 0;
}

static int do_verify(const cosem_req_t *r, const cosem_image_transfer_def_t *d,
                     cosem_image_transfer_state_t *st) {
    switch (st->status) {
    case COSEM_IMAGE_VERIFY_SUCCESSFUL:
    case COSEM_IMAGE_ACTIVATE_SUCCESSFUL:
    case COSEM_IMAGE_ACTIVATE_FAILED:
        return 0; /* the image in storage verified */
    case COSEM_IMAGE_INITIATED:
    case COSEM_IMAGE_VERIFY_INITIATED:
    case COSEM_IMAGE_VERIFY_FAILED:
        if (!complete(d, st)) {
            return DLMS_ACTION_OTHER_REASON;
        }
        return step_result(verify_step(r->srv, d, st));
    default:
        return DLMS_ACTION_OTHER_REASON;
    }
}

static int do_activate(const cosem_req_t *r, const cosem_image_transfer_def_t *d,
                       cosem_image_transfer_state_t *st) {
    switch (st->status) {
    case COSEM_IMAGE_ACTIVATE_SUCCESSFUL:
        return 0;
    case COSEM_IMAGE_VERIFY_SUCCESSFUL:
    case COSEM_IMAGE_ACTIVATE_FAILED:
        return activate_now(r->srv, d, st) == 0 ? 0 : (int)DLMS_ACTION_OTHER_REASON;
    case COSEM_IMAGE_INITIATED:
    case COSEM_IMAGE_VERIFY_INITIATED: {
        if (!complete(d, st)) {
            return DLMS_ACTION_OTHER_REASON;
        }
        int rc = verify_step(r->srv, d, st);
        if (rc == 1) {
            st->activate_pending = true; /* the tick activates when verification ends */
            return DLMS_ACTION_TEMPORARY_FAILURE;
        }
        if (rc != 0) {
            return step_result(rc);
        }
        return activate_now(r->srv, d, st) == 0 ? 0 : (int)DLMS_ACTION_OTHER_REASON;
    }
    default:
        return DLMS_ACTION_OTHER_REASON;
    }
}

static int it_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret, bool *has_ret) {
    (void)ret;
    *has_ret = false;
    const cosem_image_transfer_def_t *d = r->obj->def;
    cosem_image_transfer_state_t *st = cosem_app_ptr(r->srv, d->state);
    if (!st->enabled) {
        return DLMS_ACTION_OBJECT_UNAVAILABLE;
    }
    switch (r->id) {
    case 1:
        return do_initiate(r, d, st, params);
    case 2:
        return do_block(r, d, st, params);
    case 3:
    case 4:
        if (!cosem_param_is_dummy(params)) {
            return DLMS_ACTION_TYPE_UNMATCHED;
        }
        return r->id == 3 ? do_verify(r, d, st) : do_activate(r, d, st);
    default:
        return DLMS_ACTION_OBJECT_UNDEFINED;
    }
}

/* ---- attributes
 * ---------------------------------------------------------------------------------- */

static int it_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_image_transfer_def_t *d = r->obj->def;
    const cosem_image_transfer_state_t *st = cosem_app_ptr(r->srv, d->state);
    bool info =
        st->status == COSEM_IMAGE_VERIFY_SUCCESSFUL || st->status >= COSEM_IMAGE_ACTIVATE_INITIATED;
    switch (r->id) {
    case 2:
        return axdr_put_uint32(e, d->block_size);
    case 3:
        return axdr_put_bit_string(e, st->bitmap, blocks_of(d, st));
    case 4:
        return axdr_put_uint32(e, st->first_missing);
    case 5:
        return axdr_put_boolean(e, st->enabled);
    case 6:
        return axdr_put_enum(e, st->status);
    case 7:
        if (!info || st->info.fw_id_len == 0) {
            return axdr_put_array(e, 0);
        }
        axdr_put_array(e, 1);
        axdr_put_structure(e, 3);
        axdr_put_uint32(e, st->size);
        axdr_put_octet_string(e, st->info.fw_id, st->info.fw_id_len);
        return axdr_put_octet_string(e, st->info.fw_sig, st->info.fw_sig_len);
    default:
        return DLMS_DAR_OBJECT_UNDEFINED;
    }
}

static int it_set(const cosem_req_t *r, axdr_dec_t *value) {
    const cosem_image_transfer_def_t *d = r->obj->def;
    cosem_image_transfer_state_t *st = cosem_app_ptr(r->srv, d->state);
    bool on;
    if (r->id != 5) {
        return DLMS_DAR_READ_WRITE_DENIED;
    }
    if (axdr_get_boolean(value, &on) != 0 || !cosem_dec_done(value)) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    st->enabled = on;
    return 0;
}

static int it_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_image_transfer_def_t *d = obj->def;
    if (d->state > s->app_size || sizeof(cosem_image_transfer_state_t) > s->app_size - d->state) {
        return COSEM_ERR_BINDING;
    }
    if (d->block_size == 0 || d->block_size + BLOCK_OVERHEAD > EM_DLMS_SERVER_MAX_PDU ||
        d->max_size <= COSEM_IMAGE_FOOTER_LEN || d->max_size > EM_COSEM_IMAGE_MAX_SIZE ||
        cosem_image_block_count(d, d->max_size) > EM_COSEM_IMAGE_MAX_BLOCKS ||
        d->storage.prepare == NULL || d->storage.write == NULL || d->storage.read == NULL ||
        d->activate == NULL) {
        return COSEM_ERR_IMAGE_DEF;
    }
    return 0;
}

const cosem_class_t cosem_class_image_transfer = {
    .class_id = COSEM_CLASS_IMAGE_TRANSFER,
    .version = 0,
    .attr_count = 7,
    .method_count = 4,
    .write_mask = COSEM_BIT(5),
    .method_mask = COSEM_BIT(1) | COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4),
    .get = it_get,
    .set = it_set,
    .action = it_action,
    .check = it_check,
};
