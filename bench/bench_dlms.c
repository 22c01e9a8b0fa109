/*
 * bench_dlms.c - DLMS/COSEM over the TCP wrapper (IEC 62056-47) on loopback,
 * measured against the real virtual meter.
 *
 * The bench starts apps/emeter itself (<dir of the bench>/../bin/emeter, or
 * --emeter PATH) with a fresh temporary --state directory and
 * --listen 127.0.0.1:0, learns the port from its "emeter: listening on"
 * line, and drives lib/dlms/client over a blocking TCP socket with a small
 * transport of its own (lib/dlms/wrapper framing, TCP_NODELAY). It measures:
 *
 *   - GET rate: N sequential get-request-normal of the clock 0.0.1.0.0.255
 *     attribute 2 on one association, as public client 16 (no security) and
 *     as management client 1 (HLS-5 GMAC, every APDU glo-ciphered, SC 0x30,
 *     the Green Book example keys); the management client's first
 *     invocation counter is 0.0.43.1.0.255 + 1, read with the public client;
 *   - association setup rate: AARQ/AARE + RLRQ/RLRE, plain (client 16) and
 *     HLS-5 four-pass (client 1), each both ways: a new TCP connection per
 *     association, and re-association on one connection;
 *   - "read every attribute": the management association reads the
 *     object_list 0.0.40.0.0.255 attribute 2 (reassembled from blocks), then
 *     GETs every attribute the list marks readable, once with the client
 *     proposing max receive PDU 1024 and once 256.
 *
 * Answers that refuse an attribute (data-access-result, exception-response,
 * confirmedServiceError) are listed, not fatal: they are findings about the
 * meter. Anything else (transport, malformed or forged answer, rejected
 * association) stops the bench with exit status 1. A watchdog (--timeout,
 * 120 s) stops the meter and cleans up if a run hangs.
 *
 *   bench_dlms [--emeter PATH] [--variant esmr|omni] [--requests N]
 *              [--assocs N] [--timeout S]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dlms/axdr.h"
#include "dlms/client.h"
#include "dlms/wrapper.h"
#include "port_posix.h"

#define PUBLIC_CLIENT_SAP 16u
#define MGMT_CLIENT_SAP   1u
#define SERVER_SAP        1u /* management logical device */

#define DEFAULT_REQUESTS   20000L
#define DEFAULT_ASSOCS     500L
#define DEFAULT_WATCHDOG_S 120L
#define IO_TIMEOUT_S       10 /* one answer; far above any sane loopback round trip */
#define BANNER_TIMEOUT_MS  10000
#define STOP_TIMEOUT_MS    10000
#define RX_REASSEMBLY_MAX  (8u * 1024u * 1024u) /* object list, profile buffers */
#define MAX_ATTRS          64                   /* attributes per object list entry */
#define MAX_FAILURES       64                   /* failed attributes listed */
#define SLOWEST            3                    /* slowest attributes listed */

/* An error of this transport, outside every module range of conventions.md. */
#define BENCH_ERR_IO (-0x7F01)

/* dlms-facts §3.1: the Green Book example keys, which a fresh emeter uses. */
static const uint8_t example_ek[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                       0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
static const uint8_t example_ak[16] = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7,
                                       0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF};
/* The client's system title: FLAG id "BEN" and a serial number. */
static const uint8_t client_title[8] = {'B', 'E', 'N', 0x00, 0x00, 0x00, 0x00, 0x01};

static const uint8_t clock_obis[6] = {0, 0, 1, 0, 0, 255};
static const uint8_t assoc_obis[6] = {0, 0, 40, 0, 0, 255};
static const uint8_t ic_obis[6] = {0, 0, 43, 1, 0, 255};
#define CLASS_DATA  1u
#define CLASS_CLOCK 8u

/* ---- state the signal handler needs ------------------------------------------------ */

/* The watchdog and SIGINT/SIGTERM must stop the meter and remove the
 * temporary directory; a handler can only reach that through globals, and it
 * may only use async-signal-safe calls, hence fixed paths. */
static volatile pid_t g_meter_pid = -1;
static char g_tmpdir[PATH_MAX];
static char g_state_dir[PATH_MAX];
static char g_state_file[PATH_MAX];
static char g_state_tmp[PATH_MAX];
static char g_stderr_log[PATH_MAX];

/* ---- options and context ----------------------------------------------------------- */

typedef struct opts {
    char emeter[PATH_MAX];
    const char *variant; /* NULL: the meter's default */
    long requests;
    long assocs;
    long timeout_s;
} opts_t;

/* One TCP connection carrying wrapper frames; counts wire bytes. */
typedef struct conn {
    int fd;
    uint16_t client_sap;
    dlms_wrapper_rx_t rx;
    uint8_t stream[8192]; /* bytes received but not yet fed to rx */
    size_t off, len;
    uint8_t tx[DLMS_WRAPPER_HEADER_LEN + EM_WRAPPER_MAX_APDU]; /* header + request */
    uint64_t rx_bytes;
    char err[160];
} conn_t;

/* One row of the rate table. */
typedef struct stats {
    long n;
    double total_s, mean_us, median_us, p99_us, max_us;
    long over_1ms; /* stalls: an fsync in the meter shows up here */
} stats_t;

typedef struct failure {
    uint16_t class_id;
    uint8_t obis[6];
    int8_t attr;
    const char *why; /* static string from lib/dlms */
} failure_t;

typedef struct slow_attr {
    uint16_t class_id;
    uint8_t obis[6];
    int8_t attr;
    double us;
    size_t bytes;
    uint32_t blocks;
} slow_attr_t;

typedef struct readall {
    uint16_t max_pdu, server_max_pdu;
    size_t objects, attrs, failed;
    uint64_t value_bytes, wire_bytes;
    size_t list_bytes;
    uint32_t blocks;
    double list_ms, total_ms;
    failure_t failures[MAX_FAILURES];
    slow_attr_t slowest[SLOWEST];
} readall_t;

typedef struct ol_object {
    uint16_t class_id;
    uint8_t obis[6];
    uint8_t nattr;
    int8_t attr[MAX_ATTRS]; /* readable attributes */
} ol_object_t;

typedef struct bench {
    opts_t o;
    uint16_t port;
    int meter_out; /* read end of the meter's stdout */
    char version[64];
    char variant[32];
    uint32_t next_ic; /* next invocation counter of client 1 */
    em_port_t entropy;
    dlms_client_t client;
    conn_t conn;
    uint8_t *rx_buf; /* reassembly of long replies */
} bench_t;

/* ---- small helpers ------------------------------------------------------------------ */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout); /* keep the order when both go to one file */
    fputs("bench_dlms: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return -1;
}

/* One line for a failed exchange: transport reason or the client's reason. */
static int fail_rc(const conn_t *k, const char *what, int rc, const dlms_client_result_t *res) {
    if (rc == BENCH_ERR_IO) {
        return fail("%s: %s", what, k->err);
    }
    const char *why = dlms_client_strerror(rc);
    const char *reason = dlms_client_reason(rc, res);
    if (reason != why) {
        return fail("%s: %s: %s", what, why, reason);
    }
    return fail("%s: %s", what, why);
}

static void obis_text(const uint8_t o[6], char out[32]) {
    snprintf(out, 32, "%u.%u.%u.%u.%u.%u", o[0], o[1], o[2], o[3], o[4], o[5]);
}

/* ---- the meter process ------------------------------------------------------------------ */

/* Async-signal-safe: SIGTERM to the meter's process group (a power
 * failure for emeter: it saves and exits), SIGKILL when it does not exit
 * within STOP_TIMEOUT_MS. Returns the wait status, or -1 when there was no
 * meter. */
static int meter_kill(void) {
    pid_t pid = g_meter_pid;
    int status = 0;
    if (pid <= 0) {
        return -1;
    }
    if (kill(-pid, SIGTERM) != 0) {
        kill(pid, SIGTERM);
    }
    for (int i = 0; i < STOP_TIMEOUT_MS / 10; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            g_meter_pid = -1;
            return status;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (kill(-pid, SIGKILL) != 0) {
        kill(pid, SIGKILL);
    }
    waitpid(pid, &status, 0);
    g_meter_pid = -1;
    return status;
}

/* Async-signal-safe removal of the files emeter and the bench create. */
static void tmpdir_remove_known(void) {
    if (g_tmpdir[0] == '\0') {
        return;
    }
    unlink(g_state_file);
    unlink(g_state_tmp);
    rmdir(g_state_dir);
    unlink(g_stderr_log);
    rmdir(g_tmpdir);
}

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
    (void)sb;
    (void)ftw;
    return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void tmpdir_remove(void) {
    if (g_tmpdir[0] != '\0' && nftw(g_tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS) != 0) {
        fprintf(stderr, "bench_dlms: could not remove %s: %s\n", g_tmpdir, strerror(errno));
    }
    g_tmpdir[0] = '\0';
}

static void on_fatal_signal(int sig) {
    static const char alarm_msg[] = "bench_dlms: watchdog expired: stopping the meter\n";
    static const char int_msg[] = "bench_dlms: interrupted: stopping the meter\n";
    if (sig == SIGALRM) {
        (void)!write(STDERR_FILENO, alarm_msg, sizeof alarm_msg - 1);
    } else {
        (void)!write(STDERR_FILENO, int_msg, sizeof int_msg - 1);
    }
    meter_kill();
    tmpdir_remove_known();
    _exit(1);
}

static void signals_install(long watchdog_s) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    alarm((unsigned)watchdog_s);
}

static int tmpdir_create(void) {
    const char *base = getenv("TMPDIR");
    char tmpl[PATH_MAX];
    snprintf(tmpl, sizeof tmpl, "%s/bench_dlms.XXXXXX", base != NULL ? base : "/tmp");
    if (mkdtemp(tmpl) == NULL) {
        return fail("mkdtemp %s: %s", tmpl, strerror(errno));
    }
    snprintf(g_tmpdir, sizeof g_tmpdir, "%s", tmpl);
    snprintf(g_state_dir, sizeof g_state_dir, "%.4000s/state", tmpl);
    snprintf(g_state_file, sizeof g_state_file, "%.4000s/state/security.state", tmpl);
    snprintf(g_state_tmp, sizeof g_state_tmp, "%.4000s/state/.security.state.tmp", tmpl);
    snprintf(g_stderr_log, sizeof g_stderr_log, "%.4000s/emeter.stderr", tmpl);
    return 0;
}

/* fork + exec with stdout on a pipe and stderr appended to the log file. */
static pid_t spawn(char *const argv[], int *out_fd) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        fail("pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        fail("fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        /* Its own process group, so that the stop signal also reaches
         * whatever a wrapper given as --emeter (strace, perf) starts. */
        setpgid(0, 0);
        int e = open(g_stderr_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        dup2(p[1], STDOUT_FILENO);
        if (e >= 0) {
            dup2(e, STDERR_FILENO);
        }
        execv(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid); /* also here: the child may not have run yet */
    close(p[1]);
    *out_fd = p[0];
    return pid;
}

/* What the meter wrote on standard error: verbatim after a failure; after
 * a run, its association log (one line per event) as counts, and any other
 * line verbatim, since that is news. */
static void meter_print_stderr(bool summary) {
    static const char *const events[] = {"associated", "released", "timed out", "closed",
                                         "replaced"};
    long count[5] = {0};
    FILE *f = fopen(g_stderr_log, "r");
    char line[512], ev[32];
    unsigned sap = 0;
    if (f == NULL) {
        return;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        size_t e = 5;
        if (summary && sscanf(line, "emeter: client %u %31[a-z ]", &sap, ev) == 2) {
            for (e = 0; e < 5 && strcmp(ev, events[e]) != 0; e++) {
            }
        }
        if (e < 5) {
            count[e]++;
        } else if (!summary || strstr(line, "well-known DLMS example keys") == NULL) {
            fprintf(summary ? stdout : stderr, "  meter stderr: %s", line);
        }
    }
    fclose(f);
    if (summary) {
        printf("meter association log: %ld associated, %ld released, %ld timed out, %ld closed, "
               "%ld replaced\n",
               count[0], count[1], count[2], count[3], count[4]);
    }
}

/* `emeter --version`: "emeter 0.1.0". */
static int meter_version(bench_t *b) {
    char *argv[] = {b->o.emeter, "--version", NULL};
    int fd = -1, status = 0;
    char buf[128] = "";
    size_t n = 0;
    pid_t pid = spawn(argv, &fd);
    if (pid < 0) {
        return -1;
    }
    for (ssize_t r; n < sizeof buf - 1 && (r = read(fd, buf + n, sizeof buf - 1 - n)) != 0;) {
        if (r < 0 && errno != EINTR) {
            break;
        }
        n += r > 0 ? (size_t)r : 0;
    }
    buf[n] = '\0';
    close(fd);
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        sscanf(buf, "emeter %63s", b->version) != 1) {
        meter_print_stderr(false);
        return fail("%s --version failed (is it built? give --emeter PATH)", b->o.emeter);
    }
    return 0;
}

/* Looks for the banner lines in what the meter printed so far. */
static bool banner_parse(bench_t *b, const char *text) {
    const char *l = strstr(text, "emeter: listening on 127.0.0.1:");
    unsigned port = 0;
    sscanf(text, "emeter: %31s meter,", b->variant);
    if (l == NULL || strchr(l, '\n') == NULL ||
        sscanf(l, "emeter: listening on 127.0.0.1:%u (", &port) != 1 || port == 0 || port > 65535) {
        return false;
    }
    b->port = (uint16_t)port;
    return true;
}

/* Starts the meter and waits for its listening line. */
static int meter_start(bench_t *b) {
    char *argv[10];
    int argc = 0;
    argv[argc++] = b->o.emeter;
    argv[argc++] = "--state";
    argv[argc++] = g_state_dir;
    argv[argc++] = "--listen";
    argv[argc++] = "127.0.0.1:0";
    if (b->o.variant != NULL) {
        argv[argc++] = "--variant";
        argv[argc++] = (char *)b->o.variant;
    }
    argv[argc] = NULL;
    pid_t pid = spawn(argv, &b->meter_out);
    if (pid < 0) {
        return -1;
    }
    g_meter_pid = pid;
    char text[4096];
    size_t n = 0;
    double deadline = now_s() + BANNER_TIMEOUT_MS / 1000.0;
    while (n < sizeof text - 1) {
        struct pollfd p = {b->meter_out, POLLIN, 0};
        int left_ms = (int)((deadline - now_s()) * 1000.0);
        if (left_ms <= 0 || poll(&p, 1, left_ms) <= 0) {
            break;
        }
        ssize_t r = read(b->meter_out, text + n, sizeof text - 1 - n);
        if (r <= 0) {
            break; /* the meter exited before it listened */
        }
        n += (size_t)r;
        text[n] = '\0';
        if (banner_parse(b, text)) {
            return 0;
        }
    }
    meter_print_stderr(false);
    return fail("%s did not print \"emeter: listening on 127.0.0.1:PORT\"", b->o.emeter);
}

/* After the power-down the state file must hold the last client counter
 * the meter accepted (docs/emeter.md, Invocation counters): the bench's
 * last one, next_ic - 1. */
static void meter_check_state(const bench_t *b) {
    FILE *f = fopen(g_state_file, "r");
    char line[128];
    unsigned long long reserved = 0, last = 0;
    bool have_last = false;
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        sscanf(line, "tx_ic_reserved=%llu", &reserved);
        have_last |= sscanf(line, "rx_ic_last=%llu", &last) == 1;
    }
    if (f != NULL) {
        fclose(f);
    }
    printf("meter state after power-down: tx_ic_reserved=%llu rx_ic_last=%llu (client 1 sent "
           "up to %u)%s\n",
           reserved, last, b->next_ic - 1,
           have_last && last == b->next_ic - 1u ? "" : "  <-- MISMATCH");
}

/* SIGTERM, wait, check the exit status (0 after a power-down). Prints what
 * the meter said after its banner, other than the example-key warning. */
static int meter_stop(bench_t *b, bool check_state) {
    int status = meter_kill();
    char buf[4096];
    ssize_t r;
    size_t n = 0;
    /* Bounded: a wrapper script's orphan could keep the pipe open. */
    double deadline = now_s() + 1.0;
    struct pollfd p = {b->meter_out, POLLIN, 0};
    while (n < sizeof buf - 1 && now_s() < deadline &&
           poll(&p, 1, (int)((deadline - now_s()) * 1000.0) + 1) > 0 &&
           (r = read(b->meter_out, buf + n, sizeof buf - 1 - n)) > 0) {
        n += (size_t)r;
    }
    buf[n] = '\0';
    printf("\n");
    for (char *l = strtok(buf, "\n"); l != NULL; l = strtok(NULL, "\n")) {
        printf("meter stdout: %s\n", l); /* anything after the banner is news */
    }
    close(b->meter_out);
    meter_print_stderr(true);
    if (check_state) {
        meter_check_state(b);
    }
    if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return fail("the meter did not exit with status 0 after SIGTERM (wait status 0x%x)",
                    (unsigned)status);
    }
    return 0;
}

/* ---- transport: wrapper frames over a blocking TCP socket --------------------------- */

static int conn_open(conn_t *k, uint16_t port, uint16_t client_sap) {
    struct sockaddr_in a;
    struct timeval tv = {IO_TIMEOUT_S, 0};
    int one = 1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    k->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (k->fd < 0) {
        return fail("socket: %s", strerror(errno));
    }
    /* Request/answer traffic: Nagle would only add latency. */
    setsockopt(k->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(k->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(k->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(k->fd, (const struct sockaddr *)&a, sizeof a) != 0) {
        int e = errno;
        close(k->fd);
        k->fd = -1;
        return fail("connect 127.0.0.1:%u: %s", port, strerror(e));
    }
    k->client_sap = client_sap;
    k->off = k->len = 0;
    dlms_wrapper_rx_init(&k->rx, 0);
    return 0;
}

static void conn_close(conn_t *k) {
    if (k->fd >= 0) {
        close(k->fd);
    }
    k->fd = -1;
}

/* The request was built at k->tx + 8: put the header in front, send all. */
static int conn_send(conn_t *k, size_t apdu_len) {
    int n = dlms_wrapper_encode(k->client_sap, SERVER_SAP, k->tx + DLMS_WRAPPER_HEADER_LEN,
                                apdu_len, k->tx, sizeof k->tx);
    if (n < 0) {
        snprintf(k->err, sizeof k->err, "wrapper: %s", dlms_wrapper_strerror(n));
        return BENCH_ERR_IO;
    }
    for (size_t off = 0; off < (size_t)n;) {
        ssize_t w = send(k->fd, k->tx + off, (size_t)n - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            snprintf(k->err, sizeof k->err, "send: %s", strerror(errno));
            return BENCH_ERR_IO;
        }
        off += (size_t)w;
    }
    return 0;
}

/* Next complete APDU; it stays in k->rx until the next call. */
static int conn_recv(conn_t *k, const uint8_t **apdu, size_t *len) {
    for (;;) {
        if (k->off < k->len) {
            size_t used = 0;
            int rc = dlms_wrapper_rx_feed(&k->rx, k->stream + k->off, k->len - k->off, &used);
            k->off += used;
            if (rc < 0) {
                snprintf(k->err, sizeof k->err, "wrapper frame refused: %s",
                         dlms_wrapper_strerror(rc));
                return BENCH_ERR_IO;
            }
            if (rc > 0) {
                const dlms_wrapper_header_t *h = dlms_wrapper_rx_header(&k->rx);
                if (h->source_wport != SERVER_SAP || h->dest_wport != k->client_sap) {
                    snprintf(k->err, sizeof k->err, "frame from wPort %u to %u", h->source_wport,
                             h->dest_wport);
                    return BENCH_ERR_IO;
                }
                *apdu = dlms_wrapper_rx_apdu(&k->rx);
                *len = (size_t)rc;
                return 0;
            }
        }
        ssize_t r = recv(k->fd, k->stream, sizeof k->stream, 0);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            snprintf(k->err, sizeof k->err, "%s",
                     r == 0                                    ? "the meter closed the connection"
                     : errno == EAGAIN || errno == EWOULDBLOCK ? "timeout: no answer"
                                                               : strerror(errno));
            return BENCH_ERR_IO;
        }
        k->rx_bytes += (uint64_t)r;
        k->off = 0;
        k->len = (size_t)r;
    }
}

/* Sends the request of length n (or passes a builder's error through) and
 * runs the exchange to its end, as lib/dlms/client.h describes. */
static int exchange(conn_t *k, dlms_client_t *c, int n, dlms_client_result_t *res) {
    uint8_t *out = k->tx + DLMS_WRAPPER_HEADER_LEN;
    memset(res, 0, sizeof *res);
    while (n > 0) {
        const uint8_t *in = NULL;
        size_t len = 0;
        int rc = conn_send(k, (size_t)n);
        if (rc == 0) {
            rc = conn_recv(k, &in, &len);
        }
        if (rc != 0) {
            dlms_client_abort(c);
            return rc;
        }
        n = dlms_client_handle(c, in, len, out, EM_WRAPPER_MAX_APDU, res);
    }
    return n;
}

/* ---- client operations -------------------------------------------------------------- */

static uint8_t *req_buf(bench_t *b) {
    return b->conn.tx + DLMS_WRAPPER_HEADER_LEN;
}

/* Public client 16 (no security) or management client 1 (HLS-5, ciphered,
 * starting at b->next_ic); max_pdu 0 = the library's maximum. */
static int client_setup(bench_t *b, bool mgmt, uint16_t max_pdu) {
    dlms_client_settings_t s;
    dlms_client_settings_init(&s);
    if (mgmt) {
        s.mechanism = DLMS_MECH_GMAC;
        s.ciphered = true;
        memcpy(s.keys.guek, example_ek, 16);
        memcpy(s.keys.gbek, example_ek, 16);
        memcpy(s.keys.kek, example_ek, 16); /* the example KEK equals the EK */
        memcpy(s.keys.ak, example_ak, 16);
        s.tx_ic = b->next_ic;
        s.sc = 0x30; /* authenticated and encrypted, suite 0 */
    }
    memcpy(s.system_title, client_title, sizeof s.system_title);
    if (max_pdu != 0) {
        s.max_receive_pdu = max_pdu;
    }
    int rc = dlms_client_init(&b->client, &s);
    if (rc != 0) {
        return fail("client settings: %s", dlms_client_strerror(rc));
    }
    dlms_client_set_rx_buffer(&b->client, b->rx_buf, RX_REASSEMBLY_MAX);
    return 0;
}

/* The client's transmit counter survives every association of the run:
 * the meter refuses a counter it already accepted. */
static void client_save_ic(bench_t *b) {
    if (b->client.s.ciphered) {
        b->next_ic = dlms_client_tx_ic(&b->client);
    }
}

static int associate(bench_t *b) {
    uint8_t ctos[EM_SEC_CHALLENGE_LEN];
    size_t ctos_len = 0;
    dlms_client_result_t res;
    if (b->client.s.mechanism == DLMS_MECH_GMAC) {
        int e = dlms_sec_hls_challenge(&b->entropy, ctos, sizeof ctos);
        if (e != 0) {
            return fail("HLS-5 challenge: %s", dlms_client_strerror(e));
        }
        ctos_len = sizeof ctos;
    }
    int n = dlms_client_aarq(&b->client, ctos, ctos_len, req_buf(b), EM_WRAPPER_MAX_APDU);
    int rc = exchange(&b->conn, &b->client, n, &res);
    return rc == 0 ? 0 : fail_rc(&b->conn, "association", rc, &res);
}

static int release(bench_t *b) {
    dlms_client_result_t res;
    int n = dlms_client_release(&b->client, req_buf(b), EM_WRAPPER_MAX_APDU);
    int rc = exchange(&b->conn, &b->client, n, &res);
    client_save_ic(b);
    return rc == 0 ? 0 : fail_rc(&b->conn, "release", rc, &res);
}

static int get_attr(bench_t *b, uint16_t class_id, const uint8_t obis[6], int8_t attr,
                    dlms_client_result_t *res) {
    dlms_cosem_descriptor_t d = {class_id, {0}, attr};
    memcpy(d.instance_id, obis, 6);
    int n = dlms_client_get(&b->client, &d, NULL, req_buf(b), EM_WRAPPER_MAX_APDU);
    return exchange(&b->conn, &b->client, n, res);
}

/* Connect and associate as the public or the management client. */
static int session_open(bench_t *b, bool mgmt, uint16_t max_pdu) {
    if (client_setup(b, mgmt, max_pdu) != 0 ||
        conn_open(&b->conn, b->port, mgmt ? MGMT_CLIENT_SAP : PUBLIC_CLIENT_SAP) != 0) {
        return -1;
    }
    if (associate(b) != 0) {
        conn_close(&b->conn);
        return -1;
    }
    return 0;
}

static int session_close(bench_t *b) {
    int rc = release(b);
    conn_close(&b->conn);
    return rc;
}

/* The head-end's pre-step of HLS-5 (docs/emeter.md, Invocation counters):
 * read 0.0.43.1.0.255 with the public client and start one above it. */
static int read_invocation_counter(bench_t *b) {
    dlms_client_result_t res;
    axdr_dec_t d;
    axdr_value_t v;
    if (session_open(b, false, 0) != 0) {
        return -1;
    }
    int rc = get_attr(b, CLASS_DATA, ic_obis, 2, &res);
    if (rc != 0) {
        conn_close(&b->conn);
        return fail_rc(&b->conn, "invocation counter 0.0.43.1.0.255", rc, &res);
    }
    axdr_dec_init(&d, res.data.p, res.data.len);
    if (axdr_get_value(&d, &v) != 0 || v.tag != AXDR_DOUBLE_LONG_UNSIGNED || v.u >= UINT32_MAX) {
        conn_close(&b->conn);
        return fail("invocation counter 0.0.43.1.0.255 is not a double-long-unsigned");
    }
    b->next_ic = (uint32_t)v.u + 1u;
    return session_close(b);
}

/* ---- statistics --------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

static void stats_compute(double *lat_us, long n, double total_s, stats_t *st) {
    double sum = 0.0;
    qsort(lat_us, (size_t)n, sizeof *lat_us, cmp_double);
    st->over_1ms = 0;
    for (long i = 0; i < n; i++) {
        sum += lat_us[i];
        st->over_1ms += lat_us[i] > 1000.0;
    }
    st->n = n;
    st->total_s = total_s;
    st->mean_us = sum / (double)n;
    st->median_us = n % 2 ? lat_us[n / 2] : 0.5 * (lat_us[n / 2 - 1] + lat_us[n / 2]);
    st->p99_us = lat_us[(size_t)ceil(0.99 * (double)n) - 1];
    st->max_us = lat_us[n - 1];
}

static void rate_header(void) {
    printf("\n%-44s %7s %8s %9s %9s %9s %9s %9s %6s\n", "operation", "count", "total s", "per s",
           "mean us", "median us", "p99 us", "max us", ">1 ms");
    fflush(stdout);
}

static void rate_row(const char *what, const stats_t *st) {
    printf("%-44s %7ld %8.3f %9.0f %9.1f %9.1f %9.1f %9.1f %6ld\n", what, st->n, st->total_s,
           (double)st->n / st->total_s, st->mean_us, st->median_us, st->p99_us, st->max_us,
           st->over_1ms);
    fflush(stdout);
}

/* ---- measurements ------------------------------------------------------------------- */

/* N sequential GETs of the clock time on one association. */
static int bench_get_rate(bench_t *b, bool mgmt, const char *what) {
    long n = b->o.requests;
    double *lat = malloc((size_t)n * sizeof *lat);
    dlms_client_result_t res;
    stats_t st;
    if (lat == NULL) {
        return fail("out of memory");
    }
    if (session_open(b, mgmt, 0) != 0) {
        free(lat);
        return -1;
    }
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        double t = now_s();
        int rc = get_attr(b, CLASS_CLOCK, clock_obis, 2, &res);
        lat[i] = (now_s() - t) * 1e6;
        if (rc != 0) {
            free(lat);
            conn_close(&b->conn);
            client_save_ic(b);
            return fail_rc(&b->conn, "GET clock time", rc, &res);
        }
    }
    stats_compute(lat, n, now_s() - t0, &st);
    free(lat);
    rate_row(what, &st);
    return session_close(b);
}

/* One association and its release; on a new connection when reconnect. */
static int assoc_once(bench_t *b, bool reconnect, bool mgmt) {
    if (reconnect &&
        conn_open(&b->conn, b->port, mgmt ? MGMT_CLIENT_SAP : PUBLIC_CLIENT_SAP) != 0) {
        return -1;
    }
    int rc = associate(b);
    if (rc == 0) {
        rc = release(b);
    }
    if (reconnect) {
        conn_close(&b->conn);
    }
    return rc;
}

/* AARQ .. RLRE, N times: a new TCP connection each (connect and close
 * included in the time), or all on one connection. */
static int bench_assoc_rate(bench_t *b, bool mgmt, bool reconnect, const char *what) {
    long n = b->o.assocs;
    double *lat = malloc((size_t)n * sizeof *lat);
    stats_t st;
    int rc = lat != NULL ? client_setup(b, mgmt, 0) : fail("out of memory");
    if (rc == 0 && !reconnect) {
        rc = conn_open(&b->conn, b->port, mgmt ? MGMT_CLIENT_SAP : PUBLIC_CLIENT_SAP);
    }
    double t0 = now_s();
    for (long i = 0; rc == 0 && i < n; i++) {
        double t = now_s();
        rc = assoc_once(b, reconnect, mgmt);
        lat[i] = (now_s() - t) * 1e6;
    }
    if (rc == 0) {
        stats_compute(lat, n, now_s() - t0, &st);
        rate_row(what, &st);
    }
    if (!reconnect) {
        conn_close(&b->conn);
    }
    free(lat);
    return rc;
}

/* ---- read every attribute ------------------------------------------------------------ */

static bool access_readable(uint8_t mode) {
    /* read_only, read_and_write, authenticated_read_only,
     * authenticated_read_and_write */
    return mode == 1 || mode == 3 || mode == 4 || mode == 6;
}

/* attribute_access: array of structure { attribute_id integer,
 * access_mode enum, access_selectors null | array of integer }. */
static int ol_attributes(axdr_dec_t *d, ol_object_t *o) {
    uint32_t n = 0, fields = 0;
    if (axdr_get_array(d, &n) != 0) {
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        int8_t id = 0;
        uint8_t mode = 0;
        if (axdr_get_structure(d, &fields) != 0 || fields != 3 || axdr_get_int8(d, &id) != 0 ||
            axdr_get_enum(d, &mode) != 0 || axdr_skip(d) != 0) {
            return -1;
        }
        if (access_readable(mode) && o->nattr < MAX_ATTRS) {
            o->attr[o->nattr++] = id;
        }
    }
    return 0;
}

/* object_list_element ::= structure { class_id, version, logical_name,
 * access_rights structure { attribute_access, method_access } }. */
static int ol_entry(axdr_dec_t *d, ol_object_t *o) {
    uint32_t n = 0;
    uint8_t version = 0;
    const uint8_t *ln = NULL;
    size_t lnlen = 0;
    memset(o, 0, sizeof *o);
    if (axdr_get_structure(d, &n) != 0 || n != 4 || axdr_get_uint16(d, &o->class_id) != 0 ||
        axdr_get_uint8(d, &version) != 0 || axdr_get_octet_string(d, &ln, &lnlen) != 0 ||
        lnlen != 6 || axdr_get_structure(d, &n) != 0 || n != 2) {
        return -1;
    }
    memcpy(o->obis, ln, 6);
    return ol_attributes(d, o) == 0 && axdr_skip(d) == 0 ? 0 : -1;
}

/* Copies the list out of the reassembly buffer, which the next GETs reuse. */
static int ol_parse(const uint8_t *p, size_t len, ol_object_t **objs, size_t *count) {
    axdr_dec_t d;
    uint32_t n = 0;
    axdr_dec_init(&d, p, len);
    if (axdr_get_array(&d, &n) != 0 || n > len) {
        return fail("object_list is not an array");
    }
    *objs = calloc(n > 0 ? n : 1, sizeof **objs);
    if (*objs == NULL) {
        return fail("out of memory");
    }
    for (uint32_t i = 0; i < n; i++) {
        if (ol_entry(&d, &(*objs)[i]) != 0) {
            free(*objs);
            return fail("object_list entry %u is malformed", (unsigned)i + 1);
        }
    }
    *count = n;
    return 0;
}

/* Keeps the SLOWEST slowest attributes, slowest first. */
static void slowest_note(readall_t *r, const ol_object_t *o, int8_t attr, double us,
                         const dlms_client_result_t *res) {
    int i = SLOWEST - 1;
    if (us <= r->slowest[i].us) {
        return;
    }
    for (; i > 0 && us > r->slowest[i - 1].us; i--) {
        r->slowest[i] = r->slowest[i - 1];
    }
    slow_attr_t s = {o->class_id, {0}, attr, us, res->data.len, res->blocks};
    memcpy(s.obis, o->obis, 6);
    r->slowest[i] = s;
}

/* An answer that refuses one attribute is a finding, the rest is fatal. */
static bool refusal(int rc) {
    return rc == DLMS_CLIENT_ERR_DATA_ACCESS || rc == DLMS_CLIENT_ERR_EXCEPTION ||
           rc == DLMS_CLIENT_ERR_SERVICE_ERROR;
}

static int read_one(bench_t *b, readall_t *r, const ol_object_t *o, int8_t attr) {
    dlms_client_result_t res;
    double t = now_s();
    int rc = get_attr(b, o->class_id, o->obis, attr, &res);
    double us = (now_s() - t) * 1e6;
    if (rc == 0) {
        r->attrs++;
        r->value_bytes += res.data.len;
        r->blocks += res.blocks;
        slowest_note(r, o, attr, us, &res);
        return 0;
    }
    if (!refusal(rc)) {
        char name[32];
        obis_text(o->obis, name);
        fprintf(stderr, "bench_dlms: GET %s attribute %d (class %u):\n", name, attr, o->class_id);
        return fail_rc(&b->conn, "read every attribute", rc, &res);
    }
    if (r->failed < MAX_FAILURES) {
        failure_t *f = &r->failures[r->failed];
        f->class_id = o->class_id;
        memcpy(f->obis, o->obis, 6);
        f->attr = attr;
        f->why = dlms_client_reason(rc, &res);
    }
    r->failed++;
    return 0;
}

static int read_list(bench_t *b, readall_t *r, ol_object_t **objs) {
    dlms_client_result_t res;
    double t = now_s();
    int rc = get_attr(b, DLMS_CLIENT_CLASS_ASSOCIATION_LN, assoc_obis, 2, &res);
    r->list_ms = (now_s() - t) * 1e3;
    if (rc != 0) {
        return fail_rc(&b->conn, "object_list 0.0.40.0.0.255:2", rc, &res);
    }
    r->list_bytes = res.data.len;
    r->value_bytes += res.data.len;
    r->blocks += res.blocks;
    return ol_parse(res.data.p, res.data.len, objs, &r->objects);
}

/* The object list, then every readable attribute of every object. */
static int bench_read_all(bench_t *b, uint16_t max_pdu, readall_t *r) {
    ol_object_t *objs = NULL;
    memset(r, 0, sizeof *r);
    r->max_pdu = max_pdu;
    if (session_open(b, true, max_pdu) != 0) {
        return -1;
    }
    r->server_max_pdu = dlms_client_server_max_pdu(&b->client);
    uint64_t wire0 = b->conn.rx_bytes;
    double t0 = now_s();
    int rc = read_list(b, r, &objs);
    for (size_t i = 0; rc == 0 && i < r->objects; i++) {
        for (uint8_t j = 0; rc == 0 && j < objs[i].nattr; j++) {
            rc = read_one(b, r, &objs[i], objs[i].attr[j]);
        }
    }
    r->total_ms = (now_s() - t0) * 1e3;
    r->wire_bytes = b->conn.rx_bytes - wire0;
    free(objs);
    if (rc != 0) {
        conn_close(&b->conn);
        client_save_ic(b);
        return -1;
    }
    return session_close(b);
}

static void read_all_print(const readall_t *r, size_t nr) {
    printf("\nread every attribute (client 1, HLS-5, ciphered): object list 0.0.40.0.0.255:2, "
           "then each readable attribute\n");
    printf("%-12s %10s %7s %6s %6s %6s %10s %10s %8s %9s %7s\n", "client PDU", "server PDU",
           "objects", "attrs", "failed", "blocks", "value B", "wire B", "list ms", "total ms",
           "GET/s");
    for (size_t i = 0; i < nr; i++) {
        printf("%-12u %10u %7zu %6zu %6zu %6u %10llu %10llu %8.2f %9.2f %7.0f\n", r[i].max_pdu,
               r[i].server_max_pdu, r[i].objects, r[i].attrs, r[i].failed, r[i].blocks,
               (unsigned long long)r[i].value_bytes, (unsigned long long)r[i].wire_bytes,
               r[i].list_ms, r[i].total_ms,
               (double)(r[i].attrs + r[i].failed + 1) / (r[i].total_ms / 1e3));
    }
    for (size_t i = 0; i < nr; i++) {
        char name[32];
        for (size_t f = 0; f < r[i].failed && f < MAX_FAILURES; f++) {
            obis_text(r[i].failures[f].obis, name);
            printf("  PDU %u: failed %s:%d (class %u): %s\n", r[i].max_pdu, name,
                   r[i].failures[f].attr, r[i].failures[f].class_id, r[i].failures[f].why);
        }
        for (size_t s = 0; s < SLOWEST && r[i].slowest[s].us > 0.0; s++) {
            const slow_attr_t *x = &r[i].slowest[s];
            obis_text(x->obis, name);
            printf("  PDU %u: slow   %s:%d (class %u): %.0f us, %zu bytes, %u blocks\n",
                   r[i].max_pdu, name, x->attr, x->class_id, x->us, x->bytes, x->blocks);
        }
    }
}

/* ---- the run -------------------------------------------------------------------------- */

static void print_header(const bench_t *b) {
    char model[256] = "unknown CPU", line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        char *c = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && c != NULL) {
            snprintf(model, sizeof model, "%s", c + 2);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    printf("bench_dlms: emeter %s (pid %d), %s meter, 127.0.0.1:%u, TCP wrapper, TCP_NODELAY\n",
           b->version, (int)g_meter_pid, b->variant, b->port);
    printf("machine: %ld CPUs online (nproc), %s\n", sysconf(_SC_NPROCESSORS_ONLN), model);
#if defined(__OPTIMIZE__) && defined(NDEBUG)
    printf("build: optimised (__OPTIMIZE__, NDEBUG)\n");
#else
    printf("WARNING: not an optimised build (__OPTIMIZE__ or NDEBUG missing): numbers are not "
           "representative; use make bench (RelWithDebInfo)\n");
#endif
    printf("client 1 starts at invocation counter %u (0.0.43.1.0.255 + 1)\n", b->next_ic);
    fflush(stdout);
}

static int run(bench_t *b) {
    readall_t ra[2];
    if (read_invocation_counter(b) != 0) {
        return -1;
    }
    print_header(b);
    rate_header();
    if (bench_get_rate(b, false, "GET clock:2, client 16, plain") != 0 ||
        bench_get_rate(b, true, "GET clock:2, client 1, HLS-5, ciphered") != 0) {
        return -1;
    }
    static const struct {
        bool mgmt, reconnect;
        const char *what;
    } assoc[] = {
        {false, true, "assoc plain AARQ+RLRQ, new TCP conn each"},
        {false, false, "assoc plain AARQ+RLRQ, one TCP conn"},
        {true, true, "assoc HLS-5 4-pass+RLRQ, new TCP conn each"},
        {true, false, "assoc HLS-5 4-pass+RLRQ, one TCP conn"},
    };
    for (size_t i = 0; i < sizeof assoc / sizeof assoc[0]; i++) {
        if (bench_assoc_rate(b, assoc[i].mgmt, assoc[i].reconnect, assoc[i].what) != 0) {
            return -1;
        }
    }
    printf("  new TCP conn each: connect + AARQ .. RLRE + close timed together; HLS-5 4-pass:\n"
           "  AARQ/AARE, reply_to_HLS_authentication (passes 3/4), ciphered RLRQ/RLRE;\n"
           "  >1 ms: stalls, e.g. the meter syncing an invocation counter reservation\n");
    if (bench_read_all(b, 1024, &ra[0]) != 0 || bench_read_all(b, 256, &ra[1]) != 0) {
        return -1;
    }
    read_all_print(ra, 2);
    return 0;
}

/* ---- options ---------------------------------------------------------------------------- */

static void usage(FILE *f) {
    fputs("usage: bench_dlms [--emeter PATH] [--variant esmr|omni] [--requests N]\n"
          "                  [--assocs N] [--timeout S]\n"
          "  --emeter PATH  the virtual meter (default <bench dir>/../bin/emeter)\n"
          "  --requests N   GETs per rate measurement (20000)\n"
          "  --assocs N     associations per setup-rate measurement (500)\n"
          "  --timeout S    watchdog for the whole run (120)\n",
          f);
}

/* <directory of the bench>/../bin/emeter; argv[0] without a slash came
 * from PATH, so /proc/self/exe tells where the bench is. */
static void default_emeter(const char *argv0, char out[PATH_MAX]) {
    char self[PATH_MAX] = "";
    if (strchr(argv0, '/') != NULL) {
        snprintf(self, sizeof self, "%s", argv0);
    } else {
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        self[n > 0 ? n : 0] = '\0';
    }
    char *slash = strrchr(self, '/');
    if (slash == NULL) {
        snprintf(out, PATH_MAX, "../bin/emeter");
        return;
    }
    *slash = '\0';
    snprintf(out, PATH_MAX, "%.4000s/../bin/emeter", self);
}

static bool parse_count(const char *s, long min, long max, long *out) {
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

static int parse_opts(int argc, char **argv, opts_t *o) {
    memset(o, 0, sizeof *o);
    o->requests = DEFAULT_REQUESTS;
    o->assocs = DEFAULT_ASSOCS;
    o->timeout_s = DEFAULT_WATCHDOG_S;
    default_emeter(argv[0], o->emeter);
    for (int i = 1; i < argc; i += 2) { /* every option but --help takes a value */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = v != NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (ok && strcmp(a, "--emeter") == 0) {
            snprintf(o->emeter, sizeof o->emeter, "%s", v);
        } else if (ok && strcmp(a, "--variant") == 0) {
            o->variant = v;
        } else if (ok && strcmp(a, "--requests") == 0) {
            ok = parse_count(v, 1, 100000000L, &o->requests);
        } else if (ok && strcmp(a, "--assocs") == 0) {
            ok = parse_count(v, 1, 10000000L, &o->assocs);
        } else if (ok && strcmp(a, "--timeout") == 0) {
            ok = parse_count(v, 1, 86400L, &o->timeout_s);
        } else {
            ok = false;
        }
        if (!ok) {
            fprintf(stderr, "bench_dlms: bad option %s\n", a);
            usage(stderr);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    static bench_t b; /* large: client context, wrapper buffers */
    if (parse_opts(argc, argv, &b.o) != 0) {
        return 2;
    }
    b.conn.fd = -1;
    b.meter_out = -1;
    b.entropy.entropy = em_posix_entropy;
    b.rx_buf = malloc(RX_REASSEMBLY_MAX);
    if (b.rx_buf == NULL) {
        fail("out of memory");
        return 1;
    }
    signals_install(b.o.timeout_s);
    int rc = tmpdir_create();
    if (rc == 0) {
        rc = meter_version(&b);
    }
    if (rc == 0 && meter_start(&b) != 0) {
        meter_kill(); /* it failed to start: its stderr was shown */
        rc = -1;
    }
    if (rc == 0) {
        rc = run(&b);
        conn_close(&b.conn);
        if (meter_stop(&b, rc == 0) != 0) {
            rc = -1;
        }
    }
    alarm(0);
    tmpdir_remove();
    free(b.rx_buf);
    if (rc != 0) {
        fprintf(stderr, "bench_dlms: FAILED\n");
        return 1;
    }
    return 0;
}
