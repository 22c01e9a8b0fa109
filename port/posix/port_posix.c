/*
 * port_posix.c - binds the POSIX implementations of clock, flash, entropy
 * and log to an em_port_t for one meter.
 */
#include "port_posix.h"

#include <string.h>
#include <unistd.h>

int em_port_posix_init(em_port_t *port, em_port_posix_t *state, const char *flash_path,
                       const em_flash_geometry_t *geometry) {
    memset(port, 0, sizeof(*port));
    memset(state, 0, sizeof(*state));
    state->flash_fd = -1;
    state->log_level = EM_LOG_INFO;
    state->log_stream = stderr;
    state->tear_next_program_at = -1;
    state->relay_closed = true;

    port->user = state;
    port->monotonic_ms = em_posix_monotonic_ms;
    port->rtc_get = em_posix_rtc_get;
    port->rtc_set = em_posix_rtc_set;
    port->flash_read = em_posix_flash_read;
    port->flash_program = em_posix_flash_program;
    port->flash_erase = em_posix_flash_erase;
    port->flash_sync = em_posix_flash_sync;
    port->entropy = em_posix_entropy;
    port->led_pulse = em_posix_led_pulse;
    port->relay = em_posix_relay;
    port->log = em_posix_log;
    port->resolve = em_posix_resolve;

    if (flash_path != NULL && geometry != NULL) {
        int rc = em_posix_flash_open(state, flash_path, geometry);
        if (rc != 0)
            return rc;
        port->flash = *geometry;
    }
    return 0;
}

void em_port_posix_deinit(em_port_posix_t *state) {
    if (state->flash_fd >= 0) {
        close(state->flash_fd);
        state->flash_fd = -1;
    }
}
