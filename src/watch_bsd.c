/*
 * watch_bsd.c - the kqueue backend, for macOS and the BSDs.
 *
 * kqueue watches open descriptors, not names: every watched directory,
 * and every file in one when its content or attributes are wanted, costs
 * a descriptor, and a directory's NOTE_WRITE says only that its entries
 * changed.  So each directory the core watches keeps a snapshot of its
 * entries (name, inode, type); on news it is listed again and compared,
 * and the difference becomes the records inotify would have sent: a
 * create, a delete, or a moved-from/moved-to pair for an inode that
 * changed names, also between two directories listed in the same read.
 * The core cannot tell this backend from watch_linux.c.
 *
 * The parts that need no kernel come first (fflags to fwatch's bits, the
 * snapshot diff, rename pairing) so tests/bsd/ can drive them with
 * hand-made kevents and listings.  Very large trees on macOS would be
 * better served by FSEvents (one stream per tree, no descriptor per
 * file); that would be a watch_fsevents.c beside this file, chosen by the
 * Makefile, with the same contract.
 */

/* The BSDs hide d_type's DT_ names, O_EVTONLY and parts of
 * <sys/event.h> from a strict POSIX compile; this is platform code. */
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
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "wakepipe.h"

#ifdef O_EVTONLY
/* macOS: a descriptor for events only, which does not keep the volume
 * busy, so watched disks can still be ejected */
#define OPEN_FLAGS (O_EVTONLY | O_CLOEXEC | O_NONBLOCK)
#else
/* O_NONBLOCK: the entry may have become a FIFO since it was listed */
#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NONBLOCK)
#endif

#define STASH 256      /* kevents taken per kevent() call */
#define ROUNDS 16      /* kevent() calls per be_read() at most */
#define FD_RESERVE 64  /* descriptors left for the rest of fwatch */
#define KEEP 64        /* records kept allocated when idle */
#define NONE ((size_t)-1)

enum { T_OTHER, T_FILE, T_DIR, T_LINK };

/* vn.ch: what fstat() showed had changed since the object was last seen */
#define CH_SIZE 0x1u
#define CH_META 0x2u  /* mode, owner */
#define CH_LINKS 0x4u /* link count */
#define CH_GONE 0x8u  /* no links left: unlinked for good */

struct vn;

struct ent {
	const char *name; /* in the listing's names, once it is complete */
	size_t off, len;
	ino_t ino;
	unsigned char type;
	unsigned char fresh; /* watched just now, with content already in it */
	struct vn *vn;       /* the object's watch, when this entry holds it */
};

struct listing {
	struct ent *e;
	size_t n, cap;
	char *names;
	size_t used, room;
};

/* One open descriptor: a directory or file the core watches (id >= 0),
 * an entry of a watched directory whose content is wanted, or both. */
struct vn {
	int fd;
	int id;
	dev_t dev;
	ino_t ino;
	unsigned char type;
	unsigned char dead;    /* unlinked for good, or revoked */
	unsigned char revoked;
	unsigned char doomed;  /* unwanted: closed at the end of the call */
	unsigned char dirty;   /* has news in this read */
	unsigned char injob;   /* listed again in this read */
	unsigned char snapped; /* snap holds its entries */
	unsigned char ch;
	unsigned fflags;       /* the news of this read */
	unsigned stamp;        /* claimed by an entry in this call */
	off_t size;            /* as last seen */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	nlink_t nlink;
	struct vn *parent;     /* the watched directory whose entry holds us */
	const char *name;      /* that entry's name, in parent->snap */
	size_t nlen;
	struct listing snap;
	struct vn *hnext, *inext, *dnext, *znext;
};

/* A directory listed again in this read. */
struct job {
	struct vn *dir;
	struct listing now, old;
	size_t *o2n, *n2o; /* entry i of one is entry o2n[i] of the other */
};

/* An entry that vanished (gone) or appeared (born) in some job. */
struct side {
	size_t job, idx;
	dev_t dev;
	ino_t ino;
	unsigned char type, dead, state;
	size_t mate; /* the other half of a rename, or NONE */
};

struct key { /* for sorting sides and renames */
	uint64_t a, b;
	const char *name;
	size_t i;
};

struct backend {
	int kq;
	struct wakepipe wake;
	unsigned want;
	int next_id;
	unsigned stamp;
	uint32_t cookie;
	struct vn **byfd;
	size_t capfd;
	struct vn **hash, **ids; /* by (dev, ino) and by id; hcap buckets */
	size_t hcap, nvn;
	size_t fdlim;
	size_t at_limit; /* descriptors open when they last ran out */
	int raised;
	struct kevent stash[STASH];
	int nstash;
	struct vn *dirty, *dtail, *zombies;
	struct job *jobs;
	size_t njobs, capjobs;
	struct side *gone, *born;
	size_t ngone, nborn, capgone, capborn;
	struct key *keys;
	size_t capkeys;
	struct fw_raw *recs;
	size_t *roff;
	size_t nrec, caprec, caproff;
	char *rn;
	size_t rnlen, rncap;
	int fail; /* errno of an allocation that failed in this read */
	/* lists directory D into L (sorted); a test may put its own here */
	int (*list)(struct backend *b, struct vn *d, struct listing *l);
};

static int
enlarge(void **p, size_t *cap, size_t need, size_t size)
{
	size_t nc;
	void *np;
	if (need <= *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	while (nc < need)
		nc *= 2;
	if (!(np = realloc(*p, nc * size)))
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}
#define ENLARGE(p, cap, need) enlarge((void **)&(p), &(cap), (need), sizeof *(p))

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
		     NOTE_LINK | NOTE_RENAME | NOTE_REVOKE;
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

static int
listing_add(struct listing *l, const char *name, size_t len, ino_t ino,
	    int type)
{
	struct ent *e;
	if (ENLARGE(l->e, l->cap, l->n + 1) < 0 ||
	    ENLARGE(l->names, l->room, l->used + len + 1) < 0)
		return -1;
	e = &l->e[l->n++];
	memset(e, 0, sizeof *e);
	e->off = l->used;
	e->len = len;
	e->ino = ino;
	e->type = (unsigned char)type;
	memcpy(l->names + l->used, name, len);
	l->names[l->used + len] = '\0';
	l->used += len + 1;
	return 0;
}

static int
ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->name,
		      ((const struct ent *)b)->name);
}

/* The names are in place: point at them and sort by name. */
static void
listing_done(struct listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		l->e[i].name = l->names + l->e[i].off;
	if (l->n > 1)
		qsort(l->e, l->n, sizeof *l->e, ent_cmp);
}

static void
listing_free(struct listing *l)
{
	free(l->e);
	free(l->names);
	memset(l, 0, sizeof *l);
}

/* Compare two sorted listings of one directory: o2n[i] is where OLD's
 * entry i is in NEW (NONE: its name is gone or holds another object),
 * n2o[k] the reverse. */
static void
diff(const struct listing *old, const struct listing *now, size_t *o2n,
     size_t *n2o)
{
	size_t i = 0, k = 0;
	for (size_t x = 0; x < old->n; x++)
		o2n[x] = NONE;
	for (size_t x = 0; x < now->n; x++)
		n2o[x] = NONE;
	while (i < old->n && k < now->n) {
		int c = strcmp(old->e[i].name, now->e[k].name);
		if (c < 0) {
			i++;
		} else if (c > 0) {
			k++;
		} else {
			if (old->e[i].ino == now->e[k].ino &&
			    old->e[i].type == now->e[k].type) {
				o2n[i] = k;
				n2o[k] = i;
			}
			i++;
			k++;
		}
	}
}

static int
key_cmp(const void *pa, const void *pb)
{
	const struct key *a = pa, *b = pb;
	int c;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	if (a->name && b->name && (c = strcmp(a->name, b->name)))
		return c;
	return a->i < b->i ? -1 : a->i > b->i;
}

/*
 * Pair each vanished entry with an appeared one of the same object
 * (device, inode, type): one rename each, first come first paired.  A
 * vanished entry whose object is known to be unlinked is never paired,
 * since its inode number may already have been given to a new file.
 * KEYS has room for NB.
 */
static void
pair_moves(struct side *gone, size_t ng, struct side *born, size_t nb,
	   struct key *keys)
{
	for (size_t i = 0; i < ng; i++)
		gone[i].mate = NONE;
	for (size_t i = 0; i < nb; i++) {
		born[i].mate = NONE;
		keys[i].a = (uint64_t)born[i].dev;
		keys[i].b = (uint64_t)born[i].ino;
		keys[i].name = NULL;
		keys[i].i = i;
	}
	if (nb > 1)
		qsort(keys, nb, sizeof *keys, key_cmp);
	for (size_t g = 0; g < ng; g++) {
		size_t lo = 0, hi = nb;
		uint64_t a = (uint64_t)gone[g].dev;
		uint64_t b = (uint64_t)gone[g].ino;
		if (gone[g].dead)
			continue;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (keys[mid].a < a ||
			    (keys[mid].a == a && keys[mid].b < b))
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < nb && keys[lo].a == a && keys[lo].b == b; lo++) {
			struct side *s = &born[keys[lo].i];
			if (s->mate == NONE && s->type == gone[g].type) {
				s->mate = g;
				gone[g].mate = keys[lo].i;
				break;
			}
		}
	}
}

/* ---- records ----------------------------------------------------------- */

static void
rec(struct backend *b, int id, unsigned flags, uint32_t cookie,
    const char *name, size_t len)
{
	struct fw_raw *r;
	if (b->fail)
		return;
	if (ENLARGE(b->recs, b->caprec, b->nrec + 1) < 0 ||
	    ENLARGE(b->roff, b->caproff, b->nrec + 1) < 0 ||
	    ENLARGE(b->rn, b->rncap, b->rnlen + len + 1) < 0) {
		b->fail = errno;
		return;
	}
	r = &b->recs[b->nrec];
	r->id = id;
	r->flags = flags;
	r->cookie = cookie;
	r->name = NULL; /* set when the names stop moving */
	r->name_len = len;
	b->roff[b->nrec++] = b->rnlen;
	memcpy(b->rn + b->rnlen, name, len);
	b->rn[b->rnlen + len] = '\0';
	b->rnlen += len + 1;
}

/* ---- descriptors ---------------------------------------------------------- */

static size_t
hkey(dev_t dev, ino_t ino, size_t cap)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15u;
	h ^= (uint64_t)dev * 0xc2b2ae3d27d4eb4fu;
	return (size_t)(h >> 29) & (cap - 1);
}

static size_t
ikey(int id, size_t cap)
{
	return ((unsigned)id * 2654435761u) & (cap - 1);
}

/* Rebuild both tables with twice the buckets. */
static int
rehash(struct backend *b)
{
	size_t nc = b->hcap ? b->hcap * 2 : 256;
	struct vn **h = calloc(nc, sizeof *h), **ih = calloc(nc, sizeof *ih);
	if (!h || !ih) {
		free(h);
		free(ih);
		return -1;
	}
	free(b->hash);
	free(b->ids);
	b->hash = h;
	b->ids = ih;
	b->hcap = nc;
	for (size_t fd = 0; fd < b->capfd; fd++) {
		struct vn *v = b->byfd[fd];
		size_t k;
		if (!v)
			continue;
		k = hkey(v->dev, v->ino, nc);
		v->hnext = h[k];
		h[k] = v;
		if (v->id >= 0) {
			k = ikey(v->id, nc);
			v->inext = ih[k];
			ih[k] = v;
		}
	}
	return 0;
}

#define LIVE 1 /* vn_find: only objects still linked */

static struct vn *
vn_find(const struct backend *b, dev_t dev, ino_t ino, int live)
{
	struct vn *v;
	if (!b->hcap)
		return NULL;
	for (v = b->hash[hkey(dev, ino, b->hcap)]; v; v = v->hnext)
		if (v->dev == dev && v->ino == ino && !v->doomed &&
		    !(live && v->dead))
			return v;
	return NULL;
}

static struct vn *
id_find(const struct backend *b, int id)
{
	struct vn *v;
	if (!b->hcap || id < 0)
		return NULL;
	for (v = b->ids[ikey(id, b->hcap)]; v; v = v->inext)
		if (v->id == id)
			return v;
	return NULL;
}

static void
id_remove(struct backend *b, struct vn *v)
{
	struct vn **p = &b->ids[ikey(v->id, b->hcap)];
	while (*p != v)
		p = &(*p)->inext;
	*p = v->inext;
	v->id = -1;
}

/* Give V a new id; ids are not reused soon, because the core may still
 * unwatch an id it was told is gone, after a new watch has been made. */
static int
id_give(struct backend *b, struct vn *v)
{
	size_t k;
	do {
		v->id = b->next_id;
		b->next_id = b->next_id == INT_MAX ? 0 : b->next_id + 1;
	} while (id_find(b, v->id));
	k = ikey(v->id, b->hcap);
	v->inext = b->ids[k];
	b->ids[k] = v;
	return v->id;
}

static size_t
limit_of(const struct rlimit *rl)
{
	return rl->rlim_cur == RLIM_INFINITY || rl->rlim_cur > SIZE_MAX
		       ? SIZE_MAX : (size_t)rl->rlim_cur;
}

/* Raise the soft descriptor limit to the hard one.  Done only when the
 * tree needs it: the limit is inherited by --exec's commands, and some
 * programs close or poll every possible descriptor. */
static void
raise_fd_limit(struct backend *b)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur != rl.rlim_max) {
		rlim_t was = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
#ifdef OPEN_MAX
			/* macOS refuses more than kern.maxfilesperproc,
			 * and its hard limit is often "unlimited" */
			rl.rlim_cur = was;
			if (rl.rlim_max > OPEN_MAX && was < OPEN_MAX) {
				rl.rlim_cur = OPEN_MAX;
				if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
					rl.rlim_cur = was;
			}
#else
			rl.rlim_cur = was;
#endif
		}
	}
	b->fdlim = limit_of(&rl);
}

/* May one more descriptor be opened?  EMFILE if not. */
static int
fd_room(struct backend *b)
{
	if (b->nvn + FD_RESERVE < b->fdlim)
		return 1;
	if (!b->raised) {
		b->raised = 1;
		raise_fd_limit(b);
		if (b->nvn + FD_RESERVE < b->fdlim)
			return 1;
	}
	errno = EMFILE;
	return 0;
}

static void
remember(struct vn *v, const struct stat *st)
{
	v->size = st->st_size;
	v->mode = st->st_mode;
	v->uid = st->st_uid;
	v->gid = st->st_gid;
	v->nlink = st->st_nlink;
}

static int
type_of(mode_t m)
{
	return S_ISREG(m) ? T_FILE : S_ISDIR(m) ? T_DIR
	       : S_ISLNK(m) ? T_LINK : T_OTHER;
}

static int
fd_slot(struct backend *b, int fd)
{
	size_t old = b->capfd;
	if ((size_t)fd < old)
		return 0;
	if (ENLARGE(b->byfd, b->capfd, (size_t)fd + 1) < 0)
		return -1;
	memset(b->byfd + old, 0, (b->capfd - old) * sizeof *b->byfd);
	return 0;
}

/* Open NAME (relative to DIRFD) and register it, or find the watch its
 * object already has.  *fresh says a descriptor was opened. */
static struct vn *
vn_get(struct backend *b, int dirfd, const char *name, int flags, int *fresh)
{
	struct stat st;
	struct kevent kev;
	struct vn *v;
	int fd, e;

	*fresh = 0;
	if (!fd_room(b) ||
	    (fd = openat(dirfd, name, OPEN_FLAGS | flags)) < 0) {
		if (errno == EMFILE)
			b->at_limit = b->nvn;
		return NULL;
	}
	if (fstat(fd, &st) < 0)
		goto fail;
	if ((v = vn_find(b, st.st_dev, st.st_ino, LIVE))) {
		close(fd);
		return v;
	}
	if ((b->nvn + 1 > b->hcap && rehash(b) < 0) || fd_slot(b, fd) < 0 ||
	    !(v = calloc(1, sizeof *v)))
		goto fail;
	EV_SET(&kev, fd, EVFILT_VNODE, EV_ADD | EV_CLEAR, vnode_notes(b->want),
	       0, 0);
	if (kevent(b->kq, &kev, 1, NULL, 0, NULL) < 0) {
		free(v);
		goto fail;
	}
	v->fd = fd;
	v->id = -1;
	v->dev = st.st_dev;
	v->ino = st.st_ino;
	v->type = (unsigned char)type_of(st.st_mode);
	remember(v, &st);
	b->byfd[fd] = v;
	{
		size_t k = hkey(v->dev, v->ino, b->hcap);
		v->hnext = b->hash[k];
		b->hash[k] = v;
	}
	b->nvn++;
	*fresh = 1;
	return v;
fail:
	e = errno;
	close(fd);
	errno = e;
	return NULL;
}

/* V is watched for nobody any more: close it at the end of the call
 * (the dirty list of a read in progress may still point at it). */
static void
vn_check(struct backend *b, struct vn *v)
{
	if (!v->doomed && v->id < 0 && !v->parent) {
		v->doomed = 1;
		v->znext = b->zombies;
		b->zombies = v;
	}
}

static void
reap(struct backend *b)
{
	struct vn *v, **p;
	while ((v = b->zombies)) {
		b->zombies = v->znext;
		p = &b->hash[hkey(v->dev, v->ino, b->hcap)];
		while (*p != v)
			p = &(*p)->hnext;
		*p = v->hnext;
		b->byfd[v->fd] = NULL;
		/* news be_wait() took for this descriptor must not reach
		 * the next object that gets its number */
		for (int i = 0; i < b->nstash; i++)
			if (b->stash[i].ident == (uintptr_t)v->fd)
				b->stash[i--] = b->stash[--b->nstash];
		close(v->fd); /* also ends its kevent registration */
		b->nvn--;
		listing_free(&v->snap);
		free(v);
	}
}

/* ---- directories ---------------------------------------------------------- */

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
		const char *nm;
		ino_t ino;
		int type;
		errno = 0;
		if (!(de = readdir(dp))) {
			e = errno;
			break;
		}
		nm = de->d_name;
		if (nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2])))
			continue;
		ino = de->d_ino;
		if ((type = dtype(de->d_type)) < 0) {
			struct stat st;
			if (fstatat(dirfd(dp), nm, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue; /* gone since */
			type = type_of(st.st_mode);
			ino = st.st_ino;
		}
		if (listing_add(l, nm, strlen(nm), ino, type) < 0) {
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

/*
 * Give entry E of directory D the watch of its object, if its content or
 * attributes are wanted: the object's watch if it has one nobody else's
 * entry holds (a hard link elsewhere keeps it), else a new descriptor.
 * With OPEN clear, only an existing watch is taken.  -1 (EMFILE) only
 * when descriptors ran out; an entry gone already, or one we may not
 * open, just has no watch.
 */
static int
attach(struct backend *b, struct vn *d, struct ent *e, int open)
{
	struct vn *v;
	int fresh = 0;
	if (e->vn || !needs_vn(b->want, e->type))
		return 0;
	if (!(v = vn_find(b, d->dev, e->ino, LIVE))) {
		if (!open)
			return 0;
		if (!(v = vn_get(b, d->fd, e->name, O_NOFOLLOW, &fresh)))
			return errno == EMFILE ? -1 : 0;
		if (v->ino != e->ino || v->type != e->type) {
			/* replaced since it was listed: the next listing
			 * will say so */
			if (fresh)
				vn_check(b, v);
			return 0;
		}
	}
	if (v->parent || v->stamp == b->stamp)
		return 0;
	v->stamp = b->stamp;
	e->vn = v;
	e->fresh = fresh && v->type == T_FILE && v->size > 0;
	return 0;
}

/* The entries of L hold their watches from now on, under D. */
static void
hold(struct vn *d, struct listing *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct vn *v = l->e[i].vn;
		if (v) {
			v->parent = d;
			v->name = l->e[i].name;
			v->nlen = l->e[i].len;
		}
	}
}

/* First look at a directory the core has just asked for. */
static int
snap_load(struct backend *b, struct vn *d)
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
	d->snap = l;
	d->snapped = 1;
	return 0;
fail:
	e = errno;
	for (size_t i = 0; i < l.n; i++)
		if (l.e[i].vn)
			vn_check(b, l.e[i].vn);
	listing_free(&l);
	errno = e;
	return -1;
}

static void
snap_drop(struct backend *b, struct vn *d)
{
	for (size_t i = 0; i < d->snap.n; i++) {
		struct vn *v = d->snap.e[i].vn;
		if (v) {
			v->parent = NULL;
			vn_check(b, v);
		}
	}
	listing_free(&d->snap);
	d->snapped = 0;
}

/* The core no longer watches V (it was told, or it asked).  A snapshot
 * being compared in this read is left to the end of the read. */
static void
drop_watch(struct backend *b, struct vn *v)
{
	id_remove(b, v);
	if (v->snapped && !v->injob)
		snap_drop(b, v);
	vn_check(b, v);
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
 * List the watched directory D again and compare.  A subdirectory that
 * vanished because it was removed (rm -r) is listed first, so that its
 * entries' deletes come before its own, in the order they happened and
 * while the core still knows the subdirectory.  D is snapped, and not
 * listed yet in this read.
 */
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
	if (!(j.o2n = malloc((d->snap.n + 1) * sizeof *j.o2n)) ||
	    !(j.n2o = malloc((j.now.n + 1) * sizeof *j.n2o)))
		goto fail;
	diff(&d->snap, &j.now, j.o2n, j.n2o);
	for (size_t i = 0; i < d->snap.n; i++) {
		const struct ent *o = &d->snap.e[i];
		struct vn *s;
		if (j.o2n[i] != NONE && o->vn && o->vn->dead) {
			/* unlinked, and its inode given to a new file of
			 * the same name: a delete and a create */
			j.n2o[j.o2n[i]] = NONE;
			j.o2n[i] = NONE;
		}
		if (j.o2n[i] != NONE || o->type != T_DIR)
			continue;
		s = o->vn ? o->vn : vn_find(b, d->dev, o->ino, 0);
		if (s && s->snapped && !s->injob && unlinked(b, s) &&
		    rescan(b, s) < 0)
			goto fail;
	}
	if (ENLARGE(b->jobs, b->capjobs, b->njobs + 1) < 0)
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
	    ev->ident >= b->capfd || !(v = b->byfd[ev->ident]) || v->doomed)
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
	if (ff & NOTE_REVOKE) {
		v->dead = v->revoked = 1;
		return;
	}
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
	remember(v, &st);
}

/* Where side S's entry is. */
static struct ent *
side_ent(struct backend *b, const struct side *s, int born)
{
	struct job *j = &b->jobs[s->job];
	return born ? &j->now.e[s->idx] : &j->dir->snap.e[s->idx];
}

static unsigned
isdir(const struct ent *e)
{
	return e->type == T_DIR ? BE_ISDIR : 0;
}

/* The watch of the directory entry E of D names, if the core has one. */
static struct vn *
watched_dir(struct backend *b, struct vn *d, const struct ent *e)
{
	struct vn *s;
	if (e->type != T_DIR)
		return NULL;
	s = e->vn ? e->vn : vn_find(b, d->dev, e->ino, LIVE);
	return s && s->id >= 0 && !s->dead ? s : NULL;
}

/* A directory named by a vanished entry is out of our sight. */
static void
forget_dir(struct backend *b, struct vn *s)
{
	if (s) {
		rec(b, s->id, BE_IGNORED, 0, "", 0);
		drop_watch(b, s);
	}
}

/* Emit rename G, after any rename that frees its new name. */
static void
emit_move(struct backend *b, size_t g, size_t nk)
{
	struct side *s = &b->gone[g], *t = &b->born[s->mate];
	struct vn *sd = b->jobs[s->job].dir, *td = b->jobs[t->job].dir;
	struct ent *se = side_ent(b, s, 0), *te = side_ent(b, t, 1);
	struct key want = { (uint64_t)(uintptr_t)td, 0, te->name, 0 };
	size_t lo = 0, hi = nk;

	s->state = 1;
	te->vn = se->vn;
	if (sd->id < 0 || td->id < 0) {
		/* one side's directory left our sight in this read (its
		 * delete went out already): seen from here, a create or a
		 * delete */
		if (sd->id >= 0) {
			rec(b, sd->id, BE_DELETE | isdir(se), 0, se->name,
			    se->len);
			forget_dir(b, watched_dir(b, sd, se));
		} else if (td->id >= 0) {
			rec(b, td->id, BE_CREATE | isdir(te), 0, te->name,
			    te->len);
		}
		s->state = 2;
		return;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		want.i = b->keys[mid].i;
		if (key_cmp(&b->keys[mid], &want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < nk && b->keys[lo].a == want.a &&
	    !strcmp(b->keys[lo].name, te->name)) {
		struct side *q = &b->gone[b->keys[lo].i];
		if (q->state == 0)
			emit_move(b, b->keys[lo].i, nk);
		if (q->state == 1 && se->type == T_DIR) {
			/* Names swapped in a cycle: the core has a
			 * directory under the new name still.  This one
			 * becomes a delete now and a create after. */
			rec(b, sd->id, BE_DELETE | BE_ISDIR, 0, se->name,
			    se->len);
			forget_dir(b, watched_dir(b, sd, se));
			s->state = 3;
			return;
		}
	}
	if (!++b->cookie)
		b->cookie = 1;
	rec(b, sd->id, BE_MOVED_FROM | isdir(se), b->cookie, se->name, se->len);
	rec(b, td->id, BE_MOVED_TO | isdir(te), b->cookie, te->name, te->len);
	s->state = 2;
}

/* Every job's listing becomes its directory's snapshot, and every watch
 * goes to the entry that holds it now; watches nobody holds are closed.
 * A watch is held by one entry at most: the passes keep it so. */
static void
install(struct backend *b)
{
	for (size_t x = 0; x < b->njobs; x++) {
		struct job *j = &b->jobs[x];
		for (size_t i = 0; i < j->dir->snap.n; i++)
			if (j->dir->snap.e[i].vn)
				j->dir->snap.e[i].vn->parent = NULL;
	}
	for (size_t x = 0; x < b->njobs; x++) {
		struct job *j = &b->jobs[x];
		struct vn *d = j->dir;
		j->old = d->snap;
		memset(&d->snap, 0, sizeof d->snap);
		d->snapped = 0;
		d->injob = 0;
		if (d->id < 0)
			continue;
		for (size_t k = 0; k < j->now.n; k++)
			if (j->n2o[k] != NONE)
				j->now.e[k].vn = j->old.e[j->n2o[k]].vn;
		hold(d, &j->now);
	}
	for (size_t x = 0; x < b->njobs; x++) {
		struct job *j = &b->jobs[x];
		struct vn *d = j->dir;
		if (d->id < 0)
			continue;
		/* a hard link's other name, left by the one that held it */
		for (size_t k = 0; k < j->now.n; k++)
			if (!j->now.e[k].vn) {
				attach(b, d, &j->now.e[k], 0);
				if (j->now.e[k].vn) {
					j->now.e[k].vn->parent = d;
					j->now.e[k].vn->name = j->now.e[k].name;
					j->now.e[k].vn->nlen = j->now.e[k].len;
				}
			}
		d->snap = j->now;
		d->snapped = 1;
		memset(&j->now, 0, sizeof j->now);
	}
	for (size_t x = 0; x < b->njobs; x++) {
		struct job *j = &b->jobs[x];
		for (size_t i = 0; i < j->old.n; i++)
			if (j->old.e[i].vn)
				vn_check(b, j->old.e[i].vn);
		for (size_t k = 0; k < j->now.n; k++)
			if (j->now.e[k].vn)
				vn_check(b, j->now.e[k].vn);
		listing_free(&j->old);
		listing_free(&j->now);
		free(j->o2n);
		free(j->n2o);
	}
	b->njobs = 0;
}

/* Collect the sides of every job, in job order. */
static int
sides(struct backend *b)
{
	b->ngone = b->nborn = 0;
	for (size_t x = 0; x < b->njobs; x++) {
		struct job *j = &b->jobs[x];
		struct vn *d = j->dir;
		for (size_t i = 0; i < d->snap.n; i++) {
			const struct ent *e = &d->snap.e[i];
			struct side *s;
			struct vn *o;
			if (j->o2n[i] != NONE)
				continue;
			if (ENLARGE(b->gone, b->capgone, b->ngone + 1) < 0)
				return -1;
			s = &b->gone[b->ngone++];
			memset(s, 0, sizeof *s);
			s->job = x;
			s->idx = i;
			s->dev = d->dev;
			s->ino = e->ino;
			s->type = e->type;
			/* unlinked objects are not renamed; without a
			 * watch of its own nothing is known */
			o = e->vn ? e->vn : vn_find(b, d->dev, e->ino, 0);
			s->dead = o && o->dead && !vn_find(b, d->dev, e->ino,
							   LIVE);
		}
		for (size_t k = 0; k < j->now.n; k++) {
			const struct ent *e = &j->now.e[k];
			struct side *s;
			if (j->n2o[k] != NONE)
				continue;
			if (ENLARGE(b->born, b->capborn, b->nborn + 1) < 0)
				return -1;
			s = &b->born[b->nborn++];
			memset(s, 0, sizeof *s);
			s->job = x;
			s->idx = k;
			s->dev = d->dev;
			s->ino = e->ino;
			s->type = e->type;
		}
	}
	return ENLARGE(b->keys, b->capkeys,
		       (b->nborn > b->ngone ? b->nborn : b->ngone) + 1);
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
	size_t nk = 0;

	for (v = b->dirty; v; v = v->dnext)
		look(v);
	for (v = b->dirty; v && !b->fail; v = v->dnext)
		if (v->snapped && !v->injob &&
		    (v->dead || (v->fflags & (NOTE_WRITE | NOTE_EXTEND |
					      NOTE_LINK))) &&
		    rescan(b, v) < 0)
			b->fail = errno;
	if (!b->fail && sides(b) < 0)
		b->fail = errno;
	if (b->fail) {
		b->ngone = b->nborn = 0;
	} else {
		pair_moves(b->gone, b->ngone, b->born, b->nborn, b->keys);
	}

	for (v = b->dirty; v; v = v->dnext) {
		unsigned self = xlate(v->fflags, v->type, v->ch, 1) & mask;
		unsigned ent = xlate(v->fflags, v->type, v->ch, 0) & mask;
		if (v->id >= 0 && self)
			rec(b, v->id, self, 0, "", 0);
		if (v->parent && ent)
			rec(b, v->parent->id, ent, 0, v->name, v->nlen);
	}

	for (size_t g = 0; g < b->ngone; g++) {
		struct side *s = &b->gone[g];
		struct vn *d = b->jobs[s->job].dir;
		struct ent *e = side_ent(b, s, 0);
		if (s->mate != NONE)
			continue;
		rec(b, d->id, BE_DELETE | isdir(e), 0, e->name, e->len);
		forget_dir(b, watched_dir(b, d, e));
	}

	for (size_t g = 0; g < b->ngone; g++) {
		struct side *s = &b->gone[g];
		if (s->mate == NONE)
			continue;
		b->keys[nk].a = (uint64_t)(uintptr_t)b->jobs[s->job].dir;
		b->keys[nk].b = 0;
		b->keys[nk].name = side_ent(b, s, 0)->name;
		b->keys[nk++].i = g;
	}
	if (nk > 1)
		qsort(b->keys, nk, sizeof *b->keys, key_cmp);
	/* Directories first: in a cycle, the rename that closes it is then
	 * a file's, which may go out of order (the core keeps no node for
	 * a file), where a directory's would have to be broken in two. */
	for (int dirs = 1; dirs >= 0; dirs--)
		for (size_t g = 0; g < b->ngone; g++)
			if (b->gone[g].mate != NONE && b->gone[g].state == 0 &&
			    (b->gone[g].type == T_DIR) == dirs)
				emit_move(b, g, nk);
	for (size_t g = 0; g < b->ngone; g++) {
		struct side *s = &b->gone[g];
		if (s->state == 3) {
			struct side *t = &b->born[s->mate];
			struct ent *te = side_ent(b, t, 1);
			rec(b, b->jobs[t->job].dir->id, BE_CREATE | isdir(te), 0,
			    te->name, te->len);
		}
	}

	for (size_t k = 0; k < b->nborn; k++) {
		struct side *t = &b->born[k];
		struct vn *d = b->jobs[t->job].dir;
		struct ent *e = side_ent(b, t, 1);
		if (t->mate != NONE || d->id < 0)
			continue;
		/* out of descriptors, it has no content news: creates,
		 * deletes and renames are still seen */
		(void)attach(b, d, e, 1);
		rec(b, d->id, BE_CREATE | isdir(e), 0, e->name, e->len);
		/* written before it could be watched: inotify would have
		 * said so */
		if (e->fresh && (mask & BE_MODIFY))
			rec(b, d->id, BE_MODIFY, 0, e->name, e->len);
	}

	for (v = b->dirty; v; v = v->dnext) {
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
	(void)env; /* TODO: no descriptor for a file nobody wants */
	struct backend *b = calloc(1, sizeof *b);
	struct kevent kev;
	struct rlimit rl;
	int e;

	if (!b)
		return -1;
	b->wake.fd[0] = b->wake.fd[1] = -1;
	if ((b->kq = kqueue()) < 0) {
		e = errno;
		free(b);
		errno = e;
		return -1;
	}
	/* Nothing of ours may reach --exec's commands: a kqueue is not
	 * inherited by fork(), but some systems copy its descriptor. */
	if (fcntl(b->kq, F_SETFD, FD_CLOEXEC) < 0 || wakepipe_open(&b->wake) < 0)
		goto fail;
	EV_SET(&kev, b->wake.fd[0], EVFILT_READ, EV_ADD, 0, 0, 0);
	if (kevent(b->kq, &kev, 1, NULL, 0, NULL) < 0)
		goto fail;
	b->fdlim = getrlimit(RLIMIT_NOFILE, &rl) < 0 ? 256 : limit_of(&rl);
	b->next_id = 1;
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

static void
be_close(struct backend *b)
{
	if (!b)
		return;
	for (size_t fd = 0; fd < b->capfd; fd++) {
		struct vn *v = b->byfd[fd];
		if (v) {
			close(v->fd);
			listing_free(&v->snap);
			free(v);
		}
	}
	close(b->kq);
	wakepipe_close(&b->wake);
	free(b->byfd);
	free(b->hash);
	free(b->ids);
	free(b->jobs);
	free(b->gone);
	free(b->born);
	free(b->keys);
	free(b->recs);
	free(b->roff);
	free(b->rn);
	free(b);
}

static int
be_watch(struct backend *b, const char *path, unsigned want)
{
	struct stat st;
	struct vn *v;
	int fresh, flags = 0, e;

	b->want |= want & (BE_WANT_CONTENT | BE_WANT_ATTRIB | BE_WANT_CLOSE_W |
			   BE_WANT_CLOSE_N | BE_WANT_OPEN | BE_WANT_ACCESS);
	b->stamp++;
	if (!(want & BE_FOLLOW))
		flags |= O_NOFOLLOW;
	if (want & BE_ONLYDIR)
		flags |= O_DIRECTORY;
	if (!(v = vn_get(b, AT_FDCWD, path, flags, &fresh))) {
		e = errno;
		/* the core's word for "a watch limit was reached" */
		if (e == EMFILE)
			e = ENOSPC;
		/* O_NOFOLLOW met a symlink: ELOOP, EMLINK on FreeBSD,
		 * EFTYPE on NetBSD; the core expects inotify's ENOTDIR */
		else if ((want & BE_ONLYDIR) && !(want & BE_FOLLOW) &&
			 lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			e = ENOTDIR;
		errno = e;
		return -1;
	}
	if (v->id >= 0)
		return v->id;
	if (v->type == T_DIR && snap_load(b, v) < 0) {
		e = errno;
		vn_check(b, v);
		reap(b);
		errno = e == EMFILE ? ENOSPC : e;
		return -1;
	}
	return id_give(b, v);
}

static int
be_unwatch(struct backend *b, int id)
{
	struct vn *v = id_find(b, id);
	if (!v) {
		errno = EINVAL;
		return -1;
	}
	drop_watch(b, v);
	reap(b);
	return 0;
}

static int
be_wait(struct backend *b, int timeout_ms)
{
	struct timespec ts, *tp = NULL;
	int n, woken = 0;

	if (timeout_ms != 0 &&
	    (b->caprec > KEEP || b->capgone > KEEP || b->capborn > KEEP)) {
		/* going idle after a burst: its memory need not stay */
		free(b->recs);
		free(b->roff);
		free(b->rn);
		free(b->gone);
		free(b->born);
		free(b->keys);
		free(b->jobs);
		b->recs = NULL;
		b->roff = NULL;
		b->rn = NULL;
		b->gone = b->born = NULL;
		b->keys = NULL;
		b->jobs = NULL;
		b->caprec = b->caproff = b->rncap = 0;
		b->capgone = b->capborn = b->capkeys = b->capjobs = 0;
	}
	if (b->nstash)
		timeout_ms = 0; /* news waiting: only look for a wake */
	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tp = &ts;
	}
	if (b->nstash < STASH) {
		n = kevent(b->kq, NULL, 0, b->stash + b->nstash,
			   STASH - b->nstash, tp);
		if (n < 0)
			return errno == EINTR ? BE_WOKEN : -1;
		for (int i = b->nstash; i < b->nstash + n; i++) {
			if (b->stash[i].filter == EVFILT_READ &&
			    b->stash[i].ident == (uintptr_t)b->wake.fd[0]) {
				woken = 1;
				b->stash[i] = b->stash[b->nstash + n - 1];
				n--;
				i--;
			}
		}
		b->nstash += n;
	}
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

static int
be_read(struct backend *b, const struct fw_raw **recs, int *drained)
{
	static const struct timespec zero = { 0, 0 };
	int n;

	*drained = 0;
	b->nrec = 0;
	b->rnlen = 0;
	b->fail = 0;
	b->stamp++;
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < b->nstash; i++)
			note(b, &b->stash[i]);
		b->nstash = 0;
		n = kevent(b->kq, NULL, 0, b->stash, STASH, &zero);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			b->fail = errno;
			break;
		}
		b->nstash = n;
		if (n < STASH) {
			for (int i = 0; i < n; i++)
				note(b, &b->stash[i]);
			b->nstash = 0;
			*drained = 1;
			break;
		}
	}
	if (b->dirty)
		settle(b);
	if (b->fail) {
		errno = b->fail;
		return -1;
	}
	for (size_t i = 0; i < b->nrec; i++)
		b->recs[i].name = b->rn + b->roff[i];
	*recs = b->recs;
	return (int)b->nrec;
}

static const char *
be_limit_hint(struct backend *b, int err, size_t needed, char *buf, size_t n)
{
	struct rlimit rl;
	char soft[24] = "?", hard[24] = "?";
	int k, files;

	if (err != ENOSPC && err != EMFILE)
		return NULL;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur == RLIM_INFINITY)
			snprintf(soft, sizeof soft, "unlimited");
		else
			snprintf(soft, sizeof soft, "%llu",
				 (unsigned long long)rl.rlim_cur);
		if (rl.rlim_max == RLIM_INFINITY)
			snprintf(hard, sizeof hard, "unlimited");
		else
			snprintf(hard, sizeof hard, "%llu",
				 (unsigned long long)rl.rlim_max);
	}
	if (!b) {
		snprintf(buf, n, "too many open files (limit %s, hard limit "
			 "%s); raise it with 'ulimit -n'", soft, hard);
		return buf;
	}
	files = needs_vn(b->want, T_FILE);
	k = snprintf(buf, n, "out of file descriptors: kqueue needs one per "
		     "watched directory%s (ran out with %zu open; limit %s, hard "
		     "limit %s)", files ? " and per file in them" : "",
		     b->at_limit ? b->at_limit : b->nvn, soft, hard);
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
