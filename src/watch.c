/*
 * watch.c - the portable watcher core.
 *
 * It keeps a tree of watched directories (one node per backend watch),
 * turns the backend's per-directory records into events with full
 * paths, pairs the two halves of a rename, watches new directories as
 * they appear and reports what they already hold, coalesces repeats, and
 * rescans after an overflow.  Nothing here knows which kernel is below.
 *
 * Memory: nodes live in one array (free list through 'next'); a batch's
 * strings live in one arena that is reset per batch, so an event costs
 * no malloc.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "filter.h"

/* How long a lone "moved from" may wait for its "moved to" once the
 * kernel queue is empty.  The kernel queues both halves inside one
 * rename(), so they are normally read together; this covers a read that
 * falls between them. */
#define PAIR_MS 10

/* Remember a create our own scan reported, so the kernel's report of
 * the same create (if the entry appeared after the watch) is dropped. */
static void
synth_add(fw_watcher *w, const char *path, size_t len)
{
	struct smap *m = &w->synth[1];
	size_t off = m->arena->len;
	if (buf_add(m->arena, path, len) == 0)
		smap_put(m, off, len, 1);
}

static int
synth_take(fw_watcher *w, const char *path, size_t len)
{
	return smap_del(&w->synth[1], path, len) |
	       smap_del(&w->synth[0], path, len);
}

/* The kernel queue was emptied after the scans that added entries to
 * synth[0] finished: every report they could duplicate has been read. */
static void
synth_expire(fw_watcher *w)
{
	struct smap t = w->synth[0];
	struct buf tb = w->synthbuf[0];
	w->synthbuf[0] = w->synthbuf[1];
	w->synthbuf[1] = tb;
	w->synthbuf[1].len = 0;
	w->synth[0] = w->synth[1];
	w->synth[1] = t;
	w->synth[0].arena = &w->synthbuf[0];
	w->synth[1].arena = &w->synthbuf[1];
	if (w->synth[1].used)
		smap_clear(&w->synth[1]);
}

/* ---- the snapshot (--snapshot) -------------------------------------------- */

/* NAME in directory node DIR, found at PATH, exists now: remember what
 * it is in *I.  If it is gone already, it is remembered as not known, so
 * a rescan still says it went. */
static void
snap_note(fw_watcher *w, int dir, const char *name, size_t nl,
	  const char *path, struct sys_info *i)
{
	if (sys_stat(path, i) < 0) {
		i->ino = 0;
		i->size = i->mtime = -1;
		i->type = SYS_GONE;
	}
	snap_put(&w->snap, dir, name, nl, i);
}

static void
snap_forget(fw_watcher *w, int dir, const char *name, size_t nl)
{
	int i = snap_find(&w->snap, dir, name, nl);
	if (i >= 0)
		snap_del(&w->snap, i);
}

/* NAME changed and that was reported: look at it again once the batch
 * is read (a save writes many times; one look per batch will do). */
static void
snap_touch(fw_watcher *w, int dir, const char *name, size_t nl,
	   const char *path)
{
	struct sys_info info;
	int i = snap_find(&w->snap, dir, name, nl);
	if (i < 0) {
		snap_note(w, dir, name, nl, path, &info);
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
 * Hazard: this runs after the batch's events were made, so what it
 * records is never older than what a reader of those events will see;
 * a change after this look is either queued by the kernel or, after an
 * overflow, found different by the rescan.
 */
static void
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

/*
 * Rescan with a snapshot: compare NAME in directory node DIR (its path
 * in w->cur) with what the snapshot says, and report the difference.
 * WATCHED: a directory there will be watched, and the scan reports it.
 * -1 if it is gone already.
 */
static int
rescan_entry(fw_watcher *w, struct sys_dir *d, int dir, const char *name,
	     size_t nl, int root, size_t crel, int watched)
{
	struct sys_info i;
	int idx;
	if (sys_dir_stat(d, name, &i) < 0)
		return -1;
	idx = snap_find(&w->snap, dir, name, nl);
	if (idx >= 0 && w->snap.e[idx].type == SYS_GONE) {
		/* reported, but never seen (its path changed under the
		 * look): this is it; say it may have changed */
		w->snap.e[idx].flags |= SNAP_MARK;
		snap_set(&w->snap, idx, &i);
		if (i.type != SYS_DIRECTORY)
			emit(w, FW_MODIFY, FW_EV_RESCAN, root, w->cur.p,
			     w->cur.len, crel);
		return 0;
	}
	if (idx >= 0) {
		struct snap_ent *e = &w->snap.e[idx];
		if (e->type != i.type || (e->ino && i.ino && e->ino != i.ino)) {
			/* replaced while we were blind: say the old one
			 * went before the new one comes */
			int was_dir = e->type == SYS_DIRECTORY;
			emit(w, FW_DELETE, (was_dir ? FW_EV_DIR : 0) | FW_EV_RESCAN,
			     root, w->cur.p, w->cur.len, crel);
			if (was_dir) {
				int c = find_child(w, dir, name, nl);
				if (c >= 0)
					subtree_free(w, c, 1);
			}
			snap_del(&w->snap, idx);
			idx = -1;
		}
	}
	if (idx >= 0) {
		struct snap_ent *e = &w->snap.e[idx];
		e->flags |= SNAP_MARK;
		if (i.type != SYS_DIRECTORY &&
		    (e->size != i.size || e->mtime != i.mtime))
			emit(w, FW_MODIFY, FW_EV_RESCAN, root, w->cur.p,
			     w->cur.len, crel);
		snap_set(&w->snap, idx, &i);
		return 0;
	}
	idx = snap_put(&w->snap, dir, name, nl, &i);
	if (idx >= 0)
		w->snap.e[idx].flags |= SNAP_MARK;
	if (!watched) {
		unsigned fl = (i.type == SYS_DIRECTORY ? FW_EV_DIR : 0) |
			      FW_EV_RESCAN;
		emit(w, FW_CREATE, fl, root, w->cur.p, w->cur.len, crel);
		synth_add(w, w->cur.p, w->cur.len);
		if (i.type != SYS_DIRECTORY && i.size > 0)
			emit(w, FW_MODIFY, fl, root, w->cur.p, w->cur.len, crel);
	}
	return 0;
}

/* After the listing of directory node DIR (path: the first DLEN bytes of
 * w->cur): what the snapshot has and the listing did not went away. */
static void
rescan_sweep(fw_watcher *w, int dir, size_t dlen, int root, size_t rel)
{
	int i = snap_first(&w->snap, dir), next;
	for (; i >= 0; i = next) {
		struct snap_ent *e = &w->snap.e[i];
		next = e->next;
		if (e->flags & SNAP_MARK) {
			e->flags &= (unsigned char)~SNAP_MARK;
			continue;
		}
		w->cur.len = dlen;
		if ((dlen && w->cur.p[dlen - 1] != '/' &&
		     buf_add(&w->cur, "/", 1) < 0) ||
		    buf_add(&w->cur, snap_name(&w->snap, i), e->nlen) < 0)
			return;
		size_t crel = rel;
		if (crel < w->cur.len && w->cur.p[crel] == '/')
			crel++;
		int was_dir = e->type == SYS_DIRECTORY;
		emit(w, FW_DELETE, (was_dir ? FW_EV_DIR : 0) | FW_EV_RESCAN,
		     root, w->cur.p, w->cur.len, crel);
		if (was_dir) {
			int c = find_child(w, dir, snap_name(&w->snap, i),
					   e->nlen);
			if (c >= 0)
				subtree_free(w, c, 1);
		}
		snap_del(&w->snap, i);
	}
}

/* ---- scanning ------------------------------------------------------------ */

static int
push(fw_watcher *w, int node, const char *path, size_t len, int fresh)
{
	struct stackent *s;
	if (GROW(w->st, w->capst, w->nst + 1) < 0)
		return -1;
	s = &w->st[w->nst];
	s->node = node;
	s->path = w->stack.len;
	s->len = len;
	s->fresh = fresh;
	if (buf_add(&w->stack, path, len) < 0)
		return -1;
	w->nst++;
	return 0;
}

/* Watch directory PATH, whose part below its PATH starts at REL. */
static int
watch_one(fw_watcher *w, const char *path, size_t rel, int follow)
{
	int id;
	w->ask.path = path;
	w->ask.rel = rel;
	id = w->ops->watch(w->be, path,
			   w->want | BE_ONLYDIR | (follow ? BE_FOLLOW : 0) |
				   (w->cfg.recursive ? BE_WANT_SUBTREE : 0));
	w->ask.path = NULL;
	return id;
}


/*
 * Hazard: a new directory is watched by the path the tree gives it when
 * its create is read, but a rename of one of its ancestors may be later
 * in the same read (mkdir a/b/new; mv a c): the path is gone, the
 * directory is not.  Try again once the read's renames are applied.
 */
static void
retry_later(fw_watcher *w, int parent, const char *name, size_t nl)
{
	uint32_t h[2] = { (uint32_t)parent, (uint32_t)nl };
	if (buf_add(&w->retry, (const char *)h, sizeof h) == 0)
		buf_add(&w->retry, name, nl);
}

/* A watched directory N turned up in a rescan as NAME in node PARENT
 * (its path in w->cur): it was moved while we were blind. */
static void
moved_unseen(fw_watcher *w, int n, int parent, const char *name, size_t nl,
	     int root, size_t crel)
{
	size_t orel;
	int oroot = node_path(w, n, NULL, 0, &w->scratch, &orel);
	/* its old name must not be swept as a delete after the rename */
	snap_forget(w, w->nodes[n].parent, nname(&w->nodes[n]),
		    w->nodes[n].nlen);
	if (node_move(w, n, parent, name, nl) < 0 || oroot < 0)
		return;
	emit_rename(w, FW_EV_DIR | FW_EV_RESCAN, root, w->cur.p, w->cur.len,
		    crel, w->scratch.p, w->scratch.len, orel);
}

static int
scan(fw_watcher *w, int start, const char *path, size_t plen,
     enum scan_mode mode, int fresh)
{
	size_t base = w->nst, rel = 0;
	int root = -1;
	if (mode != SCAN_COUNT) {
		/* PATH starts with the root's display prefix */
		root = root_of(w, start);
		rel = w->roots[root].disp_len;
	}
	if (push(w, start, path, plen, fresh) < 0)
		return -1;
	while (w->nst > base) {
		struct stackent e = w->st[--w->nst];
		struct sys_dir *d;
		const char *name;
		enum sys_type type;
		size_t dlen;
		int r;

		w->cur.len = 0;
		if (buf_add(&w->cur, w->stack.p + e.path, e.len) < 0)
			return -1;
		w->stack.len = e.path;
		if (mode != SCAN_COUNT && w->nodes[e.node].id < 0)
			continue; /* dropped while we were busy */
		int snapping = w->cfg.snapshot && mode != SCAN_COUNT;
		int diffing = snapping && mode == SCAN_RESCAN && !e.fresh;
		if (!(d = sys_opendir(w->cur.p))) {
			if (errno != ENOENT && errno != ENOTDIR &&
			    mode != SCAN_COUNT)
				warnf(w, w->cur.p, errno,
				      "changes below it will not be reported");
			continue;
		}
		dlen = w->cur.len;
		if (diffing)
			for (int i = snap_first(&w->snap, e.node); i >= 0;
			     i = w->snap.e[i].next)
				w->snap.e[i].flags &= (unsigned char)~SNAP_MARK;
		while ((r = sys_readdir(d, &name, &type)) > 0) {
			size_t nl;
			int is_dir, id, n, link = 0;
			struct sys_info si;
			/* setting up, a file needs nothing: not even its path
			 * (unless a snapshot wants to know it) */
			if (!snapping &&
			    (mode == SCAN_SETUP || mode == SCAN_COUNT ||
			     (mode == SCAN_RESCAN && !e.fresh)) &&
			    type != SYS_DIRECTORY && type != SYS_LINK)
				continue;
			nl = strlen(name);
			w->cur.len = dlen;
			if ((dlen && w->cur.p[dlen - 1] != '/' &&
			     buf_add(&w->cur, "/", 1) < 0) ||
			    buf_add(&w->cur, name, nl) < 0) {
				sys_closedir(d);
				return -1;
			}
			if (type == SYS_LINK && w->cfg.follow) {
				link = 1;
				type = sys_type_of(w->cur.p, 1);
			}
			is_dir = type == SYS_DIRECTORY;
			if (mode == SCAN_COUNT) {
				if (is_dir && !link) {
					w->counted++;
					push(w, -1, w->cur.p, w->cur.len, 0);
				}
				continue;
			}
			size_t crel = rel;
			if (crel < w->cur.len && w->cur.p[crel] == '/')
				crel++;
			if (diffing) {
				int watched = is_dir && w->cfg.recursive &&
					      !filter_excluded(w->cfg.filter,
							       w->cur.p + crel);
				if (rescan_entry(w, d, e.node, name, nl, root,
						 crel, watched) < 0)
					continue; /* gone: the sweep says so */
			} else if (snapping) {
				if (sys_dir_stat(d, name, &si) < 0) {
					si.ino = 0;
					si.size = si.mtime = -1;
					si.type = SYS_GONE;
				}
				snap_put(&w->snap, e.node, name, nl, &si);
			}
			if (mode == SCAN_NEW || (mode == SCAN_RESCAN && e.fresh)) {
				unsigned fl = (is_dir ? FW_EV_DIR : 0) |
					      (mode == SCAN_RESCAN ? FW_EV_RESCAN : 0);
				emit(w, FW_CREATE, fl, root, w->cur.p,
				     w->cur.len, crel);
				synth_add(w, w->cur.p, w->cur.len);
				/* Hazard: written before its directory was
				 * watched, its content came with no event;
				 * say it changed, or -e modify never hears */
				if (!is_dir && (w->report & FW_BIT(FW_MODIFY)) &&
				    (snapping ? si.size : sys_size_of(w->cur.p)) > 0)
					emit(w, FW_MODIFY, fl, root, w->cur.p,
					     w->cur.len, crel);
			}
			if (!is_dir || !w->cfg.recursive ||
			    filter_excluded(w->cfg.filter, w->cur.p + crel))
				continue;
			id = watch_one(w, w->cur.p, rel, link);
			if (id < 0) {
				if (errno == ENOENT || errno == ENOTDIR) {
					/* gone, or an ancestor renamed */
					if (mode != SCAN_SETUP)
						retry_later(w, e.node, name, nl);
					continue;
				}
				if (mode == SCAN_SETUP && (errno == ENOSPC ||
							   errno == ENOMEM)) {
					w->fatal = errno;
					sys_closedir(d);
					return -1;
				}
				warnf(w, w->cur.p, errno,
				      "changes below it will not be reported");
				continue;
			}
			n = id_get(w, id);
			if (n >= 0 && w->nodes[n].hidden) {
				/* watched so far for a file PATH in it */
				absorb(w, n);
				if (node_move(w, n, e.node, name, nl) < 0)
					continue;
				push(w, n, w->cur.p, w->cur.len, 0);
				continue;
			}
			if (n >= 0 && !link && w->nodes[n].parent >= 0 &&
			    (mode == SCAN_NEW || (mode == SCAN_RESCAN && e.fresh))) {
				/* Hazard: a watched directory moved into this
				 * one before it was watched (mkdir new; mv dir
				 * new/).  Its "moved from", read later, must not
				 * take the watch away from where it is now; and
				 * it was reported created here, so its contents
				 * are too. */
				if ((w->nodes[n].parent != e.node ||
				     strcmp(nname(&w->nodes[n]), name)) &&
				    node_move(w, n, e.node, name, nl) < 0)
					continue;
				w->nodes[n].mark = 1;
				push(w, n, w->cur.p, w->cur.len, 1);
				continue;
			}
			if (n >= 0) {
				/* Watched already: a loop through a symlink,
				 * or (rescan) a directory that may have moved. */
				if (mode != SCAN_RESCAN || w->nodes[n].mark ||
				    w->nodes[n].parent < 0)
					continue;
				if (w->nodes[n].parent != e.node ||
				    strcmp(nname(&w->nodes[n]), name))
					moved_unseen(w, n, e.node, name, nl, root,
						     crel);
				w->nodes[n].mark = 1;
				push(w, n, w->cur.p, w->cur.len, 0);
				continue;
			}
			n = node_new(w, id, e.node, name, nl);
			if (n < 0 || push(w, n, w->cur.p, w->cur.len, 1) < 0) {
				sys_closedir(d);
				return -1;
			}
			if (mode == SCAN_RESCAN && !e.fresh)
				/* a directory that appeared while we were blind */
				emit(w, FW_CREATE, FW_EV_DIR | FW_EV_RESCAN, root,
				     w->cur.p, w->cur.len, crel);
		}
		if (r < 0 && mode != SCAN_COUNT)
			warnf(w, w->cur.p, errno,
			      "some changes below it may not be reported");
		else if (diffing)
			rescan_sweep(w, e.node, dlen, root, rel);
		sys_closedir(d);
	}
	return 0;
}

static void new_dir(fw_watcher *w, int parent, const char *name, size_t nl,
		    const char *path, size_t len, size_t rel);

static void
retry_dirs(fw_watcher *w)
{
	struct buf b = w->retry;
	memset(&w->retry, 0, sizeof w->retry);
	for (size_t off = 0; off + 2 * sizeof(uint32_t) <= b.len;) {
		uint32_t h[2];
		size_t rel;
		memcpy(h, b.p + off, sizeof h);
		off += sizeof h;
		const char *name = b.p + off;
		size_t nl = h[1];
		int parent = (int)h[0];
		off += nl;
		if ((size_t)parent >= w->nnodes || w->nodes[parent].id < 0 ||
		    w->nodes[parent].hidden ||
		    find_child(w, parent, name, nl) >= 0 ||
		    node_path(w, parent, name, nl, &w->scratch, &rel) < 0 ||
		    sys_type_of(w->scratch.p, 0) != SYS_DIRECTORY)
			continue; /* gone for good: its delete says so */
		char *path = dupn(w->scratch.p, w->scratch.len);
		if (path)
			new_dir(w, parent, name, nl, path, strlen(path), rel);
		free(path);
	}
	free(b.p);
}

/* A directory appeared at PATH (child NAME of node PARENT): watch it and
 * report what it already holds. */
static void
new_dir(fw_watcher *w, int parent, const char *name, size_t nl,
	const char *path, size_t len, size_t rel)
{
	int id, n;
	if (!w->cfg.recursive ||
	    filter_excluded(w->cfg.filter, path + rel))
		return;
	/* path may point into scratch, which scanning reuses */
	w->cur.len = 0;
	if (buf_add(&w->cur, path, len) < 0)
		return;
	id = watch_one(w, w->cur.p, rel, 0);
	if (id < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			warnf(w, w->cur.p, errno,
			      "changes below it will not be reported");
		else
			retry_later(w, parent, name, nl);
		return;
	}
	n = id_get(w, id);
	if (n >= 0 && !w->nodes[n].hidden)
		return; /* already known (and scanned) */
	if (n >= 0) {
		absorb(w, n);
		if (node_move(w, n, parent, name, nl) < 0)
			return;
	} else if ((n = node_new(w, id, parent, name, nl)) < 0) {
		return;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, w->cur.p, len + 1);
	scan(w, n, copy, len, SCAN_NEW, 1);
	free(copy);
}

/* ---- records -------------------------------------------------------------- */

static void
finish_pend(fw_watcher *w, size_t i)
{
	struct pend p = w->pend[i];
	w->pend[i] = w->pend[--w->npend];
	if (w->cfg.snapshot && w->nodes[p.node].id >= 0)
		snap_forget(w, p.node, w->pendbuf.p + p.name, p.name_len);
	if (p.ev < 0)
		return;
	/* moved out of the tree: gone, as far as we can see; its
	 * placeholder already says delete, in the order it happened */
	struct iev *e = &w->ev[p.ev];
	decide(w, p.ev);
	synth_take(w, w->out.p + e->path, e->path_len);
	if (p.is_dir && w->nodes[p.node].id >= 0) {
		int c = find_child(w, p.node, w->pendbuf.p + p.name,
				   p.name_len);
		if (c >= 0)
			subtree_free(w, c, 1);
	}
}

static void
finish_all_pend(fw_watcher *w)
{
	while (w->npend)
		finish_pend(w, 0);
	w->pendbuf.len = 0;
}

static void
moved_to(fw_watcher *w, int n, const struct fw_raw *r, int is_dir)
{
	size_t rel;
	int root;
	for (size_t i = 0; i < w->npend; i++) {
		struct pend p = w->pend[i];
		if (p.cookie != r->cookie || p.ev < 0 ||
		    w->nodes[p.node].id < 0)
			continue;
		w->pend[i] = w->pend[--w->npend];
		root = node_path(w, n, r->name, r->name_len, &w->scratch, &rel);
		if (root < 0)
			return;
		if (synth_take(w, w->scratch.p, w->scratch.len)) {
			/* Hazard: the scan of a new directory found it there
			 * first (mkdir new; mv x new/y) and reported it, with
			 * its contents, as created: a rename now would put
			 * the old contents back over them.  The old path is
			 * simply gone. */
			decide(w, p.ev);
			if (w->cfg.snapshot)
				snap_forget(w, p.node, w->pendbuf.p + p.name,
					    p.name_len);
			return;
		}
		if (become_rename(w, p.ev, root, w->scratch.p, w->scratch.len,
				  rel) < 0)
			return;
		if (w->cfg.snapshot) {
			int si = snap_find(&w->snap, p.node,
					   w->pendbuf.p + p.name, p.name_len);
			struct sys_info info;
			if (si < 0 || snap_move(&w->snap, si, n, r->name,
						r->name_len) < 0)
				snap_note(w, n, r->name, r->name_len,
					  w->scratch.p, &info);
		}
		if (!is_dir)
			return;
		int c = find_child(w, p.node, w->pendbuf.p + p.name,
				   p.name_len);
		if (c >= 0) {
			if (filter_excluded(w->cfg.filter, w->scratch.p + rel))
				subtree_free(w, c, 1);
			else
				node_move(w, c, n, r->name, r->name_len);
		} else {
			/* it was not watched (excluded before): it is now */
			char *path = malloc(w->scratch.len + 1);
			if (!path)
				return;
			memcpy(path, w->scratch.p, w->scratch.len + 1);
			new_dir(w, n, r->name, r->name_len, path,
				w->scratch.len, rel);
			free(path);
		}
		return;
	}
	/* moved in from outside: everything in it is new here */
	root = node_path(w, n, r->name, r->name_len, &w->scratch, &rel);
	if (root < 0 || synth_take(w, w->scratch.p, w->scratch.len))
		return; /* (or our scan of a new directory said so already) */
	emit(w, FW_CREATE, is_dir ? FW_EV_DIR : 0, root, w->scratch.p,
	     w->scratch.len, rel);
	if (w->cfg.snapshot) {
		struct sys_info info;
		snap_note(w, n, r->name, r->name_len, w->scratch.p, &info);
	}
	if (is_dir)
		new_dir(w, n, r->name, r->name_len, w->scratch.p,
			w->scratch.len, rel);
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

	if (f & BE_UNMOUNT) {
		root = node_path(w, n, NULL, 0, &w->scratch, &rel);
		emit(w, FW_UNMOUNT, dir | (is_root ? FW_EV_ROOT : 0), root,
		     w->scratch.p, w->scratch.len, rel);
		/* the IN_IGNORED that follows is no news: no "delete" */
		if (is_root)
			root_gone(w, nd->root);
	}
	if (!is_root) {
		/* the parent's watch reports these with the name */
		if (f & BE_IGNORED)
			subtree_free(w, n, 1);
		return;
	}
	root = node_path(w, n, NULL, 0, &w->scratch, &rel);
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
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

static void
handle(fw_watcher *w, const struct fw_raw *r)
{
	unsigned f = r->flags;
	int n, root, is_dir = !!(f & BE_ISDIR);
	size_t rel;

	if (f & BE_OVERFLOW) {
		finish_all_pend(w);
		emit(w, FW_OVERFLOW, 0, -1, "", 0, 0);
		w->need_rescan = 1;
		return;
	}
	if ((n = id_get(w, r->id)) < 0)
		return; /* a watch we dropped; its last words */
	if (w->nodes[n].hidden) {
		file_event(w, n, r);
		return;
	}
	if (!r->name_len) {
		self_event(w, n, r);
		return;
	}
	/* A backend that watches whole subtrees names an entry below a
	 * subdirectory by its path: find that directory in the tree. */
	const char *slash;
	struct fw_raw sub;
	while ((slash = memchr(r->name, '/', r->name_len))) {
		size_t cl = (size_t)(slash - r->name);
		if ((n = find_child(w, n, r->name, cl)) < 0)
			return; /* below a directory we do not watch */
		sub = *r;
		sub.name = slash + 1;
		sub.name_len = r->name_len - cl - 1;
		r = &sub;
		if (!r->name_len)
			return;
	}
	/* Not every backend can tell a directory's records from a file's;
	 * the tree knows which names are watched directories. */
	int c = find_child(w, n, r->name, r->name_len);
	if (c >= 0) {
		if (f & (BE_DELETE | BE_MOVED_FROM))
			is_dir = 1;
		f &= ~BE_MODIFY; /* its entries changed: they say so */
	}
	/* Anything about a name that left with a pending "moved from"
	 * means that move was not a rename here: settle it first, so
	 * "mv a out; mkdir a" is reported in that order. */
	for (size_t i = 0; i < w->npend; i++) {
		const struct pend *p = &w->pend[i];
		if (p->node == n && p->name_len == r->name_len &&
		    !memcmp(w->pendbuf.p + p->name, r->name, r->name_len) &&
		    !(f & BE_MOVED_TO && p->cookie == r->cookie)) {
			finish_pend(w, i);
			break;
		}
	}
	if (f & BE_MOVED_FROM) {
		struct pend *p;
		if (GROW(w->pend, w->cappend, w->npend + 1) < 0)
			return;
		p = &w->pend[w->npend++];
		p->cookie = r->cookie;
		p->node = n;
		p->name = w->pendbuf.len;
		p->name_len = r->name_len;
		p->is_dir = is_dir;
		buf_add(&w->pendbuf, r->name, r->name_len);
		root = node_path(w, n, r->name, r->name_len, &w->scratch, &rel);
		p->ev = root < 0 ? -1 : append(w, FW_DELETE,
					       is_dir ? FW_EV_DIR : 0, root,
					       w->scratch.p, w->scratch.len,
					       rel);
		return;
	}
	if (f & BE_MOVED_TO) {
		moved_to(w, n, r, is_dir);
		return;
	}
	root = node_path(w, n, r->name, r->name_len, &w->scratch, &rel);
	if (root < 0)
		return;
	if (f & BE_CREATE) {
		if (synth_take(w, w->scratch.p, w->scratch.len))
			return; /* our scan reported it already */
		emit(w, FW_CREATE, is_dir ? FW_EV_DIR : 0, root, w->scratch.p,
		     w->scratch.len, rel);
		if (w->cfg.snapshot) {
			struct sys_info info;
			snap_note(w, n, r->name, r->name_len, w->scratch.p,
				  &info);
		}
		if (is_dir)
			new_dir(w, n, r->name, r->name_len, w->scratch.p,
				w->scratch.len, rel);
		return;
	}
	if (f & BE_DELETE) {
		synth_take(w, w->scratch.p, w->scratch.len);
		if (w->cfg.snapshot)
			snap_forget(w, n, r->name, r->name_len);
		emit(w, FW_DELETE, is_dir ? FW_EV_DIR : 0, root, w->scratch.p,
		     w->scratch.len, rel);
		/* inotify has dropped a deleted directory's watch by now;
		 * a subtree backend has no record of its own for that */
		if (c >= 0 && w->nodes[c].id >= 0)
			subtree_free(w, c, 1);
	}
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
		if (f & plain[i].bit)
			emit(w, plain[i].kind, is_dir ? FW_EV_DIR : 0, root,
			     w->scratch.p, w->scratch.len, rel);
	if (w->cfg.snapshot && !(f & BE_DELETE) &&
	    (f & (BE_MODIFY | BE_ATTRIB | BE_CLOSE_WRITE)))
		snap_touch(w, n, r->name, r->name_len, w->scratch.p);
}

/* After an overflow: watch every directory again, forget the ones that
 * are gone, and report directories that are new to us. */
static void
rescan(fw_watcher *w)
{
	for (size_t i = 0; i < w->nnodes; i++)
		w->nodes[i].mark = 0;
	for (size_t r = 0; r < w->nroots; r++) {
		struct root *rt = &w->roots[r];
		int n = rt->node, id;
		if (rt->gone || n < 0)
			continue;
		if (rt->file) {
			rescan_file(w, (int)r);
			continue;
		}
		w->nodes[n].mark = 1;
		id = watch_one(w, rt->disp, rt->disp_len, 1);
		if (id < 0 || id != w->nodes[n].id) {
			size_t rel;
			int root = node_path(w, n, NULL, 0, &w->scratch, &rel);
			emit(w, FW_DELETE, FW_EV_DIR | FW_EV_ROOT | FW_EV_RESCAN, root,
			     w->scratch.p, w->scratch.len, rel);
			subtree_free(w, n, 1);
			id_stray(w, id);
			continue;
		}
		if (w->cfg.recursive || w->cfg.snapshot)
			scan(w, n, rt->disp, rt->disp_len, SCAN_RESCAN, 0);
	}
	for (size_t i = 0; i < w->nnodes; i++) {
		if (w->nodes[i].id >= 0 && !w->nodes[i].mark &&
		    !w->nodes[i].hidden) {
			/* a directory that went away while we were blind */
			size_t rel;
			int root = node_path(w, (int)i, NULL, 0, &w->scratch, &rel);
			emit(w, FW_DELETE, FW_EV_DIR | FW_EV_RESCAN, root,
			     w->scratch.p, w->scratch.len, rel);
			subtree_free(w, (int)i, 1);
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
		    !memcmp(nname(nd), w->pendbuf.p + p->name, p->name_len))
			return 1;
	}
	return 0;
}

static int
take(fw_watcher *w, int *drained)
{
	const struct fw_raw *recs;
	int n = w->ops->read(w->be, &recs, drained);
	w->take_gen++;
	sys_now(&w->sec, &w->usec);
	/* The kernel queues both halves of a rename back to back: a move
	 * still waiting from the last read whose partner does not open
	 * this one went out of the tree. */
	for (size_t i = 0; i < w->npend;) {
		int found = 0;
		for (int j = 0; j < n && j < 4 && !found; j++)
			found = (recs[j].flags & BE_MOVED_TO) &&
				recs[j].cookie == w->pend[i].cookie;
		if (found)
			i++;
		else
			finish_pend(w, i);
	}
	for (int i = 0; i < n; i++) {
		/* news from inside a directory that is leaving: settle
		 * the move first, so its old paths are not reused */
		for (size_t k = 0; k < w->npend;) {
			int c = id_get(w, recs[i].id);
			if (w->pend[k].is_dir && c >= 0 &&
			    inside_pending(w, c, &w->pend[k]))
				finish_pend(w, k);
			else
				k++;
		}
		handle(w, &recs[i]);
	}
	return n < 0 ? -1 : 0;
}

int
fw_read(fw_watcher *w, int timeout_ms, const struct fw_event **evs)
{
	int64_t deadline = timeout_ms >= 0 ? sys_mono_ms() + timeout_ms : -1;

	batch_reset(w);
	for (;;) {
		int drained = 0, r, left = -1;
		if (w->need_rescan) {
			w->need_rescan = 0;
			sys_now(&w->sec, &w->usec);
			rescan(w);
		}
		if (w->nev)
			break;
		if (w->woken) {
			w->woken = 0;
			return 0;
		}
		if (deadline >= 0) {
			int64_t d = deadline - sys_mono_ms();
			left = d > 0 ? (int)d : 0;
		}
		if (!w->queued)
			batch_trim(w); /* about to sleep: a good moment */
		/* After a read that left records queued, or a batch handed
		 * out (more may have come meanwhile), read at once: in a
		 * burst this saves a poll per batch; idle, it costs one
		 * read that says EAGAIN. */
		r = w->queued ? 1 : w->ops->wait(w->be, left);
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		if (r == BE_WOKEN)
			return 0;
		if (take(w, &drained) < 0)
			return -1;
		while (w->npend) {
			if (!drained) {
				if (take(w, &drained) < 0)
					return -1;
				continue;
			}
			r = w->ops->wait(w->be, PAIR_MS);
			if (r == BE_WOKEN)
				w->woken = 1;
			if (r != 1 || take(w, &drained) < 0)
				break;
		}
		finish_all_pend(w);
		if (w->retry.len)
			retry_dirs(w);
		if (w->nleft)
			files_settle(w);
		if (w->ndirty)
			snap_refresh(w);
		w->queued = !drained;
		if (drained)
			synth_expire(w);
		/* the last PATH went without a word (a file PATH already
		 * reported deleted lost its directory): let the caller see */
		if (!w->nev && !w->roots_left)
			return 0;
	}

	w->queued = 1;
	return batch_out(w, evs);
}

/* ---- setup ------------------------------------------------------------------ */

static const struct be_ops *backend_find(const char *name);

fw_watcher *
fw_open(const struct fw_config *cfg)
{
	fw_watcher *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->cfg = *cfg;
	w->report = cfg->events | FW_ALWAYS;
	/* a truncation is a kind of modification */
	if (cfg->events & FW_BIT(FW_MODIFY))
		w->report |= FW_BIT(FW_TRUNCATE);
	if (w->report & FW_BIT(FW_TRUNCATE))
		w->want |= BE_WANT_CONTENT;
	if (cfg->events & FW_BIT(FW_ATTRIB))
		w->want |= BE_WANT_ATTRIB;
	if (cfg->events & FW_BIT(FW_CLOSE_WRITE))
		w->want |= BE_WANT_CLOSE_W;
	if (cfg->events & FW_BIT(FW_CLOSE_NOWRITE))
		w->want |= BE_WANT_CLOSE_N;
	if (cfg->events & FW_BIT(FW_OPEN))
		w->want |= BE_WANT_OPEN;
	if (cfg->events & FW_BIT(FW_ACCESS))
		w->want |= BE_WANT_ACCESS;
	w->freelist = -1;
	w->pc_node = -1;
	w->seen.arena = &w->out;
	w->synth[0].arena = &w->synthbuf[0];
	w->synth[1].arena = &w->synthbuf[1];
	snap_init(&w->snap);
	if (!(w->ops = backend_find(cfg->backend))) {
		free(w);
		errno = ENOENT;
		return NULL;
	}
	files_lend(w, &w->env);
	if (w->ops->open(&w->be, &w->env) < 0) {
		int e = errno;
		free(w);
		errno = e;
		return NULL;
	}
	return w;
}

/* The built-in backend called NAME; the default for NULL or "". */
static const struct be_ops *
backend_find(const char *name)
{
	if (!name || !*name)
		return be_builtin[0];
	for (size_t i = 0; be_builtin[i]; i++)
		if (!strcmp(be_builtin[i]->name, name))
			return be_builtin[i];
	return NULL;
}

const char *
fw_open_error(const struct fw_config *cfg, int err, char *buf, size_t n)
{
	const struct be_ops *ops = backend_find(cfg->backend);
	const char *h;
	if (!ops) {
		snprintf(buf, n, "this fwatch has no backend called '%s'",
			 cfg->backend);
		return buf;
	}
	h = ops->limit_hint(NULL, err, 0, buf, n);
	return h ? h : strerror(err);
}

const char *
fw_backend_at(size_t i, const char **about)
{
	size_t k = 0;
	while (k < i && be_builtin[k])
		k++;
	if (!be_builtin[k])
		return NULL;
	if (about)
		*about = be_builtin[k]->about;
	return be_builtin[k]->name;
}

int
fw_backend_try(const char *name)
{
	const struct be_ops *ops = backend_find(name);
	struct backend *b;
	if (!ops) {
		errno = ENOENT;
		return -1;
	}
	if (ops->open(&b, NULL) < 0)
		return -1;
	ops->close(b);
	return 0;
}

/* How many watches all roots need, for the limit message. */
static size_t
count_needed(fw_watcher *w, const char *extra)
{
	w->counted = 0;
	for (size_t r = 0; r <= w->nroots; r++) {
		const char *p = r < w->nroots ? w->roots[r].given : extra;
		if (!p || (r < w->nroots && w->roots[r].gone))
			continue;
		w->counted++;
		if (w->cfg.recursive && sys_type_of(p, 1) == SYS_DIRECTORY)
			scan(w, -1, p, strlen(p), SCAN_COUNT, 0);
	}
	return w->counted;
}

static int add_root(fw_watcher *w, const char *path, const char *given);

int
fw_add(fw_watcher *w, const char *path)
{
	char *norm;
	int r;
	if (!SYS_ALT_SEP || !strchr(path, SYS_ALT_SEP))
		return add_root(w, path, path);
	/* one separator inside: "C:\\src" is watched and shown as "C:/src" */
	if (!(norm = malloc(strlen(path) + 1)))
		return -1;
	strcpy(norm, path);
	for (char *c = norm; *c; c++)
		if (*c == SYS_ALT_SEP)
			*c = '/';
	r = add_root(w, norm, path);
	free(norm);
	return r;
}

static int
add_root(fw_watcher *w, const char *path, const char *given)
{
	enum sys_type t;
	int id, n, r, e;

	if (!*path) {
		say_path(w, "cannot watch", "", "empty path (use . for the current "
			   "directory)", "", "");
		errno = ENOENT;
		return -1;
	}
	t = sys_type_of(path, 1);
	if (t == SYS_GONE) {
		e = errno;
		set_err(w, path, e, 0);
		errno = e;
		return -1;
	}
	if (t != SYS_DIRECTORY) {
		if (add_file(w, path, given) < 0)
			return -1;
		goto note;
	}
	id = watch_one(w, path, strlen(path), 1);
	if (id < 0) {
		e = errno;
		set_err(w, path, e, e == ENOSPC ? count_needed(w, path) : 0);
		errno = e;
		return -1;
	}
	n = id_get(w, id);
	if (n >= 0 && !w->nodes[n].hidden)
		return 0; /* given twice, or inside another PATH: watched */
	if ((r = root_new(w, path, given)) < 0)
		return -1;
	if (n >= 0)
		absorb(w, n); /* watched for file PATHs in it until now */
	else if ((n = node_new(w, id, -1, NULL, 0)) < 0)
		return -1;
	w->nodes[n].root = r;
	w->roots[r].node = n;
	w->roots_left++;
	if (w->cfg.recursive || w->cfg.snapshot) {
		struct root *rt = &w->roots[r];
		w->fatal = 0;
		if (scan(w, n, rt->disp, rt->disp_len, SCAN_SETUP, 0) < 0) {
			e = w->fatal ? w->fatal : errno;
			set_err(w, path, e,
				e == ENOSPC ? count_needed(w, NULL) : 0);
			errno = e;
			return -1;
		}
	}
note:;
	/* watched, but the kernel will say little or nothing there */
	const char *note = sys_fs_note(path);
	if (note && w->cfg.warn) {
		say_path(w, "watching", given, "it is on ", note, "");
		if (w->err.p)
			w->cfg.warn(w->cfg.ctx, w->err.p);
	}
	return 0;
}

void
fw_wake(fw_watcher *w)
{
	w->ops->wake(w->be);
}

const char *
fw_error(const fw_watcher *w)
{
	return w->err.p ? w->err.p : "out of memory";
}

size_t
fw_watch_count(const fw_watcher *w, size_t *files)
{
	size_t nf = 0;
	for (size_t i = 0; i < w->nroots; i++)
		if (!w->roots[i].gone && w->roots[i].file)
			nf++;
	if (files)
		*files = nf;
	/* a directory watched only for file PATHs counts as those files */
	return w->inuse - w->nhidden + nf;
}

size_t
fw_roots_left(const fw_watcher *w)
{
	return w->roots_left;
}

const char *
fw_backend_name(const fw_watcher *w)
{
	return w->ops->name;
}

void
fw_close(fw_watcher *w)
{
	if (!w)
		return;
	w->ops->close(w->be);
	for (size_t i = 0; i < w->nnodes; i++)
		name_free(&w->nodes[i]);
	for (size_t i = 0; i < w->nroots; i++)
		root_free(&w->roots[i]);
	free(w->nodes);
	free(w->idk);
	free(w->idv);
	free(w->roots);
	free(w->out.p);
	free(w->ev);
	free(w->fev);
	smap_free(&w->seen);
	for (int i = 0; i < 2; i++) {
		smap_free(&w->synth[i]);
		free(w->synthbuf[i].p);
	}
	free(w->pend);
	free(w->pendbuf.p);
	free(w->scratch.p);
	free(w->pc.p);
	free(w->err.p);
	free(w->cur.p);
	free(w->stack.p);
	free(w->st);
	free(w->chain);
	snap_free(&w->snap);
	free(w->dirty);
	free(w->retry.p);
	free(w->askbuf.p);
	free(w);
}
