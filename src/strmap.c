/*
 * strmap.c - buffers and a string-keyed map with open addressing.
 */
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t nc;
	void *np;
	if (need <= *cap)
		return 0;
	nc = *cap ? *cap : 16;
	while (nc < need)
		nc *= 2;
	np = realloc(*p, nc * size);
	if (!np)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

int
buf_add(struct buf *b, const char *s, size_t n)
{
	if (grow((void **)&b->p, &b->cap, b->len + n + 1, 1) < 0)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* Eight bytes at a time: keys are paths, and a burst hashes each twice. */
static uint64_t
hash(const char *s, size_t n)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t h = n * k, w;
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	if (n) {
		w = 0;
		memcpy(&w, s, n);
		h = (h ^ w) * k;
	}
	h ^= h >> 32;
	h *= k;
	return h ^ (h >> 29);
}

void
smap_clear(struct smap *m)
{
	if (++m->gen == 0) { /* wrapped: old stamps could look current */
		if (m->t)
			memset(m->t, 0, m->cap * sizeof *m->t);
		m->gen = 1;
	}
	m->used = 0;
}

static int
live(const struct smap *m, const struct slot *s)
{
	return s->gen == m->gen && s->val >= 0;
}

/* The slot for KEY: where it is, or the empty slot where it would go. */
static struct slot *
smap_slot(struct smap *m, const char *key, size_t n, uint64_t h)
{
	struct slot *tomb = NULL;
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct slot *s = &m->t[i];
		if (s->gen != m->gen)
			return tomb ? tomb : s;
		if (s->val == -2) {
			if (!tomb)
				tomb = s;
		} else if (s->h == h && s->len == n &&
			   !memcmp(m->arena->p + s->off, key, n)) {
			return s;
		}
	}
}

static int
smap_rehash(struct smap *m)
{
	struct slot *old = m->t;
	size_t oc = m->cap;
	size_t nc = oc ? oc * 2 : 64;
	struct slot *t = calloc(nc, sizeof *t);
	if (!t)
		return -1;
	m->t = t;
	m->cap = nc;
	if (!m->gen)
		m->gen = 1; /* calloc'd slots carry generation 0: empty */
	m->used = 0;
	for (size_t i = 0; i < oc; i++) {
		if (live(m, &old[i])) {
			struct slot *s = smap_slot(m, m->arena->p + old[i].off,
						   old[i].len, old[i].h);
			*s = old[i];
			m->used++;
		}
	}
	free(old);
	return 0;
}

int
smap_get(struct smap *m, const char *key, size_t n)
{
	struct slot *s;
	if (!m->cap || !m->used)
		return -1;
	s = smap_slot(m, key, n, hash(key, n));
	return live(m, s) ? s->val : -1;
}

int
smap_put(struct smap *m, size_t off, size_t n, int val)
{
	const char *key;
	uint64_t h;
	struct slot *s;
	if ((m->used + 1) * 2 > m->cap && smap_rehash(m) < 0)
		return -1;
	key = m->arena->p + off;
	h = hash(key, n);
	s = smap_slot(m, key, n, h);
	if (!live(m, s)) {
		if (s->gen != m->gen)
			m->used++; /* a reused tombstone is counted already */
		s->gen = m->gen;
		s->h = h;
		s->off = off;
		s->len = n;
	}
	s->val = val;
	return 0;
}

int
smap_del(struct smap *m, const char *key, size_t n)
{
	struct slot *s;
	if (!m->cap || !m->used)
		return 0;
	s = smap_slot(m, key, n, hash(key, n));
	if (!live(m, s))
		return 0;
	s->val = -2; /* stays counted in 'used' until the next clear */
	return 1;
}


void
smap_free(struct smap *m)
{
	free(m->t);
	m->t = NULL;
	m->cap = m->used = 0;
}
