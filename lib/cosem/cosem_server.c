/*
 * cosem_server.c - the COSEM object table and the dispatcher of the xDLMS
 * GET/SET/ACTION indications (IEC 62056-5-3 service semantics, Blue Book
 * access rights as Association LN attribute 2 describes them).
 *
 * The dispatcher resolves the logical name in the const table, checks that
 * the calling association sees the object, that the class matches, that the
 * attribute or method exists and that the association's access mode allows
 * the operation; only then does the class code run. The answers it chooses
 * for each refusal are listed in cosem.h.
 */
#include "cosem/calendar_eval.h"
#include "cosem/cosem.h"

#include <string.h>

#include "cosem/cosem_classes.h"

/* ---- errors ---------------------------------------------------------------- */

const char *cosem_strerror(int err) {
    switch (err) {
    case 0:
        return "success";
    case COSEM_ERR_BADARG:
        return "invalid argument";
    case COSEM_ERR_TABLE:
        return "object table entry invalid";
    case COSEM_ERR_DUPLICATE:
        return "logical name appears twice in the object table";
    case COSEM_ERR_BINDING:
        return "value binding outside the application context or of the wrong type";
    case COSEM_ERR_FULL:
        return "too many associations or security contexts";
    case COSEM_ERR_NO_RTC:
        return "the port has no real-time clock";
    case COSEM_ERR_RTC:
        return "the real-time clock could not be set";
    case COSEM_ERR_CALLBACK:
        return "application callback returned an invalid result";
    case COSEM_ERR_STATE:
        return "class state inconsistent";
    case COSEM_ERR_TIME:
        return "instant cannot be shown as a date-time";
    default:
        /* Class groups with codes of their own explain them. */
        if (err <= -0x0920 && err >= -0x093F) {
            return cosem_profile_strerror(err);
        }
        if (err <= -0x0940 && err >= -0x095F) {
            return cosem_sched_strerror(err);
        }
        return "unknown error";
    }
}

/* ---- table ------------------------------------------------------------------- */

static int check_object(const cosem_server_t *s, const cosem_object_t *o) {
    const cosem_class_t *c = o->cls;
    if (c == NULL || c->get == NULL || c->attr_count < 1 || c->attr_count > COSEM_MAX_ATTRIBUTES ||
        c->method_count > COSEM_MAX_METHODS || (c->method_count > 0 && c->action == NULL) ||
        o->def == NULL) {
        return COSEM_ERR_TABLE;
    }
    return c->check != NULL ? c->check(s, o) : 0;
}

int cosem_server_init(cosem_server_t *s, const cosem_object_t *objects, size_t count, void *app,
                      size_t app_size, const em_port_t *port) {
    if (s == NULL || (objects == NULL && count > 0) || (app == NULL && app_size > 0)) {
        return COSEM_ERR_BADARG;
    }
    memset(s, 0, sizeof(*s));
    s->objects = objects;
    s->count = count;
    s->app = app;
    s->app_size = app_size;
    s->port = port;
    for (size_t i = 0; i < count; i++) {
        int rc = check_object(s, &objects[i]);
        if (rc != 0) {
            return rc;
        }
        for (size_t j = 0; j < i; j++) {
            if (memcmp(objects[i].ln, objects[j].ln, COSEM_LN_LEN) == 0) {
                return COSEM_ERR_DUPLICATE;
            }
        }
        if (s->clock == NULL && objects[i].cls->class_id == COSEM_CLASS_CLOCK) {
            s->clock = &objects[i];
        }
    }
    return 0;
}

int cosem_server_add_association(cosem_server_t *s, dlms_assoc_config_t *cfg) {
    if (s == NULL || cfg == NULL) {
        return COSEM_ERR_BADARG;
    }
    if (s->assoc_count >= EM_DLMS_MAX_ASSOCIATIONS) {
        return COSEM_ERR_FULL;
    }
    s->assoc[s->assoc_count++] = cfg;
    return 0;
}

int cosem_server_add_security(cosem_server_t *s, dlms_security_context_t *sec) {
    if (s == NULL || sec == NULL) {
        return COSEM_ERR_BADARG;
    }
    if (s->sec_count >= EM_COSEM_MAX_SECURITY) {
        return COSEM_ERR_FULL;
    }
    s->sec[s->sec_count++] = sec;
    return 0;
}

void cosem_server_services(cosem_server_t *s, dlms_cosem_services_t *svc) {
    if (svc == NULL) {
        return;
    }
    svc->user = s;
    svc->get = cosem_get;
    svc->set = cosem_set;
    svc->action = cosem_action;
}

/* A linear scan: ~200 objects of 6-byte names cost a few microseconds, less
 * than the ciphering of the request, and keep the table in the order the
 * object_list shows it. */
const cosem_object_t *cosem_find(const cosem_server_t *s, const uint8_t ln[COSEM_LN_LEN]) {
    if (s == NULL || ln == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < s->count; i++) {
        if (memcmp(s->objects[i].ln, ln, COSEM_LN_LEN) == 0) {
            return &s->objects[i];
        }
    }
    return NULL;
}

void *cosem_app_ptr(const cosem_server_t *s, uint32_t offset) {
    return (uint8_t *)s->app + offset;
}

/* ---- access rights ------------------------------------------------------------ */

static const cosem_access_t *rights(const cosem_object_t *obj, uint8_t assoc_index) {
    if (obj == NULL || assoc_index >= EM_DLMS_MAX_ASSOCIATIONS) {
        return NULL;
    }
    return obj->access[assoc_index];
}

bool cosem_visible(const cosem_server_t *s, const cosem_object_t *obj, uint8_t assoc_index) {
    if (rights(obj, assoc_index) == NULL) {
        return false;
    }
    return obj->cls->present == NULL || obj->cls->present(s, obj);
}

static uint32_t attr_mask(const cosem_class_t *c) {
    return (uint32_t)(((uint64_t)1 << (c->attr_count + 1)) - 2); /* bits 1..attr_count */
}

static uint32_t method_mask(const cosem_class_t *c) {
    return (uint32_t)(((uint32_t)1 << (c->method_count + 1)) - 2);
}

static uint32_t writable_attrs(const cosem_object_t *obj) {
    uint32_t w = obj->cls->writable != NULL ? obj->cls->writable(obj) : obj->cls->write_mask;
    return w & attr_mask(obj->cls) & ~COSEM_BIT(1); /* logical_name is never writable */
}

uint8_t cosem_attr_access(const cosem_object_t *obj, uint8_t assoc_index, int8_t attr) {
    const cosem_access_t *a = rights(obj, assoc_index);
    if (a == NULL || attr < 1 || attr > obj->cls->attr_count) {
        return COSEM_ACCESS_NONE;
    }
    uint32_t bit = COSEM_BIT(attr);
    uint8_t mode = (uint8_t)(((a->read & bit) ? COSEM_ACCESS_READ : 0) |
                             ((a->write & writable_attrs(obj) & bit) ? COSEM_ACCESS_WRITE : 0));
    if (mode != COSEM_ACCESS_NONE && (a->auth & bit)) {
        mode = (uint8_t)(mode + 3); /* 1..3 -> authenticated 4..6 */
    }
    return mode;
}

uint8_t cosem_method_access(const cosem_object_t *obj, uint8_t assoc_index, int8_t method) {
    const cosem_access_t *a = rights(obj, assoc_index);
    if (a == NULL || method < 1 || method > obj->cls->method_count) {
        return COSEM_METHOD_NONE;
    }
    uint32_t bit = COSEM_BIT(method);
    if (!(a->method & obj->cls->method_mask & method_mask(obj->cls) & bit)) {
        return COSEM_METHOD_NONE;
    }
    return (a->method_auth & bit) ? COSEM_METHOD_AUTH_ACCESS : COSEM_METHOD_ACCESS;
}

/* Attribute modes 4..6 need a protected request (method mode 2: cosem_action). */
static bool mode_allows(uint8_t mode, uint8_t want, bool ciphered) {
    if (mode >= COSEM_ACCESS_AUTH_READ) {
        if (!ciphered) {
            return false;
        }
        mode = (uint8_t)(mode - 3);
    }
    return (mode & want) != 0;
}

/* ---- dispatch ------------------------------------------------------------------ */

/* Object resolution shared by the three services: unknown or invisible
 * names are object-undefined, a wrong class object-class-inconsistent. */
static int resolve(const cosem_server_t *s, const dlms_assoc_view_t *assoc,
                   const dlms_cosem_descriptor_t *d, const cosem_object_t **out) {
    *out = NULL;
    if (assoc->status != DLMS_ASSOC_ASSOCIATED) {
        /* HLS pending: only reply_to_HLS_authentication, which the server
         * serves itself, may pass (Green Book); nothing reaches objects. */
        return DLMS_DAR_READ_WRITE_DENIED;
    }
    const cosem_object_t *obj = cosem_find(s, d->instance_id);
    if (obj == NULL || !cosem_visible(s, obj, assoc->assoc_index)) {
        return DLMS_DAR_OBJECT_UNDEFINED;
    }
    if (obj->cls->class_id != d->class_id) {
        return DLMS_DAR_OBJECT_CLASS_INCONSISTENT;
    }
    *out = obj;
    return 0;
}

static bool has_selection(const dlms_access_selection_t *sel) {
    return sel != NULL && sel->present;
}

static int check_selection(const cosem_object_t *obj, int8_t attr,
                           const dlms_access_selection_t *sel) {
    if (!has_selection(sel)) {
        return 0;
    }
    const cosem_class_t *c = obj->cls;
    if (!(c->selective_mask & COSEM_BIT(attr)) || sel->selector >= 16 ||
        !(c->selectors & COSEM_BIT(sel->selector))) {
        return DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED;
    }
    return 0;
}

/* Class results must be 0, a result code 1..255 or a negative error. */
static int class_result(int rc) {
    return rc > 255 ? COSEM_ERR_CALLBACK : rc;
}

int cosem_get(void *user, dlms_get_call_t *call, axdr_enc_t *e) {
    cosem_server_t *s = user;
    if (s == NULL || call == NULL || call->assoc == NULL || call->attr == NULL || e == NULL) {
        return COSEM_ERR_BADARG;
    }
    const cosem_object_t *obj;
    int rc = resolve(s, call->assoc, call->attr, &obj);
    if (rc != 0) {
        return rc;
    }
    int8_t id = call->attr->id;
    if (id < 1 || id > obj->cls->attr_count) {
        return DLMS_DAR_OBJECT_UNDEFINED;
    }
    uint8_t mode = cosem_attr_access(obj, call->assoc->assoc_index, id);
    if (!mode_allows(mode, COSEM_ACCESS_READ, call->assoc->ciphered)) {
        return DLMS_DAR_READ_WRITE_DENIED;
    }
    rc = check_selection(obj, id, call->selection);
    if (rc != 0) {
        return rc;
    }
    if (id == 1) {
        return axdr_put_octet_string(e, obj->ln, COSEM_LN_LEN);
    }
    cosem_req_t r = {s, obj, call->assoc, id, call->selection, call->block_cookie};
    return class_result(obj->cls->get(&r, e));
}

/* The value (or method parameters) must be exactly one well-formed Data. */
static int one_element(axdr_dec_t *d, axdr_dec_t *out) {
    size_t rest = axdr_dec_remaining(d);
    size_t used = 0;
    if (rest == 0 || axdr_validate(d->p + d->pos, rest, &used) != 0 || used != rest) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    axdr_dec_init(out, d->p + d->pos, rest);
    return 0;
}

static void notify(const cosem_server_t *s, const cosem_object_t *obj, uint8_t kind, int8_t id) {
    if (s->notify != NULL) {
        s->notify(s->app, obj, kind, id);
    }
}

int cosem_set(void *user, const dlms_assoc_view_t *assoc, const dlms_cosem_descriptor_t *attr,
              const dlms_access_selection_t *selection, axdr_dec_t *value) {
    cosem_server_t *s = user;
    if (s == NULL || assoc == NULL || attr == NULL || value == NULL) {
        return COSEM_ERR_BADARG;
    }
    const cosem_object_t *obj;
    int rc = resolve(s, assoc, attr, &obj);
    if (rc != 0) {
        return rc;
    }
    int8_t id = attr->id;
    if (id < 1 || id > obj->cls->attr_count) {
        return DLMS_DAR_OBJECT_UNDEFINED;
    }
    uint8_t mode = cosem_attr_access(obj, assoc->assoc_index, id);
    if (!mode_allows(mode, COSEM_ACCESS_WRITE, assoc->ciphered) || obj->cls->set == NULL) {
        return DLMS_DAR_READ_WRITE_DENIED;
    }
    rc = check_selection(obj, id, selection);
    if (rc != 0) {
        return rc;
    }
    axdr_dec_t d;
    rc = one_element(value, &d);
    if (rc != 0) {
        return rc;
    }
    cosem_req_t r = {s, obj, assoc, id, selection, NULL};
    rc = class_result(obj->cls->set(&r, &d));
    if (rc == 0) {
        value->pos = value->len;
        notify(s, obj, COSEM_NOTIFY_SET, id);
    }
    return rc;
}

int cosem_action(void *user, const dlms_assoc_view_t *assoc, const dlms_cosem_descriptor_t *method,
                 axdr_dec_t *params, axdr_enc_t *ret, bool *has_return) {
    cosem_server_t *s = user;
    if (s == NULL || assoc == NULL || method == NULL || ret == NULL || has_return == NULL) {
        return COSEM_ERR_BADARG;
    }
    *has_return = false;
    const cosem_object_t *obj;
    int rc = resolve(s, assoc, method, &obj);
    if (rc != 0) {
        return rc;
    }
    int8_t id = method->id;
    if (id < 1 || id > obj->cls->method_count) {
        return DLMS_ACTION_OBJECT_UNDEFINED;
    }
    uint8_t mode = cosem_method_access(obj, assoc->assoc_index, id);
    if (mode == COSEM_METHOD_NONE || (mode == COSEM_METHOD_AUTH_ACCESS && !assoc->ciphered)) {
        return DLMS_ACTION_READ_WRITE_DENIED;
    }
    axdr_dec_t d;
    axdr_dec_t *pd = NULL;
    if (params != NULL) {
        rc = one_element(params, &d);
        if (rc != 0) {
            return DLMS_ACTION_TYPE_UNMATCHED;
        }
        pd = &d;
    }
    cosem_req_t r = {s, obj, assoc, id, NULL, NULL};
    rc = class_result(obj->cls->action(&r, pd, ret, has_return));
    if (rc == 0) {
        if (params != NULL) {
            params->pos = params->len;
        }
        notify(s, obj, COSEM_NOTIFY_ACTION, id);
    } else {
        *has_return = false;
    }
    return rc;
}

/* ---- time --------------------------------------------------------------------- */

int cosem_rtc_now(const cosem_server_t *s, int64_t *utc) {
    if (s->port == NULL || s->port->rtc_get == NULL) {
        *utc = 0;
        return COSEM_ERR_NO_RTC;
    }
    *utc = s->port->rtc_get(s->port->user);
    return 0;
}

int cosem_rtc_set(const cosem_server_t *s, int64_t utc) {
    if (s->port == NULL || s->port->rtc_set == NULL) {
        return COSEM_ERR_NO_RTC;
    }
    return s->port->rtc_set(s->port->user, utc) == 0 ? 0 : COSEM_ERR_RTC;
}

static const cosem_clock_state_t *clock_state(const cosem_server_t *s) {
    if (s->clock == NULL) {
        return NULL;
    }
    const cosem_clock_def_t *def = s->clock->def;
    return cosem_app_ptr(s, def->state);
}

int cosem_local_datetime(const cosem_server_t *s, int64_t utc, cosem_datetime_t *out) {
    const cosem_clock_state_t *st = clock_state(s);
    int rc = st != NULL ? cosem_clock_local(st, utc, out) : cosem_datetime_from_utc(utc, 0, 0, out);
    return rc == 0 ? 0 : COSEM_ERR_TIME;
}

int cosem_datetime_to_instant(const cosem_server_t *s, const cosem_datetime_t *dt, int64_t *utc) {
    const cosem_clock_state_t *st = clock_state(s);
    if (dt->deviation != COSEM_DT_DEVIATION_NOT_SPECIFIED || st == NULL) {
        return cosem_datetime_to_utc(dt, utc) == 0 ? 0 : COSEM_ERR_TIME;
    }
    return cosem_clock_from_local(st, dt, utc);
}

int cosem_put_instant(const cosem_server_t *s, axdr_enc_t *e, int64_t utc) {
    cosem_datetime_t dt;
    if (utc == 0) {
        cosem_datetime_set_unspecified(&dt);
    } else if (cosem_local_datetime(s, utc, &dt) != 0) {
        return COSEM_ERR_TIME;
    }
    return axdr_put_date_time_os(e, &dt);
}

bool cosem_dec_done(const axdr_dec_t *d) {
    return axdr_dec_remaining(d) == 0;
}
