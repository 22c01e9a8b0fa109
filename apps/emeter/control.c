/*
 * control.c - the operator control API over HTTP (see control.h,
 * docs/control-api.md).
 *
 * libmicrohttpd runs without threads of its own (MHD_USE_EPOLL without an
 * internal polling thread): its epoll fd is added to the meter's loop with
 * net_add_fd, and MHD_run() serves what is ready whenever that fd is
 * readable and after every round (timeouts). A handler therefore runs
 * between two rounds of the meter, like a DLMS request: no locking, and an
 * input it makes is at the meter's current instant.
 *
 * Requests: the body (at most CONTROL_BODY_MAX bytes) is collected, then
 * dispatched through the endpoint table by path and method: an unknown
 * path is 404, a known path with another method 405 (with Allow), a body
 * the decoder refuses 400 {"error": "field: reason"}, an input the meter's
 * state refuses (an outage during an outage) 409, success 200 with JSON.
 */
#include "control.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>
#include <netdb.h>

#include "config.h"
#include "listen.h"
#include "control_api.h"
#include "control_devices.h" /* devices (w2) */
#include "cosem/cosem_classes.h"
#include "modem_host.h" /* /api/link, /api/io (w4) */

struct control {
    struct MHD_Daemon *d;
    net_t *net;
    runtime_t *rt;
    unsigned port;
    struct {
        const char *name;
        control_state_fn fn;
        void *user;
    } state[CONTROL_MAX_STATE];
    size_t state_count;
};

/* One request being received: its body. */
typedef struct request {
    size_t len;
    bool too_big;
    char body[CONTROL_BODY_MAX + 1];
} request_t;

/* A handler's answer: HTTP status and a JSON body (owned), or an error
 * message for the 4xx statuses. */
typedef struct reply {
    unsigned status;
    json_object *json;
    char error[256];
} reply_t;

typedef void (*handler_fn)(control_t *c, const char *body, size_t len, reply_t *r);

static void h_state(control_t *c, const char *body, size_t len, reply_t *r);
static void h_grid(control_t *c, const char *body, size_t len, reply_t *r);
static void h_load(control_t *c, const char *body, size_t len, reply_t *r);
static void h_time(control_t *c, const char *body, size_t len, reply_t *r);
static void h_link_get(control_t *c, const char *body, size_t len, reply_t *r);
static void h_link_set(control_t *c, const char *body, size_t len, reply_t *r);
static void h_io(control_t *c, const char *body, size_t len, reply_t *r);
static void h_button(control_t *c, const char *body, size_t len, reply_t *r); /* devices (w2) */
static void h_cover(control_t *c, const char *body, size_t len, reply_t *r);
static void h_magnet(control_t *c, const char *body, size_t len, reply_t *r);

/* The endpoints. Adding one is a row here and its handler: the device
 * modules add /api/button, /api/cover and /api/magnet this way. */
static const struct endpoint {
    const char *path;
    const char *method;
    handler_fn fn;
} endpoints[] = {
    {"/api/state", "GET", h_state},
    {"/api/grid", "POST", h_grid},
    {"/api/load", "POST", h_load},
    {"/api/time", "POST", h_time},
    /* link emulation and module inputs (w4) */
    {"/api/link", "GET", h_link_get},
    {"/api/link", "POST", h_link_set},
    {"/api/io", "POST", h_io},
    /* devices (w2) */
    {"/api/button", "POST", h_button},
    {"/api/cover", "POST", h_cover},
    {"/api/magnet", "POST", h_magnet},
};

static void bad_request(reply_t *r, const char *msg) {
    r->status = 400;
    snprintf(r->error, sizeof(r->error), "%s", msg);
}

static void conflict(reply_t *r, const char *msg) {
    r->status = 409;
    snprintf(r->error, sizeof(r->error), "%s", msg);
}

static json_object *iso_utc(int64_t utc) {
    char buf[40];
    return json_object_new_string(control_format_iso(utc, 0, true, buf, sizeof(buf)));
}

/* A number rounded to `decimals` places, so the JSON shows 230.1, not
 * 230.09999999999999. */
static json_object *num(double x, int decimals) {
    char buf[48];
    snprintf(buf, sizeof(buf), "%.*f", decimals, x);
    return json_object_new_double_s(x, buf);
}

static json_object *phases_or_null(const double v[3], int decimals) {
    json_object *a = json_object_new_array();
    for (unsigned k = 0; k < 3; k++)
        json_object_array_add(a, isnan(v[k]) ? NULL : num(v[k], decimals));
    return a;
}

/* ---- GET /api/state -------------------------------------------------------- */

static json_object *state_time(const control_t *c) {
    const meter_t *m = runtime_meter(c->rt);
    int64_t utc = runtime_clock(c->rt);
    json_object *t = json_object_new_object();
    char buf[40];
    cosem_datetime_t dt;
    json_object_object_add(t, "utc", iso_utc(utc));
    if (cosem_clock_local(&m->clock, utc, &dt) == 0)
        json_object_object_add(t, "local",
                               json_object_new_string(control_format_iso(utc, -dt.deviation, false,
                                                                         buf, sizeof(buf))));
    json_object_object_add(t, "dst",
                           json_object_new_boolean(cosem_clock_dst_active(&m->clock, utc)));
    /* The instant the measures below are for (the meter runs up to its
     * clock in steps: equal to utc, or a step behind at high speed). */
    json_object_object_add(t, "measured_utc", iso_utc(runtime_meter_utc(c->rt)));
    return t;
}

static json_object *state_measures(const meter_t *m) {
    const meter_instant_t *in = &m->inst;
    json_object *o = json_object_new_object();
    json_object *v = json_object_new_array(), *i = json_object_new_array();
    json_object *pi = json_object_new_array(), *pe = json_object_new_array();
    json_object *pf = json_object_new_array();
    for (unsigned k = 0; k < 3; k++) {
        json_object_array_add(v, num(in->v_dv[k] / 10.0, 1));
        json_object_array_add(i, num(in->i_ca[k] / 100.0, 2));
        json_object_array_add(pi, json_object_new_int64(in->p_plus_ph_w[k]));
        json_object_array_add(pe, json_object_new_int64(in->p_minus_ph_w[k]));
        json_object_array_add(pf, num(in->pf_ph_milli[k] / 1000.0, 3));
    }
    json_object_object_add(o, "voltage_v", v);
    json_object_object_add(o, "current_a", i);
    json_object_object_add(o, "import_w", pi);
    json_object_object_add(o, "export_w", pe);
    json_object_object_add(o, "import_total_w", json_object_new_int64(in->p_plus_w));
    json_object_object_add(o, "export_total_w", json_object_new_int64(in->p_minus_w));
    json_object_object_add(o, "frequency_hz", num(in->freq_chz / 100.0, 2));
    json_object_object_add(o, "power_factor", num(in->pf_milli / 1000.0, 3));
    json_object_object_add(o, "power_factor_phase", pf);
    json_object_object_add(o, "neutral_current_a", num(in->i_neutral_ca / 100.0, 2));
    return o;
}

static json_object *state_energy(const meter_t *m) {
    json_object *o = json_object_new_object();
    json_object *ti = json_object_new_array(), *te = json_object_new_array();
    json_object_object_add(o, "import_total",
                           json_object_new_int64(meter_energy_wh(&m->energy, METER_E_A_PLUS)));
    json_object_object_add(o, "export_total",
                           json_object_new_int64(meter_energy_wh(&m->energy, METER_E_A_MINUS)));
    for (unsigned t = 0; t < m->tariffs; t++) {
        json_object_array_add(ti, json_object_new_int64(meter_energy_wh(
                                      &m->energy, (enum meter_ereg)(METER_E_A_PLUS_T1 + (int)t))));
        json_object_array_add(te, json_object_new_int64(meter_energy_wh(
                                      &m->energy, (enum meter_ereg)(METER_E_A_MINUS_T1 + (int)t))));
    }
    json_object_object_add(o, "import_tariff", ti);
    json_object_object_add(o, "export_tariff", te);
    return o;
}

static json_object *state_pq(const meter_t *m) {
    json_object *o = json_object_new_object();
    json_object *sg = json_object_new_array(), *sw = json_object_new_array();
    for (unsigned k = 0; k < 3; k++) {
        json_object_array_add(sg, json_object_new_int64(m->pq.ph[k].sags));
        json_object_array_add(sw, json_object_new_int64(m->pq.ph[k].swells));
    }
    json_object_object_add(o, "sags", sg);
    json_object_object_add(o, "swells", sw);
    return o;
}

static json_object *state_inputs(const control_t *c) {
    runtime_inputs_t in;
    runtime_inputs(c->rt, &in);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "voltage_v", phases_or_null(in.voltage, 1));
    json_object_object_add(o, "current_a", phases_or_null(in.current_a, 2));
    json_object_object_add(o, "angle_deg", phases_or_null(in.angle_deg, 1));
    json_object *p = NULL;
    if (in.pulse) {
        p = json_object_new_object();
        json_object_object_add(p, "kind", json_object_new_string(in.pulse_swell ? "swell" : "sag"));
        json_object_object_add(p, "phase", json_object_new_int(in.pulse_phase));
        json_object_object_add(p, in.pulse_swell ? "rise_pct" : "depth_pct", num(in.pulse_pct, 1));
        json_object_object_add(p, "from", iso_utc(in.pulse_from));
        json_object_object_add(p, "until", iso_utc(in.pulse_until));
    }
    json_object_object_add(o, "pulse", p);
    return o;
}

static json_object *state_json(control_t *c) {
    const meter_t *m = runtime_meter(c->rt);
    runtime_inputs_t in;
    runtime_inputs(c->rt, &in);
    json_object *s = json_object_new_object();
    json_object_object_add(s, "variant", json_object_new_string(meter_variant_name(m->variant)));
    json_object_object_add(s, "time", state_time(c));
    json_object_object_add(s, "speed", json_object_new_int64(runtime_speed(c->rt)));
    json_object *mains = json_object_new_object();
    json_object_object_add(mains, "on", json_object_new_boolean(in.mains));
    json_object_object_add(mains, "outage_until", in.mains ? NULL : iso_utc(in.outage_until));
    json_object_object_add(s, "mains", mains);
    json_object_object_add(s, "tariff", json_object_new_int(m->tariff));
    json_object_object_add(s, "alarms", control_alarms_json(m->alarm[0]));
    json_object_object_add(s, "measures", state_measures(m));
    json_object_object_add(s, "energy_wh", state_energy(m));
    json_object_object_add(s, "power_quality", state_pq(m));
    json_object_object_add(s, "inputs", state_inputs(c));
    /* The device modules' members ("lcd", "led", "relay"): control_add_state. */
    for (size_t i = 0; i < c->state_count; i++) {
        json_object *v = c->state[i].fn(c->state[i].user);
        if (v != NULL)
            json_object_object_add(s, c->state[i].name, v);
    }
    return s;
}

static void h_state(control_t *c, const char *body, size_t len, reply_t *r) {
    (void)body;
    (void)len;
    r->json = state_json(c);
}

/* ---- POST /api/grid, /api/load, /api/time ----------------------------------- */

static void h_grid(control_t *c, const char *body, size_t len, reply_t *r) {
    control_grid_t g;
    char err[200];
    if (control_parse_grid(body, len, &g, err, sizeof(err)) != 0) {
        bad_request(r, err);
        return;
    }
    int rc = 0;
    if (g.kind == CONTROL_GRID_OUTAGE)
        rc = runtime_outage(c->rt, g.outage_s, err, sizeof(err));
    else if (g.kind == CONTROL_GRID_VOLTAGE)
        rc = runtime_set_voltage(c->rt, g.voltage, err, sizeof(err));
    else
        rc = runtime_pulse(c->rt, g.phase, g.kind == CONTROL_GRID_SWELL, g.pct, g.duration_ms, err,
                           sizeof(err));
    if (rc != 0) {
        conflict(r, err);
        return;
    }
    r->json = state_json(c);
}

static void h_load(control_t *c, const char *body, size_t len, reply_t *r) {
    control_load_t l;
    char err[200];
    if (control_parse_load(body, len, &l, err, sizeof(err)) != 0) {
        bad_request(r, err);
        return;
    }
    if (runtime_set_load(c->rt, l.auto_all, l.current_a, l.angle_deg, err, sizeof(err)) != 0) {
        conflict(r, err);
        return;
    }
    r->json = state_json(c);
}

static void h_time(control_t *c, const char *body, size_t len, reply_t *r) {
    control_time_t t;
    char err[200];
    if (control_parse_time(body, len, &t, err, sizeof(err)) != 0) {
        bad_request(r, err);
        return;
    }
    if ((t.has_speed && runtime_set_speed(c->rt, t.speed, err, sizeof(err)) != 0) ||
        (t.has_set && runtime_set_time(c->rt, t.set_utc, err, sizeof(err)) != 0)) {
        conflict(r, err);
        return;
    }
    r->json = state_json(c);
}

/* ---- /api/link, /api/io (w4: apps/emeter/modem_host.h) ----------------------
 * GET /api/link: the link emulation's parameters and counters; POST: any
 * of its fields (docs/communication.md "Host"), answered with the new
 * state. POST /api/io {"port": 1|2, "level": 0|1}: a module input
 * (docs/module-io.md), answered with GET /api/state. */
static void link_reply(reply_t *r) {
    char buf[512];
    if (emeter_link_json(buf, sizeof(buf)) < 0) {
        conflict(r, "link: no link emulation");
        return;
    }
    r->json = json_tokener_parse(buf);
}

static void h_link_get(control_t *c, const char *body, size_t len, reply_t *r) {
    (void)c;
    (void)body;
    (void)len;
    link_reply(r);
}

static void h_link_set(control_t *c, const char *body, size_t len, reply_t *r) {
    (void)c;
    char err[200];
    if (emeter_link_update_json(body, len, err, sizeof(err)) != 0) {
        bad_request(r, err);
        return;
    }
    link_reply(r);
}

static void h_io(control_t *c, const char *body, size_t len, reply_t *r) {
    json_object *o = json_tokener_parse(body);
    json_object *p = NULL, *l = NULL;
    (void)len;
    if (o == NULL || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, "port", &p) || !json_object_object_get_ex(o, "level", &l) ||
        !json_object_is_type(p, json_type_int) || !json_object_is_type(l, json_type_int) ||
        json_object_object_length(o) != 2) {
        json_object_put(o);
        bad_request(r, "io: expected {\"port\": 1 or 2, \"level\": 0 or 1}");
        return;
    }
    int64_t port = json_object_get_int64(p), level = json_object_get_int64(l);
    json_object_put(o);
    if (port < 1 || port > 2 || level < 0 || level > 1) {
        bad_request(r, "io: port 1 or 2, level 0 or 1");
        return;
    }
    int rc = emeter_io_input((unsigned)port, (unsigned)level);
    if (rc != 0) {
        conflict(r, meter_module_io_strerror(rc));
        return;
    }
    r->json = state_json(c);
}

/* ---- devices (w2): POST /api/button, /api/cover, /api/magnet ---------------- */

static void h_button(control_t *c, const char *body, size_t len, reply_t *r) {
    control_button_t b;
    char err[200];
    int press = 0;
    if (control_parse_button(body, len, &b, err, sizeof(err)) != 0) {
        bad_request(r, err);
        return;
    }
    if (runtime_button(c->rt, b.edge, b.down, b.hold_ms, &press, err, sizeof(err)) != 0) {
        conflict(r, err);
        return;
    }
    r->json = state_json(c);
    json_object_object_add(r->json, "press", json_object_new_string(control_press_name(press)));
}

static void h_cover(control_t *c, const char *body, size_t len, reply_t *r) {
    control_cover_t cv;
    char err[200];
    if (control_parse_cover(body, len, &cv, err, sizeof(err)) != 0) {
        bad_request(r, err);
        return;
    }
    if (runtime_cover(c->rt, cv.which, cv.open, err, sizeof(err)) != 0) {
        conflict(r, err);
        return;
    }
    r->json = state_json(c);
}

static void h_magnet(control_t *c, const char *body, size_t len, reply_t *r) {
    uint16_t mt;
    char err[200];
    if (control_parse_magnet(body, len, &mt, err, sizeof(err)) != 0) {
        bad_request(r, err);
        return;
    }
    if (runtime_magnet(c->rt, mt, err, sizeof(err)) != 0) {
        conflict(r, err);
        return;
    }
    r->json = state_json(c);
}

/* ---- HTTP ------------------------------------------------------------------- */

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status, const char *text,
                                 const char *allow) {
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (allow != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result rc = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status, const char *msg,
                                  const char *allow) {
    char *body = control_error_body(msg);
    enum MHD_Result rc = send_text(conn, status, body ? body : "{}", allow);
    free(body);
    return rc;
}

static enum MHD_Result dispatch(control_t *c, struct MHD_Connection *conn, const char *url,
                                const char *method, request_t *req) {
    const struct endpoint *match = NULL;
    bool path_known = false;
    for (size_t i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++) {
        if (strcmp(endpoints[i].path, url) != 0)
            continue;
        path_known = true;
        if (strcmp(endpoints[i].method, method) == 0)
            match = &endpoints[i];
    }
    if (!path_known) {
        char msg[160];
        snprintf(msg, sizeof(msg), "no endpoint %.100s", url);
        return send_error(conn, MHD_HTTP_NOT_FOUND, msg, NULL);
    }
    if (match == NULL) {
        char allow[32] = "", msg[200];
        for (size_t i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++)
            if (strcmp(endpoints[i].path, url) == 0)
                snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow), "%s%s",
                         allow[0] ? ", " : "", endpoints[i].method);
        snprintf(msg, sizeof(msg), "%.100s takes %s, not %.16s", url, allow, method);
        return send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, msg, allow);
    }
    if (req->too_big) {
        char msg[96];
        snprintf(msg, sizeof(msg), "(body): larger than %u bytes", CONTROL_BODY_MAX);
        return send_error(conn, 413u, msg, NULL);
    }
    reply_t r = {.status = 200};
    req->body[req->len] = '\0';
    match->fn(c, req->body, req->len, &r);
    if (r.status != 200 || r.json == NULL)
        return send_error(conn, r.status != 200 ? r.status : 500,
                          r.error[0] ? r.error : "internal error", NULL);
    enum MHD_Result rc =
        send_text(conn, 200,
                  json_object_to_json_string_ext(r.json, JSON_C_TO_STRING_PLAIN |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE),
                  NULL);
    json_object_put(r.json);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
    (void)version;
    request_t *req = *con_cls;
    if (req == NULL) {
        req = calloc(1, sizeof(*req));
        if (req == NULL)
            return MHD_NO;
        *con_cls = req;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        if (req->len + *upload_data_size > CONTROL_BODY_MAX) {
            req->too_big = true;
        } else {
            memcpy(req->body + req->len, upload_data, *upload_data_size);
            req->len += *upload_data_size;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    return dispatch(cls, conn, url, method, req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)cls;
    (void)conn;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

/* ---- the loop ------------------------------------------------------------ */

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)(ts.tv_nsec / 1000000);
}

static void on_ready(void *user) {
    control_t *c = user;
    MHD_run(c->d);
}

/* After every round: MHD's own timers (connection timeouts). */
static void on_tick(void *user) {
    control_t *c = user;
    MHD_UNSIGNED_LONG_LONG t;
    if (MHD_get_timeout(c->d, &t) == MHD_YES) {
        if (t == 0)
            MHD_run(c->d);
        else
            net_wake_at(c->net, now_ms() + t);
    }
}

static void on_close(void *user) {
    control_t *c = user;
    MHD_stop_daemon(c->d);
    free(c);
}

control_t *control_open(net_t *n, const char *addr, runtime_t *rt, char *err, size_t errlen) {
    cfg_listen_t l;
    if (emeter_config_parse_listen(addr, &l) != 0) {
        snprintf(err, errlen, "control API: expected HOST:PORT or off, got \"%s\"", addr);
        return NULL;
    }
    struct addrinfo *res = NULL;
    int grc = listen_resolve(&l, SOCK_STREAM, &res);
    if (grc != 0) {
        snprintf(err, errlen, "control API %s: %s", addr, gai_strerror(grc));
        return NULL;
    }
    control_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        freeaddrinfo(res);
        snprintf(err, errlen, "control API: out of memory");
        return NULL;
    }
    c->net = n;
    c->rt = rt;
    unsigned flags = MHD_USE_EPOLL | (res->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    c->d = MHD_start_daemon(flags, l.port, NULL, NULL, on_request, c, MHD_OPTION_SOCK_ADDR,
                            res->ai_addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed, c,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_END);
    freeaddrinfo(res);
    if (c->d == NULL) {
        snprintf(err, errlen, "control API: cannot listen on %s (in use?)", addr);
        free(c);
        return NULL;
    }
    const union MHD_DaemonInfo *pi = MHD_get_daemon_info(c->d, MHD_DAEMON_INFO_BIND_PORT);
    const union MHD_DaemonInfo *ei = MHD_get_daemon_info(c->d, MHD_DAEMON_INFO_EPOLL_FD);
    c->port = pi != NULL ? pi->port : l.port;
    if (ei == NULL || net_add_fd(n, ei->epoll_fd, on_ready, on_tick, on_close, c) != 0) {
        snprintf(err, errlen, "control API: cannot add it to the event loop");
        MHD_stop_daemon(c->d);
        free(c);
        return NULL;
    }
    printf("emeter: control API on http://%s:%u/api/state\n", l.host, c->port);
    fflush(stdout);
    return c;
}

unsigned control_port(const control_t *c) {
    return c->port;
}

int control_add_state(control_t *c, const char *name, control_state_fn fn, void *user) {
    if (c == NULL || fn == NULL || c->state_count >= CONTROL_MAX_STATE)
        return -1;
    c->state[c->state_count].name = name;
    c->state[c->state_count].fn = fn;
    c->state[c->state_count].user = user;
    c->state_count++;
    return 0;
}
