/*
 * test_p1port.c - the P1 port of emeter (apps/emeter/p1port.c): the
 * telegram's values taken from a running meter (registers, instantaneous
 * values, local time stamp in winter and summer), a CRC that checks, and
 * the port itself on a pty and a TCP listener driven through a fake event
 * loop: one telegram per new simulated second to every consumer, none for
 * the same second, none faster than the rate limit, none during an
 * outage, a consumer that went away dropped.
 *
 * CMake links only lib/ and port/ into tests (plus json-c here), so the
 * program's files are included directly; the loop (net.c) is replaced by
 * the two functions the port calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <math.h>
#include <poll.h>

/* Before cmocka.h: config.c has a static fail(), cmocka a fail() macro. */
#include "../../apps/emeter/config.c"
#include "../../apps/emeter/listen.c"
#include "../../apps/emeter/p1port.c"

#include <cmocka.h>

/* ---- the loop, faked: what p1port.c uses of net.c ---- */
static uint64_t woken_at;

int net_add_fd(net_t *n, int fd, void (*on_ready)(void *user), void (*on_tick)(void *user),
               void (*on_close)(void *user), void *user) {
    if (n->extra_count >= NET_MAX_EXTRA)
        return -1;
    n->extra[n->extra_count++] = (net_extra_t){fd, on_ready, on_tick, on_close, user};
    return 0;
}

void net_wake_at(net_t *n, uint64_t at_ms) {
    (void)n;
    woken_at = at_ms;
}

/* ---- a meter ---- */
static meter_t m;
static em_port_t port;
static int64_t rtc;
static uint64_t mono;
static int64_t meter_now;
static int mains = 1;

/* 2024-01-15 12:00:00 UTC, a Monday (13:00 CET). */
static const int64_t T = 1705320000;

static int64_t rtc_get(void *user) {
    (void)user;
    return rtc;
}

static uint64_t mono_get(void *user) {
    (void)user;
    return mono;
}

static int64_t cb_utc(void *user) {
    (void)user;
    return meter_now;
}

static int cb_powered(void *user) {
    (void)user;
    return mains;
}

static int setup(void **state) {
    (void)state;
    memset(&port, 0, sizeof(port));
    port.rtc_get = rtc_get;
    port.monotonic_ms = mono_get;
    rtc = T;
    mono = 1000;
    static const uint8_t ldn[] = "MMM0000000000042";
    meter_identity_t id = {.variant = METER_VARIANT_ESMR,
                           .logical_device_name = ldn,
                           .logical_device_name_len = 16,
                           .serial_number = "00000042",
                           .equipment_id = "00000042",
                           .max_pdu = 1024,
                           .time_zone_min = -60};
    assert_int_equal(meter_init(&m, &id, &port), 0);
    metrology_phasor_input_t in;
    meter_load_balanced(&in, 230.0, 5.0, acos(0.9) * 180.0 / 3.14159265358979323846, 50.0);
    assert_int_equal(meter_set_load(&m, &in), 0);
    /* An hour across the 07:00-23:00 weekday tariff (13:00 to 14:00 CET). */
    rtc = T + 3600;
    assert_int_equal(meter_step(&m, T + 3600, 3600), 0);
    return 0;
}

static void test_values(void **state) {
    (void)state;
    p1_values_t v;
    assert_int_equal(p1port_values(&m, T + 3600, &v), 0);
    /* 14:00:00 local (CET, winter). */
    assert_int_equal(v.timestamp.year, 2024);
    assert_int_equal(v.timestamp.month, 1);
    assert_int_equal(v.timestamp.day, 15);
    assert_int_equal(v.timestamp.hour, 14);
    assert_int_equal(v.timestamp.minute, 0);
    assert_false(v.timestamp.dst);
    for (unsigned t = 0; t < 2; t++) {
        assert_int_equal(v.import_wh[t], meter_energy_wh(&m.energy, METER_E_A_PLUS_T1 + t));
        assert_int_equal(v.export_wh[t], meter_energy_wh(&m.energy, METER_E_A_MINUS_T1 + t));
    }
    /* 3 x 230 V x 5 A x 0.9 for an hour, in tariff 2 (normal). */
    assert_int_equal(v.tariff, 2);
    assert_int_equal(v.tariff, m.tariff);
    assert_true(v.import_wh[1] >= 3100 && v.import_wh[1] <= 3110);
    assert_int_equal(v.import_w, (int32_t)m.inst.p_plus_w);
    for (unsigned k = 0; k < 3; k++) {
        assert_int_equal(v.voltage_dv[k], 2300);
        assert_int_equal(v.current_ma[k], 5000);
        assert_int_equal(v.import_w_phase[k], (int32_t)m.inst.p_plus_ph_w[k]);
        assert_int_equal(v.sags[k], m.pq.ph[k].sags);
    }
    assert_int_equal(v.equipment_id_len, 8);
    assert_memory_equal(v.equipment_id, "00000042", 8);
    /* Summer: 2024-07-15 12:00:00 UTC is 14:00:00 CEST, 'S'. */
    assert_int_equal(p1port_values(&m, 1721044800, &v), 0);
    assert_int_equal(v.timestamp.hour, 14);
    assert_true(v.timestamp.dst);

    char ident[P1_IDENT_MAX + 1];
    p1port_ident(&m, "XYZ", ident, sizeof(ident));
    assert_string_equal(ident, "XYZ5\\2EMETER-00000042");
    char tg[P1_TELEGRAM_MAX];
    assert_int_equal(p1port_values(&m, T + 3600, &v), 0);
    int n = p1_telegram(&v, ident, tg, sizeof(tg));
    assert_true(n > 0);
    assert_int_equal(p1_crc_check(tg, (size_t)n), 0);
    tg[n] = '\0';
    assert_non_null(strstr(tg, "\r\n0-0:1.0.0(240115140000W)\r\n"));
    assert_non_null(strstr(tg, "\r\n1-0:32.7.0(230.0*V)\r\n"));
    assert_non_null(strstr(tg, "\r\n1-0:31.7.0(005*A)\r\n"));
    assert_non_null(strstr(tg, "\r\n0-0:96.14.0(0002)\r\n"));
}

static void test_outputs_checked(void **state) {
    (void)state;
    char err[200];
    assert_int_equal(p1port_check_output("pty", err, sizeof(err)), 0);
    assert_int_equal(p1port_check_output("tcp:127.0.0.1:0", err, sizeof(err)), 0);
    assert_int_equal(p1port_check_output("tcp:[::1]:2323", err, sizeof(err)), 0);
    assert_int_equal(p1port_check_output("/dev/ttyUSB0", err, sizeof(err)), 0);
    assert_int_equal(p1port_check_output("udp:1.2.3.4:5", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "expected pty, tcp:HOST:PORT"));
    assert_int_equal(p1port_check_output("tcp:nowhere", err, sizeof(err)), -1);
    assert_int_equal(p1port_check_output("tcp:h:99999", err, sizeof(err)), -1);
    assert_int_equal(p1port_check_output("ttyUSB0", err, sizeof(err)), -1);
}

/* Everything readable on fd within ms, appended to buf. */
static size_t drain(int fd, char *buf, size_t cap, int ms) {
    size_t len = 0;
    struct pollfd pf = {fd, POLLIN, 0};
    while (len < cap && poll(&pf, 1, ms) > 0) {
        ssize_t r = read(fd, buf + len, cap - len);
        if (r <= 0)
            break;
        len += (size_t)r;
        ms = 50;
    }
    return len;
}

/* Complete telegrams in buf, each with a good CRC; -1 on a bad one. */
static int count_telegrams(const char *buf, size_t len) {
    int n = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *slash = memchr(buf + pos, '/', len - pos);
        if (slash == NULL)
            break;
        const char *bang = memchr(slash, '!', len - (size_t)(slash - buf));
        if (bang == NULL || (size_t)(bang - buf) + 7 > len)
            break;
        if (p1_crc_check(slash, (size_t)(bang - slash) + 5) != 0)
            return -1;
        n++;
        pos = (size_t)(bang - buf) + 7;
    }
    return n;
}

static void test_port(void **state) {
    (void)state;
    static net_t net;
    memset(&net, 0, sizeof(net));
    const char *outs[] = {"tcp:127.0.0.1:0", "pty"};
    p1port_config_t pc = {.outputs = outs,
                          .output_count = 2,
                          .meter = &m,
                          .port = &port,
                          .manufacturer = "MMM",
                          .meter_utc = cb_utc,
                          .powered = cb_powered,
                          .user = NULL};
    char err[256] = "";
    p1port_t *p = p1port_open(&net, &pc, err, sizeof(err));
    assert_non_null(p);
    assert_int_equal(net.extra_count, 2); /* listener, pty */
    assert_non_null(net.extra[0].on_close);
    uint16_t lport = p->listeners[0].port;
    assert_true(lport != 0);
    int pty = open(p->names[1], O_RDWR | O_NOCTTY | O_NONBLOCK);
    assert_true(pty >= 0);

    /* Two consumers, accepted when the listener is readable. */
    int c[2];
    for (int i = 0; i < 2; i++) {
        c[i] = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(lport)};
        sa.sin_addr.s_addr = htonl(0x7F000001);
        assert_int_equal(connect(c[i], (struct sockaddr *)&sa, sizeof(sa)), 0);
    }
    struct pollfd lp = {p->listeners[0].fd, POLLIN, 0};
    assert_int_equal(poll(&lp, 1, 1000), 1);
    net.extra[0].on_ready(net.extra[0].user);
    assert_int_equal(p->sink_count, 3);

    static char buf[4 * P1_TELEGRAM_MAX];
    /* A new second: one telegram to every consumer. */
    meter_now = T + 3600;
    p1port_tick(p);
    assert_int_equal(p1port_sent(p), 1);
    for (int i = 0; i < 2; i++)
        assert_int_equal(count_telegrams(buf, drain(c[i], buf, sizeof(buf), 500)), 1);
    assert_int_equal(count_telegrams(buf, drain(pty, buf, sizeof(buf), 500)), 1);
    /* The same second: nothing; the loop is asked to wake for the next. */
    mono += 1000;
    woken_at = 0;
    p1port_tick(p);
    assert_int_equal(p1port_sent(p), 1);
    assert_true(woken_at > mono && woken_at <= mono + 1002);
    /* Accelerated time: at most P1PORT_MAX_RATE_HZ a second. */
    meter_now += 60;
    p1port_tick(p);
    assert_int_equal(p1port_sent(p), 2);
    meter_now += 60;
    mono += 1000 / P1PORT_MAX_RATE_HZ - 1;
    p1port_tick(p);
    assert_int_equal(p1port_sent(p), 2);
    mono += 1;
    p1port_tick(p);
    assert_int_equal(p1port_sent(p), 3);
    /* No mains, no telegram. */
    mains = 0;
    meter_now += 1;
    mono += 1000;
    p1port_tick(p);
    assert_int_equal(p1port_sent(p), 3);
    mains = 1;
    for (int i = 0; i < 2; i++)
        assert_int_equal(count_telegrams(buf, drain(c[i], buf, sizeof(buf), 500)), 2);
    assert_int_equal(count_telegrams(buf, drain(pty, buf, sizeof(buf), 500)), 2);
    /* A consumer that went away is dropped at the next telegram (or the
     * one after: the first write after a close may still succeed). */
    close(c[0]);
    for (int k = 0; k < 3 && p->sink_count == 3; k++) {
        meter_now += 1;
        mono += 1000;
        p1port_tick(p);
    }
    assert_int_equal(p->sink_count, 2);
    assert_true(count_telegrams(buf, drain(c[1], buf, sizeof(buf), 500)) >= 1);

    close(c[1]);
    close(pty);
    net.extra[0].on_close(net.extra[0].user); /* frees the port (ASan checks) */
}

static void test_open_refused(void **state) {
    (void)state;
    static net_t net;
    memset(&net, 0, sizeof(net));
    const char *outs[] = {"pty", "/nonexistent/tty"};
    p1port_config_t pc = {.outputs = outs,
                          .output_count = 2,
                          .meter = &m,
                          .port = &port,
                          .meter_utc = cb_utc,
                          .powered = cb_powered};
    char err[256] = "";
    assert_null(p1port_open(&net, &pc, err, sizeof(err)));
    assert_non_null(strstr(err, "/nonexistent/tty"));
    assert_int_equal(net.extra_count, 0); /* taken out of the loop again */
    pc.output_count = 0;
    assert_null(p1port_open(&net, &pc, err, sizeof(err)));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_values, setup),
        cmocka_unit_test(test_outputs_checked),
        cmocka_unit_test_setup(test_port, setup),
        cmocka_unit_test_setup(test_open_refused, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
