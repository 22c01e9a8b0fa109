/*
 * test_hex.c - hex helpers shared by the unit tests.
 */
#include "test_hex.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t test_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (*hex != '\0') {
        if (*hex == ' ') {
            hex++;
            continue;
        }
        int hi = nibble(hex[0]);
        int lo = hex[1] != '\0' ? nibble(hex[1]) : -1;
        assert_true(hi >= 0 && lo >= 0); /* a typo in a test vector must not pass */
        assert_true(n < cap);
        out[n++] = (uint8_t)(hi << 4 | lo);
        hex += 2;
    }
    return n;
}
