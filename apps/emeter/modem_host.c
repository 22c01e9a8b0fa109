/*
 * modem_host.c - the host side of the meter's LTE-M modem and module I/O
 * (see modem_host.h; docs/communication.md "Host", docs/module-io.md).
 */
#include "modem_host.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

static emeter_modem_t *active; /* the running meter's, for the operator API */

static uint64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)(ts.tv_nsec / 1000000);
}

static int64_t meter_now(const meter_t *m) {
    int64_t utc = 0;
    cosem_rtc_now(&m->cosem, &utc);
    return utc;
}

static int admit(void *user) {
    emeter_modem_t *h = user;
    return !h->gate || meter_modem_online(h->meter);
}

static void session(void *user, int open, int lost) {
    emeter_modem_t *h = user;
    meter_modem_session(h->meter, open != 0, lost != 0, meter_now(h->meter));
}

/* Factory settings of the COSEM objects, for a new meter. */
static void factory_cosem(meter_t *m, const emeter_config_t *c) {
    meter_modem_t *md = &m->modem;
    (void)cosem_gprs_init(&md->gprs, c->modem.apn);
    md->ac.mode = c->modem.mode;
    if (c->modem.destination[0] != '\0')
        (void)cosem_auto_connect_add_destination(&md->ac, c->modem.destination);
    for (size_t i = 0; i < c->modem.wake_allowed_count; i++)
        (void)cosem_auto_answer_add_caller(&md->aa, (const uint8_t *)c->modem.wake_allowed[i],
                                           strlen(c->modem.wake_allowed[i]), COSEM_AA_CALL_WAKE_UP);
    (void)meter_io_configure(m, c->io_z3, c->io_z8, c->io_z12, c->io_z13);
}

int emeter_modem_start(emeter_modem_t *h, net_t *net, meter_t *m, const emeter_config_t *c,
                       bool fresh, char *err, size_t errlen) {
    memset(h, 0, sizeof(*h));
    h->meter = m;
    h->net = net;
    h->gate = c->modem.gate;
    int rc = meter_modem_set_imei(m, c->modem.imei, c->modem.imei_lock);
    if (rc == 0)
        rc = meter_modem_set_wake_content(m, c->modem.wake_content, c->modem.wake_content_len);
    if (rc != 0) {
        snprintf(err, errlen, "modem: %s", meter_modem_strerror(rc));
        return -1;
    }
    m->modem.mean_delay_s = c->modem.mean_delay_s;
    if (fresh)
        factory_cosem(m, c);
    link_init(&h->link, &c->link, mono_ms());
    net->link = &h->link;
    net->admit = admit;
    net->session = session;
    net->link_user = h;
    if (c->modem.wake_port_set) {
        if (emeter_wakeup_open(&h->wakeup, net, m, c->modem.wake_host, c->modem.wake_port, err,
                               errlen) != 0)
            return -1;
        h->wakeup_open = true;
        printf("emeter: wake-up listener on %s:%u/udp (%zu allowed source%s)\n", c->modem.wake_host,
               h->wakeup.bound_port, (size_t)m->modem.aa.caller_count,
               m->modem.aa.caller_count == 1 ? "" : "s");
    }
    if (link_active(&h->link))
        printf("emeter: link emulation: latency %u ms, %u bit/s, loss %g %%, outages %u s every "
               "%u s%s\n",
               c->link.latency_ms, c->link.bandwidth_bps, c->link.loss_pct, c->link.outage_s,
               c->link.outage_every_s, c->link.down ? ", down" : "");
    active = h;
    emeter_modem_tick(h);
    return 0;
}

void emeter_modem_tick(emeter_modem_t *h) {
    /* An outage of the mains (control API): the module loses its supply;
     * when it comes back, a power restoration (random delay or silence). */
    meter_modem_t *md = &h->meter->modem;
    if (h->net->powered_off && !md->cut)
        meter_modem_power_down(h->meter);
    else if (!h->net->powered_off && md->cut)
        meter_modem_power_up(h->meter, meter_now(h->meter));
    meter_modem_link_t in;
    link_modem_input(&h->link, mono_ms(), &in);
    meter_modem_link(h->meter, &in);
    uint8_t st = h->meter->modem.state;
    if (st != h->last_state) {
        printf("emeter: modem %s -> %s\n", meter_modem_state_name(h->last_state),
               meter_modem_state_name(st));
        fflush(stdout);
        h->last_state = st;
    }
}

int emeter_link_update_json(const char *json, size_t len, char *err, size_t errlen) {
    if (active == NULL) {
        snprintf(err, errlen, "link: no meter running");
        return -1;
    }
    link_params_t p = active->link.p;
    if (link_params_from_json(json, len, &p, err, errlen) != 0)
        return -1;
    if (link_set(&active->link, &p, err, errlen) != 0)
        return -1;
    emeter_modem_tick(active);
    return 0;
}

int emeter_link_json(char *out, size_t cap) {
    return active == NULL ? -1 : link_params_to_json(&active->link, out, cap);
}

int emeter_io_input(unsigned port, unsigned level) {
    if (active == NULL)
        return METER_IO_ERR_ARG;
    return meter_io_input(active->meter, port, level, meter_now(active->meter));
}

int emeter_comm_state_json(char *out, size_t cap) {
    if (active == NULL)
        return -1;
    const meter_t *m = active->meter;
    const meter_modem_t *md = &m->modem;
    const meter_module_io_t *io = &m->io;
    char ip[16];
    uint32_t a = md->ipv4.ip_address;
    snprintf(ip, sizeof(ip), "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xFF, (a >> 8) & 0xFF, a & 0xFF);
    bool inv;
    int n = snprintf(
        out, cap,
        "{\"modem\":{\"state\":\"%s\",\"online\":%s,\"ip\":\"%s\",\"csq\":%u,\"level\":%u,"
        "\"attaches\":%u,\"sessions_lost\":%u,\"wakeups_accepted\":%u,\"wakeups_ignored\":%u},"
        "\"io\":{\"z3\":%u,\"port1\":\"%s\",\"port2\":\"%s\",\"inputs\":[%u,%u],"
        "\"outputs\":[%u,%u],\"pulses\":%u,\"out_pulses\":[%llu,%llu],\"hours\":%llu,"
        "\"debit_stops\":%u,\"threshold_count\":%u,\"alarm\":%s}}",
        meter_modem_state_name(md->state), meter_modem_online(m) ? "true" : "false", ip,
        md->gsm.cell.signal_quality, meter_modem_display_level(m), md->attaches, md->sessions_lost,
        md->wakeups_accepted, md->wakeups_ignored, io->z3,
        meter_io_fn_name(meter_io_function(m, 1, &inv)),
        meter_io_fn_name(meter_io_function(m, 2, &inv)), io->level[0], io->level[1], io->out[0],
        io->out[1], io->pulses, (unsigned long long)io->out_pulses[0],
        (unsigned long long)io->out_pulses[1], (unsigned long long)(io->supply_s / 3600u),
        io->debit_stops, io->threshold_count, io->alarm_active ? "true" : "false");
    return n < 0 || (size_t)n >= cap ? -1 : n;
}

json_object *emeter_comm_state_object(void *user) {
    (void)user;
    char buf[1024];
    return emeter_comm_state_json(buf, sizeof(buf)) < 0 ? NULL : json_tokener_parse(buf);
}
