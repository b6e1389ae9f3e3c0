/*
 * fse_translate.c - see fse_translate.h.
 *
 * Hazard: every record is read against the disk when it is translated,
 * not when it happened; what changed since (a later record is on its
 * way) is told by that later record.  The order chosen for one
 * coalesced record is the one that explains the state found, not
 * necessarily the one that happened (created, removed and created again
 * reads as removed, then created).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fse_translate.h"

#define DROPPED                                                               \
	(FSE_MUST_SCAN_SUBDIRS | FSE_USER_DROPPED | FSE_KERNEL_DROPPED |      \
	 FSE_IDS_WRAPPED | FSE_MOUNT | FSE_UNMOUNT)
#define ATTRIBS                                                               \
	(FSE_INODE_META_MOD | FSE_FINDER_INFO_MOD | FSE_CHANGE_OWNER |        \
	 FSE_XATTR_MOD)
#define ITEM                                                                  \
	(FSE_CREATED | FSE_REMOVED | FSE_RENAMED | FSE_MODIFIED | ATTRIBS |   \
	 FSE_CLONED)
#define TYPES (FSE_IS_FILE | FSE_IS_DIR | FSE_IS_SYMLINK)

/* The old half of a rename waiting in this batch for its new half. */
struct half {
	long rec;        /* its record; -1: none; -2: from the last batch */
	uint64_t id, ino;
	uint32_t cookie;
	int occupied;    /* its name holds a new object now: created after */
	size_t name;     /* the name's offset, for that create */
	size_t name_len;
	unsigned occ_dir;
};

/* Until fse_done(), a record's name is an offset into o->names. */
static int
add(struct fse_out *o, int id, unsigned flags, uint32_t cookie, size_t off,
    size_t len)
{
	struct fw_raw *x;
	if (GROW(o->recs, o->cap, o->n + 1) < 0)
		return -1;
	x = &o->recs[o->n++];
	x->id = id;
	x->flags = flags;
	x->cookie = cookie;
	x->name = (const char *)(uintptr_t)off;
	x->name_len = len;
	return 0;
}

static uint32_t
new_cookie(struct fse_out *o)
{
	if (!++o->cookie)
		++o->cookie;
	return o->cookie;
}

/* The old half H has no partner here: it went out of the tree.  Then
 * what now holds its name came. */
static int
lone(struct fse_out *o, struct fse_root *r, struct half *h)
{
	if (h->rec >= 0) {
		o->recs[h->rec].flags ^= BE_MOVED_FROM | BE_DELETE;
		o->recs[h->rec].cookie = 0;
	}
	if (h->rec >= 0 && h->occupied &&
	    add(o, r->id, BE_CREATE | h->occ_dir, 0, h->name, h->name_len) < 0)
		return -1;
	h->rec = -1;
	return 0;
}

/* Its new half came (DIR, at OFF and LEN): then what now holds the old
 * name came (after: the core would take a record about the old name
 * before the new half as the end of the rename). */
static int
paired(struct fse_out *o, struct fse_root *r, struct half *h, unsigned dir,
       size_t off, size_t len)
{
	int occupied = h->rec >= 0 && h->occupied;
	h->rec = -1;
	if (add(o, r->id, BE_MOVED_TO | dir, h->cookie, off, len) < 0)
		return -1;
	return occupied ? add(o, r->id, BE_CREATE | h->occ_dir, 0, h->name,
			      h->name_len)
			: 0;
}

/* ENTRY (the path below R, at OFF and LEN in the names) was renamed. */
static int
renamed(struct fse_out *o, struct fse_root *r, const struct fse_event *e,
	size_t off, size_t len, int there, const struct fse_stat *st,
	struct half *h)
{
	unsigned f = e->flags;
	int same = there && (!e->ino || !st->ino || e->ino == st->ino);
	if (same) { /* the new half */
		unsigned dir = st->isdir ? BE_ISDIR : 0;
		int match = 0;
		if (h->rec != -1) {
			if (e->ino && h->ino)
				match = e->ino == h->ino;
			else
				match = e->id == h->id + 1 || h->rec >= 0;
		}
		if (match) {
			if (paired(o, r, h, dir, off, len) < 0)
				return -1;
		} else if (lone(o, r, h) < 0 ||
			   add(o, r->id, BE_CREATE | dir, 0, off, len) < 0) {
			return -1;
		}
		if ((f & FSE_MODIFIED) && !st->isdir &&
		    add(o, r->id, BE_MODIFY, 0, off, len) < 0)
			return -1;
		if ((f & ATTRIBS) &&
		    add(o, r->id, BE_ATTRIB | dir, 0, off, len) < 0)
			return -1;
		return 0;
	}
	/* the old half: a partner may follow */
	if (lone(o, r, h) < 0)
		return -1;
	h->rec = (long)o->n;
	h->id = e->id;
	h->ino = e->ino;
	h->cookie = new_cookie(o);
	h->occupied = there;
	h->occ_dir = there && st->isdir ? BE_ISDIR : 0;
	h->name = off;
	h->name_len = len;
	return add(o, r->id, BE_MOVED_FROM | (f & FSE_IS_DIR ? BE_ISDIR : 0),
		   h->cookie, off, len);
}

/* An entry's record that is not a rename. */
static int
changed(struct fse_out *o, struct fse_root *r, const struct fse_event *e,
	size_t off, size_t len, int there, const struct fse_stat *st)
{
	unsigned f = e->flags, dir = f & FSE_IS_DIR ? BE_ISDIR : 0;
	if (!there) /* its removal, if said: what went */
		return (f & FSE_REMOVED)
			       ? add(o, r->id, BE_DELETE | dir, 0, off, len)
			       : 0;
	dir = st->isdir ? BE_ISDIR : 0;
	if (f & FSE_REMOVED) {
		/* what went was a directory if only a directory is named,
		 * or if a directory went and something else is here now */
		int was_dir = (f & FSE_IS_DIR) &&
			      (!st->isdir || !(f & (TYPES & ~FSE_IS_DIR)));
		if (add(o, r->id, BE_DELETE | (was_dir ? BE_ISDIR : 0), 0, off,
			len) < 0 ||
		    add(o, r->id, BE_CREATE | dir, 0, off, len) < 0)
			return -1;
	} else if ((f & (FSE_CREATED | FSE_CLONED)) &&
		   add(o, r->id, BE_CREATE | dir, 0, off, len) < 0) {
		return -1;
	}
	if ((f & FSE_MODIFIED) && !dir &&
	    add(o, r->id, BE_MODIFY, 0, off, len) < 0)
		return -1;
	if ((f & ATTRIBS) && add(o, r->id, BE_ATTRIB | dir, 0, off, len) < 0)
		return -1;
	return 0;
}

/* Is R's directory still the one watched? */
static int
root_here(struct fse_root *r, fse_look_fn look, void *ctx)
{
	struct fse_stat st;
	return look(ctx, r->path, &st) == 0 && st.isdir &&
	       (!r->ino || !st.ino || st.ino == r->ino);
}

/* A record about R's directory itself (its name ""). */
static int
root_record(struct fse_out *o, struct fse_root *r, unsigned f,
	    fse_look_fn look, void *ctx)
{
	if (!root_here(r, look, ctx)) {
		r->gone = 1;
		return add(o, r->id, BE_SELF_DELETE | BE_IGNORED, 0, 0, 0);
	}
	if (f & ATTRIBS)
		return add(o, r->id, BE_ATTRIB | BE_ISDIR, 0, 0, 0);
	return 0;
}

/* The part of PATH below R's directory: its offset, or -1 outside. */
static long
below(const struct fse_root *r, const char *path, size_t len)
{
	size_t rl = r->len;
	while (rl > 1 && r->path[rl - 1] == '/')
		rl--;
	if (len < rl || memcmp(path, r->path, rl))
		return -1;
	if (len == rl)
		return (long)len;
	if (rl == 1 && r->path[0] == '/') /* the root of the filesystem */
		return 1;
	return path[rl] == '/' ? (long)rl + 1 : -1;
}

/* What happened at PATH (LEN bytes) and below it is lost: an overflow
 * of that subtree of R's, or of R's whole directory if PATH is not
 * below it (a volume's root, an ancestor) or R sees only its own
 * entries. */
static int
lost(struct fse_out *o, struct fse_root *r, const char *path, size_t len)
{
	size_t off = o->names.len, nl;
	long at;
	while (len > 1 && path[len - 1] == '/')
		len--;
	if ((at = below(r, path, len)) < 0 || !r->subtree ||
	    !(nl = len - (size_t)at))
		return add(o, r->id, BE_OVERFLOW, 0, 0, 0);
	if (buf_add(&o->names, path + at, nl) < 0 ||
	    buf_add(&o->names, "", 1) < 0)
		return -1;
	return add(o, r->id, BE_OVERFLOW, 0, off, nl);
}

static int
one(struct fse_out *o, struct fse_root *r, const struct fse_event *e,
    fse_look_fn look, void *ctx, struct half *h)
{
	unsigned f = e->flags;
	size_t len = strlen(e->path), off, nl;
	long at;
	struct fse_stat st;
	int there;

	if (f & FSE_IDS_WRAPPED) {
		r->since = 0; /* ids start again from small ones */
		return add(o, r->id, BE_OVERFLOW, 0, 0, 0);
	}
	if (f & DROPPED)
		return lost(o, r, e->path, len);
	if (f & FSE_ROOT_CHANGED) {
		if (root_here(r, look, ctx))
			return add(o, r->id, BE_OVERFLOW, 0, 0, 0);
		r->gone = 1;
		return add(o, r->id, BE_SELF_DELETE | BE_IGNORED, 0, 0, 0);
	}
	if (!(f & ITEM) || (r->since && e->id <= r->since))
		return 0; /* HistoryDone, or history */
	while (len > 1 && e->path[len - 1] == '/')
		len--;
	if ((at = below(r, e->path, len)) < 0)
		return 0;
	nl = len - (size_t)at;
	if (!nl)
		return root_record(o, r, f, look, ctx);
	if (!r->subtree && memchr(e->path + at, '/', nl))
		return 0;
	off = o->names.len;
	if (buf_add(&o->names, e->path + at, nl) < 0 ||
	    buf_add(&o->names, "", 1) < 0)
		return -1;
	memset(&st, 0, sizeof st);
	there = look(ctx, e->path, &st) == 0;
	if (f & FSE_RENAMED)
		return renamed(o, r, e, off, nl, there, &st, h);
	return changed(o, r, e, off, nl, there, &st);
}

int
fse_translate(struct fse_out *o, struct fse_root *r,
	      const struct fse_event *ev, size_t n, fse_look_fn look,
	      void *ctx)
{
	struct half h;
	memset(&h, 0, sizeof h);
	h.rec = r->pend ? -2 : -1;
	h.id = r->pend_id;
	h.ino = r->pend_ino;
	h.cookie = r->pend_cookie;
	r->pend = 0;
	for (size_t i = 0; i < n && !r->gone; i++)
		if (one(o, r, &ev[i], look, ctx, &h) < 0) {
			errno = ENOMEM;
			return -1;
		}
	if (h.rec >= 0 && !r->gone) {
		/* its partner may open the next batch */
		r->pend = 1;
		r->pend_id = h.id;
		r->pend_ino = h.ino;
		r->pend_cookie = h.cookie;
		if (h.occupied &&
		    add(o, r->id, BE_CREATE | h.occ_dir, 0, h.name,
			h.name_len) < 0) {
			errno = ENOMEM;
			return -1;
		}
	}
	return 0;
}

int
fse_reset(struct fse_out *o)
{
	o->n = 0;
	o->names.len = 0;
	return buf_add(&o->names, "", 1); /* offset 0: the name "" */
}

void
fse_done(struct fse_out *o)
{
	for (size_t i = 0; i < o->n; i++)
		o->recs[i].name =
			o->names.p + (size_t)(uintptr_t)o->recs[i].name;
}

void
fse_free(struct fse_out *o)
{
	free(o->recs);
	free(o->names.p);
	memset(o, 0, sizeof *o);
}
