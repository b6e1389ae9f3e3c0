/*
 * anchor.h - what only the disk can tell of the filters, found once at
 * start, before anything is watched: which patterns written as absolute
 * paths lie in which watched PATH, and which patterns can never match.
 * It fills the struct filter (filter.h) that the watcher then only reads.
 */
#ifndef FWATCH_ANCHOR_H
#define FWATCH_ANCHOR_H

#include <stddef.h>

#include "filter.h"

/*
 * Tie F to PATHS[0..N) (as given; kept: they become F's keys):
 *   - a pattern written as an absolute path is bound to each directory
 *     PATH it lies in, as the path below it (paths compared in canonical
 *     form, so "fwatch -r . -x $PWD/build" works); one that is not below
 *     any PATH matches nothing; any other with a leading '/' is anchored
 *     to every PATH.
 * SAY(CTX, WARNING, MSG) is told each pattern that matches nothing
 * (WARNING 1): a line, without "fwatch: ".  -1 with ENOMEM.
 */
int anchor_filter(struct filter *f, char *const *paths, size_t n,
		  void (*say)(void *ctx, int warning, const char *msg),
		  void *ctx);

#endif
