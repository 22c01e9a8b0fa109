/*
 * main.c - the emeter program: options and mode dispatch.
 *
 *   emeter [--variant esmr|omni] [--config FILE] [--state DIR] [--listen ADDR:PORT]...
 *          [--hdlc PATH|pty [--readout LIST]] [--seed N] [--speed N]
 *          [--p1 pty|tcp:ADDR:PORT|PATH]... [--control ADDR:PORT|off]
 *       runs the virtual meter (apps/emeter/runtime.c), optionally with its
 *       optical port (apps/emeter/optical.c), P1 port (p1port.c) and the
 *       operator control API (control.c)
 *   emeter --samples FILE ...
 *       replays recorded samples through the metrology and power-quality
 *       engine (apps/emeter/samples.c)
 *
 *   emeter --count N [the options above]
 *       a fleet of N meters (apps/emeter/fleet.c)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "objects_doc.h"
#include "runtime.h"
#include "samples.h"

#define EMETER_VERSION "0.1.0"

static void usage(FILE *out) {
    fputs("usage: emeter [--variant esmr|omni] [--config FILE] [--state DIR]\n"
          "              [--listen ADDR:PORT]... [--hdlc PATH|pty [--readout LIST]]\n"
          "              [--seed N] [--speed N] [--p1 pty|tcp:ADDR:PORT|PATH]...\n"
          "              [--control ADDR:PORT|off]\n"
          "       emeter --samples FILE [--rate HZ] [--format csv|s16|f32]\n"
          "              [--scale-v X --scale-i Y] --dump-measures OUT.jsonl\n"
          "       emeter --list-objects\n"
          "       emeter --help | --version\n"
          "\n"
          "  --list-objects      print the object table of every variant (docs/objects.md)\n"
          "\n"
          "The virtual meter (defaults: esmr, 127.0.0.1:4059, state in ./var/emeter):\n"
          "  --variant NAME      esmr (ESMR 5 meter) or omni (meter with breaker)\n"
          "  --config FILE       JSON configuration: identity, keys, listen addresses,\n"
          "                      associations (docs/emeter.md)\n"
          "  --state DIR         where the meter's flash image (registers, logs, profiles),\n"
          "                      keys and invocation counters are kept\n"
          "  --listen ADDR:PORT  DLMS TCP wrapper listener (repeatable; port 0 = any)\n"
          "  --hdlc PATH|pty     optical port on a serial device (9600 Bd 8N1) or on a new\n"
          "                      pseudo-terminal (its name is printed): IEC 62056-21\n"
          "                      readout (mode C) and HDLC with DLMS (mode E or direct)\n"
          "  --readout LIST      readout list, OBIS codes separated by commas (default\n"
          "                      96.1.0 serial, 1.8.0-2, 2.8.0-2 in kWh, 0.9.1 time, 0.9.2 date)\n"
          "  --seed N            the simulated household the meter measures (default 1,\n"
          "                      or \"load\": {\"seed\": N} in the config; docs/loadsim.md)\n"
          "  --speed N           simulated time runs N times faster than real time\n"
          "                      (1..100000, default 1); the meter keeps its own time\n"
          "                      across restarts when it ran ahead\n"
          "  --p1 OUT            P1 consumer port (DSMR 5.0.2 telegram once a second):\n"
          "                      pty (a new pseudo-terminal, name printed), tcp:ADDR:PORT\n"
          "                      (every client gets every telegram) or a serial device;\n"
          "                      repeatable (docs/p1.md)\n"
          "  --control ADDR:PORT operator control API, HTTP with JSON (default\n"
          "                      127.0.0.1:8059; off: none; docs/control-api.md)\n"
          "  SIGTERM saves and exits 0 (power failure); SIGKILL is a crash: the meter\n"
          "  resumes from its last commit (every second) and logs the outage.\n"
          "\n"
          "  --samples FILE      run the metrology and power-quality engine over recorded\n"
          "                      samples; one JSON line per second of measures and per\n"
          "                      power-quality event (docs/metrology.md)\n"
          "\n"
          "  --count N           a fleet of N meters (1..10000): meter i has serial\n"
          "                      number + i, listener ports + i, seed + i, state in\n"
          "                      STATE/meter-0000i (docs/emeter.md, Fleet)\n",
          out);
}

/* A whole decimal number in min..max, or -1 with a message. */
static int parse_number(const char *opt, const char *s, unsigned long long max,
                        unsigned long long min, unsigned long long *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min || v > max) {
        fprintf(stderr, "emeter: %s: expected a number from %llu to %llu, got \"%s\"\n", opt, min,
                max, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int need_arg(int i, int argc, char **argv) {
    if (i + 1 >= argc) {
        fprintf(stderr, "emeter: %s needs a value (emeter --help)\n", argv[i]);
        return 0;
    }
    return 1;
}

int main(int argc, char **argv) {
    emeter_options_t opt;
    memset(&opt, 0, sizeof(opt));
    opt.fleet_index = -1;
    unsigned long long count = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--samples") == 0)
            return samples_main(argc, argv);
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--list-objects") == 0)
            return objects_doc_print();
        if (strcmp(a, "--version") == 0) {
            printf("emeter %s\n", EMETER_VERSION);
            return 0;
        }
        if (strcmp(a, "--variant") == 0 || strcmp(a, "--config") == 0 ||
            strcmp(a, "--state") == 0 || strcmp(a, "--listen") == 0 || strcmp(a, "--hdlc") == 0 ||
            strcmp(a, "--readout") == 0 || strcmp(a, "--p1") == 0 || strcmp(a, "--control") == 0) {
            if (!need_arg(i, argc, argv))
                return 2;
            const char *v = argv[++i];
            if (strcmp(a, "--variant") == 0)
                opt.variant = v;
            else if (strcmp(a, "--config") == 0)
                opt.config_path = v;
            else if (strcmp(a, "--state") == 0)
                opt.state_dir = v;
            else if (strcmp(a, "--hdlc") == 0)
                opt.hdlc = v;
            else if (strcmp(a, "--readout") == 0)
                opt.readout = v;
            else if (strcmp(a, "--control") == 0)
                opt.control = v;
            else if (strcmp(a, "--p1") == 0) {
                if (opt.p1_count >= EMETER_MAX_P1) {
                    fprintf(stderr, "emeter: at most %d --p1 outputs\n", EMETER_MAX_P1);
                    return 2;
                }
                opt.p1[opt.p1_count++] = v;
            } else if (opt.listen_count < CFG_MAX_LISTEN)
                opt.listen[opt.listen_count++] = v;
            else {
                fprintf(stderr, "emeter: at most %d --listen addresses\n", CFG_MAX_LISTEN);
                return 2;
            }
            continue;
        }
        if (strcmp(a, "--seed") == 0 || strcmp(a, "--speed") == 0) {
            if (!need_arg(i, argc, argv))
                return 2;
            unsigned long long v;
            int seed = strcmp(a, "--seed") == 0;
            if (parse_number(a, argv[++i], seed ? (unsigned long long)INT64_MAX : EMETER_SPEED_MAX,
                             seed ? 0 : 1, &v) != 0)
                return 2;
            if (seed) {
                opt.seed = v;
                opt.seed_set = 1;
            } else {
                opt.speed = (uint32_t)v;
            }
            continue;
        }
        if (strcmp(a, "--count") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "emeter: --count: expected a number\n");
                return 2;
            }
            if (parse_number(a, argv[++i], EMETER_FLEET_MAX, 1, &count) != 0)
                return 2;
            continue;
        }
        fprintf(stderr, "emeter: unknown option %s (emeter --help)\n", a);
        return 2;
    }
    if (count > 1) {
        if (opt.hdlc != NULL || opt.p1_count > 0) {
            fprintf(stderr, "emeter: --count: --hdlc and --p1 are per-host ports, not for a fleet\n");
            return 2;
        }
        return emeter_fleet_run(&opt, (unsigned)count);
    }
    return emeter_run(&opt);
}
