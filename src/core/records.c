/*
 * records.c - one backend record at a time.
 *
 * A record is an overflow, news about a watched object itself (a PATH,
 * or a directory below one), or news about an entry of a watched
 * directory: created, deleted, moved from or to, changed.  Each becomes
 * events and changes to the tree here; a file PATH's directory's
 * records go to files.c, the halves of renames to moves.c.  What
 * differs between backends is read from the capabilities they declare
 * (backend.h, BE_CAP_*), never guessed from the records.
 */
#include <string.h>

#include "core.h"

/* Records were lost, about everything (id -1) or about the subtree R
 * names: say so where it happened, and rescan it after the read.  The
 * overflow record has no path either way (output.c's formats promise
 * it). */
static void
overflowed(fw_watcher *w, const struct fw_raw *r)
{
	finish_all_pend(w);
	emit(w, FW_OVERFLOW, 0, -1, "", 0, 0);
	if (r->id < 0)
		w->need_rescan = 1;
	else
		rescan_scope(w, r->id, r->name, r->name_len);
}

/* An event on a watched object itself (a watched PATH, or a directory
 * whose parent also reports it). */
static void
self_event(fw_watcher *w, int n, const struct fw_raw *r)
{
	struct node *nd = &w->nodes[n];
	int is_root = nd->parent < 0;
	unsigned f = r->flags;
	unsigned dir = FW_EV_DIR; /* every node is a directory */
	size_t rel;
	int root;

	if ((f & BE_UNMOUNT) && (root = event_path(w, n, NULL, 0, &rel)) >= 0) {
		emit(w, FW_UNMOUNT, dir | (is_root ? FW_EV_ROOT : 0), root,
		     w->scratch.p, w->scratch.len, rel);
		/* the IN_IGNORED that follows is no news: no "delete" */
		if (is_root)
			root_gone(w, nd->root);
	}
	if (!is_root) {
		/* the parent's watch reports these with the name, unless
		 * the backend says them here only */
		if ((w->caps & BE_CAP_SELF_NEWS) &&
		    (root = event_path(w, n, NULL, 0, &rel)) >= 0)
			for (size_t i = 0; i < NPLAIN; i++)
				if (f & plain[i].bit)
					emit(w, plain[i].kind, dir, root,
					     w->scratch.p, w->scratch.len, rel);
		if (f & BE_IGNORED)
			subtree_free(w, n, 1);
		return;
	}
	if ((root = event_path(w, n, NULL, 0, &rel)) < 0)
		return;
	for (size_t i = 0; i < NPLAIN; i++)
		if (f & plain[i].bit)
			emit(w, plain[i].kind, dir | FW_EV_ROOT, root,
			     w->scratch.p, w->scratch.len, rel);
	if (f & (BE_SELF_DELETE | BE_SELF_MOVE | BE_IGNORED)) {
		/* A watched PATH deleted, moved away or unmounted: its
		 * name no longer leads to what we watch.  Say so once. */
		if (!w->roots[nd->root].gone)
			emit(w, FW_DELETE, dir | FW_EV_ROOT, root, w->scratch.p,
			     w->scratch.len, rel);
		root_gone(w, nd->root);
		if (f & (BE_SELF_MOVE | BE_IGNORED))
			subtree_free(w, n, 1);
	}
}

/* A backend that watches whole subtrees (BE_CAP_SUBTREE) names an entry
 * below a subdirectory of watched directory N by its path: the
 * directory's node (R in *SUB, named as in it), or -1 if it is not one
 * we watch. */
static int
below(fw_watcher *w, int n, const struct fw_raw *r, struct fw_raw *sub)
{
	const char *slash;
	*sub = *r;
	while ((slash = memchr(sub->name, '/', sub->name_len))) {
		size_t cl = (size_t)(slash - sub->name);
		if ((n = find_child(w, n, sub->name, cl)) < 0)
			return -1;
		sub->name = slash + 1;
		sub->name_len -= cl + 1;
	}
	return sub->name_len ? n : -1;
}

/* Entry R of directory node N went: C is its node if it was a watched
 * directory.  Its path is in w->scratch. */
static void
deleted(fw_watcher *w, int n, const struct fw_raw *r, int c, int is_dir,
	int root, size_t rel)
{
	synth_take(w, w->scratch.p, w->scratch.len);
	if (w->cfg.snapshot)
		snap_forget(w, n, r->name, r->name_len);
	emit(w, FW_DELETE, is_dir ? FW_EV_DIR : 0, root, w->scratch.p,
	     w->scratch.len, rel);
	/* With BE_CAP_SELF_RECORDS the directory's own last record drops
	 * its watch (inotify sent it before this one, kqueue sends it
	 * after); without, nothing else will.  Through a symlink (-L) it
	 * is the name that went, not the directory: no record of its own
	 * will come. */
	if (c >= 0 && (!(w->caps & BE_CAP_SELF_RECORDS) ||
		       w->nodes[c].link))
		subtree_free(w, c, 1);
}

/* News F (plain bits) about entry R of directory node N, whose path is
 * in w->scratch. */
static void
changed(fw_watcher *w, int n, const struct fw_raw *r, unsigned f, int is_dir,
	int root, size_t rel)
{
	for (size_t i = 0; i < NPLAIN; i++)
		if (f & plain[i].bit)
			emit(w, plain[i].kind, is_dir ? FW_EV_DIR : 0, root,
			     w->scratch.p, w->scratch.len, rel);
	if (w->cfg.snapshot && !(f & BE_DELETE) &&
	    (f & (BE_MODIFY | BE_ATTRIB | BE_CLOSE_WRITE)))
		snap_touch(w, n, r->name, r->name_len, w->scratch.p);
}

/* Is entry R, whose node is C (-1: none), a directory?  With
 * BE_CAP_ISDIR the record says so; without it (Windows cannot tell for
 * a name that is gone) the tree knows which names it watches as
 * directories.  A directory watched through a symlink (-L) is one of
 * ours whatever the record says of the link. */
static int
entry_is_dir(const fw_watcher *w, unsigned f, int c)
{
	if (c >= 0 && (f & (BE_DELETE | BE_MOVED_FROM)) &&
	    (!(w->caps & BE_CAP_ISDIR) || w->nodes[c].link))
		return 1;
	return !!(f & BE_ISDIR);
}

/* A record about entry R of watched directory N. */
static void
entry_event(fw_watcher *w, int n, const struct fw_raw *r)
{
	unsigned f = r->flags, isdir_cap = w->caps & BE_CAP_ISDIR;
	int c = -1, is_dir, root;
	size_t rel;
	/* the node of a watched directory of that name: wanted when it
	 * goes, and without BE_CAP_ISDIR to know what the name is */
	if ((f & (BE_DELETE | BE_MOVED_FROM)) || !isdir_cap)
		c = find_child(w, n, r->name, r->name_len);
	/* a .gitignore rules what is beside it, whatever it says of itself:
	 * read it again before anything here is judged */
	if (gi_record(w, n, r->name, r->name_len) < 0)
		rules_trouble(w);
	is_dir = entry_is_dir(w, f, c);
	if (c >= 0 && !isdir_cap)
		f &= ~BE_MODIFY; /* its entries changed: they say so */
	settle_same_name(w, n, r);
	if (f & BE_MOVED_FROM) {
		moved_from(w, n, r, is_dir);
		return;
	}
	if (f & BE_MOVED_TO) {
		moved_to(w, n, r, is_dir);
		return;
	}
	if (f & BE_CREATE) {
		appeared(w, n, r->name, r->name_len, is_dir, 0);
		return;
	}
	if ((root = event_path(w, n, r->name, r->name_len, &rel)) < 0)
		return;
	if (f & BE_DELETE)
		deleted(w, n, r, c, is_dir, root, rel);
	changed(w, n, r, f, is_dir, root, rel);
}

/* One record from the backend: events and changes to the tree. */
void
handle(fw_watcher *w, const struct fw_raw *r)
{
	struct fw_raw sub;
	int n;
	if (r->flags & BE_OVERFLOW) {
		overflowed(w, r);
		return;
	}
	if ((n = id_get(w, r->id)) < 0)
		return; /* a watch we dropped; its last words */
	if (w->nodes[n].hidden)
		file_event(w, n, r);
	else if (!r->name_len)
		self_event(w, n, r);
	else if (treeless_node(w, n)) {
		if (!treeless_hidden(w, n, r))
			entry_event(w, n, r);
	} else if (!(w->caps & BE_CAP_SUBTREE))
		entry_event(w, n, r);
	else if ((n = below(w, n, r, &sub)) >= 0)
		entry_event(w, n, &sub);
}
