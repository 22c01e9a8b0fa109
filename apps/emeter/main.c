/*
 * main.c - the emeter program: entry point and mode dispatch.
 *
 * Modes available today:
 *   emeter --samples FILE ...   replay recorded samples through the real
 *                               metrology and power-quality engine
 *                               (apps/emeter/samples.c)
 *   emeter --help | --version
 *
 * The virtual meter itself (DLMS server on 127.0.0.1:4059, storage under
 * ./var/emeter, load simulation, fleet) is not built yet; asking for it says
 * so and exits with status 2 rather than pretending to be a meter.
 */
#include <stdio.h>
#include <string.h>

#include "samples.h"

#define EMETER_VERSION "0.1.0"

static void usage(FILE *out)
{
    fputs("usage: emeter --samples FILE [--rate HZ] [--format csv|s16|f32]\n"
          "              [--scale-v X --scale-i Y] --dump-measures OUT.jsonl\n"
          "       emeter --help | --version\n"
          "\n"
          "  --samples FILE   run the metrology and power-quality engine over recorded\n"
          "                   samples and write one JSON line per second of measures and\n"
          "                   one per power-quality event (see docs/metrology.md)\n"
          "\n"
          "Not built yet (see README.md, Status): the virtual meter runtime\n"
          "(--variant, --config, --state, --listen, --hdlc, --speed, --seed, --count).\n",
          out);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("emeter %s\n", EMETER_VERSION);
            return 0;
        }
        if (strcmp(argv[i], "--samples") == 0)
            return samples_main(argc, argv);
    }
    fputs("emeter: the virtual meter runtime (DLMS server, storage, load simulation) is not\n"
          "built yet; today emeter can replay samples: emeter --samples FILE ...\n"
          "(emeter --help)\n",
          stderr);
    return 2;
}
