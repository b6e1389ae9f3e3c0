/*
 * test_gitignore.c - src/gitignore.c, src/gitconfig.c and glob.c's git
 * dialect on hand-made rules: the syntax of a .gitignore line, what
 * each kind of pattern matches, the verdict of stacked lists (negation,
 * directories ignored with everything below), core.excludesFile out of
 * config texts, and bounded time on pathological patterns.  Each
 * expectation was checked against `git check-ignore` (git 2.39) where
 * git can say.  Portable: runs in `make unit` everywhere.  Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/gitignore.h"
#include "../../src/glob.h"

static int failed, count;

static int
ok(int cond, const char *what)
{
	count++;
	if (!cond)
		failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", count, what);
	return cond;
}

static struct ig_list *
parse(const char *text, size_t len)
{
	struct ig_list *l = ig_parse(text, len, "t/.gitignore");
	if (!l)
		abort();
	return l;
}

/*
 * One list, one path: RULES (a C string, or LEN bytes if LEN is not 0),
 * then PATH (a directory if it ends in '/', which is not part of it);
 * WANT is 'I' (ignored), 'K' (kept by a '!') or '-' (no rule speaks).
 */
struct mcase {
	const char *rules;
	size_t len;
	const char *path;
	char want;
};

static const struct mcase syntax[] = {
	{ "# a comment\nfoo", 0, "foo", 'I' },
	{ "# foo", 0, "# foo", '-' },
	{ "\\#foo", 0, "#foo", 'I' },
	{ "\\!foo", 0, "!foo", 'I' },
	{ "\\!foo", 0, "foo", '-' },
	{ "foo   ", 0, "foo", 'I' },
	{ "foo   ", 0, "foo ", '-' },
	{ "foo\\ ", 0, "foo ", 'I' },
	{ "foo\\ ", 0, "foo", '-' },
	{ "foo\\  ", 0, "foo ", 'I' },
	{ "f o o ", 0, "f o o", 'I' },
	{ "foo\t", 0, "foo\t", 'I' },
	{ "foo\t", 0, "foo", '-' },
	{ "foo\r\nbar\r\n", 0, "foo", 'I' },
	{ "foo\r\nbar\r\n", 0, "bar", 'I' },
	{ "foo\r\n", 0, "foo\r", '-' },
	{ "foo\r", 0, "foo", 'I' },
	{ "fo\ro\n", 0, "fo\ro", 'I' },
	{ "a\nb", 0, "b", 'I' },
	{ "\xef\xbb\xbf" "foo\n", 0, "foo", 'I' },
	{ "x\n\xef\xbb\xbf" "foo\n", 0, "foo", '-' },
	{ "fo\0o\nbar", 8, "fo", 'I' },
	{ "fo\0o\nbar", 8, "bar", 'I' },
	{ "*.o\n!keep.o", 0, "keep.o", 'K' },
	{ "*.o\n!keep.o", 0, "a.o", 'I' },
	{ "!keep.o\n*.o", 0, "keep.o", 'I' },
	{ "!!x", 0, "!x", 'K' },
	{ "a\n!a\na", 0, "a", 'I' },
	{ "foo\\", 0, "foo\\", '-' },
	{ "foo\\", 0, "foo", '-' },
	{ "foo\\\\", 0, "foo\\", 'I' },
	{ "\\*", 0, "*", 'I' },
	{ "\\*", 0, "a", '-' },
	{ "\\a\\b", 0, "ab", 'I' },
};

static const struct mcase kinds[] = {
	/* directories only */
	{ "foo/", 0, "foo/", 'I' },
	{ "foo/", 0, "foo", '-' },
	{ "foo/", 0, "a/foo/", 'I' },
	{ "foo//", 0, "foo/", '-' },
	{ "/foo/", 0, "foo/", 'I' },
	{ "/foo/", 0, "a/foo/", '-' },
	{ "a/foo/", 0, "a/foo/", 'I' },
	{ "a/foo/", 0, "a/foo", '-' },
	{ "build/\n!build/", 0, "build/", 'K' },
	{ "build\n!build/", 0, "build", 'I' },
	/* basename or anchored */
	{ "foo", 0, "a/b/foo", 'I' },
	{ "foo", 0, "foo/a", '-' }, /* alone: git ignores it by its parent */
	{ "/foo", 0, "foo", 'I' },
	{ "/foo", 0, "a/foo", '-' },
	{ "foo/bar", 0, "foo/bar", 'I' },
	{ "foo/bar", 0, "x/foo/bar", '-' },
	{ "foo/*", 0, "foo/x", 'I' },
	{ "foo/*", 0, "foo/x/y", '-' },
	{ "*.o", 0, "a/b/c.o", 'I' },
	{ "*.o", 0, "c.o/x", '-' },
	{ "*", 0, "a/b/c", 'I' },
	{ "a/*.c", 0, "a/x.c", 'I' },
	{ "a/*.c", 0, "a/b/x.c", '-' },
	{ "*/x", 0, "a/x", 'I' },
	{ "*/x", 0, "a/b/x", '-' },
	{ "a?c", 0, "x/abc", 'I' },
	{ "x/a?c", 0, "x/a/c", '-' },
	{ "x/a?c", 0, "x/abc", 'I' },
	/* "**" */
	{ "**/foo", 0, "foo", 'I' },
	{ "**/foo", 0, "a/b/foo", 'I' },
	{ "**/foo", 0, "a/foo/b", '-' },
	{ "**/foo/bar", 0, "foo/bar", 'I' },
	{ "**/foo/bar", 0, "x/y/foo/bar", 'I' },
	{ "foo/**", 0, "foo/x", 'I' },
	{ "foo/**", 0, "foo/x/y", 'I' },
	{ "foo/**", 0, "foo/", '-' },
	{ "foo/**", 0, "foo", '-' },
	{ "a/**/b", 0, "a/b", 'I' },
	{ "a/**/b", 0, "a/x/b", 'I' },
	{ "a/**/b", 0, "a/x/y/b", 'I' },
	{ "a/**/b", 0, "a/xb", '-' },
	{ "a/**/b", 0, "x/a/b", '-' },
	{ "**", 0, "a/b/c", 'I' },
	{ "a**b", 0, "axyb", 'I' },
	{ "a**b", 0, "ab", 'I' },
	{ "x/a**b", 0, "x/aqb", 'I' },
	{ "x/a**b", 0, "x/a/b", '-' },
	{ "x/**b", 0, "x/a/b", '-' },
	{ "x/**b", 0, "x/ab", 'I' },
	{ "x/b**", 0, "x/b/c/d", 'I' },
	{ "foo**/bar", 0, "foox/y/bar", 'I' },
	{ "foo**/bar", 0, "foo/bar", 'I' },
	{ "a**/b", 0, "ab", 'I' },
	{ "a/\\**/b", 0, "a/x/y/b", '-' },
	{ "a/\\**/b", 0, "a/*x/b", 'I' },
	{ "/**/x", 0, "a/x", 'I' },
	{ "/**/x", 0, "x", 'I' },
	{ "**/", 0, "a/b/", 'I' },
	{ "**/", 0, "a/b", '-' },
	{ "**\\/x", 0, "a/b/x", 'I' },
};

static const struct mcase classes[] = {
	{ "[abc]", 0, "b", 'I' },
	{ "[abc]", 0, "d", '-' },
	{ "[!a]x", 0, "bx", 'I' },
	{ "[!a]x", 0, "ax", '-' },
	{ "[^a]x", 0, "ax", '-' },
	{ "[a-c]1", 0, "b1", 'I' },
	{ "[a-c]1", 0, "d1", '-' },
	{ "[c-a]", 0, "b", '-' },
	{ "[[:digit:]][[:digit:]]", 0, "42", 'I' },
	{ "[[:digit:]]", 0, "x", '-' },
	{ "[[:alpha:]_]*", 0, "_x1", 'I' },
	{ "[[:upper:]]", 0, "a", '-' },
	{ "[![:lower:]]", 0, "A", 'I' },
	{ "[[:space:]]", 0, "\v", '-' },
	{ "[[:space:]]", 0, "\r", 'I' },
	{ "[[:cntrl:]]", 0, "\x7f", 'I' },
	{ "[[:punct:]]", 0, "~", 'I' },
	{ "[[:xdigit:]]", 0, "F", 'I' },
	{ "[[:alnum:]]", 0, "\xe9", '-' },
	{ "[[:foo:]]", 0, "f", '-' },
	{ "[[:foo:]]", 0, "[[:foo:]]", '-' },
	{ "[[:digit:]-z]", 0, "-", 'I' },
	{ "[[:a]", 0, ":", 'I' },
	{ "[]]", 0, "]", 'I' },
	{ "[!]]", 0, "a", 'I' },
	{ "[!]]", 0, "]", '-' },
	{ "[a-]", 0, "-", 'I' },
	{ "[-a]", 0, "-", 'I' },
	{ "[a-c-e]", 0, "d", '-' },
	{ "[a-c-e]", 0, "e", 'I' },
	{ "[\\]]", 0, "]", 'I' },
	{ "[a\\-z]", 0, "b", '-' },
	{ "[abc", 0, "[abc", '-' },
	{ "[abc", 0, "a", '-' },
	{ "x/[/]y", 0, "x//y", '-' },
	{ "x[/]y", 0, "x/y", '-' },
};

/* The index (names, suffixes, anchored literals looked up; the rest in
 * turn) must give the line a plain scan gives: the last to match. */
static const struct mcase indexed[] = {
	{ "foo\nfoo\n!foo", 0, "foo", 'K' },
	{ "!foo\nfoo", 0, "a/foo", 'I' },
	{ "foo\n!foo/", 0, "foo", 'I' },
	{ "foo\n!foo/", 0, "foo/", 'K' },
	{ "!foo\nfoo/\nfoo/", 0, "foo", 'K' },
	{ "*.o\n!a.o", 0, "a.o", 'K' },
	{ "!a.o\n*.o", 0, "a.o", 'I' },
	{ "!a.o\n*.o\n!*o", 0, "a.o", 'K' },
	{ "!*o\n*.o", 0, "a.o", 'I' },
	{ "*\n!*.o", 0, "x.o", 'K' },
	{ "!*.o\n*", 0, "x.o", 'I' },
	{ "*~\n!*.c~", 0, "x.c~", 'K' },
	{ "*.o", 0, ".o", 'I' },
	{ "*.o", 0, "o", '-' },
	{ "*.tar.gz\n!*.gz", 0, "a.tar.gz", 'K' },
	{ "!*.gz\n*.tar.gz", 0, "a.tar.gz", 'I' },
	{ "*.o/", 0, "a.o", '-' },
	{ "*.o/\n!*.o", 0, "a.o/", 'K' },
	{ "/top\n!top", 0, "top", 'K' },
	{ "!top\n/top", 0, "top", 'I' },
	{ "/top", 0, "a/top", '-' },
	{ "a/b\n!b", 0, "a/b", 'K' },
	{ "!b\na/b", 0, "a/b", 'I' },
	{ "a/b/", 0, "a/b", '-' },
	{ "!a/b\na/b/\n", 0, "a/b", 'K' },
	{ "a*\n!abc", 0, "abc", 'K' },
	{ "!abc\na*", 0, "abc", 'I' },
	{ "!abc\n[Ll]og\n", 0, "log", 'I' },
	{ "tmp[0-9]x.*", 0, "tmp1x.c", 'I' },
	{ "tmp[0-9]x.*", 0, "tmpax.c", '-' },
	{ "**/gen/**", 0, "gen/x", 'I' },
	{ "**/gen/**", 0, "a/gen", '-' },
	{ "a/**/b", 0, "a/b", 'I' },
	{ "**/", 0, "/", 'I' }, /* "": no path git is asked of */
	{ "**//", 0, "/", 'I' },
	{ "a/**/", 0, "a/", '-' },
	{ "\\*x", 0, "*x", 'I' },
	{ "\\*x", 0, "ax", '-' },
	{ "x\\", 0, "x\\", '-' },
	{ "[x\n!x", 0, "x", 'K' },
	{ "x?\n!x1", 0, "x1", 'K' },
	{ "!x1\nx?", 0, "x1", 'I' },
	{ "\xc3\xa9*", 0, "\xc3\xa9t\xc3\xa9", 'I' },
	{ "*\xa9", 0, "C\xc2\xa9", 'I' },
	{ "*\xa9", 0, "C\xc2)", '-' },
};

/*
 * Random lists of rules from pieces of every kind, against random paths:
 * the index and the plain scan agree on the verdict and on the rule.
 */
static void
test_index_random(void)
{
	static const char *const pieces[] = {
		"a", "b", "ab", "a.o", "x.c", "foo", "*", "*.o", "*o", "*.c",
		"*~", "a~", "*b", "a*", "?", "a?", "[ab]", "[!a]*", "*.[oc]",
		"**", "\\*", "\\a", "[x", "x\\", ".o", "o", "\xc3\xa9",
		"*\xa9",
	};
	const size_t np = sizeof pieces / sizeof *pieces;
	unsigned long seed = 12345;
	char rules[512], path[128];
	int bad = 0, tried = 0;

#define RND(n) ((seed = seed * 6364136223846793005UL + 1442695040888963407UL), \
		(size_t)(seed >> 33) % (n))
	for (int round = 0; round < 3000; round++) {
		size_t rn = 0, nrules = 1 + RND(12);
		for (size_t i = 0; i < nrules; i++) {
			if (!RND(4))
				rules[rn++] = '!';
			if (!RND(4))
				rules[rn++] = '/';
			for (size_t k = 1 + RND(3); k-- > 0;) {
				const char *pc = pieces[RND(np)];
				rn += (size_t)snprintf(rules + rn,
						       sizeof rules - rn,
						       "%s%s", pc,
						       k ? "/" : "");
			}
			if (!RND(4))
				rules[rn++] = '/';
			rules[rn++] = '\n';
		}
		struct ig_list *l = parse(rules, rn);
		for (int j = 0; j < 20; j++) {
			size_t pn = 0;
			for (size_t k = 1 + RND(3); k-- > 0;)
				pn += (size_t)snprintf(path + pn,
						       sizeof path - pn, "%s%s",
						       pieces[RND(np)],
						       k ? "/" : "");
			for (int isdir = 0; isdir < 2; isdir++) {
				const struct ig_rule *w1, *w2;
				enum ig_verdict v1 =
					ig_match(l, path, pn, isdir, &w1);
				enum ig_verdict v2 = ig_match_linear(
					l, path, pn, isdir, &w2);
				tried++;
				if ((v1 != v2 || w1 != w2) && bad++ < 3)
					printf("#   '%.*s' isdir %d: %d "
					       "against %d, rules:\n%.*s",
					       (int)pn, path, isdir, v1, v2,
					       (int)rn, rules);
			}
		}
		ig_free(l);
	}
#undef RND
	printf("# %d paths judged\n", tried);
	ok(!bad, "random rules and paths: the index and the plain scan "
	   "agree");
}

static void
run_cases(const struct mcase *c, size_t n, const char *group)
{
	char what[160];
	for (size_t i = 0; i < n; i++) {
		size_t plen = strlen(c[i].path);
		int isdir = plen && c[i].path[plen - 1] == '/';
		struct ig_list *l = parse(c[i].rules,
					  c[i].len ? c[i].len
						   : strlen(c[i].rules));
		const struct ig_rule *why, *w2;
		enum ig_verdict v = ig_match(l, c[i].path, plen - isdir, isdir,
					     &why);
		enum ig_verdict v2 = ig_match_linear(l, c[i].path,
						     plen - isdir, isdir, &w2);
		char got = v == IG_IGNORED ? 'I' : v == IG_KEPT ? 'K' : '-';
		snprintf(what, sizeof what, "%s %zu: %c", group, i, c[i].want);
		if (!ok(got == c[i].want && (v == IG_NONE) == !why &&
			v2 == v && w2 == why, what))
			printf("#   rules '%s', path '%s': got %c\n",
			       c[i].rules, c[i].path, got);
		ig_free(l);
	}
}

/* What is kept of a file: rules, their texts and lines. */
static void
test_list(void)
{
	const char text[] = "\xef\xbb\xbf# c\n\n   \nfoo  \n\r\n!\n/\n!bar/\r\n"
			    "\\ \nlast";
	struct ig_list *l = parse(text, sizeof text - 1);
	const struct ig_rule *why;

	ok(ig_count(l) == 4, "comments, blank lines and lines that can "
	   "match nothing are not kept");
	ok(!strcmp(ig_source(l), "t/.gitignore"), "the source is kept");
	ok(ig_match(l, "foo", 3, 0, &why) == IG_IGNORED && why->line == 4 &&
	   !strcmp(why->text, "foo"), "a rule's line and text, trailing "
	   "spaces dropped");
	ok(ig_match(l, "bar", 3, 1, &why) == IG_KEPT && why->line == 8 &&
	   !strcmp(why->text, "!bar/"), "'!' and '/' stay in the text, "
	   "the \\r does not");
	ok(ig_match(l, "last", 4, 0, &why) == IG_IGNORED && why->line == 10,
	   "a last line without a newline counts");
	ok(ig_match(l, "x/foo/y", 5, 0, NULL) == IG_IGNORED,
	   "the path is LEN bytes, not up to a NUL; WHY may be NULL");
	ok(ig_match(NULL, "foo", 3, 0, &why) == IG_NONE && !why,
	   "no list: no verdict");
	ig_free(l);
	l = parse("", 0);
	ok(l && ig_count(l) == 0, "an empty file is an empty list");
	ig_free(l);
	l = parse(NULL, 0);
	ok(l && ig_count(l) == 0 && ig_match(l, "a", 1, 0, &why) == IG_NONE,
	   "so is no text at all");
	ig_free(l);
	ig_free(NULL);
}

static struct ig_list *
mk(const char *rules, const char *source)
{
	struct ig_list *l = ig_parse(rules, strlen(rules), source);
	if (!l)
		abort();
	return l;
}

/* The lists of a repository, weakest first, each with its directory. */
static struct {
	struct ig_list *list;
	const char *dir; /* "" or "sub/" */
} repo[5];
static const struct ig_rule *why;
static const struct ig_list *from;

/* ig_decide() on PATH with the lists that apply to it, as a caller
 * gives them: those whose directory PATH is below. */
static int
decide(const char *path, int isdir, int parents_too)
{
	struct ig_layer ly[5];
	size_t n = 0;
	for (size_t i = 0; i < 5; i++) {
		size_t b = strlen(repo[i].dir);
		if (!strncmp(path, repo[i].dir, b))
			ly[n++] = (struct ig_layer){ repo[i].list, b };
	}
	return ig_decide(ly, n, path, strlen(path), isdir, parents_too, &why,
			 &from);
}

/* Stacked lists: the global file, info/exclude, .gitignore files. */
static void
test_decide(void)
{
	struct ig_list *global = mk("*.tmp\n*.bak\n", "global"),
		       *info = mk("!a.tmp\n", ".git/info/exclude"),
		       *top = mk("build/\n!build/keep\n*.log\nd\nsub/x\n",
				 ".gitignore"),
		       *sub = mk("!keep.log\n/y\n*.c\nsub\n", "sub/.gitignore");
	struct ig_layer one = { top, 0 };
	repo[0].list = global, repo[1].list = info, repo[2].list = top;
	repo[3].list = sub, repo[4].list = NULL;
	repo[0].dir = repo[1].dir = repo[2].dir = repo[4].dir = "";
	repo[3].dir = "sub/";

	ok(decide("x.tmp", 0, 1) == 1 && from == global,
	   "the global file speaks");
	ok(decide("a.tmp", 0, 1) == 0 && from == info && why->line == 1,
	   "info/exclude is stronger than the global file");
	ok(decide("build/keep", 0, 1) == 1 && from == top &&
	   !strcmp(why->text, "build/"), "a '!' cannot bring back a file "
	   "in an ignored directory: the directory's rule is the reason");
	ok(decide("build/keep", 0, 0) == 0 && why->line == 2,
	   "judged alone (PARENTS_TOO 0), the file is kept by the '!'");
	ok(decide("build", 1, 1) == 1 && decide("build", 0, 1) == 0,
	   "a directory-only rule: the directory, not a file of that name");
	ok(decide("d/e/f", 0, 1) == 1 && !strcmp(why->text, "d"),
	   "a parent matched by a plain name hides what is below");
	ok(decide("sub/keep.log", 0, 1) == 0 && from == sub &&
	   why->line == 1, "a deeper .gitignore is stronger: its '!' keeps "
	   "the file");
	ok(decide("keep.log", 0, 1) == 1 && from == top,
	   "but only below its directory");
	ok(decide("sub/y", 0, 1) == 1 && from == sub &&
	   decide("sub/z/y", 0, 1) == 0 && decide("y", 0, 1) == 0,
	   "an anchored rule is relative to its file's directory");
	ok(decide("sub/z/a.c", 0, 1) == 1 && decide("a.c", 0, 1) == 0,
	   "a basename rule applies at any depth below its directory");
	ok(decide("sub", 1, 1) == 0 && !why && !from,
	   "a .gitignore does not judge its own directory");
	ok(decide("sub/sub", 1, 1) == 1 && decide("sub/sub/q", 0, 1) == 1,
	   "it does judge what is below");
	ok(decide("sub/x", 0, 1) == 1 && from == top,
	   "an outer list still speaks below a nested one");
	ok(decide("other", 0, 1) == 0 && !why && !from,
	   "no rule: not ignored");
	ok(ig_decide(&one, 1, "x.logXXX", 5, 0, 1, NULL, NULL) == 1,
	   "the path is LEN bytes; WHY and FROM may be NULL");
	ok(ig_decide(NULL, 0, "a", 1, 0, 1, &why, &from) == 0 && !why,
	   "no layers: not ignored");
	ig_free(global);
	ig_free(info);
	ig_free(top);
	ig_free(sub);
}

/* core.excludesFile out of a config text: WANT is the value, or NULL
 * for "not set". */
struct ccase {
	const char *text, *want;
};

static const struct ccase configs[] = {
	{ "[core]\n\texcludesFile = ~/.gitignore_global\n",
	  "~/.gitignore_global" },
	{ "[CoRe]\nEXCLUDESFILE=x", "x" },
	{ "[core] excludesfile = same-line", "same-line" },
	{ "[core]\r\n\texcludesfile = crlf\r\n", "crlf" },
	{ "\xef\xbb\xbf[core]\nexcludesfile = bom", "bom" },
	{ "[core]\nexcludesfile = a\nexcludesfile = b\n", "b" },
	{ "[core]\nexcludesfile = a\n[user]\nexcludesfile = b\n", "a" },
	{ "[core]\nexcludesfile = a\n[core \"s\"]\nexcludesfile = b\n", "a" },
	{ "[core]\nexcludesfile = a\n[core]\nexcludesfile = c\n", "c" },
	{ "[core \"x\"]\nexcludesfile = y\n", NULL },
	{ "[core \"\"]\nexcludesfile = y\n", NULL },
	{ "[core.x]\nexcludesfile = y\n", NULL },
	{ "[user]\nexcludesfile = y\n", NULL },
	{ "excludesfile = y\n", NULL },
	{ "[core]\nexcludes-file = y\nexcludesfile2 = z\n", NULL },
	{ "", NULL },
	{ "[core]\n# excludesfile = a\n; excludesfile = b\n", NULL },
	{ "[core]\nexcludesfile = \"a b\"  # comment\n", "a b" },
	{ "[core]\nexcludesfile = a ; comment\n", "a" },
	{ "[core]\nexcludesfile = \"a#b;c\"\n", "a#b;c" },
	{ "[core]\nexcludesfile = a\\\"b\\\\c\\td\\ne\n", "a\"b\\c\td\ne" },
	{ "[core]\nexcludesfile = one\\\ntwo\n", "onetwo" },
	{ "[core]\nexcludesfile = \"one \\\n two\"\n", "one  two" },
	{ "[core]\nexcludesfile =   a   b\t c  \n", "a   b  c" },
	{ "[core]\nexcludesfile = \"\" x\n", "x" },
	{ "[core]\nexcludesfile = \" a \"\n", " a " },
	{ "[core]\nexcludesfile =\n", "" },
	{ "[core]\n  [user]  \n[core]excludesfile=d", "d" },
	/* git refuses the rest: a bare key for a path, syntax errors */
	{ "[core]\nexcludesfile = a\nexcludesfile\n", NULL },
	{ "[core]\nexcludesfile\nexcludesfile = a\n", "a" },
	{ "[core]\nexcludesfile = a\nexcludesfile = \"b\n", "a" },
	{ "[core]\nexcludesfile = a\nexcludesfile = b\\q\n", "a" },
	{ "[core]\nexcludesfile = a\n[broken\nexcludesfile = b\n", "a" },
	{ "[core]\nexcludesfile = a\n[]\nexcludesfile = b\n", "a" },
	{ "[core]\nexcludesfile = a\n9key = b\n[core]\nexcludesfile = c\n",
	  "a" },
	{ "[core]\nexcludesfile = a\nbad key = b\n", "a" },
};

static void
test_config(void)
{
	char out[64], what[160];
	for (size_t i = 0; i < sizeof configs / sizeof *configs; i++) {
		const struct ccase *c = &configs[i];
		int r = ig_config_excludes(c->text, strlen(c->text), out,
					   sizeof out);
		snprintf(what, sizeof what, "config %zu: %s", i,
			 c->want ? c->want : "(not set)");
		for (char *w = what; *w; w++) /* one line of TAP */
			if ((unsigned char)*w < ' ')
				*w = '?';
		if (!ok(c->want ? r == 1 && !strcmp(out, c->want) : r == 0,
			what))
			printf("#   got %d '%s'\n", r, r == 1 ? out : "");
	}
	const char t[] = "[core]\nexcludesfile = abcd\n";
	ok(ig_config_excludes(t, sizeof t - 1, out, 4) == -1,
	   "a value that does not fit is -1");
	ok(ig_config_excludes(t, sizeof t - 1, out, 5) == 1 &&
	   !strcmp(out, "abcd"), "one that just fits is 1");
	ok(ig_config_excludes(NULL, 0, out, sizeof out) == 0,
	   "no config text: not set");
	const char z[] = "[core]\nexcludesfile = ab\0cd\n";
	ok(ig_config_excludes(z, sizeof z - 1, out, sizeof out) == 1 &&
	   !strcmp(out, "ab"), "a NUL byte ends the value, as git's string");
}

/* glob.c: the git dialect directly, and fwatch's where they differ. */
static void
test_glob(void)
{
	char err[200];
	ok(glob_match_git("a/**/b", "a/b/XX", 3) &&
	   !glob_match_git("a/**/b", "a/bX", 4),
	   "git dialect: the path is LEN bytes");
	ok(glob_match_git("**", "", 0) && !glob_match_git("a", "", 0) &&
	   glob_match_git("", "", 0), "git dialect: empty paths");
	ok(!glob_match_git("a*b", "a/b", 3) && glob_match_git("a**b", "axb", 3)
	   && !glob_match_git("a**b", "a/b", 3),
	   "git dialect: '*' and a \"**\" inside a component stop at '/'");
	ok(glob_match("/a**b", "a/x/b") && glob_match("src/**/x.c", "src/x.c")
	   && glob_match("**/x.c", "x.c") && !glob_match("a**/b", "ab") &&
	   glob_match("a**/b", "ax/y/b"), "fwatch dialect: \"**\" crosses "
	   "directories anywhere; \"**/\" is no directory only at a "
	   "component's start");
	ok(glob_match("[[:digit:]]x", "5x") && !glob_match("[[:digit:]]x", "ax")
	   && glob_check("[[:digit:]]", err, sizeof err) == 0,
	   "fwatch dialect: POSIX classes");
	ok(glob_check("[[:digits:]]", err, sizeof err) == -1 &&
	   strstr(err, "unknown class"), "an unknown class name is an error");
	ok(glob_check("[[:alpha:]", err, sizeof err) == -1 &&
	   strstr(err, "unmatched"), "a class closed only by its name's "
	   "']' is unmatched");
}

/* Hazard: a matcher that backtracks without bound stalls on these. */
static void
test_time(void)
{
	static char pat[8192], path[8192];
	size_t n = 0;
	clock_t t0 = clock();
	struct ig_list *l;

	for (int i = 0; i < 2000; i++)
		n += (size_t)snprintf(pat + n, sizeof pat - n, "*a");
	memset(path, 'a', 4000);
	path[4000] = 'b';
	ok(!glob_match_git(pat, path, 4001), "2000 \"*a\" against 4000 a's "
	   "and a b: no match");
	n = 0;
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(pat + n, sizeof pat - n, "**/a/");
	snprintf(pat + n, sizeof pat - n, "b");
	n = 0;
	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(path + n, sizeof path - n, "a/");
	path[n++] = 'c';
	ok(!glob_match_git(pat, path, n) && !glob_match(pat, path),
	   "40 \"**/a/\" then b against 1000 a/ and a c: no match");
	l = mk("**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/x/**/b\n"
	       "*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?z\n",
	       "t");
	ok(ig_match(l, path, n, 0, NULL) == IG_NONE,
	   "rules of many stars against a deep path");
	ig_free(l);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	printf("# (%.3f s)\n", secs);
	ok(secs < 10, "in well under ten seconds");
}

int
main(void)
{
	run_cases(syntax, sizeof syntax / sizeof *syntax, "syntax");
	run_cases(kinds, sizeof kinds / sizeof *kinds, "kinds");
	run_cases(classes, sizeof classes / sizeof *classes, "classes");
	run_cases(indexed, sizeof indexed / sizeof *indexed, "indexed");
	test_index_random();
	test_list();
	test_decide();
	test_config();
	test_glob();
	test_time();
	printf("1..%d\n", count);
	return failed ? 1 : 0;
}
