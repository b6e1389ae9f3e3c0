/*
 * anchor.h - what only the disk can tell of the filters, found once at
 * start, before anything is watched: which patterns written as absolute
 * paths lie in which watched PATH, which patterns can never match, and
 * where fwatch's own output goes.  It fills the struct filter (filter.h)
 * that the watcher then only reads.
 */
#ifndef FWATCH_ANCHOR_H
#define FWATCH_ANCHOR_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"

/*
 * Tie F to PATHS[0..N) (as given; kept: they become F's keys):
 *   - a pattern written as an absolute path is bound to each directory
 *     PATH it lies in, as the path below it (paths compared in canonical
 *     form, so "fwatch -r . -x $PWD/build" works); one that is not below
 *     any PATH matches nothing; any other with a leading '/' is anchored
 *     to every PATH;
 *   - stdout and stderr, when they are regular files inside a directory
 *     PATH (right in it, unless RECURSIVE), are never reported there.
 * SAY(CTX, WARNING, MSG) is told each pattern that matches nothing
 * (WARNING 1) and each file of fwatch's output left out (WARNING 0): a
 * line, without "fwatch: ".  -1 with ENOMEM.
 */
int anchor_filter(struct filter *f, char *const *paths, size_t n,
		  int recursive,
		  void (*say)(void *ctx, int warning, const char *msg),
		  void *ctx);

/*
 * Where a system cannot name the file a descriptor is open on
 * (sys_fd_path() fails, but for ENOENT): the malloc'd canonical path of
 * the regular file DEV/INO below directory DIR (right in it unless
 * RECURSIVE; symlinks are not followed), or NULL with errno (ENOENT:
 * not there).  A listing of every directory, and a look at a file only
 * when its inode, which the listing brings, is the one looked for.
 */
char *anchor_find(const char *dir, uint64_t dev, uint64_t ino,
		  int recursive);

#endif
