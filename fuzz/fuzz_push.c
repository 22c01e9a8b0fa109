/*
 * fuzz_push.c - hostile values into a Push setup object (class 40,
 * lib/cosem/push_setup.c) and its engine, on a small table of its own
 * (clock, equipment identifier, alarm register, a register, the push
 * setup).
 *
 * Input: a sequence of records op | id | len | value bytes (len of them):
 *   op % 5 == 0  SET attribute 2 + id % 6 to the value
 *   op % 5 == 1  ACTION method id % 3 (1 is push) with the value
 *   op % 5 == 2  engine: trigger / tick / result ok / result failed at a
 *                time taken from the value, by id % 4
 *   op % 5 == 3  encode the notification body into a buffer of id bytes,
 *                and the APDU (plain or ciphered by id's low bit)
 *   op % 5 == 4  the value as a persisted state record (unpack)
 *
 * Invariants (trap on violation):
 *   - a result is 0, a result code 1..255 or a COSEM/A-XDR error;
 *   - a successful SET reads back as one Data, and writing that Data again
 *     succeeds and changes nothing (the attribute is canonical);
 *   - a refused SET changes nothing;
 *   - a successful encode is one Data no longer than the buffer;
 *   - every attribute always reads as one Data; the phase stays 0..2 and
 *     a due push lies within randomisation_start_interval of its trigger;
 *   - the state packs into a record that unpacks to the same state; a
 *     hostile record either unpacks to a state that packs back to the same
 *     bytes, or is refused and changes nothing.
 */
#include <stdint.h>
#include <string.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "cosem/push_setup.h"
#include "dlms/server.h"

typedef struct app {
    cosem_clock_state_t clock;
    uint8_t equipment_id[17];
    uint8_t equipment_id_len;
    uint32_t alarm1;
    uint64_t energy_wh;
    cosem_push_state_t push;
    dlms_assoc_config_t assoc;
    dlms_security_context_t sec;
    int64_t rtc;
    uint32_t entropy;
} app_t;

static const cosem_access_t all = {.read = COSEM_ALL, .write = COSEM_ALL, .method = 0xFFFEu};
static const cosem_clock_def_t clock_def = {.state = COSEM_STATE(cosem_clock_state_t, app_t, clock),
                                            .measuring_period = 900};
static const cosem_data_def_t equip_def = {
    COSEM_FIELD_STR(AXDR_OCTET_STRING, app_t, equipment_id, equipment_id_len)};
static const cosem_data_def_t alarm_def = {COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, app_t, alarm1)};
static const cosem_register_def_t energy_def = {COSEM_FIELD(AXDR_LONG64_UNSIGNED, app_t, energy_wh),
                                                0, COSEM_UNIT_WH};
static const cosem_push_setup_def_t push_def = {COSEM_STATE(cosem_push_state_t, app_t, push), 0};
static const cosem_object_t objects[] = {
    {&cosem_class_clock, COSEM_OBIS(0, 0, 1, 0, 0, 255), &clock_def, {&all}},
    {&cosem_class_data, COSEM_OBIS(0, 0, 96, 1, 1, 255), &equip_def, {&all}},
    {&cosem_class_data, COSEM_OBIS(0, 0, 97, 98, 0, 255), &alarm_def, {&all}},
    {&cosem_class_register, COSEM_OBIS(1, 0, 1, 8, 0, 255), &energy_def, {&all}},
    {&cosem_class_push_setup, COSEM_OBIS(0, 1, 25, 9, 0, 255), &push_def, {&all}},
};
static const uint8_t LN_PUSH[6] = {0, 1, 25, 9, 0, 255};

static app_t A;
static em_port_t P;
static cosem_server_t S;
static dlms_cosem_services_t SVC;
static dlms_server_config_t CFG;
static dlms_assoc_config_t *LIST[1];
static dlms_server_t SRV;
static int64_t last_trigger;

static void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

static void result_ok(int rc) {
    check(rc >= 0 ? rc <= 255 : (rc <= -0x0100 && rc >= -0x09FF));
}

static int64_t rtc_get(void *user) {
    return ((app_t *)user)->rtc;
}

static int entropy(void *user, uint8_t *buf, size_t len) {
    app_t *a = user;
    for (size_t i = 0; i < len; i++) {
        a->entropy = a->entropy * 1103515245u + 12345u;
        buf[i] = (uint8_t)(a->entropy >> 16);
    }
    return 0;
}

static int reserve_ic(void *user, dlms_security_context_t *sec, uint32_t bound) {
    (void)user;
    (void)sec;
    (void)bound;
    return 0;
}

static int setup(void) {
    memset(&A, 0, sizeof(A));
    cosem_clock_state_cet(&A.clock);
    memcpy(A.equipment_id, "E0000000000000001", 17);
    A.equipment_id_len = 17;
    A.alarm1 = 4;
    cosem_push_init(&A.push);
    cosem_push_set_objects(&A.push, cosem_push_list_alarm, 3);
    A.assoc = (dlms_assoc_config_t){.client_sap = 16,
                                    .logical_name = {0, 0, 40, 0, 1, 255},
                                    .app_context = 1,
                                    .conformance = 0x00701Fu,
                                    .max_receive_pdu = 1024};
    memset(A.sec.keys.guek, 0x11, 16);
    memset(A.sec.keys.ak, 0x22, 16);
    A.sec.tx_ic = 1;
    A.sec.tx_ic_reserved = 1;
    A.rtc = 1705320000;
    P.user = &A;
    P.rtc_get = rtc_get;
    P.entropy = entropy;
    int rc = cosem_server_init(&S, objects, COSEM_COUNT(objects), &A, sizeof(A), &P);
    rc = rc ? rc : cosem_server_add_association(&S, &A.assoc);
    rc = rc ? rc : cosem_server_add_security(&S, &A.sec);
    cosem_server_services(&S, &SVC);
    LIST[0] = &A.assoc;
    CFG = (dlms_server_config_t){.associations = LIST,
                                 .association_count = 1,
                                 .server_sap = 1,
                                 .services = &SVC,
                                 .port = &P,
                                 .user = &A,
                                 .reserve_ic = reserve_ic};
    return rc ? rc : dlms_server_init(&SRV, &CFG, 0);
}

static dlms_assoc_view_t view(void) {
    dlms_assoc_view_t v;
    memset(&v, 0, sizeof(v));
    v.client_sap = 1;
    v.server_sap = 1;
    v.status = DLMS_ASSOC_ASSOCIATED;
    v.ciphered = true;
    v.dlms_version = 6;
    return v;
}

static void check_data(const uint8_t *p, size_t n) {
    size_t used = 0;
    check(axdr_validate(p, n, &used) == 0 && used == n);
}

static int get(int8_t id, uint8_t *out, size_t cap, size_t *len) {
    dlms_cosem_descriptor_t d = {.class_id = COSEM_CLASS_PUSH_SETUP, .id = id};
    memcpy(d.instance_id, LN_PUSH, 6);
    dlms_assoc_view_t v = view();
    dlms_access_selection_t none = {0};
    dlms_get_call_t call = {.assoc = &v, .attr = &d, .selection = &none, .first_call = true};
    axdr_enc_t e;
    axdr_enc_init(&e, out, cap);
    int rc = cosem_get(&S, &call, &e);
    *len = e.len;
    return rc;
}

static int set(int8_t id, const uint8_t *val, size_t n) {
    dlms_cosem_descriptor_t d = {.class_id = COSEM_CLASS_PUSH_SETUP, .id = id};
    memcpy(d.instance_id, LN_PUSH, 6);
    dlms_assoc_view_t v = view();
    dlms_access_selection_t none = {0};
    axdr_dec_t dec;
    axdr_dec_init(&dec, val, n);
    return cosem_set(&S, &v, &d, &none, &dec);
}

static void record_round_trip(void) {
    static uint8_t rec[COSEM_PUSH_RECORD_MAX];
    static cosem_push_state_t back;
    int n = cosem_push_state_pack(&A.push, rec, sizeof(rec));
    check(n > 0 && (size_t)n <= sizeof(rec));
    memset(&back, 0, sizeof(back));
    check(cosem_push_state_unpack(rec, (size_t)n, &back) == 0);
    check(memcmp(&back, &A.push, sizeof(back)) == 0);
}

static void do_unpack(const uint8_t *v, size_t n) {
    static cosem_push_state_t t;
    static uint8_t rec[COSEM_PUSH_RECORD_MAX];
    cosem_push_init(&t);
    cosem_push_state_t before = t;
    int rc = cosem_push_state_unpack(v, n, &t);
    if (rc != 0) {
        check(rc == COSEM_ERR_PUSH_RECORD && memcmp(&before, &t, sizeof(t)) == 0);
        return;
    }
    int k = cosem_push_state_pack(&t, rec, sizeof(rec));
    check(k > 0 && (size_t)k == n && memcmp(rec, v, n) == 0);
}

static void read_all(void) {
    static uint8_t out[2048];
    for (int8_t id = 1; id <= 7; id++) {
        size_t len = 0;
        check(get(id, out, sizeof(out), &len) == 0);
        check_data(out, len);
    }
    check(A.push.phase <= COSEM_PUSH_SENDING);
}

static void do_set(int8_t id, const uint8_t *val, size_t n) {
    static cosem_push_state_t before;
    static uint8_t out[2048], again[2048];
    before = A.push;
    int rc = set(id, val, n);
    result_ok(rc);
    if (rc != 0) {
        check(memcmp(&before, &A.push, sizeof(before)) == 0);
        return;
    }
    size_t len = 0, len2 = 0;
    check(get(id, out, sizeof(out), &len) == 0);
    check_data(out, len);
    before = A.push;
    check(set(id, out, len) == 0);
    check(memcmp(&before, &A.push, sizeof(before)) == 0);
    check(get(id, again, sizeof(again), &len2) == 0 && len2 == len && !memcmp(out, again, len));
}

static int64_t time_of(const uint8_t *v, size_t n) {
    uint32_t t = 0;
    for (size_t i = 0; i < n && i < 4; i++) {
        t = t << 8 | v[i];
    }
    return 1705320000 + (int64_t)(t % (400u * 86400u));
}

static void do_engine(uint8_t which, const uint8_t *v, size_t n) {
    const cosem_object_t *o = cosem_find(&S, LN_PUSH);
    int64_t utc = time_of(v, n);
    int rc;
    switch (which % 4) {
    case 0: {
        bool idle = A.push.phase == COSEM_PUSH_IDLE;
        rc = cosem_push_trigger(&S, o, utc);
        if (rc == 0) {
            check(idle && A.push.due >= utc &&
                  A.push.due <= utc + (int64_t)A.push.randomisation_start_interval);
            last_trigger = utc;
        }
        break;
    }
    case 1:
        rc = cosem_push_tick(&S, o, utc);
        check(rc == 0 || rc == 1);
        check(rc == 0 || A.push.phase == COSEM_PUSH_SENDING);
        break;
    default:
        rc = cosem_push_result(&S, o, (which % 4) == 2, utc);
        check(rc == 0 || rc == 1 || rc == COSEM_ERR_PUSH_PHASE);
        check(rc != 1 || A.push.due == utc + (int64_t)A.push.repetition_delay);
        break;
    }
    result_ok(rc);
}

static void do_encode(uint8_t cap, bool ciphered) {
    static uint8_t buf[256], out[2048];
    const cosem_object_t *o = cosem_find(&S, LN_PUSH);
    int n = cosem_push_encode(&S, o, A.rtc, buf, cap);
    check(n == COSEM_ERR_PUSH_TOO_LONG || (n > 0 && n <= cap));
    if (n > 0) {
        check_data(buf, (size_t)n);
    }
    A.push.protection = ciphered ? DLMS_SEC_SC_AUTH_ENC : 0;
    uint32_t ic = A.sec.tx_ic;
    n = cosem_push_notification(&S, o, &SRV, A.rtc, out, sizeof(out));
    check(n > 0 || n == COSEM_ERR_PUSH_TOO_LONG);
    check(A.sec.tx_ic == ic + (ciphered && n > 0 ? 1u : 0u));
    check(n <= 0 || out[0] == (ciphered ? 0xDB : 0x0F));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (setup() != 0) {
        __builtin_trap();
    }
    size_t pos = 0;
    while (pos + 3 <= size) {
        uint8_t op = data[pos], id = data[pos + 1], len = data[pos + 2];
        pos += 3;
        size_t n = len <= size - pos ? len : size - pos;
        const uint8_t *v = data + pos;
        pos += n;
        switch (op % 5) {
        case 0:
            do_set((int8_t)(2 + id % 6), v, n);
            break;
        case 1: {
            uint8_t ret[64];
            axdr_enc_t e;
            axdr_enc_init(&e, ret, sizeof(ret));
            axdr_dec_t d;
            axdr_dec_init(&d, v, n);
            bool has_ret = false;
            dlms_cosem_descriptor_t m = {.class_id = COSEM_CLASS_PUSH_SETUP, .id = id % 3};
            memcpy(m.instance_id, LN_PUSH, 6);
            dlms_assoc_view_t vw = view();
            int rc = cosem_action(&S, &vw, &m, n ? &d : NULL, &e, &has_ret);
            result_ok(rc);
            check(!has_ret);
            break;
        }
        case 2:
            do_engine(id, v, n);
            break;
        case 3:
            do_encode(id, id & 1);
            break;
        default:
            do_unpack(v, n);
            break;
        }
        read_all();
        record_round_trip();
    }
    return 0;
}
