/*
 * token_gateway.c - interface class Token gateway (class_id 115, version 0;
 * IEC 62056-6-2 / DLMS UA Blue Book, payment metering classes): attributes
 * token, token_time, token_description, token_delivery_method,
 * token_status, and method enter(token). Verifies emeter credit tokens
 * (AES-128-GCM through port.h, format in token_gateway.h), refuses replays
 * and credits the Account through the prepayment engine.
 */
#include <string.h>

#include "cosem/prepayment.h"

#define S cosem_token_gateway_state_t

static const uint8_t TOKEN_AAD[4] = {'E', 'M', 'T', '1'};

static S *state_of(const cosem_server_t *s, const cosem_object_t *obj) {
    if (s == NULL || obj == NULL || obj->cls != &cosem_class_token_gateway) {
        return NULL;
    }
    return cosem_app_ptr(s, ((const cosem_token_gateway_def_t *)obj->def)->state);
}

void cosem_token_gateway_init(cosem_token_gateway_state_t *st, const uint8_t key[16],
                              const uint8_t system_title[8]) {
    memset(st, 0, sizeof(*st));
    memcpy(st->key, key, sizeof(st->key));
    memcpy(st->system_title, system_title, sizeof(st->system_title));
    st->status_code = COSEM_TOKEN_EXECUTION_OK; /* nothing entered: nothing failed */
}

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void make_iv(const uint8_t system_title[8], uint32_t id, uint8_t iv[EM_GCM_IV_LEN]) {
    memcpy(iv, system_title, 8);
    put_be32(iv + 8, id);
}

int cosem_token_build(const uint8_t key[16], const uint8_t system_title[8], uint32_t id,
                      int32_t amount, uint8_t type, uint8_t out[COSEM_TOKEN_LEN]) {
    uint8_t plain[8] = {0}, iv[EM_GCM_IV_LEN];
    put_be32(plain, (uint32_t)amount);
    plain[4] = type;
    make_iv(system_title, id, iv);
    put_be32(out, id);
    int rc = em_crypto_gcm_encrypt(key, iv, TOKEN_AAD, sizeof(TOKEN_AAD), plain, sizeof(plain),
                                   out + 4, out + 12, 12);
    return rc == 0 ? 0 : COSEM_ERR_TOKEN_CRYPTO;
}

/* 0: fresh; else the token_status reason bit. */
static uint8_t replay_check(const S *st, uint32_t id) {
    uint8_t n =
        st->history_count < EM_PREPAY_TOKEN_HISTORY ? st->history_count : EM_PREPAY_TOKEN_HISTORY;
    uint32_t min = UINT32_MAX;
    for (uint8_t i = 0; i < n; i++) {
        if (st->history[i] == id) {
            return COSEM_TOKEN_WHY_REPLAYED;
        }
        min = st->history[i] < min ? st->history[i] : min;
    }
    return n == EM_PREPAY_TOKEN_HISTORY && id < min ? COSEM_TOKEN_WHY_TOO_OLD : 0;
}

static void remember(S *st, uint32_t id) {
    st->history[st->history_pos % EM_PREPAY_TOKEN_HISTORY] = id;
    st->history_pos = (uint8_t)((st->history_pos + 1) % EM_PREPAY_TOKEN_HISTORY);
    if (st->history_count < EM_PREPAY_TOKEN_HISTORY) {
        st->history_count++;
    }
}

static int refuse(cosem_server_t *s, const cosem_object_t *acc, S *st, uint8_t code, uint8_t why,
                  int err) {
    st->status_code = code;
    st->status_bits = why;
    if (acc != NULL) {
        const cosem_account_def_t *d = acc->def;
        if (d->hook != NULL) {
            d->hook(s->app, acc, COSEM_PREPAY_TOKEN_REFUSED, code);
        }
    }
    return err;
}

int cosem_token_gateway_enter(cosem_server_t *s, const cosem_object_t *obj, const uint8_t *token,
                              size_t len, uint8_t method, int64_t utc) {
    S *st = state_of(s, obj);
    if (st == NULL || (token == NULL && len > 0)) {
        return COSEM_ERR_PREPAY_OBJECT;
    }
    const cosem_token_gateway_def_t *d = obj->def;
    const cosem_object_t *acc = cosem_find(s, d->account);
    if (cosem_account_state(s, acc) == NULL) {
        return COSEM_ERR_PREPAY_REFERENCE;
    }
    st->token_len = (uint8_t)(len <= EM_PREPAY_TOKEN_MAX ? len : 0);
    if (st->token_len > 0) {
        memcpy(st->token, token, st->token_len);
    }
    st->token_time = utc;
    st->delivery_method = method <= COSEM_TOKEN_MANUAL ? method : COSEM_TOKEN_REMOTE;
    st->described = false;
    st->status_code = COSEM_TOKEN_RECEIVED;
    st->status_bits = 0;
    if (len != COSEM_TOKEN_LEN) {
        return refuse(s, acc, st, COSEM_TOKEN_FORMAT_FAILURE, 0, COSEM_ERR_TOKEN_FORMAT);
    }
    uint32_t id = get_be32(token);
    uint8_t iv[EM_GCM_IV_LEN], plain[8];
    make_iv(st->system_title, id, iv);
    int rc = em_crypto_gcm_decrypt(st->key, iv, TOKEN_AAD, sizeof(TOKEN_AAD), token + 4, 8, plain,
                                   token + 12, 12);
    if (rc == EM_PORT_ERR_AUTH) {
        return refuse(s, acc, st, COSEM_TOKEN_AUTH_FAILURE, 0, COSEM_ERR_TOKEN_AUTH);
    }
    if (rc != 0) {
        return refuse(s, acc, st, COSEM_TOKEN_EXECUTION_FAILURE, 0, COSEM_ERR_TOKEN_CRYPTO);
    }
    int32_t amount = (int32_t)get_be32(plain);
    uint8_t type = plain[4];
    bool reserved_zero = plain[5] == 0 && plain[6] == 0 && plain[7] == 0;
    memset(plain, 0, sizeof(plain));
    if (type != COSEM_TOKEN_TYPE_CREDIT || !reserved_zero) {
        return refuse(s, acc, st, COSEM_TOKEN_FORMAT_FAILURE, COSEM_TOKEN_WHY_TYPE,
                      COSEM_ERR_TOKEN_FORMAT);
    }
    uint8_t why = replay_check(st, id);
    if (why != 0) {
        return refuse(s, acc, st, COSEM_TOKEN_VALIDATION_FAILURE, why, COSEM_ERR_TOKEN_REPLAYED);
    }
    rc = cosem_prepay_top_up(s, acc, amount, utc);
    switch (rc) {
    case 0:
        break;
    case COSEM_ERR_PREPAY_AMOUNT:
        return refuse(s, acc, st, COSEM_TOKEN_VALIDATION_FAILURE, COSEM_TOKEN_WHY_AMOUNT, rc);
    case COSEM_ERR_PREPAY_INACTIVE:
        return refuse(s, acc, st, COSEM_TOKEN_VALIDATION_FAILURE, COSEM_TOKEN_WHY_INACTIVE, rc);
    case COSEM_ERR_PREPAY_PROVISION:
        return refuse(s, acc, st, COSEM_TOKEN_VALIDATION_FAILURE, COSEM_TOKEN_WHY_PROVISION, rc);
    case COSEM_ERR_PREPAY_OVERFLOW:
        return refuse(s, acc, st, COSEM_TOKEN_EXECUTION_FAILURE, COSEM_TOKEN_WHY_OVERFLOW, rc);
    default:
        return refuse(s, acc, st, COSEM_TOKEN_EXECUTION_FAILURE, COSEM_TOKEN_WHY_NO_CREDIT, rc);
    }
    remember(st, id);
    st->status_code = COSEM_TOKEN_EXECUTION_OK;
    st->described = true;
    st->last_id = id;
    st->last_amount = amount;
    return 0;
}

/* ---- attributes and method -------------------------------------------------------- */

static int gateway_get(const cosem_req_t *r, axdr_enc_t *e) {
    const S *st = state_of(r->srv, r->obj);
    switch (r->id) {
    case 2:
        return axdr_put_octet_string(e, st->token,
                                     st->token_len <= EM_PREPAY_TOKEN_MAX ? st->token_len : 0);
    case 3:
        return cosem_put_instant(r->srv, e, st->token_time);
    case 4: {
        uint8_t id[4], amount[4];
        put_be32(id, st->last_id);
        put_be32(amount, (uint32_t)st->last_amount);
        axdr_put_array(e, st->described ? 2 : 0);
        if (st->described) {
            axdr_put_octet_string(e, id, 4);
            axdr_put_octet_string(e, amount, 4);
        }
        return e->err;
    }
    case 5:
        return axdr_put_enum(e, st->delivery_method);
    default:
        axdr_put_structure(e, 2);
        axdr_put_enum(e, st->status_code);
        cosem_prepay_put_bits(e, st->status_bits, 8);
        return e->err;
    }
}

static int gateway_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret,
                          bool *has_ret) {
    (void)ret;
    *has_ret = false;
    const uint8_t *p;
    size_t n;
    if (params == NULL || axdr_get_octet_string(params, &p, &n) != 0 || !cosem_dec_done(params)) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    int rc = cosem_token_gateway_enter(r->srv, r->obj, p, n, COSEM_TOKEN_REMOTE,
                                       cosem_prepay_now(r->srv));
    return rc == 0 ? 0 : (int)DLMS_ACTION_OTHER_REASON;
}

static int gateway_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_token_gateway_def_t *d = obj->def;
    if (d == NULL || d->state > s->app_size || s->app_size - d->state < sizeof(S)) {
        return COSEM_ERR_BINDING;
    }
    return 0; /* the account is looked up at each token: tables are checked in any order */
}

const cosem_class_t cosem_class_token_gateway = {
    .class_id = COSEM_CLASS_TOKEN_GATEWAY,
    .version = 0,
    .attr_count = 6,
    .method_count = 1,
    .write_mask = 0,
    .method_mask = COSEM_BIT(1),
    .get = gateway_get,
    .action = gateway_action,
    .check = gateway_check,
};
