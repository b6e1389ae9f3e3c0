/*
 * test_fhmap.c - src/fhmap.c: handles mapped to ids and back, keys short
 * and long, deletes that must not break the runs of either table, ids
 * that colliding keys must not confuse, and a random sequence checked
 * against a plain array.  Portable: runs in `make unit`.  Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/fhmap.h"

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

/* A key as watch_fanotify.c makes it: a filesystem's number (2 bytes),
 * the handle's type (4), then the handle, an inode number and a
 * generation; LONG pads it past FH_IN. */
static size_t
mkkey(unsigned char *k, unsigned fs, unsigned ino, unsigned gen, int lng)
{
	unsigned type = 1;
	size_t n = 0;
	memset(k, 0, 80);
	k[n++] = (unsigned char)fs;
	k[n++] = (unsigned char)(fs >> 8);
	memcpy(k + n, &type, 4), n += 4;
	memcpy(k + n, &ino, 4), n += 4;
	memcpy(k + n, &gen, 4), n += 4;
	if (lng) {
		memset(k + n, 0x5a, 40);
		n += 40;
	}
	return n;
}

static void
basics(void)
{
	struct fhmap m;
	unsigned char a[80], b[80], c[80];
	size_t la = mkkey(a, 1, 100, 7, 0), lb = mkkey(b, 2, 100, 7, 0);
	size_t lc = mkkey(c, 1, 100, 7, 1), n = 0;
	const unsigned char *k;

	fhmap_init(&m);
	ok(fhmap_find(&m, a, la) == -1, "an empty map finds nothing");
	ok(fhmap_del(&m, 3) == -1, "an empty map deletes nothing");
	ok(fhmap_add(&m, a, la, 3) == 0, "a key is added");
	ok(fhmap_add(&m, b, lb, 4) == 0, "the same handle on another filesystem is another key");
	ok(fhmap_add(&m, c, lc, 5) == 0, "a key longer than the entry holds is added");
	ok(fhmap_find(&m, a, la) == 3 && fhmap_find(&m, b, lb) == 4 &&
		   fhmap_find(&m, c, lc) == 5,
	   "each key finds its own id");
	ok(fhmap_find(&m, a, la - 1) == -1, "a prefix of a key is not the key");
	k = fhmap_key(&m, 5, &n);
	ok(k && n == lc && !memcmp(k, c, lc), "an id gives its key back");
	ok(fhmap_key(&m, 6, &n) == NULL, "an unknown id has no key");
	ok(fhmap_count(&m) == 3, "three in use");
	ok(fhmap_del(&m, 3) == 0 && fhmap_find(&m, a, la) == -1,
	   "a deleted id's key is gone");
	ok(fhmap_find(&m, b, lb) == 4 && fhmap_find(&m, c, lc) == 5,
	   "the others stay");
	ok(fhmap_add(&m, a, la, 9) == 0 && fhmap_find(&m, a, la) == 9,
	   "a key comes back with a new id");
	ok(fhmap_del(&m, 5) == 0 && fhmap_count(&m) == 2,
	   "a long key is deleted");
	{
		unsigned char big[256];
		memset(big, 7, sizeof big);
		ok(fhmap_add(&m, big, 255, 20) == 0 &&
			   fhmap_find(&m, big, 255) == 20,
		   "a key of 255 bytes is the longest");
		ok(fhmap_add(&m, big, 256, 21) == -1 &&
			   fhmap_add(&m, big, 0, 22) == -1 &&
			   fhmap_count(&m) == 3,
		   "longer or empty keys are refused");
	}
	fhmap_free(&m);
	ok(fhmap_count(&m) == 0 && fhmap_find(&m, a, la) == -1,
	   "a freed map is empty and usable");
	fhmap_free(&m);
}

/* Many directories come and go; the map must agree with an array. */
static void
random_walk(void)
{
	enum { N = 5000, STEPS = 200000 };
	static int idof[N];  /* key number -> id, or -1 */
	struct fhmap m;
	unsigned char k[80];
	int next_id = 1, bad = 0;
	unsigned seed = 12345;

	fhmap_init(&m);
	for (int i = 0; i < N; i++)
		idof[i] = -1;
	for (int s = 0; s < STEPS && !bad; s++) {
		seed = seed * 1103515245u + 12345u;
		int i = (int)((seed >> 8) % N), lng = i % 17 == 0;
		size_t len = mkkey(k, (unsigned)i % 3, (unsigned)i / 3,
				   (unsigned)i * 7u, lng);
		int found = fhmap_find(&m, k, len);
		if (found != idof[i]) {
			printf("# step %d: key %d found %d, want %d\n", s, i,
			       found, idof[i]);
			bad = 1;
		} else if (idof[i] < 0) {
			if (fhmap_add(&m, k, len, next_id) < 0)
				bad = 1;
			idof[i] = next_id++;
		} else if ((seed >> 4) & 1) {
			if (fhmap_del(&m, idof[i]) < 0)
				bad = 1;
			idof[i] = -1;
		}
		if (s % 50000 == 0)
			fhmap_trim(&m);
	}
	ok(!bad, "200,000 random adds, finds and deletes agree with an array");
	size_t in_use = 0;
	for (int i = 0; i < N; i++) {
		size_t len;
		in_use += idof[i] >= 0;
		if (idof[i] >= 0 && !fhmap_key(&m, idof[i], &len))
			bad = 1;
	}
	ok(!bad && fhmap_count(&m) == in_use, "every id in use has its key");
	/* delete nearly all: trimming keeps the rest findable */
	for (int i = 0; i < N; i++)
		if (idof[i] >= 0 && i % 10) {
			fhmap_del(&m, idof[i]);
			idof[i] = -1;
		}
	ok(fhmap_trim(&m) == 1, "a map mostly deleted is trimmed");
	for (int i = 0; i < N && !bad; i++) {
		size_t len = mkkey(k, (unsigned)i % 3, (unsigned)i / 3,
				   (unsigned)i * 7u, i % 17 == 0);
		bad = fhmap_find(&m, k, len) != idof[i];
	}
	ok(!bad, "after trimming, every key still finds its id");
	fhmap_free(&m);
}

int
main(void)
{
	basics();
	random_walk();
	printf("1..%d\n", count);
	return failed != 0;
}
