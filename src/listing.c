/*
 * listing.c - directory listings and their differences (see listing.h):
 * the entries of one listing, the per-name diff of two listings of one
 * directory, and the pairing of what vanished with what appeared into
 * moves across every directory compared in one round.  Owns no system
 * call and knows no backend.
 */
#include <stdlib.h>
#include <string.h>

#include "listing.h"

/* For sorting born sides by object, and paired gone sides by name. */
struct lkey {
	uint64_t a, b;
	const char *name; /* NULL: not part of the order */
	size_t i;
};

int
listing_add(struct listing *l, const char *name, size_t len,
	    const struct lattr *a)
{
	struct lent *e;
	size_t off = l->names.len;
	if (GROW(l->e, l->cap, l->n + 1) < 0 ||
	    buf_add(&l->names, name, len) < 0)
		return -1;
	l->names.len++; /* keep the NUL buf_add() wrote */
	e = &l->e[l->n++];
	memset(e, 0, sizeof *e);
	e->off = off;
	e->len = len;
	e->at = *a;
	return 0;
}

static int
lent_cmp(const void *pa, const void *pb)
{
	const struct lent *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	/* one name twice (a lister that saw it twice): a fixed order */
	if (a->at.ino != b->at.ino)
		return a->at.ino < b->at.ino ? -1 : 1;
	return (a->at.type > b->at.type) - (a->at.type < b->at.type);
}

void
listing_done(struct listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		l->e[i].name = l->names.p + l->e[i].off;
	if (l->n > 1)
		qsort(l->e, l->n, sizeof *l->e, lent_cmp);
}

void
listing_free(struct listing *l)
{
	free(l->e);
	free(l->names.p);
	memset(l, 0, sizeof *l);
}

void
listing_diff(const struct listing *old, const struct listing *now,
	     size_t *o2n, size_t *n2o)
{
	size_t i = 0, k = 0;
	for (size_t x = 0; x < old->n; x++)
		o2n[x] = LISTING_NONE;
	for (size_t x = 0; x < now->n; x++)
		n2o[x] = LISTING_NONE;
	while (i < old->n && k < now->n) {
		const struct lent *o = &old->e[i], *n = &now->e[k];
		int c = strcmp(o->name, n->name);
		if (c <= 0)
			i++;
		if (c >= 0)
			k++;
		if (c == 0 && o->at.ino == n->at.ino &&
		    o->at.type == n->at.type) {
			o2n[i - 1] = k - 1;
			n2o[k - 1] = i - 1;
		}
	}
}

unsigned
listing_changed(const struct lattr *was, const struct lattr *now)
{
	if (was->size != now->size || was->mtime != now->mtime)
		return LISTING_CONTENT;
	return was->ctime != now->ctime ? LISTING_META : 0;
}

void
moves_clear(struct moves *m)
{
	m->ngone = m->nborn = m->nkeys = 0;
}

static int
side_add(struct lside **v, size_t *n, size_t *cap, size_t dir, uint64_t dev,
	 const struct lent *e, size_t idx)
{
	struct lside *s;
	if (grow((void **)v, cap, *n + 1, sizeof **v) < 0)
		return -1;
	s = &(*v)[(*n)++];
	memset(s, 0, sizeof *s);
	s->dir = dir;
	s->idx = idx;
	s->name = e->name;
	s->len = e->len;
	s->dev = dev;
	s->ino = e->at.ino;
	s->type = e->at.type;
	s->mate = LISTING_NONE;
	return 0;
}

int
moves_add(struct moves *m, size_t dir, uint64_t dev,
	  const struct listing *old, const size_t *o2n,
	  const struct listing *now, const size_t *n2o)
{
	for (size_t i = 0; i < old->n; i++)
		if (o2n[i] == LISTING_NONE &&
		    side_add(&m->gone, &m->ngone, &m->capgone, dir, dev,
			     &old->e[i], i) < 0)
			return -1;
	for (size_t k = 0; k < now->n; k++)
		if (n2o[k] == LISTING_NONE &&
		    side_add(&m->born, &m->nborn, &m->capborn, dir, dev,
			     &now->e[k], k) < 0)
			return -1;
	return 0;
}

static int
key_cmp(const void *pa, const void *pb)
{
	const struct lkey *a = pa, *b = pb;
	int c;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	if (a->name && b->name && (c = strcmp(a->name, b->name)))
		return c;
	return (a->i > b->i) - (a->i < b->i);
}

/* The first of the N sorted keys not below WANT (its i not compared). */
static size_t
key_lower(const struct lkey *keys, size_t n, struct lkey want)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		want.i = keys[mid].i;
		if (key_cmp(&keys[mid], &want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Gone side G's mate: the first unpaired born side of its object. */
static void
pair_one(struct moves *m, size_t g)
{
	struct lside *s = &m->gone[g];
	struct lkey want = { s->dev, s->ino, NULL, 0 };
	size_t k = key_lower(m->keys, m->nborn, want);
	for (; k < m->nborn && m->keys[k].a == s->dev &&
	       m->keys[k].b == s->ino; k++) {
		struct lside *t = &m->born[m->keys[k].i];
		if (t->mate == LISTING_NONE && t->type == s->type) {
			t->mate = g;
			s->mate = m->keys[k].i;
			return;
		}
	}
}

int
moves_pair(struct moves *m)
{
	size_t need = m->nborn > m->ngone ? m->nborn : m->ngone;
	m->nkeys = 0;
	if (GROW(m->keys, m->capkeys, need + 1) < 0)
		return -1;
	for (size_t i = 0; i < m->nborn; i++) {
		struct lkey k = { m->born[i].dev, m->born[i].ino, NULL, i };
		m->born[i].mate = LISTING_NONE;
		m->keys[i] = k;
	}
	if (m->nborn > 1)
		qsort(m->keys, m->nborn, sizeof *m->keys, key_cmp);
	for (size_t g = 0; g < m->ngone; g++) {
		m->gone[g].mate = LISTING_NONE;
		if (!m->gone[g].dead)
			pair_one(m, g);
	}
	for (size_t g = 0; g < m->ngone; g++)
		if (m->gone[g].mate != LISTING_NONE) {
			struct lkey k = { m->gone[g].dir, 0, m->gone[g].name,
					  g };
			m->keys[m->nkeys++] = k;
		}
	if (m->nkeys > 1)
		qsort(m->keys, m->nkeys, sizeof *m->keys, key_cmp);
	return 0;
}

size_t
moves_freeing(const struct moves *m, size_t dir, const char *name)
{
	struct lkey want = { dir, 0, name, 0 };
	size_t k = key_lower(m->keys, m->nkeys, want);
	if (k < m->nkeys && m->keys[k].a == dir &&
	    !strcmp(m->keys[k].name, name))
		return m->keys[k].i;
	return LISTING_NONE;
}

void
moves_free(struct moves *m)
{
	free(m->gone);
	free(m->born);
	free(m->keys);
	memset(m, 0, sizeof *m);
}

/* Move G, after the move that frees its new name.  A gone side's state:
 * 0 waiting, 1 under way, 2 done, 3 broken in two (its create owed). */
static void
order_one(struct moves *m, size_t g, unsigned dirtype,
	  void (*step)(void *, size_t, enum move_step), void *ctx)
{
	struct lside *s = &m->gone[g];
	const struct lside *t = &m->born[s->mate];
	size_t q = moves_freeing(m, t->dir, t->name);
	s->state = 1;
	if (q != LISTING_NONE && q != g && m->gone[q].mate != LISTING_NONE) {
		if (m->gone[q].state == 0)
			order_one(m, q, dirtype, step, ctx);
		if (m->gone[q].state == 1 && s->type == dirtype) {
			/* Names swapped in a cycle: the core still has a
			 * directory under the new name. */
			step(ctx, g, MOVE_BREAK);
			s->state = 3;
			return;
		}
	}
	step(ctx, g, MOVE_RENAME);
	s->state = 2;
}

void
moves_order(struct moves *m, unsigned dirtype,
	    void (*step)(void *ctx, size_t g, enum move_step how), void *ctx)
{
	for (size_t g = 0; g < m->ngone; g++)
		m->gone[g].state = 0;
	/* Directories first: in a cycle, the rename that closes it is then
	 * a file's, which may go out of order (the core keeps no node for
	 * a file), where a directory's would have to be broken in two. */
	for (int dirs = 1; dirs >= 0; dirs--)
		for (size_t g = 0; g < m->ngone; g++)
			if (m->gone[g].mate != LISTING_NONE &&
			    m->gone[g].state == 0 &&
			    (m->gone[g].type == dirtype) == dirs)
				order_one(m, g, dirtype, step, ctx);
	for (size_t g = 0; g < m->ngone; g++)
		if (m->gone[g].state == 3)
			step(ctx, g, MOVE_REBORN);
}
