/*
 * gsm_diagnostic.h - interface class GSM diagnostic (class_id 47, version
 * 2; DLMS UA Blue Book "GSM diagnostic"). Version 2 as SMR 5 meters expose
 * it (OSGP InterfaceClass GSM_DIAGNOSTIC(47, 2); dlms-facts §1.1 notes
 * smr500.json says 0: U). The layout is the one OSGP's SMR 5 simulator
 * and Gurux (version >= 1) encode: cell_ID double-long-unsigned and the
 * three network fields in cell_info.
 *
 *   2 operator        visible-string, the network operator's name
 *   3 status          enum: 0 not registered, 1 registered home network,
 *                     2 not registered but searching, 3 registration
 *                     denied, 4 unknown, 5 registered roaming
 *   4 cs_attachment   enum: 0 inactive, 1 incoming call, 2 active
 *   5 ps_status       enum: 0 inactive, 1 GPRS, 2 EDGE, 3 UMTS, 4 HSDPA,
 *                     5 LTE, 6 CDMA, 7 LTE Cat M1, 8 LTE Cat NB1,
 *                     9 LTE Cat NB2
 *   6 cell_info       structure{cell_ID double-long-unsigned, location_ID
 *                     long-unsigned, signal_quality unsigned, ber
 *                     unsigned, mcc long-unsigned, mnc long-unsigned,
 *                     channel_number double-long-unsigned}
 *   7 adjacent_cells  array of structure{cell_ID double-long-unsigned,
 *                     signal_quality unsigned}
 *   8 capture_time    octet-string(12) date-time of the last update, in
 *                     the meter's local time (not specified before one)
 *   no methods
 *
 * All read-only: the modem model (or the link emulation) feeds them with
 * cosem_gsm_diagnostic_update(). signal_quality is the 3GPP TS 27.007
 * AT+CSQ scale: 0 = -113 dBm or less, 1 = -111 dBm, 2..30 = -109..-53 dBm
 * in 2 dB steps, 31 = -51 dBm or more, 99 = not known or not detectable;
 * ber 0..7 (RXQUAL) or 99.
 *
 * ---- Display levels (seed 000 §3.3.3: "at least 4 signal strength levels")
 *
 * cosem_signal_level(q) maps the CSQ scale to the bars the LCD shows:
 *
 *   q            RSSI            level
 *   99, >31      unknown         0  (no bars: no signal / not registered)
 *   0..1         <= -111 dBm     0
 *   2..9         -109..-95 dBm   1  marginal
 *   10..14       -93..-85 dBm    2  fair
 *   15..19       -83..-75 dBm    3  good
 *   20..31       >= -73 dBm      4  excellent
 *
 * (the usual modem classification of AT+CSQ values). Levels 1..4 are the
 * four strength levels; 0 is the antenna without bars. The meter shows 0
 * as well while `status` is not 1 or 5 (not registered).
 */
#ifndef EMETER_COSEM_GSM_DIAGNOSTIC_H
#define EMETER_COSEM_GSM_DIAGNOSTIC_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/cosem.h"

#define COSEM_CLASS_GSM_DIAGNOSTIC 47u

#define COSEM_CSQ_UNKNOWN 99u

extern const cosem_class_t cosem_class_gsm_diagnostic;

typedef struct cosem_gsm_cell {
    uint32_t cell_id;
    uint16_t location_id;
    uint8_t signal_quality; /* CSQ 0..31, 99 */
    uint8_t ber;            /* 0..7, 99 */
    uint16_t mcc;
    uint16_t mnc;
    uint32_t channel_number;
} cosem_gsm_cell_t;

typedef struct cosem_gsm_adjacent {
    uint32_t cell_id;
    uint8_t signal_quality;
} cosem_gsm_adjacent_t;

typedef struct cosem_gsm_diag_state {
    uint8_t operator_len; /* attr 2 */
    uint8_t operator_name[EM_COSEM_COMM_OPERATOR_MAX];
    uint8_t status;        /* attr 3, 0..5 */
    uint8_t cs_attachment; /* attr 4, 0..2 */
    uint8_t ps_status;     /* attr 5, 0..9 */
    cosem_gsm_cell_t cell; /* attr 6 */
    uint8_t adjacent_count;
    cosem_gsm_adjacent_t adjacent[EM_COSEM_COMM_ADJACENT_CELLS]; /* attr 7 */
    int64_t capture_time;                                        /* attr 8, UTC; 0: never updated */
} cosem_gsm_diag_state_t;

typedef struct cosem_gsm_diag_def {
    uint32_t state; /* COSEM_STATE(cosem_gsm_diag_state_t, app_t, member) */
} cosem_gsm_diag_def_t;

/* Not registered, no cell (signal 99), never updated. */
void cosem_gsm_diagnostic_init(cosem_gsm_diag_state_t *st);
/* Copies a snapshot from the modem model after checking every field's
 * range (then capture_time = snap->capture_time): 0, or
 * COSEM_COMM_ERR_VALUE and nothing changes. */
int cosem_gsm_diagnostic_update(cosem_gsm_diag_state_t *st, const cosem_gsm_diag_state_t *snap);
/* The display level 0..4 of a CSQ value (table above). */
uint8_t cosem_signal_level(uint8_t csq);
/* The CSQ value of an RSSI in dBm (-113 + 2q, rounded down, 0..31). */
uint8_t cosem_csq_from_rssi(int16_t rssi_dbm);
/* The level to show for a diagnostic state: 0 unless registered. */
uint8_t cosem_gsm_display_level(const cosem_gsm_diag_state_t *st);

#endif /* EMETER_COSEM_GSM_DIAGNOSTIC_H */
