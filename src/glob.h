/*
 * glob.h - glob patterns for --include, --exclude and file names, and
 * git's dialect of them for gitignore rules (gitignore.c).
 *
 * '*' and '?' and classes ("[a-z]", "[!x]", "[[:digit:]]") do not
 * match '/'; "**" matches across directories, and "**" "/" at the start
 * of a component may stand for no directory at all.  A backslash quotes
 * the next character.  A glob without '/' is matched against the last
 * path component; one starting with '/' is anchored to the start of the
 * path; any other with '/' is matched against the whole path.
 *
 * Both dialects match in time polynomial in the lengths of the pattern
 * and the path, whatever they hold, and in constant memory.
 */
#ifndef FWATCH_GLOB_H
#define FWATCH_GLOB_H

#include <stddef.h>

/* 0 if GLOB is well formed; else -1 and a reason in err. */
int glob_check(const char *glob, char *err, size_t errlen);
/* 1 if the NUL-terminated STR matches GLOB. */
int glob_match(const char *glob, const char *str);

/*
 * Git's wildmatch with WM_PATHNAME, the matcher of gitignore rules: 1
 * if PAT (NUL-terminated) matches all of STR (LEN bytes, not
 * necessarily NUL-terminated), else 0.  No anchoring and no basename
 * here: PAT is matched against STR as given.  "**" crosses directories
 * only as a whole component: at the start of PAT or after a '/', and at
 * its end or before a '/'; elsewhere it is '*'.  A class that is not
 * closed or names no POSIX class, or a '\' at the end, matches nothing.
 */
int glob_match_git(const char *pat, const char *str, size_t len);

/* The byte after the class opening at P ('['), read as both dialects
 * read it; NULL if it is malformed (git's: it matches nothing).  For
 * gitignore.c, which skips classes when it gathers what a pattern needs. */
const char *glob_class_end(const char *p);

#endif
