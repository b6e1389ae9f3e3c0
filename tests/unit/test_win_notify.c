/*
 * test_win_notify.c - the Windows backend's record parsing and rename
 * pairing, on hand-made FILE_NOTIFY_INFORMATION buffers.  Portable: runs
 * in `make test` everywhere.  Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/utf16.h"
#include "../../src/win_notify.h"

static int failed, count;

static void
ok(int cond, const char *what)
{
	count++;
	if (!cond)
		failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", count, what);
}

/* A buffer being built, records DWORD-aligned as the kernel writes them. */
struct fb {
	unsigned char b[4096];
	size_t len, last;
};

static void
put32(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* Append a record whose name is N UTF-16 units. */
static void
rec16(struct fb *f, unsigned action, const uint16_t *u, size_t n)
{
	size_t at = f->len;
	if (at) /* link the previous record to this one */
		put32(f->b + f->last, (unsigned)(at - f->last));
	put32(f->b + at, 0);
	put32(f->b + at + 4, action);
	put32(f->b + at + 8, (unsigned)(2 * n));
	for (size_t i = 0; i < n; i++) {
		f->b[at + 12 + 2 * i] = (unsigned char)u[i];
		f->b[at + 13 + 2 * i] = (unsigned char)(u[i] >> 8);
	}
	f->last = at;
	f->len = (at + 12 + 2 * n + 3) & ~(size_t)3;
}

static void
rec(struct fb *f, unsigned action, const char *utf8)
{
	uint16_t u[512];
	size_t n = utf8_to_utf16(utf8, strlen(utf8), u);
	rec16(f, action, u, n);
}

static int
dirs_named_d(void *ctx, const char *path, size_t len)
{
	(void)ctx;
	/* "a directory" is any path whose last component starts with d */
	const char *base = strrchr(path, '/');
	(void)len;
	return base && base[1] == 'd';
}

static int
parse(struct wn_out *o, struct fb *f)
{
	int r;
	wn_reset(o);
	r = wn_parse(o, 7, f->b, f->len, "C:/w", 4, dirs_named_d, NULL);
	wn_done(o);
	return r;
}

static int
is(const struct fw_raw *r, unsigned flags, const char *name)
{
	return r->flags == flags && r->name_len == strlen(name) &&
	       !memcmp(r->name, name, r->name_len) && r->id == 7;
}

int
main(void)
{
	struct wn_out o;
	struct fb f;
	memset(&o, 0, sizeof o);

	memset(&f, 0, sizeof f);
	rec(&f, 1, "a.txt");
	rec(&f, 3, "a.txt");
	rec(&f, 2, "a.txt");
	ok(parse(&o, &f) == 0 && o.n == 3 &&
		   is(&o.recs[0], BE_CREATE, "a.txt") &&
		   is(&o.recs[1], BE_MODIFY, "a.txt") &&
		   is(&o.recs[2], BE_DELETE, "a.txt"),
	   "added, modified, removed become create, modify, delete");

	memset(&f, 0, sizeof f);
	rec(&f, 4, "old name");
	rec(&f, 5, "new name");
	ok(parse(&o, &f) == 0 && o.n == 2 &&
		   is(&o.recs[0], BE_MOVED_FROM, "old name") &&
		   is(&o.recs[1], BE_MOVED_TO, "new name") &&
		   o.recs[0].cookie && o.recs[0].cookie == o.recs[1].cookie,
	   "an old name and its new name share one cookie");

	uint32_t first = o.recs[0].cookie;
	parse(&o, &f);
	ok(o.recs[0].cookie != first, "each rename gets a new cookie");

	memset(&f, 0, sizeof f);
	rec(&f, 4, "dsub");
	rec(&f, 5, "dsub2");
	ok(parse(&o, &f) == 0 && o.n == 2 &&
		   is(&o.recs[0], BE_MOVED_FROM | BE_ISDIR, "dsub") &&
		   is(&o.recs[1], BE_MOVED_TO | BE_ISDIR, "dsub2"),
	   "a renamed directory: both halves say so");

	memset(&f, 0, sizeof f);
	rec(&f, 4, "gone");
	ok(parse(&o, &f) == 0 && o.n == 1 &&
		   is(&o.recs[0], BE_DELETE, "gone"),
	   "an old name last in the buffer was moved out: delete");

	memset(&f, 0, sizeof f);
	rec(&f, 4, "gone");
	rec(&f, 1, "other");
	ok(parse(&o, &f) == 0 && o.n == 2 &&
		   is(&o.recs[0], BE_DELETE, "gone") &&
		   is(&o.recs[1], BE_CREATE, "other"),
	   "an old name followed by something else: delete, then it");

	memset(&f, 0, sizeof f);
	rec(&f, 5, "came in");
	ok(parse(&o, &f) == 0 && o.n == 1 &&
		   is(&o.recs[0], BE_CREATE, "came in"),
	   "a new name with no old one was moved in: create");

	memset(&f, 0, sizeof f);
	rec(&f, 1, "dnew");
	ok(parse(&o, &f) == 0 && o.n == 1 &&
		   is(&o.recs[0], BE_CREATE | BE_ISDIR, "dnew"),
	   "a new directory is marked as one");

	memset(&f, 0, sizeof f);
	rec(&f, 1, "d1\\d2\\f.txt");
	ok(parse(&o, &f) == 0 && o.n == 1 &&
		   is(&o.recs[0], BE_CREATE, "d1/d2/f.txt"),
	   "a subtree watch's path below the directory uses '/'");

	memset(&f, 0, sizeof f);
	rec(&f, 1, "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80");
	ok(parse(&o, &f) == 0 && o.n == 1 &&
		   is(&o.recs[0], BE_CREATE,
		      "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80"),
	   "accents, CJK and a surrogate pair come out as UTF-8");

	memset(&f, 0, sizeof f);
	uint16_t lone[] = { 'x', 0xd800, 'y' };
	rec16(&f, 1, lone, 3);
	ok(parse(&o, &f) == 0 && o.n == 1 &&
		   is(&o.recs[0], BE_CREATE, "x\xed\xa0\x80y"),
	   "a lone surrogate is kept as WTF-8, not replaced");
	uint16_t back[8];
	size_t nb = utf8_to_utf16(o.recs[0].name, o.recs[0].name_len, back);
	ok(nb == 3 && !memcmp(back, lone, sizeof lone),
	   "and converts back to the same name");

	nb = utf8_to_utf16("a\xff" "b", 3, back);
	ok(nb == 3 && back[1] == 0xfffd, "invalid UTF-8 becomes U+FFFD");

	memset(&f, 0, sizeof f);
	rec(&f, 9, "future");
	rec(&f, 1, "known");
	ok(parse(&o, &f) == 0 && o.n == 1 &&
		   is(&o.recs[0], BE_CREATE, "known"),
	   "an action this build does not know is skipped");

	memset(&f, 0, sizeof f);
	rec(&f, 1, "abc");
	put32(f.b + 8, 400); /* name longer than the buffer */
	ok(parse(&o, &f) < 0, "a name running past the end is refused");

	memset(&f, 0, sizeof f);
	rec(&f, 1, "abc");
	put32(f.b + 8, 5);
	ok(parse(&o, &f) < 0, "an odd name length is refused");

	memset(&f, 0, sizeof f);
	rec(&f, 1, "abc");
	rec(&f, 1, "def");
	put32(f.b, 6);
	ok(parse(&o, &f) < 0,
	   "a next offset inside the record itself is refused");

	memset(&f, 0, sizeof f);
	rec(&f, 1, "abc");
	rec(&f, 1, "def");
	put32(f.b, 400);
	ok(parse(&o, &f) < 0, "a next offset past the end is refused");

	/* Wine packs records without padding (seen: an offset of 22) */
	static const unsigned char wine[] = {
		0x16, 0, 0, 0, 1, 0, 0, 0, 0x0a, 0, 0, 0, 'a', 0, '.', 0,
		't', 0, 'x', 0, 't', 0, 0, 0, 0, 0, 3, 0, 0, 0, 0x0a, 0, 0,
		0, 'a', 0, '.', 0, 't', 0, 'x', 0, 't', 0,
	};
	memset(&f, 0, sizeof f);
	memcpy(f.b, wine, sizeof wine);
	f.len = sizeof wine;
	ok(parse(&o, &f) == 0 && o.n == 2 &&
		   is(&o.recs[0], BE_CREATE, "a.txt") &&
		   is(&o.recs[1], BE_MODIFY, "a.txt"),
	   "records packed without padding, as Wine writes them, are read");

	memset(&f, 0, sizeof f);
	ok(parse(&o, &f) == 0 && o.n == 0, "an empty buffer is no news");

	memset(&f, 0, sizeof f);
	for (int i = 0; i < 100; i++) {
		char name[32];
		snprintf(name, sizeof name, "file-%03d", i);
		rec(&f, 1, name);
	}
	ok(parse(&o, &f) == 0 && o.n == 100 &&
		   is(&o.recs[99], BE_CREATE, "file-099"),
	   "a buffer of 100 records is read to the end");

	wn_free(&o);
	printf("1..%d\n", count);
	return failed != 0;
}
