/*
 * worktree.c - git work trees: where the one holding a directory is
 * (its top holds a .git: a directory, or a file "gitdir: DIR" as in
 * worktrees and submodules), and the files of git that rule all of it:
 * .git/info/exclude (in the directory its worktrees share) and the
 * global excludes file, core.excludesFile in git's config or git's
 * default.  And the path and file helpers gitignore.c shares.
 *
 * Hazard: git's config is read the simple way: the system's, the
 * user's ($GIT_CONFIG_GLOBAL, else the XDG one and ~/.gitconfig) and the
 * repository's own, in that order, the last core.excludesFile winning;
 * include.path and includeIf are not followed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Rules files larger than this are not read (git's own limit is far
 * larger, but a file this size is not a list of patterns). */
#define GI_MAX_FILE (4u << 20)

/* ---- paths -------------------------------------------------------------- */

size_t
wt_lead(const char *p, size_t n)
{
	size_t k = 0;
	while (k < n && p[k] == '/')
		k++;
	return k;
}

/* Is directory X (XL bytes) D itself or above it? */
int
wt_under(const char *d, size_t dl, const char *x, size_t xl)
{
	if (xl > dl || memcmp(d, x, xl))
		return 0;
	return xl == dl || d[xl] == '/' || (xl && x[xl - 1] == '/');
}

/* Where the directory of the path P (N bytes) ends: its length, "/"
 * keeping its slash. */
size_t
wt_dir_len(const char *p, size_t n)
{
	size_t lead = wt_lead(p, n);
	while (n > lead && p[n - 1] != '/')
		n--;
	return n > lead ? n - 1 : lead;
}

/*
 * P, absolute, made plain in place: separators of the system as '/',
 * no "." or empty components, ".." taken off with the one before it (by
 * the letter: a symlink is not followed), no trailing '/' but for "/".
 * Its length.
 */
static size_t
plain_path(char *p)
{
	size_t n = strlen(p), lead, o, i;
	for (i = 0; SYS_ALT_SEP && i < n; i++)
		if (p[i] == SYS_ALT_SEP)
			p[i] = '/';
	lead = wt_lead(p, n);
	if (lead > (SYS_ALT_SEP ? 2u : 1u)) /* "//x" is a share on Windows */
		lead = SYS_ALT_SEP ? 2 : 1;
	o = i = lead;
	while (i < n) {
		size_t s, cl;
		while (i < n && p[i] == '/')
			i++;
		for (s = i; i < n && p[i] != '/'; i++)
			;
		cl = i - s;
		if (!cl || (cl == 1 && p[s] == '.'))
			continue;
		if (cl == 2 && p[s] == '.' && p[s + 1] == '.') {
			while (o > lead && p[o - 1] != '/')
				o--;
			if (o > lead)
				o--;
			continue;
		}
		if (o > lead)
			p[o++] = '/';
		memmove(p + o, p + s, cl);
		o += cl;
	}
	p[o] = '\0';
	return o;
}

/* B = X (XL bytes) "/" NAME (NL bytes), or X alone for no NAME; -1 if
 * out of memory. */
int
wt_join(struct buf *b, const char *x, size_t xl, const char *name, size_t nl)
{
	b->len = 0;
	if (buf_add(b, x, xl) < 0)
		return -1;
	return nl ? path_join(b, name, nl) : 0;
}

char *
wt_abs(const char *path, size_t *len)
{
	char *a = sys_abspath(path);
	if (a)
		*len = plain_path(a);
	return a;
}

/* ---- reading ------------------------------------------------------------ */

/* The file at PATH, whole, into w->gi.text: 0, or -1 with errno. */
int
wt_read(fw_watcher *w, const char *path)
{
	struct buf *t = &w->gi.text;
	size_t len;
	for (;;) {
		if (!t->cap && GROW(t->p, t->cap, 4096) < 0)
			return -1;
		if (sys_read_file(path, t->p, t->cap - 1, &len) == 0)
			break;
		if (errno != EFBIG || t->cap > GI_MAX_FILE)
			return -1;
		if (GROW(t->p, t->cap, t->cap * 2) < 0)
			return -1;
	}
	t->len = len;
	t->p[len] = '\0';
	return 0;
}

/* A file that should be read could not be (ERR): the caller tells.
 * Gone, or not a file, it simply has no rules. */
void
wt_bad(fw_watcher *w, const char *path, int err)
{
	if (err == ENOENT || err == ENOTDIR || err == EISDIR || err == EINVAL)
		return;
	w->gi.bad.len = 0;
	if (buf_add(&w->gi.bad, path, strlen(path)) == 0)
		w->gi.bad_err = err;
	else
		w->gi.bad_err = ENOMEM;
}

/* The rules in the file at PATH, named SOURCE in explanations: a list,
 * or NULL (none: missing, empty or unreadable; *OOM if memory ran
 * out). */
static struct ig_list *
rules_at(fw_watcher *w, const char *path, const char *source, int *oom)
{
	struct ig_list *l;
	if (wt_read(w, path) < 0) {
		wt_bad(w, path, errno);
		return NULL;
	}
	if (!(l = ig_parse(w->gi.text.p, w->gi.text.len, source))) {
		*oom = 1;
		return NULL;
	}
	if (!ig_count(l)) {
		ig_free(l);
		return NULL;
	}
	return l;
}

/* ---- git's files -------------------------------------------------------- */

/* The first line of the text read, blanks around it taken off. */
static char *
first_line(fw_watcher *w, size_t *n)
{
	char *s = w->gi.text.p, *e;
	size_t len = w->gi.text.len;
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	e = memchr(s, '\n', len);
	len = e ? (size_t)(e - s) : len;
	while (len && (s[len - 1] == '\r' || s[len - 1] == ' ' ||
		       s[len - 1] == '\t'))
		len--;
	s[len] = '\0';
	*n = len;
	return s;
}

/* VAL (N bytes), relative to directory DIR unless absolute, made plain:
 * malloc'd, or NULL. */
static char *
resolve(const char *dir, const char *val, size_t n)
{
	int absolute = val[0] == '/' ||
		       (SYS_ALT_SEP && n > 1 && val[1] == ':');
	size_t dl = absolute ? 0 : strlen(dir);
	char *p = malloc(dl + n + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	p[dl] = '/';
	memcpy(p + (dl ? dl + 1 : 0), val, n);
	p[(dl ? dl + 1 : 0) + n] = '\0';
	plain_path(p);
	return p;
}

/* Does directory TOP (TL bytes) hold a git work tree's .git: a
 * directory with a HEAD, or a file "gitdir: DIR" (a worktree, a
 * submodule)?  Its git directory, malloc'd, or NULL. */
static char *
git_dir(fw_watcher *w, const char *top, size_t tl)
{
	struct buf *b = &w->gi.tmp;
	enum sys_type t;
	size_t n;
	char *v;
	if (wt_join(b, top, tl, ".git", 4) < 0)
		return NULL;
	t = sys_type_of(b->p, 1);
	if (t == SYS_FILE && wt_read(w, b->p) == 0) {
		v = first_line(w, &n);
		if (n < 7 || memcmp(v, "gitdir:", 7))
			return NULL;
		for (v += 7, n -= 7; n && (*v == ' ' || *v == '\t'); n--)
			v++;
		return n ? resolve(top, v, n) : NULL;
	}
	if (t != SYS_DIRECTORY)
		return NULL;
	v = dupn(b->p, b->len);
	if (v && path_join(b, "HEAD", 4) == 0 &&
	    sys_type_of(b->p, 1) == SYS_FILE)
		return v;
	free(v);
	return NULL;
}

/* Where a worktree's git directory GD keeps what all its worktrees
 * share (its "commondir" file), or GD itself: malloc'd, or NULL. */
static char *
common_dir(fw_watcher *w, const char *gd)
{
	struct buf *b = &w->gi.tmp;
	size_t n;
	char *v;
	if (wt_join(b, gd, strlen(gd), "commondir", 9) == 0 &&
	    wt_read(w, b->p) == 0 && (v = first_line(w, &n), n))
		return resolve(gd, v, n);
	return dupn(gd, strlen(gd));
}

static const char *
home_dir(void)
{
	const char *h = getenv("HOME");
	if ((!h || !*h) && SYS_ALT_SEP)
		h = getenv("USERPROFILE");
	return h && *h ? h : NULL;
}

/* B = $XDG_CONFIG_HOME/git/NAME, or ~/.config/git/NAME; -1 if neither
 * can be said. */
static int
xdg_path(struct buf *b, const char *name)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = home_dir();
	b->len = 0;
	if (x && *x)
		return buf_add(b, x, strlen(x)) < 0 ||
				       path_join(b, "git", 3) < 0 ||
				       path_join(b, name, strlen(name)) < 0
			       ? -1 : 0;
	if (!h)
		return -1;
	return buf_add(b, h, strlen(h)) < 0 ||
			       path_join(b, ".config/git", 11) < 0 ||
			       path_join(b, name, strlen(name)) < 0
		       ? -1 : 0;
}

/* core.excludesFile in the git config file at PATH, if set there, into
 * VAL, and *SET (the last one set wins, as git reads its files in turn;
 * set empty, it names no file). */
static void
config_value(fw_watcher *w, const char *path, char *val, size_t n, int *set)
{
	char v[4096];
	if (path && wt_read(w, path) == 0 &&
	    ig_config_excludes(w->gi.text.p, w->gi.text.len, v, sizeof v) == 1) {
		snprintf(val, n, "%s", v);
		*set = 1;
	}
}

/* Where the global excludes file of the work tree at TOP (git directory
 * shared as COMMON) is: core.excludesFile from the system's, the
 * user's and the repository's config, "~/" expanded; else git's
 * default.  Into w->gi.path; -1 if none can be said. */
static int
global_path(fw_watcher *w, const char *top, const char *common)
{
	struct buf *b = &w->gi.path;
	const char *e = getenv("GIT_CONFIG_NOSYSTEM"), *h = home_dir();
	char val[4096] = "", *p;
	int r, set = 0;
	if (!e || !*e || !strcmp(e, "0") || !strcmp(e, "false")) {
		e = getenv("GIT_CONFIG_SYSTEM");
		config_value(w, e ? e : "/etc/gitconfig", val, sizeof val,
			     &set);
	}
	if ((e = getenv("GIT_CONFIG_GLOBAL"))) {
		config_value(w, *e ? e : NULL, val, sizeof val, &set);
	} else {
		if (xdg_path(b, "config") == 0)
			config_value(w, b->p, val, sizeof val, &set);
		if (h && wt_join(b, h, strlen(h), ".gitconfig", 10) == 0)
			config_value(w, b->p, val, sizeof val, &set);
	}
	if (wt_join(b, common, strlen(common), "config", 6) == 0)
		config_value(w, b->p, val, sizeof val, &set);
	if (!set)
		return xdg_path(b, "ignore");
	if (!val[0])
		return -1; /* set empty: git reads no global file */
	if (val[0] == '~' && val[1] == '/')
		return h ? wt_join(b, h, strlen(h), val + 2, strlen(val + 2))
			 : -1;
	/* a relative one is read from the top of the work tree, as git
	 * runs there */
	if (!(p = resolve(top, val, strlen(val))))
		return -1;
	r = wt_join(b, p, strlen(p), "", 0);
	free(p);
	return r;
}

/* The name a file of the work tree at TOP goes by in explanations: its
 * path below TOP, as git names it, else as it is. */
const char *
wt_source(const char *top, size_t tl, const char *path)
{
	size_t pl = strlen(path);
	if (pl > tl && wt_under(path, pl, top, tl))
		return path + tl + (top[tl - 1] == '/' ? 0 : 1);
	return path;
}

/* A work tree whose top is TOP (TL bytes) and git directory GD: its
 * index in repos[], its files read; -1 if out of memory. */
static int
repo_new(fw_watcher *w, const char *top, size_t tl, char *gd)
{
	struct rules *g = &w->gi;
	struct girepo *R;
	char *common;
	int oom = 0;
	if (GROW(g->repos, g->caprepos, g->nrepos + 1) < 0)
		return -1;
	R = &g->repos[g->nrepos];
	memset(R, 0, sizeof *R);
	if (!(R->top = dupn(top, tl)) || !(common = common_dir(w, gd))) {
		free(R->top);
		return -1;
	}
	R->len = tl;
	if (wt_join(&g->path, common, strlen(common), "info/exclude",
		    12) == 0) {
		char *p = dupn(g->path.p, g->path.len);
		if (!p)
			oom = 1;
		else
			R->info = rules_at(w, p, wt_source(top, tl, p), &oom);
		free(p);
	}
	if (!oom && global_path(w, R->top, common) == 0) {
		char *p = dupn(g->path.p, g->path.len);
		if (!p)
			oom = 1;
		else
			R->global = rules_at(w, p, p, &oom);
		free(p);
	}
	free(common);
	if (oom) {
		ig_free(R->info);
		ig_free(R->global);
		free(R->top);
		return -1;
	}
	g->git = 1;
	g->gen++;
	return (int)g->nrepos++;
}

/* The work tree whose top is TOP or holds it: the innermost; -1. */
int
wt_of(const fw_watcher *w, const char *d, size_t dl)
{
	int best = -1;
	for (size_t i = 0; i < w->gi.nrepos; i++) {
		const struct girepo *R = &w->gi.repos[i];
		if (wt_under(d, dl, R->top, R->len) &&
		    (best < 0 || R->len > w->gi.repos[best].len))
			best = (int)i;
	}
	return best;
}

/* The top of the work tree holding directory D, searched upwards: its
 * length in D (into *TL) and its git directory, or NULL. */
static char *
find_top(fw_watcher *w, const char *d, size_t dl, size_t *tl)
{
	for (size_t k = dl;;) {
		size_t lead = wt_lead(d, k);
		char *gd = git_dir(w, d, k);
		if (gd) {
			*tl = k;
			return gd;
		}
		if (k <= lead)
			return NULL;
		k = wt_dir_len(d, k);
	}
}

/* The work tree whose top is D (DL bytes), or with SEARCH the one
 * holding D: known, or read now; its index, -1 if there is none, -2 if
 * memory ran out. */
int
wt_at(fw_watcher *w, const char *d, size_t dl, int search)
{
	size_t tl = dl;
	char *gd;
	int ri;
	if (search) {
		if (!(gd = find_top(w, d, dl, &tl)))
			return -1;
	} else if (!(gd = git_dir(w, d, dl))) {
		return -1;
	}
	for (size_t i = 0; i < w->gi.nrepos; i++) {
		const struct girepo *R = &w->gi.repos[i];
		if (R->len == tl && !memcmp(R->top, d, tl)) {
			free(gd);
			return (int)i;
		}
	}
	ri = repo_new(w, d, tl, gd);
	free(gd);
	return ri < 0 ? -2 : ri;
}

void
wt_free(fw_watcher *w)
{
	for (size_t i = 0; i < w->gi.nrepos; i++) {
		free(w->gi.repos[i].top);
		ig_free(w->gi.repos[i].global);
		ig_free(w->gi.repos[i].info);
	}
	free(w->gi.repos);
	w->gi.repos = NULL;
	w->gi.nrepos = w->gi.caprepos = 0;
}
