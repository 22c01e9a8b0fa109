/*
 * test_metrology_samples.c - the sample-file decoder (csv, s16, f32) and
 * the `emeter --samples` replay tool end to end.
 *
 * The tool is host code in apps/emeter/samples.c; unit tests link only
 * the libraries, so the file is included here to run samples_main() on
 * files written to a temporary directory.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../apps/emeter/samples.c"
#include "meter/metrology/sample_file.h"

#define CAP 64

static float out[6 * CAP];

static void test_decimal(void **state) {
    static const struct {
        const char *s;
        double v;
    } ok[] = {
        {"0", 0.0},
        {"-1.5", -1.5},
        {"+2.", 2.0},
        {".5", 0.5},
        {"1e3", 1000.0},
        {"1E-3", 0.001},
        {"0.000125", 0.000125},
        {"-0", 0.0},
        {"325.26911", 325.26911},
        {"12345678901234567890123", 1.2345678901234568e22},
        {"0.00000000000000000000000012345", 1.2345e-25},
        {"7e-500", 0.0},
    };
    static const char *bad[] = {"",     "-",   ".",   "e5",  "1e",  "1.2.3", "1 2",
                                "0x10", "nan", "inf", "1e+", "--1", "+",     "1,5"};
    double v;
    (void)state;
    for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++) {
        assert_int_equal(metrology_parse_decimal(ok[k].s, strlen(ok[k].s), &v), 0);
        assert_true(fabs(v - ok[k].v) <= 1e-15 * fabs(ok[k].v) + 1e-300);
    }
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        assert_int_equal(metrology_parse_decimal(bad[k], strlen(bad[k]), &v),
                         METROLOGY_ERR_SF_SYNTAX);
    }
    assert_int_equal(metrology_parse_decimal("1e99999999999", 13, &v), 0);
    assert_true(v > 1e300); /* refused later by the range check */
}

static const char csv_ok[] = "# a recording\r\n"
                             "t,v1,i1,v2,i2,v3,i3\r\n"
                             "0.000000, 1, 2, 3, 4, 5, 6\r\n"
                             "\r\n"
                             "0.000125,-1,-2,-3,-4,-5,-6\r\n"
                             "0.000250,1e2,0.5,0,0,0,0\r\n"
                             "0.000375,0,0,0,0,0,7.25";

static int decode_all(metrology_sf_t *r, const char *text, size_t chunk) {
    size_t len = strlen(text), off = 0;
    int sets = 0;
    while (off < len) {
        size_t n = len - off < chunk ? len - off : chunk, used;
        int rc = metrology_sf_feed(r, (const uint8_t *)text + off, n, &used, out + 6 * (size_t)sets,
                                   (size_t)(CAP - sets));
        if (rc < 0) {
            return rc;
        }
        sets += rc;
        off += used;
    }
    {
        int rc = metrology_sf_finish(r, out + 6 * (size_t)sets, (size_t)(CAP - sets));
        return rc < 0 ? rc : sets + rc;
    }
}

static void test_csv(void **state) {
    metrology_sf_t r;
    float whole[6 * 4];
    (void)state;
    assert_int_equal(metrology_sf_init(&r, METROLOGY_SF_CSV, 0, 1.0f, 1.0f), 0);
    assert_int_equal(decode_all(&r, csv_ok, 1000), 4);
    assert_int_equal(r.rate, 8000);
    assert_true(out[0] == 1.0f && out[5] == 6.0f && out[6] == -1.0f && out[12] == 100.0f);
    assert_true(out[13] == 0.5f && out[23] == 7.25f);
    memcpy(whole, out, sizeof(whole));
    /* Fed one byte at a time: the same sets. */
    assert_int_equal(metrology_sf_init(&r, METROLOGY_SF_CSV, 0, 1.0f, 1.0f), 0);
    memset(out, 0, sizeof(out));
    assert_int_equal(decode_all(&r, csv_ok, 1), 4);
    assert_memory_equal(out, whole, sizeof(whole));
    /* Single phase: t,v,i. */
    assert_int_equal(metrology_sf_init(&r, METROLOGY_SF_CSV, 4000, 1.0f, 1.0f), 0);
    assert_int_equal(decode_all(&r, "0,230,5\n0.00025,231,4\n", 7), 2);
    assert_true(out[6] == 231.0f && out[7] == 4.0f && out[8] == 0.0f && out[11] == 0.0f);
}

static void expect_csv_error(const char *text, uint32_t rate, int err, uint64_t line) {
    metrology_sf_t r;
    assert_int_equal(metrology_sf_init(&r, METROLOGY_SF_CSV, rate, 1.0f, 1.0f), 0);
    assert_int_equal(decode_all(&r, text, 5), err);
    assert_int_equal(r.err_line, line);
    /* sticky */
    {
        size_t used;
        assert_int_equal(metrology_sf_feed(&r, (const uint8_t *)"0,1,2\n", 6, &used, out, 1), err);
    }
}

static void test_csv_errors(void **state) {
    char longline[EM_METROLOGY_CSV_MAX_LINE + 20];
    (void)state;
    expect_csv_error("0,1,2,3,4,5,6\n0.000125,1,2,3,4,5,x\n", 0, METROLOGY_ERR_SF_SYNTAX, 2);
    expect_csv_error("0,1,2,3,4,5,6\n0.000125,1,2\n", 0, METROLOGY_ERR_SF_COLUMNS, 2);
    expect_csv_error("0,1,2,3,4\n", 0, METROLOGY_ERR_SF_COLUMNS, 1);
    expect_csv_error("0,1,2,3,4,5,6,7\n", 0, METROLOGY_ERR_SF_COLUMNS, 1);
    expect_csv_error("0,1,2\n0.000125,1,2\n\n0.0005,1,2\n", 0, METROLOGY_ERR_SF_TIME, 4);
    expect_csv_error("0,1,2\n0,1,2\n", 0, METROLOGY_ERR_SF_TIME, 2);
    expect_csv_error("0,1,2\n1,1,2\n", 0, METROLOGY_ERR_SF_RATE, 2);
    expect_csv_error("0,1,2\n0.000125,1,2\n", 2000, METROLOGY_ERR_SF_TIME, 2);
    expect_csv_error("0,1e10,2\n", 0, METROLOGY_ERR_SF_NUMBER, 1);
    expect_csv_error("t,v,i\nt,v,i\n", 0, METROLOGY_ERR_SF_SYNTAX, 2);
    memset(longline, '1', sizeof(longline));
    longline[sizeof(longline) - 1] = '\0';
    expect_csv_error(longline, 0, METROLOGY_ERR_SF_LINE, 1);
    {
        metrology_sf_t r;
        assert_int_equal(metrology_sf_init(&r, METROLOGY_SF_CSV, 10, 1.0f, 1.0f),
                         METROLOGY_ERR_SF_RATE);
        assert_int_equal(metrology_sf_init(&r, METROLOGY_SF_S16, 0, 1.0f, 1.0f),
                         METROLOGY_ERR_SF_RATE);
        assert_int_equal(metrology_sf_init(&r, 7, 8000, 1.0f, 1.0f), METROLOGY_ERR_BADARG);
    }
}

static void test_raw(void **state) {
    metrology_sf_t r;
    uint8_t s16[12 * 2 + 5];
    uint8_t f32[24 * 2];
    size_t used;
    float nanv = NAN, v = -2.5f;
    (void)state;
    for (int k = 0; k < 12; k++) { /* values 1000, -1000, ... */
        int16_t x = (int16_t)((k & 1) ? -1000 : 1000);
        s16[2 * k] = (uint8_t)(x & 0xff);
        s16[2 * k + 1] = (uint8_t)((uint16_t)x >> 8);
    }
    memset(s16 + 24, 0, 5);
    assert_int_equal(metrology_sf_init(&r, METROLOGY_SF_S16, 8000, 0.01f, 0.001f), 0);
    assert_int_equal(metrology_sf_feed(&r, s16, 7, &used, out, CAP), 0);
    assert_int_equal(metrology_sf_feed(&r, s16 + 7, sizeof(s16) - 7, &used, out, CAP), 2);
    assert_true(fabsf(out[0] - 10.0f) < 1e-5f && fabsf(out[1] + 1.0f) < 1e-6f);
    assert_int_equal(metrology_sf_finish(&r, out, CAP), METROLOGY_ERR_SF_TRUNC);
    assert_int_equal(r.err_offset, 24);

    for (int k = 0; k < 12; k++) {
        memcpy(f32 + 4 * k, k == 9 ? &nanv : &v, 4); /* little-endian host */
    }
    assert_int_equal(metrology_sf_init(&r, METROLOGY_SF_F32, 8000, 1.0f, 1.0f), 0);
    /* The good first set comes out, the error with the next call. */
    assert_int_equal(metrology_sf_feed(&r, f32, sizeof(f32), &used, out, CAP), 1);
    assert_true(out[0] == -2.5f);
    assert_int_equal(used, 48);
    assert_int_equal(metrology_sf_feed(&r, f32, 0, &used, out, CAP), METROLOGY_ERR_SF_NUMBER);
    assert_int_equal(metrology_sf_finish(&r, out, CAP), METROLOGY_ERR_SF_NUMBER);
    assert_int_equal(r.err_offset, 36);
}

/* ---- the replay tool --------------------------------------------------------- */

static char dir[64];

static void path(char *buf, size_t n, const char *name) {
    snprintf(buf, n, "%s/%s", dir, name);
}

/* TC-08 in a csv file: 3 s, a 200 ms sag to 150 V at t = 1 s. */
static void write_sag_csv(const char *file) {
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fprintf(f, "t,v1,i1,v2,i2,v3,i3\n");
    for (int n = 0; n < 3 * 8000; n++) {
        double t = n / 8000.0, u = (n >= 8000 && n < 9600) ? 150.0 : 230.0;
        fprintf(f, "%.6f", t);
        for (int k = 0; k < 3; k++) {
            double a = 2.0 * 3.141592653589793 * (50.0 * t - k / 3.0);
            fprintf(f, ",%.5f,%.5f", sqrt(2.0) * u * sin(a), sqrt(2.0) * 5.0 * sin(a));
        }
        fprintf(f, "\n");
    }
    fclose(f);
}

static int run_tool(const char *in, const char *outp, const char *extra) {
    char *argv[8] = {"emeter", "--samples", (char *)in, "--dump-measures", (char *)outp};
    int argc = 5;
    if (extra != NULL) {
        argv[argc++] = "--rate";
        argv[argc++] = (char *)extra;
    }
    return samples_main(argc, argv);
}

static void test_replay_tool(void **state) {
    char csv[128], jsonl[128], bad[128], line[4096];
    int measures = 0, dips = 0;
    FILE *f;
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/emeter_samples_XXXXXX");
    assert_non_null(mkdtemp(dir));
    path(csv, sizeof(csv), "sag.csv");
    path(jsonl, sizeof(jsonl), "out.jsonl");
    path(bad, sizeof(bad), "bad.csv");
    write_sag_csv(csv);
    assert_int_equal(run_tool(csv, jsonl, NULL), 0);
    f = fopen(jsonl, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        measures += strstr(line, "\"type\":\"measures\"") != NULL;
        if (strstr(line, "\"code\":232") != NULL) {
            unsigned ms = 0;
            const char *d = strstr(line, "\"duration_ms\":");
            assert_non_null(d);
            assert_int_equal(sscanf(d, "\"duration_ms\":%u", &ms), 1);
            assert_true(ms >= 180 && ms <= 220);
            dips++;
        }
    }
    fclose(f);
    assert_int_equal(measures, 3);
    assert_int_equal(dips, 1);

    f = fopen(bad, "w");
    assert_non_null(f);
    fprintf(f, "0,1,2\n0.000125,1,2\n0.00025,1,oops\n");
    fclose(f);
    assert_int_equal(run_tool(bad, jsonl, NULL), 2);
    assert_int_equal(run_tool(csv, jsonl, "4000"), 2); /* time stamps disagree */
    assert_int_equal(run_tool("/nonexistent/x.csv", jsonl, NULL), 2);
    unlink(csv);
    unlink(jsonl);
    unlink(bad);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal),     cmocka_unit_test(test_csv),
        cmocka_unit_test(test_csv_errors),  cmocka_unit_test(test_raw),
        cmocka_unit_test(test_replay_tool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
