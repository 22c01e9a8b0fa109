/*
 * fuzz_display.c - libFuzzer target for the display lists as COSEM
 * capture_objects (lib/meter/display.c, display_list_write: the SET of
 * attribute 3 of the readout objects 0.0.21.0.e.255) and for the value
 * rendering behind them.
 *
 * Input: byte 0 selects the variant (bit 7) and the list (bits 0-1);
 * bytes 1..8 are the value (int64), byte 9 the scaler, byte 10 the unit and
 * byte 11 the decimals setting the fake meter shows for every item; the
 * rest is the A-XDR value of the SET.
 *
 * Invariants (trap on violation):
 *   - the result is 0, type-unmatched (12) or other-reason (250);
 *   - a refused SET leaves the list as it was;
 *   - an accepted list holds at most the list's capacity, every legal
 *     reading when the list must have them, and encodes back (canonical
 *     lengths: no longer than what the decoder consumed) to bytes that
 *     decode to the same items;
 *   - every rendered line is NUL-terminated within 16 characters, in every
 *     mode the list can be shown in.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dlms/apdu.h"
#include "meter/display.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fake {
    int64_t value;
    int8_t scaler;
    uint8_t unit;
} fake_t;

static int fake_read(void *user, const display_item_t *it, display_value_t *out) {
    const fake_t *f = user;
    if (it->obis[0] == 0 && it->obis[2] == 96) { /* abstract ids as text */
        out->kind = DISPLAY_VALUE_TEXT;
        out->text_len = (uint8_t)(f->unit % 20u); /* may exceed the buffer: clamped */
        memset(out->text, 'A' + (f->unit % 26), sizeof(out->text));
        return 0;
    }
    if (it->obis[5] == 0)
        return -1;
    out->value = f->value;
    out->scaler = f->scaler;
    out->unit = f->unit;
    return 0;
}

static void check_render(display_t *d) {
    char lines[DISPLAY_LINES][DISPLAY_COLS + 1];
    memset(lines, 0x5A, sizeof(lines));
    int rc = display_render(d, lines);
    if (rc != 0 && rc != DISPLAY_ERR_READ)
        __builtin_trap();
    for (unsigned k = 0; k < DISPLAY_LINES; k++)
        if (memchr(lines[k], 0, DISPLAY_COLS + 1) == NULL)
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 12)
        return 0;
    uint8_t variant = (data[0] & 0x80) ? DISPLAY_VARIANT_OMNI : DISPLAY_VARIANT_ESMR;
    uint8_t list_id = data[0] & 0x03;
    fake_t f;
    uint64_t v = 0;
    for (unsigned i = 1; i <= 8; i++)
        v = (v << 8) | data[i];
    memcpy(&f.value, &v, sizeof(f.value));
    f.scaler = (int8_t)data[9];
    f.unit = data[10];

    display_cfg_t cfg;
    if (display_cfg_default(&cfg, variant) != 0)
        __builtin_trap();
    cfg.decimals = (uint8_t)(DISPLAY_DEC_7_0 + data[11] % 4u);
    display_ops_t ops = {fake_read, &f};
    static display_t d; /* host only: a fuzz target may keep state off the stack */
    if (display_init(&d, &cfg, &ops) != 0)
        __builtin_trap();
    display_list_t before = *display_list_get(&d, list_id);

    axdr_dec_t dec;
    axdr_dec_init(&dec, data + 12, size - 12);
    int dar = display_list_write(&d, list_id, &dec);
    const display_list_t *after = display_list_get(&d, list_id);
    if (dar != DLMS_DAR_SUCCESS) {
        if (dar != DLMS_DAR_TYPE_UNMATCHED && dar != DLMS_DAR_OTHER_REASON)
            __builtin_trap();
        if (after->count != before.count ||
            memcmp(after->items, before.items, sizeof(before.items)) != 0)
            __builtin_trap();
        return 0;
    }
    if (after->count > display_list_capacity(list_id))
        __builtin_trap();
    if (cfg.legal_lists & (1u << list_id)) {
        for (unsigned k = 0; k < cfg.legal_count; k++) {
            bool found = false;
            for (unsigned i = 0; i < after->count; i++)
                found |= memcmp(after->items[i].obis, cfg.legal[k].obis, 6) == 0 &&
                         after->items[i].attr == cfg.legal[k].attr &&
                         after->items[i].class_id == cfg.legal[k].class_id;
            if (!found)
                __builtin_trap();
        }
    }
    uint8_t out[2048];
    axdr_enc_t e;
    axdr_enc_init(&e, out, sizeof(out));
    if (display_list_encode(&d, list_id, &e) != 0 || e.len > dec.pos)
        __builtin_trap();
    display_item_t again[EM_DISPLAY_MANUAL_MAX];
    size_t n;
    axdr_dec_t dec2;
    axdr_dec_init(&dec2, out, e.len);
    if (display_list_decode(&dec2, again, EM_DISPLAY_MANUAL_MAX, &n) != 0 || n != after->count ||
        dec2.pos != e.len)
        __builtin_trap();
    for (size_t i = 0; i < n; i++)
        if (again[i].class_id != after->items[i].class_id ||
            again[i].attr != after->items[i].attr ||
            again[i].data_index != after->items[i].data_index ||
            memcmp(again[i].obis, after->items[i].obis, 6) != 0)
            __builtin_trap();

    /* Show the list in every mode it can appear in. */
    display_power_up(&d, 0);
    display_tick(&d, 5000);
    for (unsigned i = 0; i < 3; i++) {
        check_render(&d);
        display_button(&d, 6000 + i * 1000u, true);
        display_button(&d, 6100 + i * 1000u, false);
    }
    display_cover(&d, 9000, true);
    check_render(&d);
    display_power_down(&d, 10000);
    display_button(&d, 11000, true);
    display_button(&d, 11100, false);
    check_render(&d);
    return 0;
}
