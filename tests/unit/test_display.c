/*
 * test_display.c - the display and push button model (lib/meter/display):
 * timelines of both variants (power-on firmware page, auto-scroll at 5 s /
 * 10 s, manual scroll and its 30 s / 2 min timeout, short and long presses,
 * service mode with 0.001 kWh while the cover is open, the omni battery
 * list), the rendered lines, the decimals settings 7.0/6.1/7.2/6.3 with
 * truncation and roll-over, other units and scalers, fields that overflow,
 * read errors, the symbols and status line, and the display lists as COSEM
 * capture_objects: encoding, round trip, and SETs from hostile input
 * (types, ranges, capacity, legal readings that cannot be removed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cosem/cosem.h"
#include "dlms/apdu.h"
#include "meter/display.h"
#include "test_hex.h"

/* ---- a fake meter behind ops.read ----------------------------------------------------- */

#define OBIS_A_PLUS                                                                                \
    { 1, 0, 1, 8, 0, 255 }
#define OBIS_A_MINUS                                                                               \
    { 1, 0, 2, 8, 0, 255 }
#define OBIS_V_L1                                                                                  \
    { 1, 0, 32, 7, 0, 255 }
#define OBIS_SERIAL                                                                                \
    { 0, 0, 96, 1, 0, 255 }
#define OBIS_BROKEN                                                                                \
    { 1, 0, 99, 99, 0, 255 }

static const display_item_t A_PLUS = {3, OBIS_A_PLUS, 2, 0, DISPLAY_FMT_AUTO};
static const display_item_t A_MINUS = {3, OBIS_A_MINUS, 2, 0, DISPLAY_FMT_AUTO};
static const display_item_t V_L1 = {3, OBIS_V_L1, 2, 0, DISPLAY_FMT_AUTO};
static const display_item_t SERIAL = {1, OBIS_SERIAL, 2, 0, DISPLAY_FMT_AUTO};
static const display_item_t BROKEN = {3, OBIS_BROKEN, 2, 0, DISPLAY_FMT_AUTO};

typedef struct fake {
    int64_t a_plus_wh, a_minus_wh;
    int64_t value; /* for 1.0.99.98.0.255 (any unit/scaler test) */
    int8_t scaler;
    uint8_t unit;
    unsigned reads;
} fake_t;

static fake_t F;

static int fake_read(void *user, const display_item_t *it, display_value_t *out) {
    fake_t *f = user;
    f->reads++;
    static const uint8_t a_plus[6] = OBIS_A_PLUS, a_minus[6] = OBIS_A_MINUS, v[6] = OBIS_V_L1,
                         serial[6] = OBIS_SERIAL, any[6] = {1, 0, 99, 98, 0, 255};
    if (memcmp(it->obis, a_plus, 6) == 0 || memcmp(it->obis, a_minus, 6) == 0) {
        out->value = it->obis[2] == 1 ? f->a_plus_wh : f->a_minus_wh;
        out->unit = COSEM_UNIT_WH;
        return 0;
    }
    if (memcmp(it->obis, v, 6) == 0) {
        out->value = 2301;
        out->scaler = -1;
        out->unit = COSEM_UNIT_V;
        return 0;
    }
    if (memcmp(it->obis, serial, 6) == 0) {
        out->kind = DISPLAY_VALUE_TEXT;
        memcpy(out->text, "12345678", 8);
        out->text_len = 8;
        return 0;
    }
    if (memcmp(it->obis, any, 6) == 0) {
        out->value = f->value;
        out->scaler = f->scaler;
        out->unit = f->unit;
        return 0;
    }
    return -1;
}

static display_t D;

static void init_variant(uint8_t variant) {
    display_cfg_t cfg;
    assert_int_equal(display_cfg_default(&cfg, variant), 0);
    memcpy(cfg.firmware, variant == DISPLAY_VARIANT_ESMR ? "ESMR 4.07" : "OMNIA 3.0", 9);
    if (variant == DISPLAY_VARIANT_OMNI)
        cfg.decimals = DISPLAY_DEC_7_2;
    display_ops_t ops = {fake_read, &F};
    assert_int_equal(display_init(&D, &cfg, &ops), 0);
    memset(&F, 0, sizeof(F));
    F.a_plus_wh = 1234567;
    F.a_minus_wh = 89012;
}

static int setup_esmr(void **state) {
    (void)state;
    init_variant(DISPLAY_VARIANT_ESMR);
    const display_item_t autol[] = {A_PLUS, A_MINUS, V_L1};
    const display_item_t manual[] = {A_PLUS, A_MINUS, V_L1, SERIAL};
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_AUTO, autol, 3), 0);
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_MANUAL, manual, 4), 0);
    return 0;
}

static int setup_omni(void **state) {
    (void)state;
    init_variant(DISPLAY_VARIANT_OMNI);
    const display_item_t autol[] = {A_PLUS, V_L1};
    const display_item_t manual[] = {A_PLUS, A_MINUS, V_L1};
    const display_item_t battery[] = {A_PLUS, A_MINUS};
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_AUTO, autol, 2), 0);
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_MANUAL, manual, 3), 0);
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_BATTERY, battery, 2), 0);
    return 0;
}

/* ---- timelines --------------------------------------------------------------------------- */

enum act { TICK, PRESS, RELEASE, COVER_OPEN, COVER_CLOSE, POWER_UP, POWER_DOWN };

typedef struct step {
    uint64_t t_ms;
    uint8_t act;
    int press;         /* expected display_button result for RELEASE, else ignored */
    uint8_t mode;      /* expected mode after the step */
    const char *line0; /* expected lines (NULL: not checked) */
    const char *line1;
} step_t;

/* Expected line: text as it is, or ">text" right-aligned in 16 columns. */
static const char *expect(const char *want, char *buf) {
    if (want[0] != '>')
        return want;
    size_t n = strlen(want + 1);
    assert_true(n <= DISPLAY_COLS);
    memset(buf, ' ', DISPLAY_COLS - n);
    memcpy(buf + DISPLAY_COLS - n, want + 1, n + 1);
    return buf;
}

static void run(const step_t *steps, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const step_t *s = &steps[i];
        int rc = 0;
        switch (s->act) {
        case TICK:
            rc = display_tick(&D, s->t_ms);
            break;
        case PRESS:
            rc = display_button(&D, s->t_ms, true);
            assert_int_equal(rc, DISPLAY_PRESS_NONE);
            break;
        case RELEASE:
            rc = display_button(&D, s->t_ms, false);
            if (rc != s->press)
                fail_msg("step %zu (t=%llu): press %d, expected %d", i, (unsigned long long)s->t_ms,
                         rc, s->press);
            break;
        case COVER_OPEN:
        case COVER_CLOSE:
            rc = display_cover(&D, s->t_ms, s->act == COVER_OPEN);
            break;
        case POWER_UP:
            rc = display_power_up(&D, s->t_ms);
            break;
        case POWER_DOWN:
            rc = display_power_down(&D, s->t_ms);
            break;
        }
        assert_true(rc >= 0);
        if (display_mode(&D) != s->mode)
            fail_msg("step %zu (t=%llu): mode %u, expected %u", i, (unsigned long long)s->t_ms,
                     display_mode(&D), s->mode);
        char lines[DISPLAY_LINES][DISPLAY_COLS + 1];
        display_render(&D, lines);
        char buf[DISPLAY_COLS + 1];
        if (s->line0 != NULL && strcmp(lines[0], expect(s->line0, buf)) != 0)
            fail_msg("step %zu (t=%llu): line 0 '%s', expected '%s'", i,
                     (unsigned long long)s->t_ms, lines[0], buf);
        if (s->line1 != NULL && strcmp(lines[1], expect(s->line1, buf)) != 0)
            fail_msg("step %zu (t=%llu): line 1 '%s', expected '%s'", i,
                     (unsigned long long)s->t_ms, lines[1], buf);
    }
}

#define M_OFF     DISPLAY_MODE_OFF
#define M_POWER   DISPLAY_MODE_POWER_ON
#define M_AUTO    DISPLAY_MODE_AUTO
#define M_MANUAL  DISPLAY_MODE_MANUAL
#define M_SERVICE DISPLAY_MODE_SERVICE
#define M_BATTERY DISPLAY_MODE_BATTERY
#define SHORT     DISPLAY_PRESS_SHORT
#define LONG      DISPLAY_PRESS_LONG

/* seed 000 §3.3.16: firmware 5 s, auto 5 s per item, manual by button back
 * to auto after 30 s, service mode with the cover open (0.001 kWh, 5 s or
 * button), §3.3.9: short and long press both scroll. */
static void test_esmr_timeline(void **state) {
    (void)state;
    static const step_t steps[] = {
        {0, TICK, 0, M_OFF, "", ""},
        {0, POWER_UP, 0, M_POWER, "FW", "ESMR 4.07"},
        {3000, PRESS, 0, M_POWER, "FW", NULL},
        {3100, RELEASE, SHORT, M_POWER, "FW", NULL}, /* the firmware page is not cut */
        {4999, TICK, 0, M_POWER, "FW", NULL},
        {5000, TICK, 0, M_AUTO, "1.8.0", ">1234 kWh"},
        {9999, TICK, 0, M_AUTO, "1.8.0", NULL},
        {10000, TICK, 0, M_AUTO, "2.8.0", ">89 kWh"},
        {15000, TICK, 0, M_AUTO, "32.7.0", ">230.1 V"},
        {20000, TICK, 0, M_AUTO, "1.8.0", NULL}, /* wraps */
        {21000, PRESS, 0, M_AUTO, "1.8.0", NULL},
        {21200, RELEASE, SHORT, M_MANUAL, "1.8.0", ">1234 kWh"},
        {22000, PRESS, 0, M_MANUAL, NULL, NULL},
        {25000, RELEASE, SHORT, M_MANUAL, "2.8.0", NULL}, /* a long press scrolls too */
        {30000, PRESS, 0, M_MANUAL, NULL, NULL},
        {30100, RELEASE, SHORT, M_MANUAL, "32.7.0", NULL},
        {31000, PRESS, 0, M_MANUAL, NULL, NULL},
        {31100, RELEASE, SHORT, M_MANUAL, "0-0:96.1.0", "12345678"},
        {45000, TICK, 0, M_MANUAL, "0-0:96.1.0", NULL}, /* manual does not scroll */
        {61099, TICK, 0, M_MANUAL, NULL, NULL},
        {61100, TICK, 0, M_AUTO, "1.8.0", NULL}, /* 30 s after the last press */
        {66100, TICK, 0, M_AUTO, "2.8.0", NULL},
        {67000, COVER_OPEN, 0, M_SERVICE, "1.8.0", ">1234.567 kWh"},
        {72000, TICK, 0, M_SERVICE, "2.8.0", ">89.012 kWh"},
        {73000, PRESS, 0, M_SERVICE, NULL, NULL},
        {73100, RELEASE, SHORT, M_SERVICE, "32.7.0", NULL},
        {78099, TICK, 0, M_SERVICE, "32.7.0", NULL}, /* 5 s from the press */
        {78100, TICK, 0, M_SERVICE, "0-0:96.1.0", NULL},
        {79000, COVER_CLOSE, 0, M_AUTO, "1.8.0", ">1234 kWh"},
        {80000, POWER_DOWN, 0, M_OFF, "", ""},
        {81000, PRESS, 0, M_OFF, NULL, NULL},
        {81100, RELEASE, SHORT, M_OFF, "", ""}, /* esmr: no battery list */
        {85000, COVER_OPEN, 0, M_OFF, "", ""},
        {90000, POWER_UP, 0, M_POWER, "FW", NULL},
        {95000, TICK, 0, M_SERVICE, "1.8.0", ">1234.567 kWh"}, /* cover still open */
        {96000, COVER_CLOSE, 0, M_AUTO, "1.8.0", NULL},
        /* a late tick catches up: 100 s = 20 items of 5 s, 20 % 3 = 2 */
        {196000, TICK, 0, M_AUTO, "32.7.0", NULL},
    };
    run(steps, sizeof(steps) / sizeof(steps[0]));
}

/* seed 004: auto 10 s, manual by the left button back after 2 minutes,
 * battery list without supply, a long press is the breaker's, no service
 * mode; 9-digit value field with the unit, 7-digit identification field. */
static void test_omni_timeline(void **state) {
    (void)state;
    static const step_t steps[] = {
        {0, POWER_UP, 0, M_POWER, "OMNIA 3.0", "FW"},
        {5000, TICK, 0, M_AUTO, ">1234.56 kWh", "1.8.0"},
        {14999, TICK, 0, M_AUTO, NULL, "1.8.0"},
        {15000, TICK, 0, M_AUTO, ">230.1 V", "32.7.0"},
        {16000, COVER_OPEN, 0, M_AUTO, NULL, "32.7.0"}, /* no service mode */
        {20000, PRESS, 0, M_AUTO, NULL, NULL},
        {20100, RELEASE, SHORT, M_MANUAL, NULL, "1.8.0"},
        {21000, PRESS, 0, M_MANUAL, NULL, NULL},
        {23500, RELEASE, LONG, M_MANUAL, NULL, "1.8.0"}, /* long: no scroll */
        {24000, PRESS, 0, M_MANUAL, NULL, NULL},
        {24100, RELEASE, SHORT, M_MANUAL, ">89.01 kWh", "2.8.0"},
        {144099, TICK, 0, M_MANUAL, NULL, "2.8.0"},
        {144100, TICK, 0, M_AUTO, NULL, "1.8.0"}, /* two minutes */
        {150000, POWER_DOWN, 0, M_OFF, "", ""},
        {151000, PRESS, 0, M_OFF, NULL, NULL},
        {151100, RELEASE, SHORT, M_BATTERY, ">1234.56 kWh", "1.8.0"},
        {152000, PRESS, 0, M_BATTERY, NULL, NULL},
        {152100, RELEASE, SHORT, M_BATTERY, NULL, "2.8.0"},
        {153000, PRESS, 0, M_BATTERY, NULL, NULL},
        {153100, RELEASE, SHORT, M_BATTERY, NULL, "1.8.0"}, /* wraps */
        {183099, TICK, 0, M_BATTERY, NULL, NULL},
        {183100, TICK, 0, M_OFF, "", ""}, /* 30 s after the last press */
        {190000, POWER_UP, 0, M_POWER, NULL, "FW"},
        {195000, TICK, 0, M_AUTO, NULL, "1.8.0"}, /* cover open, but omni has no service */
    };
    run(steps, sizeof(steps) / sizeof(steps[0]));
}

/* A long press in auto mode (omni) is the breaker's: it does not enter
 * manual mode; an empty battery list keeps the display off. */
static void test_omni_long_press_and_empty_battery(void **state) {
    (void)state;
    static const step_t steps[] = {
        {0, POWER_UP, 0, M_POWER, NULL, NULL},
        {5000, TICK, 0, M_AUTO, NULL, "1.8.0"},
        {6000, PRESS, 0, M_AUTO, NULL, NULL},
        {8000, RELEASE, LONG, M_AUTO, NULL, "1.8.0"},
        {8000, RELEASE, DISPLAY_PRESS_NONE, M_AUTO, NULL, NULL}, /* bounce */
        {9000, POWER_DOWN, 0, M_OFF, NULL, NULL},
    };
    run(steps, sizeof(steps) / sizeof(steps[0]));
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_BATTERY, NULL, 0), 0);
    /* no manual list: a press leaves auto-scroll as it is */
    D.cfg.legal_lists = 0;
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_MANUAL, NULL, 0), 0);
    static const step_t no_manual[] = {
        {9500, POWER_UP, 0, M_POWER, NULL, NULL}, {14500, TICK, 0, M_AUTO, NULL, "1.8.0"},
        {15000, PRESS, 0, M_AUTO, NULL, NULL},    {15100, RELEASE, SHORT, M_AUTO, NULL, "1.8.0"},
        {24500, TICK, 0, M_AUTO, NULL, "32.7.0"}, {25000, POWER_DOWN, 0, M_OFF, NULL, NULL},
    };
    run(no_manual, sizeof(no_manual) / sizeof(no_manual[0]));
    static const step_t off[] = {
        {30000, PRESS, 0, M_OFF, NULL, NULL},
        {30100, RELEASE, SHORT, M_OFF, "", ""},
    };
    run(off, sizeof(off) / sizeof(off[0]));
}

/* ---- value formats ----------------------------------------------------------------------- */

typedef struct fmt_case {
    uint8_t variant, decimals, mode_service, format;
    int64_t value;
    int8_t scaler;
    uint8_t unit;
    const char *line; /* value line */
    int rc;
} fmt_case_t;

static void test_formats(void **state) {
    (void)state;
    static const fmt_case_t cases[] = {
        /* seed 004 Z1 decimals, truncated: 1234.567 kWh */
        {0, DISPLAY_DEC_7_0, 0, 0xFF, 1234567, 0, COSEM_UNIT_WH, ">1234 kWh", 0},
        {0, DISPLAY_DEC_6_1, 0, 0xFF, 1234567, 0, COSEM_UNIT_WH, ">1234.5 kWh", 0},
        {0, DISPLAY_DEC_7_2, 0, 0xFF, 1234599, 0, COSEM_UNIT_WH, ">1234.59 kWh", 0},
        {0, DISPLAY_DEC_6_3, 0, 0xFF, 1234567, 0, COSEM_UNIT_WH, ">1234.567 kWh", 0},
        /* roll-over at the integer digits: 12345678.901 kWh */
        {0, DISPLAY_DEC_7_0, 0, 0xFF, 12345678901, 0, COSEM_UNIT_WH, ">2345678 kWh", 0},
        {0, DISPLAY_DEC_6_3, 0, 0xFF, 12345678901, 0, COSEM_UNIT_WH, ">345678.901 kWh", 0},
        /* service mode: 0.001 kWh whatever the setting */
        {0, DISPLAY_DEC_7_0, 1, 0xFF, 5, 0, COSEM_UNIT_WH, ">0.005 kWh", 0},
        /* scalers: 12345 x 100 Wh; 7 x 10^-1 Wh */
        {0, DISPLAY_DEC_6_1, 0, 0xFF, 12345, 2, COSEM_UNIT_WH, ">1234.5 kWh", 0},
        {0, DISPLAY_DEC_6_3, 0, 0xFF, 70000, -1, COSEM_UNIT_VARH, ">7.000 kvarh", 0},
        {0, DISPLAY_DEC_7_0, 0, 0xFF, 0, 0, COSEM_UNIT_VAH, ">0 kVAh", 0},
        /* other units: -scaler decimals, at most 3 */
        {0, DISPLAY_DEC_7_0, 0, 0xFF, 2301, -1, COSEM_UNIT_V, ">230.1 V", 0},
        {0, DISPLAY_DEC_7_0, 0, 0xFF, 15, 3, COSEM_UNIT_W, ">15000 W", 0},
        {0, DISPLAY_DEC_7_0, 0, 0xFF, -500, 0, COSEM_UNIT_W, ">-500 W", 0},
        {0, DISPLAY_DEC_7_0, 0, 0xFF, 123456, -5, COSEM_UNIT_A, ">1.234 A", 0},
        {0, DISPLAY_DEC_7_0, 0, 0xFF, 4999, -2, COSEM_UNIT_HZ, ">49.99 Hz", 0},
        {0, DISPLAY_DEC_7_0, 0, 0xFF, 42, 0, COSEM_UNIT_NONE, ">42", 0},
        /* fixed format: 1 decimal of a value in 1/1000 */
        {0, DISPLAY_DEC_7_0, 0, 1, 230149, -3, COSEM_UNIT_V, ">230.1 V", 0},
        /* does not fit: 19 digits on esmr, 10 digits on omni */
        {0, DISPLAY_DEC_7_0, 0, 0xFF, INT64_MAX, 0, COSEM_UNIT_W, ">---- W", 0},
        {0, DISPLAY_DEC_7_0, 0, 0xFF, 1, 30, COSEM_UNIT_W, ">---- W", 0},
        {1, DISPLAY_DEC_7_0, 0, 0xFF, 1234567890, 0, COSEM_UNIT_V, ">---- V", 0},
        {1, DISPLAY_DEC_6_3, 0, 0xFF, 123456789, 0, COSEM_UNIT_WH, ">123456.789 kWh", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const fmt_case_t *c = &cases[i];
        init_variant(c->variant);
        D.cfg.decimals = c->decimals;
        display_item_t it = {3, {1, 0, 99, 98, 0, 255}, 2, 0, c->format};
        D.cfg.legal_lists = 0; /* one item per list here */
        assert_int_equal(display_list_set(&D, DISPLAY_LIST_AUTO, &it, 1), 0);
        assert_int_equal(display_list_set(&D, DISPLAY_LIST_MANUAL, &it, 1), 0);
        display_power_up(&D, 0);
        if (c->mode_service)
            display_cover(&D, 0, true);
        display_tick(&D, 5000);
        assert_int_equal(display_mode(&D), c->mode_service ? M_SERVICE : M_AUTO);
        F.value = c->value;
        F.scaler = c->scaler;
        F.unit = c->unit;
        char lines[DISPLAY_LINES][DISPLAY_COLS + 1];
        assert_int_equal(display_render(&D, lines), c->rc);
        const char *val = c->variant == DISPLAY_VARIANT_OMNI ? lines[0] : lines[1];
        char buf[DISPLAY_COLS + 1];
        if (strcmp(val, expect(c->line, buf)) != 0)
            fail_msg("case %zu: '%s', expected '%s'", i, val, buf);
    }
}

static void test_read_error_and_text(void **state) {
    (void)state;
    init_variant(DISPLAY_VARIANT_ESMR);
    const display_item_t l[] = {BROKEN, A_PLUS, A_MINUS};
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_AUTO, l, 3), 0);
    display_power_up(&D, 0);
    display_tick(&D, 5000);
    char lines[DISPLAY_LINES][DISPLAY_COLS + 1];
    assert_int_equal(display_render(&D, lines), DISPLAY_ERR_READ);
    assert_string_equal(lines[0], "99.99.0");
    assert_string_equal(lines[1], "             Err");
    /* the next item is read normally */
    display_tick(&D, 10000);
    assert_int_equal(display_render(&D, lines), 0);
    assert_string_equal(lines[1], "        1234 kWh");
    /* an empty list shows the status line only */
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_AUTO, NULL, 0), DISPLAY_ERR_LEGAL);
    D.cfg.legal_lists = 0;
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_AUTO, NULL, 0), 0);
    unsigned before = F.reads;
    assert_int_equal(display_render(&D, lines), 0);
    assert_string_equal(lines[0], "");
    assert_string_equal(lines[1], "");
    assert_string_equal(lines[2], "      L---");
    assert_int_equal(F.reads, before);
}

/* ---- symbols ------------------------------------------------------------------------------ */

static void test_symbols(void **state) {
    (void)state;
    init_variant(DISPLAY_VARIANT_ESMR);
    assert_int_equal(display_symbols(&D), 0); /* off */
    display_power_up(&D, 0);
    display_status_t st = {.tariff = 2,
                           .quadrant = 1,
                           .signal = 3,
                           .phases = 0x5,
                           .sequence = 1,
                           .tamper = true,
                           .breaker_present = true,
                           .breaker_open = true};
    assert_int_equal(display_set_status(&D, &st), 0);
    assert_int_equal(display_symbols(&D), (DISPLAY_SYM_T1 << 1) | DISPLAY_SYM_Q1 |
                                              DISPLAY_SYM_IMPORT | DISPLAY_SYM_TAMPER |
                                              DISPLAY_SYM_BREAKER_OPEN | DISPLAY_SYM_ANTENNA |
                                              DISPLAY_SYM_SIGNAL1 | (DISPLAY_SYM_SIGNAL1 << 1) |
                                              (DISPLAY_SYM_SIGNAL1 << 2) | DISPLAY_SYM_L1 |
                                              (DISPLAY_SYM_L1 << 2) | DISPLAY_SYM_SEQ_123);
    char lines[DISPLAY_LINES][DISPLAY_COLS + 1];
    display_render(&D, lines);
    assert_string_equal(lines[2], "T2 Q1 L1-3 ! O 3");

    display_status_t st2 = {.quadrant = 3,
                            .signal = 0,
                            .phases = 0x7,
                            .sequence = 2,
                            .error = true,
                            .breaker_present = true,
                            .battery_low = true,
                            .prepayment = true};
    display_set_status(&D, &st2);
    assert_int_equal(display_symbols(&D),
                     (DISPLAY_SYM_Q1 << 2) | DISPLAY_SYM_EXPORT | DISPLAY_SYM_ERROR |
                         DISPLAY_SYM_BREAKER_CLOSED | DISPLAY_SYM_BATTERY | DISPLAY_SYM_ANTENNA |
                         DISPLAY_SYM_L1 | (DISPLAY_SYM_L1 << 1) | (DISPLAY_SYM_L1 << 2) |
                         DISPLAY_SYM_SEQ_132 | DISPLAY_SYM_PREPAYMENT);
    display_render(&D, lines);
    assert_string_equal(lines[2], "   Q3 L132  EIB0");

    /* no modem: no antenna, no digit; the mode symbols */
    display_status_t st3 = {.signal = DISPLAY_SIGNAL_NONE, .phases = 0x2};
    display_set_status(&D, &st3);
    const display_item_t l[] = {A_PLUS, A_MINUS};
    display_list_set(&D, DISPLAY_LIST_AUTO, l, 2);
    display_list_set(&D, DISPLAY_LIST_MANUAL, l, 2);
    display_tick(&D, 5000);
    assert_int_equal(display_symbols(&D), DISPLAY_SYM_L1 << 1);
    display_button(&D, 6000, true);
    display_button(&D, 6100, false);
    assert_int_equal(display_symbols(&D), (DISPLAY_SYM_L1 << 1) | DISPLAY_SYM_MANUAL);
    display_cover(&D, 7000, true);
    assert_int_equal(display_symbols(&D), (DISPLAY_SYM_L1 << 1) | DISPLAY_SYM_SERVICE);
    display_render(&D, lines);
    assert_string_equal(lines[2], "      L-2-");
}

/* ---- configuration ---------------------------------------------------------------------- */

static void test_config(void **state) {
    (void)state;
    display_cfg_t cfg;
    display_ops_t ops = {fake_read, &F};
    display_ops_t no_read = {NULL, &F};
    assert_int_equal(display_cfg_default(&cfg, 2), DISPLAY_ERR_BADARG);
    assert_int_equal(display_cfg_default(&cfg, DISPLAY_VARIANT_ESMR), 0);
    assert_int_equal(cfg.profile.auto_ms, 5000);
    assert_int_equal(cfg.profile.manual_timeout_ms, 30000);
    assert_int_equal(display_init(&D, &cfg, &no_read), DISPLAY_ERR_BADARG);
    assert_int_equal(display_init(NULL, &cfg, &ops), DISPLAY_ERR_BADARG);
    assert_int_equal(display_init(&D, &cfg, &ops), 0);
    display_cfg_t bad = cfg;
    bad.decimals = 5;
    assert_int_equal(display_init(&D, &bad, &ops), DISPLAY_ERR_CONFIG);
    bad = cfg;
    bad.profile.auto_ms = 0;
    assert_int_equal(display_init(&D, &bad, &ops), DISPLAY_ERR_CONFIG);
    bad = cfg;
    bad.legal[0].attr = 0;
    assert_int_equal(display_init(&D, &bad, &ops), DISPLAY_ERR_CONFIG);
    bad = cfg;
    bad.legal_lists = 1u << DISPLAY_LIST_COUNT;
    assert_int_equal(display_init(&D, &bad, &ops), DISPLAY_ERR_CONFIG);
    bad = cfg;
    memset(bad.firmware, 'x', sizeof(bad.firmware)); /* no terminator */
    assert_int_equal(display_init(&D, &bad, &ops), DISPLAY_ERR_CONFIG);
    assert_int_equal(display_cfg_default(&cfg, DISPLAY_VARIANT_OMNI), 0);
    assert_int_equal(cfg.profile.auto_ms, 10000);
    assert_int_equal(cfg.profile.manual_timeout_ms, 120000);
    assert_int_equal(display_init(&D, &cfg, &ops), 0);

    /* capacities and item checks (configuration path) */
    display_item_t many[EM_DISPLAY_MANUAL_MAX + 1];
    for (size_t i = 0; i < EM_DISPLAY_MANUAL_MAX + 1; i++)
        many[i] = A_PLUS;
    many[1] = A_MINUS;
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_AUTO, many, EM_DISPLAY_AUTO_MAX), 0);
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_AUTO, many, EM_DISPLAY_AUTO_MAX + 1),
                     DISPLAY_ERR_LIST);
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_MANUAL, many, EM_DISPLAY_MANUAL_MAX), 0);
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_MANUAL, many, EM_DISPLAY_MANUAL_MAX + 1),
                     DISPLAY_ERR_LIST);
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_BATTERY, many, EM_DISPLAY_BATTERY_MAX), 0);
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_BATTERY, many, EM_DISPLAY_BATTERY_MAX + 1),
                     DISPLAY_ERR_LIST);
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_COUNT, many, 1), DISPLAY_ERR_BADARG);
    display_item_t odd = A_PLUS;
    odd.format = 4;
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_AUTO, &odd, 1), DISPLAY_ERR_ITEM);
    odd = A_PLUS;
    odd.data_index = 2;
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_AUTO, &odd, 1), DISPLAY_ERR_ITEM);
    /* legal readings: only A+ in the omni manual list is refused, list kept */
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_MANUAL, &A_PLUS, 1), DISPLAY_ERR_LEGAL);
    assert_int_equal(display_list_get(&D, DISPLAY_LIST_MANUAL)->count, EM_DISPLAY_MANUAL_MAX);
    assert_string_equal(display_strerror(DISPLAY_ERR_LEGAL),
                        "display: a legal reading is missing from the list");
    assert_string_equal(display_strerror(1), "display: unknown error");
}

/* ---- COSEM capture_objects -------------------------------------------------------------- */

#define ITEM_HEX(cls, ln, attr, di) "02 04 12 " cls " 09 06 " ln " 0F " attr " 12 " di " "
#define HEX_A_PLUS                  ITEM_HEX("0003", "0100010800FF", "02", "0000")
#define HEX_A_MINUS                 ITEM_HEX("0003", "0100020800FF", "02", "0000")
#define HEX_V_L1                    ITEM_HEX("0003", "0100200700FF", "02", "0000")

static void test_list_encode_roundtrip(void **state) {
    (void)state;
    init_variant(DISPLAY_VARIANT_OMNI);
    display_item_t l[] = {A_PLUS, A_MINUS, V_L1};
    l[2].format = 2; /* configured: 2 decimals for the voltage */
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_MANUAL, l, 3), 0);
    uint8_t buf[256], want[256];
    axdr_enc_t e;
    axdr_enc_init(&e, buf, sizeof(buf));
    assert_int_equal(display_list_encode(&D, DISPLAY_LIST_MANUAL, &e), 0);
    size_t n = test_unhex("01 03" HEX_A_PLUS HEX_A_MINUS HEX_V_L1, want, sizeof(want));
    assert_int_equal(e.len, n);
    assert_memory_equal(buf, want, n);
    /* writing it back keeps the configured format of the items it lists */
    axdr_dec_t d;
    axdr_dec_init(&d, buf, e.len);
    assert_int_equal(display_list_write(&D, DISPLAY_LIST_MANUAL, &d), DLMS_DAR_SUCCESS);
    assert_int_equal(display_list_get(&D, DISPLAY_LIST_MANUAL)->items[2].format, 2);
    /* reordered: V first, then A-, A+; formats follow their items */
    n = test_unhex("01 03" HEX_V_L1 HEX_A_MINUS HEX_A_PLUS, want, sizeof(want));
    axdr_dec_init(&d, want, n);
    assert_int_equal(display_list_write(&D, DISPLAY_LIST_MANUAL, &d), DLMS_DAR_SUCCESS);
    const display_list_t *got = display_list_get(&D, DISPLAY_LIST_MANUAL);
    assert_int_equal(got->count, 3);
    assert_int_equal(got->items[0].format, 2);
    assert_int_equal(got->items[2].format, DISPLAY_FMT_AUTO);
    assert_memory_equal(got->items[0].obis, V_L1.obis, 6);
    /* an empty list encodes as an empty array */
    axdr_enc_init(&e, buf, sizeof(buf));
    assert_int_equal(display_list_encode(&D, DISPLAY_LIST_SERVICE, &e), 0);
    assert_int_equal(e.len, 2);
    assert_int_equal(buf[0], 0x01);
    assert_int_equal(buf[1], 0x00);
    /* an encoder too small reports its overflow */
    axdr_enc_init(&e, buf, 10);
    assert_int_equal(display_list_encode(&D, DISPLAY_LIST_MANUAL, &e), AXDR_ERR_OVERFLOW);
}

typedef struct set_case {
    const char *name;
    uint8_t list;
    const char *hex;
    int dar;
} set_case_t;

static void test_list_set_hostile(void **state) {
    (void)state;
    static const set_case_t cases[] = {
        {"valid manual", DISPLAY_LIST_MANUAL, "01 02" HEX_A_PLUS HEX_A_MINUS, 0},
        {"legal A- missing", DISPLAY_LIST_MANUAL, "01 02" HEX_A_PLUS HEX_V_L1, 250},
        {"empty manual (legal)", DISPLAY_LIST_MANUAL, "01 00", 250},
        {"empty battery", DISPLAY_LIST_BATTERY, "01 00", 0},
        {"auto without legal", DISPLAY_LIST_AUTO, "01 01" HEX_V_L1, 0},
        {"not an array", DISPLAY_LIST_AUTO, "02 01" HEX_V_L1, 12},
        {"null data", DISPLAY_LIST_AUTO, "00", 12},
        {"nothing", DISPLAY_LIST_AUTO, "", 12},
        {"element not a structure", DISPLAY_LIST_AUTO, "01 01 01 00", 12},
        {"structure of 3", DISPLAY_LIST_AUTO, "01 01 02 03 12 0003 09 06 0100010800FF 0F 02", 12},
        {"structure of 5", DISPLAY_LIST_AUTO,
         "01 01 02 05 12 0003 09 06 0100010800FF 0F 02 12 0000 11 01", 12},
        {"class as unsigned", DISPLAY_LIST_AUTO,
         "01 01 02 04 11 03 09 06 0100010800FF 0F 02 12 0000", 12},
        {"LN of 5 bytes", DISPLAY_LIST_AUTO, "01 01 02 04 12 0003 09 05 0100010800 0F 02 12 0000",
         12},
        {"LN of 7 bytes", DISPLAY_LIST_AUTO,
         "01 01 02 04 12 0003 09 07 0100010800FF00 0F 02 12 0000", 12},
        {"LN visible-string", DISPLAY_LIST_AUTO,
         "01 01 02 04 12 0003 0A 06 0100010800FF 0F 02 12 0000", 12},
        {"attr as unsigned", DISPLAY_LIST_AUTO,
         "01 01 02 04 12 0003 09 06 0100010800FF 11 02 12 0000", 12},
        {"attribute 0", DISPLAY_LIST_AUTO, "01 01" ITEM_HEX("0003", "0100010800FF", "00", "0000"),
         250},
        {"attribute -1", DISPLAY_LIST_AUTO, "01 01" ITEM_HEX("0003", "0100010800FF", "FF", "0000"),
         250},
        {"data index 1", DISPLAY_LIST_AUTO, "01 01" ITEM_HEX("0003", "0100010800FF", "02", "0001"),
         250},
        {"class 0", DISPLAY_LIST_AUTO, "01 01" ITEM_HEX("0000", "0100010800FF", "02", "0000"), 250},
        {"range then type error", DISPLAY_LIST_AUTO,
         "01 02" ITEM_HEX("0000", "0100010800FF", "02", "0000") "01 00", 12},
        {"truncated item", DISPLAY_LIST_AUTO, "01 01 02 04 12 0003 09 06 01000108", 12},
        {"count beyond input", DISPLAY_LIST_AUTO, "01 02" HEX_V_L1, 12},
        {"huge count", DISPLAY_LIST_AUTO, "01 84 FFFFFFFF" HEX_V_L1, 12},
        {"bad length form", DISPLAY_LIST_AUTO, "01 80", 12},
        {"17 in auto", DISPLAY_LIST_AUTO,
         "01 11" HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1
             HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1,
         250},
        {"16 in auto", DISPLAY_LIST_AUTO,
         "01 10" HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1
             HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1,
         0},
        {"9 in battery", DISPLAY_LIST_BATTERY,
         "01 09" HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1 HEX_V_L1,
         250},
    };
    uint8_t buf[1024];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const set_case_t *c = &cases[i];
        setup_omni(NULL);
        display_list_t before = *display_list_get(&D, c->list);
        size_t n = test_unhex(c->hex, buf, sizeof(buf));
        axdr_dec_t d;
        axdr_dec_init(&d, buf, n);
        int dar = display_list_write(&D, c->list, &d);
        if (dar != c->dar)
            fail_msg("%s: result %d, expected %d", c->name, dar, c->dar);
        const display_list_t *after = display_list_get(&D, c->list);
        if (dar != 0) {
            /* refused: the list is unchanged */
            assert_int_equal(after->count, before.count);
            assert_memory_equal(after->items, before.items, before.count * sizeof(before.items[0]));
        } else {
            /* accepted: it encodes back to exactly the bytes written */
            uint8_t out[1024];
            axdr_enc_t e;
            axdr_enc_init(&e, out, sizeof(out));
            assert_int_equal(display_list_encode(&D, c->list, &e), 0);
            assert_int_equal(e.len, n);
            assert_memory_equal(out, buf, n);
        }
    }
    /* NULL arguments are errors, not Data-Access-Results */
    axdr_dec_t d;
    axdr_dec_init(&d, buf, 0);
    assert_int_equal(display_list_write(NULL, 0, &d), DISPLAY_ERR_BADARG);
    assert_int_equal(display_list_write(&D, DISPLAY_LIST_COUNT, &d), DISPLAY_ERR_BADARG);
    size_t count = 7;
    assert_int_equal(display_list_decode(NULL, NULL, 0, &count), DISPLAY_ERR_BADARG);
}

/* Replacing the list on show starts it again; a shorter list never leaves
 * the index past its end. */
static void test_list_replaced_while_shown(void **state) {
    (void)state;
    setup_esmr(NULL);
    display_power_up(&D, 0);
    display_tick(&D, 15000); /* auto index 2 */
    uint8_t list, index;
    display_position(&D, &list, &index);
    assert_int_equal(list, DISPLAY_LIST_AUTO);
    assert_int_equal(index, 2);
    const display_item_t l[] = {A_PLUS, A_MINUS};
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_AUTO, l, 2), 0);
    display_position(&D, &list, &index);
    assert_int_equal(index, 0);
    /* service mode falls back to the manual list, then follows a new
     * service list */
    display_cover(&D, 16000, true);
    display_position(&D, &list, &index);
    assert_int_equal(list, DISPLAY_LIST_MANUAL);
    const display_item_t s[] = {V_L1};
    assert_int_equal(display_list_set(&D, DISPLAY_LIST_SERVICE, s, 1), 0);
    display_position(&D, &list, &index);
    assert_int_equal(list, DISPLAY_LIST_SERVICE);
    char lines[DISPLAY_LINES][DISPLAY_COLS + 1];
    display_render(&D, lines);
    assert_string_equal(lines[0], "32.7.0");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_esmr_timeline, setup_esmr),
        cmocka_unit_test_setup(test_omni_timeline, setup_omni),
        cmocka_unit_test_setup(test_omni_long_press_and_empty_battery, setup_omni),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_read_error_and_text),
        cmocka_unit_test(test_symbols),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_list_encode_roundtrip),
        cmocka_unit_test(test_list_set_hostile),
        cmocka_unit_test(test_list_replaced_while_shown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
