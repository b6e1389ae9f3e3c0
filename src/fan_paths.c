/*
 * fan_paths.c - where each fanotify event's directories were when it
 * happened (fan_paths.h is the contract).  Pure: no system call.
 *
 * A read's distinct keys become slots (fan_slots.c: a table per read,
 * in the work space kept in struct fpaths).  Two passes can place a
 * slot at an event:
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
#include "fan_slots.h"

/* ---- forward ----------------------------------------------------------- */

/* Event E (a directory's, slots SD) done on the forward state. */
static int
fwd_apply(struct fpaths_work *w, const struct fp_event *e, const uint32_t *sd,
	  int pair)
{
	struct fslot *x = sd[3] != NONE ? &w->s[sd[3]] : NULL;
	if (e->mask & FP_RENAME) {
		struct ref from = fs_unknown, to = fs_unknown;
		if (pair == 2)
			return 0;
		if (sd[1] != NONE && fs_child_of(w, w->s[sd[1]].f, e->old.name,
					      e->old.nlen, &from) < 0)
			return -1;
		if (from.len == UNK && x && !pair)
			from = x->f;
		if (sd[2] != NONE && fs_child_of(w, w->s[sd[2]].f, e->new.name,
					      e->new.nlen, &to) < 0)
			return -1;
		/* not knowing what moved, nothing held can be trusted */
		if (from.len == UNK || (pair && to.len == UNK))
			fs_drop_all(w, 0);
		else if (pair)
			return fs_swap_all(w, 0, from, to);
		else if (fs_move_all(w, 0, from, to) < 0)
			return -1;
		if (x && !pair)
			x->f = to;
		return 0;
	}
	if ((e->mask & FP_CREATE) && x) {
		struct ref d = sd[0] != NONE ? w->s[sd[0]].f : fs_unknown;
		if (fs_child_of(w, d, e->dir.name, e->dir.nlen, &x->f) < 0)
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
			struct fpath *a = fs_side_at(&at[i], k);
			struct fslot *s;
			if (sd[k] == NONE)
				continue;
			s = &w->s[sd[k]];
			if (s->f.len == UNK && a->len != UNK) {
				s->f = fs_from_answer(a);
			} else if (s->f.len == UNK && lazy && !s->tried) {
				int kept = fs_from_kept(p, w, s, &s->f);
				if (kept < 0)
					return -1;
				s->tried = 1;
				s->kept = (unsigned char)kept;
				if (!kept && look)
					fs_ask(p, w, s, look, ctx, &s->f);
			}
			if (a->len == UNK && fs_answer(w, &s->f, a) < 0)
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
		int kept = fs_from_kept(p, w, s, &s->f);
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
		fs_ask(p, w, s, look, ctx, &s->now);
	}
	r = s->now;
	for (size_t j = 0; j < w->nlog && r.len != UNK; j++) {
		const struct logent *l = &w->log[j];
		if (fs_below(w, r, l->from)) {
			if (fs_moved(w, r, l->from, l->to, &r) < 0)
				return -1;
		} else if (l->swap && fs_below(w, r, l->to) &&
			   fs_moved(w, r, l->to, l->from, &r) < 0) {
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
		return fs_child_of(w, d->b, s->mname, s->mnlen, &s->b);
	}
	if (w->kept_ok) {
		int kept = fs_from_kept(p, w, s, &s->b);
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
		fs_drop_all(w, 1);
		w->poison = 1;
		return 0;
	}
	if (fs_swap_all(w, 1, a, b) < 0 ||
	    GROW(w->log, w->clog, w->nlog + 1) < 0)
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
	struct ref from = fs_unknown, to = fs_unknown;
	int pair = w->pair[w->pos];
	if (pair == 2)
		return 0; /* undone with the first */
	if (sd[2] != NONE && fs_child_of(w, w->s[sd[2]].b, e->new.name,
				      e->new.nlen, &from) < 0)
		return -1;
	if (pair) {
		if (sd[1] != NONE && fs_child_of(w, w->s[sd[1]].b, e->old.name,
					      e->old.nlen, &to) < 0)
			return -1;
		return bwd_swap(w, from, to);
	}
	if (from.len == UNK && x) {
		if (bwd_get(p, w, x, look, ctx) < 0)
			return -1;
		from = x->b;
	}
	if (sd[1] != NONE && fs_child_of(w, w->s[sd[1]].b, e->old.name,
				      e->old.nlen, &to) < 0)
		return -1;
	if (from.len == UNK) {
		/* what moved is unknown: so is everything before it */
		fs_drop_all(w, 1);
		w->poison = 1;
	} else {
		if (fs_move_all(w, 1, from, to) < 0 ||
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
		struct ref d = sd[0] != NONE ? w->s[sd[0]].b : fs_unknown;
		if (fs_child_of(w, d, e->dir.name, e->dir.nlen, &x->b) < 0)
			return -1;
		x->asked = 1;
	}
	if (e->mask & FP_CREATE) {
		x->b = fs_unknown;
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
	fs_drop_all(w, 1);
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
			struct fpath *a = fs_side_at(&at[i], k);
			struct fslot *s;
			if (sd[k] == NONE)
				continue;
			s = &w->s[sd[k]];
			if (s->b.len == UNK && a->len != UNK)
				s->b = fs_from_answer(a);
			else if (bwd_get(p, w, s, look, ctx) < 0)
				return -1;
			if (a->len == UNK && fs_answer(w, &s->b, a) < 0)
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
		if (fk_add(p, s->key, s->klen, s->h, fs_ptr(w, s->f),
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
	int moving = fs_slots(w, ev, n);
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
