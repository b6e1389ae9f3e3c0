/*
 * fake_kevent.c - kqueue() and kevent() for tests on Linux; see
 * fake_kevent.h.  One queue at a time, which is all the backend opens.
 */
#define _DEFAULT_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/event.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fake_kevent.h"

struct reg {
	uintptr_t ident;
	short filter;
	unsigned fflags;
};

struct pending {
	uintptr_t ident;
	unsigned fflags;
};

static int kq_fd = -1;
static struct reg *regs;
static size_t nregs, capregs;
static struct pending *queue;
static size_t nqueue, capqueue;

void (*fake_before_add)(int fd);
int fake_kqueue_errno;
int fake_kevent_errno;
long fake_kevent_fail_at;

static void *
more(void *p, size_t *cap, size_t need, size_t size)
{
	if (need > *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		while (nc < need)
			nc *= 2;
		if (!(p = realloc(p, nc * size)))
			abort();
		*cap = nc;
	}
	return p;
}

static struct reg *
find(uintptr_t ident, short filter)
{
	for (size_t i = 0; i < nregs; i++)
		if (regs[i].ident == ident && regs[i].filter == filter)
			return &regs[i];
	return NULL;
}

int
kqueue(void)
{
	if (fake_kqueue_errno) {
		errno = fake_kqueue_errno;
		fake_kqueue_errno = 0;
		return -1;
	}
	if (kq_fd >= 0)
		fake_forget(kq_fd);
	nregs = nqueue = 0;
	kq_fd = open("/dev/null", O_RDONLY);
	return kq_fd;
}

/* Hand out what is ready: posted vnode news, then readable pipes. */
static int
collect(struct kevent *out, int max)
{
	int n = 0;
	size_t i = 0;
	while (i < nqueue && n < max) {
		struct reg *r = find(queue[i].ident, EVFILT_VNODE);
		unsigned ff = r ? queue[i].fflags & r->fflags : 0;
		if (ff)
			EV_SET(&out[n++], queue[i].ident, EVFILT_VNODE,
			       EV_CLEAR, ff, 0, 0);
		memmove(&queue[i], &queue[i + 1],
			(nqueue - i - 1) * sizeof *queue);
		nqueue--;
	}
	for (i = 0; i < nregs && n < max; i++) {
		struct pollfd p = { (int)regs[i].ident, POLLIN, 0 };
		if (regs[i].filter == EVFILT_READ && poll(&p, 1, 0) == 1 &&
		    (p.revents & POLLIN))
			EV_SET(&out[n++], regs[i].ident, EVFILT_READ, 0, 0, 1,
			       0);
	}
	return n;
}

int
kevent(int kq, const struct kevent *changelist, int nchanges,
       struct kevent *eventlist, int nevents, const struct timespec *timeout)
{
	int n, ms;

	if (kq != kq_fd || kq < 0) {
		errno = EBADF;
		return -1;
	}
	if (fake_kevent_fail_at && --fake_kevent_fail_at == 0) {
		errno = fake_kevent_errno;
		return -1;
	}
	for (int i = 0; i < nchanges; i++) {
		const struct kevent *c = &changelist[i];
		struct reg *r = find(c->ident, c->filter);
		if (fcntl((int)c->ident, F_GETFD) < 0) {
			errno = EBADF;
			return -1;
		}
		if (c->flags & EV_DELETE) {
			if (!r) {
				errno = ENOENT;
				return -1;
			}
			*r = regs[--nregs];
		} else if (c->flags & EV_ADD) {
			if (!r && c->filter == EVFILT_VNODE && fake_before_add)
				fake_before_add((int)c->ident);
			if (!r) {
				regs = more(regs, &capregs, nregs + 1,
					    sizeof *regs);
				r = &regs[nregs++];
				r->ident = c->ident;
				r->filter = c->filter;
			}
			r->fflags = c->fflags;
		}
	}
	if (nevents == 0)
		return 0;
	if ((n = collect(eventlist, nevents)) > 0)
		return n;
	ms = !timeout ? -1
	     : (int)(timeout->tv_sec * 1000 + timeout->tv_nsec / 1000000);
	if (ms != 0) {
		struct pollfd p[16];
		int np = 0, r;
		for (size_t i = 0; i < nregs && np < 16; i++)
			if (regs[i].filter == EVFILT_READ) {
				p[np].fd = (int)regs[i].ident;
				p[np].events = POLLIN;
				p[np++].revents = 0;
			}
		r = poll(p, (nfds_t)np, ms);
		if (r < 0)
			return -1; /* EINTR, as the real one says */
		if (r > 0)
			return collect(eventlist, nevents);
	}
	return 0;
}

void
fake_post(int fd, unsigned fflags)
{
	if (fd < 0 || !find((uintptr_t)fd, EVFILT_VNODE))
		return;
	for (size_t i = 0; i < nqueue; i++)
		if (queue[i].ident == (uintptr_t)fd) {
			queue[i].fflags |= fflags;
			return;
		}
	queue = more(queue, &capqueue, nqueue + 1, sizeof *queue);
	queue[nqueue].ident = (uintptr_t)fd;
	queue[nqueue++].fflags = fflags;
}

int
fake_ident(const char *path)
{
	struct stat a, b;
	if (lstat(path, &a) < 0)
		return -1;
	for (size_t i = 0; i < nregs; i++)
		if (regs[i].filter == EVFILT_VNODE &&
		    fstat((int)regs[i].ident, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return (int)regs[i].ident;
	return -1;
}

int
fake_post_path(const char *path, unsigned fflags)
{
	int fd = fake_ident(path);
	if (fd < 0)
		return -1;
	fake_post(fd, fflags);
	return 0;
}

void
fake_forget(int fd)
{
	for (size_t i = 0; i < nregs;)
		if (regs[i].ident == (uintptr_t)fd)
			regs[i] = regs[--nregs];
		else
			i++;
	for (size_t i = 0; i < nqueue;)
		if (queue[i].ident == (uintptr_t)fd) {
			memmove(&queue[i], &queue[i + 1],
				(nqueue - i - 1) * sizeof *queue);
			nqueue--;
		} else {
			i++;
		}
}

size_t
fake_registered(void)
{
	size_t n = 0;
	for (size_t i = 0; i < nregs; i++)
		n += regs[i].filter == EVFILT_VNODE;
	return n;
}

unsigned
fake_fflags_of(int fd)
{
	struct reg *r = find((uintptr_t)fd, EVFILT_VNODE);
	return r ? r->fflags : 0;
}

size_t
fake_queued(void)
{
	return nqueue;
}
