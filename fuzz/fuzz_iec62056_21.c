/*
 * fuzz_iec62056_21.c - libFuzzer target for the IEC 62056-21 module.
 *
 * Input: byte 0 picks the meter configuration (mode A/B/C, mode E,
 * device address, password). The rest is a list of records
 *     ctl, then (ctl >> 3) + 1 received bytes
 * where ctl & 7 chooses how far the clock moves before those bytes arrive.
 * After each record the output is drained (time jumps over the waits).
 *
 * Invariants (trap on violation):
 *  - poll never writes beyond the buffer it was given and always ends;
 *  - every message the meter sends parses back: identification,
 *    data messages (BCC valid), SOH messages (P0, break), single ACK/NAK;
 *  - rate events only name 300..19200 Bd.
 * The whole input is also given to the client parsers; a command that
 * parses must rebuild to the same bytes, a data message must yield exactly
 * the data sets it counted.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dlms/iec62056_21.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const lines[] = {
    "0.0.0(12345678)", "1.8.0(001234.567*kWh)",
    "bad(line",        "1.8.1(123456789012345678901234567890123*kWh)",
    "C.1.0(1)(2)(3)",
};

static int readout_line(void *user, unsigned index, char *buf, size_t cap) {
    (void)user;
    if (index >= sizeof(lines) / sizeof(lines[0])) {
        return 0;
    }
    size_t n = strlen(lines[index]);
    if (n > cap) {
        __builtin_trap();
    }
    memcpy(buf, lines[index], n);
    return (int)n;
}

/* Echo the requested address as the value: often illegal, which
 * exercises the server's check of what a callback produced. */
static int read_cb(void *user, char type, const iec21_dataset_t *req, char *buf, size_t cap) {
    (void)user;
    (void)type;
    if (req->address_len > cap) {
        __builtin_trap();
    }
    if (req->address_len == 0) {
        return -1;
    }
    memcpy(buf, req->address, req->address_len);
    return (int)req->address_len;
}

static int write_cb(void *user, char type, const iec21_dataset_t *ds) {
    (void)user;
    return (type == '1' && ds->value_len > 0) ? 0 : -1;
}

static void make_config(uint8_t sel, iec21_server_config_t *c) {
    static const iec21_mode_t modes[4] = {IEC21_MODE_A, IEC21_MODE_B, IEC21_MODE_C, IEC21_MODE_C};
    static const char zs[4] = {'K', 'E', '5', '6'};
    memset(c, 0, sizeof(*c));
    memcpy(c->manufacturer, (sel & 0x04) ? "EMt" : "EMT", 4);
    memcpy(c->ident, "EM100", 6);
    c->mode = modes[sel & 3];
    c->baud_char = zs[sel & 3];
    c->mode_e = (sel & 3) == 3;
    if (sel & 0x08) {
        memcpy(c->device_address, "1234", 5);
    }
    if (sel & 0x10) {
        memcpy(c->password, "pw", 3);
        memcpy(c->operand, "42", 3);
    }
    c->readout_line = readout_line;
    c->read = read_cb;
    c->write = write_cb;
    c->execute = (sel & 0x20) ? write_cb : NULL;
}

/* ---- checking what the meter sends ------------------------------------- */

typedef struct outcheck {
    uint8_t msg[1024];
    size_t len;
} outcheck_t;

static void check_message(const uint8_t *m, size_t len) {
    iec21_ident_t id;
    iec21_block_t blk;
    iec21_command_t cmd;
    switch (m[0]) {
    case '/':
        if (iec21_ident_parse(m, len, &id) != 0) {
            __builtin_trap();
        }
        break;
    case IEC21_STX:
        if (iec21_data_message_parse(m, len, &blk) < 0) {
            __builtin_trap();
        }
        break;
    case IEC21_SOH:
        if (iec21_command_parse(m, len, &cmd) != 0) {
            __builtin_trap();
        }
        break;
    case IEC21_ACK:
    case IEC21_NAK:
        if (len != 1) {
            __builtin_trap();
        }
        break;
    default:
        __builtin_trap();
    }
}

/* Split the output stream into messages as a client would. */
static void out_bytes(outcheck_t *o, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (o->len == sizeof(o->msg)) {
            __builtin_trap(); /* no message of ours is that long */
        }
        o->msg[o->len++] = p[i];
        size_t done = iec21_message_complete(o->msg, o->len);
        if (done == o->len) {
            check_message(o->msg, o->len);
            o->len = 0;
        }
    }
}

static bool rate_ok(uint32_t b) {
    return b == 300 || b == 600 || b == 1200 || b == 2400 || b == 4800 || b == 9600 || b == 19200;
}

static void drain(iec21_server_t *s, uint64_t *now, outcheck_t *o, size_t chunk) {
    for (int guard = 0; guard < 20000; guard++) {
        uint8_t buf[80];
        memset(buf, 0xEE, sizeof(buf));
        iec21_event_t ev;
        int n = iec21_server_poll(s, *now, buf, chunk, &ev);
        if (n < 0 || (size_t)n > chunk || buf[chunk] != 0xEE) {
            __builtin_trap();
        }
        switch (ev.type) {
        case IEC21_EV_TX:
            if (n == 0) {
                __builtin_trap();
            }
            out_bytes(o, buf, (size_t)n);
            break;
        case IEC21_EV_WAIT:
            if (ev.wake_ms <= *now || ev.wake_ms - *now > 60000) {
                __builtin_trap();
            }
            *now = ev.wake_ms;
            break;
        case IEC21_EV_BAUD:
        case IEC21_EV_HDLC:
            if (!rate_ok(ev.baud) || o->len != 0) {
                __builtin_trap(); /* a rate change in the middle of a message */
            }
            break;
        case IEC21_EV_NONE:
            return;
        }
    }
    __builtin_trap(); /* never went quiet */
}

static void fuzz_server(const uint8_t *data, size_t size) {
    static const uint32_t advance[8] = {0, 1, 20, 250, 700, 1600, 5000, 130000};
    iec21_server_config_t cfg;
    iec21_server_t s;
    outcheck_t o = {.len = 0};
    make_config(data[0], &cfg);
    if (iec21_server_init(&s, &cfg) != 0) {
        __builtin_trap();
    }
    uint64_t now = 1000;
    size_t chunk = 1 + (data[0] >> 6) * 25; /* 1, 26, 51, 76 bytes per poll */
    size_t pos = 1;
    while (pos < size) {
        uint8_t ctl = data[pos++];
        size_t n = (size_t)(ctl >> 3) + 1;
        if (n > size - pos) {
            n = size - pos;
        }
        now += advance[ctl & 7];
        int rc = iec21_server_feed(&s, now, data + pos, n);
        if (rc == IEC21_ERR_HANDED_OVER) {
            if (iec21_server_state(&s) != IEC21_STATE_HANDED_OVER) {
                __builtin_trap();
            }
            iec21_server_reset(&s);
        } else if (rc != 0) {
            __builtin_trap();
        }
        pos += n;
        drain(&s, &now, &o, chunk);
    }
}

/* ---- client parsers ---------------------------------------------------- */

static void fuzz_parsers(const uint8_t *data, size_t size) {
    iec21_block_t blk;
    int sets = iec21_data_message_parse(data, size, &blk);
    if (sets >= 0) {
        if (iec21_bcc(data + 1, size - 2) != data[size - 1]) {
            __builtin_trap();
        }
        iec21_dataset_t ds;
        int got = 0;
        int rc;
        while ((rc = iec21_block_next(&blk, &ds, NULL)) == 1) {
            /* Each data set re-formats to exactly the bytes it came from. */
            char re[IEC21_ADDRESS_MAX + IEC21_VALUE_MAX_C + IEC21_UNIT_MAX + 3];
            int n = iec21_dataset_format(&ds, IEC21_VALUE_MAX_C, re, sizeof(re));
            const char *src = ds.address;
            if (n <= 0 || src < (const char *)data || src + n > (const char *)data + size ||
                memcmp(re, src, (size_t)n) != 0) {
                __builtin_trap();
            }
            got++;
        }
        if (rc != 0 || got != sets) {
            __builtin_trap();
        }
    }

    iec21_command_t cmd;
    if (iec21_command_parse(data, size, &cmd) == 0) {
        uint8_t re[300];
        int n = iec21_command_build(cmd.command, cmd.type, cmd.has_data ? &cmd.data : NULL, re,
                                    sizeof(re));
        if (n != (int)size || memcmp(re, data, size) != 0) {
            __builtin_trap();
        }
    }

    iec21_ident_t id;
    if (iec21_ident_parse(data, size, &id) == 0) {
        if (strlen(id.id) > EM_IEC21_MAX_IDENT || (id.mode_e && strchr(id.enhanced, '2') == NULL)) {
            __builtin_trap();
        }
    }

    char addr[IEC21_DEVICE_ADDRESS_MAX + 1];
    int alen = iec21_request_parse(data, size, addr, sizeof(addr));
    if (alen >= 0) {
        uint8_t re[64];
        if (iec21_request_build(addr, re, sizeof(re)) != (int)size || memcmp(re, data, size) != 0) {
            __builtin_trap();
        }
    }

    size_t m = iec21_message_complete(data, size);
    if (m > size) {
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) {
        return 0;
    }
    fuzz_parsers(data, size);
    fuzz_server(data, size);
    return 0;
}
