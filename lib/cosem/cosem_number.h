/*
 * cosem_number.h - the numbers a monitoring class compares: a scalar of one
 * of the numeric A-XDR types a Register / Data value may carry (integer,
 * long, double-long, long64 and their unsigned forms, enum, boolean,
 * float32, float64), held as cosem_monitor_number_t. Shared by Register
 * monitor (class_id 21, Blue Book "Register monitor") and Limiter (class_id
 * 71, Blue Book "Limiter", IEC 62056-6-2:2017 clause 4.5.9), which both keep
 * thresholds of the monitored value's type and read the monitored attribute
 * through the object layer, as the meter itself (no access rights).
 */
#ifndef EMETER_COSEM_NUMBER_H
#define EMETER_COSEM_NUMBER_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

/* True for the numeric A-XDR tags listed above. */
bool cosem_number_is_numeric(uint8_t tag);

/* A decoded scalar as a number: 0, DLMS_DAR_TYPE_UNMATCHED for a
 * non-numeric type (out->tag is then 0), DLMS_DAR_OTHER_REASON for NaN. */
int cosem_number_from_value(const axdr_value_t *v, cosem_monitor_number_t *out);

/* value > threshold; exact for integers of either signedness, through
 * double when either is a float. */
bool cosem_number_above(const cosem_monitor_number_t *value, const cosem_monitor_number_t *thr);

/* Encodes n with its own A-XDR type; null-data when it holds no number. */
int cosem_number_put(axdr_enc_t *e, const cosem_monitor_number_t *n);

/* The object a monitored_value {class_id, logical_name, attribute_index}
 * names: in the table, of that class, attribute 2..attr_count, present;
 * NULL otherwise. */
const cosem_object_t *cosem_number_monitored(const cosem_server_t *s, uint16_t class_id,
                                             const uint8_t ln[COSEM_LN_LEN], int8_t attr);

/* Reads that attribute through the class's get, as the meter (no access
 * rights), and decodes it as one number: true on success, false when the
 * object is not there, the read fails or the value is not exactly one
 * number. */
bool cosem_number_read(cosem_server_t *s, uint16_t class_id, const uint8_t ln[COSEM_LN_LEN],
                       int8_t attr, cosem_monitor_number_t *out);

#endif /* EMETER_COSEM_NUMBER_H */
