/*
 * commands.c - the commands of the dlms tool (DESIGN.md contract, user
 * guide in docs/dlms-cli.md): list, get, set, action, profile, ic, clock.
 *
 * Every command checks its arguments before it connects (a typo never costs
 * an association), opens one session, runs its requests and prints the
 * result on stdout as text, JSON or CSV. The firmware commands (upgrade,
 * image-build, image-info) are in upgrade.c. Objects are addressed by OBIS code
 * and attribute/method id; the class id the wire needs comes from --class,
 * else from a table of well-known codes (checked against the object list of
 * the association when the meter answers object-class-inconsistent), else
 * from the object list itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dlms/apdu.h"
#include "format.h"
#include "listen.h"
#include "obis_parse.h"
#include "objlist.h"
#include "rows.h"
#include "session.h"
#include "upgrade.h"
#include "value_parse.h"

static const uint8_t current_association[6] = {0, 0, 40, 0, 0, 255};
static const uint8_t clock_obis[6] = {0, 0, 1, 0, 0, 255};

#define CMD_MAX_CAPTURE 512

/* ---- argument checks --------------------------------------------------------------- */

static int usage_error(const char *fmt, const char *arg) {
    fputs("dlms: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return CLI_EXIT_USAGE;
}

static int need_args(const cli_opts_t *o, int min, int max, const char *synopsis) {
    if (o->nargs < min || o->nargs > max) {
        return usage_error("usage: dlms [options] %s", synopsis);
    }
    return CLI_OK;
}

static int arg_obis(const char *s, uint8_t obis[6]) {
    char err[200];
    if (obis_parse(s, obis, err, sizeof err) != 0) {
        return usage_error("%s", err);
    }
    return CLI_OK;
}

/* Attribute or method id: 1..127 (0 is "all attributes" for attribute0 GETs). */
static int arg_id(const char *s, const char *what, int min, int8_t *id) {
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < min || v > 127) {
        fprintf(stderr, "dlms: %s '%s' is not a number %d..127\n", what, s, min);
        return CLI_EXIT_USAGE;
    }
    *id = (int8_t)v;
    return CLI_OK;
}

static int arg_value(const char *text, uint8_t **out, size_t *len) {
    axdr_enc_t e;
    char err[200];
    *out = malloc(1u << 20);
    if (*out == NULL) {
        return usage_error("%s", "out of memory");
    }
    axdr_enc_init(&e, *out, 1u << 20);
    if (value_parse(text, &e, err, sizeof err) != 0) {
        free(*out);
        *out = NULL;
        return usage_error("%s", err);
    }
    *len = e.len;
    return CLI_OK;
}

/* Options that only some commands take. */
static int only_for(const cli_opts_t *o, bool profile, bool classed) {
    if (!profile &&
        (o->from != NULL || o->to != NULL || o->entries != NULL || o->columns != NULL || o->csv)) {
        return usage_error("%s", "--from, --to, --entries, --columns and --csv are for profile");
    }
    if (!classed && o->class_id >= 0) {
        return usage_error("%s", "--class is for get, set, action and profile");
    }
    return CLI_OK;
}

/* ---- opening the session --------------------------------------------------------------- */

static void print_obis(const cli_opts_t *o, const uint8_t obis[6], char out[OBIS_STR_MAX]) {
    if (o->iec) {
        obis_format_iec(obis, out);
    } else {
        obis_format(obis, out);
    }
}

/* The value of an invocation counter object as an unsigned number. */
static int ic_value(const uint8_t *p, size_t len, uint64_t *v) {
    axdr_dec_t d;
    axdr_value_t x;
    axdr_dec_init(&d, p, len);
    if (axdr_get_value(&d, &x) != 0 || axdr_dec_remaining(&d) != 0) {
        return -1;
    }
    if (x.tag != AXDR_DOUBLE_LONG_UNSIGNED && x.tag != AXDR_LONG64_UNSIGNED &&
        x.tag != AXDR_LONG_UNSIGNED && x.tag != AXDR_UNSIGNED) {
        return -1;
    }
    *v = x.u;
    return 0;
}

/* The invocation counter objects to try: --ic-obis, or 0.0.43.1.0.255
 * (DSMR) then 0.0.43.1.<client>.255. */
static size_t ic_candidates(const cli_opts_t *o, uint8_t obis[2][6]) {
    if (o->ic_obis != NULL && obis_parse(o->ic_obis, obis[0], NULL, 0) == 0) {
        return 1;
    }
    const uint8_t dsmr[6] = {0, 0, 43, 1, 0, 255};
    memcpy(obis[0], dsmr, 6);
    memcpy(obis[1], dsmr, 6);
    obis[1][4] = (uint8_t)o->client_sap;
    return o->client_sap != 0 && o->client_sap != CLI_PUBLIC_CLIENT ? 2 : 1;
}

/* Reads an invocation counter over an open (public) session. */
static int ic_read(session_t *s, uint8_t obis[2][6], size_t n, size_t *which, uint64_t *v) {
    dlms_client_result_t res;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t *val = NULL;
        size_t len = 0;
        rc = session_get(s, 1, obis[i], 2, &val, &len, &res);
        if (rc == 0) {
            rc = ic_value(val, len, v) == 0 ? 0 : DLMS_CLIENT_ERR_MALFORMED;
            free(val);
            *which = i;
            return rc == 0 ? 0 : session_fail(s, rc, &res, "invocation counter");
        }
        if (rc != DLMS_CLIENT_ERR_DATA_ACCESS) {
            break;
        }
    }
    return session_fail(s, rc, &res, "invocation counter");
}

static int open_public(session_t *s, const cli_opts_t *o) {
    session_params_t p = {CLI_PUBLIC_CLIENT, DLMS_MECH_NONE, false, 1};
    return session_open(s, o, &p);
}

/* The classic pre-step of HLS-5: the public client reads the counter the
 * meter expects next, so this run never repeats an old one. */
static uint32_t auto_ic(const cli_opts_t *o) {
    session_t s;
    uint8_t obis[2][6];
    size_t n = ic_candidates(o, obis), which = 0;
    uint64_t v = 0;
    int rc = open_public(&s, o);
    if (rc == CLI_OK) {
        rc = ic_read(&s, obis, n, &which, &v);
        session_close(&s);
    }
    if (rc != CLI_OK || v >= UINT32_MAX) {
        fprintf(stderr, "dlms: warning: invocation counter unknown, starting at 1 "
                        "(give --ic N)\n");
        return 1;
    }
    if (o->verbose > 0) {
        char name[OBIS_STR_MAX];
        print_obis(o, obis[which], name);
        fprintf(stderr, "dlms: invocation counter %s = %llu, using %llu\n", name,
                (unsigned long long)v, (unsigned long long)v + 1);
    }
    return (uint32_t)v + 1;
}

static int open_main(session_t *s, const cli_opts_t *o) {
    session_params_t p = {o->client_sap, o->mechanism, o->ciphered, 1};
    if (o->ic_given) {
        p.tx_ic = o->ic;
    } else if (o->ciphered || o->mechanism == DLMS_MECH_GMAC) {
        p.tx_ic = auto_ic(o);
    }
    return session_open(s, o, &p);
}

int cli_open_session(session_t *s, const cli_opts_t *o) {
    return open_main(s, o);
}

/* ---- class ids ------------------------------------------------------------------------ */

static int objlist_read(session_t *s, uint8_t **val, size_t *len) {
    dlms_client_result_t res;
    int rc = session_get(s, 15, current_association, 2, val, len, &res);
    return rc == 0 ? 0 : session_fail(s, rc, &res, "object list (0.0.40.0.0.255 attribute 2)");
}

static int class_from_list(session_t *s, const uint8_t obis[6], uint16_t *class_id) {
    uint8_t *val = NULL;
    size_t len = 0;
    int rc = objlist_read(s, &val, &len);
    if (rc != CLI_OK) {
        return rc;
    }
    *class_id = objlist_find_class(val, len, obis);
    free(val);
    if (*class_id == 0) {
        char name[OBIS_STR_MAX];
        print_obis(s->o, obis, name);
        fprintf(stderr,
                "dlms: %s is not in the object list of this association "
                "(give --class N)\n",
                name);
        return CLI_EXIT_REFUSED;
    }
    return CLI_OK;
}

/* --class, the table, or the object list. *guessed: from the table. */
static int class_resolve(session_t *s, const uint8_t obis[6], uint16_t *class_id, bool *guessed) {
    *guessed = false;
    if (s->o->class_id >= 0) {
        *class_id = (uint16_t)s->o->class_id;
        return CLI_OK;
    }
    *class_id = objlist_default_class(obis);
    if (*class_id != 0) {
        *guessed = true;
        return CLI_OK;
    }
    return class_from_list(s, obis, class_id);
}

/* After object-class-inconsistent for a guessed class: the right one, if
 * the object list knows better. */
static bool class_retry(session_t *s, int rc, const dlms_client_result_t *res,
                        const uint8_t obis[6], uint16_t *class_id, bool *guessed) {
    if (!*guessed || rc != DLMS_CLIENT_ERR_DATA_ACCESS ||
        res->dar != DLMS_DAR_OBJECT_CLASS_INCONSISTENT) {
        return false;
    }
    uint16_t listed = 0;
    *guessed = false;
    if (class_from_list(s, obis, &listed) != CLI_OK || listed == *class_id) {
        return false;
    }
    *class_id = listed;
    return true;
}

/* ---- printing ------------------------------------------------------------------------------ */

static void emit(sbuf_t *sb) {
    fputs(sb_str(sb), stdout);
    fputc('\n', stdout);
    fflush(stdout);
    sb_reset(sb);
}

static fmt_mode_t text_mode(const cli_opts_t *o) {
    return o->typed ? FMT_TYPED : FMT_TEXT;
}

/* The scaler_unit attribute of registers (classes 3, 4: 3; class 5: 4). */
static int8_t scaler_attr(uint16_t class_id, int8_t attr) {
    if ((class_id == 3 || class_id == 4) && attr == 2) {
        return 3;
    }
    if (class_id == 5 && (attr == 2 || attr == 3)) {
        return 4;
    }
    return 0;
}

static void scaled_text(session_t *s, uint16_t class_id, const uint8_t obis[6], int8_t attr,
                        const uint8_t *val, size_t len, sbuf_t *out) {
    int8_t sa = scaler_attr(class_id, attr);
    uint8_t *su = NULL;
    size_t sulen = 0;
    dlms_client_result_t res;
    if (sa == 0 || s->o->raw || session_get(s, class_id, obis, sa, &su, &sulen, &res) != 0) {
        return;
    }
    fmt_scaled(out, val, len, su, sulen);
    free(su);
}

static void print_value(session_t *s, uint16_t class_id, const uint8_t obis[6], int8_t attr,
                        const uint8_t *val, size_t len) {
    sbuf_t sb, sc;
    sb_init(&sb);
    sb_init(&sc);
    scaled_text(s, class_id, obis, attr, val, len, &sc);
    if (s->o->json) {
        char name[OBIS_STR_MAX];
        print_obis(s->o, obis, name);
        sb_printf(&sb, "{\"obis\":\"%s\",\"class\":%u,\"attribute\":%d,\"value\":", name, class_id,
                  attr);
        fmt_value(&sb, FMT_JSON, val, len, false);
        sbuf_t ty;
        sb_init(&ty);
        fmt_value(&ty, FMT_TYPED, val, len, false);
        sb_puts(&sb, ",\"typed\":");
        fmt_json_string(&sb, sb_str(&ty), ty.len);
        sb_free(&ty);
        if (sc.len > 0) {
            sb_puts(&sb, ",\"scaled\":");
            fmt_json_string(&sb, sb_str(&sc), sc.len);
        }
        sb_putc(&sb, '}');
    } else {
        fmt_value(&sb, text_mode(s->o), val, len, true);
        if (sc.len > 0) {
            sb_printf(&sb, " (%s)", sb_str(&sc));
        }
    }
    emit(&sb);
    sb_free(&sb);
    sb_free(&sc);
}

static void print_ok(const cli_opts_t *o, const char *what, const uint8_t obis[6], int id) {
    char name[OBIS_STR_MAX];
    print_obis(o, obis, name);
    if (o->json) {
        printf("{\"obis\":\"%s\",\"%s\":%d,\"result\":\"success\"}\n", name, what, id);
    } else {
        printf("ok\n");
    }
    fflush(stdout);
}

/* ---- list -------------------------------------------------------------------------------------
 */

typedef struct list_out {
    const cli_opts_t *o;
    size_t n;
    sbuf_t sb;
} list_out_t;

static int list_entry(void *user, const objlist_entry_t *e) {
    list_out_t *l = user;
    if (l->o->json) {
        sb_puts(&l->sb, l->n == 0 ? "[\n  " : ",\n  ");
    }
    objlist_format(&l->sb, e, l->o->json, l->o->iec);
    fputs(sb_str(&l->sb), stdout);
    if (!l->o->json) {
        fputc('\n', stdout);
    }
    sb_reset(&l->sb);
    l->n++;
    return 0;
}

static int cmd_list(const cli_opts_t *o) {
    int rc = need_args(o, 0, 0, "list");
    if (rc == CLI_OK) {
        rc = only_for(o, false, false);
    }
    session_t s;
    if (rc != CLI_OK || (rc = open_main(&s, o)) != CLI_OK) {
        return rc;
    }
    uint8_t *val = NULL;
    size_t len = 0;
    rc = objlist_read(&s, &val, &len);
    if (rc == CLI_OK) {
        list_out_t l = {o, 0, {0}};
        char err[200] = "";
        if (objlist_walk(val, len, list_entry, &l, err, sizeof err) != 0) {
            fprintf(stderr, "dlms: %s\n", err);
            rc = CLI_EXIT_PROTOCOL;
        }
        if (o->json) {
            fputs(l.n == 0 ? "[]\n" : "\n]\n", stdout);
        }
        sb_free(&l.sb);
    }
    free(val);
    session_close(&s);
    return rc;
}

/* ---- get / set / action
 * --------------------------------------------------------------------------- */

static int do_get(session_t *s, const uint8_t obis[6], int8_t attr) {
    uint16_t class_id = 0;
    bool guessed = false;
    int rc = class_resolve(s, obis, &class_id, &guessed);
    if (rc != CLI_OK) {
        return rc;
    }
    uint8_t *val = NULL;
    size_t len = 0;
    dlms_client_result_t res;
    do {
        rc = session_get(s, class_id, obis, attr, &val, &len, &res);
    } while (rc != 0 && class_retry(s, rc, &res, obis, &class_id, &guessed));
    if (rc != 0) {
        return session_fail(s, rc, &res, "get");
    }
    print_value(s, class_id, obis, attr, val, len);
    free(val);
    return CLI_OK;
}

static int cmd_get(const cli_opts_t *o) {
    uint8_t obis[6];
    int8_t attr = 0;
    int rc = need_args(o, 2, 2, "get OBIS ATTRIBUTE [--class N]");
    if (rc == CLI_OK) {
        rc = only_for(o, false, true);
    }
    if (rc == CLI_OK) {
        rc = arg_obis(o->args[0], obis);
    }
    if (rc == CLI_OK) {
        rc = arg_id(o->args[1], "attribute", 0, &attr);
    }
    session_t s;
    if (rc != CLI_OK || (rc = open_main(&s, o)) != CLI_OK) {
        return rc;
    }
    rc = do_get(&s, obis, attr);
    session_close(&s);
    return rc;
}

static int do_set(session_t *s, const uint8_t obis[6], int8_t attr, const uint8_t *v, size_t n) {
    uint16_t class_id = 0;
    bool guessed = false;
    int rc = class_resolve(s, obis, &class_id, &guessed);
    if (rc != CLI_OK) {
        return rc;
    }
    dlms_client_result_t res;
    do {
        dlms_cosem_descriptor_t d = {class_id, {0}, attr};
        memcpy(d.instance_id, obis, 6);
        rc = session_exchange(s, dlms_client_set(s->c, &d, NULL, v, n, s->out, s->buflen), &res);
    } while (rc != 0 && class_retry(s, rc, &res, obis, &class_id, &guessed));
    if (rc != 0) {
        return session_fail(s, rc, &res, "set");
    }
    print_ok(s->o, "attribute", obis, attr);
    return CLI_OK;
}

static int cmd_set(const cli_opts_t *o) {
    uint8_t obis[6];
    int8_t attr = 0;
    uint8_t *v = NULL;
    size_t n = 0;
    int rc = need_args(o, 3, 3, "set OBIS ATTRIBUTE VALUE [--class N]");
    if (rc == CLI_OK) {
        rc = only_for(o, false, true);
    }
    if (rc == CLI_OK) {
        rc = arg_obis(o->args[0], obis);
    }
    if (rc == CLI_OK) {
        rc = arg_id(o->args[1], "attribute", 1, &attr);
    }
    if (rc == CLI_OK) {
        rc = arg_value(o->args[2], &v, &n);
    }
    session_t s;
    if (rc == CLI_OK && (rc = open_main(&s, o)) == CLI_OK) {
        rc = do_set(&s, obis, attr, v, n);
        session_close(&s);
    }
    free(v);
    return rc;
}

static int do_action(session_t *s, const uint8_t obis[6], int8_t method, const uint8_t *v,
                     size_t n) {
    uint16_t class_id = 0;
    bool guessed = false;
    int rc = class_resolve(s, obis, &class_id, &guessed);
    if (rc != CLI_OK) {
        return rc;
    }
    dlms_client_result_t res;
    do {
        dlms_cosem_descriptor_t d = {class_id, {0}, method};
        memcpy(d.instance_id, obis, 6);
        rc = session_exchange(s, dlms_client_action(s->c, &d, v, n, s->out, s->buflen), &res);
    } while (rc != 0 && class_retry(s, rc, &res, obis, &class_id, &guessed));
    if (rc != 0) {
        return session_fail(s, rc, &res, "action");
    }
    if (res.data.p != NULL) {
        uint8_t *copy = malloc(res.data.len);
        if (copy != NULL) {
            memcpy(copy, res.data.p, res.data.len);
            print_value(s, class_id, obis, 0, copy, res.data.len);
            free(copy);
        }
    } else {
        print_ok(s->o, "method", obis, method);
    }
    return CLI_OK;
}

static int cmd_action(const cli_opts_t *o) {
    uint8_t obis[6];
    int8_t method = 0;
    uint8_t *v = NULL;
    size_t n = 0;
    int rc = need_args(o, 2, 3, "action OBIS METHOD [ARGUMENT] [--class N]");
    if (rc == CLI_OK) {
        rc = only_for(o, false, true);
    }
    if (rc == CLI_OK) {
        rc = arg_obis(o->args[0], obis);
    }
    if (rc == CLI_OK) {
        rc = arg_id(o->args[1], "method", 1, &method);
    }
    if (rc == CLI_OK && o->nargs == 3) {
        rc = arg_value(o->args[2], &v, &n);
    }
    session_t s;
    if (rc == CLI_OK && (rc = open_main(&s, o)) == CLI_OK) {
        rc = do_action(&s, obis, method, v, n);
        session_close(&s);
    }
    free(v);
    return rc;
}

/* ---- profile ------------------------------------------------------------------------------------
 */

typedef struct profile_out {
    const cli_opts_t *o;
    size_t rows;
    sbuf_t line;
    sbuf_t cell;
    rowstream_t rs;
} profile_out_t;

/* One cell of a row (the decoder moves past it). */
static int profile_cell(profile_out_t *po, axdr_dec_t *d, size_t i) {
    const cli_opts_t *o = po->o;
    if (i > 0) {
        sb_puts(&po->line, o->json || o->csv ? "," : "\t");
    }
    if (!o->csv) {
        return fmt_value_dec(&po->line, o->json ? FMT_JSON : text_mode(o), d);
    }
    sb_reset(&po->cell);
    int rc = fmt_value_dec(&po->cell, FMT_CSV, d);
    fmt_csv_cell(&po->line, sb_str(&po->cell));
    return rc;
}

static int profile_row(void *user, const uint8_t *row, size_t len) {
    profile_out_t *po = user;
    axdr_dec_t d;
    uint32_t n = 0;
    axdr_dec_init(&d, row, len);
    sb_reset(&po->line);
    if (po->o->json) {
        sb_puts(&po->line, po->rows == 0 ? "\n  [" : ",\n  [");
    }
    if (axdr_get_structure(&d, &n) != 0) {
        fmt_value(&po->line, po->o->json ? FMT_JSON : text_mode(po->o), row, len, false);
    }
    for (uint32_t i = 0; i < n; i++) {
        if (profile_cell(po, &d, i) != 0) {
            return -1;
        }
    }
    sb_puts(&po->line, po->o->json ? "]" : "\n");
    fputs(sb_str(&po->line), stdout);
    fflush(stdout);
    po->rows++;
    return 0;
}

static int profile_whole(void *user, const uint8_t *val, size_t len) {
    profile_out_t *po = user;
    sb_reset(&po->line);
    if (po->o->json) {
        sb_puts(&po->line, "\n  ");
    }
    fmt_value(&po->line, po->o->json ? FMT_JSON : text_mode(po->o), val, len, !po->o->json);
    if (!po->o->json) {
        sb_putc(&po->line, '\n');
    }
    fputs(sb_str(&po->line), stdout);
    po->rows++;
    return 0;
}

static int profile_stream(void *user, const uint8_t *p, size_t len, bool last) {
    profile_out_t *po = user;
    return rows_feed(&po->rs, p, len, last);
}

/* What `profile` asks for. */
typedef struct profile_req {
    uint8_t obis[6];
    uint16_t class_id;
    dlms_capture_object_t caps[CMD_MAX_CAPTURE];
    size_t ncaps;
    unsigned cols[CMD_MAX_CAPTURE];
    int ncols; /* 0: all */
    bool by_range, by_entry;
    cosem_datetime_t from, to;
    uint32_t first, last;
} profile_req_t;

static int profile_times(const cli_opts_t *o, profile_req_t *r) {
    char err[200];
    const char *from = o->from != NULL ? o->from : "1970-01-01T00:00:00Z";
    const char *to = o->to != NULL ? o->to : "2099-12-31T23:59:59Z";
    if (datetime_parse(from, &r->from, err, sizeof err) != 0 ||
        datetime_parse(to, &r->to, err, sizeof err) != 0) {
        return usage_error("%s", err);
    }
    return CLI_OK;
}

static int profile_args(const cli_opts_t *o, profile_req_t *r) {
    char err[200];
    int rc = need_args(o, 1, 1,
                       "profile OBIS [--from T] [--to T] [--entries A-B] [--columns LIST] [--csv]");
    if (rc == CLI_OK) {
        rc = only_for(o, true, true);
    }
    if (rc == CLI_OK) {
        rc = arg_obis(o->args[0], r->obis);
    }
    r->by_range = o->from != NULL || o->to != NULL;
    r->by_entry = o->entries != NULL;
    if (rc == CLI_OK && r->by_range && r->by_entry) {
        rc = usage_error("%s", "--from/--to and --entries select rows two ways: give one");
    }
    if (rc == CLI_OK && r->by_range) {
        rc = profile_times(o, r);
    }
    if (rc == CLI_OK && r->by_entry &&
        rows_entries_parse(o->entries, &r->first, &r->last, err, sizeof err) != 0) {
        rc = usage_error("%s", err);
    }
    if (rc == CLI_OK && o->json && o->csv) {
        rc = usage_error("%s", "--json and --csv: choose one");
    }
    return rc;
}

/* capture_objects (attribute 3): the column names and --columns. */
static int profile_columns(session_t *s, profile_req_t *r) {
    uint8_t *val = NULL;
    size_t len = 0;
    dlms_client_result_t res;
    int rc = session_get(s, r->class_id, r->obis, 3, &val, &len, &res);
    if (rc != 0) {
        return session_fail(s, rc, &res, "capture_objects (attribute 3)");
    }
    rc = rows_capture_objects(val, len, r->caps, CMD_MAX_CAPTURE, &r->ncaps);
    free(val);
    if (rc != 0) {
        fprintf(stderr, "dlms: capture_objects is not a list of capture object definitions\n");
        return CLI_EXIT_PROTOCOL;
    }
    if (s->o->columns == NULL) {
        return CLI_OK;
    }
    char err[200];
    r->ncols = rows_columns_parse(s->o->columns, r->caps, r->ncaps, r->cols, CMD_MAX_CAPTURE, err,
                                  sizeof err);
    return r->ncols < 0 ? usage_error("%s", err) : CLI_OK;
}

/* Columns as the from/to_selected_value of an entry_descriptor. */
static int profile_contiguous(const profile_req_t *r, uint16_t *lo, uint16_t *hi) {
    for (int i = 1; i < r->ncols; i++) {
        if (r->cols[i] != r->cols[i - 1] + 1) {
            return usage_error("%s", "--columns with --entries (or alone) must be one range of "
                                     "columns; use --from/--to for any set");
        }
    }
    *lo = (uint16_t)(r->cols[0] + 1);
    *hi = (uint16_t)(r->cols[r->ncols - 1] + 1);
    return CLI_OK;
}

static int profile_request(session_t *s, const profile_req_t *r) {
    dlms_cosem_descriptor_t d = {r->class_id, {0}, 2};
    memcpy(d.instance_id, r->obis, 6);
    if (r->by_range) {
        dlms_capture_object_t sel[CMD_MAX_CAPTURE];
        for (int i = 0; i < r->ncols; i++) {
            sel[i] = r->caps[r->cols[i]];
        }
        return dlms_client_get_range(s->c, &d, NULL, &r->from, &r->to, sel, (uint32_t)r->ncols,
                                     s->out, s->buflen);
    }
    if (r->by_entry || r->ncols > 0) {
        dlms_entry_descriptor_t ed = {r->by_entry ? r->first : 1, r->by_entry ? r->last : 0, 1, 0};
        if (r->ncols > 0 &&
            profile_contiguous(r, &ed.from_selected_value, &ed.to_selected_value) != CLI_OK) {
            return DLMS_CLIENT_ERR_BADARG;
        }
        return dlms_client_get_entry(s->c, &d, &ed, s->out, s->buflen);
    }
    return dlms_client_get(s->c, &d, NULL, s->out, s->buflen);
}

static void profile_header(const cli_opts_t *o, const profile_req_t *r) {
    sbuf_t sb;
    sb_init(&sb);
    size_t n = r->ncols > 0 ? (size_t)r->ncols : r->ncaps;
    char name[64];
    sb_puts(&sb, o->json ? "{\"columns\":[" : o->csv ? "" : "# ");
    for (size_t i = 0; i < n; i++) {
        rows_column_name(&r->caps[r->ncols > 0 ? r->cols[i] : i], o->iec, name, sizeof name);
        sb_puts(&sb, i == 0 ? "" : o->json || o->csv ? "," : "\t");
        if (o->json) {
            fmt_json_string(&sb, name, strlen(name));
        } else if (o->csv) {
            fmt_csv_cell(&sb, name);
        } else {
            sb_puts(&sb, name);
        }
    }
    sb_puts(&sb, o->json ? "],\"rows\":[" : "");
    fputs(sb_str(&sb), stdout);
    if (!o->json) {
        fputc('\n', stdout);
    }
    sb_free(&sb);
}

static int profile_run(session_t *s, profile_req_t *r) {
    profile_out_t po;
    memset(&po, 0, sizeof po);
    po.o = s->o;
    rows_init(&po.rs, profile_row, profile_whole, &po);
    dlms_client_result_t res;
    int n = profile_request(s, r);
    if (n == DLMS_CLIENT_ERR_BADARG) {
        return CLI_EXIT_USAGE; /* reported by profile_contiguous() */
    }
    profile_header(s->o, r);
    dlms_client_set_rx_stream(s->c, profile_stream, &po);
    int rc = session_exchange(s, n, &res);
    dlms_client_set_rx_stream(s->c, NULL, NULL);
    if (s->o->json) {
        fputs(po.rows > 0 ? "\n]}\n" : "]}\n", stdout);
    }
    if (rc == DLMS_CLIENT_ERR_STREAM) {
        fprintf(stderr, "dlms: %s\n", po.rs.err[0] != '\0' ? po.rs.err : "profile: output failed");
        rc = CLI_EXIT_PROTOCOL;
    } else if (rc != 0) {
        rc = session_fail(s, rc, &res, "profile");
    }
    rows_free(&po.rs);
    sb_free(&po.line);
    sb_free(&po.cell);
    return rc;
}

static int cmd_profile(const cli_opts_t *o) {
    static profile_req_t r;
    memset(&r, 0, sizeof r);
    int rc = profile_args(o, &r);
    session_t s;
    if (rc != CLI_OK || (rc = open_main(&s, o)) != CLI_OK) {
        return rc;
    }
    r.class_id = o->class_id >= 0 ? (uint16_t)o->class_id : 7;
    rc = profile_columns(&s, &r);
    if (rc == CLI_OK) {
        rc = profile_run(&s, &r);
    }
    session_close(&s);
    return rc;
}

/* ---- ic, clock
 * -------------------------------------------------------------------------------------- */

static int cmd_ic(const cli_opts_t *o) {
    uint8_t obis[2][6];
    size_t n = 0, which = 0;
    int rc = need_args(o, 0, 1, "ic [E | OBIS]");
    if (rc == CLI_OK) {
        rc = only_for(o, false, false);
    }
    if (rc == CLI_OK && o->nargs == 1) {
        char *end = NULL;
        long e = strtol(o->args[0], &end, 10);
        if (*end == '\0' && end != o->args[0] && e >= 0 && e <= 255) {
            const uint8_t ic[6] = {0, 0, 43, 1, (uint8_t)e, 255};
            memcpy(obis[0], ic, 6);
        } else {
            rc = arg_obis(o->args[0], obis[0]);
        }
        n = 1;
    } else if (rc == CLI_OK) {
        n = ic_candidates(o, obis);
    }
    session_t s;
    if (rc != CLI_OK || (rc = open_public(&s, o)) != CLI_OK) {
        return rc;
    }
    uint64_t v = 0;
    rc = ic_read(&s, obis, n, &which, &v);
    session_close(&s);
    if (rc == CLI_OK) {
        char name[OBIS_STR_MAX];
        print_obis(o, obis[which], name);
        if (o->json) {
            printf("{\"obis\":\"%s\",\"value\":%llu,\"next\":%llu}\n", name, (unsigned long long)v,
                   (unsigned long long)v + 1);
        } else {
            printf("%s %llu (next --ic %llu)\n", name, (unsigned long long)v,
                   (unsigned long long)v + 1);
        }
    }
    return rc;
}

static void print_clock(const cli_opts_t *o, const cosem_datetime_t *dt) {
    sbuf_t sb, iso;
    sb_init(&sb);
    sb_init(&iso);
    fmt_datetime_iso(&iso, dt);
    if (o->json) {
        sb_puts(&sb, "{\"time\":");
        fmt_json_string(&sb, sb_str(&iso), iso.len);
        if (dt->deviation == COSEM_DT_DEVIATION_NOT_SPECIFIED) {
            sb_puts(&sb, ",\"deviation\":null");
        } else {
            sb_printf(&sb, ",\"deviation\":%d", dt->deviation);
        }
        int64_t utc = 0;
        if (cosem_datetime_to_utc(dt, &utc) == 0) {
            sb_printf(&sb, ",\"utc\":%lld", (long long)utc);
        }
        sb_printf(&sb, ",\"status\":%u,\"status_text\":\"", dt->clock_status);
        fmt_clock_status(&sb, dt->clock_status);
        sb_puts(&sb, "\"}");
    } else {
        sb_printf(&sb, "%s status 0x%02x (", sb_str(&iso), dt->clock_status);
        fmt_clock_status(&sb, dt->clock_status);
        sb_putc(&sb, ')');
    }
    emit(&sb);
    sb_free(&sb);
    sb_free(&iso);
}

static int cmd_clock(const cli_opts_t *o) {
    int rc = need_args(o, 0, 0, "clock");
    if (rc == CLI_OK) {
        rc = only_for(o, false, false);
    }
    session_t s;
    if (rc != CLI_OK || (rc = open_main(&s, o)) != CLI_OK) {
        return rc;
    }
    uint8_t *val = NULL;
    size_t len = 0;
    dlms_client_result_t res;
    rc = session_get(&s, 8, clock_obis, 2, &val, &len, &res);
    if (rc != 0) {
        rc = session_fail(&s, rc, &res, "clock (0.0.1.0.0.255 attribute 2)");
    } else {
        axdr_dec_t d;
        cosem_datetime_t dt;
        axdr_dec_init(&d, val, len);
        if (axdr_get_date_time(&d, &dt) != 0 || axdr_dec_remaining(&d) != 0) {
            fprintf(stderr, "dlms: clock: the time attribute is not a date-time\n");
            rc = CLI_EXIT_PROTOCOL;
        } else {
            print_clock(o, &dt);
        }
    }
    free(val);
    session_close(&s);
    return rc;
}

/* ---- dispatch
 * ---------------------------------------------------------------------------------------- */

int cli_run(const cli_opts_t *o) {
    static const struct {
        const char *name;
        int (*run)(const cli_opts_t *);
    } commands[] = {
        {"list", cmd_list},
        {"get", cmd_get},
        {"set", cmd_set},
        {"action", cmd_action},
        {"profile", cmd_profile},
        {"ic", cmd_ic},
        {"clock", cmd_clock},
        {"upgrade", cmd_upgrade},
        {"image-build", cmd_image_build},
        {"image-info", cmd_image_info},
        {"listen", cmd_listen},
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(o->command, commands[i].name) == 0) {
            return commands[i].run(o);
        }
    }
    return usage_error("unknown command '%s' (list, get, set, action, profile, ic, clock, "
                       "upgrade, image-build, image-info, listen)",
                       o->command);
}
