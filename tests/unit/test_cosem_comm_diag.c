/*
 * test_cosem_comm_diag.c - GSM diagnostic (class 47) and LTE monitoring
 * (class 151): attributes with exact bytes after an update from the modem
 * model, range checks of the setters, read-only attributes refused, the
 * public client's view, and the signal quality to display level mapping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_cosem_comm_table.h"
#include "test_hex.h"

static cm_t T;

static int setup(void **state) {
    (void)state;
    return cm_setup(&T, COSEM_TEST_RTC_START); /* 2024-01-15 12:00:00 UTC, 13:00 CET */
}

static void expect_get_as(int which, uint16_t class_id, const uint8_t ln[6], int8_t attr,
                          const char *hex) {
    uint8_t exp[256], out[512];
    size_t n = test_unhex(hex, exp, sizeof(exp)), len = 0;
    assert_int_equal(cm_get_as(&T, which, class_id, ln, attr, out, sizeof(out), &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(out, exp, n);
}

static void expect_get(uint16_t class_id, const uint8_t ln[6], int8_t attr, const char *hex) {
    expect_get_as(CM_MGMT, class_id, ln, attr, hex);
}

static cosem_gsm_diag_state_t snapshot(void) {
    cosem_gsm_diag_state_t s;
    cosem_gsm_diagnostic_init(&s);
    memcpy(s.operator_name, "KPN", 3);
    s.operator_len = 3;
    s.status = 1;    /* home network */
    s.ps_status = 7; /* LTE Cat M1 */
    s.cell = (cosem_gsm_cell_t){0x01A2B3C4u, 0x1234, 17, 99, 204, 8, 6300};
    s.adjacent_count = 2;
    s.adjacent[0] = (cosem_gsm_adjacent_t){0x01A2B3C5u, 12};
    s.adjacent[1] = (cosem_gsm_adjacent_t){0x01A2B3C6u, 99};
    s.capture_time = COSEM_TEST_RTC_START;
    return s;
}

/* ---- GSM diagnostic ------------------------------------------------------------------- */

static void test_gsm_initial(void **state) {
    (void)state;
    expect_get(47, CM_GSM, 2, "0A 00");
    expect_get(47, CM_GSM, 3, "16 00");
    expect_get(47, CM_GSM, 6,
               "02 07 06 00 00 00 00 12 00 00 11 63 11 63 12 00 00 12 00 00"
               " 06 00 00 00 00");
    expect_get(47, CM_GSM, 7, "01 00");
    expect_get(47, CM_GSM, 8, "09 0C FF FF FF FF FF FF FF FF FF 80 00 FF"); /* never */
    assert_int_equal(cosem_gsm_display_level(&T.app.gsm), 0);
}

static void test_gsm_update(void **state) {
    (void)state;
    cosem_gsm_diag_state_t s = snapshot();
    assert_int_equal(cosem_gsm_diagnostic_update(&T.app.gsm, &s), 0);
    expect_get(47, CM_GSM, 1, "09 06 00 00 19 06 00 FF");
    expect_get(47, CM_GSM, 2, "0A 03 4B 50 4E");
    expect_get(47, CM_GSM, 3, "16 01");
    expect_get(47, CM_GSM, 4, "16 00");
    expect_get(47, CM_GSM, 5, "16 07");
    expect_get(47, CM_GSM, 6,
               "02 07 06 01 A2 B3 C4 12 12 34 11 11 11 63 12 00 CC 12 00 08"
               " 06 00 00 18 9C");
    expect_get(47, CM_GSM, 7, "01 02 02 02 06 01 A2 B3 C5 11 0C 02 02 06 01 A2 B3 C6 11 63");
    /* 2024-01-15 13:00:00 CET, Monday, deviation -60, status 0 */
    expect_get(47, CM_GSM, 8, "09 0C 07 E8 01 0F 01 0D 00 00 00 FF C4 00");
    /* The public client reads the diagnostic too (issue 8: signal in the objects). */
    expect_get_as(CM_PUB, 47, CM_GSM, 5, "16 07");
    assert_int_equal(cosem_gsm_display_level(&T.app.gsm), 3); /* CSQ 17 */
    /* Roaming counts as registered; searching shows no bars. */
    s.status = 5;
    assert_int_equal(cosem_gsm_diagnostic_update(&T.app.gsm, &s), 0);
    assert_int_equal(cosem_gsm_display_level(&T.app.gsm), 3);
    s.status = 2;
    assert_int_equal(cosem_gsm_diagnostic_update(&T.app.gsm, &s), 0);
    assert_int_equal(cosem_gsm_display_level(&T.app.gsm), 0);
}

static void test_gsm_refusals(void **state) {
    (void)state;
    cosem_gsm_diag_state_t good = snapshot();
    assert_int_equal(cosem_gsm_diagnostic_update(&T.app.gsm, &good), 0);
    cosem_gsm_diag_state_t before = T.app.gsm;
    cosem_gsm_diag_state_t s;
    s = good, s.status = 6;
    assert_int_equal(cosem_gsm_diagnostic_update(&T.app.gsm, &s), COSEM_COMM_ERR_VALUE);
    s = good, s.cs_attachment = 3;
    assert_int_equal(cosem_gsm_diagnostic_update(&T.app.gsm, &s), COSEM_COMM_ERR_VALUE);
    s = good, s.ps_status = 10;
    assert_int_equal(cosem_gsm_diagnostic_update(&T.app.gsm, &s), COSEM_COMM_ERR_VALUE);
    s = good, s.cell.signal_quality = 32;
    assert_int_equal(cosem_gsm_diagnostic_update(&T.app.gsm, &s), COSEM_COMM_ERR_VALUE);
    s = good, s.cell.ber = 8;
    assert_int_equal(cosem_gsm_diagnostic_update(&T.app.gsm, &s), COSEM_COMM_ERR_VALUE);
    s = good, s.adjacent[1].signal_quality = 50;
    assert_int_equal(cosem_gsm_diagnostic_update(&T.app.gsm, &s), COSEM_COMM_ERR_VALUE);
    s = good, s.adjacent_count = EM_COSEM_COMM_ADJACENT_CELLS + 1;
    assert_int_equal(cosem_gsm_diagnostic_update(&T.app.gsm, &s), COSEM_COMM_ERR_VALUE);
    s = good, s.operator_name[1] = 0x07;
    assert_int_equal(cosem_gsm_diagnostic_update(&T.app.gsm, &s), COSEM_COMM_ERR_VALUE);
    assert_memory_equal(&before, &T.app.gsm, sizeof(before));
    /* Every attribute is read-only, even for the management client. */
    static const uint8_t v[] = {0x16, 0x00};
    for (int8_t a = 1; a <= 8; a++) {
        assert_int_equal(cm_set(&T, 47, CM_GSM, a, v, sizeof(v)), 3);
    }
    assert_memory_equal(&before, &T.app.gsm, sizeof(before));
}

/* ---- signal levels ------------------------------------------------------------------- */

static void test_signal_levels(void **state) {
    (void)state;
    static const struct {
        uint8_t csq, level;
    } table[] = {
        {99, 0}, {32, 0}, {255, 0}, {0, 0},  {1, 0},  {2, 1},  {9, 1},
        {10, 2}, {14, 2}, {15, 3},  {19, 3}, {20, 4}, {30, 4}, {31, 4},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        assert_int_equal(cosem_signal_level(table[i].csq), table[i].level);
    }
    static const struct {
        int16_t dbm;
        uint8_t csq;
    } rssi[] = {
        {-120, 0}, {-113, 0}, {-111, 1}, {-110, 1}, {-95, 9},
        {-93, 10}, {-73, 20}, {-53, 30}, {-51, 31}, {-20, 31},
    };
    for (size_t i = 0; i < sizeof(rssi) / sizeof(rssi[0]); i++) {
        assert_int_equal(cosem_csq_from_rssi(rssi[i].dbm), rssi[i].csq);
    }
    /* Every CSQ value is one of 5 states, and levels never go down as
     * the signal gets stronger. */
    uint8_t last = 0;
    for (uint8_t q = 0; q <= 31; q++) {
        uint8_t l = cosem_signal_level(q);
        assert_true(l <= 4 && l >= last);
        last = l;
    }
}

/* ---- LTE monitoring ------------------------------------------------------------------ */

static void test_lte(void **state) {
    (void)state;
    expect_get(151, CM_LTE, 2,
               "02 09 12 00 00 12 00 00 06 00 00 00 00 12 00 00 06 00 00 00 00"
               " 12 00 00 0F 00 0F 00 0F 00");
    expect_get(151, CM_LTE, 3, "02 04 0F 80 0F 80 0F 80 16 00");
    cosem_lte_network_t net = {720, 3240, 86400, 60, 2621, 1280, -64, -70, -80};
    cosem_lte_qos_t qos = {-11, cosem_lte_saturate(-140), 7, 1};
    assert_int_equal(cosem_lte_monitoring_update(&T.app.lte, &net, &qos), 0);
    expect_get(151, CM_LTE, 2,
               "02 09 12 02 D0 12 0C A8 06 00 01 51 80 12 00 3C 06 00 00 0A 3D"
               " 12 05 00 0F C0 0F BA 0F B0");
    expect_get(151, CM_LTE, 3, "02 04 0F F5 0F 80 0F 07 16 01");
    expect_get_as(CM_PUB, 151, CM_LTE, 3, "02 04 0F F5 0F 80 0F 07 16 01");
    /* Only the quality changes. */
    qos.signal_level = -95;
    assert_int_equal(cosem_lte_monitoring_update(&T.app.lte, NULL, &qos), 0);
    expect_get(151, CM_LTE, 3, "02 04 0F F5 0F A1 0F 07 16 01");
    expect_get(151, CM_LTE, 2,
               "02 09 12 02 D0 12 0C A8 06 00 01 51 80 12 00 3C 06 00 00 0A 3D"
               " 12 05 00 0F C0 0F BA 0F B0");
    /* Out of range coverage enhancement: nothing changes. */
    cosem_lte_state_t before = T.app.lte;
    qos.coverage_enhancement = 3;
    assert_int_equal(cosem_lte_monitoring_update(&T.app.lte, &net, &qos), COSEM_COMM_ERR_VALUE);
    assert_memory_equal(&before, &T.app.lte, sizeof(before));
    assert_int_equal(cosem_lte_saturate(200), 127);
    assert_int_equal(cosem_lte_saturate(-5), -5);
    /* Read-only; attribute 4 does not exist in version 1. */
    static const uint8_t v[] = {0x02, 0x00};
    assert_int_equal(cm_set(&T, 151, CM_LTE, 3, v, sizeof(v)), 3);
    uint8_t out[8];
    size_t len;
    assert_int_equal(cm_get(&T, 151, CM_LTE, 4, out, sizeof(out), &len), 4);
    /* A wrong class id for the name. */
    assert_int_equal(cm_get(&T, 47, CM_LTE, 2, out, sizeof(out), &len), 9);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_gsm_initial, setup),
        cmocka_unit_test_setup(test_gsm_update, setup),
        cmocka_unit_test_setup(test_gsm_refusals, setup),
        cmocka_unit_test(test_signal_levels),
        cmocka_unit_test_setup(test_lte, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
