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

/* The event logs of the meter context (index into its log arrays). */
enum meter_log {
    METER_LOG_STANDARD = 0, /* 0.0.99.98.0.255, codes 1-25 */
    METER_LOG_FRAUD = 1,    /* 0.0.99.98.1.255, codes 40-49 */
    METER_LOG_PQ = 2,       /* 0.0.99.98.5.255, codes 77-99 */
    METER_LOG_COUNT = 3,
};

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

/* AMR profile status bits (dlms-facts §2.7), captured in load profiles. */
#define METER_AMR_CRITICAL_ERROR 0x01u
#define METER_AMR_CLOCK_INVALID  0x02u
#define METER_AMR_DATA_NOT_VALID 0x04u
#define METER_AMR_DST            0x08u
#define METER_AMR_CLOCK_ADJUSTED 0x20u
#define METER_AMR_RECOVERED      0x40u
#define METER_AMR_POWER_DOWN     0x80u

/* Writes `code` into log `log` at UTC `utc` and raises its alarm bits.
 * Returns 0, METER_ERR_BADARG for an unknown log, or the profile's error
 * (the alarm bits are raised even when the log cannot capture). A log the
 * variant's table lacks only raises the bits. */
int meter_event(struct meter *m, enum meter_log log, uint8_t code, int64_t utc);

/* Raises alarm register 1 bits; bits that pass the filter and were not
 * set yet go to the on_alarm hook. */
void meter_alarm_raise(struct meter *m, uint32_t bits);

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

/* COSEM_CALL bindings: arg 0 alarm register 1 (write clears), arg 1 alarm
 * filter 1 (write replaces). */
int meter_read_alarm(void *app, uint16_t arg, axdr_enc_t *e);
int meter_write_alarm(void *app, uint16_t arg, axdr_dec_t *d);

#endif /* EMETER_METER_EVENTS_H */
