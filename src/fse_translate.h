/*
 * fse_translate.h - what an FSEvents stream says, turned into fw_raw
 * records.  Portable code with no Apple header: the FSEvents bits it
 * reads are copied here with Apple's documented values (watch_fsevents.c
 * checks them against the real header at compile time), so that the
 * translation is tested on every platform with hand-made batches.
 *
 * FSEvents does not say what happened in order, as inotify does; it
 * says which paths changed and how, coalesced: one record per path per
 * moment, whose flags are everything that happened to that path
 * (created, modified and removed at once), with the id of its latest
 * event.  A rename is two records with ItemRenamed, the old path and the
 * new, and (as observed by other projects; Apple's documentation does
 * not promise it) consecutive ids.  So each record is read against the
 * disk as it is now (a look callback, lstat in the backend) and told as
 * the inotify-style records that explain that state: see fse_translate.
 */
#ifndef FWATCH_FSE_TRANSLATE_H
#define FWATCH_FSE_TRANSLATE_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "strmap.h"

/* FSEventStreamEventFlags, with Apple's values */
#define FSE_MUST_SCAN_SUBDIRS 0x00000001u
#define FSE_USER_DROPPED      0x00000002u
#define FSE_KERNEL_DROPPED    0x00000004u
#define FSE_IDS_WRAPPED       0x00000008u
#define FSE_HISTORY_DONE      0x00000010u
#define FSE_ROOT_CHANGED      0x00000020u
#define FSE_MOUNT             0x00000040u
#define FSE_UNMOUNT           0x00000080u
#define FSE_CREATED           0x00000100u
#define FSE_REMOVED           0x00000200u
#define FSE_INODE_META_MOD    0x00000400u
#define FSE_RENAMED           0x00000800u
#define FSE_MODIFIED          0x00001000u
#define FSE_FINDER_INFO_MOD   0x00002000u
#define FSE_CHANGE_OWNER      0x00004000u
#define FSE_XATTR_MOD         0x00008000u
#define FSE_IS_FILE           0x00010000u
#define FSE_IS_DIR            0x00020000u
#define FSE_IS_SYMLINK        0x00040000u
#define FSE_OWN_EVENT         0x00080000u
#define FSE_IS_HARDLINK       0x00100000u
#define FSE_IS_LAST_HARDLINK  0x00200000u
#define FSE_CLONED            0x00400000u

/* One entry of a callback's batch, as the backend copied it. */
struct fse_event {
	const char *path; /* absolute, NUL-terminated, as FSEvents names it */
	uint32_t flags;   /* FSE_* */
	uint64_t id;      /* the event id */
	uint64_t ino;     /* the file id (UseExtendedData, 10.13+); 0: none */
};

/* What the disk says of a path now (lstat). */
struct fse_stat {
	int isdir;
	uint64_t ino;
};

/* 0 and *ST filled if PATH is there now (a symlink not followed), -1 if
 * not. */
typedef int (*fse_look_fn)(void *ctx, const char *path, struct fse_stat *st);

/* One stream: the directory it watches, and what it remembers between
 * batches. */
struct fse_root {
	int id;           /* the backend's id for the directory */
	const char *path; /* as FSEvents names it (real, no trailing '/') */
	size_t len;
	int subtree;      /* entries below entries too; else only its own */
	uint64_t since;   /* ids up to this came before the stream: history */
	uint64_t ino;     /* the directory's, when it was watched */
	int gone;         /* said BE_SELF_DELETE: nothing more from it */
	/* the first half of a rename that ended the last batch */
	int pend;
	uint64_t pend_id, pend_ino;
	uint32_t pend_cookie;
};

struct fse_out {
	struct fw_raw *recs;
	size_t n, cap;
	struct buf names; /* recs[i].name points here once fse_done() ran */
	uint32_t cookie;  /* the last rename cookie handed out */
};

/*
 * Append the records of N events of one batch of stream R.  Entries are
 * named by their path below R's directory ('/' between components); R's
 * directory itself by "".  The rules, for each record in order:
 *
 *   - MustScanSubDirs, UserDropped, KernelDropped, Mount, Unmount:
 *     one BE_OVERFLOW on R's id naming the path below R's directory
 *     that is to be scanned again (the core rescans that subtree only);
 *     named "" (R's whole directory) when the path is R's directory, is
 *     not below it (a volume's root), or R is not a subtree watch.
 *     EventIdsWrapped: an overflow of R's whole directory.  RootChanged:
 *     BE_SELF_DELETE | BE_IGNORED if the directory is no longer at its
 *     path (gone, or another object there), else an overflow of R's
 *     whole directory.  Never id -1: one stream's loss is its own.
 *   - An id up to R->since came before the stream started, and a lone
 *     HistoryDone marks the end of such history: dropped (the core's
 *     scan after watch() saw their effect).
 *   - A path outside R's directory, or below an entry of it when R is
 *     not a subtree watch: dropped.
 *   - ItemRenamed on a path that is not there now (or holds another
 *     file id): the old half, BE_MOVED_FROM with a new cookie; on a path
 *     that holds it: the new half, BE_MOVED_TO with the cookie of the
 *     old half it follows (the next id, or the same file id), else
 *     BE_CREATE (moved in from outside).  An old half whose partner is
 *     not in the batch stays BE_MOVED_FROM (the core waits a moment for
 *     its partner in the next batch, then calls it a delete) unless a
 *     later rename in the batch shows it went out of the tree: then
 *     BE_DELETE.
 *   - Otherwise, there now: BE_DELETE first if it was also removed (the
 *     old object went, this one came), BE_CREATE if created, then
 *     BE_MODIFY (files) and BE_ATTRIB.  Not there now: BE_DELETE if
 *     removed, else nothing (its removal is in a later record).
 *
 * BE_ISDIR comes from the disk for what is there, from ItemIsDir for
 * what went.  -1 (errno ENOMEM) if memory ran out; the records appended
 * so far stand.
 */
int fse_translate(struct fse_out *o, struct fse_root *r,
		  const struct fse_event *ev, size_t n, fse_look_fn look,
		  void *ctx);

/* Empty O for a new read (keeping its memory). */
int fse_reset(struct fse_out *o);
/* Point the names of the records appended since fse_reset(). */
void fse_done(struct fse_out *o);
void fse_free(struct fse_out *o);

#endif
