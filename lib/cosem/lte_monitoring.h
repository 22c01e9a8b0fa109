/*
 * lte_monitoring.h - interface class LTE monitoring (class_id 151, version
 * 1; DLMS UA Blue Book "LTE monitoring"; dlms-facts §1.1 "0/1", layout as
 * Gurux GXDLMSLteMonitoring encodes version 1, OBIS 0.0.25.11.0.255):
 *
 *   2 network_parameters  structure{T3402 long-unsigned, T3412
 *                         long-unsigned, T3412ext2 double-long-unsigned,
 *                         T3324 long-unsigned, TeDRX double-long-unsigned,
 *                         TPTW long-unsigned, qRxlevMin integer,
 *                         qRxlevMinCE integer, qRxLevMinCE1 integer}
 *                         (timers in seconds as the network assigned them,
 *                         3GPP TS 24.301 / 36.304; power saving mode and
 *                         eDRX of an LTE-M module)
 *   3 quality_of_service  structure{signal_quality integer, signal_level
 *                         integer, signal_to_noise_ratio integer,
 *                         coverage_enhancement enum (0 CE mode A / level 0,
 *                         1 CE mode B / level 1, 2 CE level 2 (NB-IoT))}
 *   no methods
 *
 * Version 1 because it has quality_of_service (version 0 folds a few of
 * these fields into a 5-element network_parameters). Both attributes are
 * read-only: the modem model feeds them with cosem_lte_monitoring_update().
 * The quality values are what the module reports, saturated to
 * -128..127: signal_quality = RSRQ (dB), signal_level = RSRP (dBm),
 * signal_to_noise_ratio = SINR (dB) (the Blue Book's units are not in the
 * public sources: U).
 */
#ifndef EMETER_COSEM_LTE_MONITORING_H
#define EMETER_COSEM_LTE_MONITORING_H

#include <stdint.h>

#include "cosem/cosem.h"

#define COSEM_CLASS_LTE_MONITORING 151u

extern const cosem_class_t cosem_class_lte_monitoring;

typedef struct cosem_lte_network {
    uint16_t t3402;
    uint16_t t3412;
    uint32_t t3412ext2;
    uint16_t t3324;
    uint32_t te_drx;
    uint16_t t_ptw;
    int8_t q_rxlev_min;
    int8_t q_rxlev_min_ce;
    int8_t q_rxlev_min_ce1;
} cosem_lte_network_t;

typedef struct cosem_lte_qos {
    int8_t signal_quality;        /* RSRQ, dB */
    int8_t signal_level;          /* RSRP, dBm */
    int8_t snr;                   /* SINR, dB */
    uint8_t coverage_enhancement; /* 0..2 */
} cosem_lte_qos_t;

typedef struct cosem_lte_state {
    cosem_lte_network_t net; /* attr 2 */
    cosem_lte_qos_t qos;     /* attr 3 */
} cosem_lte_state_t;

typedef struct cosem_lte_def {
    uint32_t state; /* COSEM_STATE(cosem_lte_state_t, app_t, member) */
} cosem_lte_def_t;

/* All zero, signal -128 (nothing measured). */
void cosem_lte_monitoring_init(cosem_lte_state_t *st);
/* The modem model's values; either pointer may be NULL (kept): 0, or
 * COSEM_COMM_ERR_VALUE (coverage enhancement > 2) and nothing changes. */
int cosem_lte_monitoring_update(cosem_lte_state_t *st, const cosem_lte_network_t *net,
                                const cosem_lte_qos_t *qos);
/* A reading saturated to -128..127 (for dBm values such as RSRP -140). */
int8_t cosem_lte_saturate(int32_t v);

#endif /* EMETER_COSEM_LTE_MONITORING_H */
