/*
 * fan_read.c - the fanotify backend's reading: waiting for its queue,
 * the events of one read turned into records (fan_parse.c), each
 * directory found by its handle (fan_paths.c) and placed below the tree
 * watched whole it is in (fan_subtree.c), and the reads held back for a
 * directory whose end is still coming.  fan_backend.h is what it shares
 * with watch_fanotify.c.
 */
#define _GNU_SOURCE
#include "fan_backend.h"

#if HAVE_FANOTIFY
/* Append the target of symlink LINK (a /proc/self/fd entry) to OUT,
 * NUL-terminated (the NUL not counted).  -1 with errno. */
int
fan_link_text(const char *link, struct buf *out)
{
	char t[PATH_MAX];
	ssize_t n = readlink(link, t, sizeof t);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof t) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (buf_add(out, t, (size_t)n) < 0 || buf_add(out, "", 1) < 0)
		return -1;
	out->len--;
	return 0;
}



int
fan_wait(struct backend *b, int timeout_ms)
{
	if (timeout_ms != 0) {
		/* going idle, maybe after a burst: its memory need not stay */
		if (b->dirty > KEEP_BUF && !b->carry) {
			madvise(b->buf + KEEP_BUF, READ_BUF - KEEP_BUF,
				MADV_DONTNEED);
			b->dirty = 0;
		}
		if (b->out.cap > KEEP_RECS)
			fp_free(&b->out);
		fhmap_trim(&b->dirs);
	}
	return qwait(b->fd, &b->wake, b->hup_fd, timeout_ms);
}


/* fan_parse.c's key (fsid, handle_bytes, handle_type, the handle, as
 * an event carries them) made the map's, and looked up. */
static int
lookup(void *ctx, const void *raw, size_t len)
{
	struct backend *b = ctx;
	const unsigned char *r = raw;
	unsigned char key[KEY_MAX];
	int fs, type, id = -1;
	for (int i = 0; i < 2; i++)
		if (len == b->seen[i].len && !memcmp(r, b->seen[i].key, len))
			return b->seen[i].id;
	if (len < FP_KEY_HEAD || len - FP_KEY_HEAD > MAX_HANDLE_SZ)
		return -1;
	memcpy(&type, r + 12, sizeof type);
	if ((fs = fan_fs_index(b, r)) >= 0)
		id = fhmap_find(&b->dirs, key,
				fan_map_key(key, fs, type, r + FP_KEY_HEAD,
					len - FP_KEY_HEAD));
	/* the older one gives way */
	b->seen[1] = b->seen[0];
	memcpy(b->seen[0].key, r, len);
	b->seen[0].len = len;
	b->seen[0].id = id;
	return id;
}

static void
gone(void *ctx, int id)
{
	struct backend *b = ctx;
	b->seen[0].len = b->seen[1].len = 0;
	fan_subs_del(&b->subs, id);
	fhmap_del(&b->dirs, id);
}

/* fan_paths.h's question: where is the directory with KEY now?  Opened
 * by its handle through a directory of its filesystem, and named by its
 * descriptor.  A directory deleted meanwhile is not found (ESTALE, or a
 * name the kernel marks "(deleted)"). */
static int
look(void *ctx, const unsigned char *key, size_t klen, struct buf *out)
{
	struct backend *b = ctx;
	struct handle h;
	char link[32];
	size_t at = out->len, hb;
	int fs, fd, r;
	static const char dead[] = " (deleted)";
	if (klen < FP_KEY_HEAD || (hb = klen - FP_KEY_HEAD) > MAX_HANDLE_SZ ||
	    (fs = fan_fs_index(b, key)) < 0 || b->fs[fs].mfd < 0)
		return -1;
	h.fh.handle_bytes = (unsigned)hb;
	memcpy(&h.fh.handle_type, key + 12, sizeof h.fh.handle_type);
	memcpy(h.fh.f_handle, key + FP_KEY_HEAD, hb);
	fd = open_by_handle_at(b->fs[fs].mfd, &h.fh,
			       O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	r = fan_link_text(link, out);
	if (r < 0 && errno == ENAMETOOLONG && klen <= FAN_SUBS_KEY) {
		size_t i = b->ndeep++ % DEEP;
		memcpy(b->deep[i], key, klen);
		b->deeplen[i] = klen;
	}
	close(fd);
	if (r == 0 && out->len - at >= sizeof dead - 1 &&
	    !memcmp(out->p + out->len - (sizeof dead - 1), dead,
		    sizeof dead - 1))
		r = -1;
	if (r < 0)
		out->len = at;
	return r;
}

/*
 * fp_places_fn: the directory's own watch, and the subtree watch it is
 * below.  Hazard: a directory that cannot be found is gone, and nothing
 * says where it was until its own end is read, maybe only in a later
 * read (rm -r of a tree larger than a read): it is kept (parked) until
 * then, and only if it was below a tree are its events said to be lost
 * (ends()).  A change elsewhere on the filesystem costs no overflow so.
 * News about such a directory itself ("."), or too many kept, or one
 * that is there but too deep to name (PATH_MAX): said now.
 */
/* Was directory KEY found too deep to name? */
static int
too_deep(const struct backend *b, const void *key, size_t len)
{
	for (size_t i = 0; i < DEEP && i < b->ndeep; i++)
		if (b->deeplen[i] == len && !memcmp(b->deep[i], key, len))
			return 1;
	return 0;
}

static int
places(void *ctx, size_t ev, int side, const void *key, size_t len,
       struct fp_place *out)
{
	struct backend *b = ctx;
	const struct fp_fid *d = &b->out.evs.ev[ev].dir;
	/* watched by itself?  Only asked when some directory is watched
	 * alone (walked, a file PATH's), or the path is not known: a
	 * tree's own directory is placed by its path as well */
	int own = b->dirs.used > b->subs.n ||
			  fan_subs_side(&b->subs, ev, side)->len ==
				  FPATH_UNKNOWN
		  ? lookup(ctx, key, len)
		  : -1;
	int n = fan_subs_places(&b->subs, ev, side, own, out);
	if (n < 0 && !(side == FP_SIDE_DIR && d->nlen == 1 && d->name[0] == '.') &&
	    !too_deep(b, key, len) && fan_subs_park(&b->subs, key, len) == 0)
		return 0;
	return n;
}

/* The ends of directories that were parked (places()), read now: if one
 * was below a tree watched whole, or where it was is not known either,
 * its events were ours, and this read ends with an overflow record. */
static void
ends(struct backend *b)
{
	const struct fp_batch *e = &b->out.evs;
	for (size_t i = 0; i < e->n && b->subs.nparked; i++) {
		const struct fp_event *ev = &e->ev[i];
		int ren = !!(ev->mask & FP_RENAME);
		const struct fp_fid *at = ren ? &ev->old : &ev->dir;
		if (!(ev->mask & FP_ONDIR) || !(ev->mask & (FP_DELETE | FP_RENAME)) ||
		    !ev->child.key ||
		    !fan_subs_unpark(&b->subs, ev->child.key, ev->child.klen))
			continue;
		if ((at->key && lookup(b, at->key, at->klen) >= 0) ||
		    fan_subs_inside(&b->subs, i, ren ? FP_SIDE_OLD : FP_SIDE_DIR))
			b->out.lost = 1;
	}
}

/* The first event of the read whose directory could not be found (and
 * is not watched by itself), or the number of events: where the read is
 * cut when it is held back (be_read()).  None after lost events. */
static size_t
first_lost(struct backend *b)
{
	const struct fp_batch *e = &b->out.evs;
	for (size_t i = 0; i < e->n; i++) {
		const struct fp_event *ev = &e->ev[i];
		const struct fpaths_at *a = &b->subs.at[i];
		if (ev->mask & FP_Q_OVERFLOW)
			return e->n;
		if (ev->mask & FP_RENAME) {
			if ((ev->old.key && a->old.len == FPATH_UNKNOWN &&
			     lookup(b, ev->old.key, ev->old.klen) < 0) ||
			    (ev->new.key && a->new.len == FPATH_UNKNOWN &&
			     lookup(b, ev->new.key, ev->new.klen) < 0))
				return i;
		} else if (ev->dir.key && a->dir.len == FPATH_UNKNOWN &&
			   !(ev->dir.nlen == 1 && ev->dir.name[0] == '.') &&
			   lookup(b, ev->dir.key, ev->dir.klen) < 0 &&
			   !too_deep(b, ev->dir.key, ev->dir.klen)) {
			return i;
		}
	}
	return e->n;
}

/*
 * Hazard: rm -r removes a directory an instant after its entries, while
 * fwatch reads: the read may hold the entries' deletes, and the
 * directory be gone when fwatch asks where it is, its own delete not yet
 * read.  Then the read is cut before the first such event, and the rest
 * held back and read again at the head of the next read, at once, where
 * the directory's end says where it was (fan_paths.c).  Again while
 * reads bring something new (rm -r is still at work), HOLD_MAX times in
 * a row at most, so that changes elsewhere that never stop cannot hold
 * the rest back for ever; then, or when a read brings nothing, what can
 * be placed is, and the rest parked (places()).  Paths kept between reads describe the end of the
 * read, after what is held back: they are forgotten.
 */
static int
hold_back(struct backend *b, size_t fresh, size_t len, int *drained)
{
	size_t k, off = 0;
	if (!fresh || b->held >= HOLD_MAX ||
	    (k = first_lost(b)) == b->out.evs.n) {
		b->held = 0;
		return 0;
	}
	for (size_t i = 0; i < k; i++)
		off += b->out.evs.ev[i].len;
	if (len - off > READ_BUF / 2)
		return 0;
	b->held++;
	b->out.evs.n = k;
	b->carry_at = off;
	b->carry = len - off;
	fpaths_forget(&b->subs.paths);
	*drained = 0;
	return 1;
}

int
fan_read(struct backend *b, const struct fw_raw **recs, int *drained)
{
	size_t len = 0, at = b->carry;
	fp_reset(&b->out);
	b->nmnts = 0;
	/* the records of the last read are no longer used: what it held
	 * back goes to the head */
	if (b->carry)
		memmove(b->buf, b->buf + b->carry_at, b->carry);
	b->carry = 0;
	if (qread(b->fd, b->buf + at, READ_BUF - at, MAX_EVENT, &len,
		  drained) < 0)
		return -1;
	len += at;
	if (len > b->dirty)
		b->dirty = len;
	if (fp_split(&b->out.evs, b->buf, len) < 0)
		return -1;
	if (b->subs.n) {
		/* the directories parked before lost events: the overflow
		 * says it all (fan_paths.c forgets its own there) */
		for (size_t i = 0; i < b->out.evs.n; i++)
			if (b->out.evs.ev[i].mask & FP_Q_OVERFLOW)
				fan_subs_unpark_all(&b->subs);
		if (fan_subs_resolve(&b->subs, &b->out.evs, look, b) < 0)
			return -1;
		hold_back(b, len - at, len, drained);
		ends(b);
	}
	if (fp_translate(&b->out, &b->out.evs, lookup,
			 b->subs.n ? places : NULL, gone, b) < 0)
		return -1;
	*recs = b->out.recs;
	return (int)b->out.n;
}

#else

typedef int fan_read_unused; /* headers before Linux 5.17: nothing here */

#endif
