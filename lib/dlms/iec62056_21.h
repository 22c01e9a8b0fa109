/*
 * iec62056_21.h - IEC 62056-21 direct local data exchange (optical port):
 * protocol modes A, B and C, and the switch to mode E (HDLC, IEC 62056-46).
 *
 * Pure byte-in/byte-out: no UART inside. The caller hands received
 * characters in with a time stamp (now_ms) and pulls out what to send.
 * Baud-rate changes are outputs of the state machine, in order with the
 * bytes, so the caller can finish sending at one rate before switching.
 * The line is 7E1 at every rate of modes A-C and 8N1 once handed to HDLC.
 *
 * Messages (clause 6.3 of IEC 62056-21; characters are 7-bit ASCII):
 *
 *   request            / ? [device address] ! CR LF          (always 300 Bd)
 *   identification     / X X X Z [\W]... ident CR LF          (300 Bd)
 *   ACK/option select  ACK V Z Y CR LF                        (mode C)
 *   data message       STX data-block ! CR LF ETX BCC         (readout)
 *   programming        SOH C D [STX data-set] ETX BCC         (C = P W R E B)
 *   answer             STX data-set(s) ETX BCC, or ACK / NAK
 *
 * XXX is the manufacturer id; a lower-case third letter announces a 20 ms
 * minimum reaction time instead of 200 ms. Z is the baud character: mode B
 * 'A'..'F' = 600..19200 Bd, mode C (and E) '0'..'6' = 300..19200 Bd, any
 * other character means mode A (300 Bd only). The enhanced identification
 * "\2" announces HDLC (mode E). V: '0' normal protocol, '2' HDLC. Y: '0'
 * data readout, '1' programming, '2' binary (HDLC). A data set is
 * address(value*unit): address <= 16, value <= 32 (128 in mode C),
 * unit <= 16 characters; ( ) / ! never occur inside a field and '*' not
 * inside a value. The BCC is the XOR, on 7 bits, of every character after
 * the first SOH (or STX) up to and including ETX.
 *
 * Meter side (iec21_server_*): see the state description above
 * iec21_server_feed(). Client side (the dlms tool, tests): message
 * builders and parsers that never allocate; parsed fields point into the
 * caller's message buffer.
 */
#ifndef IEC62056_21_H
#define IEC62056_21_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emeter_config.h"

/* Control characters. */
#define IEC21_SOH 0x01
#define IEC21_STX 0x02
#define IEC21_ETX 0x03
#define IEC21_EOT 0x04
#define IEC21_ACK 0x06
#define IEC21_NAK 0x15

/* Field limits fixed by the standard. */
#define IEC21_ADDRESS_MAX        16  /* data-set address */
#define IEC21_VALUE_MAX          32  /* data-set value, modes A and B */
#define IEC21_VALUE_MAX_C        128 /* data-set value, mode C */
#define IEC21_UNIT_MAX           16  /* data-set unit */
#define IEC21_DEVICE_ADDRESS_MAX 32  /* device address in the request message */

/* Protocol control character V and mode control character Y of the
 * acknowledgement/option select message. */
#define IEC21_V_NORMAL      '0'
#define IEC21_V_HDLC        '2'
#define IEC21_Y_READOUT     '0'
#define IEC21_Y_PROGRAMMING '1'
#define IEC21_Y_BINARY      '2'

/* Errors: -0x0400..-0x04FF. */
#define IEC21_ERR_BADARG      (-0x0401) /* NULL pointer or impossible argument */
#define IEC21_ERR_CONFIG      (-0x0402) /* server configuration not valid */
#define IEC21_ERR_BUF_SMALL   (-0x0403) /* output buffer too small */
#define IEC21_ERR_FORMAT      (-0x0404) /* message does not follow the syntax */
#define IEC21_ERR_BCC         (-0x0405) /* block check character wrong */
#define IEC21_ERR_TOO_LONG    (-0x0406) /* a field is longer than allowed */
#define IEC21_ERR_CHAR        (-0x0407) /* forbidden character inside a field */
#define IEC21_ERR_BAUD        (-0x0408) /* baud character not valid here */
#define IEC21_ERR_INCOMPLETE  (-0x0409) /* message truncated */
#define IEC21_ERR_HANDED_OVER (-0x040A) /* port belongs to HDLC (mode E) until reset */

typedef enum iec21_mode {
    IEC21_MODE_A = 'A', /* 300 Bd, data message right after the identification */
    IEC21_MODE_B = 'B', /* meter switches to the Z rate by itself */
    IEC21_MODE_C = 'C', /* ACK/option select chooses rate and readout/programming/HDLC */
} iec21_mode_t;

/* ---- common helpers ------------------------------------------------------ */

/* BCC over p[0..len): XOR of the bytes, 7 bits. Pass the bytes after the
 * SOH/STX up to and including ETX. */
uint8_t iec21_bcc(const uint8_t *p, size_t len);

/* Mode announced by a baud character (J62 reading): 'A'..'F' mode B,
 * '0'..'6' mode C, anything else mode A. */
iec21_mode_t iec21_mode_of(char z);

/* Baud rate of z in the given mode; 300 for mode A; 0 when z is not a
 * rate character of that mode. */
uint32_t iec21_baud_of(iec21_mode_t mode, char z);

/* A data set: pointers into the parsed buffer, not NUL-terminated. */
typedef struct iec21_dataset {
    const char *address; /* may be empty (answers, P0/P1 operands) */
    size_t address_len;
    const char *value;
    size_t value_len;
    const char *unit; /* NULL when the data set has no '*' */
    size_t unit_len;
} iec21_dataset_t;

/* Parse one data set "[address](value[*unit])" at the start of s.
 * value_max is IEC21_VALUE_MAX or IEC21_VALUE_MAX_C. Returns the characters
 * used, or IEC21_ERR_FORMAT (no '(' / ')') / _TOO_LONG / _CHAR. */
int iec21_dataset_parse(const char *s, size_t len, size_t value_max, iec21_dataset_t *ds);

/* Check a data line (no CR LF): one or more data sets and nothing else.
 * Returns the number of data sets or a negative IEC21_ERR_*. */
int iec21_data_line_check(const char *line, size_t len, size_t value_max);

/* Write "address(value[*unit])" into out (no NUL). unit NULL = none.
 * Returns the length or IEC21_ERR_TOO_LONG / _CHAR / _BUF_SMALL. */
int iec21_dataset_format(const iec21_dataset_t *ds, size_t value_max, char *out, size_t cap);

/* Length of the message at the start of buf once it is complete, else 0:
 * ACK/NAK = 1 byte, '/'...CR LF, SOH/STX ... ETX|EOT BCC. A byte that can
 * start no message counts as a complete 1-byte message (the parsers then
 * refuse it), so a client can always make progress. */
size_t iec21_message_complete(const uint8_t *buf, size_t len);

/* ---- client side --------------------------------------------------------- */

/* "/?" address "!" CR LF. address NULL or "" for none; at most 32
 * characters, printable, none of / ? !. Returns the length. */
int iec21_request_build(const char *device_address, uint8_t *out, size_t cap);

/* Parse a request message (exact length). Copies the device address,
 * NUL-terminated, into addr (cap >= 33 always suffices) and returns its
 * length (0 = none). */
int iec21_request_parse(const uint8_t *msg, size_t len, char *addr, size_t cap);

typedef struct iec21_ident {
    char manufacturer[4];            /* NUL-terminated, case kept */
    uint16_t reaction_ms;            /* 20 when the third letter is lower case, else 200 */
    char baud_char;                  /* Z */
    iec21_mode_t mode;               /* from Z */
    uint32_t baud;                   /* rate for the data message (300 in mode A) */
    bool mode_e;                     /* enhanced identification "\2": HDLC available */
    char enhanced[5];                /* the W characters, NUL-terminated (up to 4) */
    char id[EM_IEC21_MAX_IDENT + 1]; /* identification, NUL-terminated */
} iec21_ident_t;

/* Build "/XXXZ[\2]ident" CR LF. manufacturer is 3 letters; ident at most
 * EM_IEC21_MAX_IDENT printable characters without / ! \. */
int iec21_ident_build(const char *manufacturer, char z, bool mode_e, const char *ident,
                      uint8_t *out, size_t cap);

/* Parse an identification message (exact length, CR LF included).
 * Returns 0 or IEC21_ERR_FORMAT / _TOO_LONG / _CHAR / _INCOMPLETE. */
int iec21_ident_parse(const uint8_t *msg, size_t len, iec21_ident_t *id);

/* ACK V Z Y CR LF. Returns 6 or IEC21_ERR_CHAR / _BUF_SMALL. */
int iec21_ack_build(char v, char z, char y, uint8_t *out, size_t cap);

/* Parse ACK V Z Y CR LF (exact length). */
int iec21_ack_parse(const uint8_t *msg, size_t len, char *v, char *z, char *y);

/* A checked data block, walked with iec21_block_next(). */
typedef struct iec21_block {
    const char *data; /* block contents between STX and the end marker */
    size_t len;
    size_t pos;
    unsigned line; /* data line of the next data set (0-based) */
    bool readout;  /* the block ended with "!" CR LF (readout data message) */
} iec21_block_t;

/* Check a data message STX ... ETX BCC (exact length): framing, BCC,
 * every line and data set (values up to IEC21_VALUE_MAX_C). Accepts the
 * readout form (lines each ended by CR LF, then "!" CR LF) and the answer
 * form (data sets, lines separated by CR LF, the last CR LF optional).
 * Partial blocks (EOT) are not supported. Returns the number of data sets
 * and leaves blk ready for iec21_block_next(). */
int iec21_data_message_parse(const uint8_t *msg, size_t len, iec21_block_t *blk);

/* Next data set of a checked block: 1 with *ds filled (*line_out = its
 * line when not NULL), 0 at the end. */
int iec21_block_next(iec21_block_t *blk, iec21_dataset_t *ds, unsigned *line_out);

typedef struct iec21_command {
    char command; /* 'P' 'W' 'R' 'E' 'B' */
    char type;    /* '0'..'9' */
    bool has_data;
    iec21_dataset_t data; /* valid when has_data */
} iec21_command_t;

/* SOH C D [STX data-set ETX | ETX] BCC. data NULL = no data set (break).
 * Values up to IEC21_VALUE_MAX_C. Returns the length. */
int iec21_command_build(char command, char type, const iec21_dataset_t *data, uint8_t *out,
                        size_t cap);

/* Parse a programming command message (exact length). The data set points
 * into msg. Returns 0 or IEC21_ERR_FORMAT / _BCC / _TOO_LONG / _CHAR /
 * _INCOMPLETE. */
int iec21_command_parse(const uint8_t *msg, size_t len, iec21_command_t *cmd);

/* ---- meter side ---------------------------------------------------------- */

/* Yield data line `index` (0, 1, 2...) of the readout into buf, without
 * CR LF. Return its length, 0 after the last line, or < 0 if this line
 * cannot be produced. A line that is not one or more well-formed data sets
 * (or is longer than cap, or < 0) is skipped and counted in
 * iec21_server_t.lines_skipped: the telegram stays well-formed, the gap is
 * visible in the counter. */
typedef int (*iec21_readout_line_fn)(void *user, unsigned index, char *buf, size_t cap);

/* R1/R5: write "value" or "value*unit" for req->address into buf and return
 * its length, or < 0 to refuse (answered with the error data set
 * "(ER-ADDRESS)"). */
typedef int (*iec21_read_fn)(void *user, char type, const iec21_dataset_t *req, char *buf,
                             size_t cap);

/* W1/W5 and E: return 0 to accept (answered with ACK) or < 0 (NAK). */
typedef int (*iec21_write_fn)(void *user, char type, const iec21_dataset_t *ds);

typedef struct iec21_server_config {
    char manufacturer[4]; /* e.g. "EMT"; lower-case third letter = 20 ms reaction */
    char ident[EM_IEC21_MAX_IDENT + 1];
    char device_address[IEC21_DEVICE_ADDRESS_MAX + 1]; /* "" answers every sign-on */
    char password[IEC21_VALUE_MAX + 1];                /* P1 password; "" = no programming mode */
    char operand[IEC21_VALUE_MAX + 1];                 /* sent in the P0 message, may be "" */
    iec21_mode_t mode;
    char baud_char;                     /* highest rate offered: B 'A'..'F', C '0'..'6', A other */
    bool mode_e;                        /* offer HDLC ("\2", mode C only) */
    void *user;                         /* handed to the callbacks */
    iec21_readout_line_fn readout_line; /* NULL = empty readout */
    iec21_read_fn read;                 /* NULL = every read refused */
    iec21_write_fn write;               /* NULL = every write refused */
    iec21_write_fn execute;             /* NULL = every E command refused */
} iec21_server_config_t;

typedef enum iec21_server_state {
    IEC21_STATE_IDLE = 0,    /* 300 Bd, waiting for a sign-on */
    IEC21_STATE_IDENT,       /* sending the identification */
    IEC21_STATE_WAIT_ACK,    /* mode C: waiting for ACK/option select */
    IEC21_STATE_READOUT,     /* sending the data message */
    IEC21_STATE_PROG,        /* programming mode, waiting for a command */
    IEC21_STATE_HANDED_OVER, /* mode E: the port belongs to HDLC until reset */
} iec21_server_state_t;

typedef enum iec21_event_type {
    IEC21_EV_NONE = 0, /* nothing to send; wake_ms = next time-out (0 = none) */
    IEC21_EV_TX,       /* the returned bytes are to be sent at the current rate */
    IEC21_EV_WAIT,     /* output is held (reaction time); poll again at wake_ms */
    IEC21_EV_BAUD,     /* once every byte so far has left the UART: switch to baud, 7E1 */
    IEC21_EV_HDLC,     /* once drained: switch to baud, 8N1, and give the port to HDLC */
} iec21_event_type_t;

typedef struct iec21_event {
    iec21_event_type_t type;
    uint32_t baud;
    uint64_t wake_ms;
} iec21_event_t;

/* Queued output step (internal). */
typedef struct iec21_op {
    uint8_t type;
    uint32_t arg;
} iec21_op_t;

#define IEC21_OPS 8

typedef struct iec21_server {
    iec21_server_config_t cfg;
    iec21_server_state_t state;
    uint32_t baud;        /* rate the caller's UART is at, after the events handed out */
    uint16_t reaction_ms; /* minimum reaction time tr: 20 or 200 ms */
    uint64_t deadline_ms; /* WAIT_ACK / PROG time-out, 0 = none */
    uint64_t reply_at_ms; /* earliest time of the answer to the last message */
    uint64_t hold_until_ms;
    bool hold_armed;
    /* receiver */
    uint8_t rx[EM_IEC21_MAX_LINE];
    size_t rx_len;
    bool rx_bcc_next; /* ETX seen: the next character is the BCC */
    bool rx_overflow; /* the current message did not fit: drop it */
    uint64_t rx_last_ms;
    /* transmitter */
    uint8_t tx[EM_IEC21_MAX_LINE + 8];
    size_t tx_len;
    size_t tx_pos;
    iec21_op_t ops[IEC21_OPS];
    uint8_t op_head;
    uint8_t op_count;
    /* readout generator */
    uint8_t ro_phase;
    unsigned ro_index;
    uint8_t ro_bcc;
    /* programming mode */
    bool authenticated;
    uint8_t repeats; /* consecutive damaged messages / repeat requests */
    uint8_t password_fails;
    /* statistics */
    uint32_t lines_skipped; /* readout lines refused by the validator, since init */
} iec21_server_t;

/* Check and copy cfg, start idle at 300 Bd. IEC21_ERR_CONFIG when a field
 * is malformed (see iec21_server_config_t), mode E without mode C. */
int iec21_server_init(iec21_server_t *s, const iec21_server_config_t *cfg);

/* Back to idle, e.g. when HDLC released the port after mode E. If the UART
 * is not at 300 Bd the next poll returns IEC21_EV_BAUD 300 first. */
void iec21_server_reset(iec21_server_t *s);

/* Feed received characters.
 *
 * Idle, only a request "/?[addr]!" CR LF at 300 Bd is recognised; any other
 * byte is dropped (a '/' restarts the line), and a request for another
 * device address is ignored. The meter answers with its identification
 * after the minimum reaction time. Mode A then sends the data message at
 * 300 Bd; mode B switches to its Z rate, pauses EM_IEC21_BAUD_SWITCH_MS and
 * sends it; both return to 300 Bd and idle. Mode C waits for the ACK/option
 * select (time-out EM_IEC21_ACK_TIMEOUT_MS after the identification left
 * the wire): V='0' Y='0' readout at the chosen rate, V='0' Y='1'
 * programming (needs a configured password), V='2' Y='2' HDLC (mode E
 * only); a Z above the offered rate, or any other combination, is refused:
 * the meter stays at 300 Bd and goes idle.
 *
 * Programming: the meter sends SOH P0 STX (operand) ETX BCC, then answers
 * P1 (password: ACK, wrong: NAK, break after EM_IEC21_MAX_PASSWORD_TRIES),
 * R1/R5 (STX address(value) ETX BCC, or "(ER-ACCESS)" before the password,
 * "(ER-ADDRESS)" when refused, "(ER-VALUE)" when the callback produced an
 * illegal value), W1/W5 and E (ACK, or NAK when refused or before the
 * password), B (no answer: back to 300 Bd, idle). A damaged message (bad
 * BCC or syntax) gets NAK, at most EM_IEC21_MAX_REPEATS times in a row; a
 * NAK from the HHU repeats the last answer. No command within
 * EM_IEC21_PROG_TIMEOUT_MS ends the session.
 *
 * The line is half duplex: characters received while output is pending
 * are dropped. A partial message older than EM_IEC21_CHAR_TIMEOUT_MS is
 * dropped. Returns 0, or IEC21_ERR_HANDED_OVER in mode E (route the bytes
 * to HDLC) / IEC21_ERR_BADARG. */
int iec21_server_feed(iec21_server_t *s, uint64_t now_ms, const uint8_t *data, size_t len);

/* Pull the next output. Returns the number of bytes written to buf (ev->type
 * = IEC21_EV_TX), or 0 with ev telling what comes next (NONE, WAIT, BAUD,
 * HDLC). Call until IEC21_EV_NONE or IEC21_EV_WAIT; handle BAUD/HDLC only
 * after the UART has sent everything before. Also applies the time-outs. */
int iec21_server_poll(iec21_server_t *s, uint64_t now_ms, uint8_t *buf, size_t cap,
                      iec21_event_t *ev);

iec21_server_state_t iec21_server_state(const iec21_server_t *s);

const char *iec21_strerror(int err);

#endif /* IEC62056_21_H */
