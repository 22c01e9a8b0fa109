/*
 * obis_parse.c - reading and printing OBIS codes for the dlms tool
 * (IEC 62056-6-1 value groups A..F; notations in obis_parse.h).
 *
 * The code is scanned once into numbers and the separators between them;
 * the separator pattern then says which notation it is, so every notation
 * shares one number reader and one set of error messages.
 */
#include "obis_parse.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define OBIS_MAX_TOKENS 8

static int obis_fail(char *err, size_t errlen, const char *code, const char *why) {
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "OBIS '%s': %s", code, why);
    }
    return -1;
}

static int obis_hex_digit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The 12-hex-digit form (with an optional 0x). */
static bool obis_parse_hex(const char *s, size_t len, uint8_t out[6]) {
    if (len == 14 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        len -= 2;
    }
    if (len != 12) {
        return false;
    }
    for (size_t i = 0; i < 12; i++) {
        if (obis_hex_digit(s[i]) < 0) {
            return false;
        }
    }
    for (size_t i = 0; i < 6; i++) {
        out[i] = (uint8_t)(obis_hex_digit(s[2 * i]) << 4 | obis_hex_digit(s[2 * i + 1]));
    }
    return true;
}

typedef struct obis_tokens {
    unsigned value[OBIS_MAX_TOKENS];
    char sep[OBIS_MAX_TOKENS]; /* separator after value[i]; sep[count-1] = 0 */
    size_t count;
} obis_tokens_t;

/* Numbers separated by single characters of "-:.*&". */
static int obis_scan(const char *s, size_t len, obis_tokens_t *t, const char *code, char *err,
                     size_t errlen) {
    char why[64];
    size_t i = 0;
    memset(t, 0, sizeof *t);
    while (i < len) {
        if (t->count == OBIS_MAX_TOKENS) {
            return obis_fail(err, errlen, code, "too many value groups");
        }
        if (!isdigit((unsigned char)s[i])) {
            snprintf(why, sizeof why, "expected a number at position %zu", i + 1);
            return obis_fail(err, errlen, code, why);
        }
        unsigned v = 0;
        size_t digits = 0;
        while (i < len && isdigit((unsigned char)s[i])) {
            v = v * 10u + (unsigned)(s[i++] - '0');
            if (++digits > 3) {
                break;
            }
        }
        if (digits > 3 || v > 255) {
            snprintf(why, sizeof why, "value group %zu is above 255", t->count + 1);
            return obis_fail(err, errlen, code, why);
        }
        t->value[t->count] = v;
        if (i < len) {
            if (strchr("-:.*&", s[i]) == NULL || s[i] == '\0') {
                snprintf(why, sizeof why, "unexpected character '%c' at position %zu", s[i], i + 1);
                return obis_fail(err, errlen, code, why);
            }
            t->sep[t->count] = s[i++];
            if (i == len) {
                return obis_fail(err, errlen, code, "ends with a separator");
            }
        }
        t->count++;
    }
    return 0;
}

/* Which notation the separators spell; F defaults to 255 when omitted. */
static int obis_match(const obis_tokens_t *t, uint8_t out[6]) {
    static const char *const forms[] = {".....", "....", "-:..*", "-:..&", "-:...", "-:.."};
    char seps[OBIS_MAX_TOKENS + 1] = {0};
    for (size_t i = 0; i + 1 < t->count; i++) {
        seps[i] = t->sep[i];
    }
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        if (strcmp(seps, forms[f]) == 0) {
            for (size_t i = 0; i < 6; i++) {
                out[i] = i < t->count ? (uint8_t)t->value[i] : 255;
            }
            return 0;
        }
    }
    return -1;
}

int obis_parse(const char *s, uint8_t out[6], char *err, size_t errlen) {
    if (s == NULL) {
        return obis_fail(err, errlen, "", "missing");
    }
    while (isspace((unsigned char)*s)) {
        s++;
    }
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1])) {
        len--;
    }
    char code[64];
    snprintf(code, sizeof code, "%.*s", (int)(len < 40 ? len : 40), s);
    if (len == 0) {
        return obis_fail(err, errlen, code, "empty");
    }
    if (obis_parse_hex(s, len, out)) {
        return 0;
    }
    if (strspn(s, "0123456789abcdefABCDEFxX") >= len && len > 3) {
        return obis_fail(err, errlen, code, "a hex OBIS code has 12 digits");
    }
    obis_tokens_t t;
    if (obis_scan(s, len, &t, code, err, errlen) != 0) {
        return -1;
    }
    if (obis_match(&t, out) != 0) {
        return obis_fail(err, errlen, code,
                         "not an OBIS code (use A.B.C.D.E.F, A-B:C.D.E*F or 12 hex digits)");
    }
    return 0;
}

void obis_format(const uint8_t obis[6], char out[OBIS_STR_MAX]) {
    snprintf(out, OBIS_STR_MAX, "%u.%u.%u.%u.%u.%u", obis[0], obis[1], obis[2], obis[3], obis[4],
             obis[5]);
}

void obis_format_iec(const uint8_t obis[6], char out[OBIS_STR_MAX]) {
    snprintf(out, OBIS_STR_MAX, "%u-%u:%u.%u.%u*%u", obis[0], obis[1], obis[2], obis[3], obis[4],
             obis[5]);
}
