/*
 * events.h - event logs, alarm register and AMR profile status of the
 * metering application (DSMR 4.2.2 / SMR 5 P3; codes, logs and bits in
 * dlms-facts §2.5-§2.7).
 *
 * Event logs are asynchronous Profile generic objects (class 7,
 * capture_period 0) capturing {clock, last event code}: meter_event()
 * writes the code into the log's last-event-code object (0.0.96.11.x.255,
 * unsigned) and captures one row stamped with the event's instant. The
 * logs are circular (FIFO): the oldest entry goes when one is full.
 * Invoking the reset method of a log (over DLMS) empties it and writes
 * event 255 "event log cleared" as its first new entry.
 *
 * Alarm register 1 (0.0.97.98.0.255, double-long-unsigned) collects the
 * alarm bits the events raise (table in events.c). Writing the register
 * clears the bits set in the written value (DSMR: the head-end writes
 * back the alarms it has handled; bits raised meanwhile stay). Alarm
 * filter 1 (0.0.97.98.10.255) does not hide bits from the register: it
 * selects which newly raised bits reach the on_alarm hook (the alarm push,
 * when push setup exists). Default: every bit.
 */
#ifndef EMETER_METER_EVENTS_H
#define EMETER_METER_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "cosem/cosem.h"
#include "dlms/axdr.h"

struct meter;

/* The event logs of the meter context (index of event_code[]; each is a
 * profile slot of profiles.h). */
enum meter_log {
    METER_LOG_STANDARD = 0, /* 0.0.99.98.0.255 {clock, 0.0.96.11.0}, codes 1-25 */
    METER_LOG_FRAUD = 1,    /* 0.0.99.98.1.255 {clock, 0.0.96.11.1}, codes 40-49 */
    METER_LOG_PQ = 2,       /* 0.0.99.98.5.255 {clock, 0.0.96.11.5}, codes 77-99 */
    METER_LOG_PQ_EXT = 3,   /* 0.0.99.98.7.255 + magnitude 0.0.96.11.20, duration .21 */
    METER_LOG_THD = 4,      /* 0.0.99.98.8.255 + magnitude 0.0.96.11.22, codes 51-59 */
    METER_LOG_COMM = 5,     /* 0.0.99.98.4.255 + counter 0.0.96.15.4, codes 71-76 */
    METER_LOG_BREAKER = 6,  /* 0.0.99.98.2.255 {clock, 0.0.96.11.2}, disconnector codes (omni) */
    METER_LOG_COUNT = 7,
};

/* Alarm registers 1-3 (0.0.97.98.0/1/2.255) and their filters (.10/.11/.12). */
#define METER_ALARM_REGS 3u

/* Event codes (dlms-facts §2.6) the meter writes. */
#define METER_EV_POWER_DOWN         1u
#define METER_EV_POWER_UP           2u
#define METER_EV_CLOCK_ADJUSTED_OLD 4u
#define METER_EV_CLOCK_ADJUSTED_NEW 5u
#define METER_EV_CLOCK_INVALID      6u
#define METER_EV_TARIFF_ACTIVATED   9u  /* passive calendar became active */
#define METER_EV_PASSIVE_UPDATED    19u /* passive calendar (attrs 6-10) written */
#define METER_EV_ALARM_CLEARED      11u
#define METER_EV_NV_MEMORY_ERROR    14u
#define METER_EV_FAILED_LOGIN       46u
#define METER_EV_CONFIG_CHANGE      47u
#define METER_EV_LOG_CLEARED        255u

/* Alarm register 1 bits (dlms-facts §2.7). */
#define METER_ALARM_CLOCK_INVALID   (1u << 0)
#define METER_ALARM_REPLACE_BATTERY (1u << 1)
#define METER_ALARM_POWER_UP        (1u << 2)
#define METER_ALARM_CONFIG_CHANGED  (1u << 4)
#define METER_ALARM_PROGRAM_MEMORY  (1u << 8)
#define METER_ALARM_RAM             (1u << 9)
#define METER_ALARM_NV_MEMORY       (1u << 10)
#define METER_ALARM_MEASUREMENT     (1u << 11)
#define METER_ALARM_WATCHDOG        (1u << 12)
#define METER_ALARM_FRAUD_ATTEMPT   (1u << 13)
#define METER_ALARM_PHASE_OUTAGE_L1 (1u << 28) /* L2, L3: bits 29, 30 */
/* Alarm register 2 (SMR 5.2) and 3 (SMR 5.5) bits. */
#define METER_ALARM2_SAG_L1         (1u << 0)  /* L2, L3: bits 1, 2 */
#define METER_ALARM2_SWELL_L1       (1u << 3)  /* L2, L3: bits 4, 5 */
#define METER_ALARM2_THD_L1         (1u << 8)  /* THD over limit L1..L3: 8-10 */
#define METER_ALARM2_THD_LONG_L1    (1u << 11) /* THD long over limit L1..L3: 11-13 */
#define METER_ALARM3_LAST_GASP      (1u << 0)
#define METER_ALARM3_LAST_GASP_TEST (1u << 1)

/* AMR profile status bits (dlms-facts §2.7), captured in load profiles. */
#define METER_AMR_CRITICAL_ERROR 0x01u
#define METER_AMR_CLOCK_INVALID  0x02u
#define METER_AMR_DATA_NOT_VALID 0x04u
#define METER_AMR_DST            0x08u
#define METER_AMR_CLOCK_ADJUSTED 0x20u
#define METER_AMR_RECOVERED      0x40u
#define METER_AMR_POWER_DOWN     0x80u

/* Communication session kinds (codes of the communication session log). */
#define METER_EV_COMM_METROLOGICAL 71u /* a legal (metrological) setting changed */
#define METER_EV_COMM_TECHNICAL    72u /* settings changed (SET / ACTION) */
#define METER_EV_COMM_READINGS     73u /* meter readings E retrieved */
#define METER_EV_COMM_INTERVAL     75u /* interval data E (profiles) retrieved */

/* Writes `code` into log `log` at UTC `utc` and raises its alarm bits.
 * Returns 0, METER_ERR_BADARG for an unknown log, or the profile's error
 * (the alarm bits are raised even when the log cannot capture). A log the
 * variant's table lacks only raises the bits. */
int meter_event(struct meter *m, enum meter_log log, uint8_t code, int64_t utc);

/* Raises bits of alarm register reg (0..2 for registers 1..3); bits
 * that pass its filter and were not set yet go to the on_alarm hook. */
void meter_alarm_raise(struct meter *m, unsigned reg, uint32_t bits);

/* A power quality event with its magnitude (0.1 V, or 0.1 % for THD) and
 * duration (ms): the PQ log (77-98), the PQ extended log (sags and
 * swells, with both), the THD log (51-59, with the magnitude), and alarm
 * register 2. */
int meter_pq_event(struct meter *m, uint16_t code, uint32_t magnitude, uint32_t duration_ms,
                   int64_t utc);

/* The end of a power failure that began at `down` (UTC) and ended at
 * `up`: counts it (0.0.96.7.21.255); one longer than the long power
 * failure threshold (0.0.96.7.20.255) is also counted (0.0.96.7.9.255),
 * its duration kept (0.0.96.7.19.255) and logged in the power failure
 * event log 1.0.99.97.0.255 stamped with its end (DSMR). */
int meter_power_failure(struct meter *m, int64_t down, int64_t up);

/* The end of a DLMS session of association `assoc` (enum meter_assoc)
 * that read registers (`read`), profiles (`profiles`) or changed settings
 * (`wrote`): the association's and the meter's session counters, and one
 * communication session log entry (72 when it wrote, else 75 when it read
 * profiles, else 73 when it read, nothing for an empty session). */
int meter_comm_session(struct meter *m, unsigned assoc, bool read, bool profiles, bool wrote,
                       int64_t utc);

/* Start-up after a power failure: event 2 (power up), event 6 and the
 * clock-invalid alarm when the clock status says invalid, and the
 * power-down AMR status bit for the running load profile intervals. */
int meter_power_up(struct meter *m, int64_t utc);

/* A failed login (the DLMS server's on_auth_failure): event 46, fraud
 * attempt alarm. */
int meter_auth_failure(struct meter *m, int64_t utc);

/* The cosem_server_t notify hook of a meter: clock adjustments (events
 * 4/5, AMR clock adjusted), log resets (event 255), security changes
 * (event 47), activity calendar: SET of attributes 6-10 event 19 "passive
 * tariff updated", activation (method 1, by a client or at
 * activate_passive_calendar_time) event 9 "tariff activated";
 * persistence requests (on_persist; also special days changes). */
void meter_on_notify(void *app, const cosem_object_t *obj, uint8_t kind, int8_t id);

/* COSEM_CALL bindings: arg 0..2 alarm register 1..3 (write clears the
 * written bits), arg 10..12 alarm filter 1..3 (write replaces). */
int meter_read_alarm(void *app, uint16_t arg, axdr_enc_t *e);
int meter_write_alarm(void *app, uint16_t arg, axdr_dec_t *d);

#endif /* EMETER_METER_EVENTS_H */
