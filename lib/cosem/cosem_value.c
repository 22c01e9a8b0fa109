/*
 * cosem_value.c - value bindings: how an attribute value is found in the
 * application context and put on the wire as A-XDR Data (IEC 62056-6-2
 * data types; the binding model is described in cosem.h).
 *
 * Fields are read and written with memcpy: the table gives offsets, and a
 * microcontroller must not be asked for an access the compiler did not
 * align. A write decodes and range-checks the whole value before a byte of
 * the application context changes.
 */
#include <string.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

/* ---- type tables ------------------------------------------------------------ */

static bool wire_is_int(uint8_t wire) {
    switch (wire) {
    case AXDR_BOOLEAN:
    case AXDR_DOUBLE_LONG:
    case AXDR_DOUBLE_LONG_UNSIGNED:
    case AXDR_INTEGER:
    case AXDR_LONG:
    case AXDR_UNSIGNED:
    case AXDR_LONG_UNSIGNED:
    case AXDR_LONG64:
    case AXDR_LONG64_UNSIGNED:
    case AXDR_ENUM:
        return true;
    default:
        return false;
    }
}

static bool wire_is_string(uint8_t wire) {
    return wire == AXDR_OCTET_STRING || wire == AXDR_VISIBLE_STRING || wire == AXDR_UTF8_STRING;
}

static bool ctype_is_int(uint8_t ct) {
    return (ct >= COSEM_CT_U8 && ct <= COSEM_CT_I64) || ct == COSEM_CT_BOOL;
}

static bool ctype_is_signed(uint8_t ct) {
    return ct >= COSEM_CT_I8 && ct <= COSEM_CT_I64;
}

/* Bytes of a C type, 0 for the variable ones. */
static uint32_t ctype_size(uint8_t ct) {
    switch (ct) {
    case COSEM_CT_U8:
    case COSEM_CT_I8:
        return 1;
    case COSEM_CT_U16:
    case COSEM_CT_I16:
        return 2;
    case COSEM_CT_U32:
    case COSEM_CT_I32:
    case COSEM_CT_F32:
        return 4;
    case COSEM_CT_U64:
    case COSEM_CT_I64:
    case COSEM_CT_F64:
    case COSEM_CT_UTC:
        return 8;
    case COSEM_CT_BOOL:
        return (uint32_t)sizeof(bool);
    case COSEM_CT_DT:
        return (uint32_t)sizeof(cosem_datetime_t);
    default:
        return 0;
    }
}

static bool types_fit(uint8_t wire, uint8_t ct) {
    if (wire_is_int(wire)) {
        return ctype_is_int(ct);
    }
    if (wire == AXDR_FLOAT32 || wire == AXDR_FLOAT64) {
        return ct == COSEM_CT_F32 || ct == COSEM_CT_F64;
    }
    if (ct == COSEM_CT_UTC || ct == COSEM_CT_DT) {
        return wire == AXDR_OCTET_STRING;
    }
    return wire_is_string(wire) && ct == COSEM_CT_BYTES;
}

static bool in_app(const cosem_server_t *s, uint32_t offset, uint32_t size) {
    return offset <= s->app_size && size <= s->app_size - offset;
}

static int check_field(const cosem_server_t *s, const cosem_value_t *v) {
    if (!types_fit(v->wire, v->ctype) || !in_app(s, v->offset, v->size) || v->size == 0) {
        return COSEM_ERR_BINDING;
    }
    if (v->ctype != COSEM_CT_BYTES) {
        return (ctype_size(v->ctype) == v->size && v->len_offset == COSEM_NO_OFFSET)
                   ? 0
                   : COSEM_ERR_BINDING;
    }
    if (v->len_offset == COSEM_NO_OFFSET) {
        return 0;
    }
    return (in_app(s, v->len_offset, 1) && v->size <= UINT8_MAX) ? 0 : COSEM_ERR_BINDING;
}

int cosem_value_check(const cosem_server_t *s, const cosem_value_t *v) {
    size_t used = 0;
    if (s == NULL || v == NULL) {
        return COSEM_ERR_BADARG;
    }
    switch (v->kind) {
    case COSEM_VAL_NULL:
        return 0;
    case COSEM_VAL_CONST:
        return (v->data != NULL && axdr_validate(v->data, v->size, &used) == 0 && used == v->size)
                   ? 0
                   : COSEM_ERR_BINDING;
    case COSEM_VAL_CONST_STR:
        return (v->data != NULL && wire_is_string(v->wire)) ? 0 : COSEM_ERR_BINDING;
    case COSEM_VAL_FIELD:
        return check_field(s, v);
    case COSEM_VAL_CALL:
        return v->read != NULL ? 0 : COSEM_ERR_BINDING;
    default:
        return COSEM_ERR_BINDING;
    }
}

bool cosem_value_writable(const cosem_value_t *v) {
    return v != NULL && (v->kind == COSEM_VAL_FIELD || (v->kind == COSEM_VAL_CALL && v->write));
}

/* ---- integers ------------------------------------------------------------------ */

/* A stored integer as its two's-complement bits (sign-extended). */
static uint64_t load_int(const uint8_t *p, uint8_t ct) {
    switch (ct) {
    case COSEM_CT_U8: {
        uint8_t x;
        memcpy(&x, p, 1);
        return x;
    }
    case COSEM_CT_U16: {
        uint16_t x;
        memcpy(&x, p, 2);
        return x;
    }
    case COSEM_CT_U32: {
        uint32_t x;
        memcpy(&x, p, 4);
        return x;
    }
    case COSEM_CT_U64: {
        uint64_t x;
        memcpy(&x, p, 8);
        return x;
    }
    case COSEM_CT_I8: {
        int8_t x;
        memcpy(&x, p, 1);
        return (uint64_t)(int64_t)x;
    }
    case COSEM_CT_I16: {
        int16_t x;
        memcpy(&x, p, 2);
        return (uint64_t)(int64_t)x;
    }
    case COSEM_CT_I32: {
        int32_t x;
        memcpy(&x, p, 4);
        return (uint64_t)(int64_t)x;
    }
    case COSEM_CT_I64: {
        int64_t x;
        memcpy(&x, p, 8);
        return (uint64_t)x;
    }
    default: { /* COSEM_CT_BOOL */
        bool x;
        memcpy(&x, p, sizeof(x));
        return x ? 1u : 0u;
    }
    }
}

static void store_int(uint8_t *p, uint8_t ct, uint64_t bits) {
    switch (ct) {
    case COSEM_CT_U8:
    case COSEM_CT_I8: {
        uint8_t x = (uint8_t)bits;
        memcpy(p, &x, 1);
        break;
    }
    case COSEM_CT_U16:
    case COSEM_CT_I16: {
        uint16_t x = (uint16_t)bits;
        memcpy(p, &x, 2);
        break;
    }
    case COSEM_CT_U32:
    case COSEM_CT_I32: {
        uint32_t x = (uint32_t)bits;
        memcpy(p, &x, 4);
        break;
    }
    case COSEM_CT_U64:
    case COSEM_CT_I64:
        memcpy(p, &bits, 8);
        break;
    default: {
        bool x = bits != 0;
        memcpy(p, &x, sizeof(x));
        break;
    }
    }
}

/* Ranges of the integer C types. */
static uint64_t umax(uint8_t ct) {
    switch (ct) {
    case COSEM_CT_U8:
        return UINT8_MAX;
    case COSEM_CT_U16:
        return UINT16_MAX;
    case COSEM_CT_U32:
        return UINT32_MAX;
    case COSEM_CT_U64:
        return UINT64_MAX;
    default: /* COSEM_CT_BOOL */
        return 1;
    }
}

static int64_t smax(uint8_t ct) {
    switch (ct) {
    case COSEM_CT_I8:
        return INT8_MAX;
    case COSEM_CT_I16:
        return INT16_MAX;
    case COSEM_CT_I32:
        return INT32_MAX;
    default:
        return INT64_MAX;
    }
}

static bool fits_signed(uint8_t ct, int64_t x) {
    if (ctype_is_signed(ct)) {
        return x >= -smax(ct) - 1 && x <= smax(ct);
    }
    return x >= 0 && (uint64_t)x <= umax(ct);
}

static bool fits_unsigned(uint8_t ct, uint64_t x) {
    return ctype_is_signed(ct) ? x <= (uint64_t)smax(ct) : x <= umax(ct);
}

static bool wire_is_signed(uint8_t wire) {
    return wire == AXDR_INTEGER || wire == AXDR_LONG || wire == AXDR_DOUBLE_LONG ||
           wire == AXDR_LONG64;
}

/* The stored bits on the wire: values wider than the wire type are cut to
 * it (a counter rolls over); the table picks a wire type that holds them. */
static int put_int(axdr_enc_t *e, uint8_t wire, uint64_t bits) {
    switch (wire) {
    case AXDR_BOOLEAN:
        return axdr_put_boolean(e, bits != 0);
    case AXDR_INTEGER:
        return axdr_put_int8(e, (int8_t)(uint8_t)bits);
    case AXDR_LONG:
        return axdr_put_int16(e, (int16_t)(uint16_t)bits);
    case AXDR_DOUBLE_LONG:
        return axdr_put_int32(e, (int32_t)(uint32_t)bits);
    case AXDR_LONG64:
        return axdr_put_int64(e, (int64_t)bits);
    case AXDR_UNSIGNED:
        return axdr_put_uint8(e, (uint8_t)bits);
    case AXDR_ENUM:
        return axdr_put_enum(e, (uint8_t)bits);
    case AXDR_LONG_UNSIGNED:
        return axdr_put_uint16(e, (uint16_t)bits);
    case AXDR_DOUBLE_LONG_UNSIGNED:
        return axdr_put_uint32(e, (uint32_t)bits);
    default: /* AXDR_LONG64_UNSIGNED */
        return axdr_put_uint64(e, bits);
    }
}

/* ---- read ------------------------------------------------------------------------ */

static int get_string(const cosem_server_t *s, const cosem_value_t *v, axdr_enc_t *e) {
    const uint8_t *p = cosem_app_ptr(s, v->offset);
    size_t n = v->size;
    if (v->len_offset != COSEM_NO_OFFSET) {
        uint8_t len;
        memcpy(&len, cosem_app_ptr(s, v->len_offset), 1);
        n = len < n ? len : n; /* a corrupt length never reads past the member */
    }
    switch (v->wire) {
    case AXDR_VISIBLE_STRING:
        return axdr_put_visible_string(e, (const char *)p, n);
    case AXDR_UTF8_STRING:
        return axdr_put_utf8_string(e, p, n);
    default:
        return axdr_put_octet_string(e, p, n);
    }
}

static int get_field(const cosem_server_t *s, const cosem_value_t *v, axdr_enc_t *e) {
    const uint8_t *p = cosem_app_ptr(s, v->offset);
    if (ctype_is_int(v->ctype)) {
        return put_int(e, v->wire, load_int(p, v->ctype));
    }
    switch (v->ctype) {
    case COSEM_CT_F32:
    case COSEM_CT_F64: {
        double x;
        if (v->ctype == COSEM_CT_F32) {
            float f;
            memcpy(&f, p, sizeof(f));
            x = f;
        } else {
            memcpy(&x, p, sizeof(x));
        }
        return v->wire == AXDR_FLOAT32 ? axdr_put_float32(e, (float)x) : axdr_put_float64(e, x);
    }
    case COSEM_CT_UTC: {
        int64_t utc;
        memcpy(&utc, p, sizeof(utc));
        return cosem_put_instant(s, e, utc);
    }
    case COSEM_CT_DT: {
        cosem_datetime_t dt;
        memcpy(&dt, p, sizeof(dt));
        return axdr_put_date_time_os(e, &dt);
    }
    default:
        return get_string(s, v, e);
    }
}

static int get_const_str(const cosem_value_t *v, axdr_enc_t *e) {
    switch (v->wire) {
    case AXDR_VISIBLE_STRING:
        return axdr_put_visible_string(e, v->data, v->size);
    case AXDR_UTF8_STRING:
        return axdr_put_utf8_string(e, v->data, v->size);
    default:
        return axdr_put_octet_string(e, v->data, v->size);
    }
}

int cosem_value_get(const cosem_server_t *s, const cosem_value_t *v, axdr_enc_t *e) {
    if (s == NULL || v == NULL || e == NULL) {
        return COSEM_ERR_BADARG;
    }
    switch (v->kind) {
    case COSEM_VAL_NULL:
        return axdr_put_null(e);
    case COSEM_VAL_CONST:
        return axdr_put_raw(e, v->data, v->size);
    case COSEM_VAL_CONST_STR:
        return get_const_str(v, e);
    case COSEM_VAL_FIELD:
        return get_field(s, v, e);
    case COSEM_VAL_CALL: {
        int rc = v->read(s->app, v->arg, e);
        return rc > 255 ? COSEM_ERR_CALLBACK : rc;
    }
    default:
        return COSEM_ERR_BINDING;
    }
}

/* ---- write ------------------------------------------------------------------------ */

static int set_int(uint8_t *p, const cosem_value_t *v, const axdr_value_t *x) {
    bool fits;
    uint64_t bits;
    if (v->wire == AXDR_BOOLEAN) {
        bits = x->b ? 1u : 0u;
        fits = true;
    } else if (wire_is_signed(v->wire)) {
        bits = (uint64_t)x->i;
        fits = fits_signed(v->ctype, x->i);
    } else {
        bits = x->u;
        fits = fits_unsigned(v->ctype, x->u);
    }
    if (!fits) {
        return DLMS_DAR_OTHER_REASON;
    }
    store_int(p, v->ctype, bits);
    return 0;
}

static int set_string(const cosem_server_t *s, const cosem_value_t *v, const axdr_value_t *x) {
    bool variable = v->len_offset != COSEM_NO_OFFSET;
    if (variable ? x->len > v->size : x->len != v->size) {
        return DLMS_DAR_OTHER_REASON;
    }
    uint8_t *p = cosem_app_ptr(s, v->offset);
    if (x->len > 0) {
        memcpy(p, x->p, x->len);
    }
    memset(p + x->len, 0, v->size - x->len);
    if (variable) {
        uint8_t len = (uint8_t)x->len;
        memcpy(cosem_app_ptr(s, v->len_offset), &len, 1);
    }
    return 0;
}

static bool dt_all_unspecified(const cosem_datetime_t *dt) {
    cosem_datetime_t none;
    uint8_t a[COSEM_DATETIME_LEN], b[COSEM_DATETIME_LEN];
    cosem_datetime_set_unspecified(&none);
    cosem_datetime_pack(dt, a);
    cosem_datetime_pack(&none, b);
    return memcmp(a, b, sizeof(a)) == 0;
}

static int set_datetime(const cosem_server_t *s, const cosem_value_t *v, axdr_dec_t *d) {
    cosem_datetime_t dt;
    if (axdr_get_date_time(d, &dt) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (!cosem_datetime_is_valid(&dt)) {
        return DLMS_DAR_OTHER_REASON;
    }
    uint8_t *p = cosem_app_ptr(s, v->offset);
    if (v->ctype == COSEM_CT_DT) {
        memcpy(p, &dt, sizeof(dt));
        return 0;
    }
    int64_t utc = 0;
    if (!dt_all_unspecified(&dt) && (cosem_datetime_to_instant(s, &dt, &utc) != 0 || utc == 0)) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(p, &utc, sizeof(utc));
    return 0;
}

static int set_field(const cosem_server_t *s, const cosem_value_t *v, axdr_dec_t *d) {
    if (v->ctype == COSEM_CT_UTC || v->ctype == COSEM_CT_DT) {
        return set_datetime(s, v, d);
    }
    axdr_value_t x;
    if (axdr_get_value(d, &x) != 0 || x.tag != v->wire) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    uint8_t *p = cosem_app_ptr(s, v->offset);
    if (ctype_is_int(v->ctype)) {
        return set_int(p, v, &x);
    }
    if (v->ctype == COSEM_CT_F32) {
        float f = x.tag == AXDR_FLOAT32 ? x.f32 : (float)x.f64;
        memcpy(p, &f, sizeof(f));
        return 0;
    }
    if (v->ctype == COSEM_CT_F64) {
        double f = x.tag == AXDR_FLOAT32 ? (double)x.f32 : x.f64;
        memcpy(p, &f, sizeof(f));
        return 0;
    }
    return set_string(s, v, &x);
}

int cosem_value_set(const cosem_server_t *s, const cosem_value_t *v, axdr_dec_t *d) {
    if (s == NULL || v == NULL || d == NULL) {
        return COSEM_ERR_BADARG;
    }
    if (v->kind == COSEM_VAL_FIELD) {
        return set_field(s, v, d);
    }
    if (v->kind == COSEM_VAL_CALL && v->write != NULL) {
        int rc = v->write(s->app, v->arg, d);
        return rc > 255 ? COSEM_ERR_CALLBACK : rc;
    }
    return DLMS_DAR_READ_WRITE_DENIED;
}

int cosem_value_zero(const cosem_server_t *s, const cosem_value_t *v) {
    if (s == NULL || v == NULL) {
        return COSEM_ERR_BADARG;
    }
    if (v->kind != COSEM_VAL_FIELD || !ctype_is_int(v->ctype)) {
        return DLMS_DAR_READ_WRITE_DENIED;
    }
    store_int(cosem_app_ptr(s, v->offset), v->ctype, 0);
    return 0;
}

int cosem_value_set_utc(const cosem_server_t *s, const cosem_value_t *v, int64_t utc) {
    if (s == NULL || v == NULL) {
        return COSEM_ERR_BADARG;
    }
    if (v->kind == COSEM_VAL_FIELD && v->ctype == COSEM_CT_UTC) {
        memcpy(cosem_app_ptr(s, v->offset), &utc, sizeof(utc));
    }
    return 0;
}
