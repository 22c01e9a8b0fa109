/*
 * samples.h - `emeter --samples FILE ...`: replay recorded samples through
 * the real metrology and power-quality engine and dump what it reports.
 */
#ifndef EMETER_APP_SAMPLES_H
#define EMETER_APP_SAMPLES_H

/* Run the replay tool with the whole command line (argv[0] is the program
 * name; the options are described by `--samples FILE --help`). Returns
 * the exit status: 0 at end of file, 2 for a bad option or a bad file
 * (the message names the line or byte offset), 1 when the output cannot
 * be written. */
int samples_main(int argc, char **argv);

#endif /* EMETER_APP_SAMPLES_H */
