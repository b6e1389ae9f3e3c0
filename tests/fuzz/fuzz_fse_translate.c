/*
 * fuzz_fse_translate.c - the FSEvents translator on batches the fuzzer
 * makes, against a made-up disk.
 *
 * The input is a list of events, each 5 bytes (flags, 3 bytes
 * little-endian; how far its id is from the last one's; its file id,
 * 0 for none) then its path up to a newline: below the watched
 * directory unless it starts with '/'.  The first byte picks the
 * watch: bit 0 a subtree watch, bit 1 the directory already gone.  The
 * events are translated as two batches (the first half, then the rest),
 * as be_read() in watch_fsevents.c does with two callbacks.  A path is
 * "there" unless its hash says otherwise, a directory if its last
 * component starts with 'd'.  Every record must name an entry inside
 * the names buffer, carry a kind the core knows, and pair renames by a
 * cookie given to an old half first; nothing follows the directory's
 * own end.
 */
#include "fuzz.h"

#include "fse_translate.h"

#define ROOT "/w/root"
#define ROOT_INO 99u

struct disk {
	int root_gone;
	int calls;
};

static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int
look(void *ctx, const char *path, struct fse_stat *st)
{
	struct disk *d = ctx;
	const char *base = strrchr(path, '/');
	uint32_t h = hash(path);
	d->calls++;
	if (!strcmp(path, ROOT)) {
		if (d->root_gone)
			return -1;
		st->isdir = 1;
		st->ino = ROOT_INO;
		return 0;
	}
	if (h % 3 == 0)
		return -1;
	st->isdir = base && base[1] == 'd';
	st->ino = h % 7 + 1;
	return 0;
}

static void
check(const struct fse_out *o, const struct fse_root *r, uint32_t prior)
{
	uint32_t from[512];
	size_t nfrom = 0;
	int ended = 0;
	for (size_t i = 0; i < o->n; i++) {
		const struct fw_raw *x = &o->recs[i];
		unsigned kind = x->flags & ~BE_ISDIR;
		FUZZ_CHECK(!ended);
		FUZZ_CHECK(x->id == r->id);
		FUZZ_CHECK(x->name >= o->names.p &&
			   x->name_len < o->names.len &&
			   (size_t)(x->name - o->names.p) <
				   o->names.len - x->name_len);
		FUZZ_CHECK(x->name[x->name_len] == '\0');
		FUZZ_CHECK(strlen(x->name) == x->name_len);
		if (!r->subtree)
			FUZZ_CHECK(!memchr(x->name, '/', x->name_len));
		if (kind == BE_OVERFLOW) { /* of a subtree, "" for all of it */
			FUZZ_CHECK(!x->cookie);
			continue;
		}
		if (kind == (BE_SELF_DELETE | BE_IGNORED)) {
			FUZZ_CHECK(!x->name_len && r->gone);
			ended = 1;
			continue;
		}
		FUZZ_CHECK(kind == BE_ATTRIB || x->name_len);
		FUZZ_CHECK(kind == BE_CREATE || kind == BE_DELETE ||
			   kind == BE_MODIFY || kind == BE_ATTRIB ||
			   kind == BE_MOVED_FROM || kind == BE_MOVED_TO);
		FUZZ_CHECK(kind != BE_MODIFY || !(x->flags & BE_ISDIR));
		if (kind == BE_MOVED_FROM) {
			FUZZ_CHECK(x->cookie && nfrom < 512);
			for (size_t k = 0; k < nfrom; k++)
				FUZZ_CHECK(from[k] != x->cookie);
			from[nfrom++] = x->cookie;
		} else if (kind == BE_MOVED_TO) {
			int found = prior && x->cookie == prior;
			for (size_t k = 0; k < nfrom && !found; k++)
				found = from[k] == x->cookie;
			FUZZ_CHECK(found);
		} else {
			FUZZ_CHECK(!x->cookie);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fse_event ev[64];
	char *paths[64];
	size_t n = 0, i = 1;
	uint64_t id = 1000;
	struct disk d = { 0, 0 };
	struct fse_root r;
	struct fse_out o;

	if (!size)
		return 0;
	memset(&r, 0, sizeof r);
	memset(&o, 0, sizeof o);
	r.id = 3;
	r.path = ROOT;
	r.len = sizeof ROOT - 1;
	r.subtree = data[0] & 1;
	r.ino = ROOT_INO;
	r.since = 900;
	d.root_gone = !!(data[0] & 2);
	while (i + 5 <= size && n < 64) {
		const uint8_t *p = data + i;
		const uint8_t *nl = memchr(p + 5, '\n', size - i - 5);
		size_t plen = nl ? (size_t)(nl - p - 5) : size - i - 5;
		int abs = plen && p[5] == '/';
		if (!(paths[n] = malloc(sizeof ROOT + plen + 1)))
			abort();
		snprintf(paths[n], sizeof ROOT + plen + 1, "%s%s%.*s",
			 abs ? "" : ROOT, abs ? "" : "/", (int)plen,
			 (const char *)p + 5);
		ev[n].path = paths[n];
		ev[n].flags = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
			      (uint32_t)p[2] << 16;
		id += p[3];
		ev[n].id = id;
		ev[n].ino = p[4];
		n++;
		i += 5 + plen + (nl != NULL);
	}
	FUZZ_CHECK(fse_reset(&o) == 0);
	FUZZ_CHECK(fse_translate(&o, &r, ev, n / 2, look, &d) == 0);
	fse_done(&o);
	check(&o, &r, 0);
	{
		uint32_t prior = r.pend ? r.pend_cookie : 0;
		FUZZ_CHECK(fse_reset(&o) == 0);
		FUZZ_CHECK(fse_translate(&o, &r, ev + n / 2, n - n / 2, look,
					 &d) == 0);
		fse_done(&o);
		check(&o, &r, prior);
	}
	FUZZ_CHECK(d.calls <= 2 * (int)n + 2);
	for (size_t k = 0; k < n; k++)
		free(paths[k]);
	fse_free(&o);
	return 0;
}
