/*
 * fan_parse.c - see fan_parse.h.
 *
 * An event is struct fanotify_event_metadata (event_len u32, vers u8,
 * reserved u8, metadata_len u16, mask u64, fd s32, pid s32) followed by
 * info records, each a header (info_type u8, pad u8, len u16) and its
 * body, all in the host's byte order.  Read through memcpy, so alignment
 * never matters, and every length is checked against what holds it.
 *
 * Hazards the kernel leaves to the reader:
 *   - Events still queued are merged: one event about the same name and
 *     object may carry several kinds (CREATE|MODIFY|CLOSE_WRITE|DELETE
 *     for a file written and removed by one process before it was read).
 *     Their order is gone; they come out in the order they must have
 *     happened: created, opened, read, written, changed, closed, deleted.
 *   - An event about a directory itself (its attributes, an open) names
 *     the directory and ".", not its parent and its name: it becomes a
 *     record on the directory's own watch (BE_CAP_SELF_NEWS), and for a
 *     directory not watched it cannot be placed at all.
 *   - A directory's own end is not reported (no FAN_DELETE_SELF is asked
 *     for: it would come for every file deleted on the filesystem); the
 *     delete or rename in its parent carries it as the target's handle,
 *     and that is turned into the records inotify would send on the
 *     directory's own watch.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fan_parse.h"
#include "strmap.h"

static uint32_t
u32_at(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static uint16_t
u16_at(const unsigned char *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

/* The fid info record of TYPE at P (LEN bytes, header included) into F.
 * -1 if it does not hold what it says it holds. */
static int
read_fid(const unsigned char *p, size_t len, int type, struct fp_fid *f)
{
	size_t hb, end;
	if (len < FP_FID_HEAD + FP_KEY_HEAD)
		return -1;
	hb = u32_at(p + FP_FID_HEAD + 8);
	if (hb > len - FP_FID_HEAD - FP_KEY_HEAD)
		return -1;
	f->key = p + FP_FID_HEAD;
	f->klen = FP_KEY_HEAD + hb;
	f->name = NULL;
	f->nlen = 0;
	if (type == FP_INFO_FID || type == FP_INFO_DFID)
		return 0;
	/* the name, NUL-terminated, then padding, inside the record */
	end = FP_FID_HEAD + f->klen;
	const char *nul = memchr(p + end, '\0', len - end);
	if (!nul)
		return -1;
	f->name = (const char *)(p + end);
	f->nlen = (size_t)(nul - f->name);
	return 0;
}

int
fp_event_at(const unsigned char *p, size_t len, struct fp_event *ev)
{
	uint32_t elen;
	size_t off;
	if (len < FP_META_LEN)
		return -1;
	elen = u32_at(p);
	off = u16_at(p + 6);
	if (elen < FP_META_LEN || elen > len || p[4] != FP_META_VERSION ||
	    off < FP_META_LEN || off > elen)
		return -1;
	memset(ev, 0, sizeof *ev);
	ev->len = elen;
	memcpy(&ev->mask, p + 8, sizeof ev->mask);
	while (off < elen) {
		struct fp_fid *f = NULL;
		size_t ilen;
		int type;
		if (elen - off < FP_FID_HEAD)
			return -1;
		type = p[off];
		ilen = u16_at(p + off + 2);
		if (ilen < FP_FID_HEAD || ilen > elen - off)
			return -1;
		if (type == FP_INFO_DFID_NAME || type == FP_INFO_DFID)
			f = &ev->dir;
		else if (type == FP_INFO_OLD_DFID_NAME)
			f = &ev->old;
		else if (type == FP_INFO_NEW_DFID_NAME)
			f = &ev->new;
		else if (type == FP_INFO_FID)
			f = &ev->child;
		/* others (a pidfd, an error) say nothing fwatch needs */
		if (f && read_fid(p + off, ilen, type, f) < 0)
			return -1;
		off += ilen;
	}
	return 0;
}

/* ---- records ------------------------------------------------------------ */

/* A record on watch ID.  NAME lies in the buffer parsed, or (NOFF not
 * NO_OFF) at NOFF in o->names, which may still move: fp_translate()
 * points such names there once every record is made. */
#define NO_OFF ((size_t)-1)
static int
add_at(struct fp_out *o, int id, unsigned flags, uint32_t cookie,
       const char *name, size_t nlen, size_t noff)
{
	struct fw_raw *r;
	if (GROW(o->recs, o->cap, o->n + 1) < 0 ||
	    GROW(o->noff, o->capoff, o->n + 1) < 0) {
		errno = ENOMEM;
		return -1;
	}
	o->noff[o->n] = noff;
	r = &o->recs[o->n++];
	r->id = id;
	r->flags = flags;
	r->cookie = cookie;
	r->name = name;
	r->name_len = nlen;
	return 0;
}

static int
add(struct fp_out *o, int id, unsigned flags, uint32_t cookie,
    const char *name, size_t nlen)
{
	return add_at(o, id, flags, cookie, name, nlen, NO_OFF);
}

/* A name fwatch can join to a path: one component, not "." or "..". */
static int
entry_name(const struct fp_fid *f)
{
	return f->name && f->nlen && !memchr(f->name, '/', f->nlen) &&
	       !(f->nlen <= 2 && f->name[0] == '.' &&
		 (f->nlen == 1 || f->name[1] == '.'));
}

/* "." after a directory's handle: the event is about that directory. */
static int
self_name(const struct fp_fid *f)
{
	return f->name && f->nlen == 1 && f->name[0] == '.';
}

/* What a record at place P says of entry F: its name below P's watch
 * (P's prefix, '/', F's name: put in o->names), or the directory itself
 * when F is "." (P's prefix alone, or "" on the directory's own watch). */
struct named {
	const char *name;
	size_t len, off;
};

static int
name_of(struct fp_out *o, const struct fp_place *p, const struct fp_fid *f,
	struct named *nm)
{
	int self = self_name(f);
	nm->off = NO_OFF;
	if (!p->prelen) {
		nm->name = self ? "" : f->name;
		nm->len = self ? 0 : f->nlen;
		return 0;
	}
	nm->name = NULL;
	nm->off = o->names.len;
	nm->len = p->prelen + (self ? 0 : 1 + f->nlen);
	if (buf_add(&o->names, p->pre, p->prelen) < 0 ||
	    (!self && (buf_add(&o->names, "/", 1) < 0 ||
		       buf_add(&o->names, f->name, f->nlen) < 0)) ||
	    buf_add(&o->names, "", 1) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static int
add_named(struct fp_out *o, int id, unsigned flags, uint32_t cookie,
	  const struct named *nm)
{
	return add_at(o, id, flags, cookie, nm->name, nm->len, nm->off);
}

/* The news of MASK that is not about names, as records on watch ID
 * (entry NM, or the directory itself for ""), in the order it must
 * have happened: opened, read, then written, changed and closed. */
static int
news(struct fp_out *o, int id, uint64_t mask, unsigned dir,
     const struct named *nm)
{
	unsigned rest = 0;
	if ((mask & FP_OPEN) && add_named(o, id, BE_OPEN | dir, 0, nm) < 0)
		return -1;
	if ((mask & FP_ACCESS) &&
	    add_named(o, id, BE_ACCESS | dir, 0, nm) < 0)
		return -1;
	if (mask & FP_MODIFY)
		rest |= BE_MODIFY;
	if (mask & FP_ATTRIB)
		rest |= BE_ATTRIB;
	if (mask & FP_CLOSE_WRITE)
		rest |= BE_CLOSE_WRITE;
	if (mask & FP_CLOSE_NOWRITE)
		rest |= BE_CLOSE_NOWR;
	return rest ? add_named(o, id, rest | dir, 0, nm) : 0;
}

/* How one translation asks where directories are watched. */
struct where {
	fp_lookup_fn lookup;
	fp_places_fn places; /* NULL: lookup's id, with no prefix */
	fp_gone_fn gone;
	void *ctx;
	size_t ev;           /* the event being translated */
	int unplaced;        /* an event no one could place */
};

/* The places of the directory F (SIDE of the event) into P; how many. */
static int
places_of(struct where *wh, int side, const struct fp_fid *f,
	  struct fp_place *p)
{
	int n;
	if (!f->key)
		return 0;
	if (!wh->places) {
		p->id = wh->lookup(wh->ctx, f->key, f->klen);
		p->pre = "";
		p->prelen = 0;
		return p->id >= 0;
	}
	n = wh->places(wh->ctx, wh->ev, side, f->key, f->klen, p);
	if (n < 0) {
		/* news about a directory itself that cannot be found: it is
		 * gone (the link count of one renamed over, or removed),
		 * which its parent's records say; entries of one may be
		 * ours, and are lost */
		if (!self_name(f))
			wh->unplaced = 1;
		return 0;
	}
	return n;
}

/* A rename: its two halves, each where it is watched, with one cookie;
 * and if a watched directory moved, the record on its own watch. */
static int
renamed(struct fp_out *o, const struct fp_event *ev, unsigned dir,
	struct where *wh)
{
	struct fp_place from[FP_PLACES], to[FP_PLACES];
	struct named nm;
	int nf = 0, nt = 0, self = -1;
	if (ev->old.key && entry_name(&ev->old))
		nf = places_of(wh, FP_SIDE_OLD, &ev->old, from);
	if (ev->new.key && entry_name(&ev->new))
		nt = places_of(wh, FP_SIDE_NEW, &ev->new, to);
	if (dir && ev->child.key)
		self = wh->lookup(wh->ctx, ev->child.key, ev->child.klen);
	if (!nf && !nt && self < 0) {
		o->dropped++;
		return 0;
	}
	if (++o->cookie == 0)
		o->cookie = 1;
	for (int i = 0; i < nf; i++)
		if (name_of(o, &from[i], &ev->old, &nm) < 0 ||
		    add_named(o, from[i].id, BE_MOVED_FROM | dir, o->cookie,
			      &nm) < 0)
			return -1;
	for (int i = 0; i < nt; i++)
		if (name_of(o, &to[i], &ev->new, &nm) < 0 ||
		    add_named(o, to[i].id, BE_MOVED_TO | dir, o->cookie,
			      &nm) < 0)
			return -1;
	return self >= 0 ? add(o, self, BE_SELF_MOVE | dir, 0, "", 0) : 0;
}

/* An event in a directory, or about one ("."), at place P. */
static int
in_place(struct fp_out *o, const struct fp_event *ev, unsigned dir,
	 const struct fp_place *p)
{
	const struct fp_fid *f = &ev->dir;
	uint64_t m = ev->mask;
	struct named nm;
	if (self_name(f)) {
		/* about the directory: on its own watch, or as an entry of
		 * the subtree it is in */
		if (name_of(o, p, f, &nm) < 0)
			return -1;
		return news(o, p->id, m, p->prelen ? dir | BE_ISDIR : dir, &nm);
	}
	if (!entry_name(f))
		return 0;
	if (name_of(o, p, f, &nm) < 0)
		return -1;
	if ((m & FP_CREATE) && add_named(o, p->id, BE_CREATE | dir, 0, &nm) < 0)
		return -1;
	if (news(o, p->id, m, dir, &nm) < 0)
		return -1;
	if ((m & FP_DELETE) && add_named(o, p->id, BE_DELETE | dir, 0, &nm) < 0)
		return -1;
	return 0;
}

/* An event in a directory, or about one ("."). */
static int
in_dir(struct fp_out *o, const struct fp_event *ev, unsigned dir,
       struct where *wh)
{
	struct fp_place p[FP_PLACES];
	int n = places_of(wh, FP_SIDE_DIR, &ev->dir, p), self = -1;
	for (int i = 0; i < n; i++)
		if (in_place(o, ev, dir, &p[i]) < 0)
			return -1;
	/* a watched directory deleted: its last word, on its own watch,
	 * whether its parent is watched or not (a PATH) */
	if ((ev->mask & FP_DELETE) && dir && ev->child.key)
		self = wh->lookup(wh->ctx, ev->child.key, ev->child.klen);
	if (self >= 0) {
		if (add(o, self, BE_SELF_DELETE | BE_IGNORED | dir, 0, "", 0) < 0)
			return -1;
		wh->gone(wh->ctx, self);
	} else if (!n) {
		o->dropped++;
	}
	return 0;
}

int
fp_split(struct fp_batch *b, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t off = 0;
	b->n = 0;
	b->malformed = 0;
	while (off < len) {
		if (GROW(b->ev, b->cap, b->n + 1) < 0) {
			errno = ENOMEM;
			return -1;
		}
		if (fp_event_at(p + off, len - off, &b->ev[b->n]) < 0) {
			/* what follows cannot be trusted: the core rescans */
			b->malformed = 1;
			return 0;
		}
		off += b->ev[b->n++].len;
	}
	return 0;
}

int
fp_translate(struct fp_out *o, const struct fp_batch *b, fp_lookup_fn lookup,
	     fp_places_fn places, fp_gone_fn gone, void *ctx)
{
	struct where wh = { lookup, places, gone, ctx, 0, 0 };
	size_t first = o->n;
	int r = 0;
	for (wh.ev = 0; r == 0 && wh.ev < b->n; wh.ev++) {
		const struct fp_event *ev = &b->ev[wh.ev];
		unsigned dir = ev->mask & FP_ONDIR ? BE_ISDIR : 0;
		if (ev->mask & FP_Q_OVERFLOW)
			r = add(o, -1, BE_OVERFLOW, 0, "", 0);
		else if (ev->mask & FP_RENAME)
			r = renamed(o, ev, dir, &wh);
		else
			r = in_dir(o, ev, dir, &wh);
	}
	/* events no one could place may have been ours: say they were
	 * lost, once */
	if (r == 0 && (wh.unplaced || o->lost)) {
		o->unplaced += !!wh.unplaced;
		o->lost = 0;
		r = add(o, -1, BE_OVERFLOW, 0, "", 0);
	}
	if (r == 0 && b->malformed) {
		o->malformed++;
		r = add(o, -1, BE_OVERFLOW, 0, "", 0);
	}
	for (size_t i = first; i < o->n; i++)
		if (o->noff[i] != NO_OFF)
			o->recs[i].name = o->names.p + o->noff[i];
	return r;
}

int
fp_parse(struct fp_out *o, const void *buf, size_t len, fp_lookup_fn lookup,
	 fp_gone_fn gone, void *ctx)
{
	if (fp_split(&o->evs, buf, len) < 0)
		return -1;
	return fp_translate(o, &o->evs, lookup, NULL, gone, ctx);
}

void
fp_reset(struct fp_out *o)
{
	o->n = 0;
	o->names.len = 0;
}

void
fp_free(struct fp_out *o)
{
	free(o->recs);
	free(o->noff);
	free(o->names.p);
	free(o->evs.ev);
	memset(o, 0, sizeof *o);
}
