/*
 * glob.h - glob patterns for --include, --exclude and file names.
 *
 * '*' and '?' and classes ("[a-z]", "[!x]") do not match '/'; "**"
 * matches across directories, and "**" "/" may stand for no directory at
 * all.  A backslash quotes the next character.  A glob without '/' is
 * matched against the last path component; one starting with '/' is
 * anchored to the start of the path; any other with '/' is matched
 * against the whole path.
 */
#ifndef FWATCH_GLOB_H
#define FWATCH_GLOB_H

#include <stddef.h>

/* 0 if GLOB is well formed; else -1 and a reason in err. */
int glob_check(const char *glob, char *err, size_t errlen);
/* 1 if the NUL-terminated STR matches GLOB. */
int glob_match(const char *glob, const char *str);

#endif
