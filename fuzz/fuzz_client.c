/*
 * fuzz_client.c - hostile server answers into every state of the DLMS client
 * (lib/dlms/client): AARE to a plain or an HLS-5 AARQ, HLS pass 4, GET
 * (reassembled, streamed, with-list), SET and ACTION (also in the middle of
 * their block transfers), RLRE, on plain and ciphered associations.
 *
 * Input: byte 0 picks the state (low 4 bits) and whether the answers are
 * glo-ciphered by the harness with the server's real keys (bit 4), so that
 * the fuzzer reaches the parsing behind the decryption too; then answers
 * as [len_hi len_lo bytes...]*, each handed to dlms_client_handle() for as
 * long as the client asks for more.
 *
 * Invariants (trap on violation): a follow-up request fits the output
 * buffer; a finished GET's value and every with-list result lie inside
 * the input, the decipher buffer or the reassembly buffer and are
 * well-formed A-XDR; the reassembly never exceeds its buffer; a failed
 * association leaves the client idle; a finished operation leaves nothing
 * pending.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dlms/client.h"

#define FZ_OUT_CAP (EM_DLMS_CLIENT_MAX_PDU + 64)

static dlms_client_t fz_client;
static uint8_t fz_out[FZ_OUT_CAP];
static uint8_t fz_in[EM_DLMS_CLIENT_MAX_PDU + 64];
static uint8_t fz_reasm[4096];
static uint8_t fz_big[3000]; /* a SET value / ACTION parameter sent in blocks */

static const uint8_t fz_guek[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t fz_ak[16] = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7,
                                  0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF};
static const uint8_t fz_srv_title[8] = {'M', 'M', 'M', 0, 0, 0xBC, 0x61, 0x4E};

typedef struct fz_server {
    dlms_sec_keys_t keys;
    uint32_t ic;
} fz_server_t;

static size_t fz_stream_bytes;

static int fz_stream(void *user, const uint8_t *p, size_t len, bool last) {
    (void)user;
    (void)last;
    if (len > 0 && p == NULL) {
        __builtin_trap();
    }
    fz_stream_bytes += len;
    return 0;
}

static int fz_protect(fz_server_t *srv, const uint8_t *plain, size_t n, uint8_t *out, size_t cap) {
    dlms_sec_tx_t tx = {&srv->keys, fz_srv_title, DLMS_SEC_SC_AUTH_ENC, srv->ic++, false};
    return dlms_sec_protect(&tx, DLMS_SEC_FORM_SERVICE, plain, n, out, cap);
}

/* The canned AARE that puts the client in the associated (or HLS pending)
 * state. */
static int fz_aare(fz_server_t *srv, bool ciphered, bool hls, uint8_t *out, size_t cap) {
    dlms_initiate_response_t ir = {false, 0, 6, 0x007C1F, 64, 7};
    uint8_t plain[32], ui[64];
    int n = dlms_initiate_response_encode(&ir, plain, sizeof plain);
    if (ciphered) {
        n = fz_protect(srv, plain, (size_t)n, ui, sizeof ui);
    } else {
        memcpy(ui, plain, (size_t)n);
    }
    dlms_aare_t a;
    memset(&a, 0, sizeof a);
    a.context = ciphered ? DLMS_CONTEXT_LN_CIPH : DLMS_CONTEXT_LN;
    a.diagnostic_source = DLMS_ACSE_SOURCE_USER;
    a.diagnostic = hls ? DLMS_ACSE_DIAG_AUTHENTICATION_REQUIRED : 0;
    a.has_responding_ap_title = true;
    memcpy(a.responding_ap_title, fz_srv_title, 8);
    if (hls) {
        a.has_auth_value = true;
        a.auth_value_len = 8;
        memcpy(a.auth_value, "P6wRJ21F", 8);
    }
    a.user_info = ui;
    a.user_info_len = (size_t)n;
    return dlms_aare_encode(&a, out, cap);
}

enum fz_state {
    FZ_AARE_PLAIN,
    FZ_AARE_HLS,
    FZ_HLS_PASS4,
    FZ_GET,
    FZ_GET_STREAM,
    FZ_GET_LIST,
    FZ_SET,
    FZ_SET_BLOCKS,
    FZ_ACTION,
    FZ_ACTION_PBLOCKS,
    FZ_RLRE,
    FZ_STATES,
};

/* Builds the client for a state; returns the length of the request that
 * the fuzzed answers reply to (0: none, the setup failed). */
static int fz_setup(unsigned st, bool ciphered, fz_server_t *srv) {
    dlms_client_settings_t s;
    dlms_client_settings_init(&s);
    memcpy(s.keys.guek, fz_guek, 16);
    memcpy(s.keys.ak, fz_ak, 16);
    memcpy(s.system_title, "MMM\0\0\0\0\1", 8);
    bool hls = st == FZ_AARE_HLS || st == FZ_HLS_PASS4;
    s.mechanism = hls ? DLMS_MECH_GMAC : DLMS_MECH_NONE;
    s.ciphered = ciphered;
    memset(&srv->keys, 0, sizeof srv->keys);
    memcpy(srv->keys.guek, fz_guek, 16);
    memcpy(srv->keys.ak, fz_ak, 16);
    srv->ic = 100;
    if (dlms_client_init(&fz_client, &s) != 0) {
        return 0;
    }
    dlms_client_set_rx_buffer(&fz_client, fz_reasm, sizeof fz_reasm);
    int n = dlms_client_aarq(&fz_client, (const uint8_t *)"K56iVagY", 8, fz_out, sizeof fz_out);
    if (st == FZ_AARE_PLAIN || st == FZ_AARE_HLS) {
        return n;
    }
    dlms_client_result_t res;
    int m = fz_aare(srv, ciphered, hls, fz_in, sizeof fz_in);
    n = dlms_client_handle(&fz_client, fz_in, (size_t)m, fz_out, sizeof fz_out, &res);
    if (st == FZ_HLS_PASS4 || n != 0) {
        return n; /* pass 3 request, or a broken setup */
    }
    const dlms_cosem_descriptor_t attr = {7, {1, 0, 99, 1, 0, 255}, 2};
    const dlms_attr_selection_t items[2] = {{attr, {false, 0, {NULL, 0}}},
                                            {attr, {false, 0, {NULL, 0}}}};
    const uint8_t small[] = {0x11, 0x05};
    fz_big[0] = 0x09;
    fz_big[1] = 0x82;
    fz_big[2] = (uint8_t)((sizeof fz_big - 4) >> 8);
    fz_big[3] = (uint8_t)(sizeof fz_big - 4);
    switch (st) {
    case FZ_GET_STREAM:
        dlms_client_set_rx_stream(&fz_client, fz_stream, NULL);
        /* fall through */
    case FZ_GET:
        return dlms_client_get(&fz_client, &attr, NULL, fz_out, sizeof fz_out);
    case FZ_GET_LIST:
        return dlms_client_get_list(&fz_client, items, 2, fz_out, sizeof fz_out);
    case FZ_SET:
        return dlms_client_set(&fz_client, &attr, NULL, small, sizeof small, fz_out, sizeof fz_out);
    case FZ_SET_BLOCKS:
        return dlms_client_set(&fz_client, &attr, NULL, fz_big, sizeof fz_big, fz_out,
                               sizeof fz_out);
    case FZ_ACTION:
        return dlms_client_action(&fz_client, &attr, NULL, 0, fz_out, sizeof fz_out);
    case FZ_ACTION_PBLOCKS:
        return dlms_client_action(&fz_client, &attr, fz_big, sizeof fz_big, fz_out, sizeof fz_out);
    default:
        return dlms_client_release(&fz_client, fz_out, sizeof fz_out);
    }
}

static bool fz_inside(const uint8_t *p, size_t len, const uint8_t *base, size_t cap) {
    return p >= base && p <= base + cap && len <= (size_t)(base + cap - p);
}

static bool fz_slice_ok(dlms_slice_t s, const uint8_t *in, size_t in_len) {
    if (s.p == NULL) {
        return s.len == 0;
    }
    bool where = fz_inside(s.p, s.len, in, in_len) ||
                 fz_inside(s.p, s.len, fz_client.rx_plain, sizeof fz_client.rx_plain) ||
                 fz_inside(s.p, s.len, fz_reasm, sizeof fz_reasm);
    size_t used = 0;
    return where && axdr_validate(s.p, s.len, &used) == 0 && used == s.len;
}

static void fz_check(int rc, dlms_client_op_t op, const dlms_client_result_t *res,
                     const uint8_t *in, size_t in_len) {
    if (rc > (int)sizeof fz_out || fz_client.rx_len > sizeof fz_reasm) {
        __builtin_trap();
    }
    if (rc > 0) {
        return;
    }
    if (fz_client.op != DLMS_CLIENT_OP_NONE && rc != DLMS_CLIENT_ERR_NO_REQUEST) {
        __builtin_trap(); /* a finished operation leaves nothing pending */
    }
    if (op == DLMS_CLIENT_OP_ASSOCIATE && rc < 0 && fz_client.state != DLMS_CLIENT_IDLE) {
        __builtin_trap();
    }
    if (rc == 0 && !fz_slice_ok(res->data, in, in_len)) {
        __builtin_trap();
    }
    for (uint8_t i = 0; rc == 0 && i < res->count; i++) {
        if (i >= EM_DLMS_MAX_LIST ||
            (res->list[i].is_data && !fz_slice_ok(res->list[i].data, in, in_len))) {
            __builtin_trap();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    unsigned st = (data[0] & 0x0F) % FZ_STATES;
    bool ciphered = (data[0] & 0x10) != 0;
    fz_server_t srv;
    fz_stream_bytes = 0;
    int rc = fz_setup(st, ciphered, &srv);
    size_t pos = 1;
    while (rc > 0 && pos + 2 <= size) {
        size_t len = (size_t)data[pos] << 8 | data[pos + 1];
        pos += 2;
        if (len > size - pos) {
            len = size - pos;
        }
        static uint8_t answer[EM_DLMS_CLIENT_MAX_PDU + 64];
        const uint8_t *in = data + pos;
        size_t in_len = len;
        /* The harness is the server: it may cipher the fuzzed plaintext. */
        bool wrap = ciphered && st != FZ_AARE_PLAIN && st != FZ_AARE_HLS && st != FZ_RLRE;
        if (wrap && len > 0 && len < EM_DLMS_CLIENT_MAX_PDU - 40) {
            int m = fz_protect(&srv, data + pos, len, answer, sizeof answer);
            if (m > 0) {
                in = answer;
                in_len = (size_t)m;
            }
        }
        pos += len;
        dlms_client_op_t op = fz_client.op;
        dlms_client_result_t res;
        rc = dlms_client_handle(&fz_client, in, in_len, fz_out, sizeof fz_out, &res);
        fz_check(rc, op, &res, in, in_len);
    }
    return 0;
}
