/*
 * test_listing.c - src/listing.c on hand-made listings: the per-name diff
 * of two listings of a directory, size and time changes, and the pairing
 * of vanished and appeared entries into moves, within one directory and
 * across several.  Portable: runs in `make unit` everywhere.  Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/listing.h"

enum { F = 1, D = 2, L = 3 }; /* types, as a caller numbers them */

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

static void
is(const char *got, const char *want, const char *what)
{
	if (!ok(!strcmp(got, want), what))
		printf("#   got:  '%s'\n#   want: '%s'\n", got, want);
}

/*
 * A listing from "name:ino:type[:size:mtime:ctime] ..." (type f, d or
 * l); a '!' after an entry marks its object unlinked (*dead gets the
 * names so marked, space-separated, if DEAD is given).
 */
static void
mk(struct listing *l, const char *spec, char *dead)
{
	char name[64];
	unsigned long ino;
	long long sz, mt, ct;
	char t;
	int used;
	memset(l, 0, sizeof *l);
	if (dead)
		dead[0] = '\0';
	while (sscanf(spec, " %63[^:]:%lu:%c%n", name, &ino, &t, &used) == 3) {
		struct lattr a = { ino, 0, 0, 0, F };
		a.type = t == 'd' ? D : t == 'l' ? L : F;
		spec += used;
		if (sscanf(spec, ":%lld:%lld:%lld%n", &sz, &mt, &ct, &used) ==
		    3) {
			a.size = sz;
			a.mtime = mt;
			a.ctime = ct;
			spec += used;
		}
		if (*spec == '!') {
			if (dead)
				strcat(strcat(dead, name), " ");
			spec++;
		}
		if (listing_add(l, name, strlen(name), &a) < 0)
			abort();
	}
	listing_done(l);
}

struct dir {
	const char *old, *now;
	unsigned long dev; /* 0: device 1 */
};

static struct moves M;

/* Is gone side S's name among DEAD's space-separated names? */
static int
marked(const char *dead, const struct lside *s)
{
	const char *p = dead;
	while ((p = strstr(p, s->name))) {
		if ((p == dead || p[-1] == ' ') && p[s->len] == ' ')
			return 1;
		p++;
	}
	return 0;
}

/* One round: the listings of up to four directories, compared. */
struct round {
	size_t n;
	struct listing old[4], now[4];
	size_t *o2n[4], *n2o[4];
};

static void
round_run(struct round *r, const struct dir *dirs, size_t n)
{
	char dead[256];
	r->n = n;
	moves_clear(&M);
	for (size_t d = 0; d < n; d++) {
		size_t g = M.ngone;
		mk(&r->old[d], dirs[d].old, dead);
		mk(&r->now[d], dirs[d].now, NULL);
		r->o2n[d] = malloc((r->old[d].n + 1) * sizeof *r->o2n[d]);
		r->n2o[d] = malloc((r->now[d].n + 1) * sizeof *r->n2o[d]);
		if (!r->o2n[d] || !r->n2o[d])
			abort();
		listing_diff(&r->old[d], &r->now[d], r->o2n[d], r->n2o[d]);
		if (moves_add(&M, d, dirs[d].dev ? dirs[d].dev : 1, &r->old[d],
			      r->o2n[d], &r->now[d], r->n2o[d]) < 0)
			abort();
		for (; g < M.ngone; g++)
			M.gone[g].dead =
				(unsigned char)marked(dead, &M.gone[g]);
	}
	if (moves_pair(&M) < 0)
		abort();
}

static void
round_free(struct round *r)
{
	for (size_t d = 0; d < r->n; d++) {
		free(r->o2n[d]);
		free(r->n2o[d]);
		listing_free(&r->old[d]);
		listing_free(&r->now[d]);
	}
	r->n = 0;
}

/* Side S's name, "D/name" when the round has several directories. */
static const char *
nm(const struct round *r, const struct lside *s)
{
	static char buf[4][80];
	static int k;
	k = (k + 1) % 4;
	if (r->n > 1)
		snprintf(buf[k], sizeof buf[k], "%zu/%s", s->dir, s->name);
	else
		snprintf(buf[k], sizeof buf[k], "%s", s->name);
	return buf[k];
}

/* Append to OUT: SEP first unless OUT is empty. */
static void
put(char *out, size_t size, const char *fmt, const char *a, const char *b)
{
	size_t len = strlen(out);
	if (len)
		len += (size_t)snprintf(out + len, size - len, " ");
	snprintf(out + len, size - len, fmt, a, b);
}

/*
 * The round's outcome: "-x" gone, "+x" born, "x>y" moved, "~x" changed
 * content, "^x" changed only metadata.
 */
static const char *
round_show(const struct round *r)
{
	static char out[4096];
	out[0] = '\0';
	for (size_t g = 0; g < M.ngone; g++)
		if (M.gone[g].mate == LISTING_NONE)
			put(out, sizeof out, "-%s%s", nm(r, &M.gone[g]), "");
	for (size_t g = 0; g < M.ngone; g++) {
		const struct lside *t;
		if (M.gone[g].mate == LISTING_NONE)
			continue;
		t = &M.born[M.gone[g].mate];
		put(out, sizeof out, "%s>%s", nm(r, &M.gone[g]),
		    t->mate == g ? nm(r, t) : "BAD");
	}
	for (size_t k = 0; k < M.nborn; k++)
		if (M.born[k].mate == LISTING_NONE)
			put(out, sizeof out, "+%s%s", nm(r, &M.born[k]), "");
	for (size_t d = 0; d < r->n; d++)
		for (size_t i = 0; i < r->old[d].n; i++) {
			size_t k = r->o2n[d][i];
			unsigned c;
			if (k == LISTING_NONE)
				continue;
			c = listing_changed(&r->old[d].e[i].at,
					    &r->now[d].e[k].at);
			if (c)
				put(out, sizeof out, "%s%s",
				    c == LISTING_CONTENT ? "~" : "^",
				    r->old[d].e[i].name);
		}
	return out;
}

static const char *
show(const struct dir *dirs, size_t n)
{
	struct round r;
	const char *s;
	round_run(&r, dirs, n);
	s = round_show(&r);
	round_free(&r);
	return s;
}

static const char *
show1(const char *old, const char *now)
{
	struct dir d = { old, now, 0 };
	return show(&d, 1);
}

static void
test_one_dir(void)
{
	is(show1("", ""), "", "two empty listings: nothing");
	is(show1("", "a:1:f b:2:f c:3:d"), "+a +b +c",
	   "empty, then some: each born");
	is(show1("a:1:f b:2:f c:3:d", ""), "-a -b -c",
	   "some, then empty: each gone");
	is(show1("b:2:f a:1:f c:3:d", "c:3:d a:1:f b:2:f"), "",
	   "the same entries listed in another order: nothing");
	is(show1("a:1:f b:2:f", "a:1:f c:2:f"), "b>c",
	   "a rename in one directory: one move");
	is(show1("a:1:f b:2:f", "a:2:f b:1:f"), "a>b b>a",
	   "two names swapped: two moves, each with its own object");
	is(show1("a:1:f b:2:f c:3:f", "a:3:f b:1:f c:2:f"), "a>b b>c c>a",
	   "three names rotated: three moves");
	is(show1("a:1:f", "a:9:f"), "-a +a",
	   "a name that holds another inode: gone and born, no move");
	is(show1("d:4:d", "d:4:f"), "-d +d",
	   "a directory replaced by a file, even with its inode number: "
	   "gone and born");
	is(show1("f:4:f", "f:4:d"), "-f +f", "and a file by a directory");
	is(show1("d:4:d", "e:4:f"), "-d +e",
	   "a directory and a file are not one object, whatever their "
	   "names");
	is(show1("s:4:l", "t:4:l"), "s>t", "a symlink renamed: a move");
	is(show1("a:5:f!", "b:5:f"), "-a +b",
	   "an unlinked object is never moved, though a new file got its "
	   "inode number");
	is(show1("a:5:f!", "a:5:f"), "",
	   "(whether a name that still holds its inode number is the same "
	   "object is the caller's to say)");
	is(show1("my file:1:f caf\xc3\xa9:2:f", "my file:1:f cafe:2:f"),
	   "caf\xc3\xa9>cafe", "names with spaces and UTF-8, byte for byte");
}

static void
test_links(void)
{
	is(show1("a:5:f", "a:5:f b:5:f"), "+b",
	   "a hard link made: born, the first name unchanged");
	is(show1("a:5:f b:5:f", "a:5:f"), "-b", "a hard link removed: gone");
	is(show1("a:5:f b:5:f", "a:5:f c:5:f"), "b>c",
	   "one of two links renamed: a move");
	is(show1("a:5:f b:5:f", "c:5:f"), "-b a>c",
	   "two links gone, one name born: first come, first paired");
	is(show1("a:5:f", "b:5:f c:5:f"), "a>b +c",
	   "one link gone, two names born: one move, one link made");
	is(show1("a:5:f b:5:f", "c:5:f d:5:f"), "a>c b>d",
	   "two links both renamed: two moves, in order");
}

static void
test_dirs(void)
{
	struct dir across[] = { { "x:5:f keep:1:f", "keep:1:f", 0 },
				{ "", "y:5:f", 0 } };
	struct dir devs[] = { { "x:5:f", "", 1 }, { "", "y:5:f", 2 } };
	struct dir cycle[] = { { "a:1:f", "a:3:f", 0 },
			       { "b:2:f", "b:1:f", 0 },
			       { "c:3:f", "c:2:f", 0 } };
	struct dir both[] = { { "t:7:d", "", 0 }, { "", "t:7:d", 0 },
			      { "t:8:f", "t:9:f", 0 } };
	is(show(across, 2), "0/x>1/y",
	   "a rename across two directories of one round: one move");
	is(show(devs, 2), "-0/x +1/y",
	   "the same inode number on another device: another object");
	is(show(cycle, 3), "0/a>1/b 1/b>2/c 2/c>0/a",
	   "a cycle through three directories: three moves");
	is(show(both, 3), "-2/t 0/t>1/t +2/t",
	   "one name in three directories: only the object decides");
}

static void
test_changed(void)
{
	is(show1("a:1:f:10:100:100", "a:1:f:20:100:100"), "~a",
	   "a size changed: content");
	is(show1("a:1:f:10:100:100", "a:1:f:10:200:200"), "~a",
	   "an mtime changed: content");
	is(show1("a:1:f:10:100:100", "a:1:f:10:100:300"), "^a",
	   "only the ctime changed (chmod, chown, a link): metadata");
	is(show1("a:1:f:10:100:100", "a:1:f:10:100:100"), "",
	   "nothing changed: nothing");
	is(show1("a:1:f:10:100:100", "b:1:f:20:300:300"), "a>b",
	   "a move that also changed the file is a move (the caller looks "
	   "at its new name)");
	is(show1("a:1:f:10:100:100", "a:2:f:10:100:100"), "-a +a",
	   "an entry replaced is not a change");
}

/* The paired gone side DIR/NAME frees, as its old name, or "-". */
static const char *
freeing(const struct round *r, size_t dir, const char *name)
{
	size_t g = moves_freeing(&M, dir, name);
	return g == LISTING_NONE ? "-" : nm(r, &M.gone[g]);
}

static void
test_freeing(void)
{
	struct dir rot[] = { { "l:1:f l.1:2:f", "l.1:1:f l.2:2:f", 0 } };
	struct dir two[] = { { "a:1:f x:9:f", "b:1:f", 0 },
			     { "b:2:f", "a:2:f", 0 } };
	struct round r;

	round_run(&r, rot, 1);
	is(round_show(&r), "l>l.1 l.1>l.2",
	   "log rotation (l.1 -> l.2, l -> l.1): two moves");
	is(freeing(&r, 0, "l.1"), "l.1",
	   "the move into l.1 waits for the one that frees l.1");
	ok(!strcmp(freeing(&r, 0, "l.2"), "-") &&
	   !strcmp(freeing(&r, 0, "l"), "l"),
	   "no move frees l.2; the move out of l frees l (whether anything "
	   "moves in or not)");
	round_free(&r);

	round_run(&r, two, 2);
	is(round_show(&r), "-0/x 0/a>0/b 1/b>1/a",
	   "two directories, each with a swap of its own");
	ok(!strcmp(freeing(&r, 0, "b"), "-") &&
	   !strcmp(freeing(&r, 1, "b"), "1/b") &&
	   !strcmp(freeing(&r, 0, "a"), "0/a") &&
	   !strcmp(freeing(&r, 0, "x"), "-"),
	   "a name is freed in its own directory only, and only by a move "
	   "(x is a delete)");
	round_free(&r);

	moves_clear(&M);
	ok(moves_pair(&M) == 0 && !strcmp(freeing(&r, 0, "a"), "-"),
	   "an empty round: nothing to pair, nothing frees a name");
}

/* One name listed twice, as a lister that raced a rename might: every
 * entry still ends up gone, born or matched exactly once. */
static void
test_twice(void)
{
	struct listing a, b;
	size_t o2n[3], n2o[3], seen[3] = { 0, 0, 0 }, good = 1;
	mk(&a, "x:1:f x:2:f y:3:f", NULL);
	mk(&b, "x:2:f x:1:f y:3:f", NULL);
	listing_diff(&a, &b, o2n, n2o);
	for (size_t i = 0; i < 3; i++) {
		good &= o2n[i] == LISTING_NONE ||
			(o2n[i] < 3 && n2o[o2n[i]] == i);
		if (o2n[i] != LISTING_NONE)
			seen[o2n[i]]++;
	}
	for (size_t k = 0; k < 3; k++)
		good &= seen[k] <= 1;
	ok(good && a.e[0].at.ino == 1 && b.e[0].at.ino == 1 && o2n[0] == 0 &&
	   o2n[1] == 1, "a name listed twice: sorted by inode too, so the "
	   "two listings line up");
	listing_free(&a);
	listing_free(&b);
}

enum { N = 100000, K = 1000 };

/* A large directory: N entries, then listed again in another order with
 * K each renamed (f -> g), deleted, created and replaced. */
static void
large(struct listing *a, struct listing *b)
{
	char name[32];
	memset(a, 0, sizeof *a);
	memset(b, 0, sizeof *b);
	for (size_t i = 0; i < N; i++) {
		struct lattr at = { i + 1, 0, 0, 0, F };
		snprintf(name, sizeof name, "f%zu", i);
		if (listing_add(a, name, strlen(name), &at) < 0)
			abort();
	}
	for (size_t j = 0; j < N; j++) {
		size_t i = (j * 7919) % N; /* another order */
		struct lattr at = { i + 1, 0, 0, 0, F };
		const char *pre = i < K ? "g" : i < 2 * K ? "new" : "f";
		if (i >= K && i < 2 * K)
			at.ino += N;     /* deleted, and others created */
		else if (i >= 2 * K && i < 3 * K)
			at.ino += 2 * N; /* replaced */
		snprintf(name, sizeof name, "%s%zu", pre, i);
		if (listing_add(b, name, strlen(name), &at) < 0)
			abort();
	}
	listing_done(a);
	listing_done(b);
}

static void
test_large(void)
{
	struct listing a, b;
	size_t *o2n = malloc(N * sizeof *o2n), *n2o = malloc(N * sizeof *n2o);
	size_t moved = 0, right = 0;
	clock_t t0 = clock();
	double secs;

	if (!o2n || !n2o)
		abort();
	large(&a, &b);
	listing_diff(&a, &b, o2n, n2o);
	moves_clear(&M);
	if (moves_add(&M, 0, 1, &a, o2n, &b, n2o) < 0 || moves_pair(&M) < 0)
		abort();
	for (size_t g = 0; g < M.ngone; g++)
		if (M.gone[g].mate != LISTING_NONE) {
			moved++;
			right += M.gone[g].name[0] == 'f' &&
				 !strcmp(M.gone[g].name + 1,
					 M.born[M.gone[g].mate].name + 1);
		}
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	ok(M.ngone == 3 * K && M.nborn == 3 * K && moved == K && right == K,
	   "100000 entries in another order, 1000 each renamed, deleted, "
	   "created and replaced: 1000 moves, each to its own new name");
	printf("# (%.2f s)\n", secs);
	ok(secs < 10, "in well under ten seconds");
	free(o2n);
	free(n2o);
	listing_free(&a);
	listing_free(&b);
}

int
main(void)
{
	test_one_dir();
	test_links();
	test_dirs();
	test_changed();
	test_freeing();
	test_twice();
	test_large();
	moves_free(&M);
	printf("1..%d\n", count);
	return failed ? 1 : 0;
}
