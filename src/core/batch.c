/*
 * batch.c - the batch of events being made, and the messages.
 *
 * Whether an event is wanted (--event, the filters); appending it, its
 * strings in one arena (w->out) reset per batch, so an event costs no
 * malloc; dropping an event equal to the last one for its path;
 * placeholders, kept where something happened until it is known what it
 * was (a "moved from" becomes a rename or stays a delete); running out
 * of memory while making it; handing the batch out as fw_events; giving
 * its memory back when fwatch goes idle.  And the one-line messages:
 * warnings and the last error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../filter.h"
#include "core.h"

/* The kinds of plain news, which say something about what is there. */
#define PLAIN_KINDS                                                         \
	(FW_BIT(FW_MODIFY) | FW_BIT(FW_ATTRIB) | FW_BIT(FW_CLOSE_WRITE) |    \
	 FW_BIT(FW_CLOSE_NOWRITE) | FW_BIT(FW_OPEN) | FW_BIT(FW_ACCESS))

const struct plain plain[NPLAIN] = {
	{ BE_MODIFY, FW_MODIFY },
	{ BE_ATTRIB, FW_ATTRIB },
	{ BE_CLOSE_WRITE, FW_CLOSE_WRITE },
	{ BE_CLOSE_NOWR, FW_CLOSE_NOWRITE },
	{ BE_OPEN, FW_OPEN },
	{ BE_ACCESS, FW_ACCESS },
};

/* ---- what is reported --------------------------------------------------- */

/* Would an event of KIND on PATH (REL: where the part below ROOT starts)
 * be reported? */
int
wanted(fw_watcher *w, enum fw_kind kind, unsigned flags, int root,
       const char *path, size_t len, size_t rel)
{
	if (!(w->report & FW_BIT(kind)))
		return 0;
	if (root < 0 || kind == FW_OVERFLOW)
		return 1;
	return shown(w, root, path, len, rel, !!(flags & FW_EV_DIR));
}

/* A rename is reported if either of its paths passes the filters. */
static int
wanted_rename(fw_watcher *w, unsigned flags, int root, const char *path,
	      size_t len, size_t rel, const char *old, size_t oldlen,
	      size_t oldrel)
{
	return wanted(w, FW_RENAME, flags, root, path, len, rel) ||
	       wanted(w, FW_RENAME, flags, root, old, oldlen, oldrel);
}

/* Event I of the batch is what it will be: drop it unless reported. */
void
decide(fw_watcher *w, int i)
{
	struct iev *e = &w->ev[i];
	if (!wanted(w, e->kind, e->flags, e->root, w->out.p + e->path,
		    e->path_len,
		    e->rel))
		e->kind = DROPPED;
}

/* ---- running out of memory ---------------------------------------------- */

/*
 * Memory ran out while the batch or the tree was being made: an event
 * may be missing, or the tree may no longer say where things are.  No
 * silent loss: the batch ends with an overflow, as when the kernel
 * loses records, and everything is rescanned (read_batch() in watch.c),
 * which rebuilds the truth.  Every room calls this where an allocation
 * failed and something would be lost.
 */
void
lost(fw_watcher *w)
{
	w->lost = 1;
	w->need_rescan = 1;
}

/* Say lost() was called: an overflow record.  -1 with ENOMEM if even
 * that cannot be said. */
int
batch_lost(fw_watcher *w)
{
	int last = smap_get(&w->seen, "", 0);
	w->lost = 0;
	if (last >= 0 && w->ev[last].kind == FW_OVERFLOW)
		return 0; /* the kernel lost records too: said once */
	if (append(w, FW_OVERFLOW, 0, -1, "", 0, 0) >= 0)
		return 0;
	errno = ENOMEM;
	return -1;
}

/* The path of node N (and NAME in it, if given) into w->scratch, for an
 * event: its root, or -1 (lost()) if out of memory. */
int
event_path(fw_watcher *w, int n, const char *name, size_t len, size_t *rel)
{
	int root = node_path(w, n, name, len, &w->scratch, rel);
	if (root < 0)
		lost(w);
	return root;
}

/* ---- making the batch --------------------------------------------------- */

/* S (N bytes) and a NUL into the batch's strings: its offset, or -1. */
static int
add_str(fw_watcher *w, const char *s, size_t n, size_t *off)
{
	size_t at = w->out.len;
	if (buf_add(&w->out, s, n) < 0 || buf_add(&w->out, "", 1) < 0) {
		w->out.len = at;
		return -1;
	}
	*off = at;
	return 0;
}

/* Append an event to the batch, unconditionally.  Its index, or -1
 * (lost()) if out of memory. */
int
append(fw_watcher *w, enum fw_kind kind, unsigned flags, int root,
       const char *path, size_t len, size_t rel)
{
	struct iev *e;
	size_t off;
	if (GROW(w->ev, w->capev, w->nev + 1) < 0 ||
	    add_str(w, path, len, &off) < 0) {
		lost(w);
		return -1;
	}
	e = &w->ev[w->nev];
	e->kind = kind;
	e->flags = flags;
	e->root = root;
	e->rel = rel < len ? rel : len;
	e->sec = w->sec;
	e->usec = w->usec;
	e->size = -1;
	e->file = NULL;
	e->path = off;
	e->path_len = len;
	e->old = 0;
	e->old_len = 0;
	smap_put(&w->seen, e->path, len, (int)w->nev);
	return (int)w->nev++;
}

/* Is KIND on PATH, with FLAGS, news after what the batch holds? */
static int
news(fw_watcher *w, enum fw_kind kind, unsigned flags, const char *path,
     size_t len)
{
	int last = smap_get(&w->seen, path, len);
	if (last < 0)
		return 1;
	const struct iev *l = &w->ev[last];
	/* One save can write a file hundreds of times: an event equal to
	 * the last one for its path in this batch says nothing new. */
	if (l->kind == kind && l->flags == flags)
		return 0;
	/* a write racing the unlink: the kernel may name the file once
	 * more after its delete; it is not there */
	return !(l->kind == FW_DELETE && (FW_BIT(kind) & PLAIN_KINDS));
}

/* Report KIND on PATH (REL: where the part below ROOT starts), unless
 * it is not wanted or says nothing new. */
void
emit(fw_watcher *w, enum fw_kind kind, unsigned flags, int root,
     const char *path, size_t len, size_t rel)
{
	if (wanted(w, kind, flags, root, path, len, rel) &&
	    news(w, kind, flags, path, len))
		append(w, kind, flags, root, path, len, rel);
}

/* Report the rename of OLD (OLDREL: its part below the root) to PATH. */
void
emit_rename(fw_watcher *w, unsigned flags, int root, const char *path,
	    size_t len, size_t rel, const char *old, size_t oldlen,
	    size_t oldrel)
{
	size_t off;
	int i;
	if (!wanted_rename(w, flags, root, path, len, rel, old, oldlen,
			   oldrel))
		return;
	if (add_str(w, old, oldlen, &off) < 0) {
		lost(w);
		return;
	}
	if ((i = append(w, FW_RENAME, flags, root, path, len, rel)) < 0)
		return;
	w->ev[i].old = off;
	w->ev[i].old_len = oldlen;
	smap_put(&w->seen, off, oldlen, i);
}

/* Placeholder I, an event at the old path of a move, becomes the
 * rename to PATH (REL: where the part below ROOT starts), where the
 * move began; dropped if neither path is wanted.  -1 (lost()) if out of
 * memory; I is unchanged then. */
int
become_rename(fw_watcher *w, int i, int root, const char *path, size_t len,
	      size_t rel)
{
	struct iev *e = &w->ev[i];
	size_t off, orel = e->rel;
	if (add_str(w, path, len, &off) < 0) {
		lost(w);
		return -1;
	}
	e->old = e->path;
	e->old_len = e->path_len;
	e->kind = FW_RENAME;
	e->root = root;
	e->path = off;
	e->path_len = len;
	e->rel = rel < len ? rel : len;
	smap_put(&w->seen, off, len, i);
	if (!wanted_rename(w, e->flags, root, w->out.p + e->path, len, e->rel,
			   w->out.p + e->old, e->old_len, orel))
		e->kind = DROPPED;
	return 0;
}

/* ---- new files' content ------------------------------------------------ */

struct born_rec { /* a file reported created in this read (w->born) */
	int root;
	unsigned flags;
	size_t rel, len; /* then LEN bytes of its path */
};

/* The backend reported the file at PATH created.  Without
 * BE_CAP_BIRTH_WRITES it may have been written before the backend could
 * say so: look at it once the read is over (born_look() in scan.c). */
void
born_note(fw_watcher *w, unsigned flags, int root, const char *path,
	  size_t len, size_t rel)
{
	struct born_rec b = { root, flags, rel, len };
	size_t at = w->born.len;
	if ((w->caps & BE_CAP_BIRTH_WRITES) ||
	    !(w->report & FW_BIT(FW_MODIFY)))
		return;
	if (buf_add(&w->born, (const char *)&b, sizeof b) < 0 ||
	    buf_add(&w->born, path, len) < 0) {
		w->born.len = at;
		lost(w);
	}
}

/* The next file born_note() put aside, from *OFF on: 0 at the end. */
int
born_next(const fw_watcher *w, size_t *off, int *root, unsigned *flags,
	  const char **path, size_t *len, size_t *rel)
{
	struct born_rec b;
	if (*off + sizeof b > w->born.len)
		return 0;
	memcpy(&b, w->born.p + *off, sizeof b);
	*root = b.root;
	*flags = b.flags;
	*rel = b.rel;
	*len = b.len;
	*path = w->born.p + *off + sizeof b;
	*off += sizeof b + b.len;
	return 1;
}

/* ---- handing it out ----------------------------------------------------- */

/* A new batch: nothing in it. */
void
batch_reset(fw_watcher *w)
{
	w->nev = 0;
	w->out.len = 0;
	if (w->seen.used)
		smap_clear(&w->seen);
}

/* The batch as the caller sees it, in *evs: how many events, or -1. */
int
batch_out(fw_watcher *w, const struct fw_event **evs)
{
	size_t nout = 0;
	if (GROW(w->fev, w->capfev, w->nev) < 0)
		return -1;
	for (size_t i = 0; i < w->nev; i++) {
		const struct iev *e = &w->ev[i];
		struct fw_event *o = &w->fev[nout];
		if (e->kind == DROPPED)
			continue;
		nout++;
		o->kind = e->kind;
		o->flags = e->flags;
		o->path = w->out.p + e->path;
		o->path_len = e->path_len;
		o->old_path = e->kind == FW_RENAME ? w->out.p + e->old : NULL;
		o->old_len = e->old_len;
		o->root = e->root >= 0 ? w->roots[e->root].given : NULL;
		o->rel = e->rel;
		o->sec = e->sec;
		o->usec = e->usec;
		o->size = e->size < -1 ? -1 : e->size;
		o->file = e->file;
	}
	*evs = w->fev;
	return (int)nout;
}

/* ---- when idle ---------------------------------------------------------- */

/* Past these, buffers are given back when fwatch goes idle: one large
 * burst must not keep its memory for the rest of the run. */
#define KEEP_BYTES 4096
#define KEEP_ITEMS 64

/* Free buffer B, empty, if it grew past KEEP_BYTES; 1 if it did. */
int
drop_buf(struct buf *b)
{
	if (b->cap <= KEEP_BYTES || b->len)
		return 0;
	free(b->p);
	b->p = NULL;
	b->cap = 0;
	return 1;
}

/* The same for map M. */
int
drop_map(struct smap *m)
{
	if (m->cap <= KEEP_ITEMS || m->used)
		return 0;
	smap_free(m);
	return 1;
}

/* The same for the array *P of *CAP items. */
int
drop_array(void **p, size_t *cap)
{
	if (*cap <= KEEP_ITEMS)
		return 0;
	free(*p);
	*p = NULL;
	*cap = 0;
	return 1;
}

/* About to sleep: give back what the last burst grew; 1 if anything. */
int
batch_trim(fw_watcher *w)
{
	w->out.len = 0;
	return drop_buf(&w->out) | drop_map(&w->seen) | drop_buf(&w->born) |
	       DROP_ARRAY(w->ev, w->capev) | DROP_ARRAY(w->fev, w->capfev);
}

/* ---- messages ----------------------------------------------------------- */

/* w->err = "WHAT 'PATH': A B C".  The path is escaped as text output
 * escapes it (output.c's put_path: \\, \n, \t, \r, else \xHH below 0x20
 * and for 0x7f): a name must not split a message or forge a line. */
void
say_path(fw_watcher *w, const char *what, const char *path, const char *a,
	 const char *b, const char *c)
{
	static const char hex[] = "0123456789abcdef";
	w->err.len = 0;
	buf_add(&w->err, what, strlen(what));
	buf_add(&w->err, " '", 2);
	for (const char *p = path; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		char e[4] = { '\\', (char)ch, 0, 0 };
		size_t n = 2;
		if (ch >= 0x20 && ch != 0x7f && ch != '\\')
			e[0] = (char)ch, n = 1;
		else if (ch == '\n')
			e[1] = 'n';
		else if (ch == '\t')
			e[1] = 't';
		else if (ch == '\r')
			e[1] = 'r';
		else if (ch != '\\')
			e[1] = 'x', e[2] = hex[ch >> 4], e[3] = hex[ch & 15],
			n = 4;
		buf_add(&w->err, e, n);
	}
	buf_add(&w->err, "': ", 3);
	buf_add(&w->err, a, strlen(a));
	buf_add(&w->err, b, strlen(b));
	buf_add(&w->err, c, strlen(c));
}

/* A warning: PATH cannot be watched (ERR), and WHAT follows from it. */
void
warnf(fw_watcher *w, const char *path, int err, const char *what)
{
	char hint[512];
	const char *h;
	if (!w->cfg.warn)
		return;
	h = w->ops->limit_hint(w->be, err, 0, hint, sizeof hint);
	say_path(w, "cannot watch", path, h ? h : strerror(err), "; ", what);
	if (w->err.p)
		w->cfg.warn(w->cfg.ctx, w->err.p);
}

/* The error for fw_error(): PATH cannot be watched (ERR); NEEDED, if
 * not 0, is how many watches the tree needs, for a limit's hint. */
void
set_err(fw_watcher *w, const char *path, int err, size_t needed)
{
	char hint[512];
	const char *h = w->ops->limit_hint(w->be, err, needed, hint, sizeof hint);
	if (h)
		say_path(w, "cannot watch", path, h, "", "");
	else
		say_path(w, "cannot watch", path, strerror(err),
			 err == ENOENT ? " (check the path)"
			 : err == EACCES ? " (check its permissions)" : "",
			 "");
}
