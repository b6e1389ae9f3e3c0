/*
 * qread.c - one read of a Linux notification queue, shared by the
 * inotify and fanotify backends.
 */
#include <errno.h>
#include <unistd.h>

#include "qread.h"

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
