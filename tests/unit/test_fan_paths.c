/*
 * test_fan_paths.c - src/fan_paths.c against a simulated filesystem
 * (fan_sim.h): where each event's directories were when it happened,
 * with renames, deletes and creates in the same read, reads cut
 * anywhere, paths kept between reads, overflows, and what cannot be
 * known; then the same property on 10,000 seeded random sequences, and
 * the cost of a burst of writes.  Portable: runs in `make unit`.
 * Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fan_sim.h"

#ifndef RUNS
#define RUNS 10000 /* random sequences: -DRUNS=N for more */
#endif

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

static struct sim S;
static struct fpaths P;
static struct fpaths_at at[SIM_MAXEV];
static struct buf out;

static void
fresh(size_t max)
{
	fpaths_free(&P);
	fpaths_init(&P, max);
	sim_init(&S);
}

/* Read what is queued, every answer held to the truth. */
static int
read_all(void)
{
	if (sim_read(&S, &P, at, &out) < 0) {
		printf("# %s\n", S.err);
		return 0;
	}
	return 1;
}

/* Event I's directory (side 0), old (1) or new (2) as answered by the
 * last read, "?" if unknown. */
static const char *
got(size_t i, int side)
{
	static char s[SIM_PATH + 8];
	const struct fpath *f = side == 0 ? &at[i].dir
			      : side == 1 ? &at[i].old : &at[i].new;
	if (f->len == FPATH_UNKNOWN)
		return "?";
	snprintf(s, sizeof s, "%.*s", (int)f->len, out.p + f->off);
	return s;
}

static void
mkdir_p(int *id, int parent, const char *nm)
{
	*id = sim_mkdir(&S, parent, nm, 0);
}

/* ---- scenarios --------------------------------------------------------- */

static void
moved_after_written(void)
{
	int a;
	fresh(1000);
	mkdir_p(&a, 0, "a");
	sim_file(&S, a, FP_CREATE, "f", -1, 0);
	sim_mv(&S, a, 0, "b", 0, 0);
	ok(read_all() && !strcmp(got(1, 0), "/a") && !strcmp(got(2, 1), "/"),
	   "mkdir a; touch a/f; mv a b, read at once: a/f, not b/f");
	ok(P.looks == 1, "... asking the kernel only where / is");
}

static void
removed_before_read(void)
{
	int d, e, f;
	fresh(1000);
	mkdir_p(&d, 0, "d");
	mkdir_p(&e, d, "a");
	mkdir_p(&f, e, "b");
	ok(read_all(), "mkdir -p d/a/b");
	sim_file(&S, d, FP_CREATE, "f", -1, 0);
	sim_file(&S, f, FP_MODIFY, "g", -1, 0);
	sim_file(&S, f, FP_DELETE, "g", -1, 0);
	sim_rmdir(&S, f, 0, 0);
	sim_rmdir(&S, e, 0, 0);
	sim_file(&S, d, FP_DELETE, "f", -1, 0);
	sim_rmdir(&S, d, 0, 0);
	ok(read_all() && !strcmp(got(0, 0), "/d") &&
	   !strcmp(got(1, 0), "/d/a/b") && !strcmp(got(3, 0), "/d/a"),
	   "touch d/f; rm -r d, read after d is gone: d/f, d/a/b/g placed");
	ok(P.used == 1, "... and only / is kept: the dead are not");
}

static void
deep_rename(void)
{
	int a, b, c, d;
	fresh(1000);
	mkdir_p(&a, 0, "a");
	mkdir_p(&b, a, "b");
	mkdir_p(&c, b, "c");
	mkdir_p(&d, c, "d");
	ok(read_all(), "mkdir -p a/b/c/d");
	sim_file(&S, d, FP_MODIFY, "f", -1, 0);
	sim_mv(&S, a, 0, "z", 0, 0);
	sim_file(&S, d, FP_MODIFY, "f", -1, 0);
	sim_file(&S, b, FP_ATTRIB | FP_ONDIR, ".", -1, 0);
	ok(read_all() && !strcmp(got(0, 0), "/a/b/c/d") &&
	   !strcmp(got(2, 0), "/z/b/c/d") && !strcmp(got(3, 0), "/z/b"),
	   "a deep tree renamed, written inside before and after");
	sim_file(&S, d, FP_MODIFY, "f", -1, 0);
	ok(read_all() && !strcmp(got(0, 0), "/z/b/c/d"),
	   "... and in the next read, where it is now");
}

static void
rename_chain(void)
{
	int a;
	fresh(1000);
	mkdir_p(&a, 0, "a");
	ok(read_all(), "mkdir a");
	sim_file(&S, a, FP_MODIFY, "f", -1, 0);
	sim_mv(&S, a, 0, "b", 0, 0);
	sim_file(&S, a, FP_MODIFY, "f", -1, 0);
	sim_mv(&S, a, 0, "c", 0, 0);
	sim_file(&S, a, FP_MODIFY, "f", -1, 0);
	sim_mv(&S, a, 0, "a", 0, 0);
	ok(read_all() && !strcmp(got(0, 0), "/a") && !strcmp(got(2, 0), "/b") &&
	   !strcmp(got(4, 0), "/c"),
	   "mv a b; mv b c; mv c a in one read: each write where it was");
}

static void
across(void)
{
	int x, y, s;
	fresh(1000);
	mkdir_p(&x, 0, "a");
	mkdir_p(&y, 0, "b");
	mkdir_p(&s, x, "c");
	sim_file(&S, s, FP_CREATE, "f", -1, 0);
	sim_mv(&S, s, y, "d", 0, 0);
	sim_file(&S, s, FP_MODIFY, "f", -1, 0);
	sim_file(&S, s, FP_RENAME, "f", x, 0);
	ok(read_all() && !strcmp(got(3, 0), "/a/c") &&
	   !strcmp(got(4, 1), "/a") && !strcmp(got(4, 2), "/b") &&
	   !strcmp(got(5, 0), "/b/d") && !strcmp(got(6, 1), "/b/d") &&
	   !strcmp(got(6, 2), "/a"),
	   "a/c moved to b/d, made in the same read: both sides placed");
}

static void
replaced(void)
{
	int a1, a2;
	fresh(1000);
	mkdir_p(&a1, 0, "a");
	ok(read_all(), "mkdir a");
	sim_file(&S, a1, FP_MODIFY, "f", -1, 0);
	sim_rmdir(&S, a1, 0, 0);
	mkdir_p(&a2, 0, "a");
	sim_file(&S, a2, FP_MODIFY, "g", -1, 0);
	sim_mv(&S, a2, 0, "b", 0, 0);
	ok(read_all() && !strcmp(got(0, 0), "/a") && !strcmp(got(3, 0), "/a"),
	   "a directory replaced by another named a, then moved: both a");
	sim_file(&S, a2, FP_MODIFY, "g", -1, 0);
	ok(read_all() && !strcmp(got(0, 0), "/b"), "... the second now b");
}

static void
replaced_by_rename(void)
{
	for (int max = 0; max <= 1000; max += 1000) {
		int a, b;
		fresh((size_t)max);
		mkdir_p(&a, 0, "a");
		mkdir_p(&b, 0, "b");
		ok(read_all(), "mkdir a b");
		sim_file(&S, a, FP_MODIFY, "f", -1, 0);
		sim_mv(&S, b, 0, "a", 1, 0);
		sim_file(&S, b, FP_MODIFY, "f", -1, 0);
		ok(read_all() && S.replaced == 1 &&
		   !strcmp(got(0, 0), max ? "/a" : "?") &&
		   !strcmp(got(2, 0), "/a"),
		   max ? "mv b a onto an empty a: a's write placed (kept)"
		       : "... nothing kept: unknown, and b's write in a");
	}
}

static void
moved_out_of_replaced(void)
{
	for (int max = 0; max <= 1000; max += 1000) {
		int r, x, t;
		fresh((size_t)max);
		mkdir_p(&r, 0, "a");
		mkdir_p(&x, r, "b");
		mkdir_p(&t, 0, "c");
		ok(read_all(), "mkdir -p a/b c");
		sim_file(&S, x, FP_MODIFY, "f", -1, 0);
		sim_mv(&S, x, 0, "b", 0, 0);
		sim_mv(&S, t, 0, "a", 1, 0);
		ok(read_all() && !strcmp(got(0, 0), max ? "/a/b" : "?") &&
		   !strcmp(got(1, 2), "/"),
		   max ? "a/b written, moved out, a replaced: placed (kept)"
		       : "... nothing kept: unknown, not wrong");
	}
}

static void
exchanged(void)
{
	int a, b, c, d;
	fresh(1000);
	mkdir_p(&a, 0, "a");
	mkdir_p(&b, 0, "b");
	mkdir_p(&c, a, "c");
	mkdir_p(&d, b, "d");
	ok(read_all(), "mkdir -p a/c b/d");
	sim_file(&S, c, FP_MODIFY, "f", -1, 0);
	sim_exchange(&S, a, b, 0);
	sim_file(&S, c, FP_MODIFY, "f", -1, 0);
	sim_file(&S, d, FP_MODIFY, "f", -1, 0);
	ok(read_all() && !strcmp(got(0, 0), "/a/c") &&
	   !strcmp(got(3, 0), "/b/c") && !strcmp(got(4, 0), "/a/d"),
	   "a and b exchanged (RENAME_EXCHANGE): a/c is b/c, b/d a/d");
	fresh(0);
	mkdir_p(&a, 0, "a");
	mkdir_p(&b, 0, "b");
	mkdir_p(&c, a, "c");
	mkdir_p(&d, b, "d");
	ok(read_all(), "the same, nothing kept");
	sim_file(&S, c, FP_MODIFY, "f", -1, 0);
	sim_file(&S, d, FP_MODIFY, "f", -1, 0);
	sim_exchange(&S, a, b, 0);
	sim_file(&S, c, FP_MODIFY, "f", -1, 0);
	ok(read_all() && !strcmp(got(0, 0), "/a/c") &&
	   !strcmp(got(1, 0), "/b/d") && !strcmp(got(4, 0), "/b/c"),
	   "... the kernel's answers taken back through the exchange");
}

static void
merged(void)
{
	int a, b;
	fresh(1000);
	mkdir_p(&a, 0, "a");
	mkdir_p(&b, a, "b");
	sim_file(&S, b, FP_CREATE, "f", -1, 0);
	sim_file(&S, b, FP_DELETE, "f", -1, 0);
	sim_rmdir(&S, b, 1, 0);
	sim_mv(&S, a, 0, "z", 0, 0);
	ok(S.ev[1].mask == (FP_CREATE | FP_DELETE | FP_ONDIR) &&
	   read_all() && !strcmp(got(2, 0), "/a/b") &&
	   !strcmp(got(3, 0), "/a/b"),
	   "mkdir a/b; touch a/b/f; rm -r a/b merged into one event: a/b/f");
}

static void
merged_new_parent(void)
{
	int a, b, c;
	fresh(0);
	mkdir_p(&a, 0, "a");
	ok(read_all(), "mkdir a (nothing kept)");
	mkdir_p(&b, 0, "b");
	sim_mv(&S, a, b, "c", 0, 0);
	mkdir_p(&c, a, "d");
	sim_file(&S, c, FP_MODIFY, "f", -1, 0);
	sim_rmdir(&S, c, 1, 0);
	sim_rmdir(&S, a, 0, 0);
	sim_rmdir(&S, b, 1, 0);
	ok(S.ev[0].mask == (FP_CREATE | FP_DELETE | FP_ONDIR) &&
	   S.ev[2].mask == (FP_CREATE | FP_DELETE | FP_ONDIR) &&
	   read_all() && !strcmp(got(1, 2), "/b") &&
	   !strcmp(got(3, 0), "/b/c/d"),
	   "mkdir b; mv a b/c; write b/c/d/f; rm -r b, b's end merged: placed");
}

/* One sequence with the read cut after op CUT (and at its end). */
static int
cut_at(int cut, int *ops)
{
	int a, b, c, i = 0, good = 1;
	fresh(1000);
#define STEP(x)                                          \
	do {                                             \
		x;                                       \
		if (++i == cut)                          \
			good &= read_all();              \
	} while (0)
	STEP(mkdir_p(&a, 0, "a"));
	STEP(mkdir_p(&b, a, "b"));
	STEP(sim_file(&S, b, FP_CREATE, "f", -1, 0));
	STEP(sim_mv(&S, a, 0, "c", 0, 0));
	STEP(sim_file(&S, b, FP_MODIFY, "f", -1, 0));
	STEP(mkdir_p(&c, b, "d"));
	STEP(sim_file(&S, c, FP_CREATE, "g", -1, 0));
	STEP(sim_mv(&S, b, 0, "b", 0, 0));
	STEP(sim_file(&S, c, FP_MODIFY, "g", -1, 0));
	STEP(sim_file(&S, c, FP_RENAME, "g", a, 0));
	STEP(sim_file(&S, c, FP_DELETE, "h", -1, 0));
	STEP(sim_rmdir(&S, c, 0, 0));
	STEP(sim_file(&S, b, FP_ATTRIB | FP_ONDIR, ".", -1, 0));
	STEP(sim_mv(&S, b, a, "e", 0, 0));
	STEP(sim_file(&S, b, FP_MODIFY, "f", -1, 0));
#undef STEP
	*ops = i;
	good &= read_all();
	return good && S.unknown == 0;
}

static void
every_cut(void)
{
	int ops = 0, good = cut_at(0, &ops);
	for (int c = 1; c <= ops; c++)
		good &= cut_at(c, &ops);
	ok(good, "the same 15 steps read in two at every place: all right");
}

static void
kept_between_reads(void)
{
	int a, b;
	size_t looks;
	fresh(1000);
	mkdir_p(&a, 0, "a");
	mkdir_p(&b, a, "b");
	ok(read_all(), "mkdir -p a/b");
	looks = P.looks;
	for (int r = 0; r < 5; r++) {
		for (int i = 0; i < 100; i++)
			sim_file(&S, i % 2 ? a : b, FP_MODIFY, "f", -1, 0);
		if (!read_all())
			break;
	}
	ok(P.looks == looks && S.unknown == 0,
	   "five reads of writes in a and a/b: no question to the kernel");
	sim_file(&S, b, FP_MODIFY, "f", -1, 0);
	sim_mv(&S, b, 0, "c", 0, 0);
	sim_file(&S, b, FP_MODIFY, "f", -1, 0);
	ok(read_all() && !strcmp(got(0, 0), "/a/b") &&
	   !strcmp(got(2, 0), "/c") && P.looks == looks,
	   "a/b renamed to c: kept paths carried through it, no question");
	looks = P.looks;
	sim_file(&S, b, FP_MODIFY, "f", -1, 0);
	sim_file(&S, a, FP_MODIFY, "f", -1, 0);
	ok(read_all() && P.looks == looks && !strcmp(got(0, 0), "/c"),
	   "... the read that moved it kept where it ends (no question)");
}

static void
full(void)
{
	int d[8];
	fresh(3);
	for (int i = 0; i < 8; i++)
		d[i] = sim_mkdir(&S, i ? d[i - 1] : 0, sim_names[i % 4], 0);
	ok(read_all(), "mkdir -p of 8 levels");
	for (int r = 0; r < 4; r++) {
		for (int i = 0; i < 8; i++)
			sim_file(&S, d[i], FP_MODIFY, "f", -1, 0);
		if (!read_all())
			break;
	}
	ok(P.used <= 3 && S.unknown == 0,
	   "more directories than kept: right, and never more than 3 kept");
}

static void
overflow(void)
{
	int a, b;
	size_t looks;
	fresh(1000);
	mkdir_p(&a, 0, "a");
	mkdir_p(&b, 0, "b");
	ok(read_all(), "mkdir a b");
	sim_file(&S, a, FP_MODIFY, "f", -1, 0);
	sim_mv(&S, b, 0, "c", 0, 1);
	sim_file(&S, b, FP_MODIFY, "f", -1, 0);
	looks = P.looks;
	ok(S.ev[1].mask == FP_Q_OVERFLOW && read_all() &&
	   !strcmp(got(0, 0), "/a") && !strcmp(got(2, 0), "/c") &&
	   P.looks == looks + 1,
	   "overflow: before it, the kept path; after it, the kernel's");
	looks = P.looks;
	sim_file(&S, a, FP_MODIFY, "f", -1, 0);
	ok(read_all() && P.looks == looks + 1 && !strcmp(got(0, 0), "/a"),
	   "... and what was kept before it is asked again");
}

static void
unknowable(void)
{
	int a, b;
	fresh(0);
	mkdir_p(&a, 0, "a");
	ok(read_all(), "mkdir a (nothing kept)");
	sim_file(&S, a, FP_MODIFY, "f", -1, 0);
	sim_mv(&S, a, 0, "b", 0, 1);
	ok(read_all() && !strcmp(got(0, 0), "?"),
	   "a written, then moved unseen (overflow): unknown, not b");
	fresh(1000);
	mkdir_p(&a, 0, "a");
	ok(read_all(), "mkdir a");
	mkdir_p(&b, a, "c");
	sim_file(&S, b, FP_MODIFY, "f", -1, 0);
	sim_rmdir(&S, b, 0, 1);
	ok(read_all() && !strcmp(got(1, 0), "/a/c"),
	   "made and written before an overflow: placed from the read");
}

/* The documented race: the callback answers after a rename that is
 * still queued.  Not wanted, but what is promised: a path, b's. */
static void
race(void)
{
	int a;
	fresh(0);
	mkdir_p(&a, 0, "a");
	ok(read_all(), "mkdir a (nothing kept)");
	sim_file(&S, a, FP_MODIFY, "f", -1, 0);
	sim_mv(&S, a, 0, "b", 0, 0);
	out.len = 0;
	ok(fpaths_batch(&P, S.ev, 1, sim_look, &S, at, &out) == 0 &&
	   !strcmp(got(0, 0), "/b"),
	   "race: a moved after the read, before the question: b (documented)");
}

/* Directories /d<ino> by number, the root 1: the callback. */
static int
by_number(void *ctx, const unsigned char *key, size_t klen, struct buf *o)
{
	char path[32];
	uint32_t ino;
	(void)ctx;
	if (klen != SIM_KEY)
		return -1;
	memcpy(&ino, key + 8, 4);
	if (ino == 1)
		return buf_add(o, "/", 1);
	snprintf(path, sizeof path, "/d%u", (unsigned)ino);
	return buf_add(o, path, strlen(path));
}

static void
many(void)
{
	enum { D = 1000 };
	static struct fp_event ev[D + 1];
	static struct fpaths_at a[D + 1];
	static unsigned char keys[D + 3][SIM_KEY];
	char want[32];
	size_t looks[3];
	int good = 1;
	fresh(5000);
	for (uint32_t i = 0; i < D + 3; i++)
		sim_key(keys[i], i);
	for (int r = 0; r < 3; r++) {
		size_t n = 0;
		if (r == 1) { /* mv /x /y: a directory no one is in */
			memset(&ev[n], 0, sizeof ev[n]);
			ev[n].mask = FP_RENAME | FP_ONDIR;
			sim_fid(&ev[n].old, keys[1], "x");
			sim_fid(&ev[n].new, keys[1], "y");
			sim_fid(&ev[n++].child, keys[D + 2], NULL);
		}
		for (uint32_t i = 2; i < D + 2; i++) {
			memset(&ev[n], 0, sizeof ev[n]);
			ev[n].mask = FP_MODIFY;
			sim_fid(&ev[n++].dir, keys[i], "f");
		}
		looks[r] = P.looks;
		out.len = 0;
		good &= fpaths_batch(&P, ev, n, by_number, NULL, a, &out) == 0;
		looks[r] = P.looks - looks[r];
		for (size_t i = r == 1; i < n; i++) {
			snprintf(want, sizeof want, "/d%zu", i + 2 - (r == 1));
			good &= a[i].dir.len == strlen(want) &&
				!memcmp(out.p + a[i].dir.off, want,
					a[i].dir.len);
		}
	}
	ok(good && looks[0] == D && looks[1] == 1 && looks[2] == 0 &&
	   P.used == D + 2,
	   "1,000 directories kept: a read with a rename asks only for /, "
	   "and keeps where they are at its end");
}

/* ---- the property, and the cost --------------------------------------- */

static uint64_t
next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void
property(void)
{
	static uint8_t data[1600];
	size_t events = 0, unknown = 0, merges = 0, ovf = 0, runs = RUNS;
	size_t repl = 0, questions = 0;
	int good = 1;
	for (uint64_t seed = 1; seed <= runs && good; seed++) {
		uint64_t x = seed * 0x9e3779b97f4a7c15ull;
		size_t len = 4 * (1 + next(&x) % 400);
		/* reads of 1 to 50 operations, on average; few losses */
		unsigned cut = 2 + (unsigned)(next(&x) % 98);
		for (size_t i = 0; i < len; i++)
			data[i] = (uint8_t)(next(&x) >> 24);
		for (size_t i = 3; i < len; i += 4) {
			unsigned r = (unsigned)(next(&x) % 200);
			data[i] = r < cut ? 200 : r < cut + 4 ? 1 : 0;
		}
		if (sim_run(&S, data, len, seed % 3 ? 1000 : seed % 7) < 0) {
			printf("# seed %llu: %s\n", (unsigned long long)seed,
			       S.err);
			good = 0;
		}
		events += S.events;
		unknown += S.unknown;
		merges += S.merged;
		ovf += S.overflows;
		repl += S.replaced;
		questions += S.looks;
	}
	printf("# %zu runs: %zu directories asked, %zu unknown (allowed), "
	       "%zu merged deletes, %zu overflows, %zu replaced, %zu "
	       "questions\n",
	       runs, events, unknown, merges, ovf, repl, questions);
	ok(good && merges > 0 && ovf > 0 && repl > 0 && events > 100000,
	   "10,000 random sequences: every event's directories where they "
	   "were, unknown only before an overflow or for one replaced");
}

static void
burst(void)
{
	enum { N = 500000, READ = 4096, DIRS = 4 };
	static struct fp_event ev[READ];
	static struct fpaths_at a[READ];
	int d[DIRS];
	size_t looks;
	clock_t t0;
	double ns;
	int good = 1;
	fresh(1000);
	for (int i = 0; i < DIRS; i++)
		d[i] = sim_mkdir(&S, i ? d[0] : 0, sim_names[i], 0);
	ok(read_all(), "mkdir a a/b a/c a/d");
	looks = P.looks;
	for (int i = 0; i < READ; i++) {
		memset(&ev[i], 0, sizeof ev[i]);
		ev[i].mask = FP_MODIFY;
		sim_fid(&ev[i].dir, S.d[d[i % DIRS]].key, "f");
	}
	t0 = clock();
	for (int done = 0; done < N; done += READ) {
		out.len = 0;
		good &= fpaths_batch(&P, ev, READ, sim_look, &S, a, &out) == 0;
	}
	ns = (double)(clock() - t0) / CLOCKS_PER_SEC * 1e9 /
	     (N / READ * READ);
	printf("# fast path: %.1f ns per event (%d writes in %d "
	       "directories, reads of %d)\n", ns, N / READ * READ, DIRS,
	       READ);
	ok(good && P.looks == looks && a[READ - 1].dir.len == 4 &&
	   !memcmp(out.p + a[READ - 1].dir.off, "/a/d", 4),
	   "a burst of 500,000 writes: no question, right paths");
}

int
main(void)
{
	moved_after_written();
	removed_before_read();
	deep_rename();
	rename_chain();
	across();
	replaced();
	replaced_by_rename();
	moved_out_of_replaced();
	exchanged();
	merged();
	merged_new_parent();
	every_cut();
	kept_between_reads();
	full();
	overflow();
	unknowable();
	race();
	many();
	property();
	burst();
	fpaths_free(&P);
	free(out.p);
	printf("1..%d\n", count);
	return failed != 0;
}
