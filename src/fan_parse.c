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

static int
add(struct fp_out *o, int id, unsigned flags, uint32_t cookie,
    const char *name, size_t nlen)
{
	struct fw_raw *r;
	if (GROW(o->recs, o->cap, o->n + 1) < 0) {
		errno = ENOMEM;
		return -1;
	}
	r = &o->recs[o->n++];
	r->id = id;
	r->flags = flags;
	r->cookie = cookie;
	r->name = name;
	r->name_len = nlen;
	return 0;
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

/* The news of MASK that is not about names, as records on watch ID
 * (entry NAME, or the directory itself for ""), in the order it must
 * have happened: opened, read, then written, changed and closed. */
static int
news(struct fp_out *o, int id, uint64_t mask, unsigned dir, const char *name,
     size_t nlen)
{
	unsigned rest = 0;
	if ((mask & FP_OPEN) && add(o, id, BE_OPEN | dir, 0, name, nlen) < 0)
		return -1;
	if ((mask & FP_ACCESS) &&
	    add(o, id, BE_ACCESS | dir, 0, name, nlen) < 0)
		return -1;
	if (mask & FP_MODIFY)
		rest |= BE_MODIFY;
	if (mask & FP_ATTRIB)
		rest |= BE_ATTRIB;
	if (mask & FP_CLOSE_WRITE)
		rest |= BE_CLOSE_WRITE;
	if (mask & FP_CLOSE_NOWRITE)
		rest |= BE_CLOSE_NOWR;
	return rest ? add(o, id, rest | dir, 0, name, nlen) : 0;
}

/* A rename: its two halves, each where it is watched, with one cookie;
 * and if a watched directory moved, the record on its own watch. */
static int
renamed(struct fp_out *o, const struct fp_event *ev, unsigned dir,
	fp_lookup_fn lookup, void *ctx)
{
	int from = -1, to = -1, self = -1;
	if (ev->old.key && entry_name(&ev->old))
		from = lookup(ctx, ev->old.key, ev->old.klen);
	if (ev->new.key && entry_name(&ev->new))
		to = lookup(ctx, ev->new.key, ev->new.klen);
	if (dir && ev->child.key)
		self = lookup(ctx, ev->child.key, ev->child.klen);
	if (from < 0 && to < 0 && self < 0) {
		o->dropped++;
		return 0;
	}
	if (++o->cookie == 0)
		o->cookie = 1;
	if (from >= 0 && add(o, from, BE_MOVED_FROM | dir, o->cookie,
			     ev->old.name, ev->old.nlen) < 0)
		return -1;
	if (to >= 0 && add(o, to, BE_MOVED_TO | dir, o->cookie, ev->new.name,
			   ev->new.nlen) < 0)
		return -1;
	return self >= 0 ? add(o, self, BE_SELF_MOVE | dir, 0, "", 0) : 0;
}

/* An event in a directory, or about one (".").  */
static int
in_dir(struct fp_out *o, const struct fp_event *ev, unsigned dir,
       fp_lookup_fn lookup, fp_gone_fn gone, void *ctx)
{
	const struct fp_fid *f = &ev->dir;
	uint64_t m = ev->mask;
	int d = f->key ? lookup(ctx, f->key, f->klen) : -1, self = -1;

	if (d >= 0 && self_name(f))
		return news(o, d, m, dir, "", 0);
	if (d >= 0 && entry_name(f)) {
		if ((m & FP_CREATE) &&
		    add(o, d, BE_CREATE | dir, 0, f->name, f->nlen) < 0)
			return -1;
		if (news(o, d, m, dir, f->name, f->nlen) < 0)
			return -1;
		if ((m & FP_DELETE) &&
		    add(o, d, BE_DELETE | dir, 0, f->name, f->nlen) < 0)
			return -1;
	}
	/* a watched directory deleted: its last word, on its own watch,
	 * whether its parent is watched or not (a PATH) */
	if ((m & FP_DELETE) && dir && ev->child.key)
		self = lookup(ctx, ev->child.key, ev->child.klen);
	if (self >= 0) {
		if (add(o, self, BE_SELF_DELETE | BE_IGNORED | dir, 0, "", 0) < 0)
			return -1;
		gone(ctx, self);
	} else if (d < 0) {
		o->dropped++;
	}
	return 0;
}

int
fp_parse(struct fp_out *o, const void *buf, size_t len, fp_lookup_fn lookup,
	 fp_gone_fn gone, void *ctx)
{
	const unsigned char *p = buf;
	struct fp_event ev;
	size_t off = 0;
	while (off < len) {
		if (fp_event_at(p + off, len - off, &ev) < 0) {
			/* what follows cannot be trusted: the core rescans */
			o->malformed++;
			return add(o, -1, BE_OVERFLOW, 0, "", 0);
		}
		off += ev.len;
		unsigned dir = ev.mask & FP_ONDIR ? BE_ISDIR : 0;
		int r;
		if (ev.mask & FP_Q_OVERFLOW)
			r = add(o, -1, BE_OVERFLOW, 0, "", 0);
		else if (ev.mask & FP_RENAME)
			r = renamed(o, &ev, dir, lookup, ctx);
		else
			r = in_dir(o, &ev, dir, lookup, gone, ctx);
		if (r < 0)
			return -1;
	}
	return 0;
}

void
fp_reset(struct fp_out *o)
{
	o->n = 0;
}

void
fp_free(struct fp_out *o)
{
	free(o->recs);
	o->recs = NULL;
	o->n = o->cap = 0;
}
