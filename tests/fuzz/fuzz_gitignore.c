/*
 * fuzz_gitignore.c - the gitignore rules (gitignore.c), glob.c's git
 * dialect and core.excludesFile out of a config text (gitconfig.c).
 *
 * The input: a flags byte, a split byte, then bytes cut in two where the
 * split byte says: the rules (up to three lists, separated by 0x01; the
 * third applies below the path's first directory) and a path.  What must
 * hold, besides no crash, leak or undefined behaviour, in bounded time:
 *   - glob_match_git() agrees with the plain reference of glob_ref.h on
 *     the first line against the path, and on both stretched long;
 *   - ig_match() (the rules indexed) gives the verdict and the rule of
 *     ig_match_linear() (every rule tried), on the path, each of its
 *     parents and what follows each '/', as a file and as a directory;
 *   - a verdict comes with its rule, a '!' rule keeps and others ignore,
 *     and that rule's text alone, parsed again, gives the same verdict;
 *   - ig_decide() with PARENTS_TOO is the first parent ignored, else
 *     the path's own verdict;
 *   - ig_config_excludes() on all but the first two bytes answers alike
 *     whatever the size of the buffer, but for -1 exactly when the value
 *     does not fit.
 */
#include "fuzz.h"

#include "gitignore.h"
#include "glob.h"
#include "glob_ref.h"

static struct ig_list *
parse(const char *text, size_t len)
{
	struct ig_list *l = ig_parse(text, len, "fuzz");
	if (!l)
		abort(); /* no ENOMEM here */
	return l;
}

/* The first line of A (N bytes), as a pattern: NUL-terminated. */
static char *
first_line(const char *a, size_t n)
{
	size_t k = 0;
	while (k < n && a[k] != '\n' && a[k] != '\0')
		k++;
	return fuzz_strndup((const uint8_t *)a, k);
}

/* S repeated to about N bytes. */
static char *
stretch(const char *s, size_t n)
{
	size_t l = strlen(s), k = 0;
	char *r = malloc(n + 1);
	if (!r)
		abort();
	while (l && k + l <= n) {
		memcpy(r + k, s, l);
		k += l;
	}
	r[k] = '\0';
	return r;
}

static void
check_glob(const char *pat, const char *path, size_t len)
{
	FUZZ_CHECK(glob_match_git(pat, path, len) ==
		   ref_match(pat, 1, path, len));
}

/* A verdict and its rule agree, and the rule alone says the same. */
static void
check_rule(enum ig_verdict v, const struct ig_rule *why, const char *path,
	   size_t len, int isdir)
{
	FUZZ_CHECK((v == IG_NONE) == !why);
	if (!why)
		return;
	size_t n = strlen(why->text);
	FUZZ_CHECK(n > 0 && why->line > 0 && why->text[0] != '#');
	FUZZ_CHECK((v == IG_KEPT) == (why->text[0] == '!'));
	/* again, alone: after an empty line (a BOM is no longer first),
	 * with "\r\n" (one '\r' of its own is kept) */
	char *again = malloc(n + 3);
	if (!again)
		abort();
	again[0] = '\n';
	memcpy(again + 1, why->text, n);
	memcpy(again + 1 + n, "\r\n", 2);
	struct ig_list *l = parse(again, n + 3);
	const struct ig_rule *w2;
	FUZZ_CHECK(ig_count(l) == 1);
	FUZZ_CHECK(ig_match(l, path, len, isdir, &w2) == v);
	FUZZ_CHECK(w2 && w2->line == 2 && !strcmp(w2->text, why->text));
	ig_free(l);
	free(again);
}

/* The index and the plain scan agree on L for S (N bytes), both ways. */
static void
check_index(const struct ig_list *l, const char *s, size_t n)
{
	for (int isdir = 0; isdir < 2; isdir++) {
		const struct ig_rule *w1, *w2;
		enum ig_verdict v1 = ig_match(l, s, n, isdir, &w1);
		FUZZ_CHECK(ig_match_linear(l, s, n, isdir, &w2) == v1);
		FUZZ_CHECK(w1 == w2);
	}
}

static void
check_lists(const char *rules, size_t rlen, const char *path, size_t len,
	    int isdir)
{
	struct ig_list *l[3] = { NULL, NULL, NULL };
	struct ig_layer ly[3];
	size_t nl = 0, start = 0, lines = 1;
	const struct ig_rule *why, *w2;
	const struct ig_list *from, *f2;

	for (size_t i = 0; i <= rlen && nl < 3; i++)
		if (i == rlen || rules[i] == '\x01') {
			l[nl++] = parse(rules + start, i - start);
			start = i + 1;
		}
	for (size_t i = 0; i < rlen; i++)
		lines += rules[i] == '\n';
	for (size_t i = 0; i < nl; i++) {
		FUZZ_CHECK(ig_count(l[i]) <= lines);
		check_rule(ig_match(l[i], path, len, isdir, &why), why, path,
			   len, isdir);
		check_index(l[i], path, len);
		for (size_t k = 0; k < len; k++)
			if (path[k] == '/') {
				check_index(l[i], path, k);
				check_index(l[i], path + k + 1, len - k - 1);
			}
		ly[i] = (struct ig_layer){ l[i], 0 };
	}
	/* the third list is a nested one, below the first directory */
	const char *slash = memchr(path, '/', len);
	if (nl == 3 && slash)
		ly[2].base = (size_t)(slash - path) + 1;
	else if (nl == 3)
		nl = 2;

	int all = ig_decide(ly, nl, path, len, isdir, 1, &why, &from);
	FUZZ_CHECK(all == 0 || all == 1);
	FUZZ_CHECK(!why == !from);
	for (size_t i = 0; i < len; i++) /* the first parent ignored */
		if (path[i] == '/' &&
		    ig_decide(ly, nl, path, i, 1, 0, &w2, &f2)) {
			FUZZ_CHECK(all && why == w2 && from == f2);
			goto done;
		}
	FUZZ_CHECK(ig_decide(ly, nl, path, len, isdir, 0, &w2, &f2) == all);
	FUZZ_CHECK(why == w2 && from == f2);
done:
	for (size_t i = 0; i < 3; i++)
		ig_free(l[i]);
}

static void
check_config(const uint8_t *data, size_t size)
{
	static char big[4096], small[16];
	const char *text = (const char *)data;
	int r = ig_config_excludes(text, size, big, sizeof big);
	FUZZ_CHECK(r >= -1 && r <= 1);
	FUZZ_CHECK(ig_config_excludes(text, size, small, 0) == (r ? -1 : 0));
	int s = ig_config_excludes(text, size, small, sizeof small);
	if (r == 1) {
		size_t n = strlen(big);
		FUZZ_CHECK(s == (n < sizeof small ? 1 : -1));
		FUZZ_CHECK(!memcmp(small, big, n < sizeof small ? n + 1
							   : sizeof small - 1));
		FUZZ_CHECK(memchr(small, '\0', sizeof small));
	} else {
		FUZZ_CHECK(s == r);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int isdir = data[0] & 1;
	size_t rest = size - 2, cut = rest * data[1] / 255;
	char *rules = fuzz_strndup(data + 2, cut);
	char *path = fuzz_strndup(data + 2 + cut, rest - cut);
	size_t len = rest - cut;

	char *pat = first_line(rules, cut);
	check_glob(pat, path, len);
	if (data[0] & 2) { /* long: a matcher without a bound stalls */
		char *lp = stretch(pat, 256), *ls = stretch(path, 512);
		check_glob(lp, ls, strlen(ls));
		free(lp);
		free(ls);
	}
	free(pat);

	check_lists(rules, cut, path, len, isdir);
	check_config(data + 2, rest);
	free(rules);
	free(path);
	return 0;
}
