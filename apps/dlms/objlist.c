/*
 * objlist.c - object_list parsing and printing, and the class guess table
 * of the dlms tool (Association LN attribute 2, dlms-facts §1.2; OBIS to
 * class from dlms-facts §2.2-§2.4).
 */
#include "objlist.h"

#include <stdio.h>
#include <string.h>

#include "dlms/axdr.h"
#include "obis_parse.h"

static int ol_fail(char *err, size_t errlen, size_t index, const char *why) {
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "object_list entry %zu: %s", index + 1, why);
    }
    return -1;
}

/* access_selectors: null, or array of integer. */
static int ol_selectors(axdr_dec_t *d, objlist_attr_t *a) {
    uint32_t n = 0;
    if (axdr_next_is(d, AXDR_NULL)) {
        return axdr_get_null(d);
    }
    if (axdr_get_array(d, &n) != 0) {
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        int8_t s = 0;
        if (axdr_get_int8(d, &s) != 0) {
            return -1;
        }
        if (a->nsel < OBJLIST_MAX_SELECTORS) {
            a->sel[a->nsel++] = s;
        }
    }
    return 0;
}

static int ol_attributes(axdr_dec_t *d, objlist_entry_t *e) {
    uint32_t n = 0, fields = 0;
    if (axdr_get_array(d, &n) != 0) {
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        objlist_attr_t a;
        memset(&a, 0, sizeof a);
        if (axdr_get_structure(d, &fields) != 0 || fields != 3 || axdr_get_int8(d, &a.id) != 0 ||
            axdr_get_enum(d, &a.access) != 0 || ol_selectors(d, &a) != 0) {
            return -1;
        }
        if (e->nattr < OBJLIST_MAX_ATTRS) {
            e->attrs[e->nattr++] = a;
        }
    }
    return 0;
}

static int ol_methods(axdr_dec_t *d, objlist_entry_t *e) {
    uint32_t n = 0, fields = 0;
    if (axdr_get_array(d, &n) != 0) {
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        objlist_method_t m = {0, 0};
        bool b = false;
        if (axdr_get_structure(d, &fields) != 0 || fields != 2 || axdr_get_int8(d, &m.id) != 0) {
            return -1;
        }
        /* Association LN version 0 lists method access as a boolean. */
        if (axdr_next_is(d, AXDR_BOOLEAN)) {
            if (axdr_get_boolean(d, &b) != 0) {
                return -1;
            }
            m.access = b ? 1 : 0;
        } else if (axdr_get_enum(d, &m.access) != 0) {
            return -1;
        }
        if (e->nmeth < OBJLIST_MAX_METHODS) {
            e->meths[e->nmeth++] = m;
        }
    }
    return 0;
}

static int ol_entry(axdr_dec_t *d, objlist_entry_t *e) {
    uint32_t n = 0;
    const uint8_t *ln = NULL;
    size_t lnlen = 0;
    memset(e, 0, sizeof *e);
    if (axdr_get_structure(d, &n) != 0 || n != 4 || axdr_get_uint16(d, &e->class_id) != 0 ||
        axdr_get_uint8(d, &e->version) != 0 || axdr_get_octet_string(d, &ln, &lnlen) != 0 ||
        lnlen != 6) {
        return -1;
    }
    memcpy(e->obis, ln, 6);
    if (axdr_get_structure(d, &n) != 0 || n != 2) {
        return -1;
    }
    return ol_attributes(d, e) == 0 && ol_methods(d, e) == 0 ? 0 : -1;
}

int objlist_walk(const uint8_t *p, size_t len, int (*cb)(void *user, const objlist_entry_t *e),
                 void *user, char *err, size_t errlen) {
    axdr_dec_t d;
    uint32_t n = 0;
    static objlist_entry_t e; /* large; the tool is single-threaded */
    axdr_dec_init(&d, p, len);
    if (axdr_get_array(&d, &n) != 0) {
        if (err != NULL && errlen > 0) {
            snprintf(err, errlen, "object_list is not an array");
        }
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (ol_entry(&d, &e) != 0) {
            return ol_fail(err, errlen, i, "not {class_id, version, logical_name, access_rights}");
        }
        int rc = cb != NULL ? cb(user, &e) : 0;
        if (rc != 0) {
            return rc;
        }
    }
    if (axdr_dec_remaining(&d) != 0) {
        return ol_fail(err, errlen, n, "bytes after the list");
    }
    return 0;
}

typedef struct ol_find {
    const uint8_t *obis;
    uint16_t class_id;
} ol_find_t;

static int ol_find_cb(void *user, const objlist_entry_t *e) {
    ol_find_t *f = user;
    if (memcmp(e->obis, f->obis, 6) == 0) {
        f->class_id = e->class_id;
        return 1;
    }
    return 0;
}

uint16_t objlist_find_class(const uint8_t *p, size_t len, const uint8_t obis[6]) {
    ol_find_t f = {obis, 0};
    objlist_walk(p, len, ol_find_cb, &f, NULL, 0);
    return f.class_id;
}

/* -1 in a group matches anything. */
typedef struct ol_rule {
    int g[6];
    uint16_t class_id;
} ol_rule_t;

/* First match wins, so specific codes come before patterns. */
static const ol_rule_t ol_rules[] = {
    {{0, 0, 1, 0, 0, 255}, 8},     /* clock */
    {{0, 0, 40, 0, -1, 255}, 15},  /* association LN */
    {{0, 0, 41, 0, 0, 255}, 17},   /* SAP assignment */
    {{0, 0, 42, 0, 0, 255}, 1},    /* logical device name */
    {{0, 0, 43, 0, -1, 255}, 64},  /* security setup */
    {{0, 0, 43, 1, -1, 255}, 1},   /* invocation counter */
    {{0, 0, 44, 0, -1, 255}, 18},  /* image transfer */
    {{0, 0, 10, 0, -1, 255}, 9},   /* script tables */
    {{0, 0, 11, 0, 0, 255}, 11},   /* special days table */
    {{0, 0, 12, 0, 0, 255}, 10},   /* schedule */
    {{0, 0, 13, 0, 0, 255}, 20},   /* activity calendar */
    {{0, 0, 15, 0, -1, 255}, 22},  /* single action schedules */
    {{0, 0, 16, -1, -1, 255}, 21}, /* register / alarm monitors */
    {{0, 0, 17, 0, 0, 255}, 71},   /* limiter */
    {{0, 0, 20, 0, -1, 255}, 19},  /* IEC local port setup */
    {{0, 0, 22, 0, 0, 255}, 23},   /* IEC HDLC setup */
    {{0, 0, 25, 0, 0, 255}, 41},   /* TCP-UDP setup */
    {{0, 0, 25, 1, 0, 255}, 42},   /* IPv4 setup */
    {{0, 0, 25, 4, 0, 255}, 45},   /* GPRS modem setup */
    {{0, -1, 25, 9, 0, 255}, 40},  /* push setup */
    {{0, 0, 96, 3, 10, 255}, 70},  /* disconnect control */
    {{0, 0, 96, 7, 19, 255}, 3},   /* duration of long power failure */
    {{0, 0, 96, -1, -1, 255}, 1},  /* data: ids, counters, status, event codes */
    {{0, 0, 97, 97, -1, 255}, 1},  /* error register */
    {{0, 0, 97, 98, -1, 255}, 1},  /* alarm registers */
    {{-1, -1, 98, -1, -1, -1}, 7}, /* billing period data */
    {{-1, -1, 99, -1, -1, -1}, 7}, /* load profiles and event logs */
    {{1, -1, 0, 2, -1, 255}, 1},   /* firmware identifiers */
    {{1, -1, -1, 4, -1, -1}, 5},   /* current average: demand register */
    {{1, -1, -1, 5, -1, -1}, 5},   /* last average: demand register */
    {{1, -1, -1, 6, -1, -1}, 4},   /* maximum with capture time */
    {{1, -1, -1, 8, -1, -1}, 3},   /* energy registers */
    {{1, -1, -1, 7, -1, -1}, 3},   /* instantaneous values */
    {{1, -1, -1, 24, -1, -1}, 3},  /* averages */
    {{1, -1, -1, 32, -1, -1}, 1},  /* sag counters */
    {{1, -1, -1, 36, -1, -1}, 1},  /* swell counters */
    {{1, -1, -1, -1, -1, -1}, 3},  /* any other electricity value */
};

uint16_t objlist_default_class(const uint8_t obis[6]) {
    for (size_t r = 0; r < sizeof ol_rules / sizeof ol_rules[0]; r++) {
        bool match = true;
        for (size_t i = 0; i < 6 && match; i++) {
            match = ol_rules[r].g[i] < 0 || ol_rules[r].g[i] == obis[i];
        }
        if (match) {
            return ol_rules[r].class_id;
        }
    }
    return 0;
}

const char *objlist_attr_access_name(uint8_t mode) {
    static const char *const names[] = {"no_access",
                                        "read_only",
                                        "write_only",
                                        "read_and_write",
                                        "authenticated_read_only",
                                        "authenticated_write_only",
                                        "authenticated_read_and_write"};
    return mode < sizeof names / sizeof names[0] ? names[mode] : "unknown";
}

const char *objlist_method_access_name(uint8_t mode) {
    static const char *const names[] = {"no_access", "access", "authenticated_access"};
    return mode < sizeof names / sizeof names[0] ? names[mode] : "unknown";
}

/* Short forms for the one-line text listing. */
static const char *ol_attr_short(uint8_t mode) {
    static const char *const names[] = {"-", "r", "w", "rw", "ar", "aw", "arw"};
    return mode < sizeof names / sizeof names[0] ? names[mode] : "?";
}

static const char *ol_method_short(uint8_t mode) {
    static const char *const names[] = {"-", "x", "ax"};
    return mode < sizeof names / sizeof names[0] ? names[mode] : "?";
}

static void ol_format_text(sbuf_t *sb, const objlist_entry_t *e, const char *name) {
    sb_printf(sb, "%-22s class %-3u v%u  attributes", name, e->class_id, e->version);
    for (size_t i = 0; i < e->nattr; i++) {
        const objlist_attr_t *a = &e->attrs[i];
        sb_printf(sb, " %d:%s", a->id, ol_attr_short(a->access));
        for (uint8_t s = 0; s < a->nsel; s++) {
            sb_printf(sb, "%c%d", s == 0 ? '[' : ',', a->sel[s]);
        }
        sb_puts(sb, a->nsel > 0 ? "]" : "");
    }
    if (e->nmeth > 0) {
        sb_puts(sb, "  methods");
    }
    for (size_t i = 0; i < e->nmeth; i++) {
        sb_printf(sb, " %d:%s", e->meths[i].id, ol_method_short(e->meths[i].access));
    }
}

static void ol_format_json(sbuf_t *sb, const objlist_entry_t *e, const char *name) {
    sb_printf(sb, "{\"obis\":\"%s\",\"class\":%u,\"version\":%u,\"attributes\":[", name,
              e->class_id, e->version);
    for (size_t i = 0; i < e->nattr; i++) {
        const objlist_attr_t *a = &e->attrs[i];
        sb_printf(sb, "%s{\"id\":%d,\"access\":\"%s\",\"selectors\":[", i > 0 ? "," : "", a->id,
                  objlist_attr_access_name(a->access));
        for (uint8_t s = 0; s < a->nsel; s++) {
            sb_printf(sb, "%s%d", s > 0 ? "," : "", a->sel[s]);
        }
        sb_puts(sb, "]}");
    }
    sb_puts(sb, "],\"methods\":[");
    for (size_t i = 0; i < e->nmeth; i++) {
        sb_printf(sb, "%s{\"id\":%d,\"access\":\"%s\"}", i > 0 ? "," : "", e->meths[i].id,
                  objlist_method_access_name(e->meths[i].access));
    }
    sb_puts(sb, "]}");
}

void objlist_format(sbuf_t *sb, const objlist_entry_t *e, bool json, bool iec) {
    char name[OBIS_STR_MAX];
    if (iec) {
        obis_format_iec(e->obis, name);
    } else {
        obis_format(e->obis, name);
    }
    if (json) {
        ol_format_json(sb, e, name);
    } else {
        ol_format_text(sb, e, name);
    }
}
