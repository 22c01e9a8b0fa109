/*
 * led_posix.c - the metrology LED on the host: pulses are counted per
 * channel (active, reactive) so tests and the operator API can read them;
 * and the breaker relay, whose position is recorded the same way.
 */
#include "port_posix.h"

void em_posix_led_pulse(void *user, unsigned channel, uint32_t count)
{
    em_port_posix_t *st = user;
    if (st != NULL && channel < 2)
        st->led_pulses[channel] += count;
}

void em_posix_relay(void *user, bool closed)
{
    em_port_posix_t *st = user;
    if (st == NULL)
        return;
    if (st->relay_closed != closed)
        st->relay_switches++;
    st->relay_closed = closed;
}
