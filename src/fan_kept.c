/*
 * fan_kept.c - the paths fan_paths.c keeps between reads (fan_kept.h),
 * and struct fpaths' birth and forgetting.
 *
 * When full, all entries are forgotten, not the oldest: an LRU would
 * cost a list per lookup, and its order serves nothing here.  A tree
 * with more directories in use than MAX costs a callback per directory
 * per refill, and the memory stays bounded by MAX.  Entries are only
 * ever added (fan_paths.c asks before it adds), so the key and path
 * buffers hold no dead bytes until everything is forgotten.
 */
#include <stdlib.h>
#include <string.h>

#include "fan_kept.h"

/* Eight bytes at a time, the last eight again for a ragged end (keys
 * are longer than eight): a burst of writes hashes a key per event. */
uint64_t
fk_hash(const unsigned char *s, size_t n)
{
	const uint64_t mul = 0xff51afd7ed558ccdull;
	const unsigned char *end = s + n;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w = 0;
	int whole = n >= 8;
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * mul;
		h ^= h >> 32;
	}
	if (n) {
		if (whole)
			memcpy(&w, end - 8, 8);
		else
			for (w = 0; n; n--)
				w = w << 8 | *s++;
		h = (h ^ w) * mul;
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 32);
}

void
fpaths_init(struct fpaths *p, size_t max)
{
	memset(p, 0, sizeof *p);
	p->max = max;
}

/* Every read that moves a directory forgets: a large table is given
 * back rather than cleared each time (it grows again as it fills). */
void
fpaths_forget(struct fpaths *p)
{
	if (p->cap > 1024) {
		free(p->tab);
		p->tab = NULL;
		p->cap = 0;
	} else if (p->tab) {
		memset(p->tab, 0, p->cap * sizeof *p->tab);
	}
	p->used = 0;
	p->keys.len = p->paths.len = 0;
}

struct fpaths_entry *
fk_find(const struct fpaths *p, const unsigned char *key, size_t klen,
	uint64_t h)
{
	size_t mask, i;
	if (!p->used)
		return NULL;
	mask = p->cap - 1;
	for (i = (size_t)h & mask; p->tab[i].klen; i = (i + 1) & mask) {
		struct fpaths_entry *e = &p->tab[i];
		if (e->h == h && e->klen == klen &&
		    !memcmp(p->keys.p + e->koff, key, klen))
			return e;
	}
	return NULL;
}

static int
grow_tab(struct fpaths *p)
{
	size_t cap = p->cap ? p->cap * 2 : 64;
	struct fpaths_entry *t = calloc(cap, sizeof *t);
	if (!t)
		return -1;
	for (size_t i = 0; i < p->cap; i++) {
		size_t j;
		if (!p->tab[i].klen)
			continue;
		for (j = (size_t)p->tab[i].h & (cap - 1); t[j].klen;
		     j = (j + 1) & (cap - 1))
			;
		t[j] = p->tab[i];
	}
	free(p->tab);
	p->tab = t;
	p->cap = cap;
	return 0;
}

int
fk_add(struct fpaths *p, const unsigned char *key, size_t klen, uint64_t h,
       const char *path, size_t plen)
{
	struct fpaths_entry *e;
	size_t i;
	if (!p->max || !klen)
		return 0;
	if (p->used >= p->max)
		fpaths_forget(p);
	if ((p->used + 1) * 2 > p->cap && grow_tab(p) < 0)
		return -1;
	for (i = (size_t)h & (p->cap - 1); p->tab[i].klen;
	     i = (i + 1) & (p->cap - 1))
		;
	e = &p->tab[i];
	e->koff = p->keys.len;
	e->poff = p->paths.len;
	if (buf_add(&p->keys, (const char *)key, klen) < 0 ||
	    buf_add(&p->paths, path, plen) < 0)
		return -1;
	e->h = h;
	e->klen = klen;
	e->plen = plen;
	p->used++;
	return 0;
}

