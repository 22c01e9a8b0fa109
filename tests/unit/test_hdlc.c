/*
 * test_hdlc.c - unit tests of the HDLC data link state machines (IEC 62056-46): the server
 * (secondary station) frame by frame in each state, the client (primary station), and
 * client <-> server loops through the byte-stream interface with segmentation, windows,
 * lost frames and timeouts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dlms/hdlc.h"

static const char *const SNRM_HEX = "7EA00802232193BD647E";
static const char *const UA_HEX =
    "7EA01F21022373E6C781801205019A06019A070400000001080400000001CCA27E";
static const char *const IFRAME_HEX = "7EA02C02232110AF9FE6E600601DA109060760857405080101BE10040E0"
                                      "1000000065F1F0400001E1DFFFFC5E47E";

static size_t unhex(const char *s, uint8_t *out) {
    size_t n = 0;

    while (s[0] != '\0' && s[1] != '\0') {
        char b[3] = {s[0], s[1], 0};
        out[n++] = (uint8_t)strtoul(b, NULL, 16);
        s += 2;
    }
    return n;
}

static uint32_t rng_state = 0x9E3779B9u;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* ---- a station: one hdlc_t with a recording upper layer and line --------------------- */

#define MAXF     160
#define WIRE_CAP (64 * 1024)
#define MAXEV    32

typedef struct station {
    hdlc_t h;
    /* frames sent, kept for inspection (when not wired) */
    size_t nframes;
    uint8_t frames[MAXF][HDLC_FRAME_BUF_LEN];
    size_t flen[MAXF];
    /* wired: frames go to a byte queue that the test feeds to the other station */
    bool wired;
    uint8_t wire[WIRE_CAP];
    size_t wire_len;
    unsigned drop_one_in; /* lose a frame with probability 1/n (lossy line) */
    unsigned tx_count;
    int tx_result;
    /* upper layer */
    size_t napdu;
    uint8_t apdu[EM_HDLC_MAX_APDU];
    size_t apdu_len;
    const uint8_t *reply; /* server: answer sent from inside on_apdu */
    size_t reply_len;
    int reply_rc;
    size_t nev;
    hdlc_event_t ev[MAXEV];
    int ev_err[MAXEV];
} station_t;

static station_t S; /* server */
static station_t C; /* client */

static int tx_cb(void *user, const uint8_t *frame, size_t len) {
    station_t *s = user;

    s->tx_count++;
    if (s->tx_result < 0) {
        return s->tx_result;
    }
    if (s->wired) {
        if (s->drop_one_in != 0 && rnd() % s->drop_one_in == 0) {
            return 0; /* lost on the line */
        }
        assert_true(s->wire_len + len <= WIRE_CAP);
        memcpy(s->wire + s->wire_len, frame, len);
        s->wire_len += len;
        return 0;
    }
    assert_true(s->nframes < MAXF);
    assert_true(len <= HDLC_FRAME_BUF_LEN);
    memcpy(s->frames[s->nframes], frame, len);
    s->flen[s->nframes++] = len;
    return 0;
}

static void apdu_cb(void *user, const uint8_t *apdu, size_t len) {
    station_t *s = user;

    assert_true(len <= EM_HDLC_MAX_APDU);
    memcpy(s->apdu, apdu, len);
    s->apdu_len = len;
    s->napdu++;
    if (s->reply != NULL) {
        s->reply_rc = hdlc_send_apdu(&s->h, s->reply, s->reply_len);
    }
}

static void event_cb(void *user, hdlc_event_t ev, int err) {
    station_t *s = user;

    assert_true(s->nev < MAXEV);
    s->ev[s->nev] = ev;
    s->ev_err[s->nev++] = err;
}

static void base_cfg(hdlc_config_t *c, station_t *s, hdlc_role_t role) {
    memset(c, 0, sizeof *c);
    c->role = role;
    c->server_upper = 1;
    c->server_lower = 17;
    c->client_sap = role == HDLC_ROLE_CLIENT ? 16 : 0;
    c->tx = tx_cb;
    c->on_apdu = apdu_cb;
    c->on_event = event_cb;
    c->user = s;
}

/* Server with the default configuration except what `tweak` changes. */
static void server_start(void (*tweak)(hdlc_config_t *)) {
    hdlc_config_t c;

    memset(&S, 0, sizeof S);
    base_cfg(&c, &S, HDLC_ROLE_SERVER);
    if (tweak != NULL) {
        tweak(&c);
    }
    assert_int_equal(hdlc_init(&S.h, &c), 0);
}

static const hdlc_addr_t SRV2 = {1, 17, 2};
static const hdlc_addr_t CLI16 = {16, 0, 1};

static size_t build(uint8_t *buf, size_t cap, hdlc_addr_t dest, hdlc_addr_t src, uint8_t control,
                    bool seg, const uint8_t *info, size_t len) {
    hdlc_frame_t f;
    int n;

    memset(&f, 0, sizeof f);
    f.dest = dest;
    f.src = src;
    f.control = control;
    f.segmented = seg;
    f.info = info;
    f.info_len = len;
    n = hdlc_frame_build(&f, buf, cap);
    assert_true(n > 0);
    return (size_t)n;
}

static int send_from(station_t *s, hdlc_addr_t dest, hdlc_addr_t src, uint8_t control, bool seg,
                     const uint8_t *info, size_t len, uint64_t now) {
    static uint8_t buf[2100];
    size_t n = build(buf, sizeof buf, dest, src, control, seg, info, len);

    return hdlc_input_frame(&s->h, buf, n, now);
}

/* A frame from client 16 to server 1/17. */
static int to_srv(uint8_t control, bool seg, const uint8_t *info, size_t len, uint64_t now) {
    return send_from(&S, SRV2, CLI16, control, seg, info, len, now);
}

static hdlc_frame_t frame_at(const station_t *s, size_t i) {
    hdlc_frame_t f;

    assert_true(i < s->nframes);
    assert_int_equal(hdlc_frame_parse(s->frames[i], s->flen[i], &f), 0);
    return f;
}

static hdlc_frame_t last_frame(const station_t *s) {
    assert_true(s->nframes > 0);
    return frame_at(s, s->nframes - 1);
}

static void clear_frames(station_t *s) {
    s->nframes = 0;
}

/* LLC request header + apdu. */
static size_t with_llc(uint8_t *out, const uint8_t *llc, const uint8_t *apdu, size_t len) {
    memcpy(out, llc, 3);
    if (len > 0) {
        memcpy(out + 3, apdu, len);
    }
    return len + 3;
}

static const uint8_t LLC_REQ[3] = {0xE6, 0xE6, 0x00};
static const uint8_t LLC_RSP[3] = {0xE6, 0xE7, 0x00};

static void fill(uint8_t *p, size_t n, uint8_t seed) {
    size_t i;

    for (i = 0; i < n; i++) {
        p[i] = (uint8_t)(seed + i * 31 + (i >> 8));
    }
}

/* SNRM with the given parameter field from client 16; expects UA. */
static void srv_connect(const uint8_t *info, size_t len) {
    hdlc_frame_t f;

    clear_frames(&S);
    assert_int_equal(to_srv(0x93, false, info, len, 0), 0);
    assert_int_equal(S.nframes, 1);
    f = last_frame(&S);
    assert_int_equal(f.control, 0x73);
    assert_int_equal(hdlc_state(&S.h), HDLC_STATE_NRM);
    assert_true(S.nev > 0);
    assert_int_equal(S.ev[S.nev - 1], HDLC_EVENT_CONNECTED);
    clear_frames(&S);
}

static void expect_rr(const station_t *s, uint8_t nr) {
    hdlc_frame_t f = last_frame(s);

    assert_int_equal(f.control, hdlc_ctrl_s(HDLC_CTRL_RR, nr, true));
    assert_int_equal(f.info_len, 0);
}

static void expect_u(const station_t *s, uint8_t cmd) {
    hdlc_frame_t f = last_frame(s);

    assert_int_equal(f.control, hdlc_ctrl_u(cmd, true));
}

static hdlc_stats_t stats_of(const station_t *s) {
    hdlc_stats_t st;

    hdlc_get_stats(&s->h, &st);
    return st;
}

/* ================= server ================================================================ */

static void test_server_snrm_vector_defaults(void **state) {
    static const uint8_t ua_info[] = {0x81, 0x80, 0x12, 0x05, 0x01, 0x80, 0x06,
                                      0x01, 0x80, 0x07, 0x04, 0x00, 0x00, 0x00,
                                      0x01, 0x08, 0x04, 0x00, 0x00, 0x00, 0x01};
    uint8_t b[16];
    size_t n = unhex(SNRM_HEX, b);
    hdlc_frame_t f;
    const hdlc_params_t *p;

    (void)state;
    server_start(NULL);
    assert_int_equal(hdlc_input(&S.h, b, n, 0), 0);
    assert_int_equal(S.nframes, 1);
    f = last_frame(&S);
    assert_int_equal(f.control, 0x73);
    assert_int_equal(f.dest.size, 1);
    assert_int_equal(f.dest.upper, 16);
    assert_int_equal(f.src.size, 2);
    assert_int_equal(f.src.upper, 1);
    assert_int_equal(f.src.lower, 17);
    /* SNRM without information field: 128 bytes / window 1, whatever the own limits */
    assert_int_equal(f.info_len, sizeof ua_info);
    assert_memory_equal(f.info, ua_info, sizeof ua_info);
    p = hdlc_negotiated(&S.h);
    assert_int_equal(p->max_info_tx, 128);
    assert_int_equal(p->max_info_rx, 128);
    assert_int_equal(p->window_tx, 1);
    assert_int_equal(p->window_rx, 1);
    assert_int_equal(S.nev, 1);
    assert_int_equal(S.ev[0], HDLC_EVENT_CONNECTED);
    assert_true(hdlc_is_connected(&S.h));
    assert_int_equal(hdlc_client_sap(&S.h), 16);
}

static void own_154_window_1(hdlc_config_t *c) {
    c->max_info_tx = 154;
    c->max_info_rx = 154;
    c->window_tx = 1;
    c->window_rx = 1;
}

/* A server limited to 154/1 answers a client asking for more with the UA of the reference. */
static void test_server_ua_vector_exact(void **state) {
    static const uint8_t snrm_info[] = {0x81, 0x80, 0x14, 0x05, 0x02, 0x02, 0x00, 0x06,
                                        0x02, 0x07, 0xEE, 0x07, 0x04, 0x00, 0x00, 0x00,
                                        0x07, 0x08, 0x04, 0x00, 0x00, 0x00, 0x07};
    uint8_t ua[64];
    size_t n = unhex(UA_HEX, ua);

    (void)state;
    server_start(own_154_window_1);
    assert_int_equal(to_srv(0x93, false, snrm_info, sizeof snrm_info, 0), 0);
    assert_int_equal(S.nframes, 1);
    assert_int_equal(S.flen[0], n);
    assert_memory_equal(S.frames[0], ua, n);
}

static void own_256_window_3(hdlc_config_t *c) {
    c->max_info_tx = 256;
    c->max_info_rx = 200;
    c->window_tx = 3;
    c->window_rx = 2;
}

static void test_server_negotiation(void **state) {
    static const struct {
        uint8_t info[32];
        size_t len;
        hdlc_params_t expect; /* server's view */
    } cases[] = {
        /* larger than own (2-byte info values, 4-byte windows) */
        {{0x81, 0x80, 0x14, 0x05, 0x02, 0x07, 0xEE, 0x06, 0x02, 0x07, 0xEE, 0x07,
          0x04, 0x00, 0x00, 0x00, 0x07, 0x08, 0x04, 0x00, 0x00, 0x00, 0x07},
         23,
         {256, 200, 3, 2}},
        /* smaller (1-byte values everywhere) */
        {{0x81, 0x80, 0x0C, 0x05, 0x01, 0x40, 0x06, 0x01, 0x20, 0x07, 0x01, 0x01, 0x08, 0x01, 0x02},
         15,
         {32, 64, 2, 1}},
        /* 4-byte info values, windows absent (default 1) */
        {{0x81, 0x80, 0x0C, 0x05, 0x04, 0x00, 0x00, 0x00, 0x64, 0x06, 0x04, 0x00, 0x00, 0x01, 0x00},
         15,
         {256, 100, 1, 1}},
        /* no information field: defaults */
        {{0}, 0, {128, 128, 1, 1}},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hdlc_frame_t f;
        hdlc_params_t ua;
        const hdlc_params_t *p;

        server_start(own_256_window_3);
        assert_int_equal(to_srv(0x93, false, cases[i].info, cases[i].len, 0), 0);
        p = hdlc_negotiated(&S.h);
        assert_memory_equal(p, &cases[i].expect, sizeof *p);
        f = last_frame(&S);
        assert_int_equal(f.control, 0x73);
        assert_int_equal(hdlc_params_decode(f.info, f.info_len, &ua), 0);
        assert_memory_equal(&ua, &cases[i].expect, sizeof ua);
    }
}

static void test_server_snrm_bad_params(void **state) {
    static const uint8_t bad_group[] = {0x81, 0x81, 0x03, 0x05, 0x01, 0x80};
    static const uint8_t tiny[] = {0x81, 0x80, 0x03, 0x06, 0x01, 0x10}; /* rx 16 < 32 */
    static const uint8_t zero_window[] = {0x81, 0x80, 0x06, 0x07, 0x04, 0x00, 0x00, 0x00, 0x00};

    (void)state;
    server_start(NULL);
    assert_int_equal(to_srv(0x93, false, bad_group, sizeof bad_group, 0), HDLC_ERR_PARAM);
    expect_u(&S, HDLC_CTRL_DM);
    assert_int_equal(to_srv(0x93, false, tiny, sizeof tiny, 0), HDLC_ERR_PARAM);
    expect_u(&S, HDLC_CTRL_DM);
    assert_int_equal(to_srv(0x93, false, zero_window, sizeof zero_window, 0), HDLC_ERR_PARAM);
    expect_u(&S, HDLC_CTRL_DM);
    assert_int_equal(hdlc_state(&S.h), HDLC_STATE_NDM);
    assert_int_equal(stats_of(&S).bad_param, 3);
    assert_int_equal(S.nev, 0);
    /* on a connected link a bad SNRM drops it */
    srv_connect(NULL, 0);
    assert_int_equal(to_srv(0x93, false, bad_group, sizeof bad_group, 0), HDLC_ERR_PARAM);
    expect_u(&S, HDLC_CTRL_DM);
    assert_int_equal(hdlc_state(&S.h), HDLC_STATE_NDM);
    assert_int_equal(S.ev[S.nev - 1], HDLC_EVENT_DISCONNECTED);
    assert_int_equal(S.ev_err[S.nev - 1], HDLC_ERR_PARAM);
}

/* Every frame type in NDM, with and without the poll bit. */
static void test_server_ndm_frames(void **state) {
    static const uint8_t controls[] = {
        0x10, /* I */
        0x11, /* RR */
        0x15, /* RNR */
        0x19, /* REJ */
        0x73, /* UA (a response, not a command) */
        0x1F, /* DM */
        0x97, /* FRMR */
        0x3F, /* SABM: not in the DLMS profile */
    };
    uint8_t req[8];
    size_t i, n = with_llc(req, LLC_REQ, (const uint8_t *)"\xC0\x01", 2);

    (void)state;
    server_start(NULL);
    for (i = 0; i < sizeof controls; i++) {
        clear_frames(&S);
        assert_int_equal(to_srv(controls[i], false, NULL, 0, 0), HDLC_ERR_NOT_CONNECTED);
        assert_int_equal(S.nframes, 1);
        expect_u(&S, HDLC_CTRL_DM);
        /* without the poll bit: nothing may be sent */
        assert_int_equal(to_srv(controls[i] & 0xEF, false, NULL, 0, 0), HDLC_ERR_NOT_CONNECTED);
        assert_int_equal(S.nframes, 1);
    }
    assert_int_equal(stats_of(&S).not_connected, 2 * sizeof controls);
    /* I-frame with data: DM too, nothing delivered */
    assert_int_equal(to_srv(0x10, false, req, n, 0), HDLC_ERR_NOT_CONNECTED);
    assert_int_equal(S.napdu, 0);
    /* DISC -> DM, no event */
    clear_frames(&S);
    assert_int_equal(to_srv(0x53, false, NULL, 0, 0), 0);
    expect_u(&S, HDLC_CTRL_DM);
    /* UI: delivered; P=1 answered with DM, P=0 not answered */
    clear_frames(&S);
    assert_int_equal(to_srv(0x13, false, req, n, 0), 0);
    assert_int_equal(S.napdu, 1);
    assert_int_equal(S.apdu_len, 2);
    expect_u(&S, HDLC_CTRL_DM);
    assert_int_equal(to_srv(0x03, false, req, n, 0), 0);
    assert_int_equal(S.napdu, 2);
    assert_int_equal(S.nframes, 1);
    assert_int_equal(S.nev, 0);
    assert_int_equal(hdlc_state(&S.h), HDLC_STATE_NDM);
}

/* The reference I-frame (AARQ) delivered; the answer queued from on_apdu goes out at once. */
static void test_server_iframe_vector_response(void **state) {
    static const uint8_t aare[] = {0x61, 0x05, 0xA1, 0x03, 0x02, 0x01, 0x00};
    uint8_t s[16], i[64], next[16];
    size_t ns = unhex(SNRM_HEX, s), ni = unhex(IFRAME_HEX, i), nn;
    hdlc_frame_t f;

    (void)state;
    server_start(NULL);
    S.reply = aare;
    S.reply_len = sizeof aare;
    assert_int_equal(hdlc_input(&S.h, s, ns, 0), 0);
    clear_frames(&S);
    assert_int_equal(hdlc_input(&S.h, i, ni, 10), 0);
    assert_int_equal(S.napdu, 1);
    assert_int_equal(S.apdu_len, ni - 2 - 10 - 3);
    assert_memory_equal(S.apdu, i + 12, S.apdu_len);
    assert_int_equal(S.apdu[0], 0x60);
    assert_int_equal(S.reply_rc, 0);
    assert_int_equal(S.nframes, 1);
    f = last_frame(&S);
    assert_int_equal(f.control, 0x30); /* I, N(S)=0, F=1, N(R)=1 */
    assert_false(f.segmented);
    assert_int_equal(f.dest.upper, 16);
    assert_int_equal(f.src.lower, 17);
    assert_int_equal(f.info_len, 3 + sizeof aare);
    assert_memory_equal(f.info, LLC_RSP, 3);
    assert_memory_equal(f.info + 3, aare, sizeof aare);
    assert_false(hdlc_can_send(&S.h)); /* until the client acknowledges it */
    /* next request acknowledges the response (N(R)=1) */
    clear_frames(&S);
    nn = with_llc(next, LLC_REQ, (const uint8_t *)"\xC0\x01\xC1", 3);
    assert_int_equal(to_srv(hdlc_ctrl_i(1, 1, true), false, next, nn, 20), 0);
    assert_int_equal(S.napdu, 2);
    f = last_frame(&S);
    assert_int_equal(f.control, hdlc_ctrl_i(1, 2, true));
    assert_int_equal(stats_of(&S).retransmissions, 0);
}

static void test_server_rr_rnr(void **state) {
    static const uint8_t resp[] = {0xC4, 0x01, 0xC1, 0x00};
    uint8_t req[8];
    size_t n = with_llc(req, LLC_REQ, (const uint8_t *)"\xC0\x01", 2);

    (void)state;
    server_start(NULL);
    srv_connect(NULL, 0);
    /* RR poll with nothing to send: RR with V(R) */
    assert_int_equal(to_srv(0x11, false, NULL, 0, 0), 0);
    expect_rr(&S, 0);
    /* RR without poll: no answer */
    clear_frames(&S);
    assert_int_equal(to_srv(0x01, false, NULL, 0, 0), 0);
    assert_int_equal(S.nframes, 0);
    /* request without poll, answered later; RNR (client busy) holds the answer back */
    assert_int_equal(to_srv(hdlc_ctrl_i(0, 0, false), false, req, n, 0), 0);
    assert_int_equal(S.nframes, 0);
    assert_int_equal(hdlc_send_apdu(&S.h, resp, sizeof resp), 0);
    assert_int_equal(hdlc_send_apdu(&S.h, resp, sizeof resp), HDLC_ERR_BUSY);
    assert_int_equal(to_srv(hdlc_ctrl_s(HDLC_CTRL_RNR, 0, true), false, NULL, 0, 0), 0);
    expect_rr(&S, 1);
    /* RR poll: the answer goes out */
    clear_frames(&S);
    assert_int_equal(to_srv(hdlc_ctrl_s(HDLC_CTRL_RR, 0, true), false, NULL, 0, 0), 0);
    assert_int_equal(S.nframes, 1);
    assert_int_equal(last_frame(&S).control, hdlc_ctrl_i(0, 1, true));
    /* RR acknowledging it frees the buffer */
    assert_int_equal(to_srv(hdlc_ctrl_s(HDLC_CTRL_RR, 1, true), false, NULL, 0, 0), 0);
    expect_rr(&S, 1);
    assert_true(hdlc_can_send(&S.h));
}

static void test_server_disc(void **state) {
    (void)state;
    server_start(NULL);
    srv_connect(NULL, 0);
    assert_int_equal(to_srv(0x53, false, NULL, 0, 0), 0);
    expect_u(&S, HDLC_CTRL_UA);
    assert_int_equal(last_frame(&S).info_len, 0);
    assert_int_equal(hdlc_state(&S.h), HDLC_STATE_NDM);
    assert_int_equal(S.ev[S.nev - 1], HDLC_EVENT_DISCONNECTED);
    assert_int_equal(S.ev_err[S.nev - 1], 0);
    assert_int_equal(hdlc_client_sap(&S.h), 0);
    assert_int_equal(hdlc_send_apdu(&S.h, (const uint8_t *)"x", 1), HDLC_ERR_STATE);
    /* already disconnected: DM */
    assert_int_equal(to_srv(0x53, false, NULL, 0, 0), 0);
    expect_u(&S, HDLC_CTRL_DM);
    /* local disconnect */
    srv_connect(NULL, 0);
    assert_int_equal(hdlc_disconnect(&S.h, 0), 0);
    assert_int_equal(hdlc_state(&S.h), HDLC_STATE_NDM);
    assert_int_equal(S.ev[S.nev - 1], HDLC_EVENT_DISCONNECTED);
    assert_int_equal(hdlc_disconnect(&S.h, 0), HDLC_ERR_STATE);
    assert_int_equal(hdlc_connect(&S.h, 0), HDLC_ERR_STATE);
}

static void expect_frmr(uint8_t rejected, uint8_t vsvr, uint8_t reason) {
    hdlc_frame_t f = last_frame(&S);

    assert_int_equal(f.control, 0x97);
    assert_int_equal(f.info_len, 3);
    assert_int_equal(f.info[0], rejected);
    assert_int_equal(f.info[1], vsvr);
    assert_int_equal(f.info[2], reason);
}

static void test_server_frmr(void **state) {
    static const uint8_t junk[] = {1, 2, 3};
    uint8_t big[200];
    size_t nev;

    (void)state;
    server_start(NULL);
    /* undefined control (REJ) -> W, then the FRMR is repeated on every poll */
    srv_connect(NULL, 0);
    assert_int_equal(to_srv(0x19, false, NULL, 0, 0), HDLC_ERR_CONTROL);
    expect_frmr(0x19, 0x00, HDLC_FRMR_W);
    assert_int_equal(hdlc_state(&S.h), HDLC_STATE_FRMR);
    clear_frames(&S);
    assert_int_equal(to_srv(0x11, false, NULL, 0, 0), HDLC_ERR_CONTROL);
    expect_frmr(0x19, 0x00, HDLC_FRMR_W);
    assert_int_equal(to_srv(0x10, false, junk, sizeof junk, 0), HDLC_ERR_CONTROL);
    expect_frmr(0x19, 0x00, HDLC_FRMR_W);
    assert_int_equal(S.napdu, 0);
    /* SNRM leaves the frame reject condition (reported as a new link) */
    nev = S.nev;
    srv_connect(NULL, 0);
    assert_int_equal(S.nev, nev + 2);
    assert_int_equal(S.ev[nev], HDLC_EVENT_DISCONNECTED);
    assert_int_equal(S.ev[nev + 1], HDLC_EVENT_CONNECTED);
    /* a response frame used as a command -> W */
    assert_int_equal(to_srv(0x73, false, NULL, 0, 0), HDLC_ERR_CONTROL);
    expect_frmr(0x73, 0x00, HDLC_FRMR_W);
    srv_connect(NULL, 0);
    /* RR with an information field -> W + X */
    assert_int_equal(to_srv(0x11, false, junk, sizeof junk, 0), HDLC_ERR_CONTROL);
    expect_frmr(0x11, 0x00, HDLC_FRMR_W | HDLC_FRMR_X);
    srv_connect(NULL, 0);
    /* N(R) = 3 acknowledges frames never sent -> Z; V(R) after one accepted I-frame */
    assert_int_equal(to_srv(hdlc_ctrl_i(0, 0, false), true, junk, sizeof junk, 0), 0);
    assert_int_equal(to_srv(hdlc_ctrl_s(HDLC_CTRL_RR, 3, true), false, NULL, 0, 0), HDLC_ERR_NR);
    expect_frmr(hdlc_ctrl_s(HDLC_CTRL_RR, 3, true), 1 << 5, HDLC_FRMR_Z);
    srv_connect(NULL, 0);
    /* information field above the negotiated 128 -> Y */
    memset(big, 0, sizeof big);
    assert_int_equal(to_srv(0x10, false, big, 129, 0), HDLC_ERR_INFO_TOO_LONG);
    expect_frmr(0x10, 0x00, HDLC_FRMR_Y);
    /* without poll the FRMR waits for the next poll */
    srv_connect(NULL, 0);
    assert_int_equal(to_srv(0x09, false, NULL, 0, 0), HDLC_ERR_CONTROL);
    assert_int_equal(S.nframes, 0);
    assert_int_equal(to_srv(0x11, false, NULL, 0, 0), HDLC_ERR_CONTROL);
    expect_frmr(0x09, 0x00, HDLC_FRMR_W);
    /* DISC leaves it too */
    assert_int_equal(to_srv(0x53, false, NULL, 0, 0), 0);
    expect_u(&S, HDLC_CTRL_UA);
    assert_int_equal(hdlc_state(&S.h), HDLC_STATE_NDM);
    assert_int_equal(stats_of(&S).frmr, 6);
}

static void test_server_ui_frames(void **state) {
    static const hdlc_addr_t all2 = {1, 0x7F, 2};
    uint8_t ui[16], bad[4] = {0xE6, 0xE7, 0x00, 0x01};
    size_t n = with_llc(ui, LLC_REQ, (const uint8_t *)"\x0F\x01\x02", 3);

    (void)state;
    server_start(NULL);
    srv_connect(NULL, 0);
    /* UI without poll: delivered, no answer */
    assert_int_equal(to_srv(0x03, false, ui, n, 0), 0);
    assert_int_equal(S.napdu, 1);
    assert_int_equal(S.apdu_len, 3);
    assert_int_equal(S.nframes, 0);
    /* UI with poll: answered with RR */
    assert_int_equal(to_srv(0x13, false, ui, n, 0), 0);
    assert_int_equal(S.napdu, 2);
    expect_rr(&S, 0);
    /* broadcast UI (all-station lower address): delivered, never answered */
    clear_frames(&S);
    assert_int_equal(send_from(&S, all2, CLI16, 0x13, false, ui, n, 0), 0);
    assert_int_equal(S.napdu, 3);
    assert_int_equal(S.nframes, 0);
    /* wrong LLC (a response header from a client) */
    assert_int_equal(to_srv(0x03, false, bad, sizeof bad, 0), HDLC_ERR_LLC);
    assert_int_equal(S.napdu, 3);
    assert_int_equal(S.ev[S.nev - 1], HDLC_EVENT_APDU_ERROR);
    assert_int_equal(S.ev_err[S.nev - 1], HDLC_ERR_LLC);
    assert_int_equal(to_srv(0x03, false, bad, 2, 0), HDLC_ERR_LLC);
    assert_int_equal(stats_of(&S).bad_llc, 2);
    assert_true(hdlc_is_connected(&S.h));
}

/* Server 1/17 addressed with 1, 2 and 4 bytes; replies use the same form. */
static void test_server_address_sizes(void **state) {
    static const struct {
        hdlc_addr_t dest;
        uint8_t bytes[4];
    } forms[] = {
        {{1, 0, 1}, {0x03}},
        {{1, 17, 2}, {0x02, 0x23}},
        {{1, 17, 4}, {0x00, 0x02, 0x00, 0x23}},
        {{0x7F, 17, 2}, {0x02, 0x23}}, /* all logical devices here: reply from our own */
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        hdlc_frame_t f;

        server_start(NULL);
        assert_int_equal(send_from(&S, forms[i].dest, CLI16, 0x93, false, NULL, 0, 0), 0);
        f = last_frame(&S);
        assert_int_equal(f.control, 0x73);
        assert_int_equal(f.src.size, forms[i].dest.size);
        assert_int_equal(f.src.upper, 1);
        assert_int_equal(f.src.lower, forms[i].dest.size > 1 ? 17 : 0);
        assert_memory_equal(S.frames[0] + 4, forms[i].bytes, forms[i].dest.size);
        /* RR in the same form */
        assert_int_equal(send_from(&S, forms[i].dest, CLI16, 0x11, false, NULL, 0, 0), 0);
        expect_rr(&S, 0);
    }
}

static void lower_0x1234(hdlc_config_t *c) {
    c->server_upper = 0x2A5;
    c->server_lower = 0x1234;
}

static void test_server_four_byte_address(void **state) {
    static const hdlc_addr_t mine = {0x2A5, 0x1234, 4};
    static const hdlc_addr_t other = {0x2A5, 0x1235, 4};
    static const hdlc_addr_t all = {0x2A5, 0x3FFF, 4};
    hdlc_frame_t f;

    (void)state;
    server_start(lower_0x1234);
    assert_int_equal(send_from(&S, other, CLI16, 0x93, false, NULL, 0, 0), HDLC_ERR_WRONG_ADDRESS);
    assert_int_equal(S.nframes, 0);
    assert_int_equal(send_from(&S, all, CLI16, 0x93, false, NULL, 0, 0), HDLC_ERR_BROADCAST);
    assert_int_equal(S.nframes, 0);
    assert_int_equal(send_from(&S, mine, CLI16, 0x93, false, NULL, 0, 0), 0);
    f = last_frame(&S);
    assert_memory_equal(&f.src, &mine, sizeof mine);
    /* reached through 2-byte all-station parts: the own address needs the 4-byte form */
    S.h.broadcast_replies = true;
    assert_int_equal(send_from(&S, (hdlc_addr_t){0x7F, 0x7F, 2}, CLI16, 0x11, false, NULL, 0, 0),
                     0);
    f = last_frame(&S);
    assert_int_equal(f.control, hdlc_ctrl_s(HDLC_CTRL_RR, 0, true));
    assert_memory_equal(&f.src, &mine, sizeof mine);
    assert_int_equal(stats_of(&S).tx_errors, 0);
    assert_int_equal(stats_of(&S).wrong_address, 1);
    assert_int_equal(stats_of(&S).broadcast_ignored, 1);
}

static void replies_to_broadcast(hdlc_config_t *c) {
    c->broadcast_replies = true;
}

static void test_server_broadcast(void **state) {
    static const hdlc_addr_t all1 = {0x7F, 0, 1};
    static const hdlc_addr_t all2 = {1, 0x7F, 2};
    static const hdlc_addr_t all4 = {0x3FFF, 0x3FFF, 4};
    hdlc_frame_t f;

    (void)state;
    /* default: commands to all stations are not answered (a multi-drop line would collide) */
    server_start(NULL);
    assert_int_equal(send_from(&S, all1, CLI16, 0x93, false, NULL, 0, 0), HDLC_ERR_BROADCAST);
    assert_int_equal(send_from(&S, all2, CLI16, 0x93, false, NULL, 0, 0), HDLC_ERR_BROADCAST);
    assert_int_equal(send_from(&S, all4, CLI16, 0x93, false, NULL, 0, 0), HDLC_ERR_BROADCAST);
    assert_int_equal(S.nframes, 0);
    assert_int_equal(hdlc_state(&S.h), HDLC_STATE_NDM);
    assert_int_equal(stats_of(&S).broadcast_ignored, 3);
    /* point-to-point: answered from the own address */
    server_start(replies_to_broadcast);
    assert_int_equal(send_from(&S, all2, CLI16, 0x93, false, NULL, 0, 0), 0);
    f = last_frame(&S);
    assert_int_equal(f.control, 0x73);
    assert_int_equal(f.src.upper, 1);
    assert_int_equal(f.src.lower, 17);
    assert_int_equal(send_from(&S, all4, CLI16, 0x11, false, NULL, 0, 0), 0);
    f = last_frame(&S);
    assert_int_equal(f.src.size, 4);
    assert_int_equal(f.src.upper, 1);
    assert_int_equal(f.src.lower, 17);
}

static void only_client_16(hdlc_config_t *c) {
    c->client_sap = 16;
}

static void test_server_client_addresses(void **state) {
    static const hdlc_addr_t none = {0, 0, 1}, all = {0x7F, 0, 1}, two = {16, 1, 2};
    static const hdlc_addr_t mgmt = {1, 0, 1};

    (void)state;
    server_start(NULL);
    assert_int_equal(send_from(&S, SRV2, none, 0x93, false, NULL, 0, 0), HDLC_ERR_WRONG_CLIENT);
    assert_int_equal(send_from(&S, SRV2, all, 0x93, false, NULL, 0, 0), HDLC_ERR_WRONG_CLIENT);
    assert_int_equal(send_from(&S, SRV2, two, 0x93, false, NULL, 0, 0), HDLC_ERR_WRONG_CLIENT);
    assert_int_equal(S.nframes, 0);
    /* connected with client 1: client 16 is not served meanwhile */
    assert_int_equal(send_from(&S, SRV2, mgmt, 0x93, false, NULL, 0, 0), 0);
    assert_int_equal(last_frame(&S).dest.upper, 1);
    assert_int_equal(hdlc_client_sap(&S.h), 1);
    clear_frames(&S);
    assert_int_equal(to_srv(0x93, false, NULL, 0, 0), HDLC_ERR_WRONG_CLIENT);
    assert_int_equal(to_srv(0x11, false, NULL, 0, 0), HDLC_ERR_WRONG_CLIENT);
    assert_int_equal(S.nframes, 0);
    assert_int_equal(stats_of(&S).wrong_client, 5);
    /* a server restricted to client 16 */
    server_start(only_client_16);
    assert_int_equal(send_from(&S, SRV2, mgmt, 0x93, false, NULL, 0, 0), HDLC_ERR_WRONG_CLIENT);
    assert_int_equal(to_srv(0x93, false, NULL, 0, 0), 0);
}

/* Corrupted frames on the byte stream are dropped silently and counted by reason. */
static void test_server_drop_reasons(void **state) {
    static const uint8_t three_byte_dest[] = {0x7E, 0xA0, 0x09, 0x02, 0x04, 0x23,
                                              0x21, 0x93, 0x00, 0x00, 0x7E};
    uint8_t b[64], junk[3] = {0x01, 0x02, 0x03};
    size_t n;
    hdlc_stats_t st;
    uint16_t c;

    (void)state;
    server_start(NULL);
    n = unhex(SNRM_HEX, b);
    b[7] ^= 0x20; /* FCS */
    assert_int_equal(hdlc_input(&S.h, b, n, 0), 0);
    n = unhex(IFRAME_HEX, b);
    b[8] ^= 0x01; /* HCS; FCS recomputed */
    c = hdlc_crc16_x25(b + 1, n - 4);
    b[n - 3] = (uint8_t)c;
    b[n - 2] = (uint8_t)(c >> 8);
    assert_int_equal(hdlc_input(&S.h, b, n, 0), 0);
    memcpy(b, three_byte_dest, sizeof three_byte_dest);
    c = hdlc_crc16_x25(b + 1, 7);
    b[8] = (uint8_t)c;
    b[9] = (uint8_t)(c >> 8);
    assert_int_equal(hdlc_input(&S.h, b, sizeof three_byte_dest, 0), 0);
    assert_int_equal(hdlc_input(&S.h, junk, sizeof junk, 0), 0);
    /* for another server: 1/18 */
    n = build(b, sizeof b, (hdlc_addr_t){1, 18, 2}, CLI16, 0x93, false, NULL, 0);
    assert_int_equal(hdlc_input(&S.h, b, n, 0), 0);
    assert_int_equal(S.nframes, 0);
    assert_int_equal(hdlc_input_frame(&S.h, (const uint8_t *)"\x90\x07\x03\x21\x93\x00\x00", 7, 0),
                     HDLC_ERR_FORMAT);
    assert_int_equal(hdlc_input_frame(&S.h, (const uint8_t *)"\xA0\x09\x03\x21\x93\x00\x00", 7, 0),
                     HDLC_ERR_LENGTH);
    st = stats_of(&S);
    assert_int_equal(st.bad_fcs, 1);
    assert_int_equal(st.bad_hcs, 1);
    assert_int_equal(st.bad_address, 1);
    assert_int_equal(st.wrong_address, 1);
    assert_int_equal(st.bad_format, 1);
    assert_int_equal(st.bad_length, 1);
    assert_int_equal(st.line.garbage_bytes, 3);
    assert_int_equal(st.frames_rx, 0);
    assert_int_equal(hdlc_state(&S.h), HDLC_STATE_NDM);
}

static void test_server_out_of_sequence(void **state) {
    static const uint8_t resp[] = {0xC4, 0x01, 0xC1, 0x00, 0x09, 0x02, 0x12, 0x34};
    uint8_t req[8];
    size_t n = with_llc(req, LLC_REQ, (const uint8_t *)"\xC0\x01", 2);
    hdlc_frame_t f;

    (void)state;
    server_start(NULL);
    srv_connect(NULL, 0);
    S.reply = resp;
    S.reply_len = sizeof resp;
    /* N(S)=1 while V(R)=0: not accepted, RR tells the expected N(R) */
    assert_int_equal(to_srv(hdlc_ctrl_i(1, 0, true), false, req, n, 0), HDLC_ERR_SEQUENCE);
    assert_int_equal(S.napdu, 0);
    expect_rr(&S, 0);
    /* without poll: silently discarded */
    clear_frames(&S);
    assert_int_equal(to_srv(hdlc_ctrl_i(2, 0, false), false, req, n, 0), HDLC_ERR_SEQUENCE);
    assert_int_equal(S.nframes, 0);
    /* in sequence: accepted and answered */
    assert_int_equal(to_srv(hdlc_ctrl_i(0, 0, true), false, req, n, 0), 0);
    assert_int_equal(S.napdu, 1);
    f = last_frame(&S);
    assert_int_equal(f.control, hdlc_ctrl_i(0, 1, true));
    /* the answer was lost and the client repeats its request (N(R) still 0): the duplicate
     * is not accepted again, the answer is sent again */
    clear_frames(&S);
    assert_int_equal(to_srv(hdlc_ctrl_i(0, 0, true), false, req, n, 0), HDLC_ERR_SEQUENCE);
    assert_int_equal(S.napdu, 1);
    assert_int_equal(S.nframes, 1);
    f = last_frame(&S);
    assert_int_equal(f.control, hdlc_ctrl_i(0, 1, true));
    assert_memory_equal(f.info + 3, resp, sizeof resp);
    assert_int_equal(stats_of(&S).out_of_sequence, 3);
    assert_int_equal(stats_of(&S).retransmissions, 1);
}

static void window_3(hdlc_config_t *c) {
    c->window_rx = 3;
    c->window_tx = 3;
}

/* Client -> server segmentation, window 1: each segment is acknowledged with RR. */
static void test_server_rx_segments_window1(void **state) {
    static uint8_t apdu[400], stream[403];
    size_t total = with_llc(stream, LLC_REQ, apdu, sizeof apdu), off = 0;
    uint8_t ns = 0;

    (void)state;
    fill(apdu, sizeof apdu, 7);
    total = with_llc(stream, LLC_REQ, apdu, sizeof apdu);
    server_start(NULL);
    srv_connect(NULL, 0); /* 128 / 1 */
    while (off < total) {
        size_t n = total - off > 128 ? 128 : total - off;
        bool more = off + n < total;

        clear_frames(&S);
        assert_int_equal(to_srv(hdlc_ctrl_i(ns, 0, true), more, stream + off, n, 0), 0);
        ns = (uint8_t)((ns + 1) & 7);
        off += n;
        if (more) {
            assert_int_equal(S.nframes, 1);
            expect_rr(&S, ns);
            assert_int_equal(S.napdu, 0);
        }
    }
    assert_int_equal(S.napdu, 1);
    assert_int_equal(S.apdu_len, sizeof apdu);
    assert_memory_equal(S.apdu, apdu, sizeof apdu);
    /* no answer queued: RR */
    expect_rr(&S, 4);
}

/* Window 3: only the frame with P=1 is answered. */
static void test_server_rx_segments_window3(void **state) {
    static const uint8_t snrm_w3[] = {0x81, 0x80, 0x06, 0x07, 0x04, 0x00, 0x00, 0x00, 0x03};
    static uint8_t apdu[300], stream[303];
    size_t total, k;

    (void)state;
    fill(apdu, sizeof apdu, 3);
    total = with_llc(stream, LLC_REQ, apdu, sizeof apdu); /* 303 = 5 x 64 - 17 */
    server_start(window_3);
    srv_connect(snrm_w3, sizeof snrm_w3);
    assert_int_equal(hdlc_negotiated(&S.h)->window_rx, 3);
    for (k = 0; k < 3; k++) {
        assert_int_equal(to_srv(hdlc_ctrl_i((uint8_t)k, 0, k == 2), true, stream + k * 64, 64, 0),
                         0);
    }
    assert_int_equal(S.nframes, 1);
    expect_rr(&S, 3);
    assert_int_equal(to_srv(hdlc_ctrl_i(3, 0, false), true, stream + 192, 64, 0), 0);
    assert_int_equal(to_srv(hdlc_ctrl_i(4, 0, true), false, stream + 256, total - 256, 0), 0);
    assert_int_equal(S.napdu, 1);
    assert_int_equal(S.apdu_len, sizeof apdu);
    assert_memory_equal(S.apdu, apdu, sizeof apdu);
    expect_rr(&S, 5);
}

/* An APDU longer than EM_HDLC_MAX_APDU: every segment still acknowledged, the APDU dropped
 * with an event, the link still usable. */
static void test_server_rx_overflow(void **state) {
    static uint8_t seg[128];
    uint8_t req[8];
    size_t n = with_llc(req, LLC_REQ, (const uint8_t *)"\xC0\x01", 2), k;
    size_t segs = (EM_HDLC_MAX_APDU + 3) / 128 + 2;
    uint8_t ns = 0;

    (void)state;
    memcpy(seg, LLC_REQ, 3);
    server_start(NULL);
    srv_connect(NULL, 0);
    for (k = 0; k < segs; k++) {
        clear_frames(&S);
        assert_int_equal(to_srv(hdlc_ctrl_i(ns, 0, true), k + 1 < segs, seg, sizeof seg, 0),
                         k + 1 < segs ? 0 : HDLC_ERR_APDU_TOO_LONG);
        ns = (uint8_t)((ns + 1) & 7);
        expect_rr(&S, ns);
    }
    assert_int_equal(S.napdu, 0);
    assert_int_equal(S.ev[S.nev - 1], HDLC_EVENT_APDU_ERROR);
    assert_int_equal(S.ev_err[S.nev - 1], HDLC_ERR_APDU_TOO_LONG);
    assert_int_equal(stats_of(&S).rx_overflow, 1);
    /* exactly EM_HDLC_MAX_APDU fits */
    /* the next request works */
    assert_int_equal(to_srv(hdlc_ctrl_i(ns, 0, true), false, req, n, 0), 0);
    assert_int_equal(S.napdu, 1);
    assert_int_equal(S.apdu_len, 2);
    assert_true(hdlc_is_connected(&S.h));
}

static void test_server_rx_exact_max(void **state) {
    static uint8_t apdu[EM_HDLC_MAX_APDU], stream[EM_HDLC_MAX_APDU + 3];
    size_t total, off = 0;
    uint8_t ns = 0;

    (void)state;
    fill(apdu, sizeof apdu, 1);
    total = with_llc(stream, LLC_REQ, apdu, sizeof apdu);
    server_start(NULL);
    srv_connect(NULL, 0);
    while (off < total) {
        size_t n = total - off > 128 ? 128 : total - off;

        to_srv(hdlc_ctrl_i(ns, 0, true), off + n < total, stream + off, n, 0);
        ns = (uint8_t)((ns + 1) & 7);
        off += n;
    }
    assert_int_equal(S.napdu, 1);
    assert_int_equal(S.apdu_len, EM_HDLC_MAX_APDU);
    assert_memory_equal(S.apdu, apdu, EM_HDLC_MAX_APDU);
    assert_int_equal(stats_of(&S).rx_overflow, 0);
}

/* Checks one window the server sent in S.frames[from..]: consecutive N(S), F only on its last
 * frame, a full window unless it ends the APDU, info within the negotiated maximum. Appends the
 * info fields to out and returns their length. */
static size_t collect_window(size_t from, uint8_t *out, uint8_t *ns, uint32_t window, bool *done) {
    size_t i, n = 0;

    assert_true(S.nframes > from);
    assert_true(S.nframes - from <= window);
    for (i = from; i < S.nframes; i++) {
        hdlc_frame_t f = frame_at(&S, i);

        assert_true(hdlc_ctrl_is_i(f.control));
        assert_int_equal(hdlc_ctrl_ns(f.control), *ns);
        assert_int_equal(hdlc_ctrl_pf(f.control), i + 1 == S.nframes);
        assert_true(f.info_len <= hdlc_negotiated(&S.h)->max_info_tx);
        memcpy(out + n, f.info, f.info_len);
        n += f.info_len;
        *ns = (uint8_t)((*ns + 1) & 7);
        *done = !f.segmented;
        if (i + 1 < S.nframes) {
            assert_true(f.segmented);
            assert_int_equal(f.info_len, hdlc_negotiated(&S.h)->max_info_tx);
        }
    }
    if (!*done) {
        assert_int_equal(S.nframes - from, window);
    }
    return n;
}

/* SNRM field of a client that receives at most `info` bytes with window `window`. */
static size_t snrm_for(uint8_t *out, uint32_t info, uint32_t window) {
    hdlc_params_t p = {512, info, 7, window};

    return (size_t)hdlc_params_encode(&p, out, 32);
}

/* Server -> client segmentation with several info sizes, windows and APDU lengths: the client
 * polls with RR after every final frame until the last segment. */
static void test_server_tx_segments(void **state) {
    static const uint32_t infos[] = {32, 128, 512};
    static const uint32_t windows[] = {1, 3, 7};
    static const size_t lens[] = {0, 1, 28, 29, 30, 125, 126, 127, 500, 1000, EM_HDLC_MAX_APDU};
    static uint8_t resp[EM_HDLC_MAX_APDU], got[EM_HDLC_MAX_APDU + 3];
    uint8_t req[8];
    size_t rn = with_llc(req, LLC_REQ, (const uint8_t *)"\xC0\x01", 2);
    size_t a, b, c;

    (void)state;
    fill(resp, sizeof resp, 0x55);
    for (a = 0; a < 3; a++) {
        for (b = 0; b < 3; b++) {
            for (c = 0; c < sizeof lens / sizeof lens[0]; c++) {
                uint8_t snrm[32], ns = 0;
                size_t got_len = 0, from = 0;
                bool done = false;

                server_start(NULL);
                srv_connect(snrm, snrm_for(snrm, infos[a], windows[b]));
                assert_int_equal(hdlc_negotiated(&S.h)->max_info_tx, infos[a]);
                assert_int_equal(hdlc_negotiated(&S.h)->window_tx, windows[b]);
                S.reply = resp;
                S.reply_len = lens[c];
                assert_int_equal(to_srv(hdlc_ctrl_i(0, 0, true), false, req, rn, 0), 0);
                for (;;) {
                    got_len += collect_window(from, got + got_len, &ns, windows[b], &done);
                    if (done) {
                        break;
                    }
                    from = S.nframes;
                    assert_int_equal(to_srv(hdlc_ctrl_s(HDLC_CTRL_RR, ns, true), false, NULL, 0, 0),
                                     0);
                }
                assert_int_equal(got_len, lens[c] + 3);
                assert_memory_equal(got, LLC_RSP, 3);
                assert_memory_equal(got + 3, resp, lens[c]);
                /* final acknowledgement frees the buffer */
                assert_false(hdlc_can_send(&S.h));
                assert_int_equal(to_srv(hdlc_ctrl_s(HDLC_CTRL_RR, ns, true), false, NULL, 0, 0), 0);
                expect_rr(&S, 1);
                assert_true(hdlc_can_send(&S.h));
                assert_int_equal(stats_of(&S).retransmissions, 0);
            }
        }
    }
}

/* A poll with an older N(R) makes the server resend from that N(R). */
static void test_server_retransmission(void **state) {
    static uint8_t resp[150];
    uint8_t snrm[32], req[8];
    size_t rn = with_llc(req, LLC_REQ, (const uint8_t *)"\xC0\x01", 2);
    hdlc_frame_t f[3], g;
    size_t k;

    (void)state;
    fill(resp, sizeof resp, 9);
    server_start(NULL);
    srv_connect(snrm, snrm_for(snrm, 32, 3));
    S.reply = resp;
    S.reply_len = sizeof resp; /* 153 bytes: 5 segments of 32 */
    assert_int_equal(to_srv(hdlc_ctrl_i(0, 0, true), false, req, rn, 0), 0);
    assert_int_equal(S.nframes, 3);
    for (k = 0; k < 3; k++) {
        f[k] = frame_at(&S, k);
    }
    /* frames 1 and 2 were lost: the client acknowledges only frame 0 */
    assert_int_equal(to_srv(hdlc_ctrl_s(HDLC_CTRL_RR, 1, true), false, NULL, 0, 0), 0);
    assert_int_equal(S.nframes, 6);
    for (k = 1; k < 3; k++) {
        g = frame_at(&S, 2 + k);
        assert_int_equal(hdlc_ctrl_cmd(g.control), hdlc_ctrl_cmd(f[k].control)); /* N(S), N(R) */
        assert_false(hdlc_ctrl_pf(g.control));
        assert_int_equal(g.info_len, f[k].info_len);
        assert_memory_equal(g.info, f[k].info, g.info_len);
    }
    g = frame_at(&S, 5);
    assert_int_equal(g.control, hdlc_ctrl_i(3, 1, true));
    assert_int_equal(stats_of(&S).retransmissions, 2);
    /* the same poll again (our answer was lost): same frames again */
    assert_int_equal(to_srv(hdlc_ctrl_s(HDLC_CTRL_RR, 1, true), false, NULL, 0, 0), 0);
    assert_int_equal(S.nframes, 9);
    assert_int_equal(stats_of(&S).retransmissions, 5);
    /* all four acknowledged: the last segment */
    assert_int_equal(to_srv(hdlc_ctrl_s(HDLC_CTRL_RR, 4, true), false, NULL, 0, 0), 0);
    assert_int_equal(S.nframes, 10);
    g = last_frame(&S);
    assert_int_equal(g.control, hdlc_ctrl_i(4, 1, true));
    assert_false(g.segmented);
    assert_int_equal(g.info_len, 153 - 128);
    assert_memory_equal(g.info, resp + 125, g.info_len);
}

/* A new request while a response is unfinished: the client gave up on it. */
static void test_server_new_request_abandons_response(void **state) {
    static uint8_t resp[100];
    uint8_t snrm[32], req[8];
    size_t rn = with_llc(req, LLC_REQ, (const uint8_t *)"\xC0\x01", 2);

    (void)state;
    fill(resp, sizeof resp, 1);
    server_start(NULL);
    srv_connect(snrm, snrm_for(snrm, 32, 1));
    S.reply = resp;
    S.reply_len = sizeof resp;
    assert_int_equal(to_srv(hdlc_ctrl_i(0, 0, true), false, req, rn, 0), 0);
    assert_int_equal(last_frame(&S).control, hdlc_ctrl_i(0, 1, true));
    assert_true(last_frame(&S).segmented);
    S.reply_len = 10;
    assert_int_equal(to_srv(hdlc_ctrl_i(1, 1, true), false, req, rn, 0), 0);
    assert_int_equal(S.napdu, 2);
    assert_int_equal(S.reply_rc, 0);
    assert_int_equal(stats_of(&S).tx_abandoned, 1);
    assert_int_equal(last_frame(&S).control, hdlc_ctrl_i(1, 2, true));
    assert_false(last_frame(&S).segmented);
    assert_int_equal(last_frame(&S).info_len, 13);
}

static void test_server_inactivity(void **state) {
    (void)state;
    server_start(NULL);
    srv_connect(NULL, 0); /* at t = 0 */
    assert_int_equal(hdlc_tick(&S.h, EM_HDLC_INACTIVITY_MS - 1), 0);
    assert_true(hdlc_is_connected(&S.h));
    assert_int_equal(hdlc_tick(&S.h, EM_HDLC_INACTIVITY_MS), 0);
    assert_int_equal(hdlc_state(&S.h), HDLC_STATE_NDM);
    assert_int_equal(S.ev[S.nev - 1], HDLC_EVENT_DISCONNECTED);
    assert_int_equal(S.ev_err[S.nev - 1], HDLC_ERR_INACTIVITY);
    assert_int_equal(S.nframes, 0); /* nothing may be sent without a poll */
    /* every valid frame restarts the timer */
    srv_connect(NULL, 0);
    assert_int_equal(to_srv(0x11, false, NULL, 0, 100000), 0);
    assert_int_equal(hdlc_tick(&S.h, 100000 + EM_HDLC_INACTIVITY_MS - 1), 0);
    assert_true(hdlc_is_connected(&S.h));
    /* frames for others do not */
    assert_int_equal(send_from(&S, (hdlc_addr_t){2, 17, 2}, CLI16, 0x11, false, NULL, 0,
                               100000 + EM_HDLC_INACTIVITY_MS - 1),
                     HDLC_ERR_WRONG_ADDRESS);
    assert_int_equal(hdlc_tick(&S.h, 100000 + EM_HDLC_INACTIVITY_MS), 0);
    assert_false(hdlc_is_connected(&S.h));
    /* a frame after a long silence finds the link already down */
    srv_connect(NULL, 0);
    clear_frames(&S);
    assert_int_equal(to_srv(0x11, false, NULL, 0, 2 * EM_HDLC_INACTIVITY_MS),
                     HDLC_ERR_NOT_CONNECTED);
    expect_u(&S, HDLC_CTRL_DM);
    assert_int_equal(S.ev_err[S.nev - 1], HDLC_ERR_INACTIVITY);
}

static void test_server_snrm_resets_link(void **state) {
    uint8_t req[8];
    size_t rn = with_llc(req, LLC_REQ, (const uint8_t *)"\xC0\x01", 2), nev;

    (void)state;
    server_start(NULL);
    srv_connect(NULL, 0);
    assert_int_equal(to_srv(hdlc_ctrl_i(0, 0, true), false, req, rn, 0), 0);
    expect_rr(&S, 1);
    nev = S.nev;
    srv_connect(NULL, 0);
    assert_int_equal(S.nev, nev + 2);
    assert_int_equal(S.ev[nev], HDLC_EVENT_DISCONNECTED);
    assert_int_equal(S.ev_err[nev], 0);
    /* V(R) is back to 0 */
    assert_int_equal(to_srv(hdlc_ctrl_i(0, 0, true), false, req, rn, 0), 0);
    assert_int_equal(S.napdu, 2);
    expect_rr(&S, 1);
}

static void test_server_send_errors(void **state) {
    static uint8_t big[EM_HDLC_MAX_APDU + 1];

    (void)state;
    server_start(NULL);
    assert_int_equal(hdlc_send_apdu(&S.h, big, 1), HDLC_ERR_STATE);
    srv_connect(NULL, 0);
    assert_int_equal(hdlc_send_apdu(&S.h, big, sizeof big), HDLC_ERR_APDU_TOO_LONG);
    assert_int_equal(hdlc_send_apdu(&S.h, NULL, 1), HDLC_ERR_BADARG);
    assert_int_equal(hdlc_send_apdu(&S.h, NULL, 0), 0);
    assert_int_equal(hdlc_send_apdu(&S.h, big, 1), HDLC_ERR_BUSY);
    /* a failing line: reported, counted, the state still moves */
    S.tx_result = -5;
    assert_int_equal(to_srv(0x11, false, NULL, 0, 0), HDLC_ERR_TX);
    assert_int_equal(stats_of(&S).tx_errors, 1);
    assert_int_equal(hdlc_input(&S.h, NULL, 0, 0), 0);
    assert_int_equal(hdlc_input(&S.h, NULL, 1, 0), HDLC_ERR_BADARG);
}

static void test_init_errors(void **state) {
    hdlc_config_t c;
    static hdlc_t h;

    (void)state;
    base_cfg(&c, &S, HDLC_ROLE_CLIENT);
    assert_int_equal(hdlc_init(&h, &c), 0);
    assert_int_equal(h.server.size, 2);
    c.tx = NULL;
    assert_int_equal(hdlc_init(&h, &c), HDLC_ERR_BADARG);
    base_cfg(&c, &S, HDLC_ROLE_CLIENT);
    c.client_sap = 0;
    assert_int_equal(hdlc_init(&h, &c), HDLC_ERR_ADDRESS);
    c.client_sap = 0x7F;
    assert_int_equal(hdlc_init(&h, &c), HDLC_ERR_ADDRESS);
    base_cfg(&c, &S, HDLC_ROLE_CLIENT);
    c.server_lower = 200;
    c.server_addr_size = 2;
    assert_int_equal(hdlc_init(&h, &c), HDLC_ERR_ADDRESS);
    c.server_addr_size = 0;
    assert_int_equal(hdlc_init(&h, &c), 0);
    assert_int_equal(h.server.size, 4);
    c.server_lower = 0;
    assert_int_equal(hdlc_init(&h, &c), 0);
    assert_int_equal(h.server.size, 1);
    base_cfg(&c, &S, HDLC_ROLE_SERVER);
    c.server_upper = 0x4000;
    assert_int_equal(hdlc_init(&h, &c), HDLC_ERR_ADDRESS);
    base_cfg(&c, &S, HDLC_ROLE_SERVER);
    c.max_info_rx = 16;
    assert_int_equal(hdlc_init(&h, &c), HDLC_ERR_BADARG);
    c.max_info_rx = 60000; /* clamped to the build's limit */
    c.window_tx = 9;
    assert_int_equal(hdlc_init(&h, &c), 0);
    assert_int_equal(h.own.max_info_rx, EM_HDLC_MAX_INFO_LEN);
    assert_int_equal(h.own.window_tx, EM_HDLC_MAX_WINDOW);
    c.role = (hdlc_role_t)5;
    assert_int_equal(hdlc_init(&h, &c), HDLC_ERR_BADARG);
    assert_int_equal(hdlc_init(NULL, &c), HDLC_ERR_BADARG);
}

static void test_strerror(void **state) {
    int e;

    (void)state;
    assert_string_equal(hdlc_strerror(0), "success");
    for (e = -0x0301; e >= -0x031B; e--) {
        assert_string_not_equal(hdlc_strerror(e), "unknown HDLC error");
    }
    assert_string_equal(hdlc_strerror(-0x031C), "unknown HDLC error");
    assert_string_equal(hdlc_strerror(-1), "unknown HDLC error");
}

/* ================= client ================================================================ */

static void own_defaults(hdlc_config_t *c) {
    c->max_info_tx = 128;
    c->max_info_rx = 128;
    c->window_tx = 1;
    c->window_rx = 1;
}

static void client_start(void (*tweak)(hdlc_config_t *)) {
    hdlc_config_t c;

    memset(&C, 0, sizeof C);
    base_cfg(&c, &C, HDLC_ROLE_CLIENT);
    c.server_addr_size = 2;
    if (tweak != NULL) {
        tweak(&c);
    }
    assert_int_equal(hdlc_init(&C.h, &c), 0);
}

/* A frame from server 1/17 to client 16. */
static int to_cli(uint8_t control, bool seg, const uint8_t *info, size_t len, uint64_t now) {
    return send_from(&C, CLI16, SRV2, control, seg, info, len, now);
}

static void cli_connected(void (*tweak)(hdlc_config_t *), const uint8_t *ua, size_t len) {
    client_start(tweak);
    assert_int_equal(hdlc_connect(&C.h, 0), 0);
    assert_int_equal(to_cli(0x73, false, ua, len, 0), 0);
    assert_true(hdlc_is_connected(&C.h));
    clear_frames(&C);
}

static void expect_cli(uint8_t control) {
    assert_int_equal(last_frame(&C).control, control);
}

static void test_client_snrm_vector(void **state) {
    uint8_t b[16];
    size_t n = unhex(SNRM_HEX, b);

    (void)state;
    client_start(own_defaults);
    assert_int_equal(hdlc_connect(&C.h, 0), 0);
    assert_int_equal(hdlc_state(&C.h), HDLC_STATE_CONNECTING);
    assert_int_equal(C.nframes, 1);
    assert_int_equal(C.flen[0], n);
    assert_memory_equal(C.frames[0], b, n);
    assert_int_equal(hdlc_connect(&C.h, 0), HDLC_ERR_STATE);
    assert_false(hdlc_can_send(&C.h));
}

static void test_client_ua_vector(void **state) {
    static const uint8_t snrm_info[] = {0x81, 0x80, 0x14, 0x05, 0x02, 0x02, 0x00, 0x06,
                                        0x02, 0x02, 0x00, 0x07, 0x04, 0x00, 0x00, 0x00,
                                        0x07, 0x08, 0x04, 0x00, 0x00, 0x00, 0x07};
    uint8_t ua[64];
    size_t n = unhex(UA_HEX, ua);
    const hdlc_params_t *p;
    hdlc_frame_t f;

    (void)state;
    /* own limits 512/7: SNRM proposes them */
    client_start(NULL);
    assert_int_equal(hdlc_connect(&C.h, 0), 0);
    f = last_frame(&C);
    assert_int_equal(f.info_len, sizeof snrm_info);
    assert_memory_equal(f.info, snrm_info, sizeof snrm_info);
    assert_int_equal(hdlc_input(&C.h, ua, n, 5), 0);
    assert_true(hdlc_is_connected(&C.h));
    assert_int_equal(C.nev, 1);
    assert_int_equal(C.ev[0], HDLC_EVENT_CONNECTED);
    p = hdlc_negotiated(&C.h);
    assert_int_equal(p->max_info_tx, 154);
    assert_int_equal(p->max_info_rx, 154);
    assert_int_equal(p->window_tx, 1);
    assert_int_equal(p->window_rx, 1);
    assert_true(hdlc_can_send(&C.h));
    assert_int_equal(hdlc_client_sap(&C.h), 16);
    /* own 128: the smaller wins */
    client_start(own_defaults);
    assert_int_equal(hdlc_connect(&C.h, 0), 0);
    assert_int_equal(hdlc_input(&C.h, ua, n, 5), 0);
    assert_int_equal(hdlc_negotiated(&C.h)->max_info_tx, 128);
    /* UA without information field: defaults */
    client_start(NULL);
    assert_int_equal(hdlc_connect(&C.h, 0), 0);
    assert_int_equal(to_cli(0x73, false, NULL, 0, 0), 0);
    assert_int_equal(hdlc_negotiated(&C.h)->max_info_rx, 128);
    assert_int_equal(hdlc_negotiated(&C.h)->window_tx, 1);
}

static void test_client_ua_bad_params(void **state) {
    static const uint8_t bad[] = {0x81, 0x80, 0x03, 0x05, 0x01, 0x08};

    (void)state;
    client_start(NULL);
    assert_int_equal(hdlc_connect(&C.h, 0), 0);
    assert_int_equal(to_cli(0x73, false, bad, sizeof bad, 0), HDLC_ERR_PARAM);
    assert_int_equal(hdlc_state(&C.h), HDLC_STATE_NDM);
    expect_cli(0x53); /* DISC so the server does not stay connected */
    assert_int_equal(C.ev[C.nev - 1], HDLC_EVENT_DISCONNECTED);
    assert_int_equal(C.ev_err[C.nev - 1], HDLC_ERR_PARAM);
}

/* The client sends the reference AARQ I-frame byte for byte and takes the answer. */
static void test_client_iframe_vector(void **state) {
    static const uint8_t aare[] = {0x61, 0x05, 0xA1, 0x03, 0x02, 0x01, 0x00};
    uint8_t i[64], ua[64], rsp[16];
    size_t ni = unhex(IFRAME_HEX, i), nu = unhex(UA_HEX, ua);
    size_t nr = with_llc(rsp, LLC_RSP, aare, sizeof aare);

    (void)state;
    client_start(own_defaults);
    assert_int_equal(hdlc_connect(&C.h, 0), 0);
    assert_int_equal(hdlc_input(&C.h, ua, nu, 0), 0);
    clear_frames(&C);
    /* the APDU is the information field minus LLC: frame bytes 12 .. n-4 */
    assert_int_equal(hdlc_send_apdu(&C.h, i + 12, ni - 12 - 3), 0);
    assert_int_equal(C.nframes, 1);
    assert_int_equal(C.flen[0], ni);
    assert_memory_equal(C.frames[0], i, ni);
    assert_false(hdlc_can_send(&C.h));
    assert_int_equal(hdlc_send_apdu(&C.h, i, 1), HDLC_ERR_BUSY);
    assert_int_equal(to_cli(hdlc_ctrl_i(0, 1, true), false, rsp, nr, 10), 0);
    assert_int_equal(C.napdu, 1);
    assert_int_equal(C.apdu_len, sizeof aare);
    assert_memory_equal(C.apdu, aare, sizeof aare);
    assert_int_equal(C.nframes, 1); /* nothing more to ask */
    assert_true(hdlc_can_send(&C.h));
}

static void test_client_refused(void **state) {
    (void)state;
    client_start(NULL);
    assert_int_equal(hdlc_send_apdu(&C.h, (const uint8_t *)"x", 1), HDLC_ERR_STATE);
    assert_int_equal(hdlc_disconnect(&C.h, 0), HDLC_ERR_STATE);
    assert_int_equal(hdlc_connect(&C.h, 0), 0);
    assert_int_equal(to_cli(0x1F, false, NULL, 0, 0), 0);
    assert_int_equal(hdlc_state(&C.h), HDLC_STATE_NDM);
    assert_int_equal(C.ev[0], HDLC_EVENT_DISCONNECTED);
    assert_int_equal(C.ev_err[0], HDLC_ERR_REFUSED);
    /* stray responses in NDM */
    assert_int_equal(to_cli(0x1F, false, NULL, 0, 0), HDLC_ERR_UNEXPECTED);
    assert_int_equal(to_cli(0x73, false, NULL, 0, 0), HDLC_ERR_UNEXPECTED);
    assert_int_equal(to_cli(0x11, false, NULL, 0, 0), HDLC_ERR_UNEXPECTED);
    assert_int_equal(stats_of(&C).unexpected, 3);
}

static void test_client_connect_timeout(void **state) {
    hdlc_stats_t st;

    (void)state;
    client_start(NULL);
    assert_int_equal(hdlc_connect(&C.h, 1000), 0);
    assert_int_equal(hdlc_tick(&C.h, 1000 + EM_HDLC_RESPONSE_MS - 1), 0);
    assert_int_equal(C.nframes, 1);
    assert_int_equal(hdlc_tick(&C.h, 1000 + EM_HDLC_RESPONSE_MS), 0);
    assert_int_equal(C.nframes, 2);
    expect_cli(0x93);
    assert_int_equal(hdlc_tick(&C.h, 1000 + 2 * EM_HDLC_RESPONSE_MS), 0);
    assert_int_equal(hdlc_tick(&C.h, 1000 + 3 * EM_HDLC_RESPONSE_MS), 0);
    assert_int_equal(C.nframes, 1 + EM_HDLC_MAX_RETRIES);
    assert_int_equal(C.nev, 0);
    assert_int_equal(hdlc_tick(&C.h, 1000 + 4 * EM_HDLC_RESPONSE_MS), 0);
    assert_int_equal(C.nframes, 1 + EM_HDLC_MAX_RETRIES);
    assert_int_equal(hdlc_state(&C.h), HDLC_STATE_NDM);
    assert_int_equal(C.ev[0], HDLC_EVENT_DISCONNECTED);
    assert_int_equal(C.ev_err[0], HDLC_ERR_TIMEOUT);
    st = stats_of(&C);
    assert_int_equal(st.timeouts, EM_HDLC_MAX_RETRIES + 1);
}

static void test_client_disconnect(void **state) {
    (void)state;
    cli_connected(NULL, NULL, 0);
    assert_int_equal(hdlc_disconnect(&C.h, 0), 0);
    expect_cli(0x53);
    assert_int_equal(hdlc_state(&C.h), HDLC_STATE_DISCONNECTING);
    assert_int_equal(to_cli(0x73, false, NULL, 0, 0), 0);
    assert_int_equal(hdlc_state(&C.h), HDLC_STATE_NDM);
    assert_int_equal(C.ev[C.nev - 1], HDLC_EVENT_DISCONNECTED);
    assert_int_equal(C.ev_err[C.nev - 1], 0);
    /* DM answers DISC too */
    cli_connected(NULL, NULL, 0);
    assert_int_equal(hdlc_disconnect(&C.h, 0), 0);
    assert_int_equal(to_cli(0x1F, false, NULL, 0, 0), 0);
    assert_int_equal(C.ev_err[C.nev - 1], 0);
    /* no answer */
    cli_connected(NULL, NULL, 0);
    assert_int_equal(hdlc_disconnect(&C.h, 0), 0);
    assert_int_equal(hdlc_tick(&C.h, EM_HDLC_RESPONSE_MS), 0);
    expect_cli(0x53);
    assert_int_equal(hdlc_tick(&C.h, 10 * EM_HDLC_RESPONSE_MS), 0);
    assert_int_equal(hdlc_tick(&C.h, 20 * EM_HDLC_RESPONSE_MS), 0);
    assert_int_equal(hdlc_tick(&C.h, 30 * EM_HDLC_RESPONSE_MS), 0);
    assert_int_equal(hdlc_state(&C.h), HDLC_STATE_NDM);
    assert_int_equal(C.ev_err[C.nev - 1], HDLC_ERR_TIMEOUT);
}

/* UA of a server that accepts 32 bytes with window 3. */
static const uint8_t UA_32_W3[] = {0x81, 0x80, 0x12, 0x05, 0x01, 0x20, 0x06, 0x01, 0x20, 0x07, 0x04,
                                   0x00, 0x00, 0x00, 0x03, 0x08, 0x04, 0x00, 0x00, 0x00, 0x03};

/* Checks the client's window in C.frames[from..]: N(S) from ns, P on the last only. */
static void expect_client_window(size_t from, size_t count, uint8_t ns, bool last_segment) {
    size_t i;

    assert_int_equal(C.nframes - from, count);
    for (i = 0; i < count; i++) {
        hdlc_frame_t f = frame_at(&C, from + i);

        assert_true(hdlc_ctrl_is_i(f.control));
        assert_int_equal(hdlc_ctrl_ns(f.control), (ns + i) & 7);
        assert_int_equal(hdlc_ctrl_pf(f.control), i + 1 == count);
        assert_int_equal(f.segmented, !(last_segment && i + 1 == count));
        assert_true(f.info_len <= 32);
    }
}

static void test_client_request_segments(void **state) {
    static uint8_t apdu[200];
    hdlc_frame_t f;
    size_t k;

    (void)state;
    fill(apdu, sizeof apdu, 4);
    cli_connected(NULL, UA_32_W3, sizeof UA_32_W3);
    assert_int_equal(hdlc_negotiated(&C.h)->max_info_tx, 32);
    assert_int_equal(hdlc_negotiated(&C.h)->window_tx, 3);
    /* 203 bytes: 7 segments */
    assert_int_equal(hdlc_send_apdu(&C.h, apdu, sizeof apdu), 0);
    expect_client_window(0, 3, 0, false);
    f = frame_at(&C, 0);
    assert_memory_equal(f.info, LLC_REQ, 3);
    assert_memory_equal(f.info + 3, apdu, 29);
    /* the server only got frame 0: resend 1, 2, 3 */
    assert_int_equal(to_cli(hdlc_ctrl_s(HDLC_CTRL_RR, 1, true), false, NULL, 0, 0), 0);
    expect_client_window(3, 3, 1, false);
    for (k = 0; k < 2; k++) {
        hdlc_frame_t a = frame_at(&C, 1 + k), b = frame_at(&C, 3 + k);
        assert_int_equal(a.info_len, b.info_len);
        assert_memory_equal(a.info, b.info, a.info_len);
    }
    assert_int_equal(stats_of(&C).retransmissions, 2);
    assert_int_equal(to_cli(hdlc_ctrl_s(HDLC_CTRL_RR, 4, true), false, NULL, 0, 0), 0);
    expect_client_window(6, 3, 4, true);
    f = last_frame(&C);
    assert_int_equal(f.info_len, 203 - 6 * 32);
    assert_memory_equal(f.info, apdu + 200 - f.info_len, f.info_len);
    /* the answer acknowledges all 7 */
    clear_frames(&C);
    assert_int_equal(to_cli(hdlc_ctrl_i(0, 7, true), false, LLC_RSP, 3, 0), 0);
    assert_int_equal(C.napdu, 1);
    assert_int_equal(C.apdu_len, 0);
    assert_int_equal(C.nframes, 0);
    assert_true(hdlc_can_send(&C.h));
}

static void test_client_response_segments(void **state) {
    static uint8_t rsp[100];
    uint8_t req[1] = {0xC0};

    (void)state;
    fill(rsp, sizeof rsp, 8);
    memcpy(rsp, LLC_RSP, 3);
    cli_connected(NULL, UA_32_W3, sizeof UA_32_W3);
    assert_int_equal(hdlc_send_apdu(&C.h, req, 1), 0);
    clear_frames(&C);
    /* window 1 frame: poll for more */
    assert_int_equal(to_cli(hdlc_ctrl_i(0, 1, true), true, rsp, 32, 0), 0);
    expect_cli(hdlc_ctrl_s(HDLC_CTRL_RR, 1, true));
    /* two frames, F on the second */
    assert_int_equal(to_cli(hdlc_ctrl_i(1, 1, false), true, rsp + 32, 32, 0), 0);
    assert_int_equal(C.nframes, 1);
    assert_int_equal(to_cli(hdlc_ctrl_i(2, 1, true), true, rsp + 64, 32, 0), 0);
    expect_cli(hdlc_ctrl_s(HDLC_CTRL_RR, 3, true));
    /* a frame from the future (N(S)=4 lost... here 5): not accepted, poll with V(R)=3 */
    assert_int_equal(to_cli(hdlc_ctrl_i(5, 1, true), false, rsp + 96, 4, 0), HDLC_ERR_SEQUENCE);
    expect_cli(hdlc_ctrl_s(HDLC_CTRL_RR, 3, true));
    assert_int_equal(C.napdu, 0);
    /* the last segment */
    clear_frames(&C);
    assert_int_equal(to_cli(hdlc_ctrl_i(3, 1, true), false, rsp + 96, 4, 0), 0);
    assert_int_equal(C.napdu, 1);
    assert_int_equal(C.apdu_len, 97);
    assert_memory_equal(C.apdu, rsp + 3, 97);
    assert_int_equal(C.nframes, 0);
    assert_int_equal(stats_of(&C).out_of_sequence, 1);
}

static void test_client_poll_timeout(void **state) {
    uint8_t req[1] = {0xC0};
    size_t k;

    (void)state;
    cli_connected(NULL, NULL, 0);
    assert_int_equal(hdlc_send_apdu(&C.h, req, 1), 0);
    for (k = 1; k <= EM_HDLC_MAX_RETRIES; k++) {
        assert_int_equal(hdlc_tick(&C.h, k * EM_HDLC_RESPONSE_MS), 0);
        assert_int_equal(C.nframes, 1 + k);
        expect_cli(hdlc_ctrl_s(HDLC_CTRL_RR, 0, true));
    }
    assert_int_equal(hdlc_tick(&C.h, (EM_HDLC_MAX_RETRIES + 1) * EM_HDLC_RESPONSE_MS), 0);
    expect_cli(0x53);
    assert_int_equal(hdlc_state(&C.h), HDLC_STATE_NDM);
    assert_int_equal(C.ev_err[C.nev - 1], HDLC_ERR_TIMEOUT);
}

/* Server acknowledges but has no answer yet: poll again later, then give up on the request. */
static void test_client_response_late(void **state) {
    uint8_t req[1] = {0xC0}, rsp[4];
    size_t k, nr = with_llc(rsp, LLC_RSP, (const uint8_t *)"\xC4", 1);
    uint64_t t = 0;

    (void)state;
    cli_connected(NULL, NULL, 0);
    assert_int_equal(hdlc_send_apdu(&C.h, req, 1), 0);
    for (k = 0; k < EM_HDLC_MAX_RETRIES; k++) {
        clear_frames(&C);
        assert_int_equal(to_cli(hdlc_ctrl_s(HDLC_CTRL_RR, 1, true), false, NULL, 0, t), 0);
        assert_int_equal(C.nframes, 0);
        t += EM_HDLC_RESPONSE_MS;
        assert_int_equal(hdlc_tick(&C.h, t), 0);
        assert_int_equal(C.nframes, 1);
        expect_cli(hdlc_ctrl_s(HDLC_CTRL_RR, 0, true));
    }
    /* the answer finally comes */
    assert_int_equal(to_cli(hdlc_ctrl_i(0, 1, true), false, rsp, nr, t), 0);
    assert_int_equal(C.napdu, 1);
    assert_true(hdlc_can_send(&C.h));
    /* next request: never answered */
    assert_int_equal(hdlc_send_apdu(&C.h, req, 1), 0);
    for (k = 0; k <= EM_HDLC_MAX_RETRIES; k++) {
        assert_int_equal(to_cli(hdlc_ctrl_s(HDLC_CTRL_RR, 2, true), false, NULL, 0, t), 0);
        t += EM_HDLC_RESPONSE_MS;
        assert_int_equal(hdlc_tick(&C.h, t), 0);
    }
    assert_int_equal(C.ev[C.nev - 1], HDLC_EVENT_APDU_ERROR);
    assert_int_equal(C.ev_err[C.nev - 1], HDLC_ERR_TIMEOUT);
    assert_true(hdlc_is_connected(&C.h));
    assert_true(hdlc_can_send(&C.h));
}

static void test_client_frmr_and_dm(void **state) {
    static const uint8_t frmr[] = {0x10, 0x00, 0x01};

    (void)state;
    cli_connected(NULL, NULL, 0);
    assert_int_equal(to_cli(0x97, false, frmr, sizeof frmr, 0), HDLC_ERR_FRMR);
    expect_cli(0x53);
    assert_int_equal(hdlc_state(&C.h), HDLC_STATE_NDM);
    assert_int_equal(C.ev_err[C.nev - 1], HDLC_ERR_FRMR);
    assert_int_equal(stats_of(&C).frmr, 1);
    /* DM while connected: the server lost the link */
    cli_connected(NULL, NULL, 0);
    assert_int_equal(to_cli(0x1F, false, NULL, 0, 0), 0);
    assert_int_equal(C.ev_err[C.nev - 1], HDLC_ERR_REFUSED);
    /* an N(R) for frames never sent */
    cli_connected(NULL, NULL, 0);
    assert_int_equal(to_cli(hdlc_ctrl_s(HDLC_CTRL_RR, 4, true), false, NULL, 0, 0), HDLC_ERR_NR);
    assert_int_equal(hdlc_state(&C.h), HDLC_STATE_NDM);
    /* REJ is not in the profile */
    cli_connected(NULL, NULL, 0);
    assert_int_equal(to_cli(0x19, false, NULL, 0, 0), HDLC_ERR_UNEXPECTED);
    assert_true(hdlc_is_connected(&C.h));
}

static void test_client_addresses(void **state) {
    static const hdlc_addr_t all = {0x7F, 0, 1}, other = {17, 0, 1};
    static const hdlc_addr_t srv18 = {1, 18, 2};
    uint8_t ui[8];
    size_t n = with_llc(ui, LLC_RSP, (const uint8_t *)"\x0F\x00", 2);

    (void)state;
    cli_connected(NULL, NULL, 0);
    assert_int_equal(send_from(&C, other, SRV2, 0x13, false, ui, n, 0), HDLC_ERR_WRONG_ADDRESS);
    assert_int_equal(send_from(&C, CLI16, srv18, 0x13, false, ui, n, 0), HDLC_ERR_WRONG_CLIENT);
    assert_int_equal(C.napdu, 0);
    /* UI to all clients (e.g. a data notification) */
    assert_int_equal(send_from(&C, all, SRV2, 0x13, false, ui, n, 0), 0);
    assert_int_equal(C.napdu, 1);
    assert_int_equal(C.apdu_len, 2);
    /* a request LLC is wrong in this direction */
    assert_int_equal(to_cli(0x13, false, LLC_REQ, 3, 0), HDLC_ERR_LLC);
    assert_int_equal(stats_of(&C).wrong_address, 1);
    assert_int_equal(stats_of(&C).wrong_client, 1);
}

/* RNR: the client holds its frames back until the server is ready again. */
static void test_client_peer_busy(void **state) {
    static uint8_t apdu[100];
    uint8_t rsp[8];
    size_t nr = with_llc(rsp, LLC_RSP, (const uint8_t *)"\xC4\x01", 2);

    (void)state;
    fill(apdu, sizeof apdu, 2);
    cli_connected(NULL, UA_32_W3, sizeof UA_32_W3);
    assert_int_equal(hdlc_send_apdu(&C.h, apdu, sizeof apdu), 0); /* 4 segments */
    expect_client_window(0, 3, 0, false);
    assert_int_equal(to_cli(hdlc_ctrl_s(HDLC_CTRL_RNR, 3, true), false, NULL, 0, 0), 0);
    assert_int_equal(C.nframes, 3);
    /* later: poll, the server is ready, the last segment goes */
    assert_int_equal(hdlc_tick(&C.h, EM_HDLC_RESPONSE_MS), 0);
    expect_cli(hdlc_ctrl_s(HDLC_CTRL_RR, 0, true));
    /* RR without F changes nothing but the acknowledgement */
    assert_int_equal(to_cli(hdlc_ctrl_s(HDLC_CTRL_RR, 3, false), false, NULL, 0, 0), 0);
    assert_int_equal(C.nframes, 4);
    assert_int_equal(to_cli(hdlc_ctrl_s(HDLC_CTRL_RR, 3, true), false, NULL, 0, 0), 0);
    expect_client_window(4, 1, 3, true);
    /* the answer, then the server says busy: the next request waits for a poll */
    assert_int_equal(to_cli(hdlc_ctrl_s(HDLC_CTRL_RNR, 4, false), false, NULL, 0, 0), 0);
    assert_int_equal(to_cli(hdlc_ctrl_i(0, 4, true), false, rsp, nr, 0), 0);
    assert_int_equal(C.napdu, 1);
    clear_frames(&C);
    assert_int_equal(hdlc_send_apdu(&C.h, apdu, 1), 0);
    assert_int_equal(C.nframes, 0);
    assert_int_equal(hdlc_tick(&C.h, 2 * EM_HDLC_RESPONSE_MS), 0);
    expect_cli(hdlc_ctrl_s(HDLC_CTRL_RR, 1, true));
    assert_int_equal(to_cli(hdlc_ctrl_s(HDLC_CTRL_RR, 4, true), false, NULL, 0, 0), 0);
    expect_cli(hdlc_ctrl_i(4, 1, true));
}

/* The upper layer sends its next request from inside on_apdu. */
static void test_client_request_from_callback(void **state) {
    static const uint8_t next[] = {0xC0, 0x01, 0xC2};
    uint8_t rsp[8];
    size_t nr = with_llc(rsp, LLC_RSP, (const uint8_t *)"\xC4\x01", 2);
    hdlc_frame_t f;

    (void)state;
    cli_connected(NULL, NULL, 0);
    assert_int_equal(hdlc_send_apdu(&C.h, next, 1), 0);
    C.reply = next;
    C.reply_len = sizeof next;
    clear_frames(&C);
    assert_int_equal(to_cli(hdlc_ctrl_i(0, 1, true), false, rsp, nr, 0), 0);
    assert_int_equal(C.napdu, 1);
    assert_int_equal(C.reply_rc, 0);
    assert_int_equal(C.nframes, 1);
    f = last_frame(&C);
    assert_int_equal(f.control, hdlc_ctrl_i(1, 1, true));
    assert_memory_equal(f.info + 3, next, sizeof next);
    /* an N(R) beyond what was sent gives the link up */
    C.reply = NULL;
    assert_int_equal(to_cli(hdlc_ctrl_i(1, 5, true), false, rsp, nr, 0), HDLC_ERR_NR);
    expect_cli(0x53);
    assert_int_equal(C.ev_err[C.nev - 1], HDLC_ERR_NR);
}

static void test_server_iframe_bad_nr(void **state) {
    uint8_t req[8];
    size_t n = with_llc(req, LLC_REQ, (const uint8_t *)"\xC0\x01", 2);

    (void)state;
    server_start(NULL);
    srv_connect(NULL, 0);
    assert_int_equal(to_srv(hdlc_ctrl_i(0, 5, true), false, req, n, 0), HDLC_ERR_NR);
    expect_frmr(hdlc_ctrl_i(0, 5, true), 0x00, HDLC_FRMR_Z);
    assert_int_equal(S.napdu, 0);
}

/* ================= client <-> server through the byte streams
 * ===================================== */

static uint8_t tmp_line[WIRE_CAP];

/* Feeds what `from` sent to `to` in random chunks, 1 ms per chunk. */
static void move_bytes(station_t *from, station_t *to, uint64_t *now) {
    size_t n = from->wire_len, pos = 0;

    memcpy(tmp_line, from->wire, n);
    from->wire_len = 0;
    while (pos < n) {
        size_t c = 1 + rnd() % 64;

        if (c > n - pos) {
            c = n - pos;
        }
        assert_int_equal(hdlc_input(&to->h, tmp_line + pos, c, *now), 0);
        pos += c;
        *now += 1;
    }
}

/* Runs both stations until the client waits for nothing; time jumps to the client's deadline
 * when the line is quiet (lost frames). */
static void settle(uint64_t *now) {
    int guard = 0;

    for (;;) {
        while (C.wire_len > 0 || S.wire_len > 0) {
            move_bytes(&C, &S, now);
            move_bytes(&S, &C, now);
        }
        if (C.h.wait == 0) {
            return;
        }
        *now = C.h.deadline_ms;
        assert_int_equal(hdlc_tick(&C.h, *now), 0);
        assert_int_equal(hdlc_tick(&S.h, *now), 0);
        assert_true(++guard < 10000);
    }
}

static uint8_t loop_retries; /* 0 = default */

static void loop_start(uint32_t info, uint32_t window, uint8_t addr_size, uint64_t *now) {
    hdlc_config_t sc, cc;

    memset(&S, 0, sizeof S);
    memset(&C, 0, sizeof C);
    base_cfg(&sc, &S, HDLC_ROLE_SERVER);
    base_cfg(&cc, &C, HDLC_ROLE_CLIENT);
    sc.max_info_tx = sc.max_info_rx = cc.max_info_tx = cc.max_info_rx = (uint16_t)info;
    sc.window_tx = sc.window_rx = cc.window_tx = cc.window_rx = (uint8_t)window;
    cc.server_addr_size = addr_size;
    cc.max_retries = loop_retries;
    assert_int_equal(hdlc_init(&S.h, &sc), 0);
    assert_int_equal(hdlc_init(&C.h, &cc), 0);
    S.wired = true;
    C.wired = true;
    assert_int_equal(hdlc_connect(&C.h, *now), 0);
    settle(now);
    assert_true(hdlc_is_connected(&C.h));
    assert_true(hdlc_is_connected(&S.h));
    assert_int_equal(hdlc_negotiated(&C.h)->max_info_tx, info);
    assert_int_equal(hdlc_negotiated(&S.h)->window_tx, window);
}

static uint8_t loop_req[EM_HDLC_MAX_APDU], loop_rsp[EM_HDLC_MAX_APDU];

/* One request of len bytes, answered with 2001 - len bytes. */
static void exchange(size_t len, uint64_t *now) {
    size_t srv_before = S.napdu, cli_before = C.napdu;

    fill(loop_req, len, (uint8_t)len);
    fill(loop_rsp, 2001 - len, (uint8_t)(len * 3));
    S.reply = loop_rsp;
    S.reply_len = 2001 - len;
    assert_int_equal(hdlc_send_apdu(&C.h, loop_req, len), 0);
    settle(now);
    assert_int_equal(S.napdu, srv_before + 1);
    assert_int_equal(S.reply_rc, 0);
    assert_int_equal(S.apdu_len, len);
    assert_memory_equal(S.apdu, loop_req, len);
    assert_int_equal(C.napdu, cli_before + 1);
    assert_int_equal(C.apdu_len, 2001 - len);
    assert_memory_equal(C.apdu, loop_rsp, 2001 - len);
    assert_true(hdlc_can_send(&C.h));
}

static void loop_stop(uint64_t *now) {
    assert_int_equal(hdlc_disconnect(&C.h, *now), 0);
    settle(now);
    assert_int_equal(hdlc_state(&C.h), HDLC_STATE_NDM);
    assert_int_equal(hdlc_state(&S.h), HDLC_STATE_NDM);
}

static void test_loop_all_lengths(void **state) {
    static const uint32_t infos[] = {32, 128};
    static const uint32_t windows[] = {1, 3, 7};
    size_t a, b, len;

    (void)state;
    for (a = 0; a < 2; a++) {
        for (b = 0; b < 3; b++) {
            uint64_t now = 0;

            loop_start(infos[a], windows[b], 2, &now);
            for (len = 1; len <= 2000; len++) {
                exchange(len, &now);
            }
            loop_stop(&now);
            assert_int_equal(stats_of(&S).retransmissions, 0);
            assert_int_equal(stats_of(&C).retransmissions, 0);
            assert_int_equal(stats_of(&C).timeouts, 0);
        }
    }
}

static void test_loop_address_sizes(void **state) {
    static const uint8_t sizes[] = {1, 2, 4};
    size_t k;

    (void)state;
    for (k = 0; k < 3; k++) {
        uint64_t now = 0;

        loop_start(128, 3, sizes[k], &now);
        exchange(1, &now);
        exchange(700, &now);
        loop_stop(&now);
    }
}

/* Frames lost at random in both directions: timeouts, polls and go-back retransmission
 * recover. (A periodic loss pattern can line up with the go-back window and lose the same
 * frame forever, which no real line does.) With up to 1 frame in 4 lost, four timeouts in a
 * row happen, so the client may retry more often than by default. */
static void test_loop_lossy(void **state) {
    static const uint32_t infos[] = {32, 128};
    static const uint32_t windows[] = {1, 3, 7};
    static const unsigned drops[][2] = {{7, 5}, {3, 11}, {13, 4}};
    size_t a, b, d, len;

    (void)state;
    loop_retries = 12;
    for (a = 0; a < 2; a++) {
        for (b = 0; b < 3; b++) {
            for (d = 0; d < 3; d++) {
                uint64_t now = 0;

                loop_start(infos[a], windows[b], 2, &now);
                C.drop_one_in = drops[d][0];
                S.drop_one_in = drops[d][1];
                for (len = 1; len <= 2000; len += 1 + rnd() % 150) {
                    exchange(len, &now);
                }
                assert_true(stats_of(&C).timeouts > 0);
                C.drop_one_in = 0;
                S.drop_one_in = 0;
                loop_stop(&now);
            }
        }
    }
    loop_retries = 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_snrm_vector_defaults),
        cmocka_unit_test(test_server_ua_vector_exact),
        cmocka_unit_test(test_server_negotiation),
        cmocka_unit_test(test_server_snrm_bad_params),
        cmocka_unit_test(test_server_ndm_frames),
        cmocka_unit_test(test_server_iframe_vector_response),
        cmocka_unit_test(test_server_rr_rnr),
        cmocka_unit_test(test_server_disc),
        cmocka_unit_test(test_server_frmr),
        cmocka_unit_test(test_server_ui_frames),
        cmocka_unit_test(test_server_address_sizes),
        cmocka_unit_test(test_server_four_byte_address),
        cmocka_unit_test(test_server_broadcast),
        cmocka_unit_test(test_server_client_addresses),
        cmocka_unit_test(test_server_drop_reasons),
        cmocka_unit_test(test_server_out_of_sequence),
        cmocka_unit_test(test_server_rx_segments_window1),
        cmocka_unit_test(test_server_rx_segments_window3),
        cmocka_unit_test(test_server_rx_overflow),
        cmocka_unit_test(test_server_rx_exact_max),
        cmocka_unit_test(test_server_tx_segments),
        cmocka_unit_test(test_server_retransmission),
        cmocka_unit_test(test_server_new_request_abandons_response),
        cmocka_unit_test(test_server_inactivity),
        cmocka_unit_test(test_server_snrm_resets_link),
        cmocka_unit_test(test_server_send_errors),
        cmocka_unit_test(test_init_errors),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_client_snrm_vector),
        cmocka_unit_test(test_client_ua_vector),
        cmocka_unit_test(test_client_ua_bad_params),
        cmocka_unit_test(test_client_iframe_vector),
        cmocka_unit_test(test_client_refused),
        cmocka_unit_test(test_client_connect_timeout),
        cmocka_unit_test(test_client_disconnect),
        cmocka_unit_test(test_client_request_segments),
        cmocka_unit_test(test_client_response_segments),
        cmocka_unit_test(test_client_poll_timeout),
        cmocka_unit_test(test_client_response_late),
        cmocka_unit_test(test_client_frmr_and_dm),
        cmocka_unit_test(test_client_addresses),
        cmocka_unit_test(test_client_peer_busy),
        cmocka_unit_test(test_client_request_from_callback),
        cmocka_unit_test(test_server_iframe_bad_nr),
        cmocka_unit_test(test_loop_all_lengths),
        cmocka_unit_test(test_loop_address_sizes),
        cmocka_unit_test(test_loop_lossy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
