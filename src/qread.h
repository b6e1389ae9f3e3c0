/*
 * qread.h - reading a Linux notification queue (inotify, fanotify) into
 * one buffer: as many read()s as it takes to empty the queue, or until
 * the buffer cannot take another record of the largest size.
 */
#ifndef FWATCH_QREAD_H
#define FWATCH_QREAD_H

#include <stddef.h>

/*
 * Read descriptor FD (non-blocking) into BUF (CAP bytes) from *LEN on;
 * MAXREC is the largest record the kernel may hand out.  *LEN grows by
 * what was read.  *DRAINED is 1 if the queue is known to be empty.
 * 0, or -1 with errno.
 */
int qread(int fd, char *buf, size_t cap, size_t maxrec, size_t *len,
	  int *drained);

#endif
