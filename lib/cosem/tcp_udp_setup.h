/*
 * tcp_udp_setup.h - interface class TCP-UDP setup (class_id 41, version 0;
 * DLMS UA Blue Book "TCP-UDP setup", dlms-facts §1.1):
 *
 *   2 TCP-UDP_port         long-unsigned, the port the DLMS/COSEM server
 *                          listens on (IANA 4059 for DLMS/COSEM); 1..65535
 *   3 IP_reference         octet-string(6): the IPv4 setup object (class
 *                          42) of the table the port runs over
 *   4 MSS                  long-unsigned, maximum segment size, 40..65535
 *                          (Blue Book range; default 576)
 *   5 nb_of_sim_conn       unsigned, simultaneous connections, 1..the
 *                          definition's max_connections (what the meter can
 *                          serve; a larger value is refused, other-reason)
 *   6 inactivity_time_out  long-unsigned, seconds without a frame after
 *                          which the meter closes the connection; 0: never
 *   no methods
 *
 * All writable. The meter applies a new port / limits to the next
 * connection it accepts (notify SET tells it to re-read).
 */
#ifndef EMETER_COSEM_TCP_UDP_SETUP_H
#define EMETER_COSEM_TCP_UDP_SETUP_H

#include <stdint.h>

#include "cosem/cosem.h"

#define COSEM_CLASS_TCP_UDP_SETUP 41u
#define COSEM_TCP_UDP_DLMS_PORT   4059u
#define COSEM_TCP_UDP_MSS_MIN     40u

extern const cosem_class_t cosem_class_tcp_udp_setup;

typedef struct cosem_tcp_udp_state {
    uint16_t port;                /* attr 2 */
    uint8_t ip_reference[6];      /* attr 3 */
    uint16_t mss;                 /* attr 4 */
    uint8_t nb_of_sim_conn;       /* attr 5 */
    uint16_t inactivity_time_out; /* attr 6, s */
} cosem_tcp_udp_state_t;

typedef struct cosem_tcp_udp_def {
    uint32_t state;          /* COSEM_STATE(cosem_tcp_udp_state_t, app_t, member) */
    uint8_t max_connections; /* upper bound of nb_of_sim_conn (>= 1) */
} cosem_tcp_udp_def_t;

/* Port 4059, the given IPv4 setup, MSS 576, 1 connection, 120 s. */
void cosem_tcp_udp_init(cosem_tcp_udp_state_t *st, const uint8_t ip_reference[6]);

#endif /* EMETER_COSEM_TCP_UDP_SETUP_H */
