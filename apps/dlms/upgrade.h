/*
 * upgrade.h - firmware commands of the dlms tool (upgrade.c): upgrade,
 * image-build, image-info. docs/upgrade.md.
 */
#ifndef DLMS_CLI_UPGRADE_H
#define DLMS_CLI_UPGRADE_H

#include "cli.h"
#include "session.h"

int cmd_upgrade(const cli_opts_t *o);
int cmd_image_build(const cli_opts_t *o);
int cmd_image_info(const cli_opts_t *o);

/* The association a command asks for (--client, --auth, ...; commands.c):
 * CLI_OK or the exit status of the failure, already reported. */
int cli_open_session(session_t *s, const cli_opts_t *o);

#endif /* DLMS_CLI_UPGRADE_H */
