/*
 * test_fan_parse.c - src/fan_parse.c on hand-made fanotify buffers:
 * events in watched and unwatched directories, merged kinds put back in
 * order, a directory's own news, renames as two halves with one cookie,
 * a watched directory's end on its own watch, overflow, and buffers that
 * lie about their lengths; and records placed below a tree watched whole
 * (fp_translate with places: names made of the path below the tree).  Portable: runs in `make unit`.  Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/fan_parse.h"

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

/* ---- making buffers --------------------------------------------------- */

static unsigned char buf[8192];
static size_t blen, ev_at;

static void
put(const void *p, size_t n)
{
	memcpy(buf + blen, p, n);
	blen += n;
}

static void
ev_begin(uint64_t mask)
{
	unsigned char meta[FP_META_LEN] = { 0 };
	uint16_t mlen = FP_META_LEN;
	int32_t fd = -1, pid = 42;
	ev_at = blen;
	meta[4] = FP_META_VERSION;
	memcpy(meta + 6, &mlen, 2);
	memcpy(meta + 8, &mask, 8);
	memcpy(meta + 16, &fd, 4);
	memcpy(meta + 20, &pid, 4);
	put(meta, sizeof meta);
}

static void
ev_end(void)
{
	uint32_t len = (uint32_t)(blen - ev_at);
	memcpy(buf + ev_at, &len, 4);
}

/* A directory or file handle: filesystem FS, inode INO. */
static void
key_of(unsigned char k[24], unsigned fs, unsigned ino)
{
	uint32_t hb = 8, type = 1, gen = 0xabcd0000u + ino;
	memset(k, 0, 24);
	memcpy(k, &fs, 4);
	memcpy(k + 8, &hb, 4);
	memcpy(k + 12, &type, 4);
	memcpy(k + 16, &ino, 4);
	memcpy(k + 20, &gen, 4);
}

/* An info record of TYPE for inode INO (on filesystem 1), with NAME if
 * not NULL, padded to 4 bytes as the kernel does. */
static void
info(int type, unsigned ino, const char *name)
{
	unsigned char h[4] = { (unsigned char)type, 0, 0, 0 }, k[24];
	size_t nl = name ? strlen(name) + 1 : 0, at = blen;
	uint16_t len = (uint16_t)((4 + 24 + nl + 3) & ~(size_t)3);
	memcpy(h + 2, &len, 2);
	key_of(k, 1, ino);
	put(h, 4);
	put(k, 24);
	if (name)
		put(name, nl);
	while (blen - at < len)
		buf[blen++] = 0;
}

/* ---- the directories "watched" -------------------------------------- */

/* inode -> watch id: 10 -> 1 (a PATH), 11 -> 2, 12 -> 3 (below it) */
static int gone_id, gone_calls;

static int
lookup(void *ctx, const void *key, size_t len)
{
	unsigned char k[24];
	(void)ctx;
	for (unsigned ino = 10; ino <= 12; ino++) {
		key_of(k, 1, ino);
		if ((int)ino - 9 != gone_id && len == 24 && !memcmp(k, key, 24))
			return (int)ino - 9;
	}
	return -1;
}

static void
gone(void *ctx, int id)
{
	(void)ctx;
	gone_id = id;
	gone_calls++;
}

static struct fp_out o;

static int
parse(void)
{
	fp_reset(&o);
	o.dropped = o.malformed = 0;
	return fp_parse(&o, buf, blen, lookup, gone, NULL);
}

/* The records as text: "id:flags:cookie?:name" each, space-separated. */
static const char *
show(void)
{
	static char s[1024];
	size_t k = 0;
	s[0] = '\0';
	for (size_t i = 0; i < o.n; i++) {
		const struct fw_raw *r = &o.recs[i];
		k += (size_t)snprintf(s + k, sizeof s - k, "%s%d:%x:%s:%.*s",
				      i ? " " : "", r->id, r->flags,
				      r->cookie ? "c" : "-", (int)r->name_len,
				      r->name);
	}
	return s;
}

static void
is(const char *want, const char *what)
{
	const char *got = show();
	if (!ok(!strcmp(got, want), what))
		printf("#   got:  '%s'\n#   want: '%s'\n", got, want);
}

static void
one(uint64_t mask, int type, unsigned ino, const char *name)
{
	blen = 0;
	ev_begin(mask);
	info(type, ino, name);
	ev_end();
}

/* ---- the cases ------------------------------------------------------- */

static void
entries(void)
{
	char want[128];
	one(FP_CREATE, FP_INFO_DFID_NAME, 11, "new");
	ok(parse() == 0, "a create parses");
	snprintf(want, sizeof want, "2:%x:-:new", BE_CREATE);
	is(want, "a create in a watched directory names the entry there");
	ok(o.recs[0].name[3] == '\0', "the name is NUL-terminated in place");

	one(FP_CREATE, FP_INFO_DFID_NAME, 99, "new");
	parse();
	ok(o.n == 0 && o.dropped == 1, "a create elsewhere is dropped");

	one(FP_CREATE | FP_MODIFY | FP_CLOSE_WRITE | FP_DELETE,
	    FP_INFO_DFID_NAME, 10, "f");
	parse();
	snprintf(want, sizeof want, "1:%x:-:f 1:%x:-:f 1:%x:-:f", BE_CREATE,
		 BE_MODIFY | BE_CLOSE_WRITE, BE_DELETE);
	is(want, "merged kinds come out created, written and closed, deleted");

	one(FP_CLOSE_NOWRITE | FP_ACCESS | FP_OPEN, FP_INFO_DFID_NAME, 10, "f");
	parse();
	snprintf(want, sizeof want, "1:%x:-:f 1:%x:-:f 1:%x:-:f", BE_OPEN,
		 BE_ACCESS, BE_CLOSE_NOWR);
	is(want, "opened, read, closed, in that order");

	one(FP_ATTRIB | FP_ONDIR, FP_INFO_DFID_NAME, 12, ".");
	parse();
	snprintf(want, sizeof want, "3:%x:-:", BE_ATTRIB | BE_ISDIR);
	is(want, "a directory's own news is a record on its own watch");

	one(FP_ATTRIB, FP_INFO_FID, 55, NULL);
	parse();
	ok(o.n == 0 && o.dropped == 1,
	   "news with no directory (a file unlinked) is dropped");

	one(FP_CREATE, FP_INFO_DFID_NAME, 10, "a/b");
	parse();
	ok(o.n == 0, "a name with a slash is never joined to a path");
	one(FP_CREATE, FP_INFO_DFID_NAME, 10, "..");
	parse();
	ok(o.n == 0, "nor is ..");
}

static void
renames(void)
{
	char want[160];
	blen = 0;
	ev_begin(FP_RENAME);
	info(FP_INFO_OLD_DFID_NAME, 10, "a");
	info(FP_INFO_NEW_DFID_NAME, 11, "b");
	info(FP_INFO_FID, 77, NULL);
	ev_end();
	parse();
	snprintf(want, sizeof want, "1:%x:c:a 2:%x:c:b", BE_MOVED_FROM,
		 BE_MOVED_TO);
	is(want, "a rename is its two halves, back to back");
	ok(o.n == 2 && o.recs[0].cookie == o.recs[1].cookie,
	   "with one cookie");
	uint32_t c1 = o.recs[0].cookie;
	parse();
	ok(o.recs[0].cookie != c1, "the next rename has another");

	blen = 0;
	ev_begin(FP_RENAME);
	info(FP_INFO_OLD_DFID_NAME, 99, "a");
	info(FP_INFO_NEW_DFID_NAME, 11, "b");
	info(FP_INFO_FID, 77, NULL);
	ev_end();
	parse();
	snprintf(want, sizeof want, "2:%x:c:b", BE_MOVED_TO);
	is(want, "moved in from elsewhere: the second half alone");

	blen = 0;
	ev_begin(FP_RENAME | FP_ONDIR);
	info(FP_INFO_OLD_DFID_NAME, 98, "top");
	info(FP_INFO_NEW_DFID_NAME, 99, "top2");
	info(FP_INFO_FID, 10, NULL);
	ev_end();
	parse();
	snprintf(want, sizeof want, "1:%x:-:", BE_SELF_MOVE | BE_ISDIR);
	is(want, "a watched PATH renamed where nothing is watched: moved self");

	blen = 0;
	ev_begin(FP_RENAME | FP_ONDIR);
	info(FP_INFO_OLD_DFID_NAME, 10, "sub");
	info(FP_INFO_NEW_DFID_NAME, 98, "sub");
	info(FP_INFO_FID, 12, NULL);
	ev_end();
	parse();
	snprintf(want, sizeof want, "1:%x:c:sub 3:%x:-:",
		 BE_MOVED_FROM | BE_ISDIR, BE_SELF_MOVE | BE_ISDIR);
	is(want, "a watched directory moved out: its half, then moved self");
}

static void
dir_ends(void)
{
	char want[160];
	blen = 0;
	ev_begin(FP_DELETE | FP_ONDIR);
	info(FP_INFO_DFID_NAME, 10, "sub");
	info(FP_INFO_FID, 12, NULL);
	ev_end();
	gone_calls = 0;
	parse();
	snprintf(want, sizeof want, "1:%x:-:sub 3:%x:-:", BE_DELETE | BE_ISDIR,
		 BE_SELF_DELETE | BE_IGNORED | BE_ISDIR);
	is(want, "a watched directory removed: the delete, then its last record");
	ok(gone_calls == 1 && gone_id == 3, "and its id is given up");
	parse();
	snprintf(want, sizeof want, "1:%x:-:sub", BE_DELETE | BE_ISDIR);
	is(want, "once gone it is not named again");
	gone_id = 0;

	blen = 0;
	ev_begin(FP_DELETE | FP_ONDIR);
	info(FP_INFO_DFID_NAME, 98, "top");
	info(FP_INFO_FID, 10, NULL);
	ev_end();
	parse();
	snprintf(want, sizeof want, "1:%x:-:", BE_SELF_DELETE | BE_IGNORED |
						       BE_ISDIR);
	is(want, "a watched PATH removed: its last record alone");
	gone_id = 0;

	blen = 0;
	ev_begin(FP_DELETE);
	info(FP_INFO_DFID_NAME, 98, "file");
	info(FP_INFO_FID, 10, NULL);
	ev_end();
	parse();
	ok(o.n == 0, "a file removed is no directory's end, whatever its handle");
}

static void
bad_buffers(void)
{
	char want[64];
	one(FP_Q_OVERFLOW, FP_INFO_FID, 1, NULL);
	parse();
	snprintf(want, sizeof want, "-1:%x:-:", BE_OVERFLOW);
	is(want, "the kernel's overflow is an overflow record");

	one(FP_CREATE, FP_INFO_DFID_NAME, 11, "x");
	size_t whole = blen;
	ev_begin(FP_CREATE);
	info(FP_INFO_DFID_NAME, 11, "y");
	ev_end();
	blen -= 3;
	ok(parse() == 0 && o.malformed == 1, "a cut event is refused");
	snprintf(want, sizeof want, "2:%x:-:x -1:%x:-:", BE_CREATE, BE_OVERFLOW);
	is(want, "what came before stays, and an overflow ends it");

	blen = whole;
	uint16_t huge = 2000;
	memcpy(buf + FP_META_LEN + 2, &huge, 2);
	parse();
	ok(o.malformed == 1 && o.n == 1, "an info record longer than its event is refused");

	one(FP_CREATE, FP_INFO_DFID_NAME, 11, "x");
	uint32_t hb = 1000;
	memcpy(buf + FP_META_LEN + 4 + 8, &hb, 4);
	parse();
	ok(o.malformed == 1, "a handle longer than its record is refused");

	one(FP_CREATE, FP_INFO_DFID_NAME, 11, "xyz");
	memset(buf + blen - 4, 'q', 4);
	parse();
	ok(o.malformed == 1, "a name with no NUL in its record is refused");

	one(FP_CREATE, FP_INFO_DFID_NAME, 11, "x");
	buf[4] = 2;
	parse();
	ok(o.malformed == 1, "another metadata version is refused");

	blen = 0;
	ev_begin(FP_CREATE);
	unsigned char pidfd[8] = { 4, 0, 8, 0, 7, 0, 0, 0 };
	put(pidfd, sizeof pidfd);
	info(FP_INFO_DFID_NAME, 11, "z");
	ev_end();
	parse();
	snprintf(want, sizeof want, "2:%x:-:z", BE_CREATE);
	is(want, "records fwatch does not use are stepped over");
}

/* ---- trees watched whole (fp_translate with places) ------------------ */

/* inode 20 is "a/b" below tree 7, inode 21 cannot be found, inode 10
 * is watched itself (id 1) and is tree 7's top; others are elsewhere. */
static int
places(void *ctx, size_t ev, int side, const void *key, size_t len,
       struct fp_place *out)
{
	unsigned char k[24];
	int n = 0, own = lookup(ctx, key, len);
	(void)ev;
	(void)side;
	if (own >= 0) {
		out[n].id = own;
		out[n].pre = "";
		out[n++].prelen = 0;
	}
	key_of(k, 1, 20);
	if (len == 24 && !memcmp(k, key, 24)) {
		out[n].id = 7;
		out[n].pre = "a/b-and-more";
		out[n++].prelen = 3;
	}
	key_of(k, 1, 21);
	if (len == 24 && !memcmp(k, key, 24))
		return -1;
	return n;
}

static int
placed(void)
{
	struct fp_batch b = { 0 };
	int r;
	fp_reset(&o);
	o.dropped = o.malformed = o.unplaced = 0;
	r = fp_split(&b, buf, blen) < 0 ? -1 :
		fp_translate(&o, &b, lookup, places, gone, NULL);
	free(b.ev);
	return r;
}

static void
whole(void)
{
	char want[160];
	one(FP_CREATE, FP_INFO_DFID_NAME, 20, "f");
	ok(placed() == 0, "an event below a tree is placed");
	snprintf(want, sizeof want, "7:%x:-:a/b/f", BE_CREATE);
	is(want, "named by its path below the tree");
	ok(o.recs[0].name[5] == '\0', "that name is NUL-terminated too");

	one(FP_ATTRIB | FP_ONDIR, FP_INFO_DFID_NAME, 20, ".");
	placed();
	snprintf(want, sizeof want, "7:%x:-:a/b", BE_ATTRIB | BE_ISDIR);
	is(want, "a directory's own news is an entry of the tree, by its path");

	blen = 0;
	ev_begin(FP_RENAME);
	info(FP_INFO_OLD_DFID_NAME, 10, "x");
	info(FP_INFO_NEW_DFID_NAME, 20, "y");
	ev_end();
	placed();
	snprintf(want, sizeof want, "1:%x:c:x 7:%x:c:a/b/y", BE_MOVED_FROM,
		 BE_MOVED_TO);
	is(want, "a rename from a watched directory into a tree: two halves, "
	   "one cookie, each named where it is");

	one(FP_CREATE, FP_INFO_DFID_NAME, 21, "f");
	placed();
	snprintf(want, sizeof want, "-1:%x:-:", BE_OVERFLOW);
	is(want, "an event in a directory that cannot be found is lost, and "
	   "an overflow says so");
	ok(o.unplaced == 1, "(counted)");

	blen = 0;
	for (int i = 0; i < 3; i++) {
		ev_begin(FP_CREATE);
		info(FP_INFO_DFID_NAME, 21, "f");
		ev_end();
	}
	placed();
	is(want, "one overflow for a read, however many were lost");

	one(FP_ATTRIB | FP_ONDIR, FP_INFO_DFID_NAME, 21, ".");
	placed();
	ok(o.n == 0 && o.unplaced == 0,
	   "news about a directory itself that cannot be found (gone) is "
	   "dropped: no overflow");

	blen = 0;
	ev_begin(FP_CREATE);
	info(FP_INFO_DFID_NAME, 20, "p");
	ev_end();
	ev_begin(FP_CREATE);
	info(FP_INFO_DFID_NAME, 20, "q");
	ev_end();
	placed();
	snprintf(want, sizeof want, "7:%x:-:a/b/p 7:%x:-:a/b/q", BE_CREATE,
		 BE_CREATE);
	is(want, "names made earlier in a read stay right as later ones are "
	   "made");
}

int
main(void)
{
	entries();
	renames();
	dir_ends();
	bad_buffers();
	whole();
	fp_free(&o);
	printf("1..%d\n", count);
	return failed != 0;
}
