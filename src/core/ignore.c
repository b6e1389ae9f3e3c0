/*
 * ignore.c - what is left out: whether an event on a path is reported
 * (shown) and whether a directory is watched at all (pruned), and why
 * (explain, for --explain-ignore).
 *
 * Every rule that hides a path meets here, so the rest of the core asks
 * one question in one place: --include/--exclude and fwatch's own
 * output (filter.c), the noise of editors and version control under
 * --exec (noise.c), and what git ignores (--gitignore, --ignore-file:
 * gitignore.c).  A pruned directory gets no watch, no descriptor and no
 * scan, and nothing below it is shown.  explain() must say what shown()
 * and pruned() do.
 */
#include <stdlib.h>
#include <string.h>

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
	return filter_pass(w->cfg.filter, key_of(w, root), r, isdir) &&
	       !gi_hides(w, root, path, len, rel, isdir, NULL);
}

int
pruned(fw_watcher *w, int root, const char *path, size_t len, size_t rel)
{
	if (w->cfg.noise && noise_match(path + rel))
		return 1;
	return filter_excluded(w->cfg.filter, key_of(w, root), path + rel, 1) ||
	       gi_hides(w, root, path, len, rel, 1, NULL);
}

/* OUT = "WHAT 'PATTERN'". */
static int
say_pattern(struct buf *out, const char *what, const char *pattern)
{
	return buf_add(out, what, strlen(what)) < 0 ||
			       buf_add(out, " '", 2) < 0 ||
			       buf_add(out, pattern, strlen(pattern)) < 0 ||
			       buf_add(out, "'", 1) < 0
		       ? -1 : 0;
}

/* Why the path in B (REL bytes of it the root's) is left out by its own
 * name, in the order shown() and pruned() ask: 1 and OUT says why, or 0
 * (OUT may hold a '!' rule that kept it); -1 if out of memory.  AS_DIR:
 * a directory on the way, which only pruned() is asked of. */
static int
why_left(fw_watcher *w, int root, const struct buf *b, size_t rel,
	 int isdir, int as_dir, struct buf *out)
{
	const char *what = rel_of(w, root, b->p, rel, b->len), *n;
	const struct fpat *p;
	struct gi_why why;
	out->len = 0;
	if (w->cfg.noise && (n = noise_match(what)))
		return say_pattern(out, "default ignore (--exec)", n) < 0 ? -1
									 : 1;
	if ((p = filter_why(w->cfg.filter, key_of(w, root), what, isdir)))
		return say_pattern(out, p->kind == FILTER_OWN
						? "fwatch's own output"
						: "--exclude",
				   p->given) < 0 ? -1 : 1;
	if (gi_hides(w, root, b->p, b->len, rel, isdir, &why))
		return gi_say(&why, out) < 0 ? -1 : 1;
	if (!as_dir &&
	    !filter_pass(w->cfg.filter, key_of(w, root), what, isdir))
		return buf_add(out, "--include (no pattern matches)", 30) < 0
			       ? -1 : 1;
	return gi_say(&why, out) < 0 ? -1 : 0; /* a '!' that kept it */
}

int
explain(fw_watcher *w, int root, const char *path, size_t len, size_t rel,
	int isdir, struct buf *out)
{
	struct buf b = { 0 };
	int r = 0;
	/* each directory on the way down from the PATH: pruned, nothing
	 * below it is seen; then the path itself */
	for (size_t k = rel; k <= len && !r; k++) {
		if (k < len && path[k] != '/')
			continue;
		b.len = 0;
		if (buf_add(&b, path, k) < 0) {
			r = -1;
			break;
		}
		r = why_left(w, root, &b, rel, k < len || isdir, k < len, out);
	}
	free(b.p);
	return r;
}
