/*
 * fuzz_breaker.c - hostile SETs and ACTIONs into the Limiter (class 71) and
 * Disconnect control (class 70) objects of tests/unit/test_cosem_breaker_
 * table.h and their neighbours, interleaved with limiter ticks at fuzzer-
 * chosen times (forwards and backwards), button / local inputs and changes
 * of the monitored quantities.
 *
 * Input: records, at most MAX_RECORDS:
 *   op % 5 == 0  SET:    op | object | attribute | len (2 bytes) | value
 *   op % 5 == 1  ACTION: op | object | method | len (2 bytes) | params
 *                (len 0: none); object: index in bt_objects() (modulo)
 *   op % 5 == 2  tick:   op | d1 d0: the clock moves by d seconds (back
 *                when op & 0x80), then cosem_limiter_tick
 *   op % 5 == 3  input:  op | t: cosem_disconnect_trigger(t % 8)
 *   op % 5 == 4  values: op | p3 p2 p1 p0 | i1 i0 | f3 f2 f1 f0: the power
 *                (double-long), current (long-unsigned) and frequency
 *                (float32 bits, NaN included)
 *
 * Invariants (trap on violation):
 *   - results are 0, a result code 1..255 or a COSEM/A-XDR error; the tick
 *     returns flags 0..7 or an error;
 *   - a refused SET changes no byte of the application state;
 *   - a successful SET reads back, writing what was read succeeds and reads
 *     back the same bytes;
 *   - the disconnect control state is always valid (cosem_disconnect_
 *     check_state) and output_state is true exactly in "connected";
 *   - counts never exceed the configuration;
 *   - every attribute of every object still reads as one Data.
 */
#include <stdint.h>
#include <string.h>

#include "../tests/unit/test_cosem_breaker_table.h"

#define MAX_RECORDS 32
#define BASE_UTC    1705320000 /* 2024-01-15 12:00:00 UTC */

static bt_t T;
static int64_t now;

static void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

static void result_ok(int rc) {
    check(rc >= 0 ? rc <= 255 : (rc <= -0x0100 && rc >= -0x09FF));
}

static void check_data(const uint8_t *p, size_t n) {
    size_t used = 0;
    check(axdr_validate(p, n, &used) == 0 && used == n);
}

static const cosem_object_t *object(uint8_t sel) {
    size_t n;
    const cosem_object_t *objs = bt_objects(&n);
    return &objs[sel % n];
}

static int get(const cosem_object_t *o, int8_t id, uint8_t *out, size_t cap, size_t *len) {
    dlms_assoc_view_t v = bt_view();
    dlms_cosem_descriptor_t d;
    memset(&d, 0, sizeof(d));
    d.class_id = o->cls->class_id;
    memcpy(d.instance_id, o->ln, 6);
    d.id = id;
    dlms_access_selection_t none;
    memset(&none, 0, sizeof(none));
    dlms_get_call_t call;
    memset(&call, 0, sizeof(call));
    call.assoc = &v;
    call.attr = &d;
    call.selection = &none;
    call.first_call = true;
    axdr_enc_t e;
    axdr_enc_init(&e, out, cap);
    int rc = cosem_get(&T.srv, &call, &e);
    *len = e.len;
    return rc;
}

static int set(const cosem_object_t *o, int8_t id, const uint8_t *value, size_t n) {
    dlms_assoc_view_t v = bt_view();
    dlms_cosem_descriptor_t d;
    memset(&d, 0, sizeof(d));
    d.class_id = o->cls->class_id;
    memcpy(d.instance_id, o->ln, 6);
    d.id = id;
    dlms_access_selection_t none;
    memset(&none, 0, sizeof(none));
    axdr_dec_t dec;
    axdr_dec_init(&dec, value, n);
    return cosem_set(&T.srv, &v, &d, &none, &dec);
}

static int action(const cosem_object_t *o, int8_t id, const uint8_t *params, size_t n) {
    dlms_assoc_view_t v = bt_view();
    dlms_cosem_descriptor_t d;
    memset(&d, 0, sizeof(d));
    d.class_id = o->cls->class_id;
    memcpy(d.instance_id, o->ln, 6);
    d.id = id;
    axdr_dec_t dec;
    axdr_dec_init(&dec, params, n);
    uint8_t ret[64];
    axdr_enc_t e;
    axdr_enc_init(&e, ret, sizeof(ret));
    bool has_ret = false;
    return cosem_action(&T.srv, &v, &d, params != NULL ? &dec : NULL, &e, &has_ret);
}

static void read_all(void) {
    static uint8_t out[1024];
    size_t n;
    const cosem_object_t *objs = bt_objects(&n);
    for (size_t i = 0; i < n; i++) {
        for (int8_t a = 1; a <= objs[i].cls->attr_count; a++) {
            size_t len = 0;
            int rc = get(&objs[i], a, out, sizeof(out), &len);
            check(rc == 0 || (a == 2 && objs[i].cls == &cosem_class_clock)); /* RTC range */
            if (rc == 0) {
                check_data(out, len);
            }
        }
    }
}

static void check_state(void) {
    const bt_app_t *a = &T.app;
    check(cosem_disconnect_check_state(&a->breaker) == 0);
    check(a->breaker.output_state == (a->breaker.control_state == COSEM_DISC_CONNECTED));
    check(a->limiter.group_count <= EM_COSEM_LIMITER_GROUP_IDS);
    check(a->scripts.count <= EM_COSEM_SCRIPTS && !a->scripts.running);
}

static void round_trip(const cosem_object_t *o, int8_t id) {
    static uint8_t first[1024], second[1024];
    size_t n1 = 0, n2 = 0;
    if (o->cls == &cosem_class_clock && id == 2) {
        return; /* the time moves on by itself */
    }
    check(get(o, id, first, sizeof(first), &n1) == 0);
    check_data(first, n1);
    check(set(o, id, first, n1) == 0);
    check(get(o, id, second, sizeof(second), &n2) == 0);
    check(n1 == n2 && memcmp(first, second, n1) == 0);
}

static void do_set(const cosem_object_t *o, int8_t id, const uint8_t *v, size_t n) {
    static bt_app_t before;
    before = T.app;
    int rc = set(o, id, v, n);
    result_ok(rc);
    if (rc != 0) {
        check(memcmp(&before, &T.app, sizeof(before)) == 0);
        return;
    }
    round_trip(o, id);
}

static void do_tick(uint8_t op, const uint8_t *d) {
    int64_t delta = ((int64_t)d[0] << 8) | d[1];
    now += (op & 0x80) ? -delta : delta;
    T.app.rtc = now;
    int rc = cosem_limiter_tick(&T.srv, object(BT_OBJ_LIMITER), now);
    result_ok(rc);
    check(rc < 0 || rc <= (COSEM_LIMITER_RAN_OVER | COSEM_LIMITER_RAN_UNDER |
                           COSEM_LIMITER_THRESHOLD_SWITCHED));
    now = T.app.rtc; /* a script may have set the clock */
}

static void do_values(const uint8_t *d) {
    T.app.p_w =
        (int32_t)(((uint32_t)d[0] << 24) | ((uint32_t)d[1] << 16) | ((uint32_t)d[2] << 8) | d[3]);
    T.app.i_ca = (uint16_t)((d[4] << 8) | d[5]);
    uint32_t bits = ((uint32_t)d[6] << 24) | ((uint32_t)d[7] << 16) | ((uint32_t)d[8] << 8) | d[9];
    memcpy(&T.app.freq, &bits, sizeof(bits));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (bt_setup(&T, BASE_UTC, 1) != 0) {
        __builtin_trap();
    }
    now = BASE_UTC;
    size_t pos = 0;
    for (int r = 0; r < MAX_RECORDS && pos < size; r++) {
        uint8_t op = data[pos++];
        switch (op % 5) {
        case 2:
            if (size - pos < 2) {
                return 0;
            }
            do_tick(op, data + pos);
            pos += 2;
            break;
        case 3:
            if (size - pos < 1) {
                return 0;
            }
            result_ok(cosem_disconnect_trigger(&T.srv, object(BT_OBJ_BREAKER), data[pos++] % 8));
            break;
        case 4:
            if (size - pos < 10) {
                return 0;
            }
            do_values(data + pos);
            pos += 10;
            break;
        default: {
            if (size - pos < 4) {
                return 0;
            }
            const cosem_object_t *o = object(data[pos]);
            int8_t id = (int8_t)data[pos + 1];
            size_t n = ((size_t)data[pos + 2] << 8) | data[pos + 3];
            pos += 4;
            n = n < size - pos ? n : size - pos;
            if (op % 5 == 0) {
                do_set(o, id, data + pos, n);
            } else {
                result_ok(action(o, id, n > 0 ? data + pos : NULL, n));
            }
            pos += n;
            break;
        }
        }
        check_state();
    }
    read_all();
    return 0;
}
