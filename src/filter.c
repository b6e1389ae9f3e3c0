/*
 * filter.c - glob matching for --include and --exclude.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "filter.h"

/* Where the class starting at p ('[') ends (the ']'), or NULL. */
static const char *
class_end(const char *p)
{
	const char *q = p + 1;
	if (*q == '!' || *q == '^')
		q++;
	if (*q == ']') /* a leading ']' is literal */
		q++;
	for (; *q; q++) {
		if (*q == '\\' && q[1])
			q++;
		else if (*q == ']')
			return q;
	}
	return NULL;
}

int
glob_check(const char *glob, char *err, size_t errlen)
{
	if (!*glob) {
		snprintf(err, errlen, "empty pattern");
		return -1;
	}
	for (const char *p = glob; *p; p++) {
		if (*p == '\\') {
			if (!p[1]) {
				snprintf(err, errlen, "trailing backslash "
					 "(write \\\\ for a literal one)");
				return -1;
			}
			p++;
		} else if (*p == '[') {
			const char *e = class_end(p);
			if (!e) {
				snprintf(err, errlen, "unmatched '[' (write "
					 "\\[ for a literal bracket)");
				return -1;
			}
			p = e;
		}
	}
	return 0;
}

static int
class_match(const char *p, const char *end, unsigned char c)
{
	int neg = 0, hit = 0;
	p++;
	if (*p == '!' || *p == '^') {
		neg = 1;
		p++;
	}
	for (int first = 1; p < end; first = 0) {
		unsigned char lo, hi;
		if (*p == ']' && !first)
			break;
		if (*p == '\\' && p + 1 < end)
			p++;
		lo = hi = (unsigned char)*p++;
		if (*p == '-' && p + 1 < end) {
			p++;
			if (*p == '\\' && p + 1 < end)
				p++;
			hi = (unsigned char)*p++;
		}
		if (c >= lo && c <= hi)
			hit = 1;
	}
	return hit != neg;
}

/*
 * Hazard: trying every split for every star is exponential ('*?*?*...'
 * against a long name).  Two results prune it, as in git's wildmatch: a
 * star that reaches the end of the string without a match means no
 * star before it can do better (ABORT_ALL), and a '*' stopped by a '/'
 * means only an earlier '**' could still help (ABORT_TO_STARSTAR).
 */
enum { NOMATCH = 0, MATCH = 1, ABORT_ALL = -1, ABORT_TO_STARSTAR = -2 };

static int
match(const char *p, const char *s)
{
	int r;
	for (;;) {
		switch (*p) {
		case '\0':
			return *s ? NOMATCH : MATCH;
		case '*':
			if (p[1] == '*') {
				/* '**' crosses directories; '**' followed by
				 * '/' may also stand for no directory at all */
				const char *q = p + 2;
				while (*q == '*')
					q++;
				if (*q == '/' && match(q + 1, s) == MATCH)
					return MATCH;
				for (;; s++) {
					r = match(q, s);
					if (r != NOMATCH && r != ABORT_TO_STARSTAR)
						return r;
					if (!*s) /* '**' '/' may still match ""
						  * from a later start */
						return *q == '/' ? NOMATCH
								 : ABORT_ALL;
				}
			}
			p++;
			for (;; s++) {
				if ((r = match(p, s)) != NOMATCH)
					return r;
				if (!*s)
					return ABORT_ALL;
				if (*s == '/')
					return ABORT_TO_STARSTAR;
			}
		case '?':
			if (!*s || *s == '/')
				return NOMATCH;
			p++;
			s++;
			break;
		case '[': {
			const char *e = class_end(p);
			if (e) {
				if (!*s || *s == '/' ||
				    !class_match(p, e, (unsigned char)*s))
					return 0;
				p = e + 1;
				s++;
				break;
			}
			if (*s != '[')
				return 0;
			p++;
			s++;
			break;
		}
		case '\\':
			if (p[1])
				p++;
			/* fall through */
		default:
			if (*p != *s)
				return 0;
			p++;
			s++;
		}
	}
}

int
glob_match(const char *glob, const char *str)
{
	if (*glob == '/') /* anchored: the whole path below the PATH */
		return match(glob + 1, str) == MATCH;
	if (!strchr(glob, '/')) {
		const char *slash = strrchr(str, '/');
		if (slash)
			str = slash + 1;
	}
	return match(glob, str) == MATCH;
}

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
