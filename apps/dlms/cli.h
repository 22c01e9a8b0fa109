/*
 * cli.h - the dlms head-end tool (DESIGN.md "dlms is the client"): its
 * options, exit statuses and commands. main.c reads the command line into a
 * cli_opts_t, commands.c runs one command over a session (session.h). The
 * user documentation is docs/dlms-cli.md.
 */
#ifndef DLMS_CLI_H
#define DLMS_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "dlms/security.h"

/* Exit statuses (docs/dlms-cli.md). */
enum cli_exit {
    CLI_OK = 0,
    CLI_EXIT_FAILURE = 1,     /* anything not below */
    CLI_EXIT_USAGE = 2,       /* bad option, OBIS code or value syntax */
    CLI_EXIT_TRANSPORT = 3,   /* connection refused, timeout, link lost */
    CLI_EXIT_ASSOCIATION = 4, /* association rejected, HLS-5 failed */
    CLI_EXIT_REFUSED = 5,     /* data-access-result, action-result, exception-response */
    CLI_EXIT_PROTOCOL = 6,    /* malformed or forged answer (replay, bad tag, ...) */
};

/* Defaults of DESIGN.md: 127.0.0.1:4059, public client 16, server 1. */
#define CLI_DEFAULT_HOST    "127.0.0.1"
#define CLI_DEFAULT_PORT    4059
#define CLI_DEFAULT_CLIENT  16
#define CLI_DEFAULT_SERVER  1
#define CLI_PUBLIC_CLIENT   16
#define CLI_DEFAULT_BAUD    9600
#define CLI_DEFAULT_TIMEOUT 5

typedef struct cli_opts {
    /* transport */
    const char *host;
    uint16_t port;
    const char *serial; /* --serial DEV: HDLC instead of the TCP wrapper */
    int baud;
    uint16_t physical; /* HDLC lower address, 0: one-byte server address */
    uint16_t client_sap;
    uint16_t server_sap;
    int timeout_ms;
    bool timeout_given; /* --timeout on the command line (listen waits forever otherwise) */
    /* association */
    uint8_t mechanism; /* DLMS_MECH_NONE / _LLS / _GMAC */
    bool ciphered;     /* context LN with ciphering */
    const char *password;
    dlms_sec_keys_t keys;
    bool have_ek, have_ak, have_kek;
    uint8_t system_title[DLMS_SEC_SYSTEM_TITLE_LEN];
    bool ic_given; /* --ic N; otherwise read with the public client */
    uint32_t ic;
    const char *ic_obis; /* --ic-obis: the invocation counter object to read */
    uint16_t max_pdu;
    /* output */
    bool json;
    bool csv;
    bool iec;   /* OBIS codes printed as A-B:C.D.E*F */
    bool raw;   /* no scaler_unit read for registers */
    bool typed; /* values printed in the typed syntax */
    int verbose;
    /* command options */
    int class_id; /* --class, -1 when not given */
    const char *from, *to, *entries, *columns;
    const char *image_id, *image_sig; /* upgrade / image-build: --id, --sig */
    unsigned long max_blocks;         /* upgrade --max-blocks N, 0: no limit */
    bool udp;   /* listen: also on UDP */
    long count; /* listen: exit after this many notifications (0: never) */
    /* the command and its positional arguments */
    const char *command;
    char **args;
    int nargs;
} cli_opts_t;

/* Runs o->command; prints its output on stdout and any failure as one line
 * on stderr. Returns the exit status. */
int cli_run(const cli_opts_t *o);

#endif /* DLMS_CLI_H */
