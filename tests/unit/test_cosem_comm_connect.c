/*
 * test_cosem_comm_connect.c - Auto connect (class 29) and Auto answer
 * (class 28): attributes with exact bytes, writes and refusals, the
 * connect method; calling-window evaluation (daily, across midnight,
 * monthly, weekly, hourly, one-shot, Feb 29, last day of the month,
 * several windows, DST), the connection policy per mode, the
 * repetition/delay retry machine, destination parsing, and the wake-up
 * check of allowed callers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_cosem_comm_table.h"
#include "test_hex.h"

#define TU 250 /* other-reason */
#define TM 12  /* type-unmatched */

static cm_t T;

static int setup(void **state) {
    (void)state;
    return cm_setup(&T, COSEM_TEST_RTC_START);
}

static void expect_get(uint16_t class_id, const uint8_t ln[6], int8_t attr, const char *hex) {
    uint8_t exp[512], out[512];
    size_t n = test_unhex(hex, exp, sizeof(exp)), len = 0;
    assert_int_equal(cm_get(&T, class_id, ln, attr, out, sizeof(out), &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(out, exp, n);
}

static int set_hex(uint16_t class_id, const uint8_t ln[6], int8_t attr, const char *hex) {
    uint8_t v[512];
    size_t n = test_unhex(hex, v, sizeof(v));
    return cm_set(&T, class_id, ln, attr, v, n);
}

static void write_read(uint16_t class_id, const uint8_t ln[6], int8_t attr, const char *hex) {
    assert_int_equal(set_hex(class_id, ln, attr, hex), 0);
    expect_get(class_id, ln, attr, hex);
}

typedef struct {
    int8_t attr;
    const char *hex;
    int dar;
} refusal_t;

static void expect_refusals(uint16_t class_id, const uint8_t ln[6], const refusal_t *r, size_t n) {
    for (size_t i = 0; i < n; i++) {
        cm_app_t before = T.app;
        assert_int_equal(set_hex(class_id, ln, r[i].attr, r[i].hex), r[i].dar);
        assert_memory_equal(&before, &T.app, sizeof(before));
    }
}

/* Date-time patterns: fields 0xFF (0xFFFF year) are not specified. */
static cosem_datetime_t pat(uint16_t y, uint8_t mo, uint8_t d, uint8_t dow, uint8_t h, uint8_t mi,
                            uint8_t s) {
    cosem_datetime_t p;
    cosem_datetime_set_unspecified(&p);
    p.year = y;
    p.month = mo;
    p.day = d;
    p.day_of_week = dow;
    p.hour = h;
    p.minute = mi;
    p.second = s;
    return p;
}

#define ANY  0xFF
#define ANYY 0xFFFF

/* "22:00:00 daily" and "06:00:00 daily" as written on the wire. */
#define NIGHT_HEX                                                                                  \
    "01 01 02 02 09 0C FF FF FF FF FF 16 00 00 FF 80 00 FF"                                        \
    " 09 0C FF FF FF FF FF 06 00 00 FF 80 00 FF"

/* ---- Auto connect attributes ----------------------------------------------------------- */

static void test_ac_attributes(void **state) {
    (void)state;
    expect_get(29, CM_AC, 1, "09 06 00 00 02 01 00 FF");
    expect_get(29, CM_AC, 2, "16 65"); /* 101 always connected */
    expect_get(29, CM_AC, 3, "11 03");
    expect_get(29, CM_AC, 4, "12 00 3C");
    expect_get(29, CM_AC, 5, "01 00");
    expect_get(29, CM_AC, 6, "01 00");
    write_read(29, CM_AC, 2, "16 68"); /* 104 triggered */
    write_read(29, CM_AC, 2, "16 03");
    write_read(29, CM_AC, 3, "11 05");
    write_read(29, CM_AC, 4, "12 01 2C");
    write_read(29, CM_AC, 5, NIGHT_HEX);
    write_read(29, CM_AC, 6,
               "01 02 09 18 68 65 61 64 65 6E 64 2E 65 78 61 6D 70 6C 65 2E 63 6F 6D 3A 34 30 35 39"
               " 09 08 31 30 2E 30 2E 30 2E 31"); /* headend.example.com:4059, 10.0.0.1 */
    assert_int_equal(T.app.ac.window_count, 1);
    assert_int_equal(T.app.ac.windows[0].start.hour, 22);
    cosem_comm_dest_t d;
    assert_int_equal(cosem_auto_connect_destination(&T.app.ac, 0, &d), 0);
    assert_int_equal(d.kind, COSEM_COMM_DEST_FQDN);
    assert_int_equal(d.port, 4059);
    assert_int_equal(d.host_len, 19);
    assert_int_equal(cosem_auto_connect_destination(&T.app.ac, 1, &d), 0);
    assert_int_equal(d.kind, COSEM_COMM_DEST_IPV4);
    assert_int_equal(d.ipv4, 0x0A000001u);
    assert_int_equal(d.port, 0);
    assert_int_equal(cosem_auto_connect_destination(&T.app.ac, 2, &d), COSEM_COMM_ERR_ARG);
    write_read(29, CM_AC, 5, "01 00");
    static const refusal_t bad[] = {
        {2, "16 04", TU}, /* SMS: not on an IP module */
        {2, "16 06", TU},
        {2, "16 64", TU}, /* 100 */
        {2, "16 69", TU}, /* 105 */
        {2, "16 C8", TU}, /* manufacturer specific */
        {2, "11 65", TM},
        {3, "12 00 03", TM},
        {4, "11 3C", TM},
        /* nothing specified in the start */
        {5,
         "01 01 02 02 09 0C FF FF FF FF FF FF FF FF FF 80 00 FF 09 0C FF FF FF FF FF 06 00 00 FF"
         " 80 00 FF",
         TU},
        /* DST month */
        {5,
         "01 01 02 02 09 0C FF FF FE FF FF 16 00 00 FF 80 00 FF 09 0C FF FF FF FF FF 06 00 00 FF"
         " 80 00 FF",
         TU},
        /* hour 24 */
        {5,
         "01 01 02 02 09 0C FF FF FF FF FF 18 00 00 FF 80 00 FF 09 0C FF FF FF FF FF 06 00 00 FF"
         " 80 00 FF",
         TU},
        /* 11-byte date-time */
        {5,
         "01 01 02 02 09 0B FF FF FF FF FF 16 00 00 FF 80 00 09 0C FF FF FF FF FF 06 00 00 FF"
         " 80 00 FF",
         TM},
        {5, "01 01 02 01 09 0C FF FF FF FF FF 16 00 00 FF 80 00 FF", TM},
        {5, "02 00", TM},
        {6, "01 01 09 08 62 61 64 5F 68 6F 73 74", TU}, /* bad_host */
        {6, "01 01 09 05 31 2E 32 2E 33", TU},          /* 1.2.3 */
        {6, "01 01 09 06 68 6F 73 74 3A 30", TU},       /* host:0 */
        {6, "01 01 09 00", TU},                         /* empty */
        {6, "01 01 0A 04 68 6F 73 74", TM},             /* visible-string */
        {6, "01 02 09 04 68 6F 73 74 11 01", TM},       /* wrong second element */
    };
    write_read(29, CM_AC, 6, "01 01 09 0B 31 2E 32 2E 33 2E 34 3A 39 39 39"); /* 1.2.3.4:999 */
    expect_refusals(29, CM_AC, bad, sizeof(bad) / sizeof(bad[0]));
    /* Too many windows / destinations, a destination over the size. */
    char hex[1024] = "01 05";
    for (int i = 0; i < 5; i++) {
        strcat(hex, " 02 02 09 0C FF FF FF FF FF 16 00 00 FF 80 00 FF"
                    " 09 0C FF FF FF FF FF 06 00 00 FF 80 00 FF");
    }
    assert_int_equal(set_hex(29, CM_AC, 5, hex), TU);
    uint8_t v[2 + 2 + EM_COSEM_COMM_DEST_MAX + 1];
    v[0] = 0x01, v[1] = 0x01, v[2] = 0x09, v[3] = EM_COSEM_COMM_DEST_MAX + 1;
    memset(v + 4, 'a', EM_COSEM_COMM_DEST_MAX + 1);
    memcpy(v + 4 + EM_COSEM_COMM_DEST_MAX + 1 - 4, ".com", 4);
    assert_int_equal(cm_set(&T, 29, CM_AC, 6, v, sizeof(v)), TU);
    v[3] = EM_COSEM_COMM_DEST_MAX;
    assert_int_equal(cm_set(&T, 29, CM_AC, 6, v, sizeof(v) - 1), 0);
}

static void test_ac_connect_method(void **state) {
    (void)state;
    uint8_t ret[8];
    size_t n;
    assert_false(cosem_auto_connect_take_request(&T.app.ac));
    static const uint8_t zero[] = {0x0F, 0x00}, str[] = {0x09, 0x00};
    assert_int_equal(cm_action(&T, 29, CM_AC, 1, zero, sizeof(zero), ret, sizeof(ret), &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(T.app.notify_kind, COSEM_NOTIFY_ACTION);
    assert_true(cosem_auto_connect_take_request(&T.app.ac));
    assert_false(cosem_auto_connect_take_request(&T.app.ac));
    assert_int_equal(cm_action(&T, 29, CM_AC, 1, str, sizeof(str), ret, sizeof(ret), &n), TM);
    assert_false(T.app.ac.connect_requested);
    assert_int_equal(cm_action(&T, 29, CM_AC, 2, zero, sizeof(zero), ret, sizeof(ret), &n), 4);
}

/* ---- windows ------------------------------------------------------------------------------ */

static void eval(const cosem_comm_window_t *w, uint8_t n, int64_t wall, bool inside, int64_t end,
                 int64_t next) {
    cosem_comm_window_eval_t ev;
    assert_int_equal(cosem_comm_windows_eval(w, n, wall, &ev), 0);
    assert_int_equal(ev.inside, inside);
    if (inside) {
        assert_int_equal(ev.end, end);
    }
    assert_int_equal(ev.next_start, next);
}

static void test_window_daily_midnight(void **state) {
    (void)state;
    cosem_comm_window_t w = {pat(ANYY, ANY, ANY, ANY, 22, 0, 0), pat(ANYY, ANY, ANY, ANY, 6, 0, 0)};
    eval(&w, 1, cm_wall(2024, 1, 15, 2, 0, 0), true, cm_wall(2024, 1, 15, 6, 0, 0),
         cm_wall(2024, 1, 15, 22, 0, 0));
    eval(&w, 1, cm_wall(2024, 1, 15, 5, 59, 59), true, cm_wall(2024, 1, 15, 6, 0, 0),
         cm_wall(2024, 1, 15, 22, 0, 0));
    eval(&w, 1, cm_wall(2024, 1, 15, 6, 0, 0), false, 0, cm_wall(2024, 1, 15, 22, 0, 0));
    eval(&w, 1, cm_wall(2024, 1, 15, 21, 59, 59), false, 0, cm_wall(2024, 1, 15, 22, 0, 0));
    eval(&w, 1, cm_wall(2024, 1, 15, 22, 0, 0), true, cm_wall(2024, 1, 16, 6, 0, 0),
         cm_wall(2024, 1, 16, 22, 0, 0));
    /* across a month and a year end */
    eval(&w, 1, cm_wall(2024, 12, 31, 23, 30, 0), true, cm_wall(2025, 1, 1, 6, 0, 0),
         cm_wall(2025, 1, 1, 22, 0, 0));
    /* The same through a local date-time. */
    cosem_datetime_t now = pat(2024, 1, 15, 1, 3, 0, 0);
    now.hundredths = 0;
    cosem_comm_window_eval_t ev;
    assert_int_equal(cosem_comm_windows_eval_local(&w, 1, &now, &ev), 0);
    assert_true(ev.inside);
    now.hour = ANY;
    assert_int_equal(cosem_comm_windows_eval_local(&w, 1, &now, &ev), COSEM_COMM_ERR_ARG);
    /* In summer the wall clock is CEST: 20:30 UTC is 22:30 local. */
    int64_t utc = cm_wall(2024, 7, 1, 20, 30, 0); /* wall of UTC = UTC */
    int64_t wall = cosem_wall_of(&T.app.clock, utc);
    assert_int_equal(wall, cm_wall(2024, 7, 1, 22, 30, 0));
    eval(&w, 1, wall, true, cm_wall(2024, 7, 2, 6, 0, 0), cm_wall(2024, 7, 2, 22, 0, 0));
}

static void test_window_periods(void **state) {
    (void)state;
    /* The Blue Book's example: start day 3, end day 4: the 3rd of every month. */
    cosem_comm_window_t m = {pat(ANYY, ANY, 3, ANY, ANY, ANY, ANY),
                             pat(ANYY, ANY, 4, ANY, ANY, ANY, ANY)};
    eval(&m, 1, cm_wall(2024, 3, 3, 15, 0, 0), true, cm_wall(2024, 3, 4, 0, 0, 0),
         cm_wall(2024, 4, 3, 0, 0, 0));
    eval(&m, 1, cm_wall(2024, 3, 4, 0, 0, 0), false, 0, cm_wall(2024, 4, 3, 0, 0, 0));
    eval(&m, 1, cm_wall(2024, 12, 20, 0, 0, 0), false, 0, cm_wall(2025, 1, 3, 0, 0, 0));
    /* Mondays 08:00-17:00 (2024-01-15 is a Monday). */
    cosem_comm_window_t wk = {pat(ANYY, ANY, ANY, 1, 8, 0, 0), pat(ANYY, ANY, ANY, 1, 17, 0, 0)};
    eval(&wk, 1, cm_wall(2024, 1, 15, 12, 0, 0), true, cm_wall(2024, 1, 15, 17, 0, 0),
         cm_wall(2024, 1, 22, 8, 0, 0));
    eval(&wk, 1, cm_wall(2024, 1, 16, 12, 0, 0), false, 0, cm_wall(2024, 1, 22, 8, 0, 0));
    /* The first 10 minutes of every hour. */
    cosem_comm_window_t h = {pat(ANYY, ANY, ANY, ANY, ANY, 0, 0),
                             pat(ANYY, ANY, ANY, ANY, ANY, 10, 0)};
    eval(&h, 1, cm_wall(2024, 1, 15, 13, 5, 0), true, cm_wall(2024, 1, 15, 13, 10, 0),
         cm_wall(2024, 1, 15, 14, 0, 0));
    eval(&h, 1, cm_wall(2024, 1, 15, 23, 30, 0), false, 0, cm_wall(2024, 1, 16, 0, 0, 0));
    /* "08:**:** to 08:30": the hour's wildcards below the level are 0, so the window is
     * 08:00-08:30, not "every minute of 8 o'clock". */
    cosem_comm_window_t e = {pat(ANYY, ANY, ANY, ANY, 8, ANY, ANY),
                             pat(ANYY, ANY, ANY, ANY, 8, 30, 0)};
    eval(&e, 1, cm_wall(2024, 1, 15, 8, 15, 0), true, cm_wall(2024, 1, 15, 8, 30, 0),
         cm_wall(2024, 1, 16, 8, 0, 0));
    eval(&e, 1, cm_wall(2024, 1, 15, 8, 45, 0), false, 0, cm_wall(2024, 1, 16, 8, 0, 0));
    /* One June, once. */
    cosem_comm_window_t once = {pat(2024, 6, 1, ANY, 0, 0, 0), pat(2024, 7, 1, ANY, 0, 0, 0)};
    eval(&once, 1, cm_wall(2024, 1, 1, 0, 0, 0), false, 0, cm_wall(2024, 6, 1, 0, 0, 0));
    eval(&once, 1, cm_wall(2024, 6, 15, 9, 0, 0), true, cm_wall(2024, 7, 1, 0, 0, 0), INT64_MAX);
    eval(&once, 1, cm_wall(2024, 8, 1, 0, 0, 0), false, 0, INT64_MAX);
    /* A start without an end keeps the window open. */
    cosem_comm_window_t open = {pat(2024, 6, 1, ANY, 0, 0, 0), pat(2023, 1, 1, ANY, 0, 0, 0)};
    eval(&open, 1, cm_wall(2030, 1, 1, 0, 0, 0), true, INT64_MAX, INT64_MAX);
    /* Feb 29, every leap year. */
    cosem_comm_window_t leap = {pat(ANYY, 2, 29, ANY, ANY, ANY, ANY),
                                pat(ANYY, 3, 1, ANY, ANY, ANY, ANY)};
    eval(&leap, 1, cm_wall(2024, 2, 29, 23, 0, 0), true, cm_wall(2024, 3, 1, 0, 0, 0),
         cm_wall(2028, 2, 29, 0, 0, 0));
    eval(&leap, 1, cm_wall(2025, 3, 1, 0, 0, 0), false, 0, cm_wall(2028, 2, 29, 0, 0, 0));
    /* The last day of each month, 20:00 to midnight. */
    cosem_comm_window_t last = {pat(ANYY, ANY, 0xFE, ANY, 20, 0, 0),
                                pat(ANYY, ANY, ANY, ANY, 0, 0, 0)};
    eval(&last, 1, cm_wall(2024, 2, 29, 21, 0, 0), true, cm_wall(2024, 3, 1, 0, 0, 0),
         cm_wall(2024, 3, 31, 20, 0, 0));
    eval(&last, 1, cm_wall(2024, 2, 28, 21, 0, 0), false, 0, cm_wall(2024, 2, 29, 20, 0, 0));
}

static void test_window_lists(void **state) {
    (void)state;
    cosem_comm_window_t w[2] = {
        {pat(ANYY, ANY, ANY, ANY, 6, 0, 0), pat(ANYY, ANY, ANY, ANY, 8, 0, 0)},
        {pat(ANYY, ANY, ANY, ANY, 18, 0, 0), pat(ANYY, ANY, ANY, ANY, 20, 0, 0)},
    };
    eval(w, 2, cm_wall(2024, 1, 15, 12, 0, 0), false, 0, cm_wall(2024, 1, 15, 18, 0, 0));
    eval(w, 2, cm_wall(2024, 1, 15, 7, 0, 0), true, cm_wall(2024, 1, 15, 8, 0, 0),
         cm_wall(2024, 1, 15, 18, 0, 0));
    eval(w, 2, cm_wall(2024, 1, 15, 21, 0, 0), false, 0, cm_wall(2024, 1, 16, 6, 0, 0));
    /* An empty list restricts nothing. */
    eval(NULL, 0, cm_wall(2024, 1, 15, 12, 0, 0), true, INT64_MAX, INT64_MAX);
    /* Invalid patterns never match; bad arguments. */
    cosem_comm_window_t bad = {pat(ANYY, ANY, ANY, ANY, ANY, ANY, ANY),
                               pat(ANYY, ANY, ANY, ANY, 1, 0, 0)};
    eval(&bad, 1, cm_wall(2024, 1, 15, 12, 0, 0), false, 0, INT64_MAX);
    int64_t occ;
    assert_int_equal(cosem_comm_pattern_next(&bad.start, 0, &occ), COSEM_COMM_ERR_PATTERN);
    assert_int_equal(cosem_comm_windows_eval(NULL, 1, 0, NULL), COSEM_COMM_ERR_ARG);
    cosem_comm_window_eval_t ev;
    assert_int_equal(cosem_comm_windows_eval(NULL, 1, 0, &ev), COSEM_COMM_ERR_ARG);
    /* prev/next of a single pattern. */
    cosem_datetime_t p = pat(ANYY, ANY, ANY, ANY, 12, 0, 0);
    assert_int_equal(cosem_comm_pattern_prev(&p, cm_wall(2024, 1, 15, 12, 0, 0), &occ), 0);
    assert_int_equal(occ, cm_wall(2024, 1, 15, 12, 0, 0)); /* at or before */
    assert_int_equal(cosem_comm_pattern_next(&p, cm_wall(2024, 1, 15, 12, 0, 0), &occ), 0);
    assert_int_equal(occ, cm_wall(2024, 1, 16, 12, 0, 0)); /* strictly after */
    cosem_datetime_t y = pat(2020, 1, 1, ANY, 0, 0, 0);
    assert_int_equal(cosem_comm_pattern_next(&y, cm_wall(2024, 1, 15, 12, 0, 0), &occ),
                     COSEM_COMM_ERR_NO_WINDOW);
}

/* ---- policy and retries -------------------------------------------------------------------- */

static void test_ac_policy(void **state) {
    (void)state;
    cosem_auto_connect_state_t st;
    int64_t noon = cm_wall(2024, 1, 15, 12, 0, 0), night = cm_wall(2024, 1, 15, 23, 0, 0);
    static const struct {
        uint8_t mode;
        uint8_t allowed_noon; /* bit r: reason r (1..6) allowed at noon */
        uint8_t allowed_night;
        bool keep_noon;
    } table[] = {
        /*            POWER_UP=2 LOST=4 WINDOW=8 REGULAR=16 ALARM=32 INVOKED=64 */
        {0, 0x00, 0x00, false},  {1, 0x70, 0x70, true},   {2, 0x00, 0x70, true},
        {3, 0x60, 0x70, true},   {101, 0x7E, 0x7E, true}, {102, 0x00, 0x7E, false},
        {103, 0x7E, 0x7E, true}, {104, 0x70, 0x70, true},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        cosem_auto_connect_init(&st, table[i].mode);
        st.window_count = 1;
        st.windows[0] = (cosem_comm_window_t){pat(ANYY, ANY, ANY, ANY, 22, 0, 0),
                                              pat(ANYY, ANY, ANY, ANY, 6, 0, 0)};
        for (uint8_t r = COSEM_AC_POWER_UP; r <= COSEM_AC_INVOKED; r++) {
            assert_int_equal(cosem_auto_connect_allows(&st, r, noon),
                             (table[i].allowed_noon >> r) & 1);
            assert_int_equal(cosem_auto_connect_allows(&st, r, night),
                             (table[i].allowed_night >> r) & 1);
        }
        assert_int_equal(cosem_auto_connect_keep(&st, noon), table[i].keep_noon);
        assert_int_equal(cosem_auto_connect_keep(&st, night), table[i].mode != 0);
    }
    /* "Triggered" after a power restoration stays silent; "always connected" reconnects. */
    cosem_auto_connect_init(&st, COSEM_AC_MODE_INVOKED);
    assert_false(cosem_auto_connect_allows(&st, COSEM_AC_POWER_UP, noon));
    cosem_auto_connect_init(&st, COSEM_AC_MODE_PERMANENT);
    assert_true(cosem_auto_connect_allows(&st, COSEM_AC_POWER_UP, noon));
    assert_false(cosem_auto_connect_allows(NULL, COSEM_AC_POWER_UP, noon));
    /* Factory destinations. */
    assert_int_equal(cosem_auto_connect_add_destination(&st, "he1.example.net:4059"), 0);
    assert_int_equal(cosem_auto_connect_add_destination(&st, "he 1"), COSEM_COMM_ERR_DEST);
    for (int i = 1; i < EM_COSEM_COMM_DESTINATIONS; i++) {
        assert_int_equal(cosem_auto_connect_add_destination(&st, "192.168.0.1"), 0);
    }
    assert_int_equal(cosem_auto_connect_add_destination(&st, "192.168.0.2"), COSEM_COMM_ERR_FULL);
}

static void test_ac_retry(void **state) {
    (void)state;
    cosem_auto_connect_state_t st;
    cosem_auto_connect_init(&st, COSEM_AC_MODE_PERMANENT);
    st.repetitions = 2;
    st.repetition_delay = 30;
    cosem_auto_connect_run_t run;
    cosem_auto_connect_run_init(&run);
    assert_false(cosem_auto_connect_run_poll(&run, 0));
    cosem_auto_connect_run_trigger(&run, 100);
    assert_int_equal(run.phase, COSEM_AC_DUE);
    cosem_auto_connect_run_trigger(&run, 500); /* a cycle runs: unchanged */
    assert_int_equal(run.at, 100);
    assert_false(cosem_auto_connect_run_poll(&run, 99));
    assert_true(cosem_auto_connect_run_poll(&run, 100));
    assert_false(cosem_auto_connect_run_poll(&run, 101)); /* dialling */
    cosem_auto_connect_run_result(&run, &st, false, 110);
    assert_int_equal(run.phase, COSEM_AC_WAITING);
    assert_int_equal(run.at, 140);
    assert_false(cosem_auto_connect_run_poll(&run, 139));
    assert_true(cosem_auto_connect_run_poll(&run, 140));
    cosem_auto_connect_run_result(&run, &st, false, 150);
    assert_true(cosem_auto_connect_run_poll(&run, 180));
    cosem_auto_connect_run_result(&run, &st, false, 190); /* third attempt = 1 + 2 */
    assert_int_equal(run.phase, COSEM_AC_GAVE_UP);
    assert_int_equal(run.failures, 3);
    assert_false(cosem_auto_connect_run_poll(&run, 10000));
    cosem_auto_connect_run_result(&run, &st, true, 10000); /* no attempt under way: ignored */
    assert_int_equal(run.phase, COSEM_AC_GAVE_UP);
    /* A new trigger starts again; success connects; triggers are then ignored. */
    cosem_auto_connect_run_trigger(&run, 2000);
    assert_int_equal(run.failures, 0);
    assert_true(cosem_auto_connect_run_poll(&run, 2000));
    cosem_auto_connect_run_result(&run, &st, false, 2001);
    assert_true(cosem_auto_connect_run_poll(&run, 2031));
    cosem_auto_connect_run_result(&run, &st, true, 2032);
    assert_int_equal(run.phase, COSEM_AC_CONNECTED);
    cosem_auto_connect_run_trigger(&run, 3000);
    assert_int_equal(run.phase, COSEM_AC_CONNECTED);
    cosem_auto_connect_run_closed(&run); /* session lost */
    assert_int_equal(run.phase, COSEM_AC_IDLE);
    /* repetitions 0: one attempt. */
    st.repetitions = 0;
    cosem_auto_connect_run_trigger(&run, 0);
    assert_true(cosem_auto_connect_run_poll(&run, 0));
    cosem_auto_connect_run_result(&run, &st, false, 1);
    assert_int_equal(run.phase, COSEM_AC_GAVE_UP);
    /* The power-up delay: uniform 0..2 x mean, mean 60 s. */
    uint64_t sum = 0;
    for (uint32_t r = 0; r < 121; r++) {
        uint32_t d = cosem_auto_connect_random_delay(r * 7919u, 60);
        assert_true(d <= 120);
        sum += d;
    }
    assert_int_equal(sum, 60 * 121); /* r x 7919 mod 121 visits every value once */
    assert_int_equal(cosem_auto_connect_random_delay(121, 60), 0);
}

/* ---- destinations ------------------------------------------------------------------------- */

static void test_destinations(void **state) {
    (void)state;
    static const struct {
        const char *s;
        int rc;
        uint8_t kind;
        uint16_t port;
    } table[] = {
        {"10.0.0.1", 0, COSEM_COMM_DEST_IPV4, 0},
        {"255.255.255.255:65535", 0, COSEM_COMM_DEST_IPV4, 65535},
        {"headend.example.com", 0, COSEM_COMM_DEST_FQDN, 0},
        {"headend.example.com.:4059", 0, COSEM_COMM_DEST_FQDN, 4059},
        {"he-1.x2.nl", 0, COSEM_COMM_DEST_FQDN, 0},
        {"localhost", 0, COSEM_COMM_DEST_FQDN, 0},
        {"256.0.0.1", COSEM_COMM_ERR_DEST, 0, 0},
        {"1.2.3", COSEM_COMM_ERR_DEST, 0, 0},
        {"1.2.3.4.5", COSEM_COMM_ERR_DEST, 0, 0},
        {"-he.nl", COSEM_COMM_ERR_DEST, 0, 0},
        {"he-.nl", COSEM_COMM_ERR_DEST, 0, 0},
        {"he..nl", COSEM_COMM_ERR_DEST, 0, 0},
        {"he.nl:", COSEM_COMM_ERR_DEST, 0, 0},
        {"he.nl:65536", COSEM_COMM_ERR_DEST, 0, 0},
        {"he.nl:12a", COSEM_COMM_ERR_DEST, 0, 0},
        {"[::1]:4059", COSEM_COMM_ERR_DEST, 0, 0},
        {"+31612345678", COSEM_COMM_ERR_DEST, 0, 0},
        {":4059", COSEM_COMM_ERR_DEST, 0, 0},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        cosem_comm_dest_t d;
        assert_int_equal(
            cosem_comm_parse_destination((const uint8_t *)table[i].s, strlen(table[i].s), &d),
            table[i].rc);
        assert_int_equal(d.kind, table[i].kind);
        assert_int_equal(d.port, table[i].port);
    }
    uint8_t label[70];
    memset(label, 'a', sizeof(label));
    memcpy(label + 64, ".nl", 3);
    cosem_comm_dest_t d;
    assert_int_equal(cosem_comm_parse_destination(label, 67, &d), COSEM_COMM_ERR_DEST);
    assert_int_equal(cosem_comm_parse_destination(label + 1, 66, &d), 0); /* 63 */
    uint8_t text[15];
    assert_int_equal(cosem_comm_format_ipv4(0x0A14001Eu, text), 10);
    assert_memory_equal(text, "10.20.0.30", 10);
    assert_int_equal(cosem_comm_format_ipv4(0xFFFFFFFFu, text), 15);
    assert_string_equal(cosem_comm_strerror(COSEM_COMM_ERR_DEST),
                        "destination is not an IPv4 address or a domain name (with an optional "
                        "port)");
}

/* ---- Auto answer ------------------------------------------------------------------------- */

#define CALLERS_HEX                                                                                \
    "01 03 02 02 09 0B 31 30 2E 32 30 2E 33 30 2E 34 30 16 01"                                     \
    " 02 02 09 0C 2B 33 31 36 31 32 33 34 35 36 37 38 16 01"                                       \
    " 02 02 09 04 0A 14 1E 29 16 01"

static void test_aa_attributes(void **state) {
    (void)state;
    expect_get(28, CM_AA, 1, "09 06 00 00 02 02 00 FF");
    expect_get(28, CM_AA, 2, "16 00");
    expect_get(28, CM_AA, 3, "01 00");
    expect_get(28, CM_AA, 4, "16 01");
    expect_get(28, CM_AA, 5, "11 00");
    expect_get(28, CM_AA, 6, "02 02 11 01 11 01");
    expect_get(28, CM_AA, 7, "01 00");
    write_read(28, CM_AA, 2, "16 02");
    write_read(28, CM_AA, 3, NIGHT_HEX);
    write_read(28, CM_AA, 4, "16 02");
    write_read(28, CM_AA, 4, "16 01");
    write_read(28, CM_AA, 5, "11 05");
    write_read(28, CM_AA, 6, "02 02 11 03 11 00");
    write_read(28, CM_AA, 7, CALLERS_HEX);
    cosem_comm_window_eval_t ev;
    assert_int_equal(cosem_auto_answer_windows(&T.app.aa, cm_wall(2024, 1, 15, 23, 0, 0), &ev), 0);
    assert_true(ev.inside);
    static const refusal_t bad[] = {
        {2, "16 05", TU},
        {2, "11 00", TM},
        {3,
         "01 01 02 02 09 0C FF FF FF FF FF FF FF FF FF 80 00 FF 09 0C FF FF FF FF FF 06 00 00 FF"
         " 80 00 FF",
         TU},
        {4, "16 03", TU},
        {5, "12 00 05", TM},
        {6, "02 01 11 03", TM},
        {6, "02 02 11 03 12 00 00", TM},
        {7, "01 01 02 02 09 04 0A 14 1E 29 16 02", TU}, /* call_type 2 */
        {7, "01 01 02 02 09 00 16 01", TU},             /* empty caller id */
        {7, "01 01 02 01 09 01 41", TM},
        {7, "01 01 02 02 0A 01 41 16 01", TM},
        {7,
         "01 05 02 02 09 01 41 16 01 02 02 09 01 42 16 01 02 02 09 01 43 16 01 02 02 09 01 44 16 01"
         " 02 02 09 01 45 16 01",
         TU}, /* 5 > EM_COSEM_COMM_CALLERS */
    };
    expect_refusals(28, CM_AA, bad, sizeof(bad) / sizeof(bad[0]));
    uint8_t v[4 + 2 + EM_COSEM_COMM_CALLER_ID_MAX + 1 + 2];
    size_t k = 0;
    v[k++] = 0x01, v[k++] = 0x01, v[k++] = 0x02, v[k++] = 0x02, v[k++] = 0x09;
    v[k++] = EM_COSEM_COMM_CALLER_ID_MAX + 1;
    memset(v + k, '1', EM_COSEM_COMM_CALLER_ID_MAX + 1);
    k += EM_COSEM_COMM_CALLER_ID_MAX + 1;
    v[k++] = 0x16, v[k++] = 0x01;
    assert_int_equal(cm_set(&T, 28, CM_AA, 7, v, k), TU);
}

static void test_aa_wake_up(void **state) {
    (void)state;
    cosem_auto_answer_state_t *aa = &T.app.aa;
    /* Nobody is allowed while the list is empty. */
    assert_false(cosem_auto_answer_ip_allowed(aa, 0x0A141E28u, COSEM_AA_CALL_WAKE_UP));
    assert_int_equal(set_hex(28, CM_AA, 7, CALLERS_HEX), 0);
    assert_true(cosem_auto_answer_ip_allowed(aa, 0x0A141E28u, COSEM_AA_CALL_WAKE_UP));
    assert_false(cosem_auto_answer_ip_allowed(aa, 0x0A141E2Au, COSEM_AA_CALL_WAKE_UP));
    assert_false(cosem_auto_answer_ip_allowed(aa, 0x0A141E28u, COSEM_AA_CALL_CSD));
    /* the 4-byte caller id 10.20.30.41 */
    assert_true(cosem_auto_answer_ip_allowed(aa, 0x0A141E29u, COSEM_AA_CALL_WAKE_UP));
    /* a number (SMS wake-up) */
    assert_true(cosem_auto_answer_caller_allowed(aa, (const uint8_t *)"+31612345678", 12,
                                                 COSEM_AA_CALL_WAKE_UP));
    assert_false(cosem_auto_answer_caller_allowed(aa, (const uint8_t *)"+3161234567", 11,
                                                  COSEM_AA_CALL_WAKE_UP)); /* no prefixes */
    assert_false(cosem_auto_answer_caller_allowed(aa, (const uint8_t *)"10.20.30.4", 10,
                                                  COSEM_AA_CALL_WAKE_UP));
    assert_false(cosem_auto_answer_caller_allowed(aa, NULL, 0, COSEM_AA_CALL_WAKE_UP));
    /* A locked line, or no modem, answers nobody. */
    assert_int_equal(set_hex(28, CM_AA, 4, "16 02"), 0);
    assert_false(cosem_auto_answer_ip_allowed(aa, 0x0A141E28u, COSEM_AA_CALL_WAKE_UP));
    assert_int_equal(set_hex(28, CM_AA, 4, "16 01"), 0);
    assert_int_equal(set_hex(28, CM_AA, 2, "16 03"), 0);
    assert_false(cosem_auto_answer_ip_allowed(aa, 0x0A141E28u, COSEM_AA_CALL_WAKE_UP));
    /* Factory helper. */
    cosem_auto_answer_init(aa);
    assert_int_equal(cosem_auto_answer_add_caller(aa, (const uint8_t *)"1.2.3.4", 7, 1), 0);
    assert_true(cosem_auto_answer_ip_allowed(aa, 0x01020304u, COSEM_AA_CALL_WAKE_UP));
    assert_int_equal(cosem_auto_answer_add_caller(aa, (const uint8_t *)"x", 1, 2),
                     COSEM_COMM_ERR_VALUE);
    assert_int_equal(cosem_auto_answer_add_caller(aa, (const uint8_t *)"x", 0, 1),
                     COSEM_COMM_ERR_VALUE);
    for (int i = 1; i < EM_COSEM_COMM_CALLERS; i++) {
        assert_int_equal(cosem_auto_answer_add_caller(aa, (const uint8_t *)"x", 1, 1), 0);
    }
    assert_int_equal(cosem_auto_answer_add_caller(aa, (const uint8_t *)"y", 1, 1),
                     COSEM_COMM_ERR_FULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_ac_attributes, setup),
        cmocka_unit_test_setup(test_ac_connect_method, setup),
        cmocka_unit_test_setup(test_window_daily_midnight, setup),
        cmocka_unit_test(test_window_periods),
        cmocka_unit_test(test_window_lists),
        cmocka_unit_test(test_ac_policy),
        cmocka_unit_test(test_ac_retry),
        cmocka_unit_test(test_destinations),
        cmocka_unit_test_setup(test_aa_attributes, setup),
        cmocka_unit_test_setup(test_aa_wake_up, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
