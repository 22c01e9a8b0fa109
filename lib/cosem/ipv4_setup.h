/*
 * ipv4_setup.h - interface class IPv4 setup (class_id 42, version 0; DLMS
 * UA Blue Book "IPv4 setup", dlms-facts §1.1). Addresses are
 * double-long-unsigned, a.b.c.d as (a << 24) | (b << 16) | (c << 8) | d.
 *
 *   2 DL_reference           octet-string(6): the data link layer object
 *                            below (PPP setup / GPRS modem setup); must
 *                            name an object of the table
 *   3 IP_address             double-long-unsigned (0: none yet)
 *   4 multicast_IP_address   array of double-long-unsigned, each in
 *                            224.0.0.0/4, at most EM_COSEM_COMM_MULTICAST
 *   5 IP_options             array of structure{IP_option_type unsigned,
 *                            IP_option_length unsigned, IP_option_data
 *                            octet-string}; types 0x07 record route, 0x44
 *                            timestamp, 0x82 security, 0x83 loose / 0x89
 *                            strict source route (RFC 791); length is the
 *                            RFC 791 option length (data + 2)
 *   6 subnet_mask            double-long-unsigned, contiguous ones (or 0)
 *   7 gateway_IP_address     double-long-unsigned
 *   8 use_DHCP_flag          boolean: the address comes from the network
 *                            (DHCP / IPCP), "dynamic" (seed 000 §3.4)
 *   9 primary_DNS_address    double-long-unsigned
 *  10 secondary_DNS_address  double-long-unsigned
 *   method 1 add_mc_IP_address(double-long-unsigned): a multicast address;
 *            one already in the list succeeds without a copy; list full or
 *            not multicast: other-reason
 *   method 2 delete_mc_IP_address(double-long-unsigned): an address not
 *            in the list is already deleted (success)
 *   method 3 get_nbof_mc_IP_addresses(integer 0): returns long-unsigned
 *
 * The Blue Book defines these three methods for version 0; adding or
 * removing single IP options is done by writing attribute 5.
 *
 * Dynamic addressing: with use_DHCP_flag true the modem model hands the
 * lease in with cosem_ipv4_set_lease() (address, mask, gateway, the DNS
 * servers the network gave, seed 000 §3.3.3 "receive and store the IP
 * addresses of the primary and secondary DNS"), and clears it when the
 * connection ends. A client may still write attributes 3, 6, 7, 9, 10 in
 * DHCP mode; the next lease replaces them. With use_DHCP_flag false they
 * are the static configuration and leases are refused.
 */
#ifndef EMETER_COSEM_IPV4_SETUP_H
#define EMETER_COSEM_IPV4_SETUP_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/cosem.h"

#define COSEM_CLASS_IPV4_SETUP 42u

extern const cosem_class_t cosem_class_ipv4_setup;

typedef struct cosem_ipv4_option {
    uint8_t type;
    uint8_t length; /* RFC 791 option length: data_len + 2 */
    uint8_t data_len;
    uint8_t data[EM_COSEM_COMM_IP_OPTION_DATA];
} cosem_ipv4_option_t;

typedef struct cosem_ipv4_state {
    uint8_t dl_reference[6]; /* attr 2 */
    uint32_t ip_address;     /* attr 3 */
    uint8_t mc_count;        /* attr 4 */
    uint32_t multicast[EM_COSEM_COMM_MULTICAST];
    uint8_t option_count; /* attr 5 */
    cosem_ipv4_option_t options[EM_COSEM_COMM_IP_OPTIONS];
    uint32_t subnet_mask;   /* attr 6 */
    uint32_t gateway;       /* attr 7 */
    bool use_dhcp;          /* attr 8 */
    uint32_t primary_dns;   /* attr 9 */
    uint32_t secondary_dns; /* attr 10 */
} cosem_ipv4_state_t;

typedef struct cosem_ipv4_def {
    uint32_t state; /* COSEM_STATE(cosem_ipv4_state_t, app_t, member) */
} cosem_ipv4_def_t;

/* Dynamic addressing, no address yet, the given data link reference. */
void cosem_ipv4_init(cosem_ipv4_state_t *st, const uint8_t dl_reference[6]);
/* A lease from the network (DHCP mode only): 0, COSEM_COMM_ERR_STATE in
 * static mode, COSEM_COMM_ERR_VALUE for a non-contiguous mask. */
int cosem_ipv4_set_lease(cosem_ipv4_state_t *st, uint32_t ip, uint32_t mask, uint32_t gateway,
                         uint32_t dns1, uint32_t dns2);
/* The connection ended: a DHCP address, mask and gateway are forgotten
 * (the DNS servers are kept until the next lease). */
void cosem_ipv4_clear_lease(cosem_ipv4_state_t *st);
/* True for a mask of contiguous leading ones (0 included). */
bool cosem_ipv4_mask_ok(uint32_t mask);
/* True for 224.0.0.0/4. */
bool cosem_ipv4_is_multicast(uint32_t ip);

#endif /* EMETER_COSEM_IPV4_SETUP_H */
