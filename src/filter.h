/*
 * filter.h - the --include and --exclude patterns, and the files never
 * reported because fwatch's own output goes there: what they say of a
 * path.  Pure: anchor.c does what needs the disk, once, at start.
 *
 * A pattern is a glob (glob.h) made to mean what people write:
 *   - a trailing '/' matches directories only: "build/" is a directory
 *     named build, not a file of that name;
 *   - a leading "./" anchors it to the watched PATH: "./build" is
 *     "/build", the build right below the PATH;
 *   - one with a leading '/' is anchored too, unless it is an absolute
 *     path: anchor.c ties one inside a watched PATH to that PATH
 *     (filter_bind) and marks one outside every PATH (filter_never);
 *   - one with a ".", ".." or empty component never matches: the paths
 *     fwatch reports have none.
 * Without '/' (once a trailing one is gone) a glob is matched against the
 * last path component; with one, against the whole path below the PATH.
 */
#ifndef FWATCH_FILTER_H
#define FWATCH_FILTER_H

#include <stddef.h>

#include "glob.h"

enum filter_kind {
	FILTER_INCLUDE, /* --include */
	FILTER_EXCLUDE, /* --exclude */
	FILTER_OWN      /* fwatch's output goes to this file */
};

/* A pattern's key: which PATH it speaks of. */
#define FILTER_EVERY (-1)   /* every PATH */
#define FILTER_NOWHERE (-2) /* none: bound to PATHs as copies, or never */

struct fpat {
	const char *given;  /* as written; for FILTER_OWN, the file's path */
	char *glob;         /* what is matched (see filter_add); for
			     * FILTER_OWN the exact path below the PATH */
	const char *never;  /* why it can never match, or NULL */
	int key;            /* FILTER_EVERY, FILTER_NOWHERE, or a PATH's
			     * key (filter_key) */
	unsigned char kind; /* enum filter_kind */
	unsigned char dir;  /* matches directories only */
	unsigned char rooted; /* written with a leading '/' (1), or as a
			       * path that is surely absolute (2: "C:/"
			       * on Windows): maybe an absolute path */
	size_t from;        /* the pattern as written that this one is a
			     * copy of (filter_bind), or its own index */
};

struct filter {
	struct fpat *p;
	size_t n, cap;
	size_t ninc;        /* --include patterns as written */
	const char **keys;  /* the PATHs as given, by key */
	size_t nkeys, capkeys;
};

/* Add a checked glob as written; -1 with ENOMEM.  GLOB is kept. */
int filter_add(struct filter *f, int exclude, const char *glob);
void filter_free(struct filter *f);

/* The key of PATH (as given; kept), added if new; -1 with ENOMEM. */
int filter_key(struct filter *f, const char *path);
/* The key of PATH if it has one, else FILTER_EVERY. */
int filter_key_of(const struct filter *f, const char *path);

/* Pattern I lies inside the PATH of KEY: a copy of it matches there, as
 * the path BELOW (LEN bytes, in glob syntax, not starting with '/')
 * anchored below that PATH, and pattern I itself nowhere.  -1 with
 * ENOMEM. */
int filter_bind(struct filter *f, size_t i, int key, const char *below,
		size_t len);
/* Pattern I never matches, for the reason WHY (a phrase, kept). */
void filter_never(struct filter *f, size_t i, const char *why);
/* The file PATH/BELOW (BELOW: LEN bytes, a path, not a glob) is never
 * reported under the PATH of KEY: fwatch's output goes there (GIVEN
 * names it, kept).  -1 with ENOMEM. */
int filter_own(struct filter *f, int key, const char *below, size_t len,
	       const char *given);

/*
 * Is REL (a path below the PATH of KEY, or that PATH's last component
 * for the PATH itself) reported?  ISDIR: it is (was) a directory.
 * KEY FILTER_EVERY: the PATH is not known yet; only what holds for
 * every PATH leaves a path out (an --include tied to some PATH lets it
 * in), so nothing is left out for want of knowing.
 */
int filter_pass(const struct filter *f, int key, const char *rel, int isdir);
/* Does REL match an --exclude, or is it fwatch's output (so a directory
 * is not watched)? */
int filter_excluded(const struct filter *f, int key, const char *rel,
		    int isdir);
/* The pattern that excludes REL (FILTER_EXCLUDE or FILTER_OWN), or NULL;
 * a path that matches no --include has no pattern to blame: see
 * filter_pass(). */
const struct fpat *filter_why(const struct filter *f, int key,
			      const char *rel, int isdir);

#endif
