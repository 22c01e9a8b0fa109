/*
 * fleet.c - `emeter --count N`: N virtual meters on one host, each with
 * its own identity, state directory, listener and simulated household
 * (docs/emeter.md, "Fleet").
 *
 * Meter i (0..N-1) is a child process running emeter_run() with:
 *   - state in STATE/meter-00001 .. (created as needed),
 *   - serial number = the configured one + i (so its logical device name
 *     and system title, derived from it, differ too),
 *   - every --listen / "listen" port + i (port 0 stays "any free port"),
 *   - load seed + i (a different household per meter),
 *   - no optical port, P1 port or control API (those are per-host ports).
 * The parent forwards SIGTERM/SIGINT (a power failure of the whole fleet)
 * and exits 0 when every meter saved its state and exited 0. A meter that
 * crashes or is killed is restarted at once (its flash resumes), like a
 * meter on a feeder whose fuse is replaced; the parent counts restarts.
 *
 * One process per meter keeps each meter's event loop and timers exactly
 * those of a single emeter; the core has no global state, so an in-process
 * fleet on one event loop is possible later without touching lib/.
 */
#include "fleet.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t fleet_stop;

static void on_fleet_signal(int sig) {
    (void)sig;
    fleet_stop = 1;
}

/* Meter i's options: a copy of the fleet's with its own state and ports. */
static void member_options(const emeter_options_t *base, unsigned i, emeter_options_t *o,
                           char *state, size_t cap) {
    *o = *base;
    snprintf(state, cap, "%s/meter-%05u", base->state_dir ? base->state_dir : "./var/emeter",
             i + 1);
    o->state_dir = state;
    o->fleet_index = (int)i;
    o->hdlc = NULL;
    o->p1_count = 0;
    o->control = "off";
}

static pid_t start_member(const emeter_options_t *o) {
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        int rc = emeter_run(o);
        fflush(NULL);
        _exit(rc);
    }
    return pid;
}

int emeter_fleet_run(const emeter_options_t *opt, unsigned count) {
    const char *dir = opt->state_dir ? opt->state_dir : "./var/emeter";
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "emeter: --state %s: %s\n", dir, strerror(errno));
        return 2;
    }
    emeter_options_t *opts = calloc(count, sizeof(*opts));
    char(*states)[512] = calloc(count, sizeof(*states));
    pid_t *pids = calloc(count, sizeof(*pids));
    if (opts == NULL || states == NULL || pids == NULL) {
        fprintf(stderr, "emeter: --count %u: out of memory\n", count);
        free(opts);
        free(states);
        free(pids);
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_fleet_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    fflush(stdout);
    for (unsigned i = 0; i < count && !fleet_stop; i++) {
        member_options(opt, i, &opts[i], states[i], sizeof(states[i]));
        pids[i] = start_member(&opts[i]);
        if (pids[i] < 0) {
            fprintf(stderr, "emeter: fleet meter %u: fork: %s\n", i + 1, strerror(errno));
            fleet_stop = 1;
        }
    }
    printf("emeter: fleet of %u meters, state in %s/meter-NNNNN\n", count, dir);
    fflush(stdout);
    unsigned restarts = 0, running = count;
    int status_all = 0;
    while (running > 0) {
        if (fleet_stop) {
            for (unsigned i = 0; i < count; i++)
                if (pids[i] > 0)
                    kill(pids[i], SIGTERM);
        }
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (unsigned i = 0; i < count; i++) {
            if (pids[i] != pid)
                continue;
            pids[i] = 0;
            bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            if (!fleet_stop && !clean && WIFSIGNALED(status)) {
                /* A crash: the meter comes back and resumes from its flash. */
                restarts++;
                fprintf(stderr, "emeter: fleet meter %u stopped (signal %d): restarting\n",
                        i + 1, WTERMSIG(status));
                pids[i] = start_member(&opts[i]);
                if (pids[i] > 0)
                    break;
            }
            if (!clean)
                status_all = 1;
            running--;
            break;
        }
    }
    printf("emeter: fleet stopped (%u restarts)\n", restarts);
    free(opts);
    free(states);
    free(pids);
    return status_all;
}
