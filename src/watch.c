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
		if (w->cfg.snapshot)
			snap_renamed(w, p.node, w->pendbuf.p + p.name,
				     p.name_len, n, r->name, r->name_len,
				     w->scratch.p);
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
			new_dir(w, n, r->name, r->name_len, w->scratch.p,
				w->scratch.len, rel);
		}
		return;
	}
	/* moved in from outside: everything in it is new here */
	appeared(w, n, r->name, r->name_len, is_dir);
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
	if (f & BE_CREATE) {
		appeared(w, n, r->name, r->name_len, is_dir);
		return;
	}
	root = node_path(w, n, r->name, r->name_len, &w->scratch, &rel);
	if (root < 0)
		return;
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
	size_t counted = 0;
	for (size_t r = 0; r <= w->nroots; r++) {
		const char *p = r < w->nroots ? w->roots[r].given : extra;
		if (!p || (r < w->nroots && w->roots[r].gone))
			continue;
		counted++;
		if (w->cfg.recursive && sys_type_of(p, 1) == SYS_DIRECTORY)
			counted += count_dirs(w, p);
	}
	return counted;
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
		if (scan_setup(w, n) < 0) {
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
