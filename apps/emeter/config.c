/*
 * config.c - load and validate the emeter JSON configuration with json-c.
 *
 * Unknown fields are refused (a typo in a key name must not silently leave
 * a factory key in place), and every message names the field and the
 * reason, e.g. "meter.json: keys.ak: expected 32 hex digits".
 *
 * Schema (all fields optional):
 *   {
 *     "variant": "esmr" | "omni",
 *     "identity": { "serial_number": "00000001", "manufacturer": "MMM",
 *                   "logical_device_name": "MMM00000001", "system_title": "16 hex digits" },
 *     "keys": { "guek": "32 hex", "gbek": "32 hex", "ak": "32 hex", "kek": "32 hex",
 *               "token": "32 hex" },
 *     "associations": { "lls_password": "...", "pre_established": false, "max_pdu": 1024 },
 *     "listen": ["127.0.0.1:4059"],
 *     "inactivity_timeout_s": 120, "max_connections": 16,
 *     "clock": { "time_zone_min": -60 },
 *     "load": { "seed": 1, "annual_kwh": 3500, "pv_kwp": 0, "heat_pump": false },
 *     "push": { "scheduled": { "destination": "host:port", "transport": "tcp" | "udp",
 *                              "randomisation_start_interval": 0, "number_of_retries": 3,
 *                              "repetition_delay": 30 },
 *               "alarm": { ...the same... }, "ciphered": true, "destination_wport": 102 },
 *     "p1": ["pty", "tcp:127.0.0.1:2323"],
 *     "control": "127.0.0.1:8059" | "off",
 *     "modem": { "imei": "15 digits", "imei_lock": "15 digits", "apn": "internet", "mode": 101,
 *                "mean_delay_s": 60, "destination": "host[:port]", "wake_listen": "HOST:PORT",
 *                "wake_allowed": ["10.20.30.40"], "wake_content": "WAKEUP", "gate": false },
 *     "link": { "latency_ms": 0, "bandwidth_bps": 0, "loss_pct": 0, "seed": 1,
 *               "outage_every_s": 0, "outage_s": 0, "down": false, "rssi_dbm": -75 },
 *     "io": { "z3": 0, "z8": 1, "z12": 0, "z13": 0 }
 *     "breaker": false,
 *     "supervision": { "over_current_a": 69, "over_current_s": 10, "over_power_kw": 0,
 *                      "over_power_s": 0, "over_voltage_v": 276, "over_voltage_s": 5,
 *                      "neutral_loss": true, "neutral_s": 0, "restore_s": 60 }
 *   }
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cosem/push_setup.h"
#include "cosem/auto_connect.h"     /* modem (w4) */
#include "cosem/gprs_modem_setup.h" /* modem (w4) */

/* The well-known DLMS example keys (Green Book; dlms-facts §3.1, §3.4). */
static const uint8_t EXAMPLE_EK[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                       0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
static const uint8_t EXAMPLE_AK[16] = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7,
                                       0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF};

typedef struct errctx {
    char *buf;
    size_t len;
    const char *file;
} errctx_t;

static int fail(errctx_t *e, const char *field, const char *fmt, ...) {
    char reason[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    snprintf(e->buf, e->len, "%s: %s: %s", e->file, field, reason);
    return -1;
}

static int hexval(int ch) {
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = tolower(ch);
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* Exactly n bytes of hex (2n digits). */
static int parse_hex(const char *s, uint8_t *out, size_t n) {
    if (strlen(s) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval((unsigned char)s[2 * i]), lo = hexval((unsigned char)s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static void system_title_from_identity(emeter_config_t *c) {
    /* FLAG id in the first 3 bytes; the serial number's digits as BCD-like
     * packing in the last 5 (as meters derive it from their serial). */
    memcpy(c->system_title, c->manufacturer, 3);
    uint64_t v = strtoull(c->serial_number, NULL, 10);
    for (int i = 7; i >= 3; i--) {
        c->system_title[i] = (uint8_t)(v & 0xFF);
        v >>= 8;
    }
}

/* The FLAG id followed by the serial number, cut to the 16 octets of a
 * logical device name (a 16-digit serial would give 19). */
static void default_ldn(emeter_config_t *c) {
    char ldn[CFG_LDN_MAX + CFG_SERIAL_MAX + 8];
    int n = snprintf(ldn, sizeof(ldn), "%s%s", c->manufacturer, c->serial_number);
    size_t len = n < 0 ? 0 : (size_t)n;
    if (len > CFG_LDN_MAX)
        len = CFG_LDN_MAX;
    memcpy(c->logical_device_name, ldn, len);
    c->logical_device_name_len = len;
}

void emeter_config_defaults(emeter_config_t *c) {
    memset(c, 0, sizeof(*c));
    strcpy(c->variant, "esmr");
    strcpy(c->serial_number, "00000001");
    strcpy(c->manufacturer, "MMM");
    default_ldn(c);
    system_title_from_identity(c);
    memcpy(c->guek, EXAMPLE_EK, 16);
    memcpy(c->gbek, EXAMPLE_EK, 16);
    memcpy(c->ak, EXAMPLE_AK, 16);
    memcpy(c->kek, EXAMPLE_EK, 16);
    c->factory_keys = true;
    strcpy(c->listen[0].host, "127.0.0.1");
    c->listen[0].port = 4059;
    c->listen_count = 1;
    c->inactivity_timeout_s = 120;
    c->max_connections = 16;
    c->storage_sector_size = 4096;
    c->storage_commit_period_s = 1;
    c->tamper_threshold_s = -1;
    c->max_pdu = 1024;
    c->time_zone_min = -60;
    c->load_seed = 1;
    c->load_annual_kwh = 3500.0;
    /* push (h7): no destination; 3 retries 30 s apart; ciphered; to the
     * head-end's wPort 102 (docs/push.md) */
    c->push_sched.retries = c->push_alarm.retries = 3;
    c->push_sched.repetition_delay_s = c->push_alarm.repetition_delay_s = 30;
    c->push_ciphered = true;
    c->push_dest_wport = 102;
    strcpy(c->control, CFG_CONTROL_DEFAULT);
    /* modem, link, io (w4): docs/communication.md, docs/module-io.md */
    memset(c->modem.imei, '0', 15);
    strcpy(c->modem.apn, "internet");
    c->modem.mode = 101;
    c->modem.mean_delay_s = 60;
    strcpy(c->modem.wake_host, "127.0.0.1");
    link_params_default(&c->link);
    c->io_z8 = 1;
    /* supervision (w3): every field "not given" */
    c->supervision.over_current_a = c->supervision.over_power_kw = -1.0;
    c->supervision.over_voltage_v = -1.0;
    c->supervision.over_current_s = c->supervision.over_power_s = -1;
    c->supervision.over_voltage_s = c->supervision.neutral_s = c->supervision.restore_s = -1;
    c->supervision.neutral_loss = -1;
}

int emeter_config_parse_listen(const char *s, cfg_listen_t *out) {
    const char *colon;
    size_t hostlen;
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (end == NULL || end[1] != ':')
            return -1;
        hostlen = (size_t)(end - s - 1);
        s++;
        colon = end + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL)
            return -1;
        hostlen = (size_t)(colon - s);
    }
    if (hostlen == 0 || hostlen >= sizeof(out->host))
        return -1;
    char *endp;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &endp, 10);
    if (errno != 0 || *endp != '\0' || colon[1] == '\0' || port > 65535)
        return -1;
    memcpy(out->host, s, hostlen);
    out->host[hostlen] = '\0';
    out->port = (uint16_t)port;
    return 0;
}

/* Refuse any member of obj not named in allowed (NULL-terminated). */
static int check_members(errctx_t *e, json_object *obj, const char *prefix,
                         const char *const *allowed) {
    json_object_object_foreach(obj, key, val) {
        (void)val;
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0)
                ok = 1;
        if (!ok) {
            char field[96];
            snprintf(field, sizeof(field), "%s%s", prefix, key);
            return fail(e, field, "unknown field");
        }
    }
    return 0;
}

static int get_string(errctx_t *e, json_object *obj, const char *key, const char *field,
                      const char **out) {
    json_object *v;
    *out = NULL;
    if (!json_object_object_get_ex(obj, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_string))
        return fail(e, field, "expected a string");
    *out = json_object_get_string(v);
    return 0;
}

static int get_uint(errctx_t *e, json_object *obj, const char *key, const char *field, uint64_t min,
                    uint64_t max, uint64_t *out, int *present) {
    json_object *v;
    *present = 0;
    if (!json_object_object_get_ex(obj, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_int))
        return fail(e, field, "expected an integer");
    int64_t x = json_object_get_int64(v);
    if (x < 0 || (uint64_t)x < min || (uint64_t)x > max)
        return fail(e, field, "must be between %llu and %llu", (unsigned long long)min,
                    (unsigned long long)max);
    *out = (uint64_t)x;
    *present = 1;
    return 0;
}

static int get_number(errctx_t *e, json_object *obj, const char *key, const char *field, double min,
                      double max, double *out) {
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
        return fail(e, field, "expected a number");
    double x = json_object_get_double(v);
    if (!(x >= min && x <= max))
        return fail(e, field, "must be between %g and %g", min, max);
    *out = x;
    return 0;
}

/* The household of the load simulator; ranges as loadsim_init accepts
 * them (docs/loadsim.md section 4). */
static int load_load(errctx_t *e, json_object *l, emeter_config_t *c) {
    static const char *const allowed[] = {"seed", "annual_kwh", "pv_kwp", "heat_pump", NULL};
    if (!json_object_is_type(l, json_type_object))
        return fail(e, "load", "expected an object");
    if (check_members(e, l, "load.", allowed))
        return -1;
    uint64_t x;
    int present;
    if (get_uint(e, l, "seed", "load.seed", 0, (uint64_t)INT64_MAX, &x, &present))
        return -1;
    if (present)
        c->load_seed = x;
    if (get_number(e, l, "annual_kwh", "load.annual_kwh", 100, 100000, &c->load_annual_kwh) ||
        get_number(e, l, "pv_kwp", "load.pv_kwp", 0, 100, &c->load_pv_kwp))
        return -1;
    json_object *v;
    if (json_object_object_get_ex(l, "heat_pump", &v)) {
        if (!json_object_is_type(v, json_type_boolean))
            return fail(e, "load.heat_pump", "expected true or false");
        c->load_heat_pump = json_object_get_boolean(v);
    }
    return 0;
}

/* ---- push (h7) ---- */
static int load_push_one(errctx_t *e, json_object *o, const char *name, cfg_push_t *p) {
    static const char *const allowed[] = {
        "destination",       "transport",        "randomisation_start_interval",
        "number_of_retries", "repetition_delay", NULL};
    char prefix[32], field[96];
    snprintf(prefix, sizeof(prefix), "push.%s.", name);
    snprintf(field, sizeof(field), "push.%s", name);
    if (!json_object_is_type(o, json_type_object))
        return fail(e, field, "expected an object");
    if (check_members(e, o, prefix, allowed))
        return -1;
    const char *s;
    snprintf(field, sizeof(field), "%stransport", prefix);
    if (get_string(e, o, "transport", field, &s))
        return -1;
    if (s) {
        if (strcmp(s, "tcp") != 0 && strcmp(s, "udp") != 0)
            return fail(e, field, "expected \"tcp\" or \"udp\"");
        p->transport = strcmp(s, "udp") == 0 ? COSEM_PUSH_UDP : COSEM_PUSH_TCP;
    }
    snprintf(field, sizeof(field), "%sdestination", prefix);
    if (get_string(e, o, "destination", field, &s))
        return -1;
    if (s) {
        cosem_push_state_t tmp;
        cosem_push_init(&tmp);
        if (strlen(s) >= sizeof(p->destination) ||
            cosem_push_set_destination(&tmp, COSEM_PUSH_TCP, s) != 0)
            return fail(e, field, "expected \"HOST:PORT\" (port 1..65535, at most %d characters)",
                        EM_COSEM_PUSH_DESTINATION_MAX);
        strcpy(p->destination, s);
    }
    uint64_t x;
    int present;
    snprintf(field, sizeof(field), "%srandomisation_start_interval", prefix);
    if (get_uint(e, o, "randomisation_start_interval", field, 0, 65535, &x, &present))
        return -1;
    if (present)
        p->randomisation_s = (uint16_t)x;
    snprintf(field, sizeof(field), "%snumber_of_retries", prefix);
    if (get_uint(e, o, "number_of_retries", field, 0, 255, &x, &present))
        return -1;
    if (present)
        p->retries = (uint8_t)x;
    snprintf(field, sizeof(field), "%srepetition_delay", prefix);
    if (get_uint(e, o, "repetition_delay", field, 0, 65535, &x, &present))
        return -1;
    if (present)
        p->repetition_delay_s = (uint16_t)x;
    return 0;
}

static int load_push(errctx_t *e, json_object *o, emeter_config_t *c) {
    static const char *const allowed[] = {"scheduled", "alarm", "ciphered", "destination_wport",
                                          NULL};
    if (!json_object_is_type(o, json_type_object))
        return fail(e, "push", "expected an object");
    if (check_members(e, o, "push.", allowed))
        return -1;
    json_object *v;
    if (json_object_object_get_ex(o, "scheduled", &v) &&
        load_push_one(e, v, "scheduled", &c->push_sched))
        return -1;
    if (json_object_object_get_ex(o, "alarm", &v) && load_push_one(e, v, "alarm", &c->push_alarm))
        return -1;
    if (json_object_object_get_ex(o, "ciphered", &v)) {
        if (!json_object_is_type(v, json_type_boolean))
            return fail(e, "push.ciphered", "expected true or false");
        c->push_ciphered = json_object_get_boolean(v);
    }
    uint64_t x;
    int present;
    if (get_uint(e, o, "destination_wport", "push.destination_wport", 1, 65535, &x, &present))
        return -1;
    if (present)
        c->push_dest_wport = (uint16_t)x;
    return 0;
}
/* ---- end push ---- */

/* ---- modem, link, io (w4) ---- */
static int imei_ok(const char *s) {
    if (strlen(s) != 15)
        return 0;
    for (int i = 0; i < 15; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int load_modem(errctx_t *e, json_object *o, emeter_config_t *c) {
    static const char *const allowed[] = {
        "imei",         "imei_lock",   "apn",         "mode",
        "mean_delay_s", "destination", "wake_listen", "wake_allowed",
        "wake_content", "gate",        NULL};
    cfg_modem_t *md = &c->modem;
    if (!json_object_is_type(o, json_type_object))
        return fail(e, "modem", "expected an object");
    if (check_members(e, o, "modem.", allowed))
        return -1;
    const char *s;
    if (get_string(e, o, "imei", "modem.imei", &s))
        return -1;
    if (s) {
        if (!imei_ok(s))
            return fail(e, "modem.imei", "expected 15 digits");
        strcpy(md->imei, s);
    }
    if (get_string(e, o, "imei_lock", "modem.imei_lock", &s))
        return -1;
    if (s) {
        if (s[0] != '\0' && !imei_ok(s))
            return fail(e, "modem.imei_lock", "expected 15 digits or \"\" (no lock)");
        strcpy(md->imei_lock, s);
    }
    if (get_string(e, o, "apn", "modem.apn", &s))
        return -1;
    if (s) {
        if (strlen(s) >= sizeof(md->apn) || !cosem_gprs_apn_ok((const uint8_t *)s, strlen(s)))
            return fail(e, "modem.apn",
                        "expected dot-separated labels of letters, digits and "
                        "hyphens, at most 100 bytes");
        strcpy(md->apn, s);
    }
    uint64_t x;
    int present;
    if (get_uint(e, o, "mode", "modem.mode", 0, 255, &x, &present))
        return -1;
    if (present) {
        if (!cosem_auto_connect_mode_ok((uint8_t)x))
            return fail(e, "modem.mode", "expected an Auto connect mode 0-3 or 101-104");
        md->mode = (uint8_t)x;
    }
    if (get_uint(e, o, "mean_delay_s", "modem.mean_delay_s", 0, 3600, &x, &present))
        return -1;
    if (present)
        md->mean_delay_s = (uint32_t)x;
    if (get_string(e, o, "destination", "modem.destination", &s))
        return -1;
    if (s) {
        cosem_comm_dest_t d;
        if (strlen(s) >= sizeof(md->destination) ||
            (s[0] != '\0' && cosem_comm_parse_destination((const uint8_t *)s, strlen(s), &d) != 0))
            return fail(e, "modem.destination", "expected \"host[:port]\" (IPv4 or FQDN)");
        strcpy(md->destination, s);
    }
    if (get_string(e, o, "wake_listen", "modem.wake_listen", &s))
        return -1;
    if (s) {
        cfg_listen_t l;
        if (emeter_config_parse_listen(s, &l) != 0)
            return fail(e, "modem.wake_listen", "expected \"HOST:PORT\" (port 0: any free port)");
        strcpy(md->wake_host, l.host);
        md->wake_port = l.port;
        md->wake_port_set = true;
    }
    json_object *v;
    if (json_object_object_get_ex(o, "wake_allowed", &v)) {
        if (!json_object_is_type(v, json_type_array) ||
            json_object_array_length(v) > CFG_WAKE_ALLOWED_MAX)
            return fail(e, "modem.wake_allowed", "expected an array of at most %d IPv4 addresses",
                        CFG_WAKE_ALLOWED_MAX);
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++) {
            json_object *it = json_object_array_get_idx(v, i);
            const char *a =
                json_object_is_type(it, json_type_string) ? json_object_get_string(it) : NULL;
            uint32_t ip;
            if (a == NULL || strlen(a) > 15 ||
                !cosem_comm_parse_ipv4((const uint8_t *)a, strlen(a), &ip))
                return fail(e, "modem.wake_allowed", "entry %zu: expected an IPv4 address", i);
            strcpy(md->wake_allowed[i], a);
        }
        md->wake_allowed_count = n;
    }
    if (get_string(e, o, "wake_content", "modem.wake_content", &s))
        return -1;
    if (s) {
        if (strlen(s) > sizeof(md->wake_content))
            return fail(e, "modem.wake_content", "at most %zu bytes", sizeof(md->wake_content));
        md->wake_content_len = strlen(s);
        memcpy(md->wake_content, s, md->wake_content_len);
    }
    if (json_object_object_get_ex(o, "gate", &v)) {
        if (!json_object_is_type(v, json_type_boolean))
            return fail(e, "modem.gate", "expected true or false");
        md->gate = json_object_get_boolean(v);
    }
    return 0;
}

static int load_io(errctx_t *e, json_object *o, emeter_config_t *c) {
    static const char *const allowed[] = {"z3", "z8", "z12", "z13", NULL};
    if (!json_object_is_type(o, json_type_object))
        return fail(e, "io", "expected an object");
    if (check_members(e, o, "io.", allowed))
        return -1;
    uint64_t x;
    int present;
    if (get_uint(e, o, "z3", "io.z3", 0, 28, &x, &present))
        return -1;
    if (present) {
        if (x == 24 || x == 25)
            return fail(e, "io.z3", "24 and 25 are not in the Z3 table");
        c->io_z3 = (uint8_t)x;
    }
    if (get_uint(e, o, "z8", "io.z8", 1, 4, &x, &present))
        return -1;
    if (present)
        c->io_z8 = (uint8_t)x;
    if (get_uint(e, o, "z12", "io.z12", 0, 3, &x, &present))
        return -1;
    if (present)
        c->io_z12 = (uint8_t)x;
    if (get_uint(e, o, "z13", "io.z13", 0, 2, &x, &present))
        return -1;
    if (present)
        c->io_z13 = (uint8_t)x;
    return 0;
}
/* The link emulation's parameters (link.h): defaults, checks, decoding. */
void link_params_default(link_params_t *p) {
    memset(p, 0, sizeof(*p));
    p->seed = 1;
    p->rssi_dbm = -75;
}

int link_params_check(const link_params_t *p, char *err, size_t errlen) {
    const char *why = NULL;
    if (p->latency_ms > 60000)
        why = "link.latency_ms: must be between 0 and 60000";
    else if (p->bandwidth_bps != 0 && (p->bandwidth_bps < 300 || p->bandwidth_bps > 1000000000u))
        why = "link.bandwidth_bps: must be 0 (unlimited) or between 300 and 1000000000";
    else if (!(p->loss_pct >= 0.0 && p->loss_pct <= 100.0))
        why = "link.loss_pct: must be between 0 and 100";
    else if (p->outage_every_s != 0 && (p->outage_s == 0 || p->outage_s >= p->outage_every_s))
        why = "link.outage_s: must be between 1 and outage_every_s - 1";
    else if (p->outage_every_s == 0 && p->outage_s != 0)
        why = "link.outage_s: needs outage_every_s";
    else if (p->rssi_dbm < -113 || p->rssi_dbm > -51)
        why = "link.rssi_dbm: must be between -113 and -51";
    snprintf(err, errlen, "%s", why ? why : "");
    return why ? -1 : 0;
}

static int get_u(json_object *o, const char *key, uint64_t max, uint64_t *out, int *present,
                 char *err, size_t errlen) {
    json_object *v;
    *present = 0;
    if (!json_object_object_get_ex(o, key, &v))
        return 0;
    int64_t x = json_object_get_int64(v);
    if (!json_object_is_type(v, json_type_int) || x < 0 || (uint64_t)x > max) {
        snprintf(err, errlen, "link.%s: expected an integer 0..%llu", key, (unsigned long long)max);
        return -1;
    }
    *out = (uint64_t)x;
    *present = 1;
    return 0;
}

int link_params_from_object(void *obj, link_params_t *p, char *err, size_t errlen) {
    json_object *o = obj;
    if (o == NULL || !json_object_is_type(o, json_type_object)) {
        snprintf(err, errlen, "link: expected a JSON object");
        return -1;
    }
    static const char *const allowed[] = {"latency_ms", "bandwidth_bps",  "loss_pct",
                                          "seed",       "outage_every_s", "outage_s",
                                          "down",       "rssi_dbm",       NULL};
    json_object_object_foreach(o, key, val) {
        (void)val;
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            ok |= strcmp(*a, key) == 0;
        if (!ok) {
            snprintf(err, errlen, "link.%s: unknown field", key);
            return -1;
        }
    }
    link_params_t n = *p;
    uint64_t x;
    int present;
    if (get_u(o, "latency_ms", 60000, &x, &present, err, errlen))
        return -1;
    if (present)
        n.latency_ms = (uint32_t)x;
    if (get_u(o, "bandwidth_bps", 1000000000u, &x, &present, err, errlen))
        return -1;
    if (present)
        n.bandwidth_bps = (uint32_t)x;
    if (get_u(o, "seed", UINT64_MAX >> 1, &x, &present, err, errlen))
        return -1;
    if (present)
        n.seed = x;
    if (get_u(o, "outage_every_s", 86400u * 366u, &x, &present, err, errlen))
        return -1;
    if (present)
        n.outage_every_s = (uint32_t)x;
    if (get_u(o, "outage_s", 86400u * 366u, &x, &present, err, errlen))
        return -1;
    if (present)
        n.outage_s = (uint32_t)x;
    json_object *v;
    if (json_object_object_get_ex(o, "loss_pct", &v)) {
        if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double)) {
            snprintf(err, errlen, "link.loss_pct: expected a number");
            return -1;
        }
        n.loss_pct = json_object_get_double(v);
    }
    if (json_object_object_get_ex(o, "down", &v)) {
        if (!json_object_is_type(v, json_type_boolean)) {
            snprintf(err, errlen, "link.down: expected true or false");
            return -1;
        }
        n.down = json_object_get_boolean(v);
    }
    if (json_object_object_get_ex(o, "rssi_dbm", &v)) {
        if (!json_object_is_type(v, json_type_int)) {
            snprintf(err, errlen, "link.rssi_dbm: expected an integer");
            return -1;
        }
        int64_t r = json_object_get_int64(v);
        n.rssi_dbm = (int16_t)(r < -200 ? -200 : r > 0 ? 0 : r);
    }
    if (link_params_check(&n, err, errlen) != 0)
        return -1;
    *p = n;
    return 0;
}

/* The "modem", "link" and "io" sections, removed from root once read (so
 * the top level's list of known fields stays as it was). */
static int load_w4(errctx_t *e, json_object *root, emeter_config_t *c) {
    json_object *v;
    if (json_object_object_get_ex(root, "modem", &v) && load_modem(e, v, c))
        return -1;
    if (json_object_object_get_ex(root, "io", &v) && load_io(e, v, c))
        return -1;
    if (json_object_object_get_ex(root, "link", &v) &&
        link_params_from_object(v, &c->link, e->buf, e->len) != 0) {
        char why[200];
        snprintf(why, sizeof(why), "%s", e->buf);
        const char *colon = strchr(why, ':');
        char field[40];
        snprintf(field, sizeof(field), "%.*s", colon ? (int)(colon - why) : 4, why);
        /* The reason after "field: "; a message cut at the colon (a long
         * field name) has none: never read past its end. */
        const char *reason = colon ? colon + 1 : why;
        while (*reason == ' ')
            reason++;
        return fail(e, field, "%s", *reason ? reason : "invalid");
    }
    json_object_object_del(root, "modem");
    json_object_object_del(root, "link");
    json_object_object_del(root, "io");
    return 0;
}
/* ---- end modem, link, io ---- */

static int load_identity(errctx_t *e, json_object *id, emeter_config_t *c) {
    static const char *const allowed[] = {"serial_number", "manufacturer", "logical_device_name",
                                          "system_title", NULL};
    if (!json_object_is_type(id, json_type_object))
        return fail(e, "identity", "expected an object");
    if (check_members(e, id, "identity.", allowed))
        return -1;
    const char *s;
    int explicit_ldn = 0, explicit_st = 0;
    if (get_string(e, id, "serial_number", "identity.serial_number", &s))
        return -1;
    if (s) {
        size_t n = strlen(s);
        if (n == 0 || n > CFG_SERIAL_MAX)
            return fail(e, "identity.serial_number", "1 to %d characters", CFG_SERIAL_MAX);
        for (size_t i = 0; i < n; i++)
            if (!isdigit((unsigned char)s[i]))
                return fail(e, "identity.serial_number", "digits only");
        strcpy(c->serial_number, s);
    }
    if (get_string(e, id, "manufacturer", "identity.manufacturer", &s))
        return -1;
    if (s) {
        if (strlen(s) != 3 || !isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]) ||
            !isupper((unsigned char)s[2]))
            return fail(e, "identity.manufacturer", "expected a 3-letter upper-case FLAG id");
        strcpy(c->manufacturer, s);
    }
    if (get_string(e, id, "logical_device_name", "identity.logical_device_name", &s))
        return -1;
    if (s) {
        size_t n = strlen(s);
        if (n == 0 || n > CFG_LDN_MAX)
            return fail(e, "identity.logical_device_name", "1 to %d characters", CFG_LDN_MAX);
        memcpy(c->logical_device_name, s, n);
        c->logical_device_name_len = n;
        explicit_ldn = 1;
    }
    if (get_string(e, id, "system_title", "identity.system_title", &s))
        return -1;
    if (s) {
        if (parse_hex(s, c->system_title, 8))
            return fail(e, "identity.system_title", "expected 16 hex digits");
        explicit_st = 1;
    }
    if (!explicit_ldn)
        default_ldn(c);
    if (!explicit_st)
        system_title_from_identity(c);
    return 0;
}

static int load_keys(errctx_t *e, json_object *k, emeter_config_t *c) {
    static const char *const allowed[] = {"guek", "gbek", "ak", "kek", "token", NULL};
    if (!json_object_is_type(k, json_type_object))
        return fail(e, "keys", "expected an object");
    if (check_members(e, k, "keys.", allowed))
        return -1;
    struct {
        const char *name;
        uint8_t *dst;
    } keys[] = {{"guek", c->guek}, {"gbek", c->gbek}, {"ak", c->ak}, {"kek", c->kek}};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *s;
        char field[16];
        snprintf(field, sizeof(field), "keys.%s", keys[i].name);
        if (get_string(e, k, keys[i].name, field, &s))
            return -1;
        if (s == NULL)
            continue;
        if (parse_hex(s, keys[i].dst, 16))
            return fail(e, field, "expected 32 hex digits");
    }
    c->factory_keys = memcmp(c->guek, EXAMPLE_EK, 16) == 0 || memcmp(c->ak, EXAMPLE_AK, 16) == 0;
    /* prepayment (w3): the vending system's token key for this meter */
    const char *t;
    if (get_string(e, k, "token", "keys.token", &t))
        return -1;
    if (t != NULL) {
        if (parse_hex(t, c->token_key, 16))
            return fail(e, "keys.token", "expected 32 hex digits");
        c->token_key_set = true;
    }
    return 0;
}

static int load_associations(errctx_t *e, json_object *a, emeter_config_t *c) {
    static const char *const allowed[] = {"lls_password", "pre_established", "max_pdu", NULL};
    if (!json_object_is_type(a, json_type_object))
        return fail(e, "associations", "expected an object");
    if (check_members(e, a, "associations.", allowed))
        return -1;
    const char *s;
    if (get_string(e, a, "lls_password", "associations.lls_password", &s))
        return -1;
    if (s) {
        if (strlen(s) == 0 || strlen(s) >= sizeof(c->lls_password))
            return fail(e, "associations.lls_password", "1 to %zu characters",
                        sizeof(c->lls_password) - 1);
        strcpy(c->lls_password, s);
    }
    json_object *v;
    if (json_object_object_get_ex(a, "pre_established", &v)) {
        if (!json_object_is_type(v, json_type_boolean))
            return fail(e, "associations.pre_established", "expected true or false");
        c->pre_established = json_object_get_boolean(v);
    }
    uint64_t x;
    int present;
    if (get_uint(e, a, "max_pdu", "associations.max_pdu", 64, 65535, &x, &present))
        return -1;
    if (present)
        c->max_pdu = (uint16_t)x;
    return 0;
}

static int load_listen(errctx_t *e, json_object *l, emeter_config_t *c) {
    if (!json_object_is_type(l, json_type_array))
        return fail(e, "listen", "expected an array of \"HOST:PORT\" strings");
    size_t n = json_object_array_length(l);
    if (n == 0 || n > CFG_MAX_LISTEN)
        return fail(e, "listen", "1 to %d addresses", CFG_MAX_LISTEN);
    for (size_t i = 0; i < n; i++) {
        json_object *it = json_object_array_get_idx(l, i);
        char field[24];
        snprintf(field, sizeof(field), "listen[%zu]", i);
        if (!json_object_is_type(it, json_type_string) ||
            emeter_config_parse_listen(json_object_get_string(it), &c->listen[i]))
            return fail(e, field, "expected \"HOST:PORT\" with a port 0..65535 (0: any free port)");
    }
    c->listen_count = n;
    return 0;
}

/* P1 outputs: "pty", "tcp:HOST:PORT" or a device path (apps/emeter/p1port). */
static int load_p1(errctx_t *e, json_object *l, emeter_config_t *c) {
    if (!json_object_is_type(l, json_type_array))
        return fail(e, "p1", "expected an array of \"pty\", \"tcp:HOST:PORT\" or device paths");
    size_t n = json_object_array_length(l);
    if (n > CFG_MAX_P1)
        return fail(e, "p1", "at most %d outputs", CFG_MAX_P1);
    for (size_t i = 0; i < n; i++) {
        json_object *it = json_object_array_get_idx(l, i);
        char field[24];
        cfg_listen_t tcp;
        snprintf(field, sizeof(field), "p1[%zu]", i);
        const char *s = json_object_is_type(it, json_type_string) ? json_object_get_string(it) : "";
        bool ok = strcmp(s, "pty") == 0 || (s[0] == '/' && strlen(s) < sizeof(c->p1[i])) ||
                  (strncmp(s, "tcp:", 4) == 0 && emeter_config_parse_listen(s + 4, &tcp) == 0);
        if (!ok)
            return fail(e, field, "expected \"pty\", \"tcp:HOST:PORT\" or a device path");
        strcpy(c->p1[i], s);
    }
    c->p1_count = n;
    return 0;
}

static int load_control(errctx_t *e, json_object *v, emeter_config_t *c) {
    cfg_listen_t l;
    const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
    if (s == NULL || (strcmp(s, "off") != 0 && emeter_config_parse_listen(s, &l) != 0) ||
        strlen(s) >= sizeof(c->control))
        return fail(e, "control", "expected \"HOST:PORT\" or \"off\"");
    strcpy(c->control, s);
    c->control_set = true;
    return 0;
}

/* ---- pq, tariffs, hdlc, storage ---- */

static int load_pq(errctx_t *e, json_object *o, emeter_config_t *c) {
    static const char *const allowed[] = {"sag_v", "swell_v", "sag_time_s", "swell_time_s", NULL};
    if (!json_object_is_type(o, json_type_object))
        return fail(e, "pq", "expected an object");
    if (check_members(e, o, "pq.", allowed))
        return -1;
    uint64_t x;
    int present;
    /* The meter's rule: sag < 230 V declared voltage < swell. */
    if (get_number(e, o, "sag_v", "pq.sag_v", 1, 229, &c->pq_sag_v) ||
        get_number(e, o, "swell_v", "pq.swell_v", 231, 460, &c->pq_swell_v))
        return -1;
    if (get_uint(e, o, "sag_time_s", "pq.sag_time_s", 1, 3600, &x, &present))
        return -1;
    if (present)
        c->pq_sag_s = (uint32_t)x;
    if (get_uint(e, o, "swell_time_s", "pq.swell_time_s", 1, 3600, &x, &present))
        return -1;
    if (present)
        c->pq_swell_s = (uint32_t)x;
    return 0;
}

/* A day's switches: [{"at": "HH:MM", "tariff": n}, ...] in ascending time. */
static int load_switches(errctx_t *e, json_object *a, const char *name, struct cfg_switch *out,
                         size_t *n) {
    char field[64];
    if (!json_object_is_type(a, json_type_array) || json_object_array_length(a) == 0 ||
        json_object_array_length(a) > CFG_MAX_SWITCHES) {
        snprintf(field, sizeof(field), "tariffs.%s", name);
        return fail(e, field, "expected an array of 1 to %d switches", CFG_MAX_SWITCHES);
    }
    static const char *const allowed[] = {"at", "tariff", NULL};
    size_t count = json_object_array_length(a);
    for (size_t i = 0; i < count; i++) {
        json_object *sw = json_object_array_get_idx(a, i);
        snprintf(field, sizeof(field), "tariffs.%s[%zu]", name, i);
        if (!json_object_is_type(sw, json_type_object))
            return fail(e, field, "expected an object {\"at\": \"HH:MM\", \"tariff\": n}");
        char prefix[72];
        snprintf(prefix, sizeof(prefix), "%s.", field);
        if (check_members(e, sw, prefix, allowed))
            return -1;
        const char *at;
        char f2[80];
        snprintf(f2, sizeof(f2), "%s.at", field);
        if (get_string(e, sw, "at", f2, &at))
            return -1;
        unsigned hh, mm;
        char extra;
        if (at == NULL || sscanf(at, "%2u:%2u%c", &hh, &mm, &extra) != 2 || hh > 23 || mm > 59)
            return fail(e, f2, "expected a time \"HH:MM\"");
        if (i > 0 && hh * 60 + mm <= out[i - 1].hour * 60u + out[i - 1].minute)
            return fail(e, f2, "switch times must ascend");
        uint64_t t;
        int present;
        snprintf(f2, sizeof(f2), "%s.tariff", field);
        if (get_uint(e, sw, "tariff", f2, 1, 4, &t, &present))
            return -1;
        if (!present)
            return fail(e, f2, "missing");
        out[i] = (struct cfg_switch){(uint8_t)hh, (uint8_t)mm, (uint8_t)t};
    }
    *n = count;
    return 0;
}

static int load_tariffs(errctx_t *e, json_object *o, emeter_config_t *c) {
    static const char *const allowed[] = {"weekday", "weekend", NULL};
    if (!json_object_is_type(o, json_type_object))
        return fail(e, "tariffs", "expected an object");
    if (check_members(e, o, "tariffs.", allowed))
        return -1;
    json_object *wd, *we;
    if (!json_object_object_get_ex(o, "weekday", &wd) ||
        !json_object_object_get_ex(o, "weekend", &we))
        return fail(e, "tariffs", "expected both \"weekday\" and \"weekend\"");
    return load_switches(e, wd, "weekday", c->tariff_weekday, &c->tariff_weekday_n) ||
                   load_switches(e, we, "weekend", c->tariff_weekend, &c->tariff_weekend_n)
               ? -1
               : 0;
}

static int load_hdlc(errctx_t *e, json_object *o, emeter_config_t *c) {
    static const char *const allowed[] = {"physical_address", NULL};
    if (!json_object_is_type(o, json_type_object))
        return fail(e, "hdlc", "expected an object");
    if (check_members(e, o, "hdlc.", allowed))
        return -1;
    uint64_t x;
    int present;
    /* 2-byte HDLC addresses: 0x10..0x3FFD (0x3FFE/0x3FFF are broadcast). */
    if (get_uint(e, o, "physical_address", "hdlc.physical_address", 16, 0x3FFD, &x, &present))
        return -1;
    if (present)
        c->hdlc_physical = (uint16_t)x;
    return 0;
}

static int load_lockout(errctx_t *e, json_object *o, emeter_config_t *c) {
    static const char *const allowed[] = {"failures", "window_s", "lock_s", NULL};
    if (!json_object_is_type(o, json_type_object))
        return fail(e, "lockout", "expected an object");
    if (check_members(e, o, "lockout.", allowed))
        return -1;
    uint64_t x;
    int present;
    if (get_uint(e, o, "failures", "lockout.failures", 1, 16, &x, &present))
        return -1;
    if (present)
        c->lockout_failures = (uint32_t)x;
    if (get_uint(e, o, "window_s", "lockout.window_s", 1, 86400, &x, &present))
        return -1;
    if (present)
        c->lockout_window_s = (uint32_t)x;
    if (get_uint(e, o, "lock_s", "lockout.lock_s", 1, 7 * 86400, &x, &present))
        return -1;
    if (present)
        c->lockout_s = (uint32_t)x;
    return 0;
}

static int load_tamper(errctx_t *e, json_object *o, emeter_config_t *c) {
    static const char *const allowed[] = {"threshold_s", "magnet_mt", NULL};
    if (!json_object_is_type(o, json_type_object))
        return fail(e, "tamper", "expected an object");
    if (check_members(e, o, "tamper.", allowed))
        return -1;
    uint64_t x;
    int present;
    if (get_uint(e, o, "threshold_s", "tamper.threshold_s", 0, 86400, &x, &present))
        return -1;
    if (present)
        c->tamper_threshold_s = (int64_t)x;
    if (get_uint(e, o, "magnet_mt", "tamper.magnet_mt", 1, 2000, &x, &present))
        return -1;
    if (present)
        c->tamper_magnet_mt = (uint32_t)x;
    return 0;
}

static int load_storage(errctx_t *e, json_object *o, emeter_config_t *c) {
    static const char *const allowed[] = {"sector_size", "commit_period_s", NULL};
    if (!json_object_is_type(o, json_type_object))
        return fail(e, "storage", "expected an object");
    if (check_members(e, o, "storage.", allowed))
        return -1;
    uint64_t x;
    int present;
    if (get_uint(e, o, "sector_size", "storage.sector_size", 1024, 65536, &x, &present))
        return -1;
    if (present) {
        if ((x & (x - 1)) != 0)
            return fail(e, "storage.sector_size", "must be a power of two");
        c->storage_sector_size = (uint32_t)x;
    }
    if (get_uint(e, o, "commit_period_s", "storage.commit_period_s", 1, 3600, &x, &present))
        return -1;
    if (present)
        c->storage_commit_period_s = (uint32_t)x;
    return 0;
}

/* supervision (w3): the smart disconnect of the breaker (docs/breaker.md). */
static int load_supervision(errctx_t *e, json_object *o, emeter_config_t *c) {
    static const char *const allowed[] = {
        "over_current_a", "over_current_s", "over_power_kw", "over_power_s", "over_voltage_v",
        "over_voltage_s", "neutral_loss",   "neutral_s",     "restore_s",    NULL};
    if (!json_object_is_type(o, json_type_object))
        return fail(e, "supervision", "expected an object");
    if (check_members(e, o, "supervision.", allowed))
        return -1;
    if (get_number(e, o, "over_current_a", "supervision.over_current_a", 0, 600,
                   &c->supervision.over_current_a) ||
        get_number(e, o, "over_power_kw", "supervision.over_power_kw", 0, 400,
                   &c->supervision.over_power_kw) ||
        get_number(e, o, "over_voltage_v", "supervision.over_voltage_v", 0, 6000,
                   &c->supervision.over_voltage_v))
        return -1;
    struct {
        const char *key, *field;
        int32_t *dst;
    } d[] = {{"over_current_s", "supervision.over_current_s", &c->supervision.over_current_s},
             {"over_power_s", "supervision.over_power_s", &c->supervision.over_power_s},
             {"over_voltage_s", "supervision.over_voltage_s", &c->supervision.over_voltage_s},
             {"neutral_s", "supervision.neutral_s", &c->supervision.neutral_s},
             {"restore_s", "supervision.restore_s", &c->supervision.restore_s}};
    for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
        uint64_t x;
        int present;
        if (get_uint(e, o, d[i].key, d[i].field, 0, 86400, &x, &present))
            return -1;
        if (present)
            *d[i].dst = (int32_t)x;
    }
    json_object *v;
    if (json_object_object_get_ex(o, "neutral_loss", &v)) {
        if (!json_object_is_type(v, json_type_boolean))
            return fail(e, "supervision.neutral_loss", "expected true or false");
        c->supervision.neutral_loss = json_object_get_boolean(v) ? 1 : 0;
    }
    return 0;
}

static int load_root(errctx_t *e, json_object *root, emeter_config_t *c) {
    static const char *const allowed[] = {"variant",
                                          "identity",
                                          "keys",
                                          "associations",
                                          "listen",
                                          "inactivity_timeout_s",
                                          "max_connections",
                                          "clock",
                                          "load",
                                          "push",
                                          "p1",
                                          "control",
                                          "pq",
                                          "tariffs",
                                          "hdlc",
                                          "storage",
                                          "breaker",
                                          "supervision",
                                          "lockout",
                                          "tamper",
                                          NULL};
    if (!json_object_is_type(root, json_type_object))
        return fail(e, "(top level)", "expected a JSON object");
    if (load_w4(e, root, c) != 0) /* modem and module I/O (w4) */
        return -1;
    if (check_members(e, root, "", allowed))
        return -1;
    const char *s;
    if (get_string(e, root, "variant", "variant", &s))
        return -1;
    if (s) {
        if (strcmp(s, "esmr") != 0 && strcmp(s, "omni") != 0)
            return fail(e, "variant", "expected \"esmr\" or \"omni\"");
        strcpy(c->variant, s);
    }
    json_object *v;
    if (json_object_object_get_ex(root, "identity", &v) && load_identity(e, v, c))
        return -1;
    if (json_object_object_get_ex(root, "keys", &v) && load_keys(e, v, c))
        return -1;
    if (json_object_object_get_ex(root, "associations", &v) && load_associations(e, v, c))
        return -1;
    if (json_object_object_get_ex(root, "listen", &v) && load_listen(e, v, c))
        return -1;
    if (json_object_object_get_ex(root, "load", &v) && load_load(e, v, c))
        return -1;
    if (json_object_object_get_ex(root, "push", &v) && load_push(e, v, c))
        return -1;
    if (json_object_object_get_ex(root, "breaker", &v)) { /* breaker (w3) */
        if (!json_object_is_type(v, json_type_boolean))
            return fail(e, "breaker", "expected true or false");
        c->breaker = json_object_get_boolean(v);
    }
    if (json_object_object_get_ex(root, "supervision", &v) && load_supervision(e, v, c))
        return -1;
    if (json_object_object_get_ex(root, "p1", &v) && load_p1(e, v, c))
        return -1;
    if (json_object_object_get_ex(root, "control", &v) && load_control(e, v, c))
        return -1;

    uint64_t x;
    int present;
    if (get_uint(e, root, "inactivity_timeout_s", "inactivity_timeout_s", 1, 86400, &x, &present))
        return -1;
    if (present)
        c->inactivity_timeout_s = (uint32_t)x;
    if (get_uint(e, root, "max_connections", "max_connections", 1, 100000, &x, &present))
        return -1;
    if (present)
        c->max_connections = (uint32_t)x;
    if ((json_object_object_get_ex(root, "pq", &v) && load_pq(e, v, c)) ||
        (json_object_object_get_ex(root, "tariffs", &v) && load_tariffs(e, v, c)) ||
        (json_object_object_get_ex(root, "hdlc", &v) && load_hdlc(e, v, c)) ||
        (json_object_object_get_ex(root, "storage", &v) && load_storage(e, v, c)) ||
        (json_object_object_get_ex(root, "lockout", &v) && load_lockout(e, v, c)) ||
        (json_object_object_get_ex(root, "tamper", &v) && load_tamper(e, v, c)))
        return -1;
    if (json_object_object_get_ex(root, "clock", &v)) {
        static const char *const callowed[] = {"time_zone_min", NULL};
        if (!json_object_is_type(v, json_type_object))
            return fail(e, "clock", "expected an object");
        if (check_members(e, v, "clock.", callowed))
            return -1;
        json_object *tz;
        if (json_object_object_get_ex(v, "time_zone_min", &tz)) {
            if (!json_object_is_type(tz, json_type_int) || json_object_get_int(tz) < -720 ||
                json_object_get_int(tz) > 840)
                return fail(e, "clock.time_zone_min", "expected minutes between -720 and 840");
            c->time_zone_min = (int16_t)json_object_get_int(tz);
        }
    }
    return 0;
}

int emeter_config_fleet_member(emeter_config_t *c, unsigned index) {
    size_t width = strlen(c->serial_number);
    unsigned long long v = strtoull(c->serial_number, NULL, 10) + index;
    char serial[32];
    int n = snprintf(serial, sizeof(serial), "%0*llu", (int)width, v);
    if (n < 0 || (size_t)n > CFG_SERIAL_MAX)
        return -1;
    memcpy(c->serial_number, serial, (size_t)n + 1);
    default_ldn(c);
    system_title_from_identity(c);
    c->load_seed += index;
    for (size_t i = 0; i < c->listen_count; i++) {
        if (c->listen[i].port == 0)
            continue;
        if (c->listen[i].port + index > 65535u)
            return -1;
        c->listen[i].port = (uint16_t)(c->listen[i].port + index);
    }
    return 0;
}

int emeter_config_parse(emeter_config_t *c, const char *text, size_t len, const char *name,
                        char *err, size_t errlen) {
    errctx_t e = {err, errlen, name};
    if (len > EMETER_CONFIG_MAX_BYTES || len > (size_t)INT32_MAX)
        return fail(&e, "(file)", "larger than %d bytes", EMETER_CONFIG_MAX_BYTES);
    json_tokener *tok = json_tokener_new();
    if (tok == NULL)
        return fail(&e, "(file)", "out of memory");
    json_object *root = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    if (root == NULL || jerr != json_tokener_success ||
        (size_t)json_tokener_get_parse_end(tok) != len) {
        /* Report the line of the offending byte. */
        size_t at = json_tokener_get_parse_end(tok), line = 1;
        for (size_t i = 0; i < at && i < len; i++)
            line += text[i] == '\n';
        int rc =
            fail(&e, "(syntax)", "line %zu: %s", line,
                 root ? "trailing characters after the JSON value" : json_tokener_error_desc(jerr));
        json_object_put(root);
        json_tokener_free(tok);
        return rc;
    }
    json_tokener_free(tok);
    int rc = load_root(&e, root, c);
    json_object_put(root);
    return rc;
}

int emeter_config_load(emeter_config_t *c, const char *path, char *err, size_t errlen) {
    errctx_t e = {err, errlen, path};
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return fail(&e, "(file)", "%s", strerror(errno));
    static char buf[EMETER_CONFIG_MAX_BYTES + 1];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    int too_big = !feof(f);
    fclose(f);
    if (too_big)
        return fail(&e, "(file)", "larger than %d bytes", EMETER_CONFIG_MAX_BYTES);
    return emeter_config_parse(c, buf, n, path, err, errlen);
}
