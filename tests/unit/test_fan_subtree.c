/*
 * test_fan_subtree.c - src/fan_subtree.c with made-up paths: which tree
 * watched whole a directory is below (the deepest, and "/" itself), a
 * directory watched by itself beside its tree, a directory whose path
 * could not be found, and trees added and forgotten.  Portable: runs in
 * `make unit`.  Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/fan_subtree.h"

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

static struct fan_subs s;

/* Event 0's directory is PATH (NULL: it could not be found), as
 * fan_paths.c would have said. */
static void
dir_is(const char *path)
{
	s.pbuf.len = 0;
	if (GROW(s.at, s.capat, 1) < 0)
		abort();
	s.at[0].dir.off = 0;
	s.at[0].dir.len = FPATH_UNKNOWN;
	s.at[0].old = s.at[0].new = s.at[0].dir;
	if (path) {
		if (buf_add(&s.pbuf, path, strlen(path)) < 0)
			abort();
		s.at[0].dir.len = strlen(path);
	}
}

/* The places of event 0's directory, watched by itself as OWN, as text:
 * "id:prefix" each. */
static const char *
places(int own)
{
	static char t[256];
	struct fp_place p[FP_PLACES];
	int n = fan_subs_places(&s, 0, FP_SIDE_DIR, own, p);
	size_t k = 0;
	if (n < 0)
		return "unknown";
	t[0] = '\0';
	for (int i = 0; i < n; i++)
		k += (size_t)snprintf(t + k, sizeof t - k, "%s%d:%.*s",
				      i ? " " : "", p[i].id, (int)p[i].prelen,
				      p[i].pre);
	return t;
}

static void
is(const char *got, const char *want, const char *what)
{
	if (!ok(!strcmp(got, want), what))
		printf("#   got:  '%s'\n#   want: '%s'\n", got, want);
}

int
main(void)
{
	fan_subs_init(&s);
	ok(fan_subs_add(&s, 5, "/w/src", 6) == 0 &&
	   fan_subs_add(&s, 6, "/w/src/lib", 10) == 0,
	   "two trees, one inside the other");

	dir_is("/w/src/a/b");
	is(places(-1), "5:a/b", "a directory below a tree: the path below it");
	dir_is("/w/src");
	is(places(5), "5:", "the tree's own directory: its own watch only");
	dir_is("/w/src/lib/x");
	is(places(-1), "6:x", "below two trees: the deepest");
	dir_is("/w/srcx/a");
	is(places(-1), "", "a name that only starts like the tree: elsewhere");
	dir_is("/w");
	is(places(-1), "", "above the tree: elsewhere");
	dir_is("/w/src/a");
	is(places(9), "9: 5:a", "a directory watched by itself below a tree: "
	   "both places");
	dir_is("/w/src");
	is(places(-1), "5:", "the tree's directory, not watched by itself "
	   "(replaced under the same name): the tree, with no path below");
	dir_is(NULL);
	is(places(-1), "unknown", "a directory that could not be found, "
	   "watched by nothing else: unknown");
	is(places(9), "9:", "one that could not be found but is watched by "
	   "itself: that watch");

	ok(fan_subs_cover(&s, "/w/src/lib/deep", 15) == 6,
	   "a new PATH below a tree is covered by the deepest");
	ok(fan_subs_cover(&s, "/w/src", 6) == 5, "the tree's own PATH is it");
	ok(fan_subs_cover(&s, "/w/other", 8) == -1, "elsewhere, nothing");

	fan_subs_del(&s, 6);
	dir_is("/w/src/lib/x");
	is(places(-1), "5:lib/x", "the inner tree forgotten: the outer one");
	fan_subs_del(&s, 42);
	ok(s.n == 1, "forgetting what is no tree changes nothing");

	ok(fan_subs_add(&s, 7, "/", 1) == 0, "the top of the filesystem");
	fan_subs_del(&s, 5);
	dir_is("/etc/x");
	is(places(-1), "7:etc/x", "below /: the path without its first slash");
	dir_is("/");
	is(places(-1), "7:", "/ itself");

	/* directories that could not be found, kept until their end */
	unsigned char k[8] = "dirkey0";
	int all = 1;
	ok(fan_subs_park(&s, "gone", 4) == 0, "a directory that could not be "
	   "found is kept");
	ok(fan_subs_park(&s, "gone", 4) == 0 && s.nparked == 1,
	   "kept once however often it is met");
	ok(fan_subs_unpark(&s, "gone", 4) == 1 && s.nparked == 0,
	   "its end is recognised, once");
	ok(fan_subs_unpark(&s, "gone", 4) == 0, "and then it is forgotten");
	for (int i = 0; i < FAN_SUBS_PARKED; i++) {
		k[6] = (unsigned char)i;
		all &= fan_subs_park(&s, k, sizeof k) == 0;
	}
	ok(all, "up to FAN_SUBS_PARKED are kept");
	ok(fan_subs_park(&s, "more", 4) == -1,
	   "one more is refused (its events are then said lost at once)");
	k[6] = 17;
	ok(fan_subs_unpark(&s, k, sizeof k) == 1 &&
	   s.nparked == FAN_SUBS_PARKED - 1, "one among many is found");
	k[6] = (unsigned char)(FAN_SUBS_PARKED - 1);
	ok(fan_subs_unpark(&s, k, sizeof k) == 1, "the last one moved into "
	   "its place is found too");
	fan_subs_unpark_all(&s);
	ok(s.nparked == 0, "an overflow forgets them all");
	dir_is(NULL);
	ok(fan_subs_inside(&s, 0, FP_SIDE_DIR) == 1,
	   "where a parked directory was is not known: it may be ours");
	dir_is("/etc");
	ok(fan_subs_inside(&s, 0, FP_SIDE_DIR) == 1, "below / : ours");
	fan_subs_del(&s, 7);
	ok(fan_subs_inside(&s, 0, FP_SIDE_DIR) == 0, "below no tree: not ours");

	fan_subs_free(&s);
	printf("1..%d\n", count);
	return failed != 0;
}
