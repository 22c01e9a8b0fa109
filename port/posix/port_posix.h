/*
 * port_posix.h - the Linux implementation of port/port.h.
 *
 * One em_port_posix_t per meter holds that meter's platform state: its flash
 * image file, its clock (offset and rate: simulated time) and its log settings. The
 * function em_port_posix_init() fills an em_port_t whose callbacks point at
 * this state, so a fleet of meters in one process each gets its own door.
 *
 * Flash is a file of sector_size * sector_count bytes with NOR semantics
 * (erase sets 0xFF, program only clears bits), written with pwrite and made
 * durable with fdatasync at the store's commit points.
 */
#ifndef EMETER_PORT_POSIX_H
#define EMETER_PORT_POSIX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "port.h"

typedef struct em_port_posix {
    int flash_fd;                 /* -1 when the meter has no flash image */
    em_flash_geometry_t geometry; /* copy of the geometry the file was opened with */
    int64_t rtc_offset_s;         /* speed 1: simulated UTC = system UTC + offset */
    /* Accelerated time (em_posix_rtc_set_speed): with rtc_speed > 1 the
     * simulated UTC is rtc_base_utc + (monotonic ms - rtc_base_ms) x
     * rtc_speed / 1000; 0 or 1 is real time (the offset above). */
    uint32_t rtc_speed;
    int64_t rtc_base_utc;
    uint64_t rtc_base_ms;
    /* Sum of the jumps made by rtc_set (new time - time it replaced): the
     * host reads and clears it to tell a clock set from elapsed time. */
    int64_t rtc_set_shift_s;
    enum em_log_level log_level; /* messages above this level are dropped */
    FILE *log_stream;            /* stderr unless the host program changes it */
    const char *log_tag;         /* prefix identifying the meter in a fleet; may be NULL */
    /* Fault injection for tests: when >= 0, the next flash_program writes
     * only this many bytes of its buffer and then fails, like a power cut in
     * the middle of a write. Reset to -1 after it fires. */
    long tear_next_program_at;
    uint64_t led_pulses[2]; /* pulses seen on the active and reactive LED */
    bool relay_closed;      /* breaker relay position last driven (true after init) */
    uint32_t relay_switches; /* relay drives that changed the position */
} em_port_posix_t;

/* Fill port with callbacks bound to state. flash_path may be NULL (no
 * flash). The image is created (erased, all 0xFF) when missing, and refused
 * when its size does not match the geometry. Returns 0 or EM_PORT_ERR_*. */
int em_port_posix_init(em_port_t *port, em_port_posix_t *state, const char *flash_path,
                       const em_flash_geometry_t *geometry);

/* Close the flash image. */
void em_port_posix_deinit(em_port_posix_t *state);

/* The individual callbacks, exposed so tests can call them directly. */
uint64_t em_posix_monotonic_ms(void *user);
int64_t em_posix_rtc_get(void *user);
int em_posix_rtc_set(void *user, int64_t utc_seconds);

/* Accelerated time: simulated time runs speed (1..EM_POSIX_RTC_SPEED_MAX)
 * times faster than real time from now on, continuing from the current
 * value (1 = the plain offset model). EM_PORT_ERR_BADARG otherwise. */
#define EM_POSIX_RTC_SPEED_MAX 100000u
int em_posix_rtc_set_speed(em_port_posix_t *st, uint32_t speed);
/* The RTC model as pure functions of the host clocks (system UTC seconds,
 * monotonic ms), for tests: the time at those readings, and a set to
 * utc_seconds made at them (re-bases, adds the jump to rtc_set_shift_s). */
int64_t em_posix_rtc_at(const em_port_posix_t *st, int64_t system_s, uint64_t mono_ms);
void em_posix_rtc_set_at(em_port_posix_t *st, int64_t utc_seconds, int64_t system_s,
                         uint64_t mono_ms);
int em_posix_flash_read(void *user, uint32_t addr, void *buf, size_t len);
int em_posix_flash_program(void *user, uint32_t addr, const void *buf, size_t len);
int em_posix_flash_erase(void *user, uint32_t sector);
int em_posix_flash_sync(void *user);
int em_posix_flash_open(em_port_posix_t *state, const char *path,
                        const em_flash_geometry_t *geometry);
int em_posix_entropy(void *user, uint8_t *buf, size_t len);
void em_posix_led_pulse(void *user, unsigned channel, uint32_t count);
void em_posix_relay(void *user, bool closed);
void em_posix_log(void *user, enum em_log_level level, const char *module, const char *msg);
/* port.h resolve: getaddrinfo, IPv4 only (blocks for a DNS round trip). */
int em_posix_resolve(void *user, const char *host, uint32_t *ipv4);

#endif /* EMETER_PORT_POSIX_H */
