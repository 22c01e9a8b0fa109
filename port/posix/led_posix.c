/*
 * led_posix.c - the metrology LED on the host: pulses are counted per
 * channel (active, reactive) so tests and the operator API can read them.
 */
#include "port_posix.h"

void em_posix_led_pulse(void *user, unsigned channel, uint32_t count)
{
    em_port_posix_t *st = user;
    if (st != NULL && channel < 2)
        st->led_pulses[channel] += count;
}
