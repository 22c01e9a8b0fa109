/*
 * gprs_modem_setup.h - interface class GPRS modem setup (class_id 45,
 * version 0; DLMS UA Blue Book "GPRS modem setup", dlms-facts §1.1). Also
 * the LTE-M module's packet data setup (DSMR/SMR 5 use this class for
 * every cellular technology):
 *
 *   2 APN                 octet-string: empty (the network's default) or
 *                         labels of letters, digits and hyphens separated
 *                         by dots, each 1..63 characters (3GPP TS 23.003
 *                         §9.1), at most EM_COSEM_COMM_APN_MAX bytes
 *   3 PIN_code            long-unsigned, the SIM PIN (0..65535; every
 *                         value is a PIN of 4-5 digits); an eSIM without
 *                         PIN ignores it
 *   4 quality_of_service  structure{default_qos, requested_qos}, each
 *                         structure{precedence unsigned, delay unsigned,
 *                         reliability unsigned, peak_throughput unsigned,
 *                         mean_throughput unsigned}: the GPRS (R97/98) QoS
 *                         profile of 3GPP TS 24.008 §10.5.6.5, 0 =
 *                         "subscribed"; ranges precedence 0..3, delay
 *                         0..4, reliability 0..5, peak 0..9, mean 0..18 or
 *                         31 (best effort)
 *   no methods
 *
 * All writable; the values are validated as listed (type-unmatched for a
 * wrong shape, other-reason out of range). The PIN is readable to whoever
 * the object table lets read the object (the ESMR table: management only).
 * The modem model reads the state when it (re)attaches: a changed APN
 * takes effect at the next attach (notify SET).
 */
#ifndef EMETER_COSEM_GPRS_MODEM_SETUP_H
#define EMETER_COSEM_GPRS_MODEM_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cosem/cosem.h"

#define COSEM_CLASS_GPRS_MODEM_SETUP 45u

extern const cosem_class_t cosem_class_gprs_modem_setup;

typedef struct cosem_gprs_qos {
    uint8_t precedence;
    uint8_t delay;
    uint8_t reliability;
    uint8_t peak_throughput;
    uint8_t mean_throughput;
} cosem_gprs_qos_t;

typedef struct cosem_gprs_state {
    uint8_t apn_len; /* attr 2 */
    uint8_t apn[EM_COSEM_COMM_APN_MAX];
    uint16_t pin_code;              /* attr 3 */
    cosem_gprs_qos_t default_qos;   /* attr 4 */
    cosem_gprs_qos_t requested_qos; /* attr 4 */
} cosem_gprs_state_t;

typedef struct cosem_gprs_def {
    uint32_t state; /* COSEM_STATE(cosem_gprs_state_t, app_t, member) */
} cosem_gprs_def_t;

/* The given APN (checked), PIN 0, all QoS "subscribed" (0). 0, or
 * COSEM_COMM_ERR_VALUE for an APN that is not valid. */
int cosem_gprs_init(cosem_gprs_state_t *st, const char *apn);
/* True for a valid APN (see above). */
bool cosem_gprs_apn_ok(const uint8_t *apn, size_t n);
/* True when every field of q is in its range. */
bool cosem_gprs_qos_ok(const cosem_gprs_qos_t *q);

#endif /* EMETER_COSEM_GPRS_MODEM_SETUP_H */
