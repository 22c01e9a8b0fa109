/*
 * upgrade.c - firmware upgrade glue of the meter (see upgrade.h and
 * docs/upgrade.md): the Image transfer object's storage in the meter's
 * flash, its activation and event hooks, the image activation script table
 * and schedule, and the REC_IMAGE record (Blue Book "Image transfer";
 * DSMR/SMR 5 P3 firmware upgrade).
 */
#include "meter/upgrade.h"

#include <string.h>

#include "meter/meter.h"
#include "meter/persist.h"

#define APP meter_t

/* Event codes of the standard log (dlms-facts §2.6). */
#define EV_FW_READY     17u /* firmware ready for activation */
#define EV_FW_ACTIVATED 18u /* firmware activated */
#define EV_FW_SELF_TEST 20u /* successful self-check after firmware update */

/* Bytes compared and programmed at a time (a stack buffer); the flash's
 * program unit must divide it. */
#define PROG_CHUNK 64u

#define FORMAT_V1      1u
#define FLAG_ENABLED   0x01u
#define FLAG_PENDING   0x02u
#define FLAG_FW_ACTIVE 0x04u

_Static_assert(METER_UPGRADE_BLOCK_SIZE % PROG_CHUNK == 0, "blocks start on chunk boundaries");
_Static_assert(METER_FW_ID_MAX <= 255, "firmware identifier lengths are uint8_t");

static const uint8_t LN_IMAGE[6] = {0, 0, 44, 0, 0, 255};
static const uint8_t LN_SCRIPTS[6] = {0, 0, 10, 0, 107, 255};

/* ---- time, commits ------------------------------------------------------------ */

/* Inside the meter's step (schedule, verification tick) the step's time,
 * else the RTC. */
static int64_t now_of(const meter_t *m) {
    int64_t utc;
    if (m->in_sched || m->upgrade.in_step || cosem_rtc_now(&m->cosem, &utc) != 0)
        return m->now;
    return utc;
}

/* Durable now (when the meter's flash is mounted): the record journal
 * syncs, so the state is in flash when this returns 0. */
static int commit_now(meter_t *m) {
    if (m->upgrade.persist == NULL)
        return 0;
    return meter_persist_commit(m->upgrade.persist, now_of(m));
}

/* ---- storage: the image region of the meter's flash ---------------------------- */

static int region_check(const meter_t *m, uint32_t offset, size_t len) {
    const meter_upgrade_t *u = &m->upgrade;
    if (u->region_len == 0 || m->port == NULL)
        return METER_UPGRADE_ERR_NO_STORAGE;
    if (offset > u->region_len || len > u->region_len - offset)
        return METER_UPGRADE_ERR_RANGE;
    return 0;
}

/* A new image: the state that counts no block (the class cleared it
 * before calling) is made durable first, then the sectors the image needs
 * are erased. A crash in between leaves "nothing transferred", never a
 * bitmap over erased blocks. */
static int img_prepare(void *app, uint32_t size) {
    meter_t *m = app;
    meter_upgrade_t *u = &m->upgrade;
    int rc = region_check(m, 0, size);
    if (rc != 0)
        return rc;
    rc = commit_now(m);
    if (rc != 0)
        return rc;
    const em_port_t *port = m->port;
    uint32_t ss = port->flash.sector_size;
    uint32_t first = u->region / ss, n = (uint32_t)(((uint64_t)size + ss - 1u) / ss);
    for (uint32_t i = 0; i < n && rc == 0; i++)
        rc = port->flash_erase(port->user, first + i);
    if (rc == 0 && port->flash_sync != NULL)
        rc = port->flash_sync(port->user);
    return rc;
}

/* Reads bytes [at, at + n) of the region, n <= PROG_CHUNK, padded with
 * 0xFF to the program unit. */
static int read_chunk(const meter_t *m, uint32_t at, uint8_t *buf, size_t n, size_t padded) {
    const em_port_t *port = m->port;
    memset(buf, 0xFF, padded);
    return port->flash_read(port->user, m->upgrade.region + at, buf, n);
}

/* NOR flash: programming can only clear bits. A block is written when
 * every byte it holds is erased or already the byte to write (the same
 * block sent again, or programmed partly before a cut); other bytes are
 * refused before anything is programmed. The bytes are synced before the
 * class counts the block. */
static int img_write(void *app, uint32_t offset, const uint8_t *data, size_t len) {
    meter_t *m = app;
    int rc = region_check(m, offset, len);
    if (rc != 0)
        return rc;
    const em_port_t *port = m->port;
    uint32_t pu = port->flash.program_unit;
    if (pu == 0 || pu > PROG_CHUNK || PROG_CHUNK % pu != 0 || offset % pu != 0)
        return METER_UPGRADE_ERR_RANGE;
    uint8_t old[PROG_CHUNK], buf[PROG_CHUNK];
    bool program = false;
    for (size_t done = 0; done < len; done += PROG_CHUNK) {
        size_t n = len - done < PROG_CHUNK ? len - done : PROG_CHUNK;
        rc = read_chunk(m, offset + (uint32_t)done, old, n, n);
        if (rc != 0)
            return rc;
        for (size_t i = 0; i < n; i++) {
            if ((old[i] & data[done + i]) != data[done + i])
                return METER_UPGRADE_ERR_REWRITE;
            program = program || old[i] != data[done + i];
        }
    }
    if (!program)
        return 0; /* the block is there already */
    for (size_t done = 0; done < len; done += PROG_CHUNK) {
        size_t n = len - done < PROG_CHUNK ? len - done : PROG_CHUNK;
        size_t padded = (n + pu - 1u) / pu * pu; /* 0xFF leaves a cell as it is */
        memset(buf, 0xFF, padded);
        memcpy(buf, data + done, n);
        rc = port->flash_program(port->user, m->upgrade.region + offset + (uint32_t)done, buf,
                                 padded);
        if (rc != 0)
            return rc;
    }
    return port->flash_sync != NULL ? port->flash_sync(port->user) : 0;
}

static int img_read(void *app, uint32_t offset, uint8_t *buf, size_t len) {
    meter_t *m = app;
    int rc = region_check(m, offset, len);
    if (rc != 0)
        return rc;
    return m->port->flash_read(m->port->user, m->upgrade.region + offset, buf, len);
}

/* ---- activation and events ---------------------------------------------------- */

/* The new firmware is the active one: its identifier and signature are
 * what 1.0.0.2.0.255 / 1.0.0.2.8.255 show (persisted with REC_IMAGE). On
 * the host nothing else changes: metering goes on. */
static int img_activate(void *app, const uint8_t *id, size_t id_len, const uint8_t *sig,
                        size_t sig_len) {
    meter_t *m = app;
    if (id_len == 0 || id_len > METER_FW_ID_MAX || sig_len > METER_FW_ID_MAX)
        return METER_UPGRADE_ERR_FW_ID;
    memcpy(m->fw_core_id, id, id_len);
    m->fw_core_id_len = (uint8_t)id_len;
    if (sig_len > 0)
        memcpy(m->fw_core_sig, sig, sig_len);
    m->fw_core_sig_len = (uint8_t)sig_len;
    m->upgrade.fw_activated = true;
    return 0;
}

/* Events 17, 18, 20 to the standard log; a failed verification or
 * activation has no DSMR code (attribute 6 says it). Each event is a
 * moment to make the state durable (verification and activation may end
 * in the meter's step, away from any ACTION). */
static void img_event(void *app, uint16_t code) {
    meter_t *m = app;
    if (code == COSEM_IMAGE_EVENT_READY || code == COSEM_IMAGE_EVENT_ACTIVATED ||
        code == COSEM_IMAGE_EVENT_SELF_CHECK_OK)
        (void)meter_event(m, METER_LOG_STANDARD, (uint8_t)code, now_of(m));
    if (code != COSEM_IMAGE_EVENT_ACTIVATED) /* 20 follows 18 at once */
        (void)commit_now(m);
}

_Static_assert(COSEM_IMAGE_EVENT_READY == EV_FW_READY &&
                   COSEM_IMAGE_EVENT_ACTIVATED == EV_FW_ACTIVATED &&
                   COSEM_IMAGE_EVENT_SELF_CHECK_OK == EV_FW_SELF_TEST,
               "the class's event codes are the DSMR codes");

/* ---- definitions ---------------------------------------------------------------- */

const cosem_image_transfer_def_t meter_def_image = {
    .state = COSEM_STATE(cosem_image_transfer_state_t, APP, upgrade.image),
    .block_size = METER_UPGRADE_BLOCK_SIZE,
    .max_size = EM_METER_PERSIST_IMAGE_BYTES,
    .verify_step = METER_UPGRADE_VERIFY_STEP,
    .storage = {img_prepare, img_write, img_read},
    .activate = img_activate,
    .event = img_event,
};
const cosem_single_action_def_t meter_def_image_schedule = {
    COSEM_STATE(cosem_single_action_state_t, APP, upgrade.schedule)};
const cosem_script_table_def_t meter_def_image_scripts = {
    COSEM_STATE(cosem_script_table_state_t, APP, upgrade.scripts), NULL, 0};
const cosem_access_t meter_acc_image = {
    .read = COSEM_ALL,
    .write = COSEM_BIT(5),
    .auth = COSEM_ALL,
    .method = COSEM_BIT(1) | COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4),
    .method_auth = COSEM_BIT(1) | COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4)};

/* ---- init, step ------------------------------------------------------------------ */

void meter_upgrade_init(meter_t *m) {
    meter_upgrade_t *u = &m->upgrade;
    memset(u, 0, sizeof(*u));
    cosem_image_transfer_init(&u->image, false); /* DSMR: disabled at the factory */
    u->obj = cosem_find(&m->cosem, LN_IMAGE);
    /* Image activation schedule: no time until a head-end sets one; it
     * runs script 1 of the image activation script table. */
    cosem_single_action_init(&u->schedule, 1);
    memcpy(u->schedule.script.ln, LN_SCRIPTS, 6);
    u->schedule.script.selector = 1;
    /* Script 1: image_activate (method 4, integer 0) of 0.0.44.0.0.255. */
    u->scripts.count = 1;
    cosem_script_t *s = &u->scripts.scripts[0];
    s->id = 1;
    s->action_count = 1;
    s->actions[0] = (cosem_script_action_t){.service_id = COSEM_SCRIPT_EXECUTE_METHOD,
                                            .index = 4,
                                            .class_id = COSEM_CLASS_IMAGE_TRANSFER,
                                            .param_len = 2,
                                            .param = {AXDR_INTEGER, 0}};
    memcpy(s->actions[0].ln, LN_IMAGE, 6);
}

void meter_upgrade_step(meter_t *m) {
    meter_upgrade_t *u = &m->upgrade;
    if (u->obj == NULL)
        return;
    u->in_step = true;
    (void)cosem_image_transfer_tick(&m->cosem, u->obj);
    u->in_step = false;
}

/* ---- persistence ------------------------------------------------------------------ */

void meter_upgrade_attach(meter_t *m, struct meter_persist *p, uint32_t addr, uint32_t len) {
    m->upgrade.persist = p;
    m->upgrade.region = addr;
    m->upgrade.region_len = len < EM_METER_PERSIST_IMAGE_BYTES ? len : EM_METER_PERSIST_IMAGE_BYTES;
}

static uint32_t bitmap_bytes(uint32_t size) {
    return (cosem_image_block_count(&meter_def_image, size) + 7u) / 8u;
}

/* version, flags, status, id_len, id, size, bitmap (as many bytes as the
 * image has blocks), fw id length, id, fw sig length, sig. */
size_t meter_upgrade_encode(const meter_t *m, uint8_t *b) {
    const meter_upgrade_t *u = &m->upgrade;
    const cosem_image_transfer_state_t *st = &u->image;
    uint8_t *p = b;
    uint32_t bm = bitmap_bytes(st->size);
    bool ok = st->id_len <= EM_COSEM_IMAGE_ID_MAX && bm <= METER_UPGRADE_BITMAP_MAX;
    *p++ = FORMAT_V1;
    *p++ =
        (uint8_t)((st->enabled ? FLAG_ENABLED : 0u) | (st->activate_pending ? FLAG_PENDING : 0u) |
                  (u->fw_activated ? FLAG_FW_ACTIVE : 0u));
    *p++ = ok ? st->status : COSEM_IMAGE_NOT_INITIATED;
    *p++ = ok ? st->id_len : 0u;
    if (ok) {
        memcpy(p, st->id, st->id_len);
        p += st->id_len;
    }
    uint32_t size = ok ? st->size : 0u;
    for (unsigned i = 0; i < 4; i++)
        *p++ = (uint8_t)(size >> (8 * i));
    if (ok) {
        memcpy(p, st->bitmap, bm);
        p += bm;
    }
    uint8_t idl = u->fw_activated ? m->fw_core_id_len : 0u;
    uint8_t sgl = u->fw_activated ? m->fw_core_sig_len : 0u;
    *p++ = idl;
    memcpy(p, m->fw_core_id, idl);
    p += idl;
    *p++ = sgl;
    memcpy(p, m->fw_core_sig, sgl);
    p += sgl;
    return (size_t)(p - b);
}

/* image_to_activate_info of a verified image, read back from its trailer
 * in flash (not stored twice). false when the image there does not parse. */
static bool info_from_flash(meter_t *m) {
    cosem_image_transfer_state_t *st = &m->upgrade.image;
    uint8_t tail[COSEM_IMAGE_TAIL_MAX];
    uint32_t n = st->size < COSEM_IMAGE_TAIL_MAX ? st->size : COSEM_IMAGE_TAIL_MAX;
    return img_read(m, st->size - n, tail, n) == 0 &&
           cosem_image_trailer_parse(tail, n, st->size, &st->info) == 0;
}

size_t meter_upgrade_restore(meter_t *m, const uint8_t *b, int len) {
    meter_upgrade_t *u = &m->upgrade;
    if (b == NULL || len < 8 || b[0] != FORMAT_V1)
        return 0;
    size_t n = (size_t)len, pos = 4;
    cosem_image_transfer_state_t st;
    cosem_image_transfer_init(&st, (b[1] & FLAG_ENABLED) != 0);
    st.activate_pending = (b[1] & FLAG_PENDING) != 0;
    st.status = b[2];
    st.id_len = b[3];
    if (st.id_len > EM_COSEM_IMAGE_ID_MAX || n - pos < st.id_len + 4u)
        return 0;
    memcpy(st.id, b + pos, st.id_len);
    pos += st.id_len;
    for (unsigned i = 0; i < 4; i++)
        st.size |= (uint32_t)b[pos++] << (8 * i);
    uint32_t bm = bitmap_bytes(st.size);
    if (st.size > u->region_len || bm > METER_UPGRADE_BITMAP_MAX || n - pos < bm + 2u)
        return 0;
    memcpy(st.bitmap, b + pos, bm);
    pos += bm;
    uint8_t idl = b[pos++];
    if (idl > METER_FW_ID_MAX || n - pos < idl + 1u)
        return 0;
    const uint8_t *id = b + pos;
    pos += idl;
    uint8_t sgl = b[pos++];
    if (sgl > METER_FW_ID_MAX || n - pos < sgl)
        return 0;
    const uint8_t *sig = b + pos;
    pos += sgl;
    /* the blocks counted, from the bitmap (bits past the last block clear) */
    uint32_t blocks = cosem_image_block_count(&meter_def_image, st.size);
    for (uint32_t k = blocks; k < bm * 8u; k++)
        st.bitmap[k / 8u] &= (uint8_t) ~(0x80u >> (k % 8u));
    while (st.first_missing < blocks &&
           (st.bitmap[st.first_missing / 8u] & (0x80u >> (st.first_missing % 8u))) != 0)
        st.first_missing++;
    cosem_image_transfer_restored(&st);
    u->image = st;
    bool verified =
        st.status == COSEM_IMAGE_VERIFY_SUCCESSFUL || st.status >= COSEM_IMAGE_ACTIVATE_INITIATED;
    if (verified && !info_from_flash(m) && st.status != COSEM_IMAGE_ACTIVATE_SUCCESSFUL)
        u->image.status = COSEM_IMAGE_VERIFY_FAILED; /* the image is not what was verified */
    if ((b[1] & FLAG_FW_ACTIVE) != 0 && idl > 0) {
        memcpy(m->fw_core_id, id, idl);
        m->fw_core_id_len = idl;
        memcpy(m->fw_core_sig, sig, sgl);
        m->fw_core_sig_len = sgl;
        u->fw_activated = true;
    }
    return pos;
}

const char *meter_upgrade_strerror(int err) {
    switch (err) {
    case METER_UPGRADE_ERR_NO_STORAGE:
        return "upgrade: no image storage (the meter's flash is not mounted)";
    case METER_UPGRADE_ERR_RANGE:
        return "upgrade: outside the image region of the flash";
    case METER_UPGRADE_ERR_REWRITE:
        return "upgrade: a block the meter holds was sent again with other bytes";
    case METER_UPGRADE_ERR_FW_ID:
        return "upgrade: firmware identifier or signature longer than the meter shows";
    default:
        return cosem_image_strerror(err);
    }
}
