/*
 * profile_generic.c - interface class Profile generic (class_id 7,
 * version 1; Blue Book "Profile generic"): the capture engine, the row
 * buffer kept in a row store (profile_rows.h), and the buffer served as a
 * stream of blocks with selective access by range and by entry
 * (dlms-facts §1.2). What each attribute, method and refusal does is
 * described in cosem_classes.h.
 *
 * Rows are numbered by a sequence number (state.captures counts every
 * append since init): the newest entries_in_use rows are the buffer, and
 * the row with sequence q is `captures - q` rows back from the newest. A
 * read snapshots sequence numbers, not store indexes, so rows appended
 * during the read change nothing in it.
 *
 * GET cookie of a buffer read (EM_DLMS_GET_COOKIE bytes, all zero at the
 * first call):
 *   [0] SNAP_MAGIC   [1] dense (1: every row of the span is answered)
 *   [2..5] first     sequence number of the first row of the span
 *   [6..9] span      rows from first on that the read walks
 *   [10..13] count   rows answered (the array count)
 *   [14..15] rsize   encoded bytes of every answered row, 0: they vary
 * The row size is fixed at the first call: rows captured later (outside
 * the span) may change the widths the state tracks, not those of the
 * rows this read sends.
 */
#include <string.h>

#include "cosem/cosem.h"
#include "cosem/cosem_classes.h"

_Static_assert(EM_DLMS_GET_COOKIE >= 16, "profile snapshot needs 16 cookie bytes");
_Static_assert(EM_COSEM_PROFILE_MAX_COLUMNS >= 1 && EM_COSEM_PROFILE_MAX_COLUMNS < 128,
               "a row's structure header must stay 2 bytes");
_Static_assert(EM_COSEM_PROFILE_MAX_ROW > COSEM_PROFILE_ROW_HEADER &&
                   EM_COSEM_PROFILE_MAX_ROW <= UINT16_MAX,
               "row sizes are 16-bit");

#define HDR          COSEM_PROFILE_ROW_HEADER
#define WIDTH_NONE   0u
#define WIDTH_VARIES 0xFFFFu
#define SNAP_MAGIC   0xA7u
#define ROW_STRUCT   2u /* structure tag + count (< 128) in front of each row */

static const cosem_profile_def_t *def_of(const cosem_object_t *obj) {
    return obj->def;
}

cosem_profile_state_t *cosem_profile_state(const cosem_server_t *s, const cosem_object_t *obj) {
    if (s == NULL || obj == NULL || obj->cls != &cosem_class_profile_generic) {
        return NULL;
    }
    return cosem_app_ptr(s, def_of(obj)->state);
}

/* ---- row store ------------------------------------------------------------------------ */

static uint32_t stored(const cosem_profile_rows_t *rows) {
    return rows->ops->count(rows->user);
}

/* Rows a client sees: the newest entries_in_use, never more than stored. */
static uint32_t visible(const cosem_profile_state_t *st) {
    if (st->rows == NULL) {
        return 0;
    }
    uint32_t n = stored(st->rows);
    return st->entries_in_use < n ? st->entries_in_use : n;
}

/* The row with sequence number seq, if it is still in the buffer. */
static int read_seq(const cosem_profile_state_t *st, uint32_t seq, uint8_t *row) {
    uint32_t age = st->captures - seq; /* 1: the newest */
    if (age == 0 || age > visible(st)) {
        return DLMS_DAR_DATA_BLOCK_UNAVAILABLE; /* overwritten or cleared meanwhile */
    }
    return st->rows->ops->read(st->rows->user, stored(st->rows) - age, row);
}

/* Column boundaries of a stored row: column c is row[off[c]..off[c+1]). */
static int split_row(const uint8_t *row, uint16_t row_size, uint8_t ncols, uint16_t *off) {
    size_t len = ((size_t)row[0] << 8) | row[1];
    if (len > (size_t)row_size - HDR) {
        return COSEM_ERR_PROFILE_ROW;
    }
    size_t pos = HDR;
    size_t end = HDR + len;
    for (uint8_t c = 0; c < ncols; c++) {
        size_t used = 0;
        off[c] = (uint16_t)pos;
        if (pos >= end || axdr_validate(row + pos, end - pos, &used) != 0) {
            return COSEM_ERR_PROFILE_ROW;
        }
        pos += used;
    }
    off[ncols] = (uint16_t)pos;
    return pos == end ? 0 : COSEM_ERR_PROFILE_ROW;
}

/* Widths of the columns of a row joining the buffer. */
static void note_widths(cosem_profile_state_t *st, const uint16_t *off) {
    for (uint8_t c = 0; c < st->capture_count; c++) {
        uint16_t w = (uint16_t)(off[c + 1] - off[c]);
        if (st->width[c] == WIDTH_NONE) {
            st->width[c] = w;
        } else if (st->width[c] != w) {
            st->width[c] = WIDTH_VARIES;
        }
    }
}

static int clear_buffer(cosem_profile_state_t *st) {
    st->entries_in_use = 0;
    memset(st->width, 0, sizeof(st->width));
    return st->rows->ops->clear(st->rows->user);
}

/* ---- capture objects ---------------------------------------------------------------- */

static bool same_capture_object(const dlms_capture_object_t *a, const dlms_capture_object_t *b) {
    return a->class_id == b->class_id &&
           memcmp(a->logical_name, b->logical_name, COSEM_LN_LEN) == 0 &&
           a->attribute_index == b->attribute_index && a->data_index == b->data_index;
}

static bool is_buffer(uint16_t class_id, int8_t attr) {
    return class_id == COSEM_CLASS_PROFILE_GENERIC && attr == 2;
}

/* A column names an attribute of an object of the table. A profile buffer
 * cannot be one: it would never fit a row, and a profile capturing its
 * own buffer would recurse. */
static bool capture_object_ok(const cosem_server_t *s, const dlms_capture_object_t *co) {
    const cosem_object_t *o = cosem_find(s, co->logical_name);
    return o != NULL && o->cls->class_id == co->class_id && co->attribute_index >= 1 &&
           co->attribute_index <= o->cls->attr_count &&
           !is_buffer(co->class_id, co->attribute_index);
}

static int column_of(const cosem_profile_state_t *st, const dlms_capture_object_t *co) {
    for (uint8_t c = 0; c < st->capture_count; c++) {
        if (same_capture_object(&st->capture_objects[c], co)) {
            return c;
        }
    }
    return -1;
}

/* ---- capture ---------------------------------------------------------------------------- */

/* Internal reads see the objects as a ciphered management client would;
 * only Association LN looks at the view, and capturing one is odd but
 * harmless. */
static const dlms_assoc_view_t capture_view = {
    .server_sap = 1, .status = DLMS_ASSOC_ASSOCIATED, .ciphered = true, .dlms_version = 6};

/* The attribute's value as a get on the same table gives it. */
static int read_attribute(cosem_server_t *s, const dlms_capture_object_t *co, int64_t now,
                          axdr_enc_t *e) {
    const cosem_object_t *o = cosem_find(s, co->logical_name);
    int8_t id = co->attribute_index;
    if (o == NULL || o->cls->class_id != co->class_id ||
        (o->cls->present != NULL && !o->cls->present(s, o))) {
        return DLMS_DAR_OBJECT_UNAVAILABLE;
    }
    if (id < 1 || id > o->cls->attr_count || is_buffer(co->class_id, id)) {
        return DLMS_DAR_OBJECT_UNDEFINED;
    }
    if (id == 1) {
        return axdr_put_octet_string(e, o->ln, COSEM_LN_LEN);
    }
    if (co->class_id == COSEM_CLASS_CLOCK && id == 2) {
        return cosem_put_instant(s, e, now); /* the capture instant, see cosem_classes.h */
    }
    uint8_t cookie[EM_DLMS_GET_COOKIE];
    memset(cookie, 0, sizeof(cookie));
    cosem_req_t r = {s, o, &capture_view, id, NULL, cookie};
    int rc = o->cls->get(&r, e);
    return rc != 0 ? rc : e->err;
}

/* One column's A-XDR into out[0..cap): its length, 0 when the value could
 * not be read or does not fit. */
static size_t capture_column(cosem_server_t *s, const dlms_capture_object_t *co, int64_t now,
                             uint8_t *out, size_t cap) {
    axdr_enc_t e;
    if (co->data_index == 0) {
        axdr_enc_init(&e, out, cap);
        int rc = read_attribute(s, co, now, &e);
        return (rc == 0 && axdr_is_one_data(out, e.len)) ? e.len : 0;
    }
    uint8_t whole[EM_COSEM_PROFILE_MAX_ROW];
    const uint8_t *el = NULL;
    axdr_enc_init(&e, whole, sizeof(whole));
    if (read_attribute(s, co, now, &e) != 0 || !axdr_is_one_data(whole, e.len)) {
        return 0;
    }
    size_t n = axdr_element(whole, e.len, co->data_index, &el);
    if (n == 0 || n > cap) {
        return 0;
    }
    memcpy(out, el, n);
    return n;
}

/* A row of the columns in row[0..row_size) (row_size >= HDR + count). A
 * column that cannot be read, or that would leave no byte for each column
 * after it, is stored as null-data. Returns the bytes of captured data. */
static size_t build_row(cosem_server_t *s, const dlms_capture_object_t *cols, uint8_t count,
                        int64_t now, uint8_t *row, size_t row_size) {
    memset(row, 0, row_size);
    size_t pos = HDR;
    for (uint8_t c = 0; c < count; c++) {
        size_t room = row_size - pos - (size_t)(count - c - 1);
        size_t n = capture_column(s, &cols[c], now, row + pos, room);
        if (n == 0) {
            row[pos] = AXDR_NULL;
            n = 1;
        }
        pos += n;
    }
    size_t len = pos - HDR;
    row[0] = (uint8_t)(len >> 8);
    row[1] = (uint8_t)len;
    return len;
}

/* Whether the current values of `cols` fit a row of row_size bytes: what
 * a definition or a new capture_objects list is checked with. */
static bool row_fits(cosem_server_t *s, const dlms_capture_object_t *cols, uint8_t count,
                     uint16_t row_size) {
    uint8_t scratch[EM_COSEM_PROFILE_MAX_ROW];
    if ((size_t)row_size < HDR + count) {
        return false;
    }
    return build_row(s, cols, count, 0, scratch, sizeof(scratch)) <= (size_t)row_size - HDR;
}

int cosem_profile_capture(cosem_server_t *s, const cosem_object_t *obj, int64_t now) {
    cosem_profile_state_t *st = cosem_profile_state(s, obj);
    if (st == NULL) {
        return COSEM_ERR_PROFILE_BADARG;
    }
    if (st->rows == NULL) {
        return COSEM_ERR_PROFILE_STORAGE;
    }
    uint8_t row[EM_COSEM_PROFILE_MAX_ROW];
    uint16_t off[EM_COSEM_PROFILE_MAX_COLUMNS + 1];
    uint16_t size = st->rows->row_size;
    build_row(s, st->capture_objects, st->capture_count, now, row, size);
    int rc = split_row(row, size, st->capture_count, off);
    if (rc == 0) {
        rc = st->rows->ops->append(st->rows->user, row);
    }
    if (rc != 0) {
        return rc;
    }
    st->captures++;
    if (st->entries_in_use < st->profile_entries) {
        st->entries_in_use++;
    }
    st->entries_in_use = visible(st);
    note_widths(st, off);
    return 0;
}

int cosem_profile_reset(cosem_server_t *s, const cosem_object_t *obj) {
    cosem_profile_state_t *st = cosem_profile_state(s, obj);
    if (st == NULL) {
        return COSEM_ERR_PROFILE_BADARG;
    }
    return st->rows != NULL ? clear_buffer(st) : COSEM_ERR_PROFILE_STORAGE;
}

/* ---- periodic capture -------------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* Seconds of local time (UTC = local + deviation), by the table's clock. */
static int64_t local_seconds(const cosem_server_t *s, int64_t utc) {
    if (s->clock == NULL) {
        return utc;
    }
    const cosem_clock_def_t *cd = s->clock->def;
    const cosem_clock_state_t *cs = cosem_app_ptr(s, cd->state);
    return utc - 60 * (int64_t)cosem_clock_deviation(cs, utc);
}

/* A period ends when local time enters a new multiple of the period while
 * UTC moves on: the DST end (local time going back an hour) still closes
 * the UTC quarter-hour it reaches, a clock set back closes nothing. The row
 * is stamped with the boundary, however late the tick came. */
int cosem_profile_tick(cosem_server_t *s, const cosem_object_t *obj, int64_t utc) {
    cosem_profile_state_t *st = cosem_profile_state(s, obj);
    if (st == NULL) {
        return COSEM_ERR_PROFILE_BADARG;
    }
    int64_t last = st->last_tick;
    st->last_tick = utc;
    if (st->capture_period == 0 || last == 0 || utc <= last) {
        return 0;
    }
    int64_t p = st->capture_period;
    int64_t now_local = local_seconds(s, utc);
    int64_t slot = floor_div(now_local, p);
    if (slot == floor_div(local_seconds(s, last), p)) {
        return 0;
    }
    int rc = cosem_profile_capture(s, obj, utc - (now_local - slot * p));
    return rc == 0 ? 1 : rc;
}

/* ---- init -------------------------------------------------------------------------------------
 */

static bool rows_usable(const cosem_profile_rows_t *rows) {
    const cosem_profile_rows_ops_t *o = rows != NULL ? rows->ops : NULL;
    return o != NULL && o->capacity != NULL && o->count != NULL && o->read != NULL &&
           o->append != NULL && o->clear != NULL;
}

/* Takes over the rows already stored: they stay when every one splits into
 * the current columns; widths come from the visible ones. */
static int adopt_rows(cosem_profile_state_t *st) {
    uint8_t row[EM_COSEM_PROFILE_MAX_ROW];
    uint16_t off[EM_COSEM_PROFILE_MAX_COLUMNS + 1];
    uint32_t n = stored(st->rows);
    st->captures = n;
    st->entries_in_use = n < st->profile_entries ? n : st->profile_entries;
    for (uint32_t i = n - st->entries_in_use; i < n; i++) {
        int rc = st->rows->ops->read(st->rows->user, i, row);
        if (rc == 0) {
            rc = split_row(row, st->rows->row_size, st->capture_count, off);
        }
        if (rc != 0) {
            return clear_buffer(st); /* rows of another layout: start again */
        }
        note_widths(st, off);
    }
    return 0;
}

static bool columns_ok(const cosem_server_t *s, const dlms_capture_object_t *cols, uint8_t count) {
    if (cols == NULL || count == 0 || count > EM_COSEM_PROFILE_MAX_COLUMNS) {
        return false;
    }
    for (uint8_t c = 0; c < count; c++) {
        if (!capture_object_ok(s, &cols[c])) {
            return false;
        }
    }
    return true;
}

int cosem_profile_init_with(cosem_server_t *s, const cosem_object_t *obj,
                            cosem_profile_rows_t *rows, const cosem_profile_config_t *cfg) {
    cosem_profile_state_t *st = cosem_profile_state(s, obj);
    if (st == NULL || cfg == NULL) {
        return COSEM_ERR_PROFILE_BADARG;
    }
    const cosem_profile_def_t *d = def_of(obj);
    if (rows == NULL && d->rows != COSEM_NO_OFFSET) {
        rows = cosem_app_ptr(s, d->rows);
    }
    if (!rows_usable(rows)) {
        return COSEM_ERR_PROFILE_STORAGE;
    }
    if (rows->row_size <= HDR || rows->row_size > EM_COSEM_PROFILE_MAX_ROW) {
        return COSEM_ERR_PROFILE_ROW_SIZE;
    }
    if (cfg->profile_entries == 0 || cfg->profile_entries > rows->ops->capacity(rows->user)) {
        return COSEM_ERR_PROFILE_CAPACITY;
    }
    if (!columns_ok(s, cfg->capture_objects, cfg->capture_count)) {
        return COSEM_ERR_PROFILE_COLUMNS;
    }
    if (!row_fits(s, cfg->capture_objects, cfg->capture_count, rows->row_size)) {
        return COSEM_ERR_PROFILE_FULL;
    }
    memset(st, 0, sizeof(*st));
    memcpy(st->capture_objects, cfg->capture_objects,
           cfg->capture_count * sizeof(*cfg->capture_objects));
    st->capture_count = cfg->capture_count;
    st->sort_method = COSEM_PROFILE_SORT_FIFO;
    st->capture_period = cfg->capture_period;
    st->profile_entries = cfg->profile_entries;
    st->rows = rows;
    return adopt_rows(st);
}

int cosem_profile_init(cosem_server_t *s, const cosem_object_t *obj, cosem_profile_rows_t *rows) {
    if (cosem_profile_state(s, obj) == NULL) {
        return COSEM_ERR_PROFILE_BADARG;
    }
    const cosem_profile_def_t *d = def_of(obj);
    const cosem_profile_config_t cfg = {d->capture_objects, d->capture_count, d->capture_period,
                                        d->profile_entries};
    return cosem_profile_init_with(s, obj, rows, &cfg);
}

/* ---- selective access -------------------------------------------------------------------------
 */

/* A comparable value: date-times as UTC instants, integers as themselves.
 * hi/lo order every int64 and uint64 (hi 0: negative, 1: not). */
enum { KEY_TIME = 1, KEY_INT = 2 };

typedef struct pkey {
    uint8_t kind;
    uint8_t hi;
    uint64_t lo;
} pkey_t;

static pkey_t key_signed(uint8_t kind, int64_t v) {
    pkey_t k = {kind, v >= 0 ? 1u : 0u, (uint64_t)v};
    return k;
}

static int key_cmp(const pkey_t *a, const pkey_t *b) {
    if (a->hi != b->hi) {
        return a->hi < b->hi ? -1 : 1;
    }
    return a->lo < b->lo ? -1 : (a->lo > b->lo ? 1 : 0);
}

static uint8_t fill(uint8_t v, bool upper, uint8_t max) {
    return v != COSEM_DT_NOT_SPECIFIED ? v : (upper ? max : 0);
}

/* Key of one Data: 0, type-unmatched (neither a date-time nor an integer)
 * or scope-of-access-violated (a date-time that names no instant). */
static int key_of(const cosem_server_t *s, const uint8_t *p, size_t n, bool upper, pkey_t *k) {
    axdr_dec_t d;
    axdr_value_t v;
    axdr_dec_init(&d, p, n);
    int tag = axdr_peek_tag(&d);
    if (tag == AXDR_OCTET_STRING || tag == AXDR_DATE_TIME) {
        cosem_datetime_t dt;
        int64_t utc;
        if (axdr_get_date_time(&d, &dt) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        dt.hour = fill(dt.hour, upper, 23);
        dt.minute = fill(dt.minute, upper, 59);
        dt.second = fill(dt.second, upper, 59);
        if (cosem_datetime_to_instant(s, &dt, &utc) != 0) {
            return DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED;
        }
        *k = key_signed(KEY_TIME, utc);
        return 0;
    }
    if (axdr_get_value(&d, &v) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    switch (v.tag) {
    case AXDR_INTEGER:
    case AXDR_LONG:
    case AXDR_DOUBLE_LONG:
    case AXDR_LONG64:
        *k = key_signed(KEY_INT, v.i);
        return 0;
    case AXDR_UNSIGNED:
    case AXDR_LONG_UNSIGNED:
    case AXDR_DOUBLE_LONG_UNSIGNED:
    case AXDR_LONG64_UNSIGNED:
    case AXDR_ENUM:
        *k = (pkey_t){KEY_INT, 1, v.u};
        return 0;
    default:
        return DLMS_DAR_TYPE_UNMATCHED;
    }
}

/* What one buffer read answers. */
typedef struct plan {
    uint8_t col[EM_COSEM_PROFILE_MAX_COLUMNS]; /* capture object index per answered column */
    uint8_t ncols;
    uint8_t selector; /* 0 none, DLMS_ACCESS_SELECTOR_RANGE / _ENTRY */
    uint8_t key_col;  /* range: the restricting column */
    pkey_t from, to;  /* range bounds */
    uint32_t from_entry, to_entry;
    /* the snapshot (cookie) */
    uint32_t first;
    uint32_t span;
    uint32_t count;
    bool dense;
    uint16_t rsize; /* encoded row size when fixed, else 0 */
} plan_t;

static void all_columns(const cosem_profile_state_t *st, plan_t *p) {
    for (uint8_t c = 0; c < st->capture_count; c++) {
        p->col[c] = c;
    }
    p->ncols = st->capture_count;
}

static int plan_selected(const cosem_profile_state_t *st, const dlms_range_descriptor_t *rd,
                         plan_t *p) {
    if (rd->selected_count == 0) {
        all_columns(st, p);
        return 0;
    }
    if (rd->selected_count > EM_COSEM_PROFILE_MAX_COLUMNS) {
        return DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED;
    }
    axdr_dec_t d;
    axdr_dec_init(&d, rd->selected_values.p, rd->selected_values.len);
    for (uint32_t i = 0; i < rd->selected_count; i++) {
        dlms_capture_object_t co;
        int c = dlms_capture_object_get(&d, &co) == 0 ? column_of(st, &co) : -1;
        if (c < 0) {
            return DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED;
        }
        p->col[p->ncols++] = (uint8_t)c;
    }
    return 0;
}

static int plan_range(const cosem_req_t *r, const cosem_profile_state_t *st, plan_t *p) {
    const dlms_slice_t *prm = &r->selection->parameters;
    dlms_range_descriptor_t rd;
    if (dlms_range_descriptor_decode(prm->p, prm->len, &rd) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    int c = column_of(st, &rd.restricting_object);
    if (c < 0) {
        return DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED;
    }
    p->key_col = (uint8_t)c;
    int rc = key_of(r->srv, rd.from_value.p, rd.from_value.len, false, &p->from);
    if (rc == 0) {
        rc = key_of(r->srv, rd.to_value.p, rd.to_value.len, true, &p->to);
    }
    if (rc == 0 && p->from.kind != p->to.kind) {
        rc = DLMS_DAR_TYPE_UNMATCHED;
    }
    return rc != 0 ? rc : plan_selected(st, &rd, p);
}

static int plan_entry(const cosem_req_t *r, const cosem_profile_state_t *st, plan_t *p) {
    const dlms_slice_t *prm = &r->selection->parameters;
    dlms_entry_descriptor_t ed;
    if (dlms_entry_descriptor_decode(prm->p, prm->len, &ed) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    uint16_t n = st->capture_count;
    uint16_t c0 = ed.from_selected_value != 0 ? ed.from_selected_value : 1;
    uint16_t c1 = ed.to_selected_value;
    if ((c1 != 0 && c0 > c1) || (ed.to_entry != 0 && ed.from_entry > ed.to_entry) || c0 > n) {
        return DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED;
    }
    c1 = (c1 == 0 || c1 > n) ? n : c1;
    for (uint16_t c = c0; c <= c1; c++) {
        p->col[p->ncols++] = (uint8_t)(c - 1);
    }
    p->from_entry = ed.from_entry != 0 ? ed.from_entry : 1;
    p->to_entry = ed.to_entry;
    return 0;
}

/* Columns and bounds of the request (every call: they are not kept). */
static int plan_request(const cosem_req_t *r, const cosem_profile_state_t *st, plan_t *p) {
    memset(p, 0, sizeof(*p));
    const dlms_access_selection_t *sel = r->selection;
    if (sel == NULL || !sel->present) {
        all_columns(st, p);
        return 0;
    }
    p->selector = sel->selector;
    if (sel->selector == DLMS_ACCESS_SELECTOR_RANGE) {
        return plan_range(r, st, p);
    }
    if (sel->selector == DLMS_ACCESS_SELECTOR_ENTRY) {
        return plan_entry(r, st, p);
    }
    return DLMS_DAR_SCOPE_OF_ACCESS_VIOLATED; /* the dispatcher refuses these already */
}

/* 1 when a split row's restricting column lies in [from, to], 0 if not. */
static int row_matches(const cosem_server_t *s, const plan_t *p, const uint8_t *row,
                       const uint16_t *off) {
    pkey_t k;
    uint16_t a = off[p->key_col];
    if (key_of(s, row + a, (size_t)(off[p->key_col + 1] - a), false, &k) != 0 ||
        k.kind != p->from.kind) {
        return 0; /* e.g. a null-data column, or a clock that was not set */
    }
    return key_cmp(&p->from, &k) <= 0 && key_cmp(&k, &p->to) <= 0;
}

/* The rows of the range: the span from the first to the last matching row,
 * dense when every row between them matches (the clock never went back
 * inside it). One pass over the restricting column. */
static int scan_range(const cosem_req_t *r, const cosem_profile_state_t *st, plan_t *p) {
    uint8_t row[EM_COSEM_PROFILE_MAX_ROW];
    uint16_t off[EM_COSEM_PROFILE_MAX_COLUMNS + 1];
    uint32_t n = visible(st);
    uint32_t oldest = st->captures - n;
    uint32_t lo = 0, hi = 0, matched = 0;
    for (uint32_t i = 0; i < n; i++) {
        int rc = read_seq(st, oldest + i, row);
        if (rc == 0) {
            rc = split_row(row, st->rows->row_size, st->capture_count, off);
        }
        if (rc != 0) {
            return rc;
        }
        if (row_matches(r->srv, p, row, off)) {
            lo = matched == 0 ? i : lo;
            hi = i;
            matched++;
        }
    }
    p->first = oldest + lo;
    p->span = matched > 0 ? hi - lo + 1 : 0;
    p->count = matched;
    p->dense = matched == p->span;
    return 0;
}

static int snapshot(const cosem_req_t *r, const cosem_profile_state_t *st, plan_t *p) {
    uint32_t n = visible(st);
    uint32_t oldest = st->captures - n;
    p->first = oldest;
    p->span = n;
    p->dense = true;
    if (p->selector == DLMS_ACCESS_SELECTOR_RANGE) {
        return scan_range(r, st, p);
    }
    if (p->selector == DLMS_ACCESS_SELECTOR_ENTRY) {
        uint32_t to = (p->to_entry == 0 || p->to_entry > n) ? n : p->to_entry;
        p->first = oldest + p->from_entry - 1;
        p->span = p->from_entry <= to ? to - p->from_entry + 1 : 0;
    }
    p->count = p->span;
    return 0;
}

static void put_u32(uint8_t *b, uint32_t v) {
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *b) {
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static void save_snapshot(uint8_t *cookie, const plan_t *p) {
    cookie[0] = SNAP_MAGIC;
    cookie[1] = p->dense ? 1u : 0u;
    put_u32(cookie + 2, p->first);
    put_u32(cookie + 6, p->span);
    put_u32(cookie + 10, p->count);
    cookie[14] = (uint8_t)(p->rsize >> 8);
    cookie[15] = (uint8_t)p->rsize;
}

static bool load_snapshot(const uint8_t *cookie, plan_t *p) {
    if (cookie[0] != SNAP_MAGIC) {
        return false;
    }
    p->dense = cookie[1] != 0;
    p->first = get_u32(cookie + 2);
    p->span = get_u32(cookie + 6);
    p->count = get_u32(cookie + 10);
    p->rsize = (uint16_t)((cookie[14] << 8) | cookie[15]);
    return true;
}

/* ---- buffer -------------------------------------------------------------------------------------
 */

/* Encoded bytes of one answered row when every answered column has had one
 * width in all rows since the clear; 0 otherwise. */
static uint16_t fixed_row_size(const cosem_profile_state_t *st, const plan_t *p) {
    uint16_t n = ROW_STRUCT;
    for (uint8_t k = 0; k < p->ncols; k++) {
        uint16_t w = st->width[p->col[k]];
        if (w == WIDTH_NONE || w == WIDTH_VARIES) {
            return 0;
        }
        n = (uint16_t)(n + w); /* <= 2 + EM_COSEM_PROFILE_MAX_ROW */
    }
    return n;
}

static size_t row_size_of(const plan_t *p, const uint16_t *off) {
    size_t n = ROW_STRUCT;
    for (uint8_t k = 0; k < p->ncols; k++) {
        n += (size_t)(off[p->col[k] + 1] - off[p->col[k]]);
    }
    return n;
}

static int put_row(axdr_enc_t *e, const plan_t *p, const uint8_t *row, const uint16_t *off) {
    axdr_put_structure(e, p->ncols);
    for (uint8_t k = 0; k < p->ncols && e->err == 0; k++) {
        uint8_t c = p->col[k];
        axdr_put_raw(e, row + off[c], (size_t)(off[c + 1] - off[c]));
    }
    return e->err;
}

/* Measure mode (what the block engine runs first) has no output buffer. */
static bool measuring(const axdr_enc_t *e) {
    return e->buf == NULL;
}

static int read_split(const cosem_profile_state_t *st, uint32_t seq, uint8_t *row, uint16_t *off) {
    int rc = read_seq(st, seq, row);
    return rc != 0 ? rc : split_row(row, st->rows->row_size, st->capture_count, off);
}

/* Rows of known size: those before the window (all of them when
 * measuring) are skipped by arithmetic, without a store read. */
static int put_rows_fixed(const cosem_profile_state_t *st, const plan_t *p, size_t rsize,
                          axdr_enc_t *e) {
    uint8_t row[EM_COSEM_PROFILE_MAX_ROW];
    uint16_t off[EM_COSEM_PROFILE_MAX_COLUMNS + 1];
    size_t pos = axdr_enc_size(e);
    size_t start = dlms_apdu_window_start(e);
    uint64_t skip = measuring(e) ? p->count : (start > pos ? (start - pos) / rsize : 0);
    skip = skip < p->count ? skip : p->count;
    if ((uint64_t)p->count * rsize > SIZE_MAX - pos) {
        return COSEM_ERR_PROFILE_CAPACITY; /* not representable on this target */
    }
    if (skip > 0 && dlms_apdu_skip(e, (size_t)skip * rsize) != 0) {
        return e->err != 0 ? e->err : COSEM_ERR_PROFILE_ROW;
    }
    for (uint32_t i = (uint32_t)skip; i < p->count && e->err == 0; i++) {
        int rc = read_split(st, p->first + i, row, off);
        if (rc == 0 && row_size_of(p, off) != rsize) {
            rc = COSEM_ERR_PROFILE_ROW; /* the store changed behind the widths */
        }
        if (rc != 0) {
            return rc;
        }
        put_row(e, p, row, off);
    }
    return e->err;
}

/* Rows of varying size, or a range the clock went back in: every row of
 * the span is read to learn its size (and whether it matches). */
static int put_rows_scan(const cosem_req_t *r, const cosem_profile_state_t *st, const plan_t *p,
                         axdr_enc_t *e) {
    uint8_t row[EM_COSEM_PROFILE_MAX_ROW];
    uint16_t off[EM_COSEM_PROFILE_MAX_COLUMNS + 1];
    size_t start = dlms_apdu_window_start(e);
    for (uint32_t i = 0; i < p->span && e->err == 0; i++) {
        int rc = read_split(st, p->first + i, row, off);
        if (rc != 0) {
            return rc;
        }
        if (!p->dense && !row_matches(r->srv, p, row, off)) {
            continue;
        }
        size_t n = row_size_of(p, off);
        size_t pos = axdr_enc_size(e);
        if (measuring(e) || (pos <= start && n <= start - pos)) {
            dlms_apdu_skip(e, n);
        } else {
            put_row(e, p, row, off);
        }
    }
    return e->err;
}

static int get_buffer(const cosem_req_t *r, const cosem_profile_state_t *st, axdr_enc_t *e) {
    if (st->rows == NULL) {
        return COSEM_ERR_PROFILE_STORAGE;
    }
    plan_t p;
    int rc = plan_request(r, st, &p);
    if (rc != 0) {
        return rc;
    }
    uint8_t own[EM_DLMS_GET_COOKIE];
    uint8_t *cookie = r->cookie;
    if (cookie == NULL) {
        memset(own, 0, sizeof(own));
        cookie = own;
    }
    if (!load_snapshot(cookie, &p)) {
        rc = snapshot(r, st, &p);
        if (rc != 0) {
            return rc;
        }
        p.rsize = p.dense ? fixed_row_size(st, &p) : 0;
        save_snapshot(cookie, &p);
    }
    if (axdr_put_array(e, p.count) != 0) {
        return e->err;
    }
    return p.rsize != 0 ? put_rows_fixed(st, &p, p.rsize, e) : put_rows_scan(r, st, &p, e);
}

/* ---- attributes
 * ----------------------------------------------------------------------------------- */

static int put_capture_objects(const cosem_profile_state_t *st, axdr_enc_t *e) {
    axdr_put_array(e, st->capture_count);
    for (uint8_t c = 0; c < st->capture_count && e->err == 0; c++) {
        dlms_capture_object_put(e, &st->capture_objects[c]);
    }
    return e->err;
}

static int profile_get(const cosem_req_t *r, axdr_enc_t *e) {
    const cosem_profile_state_t *st = cosem_profile_state(r->srv, r->obj);
    static const dlms_capture_object_t no_object;
    switch (r->id) {
    case 2:
        return get_buffer(r, st, e);
    case 3:
        return put_capture_objects(st, e);
    case 4:
        return axdr_put_uint32(e, st->capture_period);
    case 5:
        return axdr_put_enum(e, st->sort_method);
    case 6:
        return dlms_capture_object_put(e, &no_object); /* FIFO sorts by nothing */
    case 7:
        return axdr_put_uint32(e, visible(st));
    default:
        return axdr_put_uint32(e, st->profile_entries);
    }
}

static int set_capture_objects(const cosem_req_t *r, cosem_profile_state_t *st, axdr_dec_t *v) {
    dlms_capture_object_t list[EM_COSEM_PROFILE_MAX_COLUMNS];
    uint32_t n = 0;
    if (axdr_get_array(v, &n) != 0) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (n == 0 || n > EM_COSEM_PROFILE_MAX_COLUMNS) {
        return DLMS_DAR_OTHER_REASON;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (dlms_capture_object_get(v, &list[i]) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (!capture_object_ok(r->srv, &list[i])) {
            return DLMS_DAR_OTHER_REASON;
        }
    }
    if (!cosem_dec_done(v)) {
        return DLMS_DAR_TYPE_UNMATCHED;
    }
    if (!row_fits(r->srv, list, (uint8_t)n, st->rows->row_size)) {
        return DLMS_DAR_OTHER_REASON;
    }
    int rc = clear_buffer(st);
    memcpy(st->capture_objects, list, n * sizeof(list[0]));
    st->capture_count = (uint8_t)n;
    return rc;
}

static int profile_set(const cosem_req_t *r, axdr_dec_t *value) {
    cosem_profile_state_t *st = cosem_profile_state(r->srv, r->obj);
    uint32_t u = 0;
    uint8_t m = 0;
    if (st->rows == NULL) {
        return DLMS_DAR_OBJECT_UNAVAILABLE; /* not initialised by the application */
    }
    switch (r->id) {
    case 3:
        return set_capture_objects(r, st, value);
    case 4:
        if (axdr_get_uint32(value, &u) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        st->capture_period = u;
        return clear_buffer(st);
    case 5:
        if (axdr_get_enum(value, &m) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        return m == COSEM_PROFILE_SORT_FIFO ? 0 : (int)DLMS_DAR_OTHER_REASON;
    case 8:
        if (axdr_get_uint32(value, &u) != 0) {
            return DLMS_DAR_TYPE_UNMATCHED;
        }
        if (u == 0 || u > st->rows->ops->capacity(st->rows->user)) {
            return DLMS_DAR_OTHER_REASON;
        }
        st->profile_entries = u;
        st->entries_in_use = st->entries_in_use < u ? st->entries_in_use : u;
        return 0;
    default:
        return DLMS_DAR_READ_WRITE_DENIED;
    }
}

static int profile_action(const cosem_req_t *r, axdr_dec_t *params, axdr_enc_t *ret,
                          bool *has_ret) {
    (void)ret;
    *has_ret = false;
    if (!cosem_param_is_dummy(params)) {
        return DLMS_ACTION_TYPE_UNMATCHED;
    }
    if (r->id == 1) {
        return cosem_profile_reset(r->srv, r->obj);
    }
    int64_t now;
    if (cosem_rtc_now(r->srv, &now) != 0) {
        return DLMS_ACTION_HARDWARE_FAULT;
    }
    return cosem_profile_capture(r->srv, r->obj, now);
}

static int profile_check(const cosem_server_t *s, const cosem_object_t *obj) {
    const cosem_profile_def_t *d = def_of(obj);
    if (d->state > s->app_size || sizeof(cosem_profile_state_t) > s->app_size - d->state ||
        (d->rows != COSEM_NO_OFFSET &&
         (d->rows > s->app_size || sizeof(cosem_profile_rows_t) > s->app_size - d->rows))) {
        return COSEM_ERR_BINDING;
    }
    if (d->profile_entries == 0) {
        return COSEM_ERR_PROFILE_CAPACITY;
    }
    return columns_ok(s, d->capture_objects, d->capture_count) ? 0 : COSEM_ERR_PROFILE_COLUMNS;
}

const cosem_class_t cosem_class_profile_generic = {
    .class_id = COSEM_CLASS_PROFILE_GENERIC,
    .version = 1,
    .attr_count = 8,
    .method_count = 2,
    .write_mask = COSEM_BIT(3) | COSEM_BIT(4) | COSEM_BIT(5) | COSEM_BIT(8),
    .method_mask = COSEM_BIT(1) | COSEM_BIT(2),
    .selective_mask = COSEM_BIT(2),
    .selectors = COSEM_BIT(DLMS_ACCESS_SELECTOR_RANGE) | COSEM_BIT(DLMS_ACCESS_SELECTOR_ENTRY),
    .get = profile_get,
    .set = profile_set,
    .action = profile_action,
    .check = profile_check,
};
