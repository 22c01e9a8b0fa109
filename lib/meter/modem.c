/*
 * modem.c - the LTE-M module model and connection manager of the meter
 * (see modem.h; seed 000 §3.3.3 and §3.4, DLMS UA Blue Book classes 28,
 * 29, 41, 42, 44, 45, 47, 151 and 40 through lib/cosem).
 */
#include "meter/modem.h"

#include <string.h>

#include "cosem/calendar_eval.h"
#include "meter/meter.h"
#include "meter/objects_metering.h"

#define APP meter_t

/* ---- table definitions ---------------------------------------------------------------- */

const cosem_access_t meter_acc_comm_rw = {.read = COSEM_ALL, .write = COSEM_ALL, .auth = COSEM_ALL};
const cosem_access_t meter_acc_comm_ro = {.read = COSEM_ALL};
const cosem_access_t meter_acc_auto_connect = {.read = COSEM_ALL,
                                               .write = COSEM_ALL,
                                               .auth = COSEM_ALL,
                                               .method = COSEM_BIT(1),
                                               .method_auth = COSEM_BIT(1)};

/* One simultaneous connection: the wrapper listener of the host serves
 * more, but the LTE-M module of seed 000 carries one P3 session. */
const cosem_tcp_udp_def_t meter_def_tcp_udp = {COSEM_STATE(cosem_tcp_udp_state_t, APP, modem.tcp),
                                               4};
const cosem_ipv4_def_t meter_def_ipv4 = {COSEM_STATE(cosem_ipv4_state_t, APP, modem.ipv4)};
const cosem_ppp_def_t meter_def_ppp = {COSEM_STATE(cosem_ppp_state_t, APP, modem.ppp), false};
const cosem_gprs_def_t meter_def_gprs = {COSEM_STATE(cosem_gprs_state_t, APP, modem.gprs)};
const cosem_gsm_diag_def_t meter_def_gsm_diag = {
    COSEM_STATE(cosem_gsm_diag_state_t, APP, modem.gsm)};
const cosem_lte_def_t meter_def_lte = {COSEM_STATE(cosem_lte_state_t, APP, modem.lte)};
const cosem_auto_connect_def_t meter_def_auto_connect = {
    COSEM_STATE(cosem_auto_connect_state_t, APP, modem.ac)};
const cosem_auto_answer_def_t meter_def_auto_answer = {
    COSEM_STATE(cosem_auto_answer_state_t, APP, modem.aa)};
const cosem_push_setup_def_t meter_def_push_wakeup = {
    COSEM_STATE(cosem_push_state_t, APP, modem.push_wakeup), 0};

static const uint8_t LN_IPV4[6] = {0, 0, 25, 1, 0, 255};
static const uint8_t LN_PPP[6] = {0, 0, 25, 3, 0, 255};
static const uint8_t LN_GPRS[6] = {0, 0, 25, 4, 0, 255};
static const uint8_t LN_WAKE_PUSH[6] = {0, 2, 25, 9, 0, 255};

#define OBJ(cls, a, b, c, d, e, attr)                                                              \
    { (cls), {(a), (b), (c), (d), (e), 255}, (attr), 0 }
/* Wake-up push: who (equipment identifier), which push, where it can be
 * reached now (the IPv4 address of the attachment). */
static const dlms_capture_object_t wake_list[3] = {
    OBJ(COSEM_CLASS_DATA, 0, 0, 96, 1, 1, 2),
    OBJ(COSEM_CLASS_PUSH_SETUP, 0, 2, 25, 9, 0, 1),
    OBJ(COSEM_CLASS_IPV4_SETUP, 0, 0, 25, 1, 0, 3),
};

/* The network the model reports (a Dutch LTE-M cell; fixed: the link
 * model gives the radio values, not the cell plan). */
#define NET_MCC     204u
#define NET_MNC     8u
#define NET_CELL_ID 0x01A2B3C4u
#define NET_TAC     0x1F40u
#define NET_EARFCN  6300u
#define NET_NAME    "EMETER LTE-M"

/* ---- helpers ---------------------------------------------------------------------------- */

static void modem_log(const meter_t *m, enum em_log_level lvl, const char *msg) {
    if (m->port != NULL && m->port->log != NULL)
        m->port->log(m->port->user, lvl, "modem", msg);
}

static int64_t wall_of(const meter_t *m, int64_t utc) {
    return cosem_wall_of(&m->clock, utc);
}

static bool has_table(const meter_t *m) {
    return cosem_find(&m->cosem, LN_GPRS) != NULL;
}

static uint32_t random_u32(const meter_t *m) {
    uint8_t b[4] = {0, 0, 0, 0};
    if (m->port != NULL && m->port->entropy != NULL)
        (void)m->port->entropy(m->port->user, b, sizeof(b));
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static bool imei_ok(const char *s) {
    if (s == NULL || strlen(s) != METER_MODEM_IMEI_LEN)
        return false;
    for (unsigned i = 0; i < METER_MODEM_IMEI_LEN; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* GSM diagnostic and LTE monitoring from the state and the link. */
static void diag_update(meter_t *m, int64_t utc) {
    meter_modem_t *md = &m->modem;
    cosem_gsm_diag_state_t snap = md->gsm;
    static const uint8_t status_of[] = {0, 2, 3, 1, 1};
    snap.status = md->state < sizeof(status_of) ? status_of[md->state] : 4;
    snap.cs_attachment = 0;
    snap.ps_status = md->state == METER_MODEM_ATTACHED ? 7 : 0; /* LTE Cat M1 */
    bool reg = md->state == METER_MODEM_REGISTERED || md->state == METER_MODEM_ATTACHED;
    snap.operator_len = reg ? (uint8_t)(sizeof(NET_NAME) - 1) : 0;
    if (reg)
        memcpy(snap.operator_name, NET_NAME, sizeof(NET_NAME) - 1);
    bool signal = md->state != METER_MODEM_OFF && md->link.available;
    snap.cell.signal_quality =
        signal ? cosem_csq_from_rssi(md->link.rssi_dbm) : (uint8_t)COSEM_CSQ_UNKNOWN;
    snap.cell.ber = COSEM_CSQ_UNKNOWN;
    snap.cell.cell_id = signal ? NET_CELL_ID : 0;
    snap.cell.location_id = signal ? NET_TAC : 0;
    snap.cell.mcc = signal ? NET_MCC : 0;
    snap.cell.mnc = signal ? NET_MNC : 0;
    snap.cell.channel_number = signal ? NET_EARFCN : 0;
    snap.adjacent_count = 0;
    snap.capture_time = utc;
    (void)cosem_gsm_diagnostic_update(&md->gsm, &snap);
    cosem_lte_qos_t q = {.signal_quality = signal ? md->link.rsrq_db : -128,
                         .signal_level = signal ? cosem_lte_saturate(md->link.rsrp_dbm) : -128,
                         .snr = signal ? md->link.sinr_db : -128,
                         .coverage_enhancement = 0};
    (void)cosem_lte_monitoring_update(&md->lte, NULL, &q);
}

/* FQDN destinations through the port (once per attachment). */
static void resolve_destinations(meter_t *m) {
    meter_modem_t *md = &m->modem;
    md->dest_count = 0;
    for (uint8_t i = 0; i < md->ac.dest_count && i < EM_COSEM_COMM_DESTINATIONS; i++) {
        cosem_comm_dest_t d;
        uint32_t ip = 0;
        if (cosem_auto_connect_destination(&md->ac, i, &d) != 0)
            continue;
        if (d.kind == COSEM_COMM_DEST_IPV4) {
            ip = d.ipv4;
        } else if (m->port != NULL && m->port->resolve != NULL) {
            char host[EM_COSEM_COMM_DEST_MAX + 1];
            memcpy(host, d.host, d.host_len);
            host[d.host_len] = '\0';
            if (m->port->resolve(m->port->user, host, &ip) != 0)
                ip = 0;
        }
        md->dest_ip[md->dest_count++] = ip;
    }
}

static void detach(meter_t *m) {
    meter_modem_t *md = &m->modem;
    cosem_ipv4_clear_lease(&md->ipv4);
    md->invoked_attach = false;
    cosem_auto_connect_run_closed(&md->run);
}

/* An attempt of the retry machine: the PDP context with the APN. */
static bool attach(meter_t *m, int64_t utc) {
    meter_modem_t *md = &m->modem;
    if (md->state != METER_MODEM_REGISTERED || !md->link.available ||
        !cosem_gprs_apn_ok(md->gprs.apn, md->gprs.apn_len))
        return false;
    if (md->ipv4.use_dhcp &&
        cosem_ipv4_set_lease(&md->ipv4, md->link.ip, md->link.mask, md->link.gateway, md->link.dns1,
                             md->link.dns2) != 0)
        return false;
    md->state = METER_MODEM_ATTACHED;
    md->attached_at = md->idle_since = utc;
    md->apn_len_seen = md->gprs.apn_len;
    memcpy(md->apn_seen, md->gprs.apn, md->gprs.apn_len);
    md->attaches++;
    resolve_destinations(m);
    return true;
}

static void request(meter_t *m, uint8_t reason, int64_t utc, int64_t at) {
    meter_modem_t *md = &m->modem;
    if (!cosem_auto_connect_allows(&md->ac, reason, wall_of(m, utc)))
        return;
    if (md->run.phase == COSEM_AC_IDLE || md->run.phase == COSEM_AC_GAVE_UP) {
        cosem_auto_connect_run_trigger(&md->run, at);
        md->connect_due = at;
        if (reason == COSEM_AC_INVOKED && md->state != METER_MODEM_ATTACHED)
            md->invoked_attach = true;
    }
}

/* ---- API -------------------------------------------------------------------------------- */

void meter_modem_init(meter_t *m) {
    meter_modem_t *md = &m->modem;
    memset(md, 0, sizeof(*md));
    cosem_tcp_udp_init(&md->tcp, LN_IPV4);
    cosem_ipv4_init(&md->ipv4, LN_PPP);
    cosem_ppp_init(&md->ppp, LN_GPRS);
    (void)cosem_gprs_init(&md->gprs, "internet");
    cosem_gsm_diagnostic_init(&md->gsm);
    cosem_lte_monitoring_init(&md->lte);
    cosem_auto_connect_init(&md->ac, COSEM_AC_MODE_PERMANENT);
    cosem_auto_answer_init(&md->aa);
    cosem_push_init(&md->push_wakeup);
    if (cosem_find(&m->cosem, LN_WAKE_PUSH) != NULL)
        (void)cosem_push_set_objects(&md->push_wakeup, wake_list, 3);
    memset(md->imei, '0', METER_MODEM_IMEI_LEN);
    md->mean_delay_s = METER_MODEM_MEAN_DELAY_S;
    cosem_auto_connect_run_init(&md->run);
    md->state = METER_MODEM_OFF;
    md->link.rssi_dbm = -113;
    md->link.rsrp_dbm = -140;
}

int meter_modem_set_imei(meter_t *m, const char *imei, const char *lock) {
    if (m == NULL || !imei_ok(imei))
        return m == NULL ? METER_MODEM_ERR_ARG : METER_MODEM_ERR_IMEI;
    bool locked = lock != NULL && lock[0] != '\0';
    if (locked && !imei_ok(lock))
        return METER_MODEM_ERR_IMEI;
    meter_modem_t *md = &m->modem;
    memcpy(md->imei, imei, METER_MODEM_IMEI_LEN);
    md->imei_locked = locked;
    if (locked)
        memcpy(md->imei_lock, lock, METER_MODEM_IMEI_LEN);
    if (md->state == METER_MODEM_DENIED)
        md->state = METER_MODEM_SEARCHING; /* try again with the new identity */
    return 0;
}

int meter_modem_set_wake_content(meter_t *m, const uint8_t *data, size_t len) {
    if (m == NULL || (data == NULL && len != 0))
        return METER_MODEM_ERR_ARG;
    if (len > METER_MODEM_WAKE_MAX)
        return METER_MODEM_ERR_LONG;
    m->modem.wake_len = (uint8_t)len;
    if (len != 0)
        memcpy(m->modem.wake_content, data, len);
    return 0;
}

void meter_modem_link(meter_t *m, const meter_modem_link_t *link) {
    if (m == NULL || link == NULL)
        return;
    m->modem.link = *link;
    m->modem.link_seen = true;
}

void meter_modem_power_up(meter_t *m, int64_t utc) {
    meter_modem_t *md = &m->modem;
    if (!has_table(m))
        return;
    md->state = METER_MODEM_SEARCHING;
    md->cut = false;
    cosem_auto_connect_run_init(&md->run);
    md->invoked_attach = false;
    md->sessions_open = 0;
    md->last_delay_s = cosem_auto_connect_random_delay(random_u32(m), md->mean_delay_s);
    md->connect_due = 0;
    md->was_in_window = false;
    request(m, COSEM_AC_POWER_UP, utc, utc + (int64_t)md->last_delay_s);
    diag_update(m, utc);
}

void meter_modem_power_down(meter_t *m) {
    meter_modem_t *md = &m->modem;
    if (md->state == METER_MODEM_ATTACHED)
        detach(m);
    md->state = METER_MODEM_OFF;
    md->cut = true;
    cosem_auto_connect_run_init(&md->run);
    md->wake_push_pending = false;
    md->sessions_open = 0;
}

/* Registration from coverage and the IMEI lock. */
static void registration(meter_t *m, int64_t utc) {
    meter_modem_t *md = &m->modem;
    bool cover = md->link.available;
    if (!cover) {
        if (md->state == METER_MODEM_ATTACHED) {
            detach(m);
            md->sessions_lost++;
            modem_log(m, EM_LOG_WARN, "coverage lost: PDP context released");
        }
        if (md->state != METER_MODEM_DENIED)
            md->state = METER_MODEM_SEARCHING;
        return;
    }
    if (md->state != METER_MODEM_SEARCHING)
        return;
    if (md->imei_locked && memcmp(md->imei, md->imei_lock, METER_MODEM_IMEI_LEN) != 0) {
        md->state = METER_MODEM_DENIED;
        md->denials++;
        modem_log(m, EM_LOG_ERROR, "registration denied: IMEI differs from the IMEI lock");
        return;
    }
    md->state = METER_MODEM_REGISTERED;
    /* Back on the network after an interruption: a mode that reconnects
     * after a lost session attaches again (the retry machine). */
    if (md->run.phase == COSEM_AC_IDLE || md->run.phase == COSEM_AC_GAVE_UP)
        request(m,
                md->attaches == 0 && md->connect_due == 0 ? COSEM_AC_POWER_UP
                                                          : COSEM_AC_SESSION_LOST,
                utc, utc);
    (void)utc;
}

void meter_modem_step(meter_t *m, int64_t utc) {
    meter_modem_t *md = &m->modem;
    if (!has_table(m) || (md->state == METER_MODEM_OFF && md->cut))
        return;
    if (md->state == METER_MODEM_OFF)
        meter_modem_power_up(m, utc); /* supply since meter_init */
    if (md->link_seen)
        registration(m, utc);
    int64_t wall = wall_of(m, utc);
    /* The connect method, calling windows, mode changes. */
    if (cosem_auto_connect_take_request(&md->ac))
        request(m, COSEM_AC_INVOKED, utc, utc);
    cosem_comm_window_eval_t ev;
    bool inside = cosem_auto_connect_windows(&md->ac, wall, &ev) == 0 && ev.inside;
    if (inside && !md->was_in_window && md->state != METER_MODEM_ATTACHED)
        request(m, COSEM_AC_WINDOW_OPEN, utc, utc);
    md->was_in_window = inside;
    if (md->state == METER_MODEM_ATTACHED) {
        bool apn_changed = md->apn_len_seen != md->gprs.apn_len ||
                           memcmp(md->apn_seen, md->gprs.apn, md->gprs.apn_len) != 0;
        uint16_t idle_max = md->tcp.inactivity_time_out;
        bool idle = md->invoked_attach && md->ac.mode == COSEM_AC_MODE_INVOKED &&
                    md->sessions_open == 0 && idle_max != 0 &&
                    utc - md->idle_since >= (int64_t)idle_max && !md->wake_push_pending &&
                    md->push_wakeup.phase == 0;
        if (!cosem_auto_connect_keep(&md->ac, wall) || idle || apn_changed) {
            detach(m);
            md->state = METER_MODEM_REGISTERED;
            if (apn_changed)
                request(m, COSEM_AC_SESSION_LOST, utc, utc);
        }
    }
    if (cosem_auto_connect_run_poll(&md->run, utc)) {
        bool ok = attach(m, utc);
        if (!ok)
            md->attach_failures++;
        cosem_auto_connect_run_result(&md->run, &md->ac, ok, utc);
    }
    if (md->state == METER_MODEM_ATTACHED && md->wake_push_pending) {
        md->wake_push_pending = false;
        const cosem_object_t *o = cosem_find(&m->cosem, LN_WAKE_PUSH);
        if (o != NULL && md->push_wakeup.destination_len != 0)
            (void)cosem_push_trigger(&m->cosem, o, utc);
    }
    diag_update(m, utc);
}

void meter_modem_session(meter_t *m, bool open, bool lost, int64_t utc) {
    meter_modem_t *md = &m->modem;
    if (open) {
        if (md->sessions_open < UINT8_MAX)
            md->sessions_open++;
    } else if (md->sessions_open > 0) {
        md->sessions_open--;
        if (lost)
            md->sessions_lost++;
    }
    md->idle_since = utc;
}

int meter_modem_wakeup(meter_t *m, uint32_t src, const uint8_t *data, size_t len, int64_t utc) {
    meter_modem_t *md = &m->modem;
    int rc = METER_MODEM_WAKE_ACCEPTED;
    cosem_comm_window_eval_t ev;
    if (md->state != METER_MODEM_REGISTERED && md->state != METER_MODEM_ATTACHED)
        rc = METER_MODEM_WAKE_NO_NETWORK;
    else if (!cosem_auto_answer_ip_allowed(&md->aa, src, COSEM_AA_CALL_WAKE_UP))
        rc = METER_MODEM_WAKE_SOURCE;
    else if (md->wake_len != 0 &&
             (len != md->wake_len || data == NULL || memcmp(data, md->wake_content, len) != 0))
        rc = METER_MODEM_WAKE_CONTENT;
    else if (cosem_auto_answer_windows(&md->aa, wall_of(m, utc), &ev) == 0 && !ev.inside)
        rc = METER_MODEM_WAKE_WINDOW;
    if (rc != METER_MODEM_WAKE_ACCEPTED) {
        md->wakeups_ignored++;
        static const char *const why[] = {"outside the listening windows", "wrong content",
                                          "source not allowed", "no network"};
        char msg[80] = "wake-up ignored: ";
        size_t n = strlen(msg);
        const char *w = why[rc + 3];
        size_t wl = strlen(w);
        memcpy(msg + n, w, wl + 1);
        modem_log(m, EM_LOG_WARN, msg);
        return rc;
    }
    md->wakeups_accepted++;
    md->wake_push_pending = true;
    md->idle_since = utc;
    if (md->state != METER_MODEM_ATTACHED)
        request(m, COSEM_AC_INVOKED, utc, utc);
    modem_log(m, EM_LOG_INFO, "wake-up accepted");
    return rc;
}

bool meter_modem_online(const meter_t *m) {
    return m != NULL && m->modem.state == METER_MODEM_ATTACHED;
}

uint8_t meter_modem_display_level(const meter_t *m) {
    return m == NULL ? 0 : cosem_gsm_display_level(&m->modem.gsm);
}

const char *meter_modem_state_name(uint8_t state) {
    static const char *const names[] = {"off", "searching", "denied", "registered", "attached"};
    return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

const char *meter_modem_strerror(int err) {
    switch (err) {
    case METER_MODEM_ERR_ARG:
        return "modem: invalid argument";
    case METER_MODEM_ERR_IMEI:
        return "modem: IMEI must be 15 digits";
    case METER_MODEM_ERR_LONG:
        return "modem: wake-up content too long";
    case METER_MODEM_ERR_TABLE:
        return "modem: the variant has no modem objects";
    default:
        return "modem: unknown error";
    }
}
