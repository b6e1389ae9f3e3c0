/*
 * watch_linux.c - the inotify backend.
 *
 * One inotify descriptor for everything, plus a pipe (wakepipe.c) so
 * that be_wake(), called from signal handlers, can end a poll() without
 * a race.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend.h"
#include "qread.h"
#include "wakepipe.h"

/* Large enough that a burst is taken in a few reads, small enough to stay
 * in cache.  The kernel queue (max_queued_events) is the real buffer. */
#define READ_BUF (256 * 1024)
#define MAX_REC (sizeof(struct inotify_event) + NAME_MAX + 1)

/* What stays resident of the read buffer when idle. */
#define KEEP_BUF 4096
#define KEEP_RECS 64 /* records kept allocated when idle */

struct backend {
	int fd;
	struct wakepipe wake;
	int hup_fd; /* be_env.hup_fd, or -1 */
	struct fw_raw *recs;
	size_t cap;
	char *buf;    /* READ_BUF bytes, mapped */
	size_t dirty; /* how far a read has filled it since the last trim */
};

static int
be_open(struct backend **out, const struct be_env *env)
{
	/* every file costs the same: nothing is asked of env but hup_fd */
	struct backend *b = calloc(1, sizeof *b);
	if (!b)
		return -1;
	b->hup_fd = env && env->hup_fd > 0 ? env->hup_fd : -1;
	b->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (b->fd < 0) {
		int e = errno;
		free(b);
		errno = e;
		return -1;
	}
	b->buf = mmap(NULL, READ_BUF, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->buf == MAP_FAILED || wakepipe_open(&b->wake) < 0) {
		int e = errno;
		if (b->buf != MAP_FAILED)
			munmap(b->buf, READ_BUF);
		close(b->fd);
		free(b);
		errno = e;
		return -1;
	}
	*out = b;
	return 0;
}

static void
be_close(struct backend *b)
{
	if (!b)
		return;
	close(b->fd);
	wakepipe_close(&b->wake);
	free(b->recs);
	munmap(b->buf, READ_BUF);
	free(b);
}

static int
be_watch(struct backend *b, const char *path, unsigned want)
{
	/* Always asked for: what the core needs to keep the tree right. */
	uint32_t m = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
		     IN_DELETE_SELF | IN_MOVE_SELF | IN_EXCL_UNLINK;
	if (want & BE_WANT_CONTENT)
		m |= IN_MODIFY;
	if (want & BE_WANT_ATTRIB)
		m |= IN_ATTRIB;
	if (want & BE_WANT_CLOSE_W)
		m |= IN_CLOSE_WRITE;
	if (want & BE_WANT_CLOSE_N)
		m |= IN_CLOSE_NOWRITE;
	if (want & BE_WANT_OPEN)
		m |= IN_OPEN;
	if (want & BE_WANT_ACCESS)
		m |= IN_ACCESS;
	if (!(want & BE_FOLLOW))
		m |= IN_DONT_FOLLOW;
	if (want & BE_ONLYDIR)
		m |= IN_ONLYDIR;
	return inotify_add_watch(b->fd, path, m);
}

static int
be_unwatch(struct backend *b, int id)
{
	return inotify_rm_watch(b->fd, id);
}

static int
be_wait(struct backend *b, int timeout_ms)
{
	if (timeout_ms != 0) {
		/* going idle, maybe after a burst: its memory need not stay */
		if (b->dirty > KEEP_BUF) {
			madvise(b->buf + KEEP_BUF, READ_BUF - KEEP_BUF,
				MADV_DONTNEED);
			b->dirty = 0;
		}
		if (b->cap > KEEP_RECS) {
			free(b->recs);
			b->recs = NULL;
			b->cap = 0;
		}
	}
	return qwait(b->fd, &b->wake, b->hup_fd, timeout_ms);
}

static void
be_wake(struct backend *b)
{
	wakepipe_wake(&b->wake);
}

/* The one place where inotify's bits become fwatch's. */
static unsigned
translate(uint32_t m)
{
	unsigned f = 0;
	if (m & IN_CREATE)        f |= BE_CREATE;
	if (m & IN_DELETE)        f |= BE_DELETE;
	if (m & IN_MODIFY)        f |= BE_MODIFY;
	if (m & IN_ATTRIB)        f |= BE_ATTRIB;
	if (m & IN_CLOSE_WRITE)   f |= BE_CLOSE_WRITE;
	if (m & IN_CLOSE_NOWRITE) f |= BE_CLOSE_NOWR;
	if (m & IN_OPEN)          f |= BE_OPEN;
	if (m & IN_ACCESS)        f |= BE_ACCESS;
	if (m & IN_MOVED_FROM)    f |= BE_MOVED_FROM;
	if (m & IN_MOVED_TO)      f |= BE_MOVED_TO;
	if (m & IN_DELETE_SELF)   f |= BE_SELF_DELETE;
	if (m & IN_MOVE_SELF)     f |= BE_SELF_MOVE;
	if (m & IN_UNMOUNT)       f |= BE_UNMOUNT;
	if (m & IN_IGNORED)       f |= BE_IGNORED;
	if (m & IN_Q_OVERFLOW)    f |= BE_OVERFLOW;
	if (m & IN_ISDIR)         f |= BE_ISDIR;
	return f;
}

static int
be_read(struct backend *b, const struct fw_raw **recs, int *drained)
{
	size_t len = 0, n = 0;

	if (qread(b->fd, b->buf, READ_BUF, MAX_REC, &len, drained) < 0)
		return -1;
	if (len > b->dirty)
		b->dirty = len;
	for (size_t off = 0; off < len;) {
		const struct inotify_event *ie =
			(const struct inotify_event *)(void *)(b->buf + off);
		if (n == b->cap) {
			size_t nc = b->cap ? b->cap * 2 : KEEP_RECS;
			struct fw_raw *nr = realloc(b->recs, nc * sizeof *nr);
			if (!nr)
				return -1;
			b->recs = nr;
			b->cap = nc;
		}
		struct fw_raw *r = &b->recs[n++];
		r->id = ie->wd;
		r->flags = translate(ie->mask);
		r->cookie = ie->cookie;
		r->name = ie->len ? ie->name : "";
		r->name_len = ie->len ? strlen(ie->name) : 0;
		off += sizeof *ie + ie->len;
	}
	*recs = b->recs;
	return (int)n;
}

static const char *
be_limit_hint(struct backend *b, int err, size_t needed, char *buf, size_t n)
{
	(void)b;
	if (err == ENOSPC) {
		/* Hazard: a user namespace has its own limit, counted besides
		 * the global one (the kernel checks each level); the smaller
		 * binds, so that is the one to name (seen: 100 there, 192543
		 * globally).  Outside one the two read the same. */
		const char *name = "fs.inotify.max_user_watches";
		long v = qread_limit("/proc/sys/fs/inotify/max_user_watches");
		long ns = qread_limit("/proc/sys/user/max_inotify_watches");
		int in_ns = ns > 0 && (v <= 0 || ns < v);
		if (in_ns) {
			name = "user.max_inotify_watches";
			v = ns;
		}
		long want = v > 0 ? v : 8192;
		if (needed)
			want += (long)needed;
		else
			want *= 2;
		int k = snprintf(buf, n, "inotify watch limit reached "
				 "(%s = %ld%s)", name, v,
				 in_ns ? ", this user namespace's limit" : "");
		if (needed && k > 0 && (size_t)k < n)
			k += snprintf(buf + k, n - (size_t)k,
				      "; this tree needs %zu watches", needed);
		if (k > 0 && (size_t)k < n)
			snprintf(buf + k, n - (size_t)k,
				 "; raise the limit with 'sysctl %s=%ld' as "
				 "root%s", name, want, in_ns
				 ? " in the namespace (the container's setup "
				   "keeps it)"
				 : " (add it to /etc/sysctl.d/ to keep it)");
		return buf;
	}
	if (err == EMFILE) {
		long v = qread_limit("/proc/sys/fs/inotify/max_user_instances");
		snprintf(buf, n, "too many inotify instances "
			 "(fs.inotify.max_user_instances = %ld); stop other "
			 "watchers of this user, or raise it with 'sysctl "
			 "fs.inotify.max_user_instances=%ld' as root",
			 v, v > 0 ? v * 2 : 256);
		return buf;
	}
	return NULL;
}

const struct be_ops be_inotify = {
	.name = "inotify",
	.about = "Linux inotify, a watch per directory",
	.caps = BE_CAP_ISDIR | BE_CAP_SELF_RECORDS |
		BE_CAP_BIRTH_WRITES,
	.open = be_open,
	.close = be_close,
	.watch = be_watch,
	.unwatch = be_unwatch,
	.wait = be_wait,
	.wake = be_wake,
	.read = be_read,
	.limit_hint = be_limit_hint,
};
