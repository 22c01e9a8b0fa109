/*
 * upgrade.c - the firmware commands of the dlms tool (docs/upgrade.md,
 * docs/dlms-cli.md):
 *
 *   upgrade FILE [OBIS]   drives the Image transfer (class 18, Blue Book
 *                         "Image transfer" process) of OBIS (default
 *                         0.0.44.0.0.255): block size, transfer enabled
 *                         (enables it when allowed), initiate, resume from
 *                         image_first_not_transferred_block_number and the
 *                         transferred-blocks bitmap, the missing blocks
 *                         with a progress line, verify, activate (polling
 *                         image_transfer_status while the meter answers
 *                         temporary-failure), then the new active firmware
 *                         identifier 1.0.0.2.0.255.
 *   image-build --id ID [--sig SIG] PAYLOAD OUT
 *                         writes PAYLOAD with the emeter image trailer.
 *   image-info FILE       prints and checks an image's trailer.
 */
#include "upgrade.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cosem/image_transfer.h"
#include "format.h"
#include "image_file.h"
#include "obis_parse.h"

#define CLASS_IMAGE       18u
#define IMAGE_FILE_MAX    (64u * 1024u * 1024u)
#define POLL_INTERVAL_MS  250
#define POLL_TIMEOUT_S    600
#define IMAGE_ID_MAX_TEXT 256

static const uint8_t image_obis_default[6] = {0, 0, 44, 0, 0, 255};
static const uint8_t fw_id_obis[6] = {1, 0, 0, 2, 0, 255};

static const char *const status_names[] = {
    "not initiated",           "transfer initiated",  "verification initiated",
    "verification successful", "verification failed", "activation initiated",
    "activation successful",   "activation failed",
};

static const char *status_name(uint8_t st) {
    return st < sizeof status_names / sizeof status_names[0] ? status_names[st] : "unknown";
}

static int usage(const char *msg) {
    fprintf(stderr, "dlms: %s\n", msg);
    return CLI_EXIT_USAGE;
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void text_of(const uint8_t *p, size_t n, char *out, size_t cap) {
    sbuf_t sb;
    sb_init(&sb);
    bool printable = n > 0;
    for (size_t i = 0; i < n; i++) {
        printable = printable && p[i] >= 0x20 && p[i] < 0x7F;
    }
    if (printable) {
        sb_printf(&sb, "%.*s", (int)n, (const char *)p);
    } else {
        fmt_hex(&sb, p, n);
    }
    snprintf(out, cap, "%s", sb_str(&sb));
    sb_free(&sb);
}

/* ---- requests on the image transfer object ------------------------------------------------ */

typedef struct upgrade {
    session_t s;
    uint8_t obis[6];
    uint32_t block_size;
} upgrade_t;

static int get_value(upgrade_t *u, uint16_t class_id, const uint8_t obis[6], int8_t attr,
                     axdr_value_t *v, uint8_t **raw, const char *what) {
    size_t len = 0;
    dlms_client_result_t res;
    int rc = session_get(&u->s, class_id, obis, attr, raw, &len, &res);
    if (rc != 0) {
        return session_fail(&u->s, rc, &res, what);
    }
    axdr_dec_t d;
    axdr_dec_init(&d, *raw, len);
    if (axdr_get_value(&d, v) != 0 || axdr_dec_remaining(&d) != 0) {
        fprintf(stderr, "dlms: %s: not one A-XDR value\n", what);
        return CLI_EXIT_PROTOCOL;
    }
    return CLI_OK;
}

static int get_number(upgrade_t *u, int8_t attr, uint8_t tag, uint64_t *out, const char *what) {
    axdr_value_t v;
    uint8_t *raw = NULL;
    int rc = get_value(u, CLASS_IMAGE, u->obis, attr, &v, &raw, what);
    if (rc == CLI_OK && v.tag != tag) {
        fprintf(stderr, "dlms: %s: unexpected type %u\n", what, v.tag);
        rc = CLI_EXIT_PROTOCOL;
    }
    if (rc == CLI_OK) {
        *out = v.tag == AXDR_BOOLEAN ? (uint64_t)v.b : v.u;
    }
    free(raw);
    return rc;
}

static int get_status(upgrade_t *u, uint8_t *st) {
    uint64_t v = 0;
    int rc = get_number(u, 6, AXDR_ENUM, &v, "image_transfer_status (attribute 6)");
    *st = (uint8_t)v;
    return rc;
}

/* ACTION on the image transfer object; the raw client result for the
 * caller to judge (temporary-failure is not an error here). */
static int image_action(upgrade_t *u, int8_t method, const uint8_t *p, size_t n,
                        dlms_client_result_t *res) {
    dlms_cosem_descriptor_t d = {CLASS_IMAGE, {0}, method};
    memcpy(d.instance_id, u->obis, 6);
    return session_exchange(&u->s, dlms_client_action(u->s.c, &d, p, n, u->s.out, u->s.buflen),
                            res);
}

static bool temporary(int rc, const dlms_client_result_t *res) {
    return rc == DLMS_CLIENT_ERR_DATA_ACCESS && res->dar == DLMS_ACTION_TEMPORARY_FAILURE;
}

/* ---- the steps
 * ----------------------------------------------------------------------------------- */

static int ensure_enabled(upgrade_t *u) {
    uint64_t on = 0;
    int rc = get_number(u, 5, AXDR_BOOLEAN, &on, "image_transfer_enabled (attribute 5)");
    if (rc != CLI_OK || on) {
        return rc;
    }
    static const uint8_t tru[] = {AXDR_BOOLEAN, 0x01};
    dlms_cosem_descriptor_t d = {CLASS_IMAGE, {0}, 5};
    memcpy(d.instance_id, u->obis, 6);
    dlms_client_result_t res;
    rc = session_exchange(
        &u->s, dlms_client_set(u->s.c, &d, NULL, tru, sizeof tru, u->s.out, u->s.buflen), &res);
    if (rc != 0) {
        return session_fail(&u->s, rc, &res,
                            "image transfer is disabled and enabling it (attribute 5) failed");
    }
    if (u->s.o->verbose > 0) {
        fprintf(stderr, "dlms: image transfer enabled\n");
    }
    return CLI_OK;
}

/* Waits while the meter verifies or activates (status 2 or 5): a previous
 * run may have left a verification going. */
static int wait_idle(upgrade_t *u) {
    time_t deadline = time(NULL) + POLL_TIMEOUT_S;
    for (;;) {
        uint8_t st = 0;
        int rc = get_status(u, &st);
        if (rc != CLI_OK ||
            (st != COSEM_IMAGE_VERIFY_INITIATED && st != COSEM_IMAGE_ACTIVATE_INITIATED)) {
            return rc;
        }
        if (time(NULL) > deadline) {
            fprintf(stderr, "dlms: the meter is still '%s' after %d s\n", status_name(st),
                    POLL_TIMEOUT_S);
            return CLI_EXIT_TRANSPORT;
        }
        sleep_ms(POLL_INTERVAL_MS);
    }
}

static int initiate(upgrade_t *u, const char *id, uint32_t size) {
    uint8_t p[16 + IMAGE_ID_MAX_TEXT];
    axdr_enc_t e;
    axdr_enc_init(&e, p, sizeof p);
    axdr_put_structure(&e, 2);
    axdr_put_octet_string(&e, (const uint8_t *)id, strlen(id));
    axdr_put_uint32(&e, size);
    dlms_client_result_t res;
    int rc = e.err != 0 ? DLMS_CLIENT_ERR_BADARG : image_action(u, 1, p, e.len, &res);
    if (temporary(rc, &res)) { /* busy verifying: wait, then once more */
        int w = wait_idle(u);
        if (w != CLI_OK) {
            return w;
        }
        rc = image_action(u, 1, p, e.len, &res);
    }
    return rc == 0 ? CLI_OK : session_fail(&u->s, rc, &res, "image_transfer_initiate");
}

/* attribute 3 as a copy of its bits. */
static int get_bitmap(upgrade_t *u, uint8_t **bits, uint32_t *nbits) {
    axdr_value_t v;
    uint8_t *raw = NULL;
    *bits = NULL;
    *nbits = 0;
    int rc = get_value(u, CLASS_IMAGE, u->obis, 3, &v, &raw,
                       "image_transferred_blocks_status (attribute 3)");
    if (rc == CLI_OK && v.tag != AXDR_BIT_STRING) {
        fprintf(stderr, "dlms: image_transferred_blocks_status is not a bit-string\n");
        rc = CLI_EXIT_PROTOCOL;
    }
    if (rc == CLI_OK && v.count > 0) {
        size_t n = (v.count + 7u) / 8u;
        *bits = malloc(n);
        if (*bits == NULL) {
            rc = CLI_EXIT_FAILURE;
        } else {
            memcpy(*bits, v.p, n);
            *nbits = v.count;
        }
    }
    free(raw);
    return rc;
}

static void progress(const cli_opts_t *o, uint32_t done, uint32_t total, int *last_decile) {
    if (o->json) {
        return;
    }
    int pct = total == 0 ? 100 : (int)((uint64_t)done * 100u / total);
    if (isatty(STDERR_FILENO)) {
        fprintf(stderr, "\rupgrade: block %u/%u (%d%%)%s", done, total, pct,
                done == total ? "\n" : "");
    } else if (pct / 10 != *last_decile || done == total) {
        fprintf(stderr, "upgrade: block %u/%u (%d%%)\n", done, total, pct);
        *last_decile = pct / 10;
    }
}

typedef struct transfer {
    uint32_t blocks, present, sent;
    bool stopped; /* --max-blocks reached */
} transfer_t;

static int send_blocks(upgrade_t *u, const uint8_t *img, uint32_t size, transfer_t *t) {
    uint64_t first = 0;
    uint8_t *bits = NULL;
    uint32_t nbits = 0;
    int rc = get_number(u, 4, AXDR_DOUBLE_LONG_UNSIGNED, &first,
                        "image_first_not_transferred_block_number (attribute 4)");
    if (rc == CLI_OK) {
        rc = get_bitmap(u, &bits, &nbits);
    }
    if (rc != CLI_OK) {
        return rc;
    }
    t->blocks = image_blocks(size, u->block_size);
    if (nbits != t->blocks) { /* a bitmap of another length tells nothing: trust attribute 4 */
        free(bits);
        bits = NULL;
        nbits = 0;
    }
    for (uint32_t n = 0; n < t->blocks; n++) {
        t->present += !image_block_missing(bits, nbits, (uint32_t)first, n);
    }
    if (t->present > 0 && !u->s.o->json) {
        fprintf(stderr, "upgrade: resuming, %u of %u blocks already on the meter\n", t->present,
                t->blocks);
    }
    uint8_t *p = malloc(u->block_size + 16);
    int decile = -1;
    rc = p == NULL ? CLI_EXIT_FAILURE : CLI_OK;
    for (uint32_t n = 0; rc == CLI_OK && n < t->blocks; n++) {
        if (!image_block_missing(bits, nbits, (uint32_t)first, n)) {
            continue;
        }
        if (u->s.o->max_blocks > 0 && t->sent >= u->s.o->max_blocks) {
            t->stopped = true;
            break;
        }
        uint32_t off = n * u->block_size;
        uint32_t len = size - off < u->block_size ? size - off : u->block_size;
        axdr_enc_t e;
        axdr_enc_init(&e, p, u->block_size + 16);
        axdr_put_structure(&e, 2);
        axdr_put_uint32(&e, n);
        axdr_put_octet_string(&e, img + off, len);
        dlms_client_result_t res;
        int r = image_action(u, 2, p, e.len, &res);
        if (r != 0) {
            char what[64];
            snprintf(what, sizeof what, "image_block_transfer of block %u", n);
            if (!u->s.o->json && isatty(STDERR_FILENO)) {
                fputc('\n', stderr);
            }
            rc = session_fail(&u->s, r, &res, what);
            break;
        }
        t->sent++;
        progress(u->s.o, t->present + t->sent, t->blocks, &decile);
    }
    free(p);
    free(bits);
    return rc;
}

/* Calls method (3 verify, 4 activate); on temporary-failure polls the
 * status until it is `ok` or a failure. */
static int run_and_wait(upgrade_t *u, int8_t method, uint8_t ok, const char *what) {
    static const uint8_t zero[] = {AXDR_INTEGER, 0x00};
    dlms_client_result_t res;
    int rc = image_action(u, method, zero, sizeof zero, &res);
    if (rc != 0 && !temporary(rc, &res)) {
        uint8_t st = 0;
        if (get_status(u, &st) == CLI_OK) {
            fprintf(stderr, "dlms: image_transfer_status: %s\n", status_name(st));
        }
        return session_fail(&u->s, rc, &res, what);
    }
    uint8_t st = 0;
    time_t deadline = time(NULL) + POLL_TIMEOUT_S;
    for (;;) {
        rc = get_status(u, &st);
        if (rc != CLI_OK) {
            return rc;
        }
        if (st == ok || st == COSEM_IMAGE_ACTIVATE_SUCCESSFUL) {
            return CLI_OK;
        }
        if (st != COSEM_IMAGE_VERIFY_INITIATED && st != COSEM_IMAGE_ACTIVATE_INITIATED) {
            fprintf(stderr, "dlms: %s: image_transfer_status %u (%s)\n", what, st, status_name(st));
            return CLI_EXIT_REFUSED;
        }
        if (time(NULL) > deadline) {
            fprintf(stderr, "dlms: %s: still '%s' after %d s\n", what, status_name(st),
                    POLL_TIMEOUT_S);
            return CLI_EXIT_TRANSPORT;
        }
        if (u->s.o->verbose > 0) {
            fprintf(stderr, "dlms: %s: %s, waiting\n", what, status_name(st));
        }
        sleep_ms(POLL_INTERVAL_MS);
    }
}

/* image_to_activate_info after verification: what activation will bring. */
static int print_to_activate(upgrade_t *u) {
    uint8_t *raw = NULL;
    size_t len = 0;
    dlms_client_result_t res;
    int rc = session_get(&u->s, CLASS_IMAGE, u->obis, 7, &raw, &len, &res);
    if (rc != 0) {
        return session_fail(&u->s, rc, &res, "image_to_activate_info (attribute 7)");
    }
    axdr_dec_t d;
    uint32_t n = 0, k = 0, size = 0;
    const uint8_t *id = NULL, *sig = NULL;
    size_t id_len = 0, sig_len = 0;
    axdr_dec_init(&d, raw, len);
    if (axdr_get_array(&d, &n) == 0 && n >= 1 && axdr_get_structure(&d, &k) == 0 && k == 3 &&
        axdr_get_uint32(&d, &size) == 0 && axdr_get_octet_string(&d, &id, &id_len) == 0 &&
        axdr_get_octet_string(&d, &sig, &sig_len) == 0) {
        char a[2 * EM_COSEM_IMAGE_FW_STR_MAX + 8], b[2 * EM_COSEM_IMAGE_FW_STR_MAX + 8];
        text_of(id, id_len, a, sizeof a);
        text_of(sig, sig_len, b, sizeof b);
        fprintf(stderr, "upgrade: image verified: %u bytes, identification %s, signature %s\n",
                size, a, b);
    } else {
        fprintf(stderr, "upgrade: image verified\n");
    }
    free(raw);
    return CLI_OK;
}

static int print_firmware(upgrade_t *u, char *out, size_t cap) {
    axdr_value_t v;
    uint8_t *raw = NULL;
    int rc = get_value(u, 1, fw_id_obis, 2, &v, &raw,
                       "active firmware identifier 1.0.0.2.0.255 (attribute 2)");
    if (rc == CLI_OK) {
        if (v.tag == AXDR_OCTET_STRING || v.tag == AXDR_VISIBLE_STRING ||
            v.tag == AXDR_UTF8_STRING) {
            text_of(v.p, v.len, out, cap);
        } else {
            snprintf(out, cap, "(type %u)", v.tag);
        }
    }
    free(raw);
    return rc;
}

/* ---- commands ------------------------------------------------------------------------------ */

static int load_image(const cli_opts_t *o, uint8_t **img, size_t *len, char *id, size_t idcap) {
    char err[256];
    if (image_file_read(o->args[0], IMAGE_FILE_MAX, img, len, err, sizeof err) != 0) {
        fprintf(stderr, "dlms: %s\n", err);
        return CLI_EXIT_FAILURE;
    }
    cosem_image_info_t info;
    int rc = *len == 0 ? COSEM_ERR_IMAGE_FORMAT : cosem_image_check(*img, *len, &info);
    if (rc != 0 && o->image_id == NULL) {
        fprintf(stderr, "dlms: %s: %s; give --id to send it anyway\n", o->args[0],
                rc == COSEM_ERR_IMAGE_DIGEST ? "image digest does not match (damaged file)"
                                             : "not an emeter image (dlms image-build makes one)");
        return CLI_EXIT_FAILURE;
    }
    if (*len == 0 || *len > UINT32_MAX) {
        fprintf(stderr, "dlms: %s: empty or too large\n", o->args[0]);
        return CLI_EXIT_FAILURE;
    }
    if (o->image_id != NULL) {
        snprintf(id, idcap, "%s", o->image_id);
    } else {
        snprintf(id, idcap, "%.*s", (int)info.fw_id_len, (const char *)info.fw_id);
    }
    return CLI_OK;
}

int cmd_upgrade(const cli_opts_t *o) {
    if (o->nargs < 1 || o->nargs > 2) {
        return usage("usage: dlms [options] upgrade FILE [OBIS] [--id ID] [--max-blocks N]");
    }
    upgrade_t u;
    memset(&u, 0, sizeof u);
    memcpy(u.obis, image_obis_default, 6);
    char err[200];
    if (o->nargs == 2 && obis_parse(o->args[1], u.obis, err, sizeof err) != 0) {
        return usage(err);
    }
    if (o->image_id != NULL && (o->image_id[0] == '\0' || strlen(o->image_id) > 255)) {
        return usage("--id must be 1..255 characters");
    }
    uint8_t *img = NULL;
    size_t len = 0;
    char id[IMAGE_ID_MAX_TEXT];
    int rc = load_image(o, &img, &len, id, sizeof id);
    if (rc != CLI_OK || (rc = cli_open_session(&u.s, o)) != CLI_OK) {
        free(img);
        return rc;
    }
    uint64_t bs = 0;
    transfer_t t = {0};
    uint8_t st = 0;
    char fw[2 * EM_COSEM_IMAGE_FW_STR_MAX + 8] = "";
    rc = get_number(&u, 2, AXDR_DOUBLE_LONG_UNSIGNED, &bs, "image_block_size (attribute 2)");
    if (rc == CLI_OK && (bs == 0 || bs > 65535)) {
        fprintf(stderr, "dlms: image_block_size %llu is not usable\n", (unsigned long long)bs);
        rc = CLI_EXIT_PROTOCOL;
    }
    u.block_size = (uint32_t)bs;
    if (rc == CLI_OK) {
        rc = ensure_enabled(&u);
    }
    if (rc == CLI_OK) {
        rc = initiate(&u, id, (uint32_t)len);
    }
    if (rc == CLI_OK) {
        rc = send_blocks(&u, img, (uint32_t)len, &t);
    }
    if (rc == CLI_OK && t.stopped) {
        if (o->json) {
            sbuf_t sb;
            sb_init(&sb);
            sb_puts(&sb, "{\"image\":");
            fmt_json_string(&sb, id, strlen(id));
            sb_printf(&sb, ",\"blocks\":%u,\"sent\":%u,\"status\":\"stopped\"}", t.blocks, t.sent);
            puts(sb_str(&sb));
            sb_free(&sb);
        } else {
            printf("stopped after %u blocks (%u of %u on the meter); run again to resume\n", t.sent,
                   t.present + t.sent, t.blocks);
        }
        session_close(&u.s);
        free(img);
        return CLI_OK;
    }
    if (rc == CLI_OK) {
        rc = run_and_wait(&u, 3, COSEM_IMAGE_VERIFY_SUCCESSFUL, "image_verify");
    }
    if (rc == CLI_OK && !o->json) {
        rc = print_to_activate(&u);
    }
    if (rc == CLI_OK) {
        rc = run_and_wait(&u, 4, COSEM_IMAGE_ACTIVATE_SUCCESSFUL, "image_activate");
    }
    if (rc == CLI_OK) {
        rc = get_status(&u, &st);
    }
    if (rc == CLI_OK) {
        rc = print_firmware(&u, fw, sizeof fw);
    }
    if (rc == CLI_OK) {
        if (o->json) {
            sbuf_t sb;
            sb_init(&sb);
            sb_puts(&sb, "{\"image\":");
            fmt_json_string(&sb, id, strlen(id));
            sb_printf(&sb, ",\"size\":%zu,\"blocks\":%u,\"sent\":%u,\"status\":\"%s\",", len,
                      t.blocks, t.sent, status_name(st));
            sb_puts(&sb, "\"firmware\":");
            fmt_json_string(&sb, fw, strlen(fw));
            sb_puts(&sb, "}");
            puts(sb_str(&sb));
            sb_free(&sb);
        } else {
            printf("activated: active firmware identifier %s\n", fw);
        }
    }
    session_close(&u.s);
    free(img);
    return rc;
}

int cmd_image_build(const cli_opts_t *o) {
    if (o->nargs != 2 || o->image_id == NULL) {
        return usage("usage: dlms image-build --id ID [--sig SIG] PAYLOAD OUT");
    }
    char err[256];
    uint8_t *payload = NULL, *img = NULL;
    size_t len = 0, img_len = 0;
    if (image_file_read(o->args[0], IMAGE_FILE_MAX, &payload, &len, err, sizeof err) != 0 ||
        image_build(payload, len, o->image_id, o->image_sig, &img, &img_len, err, sizeof err) !=
            0 ||
        image_file_write(o->args[1], img, img_len, err, sizeof err) != 0) {
        fprintf(stderr, "dlms: %s\n", err);
        free(payload);
        free(img);
        return strstr(err, "--id") != NULL ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
    }
    sbuf_t hex;
    sb_init(&hex);
    fmt_hex(&hex, img + img_len - EM_SHA256_LEN, EM_SHA256_LEN);
    if (o->json) {
        sbuf_t sb;
        sb_init(&sb);
        sb_puts(&sb, "{\"file\":");
        fmt_json_string(&sb, o->args[1], strlen(o->args[1]));
        sb_printf(&sb, ",\"size\":%zu,\"payload\":%zu,\"sha256\":\"%s\"}", img_len, len,
                  sb_str(&hex));
        puts(sb_str(&sb));
        sb_free(&sb);
    } else {
        printf("%s: %zu bytes (payload %zu), id %s, sha256 %s\n", o->args[1], img_len, len,
               o->image_id, sb_str(&hex));
    }
    sb_free(&hex);
    free(payload);
    free(img);
    return CLI_OK;
}

int cmd_image_info(const cli_opts_t *o) {
    if (o->nargs != 1) {
        return usage("usage: dlms image-info FILE");
    }
    char err[256], id[2 * EM_COSEM_IMAGE_FW_STR_MAX + 8], sig[2 * EM_COSEM_IMAGE_FW_STR_MAX + 8];
    uint8_t *img = NULL;
    size_t len = 0;
    if (image_file_read(o->args[0], IMAGE_FILE_MAX, &img, &len, err, sizeof err) != 0) {
        fprintf(stderr, "dlms: %s\n", err);
        return CLI_EXIT_FAILURE;
    }
    cosem_image_info_t info;
    int rc = len == 0 ? COSEM_ERR_IMAGE_FORMAT : cosem_image_check(img, len, &info);
    free(img);
    if (rc != 0) {
        fprintf(stderr, "dlms: %s: %s\n", o->args[0], cosem_image_strerror(rc));
        return CLI_EXIT_FAILURE;
    }
    text_of(info.fw_id, info.fw_id_len, id, sizeof id);
    text_of(info.fw_sig, info.fw_sig_len, sig, sizeof sig);
    sbuf_t hex;
    sb_init(&hex);
    fmt_hex(&hex, info.digest, EM_SHA256_LEN);
    if (o->json) {
        sbuf_t sb;
        sb_init(&sb);
        sb_printf(&sb, "{\"size\":%zu,\"payload\":%u,\"id\":", len, info.payload_len);
        fmt_json_string(&sb, id, strlen(id));
        sb_puts(&sb, ",\"sig\":");
        fmt_json_string(&sb, sig, strlen(sig));
        sb_printf(&sb, ",\"sha256\":\"%s\"}", sb_str(&hex));
        puts(sb_str(&sb));
        sb_free(&sb);
    } else {
        printf("size %zu, payload %u, id %s, sig %s, sha256 %s (ok)\n", len, info.payload_len, id,
               sig, sb_str(&hex));
    }
    sb_free(&hex);
    return CLI_OK;
}
