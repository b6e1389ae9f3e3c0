/*
 * fan_paths.c - where each fanotify event's directories were when it
 * happened (fan_paths.h is the contract).  Pure: no system call.
 *
 * A read's distinct keys become slots (a table per read, in the work
 * space kept in struct fpaths).  Two passes can place a slot at an event:
 *
 * - forward, from the start of the read: what is kept (right at the end
 *   of the read before), what the read learns (a directory created at
 *   D/name is at path(D)/name) and what the other pass found, carried
 *   through the read's directory renames as they come;
 * - backward, from the end: the callback's "now", taken back through
 *   every directory rename met so far (the log), and what the read
 *   learns going back (a directory deleted from D/name was at
 *   path(D)/name before; rm -r deletes children first, so backward the
 *   parent's delete is met first).
 *
 * A read with no directory rename or delete (the fast path: bursts of
 * writes) cannot move a directory, so only the forward pass runs, asking
 * the kept entries, then the callback, once per distinct key.  Otherwise
 * backward places the events that move, make or remove directories,
 * forward carries what is kept through them, backward places what is
 * left (asking the callback for that only: a rename somewhere else
 * costs one question, not one per directory kept), and forward again
 * places what lies in directories made in the read.
 *
 * Hazards, and what is done about them:
 * - The callback answers after the read: a rename still in the kernel's
 *   queue is not undone, so a path may be wrong (fan_paths.h says so).
 *   Nothing here can see it.
 * - An overflow loses events between the ones before it and the ones
 *   after: "now" cannot be taken back across it, so events before an
 *   overflow are placed without the callback (kept entries, the read's
 *   own news), and everything kept is forgotten at it.
 * - The kernel merges a directory's CREATE and DELETE into one event at
 *   the create's place when both are queued; events inside the
 *   directory queued after it happened before the delete.  Forward keeps
 *   a deleted directory's path for them (no later event can be about a
 *   directory truly gone, and no rename can reuse its key); backward
 *   knows it as its parent's child (bwd_get), as the callback cannot.
 * - A directory replaced by a rename ends with no event of its own (an
 *   ATTRIB at most): going backward, a rename into or out of it cannot
 *   be undone, and unless it was kept or made in the read, what was
 *   queued before may be unknown.
 * - A rename whose old place is unknown: forward cannot tell which
 *   directories moved, so it forgets all it holds; one whose new place is
 *   unknown going backward stops the callback's answers for earlier
 *   events (they cannot be taken back).  Unknown, never wrong.
 * - A FAN_RENAME event is a rename only: create or delete bits merged
 *   into it (the kernel does not) are ignored.
 *
 * Kept between reads (fan_kept.c): key -> path, at most MAX entries.
 * A read that renames or deletes a directory forgets them,
 * and keeps instead what its forward pass holds at its end (right then,
 * as every event was seen): a rename may move any kept directory, and
 * rewriting all of them per rename would cost the cache's size.
 *
 * Cost: building the slots is one hash per key per event.  Each
 * directory rename rewrites every slot's path below it (both passes),
 * and each callback answer is taken back through the log: O(n + R * S)
 * prefix checks for R directory renames and S distinct keys.  No
 * allocation per event: the work arrays grow and are kept.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fan_kept.h"
#include "fan_paths.h"

#define NONE ((uint32_t)-1)
#define UNK FPATH_UNKNOWN

enum { IN_OUT, IN_SCRATCH };

/* A path in the caller's OUT or in the scratch buffer. */
struct ref {
	size_t off, len; /* len == UNK: unknown */
	int in;
};

struct fslot {
	const unsigned char *key;
	size_t klen;
	uint64_t h;
	struct ref f, b;   /* forward and backward: the path at the pass's
			    * current position */
	struct ref now;      /* the callback's answer, if LOOKED */
	unsigned char looked;
	unsigned char tried; /* forward: kept entries and callback asked */
	unsigned char asked; /* backward: B is all this pass will know */
	unsigned char gone;  /* deleted in this read */
	unsigned char kept;  /* found in the kept entries */
	unsigned char mdel;  /* made and removed in this read, both in one
			      * (merged) event, number MPOS: while it was,
			      * it was the child MNAME of slot MPARENT */
	uint32_t mparent;
	size_t mpos;
	const char *mname;
	size_t mnlen;
};

struct logent {
	struct ref from, to; /* a rename undone: from (new place) -> to */
	int swap;            /* an exchange undone: from <-> to */
};

struct fpaths_work {
	struct fslot *s;
	size_t ns, caps;
	uint32_t *tab; /* slot numbers by key hash; NONE: empty */
	size_t tcap;
	uint32_t *side; /* per event: dir, old, new, child slots */
	size_t cside;
	unsigned char *pair; /* per event: 1, 2: an exchange's two renames */
	size_t cpair;
	struct logent *log;
	size_t nlog, clog;
	int poison; /* backward: "now" cannot be taken back any more */
	int kept_ok; /* backward: no directory has moved yet in the read,
		      * so what is kept holds */
	size_t pos;  /* backward: the event being undone */
	size_t first_move; /* the read's first directory rename, or n */
	struct buf sc;
	struct buf *out;
};

static const struct ref unknown = { 0, UNK, IN_OUT };

/* ---- the work space ---------------------------------------------------- */

void
fpaths_free(struct fpaths *p)
{
	struct fpaths_work *w = p->work;
	if (w) {
		free(w->s);
		free(w->tab);
		free(w->side);
		free(w->pair);
		free(w->log);
		free(w->sc.p);
		free(w);
	}
	free(p->tab);
	free(p->keys.p);
	free(p->paths.p);
	fpaths_init(p, p->max);
}

/* ---- a read's slots ---------------------------------------------------- */

static const char *
at_ptr(const struct fpaths_work *w, struct ref r)
{
	return (r.in == IN_OUT ? w->out->p : w->sc.p) + r.off;
}

static int
tab_grow(struct fpaths_work *w)
{
	size_t cap = w->tcap ? w->tcap * 2 : 64;
	uint32_t *t = malloc(cap * sizeof *t);
	if (!t)
		return -1;
	memset(t, 0xff, cap * sizeof *t);
	for (uint32_t x = 0; x < w->ns; x++) {
		size_t j = (size_t)w->s[x].h & (cap - 1);
		while (t[j] != NONE)
			j = (j + 1) & (cap - 1);
		t[j] = x;
	}
	free(w->tab);
	w->tab = t;
	w->tcap = cap;
	return 0;
}

/* The slot of F's key in this read, made on first sight; NONE if F has
 * no key, or out of memory (then *ERR is -1). */
static uint32_t
intern(struct fpaths_work *w, const struct fp_fid *f, int *err)
{
	uint64_t h;
	size_t mask, i;
	struct fslot *s;
	if (!f->key || !f->klen)
		return NONE;
	h = fk_hash(f->key, f->klen);
	mask = w->tcap - 1;
	for (i = (size_t)h & mask; w->tab[i] != NONE; i = (i + 1) & mask) {
		s = &w->s[w->tab[i]];
		if (s->h == h && s->klen == f->klen &&
		    !memcmp(s->key, f->key, f->klen))
			return w->tab[i];
	}
	if ((w->ns + 1) * 2 > w->tcap || w->ns >= w->caps) {
		if (GROW(w->s, w->caps, w->ns + 1) < 0 ||
		    ((w->ns + 1) * 2 > w->tcap && tab_grow(w) < 0)) {
			*err = -1;
			return NONE;
		}
		mask = w->tcap - 1;
		for (i = (size_t)h & mask; w->tab[i] != NONE;
		     i = (i + 1) & mask)
			;
	}
	s = &w->s[w->ns];
	memset(s, 0, sizeof *s);
	s->key = f->key;
	s->klen = f->klen;
	s->h = h;
	s->f = s->b = unknown;
	w->tab[i] = (uint32_t)w->ns;
	return (uint32_t)w->ns++;
}

/* Empty the table of the last read's slots: by slot when it holds few
 * of them, so that one read of many directories does not cost every
 * read after it a table's worth of clearing. */
static void
tab_clear(struct fpaths_work *w)
{
	size_t mask = w->tcap - 1;
	if (w->ns * 8 >= w->tcap) {
		memset(w->tab, 0xff, w->tcap * sizeof *w->tab);
		return;
	}
	for (uint32_t x = 0; x < w->ns; x++) {
		size_t j = (size_t)w->s[x].h & mask;
		while (w->tab[j] != x)
			j = (j + 1) & mask;
		w->tab[j] = NONE;
	}
}

static int
dir_rename(const struct fp_event *e)
{
	return (e->mask & (FP_ONDIR | FP_RENAME)) == (FP_ONDIR | FP_RENAME);
}

static int
same_entry(const uint32_t *sa, const struct fp_fid *a, const uint32_t *sb,
	   const struct fp_fid *b)
{
	return *sa != NONE && *sa == *sb && a->name && b->name &&
	       a->nlen == b->nlen && !memcmp(a->name, b->name, a->nlen);
}

/*
 * renameat2(RENAME_EXCHANGE) of two directories is reported as two
 * renames back to back, each the other's way back, of two objects; as
 * two renames one after the other they would be wrong (the first would
 * move the second's tree too), so they are done as one.  Hazard: an
 * event of another process queued between the two hides the pair.
 */
static void
find_pairs(struct fpaths_work *w, const struct fp_event *ev, size_t n)
{
	memset(w->pair, 0, n);
	for (size_t i = 0; i + 1 < n; i++) {
		const uint32_t *a = &w->side[4 * i], *b = a + 4;
		if (dir_rename(&ev[i]) && dir_rename(&ev[i + 1]) &&
		    a[3] != b[3] &&
		    same_entry(&a[1], &ev[i].old, &b[2], &ev[i + 1].new) &&
		    same_entry(&a[2], &ev[i].new, &b[1], &ev[i + 1].old)) {
			w->pair[i] = 1;
			w->pair[++i] = 2;
		}
	}
}

/* Slots for every key of events EV; 1 if one of them moves or deletes a
 * directory, 0 if not, -1 out of memory. */
static int
slots(struct fpaths_work *w, const struct fp_event *ev, size_t n)
{
	int err = 0, moving = 0;
	if (!w->tcap && tab_grow(w) < 0)
		return -1;
	tab_clear(w);
	w->ns = 0;
	w->first_move = n;
	if (n > SIZE_MAX / 4 / sizeof *w->side ||
	    GROW(w->side, w->cside, 4 * n) < 0 ||
	    GROW(w->pair, w->cpair, n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct fp_event *e = &ev[i];
		uint32_t *sd = &w->side[4 * i];
		sd[0] = intern(w, &e->dir, &err);
		sd[1] = intern(w, &e->old, &err);
		sd[2] = intern(w, &e->new, &err);
		sd[3] = intern(w, &e->child, &err);
		if ((e->mask & FP_ONDIR) &&
		    (e->mask & (FP_RENAME | FP_DELETE)))
			moving = 1;
		if ((e->mask & (FP_ONDIR | FP_RENAME)) ==
			    (FP_ONDIR | FP_RENAME) &&
		    w->first_move == n)
			w->first_move = i;
		if ((e->mask & (FP_ONDIR | FP_CREATE | FP_DELETE |
				FP_RENAME)) ==
			    (FP_ONDIR | FP_CREATE | FP_DELETE) &&
		    sd[0] != NONE && sd[3] != NONE && sd[3] != sd[0] &&
		    e->dir.name) {
			struct fslot *x = &w->s[sd[3]];
			x->mdel = 1;
			x->mpos = i;
			x->mparent = sd[0];
			x->mname = e->dir.name;
			x->mnlen = e->dir.nlen;
		}
	}
	if (err)
		return -1;
	find_pairs(w, ev, n);
	return moving;
}

/* ---- paths ------------------------------------------------------------- */

/* Room for N more scratch bytes (and the NUL buf_add keeps). */
static int
room(struct fpaths_work *w, size_t n)
{
	return grow((void **)&w->sc.p, &w->sc.cap, w->sc.len + n + 1, 1);
}

/* A new scratch path: BASE's bytes from 0 to BLEN, then TAIL (TLEN
 * bytes, starting with '/' unless BASE is empty) - the pieces given by
 * reference so that growing the scratch moves nothing under them. */
static int
cat(struct fpaths_work *w, struct ref base, size_t blen, struct ref tail,
    size_t toff, size_t tlen, const char *name, struct ref *res)
{
	size_t at;
	if (room(w, blen + tlen + 1) < 0)
		return -1;
	at = w->sc.len;
	memcpy(w->sc.p + at, at_ptr(w, base), blen);
	if (name) {
		w->sc.p[at + blen] = '/';
		memcpy(w->sc.p + at + blen + 1, name, tlen);
		tlen++;
	} else if (tlen) {
		memcpy(w->sc.p + at + blen, at_ptr(w, tail) + toff, tlen);
	}
	w->sc.len = at + blen + tlen;
	w->sc.p[w->sc.len] = '\0';
	res->off = at;
	res->len = blen + tlen;
	res->in = IN_SCRATCH;
	return 0;
}

static int
is_root(const struct fpaths_work *w, struct ref r)
{
	return r.len == 1 && at_ptr(w, r)[0] == '/';
}

/* DIR's entry NAME: "/" and "a" make "/a", "/x" and "a" "/x/a". */
static int
child_of(struct fpaths_work *w, struct ref dir, const char *name, size_t nlen,
	 struct ref *res)
{
	if (dir.len == UNK || !name) {
		*res = unknown;
		return 0;
	}
	return cat(w, dir, is_root(w, dir) ? 0 : dir.len, unknown, 0, nlen,
		   name, res);
}

/* Is P at or below DIR? */
static int
below(const struct fpaths_work *w, struct ref p, struct ref dir)
{
	const char *a;
	if (p.len == UNK || dir.len == UNK)
		return 0;
	if (is_root(w, dir))
		return 1;
	a = at_ptr(w, p);
	return p.len >= dir.len && !memcmp(a, at_ptr(w, dir), dir.len) &&
	       (p.len == dir.len || a[dir.len] == '/');
}

/* P (at or below FROM) as it is when FROM is at TO. */
static int
moved(struct fpaths_work *w, struct ref p, struct ref from, struct ref to,
      struct ref *res)
{
	size_t skip = is_root(w, from) ? 0 : from.len, rest = p.len - skip;
	if (to.len == UNK) {
		*res = unknown;
		return 0;
	}
	if (!rest) {
		*res = to;
		return 0;
	}
	/* "/" and "/b" make "/b", not "//b" */
	return cat(w, to, is_root(w, to) ? 0 : to.len, p, skip, rest, NULL,
		   res);
}

/* Every path of PASS at or below A is now as far below B, and the other
 * way round. */
static int
swap_all(struct fpaths_work *w, int pass, struct ref a, struct ref b)
{
	for (size_t x = 0; x < w->ns; x++) {
		struct ref *r = pass ? &w->s[x].b : &w->s[x].f;
		if (below(w, *r, a)) {
			if (moved(w, *r, a, b, r) < 0)
				return -1;
		} else if (below(w, *r, b) && moved(w, *r, b, a, r) < 0) {
			return -1;
		}
	}
	return 0;
}

/* Every path of PASS (0 forward, 1 backward) at or below FROM is now
 * below TO (unknown if TO is). */
static int
move_all(struct fpaths_work *w, int pass, struct ref from, struct ref to)
{
	for (size_t x = 0; x < w->ns; x++) {
		struct ref *r = pass ? &w->s[x].b : &w->s[x].f;
		if (below(w, *r, from) && moved(w, *r, from, to, r) < 0)
			return -1;
	}
	return 0;
}

static void
drop_all(struct fpaths_work *w, int pass)
{
	for (size_t x = 0; x < w->ns; x++)
		*(pass ? &w->s[x].b : &w->s[x].f) = unknown;
}

/* R as an answer: copied to OUT once, and R then points at the copy. */
static int
answer(struct fpaths_work *w, struct ref *r, struct fpath *a)
{
	if (r->len == UNK)
		return 0;
	if (r->in != IN_OUT) {
		size_t off = w->out->len;
		if (buf_add(w->out, w->sc.p + r->off, r->len) < 0)
			return -1;
		r->off = off;
		r->in = IN_OUT;
	}
	a->off = r->off;
	a->len = r->len;
	return 0;
}

static struct fpath *
side_at(struct fpaths_at *a, int k)
{
	return k == 0 ? &a->dir : k == 1 ? &a->old : &a->new;
}

static struct ref
from_answer(const struct fpath *a)
{
	struct ref r = { a->off, a->len, IN_OUT };
	return r;
}

/* ---- asking ------------------------------------------------------------ */

/* The callback's "now" for S into *R (unknown if it cannot say). */
static void
ask(struct fpaths *p, struct fpaths_work *w, struct fslot *s,
    fpaths_look_fn look, void *ctx, struct ref *r)
{
	size_t before = w->sc.len;
	p->looks++;
	*r = unknown;
	if (look(ctx, s->key, s->klen, &w->sc) < 0 || w->sc.len == before) {
		w->sc.len = before;
		return;
	}
	r->off = before;
	r->len = w->sc.len - before;
	r->in = IN_SCRATCH;
}

/* S's kept path into *R (unknown if none): 1 if it had one. */
static int
from_kept(struct fpaths *p, struct fpaths_work *w, const struct fslot *s,
	  struct ref *r)
{
	struct fpaths_entry *e = fk_find(p, s->key, s->klen, s->h);
	*r = unknown;
	if (!e)
		return 0;
	if (room(w, e->plen) < 0)
		return -1;
	r->off = w->sc.len;
	r->len = e->plen;
	r->in = IN_SCRATCH;
	memcpy(w->sc.p + w->sc.len, p->paths.p + e->poff, e->plen);
	w->sc.len += e->plen;
	w->sc.p[w->sc.len] = '\0';
	return 1;
}

/* ---- forward ----------------------------------------------------------- */

/* Event E (a directory's, slots SD) done on the forward state. */
static int
fwd_apply(struct fpaths_work *w, const struct fp_event *e, const uint32_t *sd,
	  int pair)
{
	struct fslot *x = sd[3] != NONE ? &w->s[sd[3]] : NULL;
	if (e->mask & FP_RENAME) {
		struct ref from = unknown, to = unknown;
		if (pair == 2)
			return 0;
		if (sd[1] != NONE && child_of(w, w->s[sd[1]].f, e->old.name,
					      e->old.nlen, &from) < 0)
			return -1;
		if (from.len == UNK && x && !pair)
			from = x->f;
		if (sd[2] != NONE && child_of(w, w->s[sd[2]].f, e->new.name,
					      e->new.nlen, &to) < 0)
			return -1;
		/* not knowing what moved, nothing held can be trusted */
		if (from.len == UNK || (pair && to.len == UNK))
			drop_all(w, 0);
		else if (pair)
			return swap_all(w, 0, from, to);
		else if (move_all(w, 0, from, to) < 0)
			return -1;
		if (x && !pair)
			x->f = to;
		return 0;
	}
	if ((e->mask & FP_CREATE) && x) {
		struct ref d = sd[0] != NONE ? w->s[sd[0]].f : unknown;
		if (child_of(w, d, e->dir.name, e->dir.nlen, &x->f) < 0)
			return -1;
		x->tried = x->f.len != UNK;
	}
	/* its path stays: events merged before its delete may follow */
	if ((e->mask & FP_DELETE) && x)
		x->gone = 1;
	return 0;
}

/* The forward pass.  LAZY (no directory moves in the read): a slot
 * unknown when first needed is asked of the kept entries, then of LOOK;
 * otherwise they were put in the state at the start (fwd_init). */
static int
forward(struct fpaths *p, struct fpaths_work *w, const struct fp_event *ev,
	size_t n, fpaths_look_fn look, void *ctx, struct fpaths_at *at,
	int lazy)
{
	for (size_t i = 0; i < n; i++) {
		const uint32_t *sd = &w->side[4 * i];
		for (int k = 0; k < 3; k++) {
			struct fpath *a = side_at(&at[i], k);
			struct fslot *s;
			if (sd[k] == NONE)
				continue;
			s = &w->s[sd[k]];
			if (s->f.len == UNK && a->len != UNK) {
				s->f = from_answer(a);
			} else if (s->f.len == UNK && lazy && !s->tried) {
				int kept = from_kept(p, w, s, &s->f);
				if (kept < 0)
					return -1;
				s->tried = 1;
				s->kept = (unsigned char)kept;
				if (!kept && look)
					ask(p, w, s, look, ctx, &s->f);
			}
			if (a->len == UNK && answer(w, &s->f, a) < 0)
				return -1;
		}
		if ((ev[i].mask & FP_ONDIR) &&
		    fwd_apply(w, &ev[i], sd, w->pair[i]) < 0)
			return -1;
	}
	return 0;
}

/* The forward state at the start of the read: what is kept. */
static int
fwd_init(struct fpaths *p, struct fpaths_work *w)
{
	for (size_t x = 0; x < w->ns; x++) {
		struct fslot *s = &w->s[x];
		int kept = from_kept(p, w, s, &s->f);
		if (kept < 0)
			return -1;
		s->kept = (unsigned char)kept;
		s->gone = 0;
	}
	return 0;
}

/* ---- backward ---------------------------------------------------------- */

/* S's path at the current position from LOOK: "now", taken back
 * through the renames undone so far, last first. */
static int
bwd_look(struct fpaths *p, struct fpaths_work *w, struct fslot *s,
	 fpaths_look_fn look, void *ctx)
{
	struct ref r;
	s->asked = 1;
	if (!s->looked) {
		s->looked = 1;
		ask(p, w, s, look, ctx, &s->now);
	}
	r = s->now;
	for (size_t j = 0; j < w->nlog && r.len != UNK; j++) {
		const struct logent *l = &w->log[j];
		if (below(w, r, l->from)) {
			if (moved(w, r, l->from, l->to, &r) < 0)
				return -1;
		} else if (l->swap && below(w, r, l->to) &&
			   moved(w, r, l->to, l->from, &r) < 0) {
			return -1;
		}
	}
	s->b = r;
	return 0;
}

/*
 * S's path at the current position, going backward, if it is to be had
 * and not had yet.  A directory whose CREATE and DELETE were merged is
 * gone when the callback asks, but until a rename of it is met (going
 * back) it is where it was removed, which is where it was made: the
 * kernel merges only events that say the same.  Recursion: one level
 * per such directory in a chain of them (the tree's depth at most).
 */
static int
bwd_get(struct fpaths *p, struct fpaths_work *w, struct fslot *s,
	fpaths_look_fn look, void *ctx)
{
	if (s->b.len != UNK || s->asked)
		return 0;
	if (s->mdel && w->pos > s->mpos) {
		struct fslot *d = &w->s[s->mparent];
		if (bwd_get(p, w, d, look, ctx) < 0)
			return -1;
		s->asked = 1;
		return child_of(w, d->b, s->mname, s->mnlen, &s->b);
	}
	if (w->kept_ok) {
		int kept = from_kept(p, w, s, &s->b);
		if (kept)
			s->asked = 1;
		if (kept)
			return kept < 0 ? -1 : 0;
	}
	if ((!look && !s->looked) || w->poison)
		return 0;
	return bwd_look(p, w, s, look, ctx);
}

/* An exchange of the directories at A and B undone. */
static int
bwd_swap(struct fpaths_work *w, struct ref a, struct ref b)
{
	if (a.len == UNK || b.len == UNK) {
		drop_all(w, 1);
		w->poison = 1;
		return 0;
	}
	if (swap_all(w, 1, a, b) < 0 || GROW(w->log, w->clog, w->nlog + 1) < 0)
		return -1;
	w->log[w->nlog].from = a;
	w->log[w->nlog].to = b;
	w->log[w->nlog++].swap = 1;
	return 0;
}

/* A directory rename (slots SD) undone on the backward state. */
static int
bwd_rename(struct fpaths *p, struct fpaths_work *w, const struct fp_event *e,
	   const uint32_t *sd, fpaths_look_fn look, void *ctx)
{
	struct fslot *x = sd[3] != NONE ? &w->s[sd[3]] : NULL;
	struct ref from = unknown, to = unknown;
	int pair = w->pair[w->pos];
	if (pair == 2)
		return 0; /* undone with the first */
	if (sd[2] != NONE && child_of(w, w->s[sd[2]].b, e->new.name,
				      e->new.nlen, &from) < 0)
		return -1;
	if (pair) {
		if (sd[1] != NONE && child_of(w, w->s[sd[1]].b, e->old.name,
					      e->old.nlen, &to) < 0)
			return -1;
		return bwd_swap(w, from, to);
	}
	if (from.len == UNK && x) {
		if (bwd_get(p, w, x, look, ctx) < 0)
			return -1;
		from = x->b;
	}
	if (sd[1] != NONE && child_of(w, w->s[sd[1]].b, e->old.name,
				      e->old.nlen, &to) < 0)
		return -1;
	if (from.len == UNK) {
		/* what moved is unknown: so is everything before it */
		drop_all(w, 1);
		w->poison = 1;
	} else {
		if (move_all(w, 1, from, to) < 0 ||
		    GROW(w->log, w->clog, w->nlog + 1) < 0)
			return -1;
		w->log[w->nlog].from = from;
		w->log[w->nlog].to = to;
		w->log[w->nlog++].swap = 0;
	}
	if (x) {
		x->b = to;
		x->asked = 1;
	}
	return 0;
}

/* Event E (a directory's) undone on the backward state. */
static int
bwd_apply(struct fpaths *p, struct fpaths_work *w, const struct fp_event *e,
	  const uint32_t *sd, fpaths_look_fn look, void *ctx)
{
	struct fslot *x = sd[3] != NONE ? &w->s[sd[3]] : NULL;
	if (e->mask & FP_RENAME)
		return bwd_rename(p, w, e, sd, look, ctx);
	if (!x)
		return 0;
	/* merged, the delete came last: undone first */
	if (e->mask & FP_DELETE) {
		struct ref d = sd[0] != NONE ? w->s[sd[0]].b : unknown;
		if (child_of(w, d, e->dir.name, e->dir.nlen, &x->b) < 0)
			return -1;
		x->asked = 1;
	}
	if (e->mask & FP_CREATE) {
		x->b = unknown;
		x->asked = 1;
	}
	return 0;
}

/* Does event E move, make or remove a directory? */
static int
structural(const struct fp_event *e)
{
	return (e->mask & FP_ONDIR) &&
	       (e->mask & (FP_RENAME | FP_CREATE | FP_DELETE));
}

/* The backward pass; answers already in AT are taken as they are.
 * ALL: every event; else only those that move, make or remove a
 * directory (what the forward pass needs to carry what is kept). */
static int
backward(struct fpaths *p, struct fpaths_work *w, const struct fp_event *ev,
	 size_t n, fpaths_look_fn look, void *ctx, struct fpaths_at *at,
	 int all)
{
	w->nlog = 0;
	w->poison = 0;
	drop_all(w, 1);
	for (size_t x = 0; x < w->ns; x++)
		w->s[x].asked = 0;
	for (size_t i = n; i-- > 0;) {
		const uint32_t *sd = &w->side[4 * i];
		if (!all && !structural(&ev[i]))
			continue;
		/* event I's directories: a rename moves none of its own */
		w->kept_ok = i <= w->first_move;
		w->pos = i;
		for (int k = 0; k < 3; k++) {
			struct fpath *a = side_at(&at[i], k);
			struct fslot *s;
			if (sd[k] == NONE)
				continue;
			s = &w->s[sd[k]];
			if (s->b.len == UNK && a->len != UNK)
				s->b = from_answer(a);
			else if (bwd_get(p, w, s, look, ctx) < 0)
				return -1;
			if (a->len == UNK && answer(w, &s->b, a) < 0)
				return -1;
		}
		/* what was after event I */
		w->kept_ok = i < w->first_move;
		if ((ev[i].mask & FP_ONDIR) &&
		    bwd_apply(p, w, &ev[i], sd, look, ctx) < 0)
			return -1;
	}
	return 0;
}

/* ---- a read ------------------------------------------------------------ */

/* Keep what the forward state holds at the end of the read. */
static int
keep_end(struct fpaths *p, struct fpaths_work *w)
{
	for (size_t x = 0; x < w->ns; x++) {
		struct fslot *s = &w->s[x];
		if (s->f.len == UNK || s->kept || s->gone)
			continue;
		if (fk_add(p, s->key, s->klen, s->h, at_ptr(w, s->f),
			     s->f.len) < 0)
			return -1;
	}
	return 0;
}

/* The forward pass of a read that moves directories: from what is kept
 * and the answers in AT. */
static int
replay(struct fpaths *p, struct fpaths_work *w, const struct fp_event *ev,
       size_t n, struct fpaths_at *at)
{
	if (fwd_init(p, w) < 0)
		return -1;
	return forward(p, w, ev, n, NULL, NULL, at, 0);
}

/* Events EV with no overflow among them.  FINAL: the read ends with
 * them, so LOOK's "now" is their end; otherwise LOOK is NULL. */
static int
segment(struct fpaths *p, struct fpaths_work *w, const struct fp_event *ev,
	size_t n, fpaths_look_fn look, void *ctx, struct fpaths_at *at,
	int final)
{
	int moving = slots(w, ev, n);
	if (moving < 0)
		return -1;
	if (!moving) {
		if (forward(p, w, ev, n, look, ctx, at, 1) < 0)
			return -1;
		return final ? keep_end(p, w) : 0;
	}
	/* where the directories that move were, from "now" and the read;
	 * forward from that and what is kept; backward for what is left
	 * (the callback asked only for that); forward again (creates) */
	if (backward(p, w, ev, n, look, ctx, at, 0) < 0 ||
	    replay(p, w, ev, n, at) < 0 ||
	    backward(p, w, ev, n, look, ctx, at, 1) < 0 ||
	    replay(p, w, ev, n, at) < 0)
		return -1;
	fpaths_forget(p);
	for (size_t x = 0; x < w->ns; x++)
		w->s[x].kept = 0;
	return final ? keep_end(p, w) : 0;
}

int
fpaths_batch(struct fpaths *p, const struct fp_event *ev, size_t n,
	     fpaths_look_fn look, void *ctx, struct fpaths_at *at,
	     struct buf *out)
{
	const struct fpath none = { 0, UNK };
	struct fpaths_work *w = p->work;
	size_t start = 0;
	if (!w && !(w = p->work = calloc(1, sizeof *w)))
		goto nomem;
	w->out = out;
	w->sc.len = 0;
	for (size_t i = 0; i < n; i++)
		at[i].dir = at[i].old = at[i].new = none;
	for (size_t i = 0; i <= n; i++) {
		int lost = i < n && (ev[i].mask & FP_Q_OVERFLOW);
		if (i < n && !lost)
			continue;
		if (i > start && segment(p, w, ev + start, i - start,
					 lost ? NULL : look, ctx, at + start,
					 !lost) < 0)
			goto nomem;
		if (lost)
			fpaths_forget(p);
		start = i + 1;
	}
	return 0;
nomem:
	fpaths_forget(p);
	errno = ENOMEM;
	return -1;
}
