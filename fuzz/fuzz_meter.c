/*
 * fuzz_meter.c - hostile SET values, ACTION parameters and GETs from the
 * management client into every object of the esmr meter (lib/meter), with
 * meter ticks between them, so the metering callbacks (alarm register and
 * filter, sag/swell thresholds), the event logs' reset hook, clock
 * adjustments and profile captures see any input.
 *
 * Input: a sequence of records op | object | id | len | value[len]:
 *   op % 4 == 0  SET attribute id
 *   op % 4 == 1  ACTION method id (parameters: the value, none when len 0)
 *   op % 4 == 2  GET attribute id
 *   op % 4 == 3  meter_step of (id + 1) * 7 s, the clock moving with it
 *
 * Invariants (trap on violation):
 *   - no DLMS request changes an energy register; a step never lowers one;
 *   - a SET of alarm register 1 only clears bits;
 *   - the sag/swell thresholds keep sag < declared voltage < swell and
 *     their times within 1..3600 s;
 *   - a profile never shows more entries than profile_entries;
 *   - a display list (0.0.21.0.x.255) stays within its capacity and keeps
 *     the legal readings it must hold.
 */
#include <stdint.h>
#include <string.h>

#include "meter/meter.h"

static meter_t m;
static em_port_t port;
static int64_t rtc;

static int64_t rtc_get(void *user) {
    (void)user;
    return rtc;
}

static int rtc_set(void *user, int64_t utc) {
    (void)user;
    rtc = utc;
    return 0;
}

static void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

static void setup(void) {
    memset(&port, 0, sizeof(port));
    port.rtc_get = rtc_get;
    port.rtc_set = rtc_set;
    rtc = 1705320000;
    static const uint8_t ldn[] = "EMT0000000000001";
    meter_identity_t id = {.variant = METER_VARIANT_ESMR,
                           .logical_device_name = ldn,
                           .logical_device_name_len = 16,
                           .time_zone_min = -60};
    check(meter_init(&m, &id, &port) == 0);
    metrology_phasor_input_t load;
    meter_load_balanced(&load, 230.0, 5.0, 25.0, 50.0);
    check(meter_set_load(&m, &load) == 0);
}

static void invariants(void) {
    const pq_cfg_t *c = &m.pq.cfg;
    check(c->sag_v < c->u_din && c->u_din < c->swell_v);
    check(c->sag_time_ms >= 1000u && c->sag_time_ms <= 3600000u);
    check(c->swell_time_ms >= 1000u && c->swell_time_ms <= 3600000u);
    for (unsigned i = 0; i < METER_PROF_COUNT; i++)
        if (m.prof_obj[i] != NULL)
            check(m.prof[i].entries_in_use <= m.prof[i].profile_entries);
    /* devices (w2): a display list SET never leaves a list over its
     * capacity or without the legal readings it must hold. */
    const display_t *d = &m.devices.display;
    for (uint8_t l = 0; l < DISPLAY_LIST_COUNT; l++) {
        const display_list_t *x = display_list_get(d, l);
        check(x->count <= display_list_capacity(l));
        if ((d->cfg.legal_lists & (1u << l)) == 0)
            continue;
        for (unsigned k = 0; k < d->cfg.legal_count; k++) {
            bool found = false;
            for (unsigned i = 0; i < x->count; i++)
                found = found || (x->items[i].class_id == d->cfg.legal[k].class_id &&
                                  x->items[i].attr == d->cfg.legal[k].attr &&
                                  memcmp(x->items[i].obis, d->cfg.legal[k].obis, 6) == 0);
            check(found);
        }
    }
}

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
    size_t count;
    const cosem_object_t *objs = meter_objects(METER_VARIANT_ESMR, &count);
    static const uint8_t alarm1_ln[6] = {0, 0, 97, 98, 0, 255};
    for (size_t i = 0; i + 4 <= size;) {
        uint8_t op = data[i] % 4u;
        const cosem_object_t *obj = &objs[data[i + 1] % count];
        int8_t id = (int8_t)data[i + 2];
        size_t n = data[i + 3];
        i += 4;
        if (n > size - i) {
            n = size - i;
        }
        meter_energy_t before = m.energy;
        uint32_t alarm = m.alarm[0];
        if (op == 3) {
            rtc += ((int64_t)(uint8_t)id + 1) * 7;
            meter_step(&m, rtc, ((uint32_t)(uint8_t)id + 1u) * 7u);
            for (unsigned k = 0; k < METER_E_COUNT; k++) {
                check(m.energy.uwh[k] >= before.uwh[k]);
            }
        } else {
            request(op, obj, id, data + i, n);
            check(memcmp(&before, &m.energy, sizeof(before)) == 0);
            if (op == 0 && memcmp(obj->ln, alarm1_ln, 6) == 0 && id == 2) {
                check((m.alarm[0] & ~alarm) == 0);
            }
        }
        invariants();
        i += n;
    }
    return 0;
}
