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
 * and nothing needs to be: every second's tick is committed to flash
 * before the loop serves the next request, every head-end change right
 * after it is made, and every reservation of invocation counters was made
 * durable before the first counter of it went on the wire. The next start
 * logs the outage (power down at the last commit, power up now).
 */
#include "runtime.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "dlms/server.h"
#include "meter/meter.h"
#include "meter/persist.h"
#include "net.h"
#include "optical.h" /* optical port */
#include "port_posix.h"
#include "state.h"

typedef struct runtime {
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
    uint64_t last_tick_ms; /* monotonic ms the meter has run up to */
} runtime_t;

/* The fixed example load (per phase) until the load simulator exists. */
#define FIXED_LOAD_V  230.0
#define FIXED_LOAD_A  5.0
#define FIXED_LOAD_PF 0.9

/* The flash image: 4 KiB sectors (a SPI NOR's erase block) and a 4-byte
 * program unit; the sector count comes from the meter's layout. */
#define FLASH_FILE         "flash.img"
#define FLASH_SECTOR_SIZE  4096u
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
    meter_auth_failure(&rt->meter, rtc_now(rt)); /* fraud log event 46 */
    commit(rt, rtc_now(rt));
    fprintf(stderr, "emeter: failed login from client %u (%s)\n", client_sap,
            reason == DLMS_SERVER_AUTH_LLS   ? "wrong LLS password"
            : reason == DLMS_SERVER_AUTH_HLS ? "HLS-5 reply did not verify"
                                             : "ciphered request failed authentication");
}

static void on_association(void *user, const dlms_assoc_view_t *v, int event) {
    (void)user;
    static const char *const names[] = {"",          "associated", "released",
                                        "timed out", "closed",     "replaced"};
    fprintf(stderr, "emeter: client %u %s\n", v->client_sap,
            event > 0 && event <= 5 ? names[event] : "?");
}

/* The meter runs once per second of elapsed (monotonic) time, stamped
 * with the RTC: the loop wakes at least once a second; after a longer
 * pause one step covers the elapsed seconds. Energy follows the time that
 * really passed, so a head-end setting the clock moves the time stamps
 * (and the profiles' boundaries), not the registers. */
static void run_meter(runtime_t *rt) {
    uint64_t now_ms = rt->port.monotonic_ms(rt->port.user);
    uint64_t elapsed = (now_ms - rt->last_tick_ms) / 1000u;
    if (elapsed == 0)
        return;
    rt->last_tick_ms += elapsed * 1000u;
    int64_t utc = rtc_now(rt);
    int rc = elapsed == 1
                 ? meter_tick(&rt->meter, utc)
                 : meter_step(&rt->meter, utc, (uint32_t)(elapsed < 86400 ? elapsed : 86400));
    if (rc != 0) {
        static int reported;
        if (!reported++)
            fprintf(stderr, "emeter: meter tick: %s\n", meter_strerror(rc));
    }
    rc = meter_persist_tick(&rt->persist, utc);
    if (rc != 0) {
        static int reported;
        if (!reported++)
            fprintf(stderr, "emeter: flash commit: %s\n", meter_persist_strerror(rc));
    }
}

/* Idle: run the meter, and reserve the next block of invocation counters
 * before it is needed, so the state file's fsync is not paid inside a
 * request. */
static void on_idle(void *user) {
    runtime_t *rt = user;
    run_meter(rt);
    int rc = dlms_server_ic_top_up(&rt->server_cfg, &rt->meter.sec_mgmt);
    if (rc != 0) {
        static int reported;
        if (!reported++)
            fprintf(stderr, "emeter: cannot reserve invocation counters: %s\n",
                    dlms_server_strerror(rc));
    }
}

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
    if (opt->listen_count > 0) {
        for (size_t i = 0; i < opt->listen_count; i++)
            if (emeter_config_parse_listen(opt->listen[i], &rt->cfg.listen[i])) {
                fprintf(stderr, "emeter: --listen: expected HOST:PORT, got \"%s\"\n",
                        opt->listen[i]);
                return -1;
            }
        rt->cfg.listen_count = opt->listen_count;
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
static int mount_flash(runtime_t *rt) {
    uint64_t t0 = rt->port.monotonic_ms(rt->port.user);
    int rc = meter_persist_mount(&rt->persist, &rt->meter, &rt->port, rtc_now(rt));
    if (rc != 0) {
        fprintf(stderr, "emeter: %s: %s\n", rt->flash_path, meter_persist_strerror(rc));
        return -1;
    }
    uint64_t ms = rt->port.monotonic_ms(rt->port.user) - t0;
    const meter_persist_t *p = &rt->persist;
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
    };
    memcpy(id.system_title, rt->cfg.system_title, 8);
    int rc = meter_init(&rt->meter, &id, &rt->port);
    if (rc != 0) {
        fprintf(stderr, "emeter: %s\n", meter_strerror(rc));
        return -1;
    }
    rt->meter.hook_user = rt;
    rt->meter.on_persist = on_persist;
    rt->meter.cosem.notify = on_notify;
    if (load_security(rt) != 0 || mount_flash(rt) != 0)
        return -1;
    metrology_phasor_input_t load;
    meter_load_balanced(&load, FIXED_LOAD_V, FIXED_LOAD_A, acos(FIXED_LOAD_PF) * 180.0 / M_PI,
                        50.0);
    meter_set_load(&rt->meter, &load);
    rt->last_tick_ms = rt->port.monotonic_ms(rt->port.user);
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
    return 0;
}

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
    printf("emeter: metering a fixed load of %.0f V, %.0f A, PF %.1f per phase (until the load "
           "simulator exists)\n",
           FIXED_LOAD_V, FIXED_LOAD_A, FIXED_LOAD_PF);
    if (rt->cfg.factory_keys)
        fprintf(stderr, "emeter: WARNING: using the well-known DLMS example keys "
                        "(GUEK 000102...0F, AK D0D1...DF): a test meter only\n");
    fflush(stdout);
}

int emeter_run(const emeter_options_t *opt) {
    static runtime_t rt; /* large (server buffers per listener live in net) */
    memset(&rt, 0, sizeof(rt));
    rt.state_dir = opt->state_dir ? opt->state_dir : "./var/emeter";
    char err[512];
    if (load_config(&rt, opt) != 0)
        return 2;
    if (emeter_state_prepare_dir(rt.state_dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "emeter: --state: %s\n", err);
        return 2;
    }
    em_flash_geometry_t geo = {.sector_size = FLASH_SECTOR_SIZE,
                               .program_unit = FLASH_PROGRAM_UNIT};
    geo.sector_count = meter_persist_sectors_needed(&geo);
    snprintf(rt.flash_path, sizeof(rt.flash_path), "%s/%s", rt.state_dir, FLASH_FILE);
    if (em_port_posix_init(&rt.port, &rt.port_state, rt.flash_path, &geo) != 0) {
        fprintf(stderr,
                "emeter: %s: cannot open the flash image (%u sectors of %u bytes expected)\n",
                rt.flash_path, geo.sector_count, geo.sector_size);
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
    /* ---- optical port (apps/emeter/optical.c; closed by net_close) ---- */
    if (opt->hdlc != NULL) {
        optical_config_t oc = {.path = opt->hdlc,
                               .meter = &rt.meter,
                               .server_cfg = &rt.server_cfg,
                               .port = &rt.port,
                               .manufacturer = rt.cfg.manufacturer,
                               .readout = opt->readout};
        if (optical_open(&rt.net, &oc, err, sizeof(err)) == NULL) {
            fprintf(stderr, "emeter: %s\n", err);
            net_close(&rt.net);
            return 2;
        }
    }
    /* ---- end optical port ---- */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    print_banner(&rt);

    net_run(&rt.net, &stop_requested);

    /* Power failure: close the associations, then save. Every counter
     * below tx_ic may have been used; none at or above it was. */
    net_close(&rt.net);
    run_meter(&rt); /* the energy up to now */
    int frc = meter_persist_power_down(&rt.persist, rtc_now(&rt));
    if (frc != 0)
        fprintf(stderr, "emeter: power down commit: %s\n", meter_persist_strerror(frc));
    rt.st.tx_ic_reserved = rt.meter.sec_mgmt.tx_ic;
    int rc = save_state(&rt);
    em_port_posix_deinit(&rt.port_state);
    printf("emeter: power down, state saved\n");
    return rc == 0 && frc == 0 ? 0 : 1;
}
