/*
 * watch_bsd.c - the kqueue backend, for macOS and the BSDs: the be_ops
 * functions, and how a read turns kevents into records.
 *
 * kqueue watches open descriptors, not names: every watched directory,
 * and every file in one whose news are wanted, costs a descriptor
 * (bsd_vnode.c keeps them), and a directory's NOTE_WRITE says only that
 * its entries changed.  So each directory the core watches keeps a
 * listing of its entries (name, inode, type); on news it is listed again
 * and compared (listing.c), and the difference becomes the records
 * inotify would have sent: a create, a delete, or a moved-from/moved-to
 * pair for an inode that changed names, also between two directories
 * listed in the same read.  The core cannot tell this backend from
 * watch_linux.c.
 *
 * Very large trees on macOS would be better served by FSEvents (one
 * stream per tree, no descriptor per file); that would be a
 * watch_fsevents.c beside this file, chosen by the Makefile, with the
 * same contract.
 */

/* The BSDs hide d_type's DT_ names and parts of <sys/event.h> from a
 * strict POSIX compile; this is platform code. */
#undef _POSIX_C_SOURCE
#define _DARWIN_C_SOURCE 1
#define _NETBSD_SOURCE 1
#define _DEFAULT_SOURCE 1 /* glibc, for make check-bsd */

#include <sys/types.h>
#include <sys/event.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "bsd_vnode.h"
#include "listing.h"
#include "recbuf.h"
#include "strmap.h"
#include "wakepipe.h"

#define STASH 256      /* kevents taken per kevent() call */
#define ROUNDS 16      /* kevent() calls per be_read() at most */
#define KEEP 64        /* records kept allocated when idle */

/* vn.ch: what fstat() showed had changed since the object was last seen */
#define CH_SIZE 0x1u
#define CH_META 0x2u  /* mode, owner */
#define CH_LINKS 0x4u /* link count */
#define CH_GONE 0x8u  /* no links left: unlinked for good */

/* A directory listed again in this read. */
struct job {
	struct vn *dir;
	struct listing now, old;
	size_t *o2n, *n2o; /* entry i of one is entry o2n[i] of the other */
};

struct backend {
	int kq;
	struct wakepipe wake;
	struct be_env env; /* what the core lent; no file_wanted: all are */
	unsigned want;
	unsigned stamp;
	struct vtab vt;
	struct kevent stash[STASH];
	int nstash;
	struct vn *dirty, *dtail;
	struct job *jobs;
	size_t njobs, capjobs;
	struct moves mv; /* of this read's jobs; lside.dir is the job */
	struct recbuf out; /* this read's records */
	int fail; /* errno of an allocation that failed in this read */
	/* lists directory D into L (done); a test may put its own here */
	int (*list)(struct backend *b, struct vn *d, struct listing *l);
};

/* ---- what needs no kernel ------------------------------------------------ */

/* Which BE_ bits a be_watch() want lets through. */
static unsigned
wanted_bits(unsigned want)
{
	unsigned m = BE_ISDIR;
	if (want & BE_WANT_CONTENT)
		m |= BE_MODIFY;
	if (want & BE_WANT_ATTRIB)
		m |= BE_ATTRIB;
	if (want & BE_WANT_OPEN)
		m |= BE_OPEN;
	if (want & BE_WANT_CLOSE_W)
		m |= BE_CLOSE_WRITE;
	if (want & BE_WANT_CLOSE_N)
		m |= BE_CLOSE_NOWR;
	if (want & BE_WANT_ACCESS)
		m |= BE_ACCESS;
	return m;
}

/* The fflags to ask for on every descriptor. */
static unsigned
vnode_notes(unsigned want)
{
	unsigned n = NOTE_DELETE | NOTE_WRITE | NOTE_EXTEND | NOTE_ATTRIB |
		     NOTE_LINK | NOTE_RENAME;
#ifdef NOTE_REVOKE
	n |= NOTE_REVOKE;
#endif
#ifdef NOTE_TRUNCATE
	n |= NOTE_TRUNCATE;
#endif
#ifdef NOTE_OPEN
	if (want & BE_WANT_OPEN)
		n |= NOTE_OPEN;
	if (want & BE_WANT_CLOSE_N)
		n |= NOTE_CLOSE;
	if (want & BE_WANT_CLOSE_W)
		n |= NOTE_CLOSE_WRITE;
	if (want & BE_WANT_ACCESS)
		n |= NOTE_READ;
#else
	(void)want;
#endif
	return n;
}

/* Does an entry of TYPE need a descriptor of its own for WANT? */
static int
needs_vn(unsigned want, int type)
{
	unsigned any = 0;
#ifdef NOTE_OPEN
	any = want & (BE_WANT_OPEN | BE_WANT_CLOSE_W | BE_WANT_CLOSE_N |
		      BE_WANT_ACCESS);
#endif
	if (type == T_FILE)
		return (want & (BE_WANT_CONTENT | BE_WANT_ATTRIB)) || any;
	if (type == T_DIR)
		return (want & BE_WANT_ATTRIB) || any;
	return 0;
}

/*
 * The one place where kqueue's fflags become fwatch's bits, for an
 * object of TYPE whose stat changed as CH says.  SELF: the record is for
 * the object's own watch, not for its entry in a directory; inotify
 * reports a link count change only there.  A directory's NOTE_WRITE,
 * NOTE_EXTEND and NOTE_LINK are not here: they mean "list it again".
 */
static unsigned
xlate(unsigned ff, int type, unsigned ch, int self)
{
	unsigned f = 0;
	if (type != T_DIR) {
		if (ff & (NOTE_WRITE | NOTE_EXTEND))
			f |= BE_MODIFY;
#ifdef NOTE_TRUNCATE
		if (ff & NOTE_TRUNCATE)
			f |= BE_MODIFY;
#endif
		/* FreeBSD says truncate(2) with NOTE_ATTRIB alone; inotify
		 * calls a size change a modify, and only that */
		if (ff & NOTE_ATTRIB) {
			if (ch & CH_SIZE)
				f |= BE_MODIFY;
			/* nothing visible changed: the times did */
			if ((ch & CH_META) || !(ch & (CH_SIZE | CH_LINKS)))
				f |= BE_ATTRIB;
		}
		if (self && (ff & (NOTE_LINK | NOTE_DELETE | NOTE_ATTRIB)) &&
		    (ch & CH_LINKS) && !(ch & CH_GONE))
			f |= BE_ATTRIB;
	} else if (ff & NOTE_ATTRIB) {
		f |= BE_ATTRIB;
	}
#ifdef NOTE_OPEN
	if (ff & NOTE_OPEN)
		f |= BE_OPEN;
	if (ff & NOTE_CLOSE)
		f |= BE_CLOSE_NOWR;
	if (ff & NOTE_CLOSE_WRITE)
		f |= BE_CLOSE_WRITE;
	if (ff & NOTE_READ)
		f |= BE_ACCESS;
#endif
	if (f && type == T_DIR)
		f |= BE_ISDIR;
	return f;
}

/* ---- records ----------------------------------------------------------- */

static void
rec(struct backend *b, int id, unsigned flags, uint32_t cookie,
    const char *name, size_t len)
{
	recbuf_add(&b->out, id, flags, cookie, name, len);
}

/* ---- directories ------------------------------------------------------- */

static int
dtype(int t)
{
	switch (t) {
	case DT_REG:
		return T_FILE;
	case DT_DIR:
		return T_DIR;
	case DT_LNK:
		return T_LINK;
	case DT_UNKNOWN:
		return -1;
	default:
		return T_OTHER;
	}
}

/* Add the entry DE of DP to L, unless it is "." or ".." or gone. */
static int
list_one(DIR *dp, const struct dirent *de, struct listing *l)
{
	const char *nm = de->d_name;
	struct lattr a = { 0, 0, 0, 0, 0 };
	int type;
	if (nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2])))
		return 0;
	a.ino = (uint64_t)de->d_ino;
	if ((type = dtype(de->d_type)) < 0) {
		struct stat st;
		if (fstatat(dirfd(dp), nm, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return 0; /* gone since */
		type = vn_type(st.st_mode);
		a.ino = (uint64_t)st.st_ino;
	}
	a.type = (unsigned)type;
	return listing_add(l, nm, strlen(nm), &a);
}

/* List the directory D's descriptor refers to, wherever it is now. */
static int
list_dir(struct backend *b, struct vn *d, struct listing *l)
{
	struct dirent *de;
	DIR *dp;
	int fd, e = 0;

	(void)b;
	if ((fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1; /* removed: empty */
	if (!(dp = fdopendir(fd))) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	for (;;) {
		errno = 0;
		if (!(de = readdir(dp)) || list_one(dp, de, l) < 0) {
			e = errno;
			break;
		}
	}
	closedir(dp);
	if (e) {
		errno = e;
		return -1;
	}
	listing_done(l);
	return 0;
}

/* Does the core want news of the file E in the watched directory D?
 * Hazard: it answers from its tree as it stands, before this read's
 * records: a directory renamed in this read is still under its old
 * path there. */
static int
core_wants(const struct backend *b, const struct vn *d,
	   const struct lent *e)
{
	if (e->at.type != T_FILE || !b->env.file_wanted)
		return 1;
	return b->env.file_wanted(b->env.ctx, d->id, e->name, e->len);
}

/*
 * Give entry E of directory D the watch of its object, if its news are
 * wanted: the object's watch if it has one nobody else's entry holds (a
 * hard link elsewhere keeps it), else, with OPEN set and the core
 * wanting the file, a new descriptor.  1 when that new descriptor is a
 * file's with content in it already, else 0; -1 (EMFILE) only when
 * descriptors ran out: an entry gone already, or one we may not open,
 * just has no watch.
 */
static int
attach(struct backend *b, struct vn *d, struct lent *e, int open)
{
	struct vn *v;
	int fresh = 0;
	if (e->held || !needs_vn(b->want, (int)e->at.type))
		return 0;
	if (!(v = vt_find(&b->vt, d->dev, (ino_t)e->at.ino, VN_LIVE))) {
		if (!open || !core_wants(b, d, e))
			return 0;
		if (!(v = vt_get(&b->vt, d->fd, e->name, O_NOFOLLOW, &fresh)))
			return errno == EMFILE ? -1 : 0;
		if (v->ino != (ino_t)e->at.ino || v->type != e->at.type) {
			/* replaced since it was listed: the next listing
			 * will say so */
			if (fresh)
				vt_check(&b->vt, v);
			return 0;
		}
	}
	if (v->parent || v->stamp == b->stamp)
		return 0;
	v->stamp = b->stamp;
	e->held = v;
	return fresh && v->type == T_FILE && v->size > 0;
}

/* Entry E of D holds its watch from now on. */
static void
hold_one(struct vn *d, const struct lent *e)
{
	struct vn *v = e->held;
	if (v) {
		v->parent = d;
		v->name = e->name;
		v->nlen = e->len;
	}
}

static void
hold(struct vn *d, const struct listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		hold_one(d, &l->e[i]);
}

/* Entry E of D lets its watch go (closed if nobody else wants it). */
static void
release(struct backend *b, struct lent *e)
{
	struct vn *v = e->held;
	if (v) {
		e->held = NULL;
		v->parent = NULL;
		vt_check(&b->vt, v);
	}
}

/* First look at a directory the core has just asked for. */
static int
dir_load(struct backend *b, struct vn *d)
{
	struct listing l;
	int e;
	memset(&l, 0, sizeof l);
	if (b->list(b, d, &l) < 0)
		goto fail;
	for (size_t i = 0; i < l.n; i++)
		if (attach(b, d, &l.e[i], 1) < 0)
			goto fail;
	hold(d, &l);
	d->ents = l;
	d->listed = 1;
	return 0;
fail:
	e = errno;
	for (size_t i = 0; i < l.n; i++)
		if (l.e[i].held)
			vt_check(&b->vt, l.e[i].held);
	listing_free(&l);
	errno = e;
	return -1;
}

/*
 * The core watches D again: its file_wanted() answers may have changed
 * (a second file PATH in the directory).  Files it wants now get a
 * descriptor; files it no longer wants let theirs go, unless the core
 * watches them by their own id.  Out of descriptors, a file just has no
 * news but its name's.
 */
static void
dir_reask(struct backend *b, struct vn *d)
{
	for (size_t i = 0; i < d->ents.n; i++) {
		struct lent *e = &d->ents.e[i];
		struct vn *v = e->held;
		if (e->at.type != T_FILE)
			continue;
		if (!v) {
			if (attach(b, d, e, 1) < 0)
				break;
			hold_one(d, e);
		} else if (v->id < 0 && !core_wants(b, d, e)) {
			release(b, e);
		}
	}
}

static void
dir_unload(struct backend *b, struct vn *d)
{
	for (size_t i = 0; i < d->ents.n; i++)
		release(b, &d->ents.e[i]);
	listing_free(&d->ents);
	d->listed = 0;
}

/* The core no longer watches V (it was told, or it asked).  A listing
 * being compared in this read is left to the end of the read. */
static void
drop_watch(struct backend *b, struct vn *v)
{
	vt_drop_id(&b->vt, v);
	if (v->listed && !v->injob)
		dir_unload(b, v);
	vt_check(&b->vt, v);
}

/* News be_wait() took for the doomed descriptors must not reach the next
 * object that gets one of their numbers: forget it, then close them. */
static void
reap(struct backend *b)
{
	for (struct vn *v = b->vt.zombies; v; v = v->znext)
		for (int i = 0; i < b->nstash; i++)
			if (b->stash[i].ident == (uintptr_t)v->fd)
				b->stash[i--] = b->stash[--b->nstash];
	vt_reap(&b->vt);
}

static void
make_dirty(struct backend *b, struct vn *v, unsigned fflags)
{
	v->fflags |= fflags;
	if (!v->dirty) {
		v->dirty = 1;
		v->dnext = NULL;
		if (b->dtail)
			b->dtail->dnext = v;
		else
			b->dirty = v;
		b->dtail = v;
	}
}

/* Is the directory S unlinked?  Its NOTE_DELETE may not be read yet. */
static int
unlinked(struct backend *b, struct vn *s)
{
	struct stat st;
	if (!s->dead && (fstat(s->fd, &st) < 0 || st.st_nlink == 0)) {
		s->dead = 1;
		make_dirty(b, s, NOTE_DELETE);
	}
	return s->dead;
}

/*
 * Compare J's listings.  A name whose object was unlinked, its inode
 * number given to a new file of the same name, is a delete and a create.
 * A subdirectory that vanished because it was removed (rm -r) is listed
 * first, so that its entries' deletes come before its own, in the order
 * they happened and while the core still knows the subdirectory.
 */
static int rescan(struct backend *b, struct vn *d);

static int
compare(struct backend *b, struct job *j)
{
	struct vn *d = j->dir;
	if (!(j->o2n = malloc((d->ents.n + 1) * sizeof *j->o2n)) ||
	    !(j->n2o = malloc((j->now.n + 1) * sizeof *j->n2o)))
		return -1;
	listing_diff(&d->ents, &j->now, j->o2n, j->n2o);
	for (size_t i = 0; i < d->ents.n; i++) {
		const struct lent *o = &d->ents.e[i];
		struct vn *s = o->held;
		if (j->o2n[i] != LISTING_NONE && s && s->dead) {
			j->n2o[j->o2n[i]] = LISTING_NONE;
			j->o2n[i] = LISTING_NONE;
		}
		if (j->o2n[i] != LISTING_NONE || o->at.type != T_DIR)
			continue;
		if (!s)
			s = vt_find(&b->vt, d->dev, (ino_t)o->at.ino, 0);
		if (s && s->listed && !s->injob && unlinked(b, s) &&
		    rescan(b, s) < 0)
			return -1;
	}
	return 0;
}

/* List the watched directory D again and compare: a job for this read.
 * D is listed, and not listed again yet in this read. */
static int
rescan(struct backend *b, struct vn *d)
{
	struct job j;
	memset(&j, 0, sizeof j);
	d->injob = 1;
	j.dir = d;
	if (!d->dead && b->list(b, d, &j.now) < 0) {
		/* unreadable now (permissions): the old picture stands */
		int e = errno;
		listing_free(&j.now);
		d->injob = 0;
		errno = e;
		return e == ENOMEM ? -1 : 0;
	}
	if (compare(b, &j) < 0 || GROW(b->jobs, b->capjobs, b->njobs + 1) < 0)
		goto fail;
	b->jobs[b->njobs++] = j;
	return 0;
fail:
	free(j.o2n);
	free(j.n2o);
	listing_free(&j.now);
	d->injob = 0;
	return -1;
}

/* ---- a read ------------------------------------------------------------- */

static void
note(struct backend *b, const struct kevent *ev)
{
	struct vn *v;
	if (ev->filter != EVFILT_VNODE || (ev->flags & EV_ERROR) ||
	    ev->ident >= b->vt.capfd || !(v = b->vt.byfd[ev->ident]) ||
	    v->doomed)
		return;
	make_dirty(b, v, (unsigned)ev->fflags);
}

/* What fstat() says about V's news: unlinked, resized, re-moded. */
static void
look(struct vn *v)
{
	struct stat st;
	unsigned ff = v->fflags;
	v->ch = 0;
#ifdef NOTE_REVOKE
	if (ff & NOTE_REVOKE) {
		v->dead = v->revoked = 1;
		return;
	}
#endif
	if (v->type == T_DIR ? !(ff & NOTE_DELETE)
			     : !(ff & (NOTE_DELETE | NOTE_ATTRIB | NOTE_LINK |
				       NOTE_WRITE | NOTE_EXTEND)))
		return;
	if (fstat(v->fd, &st) < 0) {
		v->dead = 1;
		v->ch = CH_GONE;
		return;
	}
	if (st.st_nlink == 0) {
		v->dead = 1;
		v->ch |= CH_GONE;
	}
	if (st.st_size != v->size)
		v->ch |= CH_SIZE;
	if (st.st_nlink != v->nlink)
		v->ch |= CH_LINKS;
	if (st.st_mode != v->mode || st.st_uid != v->uid || st.st_gid != v->gid)
		v->ch |= CH_META;
	vn_remember(v, &st);
}

/* Where side S's entry is: in its job's new listing if BORN, else in
 * its directory's old one. */
static struct lent *
side_ent(struct backend *b, const struct lside *s, int born)
{
	struct job *j = &b->jobs[s->dir];
	return born ? &j->now.e[s->idx] : &j->dir->ents.e[s->idx];
}

static unsigned
isdir(const struct lent *e)
{
	return e->at.type == T_DIR ? BE_ISDIR : 0;
}

/* The watch of the directory entry E of D names, if the core has one. */
static struct vn *
watched_dir(struct backend *b, struct vn *d, const struct lent *e)
{
	struct vn *s;
	if (e->at.type != T_DIR)
		return NULL;
	s = e->held ? e->held
		    : vt_find(&b->vt, d->dev, (ino_t)e->at.ino, VN_LIVE);
	return s && s->id >= 0 && !s->dead ? s : NULL;
}

/* Entry E of D vanished: a delete, and a directory it named is out of
 * our sight. */
static void
gone(struct backend *b, struct vn *d, const struct lent *e)
{
	struct vn *s = watched_dir(b, d, e);
	rec(b, d->id, BE_DELETE | isdir(e), 0, e->name, e->len);
	if (s) {
		rec(b, s->id, BE_IGNORED, 0, "", 0);
		drop_watch(b, s);
	}
}

/* A move one of whose directories left our sight in this read (its
 * delete went out already): seen from here, a delete or a create. */
static void
half_move(struct backend *b, const struct lside *s, const struct lside *t)
{
	struct vn *sd = b->jobs[s->dir].dir, *td = b->jobs[t->dir].dir;
	struct lent *te = side_ent(b, t, 1);
	if (sd->id >= 0)
		gone(b, sd, side_ent(b, s, 0));
	else if (td->id >= 0)
		rec(b, td->id, BE_CREATE | isdir(te), 0, te->name, te->len);
}

/* moves_order()'s step: move G, as the core can follow it. */
static void
move_step(void *ctx, size_t g, enum move_step how)
{
	struct backend *b = ctx;
	const struct lside *s = &b->mv.gone[g], *t = &b->mv.born[s->mate];
	struct vn *sd = b->jobs[s->dir].dir, *td = b->jobs[t->dir].dir;
	struct lent *se = side_ent(b, s, 0), *te = side_ent(b, t, 1);

	if (how == MOVE_REBORN) {
		if (td->id >= 0)
			rec(b, td->id, BE_CREATE | isdir(te), 0, te->name,
			    te->len);
		return;
	}
	te->held = se->held;
	if (how == MOVE_BREAK) {
		if (sd->id >= 0)
			gone(b, sd, se);
		return;
	}
	if (sd->id < 0 || td->id < 0) {
		half_move(b, s, t);
	} else {
		uint32_t c = recbuf_cookie(&b->out);
		rec(b, sd->id, BE_MOVED_FROM | isdir(se), c, se->name, se->len);
		rec(b, td->id, BE_MOVED_TO | isdir(te), c, te->name, te->len);
	}
	/* a file that had no descriptor under its old name (not wanted
	 * there) may be wanted under the new one */
	if (td->id >= 0)
		(void)attach(b, td, te, 1);
}

/* Every job's new listing becomes its directory's, and every watch goes
 * to the entry that holds it now; watches nobody holds are closed.  A
 * watch is held by one entry at most: the passes keep it so. */
static void
install_one(struct job *j)
{
	struct vn *d = j->dir;
	j->old = d->ents;
	memset(&d->ents, 0, sizeof d->ents);
	d->listed = 0;
	d->injob = 0;
	if (d->id < 0)
		return;
	for (size_t k = 0; k < j->now.n; k++)
		if (j->n2o[k] != LISTING_NONE)
			j->now.e[k].held = j->old.e[j->n2o[k]].held;
	hold(d, &j->now);
}

/* A hard link's other name takes the watch the one that held it left. */
static void
adopt(struct backend *b, struct job *j)
{
	struct vn *d = j->dir;
	if (d->id < 0)
		return;
	for (size_t k = 0; k < j->now.n; k++)
		if (!j->now.e[k].held) {
			attach(b, d, &j->now.e[k], 0);
			hold_one(d, &j->now.e[k]);
		}
	d->ents = j->now;
	d->listed = 1;
	memset(&j->now, 0, sizeof j->now);
}

static void
job_free(struct backend *b, struct job *j)
{
	for (size_t i = 0; i < j->old.n; i++)
		if (j->old.e[i].held)
			vt_check(&b->vt, j->old.e[i].held);
	for (size_t k = 0; k < j->now.n; k++)
		if (j->now.e[k].held)
			vt_check(&b->vt, j->now.e[k].held);
	listing_free(&j->old);
	listing_free(&j->now);
	free(j->o2n);
	free(j->n2o);
}

static void
install(struct backend *b)
{
	for (size_t x = 0; x < b->njobs; x++) {
		struct listing *l = &b->jobs[x].dir->ents;
		for (size_t i = 0; i < l->n; i++)
			if (l->e[i].held)
				((struct vn *)l->e[i].held)->parent = NULL;
	}
	for (size_t x = 0; x < b->njobs; x++)
		install_one(&b->jobs[x]);
	for (size_t x = 0; x < b->njobs; x++)
		adopt(b, &b->jobs[x]);
	for (size_t x = 0; x < b->njobs; x++)
		job_free(b, &b->jobs[x]);
	b->njobs = 0;
}

/* The vanished and appeared entries of every job, in job order, paired
 * into moves.  An unlinked object is not moved; of one without a watch
 * of its own nothing is known. */
static int
pair(struct backend *b)
{
	moves_clear(&b->mv);
	for (size_t x = 0; x < b->njobs; x++) {
		struct job *j = &b->jobs[x];
		struct vn *d = j->dir;
		size_t g = b->mv.ngone;
		if (moves_add(&b->mv, x, (uint64_t)d->dev, &d->ents, j->o2n,
			      &j->now, j->n2o) < 0)
			return -1;
		for (; g < b->mv.ngone; g++) {
			struct lside *s = &b->mv.gone[g];
			const struct lent *e = &d->ents.e[s->idx];
			struct vn *o = e->held;
			ino_t ino = (ino_t)e->at.ino;
			if (!o)
				o = vt_find(&b->vt, d->dev, ino, 0);
			s->dead = o && o->dead &&
				  !vt_find(&b->vt, d->dev, ino, VN_LIVE);
		}
	}
	return moves_pair(&b->mv);
}

/* Take the news on the dirty list: what fstat() says, and every
 * directory whose entries changed listed again and compared. */
static void
gather(struct backend *b)
{
	struct vn *v;
	for (v = b->dirty; v; v = v->dnext)
		look(v);
	for (v = b->dirty; v && !b->fail; v = v->dnext)
		if (v->listed && !v->injob &&
		    (v->dead ||
		     (v->fflags & (NOTE_WRITE | NOTE_EXTEND | NOTE_LINK))) &&
		    rescan(b, v) < 0)
			b->fail = errno;
	if (!b->fail && pair(b) < 0)
		b->fail = errno;
	if (b->fail)
		moves_clear(&b->mv);
}

/* Changes to content and attributes, under the names they had. */
static void
emit_news(struct backend *b, unsigned mask)
{
	for (struct vn *v = b->dirty; v; v = v->dnext) {
		unsigned self = xlate(v->fflags, v->type, v->ch, 1) & mask;
		unsigned ent = xlate(v->fflags, v->type, v->ch, 0) & mask;
		if (v->id >= 0 && self)
			rec(b, v->id, self, 0, "", 0);
		if (v->parent && ent)
			rec(b, v->parent->id, ent, 0, v->name, v->nlen);
	}
}

static void
emit_deletes(struct backend *b)
{
	for (size_t g = 0; g < b->mv.ngone; g++) {
		const struct lside *s = &b->mv.gone[g];
		if (s->mate == LISTING_NONE)
			gone(b, b->jobs[s->dir].dir, side_ent(b, s, 0));
	}
}

static void
emit_creates(struct backend *b)
{
	for (size_t k = 0; k < b->mv.nborn; k++) {
		const struct lside *t = &b->mv.born[k];
		struct vn *d = b->jobs[t->dir].dir;
		struct lent *e = side_ent(b, t, 1);
		if (t->mate != LISTING_NONE || d->id < 0)
			continue;
		/* out of descriptors, it has no content news: creates,
		 * deletes and renames are still seen.  What was written
		 * before it could be watched is the core's to say: kqueue
		 * does not declare BE_CAP_BIRTH_WRITES. */
		(void)attach(b, d, e, 1);
		rec(b, d->id, BE_CREATE | isdir(e), 0, e->name, e->len);
	}
}

/* News about the watched objects themselves. */
static void
emit_selves(struct backend *b)
{
	for (struct vn *v = b->dirty; v; v = v->dnext) {
		unsigned dir = v->type == T_DIR ? BE_ISDIR : 0;
		if (v->id < 0)
			continue;
		if ((v->fflags & NOTE_RENAME) && !v->dead)
			rec(b, v->id, BE_SELF_MOVE | dir, 0, "", 0);
		if (v->dead) {
			rec(b, v->id, (v->revoked ? BE_UNMOUNT
						  : BE_SELF_DELETE) | dir,
			    0, "", 0);
			rec(b, v->id, BE_IGNORED, 0, "", 0);
			drop_watch(b, v);
		}
	}
}

/*
 * Turn the news gathered on the dirty list into records, in the order
 * the core needs them: changes to content first (under the names they
 * had), then deletes (a removed directory's entries before it), then
 * renames, then creates, then news about the watched objects themselves.
 */
static void
settle(struct backend *b)
{
	struct vn *v;
	unsigned mask = wanted_bits(b->want);

	gather(b);
	emit_news(b, mask);
	emit_deletes(b);
	moves_order(&b->mv, T_DIR, move_step, b);
	emit_creates(b);
	emit_selves(b);
	install(b);
	while ((v = b->dirty)) {
		b->dirty = v->dnext;
		v->dirty = 0;
		v->fflags = 0;
	}
	b->dtail = NULL;
	reap(b);
}

/* ---- the interface ------------------------------------------------------ */

static int
be_open(struct backend **out, const struct be_env *env)
{
	struct backend *b = calloc(1, sizeof *b);
	struct kevent kev;
	int e;

	if (!b)
		return -1;
	b->wake.fd[0] = b->wake.fd[1] = -1;
	if (env)
		b->env = *env;
	if ((b->kq = kqueue()) < 0) {
		e = errno;
		free(b);
		errno = e;
		return -1;
	}
	/* Nothing of ours may reach --exec's commands: a kqueue is not
	 * inherited by fork(), but some systems copy its descriptor. */
	if (fcntl(b->kq, F_SETFD, FD_CLOEXEC) < 0 ||
	    wakepipe_open(&b->wake) < 0)
		goto fail;
	EV_SET(&kev, b->wake.fd[0], EVFILT_READ, EV_ADD, 0, 0, 0);
	if (kevent(b->kq, &kev, 1, NULL, 0, NULL) < 0)
		goto fail;
	/* stdout's reader going away: a pipe's EVFILT_WRITE says EV_EOF.
	 * Edge-triggered, or a pipe with room would wake every wait; a
	 * descriptor kqueue will not take is only left unwatched. */
	if (env && env->hup_fd > 0) {
		EV_SET(&kev, env->hup_fd, EVFILT_WRITE, EV_ADD | EV_CLEAR, 0,
		       0, 0);
		(void)kevent(b->kq, &kev, 1, NULL, 0, NULL);
	}
	vt_init(&b->vt, b->kq);
	b->vt.notes = vnode_notes(0);
	b->list = list_dir;
	*out = b;
	return 0;
fail:
	e = errno;
	close(b->kq);
	wakepipe_close(&b->wake);
	free(b);
	errno = e;
	return -1;
}

/* What a burst needed: given back when going idle, and at the end. */
static void
free_burst(struct backend *b)
{
	recbuf_free(&b->out);
	free(b->jobs);
	b->jobs = NULL;
	b->capjobs = 0;
	moves_free(&b->mv);
}

static void
be_close(struct backend *b)
{
	if (!b)
		return;
	vt_free(&b->vt);
	close(b->kq);
	wakepipe_close(&b->wake);
	free_burst(b);
	free(b);
}

/* Open PATH for be_watch(): the core's errno dialect on failure. */
static struct vn *
watch_get(struct backend *b, const char *path, unsigned want)
{
	struct stat st;
	struct vn *v;
	int fresh, flags = 0, e;

	if (!(want & BE_FOLLOW))
		flags |= O_NOFOLLOW;
	if (want & BE_ONLYDIR)
		flags |= O_DIRECTORY;
	if ((v = vt_get(&b->vt, AT_FDCWD, path, flags, &fresh)))
		return v;
	e = errno;
	/* the core's word for "a watch limit was reached" */
	if (e == EMFILE)
		e = ENOSPC;
	/* O_NOFOLLOW met a symlink: ELOOP, EMLINK on FreeBSD, EFTYPE on
	 * NetBSD; the core expects inotify's ENOTDIR */
	else if ((want & BE_ONLYDIR) && !(want & BE_FOLLOW) &&
		 lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		e = ENOTDIR;
	errno = e;
	return NULL;
}

static int
be_watch(struct backend *b, const char *path, unsigned want)
{
	struct vn *v;
	int e;

	b->want |= want & (BE_WANT_CONTENT | BE_WANT_ATTRIB | BE_WANT_CLOSE_W |
			   BE_WANT_CLOSE_N | BE_WANT_OPEN | BE_WANT_ACCESS);
	b->vt.notes = vnode_notes(b->want);
	b->stamp++;
	if (!(v = watch_get(b, path, want)))
		return -1;
	if (v->id >= 0) {
		if (v->listed) {
			dir_reask(b, v);
			reap(b);
		}
		return v->id;
	}
	if (v->type == T_DIR && dir_load(b, v) < 0) {
		e = errno;
		vt_check(&b->vt, v);
		reap(b);
		errno = e == EMFILE ? ENOSPC : e;
		return -1;
	}
	return vt_give_id(&b->vt, v);
}

static int
be_unwatch(struct backend *b, int id)
{
	struct vn *v = vt_byid(&b->vt, id);
	if (!v) {
		errno = EINVAL;
		return -1;
	}
	drop_watch(b, v);
	reap(b);
	return 0;
}

/* Take what kevent() has, up to the stash's room, waiting as TP says;
 * 1 if the wake pipe, or the end of stdout's reader, was among it (they
 * are not stashed), -1 on error. */
static int
stash_more(struct backend *b, const struct timespec *tp)
{
	int n, woken = 0;
	if (b->nstash >= STASH)
		return 0;
	n = kevent(b->kq, NULL, 0, b->stash + b->nstash, STASH - b->nstash,
		   tp);
	if (n < 0)
		return -1;
	for (int i = b->nstash; i < b->nstash + n; i++)
		if ((b->stash[i].filter == EVFILT_READ &&
		     b->stash[i].ident == (uintptr_t)b->wake.fd[0]) ||
		    b->stash[i].filter == EVFILT_WRITE) {
			/* EVFILT_WRITE is only ever stdout (hup_fd): with
			 * EV_EOF its reader is gone, and the caller asks */
			woken = woken || b->stash[i].filter == EVFILT_READ ||
				(b->stash[i].flags & EV_EOF);
			b->stash[i] = b->stash[b->nstash + n - 1];
			n--;
			i--;
		}
	b->nstash += n;
	return woken;
}

static int
be_wait(struct backend *b, int timeout_ms)
{
	struct timespec ts, *tp = NULL;
	int woken;

	if (timeout_ms != 0 && (b->out.cap > KEEP || b->mv.capgone > KEEP ||
				b->mv.capborn > KEEP))
		free_burst(b); /* going idle after a burst */
	if (b->nstash)
		timeout_ms = 0; /* news waiting: only look for a wake */
	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tp = &ts;
	}
	if ((woken = stash_more(b, tp)) < 0)
		return errno == EINTR ? BE_WOKEN : -1;
	if (woken) {
		wakepipe_drain(&b->wake);
		/* A wake wins even if news is waiting: the caller has
		 * something to do first, and the news stays stashed. */
		return BE_WOKEN;
	}
	return b->nstash > 0;
}

static void
be_wake(struct backend *b)
{
	wakepipe_wake(&b->wake);
}

/* Note every kevent waiting, ROUNDS stashes at most; *drained says the
 * queue was emptied. */
static void
take(struct backend *b, int *drained)
{
	static const struct timespec zero = { 0, 0 };
	int n;
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < b->nstash; i++)
			note(b, &b->stash[i]);
		b->nstash = 0;
		n = kevent(b->kq, NULL, 0, b->stash, STASH, &zero);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			b->fail = errno;
			return;
		}
		b->nstash = n;
		if (n < STASH) {
			for (int i = 0; i < n; i++)
				note(b, &b->stash[i]);
			b->nstash = 0;
			*drained = 1;
			return;
		}
	}
}

static int
be_read(struct backend *b, const struct fw_raw **recs, int *drained)
{
	*drained = 0;
	recbuf_clear(&b->out);
	b->fail = 0;
	b->stamp++;
	take(b, drained);
	if (b->dirty)
		settle(b);
	if (!b->fail)
		b->fail = b->out.fail;
	if (b->fail) {
		errno = b->fail;
		return -1;
	}
	*recs = b->out.recs;
	return (int)recbuf_done(&b->out);
}

/* The soft and hard descriptor limits, as words. */
static void
fd_limits(char *soft, char *hard, size_t n)
{
	struct rlimit rl;
	snprintf(soft, n, "?");
	snprintf(hard, n, "?");
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur == RLIM_INFINITY)
		snprintf(soft, n, "unlimited");
	else
		snprintf(soft, n, "%llu", (unsigned long long)rl.rlim_cur);
	if (rl.rlim_max == RLIM_INFINITY)
		snprintf(hard, n, "unlimited");
	else
		snprintf(hard, n, "%llu", (unsigned long long)rl.rlim_max);
}

static const char *
be_limit_hint(struct backend *b, int err, size_t needed, char *buf, size_t n)
{
	char soft[24], hard[24];
	int k, files;

	if (err != ENOSPC && err != EMFILE)
		return NULL;
	fd_limits(soft, hard, sizeof soft);
	if (!b) {
		snprintf(buf, n, "too many open files (limit %s, hard limit "
			 "%s); raise it with 'ulimit -n'", soft, hard);
		return buf;
	}
	files = needs_vn(b->want, T_FILE);
	k = snprintf(buf, n, "out of file descriptors: kqueue needs one per "
		     "watched directory%s (ran out with %zu open; limit %s, hard "
		     "limit %s)", files ? " and per file in them" : "",
		     b->vt.at_limit ? b->vt.at_limit : b->vt.nvn, soft, hard);
	if (needed && k > 0 && (size_t)k < n)
		k += snprintf(buf + k, n - (size_t)k,
			      "; this tree has %zu directories%s", needed,
			      files ? ", plus their files" : "");
	if (k > 0 && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k,
			 "; raise the limit with 'ulimit -n' (past the hard "
			 "limit: sysctl kern.maxfilesperproc; on macOS also "
			 "'launchctl limit maxfiles'), or watch fewer files "
			 "(--exclude%s)",
			 files ? ", or --event without modify and attrib" : "");
	return buf;
}

const struct be_ops be_kqueue = {
	.name = "kqueue",
	.about = "kqueue, a descriptor per directory and per watched file",
	.caps = BE_CAP_ISDIR | BE_CAP_SELF_RECORDS |
		BE_CAP_RENAME_PAIRED,
	.open = be_open,
	.close = be_close,
	.watch = be_watch,
	.unwatch = be_unwatch,
	.wait = be_wait,
	.wake = be_wake,
	.read = be_read,
	.limit_hint = be_limit_hint,
};
