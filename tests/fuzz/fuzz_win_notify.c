/*
 * fuzz_win_notify.c - the FILE_NOTIFY_INFORMATION parser of the Windows
 * backend, on buffers the fuzzer makes.
 *
 * The input is one completed read.  It is parsed as be_read() in
 * watch_win.c does: after an empty name at offset 0, twice into the same
 * wn_out (two completions of one batch), for two directory watches.  A
 * malformed buffer may be refused, but every record handed out must
 * point at a NUL-terminated name inside the names buffer and carry flags
 * the core knows.
 */
#include "fuzz.h"

#include "win_notify.h"

#define DIR "C:/w"
#define DIR2 "C:/w/sub"
#define ALL_BE_BITS 0xffffu

struct ctx {
	const char *dir;
	size_t dirlen;
	int calls;
};

/* "a directory" is any entry whose last component starts with 'd' */
static int
isdir(void *arg, const char *path, size_t len)
{
	struct ctx *c = arg;
	c->calls++;
	FUZZ_CHECK(len > c->dirlen && path[len] == '\0');
	FUZZ_CHECK(!memcmp(path, c->dir, c->dirlen) && path[c->dirlen] == '/');
	const char *base = path + len;
	while (base > path && base[-1] != '/')
		base--;
	return *base == 'd';
}

/* Records FROM up to TO came from a call with watch ID; R is what it
 * returned. */
static void
check(const struct wn_out *o, size_t from, size_t to, int id, int r)
{
	for (size_t i = from; i < to; i++) {
		const struct fw_raw *x = &o->recs[i];
		unsigned kind = x->flags & ~BE_ISDIR;
		FUZZ_CHECK(x->id == id);
		FUZZ_CHECK(!(x->flags & ~ALL_BE_BITS));
		FUZZ_CHECK(x->name >= o->names.p &&
			   x->name_len < o->names.len &&
			   (size_t)(x->name - o->names.p) <
				   o->names.len - x->name_len);
		FUZZ_CHECK(x->name[x->name_len] == '\0');
		FUZZ_CHECK(!memchr(x->name, '\\', x->name_len));
		FUZZ_CHECK(fuzz_wtf8_valid(x->name, x->name_len));
		FUZZ_CHECK(kind == BE_CREATE || kind == BE_DELETE ||
			   kind == BE_MODIFY || kind == BE_MOVED_FROM ||
			   kind == BE_MOVED_TO);
		FUZZ_CHECK(!(x->flags & BE_ISDIR) ||
			   kind & (BE_CREATE | BE_MOVED_FROM | BE_MOVED_TO));
		if (kind == BE_MOVED_FROM) {
			/* its other half follows at once, with one cookie;
			 * only a refused buffer may cut a pair short */
			if (i + 1 == to) {
				FUZZ_CHECK(r < 0);
				continue;
			}
			const struct fw_raw *y = &o->recs[i + 1];
			FUZZ_CHECK((y->flags & ~BE_ISDIR) == BE_MOVED_TO);
			FUZZ_CHECK(x->cookie && x->cookie == y->cookie);
			FUZZ_CHECK((x->flags & BE_ISDIR) == (y->flags & BE_ISDIR));
			i++;
		} else {
			FUZZ_CHECK(kind != BE_MOVED_TO);
			FUZZ_CHECK(x->cookie == 0);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wn_out o;
	struct ctx c = { DIR, sizeof DIR - 1, 0 };
	struct ctx c2 = { DIR2, sizeof DIR2 - 1, 0 };
	memset(&o, 0, sizeof o);

	/* the input alone in a block of its size, so a read past it is seen
	 * even when libFuzzer's own buffer is larger */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	if (size)
		memcpy(buf, data, size);

	wn_reset(&o);
	FUZZ_CHECK(buf_add(&o.names, "", 1) == 0);
	int r1 = wn_parse(&o, 3, buf, size, c.dir, c.dirlen, isdir, &c);
	FUZZ_CHECK(r1 == 0 || r1 == -1);
	size_t n1 = o.n;
	/* a second directory's completion, appended behind the first's */
	int r2 = wn_parse(&o, 4, buf, size, c2.dir, c2.dirlen, isdir, &c2);
	FUZZ_CHECK(r2 == r1);
	FUZZ_CHECK(o.n - n1 == n1);
	wn_done(&o);
	check(&o, 0, n1, 3, r1);
	check(&o, n1, o.n, 4, r2);
	/* the directory is not part of a name: both say the same */
	for (size_t i = 0; i < n1; i++) {
		const struct fw_raw *x = &o.recs[i], *y = &o.recs[n1 + i];
		FUZZ_CHECK(x->flags == y->flags && x->name_len == y->name_len &&
			   !memcmp(x->name, y->name, x->name_len));
		FUZZ_CHECK(!x->cookie == !y->cookie);
	}

	/* the same again after a reset reuses the memory and says the same */
	size_t n = o.n;
	wn_reset(&o);
	FUZZ_CHECK(buf_add(&o.names, "", 1) == 0);
	FUZZ_CHECK(wn_parse(&o, 3, buf, size, c.dir, c.dirlen, isdir, &c) ==
		   r1);
	FUZZ_CHECK(o.n == n1);
	FUZZ_CHECK(wn_parse(&o, 4, buf, size, c2.dir, c2.dirlen, isdir, &c2) ==
		   r2);
	FUZZ_CHECK(o.n == n);
	wn_done(&o);
	check(&o, 0, n1, 3, r1);
	check(&o, n1, o.n, 4, r2);

	wn_free(&o);
	free(buf);
	return 0;
}
