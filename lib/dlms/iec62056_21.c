/*
 * iec62056_21.c - IEC 62056-21 optical port: message builders/parsers for
 * the client and the meter-side state machine (modes A, B, C, switch to
 * mode E). Message syntax: IEC 62056-21 clause 6.3; protocol flow: clause
 * 6.4 (modes A-C) and annex E (mode E). See iec62056_21.h.
 */
#include "dlms/iec62056_21.h"

#include <string.h>

_Static_assert(EM_IEC21_MAX_LINE >= 64, "EM_IEC21_MAX_LINE too small for an ACK or request");
_Static_assert(EM_IEC21_MAX_IDENT + 12 <= EM_IEC21_MAX_LINE + 8,
               "identification message does not fit the transmit buffer");
_Static_assert(EM_IEC21_MAX_REPEATS < 200 && EM_IEC21_MAX_PASSWORD_TRIES < 200,
               "repeat counters are 8 bits");

#define BAUD_SIGN_ON 300u

/* ======================================================================== */
/* Character classes                                                        */
/* ======================================================================== */

static bool is_printable(uint8_t c) {
    return c >= 0x20 && c <= 0x7E;
}

/* Characters allowed in an address or unit: printable but ( ) / !. */
static bool is_field_char(uint8_t c) {
    return is_printable(c) && c != '(' && c != ')' && c != '/' && c != '!';
}

static bool is_value_char(uint8_t c) {
    return is_field_char(c) && c != '*';
}

static bool is_upper(uint8_t c) {
    return c >= 'A' && c <= 'Z';
}

static bool is_lower(uint8_t c) {
    return c >= 'a' && c <= 'z';
}

static bool is_digit(uint8_t c) {
    return c >= '0' && c <= '9';
}

/* Characters reserved by the standard for rates not assigned yet; a meter
 * in mode A must not announce them. */
static bool is_reserved_baud(uint8_t c) {
    return (c >= '7' && c <= '9') || (c >= 'G' && c <= 'I');
}

/* Length of a NUL-terminated string held in an array of cap bytes, or
 * cap when it is not terminated. */
static size_t bounded_len(const char *s, size_t cap) {
    const char *nul = memchr(s, 0, cap);
    return nul == NULL ? cap : (size_t)(nul - s);
}

static bool all_chars(const char *s, size_t len, bool (*ok)(uint8_t)) {
    for (size_t i = 0; i < len; i++) {
        if (!ok((uint8_t)s[i])) {
            return false;
        }
    }
    return true;
}

static bool is_ident_char(uint8_t c) {
    return is_printable(c) && c != '/' && c != '!' && c != '\\';
}

static bool is_device_address_char(uint8_t c) {
    return is_printable(c) && c != '/' && c != '!' && c != '?';
}

/* ======================================================================== */
/* Common helpers                                                           */
/* ======================================================================== */

uint8_t iec21_bcc(const uint8_t *p, size_t len) {
    uint8_t bcc = 0;
    for (size_t i = 0; i < len; i++) {
        bcc ^= p[i];
    }
    return (uint8_t)(bcc & 0x7F);
}

iec21_mode_t iec21_mode_of(char z) {
    if (z >= 'A' && z <= 'F') {
        return IEC21_MODE_B;
    }
    if (z >= '0' && z <= '6') {
        return IEC21_MODE_C;
    }
    return IEC21_MODE_A;
}

uint32_t iec21_baud_of(iec21_mode_t mode, char z) {
    static const uint32_t rates[7] = {300, 600, 1200, 2400, 4800, 9600, 19200};
    switch (mode) {
    case IEC21_MODE_B:
        return (z >= 'A' && z <= 'F') ? rates[z - 'A' + 1] : 0;
    case IEC21_MODE_C:
        return (z >= '0' && z <= '6') ? rates[z - '0'] : 0;
    case IEC21_MODE_A:
        return iec21_mode_of(z) == IEC21_MODE_A ? BAUD_SIGN_ON : 0;
    }
    return 0;
}

/* ======================================================================== */
/* Data sets and data lines                                                 */
/* ======================================================================== */

/* Scan a field up to one of the stop characters. Returns the field length
 * or a negative code; *stop receives the stop character's index. */
static int scan_field(const char *s, size_t len, size_t start, size_t max, bool (*ok)(uint8_t),
                      const char *stops, size_t *stop) {
    size_t i = start;
    /* s[i] != 0: strchr() would match the terminator of stops. */
    while (i < len && (s[i] == '\0' || strchr(stops, s[i]) == NULL)) {
        if (!ok((uint8_t)s[i])) {
            return IEC21_ERR_CHAR;
        }
        if (i - start >= max) {
            return IEC21_ERR_TOO_LONG;
        }
        i++;
    }
    if (i == len) {
        return IEC21_ERR_FORMAT;
    }
    *stop = i;
    return (int)(i - start);
}

int iec21_dataset_parse(const char *s, size_t len, size_t value_max, iec21_dataset_t *ds) {
    if (s == NULL || ds == NULL || value_max > IEC21_VALUE_MAX_C) {
        return IEC21_ERR_BADARG;
    }
    memset(ds, 0, sizeof(*ds));
    size_t at;
    int n = scan_field(s, len, 0, IEC21_ADDRESS_MAX, is_field_char, "(", &at);
    if (n < 0) {
        return n;
    }
    iec21_dataset_t d = {s, (size_t)n, s + at + 1, 0, NULL, 0};
    n = scan_field(s, len, at + 1, value_max, is_value_char, "*)", &at);
    if (n < 0) {
        return n;
    }
    d.value_len = (size_t)n;
    if (s[at] == '*') {
        d.unit = s + at + 1;
        n = scan_field(s, len, at + 1, IEC21_UNIT_MAX, is_field_char, ")", &at);
        if (n < 0) {
            return n;
        }
        d.unit_len = (size_t)n;
    }
    *ds = d;
    return (int)(at + 1);
}

int iec21_data_line_check(const char *line, size_t len, size_t value_max) {
    if (line == NULL) {
        return IEC21_ERR_BADARG;
    }
    if (len == 0) {
        return IEC21_ERR_FORMAT;
    }
    int sets = 0;
    size_t pos = 0;
    while (pos < len) {
        iec21_dataset_t ds;
        int n = iec21_dataset_parse(line + pos, len - pos, value_max, &ds);
        if (n < 0) {
            return n;
        }
        pos += (size_t)n;
        sets++;
    }
    return sets;
}

static size_t put(char *out, size_t at, const char *src, size_t n) {
    memcpy(out + at, src, n);
    return at + n;
}

int iec21_dataset_format(const iec21_dataset_t *ds, size_t value_max, char *out, size_t cap) {
    if (ds == NULL || out == NULL || value_max > IEC21_VALUE_MAX_C ||
        (ds->address == NULL && ds->address_len != 0) ||
        (ds->value == NULL && ds->value_len != 0)) {
        return IEC21_ERR_BADARG;
    }
    if (ds->address_len > IEC21_ADDRESS_MAX || ds->value_len > value_max ||
        (ds->unit != NULL && ds->unit_len > IEC21_UNIT_MAX)) {
        return IEC21_ERR_TOO_LONG;
    }
    if (!all_chars(ds->address, ds->address_len, is_field_char) ||
        !all_chars(ds->value, ds->value_len, is_value_char) ||
        (ds->unit != NULL && !all_chars(ds->unit, ds->unit_len, is_field_char))) {
        return IEC21_ERR_CHAR;
    }
    size_t need = ds->address_len + ds->value_len + 2 + (ds->unit ? ds->unit_len + 1 : 0);
    if (need > cap) {
        return IEC21_ERR_BUF_SMALL;
    }
    size_t at = put(out, 0, ds->address, ds->address_len);
    out[at++] = '(';
    at = put(out, at, ds->value, ds->value_len);
    if (ds->unit != NULL) {
        out[at++] = '*';
        at = put(out, at, ds->unit, ds->unit_len);
    }
    out[at++] = ')';
    return (int)at;
}

static size_t find_byte(const uint8_t *buf, size_t from, size_t len, uint8_t a, uint8_t b) {
    for (size_t i = from; i < len; i++) {
        if (buf[i] == a || buf[i] == b) {
            return i;
        }
    }
    return len;
}

size_t iec21_message_complete(const uint8_t *buf, size_t len) {
    if (buf == NULL || len == 0) {
        return 0;
    }
    size_t end;
    switch (buf[0]) {
    case '/':
        end = find_byte(buf, 1, len, '\n', '\n');
        return end < len ? end + 1 : 0;
    case IEC21_SOH:
    case IEC21_STX:
        end = find_byte(buf, 1, len, IEC21_ETX, IEC21_EOT);
        return end + 1 < len ? end + 2 : 0;
    default:
        return 1; /* ACK, NAK, or a byte that starts nothing */
    }
}

/* ======================================================================== */
/* Client: request, identification, ACK/option select                       */
/* ======================================================================== */

int iec21_request_build(const char *device_address, uint8_t *out, size_t cap) {
    if (out == NULL) {
        return IEC21_ERR_BADARG;
    }
    const char *a = device_address == NULL ? "" : device_address;
    size_t alen = bounded_len(a, IEC21_DEVICE_ADDRESS_MAX + 1);
    if (alen > IEC21_DEVICE_ADDRESS_MAX) {
        return IEC21_ERR_TOO_LONG;
    }
    if (!all_chars(a, alen, is_device_address_char)) {
        return IEC21_ERR_CHAR;
    }
    if (cap < alen + 5) {
        return IEC21_ERR_BUF_SMALL;
    }
    out[0] = '/';
    out[1] = '?';
    memcpy(out + 2, a, alen);
    memcpy(out + 2 + alen, "!\r\n", 3);
    return (int)(alen + 5);
}

int iec21_request_parse(const uint8_t *msg, size_t len, char *addr, size_t cap) {
    if (msg == NULL || addr == NULL || cap == 0) {
        return IEC21_ERR_BADARG;
    }
    addr[0] = '\0';
    if (len < 5) {
        return IEC21_ERR_INCOMPLETE;
    }
    if (msg[0] != '/' || msg[1] != '?' || memcmp(msg + len - 3, "!\r\n", 3) != 0) {
        return IEC21_ERR_FORMAT;
    }
    size_t alen = len - 5;
    if (alen > IEC21_DEVICE_ADDRESS_MAX) {
        return IEC21_ERR_TOO_LONG;
    }
    if (!all_chars((const char *)msg + 2, alen, is_device_address_char)) {
        return IEC21_ERR_CHAR;
    }
    if (alen + 1 > cap) {
        return IEC21_ERR_BUF_SMALL;
    }
    memcpy(addr, msg + 2, alen);
    addr[alen] = '\0';
    return (int)alen;
}

static bool manufacturer_ok(const char *m) {
    return is_upper((uint8_t)m[0]) && is_upper((uint8_t)m[1]) &&
           (is_upper((uint8_t)m[2]) || is_lower((uint8_t)m[2]));
}

/* Z of an identification message: printable, not a message delimiter. */
static bool baud_char_ok(uint8_t z) {
    return z > 0x20 && z <= 0x7E && z != '/' && z != '!' && z != '\\';
}

int iec21_ident_build(const char *manufacturer, char z, bool mode_e, const char *ident,
                      uint8_t *out, size_t cap) {
    if (manufacturer == NULL || ident == NULL || out == NULL) {
        return IEC21_ERR_BADARG;
    }
    if (bounded_len(manufacturer, 4) != 3 || !manufacturer_ok(manufacturer)) {
        return IEC21_ERR_CHAR;
    }
    if (!baud_char_ok((uint8_t)z)) {
        return IEC21_ERR_BAUD;
    }
    size_t ilen = bounded_len(ident, EM_IEC21_MAX_IDENT + 1);
    if (ilen > EM_IEC21_MAX_IDENT) {
        return IEC21_ERR_TOO_LONG;
    }
    if (!all_chars(ident, ilen, is_ident_char)) {
        return IEC21_ERR_CHAR;
    }
    size_t need = 5 + (mode_e ? 2 : 0) + ilen + 2;
    if (cap < need) {
        return IEC21_ERR_BUF_SMALL;
    }
    size_t at = 0;
    out[at++] = '/';
    memcpy(out + at, manufacturer, 3);
    at += 3;
    out[at++] = (uint8_t)z;
    if (mode_e) {
        out[at++] = '\\';
        out[at++] = '2';
    }
    memcpy(out + at, ident, ilen);
    at += ilen;
    out[at++] = '\r';
    out[at++] = '\n';
    return (int)at;
}

/* Enhanced identification "\W" pairs right after Z. Returns the index of
 * the first identification character or a negative code. */
static int parse_enhanced(const uint8_t *msg, size_t end, size_t at, iec21_ident_t *id) {
    size_t n = 0;
    while (at < end && msg[at] == '\\') {
        if (at + 1 >= end || !is_printable(msg[at + 1])) {
            return IEC21_ERR_FORMAT;
        }
        if (n == sizeof(id->enhanced) - 1) {
            return IEC21_ERR_TOO_LONG;
        }
        id->enhanced[n++] = (char)msg[at + 1];
        if (msg[at + 1] == '2') {
            id->mode_e = true;
        }
        at += 2;
    }
    return (int)at;
}

int iec21_ident_parse(const uint8_t *msg, size_t len, iec21_ident_t *id) {
    if (msg == NULL || id == NULL) {
        return IEC21_ERR_BADARG;
    }
    memset(id, 0, sizeof(*id));
    if (len < 7) {
        return IEC21_ERR_INCOMPLETE;
    }
    if (msg[0] != '/' || msg[len - 2] != '\r' || msg[len - 1] != '\n') {
        return IEC21_ERR_FORMAT;
    }
    const char *m = (const char *)msg + 1;
    bool letters = (is_upper((uint8_t)m[0]) || is_lower((uint8_t)m[0])) &&
                   (is_upper((uint8_t)m[1]) || is_lower((uint8_t)m[1])) &&
                   (is_upper((uint8_t)m[2]) || is_lower((uint8_t)m[2]));
    if (!letters) {
        return IEC21_ERR_CHAR;
    }
    if (!baud_char_ok(msg[4])) {
        return IEC21_ERR_BAUD;
    }
    size_t end = len - 2;
    int at = parse_enhanced(msg, end, 5, id);
    if (at < 0) {
        memset(id, 0, sizeof(*id));
        return at;
    }
    size_t ilen = end - (size_t)at;
    int rc = 0;
    if (ilen > EM_IEC21_MAX_IDENT) {
        rc = IEC21_ERR_TOO_LONG;
    } else if (!all_chars((const char *)msg + at, ilen, is_ident_char)) {
        rc = IEC21_ERR_CHAR;
    }
    if (rc != 0) {
        memset(id, 0, sizeof(*id));
        return rc;
    }
    memcpy(id->manufacturer, m, 3);
    id->reaction_ms = is_lower((uint8_t)m[2]) ? 20 : 200;
    id->baud_char = (char)msg[4];
    id->mode = iec21_mode_of(id->baud_char);
    id->baud = iec21_baud_of(id->mode, id->baud_char);
    memcpy(id->id, msg + at, ilen);
    return 0;
}

int iec21_ack_build(char v, char z, char y, uint8_t *out, size_t cap) {
    if (out == NULL) {
        return IEC21_ERR_BADARG;
    }
    if (!is_digit((uint8_t)v) || !is_digit((uint8_t)y) || !baud_char_ok((uint8_t)z)) {
        return IEC21_ERR_CHAR;
    }
    if (cap < 6) {
        return IEC21_ERR_BUF_SMALL;
    }
    out[0] = IEC21_ACK;
    out[1] = (uint8_t)v;
    out[2] = (uint8_t)z;
    out[3] = (uint8_t)y;
    out[4] = '\r';
    out[5] = '\n';
    return 6;
}

int iec21_ack_parse(const uint8_t *msg, size_t len, char *v, char *z, char *y) {
    if (msg == NULL || v == NULL || z == NULL || y == NULL) {
        return IEC21_ERR_BADARG;
    }
    if (len < 6) {
        return IEC21_ERR_INCOMPLETE;
    }
    if (len != 6 || msg[0] != IEC21_ACK || msg[4] != '\r' || msg[5] != '\n') {
        return IEC21_ERR_FORMAT;
    }
    if (!is_digit(msg[1]) || !is_digit(msg[3]) || !baud_char_ok(msg[2])) {
        return IEC21_ERR_CHAR;
    }
    *v = (char)msg[1];
    *z = (char)msg[2];
    *y = (char)msg[3];
    return 0;
}

/* ======================================================================== */
/* Client: data messages and programming commands                           */
/* ======================================================================== */

/* Walk the lines of a block. A line ends at CR LF; the last one may lack
 * it when final_crlf is false. Returns the number of data sets. */
static int check_lines(const char *b, size_t len, bool final_crlf) {
    int sets = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *cr = memchr(b + pos, '\r', len - pos);
        size_t eol = cr == NULL ? len : (size_t)(cr - b);
        bool crlf = eol + 1 < len && b[eol + 1] == '\n';
        if (cr != NULL && !crlf) {
            return IEC21_ERR_CHAR; /* a lone CR inside a line */
        }
        if (!crlf && final_crlf) {
            return IEC21_ERR_FORMAT;
        }
        int n = iec21_data_line_check(b + pos, eol - pos, IEC21_VALUE_MAX_C);
        if (n < 0) {
            return n;
        }
        sets += n;
        pos = crlf ? eol + 2 : eol;
    }
    return sets;
}

int iec21_data_message_parse(const uint8_t *msg, size_t len, iec21_block_t *blk) {
    if (msg == NULL || blk == NULL) {
        return IEC21_ERR_BADARG;
    }
    memset(blk, 0, sizeof(*blk));
    if (len < 3) {
        return IEC21_ERR_INCOMPLETE;
    }
    if (msg[0] != IEC21_STX) {
        return IEC21_ERR_FORMAT;
    }
    if (msg[len - 2] != IEC21_ETX) {
        /* An end marker elsewhere means extra bytes or a partial block
         * (EOT, not supported); none at all means more is to come. */
        bool marker = find_byte(msg, 1, len, IEC21_ETX, IEC21_EOT) < len;
        return marker ? IEC21_ERR_FORMAT : IEC21_ERR_INCOMPLETE;
    }
    if (iec21_bcc(msg + 1, len - 2) != msg[len - 1]) {
        return IEC21_ERR_BCC;
    }
    const char *b = (const char *)msg + 1;
    size_t blen = len - 3;
    bool readout = blen >= 3 && memcmp(b + blen - 3, "!\r\n", 3) == 0;
    if (readout) {
        blen -= 3;
    } else if (blen == 0) {
        return IEC21_ERR_FORMAT;
    }
    int sets = check_lines(b, blen, readout);
    if (sets < 0) {
        return sets;
    }
    blk->data = b;
    blk->len = blen;
    blk->readout = readout;
    return sets;
}

int iec21_block_next(iec21_block_t *blk, iec21_dataset_t *ds, unsigned *line_out) {
    if (blk == NULL || ds == NULL) {
        return IEC21_ERR_BADARG;
    }
    if (blk->pos >= blk->len) {
        return 0;
    }
    int n = iec21_dataset_parse(blk->data + blk->pos, blk->len - blk->pos, IEC21_VALUE_MAX_C, ds);
    if (n < 0) {
        return n;
    }
    if (line_out != NULL) {
        *line_out = blk->line;
    }
    blk->pos += (size_t)n;
    if (blk->pos + 2 <= blk->len && blk->data[blk->pos] == '\r' &&
        blk->data[blk->pos + 1] == '\n') {
        blk->pos += 2;
        blk->line++;
    }
    return 1;
}

static bool command_char_ok(char c) {
    return c == 'P' || c == 'W' || c == 'R' || c == 'E' || c == 'B';
}

int iec21_command_build(char command, char type, const iec21_dataset_t *data, uint8_t *out,
                        size_t cap) {
    if (out == NULL) {
        return IEC21_ERR_BADARG;
    }
    if (!command_char_ok(command) || !is_digit((uint8_t)type)) {
        return IEC21_ERR_CHAR;
    }
    if (cap < 5) {
        return IEC21_ERR_BUF_SMALL;
    }
    size_t at = 0;
    out[at++] = IEC21_SOH;
    out[at++] = (uint8_t)command;
    out[at++] = (uint8_t)type;
    if (data != NULL) {
        out[at++] = IEC21_STX;
        /* Room for ETX and BCC stays free behind the data set. */
        size_t room = cap - at < 2 ? 0 : cap - at - 2;
        int n = iec21_dataset_format(data, IEC21_VALUE_MAX_C, (char *)out + at, room);
        if (n < 0) {
            return n;
        }
        at += (size_t)n;
    }
    if (cap < at + 2) {
        return IEC21_ERR_BUF_SMALL;
    }
    out[at++] = IEC21_ETX;
    out[at] = iec21_bcc(out + 1, at - 1);
    return (int)(at + 1);
}

int iec21_command_parse(const uint8_t *msg, size_t len, iec21_command_t *cmd) {
    if (msg == NULL || cmd == NULL) {
        return IEC21_ERR_BADARG;
    }
    memset(cmd, 0, sizeof(*cmd));
    if (len < 5) {
        return IEC21_ERR_INCOMPLETE;
    }
    if (msg[0] != IEC21_SOH || msg[len - 2] != IEC21_ETX) {
        return IEC21_ERR_FORMAT;
    }
    if (iec21_bcc(msg + 1, len - 2) != msg[len - 1]) {
        return IEC21_ERR_BCC;
    }
    if (!command_char_ok((char)msg[1]) || !is_digit(msg[2])) {
        return IEC21_ERR_FORMAT;
    }
    iec21_command_t c = {(char)msg[1], (char)msg[2], false, {0}};
    if (len != 5) {
        if (msg[3] != IEC21_STX) {
            return IEC21_ERR_FORMAT;
        }
        size_t dlen = len - 6;
        int n = iec21_dataset_parse((const char *)msg + 4, dlen, IEC21_VALUE_MAX_C, &c.data);
        if (n < 0) {
            return n;
        }
        if ((size_t)n != dlen) {
            return IEC21_ERR_FORMAT; /* exactly one data set */
        }
        c.has_data = true;
    }
    *cmd = c;
    return 0;
}

/* ======================================================================== */
/* Meter side: output queue                                                 */
/* ======================================================================== */

enum op_type {
    OP_REACT,   /* wait until reply_at_ms (minimum reaction time) */
    OP_PAUSE,   /* wait arg ms from when this step is reached */
    OP_SEND,    /* send tx[0..tx_len) */
    OP_READOUT, /* generate and send the data message */
    OP_BAUD,    /* event: switch to arg Bd, 7E1 */
    OP_HDLC,    /* event: switch to arg Bd, 8N1, hand over */
    OP_STATE,   /* enter state arg */
};

enum ro_phase { RO_START, RO_LINES, RO_TRAILER, RO_DONE };

static void push(iec21_server_t *s, enum op_type type, uint32_t arg) {
    /* The longest sequence queued at once is 7 steps (mode B sign-on), so
     * the queue cannot overflow; the check keeps memory safe regardless. */
    if (s->op_count == IEC21_OPS) {
        return;
    }
    uint8_t at = (uint8_t)((s->op_head + s->op_count) % IEC21_OPS);
    s->ops[at].type = (uint8_t)type;
    s->ops[at].arg = arg;
    s->op_count++;
}

static void pop(iec21_server_t *s) {
    s->op_head = (uint8_t)((s->op_head + 1) % IEC21_OPS);
    s->op_count--;
    s->hold_armed = false;
}

static uint64_t elapsed(uint64_t now, uint64_t since) {
    return now > since ? now - since : 0;
}

/* Milliseconds to send n characters at 300 Bd, 10 bits each (7E1). n is
 * bounded by the transmit buffer, so 32 bits cannot overflow. */
static uint32_t tx_ms_300(size_t n) {
    return ((uint32_t)n * 10u * 1000u + BAUD_SIGN_ON - 1) / BAUD_SIGN_ON;
}

static void set_tx(iec21_server_t *s, const uint8_t *p, size_t n) {
    memcpy(s->tx, p, n);
    s->tx_len = n;
    s->tx_pos = 0;
}

/* Rate the UART will be at once every queued step has been handed out. */
static uint32_t final_baud(const iec21_server_t *s) {
    uint32_t baud = s->baud;
    for (uint8_t i = 0; i < s->op_count; i++) {
        const iec21_op_t *op = &s->ops[(s->op_head + i) % IEC21_OPS];
        if (op->type == OP_BAUD || op->type == OP_HDLC) {
            baud = op->arg;
        }
    }
    return baud;
}

/* End the session: idle, and back to 300 Bd through an event. Nothing is
 * queued when the rate is already 300 Bd, so input is accepted at once. */
static void go_idle(iec21_server_t *s) {
    s->state = IEC21_STATE_IDLE;
    s->deadline_ms = 0;
    s->authenticated = false;
    s->repeats = 0;
    s->password_fails = 0;
    s->rx_len = 0;
    s->rx_bcc_next = false;
    s->rx_overflow = false;
    if (final_baud(s) != BAUD_SIGN_ON) {
        push(s, OP_BAUD, BAUD_SIGN_ON);
    }
}

static void enter_state(iec21_server_t *s, iec21_server_state_t st, uint64_t now) {
    s->state = st;
    switch (st) {
    case IEC21_STATE_WAIT_ACK:
        /* tx still holds the identification just handed out. */
        s->deadline_ms = now + tx_ms_300(s->tx_len) + EM_IEC21_ACK_TIMEOUT_MS;
        break;
    case IEC21_STATE_PROG:
        s->deadline_ms = now + EM_IEC21_PROG_TIMEOUT_MS;
        break;
    default:
        s->deadline_ms = 0;
        break;
    }
}

/* ======================================================================== */
/* Meter side: readout generator                                            */
/* ======================================================================== */

static size_t readout_value_max(const iec21_server_t *s) {
    return s->cfg.mode == IEC21_MODE_C ? IEC21_VALUE_MAX_C : IEC21_VALUE_MAX;
}

/* Put the next valid data line (with CR LF) into tx. False at the end. */
static bool readout_next_line(iec21_server_t *s) {
    while (s->cfg.readout_line != NULL && s->ro_index < EM_IEC21_MAX_READOUT_LINES) {
        int n = s->cfg.readout_line(s->cfg.user, s->ro_index, (char *)s->tx, EM_IEC21_MAX_LINE);
        s->ro_index++;
        if (n == 0) {
            return false;
        }
        if (n < 0 || n > EM_IEC21_MAX_LINE ||
            iec21_data_line_check((const char *)s->tx, (size_t)n, readout_value_max(s)) < 0) {
            s->lines_skipped++;
            continue;
        }
        s->tx[n] = '\r';
        s->tx[n + 1] = '\n';
        s->tx_len = (size_t)n + 2;
        return true;
    }
    return false;
}

/* Fill tx with the next piece of STX lines... ! CR LF ETX BCC. */
static void readout_fill(iec21_server_t *s) {
    s->tx_pos = 0;
    switch (s->ro_phase) {
    case RO_START:
        s->tx[0] = IEC21_STX;
        s->tx_len = 1;
        s->ro_bcc = 0;
        s->ro_index = 0;
        s->ro_phase = RO_LINES;
        return;
    case RO_LINES:
        if (readout_next_line(s)) {
            s->ro_bcc ^= iec21_bcc(s->tx, s->tx_len);
            return;
        }
        s->ro_phase = RO_TRAILER;
        /* fall through */
    case RO_TRAILER:
        set_tx(s, (const uint8_t *)"!\r\n\x03", 4);
        s->ro_bcc ^= iec21_bcc(s->tx, 4);
        s->tx[4] = (uint8_t)(s->ro_bcc & 0x7F);
        s->tx_len = 5;
        s->ro_phase = RO_DONE;
        return;
    default:
        s->tx_len = 0;
        return;
    }
}

/* ======================================================================== */
/* Meter side: sessions                                                     */
/* ======================================================================== */

static void queue_readout(iec21_server_t *s) {
    s->ro_phase = RO_START;
    push(s, OP_READOUT, 0);
}

/* Switch to the session rate and pause, or just respect the reaction time
 * when the rate stays 300 Bd. */
static void queue_switch(iec21_server_t *s, uint32_t baud) {
    if (baud != BAUD_SIGN_ON) {
        push(s, OP_BAUD, baud);
        push(s, OP_PAUSE, EM_IEC21_BAUD_SWITCH_MS);
    } else {
        push(s, OP_REACT, 0);
    }
}

static void start_session(iec21_server_t *s, uint64_t now) {
    const iec21_server_config_t *c = &s->cfg;
    int n =
        iec21_ident_build(c->manufacturer, c->baud_char, c->mode_e, c->ident, s->tx, sizeof(s->tx));
    if (n <= 0) {
        return; /* cannot happen: the configuration was checked */
    }
    s->tx_len = (size_t)n;
    s->tx_pos = 0;
    s->authenticated = false;
    s->repeats = 0;
    s->password_fails = 0;
    s->reply_at_ms = now + s->reaction_ms;
    s->state = IEC21_STATE_IDENT;
    push(s, OP_REACT, 0);
    push(s, OP_SEND, 0);
    switch (c->mode) {
    case IEC21_MODE_A:
        s->state = IEC21_STATE_READOUT;
        queue_readout(s);
        push(s, OP_STATE, IEC21_STATE_IDLE);
        break;
    case IEC21_MODE_B:
        s->state = IEC21_STATE_READOUT;
        queue_switch(s, iec21_baud_of(IEC21_MODE_B, c->baud_char));
        queue_readout(s);
        push(s, OP_BAUD, BAUD_SIGN_ON);
        push(s, OP_STATE, IEC21_STATE_IDLE);
        break;
    case IEC21_MODE_C:
        push(s, OP_STATE, IEC21_STATE_WAIT_ACK);
        break;
    }
}

static void handle_request(iec21_server_t *s, uint64_t now) {
    char addr[IEC21_DEVICE_ADDRESS_MAX + 1];
    int alen = iec21_request_parse(s->rx, s->rx_len, addr, sizeof(addr));
    if (alen < 0) {
        return;
    }
    /* An empty address in the request or in our configuration matches. */
    if (alen > 0 && s->cfg.device_address[0] != '\0' && strcmp(addr, s->cfg.device_address) != 0) {
        return;
    }
    start_session(s, now);
}

static void start_programming(iec21_server_t *s, uint32_t baud) {
    iec21_dataset_t op = {"", 0, s->cfg.operand, strlen(s->cfg.operand), NULL, 0};
    int n = iec21_command_build('P', '0', &op, s->tx, sizeof(s->tx));
    if (n <= 0) {
        go_idle(s);
        return;
    }
    s->tx_len = (size_t)n;
    s->tx_pos = 0;
    s->state = IEC21_STATE_PROG;
    queue_switch(s, baud);
    push(s, OP_SEND, 0);
    push(s, OP_STATE, IEC21_STATE_PROG);
}

static void handle_option_select(iec21_server_t *s, uint64_t now) {
    char v, z, y;
    if (iec21_ack_parse(s->rx, s->rx_len, &v, &z, &y) != 0) {
        go_idle(s);
        return;
    }
    uint32_t baud = iec21_baud_of(IEC21_MODE_C, z);
    if (baud == 0 || z > s->cfg.baud_char) {
        go_idle(s); /* a rate we do not offer: stay at 300 Bd */
        return;
    }
    s->reply_at_ms = now + s->reaction_ms;
    if (v == IEC21_V_NORMAL && y == IEC21_Y_READOUT) {
        s->state = IEC21_STATE_READOUT;
        queue_switch(s, baud);
        queue_readout(s);
        push(s, OP_BAUD, BAUD_SIGN_ON);
        push(s, OP_STATE, IEC21_STATE_IDLE);
    } else if (v == IEC21_V_NORMAL && y == IEC21_Y_PROGRAMMING && s->cfg.password[0] != '\0') {
        start_programming(s, baud);
    } else if (v == IEC21_V_HDLC && y == IEC21_Y_BINARY && s->cfg.mode_e) {
        s->state = IEC21_STATE_HANDED_OVER;
        s->deadline_ms = 0;
        push(s, OP_HDLC, baud);
    } else {
        go_idle(s);
    }
}

/* ---- programming mode -------------------------------------------------- */

static void reply(iec21_server_t *s, uint64_t now, const uint8_t *msg, size_t n) {
    set_tx(s, msg, n);
    s->reply_at_ms = now + s->reaction_ms;
    push(s, OP_REACT, 0);
    push(s, OP_SEND, 0);
    push(s, OP_STATE, IEC21_STATE_PROG);
}

static void reply_byte(iec21_server_t *s, uint64_t now, uint8_t c) {
    reply(s, now, &c, 1);
}

/* SOH B0 ETX BCC, then 300 Bd and idle. */
static void send_break(iec21_server_t *s, uint64_t now) {
    uint8_t msg[5];
    int n = iec21_command_build('B', '0', NULL, msg, sizeof(msg));
    set_tx(s, msg, (size_t)n);
    s->reply_at_ms = now + s->reaction_ms;
    push(s, OP_REACT, 0);
    push(s, OP_SEND, 0);
    go_idle(s);
}

static void damaged_message(iec21_server_t *s, uint64_t now) {
    if (s->repeats >= EM_IEC21_MAX_REPEATS) {
        send_break(s, now);
        return;
    }
    s->repeats++;
    reply_byte(s, now, IEC21_NAK);
}

/* Compare without an early exit so the time taken does not tell how many
 * leading characters of a guess were right. */
static bool password_equal(const iec21_server_t *s, const iec21_dataset_t *d) {
    size_t plen = strlen(s->cfg.password);
    uint8_t diff = (uint8_t)(d->value_len != plen || d->address_len != 0 || d->unit != NULL);
    for (size_t i = 0; i < plen; i++) {
        uint8_t got = i < d->value_len ? (uint8_t)d->value[i] : 0;
        diff |= (uint8_t)(got ^ (uint8_t)s->cfg.password[i]);
    }
    return diff == 0;
}

static void cmd_password(iec21_server_t *s, uint64_t now, const iec21_command_t *c) {
    if (c->type == '1' && c->has_data && password_equal(s, &c->data)) {
        s->authenticated = true;
        s->password_fails = 0;
        reply_byte(s, now, IEC21_ACK);
        return;
    }
    s->password_fails++;
    if (s->password_fails >= EM_IEC21_MAX_PASSWORD_TRIES) {
        send_break(s, now);
        return;
    }
    reply_byte(s, now, IEC21_NAK);
}

/* STX (text) ETX BCC: the error form of an answer data message. */
static void reply_error(iec21_server_t *s, uint64_t now, const char *text) {
    uint8_t msg[24];
    size_t n = strlen(text);
    msg[0] = IEC21_STX;
    msg[1] = '(';
    memcpy(msg + 2, text, n);
    msg[n + 2] = ')';
    msg[n + 3] = IEC21_ETX;
    msg[n + 4] = iec21_bcc(msg + 1, n + 3);
    reply(s, now, msg, n + 5);
}

/* Answer R1/R5 with STX address(value) ETX BCC, the value coming from the
 * read callback straight into the transmit buffer. */
static void cmd_read(iec21_server_t *s, uint64_t now, const iec21_command_t *c) {
    if (c->type != '1' && c->type != '5') {
        reply_byte(s, now, IEC21_NAK);
        return;
    }
    if (!s->authenticated) {
        reply_error(s, now, "ER-ACCESS");
        return;
    }
    if (s->cfg.read == NULL || !c->has_data) {
        reply_error(s, now, "ER-ADDRESS");
        return;
    }
    size_t alen = c->data.address_len;
    uint8_t *t = s->tx;
    t[0] = IEC21_STX;
    memcpy(t + 1, c->data.address, alen); /* rx and tx are distinct buffers */
    t[alen + 1] = '(';
    size_t vat = alen + 2;
    /* value*unit, leaving room for ) ETX BCC behind it */
    size_t cap = IEC21_VALUE_MAX_C + 1 + IEC21_UNIT_MAX;
    if (cap > sizeof(s->tx) - vat - 3) {
        cap = sizeof(s->tx) - vat - 3;
    }
    int n = s->cfg.read(s->cfg.user, c->type, &c->data, (char *)t + vat, cap);
    if (n < 0) {
        reply_error(s, now, "ER-ADDRESS");
        return;
    }
    size_t end = vat + (size_t)n;
    iec21_dataset_t chk;
    if ((size_t)n > cap) {
        reply_error(s, now, "ER-VALUE");
        return;
    }
    t[end] = ')';
    int used = iec21_dataset_parse((const char *)t + 1, end, IEC21_VALUE_MAX_C, &chk);
    if (used != (int)end) {
        reply_error(s, now, "ER-VALUE");
        return;
    }
    t[end + 1] = IEC21_ETX;
    t[end + 2] = iec21_bcc(t + 1, end + 1);
    s->tx_len = end + 3;
    s->tx_pos = 0;
    s->reply_at_ms = now + s->reaction_ms;
    push(s, OP_REACT, 0);
    push(s, OP_SEND, 0);
    push(s, OP_STATE, IEC21_STATE_PROG);
}

static void cmd_write(iec21_server_t *s, uint64_t now, const iec21_command_t *c,
                      iec21_write_fn fn) {
    bool type_ok = c->command == 'E' || c->type == '1' || c->type == '5';
    int rc = -1;
    if (s->authenticated && type_ok && c->has_data && fn != NULL) {
        rc = fn(s->cfg.user, c->type, &c->data);
    }
    reply_byte(s, now, rc >= 0 ? IEC21_ACK : IEC21_NAK);
}

static void handle_command(iec21_server_t *s, uint64_t now) {
    if (s->rx_len == 1 && s->rx[0] == IEC21_NAK) {
        /* The HHU asks for our last answer again. */
        if (s->repeats >= EM_IEC21_MAX_REPEATS || s->tx_len == 0) {
            send_break(s, now);
            return;
        }
        s->repeats++;
        s->tx_pos = 0;
        s->reply_at_ms = now + s->reaction_ms;
        push(s, OP_REACT, 0);
        push(s, OP_SEND, 0);
        push(s, OP_STATE, IEC21_STATE_PROG);
        return;
    }
    iec21_command_t c;
    if (s->rx_overflow || iec21_command_parse(s->rx, s->rx_len, &c) != 0) {
        damaged_message(s, now);
        return;
    }
    s->repeats = 0;
    switch (c.command) {
    case 'B':
        go_idle(s);
        break;
    case 'P':
        cmd_password(s, now, &c);
        break;
    case 'R':
        cmd_read(s, now, &c);
        break;
    case 'W':
        cmd_write(s, now, &c, s->cfg.write);
        break;
    default: /* 'E' */
        cmd_write(s, now, &c, s->cfg.execute);
        break;
    }
}

/* ======================================================================== */
/* Meter side: receiver                                                     */
/* ======================================================================== */

static bool starts_message(const iec21_server_t *s, uint8_t c) {
    switch (s->state) {
    case IEC21_STATE_IDLE:
        return c == '/';
    case IEC21_STATE_WAIT_ACK:
        return c == '/' || c == IEC21_ACK;
    case IEC21_STATE_PROG:
        return c == IEC21_SOH || c == IEC21_NAK;
    default:
        return false;
    }
}

static bool message_done(iec21_server_t *s, uint8_t c) {
    uint8_t first = s->rx[0];
    if (first == IEC21_NAK) {
        return true;
    }
    if (first == IEC21_SOH) {
        if (s->rx_bcc_next) {
            return true;
        }
        s->rx_bcc_next = (c == IEC21_ETX || c == IEC21_EOT);
        return false;
    }
    return c == '\n';
}

static void handle_message(iec21_server_t *s, uint64_t now) {
    switch (s->state) {
    case IEC21_STATE_IDLE:
        if (!s->rx_overflow) {
            handle_request(s, now);
        }
        break;
    case IEC21_STATE_WAIT_ACK:
        if (s->rx_overflow) {
            go_idle(s);
        } else if (s->rx[0] == '/') {
            handle_request(s, now);
        } else {
            handle_option_select(s, now);
        }
        break;
    case IEC21_STATE_PROG:
        handle_command(s, now);
        break;
    default:
        break;
    }
}

static void rx_byte(iec21_server_t *s, uint64_t now, uint8_t c) {
    bool line_state = s->state == IEC21_STATE_IDLE || s->state == IEC21_STATE_WAIT_ACK;
    /* '/' never occurs inside a line and SOH never inside a command before
     * its ETX: either one restarts reception, which resynchronises after
     * noise or a lost end character. */
    bool restart =
        line_state ? c == '/' : (s->state == IEC21_STATE_PROG && c == IEC21_SOH && !s->rx_bcc_next);
    if (s->rx_len > 0 && restart) {
        s->rx_len = 0;
        s->rx_overflow = false;
    }
    if (s->rx_len == 0) {
        if (!starts_message(s, c)) {
            return; /* noise between messages */
        }
        s->rx_bcc_next = false;
        s->rx_overflow = false;
    }
    if (s->rx_len < sizeof(s->rx)) {
        s->rx[s->rx_len++] = c;
    } else {
        s->rx_overflow = true; /* keep watching for the end, then refuse */
    }
    s->rx_last_ms = now;
    if (message_done(s, c)) {
        handle_message(s, now);
        s->rx_len = 0;
        s->rx_overflow = false;
        s->rx_bcc_next = false;
    }
}

static void check_timeouts(iec21_server_t *s, uint64_t now) {
    if (s->rx_len > 0 && elapsed(now, s->rx_last_ms) > EM_IEC21_CHAR_TIMEOUT_MS) {
        s->rx_len = 0;
        s->rx_overflow = false;
        s->rx_bcc_next = false;
    }
    if (s->op_count == 0 && s->deadline_ms != 0 && now >= s->deadline_ms) {
        go_idle(s);
    }
}

/* ======================================================================== */
/* Meter side: public entry points                                          */
/* ======================================================================== */

static bool config_ok(const iec21_server_config_t *c) {
    size_t ilen = bounded_len(c->ident, sizeof(c->ident));
    size_t alen = bounded_len(c->device_address, sizeof(c->device_address));
    size_t plen = bounded_len(c->password, sizeof(c->password));
    size_t olen = bounded_len(c->operand, sizeof(c->operand));
    if (bounded_len(c->manufacturer, sizeof(c->manufacturer)) != 3 ||
        !manufacturer_ok(c->manufacturer) || ilen == sizeof(c->ident) ||
        alen == sizeof(c->device_address) || plen == sizeof(c->password) ||
        olen == sizeof(c->operand)) {
        return false;
    }
    if (!all_chars(c->ident, ilen, is_ident_char) ||
        !all_chars(c->device_address, alen, is_device_address_char) ||
        !all_chars(c->password, plen, is_value_char) ||
        !all_chars(c->operand, olen, is_value_char)) {
        return false;
    }
    switch (c->mode) {
    case IEC21_MODE_A:
        return !c->mode_e && baud_char_ok((uint8_t)c->baud_char) &&
               iec21_mode_of(c->baud_char) == IEC21_MODE_A &&
               !is_reserved_baud((uint8_t)c->baud_char);
    case IEC21_MODE_B:
        return !c->mode_e && iec21_baud_of(IEC21_MODE_B, c->baud_char) != 0;
    case IEC21_MODE_C:
        return iec21_baud_of(IEC21_MODE_C, c->baud_char) != 0;
    }
    return false;
}

int iec21_server_init(iec21_server_t *s, const iec21_server_config_t *cfg) {
    if (s == NULL || cfg == NULL) {
        return IEC21_ERR_BADARG;
    }
    memset(s, 0, sizeof(*s));
    if (!config_ok(cfg)) {
        return IEC21_ERR_CONFIG;
    }
    s->cfg = *cfg;
    s->reaction_ms = is_lower((uint8_t)cfg->manufacturer[2]) ? 20 : 200;
    s->baud = BAUD_SIGN_ON;
    s->state = IEC21_STATE_IDLE;
    return 0;
}

void iec21_server_reset(iec21_server_t *s) {
    if (s == NULL) {
        return;
    }
    s->op_count = 0;
    s->op_head = 0;
    s->hold_armed = false;
    s->tx_len = 0;
    s->tx_pos = 0;
    go_idle(s);
}

int iec21_server_feed(iec21_server_t *s, uint64_t now_ms, const uint8_t *data, size_t len) {
    if (s == NULL || (data == NULL && len != 0)) {
        return IEC21_ERR_BADARG;
    }
    if (s->state == IEC21_STATE_HANDED_OVER) {
        return IEC21_ERR_HANDED_OVER;
    }
    check_timeouts(s, now_ms);
    for (size_t i = 0; i < len; i++) {
        if (s->op_count > 0 || s->state == IEC21_STATE_HANDED_OVER) {
            break; /* half duplex: we are answering, the rest is echo or noise */
        }
        rx_byte(s, now_ms, data[i]);
    }
    return 0;
}

/* Copy from tx into buf; pop the step when tx is drained and apply the
 * state changes queued right behind it, so input is accepted again as soon
 * as the last byte has been handed out. */
static int emit_tx(iec21_server_t *s, uint64_t now, uint8_t *buf, size_t cap, bool pop_done) {
    size_t n = s->tx_len - s->tx_pos;
    if (n > cap) {
        n = cap;
    }
    memcpy(buf, s->tx + s->tx_pos, n);
    s->tx_pos += n;
    if (pop_done && s->tx_pos == s->tx_len) {
        pop(s);
        while (s->op_count > 0 && s->ops[s->op_head].type == OP_STATE) {
            enter_state(s, (iec21_server_state_t)s->ops[s->op_head].arg, now);
            pop(s);
        }
    }
    return (int)n;
}

/* Time-holding steps: true when the step is over. */
static bool hold_done(iec21_server_t *s, const iec21_op_t *op, uint64_t now, iec21_event_t *ev) {
    uint64_t until = s->reply_at_ms;
    if (op->type == OP_PAUSE) {
        if (!s->hold_armed) {
            s->hold_until_ms = now + op->arg;
            s->hold_armed = true;
        }
        until = s->hold_until_ms;
    }
    if (now >= until) {
        return true;
    }
    ev->type = IEC21_EV_WAIT;
    ev->wake_ms = until;
    return false;
}

int iec21_server_poll(iec21_server_t *s, uint64_t now_ms, uint8_t *buf, size_t cap,
                      iec21_event_t *ev) {
    if (ev != NULL) {
        memset(ev, 0, sizeof(*ev));
    }
    if (s == NULL || buf == NULL || cap == 0 || ev == NULL) {
        return IEC21_ERR_BADARG;
    }
    check_timeouts(s, now_ms);
    while (s->op_count > 0) {
        const iec21_op_t op = s->ops[s->op_head];
        switch (op.type) {
        case OP_REACT:
        case OP_PAUSE:
            if (!hold_done(s, &op, now_ms, ev)) {
                return 0;
            }
            pop(s);
            break;
        case OP_SEND:
            ev->type = IEC21_EV_TX;
            ev->baud = s->baud;
            return emit_tx(s, now_ms, buf, cap, true);
        case OP_READOUT:
            if (s->tx_pos == s->tx_len) {
                readout_fill(s);
            }
            if (s->tx_len == 0) {
                pop(s);
                break;
            }
            ev->type = IEC21_EV_TX;
            ev->baud = s->baud;
            return emit_tx(s, now_ms, buf, cap, s->ro_phase == RO_DONE);
        case OP_BAUD:
        case OP_HDLC:
            pop(s);
            if (op.type == OP_BAUD && op.arg == s->baud) {
                break; /* already there: no event */
            }
            s->baud = op.arg;
            ev->type = op.type == OP_BAUD ? IEC21_EV_BAUD : IEC21_EV_HDLC;
            ev->baud = op.arg;
            return 0;
        default: /* OP_STATE */
            enter_state(s, (iec21_server_state_t)op.arg, now_ms);
            pop(s);
            break;
        }
    }
    ev->type = IEC21_EV_NONE;
    ev->baud = s->baud;
    ev->wake_ms = s->deadline_ms;
    if (s->rx_len > 0) {
        uint64_t drop = s->rx_last_ms + EM_IEC21_CHAR_TIMEOUT_MS + 1;
        if (ev->wake_ms == 0 || drop < ev->wake_ms) {
            ev->wake_ms = drop;
        }
    }
    return 0;
}

iec21_server_state_t iec21_server_state(const iec21_server_t *s) {
    return s == NULL ? IEC21_STATE_IDLE : s->state;
}

const char *iec21_strerror(int err) {
    switch (err) {
    case 0:
        return "success";
    case IEC21_ERR_BADARG:
        return "iec62056-21: invalid argument";
    case IEC21_ERR_CONFIG:
        return "iec62056-21: invalid meter configuration";
    case IEC21_ERR_BUF_SMALL:
        return "iec62056-21: output buffer too small";
    case IEC21_ERR_FORMAT:
        return "iec62056-21: malformed message";
    case IEC21_ERR_BCC:
        return "iec62056-21: block check character wrong";
    case IEC21_ERR_TOO_LONG:
        return "iec62056-21: field too long";
    case IEC21_ERR_CHAR:
        return "iec62056-21: forbidden character in a field";
    case IEC21_ERR_BAUD:
        return "iec62056-21: invalid baud-rate character";
    case IEC21_ERR_INCOMPLETE:
        return "iec62056-21: message truncated";
    case IEC21_ERR_HANDED_OVER:
        return "iec62056-21: port handed over to HDLC (mode E)";
    default:
        return "iec62056-21: unknown error";
    }
}
