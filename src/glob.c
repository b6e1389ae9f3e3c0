/*
 * glob.c - the glob matcher: '*', '?', classes, '**' across directories,
 * with a time bound polynomial in the pattern's and the path's length.
 * Pure: no system call.
 */
#include <stdio.h>
#include <string.h>

#include "glob.h"

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

