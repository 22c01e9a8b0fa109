/*
 * ppp_setup.h - interface class PPP setup (class_id 44, version 0; DLMS UA
 * Blue Book "PPP setup"):
 *
 *   2 PHY_reference       octet-string(6): the physical layer object below
 *                         (the GPRS modem setup); must name an object of
 *                         the table
 *   3 LCP_options         array of structure{LCP_option_type unsigned,
 *                         LCP_option_length unsigned, LCP_option_data}
 *                         types 1 MRU, 2 ACCM, 3 authentication protocol,
 *                         5 magic number, 7 protocol field compression,
 *                         8 address and control field compression, 9 FCS
 *                         alternatives, 13 callback (RFC 1661/1570)
 *   4 IPCP_options        array of structure{IPCP_option_type unsigned,
 *                         IPCP_option_length unsigned, IPCP_option_data}
 *                         types 2 IP compression protocol, 3 preferred
 *                         local IP, 20 preferred peer IP, 21 GAO, 22 USIP
 *                         (the Blue Book list as Gurux implements it)
 *   5 PPP_authentication  null-data (no authentication) or, for PAP,
 *                         structure{user_name octet-string, password
 *                         octet-string}
 *   no methods
 *
 * Option data is one of null-data, boolean, unsigned, long-unsigned,
 * double-long-unsigned, enum or an octet-string of at most
 * EM_COSEM_COMM_PPP_OPTION_DATA bytes, kept with its type and read back as
 * written. Option lengths are kept as written (not checked against the
 * data: the Blue Book carries the RFC length, not the A-XDR size).
 *
 * ---- The PAP key (seed 000 §3.3.3 "changeable PAP key") ---------------------
 *
 * The key is changed by writing attribute 5. It is never read back in
 * clear: a GET shows structure{user_name, password = empty octet-string}
 * (the structure tells a head-end that PAP is configured and for which
 * user). Neither the Blue Book nor the public DSMR/SMR material found says
 * the password must be hidden (U); the meter treats it like the LLS secret
 * of the Association LN (write-only), a key that would otherwise travel
 * to every client allowed to read the object. Because a head-end that
 * reads, edits and writes back the structure would send that empty
 * password, a PAP structure with an empty password is refused
 * (other-reason) instead of silently clearing the key. A definition with
 * show_password true reads the password in clear (test benches).
 */
#ifndef EMETER_COSEM_PPP_SETUP_H
#define EMETER_COSEM_PPP_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cosem/cosem.h"

#define COSEM_CLASS_PPP_SETUP 44u

extern const cosem_class_t cosem_class_ppp_setup;

#define COSEM_PPP_AUTH_NONE 0u
#define COSEM_PPP_AUTH_PAP  1u

typedef struct cosem_ppp_option {
    uint8_t type;
    uint8_t length;
    uint8_t tag;      /* A-XDR type of the data */
    uint8_t data_len; /* octet-string: its length */
    uint32_t value;   /* scalar data */
    uint8_t data[EM_COSEM_COMM_PPP_OPTION_DATA];
} cosem_ppp_option_t;

typedef struct cosem_ppp_state {
    uint8_t phy_reference[6]; /* attr 2 */
    uint8_t lcp_count;        /* attr 3 */
    cosem_ppp_option_t lcp[EM_COSEM_COMM_PPP_OPTIONS];
    uint8_t ipcp_count; /* attr 4 */
    cosem_ppp_option_t ipcp[EM_COSEM_COMM_PPP_OPTIONS];
    uint8_t auth; /* attr 5: COSEM_PPP_AUTH_* */
    uint8_t user_len;
    uint8_t user[EM_COSEM_COMM_PPP_USER_MAX];
    uint8_t password_len;
    uint8_t password[EM_COSEM_COMM_PPP_PASSWORD_MAX];
} cosem_ppp_state_t;

typedef struct cosem_ppp_def {
    uint32_t state;     /* COSEM_STATE(cosem_ppp_state_t, app_t, member) */
    bool show_password; /* read the PAP password in clear (never in a meter) */
} cosem_ppp_def_t;

/* No options, no authentication, the given physical layer reference. */
void cosem_ppp_init(cosem_ppp_state_t *st, const uint8_t phy_reference[6]);
/* PAP with user and password (factory configuration): 0, or
 * COSEM_COMM_ERR_VALUE (too long, empty password). */
int cosem_ppp_set_pap(cosem_ppp_state_t *st, const uint8_t *user, size_t user_len,
                      const uint8_t *password, size_t password_len);

#endif /* EMETER_COSEM_PPP_SETUP_H */
