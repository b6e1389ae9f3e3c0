/*
 * ignore.c - what is left out: whether an event on a path is reported
 * (shown) and whether a directory is watched at all (pruned).
 *
 * Every rule that hides a path meets here, so the rest of the core asks
 * one question in one place: --include/--exclude and fwatch's own
 * output (filter.c), and the noise of editors and version control under
 * --exec (noise.c); the gitignore rules join here.  A pruned directory
 * gets no watch, no descriptor and no scan, and nothing below it is
 * shown.
 */
#include "core.h"
#include "../filter.h"
#include "../noise.h"

/* The filter's key of ROOT: -1 (FILTER_EVERY) while a PATH is being
 * added and has no root yet. */
static int
key_of(const fw_watcher *w, int root)
{
	return root >= 0 ? w->roots[root].fkey : FILTER_EVERY;
}

int
shown(fw_watcher *w, int root, const char *path, size_t len, size_t rel,
      int isdir)
{
	const char *r = root >= 0 ? rel_of(w, root, path, rel, len)
				  : path + rel;
	if (w->cfg.noise && noise_match(r))
		return 0;
	return filter_pass(w->cfg.filter, key_of(w, root), r, isdir);
}

int
pruned(fw_watcher *w, int root, const char *path, size_t len, size_t rel)
{
	(void)len;
	if (w->cfg.noise && noise_match(path + rel))
		return 1;
	return filter_excluded(w->cfg.filter, key_of(w, root), path + rel, 1);
}
