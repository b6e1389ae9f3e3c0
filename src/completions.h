/*
 * completions.h - the shells' completion scripts for fwatch, made from
 * its option table (completions.c).
 */
#ifndef FWATCH_COMPLETIONS_H
#define FWATCH_COMPLETIONS_H

#include <stdio.h>

/* Write the completion script for SHELL (bash, zsh or fish) to OUT; -1
 * for another shell. */
int completions_print(FILE *out, const char *shell);

#endif
