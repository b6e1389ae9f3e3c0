/*
 * glob_ref.h - a reference for glob.c's matcher, for the fuzzers: the
 * pattern read into tokens, then every way of matching them decided by
 * dynamic programming over (token, position), with no pruning at all.
 * O(tokens x length) time and memory: slow and plain, so that glob.c's
 * pruned matcher can be held to it.  Its classes use <ctype.h> in the
 * C locale (what git's sane ctype gives, but [[:space:]] without VT and
 * FF), not glob.c's tables.
 */
#ifndef FWATCH_GLOB_REF_H
#define FWATCH_GLOB_REF_H

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The yardstick, not the target: no coverage feedback from its loops,
 * which would drown the matcher's own (and slow each run tenfold). */
#if defined(__clang__) && __clang_major__ >= 13
#define REF_PLAIN __attribute__((no_sanitize("coverage"), noinline))
#else
#define REF_PLAIN
#endif

enum { R_END, R_BYTE, R_ANY, R_SET, R_STAR, R_DEEP, R_DEEPDIR };

struct rtok {
	int kind;              /* R_DEEPDIR: "**" "/" that may be nothing */
	unsigned char set[32]; /* R_BYTE: one bit; R_SET: the class */
};

REF_PLAIN static inline void
ref_add(struct rtok *t, unsigned lo, unsigned hi)
{
	for (unsigned c = lo; c <= hi && c < 256; c++)
		t->set[c / 8] |= (unsigned char)(1u << (c % 8));
}

REF_PLAIN static inline int
ref_in(const struct rtok *t, unsigned char c)
{
	return t->set[c / 8] >> (c % 8) & 1;
}

REF_PLAIN static inline int
ref_named(const char *name, size_t n, int c)
{
#define REF_IS(s) (n == sizeof s - 1 && !strncmp(name, s, n))
	if (REF_IS("alnum")) return isalnum(c);
	if (REF_IS("alpha")) return isalpha(c);
	if (REF_IS("blank")) return isblank(c);
	if (REF_IS("cntrl")) return iscntrl(c);
	if (REF_IS("digit")) return isdigit(c);
	if (REF_IS("graph")) return isgraph(c);
	if (REF_IS("lower")) return islower(c);
	if (REF_IS("print")) return isprint(c);
	if (REF_IS("punct")) return ispunct(c);
	if (REF_IS("space")) return isspace(c) && c != '\v' && c != '\f';
	if (REF_IS("upper")) return isupper(c);
	if (REF_IS("xdigit")) return isxdigit(c);
#undef REF_IS
	return -1;
}

/* The class at P ('['), as gitignore(5)'s wildmatch describes it, into
 * T; the byte after it, or NULL if it is not well formed. */
REF_PLAIN static inline const char *
ref_class(const char *p, struct rtok *t)
{
	int neg = 0, prev = -1; /* prev: a byte a range may start at */
	memset(t, 0, sizeof *t);
	t->kind = R_SET;
	p++;
	if (*p == '!' || *p == '^')
		neg = 1, p++;
	for (int first = 1;; first = 0) {
		unsigned char c = (unsigned char)*p;
		if (!c)
			return NULL;
		if (c == ']' && !first)
			break;
		if (c == '\\') {
			if (!p[1])
				return NULL;
			prev = (unsigned char)p[1];
			ref_add(t, (unsigned)prev, (unsigned)prev);
			p += 2;
		} else if (c == '-' && prev >= 0 && p[1] && p[1] != ']') {
			unsigned char hi = (unsigned char)p[1];
			p += 2;
			if (hi == '\\') {
				if (!*p)
					return NULL;
				hi = (unsigned char)*p++;
			}
			ref_add(t, (unsigned)prev, hi);
			prev = -1;
		} else if (c == '[' && p[1] == ':') {
			const char *close = strchr(p + 2, ']');
			if (!close)
				return NULL;
			if (close == p + 2 || close[-1] != ':') {
				ref_add(t, '[', '[');
				prev = '[';
				p++;
				continue;
			}
			size_t n = (size_t)(close - 1 - (p + 2));
			if (ref_named(p + 2, n, 'a') < 0)
				return NULL;
			for (int b = 0; b < 256; b++)
				if (b < 128 && ref_named(p + 2, n, b))
					ref_add(t, (unsigned)b, (unsigned)b);
			prev = -1;
			p = close + 1;
		} else {
			ref_add(t, c, c);
			prev = c;
			p++;
		}
	}
	if (neg)
		for (int i = 0; i < 32; i++)
			t->set[i] = (unsigned char)~t->set[i];
	return p + 1;
}

/*
 * Tokens of PAT into *OUT (malloc'd, ended by R_END); 0 if, in git's
 * dialect, PAT can match nothing (a malformed class, a '\' at the end).
 */
REF_PLAIN static inline int
ref_tokens(const char *pat, int git, struct rtok **out)
{
	size_t n = 0;
	struct rtok *t = calloc(strlen(pat) + 1, sizeof *t);
	const char *p = pat;
	if (!t)
		abort();
	while (*p) {
		struct rtok *k = &t[n++];
		const char *q;
		if (*p == '*') {
			int first = p == pat || p[-1] == '/', deep;
			for (q = p; *q == '*'; q++)
				;
			deep = q - p > 1;
			if (git)
				deep = deep && first &&
				       (!*q || *q == '/' ||
					(q[0] == '\\' && q[1] == '/'));
			if (!deep)
				k->kind = R_STAR;
			else if (*q == '/' && first)
				k->kind = R_DEEPDIR;
			else
				k->kind = R_DEEP;
			p = k->kind == R_DEEPDIR ? q + 1 : q;
		} else if (*p == '?') {
			k->kind = R_ANY;
			p++;
		} else if (*p == '[' && (q = ref_class(p, k))) {
			p = q;
		} else if (*p == '[' && git) {
			free(t);
			return 0;
		} else if (*p == '\\' && !p[1] && git) {
			free(t);
			return 0;
		} else {
			if (*p == '\\' && p[1])
				p++;
			memset(k, 0, sizeof *k); /* a failed class wrote */
			k->kind = R_BYTE;
			ref_add(k, (unsigned char)*p, (unsigned char)*p);
			p++;
		}
	}
	t[n].kind = R_END;
	*out = t;
	return 1;
}

/* Does PAT match all of S (N bytes)? */
REF_PLAIN static inline int
ref_match(const char *pat, int git, const char *s, size_t n)
{
	struct rtok *t;
	size_t nt = 0, w = n + 1;
	if (!ref_tokens(pat, git, &t))
		return 0;
	while (t[nt].kind != R_END)
		nt++;
	/* m[i * w + j]: tokens i.. match s[j..]; far[]: the same for a
	 * '/' at some k >= j followed by tokens i+1.. matching s[k+1..] */
	unsigned char *m = calloc((nt + 1) * w, 1), *far = calloc(w, 1);
	if (!m || !far)
		abort();
	m[nt * w + n] = 1;
	for (size_t i = nt; i-- > 0;) {
		unsigned char *row = m + i * w, *next = row + w;
		far[n] = 0;
		for (size_t j = n + 1; j-- > 0;) {
			unsigned char c = j < n ? (unsigned char)s[j] : 0;
			int r = 0;
			if (j < n)
				far[j] = (c == '/' && next[j + 1]) ||
					 far[j + 1];
			switch (t[i].kind) {
			case R_BYTE:
				r = j < n && ref_in(&t[i], c) && next[j + 1];
				break;
			case R_ANY:
				r = j < n && c != '/' && next[j + 1];
				break;
			case R_SET:
				r = j < n && c != '/' && ref_in(&t[i], c) &&
				    next[j + 1];
				break;
			case R_STAR:
				r = next[j] ||
				    (j < n && c != '/' && row[j + 1]);
				break;
			case R_DEEP:
				r = next[j] || (j < n && row[j + 1]);
				break;
			case R_DEEPDIR:
				r = next[j] || far[j];
				break;
			}
			row[j] = (unsigned char)r;
		}
	}
	int r = m[0];
	free(m);
	free(far);
	free(t);
	return r;
}

/* glob_match() of glob.c (fwatch's dialect), with its anchoring. */
REF_PLAIN static inline int
ref_glob_match(const char *glob, const char *str)
{
	if (*glob == '/')
		return ref_match(glob + 1, 0, str, strlen(str));
	if (!strchr(glob, '/') && strrchr(str, '/'))
		str = strrchr(str, '/') + 1;
	return ref_match(glob, 0, str, strlen(str));
}

#endif
