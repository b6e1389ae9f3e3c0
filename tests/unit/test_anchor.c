/*
 * test_anchor.c - src/anchor.c on a real tree: patterns written as
 * absolute paths tied to the PATH they lie in (given relative, through a
 * symlink, several PATHs), the ones that cannot match told, fwatch's own
 * output found by what stdout is open on, and the look by device and
 * inode where a system cannot name a descriptor.  POSIX.  Prints TAP.
 *
 *   test_anchor [BASE]   work in a new directory under BASE (default:
 *                        $TMPDIR or /tmp)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/anchor.h"
#include "../../src/sys.h"

static int failed, count;
static char said[4096]; /* what anchor_filter() said, lines */

static int
ok(int cond, const char *what)
{
	count++;
	if (!cond)
		failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", count, what);
	return cond;
}

static void
is(const char *got, const char *want, const char *what)
{
	if (!ok(got && !strcmp(got, want), what))
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
		       want);
}

static void
on_say(void *ctx, int warning, const char *msg)
{
	size_t n = strlen(said);
	(void)ctx;
	snprintf(said + n, sizeof said - n, "%s%s\n", warning ? "W " : "N ",
		 msg);
}

static char *
join(const char *a, const char *b)
{
	static char buf[8][1024];
	static int k;
	char *s = buf[k++ % 8];
	snprintf(s, sizeof buf[0], "%s%s", a, b);
	return s;
}

/* The copy of pattern I bound to KEY: its glob, or NULL. */
static const char *
bound(const struct filter *f, size_t i, int key)
{
	for (size_t j = 0; j < f->n; j++)
		if (j != i && f->p[j].from == i && f->p[j].key == key)
			return f->p[j].glob;
	return NULL;
}

/* Run anchor_filter() on PATHS with the patterns GLOBS (excludes). */
static void
place(struct filter *f, char **paths, size_t n, const char **globs,
      size_t ng)
{
	memset(f, 0, sizeof *f);
	said[0] = '\0';
	for (size_t i = 0; i < ng; i++)
		if (filter_add(f, 1, globs[i]) < 0)
			abort();
	if (anchor_filter(f, paths, n, 1, on_say, NULL) < 0)
		abort();
}

static void
touch(const char *p)
{
	int fd = open(p, O_WRONLY | O_CREAT, 0644);
	if (fd >= 0)
		close(fd);
}

static void
patterns(const char *top)
{
	struct filter f;
	char *paths[2];
	char *w = join(top, "/w");
	const char *g[6];

	/* a relative PATH, a pattern written from the top */
	if (chdir(top) < 0)
		abort();
	paths[0] = "w";
	g[0] = join(top, "/w/build");
	g[1] = join(top, "/link/build/");  /* through a symlink to w */
	g[2] = join(top, "/elsewhere/x");  /* not below the PATH */
	g[3] = "/no-such-fwatch-top/x";    /* nothing at /: anchored */
	g[4] = join(top, "/w/src/*.o");    /* glob characters below */
	g[5] = join(top, "/[w]/x");        /* above it: not looked up */
	place(&f, paths, 1, g, 6);
	is(bound(&f, 0, 0), "/build", "an absolute path in a relative PATH");
	ok(f.p[0].key == FILTER_NOWHERE && !f.p[0].never,
	   "its written form matches nowhere itself, silently");
	is(bound(&f, 1, 0), "/build", "a path through a symlink to the PATH");
	ok(f.p[1].dir, "its trailing '/' is kept: directories only");
	ok(filter_excluded(&f, 0, "build", 1) && !filter_excluded(&f, 0, "src/build", 1),
	   "it leaves out build right below the PATH, not src/build");
	ok(!filter_excluded(&f, 1, "build", 1),
	   "and nothing under another PATH's key");
	ok(f.p[2].never && f.p[2].key == FILTER_NOWHERE,
	   "a path outside every PATH matches nothing");
	ok(strstr(said, "W --exclude '") && strstr(said, "/elsewhere/x' matches "
	   "nothing: as an absolute path it is not below any watched PATH"),
	   "and is told, as a warning naming it");
	ok(f.p[3].key == FILTER_EVERY && !f.p[3].never,
	   "/name with nothing at / of that name is anchored to every PATH");
	ok(filter_excluded(&f, 7, "no-such-fwatch-top/x", 0),
	   "and matches below any PATH");
	is(bound(&f, 4, 0), "/src/*.o", "glob characters below the PATH stay");
	ok(f.p[5].never != NULL, "glob characters above the PATH: not bound");
	filter_free(&f);

	/* two PATHs, one inside the other's tree; the pattern in both */
	paths[0] = w;
	paths[1] = "w/src";
	g[0] = join(top, "/w/src/gen");
	place(&f, paths, 2, g, 1);
	is(bound(&f, 0, 0), "/src/gen", "bound to the outer PATH");
	is(bound(&f, 0, 1), "/gen", "and to the inner one, as below each");
	ok(said[0] == '\0', "nothing said");
	filter_free(&f);

	/* fwatch's own output: stdout into a file in the tree */
	fflush(stdout);
	int saved = dup(1), fd = open(join(top, "/w/src/out.txt"),
				      O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (saved < 0 || fd < 0 || dup2(fd, 1) < 0)
		abort();
	close(fd);
	paths[0] = "w";
	place(&f, paths, 1, NULL, 0);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	ok(f.n == 1 && f.p[0].kind == FILTER_OWN && f.p[0].key == 0,
	   "stdout in the tree: one entry for fwatch's own output");
	is(f.n ? f.p[0].glob : NULL, "src/out.txt", "its path below the PATH");
	ok(filter_excluded(&f, 0, "src/out.txt", 0) &&
	   !filter_excluded(&f, 0, "src/out.txt.1", 0),
	   "it and nothing else is left out");
	is(said, "N not reporting changes to 'w/src/out.txt': fwatch's output "
	   "goes there\n", "a note names it as the PATH shows it");
	filter_free(&f);
	/* not recursive: a file below the PATH's own directory is unseen */
	memset(&f, 0, sizeof f);
	fflush(stdout);
	saved = dup(1);
	fd = open(join(top, "/w/src/out.txt"), O_WRONLY);
	dup2(fd, 1);
	close(fd);
	said[0] = '\0';
	anchor_filter(&f, paths, 1, 0, on_say, NULL);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	ok(f.n == 0 && said[0] == '\0',
	   "without -r, a file in a subdirectory is left alone");
	filter_free(&f);
}

static void
find(const char *top)
{
	struct sys_info i;
	char *p = join(top, "/w/src/deep/f"), *got, *want;
	if (mkdir(join(top, "/w/src/deep"), 0755) < 0 && errno != EEXIST)
		abort();
	touch(p);
	touch(join(top, "/w/src/other"));
	if (sys_stat(p, &i) < 0)
		abort();
	want = sys_realpath(p);
	got = anchor_find(join(top, "/w"), i.dev, i.ino, 1);
	is(got, want, "anchor_find: the file by device and inode, below");
	free(got);
	got = anchor_find(join(top, "/w"), i.dev, i.ino, 0);
	ok(!got && errno == ENOENT, "not when only the top directory is looked at");
	free(got);
	got = anchor_find(join(top, "/w"), i.dev + 1, i.ino, 1);
	ok(!got, "not on another device");
	free(got);
	free(want);
}

int
main(int argc, char **argv)
{
	const char *base = argc > 1 ? argv[1] : getenv("TMPDIR");
	char tmpl[1024], *top;
	snprintf(tmpl, sizeof tmpl, "%s/anchor.XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(tmpl) || !(top = sys_realpath(tmpl))) {
		perror("test_anchor: mkdtemp");
		return 2;
	}
	if (mkdir(join(top, "/w"), 0755) < 0 ||
	    mkdir(join(top, "/w/build"), 0755) < 0 ||
	    mkdir(join(top, "/w/src"), 0755) < 0 ||
	    symlink(join(top, "/w"), join(top, "/link")) < 0) {
		perror("test_anchor: the tree");
		return 2;
	}
	patterns(top);
	find(top);
	printf("1..%d\n", count);
	/* what was made, gone again */
	static const char *const made[] = {
		"/w/src/deep/f", "/w/src/deep", "/w/src/other",
		"/w/src/out.txt", "/w/src", "/w/build", "/link", "/w", "",
	};
	for (size_t k = 0; k < sizeof made / sizeof *made; k++)
		if (remove(join(top, made[k])) < 0)
			printf("# cannot remove %s%s\n", top, made[k]);
	free(top);
	return failed ? 1 : 0;
}
