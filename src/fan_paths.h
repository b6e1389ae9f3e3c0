/*
 * fan_paths.h - where the directories that fanotify events name by file
 * handle were at the moment of each event.  Pure: the one question that
 * needs the kernel ("where is the directory with this handle now?") is
 * the caller's callback, so the logic is tested and fuzzed against a
 * simulated filesystem (tests/unit/test_fan_paths.c,
 * tests/fuzz/fuzz_fan_paths.c).
 *
 * The problem: an event names its directory by handle, and asking the
 * kernel where that directory is (open_by_handle_at and the descriptor's
 * path) tells where it is when the question is asked, after every event
 * of the read, and after some not read yet.  "mkdir a; touch a/f; mv a
 * b", read at once, must say a/f, not b/f; "touch d/f; rm -r d" must say
 * d/f although d is gone when it is read.
 *
 * The answer (fan_paths.c says how): directory renames, creates and
 * deletes carry the moved object's own handle (FID) and its parent's
 * handle and name, so the read itself says where every directory it
 * touches was before and after; what the kernel says of "now" is taken
 * back through the read's renames, last first, to the moment of each
 * event.  Between reads, paths are kept for directories whose place no
 * later rename can have changed unseen (a rename anywhere on the
 * filesystem is reported, since every mark asks for FAN_RENAME |
 * FAN_ONDIR): a read with a directory rename or delete forgets them all
 * and keeps instead where the directories it names are at its end.
 *
 * What it cannot know, and says so (FPATH_UNKNOWN), never guessing: a
 * directory gone before its events were read whose end is not in the
 * same read (nor its birth, nor a path kept); a directory that a rename
 * replaced (it ends with no event of its own), and what was in it, in
 * the read that replaced it unless its path was kept or made there (and
 * if a directory was moved into it in that read, every event before
 * that); before an overflow in a read, what neither the kept paths nor
 * the read's own events place (the kernel's "now" cannot be taken back
 * across events lost).  What it may get wrong, and documents: a
 * directory renamed after the read ended but before the callback asked
 * (the rename is still in the kernel's queue); two directories
 * exchanged (RENAME_EXCHANGE, reported as two renames back to back)
 * when another event was queued between the two.
 */
#ifndef FWATCH_FAN_PATHS_H
#define FWATCH_FAN_PATHS_H

#include <stddef.h>

#include "fan_parse.h"
#include "strmap.h"

/*
 * Append to OUT the absolute path of the directory whose key (fsid and
 * handle: struct fp_fid's key and klen) is KEY, as it is now: no
 * trailing '/' ("/" for the top of the filesystem).  0, or -1 if it
 * cannot be found (gone, or not reachable from where the caller opens
 * handles); OUT is then as it was.
 */
typedef int (*fpaths_look_fn)(void *ctx, const unsigned char *key,
			      size_t klen, struct buf *out);

#define FPATH_UNKNOWN ((size_t)-1)

/* A directory's path when an event happened: LEN bytes at OFF in the
 * caller's output buffer, or LEN == FPATH_UNKNOWN. */
struct fpath {
	size_t off, len;
};

/* Where one event's directories were when it happened.  Unused sides
 * are FPATH_UNKNOWN. */
struct fpaths_at {
	struct fpath dir; /* ev.dir's directory (the entry's parent; with
			   * the name ".", the directory the event is
			   * about) */
	struct fpath old; /* a rename's old directory */
	struct fpath new; /* a rename's new directory */
};

struct fpaths_entry;
struct fpaths_work;

/* Paths kept between reads: directory key -> path, at most MAX (0: none
 * kept); when full, all are forgotten (fan_kept.c says why). */
struct fpaths {
	struct fpaths_entry *tab; /* open addressing, CAP slots */
	size_t cap, used, max;
	struct buf keys, paths;   /* the entries' bytes */
	/* a read's work space, kept to spare a malloc per read */
	struct fpaths_work *work;
	size_t looks;             /* calls of the callback, for tests and
				   * benchmarks */
};

void fpaths_init(struct fpaths *p, size_t max);
void fpaths_free(struct fpaths *p);
/* Events were lost (an overflow): nothing kept can be trusted. */
void fpaths_forget(struct fpaths *p);

/*
 * Where the directories of the N events EV (in the order the kernel
 * queued them; one read) were, into AT (N entries); paths appended to
 * OUT, which the caller empties between reads (an answer's bytes may be
 * shared by several events).  LOOK is asked only for directories
 * neither kept nor told by the read itself, at most once per key per
 * read, and never for events before an FP_Q_OVERFLOW in EV: everything
 * kept is forgotten there.  -1 (ENOMEM): AT is then incomplete and
 * nothing kept can be trusted (forgotten).
 */
int fpaths_batch(struct fpaths *p, const struct fp_event *ev, size_t n,
		 fpaths_look_fn look, void *ctx, struct fpaths_at *at,
		 struct buf *out);

#endif
