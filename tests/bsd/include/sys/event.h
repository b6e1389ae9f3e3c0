/*
 * A stand-in for the BSDs' <sys/event.h>, so that src/watch_bsd.c can be
 * compiled and tested on Linux (make check-bsd).  Declarations only,
 * written from the FreeBSD kqueue(2) manual page: the structure, the
 * EV_SET() macro, the flags and filters the manual describes, and the
 * two system calls.  tests/bsd/fake_kevent.c implements the calls.
 *
 * The numeric values are this file's own (the manual gives none): what
 * the backend may rely on is only that the flags are distinct bits.
 *
 * Flavours, to compile the backend as each family sees it:
 *   default           FreeBSD: NOTE_OPEN, NOTE_CLOSE, NOTE_CLOSE_WRITE,
 *                     NOTE_READ exist
 *   FAKE_KQ_MACOS     no NOTE_OPEN family (the test also defines
 *                     O_EVTONLY and OPEN_MAX, which macOS has)
 *   FAKE_KQ_OPENBSD   no NOTE_OPEN family, but NOTE_TRUNCATE
 *   FAKE_KQ_NO_REVOKE with any of the above: no NOTE_REVOKE, as on a
 *                     system whose header lacks it
 */
#ifndef FAKE_SYS_EVENT_H
#define FAKE_SYS_EVENT_H

#include <stdint.h>

struct timespec;

struct kevent {
	uintptr_t ident;       /* what the filter watches: here a descriptor */
	short filter;          /* EVFILT_ */
	unsigned short flags;  /* EV_: what to do, and what happened */
	unsigned int fflags;   /* the filter's own flags: NOTE_ */
	int64_t data;          /* the filter's own value */
	void *udata;           /* passed through untouched */
	uint64_t ext[4];       /* extensions, passed through */
};

/* Fill in one kevent. */
#define EV_SET(kevp, a, b, c, d, e, f)                                        \
	do {                                                                  \
		struct kevent *ev_set_p_ = (kevp);                            \
		ev_set_p_->ident = (uintptr_t)(a);                            \
		ev_set_p_->filter = (short)(b);                               \
		ev_set_p_->flags = (unsigned short)(c);                       \
		ev_set_p_->fflags = (unsigned int)(d);                        \
		ev_set_p_->data = (int64_t)(e);                               \
		ev_set_p_->udata = (void *)(uintptr_t)(f);                    \
		ev_set_p_->ext[0] = ev_set_p_->ext[1] = 0;                    \
		ev_set_p_->ext[2] = ev_set_p_->ext[3] = 0;                    \
	} while (0)

/* filters */
#define EVFILT_READ    (-1)
#define EVFILT_WRITE   (-2)
#define EVFILT_AIO     (-3)
#define EVFILT_VNODE   (-4)
#define EVFILT_PROC    (-5)
#define EVFILT_SIGNAL  (-6)
#define EVFILT_TIMER   (-7)
#define EVFILT_EMPTY   (-8)
#define EVFILT_USER    (-9)

/* flags: actions on input */
#define EV_ADD      0x0001u /* add, or change an existing one */
#define EV_DELETE   0x0002u
#define EV_ENABLE   0x0004u
#define EV_DISABLE  0x0008u
#define EV_ONESHOT  0x0010u /* report once, then delete */
#define EV_CLEAR    0x0020u /* reset the state once it is reported */
#define EV_RECEIPT  0x0040u
#define EV_DISPATCH 0x0080u
/* flags: on output */
#define EV_ERROR    0x4000u /* data holds the errno of a failed change */
#define EV_EOF      0x8000u

/* EVFILT_VNODE fflags */
#define NOTE_DELETE      0x0001u /* unlink() was called on the file */
#define NOTE_WRITE       0x0002u /* a write; for a directory, an entry
				  * was added, removed or renamed */
#define NOTE_EXTEND      0x0004u /* a file grew; a directory gained or
				  * lost an entry through rename */
#define NOTE_ATTRIB      0x0008u /* attributes changed */
#define NOTE_LINK        0x0010u /* the link count changed (a
				  * subdirectory came or went) */
#define NOTE_RENAME      0x0020u /* the file itself was renamed */
#ifndef FAKE_KQ_NO_REVOKE
#define NOTE_REVOKE      0x0040u /* revoke(2), or its file system was
				  * unmounted */
#endif
#if !defined(FAKE_KQ_MACOS) && !defined(FAKE_KQ_OPENBSD)
#define NOTE_OPEN        0x0080u /* opened */
#define NOTE_CLOSE       0x0100u /* a descriptor without write access
				  * was closed */
#define NOTE_CLOSE_WRITE 0x0200u /* one with write access was closed */
#define NOTE_READ        0x0400u /* a read happened */
#endif
#ifdef FAKE_KQ_OPENBSD
#define NOTE_TRUNCATE    0x0800u /* the file was truncated */
#endif

/* EVFILT_USER fflags */
#define NOTE_FFNOP      0x00000000u
#define NOTE_FFAND      0x40000000u
#define NOTE_FFOR       0x80000000u
#define NOTE_FFCOPY     0xc0000000u
#define NOTE_FFCTRLMASK 0xc0000000u
#define NOTE_FFLAGSMASK 0x00ffffffu
#define NOTE_TRIGGER    0x01000000u

/* A new, empty queue: a descriptor, or -1 with errno. */
int kqueue(void);

/*
 * Apply the NCHANGES changes, then return up to NEVENTS pending events in
 * EVENTLIST, waiting up to TIMEOUT (NULL: no limit; zero: a poll).  The
 * number of events, 0 on timeout, -1 with errno.
 */
int kevent(int kq, const struct kevent *changelist, int nchanges,
	   struct kevent *eventlist, int nevents,
	   const struct timespec *timeout);

#endif
