/*
 * qread.c - one wait for and one read of a Linux notification queue,
 * shared by the inotify and fanotify backends.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "backend.h"
#include "qread.h"
#include "wakepipe.h"

int
qread(int fd, char *buf, size_t cap, size_t maxrec, size_t *len,
      int *drained)
{
	*drained = 0;
	/* the records point into BUF, so it is filled, never reused */
	while (cap - *len >= maxrec) {
		ssize_t r = read(fd, buf + *len, cap - *len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				*drained = 1;
				return 0;
			}
			return -1;
		}
		if (r == 0)
			return 0;
		*len += (size_t)r;
		/* Both queues hand out all they hold that fits: with room
		 * for another record left over, the queue was empty when
		 * read() returned, and one more read() would only say
		 * EAGAIN. */
		if (cap - *len >= maxrec) {
			*drained = 1;
			return 0;
		}
	}
	return 0;
}

int
qwait(int fd, struct wakepipe *wake, int hup_fd, int timeout_ms)
{
	/* events 0 on the third: only POLLERR/POLLHUP, which a pipe's
	 * write end reports once no reader is left (-1: poll skips it) */
	struct pollfd p[3] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = wake->fd[0], .events = POLLIN },
		{ .fd = hup_fd, .events = 0 },
	};
	int r = poll(p, 3, timeout_ms);
	if (r < 0)
		return errno == EINTR ? BE_WOKEN : -1;
	if (p[2].revents)
		return BE_WOKEN; /* the reader is gone: the caller asks */
	if (p[1].revents) {
		wakepipe_drain(wake);
		/* A wake wins even if events are waiting: the caller has
		 * something to do first (a signal, a child), and the events
		 * stay queued in the kernel. */
		return BE_WOKEN;
	}
	return r > 0 && (p[0].revents & POLLIN);
}

long
qread_limit(const char *file)
{
	char line[32];
	long v = -1;
	FILE *f = fopen(file, "r");
	if (f) {
		if (fgets(line, sizeof line, f))
			v = strtol(line, NULL, 10);
		fclose(f);
	}
	return v;
}
