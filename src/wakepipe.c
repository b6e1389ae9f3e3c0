/*
 * wakepipe.c - the backends' self-pipe (see wakepipe.h): opening it with
 * the right flags, waking, draining, closing.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "wakepipe.h"

/* Non-blocking: a burst of signals must not block wake() on a full pipe,
 * nor an empty pipe block drain().  Close-on-exec: --exec's commands
 * must not inherit it. */
static int
set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

int
wakepipe_open(struct wakepipe *p)
{
	int e;
	if (pipe(p->fd) < 0) {
		p->fd[0] = p->fd[1] = -1;
		return -1;
	}
	if (set_flags(p->fd[0]) == 0 && set_flags(p->fd[1]) == 0)
		return 0;
	e = errno;
	wakepipe_close(p);
	errno = e;
	return -1;
}

void
wakepipe_close(struct wakepipe *p)
{
	for (int i = 0; i < 2; i++)
		if (p->fd[i] >= 0) {
			close(p->fd[i]);
			p->fd[i] = -1;
		}
}

void
wakepipe_wake(struct wakepipe *p)
{
	int e = errno;
	ssize_t r = write(p->fd[1], "", 1);
	(void)r; /* full: a wake is waiting already */
	errno = e;
}

void
wakepipe_drain(struct wakepipe *p)
{
	char junk[64];
	while (read(p->fd[0], junk, sizeof junk) > 0)
		;
}
