/*
 * snap.c - the entry snapshot behind --snapshot (see snap.h).
 *
 * Memory: one 48-byte record per entry in one array (free slots chained
 * through 'next'), a 4-byte hash bucket per entry, and the names in one
 * arena that is repacked when half of it is dead.  No malloc per entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snap.h"

void
snap_init(struct snap *s)
{
	memset(s, 0, sizeof *s);
	s->freelist = -1;
}

void
snap_free(struct snap *s)
{
	free(s->e);
	free(s->bucket);
	free(s->head);
	free(s->names.p);
	snap_init(s);
}

static size_t
hash(int dir, const char *name, size_t len)
{
	uint64_t h = 1469598103934665603u ^ (uint64_t)(unsigned)dir;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211u;
	return (size_t)(h ^ h >> 29);
}

static int
same(const struct snap *s, int i, int dir, const char *name, size_t len)
{
	const struct snap_ent *e = &s->e[i];
	return e->dir == dir && e->nlen == len &&
	       !memcmp(s->names.p + e->name, name, len);
}

int
snap_find(const struct snap *s, int dir, const char *name, size_t len)
{
	if (!s->nb)
		return -1;
	for (int i = s->bucket[hash(dir, name, len) & (s->nb - 1)]; i >= 0;
	     i = s->e[i].hnext)
		if (same(s, i, dir, name, len))
			return i;
	return -1;
}

static void
hash_in(struct snap *s, int i)
{
	struct snap_ent *e = &s->e[i];
	size_t b = hash(e->dir, s->names.p + e->name, e->nlen) & (s->nb - 1);
	e->hnext = s->bucket[b];
	s->bucket[b] = i;
}

static void
hash_out(struct snap *s, int i)
{
	struct snap_ent *e = &s->e[i];
	int *p = &s->bucket[hash(e->dir, s->names.p + e->name, e->nlen) &
			    (s->nb - 1)];
	while (*p >= 0 && *p != i)
		p = &s->e[*p].hnext;
	if (*p == i)
		*p = e->hnext;
}

static int
rehash(struct snap *s, size_t nb)
{
	int *b = malloc(nb * sizeof *b);
	if (!b)
		return -1;
	for (size_t i = 0; i < nb; i++)
		b[i] = -1;
	free(s->bucket);
	s->bucket = b;
	s->nb = nb;
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].dir >= 0)
			hash_in(s, (int)i);
	return 0;
}

static void
list_in(struct snap *s, int i)
{
	struct snap_ent *e = &s->e[i];
	e->prev = -1;
	e->next = s->head[e->dir];
	if (e->next >= 0)
		s->e[e->next].prev = i;
	s->head[e->dir] = i;
}

static void
list_out(struct snap *s, int i)
{
	struct snap_ent *e = &s->e[i];
	if (e->prev >= 0)
		s->e[e->prev].next = e->next;
	else
		s->head[e->dir] = e->next;
	if (e->next >= 0)
		s->e[e->next].prev = e->prev;
}

static int
heads_for(struct snap *s, int dir)
{
	size_t old = s->nhead;
	if ((size_t)dir < old)
		return 0;
	if (GROW(s->head, s->nhead, (size_t)dir + 1) < 0)
		return -1;
	for (size_t i = old; i < s->nhead; i++)
		s->head[i] = -1;
	return 0;
}

/* Copy the live names into a fresh arena: deletions leave holes. */
static void
repack(struct snap *s)
{
	struct buf nb = { 0 };
	for (size_t i = 0; i < s->n; i++) {
		struct snap_ent *e = &s->e[i];
		if (e->dir < 0)
			continue;
		size_t off = nb.len;
		if (buf_add(&nb, s->names.p + e->name, e->nlen) < 0 ||
		    buf_add(&nb, "", 1) < 0) {
			free(nb.p);
			return; /* keep the old one */
		}
		e->name = (uint32_t)off;
	}
	free(s->names.p);
	s->names = nb;
	s->garbage = 0;
}

static int
name_add(struct snap *s, const char *name, size_t len, uint32_t *off)
{
	if (len > UINT16_MAX || s->names.len + len + 1 > UINT32_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	*off = (uint32_t)s->names.len;
	if (buf_add(&s->names, name, len) < 0 || buf_add(&s->names, "", 1) < 0)
		return -1;
	return 0;
}

static void
name_drop(struct snap *s, int i)
{
	s->garbage += s->e[i].nlen + 1u;
}

void
snap_set(struct snap *s, int idx, const struct sys_info *i)
{
	struct snap_ent *e = &s->e[idx];
	e->ino = i->ino;
	e->size = i->size;
	e->mtime = i->mtime;
	e->type = (unsigned char)i->type;
}

int
snap_put(struct snap *s, int dir, const char *name, size_t len,
	 const struct sys_info *i)
{
	int idx = snap_find(s, dir, name, len);
	uint32_t off;
	if (idx >= 0) {
		snap_set(s, idx, i);
		return idx;
	}
	if (heads_for(s, dir) < 0 || name_add(s, name, len, &off) < 0)
		return -1;
	if (s->freelist >= 0) {
		idx = s->freelist;
		s->freelist = s->e[idx].next;
	} else {
		if (GROW(s->e, s->cap, s->n + 1) < 0)
			return -1;
		idx = (int)s->n++;
	}
	struct snap_ent *e = &s->e[idx];
	memset(e, 0, sizeof *e);
	e->dir = dir;
	e->name = off;
	e->nlen = (uint16_t)len;
	snap_set(s, idx, i);
	s->live++;
	list_in(s, idx);
	if (s->live > s->nb) {
		if (rehash(s, s->nb ? s->nb * 2 : 64) < 0) {
			/* no room to grow the table: chains get longer */
			if (!s->nb) {
				list_out(s, idx);
				e->dir = -1;
				e->next = s->freelist;
				s->freelist = idx;
				s->live--;
				return -1;
			}
			hash_in(s, idx);
		}
	} else {
		hash_in(s, idx);
	}
	return idx;
}

void
snap_del(struct snap *s, int idx)
{
	struct snap_ent *e = &s->e[idx];
	if (e->dir < 0)
		return;
	hash_out(s, idx);
	list_out(s, idx);
	name_drop(s, idx);
	e->dir = -1;
	e->flags = 0;
	e->next = s->freelist;
	s->freelist = idx;
	s->live--;
	if (s->garbage > 4096 && s->garbage * 2 > s->names.len)
		repack(s);
}

int
snap_move(struct snap *s, int idx, int dir, const char *name, size_t len)
{
	struct snap_ent *e = &s->e[idx];
	struct sys_info i = { .ino = e->ino, .size = e->size,
			      .mtime = e->mtime,
			      .type = (enum sys_type)e->type };
	unsigned char flags = e->flags;
	int over = snap_find(s, dir, name, len);
	if (over == idx)
		return idx;
	if (over >= 0)
		snap_del(s, over);
	snap_del(s, idx);
	idx = snap_put(s, dir, name, len, &i);
	if (idx >= 0)
		s->e[idx].flags = flags;
	return idx;
}

void
snap_drop_dir(struct snap *s, int dir)
{
	if (dir < 0 || (size_t)dir >= s->nhead)
		return;
	while (s->head[dir] >= 0)
		snap_del(s, s->head[dir]);
}

int
snap_first(const struct snap *s, int dir)
{
	return dir >= 0 && (size_t)dir < s->nhead ? s->head[dir] : -1;
}

int
snap_renumber(struct snap *s, const int *map, size_t nmap)
{
	for (size_t i = 0; i < s->n; i++) {
		struct snap_ent *e = &s->e[i];
		if (e->dir < 0)
			continue;
		if ((size_t)e->dir >= nmap || map[e->dir] < 0) {
			/* the core drops a directory's entries before it
			 * drops the directory; this only guards */
			hash_out(s, (int)i);
			list_out(s, (int)i);
			name_drop(s, (int)i);
			e->dir = -1;
			e->next = s->freelist;
			s->freelist = (int)i;
			s->live--;
			continue;
		}
		e->dir = map[e->dir];
	}
	/* lists and hash both depend on the number: rebuild them */
	for (size_t i = 0; i < s->nhead; i++)
		s->head[i] = -1;
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].dir >= 0)
			list_in(s, (int)i);
	if (s->nb && rehash(s, s->nb) < 0) {
		/* no memory for a new table: reuse the old one */
		for (size_t b = 0; b < s->nb; b++)
			s->bucket[b] = -1;
		for (size_t i = 0; i < s->n; i++)
			if (s->e[i].dir >= 0)
				hash_in(s, (int)i);
	}
	return 0;
}

size_t
snap_bytes(const struct snap *s)
{
	return s->cap * sizeof *s->e + s->nb * sizeof *s->bucket +
	       s->nhead * sizeof *s->head + s->names.cap;
}
