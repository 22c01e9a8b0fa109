/*
 * config.h - the virtual meter's JSON configuration (emeter --config FILE).
 *
 * The file gives the factory settings of one meter: identity, keys, where
 * it listens, association settings. Everything has a default, so an empty
 * object "{}" (or no file) is a valid meter with the well-known DLMS example
 * keys. Validation names the field and the reason ("keys.ak: expected 32
 * hex digits").
 *
 * Precedence: what a head-end changes over DLMS (keys by key transfer, the
 * LLS secret, invocation counters) is kept in the state directory and wins
 * over the file on the next start; the file gives the initial values only.
 * See docs/emeter.md.
 */
#ifndef EMETER_APP_CONFIG_H
#define EMETER_APP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link.h" /* link emulation (w4) */

#define CFG_MAX_LISTEN   4
#define CFG_LDN_MAX      16 /* COSEM logical device name: 16 octets */
#define CFG_SERIAL_MAX   16
#define CFG_MAX_P1       4 /* P1 port outputs (apps/emeter/p1port.h) */
#define CFG_MAX_SWITCHES 8 /* tariff switches per day profile (EM_COSEM_CAL_DAY_ACTIONS) */

typedef struct cfg_listen {
    char host[64];
    uint16_t port;
} cfg_listen_t;

/* "push" (h7): the factory settings of one Push setup object. */
typedef struct cfg_push {
    char destination[65];        /* "host:port"; empty: no push */
    uint8_t transport;           /* 0 TCP, 1 UDP (class 40 transport_service) */
    uint16_t randomisation_s;    /* randomisation_start_interval */
    uint8_t retries;             /* number_of_retries */
    uint16_t repetition_delay_s; /* repetition_delay */
} cfg_push_t;

/* "modem" (w4): factory settings of the LTE-M module. The COSEM ones
 * (apn, mode, destinations, wake_allowed) are applied to a new meter only:
 * what a head-end programmed (flash) wins. */
#define CFG_WAKE_ALLOWED_MAX 4
typedef struct cfg_modem {
    char imei[16];         /* 15 digits (default 000000000000000) */
    char imei_lock[16];    /* "": no lock */
    char apn[101];         /* default "internet" */
    uint8_t mode;          /* Auto connect mode (default 101 always connected) */
    uint32_t mean_delay_s; /* power-up reconnect mean (default 60) */
    char destination[65];  /* Auto connect destination "host[:port]"; "": none */
    char wake_host[64];    /* wake-up listener address (default 127.0.0.1) */
    uint16_t wake_port;    /* 0: no listener (default) */
    bool wake_port_set;
    char wake_allowed[CFG_WAKE_ALLOWED_MAX][16]; /* allowed wake-up sources (IPv4) */
    size_t wake_allowed_count;
    uint8_t wake_content[32]; /* the wake-up message; empty: any */
    size_t wake_content_len;
    bool gate; /* refuse TCP connections while the modem is not attached */
} cfg_modem_t;

typedef struct emeter_config {
    char variant[16]; /* "esmr" (default) or "omni" */
    char serial_number[CFG_SERIAL_MAX + 1];
    char manufacturer[4]; /* 3-letter FLAG id */
    uint8_t logical_device_name[CFG_LDN_MAX];
    size_t logical_device_name_len;
    uint8_t system_title[8];
    uint8_t guek[16], gbek[16], ak[16], kek[16];
    bool factory_keys;     /* true when the keys are the public example keys */
    char lls_password[33]; /* for an LLS association; empty: none offered */
    bool pre_established;  /* offer the pre-established client 102 */
    cfg_listen_t listen[CFG_MAX_LISTEN];
    size_t listen_count;
    uint32_t inactivity_timeout_s; /* association/connection inactivity timeout */
    uint32_t max_connections;
    uint16_t max_pdu;      /* server-max-receive-pdu-size */
    int16_t time_zone_min; /* clock attr 3, DLMS sign: CET = -60 */
    /* "load": the household the load simulator (lib/meter/loadsim) makes
     * up for the meter to measure; emeter --seed overrides the seed. */
    uint64_t load_seed;     /* same seed, same curve (default 1) */
    double load_annual_kwh; /* consumption per year, 100..100000 (default 3500) */
    double load_pv_kwp;     /* PV peak power, 0..100 (default 0: no PV) */
    bool load_heat_pump;    /* a CFG_HEAT_PUMP_KW heat pump on top (default no) */
    /* "push" (h7): destinations and timing of the scheduled (0.0.25.9.0.255)
     * and alarm (0.1.25.9.0.255) pushes, ciphering, the head-end's wPort */
    cfg_push_t push_sched, push_alarm;
    bool push_ciphered;       /* general-glo-ciphering (default) or plain */
    uint16_t push_dest_wport; /* destination wPort of the wrapper (default 102) */
    /* breaker and prepayment (w3): "breaker": the breaker objects in an
     * esmr meter (omni always has them); "keys.token": the prepayment token
     * key (absent: derived from the system title, docs/prepayment.md) */
    bool breaker;
    bool token_key_set;
    uint8_t token_key[16];
    /* "supervision" (w3): smart disconnect thresholds; a negative value
     * keeps the meter's default (meter_supervision_default, docs/breaker.md) */
    struct {
        double over_current_a, over_power_kw, over_voltage_v; /* 0: off */
        int32_t over_current_s, over_power_s, over_voltage_s; /* s */
        int32_t neutral_s, restore_s;                         /* s */
        int8_t neutral_loss;                                  /* 0/1 */
    } supervision;
    /* "p1": P1 consumer port outputs, each "pty", "tcp:HOST:PORT" or a
     * serial device path (default none); --p1 overrides. */
    char p1[CFG_MAX_P1][128];
    size_t p1_count;
    /* "control": the operator control API, "HOST:PORT" or "off" (default
     * CFG_CONTROL_DEFAULT); --control overrides. control_set: given in the
     * file (then a port in use is an error, not a warning). */
    char control[80];
    bool control_set;
    /* "pq": the sag/swell thresholds the meter starts with (1.0.12.31/35/43/44);
     * a head-end's later SET is stored and wins (docs/emeter.md). 0: default. */
    double pq_sag_v, pq_swell_v;
    uint32_t pq_sag_s, pq_swell_s;
    /* "tariffs": the factory weekly calendar, switch lists for Monday-Friday
     * and for Saturday, Sunday and special days (n 0: the DSMR default). */
    struct cfg_switch {
        uint8_t hour, minute, tariff;
    } tariff_weekday[CFG_MAX_SWITCHES], tariff_weekend[CFG_MAX_SWITCHES];
    size_t tariff_weekday_n, tariff_weekend_n;
    /* "hdlc": the optical port's HDLC physical (lower) address, 0: default 17 */
    uint16_t hdlc_physical;
    /* "storage": the flash image's sector size (a power of two, 1024..65536,
     * default 4096) and the commit period of the registers in s (default 1) */
    uint32_t storage_sector_size;
    uint32_t storage_commit_period_s;
    /* "lockout": failed logins of the management client before a lock, the
     * window they count in and the lock's length (0: the defaults 3, 600 s,
     * 900 s); "tamper": seconds a cover or field must last before it is
     * logged and the field that counts as tamper (0: defaults 5 s, 70 mT) */
    uint32_t lockout_failures, lockout_window_s, lockout_s;
    int64_t tamper_threshold_s; /* -1: default */
    uint32_t tamper_magnet_mt;
    /* "modem", "link", "io" (w4): the LTE-M module (lib/meter/modem.h),
     * the link emulation (link.h), the OMNIPOWER module I/O codes */
    cfg_modem_t modem;
    link_params_t link;
    uint8_t io_z3, io_z8, io_z12, io_z13;
} emeter_config_t;

#define CFG_CONTROL_DEFAULT "127.0.0.1:8059"

/* The heat pump of "load": {"heat_pump": true}: a typical air-source pump
 * of a one-family house (electrical input). */
#define CFG_HEAT_PUMP_KW 2.0

/* Defaults: esmr, serial "00000001", manufacturer "MMM" (the Green Book
 * example id), system title "MMM" + serial digits, example keys, listen
 * 127.0.0.1:4059, timeout 120 s, 16 connections, PDU 1024, CET, load seed
 * 1: a 3500 kWh household without PV or heat pump. */
void emeter_config_defaults(emeter_config_t *c);

#define EMETER_CONFIG_MAX_BYTES 65535

/* Validate JSON text (len bytes, no terminator needed) over the values in
 * c. On error returns -1 and writes "NAME: field: reason" into err, with
 * the line number for syntax errors. This is the decoder the fuzz target
 * fuzz/fuzz_config.c drives. */
int emeter_config_parse(emeter_config_t *c, const char *text, size_t len, const char *name,
                        char *err, size_t errlen);

/* Load and validate a JSON file over the defaults. On error returns -1 and
 * writes "FILE: field: reason" into err. */
int emeter_config_load(emeter_config_t *c, const char *path, char *err, size_t errlen);

/* Parse "HOST:PORT" (IPv4 or name, or [v6]:port; port 0 = any free port).
 * Returns 0 or -1. */
int emeter_config_parse_listen(const char *s, cfg_listen_t *out);

/* Meter `index` of a fleet (apps/emeter/fleet.c): serial number + index
 * (same width), the logical device name and system title derived from it,
 * load seed + index, every listener port + index (port 0 stays 0). -1 when the serial or a
 * port overflows. */
int emeter_config_fleet_member(emeter_config_t *c, unsigned index);

#endif /* EMETER_APP_CONFIG_H */
