/*
 * win_notify.h - the records of ReadDirectoryChangesW
 * (FILE_NOTIFY_INFORMATION) turned into fw_raw records.  Portable code
 * with no Windows header, so the parsing and rename pairing are tested
 * on every platform with hand-made buffers.
 */
#ifndef FWATCH_WIN_NOTIFY_H
#define FWATCH_WIN_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "strmap.h"

/* FILE_NOTIFY_INFORMATION.Action */
enum {
	WN_ADDED = 1,
	WN_REMOVED = 2,
	WN_MODIFIED = 3,
	WN_RENAMED_OLD = 4,
	WN_RENAMED_NEW = 5
};

struct wn_out {
	struct fw_raw *recs;
	size_t n, cap;
	struct buf names; /* recs[i].name points here once wn_done() ran */
	uint32_t cookie;  /* the last rename cookie handed out */
};

/* Called for each ADDED entry: 1 if PATH (the watched directory's path,
 * '/', then the entry's) is a directory now. */
typedef int (*wn_isdir_fn)(void *ctx, const char *path, size_t len);

/*
 * Append the records of one completed read of LEN bytes at BUF, for the
 * watch ID whose directory is DIR (DIRLEN bytes).  Entry names are paths
 * below DIR with '/' between components (a subtree watch names entries
 * in subdirectories that way); an old name followed by its new name
 * become MOVED_FROM and MOVED_TO with one cookie.  Every record names an
 * entry: the backend watches directories only (a PATH that is a file is
 * the core's, through its directory).  -1 if the buffer is malformed (it
 * is then an overflow) or memory ran out.
 */
int wn_parse(struct wn_out *o, int id, const void *buf, size_t len,
	     const char *dir, size_t dirlen, wn_isdir_fn isdir, void *ctx);

/* Point the names of the records appended since the last wn_reset(). */
void wn_done(struct wn_out *o);
void wn_reset(struct wn_out *o);
void wn_free(struct wn_out *o);

#endif
