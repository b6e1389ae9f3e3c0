/*
 * gitignore.c - gitignore(5) rules: a file's text compiled once into
 * rules and an index over them, the verdict of one list on a path
 * (looked up in the index; by a plain scan for the tests' reference),
 * the verdict of the stacked lists of a repository (parents first), and
 * core.excludesFile read from a git config text.  Pure: no system call.  Matching is glob.c's
 * git dialect; what git does and this mirrors is noted where it is not
 * what gitignore(5) says.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gitignore.h"
#include "glob.h"

enum kind {
	K_GLOB,   /* anything else: tried in turn, after a cheap pre-check */
	K_NAME,   /* a basename that is a plain literal ("node_modules") */
	K_SUFFIX, /* a basename "*" then literal bytes ("*.o", "*~") */
	K_PATH,   /* an anchored plain literal ("/TODO", "doc/build") */
};

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
	unsigned char kind;     /* enum kind */
	/* indexed kinds: the hash of the key and the rule before this one
	 * with the same kind and key (its index + 1; 0: none) */
	unsigned hash;
	size_t next;
	/* K_GLOB: what any path it matches holds, '/' aside: the bytes
	 * (their low 7 bits, a bit each) its literal bytes need, and the
	 * literal its first and last bytes must be (-1: not known) */
	uint64_t need[2];
	int first, last;
};

/*
 * The index: "last rule to match wins", so a verdict is the highest
 * line that matches.  The rules of indexed kinds are found by the
 * path's own bytes in one hash (open addressing; a slot holds the
 * latest rule of its key, which chains to the earlier ones), a suffix
 * once for each length some K_SUFFIX rule has; the K_GLOB rules are
 * tried from the last down, only above the best line the hash found.
 */
struct ig_list {
	char *source;
	struct rule *rules;
	size_t n;
	char *buf;     /* the rules' texts and patterns */
	size_t *slot;  /* the hash: a rule's index + 1, 0 for empty */
	size_t mask;   /* its size - 1, a power of two over 2 n */
	size_t *lens;  /* the distinct key lengths of K_SUFFIX rules */
	size_t nlens;
	size_t *globs; /* the K_GLOB rules' indices, the last first */
	size_t nglobs;
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
	if (r->lit == plen)
		r->kind = r->anchored ? K_PATH : K_NAME;
	else if (!r->anchored && *p == '*' && literal_len(p + 1) == plen - 1)
		r->kind = K_SUFFIX;
	else
		r->kind = K_GLOB;
	return 1;
}

/* The bytes of an indexed rule's key: the name, the suffix or the path. */
static const char *
key_of(const struct rule *r, size_t *n)
{
	int skip = r->kind == K_SUFFIX; /* the '*' */
	*n = r->patlen - (size_t)skip;
	return r->pat + skip;
}

/* FNV-1a over the kind and the key. */
static unsigned
hash_key(int kind, const char *k, size_t n)
{
	uint32_t h = 2166136261u;
	h = (h ^ (uint32_t)kind) * 16777619u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 16777619u;
	return h;
}

/* The slot of KIND and key K (N bytes, hash H) in L's hash: the one
 * that holds it, else the empty one where it would go. */
static size_t
find_slot(const struct ig_list *l, int kind, const char *k, size_t n,
	  unsigned h)
{
	for (size_t i = h & l->mask;; i = (i + 1) & l->mask) {
		const struct rule *r;
		const char *rk;
		size_t rn;
		if (!l->slot[i])
			return i;
		r = &l->rules[l->slot[i] - 1];
		rk = key_of(r, &rn);
		if (r->hash == h && r->kind == kind && rn == n &&
		    !memcmp(rk, k, n))
			return i;
	}
}

static void
add_byte(uint64_t w[2], unsigned char c)
{
	w[c >> 6 & 1] |= (uint64_t)1 << (c & 63);
}

/*
 * What a path that R (K_GLOB) matches must hold: each literal byte of the
 * pattern matches one byte of the path, in order, so the path holds
 * them all, its first byte is the pattern's first if that is a literal,
 * and its last the pattern's last.  '*' '?' and classes stand for bytes
 * not known; a class git finds malformed, or a '\' at the end, matches
 * nothing, and the reading stops there (what is gathered is then short
 * of what it could say, never wrong).  A '/' is not counted at all:
 * "**" "/" may stand for no directory ("**" "/" matches "" too).
 */
static void
gather_needs(struct rule *r)
{
	const char *p = r->pat;
	int c;

	r->first = r->last = -1;
	for (int at_first = 1; *p; at_first = 0) {
		c = -1;
		if (*p == '*' || *p == '?') {
			p++;
		} else if (*p == '[') {
			const char *e = glob_class_end(p);
			if (!e) {
				r->last = -1;
				return;
			}
			p = e;
		} else if (*p == '\\' && !p[1]) {
			r->last = -1;
			return;
		} else {
			p += *p == '\\';
			c = (unsigned char)*p++;
			if (c == '/') /* "**" "/" may not use it */
				c = -1;
			else
				add_byte(r->need, (unsigned char)c);
			if (at_first)
				r->first = c;
		}
		r->last = c;
	}
}

/* Build L's index over its rules, from the first: a later rule with
 * the same key goes before an earlier one.  -1 when out of memory. */
static int
build_index(struct ig_list *l)
{
	size_t size = 4, n = l->n ? l->n : 1;

	while (size < 2 * l->n)
		size *= 2;
	l->slot = calloc(size, sizeof *l->slot);
	l->lens = malloc(n * sizeof *l->lens);
	l->globs = malloc(n * sizeof *l->globs);
	if (!l->slot || !l->lens || !l->globs)
		return -1;
	l->mask = size - 1;
	for (size_t i = 0; i < l->n; i++) {
		struct rule *r = &l->rules[i];
		size_t kn, at, j;
		const char *k;
		if (r->kind == K_GLOB) {
			gather_needs(r);
			continue;
		}
		k = key_of(r, &kn);
		r->hash = hash_key(r->kind, k, kn);
		at = find_slot(l, r->kind, k, kn, r->hash);
		r->next = l->slot[at];
		l->slot[at] = i + 1;
		for (j = 0; r->kind == K_SUFFIX && j < l->nlens; j++)
			if (l->lens[j] == kn)
				break;
		if (r->kind == K_SUFFIX && j == l->nlens)
			l->lens[l->nlens++] = kn;
	}
	for (size_t i = l->n; i-- > 0;)
		if (l->rules[i].kind == K_GLOB)
			l->globs[l->nglobs++] = i;
	return 0;
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
	if (build_index(l) < 0)
		goto nomem;
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
	free(l->slot);
	free(l->lens);
	free(l->globs);
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
	if (r->kind == K_SUFFIX)
		return blen >= r->patlen - 1 &&
		       !memcmp(base + blen - (r->patlen - 1), r->pat + 1,
			       r->patlen - 1);
	return glob_match_git(r->pat, base, blen);
}

static enum ig_verdict
verdict(const struct rule *r, const struct ig_rule **why)
{
	if (why)
		*why = r ? &r->pub : NULL;
	return !r ? IG_NONE : r->negate ? IG_KEPT : IG_IGNORED;
}

enum ig_verdict
ig_match_linear(const struct ig_list *l, const char *rel, size_t len,
		int isdir, const struct ig_rule **why)
{
	const char *base = rel + len;
	if (!l)
		return verdict(NULL, why);
	while (base > rel && base[-1] != '/')
		base--;
	for (size_t i = l->n; i-- > 0;) {
		const struct rule *r = &l->rules[i];
		if (r->dironly && !isdir)
			continue;
		if (rule_matches(r, rel, len, base))
			return verdict(r, why);
	}
	return verdict(NULL, why);
}

/* The latest rule of KIND keyed K (N bytes) that may judge the path (a
 * directory-only one, only a directory): its index + 1, 0 if none. */
static size_t
lookup(const struct ig_list *l, int kind, const char *k, size_t n,
       int isdir)
{
	size_t i = l->slot[find_slot(l, kind, k, n, hash_key(kind, k, n))];
	while (i && l->rules[i - 1].dironly && !isdir)
		i = l->rules[i - 1].next;
	return i;
}

/* The bytes S (N) holds, '/' aside, as gather_needs() counts them. */
static void
held_bytes(const char *s, size_t n, uint64_t w[2])
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != '/')
			add_byte(w, (unsigned char)s[i]);
}

/* Can R (K_GLOB) match S (N bytes, which hold the bytes W)? 0 if the
 * cheap checks of gather_needs() say not. */
static int
may_match(const struct rule *r, const char *s, size_t n,
	  const uint64_t w[2])
{
	if ((r->need[0] & ~w[0]) | (r->need[1] & ~w[1]))
		return 0;
	if (r->first >= 0 && (!n || (unsigned char)s[0] != r->first))
		return 0;
	return r->last < 0 || (n && (unsigned char)s[n - 1] == r->last);
}

enum ig_verdict
ig_match(const struct ig_list *l, const char *rel, size_t len, int isdir,
	 const struct ig_rule **why)
{
	const char *base = rel + len;
	size_t blen, best, i;
	uint64_t bw[2] = { 0, 0 }, rw[2] = { 0, 0 };

	if (!l)
		return verdict(NULL, why);
	while (base > rel && base[-1] != '/')
		base--;
	blen = len - (size_t)(base - rel);
	best = lookup(l, K_NAME, base, blen, isdir);
	for (i = 0; i < l->nlens; i++) {
		size_t k = l->lens[i], at;
		if (k <= blen &&
		    (at = lookup(l, K_SUFFIX, base + blen - k, k, isdir)) > best)
			best = at;
	}
	if ((i = lookup(l, K_PATH, rel, len, isdir)) > best)
		best = i;
	if (l->nglobs && l->globs[0] >= best) { /* one may be later */
		held_bytes(base, blen, bw);
		held_bytes(rel, len - blen, rw);
		rw[0] |= bw[0];
		rw[1] |= bw[1];
	}
	for (i = 0; i < l->nglobs && l->globs[i] >= best; i++) {
		const struct rule *r = &l->rules[l->globs[i]];
		if (r->dironly && !isdir)
			continue;
		if (r->anchored ? !may_match(r, rel, len, rw)
				: !may_match(r, base, blen, bw))
			continue;
		if (rule_matches(r, rel, len, base)) {
			best = l->globs[i] + 1;
			break;
		}
	}
	return verdict(best ? &l->rules[best - 1] : NULL, why);
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
