/*
 * help.h - what cli.c and completions.c read back from the --help text
 * (help.c).  cli_help() and cli_version() themselves are in cli.h.
 */
#ifndef FWATCH_HELP_H
#define FWATCH_HELP_H

#include <stddef.h>

/* The names of the kinds in MASK, in the table's order, joined by SEP,
 * into BUF (N bytes; a list that does not fit is cut short); BUF. */
char *help_kinds(char *buf, size_t n, unsigned mask, const char *sep);

/* The first line of the description of --NAME in the --help text,
 * without its trailing punctuation, into BUF; "" if it has none. */
void help_line(const char *name, char *buf, size_t n);

#endif
