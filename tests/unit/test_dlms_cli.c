/*
 * test_dlms_cli.c - the host-side pieces of the dlms tool (apps/dlms): OBIS
 * parsing in every notation and its errors, the typed value syntax (exact
 * A-XDR bytes, errors, AES key wrap vector of dlms-facts §3.4), the
 * formatter (text, JSON, typed, CSV, date-times, scaled registers,
 * compact arrays) with typed round trips, the object list walker and class
 * table, and the profile row streamer fed in pieces.
 *
 * CMake links only lib/ and port/ into tests, so the tool's source files
 * are included here directly; they are plain C files with their own
 * headers under apps/dlms/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../apps/dlms/format.c"
#include "../../apps/dlms/obis_parse.c"
#include "../../apps/dlms/objlist.c"
#include "../../apps/dlms/rows.c"
#include "../../apps/dlms/value_parse.c"

static uint8_t enc_buf[8192];

/* Parses `text`, returns the byte count (or -1) and the bytes in enc_buf. */
static int parse(const char *text, char *err, size_t errlen) {
    axdr_enc_t e;
    axdr_enc_init(&e, enc_buf, sizeof enc_buf);
    if (value_parse(text, &e, err, errlen) != 0) {
        return -1;
    }
    return (int)e.len;
}

static void expect_hex(const uint8_t *p, int n, const char *hex) {
    uint8_t want[512];
    long wn = hex_parse(hex, want, sizeof want);
    assert_true(wn >= 0);
    if (n != wn || memcmp(p, want, (size_t)wn) != 0) {
        sbuf_t sb;
        sb_init(&sb);
        fmt_hex(&sb, p, n > 0 ? (size_t)n : 0);
        print_error("got %s, want %s\n", sb_str(&sb), hex);
        sb_free(&sb);
    }
    assert_int_equal(n, (int)wn);
    assert_memory_equal(p, want, (size_t)wn);
}

/* ---- OBIS ------------------------------------------------------------------------- */

static void test_obis_notations(void **state) {
    (void)state;
    static const struct {
        const char *text;
        uint8_t obis[6];
    } ok[] = {
        {"1.0.1.8.0.255", {1, 0, 1, 8, 0, 255}},
        {"1.0.1.8.0", {1, 0, 1, 8, 0, 255}},
        {"1-0:1.8.0*255", {1, 0, 1, 8, 0, 255}},
        {"1-0:1.8.0*101", {1, 0, 1, 8, 0, 101}},
        {"1-0:1.8.0&1", {1, 0, 1, 8, 0, 1}},
        {"1-0:1.8.0.255", {1, 0, 1, 8, 0, 255}},
        {"1-0:1.8.0", {1, 0, 1, 8, 0, 255}},
        {"0-0:1.0.0", {0, 0, 1, 0, 0, 255}},
        {"0100010800FF", {1, 0, 1, 8, 0, 255}},
        {"0x0000010000ff", {0, 0, 1, 0, 0, 255}},
        {"  0.0.40.0.0.255 ", {0, 0, 40, 0, 0, 255}},
        {"000.000.001.000.000.255", {0, 0, 1, 0, 0, 255}},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint8_t got[6];
        char err[200] = "";
        int rc = obis_parse(ok[i].text, got, err, sizeof err);
        if (rc != 0) {
            print_error("%s: %s\n", ok[i].text, err);
        }
        assert_int_equal(rc, 0);
        assert_memory_equal(got, ok[i].obis, 6);
    }
    char s[OBIS_STR_MAX];
    const uint8_t a[6] = {1, 0, 99, 1, 0, 255};
    obis_format(a, s);
    assert_string_equal(s, "1.0.99.1.0.255");
    obis_format_iec(a, s);
    assert_string_equal(s, "1-0:99.1.0*255");
    const uint8_t big[6] = {255, 255, 255, 255, 255, 255};
    obis_format_iec(big, s);
    assert_string_equal(s, "255-255:255.255.255*255");
}

static void test_obis_errors(void **state) {
    (void)state;
    static const struct {
        const char *text;
        const char *msg; /* part of the message */
    } bad[] = {
        {"", "empty"},
        {"   ", "empty"},
        {"1.0.1.8.0.256", "value group 6 is above 255"},
        {"1000.0.1.8.0.255", "value group 1 is above 255"},
        {"1.0.1.8", "not an OBIS code"},
        {"1.0.1.8.0.255.1", "not an OBIS code"},
        {"1.0.1.8.0.255.1.2.3", "too many value groups"},
        {"1..1.8.0.255", "expected a number at position 3"},
        {"a.b.c.d.e.f", "expected a number at position 1"},
        {"1.0.1.8.0.", "ends with a separator"},
        {"1-0-1.8.0.255", "not an OBIS code"},
        {"1-0:1.8.0*255*1", "not an OBIS code"},
        {"1.0.1.8.0.255x", "unexpected character 'x'"},
        {"1.0.1.8.0,255", "unexpected character ','"},
        {"0100010800F", "12 digits"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t got[6];
        char err[200] = "";
        assert_int_equal(obis_parse(bad[i].text, got, err, sizeof err), -1);
        if (strstr(err, bad[i].msg) == NULL) {
            print_error("'%s': '%s' lacks '%s'\n", bad[i].text, err, bad[i].msg);
        }
        assert_non_null(strstr(err, bad[i].msg));
        assert_non_null(strstr(err, "OBIS '"));
    }
    uint8_t got[6];
    assert_int_equal(obis_parse(NULL, got, NULL, 0), -1);
}

/* ---- value syntax --------------------------------------------------------------------- */

static void test_value_scalars(void **state) {
    (void)state;
    static const struct {
        const char *text;
        const char *hex;
    } cases[] = {
        {"null", "00"},
        {"bool:true", "0301"},
        {"boolean:0", "0300"},
        {"u8:5", "1105"},
        {"unsigned:255", "11FF"},
        {"u8:0x10", "1110"},
        {"u16:258", "120102"},
        {"u16:010", "12000A"}, /* decimal, never octal */
        {"u32:5", "0600000005"},
        {"double-long-unsigned:4294967295", "06FFFFFFFF"},
        {"u64:1", "150000000000000001"},
        {"i8:-3", "0FFD"},
        {"i8:-128", "0F80"},
        {"i16:-3", "10FFFD"},
        {"long:32767", "107FFF"},
        {"i32:-1", "05FFFFFFFF"},
        {"i64:-2", "14FFFFFFFFFFFFFFFE"},
        {"enum:3", "1603"},
        {"bcd:18", "0D12"},
        {"f32:1.5", "173FC00000"},
        {"f64:1.5", "183FF8000000000000"},
        {"os:0102ab", "09030102AB"},
        {"os:01:02:AB", "09030102AB"},
        {"os:", "0900"},
        {"os:\"AB\"", "09024142"},
        {"vs:text", "0A0474657874"},
        {"vs:a,b) c", "0A06612C62292063"}, /* top level: the rest of the argument */
        {"vs:\"q\\\"\\\\\\x41\"", "0A0471225C41"},
        {"utf8:\xC3\xA9", "0C02C3A9"},
        {"bs:1011", "0404B0"},
        {"bs:101100001", "0409B080"},
        {"obis:1-0:1.8.0*255", "09060100010800FF"},
        {"obis:0.0.1.0.0.255", "09060000010000FF"},
        {"dt:2026-11-20T12:00:00+01:00", "090C07EA0B14050C000000FFC400"},
        {"dt:2026-11-20T12:00:00Z", "090C07EA0B14050C0000000000"
                                    "00"},
        {"dt:2026-03-29T03:00:00+02:00/80", "090C07EA031D0703000000FF8880"},
        {"dt:2026-11-20T12:00:30.50-05:30", "090C07EA0B14050C001E32014A00"},
        {"dt:2026-11-20T12:00", "090C07EA0B14050C0000008000"
                                "00"},
        {"dt:2026-11-20", "090C07EA0B140500000000800000"},
        {"dt:*", "090CFFFFFFFFFFFFFFFFFF8000FF"},
        {"dt:*-*-*T00:00:00", "090CFFFFFFFFFF000000008000"
                              "00"},
        {"date:2026-11-20", "090507EA0B1405"},
        {"time:12:30", "09040C1E0000"},
        {"tdt:2026-11-20T12:00:00Z", "1907EA0B14050C000000000000"},
        {"tdate:2026-11-20", "1A07EA0B1405"},
        {"ttime:12:30:15", "1B0C1E0F00"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[200] = "";
        int n = parse(cases[i].text, err, sizeof err);
        if (n < 0) {
            print_error("%s: %s\n", cases[i].text, err);
        }
        expect_hex(enc_buf, n, cases[i].hex);
    }
}

static void test_value_containers(void **state) {
    (void)state;
    char err[200] = "";
    expect_hex(enc_buf, parse("struct(u8:1,array(u16:2,u16:3))", err, sizeof err),
               "0202"
               "1101"
               "0102"
               "120002"
               "120003");
    expect_hex(enc_buf, parse("struct( u8:1 , vs:\"a,b)\" )", err, sizeof err),
               "0202"
               "1101"
               "0A04612C6229");
    expect_hex(enc_buf, parse("array()", err, sizeof err), "0100");
    expect_hex(enc_buf, parse("structure(null,bool:1)", err, sizeof err),
               "0202"
               "00"
               "0301");
    /* The capture object of a clock, as a --columns or a set would write it. */
    expect_hex(enc_buf, parse("struct(u16:8,obis:0.0.1.0.0.255,i8:2,u16:0)", err, sizeof err),
               "0204"
               "120008"
               "09060000010000FF"
               "0F02"
               "120000");
    /* A key_transfer argument with the RFC 3394 §4.1 vector (dlms-facts §3.4). */
    uint8_t kek[16];
    hex_parse("000102030405060708090a0b0c0d0e0f", kek, sizeof kek);
    value_parse_set_kek(kek);
    expect_hex(
        enc_buf,
        parse("array(struct(enum:0,wkey:00112233445566778899aabbccddeeff))", err, sizeof err),
        "0101"
        "0202"
        "1600"
        "0918"
        "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5");
}

static void test_value_errors(void **state) {
    (void)state;
    static const struct {
        const char *text;
        const char *msg;
    } bad[] = {
        {"u8:256", "out of range 0..255"},
        {"u8:-1", "cannot be negative"},
        {"i8:128", "out of range -128..127"},
        {"i16:-32769", "out of range"},
        {"u32:4294967296", "out of range"},
        {"u8:", "not an integer"},
        {"u8:1)", "not an integer"},
        {"u8:12abc", "not an integer"},
        {"f32:x", "not a number"},
        {"bool:maybe", "true or false"},
        {"x:1", "unknown type"},
        {"u8", "expected type:value"},
        {"5", "expected type:value"},
        {"struct(u8:1", "missing ')'"},
        {"struct(u8:1,)", "value expected after ','"},
        {"struct(u8:1;u8:2)", "not an integer"},
        {"struct(u8:1)x", "unexpected characters"},
        {"os:0g", "hex digits"},
        {"os:123", "hex digits"},
        {"bs:102", "0 and 1"},
        {"vs:\"abc", "unterminated"},
        {"vs:\"\\q\"", "unknown escape"},
        {"dt:2026-02-30T00:00:00Z", "no such day"},
        {"dt:2026-11-20T25:00", "expected THH:MM"},
        {"dt:2026-11-20T12:00:00+15:00", "zone"},
        {"dt:2026-11-20T12:00:00Zjunk", "trailing"},
        {"dt:26-11-20", "expected YYYY-MM-DD"},
        {"dt:2026-13-01", "expected YYYY-MM-DD"},
        {"obis:1.2.3", "not an OBIS code"},
        {"wkey:0011", "16-byte key"},
        {"dt:2026-11-20T12:00:00.0000000000000000000000000000000000000000000000Z", "too long"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[200] = "";
        assert_int_equal(parse(bad[i].text, err, sizeof err), -1);
        if (strstr(err, bad[i].msg) == NULL) {
            print_error("'%s': '%s' lacks '%s'\n", bad[i].text, err, bad[i].msg);
        }
        assert_non_null(strstr(err, bad[i].msg));
    }
    /* Position of the error in the argument. */
    char err[200] = "";
    assert_int_equal(parse("struct(u8:1,u8:300)", err, sizeof err), -1);
    assert_non_null(strstr(err, "value: at 19:"));
    /* Nesting is bounded like the decoder's. */
    char deep[256] = "";
    for (int i = 0; i < EM_AXDR_MAX_DEPTH + 1; i++) {
        strcat(deep, "array(");
    }
    assert_int_equal(parse(deep, err, sizeof err), -1);
    assert_non_null(strstr(err, "nested too deep"));
}

static void test_datetime_parse(void **state) {
    (void)state;
    cosem_datetime_t dt;
    char err[200] = "";
    assert_int_equal(datetime_parse("2026-11-20T12:00:00+01:00", &dt, err, sizeof err), 0);
    assert_int_equal(dt.deviation, -60);
    assert_int_equal(dt.day_of_week, 5);
    int64_t utc = 0;
    assert_int_equal(cosem_datetime_to_utc(&dt, &utc), 0);
    assert_int_equal(utc, 1795172400); /* 2026-11-20T11:00:00Z */
    assert_int_equal(datetime_parse("2026-11-20 12:00", &dt, err, sizeof err), 0);
    assert_int_equal(dt.deviation, COSEM_DT_DEVIATION_NOT_SPECIFIED);
    assert_int_equal(datetime_parse("now", &dt, err, sizeof err), 0);
    assert_true(dt.year >= 2024);
    assert_int_equal(datetime_parse("2026-11-20T12:00:00+0100", &dt, err, sizeof err), 0);
    assert_int_equal(dt.deviation, -60);
}

/* ---- formatting -------------------------------------------------------------------------- */

static const char *fmt(fmt_mode_t mode, const char *typed, bool lines) {
    static sbuf_t sb;
    char err[200] = "";
    int n = parse(typed, err, sizeof err);
    if (n < 0) {
        print_error("%s: %s\n", typed, err);
    }
    assert_true(n > 0);
    sb_reset(&sb);
    assert_int_equal(fmt_value(&sb, mode, enc_buf, (size_t)n, lines), 0);
    return sb_str(&sb);
}

static void test_format_text(void **state) {
    (void)state;
    assert_string_equal(fmt(FMT_TEXT, "u32:1234", false), "1234");
    assert_string_equal(fmt(FMT_TEXT, "i16:-3", false), "-3");
    assert_string_equal(fmt(FMT_TEXT, "bool:true", false), "true");
    assert_string_equal(fmt(FMT_TEXT, "null", false), "null");
    assert_string_equal(fmt(FMT_TEXT, "os:\"EMETER01\"", false), "\"EMETER01\"");
    assert_string_equal(fmt(FMT_TEXT, "os:0102ff", false), "0102ff");
    assert_string_equal(fmt(FMT_TEXT, "vs:a\"b", false), "\"a\\\"b\"");
    assert_string_equal(fmt(FMT_TEXT, "bs:1011", false), "1011");
    assert_string_equal(fmt(FMT_TEXT, "f32:1.5", false), "1.5");
    assert_string_equal(fmt(FMT_TEXT, "dt:2026-11-20T12:00:00+01:00", false),
                        "2026-11-20T12:00:00+01:00");
    assert_string_equal(fmt(FMT_TEXT, "dt:2026-03-29T03:00:00+02:00/80", false),
                        "2026-03-29T03:00:00+02:00 (dst)");
    assert_string_equal(fmt(FMT_TEXT, "dt:2026-11-20T12:00:30.50-05:30/03", false),
                        "2026-11-20T12:00:30.50-05:30 (invalid,doubtful)");
    assert_string_equal(fmt(FMT_TEXT, "dt:*-*-*T00:00:00", false), "*-*-*T00:00:00");
    assert_string_equal(fmt(FMT_TEXT, "dt:2026-11-20T12:00:00Z", false), "2026-11-20T12:00:00Z");
    assert_string_equal(fmt(FMT_TEXT, "tdate:2026-11-20", false), "2026-11-20");
    assert_string_equal(fmt(FMT_TEXT, "struct(u8:1,array(u16:2,u16:3))", false), "{1, [2, 3]}");
    assert_string_equal(fmt(FMT_TEXT, "array(struct(u8:1,u8:2),struct(u8:3,u8:4))", true),
                        "{1, 2}\n{3, 4}");
    assert_string_equal(fmt(FMT_TEXT, "array()", true), "[]");
}

static void test_format_json_csv(void **state) {
    (void)state;
    assert_string_equal(fmt(FMT_JSON, "struct(u8:1,array(u16:2,u16:3),null,bool:false)", false),
                        "[1,[2,3],null,false]");
    assert_string_equal(fmt(FMT_JSON, "os:\"EM\\\"1\"", false), "\"EM\\\"1\"");
    assert_string_equal(fmt(FMT_JSON, "os:00ff", false), "\"00ff\"");
    assert_string_equal(fmt(FMT_JSON, "vs:\"a\\nb\"", false), "\"a\\u000ab\"");
    assert_string_equal(fmt(FMT_JSON, "dt:2026-11-20T12:00:00+01:00/80", false),
                        "\"2026-11-20T12:00:00+01:00\"");
    assert_string_equal(fmt(FMT_JSON, "f64:nan", false), "null");
    assert_string_equal(fmt(FMT_JSON, "i64:-9223372036854775808", false), "-9223372036854775808");
    assert_string_equal(fmt(FMT_CSV, "null", false), "");
    assert_string_equal(fmt(FMT_CSV, "os:\"EM01\"", false), "EM01");
    sbuf_t sb;
    sb_init(&sb);
    fmt_csv_cell(&sb, "plain");
    fmt_csv_cell(&sb, "a,\"b\"");
    assert_string_equal(sb_str(&sb), "plain\"a,\"\"b\"\"\"");
    sb_reset(&sb);
    fmt_clock_status(&sb, 0xFF);
    assert_string_equal(sb_str(&sb), "not-specified");
    sb_reset(&sb);
    fmt_clock_status(&sb, 0x8C);
    assert_string_equal(sb_str(&sb), "different-base,invalid-status,dst");
    sb_reset(&sb);
    fmt_clock_status(&sb, 0x00);
    assert_string_equal(sb_str(&sb), "ok");
    sb_free(&sb);
    /* Not one well-formed Data. */
    sb_init(&sb);
    const uint8_t junk[] = {0x01, 0x02, 0x11};
    assert_int_equal(fmt_value(&sb, FMT_TEXT, junk, sizeof junk, false), -1);
    const uint8_t two[] = {0x11, 0x01, 0x11, 0x02};
    assert_int_equal(fmt_value(&sb, FMT_TEXT, two, sizeof two, false), -1);
    sb_free(&sb);
}

/* Typed output reads back to the same bytes. */
static void test_typed_round_trip(void **state) {
    (void)state;
    static const char *const values[] = {
        "null",
        "bool:false",
        "u8:200",
        "u16:65535",
        "u32:4294967295",
        "u64:18446744073709551615",
        "i8:-128",
        "i16:-32768",
        "i32:-2147483648",
        "i64:-9223372036854775808",
        "enum:255",
        "bcd:153",
        "f32:0.1",
        "f64:0.1",
        "f32:-inf",
        "os:",
        "os:00ff10",
        "os:\"EMETER0001\"",
        "vs:\"with, comma and ) paren\"",
        "vs:\"quote \\\" backslash \\\\ tab \\t\"",
        "utf8:\"\\xc3\\xa9t\\xc3\\xa9\"",
        "bs:",
        "bs:1",
        "bs:1010101010101",
        "obis:1.0.1.8.0.255",
        "dt:2026-11-20T12:00:00+01:00",
        "dt:2026-03-29T03:00:00+02:00/80",
        "dt:2026-11-20T12:00:30.50-05:30/03",
        "dt:*",
        "dt:*-*-*T00:00:00",
        "dt:2026-11-20T12:00",
        "tdt:2026-11-20T12:00:00Z",
        "tdate:2026-11-20",
        "ttime:12:30:15",
        "date:2026-11-20",
        "time:12:30",
        "array()",
        "struct(u16:8,obis:0.0.1.0.0.255,i8:2,u16:0)",
        ("array(struct(dt:2026-11-20T00:15:00+01:00,u32:1234,i16:-5),"
         "struct(dt:2026-11-20T00:30:00+01:00,u32:1240,i16:-6))"),
        "struct(struct(struct(array(null))))",
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char err[200] = "";
        int n = parse(values[i], err, sizeof err);
        if (n < 0) {
            print_error("%s: %s\n", values[i], err);
        }
        assert_true(n > 0);
        uint8_t first[1024];
        memcpy(first, enc_buf, (size_t)n);
        sbuf_t sb;
        sb_init(&sb);
        assert_int_equal(fmt_value(&sb, FMT_TYPED, first, (size_t)n, false), 0);
        int m = parse(sb_str(&sb), err, sizeof err);
        if (m != n || memcmp(first, enc_buf, (size_t)n) != 0) {
            print_error("%s -> %s -> %d bytes (%s)\n", values[i], sb_str(&sb), m, err);
        }
        assert_int_equal(m, n);
        assert_memory_equal(first, enc_buf, (size_t)n);
        sb_free(&sb);
    }
    /* A date-time the syntax cannot say (day of week not specified on a
     * concrete date): typed falls back to hex, and still round-trips. */
    const uint8_t odd[] = {0x09, 0x0C, 0x07, 0xEA, 0x0B, 0x14, 0xFF,
                           0x0C, 0x00, 0x00, 0x00, 0xFF, 0xC4, 0x00};
    sbuf_t sb;
    sb_init(&sb);
    assert_int_equal(fmt_value(&sb, FMT_TYPED, odd, sizeof odd, false), 0);
    assert_string_equal(sb_str(&sb), "os:07ea0b14ff0c000000ffc400");
    sb_reset(&sb);
    assert_int_equal(fmt_value(&sb, FMT_TEXT, odd, sizeof odd, false), 0);
    assert_string_equal(sb_str(&sb), "2026-11-20T12:00:00+01:00");
    sb_free(&sb);
}

static void test_format_compact_array(void **state) {
    (void)state;
    uint8_t buf[64];
    axdr_enc_t e;
    axdr_enc_init(&e, buf, sizeof buf);
    axdr_put_compact_array_begin(&e);
    axdr_put_type_desc_structure(&e, 2);
    axdr_put_type_desc(&e, AXDR_LONG_UNSIGNED);
    axdr_put_type_desc(&e, AXDR_INTEGER);
    axdr_put_compact_array_contents(&e, 6);
    axdr_enc_untagged(&e, true);
    axdr_put_uint16(&e, 1);
    axdr_put_int8(&e, -1);
    axdr_put_uint16(&e, 2);
    axdr_put_int8(&e, -2);
    assert_int_equal(axdr_put_compact_array_end(&e), 0);
    sbuf_t sb;
    sb_init(&sb);
    assert_int_equal(fmt_value(&sb, FMT_TEXT, buf, e.len, false), 0);
    assert_string_equal(sb_str(&sb), "[{1, -1}, {2, -2}]");
    sb_reset(&sb);
    assert_int_equal(fmt_value(&sb, FMT_JSON, buf, e.len, false), 0);
    assert_string_equal(sb_str(&sb), "[[1,-1],[2,-2]]");
    sb_free(&sb);
}

static void test_format_scaled(void **state) {
    (void)state;
    static const struct {
        const char *value, *su, *want;
    } cases[] = {
        {"u32:12345", "struct(i8:-1,enum:35)", "1234.5 V"},
        {"u32:5", "struct(i8:-3,enum:30)", "0.005 Wh"},
        {"u32:1234", "struct(i8:-4,enum:30)", "0.1234 Wh"},
        {"u32:5", "struct(i8:2,enum:30)", "500 Wh"},
        {"u32:0", "struct(i8:3,enum:27)", "0 W"},
        {"i16:-15", "struct(i8:-1,enum:33)", "-1.5 A"},
        {"i32:-2147483648", "struct(i8:0,enum:27)", "-2147483648 W"},
        {"u64:7", "struct(i8:0,enum:255)", "7"},
        {"u8:7", "struct(i8:0,enum:200)", "7 (unit 200)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t v[32], su[32];
        char err[200];
        int vn = parse(cases[i].value, err, sizeof err);
        memcpy(v, enc_buf, (size_t)vn);
        int sn = parse(cases[i].su, err, sizeof err);
        memcpy(su, enc_buf, (size_t)sn);
        sbuf_t sb;
        sb_init(&sb);
        assert_int_equal(fmt_scaled(&sb, v, (size_t)vn, su, (size_t)sn), 0);
        assert_string_equal(sb_str(&sb), cases[i].want);
        sb_free(&sb);
    }
    /* Not a number, not a scaler_unit. */
    uint8_t v[32], su[32];
    char err[200];
    int vn = parse("os:00", err, sizeof err);
    memcpy(v, enc_buf, (size_t)vn);
    int sn = parse("struct(i8:0,enum:30)", err, sizeof err);
    memcpy(su, enc_buf, (size_t)sn);
    sbuf_t sb;
    sb_init(&sb);
    assert_int_equal(fmt_scaled(&sb, v, (size_t)vn, su, (size_t)sn), -1);
    vn = parse("u8:1", err, sizeof err);
    memcpy(v, enc_buf, (size_t)vn);
    sn = parse("struct(i8:0)", err, sizeof err);
    memcpy(su, enc_buf, (size_t)sn);
    assert_int_equal(fmt_scaled(&sb, v, (size_t)vn, su, (size_t)sn), -1);
    sb_free(&sb);
}

/* ---- object list ------------------------------------------------------------------------ */

/* Clock (class 8 v0) and an A+ register (class 3) with selectors on attr 2. */
static const char object_list[] =
    "array("
    "struct(u16:8,u8:0,obis:0.0.1.0.0.255,struct("
    "array(struct(i8:1,enum:1,null),struct(i8:2,enum:3,null),struct(i8:3,enum:6,null)),"
    "array(struct(i8:1,enum:0),struct(i8:6,enum:2)))),"
    "struct(u16:3,u8:0,obis:1.0.1.8.0.255,struct("
    "array(struct(i8:1,enum:1,null),struct(i8:2,enum:1,array(i8:1,i8:2))),"
    "array(struct(i8:1,bool:true)))))";

typedef struct collect {
    sbuf_t text, json;
    size_t n;
} collect_t;

static int collect_cb(void *user, const objlist_entry_t *e) {
    collect_t *c = user;
    objlist_format(&c->text, e, false, false);
    sb_putc(&c->text, '\n');
    objlist_format(&c->json, e, true, c->n == 1);
    c->n++;
    return 0;
}

static void test_objlist(void **state) {
    (void)state;
    char err[200] = "";
    int n = parse(object_list, err, sizeof err);
    assert_true(n > 0);
    static uint8_t list[1024];
    memcpy(list, enc_buf, (size_t)n);
    collect_t c;
    memset(&c, 0, sizeof c);
    assert_int_equal(objlist_walk(list, (size_t)n, collect_cb, &c, err, sizeof err), 0);
    assert_int_equal(c.n, 2);
    assert_string_equal(sb_str(&c.text),
                        "0.0.1.0.0.255          class 8   v0  attributes 1:r 2:rw 3:arw  methods "
                        "1:- 6:ax\n"
                        "1.0.1.8.0.255          class 3   v0  attributes 1:r 2:r[1,2]  methods "
                        "1:x\n");
    assert_string_equal(sb_str(&c.json),
                        "{\"obis\":\"0.0.1.0.0.255\",\"class\":8,\"version\":0,\"attributes\":["
                        "{\"id\":1,\"access\":\"read_only\",\"selectors\":[]},"
                        "{\"id\":2,\"access\":\"read_and_write\",\"selectors\":[]},"
                        "{\"id\":3,\"access\":\"authenticated_read_and_write\",\"selectors\":[]}],"
                        "\"methods\":[{\"id\":1,\"access\":\"no_access\"},"
                        "{\"id\":6,\"access\":\"authenticated_access\"}]}"
                        "{\"obis\":\"1-0:1.8.0*255\",\"class\":3,\"version\":0,\"attributes\":["
                        "{\"id\":1,\"access\":\"read_only\",\"selectors\":[]},"
                        "{\"id\":2,\"access\":\"read_only\",\"selectors\":[1,2]}],"
                        "\"methods\":[{\"id\":1,\"access\":\"access\"}]}");
    sb_free(&c.text);
    sb_free(&c.json);

    const uint8_t reg[6] = {1, 0, 1, 8, 0, 255}, none[6] = {1, 0, 2, 8, 0, 255};
    assert_int_equal(objlist_find_class(list, (size_t)n, reg), 3);
    assert_int_equal(objlist_find_class(list, (size_t)n, none), 0);

    /* Malformed: a class id of the wrong type, a truncated list. */
    int m = parse("array(struct(u8:8,u8:0,obis:0.0.1.0.0.255,struct(array(),array())))", err,
                  sizeof err);
    assert_int_equal(objlist_walk(enc_buf, (size_t)m, NULL, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "object_list entry 1"));
    assert_int_equal(objlist_walk(list, (size_t)n - 1, NULL, NULL, err, sizeof err), -1);
    m = parse("u8:1", err, sizeof err);
    assert_int_equal(objlist_walk(enc_buf, (size_t)m, NULL, NULL, err, sizeof err), -1);
    assert_string_equal(err, "object_list is not an array");
}

static void test_default_class(void **state) {
    (void)state;
    static const struct {
        uint8_t obis[6];
        uint16_t class_id;
    } cases[] = {
        {{0, 0, 1, 0, 0, 255}, 8},    {{0, 0, 40, 0, 0, 255}, 15}, {{0, 0, 40, 0, 1, 255}, 15},
        {{0, 0, 42, 0, 0, 255}, 1},   {{0, 0, 43, 0, 0, 255}, 64}, {{0, 0, 43, 1, 1, 255}, 1},
        {{0, 0, 96, 3, 10, 255}, 70}, {{0, 0, 96, 1, 0, 255}, 1},  {{0, 0, 99, 98, 0, 255}, 7},
        {{1, 0, 99, 1, 0, 255}, 7},   {{1, 0, 1, 8, 0, 255}, 3},   {{1, 0, 32, 7, 0, 255}, 3},
        {{1, 0, 1, 6, 0, 255}, 4},    {{1, 0, 1, 4, 0, 255}, 5},   {{1, 0, 32, 32, 0, 255}, 1},
        {{0, 0, 25, 9, 0, 255}, 40},  {{7, 0, 1, 0, 0, 255}, 0},   {{0, 0, 200, 0, 0, 255}, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(objlist_default_class(cases[i].obis), cases[i].class_id);
    }
}

/* ---- profile rows ------------------------------------------------------------------------- */

typedef struct rows_seen {
    sbuf_t text;
    unsigned rows;
    unsigned wholes;
} rows_seen_t;

static int seen_row(void *user, const uint8_t *row, size_t len) {
    rows_seen_t *r = user;
    assert_int_equal(fmt_value(&r->text, FMT_TEXT, row, len, false), 0);
    sb_putc(&r->text, '\n');
    r->rows++;
    return 0;
}

static int seen_whole(void *user, const uint8_t *val, size_t len) {
    rows_seen_t *r = user;
    fmt_value(&r->text, FMT_TEXT, val, len, false);
    r->wholes++;
    return 0;
}

static int encode_profile(unsigned rows) {
    axdr_enc_t e;
    axdr_enc_init(&e, enc_buf, sizeof enc_buf);
    axdr_put_array(&e, rows);
    for (unsigned i = 0; i < rows; i++) {
        cosem_datetime_t dt;
        cosem_datetime_from_utc(1795129200 + (int64_t)i * 900, -60, 0, &dt);
        axdr_put_structure(&e, 3);
        axdr_put_date_time_os(&e, &dt);
        axdr_put_uint32(&e, 1000 + i);
        axdr_put_visible_string(&e, "ok", i % 2 == 0 ? 2 : 0);
    }
    assert_int_equal(e.err, 0);
    return (int)e.len;
}

static void test_rows_streaming(void **state) {
    (void)state;
    int n = encode_profile(96);
    static uint8_t whole[8192];
    memcpy(whole, enc_buf, (size_t)n);
    static const size_t chunks[] = {1, 2, 3, 7, 13, 64, 500, 8192};
    sbuf_t ref;
    sb_init(&ref);
    for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
        rows_seen_t seen;
        memset(&seen, 0, sizeof seen);
        rowstream_t rs;
        rows_init(&rs, seen_row, seen_whole, &seen);
        for (size_t off = 0; off < (size_t)n; off += chunks[k]) {
            size_t len = (size_t)n - off < chunks[k] ? (size_t)n - off : chunks[k];
            bool last = off + len == (size_t)n;
            assert_int_equal(rows_feed(&rs, whole + off, len, last), 0);
        }
        assert_int_equal(seen.rows, 96);
        assert_int_equal(rs.rows, 96);
        assert_int_equal(seen.wholes, 0);
        if (k == 0) {
            sb_puts(&ref, sb_str(&seen.text));
        }
        assert_string_equal(sb_str(&seen.text), sb_str(&ref));
        rows_free(&rs);
        sb_free(&seen.text);
    }
    /* The first row, as text. */
    const char *first = "{2026-11-20T00:00:00+01:00, 1000, \"ok\"}\n";
    if (strncmp(sb_str(&ref), first, strlen(first)) != 0) {
        print_error("first row: %.60s\n", sb_str(&ref));
    }
    assert_int_equal(strncmp(sb_str(&ref), first, strlen(first)), 0);
    sb_free(&ref);
}

static void test_rows_errors(void **state) {
    (void)state;
    int n = encode_profile(3);
    static uint8_t whole[1024];
    memcpy(whole, enc_buf, (size_t)n);
    rows_seen_t seen;
    rowstream_t rs;

    /* Ends inside a row. */
    memset(&seen, 0, sizeof seen);
    rows_init(&rs, seen_row, seen_whole, &seen);
    assert_int_equal(rows_feed(&rs, whole, (size_t)n - 1, true), -1);
    assert_non_null(strstr(rs.err, "ends inside a row"));
    assert_int_equal(seen.rows, 2);
    rows_free(&rs);
    sb_free(&seen.text);

    /* Bytes after the last row. */
    memset(&seen, 0, sizeof seen);
    rows_init(&rs, seen_row, seen_whole, &seen);
    whole[n] = 0x00;
    assert_int_equal(rows_feed(&rs, whole, (size_t)n + 1, true), -1);
    assert_non_null(strstr(rs.err, "bytes after the last row"));
    rows_free(&rs);
    sb_free(&seen.text);

    /* An unknown tag inside a row. */
    memset(&seen, 0, sizeof seen);
    rows_init(&rs, seen_row, seen_whole, &seen);
    const uint8_t bad[] = {0x01, 0x02, 0x02, 0x01, 0x07, 0x00};
    assert_int_equal(rows_feed(&rs, bad, sizeof bad, false), -1);
    rows_free(&rs);
    sb_free(&seen.text);

    /* Nothing at all. */
    memset(&seen, 0, sizeof seen);
    rows_init(&rs, seen_row, seen_whole, &seen);
    assert_int_equal(rows_feed(&rs, NULL, 0, true), -1);
    assert_non_null(strstr(rs.err, "empty"));
    rows_free(&rs);

    /* Not an array: handed over whole at the end. */
    memset(&seen, 0, sizeof seen);
    rows_init(&rs, seen_row, seen_whole, &seen);
    const uint8_t one[] = {0x06, 0x00, 0x00, 0x00, 0x07};
    assert_int_equal(rows_feed(&rs, one, 2, false), 0);
    assert_int_equal(rows_feed(&rs, one + 2, 3, true), 0);
    assert_int_equal(seen.wholes, 1);
    assert_string_equal(sb_str(&seen.text), "7");
    rows_free(&rs);
    sb_free(&seen.text);
}

static void test_rows_columns(void **state) {
    (void)state;
    char err[200] = "";
    int n = parse("array(struct(u16:8,obis:0.0.1.0.0.255,i8:2,u16:0),"
                  "struct(u16:3,obis:1.0.1.8.0.255,i8:2,u16:0),"
                  "struct(u16:3,obis:1.0.2.8.0.255,i8:2,u16:0),"
                  "struct(u16:4,obis:1.0.1.6.0.255,i8:5,u16:2))",
                  err, sizeof err);
    dlms_capture_object_t caps[8];
    size_t ncaps = 0;
    assert_int_equal(rows_capture_objects(enc_buf, (size_t)n, caps, 8, &ncaps), 0);
    assert_int_equal(ncaps, 4);
    char name[64];
    rows_column_name(&caps[0], false, name, sizeof name);
    assert_string_equal(name, "0.0.1.0.0.255:2");
    rows_column_name(&caps[3], true, name, sizeof name);
    assert_string_equal(name, "1-0:1.6.0*255:5:2");

    unsigned idx[8];
    assert_int_equal(rows_columns_parse("1,3", caps, ncaps, idx, 8, err, sizeof err), 2);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 2);
    assert_int_equal(rows_columns_parse("2-4", caps, ncaps, idx, 8, err, sizeof err), 3);
    assert_int_equal(idx[2], 3);
    assert_int_equal(
        rows_columns_parse("0.0.1.0.0.255:2,1-0:2.8.0*255", caps, ncaps, idx, 8, err, sizeof err),
        2);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 2);
    assert_int_equal(rows_columns_parse("1.0.1.6.0.255:5", caps, ncaps, idx, 8, err, sizeof err),
                     1);
    assert_int_equal(idx[0], 3);
    static const char *const bad[] = {"0", "5", "3-2", "1.0.9.8.0.255", "1.0.1.8.0.255:3",
                                      "x", ","};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(rows_columns_parse(bad[i], caps, ncaps, idx, 8, err, sizeof err), -1);
        assert_non_null(strstr(err, "--columns"));
    }
    assert_int_equal(rows_capture_objects(enc_buf, (size_t)n - 1, caps, 8, &ncaps), -1);
}

static void test_rows_entries(void **state) {
    (void)state;
    static const struct {
        const char *spec;
        uint32_t from, to;
    } ok[] = {{"1-10", 1, 10}, {"5-", 5, 0}, {"-7", 1, 7}, {"3", 3, 3}, {"2-2", 2, 2}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint32_t a = 0, b = 0;
        char err[200];
        assert_int_equal(rows_entries_parse(ok[i].spec, &a, &b, err, sizeof err), 0);
        assert_int_equal(a, ok[i].from);
        assert_int_equal(b, ok[i].to);
    }
    static const char *const bad[] = {"0-5", "5-3", "x", "", "1-2-3", "1-x", "4294967296"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint32_t a = 0, b = 0;
        char err[200] = "";
        assert_int_equal(rows_entries_parse(bad[i], &a, &b, err, sizeof err), -1);
        assert_non_null(strstr(err, "--entries"));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_obis_notations),   cmocka_unit_test(test_obis_errors),
        cmocka_unit_test(test_value_scalars),    cmocka_unit_test(test_value_containers),
        cmocka_unit_test(test_value_errors),     cmocka_unit_test(test_datetime_parse),
        cmocka_unit_test(test_format_text),      cmocka_unit_test(test_format_json_csv),
        cmocka_unit_test(test_typed_round_trip), cmocka_unit_test(test_format_compact_array),
        cmocka_unit_test(test_format_scaled),    cmocka_unit_test(test_objlist),
        cmocka_unit_test(test_default_class),    cmocka_unit_test(test_rows_streaming),
        cmocka_unit_test(test_rows_errors),      cmocka_unit_test(test_rows_columns),
        cmocka_unit_test(test_rows_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
