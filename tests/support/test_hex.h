/*
 * test_hex.h - hex helpers shared by the unit tests (linked into every test
 * from tests/support).
 */
#ifndef EMETER_TEST_HEX_H
#define EMETER_TEST_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of a hex string ("C0 01 00" or "C00100"; spaces are skipped) into
 * out. Fails the running cmocka test on a non-hex character, an odd number
 * of digits or more than cap bytes. Returns the number of bytes. */
size_t test_unhex(const char *hex, uint8_t *out, size_t cap);

#endif /* EMETER_TEST_HEX_H */
