/*
 * script_ref.c - decoding and encoding a script reference (see
 * script_ref.h; Blue Book "Register monitor" / "Limiter" actions).
 */
#include <string.h>

#include "cosem/script_ref.h"

int cosem_script_ref_get(const cosem_server_t *s, axdr_dec_t *d, cosem_script_ref_t *out) {
    uint32_t n;
    const uint8_t *ln;
    size_t len;
    if (axdr_get_structure(d, &n) != 0 || n != 2 || axdr_get_octet_string(d, &ln, &len) != 0 ||
        axdr_get_uint16(d, &out->selector) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (len != COSEM_LN_LEN) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(out->ln, ln, COSEM_LN_LEN);
    return cosem_script_ref_is_null(out) || cosem_script_table_exists(s, out->ln)
               ? 0
               : (int)DLMS_DAR_OTHER_REASON;
}

void cosem_script_ref_put(axdr_enc_t *e, const cosem_script_ref_t *ref) {
    axdr_put_structure(e, 2);
    axdr_put_octet_string(e, ref->ln, COSEM_LN_LEN);
    axdr_put_uint16(e, ref->selector);
}
