/*
 * tree.c - the tree of watched directories and the roots.
 *
 * One node per backend watch, all directories: a watched PATH (parent
 * -1), a directory below one, or a directory watched only for the file
 * PATHs in it (hidden).  This file owns the map from backend id to node,
 * the nodes' names, their paths (with a cache for bursts), moving and
 * freeing subtrees, renumbering the nodes when idle; and the roots, the
 * PATHs as the user gave them and as their events print them.
 *
 * Memory: nodes live in one array (free list through 'next'); a name
 * shorter than NAME_IN lives in its node.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../filter.h"
#include "core.h"

/* ---- names -------------------------------------------------------------- */

/* The name of ND, "" for a watched PATH. */
const char *
nname(const struct node *nd)
{
	char *p;
	if (nd->nlen < NAME_IN)
		return nd->in;
	memcpy(&p, nd->in, sizeof p);
	return p;
}

void
name_free(struct node *nd)
{
	if (nd->nlen >= NAME_IN)
		free((char *)nname(nd));
	nd->nlen = 0;
	nd->in[0] = '\0';
}

/* Give ND the name NAME (LEN bytes); -1 if out of memory. */
int
name_set(struct node *nd, const char *name, size_t len)
{
	char *p = NULL;
	if (len > UINT16_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (len >= NAME_IN && !(p = dupn(name, len)))
		return -1;
	name_free(nd);
	if (p) {
		memcpy(nd->in, &p, sizeof p);
	} else {
		memcpy(nd->in, name, len);
		nd->in[len] = '\0';
	}
	nd->nlen = (uint16_t)len;
	return 0;
}

/* strndup, which C11 lacks */
char *
dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* ---- backend ids -------------------------------------------------------- */

static size_t
idslot(const fw_watcher *w, int id)
{
	size_t i = ((unsigned)id * 2654435761u) & (w->idcap - 1);
	while (w->idk[i] != -1 && w->idk[i] != id)
		i = (i + 1) & (w->idcap - 1);
	return i;
}

/* The node watched as backend id ID, or -1. */
int
id_get(const fw_watcher *w, int id)
{
	if (!w->idcap || id < 0)
		return -1;
	size_t i = idslot(w, id);
	return w->idk[i] == id ? w->idv[i] : -1;
}

static int
id_grow(fw_watcher *w)
{
	size_t oc = w->idcap, nc = oc ? oc * 2 : 256;
	int *ok = w->idk, *ov = w->idv;
	int *nk = malloc(nc * sizeof *nk), *nv = malloc(nc * sizeof *nv);
	if (!nk || !nv) {
		free(nk);
		free(nv);
		return -1;
	}
	for (size_t i = 0; i < nc; i++)
		nk[i] = -1;
	w->idk = nk;
	w->idv = nv;
	w->idcap = nc;
	for (size_t i = 0; i < oc; i++) {
		if (ok[i] != -1) {
			size_t j = idslot(w, ok[i]);
			w->idk[j] = ok[i];
			w->idv[j] = ov[i];
		}
	}
	free(ok);
	free(ov);
	return 0;
}

static int
id_put(fw_watcher *w, int id, int node)
{
	if ((w->idused + 1) * 2 > w->idcap && id_grow(w) < 0)
		return -1;
	size_t i = idslot(w, id);
	if (w->idk[i] == -1)
		w->idused++;
	w->idk[i] = id;
	w->idv[i] = node;
	return 0;
}

static void
id_del(fw_watcher *w, int id)
{
	size_t i, j;
	if (!w->idcap)
		return;
	i = idslot(w, id);
	if (w->idk[i] != id)
		return;
	/* backward-shift deletion keeps probe chains whole */
	w->idk[i] = -1;
	w->idused--;
	for (j = (i + 1) & (w->idcap - 1); w->idk[j] != -1;
	     j = (j + 1) & (w->idcap - 1)) {
		size_t home = ((unsigned)w->idk[j] * 2654435761u) &
			      (w->idcap - 1);
		/* move j back to i if its home is not in (i, j] */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			w->idk[i] = w->idk[j];
			w->idv[i] = w->idv[j];
			w->idk[j] = -1;
			i = j;
		}
	}
}

/* Every node gets the id IDS[its index] (-1 for a free slot), as when
 * another backend took over (large.c); the map is made anew, in the
 * memory it has. */
void
ids_replace(fw_watcher *w, const int *ids)
{
	for (size_t i = 0; i < w->idcap; i++)
		w->idk[i] = -1;
	w->idused = 0;
	for (size_t n = 0; n < w->nnodes; n++) {
		w->nodes[n].id = ids[n];
		/* the same number of ids: id_put() never grows the map */
		if (ids[n] >= 0)
			id_put(w, ids[n], (int)n);
	}
}

/* ID came back from the backend's watch() for an object no node holds
 * (the PATH now leads elsewhere): give it back. */
void
id_stray(fw_watcher *w, int id)
{
	if (id >= 0 && id_get(w, id) < 0)
		w->ops->unwatch(w->be, id);
}

/* ---- nodes ---------------------------------------------------------------- */

/* Make N the first child of PARENT. */
static void
node_link(fw_watcher *w, int n, int parent)
{
	struct node *nd = &w->nodes[n], *p = &w->nodes[parent];
	nd->parent = parent;
	nd->prev = -1;
	nd->next = p->child;
	if (p->child >= 0)
		w->nodes[p->child].prev = n;
	p->child = n;
}

static void
node_unlink(fw_watcher *w, int n)
{
	struct node *nd = &w->nodes[n];
	if (nd->prev >= 0)
		w->nodes[nd->prev].next = nd->next;
	else if (nd->parent >= 0)
		w->nodes[nd->parent].child = nd->next;
	if (nd->next >= 0)
		w->nodes[nd->next].prev = nd->prev;
	nd->next = nd->prev = -1;
}

static void
node_release(fw_watcher *w, int n)
{
	struct node *nd = &w->nodes[n];
	name_free(nd);
	nd->id = -1;
	nd->next = w->freelist;
	w->freelist = n;
}

/* A free slot for a node: one freed before, or a new one; -1. */
static int
node_slot(fw_watcher *w)
{
	int n = w->freelist;
	if (n >= 0)
		w->freelist = w->nodes[n].next;
	else if (GROW(w->nodes, w->capnodes, w->nnodes + 1) == 0)
		n = (int)w->nnodes++;
	return n;
}

/* A node for the directory watched as ID, named NAME in node PARENT, or
 * a watched PATH (PARENT -1, NAME NULL); its index, or -1. */
int
node_new(fw_watcher *w, int id, int parent, const char *name, size_t len)
{
	struct node *nd;
	int n = node_slot(w);
	if (n < 0)
		return -1;
	nd = &w->nodes[n];
	memset(nd, 0, sizeof *nd);
	nd->id = id;
	nd->parent = parent;
	nd->child = nd->next = nd->prev = -1;
	nd->root = nd->froot = -1;
	nd->mark = 1;
	if ((name && name_set(nd, name, len) < 0) || id_put(w, id, n) < 0) {
		node_release(w, n);
		return -1;
	}
	if (parent >= 0)
		node_link(w, n, parent);
	w->inuse++;
	return n;
}

/* Node N is now NAME in node PARENT; -1 if out of memory (nothing has
 * changed then). */
int
node_move(fw_watcher *w, int n, int parent, const char *name, size_t len)
{
	w->tree_gen++;
	if (name_set(&w->nodes[n], name, len) < 0)
		return -1;
	node_unlink(w, n);
	node_link(w, n, parent);
	return 0;
}

/* The child of node PARENT called NAME, or -1. */
int
find_child(const fw_watcher *w, int parent, const char *name, size_t len)
{
	if (parent < 0 || w->nodes[parent].id < 0)
		return -1;
	for (int c = w->nodes[parent].child; c >= 0; c = w->nodes[c].next)
		if (w->nodes[c].nlen == len &&
		    !memcmp(nname(&w->nodes[c]), name, len))
			return c;
	return -1;
}

/* The root (index in roots[]) node N is below. */
int
root_of(const fw_watcher *w, int n)
{
	while (w->nodes[n].parent >= 0)
		n = w->nodes[n].parent;
	return w->nodes[n].root;
}

void
root_gone(fw_watcher *w, int r)
{
	if (r >= 0 && !w->roots[r].gone) {
		struct fpath *fp = w->roots[r].file;
		w->roots[r].gone = 1;
		w->roots[r].node = -1;
		w->roots_left--;
		/* a file PATH's file is held no longer */
		if (fp) {
			held_retire(w, fp->cur);
			fp->cur = NULL;
		}
	}
}

/* Directory N, watched so far only for the file PATHs in it, is now
 * watched as a directory (a PATH itself, or inside one): its events
 * report those files as part of it, so they stop being PATHs of their
 * own, as a file given inside a directory PATH always is.  Or it goes
 * away, and the file PATHs in it can never come back. */
void
absorb(fw_watcher *w, int n)
{
	struct node *nd = &w->nodes[n];
	for (int fr = nd->froot; fr >= 0; fr = w->roots[fr].file->fnext)
		root_gone(w, fr);
	nd->froot = -1;
	if (nd->hidden) {
		nd->hidden = 0;
		w->nhidden--;
	}
}

/* Forget N and everything below it; stop their watches if asked (not
 * needed when the kernel has already dropped them). */
void
subtree_free(fw_watcher *w, int top, int unwatch)
{
	int n = top;
	w->tree_gen++; /* freed slots are reused by node_new() */
	node_unlink(w, top);
	for (;;) {
		while (w->nodes[n].child >= 0)
			n = w->nodes[n].child;
		struct node *nd = &w->nodes[n];
		int p = nd->parent, done = n == top;
		if (!done) {
			w->nodes[p].child = nd->next;
			if (nd->next >= 0)
				w->nodes[nd->next].prev = -1;
		}
		if (unwatch)
			w->ops->unwatch(w->be, nd->id);
		snap_drop_dir(&w->snap, n);
		id_del(w, nd->id);
		if (nd->parent < 0)
			root_gone(w, nd->root);
		absorb(w, n);
		node_release(w, n);
		w->inuse--;
		if (done)
			break;
		n = p;
	}
}

/* ---- paths -------------------------------------------------------------- */

/* Append "/NAME" to B (no second '/' after one that ends B). */
int
path_join(struct buf *b, const char *name, size_t len)
{
	if (b->len && b->p[b->len - 1] != '/' && buf_add(b, "/", 1) < 0)
		return -1;
	return buf_add(b, name, len);
}

/* Where the part of path B below its root's REL bytes starts: past the
 * '/' that follows them. */
size_t
rel_skip(const struct buf *b, size_t rel)
{
	return rel < b->len && b->p[rel] == '/' ? rel + 1 : rel;
}

/* Remember B, the path of node N, for the next burst in N. */
static void
path_cache(fw_watcher *w, int n, const struct buf *b, size_t rel, int root)
{
	w->pc.len = 0;
	if (buf_add(&w->pc, b->p, b->len) == 0) {
		w->pc_node = n;
		w->pc_gen = w->tree_gen;
		w->pc_rel = rel;
		w->pc_root = root;
	}
}

/* Write the path of node N (plus "/NAME" when name is given) into B,
 * NUL-terminated.  Returns the root index, or -1 if out of memory; *rel
 * gets where the part below the root starts (for filters). */
int
node_path(fw_watcher *w, int n, const char *name, size_t len, struct buf *b,
	  size_t *rel)
{
	size_t depth = 0;
	const struct root *r;
	int top, root;
	b->len = 0;
	/* A burst lands in a few directories: reuse the last one's path
	 * while the tree has not changed shape. */
	if (name && len && n == w->pc_node && w->pc_gen == w->tree_gen) {
		if (buf_add(b, w->pc.p, w->pc.len) < 0 ||
		    path_join(b, name, len) < 0)
			return -1;
		*rel = rel_skip(b, w->pc_rel);
		return w->pc_root;
	}
	for (int i = n; i >= 0; i = w->nodes[i].parent) {
		if (GROW(w->chain, w->capchain, depth + 1) < 0)
			return -1;
		w->chain[depth++] = i;
	}
	top = w->chain[depth - 1];
	root = w->nodes[top].root;
	r = &w->roots[root];
	if (depth == 1 && !(name && len)) {
		/* the PATH itself, exactly as the user wrote it */
		if (buf_add(b, r->self, strlen(r->self)) < 0)
			return -1;
		*rel = b->len;
		return root;
	}
	if (buf_add(b, r->disp, r->disp_len) < 0)
		return -1;
	*rel = b->len;
	for (size_t i = depth - 1; i-- > 0;) {
		const struct node *c = &w->nodes[w->chain[i]];
		if (path_join(b, nname(c), c->nlen) < 0)
			return -1;
	}
	if (name && len) {
		path_cache(w, n, b, *rel, root);
		if (path_join(b, name, len) < 0)
			return -1;
	}
	*rel = rel_skip(b, *rel);
	return root;
}

/* What filters match an event on path P against: the part below the
 * watched PATH, or the PATH's own last component for the PATH itself. */
const char *
rel_of(const fw_watcher *w, int root, const char *p, size_t rel, size_t len)
{
	return rel < len ? p + rel : w->roots[root].base;
}

/* ---- when idle ---------------------------------------------------------- */

/* Renumber the nodes in use into a smaller array after a subtree has
 * come and gone, and rebuild the id map to match.  Only when idle: no
 * scan, pending move or batch holds a node index then.  1 if it did;
 * everything it needs is allocated first, so it never stops half way. */
int
compact(fw_watcher *w)
{
	size_t k = 0, cap = w->idcap;
	int *map, *nk, *nv;
	struct node *nn;
	if (w->npend || w->nnodes <= 2 * w->inuse + 64 ||
	    !(map = malloc(w->nnodes * sizeof *map)))
		return 0;
	for (size_t i = 0; i < w->nnodes; i++)
		map[i] = w->nodes[i].id >= 0 ? (int)k++ : -1;
	nn = malloc((k ? k : 1) * sizeof *nn);
	nk = malloc((cap ? cap : 1) * sizeof *nk);
	nv = malloc((cap ? cap : 1) * sizeof *nv);
	if (!nn || !nk || !nv) {
		free(map);
		free(nn);
		free(nk);
		free(nv);
		return 0;
	}
#define REMAP(x) ((x) >= 0 ? map[(x)] : -1)
	for (size_t i = 0; i < w->nnodes; i++) {
		struct node *o = &w->nodes[i];
		if (map[i] < 0)
			continue;
		nn[map[i]] = *o;
		nn[map[i]].parent = REMAP(o->parent);
		nn[map[i]].child = REMAP(o->child);
		nn[map[i]].next = REMAP(o->next);
		nn[map[i]].prev = REMAP(o->prev);
	}
	for (size_t r = 0; r < w->nroots; r++)
		w->roots[r].node = REMAP(w->roots[r].node);
#undef REMAP
	snap_renumber(&w->snap, map, w->nnodes);
	free(map);
	free(w->nodes);
	w->nodes = nn;
	w->capnodes = k ? k : 1;
	w->nnodes = k;
	w->freelist = -1;
	w->pc_node = -1;
	w->tree_gen++;
	/* the same number of ids in a map of the same size: no id_put()
	 * below needs to grow it */
	free(w->idk);
	free(w->idv);
	w->idk = nk;
	w->idv = nv;
	for (size_t i = 0; i < cap; i++)
		nk[i] = -1;
	w->idused = 0;
	for (size_t i = 0; i < k; i++)
		id_put(w, w->nodes[i].id, (int)i);
	return 1;
}

/* ---- roots -------------------------------------------------------------- */

/* '/' for the system's other separator in S (Windows' '\\'). */
static void
slashes(char *s)
{
	for (; SYS_ALT_SEP && *s; s++)
		if (*s == SYS_ALT_SEP)
			*s = '/';
}

/* A new entry in roots[] for PATH (given as GIVEN); its index, or -1. */
int
root_new(fw_watcher *w, const char *path, const char *given)
{
	struct root *rt;
	size_t dl;
	if (GROW(w->roots, w->caproots, w->nroots + 1) < 0)
		return -1;
	rt = &w->roots[w->nroots];
	memset(rt, 0, sizeof *rt);
	rt->node = -1;
	rt->given = dupn(given, strlen(given));
	rt->disp = w->cfg.absolute ? sys_abspath(path)
				   : dupn(path, strlen(path));
	rt->self = rt->disp ? dupn(rt->disp, strlen(rt->disp)) : NULL;
	if (!rt->given || !rt->disp || !rt->self) {
		root_free(rt);
		return -1;
	}
	slashes(rt->disp);
	slashes(rt->self);
	/* "src/" prints as "src/x", "/" as "/x" */
	dl = strlen(rt->disp);
	while (dl > 1 && rt->disp[dl - 1] == '/')
		rt->disp[--dl] = '\0';
	rt->disp_len = dl;
	rt->base = strrchr(rt->disp, '/');
	rt->base = rt->base && rt->base[1] ? rt->base + 1 : rt->disp;
	rt->fkey = filter_key_of(w->cfg.filter, given);
	return (int)w->nroots++;
}

void
root_free(struct root *rt)
{
	free(rt->given);
	free(rt->disp);
	free(rt->self);
	if (rt->file)
		fw_file_drop(rt->file->cur);
	free(rt->file);
}
