/*
 * clock_posix.c - monotonic milliseconds and the meter's real-time clock.
 *
 * The RTC is the system clock plus a per-meter offset: setting the meter's
 * clock over DLMS moves only that meter, never the host. A virtual meter
 * may also run in accelerated time (emeter --speed N): its clock then
 * runs N times faster than the host's, measured on the monotonic clock
 * from a base (the simulated UTC at a monotonic instant), and a clock set
 * re-bases it, so time continues from the new value at the same rate.
 */
#include "port_posix.h"

#include <time.h>

uint64_t em_posix_monotonic_ms(void *user) {
    (void)user;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)(ts.tv_nsec / 1000000);
}

static int64_t system_utc(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

static int accelerated(const em_port_posix_t *st) {
    return st != NULL && st->rtc_speed > 1;
}

int64_t em_posix_rtc_at(const em_port_posix_t *st, int64_t system_s, uint64_t mono_ms) {
    if (!accelerated(st))
        return system_s + (st ? st->rtc_offset_s : 0);
    /* Whole simulated seconds since the base; a monotonic clock that is
     * never behind the base keeps the result from going back. */
    uint64_t real_ms = mono_ms > st->rtc_base_ms ? mono_ms - st->rtc_base_ms : 0;
    return st->rtc_base_utc + (int64_t)(real_ms * st->rtc_speed / 1000u);
}

void em_posix_rtc_set_at(em_port_posix_t *st, int64_t utc_seconds, int64_t system_s,
                         uint64_t mono_ms) {
    st->rtc_set_shift_s += utc_seconds - em_posix_rtc_at(st, system_s, mono_ms);
    st->rtc_offset_s = utc_seconds - system_s;
    st->rtc_base_utc = utc_seconds;
    st->rtc_base_ms = mono_ms;
}

int64_t em_posix_rtc_get(void *user) {
    return em_posix_rtc_at(user, system_utc(), em_posix_monotonic_ms(NULL));
}

int em_posix_rtc_set(void *user, int64_t utc_seconds) {
    em_port_posix_t *st = user;
    if (st == NULL)
        return EM_PORT_ERR_BADARG;
    em_posix_rtc_set_at(st, utc_seconds, system_utc(), em_posix_monotonic_ms(NULL));
    return 0;
}

int em_posix_rtc_set_speed(em_port_posix_t *st, uint32_t speed) {
    if (st == NULL || speed < 1 || speed > EM_POSIX_RTC_SPEED_MAX)
        return EM_PORT_ERR_BADARG;
    int64_t sys = system_utc();
    uint64_t mono = em_posix_monotonic_ms(NULL);
    int64_t now = em_posix_rtc_at(st, sys, mono);
    int64_t shift = st->rtc_set_shift_s;
    st->rtc_speed = speed;
    /* Continue from the current time at the new rate; not a clock set. */
    em_posix_rtc_set_at(st, now, sys, mono);
    st->rtc_set_shift_s = shift;
    return 0;
}
