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

static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	while (n--)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

void
smap_clear(struct smap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		m->t[i].val = -1;
	m->used = 0;
}

/* The slot for KEY: where it is, or the empty slot where it would go. */
static struct slot *
smap_slot(struct smap *m, const char *key, size_t n, uint64_t h)
{
	struct slot *tomb = NULL;
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct slot *s = &m->t[i];
		if (s->val == -1)
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
	struct slot *t = malloc(nc * sizeof *t);
	if (!t)
		return -1;
	m->t = t;
	m->cap = nc;
	smap_clear(m);
	for (size_t i = 0; i < oc; i++) {
		if (old[i].val >= 0) {
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
	return s->val >= 0 ? s->val : -1;
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
	if (s->val < 0) {
		m->used++;
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
	if (s->val < 0)
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
