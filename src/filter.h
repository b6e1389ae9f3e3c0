/*
 * filter.h - --include / --exclude globs.
 *
 * A glob without '/' is matched against the last path component; one
 * with '/' against the whole path relative to the watched PATH.
 */
#ifndef FWATCH_FILTER_H
#define FWATCH_FILTER_H

#include <stddef.h>

#include "glob.h"

struct filter {
	const char **inc;
	size_t ninc;
	const char **exc;
	size_t nexc;
};

/* Add a checked glob; -1 on allocation failure. The string is kept. */
int filter_add(struct filter *f, int exclude, const char *glob);
void filter_free(struct filter *f);

/* Is the path (relative to its watched PATH) reported? */
int filter_pass(const struct filter *f, const char *rel);
/* Does the path match an --exclude (so a directory is not watched)? */
int filter_excluded(const struct filter *f, const char *rel);

#endif
