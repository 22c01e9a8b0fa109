/*
 * fuzz_cosem.c - hostile A-XDR into every object of the COSEM test table
 * (tests/support/cosem_test_table.c): SET values, ACTION parameters and
 * GETs through a block window, from any association.
 *
 * Input: op | object | id | association | value bytes...
 *   op % 3 == 0  SET attribute `id` to the value
 *   op % 3 == 1  ACTION method `id` with the value as parameters (none
 *                when empty)
 *   op % 3 == 2  GET attribute `id` whole and through a window of
 *                (value[0] + 1) bytes
 * association: bits 0-1 the index (3 = one nobody configured), bit 2
 * ciphered.
 *
 * Invariants (trap on violation):
 *   - a result is 0, a result code 1..255 or a COSEM/A-XDR error;
 *   - a refused SET or ACTION writes no return data;
 *   - every successful GET is exactly one well-formed A-XDR Data, and the
 *     window reading equals the whole;
 *   - a successful SET can be read back by the management association,
 *     and a value written into a plain integer or string field reads back
 *     as the same bytes;
 *   - after anything, every readable attribute of every object still reads.
 *
 * FUZZ_EXTRA_SOURCES: tests/support/cosem_test_table.c
 */
#include <stdint.h>
#include <string.h>

#include "../tests/support/cosem_test_table.h"

static cosem_test_t T;

static void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

static void result_ok(int rc) {
    check(rc >= 0 ? rc <= 255 : (rc <= -0x0100 && rc >= -0x09FF));
}

static int get(const dlms_assoc_view_t *v, const cosem_object_t *o, int8_t id, uint8_t *out,
               size_t cap, size_t *len) {
    return cosem_test_get(&T, v, o->cls->class_id, o->ln, id, out, cap, len);
}

/* A successful GET is one whole Data. */
static void check_data(const uint8_t *p, size_t n) {
    size_t used = 0;
    check(axdr_validate(p, n, &used) == 0 && used == n);
}

/* Reads everything any association may read. */
static void read_all(void) {
    static uint8_t out[4096];
    for (uint8_t a = 0; a < 3; a++) {
        dlms_assoc_view_t v = cosem_test_view(a);
        for (size_t i = 0; i < cosem_test_object_count; i++) {
            const cosem_object_t *o = &cosem_test_objects[i];
            for (int8_t id = 1; id <= o->cls->attr_count; id++) {
                size_t len = 0;
                int rc = get(&v, o, id, out, sizeof(out), &len);
                result_ok(rc);
                if (rc == 0) {
                    check_data(out, len);
                }
            }
        }
    }
}

/* The same attribute whole and through a window of `bs` bytes. */
static void get_window(const dlms_assoc_view_t *v, const cosem_object_t *o, int8_t id, size_t bs) {
    static uint8_t whole[4096], parts[4096 + 256];
    size_t n = 0;
    int rc = get(v, o, id, whole, sizeof(whole), &n);
    result_ok(rc);
    if (rc != 0) {
        return;
    }
    check_data(whole, n);
    dlms_cosem_descriptor_t d = {.class_id = o->cls->class_id, .id = id};
    memcpy(d.instance_id, o->ln, 6);
    dlms_access_selection_t none = {0};
    dlms_get_call_t call = {.assoc = v, .attr = &d, .selection = &none, .first_call = true};
    size_t off = 0;
    for (;;) {
        axdr_enc_t e;
        axdr_enc_init_window(&e, parts + off, bs, off); /* off < n <= 4096, bs <= 256 */
        rc = cosem_get(&T.srv, &call, &e);
        call.first_call = false;
        off += e.len;
        if (rc != AXDR_ERR_OVERFLOW) {
            check(rc == 0);
            break;
        }
        check(off < n);
    }
    check(off == n && memcmp(parts, whole, n) == 0);
}

/* Values that must read back byte for byte: integers and strings stored
 * in app fields (Data and Register values). */
static bool canonical(const cosem_object_t *o, int8_t id) {
    const cosem_value_t *v = NULL;
    if (o->cls == &cosem_class_data && id == 2) {
        v = &((const cosem_data_def_t *)o->def)->value;
    } else if (o->cls == &cosem_class_register && id == 2) {
        v = &((const cosem_register_def_t *)o->def)->value;
    }
    return v != NULL && v->kind == COSEM_VAL_FIELD && v->wire != AXDR_BOOLEAN &&
           v->wire != AXDR_FLOAT32 && v->wire != AXDR_FLOAT64 && v->ctype != COSEM_CT_UTC &&
           v->ctype != COSEM_CT_DT;
}

static void do_set(const dlms_assoc_view_t *v, const cosem_object_t *o, int8_t id,
                   const uint8_t *val, size_t n) {
    static uint8_t out[4096];
    int rc = cosem_test_set(&T, v, o->cls->class_id, o->ln, id, val, n);
    result_ok(rc);
    if (rc != 0) {
        return;
    }
    dlms_assoc_view_t mgmt = cosem_test_view(CT_MGMT);
    if (cosem_attr_access(o, CT_MGMT, id) == COSEM_ACCESS_NONE ||
        cosem_attr_access(o, CT_MGMT, id) == COSEM_ACCESS_WRITE ||
        cosem_attr_access(o, CT_MGMT, id) == COSEM_ACCESS_AUTH_WRITE) {
        return; /* write-only (the secret) */
    }
    size_t len = 0;
    check(get(&mgmt, o, id, out, sizeof(out), &len) == 0);
    check_data(out, len);
    if (canonical(o, id)) {
        check(len == n && memcmp(out, val, n) == 0);
    }
}

static void do_action(const dlms_assoc_view_t *v, const cosem_object_t *o, int8_t id,
                      const uint8_t *val, size_t n) {
    uint8_t ret[256];
    size_t len = 0;
    bool has = false;
    int rc = cosem_test_action(&T, v, o->cls->class_id, o->ln, id, n > 0 ? val : NULL, n, ret,
                               sizeof(ret), &len, &has);
    result_ok(rc);
    check(!has); /* no method here returns data */
    check(rc == 0 || len == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4 || cosem_test_setup(&T) != 0) {
        return 0;
    }
    const cosem_object_t *o = &cosem_test_objects[data[1] % cosem_test_object_count];
    int8_t id = (int8_t)(data[2] & 0x8F); /* mostly 0..15, sometimes negative */
    dlms_assoc_view_t v = cosem_test_view(data[3] & 3);
    v.ciphered = (data[3] & 4) != 0;
    const uint8_t *val = data + 4;
    size_t n = size - 4;
    switch (data[0] % 3) {
    case 0:
        do_set(&v, o, id, val, n);
        break;
    case 1:
        do_action(&v, o, id, val, n);
        break;
    default:
        get_window(&v, o, id, (size_t)(n > 0 ? val[0] : 0) + 1);
        break;
    }
    read_all();
    return 0;
}
