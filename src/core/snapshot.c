/*
 * snapshot.c - --snapshot: the table of every entry of every watched
 * directory (src/snap.c) kept in step with what is reported.
 *
 * An entry is noted when it is listed or reported created, moved with a
 * rename, forgotten when it goes, and looked at again after a batch that
 * said it changed, so that after an overflow a fresh listing compared
 * with it (rescan.c) says what changed while nobody was looking.
 * Directories are known by their node index.
 */
#include "core.h"

/* NAME in directory node DIR, found at PATH, exists now: remember what
 * it is.  If it is gone already, it is remembered as not known, so a
 * rescan still says it went. */
void
snap_note(fw_watcher *w, int dir, const char *name, size_t nl,
	  const char *path)
{
	struct sys_info i;
	if (sys_stat(path, &i) < 0)
		info_unknown(&i);
	snap_put(&w->snap, dir, name, nl, &i);
}

/* The same for NAME as the listing D of directory node DIR just gave it
 * (cheaper where the listing knows); *I gets what was found. */
void
snap_note_listed(fw_watcher *w, struct sys_dir *d, int dir, const char *name,
		 size_t nl, struct sys_info *i)
{
	if (sys_dir_stat(d, name, i) < 0)
		info_unknown(i);
	snap_put(&w->snap, dir, name, nl, i);
}

void
snap_forget(fw_watcher *w, int dir, const char *name, size_t nl)
{
	int i = snap_find(&w->snap, dir, name, nl);
	if (i >= 0)
		snap_del(&w->snap, i);
}

/* NAME in node FROM was renamed to TO's NAME2 (now at PATH): the entry
 * goes with it, or is noted anew where it arrived. */
void
snap_renamed(fw_watcher *w, int from, const char *name, size_t nl, int to,
	     const char *name2, size_t nl2, const char *path)
{
	int i = snap_find(&w->snap, from, name, nl);
	if (i < 0 || snap_move(&w->snap, i, to, name2, nl2) < 0)
		snap_note(w, to, name2, nl2, path);
}

/* NAME changed and that was reported: look at it again once the batch
 * is read (a save writes many times; one look per batch will do). */
void
snap_touch(fw_watcher *w, int dir, const char *name, size_t nl,
	   const char *path)
{
	struct sys_info info;
	int i = snap_find(&w->snap, dir, name, nl);
	if (i < 0) {
		snap_note(w, dir, name, nl, path);
		return;
	}
	if (w->snap.e[i].flags & SNAP_DIRTY)
		return;
	if (GROW(w->dirty, w->capdirty, w->ndirty + 1) < 0) {
		if (sys_stat(path, &info) == 0)
			snap_set(&w->snap, i, &info);
		return;
	}
	w->snap.e[i].flags |= SNAP_DIRTY;
	w->dirty[w->ndirty++] = i;
}

/*
 * The end of a read: look at what snap_touch() put aside.
 * Hazard: this runs after the batch's events were made, so what it
 * records is never older than what a reader of those events will see;
 * a change after this look is either queued by the kernel or, after an
 * overflow, found different by the rescan.
 */
void
snap_refresh(fw_watcher *w)
{
	for (size_t k = 0; k < w->ndirty; k++) {
		int i = w->dirty[k];
		struct snap_ent *e = &w->snap.e[i];
		struct sys_info info;
		size_t rel;
		if (e->dir < 0 || !(e->flags & SNAP_DIRTY))
			continue;
		e->flags &= (unsigned char)~SNAP_DIRTY;
		if (node_path(w, e->dir, snap_name(&w->snap, i), e->nlen,
			      &w->scratch, &rel) >= 0 &&
		    sys_stat(w->scratch.p, &info) == 0)
			snap_set(&w->snap, i, &info);
	}
	w->ndirty = 0;
}
