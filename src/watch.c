/*
 * watch.c - the watcher core's public face (watch.h): open, add a PATH,
 * read one batch, close.
 *
 * The work is done in the rooms of src/core/ (core.h lists them): this
 * file reads records from the backend, hands each to records.c, settles
 * what waited for the end of a read, and hands the batch out.  Nothing
 * here knows which kernel is below: the backend is a table of operations
 * (backend.h) chosen at open.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "mux.h"

/* ---- reading ------------------------------------------------------------- */

/* Read what the backend has (without blocking) and handle it. */
static int
take(fw_watcher *w, int *drained)
{
	const struct fw_raw *recs;
	int n = w->ops->read(w->be, &recs, drained);
	w->take_gen++;
	sys_now(&w->sec, &w->usec);
	pairs_lookahead(w, recs, n > 0 ? n : 0);
	for (int i = 0; i < n; i++) {
		settle_inside(w, &recs[i]);
		handle(w, &recs[i]);
	}
	return n < 0 ? -1 : 0;
}

/* The end of a read: what waited until the whole read was seen. */
static void
read_done(fw_watcher *w, int drained)
{
	finish_all_pend(w);
	if (w->retry.len)
		retry_dirs(w);
	if (w->npending)
		files_open(w);
	if (w->gi.ndirty)
		rejudge(w);
	if (w->born.len)
		born_look(w);
	if (w->nleft)
		files_settle(w);
	if (w->ndirty)
		snap_refresh(w);
	w->queued = !drained;
	if (drained)
		synth_expire(w);
}

/* Read records, and more while a pending move may still meet its
 * partner; then settle the read. */
static int
read_records(fw_watcher *w)
{
	int drained = 0, ms, r;
	if (take(w, &drained) < 0)
		return -1;
	while ((ms = pairs_wait(w, drained)) >= 0) {
		if (ms && (r = w->ops->wait(w->be, ms)) != 1) {
			if (r == BE_WOKEN)
				w->woken = 1;
			break;
		}
		if (take(w, &drained) < 0)
			return -1;
	}
	read_done(w, drained);
	return 0;
}

/* Wait for records until DEADLINE (-1: none): 1 when there are records
 * to read, 0 on timeout or wake, -1 on error. */
static int
wait_records(fw_watcher *w, int64_t deadline)
{
	int left = -1, r;
	if (w->woken) {
		w->woken = 0;
		return 0;
	}
	/* After a read that left records queued, or a batch handed out
	 * (more may have come meanwhile), read at once: in a burst this
	 * saves a poll per batch; idle, it costs one read that says
	 * EAGAIN. */
	if (w->queued)
		return 1;
	/* about to sleep: a good moment to give back what a burst grew */
	if (compact(w) | batch_trim(w) | scan_trim(w) | gi_trim(w))
		sys_trim();
	if (deadline >= 0) {
		int64_t d = deadline - sys_mono_ms();
		left = d > 0 ? (int)d : 0;
	}
	r = w->ops->wait(w->be, left);
	return r == BE_WOKEN ? 0 : r;
}

/* Records were lost (an overflow: the kernel's, or ours when memory ran
 * out): rescan everything, or only the subtrees the overflows named.
 * -1 with ENOMEM if memory runs out again: a rescan that cannot finish
 * cannot rebuild the truth, and that is said loudly. */
static int
after_loss(fw_watcher *w)
{
	int all = w->need_rescan;
	w->need_rescan = 0;
	if (w->lost && batch_lost(w) < 0)
		return -1;
	sys_now(&w->sec, &w->usec);
	if (all)
		rescan(w);
	else
		rescan_scoped(w);
	if (w->lost) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Make the next batch: 1 when it holds events, 0 on timeout or wake,
 * -1 on error. */
static int
read_batch(fw_watcher *w, int timeout_ms)
{
	int64_t deadline = timeout_ms >= 0 ? sys_mono_ms() + timeout_ms : -1;
	int r;
	batch_reset(w);
	/* the last batch is out: the files it named as gone may go */
	if (w->retired)
		held_release(w);
	for (;;) {
		if ((w->need_rescan || w->scoped) && after_loss(w) < 0)
			return -1;
		if (w->nev)
			return 1;
		if ((r = wait_records(w, deadline)) <= 0)
			return r;
		if (read_records(w) < 0)
			return -1;
		/* the last PATH went without a word (a file PATH already
		 * reported deleted lost its directory): let the caller see */
		if (!w->nev && !w->roots_left)
			return 0;
	}
}

int
fw_read(fw_watcher *w, int timeout_ms, const struct fw_event **evs)
{
	int r = read_batch(w, timeout_ms);
	if (r <= 0)
		return r;
	w->queued = 1;
	return batch_out(w, evs);
}

/* ---- opening ------------------------------------------------------------- */

/* What the backend is asked to watch for, for the kinds REPORTED (a
 * modify is reported with a truncate, which needs the same). */
static unsigned
want_of(unsigned reported)
{
	static const struct {
		enum fw_kind kind;
		unsigned want;
	} wants[] = {
		{ FW_TRUNCATE, BE_WANT_CONTENT },
		{ FW_ATTRIB, BE_WANT_ATTRIB },
		{ FW_CLOSE_WRITE, BE_WANT_CLOSE_W },
		{ FW_CLOSE_NOWRITE, BE_WANT_CLOSE_N },
		{ FW_OPEN, BE_WANT_OPEN },
		{ FW_ACCESS, BE_WANT_ACCESS },
	};
	unsigned want = 0;
	for (size_t i = 0; i < sizeof wants / sizeof wants[0]; i++)
		if (reported & FW_BIT(wants[i].kind))
			want |= wants[i].want;
	return want;
}

static const struct be_ops *backend_find(const char *name);

/*
 * With no backend chosen, a recursive watcher may move to the native
 * backend's stand-in for large trees (backends.c: be_large, fanotify on
 * Linux) if a tree passes be_large_dirs directories or the native one
 * runs out of watches while it is set up (large.c).  Only if the
 * stand-in can start here (as root), which is asked once, now.
 */
static void
large_arm(fw_watcher *w)
{
	struct backend *b;
	if (!w->native || !be_large || be_large == w->native ||
	    !w->cfg.recursive || be_large->open(&b, NULL) < 0)
		return;
	be_large->close(b);
	w->large = be_large;
	w->large_at = be_large_dirs;
}

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
	w->want = want_of(w->report);
	/* a .gitignore written to is read again, whatever is reported */
	if (cfg->gitignore)
		w->want |= BE_WANT_CONTENT;
	w->freelist = -1;
	w->pc_node = -1;
	w->tl_root = -1;
	w->seen.arena = &w->out;
	w->synth[0].arena = &w->synthbuf[0];
	w->synth[1].arena = &w->synthbuf[1];
	w->gi.dirmap.arena = &w->gi.dirkeys;
	snap_init(&w->snap);
	if (!(w->ops = backend_find(cfg->backend))) {
		free(w);
		errno = ENOENT;
		return NULL;
	}
	w->caps = w->ops->caps;
	if (cfg->explain)
		return w; /* no backend: nothing is watched */
	files_lend(w, &w->env);
	w->env.poll_ms = cfg->poll_ms; /* a poller's interval; 0: its own */
	w->env.hup_fd = cfg->hup_fd;
	if ((!cfg->backend || !*cfg->backend) && w->ops != &be_poll) {
		/* no backend chosen: the native one, and the poller beside
		 * it for the directories where it is blind (blind.c) */
		w->native = w->ops;
		w->ops = &be_mux;
	}
	if ((w->native ? mux_open(&w->be, w->native, &be_poll, &w->env)
		       : w->ops->open(&w->be, &w->env)) < 0) {
		int e = errno;
		free(w);
		errno = e;
		return NULL;
	}
	large_arm(w);
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

/* ---- adding a PATH ------------------------------------------------------- */

/* Root R, given as GIVEN, may have rules (gitignore.c): find them, and
 * say what a user should know of them.  -1 with ENOMEM. */
static int
add_rules(fw_watcher *w, int r, const char *given)
{
	struct gi_why why;
	struct buf b = { 0 };
	int k = gi_root(w, r, &why);
	if (k < 0) {
		w->gi.bad_err = 0;
		errno = ENOMEM;
		return -1;
	}
	rules_say(w);
	if (!w->cfg.note)
		return 0;
	if (k == GI_NO_REPO) {
		say_path(w, "--gitignore:", given, "not in a git work tree; "
			 "nothing is ignored for it (but in repositories "
			 "below it)", "", "");
		w->cfg.note(w->cfg.ctx, w->err.p);
	} else if (k == GI_PATH_IGNORED && gi_say(&why, &b) == 0) {
		say_path(w, "--gitignore:", given, "git ignores it (",
			 b.p ? b.p : "", "); it is watched as given, and the "
			 "rules apply below it");
		w->cfg.note(w->cfg.ctx, w->err.p);
	}
	free(b.p);
	return 0;
}

/* The directory PATH (given as GIVEN): watched, with everything below it
 * if recursive.  -1 with errno (and fw_error() saying why). */
static int
add_dir(fw_watcher *w, const char *path, const char *given)
{
	int id, n, r, e;
	w->tl_adding = (unsigned char)treeless_ok(w, path);
	id = watch_one(w, -1, path, strlen(path), 1);
	if (id < 0 && errno == EOPNOTSUPP && w->tl_adding) {
		/* it cannot watch it whole after all: walked */
		w->tl_adding = 0;
		id = watch_one(w, -1, path, strlen(path), 1);
	}
	if (id < 0 && errno == ENOSPC && w->large &&
	    large_take(w, ENOSPC, given) == 0) {
		w->tl_adding = (unsigned char)treeless_ok(w, path);
		id = watch_one(w, -1, path, strlen(path), 1);
	}
	if (id < 0) {
		e = errno;
		set_err(w, path, e, e == ENOSPC ? count_needed(w, path) : 0);
		errno = e;
		return -1;
	}
	n = id_get(w, id);
	if (n >= 0 && !w->nodes[n].hidden) {
		w->tl_adding = 0;
		return 0; /* given twice, or inside another PATH: watched */
	}
	if ((r = root_new(w, path, given)) < 0 ||
	    (n < 0 && (n = node_new(w, id, -1, NULL, 0)) < 0)) {
		if (r >= 0)
			root_free(&w->roots[--w->nroots]);
		id_stray(w, id);
		errno = ENOMEM;
		return -1;
	}
	absorb(w, n); /* if it was watched for file PATHs in it until now */
	if (w->tl_adding)
		treeless_mark(w, r);
	w->tl_adding = 0;
	w->nodes[n].root = r;
	w->roots[r].node = n;
	w->roots_left++;
	if (add_rules(w, r, given) < 0)
		return -1;
	if ((w->cfg.recursive || w->cfg.snapshot) && !w->roots[r].treeless &&
	    scan_setup(w, n) < 0) {
		/* stopped to watch it whole (fanotify took over) */
		if (w->tl_switch && treeless_take(w, r) == 0)
			return 0;
		e = w->fatal ? w->fatal : errno;
		set_err(w, path, e, e == ENOSPC ? count_needed(w, NULL) : 0);
		errno = e;
		return -1;
	}
	return 0;
}

/* With cfg.explain: PATH is only named, for fw_explain(). */
static int
add_named(fw_watcher *w, const char *path, const char *given)
{
	int r;
	if (sys_type_of(path, 1) == SYS_GONE) {
		int e = errno;
		say_path(w, "cannot watch", given, strerror(e), "", "");
		errno = e;
		return -1;
	}
	if ((r = root_new(w, path, given)) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return add_rules(w, r, given);
}

static int
add_root(fw_watcher *w, const char *path, const char *given)
{
	enum sys_type t;
	const char *note;
	int e;

	if (!*path) {
		say_path(w, "cannot watch", "",
			 "empty path (use . for the current directory)", "", "");
		errno = ENOENT;
		return -1;
	}
	if (w->cfg.explain)
		return add_named(w, path, given);
	t = sys_type_of(path, 1);
	if (w->cfg.tail && t == SYS_DIRECTORY) {
		say_path(w, "cannot follow", given, "it is a directory, and "
			 "--tail follows files (give the files in it, e.g. ",
			 "'dir/*.log')", "");
		errno = EISDIR;
		return -1;
	}
	/* --tail waits for a file that is not there yet */
	if (t == SYS_GONE && !(w->cfg.tail && errno == ENOENT)) {
		e = errno;
		set_err(w, path, e, 0);
		errno = e;
		return -1;
	}
	if ((t == SYS_DIRECTORY ? add_dir(w, path, given)
				: add_file(w, path, given)) < 0)
		return -1;
	/* watched, but the kernel will say little or nothing there */
	note = sys_fs_note(path);
	if (note && w->cfg.warn) {
		say_path(w, "watching", given, "it is on ", note, "");
		if (w->err.p)
			w->cfg.warn(w->cfg.ctx, w->err.p);
	}
	blind_warn(w, path, given);
	return 0;
}

int
fw_add(fw_watcher *w, const char *path)
{
	char *norm;
	int r;
	if (!SYS_ALT_SEP || !strchr(path, SYS_ALT_SEP))
		return add_root(w, path, path);
	/* one separator inside: "C:\\src" is watched and shown as "C:/src" */
	if (!(norm = dupn(path, strlen(path))))
		return -1;
	for (char *c = norm; *c; c++)
		if (*c == SYS_ALT_SEP)
			*c = '/';
	r = add_root(w, norm, path);
	free(norm);
	return r;
}

/* ---- rules ------------------------------------------------------------- */

int
fw_ignore_file(fw_watcher *w, const char *file)
{
	int e;
	if (gi_file(w, file) == 0)
		return 0;
	e = errno;
	say_path(w, "cannot read --ignore-file", file, strerror(e),
		 e == ENOENT ? " (check the path)" : "", "");
	errno = e;
	return -1;
}

int
fw_explain(fw_watcher *w, const char *path, const char **why)
{
	size_t rel, len;
	int root, isdir, r;
	root = gi_locate(w, path, &w->scratch, &rel);
	if (root == -2) {
		errno = ENOMEM;
		return -1;
	}
	if (root < 0) {
		say_path(w, "--explain-ignore", path, "not below any PATH "
			 "given (fwatch would never see it)", "", "");
		errno = ENOENT;
		return -1;
	}
	len = strlen(path);
	isdir = (len && path[len - 1] == '/') ||
		sys_type_of(path, 0) == SYS_DIRECTORY;
	len = w->scratch.len;
	w->explained.len = 0;
	if (gi_along(w, root, w->scratch.p, len, rel) < 0 ||
	    (r = explain(w, root, w->scratch.p, len, rel, isdir,
			 &w->explained)) < 0 ||
	    buf_add(&w->explained, "", 0) < 0) {
		errno = ENOMEM;
		return -1;
	}
	rules_say(w);
	*why = w->explained.p;
	return r;
}

/* ---- the rest ------------------------------------------------------------ */

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

int
fw_path_file(fw_watcher *w, size_t i, const char **path, struct fw_file **f)
{
	if (i >= w->nroots)
		return -1;
	if (!w->roots[i].file || w->roots[i].gone)
		return 0;
	*path = w->roots[i].self;
	*f = w->roots[i].file->cur;
	return 1;
}

size_t
fw_whole_count(const fw_watcher *w)
{
	size_t n = 0;
	for (size_t i = 0; i < w->nroots; i++)
		n += !w->roots[i].gone && w->roots[i].treeless;
	return n;
}

size_t
fw_roots_left(const fw_watcher *w)
{
	return w->roots_left;
}

const char *
fw_backend_name(const fw_watcher *w)
{
	if (!w->native)
		return w->ops->name;
	/* blind.c names the pair once the poller is in use */
	return w->bename[0] ? w->bename : w->native->name;
}

void
fw_close(fw_watcher *w)
{
	if (!w)
		return;
	if (w->be)
		w->ops->close(w->be);
	blind_free(w);
	gi_free(w);
	free(w->explained.p);
	free(w->names.p);
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
	free(w->tlbuf.p);
	free(w->tl_dir.p);
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
	free(w->born.p);
	free(w->askbuf.p);
	held_release(w);
	free(w);
}
