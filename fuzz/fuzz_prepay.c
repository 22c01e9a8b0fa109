/*
 * fuzz_prepay.c - hostile SETs and ACTIONs into the payment metering
 * objects (Account 111, Credit 112, Charge 113, Token gateway 115) of
 * tests/unit/test_cosem_prepay_table.h, interleaved with engine ticks at
 * fuzzer-chosen times and consumptions, top-ups and tokens (valid ones with
 * fuzzer-chosen ids and amounts, and altered ones).
 *
 * Input: records, at most MAX_RECORDS:
 *   op % 4 == 0  SET:    op | object | attribute | len (2 bytes) | value
 *   op % 4 == 1  ACTION: op | object | method | len (2 bytes) | params
 *   op % 4 == 2  tick:   op | dt (2 bytes, s) | wh (2 bytes): the clock moves
 *                by dt x 37 s, the register by wh, cosem_prepay_tick runs
 *   op % 4 == 3  token:  op | id (2) | amount (4) | flip: a token built with
 *                the gateway key, byte flip % 32 altered when flip >= 24,
 *                entered; or a direct top-up when the op's bit 7 is set
 *
 * Invariants (trap on violation):
 *   - results are 0, a result code 1..255 or a COSEM/A-XDR error;
 *   - a refused SET changes no byte of the application state;
 *   - a successful SET reads back, writing what was read succeeds and reads
 *     back the same bytes;
 *   - an altered token never changes a credit amount;
 *   - counts never exceed the configuration, current_credit_in_use names a
 *     listed credit, disconnect is wanted only by an active account;
 *   - every attribute of every object still reads as one Data.
 *
 * FUZZ_EXTRA_SOURCES: tests/support/cosem_test_table.c
 */
#include <stdint.h>
#include <string.h>

#include "../tests/support/cosem_test_table.h"
#include "../tests/unit/test_cosem_prepay_table.h"

#define MAX_RECORDS 24

static pp_t T;

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
    return &pp_objects[sel % COSEM_COUNT(pp_objects)];
}

static dlms_assoc_view_t view(void) {
    return cosem_test_view(CT_PUB);
}

static int get(const cosem_object_t *o, int8_t id, uint8_t *out, size_t cap, size_t *len) {
    dlms_assoc_view_t v = view();
    return cosem_call_get(&T.srv, &v, o->cls->class_id, o->ln, id, NULL, out, cap, len);
}

static int set(const cosem_object_t *o, int8_t id, const uint8_t *p, size_t n) {
    dlms_assoc_view_t v = view();
    return cosem_call_set(&T.srv, &v, o->cls->class_id, o->ln, id, p, n);
}

static void read_all(void) {
    static uint8_t out[1024];
    for (size_t i = 0; i < COSEM_COUNT(pp_objects); i++) {
        const cosem_object_t *o = &pp_objects[i];
        for (int8_t a = 1; a <= o->cls->attr_count; a++) {
            size_t len = 0;
            int rc = get(o, a, out, sizeof(out), &len);
            check(rc == 0 || (a == 2 && o->cls == &cosem_class_clock));
            if (rc == 0) {
                check_data(out, len);
            }
        }
    }
}

static void check_state(void) {
    const cosem_account_state_t *st = &T.app.account;
    check(st->credit_count <= EM_PREPAY_CREDITS && st->charge_count <= EM_PREPAY_CHARGES &&
          st->ccc_count <= EM_PREPAY_CREDIT_CHARGE_CFG && st->tgc_count <= EM_PREPAY_CREDITS &&
          st->currency_name_len <= EM_PREPAY_CURRENCY_NAME_MAX);
    check(st->current_credit_in_use <= st->credit_count);
    check(!st->disconnect_wanted || st->account_status == COSEM_ACCOUNT_ACTIVE);
    const cosem_charge_state_t *ch[] = {&T.app.energy, &T.app.standing, &T.app.debt};
    for (int i = 0; i < 3; i++) {
        check(ch[i]->active.count <= EM_PREPAY_CHARGE_TABLE &&
              ch[i]->passive.count <= EM_PREPAY_CHARGE_TABLE);
    }
    check(T.app.gateway.token_len <= EM_PREPAY_TOKEN_MAX &&
          T.app.gateway.history_count <= EM_PREPAY_TOKEN_HISTORY);
}

static void round_trip(const cosem_object_t *o, int8_t id) {
    static uint8_t first[1024], second[1024];
    size_t n1 = 0, n2 = 0;
    if (o->cls == &cosem_class_clock && id == 2) {
        return;
    }
    check(get(o, id, first, sizeof(first), &n1) == 0);
    check_data(first, n1);
    check(set(o, id, first, n1) == 0);
    check(get(o, id, second, sizeof(second), &n2) == 0);
    check(n1 == n2 && memcmp(first, second, n1) == 0);
}

static void do_set(const cosem_object_t *o, int8_t id, const uint8_t *v, size_t n) {
    static pp_app_t before;
    before = T.app;
    int rc = set(o, id, v, n);
    result_ok(rc);
    if (rc != 0) {
        check(memcmp(&before, &T.app, sizeof(before)) == 0);
        return;
    }
    round_trip(o, id);
}

static void do_action(const cosem_object_t *o, int8_t id, const uint8_t *p, size_t n) {
    dlms_assoc_view_t v = view();
    uint8_t ret[64];
    size_t rlen = 0;
    bool has = false;
    result_ok(cosem_call_action(&T.srv, &v, o->cls->class_id, o->ln, id, n > 0 ? p : NULL, n, ret,
                                sizeof(ret), &rlen, &has));
}

static void do_tick(const uint8_t *d) {
    T.app.rtc += (int64_t)((d[0] << 8) | d[1]) * 37;
    T.app.a_plus_wh += (uint64_t)((d[2] << 8) | d[3]);
    result_ok(cosem_prepay_tick(&T.srv, &pp_objects[1], T.app.rtc, (uint64_t)d[3]));
}

static void do_token(uint8_t op, const uint8_t *d) {
    uint32_t id = (uint32_t)(d[0] << 8 | d[1]);
    int32_t amount =
        (int32_t)((uint32_t)d[2] << 24 | (uint32_t)d[3] << 16 | (uint32_t)d[4] << 8 | d[5]);
    if (op & 0x80) {
        result_ok(cosem_prepay_top_up(&T.srv, &pp_objects[1], amount, T.app.rtc));
        return;
    }
    uint8_t tok[COSEM_TOKEN_LEN];
    check(cosem_token_build(PP_KEY, PP_TITLE, id, amount, COSEM_TOKEN_TYPE_CREDIT, tok) == 0);
    bool altered = d[6] >= COSEM_TOKEN_LEN;
    if (altered) {
        tok[d[6] % COSEM_TOKEN_LEN] ^= (uint8_t)(1u << (d[6] & 7));
    }
    int32_t t = T.app.token.current_credit_amount, e = T.app.emergency.current_credit_amount;
    int rc = cosem_token_gateway_enter(&T.srv, &pp_objects[7], tok, sizeof(tok), COSEM_TOKEN_REMOTE,
                                       T.app.rtc);
    result_ok(rc);
    if (altered) {
        check(rc == COSEM_ERR_TOKEN_AUTH && t == T.app.token.current_credit_amount &&
              e == T.app.emergency.current_credit_amount);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (pp_setup(&T) != 0) {
        __builtin_trap();
    }
    size_t pos = 0;
    for (int r = 0; r < MAX_RECORDS && pos < size; r++) {
        uint8_t op = data[pos++];
        if (op % 4 == 2) {
            if (size - pos < 4) {
                break;
            }
            do_tick(data + pos);
            pos += 4;
        } else if (op % 4 == 3) {
            if (size - pos < 7) {
                break;
            }
            do_token(op, data + pos);
            pos += 7;
        } else {
            if (size - pos < 4) {
                break;
            }
            const cosem_object_t *o = object(data[pos]);
            int8_t id = (int8_t)data[pos + 1];
            size_t n = ((size_t)data[pos + 2] << 8) | data[pos + 3];
            pos += 4;
            n = n < size - pos ? n : size - pos;
            if (op % 4 == 0) {
                do_set(o, id, data + pos, n);
            } else {
                do_action(o, id, data + pos, n);
            }
            pos += n;
        }
        check_state();
    }
    read_all();
    return 0;
}
