/*
 * fuzz_meter_breaker.c - the breaker and prepayment wiring of the omni
 * meter (lib/meter/breaker.c, prepay.c) under hostile management-client
 * SET/ACTION/GET on the breaker, limiter, disconnect script table and
 * payment objects, interleaved with steps under a varying load, button
 * presses and keypad tokens (valid, replayed, garbage).
 *
 * Input: records op | object | id | len | value[len]:
 *   op % 6 == 0  SET attribute id of one of the w3 objects
 *   op % 6 == 1  ACTION method id (parameters: the value, none when len 0)
 *   op % 6 == 2  GET attribute id
 *   op % 6 == 3  meter_step of (id + 1) * 7 s with a load of (object % 90) A
 *   op % 6 == 4  the button
 *   op % 6 == 5  a keypad token: id byte < 128 a valid one (token id = the
 *                byte, amount = len * 10), else the value bytes as a token
 *
 * Invariants (trap on violation):
 *   - the relay output the port last received is output_state, and it is
 *     closed exactly in "connected";
 *   - a step with the relay open adds no energy;
 *   - a step never lowers an energy register;
 *   - while prepayment wants the supply off, the button never closes it.
 */
#include <stdint.h>
#include <string.h>

#include "cosem/token_gateway.h"
#include "meter/meter.h"

static meter_t m;
static em_port_t port;
static int64_t rtc;
static bool relay_pos;
static const uint8_t KEY[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t TITLE[8] = {'E', 'M', 'T', 0, 0, 0, 0, 9};

static int64_t rtc_get(void *user) {
    (void)user;
    return rtc;
}

static int rtc_set(void *user, int64_t utc) {
    (void)user;
    rtc = utc;
    return 0;
}

static void relay(void *user, bool closed) {
    (void)user;
    relay_pos = closed;
}

static void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

static void set_load(double amps) {
    metrology_phasor_input_t load;
    meter_load_balanced(&load, 230.0, amps, 25.0, 50.0);
    check(meter_set_load(&m, &load) == 0);
}

static void setup(void) {
    memset(&port, 0, sizeof(port));
    port.rtc_get = rtc_get;
    port.rtc_set = rtc_set;
    port.relay = relay;
    rtc = 1705320000;
    static const uint8_t ldn[] = "EMT0000000000001";
    meter_identity_t id = {.variant = METER_VARIANT_OMNI,
                           .logical_device_name = ldn,
                           .logical_device_name_len = 16,
                           .time_zone_min = -60,
                           .token_key = KEY};
    memcpy(id.system_title, TITLE, 8);
    check(meter_init(&m, &id, &port) == 0);
    set_load(5.0);
}

static void invariants(void) {
    const cosem_disconnect_state_t *d = &m.breaker.disc;
    check(relay_pos == meter_breaker_closed(&m));
    check(relay_pos == d->output_state);
    check(d->output_state == (d->control_state == COSEM_DISC_CONNECTED));
}

/* The w3 objects of the omni table. */
static const uint8_t LNS[][6] = {
    {0, 0, 96, 3, 10, 255}, {0, 0, 17, 0, 0, 255},  {0, 0, 10, 0, 106, 255}, {0, 0, 19, 0, 0, 255},
    {0, 0, 19, 10, 0, 255}, {0, 0, 19, 10, 1, 255}, {0, 0, 19, 20, 0, 255},  {0, 0, 19, 20, 1, 255},
    {0, 0, 19, 20, 2, 255}, {0, 0, 19, 40, 0, 255},
};
#define N_LNS (sizeof(LNS) / sizeof(LNS[0]))

static uint8_t out[8192];

static void request(uint8_t op, const cosem_object_t *obj, int8_t id, const uint8_t *v, size_t n) {
    dlms_assoc_view_t view;
    memset(&view, 0, sizeof(view));
    view.assoc_index = METER_ASSOC_MANAGEMENT;
    view.client_sap = 1;
    view.server_sap = 1;
    view.status = DLMS_ASSOC_ASSOCIATED;
    view.ciphered = true;
    dlms_cosem_descriptor_t d = {obj->cls->class_id, {0}, id};
    memcpy(d.instance_id, obj->ln, 6);
    dlms_access_selection_t none = {false, 0, {NULL, 0}};
    axdr_dec_t dec;
    axdr_dec_init(&dec, v, n);
    axdr_enc_t e;
    axdr_enc_init(&e, out, sizeof(out));
    if (op == 0) {
        cosem_set(&m.cosem, &view, &d, &none, &dec);
    } else if (op == 1) {
        bool has_ret = false;
        cosem_action(&m.cosem, &view, &d, n > 0 ? &dec : NULL, &e, &has_ret);
    } else {
        dlms_get_call_t call;
        memset(&call, 0, sizeof(call));
        call.assoc = &view;
        call.attr = &d;
        call.selection = &none;
        call.first_call = true;
        cosem_get(&m.cosem, &call, &e);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    setup();
    invariants();
    for (size_t i = 0; i + 4 <= size;) {
        uint8_t op = data[i] % 6u;
        uint8_t which = data[i + 1];
        const cosem_object_t *obj = cosem_find(&m.cosem, LNS[which % N_LNS]);
        check(obj != NULL);
        int8_t id = (int8_t)data[i + 2];
        size_t n = data[i + 3];
        i += 4;
        if (n > size - i) {
            n = size - i;
        }
        meter_energy_t before = m.energy;
        if (op == 3) {
            set_load((double)(which % 90u));
            bool open = !meter_breaker_closed(&m);
            uint32_t s = ((uint32_t)(uint8_t)id + 1u) * 7u;
            rtc += s;
            meter_step(&m, rtc, s);
            for (unsigned k = 0; k < METER_E_COUNT; k++) {
                check(m.energy.uwh[k] >= before.uwh[k]);
            }
            /* Opened before the step: no current the whole step (a
             * transition at its end does not change that). */
            if (open) {
                check(m.energy.uwh[METER_E_A_PLUS] - before.uwh[METER_E_A_PLUS] < 1000u);
            }
        } else if (op == 4) {
            bool inhibit = m.breaker.prepay_inhibit;
            bool was_closed = meter_breaker_closed(&m);
            meter_breaker_button(&m);
            if (inhibit && !was_closed) {
                check(!meter_breaker_closed(&m));
            }
        } else if (op == 5) {
            uint8_t tk[COSEM_TOKEN_LEN];
            if ((uint8_t)id < 128) {
                check(cosem_token_build(KEY, TITLE, (uint8_t)id, (int32_t)n * 10 + 1,
                                        COSEM_TOKEN_TYPE_CREDIT, tk) == 0);
                meter_prepay_token(&m, tk, sizeof(tk), COSEM_TOKEN_MANUAL);
            } else {
                meter_prepay_token(&m, data + i, n, COSEM_TOKEN_LOCAL);
            }
        } else {
            request(op, obj, id, data + i, n);
            check(memcmp(&before, &m.energy, sizeof(before)) == 0);
        }
        invariants();
        i += n;
    }
    return 0;
}
