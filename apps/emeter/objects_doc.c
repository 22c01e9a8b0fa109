/*
 * objects_doc.c - `emeter --list-objects`: prints the object tables of the
 * meter variants as Markdown (docs/objects.md is this output, and a test
 * checks that it is up to date), straight from lib/meter's const tables.
 */
#include "objects_doc.h"

#include <stdio.h>

#include "meter/meter.h"

static const char *class_name(uint16_t id) {
    switch (id) {
    case 1:
        return "Data";
    case 3:
        return "Register";
    case 4:
        return "Extended register";
    case 5:
        return "Demand register";
    case 7:
        return "Profile generic";
    case 8:
        return "Clock";
    case 9:
        return "Script table";
    case 11:
        return "Special days table";
    case 15:
        return "Association LN";
    case 17:
        return "SAP assignment";
    case 18:
        return "Image transfer";
    case 20:
        return "Activity calendar";
    case 21:
        return "Register monitor";
    case 22:
        return "Single action schedule";
    case 40:
        return "Push setup";
    case 28: /* modem and module I/O (w4) */
        return "Auto answer";
    case 29:
        return "Auto connect";
    case 41:
        return "TCP-UDP setup";
    case 42:
        return "IPv4 setup";
    case 44:
        return "PPP setup";
    case 45:
        return "GPRS modem setup";
    case 47:
        return "GSM diagnostic";
    case 151:
        return "LTE monitoring";
    case 64:
        return "Security setup";
    case 70:
        return "Disconnect control";
    case 71:
        return "Limiter";
    case 111: /* breaker and prepayment (w3) */
        return "Account";
    case 112:
        return "Credit";
    case 113:
        return "Charge";
    case 115:
        return "Token gateway";
    default:
        return "?";
    }
}

/* Attribute rights of one association, e.g. "r:1-2 w:2" ("-" when the
 * object is not visible to it). Access modes 4-6 and method mode 2 are
 * marked with a trailing '*' (only over ciphered requests). */
static void print_rights(const cosem_object_t *o, uint8_t assoc) {
    if (o->access[assoc] == NULL) {
        printf(" - |");
        return;
    }
    char r[96] = "", w[96] = "", m[96] = "";
    size_t rn = 0, wn = 0, mn = 0;
    for (int a = 1; a <= o->cls->attr_count; a++) {
        uint8_t mode = cosem_attr_access(o, assoc, (int8_t)a);
        const char *auth = mode >= COSEM_ACCESS_AUTH_READ ? "*" : "";
        if (mode == COSEM_ACCESS_READ || mode == COSEM_ACCESS_READ_WRITE ||
            mode == COSEM_ACCESS_AUTH_READ || mode == COSEM_ACCESS_AUTH_READ_WRITE)
            rn += (size_t)snprintf(r + rn, sizeof(r) - rn, "%s%d%s", rn ? "," : "", a, auth);
        if (mode == COSEM_ACCESS_WRITE || mode == COSEM_ACCESS_READ_WRITE ||
            mode == COSEM_ACCESS_AUTH_WRITE || mode == COSEM_ACCESS_AUTH_READ_WRITE)
            wn += (size_t)snprintf(w + wn, sizeof(w) - wn, "%s%d%s", wn ? "," : "", a, auth);
    }
    for (int k = 1; k <= o->cls->method_count; k++) {
        uint8_t mode = cosem_method_access(o, assoc, (int8_t)k);
        if (mode != COSEM_METHOD_NONE)
            mn += (size_t)snprintf(m + mn, sizeof(m) - mn, "%s%d%s", mn ? "," : "", k,
                                   mode == COSEM_METHOD_AUTH_ACCESS ? "*" : "");
    }
    printf(" %s%s%s%s%s%s%s%s |", rn ? "r " : "", r, wn ? (rn ? "; w " : "w ") : "", w,
           mn ? ((rn || wn) ? "; m " : "m ") : "", m, (rn || wn || mn) ? "" : "none", "");
}

static void print_variant(enum meter_variant v) {
    size_t n;
    const cosem_object_t *objs = meter_objects(v, &n);
    printf("\n## Variant `%s` (%zu objects)\n\n", meter_variant_name(v), n);
    printf("| OBIS | class (id, version) | public 16 | management 1 | pre-established 102 | LLS 17 "
           "|\n");
    printf("|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        const cosem_object_t *o = &objs[i];
        printf("| %u.%u.%u.%u.%u.%u | %s (%u, v%u) |", o->ln[0], o->ln[1], o->ln[2], o->ln[3],
               o->ln[4], o->ln[5], class_name(o->cls->class_id), o->cls->class_id, o->cls->version);
        for (uint8_t a = 0; a < METER_ASSOC_COUNT; a++)
            print_rights(o, a);
        printf("\n");
    }
}

int objects_doc_print(void) {
    printf("# Object list of each emeter variant\n\n"
           "Generated from the object tables in `lib/meter/objects_*.c` by\n"
           "`emeter --list-objects > docs/objects.md`; a test fails when this file is out of\n"
           "date. Rights per association: `r` readable attributes, `w` writable attributes,\n"
           "`m` invocable methods; `*` only over ciphered (authenticated) requests; `-` the\n"
           "object is not visible to that association. The LLS association (client 17) exists\n"
           "only when an LLS password is configured. In `esmr`, the breaker objects\n"
           "(0.0.96.3.10.255, 0.0.17.0.0.255, 0.0.10.0.106.255) exist only with the\n"
           "configuration `\"breaker\": true` (docs/breaker.md).\n");
    print_variant(METER_VARIANT_ESMR);
    print_variant(METER_VARIANT_OMNI);
    return 0;
}
