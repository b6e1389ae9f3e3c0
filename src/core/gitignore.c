/*
 * gitignore.c - git's rules, and --ignore-file's, kept for the tree: the
 * rules of each directory (every .gitignore, compiled once by
 * gitignore.h's module), which PATHs they apply below, and the verdict
 * on a path, which ignore.c asks for.  Where the work trees are, and the
 * files of git that rule a whole one, are worktree.c's.
 *
 * Paths are judged absolute: each PATH's absolute form, made once,
 * joined to the part below it.  The rules of a .gitignore are kept in
 * one map by the absolute path of their directory, so a directory
 * without one costs nothing, and a path finds its layers by looking its
 * directories up, from the top of its work tree down; the layers of the
 * last directory judged are kept for the next path in it.
 *
 * A repository nested below (a directory holding a .git) starts rules of
 * its own, as git does for submodules: the innermost work tree holding a
 * path rules it.  A PATH given on the command line is watched even where
 * git ignores it; the rules still apply below it.
 *
 * Hazards: a .gitignore is read when its directory is listed, or when it
 * is reported changed; the files above a PATH, the global one and
 * .git/info/exclude are read once, at start (a change to them is not
 * seen).  A path is judged by its own name only (ig_decide()'s
 * PARENTS_TOO 0) wherever its parent is watched, which says the parent
 * is not ignored; after rules changed, until what they rule is judged
 * again (rejudge() in scan.c), that is not known, and every level from
 * the PATH down is judged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct giroot {
	char *abs;        /* the PATH's absolute form, no trailing '/' but
			   * for "/"; NULL: nothing is judged below it */
	size_t len;
	unsigned char on; /* git's rules apply below it */
};

struct gidir {
	size_t key, klen;      /* its directory, in dirkeys */
	struct ig_list *list;  /* NULL: a free slot */
	uint64_t sum;          /* of the text it was compiled from */
};

struct gifile {
	char *dir;  /* the directory it speaks of, absolute */
	size_t len;
	struct ig_list *list;
};

/* ---- paths and sums ----------------------------------------------------- */

/* Where the part below directory X starts in a path handed to
 * ig_decide(), which starts past the leading '/'s. */
static size_t
base_of(const char *x, size_t xl)
{
	size_t lead = wt_lead(x, xl);
	return xl > lead ? xl - lead + 1 : 0;
}

/* 64-bit FNV-1a: whether a .gitignore read again says something new. */
static uint64_t
sum_of(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

/* ---- the rules of each directory ----------------------------------------- */

static void
dir_drop(fw_watcher *w, int i)
{
	struct rules *g = &w->gi;
	struct gidir *e = &g->dirs[i];
	smap_del(&g->dirmap, g->dirkeys.p + e->key, e->klen);
	ig_free(e->list);
	e->list = NULL;
	g->live--;
	g->gen++;
}

/* Keep LIST (its text summed SUM) as the rules of directory D. */
static int
dir_put(fw_watcher *w, const char *d, size_t dl, struct ig_list *l,
	uint64_t sum)
{
	struct rules *g = &w->gi;
	size_t i, off = g->dirkeys.len;
	for (i = 0; i < g->ndirs && g->dirs[i].list; i++)
		;
	if ((i == g->ndirs && GROW(g->dirs, g->capdirs, i + 1) < 0) ||
	    buf_add(&g->dirkeys, d, dl) < 0 ||
	    smap_put(&g->dirmap, off, dl, (int)i) < 0) {
		g->dirkeys.len = off;
		return -1;
	}
	if (i == g->ndirs)
		g->ndirs++;
	g->dirs[i].key = off;
	g->dirs[i].klen = dl;
	g->dirs[i].list = l;
	g->dirs[i].sum = sum;
	g->live++;
	g->gen++;
	return 0;
}

/*
 * Read the .gitignore of directory D (absolute, in the work tree of
 * repos[RI]) again, or forget it if ABSENT: *CHANGED is set if its rules
 * are not what they were.  -1 if memory ran out (the old rules stay).
 */
static int
dir_load(fw_watcher *w, int ri, const char *d, size_t dl, int absent,
	 int *changed)
{
	struct rules *g = &w->gi;
	const struct girepo *R = &g->repos[ri];
	int i = smap_get(&g->dirmap, d, dl), oom = 0;
	struct ig_list *l;
	uint64_t sum;
	char *path;
	if (!absent) {
		if (wt_join(&g->tmp, d, dl, ".gitignore", 10) < 0)
			return -1;
		if (wt_read(w, g->tmp.p) < 0) {
			wt_bad(w, g->tmp.p, errno);
			absent = 1;
		}
	}
	if (absent) {
		if (i >= 0) {
			dir_drop(w, i);
			*changed = 1;
		}
		return 0;
	}
	sum = sum_of(g->text.p, g->text.len);
	if (i >= 0 && g->dirs[i].sum == sum)
		return 0;
	if (!(path = dupn(g->tmp.p, g->tmp.len)))
		return -1;
	l = ig_parse(g->text.p, g->text.len, wt_source(R->top, R->len, path));
	oom = !l;
	free(path);
	if (oom)
		return -1;
	*changed = 1;
	if (i >= 0) {
		ig_free(g->dirs[i].list);
		g->dirs[i].list = l;
		g->dirs[i].sum = sum;
		g->gen++;
		return 0;
	}
	if (dir_put(w, d, dl, l, sum) < 0) {
		ig_free(l);
		return -1;
	}
	return 0;
}

/* The .gitignore of every directory from the top of work tree RI down
 * to D (itself included); -1 if memory ran out. */
static int
load_down(fw_watcher *w, int ri, const char *d, size_t dl)
{
	size_t k = w->gi.repos[ri].len;
	int changed;
	for (;;) {
		if (dir_load(w, ri, d, k, 0, &changed) < 0)
			return -1;
		if (k >= dl)
			return 0;
		for (k++; k < dl && d[k] != '/'; k++)
			;
	}
}

/* ---- judging ----------------------------------------------------------- */

static int
layer(fw_watcher *w, const struct ig_list *l, size_t base)
{
	struct rules *g = &w->gi;
	if (!l)
		return 0;
	if (GROW(g->lay, g->caplay, g->nlay + 1) < 0)
		return -1;
	g->lay[g->nlay].list = l;
	g->lay[g->nlay++].base = base;
	return 0;
}

/* The .gitignore of each directory from the top of work tree R down to
 * D, as layers, the top first.  Few files for many directories is the
 * rule (one at the top, say): then each is held against D, rather than
 * each directory of D looked up. */
static int
dir_layers(fw_watcher *w, const struct girepo *R, const char *d, size_t dl)
{
	struct rules *g = &w->gi;
	size_t k = R->len, levels = 1, first = g->nlay;
	for (size_t i = k; i < dl; i++)
		levels += d[i] == '/';
	if (g->live > levels) {
		for (;;) {
			int i = smap_get(&g->dirmap, d, k);
			if (i >= 0 &&
			    layer(w, g->dirs[i].list, base_of(d, k)) < 0)
				return -1;
			if (k >= dl)
				return 0;
			for (k++; k < dl && d[k] != '/'; k++)
				;
		}
	}
	for (size_t i = 0; i < g->ndirs; i++) {
		const struct gidir *e = &g->dirs[i];
		if (e->list && e->klen >= R->len &&
		    wt_under(d, dl, g->dirkeys.p + e->key, e->klen) &&
		    layer(w, e->list, base_of(d, e->klen)) < 0)
			return -1;
	}
	/* ancestors of D, so their lengths say their order */
	for (size_t i = first + 1; i < g->nlay; i++)
		for (size_t j = i; j > first &&
				   g->lay[j - 1].base > g->lay[j].base; j--) {
			struct ig_layer t = g->lay[j];
			g->lay[j] = g->lay[j - 1];
			g->lay[j - 1] = t;
		}
	return 0;
}

/* The lists that speak of the entries of directory D, weakest first:
 * with git's rules (ON) the global file, .git/info/exclude and the
 * .gitignore of each directory from the top of D's work tree down to D;
 * then each --ignore-file of a directory holding D. */
static int
layers(fw_watcher *w, int on, const char *d, size_t dl)
{
	struct rules *g = &w->gi;
	int ri = on ? wt_of(w, d, dl) : -1;
	g->nlay = 0;
	if (ri >= 0) {
		const struct girepo *R = &g->repos[ri];
		size_t b = base_of(R->top, R->len);
		if (layer(w, R->global, b) < 0 || layer(w, R->info, b) < 0 ||
		    dir_layers(w, R, d, dl) < 0)
			return -1;
	}
	for (size_t i = 0; i < g->nfiles; i++) {
		const struct gifile *f = &g->files[i];
		if (wt_under(d, dl, f->dir, f->len) &&
		    layer(w, f->list, base_of(f->dir, f->len)) < 0)
			return -1;
	}
	return 0;
}

/* Is the entry w->gi.judged[0..LEN) (a directory if ISDIR) ignored, by
 * its own name, with the rules of its directory? */
static int
level(fw_watcher *w, int on, size_t len, int isdir, struct gi_why *why)
{
	struct rules *g = &w->gi;
	const char *p = g->judged.p;
	size_t lead = wt_lead(p, len), ns = len, dl;
	while (ns > lead && p[ns - 1] != '/')
		ns--;
	dl = ns > lead ? ns - 1 : lead; /* its directory; "/" keeps its '/' */
	if (on && len - ns == 4 && !memcmp(p + ns, ".git", 4)) {
		if (why)
			why->git = 1;
		return 1;
	}
	if (g->cgen != g->gen || g->con != on || g->cdir.len != dl ||
	    memcmp(g->cdir.p, p, dl)) {
		g->cgen = g->gen - 1; /* not valid until made whole */
		g->cdir.len = 0;
		if (buf_add(&g->cdir, p, dl) < 0 || layers(w, on, p, dl) < 0)
			return 0; /* out of memory: reported, not lost */
		g->cgen = g->gen;
		g->con = on;
	}
	return ig_decide(g->lay, g->nlay, p + lead, len - lead, isdir, 0,
			 why ? &why->rule : NULL, why ? &why->from : NULL);
}

/* Is the path below root R (BELOW, BL bytes) ignored?  PARENTS: judge
 * each directory on the way from the PATH down first.  The root's
 * absolute path stays at the start of w->gi.judged for the next path
 * below it. */
static int
judge(fw_watcher *w, int r, const char *below, size_t bl, int isdir,
      int parents, struct gi_why *why)
{
	struct rules *g = &w->gi;
	const struct giroot *gr = &g->roots[r];
	size_t start = gr->len + (gr->abs[gr->len - 1] != '/');
	struct buf *b = &g->judged;
	if (GROW(b->p, b->cap, start + bl + 1) < 0)
		return 0; /* out of memory: reported, not lost */
	if (g->jroot != r + 1) {
		memcpy(b->p, gr->abs, gr->len);
		b->p[start - 1] = '/';
		g->jroot = r + 1;
	}
	memcpy(b->p + start, below, bl);
	b->len = start + bl;
	b->p[b->len] = '\0';
	for (size_t k = start; parents && k < b->len; k++)
		if (b->p[k] == '/' && level(w, gr->on, k, 1, why))
			return 1;
	return level(w, gr->on, b->len, isdir, why);
}

int
gi_hides(fw_watcher *w, int root, const char *path, size_t len, size_t rel,
	 int isdir, struct gi_why *why)
{
	struct rules *g = &w->gi;
	int parents = g->ndirty > 0 && !why, v;
	if (why)
		memset(why, 0, sizeof *why);
	if (!g->on || root < 0 || (size_t)root >= g->nroots ||
	    !g->roots[root].abs || rel >= len)
		return 0; /* nothing to judge, or the PATH itself */
	/* an event on a path is often followed by another on it (created,
	 * then written): the last verdict holds while no rule changed */
	if (!why && !parents && g->lgen == g->gen && g->lroot == root &&
	    g->lisdir == isdir && g->last.len == len &&
	    !memcmp(g->last.p, path, len))
		return g->lverdict;
	v = judge(w, root, path + rel, len - rel, isdir, parents, why);
	g->last.len = 0;
	g->lgen = g->gen - 1;
	if (!why && !parents && buf_add(&g->last, path, len) == 0) {
		g->lgen = g->gen;
		g->lroot = root;
		g->lisdir = isdir;
		g->lverdict = v;
	}
	return v;
}

/* WHY, as git check-ignore -v says it: "SOURCE:LINE:PATTERN". */
int
gi_say(const struct gi_why *why, struct buf *out)
{
	char line[32];
	const char *src;
	static const char git[] = ".git (never watched under --gitignore)";
	if (why->git)
		return buf_add(out, git, sizeof git - 1);
	if (!why->rule)
		return 0;
	src = ig_source(why->from);
	snprintf(line, sizeof line, ":%u:", why->rule->line);
	return buf_add(out, src, strlen(src)) < 0 ||
			       buf_add(out, line, strlen(line)) < 0 ||
			       buf_add(out, why->rule->text,
				       strlen(why->rule->text)) < 0
		       ? -1 : 0;
}

/* ---- PATHs and --ignore-file ------------------------------------------- */

int
gi_file(fw_watcher *w, const char *file)
{
	struct rules *g = &w->gi;
	struct gifile *f;
	size_t len;
	char *a;
	int oom = 0;
	if (GROW(g->files, g->capfiles, g->nfiles + 1) < 0 ||
	    !(a = wt_abs(file, &len)))
		return -1;
	f = &g->files[g->nfiles];
	if (wt_read(w, a) < 0) {
		int e = errno;
		free(a);
		errno = e;
		return -1;
	}
	if (!(f->list = ig_parse(g->text.p, g->text.len, file)))
		oom = 1;
	f->len = wt_dir_len(a, len);
	a[f->len] = '\0';
	f->dir = a;
	if (oom) {
		free(a);
		errno = ENOMEM;
		return -1;
	}
	g->nfiles++;
	g->on = 1;
	g->gen++;
	return 0;
}

/*
 * Root R (a directory PATH) was added: its absolute form, its work tree
 * and the rules from the top of it down to the PATH.  GI_OFF (no rules
 * at all), GI_REPO, GI_NO_REPO (--gitignore outside a work tree), or
 * GI_PATH_IGNORED (git ignores the PATH itself, as *WHY says; it is
 * watched all the same); -1 if out of memory.
 */
int
gi_root(fw_watcher *w, int r, struct gi_why *why)
{
	struct rules *g = &w->gi;
	struct giroot *gr;
	int ri;
	if (!w->cfg.gitignore && !g->nfiles && !w->cfg.explain)
		return GI_OFF;
	if (GROW(g->roots, g->caproots, (size_t)r + 1) < 0)
		return -1;
	if ((size_t)r >= g->nroots) {
		memset(g->roots + g->nroots, 0,
		       ((size_t)r + 1 - g->nroots) * sizeof *g->roots);
		g->nroots = (size_t)r + 1;
	}
	gr = &g->roots[r];
	if (!(gr->abs = wt_abs(w->roots[r].disp, &gr->len)))
		return -1;
	if (!w->cfg.gitignore)
		return GI_OFF;
	if ((ri = wt_at(w, gr->abs, gr->len, 1)) == -2)
		return -1;
	gr->on = ri >= 0 || w->cfg.gitignore == FW_GITIGNORE_ON;
	g->on |= gr->on;
	if (ri < 0)
		return gr->on ? GI_NO_REPO : GI_OFF;
	if (load_down(w, ri, gr->abs, gr->len) < 0)
		return -1;
	/* the PATH itself, from the top of its work tree */
	memset(why, 0, sizeof *why);
	g->jroot = 0;
	if (wt_join(&g->judged, gr->abs, gr->len, "", 0) < 0)
		return -1;
	for (size_t k = g->repos[ri].len + 1; k <= gr->len; k++)
		if ((k == gr->len || g->judged.p[k] == '/') &&
		    level(w, 1, k, 1, why))
			return GI_PATH_IGNORED;
	return GI_REPO;
}

int
gi_wants(const fw_watcher *w, int root)
{
	return root >= 0 && (size_t)root < w->gi.nroots &&
	       w->gi.roots[root].on;
}

unsigned
gi_saw(const char *name)
{
	if (name[0] != '.')
		return 0;
	if (!strcmp(name + 1, "gitignore"))
		return GI_SAW_GITIGNORE;
	return !strcmp(name + 1, "git") ? GI_SAW_GIT : 0;
}

/* Mark directory node N: its rules changed; what is below it is judged
 * again after the read. */
static int
dirty(fw_watcher *w, int n)
{
	struct rules *g = &w->gi;
	for (size_t i = 0; i < g->ndirty; i++)
		if (g->dirty[i] == n)
			return 0;
	if (GROW(g->dirty, g->capdirty, g->ndirty + 1) < 0)
		return -1;
	g->dirty[g->ndirty++] = n;
	return 0;
}

/* w->gi.path = the absolute path of DIR (LEN bytes), whose part below
 * root R starts at REL. */
static int
abs_dir(fw_watcher *w, int r, const char *dir, size_t len, size_t rel)
{
	const struct giroot *gr = &w->gi.roots[r];
	if (rel < len && dir[rel] == '/')
		rel++;
	return wt_join(&w->gi.path, gr->abs, gr->len, dir + rel,
		    rel < len ? len - rel : 0);
}

/*
 * Directory DIR (LEN bytes, REL: where its part below root ROOT starts)
 * was listed and holds what SAW says: read its .gitignore, or forget the
 * one it had; a .git there starts a work tree.  (Listed again by a
 * rescan, what is below it is judged again by the rescan itself.)  -1
 * if memory ran out, or with w->gi.bad_err if a file could not be read.
 */
int
gi_enter(fw_watcher *w, int root, const char *dir, size_t len, size_t rel,
	 unsigned saw)
{
	struct rules *g = &w->gi;
	int ri, changed = 0, r = 0;
	size_t dl;
	char *d;
	if (!gi_wants(w, root))
		return 0;
	if (abs_dir(w, root, dir, len, rel) < 0 ||
	    !(d = dupn(g->path.p, g->path.len)))
		return -1;
	dl = g->path.len;
	ri = wt_of(w, d, dl);
	if ((saw & GI_SAW_GIT) && (ri < 0 || g->repos[ri].len != dl) &&
	    wt_at(w, d, dl, 0) == -2)
		r = -1;
	/* git reads no .gitignore outside a work tree */
	if (!r && (ri = wt_of(w, d, dl)) >= 0 &&
	    dir_load(w, ri, d, dl, !(saw & GI_SAW_GITIGNORE), &changed) < 0)
		r = -1;
	free(d);
	return r < 0 || g->bad_err ? -1 : 0;
}

/*
 * A record named NAME in watched directory node N: if NAME is
 * .gitignore, created, written, deleted or renamed, its rules are read
 * again, at once, whatever the filters say of the file itself; what they
 * rule is judged again after the read.  -1 as gi_enter().
 */
int
gi_record(fw_watcher *w, int n, const char *name, size_t nl)
{
	struct rules *g = &w->gi;
	size_t rel;
	int r, ri, changed = 0, e;
	char *d;
	if (!g->git || nl != 10 || memcmp(name, ".gitignore", 10))
		return 0;
	if ((r = node_path(w, n, NULL, 0, &g->tmp, &rel)) < 0)
		return -1;
	if (!gi_wants(w, r))
		return 0;
	if (abs_dir(w, r, g->tmp.p, g->tmp.len, rel) < 0)
		return -1;
	if ((ri = wt_of(w, g->path.p, g->path.len)) < 0)
		return 0;
	if (!(d = dupn(g->path.p, g->path.len)))
		return -1;
	e = dir_load(w, ri, d, strlen(d), 0, &changed);
	free(d);
	if (e < 0 || (changed && dirty(w, n) < 0))
		return -1;
	return g->bad_err ? -1 : 0;
}

/*
 * Watched directory node N was renamed from NAME (NL bytes) in node FROM:
 * the rules of the directories it holds follow it, and what is below it
 * is judged again after the read (a rule with a '/' may speak of it
 * differently now).  -1 if memory ran out.
 */
int
gi_moved(fw_watcher *w, int from, const char *name, size_t nl, int n)
{
	struct rules *g = &w->gi;
	size_t orel, nrel, ol;
	int ro, rn;
	char *old;
	if (!g->on)
		return 0;
	if ((ro = node_path(w, from, name, nl, &g->tmp, &orel)) < 0)
		return -1;
	if ((size_t)ro >= g->nroots || !g->roots[ro].abs ||
	    abs_dir(w, ro, g->tmp.p, g->tmp.len, orel) < 0)
		return 0;
	if (!(old = dupn(g->path.p, g->path.len)))
		return -1;
	ol = g->path.len;
	if ((rn = node_path(w, n, NULL, 0, &g->tmp, &nrel)) < 0 ||
	    (size_t)rn >= g->nroots || !g->roots[rn].abs ||
	    abs_dir(w, rn, g->tmp.p, g->tmp.len, nrel) < 0) {
		free(old);
		return rn < 0 ? -1 : 0;
	}
	for (size_t i = 0; i < g->ndirs; i++) {
		struct gidir *e = &g->dirs[i];
		size_t off = g->dirkeys.len, kl;
		if (!e->list ||
		    !wt_under(g->dirkeys.p + e->key, e->klen, old, ol))
			continue;
		/* the new key: the new path and what followed the old */
		kl = g->path.len + e->klen - ol;
		if (GROW(g->dirkeys.p, g->dirkeys.cap, off + kl + 1) < 0) {
			free(old);
			return -1;
		}
		memcpy(g->dirkeys.p + off, g->path.p, g->path.len);
		memcpy(g->dirkeys.p + off + g->path.len,
		       g->dirkeys.p + e->key + ol, e->klen - ol);
		g->dirkeys.len = off + kl;
		g->dirkeys.p[g->dirkeys.len] = '\0';
		smap_del(&g->dirmap, g->dirkeys.p + e->key, e->klen);
		e->key = off;
		e->klen = kl;
		if (smap_put(&g->dirmap, off, e->klen, (int)i) < 0) {
			free(old);
			dir_drop(w, (int)i);
			return -1;
		}
		g->gen++;
	}
	free(old);
	return dirty(w, n);
}

/*
 * --explain-ignore: nothing was listed, so read the rules on the way
 * from root ROOT down to the directory of PATH (LEN bytes; REL: where
 * the part below the root starts), and the work trees met there.  -1 if
 * memory ran out.
 */
int
gi_along(fw_watcher *w, int root, const char *path, size_t len, size_t rel)
{
	struct rules *g = &w->gi;
	if (!gi_wants(w, root))
		return 0;
	for (size_t k = rel; k < len; k++) {
		int ri, changed;
		char *d;
		if (path[k] != '/')
			continue;
		if (abs_dir(w, root, path, k, rel) < 0 ||
		    !(d = dupn(g->path.p, g->path.len)))
			return -1;
		ri = wt_at(w, d, strlen(d), 0);
		if (ri != -2 && (ri = wt_of(w, d, strlen(d))) >= 0 &&
		    dir_load(w, ri, d, strlen(d), 0, &changed) < 0)
			ri = -2;
		free(d);
		if (ri == -2)
			return -1;
	}
	return 0;
}

/* The root holding PATH (as the user wrote it; the innermost), and into
 * B the path an event on it would print, REL bytes of it the root's:
 * its index, -1 if no PATH holds it, -2 if memory ran out. */
int
gi_locate(fw_watcher *w, const char *path, struct buf *b, size_t *rel)
{
	struct rules *g = &w->gi;
	const struct giroot *gr;
	const struct root *rt;
	size_t al, at;
	int best = -1;
	char *a = wt_abs(path, &al);
	if (!a)
		return -2;
	for (size_t r = 0; r < g->nroots; r++) {
		gr = &g->roots[r];
		if (gr->abs && wt_under(a, al, gr->abs, gr->len) &&
		    (best < 0 || gr->len > g->roots[best].len))
			best = (int)r;
	}
	if (best >= 0) {
		gr = &g->roots[best];
		rt = &w->roots[best];
		at = gr->len + (al > gr->len && a[gr->len] == '/' ? 1 : 0);
		b->len = 0;
		if (buf_add(b, rt->disp, rt->disp_len) < 0 ||
		    (al > at && path_join(b, a + at, al - at) < 0))
			best = -2;
		*rel = al > at ? rel_skip(b, rt->disp_len) : b->len;
	}
	free(a);
	return best;
}

/* ---- when idle ----------------------------------------------------------- */

/* The keys of renamed and forgotten rules are left behind in dirkeys:
 * once they are most of it, the live ones are copied into a new one and
 * the map is made again.  Out of memory, the old ones stay. */
static void
keys_compact(fw_watcher *w)
{
	struct rules *g = &w->gi;
	struct buf nk = { 0 };
	struct smap nm = { 0 };
	size_t used = 0;
	for (size_t i = 0; i < g->ndirs; i++)
		if (g->dirs[i].list)
			used += g->dirs[i].klen;
	if (g->dirkeys.len <= 4096 || g->dirkeys.len < 2 * used)
		return;
	nm.arena = &nk;
	for (size_t i = 0; i < g->ndirs; i++) {
		const struct gidir *e = &g->dirs[i];
		size_t off = nk.len;
		if (!e->list)
			continue;
		if (buf_add(&nk, g->dirkeys.p + e->key, e->klen) < 0 ||
		    smap_put(&nm, off, e->klen, (int)i) < 0) {
			free(nk.p);
			smap_free(&nm);
			return;
		}
	}
	for (size_t i = 0, off = 0; i < g->ndirs; i++)
		if (g->dirs[i].list) {
			g->dirs[i].key = off;
			off += g->dirs[i].klen;
		}
	smap_free(&g->dirmap);
	free(g->dirkeys.p);
	g->dirkeys = nk;
	g->dirmap = nm;
	g->dirmap.arena = &g->dirkeys;
	while (g->ndirs && !g->dirs[g->ndirs - 1].list)
		g->ndirs--;
}

/* Does the directory at KEY (KL bytes) below root R lead to a node? */
static int
still_watched(const fw_watcher *w, int r, const char *key, size_t kl)
{
	const struct giroot *gr = &w->gi.roots[r];
	int n = w->roots[r].node;
	size_t k = gr->len;
	while (n >= 0 && k < kl) {
		size_t s = k + (key[k] == '/' ? 1 : 0), e = s;
		while (e < kl && key[e] != '/')
			e++;
		n = find_child(w, n, key + s, e - s);
		k = e;
	}
	return n >= 0;
}

/*
 * About to sleep, after directories went: forget the rules of the ones
 * that are no longer watched (moved out of the tree, or deleted with
 * their .gitignore unseen).  A .gitignore above every PATH is kept.  1
 * if anything was freed.
 */
int
gi_trim(fw_watcher *w)
{
	struct rules *g = &w->gi;
	int freed = 0;
	if (g->text.cap > 65536) { /* a large file read once */
		free(g->text.p);
		memset(&g->text, 0, sizeof g->text);
		freed = 1;
	}
	if (!g->live || g->swept == w->tree_gen)
		return freed;
	g->swept = w->tree_gen;
	for (size_t i = 0; i < g->ndirs; i++) {
		const struct gidir *e = &g->dirs[i];
		const char *key = g->dirkeys.p + e->key;
		int below = 0, kept = 0;
		if (!e->list)
			continue;
		for (size_t r = 0; r < g->nroots && !kept; r++) {
			const struct giroot *gr = &g->roots[r];
			if (!gr->abs || e->klen <= gr->len ||
			    !wt_under(key, e->klen, gr->abs, gr->len))
				continue;
			below = 1;
			kept = !w->roots[r].gone &&
			       still_watched(w, (int)r, key, e->klen);
		}
		if (below && !kept) {
			dir_drop(w, (int)i);
			freed = 1;
		}
	}
	if (freed)
		keys_compact(w);
	return freed;
}

void
gi_free(fw_watcher *w)
{
	struct rules *g = &w->gi;
	for (size_t i = 0; i < g->nroots; i++)
		free(g->roots[i].abs);
	wt_free(w);
	for (size_t i = 0; i < g->ndirs; i++)
		ig_free(g->dirs[i].list);
	for (size_t i = 0; i < g->nfiles; i++) {
		free(g->files[i].dir);
		ig_free(g->files[i].list);
	}
	free(g->roots);
	free(g->dirs);
	free(g->files);
	free(g->lay);
	free(g->dirty);
	smap_free(&g->dirmap);
	free(g->dirkeys.p);
	free(g->cdir.p);
	free(g->last.p);
	free(g->path.p);
	free(g->judged.p);
	free(g->tmp.p);
	free(g->text.p);
	free(g->bad.p);
	memset(g, 0, sizeof *g);
}
