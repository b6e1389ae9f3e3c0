/*
 * bsd_vnode.c - the kqueue backend's descriptor table (bsd_vnode.h): it
 * opens and registers a descriptor per watched object, finds one by
 * descriptor, object or id, gives out ids, closes the ones nobody holds,
 * and keeps the count under the process's limit (raising the soft limit
 * when the tree needs it).  What to open and what the news mean is
 * watch_bsd.c's business; nothing here calls back into it.
 */

/* The BSDs hide O_EVTONLY and OPEN_MAX from a strict POSIX compile. */
#undef _POSIX_C_SOURCE
#define _DARWIN_C_SOURCE 1
#define _NETBSD_SOURCE 1
#define _DEFAULT_SOURCE 1 /* glibc, for make check-bsd */

#include <sys/types.h>
#include <sys/event.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bsd_vnode.h"
#include "strmap.h"

#ifdef O_EVTONLY
/* macOS: a descriptor for events only, which does not keep the volume
 * busy, so watched disks can still be ejected */
#define OPEN_FLAGS (O_EVTONLY | O_CLOEXEC | O_NONBLOCK)
#else
/* O_NONBLOCK: the entry may have become a FIFO since it was listed */
#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NONBLOCK)
#endif

static size_t
hkey(dev_t dev, ino_t ino, size_t cap)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15u;
	h ^= (uint64_t)dev * 0xc2b2ae3d27d4eb4fu;
	return (size_t)(h >> 29) & (cap - 1);
}

static size_t
ikey(int id, size_t cap)
{
	return ((unsigned)id * 2654435761u) & (cap - 1);
}

/* Rebuild both tables with twice the buckets. */
static int
rehash(struct vtab *t)
{
	size_t nc = t->hcap ? t->hcap * 2 : 256;
	struct vn **h = calloc(nc, sizeof *h), **ih = calloc(nc, sizeof *ih);
	if (!h || !ih) {
		free(h);
		free(ih);
		return -1;
	}
	free(t->hash);
	free(t->ids);
	t->hash = h;
	t->ids = ih;
	t->hcap = nc;
	for (size_t fd = 0; fd < t->capfd; fd++) {
		struct vn *v = t->byfd[fd];
		size_t k;
		if (!v)
			continue;
		k = hkey(v->dev, v->ino, nc);
		v->hnext = h[k];
		h[k] = v;
		if (v->id >= 0) {
			k = ikey(v->id, nc);
			v->inext = ih[k];
			ih[k] = v;
		}
	}
	return 0;
}

struct vn *
vt_find(const struct vtab *t, dev_t dev, ino_t ino, int live)
{
	struct vn *v;
	if (!t->hcap)
		return NULL;
	for (v = t->hash[hkey(dev, ino, t->hcap)]; v; v = v->hnext)
		if (v->dev == dev && v->ino == ino && !v->doomed &&
		    !(live && v->dead))
			return v;
	return NULL;
}

struct vn *
vt_byid(const struct vtab *t, int id)
{
	struct vn *v;
	if (!t->hcap || id < 0)
		return NULL;
	for (v = t->ids[ikey(id, t->hcap)]; v; v = v->inext)
		if (v->id == id)
			return v;
	return NULL;
}

void
vt_drop_id(struct vtab *t, struct vn *v)
{
	struct vn **p = &t->ids[ikey(v->id, t->hcap)];
	while (*p != v)
		p = &(*p)->inext;
	*p = v->inext;
	v->id = -1;
}

/* Ids are not reused soon, because the core may still unwatch an id it
 * was told is gone, after a new watch has been made. */
int
vt_give_id(struct vtab *t, struct vn *v)
{
	size_t k;
	do {
		v->id = t->next_id;
		t->next_id = t->next_id == INT_MAX ? 0 : t->next_id + 1;
	} while (vt_byid(t, v->id));
	k = ikey(v->id, t->hcap);
	v->inext = t->ids[k];
	t->ids[k] = v;
	return v->id;
}

static size_t
limit_of(const struct rlimit *rl)
{
	return rl->rlim_cur == RLIM_INFINITY || rl->rlim_cur > SIZE_MAX
		       ? SIZE_MAX : (size_t)rl->rlim_cur;
}

/* Raise the soft descriptor limit to the hard one.  Done only when the
 * tree needs it: the limit is inherited by --exec's commands, and some
 * programs close or poll every possible descriptor. */
static void
raise_fd_limit(struct vtab *t)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur != rl.rlim_max) {
		rlim_t was = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			rl.rlim_cur = was;
#ifdef OPEN_MAX
			/* macOS refuses more than kern.maxfilesperproc,
			 * and its hard limit is often "unlimited" */
			if (rl.rlim_max > OPEN_MAX && was < OPEN_MAX) {
				rl.rlim_cur = OPEN_MAX;
				if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
					rl.rlim_cur = was;
			}
#endif
		}
	}
	t->fdlim = limit_of(&rl);
}

int
vt_room(struct vtab *t)
{
	if (t->nvn + FD_RESERVE < t->fdlim)
		return 1;
	if (!t->raised) {
		t->raised = 1;
		raise_fd_limit(t);
		if (t->nvn + FD_RESERVE < t->fdlim)
			return 1;
	}
	errno = EMFILE;
	return 0;
}

void
vn_remember(struct vn *v, const struct stat *st)
{
	v->size = st->st_size;
	v->mode = st->st_mode;
	v->uid = st->st_uid;
	v->gid = st->st_gid;
	v->nlink = st->st_nlink;
}

int
vn_type(mode_t m)
{
	return S_ISREG(m) ? T_FILE : S_ISDIR(m) ? T_DIR
	       : S_ISLNK(m) ? T_LINK : T_OTHER;
}

static int
fd_slot(struct vtab *t, int fd)
{
	size_t old = t->capfd;
	if ((size_t)fd < old)
		return 0;
	if (GROW(t->byfd, t->capfd, (size_t)fd + 1) < 0)
		return -1;
	memset(t->byfd + old, 0, (t->capfd - old) * sizeof *t->byfd);
	return 0;
}

static int
enlist(const struct vtab *t, int fd)
{
	struct kevent kev;
	EV_SET(&kev, fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, t->notes, 0, 0);
	return kevent(t->kq, &kev, 1, NULL, 0, NULL);
}

/* The object open on FD, first seen as *ST, joins the table. */
static struct vn *
vn_new(struct vtab *t, int fd, struct stat *st)
{
	struct vn *v;
	size_t k;
	if ((t->nvn + 1 > t->hcap && rehash(t) < 0) || fd_slot(t, fd) < 0 ||
	    !(v = calloc(1, sizeof *v)))
		return NULL;
	/* Hazard: a write between the first look and the registration is
	 * in neither the size nor the news.  Look again: from now on every
	 * write is in one or the other. */
	if (enlist(t, fd) < 0 || fstat(fd, st) < 0) {
		free(v);
		return NULL;
	}
	v->fd = fd;
	v->id = -1;
	v->dev = st->st_dev;
	v->ino = st->st_ino;
	v->type = (unsigned char)vn_type(st->st_mode);
	vn_remember(v, st);
	t->byfd[fd] = v;
	k = hkey(v->dev, v->ino, t->hcap);
	v->hnext = t->hash[k];
	t->hash[k] = v;
	t->nvn++;
	return v;
}

struct vn *
vt_get(struct vtab *t, int dirfd, const char *name, int flags, int *fresh)
{
	struct stat st;
	struct vn *v;
	int fd, e;

	*fresh = 0;
	if (!vt_room(t) || (fd = openat(dirfd, name, OPEN_FLAGS | flags)) < 0) {
		if (errno == EMFILE)
			t->at_limit = t->nvn;
		return NULL;
	}
	if (fstat(fd, &st) < 0)
		goto fail;
	if ((v = vt_find(t, st.st_dev, st.st_ino, VN_LIVE))) {
		close(fd);
		return v;
	}
	if (!(v = vn_new(t, fd, &st)))
		goto fail;
	*fresh = 1;
	return v;
fail:
	e = errno;
	close(fd);
	errno = e;
	return NULL;
}

void
vt_check(struct vtab *t, struct vn *v)
{
	if (!v->doomed && v->id < 0 && !v->parent) {
		v->doomed = 1;
		v->znext = t->zombies;
		t->zombies = v;
	}
}

static void
vn_free(struct vn *v)
{
	close(v->fd); /* also ends its kevent registration */
	listing_free(&v->ents);
	free(v);
}

void
vt_reap(struct vtab *t)
{
	struct vn *v, **p;
	while ((v = t->zombies)) {
		t->zombies = v->znext;
		p = &t->hash[hkey(v->dev, v->ino, t->hcap)];
		while (*p != v)
			p = &(*p)->hnext;
		*p = v->hnext;
		t->byfd[v->fd] = NULL;
		t->nvn--;
		vn_free(v);
	}
}

void
vt_init(struct vtab *t, int kq)
{
	struct rlimit rl;
	memset(t, 0, sizeof *t);
	t->kq = kq;
	t->next_id = 1;
	t->fdlim = getrlimit(RLIMIT_NOFILE, &rl) < 0 ? 256 : limit_of(&rl);
}

void
vt_free(struct vtab *t)
{
	for (size_t fd = 0; fd < t->capfd; fd++)
		if (t->byfd[fd])
			vn_free(t->byfd[fd]);
	free(t->byfd);
	free(t->hash);
	free(t->ids);
	memset(t, 0, sizeof *t);
	t->kq = -1;
}
