/*
 * fuzz_comm.c - hostile SETs and ACTIONs into the communication setup
 * objects (TCP-UDP 41, IPv4 42, PPP 44, GPRS modem 45, GSM diagnostic 47,
 * LTE monitoring 151, Auto connect 29, Auto answer 28) of
 * tests/unit/test_cosem_comm_table.h, window evaluations at fuzzer-chosen
 * instants and destination parsing of raw bytes.
 *
 * Input: records, at most MAX_RECORDS:
 *   op % 4 == 0  SET:    op | object | attribute | len (2 bytes) | value
 *   op % 4 == 1  ACTION: op | object | method | len (2 bytes) | params
 *   object: index in the table of cm_objects() (modulo its size)
 *   op % 4 == 2  windows: op | d2 d1 d0: evaluate both window lists (and
 *                every pattern's prev/next) at base + (d - 2^23) x 16 s
 *   op % 4 == 3  destination: op | len | bytes
 *
 * Invariants (trap on violation):
 *   - results are 0, a result code 1..255 or a COSEM/A-XDR error;
 *   - a refused SET changes no byte of the application state;
 *   - a successful SET reads back, and writing what was read succeeds and
 *     reads back the same (except the PPP authentication, whose password
 *     reads empty by design and is then refused);
 *   - windows: inside => end > now; next_start > now, and >= end when
 *     inside; prev <= now < next for every pattern;
 *   - a parsed destination has a host inside the input and a valid kind;
 *   - every readable attribute still reads as one Data, counts stay within
 *     the configuration.
 *
 * FUZZ_EXTRA_SOURCES: tests/support/cosem_test_table.c
 */
#include <stdint.h>
#include <string.h>

#include "../tests/unit/test_cosem_comm_table.h"

#define MAX_RECORDS 24
#define BASE_UTC    1705320000 /* 2024-01-15 12:00:00 UTC */

static cm_t T;

static void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

static void result_ok(int rc) {
    check(rc >= 0 ? rc <= 255 : (rc <= -0x0100 && rc >= -0x09FF));
}

static void check_data(const uint8_t *p, size_t n) {
    size_t used = 0;
    check(axdr_validate(p, n, &used) == 0 && used == n);
}

static const cosem_object_t *object(uint8_t sel) {
    size_t n;
    const cosem_object_t *objs = cm_objects(&n);
    return &objs[sel % n];
}

static void read_all(void) {
    static uint8_t out[2048];
    size_t n;
    const cosem_object_t *objs = cm_objects(&n);
    for (size_t i = 0; i < n; i++) {
        for (int8_t a = 1; a <= objs[i].cls->attr_count; a++) {
            size_t len = 0;
            int rc = cm_get(&T, objs[i].cls->class_id, objs[i].ln, a, out, sizeof(out), &len);
            check(rc == 0 || (a == 2 && objs[i].cls == &cosem_class_clock));
            if (rc == 0) {
                check_data(out, len);
            }
        }
    }
}

static void check_state(void) {
    const cm_app_t *a = &T.app;
    check(a->ac.window_count <= EM_COSEM_COMM_WINDOWS &&
          a->ac.dest_count <= EM_COSEM_COMM_DESTINATIONS);
    check(a->aa.window_count <= EM_COSEM_COMM_WINDOWS &&
          a->aa.caller_count <= EM_COSEM_COMM_CALLERS);
    check(a->ipv4.mc_count <= EM_COSEM_COMM_MULTICAST &&
          a->ipv4.option_count <= EM_COSEM_COMM_IP_OPTIONS);
    check(a->ppp.lcp_count <= EM_COSEM_COMM_PPP_OPTIONS &&
          a->ppp.ipcp_count <= EM_COSEM_COMM_PPP_OPTIONS);
    check(a->gprs.apn_len <= EM_COSEM_COMM_APN_MAX);
    check(a->tcp.nb_of_sim_conn >= 1 && a->tcp.nb_of_sim_conn <= 2 && a->tcp.port != 0);
    check(cosem_auto_connect_mode_ok(a->ac.mode));
}

static void round_trip(const cosem_object_t *o, int8_t id) {
    static uint8_t first[2048], second[2048];
    size_t n1 = 0, n2 = 0;
    uint16_t cid = o->cls->class_id;
    if ((cid == COSEM_CLASS_CLOCK && id == 2) || (cid == COSEM_CLASS_PPP_SETUP && id == 5)) {
        return;
    }
    check(cm_get(&T, cid, o->ln, id, first, sizeof(first), &n1) == 0);
    check_data(first, n1);
    check(cm_set(&T, cid, o->ln, id, first, n1) == 0);
    check(cm_get(&T, cid, o->ln, id, second, sizeof(second), &n2) == 0);
    check(n1 == n2 && memcmp(first, second, n1) == 0);
}

static void do_set(const cosem_object_t *o, int8_t id, const uint8_t *v, size_t n) {
    static cm_app_t before;
    before = T.app;
    int rc = cm_set(&T, o->cls->class_id, o->ln, id, v, n);
    result_ok(rc);
    if (rc != 0) {
        check(memcmp(&before, &T.app, sizeof(before)) == 0);
        return;
    }
    round_trip(o, id);
}

static void do_action(const cosem_object_t *o, int8_t id, const uint8_t *p, size_t n) {
    static uint8_t ret[256];
    size_t len = 0;
    result_ok(
        cm_action(&T, o->cls->class_id, o->ln, id, n > 0 ? p : NULL, n, ret, sizeof(ret), &len));
    if (len > 0) {
        check_data(ret, len);
    }
}

static void check_windows(const cosem_comm_window_t *w, uint8_t n, int64_t wall) {
    cosem_comm_window_eval_t ev;
    check(cosem_comm_windows_eval(w, n, wall, &ev) == 0);
    if (ev.inside) {
        check(ev.end > wall);
        check(ev.next_start == INT64_MAX || ev.next_start >= ev.end);
    } else {
        check(ev.next_start > wall);
    }
    for (uint8_t i = 0; i < n; i++) {
        const cosem_datetime_t *p[2] = {&w[i].start, &w[i].end};
        for (int k = 0; k < 2; k++) {
            int64_t occ;
            if (cosem_comm_pattern_prev(p[k], wall, &occ) == 0) {
                check(occ <= wall);
            }
            if (cosem_comm_pattern_next(p[k], wall, &occ) == 0) {
                check(occ > wall);
            }
        }
    }
}

static void do_windows(const uint8_t *d) {
    int32_t delta = (int32_t)(((uint32_t)d[0] << 16) | ((uint32_t)d[1] << 8) | d[2]) - 0x800000;
    int64_t wall = cosem_wall_of(&T.app.clock, (int64_t)BASE_UTC + (int64_t)delta * 16);
    check_windows(T.app.ac.windows, T.app.ac.window_count, wall);
    check_windows(T.app.aa.windows, T.app.aa.window_count, wall);
    result_ok(cosem_auto_connect_allows(&T.app.ac, (uint8_t)(d[2] % 7), wall));
}

static void do_destination(const uint8_t *p, size_t n) {
    cosem_comm_dest_t d;
    if (cosem_comm_parse_destination(p, n, &d) == 0) {
        check(d.kind == COSEM_COMM_DEST_IPV4 || d.kind == COSEM_COMM_DEST_FQDN);
        check(d.host == p && d.host_len > 0 && d.host_len <= n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (cm_setup(&T, BASE_UTC) != 0) {
        __builtin_trap();
    }
    size_t pos = 0;
    for (int r = 0; r < MAX_RECORDS && pos < size; r++) {
        uint8_t op = data[pos++];
        if (op % 4 == 2) {
            if (size - pos < 3) {
                break;
            }
            do_windows(data + pos);
            pos += 3;
        } else if (op % 4 == 3) {
            if (size - pos < 1) {
                break;
            }
            size_t n = data[pos++];
            n = n < size - pos ? n : size - pos;
            do_destination(data + pos, n);
            pos += n;
        } else {
            if (size - pos < 4) {
                break;
            }
            const cosem_object_t *o = object(data[pos]);
            int8_t id = (int8_t)data[pos + 1];
            size_t n = ((size_t)data[pos + 2] << 8) | data[pos + 3];
            pos += 4;
            n = n < size - pos ? n : size - pos;
            if (op % 4 == 0) {
                do_set(o, id, data + pos, n);
            } else {
                do_action(o, id, data + pos, n);
            }
            pos += n;
        }
        check_state();
    }
    read_all();
    return 0;
}
