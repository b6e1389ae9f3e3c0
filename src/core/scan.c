/*
 * scan.c - directories and files coming into sight.
 *
 * A directory is watched BEFORE it is listed, so an entry made at any
 * moment is either seen by the listing or reported by the new watch (the
 * race inotifywait documents and does not close).  This file owns the
 * walk over a tree, one walker whose visitor says what each entry is
 * for (setting up a PATH, a new directory, counting; rescan.c brings its
 * own); what a new directory already holds, and a new file's content; an
 * entry that appeared (created, or moved in from outside the tree); a new
 * directory whose path moved under it, tried again after the read; and
 * the creates its own scans reported, so that the kernel's later word for
 * the same create is dropped; and what is below a directory whose rules
 * changed (gitignore.c), judged again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../filter.h"
#include "core.h"

/* Watch directory PATH, whose part below its PATH (ROOT; -1 while that
 * is being added) starts at REL.  The backend's id, or -1 with errno. */
int
watch_one(fw_watcher *w, int root, const char *path, size_t rel,
	  int follow)
{
	int id;
	w->ask.path = path;
	w->ask.rel = rel;
	w->ask.root = root;
	id = w->ops->watch(w->be, path,
			   w->want | BE_ONLYDIR | (follow ? BE_FOLLOW : 0) |
				   subtree_want(w, root) |
				   blind_want(w, path, path));
	w->ask.path = NULL;
	return id;
}

/* ---- creates our scans reported --------------------------------------------- */

/* Remember a create our own scan reported, so the kernel's report of
 * the same create (if the entry appeared after the watch) is dropped.
 * Out of memory, that report is not dropped: a repeat, nothing lost. */
void
synth_add(fw_watcher *w, const char *path, size_t len)
{
	struct smap *m = &w->synth[1];
	size_t off = m->arena->len;
	if (buf_add(m->arena, path, len) == 0)
		smap_put(m, off, len, 1);
}

/* Did our scan report PATH created?  1 if so (and it is forgotten). */
int
synth_take(fw_watcher *w, const char *path, size_t len)
{
	return smap_del(&w->synth[1], path, len) |
	       smap_del(&w->synth[0], path, len);
}

/* The kernel queue was emptied after the scans that added entries to
 * synth[0] finished: every report they could duplicate has been read. */
void
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

/* About to sleep: give back what the last burst grew; 1 if anything. */
int
scan_trim(fw_watcher *w)
{
	int freed = 0;
	w->stack.len = 0;
	for (int i = 0; i < 2; i++)
		if (!w->synth[i].used)
			freed |= drop_map(&w->synth[i]) | drop_buf(&w->synthbuf[i]);
	return freed | drop_buf(&w->stack) | drop_buf(&w->names) |
	       DROP_ARRAY(w->st, w->capst);
}

/* ---- a new file's content ------------------------------------------------- */

/*
 * A file came into sight at PATH already holding SIZE bytes (BORN_LOOK:
 * not looked at yet); REL bytes of PATH are its root's, all of them for
 * a file PATH itself.  Hazard: it was written before anything watched it
 * (before its directory was watched, or, on a backend without
 * BE_CAP_BIRTH_WRITES, before the backend watched the file itself), so
 * its content came with no event: say it changed, or -e modify never
 * hears.  Said twice in one batch (a backend that says it itself), the
 * second is dropped as a repeat.
 */
void
born(fw_watcher *w, unsigned flags, int root, const char *path, size_t len,
     size_t rel, int64_t size)
{
	int fpath = root >= 0 && w->roots[root].file && rel >= len;
	if (!(w->report & FW_BIT(FW_MODIFY)))
		return;
	if (size == BORN_LOOK)
		size = fpath ? file_look(w, root) : sys_size_of(path);
	if (size <= 0)
		return;
	if (fpath)
		file_emit(w, root, FW_MODIFY, flags, size);
	else
		emit(w, FW_MODIFY, flags, root, path, len, rel);
}

/* The end of a read: the files born_note() put aside, looked at now,
 * once, whatever was written to them during the read. */
void
born_look(fw_watcher *w)
{
	size_t off = 0, len, rel;
	const char *path;
	unsigned flags;
	int root;
	while (born_next(w, &off, &root, &flags, &path, &len, &rel))
		born(w, flags, root, path, len, rel, BORN_LOOK);
	w->born.len = 0;
}

/* ---- the walker ------------------------------------------------------------ */

/* Push directory node N (-1 when counting), at PATH, to be listed; FRESH
 * if everything in it is new (never when setting up a PATH: what is
 * there then is where watching starts, not news). */
int
walk_push(fw_watcher *w, const struct walk *k, int n, const char *path,
	  size_t len, int fresh)
{
	struct stackent *s;
	if (GROW(w->st, w->capst, w->nst + 1) < 0)
		return -1;
	s = &w->st[w->nst];
	s->node = n;
	s->path = w->stack.len;
	s->len = len;
	s->fresh = !k->setup && !k->old && (fresh || k->all_fresh);
	if (buf_add(&w->stack, path, len) < 0)
		return -1;
	w->nst++;
	return 0;
}

/* The directory at w->cur could not be listed (or not to the end) for
 * ERR: gone already, or say so; -1 to stop the walk if memory ran out. */
static int
unlistable(fw_watcher *w, const struct walk *k, int err, const char *what)
{
	if (err == ENOMEM)
		return -1;
	if (err != ENOENT && err != ENOTDIR && !k->quiet)
		warnf(w, w->cur.p, err, what);
	return 0;
}

/* The entry NAME of the directory whose path is the first DLEN bytes of
 * w->cur: its path into w->cur, a symlink followed (-L) resolved. */
static int
entry_at(fw_watcher *w, const struct walk *k, size_t dlen, const char *name,
	 enum sys_type type, struct entry *x)
{
	x->name = name;
	x->nl = strlen(name);
	w->cur.len = dlen;
	if (path_join(&w->cur, name, x->nl) < 0)
		return -1;
	x->link = type == SYS_LINK && w->cfg.follow;
	x->type = x->link ? sys_type_of(w->cur.p, 1) : type;
	x->crel = rel_skip(&w->cur, k->rel);
	return 0;
}

/* Does visitor K want an entry of TYPE of E?  A file needs nothing, not
 * even its path, unless its directory is new or a snapshot wants to know
 * it. */
static int
wanted_entry(const struct walk *k, const struct stackent *e,
	     enum sys_type type)
{
	return k->files || e->fresh || type == SYS_DIRECTORY || type == SYS_LINK;
}

/* Hand each entry of D (listed from E, whose path is the first DLEN bytes
 * of w->cur) to the visitor as it is listed: sys_readdir()'s last answer,
 * or 1 if the visitor stopped or memory ran out. */
static int
visit_listed(fw_watcher *w, struct walk *k, const struct stackent *e,
	     struct sys_dir *d, size_t dlen)
{
	const char *name;
	enum sys_type type;
	struct entry x;
	int r;
	while ((r = sys_readdir(d, &name, &type)) > 0) {
		if (!wanted_entry(k, e, type))
			continue;
		if (entry_at(w, k, dlen, name, type, &x) < 0 ||
		    k->entry(w, k, e, d, &x) < 0)
			break;
	}
	return r;
}

/*
 * The same where git's rules apply (gitignore.c): a directory's
 * .gitignore, and a .git that starts a work tree of its own, rule every
 * entry beside them, and the listing may bring them last.  So the names
 * are read to the end first and handed out after: a directory costs no
 * call more, and one holding a .gitignore the reading of it.
 */
static int
visit_ruled(fw_watcher *w, struct walk *k, const struct stackent *e,
	    struct sys_dir *d, size_t dlen)
{
	struct buf *b = &w->names;
	const char *name;
	enum sys_type type;
	struct entry x;
	unsigned saw = 0;
	int r;
	b->len = 0;
	while ((r = sys_readdir(d, &name, &type)) > 0) {
		unsigned char t = (unsigned char)type;
		saw |= gi_saw(name);
		if (wanted_entry(k, e, type) &&
		    (buf_add(b, (const char *)&t, 1) < 0 ||
		     buf_add(b, name, strlen(name) + 1) < 0))
			return 1;
	}
	if (gi_enter(w, k->root, w->cur.p, dlen, k->rel, saw) < 0)
		rules_trouble(w);
	for (size_t at = 0; at < b->len;) {
		const char *nm = b->p + at + 1;
		type = (enum sys_type)(unsigned char)b->p[at];
		at += strlen(nm) + 2;
		if (entry_at(w, k, dlen, nm, type, &x) < 0 ||
		    k->entry(w, k, e, d, &x) < 0)
			return 1;
	}
	return r;
}

/* List directory E and hand each entry to the visitor.  -1 stops the
 * walk. */
static int
list_one(fw_watcher *w, struct walk *k, const struct stackent *e)
{
	struct sys_dir *d;
	size_t dlen;
	int r;

	w->cur.len = 0;
	if (buf_add(&w->cur, w->stack.p + e->path, e->len) < 0)
		return -1;
	w->stack.len = e->path;
	if (e->node >= 0 && w->nodes[e->node].id < 0)
		return 0; /* dropped while we were busy */
	if (!(d = sys_opendir(w->cur.p)))
		return unlistable(w, k, errno,
				  "changes below it will not be reported");
	dlen = w->cur.len;
	if (k->before)
		k->before(w, k, e);
	r = gi_wants(w, k->root) ? visit_ruled(w, k, e, d, dlen)
				 : visit_listed(w, k, e, d, dlen);
	if (r > 0)
		r = -1; /* the visitor stopped, or memory ran out */
	else if (r < 0)
		r = unlistable(w, k, errno,
			       "some changes below it may not be reported");
	else if (k->after)
		k->after(w, k, e, dlen);
	sys_closedir(d);
	return r;
}

/* The walk stops short: setting up, with the error that stopped it
 * (w->fatal; else memory ran out); counting, with what it counted;
 * else with directories unwatched or unreported (lost()). */
static int
walk_failed(fw_watcher *w, const struct walk *k, size_t base, size_t sbase)
{
	w->nst = base;
	w->stack.len = sbase;
	if (k->setup && !w->fatal)
		w->fatal = ENOMEM;
	else if (!k->setup && k->root >= 0)
		lost(w);
	return -1;
}

/* Walk the directory at PATH (watched already as node START, or -1 when
 * counting) and everything below it, as K says.  -1 if the visitor
 * stopped it or memory ran out. */
int
walk(fw_watcher *w, struct walk *k, int start, const char *path, size_t len,
     int fresh)
{
	size_t base = w->nst, sbase = w->stack.len;
	if (walk_push(w, k, start, path, len, fresh) < 0)
		return walk_failed(w, k, base, sbase);
	while (w->nst > base) {
		struct stackent e = w->st[--w->nst];
		if (list_one(w, k, &e) < 0)
			return walk_failed(w, k, base, sbase);
	}
	return 0;
}

/* ---- visiting ------------------------------------------------------------- */

/* The entry at w->cur, of TYPE and holding SIZE bytes (BORN_LOOK: not
 * looked at), found by a walk of new things (K): report it created, and
 * what it holds. */
void
scan_report(fw_watcher *w, const struct walk *k, enum sys_type type,
	    size_t crel, int64_t size)
{
	unsigned fl = (type == SYS_DIRECTORY ? FW_EV_DIR : 0) | k->flags;
	emit(w, FW_CREATE, fl, k->root, w->cur.p, w->cur.len, crel);
	synth_add(w, w->cur.p, w->cur.len);
	if (type != SYS_DIRECTORY)
		born(w, fl, k->root, w->cur.p, w->cur.len, crel, size);
}

/* Entry X of directory E (its path in w->cur), as listing D found it:
 * noted (--snapshot), and reported created, with its content, if E is
 * new. */
void
scan_see(fw_watcher *w, const struct walk *k, const struct stackent *e,
	 struct sys_dir *d, const struct entry *x)
{
	struct sys_info si;
	int64_t size = BORN_LOOK;
	if (w->cfg.snapshot) {
		snap_note_listed(w, d, e->node, x->name, x->nl, &si);
		size = si.size;
	}
	if (e->fresh)
		scan_report(w, k, x->type, x->crel, size);
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
	size_t at = w->retry.len;
	if (buf_add(&w->retry, (const char *)h, sizeof h) < 0 ||
	    buf_add(&w->retry, name, nl) < 0) {
		w->retry.len = at;
		lost(w);
	}
}

/* Entry X of E could not be watched (errno). */
static int
unwatched(fw_watcher *w, const struct walk *k, const struct stackent *e,
	  const struct entry *x)
{
	int err = errno;
	if (err == ENOENT || err == ENOTDIR) {
		/* gone, or an ancestor renamed */
		if (!k->setup)
			retry_later(w, e->node, x->name, x->nl);
		return BELOW_NONE;
	}
	if (k->setup && (err == ENOSPC || err == ENOMEM)) {
		w->fatal = err;
		return -1;
	}
	warnf(w, w->cur.p, err, "changes below it will not be reported");
	return BELOW_NONE;
}

/* A watched node N met again as entry X of E, where a walk of new
 * things found it.  BELOW_KNOWN if the caller is to decide. */
static int
met_again(fw_watcher *w, struct walk *k, const struct stackent *e,
	  const struct entry *x, int n)
{
	struct node *nd = &w->nodes[n];
	if (nd->hidden) {
		/* watched so far for a file PATH in it */
		absorb(w, n);
		if (node_move(w, n, e->node, x->name, x->nl) < 0)
			return -1;
		return walk_push(w, k, n, w->cur.p, w->cur.len, 0) < 0
			       ? -1 : BELOW_NONE;
	}
	if (x->link || nd->parent < 0 || !e->fresh)
		return BELOW_KNOWN;
	/* Hazard: a watched directory moved into this one before it was
	 * watched (mkdir new; mv dir new/).  Its "moved from", read later,
	 * must not take the watch away from where it is now; and it was
	 * reported created here, so its contents are too. */
	if ((nd->parent != e->node || strcmp(nname(nd), x->name)) &&
	    node_move(w, n, e->node, x->name, x->nl) < 0)
		return -1;
	w->nodes[n].mark = 1;
	return walk_push(w, k, n, w->cur.p, w->cur.len, 1) < 0 ? -1
							       : BELOW_NONE;
}

/* Entry X of directory E (its path in w->cur), if it is a directory to
 * recurse into: watch it and push it to be listed.  BELOW_NONE, or
 * BELOW_NEW (a node made now: *np), or BELOW_KNOWN (already a node, *np:
 * a loop through a symlink, or for a rescan a directory that may have
 * moved), or -1 to stop the walk. */
int
watch_below(fw_watcher *w, struct walk *k, const struct stackent *e,
	    const struct entry *x, int *np)
{
	int id, n;
	if (x->type != SYS_DIRECTORY || !w->cfg.recursive ||
	    pruned(w, k->root, w->cur.p, w->cur.len, x->crel))
		return BELOW_NONE;
	/* a large tree: the native backend's stand-in may take over, and
	 * watch it whole (treeless.c) */
	if (k->setup && w->large && w->inuse >= w->large_at &&
	    large_take(w, EFBIG, w->roots[k->root].given) == 0 &&
	    whole_now(w, k->root))
		return -1;
	id = watch_one(w, k->root, w->cur.p, k->rel, x->link);
	if (id < 0 && errno == ENOSPC && k->setup && w->large &&
	    large_take(w, ENOSPC, w->roots[k->root].given) == 0) {
		if (whole_now(w, k->root))
			return -1;
		id = watch_one(w, k->root, w->cur.p, k->rel, x->link);
	}
	if (id < 0)
		return unwatched(w, k, e, x);
	if ((n = *np = id_get(w, id)) >= 0)
		return met_again(w, k, e, x, n);
	if ((n = *np = node_new(w, id, e->node, x->name, x->nl)) < 0 ||
	    walk_push(w, k, n, w->cur.p, w->cur.len, 1) < 0)
		return -1;
	w->nodes[n].link = (unsigned char)x->link;
	return BELOW_NEW;
}

/* Setting up a PATH, or a new directory: each entry is noted and maybe
 * reported, and directories below are watched. */
static int
visit(fw_watcher *w, struct walk *k, const struct stackent *e,
      struct sys_dir *d, const struct entry *x)
{
	int n;
	scan_see(w, k, e, d, x);
	return watch_below(w, k, e, x, &n) < 0 ? -1 : 0;
}

static int
visit_count(fw_watcher *w, struct walk *k, const struct stackent *e,
	    struct sys_dir *d, const struct entry *x)
{
	(void)e;
	(void)d;
	if (x->type != SYS_DIRECTORY || x->link)
		return 0;
	k->count++;
	return walk_push(w, k, -1, w->cur.p, w->cur.len, 0);
}

/* An entry of a directory moved in: reported created, and a directory
 * below it listed in turn, unless pruned.  Nothing is watched. */
static int
visit_in(fw_watcher *w, struct walk *k, const struct stackent *e,
	 struct sys_dir *d, const struct entry *x)
{
	(void)e;
	(void)d;
	scan_report(w, k, x->type, x->crel, BORN_LOOK);
	if (x->type != SYS_DIRECTORY || x->link ||
	    pruned(w, k->root, w->cur.p, w->cur.len, x->crel))
		return 0;
	return walk_push(w, k, -1, w->cur.p, w->cur.len, 1);
}

/*
 * Directory PATH (LEN bytes, REL where the part below ROOT starts) moved
 * in from outside a PATH watched whole (treeless.c): what it holds is
 * new here, and no record will say so (the kernel reports the move, not
 * the contents).  As on a walked tree, it is reported created; nothing
 * is watched.  Hazard: what is made in it
 * while it is listed is reported twice at most, by the listing and by
 * the kernel; synth_add() lets the second go.
 */
void
listed_in(fw_watcher *w, int root, const char *path, size_t len)
{
	struct walk k = { .entry = visit_in, .root = root,
			  .rel = w->roots[root].disp_len, .all_fresh = 1 };
	if (pruned(w, root, path, len, w->roots[root].disp_len))
		return;
	/* the walk copies the path before it uses w->cur */
	walk(w, &k, -1, path, len, 1);
}

/* ---- what the walker is for ---------------------------------------------- */

/* fw_add(): watch everything below the PATH of node N (with --snapshot,
 * note every entry).  -1 with errno, or w->fatal when a watch limit was
 * reached. */
int
scan_setup(fw_watcher *w, int n)
{
	int r = w->nodes[n].root;
	const struct root *rt = &w->roots[r];
	struct walk k = { .entry = visit, .root = r, .rel = rt->disp_len,
			  .setup = 1, .files = (unsigned char)w->cfg.snapshot };
	w->fatal = 0;
	return walk(w, &k, n, rt->disp, rt->disp_len, 0);
}

/* How many directories are below PATH (-L links not counted), for a
 * message about a watch limit.  Out of memory it counts short. */
size_t
count_dirs(fw_watcher *w, const char *path)
{
	struct walk k = { .entry = visit_count, .root = -1, .quiet = 1 };
	walk(w, &k, -1, path, strlen(path), 0);
	return k.count;
}

/* A directory appeared at PATH (child NAME of node PARENT; REL: where
 * the part below its PATH starts): watch it and report what it already
 * holds. */
void
new_dir(fw_watcher *w, int parent, const char *name, size_t nl,
	const char *path, size_t len, size_t rel)
{
	int id, n, r, root = root_of(w, parent);
	if (!w->cfg.recursive || pruned(w, root, path, len, rel))
		return;
	/* path may point into scratch, which scanning reuses */
	w->cur.len = 0;
	if (buf_add(&w->cur, path, len) < 0) {
		lost(w);
		return;
	}
	id = watch_one(w, root, w->cur.p, rel, 0);
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
		if (node_move(w, n, parent, name, nl) < 0) {
			lost(w);
			return;
		}
	} else if ((n = node_new(w, id, parent, name, nl)) < 0) {
		id_stray(w, id);
		lost(w);
		return;
	}
	r = root_of(w, n);
	struct walk k = { .entry = visit, .root = r,
			  .rel = w->roots[r].disp_len, .all_fresh = 1,
			  .files = (unsigned char)w->cfg.snapshot };
	/* the walk copies the path before it uses w->cur */
	walk(w, &k, n, w->cur.p, len, 1);
}

/* The end of a read: the new directories retry_later() put aside. */
void
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
		    event_path(w, parent, name, nl, &rel) < 0 ||
		    sys_type_of(w->scratch.p, 0) != SYS_DIRECTORY)
			continue; /* gone for good: its delete says so */
		new_dir(w, parent, name, nl, w->scratch.p, w->scratch.len, rel);
	}
	free(b.p);
}

/* NAME appeared in directory node N, created or moved in from outside
 * the tree (MOVED): report it, note it, and if it is a directory, watch
 * it and report what it holds.  Below a PATH watched whole
 * (treeless.c) the kernel reports what is made in a new directory, and
 * only one moved in is listed. */
void
appeared(fw_watcher *w, int n, const char *name, size_t nl, int is_dir,
	 int moved)
{
	size_t rel;
	int root = event_path(w, n, name, nl, &rel);
	if (root < 0 || synth_take(w, w->scratch.p, w->scratch.len))
		return; /* (or our scan of a new directory said so already) */
	emit(w, FW_CREATE, is_dir ? FW_EV_DIR : 0, root, w->scratch.p,
	     w->scratch.len, rel);
	if (w->cfg.snapshot)
		snap_note(w, n, name, nl, w->scratch.p);
	if (is_dir && treeless_node(w, n)) {
		treeless_deep(w, root, w->scratch.p, w->scratch.len, rel);
		if (moved)
			listed_in(w, root, w->scratch.p, w->scratch.len);
	} else if (is_dir) {
		new_dir(w, n, name, nl, w->scratch.p, w->scratch.len, rel);
	} else {
		born_note(w, 0, root, w->scratch.p, w->scratch.len, rel);
	}
}

/* ---- rules that changed -------------------------------------------------- */

/* A rules file could not be read (gitignore.c keeps which and why): say
 * so, once. */
void
rules_say(fw_watcher *w)
{
	int e = w->gi.bad_err;
	if (!e)
		return;
	w->gi.bad_err = 0;
	if (e == ENOMEM || !w->cfg.warn)
		return;
	say_path(w, "cannot read", w->gi.bad.p, strerror(e),
		 e == EFBIG ? " (larger than fwatch reads)" : "",
		 "; the rules in it are not applied");
	w->cfg.warn(w->cfg.ctx, w->err.p);
}

/* A gitignore.c function failed: a file it could not read is said, and
 * memory that ran out is a loss (the rescan reads the rules again). */
void
rules_trouble(fw_watcher *w)
{
	if (w->gi.bad_err && w->gi.bad_err != ENOMEM)
		rules_say(w);
	else
		lost(w);
	w->gi.bad_err = 0;
}

/* Entry X of E, while what is below a directory whose rules changed is
 * judged again: a directory now ignored is no longer watched; one no
 * longer ignored is watched and listed, its contents not reported (they
 * were there before: nothing was created). */
static int
visit_rejudge(fw_watcher *w, struct walk *k, const struct stackent *e,
	      struct sys_dir *d, const struct entry *x)
{
	int c, n;
	if (k->files)
		scan_see(w, k, e, d, x);
	if (x->type != SYS_DIRECTORY)
		return 0;
	c = find_child(w, e->node, x->name, x->nl);
	if (pruned(w, k->root, w->cur.p, w->cur.len, x->crel)) {
		if (c >= 0)
			subtree_free(w, c, 1);
		return 0;
	}
	if (c >= 0)
		return walk_push(w, k, c, w->cur.p, w->cur.len, 0);
	return watch_below(w, k, e, x, &n) < 0 ? -1 : 0;
}

/* Before directory E is listed again: with --snapshot, one watched now
 * (no entry of it noted yet) has every entry noted. */
static void
rejudge_before(fw_watcher *w, struct walk *k, const struct stackent *e)
{
	k->files = w->cfg.snapshot && snap_first(&w->snap, e->node) < 0;
}

/* The end of a read: the directories whose rules changed in it
 * (gitignore.c's dirty list), and what is below them judged again. */
void
rejudge(fw_watcher *w)
{
	int *dirty = w->gi.dirty;
	size_t n = w->gi.ndirty;
	/* judged by their own name from now on: each is reached by a walk
	 * through its parent, which the walk keeps watched */
	w->gi.ndirty = 0;
	for (size_t i = 0; i < n && w->cfg.recursive; i++) {
		int d = dirty[i], r;
		size_t rel;
		if (w->nodes[d].id < 0 || w->nodes[d].hidden)
			continue; /* gone since */
		r = root_of(w, d);
		struct walk k = { .entry = visit_rejudge,
				  .before = rejudge_before, .root = r,
				  .rel = w->roots[r].disp_len, .old = 1 };
		if (w->nodes[d].parent < 0) {
			w->cur.len = 0;
			if (buf_add(&w->cur, w->roots[r].disp,
				    w->roots[r].disp_len) < 0) {
				lost(w);
				continue;
			}
		} else if (node_path(w, d, NULL, 0, &w->cur, &rel) < 0) {
			lost(w);
			continue;
		}
		/* the walk copies the path before it uses w->cur */
		walk(w, &k, d, w->cur.p, w->cur.len, 0);
	}
}
