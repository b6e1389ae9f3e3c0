/*
 * tail.h - --tail: the bytes appended to each file PATH, printed once,
 * in order, across rotations and truncations (tail.c).
 */
#ifndef FWATCH_TAIL_H
#define FWATCH_TAIL_H

#include <stdint.h>

#include "output.h"
#include "watch.h"

struct tail_io {
	struct out *out; /* where the bytes (or JSON chunks) go */
	/* Write out what OUT holds: called when it grows large in the
	 * middle of a batch.  0 to go on; anything else stops the tail,
	 * which returns it. */
	int (*flush)(void *ctx);
	/* A note for stderr, one line without "fwatch: " (a waiting file,
	 * a truncation), and a warning (a file that cannot be read). */
	void (*note)(void *ctx, const char *msg);
	void (*warn)(void *ctx, const char *msg);
	void *ctx;
};

struct tail;

/* Follow the file PATHs of W (all of them: every PATH of a --tail is a
 * file PATH); JSON chunks if JSON, else the bytes as they are, headed
 * like tail(1)'s when there are several files.  NULL if out of memory. */
struct tail *tail_new(fw_watcher *w, const struct tail_io *io, int json);
/* The files as they are now, when watching begins: a missing one is
 * noted; with FROM_START what they hold is printed, else only what is
 * appended from now on.  The functions returning int return 0, -1 with
 * errno (ENOMEM), or what io->flush returned. */
int tail_start(struct tail *t, int from_start);
/* A batch of events from fw_read(): the files they name are read on. */
int tail_batch(struct tail *t, const struct fw_event *evs, int n);
/* The end: what waited (half a UTF-8 character) is printed too. */
int tail_finish(struct tail *t);
/* Bytes printed so far. */
uint64_t tail_printed(const struct tail *t);
void tail_free(struct tail *t);

#endif
