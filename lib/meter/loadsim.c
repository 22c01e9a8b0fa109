/*
 * loadsim.c - deterministic household load simulator (loadsim.h,
 * docs/loadsim.md).
 *
 * Every random quantity is u(stream, bucket) = splitmix64 finaliser of the
 * mixed seed and a (stream, time bucket) pair: appliance starts per local
 * day, clouds per day, load noise per quarter hour, frequency per minute.
 * Nothing is carried from one evaluation to the next, so the result at an
 * instant does not depend on which instants were evaluated before.
 *
 * Double precision: UTC seconds need more than a float's 24 bits, and the
 * annual energy check sums 35040 samples. On a Cortex-M4 this is soft
 * double, tens of microseconds per evaluation, enough for one a second.
 */
#include <math.h>
#include <string.h>

#include "meter/loadsim.h"

#if EM_LOADSIM_HARMONICS < 0 || EM_LOADSIM_HARMONICS > 3 ||                                        \
    EM_LOADSIM_HARMONICS > EM_METROLOGY_PHASOR_HARMONICS
#error "EM_LOADSIM_HARMONICS must be 0..3 and at most EM_METROLOGY_PHASOR_HARMONICS"
#endif

#define PI       3.14159265358979323846
#define RAD2DEG  57.29577951308232
#define DAY_S    INT64_C(86400)
#define YEAR_D   365.2425 /* Gregorian mean year: the seasons do not drift over decades */
#define YEAR_H   (YEAR_D * 24.0)
#define REF_KWH  3500.0 /* household the appliance probabilities are written for */
#define N_APP    ((int)(sizeof(APPLIANCES) / sizeof(APPLIANCES[0])))
#define MAX_SLOT 3

/* Hash streams: one per kind of random decision, so adding a component
 * never shifts the draws of another. Appliance slot streams follow
 * S_APP. */
enum {
    S_NOISE = 1,
    S_DAY,
    S_FRIDGE,
    S_HP,
    S_CLOUD,
    S_CLOUD_NOISE,
    S_V_SLOW,
    S_V_FAST,
    S_V_PHASE, /* + phase */
    S_DIP = S_V_PHASE + 3,
    S_FREQ_FAST,
    S_FREQ_SLOW,
    S_DIP_SHAPE,
    S_APP = 32 /* + 4 * appliance + slot */
};

/* ---- hashing ---------------------------------------------------------- */

/* splitmix64 finaliser (Steele, Lea, Flood 2014): a bijection of 64-bit
 * words with full avalanche, the counter-based generator of this model. */
static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* splitmix64 indexed directly: the key plus a Weyl sequence in the bucket
 * and a second odd constant per stream. Two (stream, bucket) pairs only
 * meet at bucket distances of the order of 2^64 / stream distance, far
 * beyond the +-1e11 s accepted. */
static uint64_t hash(const loadsim_t *ls, uint32_t stream, int64_t bucket) {
    return mix64(ls->key + (uint64_t)bucket * UINT64_C(0x9e3779b97f4a7c15) +
                 (uint64_t)stream * UINT64_C(0xd1b54a32d192ed03));
}

/* Uniform in [0, 1) from the top 53 bits. */
static double unit53(uint64_t h) {
    return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in (0, 1) from 16-bit lane k (0..3) of h: four draws per hash. */
static double lane(uint64_t h, int k) {
    return ((double)((h >> (16 * k)) & 0xFFFFu) + 0.5) * (1.0 / 65536.0);
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* Value noise in [-1, 1]: uniform knots at multiples of period seconds
 * joined by smoothstep, so the curve is continuous whatever the step
 * the caller evaluates it at, with mean 0. */
static double noise(const loadsim_t *ls, uint32_t stream, int64_t t, int64_t period) {
    int64_t b = floor_div(t, period);
    double f = (double)(t - b * period) / (double)period;
    double a = 2.0 * unit53(hash(ls, stream, b)) - 1.0;
    double c = 2.0 * unit53(hash(ls, stream, b + 1)) - 1.0;
    f = f * f * (3.0 - 2.0 * f);
    return a + (c - a) * f;
}

/* ---- calendar --------------------------------------------------------- */

typedef struct when {
    int64_t utc;
    int64_t local; /* UTC + time zone offset */
    int64_t day;   /* local day number, 0 = 1970-01-01 */
    int64_t sod;   /* local second of the day */
    double hour;   /* local (clock) hour, fractional */
    double solar;  /* standard-time hour, fractional: the sun ignores summer time */
    int weekend;   /* 1 on Saturday and Sunday */
    double winter; /* cos of the year: +1 mid-January, -1 mid-July */
    double summer; /* cos of the year: +1 at the June solstice */
} when_t;

/* 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays. */
static int day_is_weekend(int64_t day) {
    int64_t wd = day + 3 - 7 * floor_div(day + 3, 7);
    return wd >= 5;
}

/* Day 14 is 15 January (coldest), day 171 is 21 June (longest day). */
static double winter_of(int64_t day) {
    return cos(2.0 * PI * (double)(day - 14) / YEAR_D);
}

/* Days from 1970-01-01 to a proleptic Gregorian date, counting years from
 * March so that the leap day is the last day of its year (400-year eras
 * of 146097 days; 719468 days from 0000-03-01 to 1970-01-01). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The last Sunday on or before the given day (1970-01-01 was a
 * Thursday, so (day + 3) mod 7 is 6 on Sundays). */
static int64_t sunday_on_or_before(int64_t day) {
    int64_t wd = day + 3 - 7 * floor_div(day + 3, 7);
    return day - (wd + 1) % 7;
}

/* EU summer time: from 01:00 UTC on the last Sunday of March to 01:00 UTC
 * on the last Sunday of October (Directive 2000/84/EC). */
static int eu_summer_time(int64_t utc) {
    int64_t day = floor_div(utc, DAY_S);
    int64_t y = 1970 + floor_div(day * 400, 146097);
    if (days_from_civil(y, 1, 1) > day) {
        y--;
    } else if (days_from_civil(y + 1, 1, 1) <= day) {
        y++;
    }
    int64_t on = sunday_on_or_before(days_from_civil(y, 3, 31)) * DAY_S + 3600;
    int64_t off = sunday_on_or_before(days_from_civil(y, 10, 31)) * DAY_S + 3600;
    return utc >= on && utc < off;
}

static void when_of(const loadsim_t *ls, int64_t utc, when_t *w) {
    w->utc = utc;
    w->local = utc + ls->cfg.tz_offset_s;
    if (ls->cfg.dst == LOADSIM_DST_EU && eu_summer_time(utc)) {
        w->local += 3600; /* people live by the clock */
    }
    w->day = floor_div(w->local, DAY_S);
    w->sod = w->local - w->day * DAY_S;
    w->hour = (double)w->sod / 3600.0;
    int64_t std = utc + ls->cfg.tz_offset_s;
    w->solar = (double)(std - DAY_S * floor_div(std, DAY_S)) / 3600.0;
    w->weekend = day_is_weekend(w->day);
    w->winter = winter_of(w->day);
    w->summer = cos(2.0 * PI * (double)(w->day - 171) / YEAR_D);
}

/* ---- continuous household load ---------------------------------------- */

/* Relative load per local hour (value at the middle of the hour): night
 * minimum, breakfast peak, evening peak; weekends start later and stay
 * higher through the day. Normalised to mean 1 at init. */
static const float DAY_SHAPE[2][24] = {
    {0.55f, 0.50f, 0.45f, 0.45f, 0.45f, 0.50f, 0.80f, 1.30f, 1.20f, 0.85f, 0.75f, 0.80f,
     0.90f, 0.85f, 0.75f, 0.75f, 0.90f, 1.30f, 1.75f, 1.90f, 1.80f, 1.55f, 1.20f, 0.80f},
    {0.65f, 0.55f, 0.50f, 0.45f, 0.45f, 0.45f, 0.50f, 0.70f, 1.00f, 1.30f, 1.30f, 1.25f,
     1.30f, 1.15f, 1.00f, 0.95f, 1.00f, 1.30f, 1.70f, 1.80f, 1.70f, 1.50f, 1.25f, 0.90f},
};

/* Weekday and weekend level: (5 * 0.96 + 2 * 1.10) / 7 = 1. */
static const double WEEK_LEVEL[2] = {0.96, 1.10};

#define SEASON_AMPL  0.18 /* winter +18 %, summer -18 % (lighting, circulation pumps) */
#define NOISE_AMPL   0.15 /* quarter-hour wander */
#define DAY_AMPL     0.10 /* some days busier than others */
#define CONT_Q_RATIO 0.25 /* Q / P of the continuous load, PF 0.97 */

static double day_shape(const loadsim_t *ls, const when_t *w) {
    const float *tab = DAY_SHAPE[w->weekend];
    double x = w->hour - 0.5;
    if (x < 0.0) {
        x += 24.0;
    }
    int i = (int)x;
    double f = x - (double)i;
    int j = (i + 1) % 24;
    return ((double)tab[i] + ((double)tab[j] - (double)tab[i]) * f) * ls->shape_norm[w->weekend];
}

static void add_continuous(const loadsim_t *ls, const when_t *w, double shape,
                           loadsim_sample_t *s) {
    double day_f = 2.0 * unit53(hash(ls, S_DAY, w->day)) - 1.0;
    double p = ls->cont_w * shape * WEEK_LEVEL[w->weekend] * (1.0 + SEASON_AMPL * w->winter) *
               (1.0 + NOISE_AMPL * noise(ls, S_NOISE, w->utc, 900)) * (1.0 + DAY_AMPL * day_f);
    for (int k = 0; k < 3; k++) {
        s->load_w[k] += p * ls->share[k];
        s->load_var[k] += p * ls->share[k] * CONT_Q_RATIO;
    }
}

/* ---- appliances ------------------------------------------------------- */

/* One appliance: a first stage (heating) then an optional second stage
 * (motor, thermostat), started at most once per slot and day inside the
 * slot's window with probability prob (for the REF_KWH household; scaled
 * with the annual consumption), durations +-20 %, on a random phase (or
 * spread over all phases). Windows end before 23:30 and uses last under
 * two hours, so only today and yesterday can be running. */
typedef struct appliance {
    float p1_w, t1_min;
    float p2_w, t2_min;
    float pf;
    float prob;
    float win_h[MAX_SLOT];
    float win_len_h;
    uint8_t slots;
    uint8_t three_phase;
    float weekend_mul; /* weekend probability factor, weekdays compensate */
    float winter_mul;  /* probability * (1 + winter_mul * winter) */
} appliance_t;

static const appliance_t APPLIANCES[] = {
    /* kettle */
    {2000.0f, 3.0f, 0.0f, 0.0f, 1.00f, 0.60f, {6.5f, 12.0f, 16.0f}, 3.0f, 3, 0, 1.0f, 0.2f},
    /* microwave */
    {1000.0f, 4.0f, 0.0f, 0.0f, 0.90f, 0.45f, {7.0f, 12.0f, 18.0f}, 2.5f, 3, 0, 1.0f, 0.0f},
    /* hob, the cooker connected on all phases */
    {1800.0f, 25.0f, 0.0f, 0.0f, 1.00f, 0.50f, {11.5f, 17.5f, 0.0f}, 2.0f, 2, 1, 1.2f, 0.1f},
    /* oven: heat up, then the thermostat holds about half power */
    {2400.0f, 12.0f, 1100.0f, 40.0f, 1.00f, 0.30f, {17.0f, 0.0f, 0.0f}, 2.5f, 1, 0, 1.6f, 0.3f},
    /* washing machine: heat the water, then wash and spin */
    {2100.0f, 18.0f, 250.0f, 70.0f, 0.90f, 0.45f, {8.0f, 0.0f, 0.0f}, 12.0f, 1, 0, 1.5f, 0.0f},
    /* dishwasher after dinner */
    {2000.0f, 20.0f, 120.0f, 80.0f, 0.95f, 0.55f, {19.5f, 0.0f, 0.0f}, 3.0f, 1, 0, 1.0f, 0.0f},
    /* tumble dryer, mostly in winter */
    {2300.0f, 60.0f, 0.0f, 0.0f, 0.95f, 0.20f, {9.0f, 0.0f, 0.0f}, 11.0f, 1, 0, 1.4f, 0.8f},
    /* vacuum cleaner */
    {1400.0f, 25.0f, 0.0f, 0.0f, 0.95f, 0.25f, {9.0f, 0.0f, 0.0f}, 9.0f, 1, 0, 1.8f, 0.0f},
};

/* Fridge-freezer compressor: fixed period, duty a little higher in summer. */
#define FRIDGE_W      90.0
#define FRIDGE_PERIOD 2700
#define FRIDGE_DUTY   0.38
#define FRIDGE_PF     0.75

static double app_prob(const loadsim_t *ls, const appliance_t *a, int weekend, double winter) {
    double wk = weekend ? (double)a->weekend_mul : (7.0 - 2.0 * (double)a->weekend_mul) / 5.0;
    double p = (double)a->prob * ls->app_prob_scale * wk * (1.0 + (double)a->winter_mul * winter);
    return p > 1.0 ? 1.0 : (p < 0.0 ? 0.0 : p);
}

static void add_power(const loadsim_t *ls, loadsim_sample_t *s, int phase, int spread, double p,
                      double pf) {
    double q = p * sqrt(1.0 - pf * pf) / pf;
    if (spread) {
        for (int k = 0; k < 3; k++) {
            if (ls->cfg.phases & (1u << k)) {
                s->load_w[k] += p / ls->n_phases;
                s->load_var[k] += q / ls->n_phases;
            }
        }
    } else {
        s->load_w[phase] += p;
        s->load_var[phase] += q;
    }
}

/* The phase index of the n-th connected phase picked by u in (0, 1). */
static int pick_phase(const loadsim_t *ls, double u) {
    int n = (int)(u * ls->n_phases);
    for (int k = 0; k < 3; k++) {
        if ((ls->cfg.phases & (1u << k)) && n-- == 0) {
            return k;
        }
    }
    return 0;
}

/* The slot of day `day`, if it runs at second sod of that day (which may
 * exceed a day for yesterday's slots). Instants outside the slot's
 * window plus its longest use are skipped before hashing, which keeps
 * the evaluation cheap. */
static void add_slot(const loadsim_t *ls, int a_idx, int slot, int64_t day, int weekend,
                     double winter, double sod, loadsim_sample_t *s) {
    const appliance_t *a = &APPLIANCES[a_idx];
    double t_max = ((double)a->t1_min + (double)a->t2_min) * 60.0 * 1.2;
    double w0 = (double)a->win_h[slot] * 3600.0;
    if (sod < w0 || sod >= w0 + ((double)a->win_len_h + 1.0) * 3600.0 + t_max) {
        return;
    }
    uint64_t h = hash(ls, (uint32_t)(S_APP + 4 * a_idx + slot), day);
    if (lane(h, 0) >= app_prob(ls, a, weekend, winter)) {
        return;
    }
    double start_h = (double)a->win_h[slot] + lane(h, 1) * (double)a->win_len_h;
    if (weekend && a->win_h[slot] < 10.0f) {
        start_h += 1.0; /* weekend mornings start later */
    }
    double scale = 0.8 + 0.4 * lane(h, 2);
    double el = sod - start_h * 3600.0;
    double t1 = (double)a->t1_min * 60.0 * scale, t2 = (double)a->t2_min * 60.0 * scale;
    if (el < 0.0 || el >= t1 + t2) {
        return;
    }
    double p = el < t1 ? (double)a->p1_w : (double)a->p2_w;
    add_power(ls, s, pick_phase(ls, lane(h, 3)), a->three_phase, p, (double)a->pf);
}

static void add_appliances(const loadsim_t *ls, const when_t *w, loadsim_sample_t *s) {
    int64_t first = w->sod < 4 * 3600 ? w->day - 1 : w->day;
    for (int64_t d = first; d <= w->day; d++) {
        int weekend = d == w->day ? w->weekend : day_is_weekend(d);
        double winter = d == w->day ? w->winter : winter_of(d);
        double sod = (double)(w->local - d * DAY_S);
        for (int i = 0; i < N_APP; i++) {
            for (int k = 0; k < APPLIANCES[i].slots; k++) {
                add_slot(ls, i, k, d, weekend, winter, sod, s);
            }
        }
    }
}

static void add_fridge(const loadsim_t *ls, const when_t *w, loadsim_sample_t *s) {
    double duty = FRIDGE_DUTY - 0.05 * w->winter;
    int64_t x = w->utc + ls->fridge_offset_s;
    int64_t pos = x - FRIDGE_PERIOD * floor_div(x, FRIDGE_PERIOD);
    if ((double)pos < duty * FRIDGE_PERIOD) {
        add_power(ls, s, ls->fridge_phase, 0, ls->fridge_w, FRIDGE_PF);
    }
}

/* Heat pump: space heating cycles (30-minute period) whose duty follows
 * the season, a cold or mild day and the night setback the other way
 * round (more at night, when it is colder), plus 40 minutes of hot water
 * from 06:00 every day. */
#define HP_PERIOD 1800
#define HP_PF     0.95

static void add_heat_pump(const loadsim_t *ls, const when_t *w, loadsim_sample_t *s) {
    if (ls->cfg.heat_pump_kw <= 0.0) {
        return;
    }
    uint64_t h = hash(ls, S_HP, w->day);
    double duty = 0.5 * (w->winter + 0.3) / 1.3;
    duty *= (0.75 + 0.5 * lane(h, 0)) * (1.0 + 0.2 * cos(2.0 * PI * (w->hour - 4.0) / 24.0));
    int64_t off = (int64_t)(lane(h, 1) * HP_PERIOD);
    int64_t pos = w->local + off - HP_PERIOD * floor_div(w->local + off, HP_PERIOD);
    int on = (double)pos < duty * HP_PERIOD;
    on |= w->sod >= 6 * 3600 && w->sod < 6 * 3600 + 40 * 60;
    if (on) {
        add_power(ls, s, 0, 1, ls->cfg.heat_pump_kw * 1000.0, HP_PF);
    }
}

/* ---- PV --------------------------------------------------------------- */

/* Latitude-free clear-sky model for central Europe (about 51 N): day
 * length 12 +- 4.3 h, peak 30 % (December) to 100 % (June) of the array
 * rating times the system derating, sin^2 over the day centred on local
 * noon. Clouds per day: clear, broken (10-minute fluctuations) or
 * overcast, with clear days more likely in summer. */
#define PV_DERATE 0.80

static double clouds(const loadsim_t *ls, const when_t *w) {
    double u = unit53(hash(ls, S_CLOUD, w->day));
    double p_clear = 0.30 + 0.20 * w->summer;
    double p_over = 0.30 - 0.15 * w->summer;
    if (u < p_clear) {
        return 1.0;
    }
    if (u >= 1.0 - p_over) {
        return 0.2 + 0.05 * noise(ls, S_CLOUD_NOISE, w->utc, 1800);
    }
    double c = 0.65 + 0.35 * noise(ls, S_CLOUD_NOISE, w->utc, 600);
    return c < 0.1 ? 0.1 : c;
}

static void add_pv(const loadsim_t *ls, const when_t *w, loadsim_sample_t *s) {
    if (ls->cfg.pv_kwp <= 0.0) {
        return;
    }
    double len_h = 12.0 + 4.3 * w->summer;
    double x = (w->solar - (12.0 - 0.5 * len_h)) / len_h;
    if (x <= 0.0 || x >= 1.0) {
        return; /* night */
    }
    double sn = sin(PI * x);
    double p = ls->cfg.pv_kwp * 1000.0 * PV_DERATE * (0.65 + 0.35 * w->summer) * sn * sn *
               clouds(ls, w) / ls->n_pv_phases;
    for (int k = 0; k < 3; k++) {
        if (ls->cfg.pv_phases & (1u << k)) {
            s->pv_w[k] = p;
        }
    }
}

/* ---- supply ----------------------------------------------------------- */

/* Slow drift common to the phases (3-hour and 20-minute knots) and the
 * neighbourhood's evening load pulling the voltage down, relative to Un. */
static double supply_drift(const loadsim_t *ls, const when_t *w, double shape) {
    return ls->cfg.voltage_drift_pct / 100.0 *
               (0.7 * noise(ls, S_V_SLOW, w->utc, 3 * 3600) +
                0.3 * noise(ls, S_V_FAST, w->utc, 1200)) -
           0.006 * (shape - 1.0);
}

/* A small per-phase wander on the common drift, and the drop (or rise,
 * exporting) over the source resistance. Kept within +-9 % so the healthy
 * supply stays inside EN 50160; dips come on top. */
static double supply_voltage(const loadsim_t *ls, const when_t *w, double drift, int k,
                             double net_w) {
    const loadsim_cfg_t *c = &ls->cfg;
    double rel = drift + 0.003 * noise(ls, (uint32_t)(S_V_PHASE + k), w->utc, 600);
    double u = c->un_v * (1.0 + rel) - c->grid_ohm * net_w / c->un_v;
    double lo = 0.91 * c->un_v, hi = 1.09 * c->un_v;
    return u < lo ? lo : (u > hi ? hi : u);
}

/* One dip at most per UTC hour, with probability dips_per_year / hours
 * per year: 1..3 s long, 30..85 % residual, on one phase or all three. */
static void apply_dips(const loadsim_t *ls, const when_t *w, loadsim_sample_t *s) {
    double p = ls->cfg.dips_per_year / YEAR_H;
    int64_t hr = floor_div(w->utc, 3600);
    /* A dip lasts at most 3 s: the previous hour's only reaches 3 s in. */
    int64_t first = w->utc - hr * 3600 < 3 ? hr - 1 : hr;
    for (int64_t b = first; b <= hr; b++) {
        uint64_t h = hash(ls, S_DIP, b);
        if (unit53(h) >= p) {
            continue;
        }
        uint64_t g = hash(ls, S_DIP_SHAPE, b);
        int64_t start = b * 3600 + (int64_t)(lane(g, 0) * 3600.0);
        int64_t dur = 1 + (int64_t)(lane(g, 1) * 3.0);
        if (w->utc < start || w->utc >= start + dur) {
            continue;
        }
        double residual = 0.30 + 0.55 * lane(g, 2);
        int one = lane(g, 3) < 0.5 ? (int)(lane(g, 3) * 6.0) : -1;
        for (int k = 0; k < 3; k++) {
            if (one < 0 || one == k) {
                s->u_v[k] *= residual;
            }
        }
    }
}

static double frequency(const loadsim_t *ls, const when_t *w) {
    return ls->cfg.fn_hz + 0.035 * noise(ls, S_FREQ_FAST, w->utc, 60) +
           0.025 * noise(ls, S_FREQ_SLOW, w->utc, 900);
}

/* ---- API -------------------------------------------------------------- */

void loadsim_cfg_default(loadsim_cfg_t *cfg) {
    if (cfg == NULL) {
        return;
    }
    memset(cfg, 0, sizeof(*cfg));
    cfg->seed = 1u;
    cfg->annual_kwh = EM_LOADSIM_ANNUAL_KWH;
    cfg->phases = 0x7u;
    cfg->pv_phases = 0x7u;
    cfg->phase_share[0] = 0.40;
    cfg->phase_share[1] = 0.35;
    cfg->phase_share[2] = 0.25;
    cfg->un_v = (double)EM_METER_UN_V;
    cfg->fn_hz = (double)EM_METER_FN_HZ;
    cfg->imax_a = (double)EM_METER_IMAX_A;
    cfg->tz_offset_s = 3600;
    cfg->dst = LOADSIM_DST_EU;
    cfg->voltage_drift_pct = EM_LOADSIM_DRIFT_PCT;
    cfg->grid_ohm = (double)EM_LOADSIM_GRID_MOHM / 1000.0;
}

static int in_range(double x, double lo, double hi) {
    return x >= lo && x <= hi; /* false for NaN */
}

static int cfg_valid(const loadsim_cfg_t *c) {
    return in_range(c->annual_kwh, 100.0, 100000.0) && in_range(c->pv_kwp, 0.0, 100.0) &&
           in_range(c->heat_pump_kw, 0.0, 50.0) && c->phases >= 1u && c->phases <= 7u &&
           (c->pv_phases & ~c->phases) == 0u && (c->pv_kwp == 0.0 || c->pv_phases != 0u) &&
           in_range(c->phase_share[0], 0.0, 1000.0) && in_range(c->phase_share[1], 0.0, 1000.0) &&
           in_range(c->phase_share[2], 0.0, 1000.0) && in_range(c->un_v, 50.0, 480.0) &&
           in_range(c->fn_hz, 45.0, 65.0) && in_range(c->imax_a, 1.0, 1000.0) &&
           c->tz_offset_s >= -14 * 3600 && c->tz_offset_s <= 14 * 3600 &&
           c->dst <= LOADSIM_DST_EU && in_range(c->voltage_drift_pct, 0.0, 5.0) &&
           in_range(c->grid_ohm, 0.0, 2.0) && in_range(c->dips_per_year, 0.0, YEAR_H);
}

static int popcount3(uint8_t m) {
    return (m & 1u) + ((m >> 1) & 1u) + ((m >> 2) & 1u);
}

/* Expected power of the appliances and the fridge: the probabilities
 * averaged over the week and over 24 points of the year (exact for the
 * cosine season), times the energy of one use. */
static double appliance_mean_w(const loadsim_t *ls) {
    double w = 0.0;
    for (int i = 0; i < N_APP; i++) {
        const appliance_t *a = &APPLIANCES[i];
        double e_wh = ((double)a->p1_w * a->t1_min + (double)a->p2_w * a->t2_min) / 60.0;
        double uses = 0.0;
        for (int m = 0; m < 24; m++) {
            double winter = cos(2.0 * PI * m / 24.0);
            uses += 5.0 * app_prob(ls, a, 0, winter) + 2.0 * app_prob(ls, a, 1, winter);
        }
        w += e_wh * a->slots * uses / (7.0 * 24.0) / 24.0; /* Wh per day -> W */
    }
    return w + ls->fridge_w * FRIDGE_DUTY;
}

int loadsim_init(loadsim_t *ls, const loadsim_cfg_t *cfg) {
    loadsim_t t;
    double sum = 0.0;

    if (ls == NULL || cfg == NULL) {
        return LOADSIM_ERR_BADARG;
    }
    if (!cfg_valid(cfg)) {
        return LOADSIM_ERR_CONFIG;
    }
    memset(&t, 0, sizeof(t));
    t.cfg = *cfg;
    t.key = mix64(cfg->seed + UINT64_C(0x9e3779b97f4a7c15));
    t.n_phases = (uint8_t)popcount3(cfg->phases);
    t.n_pv_phases = (uint8_t)popcount3(cfg->pv_phases);
    for (int k = 0; k < 3; k++) {
        sum += (cfg->phases & (1u << k)) ? cfg->phase_share[k] : 0.0;
    }
    if (!(sum > 0.0)) {
        return LOADSIM_ERR_CONFIG;
    }
    for (int k = 0; k < 3; k++) {
        t.share[k] = (cfg->phases & (1u << k)) ? cfg->phase_share[k] / sum : 0.0;
    }
    for (int d = 0; d < 2; d++) {
        double m = 0.0;
        for (int h = 0; h < 24; h++) {
            m += (double)DAY_SHAPE[d][h];
        }
        t.shape_norm[d] = 24.0 / m; /* linear interpolation keeps the mean */
    }
    double k = cfg->annual_kwh / REF_KWH;
    t.app_prob_scale = k;
    t.fridge_w = FRIDGE_W * (k < 1.0 ? k : 1.0);
    uint64_t h = hash(&t, S_FRIDGE, 0);
    t.fridge_offset_s = (int32_t)(lane(h, 0) * FRIDGE_PERIOD);
    t.fridge_phase = (uint8_t)pick_phase(&t, lane(h, 1));
    t.app_mean_w = appliance_mean_w(&t);
    double total_w = cfg->annual_kwh * 1000.0 / YEAR_H;
    t.cont_w = total_w - t.app_mean_w;
    if (t.cont_w < 0.25 * total_w) {
        t.cont_w = 0.25 * total_w; /* never: appliances scale with the household */
    }
    *ls = t;
    return 0;
}

int loadsim_sample(const loadsim_t *ls, int64_t utc, loadsim_sample_t *out) {
    when_t w;

    if (ls == NULL || out == NULL) {
        return LOADSIM_ERR_BADARG;
    }
    if (utc > LOADSIM_UTC_LIMIT || utc < -LOADSIM_UTC_LIMIT) {
        return LOADSIM_ERR_TIME;
    }
    memset(out, 0, sizeof(*out));
    when_of(ls, utc, &w);
    double shape = day_shape(ls, &w);
    add_continuous(ls, &w, shape, out);
    add_appliances(ls, &w, out);
    add_fridge(ls, &w, out);
    add_heat_pump(ls, &w, out);
    add_pv(ls, &w, out);
    double drift = supply_drift(ls, &w, shape);
    for (int k = 0; k < 3; k++) {
        out->net_w[k] = out->load_w[k] - out->pv_w[k];
        out->u_v[k] = supply_voltage(ls, &w, drift, k, out->net_w[k]);
    }
    if (ls->cfg.dips_per_year > 0.0) {
        apply_dips(ls, &w, out);
    }
    out->freq_hz = frequency(ls, &w);
    return 0;
}

/* Current harmonics of household electronics, in % of the load current
 * (not of the net current: PV export does not cancel them), and the
 * background voltage distortion of an LV network, in % of Un. i_deg
 * beyond 90 degrees: the load is the harmonic source, so harmonic power
 * flows back to the network. */
static const struct {
    uint8_t order;
    float u_pct, i_pct, i_deg;
} HARMONICS[3] = {{3, 0.6f, 5.0f, 150.0f}, {5, 1.8f, 3.0f, -160.0f}, {7, 0.8f, 1.5f, 170.0f}};

static void phase_phasor(const loadsim_t *ls, const loadsim_sample_t *s, int k,
                         metrology_phasor_phase_t *ph) {
    static const double U_DEG[3] = {0.0, -120.0, 120.0};
    double u = s->u_v[k], p = s->net_w[k], q = s->load_var[k];
    double i1 = u > 1.0 ? sqrt(p * p + q * q) / u : 0.0;
    double il = u > 1.0 ? sqrt(s->load_w[k] * s->load_w[k] + q * q) / u : 0.0;
    double ih2 = 0.0;

    for (int j = 0; j < EM_LOADSIM_HARMONICS; j++) {
        double r = il * (double)HARMONICS[j].i_pct / 100.0;
        ih2 += r * r;
    }
    double itot = sqrt(i1 * i1 + ih2);
    double lim = itot > ls->cfg.imax_a ? ls->cfg.imax_a / itot : 1.0; /* the meter's Imax */
    ph->u_rms = u;
    ph->u_deg = U_DEG[k];
    ph->i_rms = i1 * lim;
    ph->phi_deg = i1 > 0.0 ? atan2(q, p) * RAD2DEG : 0.0;
    ph->n_harm = EM_LOADSIM_HARMONICS;
    for (int j = 0; j < EM_LOADSIM_HARMONICS; j++) {
        metrology_phasor_harmonic_t *h = &ph->harm[j];
        h->order = HARMONICS[j].order;
        h->u_rms = (float)(u * (double)HARMONICS[j].u_pct / 100.0);
        h->u_deg = 0.0f;
        h->i_rms = (float)(il * (double)HARMONICS[j].i_pct / 100.0 * lim);
        h->i_deg = HARMONICS[j].i_deg;
    }
}

int loadsim_eval(const loadsim_t *ls, int64_t utc, metrology_phasor_input_t *out) {
    loadsim_sample_t s;
    int rc;

    if (out == NULL) {
        return LOADSIM_ERR_BADARG;
    }
    rc = loadsim_sample(ls, utc, &s);
    if (rc != 0) {
        return rc;
    }
    memset(out, 0, sizeof(*out));
    out->freq_hz = s.freq_hz;
    for (int k = 0; k < 3; k++) {
        phase_phasor(ls, &s, k, &out->ph[k]);
    }
    return 0;
}

const char *loadsim_strerror(int err) {
    switch (err) {
    case 0:
        return "success";
    case LOADSIM_ERR_BADARG:
        return "invalid argument";
    case LOADSIM_ERR_CONFIG:
        return "load simulator configuration value out of range";
    case LOADSIM_ERR_TIME:
        return "instant outside the simulated time range";
    default:
        return "unknown load simulator error";
    }
}
