/*
 * rescan.c - rebuilding the truth after records were lost (overflow).
 *
 * A backend that says which subtree lost records (backend.h: an
 * overflow with a watch id) gets that subtree rescanned, from its
 * nearest watched directory; one that does not, or memory that ran out,
 * gets everything rescanned, which swallows the subtrees.  In a
 * subtree, as below for everything, directories are listed again and
 * compared with the tree (and the snapshot); what is outside it is left
 * as it is.
 *
 * Everything: every PATH is watched again.  A directory PATH that no
 * longer leads to what we watch, and a directory below one that is no
 * longer there, are reported gone; directories that appeared are
 * reported with what they hold; a directory found under another name
 * was renamed.  With
 * --snapshot each listing is also compared with the snapshot
 * (snapshot.c), so files created, deleted, replaced or changed while we
 * were blind are reported too.  File PATHs are looked at by files.c.
 * Everything found here is marked FW_EV_RESCAN.
 */
#include <string.h>

#include "../filter.h"
#include "core.h"

/* ---- with a snapshot -------------------------------------------------------- */

/* Snapshot entry IDX of directory node DIR (its path in w->cur, the
 * part below the root from CREL) went while we were blind: say so, and
 * forget it, with its subtree if it was a watched directory. */
static void
went_unseen(fw_watcher *w, const struct walk *k, int dir, int idx,
	    size_t crel)
{
	const struct snap_ent *e = &w->snap.e[idx];
	int was_dir = e->type == SYS_DIRECTORY;
	emit(w, FW_DELETE, (was_dir ? FW_EV_DIR : 0) | FW_EV_RESCAN, k->root,
	     w->cur.p, w->cur.len, crel);
	if (was_dir) {
		int c = find_child(w, dir, snap_name(&w->snap, idx), e->nlen);
		if (c >= 0)
			subtree_free(w, c, 1);
	}
	snap_del(&w->snap, idx);
}

/* Is what the snapshot has (E) another object than what is there (I)? */
static int
replaced(const struct snap_ent *e, const struct sys_info *i)
{
	return e->type != SYS_GONE &&
	       (e->type != i->type || (e->ino && i->ino && e->ino != i->ino));
}

/*
 * Compare entry X of directory node DIR (listed from D, its path in
 * w->cur) with what the snapshot says, and report the difference.
 * WATCHED: a directory there will be watched, and the walk reports it.
 * -1 if it is gone already (the sweep will say so).
 */
static int
diff_entry(fw_watcher *w, const struct walk *k, int dir, struct sys_dir *d,
	   const struct entry *x, int watched)
{
	struct sys_info i;
	int idx;
	if (sys_dir_stat(d, x->name, &i) < 0)
		return -1;
	idx = snap_find(&w->snap, dir, x->name, x->nl);
	if (idx >= 0 && replaced(&w->snap.e[idx], &i)) {
		/* say the old one went before the new one comes */
		went_unseen(w, k, dir, idx, x->crel);
		idx = -1;
	}
	if (idx >= 0) {
		struct snap_ent *e = &w->snap.e[idx];
		/* changed; or reported, but never seen (its path changed
		 * under the look): this is it, and it may have changed */
		int changed = e->type == SYS_GONE || e->size != i.size ||
			      e->mtime != i.mtime;
		e->flags |= SNAP_MARK;
		if (i.type != SYS_DIRECTORY && changed)
			emit(w, FW_MODIFY, FW_EV_RESCAN, k->root, w->cur.p,
			     w->cur.len, x->crel);
		snap_set(&w->snap, idx, &i);
		return 0;
	}
	idx = snap_put(&w->snap, dir, x->name, x->nl, &i);
	if (idx >= 0)
		w->snap.e[idx].flags |= SNAP_MARK;
	if (!watched)
		scan_report(w, k, i.type, x->crel, i.size);
	return 0;
}

/* Before directory E is listed: nothing of it has been seen yet. */
static void
diff_begin(fw_watcher *w, struct walk *k, const struct stackent *e)
{
	(void)k;
	if (!w->cfg.snapshot || e->fresh)
		return;
	for (int i = snap_first(&w->snap, e->node); i >= 0;
	     i = w->snap.e[i].next)
		w->snap.e[i].flags &= (unsigned char)~SNAP_MARK;
}

/* After the listing of E (its path: the first DLEN bytes of w->cur):
 * what the snapshot has and the listing did not went away. */
static void
diff_sweep(fw_watcher *w, struct walk *k, const struct stackent *e,
	   size_t dlen)
{
	int i, next;
	if (!w->cfg.snapshot || e->fresh)
		return;
	for (i = snap_first(&w->snap, e->node); i >= 0; i = next) {
		struct snap_ent *s = &w->snap.e[i];
		next = s->next;
		if (s->flags & SNAP_MARK) {
			s->flags &= (unsigned char)~SNAP_MARK;
			continue;
		}
		w->cur.len = dlen;
		if (path_join(&w->cur, snap_name(&w->snap, i), s->nlen) < 0)
			return;
		went_unseen(w, k, e->node, i, rel_skip(&w->cur, k->rel));
	}
}

/* ---- directories ---------------------------------------------------------- */

/* Watched directory N turned up as entry X of node PARENT (its path in
 * w->cur): it was moved while we were blind. */
static void
moved_unseen(fw_watcher *w, const struct walk *k, int n, int parent,
	     const struct entry *x)
{
	size_t orel;
	int oroot = event_path(w, n, NULL, 0, &orel);
	/* its old name must not be swept as a delete after the rename */
	snap_forget(w, w->nodes[n].parent, nname(&w->nodes[n]),
		    w->nodes[n].nlen);
	if (node_move(w, n, parent, x->name, x->nl) < 0) {
		lost(w);
		return;
	}
	if (oroot < 0)
		return;
	emit_rename(w, FW_EV_DIR | FW_EV_RESCAN, k->root, w->cur.p, w->cur.len,
		    x->crel, w->scratch.p, w->scratch.len, orel);
}

/* Directory node N, watched already, met as entry X of E: a loop
 * through a symlink (marked already), or where it is now. */
static int
met_known(fw_watcher *w, struct walk *k, const struct stackent *e,
	  const struct entry *x, int n)
{
	const struct node *nd = &w->nodes[n];
	if (nd->mark || nd->parent < 0)
		return 0;
	if (nd->parent != e->node || strcmp(nname(nd), x->name))
		moved_unseen(w, k, n, e->node, x);
	w->nodes[n].mark = 1;
	return walk_push(w, k, n, w->cur.p, w->cur.len, 0);
}

/* Each entry of a directory listed again. */
static int
visit_rescan(fw_watcher *w, struct walk *k, const struct stackent *e,
	     struct sys_dir *d, const struct entry *x)
{
	int n, r;
	if (w->cfg.snapshot && !e->fresh) {
		int watched = x->type == SYS_DIRECTORY && w->cfg.recursive &&
			      !pruned(w, k->root, w->cur.p, w->cur.len,
				      x->crel);
		if (diff_entry(w, k, e->node, d, x, watched) < 0)
			return 0;
	} else {
		scan_see(w, k, e, d, x);
	}
	r = watch_below(w, k, e, x, &n);
	if (r == BELOW_KNOWN)
		return met_known(w, k, e, x, n);
	if (r == BELOW_NEW && !e->fresh)
		/* a directory that appeared while we were blind */
		emit(w, FW_CREATE, FW_EV_DIR | FW_EV_RESCAN, k->root, w->cur.p,
		     w->cur.len, x->crel);
	return r < 0 ? -1 : 0;
}

/* Directory node N, watched as itself, is no longer what the backend
 * watches there: say it went, and forget it. */
static void
dir_lost(fw_watcher *w, int n, unsigned flags)
{
	size_t rel;
	int root = event_path(w, n, NULL, 0, &rel);
	if (root >= 0)
		emit(w, FW_DELETE, FW_EV_DIR | FW_EV_RESCAN | flags, root,
		     w->scratch.p, w->scratch.len, rel);
	subtree_free(w, n, 1);
}

/* Directory PATH R: still what we watch?  Then list it again. */
static void
rescan_dir(fw_watcher *w, int r)
{
	const struct root *rt = &w->roots[r];
	int n = rt->node, id;
	w->nodes[n].mark = 1;
	id = watch_one(w, r, rt->disp, rt->disp_len, 1);
	if (id < 0 || id != w->nodes[n].id) {
		dir_lost(w, n, FW_EV_ROOT);
		id_stray(w, id);
		return;
	}
	/* a PATH watched whole has no tree to compare: the overflow
	 * record is all that can be said (fwatch(1), OVERFLOW) */
	if ((w->cfg.recursive || w->cfg.snapshot) && !rt->treeless) {
		struct walk k = { .entry = visit_rescan, .before = diff_begin,
				  .after = diff_sweep, .root = r,
				  .rel = rt->disp_len, .flags = FW_EV_RESCAN,
				  .files = (unsigned char)w->cfg.snapshot };
		walk(w, &k, n, rt->disp, rt->disp_len, 0);
	}
}

/* After an overflow: watch every PATH again, report what changed while
 * we were blind, and forget the directories that are gone. */
void
rescan(fw_watcher *w)
{
	for (size_t i = 0; i < w->nnodes; i++)
		w->nodes[i].mark = w->nodes[i].rescan = 0;
	w->scoped = 0;
	for (size_t r = 0; r < w->nroots; r++) {
		const struct root *rt = &w->roots[r];
		if (rt->gone || rt->node < 0)
			continue;
		if (rt->file)
			rescan_file(w, (int)r);
		else
			rescan_dir(w, (int)r);
	}
	for (size_t i = 0; i < w->nnodes; i++)
		if (w->nodes[i].id >= 0 && !w->nodes[i].mark &&
		    !w->nodes[i].hidden)
			/* a directory that went away while we were blind */
			dir_lost(w, (int)i, 0);
}

/* ---- one subtree ------------------------------------------------------- */

/* Records about directory ID's entry NAME (a path below it, components
 * joined by '/'; "" for the directory itself) and everything below it
 * were lost: rescan the deepest directory of that path that we watch,
 * after the read.  A watch we no longer know, or a file PATH's
 * directory: everything. */
void
rescan_scope(fw_watcher *w, int id, const char *name, size_t len)
{
	int n = id >= 0 ? id_get(w, id) : -1, c;
	if (n < 0 || w->nodes[n].hidden) {
		w->need_rescan = 1;
		return;
	}
	while (len) {
		const char *slash = memchr(name, '/', len);
		size_t cl = slash ? (size_t)(slash - name) : len;
		if (cl && (c = find_child(w, n, name, cl)) < 0)
			break; /* not watched (pruned, or not yet seen) */
		if (cl)
			n = c;
		name += slash ? cl + 1 : cl;
		len -= slash ? cl + 1 : cl;
	}
	if (!w->nodes[n].rescan) {
		w->nodes[n].rescan = 1;
		w->scoped++;
	}
}

/* Node TOP and everything below it: not seen yet (mark 0), and no
 * rescan of their own owed (TOP's covers them). */
static void
unmark_below(fw_watcher *w, int top)
{
	int n = top;
	for (;;) {
		w->nodes[n].mark = w->nodes[n].rescan = 0;
		if (w->nodes[n].child >= 0) {
			n = w->nodes[n].child;
			continue;
		}
		while (n != top && w->nodes[n].next < 0)
			n = w->nodes[n].parent;
		if (n == top)
			return;
		n = w->nodes[n].next;
	}
}

/* Directory node N, below a PATH: still what the backend watches at its
 * path?  Then list it again, with what is below it.  -1 if it is not
 * (gone, replaced, moved away while we were blind): its parent's
 * listing will say what became of it. */
static int
rescan_node(fw_watcher *w, int n)
{
	size_t rel;
	int root = event_path(w, n, NULL, 0, &rel), id;
	if (root < 0)
		return 0; /* out of memory: lost() said so */
	w->nodes[n].mark = 1;
	id = watch_one(w, root, w->scratch.p, w->roots[root].disp_len,
		       w->nodes[n].link);
	if (id < 0 || id != w->nodes[n].id) {
		id_stray(w, id);
		w->nodes[n].mark = 0;
		return -1;
	}
	if (w->cfg.recursive || w->cfg.snapshot) {
		struct walk k = { .entry = visit_rescan, .before = diff_begin,
				  .after = diff_sweep, .root = root,
				  .rel = w->roots[root].disp_len,
				  .flags = FW_EV_RESCAN,
				  .files = (unsigned char)w->cfg.snapshot };
		walk(w, &k, n, w->scratch.p, w->scratch.len, 0);
	}
	return 0;
}

/* Rescan the subtree of node N, or of its nearest ancestor that is
 * still what we watch. */
static void
rescan_subtree(fw_watcher *w, int n)
{
	for (;;) {
		int parent = w->nodes[n].parent, r = w->nodes[n].root;
		unmark_below(w, n);
		if (parent < 0) {
			if (r >= 0 && !w->roots[r].gone &&
			    w->roots[r].node == n)
				rescan_dir(w, r);
			return;
		}
		if (rescan_node(w, n) == 0)
			return;
		n = parent;
	}
}

/* Is an ancestor of node N marked for a rescan of its own? */
static int
covered(const fw_watcher *w, int n)
{
	while ((n = w->nodes[n].parent) >= 0)
		if (w->nodes[n].rescan)
			return 1;
	return 0;
}

/*
 * After overflows that named subtrees (rescan_scope()): each rescanned
 * once, a subtree inside another with it; directories in them that went
 * while we were blind are forgotten, and nothing outside them is
 * touched.
 * Hazard: what is outside is marked seen, so a watched directory from
 * outside met inside is not followed there (met_known()).  It can only
 * have come while we were blind inside, and its leaving, outside, was
 * not lost: by now it was followed or forgotten.
 */
void
rescan_scoped(fw_watcher *w)
{
	w->scoped = 0;
	for (size_t i = 0; i < w->nnodes; i++)
		w->nodes[i].mark = 1; /* outside: seen, left alone */
	for (size_t i = 0; i < w->nnodes; i++) {
		if (!w->nodes[i].rescan)
			continue;
		if (w->nodes[i].id < 0) /* gone since: its parent said so */
			w->nodes[i].rescan = 0;
		else if (!covered(w, (int)i))
			rescan_subtree(w, (int)i);
	}
	for (size_t i = 0; i < w->nnodes; i++)
		if (w->nodes[i].id >= 0 && !w->nodes[i].mark &&
		    !w->nodes[i].hidden)
			dir_lost(w, (int)i, 0);
}
