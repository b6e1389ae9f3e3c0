/*
 * fuzz_glob.c - the glob matcher (glob.c) and the --include / --exclude lists.
 *
 * The input is a glob, then a NUL or a newline, then a path (with no
 * separator the input is both).  Only a glob the checker accepts is
 * matched, as in main.c: it must go into a filter and agree with it,
 * and keep the few promises that hold for every glob, in bounded time
 * (libFuzzer's -timeout: a matcher that backtracks without limit lets
 * one long file name stall fwatch).
 */
#include "fuzz.h"

#include "filter.h"

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

	/* whatever the path, these match it */
	FUZZ_CHECK(glob_match("*", path));
	FUZZ_CHECK(glob_match("**", path));

	if (ok == 0) {
		int m = glob_match(glob, path);
		FUZZ_CHECK(m == 0 || m == 1);
		struct filter f;
		memset(&f, 0, sizeof f);
		FUZZ_CHECK(filter_add(&f, 0, glob) == 0);
		FUZZ_CHECK(filter_pass(&f, path) == m);
		FUZZ_CHECK(!filter_excluded(&f, path));
		FUZZ_CHECK(filter_add(&f, 1, glob) == 0);
		FUZZ_CHECK(filter_excluded(&f, path) == m);
		/* included and excluded: the exclusion wins */
		FUZZ_CHECK(!filter_pass(&f, path));
		filter_free(&f);
		FUZZ_CHECK(filter_pass(&f, path));

		/* a trailing '*' can only match more */
		char *more = concat(glob, "*");
		FUZZ_CHECK(glob_check(more, err, sizeof err) == 0);
		FUZZ_CHECK(!m || glob_match(more, path));
		free(more);
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
