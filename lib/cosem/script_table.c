/*
 * script_table.c - interface class Script table (class_id 9, version 0;
 * Blue Book "Script table"): attribute 2 scripts, method 1 execute
 * (long-unsigned script_identifier), and cosem_script_execute(), through
 * which Activity calendars, Single action schedules and Register monitors
 * start scripts. Execution, native scripts and the re-entrancy guard are
 * described in cosem_classes.h.
 *
 * An action is served by the target object's class code (set / action)
 * exactly as a request would be, followed by the server's notify hook, so
 * the application persists and logs a change a script makes like one a
 * client makes.
 */
#include <string.h>

#include "cosem/calendar_eval.h"
#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

_Static_assert(EM_COSEM_SCRIPTS <= 255 && EM_COSEM_SCRIPT_ACTIONS <= 255 &&
                   EM_COSEM_SCRIPT_PARAM_MAX <= 255,
               "script counts and parameter lengths are uint8_t");

static const cosem_script_table_def_t *def_of(const cosem_object_t *obj) {
    return obj->def;
}

static cosem_script_table_state_t *state_of(const cosem_server_t *s, const cosem_object_t *obj) {
    return cosem_app_ptr(s, def_of(obj)->state);
}

static bool present(const cosem_server_t *s, const cosem_object_t *o) {
    return o->cls->present == NULL || o->cls->present(s, o);
}

bool cosem_script_table_exists(const cosem_server_t *s, const uint8_t ln[COSEM_LN_LEN]) {
    /* By class_id (a table may wrap the class with a present() hook); an
     * absent table does not exist. */
    const cosem_object_t *o = cosem_find(s, ln);
    return o != NULL && o->cls->class_id == COSEM_CLASS_SCRIPT_TABLE && present(s, o);
}

/* ---- targets -------------------------------------------------------------------- */

static bool attr_writable(const cosem_object_t *o, int8_t id) {
    const cosem_class_t *c = o->cls;
    uint32_t w = c->writable != NULL ? c->writable(o) : c->write_mask;
    return id >= 2 && id <= c->attr_count && (w & COSEM_BIT(id)) && c->set != NULL;
}

static bool method_served(const cosem_object_t *o, int8_t id) {
    const cosem_class_t *c = o->cls;
    return id >= 1 && id <= c->method_count && (c->method_mask & COSEM_BIT(id)) &&
           c->action != NULL;
}

/* The object an action names, if it can do what the action asks. */
static const cosem_object_t *action_target(const cosem_server_t *s, uint8_t service,
                                           uint16_t class_id, const uint8_t ln[COSEM_LN_LEN],
                                           int8_t index) {
    const cosem_object_t *o = cosem_find(s, ln);
    if (o == NULL || o->cls->class_id != class_id || !present(s, o)) {
        return NULL;
    }
    if (service == COSEM_SCRIPT_WRITE_ATTRIBUTE) {
        return attr_writable(o, index) ? o : NULL;
    }
    return service == COSEM_SCRIPT_EXECUTE_METHOD && method_served(o, index) ? o : NULL;
}

/* ---- execution ---------------------------------------------------------------------- */

static int run_action(cosem_server_t *s, const cosem_script_action_t *a) {
    const cosem_object_t *o = action_target(s, a->service_id, a->class_id, a->ln, a->index);
    if (o == NULL || a->param_len > EM_COSEM_SCRIPT_PARAM_MAX) {
        return COSEM_ERR_SCRIPT_ACTION;
    }
    axdr_dec_t d;
    axdr_dec_init(&d, a->param, a->param_len);
    cosem_req_t r = {s, o, &cosem_sched_meter_view, a->index, NULL, NULL};
    int rc;
    uint8_t kind;
    if (a->service_id == COSEM_SCRIPT_WRITE_ATTRIBUTE) {
        rc = o->cls->set(&r, &d);
        kind = COSEM_NOTIFY_SET;
    } else {
        axdr_enc_t ret; /* return data is dropped: nobody asked for it */
        bool has_ret = false;
        axdr_enc_init_measure(&ret);
        rc = o->cls->action(&r, &d, &ret, &has_ret);
        kind = COSEM_NOTIFY_ACTION;
    }
    if (rc != 0) {
        return COSEM_ERR_SCRIPT_ACTION;
    }
    cosem_sched_notify(s, o, kind, a->index);
    return 0;
}

static const cosem_script_t *stored_script(const cosem_script_table_state_t *st, uint16_t id) {
    uint8_t n = st->count < EM_COSEM_SCRIPTS ? st->count : EM_COSEM_SCRIPTS;
    for (uint8_t i = 0; i < n; i++) {
        if (st->scripts[i].id == id) {
            return &st->scripts[i];
        }
    }
    return NULL;
}

static const cosem_script_native_t *native_script(const cosem_script_table_def_t *def,
                                                  uint16_t id) {
    for (uint8_t i = 0; def->natives != NULL && i < def->native_count; i++) {
        if (def->natives[i].run != NULL &&
            (def->natives[i].script_id == id || def->natives[i].script_id == COSEM_SCRIPT_ANY)) {
            return &def->natives[i];
        }
    }
    return NULL;
}

/* Runs every action (the first failure is the result), then the native. */
static int run_script(cosem_server_t *s, const cosem_object_t *table, uint16_t id) {
    cosem_script_table_state_t *st = state_of(s, table);
    const cosem_script_t *script = stored_script(st, id);
    const cosem_script_native_t *native = native_script(def_of(table), id);
    if (script == NULL && native == NULL) {
        return COSEM_ERR_SCRIPT_UNKNOWN;
    }
    int first = 0;
    uint8_t n = script == NULL ? 0 : script->action_count;
    for (uint8_t i = 0; i < n && i < EM_COSEM_SCRIPT_ACTIONS; i++) {
        int rc = run_action(s, &script->actions[i]);
        first = first != 0 ? first : rc;
    }
    if (native != NULL) {
        int rc = native->run(s->app, table, id);
        first = first != 0 ? first : rc;
    }
    return first;
}

static int execute(cosem_server_t *s, const cosem_object_t *table, uint16_t id) {
    if (id == 0) {
        return 0; /* the null script */
    }
    cosem_script_table_state_t *st = state_of(s, table);
    if (st->running) {
        return COSEM_ERR_SCRIPT_BUSY;
    }
    st->running = true;
    int rc = run_script(s, table, id);
    st->running = false;
    return rc;
}

int cosem_script_execute(cosem_server_t *s, const uint8_t ln[COSEM_LN_LEN], uint16_t script_id) {
    if (s == NULL || ln == NULL) {
        return COSEM_ERR_BADARG;
    }
    const cosem_object_t *table = cosem_find(s, ln);
    if (table == NULL || table->cls->class_id != COSEM_CLASS_SCRIPT_TABLE || !present(s, table)) {
        return COSEM_ERR_SCRIPT_UNKNOWN;
    }
    return execute(s, table, script_id);
}

bool cosem_script_ref_is_null(const cosem_script_ref_t *ref) {
    static const uint8_t zero[COSEM_LN_LEN];
    return ref->selector == 0 || memcmp(ref->ln, zero, COSEM_LN_LEN) == 0;
}

int cosem_script_run_ref(cosem_server_t *s, const cosem_script_ref_t *ref) {
    if (s == NULL || ref == NULL) {
        return COSEM_ERR_BADARG;
    }
    if (cosem_script_ref_is_null(ref)) {
        return 0;
    }
    return cosem_script_execute(s, ref->ln, ref->selector);
}

/* ---- attribute 2 ------------------------------------------------------------------------ */

static int put_action(axdr_enc_t *e, const cosem_script_action_t *a) {
    axdr_put_structure(e, 5);
    axdr_put_enum(e, a->service_id);
    axdr_put_uint16(e, a->class_id);
    axdr_put_octet_string(e, a->ln, COSEM_LN_LEN);
    axdr_put_int8(e, a->index);
    if (a->param_len == 0 || a->param_len > EM_COSEM_SCRIPT_PARAM_MAX) {
        return axdr_put_null(e);
    }
    return axdr_put_raw(e, a->param, a->param_len);
}

static int put_scripts(axdr_enc_t *e, const cosem_script_table_state_t *st) {
    uint8_t n = st->count < EM_COSEM_SCRIPTS ? st->count : EM_COSEM_SCRIPTS;
    axdr_put_array(e, n);
    for (uint8_t i = 0; i < n; i++) {
        const cosem_script_t *sc = &st->scripts[i];
        uint8_t k =
            sc->action_count < EM_COSEM_SCRIPT_ACTIONS ? sc->action_count : EM_COSEM_SCRIPT_ACTIONS;
        axdr_put_structure(e, 2);
        axdr_put_uint16(e, sc->id);
        axdr_put_array(e, k);
        for (uint8_t j = 0; j < k; j++) {
            put_action(e, &sc->actions[j]);
        }
    }
    return e->err;
}

static int script_table_get(const cosem_req_t *r, axdr_enc_t *e) {
    return put_scripts(e, state_of(r->srv, r->obj));
}

static int get_struct(axdr_dec_t *d, uint32_t n) {
    uint32_t got;
    return axdr_get_structure(d, &got) == 0 && got == n ? 0 : (int)DLMS_DAR_TYPE_UNMATCHED;
}

/* The parameter: one Data, kept as its encoding. */
static int get_param(axdr_dec_t *d, cosem_script_action_t *a) {
    size_t start = d->pos;
    if (axdr_skip(d) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    size_t n = d->pos - start;
    if (n > EM_COSEM_SCRIPT_PARAM_MAX) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(a->param, d->p + start, n);
    a->param_len = (uint8_t)n;
    return 0;
}

static int get_action(const cosem_server_t *s, axdr_dec_t *d, cosem_script_action_t *a) {
    const uint8_t *ln;
    size_t ln_len;
    memset(a, 0, sizeof(*a));
    if (get_struct(d, 5) != 0 || axdr_get_enum(d, &a->service_id) != 0 ||
        axdr_get_uint16(d, &a->class_id) != 0 || axdr_get_octet_string(d, &ln, &ln_len) != 0 ||
        axdr_get_int8(d, &a->index) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    int rc = get_param(d, a);
    if (rc != 0) {
        return rc;
    }
    if (ln_len != COSEM_LN_LEN) {
        return DLMS_DAR_OTHER_REASON;
    }
    memcpy(a->ln, ln, COSEM_LN_LEN);
    /* The target must exist and take the service (a reference error). */
    return action_target(s, a->service_id, a->class_id, a->ln, a->index) != NULL
               ? 0
               : (int)DLMS_DAR_OTHER_REASON;
}

/* One script into *out. */
static int get_script(const cosem_server_t *s, axdr_dec_t *d, cosem_script_t *out) {
    uint32_t n;
    if (get_struct(d, 2) != 0 || axdr_get_uint16(d, &out->id) != 0 || axdr_get_array(d, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_COSEM_SCRIPT_ACTIONS) {
        return DLMS_DAR_OTHER_REASON;
    }
    out->action_count = (uint8_t)n;
    for (uint32_t i = 0; i < n; i++) {
        int rc = get_action(s, d, &out->actions[i]);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* Decodes the scripts array. With out NULL only checks (ids unique): the
 * check pass keeps one script on the stack instead of a whole table. */
static int parse_scripts(const cosem_server_t *s, axdr_dec_t *d, cosem_script_table_state_t *out) {
    uint32_t n;
    uint16_t ids[EM_COSEM_SCRIPTS];
    cosem_script_t one;
    if (axdr_get_array(d, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n > EM_COSEM_SCRIPTS) {
        return DLMS_DAR_OTHER_REASON;
    }
    for (uint32_t i = 0; i < n; i++) {
        cosem_script_t *sc = out != NULL ? &out->scripts[i] : &one;
        memset(sc, 0, sizeof(*sc));
        int rc = get_script(s, d, sc);
        if (rc != 0) {
            return rc;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (ids[j] == sc->id) {
                return DLMS_DAR_OTHER_REASON;
            }
        }
        ids[i] = sc->id;
    }
    if (!cosem_dec_done(d)) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (out != NULL) {
        out->count = (uint8_t)n;
    }
    return 0;
}

static int script_table_set(const cosem_req_t *r, axdr_dec_t *value) {
    if (state_of(r->srv, r->obj)->running) {
        return DLMS_DAR_TEMPORARY_FAILURE; /* a script rewriting its own table */
    }
    axdr_dec_t check = *value;
    int rc = parse_scripts(r->srv, &check, NULL);
    if (rc != 0) {
        return rc;
    }
    return parse_scripts(r->srv, value, state_of(r->srv, r->obj));
}

/* ---- method 1 execute ------------------------------------------------------------------- */

/* The script_identifier: long-unsigned (Blue Book); unsigned is accepted
 * too, some clients send small ids that way. */
static int get_script_id(axdr_dec_t *params, uint16_t *id) {
    uint8_t small;
    if (params == NULL) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    if (axdr_next_is(params, AXDR_UNSIGNED) && axdr_get_uint8(params, &small) == 0) {
        *id = small;
    } else if (axdr_get_uint16(params, id) != 0) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    return cosem_dec_done(params) ? 0 : (int)DLMS_ACTION_TYPE_UNMATCHED;
}

static int script_table_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret,
                               bool *has_ret) {
    uint16_t id;
    (void)ret;
    *has_ret = false;
    int rc = get_script_id(params, &id);
    if (rc != 0) {
        return rc;
    }
    rc = execute(r->srv, r->obj, id);
    if (rc == COSEM_ERR_SCRIPT_BUSY) {
        return DLMS_ACTION_TEMPORARY_FAILURE;
    }
    return rc == 0 ? 0 : (int)DLMS_ACTION_OTHER_REASON;
}

static int script_table_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_script_table_def_t *d = def_of(obj);
    if (d->native_count > 0 && d->natives == NULL) {
        return COSEM_ERR_TABLE;
    }
    return cosem_sched_check_state(s, d->state, sizeof(cosem_script_table_state_t));
}

const cosem_class_t cosem_class_script_table = {
    .class_id = COSEM_CLASS_SCRIPT_TABLE,
    .version = 0,
    .attr_count = 2,
    .method_count = 1,
    .write_mask = COSEM_BIT(2),
    .method_mask = COSEM_BIT(1),
    .get = script_table_get,
    .set = script_table_set,
    .action = script_table_action,
    .check = script_table_check,
};
