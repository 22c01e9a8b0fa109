/*
 * fuzz_hdlc.c - libFuzzer target for the HDLC frame codec and the server state machine
 * (IEC 62056-46).
 *
 * Input: one configuration byte, then records:
 *   00xxxxxx  raw chunk of xxxxxx+1 bytes: fed to the server's byte stream, to a standalone
 *             deframer and to hdlc_frame_parse (round trip checked when it parses)
 *   01xxxxxx  ctrl flags len [info]: a well-formed frame (valid HCS/FCS) built from the fields,
 *             so the fuzzer reaches the states behind SNRM without guessing CRCs
 *   10xxxxxx  time advances xxxxxx seconds, hdlc_tick
 *   11xxxxxx  the upper layer queues a response of xxxxxx * 32 bytes
 * The server echoes every APDU it receives. Invariants (__builtin_trap on violation): every
 * frame it sends parses with a valid FCS, fits the frame buffer, goes to a 1-byte client
 * address, and an I/UI frame carries at most the negotiated max info length; the parser's
 * round trip rebuilds the input byte for byte; SNRM/UA parameters decode identically after
 * re-encoding; the deframer hands on frames whose length field matches.
 */
#include <stdint.h>
#include <string.h>

#include "dlms/hdlc.h"

static hdlc_t srv;
static uint64_t now_ms;

static void check(int ok) {
    if (!ok) {
        __builtin_trap();
    }
}

static int srv_tx(void *user, const uint8_t *frame, size_t len) {
    hdlc_frame_t f;

    (void)user;
    check(len <= HDLC_FRAME_BUF_LEN);
    check(hdlc_frame_parse(frame, len, &f) == 0);
    check(f.dest.size == 1);
    if (hdlc_ctrl_is_i(f.control) ||
        (hdlc_ctrl_is_u(f.control) && hdlc_ctrl_cmd(f.control) == HDLC_CTRL_UI)) {
        check(f.info_len <= hdlc_negotiated(&srv)->max_info_tx);
    }
    return 0;
}

static void srv_apdu(void *user, const uint8_t *apdu, size_t len) {
    (void)user;
    check(len <= EM_HDLC_MAX_APDU);
    hdlc_send_apdu(&srv, apdu, len); /* echo; may be busy */
}

static void srv_event(void *user, hdlc_event_t ev, int err) {
    (void)user;
    check(ev <= HDLC_EVENT_APDU_ERROR);
    check(err <= 0);
}

static void deframer_frame(void *user, const uint8_t *frame, size_t len) {
    (void)user;
    check(len >= HDLC_MIN_FRAME_LEN && len + 2 <= HDLC_FRAME_BUF_LEN);
    check((size_t)(((frame[0] & 0x07) << 8) | frame[1]) == len);
}

/* Parse, rebuild, compare: the codec has a single encoding for what it accepts. */
static void check_parse(const uint8_t *data, size_t len) {
    static uint8_t out[HDLC_MAX_FRAME_LEN + 2];
    hdlc_frame_t f;
    hdlc_params_t p, q;
    uint8_t enc[HDLC_PARAMS_MAX_LEN];
    int n;

    if (hdlc_frame_parse(data, len, &f) != 0) {
        return;
    }
    n = hdlc_frame_build(&f, out, sizeof out);
    check(n > 0);
    if (data[0] == HDLC_FLAG) {
        check((size_t)n == len && memcmp(out, data, len) == 0);
    } else {
        check((size_t)n == len + 2 && memcmp(out + 1, data, len) == 0);
    }
    if (hdlc_params_decode(f.info, f.info_len, &p) == 0) {
        n = hdlc_params_encode(&p, enc, sizeof enc);
        check(n > 0);
        check(hdlc_params_decode(enc, (size_t)n, &q) == 0);
        check(memcmp(&p, &q, sizeof p) == 0);
    }
}

static hdlc_addr_t dest_form(uint8_t sel) {
    static const hdlc_addr_t forms[4] = {{1, 17, 2}, {1, 0, 1}, {1, 17, 4}, {1, 0x7F, 2}};
    return forms[sel & 3];
}

static hdlc_addr_t src_form(uint8_t sel) {
    static const hdlc_addr_t forms[4] = {{16, 0, 1}, {1, 0, 1}, {0x7F, 0, 1}, {16, 1, 2}};
    return forms[sel & 3];
}

/* 01xxxxxx ctrl flags len [info]; flags: bit0 S, bits1-2 destination, bits3-4 source,
 * bit5 through the byte stream, bit6 adds 256 to len. Returns the bytes used. */
static size_t structured(const uint8_t *d, size_t n) {
    static uint8_t buf[HDLC_FRAME_BUF_LEN + 512];
    hdlc_frame_t f;
    size_t info_len;
    int len;

    if (n < 3) {
        return n;
    }
    memset(&f, 0, sizeof f);
    f.control = d[0];
    f.segmented = (d[1] & 0x01) != 0;
    f.dest = dest_form((uint8_t)(d[1] >> 1));
    f.src = src_form((uint8_t)(d[1] >> 3));
    info_len = d[2] + ((d[1] & 0x40) ? 256u : 0u);
    if (info_len > n - 3) {
        info_len = n - 3;
    }
    f.info = d + 3;
    f.info_len = info_len;
    len = hdlc_frame_build(&f, buf, sizeof buf);
    if (len > 0) {
        if (d[1] & 0x20) {
            hdlc_input(&srv, buf, (size_t)len, now_ms);
        } else {
            hdlc_input_frame(&srv, buf, (size_t)len, now_ms);
        }
        check_parse(buf, (size_t)len);
    }
    return 3 + info_len;
}

static void configure(uint8_t c) {
    static const uint16_t infos[4] = {32, 128, 154, EM_HDLC_MAX_INFO_LEN};
    static const uint8_t windows[4] = {1, 2, 3, 7};
    hdlc_config_t cfg;

    memset(&cfg, 0, sizeof cfg);
    cfg.role = HDLC_ROLE_SERVER;
    cfg.server_upper = 1;
    cfg.server_lower = 17;
    cfg.client_sap = (c & 0x80) ? 16 : 0;
    cfg.max_info_tx = infos[c & 3];
    cfg.max_info_rx = infos[(c >> 2) & 3];
    cfg.window_tx = windows[(c >> 4) & 3];
    cfg.window_rx = windows[(c >> 5) & 3];
    cfg.broadcast_replies = (c & 0x40) != 0;
    cfg.tx = srv_tx;
    cfg.on_apdu = srv_apdu;
    cfg.on_event = srv_event;
    check(hdlc_init(&srv, &cfg) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t apdu[EM_HDLC_MAX_APDU];
    static hdlc_deframer_t d;
    size_t pos = 1;

    if (size == 0) {
        return 0;
    }
    now_ms = 0;
    configure(data[0]);
    hdlc_deframer_init(&d, EM_HDLC_INTER_OCTET_MS, deframer_frame, NULL);
    while (pos < size) {
        uint8_t hdr = data[pos++];
        size_t arg = hdr & 0x3F;

        if ((hdr & 0xC0) == 0x00) {
            size_t n = arg + 1 < size - pos ? arg + 1 : size - pos;

            hdlc_input(&srv, data + pos, n, now_ms);
            hdlc_deframer_feed(&d, data + pos, n, now_ms);
            check_parse(data + pos, n);
            pos += n;
            now_ms += 1;
        } else if ((hdr & 0xC0) == 0x40) {
            pos += structured(data + pos, size - pos);
        } else if ((hdr & 0xC0) == 0x80) {
            now_ms += arg * 1000u;
            hdlc_tick(&srv, now_ms);
        } else {
            memset(apdu, (int)arg, sizeof apdu);
            hdlc_send_apdu(&srv, apdu, arg * 32u);
        }
        check(srv.tx_len <= sizeof srv.tx_buf && srv.rx_len <= sizeof srv.rx_buf);
        check(srv.vs < 8 && srv.vr < 8);
    }
    return 0;
}
