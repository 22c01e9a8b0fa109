/*
 * test_iec62056_21.c - unit tests of the IEC 62056-21 optical-port module
 * (lib/dlms/iec62056_21): BCC vectors, client builders/parsers, and full
 * meter sessions in modes A, B, C and the switch to mode E, byte for byte.
 *
 * Transcripts: the bytes the meter sends, with "<Bnnnn>" where it asks for
 * a baud-rate change and "<Hnnnn>" where it hands the port to HDLC.
 * Expected BCCs were computed outside the library (XOR of the bytes after
 * STX/SOH through ETX, 7 bits) and are also recomputed here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "dlms/iec62056_21.h"

/* ---- test meter ---------------------------------------------------------- */

typedef struct meter {
    const char *const *lines; /* NULL entry = the callback fails for that line */
    unsigned nlines;
    unsigned calls;
    char written[64];
    int writes;
} meter_t;

static const char *const good_lines[] = {
    "0.0.0(12345678)",
    "1.8.0(001234.567*kWh)",
    "2.8.0(000000.000*kWh)",
};

static int readout_line(void *user, unsigned index, char *buf, size_t cap) {
    meter_t *m = user;
    m->calls++;
    if (index >= m->nlines) {
        return 0;
    }
    const char *l = m->lines[index];
    if (l == NULL) {
        return -1;
    }
    size_t n = strlen(l);
    if (n > cap) {
        return (int)cap + 1; /* claims more than fits: must be skipped */
    }
    memcpy(buf, l, n);
    return (int)n;
}

static bool addr_is(const iec21_dataset_t *d, const char *a) {
    return d->address_len == strlen(a) && memcmp(d->address, a, d->address_len) == 0;
}

static int read_cb(void *user, char type, const iec21_dataset_t *req, char *buf, size_t cap) {
    (void)user;
    (void)type;
    const char *v = NULL;
    if (addr_is(req, "1.8.0")) {
        v = "001234.567*kWh";
    } else if (addr_is(req, "bad")) {
        v = "12)34";
    } else {
        return -1;
    }
    size_t n = strlen(v);
    assert_true(n <= cap);
    memcpy(buf, v, n);
    return (int)n;
}

static int write_cb(void *user, char type, const iec21_dataset_t *ds) {
    meter_t *m = user;
    if (type != '1' || !addr_is(ds, "0.9.1")) {
        return -1;
    }
    snprintf(m->written, sizeof(m->written), "%.*s=%.*s", (int)ds->address_len, ds->address,
             (int)ds->value_len, ds->value);
    m->writes++;
    return 0;
}

static iec21_server_config_t make_cfg(iec21_mode_t mode, char z, meter_t *m) {
    iec21_server_config_t c;
    memset(&c, 0, sizeof(c));
    memcpy(c.manufacturer, "EMT", 4);
    strcpy(c.ident, "EM100");
    c.mode = mode;
    c.baud_char = z;
    c.user = m;
    c.readout_line = readout_line;
    c.read = read_cb;
    c.write = write_cb;
    m->lines = good_lines;
    m->nlines = 3;
    return c;
}

/* ---- transcript ---------------------------------------------------------- */

typedef struct transcript {
    char b[8192];
    size_t n;
} transcript_t;

static void append(transcript_t *t, const void *p, size_t n) {
    assert_true(t->n + n < sizeof(t->b));
    memcpy(t->b + t->n, p, n);
    t->n += n;
}

/* Poll until the meter has nothing more to say, advancing time over the
 * waits it asks for. chunk = buffer size offered per poll. */
static void drain(iec21_server_t *s, uint64_t *now, transcript_t *t, size_t chunk) {
    for (int guard = 0; guard < 100000; guard++) {
        uint8_t buf[64];
        iec21_event_t ev;
        int n = iec21_server_poll(s, *now, buf, chunk, &ev);
        assert_true(n >= 0);
        char mark[16];
        switch (ev.type) {
        case IEC21_EV_TX:
            assert_true(n > 0 && (size_t)n <= chunk);
            append(t, buf, (size_t)n);
            break;
        case IEC21_EV_WAIT:
            assert_int_equal(n, 0);
            assert_true(ev.wake_ms > *now);
            *now = ev.wake_ms;
            break;
        case IEC21_EV_BAUD:
        case IEC21_EV_HDLC:
            assert_int_equal(n, 0);
            snprintf(mark, sizeof(mark), "<%c%u>", ev.type == IEC21_EV_BAUD ? 'B' : 'H',
                     (unsigned)ev.baud);
            append(t, mark, strlen(mark));
            break;
        case IEC21_EV_NONE:
            assert_int_equal(n, 0);
            return;
        }
    }
    fail_msg("meter never stopped talking");
}

static void feed_str(iec21_server_t *s, uint64_t now, const char *str) {
    assert_int_equal(iec21_server_feed(s, now, (const uint8_t *)str, strlen(str)), 0);
}

/* Feed, drain, compare with the expected transcript (length given because
 * of embedded NULs in nothing but robustness). */
static void exchange(iec21_server_t *s, uint64_t *now, const char *in, const char *want,
                     size_t want_len) {
    transcript_t t = {.n = 0};
    feed_str(s, *now, in);
    drain(s, now, &t, 64);
    if (t.n != want_len || memcmp(t.b, want, want_len) != 0) {
        print_error("got  %zu bytes:", t.n);
        for (size_t i = 0; i < t.n; i++) {
            print_error(" %02x", (unsigned char)t.b[i]);
        }
        print_error("\nwant %zu bytes:", want_len);
        for (size_t i = 0; i < want_len; i++) {
            print_error(" %02x", (unsigned char)want[i]);
        }
        print_error("\n");
        fail();
    }
}

#define EXCHANGE(s, now, in, lit) exchange((s), (now), (in), (lit), sizeof(lit) - 1)

static uint8_t xor7(const char *p, size_t n) {
    uint8_t x = 0;
    for (size_t i = 0; i < n; i++) {
        x ^= (uint8_t)p[i];
    }
    return x & 0x7F;
}

/* The data message of good_lines: BCC 0x18. */
#define READOUT_3                                                                                  \
    "\x02"                                                                                         \
    "0.0.0(12345678)\r\n1.8.0(001234.567*kWh)\r\n2.8.0(000000.000*kWh)\r\n!\r\n\x03\x18"

/* ---- BCC and client helpers ---------------------------------------------- */

static void test_bcc_vectors(void **state) {
    (void)state;
    static const uint8_t p0[] = {0x01, 0x50, 0x30, 0x02, 0x28, 0x31, 0x32,
                                 0x33, 0x34, 0x35, 0x36, 0x37, 0x29, 0x03};
    assert_int_equal(iec21_bcc(p0 + 1, sizeof(p0) - 1), 'P');
    static const uint8_t brk[] = {0x01, 0x42, 0x30, 0x03, 0x71};
    assert_int_equal(iec21_bcc(brk + 1, 3), 0x71);

    uint8_t out[64];
    assert_int_equal(iec21_command_build('B', '0', NULL, out, sizeof(out)), 5);
    assert_memory_equal(out, brk, 5);

    iec21_dataset_t pw = {"", 0, "1234567", 7, NULL, 0};
    assert_int_equal(iec21_command_build('P', '0', &pw, out, sizeof(out)), sizeof(p0) + 1);
    assert_memory_equal(out, p0, sizeof(p0));
    assert_int_equal(out[sizeof(p0)], 'P');

    /* pwitab/iec62056-21 test_data.py: R1 1.8.0(1) -> BCC 'k'. */
    iec21_dataset_t r = {"1.8.0", 5, "1", 1, NULL, 0};
    int n = iec21_command_build('R', '1', &r, out, sizeof(out));
    assert_int_equal(n, 14);
    assert_memory_equal(out,
                        "\x01R1\x02"
                        "1.8.0(1)\x03k",
                        14);
    assert_int_equal(iec21_command_build('R', '1', &r, out, 13), IEC21_ERR_BUF_SMALL);
    assert_int_equal(iec21_command_build('X', '1', &r, out, 64), IEC21_ERR_CHAR);
}

static void test_command_unit_round_trip(void **state) {
    (void)state;
    iec21_dataset_t d = {"0.9.1", 5, "120000", 6, "hhmmss", 6};
    uint8_t out[64];
    int n = iec21_command_build('W', '1', &d, out, sizeof(out));
    assert_int_equal(n, 4 + 20 + 2);
    assert_memory_equal(out,
                        "\x01W1\x02"
                        "0.9.1(120000*hhmmss)\x03",
                        n - 1);
    assert_int_equal(out[n - 1], xor7((const char *)out + 1, (size_t)n - 2));
    iec21_command_t c;
    assert_int_equal(iec21_command_parse(out, (size_t)n, &c), 0);
    assert_int_equal(c.data.unit_len, 6);
    assert_memory_equal(c.data.unit, "hhmmss", 6);
    char f[8];
    assert_int_equal(iec21_dataset_format(&d, IEC21_VALUE_MAX, f, sizeof(f)), IEC21_ERR_BUF_SMALL);
    d.value = "1(2";
    d.value_len = 3;
    assert_int_equal(iec21_command_build('W', '1', &d, out, sizeof(out)), IEC21_ERR_CHAR);
    d.value = "12345678901234567890123456789012345";
    d.value_len = 35;
    assert_int_equal(iec21_dataset_format(&d, IEC21_VALUE_MAX, (char *)out, sizeof(out)),
                     IEC21_ERR_TOO_LONG);
}

static void test_command_parse(void **state) {
    (void)state;
    iec21_command_t c;
    static const char p0[] = "\x01P0\x02(1234567)\x03P";
    assert_int_equal(iec21_command_parse((const uint8_t *)p0, sizeof(p0) - 1, &c), 0);
    assert_int_equal(c.command, 'P');
    assert_int_equal(c.type, '0');
    assert_true(c.has_data);
    assert_int_equal(c.data.address_len, 0);
    assert_int_equal(c.data.value_len, 7);
    assert_memory_equal(c.data.value, "1234567", 7);
    assert_null(c.data.unit);

    static const char bad[] = "\x01P0\x02(1234567)\x03X";
    assert_int_equal(iec21_command_parse((const uint8_t *)bad, sizeof(bad) - 1, &c), IEC21_ERR_BCC);
    assert_int_equal(iec21_command_parse((const uint8_t *)"\x01"
                                                          "B0\x03q",
                                         5, &c),
                     0);
    assert_int_equal(c.command, 'B');
    assert_false(c.has_data);
    assert_int_equal(iec21_command_parse((const uint8_t *)"\x01"
                                                          "B0\x03",
                                         4, &c),
                     IEC21_ERR_INCOMPLETE);
    /* Two data sets in one command are refused. */
    uint8_t m[32] = "\x01W1\x02"
                    "a(1)b(2)\x03";
    m[13] = iec21_bcc(m + 1, 12);
    assert_int_equal(iec21_command_parse(m, 14, &c), IEC21_ERR_FORMAT);
}

static void test_data_message_parse(void **state) {
    (void)state;
    iec21_block_t blk;
    iec21_dataset_t ds;
    unsigned line;

    /* pwitab/iec62056-21 test_data.py answer message, BCC 0x12. */
    static const char ans[] = "\x02"
                              "3:171.0(0)\x03\x12";
    assert_int_equal(iec21_data_message_parse((const uint8_t *)ans, sizeof(ans) - 1, &blk), 1);
    assert_false(blk.readout);
    assert_int_equal(iec21_block_next(&blk, &ds, &line), 1);
    assert_true(addr_is(&ds, "3:171.0"));
    assert_int_equal(ds.value_len, 1);
    assert_int_equal(iec21_block_next(&blk, &ds, &line), 0);
    static const char ans_bad[] = "\x02"
                                  "3:171.0(0)\x03\x11";
    assert_int_equal(iec21_data_message_parse((const uint8_t *)ans_bad, sizeof(ans_bad) - 1, &blk),
                     IEC21_ERR_BCC);

    /* Same source: readout with two data sets on one line, BCC '"'. */
    static const char ro[] = "\x02"
                             "3:14(314*kWh)4:15(415*kWh)\r\n!\r\n\x03\"";
    assert_int_equal(iec21_data_message_parse((const uint8_t *)ro, sizeof(ro) - 1, &blk), 2);
    assert_true(blk.readout);
    assert_int_equal(iec21_block_next(&blk, &ds, &line), 1);
    assert_true(addr_is(&ds, "3:14"));
    assert_int_equal(ds.unit_len, 3);
    assert_memory_equal(ds.unit, "kWh", 3);
    assert_int_equal(line, 0);
    assert_int_equal(iec21_block_next(&blk, &ds, &line), 1);
    assert_true(addr_is(&ds, "4:15"));
    assert_int_equal(line, 0);
    assert_int_equal(iec21_block_next(&blk, &ds, &line), 0);

    /* Our own 3-line readout. */
    static const char r3[] = READOUT_3;
    assert_int_equal(iec21_data_message_parse((const uint8_t *)r3, sizeof(r3) - 1, &blk), 3);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(iec21_block_next(&blk, &ds, &line), 1);
        assert_int_equal(line, i);
    }

    /* Empty readout: STX ! CR LF ETX BCC. */
    static const char empty[] = "\x02!\r\n\x03\x25";
    assert_int_equal(iec21_data_message_parse((const uint8_t *)empty, sizeof(empty) - 1, &blk), 0);
    assert_true(blk.readout);
}

static void test_data_message_refusals(void **state) {
    (void)state;
    iec21_block_t blk;
    char m[300];

    /* Truncated, then a partial block (EOT), then bytes after the BCC. */
    assert_int_equal(iec21_data_message_parse((const uint8_t *)"\x02"
                                                               "1(2)",
                                              5, &blk),
                     IEC21_ERR_INCOMPLETE);
    static const char eot[] = "\x02"
                              "1(2)\x04\x00";
    assert_int_equal(iec21_data_message_parse((const uint8_t *)eot, 7, &blk), IEC21_ERR_FORMAT);

    /* Build STX body ETX BCC with a correct BCC around a bad body. */
#define WITH_BCC(body)                                                                             \
    (m[0] = 2, memcpy(m + 1, body, strlen(body)), m[strlen(body) + 1] = 3,                         \
     m[strlen(body) + 2] = (char)xor7(m + 1, strlen(body) + 1), strlen(body) + 3)
    size_t n = WITH_BCC("1.8.0(1)\r\n\r\n!\r\n"); /* empty line */
    assert_int_equal(iec21_data_message_parse((const uint8_t *)m, n, &blk), IEC21_ERR_FORMAT);
    n = WITH_BCC("1.8.0(1)!\r\n"); /* readout line without CR LF */
    assert_int_equal(iec21_data_message_parse((const uint8_t *)m, n, &blk), IEC21_ERR_FORMAT);
    n = WITH_BCC("1.8.0(1/2)\r\n!\r\n");
    assert_int_equal(iec21_data_message_parse((const uint8_t *)m, n, &blk), IEC21_ERR_CHAR);
    n = WITH_BCC("1.8.0(1\r\n!\r\n"); /* no ')' before the line end */
    assert_int_equal(iec21_data_message_parse((const uint8_t *)m, n, &blk), IEC21_ERR_FORMAT);
    n = WITH_BCC("1.8.0\r\n!\r\n");
    assert_int_equal(iec21_data_message_parse((const uint8_t *)m, n, &blk), IEC21_ERR_FORMAT);
    n = WITH_BCC("1.8.0(1)\r2.8.0(2)\r\n!\r\n"); /* lone CR */
    assert_int_equal(iec21_data_message_parse((const uint8_t *)m, n, &blk), IEC21_ERR_CHAR);
    n = WITH_BCC("12345678901234567(1)\r\n!\r\n"); /* address 17 */
    assert_int_equal(iec21_data_message_parse((const uint8_t *)m, n, &blk), IEC21_ERR_TOO_LONG);
    n = WITH_BCC("1(1*12345678901234567)\r\n!\r\n"); /* unit 17 */
    assert_int_equal(iec21_data_message_parse((const uint8_t *)m, n, &blk), IEC21_ERR_TOO_LONG);
    char body[200];
    memset(body, 0, sizeof(body));
    strcpy(body, "1(");
    memset(body + 2, '9', 128);
    strcpy(body + 130, ")\r\n!\r\n");
    n = WITH_BCC(body); /* value 128: the mode C maximum */
    assert_int_equal(iec21_data_message_parse((const uint8_t *)m, n, &blk), 1);
    memset(body + 2, '9', 129);
    strcpy(body + 131, ")\r\n!\r\n");
    n = WITH_BCC(body); /* value 129 */
    assert_int_equal(iec21_data_message_parse((const uint8_t *)m, n, &blk), IEC21_ERR_TOO_LONG);
#undef WITH_BCC

    iec21_dataset_t ds;
    static const char v33[] = "1(123456789012345678901234567890123)";
    static const char v32[] = "1(12345678901234567890123456789012)";
    assert_int_equal(iec21_dataset_parse(v33, strlen(v33), IEC21_VALUE_MAX, &ds),
                     IEC21_ERR_TOO_LONG);
    assert_int_equal(iec21_dataset_parse(v33, strlen(v33), IEC21_VALUE_MAX_C, &ds), 36);
    assert_int_equal(iec21_dataset_parse(v32, strlen(v32), IEC21_VALUE_MAX, &ds), 35);
    assert_int_equal(ds.value_len, 32);
    assert_int_equal(iec21_dataset_parse("1(1*2", 5, 32, &ds), IEC21_ERR_FORMAT);
    assert_int_equal(iec21_dataset_parse("1(2\0", 4, 32, &ds), IEC21_ERR_CHAR); /* NUL is no ')' */
    assert_int_equal(iec21_dataset_parse("1\0(2)", 5, 32, &ds), IEC21_ERR_CHAR);
    assert_int_equal(iec21_dataset_parse("1(1*2*3)", 8, 32, &ds), 8); /* '*' allowed in a unit */
    assert_int_equal(iec21_data_line_check("", 0, 32), IEC21_ERR_FORMAT);
    assert_int_equal(iec21_data_line_check("a(1)b(2)(3)", 11, 32), 3);
    assert_int_equal(iec21_data_line_check("a(1)b", 5, 32), IEC21_ERR_FORMAT);
}

static void test_ident_parse(void **state) {
    (void)state;
    iec21_ident_t id;
    static const char isk[] = "/ISk5\\2MT382-1000\r\n";
    assert_int_equal(iec21_ident_parse((const uint8_t *)isk, sizeof(isk) - 1, &id), 0);
    assert_string_equal(id.manufacturer, "ISk");
    assert_int_equal(id.reaction_ms, 20);
    assert_int_equal(id.baud_char, '5');
    assert_int_equal(id.mode, IEC21_MODE_C);
    assert_int_equal(id.baud, 9600);
    assert_true(id.mode_e);
    assert_string_equal(id.enhanced, "2");
    assert_string_equal(id.id, "MT382-1000");

    static const char els[] = "/Els6\\2EK280\r\n"; /* pwitab/iec62056-21 */
    assert_int_equal(iec21_ident_parse((const uint8_t *)els, sizeof(els) - 1, &id), 0);
    assert_int_equal(id.baud, 19200);
    assert_string_equal(id.id, "EK280");

    static const char b[] = "/LGZE ZMD400\r\n";
    assert_int_equal(iec21_ident_parse((const uint8_t *)b, sizeof(b) - 1, &id), 0);
    assert_int_equal(id.mode, IEC21_MODE_B);
    assert_int_equal(id.baud, 9600);
    assert_int_equal(id.reaction_ms, 200);
    assert_false(id.mode_e);
    assert_string_equal(id.id, " ZMD400");

    static const char a[] = "/EMTJEM100\r\n";
    assert_int_equal(iec21_ident_parse((const uint8_t *)a, sizeof(a) - 1, &id), 0);
    assert_int_equal(id.mode, IEC21_MODE_A);
    assert_int_equal(id.baud, 300);

    static const char longid[] = "/ISk512345678901234567\r\n"; /* 17 characters */
    assert_int_equal(iec21_ident_parse((const uint8_t *)longid, sizeof(longid) - 1, &id),
                     IEC21_ERR_TOO_LONG);
    assert_int_equal(id.baud, 0); /* output cleared */
    static const char max16[] = "/ISk51234567890123456\r\n";
    assert_int_equal(iec21_ident_parse((const uint8_t *)max16, sizeof(max16) - 1, &id), 0);
    assert_int_equal(iec21_ident_parse((const uint8_t *)"/ISk5MT\r", 8, &id), IEC21_ERR_FORMAT);
    assert_int_equal(iec21_ident_parse((const uint8_t *)"/1Sk5MT\r\n", 9, &id), IEC21_ERR_CHAR);
    assert_int_equal(iec21_ident_parse((const uint8_t *)"/ISk!MT\r\n", 9, &id), IEC21_ERR_BAUD);
    assert_int_equal(iec21_ident_parse((const uint8_t *)"/ISk5\\\r\n", 8, &id), IEC21_ERR_FORMAT);
    assert_int_equal(iec21_ident_parse((const uint8_t *)"/ISk5\r\n", 7, &id), 0);

    uint8_t out[40];
    int n = iec21_ident_build("ISk", '5', true, "MT382-1000", out, sizeof(out));
    assert_int_equal(n, sizeof(isk) - 1);
    assert_memory_equal(out, isk, sizeof(isk) - 1);
    assert_int_equal(iec21_ident_build("ISk", '5', true, "12345678901234567", out, sizeof(out)),
                     IEC21_ERR_TOO_LONG);
}

static void test_request_and_ack_builders(void **state) {
    (void)state;
    uint8_t out[64];
    char addr[40];
    assert_int_equal(iec21_request_build(NULL, out, sizeof(out)), 5);
    assert_memory_equal(out, "\x2f\x3f\x21\x0d\x0a", 5);
    assert_int_equal(iec21_request_build("45678903", out, sizeof(out)), 13);
    assert_memory_equal(out, "/?45678903!\r\n", 13);
    assert_int_equal(iec21_request_parse(out, 13, addr, sizeof(addr)), 8);
    assert_string_equal(addr, "45678903");
    assert_int_equal(iec21_request_build("a!b", out, sizeof(out)), IEC21_ERR_CHAR);
    assert_int_equal(iec21_request_build("123456789012345678901234567890123", out, sizeof(out)),
                     IEC21_ERR_TOO_LONG);
    assert_int_equal(iec21_request_build("1", out, 5), IEC21_ERR_BUF_SMALL);

    assert_int_equal(iec21_ack_build('0', '5', '1', out, sizeof(out)), 6);
    assert_memory_equal(out,
                        "\x06"
                        "051\r\n",
                        6);
    assert_int_equal(iec21_ack_build(IEC21_V_HDLC, '5', IEC21_Y_BINARY, out, sizeof(out)), 6);
    assert_memory_equal(out,
                        "\x06"
                        "252\r\n",
                        6);
    char v, z, y;
    assert_int_equal(iec21_ack_parse(out, 6, &v, &z, &y), 0);
    assert_int_equal(v, '2');
    assert_int_equal(z, '5');
    assert_int_equal(y, '2');
    assert_int_equal(iec21_ack_parse(out, 5, &v, &z, &y), IEC21_ERR_INCOMPLETE);
}

static void test_message_complete(void **state) {
    (void)state;
    static const char ro[] = READOUT_3;
    size_t n = sizeof(ro) - 1;
    assert_int_equal(iec21_message_complete((const uint8_t *)ro, n), n);
    assert_int_equal(iec21_message_complete((const uint8_t *)ro, n - 1), 0);
    assert_int_equal(iec21_message_complete((const uint8_t *)"/ISk5MT\r\n/", 10), 9);
    assert_int_equal(iec21_message_complete((const uint8_t *)"/ISk5MT\r", 8), 0);
    assert_int_equal(iec21_message_complete((const uint8_t *)"\x06", 1), 1);
    assert_int_equal(iec21_message_complete((const uint8_t *)"\x01"
                                                             "B0\x03q",
                                            5),
                     5);
    assert_int_equal(iec21_message_complete((const uint8_t *)"", 0), 0);
}

static void test_baud_tables(void **state) {
    (void)state;
    static const uint32_t b[] = {600, 1200, 2400, 4800, 9600, 19200};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(iec21_mode_of((char)('A' + i)), IEC21_MODE_B);
        assert_int_equal(iec21_baud_of(IEC21_MODE_B, (char)('A' + i)), b[i]);
        assert_int_equal(iec21_baud_of(IEC21_MODE_C, (char)('1' + i)), b[i]);
    }
    assert_int_equal(iec21_baud_of(IEC21_MODE_C, '0'), 300);
    assert_int_equal(iec21_baud_of(IEC21_MODE_C, '7'), 0);
    assert_int_equal(iec21_baud_of(IEC21_MODE_B, 'G'), 0);
    assert_int_equal(iec21_mode_of('Z'), IEC21_MODE_A);
    assert_int_equal(iec21_baud_of(IEC21_MODE_A, 'Z'), 300);
    assert_int_equal(iec21_baud_of(IEC21_MODE_A, '5'), 0);
}

/* ---- meter sessions ------------------------------------------------------ */

static void test_mode_a_readout(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_config_t c = make_cfg(IEC21_MODE_A, 'J', &m);
    iec21_server_t s;
    assert_int_equal(iec21_server_init(&s, &c), 0);
    uint64_t now = 1000;
    EXCHANGE(&s, &now, "/?!\r\n", "/EMTJEM100\r\n" READOUT_3);
    assert_true(now >= 1200); /* upper-case id: 200 ms reaction time */
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_IDLE);
    assert_int_equal(s.lines_skipped, 0);
}

static void test_mode_b_readout(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_config_t c = make_cfg(IEC21_MODE_B, 'E', &m);
    iec21_server_t s;
    assert_int_equal(iec21_server_init(&s, &c), 0);
    uint64_t now = 0;
    EXCHANGE(&s, &now, "/?!\r\n", "/EMTEEM100\r\n<B9600>" READOUT_3 "<B300>");
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_IDLE);
    /* A second session works the same. */
    EXCHANGE(&s, &now, "/?!\r\n", "/EMTEEM100\r\n<B9600>" READOUT_3 "<B300>");
}

static void test_mode_c_readout(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_config_t c = make_cfg(IEC21_MODE_C, '5', &m);
    iec21_server_t s;
    assert_int_equal(iec21_server_init(&s, &c), 0);
    uint64_t now = 0;
    EXCHANGE(&s, &now, "/?!\r\n", "/EMT5EM100\r\n");
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_WAIT_ACK);

    /* Step by step: rate change at once, then the pause, then the data. */
    feed_str(&s, now,
             "\x06"
             "050\r\n");
    uint8_t buf[256];
    iec21_event_t ev;
    uint64_t t0 = now;
    assert_int_equal(iec21_server_poll(&s, now, buf, sizeof(buf), &ev), 0);
    assert_int_equal(ev.type, IEC21_EV_BAUD);
    assert_int_equal(ev.baud, 9600);
    assert_int_equal(iec21_server_poll(&s, now, buf, sizeof(buf), &ev), 0);
    assert_int_equal(ev.type, IEC21_EV_WAIT);
    assert_int_equal(ev.wake_ms, t0 + EM_IEC21_BAUD_SWITCH_MS);

    transcript_t t = {.n = 0};
    drain(&s, &now, &t, 7); /* small chunks */
    static const char want[] = READOUT_3 "<B300>";
    assert_int_equal(t.n, sizeof(want) - 1);
    assert_memory_equal(t.b, want, sizeof(want) - 1);

    /* Independent check of the BCC: XOR after STX through ETX. */
    size_t end = sizeof(READOUT_3) - 1;
    assert_int_equal(xor7(t.b + 1, end - 2), (uint8_t)t.b[end - 1]);
    assert_int_equal((uint8_t)t.b[end - 1], 0x18);
    iec21_block_t blk;
    assert_int_equal(iec21_data_message_parse((const uint8_t *)t.b, end, &blk), 3);
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_IDLE);
}

static void test_mode_c_rates(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_config_t c = make_cfg(IEC21_MODE_C, '5', &m);
    iec21_server_t s;
    iec21_server_init(&s, &c);
    uint64_t now = 0;
    /* Lower rate than offered: accepted. */
    EXCHANGE(&s, &now, "/?!\r\n", "/EMT5EM100\r\n");
    EXCHANGE(&s, &now,
             "\x06"
             "030\r\n",
             "<B2400>" READOUT_3 "<B300>");
    /* 300 Bd: no rate change at all. */
    EXCHANGE(&s, &now, "/?!\r\n", "/EMT5EM100\r\n");
    EXCHANGE(&s, &now,
             "\x06"
             "000\r\n",
             READOUT_3);
    /* Above the offer: refused, stays at 300 Bd and idle. */
    EXCHANGE(&s, &now, "/?!\r\n", "/EMT5EM100\r\n");
    EXCHANGE(&s, &now,
             "\x06"
             "060\r\n",
             "");
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_IDLE);
    assert_int_equal(s.baud, 300);
    /* Unknown mode control character and HDLC not offered: refused. */
    EXCHANGE(&s, &now, "/?!\r\n", "/EMT5EM100\r\n");
    EXCHANGE(&s, &now,
             "\x06"
             "053\r\n",
             "");
    EXCHANGE(&s, &now, "/?!\r\n", "/EMT5EM100\r\n");
    EXCHANGE(&s, &now,
             "\x06"
             "252\r\n",
             "");
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_IDLE);
    /* Programming without a configured password: refused. */
    EXCHANGE(&s, &now, "/?!\r\n", "/EMT5EM100\r\n");
    EXCHANGE(&s, &now,
             "\x06"
             "051\r\n",
             "");
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_IDLE);
}

static void test_mode_e_switch(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_config_t c = make_cfg(IEC21_MODE_C, '5', &m);
    c.mode_e = true;
    memcpy(c.manufacturer, "EMt", 4);
    iec21_server_t s;
    assert_int_equal(iec21_server_init(&s, &c), 0);
    uint64_t now = 0;
    EXCHANGE(&s, &now, "/?!\r\n", "/EMt5\\2EM100\r\n");
    assert_int_equal(now, 20); /* lower-case third letter: 20 ms */

    /* V='2' with a readout Y is refused. */
    EXCHANGE(&s, &now,
             "\x06"
             "250\r\n",
             "");
    EXCHANGE(&s, &now, "/?!\r\n", "/EMt5\\2EM100\r\n");
    EXCHANGE(&s, &now,
             "\x06"
             "242\r\n",
             "<H4800>");
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_HANDED_OVER);
    assert_int_equal(iec21_server_feed(&s, now, (const uint8_t *)"\x7e", 1), IEC21_ERR_HANDED_OVER);
    uint8_t buf[8];
    iec21_event_t ev;
    assert_int_equal(iec21_server_poll(&s, now + 100000, buf, sizeof(buf), &ev), 0);
    assert_int_equal(ev.type, IEC21_EV_NONE);

    /* HDLC done: reset brings the port back to 300 Bd through an event. */
    iec21_server_reset(&s);
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_IDLE);
    transcript_t t = {.n = 0};
    drain(&s, &now, &t, 64);
    assert_int_equal(t.n, 6);
    assert_memory_equal(t.b, "<B300>", 6);
    EXCHANGE(&s, &now, "/?!\r\n", "/EMt5\\2EM100\r\n");
}

static void prog_cmd(iec21_server_t *s, uint64_t *now, char cmd, char type, const char *addr,
                     const char *value, const char *want, size_t want_len) {
    uint8_t msg[200];
    int n;
    if (addr == NULL) {
        n = iec21_command_build(cmd, type, NULL, msg, sizeof(msg));
    } else {
        iec21_dataset_t d = {addr, strlen(addr), value, strlen(value), NULL, 0};
        n = iec21_command_build(cmd, type, &d, msg, sizeof(msg));
    }
    assert_true(n > 0);
    msg[n] = 0;
    transcript_t t = {.n = 0};
    assert_int_equal(iec21_server_feed(s, *now, msg, (size_t)n), 0);
    drain(s, now, &t, 64);
    assert_int_equal(t.n, want_len);
    assert_memory_equal(t.b, want, want_len);
}

#define PROG(s, now, c, ty, a, v, lit)                                                             \
    prog_cmd((s), (now), (c), (ty), (a), (v), (lit), sizeof(lit) - 1)

static void enter_programming(iec21_server_t *s, meter_t *m, uint64_t *now) {
    iec21_server_config_t c = make_cfg(IEC21_MODE_C, '5', m);
    strcpy(c.password, "secret");
    strcpy(c.operand, "12345678");
    assert_int_equal(iec21_server_init(s, &c), 0);
    EXCHANGE(s, now, "/?!\r\n", "/EMT5EM100\r\n");
    EXCHANGE(s, now,
             "\x06"
             "051\r\n",
             "<B9600>\x01P0\x02(12345678)\x03\x68");
    assert_int_equal(iec21_server_state(s), IEC21_STATE_PROG);
}

static void test_programming_session(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_t s;
    uint64_t now = 0;
    enter_programming(&s, &m, &now);

    PROG(&s, &now, 'R', '1', "1.8.0", "", "\x02(ER-ACCESS)\x03\x3c");
    PROG(&s, &now, 'W', '1', "0.9.1", "120000", "\x15");
    PROG(&s, &now, 'P', '1', "", "wrong", "\x15");
    PROG(&s, &now, 'P', '1', "", "secre", "\x15"); /* prefix of the password */
    /* Two wrong tries so far; the third would break: a right one resets. */
    PROG(&s, &now, 'P', '1', "", "secret", "\x06");
    PROG(&s, &now, 'R', '1', "1.8.0", "",
         "\x02"
         "1.8.0(001234.567*kWh)\x03\x5b");
    PROG(&s, &now, 'R', '1', "9.9.9", "", "\x02(ER-ADDRESS)\x03\x6e");
    PROG(&s, &now, 'R', '1', "bad", "", "\x02(ER-VALUE)\x03\x73");
    PROG(&s, &now, 'W', '1', "0.9.1", "120000", "\x06");
    assert_int_equal(m.writes, 1);
    assert_string_equal(m.written, "0.9.1=120000");
    PROG(&s, &now, 'W', '1', "0.9.2", "1", "\x15");
    PROG(&s, &now, 'E', '2', "C.1", "", "\x15");    /* no execute callback: refused */
    PROG(&s, &now, 'R', '2', "1.8.0", "", "\x15");  /* only R1/R5 are served */
    PROG(&s, &now, 'P', '2', "", "secret", "\x15"); /* only the clear-text P1 */
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_PROG);
    PROG(&s, &now, 'B', '0', NULL, NULL, "<B300>");
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_IDLE);
    EXCHANGE(&s, &now, "/?!\r\n", "/EMT5EM100\r\n");
}

static int execute_cb(void *user, char type, const iec21_dataset_t *ds) {
    meter_t *m = user;
    (void)ds;
    m->writes += 100;
    return type == '2' ? 0 : -1;
}

static void test_execute_accepted(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_t s;
    uint64_t now = 0;
    enter_programming(&s, &m, &now);
    s.cfg.execute = execute_cb;
    PROG(&s, &now, 'E', '2', "C.1", "", "\x15"); /* before the password */
    assert_int_equal(m.writes, 0);
    PROG(&s, &now, 'P', '1', "", "secret", "\x06");
    PROG(&s, &now, 'E', '2', "C.1", "", "\x06");
    PROG(&s, &now, 'E', '3', "C.1", "", "\x15");
    assert_int_equal(m.writes, 200);
}

static void test_password_tries(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_t s;
    uint64_t now = 0;
    enter_programming(&s, &m, &now);
    PROG(&s, &now, 'P', '1', "", "a", "\x15");
    PROG(&s, &now, 'P', '1', "", "b", "\x15");
    PROG(&s, &now, 'P', '1', "", "c",
         "\x01"
         "B0\x03q<B300>");
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_IDLE);
}

static void test_bad_bcc_nak_and_repeat(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_t s;
    uint64_t now = 0;
    enter_programming(&s, &m, &now);
    PROG(&s, &now, 'P', '1', "", "secret", "\x06");

    static const char bad[] = "\x01R1\x02"
                              "1.8.0()\x03\x00"; /* BCC should be 0x5a */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(iec21_server_feed(&s, now, (const uint8_t *)bad, sizeof(bad) - 1), 0);
        transcript_t t = {.n = 0};
        drain(&s, &now, &t, 64);
        assert_int_equal(t.n, 1);
        assert_int_equal(t.b[0], IEC21_NAK);
    }
    /* A good message resets the count. */
    PROG(&s, &now, 'R', '1', "1.8.0", "",
         "\x02"
         "1.8.0(001234.567*kWh)\x03\x5b");
    /* The HHU did not get it right: NAK asks for the same answer again. */
    EXCHANGE(&s, &now, "\x15",
             "\x02"
             "1.8.0(001234.567*kWh)\x03\x5b");
    EXCHANGE(&s, &now, "\x15",
             "\x02"
             "1.8.0(001234.567*kWh)\x03\x5b");
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_PROG);
    /* A message damaged by noise before its SOH is still understood. */
    EXCHANGE(&s, &now,
             "\x7f\x01R1\x02"
             "1.8.0(\x01R1\x02"
             "1.8.0()\x03\x5a",
             "\x02"
             "1.8.0(001234.567*kWh)\x03\x5b");
}

static void test_nak_limit(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_t s;
    uint64_t now = 0;
    enter_programming(&s, &m, &now);
    static const char bad[] = "\x01R1\x02"
                              "1.8.0()\x03\x00";
    transcript_t t = {.n = 0};
    for (unsigned i = 0; i < EM_IEC21_MAX_REPEATS; i++) {
        assert_int_equal(iec21_server_feed(&s, now, (const uint8_t *)bad, sizeof(bad) - 1), 0);
        drain(&s, &now, &t, 64);
        assert_int_equal(t.n, i + 1);
        assert_int_equal(t.b[i], IEC21_NAK);
    }
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_PROG);
    t.n = 0;
    assert_int_equal(iec21_server_feed(&s, now, (const uint8_t *)bad, sizeof(bad) - 1), 0);
    drain(&s, &now, &t, 64);
    static const char brk[] = "\x01"
                              "B0\x03q<B300>";
    assert_int_equal(t.n, sizeof(brk) - 1);
    assert_memory_equal(t.b, brk, sizeof(brk) - 1);
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_IDLE);
}

static void test_addressed_sign_on(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_config_t c = make_cfg(IEC21_MODE_A, 'J', &m);
    strcpy(c.device_address, "12345678");
    iec21_server_t s;
    assert_int_equal(iec21_server_init(&s, &c), 0);
    uint64_t now = 0;
    EXCHANGE(&s, &now, "/?87654321!\r\n", "");
    EXCHANGE(&s, &now, "/?1234567!\r\n", "");
    EXCHANGE(&s, &now, "/?12345678!\r\n", "/EMTJEM100\r\n" READOUT_3);
    EXCHANGE(&s, &now, "/?!\r\n", "/EMTJEM100\r\n" READOUT_3);

    /* No configured address: every addressed request is for us. */
    c.device_address[0] = '\0';
    iec21_server_init(&s, &c);
    EXCHANGE(&s, &now, "/?999!\r\n", "/EMTJEM100\r\n" READOUT_3);
}

static void test_garbage_before_sign_on(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_config_t c = make_cfg(IEC21_MODE_A, 'J', &m);
    iec21_server_t s;
    iec21_server_init(&s, &c);
    uint64_t now = 0;
    static const uint8_t junk[] = {0x00, 0xff, 0x06, 0x01, 'x', '!', '\r', '\n', '/', '/', 'q'};
    assert_int_equal(iec21_server_feed(&s, now, junk, sizeof(junk)), 0);
    EXCHANGE(&s, &now, "/?!\r\n", "/EMTJEM100\r\n" READOUT_3);
    /* Noise inside a request line: the request is ignored. */
    EXCHANGE(&s, &now, "/?\x01!\r\n", "");
    /* An over-long line is dropped without an answer, the next one works. */
    char longline[EM_IEC21_MAX_LINE + 20];
    memset(longline, 'a', sizeof(longline));
    longline[0] = '/';
    longline[1] = '?';
    memcpy(longline + sizeof(longline) - 4, "!\r\n", 4);
    EXCHANGE(&s, &now, longline, "");
    EXCHANGE(&s, &now, "/?!\r\n", "/EMTJEM100\r\n" READOUT_3);
}

static const char *const mixed_lines[] = {
    "0.0.0(12345678)",
    "1.8.0(12(3)",                              /* '(' inside the value */
    "no-parens",                                /* not a data set */
    NULL,                                       /* callback error */
    "1.8.1(123456789012345678901234567890123)", /* value 33: too long outside mode C */
    "12345678901234567(1)",                     /* address 17 */
    "1.8.2(1*123456789012345678)",              /* unit 18 */
    "C.1(1/2)",                                 /* '/' inside */
    "1.8.0(001234.567*kWh)",
    "1.8.0(1)\r\n2.8.0(2)", /* embedded line end */
    "2.8.0(000000.000*kWh)",
};

static void test_bad_readout_lines_skipped(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_config_t c = make_cfg(IEC21_MODE_B, 'E', &m);
    m.lines = mixed_lines;
    m.nlines = sizeof(mixed_lines) / sizeof(mixed_lines[0]);
    iec21_server_t s;
    iec21_server_init(&s, &c);
    uint64_t now = 0;
    EXCHANGE(&s, &now, "/?!\r\n", "/EMTEEM100\r\n<B9600>" READOUT_3 "<B300>");
    assert_int_equal(s.lines_skipped, 8);
    assert_int_equal(m.calls, m.nlines + 1);

    /* Mode C accepts values up to 128 characters: the 33-character one passes. */
    c = make_cfg(IEC21_MODE_C, '5', &m);
    m.lines = mixed_lines;
    m.nlines = sizeof(mixed_lines) / sizeof(mixed_lines[0]);
    iec21_server_init(&s, &c);
    EXCHANGE(&s, &now, "/?!\r\n", "/EMT5EM100\r\n");
    transcript_t t = {.n = 0};
    feed_str(&s, now,
             "\x06"
             "050\r\n");
    drain(&s, &now, &t, 64);
    assert_int_equal(s.lines_skipped, 7);
    iec21_block_t blk;
    size_t end = t.n - 6 - 7; /* minus "<B300>" and "<B9600>" */
    assert_int_equal(iec21_data_message_parse((const uint8_t *)t.b + 7, end, &blk), 4);
}

static int too_many_lines(void *user, unsigned index, char *buf, size_t cap) {
    (void)user;
    (void)index;
    assert_true(cap >= 4);
    memcpy(buf, "1(1)", 4);
    return 4;
}

static void test_readout_line_bound(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_config_t c = make_cfg(IEC21_MODE_A, 'J', &m);
    c.readout_line = too_many_lines;
    iec21_server_t s;
    iec21_server_init(&s, &c);
    uint64_t now = 0;
    feed_str(&s, now, "/?!\r\n");
    /* Count lines rather than keep the whole telegram. */
    unsigned lines = 0;
    for (;;) {
        uint8_t buf[64];
        iec21_event_t ev;
        int n = iec21_server_poll(&s, now, buf, sizeof(buf), &ev);
        if (ev.type == IEC21_EV_WAIT) {
            now = ev.wake_ms;
            continue;
        }
        if (ev.type == IEC21_EV_NONE) {
            break;
        }
        for (int i = 0; i < n; i++) {
            lines += buf[i] == '\n';
        }
    }
    /* identification + data lines + "!" line */
    assert_int_equal(lines, 1 + EM_IEC21_MAX_READOUT_LINES + 1);
}

static void test_timeouts(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_config_t c = make_cfg(IEC21_MODE_C, '5', &m);
    strcpy(c.password, "secret");
    iec21_server_t s;
    iec21_server_init(&s, &c);
    uint64_t now = 0;

    /* Incomplete request, then silence longer than ta: dropped. */
    feed_str(&s, now, "/?!");
    now += EM_IEC21_CHAR_TIMEOUT_MS + 1;
    EXCHANGE(&s, &now, "\r\n", "");
    /* A gap just within ta is fine. */
    feed_str(&s, now, "/?!");
    now += EM_IEC21_CHAR_TIMEOUT_MS;
    EXCHANGE(&s, &now, "\r\n", "/EMT5EM100\r\n");

    /* No ACK: back to idle after the identification time plus tr. */
    uint64_t deadline = now + (12 * 10 * 1000 + 299) / 300 + EM_IEC21_ACK_TIMEOUT_MS;
    uint8_t buf[8];
    iec21_event_t ev;
    iec21_server_poll(&s, now, buf, sizeof(buf), &ev);
    assert_int_equal(ev.type, IEC21_EV_NONE);
    assert_int_equal(ev.wake_ms, deadline);
    iec21_server_poll(&s, deadline - 1, buf, sizeof(buf), &ev);
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_WAIT_ACK);
    now = deadline;
    EXCHANGE(&s, &now,
             "\x06"
             "050\r\n",
             ""); /* too late */
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_IDLE);

    /* Programming inactivity: back to 300 Bd and idle. */
    EXCHANGE(&s, &now, "/?!\r\n", "/EMT5EM100\r\n");
    EXCHANGE(&s, &now,
             "\x06"
             "051\r\n",
             "<B9600>\x01P0\x02()\x03\x60");
    now += EM_IEC21_PROG_TIMEOUT_MS - 1;
    iec21_server_poll(&s, now, buf, sizeof(buf), &ev);
    assert_int_equal(ev.type, IEC21_EV_NONE);
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_PROG);
    now += 1;
    transcript_t t = {.n = 0};
    drain(&s, &now, &t, 64);
    assert_int_equal(t.n, 6);
    assert_memory_equal(t.b, "<B300>", 6);
    assert_int_equal(iec21_server_state(&s), IEC21_STATE_IDLE);
}

static void test_half_duplex(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_config_t c = make_cfg(IEC21_MODE_A, 'J', &m);
    iec21_server_t s;
    iec21_server_init(&s, &c);
    uint64_t now = 0;
    /* Two requests in one chunk: the second arrives while we answer. */
    EXCHANGE(&s, &now, "/?!\r\n/?!\r\n", "/EMTJEM100\r\n" READOUT_3);
}

static void test_config_refused(void **state) {
    (void)state;
    meter_t m = {0};
    iec21_server_t s;
    iec21_server_config_t c = make_cfg(IEC21_MODE_B, 'E', &m);
    c.mode_e = true; /* mode E needs mode C */
    assert_int_equal(iec21_server_init(&s, &c), IEC21_ERR_CONFIG);
    c = make_cfg(IEC21_MODE_A, 'A', &m); /* 'A' announces mode B */
    assert_int_equal(iec21_server_init(&s, &c), IEC21_ERR_CONFIG);
    c = make_cfg(IEC21_MODE_A, 'H', &m); /* reserved */
    assert_int_equal(iec21_server_init(&s, &c), IEC21_ERR_CONFIG);
    c = make_cfg(IEC21_MODE_C, '7', &m);
    assert_int_equal(iec21_server_init(&s, &c), IEC21_ERR_CONFIG);
    c = make_cfg(IEC21_MODE_C, '5', &m);
    memcpy(c.manufacturer, "eMT", 4);
    assert_int_equal(iec21_server_init(&s, &c), IEC21_ERR_CONFIG);
    c = make_cfg(IEC21_MODE_C, '5', &m);
    strcpy(c.password, "a(b");
    assert_int_equal(iec21_server_init(&s, &c), IEC21_ERR_CONFIG);
    c = make_cfg(IEC21_MODE_C, '5', &m);
    memset(c.ident, 'x', sizeof(c.ident)); /* not terminated */
    assert_int_equal(iec21_server_init(&s, &c), IEC21_ERR_CONFIG);
    c = make_cfg(IEC21_MODE_C, '5', &m);
    strcpy(c.device_address, "1!");
    assert_int_equal(iec21_server_init(&s, &c), IEC21_ERR_CONFIG);
    assert_int_equal(iec21_server_init(NULL, &c), IEC21_ERR_BADARG);
}

static void test_strerror(void **state) {
    (void)state;
    assert_string_equal(iec21_strerror(IEC21_ERR_BCC), "iec62056-21: block check character wrong");
    for (int e = -0x0401; e >= -0x040A; e--) {
        assert_null(strstr(iec21_strerror(e), "unknown"));
    }
    assert_non_null(strstr(iec21_strerror(-0x04FF), "unknown"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bcc_vectors),
        cmocka_unit_test(test_command_parse),
        cmocka_unit_test(test_command_unit_round_trip),
        cmocka_unit_test(test_data_message_parse),
        cmocka_unit_test(test_data_message_refusals),
        cmocka_unit_test(test_ident_parse),
        cmocka_unit_test(test_request_and_ack_builders),
        cmocka_unit_test(test_message_complete),
        cmocka_unit_test(test_baud_tables),
        cmocka_unit_test(test_mode_a_readout),
        cmocka_unit_test(test_mode_b_readout),
        cmocka_unit_test(test_mode_c_readout),
        cmocka_unit_test(test_mode_c_rates),
        cmocka_unit_test(test_mode_e_switch),
        cmocka_unit_test(test_programming_session),
        cmocka_unit_test(test_execute_accepted),
        cmocka_unit_test(test_password_tries),
        cmocka_unit_test(test_bad_bcc_nak_and_repeat),
        cmocka_unit_test(test_nak_limit),
        cmocka_unit_test(test_addressed_sign_on),
        cmocka_unit_test(test_garbage_before_sign_on),
        cmocka_unit_test(test_bad_readout_lines_skipped),
        cmocka_unit_test(test_readout_line_bound),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_half_duplex),
        cmocka_unit_test(test_config_refused),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
