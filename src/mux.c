/*
 * mux.c - two backends as one: the platform's native backend and the
 * poller, for a watcher whose PATHs are partly on filesystems that the
 * native one cannot see (a FUSE or network mount beside local trees).
 *
 * It only routes.  Which directories are polled is the core's decision,
 * made per PATH and passed as BE_WANT_POLL to watch().  The poller is
 * opened the first time it is wanted, so a watcher with no blind PATH
 * costs exactly the native backend.
 *
 * Ids: the native backend's are the core's as they are (so that, with no
 * poller, its records pass through untouched); the poller's carry
 * POLLED, so the core keeps one id space.  Waiting: only the native backend blocks, and
 * never past the poller's next scan (be_ops.next_due); a wake therefore
 * goes to the native backend alone.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "backend.h"
#include "mux.h"
#include "strmap.h"

struct backend {
	const struct be_ops *ops[2]; /* native, poller */
	struct backend *be[2];
	const struct be_env *env;    /* the core's */
	struct be_env cenv[2];       /* the children's: ids made ours */
	struct fw_raw *recs;
	size_t cap;
	const struct be_ops *next_ops; /* the native backend moved to */
	struct backend *next;
	volatile sig_atomic_t swapping; /* a wake now is dropped */
};

#define NATIVE 0
#define POLLER 1
/* Hazard: a native id must stay below this.  inotify's are counters
 * from 1, kqueue's and Windows' slot numbers: far below, unless a
 * single run watches a billion directories; FSEvents' kqueue ids carry
 * 0x20000000 (watch_fsevents.c's KQ_ID). */
#define POLLED 0x40000000

static int
to_mux(int id, int k)
{
	return id < 0 || k == NATIVE ? id : id | POLLED;
}

static int
from_mux(int id, int *k)
{
	*k = id >= 0 && (id & POLLED) ? POLLER : NATIVE;
	return *k == POLLER ? id & ~POLLED : id;
}

/* The core's file_wanted(), asked about a child's id. */
static int
wanted_native(void *ctx, int id, const char *name, size_t len)
{
	struct backend *m = ctx;
	return m->env->file_wanted(m->env->ctx, to_mux(id, NATIVE), name, len);
}

static int
wanted_poller(void *ctx, int id, const char *name, size_t len)
{
	struct backend *m = ctx;
	return m->env->file_wanted(m->env->ctx, to_mux(id, POLLER), name, len);
}

int
mux_open(struct backend **out, const struct be_ops *native,
	 const struct be_ops *poller, const struct be_env *env)
{
	struct backend *m = calloc(1, sizeof *m);
	if (!m)
		return -1;
	m->ops[NATIVE] = native;
	m->ops[POLLER] = poller;
	m->env = env;
	m->cenv[NATIVE].file_wanted = wanted_native;
	m->cenv[POLLER].file_wanted = wanted_poller;
	m->cenv[NATIVE].ctx = m->cenv[POLLER].ctx = m;
	m->cenv[NATIVE].poll_ms = m->cenv[POLLER].poll_ms =
		env ? env->poll_ms : 0;
	/* only the native backend waits here (mux_wait) */
	m->cenv[NATIVE].hup_fd = env ? env->hup_fd : 0;
	if (native->open(&m->be[NATIVE], env ? &m->cenv[NATIVE] : NULL) < 0) {
		int e = errno;
		free(m);
		errno = e;
		return -1;
	}
	*out = m;
	return 0;
}

static void
mux_close(struct backend *m)
{
	if (!m)
		return;
	for (int k = 0; k < 2; k++)
		if (m->be[k])
			m->ops[k]->close(m->be[k]);
	free(m->recs);
	free(m);
}

static int
mux_watch(struct backend *m, const char *path, unsigned want)
{
	int k = want & BE_WANT_POLL ? POLLER : NATIVE;
	if (!m->be[k] &&
	    m->ops[k]->open(&m->be[k], m->env ? &m->cenv[k] : NULL) < 0)
		return -1;
	return to_mux(m->ops[k]->watch(m->be[k], path, want), k);
}

static int
mux_unwatch(struct backend *m, int id)
{
	int k, own = from_mux(id, &k);
	if (id < 0 || !m->be[k]) {
		errno = EINVAL;
		return -1;
	}
	return m->ops[k]->unwatch(m->be[k], own);
}

/* Hazard: the poller scans only when asked; a wait that outlasts its
 * next scan must end there, or polled PATHs would go unseen while the
 * native backend sleeps. */
static int
mux_wait(struct backend *m, int timeout_ms)
{
	for (;;) {
		int t = timeout_ms, due = -1, r;
		if (m->be[POLLER]) {
			due = m->ops[POLLER]->next_due(m->be[POLLER]);
			if (due == 0)
				return 1;
			if (due > 0 && (t < 0 || due < t))
				t = due;
		}
		r = m->ops[NATIVE]->wait(m->be[NATIVE], t);
		if (r != 0 || t == timeout_ms)
			return r;
		if (timeout_ms > 0)
			timeout_ms = timeout_ms > t ? timeout_ms - t : 0;
	}
}

static void
mux_wake(struct backend *m)
{
	/* Hazard: from a signal handler, maybe while mux_swap_end()
	 * changes the pair below; dropped then, which costs nothing: the
	 * swap comes while PATHs are added, before anything waits. */
	if (!m->swapping)
		m->ops[NATIVE]->wake(m->be[NATIVE]);
}

/* Copy child K's records in, with their ids made ours. */
static int
take(struct backend *m, int k, size_t *n, int *drained)
{
	const struct fw_raw *r;
	int got, dr = 1;
	if (!m->be[k])
		return 0;
	if ((got = m->ops[k]->read(m->be[k], &r, &dr)) < 0)
		return -1;
	*drained &= dr;
	if (GROW(m->recs, m->cap, *n + (size_t)got) < 0)
		return -1;
	for (int i = 0; i < got; i++) {
		m->recs[*n] = r[i];
		m->recs[(*n)++].id = to_mux(r[i].id, k);
	}
	return 0;
}

static int
mux_read(struct backend *m, const struct fw_raw **recs, int *drained)
{
	size_t n = 0;
	if (!m->be[POLLER]) /* nothing to add: no copy */
		return m->ops[NATIVE]->read(m->be[NATIVE], recs, drained);
	*drained = 1;
	if (take(m, NATIVE, &n, drained) < 0 || take(m, POLLER, &n, drained) < 0)
		return -1;
	*recs = m->recs;
	return (int)n;
}

static int
mux_next_due(struct backend *m)
{
	return m->be[POLLER] ? m->ops[POLLER]->next_due(m->be[POLLER]) : -1;
}

static const char *
mux_limit_hint(struct backend *m, int err, size_t needed, char *buf,
	       size_t n)
{
	return m->ops[NATIVE]->limit_hint(m ? m->be[NATIVE] : NULL, err,
					  needed, buf, n);
}

int
mux_swap_begin(struct backend *m, const struct be_ops *ops)
{
	if (ops->open(&m->next, m->env ? &m->cenv[NATIVE] : NULL) < 0)
		return -1;
	m->next_ops = ops;
	return 0;
}

int
mux_swap_watch(struct backend *m, const char *path, unsigned want)
{
	return to_mux(m->next_ops->watch(m->next, path, want), NATIVE);
}

void
mux_swap_end(struct backend *m, int keep)
{
	const struct be_ops *drop_ops = m->next_ops;
	struct backend *drop = m->next;
	if (keep) {
		drop_ops = m->ops[NATIVE];
		drop = m->be[NATIVE];
		m->swapping = 1;
		atomic_signal_fence(memory_order_seq_cst);
		m->ops[NATIVE] = m->next_ops;
		m->be[NATIVE] = m->next;
		atomic_signal_fence(memory_order_seq_cst);
		m->swapping = 0;
	}
	drop_ops->close(drop);
	m->next_ops = NULL;
	m->next = NULL;
}

int
mux_is_native(int id)
{
	int k;
	from_mux(id, &k);
	return k == NATIVE;
}

unsigned
mux_caps(const struct be_ops *native, const struct be_ops *poller)
{
	/* what both promise; a subtree watch only where both give one */
	return native->caps & poller->caps;
}

const struct be_ops be_mux = {
	.name = "mux",
	.about = "the native backend, and the poller for PATHs it cannot see",
	.caps = 0, /* mux_caps() of the pair, set by the core */
	.close = mux_close,
	.watch = mux_watch,
	.unwatch = mux_unwatch,
	.wait = mux_wait,
	.wake = mux_wake,
	.read = mux_read,
	.next_due = mux_next_due,
	.limit_hint = mux_limit_hint,
};
