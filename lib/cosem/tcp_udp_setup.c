/*
 * tcp_udp_setup.c - interface class TCP-UDP setup (class_id 41, version
 * 0; Blue Book "TCP-UDP setup"): port, IP_reference, MSS, nb_of_sim_conn,
 * inactivity_time_out. Ranges in tcp_udp_setup.h.
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/comm.h"
#include "cosem/ipv4_setup.h"
#include "cosem/tcp_udp_setup.h"

static cosem_tcp_udp_state_t *state_of(const cosem_req_t *r) {
    const cosem_tcp_udp_def_t *d = r->obj->def;
    return cosem_app_ptr(r->srv, d->state);
}

void cosem_tcp_udp_init(cosem_tcp_udp_state_t *st, const uint8_t ip_reference[6]) {
    memset(st, 0, sizeof(*st));
    st->port = COSEM_TCP_UDP_DLMS_PORT;
    if (ip_reference != NULL) {
        memcpy(st->ip_reference, ip_reference, 6);
    }
    st->mss = 576;
    st->nb_of_sim_conn = 1;
    st->inactivity_time_out = 120;
}

static int tu_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_tcp_udp_state_t *st = state_of(r);
    switch (r->id) {
    case 2:
        return axdr_put_uint16(e, st->port);
    case 3:
        return axdr_put_octet_string(e, st->ip_reference, COSEM_LN_LEN);
    case 4:
        return axdr_put_uint16(e, st->mss);
    case 5:
        return axdr_put_uint8(e, st->nb_of_sim_conn);
    default:
        return axdr_put_uint16(e, st->inactivity_time_out);
    }
}

static int tu_set(const cosem_req_t *r, axdr_dec_t *v) {
    const cosem_tcp_udp_def_t *d = r->obj->def;
    cosem_tcp_udp_state_t *st = state_of(r);
    uint16_t u16;
    uint8_t u8;
    switch (r->id) {
    case 2:
        if (axdr_get_uint16(v, &u16) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (u16 == 0) {
            return DLMS_DAR_OTHER_REASON;
        }
        st->port = u16;
        return 0;
    case 3:
        return cosem_comm_get_ln_ref(r->srv, v, COSEM_CLASS_IPV4_SETUP, st->ip_reference);
    case 4:
        if (axdr_get_uint16(v, &u16) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (u16 < COSEM_TCP_UDP_MSS_MIN) {
            return DLMS_DAR_OTHER_REASON;
        }
        st->mss = u16;
        return 0;
    case 5:
        if (axdr_get_uint8(v, &u8) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (u8 == 0 || u8 > d->max_connections) {
            return DLMS_DAR_OTHER_REASON;
        }
        st->nb_of_sim_conn = u8;
        return 0;
    default:
        return cosem_comm_get_u16(v, &st->inactivity_time_out);
    }
}

static int tu_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_tcp_udp_def_t *d = obj->def;
    if (d->max_connections == 0) {
        return COSEM_ERR_TABLE;
    }
    return cosem_sched_check_state(s, d->state, sizeof(cosem_tcp_udp_state_t));
}

const cosem_class_t cosem_class_tcp_udp_setup = {
    .class_id = COSEM_CLASS_TCP_UDP_SETUP,
    .version = 0,
    .attr_count = 6,
    .method_count = 0,
    .write_mask = COSEM_BIT(2) | COSEM_BIT(3) | COSEM_BIT(4) | COSEM_BIT(5) | COSEM_BIT(6),
    .get = tu_get,
    .set = tu_set,
    .check = tu_check,
};
