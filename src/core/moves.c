/*
 * moves.c - the two halves of a rename.
 *
 * A "moved from" leaves a pending move (struct pend) and a placeholder
 * in the batch where it happened, a delete for now.  Its "moved to",
 * matched by cookie, turns the placeholder into one rename and takes a
 * watched directory's node along; with no partner, the placeholder stays
 * a delete: moved out of the tree.  Records that show a pending move
 * cannot be a rename here settle it early, so that events keep the order
 * in which things happened.
 */
#include <string.h>

#include "../filter.h"
#include "core.h"

/*
 * How far into the next read a pending move looks for its "moved to".
 * Hazard: the kernel queues both halves inside one rename(), so a
 * partner that the end of a read split off opens the next read; but
 * other records may be queued between them (the renamed directory's own
 * "moved self", a change made by another process at that moment), and
 * nothing promises how many: a few records of slack.  A move whose
 * partner is not among them went out of the tree.
 */
#define PAIR_AHEAD 4

/*
 * How long a lone "moved from" waits for its "moved to" once the kernel
 * queue is empty.  Hazard: a read can end between the two halves, and
 * the kernel says nothing about whether the second is coming; past this
 * the move is reported as a delete (and a late "moved to" as a create).
 * Long enough for the other half of one rename(), short enough not to
 * be noticed.
 */
#define PAIR_MS 10

static const char *
pend_name(const fw_watcher *w, const struct pend *p)
{
	return w->pendbuf.p + p->name;
}

/* Record R (in directory node N) says NAME moved away: pending, with a
 * delete in the batch where it happened until its partner comes.  Out
 * of memory there is no pending move (lost(): the rescan will find the
 * name where it went). */
void
moved_from(fw_watcher *w, int n, const struct fw_raw *r, int is_dir)
{
	struct pend *p;
	size_t rel, at = w->pendbuf.len;
	int root, ev;
	if (GROW(w->pend, w->cappend, w->npend + 1) < 0 ||
	    buf_add(&w->pendbuf, r->name, r->name_len) < 0) {
		lost(w);
		return;
	}
	if ((root = event_path(w, n, r->name, r->name_len, &rel)) < 0 ||
	    (ev = append(w, FW_DELETE, is_dir ? FW_EV_DIR : 0, root,
			 w->scratch.p, w->scratch.len, rel)) < 0) {
		w->pendbuf.len = at;
		return;
	}
	p = &w->pend[w->npend++];
	p->cookie = r->cookie;
	p->node = n;
	p->name = at;
	p->name_len = r->name_len;
	p->is_dir = is_dir;
	p->ev = ev;
}

/* Pending move I has no partner: it went out of the tree. */
static void
finish_pend(fw_watcher *w, size_t i)
{
	struct pend p = w->pend[i];
	w->pend[i] = w->pend[--w->npend];
	if (w->cfg.snapshot && w->nodes[p.node].id >= 0)
		snap_forget(w, p.node, pend_name(w, &p), p.name_len);
	/* gone, as far as we can see; its placeholder already says
	 * delete, in the order it happened */
	const struct iev *e = &w->ev[p.ev];
	decide(w, p.ev);
	synth_take(w, w->out.p + e->path, e->path_len);
	if (p.is_dir && w->nodes[p.node].id >= 0) {
		int c = find_child(w, p.node, pend_name(w, &p), p.name_len);
		if (c >= 0)
			subtree_free(w, c, 1);
	}
}

/* The end of a read: every move still pending went out of the tree. */
void
finish_all_pend(fw_watcher *w)
{
	while (w->npend)
		finish_pend(w, 0);
	w->pendbuf.len = 0;
}

/* A watched directory renamed from P to NAME in node N (its path in
 * w->scratch, REL bytes of it the root's) takes its node along. */
static void
move_dir(fw_watcher *w, const struct pend *p, int n, const char *name,
	 size_t nl, size_t rel)
{
	int c = find_child(w, p->node, pend_name(w, p), p->name_len);
	int old = find_child(w, n, name, nl);
	if (treeless_node(w, n)) {
		/* into a PATH watched whole: nothing below it is watched */
		if (c >= 0)
			subtree_free(w, c, 1);
		return;
	}
	/* Renamed over an empty directory, which is gone: inotify says so
	 * later on the old one's own watch, fanotify never (news about it
	 * would come under the new one's path). */
	if (old >= 0 && old != c)
		subtree_free(w, old, 1);
	if (c < 0)
		/* it was not watched (excluded before): it is now */
		new_dir(w, n, name, nl, w->scratch.p, w->scratch.len, rel);
	else if (pruned(w, root_of(w, n), w->scratch.p, w->scratch.len, rel))
		subtree_free(w, c, 1);
	else if (node_move(w, c, n, name, nl) < 0 ||
		 gi_moved(w, p->node, pend_name(w, p), p->name_len, c) < 0)
		lost(w);
}

/* Pending move P's partner, record R in directory node N: the rename. */
static void
renamed(fw_watcher *w, const struct pend *p, int n, const struct fw_raw *r,
	int is_dir)
{
	size_t rel;
	int root = event_path(w, n, r->name, r->name_len, &rel);
	if (root < 0)
		return;
	if (synth_take(w, w->scratch.p, w->scratch.len)) {
		/* Hazard: the scan of a new directory found it there first
		 * (mkdir new; mv x new/y) and reported it, with its
		 * contents, as created: a rename now would put the old
		 * contents back over them.  The old path is simply gone. */
		decide(w, p->ev);
		if (w->cfg.snapshot)
			snap_forget(w, p->node, pend_name(w, p), p->name_len);
		return;
	}
	if (become_rename(w, p->ev, root, w->scratch.p, w->scratch.len,
			  rel) < 0)
		return;
	if (w->cfg.snapshot)
		snap_renamed(w, p->node, pend_name(w, p), p->name_len, n,
			     r->name, r->name_len, w->scratch.p);
	if (is_dir)
		move_dir(w, p, n, r->name, r->name_len, rel);
}

/* Record R says a name moved into directory node N: the second half of
 * a pending move, or moved in from outside, where everything in it is
 * new. */
void
moved_to(fw_watcher *w, int n, const struct fw_raw *r, int is_dir)
{
	for (size_t i = 0; i < w->npend; i++) {
		struct pend p = w->pend[i];
		if (p.cookie != r->cookie || w->nodes[p.node].id < 0)
			continue;
		w->pend[i] = w->pend[--w->npend];
		renamed(w, &p, n, r, is_dir);
		return;
	}
	appeared(w, n, r->name, r->name_len, is_dir, 1);
}

/* Record R is about NAME in node N.  If that name left with a pending
 * "moved from", this is not its partner: the move was not a rename
 * here.  Settle it first, so "mv a out; mkdir a" is reported in that
 * order. */
void
settle_same_name(fw_watcher *w, int n, const struct fw_raw *r)
{
	for (size_t i = 0; i < w->npend; i++) {
		const struct pend *p = &w->pend[i];
		if (p->node == n && p->name_len == r->name_len &&
		    !memcmp(pend_name(w, p), r->name, r->name_len) &&
		    !((r->flags & BE_MOVED_TO) && p->cookie == r->cookie)) {
			finish_pend(w, i);
			return;
		}
	}
}

/* Is node N inside the directory that pending move P took away? */
static int
inside_pending(const fw_watcher *w, int n, const struct pend *p)
{
	for (; n >= 0; n = w->nodes[n].parent) {
		const struct node *nd = &w->nodes[n];
		if (nd->parent == p->node && nd->parent >= 0 &&
		    nd->nlen == p->name_len &&
		    !memcmp(nname(nd), pend_name(w, p), p->name_len))
			return 1;
	}
	return 0;
}

/* News R from inside a directory that is leaving: settle the move
 * first, so that its old paths are not used again. */
void
settle_inside(fw_watcher *w, const struct fw_raw *r)
{
	int c = w->npend ? id_get(w, r->id) : -1;
	for (size_t k = 0; c >= 0 && k < w->npend;) {
		if (w->pend[k].is_dir && inside_pending(w, c, &w->pend[k]))
			finish_pend(w, k);
		else
			k++;
	}
}

/* A new read of N records: a move still pending from the last one whose
 * partner is not among the first PAIR_AHEAD went out of the tree.  (With
 * BE_CAP_RENAME_PAIRED no move is pending from the last read.) */
void
pairs_lookahead(fw_watcher *w, const struct fw_raw *recs, int n)
{
	for (size_t i = 0; i < w->npend;) {
		int found = 0;
		for (int j = 0; j < n && j < PAIR_AHEAD && !found; j++)
			found = (recs[j].flags & BE_MOVED_TO) &&
				recs[j].cookie == w->pend[i].cookie;
		if (found)
			i++;
		else
			finish_pend(w, i);
	}
}

/* After a read (DRAINED: it emptied the kernel queue), how long to wait
 * for the partners of pending moves: -1 not at all (none, or the
 * backend declares BE_CAP_RENAME_PAIRED: what is pending now moved out
 * of the tree), 0 read again now (records are still queued), else
 * PAIR_MS. */
int
pairs_wait(const fw_watcher *w, int drained)
{
	if (!w->npend || (w->caps & BE_CAP_RENAME_PAIRED))
		return -1;
	return drained ? PAIR_MS : 0;
}
