/*
 * glob.c - the glob matcher: '*', '?', classes, "**" across directories,
 * in time polynomial in the pattern's and the path's length and in
 * constant memory.  Two dialects share it: fwatch's own (--include,
 * --exclude: any "**" crosses directories) and git's wildmatch with
 * WM_PATHNAME (gitignore rules: "**" only as a whole component).
 * Pure: no system call.
 */
#include <stdio.h>
#include <string.h>

#include "glob.h"

/*
 * Is C in the POSIX class NAME (N bytes)?  1 or 0; -1 if there is no
 * such class.  ASCII only, whatever the locale, as git reads them:
 * [[:space:]] is space, tab, CR and LF (not VT or FF), [[:cntrl:]]
 * includes DEL, and no byte above 0x7f is in any class.
 */
static int
posix_class(const char *name, size_t n, unsigned char c)
{
	int lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z';
	int digit = c >= '0' && c <= '9', graph = c > ' ' && c < 0x7f;
#define IS(s) (n == sizeof s - 1 && !memcmp(name, s, n))
	if (IS("alnum"))
		return lower || upper || digit;
	if (IS("alpha"))
		return lower || upper;
	if (IS("blank"))
		return c == ' ' || c == '\t';
	if (IS("cntrl"))
		return c < ' ' || c == 0x7f;
	if (IS("digit"))
		return digit;
	if (IS("graph"))
		return graph;
	if (IS("lower"))
		return lower;
	if (IS("print"))
		return graph || c == ' ';
	if (IS("punct"))
		return graph && !lower && !upper && !digit;
	if (IS("space"))
		return c == ' ' || c == '\t' || c == '\n' || c == '\r';
	if (IS("upper"))
		return upper;
	if (IS("xdigit"))
		return digit || (c >= 'a' && c <= 'f') ||
		       (c >= 'A' && c <= 'F');
#undef IS
	return -1;
}

enum { CLASS_OK, CLASS_OPEN, CLASS_NAME };

/*
 * The class opening at P ('['), read as git's wildmatch reads it: '!'
 * or '^' first negates; the first member may be ']'; "\x" is x; "a-z"
 * is a range, except where '-' comes first, right after a range or a
 * named class, or last; "[:name:]" is a POSIX class, and "[:" with no
 * ":]" before the next ']' is a plain '['.  Returns the byte after the
 * closing ']' and sets *HIT to whether C is in the class; NULL if it is
 * malformed, with *WHY CLASS_OPEN (no closing ']', or a '\' at the
 * end) or CLASS_NAME (an unknown class name).
 */
static const char *
class_scan(const char *p, unsigned char c, int *hit, int *why)
{
	int neg = 0, in = 0;
	unsigned char prev = 0; /* the last member, if a range can start */

	*why = CLASS_OPEN;
	p++;
	if (*p == '!' || *p == '^') {
		neg = 1;
		p++;
	}
	for (int first = 1; first || *p != ']'; first = 0) {
		unsigned char m = (unsigned char)*p;
		if (!m)
			return NULL;
		if (m == '\\') {
			if (!(m = (unsigned char)*++p))
				return NULL;
			in |= c == m;
			prev = m;
		} else if (m == '-' && prev && p[1] && p[1] != ']') {
			unsigned char hi = (unsigned char)*++p;
			if (hi == '\\' && !(hi = (unsigned char)*++p))
				return NULL;
			in |= c >= prev && c <= hi;
			prev = 0;
		} else if (m == '[' && p[1] == ':') {
			const char *name = p + 2, *q = name;
			while (*q && *q != ']')
				q++;
			if (!*q)
				return NULL;
			if (q == name || q[-1] != ':') { /* no ":]": a '[' */
				in |= c == '[';
				prev = '[';
			} else {
				size_t n = (size_t)(q - 1 - name);
				int r = posix_class(name, n, c);
				if (r < 0) {
					*why = CLASS_NAME;
					return NULL;
				}
				in |= r;
				prev = 0;
				p = q;
			}
		} else {
			in |= c == m;
			prev = m;
		}
		p++;
	}
	*hit = in != neg;
	*why = CLASS_OK;
	return p + 1;
}

const char *
glob_class_end(const char *p)
{
	int hit, why;
	return class_scan(p, 0, &hit, &why);
}

int
glob_check(const char *glob, char *err, size_t errlen)
{
	if (!*glob) {
		snprintf(err, errlen, "empty pattern");
		return -1;
	}
	for (const char *p = glob; *p; p++) {
		int hit, why;
		const char *e;
		if (*p == '\\') {
			if (!p[1]) {
				snprintf(err, errlen, "trailing backslash "
					 "(write \\\\ for a literal one)");
				return -1;
			}
			p++;
		} else if (*p == '[') {
			if (!(e = class_scan(p, 0, &hit, &why))) {
				snprintf(err, errlen, why == CLASS_NAME ?
					 "unknown class in '[' (known: "
					 "[:alnum:] [:alpha:] [:blank:] "
					 "[:cntrl:] [:digit:] [:graph:] "
					 "[:lower:] [:print:] [:punct:] "
					 "[:space:] [:upper:] [:xdigit:])" :
					 "unmatched '[' (write \\[ for a "
					 "literal bracket)");
				return -1;
			}
			p = e - 1;
		}
	}
	return 0;
}

/*
 * Matching.  Hazard: trying every split for every star is exponential
 * ('*?*?*...' or '**' '/' '**' '/' ... against a long path).  It is
 * pruned as git's wildmatch prunes it, with one cut more, so that at
 * most two stars ever need to be resumed: the last '*' and the last
 * "**".  The reasons, each a fact about where a star can end:
 *
 *  - A star tries the shortest run first.  When what follows a star
 *    fails at a position because the path ran out, it fails at every
 *    later position too (less is left), so no star at all can help:
 *    the match fails at once (git's ABORT_ALL).
 *  - A '*' that reaches a '/' cannot go past it; only an earlier "**"
 *    can, so the search goes back to that "**" (ABORT_TO_STARSTAR).
 *  - Hence, once the pattern after a star is matched as far as the
 *    next star, the earlier star is never resumed: that next star
 *    either matches the rest, or fails for good, or sends the search
 *    back to the last "**".  A '*' is forgotten when the next star
 *    starts, every star when a "**" starts.
 *  - "**" "/" at the start of a component may also stand for no
 *    directory: the rest is tried once right there first.  If that
 *    fails because the path ran out, the rest fails after every later
 *    '/' too, so the "**" fails for good (the cut git does not make;
 *    without it, each "**" "/" doubles the work).  This only holds
 *    because the rest can start nowhere but after a '/' in the path:
 *    so fwatch's dialect, where "**" also crosses directories inside
 *    a component ("a**" "/" "b"), lets "**" "/" stand for nothing
 *    only at the start of a component, as git's does.
 *
 * So each "**" is started once and resumed at most once per byte of
 * the path; each time, every '*' after it is resumed at most once per
 * byte, each resumption comparing a piece of the pattern: O(m n^2) for
 * a pattern of m and a path of n bytes, O(m n) without "**".
 */
struct matcher {
	const char *start; /* the pattern: "**" here starts a component */
	const char *end;   /* the end of the path */
	int git;           /* git's dialect, else fwatch's */
};

/* Where a match stands, and the two stars it may resume. */
struct pos {
	const char *p, *s;   /* the pattern and the path, as far as matched */
	const char *sp, *ss; /* the last '*': the pattern after it, and the
			      * last place the rest was tried from */
	const char *dp, *ds; /* the last "**", the same */
	int dnone;           /* that "**" "/" is trying "no directory" (ds
			      * is then where it began) */
};

/* The stars at Q->p start: the rest is tried after none of the path
 * first.  1 if the match is won already (a "**" at the end). */
static int
star(const struct matcher *m, struct pos *q)
{
	const char *p = q->p, *r = p + 1;
	int first = p == m->start || p[-1] == '/', deep;

	while (*r == '*')
		r++;
	deep = r - p > 1;
	if (deep && m->git) /* git: "**" only as a whole component */
		deep = first && (!*r || *r == '/' ||
				 (r[0] == '\\' && r[1] == '/'));
	if (!deep) {
		q->sp = q->p = r;
		q->ss = q->s;
		return 0;
	}
	if (!*r)
		return 1;
	q->sp = NULL; /* no '*' before a "**" is resumed again */
	q->dp = r;
	q->ds = q->s;
	q->dnone = *r == '/' && first;
	q->p = q->dnone ? r + 1 : r;
	return 0;
}

/* Resume the last star one byte further, if it may go there; 0 if no
 * star can, and the match is lost. */
static int
resume(const struct matcher *m, struct pos *q)
{
	if (q->sp) {
		if (q->ss == m->end)
			return 0;
		if (*q->ss != '/') {
			q->p = q->sp;
			q->s = ++q->ss;
			return 1;
		}
		q->sp = NULL; /* stopped by a '/': back to the "**" */
	}
	if (!q->dp)
		return 0;
	if (q->dnone) /* "no directory" failed: now each place from ds */
		q->dnone = 0;
	else if (q->ds++ == m->end)
		return 0;
	q->p = q->dp;
	q->s = q->ds;
	return 1;
}

/* The byte or class at Q->p against the byte at Q->s (there is one):
 * 1 if it matches (both are then past it), 0 if not, -1 if the
 * pattern can match nothing at all. */
static int
one(const struct matcher *m, struct pos *q)
{
	const char *p = q->p;
	unsigned char c = (unsigned char)*q->s;
	int hit, why;

	switch (*p) {
	case '?':
		if (c == '/')
			return 0;
		break;
	case '[': {
		const char *e = class_scan(p, c, &hit, &why);
		if (e) {
			if (!hit || c == '/')
				return 0;
			q->p = e;
			q->s++;
			return 1;
		}
		if (m->git) /* git: a malformed class matches nothing */
			return -1;
		if (c != '[') /* fwatch: it is a plain '[' */
			return 0;
		break;
	}
	case '\\':
		if (p[1])
			p++;
		else if (m->git) /* git: a '\' at the end matches nothing */
			return -1;
		/* fall through */
	default:
		if ((unsigned char)*p != c)
			return 0;
	}
	q->p = p + 1;
	q->s++;
	return 1;
}

static int
match(const struct matcher *m, const char *p, const char *s)
{
	struct pos q = { p, s, NULL, NULL, NULL, NULL, 0 };
	for (;;) {
		int r;
		if (!*q.p) {
			if (q.s == m->end)
				return 1;
			r = 0;
		} else if (q.s == m->end && *q.p != '*') {
			return 0; /* the path ran out: no star can help */
		} else if (*q.p == '*') {
			if (star(m, &q))
				return 1;
			continue;
		} else if ((r = one(m, &q)) < 0) {
			return 0;
		}
		if (!r && !resume(m, &q))
			return 0;
	}
}

int
glob_match(const char *glob, const char *str)
{
	struct matcher m = { glob, NULL, 0 };
	if (*glob == '/') /* anchored: the whole path below the PATH */
		m.start = ++glob;
	else if (!strchr(glob, '/')) {
		const char *slash = strrchr(str, '/');
		if (slash)
			str = slash + 1;
	}
	m.end = str + strlen(str);
	return match(&m, glob, str);
}

int
glob_match_git(const char *pat, const char *str, size_t len)
{
	struct matcher m = { pat, str + len, 1 };
	return match(&m, pat, str);
}
