/*
 * gitignore.c - gitignore(5) rules: a file's text compiled once into
 * rules, the verdict of one list on a path, the verdict of the stacked
 * lists of a repository (parents first), and core.excludesFile read
 * from a git config text.  Pure: no system call.  Matching is glob.c's
 * git dialect; what git does and this mirrors is noted where it is not
 * what gitignore(5) says.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gitignore.h"
#include "glob.h"

struct rule {
	struct ig_rule pub;  /* first: a rule is handed out as its pub */
	const char *pat;     /* without '!', the trailing '/' and (when
			      * anchored) the leading '/'; NUL-terminated */
	size_t patlen;
	size_t lit;          /* pat's leading bytes that hold none of
			      * "*?[\": compared as they are */
	unsigned char negate, dironly;
	unsigned char anchored; /* a '/' at its start or middle: matched
				 * against the whole path, else against the
				 * last component */
	unsigned char suffix;   /* "*" then literal bytes: a basename's end */
};

struct ig_list {
	char *source;
	struct rule *rules;
	size_t n;
	char *buf; /* the rules' texts and patterns */
};

/* The bytes before the first of git's glob specials ("*?[\"). */
static size_t
literal_len(const char *s)
{
	return strcspn(s, "*?[\\");
}

/*
 * Drop trailing spaces as git does: a space escaped by '\' stays, and
 * so does every space before it; a line ending in a lone '\' keeps its
 * spaces too.  Only ' ', not tabs.
 */
static size_t
trim_spaces(const char *s, size_t n)
{
	size_t keep = 0; /* the length up to the last byte that stays */
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\') {
			if (++i == n)
				return n;
			keep = i + 1;
		} else if (s[i] != ' ') {
			keep = i + 1;
		}
	}
	return keep;
}

/* Compile the line TEXT (N bytes, trimmed) into R, its copies put at
 * *AT.  0 if it can never match anything (then it is not kept). */
static int
compile(struct rule *r, const char *text, size_t n, char **at)
{
	char *t = *at, *p;
	size_t plen;

	memcpy(t, text, n);
	t[n] = '\0';
	memset(r, 0, sizeof *r);
	r->pub.text = t;
	p = t + n + 1;
	if (*text == '!') {
		r->negate = 1;
		text++;
		n--;
	}
	if (n && text[n - 1] == '/') { /* only one: "a//" is "a/", dir only */
		r->dironly = 1;
		n--;
	}
	r->anchored = memchr(text, '/', n) != NULL;
	if (r->anchored && *text == '/') {
		text++;
		n--;
	}
	if (!n)
		return 0;
	plen = n;
	memcpy(p, text, plen);
	p[plen] = '\0';
	*at = p + plen + 1;
	r->pat = p;
	r->patlen = plen;
	r->lit = literal_len(p);
	r->suffix = !r->anchored && *p == '*' && literal_len(p + 1) == plen - 1;
	return 1;
}

struct ig_list *
ig_parse(const char *text, size_t len, const char *source)
{
	struct ig_list *l = calloc(1, sizeof *l);
	size_t lines = 1, line = 0;
	const char *end, *s;
	char *at;

	if (!l)
		goto nomem;
	if (!len) /* an empty file may come as NULL */
		text = "";
	s = text;
	end = text + len;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	l->source = strdup(source ? source : "");
	l->rules = malloc(lines * sizeof *l->rules);
	/* each line twice at most (its text, its pattern), each with a NUL */
	l->buf = malloc(2 * (len + lines));
	if (!l->source || !l->rules || !l->buf)
		goto nomem;
	at = l->buf;
	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) /* a UTF-8 BOM */
		s += 3;
	for (;;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end, *nul;
		size_t n = (size_t)(e - s);
		line++;
		/* as git: a comment is seen before "\r" is dropped, and the
		 * line stops at a NUL byte */
		if (n && *s != '#') {
			if (s[n - 1] == '\r')
				n--;
			if ((nul = memchr(s, '\0', n)))
				n = (size_t)(nul - s);
			n = trim_spaces(s, n);
			if (n && compile(&l->rules[l->n], s, n, &at)) {
				l->rules[l->n].pub.line = (unsigned)line;
				l->n++;
			}
		}
		if (!nl)
			break;
		s = nl + 1;
	}
	return l;
nomem:
	ig_free(l);
	errno = ENOMEM;
	return NULL;
}

void
ig_free(struct ig_list *l)
{
	if (!l)
		return;
	free(l->source);
	free(l->rules);
	free(l->buf);
	free(l);
}

size_t
ig_count(const struct ig_list *l)
{
	return l ? l->n : 0;
}

const char *
ig_source(const struct ig_list *l)
{
	return l ? l->source : "";
}

/*
 * Does R match REL (LEN bytes), whose last component is at BASE?
 * Anchored rules are matched as git's match_pathname() does: the
 * literal start of the pattern is compared first and only the rest is
 * handed to wildmatch, so a "**" right after it counts as the start of
 * a component ("foo**" "/bar" matches foox/y/bar, "a**" "/b" matches
 * ab; git does this too, whatever gitignore(5) says).
 */
static int
rule_matches(const struct rule *r, const char *rel, size_t len,
	     const char *base)
{
	size_t blen = len - (size_t)(base - rel);
	if (r->anchored) {
		if (len < r->lit || memcmp(rel, r->pat, r->lit))
			return 0;
		return glob_match_git(r->pat + r->lit, rel + r->lit,
				      len - r->lit);
	}
	if (r->lit == r->patlen)
		return blen == r->patlen && !memcmp(base, r->pat, blen);
	if (r->suffix)
		return blen >= r->patlen - 1 &&
		       !memcmp(base + blen - (r->patlen - 1), r->pat + 1,
			       r->patlen - 1);
	return glob_match_git(r->pat, base, blen);
}

enum ig_verdict
ig_match(const struct ig_list *l, const char *rel, size_t len, int isdir,
	 const struct ig_rule **why)
{
	const char *base = rel + len;
	if (why)
		*why = NULL;
	if (!l)
		return IG_NONE;
	while (base > rel && base[-1] != '/')
		base--;
	for (size_t i = l->n; i-- > 0;) {
		const struct rule *r = &l->rules[i];
		if (r->dironly && !isdir)
			continue;
		if (rule_matches(r, rel, len, base)) {
			if (why)
				*why = &r->pub;
			return r->negate ? IG_KEPT : IG_IGNORED;
		}
	}
	return IG_NONE;
}

/* The verdict of the strongest layer with one on PATH's first LEN
 * bytes; *WHY and *FROM get its rule and list. */
static enum ig_verdict
judge(const struct ig_layer *layers, size_t n, const char *path, size_t len,
      int isdir, const struct ig_rule **why, const struct ig_list **from)
{
	for (size_t i = n; i-- > 0;) {
		const struct ig_layer *y = &layers[i];
		enum ig_verdict v;
		if (y->base >= len) /* its own directory, or not above PATH */
			continue;
		v = ig_match(y->list, path + y->base, len - y->base, isdir,
			     why);
		if (v != IG_NONE) {
			*from = y->list;
			return v;
		}
	}
	*why = NULL;
	*from = NULL;
	return IG_NONE;
}

int
ig_decide(const struct ig_layer *layers, size_t n, const char *path,
	  size_t len, int isdir, int parents_too,
	  const struct ig_rule **why, const struct ig_list **from)
{
	const struct ig_rule *w;
	const struct ig_list *f;
	enum ig_verdict v = IG_NONE;

	/* git's rule: a directory that is ignored hides what it holds for
	 * good; a '!' below cannot bring any of it back */
	for (size_t i = 0; parents_too && i < len; i++)
		if (path[i] == '/' &&
		    (v = judge(layers, n, path, i, 1, &w, &f)) == IG_IGNORED)
			break;
	if (v != IG_IGNORED)
		v = judge(layers, n, path, len, isdir, &w, &f);
	if (why)
		*why = w;
	if (from)
		*from = f;
	return v == IG_IGNORED;
}
