/*
 * cli.h - fwatch's command line, read into a struct opts: what main()
 * runs on, and what the unit tests and fuzzers call directly.
 */
#ifndef FWATCH_CLI_H
#define FWATCH_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "exec.h"
#include "filter.h"
#include "output.h"
#include "watch.h"

struct opts {
	struct fw_config cfg;
	struct filter filter;
	struct out out;        /* its mode, nul and fmt; the buffer is main's */
	int once, quiet, ready;
	long long timeout_ms;  /* 0: none */
	char **paths;          /* point into argv */
	size_t npaths;
	int events_given;
	int json;
	int exec, print;
	int no_noise;          /* --no-default-ignores */
	int tail, tail_start;  /* --tail, --tail-from start */
	const char *tail_from; /* --tail-from as given, to check it has --tail */
	int gitignore;         /* --gitignore 1, --no-gitignore -1, else 0 */
	const char **ignore_files; /* --ignore-file, into argv */
	size_t nignore_files;
	const char *explain;   /* --explain-ignore PATH, or NULL */
	char exec_only[80];    /* an option given that needs --exec */
	const char *completions; /* --completions SHELL */
	struct exec_opts eo;   /* eo.argv points into argv */
};

/* What the command line asks for. */
enum cli_next {
	CLI_WATCH,    /* options and PATHs are good: watch */
	CLI_HELP,     /* print cli_help() and exit */
	CLI_VERSION,  /* print cli_version() and exit */
	CLI_BAD,      /* a usage error, already told on ERR: exit 1 */
	CLI_COMPLETIONS /* print completions.c's script for o->completions */
};

/*
 * Read ARGV (GNU style: options and PATHs mix, short options bundle,
 * "--" ends options, --exec takes the rest) into *O, defaults first.
 * Errors are written to ERR, nothing is written anywhere else; --help
 * and --version win over any error after them, as they are met.  *O
 * points into ARGV, which must outlive it; cli_free(O) afterwards,
 * whatever was returned.
 */
enum cli_next cli_parse(struct opts *o, int argc, char **argv, FILE *err);
void cli_free(struct opts *o);

/* The I-th long option of the table (from 0): its name, whether it
 * takes a value, its short letter (0: none) and in DESC (N bytes) the
 * first line of its --help description; NULL past the last.  What the
 * completions are made of. */
const char *cli_option_at(size_t i, int *has_arg, char *letter, char *desc,
			  size_t n);

/* The --help text and the --version lines. */
void cli_help(FILE *out);
void cli_version(FILE *out);

#endif
