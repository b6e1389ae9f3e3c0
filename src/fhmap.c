/*
 * fhmap.c - a map from opaque keys (file handles) to ids and back: one
 * array of entries and two open-addressing tables of entry numbers, one
 * by key and one by id, with backward-shift deletion so that no
 * tombstone slows a map whose directories come and go.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fhmap.h"

#define EMPTY (-1)

/* The bytes of a handle are mostly an inode number and a generation:
 * mixed eight at a time. */
static uint64_t
hash_key(const void *key, size_t n)
{
	const unsigned char *s = key;
	const uint64_t mul = 0xff51afd7ed558ccdull;
	uint64_t h = 0xcbf29ce484222325ull ^ n, w;
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * mul;
		h ^= h >> 33;
	}
	if (n) {
		w = 0;
		memcpy(&w, s, n);
		h = (h ^ w) * mul;
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 32);
}

static uint64_t
hash_id(int id)
{
	uint64_t h = (uint64_t)(unsigned)id * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 31);
}

static const unsigned char *
ent_key(const struct fh_ent *e)
{
	unsigned char *p;
	if (e->len <= FH_IN)
		return e->k;
	memcpy(&p, e->k, sizeof p);
	return p;
}

void
fhmap_init(struct fhmap *m)
{
	memset(m, 0, sizeof *m);
	m->freelist = EMPTY;
}

void
fhmap_free(struct fhmap *m)
{
	for (size_t i = 0; i < m->ne; i++)
		if (m->e[i].id >= 0 && m->e[i].len > FH_IN)
			free((void *)ent_key(&m->e[i]));
	free(m->e);
	free(m->byk);
	free(m->byid);
	fhmap_init(m);
}

size_t
fhmap_count(const struct fhmap *m)
{
	return m->used;
}

/* ---- the two tables ------------------------------------------------------ */

/* The slot of table T where entry X lives; -1 if it is not there. */
static size_t
slot_of(const struct fhmap *m, const int32_t *t, uint64_t h, int32_t x)
{
	size_t mask = m->cap - 1, i = (size_t)h & mask;
	while (t[i] != x)
		i = (i + 1) & mask;
	return i;
}

static void
put(const struct fhmap *m, int32_t *t, uint64_t h, int32_t x)
{
	size_t mask = m->cap - 1, i = (size_t)h & mask;
	while (t[i] != EMPTY)
		i = (i + 1) & mask;
	t[i] = x;
}

/* The hash by which entry X is filed in table T. */
static uint64_t
home_hash(const struct fhmap *m, const int32_t *t, int32_t x)
{
	return t == m->byk ? m->e[x].h : hash_id(m->e[x].id);
}

/* Empty slot I of table T, shifting later members of its run back. */
static void
take_out(struct fhmap *m, int32_t *t, size_t i)
{
	size_t mask = m->cap - 1, j = i;
	t[i] = EMPTY;
	for (;;) {
		j = (j + 1) & mask;
		if (t[j] == EMPTY)
			return;
		size_t home = (size_t)home_hash(m, t, t[j]) & mask;
		/* j stays unless its home is cyclically in (i, j] */
		int stays = i <= j ? (home > i && home <= j)
				   : (home > i || home <= j);
		if (!stays) {
			t[i] = t[j];
			t[j] = EMPTY;
			i = j;
		}
	}
}

/* File every entry in use in the tables, emptied first. */
static void
refile(struct fhmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		m->byk[i] = m->byid[i] = EMPTY;
	for (size_t x = 0; x < m->ne; x++) {
		if (m->e[x].id < 0)
			continue;
		put(m, m->byk, m->e[x].h, (int32_t)x);
		put(m, m->byid, hash_id(m->e[x].id), (int32_t)x);
	}
}

/* New tables of CAP slots; -1 if out of memory (the old ones stay). */
static int
rebuild(struct fhmap *m, size_t cap)
{
	int32_t *k = malloc(cap * sizeof *k), *d = malloc(cap * sizeof *d);
	if (!k || !d) {
		free(k);
		free(d);
		return -1;
	}
	free(m->byk);
	free(m->byid);
	m->byk = k;
	m->byid = d;
	m->cap = cap;
	refile(m);
	return 0;
}

/* ---- finding ---------------------------------------------------------- */

int
fhmap_find(const struct fhmap *m, const void *key, size_t len)
{
	uint32_t h;
	size_t mask, i;
	if (!m->used)
		return -1;
	h = (uint32_t)hash_key(key, len);
	mask = m->cap - 1;
	for (i = (size_t)h & mask; m->byk[i] != EMPTY; i = (i + 1) & mask) {
		const struct fh_ent *e = &m->e[m->byk[i]];
		if (e->h == h && e->len == len && !memcmp(ent_key(e), key, len))
			return e->id;
	}
	return -1;
}

/* The entry of ID, or -1. */
static int32_t
entry_of(const struct fhmap *m, int id)
{
	size_t mask, i;
	if (!m->used || id < 0)
		return -1;
	mask = m->cap - 1;
	for (i = (size_t)hash_id(id) & mask; m->byid[i] != EMPTY;
	     i = (i + 1) & mask)
		if (m->e[m->byid[i]].id == id)
			return m->byid[i];
	return -1;
}

const void *
fhmap_key(const struct fhmap *m, int id, size_t *len)
{
	int32_t x = entry_of(m, id);
	if (x < 0)
		return NULL;
	*len = m->e[x].len;
	return ent_key(&m->e[x]);
}

/* ---- adding and removing -------------------------------------------- */

/* A free entry; -1 if out of memory. */
static int32_t
new_entry(struct fhmap *m)
{
	int32_t x = m->freelist;
	if (x >= 0) {
		m->freelist = (int32_t)m->e[x].h;
		return x;
	}
	if (m->ne == m->cape) {
		size_t nc = m->cape ? m->cape * 2 : 64;
		struct fh_ent *ne = nc > INT32_MAX ? NULL
						   : realloc(m->e, nc * sizeof *ne);
		if (!ne)
			return -1;
		m->e = ne;
		m->cape = nc;
	}
	return (int32_t)m->ne++;
}

static void
free_entry(struct fhmap *m, int32_t x)
{
	struct fh_ent *e = &m->e[x];
	if (e->len > FH_IN)
		free((void *)ent_key(e));
	e->id = -1;
	e->len = 0;
	e->h = (uint32_t)m->freelist;
	m->freelist = x;
}

int
fhmap_add(struct fhmap *m, const void *key, size_t len, int id)
{
	int32_t x;
	struct fh_ent *e;
	if (id < 0 || !len || len > 255) {
		errno = EINVAL;
		return -1;
	}
	if ((m->used + 1) * 2 > m->cap &&
	    rebuild(m, m->cap ? m->cap * 2 : 128) < 0)
		goto nomem;
	if ((x = new_entry(m)) < 0)
		goto nomem;
	e = &m->e[x];
	if (len > FH_IN) {
		unsigned char *p = malloc(len);
		if (!p) {
			e->len = 0;
			free_entry(m, x);
			goto nomem;
		}
		memcpy(p, key, len);
		memcpy(e->k, &p, sizeof p);
	} else {
		memcpy(e->k, key, len);
	}
	e->len = (unsigned char)len;
	e->id = id;
	e->h = (uint32_t)hash_key(key, len);
	put(m, m->byk, e->h, x);
	put(m, m->byid, hash_id(id), x);
	m->used++;
	return 0;
nomem:
	errno = ENOMEM;
	return -1;
}

int
fhmap_del(struct fhmap *m, int id)
{
	int32_t x = entry_of(m, id);
	if (x < 0) {
		errno = EINVAL;
		return -1;
	}
	take_out(m, m->byk, slot_of(m, m->byk, m->e[x].h, x));
	take_out(m, m->byid, slot_of(m, m->byid, hash_id(id), x));
	free_entry(m, x);
	m->used--;
	return 0;
}

/* ---- giving memory back ------------------------------------------------ */

int
fhmap_trim(struct fhmap *m)
{
	size_t k = 0, cap = 128;
	struct fh_ent *ne;
	if (m->ne <= 256 || m->used * 4 > m->ne)
		return 0;
	/* entries in use to the front, in order; the free list is gone */
	for (size_t x = 0; x < m->ne; x++)
		if (m->e[x].id >= 0)
			m->e[k++] = m->e[x];
	m->ne = k;
	m->freelist = EMPTY;
	while (cap < 2 * (k + 1))
		cap *= 2;
	if ((ne = realloc(m->e, (k ? k : 1) * sizeof *ne))) {
		m->e = ne;
		m->cape = k ? k : 1;
	}
	/* Out of memory for smaller tables, the old ones stay: refiled,
	 * since entry numbers changed. */
	if (rebuild(m, cap) < 0)
		refile(m);
	return 1;
}
