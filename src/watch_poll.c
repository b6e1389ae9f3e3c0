/*
 * watch_poll.c - the polling backend, for every platform: it looks at
 * each watched directory every interval and reports what changed, for
 * the filesystems whose changes no kernel notification reports (NFS,
 * SMB, 9p, FUSE: see sys_fs_blind) and wherever --poll asks for it.
 *
 * Each watched directory is held open (sys_pdir), so it stays the same
 * directory when renamed and its entries are looked at relative to it.
 * A round, for each directory:
 *   - one look at the directory itself: removed, or its times moved?
 *   - if they moved (or may have moved unseen: see RACY_NS), a new
 *     listing, compared with the last one (listing.c): names gone and
 *     born, paired into renames across every directory of the round by
 *     the object they name;
 *   - if not, one look at each entry whose size or times are wanted:
 *     modify when its size or mtime moved, attrib when only its ctime did.
 * The records come out in the order the core needs: deletes (a removed
 * directory's entries before it), renames, creates (oldest first), then
 * content, under the names the files have now, and news about the
 * watched directories themselves.
 *
 * Nothing allocates per entry per round: listings keep their arrays,
 * and only a directory that changed is listed again.
 *
 * This file is the interface and the round; poll_look.c is what a round
 * sees, poll_say.c what it says; poll_state.h is their shared state (not
 * "poll.h", which would hide <poll.h> from files built with -I src).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poll_state.h"

/* One look at everything; the records wait in b->out. */
static int
poll_round(struct backend *b)
{
	int64_t sec;
	long usec;
	sys_now(&sec, &usec);
	int64_t now_ns = sec * 1000000000LL + (int64_t)usec * 1000;

	recbuf_clear(&b->out);
	recbuf_clear(&b->later);
	b->fail = 0;
	moves_clear(&b->mv);
	for (size_t x = 0; x < b->ndirs && !b->fail; x++) {
		struct pdir *d = &b->dirs[x];
		int relist;
		if (d->id < 0)
			continue;
		poll_look_self(d, now_ns, &relist);
		if (d->lost)
			continue;
		if (!relist && poll_need_stat(d->want))
			relist = poll_look_entries(b, d);
		if (relist && poll_add_job(b, x) < 0)
			b->fail = errno;
	}
	if (!b->fail)
		poll_find_lost(b);
	if (!b->fail && moves_pair(&b->mv) < 0)
		b->fail = errno;
	if (!b->fail) {
		poll_unpair_strangers(b);
		for (size_t x = 0; x < b->njobs; x++)
			poll_deletes(b, b->jobs[x].dir);
		moves_order(&b->mv, SYS_DIRECTORY, poll_move_step, b);
		poll_creates(b);
		poll_content_news(b);
		poll_later_news(b);
	}
	poll_self_news(b);
	poll_install(b);
	if (b->fail || b->out.fail) {
		/* what was seen is unsure: the core rescans */
		recbuf_clear(&b->out);
		b->fail = 0;
		poll_rec(b, -1, BE_OVERFLOW, 0, "", 0);
	}
	return 0;
}

/* ---- the interface ------------------------------------------------------ */

static int
be_open(struct backend **out, const struct be_env *env)
{
	struct backend *b = calloc(1, sizeof *b);
	if (!b)
		return -1;
	b->env = env;
	b->interval = env && env->poll_ms > 0 ? env->poll_ms : DEFAULT_MS;
	b->byobj.arena = &b->objkeys;
	if (!(b->waiter = sys_waiter_new(env ? env->hup_fd : 0))) {
		int e = errno;
		free(b);
		errno = e;
		return -1;
	}
	b->due = sys_mono_ms() + b->interval;
	*out = b;
	return 0;
}

static void
be_close(struct backend *b)
{
	if (!b)
		return;
	for (size_t x = 0; x < b->ndirs; x++)
		if (b->dirs[x].id >= 0)
			poll_free_slot(&b->dirs[x]);
	for (size_t x = 0; x < b->initjobs; x++) {
		listing_free(&b->jobs[x].now);
		free(b->jobs[x].o2n);
		free(b->jobs[x].n2o);
	}
	free(b->jobs);
	free(b->dirs);
	moves_free(&b->mv);
	smap_free(&b->byobj);
	free(b->objkeys.p);
	recbuf_free(&b->out);
	recbuf_free(&b->later);
	free(b->births);
	sys_waiter_free(b->waiter);
	free(b);
}

/* A new slot for directory H (SELF); its index, or -1. */
static int
new_slot(struct backend *b, struct sys_pdir *h, const struct sys_info *self,
	 unsigned want)
{
	size_t x;
	for (x = 0; x < b->ndirs && b->dirs[x].id >= 0; x++)
		;
	if (x == b->ndirs) {
		if (GROW(b->dirs, b->capdirs, b->ndirs + 1) < 0)
			return -1;
		b->ndirs++;
	}
	struct pdir *d = &b->dirs[x];
	memset(d, 0, sizeof *d);
	d->id = (int)x;
	d->want = want;
	d->h = h;
	d->self = *self;
	d->job = LISTING_NONE;
	if (poll_list_dir(d, &d->snap) < 0 || poll_obj_put(b, self, (int)x) < 0) {
		int e = errno;
		listing_free(&d->snap);
		d->id = -1;
		errno = e;
		return -1;
	}
	return (int)x;
}

static int
be_watch(struct backend *b, const char *path, unsigned want)
{
	struct sys_pdir *h = sys_pdir_open(path, !!(want & BE_FOLLOW));
	struct sys_info self;
	int x;
	if (!h)
		return -1;
	if (sys_pdir_self(h, &self) < 0) {
		int e = errno;
		sys_pdir_close(h);
		errno = e;
		return -1;
	}
	want &= ~(unsigned)(BE_FOLLOW | BE_ONLYDIR | BE_WANT_SUBTREE);
	b->want |= want;
	if ((x = poll_obj_find(b, &self)) >= 0) {
		/* the same directory again: what the core wants of its
		 * entries may have changed (a second file PATH in it) */
		struct pdir *d = &b->dirs[x];
		sys_pdir_close(h);
		if (poll_need_stat(want) && !poll_need_stat(d->want)) {
			d->want |= want;
			if (poll_list_dir(d, &d->snap) < 0)
				return -1;
		}
		d->want |= want;
		for (size_t i = 0; i < d->snap.n; i++)
			d->snap.e[i].held = NULL;
		return d->id;
	}
	if ((x = new_slot(b, h, &self, want)) < 0) {
		int e = errno;
		sys_pdir_close(h);
		errno = e;
		return -1;
	}
	return x;
}

static int
be_unwatch(struct backend *b, int id)
{
	if (id < 0 || (size_t)id >= b->ndirs || b->dirs[id].id != id ||
	    b->dirs[id].dropped) {
		errno = EINVAL;
		return -1;
	}
	poll_obj_forget(b, &b->dirs[id].self);
	poll_free_slot(&b->dirs[id]);
	return 0;
}

static int
be_next_due(struct backend *b)
{
	int64_t left = b->due - sys_mono_ms();
	return left > 0 ? (int)(left < 1000000 ? left : 1000000) : 0;
}

static int
be_wait(struct backend *b, int timeout_ms)
{
	for (;;) {
		int due = be_next_due(b), t = timeout_ms, r;
		if (due == 0)
			return 1;
		if (t < 0 || due < t)
			t = due;
		if ((r = sys_waiter_wait(b->waiter, t)) != 0)
			return r < 0 ? -1 : BE_WOKEN;
		if (t == timeout_ms)
			return 0;
		if (timeout_ms > 0)
			timeout_ms -= t;
	}
}

static void
be_wake(struct backend *b)
{
	sys_waiter_wake(b->waiter);
}

static int
be_read(struct backend *b, const struct fw_raw **recs, int *drained)
{
	*drained = 1;
	recbuf_clear(&b->out);
	if (be_next_due(b) == 0) {
		/* the next round is an interval after this one began, so a
		 * slow round does not make the next one come sooner */
		b->due = sys_mono_ms() + b->interval;
		poll_round(b);
	}
	*recs = b->out.recs;
	return (int)recbuf_done(&b->out);
}

static const char *
be_limit_hint(struct backend *b, int err, size_t needed, char *buf, size_t n)
{
	(void)b;
	if (err != EMFILE && err != ENFILE)
		return NULL;
	snprintf(buf, n, "out of file descriptors: polling holds one per "
		 "watched directory%s; raise the limit with 'ulimit -n', or "
		 "watch fewer directories (--exclude)",
		 needed ? " (this tree has more than the limit)" : "");
	return buf;
}

const struct be_ops be_poll = {
	.name = "poll",
	.about = "looks at every directory each interval; sees every filesystem",
	.caps = BE_CAP_ISDIR | BE_CAP_SELF_RECORDS | BE_CAP_RENAME_PAIRED,
	.open = be_open,
	.close = be_close,
	.watch = be_watch,
	.unwatch = be_unwatch,
	.wait = be_wait,
	.wake = be_wake,
	.read = be_read,
	.next_due = be_next_due,
	.limit_hint = be_limit_hint,
};
