/*
 * test_cosem_push.c - Push setup (class 40) and the push engine
 * (lib/cosem/push_setup.c): attribute reads, SET validation with hostile
 * values (nothing changes on a refusal), method push, the engine timeline
 * (randomised start within bounds from a fake entropy source, communication
 * windows including one over midnight, retries after the repetition delay
 * and the drop after the last one), the notification body and APDU
 * byte-exact against a hand-computed DSMR alarm push, and the ciphered
 * form (general-glo-ciphering, invocation counter reserved and used once).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"
#include "cosem/push_setup.h"
#include "cosem_test_table.h"
#include "dlms/security.h"
#include "dlms/server.h"
#include "test_hex.h"

/* ---- a small meter --------------------------------------------------------------------- */

typedef struct app {
    cosem_clock_state_t clock;
    uint8_t equipment_id[17];
    uint8_t equipment_id_len;
    uint32_t alarm1;
    uint64_t energy_wh;
    cosem_push_state_t sched, alarm;
    cosem_script_table_state_t push_scripts;   /* 0.0.10.0.108.255 */
    cosem_single_action_state_t push_schedule; /* 0.0.15.0.4.255 */
    int native_rc;
    dlms_assoc_config_t assoc;
    dlms_security_context_t sec;
    /* platform */
    int64_t rtc;
    uint8_t entropy[64];
    size_t entropy_len, entropy_pos;
    bool entropy_fail;
    int reserve_calls;
    bool reserve_fail;
} app_t;

#define LN_CLOCK  ((const uint8_t[6]){0, 0, 1, 0, 0, 255})
#define LN_EQUIP  ((const uint8_t[6]){0, 0, 96, 1, 1, 255})
#define LN_ALARM  ((const uint8_t[6]){0, 0, 97, 98, 0, 255})
#define LN_ENERGY ((const uint8_t[6]){1, 0, 1, 8, 0, 255})
#define LN_SCHED  ((const uint8_t[6]){0, 0, 25, 9, 0, 255})
#define LN_APUSH  ((const uint8_t[6]){0, 1, 25, 9, 0, 255})

static const cosem_access_t all = {.read = COSEM_ALL, .write = COSEM_ALL, .method = 0xFFFEu};
static const cosem_clock_def_t clock_def = {.state = COSEM_STATE(cosem_clock_state_t, app_t, clock),
                                            .measuring_period = 900};
static const cosem_data_def_t equip_def = {
    COSEM_FIELD_STR(AXDR_OCTET_STRING, app_t, equipment_id, equipment_id_len)};
static const cosem_data_def_t alarm_def = {COSEM_FIELD(AXDR_DOUBLE_LONG_UNSIGNED, app_t, alarm1)};
static const cosem_register_def_t energy_def = {COSEM_FIELD(AXDR_LONG64_UNSIGNED, app_t, energy_wh),
                                                0, COSEM_UNIT_WH};
static const cosem_push_setup_def_t sched_def = {COSEM_STATE(cosem_push_state_t, app_t, sched), 0};
static const cosem_push_setup_def_t alarm_push_def = {COSEM_STATE(cosem_push_state_t, app_t, alarm),
                                                      0};

/* The push script table's native, as the meter binds it (docs/push.md):
 * script 1 starts the scheduled push, 2 the alarm push; no destination is
 * "nothing to push", not a failed script. */
static cosem_server_t S;
static int push_native(void *app, const cosem_object_t *table, uint16_t id) {
    app_t *a = app;
    (void)table;
    static const uint8_t lns[2][6] = {{0, 0, 25, 9, 0, 255}, {0, 1, 25, 9, 0, 255}};
    if (id < 1 || id > 2) {
        return DLMS_ACTION_OTHER_REASON;
    }
    int rc = cosem_push_trigger(&S, cosem_find(&S, lns[id - 1]), a->rtc);
    a->native_rc = rc;
    return rc == COSEM_ERR_PUSH_DESTINATION ? 0 : rc < 0 ? rc : 0;
}
static const cosem_script_native_t push_natives[] = {{COSEM_SCRIPT_ANY, push_native}};
static const cosem_script_table_def_t push_scripts_def = {
    COSEM_STATE(cosem_script_table_state_t, app_t, push_scripts), push_natives, 1};
static const cosem_single_action_def_t push_schedule_def = {
    COSEM_STATE(cosem_single_action_state_t, app_t, push_schedule)};

static const cosem_object_t objects[] = {
    {&cosem_class_clock, COSEM_OBIS(0, 0, 1, 0, 0, 255), &clock_def, {&all}},
    {&cosem_class_data, COSEM_OBIS(0, 0, 96, 1, 1, 255), &equip_def, {&all}},
    {&cosem_class_data, COSEM_OBIS(0, 0, 97, 98, 0, 255), &alarm_def, {&all}},
    {&cosem_class_register, COSEM_OBIS(1, 0, 1, 8, 0, 255), &energy_def, {&all}},
    {&cosem_class_push_setup, COSEM_OBIS(0, 0, 25, 9, 0, 255), &sched_def, {&all}},
    {&cosem_class_push_setup, COSEM_OBIS(0, 1, 25, 9, 0, 255), &alarm_push_def, {&all}},
    {&cosem_class_script_table, COSEM_OBIS(0, 0, 10, 0, 108, 255), &push_scripts_def, {&all}},
    {&cosem_class_single_action_schedule,
     COSEM_OBIS(0, 0, 15, 0, 4, 255),
     &push_schedule_def,
     {&all}},
};

static app_t A;
static em_port_t P;
static dlms_cosem_services_t SVC;
static dlms_server_config_t CFG;
static dlms_assoc_config_t *ASSOC_LIST[1];
static dlms_server_t SRV;

static int64_t rtc_get(void *user) {
    return ((app_t *)user)->rtc;
}

static int fake_entropy(void *user, uint8_t *buf, size_t len) {
    app_t *a = user;
    if (a->entropy_fail || a->entropy_pos + len > a->entropy_len) {
        return EM_PORT_ERR_ENTROPY;
    }
    memcpy(buf, a->entropy + a->entropy_pos, len);
    a->entropy_pos += len;
    return 0;
}

static int reserve_ic(void *user, dlms_security_context_t *sec, uint32_t bound) {
    app_t *a = user;
    (void)sec;
    (void)bound;
    a->reserve_calls++;
    return a->reserve_fail ? -1 : 0;
}

/* 2024-01-15 12:00:00 UTC, a Monday: 13:00 CET. */
#define T0 1705320000

static const uint8_t EK[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                               0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
static const uint8_t AK[16] = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7,
                               0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF};
static const uint8_t TITLE[8] = {'M', 'M', 'M', 0, 0, 0, 0, 1};

static int setup(void **state) {
    (void)state;
    memset(&A, 0, sizeof(A));
    memset(&P, 0, sizeof(P));
    cosem_clock_state_cet(&A.clock);
    memcpy(A.equipment_id, "E0000000000000001", 17);
    A.equipment_id_len = 17;
    A.alarm1 = 5;
    A.energy_wh = 1000;
    cosem_push_init(&A.sched);
    cosem_push_init(&A.alarm);
    A.push_scripts.scripts[0].id = 1;
    A.push_scripts.scripts[1].id = 2;
    A.push_scripts.count = 2;
    cosem_single_action_init(&A.push_schedule, 1);
    A.assoc = (dlms_assoc_config_t){.client_sap = 16,
                                    .logical_name = {0, 0, 40, 0, 1, 255},
                                    .app_context = 1,
                                    .mechanism = 0,
                                    .conformance = 0x00701Fu,
                                    .max_receive_pdu = 1024};
    memcpy(A.sec.keys.guek, EK, 16);
    memcpy(A.sec.keys.ak, AK, 16);
    memcpy(A.sec.server_system_title, TITLE, 8);
    A.sec.security_policy = DLMS_SEC_POLICY_AUTH_ENCRYPTED;
    A.sec.tx_ic = 100;
    A.sec.tx_ic_reserved = 100;
    A.rtc = T0;
    P.user = &A;
    P.rtc_get = rtc_get;
    P.entropy = fake_entropy;
    if (cosem_server_init(&S, objects, COSEM_COUNT(objects), &A, sizeof(A), &P) != 0 ||
        cosem_server_add_association(&S, &A.assoc) != 0 || cosem_server_add_security(&S, &A.sec)) {
        return -1;
    }
    cosem_server_services(&S, &SVC);
    memset(&CFG, 0, sizeof(CFG));
    ASSOC_LIST[0] = &A.assoc;
    CFG.associations = ASSOC_LIST;
    CFG.association_count = 1;
    CFG.server_sap = 1;
    CFG.services = &SVC;
    CFG.port = &P;
    CFG.user = &A;
    CFG.reserve_ic = reserve_ic;
    CFG.ic_reserve_step = 10;
    return dlms_server_init(&SRV, &CFG, 0);
}

static dlms_assoc_view_t view(void) {
    dlms_assoc_view_t v;
    memset(&v, 0, sizeof(v));
    v.client_sap = 1;
    v.server_sap = 1;
    v.status = DLMS_ASSOC_ASSOCIATED;
    v.app_context = 3;
    v.ciphered = true;
    v.dlms_version = 6;
    v.conformance = 0x00701Fu;
    v.server_max_pdu = 1024;
    v.client_max_pdu = 1024;
    return v;
}

static const cosem_object_t *obj(const uint8_t ln[6]) {
    return cosem_find(&S, ln);
}

static int set_hex(const uint8_t ln[6], int8_t attr, const char *hex) {
    uint8_t v[256];
    size_t n = test_unhex(hex, v, sizeof(v));
    dlms_assoc_view_t vw = view();
    return cosem_call_set(&S, &vw, COSEM_CLASS_PUSH_SETUP, ln, attr, v, n);
}

static void expect_get(const uint8_t ln[6], int8_t attr, const char *hex) {
    uint8_t want[256], out[256];
    size_t wn = test_unhex(hex, want, sizeof(want)), n = 0;
    dlms_assoc_view_t vw = view();
    assert_int_equal(
        cosem_call_get(&S, &vw, COSEM_CLASS_PUSH_SETUP, ln, attr, NULL, out, sizeof(out), &n), 0);
    assert_int_equal(n, wn);
    assert_memory_equal(out, want, n);
}

static void feed_entropy(const char *hex) {
    A.entropy_len = test_unhex(hex, A.entropy, sizeof(A.entropy));
    A.entropy_pos = 0;
}

/* ---- attributes ----------------------------------------------------------------------- */

/* The DSMR alarm list and a TCP destination, read back byte by byte. */
static const char *ALARM_LIST_HEX = "0103"
                                    "0204 1200 01 0906 0000600101FF 0F02 120000"
                                    "0204 1200 28 0906 0001190900FF 0F01 120000"
                                    "0204 1200 01 0906 0000616200FF 0F02 120000";

static void test_attributes_read_write(void **state) {
    (void)state;
    expect_get(LN_APUSH, 2, "0100");
    expect_get(LN_APUSH, 3, "0203 1600 0900 1600");
    expect_get(LN_APUSH, 4, "0100");
    expect_get(LN_APUSH, 5, "120000");
    expect_get(LN_APUSH, 6, "1100");
    expect_get(LN_APUSH, 7, "120000");
    assert_int_equal(set_hex(LN_APUSH, 2, ALARM_LIST_HEX), 0);
    expect_get(LN_APUSH, 2, ALARM_LIST_HEX);
    assert_int_equal(A.alarm.object_count, 3);
    assert_memory_equal(A.alarm.objects, cosem_push_list_alarm, sizeof(cosem_push_list_alarm));
    /* "127.0.0.1:4060" over UDP. */
    assert_int_equal(set_hex(LN_APUSH, 3, "0203 1601 090E 3132372E302E302E313A34303630 1600"), 0);
    expect_get(LN_APUSH, 3, "0203 1601 090E 3132372E302E302E313A34303630 1600");
    assert_int_equal(A.alarm.transport, COSEM_PUSH_UDP);
    /* Window every night 01:00-05:00 (date fields not specified). */
    const char *win = "0101 0202 090C FFFFFFFFFF 01000000 8000FF 090C FFFFFFFFFF 05000000 8000FF";
    assert_int_equal(set_hex(LN_APUSH, 4, win), 0);
    expect_get(LN_APUSH, 4, win);
    assert_int_equal(set_hex(LN_APUSH, 5, "12 0E10"), 0);
    assert_int_equal(set_hex(LN_APUSH, 6, "11 03"), 0);
    assert_int_equal(set_hex(LN_APUSH, 7, "12 003C"), 0);
    expect_get(LN_APUSH, 5, "120E10");
    expect_get(LN_APUSH, 6, "1103");
    expect_get(LN_APUSH, 7, "12003C");
    assert_int_equal(A.alarm.randomisation_start_interval, 3600);
    assert_int_equal(A.alarm.number_of_retries, 3);
    assert_int_equal(A.alarm.repetition_delay, 60);
    /* The other object was not touched. */
    assert_int_equal(A.sched.object_count, 0);
    /* Logical name attribute and the class identity. */
    assert_int_equal(cosem_attr_access(obj(LN_APUSH), 0, 8), 0); /* version 0: 7 attributes */
}

static void test_set_refusals(void **state) {
    (void)state;
    assert_int_equal(set_hex(LN_APUSH, 2, ALARM_LIST_HEX), 0);
    assert_int_equal(set_hex(LN_APUSH, 3, "0203 1600 090E 3132372E302E302E313A34303630 1600"), 0);
    cosem_push_state_t before = A.alarm;
    struct {
        int8_t attr;
        const char *hex;
        int dar;
    } cases[] = {
        /* push_object_list */
        {2, "0201 0204 1200 01 0906 0000600101FF 0F02 120000",
         DLMS_DAR_TYPE_UNMATCHED},                                                /* not array */
        {2, "0101 0203 1200 01 0906 0000600101FF 0F02", DLMS_DAR_TYPE_UNMATCHED}, /* 3 fields */
        {2, "0101 0204 1200 01 0905 00006001FF 0F02 120000", DLMS_DAR_TYPE_UNMATCHED}, /* LN 5 */
        {2, "0101 0204 1200 01 0906 0000600101FF 1102 120000",
         DLMS_DAR_TYPE_UNMATCHED}, /* unsigned */
        {2, "0102 0204 1200 01 0906 0000600101FF 0F02 120000", DLMS_DAR_TYPE_UNMATCHED}, /* short */
        {2, "0101 0204 1200 01 0906 0000600102FF 0F02 120000",
         DLMS_DAR_OTHER_REASON}, /* no object */
        {2, "0101 0204 1200 03 0906 0000600101FF 0F02 120000", DLMS_DAR_OTHER_REASON}, /* class 3 */
        {2, "0101 0204 1200 01 0906 0000600101FF 0F03 120000", DLMS_DAR_OTHER_REASON}, /* attr 3 */
        {2, "0101 0204 1200 01 0906 0000600101FF 0F00 120000", DLMS_DAR_OTHER_REASON}, /* attr 0 */
        {2, "0101 0204 1200 01 0906 0000600101FF 0FFF 120000", DLMS_DAR_OTHER_REASON}, /* attr -1 */
        {2, "0109", DLMS_DAR_TYPE_UNMATCHED},    /* 9 entries announced, none there */
        {2, "0100 00", DLMS_DAR_TYPE_UNMATCHED}, /* trailing byte */
        /* send_destination_and_method */
        {3, "0203 1602 0906 613A313233 34 1600", DLMS_DAR_OTHER_REASON},  /* FTP */
        {3, "0203 1605 0906 613A31323334 1600", DLMS_DAR_OTHER_REASON},   /* HDLC */
        {3, "0203 1600 0906 613A31323334 1601", DLMS_DAR_OTHER_REASON},   /* XML message */
        {3, "0203 1600 0904 61313233 1600", DLMS_DAR_OTHER_REASON},       /* no colon */
        {3, "0203 1600 0906 613A3132337A 1600", DLMS_DAR_OTHER_REASON},   /* port not digits */
        {3, "0203 1600 0907 613A3635353336 1600", DLMS_DAR_OTHER_REASON}, /* port 65536 */
        {3, "0203 1600 0903 613A30 1600", DLMS_DAR_OTHER_REASON},         /* port 0 */
        {3, "0203 1600 0902 613A 1600", DLMS_DAR_OTHER_REASON},           /* no port */
        {3, "0203 1600 0906 3A3132333435 1600", DLMS_DAR_OTHER_REASON},   /* no host */
        {3, "0203 1600 0907 6120623A313233 1600", DLMS_DAR_OTHER_REASON}, /* space */
        {3, "0203 1100 0906 613A31323334 1600", DLMS_DAR_TYPE_UNMATCHED}, /* unsigned */
        {3, "0202 1600 0906 613A31323334", DLMS_DAR_TYPE_UNMATCHED},      /* 2 fields */
        {3, "0203 1600 0A06 613A31323334 1600", DLMS_DAR_TYPE_UNMATCHED}, /* visible-string */
        {3,
         "0203 1600 0941 "
         "61616161616161616161616161616161616161616161616161616161616161616161616161616161"
         "61616161616161616161616161616161616161616161613A31 1600",
         DLMS_DAR_OTHER_REASON}, /* 65 bytes */
        /* communication_window */
        {4, "0101 0202 090C FFFFFFFFFF 01000000 8000FF 090C FFFFFFFFFF 19000000 8000FF",
         DLMS_DAR_OTHER_REASON}, /* hour 25 */
        {4, "0101 0202 090C FFFFFEFFFF 01000000 8000FF 090C FFFFFFFFFF 05000000 8000FF",
         DLMS_DAR_OTHER_REASON}, /* DST month */
        {4, "0101 0202 090C FFFFFFFEFF 01000000 8000FF 090C FFFFFFFFFF 05000000 8000FF",
         DLMS_DAR_OTHER_REASON}, /* last day */
        {4, "0101 0202 090B FFFFFFFFFF 01000000 8000 090C FFFFFFFFFF 05000000 8000FF",
         DLMS_DAR_TYPE_UNMATCHED}, /* 11 bytes */
        {4, "0101 0201 090C FFFFFFFFFF 01000000 8000FF", DLMS_DAR_TYPE_UNMATCHED},
        {4, "0105", DLMS_DAR_TYPE_UNMATCHED}, /* 5 announced, none there */
        /* numbers */
        {5, "11 05", DLMS_DAR_TYPE_UNMATCHED},
        {5, "06 00000005", DLMS_DAR_TYPE_UNMATCHED},
        {6, "12 0005", DLMS_DAR_TYPE_UNMATCHED},
        {7, "0F 05", DLMS_DAR_TYPE_UNMATCHED},
        {7, "12 0005 00", DLMS_DAR_TYPE_UNMATCHED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = set_hex(LN_APUSH, cases[i].attr, cases[i].hex);
        if (rc != cases[i].dar) {
            fail_msg("case %zu (attribute %d): %d, want %d", i, cases[i].attr, rc, cases[i].dar);
        }
        assert_memory_equal(&before, &A.alarm, sizeof(before));
    }
    /* More entries than configured, each valid. */
    char big[1024];
    snprintf(big, sizeof(big), "01%02X", EM_COSEM_PUSH_OBJECTS + 1);
    for (int i = 0; i <= EM_COSEM_PUSH_OBJECTS; i++) {
        strcat(big, "0204 1200 01 0906 0000600101FF 0F02 120000");
    }
    assert_int_equal(set_hex(LN_APUSH, 2, big), DLMS_DAR_OTHER_REASON);
    snprintf(big, sizeof(big), "01%02X", EM_COSEM_PUSH_WINDOWS + 1);
    for (int i = 0; i <= EM_COSEM_PUSH_WINDOWS; i++) {
        strcat(big, "0202 090C FFFFFFFFFF 01000000 8000FF 090C FFFFFFFFFF 05000000 8000FF");
    }
    assert_int_equal(set_hex(LN_APUSH, 4, big), DLMS_DAR_OTHER_REASON);
    assert_memory_equal(&before, &A.alarm, sizeof(before));
    /* An empty destination is allowed (no push). */
    assert_int_equal(set_hex(LN_APUSH, 3, "0203 1600 0900 1600"), 0);
    assert_int_equal(A.alarm.destination_len, 0);
    /* Attribute 8 does not exist in version 0. */
    assert_int_equal(set_hex(LN_APUSH, 8, "1100"), DLMS_DAR_OBJECT_UNDEFINED);
}

static void test_method_push(void **state) {
    (void)state;
    dlms_assoc_view_t vw = view();
    bool has_ret = true;
    size_t rl = 0;
    uint8_t ret[8];
    const uint8_t zero[] = {0x0F, 0x00}, bad[] = {0x09, 0x00};
    /* No destination: refused, nothing pending. */
    assert_int_equal(cosem_call_action(&S, &vw, COSEM_CLASS_PUSH_SETUP, LN_SCHED, 1, zero,
                                       sizeof(zero), ret, sizeof(ret), &rl, &has_ret),
                     DLMS_ACTION_OTHER_REASON);
    assert_int_equal(A.sched.phase, COSEM_PUSH_IDLE);
    assert_int_equal(cosem_push_set_destination(&A.sched, COSEM_PUSH_TCP, "127.0.0.1:4060"), 0);
    assert_int_equal(cosem_call_action(&S, &vw, COSEM_CLASS_PUSH_SETUP, LN_SCHED, 1, bad,
                                       sizeof(bad), ret, sizeof(ret), &rl, &has_ret),
                     DLMS_ACTION_TYPE_UNMATCHED);
    assert_int_equal(cosem_call_action(&S, &vw, COSEM_CLASS_PUSH_SETUP, LN_SCHED, 1, zero,
                                       sizeof(zero), ret, sizeof(ret), &rl, &has_ret),
                     0);
    assert_false(has_ret);
    assert_int_equal(A.sched.phase, COSEM_PUSH_WAITING);
    assert_int_equal(A.sched.due, T0); /* interval 0: at once */
    assert_int_equal(cosem_push_tick(&S, obj(LN_SCHED), T0), 1);
    assert_int_equal(A.sched.phase, COSEM_PUSH_SENDING);
    assert_int_equal(cosem_push_tick(&S, obj(LN_SCHED), T0), 0); /* once */
    assert_int_equal(cosem_push_result(&S, obj(LN_SCHED), true, T0), 0);
    assert_int_equal(A.sched.sent, 1);
    assert_int_equal(cosem_push_result(&S, obj(LN_SCHED), true, T0), COSEM_ERR_PUSH_PHASE);
    /* Not a push setup. */
    assert_int_equal(cosem_push_trigger(&S, obj(LN_ALARM), T0), COSEM_ERR_PUSH_OBJECT);
    assert_int_equal(cosem_push_tick(&S, obj(LN_CLOCK), T0), COSEM_ERR_PUSH_OBJECT);
}

/* ---- engine timeline ----------------------------------------------------------------------- */

static void test_randomisation(void **state) {
    (void)state;
    const cosem_object_t *o = obj(LN_APUSH);
    assert_int_equal(cosem_push_set_destination(&A.alarm, COSEM_PUSH_TCP, "h:1"), 0);
    A.alarm.randomisation_start_interval = 100;
    /* 0x00000000 -> 0; 0x00000064 (100) -> 100; 0x00000065 -> 0; 0xFFFFFFFF ->
     * 4294967295 % 101 = 2 (4294967295 = 42524428 * 101 + 67 -> 67). */
    feed_entropy("00000000 00000064 00000065 FFFFFFFF 00000032");
    const int64_t want[] = {0, 100, 0, 4294967295LL % 101, 50};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(cosem_push_trigger(&S, o, T0 + 1000 * (int64_t)i), 0);
        assert_int_equal(A.alarm.due, T0 + 1000 * (int64_t)i + want[i]);
        assert_true(A.alarm.due - (T0 + 1000 * (int64_t)i) <= 100);
        /* Not before due, then once. */
        if (want[i] > 0) {
            assert_int_equal(cosem_push_tick(&S, o, A.alarm.due - 1), 0);
        }
        /* A second trigger meanwhile is merged: due unchanged, no entropy used. */
        size_t pos = A.entropy_pos;
        int64_t due = A.alarm.due;
        assert_int_equal(cosem_push_trigger(&S, o, A.alarm.due - 1), 1);
        assert_int_equal(A.alarm.due, due);
        assert_int_equal(A.entropy_pos, pos);
        assert_int_equal(cosem_push_tick(&S, o, A.alarm.due), 1);
        assert_int_equal(cosem_push_result(&S, o, true, A.alarm.due), 0);
    }
    assert_int_equal(A.alarm.sent, 5);
    /* Entropy failure: no delay rather than no alarm. */
    A.entropy_fail = true;
    assert_int_equal(cosem_push_trigger(&S, o, T0 + 9000), 0);
    assert_int_equal(A.alarm.due, T0 + 9000);
    /* No destination: nothing starts. */
    A.alarm.phase = COSEM_PUSH_IDLE;
    A.alarm.destination_len = 0;
    assert_int_equal(cosem_push_trigger(&S, o, T0), COSEM_ERR_PUSH_DESTINATION);
    assert_int_equal(A.alarm.phase, COSEM_PUSH_IDLE);
}

static void test_retries(void **state) {
    (void)state;
    const cosem_object_t *o = obj(LN_APUSH);
    assert_int_equal(cosem_push_set_destination(&A.alarm, COSEM_PUSH_UDP, "h:1"), 0);
    A.alarm.number_of_retries = 2;
    A.alarm.repetition_delay = 30;
    assert_int_equal(cosem_push_trigger(&S, o, T0), 0);
    assert_int_equal(cosem_push_tick(&S, o, T0), 1);
    assert_int_equal(cosem_push_result(&S, o, false, T0 + 2), 1); /* retry 1 at +32 */
    assert_int_equal(A.alarm.due, T0 + 32);
    assert_int_equal(cosem_push_tick(&S, o, T0 + 31), 0);
    assert_int_equal(cosem_push_tick(&S, o, T0 + 32), 1);
    assert_int_equal(cosem_push_result(&S, o, false, T0 + 40), 1); /* retry 2 at +70 */
    assert_int_equal(cosem_push_tick(&S, o, T0 + 69), 0);
    assert_int_equal(cosem_push_tick(&S, o, T0 + 70), 1);
    assert_int_equal(cosem_push_result(&S, o, false, T0 + 71), 0); /* dropped */
    assert_int_equal(A.alarm.phase, COSEM_PUSH_IDLE);
    assert_int_equal(A.alarm.failed, 1);
    assert_int_equal(A.alarm.sent, 0);
    assert_int_equal(cosem_push_tick(&S, o, T0 + 1000), 0);
    /* A success on a retry ends it. */
    assert_int_equal(cosem_push_trigger(&S, o, T0 + 2000), 0);
    assert_int_equal(cosem_push_tick(&S, o, T0 + 2000), 1);
    assert_int_equal(cosem_push_result(&S, o, false, T0 + 2000), 1);
    assert_int_equal(cosem_push_tick(&S, o, T0 + 2030), 1);
    assert_int_equal(cosem_push_result(&S, o, true, T0 + 2031), 0);
    assert_int_equal(A.alarm.sent, 1);
    assert_int_equal(A.alarm.attempts, 1);
    /* No retries configured: the first failure drops it. */
    A.alarm.number_of_retries = 0;
    assert_int_equal(cosem_push_trigger(&S, o, T0 + 3000), 0);
    assert_int_equal(cosem_push_tick(&S, o, T0 + 3000), 1);
    assert_int_equal(cosem_push_result(&S, o, false, T0 + 3000), 0);
    assert_int_equal(A.alarm.failed, 2);
    /* A restart while sending resends at once. */
    assert_int_equal(cosem_push_trigger(&S, o, T0 + 4000), 0);
    assert_int_equal(cosem_push_tick(&S, o, T0 + 4000), 1);
    cosem_push_resume(&A.alarm);
    assert_int_equal(A.alarm.phase, COSEM_PUSH_WAITING);
    assert_int_equal(cosem_push_tick(&S, o, T0 + 4100), 1);
}

static void test_windows(void **state) {
    (void)state;
    const cosem_object_t *o = obj(LN_APUSH);
    assert_int_equal(cosem_push_set_destination(&A.alarm, COSEM_PUSH_TCP, "h:1"), 0);
    /* Every night 01:00:00-05:00:00 local time (CET = UTC+1 in January). */
    assert_int_equal(
        set_hex(LN_APUSH, 4,
                "0101 0202 090C FFFFFFFFFF 01000000 8000FF 090C FFFFFFFFFF 05000000 8000FF"),
        0);
    assert_int_equal(cosem_push_trigger(&S, o, T0), 0); /* 13:00 local */
    int64_t open = 1705363200 /* 2024-01-16 00:00 UTC = 01:00 CET */;
    assert_false(cosem_push_in_window(&S, &A.alarm, T0));
    assert_int_equal(cosem_push_tick(&S, o, T0 + 3600), 0);
    assert_int_equal(cosem_push_tick(&S, o, open - 1), 0);
    assert_true(cosem_push_in_window(&S, &A.alarm, open));
    assert_true(cosem_push_in_window(&S, &A.alarm, open + 4 * 3600)); /* 05:00:00 included */
    assert_false(cosem_push_in_window(&S, &A.alarm, open + 4 * 3600 + 1));
    assert_int_equal(cosem_push_tick(&S, o, open), 1);
    /* A failed send retries inside the window only. */
    A.alarm.number_of_retries = 1;
    A.alarm.repetition_delay = 4 * 3600;
    assert_int_equal(cosem_push_result(&S, o, false, open + 10), 1);
    assert_int_equal(cosem_push_tick(&S, o, open + 10 + 4 * 3600), 0); /* 05:00:10 */
    assert_int_equal(cosem_push_tick(&S, o, open + 86400 - 1), 0);     /* 00:59:59 */
    assert_int_equal(cosem_push_tick(&S, o, open + 86400), 1);
    assert_int_equal(cosem_push_result(&S, o, true, open + 86400), 0);
    /* Over midnight: 22:00 to 02:00, and a Sunday-only window. */
    assert_int_equal(
        set_hex(LN_APUSH, 4,
                "0101 0202 090C FFFFFFFFFF 16000000 8000FF 090C FFFFFFFFFF 02000000 8000FF"),
        0);
    assert_false(cosem_push_in_window(&S, &A.alarm, T0));            /* 13:00 */
    assert_true(cosem_push_in_window(&S, &A.alarm, T0 + 9 * 3600));  /* 22:00 */
    assert_true(cosem_push_in_window(&S, &A.alarm, T0 + 12 * 3600)); /* 01:00 */
    assert_false(cosem_push_in_window(&S, &A.alarm, T0 + 13 * 3600 + 1));
    assert_int_equal(
        set_hex(LN_APUSH, 4,
                "0101 0202 090C FFFFFFFF07 00000000 8000FF 090C FFFFFFFF07 173B3B00 8000FF"),
        0);
    assert_false(cosem_push_in_window(&S, &A.alarm, T0));        /* Monday */
    assert_true(cosem_push_in_window(&S, &A.alarm, T0 - 86400)); /* Sunday 13:00 */
    /* A concrete window: 2024-01-15 13:00:00 .. 13:00:30 local. */
    assert_int_equal(
        set_hex(LN_APUSH, 4,
                "0101 0202 090C 07E8010FFF 0D000000 8000FF 090C 07E8010FFF 0D001E00 8000FF"),
        0);
    assert_true(cosem_push_in_window(&S, &A.alarm, T0 + 30));
    assert_false(cosem_push_in_window(&S, &A.alarm, T0 + 31));
    assert_false(cosem_push_in_window(&S, &A.alarm, T0 + 86400));
    /* No window: always. */
    assert_int_equal(set_hex(LN_APUSH, 4, "0100"), 0);
    assert_true(cosem_push_in_window(&S, &A.alarm, T0 + 12345));
}

/* The DSMR path: single action schedule 0.0.15.0.4.255 runs push script 1
 * of 0.0.10.0.108.255, whose native starts the scheduled push. */
static void test_schedule_drives_push(void **state) {
    (void)state;
    const cosem_object_t *o = obj(LN_SCHED);
    static const uint8_t push_table[6] = {0, 0, 10, 0, 108, 255};
    memcpy(A.push_schedule.script.ln, push_table, 6);
    A.push_schedule.script.selector = 1;
    A.push_schedule.count = 1;
    A.push_schedule.times[0].time = (cosem_time_t){13, 5, 0, 0}; /* every day 13:05 local */
    A.push_schedule.times[0].date = (cosem_date_t){COSEM_DT_YEAR_NOT_SPECIFIED, 0xFF, 0xFF, 0xFF};
    /* No destination yet: the schedule runs, nothing is pushed, no error. */
    assert_int_equal(cosem_sched_tick(&S, T0), 0);
    A.rtc = T0 + 300;
    assert_int_equal(cosem_sched_tick(&S, T0 + 300), 1);
    assert_int_equal(A.native_rc, COSEM_ERR_PUSH_DESTINATION);
    assert_int_equal(A.sched.phase, COSEM_PUSH_IDLE);
    /* With a destination and a randomisation interval. */
    assert_int_equal(cosem_push_set_destination(&A.sched, COSEM_PUSH_TCP, "127.0.0.1:4060"), 0);
    A.sched.randomisation_start_interval = 60;
    feed_entropy("0000002A"); /* 42 */
    A.rtc = T0 + 300 + 86400;
    assert_int_equal(cosem_sched_tick(&S, A.rtc - 1), 0);
    assert_int_equal(cosem_sched_tick(&S, A.rtc), 1);
    assert_int_equal(A.native_rc, 0);
    assert_int_equal(A.sched.phase, COSEM_PUSH_WAITING);
    assert_int_equal(A.sched.due, A.rtc + 42);
    assert_int_equal(cosem_push_tick(&S, o, A.rtc + 41), 0);
    assert_int_equal(cosem_push_tick(&S, o, A.rtc + 42), 1);
    assert_int_equal(A.alarm.phase, COSEM_PUSH_IDLE); /* the other push untouched */
}

/* ---- persistence ----------------------------------------------------------------------- */

static void test_record_round_trip(void **state) {
    (void)state;
    assert_int_equal(set_hex(LN_APUSH, 2, ALARM_LIST_HEX), 0);
    assert_int_equal(set_hex(LN_APUSH, 3, "0203 1601 090E 3132372E302E302E313A34303630 1600"), 0);
    assert_int_equal(
        set_hex(LN_APUSH, 4,
                "0102 0202 090C FFFFFFFFFF 01000000 8000FF 090C FFFFFFFFFF 05000000 8000FF"
                "0202 090C 07E8010FFF 0D000000 8000FF 090C 07E8010FFF 0D001E00 8000FF"),
        0);
    A.alarm.randomisation_start_interval = 3600;
    A.alarm.number_of_retries = 3;
    A.alarm.repetition_delay = 60;
    A.alarm.phase = COSEM_PUSH_SENDING;
    A.alarm.attempts = 2;
    A.alarm.due = T0 + 77;
    A.alarm.invoke_id = 0xFFFFFF;
    A.alarm.sent = 5;
    A.alarm.failed = 1;
    uint8_t rec[COSEM_PUSH_RECORD_MAX];
    int n = cosem_push_state_pack(&A.alarm, rec, sizeof(rec));
    assert_int_equal(n, 1 + 1 + 33 + 3 + 14 + 1 + 48 + 5 + 1 + 2 + 8 + 12);
    assert_int_equal(rec[0], COSEM_PUSH_RECORD_VERSION);
    cosem_push_state_t back;
    memset(&back, 0, sizeof(back));
    assert_int_equal(cosem_push_state_unpack(rec, (size_t)n, &back), 0);
    assert_memory_equal(&back, &A.alarm, sizeof(back));
    /* Every truncation and a trailing byte are refused, leaving the state. */
    cosem_push_state_t keep = back;
    for (int i = 0; i < n; i++) {
        assert_int_equal(cosem_push_state_unpack(rec, (size_t)i, &back), COSEM_ERR_PUSH_RECORD);
    }
    rec[n] = 0;
    assert_int_equal(cosem_push_state_unpack(rec, (size_t)n + 1, &back), COSEM_ERR_PUSH_RECORD);
    assert_memory_equal(&back, &keep, sizeof(back));
    /* Corrupt fields: version, object count, transport, destination,
     * window, protection, phase, invoke id. */
    const size_t at_transport = 2 + 33, at_dest = at_transport + 3, at_win = at_dest + 14 + 1;
    const size_t at_prot = at_win + 48 + 5, at_phase = at_prot + 1, at_iid = at_phase + 2 + 8;
    struct {
        size_t at;
        uint8_t byte;
    } bad[] = {{0, 2},
               {1, 9},
               {at_transport, 2},
               {at_transport + 1, 1},
               {at_dest + 3, ' '},
               {at_win + 5, 25},
               {at_prot, 0x40},
               {at_phase, 3},
               {at_iid, 0x01}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t c[COSEM_PUSH_RECORD_MAX];
        memcpy(c, rec, (size_t)n);
        c[bad[i].at] = bad[i].byte;
        if (cosem_push_state_unpack(c, (size_t)n, &back) != COSEM_ERR_PUSH_RECORD) {
            fail_msg("corruption %zu at %zu accepted", i, bad[i].at);
        }
    }
    assert_memory_equal(&back, &keep, sizeof(back));
    /* The factory state too; a small buffer is refused. */
    cosem_push_state_t f;
    cosem_push_init(&f);
    n = cosem_push_state_pack(&f, rec, sizeof(rec));
    assert_int_equal(cosem_push_state_unpack(rec, (size_t)n, &back), 0);
    assert_memory_equal(&back, &f, sizeof(f));
    assert_int_equal(cosem_push_state_pack(&f, rec, 10), COSEM_ERR_BADARG);
}

/* ---- the notification ---------------------------------------------------------------------- */

/* Body of the DSMR alarm push with alarm register 1 = 5. */
static const char *ALARM_BODY = "0203"
                                "0911 4530303030303030303030303030303031"
                                "0906 0001190900FF"
                                "06 00000005";
/* 2024-01-15 13:00:00.00 local, deviation -60 (FFC4), status 0. */
#define DT_T0 "07E8010F010D000000FFC400"

static void test_encode_exact(void **state) {
    (void)state;
    const cosem_object_t *o = obj(LN_APUSH);
    assert_int_equal(cosem_push_set_objects(&A.alarm, cosem_push_list_alarm, 3), 0);
    uint8_t buf[256], want[256];
    int n = cosem_push_encode(&S, o, T0, buf, sizeof(buf));
    size_t wn = test_unhex(ALARM_BODY, want, sizeof(want));
    assert_int_equal(n, (int)wn);
    assert_memory_equal(buf, want, wn);
    /* Too small a buffer. */
    assert_int_equal(cosem_push_encode(&S, o, T0, buf, 20), COSEM_ERR_PUSH_TOO_LONG);
    /* Plain APDU (protection 0, what OSGP's SMR 5 decoder reads). */
    A.alarm.protection = 0;
    uint8_t out[512];
    n = cosem_push_notification(&S, o, &SRV, T0, out, sizeof(out));
    wn = test_unhex("0F 00000001 0C" DT_T0, want, sizeof(want));
    wn += test_unhex(ALARM_BODY, want + wn, sizeof(want) - wn);
    assert_int_equal(n, (int)wn);
    assert_memory_equal(out, want, wn);
    assert_int_equal(A.alarm.invoke_id, 1);
    n = cosem_push_notification(&S, o, &SRV, T0, out, sizeof(out));
    assert_int_equal(out[4], 2);        /* next invoke id */
    assert_int_equal(A.sec.tx_ic, 100); /* plain: no counter used */
    /* Clock time (the push instant), data_index into a structure, an
     * entry that cannot be read (a profile buffer is refused at SET but
     * may be given by the application; here a missing object). */
    const dlms_capture_object_t list[] = {
        {COSEM_CLASS_CLOCK, {0, 0, 1, 0, 0, 255}, 2, 0},
        {COSEM_CLASS_REGISTER, {1, 0, 1, 8, 0, 255}, 3, 2},
        {COSEM_CLASS_REGISTER, {1, 0, 1, 8, 0, 255}, 2, 0},
        {COSEM_CLASS_DATA, {0, 0, 96, 1, 9, 255}, 2, 0},
        {COSEM_CLASS_REGISTER, {1, 0, 1, 8, 0, 255}, 3, 3},
    };
    assert_int_equal(cosem_push_set_objects(&A.sched, list, 5), 0);
    n = cosem_push_encode(&S, obj(LN_SCHED), T0 + 61, buf, sizeof(buf));
    wn = test_unhex("0205 090C 07E8010F010D010100FFC400 161E 15 00000000000003E8 00 00", want,
                    sizeof(want));
    assert_int_equal(n, (int)wn);
    assert_memory_equal(buf, want, wn);
}

static void test_ciphered(void **state) {
    (void)state;
    const cosem_object_t *o = obj(LN_APUSH);
    assert_int_equal(cosem_push_set_objects(&A.alarm, cosem_push_list_alarm, 3), 0);
    assert_int_equal(A.alarm.protection, DLMS_SEC_SC_AUTH_ENC);
    uint8_t out[512], plain[512], want[256];
    int n = cosem_push_notification(&S, o, &SRV, T0, out, sizeof(out));
    assert_true(n > 0);
    /* DB, title 08 MMM0001, length, SC 30, IC 100. */
    size_t hn = test_unhex("DB 08 4D4D4D0000000001", want, sizeof(want));
    assert_memory_equal(out, want, hn);
    assert_int_equal(out[hn + 1], 0x30);
    assert_memory_equal(out + hn + 2, "\x00\x00\x00\x64", 4);
    assert_int_equal(A.sec.tx_ic, 101);
    assert_int_equal(A.reserve_calls, 1); /* reserved before use */
    dlms_sec_keys_t keys;
    memset(&keys, 0, sizeof(keys));
    memcpy(keys.guek, EK, 16);
    memcpy(keys.ak, AK, 16);
    dlms_sec_rx_t rx;
    memset(&rx, 0, sizeof(rx));
    rx.keys = &keys;
    rx.sc_required = DLMS_SEC_SC_AUTH | DLMS_SEC_SC_ENC;
    dlms_sec_info_t info;
    int pn = dlms_sec_unprotect(&rx, out, (size_t)n, plain, sizeof(plain), &info);
    size_t wn = test_unhex("0F 00000001 0C" DT_T0, want, sizeof(want));
    wn += test_unhex(ALARM_BODY, want + wn, sizeof(want) - wn);
    assert_int_equal(pn, (int)wn);
    assert_memory_equal(plain, want, wn);
    assert_int_equal(info.ic, 100);
    assert_memory_equal(info.system_title, TITLE, 8);
    /* A reservation failure sends nothing and uses no counter nor invoke id. */
    A.sec.tx_ic_reserved = A.sec.tx_ic;
    A.reserve_fail = true;
    n = cosem_push_notification(&S, o, &SRV, T0, out, sizeof(out));
    assert_int_equal(n, DLMS_SERVER_ERR_IC_RESERVE);
    assert_int_equal(A.sec.tx_ic, 101);
    assert_int_equal(A.alarm.invoke_id, 1);
    /* Too small an output: nothing used either. */
    A.reserve_fail = false;
    n = cosem_push_notification(&S, o, &SRV, T0, out, 30);
    assert_int_equal(n, COSEM_ERR_PUSH_TOO_LONG);
    assert_int_equal(A.sec.tx_ic, 101);
    /* Wrong key: the tag does not verify. */
    keys.guek[0] ^= 1;
    n = cosem_push_notification(&S, o, &SRV, T0, out, sizeof(out));
    assert_true(n > 0);
    assert_int_equal(dlms_sec_unprotect(&rx, out, (size_t)n, plain, sizeof(plain), &info),
                     DLMS_SEC_ERR_AUTH);
    assert_string_equal(cosem_push_strerror(COSEM_ERR_PUSH_DESTINATION),
                        "push: no send destination set");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_attributes_read_write, setup),
        cmocka_unit_test_setup(test_set_refusals, setup),
        cmocka_unit_test_setup(test_method_push, setup),
        cmocka_unit_test_setup(test_randomisation, setup),
        cmocka_unit_test_setup(test_retries, setup),
        cmocka_unit_test_setup(test_windows, setup),
        cmocka_unit_test_setup(test_schedule_drives_push, setup),
        cmocka_unit_test_setup(test_record_round_trip, setup),
        cmocka_unit_test_setup(test_encode_exact, setup),
        cmocka_unit_test_setup(test_ciphered, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
