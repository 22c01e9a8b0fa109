/*
 * main.c - command line of the dlms head-end tool (DESIGN.md contract):
 *
 *   dlms [--host H --port P | --serial DEV] [--client SAP] [--server SAP]
 *        [--auth none|low|hls5] [--password P] [--ak HEX --ek HEX --kek HEX]
 *        [--system-title HEX] [--ic N|auto] [--json] [--timeout S] COMMAND ...
 *
 * Reads the options into a cli_opts_t, fills the defaults (127.0.0.1:4059,
 * client 16, server 1, no authentication; HLS-5 without keys uses the
 * well-known DLMS example keys of dlms-facts §3.1, with a warning) and hands
 * over to cli_run() (commands.c). Options may come before or after the
 * command. docs/dlms-cli.md is the user guide.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dlms/acse.h"
#include "obis_parse.h"
#include "value_parse.h"

/* dlms-facts §3.1: Green Book example keys. Test meters only. */
static const char example_ek[] = "000102030405060708090A0B0C0D0E0F";
static const char example_ak[] = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF";
static const char example_kek[] = "000102030405060708090A0B0C0D0E0F";
/* Our system title: "EMC" (the tool's FLAG-style id) and serial 1. */
static const char default_title[] = "454D430000000001";

enum {
    OPT_BAUD = 256,
    OPT_PHYSICAL,
    OPT_AK,
    OPT_EK,
    OPT_KEK,
    OPT_TITLE,
    OPT_IC,
    OPT_IC_OBIS,
    OPT_CIPHER,
    OPT_PLAIN,
    OPT_MAX_PDU,
    OPT_CSV,
    OPT_IEC,
    OPT_RAW,
    OPT_TYPED,
    OPT_CLASS,
    OPT_FROM,
    OPT_TO,
    OPT_ENTRIES,
    OPT_COLUMNS,
    OPT_ID,
    OPT_SIG,
    OPT_MAX_BLOCKS,
    OPT_UDP,
    OPT_COUNT,
};

static const struct option long_opts[] = {
    {"host", required_argument, NULL, 'H'},
    {"port", required_argument, NULL, 'p'},
    {"serial", required_argument, NULL, 'S'},
    {"baud", required_argument, NULL, OPT_BAUD},
    {"physical", required_argument, NULL, OPT_PHYSICAL},
    {"client", required_argument, NULL, 'c'},
    {"server", required_argument, NULL, 's'},
    {"auth", required_argument, NULL, 'a'},
    {"password", required_argument, NULL, 'P'},
    {"ak", required_argument, NULL, OPT_AK},
    {"ek", required_argument, NULL, OPT_EK},
    {"kek", required_argument, NULL, OPT_KEK},
    {"system-title", required_argument, NULL, OPT_TITLE},
    {"ic", required_argument, NULL, OPT_IC},
    {"ic-obis", required_argument, NULL, OPT_IC_OBIS},
    {"cipher", no_argument, NULL, OPT_CIPHER},
    {"plain", no_argument, NULL, OPT_PLAIN},
    {"max-pdu", required_argument, NULL, OPT_MAX_PDU},
    {"json", no_argument, NULL, 'j'},
    {"csv", no_argument, NULL, OPT_CSV},
    {"iec", no_argument, NULL, OPT_IEC},
    {"raw", no_argument, NULL, OPT_RAW},
    {"typed", no_argument, NULL, OPT_TYPED},
    {"timeout", required_argument, NULL, 't'},
    {"verbose", no_argument, NULL, 'v'},
    {"class", required_argument, NULL, OPT_CLASS},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"entries", required_argument, NULL, OPT_ENTRIES},
    {"columns", required_argument, NULL, OPT_COLUMNS},
    {"id", required_argument, NULL, OPT_ID},
    {"sig", required_argument, NULL, OPT_SIG},
    {"max-blocks", required_argument, NULL, OPT_MAX_BLOCKS},
    {"udp", no_argument, NULL, OPT_UDP},
    {"count", required_argument, NULL, OPT_COUNT},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *f) {
    fputs("usage: dlms [options] COMMAND [ARGS]\n"
          "\n"
          "commands:\n"
          "  list                          object list of the association (class, version, "
          "access)\n"
          "  get OBIS ATTR [--class N]     read an attribute\n"
          "  set OBIS ATTR VALUE           write an attribute (VALUE: u32:5, os:0102, "
          "dt:2026-11-20T12:00:00Z,\n"
          "                                struct(...), array(...); see docs/dlms-cli.md)\n"
          "  action OBIS METHOD [ARG]      invoke a method\n"
          "  profile OBIS [--from T --to T | --entries A-B] [--columns LIST] [--csv]\n"
          "  ic [E|OBIS]                   read an invocation counter with the public client\n"
          "  clock                         read the clock 0.0.1.0.0.255\n"
          "  upgrade FILE [OBIS] [--id ID] [--max-blocks N]\n"
          "                                firmware upgrade through Image transfer "
          "0.0.44.0.0.255:\n"
          "                                resume, blocks, verify, activate "
          "(docs/upgrade.md)\n"
          "  image-build --id ID [--sig SIG] PAYLOAD OUT   make an image file\n"
          "  image-info FILE               check an image file and show its trailer\n"
          "  listen [--udp] [--count N]    receive and print pushed data-notifications on\n"
          "                                --host/--port (TCP, and UDP with --udp)\n"
          "\n"
          "connection:   --host H (127.0.0.1) --port P (4059) | --serial DEV [--baud 9600] "
          "[--physical N]\n"
          "              --client SAP (16; 1 with --auth hls5) --server SAP (1) --timeout S (5)\n"
          "security:     --auth none|low|hls5 --password P --ek HEX --ak HEX --kek HEX\n"
          "              --system-title HEX --ic N|auto --ic-obis OBIS --cipher --plain "
          "--max-pdu N\n"
          "output:       --json --csv --typed --iec --raw -v (association) -vv (APDUs)\n"
          "\n"
          "exit status: 0 ok, 2 usage, 3 connection/timeout, 4 association refused,\n"
          "             5 access refused by the meter, 6 bad answer, 1 other\n",
          f);
}

static int bad(const char *what, const char *arg) {
    fprintf(stderr, "dlms: invalid %s '%s' (dlms --help)\n", what, arg);
    return CLI_EXIT_USAGE;
}

static int parse_num(const char *s, unsigned long min, unsigned long max, unsigned long *out) {
    char *end = NULL;
    unsigned long v = strtoul(s, &end, 0);
    if (end == s || *end != '\0' || s[0] == '-' || v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_u16(const char *what, const char *s, unsigned long min, unsigned long max,
                     uint16_t *out) {
    unsigned long v = 0;
    if (parse_num(s, min, max, &v) != 0) {
        return bad(what, s);
    }
    *out = (uint16_t)v;
    return CLI_OK;
}

static int parse_hex_exact(const char *what, const char *s, uint8_t *out, size_t n) {
    uint8_t buf[64];
    long got = hex_parse(s, buf, sizeof buf);
    if (got != (long)n) {
        fprintf(stderr, "dlms: %s must be %zu bytes of hex, got '%s'\n", what, n, s);
        return CLI_EXIT_USAGE;
    }
    memcpy(out, buf, n);
    return CLI_OK;
}

static int parse_auth(const char *s, cli_opts_t *o) {
    if (strcmp(s, "none") == 0) {
        o->mechanism = DLMS_MECH_NONE;
    } else if (strcmp(s, "low") == 0 || strcmp(s, "lls") == 0) {
        o->mechanism = DLMS_MECH_LLS;
    } else if (strcmp(s, "hls5") == 0 || strcmp(s, "gmac") == 0 || strcmp(s, "high-gmac") == 0) {
        o->mechanism = DLMS_MECH_GMAC;
    } else {
        return bad("--auth (none, low, hls5)", s);
    }
    return CLI_OK;
}

static int parse_ic(const char *s, cli_opts_t *o) {
    unsigned long v = 0;
    if (strcmp(s, "auto") == 0) {
        o->ic_given = false;
        return CLI_OK;
    }
    if (parse_num(s, 0, UINT32_MAX - 1ul, &v) != 0) {
        return bad("--ic (a counter 0..4294967294 or auto)", s);
    }
    o->ic_given = true;
    o->ic = (uint32_t)v;
    return CLI_OK;
}

static int parse_timeout(const char *s, cli_opts_t *o) {
    char *end = NULL;
    double t = strtod(s, &end);
    if (end == s || *end != '\0' || !(t > 0) || t > 3600) {
        return bad("--timeout (seconds, > 0)", s);
    }
    o->timeout_ms = (int)(t * 1000.0 + 0.5);
    o->timeout_given = true;
    return CLI_OK;
}

static int parse_class(const char *s, cli_opts_t *o) {
    unsigned long v = 0;
    if (parse_num(s, 1, 65535, &v) != 0) {
        return bad("--class", s);
    }
    o->class_id = (int)v;
    return CLI_OK;
}

/* Options with a value that is checked when read. */
static int option_value(int c, const char *arg, cli_opts_t *o, bool *client_given) {
    unsigned long v = 0;
    switch (c) {
    case 'p':
        return parse_u16("--port", arg, 1, 65535, &o->port);
    case OPT_BAUD:
        if (parse_num(arg, 300, 115200, &v) != 0) {
            return bad("--baud", arg);
        }
        o->baud = (int)v;
        return CLI_OK;
    case OPT_PHYSICAL:
        return parse_u16("--physical", arg, 0, 0x3FFF, &o->physical);
    case 'c':
        *client_given = true;
        return parse_u16("--client", arg, 1, 65535, &o->client_sap);
    case 's':
        return parse_u16("--server", arg, 1, 0x3FFF, &o->server_sap);
    case 'a':
        return parse_auth(arg, o);
    case OPT_AK:
        o->have_ak = true;
        return parse_hex_exact("--ak", arg, o->keys.ak, DLMS_SEC_KEY_LEN);
    case OPT_EK:
        o->have_ek = true;
        return parse_hex_exact("--ek", arg, o->keys.guek, DLMS_SEC_KEY_LEN);
    case OPT_KEK:
        o->have_kek = true;
        return parse_hex_exact("--kek", arg, o->keys.kek, DLMS_SEC_KEY_LEN);
    case OPT_TITLE:
        return parse_hex_exact("--system-title", arg, o->system_title, DLMS_SEC_SYSTEM_TITLE_LEN);
    case OPT_IC:
        return parse_ic(arg, o);
    case OPT_MAX_PDU:
        return parse_u16("--max-pdu (64..2048)", arg, 64, EM_DLMS_CLIENT_MAX_PDU, &o->max_pdu);
    case 't':
        return parse_timeout(arg, o);
    case OPT_CLASS:
        return parse_class(arg, o);
    case OPT_MAX_BLOCKS:
        if (parse_num(arg, 1, UINT32_MAX, &o->max_blocks) != 0) {
            return bad("--max-blocks (a count of blocks, 1 or more)", arg);
        }
        return CLI_OK;
    case OPT_COUNT:
        if (parse_num(arg, 1, 1000000000ul, &v) != 0) {
            return bad("--count", arg);
        }
        o->count = (long)v;
        return CLI_OK;
    default:
        return -1; /* not an option with a checked value */
    }
}

/* Options that only store their argument or set a flag. */
static void option_flag(int c, const char *arg, cli_opts_t *o, bool *plain, bool *cipher) {
    switch (c) {
    case 'H':
        o->host = arg;
        break;
    case 'S':
        o->serial = arg;
        break;
    case 'P':
        o->password = arg;
        break;
    case OPT_IC_OBIS:
        o->ic_obis = arg;
        break;
    case OPT_CIPHER:
        *cipher = true;
        break;
    case OPT_PLAIN:
        *plain = true;
        break;
    case 'j':
        o->json = true;
        break;
    case OPT_CSV:
        o->csv = true;
        break;
    case OPT_IEC:
        o->iec = true;
        break;
    case OPT_RAW:
        o->raw = true;
        break;
    case OPT_TYPED:
        o->typed = true;
        break;
    case 'v':
        o->verbose++;
        break;
    case OPT_FROM:
        o->from = arg;
        break;
    case OPT_TO:
        o->to = arg;
        break;
    case OPT_ENTRIES:
        o->entries = arg;
        break;
    case OPT_COLUMNS:
        o->columns = arg;
        break;
    case OPT_ID:
        o->image_id = arg;
        break;
    case OPT_SIG:
        o->image_sig = arg;
        break;
    case OPT_UDP:
        o->udp = true;
        break;
    default:
        break;
    }
}

static void defaults(cli_opts_t *o) {
    memset(o, 0, sizeof *o);
    o->host = CLI_DEFAULT_HOST;
    o->port = CLI_DEFAULT_PORT;
    o->baud = CLI_DEFAULT_BAUD;
    o->client_sap = CLI_DEFAULT_CLIENT;
    o->server_sap = CLI_DEFAULT_SERVER;
    o->timeout_ms = CLI_DEFAULT_TIMEOUT * 1000;
    o->mechanism = DLMS_MECH_NONE;
    o->class_id = -1;
    hex_parse(default_title, o->system_title, sizeof o->system_title);
}

/* Keys for ciphering and HLS-5: the given ones, or the example keys. */
static void default_keys(cli_opts_t *o) {
    bool listen = o->command != NULL && strcmp(o->command, "listen") == 0;
    if (!o->ciphered && o->mechanism != DLMS_MECH_GMAC && !listen) {
        return;
    }
    if (!o->have_ek || !o->have_ak) {
        fprintf(stderr,
                "dlms: warning: no %s given: using the well-known DLMS example keys "
                "(EK 000102..0F, AK D0D1..DF); fit for test meters only\n",
                !o->have_ek && !o->have_ak ? "--ek/--ak"
                : !o->have_ek              ? "--ek"
                                           : "--ak");
    }
    if (!o->have_ek) {
        hex_parse(example_ek, o->keys.guek, DLMS_SEC_KEY_LEN);
    }
    if (!o->have_ak) {
        hex_parse(example_ak, o->keys.ak, DLMS_SEC_KEY_LEN);
    }
    if (!o->have_kek) {
        hex_parse(example_kek, o->keys.kek, DLMS_SEC_KEY_LEN);
    }
}

static int parse_args(int argc, char **argv, cli_opts_t *o) {
    bool client_given = false, plain = false, cipher = false;
    int c;
    defaults(o);
    while ((c = getopt_long(argc, argv, "H:p:S:c:s:a:P:jt:vhV", long_opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            exit(CLI_OK);
        }
        if (c == 'V') {
            puts("dlms (emeter) 0.1.0");
            exit(CLI_OK);
        }
        if (c == '?') {
            return CLI_EXIT_USAGE;
        }
        int rc = option_value(c, optarg, o, &client_given);
        if (rc > 0) {
            return rc;
        }
        if (rc < 0) {
            option_flag(c, optarg, o, &plain, &cipher);
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    o->command = argv[optind];
    o->args = argv + optind + 1;
    o->nargs = argc - optind - 1;
    /* DSMR: HLS-5 is the management client's, always ciphered. */
    if (o->mechanism == DLMS_MECH_GMAC && !client_given) {
        o->client_sap = 1;
    }
    o->ciphered = cipher || (o->mechanism == DLMS_MECH_GMAC && !plain);
    if (o->ic_obis != NULL) {
        char err[200];
        uint8_t obis[6];
        if (obis_parse(o->ic_obis, obis, err, sizeof err) != 0) {
            fprintf(stderr, "dlms: --ic-obis: %s\n", err);
            return CLI_EXIT_USAGE;
        }
    }
    default_keys(o);
    if (o->have_kek || o->ciphered || o->mechanism == DLMS_MECH_GMAC) {
        value_parse_set_kek(o->keys.kek);
    }
    return CLI_OK;
}

int main(int argc, char **argv) {
    cli_opts_t o;
    int rc = parse_args(argc, argv, &o);
    if (rc != CLI_OK) {
        return rc;
    }
    return cli_run(&o);
}
