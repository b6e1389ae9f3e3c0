/*
 * anchor.c - the filters against the disk, once at start (anchor.h):
 * patterns written as absolute paths tied to the PATHs they lie in,
 * patterns that cannot match told, and fwatch's own output left out.
 * Everything here runs before the first watch; nothing per event.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchor.h"
#include "sys.h"

#if defined(__GNUC__)
#define PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PRINTF(a, b)
#endif

#define OUTSIDE                                                             \
	"as an absolute path it is not below any watched PATH; write it as "  \
	"a path below the PATH (e.g. 'build/', or './build' for the one "     \
	"right below it), or watch the directory it names"

/* The PATHs, as the patterns are compared with them. */
struct paths {
	char *const *given;
	size_t n;
	char **real; /* canonical form of each directory PATH, else NULL */
	int *key;    /* its key in the filter */
};

/* Something to tell: a line made from FMT. */
static void PRINTF(4, 5)
tell(void (*say)(void *, int, const char *), void *ctx, int warning,
     const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(msg = malloc((size_t)n + 1)))
		return; /* out of memory: unsaid, nothing else is lost */
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	say(ctx, warning, msg);
	free(msg);
}

/* A malloc'd copy of S that holds on one line, escaped as text output
 * escapes paths (\n, \t, \r, \\, \xHH); NULL with ENOMEM. */
static char *
one_line(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char *out = malloc(4 * strlen(s) + 1), *o = out;
	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != 0x7f && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		if (c == '\n' || c == '\t' || c == '\r' || c == '\\') {
			*o++ = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r'
								    : '\\';
		} else {
			*o++ = 'x';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

/* PATH as fwatch prints it (on Windows with '/' for '\\'), on one line;
 * NULL with ENOMEM. */
static char *
shown_as(const char *path)
{
	size_t n = strlen(path);
	char *p = malloc(n + 1), *s;
	if (!p)
		return NULL;
	memcpy(p, path, n + 1);
	for (char *c = p; SYS_ALT_SEP && *c; c++)
		if (*c == SYS_ALT_SEP)
			*c = '/';
	s = one_line(p);
	free(p);
	return s;
}

static int
paths_load(struct paths *ps, struct filter *f, char *const *given, size_t n)
{
	ps->given = given;
	ps->n = n;
	ps->real = calloc(n + 1, sizeof *ps->real);
	ps->key = calloc(n + 1, sizeof *ps->key);
	if (!ps->real || !ps->key)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((ps->key[i] = filter_key(f, given[i])) < 0)
			return -1;
		/* a PATH that cannot be read is fw_add()'s to report */
		if (sys_type_of(given[i], 1) == SYS_DIRECTORY &&
		    !(ps->real[i] = sys_realpath(given[i])) && errno == ENOMEM)
			return -1;
	}
	return 0;
}

static void
paths_free(struct paths *ps)
{
	for (size_t i = 0; ps->real && i < ps->n; i++)
		free(ps->real[i]);
	free(ps->real);
	free(ps->key);
}

/* Is G[I] quoted by an odd run of backslashes before it? */
static int
escaped(const char *g, size_t i)
{
	size_t n = 0;
	while (n < i && g[i - n - 1] == '\\')
		n++;
	return n & 1;
}

/* The end of the component of G starting at C (the next '/' or the
 * end); *LIT is cleared if it holds a glob character. */
static size_t
component(const char *g, size_t c, int *lit)
{
	*lit = 1;
	for (; g[c] && (g[c] != '/' || escaped(g, c)); c++)
		if (strchr("*?[", g[c]) && !escaped(g, c))
			*lit = 0;
	return c;
}

/* Append G[C..E) to OUT at *OL, quoting backslashes removed. */
static void
unquote(char *out, size_t *ol, const char *g, size_t c, size_t e)
{
	for (; c < e; c++) {
		if (g[c] == '\\' && c + 1 < e)
			c++;
		out[(*ol)++] = g[c];
	}
	out[*ol] = '\0';
}

/*
 * Pattern I names an absolute path: bind it to each directory PATH that
 * a leading part of it is (the same directory, by canonical name: "$PWD"
 * may go through a symlink that realpath(".") does not show), as the
 * rest.  Only literal components are looked up, and nothing below the
 * PATH is resolved: a symlink there keeps the name the pattern gives.
 * 1 if bound, 0 if not, -1 with ENOMEM.
 */
static int
bind_absolute(struct filter *f, size_t i, const struct paths *ps)
{
	const char *g = f->p[i].glob; /* stays: filter_bind copies */
	size_t len = strlen(g), pl = 0, c = 0, e;
	char *pre = malloc(len + 2), *real;
	int bound = 0, lit;

	if (!pre)
		return -1;
	for (; (e = component(g, c, &lit)) < len && lit; c = e + 1) {
		if (pl && pre[pl - 1] != '/')
			pre[pl++] = '/';
		unquote(pre, &pl, g, c, e);
		if (!c) { /* the top: "/" or "C:/" */
			pre[pl++] = '/';
			pre[pl] = '\0';
		}
		if (!(real = sys_realpath(pre)))
			break; /* not there: nothing longer is */
		for (size_t k = 0; k < ps->n; k++) {
			if (!ps->real[k] || strcmp(real, ps->real[k]))
				continue;
			if (filter_bind(f, i, ps->key[k], g + e + 1,
					len - e - 1) < 0) {
				free(real);
				free(pre);
				return -1;
			}
			bound = 1;
		}
		free(real);
	}
	free(pre);
	return bound;
}

/*
 * Pattern I (rooted, not bound to any PATH): is it an absolute path
 * outside every PATH, or anchored to the PATHs ("/build")?  Absolute when
 * its first component is there at the top of the filesystem and not in
 * any directory PATH: "/tmp/x" is that, "/build" is not.  Where both
 * are there, the PATH's wins: a pattern is about the watched tree.
 */
static int
outside(const struct filter *f, size_t i, const struct paths *ps)
{
	const char *g = f->p[i].glob;
	size_t e, pl = 0;
	char *name;
	int lit, out;

	if (f->p[i].rooted == 2)
		return 1; /* "C:/..." is nothing else */
	e = component(g, 1, &lit);
	if (!lit || e == 1 || !(name = malloc(e + 1)))
		return 0;
	name[pl++] = '/';
	unquote(name, &pl, g, 1, e);
	out = sys_type_of(name, 0) != SYS_GONE;
	for (size_t k = 0; out && k < ps->n; k++) {
		size_t gl = strlen(ps->given[k]);
		char *p;
		if (!ps->real[k] || !(p = malloc(gl + pl + 1)))
			continue;
		memcpy(p, ps->given[k], gl);
		memcpy(p + gl, name, pl + 1);
		out = sys_type_of(p, 0) == SYS_GONE;
		free(p);
	}
	free(name);
	return out;
}

static int
place_patterns(struct filter *f, const struct paths *ps,
	       void (*say)(void *, int, const char *), void *ctx)
{
	size_t n = f->n; /* the patterns as written: copies come after */
	for (size_t i = 0; i < n; i++) {
		const struct fpat *p = &f->p[i];
		char *text = NULL;
		int r = 0;
		if (p->kind == FILTER_OWN || p->from != i)
			continue;
		if (p->rooted && !p->never &&
		    (r = bind_absolute(f, i, ps)) < 0)
			return -1;
		p = &f->p[i]; /* filter_bind may have moved it */
		if (p->rooted && !p->never && !r && outside(f, i, ps))
			filter_never(f, i, OUTSIDE);
		p = &f->p[i];
		if (p->never && !(text = one_line(p->given)))
			return -1;
		if (p->never)
			tell(say, ctx, 1, "--%s '%s' matches nothing: %s",
			     p->kind == FILTER_INCLUDE ? "include" : "exclude",
			     text, p->never);
		free(text);
	}
	return 0;
}

/* FILE below directory REAL (both canonical): where its part below
 * starts, or NULL. */
static const char *
below(const char *real, const char *file)
{
	size_t rl = strlen(real);
	if (strncmp(file, real, rl))
		return NULL;
	if (rl && real[rl - 1] == '/') /* "/" or "C:/" */
		return file[rl] ? file + rl : NULL;
	return file[rl] == '/' && file[rl + 1] ? file + rl + 1 : NULL;
}

/* The canonical path of what descriptor FD is open on, if a regular
 * file, into *PATH (NULL if not, or if it has no name); *I gets what it
 * is.  -1 with ENOMEM. */
static int
output_file(int fd, const struct paths *ps, int recursive,
	    struct sys_info *i, char **path)
{
	*path = NULL;
	if (sys_fd_info(fd, i) < 0 || i->type != SYS_FILE)
		return 0;
	/* ENOENT: it was named, and the name leads elsewhere now */
	if ((*path = sys_fd_path(fd)) || errno == ENOENT || errno == ENOMEM)
		return *path || errno != ENOMEM ? 0 : -1;
	for (size_t k = 0; k < ps->n && !*path; k++)
		if (ps->real[k] && !(*path = anchor_find(ps->real[k], i->dev,
							  i->ino, recursive)) &&
		    errno == ENOMEM)
			return -1;
	return 0;
}

/* stdout and stderr, if regular files in a directory PATH: never
 * reported there, and said so. */
static int
place_output(struct filter *f, const struct paths *ps, int recursive,
	     void (*say)(void *, int, const char *), void *ctx)
{
	static const char *const what[] = {
		"fwatch's output goes there",
		"fwatch's error output goes there",
		"fwatch's output and error output go there",
	};
	struct sys_info info;
	char *path[2];
	int r = 0, both = 0;

	for (int k = 0; k < 2; k++)
		if (output_file(k + 1, ps, recursive, &info, &path[k]) < 0)
			r = -1;
	if (path[0] && path[1] && !strcmp(path[0], path[1])) {
		free(path[1]);
		path[1] = NULL;
		both = 1;
	}
	for (int k = 0; k < 2 && r == 0; k++) {
		const char *why = what[both ? 2 : k];
		for (size_t j = 0; path[k] && j < ps->n && r == 0; j++) {
			const char *b = ps->real[j] ? below(ps->real[j], path[k])
						    : NULL;
			size_t gl = strlen(ps->given[j]);
			char *top, *rest;
			if (!b || (!recursive && strchr(b, '/')))
				continue;
			if (filter_own(f, ps->key[j], b, strlen(b), why) < 0) {
				r = -1;
				break;
			}
			top = shown_as(ps->given[j]);
			rest = one_line(b);
			if (top && rest)
				tell(say, ctx, 0, "not reporting changes to "
				     "'%s%s%s': %s", top,
				     gl && ps->given[j][gl - 1] == '/' ? "" : "/",
				     rest, why);
			free(top);
			free(rest);
		}
	}
	free(path[0]);
	free(path[1]);
	return r;
}

int
anchor_filter(struct filter *f, char *const *paths, size_t n, int recursive,
	      void (*say)(void *ctx, int warning, const char *msg), void *ctx)
{
	struct paths ps;
	int r = paths_load(&ps, f, paths, n);
	if (r == 0)
		r = place_patterns(f, &ps, say, ctx);
	if (r == 0)
		r = place_output(f, &ps, recursive, say, ctx);
	paths_free(&ps);
	if (r < 0)
		errno = ENOMEM;
	return r;
}

/* ---- where a descriptor cannot be named ---------------------------------- */

/* A look for one file, by device and inode, below a directory. */
struct hunt {
	uint64_t dev, ino;
	int recursive;
	char *path;     /* the directory being listed, then an entry */
	size_t len, cap;
	char *found;    /* its canonical path, once found */
	char **subdirs; /* the directories of this listing, to go into */
	size_t nsub, capsub;
};

/* Put NAME after the directory's path (its first DL bytes). */
static int
hunt_name(struct hunt *h, size_t dl, const char *name, size_t len)
{
	if (dl + len + 2 > h->cap) {
		size_t cap = 2 * (dl + len + 2);
		char *np = realloc(h->path, cap);
		if (!np)
			return -1;
		h->path = np;
		h->cap = cap;
	}
	h->path[dl] = '/';
	memcpy(h->path + dl + 1, name, len);
	h->path[dl + 1 + len] = '\0';
	h->len = dl + 1 + len;
	return 0;
}

/* sys_pdir_list()'s visitor: the inode comes with the listing (d_ino;
 * Windows' file id), so a file costs a look only when its inode is the
 * one looked for, to see its device too where the listing has none. */
static int
hunt_entry(void *ctx, const char *name, size_t len, const struct sys_info *i)
{
	struct hunt *h = ctx;
	size_t dl = h->len;
	struct sys_info s;
	if (h->found)
		return 0;
	if (i->type == SYS_DIRECTORY && h->recursive) {
		char **nv, *sub;
		if (h->nsub == h->capsub) {
			size_t cap = h->capsub ? 2 * h->capsub : 8;
			if (!(nv = realloc(h->subdirs, cap * sizeof *nv)))
				return -1;
			h->subdirs = nv;
			h->capsub = cap;
		}
		if (hunt_name(h, dl, name, len) < 0 ||
		    !(sub = malloc(h->len + 1)))
			return -1;
		memcpy(sub, h->path, h->len + 1);
		h->subdirs[h->nsub++] = sub;
	} else if (i->type == SYS_FILE && i->ino == h->ino) {
		if (hunt_name(h, dl, name, len) < 0)
			return -1;
		/* a device of 0 is unknown (Wine's inherited handles) */
		if (!h->dev || (i->dev ? i->dev == h->dev
				       : sys_stat(h->path, &s) == 0 &&
						 s.ino == h->ino &&
						 s.dev == h->dev))
			h->found = sys_realpath(h->path);
	}
	h->len = dl;
	h->path[dl] = '\0';
	return 0;
}

/* Directory DIR and, if recursive, below: -1 with ENOMEM only. */
static int
hunt_in(struct hunt *h, const char *dir)
{
	struct sys_pdir *d = sys_pdir_open(dir, 0);
	size_t first = h->nsub, dl = strlen(dir);
	int r = 0;
	if (!d)
		return errno == ENOMEM ? -1 : 0; /* unreadable: not there */
	if (dl + 1 > h->cap) {
		char *np = realloc(h->path, dl + 256);
		if (!np) {
			sys_pdir_close(d);
			return -1;
		}
		h->path = np;
		h->cap = dl + 256;
	}
	memcpy(h->path, dir, dl + 1);
	h->len = dl;
	if (sys_pdir_list(d, 0, hunt_entry, h) < 0 && errno == ENOMEM)
		r = -1;
	sys_pdir_close(d);
	for (size_t k = first; k < h->nsub; k++) {
		if (r == 0 && !h->found)
			r = hunt_in(h, h->subdirs[k]);
		free(h->subdirs[k]);
	}
	h->nsub = first;
	return r;
}

char *
anchor_find(const char *dir, uint64_t dev, uint64_t ino, int recursive)
{
	struct hunt h = { dev, ino, recursive, NULL, 0, 0, NULL, NULL, 0, 0 };
	int r = ino ? hunt_in(&h, dir) : 0;
	free(h.path);
	free(h.subdirs);
	if (r < 0) {
		free(h.found);
		errno = ENOMEM;
		return NULL;
	}
	if (!h.found)
		errno = ENOENT;
	return h.found;
}
