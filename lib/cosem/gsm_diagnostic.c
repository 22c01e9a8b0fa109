/*
 * gsm_diagnostic.c - interface class GSM diagnostic (class_id 47, version
 * 2; Blue Book "GSM diagnostic"): operator, status, cs_attachment,
 * ps_status, cell_info, adjacent_cells, capture_time, fed by the modem
 * model; the signal quality to display level mapping. Layout and table in
 * gsm_diagnostic.h.
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/comm.h"
#include "cosem/gsm_diagnostic.h"

_Static_assert(EM_COSEM_COMM_OPERATOR_MAX <= 255 && EM_COSEM_COMM_ADJACENT_CELLS <= 255,
               "lengths and counts are uint8_t");

static const cosem_gsm_diag_state_t *state_of(const cosem_req_t *r) {
    const cosem_gsm_diag_def_t *d = r->obj->def;
    return cosem_app_ptr(r->srv, d->state);
}

void cosem_gsm_diagnostic_init(cosem_gsm_diag_state_t *st) {
    memset(st, 0, sizeof(*st));
    st->cell.signal_quality = COSEM_CSQ_UNKNOWN;
    st->cell.ber = COSEM_CSQ_UNKNOWN;
}

static bool csq_ok(uint8_t q) {
    return q <= 31 || q == COSEM_CSQ_UNKNOWN;
}

int cosem_gsm_diagnostic_update(cosem_gsm_diag_state_t *st, const cosem_gsm_diag_state_t *snap) {
    if (st == NULL || snap == NULL) {
        return COSEM_COMM_ERR_ARG;
    }
    bool ok = snap->operator_len <= EM_COSEM_COMM_OPERATOR_MAX && snap->status <= 5 &&
              snap->cs_attachment <= 2 && snap->ps_status <= 9 &&
              csq_ok(snap->cell.signal_quality) &&
              (snap->cell.ber <= 7 || snap->cell.ber == COSEM_CSQ_UNKNOWN) &&
              snap->adjacent_count <= EM_COSEM_COMM_ADJACENT_CELLS;
    for (uint8_t i = 0; ok && i < snap->adjacent_count; i++) {
        ok = csq_ok(snap->adjacent[i].signal_quality);
    }
    for (uint8_t i = 0; ok && i < snap->operator_len; i++) {
        ok = snap->operator_name[i] >= 0x20 && snap->operator_name[i] < 0x7F; /* visible */
    }
    if (!ok) {
        return COSEM_COMM_ERR_VALUE;
    }
    if (st != snap) {
        *st = *snap;
    }
    return 0;
}

uint8_t cosem_signal_level(uint8_t csq) {
    if (csq > 31 || csq < 2) {
        return 0;
    }
    if (csq < 10) {
        return 1;
    }
    if (csq < 15) {
        return 2;
    }
    return csq < 20 ? 3 : 4;
}

uint8_t cosem_csq_from_rssi(int16_t rssi_dbm) {
    if (rssi_dbm <= -113) {
        return 0;
    }
    if (rssi_dbm >= -51) {
        return 31;
    }
    return (uint8_t)((rssi_dbm + 113) / 2);
}

uint8_t cosem_gsm_display_level(const cosem_gsm_diag_state_t *st) {
    if (st == NULL || (st->status != 1 && st->status != 5)) {
        return 0;
    }
    return cosem_signal_level(st->cell.signal_quality);
}

static int gsm_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_gsm_diag_state_t *st = state_of(r);
    switch (r->id) {
    case 2:
        return axdr_put_visible_string(
            e, (const char *)st->operator_name,
            st->operator_len <= EM_COSEM_COMM_OPERATOR_MAX ? st->operator_len : 0);
    case 3:
        return axdr_put_enum(e, st->status);
    case 4:
        return axdr_put_enum(e, st->cs_attachment);
    case 5:
        return axdr_put_enum(e, st->ps_status);
    case 6:
        axdr_put_structure(e, 7);
        axdr_put_uint32(e, st->cell.cell_id);
        axdr_put_uint16(e, st->cell.location_id);
        axdr_put_uint8(e, st->cell.signal_quality);
        axdr_put_uint8(e, st->cell.ber);
        axdr_put_uint16(e, st->cell.mcc);
        axdr_put_uint16(e, st->cell.mnc);
        return axdr_put_uint32(e, st->cell.channel_number);
    case 7: {
        uint8_t n = st->adjacent_count <= EM_COSEM_COMM_ADJACENT_CELLS ? st->adjacent_count : 0;
        axdr_put_array(e, n);
        for (uint8_t i = 0; i < n; i++) {
            axdr_put_structure(e, 2);
            axdr_put_uint32(e, st->adjacent[i].cell_id);
            axdr_put_uint8(e, st->adjacent[i].signal_quality);
        }
        return e->err;
    }
    default:
        return cosem_put_instant(r->srv, e, st->capture_time);
    }
}

static int gsm_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_gsm_diag_def_t *d = obj->def;
    return cosem_sched_check_state(s, d->state, sizeof(cosem_gsm_diag_state_t));
}

const cosem_class_t cosem_class_gsm_diagnostic = {
    .class_id = COSEM_CLASS_GSM_DIAGNOSTIC,
    .version = 2,
    .attr_count = 8,
    .method_count = 0,
    .get = gsm_get,
    .check = gsm_check,
};
