/*
 * fake_fsevents.h - a scripted FSEvents for tests on Linux.
 *
 * The functions declared in include/CoreServices/CoreServices.h and
 * include/dispatch/dispatch.h keep the streams they are given, and the
 * test hands each a batch, as fseventsd would call back: every started
 * stream whose directory holds the batch's first path gets it, with CF
 * types (a dictionary of path and file id per event under
 * UseExtendedData, else a string).  The batch is delivered on a thread
 * of the fake's serial queue while the test waits for it, so the
 * backend's mutex and wake pipe are used as on a Mac.
 */
#ifndef FAKE_FSEVENTS_H
#define FAKE_FSEVENTS_H

#include <stddef.h>
#include <stdint.h>

struct fake_ev {
	const char *path; /* relative to the working directory, or absolute */
	uint32_t flags;   /* kFSEventStreamEventFlag* */
	uint64_t ino;     /* 0: lstat's now, if the path is there */
	uint64_t id;      /* 0: the next event id */
};

/* Deliver N events as one callback.  The number of streams that got it
 * (0: no started stream covers the first path). */
int fake_fse_post(const struct fake_ev *ev, size_t n);
/* The file id a path has now (0 if it is not there). */
uint64_t fake_ino(const char *path);
/* Streams created and not released; how many are started. */
size_t fake_fse_streams(void);
size_t fake_fse_started(void);
/* The create flags, latency and sinceWhen of the last stream created,
 * and its directory. */
uint32_t fake_fse_last_flags(void);
double fake_fse_last_latency(void);
uint64_t fake_fse_last_since(void);
const char *fake_fse_last_path(void);
/* The event id the service is at (FSEventsGetCurrentEventId()). */
uint64_t fake_fse_now(void);
/* The next FSEventStreamStart() fails. */
extern int fake_fse_start_fails;
/* FSEventStreamCreate() refuses UseExtendedData (as a system before
 * macOS 10.13 might): paths come as strings, with no file ids. */
extern int fake_fse_no_extended;
/* CF objects live (created and not released to zero). */
long fake_cf_live(void);
/* close(), after telling fake_kevent.c (the Makefile renames close to
 * it in every file of the macOS tests). */
int fake_close(int fd);

#endif
