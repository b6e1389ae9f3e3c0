/*
 * watch_fsevents.c - the backend over FSEvents (macOS): one stream per
 * watched tree, however many directories and files it holds.
 *
 * A directory the core asks for that lies inside a tree already
 * streamed gets an id and nothing else; records name entries by their
 * path below the stream's directory, which the core resolves through
 * its tree (BE_CAP_SUBTREE, as Windows' subtree handles).
 *
 * A directory watched alone (not recursive, or a file PATH's directory)
 * goes to a kqueue backend this one keeps (ids with KQ_ID): a stream
 * would hear of its whole subtree (a file PATH in the home directory:
 * every change in it), and kqueue reports a file's writes at once.  Only
 * if that kqueue cannot start does such a directory get a stream of its
 * own, whose records below its entries are dropped.
 *
 * The streams are scheduled on one serial dispatch queue.  Their
 * callback only copies the batch into a buffer under a mutex and writes
 * a byte to a pipe (and wakes the kqueue, whose wait is the one that
 * blocks once it is open); wait() polls that pipe beside the wake pipe,
 * and read() takes the buffer and translates it on the core's thread
 * (fse_translate.c), so no callback touches the core's state.
 *
 * Hazard: FSEvents names what changed by its real path.  A stream's
 * directory is therefore named by realpath(); a path FSEvents spelled
 * otherwise (not seen in Apple's documentation; untested on a Mac)
 * would be taken for one outside the tree and dropped.
 *
 * Built for real only on macOS; `make check-macos` builds it on any
 * Unix against a stand-in of Apple's headers (tests/macos/include) and
 * a scripted FSEvents (tests/macos/fake_fsevents.c).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#ifdef __APPLE__
/* Apple's headers need their own types, hidden under strict POSIX */
#define _DARWIN_C_SOURCE 1
#endif
#include <CoreServices/CoreServices.h>
#include <dispatch/dispatch.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "fse_translate.h"
#include "strmap.h"
#include "wakepipe.h"

/* fse_translate.c reads Apple's flags by its own names: the same bits */
_Static_assert(FSE_MUST_SCAN_SUBDIRS ==
			       kFSEventStreamEventFlagMustScanSubDirs &&
	       FSE_ROOT_CHANGED == kFSEventStreamEventFlagRootChanged &&
	       FSE_CREATED == kFSEventStreamEventFlagItemCreated &&
	       FSE_REMOVED == kFSEventStreamEventFlagItemRemoved &&
	       FSE_RENAMED == kFSEventStreamEventFlagItemRenamed &&
	       FSE_MODIFIED == kFSEventStreamEventFlagItemModified &&
	       FSE_IS_DIR == kFSEventStreamEventFlagItemIsDir &&
	       FSE_CLONED == kFSEventStreamEventFlagItemCloned,
	       "FSEvents flags as fse_translate.h copies them");

/*
 * Seconds FSEvents gathers changes before calling back.  Hazard: not
 * measured on a Mac (none was at hand): 0 with NoDefer delivers each
 * change as soon as fseventsd has it, as the other backends do; a
 * rename's two halves may then come in two callbacks, which
 * fse_translate pairs across batches and the core waits for (PAIR_MS).
 */
#define LATENCY 0.0
/* file-level records, at once, the PATH itself watched, CF-typed paths */
#define FLAGS                                                                 \
	(kFSEventStreamCreateFlagUseCFTypes |                                 \
	 kFSEventStreamCreateFlagNoDefer | kFSEventStreamCreateFlagWatchRoot | \
	 kFSEventStreamCreateFlagFileEvents)

/*
 * How many records callbacks may hand over before fwatch reads them;
 * past it they are dropped and an overflow of each stream that lost
 * some is said (the core rescans its tree), as a kernel queue that is
 * full.  Hazard: while fwatch is busy (an
 * --exec command being started, a slow reader of stdout) a tree being
 * rewritten could otherwise grow this buffer without bound; 131072
 * records of some 100 bytes each is some 13 MB.
 */
#ifndef HAND_MAX
#define HAND_MAX 131072
#endif

/* The ids of the kqueue kept for directories watched alone.  Hazard:
 * below mux.c's POLLED, and above any slot number kqueue hands out. */
#define KQ_ID 0x20000000

struct stream {
	FSEventStreamRef ref;
	struct fse_root root;
	char *real; /* the directory as FSEvents names it */
	int lost;   /* a callback could not hand over all it was given
		     * (guarded by the backend's mu): an overflow of this
		     * stream's directory, not of the others' */
};

#define KEYLEN (2 * sizeof(uint64_t)) /* a directory's device and inode */

struct wobj {
	char *path;        /* as the core gave it */
	size_t len;
	char key[KEYLEN];
	struct stream *s;  /* its own stream, or NULL: inside another's */
};

/* What callbacks handed over, not yet read: events, their watch ids,
 * their paths (ev[i].path is an offset into paths until read()). */
struct hand {
	struct fse_event *ev;
	int *wid;
	size_t n, cap, capw;
	struct buf paths;
};

struct backend {
	dispatch_queue_t q;
	struct wakepipe wake;  /* wake() */
	struct wakepipe data;  /* a callback handed something over */
	int hup_fd;
	pthread_mutex_t mu;    /* guards in, lost, streams */
	struct hand in, work;
	int lost;              /* some stream's lost is set */
	struct stream **streams;
	int *sid;              /* the watch id of each stream */
	size_t nstreams, capstreams, capsid;
	struct wobj **objs;    /* by id; NULL when free */
	size_t nobjs, capobjs;
	int *freeids;          /* free slots of objs, to be used first */
	size_t nfree, capfree;
	struct buf keys;
	struct smap byobj;     /* device and inode -> id */
	struct fse_out out;
	/* the kqueue for directories watched alone, opened when first
	 * wanted (kq guarded by mu: a callback wakes it) */
	struct backend *kq;
	int kq_failed;
	struct buf kqarena;
	struct smap bykq;      /* device and inode -> the kqueue's id */
	char (*kqkeys)[KEYLEN]; /* by the kqueue's id */
	size_t capkqkeys;
	const struct be_env *env;
	struct be_env kenv;
	struct fw_raw *both; /* a read's records of the two */
	size_t capboth;
	volatile sig_atomic_t woken;
};

static int
be_open(struct backend **out, const struct be_env *env)
{
	struct backend *b = calloc(1, sizeof *b);
	int e;
	if (!b)
		return -1;
	b->wake.fd[0] = b->wake.fd[1] = b->data.fd[0] = b->data.fd[1] = -1;
	b->hup_fd = env ? env->hup_fd : 0;
	b->env = env;
	b->byobj.arena = &b->keys;
	b->bykq.arena = &b->kqarena;
	if (wakepipe_open(&b->wake) < 0 || wakepipe_open(&b->data) < 0)
		goto fail;
	if ((e = pthread_mutex_init(&b->mu, NULL)) != 0) {
		errno = e;
		goto fail;
	}
	if (!(b->q = dispatch_queue_create("fwatch.fsevents",
					   DISPATCH_QUEUE_SERIAL))) {
		pthread_mutex_destroy(&b->mu);
		errno = ENOMEM;
		goto fail;
	}
	*out = b;
	return 0;
fail:
	e = errno;
	wakepipe_close(&b->wake);
	wakepipe_close(&b->data);
	free(b);
	errno = e;
	return -1;
}

/* ---- the callback, on the dispatch queue ------------------------------- */

/* The path of one CF-typed event (a dictionary with UseExtendedData,
 * else a string) appended to H's paths; its file id to *INO. */
static int
take_path(struct hand *h, const void *item, uint64_t *ino)
{
	CFStringRef s = item;
	CFIndex max;
	*ino = 0;
	if (CFGetTypeID(item) == CFDictionaryGetTypeID()) {
		CFNumberRef num = CFDictionaryGetValue(
			item, kFSEventStreamEventExtendedFileIDKey);
		int64_t v = 0;
		s = CFDictionaryGetValue(
			item, kFSEventStreamEventExtendedDataPathKey);
		if (num && CFNumberGetValue(num, kCFNumberSInt64Type, &v))
			*ino = (uint64_t)v;
	}
	if (!s)
		return -1;
	max = CFStringGetMaximumSizeOfFileSystemRepresentation(s);
	if (max <= 0 ||
	    GROW(h->paths.p, h->paths.cap, h->paths.len + (size_t)max) < 0 ||
	    !CFStringGetFileSystemRepresentation(s, h->paths.p + h->paths.len,
						 max))
		return -1;
	h->paths.len += strlen(h->paths.p + h->paths.len) + 1;
	return 0;
}

static void
on_events(ConstFSEventStreamRef ref, void *info, size_t n, void *paths,
	  const FSEventStreamEventFlags flags[],
	  const FSEventStreamEventId ids[])
{
	struct backend *b = info;
	struct hand *h = &b->in;
	struct stream *s = NULL;
	int wid = -1;
	pthread_mutex_lock(&b->mu);
	for (size_t i = 0; i < b->nstreams; i++)
		if (b->streams[i]->ref == ref) {
			wid = b->sid[i];
			s = b->streams[i];
		}
	for (size_t i = 0; wid >= 0 && i < n; i++) {
		size_t off = h->paths.len;
		uint64_t ino;
		if (h->n >= HAND_MAX) {
			s->lost = b->lost = 1; /* full: said as an overflow */
			break;
		}
		if (GROW(h->ev, h->cap, h->n + 1) < 0 ||
		    GROW(h->wid, h->capw, h->n + 1) < 0 ||
		    take_path(h, CFArrayGetValueAtIndex(paths, (CFIndex)i),
			      &ino) < 0) {
			h->paths.len = off;
			s->lost = b->lost = 1; /* said as an overflow */
			continue;
		}
		h->ev[h->n].path = (const char *)(uintptr_t)off;
		h->ev[h->n].flags = flags[i];
		h->ev[h->n].id = ids[i];
		h->ev[h->n].ino = ino;
		h->wid[h->n++] = wid;
	}
	/* the kqueue's wait is the one blocked, if there is one */
	if (b->kq)
		be_kqueue.wake(b->kq);
	pthread_mutex_unlock(&b->mu);
	wakepipe_wake(&b->data);
}

static void
flushed(void *ctx)
{
	(void)ctx;
}

/* ---- streams ----------------------------------------------------------- */

/* Hazard: a callback may be running on the queue while the stream is
 * stopped from this thread; the empty block run after it on the same
 * serial queue waits for it, and only then is the stream released. */
static void
stream_end(struct backend *b, struct stream *s)
{
	pthread_mutex_lock(&b->mu);
	for (size_t i = 0; i < b->nstreams; i++)
		if (b->streams[i] == s) {
			b->streams[i] = b->streams[--b->nstreams];
			b->sid[i] = b->sid[b->nstreams];
			break;
		}
	pthread_mutex_unlock(&b->mu);
	if (s->ref) {
		FSEventStreamStop(s->ref);
		FSEventStreamInvalidate(s->ref);
		dispatch_sync_f(b->q, NULL, flushed);
		FSEventStreamRelease(s->ref);
	}
	free(s->real);
	free(s);
}

static struct stream *
stream_start(struct backend *b, int id, const char *path, unsigned want,
	     uint64_t ino)
{
	FSEventStreamContext ctx = { 0, b, NULL, NULL, NULL };
	struct stream *s = calloc(1, sizeof *s);
	CFStringRef str;
	CFArrayRef arr;
	if (!s || !(s->real = realpath(path, NULL)))
		goto fail;
	s->root.id = id;
	s->root.path = s->real;
	s->root.len = strlen(s->real);
	s->root.subtree = !!(want & BE_WANT_SUBTREE);
	s->root.ino = ino;
	/* what is older than this the scan after watch() sees */
	s->root.since = FSEventsGetCurrentEventId();
	if (!(str = CFStringCreateWithFileSystemRepresentation(NULL, s->real)))
		goto nomem;
	arr = CFArrayCreate(NULL, (const void **)&str, 1,
			    &kCFTypeArrayCallBacks);
	CFRelease(str);
	if (!arr)
		goto nomem;
	s->ref = FSEventStreamCreate(
		NULL, on_events, &ctx, arr, kFSEventStreamEventIdSinceNow,
		LATENCY, FLAGS | kFSEventStreamCreateFlagUseExtendedData);
	/* Hazard: before macOS 10.13 there are no file ids; if that
	 * system refuses the flag rather than ignore it, renames are
	 * paired by event ids alone (take_path() reads either form) */
	if (!s->ref)
		s->ref = FSEventStreamCreate(NULL, on_events, &ctx, arr,
					     kFSEventStreamEventIdSinceNow,
					     LATENCY, FLAGS);
	CFRelease(arr);
	if (!s->ref)
		goto nomem;
	FSEventStreamSetDispatchQueue(s->ref, b->q);
	pthread_mutex_lock(&b->mu);
	if (GROW(b->streams, b->capstreams, b->nstreams + 1) < 0 ||
	    GROW(b->sid, b->capsid, b->nstreams + 1) < 0) {
		pthread_mutex_unlock(&b->mu);
		goto nomem;
	}
	b->sid[b->nstreams] = id;
	b->streams[b->nstreams++] = s;
	pthread_mutex_unlock(&b->mu);
	if (!FSEventStreamStart(s->ref)) {
		stream_end(b, s);
		errno = EIO; /* fseventsd would not have it */
		return NULL;
	}
	return s;
nomem:
	errno = ENOMEM;
fail:
	if (s) {
		int e = errno;
		if (s->ref) {
			FSEventStreamInvalidate(s->ref);
			FSEventStreamRelease(s->ref);
		}
		free(s->real);
		free(s);
		errno = e;
	}
	return NULL;
}

/* The watched object whose stream covers PATH's whole subtree, or NULL. */
static struct wobj *
covering(struct backend *b, const char *path, size_t len)
{
	for (size_t i = 0; i < b->nstreams; i++) {
		struct wobj *o = b->objs[b->sid[i]];
		if (b->streams[i]->root.subtree && o->len < len &&
		    !memcmp(o->path, path, o->len) &&
		    (path[o->len] == '/' || o->path[o->len - 1] == '/'))
			return o;
	}
	return NULL;
}

/* ---- the kqueue for directories watched alone --------------------------- */

/* The core's file_wanted(), asked about one of the kqueue's ids. */
static int
kq_wanted(void *ctx, int id, const char *name, size_t len)
{
	struct backend *b = ctx;
	return b->env->file_wanted(b->env->ctx, id | KQ_ID, name, len);
}

/* The kqueue, opened the first time it is wanted; NULL if it cannot
 * start (a stream serves then). */
static struct backend *
kq_get(struct backend *b)
{
	struct backend *kq;
	if (b->kq || b->kq_failed)
		return b->kq;
	if (b->env) {
		b->kenv = *b->env;
		b->kenv.file_wanted = b->env->file_wanted ? kq_wanted : NULL;
		b->kenv.ctx = b;
	}
	if (be_kqueue.open(&kq, b->env ? &b->kenv : NULL) < 0) {
		b->kq_failed = 1;
		return NULL;
	}
	pthread_mutex_lock(&b->mu);
	b->kq = kq;
	pthread_mutex_unlock(&b->mu);
	return kq;
}

/* ---- the backend's operations ----------------------------------------- */

/* The key of a directory: its device and inode. */
static void
obj_key(char *key, const struct stat *st)
{
	uint64_t k[2] = { (uint64_t)st->st_dev, (uint64_t)st->st_ino };
	memcpy(key, k, KEYLEN);
}

/* PATH, with KEY, watched with the kqueue. */
static int
kq_watch(struct backend *b, const char *path, unsigned want, const char *key)
{
	size_t off = b->kqarena.len;
	int id = be_kqueue.watch(b->kq, path, want);
	if (id < 0)
		return -1;
	if (GROW(b->kqkeys, b->capkqkeys, (size_t)id + 1) < 0 ||
	    buf_add(&b->kqarena, key, KEYLEN) < 0 ||
	    smap_put(&b->bykq, off, KEYLEN, id) < 0) {
		be_kqueue.unwatch(b->kq, id);
		errno = ENOMEM;
		return -1;
	}
	memcpy(b->kqkeys[id], key, KEYLEN);
	return id | KQ_ID;
}

/* PATH, with KEY, watched by a stream of its own, or inside another's. */
static int
fse_watch(struct backend *b, const char *path, unsigned want,
	  const char *key, const struct stat *st)
{
	size_t off, len = strlen(path);
	int id = b->nfree ? b->freeids[b->nfree - 1] : (int)b->nobjs;
	struct wobj *o;
	if (GROW(b->objs, b->capobjs, (size_t)id + 1) < 0 ||
	    !(o = calloc(1, sizeof *o)))
		return -1;
	memcpy(o->key, key, KEYLEN);
	if (!(o->path = malloc(len + 1)))
		goto fail;
	memcpy(o->path, path, len + 1);
	o->len = len;
	off = b->keys.len;
	if (buf_add(&b->keys, o->key, KEYLEN) < 0 ||
	    smap_put(&b->byobj, off, KEYLEN, id) < 0)
		goto fail;
	if (!covering(b, path, len) &&
	    !(o->s = stream_start(b, id, path, want, (uint64_t)st->st_ino))) {
		smap_del(&b->byobj, o->key, KEYLEN);
		goto fail;
	}
	if (b->nfree && b->freeids[b->nfree - 1] == id)
		b->nfree--;
	else
		b->nobjs++;
	b->objs[id] = o;
	return id;
fail:
	free(o->path);
	free(o);
	return -1;
}

/*
 * A directory already watched keeps its id, whichever way it was asked
 * for (the core relies on it: a file PATH's directory inside a -r PATH
 * is the tree's).  Else: one watched alone goes to the kqueue; one of a
 * tree gets a stream, or an id inside the stream that covers it.
 */
static int
be_watch(struct backend *b, const char *path, unsigned want)
{
	struct stat st;
	char key[KEYLEN];
	int id;
	if ((want & BE_FOLLOW ? stat(path, &st) : lstat(path, &st)) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR; /* directories only: see backend.h */
		return -1;
	}
	obj_key(key, &st);
	if ((id = smap_get(&b->byobj, key, KEYLEN)) >= 0)
		return id;
	if ((id = smap_get(&b->bykq, key, KEYLEN)) >= 0)
		return id | KQ_ID;
	if (!(want & BE_WANT_SUBTREE) && kq_get(b))
		return kq_watch(b, path, want, key);
	return fse_watch(b, path, want, key, &st);
}

/* Forget what callbacks handed over for ID, whose number may be given to
 * another directory next. */
static void
hand_forget(struct backend *b, int id)
{
	struct hand *h = &b->in;
	size_t k = 0;
	for (size_t i = 0; i < h->n; i++)
		if (h->wid[i] != id) {
			h->ev[k] = h->ev[i];
			h->wid[k++] = h->wid[i];
		}
	h->n = k;
}

static int
be_unwatch(struct backend *b, int id)
{
	struct wobj *o;
	if (id >= 0 && (id & KQ_ID) && b->kq) {
		id &= ~KQ_ID;
		if ((size_t)id < b->capkqkeys)
			smap_del(&b->bykq, b->kqkeys[id], KEYLEN);
		return be_kqueue.unwatch(b->kq, id);
	}
	if (id < 0 || (size_t)id >= b->nobjs || !(o = b->objs[id])) {
		errno = EINVAL;
		return -1;
	}
	if (o->s) {
		stream_end(b, o->s);
		pthread_mutex_lock(&b->mu);
		hand_forget(b, id);
		pthread_mutex_unlock(&b->mu);
	}
	smap_del(&b->byobj, o->key, sizeof o->key);
	b->objs[id] = NULL;
	if (GROW(b->freeids, b->capfree, b->nfree + 1) == 0)
		b->freeids[b->nfree++] = id;
	free(o->path);
	free(o);
	return 0;
}

static void
hand_free(struct hand *h)
{
	free(h->ev);
	free(h->wid);
	free(h->paths.p);
}

static void
be_close(struct backend *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nobjs; i++)
		if (b->objs[i])
			be_unwatch(b, (int)i);
	/* no stream is left to call back and wake it */
	be_kqueue.close(b->kq);
	dispatch_release(b->q);
	pthread_mutex_destroy(&b->mu);
	wakepipe_close(&b->wake);
	wakepipe_close(&b->data);
	hand_free(&b->in);
	hand_free(&b->work);
	free(b->streams);
	free(b->sid);
	free(b->objs);
	free(b->freeids);
	free(b->both);
	free(b->kqkeys);
	free(b->kqarena.p);
	smap_free(&b->bykq);
	free(b->keys.p);
	smap_free(&b->byobj);
	fse_free(&b->out);
	free(b);
}

static void
be_wake(struct backend *b)
{
	/* Hazard: from a signal handler, maybe while kq_get() sets b->kq;
	 * a wake missed then costs nothing: the kqueue opens while PATHs
	 * are added, before anything waits. */
	b->woken = 1;
	atomic_signal_fence(memory_order_seq_cst);
	if (b->kq)
		be_kqueue.wake(b->kq);
	wakepipe_wake(&b->wake);
}

static int
handed(struct backend *b)
{
	int n;
	pthread_mutex_lock(&b->mu);
	n = b->in.n > 0 || b->lost;
	pthread_mutex_unlock(&b->mu);
	return n;
}

/* With the kqueue open, its wait is the one that blocks: a callback and
 * wake() both wake it, and the flags say which it was.  When one already
 * says so, the kqueue is only asked without waiting, which takes its
 * wake along (its news stays stashed for read). */
static int
kq_wait(struct backend *b, int timeout_ms)
{
	int early = b->woken || handed(b);
	int r = be_kqueue.wait(b->kq, early ? 0 : timeout_ms);
	if (r < 0)
		return -1;
	if (b->woken) {
		b->woken = 0;
		wakepipe_drain(&b->wake);
		return BE_WOKEN;
	}
	if (r == 1 || handed(b))
		return 1;
	/* 0: the time is up; BE_WOKEN: stdout's reader is gone (the
	 * caller asks), or rarely a callback whose batch a read took */
	return r;
}

static int
be_wait(struct backend *b, int timeout_ms)
{
	/* events 0 on the third: only POLLERR/POLLHUP, which a pipe's
	 * write end reports once no reader is left (-1: poll skips it) */
	struct pollfd p[3] = {
		{ .fd = b->data.fd[0], .events = POLLIN },
		{ .fd = b->wake.fd[0], .events = POLLIN },
		{ .fd = b->hup_fd > 0 ? b->hup_fd : -1, .events = 0 },
	};
	int r;
	if (b->kq)
		return kq_wait(b, timeout_ms);
	r = poll(p, 3, timeout_ms);
	if (r < 0)
		return errno == EINTR ? BE_WOKEN : -1;
	if (p[2].revents)
		return BE_WOKEN; /* the reader is gone: the caller asks */
	if (p[1].revents) {
		b->woken = 0;
		wakepipe_drain(&b->wake);
		return BE_WOKEN;
	}
	return r > 0 && (p[0].revents & POLLIN);
}

static int
look(void *ctx, const char *path, struct fse_stat *st)
{
	struct stat s;
	(void)ctx;
	if (lstat(path, &s) < 0)
		return -1;
	st->isdir = S_ISDIR(s.st_mode);
	st->ino = (uint64_t)s.st_ino;
	return 0;
}

/* The stream of watch ID, or NULL if it was unwatched since. */
static struct fse_root *
root_of(struct backend *b, int id)
{
	if (id < 0 || (size_t)id >= b->nobjs || !b->objs[id] ||
	    !b->objs[id]->s)
		return NULL;
	return &b->objs[id]->s->root;
}

/* Records were lost (memory ran out): the core rescans. */
static const struct fw_raw lost = { -1, BE_OVERFLOW, 0, "", 0 };

/* Under mu: an overflow of each stream whose callback could not hand
 * everything over (its whole directory: which paths went is not
 * known).  -1 if memory ran out. */
static int
streams_lost(struct backend *b)
{
	int r = 0;
	for (size_t i = 0; b->lost && i < b->nstreams; i++) {
		struct fw_raw *x;
		if (!b->streams[i]->lost)
			continue;
		b->streams[i]->lost = 0;
		if (GROW(b->out.recs, b->out.cap, b->out.n + 1) < 0) {
			r = -1;
			continue;
		}
		x = &b->out.recs[b->out.n++];
		*x = lost;
		x->id = b->sid[i];
		x->name = (const char *)(uintptr_t)0; /* "": fse_done() */
	}
	b->lost = 0;
	return r;
}

/* What the streams' callbacks handed over, translated. */
static int
fse_read(struct backend *b, const struct fw_raw **recs)
{
	struct hand t, *h = &b->work;
	int was_lost;
	size_t i, j;
	if (fse_reset(&b->out) < 0) { /* what is handed over stays */
		*recs = &lost;
		return 1;
	}
	pthread_mutex_lock(&b->mu);
	wakepipe_drain(&b->data);
	t = b->work; /* emptied by the last read: its memory is reused */
	b->work = b->in;
	b->in = t;
	was_lost = streams_lost(b);
	pthread_mutex_unlock(&b->mu);
	for (i = 0; i < h->n; i++)
		h->ev[i].path = h->paths.p + (size_t)(uintptr_t)h->ev[i].path;
	if (was_lost < 0)
		goto nomem;
	for (i = 0; i < h->n; i = j) {
		struct fse_root *r = root_of(b, h->wid[i]);
		for (j = i + 1; j < h->n && h->wid[j] == h->wid[i]; j++)
			;
		if (r && fse_translate(&b->out, r, h->ev + i, j - i, look,
				       NULL) < 0)
			goto nomem;
	}
	h->n = 0;
	h->paths.len = 0;
	fse_done(&b->out);
	*recs = b->out.recs;
	return (int)b->out.n;
nomem:
	/* what was handed over is lost: the core rescans */
	h->n = 0;
	h->paths.len = 0;
	*recs = &lost;
	return 1;
}

static int
be_read(struct backend *b, const struct fw_raw **recs, int *drained)
{
	const struct fw_raw *kr;
	int n = fse_read(b, recs), k;
	*drained = 1;
	if (!b->kq || (k = be_kqueue.read(b->kq, &kr, drained)) == 0)
		return n;
	if (k < 0)
		return -1;
	if (GROW(b->both, b->capboth, (size_t)n + (size_t)k) < 0) {
		*recs = &lost; /* the kqueue's records with them */
		return 1;
	}
	if (n)
		memcpy(b->both, *recs, (size_t)n * sizeof *b->both);
	for (int i = 0; i < k; i++) {
		b->both[n + i] = kr[i];
		if (kr[i].id < 0)
			continue;
		b->both[n + i].id |= KQ_ID;
		/* the kqueue let it go: its id may come back for another */
		if ((kr[i].flags & BE_IGNORED) &&
		    (size_t)kr[i].id < b->capkqkeys)
			smap_del(&b->bykq, b->kqkeys[kr[i].id], KEYLEN);
	}
	*recs = b->both;
	return n + k;
}

static const char *
be_limit_hint(struct backend *b, int err, size_t needed, char *buf, size_t n)
{
	if (err != EIO) /* a limit of the kqueue's (descriptors) */
		return be_kqueue.limit_hint(b ? b->kq : NULL, err, needed,
					    buf, n);
	snprintf(buf, n, "FSEvents would not start a stream (is fseventsd "
		 "running?); try --backend kqueue");
	return buf;
}

const struct be_ops be_fsevents = {
	.name = "fsevents",
	.about = "FSEvents, one stream per watched tree",
	.caps = BE_CAP_SUBTREE | BE_CAP_BIRTH_WRITES,
	.open = be_open,
	.close = be_close,
	.watch = be_watch,
	.unwatch = be_unwatch,
	.wait = be_wait,
	.wake = be_wake,
	.read = be_read,
	.limit_hint = be_limit_hint,
};
