/*
 * modem.h - the LTE-M module of the ESMR-style meter (seed 000 §3.3.3
 * "Data Communication" and §3.4 "LTE-M Module Features"; issue 8): its
 * COSEM objects (TCP-UDP setup 0.0.25.0.0.255, IPv4 setup 0.0.25.1.0.255,
 * PPP setup 0.0.25.3.0.255, GPRS modem setup 0.0.25.4.0.255, GSM
 * diagnostic 0.0.25.6.0.255, LTE monitoring 0.0.25.11.0.255, Auto connect
 * 0.0.2.1.0.255, Auto answer 0.0.2.2.0.255 and the wake-up Push setup
 * 0.2.25.9.0.255; classes in lib/cosem, docs/communication.md) and a
 * deterministic model of the module the meter's connection manager runs.
 *
 * ---- The modem state machine (one meter_modem_step per meter step) ------
 *
 *   OFF --power_up--> SEARCHING --coverage--> REGISTERED --attach--> ATTACHED
 *                        |  ^                     ^  |                   |
 *                        |  +---- coverage lost --+--+-------------------+
 *                        +--IMEI lock mismatch--> DENIED (until power down
 *                                                 or a new lock / IMEI)
 *
 * Registration needs coverage from the link model (meter_modem_link:
 * `available`, the RSSI); the IMEI lock (seed 000 §3.4 "Support of IMEI
 * Lock Function") is the binding of the SIM / subscription to one module:
 * with a lock configured, a module whose IMEI differs is refused
 * registration (GSM diagnostic status 3 "registration denied") and never
 * attaches. For a virtual meter the IMEI is a configuration value (there
 * is no hardware to read it from): the lock lets a test bench check that
 * a head-end notices a meter whose module was swapped (a configuration
 * error surfaces as "denied", not as a silent connection).
 *
 * "Attach" is the PDP context with the APN of the GPRS modem setup: it
 * succeeds with coverage, a registered module and a valid APN; the IPv4
 * setup then holds the network's lease (dynamic addressing: the link
 * model's address, mask, gateway and the primary / secondary DNS
 * "received when establishing the PPP connection") or keeps its static
 * configuration. ATTACHED is "connected" for Auto connect: the meter is
 * reachable on its TCP-UDP port (meter_modem_online) and can push.
 *
 * Connection management (Auto connect mode, cosem_auto_connect_allows):
 *   - power up (meter_modem_power_up): an "always connected" meter (101,
 *     102 in its window, 103) attaches after a random delay,
 *     cosem_auto_connect_random_delay(port entropy, mean_delay_s) (about a
 *     minute on average, seed 000 §3.3.3); a "triggered" meter (104) stays
 *     registered but detached ("the connection will be lost");
 *   - coverage lost while attached (an interrupted session): the lease is
 *     given back; when coverage returns a mode that allows SESSION_LOST
 *     attaches again through the retry machine (repetitions,
 *     repetition_delay), a triggered meter stays silent;
 *   - mode 102 detaches outside its calling windows and attaches when one
 *     opens; the connect method (Auto connect method 1) and an accepted
 *     wake-up are INVOKED requests;
 *   - an attachment made for an INVOKED request in mode 104 ends after
 *     the TCP-UDP setup's inactivity_time_out without a head-end session
 *     (meter_modem_session reports sessions).
 *
 * Wake-up (meter_modem_wakeup): a UDP datagram whose source is in Auto
 * answer's list_of_allowed_callers with call_type wake-up
 * (cosem_auto_answer_ip_allowed), inside the listening windows, whose
 * payload equals the configured content (meter_modem_set_wake_content; an
 * empty content accepts any payload), received while the module is
 * registered. Accepted: counted, an INVOKED request (attach if not yet),
 * and once attached the wake-up push 0.2.25.9.0.255 is triggered (when it
 * has a destination; else the attachment alone lets the head-end
 * connect). Anything else is ignored, counted and logged (port log).
 *
 * Destinations given as FQDN (Auto connect destination_list) are resolved
 * through the port's optional `resolve` callback once per attachment (not
 * per request; a microcontroller port must answer from the module's DNS
 * cache or EM_PORT_ERR_IO at once, the host's getaddrinfo may block for a
 * DNS round trip): meter_modem_t.dest_ip holds the results.
 *
 * Signal quality: the link model's RSSI (dBm) goes into the GSM
 * diagnostic (CSQ, cosem_csq_from_rssi) and the LTE monitoring (RSRP, RSRQ,
 * SINR) at every step; cosem_gsm_display_level(&m->modem.gsm) gives the
 * LCD's bars (0 while not registered).
 *
 * Errors: -0x0AF0..-0x0AF7 (meter_modem_strerror).
 */
#ifndef EMETER_METER_MODEM_H
#define EMETER_METER_MODEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cosem/auto_answer.h"
#include "cosem/auto_connect.h"
#include "cosem/gprs_modem_setup.h"
#include "cosem/gsm_diagnostic.h"
#include "cosem/ipv4_setup.h"
#include "cosem/lte_monitoring.h"
#include "cosem/ppp_setup.h"
#include "cosem/push_setup.h"
#include "cosem/tcp_udp_setup.h"

struct meter;

#define METER_MODEM_ERR_ARG   (-0x0AF0) /* NULL pointer or impossible argument */
#define METER_MODEM_ERR_IMEI  (-0x0AF1) /* IMEI not 15 digits */
#define METER_MODEM_ERR_LONG  (-0x0AF2) /* wake-up content too long */
#define METER_MODEM_ERR_TABLE (-0x0AF3) /* the variant's table has no modem objects */

#define METER_MODEM_IMEI_LEN     15u
#define METER_MODEM_WAKE_MAX     32u /* wake-up content bytes */
#define METER_MODEM_MEAN_DELAY_S 60u /* seed 000: "approximately 1 minute" */

enum meter_modem_state {
    METER_MODEM_OFF = 0,    /* no supply */
    METER_MODEM_SEARCHING,  /* looking for a network */
    METER_MODEM_DENIED,     /* registration refused (IMEI lock) */
    METER_MODEM_REGISTERED, /* registered, no PDP context */
    METER_MODEM_ATTACHED,   /* PDP context up, IP address leased */
};

/* Wake-up outcome (meter_modem_wakeup). */
enum meter_modem_wake {
    METER_MODEM_WAKE_ACCEPTED = 1,
    METER_MODEM_WAKE_NO_NETWORK = 0, /* not registered: the datagram never arrives */
    METER_MODEM_WAKE_SOURCE = -1,    /* source not an allowed wake-up caller */
    METER_MODEM_WAKE_CONTENT = -2,   /* payload differs from the configured content */
    METER_MODEM_WAKE_WINDOW = -3,    /* outside the listening windows */
};

/* What the link model (the host's emulation, or a radio driver) says
 * about the network at this instant. */
typedef struct meter_modem_link {
    bool available;                         /* coverage: false during an outage */
    int16_t rssi_dbm;                       /* -113..-51 */
    int16_t rsrp_dbm;                       /* LTE RSRP, e.g. -140..-44 */
    int8_t rsrq_db;                         /* -20..-3 */
    int8_t sinr_db;                         /* -20..30 */
    uint32_t ip, mask, gateway, dns1, dns2; /* the network's lease (a.b.c.d as u32) */
} meter_modem_link_t;

typedef struct meter_modem {
    /* ---- COSEM objects (docs/communication.md) ---- */
    cosem_tcp_udp_state_t tcp;
    cosem_ipv4_state_t ipv4;
    cosem_ppp_state_t ppp;
    cosem_gprs_state_t gprs;
    cosem_gsm_diag_state_t gsm;
    cosem_lte_state_t lte;
    cosem_auto_connect_state_t ac;
    cosem_auto_answer_state_t aa;
    cosem_push_state_t push_wakeup; /* 0.2.25.9.0.255 */

    /* ---- configuration (factory, not over DLMS) ---- */
    uint8_t imei[METER_MODEM_IMEI_LEN];
    uint8_t imei_lock[METER_MODEM_IMEI_LEN];
    bool imei_locked; /* imei_lock is set */
    uint8_t wake_len;
    uint8_t wake_content[METER_MODEM_WAKE_MAX];
    uint32_t mean_delay_s; /* power-up reconnect mean, METER_MODEM_MEAN_DELAY_S */

    /* ---- runtime ---- */
    uint8_t state; /* enum meter_modem_state */
    bool cut;      /* meter_modem_power_down: stays OFF until meter_modem_power_up
                      (else the first step after meter_init powers it up) */
    meter_modem_link_t link;
    cosem_auto_connect_run_t run;
    bool invoked_attach;    /* attached for an INVOKED request (mode 104 detaches) */
    bool wake_push_pending; /* accepted wake-up: push once attached */
    bool was_in_window;     /* mode 102: the calling window state at the last step */
    bool link_seen;         /* meter_modem_link was called at least once */
    uint8_t sessions_open;  /* head-end sessions (meter_modem_session) */
    int64_t idle_since;     /* last instant with a session or the attachment */
    int64_t attached_at;
    int64_t connect_due;   /* the power-up / reconnect attempt's instant (for tests) */
    uint32_t last_delay_s; /* the last random reconnect delay drawn */
    uint8_t dest_count;    /* resolved destinations (FQDN through the port) */
    uint32_t dest_ip[EM_COSEM_COMM_DESTINATIONS];
    uint8_t apn_len_seen; /* APN of the attachment (a change re-attaches) */
    uint8_t apn_seen[EM_COSEM_COMM_APN_MAX];

    /* ---- counters ---- */
    uint32_t attaches, attach_failures, sessions_lost, denials;
    uint32_t wakeups_accepted, wakeups_ignored;
} meter_modem_t;

/* ---- the table rows (objects_esmr.c) --------------------------------------- */

extern const cosem_tcp_udp_def_t meter_def_tcp_udp;
extern const cosem_ipv4_def_t meter_def_ipv4;
extern const cosem_ppp_def_t meter_def_ppp;
extern const cosem_gprs_def_t meter_def_gprs;
extern const cosem_gsm_diag_def_t meter_def_gsm_diag;
extern const cosem_lte_def_t meter_def_lte;
extern const cosem_auto_connect_def_t meter_def_auto_connect;
extern const cosem_auto_answer_def_t meter_def_auto_answer;
extern const cosem_push_setup_def_t meter_def_push_wakeup;
/* Management client only, ciphered: setups read/write, diagnostics read,
 * Auto connect's connect method, the wake-up push's push method. */
extern const cosem_access_t meter_acc_comm_rw, meter_acc_comm_ro, meter_acc_auto_connect;

#define METER_MODEM_OBJECTS                                                                        \
    METER_OBJ(cosem_class_tcp_udp_setup, 0, 0, 25, 0, 0, meter_def_tcp_udp, meter_acc_comm_rw),    \
        METER_OBJ(cosem_class_ipv4_setup, 0, 0, 25, 1, 0, meter_def_ipv4, meter_acc_comm_rw),      \
        METER_OBJ(cosem_class_ppp_setup, 0, 0, 25, 3, 0, meter_def_ppp, meter_acc_comm_rw),        \
        METER_OBJ(cosem_class_gprs_modem_setup, 0, 0, 25, 4, 0, meter_def_gprs,                    \
                  meter_acc_comm_rw),                                                              \
        METER_OBJ(cosem_class_gsm_diagnostic, 0, 0, 25, 6, 0, meter_def_gsm_diag,                  \
                  meter_acc_comm_ro),                                                              \
        METER_OBJ(cosem_class_lte_monitoring, 0, 0, 25, 11, 0, meter_def_lte, meter_acc_comm_ro),  \
        METER_OBJ(cosem_class_auto_connect, 0, 0, 2, 1, 0, meter_def_auto_connect,                 \
                  meter_acc_auto_connect),                                                         \
        METER_OBJ(cosem_class_auto_answer, 0, 0, 2, 2, 0, meter_def_auto_answer,                   \
                  meter_acc_comm_rw),                                                              \
        METER_OBJ(cosem_class_push_setup, 0, 2, 25, 9, 0, meter_def_push_wakeup, meter_acc_push)

/* ---- API ---------------------------------------------------------------------------- */

/* Factory state (meter_init): objects initialised (port 4059, dynamic
 * addressing, APN "internet", mode 101 with repetitions 3 / delay 60 s,
 * no destinations, no allowed callers), IMEI 000000000000000 without a
 * lock, empty wake-up content, modem OFF, the wake-up push listing
 * {equipment identifier, its own name, the IPv4 address}. */
void meter_modem_init(struct meter *m);
/* IMEI (15 digits) and the optional lock (NULL or "": none). */
int meter_modem_set_imei(struct meter *m, const char *imei, const char *lock);
/* The wake-up content (0..METER_MODEM_WAKE_MAX bytes; 0: any payload). */
int meter_modem_set_wake_content(struct meter *m, const uint8_t *data, size_t len);

/* The network as the link model sees it (copied; applied at the next
 * step, the signal values at once). */
void meter_modem_link(struct meter *m, const meter_modem_link_t *link);
/* Supply restored / lost (OFF). */
void meter_modem_power_up(struct meter *m, int64_t utc);
void meter_modem_power_down(struct meter *m);
/* One step of the model at UTC utc (meter_step calls it). */
void meter_modem_step(struct meter *m, int64_t utc);
/* A head-end session opened / ended (lost: broke without a release). */
void meter_modem_session(struct meter *m, bool open, bool lost, int64_t utc);
/* A wake-up datagram from IPv4 source src (enum meter_modem_wake). */
int meter_modem_wakeup(struct meter *m, uint32_t src, const uint8_t *data, size_t len, int64_t utc);
/* True when the meter is reachable (attached). */
bool meter_modem_online(const struct meter *m);
/* The LCD's signal level 0..4. */
uint8_t meter_modem_display_level(const struct meter *m);
const char *meter_modem_state_name(uint8_t state);
const char *meter_modem_strerror(int err);

#endif /* EMETER_METER_MODEM_H */
