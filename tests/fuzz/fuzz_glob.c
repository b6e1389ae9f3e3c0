/*
 * fuzz_glob.c - the glob matcher (glob.c) and the --include / --exclude lists
 * (filter.c).
 *
 * The input is a glob, then a NUL or a newline, then a path (with no
 * separator the input is both).  Only a glob the checker accepts is
 * matched, as in main.c: it must go into a filter and agree with it,
 * and keep the few promises that hold for every glob, in bounded time
 * (libFuzzer's -timeout: a matcher that backtracks without limit lets
 * one long file name stall fwatch).  The filter reads a pattern as
 * people write it (a trailing '/', a leading "./"), ties copies of it to
 * one PATH, and leaves out fwatch's output by its exact path: each must
 * say what the matcher says of the pattern it made.  Every glob,
 * accepted or not, must match as the plain reference of glob_ref.h does.
 */
#include "fuzz.h"

#include "filter.h"
#include "glob_ref.h"

/* A glob that matches exactly S: every byte escaped. */
static char *
literal(const char *s)
{
	size_t n = strlen(s);
	char *g = malloc(2 * n + 1), *d = g;
	if (!g)
		abort();
	for (size_t i = 0; i < n; i++) {
		*d++ = '\\';
		*d++ = s[i];
	}
	*d = '\0';
	return g;
}

static char *
concat(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = malloc(na + nb + 1);
	if (!s)
		abort();
	memcpy(s, a, na);
	memcpy(s + na, b, nb + 1);
	return s;
}

/* What the filter made of the pattern it was given (its first one). */
static const struct fpat *
first(const struct filter *f)
{
	FUZZ_CHECK(f->n >= 1);
	return &f->p[0];
}

/* G ends in a '/' that is not quoted, after something. */
static int
ends_in_slash(const char *g)
{
	size_t n = strlen(g), k = 0;
	if (n < 2 || g[n - 1] != '/')
		return 0;
	while (k < n - 1 && g[n - 2 - k] == '\\')
		k++;
	return !(k & 1);
}

/* The filter's verdicts on PATH agree with the matcher's on the pattern
 * it made of GLOB, whatever the PATH's key. */
static void
check_filter(const char *glob, const char *path)
{
	struct filter f;
	char err[256];
	memset(&f, 0, sizeof f);
	FUZZ_CHECK(filter_add(&f, 0, glob) == 0);
	const struct fpat *p = first(&f);
	int m = !p->never && glob_match(p->glob, path);

	FUZZ_CHECK(p->kind == FILTER_INCLUDE && f.ninc == 1);
	FUZZ_CHECK(p->never || glob_check(p->glob, err, sizeof err) == 0);
	FUZZ_CHECK((p->key == FILTER_NOWHERE) == (p->never != NULL));
	FUZZ_CHECK(p->dir == ends_in_slash(glob));
	/* a directory-only pattern says nothing of a file */
	FUZZ_CHECK(filter_pass(&f, FILTER_EVERY, path, 1) == m);
	FUZZ_CHECK(filter_pass(&f, 3, path, 1) == m);
	FUZZ_CHECK(filter_pass(&f, 3, path, 0) == (m && !p->dir));
	FUZZ_CHECK(!filter_excluded(&f, 3, path, 1));
	FUZZ_CHECK(!filter_why(&f, 3, path, 1));
	FUZZ_CHECK(filter_add(&f, 1, glob) == 0);
	FUZZ_CHECK(filter_excluded(&f, 5, path, 1) == m);
	FUZZ_CHECK(filter_excluded(&f, 5, path, 0) == (m && !first(&f)->dir));
	FUZZ_CHECK(!m || filter_why(&f, 5, path, 1) == &f.p[1]);
	/* included and excluded: the exclusion wins */
	FUZZ_CHECK(!filter_pass(&f, 5, path, 1));
	filter_free(&f);
	FUZZ_CHECK(filter_pass(&f, 5, path, 0));
	FUZZ_CHECK(filter_pass(NULL, 5, path, 0));

	/* a copy tied to PATH 3, as the part below it */
	const char *below = glob;
	while (*below == '/')
		below++;
	if (!*below)
		return;
	char *anchored = concat("/", below);
	FUZZ_CHECK(glob_check(anchored, err, sizeof err) == 0);
	FUZZ_CHECK(filter_add(&f, 0, "x") == 0);
	FUZZ_CHECK(filter_add(&f, 1, "/y") == 0);
	FUZZ_CHECK(filter_bind(&f, 1, 3, below, strlen(below)) == 0);
	const struct fpat *b = &f.p[2];
	FUZZ_CHECK(f.p[1].key == FILTER_NOWHERE && b->from == 1);
	FUZZ_CHECK(b->key == (b->never ? FILTER_NOWHERE : 3));
	int mb = !b->never && glob_match(anchored, path);
	FUZZ_CHECK(filter_excluded(&f, 3, path, 1) == mb);
	FUZZ_CHECK(!filter_excluded(&f, 4, path, 1));
	/* the PATH not known yet: a copy tied to some PATH excludes nothing */
	FUZZ_CHECK(!filter_excluded(&f, FILTER_EVERY, path, 1));
	free(anchored);

	/* fwatch's output, by its exact path, under PATH 2 only */
	FUZZ_CHECK(filter_own(&f, 2, path, strlen(path), "out") == 0);
	FUZZ_CHECK(filter_excluded(&f, 2, path, 0));
	FUZZ_CHECK(!filter_pass(&f, 2, path, 0));
	FUZZ_CHECK(filter_excluded(&f, 4, path, 0) == 0);
	const struct fpat *why = filter_why(&f, 2, path, 0);
	FUZZ_CHECK(why && why->kind == FILTER_OWN && !strcmp(why->given, "out"));
	filter_free(&f);
}

/* Patterns A and B, written differently, mean the same for PATH. */
static void
check_same(const char *a, const char *b, const char *path)
{
	struct filter f;
	memset(&f, 0, sizeof f);
	FUZZ_CHECK(filter_add(&f, 1, a) == 0);
	FUZZ_CHECK(filter_add(&f, 0, b) == 0);
	FUZZ_CHECK(!strcmp(f.p[0].glob, f.p[1].glob));
	FUZZ_CHECK(f.p[0].dir == f.p[1].dir);
	FUZZ_CHECK(f.p[0].rooted == 0 && f.p[1].rooted == 1);
	FUZZ_CHECK(filter_excluded(&f, 1, path, 1) ==
		   (!f.p[0].never && glob_match(f.p[0].glob, path)));
	filter_free(&f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cut = 0;
	while (cut < size && data[cut] != '\0' && data[cut] != '\n')
		cut++;
	char *glob = fuzz_strndup(data, cut);
	char *path = cut < size ? fuzz_strndup(data + cut + 1, size - cut - 1)
				: fuzz_strndup(data, size);
	char err[256];

	err[0] = '\0';
	int ok = glob_check(glob, err, sizeof err);
	FUZZ_CHECK(ok == 0 || ok == -1);
	FUZZ_CHECK(ok == 0 || (err[0] && memchr(err, '\0', sizeof err)));

	FUZZ_CHECK(glob_match(glob, path) == ref_glob_match(glob, path));

	/* whatever the path, these match it */
	FUZZ_CHECK(glob_match("*", path));
	FUZZ_CHECK(glob_match("**", path));

	if (ok == 0) {
		int m = glob_match(glob, path);
		FUZZ_CHECK(m == 0 || m == 1);
		check_filter(glob, path);

		/* a trailing '*' can only match more */
		char *more = concat(glob, "*");
		FUZZ_CHECK(glob_check(more, err, sizeof err) == 0);
		FUZZ_CHECK(!m || glob_match(more, path));
		free(more);

		/* "./" anchors it to the PATH, as a leading '/' does */
		if (glob[0] != '/' && glob[0] != '.') {
			char *dot = concat("./", glob), *slash = concat("/", glob);
			check_same(dot, slash, path);
			free(dot);
			free(slash);
		}
	}

	/* the path spelled as a glob of escapes matches itself */
	if (*path) {
		char *lit = literal(path);
		FUZZ_CHECK(glob_check(lit, err, sizeof err) == 0);
		FUZZ_CHECK(glob_match(lit, path));
		free(lit);
	}

	free(path);
	free(glob);
	return 0;
}
