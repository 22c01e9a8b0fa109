/*
 * runtime.c - the virtual meter process (see runtime.h).
 *
 * Start: configuration (file over defaults, options over file), state
 * directory (keys and invocation counters that a head-end changed win over
 * the file), the meter (lib/meter) resumed from its flash image
 * (STATE_DIR/flash.img, lib/meter/persist), the DLMS server configuration,
 * the listeners. Then the epoll loop until SIGTERM or SIGINT, which the
 * meter treats as a power failure with hold-up time: it logs power down,
 * commits, saves and exits 0. A SIGKILL is a crash: nothing is saved then,
 * and nothing needs to be: in real time every second's tick is committed
 * to flash before the loop serves the next request, every head-end change
 * right after it is made, and every reservation of invocation counters was
 * made durable before the first counter of it went on the wire. The next
 * start logs the outage (power down at the last commit, power up now).
 *
 * The meter measures the household of the load simulator (lib/meter/
 * loadsim, seed from --seed or the "load" section) in steps of at most a
 * minute of simulated time, which runs --speed times faster than real
 * time (the port's RTC model, port/posix/clock_posix.c). At a speed above
 * 1 the periodic commit follows real time (once per commit period of
 * real time, not of simulated time: the flash would otherwise be written
 * up to 100000 times faster), so a crash may lose up to speed x period
 * seconds of simulated energy; a clean stop loses nothing.
 *
 * Ports besides the DLMS listeners: the optical port (optical.c), the P1
 * port (p1port.c, a telegram after each round that reached a new second)
 * and the operator control API (control.c). The operator's inputs
 * (runtime.h, "Operator inputs") go through the meter's own paths: an
 * outage is the power-fail interrupt, time without metering and a power
 * up; voltage, sag/swell and current overrides change the phasor input of
 * each step (apply_inputs), with 1 s steps through a pulse (pulse_cut).
 */
#include "runtime.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dlms/server.h"
#include "control_devices.h" /* devices (w2) */
#include "image.h"           /* devices (w2) */
#include "meter/loadsim.h"
#include "meter/meter.h"
#include "meter/persist.h"
#include "net.h"
#include "control.h" /* operator control API */
#include "optical.h" /* optical port */
#include "push.h"    /* push (h7) */
#include "p1port.h"  /* P1 consumer port */
/* modem and module I/O (w4) */
#include "modem_host.h"
#include "port_posix.h"
#include "state.h"
#include "breaker_api.h"

/* A sag or swell from the control API: the voltage of `phase` (0: all)
 * times `factor` over simulated [from, until). */
typedef struct pulse {
    bool active;
    bool swell;
    uint8_t phase;
    double pct, factor;
    int64_t from, until;
} pulse_t;

struct runtime {
    const char *state_dir;
    emeter_config_t cfg;
    emeter_state_t st;
    em_port_t port;
    em_port_posix_t port_state;
    meter_t meter;
    meter_persist_t persist;
    char flash_path[4200];
    dlms_server_config_t server_cfg;
    net_t net;
    loadsim_t load;          /* the household the meter measures */
    uint32_t speed;          /* simulated time / real time, 1..EMETER_SPEED_MAX */
    int64_t meter_utc;       /* simulated UTC the meter has run up to */
    uint64_t last_commit_ms; /* monotonic ms of the last periodic commit */
    int behind_reported;
    emeter_push_t push; /* push (h7) */
    /* operator inputs (apps/emeter/control.c): NAN = simulated */
    double ov_voltage[3], ov_current[3], ov_angle[3];
    pulse_t pulse;
    bool mains_off;       /* an outage: the meter is powered down */
    int64_t outage_until; /* simulated UTC the mains come back */
    p1port_t *p1;
    control_t *control;
    /* modem and module I/O (w4) */
    emeter_modem_t modem;
};

/* Steps of at most a minute of simulated time, on whole minutes: the
 * load simulator's samples then give daily energy within 0.6 % of a
 * 1-second run (docs/loadsim.md section 5) and every profile boundary is
 * the end of a step (exact capture times). */
#define STEP_MAX_S 60
/* Work per round of the event loop before it serves requests again. */
#define ROUND_BUDGET_MS 20u
/* The meter never runs more than this behind its clock: after a host
 * suspend (or a speed the host cannot keep up with) the excess is skipped,
 * as a meter without supply measures nothing. */
#define LAG_MAX_S (2 * 86400)
/* Wake-up period of the loop in accelerated time (ms, at least). */
#define SPEED_WAKE_MIN_MS 10u

/* The flash image: 4 KiB sectors (a SPI NOR's erase block) and a 4-byte
 * program unit; the sector count comes from the meter's layout. */
#define FLASH_FILE         "flash.img"
#define FLASH_PROGRAM_UNIT 4u

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static void state_from_meter(runtime_t *rt) {
    const dlms_security_context_t *s = &rt->meter.sec_mgmt;
    memcpy(rt->st.guek, s->keys.guek, 16);
    memcpy(rt->st.gbek, s->keys.gbek, 16);
    memcpy(rt->st.ak, s->keys.ak, 16);
    memcpy(rt->st.kek, s->keys.kek, 16);
    rt->st.rx_ic_last = s->rx_ic_last;
    rt->st.rx_ic_valid = s->rx_ic_valid;
    rt->st.security_policy = s->security_policy;
    const dlms_assoc_config_t *lls = &rt->meter.assoc[METER_ASSOC_LLS];
    rt->st.lls_secret_len = rt->meter.assoc_count > METER_ASSOC_LLS ? lls->lls_secret_len : 0;
    memcpy(rt->st.lls_secret, lls->lls_secret, rt->st.lls_secret_len);
}

static int save_state(runtime_t *rt) {
    char err[256];
    state_from_meter(rt);
    if (emeter_state_save(rt->state_dir, &rt->st, err, sizeof(err)) != 0) {
        fprintf(stderr, "emeter: %s\n", err);
        return -1;
    }
    return 0;
}

/* dlms_server_config_t.reserve_ic: durable before any counter of the new
 * block is used. */
static int reserve_ic(void *user, dlms_security_context_t *sec, uint32_t new_bound) {
    runtime_t *rt = user;
    (void)sec;
    uint32_t old = rt->st.tx_ic_reserved;
    rt->st.tx_ic_reserved = new_bound;
    if (save_state(rt) != 0) {
        rt->st.tx_ic_reserved = old;
        return -1;
    }
    return 0;
}

static int64_t rtc_now(const runtime_t *rt) {
    return rt->port.rtc_get != NULL ? rt->port.rtc_get(rt->port.user) : 0;
}

/* Durable before the loop serves anything else: what a client can read
 * never goes back after a crash. */
static void commit(runtime_t *rt, int64_t utc) {
    int rc = meter_persist_commit(&rt->persist, utc);
    if (rc != 0) {
        static int reported;
        if (!reported++)
            fprintf(stderr, "emeter: flash commit: %s\n", meter_persist_strerror(rc));
    }
}

/* The meter's notify hook, then a commit: a setting a head-end changed
 * (profile configuration, thresholds, alarm filter, a log reset) is in
 * flash before the response goes out. */
static void on_notify(void *app, const cosem_object_t *obj, uint8_t kind, int8_t id) {
    meter_t *m = app;
    meter_on_notify(app, obj, kind, id);
    runtime_t *rt = m->hook_user;
    commit(rt, rtc_now(rt));
}

static void on_auth_failure(void *user, uint16_t client_sap, int reason) {
    runtime_t *rt = user;
    /* devices (w2): management client -> lockout (event 46 once per lock),
     * others -> event 46 at once */
    meter_login_failed(&rt->meter, client_sap, rtc_now(rt));
    commit(rt, rtc_now(rt));
    fprintf(stderr, "emeter: failed login from client %u (%s)\n", client_sap,
            reason == DLMS_SERVER_AUTH_LLS   ? "wrong LLS password"
            : reason == DLMS_SERVER_AUTH_HLS ? "HLS-5 reply did not verify"
                                             : "ciphered request failed authentication");
}

/* devices (w2): the management association is refused while locked. */
static bool assoc_allowed(void *user, uint8_t assoc_index, uint16_t client_sap) {
    runtime_t *rt = user;
    (void)client_sap;
    return meter_login_allowed(&rt->meter, assoc_index, rtc_now(rt));
}

static void on_association(void *user, const dlms_assoc_view_t *v, int event) {
    runtime_t *rt = user;
    if (event == DLMS_SERVER_EVENT_ASSOCIATED) /* devices (w2): failures forgotten */
        meter_login_ok(&rt->meter, v->assoc_index, rtc_now(rt));
    static const char *const names[] = {"",          "associated", "released",
                                        "timed out", "closed",     "replaced"};
    fprintf(stderr, "emeter: client %u %s\n", v->client_sap,
            event > 0 && event <= 5 ? names[event] : "?");
    /* The end of a session: its communication session log entry. */
    if (event >= 2 && event <= 5 && meter_session_end(&rt->meter, v->assoc_index, rtc_now(rt)) == 0)
        commit(rt, rtc_now(rt));
}

/* The load of the step from meter_utc to end, sampled at its middle
 * (docs/loadsim.md section 5). */
/* The operator's inputs over the simulated grid and household at `mid`:
 * voltage and current overrides (harmonics scaled with the fundamental, so
 * THD stays), then a sag or swell pulse that covers the instant. */
static void apply_inputs(const runtime_t *rt, int64_t mid, metrology_phasor_input_t *in) {
    const pulse_t *pu = &rt->pulse;
    for (unsigned k = 0; k < METROLOGY_PHASES; k++) {
        metrology_phasor_phase_t *ph = &in->ph[k];
        double u = isnan(rt->ov_voltage[k]) ? ph->u_rms : rt->ov_voltage[k];
        if (pu->active && mid >= pu->from && mid < pu->until &&
            (pu->phase == 0 || pu->phase == k + 1))
            u *= pu->factor;
        double ku = ph->u_rms > 0 ? u / ph->u_rms : 0.0;
        double ki = 1.0;
        if (!isnan(rt->ov_current[k])) {
            ki = ph->i_rms > 0 ? rt->ov_current[k] / ph->i_rms : 0.0;
            ph->i_rms = rt->ov_current[k];
        }
        for (unsigned j = 0; j < ph->n_harm; j++) {
            ph->harm[j].u_rms = (float)(ph->harm[j].u_rms * ku);
            ph->harm[j].i_rms = (float)(ph->harm[j].i_rms * ki);
        }
        ph->u_rms = u;
        if (!isnan(rt->ov_angle[k]))
            ph->phi_deg = rt->ov_angle[k];
    }
}

static void set_step_load(runtime_t *rt, int64_t end) {
    metrology_phasor_input_t in;
    int64_t mid = rt->meter_utc + (end - rt->meter_utc) / 2;
    int rc = loadsim_eval(&rt->load, mid, &in);
    if (rc == 0)
        apply_inputs(rt, mid, &in);
    if (rc == 0)
        rc = meter_set_load(&rt->meter, &in);
    if (rc != 0) {
        static int reported;
        if (!reported++)
            fprintf(stderr, "emeter: load: %s\n",
                    rc == LOADSIM_ERR_TIME ? loadsim_strerror(rc) : meter_strerror(rc));
    }
}

static void step_to(runtime_t *rt, int64_t end) {
    set_step_load(rt, end);
    uint32_t seconds = (uint32_t)(end - rt->meter_utc);
    int rc = seconds == 1 ? meter_tick(&rt->meter, end) : meter_step(&rt->meter, end, seconds);
    if (rc != 0) {
        static int reported;
        if (!reported++)
            fprintf(stderr, "emeter: meter tick: %s\n", meter_strerror(rc));
    }
    rt->meter_utc = end;
}

/* The periodic commit: in real time every step (meter_persist_tick, 1 s on
 * the host: what a client reads is durable); in accelerated time once per
 * commit period of real time (flash wear). */
static void periodic_commit(runtime_t *rt) {
    uint64_t now_ms = rt->port.monotonic_ms(rt->port.user);
    int rc;
    if (rt->speed <= 1) {
        rc = meter_persist_tick(&rt->persist, rt->meter_utc);
    } else {
        if (now_ms - rt->last_commit_ms < EM_METER_PERSIST_COMMIT_PERIOD_S * 1000u)
            return;
        rc = meter_persist_commit(&rt->persist, rt->meter_utc);
    }
    rt->last_commit_ms = now_ms;
    if (rc != 0) {
        static int reported;
        if (!reported++)
            fprintf(stderr, "emeter: flash commit: %s\n", meter_persist_strerror(rc));
    }
}

/* Where the meter should start: a clock set over DLMS moves the time
 * stamps, not the energy (the meter's position moves with the clock); a
 * host clock that went back, or a lag beyond LAG_MAX_S, is skipped. */
static void catch_up_from(runtime_t *rt, int64_t target) {
    int64_t shift = rt->port_state.rtc_set_shift_s;
    rt->meter_utc += shift;
    rt->port_state.rtc_set_shift_s = 0;
    /* The operator's outage and pulse are spans of the meter's time: they
     * move with it. */
    rt->outage_until += shift;
    rt->pulse.from += shift;
    rt->pulse.until += shift;
    if (rt->meter_utc > target)
        rt->meter_utc = target;
    if (target - rt->meter_utc > LAG_MAX_S) {
        if (!rt->behind_reported++ && rt->speed > 1)
            fprintf(stderr,
                    "emeter: the meter fell behind its clock (--speed %u is too fast for "
                    "this host): skipping\n",
                    rt->speed);
        rt->meter_utc = target - LAG_MAX_S;
    }
}

/* Where a step must end for a pulse: at its start, then in 1 s steps
 * through it and the second after it, so power quality (one Urms(1/2)
 * notification per phasor step) sees its start and end to the second. */
static int64_t pulse_cut(runtime_t *rt, int64_t end) {
    pulse_t *pu = &rt->pulse;
    if (!pu->active)
        return end;
    if (rt->meter_utc < pu->from)
        return end < pu->from ? end : pu->from;
    if (rt->meter_utc <= pu->until)
        return rt->meter_utc + 1;
    pu->active = false; /* over, and its end was seen */
    return end;
}

/* The mains are back after an outage (control API): power up as after a
 * power-down save (event 2, AMR power-down bits, commit). */
static void power_up(runtime_t *rt) {
    rt->mains_off = false;
    rt->persist.clean_power_down = true; /* event 1 was logged at the cut */
    int rc = meter_persist_power_up(&rt->persist, rt->meter_utc);
    if (rc != 0)
        fprintf(stderr, "emeter: power up: %s\n", meter_persist_strerror(rc));
    net_set_powered_off(&rt->net, 0);
    printf("emeter: mains back, power up\n");
    fflush(stdout);
}

/* Run the meter up to its clock (the port RTC, simulated time) in steps
 * of at most STEP_MAX_S ending on whole minutes, then commit. A round
 * stops after ROUND_BUDGET_MS of work (unless `all`) and asks the loop to
 * come back at once, so requests are served at any speed. */
static void run_meter(runtime_t *rt, int all) {
    int64_t target = rtc_now(rt);
    catch_up_from(rt, target);
    uint64_t t0 = rt->port.monotonic_ms(rt->port.user), now_ms = t0;
    int stepped = 0;
    while (rt->meter_utc < target && (all || now_ms - t0 < ROUND_BUDGET_MS)) {
        if (rt->mains_off) {
            /* No supply: nothing is metered until the mains come back. */
            if (target < rt->outage_until) {
                rt->meter_utc = target;
                break;
            }
            if (rt->meter_utc < rt->outage_until) /* (not when a lag was skipped) */
                rt->meter_utc = rt->outage_until;
            power_up(rt);
            continue;
        }
        int64_t end = (rt->meter_utc / STEP_MAX_S + 1) * STEP_MAX_S;
        end = pulse_cut(rt, end);
        step_to(rt, end < target ? end : target);
        stepped = 1;
        now_ms = rt->port.monotonic_ms(rt->port.user);
    }
    if (stepped)
        periodic_commit(rt);
    /* In accelerated time the loop wakes for each simulated second (at most
     * every SPEED_WAKE_MIN_MS), not once a second of real time. */
    uint32_t period_ms = rt->speed > 1 ? 1000u / rt->speed : 1000u;
    if (period_ms < SPEED_WAKE_MIN_MS)
        period_ms = SPEED_WAKE_MIN_MS;
    if (rt->meter_utc < target)
        net_wake_at(&rt->net, now_ms);
    else if (rt->speed > 1)
        net_wake_at(&rt->net, now_ms + period_ms);
}

/* Idle: run the meter, and reserve the next block of invocation counters
 * before it is needed, so the state file's fsync is not paid inside a
 * request. */
static void on_idle(void *user) {
    runtime_t *rt = user;
    run_meter(rt, 0);
    emeter_push_tick(&rt->push); /* push (h7) */
    if (rt->p1 != NULL)
        p1port_tick(rt->p1);
    /* modem and module I/O (w4) */
    emeter_modem_tick(&rt->modem);
    int rc = dlms_server_ic_top_up(&rt->server_cfg, &rt->meter.sec_mgmt);
    if (rc != 0) {
        static int reported;
        if (!reported++)
            fprintf(stderr, "emeter: cannot reserve invocation counters: %s\n",
                    dlms_server_strerror(rc));
    }
}

/* push (h7): alarm bits that pass alarm filter 1 start the alarm push. */
static void on_persist(void *user, meter_t *m, const cosem_object_t *obj) {
    (void)m;
    (void)obj;
    save_state(user);
}

static int load_config(runtime_t *rt, const emeter_options_t *opt) {
    char err[512];
    emeter_config_defaults(&rt->cfg);
    if (opt->config_path && emeter_config_load(&rt->cfg, opt->config_path, err, sizeof(err))) {
        fprintf(stderr, "emeter: %s\n", err);
        return -1;
    }
    if (opt->variant) {
        if (strcmp(opt->variant, "esmr") != 0 && strcmp(opt->variant, "omni") != 0) {
            fprintf(stderr, "emeter: --variant: expected esmr or omni, got \"%s\"\n", opt->variant);
            return -1;
        }
        snprintf(rt->cfg.variant, sizeof(rt->cfg.variant), "%s", opt->variant);
    }
    if (opt->seed_set)
        rt->cfg.load_seed = opt->seed;
    if (opt->p1_count > 0) {
        for (size_t i = 0; i < opt->p1_count; i++) {
            if (p1port_check_output(opt->p1[i], err, sizeof(err)) != 0) {
                fprintf(stderr, "emeter: --p1: %s\n", err);
                return -1;
            }
            snprintf(rt->cfg.p1[i], sizeof(rt->cfg.p1[i]), "%s", opt->p1[i]);
        }
        rt->cfg.p1_count = opt->p1_count;
    }
    if (opt->control != NULL && strcmp(opt->control, "off") != 0) {
        cfg_listen_t l;
        if (emeter_config_parse_listen(opt->control, &l) != 0) {
            fprintf(stderr, "emeter: --control: expected HOST:PORT or off, got \"%s\"\n",
                    opt->control);
            return -1;
        }
    }
    if (opt->listen_count > 0) {
        for (size_t i = 0; i < opt->listen_count; i++)
            if (emeter_config_parse_listen(opt->listen[i], &rt->cfg.listen[i])) {
                fprintf(stderr, "emeter: --listen: expected HOST:PORT, got \"%s\"\n",
                        opt->listen[i]);
                return -1;
            }
        rt->cfg.listen_count = opt->listen_count;
    }
    if (opt->fleet_index >= 0 && emeter_config_fleet_member(&rt->cfg, (unsigned)opt->fleet_index)) {
        fprintf(stderr, "emeter: --count: meter %d: serial number or port out of range\n",
                opt->fleet_index + 1);
        return -1;
    }
    return 0;
}

/* The household: the "load" section (seed from --seed), the rest of the
 * loadsim defaults; its local time is the meter's standard time zone. */
static int init_load(runtime_t *rt) {
    loadsim_cfg_t lc;
    loadsim_cfg_default(&lc);
    lc.seed = rt->cfg.load_seed;
    lc.annual_kwh = rt->cfg.load_annual_kwh;
    lc.pv_kwp = rt->cfg.load_pv_kwp;
    lc.heat_pump_kw = rt->cfg.load_heat_pump ? CFG_HEAT_PUMP_KW : 0.0;
    lc.tz_offset_s = -(int32_t)rt->cfg.time_zone_min * 60;
    int rc = loadsim_init(&rt->load, &lc);
    if (rc != 0) {
        fprintf(stderr, "emeter: load: %s\n", loadsim_strerror(rc));
        return -1;
    }
    return 0;
}

/* Keys and counters: the state directory wins over the file. */
static int load_security(runtime_t *rt) {
    char err[512];
    dlms_security_context_t *s = &rt->meter.sec_mgmt;
    int rc = emeter_state_load(rt->state_dir, &rt->st, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "emeter: %s\n", err);
        return -1;
    }
    if (rc == 0) {
        memcpy(s->keys.guek, rt->cfg.guek, 16);
        memcpy(s->keys.gbek, rt->cfg.gbek, 16);
        memcpy(s->keys.ak, rt->cfg.ak, 16);
        memcpy(s->keys.kek, rt->cfg.kek, 16);
        /* Counters start at 1: strict clients (dlms-cosem) refuse a first
         * counter of 0 because they start their replay bound at 0. */
        s->tx_ic = 1;
        s->tx_ic_reserved = 1;
        rt->st.tx_ic_reserved = 1;
        return save_state(rt);
    }
    memcpy(s->keys.guek, rt->st.guek, 16);
    memcpy(s->keys.gbek, rt->st.gbek, 16);
    memcpy(s->keys.ak, rt->st.ak, 16);
    memcpy(s->keys.kek, rt->st.kek, 16);
    s->rx_ic_last = rt->st.rx_ic_last;
    s->rx_ic_valid = rt->st.rx_ic_valid;
    if (rt->st.security_policy != 0)
        s->security_policy = rt->st.security_policy;
    if (rt->meter.assoc_count > METER_ASSOC_LLS && rt->st.lls_secret_len > 0) {
        dlms_assoc_config_t *lls = &rt->meter.assoc[METER_ASSOC_LLS];
        memcpy(lls->lls_secret, rt->st.lls_secret, rt->st.lls_secret_len);
        lls->lls_secret_len = rt->st.lls_secret_len;
    }
    /* Counters below the last reservation may have been used before a
     * crash: continue from the reservation, never below it. */
    s->tx_ic = rt->st.tx_ic_reserved;
    s->tx_ic_reserved = rt->st.tx_ic_reserved;
    return 0;
}

/* The meter's state from STATE_DIR/flash.img (created on the first start). */
/* The configuration's factory settings, before the flash is mounted: what
 * a head-end later changes over DLMS is stored there and replaces them
 * at the mount (the stored value wins; docs/emeter.md "Precedence"). */
static int apply_factory_settings(runtime_t *rt) {
    const emeter_config_t *c = &rt->cfg;
    pq_cfg_t *pq = &rt->meter.pq.cfg;
    if (c->pq_sag_v > 0)
        pq->sag_v = (float)c->pq_sag_v;
    if (c->pq_swell_v > 0)
        pq->swell_v = (float)c->pq_swell_v;
    if (c->pq_sag_s > 0)
        pq->sag_time_ms = c->pq_sag_s * 1000u;
    if (c->pq_swell_s > 0)
        pq->swell_time_ms = c->pq_swell_s * 1000u;
    lockout_cfg_t lc = rt->meter.devices.lockout.cfg;
    if (c->lockout_failures > 0)
        lc.max_failures = (uint8_t)c->lockout_failures;
    if (c->lockout_window_s > 0)
        lc.window_s = c->lockout_window_s;
    if (c->lockout_s > 0)
        lc.lockout_s = c->lockout_s;
    tamper_cfg_t tc = rt->meter.devices.tamper.cfg;
    if (c->tamper_threshold_s >= 0)
        for (unsigned k = 0; k < TAMPER_SOURCE_COUNT; k++)
            tc.threshold_s[k] = (uint32_t)c->tamper_threshold_s;
    if (c->tamper_magnet_mt > 0)
        tc.magnet_mt = (uint16_t)c->tamper_magnet_mt;
    int drc = meter_devices_configure(&rt->meter, &lc, &tc);
    if (drc != 0) {
        fprintf(stderr, "emeter: lockout/tamper: %s\n", meter_strerror(drc));
        return -1;
    }
    if (c->tariff_weekday_n == 0)
        return 0;
    meter_switch_t wd[CFG_MAX_SWITCHES], we[CFG_MAX_SWITCHES];
    for (size_t i = 0; i < c->tariff_weekday_n; i++)
        wd[i] = (meter_switch_t){c->tariff_weekday[i].hour, c->tariff_weekday[i].minute,
                                 c->tariff_weekday[i].tariff};
    for (size_t i = 0; i < c->tariff_weekend_n; i++)
        we[i] = (meter_switch_t){c->tariff_weekend[i].hour, c->tariff_weekend[i].minute,
                                 c->tariff_weekend[i].tariff};
    int rc = meter_calendar_weekly(&rt->meter.calendar.active, rt->meter.tariffs, wd,
                                   c->tariff_weekday_n, we, c->tariff_weekend_n);
    if (rc != 0) {
        fprintf(stderr, "emeter: tariffs: %s (the %s meter has %u tariffs)\n", meter_strerror(rc),
                c->variant, rt->meter.tariffs);
        return -1;
    }
    return 0;
}

static int mount_flash(runtime_t *rt) {
    uint64_t t0 = rt->port.monotonic_ms(rt->port.user);
    int rc = meter_persist_mount(&rt->persist, &rt->meter, &rt->port, rtc_now(rt));
    if (rc != 0) {
        fprintf(stderr, "emeter: %s: %s\n", rt->flash_path, meter_persist_strerror(rc));
        return -1;
    }
    uint64_t ms = rt->port.monotonic_ms(rt->port.user) - t0;
    const meter_persist_t *p = &rt->persist;
    /* A virtual meter keeps its own time: a clock that ran ahead of the
     * host (--speed, or set forward over DLMS) continues from the last
     * commit instead of jumping back to the host's time. */
    if (p->restored && p->last_commit_utc > rtc_now(rt))
        rt->port.rtc_set(rt->port.user, p->last_commit_utc);
    if (!p->restored)
        printf("emeter: new flash image %s (%u sectors), mounted in %llu ms\n", rt->flash_path,
               rt->port.flash.sector_count, (unsigned long long)ms);
    else
        printf("emeter: flash image %s mounted in %llu ms: resuming after a %s, %lld s ago\n",
               rt->flash_path, (unsigned long long)ms,
               p->clean_power_down ? "power down" : "crash (no power-down save)",
               (long long)(rtc_now(rt) - p->last_commit_utc));
    return 0;
}

static int start_meter(runtime_t *rt) {
    enum meter_variant v;
    meter_variant_from_name(rt->cfg.variant, &v);
    meter_identity_t id = {
        .variant = v,
        .logical_device_name = rt->cfg.logical_device_name,
        .logical_device_name_len = rt->cfg.logical_device_name_len,
        .serial_number = rt->cfg.serial_number,
        .equipment_id = rt->cfg.serial_number,
        .lls_password = rt->cfg.lls_password[0] ? (const uint8_t *)rt->cfg.lls_password : NULL,
        .lls_password_len = strlen(rt->cfg.lls_password),
        .max_pdu = rt->cfg.max_pdu,
        .time_zone_min = rt->cfg.time_zone_min,
        .breaker = rt->cfg.breaker,                                    /* w3 */
        .token_key = rt->cfg.token_key_set ? rt->cfg.token_key : NULL, /* w3 */
    };
    memcpy(id.system_title, rt->cfg.system_title, 8);
    int rc = meter_init(&rt->meter, &id, &rt->port);
    if (rc != 0) {
        fprintf(stderr, "emeter: %s\n", meter_strerror(rc));
        return -1;
    }
    rt->meter.hook_user = rt;
    /* devices (w2): program image check on the executable's SHA-256 */
    if (meter_devices_set_image(&rt->meter, emeter_image_digest, NULL, NULL) != 0)
        fprintf(stderr, "emeter: cannot hash /proc/self/exe: no program image check\n");
    rt->meter.on_persist = on_persist;
    rt->meter.cosem.notify = on_notify;
    breaker_api_configure(&rt->meter, &rt->cfg); /* supervision (w3) */
    if (apply_factory_settings(rt) != 0 || load_security(rt) != 0 || mount_flash(rt) != 0)
        return -1;
    rt->persist.commit_period_s = rt->cfg.storage_commit_period_s;
    emeter_push_configure(&rt->meter, &rt->cfg); /* push (h7) */
    rt->port_state.rtc_set_shift_s = 0;
    rt->meter_utc = rtc_now(rt);
    rt->last_commit_ms = rt->port.monotonic_ms(rt->port.user);
    set_step_load(rt, rt->meter_utc);
    rc = meter_persist_power_up(&rt->persist, rtc_now(rt));
    if (rc != 0)
        fprintf(stderr, "emeter: power up: %s\n", meter_persist_strerror(rc));

    dlms_server_config_t *sc = &rt->server_cfg;
    memset(sc, 0, sizeof(*sc));
    sc->associations = rt->meter.assoc_list;
    sc->association_count = rt->meter.assoc_count;
    sc->server_sap = METER_SERVER_SAP;
    sc->services = &rt->meter.services;
    sc->port = &rt->port;
    sc->inactivity_ms = rt->cfg.inactivity_timeout_s * 1000u;
    sc->user = rt;
    sc->reserve_ic = reserve_ic;
    sc->on_auth_failure = on_auth_failure;
    sc->on_association = on_association;
    sc->assoc_allowed = assoc_allowed; /* devices (w2) */
    return 0;
}

/* ---- the running meter for the ports and the control API (runtime.h) ---- */

const meter_t *runtime_meter(const runtime_t *rt) {
    return &rt->meter;
}

int64_t runtime_meter_utc(const runtime_t *rt) {
    return rt->meter_utc;
}

int64_t runtime_clock(const runtime_t *rt) {
    return rtc_now(rt);
}

uint32_t runtime_speed(const runtime_t *rt) {
    return rt->speed;
}

void runtime_inputs(const runtime_t *rt, runtime_inputs_t *out) {
    memset(out, 0, sizeof(*out));
    for (unsigned k = 0; k < 3; k++) {
        out->voltage[k] = rt->ov_voltage[k];
        out->current_a[k] = rt->ov_current[k];
        out->angle_deg[k] = rt->ov_angle[k];
    }
    const pulse_t *pu = &rt->pulse;
    out->pulse = pu->active && rt->meter_utc <= pu->until;
    out->pulse_swell = pu->swell;
    out->pulse_phase = pu->phase;
    out->pulse_pct = pu->pct;
    out->pulse_from = pu->from;
    out->pulse_until = pu->until;
    out->mains = !rt->mains_off;
    out->outage_until = rt->outage_until;
}

static int refuse(char *err, size_t errlen, const char *msg) {
    snprintf(err, errlen, "%s", msg);
    return -1;
}

/* An input happens now: the meter first runs up to its clock, so what came
 * before is metered with the old values. */
static void catch_up(runtime_t *rt) {
    run_meter(rt, 1);
}

int runtime_outage(runtime_t *rt, uint32_t seconds, char *err, size_t errlen) {
    if (rt->mains_off)
        return refuse(err, errlen, "outage_s: the mains are already off");
    catch_up(rt);
    int64_t now = rt->meter_utc;
    /* The power-fail interrupt, as SIGTERM: event 1, clean commit. */
    int rc = meter_persist_power_down(&rt->persist, now);
    if (rc != 0)
        fprintf(stderr, "emeter: power down commit: %s\n", meter_persist_strerror(rc));
    rt->mains_off = true;
    rt->outage_until = now + (int64_t)seconds;
    rt->pulse.active = false;
    net_set_powered_off(&rt->net, 1);
    printf("emeter: mains off for %u s (control API): power down\n", seconds);
    fflush(stdout);
    return 0;
}

int runtime_set_voltage(runtime_t *rt, const double v[3], char *err, size_t errlen) {
    (void)err;
    (void)errlen;
    catch_up(rt);
    for (unsigned k = 0; k < 3; k++)
        rt->ov_voltage[k] = v[k];
    return 0;
}

int runtime_pulse(runtime_t *rt, uint8_t phase, bool swell, double pct, uint32_t duration_ms,
                  char *err, size_t errlen) {
    if (rt->mains_off)
        return refuse(err, errlen, swell ? "swell: the mains are off" : "sag: the mains are off");
    catch_up(rt);
    if (rt->pulse.active && rt->meter_utc <= rt->pulse.until)
        return refuse(err, errlen,
                      swell ? "swell: a sag or swell is in progress"
                            : "sag: a sag or swell is in progress");
    pulse_t *pu = &rt->pulse;
    pu->active = true;
    pu->swell = swell;
    pu->phase = phase;
    pu->pct = pct;
    pu->factor = swell ? 1.0 + pct / 100.0 : 1.0 - pct / 100.0;
    /* The phasor source runs in whole seconds: a pulse lasts at least 1 s. */
    pu->from = rt->meter_utc;
    pu->until = pu->from + (int64_t)((duration_ms + 999u) / 1000u);
    return 0;
}

int runtime_set_load(runtime_t *rt, bool auto_all, const double current_a[3],
                     const double angle_deg[3], char *err, size_t errlen) {
    (void)err;
    (void)errlen;
    catch_up(rt);
    for (unsigned k = 0; k < 3; k++) {
        rt->ov_current[k] = auto_all ? NAN : current_a[k];
        rt->ov_angle[k] = auto_all ? NAN : angle_deg[k];
    }
    return 0;
}

int runtime_set_speed(runtime_t *rt, uint32_t speed, char *err, size_t errlen) {
    catch_up(rt);
    if (em_posix_rtc_set_speed(&rt->port_state, speed) != 0) {
        snprintf(err, errlen, "speed: expected 1 to %u", EMETER_SPEED_MAX);
        return -1;
    }
    rt->speed = speed;
    printf("emeter: time: %u times real time (control API)\n", speed);
    fflush(stdout);
    return 0;
}

/* A clock adjustment as the Clock class makes one (lib/cosem/clock.c):
 * the RTC moves, the instants before and after are kept, the clock is
 * valid again, and the meter's notify hook logs events 4 and 5, marks the
 * profiles' AMR status and commits. */
int runtime_set_time(runtime_t *rt, int64_t utc, char *err, size_t errlen) {
    catch_up(rt);
    int64_t old = rtc_now(rt);
    if (rt->port.rtc_set == NULL || rt->port.rtc_set(rt->port.user, utc) != 0)
        return refuse(err, errlen, "set: the RTC refused the time");
    rt->meter.clock.adjust_old = old;
    rt->meter.clock.adjust_new = utc;
    rt->meter.clock.status &= (uint8_t) ~(COSEM_CLOCK_STATUS_INVALID | COSEM_CLOCK_STATUS_DOUBTFUL);
    catch_up(rt); /* takes the shift: the meter's position moves with the clock */
    if (rt->meter.cosem.clock != NULL && rt->meter.cosem.notify != NULL)
        rt->meter.cosem.notify(&rt->meter, rt->meter.cosem.clock, COSEM_NOTIFY_SET, 2);
    return 0;
}

/* ---- devices (w2): button, covers, magnet (lib/meter/devices.h) ---- */

/* The instant of a device input: the meter's, or the RTC's during an
 * outage (tamper detection runs on the RTC then, seed 000 §3.3.6). */
static int64_t input_utc(runtime_t *rt) {
    catch_up(rt);
    return rt->mains_off ? rtc_now(rt) : rt->meter_utc;
}

int runtime_button(runtime_t *rt, bool edge, bool down, uint32_t hold_ms, int *press, char *err,
                   size_t errlen) {
    (void)input_utc(rt);
    uint64_t now = rt->port.monotonic_ms(rt->port.user);
    int rc;
    if (edge) {
        rc = meter_button(&rt->meter, down, now);
    } else { /* a whole press that began hold_ms ago */
        rc = meter_button(&rt->meter, true, now >= hold_ms ? now - hold_ms : 0);
        if (rc >= 0)
            rc = meter_button(&rt->meter, false, now);
    }
    if (rc < 0)
        return refuse(err, errlen, meter_devices_strerror(rc));
    *press = rc;
    return 0;
}

int runtime_cover(runtime_t *rt, uint8_t which, bool open, char *err, size_t errlen) {
    int64_t utc = input_utc(rt);
    int rc = meter_cover(&rt->meter, which, open, utc);
    if (rc != 0)
        return refuse(err, errlen, meter_devices_strerror(rc));
    commit(rt, utc);
    return 0;
}

int runtime_magnet(runtime_t *rt, uint16_t mt, char *err, size_t errlen) {
    int64_t utc = input_utc(rt);
    int rc = meter_magnet(&rt->meter, mt, utc);
    if (rc != 0)
        return refuse(err, errlen, meter_devices_strerror(rc));
    commit(rt, utc);
    return 0;
}

/* ---- end devices ---- */

static void print_banner(const runtime_t *rt) {
    printf("emeter: %s meter, logical device name %.*s, system title ", rt->cfg.variant,
           (int)rt->cfg.logical_device_name_len, (const char *)rt->cfg.logical_device_name);
    for (int i = 0; i < 8; i++)
        printf("%02X", rt->cfg.system_title[i]);
    printf(", state in %s\n", rt->state_dir);
    for (size_t i = 0; i < rt->net.listen_count; i++)
        printf("emeter: listening on %s:%u (DLMS TCP wrapper; public client 16, management "
               "client 1 HLS-5)\n",
               rt->cfg.listen[i].host, rt->net.bound_port[i]);
    const loadsim_cfg_t *lc = &rt->load.cfg;
    printf("emeter: load: simulated household, seed %llu, %.0f kWh/year",
           (unsigned long long)lc->seed, lc->annual_kwh);
    if (lc->pv_kwp > 0)
        printf(", PV %.1f kWp", lc->pv_kwp);
    else
        printf(", no PV");
    if (lc->heat_pump_kw > 0)
        printf(", heat pump %.1f kW\n", lc->heat_pump_kw);
    else
        printf(", no heat pump\n");
    time_t t = (time_t)rtc_now(rt);
    struct tm tm;
    char when[32] = "?";
    if (gmtime_r(&t, &tm) != NULL)
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (rt->speed > 1)
        printf("emeter: time: simulated, %u times real time, meter clock %s\n", rt->speed, when);
    else
        printf("emeter: time: real time, meter clock %s\n", when);
    if (rt->cfg.factory_keys)
        fprintf(stderr, "emeter: WARNING: using the well-known DLMS example keys "
                        "(GUEK 000102...0F, AK D0D1...DF): a test meter only\n");
    fflush(stdout);
}

static int64_t p1_meter_utc(void *user) {
    return ((runtime_t *)user)->meter_utc;
}

static int p1_powered(void *user) {
    return !((runtime_t *)user)->mains_off;
}

/* The P1 port: --p1 outputs, else the configuration's "p1". */
static int open_p1(runtime_t *rt, char *err, size_t errlen) {
    const char *outputs[EMETER_MAX_P1];
    size_t count = rt->cfg.p1_count;
    for (size_t i = 0; i < count; i++)
        outputs[i] = rt->cfg.p1[i];
    if (count == 0)
        return 0;
    p1port_config_t pc = {.outputs = outputs,
                          .output_count = count,
                          .meter = &rt->meter,
                          .port = &rt->port,
                          .manufacturer = rt->cfg.manufacturer,
                          .meter_utc = p1_meter_utc,
                          .powered = p1_powered,
                          .user = rt};
    rt->p1 = p1port_open(&rt->net, &pc, err, errlen);
    return rt->p1 != NULL ? 0 : -1;
}

/* The control API on --control, the configuration's "control", or the
 * default address. The default is a convenience: when its port is taken
 * (a second meter on the host) the meter runs without it and says so. */
static int open_control(runtime_t *rt, const emeter_options_t *opt, char *err, size_t errlen) {
    const char *addr = opt->control ? opt->control : rt->cfg.control;
    bool is_default = opt->control == NULL && !rt->cfg.control_set;
    if (strcmp(addr, "off") == 0)
        return 0;
    rt->control = control_open(&rt->net, addr, rt, err, errlen);
    if (rt->control != NULL) {
        control_add_state(rt->control, "lcd", control_lcd_json, &rt->meter); /* devices (w2) */
        control_add_state(rt->control, "led", control_led_json, &rt->meter);
        breaker_api_add(rt->control, rt); /* "relay", "prepayment" (w3) */
        return 0;
    }
    if (!is_default)
        return -1;
    fprintf(stderr, "emeter: %s; running without the control API (--control ADDR:PORT)\n", err);
    return 0;
}

int emeter_run(const emeter_options_t *opt) {
    static runtime_t rt; /* large (server buffers per listener live in net) */
    memset(&rt, 0, sizeof(rt));
    rt.state_dir = opt->state_dir ? opt->state_dir : "./var/emeter";
    for (unsigned k = 0; k < 3; k++)
        rt.ov_voltage[k] = rt.ov_current[k] = rt.ov_angle[k] = NAN;
    char err[512];
    if (load_config(&rt, opt) != 0 || init_load(&rt) != 0)
        return 2;
    rt.speed = opt->speed > 1 ? opt->speed : 1;
    if (emeter_state_prepare_dir(rt.state_dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "emeter: --state: %s\n", err);
        return 2;
    }
    em_flash_geometry_t geo = {.sector_size = rt.cfg.storage_sector_size,
                               .program_unit = FLASH_PROGRAM_UNIT};
    enum meter_variant variant = METER_VARIANT_ESMR;
    meter_variant_from_name(rt.cfg.variant, &variant);
    geo.sector_count = meter_persist_sectors_needed(&geo, variant);
    snprintf(rt.flash_path, sizeof(rt.flash_path), "%s/%s", rt.state_dir, FLASH_FILE);
    if (em_port_posix_init(&rt.port, &rt.port_state, rt.flash_path, &geo) != 0) {
        /* The usual cause is an image written by an emeter with another
         * flash layout: say so rather than reformat a meter's data. */
        fprintf(stderr,
                "emeter: %s: cannot open the flash image (%u sectors of %u bytes expected);\n"
                "        an image from an emeter with another flash layout is not converted:\n"
                "        move the state directory away to start a new meter\n",
                rt.flash_path, geo.sector_count, geo.sector_size);
        return 2;
    }
    if (em_posix_rtc_set_speed(&rt.port_state, rt.speed) != 0) {
        fprintf(stderr, "emeter: --speed: expected 1 to %u\n", EMETER_SPEED_MAX);
        return 2;
    }
    if (start_meter(&rt) != 0)
        return 2;
    if (net_open(&rt.net, &rt.cfg, &rt.server_cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "emeter: %s\n", err);
        net_close(&rt.net);
        return 2;
    }
    rt.net.idle = on_idle;
    rt.net.idle_user = &rt;
    if (emeter_push_open(&rt.push, &rt.net, &rt.meter, &rt.server_cfg, &rt.cfg, err, sizeof(err)) !=
        0) { /* push (h7) */
        fprintf(stderr, "emeter: %s\n", err);
        net_close(&rt.net);
        return 2;
    }
    /* ---- modem and module I/O (w4): link emulation, wake-up listener ---- */
    if (emeter_modem_start(&rt.modem, &rt.net, &rt.meter, &rt.cfg, !rt.persist.restored, err,
                           sizeof(err)) != 0) {
        fprintf(stderr, "emeter: %s\n", err);
        net_close(&rt.net);
        return 2;
    }
    /* ---- optical port (apps/emeter/optical.c; closed by net_close) ---- */
    if (opt->hdlc != NULL) {
        optical_config_t oc = {.path = opt->hdlc,
                               .meter = &rt.meter,
                               .server_cfg = &rt.server_cfg,
                               .port = &rt.port,
                               .manufacturer = rt.cfg.manufacturer,
                               .readout = opt->readout,
                               .physical = rt.cfg.hdlc_physical};
        if (optical_open(&rt.net, &oc, err, sizeof(err)) == NULL) {
            fprintf(stderr, "emeter: %s\n", err);
            net_close(&rt.net);
            return 2;
        }
    }
    /* ---- end optical port ---- */
    if (open_p1(&rt, err, sizeof(err)) != 0 || open_control(&rt, opt, err, sizeof(err)) != 0) {
        fprintf(stderr, "emeter: %s\n", err);
        net_close(&rt.net);
        return 2;
    }
    if (rt.control != NULL) /* modem and module I/O (w4): "comm" in GET /api/state */
        control_add_state(rt.control, "comm", emeter_comm_state_object, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    print_banner(&rt);

    net_run(&rt.net, &stop_requested);
    emeter_push_close(&rt.push); /* push (h7) */

    /* Power failure: close the associations, then save. Every counter
     * below tx_ic may have been used; none at or above it was. */
    net_close(&rt.net);
    run_meter(&rt, 1); /* the energy up to now */
    /* In an outage the meter was saved at the cut (power down, clean). */
    int frc = rt.mains_off ? 0 : meter_persist_power_down(&rt.persist, rtc_now(&rt));
    if (frc != 0)
        fprintf(stderr, "emeter: power down commit: %s\n", meter_persist_strerror(frc));
    rt.st.tx_ic_reserved = rt.meter.sec_mgmt.tx_ic;
    int rc = save_state(&rt);
    em_port_posix_deinit(&rt.port_state);
    printf("emeter: power down, state saved\n");
    return rc == 0 && frc == 0 ? 0 : 1;
}
