/*
 * filter.c - the --include and --exclude lists, and what they say of a
 * path.  The glob matcher itself is glob.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "glob.h"

int
filter_add(struct filter *f, int exclude, const char *glob)
{
	const char ***v = exclude ? &f->exc : &f->inc;
	size_t *n = exclude ? &f->nexc : &f->ninc;
	const char **nv = realloc((void *)*v, (*n + 1) * sizeof *nv);
	if (!nv)
		return -1;
	nv[(*n)++] = glob;
	*v = nv;
	return 0;
}

void
filter_free(struct filter *f)
{
	free((void *)f->inc);
	free((void *)f->exc);
	f->inc = f->exc = NULL;
	f->ninc = f->nexc = 0;
}

int
filter_excluded(const struct filter *f, const char *rel)
{
	for (size_t i = 0; f && i < f->nexc; i++)
		if (glob_match(f->exc[i], rel))
			return 1;
	return 0;
}

int
filter_pass(const struct filter *f, const char *rel)
{
	if (!f)
		return 1;
	if (filter_excluded(f, rel))
		return 0;
	if (!f->ninc)
		return 1;
	for (size_t i = 0; i < f->ninc; i++)
		if (glob_match(f->inc[i], rel))
			return 1;
	return 0;
}
