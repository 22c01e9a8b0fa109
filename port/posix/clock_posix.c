/*
 * clock_posix.c - monotonic milliseconds and the meter's real-time clock.
 *
 * The RTC is the system clock plus a per-meter offset: setting the meter's
 * clock over DLMS moves only that meter, never the host.
 */
#include "port_posix.h"

#include <time.h>

uint64_t em_posix_monotonic_ms(void *user) {
    (void)user;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)(ts.tv_nsec / 1000000);
}

int64_t em_posix_rtc_get(void *user) {
    const em_port_posix_t *st = user;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec + (st ? st->rtc_offset_s : 0);
}

int em_posix_rtc_set(void *user, int64_t utc_seconds) {
    em_port_posix_t *st = user;
    if (st == NULL)
        return EM_PORT_ERR_BADARG;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    st->rtc_offset_s = utc_seconds - (int64_t)ts.tv_sec;
    return 0;
}
