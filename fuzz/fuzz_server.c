/*
 * fuzz_server.c - libFuzzer target for the DLMS server (lib/dlms/server*.c):
 * sequences of APDUs into one connection with a small fake object layer,
 * a public (plain) association, an LLS one, a management one (HLS-5,
 * context 3, policy auth+enc) and a pre-established one.
 *
 * Input: byte 0 picks the output capacity (DLMS_SERVER_OUT_MIN + 4 * b),
 * then records  op | len (2 bytes, big-endian, at most 1500) | payload.
 *   op & 0x0F  0  payload as it is, from client SAP (op >> 4) & 3
 *                 (16, 1, 17, 102)
 *              1  payload glo-ciphered (SC 0x30, the harness's counter) to SAP 1
 *              2  payload in general-glo-ciphering to SAP 1
 *              3  payload ded-ciphered (the dedicated key of op 4) to SAP 1
 *              4  a valid HLS-5 AARQ for SAP 1 with a dedicated key; payload
 *                 bytes 0-1: client max PDU, 2-4: conformance
 *              5  a valid HLS pass 3 for the last StoC, glo-ciphered
 *              6  a plain AARQ for SAP 16; payload as in 4
 *              7  time passes (payload bytes 0-3, ms) and the server ticks
 *              8  the transport closes
 *              9  payload cut into GBT blocks of payload[0] + 1 bytes to the
 *                 SAP of op 0, streaming when op bit 6 is set
 *             10  an LLS AARQ for SAP 17, good password when payload[0] is odd
 *             11  a pre-established GET of the profile to SAP 102
 *             12  the last ciphered APDU again (a replay)
 *             13  an HLS pass 3 with a wrong f(StoC)
 *             14  payload glo-ciphered under a wrong key
 *
 * Invariants (trap on violation): no negative return; a response fits the
 * output capacity and, outside AARE/RLRE, the negotiated max PDU of the
 * association it was sent in (ciphering and envelope included); the state
 * stays consistent (status known, an association when not idle, long
 * transfer kind and bookkeeping in range, tx_ic below its reservation).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlms/server.h"

#define REC_MAX 1500

static const uint8_t title_client[8] = {0x4D, 0x4D, 0x4D, 0, 0, 0, 0, 0x01};
static const uint8_t title_server[8] = {0x4D, 0x4D, 0x4D, 0, 0, 0xBC, 0x61, 0x4E};
static const uint8_t ln_register[6] = {1, 0, 1, 8, 0, 255};
static const uint8_t ln_profile[6] = {1, 0, 99, 1, 0, 255};
static const uint8_t ln_big[6] = {0, 0, 128, 1, 0, 255};
static const uint8_t ln_methods[6] = {0, 0, 44, 0, 0, 255};

/* ---- fake object layer ------------------------------------------------------------------ */

typedef struct fake {
    uint32_t reg;
    uint8_t big[600];
    size_t big_len;
} fake_t;

static int get_profile(const dlms_get_call_t *call, axdr_enc_t *e) {
    uint32_t rows = 300;
    if (call->selection->present) {
        dlms_entry_descriptor_t ed;
        if (call->selection->selector != DLMS_ACCESS_SELECTOR_ENTRY ||
            dlms_entry_descriptor_decode(call->selection->parameters.p,
                                         call->selection->parameters.len, &ed) != 0) {
            return DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED;
        }
        rows = ed.to_entry < 300 ? ed.to_entry : 300;
    }
    axdr_put_array(e, rows);
    for (uint32_t r = 0; r < rows && e->err == 0; r++) {
        axdr_put_structure(e, 2);
        axdr_put_uint32(e, r);
        axdr_put_uint16(e, (uint16_t)(r * 3));
    }
    return e->err;
}

static int fake_get(void *user, dlms_get_call_t *call, axdr_enc_t *e) {
    fake_t *f = user;
    const dlms_cosem_descriptor_t *d = call->attr;
    if (d->id != 2) {
        return DLMS_DAR_OBJECT_UNDEFINED;
    }
    if (memcmp(d->instance_id, ln_register, 6) == 0) {
        return axdr_put_uint32(e, f->reg);
    }
    if (memcmp(d->instance_id, ln_profile, 6) == 0) {
        return get_profile(call, e);
    }
    if (memcmp(d->instance_id, ln_big, 6) == 0) {
        return axdr_put_octet_string(e, f->big, f->big_len);
    }
    return DLMS_DAR_OBJECT_UNDEFINED;
}

static int fake_set(void *user, const dlms_assoc_view_t *assoc, const dlms_cosem_descriptor_t *d,
                    const dlms_access_selection_t *sel, axdr_dec_t *value) {
    fake_t *f = user;
    (void)assoc;
    (void)sel;
    if (memcmp(d->instance_id, ln_register, 6) == 0) {
        return axdr_get_uint32(value, &f->reg) == 0 ? 0 : DLMS_DAR_TYPE_UNMATCHED;
    }
    if (memcmp(d->instance_id, ln_big, 6) == 0) {
        const uint8_t *p;
        size_t n;
        if (axdr_get_octet_string(value, &p, &n) != 0 || n > sizeof f->big) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        memcpy(f->big, p, n);
        f->big_len = n;
        return 0;
    }
    return DLMS_DAR_READ_WRITE_DENIED;
}

static int fake_action(void *user, const dlms_assoc_view_t *assoc, const dlms_cosem_descriptor_t *m,
                       axdr_dec_t *params, axdr_enc_t *ret, bool *has_return) {
    (void)user;
    (void)assoc;
    *has_return = false;
    if (memcmp(m->instance_id, ln_methods, 6) != 0) {
        return DLMS_ACTION_OBJECT_UNDEFINED;
    }
    if (m->id == 1 && params != NULL) { /* echo */
        *has_return = true;
        return axdr_put_raw(ret, params->p + params->pos, axdr_dec_remaining(params));
    }
    if (m->id == 2) { /* a long return */
        *has_return = true;
        uint8_t chunk[100];
        memset(chunk, 0x42, sizeof chunk);
        axdr_put_array(ret, 8);
        for (int i = 0; i < 8; i++) {
            axdr_put_octet_string(ret, chunk, sizeof chunk);
        }
        return 0;
    }
    return -1; /* an internal error of the object */
}

/* ---- harness ------------------------------------------------------------------------------ */

typedef struct harness {
    fake_t fake;
    dlms_cosem_services_t services;
    dlms_security_context_t sec;
    dlms_assoc_config_t pub, lls, mgmt, pre;
    dlms_assoc_config_t *assocs[4];
    dlms_server_config_t cfg;
    em_port_t port;
    dlms_server_t server;
    dlms_sec_keys_t client_keys;
    uint32_t client_ic;
    uint8_t stoc[64];
    size_t stoc_len;
    uint8_t last[REC_MAX + 64]; /* the last ciphered APDU sent */
    size_t last_len;
    unsigned auth_failures;
    unsigned events;
    uint64_t now;
    uint8_t out[DLMS_SERVER_OUT_CAP];
    uint8_t scratch[4096];
    size_t cap;
} harness_t;

static harness_t *h;

static int entropy(void *user, uint8_t *buf, size_t len) {
    (void)user;
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(0x50 + i);
    }
    return 0;
}

static int reserve(void *user, dlms_security_context_t *sec, uint32_t bound) {
    (void)user;
    (void)sec;
    return bound % 7 == 3 ? -1 : 0; /* now and then storage fails */
}

static void on_auth_failure(void *user, uint16_t sap, int reason) {
    (void)sap;
    if (reason < DLMS_SERVER_AUTH_LLS || reason > DLMS_SERVER_AUTH_DECIPHER) {
        __builtin_trap();
    }
    ((harness_t *)user)->auth_failures++;
}

static void on_association(void *user, const dlms_assoc_view_t *view, int event) {
    if (view->status != DLMS_ASSOC_ASSOCIATED || event < DLMS_SERVER_EVENT_ASSOCIATED ||
        event > DLMS_SERVER_EVENT_REPLACED) {
        __builtin_trap(); /* only established associations are reported */
    }
    ((harness_t *)user)->events++;
}

static void make_keys(dlms_sec_keys_t *k) {
    memset(k, 0, sizeof *k);
    for (uint8_t i = 0; i < 16; i++) {
        k->guek[i] = i;
        k->ak[i] = (uint8_t)(0xD0 + i);
        k->gbek[i] = (uint8_t)(0x42 + i);
        k->kek[i] = i;
        k->dedicated[i] = (uint8_t)(0x11 * i);
    }
}

static void setup(void) {
    memset(h, 0, sizeof *h);
    h->services = (dlms_cosem_services_t){&h->fake, fake_get, fake_set, fake_action};
    make_keys(&h->sec.keys);
    h->sec.keys.has_dedicated = false;
    memcpy(h->sec.server_system_title, title_server, 8);
    h->sec.security_policy = DLMS_SEC_POLICY_AUTH_ENCRYPTED;
    h->sec.tx_ic = 100;
    h->sec.tx_ic_reserved = 100;
    uint32_t all = 0x00FE1F | DLMS_CONF_GENERAL_BLOCK_TRANSFER;
    h->pub = (dlms_assoc_config_t){.client_sap = 16,
                                   .logical_name = {0, 0, 40, 0, 1, 255},
                                   .app_context = 1,
                                   .mechanism = 0,
                                   .conformance = all,
                                   .max_receive_pdu = 512};
    h->lls = h->pub;
    h->lls.client_sap = 17;
    h->lls.mechanism = 1;
    memcpy(h->lls.lls_secret, "12345678", 8);
    h->lls.lls_secret_len = 8;
    h->lls.conformance = 0x00501F;
    h->mgmt = h->pub;
    h->mgmt.client_sap = 1;
    h->mgmt.logical_name[4] = 3;
    h->mgmt.app_context = 3;
    h->mgmt.mechanism = 5;
    h->mgmt.sec = &h->sec;
    h->mgmt.max_receive_pdu = 1024;
    h->pre = h->pub;
    h->pre.client_sap = 102;
    h->pre.pre_established = true;
    h->pre.max_receive_pdu = 128;
    h->assocs[0] = &h->pub;
    h->assocs[1] = &h->mgmt;
    h->assocs[2] = &h->lls;
    h->assocs[3] = &h->pre;
    h->port.entropy = entropy;
    h->cfg = (dlms_server_config_t){.associations = h->assocs,
                                    .association_count = 4,
                                    .server_sap = 1,
                                    .services = &h->services,
                                    .port = &h->port,
                                    .ic_reserve_step = 5,
                                    .user = h,
                                    .reserve_ic = reserve,
                                    .on_auth_failure = on_auth_failure,
                                    .on_association = on_association};
    make_keys(&h->client_keys);
    h->client_keys.has_dedicated = true;
    h->client_ic = 1;
    if (dlms_server_init(&h->server, &h->cfg, 0) != 0) {
        __builtin_trap();
    }
}

/* ---- invariants --------------------------------------------------------------------------- */

static void check_state(void) {
    const dlms_server_t *s = &h->server;
    uint8_t st = s->view.status;
    if (st > DLMS_ASSOC_ASSOCIATED || (st != DLMS_ASSOC_NON_ASSOCIATED) != (s->assoc != NULL)) {
        __builtin_trap();
    }
    if (st == DLMS_ASSOC_NON_ASSOCIATED &&
        (s->lt.kind != DLMS_SERVER_LONG_NONE || s->has_dedicated_key || s->stoc_len != 0)) {
        __builtin_trap();
    }
    if (s->lt.kind > DLMS_SERVER_LONG_ACTION_TX || s->lt.count > EM_DLMS_MAX_LIST ||
        s->lt.rx.len > sizeof s->block_buf || s->lt.sel_used > sizeof s->lt.sel_buf ||
        s->lt.ret_off + s->lt.ret_len > sizeof s->block_buf) {
        __builtin_trap();
    }
    if (h->sec.tx_ic > h->sec.tx_ic_reserved) {
        __builtin_trap(); /* a counter was used without being reserved */
    }
}

/* One APDU in; the response checked against the PDU in force. */
static int send(uint16_t sap, const uint8_t *apdu, size_t len) {
    bool was = h->server.view.status != DLMS_ASSOC_NON_ASSOCIATED;
    size_t before = h->server.max_send_pdu;
    int n = dlms_server_input(&h->server, sap, 1, apdu, len, h->out, h->cap, h->now);
    if (n < 0 || (size_t)n > h->cap) {
        __builtin_trap();
    }
    bool now_assoc = h->server.view.status != DLMS_ASSOC_NON_ASSOCIATED;
    if (n > 0 && h->out[0] != 0x61 && h->out[0] != 0x63) {
        size_t bound = h->cap;
        if (now_assoc && h->server.max_send_pdu < bound) {
            bound = h->server.max_send_pdu;
        } else if (!now_assoc && was && before < bound) {
            bound = before;
        }
        if ((size_t)n > bound) {
            __builtin_trap();
        }
    }
    if (n > 0 && h->out[0] == 0x61) {
        dlms_aare_t aare;
        if (dlms_aare_decode(h->out, (size_t)n, &aare) != 0) {
            __builtin_trap(); /* the server's own AARE must decode */
        }
        if (aare.has_auth_value) {
            memcpy(h->stoc, aare.auth_value, aare.auth_value_len);
            h->stoc_len = aare.auth_value_len;
        }
    }
    check_state();
    return n;
}

/* ---- the operations ------------------------------------------------------------------------ */

static void send_protected_with(const dlms_sec_keys_t *keys, const uint8_t *p, size_t len,
                                dlms_sec_form_t form, bool dedicated) {
    if (len == 0) {
        return;
    }
    dlms_sec_tx_t tx = {keys, title_client, 0x30, h->client_ic++, dedicated};
    if (form == DLMS_SEC_FORM_SERVICE && dlms_sec_ciphered_tag(p[0], dedicated) < 0) {
        form = DLMS_SEC_FORM_GENERAL;
    }
    int n = dlms_sec_protect(&tx, form, p, len, h->scratch, sizeof h->scratch);
    if (n > 0 && (size_t)n <= sizeof h->last) {
        memcpy(h->last, h->scratch, (size_t)n);
        h->last_len = (size_t)n;
        send(1, h->scratch, (size_t)n);
    }
}

static void send_protected(const uint8_t *p, size_t len, dlms_sec_form_t form, bool dedicated) {
    send_protected_with(&h->client_keys, p, len, form, dedicated);
}

static void send_wrong_key(const uint8_t *p, size_t len) {
    dlms_sec_keys_t k = h->client_keys;
    k.guek[3] ^= 0x40;
    send_protected_with(&k, p, len, DLMS_SEC_FORM_SERVICE, false);
}

static void replay(void) {
    if (h->last_len > 0) {
        memcpy(h->scratch, h->last, h->last_len);
        send(1, h->scratch, h->last_len);
    }
}

static void send_aarq(bool hls, const uint8_t *p, size_t len) {
    uint16_t pdu = len >= 2 ? (uint16_t)((p[0] << 8) | p[1]) : 1024;
    uint32_t conf = len >= 5 ? ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 8) | p[4] : 0x7E1F;
    dlms_initiate_request_t init;
    dlms_initiate_request_init(&init, conf & 0xFFFFFF, pdu);
    dlms_acse_client_t a;
    memset(&a, 0, sizeof a);
    a.initiate = &init;
    dlms_sec_tx_t tx = {&h->client_keys, title_client, 0x30, h->client_ic, false};
    if (hls) {
        init.has_dedicated_key = true;
        memcpy(init.dedicated_key, h->client_keys.dedicated, 16);
        a.mechanism = DLMS_MECH_GMAC;
        a.auth_value = (const uint8_t *)"K56iVagY";
        a.auth_value_len = 8;
        a.system_title = title_client;
        a.tx = &tx;
        h->client_ic++;
    }
    int n = dlms_acse_client_aarq(&a, h->scratch, sizeof h->scratch);
    if (n > 0) {
        send(hls ? 1 : 16, h->scratch, (size_t)n);
    }
}

static void send_pass3(bool good) {
    if (h->stoc_len < 16) {
        return;
    }
    uint8_t f[DLMS_SEC_HLS_REPLY_LEN];
    dlms_sec_tx_t tx = {&h->client_keys, title_client, 0x10, h->client_ic++, false};
    if (dlms_sec_hls_gmac(&tx, h->stoc, h->stoc_len, f) != 0) {
        return;
    }
    if (!good) {
        f[DLMS_SEC_HLS_REPLY_LEN - 1] ^= 1;
    }
    uint8_t apdu[32] = {0xC3, 0x01, 0xC1, 0x00, 0x0F, 0, 0, 40, 0, 0, 255, 0x01, 0x01, 0x09, 0x11};
    memcpy(apdu + 15, f, sizeof f);
    send_protected(apdu, sizeof apdu, DLMS_SEC_FORM_SERVICE, false);
}

static void send_gbt(uint16_t sap, bool streaming, const uint8_t *p, size_t len) {
    if (len < 2) {
        return;
    }
    size_t chunk = (size_t)p[0] + 1;
    p++;
    len--;
    uint16_t bn = 1;
    for (size_t off = 0; off < len; off += chunk, bn++) {
        size_t k = len - off < chunk ? len - off : chunk;
        bool last = off + k == len;
        dlms_gbt_t g = {last, streaming && !last, 4, bn, 0, {p + off, k}};
        int n = dlms_gbt_encode(&g, h->scratch, sizeof h->scratch);
        if (n > 0) {
            send(sap, h->scratch, (size_t)n);
        }
    }
}

static void lls_aarq(bool good) {
    dlms_initiate_request_t init;
    dlms_initiate_request_init(&init, 0x7E1F, 256);
    dlms_acse_client_t a;
    memset(&a, 0, sizeof a);
    a.mechanism = DLMS_MECH_LLS;
    a.auth_value = (const uint8_t *)(good ? "12345678" : "12345670");
    a.auth_value_len = 8;
    a.initiate = &init;
    int n = dlms_acse_client_aarq(&a, h->scratch, sizeof h->scratch);
    if (n > 0) {
        send(17, h->scratch, (size_t)n);
    }
}

static void pre_get(void) {
    uint8_t apdu[] = {0xC0, 0x01, 0xC1, 0x00, 0x07, 1, 0, 99, 1, 0, 255, 0x02, 0x00};
    send(102, apdu, sizeof apdu);
}

static const uint16_t saps[4] = {16, 1, 17, 102};

static void run_op(uint8_t op, const uint8_t *p, size_t len) {
    switch (op & 0x0F) {
    case 0:
        send(saps[(op >> 4) & 3], p, len);
        break;
    case 1:
        send_protected(p, len, DLMS_SEC_FORM_SERVICE, false);
        break;
    case 2:
        send_protected(p, len, DLMS_SEC_FORM_GENERAL, false);
        break;
    case 3:
        send_protected(p, len, DLMS_SEC_FORM_SERVICE, true);
        break;
    case 4:
        send_aarq(true, p, len);
        break;
    case 5:
        send_pass3(true);
        break;
    case 6:
        send_aarq(false, p, len);
        break;
    case 7:
        h->now += len >= 4 ? ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | p[2] << 8 | p[3]) : 1;
        dlms_server_tick(&h->server, h->now);
        check_state();
        break;
    case 8:
        dlms_server_transport_closed(&h->server);
        check_state();
        break;
    case 9:
        send_gbt(saps[(op >> 4) & 3], (op & 0x40) != 0, p, len);
        break;
    case 10:
        lls_aarq(len > 0 && (p[0] & 1));
        break;
    case 11:
        pre_get();
        break;
    case 12:
        replay();
        break;
    case 13:
        send_pass3(false);
        break;
    default:
        send_wrong_key(p, len);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (h == NULL) {
        h = calloc(1, sizeof *h);
    }
    if (size < 1) {
        return 0;
    }
    setup();
    h->cap = DLMS_SERVER_OUT_MIN + 4u * data[0];
    if (h->cap > sizeof h->out) {
        h->cap = sizeof h->out;
    }
    size_t pos = 1;
    while (pos + 3 <= size) {
        uint8_t op = data[pos];
        size_t len = ((size_t)data[pos + 1] << 8) | data[pos + 2];
        pos += 3;
        if (len > REC_MAX || len > size - pos) {
            len = size - pos;
        }
        run_op(op, data + pos, len);
        pos += len;
    }
    return 0;
}
