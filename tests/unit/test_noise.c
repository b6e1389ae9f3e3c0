/*
 * test_noise.c - src/noise.c: which names --exec leaves out by default
 * (and which it does not), and that the man page lists every pattern of
 * the set.  Portable.  Prints TAP.
 *
 *   test_noise [MANPAGE]   also check MANPAGE (man/fwatch.1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/noise.h"

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

/* The pattern as roff shows it: '-' written "\-". */
static void
roff(const char *s, char *out, size_t n)
{
	size_t k = 0;
	for (; *s && k + 3 < n; s++) {
		if (*s == '-')
			out[k++] = '\\';
		out[k++] = *s;
	}
	out[k] = '\0';
}

int
main(int argc, char **argv)
{
	static const char *const noise[] = {
		".git", ".hg", ".svn", ".bzr", "_darcs", ".jj", ".pijul",
		".fslckout", ".fslckout-journal", "_FOSSIL_",
		".util.c.swp", ".util.c.swo", ".util.c.swa", ".util.c.swx",
		".vimrc.swp", "4913", "util.c~", ".util.c.un~", ".#util.c",
		"#util.c#", "util.c___jb_tmp___", "util.c___jb_old___",
		".util.c.kate-swp", ".goutputstream-A1B2C3", ".subl3a4.tmp",
		".DS_Store", "src/.util.c.swp", "a/b/.git",
	};
	static const char *const kept[] = {
		"util.c", "Makefile", "git", ".gitignore", ".github",
		".gitattributes", "swp", "util.swp", ".util.c.swq", "4914",
		"49130", "~util", "#util.c", "util#", "a.tmp", ".hgignore",
		"build", ".svnignore", "x.fossil", "src/.git/config",
	};
	char what[128];
	for (size_t i = 0; i < sizeof noise / sizeof *noise; i++) {
		snprintf(what, sizeof what, "'%s' is noise", noise[i]);
		ok(noise_match(noise[i]) != NULL, what);
	}
	for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
		snprintf(what, sizeof what, "'%s' is not", kept[i]);
		ok(noise_match(kept[i]) == NULL, what);
	}
	const char *g, *who;
	size_t n = 0;
	while ((g = noise_at(n, &who)))
		n++;
	ok(n > 15 && !noise_at(n, NULL), "the set holds its patterns");
	/* noise.c turns names away by one byte: each glob starts with a
	 * plain character, or starts with '*' and ends with one */
	int plain = 1;
	for (size_t i = 0; (g = noise_at(i, NULL)); i++) {
		size_t gl = strlen(g);
		char c = g[0] == '*' ? g[gl - 1] : g[0];
		if (strchr("*?[]\\", c))
			plain = 0;
	}
	ok(plain, "each pattern starts, or ends after a leading '*', with a "
	   "plain character");
	ok(!strcmp(noise_match(".x.swp"), ".*.sw[a-p]"),
	   "noise_match says which pattern");
	if (argc > 1) {
		FILE *f = fopen(argv[1], "r");
		static char man[1 << 20];
		size_t len = f ? fread(man, 1, sizeof man - 1, f) : 0;
		man[len] = '\0';
		if (f)
			fclose(f);
		ok(len > 0, "the man page is read");
		for (size_t i = 0; (g = noise_at(i, &who)); i++) {
			char r[64];
			roff(g, r, sizeof r);
			snprintf(what, sizeof what, "the man page lists %s", g);
			ok(strstr(man, r) != NULL, what);
		}
	}
	printf("1..%d\n", count);
	return failed ? 1 : 0;
}
