/*
 * watch_win.c - the backend over ReadDirectoryChangesW.
 *
 * One directory handle per watched PATH, read with a subtree watch when
 * the core recurses (the kernel then reports the whole tree through that
 * handle), completions gathered on one I/O completion port.  Directories
 * the core watches below such a PATH need no handle of their own: they
 * get an id, and records name entries by their path below the PATH,
 * which the core resolves through its tree.  Only directories are
 * watched: a PATH that is a file is the core's, which watches its
 * directory and follows the file by name (see backend.h).
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "strmap.h"
#include "sys_win.h"
#include "win_notify.h"

/* What one read can hold.  Over the network the limit is 64 KiB; the
 * environment variable FWATCH_BUFFER_KB chooses another size. */
#define DEFAULT_BUF (256 * 1024)
#define WAKE_KEY ((ULONG_PTR)-1)

struct wobj {
	int id;         /* -1: free slot */
	char *path;     /* UTF-8, '/' separators */
	size_t len;
	HANDLE h;       /* INVALID_HANDLE_VALUE: inside another's subtree */
	OVERLAPPED ov;
	void *buf;      /* DWORD-aligned read buffer */
	int armed;      /* a read is outstanding */
	int subtree;
	int gone;       /* its handle failed for good: report once */
	DWORD filter;
};

struct done { /* a completion taken from the port, not yet read */
	struct wobj *o;
	DWORD bytes;
	DWORD err;
};

struct backend {
	HANDLE port;
	struct wobj **objs; /* by id; NULL when free */
	size_t nobjs, capobjs;
	int *freeids;
	size_t nfree, capfree;
	struct wobj **handles; /* the objects with a directory handle */
	size_t nhandles, caphandles;
	struct buf keys;    /* the path map's keys */
	struct smap bypath; /* path -> id */
	struct done *done;
	size_t ndone, capdone;
	size_t bufsize;
	void *stage;        /* a completed buffer, copied before re-arming */
	struct wn_out out;
	size_t inflight;    /* retired objects whose read is still out */
	volatile LONG woken;
};

static int
be_open(struct backend **out, const struct be_env *env)
{
	(void)env; /* every file costs the same: nothing */
	struct backend *b = calloc(1, sizeof *b);
	const char *kb = getenv("FWATCH_BUFFER_KB");
	if (!b)
		return -1;
	b->bufsize = DEFAULT_BUF;
	if (kb && *kb) {
		char *end;
		unsigned long v = strtoul(kb, &end, 10);
		/* 1 KiB .. 16 MiB; anything else keeps the default */
		if (!*end && v >= 1 && v <= 16384)
			b->bufsize = v * 1024;
	}
	b->bypath.arena = &b->keys;
	b->port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
	b->stage = malloc(b->bufsize);
	if (!b->port || !b->stage) {
		errno = b->port ? ENOMEM : win_errno(GetLastError());
		if (b->port)
			CloseHandle(b->port);
		free(b->stage);
		free(b);
		return -1;
	}
	*out = b;
	return 0;
}

static int
arm(struct backend *b, struct wobj *o)
{
	memset(&o->ov, 0, sizeof o->ov);
	if (!ReadDirectoryChangesW(o->h, o->buf, (DWORD)b->bufsize,
				   o->subtree ? TRUE : FALSE, o->filter, NULL,
				   &o->ov, NULL)) {
		o->armed = 0;
		return -1;
	}
	o->armed = 1;
	return 0;
}

/* The directory handle of PATH, for watching only. */
static HANDLE
open_dir(const char *path)
{
	wchar_t *w = win_wide_path(path);
	HANDLE h;
	if (!w) {
		SetLastError(ERROR_NOT_ENOUGH_MEMORY);
		return INVALID_HANDLE_VALUE;
	}
	h = CreateFileW(w, FILE_LIST_DIRECTORY,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, OPEN_EXISTING,
			FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED, NULL);
	free(w);
	return h;
}

static DWORD
attrs(const char *path)
{
	wchar_t *w = win_wide_path(path);
	DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
	free(w);
	return a;
}

static int
isdir(void *ctx, const char *path, size_t len)
{
	DWORD a;
	(void)ctx;
	(void)len;
	a = attrs(path);
	return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

/* The watched object whose subtree holds PATH, or NULL. */
static struct wobj *
covering(struct backend *b, const char *path, size_t len)
{
	for (size_t i = 0; i < b->nhandles; i++) {
		struct wobj *o = b->handles[i];
		if (o->subtree && o->len < len &&
		    !memcmp(o->path, path, o->len) &&
		    (path[o->len] == '/' || o->path[o->len - 1] == '/'))
			return o;
	}
	return NULL;
}

static DWORD
filter_for(unsigned want)
{
	DWORD f = FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME;
	if (want & (BE_WANT_CONTENT | BE_WANT_CLOSE_W))
		f |= FILE_NOTIFY_CHANGE_LAST_WRITE | FILE_NOTIFY_CHANGE_SIZE;
	if (want & BE_WANT_ATTRIB)
		f |= FILE_NOTIFY_CHANGE_ATTRIBUTES | FILE_NOTIFY_CHANGE_SECURITY;
	return f;
}

static int
be_watch(struct backend *b, const char *path, unsigned want)
{
	size_t len = strlen(path);
	struct wobj *o, *cover;
	DWORD a;
	int id = smap_get(&b->bypath, path, len);
	if (id >= 0)
		return id; /* the same object again */
	a = attrs(path);
	if (a == INVALID_FILE_ATTRIBUTES) {
		errno = win_errno(GetLastError());
		return -1;
	}
	/* Directories only, whatever WANT says: the core asks for nothing
	 * else (it watches a file PATH through its directory, with
	 * BE_ONLYDIR), so a non-directory is ENOTDIR with or without it. */
	if (!(a & FILE_ATTRIBUTE_DIRECTORY)) {
		errno = ENOTDIR;
		return -1;
	}
	if (GROW(b->objs, b->capobjs, b->nobjs + 1) < 0 ||
	    !(o = calloc(1, sizeof *o)))
		return -1;
	o->h = INVALID_HANDLE_VALUE;
	o->len = len;
	if (!(o->path = malloc(len + 1)))
		goto fail;
	memcpy(o->path, path, len + 1);
	cover = covering(b, path, len);
	if (!cover) {
		o->h = open_dir(o->path);
		if (o->h == INVALID_HANDLE_VALUE) {
			errno = win_errno(GetLastError());
			goto fail;
		}
		o->subtree = !!(want & BE_WANT_SUBTREE);
		o->filter = filter_for(want);
		if (!(o->buf = malloc(b->bufsize)) ||
		    !CreateIoCompletionPort(o->h, b->port, (ULONG_PTR)o, 0)) {
			errno = o->buf ? win_errno(GetLastError()) : ENOMEM;
			goto fail;
		}
		if (arm(b, o) < 0) {
			errno = win_errno(GetLastError());
			goto fail;
		}
	}
	{
		size_t off = b->keys.len;
		if (buf_add(&b->keys, path, len + 1) < 0)
			goto fail;
		o->id = b->nfree ? b->freeids[b->nfree - 1] : (int)b->nobjs;
		if ((o->h != INVALID_HANDLE_VALUE &&
		     GROW(b->handles, b->caphandles, b->nhandles + 1) < 0) ||
		    smap_put(&b->bypath, off, len, o->id) < 0) {
			b->keys.len = off;
			goto fail;
		}
	}
	if (b->nfree && b->freeids[b->nfree - 1] == o->id)
		b->nfree--;
	else
		b->nobjs++;
	b->objs[o->id] = o;
	if (o->h != INVALID_HANDLE_VALUE)
		b->handles[b->nhandles++] = o;
	return o->id;
fail:
	if (o->h != INVALID_HANDLE_VALUE)
		CloseHandle(o->h);
	free(o->buf);
	free(o->path);
	free(o);
	return -1;
}

static int gather(struct backend *b, DWORD timeout_ms);

static void
obj_free(struct wobj *o)
{
	free(o->buf);
	free(o->path);
	free(o);
}

/* Hazard: the kernel owns an armed object's buffer until the cancelled
 * read completes; such an object is freed when that completion is taken
 * (see take_done), never here. */
static void
retire(struct backend *b, struct wobj *o)
{
	if (o->h != INVALID_HANDLE_VALUE) {
		for (size_t i = 0; i < b->nhandles; i++)
			if (b->handles[i] == o) {
				b->handles[i] = b->handles[--b->nhandles];
				break;
			}
		CancelIoEx(o->h, NULL);
		CloseHandle(o->h);
		o->h = INVALID_HANDLE_VALUE;
	}
	o->id = -1;
	if (o->armed)
		b->inflight++;
	else
		obj_free(o);
}

static int
be_unwatch(struct backend *b, int id)
{
	struct wobj *o;
	if (id < 0 || (size_t)id >= b->nobjs || !(o = b->objs[id])) {
		errno = EINVAL;
		return -1;
	}
	smap_del(&b->bypath, o->path, o->len);
	b->objs[id] = NULL;
	if (GROW(b->freeids, b->capfree, b->nfree + 1) == 0)
		b->freeids[b->nfree++] = id;
	retire(b, o);
	return 0;
}

static void
be_close(struct backend *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nobjs; i++)
		if (b->objs[i])
			be_unwatch(b, (int)i);
	/* let the cancelled reads finish before their buffers go */
	for (int tries = 0; b->inflight && tries < 20; tries++)
		if (gather(b, 100) < 0)
			break;
	CloseHandle(b->port);
	free(b->objs);
	free(b->freeids);
	free(b->handles);
	free(b->keys.p);
	smap_free(&b->bypath);
	free(b->done);
	free(b->stage);
	wn_free(&b->out);
	free(b);
}

static void
be_wake(struct backend *b)
{
	/* from a signal or console handler thread: both calls are safe */
	if (!InterlockedExchange(&b->woken, 1))
		PostQueuedCompletionStatus(b->port, 0, WAKE_KEY, NULL);
}

/* Move what the port holds into b->done; wait up to TIMEOUT_MS for the
 * first.  1 if anything came, 0 if not, -1 on error. */
static int
gather(struct backend *b, DWORD timeout_ms)
{
	OVERLAPPED_ENTRY e[32];
	ULONG n = 0;
	if (!GetQueuedCompletionStatusEx(b->port, e, 32, &n, timeout_ms,
					 FALSE)) {
		if (GetLastError() == WAIT_TIMEOUT)
			return 0;
		errno = win_errno(GetLastError());
		return -1;
	}
	for (ULONG i = 0; i < n; i++) {
		struct wobj *o = (struct wobj *)e[i].lpCompletionKey;
		DWORD bytes = 0, err = 0;
		if (e[i].lpCompletionKey == WAKE_KEY)
			continue; /* b->woken says it */
		if (!GetOverlappedResult(o->h == INVALID_HANDLE_VALUE
						 ? NULL : o->h,
					 &o->ov, &bytes, FALSE))
			err = GetLastError();
		o->armed = 0;
		if (o->id < 0) { /* retired while its read was out */
			b->inflight--;
			obj_free(o);
			continue;
		}
		if (GROW(b->done, b->capdone, b->ndone + 1) < 0)
			return -1;
		b->done[b->ndone].o = o;
		b->done[b->ndone].bytes = bytes;
		b->done[b->ndone].err = err;
		b->ndone++;
	}
	return n > 0;
}

static int
be_wait(struct backend *b, int timeout_ms)
{
	DWORD t = timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms;
	int64_t end = timeout_ms < 0 ? 0 : (int64_t)GetTickCount64() + timeout_ms;
	for (;;) {
		if (InterlockedExchange(&b->woken, 0))
			return BE_WOKEN;
		if (b->ndone)
			return 1;
		if (gather(b, t) < 0)
			return -1;
		if (InterlockedExchange(&b->woken, 0))
			return BE_WOKEN;
		if (b->ndone)
			return 1;
		if (timeout_ms >= 0) {
			int64_t left = end - (int64_t)GetTickCount64();
			if (left <= 0)
				return 0;
			t = (DWORD)left;
		}
	}
}

static struct fw_raw *
raw(struct backend *b, int id, unsigned flags)
{
	struct wn_out *o = &b->out;
	if (GROW(o->recs, o->cap, o->n + 1) < 0)
		return NULL;
	o->recs[o->n].id = id;
	o->recs[o->n].flags = flags;
	o->recs[o->n].cookie = 0;
	/* an offset into names until wn_done(): the empty name at 0 */
	o->recs[o->n].name = (const char *)(uintptr_t)0;
	o->recs[o->n].name_len = 0;
	return &o->recs[o->n++];
}

static int
be_read(struct backend *b, const struct fw_raw **recs, int *drained)
{
	struct wn_out *out = &b->out;
	if (gather(b, 0) < 0)
		return -1;
	wn_reset(out);
	if (buf_add(&out->names, "", 1) < 0) /* offset 0: "" */
		return -1;
	for (size_t i = 0; i < b->ndone; i++) {
		struct done d = b->done[i];
		struct wobj *o = d.o;
		if (o->id < 0)
			continue;
		if (!d.err && d.bytes) {
			/* re-arm first: what happens while we parse is
			 * queued by the kernel, not lost */
			memcpy(b->stage, o->buf, d.bytes);
			int rearmed = arm(b, o) == 0;
			if (wn_parse(out, o->id, b->stage, d.bytes, o->path,
				     o->len, isdir, NULL) < 0 &&
			    !raw(b, -1, BE_OVERFLOW))
				return -1;
			if (rearmed)
				continue;
			d.err = GetLastError();
		}
		/* A zero-byte completion or ERROR_NOTIFY_ENUM_DIR: the
		 * kernel dropped records.  Anything else: the directory
		 * may be gone. */
		if (!d.err || d.err == ERROR_NOTIFY_ENUM_DIR) {
			if (!raw(b, -1, BE_OVERFLOW))
				return -1;
			if (!o->armed && arm(b, o) == 0)
				continue;
		}
		DWORD a = attrs(o->path);
		if (a == INVALID_FILE_ATTRIBUTES) {
			if (!raw(b, o->id, BE_SELF_DELETE | BE_IGNORED))
				return -1;
		} else if (!o->armed && arm(b, o) < 0) {
			if (!raw(b, -1, BE_OVERFLOW) ||
			    !raw(b, o->id, BE_IGNORED))
				return -1;
		}
	}
	b->ndone = 0;
	wn_done(out);
	*drained = 1;
	*recs = out->recs;
	return (int)out->n;
}

static const char *
be_limit_hint(struct backend *b, int err, size_t needed, char *buf,
	      size_t n)
{
	(void)b;
	(void)needed;
	if (err == ENOMEM) {
		snprintf(buf, n, "out of memory for watch buffers; set "
			 "FWATCH_BUFFER_KB lower (now %zu)",
			 b ? b->bufsize / 1024 : (size_t)DEFAULT_BUF / 1024);
		return buf;
	}
	return NULL;
}

const struct be_ops be_rdcw = {
	.name = "rdcw",
	.about = "ReadDirectoryChangesW, a handle per watched tree",
	.caps = BE_CAP_SUBTREE |
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
