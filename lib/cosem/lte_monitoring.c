/*
 * lte_monitoring.c - interface class LTE monitoring (class_id 151, version
 * 1; Blue Book "LTE monitoring"): network_parameters and
 * quality_of_service, read-only, fed by the modem model. Layout in
 * lte_monitoring.h.
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/comm.h"
#include "cosem/lte_monitoring.h"

static const cosem_lte_state_t *state_of(const cosem_req_t *r) {
    const cosem_lte_def_t *d = r->obj->def;
    return cosem_app_ptr(r->srv, d->state);
}

void cosem_lte_monitoring_init(cosem_lte_state_t *st) {
    memset(st, 0, sizeof(*st));
    st->qos.signal_quality = INT8_MIN;
    st->qos.signal_level = INT8_MIN;
    st->qos.snr = INT8_MIN;
}

int8_t cosem_lte_saturate(int32_t v) {
    return (int8_t)(v < INT8_MIN ? INT8_MIN : (v > INT8_MAX ? INT8_MAX : v));
}

int cosem_lte_monitoring_update(cosem_lte_state_t *st, const cosem_lte_network_t *net,
                                const cosem_lte_qos_t *qos) {
    if (st == NULL) {
        return COSEM_COMM_ERR_ARG;
    }
    if (qos != NULL && qos->coverage_enhancement > 2) {
        return COSEM_COMM_ERR_VALUE;
    }
    if (net != NULL) {
        st->net = *net;
    }
    if (qos != NULL) {
        st->qos = *qos;
    }
    return 0;
}

static int lte_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_lte_state_t *st = state_of(r);
    if (r->id == 2) {
        const cosem_lte_network_t *n = &st->net;
        axdr_put_structure(e, 9);
        axdr_put_uint16(e, n->t3402);
        axdr_put_uint16(e, n->t3412);
        axdr_put_uint32(e, n->t3412ext2);
        axdr_put_uint16(e, n->t3324);
        axdr_put_uint32(e, n->te_drx);
        axdr_put_uint16(e, n->t_ptw);
        axdr_put_int8(e, n->q_rxlev_min);
        axdr_put_int8(e, n->q_rxlev_min_ce);
        return axdr_put_int8(e, n->q_rxlev_min_ce1);
    }
    axdr_put_structure(e, 4);
    axdr_put_int8(e, st->qos.signal_quality);
    axdr_put_int8(e, st->qos.signal_level);
    axdr_put_int8(e, st->qos.snr);
    return axdr_put_enum(e, st->qos.coverage_enhancement);
}

static int lte_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_lte_def_t *d = obj->def;
    return cosem_sched_check_state(s, d->state, sizeof(cosem_lte_state_t));
}

const cosem_class_t cosem_class_lte_monitoring = {
    .class_id = COSEM_CLASS_LTE_MONITORING,
    .version = 1,
    .attr_count = 3,
    .method_count = 0,
    .get = lte_get,
    .check = lte_check,
};
