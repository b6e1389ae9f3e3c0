/*
 * wakepipe.h - the self-pipe that lets a backend's wake() end its wait():
 * wake() writes a byte (it may be called from a signal handler or another
 * thread), wait() watches the read end beside the kernel's descriptor and
 * empties it.  POSIX; used by the inotify and kqueue backends and by the
 * poller's sys_waiter (sys_posix.c).
 */
#ifndef FWATCH_WAKEPIPE_H
#define FWATCH_WAKEPIPE_H

struct wakepipe {
	int fd[2]; /* fd[0] is the end to wait on; -1 when closed */
};

/* Both ends non-blocking and close-on-exec.  -1 with errno; both ends
 * are then -1. */
int wakepipe_open(struct wakepipe *p);
/* Closes what is open; a closed one is left as it is. */
void wakepipe_close(struct wakepipe *p);
/* Async-signal-safe; errno is kept. */
void wakepipe_wake(struct wakepipe *p);
/* Take every byte waiting, so the next wait blocks again. */
void wakepipe_drain(struct wakepipe *p);

#endif
