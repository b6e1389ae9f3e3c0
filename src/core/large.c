/*
 * large.c - the native backend's stand-in for large trees taking over
 * while PATHs are set up (backends.c: be_large, which is fanotify for
 * inotify on Linux).  Only with no backend chosen, recursively, and if
 * the stand-in can start here (watch.c arms it): when a setup walk has
 * watched be_large_dirs directories, or the native backend has no watch
 * left (scan.c, watch.c).
 *
 * The tree stays as it is: every directory watched so far is watched
 * again on the stand-in, by the path the tree gives it, one call each
 * and no listing; the ids are replaced; the old backend is closed; the
 * walk goes on where it was.  If the stand-in cannot watch one of them
 * (a filesystem it cannot mark), nothing has changed and the native
 * backend goes on alone, to the end or to its limit.
 *
 * Hazard: what the old backend had queued is dropped with it, and the
 * stand-in hears only of what happens after it watches: a change made
 * during the setup, in a directory walked before the swap, may go
 * unreported.  Nothing is promised before the ready line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../mux.h"
#include "core.h"

/* Node N watched on the stand-in TO: by the path it was watched by. */
static int
rewatch(fw_watcher *w, int n, const struct be_ops *to, struct buf *b)
{
	const struct node *nd = &w->nodes[n];
	/* a stand-in that needs no walk would take a subtree watch as
	 * one (treeless.c): this tree was walked, and stays so */
	unsigned want = w->want | BE_ONLYDIR |
			(w->cfg.recursive &&
					 !(to->caps & BE_CAP_NO_WALK)
				 ? BE_WANT_SUBTREE : 0);
	const char *path;
	size_t rel;
	if (nd->hidden) {
		/* a file PATH's directory, as files.c watches it */
		path = w->roots[nd->froot].file->pdir;
		want |= BE_FOLLOW;
	} else if (nd->parent < 0) {
		/* a PATH, as watch.c watches it */
		path = w->roots[nd->root].disp;
		want |= BE_FOLLOW;
	} else {
		if (node_path(w, n, NULL, 0, b, &rel) < 0)
			return -1;
		path = b->p;
		if (nd->link)
			want |= BE_FOLLOW;
	}
	return mux_swap_watch(w->be, path, want);
}

/* Say that PATH is watched with the stand-in now, and why. */
static void
large_note(fw_watcher *w, const char *path, int why,
	   const struct be_ops *from, const struct be_ops *to)
{
	char msg[256];
	if (!w->cfg.note)
		return;
	if (why == ENOSPC)
		snprintf(msg, sizeof msg, "with %s: %s has too few watches "
			 "left for it", to->name, from->name);
	else
		snprintf(msg, sizeof msg, "with %s: it has more than %zu "
			 "directories, which %s watches with no %s watch and "
			 "no kernel memory each", to->name, be_large_dirs,
			 to->name, from->name);
	say_path(w, "watching", path, msg, " (--backend ", from->name);
	buf_add(&w->err, " to use it anyway)", 18);
	if (w->err.p)
		w->cfg.note(w->cfg.ctx, w->err.p);
}

/* The stand-in takes over, for WHY (ENOSPC: the native backend's watches
 * ran out; else: PATH passed the threshold).  0, or -1 if it could not:
 * nothing changed then, and it is not tried again. */
int
large_take(fw_watcher *w, int why, const char *path)
{
	const struct be_ops *from = w->native, *to = w->large;
	struct buf b = { 0 };
	size_t n;
	int *ids;

	w->large = NULL;
	if (!(ids = malloc((w->nnodes ? w->nnodes : 1) * sizeof *ids)))
		return -1;
	if (mux_swap_begin(w->be, to) < 0) {
		free(ids);
		return -1;
	}
	for (n = 0; n < w->nnodes; n++) {
		ids[n] = w->nodes[n].id;
		if (ids[n] >= 0 && mux_is_native(ids[n]) &&
		    (ids[n] = rewatch(w, (int)n, to, &b)) < 0)
			break;
	}
	free(b.p);
	mux_swap_end(w->be, n == w->nnodes);
	if (n < w->nnodes) {
		free(ids);
		return -1;
	}
	ids_replace(w, ids);
	free(ids);
	w->native = to;
	w->caps = w->nblind ? mux_caps(to, &be_poll) : to->caps;
	if (w->nblind)
		snprintf(w->bename, sizeof w->bename, "%s and %s", to->name,
			 be_poll.name);
	large_note(w, path, why, from, to);
	return 0;
}
