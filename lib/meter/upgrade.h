/*
 * upgrade.h - firmware upgrade of the meter: the Image transfer object
 * 0.0.44.0.0.255 (class 18, lib/cosem/image_transfer.h; Blue Book "Image
 * transfer", DSMR/SMR 5 P3 firmware upgrade) wired to the meter's flash,
 * its firmware identifiers and its standard event log, with the image
 * activation script table 0.0.10.0.107.255 and the image activation
 * schedule 0.0.15.0.2.255 (dlms-facts §2.5). User guide: docs/upgrade.md.
 *
 *  - The image lives in the meter's flash: the image region of the
 *    persistence layout (persist.h), EM_METER_PERSIST_IMAGE_BYTES, between
 *    the profile rings and the settings journal. A new initiate erases the
 *    sectors the image needs; each block is programmed at number x 512 and
 *    synced before the block counts (NOR: a block sent again with the same
 *    bytes, or after a torn program, is accepted; other bytes over a block
 *    the meter holds are refused: hardware-fault).
 *  - The object's state (status, identifier, size, bitmap), the image
 *    activation schedule and the active firmware identifier and signature
 *    an activation put in force are the record REC_IMAGE of the meter's
 *    record journal, committed after every ACTION on the object (the
 *    notify hook), before the erase of a new initiate and at every event:
 *    image_first_not_transferred_block_number survives a crash at any
 *    instant (a block is durable before the state that counts it).
 *  - Activation (a verified image's trailer) puts its firmware identifier
 *    and signature into 1.0.0.2.0.255 / 1.0.0.2.8.255 (at most
 *    METER_FW_ID_MAX bytes each, else activation fails: status 7); the
 *    metering goes on. Events 17, 18, 20 go to the standard event log.
 *  - Transfer is disabled at the factory (attribute 5 false, as DSMR
 *    meters ship); the management client enables it.
 */
#ifndef EMETER_METER_UPGRADE_H
#define EMETER_METER_UPGRADE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "cosem/image_transfer.h"
#include "emeter_config.h"

struct meter;
struct meter_persist;

/* Errors of the image storage callbacks (-0x0A71..-0x0A7F). */
#define METER_UPGRADE_ERR_NO_STORAGE (-0x0A71) /* no image region (flash not mounted) */
#define METER_UPGRADE_ERR_RANGE      (-0x0A72) /* outside the image region */
#define METER_UPGRADE_ERR_REWRITE    (-0x0A73) /* other bytes over a block already programmed */
#define METER_UPGRADE_ERR_FW_ID      (-0x0A74) /* firmware identifier/signature too long */

/* image_block_size: a block and its ciphered ACTION fit the 1024-byte PDU. */
#define METER_UPGRADE_BLOCK_SIZE 512u
/* Bytes hashed per verification step (per image_verify call or meter
 * step): a 40 KB image verifies in 3 steps, 512 KiB in 32. */
#define METER_UPGRADE_VERIFY_STEP 16384u
/* Bytes of the transferred-blocks bitmap the record keeps. */
#define METER_UPGRADE_BITMAP_MAX                                                                   \
    (((EM_METER_PERSIST_IMAGE_BYTES + METER_UPGRADE_BLOCK_SIZE - 1u) / METER_UPGRADE_BLOCK_SIZE +  \
      7u) /                                                                                        \
     8u)

_Static_assert(EM_METER_PERSIST_IMAGE_BYTES <= EM_COSEM_IMAGE_MAX_SIZE,
               "the image region holds at most the class's largest image");
_Static_assert(METER_UPGRADE_BITMAP_MAX * 8u <= EM_COSEM_IMAGE_MAX_BLOCKS,
               "the bitmap tracks every block of the image region");

/* Everything the upgrade adds to meter_t (one member, `upgrade`). */
typedef struct meter_upgrade {
    cosem_image_transfer_state_t image;   /* 0.0.44.0.0.255 */
    cosem_single_action_state_t schedule; /* 0.0.15.0.2.255, image activation schedule */
    cosem_script_table_state_t scripts;   /* 0.0.10.0.107.255, image activation */
    const cosem_object_t *obj;            /* the Image transfer object of the table, or NULL */
    bool fw_activated;             /* fw_core_id / fw_core_sig come from an activated image */
    bool in_step;                  /* inside meter_upgrade_step: events are stamped m->now */
    uint32_t region;               /* flash address of the image region */
    uint32_t region_len;           /* its bytes (0: no storage until meter_persist_mount) */
    struct meter_persist *persist; /* commits the state before an erase and at events */
} meter_upgrade_t;

/* Factory state, from meter_init: transfer disabled, nothing received, no
 * activation time, script 1 of 0.0.10.0.107.255 = image_activate. */
void meter_upgrade_init(struct meter *m);

/* The meter's step: continues a verification in progress (and the
 * activation asked meanwhile). From meter_step. */
void meter_upgrade_step(struct meter *m);

/* ---- persistence (persist.c, record REC_IMAGE) ---------------------------- */

/* Longest REC_IMAGE record without the schedule (persist.c adds it). */
#define METER_UPGRADE_REC_LEN                                                                      \
    (1u + 1u + 1u + 1u + EM_COSEM_IMAGE_ID_MAX + 4u + METER_UPGRADE_BITMAP_MAX +                   \
     2u * (1u + METER_FW_ID_MAX))

/* Writes the transfer state and the activated firmware identifier to b
 * (METER_UPGRADE_REC_LEN bytes at most); returns the length. */
size_t meter_upgrade_encode(const struct meter *m, uint8_t *b);
/* Reads what meter_upgrade_encode wrote (len <= 0: nothing stored): the
 * state (cosem_image_transfer_restored), the image_to_activate_info read
 * back from the image in flash, the activated firmware identifier. A
 * record that does not decode leaves the factory state. Returns the bytes
 * used (the schedule follows them), or 0. */
size_t meter_upgrade_restore(struct meter *m, const uint8_t *b, int len);
/* The image region of the mounted flash and the persistence that commits
 * the state (from meter_persist_mount, before meter_upgrade_restore). */
void meter_upgrade_attach(struct meter *m, struct meter_persist *p, uint32_t addr, uint32_t len);

const char *meter_upgrade_strerror(int err);

/* ---- table rows ------------------------------------------------------------- */

extern const cosem_image_transfer_def_t meter_def_image;
extern const cosem_single_action_def_t meter_def_image_schedule;
extern const cosem_script_table_def_t meter_def_image_scripts;
/* Image transfer: read all, write attribute 5, methods 1-4, ciphered. */
extern const cosem_access_t meter_acc_image;

/* The rows (objects_esmr.c / objects_omni.c, management client only; METER_OBJ and
 * meter_acc_schedule / meter_acc_script come from objects_metering.h). */
#define METER_UPGRADE_OBJECTS                                                                      \
    METER_OBJ(cosem_class_image_transfer, 0, 0, 44, 0, 0, meter_def_image, meter_acc_image),       \
        METER_OBJ(cosem_class_single_action_schedule, 0, 0, 15, 0, 2, meter_def_image_schedule,    \
                  meter_acc_schedule),                                                             \
        METER_OBJ(cosem_class_script_table, 0, 0, 10, 0, 107, meter_def_image_scripts,             \
                  meter_acc_script)

#endif /* EMETER_METER_UPGRADE_H */
