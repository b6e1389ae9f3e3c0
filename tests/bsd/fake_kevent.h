/*
 * fake_kevent.h - a scripted kqueue for tests on Linux.
 *
 * kqueue() and kevent() (declared in include/sys/event.h) keep the
 * registrations they are given, and kevent() hands out what the test
 * posted, as a kernel would: only for registered descriptors, only the
 * fflags asked for, and with EV_CLEAR's coalescing (two posts to one
 * descriptor before a read are one event with both fflags).  EVFILT_READ
 * registrations are level-triggered and real: kevent() polls them, so a
 * wake pipe works, with kevent()'s timeout.
 */
#ifndef FAKE_KEVENT_H
#define FAKE_KEVENT_H

#include <stddef.h>

/* Post FFLAGS on descriptor FD, if it is registered for EVFILT_VNODE. */
void fake_post(int fd, unsigned fflags);
/* The registered EVFILT_VNODE descriptor whose object is PATH (not
 * followed if a symlink), or -1. */
int fake_ident(const char *path);
/* fake_post(fake_ident(path), fflags); 0, or -1 if PATH is not watched. */
int fake_post_path(const char *path, unsigned fflags);
/* FD is being closed: its registrations and queued events go. */
void fake_forget(int fd);
/* How many EVFILT_VNODE registrations are live, and with which fflags
 * the one for FD was made (0 if none). */
size_t fake_registered(void);
unsigned fake_fflags_of(int fd);
/* Queued events not yet handed out. */
size_t fake_queued(void);

/* If set, called with each descriptor about to be registered for
 * EVFILT_VNODE, before the registration takes effect: a change the test
 * makes then lands between the caller's first look at the object and its
 * watch, where a kernel would report nothing of it. */
extern void (*fake_before_add)(int fd);

/* Failures to inject: the next kqueue() fails with kqueue_errno; the
 * kevent_fail_at'th kevent() call from now fails with kevent_errno. */
extern int fake_kqueue_errno;
extern int fake_kevent_errno;
extern long fake_kevent_fail_at;

#endif
