/*
 * xdlms.c - xDLMS InitiateRequest / InitiateResponse, conformance block and
 * confirmedServiceError (Green Book "xDLMS services", A-XDR encoding), and
 * the server's negotiation of the xDLMS context. See xdlms.h for layouts.
 */
#include "dlms/xdlms.h"

#include <string.h>

/* [APPLICATION 31] IMPLICIT BIT STRING (SIZE(24)): tag 5F 1F, length 4, no
 * unused bits. */
static const uint8_t conformance_header[4] = {0x5F, 0x1F, 0x04, 0x00};

#if EM_XDLMS_MIN_PDU_SIZE > 0xFFFF
#error "EM_XDLMS_MIN_PDU_SIZE must fit a uint16 max PDU size"
#endif

/* ---- byte cursor over a bounded slice ------------------------------------ */

typedef struct rd {
    const uint8_t *p;
    size_t len;
    size_t pos;
} rd_t;

static int rd_u8(rd_t *r, uint8_t *v) {
    if (r->pos >= r->len) {
        return DLMS_APDU_ERR_XDLMS_TRUNCATED;
    }
    *v = r->p[r->pos++];
    return 0;
}

static int rd_u16(rd_t *r, uint16_t *v) {
    if (r->len - r->pos < 2) {
        return DLMS_APDU_ERR_XDLMS_TRUNCATED;
    }
    *v = (uint16_t)((r->p[r->pos] << 8) | r->p[r->pos + 1]);
    r->pos += 2;
    return 0;
}

/* A-XDR OPTIONAL / DEFAULT presence flag: 00 absent, 01 present. */
static int rd_flag(rd_t *r, bool *present) {
    uint8_t f;
    int rc = rd_u8(r, &f);
    if (rc != 0) {
        return rc;
    }
    if (f > 1) {
        return DLMS_APDU_ERR_XDLMS_FLAG;
    }
    *present = f == 1;
    return 0;
}

/* Optional Integer8 (quality of service). */
static int rd_opt_int8(rd_t *r, bool *present, int8_t *v) {
    int rc = rd_flag(r, present);
    uint8_t b = 0;
    if (rc == 0 && *present) {
        rc = rd_u8(r, &b);
    }
    *v = (int8_t)b;
    return rc;
}

static int rd_conformance(rd_t *r, uint32_t *conf) {
    if (r->len - r->pos < sizeof conformance_header + 3) {
        return DLMS_APDU_ERR_XDLMS_TRUNCATED;
    }
    const uint8_t *c = r->p + r->pos;
    if (memcmp(c, conformance_header, sizeof conformance_header) != 0) {
        return DLMS_APDU_ERR_XDLMS_CONFORMANCE;
    }
    *conf = ((uint32_t)c[4] << 16) | ((uint32_t)c[5] << 8) | c[6];
    r->pos += sizeof conformance_header + 3;
    return 0;
}

static int rd_tag(rd_t *r, uint8_t tag) {
    uint8_t t;
    int rc = rd_u8(r, &t);
    if (rc == 0 && t != tag) {
        rc = DLMS_APDU_ERR_XDLMS_TAG;
    }
    return rc;
}

static int rd_end(const rd_t *r) {
    return r->pos == r->len ? 0 : DLMS_APDU_ERR_XDLMS_TRAILING;
}

/* ---- writer -------------------------------------------------------------- */

typedef struct wr {
    uint8_t *p;
    size_t cap;
    size_t pos;
    bool overflow;
} wr_t;

static void wr_u8(wr_t *w, uint8_t v) {
    if (w->pos < w->cap) {
        w->p[w->pos] = v;
    } else {
        w->overflow = true;
    }
    w->pos++;
}

static void wr_u16(wr_t *w, uint16_t v) {
    wr_u8(w, (uint8_t)(v >> 8));
    wr_u8(w, (uint8_t)v);
}

static void wr_opt_int8(wr_t *w, bool present, int8_t v) {
    wr_u8(w, present ? 1 : 0);
    if (present) {
        wr_u8(w, (uint8_t)v);
    }
}

static void wr_conformance(wr_t *w, uint32_t conf) {
    for (size_t i = 0; i < sizeof conformance_header; i++) {
        wr_u8(w, conformance_header[i]);
    }
    wr_u8(w, (uint8_t)(conf >> 16));
    wr_u8(w, (uint8_t)(conf >> 8));
    wr_u8(w, (uint8_t)conf);
}

static int wr_finish(const wr_t *w) {
    if (w->overflow) {
        memset(w->p, 0, w->cap);
        return DLMS_APDU_ERR_XDLMS_BUFFER;
    }
    return (int)w->pos;
}

/* ---- conformance names ---------------------------------------------------- */

static const char *const conformance_names[DLMS_CONF_BITS] = {
    "reserved-zero",
    "general-protection",
    "general-block-transfer",
    "read",
    "write",
    "unconfirmed-write",
    "delta-value-encoding",
    "reserved-seven",
    "attribute0-supported-with-set",
    "priority-mgmt-supported",
    "attribute0-supported-with-get",
    "block-transfer-with-get-or-read",
    "block-transfer-with-set-or-write",
    "block-transfer-with-action",
    "multiple-references",
    "information-report",
    "data-notification",
    "access",
    "parameterized-access",
    "get",
    "set",
    "selective-access",
    "event-notification",
    "action",
};

uint32_t dlms_conformance_bit_mask(unsigned bit) {
    return bit < DLMS_CONF_BITS ? (0x800000u >> bit) : 0;
}

const char *dlms_conformance_bit_name(unsigned bit) {
    return bit < DLMS_CONF_BITS ? conformance_names[bit] : NULL;
}

/* Appends s to out[*len..cap), keeping room for the NUL. */
static bool append(char *out, size_t cap, size_t *len, const char *s) {
    size_t n = strlen(s);
    if (cap - *len <= n) {
        return false;
    }
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = '\0';
    return true;
}

int dlms_conformance_describe(uint32_t conf, char *out, size_t cap) {
    if (out == NULL || cap == 0) {
        return DLMS_APDU_ERR_XDLMS_BADARG;
    }
    size_t len = 0;
    out[0] = '\0';
    for (unsigned bit = 0; bit < DLMS_CONF_BITS; bit++) {
        if ((conf & dlms_conformance_bit_mask(bit)) == 0) {
            continue;
        }
        if ((len > 0 && !append(out, cap, &len, ", ")) ||
            !append(out, cap, &len, conformance_names[bit])) {
            out[0] = '\0';
            return DLMS_APDU_ERR_XDLMS_BUFFER;
        }
    }
    return (int)len;
}

/* ---- confirmedServiceError ------------------------------------------------ */

const char *dlms_initiate_error_name(unsigned value) {
    static const char *const names[] = {
        "other",
        "dlms-version-too-low",
        "incompatible-conformance",
        "pdu-size-too-short",
        "refused-by-the-VDE-Handler",
    };
    return value < sizeof names / sizeof names[0] ? names[value] : "unknown";
}

int dlms_confirmed_service_error_encode(const dlms_confirmed_service_error_t *e, uint8_t *out,
                                        size_t cap) {
    if (e == NULL || out == NULL) {
        return DLMS_APDU_ERR_XDLMS_BADARG;
    }
    wr_t w = {out, cap, 0, false};
    wr_u8(&w, DLMS_XDLMS_TAG_CONFIRMED_SERVICE_ERROR);
    wr_u8(&w, e->service);
    wr_u8(&w, e->error_choice);
    wr_u8(&w, e->value);
    return wr_finish(&w);
}

int dlms_initiate_error_encode(uint8_t initiate_error, uint8_t *out, size_t cap) {
    dlms_confirmed_service_error_t e = {DLMS_CSE_INITIATE_ERROR, DLMS_SERVICE_ERROR_INITIATE,
                                        initiate_error};
    return dlms_confirmed_service_error_encode(&e, out, cap);
}

int dlms_confirmed_service_error_decode(const uint8_t *in, size_t len,
                                        dlms_confirmed_service_error_t *e) {
    if (e == NULL) {
        return DLMS_APDU_ERR_XDLMS_BADARG;
    }
    memset(e, 0, sizeof *e);
    if (in == NULL) {
        return DLMS_APDU_ERR_XDLMS_BADARG;
    }
    rd_t r = {in, len, 0};
    dlms_confirmed_service_error_t v;
    int rc = rd_tag(&r, DLMS_XDLMS_TAG_CONFIRMED_SERVICE_ERROR);
    if (rc == 0) {
        rc = rd_u8(&r, &v.service);
    }
    if (rc == 0) {
        rc = rd_u8(&r, &v.error_choice);
    }
    if (rc == 0) {
        rc = rd_u8(&r, &v.value);
    }
    if (rc == 0) {
        rc = rd_end(&r);
    }
    if (rc == 0) {
        *e = v;
    }
    return rc;
}

/* ---- InitiateRequest ------------------------------------------------------ */

void dlms_initiate_request_init(dlms_initiate_request_t *req, uint32_t conformance,
                                uint16_t client_max_receive_pdu_size) {
    if (req == NULL) {
        return;
    }
    memset(req, 0, sizeof *req);
    req->response_allowed = true;
    req->dlms_version = DLMS_XDLMS_VERSION;
    req->conformance = conformance;
    req->client_max_receive_pdu_size = client_max_receive_pdu_size;
}

int dlms_initiate_request_encode(const dlms_initiate_request_t *req, uint8_t *out, size_t cap) {
    if (req == NULL || out == NULL || (req->conformance & ~DLMS_CONF_MASK) != 0) {
        return DLMS_APDU_ERR_XDLMS_BADARG;
    }
    wr_t w = {out, cap, 0, false};
    wr_u8(&w, DLMS_XDLMS_TAG_INITIATE_REQUEST);
    wr_u8(&w, req->has_dedicated_key ? 1 : 0);
    if (req->has_dedicated_key) {
        wr_u8(&w, DLMS_SEC_KEY_LEN);
        for (size_t i = 0; i < DLMS_SEC_KEY_LEN; i++) {
            wr_u8(&w, req->dedicated_key[i]);
        }
    }
    /* DEFAULT TRUE: only a FALSE is written out. */
    wr_u8(&w, req->response_allowed ? 0 : 1);
    if (!req->response_allowed) {
        wr_u8(&w, 0);
    }
    wr_opt_int8(&w, req->has_quality_of_service, req->quality_of_service);
    wr_u8(&w, req->dlms_version);
    wr_conformance(&w, req->conformance);
    wr_u16(&w, req->client_max_receive_pdu_size);
    return wr_finish(&w);
}

static int rd_dedicated_key(rd_t *r, dlms_initiate_request_t *req) {
    int rc = rd_flag(r, &req->has_dedicated_key);
    if (rc != 0 || !req->has_dedicated_key) {
        return rc;
    }
    uint8_t klen;
    rc = rd_u8(r, &klen);
    if (rc != 0) {
        return rc;
    }
    /* Suite 0 keys are AES-128; anything else cannot be used. */
    if (klen != DLMS_SEC_KEY_LEN) {
        return DLMS_APDU_ERR_XDLMS_KEY;
    }
    if (r->len - r->pos < DLMS_SEC_KEY_LEN) {
        return DLMS_APDU_ERR_XDLMS_TRUNCATED;
    }
    memcpy(req->dedicated_key, r->p + r->pos, DLMS_SEC_KEY_LEN);
    r->pos += DLMS_SEC_KEY_LEN;
    return 0;
}

static int rd_response_allowed(rd_t *r, bool *allowed) {
    bool present;
    int rc = rd_flag(r, &present);
    uint8_t v = 1;
    if (rc == 0 && present) {
        rc = rd_u8(r, &v);
    }
    *allowed = v != 0; /* A-XDR BOOLEAN: any non-zero byte is TRUE */
    return rc;
}

static int initiate_request_fields(rd_t *r, dlms_initiate_request_t *req) {
    int rc = rd_tag(r, DLMS_XDLMS_TAG_INITIATE_REQUEST);
    if (rc == 0) {
        rc = rd_dedicated_key(r, req);
    }
    if (rc == 0) {
        rc = rd_response_allowed(r, &req->response_allowed);
    }
    if (rc == 0) {
        rc = rd_opt_int8(r, &req->has_quality_of_service, &req->quality_of_service);
    }
    if (rc == 0) {
        rc = rd_u8(r, &req->dlms_version);
    }
    if (rc == 0) {
        rc = rd_conformance(r, &req->conformance);
    }
    if (rc == 0) {
        rc = rd_u16(r, &req->client_max_receive_pdu_size);
    }
    if (rc == 0) {
        rc = rd_end(r);
    }
    return rc;
}

int dlms_initiate_request_decode(const uint8_t *in, size_t len, dlms_initiate_request_t *req) {
    if (req == NULL) {
        return DLMS_APDU_ERR_XDLMS_BADARG;
    }
    memset(req, 0, sizeof *req);
    if (in == NULL) {
        return DLMS_APDU_ERR_XDLMS_BADARG;
    }
    rd_t r = {in, len, 0};
    int rc = initiate_request_fields(&r, req);
    if (rc != 0) {
        memset(req, 0, sizeof *req); /* never leave half a key behind */
    }
    return rc;
}

/* ---- InitiateResponse ----------------------------------------------------- */

int dlms_initiate_response_encode(const dlms_initiate_response_t *resp, uint8_t *out, size_t cap) {
    if (resp == NULL || out == NULL || (resp->conformance & ~DLMS_CONF_MASK) != 0) {
        return DLMS_APDU_ERR_XDLMS_BADARG;
    }
    wr_t w = {out, cap, 0, false};
    wr_u8(&w, DLMS_XDLMS_TAG_INITIATE_RESPONSE);
    wr_opt_int8(&w, resp->has_quality_of_service, resp->quality_of_service);
    wr_u8(&w, resp->dlms_version);
    wr_conformance(&w, resp->conformance);
    wr_u16(&w, resp->server_max_receive_pdu_size);
    wr_u16(&w, resp->vaa_name);
    return wr_finish(&w);
}

static int initiate_response_fields(rd_t *r, dlms_initiate_response_t *resp) {
    int rc = rd_tag(r, DLMS_XDLMS_TAG_INITIATE_RESPONSE);
    if (rc == 0) {
        rc = rd_opt_int8(r, &resp->has_quality_of_service, &resp->quality_of_service);
    }
    if (rc == 0) {
        rc = rd_u8(r, &resp->dlms_version);
    }
    if (rc == 0) {
        rc = rd_conformance(r, &resp->conformance);
    }
    if (rc == 0) {
        rc = rd_u16(r, &resp->server_max_receive_pdu_size);
    }
    if (rc == 0) {
        rc = rd_u16(r, &resp->vaa_name);
    }
    if (rc == 0) {
        rc = rd_end(r);
    }
    return rc;
}

int dlms_initiate_response_decode(const uint8_t *in, size_t len, dlms_initiate_response_t *resp) {
    if (resp == NULL) {
        return DLMS_APDU_ERR_XDLMS_BADARG;
    }
    memset(resp, 0, sizeof *resp);
    if (in == NULL) {
        return DLMS_APDU_ERR_XDLMS_BADARG;
    }
    rd_t r = {in, len, 0};
    int rc = initiate_response_fields(&r, resp);
    if (rc != 0) {
        memset(resp, 0, sizeof *resp);
    }
    return rc;
}

/* ---- server negotiation --------------------------------------------------- */

/* The configured minimum, never inside the reserved range 1..11. */
static uint16_t min_client_pdu(const dlms_xdlms_server_cfg_t *cfg) {
    uint16_t min = cfg->min_client_pdu != 0 ? cfg->min_client_pdu : EM_XDLMS_MIN_PDU_SIZE;
    return min < DLMS_XDLMS_PDU_RESERVED_BELOW ? DLMS_XDLMS_PDU_RESERVED_BELOW : min;
}

static uint8_t negotiate_error(const dlms_initiate_request_t *req,
                               const dlms_xdlms_server_cfg_t *cfg, uint16_t client_pdu,
                               uint32_t conf) {
    if (req->dlms_version < DLMS_XDLMS_VERSION) {
        return DLMS_INITIATE_ERROR_DLMS_VERSION_TOO_LOW;
    }
    if (client_pdu < min_client_pdu(cfg)) {
        return DLMS_INITIATE_ERROR_PDU_SIZE_TOO_SHORT;
    }
    if (conf == 0) {
        return DLMS_INITIATE_ERROR_INCOMPATIBLE_CONFORMANCE;
    }
    return 0;
}

int dlms_xdlms_negotiate(const dlms_initiate_request_t *req, const dlms_xdlms_server_cfg_t *cfg,
                         dlms_xdlms_negotiated_t *out) {
    if (out == NULL) {
        return DLMS_APDU_ERR_XDLMS_BADARG;
    }
    memset(out, 0, sizeof *out);
    if (req == NULL || cfg == NULL || cfg->max_pdu_size < DLMS_XDLMS_PDU_RESERVED_BELOW) {
        return DLMS_APDU_ERR_XDLMS_BADARG;
    }
    uint16_t client_pdu = req->client_max_receive_pdu_size == 0 ? DLMS_XDLMS_PDU_UNLIMITED
                                                                : req->client_max_receive_pdu_size;
    uint32_t conf = req->conformance & cfg->conformance & DLMS_CONF_MASK & ~DLMS_CONF_RESERVED;
    out->client_max_receive_pdu = client_pdu;
    out->initiate_error = negotiate_error(req, cfg, client_pdu, conf);
    if (out->initiate_error != 0) {
        return DLMS_APDU_ERR_XDLMS_REFUSED;
    }
    /* A client proposing a newer version gets ours: 6 is all we speak. */
    out->response.dlms_version = DLMS_XDLMS_VERSION;
    out->response.conformance = conf;
    out->response.server_max_receive_pdu_size = cfg->max_pdu_size;
    out->response.vaa_name = DLMS_XDLMS_VAA_NAME_LN;
    out->max_send_pdu = client_pdu < cfg->max_pdu_size ? client_pdu : cfg->max_pdu_size;
    return 0;
}

int dlms_xdlms_answer(const dlms_xdlms_negotiated_t *neg, const dlms_sec_tx_t *tx, uint8_t *out,
                      size_t cap) {
    if (neg == NULL || out == NULL) {
        return DLMS_APDU_ERR_XDLMS_BADARG;
    }
    if (neg->initiate_error != 0) {
        /* Sent in clear: there is no glo- form of confirmedServiceError. */
        return dlms_initiate_error_encode(neg->initiate_error, out, cap);
    }
    if (tx == NULL) {
        return dlms_initiate_response_encode(&neg->response, out, cap);
    }
    uint8_t plain[DLMS_XDLMS_INITIATE_RESPONSE_MAX];
    int n = dlms_initiate_response_encode(&neg->response, plain, sizeof plain);
    if (n < 0) {
        return n;
    }
    return dlms_sec_protect(tx, DLMS_SEC_FORM_SERVICE, plain, (size_t)n, out, cap);
}

const char *dlms_xdlms_strerror(int err) {
    switch (err) {
    case 0:
        return "success";
    case DLMS_APDU_ERR_XDLMS_BADARG:
        return "xDLMS: invalid argument";
    case DLMS_APDU_ERR_XDLMS_TRUNCATED:
        return "xDLMS: APDU truncated";
    case DLMS_APDU_ERR_XDLMS_TAG:
        return "xDLMS: unexpected APDU tag";
    case DLMS_APDU_ERR_XDLMS_FLAG:
        return "xDLMS: optional-field flag is neither 0 nor 1";
    case DLMS_APDU_ERR_XDLMS_KEY:
        return "xDLMS: dedicated key is not 16 bytes";
    case DLMS_APDU_ERR_XDLMS_CONFORMANCE:
        return "xDLMS: malformed conformance block";
    case DLMS_APDU_ERR_XDLMS_TRAILING:
        return "xDLMS: trailing bytes after the APDU";
    case DLMS_APDU_ERR_XDLMS_BUFFER:
        return "xDLMS: output buffer too small";
    case DLMS_APDU_ERR_XDLMS_REFUSED:
        return "xDLMS: InitiateRequest refused (see the InitiateError)";
    default:
        return "xDLMS: unknown error";
    }
}
