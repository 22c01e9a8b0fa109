/*
 * display.c - display and push button of the meter (see display.h): the
 * mode state machine of seed 000 §3.3.16 / seed 004 "Display", the text
 * rendering of the two LCDs, and the display lists as the capture_objects
 * of Profile generic readout objects (Blue Book class 7, attribute 3;
 * OBIS 0.0.21.0.e.255).
 */
#include "meter/display.h"

#include <string.h>

#include "cosem/cosem.h"
#include "dlms/apdu.h"

const char *display_strerror(int err) {
    switch (err) {
    case 0:
        return "ok";
    case DISPLAY_ERR_BADARG:
        return "display: bad argument";
    case DISPLAY_ERR_CONFIG:
        return "display: configuration invalid";
    case DISPLAY_ERR_LIST:
        return "display: more items than the list holds";
    case DISPLAY_ERR_ITEM:
        return "display: item invalid";
    case DISPLAY_ERR_LEGAL:
        return "display: a legal reading is missing from the list";
    case DISPLAY_ERR_READ:
        return "display: value could not be read";
    default:
        return "display: unknown error";
    }
}

/* ---- configuration -------------------------------------------------------- */

int display_profile_default(display_profile_t *p, uint8_t variant) {
    if (p == NULL || variant > DISPLAY_VARIANT_OMNI)
        return DISPLAY_ERR_BADARG;
    memset(p, 0, sizeof(*p));
    p->variant = variant;
    p->power_on_ms = 5000;         /* seed 000 §3.3.16 1) "shown for 5 seconds" */
    p->service_ms = 5000;          /* seed 000 §3.3.16 4) "next every 5 seconds" */
    p->long_press_ms = 2000;       /* neither seed gives it: a deliberate hold */
    p->battery_timeout_ms = 30000; /* not in seed 004: as long as manual esmr */
    if (variant == DISPLAY_VARIANT_ESMR) {
        p->auto_ms = 5000;            /* seed 000 §3.3.16 2) */
        p->manual_timeout_ms = 30000; /* seed 000 §3.3.16 3) */
        p->service_mode = true;       /* seed 000 §3.3.16 4) */
    } else {
        p->auto_ms = 10000;            /* seed 004 "every 10 seconds" */
        p->manual_timeout_ms = 120000; /* seed 004 "two minutes after" */
        p->battery_list = true;        /* seed 004 "battery-operated shift function" */
        p->long_press_outcome = true;  /* seed 004 "Breaker": local push button */
    }
    return 0;
}

static const display_item_t legal_a_plus = {3, {1, 0, 1, 8, 0, 255}, 2, 0, DISPLAY_FMT_AUTO};
static const display_item_t legal_a_minus = {3, {1, 0, 2, 8, 0, 255}, 2, 0, DISPLAY_FMT_AUTO};

int display_cfg_default(display_cfg_t *cfg, uint8_t variant) {
    if (cfg == NULL)
        return DISPLAY_ERR_BADARG;
    memset(cfg, 0, sizeof(*cfg));
    int rc = display_profile_default(&cfg->profile, variant);
    if (rc != 0)
        return rc;
    cfg->decimals = DISPLAY_DEC_7_0;
    cfg->legal[0] = legal_a_plus;
    cfg->legal[1] = legal_a_minus;
    cfg->legal_count = 2;
    /* seed 004: legal readings cannot be deselected from the manual list;
     * the esmr auto list is its "basic information" (seed 000 §3.3.16). */
    cfg->legal_lists = (uint8_t)(1u << (variant == DISPLAY_VARIANT_ESMR ? DISPLAY_LIST_AUTO
                                                                        : DISPLAY_LIST_MANUAL));
    return 0;
}

size_t display_list_capacity(uint8_t list_id) {
    switch (list_id) {
    case DISPLAY_LIST_AUTO:
        return EM_DISPLAY_AUTO_MAX;
    case DISPLAY_LIST_MANUAL:
    case DISPLAY_LIST_SERVICE:
        return EM_DISPLAY_MANUAL_MAX;
    case DISPLAY_LIST_BATTERY:
        return EM_DISPLAY_BATTERY_MAX;
    default:
        return 0;
    }
}

static bool item_valid(const display_item_t *it) {
    return it->class_id != 0 && it->attr >= 1 && it->data_index == 0 &&
           (it->format <= 3 || it->format == DISPLAY_FMT_AUTO || it->format == DISPLAY_FMT_ENERGY);
}

/* Same COSEM attribute (the format does not matter). */
static bool item_same(const display_item_t *a, const display_item_t *b) {
    return a->class_id == b->class_id && memcmp(a->obis, b->obis, 6) == 0 && a->attr == b->attr &&
           a->data_index == b->data_index;
}

int display_init(display_t *d, const display_cfg_t *cfg, const display_ops_t *ops) {
    if (d == NULL || cfg == NULL || ops == NULL || ops->read == NULL)
        return DISPLAY_ERR_BADARG;
    const display_profile_t *p = &cfg->profile;
    if (p->variant > DISPLAY_VARIANT_OMNI || p->power_on_ms == 0 || p->auto_ms == 0 ||
        p->manual_timeout_ms == 0 || p->service_ms == 0 || p->long_press_ms == 0 ||
        p->battery_timeout_ms == 0 || cfg->decimals < DISPLAY_DEC_7_0 ||
        cfg->decimals > DISPLAY_DEC_6_3 || cfg->legal_count > EM_DISPLAY_LEGAL_MAX ||
        cfg->legal_lists >= (1u << DISPLAY_LIST_COUNT) ||
        memchr(cfg->firmware, 0, sizeof(cfg->firmware)) == NULL)
        return DISPLAY_ERR_CONFIG;
    for (unsigned i = 0; i < cfg->legal_count; i++)
        if (!item_valid(&cfg->legal[i]))
            return DISPLAY_ERR_CONFIG;
    /* A required list must be able to hold the legal items. */
    for (uint8_t l = 0; l < DISPLAY_LIST_COUNT; l++)
        if ((cfg->legal_lists & (1u << l)) != 0 && display_list_capacity(l) < cfg->legal_count)
            return DISPLAY_ERR_CONFIG;
    memset(d, 0, sizeof(*d));
    d->cfg = *cfg;
    d->ops = *ops;
    d->status.signal = DISPLAY_SIGNAL_NONE;
    d->mode = DISPLAY_MODE_OFF;
    return 0;
}

/* ---- lists ----------------------------------------------------------------- */

static int check_list(const display_t *d, uint8_t list_id, const display_item_t *items,
                      size_t count) {
    if (count > display_list_capacity(list_id))
        return DISPLAY_ERR_LIST;
    for (size_t i = 0; i < count; i++)
        if (!item_valid(&items[i]))
            return DISPLAY_ERR_ITEM;
    if ((d->cfg.legal_lists & (1u << list_id)) != 0) {
        for (unsigned k = 0; k < d->cfg.legal_count; k++) {
            bool found = false;
            for (size_t i = 0; i < count && !found; i++)
                found = item_same(&items[i], &d->cfg.legal[k]);
            if (!found)
                return DISPLAY_ERR_LEGAL;
        }
    }
    return 0;
}

/* The list shown in a mode: service falls back to the manual list. */
static uint8_t shown_list(const display_t *d, uint8_t mode) {
    switch (mode) {
    case DISPLAY_MODE_MANUAL:
        return DISPLAY_LIST_MANUAL;
    case DISPLAY_MODE_SERVICE:
        return d->list[DISPLAY_LIST_SERVICE].count > 0 ? DISPLAY_LIST_SERVICE : DISPLAY_LIST_MANUAL;
    case DISPLAY_MODE_BATTERY:
        return DISPLAY_LIST_BATTERY;
    default:
        return DISPLAY_LIST_AUTO;
    }
}

static void enter(display_t *d, uint8_t mode, uint64_t at_ms) {
    d->mode = mode;
    d->cur_list = shown_list(d, mode);
    d->index = 0;
    d->since_ms = at_ms;
}

int display_list_set(display_t *d, uint8_t list_id, const display_item_t *items, size_t count) {
    if (d == NULL || list_id >= DISPLAY_LIST_COUNT || (items == NULL && count > 0))
        return DISPLAY_ERR_BADARG;
    int rc = check_list(d, list_id, items, count);
    if (rc != 0)
        return rc;
    display_list_t *l = &d->list[list_id];
    if (count > 0)
        memmove(l->items, items, count * sizeof(items[0]));
    l->count = (uint8_t)count;
    /* What is shown may have changed under it (the service list may now be
     * empty or not): start the mode's list again. */
    if (d->mode >= DISPLAY_MODE_AUTO &&
        (d->cur_list == list_id || d->cur_list != shown_list(d, d->mode))) {
        d->cur_list = shown_list(d, d->mode);
        d->index = 0;
    }
    return 0;
}

const display_list_t *display_list_get(const display_t *d, uint8_t list_id) {
    if (d == NULL || list_id >= DISPLAY_LIST_COUNT)
        return NULL;
    return &d->list[list_id];
}

/* ---- state machine ------------------------------------------------------------ */

static uint8_t after_power_on(const display_t *d) {
    return d->cover_open && d->cfg.profile.service_mode ? DISPLAY_MODE_SERVICE : DISPLAY_MODE_AUTO;
}

int display_power_up(display_t *d, uint64_t now_ms) {
    if (d == NULL)
        return DISPLAY_ERR_BADARG;
    d->powered = true;
    d->pressed = false;
    enter(d, DISPLAY_MODE_POWER_ON, now_ms);
    return 0;
}

int display_power_down(display_t *d, uint64_t now_ms) {
    if (d == NULL)
        return DISPLAY_ERR_BADARG;
    d->powered = false;
    d->pressed = false;
    enter(d, DISPLAY_MODE_OFF, now_ms);
    return 0;
}

int display_cover(display_t *d, uint64_t now_ms, bool open) {
    if (d == NULL)
        return DISPLAY_ERR_BADARG;
    display_tick(d, now_ms);
    d->cover_open = open;
    if (!d->cfg.profile.service_mode)
        return 0;
    /* seed 000 §3.3.16 4): open -> service mode; closed -> auto-scroll.
     * During power-on the state is used when the firmware page ends. */
    if (open && (d->mode == DISPLAY_MODE_AUTO || d->mode == DISPLAY_MODE_MANUAL))
        enter(d, DISPLAY_MODE_SERVICE, now_ms);
    else if (!open && d->mode == DISPLAY_MODE_SERVICE)
        enter(d, DISPLAY_MODE_AUTO, now_ms);
    return 0;
}

/* Next item of the list shown, wrapping. */
static void next_item(display_t *d) {
    uint8_t n = d->list[d->cur_list].count;
    d->index = n == 0 ? 0 : (uint8_t)((d->index + 1u) % n);
}

/* Steps of `period` elapsed since since_ms: advance that many items. */
static void scroll(display_t *d, uint64_t now_ms, uint32_t period) {
    if (now_ms < d->since_ms)
        return;
    uint64_t steps = (now_ms - d->since_ms) / period;
    if (steps == 0)
        return;
    d->since_ms += steps * period;
    uint8_t n = d->list[d->cur_list].count;
    if (n > 0)
        d->index = (uint8_t)((d->index + steps % n) % n);
}

int display_tick(display_t *d, uint64_t now_ms) {
    if (d == NULL)
        return DISPLAY_ERR_BADARG;
    const display_profile_t *p = &d->cfg.profile;
    switch (d->mode) {
    case DISPLAY_MODE_POWER_ON:
        if (now_ms >= d->since_ms + p->power_on_ms) {
            enter(d, after_power_on(d), d->since_ms + p->power_on_ms);
            return display_tick(d, now_ms); /* at most one level deeper */
        }
        break;
    case DISPLAY_MODE_AUTO:
        scroll(d, now_ms, p->auto_ms);
        break;
    case DISPLAY_MODE_SERVICE:
        scroll(d, now_ms, p->service_ms);
        break;
    case DISPLAY_MODE_MANUAL:
        /* seed 000 §3.3.16 3) / seed 004: back to auto after the last press */
        if (!d->pressed && now_ms >= d->active_ms + p->manual_timeout_ms) {
            enter(d, DISPLAY_MODE_AUTO, d->active_ms + p->manual_timeout_ms);
            scroll(d, now_ms, p->auto_ms);
        }
        break;
    case DISPLAY_MODE_BATTERY:
        if (!d->pressed && now_ms >= d->active_ms + p->battery_timeout_ms)
            enter(d, DISPLAY_MODE_OFF, d->active_ms + p->battery_timeout_ms);
        break;
    default:
        break;
    }
    return 0;
}

int display_button(display_t *d, uint64_t now_ms, bool down) {
    if (d == NULL)
        return DISPLAY_ERR_BADARG;
    display_tick(d, now_ms);
    if (down) {
        if (!d->pressed) {
            d->pressed = true;
            d->press_ms = now_ms;
        }
        return DISPLAY_PRESS_NONE;
    }
    if (!d->pressed)
        return DISPLAY_PRESS_NONE; /* release without press: bounce */
    d->pressed = false;
    const display_profile_t *p = &d->cfg.profile;
    bool is_long = now_ms >= d->press_ms && now_ms - d->press_ms >= p->long_press_ms;
    if (is_long && p->long_press_outcome) {
        /* omni: the meter acts (breaker); the display stays, but a press
         * in manual mode still counts as activity. */
        if (d->mode == DISPLAY_MODE_MANUAL || d->mode == DISPLAY_MODE_BATTERY)
            d->active_ms = now_ms;
        return DISPLAY_PRESS_LONG;
    }
    d->active_ms = now_ms;
    switch (d->mode) {
    case DISPLAY_MODE_OFF:
        if (!d->powered && p->battery_list && d->list[DISPLAY_LIST_BATTERY].count > 0)
            enter(d, DISPLAY_MODE_BATTERY, now_ms);
        break;
    case DISPLAY_MODE_AUTO:
        /* seed 000 §3.3.9 / §3.3.16 3): a press enters manual scroll mode
         * (when there is a manual list to show) */
        if (d->list[DISPLAY_LIST_MANUAL].count > 0)
            enter(d, DISPLAY_MODE_MANUAL, now_ms);
        break;
    case DISPLAY_MODE_MANUAL:
    case DISPLAY_MODE_BATTERY:
        next_item(d);
        d->since_ms = now_ms;
        break;
    case DISPLAY_MODE_SERVICE:
        /* seed 000 §3.3.16 4): next item on a press, 5 s from there */
        next_item(d);
        d->since_ms = now_ms;
        break;
    default: /* power-on: the firmware page is not interrupted */
        break;
    }
    return DISPLAY_PRESS_SHORT;
}

int display_set_status(display_t *d, const display_status_t *st) {
    if (d == NULL || st == NULL)
        return DISPLAY_ERR_BADARG;
    d->status = *st;
    return 0;
}

uint8_t display_mode(const display_t *d) {
    return d == NULL ? DISPLAY_MODE_OFF : d->mode;
}

void display_position(const display_t *d, uint8_t *list_id, uint8_t *index) {
    if (list_id != NULL)
        *list_id = d == NULL ? 0 : d->cur_list;
    if (index != NULL)
        *index = d == NULL ? 0 : d->index;
}

uint32_t display_symbols(const display_t *d) {
    if (d == NULL || d->mode == DISPLAY_MODE_OFF)
        return 0;
    const display_status_t *s = &d->status;
    uint32_t b = 0;
    if (s->tariff >= 1 && s->tariff <= 4)
        b |= DISPLAY_SYM_T1 << (s->tariff - 1);
    if (s->quadrant >= 1 && s->quadrant <= 4) {
        b |= DISPLAY_SYM_Q1 << (s->quadrant - 1);
        b |= (s->quadrant == 1 || s->quadrant == 4) ? DISPLAY_SYM_IMPORT : DISPLAY_SYM_EXPORT;
    }
    if (s->tamper)
        b |= DISPLAY_SYM_TAMPER;
    if (s->breaker_present)
        b |= s->breaker_open ? DISPLAY_SYM_BREAKER_OPEN : DISPLAY_SYM_BREAKER_CLOSED;
    if (s->error)
        b |= DISPLAY_SYM_ERROR;
    if (s->battery_low)
        b |= DISPLAY_SYM_BATTERY;
    if (s->signal != DISPLAY_SIGNAL_NONE) {
        b |= DISPLAY_SYM_ANTENNA;
        unsigned bars = s->signal > 4 ? 4u : s->signal;
        for (unsigned k = 0; k < bars; k++)
            b |= DISPLAY_SYM_SIGNAL1 << k;
    }
    for (unsigned k = 0; k < 3; k++)
        if (s->phases & (1u << k))
            b |= DISPLAY_SYM_L1 << k;
    if (s->sequence == 1)
        b |= DISPLAY_SYM_SEQ_123;
    else if (s->sequence == 2)
        b |= DISPLAY_SYM_SEQ_132;
    if (s->prepayment)
        b |= DISPLAY_SYM_PREPAYMENT;
    if (d->mode == DISPLAY_MODE_SERVICE)
        b |= DISPLAY_SYM_SERVICE;
    if (d->mode == DISPLAY_MODE_MANUAL)
        b |= DISPLAY_SYM_MANUAL;
    return b;
}

/* ---- rendering ----------------------------------------------------------------- */

typedef struct line {
    char *s;
    size_t len;
} line_t;

static void put_str(line_t *l, const char *p, size_t n) {
    while (n-- > 0 && l->len < DISPLAY_COLS) {
        char c = *p++;
        l->s[l->len++] = (c >= 0x20 && c < 0x7F) ? c : '?';
    }
    l->s[l->len] = 0;
}

static void put_cstr(line_t *l, const char *p) {
    put_str(l, p, strlen(p));
}

static void put_uint(line_t *l, unsigned v) {
    char tmp[4];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0 && n < sizeof(tmp));
    while (n > 0)
        put_str(l, &tmp[--n], 1);
}

/* IEC 62056-61 short form: "C.D.E" for electricity channel 0 (A.B = 1.0),
 * "A-B:C.D.E" otherwise, "*F" when F is not 255. omni's 7-digit field
 * shows C.D.E only. */
static void put_obis(line_t *l, const uint8_t obis[6], bool short_only) {
    if (!short_only && !(obis[0] == 1 && obis[1] == 0)) {
        put_uint(l, obis[0]);
        put_cstr(l, "-");
        put_uint(l, obis[1]);
        put_cstr(l, ":");
    }
    put_uint(l, obis[2]);
    put_cstr(l, ".");
    put_uint(l, obis[3]);
    put_cstr(l, ".");
    put_uint(l, obis[4]);
    if (!short_only && obis[5] != 255) {
        put_cstr(l, "*");
        put_uint(l, obis[5]);
    }
}

static bool is_energy_unit(uint8_t unit) {
    return unit == COSEM_UNIT_WH || unit == COSEM_UNIT_VARH || unit == COSEM_UNIT_VAH;
}

static const char *unit_text(uint8_t unit, bool kilo) {
    switch (unit) {
    case COSEM_UNIT_WH:
        return kilo ? "kWh" : "Wh";
    case COSEM_UNIT_VARH:
        return kilo ? "kvarh" : "varh";
    case COSEM_UNIT_VAH:
        return kilo ? "kVAh" : "VAh";
    case COSEM_UNIT_W:
        return "W";
    case COSEM_UNIT_VAR:
        return "var";
    case COSEM_UNIT_VA:
        return "VA";
    case COSEM_UNIT_V:
        return "V";
    case COSEM_UNIT_A:
        return "A";
    case COSEM_UNIT_HZ:
        return "Hz";
    case COSEM_UNIT_PERCENT:
        return "%";
    case COSEM_UNIT_CELSIUS:
        return "C";
    case COSEM_UNIT_SECOND:
        return "s";
    case COSEM_UNIT_MINUTE:
        return "min";
    case COSEM_UNIT_HOUR:
        return "h";
    case COSEM_UNIT_DAY:
        return "d";
    default:
        return "";
    }
}

static const int64_t pow10_tab[19] = {1,
                                      10,
                                      100,
                                      1000,
                                      10000,
                                      100000,
                                      1000000,
                                      10000000,
                                      100000000,
                                      1000000000,
                                      10000000000,
                                      100000000000,
                                      1000000000000,
                                      10000000000000,
                                      100000000000000,
                                      1000000000000000,
                                      10000000000000000,
                                      100000000000000000,
                                      1000000000000000000};

/* v * 10^exp truncated toward zero; false on overflow. */
static bool scale(int64_t v, int exp, int64_t *out) {
    if (exp >= 0) {
        if (v == 0) {
            *out = 0;
            return true;
        }
        if (exp > 18)
            return false;
        int64_t m = pow10_tab[exp];
        if (v > INT64_MAX / m || v < -(INT64_MAX / m))
            return false;
        *out = v * m;
        return true;
    }
    *out = -exp > 18 ? 0 : v / pow10_tab[-exp];
    return true;
}

/* Text of v (in units of 10^-dec) with dec decimals into buf (>= 24). */
static size_t fmt_fixed(char *buf, int64_t v, unsigned dec) {
    char tmp[24];
    size_t n = 0;
    bool neg = v < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10u);
        u /= 10u;
        if (n == dec)
            tmp[n++] = '.';
    } while (u != 0 || n <= dec);
    if (tmp[n - 1] == '.')
        tmp[n++] = '0';
    if (neg)
        tmp[n++] = '-';
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

/* Integer digits and decimals of the Z1 setting. */
static void decimals_of(uint8_t setting, unsigned *ints, unsigned *dec) {
    static const uint8_t t[4][2] = {{7, 0}, {6, 1}, {7, 2}, {6, 3}};
    unsigned i = (setting >= 1 && setting <= 4) ? setting - 1u : 0u;
    *ints = t[i][0];
    *dec = t[i][1];
}

/* Value text (number without unit) and the unit of one item into buf;
 * returns its length, 0 on overflow. */
static size_t fmt_value(const display_t *d, const display_item_t *it, const display_value_t *v,
                        char *buf, const char **unit) {
    bool energy = it->format == DISPLAY_FMT_ENERGY ||
                  (it->format == DISPLAY_FMT_AUTO && is_energy_unit(v->unit));
    int64_t x;
    unsigned dec;
    if (energy) {
        unsigned ints;
        decimals_of(d->cfg.decimals, &ints, &dec);
        if (d->mode == DISPLAY_MODE_SERVICE)
            dec = 3; /* seed 000 §3.3.16 4): 0.001 kWh */
        *unit = is_energy_unit(v->unit) ? unit_text(v->unit, true) : "kWh";
        /* Wh * 10^scaler -> kWh with dec decimals, truncated. */
        if (!scale(v->value, v->scaler - 3 + (int)dec, &x))
            return 0;
        /* A register rolls over at its integer digits. */
        if (x >= 0)
            x %= pow10_tab[ints + dec];
    } else {
        if (it->format <= 3)
            dec = it->format;
        else
            dec = v->scaler >= 0 ? 0u : (v->scaler < -3 ? 3u : (unsigned)-v->scaler);
        *unit = unit_text(v->unit, false);
        if (!scale(v->value, v->scaler + (int)dec, &x))
            return 0;
    }
    return fmt_fixed(buf, x, dec);
}

static void status_line(const display_t *d, line_t *l) {
    char s[DISPLAY_COLS];
    memset(s, ' ', sizeof(s));
    const display_status_t *st = &d->status;
    if (st->tariff >= 1 && st->tariff <= 4) {
        s[0] = 'T';
        s[1] = (char)('0' + st->tariff);
    }
    if (st->quadrant >= 1 && st->quadrant <= 4) {
        s[3] = 'Q';
        s[4] = (char)('0' + st->quadrant);
    }
    s[6] = 'L';
    static const char order[2][3] = {{'1', '2', '3'}, {'1', '3', '2'}};
    const char *o = order[st->sequence == 2 ? 1 : 0];
    for (unsigned k = 0; k < 3; k++) {
        unsigned ph = (unsigned)(o[k] - '1');
        s[7 + k] = (st->phases & (1u << ph)) ? o[k] : '-';
    }
    if (st->tamper)
        s[11] = '!';
    if (st->error)
        s[12] = 'E';
    if (st->breaker_present)
        s[13] = st->breaker_open ? 'O' : 'I';
    if (st->battery_low)
        s[14] = 'B';
    if (st->signal != DISPLAY_SIGNAL_NONE)
        s[15] = (char)('0' + (st->signal > 4 ? 4 : st->signal));
    size_t n = sizeof(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    put_str(l, s, n);
}

/* Right-aligns text + " " + unit in width columns of line l. */
static void put_right(line_t *l, const char *num, size_t n, const char *unit, size_t width) {
    size_t ul = strlen(unit);
    size_t total = n + (ul > 0 ? ul + 1 : 0);
    for (size_t k = total; k < width; k++)
        put_cstr(l, " ");
    put_str(l, num, n);
    if (ul > 0) {
        put_cstr(l, " ");
        put_cstr(l, unit);
    }
}

int display_render(display_t *d, char lines[DISPLAY_LINES][DISPLAY_COLS + 1]) {
    if (d == NULL || lines == NULL)
        return DISPLAY_ERR_BADARG;
    line_t l[DISPLAY_LINES];
    for (unsigned k = 0; k < DISPLAY_LINES; k++) {
        lines[k][0] = 0;
        l[k].s = lines[k];
        l[k].len = 0;
    }
    if (d->mode == DISPLAY_MODE_OFF)
        return 0;
    bool omni = d->cfg.profile.variant == DISPLAY_VARIANT_OMNI;
    line_t *id = omni ? &l[1] : &l[0];
    line_t *val = omni ? &l[0] : &l[1];
    status_line(d, &l[2]);
    if (d->mode == DISPLAY_MODE_POWER_ON) {
        /* seed 000 §3.3.16 1): the legal firmware version */
        put_cstr(id, "FW");
        put_cstr(val, d->cfg.firmware);
        return 0;
    }
    const display_list_t *list = &d->list[d->cur_list];
    if (list->count == 0)
        return 0;
    const display_item_t *it = &list->items[d->index % list->count];
    put_obis(id, it->obis, omni);
    display_value_t v;
    memset(&v, 0, sizeof(v));
    v.unit = COSEM_UNIT_NONE;
    int rc = d->ops.read(d->ops.user, it, &v);
    /* omni: 9 digits + the decimal point, then the unit field */
    size_t width = omni ? 16u : DISPLAY_COLS;
    if (rc != 0) {
        put_right(val, "Err", 3, "", width);
        return DISPLAY_ERR_READ;
    }
    if (v.kind == DISPLAY_VALUE_TEXT) {
        size_t n = v.text_len > sizeof(v.text) ? sizeof(v.text) : v.text_len;
        if (omni && n > 10)
            n = 10;
        put_str(val, v.text, n);
        return 0;
    }
    char num[24];
    const char *unit = "";
    size_t n = fmt_value(d, it, &v, num, &unit);
    size_t digits = 0;
    for (size_t k = 0; k < n; k++)
        digits += num[k] >= '0' && num[k] <= '9';
    size_t ul = strlen(unit);
    if (n == 0 || (omni && digits > 9) || n + (ul > 0 ? ul + 1 : 0) > DISPLAY_COLS) {
        put_right(val, "----", 4, unit, width); /* does not fit the field */
        return 0;
    }
    put_right(val, num, n, unit, width);
    return 0;
}

/* ---- COSEM capture_objects ------------------------------------------------------- */

int display_list_encode(const display_t *d, uint8_t list_id, axdr_enc_t *e) {
    if (d == NULL || e == NULL || list_id >= DISPLAY_LIST_COUNT)
        return DISPLAY_ERR_BADARG;
    const display_list_t *l = &d->list[list_id];
    axdr_put_array(e, l->count);
    for (unsigned i = 0; i < l->count; i++) {
        const display_item_t *it = &l->items[i];
        axdr_put_structure(e, 4);
        axdr_put_uint16(e, it->class_id);
        axdr_put_octet_string(e, it->obis, 6);
        axdr_put_int8(e, it->attr);
        axdr_put_uint16(e, it->data_index);
    }
    return e->err;
}

int display_list_decode(axdr_dec_t *dec, display_item_t *items, size_t cap, size_t *count) {
    if (dec == NULL || count == NULL || (items == NULL && cap > 0))
        return DISPLAY_ERR_BADARG;
    *count = 0;
    uint32_t n;
    if (axdr_get_array(dec, &n) != 0)
        return DLMS_DAR_TYPE_UNMATCHED;
    if (n > cap)
        return DLMS_DAR_OTHER_REASON;
    int bad_value = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t fields;
        const uint8_t *ln;
        size_t ln_len;
        display_item_t it;
        memset(&it, 0, sizeof(it));
        if (axdr_get_structure(dec, &fields) != 0 || fields != 4 ||
            axdr_get_uint16(dec, &it.class_id) != 0 ||
            axdr_get_octet_string(dec, &ln, &ln_len) != 0 || ln_len != 6 ||
            axdr_get_int8(dec, &it.attr) != 0 || axdr_get_uint16(dec, &it.data_index) != 0)
            return DLMS_DAR_TYPE_UNMATCHED;
        memcpy(it.obis, ln, 6);
        it.format = DISPLAY_FMT_AUTO;
        /* Out of range values: keep reading, so a type error later in the
         * array still answers type-unmatched. */
        if (!item_valid(&it))
            bad_value = DLMS_DAR_OTHER_REASON;
        items[i] = it;
    }
    if (bad_value != 0)
        return bad_value;
    *count = n;
    return DLMS_DAR_SUCCESS;
}

int display_list_write(display_t *d, uint8_t list_id, axdr_dec_t *dec) {
    if (d == NULL || dec == NULL || list_id >= DISPLAY_LIST_COUNT)
        return DISPLAY_ERR_BADARG;
    display_item_t items[EM_DISPLAY_MANUAL_MAX];
    size_t n;
    int dar = display_list_decode(dec, items, display_list_capacity(list_id), &n);
    if (dar != 0)
        return dar;
    /* Formats come from configuration: an item already listed keeps its. */
    const display_list_t *old = &d->list[list_id];
    for (size_t i = 0; i < n; i++)
        for (unsigned k = 0; k < old->count; k++)
            if (item_same(&items[i], &old->items[k])) {
                items[i].format = old->items[k].format;
                break;
            }
    int rc = display_list_set(d, list_id, items, n);
    if (rc == DISPLAY_ERR_LEGAL || rc == DISPLAY_ERR_LIST || rc == DISPLAY_ERR_ITEM)
        return DLMS_DAR_OTHER_REASON;
    return rc;
}
