/*
 * auto_answer.h - interface class Auto answer (class_id 28, version 2;
 * DLMS UA Blue Book "Auto answer"). Version 2 for attribute 7
 * list_of_allowed_callers, the DSMR wake-up whitelist (Gurux counts 7
 * attributes for version 2; OSGP's InterfaceClass lists version 0, which
 * lacks attribute 7: U, dlms-facts has no row for class 28):
 *
 *   2 mode                     enum: 0 line dedicated to the device,
 *                              1 shared line, limited number of calls,
 *                              2 shared line, limited number of
 *                              successful calls, 3 no modem connected
 *                              (Gurux numbers this one 4: U; both are
 *                              accepted); 200..255 refused
 *   3 listening_window         array of structure{start_time
 *                              octet-string(12), end_time octet-string(12)}
 *                              (comm.h)
 *   4 status                   enum: 0 inactive, 1 active, 2 locked
 *   5 number_of_calls          unsigned (0: no limit)
 *   6 number_of_rings          structure{nr_rings_in_window unsigned,
 *                              nr_rings_out_of_window unsigned} (0: do not
 *                              answer)
 *   7 list_of_allowed_callers  array of structure{caller_id octet-string,
 *                              call_type enum: 0 normal CSD call,
 *                              1 wake-up request}
 *   no methods
 *
 * All writable (status so that a client can lock the line after its
 * session, as the Blue Book describes).
 *
 * ---- The wake-up check ----------------------------------------------------
 *
 * cosem_auto_answer_caller_allowed(st, id, len, call_type) is true when
 * list_of_allowed_callers holds an entry whose caller_id equals id byte for
 * byte and whose call_type is call_type. An LTE-M meter is woken by a UDP
 * datagram (issue 8): its source address, written as dotted text
 * ("10.20.30.40"), is the caller_id, call_type 1 (wake-up request);
 * cosem_auto_answer_ip_allowed() does that formatting, and also accepts a
 * caller_id holding the 4 address bytes. An SMS wake-up uses the sender's
 * number as text. Choices:
 *   - an EMPTY list allows nobody (a wake-up from an unknown source is
 *     ignored; the factory configuration must name the head-end);
 *   - status "locked" (2) or mode 3 (no modem) refuses every caller;
 *   - no wildcards or prefixes: a caller is one address or number.
 */
#ifndef EMETER_COSEM_AUTO_ANSWER_H
#define EMETER_COSEM_AUTO_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cosem/comm.h"
#include "cosem/cosem.h"

#define COSEM_CLASS_AUTO_ANSWER 28u

extern const cosem_class_t cosem_class_auto_answer;

#define COSEM_AA_STATUS_INACTIVE 0u
#define COSEM_AA_STATUS_ACTIVE   1u
#define COSEM_AA_STATUS_LOCKED   2u

#define COSEM_AA_CALL_CSD     0u /* normal CSD call */
#define COSEM_AA_CALL_WAKE_UP 1u /* wake-up request */

typedef struct cosem_auto_answer_caller {
    uint8_t len;
    uint8_t id[EM_COSEM_COMM_CALLER_ID_MAX];
    uint8_t call_type;
} cosem_auto_answer_caller_t;

typedef struct cosem_auto_answer_state {
    uint8_t mode;         /* attr 2 */
    uint8_t window_count; /* attr 3 */
    cosem_comm_window_t windows[EM_COSEM_COMM_WINDOWS];
    uint8_t status;          /* attr 4 */
    uint8_t number_of_calls; /* attr 5 */
    uint8_t rings_in;        /* attr 6 */
    uint8_t rings_out;
    uint8_t caller_count; /* attr 7 */
    cosem_auto_answer_caller_t callers[EM_COSEM_COMM_CALLERS];
} cosem_auto_answer_state_t;

typedef struct cosem_auto_answer_def {
    uint32_t state; /* COSEM_STATE(cosem_auto_answer_state_t, app_t, member) */
} cosem_auto_answer_def_t;

/* Mode 0, no windows (always listening), status active, no call limit,
 * rings 1/1, no allowed callers. */
void cosem_auto_answer_init(cosem_auto_answer_state_t *st);
/* Adds an allowed caller (factory configuration): 0, COSEM_COMM_ERR_FULL
 * or COSEM_COMM_ERR_VALUE (empty, too long, call_type not 0/1). */
int cosem_auto_answer_add_caller(cosem_auto_answer_state_t *st, const uint8_t *id, size_t len,
                                 uint8_t call_type);
/* The wake-up check (see above). */
bool cosem_auto_answer_caller_allowed(const cosem_auto_answer_state_t *st, const uint8_t *id,
                                      size_t len, uint8_t call_type);
/* The same for an IPv4 source address (a.b.c.d as (a << 24) | ... | d). */
bool cosem_auto_answer_ip_allowed(const cosem_auto_answer_state_t *st, uint32_t ip,
                                  uint8_t call_type);
/* The listening windows at wall (comm.h). */
int cosem_auto_answer_windows(const cosem_auto_answer_state_t *st, int64_t wall,
                              cosem_comm_window_eval_t *out);

#endif /* EMETER_COSEM_AUTO_ANSWER_H */
