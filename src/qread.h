/*
 * qread.h - reading a Linux notification queue (inotify, fanotify) into
 * one buffer: as many read()s as it takes to empty the queue, or until
 * the buffer cannot take another record of the largest size; and the
 * wait for it, beside the wake pipe and stdout's reader; and the
 * number in a sysctl file, for the messages about the queues' limits.
 */
#ifndef FWATCH_QREAD_H
#define FWATCH_QREAD_H

#include <stddef.h>

struct wakepipe;

/*
 * Read descriptor FD (non-blocking) into BUF (CAP bytes) from *LEN on;
 * MAXREC is the largest record the kernel may hand out.  *LEN grows by
 * what was read.  *DRAINED is 1 if the queue is known to be empty.
 * 0, or -1 with errno.
 */
int qread(int fd, char *buf, size_t cap, size_t maxrec, size_t *len,
	  int *drained);

/*
 * Wait up to TIMEOUT_MS for queue FD to be readable: 1 if it is, 0 on
 * timeout, BE_WOKEN after a wake on WAKE (drained here) or once HUP_FD
 * (stdout, or -1) reports its reader gone, -1 with errno.
 */
int qwait(int fd, struct wakepipe *wake, int hup_fd, int timeout_ms);

/* The number in the sysctl file FILE (/proc/sys/fs/...), for a message
 * about a limit; -1 if it cannot be read. */
long qread_limit(const char *file);

#endif
