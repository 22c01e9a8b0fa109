/*
 * acse.c - AARQ, AARE, RLRQ and RLRE BER codecs (ISO/IEC 8650-1 ACSE as
 * profiled by the DLMS UA Green Book) and the helpers that join them to
 * xDLMS (xdlms.h) and security suite 0 (security.h). See acse.h.
 *
 * One table-driven parser serves all four APDUs: the outer [APPLICATION n]
 * SEQUENCE/SET is walked component by component, each known component is
 * parsed into a common set of fields, unknown context-specific ones are
 * skipped. Encoders measure the body first, then write tag, length, body.
 */
#include "dlms/acse.h"

#include <string.h>

/* BER identifier octet bits. */
#define BER_CLASS_MASK  0xC0u
#define BER_CONTEXT     0x80u
#define BER_CONSTRUCTED 0x20u
#define BER_HIGH_TAG    0x1Fu
/* Universal tags used inside the components. */
#define BER_INTEGER      0x02u
#define BER_OCTET_STRING 0x04u
#define BER_OID          0x06u
/* Authentication-value CHOICE charstring [0] IMPLICIT OCTET STRING. */
#define BER_CHARSTRING 0x80u

/* 2.16.756.5.8.1 (application contexts) and 2.16.756.5.8.2 (mechanisms)
 * without their last arc. */
#define OID_PREFIX_LEN 6u
#define OID_LEN        (OID_PREFIX_LEN + 1u)
static const uint8_t oid_context[OID_PREFIX_LEN] = {0x60, 0x85, 0x74, 0x05, 0x08, 0x01};
static const uint8_t oid_mechanism[OID_PREFIX_LEN] = {0x60, 0x85, 0x74, 0x05, 0x08, 0x02};

/* Longest encoded outer length we produce or accept: 82 xx xx. */
#define BER_MAX_LEN 0xFFFFu

static void wipe(void *p, size_t len) {
    volatile uint8_t *v = p;
    while (len-- > 0) {
        *v++ = 0;
    }
}

/* ---- BER reader ------------------------------------------------------------ */

typedef struct tlv {
    uint8_t id;      /* first identifier octet: class, form, low tag number */
    uint32_t number; /* tag number, also for the high-tag-number form */
    const uint8_t *val;
    size_t len;
} tlv_t;

static int ber_read_tag(const uint8_t *in, size_t len, size_t *pos, tlv_t *t) {
    if (*pos >= len) {
        return DLMS_ACSE_ERR_TRUNCATED;
    }
    t->id = in[(*pos)++];
    t->number = t->id & BER_HIGH_TAG;
    if (t->number != BER_HIGH_TAG) {
        return 0;
    }
    /* High tag number: base-128 octets, bounded so the number fits. */
    t->number = 0;
    for (int i = 0; i < 4; i++) {
        if (*pos >= len) {
            return DLMS_ACSE_ERR_TRUNCATED;
        }
        uint8_t b = in[(*pos)++];
        t->number = (t->number << 7) | (b & 0x7Fu);
        if ((b & 0x80u) == 0) {
            return 0;
        }
    }
    return DLMS_ACSE_ERR_TAG;
}

static int ber_read_len(const uint8_t *in, size_t len, size_t *pos, size_t *out) {
    if (*pos >= len) {
        return DLMS_ACSE_ERR_TRUNCATED;
    }
    uint8_t b = in[(*pos)++];
    if (b < 0x80u) {
        *out = b;
        return 0;
    }
    /* 0x80 is the indefinite form; 83.. would announce 16 MB or more. */
    size_t n = b & 0x7Fu;
    if (n == 0 || n > 2) {
        return DLMS_ACSE_ERR_LENGTH;
    }
    if (len - *pos < n) {
        return DLMS_ACSE_ERR_TRUNCATED;
    }
    size_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | in[(*pos)++];
    }
    *out = v;
    return 0;
}

/* Reads one TLV at in[*pos] whose content lies wholly inside in[0..len). */
static int ber_next(const uint8_t *in, size_t len, size_t *pos, tlv_t *t) {
    int rc = ber_read_tag(in, len, pos, t);
    if (rc == 0) {
        rc = ber_read_len(in, len, pos, &t->len);
    }
    if (rc != 0) {
        return rc;
    }
    if (len - *pos < t->len) {
        return DLMS_ACSE_ERR_TRUNCATED;
    }
    t->val = in + *pos;
    *pos += t->len;
    return 0;
}

/* The content of outer must be exactly one TLV with identifier id. Any
 * failure is reported as err: the outer component is complete, so what is
 * wrong is its content. */
static int ber_only(const tlv_t *outer, uint8_t id, tlv_t *inner, int err) {
    size_t pos = 0;
    if (ber_next(outer->val, outer->len, &pos, inner) != 0 || inner->id != id ||
        pos != outer->len) {
        return err;
    }
    return 0;
}

/* Non-negative INTEGER content up to max. */
static int ber_uint(const uint8_t *v, size_t len, uint32_t max, uint32_t *out) {
    if (len == 0 || len > 5 || (v[0] & 0x80u) != 0 || (len == 5 && v[0] != 0)) {
        return DLMS_ACSE_ERR_VALUE;
    }
    uint32_t x = 0;
    for (size_t i = 0; i < len; i++) {
        x = (x << 8) | v[i];
    }
    if (x > max) {
        return DLMS_ACSE_ERR_VALUE;
    }
    *out = x;
    return 0;
}

static int ber_small_uint(const uint8_t *v, size_t len, uint8_t *out) {
    uint32_t x = 0;
    int rc = ber_uint(v, len, 0xFFu, &x);
    *out = (uint8_t)x;
    return rc;
}

/* ---- component parsers ------------------------------------------------------ */

/* Every component any of the four APDUs can carry, in one bag. */
typedef struct fields {
    bool has_protocol_version;
    bool protocol_version1;
    uint8_t context; /* 0: absent */
    bool has_title;
    uint8_t title[DLMS_ACSE_SYSTEM_TITLE_LEN];
    bool has_ae_invocation_id;
    uint32_t ae_invocation_id;
    bool has_acse_requirements;
    bool authentication;
    bool has_mechanism;
    uint8_t mechanism;
    bool has_auth_value;
    size_t auth_value_len;
    uint8_t auth_value[DLMS_ACSE_MAX_AUTH_VALUE];
    bool has_result;
    uint8_t result;
    bool has_diagnostic;
    uint8_t diagnostic_source;
    uint8_t diagnostic;
    bool has_reason;
    uint8_t reason;
    const uint8_t *user_info;
    size_t user_info_len;
} fields_t;

typedef enum kind {
    K_PROTOCOL_VERSION,
    K_CONTEXT,
    K_TITLE,
    K_AE_INVOCATION_ID,
    K_ACSE_REQUIREMENTS,
    K_MECHANISM,
    K_AUTH_VALUE,
    K_USER_INFO,
    K_RESULT,
    K_DIAGNOSTIC,
    K_REASON,
} kind_t;

typedef struct comp {
    uint8_t id; /* the identifier octet the component must have */
    kind_t kind;
} comp_t;

static const comp_t aarq_comps[] = {
    {0x80, K_PROTOCOL_VERSION}, {0xA1, K_CONTEXT},           {0xA6, K_TITLE},
    {0xA9, K_AE_INVOCATION_ID}, {0x8A, K_ACSE_REQUIREMENTS}, {0x8B, K_MECHANISM},
    {0xAC, K_AUTH_VALUE},       {0xBE, K_USER_INFO},
};

static const comp_t aare_comps[] = {
    {0x80, K_PROTOCOL_VERSION}, {0xA1, K_CONTEXT},    {0xA2, K_RESULT},
    {0xA3, K_DIAGNOSTIC},       {0xA4, K_TITLE},      {0x88, K_ACSE_REQUIREMENTS},
    {0x89, K_MECHANISM},        {0xAA, K_AUTH_VALUE}, {0xBE, K_USER_INFO},
};

static const comp_t release_comps[] = {
    {0x80, K_REASON},
    {0xBE, K_USER_INFO},
};

/* BIT STRING whose first bit is the only one DLMS uses (protocol-version
 * version1, acse-requirements authentication). */
static int parse_first_bit(const tlv_t *t, bool *bit) {
    if (t->len == 0 || t->val[0] > 7 || (t->len == 1 && t->val[0] != 0)) {
        return DLMS_ACSE_ERR_VALUE;
    }
    *bit = t->len > 1 && (t->val[1] & 0x80u) != 0;
    return 0;
}

/* OID body prefix || x with x <= max_arc. */
static int parse_oid_body(const uint8_t *v, size_t len, const uint8_t *prefix, uint8_t min_arc,
                          uint8_t max_arc, uint8_t *arc, int err) {
    if (len != OID_LEN || memcmp(v, prefix, OID_PREFIX_LEN) != 0 || v[OID_PREFIX_LEN] < min_arc ||
        v[OID_PREFIX_LEN] > max_arc) {
        return err;
    }
    *arc = v[OID_PREFIX_LEN];
    return 0;
}

static int parse_context(const tlv_t *t, fields_t *f) {
    tlv_t oid;
    int rc = ber_only(t, BER_OID, &oid, DLMS_ACSE_ERR_CONTEXT_NAME);
    if (rc == 0) {
        rc = parse_oid_body(oid.val, oid.len, oid_context, DLMS_CONTEXT_LN, DLMS_CONTEXT_SN_CIPH,
                            &f->context, DLMS_ACSE_ERR_CONTEXT_NAME);
    }
    return rc;
}

static int parse_title(const tlv_t *t, fields_t *f) {
    tlv_t os;
    int rc = ber_only(t, BER_OCTET_STRING, &os, DLMS_ACSE_ERR_SYSTEM_TITLE);
    if (rc == 0 && os.len != DLMS_ACSE_SYSTEM_TITLE_LEN) {
        rc = DLMS_ACSE_ERR_SYSTEM_TITLE;
    }
    if (rc == 0) {
        memcpy(f->title, os.val, DLMS_ACSE_SYSTEM_TITLE_LEN);
        f->has_title = true;
    }
    return rc;
}

static int parse_ae_invocation_id(const tlv_t *t, fields_t *f) {
    tlv_t i;
    int rc = ber_only(t, BER_INTEGER, &i, DLMS_ACSE_ERR_VALUE);
    if (rc == 0) {
        rc = ber_uint(i.val, i.len, 0xFFFFFFFFu, &f->ae_invocation_id);
    }
    f->has_ae_invocation_id = rc == 0;
    return rc;
}

static int parse_auth_value(const tlv_t *t, fields_t *f) {
    tlv_t v;
    /* Only the charstring choice: the bitstring one has no DLMS use. */
    int rc = ber_only(t, BER_CHARSTRING, &v, DLMS_ACSE_ERR_AUTH_VALUE);
    if (rc == 0 && v.len > DLMS_ACSE_MAX_AUTH_VALUE) {
        rc = DLMS_ACSE_ERR_AUTH_VALUE;
    }
    if (rc == 0) {
        memcpy(f->auth_value, v.val, v.len);
        f->auth_value_len = v.len;
        f->has_auth_value = true;
    }
    return rc;
}

static int parse_user_info(const tlv_t *t, fields_t *f) {
    tlv_t os;
    int rc = ber_only(t, BER_OCTET_STRING, &os, DLMS_ACSE_ERR_USER_INFO);
    if (rc == 0 && os.len == 0) {
        rc = DLMS_ACSE_ERR_USER_INFO; /* an empty xDLMS APDU is nothing */
    }
    if (rc == 0) {
        f->user_info = os.val;
        f->user_info_len = os.len;
    }
    return rc;
}

static int parse_result(const tlv_t *t, fields_t *f) {
    tlv_t i;
    int rc = ber_only(t, BER_INTEGER, &i, DLMS_ACSE_ERR_VALUE);
    if (rc == 0) {
        rc = ber_small_uint(i.val, i.len, &f->result);
    }
    if (rc == 0 && f->result > DLMS_ACSE_RESULT_REJECTED_TRANSIENT) {
        rc = DLMS_ACSE_ERR_VALUE;
    }
    f->has_result = rc == 0;
    return rc;
}

static int parse_diagnostic(const tlv_t *t, fields_t *f) {
    tlv_t choice, i;
    size_t pos = 0;
    if (ber_next(t->val, t->len, &pos, &choice) != 0 || pos != t->len) {
        return DLMS_ACSE_ERR_VALUE;
    }
    if (choice.id != (BER_CONTEXT | BER_CONSTRUCTED | DLMS_ACSE_SOURCE_USER) &&
        choice.id != (BER_CONTEXT | BER_CONSTRUCTED | DLMS_ACSE_SOURCE_PROVIDER)) {
        return DLMS_ACSE_ERR_VALUE;
    }
    int rc = ber_only(&choice, BER_INTEGER, &i, DLMS_ACSE_ERR_VALUE);
    if (rc == 0) {
        rc = ber_small_uint(i.val, i.len, &f->diagnostic);
    }
    f->diagnostic_source = (uint8_t)(choice.id & BER_HIGH_TAG);
    f->has_diagnostic = rc == 0;
    return rc;
}

static int parse_component(kind_t kind, const tlv_t *t, fields_t *f) {
    switch (kind) {
    case K_PROTOCOL_VERSION:
        f->has_protocol_version = true;
        return parse_first_bit(t, &f->protocol_version1);
    case K_CONTEXT:
        return parse_context(t, f);
    case K_TITLE:
        return parse_title(t, f);
    case K_AE_INVOCATION_ID:
        return parse_ae_invocation_id(t, f);
    case K_ACSE_REQUIREMENTS:
        f->has_acse_requirements = true;
        return parse_first_bit(t, &f->authentication);
    case K_MECHANISM:
        f->has_mechanism = true;
        return parse_oid_body(t->val, t->len, oid_mechanism, DLMS_MECH_NONE, DLMS_MECH_ECDSA,
                              &f->mechanism, DLMS_ACSE_ERR_MECHANISM);
    case K_AUTH_VALUE:
        return parse_auth_value(t, f);
    case K_USER_INFO:
        return parse_user_info(t, f);
    case K_RESULT:
        return parse_result(t, f);
    case K_DIAGNOSTIC:
        return parse_diagnostic(t, f);
    case K_REASON:
        f->has_reason = true;
        return ber_small_uint(t->val, t->len, &f->reason);
    }
    return DLMS_ACSE_ERR_TAG;
}

/* The component with tag number t->number, or NULL (skip it). A known
 * number with the wrong class or form is an error, not an unknown tag. */
static int find_comp(const comp_t *comps, size_t n, const tlv_t *t, const comp_t **found) {
    *found = NULL;
    if ((t->id & BER_CLASS_MASK) != BER_CONTEXT) {
        return DLMS_ACSE_ERR_TAG;
    }
    for (size_t i = 0; i < n; i++) {
        if ((uint32_t)(comps[i].id & BER_HIGH_TAG) == t->number && t->number != BER_HIGH_TAG) {
            if (comps[i].id != t->id) {
                return DLMS_ACSE_ERR_TAG;
            }
            *found = &comps[i];
            return 0;
        }
    }
    return 0;
}

static int parse_components(const tlv_t *apdu, const comp_t *comps, size_t n, fields_t *f) {
    uint32_t seen = 0;
    size_t pos = 0;
    while (pos < apdu->len) {
        tlv_t t;
        const comp_t *c;
        int rc = ber_next(apdu->val, apdu->len, &pos, &t);
        if (rc == 0) {
            rc = find_comp(comps, n, &t, &c);
        }
        if (rc != 0) {
            return rc;
        }
        if (c == NULL) {
            continue; /* well-formed unknown component */
        }
        if ((seen & (1u << c->kind)) != 0) {
            return DLMS_ACSE_ERR_DUPLICATE;
        }
        seen |= 1u << c->kind;
        rc = parse_component(c->kind, &t, f);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* Parses the whole APDU in[0..len) with tag apdu_tag into f. */
static int parse_apdu(const uint8_t *in, size_t len, uint8_t apdu_tag, const comp_t *comps,
                      size_t n, fields_t *f) {
    memset(f, 0, sizeof *f);
    if (in == NULL) {
        return DLMS_ACSE_ERR_BADARG;
    }
    if (len == 0) {
        return DLMS_ACSE_ERR_TRUNCATED;
    }
    if (in[0] != apdu_tag) {
        return DLMS_ACSE_ERR_APDU_TAG;
    }
    size_t pos = 0;
    tlv_t apdu;
    int rc = ber_next(in, len, &pos, &apdu);
    if (rc == 0 && pos != len) {
        rc = DLMS_ACSE_ERR_TRAILING;
    }
    if (rc == 0) {
        rc = parse_components(&apdu, comps, n, f);
    }
    return rc;
}

/* ---- BER writer -------------------------------------------------------------- */

/* A writer with p NULL only counts, which measures a body before its
 * length is written. */
typedef struct bw {
    uint8_t *p;
    size_t cap;
    size_t pos;
} bw_t;

static void bw_u8(bw_t *w, uint8_t v) {
    if (w->p != NULL && w->pos < w->cap) {
        w->p[w->pos] = v;
    }
    w->pos++;
}

static void bw_bytes(bw_t *w, const uint8_t *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        bw_u8(w, v[i]);
    }
}

static size_t len_size(size_t n) {
    return n < 0x80u ? 1 : (n <= 0xFFu ? 2 : 3);
}

static void bw_tl(bw_t *w, uint8_t id, size_t n) {
    bw_u8(w, id);
    if (n >= 0x80u) {
        bw_u8(w, n <= 0xFFu ? 0x81u : 0x82u);
        if (n > 0xFFu) {
            bw_u8(w, (uint8_t)(n >> 8));
        }
    }
    bw_u8(w, (uint8_t)n);
}

static void bw_first_bit(bw_t *w, uint8_t id, bool bit) {
    bw_tl(w, id, 2);
    bw_u8(w, 7); /* seven unused bits */
    bw_u8(w, bit ? 0x80u : 0x00u);
}

static void bw_oid_body(bw_t *w, const uint8_t *prefix, uint8_t arc) {
    bw_bytes(w, prefix, OID_PREFIX_LEN);
    bw_u8(w, arc);
}

static void bw_context(bw_t *w, uint8_t context) {
    bw_tl(w, 0xA1, 2 + OID_LEN);
    bw_tl(w, BER_OID, OID_LEN);
    bw_oid_body(w, oid_context, context);
}

static void bw_mechanism(bw_t *w, uint8_t id, uint8_t mechanism) {
    bw_tl(w, id, OID_LEN);
    bw_oid_body(w, oid_mechanism, mechanism);
}

/* [id] { inner_id len value }: titles, authentication values, user info. */
static void bw_wrapped(bw_t *w, uint8_t id, uint8_t inner_id, const uint8_t *v, size_t n) {
    bw_tl(w, id, 1 + len_size(n) + n);
    bw_tl(w, inner_id, n);
    bw_bytes(w, v, n);
}

/* Minimal non-negative INTEGER content of v. */
static size_t uint_content(uint32_t v, uint8_t out[5]) {
    uint8_t be[5] = {0, (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    size_t skip = 0;
    while (skip < 4 && be[skip] == 0 && (be[skip + 1] & 0x80u) == 0) {
        skip++;
    }
    memcpy(out, be + skip, 5 - skip);
    return 5 - skip;
}

/* [id] { 02 len integer } */
static void bw_explicit_uint(bw_t *w, uint8_t id, uint32_t v) {
    uint8_t c[5];
    size_t n = uint_content(v, c);
    bw_tl(w, id, 2 + n);
    bw_tl(w, BER_INTEGER, n);
    bw_bytes(w, c, n);
}

static void bw_diagnostic(bw_t *w, uint8_t source, uint8_t diagnostic) {
    uint8_t c[5];
    size_t n = uint_content(diagnostic, c);
    bw_tl(w, 0xA3, 4 + n);
    bw_explicit_uint(w, (uint8_t)(BER_CONTEXT | BER_CONSTRUCTED | source), diagnostic);
}

static void bw_user_info(bw_t *w, const uint8_t *ui, size_t n) {
    if (ui != NULL) {
        bw_wrapped(w, 0xBE, BER_OCTET_STRING, ui, n);
    }
}

typedef void (*body_fn)(bw_t *w, const void *apdu);

/* Writes tag, length and body; the body is produced twice, once to count. */
static int encode_apdu(uint8_t tag, body_fn body, const void *apdu, uint8_t *out, size_t cap) {
    bw_t m = {NULL, 0, 0};
    body(&m, apdu);
    if (m.pos > BER_MAX_LEN) {
        return DLMS_ACSE_ERR_BADARG;
    }
    bw_t w = {out, cap, 0};
    bw_tl(&w, tag, m.pos);
    body(&w, apdu);
    if (w.pos > cap) {
        memset(out, 0, cap);
        return DLMS_ACSE_ERR_BUFFER;
    }
    return (int)w.pos;
}

/* ---- AARQ ------------------------------------------------------------------------ */

static bool user_info_ok(const uint8_t *ui, size_t n) {
    return ui == NULL || (n > 0 && n <= DLMS_ACSE_MAX_USER_INFO);
}

static bool auth_ok(bool has_mech, uint8_t mech, bool has_value, size_t len) {
    return (!has_mech || mech <= DLMS_MECH_ECDSA) &&
           (!has_value || len <= DLMS_ACSE_MAX_AUTH_VALUE);
}

static void aarq_body(bw_t *w, const void *p) {
    const dlms_aarq_t *a = p;
    if (a->has_protocol_version) {
        bw_first_bit(w, 0x80, a->protocol_version1);
    }
    bw_context(w, a->context);
    if (a->has_calling_ap_title) {
        bw_wrapped(w, 0xA6, BER_OCTET_STRING, a->calling_ap_title, DLMS_ACSE_SYSTEM_TITLE_LEN);
    }
    if (a->has_calling_ae_invocation_id) {
        bw_explicit_uint(w, 0xA9, a->calling_ae_invocation_id);
    }
    if (a->has_acse_requirements) {
        bw_first_bit(w, 0x8A, a->authentication);
    }
    if (a->has_mechanism) {
        bw_mechanism(w, 0x8B, a->mechanism);
    }
    if (a->has_auth_value) {
        bw_wrapped(w, 0xAC, BER_CHARSTRING, a->auth_value, a->auth_value_len);
    }
    bw_user_info(w, a->user_info, a->user_info_len);
}

int dlms_aarq_encode(const dlms_aarq_t *aarq, uint8_t *out, size_t cap) {
    if (aarq == NULL || out == NULL || aarq->context < DLMS_CONTEXT_LN ||
        aarq->context > DLMS_CONTEXT_SN_CIPH ||
        !auth_ok(aarq->has_mechanism, aarq->mechanism, aarq->has_auth_value,
                 aarq->auth_value_len) ||
        !user_info_ok(aarq->user_info, aarq->user_info_len)) {
        return DLMS_ACSE_ERR_BADARG;
    }
    return encode_apdu(DLMS_ACSE_TAG_AARQ, aarq_body, aarq, out, cap);
}

/* LLS passwords and challenges have their own bounds. */
static size_t auth_value_max(const fields_t *f) {
    if (f->has_mechanism && f->mechanism == DLMS_MECH_LLS) {
        return EM_ACSE_MAX_PASSWORD;
    }
    return EM_SEC_MAX_CHALLENGE;
}

static void aarq_from_fields(const fields_t *f, dlms_aarq_t *a) {
    a->has_protocol_version = f->has_protocol_version;
    a->protocol_version1 = f->protocol_version1;
    a->context = f->context;
    a->has_calling_ap_title = f->has_title;
    memcpy(a->calling_ap_title, f->title, sizeof a->calling_ap_title);
    a->has_calling_ae_invocation_id = f->has_ae_invocation_id;
    a->calling_ae_invocation_id = f->ae_invocation_id;
    a->has_acse_requirements = f->has_acse_requirements;
    a->authentication = f->authentication;
    a->has_mechanism = f->has_mechanism;
    a->mechanism = f->mechanism;
    a->has_auth_value = f->has_auth_value;
    a->auth_value_len = f->auth_value_len;
    memcpy(a->auth_value, f->auth_value, sizeof a->auth_value);
    a->user_info = f->user_info;
    a->user_info_len = f->user_info_len;
}

int dlms_aarq_decode(const uint8_t *in, size_t len, dlms_aarq_t *aarq) {
    if (aarq == NULL) {
        return DLMS_ACSE_ERR_BADARG;
    }
    memset(aarq, 0, sizeof *aarq);
    fields_t f;
    int rc = parse_apdu(in, len, DLMS_ACSE_TAG_AARQ, aarq_comps,
                        sizeof aarq_comps / sizeof aarq_comps[0], &f);
    if (rc == 0 && f.context == 0) {
        rc = DLMS_ACSE_ERR_MISSING;
    }
    if (rc == 0 && f.auth_value_len > auth_value_max(&f)) {
        rc = DLMS_ACSE_ERR_AUTH_VALUE;
    }
    if (rc == 0) {
        aarq_from_fields(&f, aarq);
    }
    wipe(&f, sizeof f); /* it may hold a password */
    return rc;
}

/* ---- AARE ------------------------------------------------------------------------ */

static void aare_body(bw_t *w, const void *p) {
    const dlms_aare_t *a = p;
    if (a->has_protocol_version) {
        bw_first_bit(w, 0x80, a->protocol_version1);
    }
    bw_context(w, a->context);
    bw_explicit_uint(w, 0xA2, a->result);
    bw_diagnostic(w, a->diagnostic_source, a->diagnostic);
    if (a->has_responding_ap_title) {
        bw_wrapped(w, 0xA4, BER_OCTET_STRING, a->responding_ap_title, DLMS_ACSE_SYSTEM_TITLE_LEN);
    }
    if (a->has_acse_requirements) {
        bw_first_bit(w, 0x88, a->authentication);
    }
    if (a->has_mechanism) {
        bw_mechanism(w, 0x89, a->mechanism);
    }
    if (a->has_auth_value) {
        bw_wrapped(w, 0xAA, BER_CHARSTRING, a->auth_value, a->auth_value_len);
    }
    bw_user_info(w, a->user_info, a->user_info_len);
}

int dlms_aare_encode(const dlms_aare_t *aare, uint8_t *out, size_t cap) {
    if (aare == NULL || out == NULL || aare->context < DLMS_CONTEXT_LN ||
        aare->context > DLMS_CONTEXT_SN_CIPH ||
        aare->result > DLMS_ACSE_RESULT_REJECTED_TRANSIENT ||
        (aare->diagnostic_source != DLMS_ACSE_SOURCE_USER &&
         aare->diagnostic_source != DLMS_ACSE_SOURCE_PROVIDER) ||
        !auth_ok(aare->has_mechanism, aare->mechanism, aare->has_auth_value,
                 aare->auth_value_len) ||
        !user_info_ok(aare->user_info, aare->user_info_len)) {
        return DLMS_ACSE_ERR_BADARG;
    }
    return encode_apdu(DLMS_ACSE_TAG_AARE, aare_body, aare, out, cap);
}

static void aare_from_fields(const fields_t *f, dlms_aare_t *a) {
    a->has_protocol_version = f->has_protocol_version;
    a->protocol_version1 = f->protocol_version1;
    a->context = f->context;
    a->result = f->result;
    a->diagnostic_source = f->diagnostic_source;
    a->diagnostic = f->diagnostic;
    a->has_responding_ap_title = f->has_title;
    memcpy(a->responding_ap_title, f->title, sizeof a->responding_ap_title);
    a->has_acse_requirements = f->has_acse_requirements;
    a->authentication = f->authentication;
    a->has_mechanism = f->has_mechanism;
    a->mechanism = f->mechanism;
    a->has_auth_value = f->has_auth_value;
    a->auth_value_len = f->auth_value_len;
    memcpy(a->auth_value, f->auth_value, sizeof a->auth_value);
    a->user_info = f->user_info;
    a->user_info_len = f->user_info_len;
}

int dlms_aare_decode(const uint8_t *in, size_t len, dlms_aare_t *aare) {
    if (aare == NULL) {
        return DLMS_ACSE_ERR_BADARG;
    }
    memset(aare, 0, sizeof *aare);
    fields_t f;
    int rc = parse_apdu(in, len, DLMS_ACSE_TAG_AARE, aare_comps,
                        sizeof aare_comps / sizeof aare_comps[0], &f);
    if (rc == 0 && (f.context == 0 || !f.has_result || !f.has_diagnostic)) {
        rc = DLMS_ACSE_ERR_MISSING;
    }
    /* The server's challenge StoC is the only value an AARE carries. */
    if (rc == 0 && f.auth_value_len > EM_SEC_MAX_CHALLENGE) {
        rc = DLMS_ACSE_ERR_AUTH_VALUE;
    }
    if (rc == 0) {
        aare_from_fields(&f, aare);
    }
    return rc;
}

/* ---- RLRQ / RLRE ------------------------------------------------------------------ */

static void release_body(bw_t *w, const void *p) {
    const dlms_release_t *r = p;
    if (r->has_reason) {
        uint8_t c[5];
        size_t n = uint_content(r->reason, c);
        bw_tl(w, 0x80, n);
        bw_bytes(w, c, n);
    }
    bw_user_info(w, r->user_info, r->user_info_len);
}

static int release_encode(uint8_t tag, const dlms_release_t *rl, uint8_t *out, size_t cap) {
    if (rl == NULL || out == NULL || !user_info_ok(rl->user_info, rl->user_info_len)) {
        return DLMS_ACSE_ERR_BADARG;
    }
    return encode_apdu(tag, release_body, rl, out, cap);
}

static int release_decode(uint8_t tag, const uint8_t *in, size_t len, dlms_release_t *rl) {
    if (rl == NULL) {
        return DLMS_ACSE_ERR_BADARG;
    }
    memset(rl, 0, sizeof *rl);
    fields_t f;
    int rc =
        parse_apdu(in, len, tag, release_comps, sizeof release_comps / sizeof release_comps[0], &f);
    if (rc == 0) {
        rl->has_reason = f.has_reason;
        rl->reason = f.reason;
        rl->user_info = f.user_info;
        rl->user_info_len = f.user_info_len;
    }
    return rc;
}

int dlms_rlrq_encode(const dlms_release_t *rl, uint8_t *out, size_t cap) {
    return release_encode(DLMS_ACSE_TAG_RLRQ, rl, out, cap);
}

int dlms_rlre_encode(const dlms_release_t *rl, uint8_t *out, size_t cap) {
    return release_encode(DLMS_ACSE_TAG_RLRE, rl, out, cap);
}

int dlms_rlrq_decode(const uint8_t *in, size_t len, dlms_release_t *rl) {
    return release_decode(DLMS_ACSE_TAG_RLRQ, in, len, rl);
}

int dlms_rlre_decode(const uint8_t *in, size_t len, dlms_release_t *rl) {
    return release_decode(DLMS_ACSE_TAG_RLRE, in, len, rl);
}

/* ---- user-information: InitiateRequest / InitiateResponse ------------------------------ */

static bool is_ciphered_context(uint8_t context) {
    return context == DLMS_CONTEXT_LN_CIPH || context == DLMS_CONTEXT_SN_CIPH;
}

/* Envelopes an xDLMS initiate APDU may come in: glo-xxx or
 * general-glo-ciphering. No dedicated key exists before the association,
 * so ded- and general-ded- forms cannot be right. */
static bool is_global_envelope(uint8_t tag, uint8_t glo_tag) {
    return tag == glo_tag || tag == 0xDBu;
}

/* Big enough for any ciphered initiate APDU: plain APDU, SC, IC, tag and
 * the general-glo-ciphering envelope. A longer input cannot be one. */
#define CIPHERED_INITIATE_MAX                                                                      \
    (DLMS_XDLMS_INITIATE_REQUEST_MAX + DLMS_SEC_OVERHEAD + DLMS_SEC_MAX_ENVELOPE)

/* Decrypts ui into plain[0..CIPHERED_INITIATE_MAX) under peer_title. */
static int unprotect_initiate(const uint8_t *ui, size_t len, const dlms_sec_rx_t *rx,
                              const uint8_t *peer_title, uint8_t *plain, dlms_sec_info_t *info) {
    if (len > CIPHERED_INITIATE_MAX) {
        return DLMS_ACSE_ERR_USER_INFO;
    }
    dlms_sec_rx_t r = *rx;
    r.peer_title = peer_title;
    return dlms_sec_unprotect(&r, ui, len, plain, CIPHERED_INITIATE_MAX, info);
}

static int aarq_plain_initiate(const dlms_aarq_t *aarq, dlms_acse_initiate_t *out) {
    if (is_ciphered_context(aarq->context)) {
        return DLMS_ACSE_ERR_CIPHERING;
    }
    int rc = dlms_initiate_request_decode(aarq->user_info, aarq->user_info_len, &out->request);
    if (rc == 0 && out->request.has_dedicated_key) {
        rc = DLMS_ACSE_ERR_CIPHERING; /* the key went over the wire in clear */
    }
    return rc;
}

static int aarq_ciphered_initiate(const dlms_aarq_t *aarq, const dlms_sec_rx_t *rx,
                                  dlms_acse_initiate_t *out) {
    if (!is_ciphered_context(aarq->context) || rx == NULL || rx->keys == NULL) {
        return DLMS_ACSE_ERR_CIPHERING;
    }
    if (!aarq->has_calling_ap_title) {
        return DLMS_ACSE_ERR_SYSTEM_TITLE; /* the IV needs the client's title */
    }
    uint8_t plain[CIPHERED_INITIATE_MAX];
    int n = unprotect_initiate(aarq->user_info, aarq->user_info_len, rx, aarq->calling_ap_title,
                               plain, &out->sec);
    int rc = n < 0 ? n : dlms_initiate_request_decode(plain, (size_t)n, &out->request);
    wipe(plain, sizeof plain); /* it held the dedicated key */
    out->ciphered = true;
    return rc;
}

int dlms_acse_aarq_initiate(const dlms_aarq_t *aarq, const dlms_sec_rx_t *rx,
                            dlms_acse_initiate_t *out) {
    if (out == NULL) {
        return DLMS_ACSE_ERR_BADARG;
    }
    memset(out, 0, sizeof *out);
    if (aarq == NULL) {
        return DLMS_ACSE_ERR_BADARG;
    }
    if (aarq->user_info == NULL || aarq->user_info_len == 0) {
        return DLMS_ACSE_ERR_USER_INFO;
    }
    uint8_t tag = aarq->user_info[0];
    int rc = DLMS_ACSE_ERR_USER_INFO;
    if (tag == DLMS_XDLMS_TAG_INITIATE_REQUEST) {
        rc = aarq_plain_initiate(aarq, out);
    } else if (is_global_envelope(tag, DLMS_XDLMS_TAG_GLO_INITIATE_REQUEST)) {
        rc = aarq_ciphered_initiate(aarq, rx, out);
    }
    if (rc != 0) {
        wipe(out, sizeof *out);
    }
    return rc;
}

uint8_t dlms_acse_diagnostic_for_error(int err) {
    switch (err) {
    case DLMS_ACSE_ERR_CONTEXT_NAME:
        return DLMS_ACSE_DIAG_APPLICATION_CONTEXT_NAME_NOT_SUPPORTED;
    case DLMS_ACSE_ERR_SYSTEM_TITLE:
        return DLMS_ACSE_DIAG_CALLING_AP_TITLE_NOT_RECOGNIZED;
    case DLMS_ACSE_ERR_MECHANISM:
        return DLMS_ACSE_DIAG_AUTHENTICATION_MECHANISM_NAME_NOT_RECOGNISED;
    case DLMS_ACSE_ERR_AUTH_VALUE:
    case DLMS_SEC_ERR_AUTH:
        return DLMS_ACSE_DIAG_AUTHENTICATION_FAILURE;
    default:
        return DLMS_ACSE_DIAG_NO_REASON_GIVEN;
    }
}

/* Plain InitiateResponse or confirmedServiceError. */
static int read_plain_answer(const uint8_t *apdu, size_t len, dlms_acse_answer_t *out) {
    if (apdu[0] == DLMS_XDLMS_TAG_INITIATE_RESPONSE) {
        out->has_response = true;
        return dlms_initiate_response_decode(apdu, len, &out->response);
    }
    if (apdu[0] == DLMS_XDLMS_TAG_CONFIRMED_SERVICE_ERROR) {
        out->has_error = true;
        return dlms_confirmed_service_error_decode(apdu, len, &out->error);
    }
    return DLMS_ACSE_ERR_USER_INFO;
}

static int read_answer(const uint8_t *ui, size_t len, const dlms_sec_rx_t *rx,
                       const uint8_t *peer_title, dlms_acse_answer_t *out) {
    if (!is_global_envelope(ui[0], DLMS_XDLMS_TAG_GLO_INITIATE_RESPONSE)) {
        return read_plain_answer(ui, len, out);
    }
    if (rx == NULL || rx->keys == NULL || peer_title == NULL) {
        return DLMS_ACSE_ERR_CIPHERING;
    }
    uint8_t plain[CIPHERED_INITIATE_MAX];
    int n = unprotect_initiate(ui, len, rx, peer_title, plain, &out->sec);
    out->ciphered = true;
    if (n < 0) {
        return n;
    }
    /* A general-glo-ciphering envelope does not say what is inside. */
    if (plain[0] != DLMS_XDLMS_TAG_INITIATE_RESPONSE) {
        return DLMS_ACSE_ERR_USER_INFO;
    }
    return read_plain_answer(plain, (size_t)n, out);
}

int dlms_acse_read_answer(const uint8_t *ui, size_t ui_len, const dlms_sec_rx_t *rx,
                          const uint8_t *peer_title, dlms_acse_answer_t *out) {
    if (out == NULL) {
        return DLMS_ACSE_ERR_BADARG;
    }
    memset(out, 0, sizeof *out);
    if (ui == NULL) {
        return 0;
    }
    if (ui_len == 0) {
        return DLMS_ACSE_ERR_USER_INFO;
    }
    int rc = read_answer(ui, ui_len, rx, peer_title, out);
    if (rc != 0) {
        memset(out, 0, sizeof *out);
    }
    return rc;
}

int dlms_acse_client_aare(const uint8_t *in, size_t len, const dlms_sec_rx_t *rx, dlms_aare_t *aare,
                          dlms_acse_answer_t *answer) {
    if (aare == NULL || answer == NULL) {
        return DLMS_ACSE_ERR_BADARG;
    }
    memset(answer, 0, sizeof *answer);
    int rc = dlms_aare_decode(in, len, aare);
    if (rc != 0) {
        return rc;
    }
    const uint8_t *title = aare->has_responding_ap_title ? aare->responding_ap_title : NULL;
    rc = dlms_acse_read_answer(aare->user_info, aare->user_info_len, rx, title, answer);
    if (aare->result != DLMS_ACSE_RESULT_ACCEPTED) {
        /* Whatever the user-information said, the answer is no. */
        return DLMS_ACSE_ERR_REJECTED;
    }
    if (rc == 0 && !answer->has_response) {
        rc = DLMS_ACSE_ERR_USER_INFO; /* accepted without an InitiateResponse */
    }
    return rc;
}

/* ---- client builders ----------------------------------------------------------------- */

/* The user-information carrying req: plain, or glo-initiateRequest. */
static int client_initiate(const dlms_initiate_request_t *req, const dlms_sec_tx_t *tx,
                           uint8_t *out, size_t cap) {
    uint8_t plain[DLMS_XDLMS_INITIATE_REQUEST_MAX];
    int n = dlms_initiate_request_encode(req, plain, sizeof plain);
    if (n >= 0 && tx != NULL) {
        n = dlms_sec_protect(tx, DLMS_SEC_FORM_SERVICE, plain, (size_t)n, out, cap);
    } else if (n >= 0) {
        n = (size_t)n <= cap ? n : DLMS_ACSE_ERR_BUFFER;
        if (n > 0) {
            memcpy(out, plain, (size_t)n);
        }
    }
    wipe(plain, sizeof plain); /* it may hold the dedicated key */
    return n;
}

static int client_auth(const dlms_acse_client_t *c, dlms_aarq_t *a) {
    if (c->mechanism == DLMS_MECH_NONE) {
        return 0;
    }
    size_t max = c->mechanism == DLMS_MECH_LLS ? EM_ACSE_MAX_PASSWORD : EM_SEC_MAX_CHALLENGE;
    size_t min = c->mechanism == DLMS_MECH_GMAC ? DLMS_SEC_PEER_CHALLENGE_MIN : 0;
    if (c->mechanism > DLMS_MECH_ECDSA || c->auth_value_len > max || c->auth_value_len < min ||
        (c->auth_value == NULL && c->auth_value_len > 0)) {
        return DLMS_ACSE_ERR_BADARG;
    }
    a->has_acse_requirements = true;
    a->authentication = true;
    a->has_mechanism = true;
    a->mechanism = c->mechanism;
    a->has_auth_value = true;
    a->auth_value_len = c->auth_value_len;
    if (c->auth_value_len > 0) {
        memcpy(a->auth_value, c->auth_value, c->auth_value_len);
    }
    return 0;
}

static int client_aarq(const dlms_acse_client_t *c, dlms_aarq_t *a, uint8_t *out, size_t cap) {
    const uint8_t *title = c->system_title;
    if (title == NULL && c->tx != NULL) {
        title = c->tx->system_title;
    }
    /* Ciphering and the GMAC of HLS pass 3 use the client's title. */
    if (title == NULL && (c->tx != NULL || c->mechanism == DLMS_MECH_GMAC)) {
        return DLMS_ACSE_ERR_BADARG;
    }
    int rc = client_auth(c, a);
    if (rc != 0) {
        return rc;
    }
    a->context = c->tx != NULL ? DLMS_CONTEXT_LN_CIPH : DLMS_CONTEXT_LN;
    if (title != NULL) {
        a->has_calling_ap_title = true;
        memcpy(a->calling_ap_title, title, DLMS_ACSE_SYSTEM_TITLE_LEN);
    }
    uint8_t ui[CIPHERED_INITIATE_MAX];
    int n = client_initiate(c->initiate, c->tx, ui, sizeof ui);
    if (n < 0) {
        return n;
    }
    a->user_info = ui;
    a->user_info_len = (size_t)n;
    return dlms_aarq_encode(a, out, cap);
}

int dlms_acse_client_aarq(const dlms_acse_client_t *c, uint8_t *out, size_t cap) {
    if (c == NULL || c->initiate == NULL || out == NULL) {
        return DLMS_ACSE_ERR_BADARG;
    }
    dlms_aarq_t a;
    memset(&a, 0, sizeof a);
    int rc = client_aarq(c, &a, out, cap);
    wipe(&a, sizeof a); /* it holds the password */
    return rc;
}

int dlms_acse_client_rlrq(const dlms_initiate_request_t *initiate, const dlms_sec_tx_t *tx,
                          uint8_t *out, size_t cap) {
    if (out == NULL) {
        return DLMS_ACSE_ERR_BADARG;
    }
    dlms_release_t rl = {true, DLMS_RLRQ_REASON_NORMAL, NULL, 0};
    uint8_t ui[CIPHERED_INITIATE_MAX];
    if (initiate != NULL) {
        int n = client_initiate(initiate, tx, ui, sizeof ui);
        if (n < 0) {
            return n;
        }
        rl.user_info = ui;
        rl.user_info_len = (size_t)n;
    }
    return dlms_rlrq_encode(&rl, out, cap);
}

/* ---- names ---------------------------------------------------------------------------- */

#define NAME_OR_UNKNOWN(table, i)                                                                  \
    ((i) < sizeof(table) / sizeof((table)[0]) ? (table)[i] : "unknown")

const char *dlms_context_name(unsigned context) {
    static const char *const names[] = {"unknown", "LN", "SN", "LN-ciphered", "SN-ciphered"};
    return NAME_OR_UNKNOWN(names, context);
}

const char *dlms_mechanism_name(unsigned mechanism) {
    static const char *const names[] = {"none",      "low",       "high",        "high-md5",
                                        "high-sha1", "high-gmac", "high-sha256", "high-ecdsa"};
    return NAME_OR_UNKNOWN(names, mechanism);
}

const char *dlms_acse_result_name(unsigned result) {
    static const char *const names[] = {"accepted", "rejected-permanent", "rejected-transient"};
    return NAME_OR_UNKNOWN(names, result);
}

const char *dlms_acse_diagnostic_name(unsigned source, unsigned diagnostic) {
    static const char *const user[] = {
        "null",
        "no-reason-given",
        "application-context-name-not-supported",
        "calling-AP-title-not-recognized",
        "calling-AP-invocation-identifier-not-recognized",
        "calling-AE-qualifier-not-recognized",
        "calling-AE-invocation-identifier-not-recognized",
        "called-AP-title-not-recognized",
        "called-AP-invocation-identifier-not-recognized",
        "called-AE-qualifier-not-recognized",
        "called-AE-invocation-identifier-not-recognized",
        "authentication-mechanism-name-not-recognised",
        "authentication-mechanism-name-required",
        "authentication-failure",
        "authentication-required",
    };
    static const char *const provider[] = {"null", "no-reason-given", "no-common-acse-version"};
    if (source == DLMS_ACSE_SOURCE_USER) {
        return NAME_OR_UNKNOWN(user, diagnostic);
    }
    if (source == DLMS_ACSE_SOURCE_PROVIDER) {
        return NAME_OR_UNKNOWN(provider, diagnostic);
    }
    return "unknown";
}

static const char *acse_reason(int err) {
    switch (err) {
    case DLMS_ACSE_ERR_BADARG:
        return "ACSE: invalid argument";
    case DLMS_ACSE_ERR_TRUNCATED:
        return "ACSE: APDU truncated";
    case DLMS_ACSE_ERR_LENGTH:
        return "ACSE: indefinite or over-long BER length";
    case DLMS_ACSE_ERR_APDU_TAG:
        return "ACSE: not the expected AARQ/AARE/RLRQ/RLRE tag";
    case DLMS_ACSE_ERR_TAG:
        return "ACSE: component tag of the wrong class or form";
    case DLMS_ACSE_ERR_CONTEXT_NAME:
        return "ACSE: application-context-name not supported";
    case DLMS_ACSE_ERR_MECHANISM:
        return "ACSE: authentication mechanism name not recognised";
    case DLMS_ACSE_ERR_MISSING:
        return "ACSE: mandatory component missing";
    case DLMS_ACSE_ERR_DUPLICATE:
        return "ACSE: component appears twice";
    case DLMS_ACSE_ERR_VALUE:
        return "ACSE: malformed component value";
    case DLMS_ACSE_ERR_SYSTEM_TITLE:
        return "ACSE: AP title missing or not an 8-byte system title";
    case DLMS_ACSE_ERR_AUTH_VALUE:
        return "ACSE: authentication value malformed or too long";
    case DLMS_ACSE_ERR_USER_INFO:
        return "ACSE: user-information missing, malformed or unexpected";
    case DLMS_ACSE_ERR_TRAILING:
        return "ACSE: trailing bytes after the APDU";
    case DLMS_ACSE_ERR_BUFFER:
        return "ACSE: output buffer too small";
    case DLMS_ACSE_ERR_CIPHERING:
        return "ACSE: ciphering does not match the application context";
    case DLMS_ACSE_ERR_REJECTED:
        return "ACSE: association rejected by the server";
    default:
        return "ACSE: unknown error";
    }
}

const char *dlms_acse_strerror(int err) {
    if (err == 0) {
        return "success";
    }
    if (err <= -0x0700 && err >= -0x07FF) {
        return dlms_security_strerror(err);
    }
    if (err <= -0x0580 && err >= -0x05FF) {
        return dlms_xdlms_strerror(err);
    }
    return acse_reason(err);
}
