/*
 * fuzz_fan_parse.c - the fanotify event parser of the fanotify backend,
 * on buffers the fuzzer makes.
 *
 * The input is one read(2) of a fanotify descriptor.  A directory is
 * "watched" when the last byte of its key is even (its id: that byte
 * plus one), as watch_fanotify.c's handle map would say.  Whatever the
 * buffer, every record handed out must name a watched directory (or be
 * an overflow), carry flags the core knows, and a name that lies inside
 * the buffer, is NUL-terminated and joins to a path as one component;
 * a cookie is one rename's, its halves back to back.  Then the same
 * buffer placed (fp_translate with places): a key whose last byte is 1
 * modulo 3 is also below tree 1001 as "t/u", one whose last byte is a
 * multiple of 5 and not watched itself cannot be found; records on the
 * tree are named "t/u" or "t/u/NAME", and what cannot be found ends the
 * read with one overflow.
 */
#include "fuzz.h"

#include "fan_parse.h"

#define ALL_BE_BITS 0xffffu

struct ctx {
	const uint8_t *buf;
	size_t len;
	int gone;
};

static int
lookup(void *arg, const void *key, size_t len)
{
	struct ctx *c = arg;
	const uint8_t *k = key;
	FUZZ_CHECK(k >= c->buf && len <= c->len &&
		   (size_t)(k - c->buf) <= c->len - len);
	if (!len || k[len - 1] % 2)
		return -1;
	return k[len - 1] + 1;
}

static void
gone(void *arg, int id)
{
	struct ctx *c = arg;
	FUZZ_CHECK(id > 0);
	c->gone++;
}

static void
check(const struct fp_out *o, const struct ctx *c)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct fw_raw *r = &o->recs[i];
		FUZZ_CHECK(!(r->flags & ~ALL_BE_BITS));
		if (r->flags & BE_OVERFLOW) {
			FUZZ_CHECK(r->id == -1 && r->name_len == 0);
			continue;
		}
		FUZZ_CHECK(r->id > 0 && r->id % 2);
		FUZZ_CHECK(r->name[r->name_len] == '\0');
		if (r->name_len) {
			const uint8_t *n = (const uint8_t *)r->name;
			FUZZ_CHECK(n >= c->buf && n + r->name_len < c->buf + c->len);
			FUZZ_CHECK(!memchr(r->name, '/', r->name_len));
			FUZZ_CHECK(strcmp(r->name, ".") && strcmp(r->name, ".."));
			FUZZ_CHECK(!(r->flags & (BE_SELF_DELETE | BE_SELF_MOVE |
						 BE_IGNORED)));
		}
		if (r->flags & (BE_MOVED_FROM | BE_MOVED_TO))
			FUZZ_CHECK(r->cookie != 0);
		else
			FUZZ_CHECK(r->cookie == 0);
		/* a cookie is one rename's: its halves back to back */
		for (size_t j = 0; j < i && r->cookie; j++) {
			const struct fw_raw *q = &o->recs[j];
			if (q->cookie != r->cookie)
				continue;
			FUZZ_CHECK(j + 1 == i && (q->flags & BE_MOVED_FROM) &&
				   (r->flags & BE_MOVED_TO));
		}
	}
}

#define TREE 1001

static int
places(void *arg, size_t ev, int side, const void *key, size_t len,
       struct fp_place *out)
{
	const uint8_t *k = key;
	int n = 0, own = lookup(arg, key, len);
	(void)ev;
	FUZZ_CHECK(side >= FP_SIDE_DIR && side <= FP_SIDE_NEW);
	if (own >= 0) {
		out[n].id = own;
		out[n].pre = "";
		out[n++].prelen = 0;
	}
	if (len && k[len - 1] % 3 == 1) {
		out[n].id = TREE;
		out[n].pre = "t/u";
		out[n++].prelen = 3;
	} else if (own < 0 && len && k[len - 1] % 5 == 0) {
		return -1;
	}
	return n;
}

static void
check_placed(const struct fp_out *o, const struct fp_batch *b)
{
	size_t overflows = 0, queue = 0;
	for (size_t i = 0; i < b->n; i++)
		queue += !!(b->ev[i].mask & FP_Q_OVERFLOW);
	for (size_t i = 0; i < o->n; i++) {
		const struct fw_raw *r = &o->recs[i];
		FUZZ_CHECK(r->name[r->name_len] == '\0');
		if (r->flags & BE_OVERFLOW) {
			overflows++;
			continue;
		}
		if (r->id != TREE)
			continue;
		FUZZ_CHECK(r->name_len >= 3 && !memcmp(r->name, "t/u", 3));
		FUZZ_CHECK(r->name_len == 3 || (r->name[3] == '/' &&
			   r->name_len > 4 &&
			   !memchr(r->name + 4, '/', r->name_len - 4)));
		FUZZ_CHECK(!(r->flags & (BE_SELF_DELETE | BE_SELF_MOVE |
					 BE_IGNORED)));
	}
	/* the kernel's own, and at most one for what could not be placed
	 * and one for a malformed end */
	FUZZ_CHECK(overflows <= queue + 1 + o->malformed);
	FUZZ_CHECK(!o->unplaced || (o->n && (o->recs[o->n - 1].flags &
					      BE_OVERFLOW)));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fp_out o;
	memset(&o, 0, sizeof o);
	/* the input alone in a block of its size, so a read past it is
	 * seen even when libFuzzer's own buffer is larger */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	if (size)
		memcpy(buf, data, size);
	struct ctx c = { buf, size, 0 };

	FUZZ_CHECK(fp_parse(&o, buf, size, lookup, gone, &c) == 0);
	check(&o, &c);
	FUZZ_CHECK(o.malformed <= 1);
	FUZZ_CHECK(!o.malformed || (o.n && (o.recs[o.n - 1].flags & BE_OVERFLOW)));
	/* the same again, appended: the same records behind the first */
	size_t n = o.n;
	int g = c.gone;
	FUZZ_CHECK(fp_parse(&o, buf, size, lookup, gone, &c) == 0);
	FUZZ_CHECK(o.n == 2 * n && c.gone == 2 * g);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(o.recs[i].id == o.recs[n + i].id &&
			   o.recs[i].flags == o.recs[n + i].flags &&
			   o.recs[i].name == o.recs[n + i].name);
	check(&o, &c);

	struct fp_batch b = { 0 };
	fp_reset(&o);
	o.malformed = 0;
	FUZZ_CHECK(fp_split(&b, buf, size) == 0);
	FUZZ_CHECK(fp_translate(&o, &b, lookup, places, gone, &c) == 0);
	check_placed(&o, &b);
	free(b.ev);
	fp_free(&o);
	free(buf);
	return 0;
}
