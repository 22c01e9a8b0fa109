/*
 * state.c - keys and invocation counters kept in --state DIR (see state.h).
 */
#include "state.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_FILE  "security.state"
#define STATE_MAGIC "emeter-security-state 1"

int emeter_state_prepare_dir(const char *dir, char *err, size_t errlen) {
    char path[4096];
    if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
        snprintf(err, errlen, "%s: path too long", dir);
        return -1;
    }
    /* mkdir -p */
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            return -1;
        }
        *p = '/';
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static void put_hex(FILE *f, const char *name, const uint8_t *b, size_t n) {
    fprintf(f, "%s=", name);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02X", b[i]);
    fputc('\n', f);
}

static int get_hex(const char *s, uint8_t *out, size_t cap, size_t *n) {
    size_t len = strlen(s);
    if (len % 2 != 0 || len / 2 > cap)
        return -1;
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v;
        if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]) ||
            sscanf(s + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    *n = len / 2;
    return 0;
}

int emeter_state_save(const char *dir, const emeter_state_t *st, char *err, size_t errlen) {
    char tmp[4200], path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, STATE_FILE);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    fprintf(f, "%s\n", STATE_MAGIC);
    put_hex(f, "guek", st->guek, 16);
    put_hex(f, "gbek", st->gbek, 16);
    put_hex(f, "ak", st->ak, 16);
    put_hex(f, "kek", st->kek, 16);
    fprintf(f, "tx_ic_reserved=%u\n", st->tx_ic_reserved);
    fprintf(f, "rx_ic_last=%u\n", st->rx_ic_last);
    fprintf(f, "rx_ic_valid=%d\n", st->rx_ic_valid ? 1 : 0);
    put_hex(f, "lls_secret", st->lls_secret, st->lls_secret_len);
    fprintf(f, "security_policy=%u\n", st->security_policy);
    fprintf(f, "end\n");
    int ok = fflush(f) == 0 && fsync(fd) == 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    /* The rename is durable only once the directory entry is. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

static int parse_u32(const char *s, uint32_t *out) {
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || s[0] == '\0' || v > 0xFFFFFFFFul)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int emeter_state_load(const char *dir, emeter_state_t *st, char *err, size_t errlen) {
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[256];
    int lineno = 0, complete = 0, rc = 0;
    unsigned seen = 0;
    memset(st, 0, sizeof(*st));
    while (rc == 0 && fgets(line, sizeof(line), f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (lineno == 1) {
            if (strcmp(line, STATE_MAGIC) != 0)
                rc = -1;
            continue;
        }
        if (strcmp(line, "end") == 0) {
            complete = 1;
            break;
        }
        char *eq = strchr(line, '=');
        if (eq == NULL) {
            rc = -1;
            break;
        }
        *eq = '\0';
        const char *k = line, *v = eq + 1;
        size_t n;
        uint32_t u;
        if (strcmp(k, "guek") == 0 || strcmp(k, "gbek") == 0 || strcmp(k, "ak") == 0 ||
            strcmp(k, "kek") == 0) {
            uint8_t *dst = k[0] == 'a'   ? st->ak
                           : k[0] == 'k' ? st->kek
                           : k[1] == 'u' ? st->guek
                                         : st->gbek;
            rc = get_hex(v, dst, 16, &n) || n != 16 ? -1 : 0;
            seen |= k[0] == 'a' ? 1u : k[0] == 'k' ? 2u : k[1] == 'u' ? 4u : 8u;
        } else if (strcmp(k, "tx_ic_reserved") == 0) {
            rc = parse_u32(v, &st->tx_ic_reserved);
            seen |= 16u;
        } else if (strcmp(k, "rx_ic_last") == 0) {
            rc = parse_u32(v, &st->rx_ic_last);
        } else if (strcmp(k, "rx_ic_valid") == 0) {
            rc = parse_u32(v, &u) || u > 1 ? -1 : 0;
            st->rx_ic_valid = u == 1;
        } else if (strcmp(k, "lls_secret") == 0) {
            rc = get_hex(v, st->lls_secret, sizeof(st->lls_secret), &n);
            st->lls_secret_len = (uint8_t)n;
        } else if (strcmp(k, "security_policy") == 0) {
            rc = parse_u32(v, &u) || u > 3 ? -1 : 0;
            st->security_policy = (uint8_t)u;
        }
        /* Unknown names are skipped: a newer emeter may add fields. */
    }
    fclose(f);
    if (rc != 0 || !complete || seen != 31u) {
        snprintf(err, errlen,
                 "%s: damaged (line %d); refusing to start rather than reuse "
                 "invocation counters or lose keys",
                 path, lineno);
        return -1;
    }
    return 1;
}
