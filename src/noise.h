/*
 * noise.h - what --exec leaves out by default: the directories and files
 * of version control, and the temporary files editors make beside the
 * file they edit.  A build loop wants neither: one save in vim would
 * otherwise run the command five times.  --no-default-ignores turns it
 * off.  Pure: names only, no system call.
 */
#ifndef FWATCH_NOISE_H
#define FWATCH_NOISE_H

#include <stddef.h>

/* The I-th pattern of the set (a glob matched against a file name) and,
 * in *WHO (if not NULL), what makes such files; NULL past the last. */
const char *noise_at(size_t i, const char **who);

/* The pattern of the set that NAME (a file name, or a path: its last
 * component) matches, or NULL.  Files and directories alike. */
const char *noise_match(const char *name);

#endif
