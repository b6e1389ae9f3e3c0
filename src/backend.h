/*
 * backend.h - what the portable core (watch.c) asks of one kernel
 * interface.  Each backend (watch_linux.c, later watch_bsd.c and
 * watch_win.c) defines these functions over a private struct backend;
 * the Makefile compiles exactly one of them.
 *
 * A backend only translates: it watches single directories or files,
 * and turns what the kernel says into fw_raw records.  Recursion, rename
 * pairing, filtering and recovery are the core's business.
 */
#ifndef FWATCH_BACKEND_H
#define FWATCH_BACKEND_H

#include <stddef.h>
#include <stdint.h>

/* fw_raw.flags: the kernel's news, in portable bits */
#define BE_CREATE      0x0001u
#define BE_DELETE      0x0002u
#define BE_MODIFY      0x0004u
#define BE_ATTRIB      0x0008u
#define BE_CLOSE_WRITE 0x0010u
#define BE_CLOSE_NOWR  0x0020u
#define BE_OPEN        0x0040u
#define BE_ACCESS      0x0080u
#define BE_MOVED_FROM  0x0100u
#define BE_MOVED_TO    0x0200u
#define BE_SELF_DELETE 0x0400u /* the watched object itself is gone */
#define BE_SELF_MOVE   0x0800u
#define BE_UNMOUNT     0x1000u
#define BE_IGNORED     0x2000u /* the watch was removed; id is now free */
#define BE_OVERFLOW    0x4000u /* events were lost; id is -1 */
#define BE_ISDIR       0x8000u

struct fw_raw {
	int id;          /* the watch the record is about */
	unsigned flags;
	uint32_t cookie; /* pairs MOVED_FROM with MOVED_TO; 0 if none */
	const char *name; /* entry name inside a watched directory, or "" */
	size_t name_len;
};

/* be_watch() wants */
#define BE_WANT_CONTENT 0x1u /* modify */
#define BE_WANT_ATTRIB  0x2u
#define BE_WANT_CLOSE_W 0x4u
#define BE_WANT_CLOSE_N 0x8u
#define BE_WANT_OPEN    0x10u
#define BE_WANT_ACCESS  0x20u
#define BE_FOLLOW       0x100u /* follow PATH if it is a symlink */
#define BE_ONLYDIR      0x200u /* fail with ENOTDIR unless a directory */
/* The core will watch every directory below this one too: a backend that
 * can watch a whole subtree at once (Windows) may, and then name entries
 * in subdirectories by their path below it, components joined by '/'. */
#define BE_WANT_SUBTREE 0x400u

struct backend;

int be_open(struct backend **out);
void be_close(struct backend *b);
const char *be_name(void);

/* Watch one object.  Returns its id (>= 0), the SAME id again if the
 * object is already watched (the core relies on this to skip loops and
 * duplicates), or -1 with errno. */
int be_watch(struct backend *b, const char *path, unsigned want);
int be_unwatch(struct backend *b, int id);

/* 1 when records can be read, 0 on timeout, BE_WOKEN after be_wake(),
 * -1 on error. */
#define BE_WOKEN 2
int be_wait(struct backend *b, int timeout_ms);
void be_wake(struct backend *b); /* async-signal-safe */

/* Read what is queued without blocking.  Returns the number of records
 * (0 if none), -1 on error.  *drained says the kernel queue was emptied.
 * The records live until the next call. */
int be_read(struct backend *b, const struct fw_raw **recs, int *drained);

/* A sentence about a limit behind err (ENOSPC, EMFILE) and what to do,
 * or NULL.  NEEDED, if not 0, is how many watches the tree needs. */
const char *be_limit_hint(struct backend *b, int err, size_t needed,
			  char *buf, size_t n);

#endif
