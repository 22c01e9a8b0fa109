/*
 * apdu_internal.h - helpers shared by the xDLMS APDU codec files
 * (apdu_get.c, apdu_set.c, apdu_action.c, apdu_misc.c, apdu_stream.c,
 * apdu_gbt.c). Not part of the public API: include apdu.h instead.
 *
 * Encoding goes through an A-XDR encoder (axdr.h) in write mode, so every
 * field shares its sticky overflow; fixed-size fields are written with
 * axdr_put_raw() and lengths with axdr_put_length(). Decoding reads the
 * public cursor of axdr_dec_t byte by byte (no unaligned access).
 */
#ifndef EMETER_DLMS_APDU_INTERNAL_H
#define EMETER_DLMS_APDU_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlms/apdu.h"
#include "dlms/axdr.h"

/* ---- encoding ------------------------------------------------------------ */

int apdu_put_u8(axdr_enc_t *e, uint8_t v);
int apdu_put_u16(axdr_enc_t *e, uint16_t v);
int apdu_put_u32(axdr_enc_t *e, uint32_t v);
/* An A-XDR SEQUENCE OF count, 1..EM_DLMS_MAX_LIST (else _LIST_*). */
int apdu_put_list_count(axdr_enc_t *e, uint8_t count);

/* Starts a write-mode encoder on out (BADARG when out is NULL). */
int apdu_enc_begin(axdr_enc_t *e, uint8_t *out, size_t cap);
/* Length written, or the error mapped to DLMS_APDU_ERR_* with out[0..cap)
 * zeroed. `rc` is an error found by the caller (0 if none). */
int apdu_enc_finish(axdr_enc_t *e, int rc);

/* ---- decoding ------------------------------------------------------------ */

int apdu_get_u8(axdr_dec_t *d, uint8_t *v);
int apdu_get_u16(axdr_dec_t *d, uint16_t *v);
int apdu_get_u32(axdr_dec_t *d, uint32_t *v);
int apdu_get_bytes(axdr_dec_t *d, uint8_t *out, size_t n);
/* OPTIONAL presence / two-way CHOICE byte: 00 or 01, else _FLAG. */
int apdu_get_flag(axdr_dec_t *d, bool *set);
/* An A-XDR length-prefixed OCTET STRING as a slice (_TRUNCATED when the
 * input ends early, _LENGTH for a malformed length field). */
int apdu_get_octets(axdr_dec_t *d, dlms_slice_t *out);

/* Starts decoding one APDU: NULL checks, tag, and the type byte that
 * follows it. The type is checked by the caller. */
int apdu_dec_begin(axdr_dec_t *d, const uint8_t *in, size_t len, uint8_t tag, uint8_t *type);
/* _TRAILING unless the whole input was consumed. */
int apdu_dec_end(const axdr_dec_t *d);
/* Map an A-XDR decoder error to DLMS_APDU_ERR_*. */
int apdu_map_axdr_err(int rc);

/* ---- streaming engine (apdu_stream.c) -------------------------------------- */

/* Longest header in front of a normal GET/ACTION response body. */
#define APDU_NORMAL_PREFIX_MAX 4

/* Header of the normal (or with-list) response of a service: C4 01 iid 00,
 * C4 03 iid, C7 01 iid, C7 03 iid. Returns its length. */
size_t apdu_normal_prefix(uint8_t service, uint8_t invoke_id, bool list_form,
                          uint8_t prefix[APDU_NORMAL_PREFIX_MAX]);

/* Shared by the GET and ACTION stream starts: measure, then the normal
 * response or block 1. */
int apdu_stream_start(dlms_block_stream_t *s, uint8_t service, uint8_t invoke_id, bool list_form,
                      dlms_apdu_producer_t produce, void *user, size_t max_pdu, uint8_t *out,
                      size_t cap);

/* Writes the next block of an active stream. A producer failure ends the
 * stream (s->active false) and returns its error; _BUFFER / _PDU_SIZE leave
 * the stream as it was. */
int apdu_stream_next_block(dlms_block_stream_t *s, size_t max_pdu, uint8_t *out, size_t cap);

#endif /* EMETER_DLMS_APDU_INTERNAL_H */
