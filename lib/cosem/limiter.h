/*
 * limiter.h - interface class Limiter (class_id 71, version 0; DLMS UA
 * 1000-1 Blue Book "Limiter", IEC 62056-6-2:2017 clause 4.5.9): watches one
 * attribute of another object and runs a script when the value stays above
 * a threshold for a minimum time (typically a local disconnect through the
 * disconnect control Script table 0.0.10.0.106.255), and another when it
 * stays below it again (a local reconnect, or nothing).
 *
 * Attributes (all but 3 and 10 writable):
 *   2  monitored_value  structure{class_id long-unsigned, logical_name
 *                       octet-string(6), attribute_index integer}
 *   3  threshold_active the threshold in force (read-only here: it is
 *                       threshold_emergency while the emergency profile is
 *                       active, else threshold_normal)
 *   4  threshold_normal, 5 threshold_emergency: of the monitored value's type
 *   6  min_over_threshold_duration, 7 min_under_threshold_duration:
 *                       double-long-unsigned, seconds
 *   8  emergency_profile structure{emergency_profile_id long-unsigned,
 *                       emergency_activation_time octet-string(12) date-time,
 *                       emergency_duration double-long-unsigned (s)}
 *   9  emergency_profile_group_id_list  array of long-unsigned
 *   10 emergency_profile_active  boolean (read-only)
 *   11 actions          structure{action_over_threshold structure{
 *                       script_logical_name octet-string(6), script_selector
 *                       long-unsigned}, action_under_threshold structure{...}}
 * No methods.
 *
 * ---- SET checks -------------------------------------------------------------
 *
 *   monitored_value   the object must be in the table with that class_id,
 *                     the attribute must exist (>= 2) and read as a number
 *                     now (integer types, enum, boolean, float32/64);
 *                     otherwise other-reason. Writing it restarts the
 *                     duration counting (not the over/under state).
 *   thresholds 4, 5   a number (type-unmatched otherwise) of the same
 *                     A-XDR type as the monitored value reads now (type-
 *                     unmatched otherwise; any numeric type while no
 *                     monitored value is configured or it cannot be read);
 *                     NaN: other-reason
 *   durations 6, 7    double-long-unsigned (type-unmatched)
 *   emergency_profile activation time all "not specified" (no emergency)
 *                     or a concrete date-time (local time of the Clock
 *                     unless it carries a deviation); else other-reason
 *   group id list     at most EM_COSEM_LIMITER_GROUP_IDS ids (other-reason)
 *   actions           each reference "no action" (selector 0 or an all-zero
 *                     name) or a Script table of the table (other-reason);
 *                     the selector is not checked (the script table may be
 *                     reprogrammed later)
 *
 * ---- Evaluation: cosem_limiter_tick(s, obj, utc) ------------------------------
 *
 * Call it at least once per second, or every N seconds: durations are
 * measured between the instants given, not by counting calls, so any step
 * is exact to the instant of the first tick at or after the duration.
 *
 * 1. The emergency profile is active while its emergency_profile_id is in
 *    the group id list and activation_time <= utc < activation_time +
 *    emergency_duration (Blue Book: "activated if the emergency_profile_id
 *    element matches one of the elements on the emergency_profile_group_id_
 *    list, and time matches the emergency_activation_time and emergency_
 *    duration element"). threshold_active is then threshold_emergency, else
 *    threshold_normal; emergency_profile_active shows it.
 * 2. The monitored attribute is read through the object layer (the target
 *    class's get, as a request would, with the meter's own authority).
 *    "Over" is value > threshold_active, compared as numbers (integers
 *    exactly); a value equal to the threshold is not over.
 * 3. The value a tick reads stands until the next tick. The limiter keeps
 *    the instant the value was first seen on its current side of the
 *    threshold. While the limiter is "under" (the state at start-up and
 *    after the under action), a value over for min_over_threshold_duration
 *    seconds runs action_over_threshold once and the limiter is "over";
 *    while "over", a value not over for min_under_threshold_duration runs
 *    action_under_threshold once and the limiter is "under" again. A value
 *    that crosses back before the duration restarts the count. A duration
 *    of 0 acts at the first tick that sees the value on that side.
 * 4. A tick at an instant before the previous one (clock set back) restarts
 *    the count at that instant; nothing runs for it.
 *
 * A threshold without a value (type null: not configured), or no monitored
 * value configured, makes the tick do nothing. The over/under state and the
 * counting instants are runtime data: the application may persist them
 * with the rest of the state (then a count continues across a restart) or
 * clear them with cosem_limiter_reset_runtime() after restoring the
 * configuration (then counting restarts, and a meter disconnected by the
 * limiter is reconnected by the under action only after a new over).
 *
 * The tick returns the flags COSEM_LIMITER_RAN_OVER / _RAN_UNDER (an action
 * ran: the application logs "limiter threshold exceeded" 65 / "ok" 66) and
 * COSEM_LIMITER_THRESHOLD_SWITCHED (threshold_active changed between normal
 * and emergency), or a negative error: COSEM_ERR_LIMITER_VALUE when the
 * monitored value cannot be read (nothing changes), or the error of a
 * script that failed (COSEM_ERR_SCRIPT_*: the limiter state has moved on
 * regardless, so a refused disconnect is not retried every second).
 */
#ifndef EMETER_COSEM_LIMITER_H
#define EMETER_COSEM_LIMITER_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "dlms/datetime.h"

#define COSEM_CLASS_LIMITER 71u

extern const cosem_class_t cosem_class_limiter;

/* Errors of the Limiter (-0x0970..-0x097F). */
#define COSEM_ERR_LIMITER_VALUE (-0x0970) /* monitored attribute unreadable or not a number */

/* Flags returned by cosem_limiter_tick(). */
#define COSEM_LIMITER_RAN_OVER           1
#define COSEM_LIMITER_RAN_UNDER          2
#define COSEM_LIMITER_THRESHOLD_SWITCHED 4

typedef struct cosem_limiter_emergency {
    uint16_t id;                 /* emergency_profile_id */
    cosem_datetime_t activation; /* as written (all "not specified": none) */
    uint32_t duration;           /* s */
} cosem_limiter_emergency_t;

typedef struct cosem_limiter_state {
    /* configuration (attributes) */
    uint16_t class_id; /* monitored_value; 0: not configured */
    uint8_t ln[COSEM_LN_LEN];
    int8_t attribute_index;
    cosem_monitor_number_t threshold_normal;    /* tag 0: not configured */
    cosem_monitor_number_t threshold_emergency; /* tag 0: not configured */
    uint32_t min_over;                          /* s */
    uint32_t min_under;                         /* s */
    cosem_limiter_emergency_t emergency;
    uint8_t group_count;
    uint16_t group_ids[EM_COSEM_LIMITER_GROUP_IDS];
    cosem_script_ref_t action_over;
    cosem_script_ref_t action_under;
    /* runtime (see above) */
    bool emergency_active; /* attribute 10, as of the last tick */
    bool over;             /* the over action ran last */
    bool seen;             /* side_over / side_since are valid */
    bool side_over;        /* the side the value was last seen on */
    int64_t side_since;    /* UTC since it is on that side */
    int64_t last_tick;     /* UTC of the last counted tick */
} cosem_limiter_state_t;

typedef struct cosem_limiter_def {
    uint32_t state; /* COSEM_STATE(cosem_limiter_state_t, app_t, member) */
} cosem_limiter_def_t;

/* Nothing configured: no monitored value, thresholds null, durations 0, no
 * emergency profile, empty group list, no actions, state "under". */
void cosem_limiter_init(cosem_limiter_state_t *st);
/* Clears the runtime part (state "under", counting restarts). */
void cosem_limiter_reset_runtime(cosem_limiter_state_t *st);
/* The state of a Limiter object, NULL for other objects. */
cosem_limiter_state_t *cosem_limiter_state(const cosem_server_t *s, const cosem_object_t *obj);
/* True when the emergency profile is active at utc (rule 1 above). */
bool cosem_limiter_emergency_at(const cosem_server_t *s, const cosem_limiter_state_t *st,
                                int64_t utc);
/* One evaluation at UTC utc (see above): flags >= 0 or a negative error. */
int cosem_limiter_tick(cosem_server_t *s, const cosem_object_t *obj, int64_t utc);

/* Short English reason for COSEM_ERR_LIMITER_* (other codes:
 * cosem_sched_strerror / cosem_strerror). */
const char *cosem_limiter_strerror(int err);

#endif /* EMETER_COSEM_LIMITER_H */
