/*
 * script_ref.h - the A-XDR form of a script reference, structure
 * {script_logical_name octet-string(6), script_selector long-unsigned}, as
 * the actions of Register monitor (Blue Book "Register monitor", attribute
 * 4) and Limiter (Blue Book "Limiter", clause 4.5.9, attribute 11) carry
 * it. A reference with selector 0 or an all-zero name is "no action".
 */
#ifndef EMETER_COSEM_SCRIPT_REF_H
#define EMETER_COSEM_SCRIPT_REF_H

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

/* Decodes one reference into *out: 0, DLMS_DAR_TYPE_UNMATCHED for the
 * wrong shape, DLMS_DAR_OTHER_REASON for a name that is not 6 octets or
 * not a Script table in the server (unless it is "no action"). */
int cosem_script_ref_get(const cosem_server_t *s, axdr_dec_t *d, cosem_script_ref_t *out);

/* Encodes one reference (errors stay in e->err). */
void cosem_script_ref_put(axdr_enc_t *e, const cosem_script_ref_t *ref);

#endif /* EMETER_COSEM_SCRIPT_REF_H */
