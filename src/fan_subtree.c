/*
 * fan_subtree.c - see fan_subtree.h.
 *
 * A PATH watched whole is known by the path the kernel gives its
 * directory (readlink of /proc/self/fd), which is how fan_paths.c's
 * answers are written too, so the two compare byte for byte.  Hazard: a
 * directory reached through another mount of the same filesystem (a
 * bind mount) has the path of the mount the handle was opened through;
 * the core watches a PATH whole only when nothing is mounted below it
 * (treeless.c), so every directory below it has one path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fan_subtree.h"

/* Kept between reads: enough for the directories a busy tree writes
 * in; fan_paths.c forgets the rest. */
#define KEEP_PATHS 4096

void
fan_subs_init(struct fan_subs *s)
{
	memset(s, 0, sizeof *s);
	fpaths_init(&s->paths, KEEP_PATHS);
}

void
fan_subs_free(struct fan_subs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	free(s->at);
	free(s->pbuf.p);
	free(s->parked);
	free(s->plen);
	fpaths_free(&s->paths);
	memset(s, 0, sizeof *s);
}

int
fan_subs_add(struct fan_subs *s, int id, const char *path, size_t len)
{
	char *p;
	if (GROW(s->v, s->cap, s->n + 1) < 0 || !(p = malloc(len + 1))) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(p, path, len);
	p[len] = '\0';
	s->v[s->n].id = id;
	s->v[s->n].path = p;
	s->v[s->n].len = len;
	s->n++;
	return 0;
}

void
fan_subs_del(struct fan_subs *s, int id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].id == id) {
			free(s->v[i].path);
			s->v[i] = s->v[--s->n];
			return;
		}
}

/* Is P (PL bytes) SUB's directory or below it?  The length of the part
 * to skip before the path below it (all of P for SUB itself), or -1. */
static long
below(const struct fan_sub *sub, const char *p, size_t pl)
{
	if (pl < sub->len || memcmp(p, sub->path, sub->len))
		return -1;
	if (pl == sub->len)
		return (long)pl;
	if (sub->len == 1 && sub->path[0] == '/')
		return 1;
	return p[sub->len] == '/' ? (long)sub->len + 1 : -1;
}

/* The deepest subtree watch at or above P; -1 if none. */
static long
deepest(const struct fan_subs *s, const char *p, size_t pl, long *skip)
{
	long best = -1;
	for (size_t i = 0; i < s->n; i++) {
		long k = below(&s->v[i], p, pl);
		if (k >= 0 && (best < 0 || s->v[i].len > s->v[best].len)) {
			best = (long)i;
			*skip = k;
		}
	}
	return best;
}

int
fan_subs_cover(const struct fan_subs *s, const char *path, size_t len)
{
	long skip, i = deepest(s, path, len, &skip);
	return i < 0 ? -1 : s->v[i].id;
}

int
fan_subs_resolve(struct fan_subs *s, const struct fp_batch *b,
		 fpaths_look_fn look, void *ctx)
{
	s->pbuf.len = 0;
	if (GROW(s->at, s->capat, b->n ? b->n : 1) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return fpaths_batch(&s->paths, b->ev, b->n, look, ctx, s->at,
			    &s->pbuf);
}

const struct fpath *
fan_subs_side(const struct fan_subs *s, size_t ev, int side)
{
	const struct fpaths_at *a = &s->at[ev];
	return side == FP_SIDE_OLD ? &a->old
	       : side == FP_SIDE_NEW ? &a->new
				     : &a->dir;
}

int
fan_subs_places(const struct fan_subs *s, size_t ev, int side, int own,
		struct fp_place *out)
{
	const struct fpath *f = fan_subs_side(s, ev, side);
	int n = 0;
	long i, skip = 0;
	if (own >= 0) {
		out[n].id = own;
		out[n].pre = "";
		out[n++].prelen = 0;
	}
	if (f->len == FPATH_UNKNOWN)
		/* its own watch knows it; else it may be ours */
		return n ? n : -1;
	i = deepest(s, s->pbuf.p + f->off, f->len, &skip);
	if (i < 0 || s->v[i].id == own)
		return n;
	out[n].id = s->v[i].id;
	out[n].pre = s->pbuf.p + f->off + skip;
	out[n++].prelen = f->len - (size_t)skip;
	return n;
}

int
fan_subs_park(struct fan_subs *s, const void *key, size_t len)
{
	if (len > FAN_SUBS_KEY)
		return -1;
	if (fan_subs_unpark(s, key, len) == 0 &&
	    s->nparked == FAN_SUBS_PARKED)
		return -1;
	if (!s->parked &&
	    (!(s->parked = malloc(FAN_SUBS_PARKED * sizeof *s->parked)) ||
	     !(s->plen = malloc(FAN_SUBS_PARKED * sizeof *s->plen)))) {
		free(s->parked);
		s->parked = NULL;
		return -1;
	}
	memcpy(s->parked[s->nparked], key, len);
	s->plen[s->nparked++] = len;
	return 0;
}

int
fan_subs_unpark(struct fan_subs *s, const void *key, size_t len)
{
	for (size_t i = 0; i < s->nparked; i++)
		if (s->plen[i] == len && !memcmp(s->parked[i], key, len)) {
			s->nparked--;
			memmove(s->parked[i], s->parked[s->nparked],
				s->plen[s->nparked]);
			s->plen[i] = s->plen[s->nparked];
			return 1;
		}
	return 0;
}

void
fan_subs_unpark_all(struct fan_subs *s)
{
	s->nparked = 0;
}

int
fan_subs_inside(const struct fan_subs *s, size_t ev, int side)
{
	const struct fpaths_at *a = &s->at[ev];
	const struct fpath *f = side == FP_SIDE_OLD   ? &a->old
				: side == FP_SIDE_NEW ? &a->new
						      : &a->dir;
	long skip;
	if (f->len == FPATH_UNKNOWN)
		return 1;
	return deepest(s, s->pbuf.p + f->off, f->len, &skip) >= 0;
}
