/*
 * treeless.c - PATHs watched whole, with no walk and no tree below
 * them, on a backend that can (BE_CAP_NO_WALK: fanotify, whose
 * filesystem mark sees everything from the start).  This file owns when
 * a PATH may be watched so (and the subtree watch that asks for it),
 * which records about a path below a directory the filters prune are
 * left out (what a directory moved in holds is scan.c's), and a large
 * tree turned into one watched whole when fanotify takes over from
 * inotify while it is walked (large.c).
 *
 * Such a PATH is one node and one backend id, whatever its size: setup
 * is one call, and memory does not grow with the tree.  Its records
 * name entries by their path below it (backend.h); records.c, moves.c
 * and scan.c treat them as entries of the PATH's node, and create no
 * node, watch nothing and list nothing for a directory below (kernel
 * records report what happens in a new directory from its birth).
 *
 * The tree is still needed, and the PATH walked as on any backend, for
 * what only the tree can give: --snapshot (a listing of everything), git's
 * rules (a .gitignore read in each directory as it comes into sight), -L
 * (symlinks followed out of the filesystem), a filesystem mounted below
 * the PATH (its own mark, and paths the mark of the PATH's filesystem
 * cannot give through another mount), and a PATH the poller serves.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../filter.h"
#include "core.h"

/* The longest path the kernel names a directory by (readlink of a
 * descriptor, fan_paths.c's question). */
#ifdef PATH_MAX
#define TL_PATH_MAX PATH_MAX
#else
#define TL_PATH_MAX 4096
#endif

/* The backend a directory watch goes to (the mux hands it on to the
 * native one unless the directory is polled). */
static unsigned
native_caps(const fw_watcher *w)
{
	return (w->native ? w->native : w->ops)->caps;
}

int
treeless_ok(fw_watcher *w, const char *path)
{
	if (!w->cfg.recursive || !(native_caps(w) & BE_CAP_NO_WALK) ||
	    w->cfg.snapshot || w->cfg.follow ||
	    w->cfg.gitignore != FW_GITIGNORE_OFF || w->gi.nfiles)
		return 0;
	if (blind_want(w, path, path))
		return 0;
	return sys_mounts_below(path) == 0;
}

unsigned
subtree_want(const fw_watcher *w, int root)
{
	if (!w->cfg.recursive)
		return 0;
	/* a backend that may walk (Windows) names subtrees anyway; one
	 * that needs no walk is asked only where the core will not walk */
	if (!(native_caps(w) & BE_CAP_NO_WALK))
		return BE_WANT_SUBTREE;
	if (root >= 0 ? w->roots[root].treeless : w->tl_adding)
		return BE_WANT_SUBTREE;
	return 0;
}

int
treeless_node(const fw_watcher *w, int n)
{
	const struct node *nd = &w->nodes[n];
	return nd->parent < 0 && !nd->hidden && nd->root >= 0 &&
	       w->roots[nd->root].treeless;
}

/*
 * Is entry R of treeless PATH node N below a directory that the filters
 * prune (--exclude 'build/', the default ignores under --exec)?  On a
 * walked tree such a directory has no watch and nothing below it is
 * heard; here the mark hears it, and it is left out now.  Each
 * directory above the entry is asked, as the walk would have; the last
 * directory's verdict is kept, since a burst lands in one place.
 */
int
treeless_hidden(fw_watcher *w, int n, const struct fw_raw *r)
{
	size_t rel, dl = r->name_len, at;
	struct buf *b = &w->tlbuf;
	int root, out = 0;
	if (!w->tl_prunes)
		return 0;
	while (dl && r->name[dl - 1] != '/')
		dl--;
	if (!dl)
		return 0; /* directly in the PATH: its own filters decide */
	dl--;
	if (w->tl_root == n && w->tl_dir.len == dl &&
	    !memcmp(w->tl_dir.p, r->name, dl))
		return w->tl_verdict;
	if ((root = node_path(w, n, r->name, dl, b, &rel)) < 0) {
		lost(w);
		return 1;
	}
	/* every ancestor from the top, as a NUL-terminated path */
	for (at = rel; !out && at <= b->len; at++) {
		if (at < b->len && b->p[at] != '/')
			continue;
		char c = b->p[at];
		b->p[at] = '\0';
		out = pruned(w, root, b->p, at, rel);
		b->p[at] = c;
	}
	w->tl_dir.len = 0;
	if (buf_add(&w->tl_dir, r->name, dl) == 0) {
		w->tl_root = n;
		w->tl_verdict = out;
	} else {
		w->tl_root = -1;
	}
	return out;
}

/* The length of the absolute path of PATH R, which the kernel names its
 * directories by (fan_paths.c asks for them). */
static size_t
abs_len(const fw_watcher *w, int r)
{
	char *a = sys_realpath(w->roots[r].disp);
	size_t n = a ? strlen(a) : w->roots[r].disp_len;
	free(a);
	return n;
}

/* Can anything prune a directory: the default ignores, or an
 * --exclude (fwatch's own output is a file)?  git's rules never apply
 * to a tree watched whole. */
static int
can_prune(const fw_watcher *w)
{
	const struct filter *f = w->cfg.filter;
	if (w->cfg.noise)
		return 1;
	for (size_t i = 0; f && i < f->n; i++)
		if (f->p[i].kind == FILTER_EXCLUDE)
			return 1;
	return 0;
}

int
treeless_mark(fw_watcher *w, int r)
{
	w->tl_prunes = (unsigned char)can_prune(w);
	w->roots[r].treeless = 1;
	w->roots[r].abs_len = abs_len(w, r);
	return 0;
}

/*
 * Directory PATH (LEN bytes, the part below PATH ROOT from REL) was made
 * below a tree watched whole.  Hazard: the kernel names a directory by a
 * path of PATH_MAX bytes at most; one deeper cannot be placed, and its
 * changes are lost (an overflow record when they come).  Say so now,
 * as a walk that could not watch it does.
 */
void
treeless_deep(fw_watcher *w, int root, const char *path, size_t len,
	      size_t rel)
{
	if (w->roots[root].abs_len + 1 + (len - rel) >= TL_PATH_MAX)
		warnf(w, path, ENAMETOOLONG,
		      "changes below it will not be reported");
}

/*
 * The stand-in for large trees (large.c) took over while PATH R was
 * being walked.  If it can watch R whole, the walk stops here (1;
 * w->fatal is set to end it) and treeless_take() finishes: a large tree
 * is ready without the rest of its walk, and without a node for each of
 * its directories.  Not while file PATHs are watched: one may be in
 * the tree, and its directory's node with it.
 */
int
whole_now(fw_watcher *w, int r)
{
	for (size_t i = 0; i < w->nroots; i++)
		if (w->roots[i].file)
			return 0;
	if (!treeless_ok(w, w->roots[r].disp))
		return 0;
	w->tl_switch = 1;
	w->fatal = EAGAIN;
	return 1;
}

/* After whole_now() stopped the walk of PATH R: what the walk watched
 * below R is forgotten, and R is watched whole, on the same id.  -1
 * with errno if the backend would not. */
int
treeless_take(fw_watcher *w, int r)
{
	int n = w->roots[r].node, id;
	w->tl_switch = 0;
	w->fatal = 0;
	while (w->nodes[n].child >= 0)
		subtree_free(w, w->nodes[n].child, 1);
	treeless_mark(w, r);
	id = watch_one(w, r, w->roots[r].disp, w->roots[r].disp_len, 1);
	if (id >= 0 && id == w->nodes[n].id)
		return 0;
	w->roots[r].treeless = 0;
	if (id >= 0) {
		id_stray(w, id);
		errno = EIO;
	}
	return -1;
}
