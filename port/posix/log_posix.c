/*
 * log_posix.c - log lines to a stream (stderr by default), one line each,
 * with level, optional meter tag and module.
 */
#include "port_posix.h"

static const char *level_name(enum em_log_level level) {
    switch (level) {
    case EM_LOG_ERROR:
        return "error";
    case EM_LOG_WARN:
        return "warn";
    case EM_LOG_INFO:
        return "info";
    default:
        return "debug";
    }
}

void em_posix_log(void *user, enum em_log_level level, const char *module, const char *msg) {
    const em_port_posix_t *st = user;
    if (st != NULL && level > st->log_level)
        return;
    FILE *out = (st != NULL && st->log_stream != NULL) ? st->log_stream : stderr;
    fprintf(out, "%s%s%s: %s: %s\n", st && st->log_tag ? st->log_tag : "",
            st && st->log_tag ? " " : "", level_name(level), module ? module : "-", msg ? msg : "");
    fflush(out);
}
