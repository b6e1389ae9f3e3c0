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
		return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
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
	unsigned char prev = 0; /* the member before, if a range may start at it */

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
				int r = posix_class(name, (size_t)(q - 1 - name), c);
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

static int
match(const struct matcher *m, const char *p, const char *s)
{
	const char *e = m->end;
	/* the last '*': its pattern after it, and the last place tried */
	const char *sp = NULL, *ss = NULL;
	/* the last "**": its pattern after it, the last place tried, and
	 * whether it is trying "no directory" (ds is then where it began) */
	const char *dp = NULL, *ds = NULL;
	int dnone = 0;

	for (;;) {
		unsigned char pc = (unsigned char)*p;
		if (!pc) {
			if (s == e)
				return 1;
			goto back;
		}
		if (s == e && pc != '*')
			return 0; /* the path ran out: no star can help */
		switch (pc) {
		case '*': {
			const char *q = p + 1;
			int first = p == m->start || p[-1] == '/', deep;
			while (*q == '*')
				q++;
			deep = q - p > 1;
			if (deep && m->git) /* git: "**" as a whole component */
				deep = first && (!*q || *q == '/' ||
						 (q[0] == '\\' && q[1] == '/'));
			if (!deep) {
				sp = p = q;
				ss = s;
				continue;
			}
			if (!*q)
				return 1;
			sp = NULL;
			dp = q;
			ds = s;
			dnone = *q == '/' && first;
			p = dnone ? q + 1 : q;
			continue;
		}
		case '?':
			if (*s == '/')
				goto back;
			break;
		case '[': {
			int hit, why;
			const char *q = class_scan(p, (unsigned char)*s, &hit,
						   &why);
			if (q) {
				if (!hit || *s == '/')
					goto back;
				p = q;
				s++;
				continue;
			}
			if (m->git) /* git: a malformed class matches nothing */
				return 0;
			if (*s != '[') /* fwatch: it is a plain '[' */
				goto back;
			break;
		}
		case '\\':
			if (p[1])
				p++;
			else if (m->git) /* git: a '\' at the end matches nothing */
				return 0;
			/* fall through */
		default:
			if (*p != *s)
				goto back;
		}
		p++;
		s++;
		continue;
back:
		/* resume the last '*' one byte further, if it may go there */
		if (sp) {
			if (ss == e)
				return 0;
			if (*ss != '/') {
				p = sp;
				s = ++ss;
				continue;
			}
			sp = NULL; /* stopped by a '/': back to the "**" */
		}
		if (!dp)
			return 0;
		if (dnone) /* "no directory" failed: now each place from ds */
			dnone = 0;
		else if (ds++ == e)
			return 0;
		p = dp;
		s = ds;
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
