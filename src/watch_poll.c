/*
 * watch_poll.c - the polling backend, for every platform: it looks at
 * each watched directory every interval and reports what changed, for
 * the filesystems whose changes no kernel notification reports (NFS,
 * SMB, 9p, FUSE: see sys_fs_blind) and wherever --poll asks for it.
 *
 * Each watched directory is held open (sys_pdir), so it stays the same
 * directory when renamed and its entries are looked at relative to it.
 * A round, for each directory:
 *   - one look at the directory itself: removed, or its times moved?
 *   - if they moved (or may have moved unseen: see RACY_NS), a new
 *     listing, compared with the last one (listing.c): names gone and
 *     born, paired into renames across every directory of the round by
 *     the object they name;
 *   - if not, one look at each entry whose size or times are wanted:
 *     modify when its size or mtime moved, attrib when only its ctime did.
 * The records come out in the order the core needs: deletes (a removed
 * directory's entries before it), renames, creates (oldest first), then
 * content, under the names the files have now, and news about the
 * watched directories themselves.
 *
 * Nothing here allocates per entry per round: listings keep their arrays,
 * and only a directory that changed is listed again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "listing.h"
#include "recbuf.h"
#include "strmap.h"
#include "sys.h"

#define DEFAULT_MS 1000
#define KEEP_JOBS 16 /* listings kept for reuse from round to round */

/*
 * Hazard: timestamps are as coarse as the filesystem's clock (a kernel
 * tick, two seconds on FAT, the server's clock on NFS).  A change made
 * in the same tick as our last listing leaves the directory's mtime as
 * it was; so a directory whose mtime is this recent, or moved in the
 * last round, is listed again whatever its times say.
 */
#define RACY_NS (2 * 1000000000LL)

/* lent.held: whether anyone wants news of the file's content */
static char asked_yes, asked_no;
#define WANTED (&asked_yes)
#define UNWANTED (&asked_no)

struct pdir {
	int id;                /* -1: the slot is free */
	unsigned want;
	struct sys_pdir *h;
	struct sys_info self;  /* the directory itself, as last looked at */
	struct listing snap;   /* its entries then, sorted by name */
	size_t job;            /* its job in this round, or LISTING_NONE */
	unsigned char moved;   /* its times moved in the last round */
	unsigned char attrib;  /* only its ctime moved in this round */
	unsigned char dead;    /* removed: its last records are due */
	unsigned char lost;    /* its handle no longer answers: found again
				* under its parent, or dead */
	unsigned char done;    /* its deletes went out in this round */
	unsigned char dropped; /* no longer watched: freed after the round */
};

/* An entry that appeared, for ordering the creates. */
struct birth {
	int64_t ctime;
	const char *name;
	size_t k; /* its born side */
};

/* A directory listed again in this round. */
struct job {
	size_t dir;
	struct listing now;
	size_t *o2n, *n2o;
	size_t capo, capn;
};

struct backend {
	const struct be_env *env;
	int interval;
	int64_t due;            /* sys_mono_ms() of the next round */
	unsigned want;          /* everything asked of any directory */
	struct sys_waiter *waiter;
	struct pdir *dirs;
	size_t ndirs, capdirs;
	struct smap byobj;      /* (dev, ino) -> slot */
	struct buf objkeys;
	size_t objgarbage;
	struct job *jobs;
	size_t njobs, capjobs, initjobs; /* initjobs: set up, arrays kept */
	struct moves mv;
	struct recbuf out;      /* this round's records */
	struct recbuf later;    /* content news found before the renames,
				 * handed out after them, under the names
				 * the files have now */
	struct birth *births;   /* creates, in the order they were made */
	size_t capbirths;
	int fail;               /* errno of a failure in this round */
};

/* ---- bookkeeping -------------------------------------------------------- */

static void
obj_key(const struct sys_info *i, char key[16])
{
	memcpy(key, &i->dev, 8);
	memcpy(key + 8, &i->ino, 8);
}

static int
obj_find(struct backend *b, const struct sys_info *i)
{
	char key[16];
	obj_key(i, key);
	return smap_get(&b->byobj, key, sizeof key);
}

static void
obj_forget(struct backend *b, const struct sys_info *i)
{
	char key[16];
	obj_key(i, key);
	if (smap_del(&b->byobj, key, sizeof key))
		b->objgarbage += sizeof key;
}

static int
obj_put(struct backend *b, const struct sys_info *i, int slot)
{
	char key[16];
	size_t off = b->objkeys.len;
	obj_key(i, key);
	if (buf_add(&b->objkeys, key, sizeof key) < 0)
		return -1;
	return smap_put(&b->byobj, off, sizeof key, slot);
}

static void
rec(struct backend *b, int id, unsigned flags, uint32_t cookie,
    const char *name, size_t len)
{
	recbuf_add(&b->out, id, flags, cookie, name, len);
}

static unsigned
isdir(const struct lent *e)
{
	return e->at.type == SYS_DIRECTORY ? BE_ISDIR : 0;
}

/* Is the content of entry E of directory D wanted?  Asked of the core
 * once per entry, and again after a watch() of D. */
static int
wanted(struct backend *b, const struct pdir *d, struct lent *e)
{
	if (!e->held)
		e->held = !b->env || !b->env->file_wanted ||
				  e->at.type == SYS_DIRECTORY ||
				  b->env->file_wanted(b->env->ctx, d->id,
						      e->name, e->len)
				  ? WANTED : UNWANTED;
	return e->held == WANTED;
}

/* What a look at an entry must find out: size and times? */
static int
need_stat(unsigned want)
{
	return !!(want & (BE_WANT_CONTENT | BE_WANT_ATTRIB));
}

static int
add_ent(void *ctx, const char *name, size_t len, const struct sys_info *i)
{
	struct lattr a = { i->ino, i->size, i->mtime, i->ctime,
			   (unsigned)i->type };
	return listing_add(ctx, name, len, &a);
}

/* List directory D into L, sorted. */
static int
list_dir(struct pdir *d, struct listing *l)
{
	l->n = 0;
	l->names.len = 0;
	if (sys_pdir_list(d->h, need_stat(d->want), add_ent, l) < 0)
		return -1;
	listing_done(l);
	return 0;
}

/* ---- a round ------------------------------------------------------------ */

/* Look at each wanted entry of unchanged directory D; report what moved.
 * 1 if D must be listed after all (an entry went under our look). */
static int
look_entries(struct backend *b, struct pdir *d)
{
	unsigned mask = d->want & (BE_WANT_CONTENT | BE_WANT_ATTRIB);
	for (size_t i = 0; i < d->snap.n; i++) {
		struct lent *e = &d->snap.e[i];
		struct sys_info si;
		unsigned ch;
		/* a directory's content is its entries: they speak for
		 * themselves; only its attributes are news here */
		if (e->at.type == SYS_DIRECTORY ? !(mask & BE_WANT_ATTRIB)
						: !wanted(b, d, e))
			continue;
		if (sys_pdir_stat(d->h, e->name, &si) < 0 ||
		    si.ino != e->at.ino || (unsigned)si.type != e->at.type)
			return 1;
		struct lattr now = { si.ino, si.size, si.mtime, si.ctime,
				     (unsigned)si.type };
		ch = listing_changed(&e->at, &now);
		e->at = now;
		if ((ch & LISTING_CONTENT) && e->at.type != SYS_DIRECTORY &&
		    (mask & BE_WANT_CONTENT))
			recbuf_add(&b->later, d->id, BE_MODIFY, 0, e->name,
				   e->len);
		else if ((ch & LISTING_META) && (mask & BE_WANT_ATTRIB))
			recbuf_add(&b->later, d->id, BE_ATTRIB | isdir(e), 0,
				   e->name, e->len);
	}
	return 0;
}

/* Give directory slot X a job: listed again (or, removed, empty). */
static int
add_job(struct backend *b, size_t x)
{
	struct pdir *d = &b->dirs[x];
	struct job *j;
	if (GROW(b->jobs, b->capjobs, b->njobs + 1) < 0)
		return -1;
	j = &b->jobs[b->njobs];
	if (b->njobs == b->initjobs) {
		memset(j, 0, sizeof *j);
		b->initjobs++;
	}
	j->dir = x;
	if (d->dead) {
		j->now.n = 0;
		j->now.names.len = 0;
	} else if (list_dir(d, &j->now) < 0) {
		return errno == ENOENT || errno == ENOTDIR ? (d->dead = 1, 0)
							   : -1;
	}
	if (GROW(j->o2n, j->capo, d->snap.n + 1) < 0 ||
	    GROW(j->n2o, j->capn, j->now.n + 1) < 0)
		return -1;
	listing_diff(&d->snap, &j->now, j->o2n, j->n2o);
	for (size_t k = 0; k < j->now.n; k++) /* the core's answers stay */
		if (j->n2o[k] != LISTING_NONE)
			j->now.e[k].held = d->snap.e[j->n2o[k]].held;
	if (moves_add(&b->mv, x, d->self.dev, &d->snap, j->o2n, &j->now,
		      j->n2o) < 0)
		return -1;
	d->job = b->njobs++;
	return 0;
}

/* Directory D itself: removed, changed, or quiet since the last round? */
static void
look_self(struct pdir *d, int64_t now_ns, int *relist)
{
	struct sys_info si;
	int changed;
	*relist = 0;
	if (sys_pdir_self(d->h, &si) < 0) {
		d->lost = 1;
		return;
	}
	if (si.nlink == 0 && d->self.nlink) {
		d->dead = 1;
		*relist = 1;
		return;
	}
	changed = si.mtime != d->self.mtime || si.ctime != d->self.ctime;
	d->attrib = si.mtime == d->self.mtime && si.ctime != d->self.ctime;
	*relist = SYS_PDIR_LIST_CHEAP || changed || d->moved ||
		  now_ns - si.mtime < RACY_NS;
	d->moved = (unsigned char)changed;
	d->self = si;
}

/* The entries of each job that changed under the same name. */
static void
content_news(struct backend *b)
{
	for (size_t x = 0; x < b->njobs; x++) {
		struct job *j = &b->jobs[x];
		struct pdir *d = &b->dirs[j->dir];
		for (size_t k = 0; k < j->now.n; k++) {
			struct lent *e = &j->now.e[k];
			size_t i = j->n2o[k];
			unsigned ch;
			if (i == LISTING_NONE || !wanted(b, d, e))
				continue;
			ch = listing_changed(&d->snap.e[i].at, &e->at);
			if ((ch & LISTING_CONTENT) &&
			    e->at.type != SYS_DIRECTORY &&
			    (d->want & BE_WANT_CONTENT))
				rec(b, d->id, BE_MODIFY, 0, e->name, e->len);
			else if ((ch & LISTING_META) &&
				 (d->want & BE_WANT_ATTRIB))
				rec(b, d->id, BE_ATTRIB | isdir(e), 0, e->name,
				    e->len);
		}
	}
}

static void drop(struct backend *b, size_t x);

/* The watched directory that entry E of slot X names, or -1. */
static int
watched(struct backend *b, size_t x, const struct lent *e)
{
	struct sys_info si = { .ino = e->at.ino, .dev = b->dirs[x].self.dev };
	int s;
	if (e->at.type != SYS_DIRECTORY || (s = obj_find(b, &si)) < 0 ||
	    b->dirs[s].id < 0)
		return -1;
	return s;
}

/*
 * The deletes of slot X's job: what vanished and went nowhere.  A
 * removed directory that we watch says what it held first (rm -r), then
 * its name goes, then its watch.
 */
static void
deletes(struct backend *b, size_t x)
{
	struct pdir *d = &b->dirs[x];
	if (d->done || d->job == LISTING_NONE)
		return;
	d->done = 1;
	for (size_t g = 0; g < b->mv.ngone; g++) {
		const struct lside *s = &b->mv.gone[g];
		const struct lent *e;
		int c;
		if (s->dir != x || s->mate != LISTING_NONE)
			continue;
		e = &d->snap.e[s->idx];
		c = watched(b, x, e);
		if (c >= 0 && b->dirs[c].dead)
			deletes(b, (size_t)c);
		rec(b, d->id, BE_DELETE | isdir(e), 0, e->name, e->len);
		if (c >= 0) {
			rec(b, b->dirs[c].id, BE_IGNORED, 0, "", 0);
			drop(b, (size_t)c);
		}
	}
}

/* Slot X is no longer watched; freed once the round is over, since the
 * round's sides still point into its listing. */
static void
drop(struct backend *b, size_t x)
{
	struct pdir *d = &b->dirs[x];
	if (d->dropped)
		return;
	d->dropped = 1;
	obj_forget(b, &d->self);
}

/* A watched directory named by E of slot X went out of our sight. */
static void
forget(struct backend *b, size_t x, const struct lent *e)
{
	int c = watched(b, x, e);
	if (c >= 0) {
		rec(b, b->dirs[c].id, BE_IGNORED, 0, "", 0);
		drop(b, (size_t)c);
	}
}

static const struct lent *
born_ent(struct backend *b, const struct lside *t)
{
	return &b->jobs[b->dirs[t->dir].job].now.e[t->idx];
}

/* moves_order()'s step: move G, as the core can follow it.  A side
 * whose directory left our sight in this round makes it, seen from here,
 * a delete or a create. */
static void
move_step(void *ctx, size_t g, enum move_step how)
{
	struct backend *b = ctx;
	const struct lside *s = &b->mv.gone[g], *t = &b->mv.born[s->mate];
	struct pdir *sd = &b->dirs[s->dir], *td = &b->dirs[t->dir];
	const struct lent *se = &sd->snap.e[s->idx], *te = born_ent(b, t);
	int whole = !sd->dropped && !td->dropped;

	if (how != MOVE_REBORN && !sd->dropped && (how == MOVE_BREAK || !whole)) {
		rec(b, sd->id, BE_DELETE | isdir(se), 0, se->name, se->len);
		forget(b, s->dir, se);
	}
	if (how != MOVE_BREAK && !td->dropped && (how == MOVE_REBORN || !whole))
		rec(b, td->id, BE_CREATE | isdir(te), 0, te->name, te->len);
	if (how == MOVE_RENAME && whole) {
		uint32_t c = recbuf_cookie(&b->out);
		rec(b, sd->id, BE_MOVED_FROM | isdir(se), c, se->name, se->len);
		rec(b, td->id, BE_MOVED_TO | isdir(te), c, te->name, te->len);
	}
}

/*
 * Hazard: a freed inode number is soon given to a new file, so "gone
 * here, born there with the same inode" may be an unlink and a create.
 * A rename keeps the file's mtime to the nanosecond; a new file's is
 * new.  Where both looks have it, a differing mtime undoes the pair.
 */
static void
unpair_strangers(struct backend *b)
{
	for (size_t g = 0; g < b->mv.ngone; g++) {
		struct lside *s = &b->mv.gone[g], *t;
		const struct lent *se, *te;
		if (s->mate == LISTING_NONE)
			continue;
		t = &b->mv.born[s->mate];
		se = &b->dirs[s->dir].snap.e[s->idx];
		te = born_ent(b, t);
		if (se->at.type != SYS_DIRECTORY && se->at.mtime &&
		    te->at.mtime && se->at.mtime != te->at.mtime) {
			t->mate = LISTING_NONE;
			s->mate = LISTING_NONE;
		}
	}
}

static int
birth_cmp(const void *pa, const void *pb)
{
	const struct birth *a = pa, *b = pb;
	if (a->ctime != b->ctime)
		return a->ctime < b->ctime ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* What appeared and came from nowhere, oldest first (by status change
 * time, where the listing has it: within one interval, the order they
 * were made in is all a poll can offer), then by name. */
static void
creates(struct backend *b)
{
	size_t n = 0;
	if (GROW(b->births, b->capbirths, b->mv.nborn + 1) < 0) {
		b->fail = ENOMEM;
		return;
	}
	for (size_t k = 0; k < b->mv.nborn; k++) {
		const struct lside *t = &b->mv.born[k];
		const struct lent *e;
		if (t->mate != LISTING_NONE || b->dirs[t->dir].dropped)
			continue;
		e = born_ent(b, t);
		b->births[n].ctime = e->at.ctime;
		b->births[n].name = e->name;
		b->births[n++].k = k;
	}
	if (n > 1)
		qsort(b->births, n, sizeof *b->births, birth_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct lside *t = &b->mv.born[b->births[i].k];
		const struct lent *e = born_ent(b, t);
		rec(b, b->dirs[t->dir].id, BE_CREATE | isdir(e), 0, e->name,
		    e->len);
	}
}

/* The content news of the round, after its renames and creates. */
static void
later_news(struct backend *b)
{
	struct recbuf *l = &b->later;
	if (l->fail)
		b->fail = l->fail;
	for (size_t i = 0; i < l->n; i++)
		rec(b, l->recs[i].id, l->recs[i].flags, 0, l->names.p + l->off[i],
		    l->recs[i].name_len);
}

/* News about the watched directories themselves. */
static void
self_news(struct backend *b)
{
	for (size_t x = 0; x < b->ndirs; x++) {
		struct pdir *d = &b->dirs[x];
		if (d->id < 0 || d->dropped)
			continue;
		if (d->dead) {
			deletes(b, x);
			rec(b, d->id, BE_SELF_DELETE | BE_ISDIR, 0, "", 0);
			rec(b, d->id, BE_IGNORED, 0, "", 0);
			drop(b, x);
		} else if (d->attrib && (d->want & BE_WANT_ATTRIB)) {
			rec(b, d->id, BE_ATTRIB | BE_ISDIR, 0, "", 0);
		}
		d->attrib = 0;
	}
}

static void
free_slot(struct pdir *d)
{
	sys_pdir_close(d->h);
	listing_free(&d->snap);
	memset(d, 0, sizeof *d);
	d->id = -1;
	d->job = LISTING_NONE;
}

/* Each job's listing becomes its directory's; the old one's arrays stay
 * with the job for the next round.  Dropped slots are freed. */
static void
install(struct backend *b)
{
	for (size_t x = 0; x < b->njobs; x++) {
		struct job *j = &b->jobs[x];
		struct pdir *d = &b->dirs[j->dir];
		struct listing t = d->snap;
		d->snap = j->now;
		j->now = t;
	}
	for (size_t x = 0; x < b->ndirs; x++) {
		struct pdir *d = &b->dirs[x];
		d->job = LISTING_NONE;
		d->done = 0;
		if (d->dropped)
			free_slot(d);
	}
	/* a round that listed many directories (the first ones, a big
	 * checkout) must not keep a second listing of each for good */
	while (b->initjobs > KEEP_JOBS) {
		struct job *j = &b->jobs[--b->initjobs];
		listing_free(&j->now);
		free(j->o2n);
		free(j->n2o);
	}
	b->njobs = 0;
}

/* Where slot X's entries are this round: its new listing, or its last. */
static struct listing *
entries_now(struct backend *b, struct pdir *d)
{
	return d->job != LISTING_NONE ? &b->jobs[d->job].now : &d->snap;
}

/* Find lost directory L under a directory that answers, by its object;
 * hold it open again from there.  1 if found. */
static int
find_again(struct backend *b, struct pdir *l)
{
	for (size_t x = 0; x < b->ndirs; x++) {
		struct pdir *p = &b->dirs[x];
		struct listing *ls;
		if (p->id < 0 || p->lost || p->dead || p->self.dev != l->self.dev)
			continue;
		ls = entries_now(b, p);
		for (size_t i = 0; i < ls->n; i++) {
			struct sys_pdir *h;
			struct sys_info si;
			if (ls->e[i].at.type != SYS_DIRECTORY ||
			    ls->e[i].at.ino != l->self.ino ||
			    !(h = sys_pdir_openat(p->h, ls->e[i].name)))
				continue;
			if (sys_pdir_self(h, &si) == 0 && si.ino == l->self.ino) {
				sys_pdir_close(l->h);
				l->h = h;
				l->self = si;
				l->lost = 0;
				return 1;
			}
			sys_pdir_close(h);
		}
	}
	return 0;
}

/*
 * Hazard: on a FUSE filesystem that finds files by path (sshfs, bindfs),
 * a held directory renamed from outside no longer answers, as if it were
 * gone.  Its parent's listing still names it: open it again from there,
 * parents before children, and only what is found nowhere is dead.
 */
static void
find_lost(struct backend *b)
{
	int progress = 1;
	while (progress && !b->fail) {
		progress = 0;
		for (size_t x = 0; x < b->ndirs; x++) {
			struct pdir *d = &b->dirs[x];
			if (d->id < 0 || !d->lost || !find_again(b, d))
				continue;
			progress = 1;
			if (add_job(b, x) < 0)
				b->fail = errno;
		}
	}
	for (size_t x = 0; x < b->ndirs && !b->fail; x++) {
		struct pdir *d = &b->dirs[x];
		if (d->id < 0 || !d->lost)
			continue;
		d->lost = 0;
		d->dead = 1;
		if (add_job(b, x) < 0)
			b->fail = errno;
	}
}

/* One look at everything; the records wait in b->out. */
static int
poll_round(struct backend *b)
{
	int64_t sec;
	long usec;
	sys_now(&sec, &usec);
	int64_t now_ns = sec * 1000000000LL + (int64_t)usec * 1000;

	recbuf_clear(&b->out);
	recbuf_clear(&b->later);
	b->fail = 0;
	moves_clear(&b->mv);
	for (size_t x = 0; x < b->ndirs && !b->fail; x++) {
		struct pdir *d = &b->dirs[x];
		int relist;
		if (d->id < 0)
			continue;
		look_self(d, now_ns, &relist);
		if (d->lost)
			continue;
		if (!relist && need_stat(d->want))
			relist = look_entries(b, d);
		if (relist && add_job(b, x) < 0)
			b->fail = errno;
	}
	if (!b->fail)
		find_lost(b);
	if (!b->fail && moves_pair(&b->mv) < 0)
		b->fail = errno;
	if (!b->fail) {
		unpair_strangers(b);
		for (size_t x = 0; x < b->njobs; x++)
			deletes(b, b->jobs[x].dir);
		moves_order(&b->mv, SYS_DIRECTORY, move_step, b);
		creates(b);
		content_news(b);
		later_news(b);
	}
	self_news(b);
	install(b);
	if (b->fail || b->out.fail) {
		/* what was seen is unsure: the core rescans */
		recbuf_clear(&b->out);
		b->fail = 0;
		rec(b, -1, BE_OVERFLOW, 0, "", 0);
	}
	return 0;
}

/* ---- the interface ------------------------------------------------------ */

static int
be_open(struct backend **out, const struct be_env *env)
{
	struct backend *b = calloc(1, sizeof *b);
	if (!b)
		return -1;
	b->env = env;
	b->interval = env && env->poll_ms > 0 ? env->poll_ms : DEFAULT_MS;
	b->byobj.arena = &b->objkeys;
	if (!(b->waiter = sys_waiter_new())) {
		int e = errno;
		free(b);
		errno = e;
		return -1;
	}
	b->due = sys_mono_ms() + b->interval;
	*out = b;
	return 0;
}

static void
be_close(struct backend *b)
{
	if (!b)
		return;
	for (size_t x = 0; x < b->ndirs; x++)
		if (b->dirs[x].id >= 0)
			free_slot(&b->dirs[x]);
	for (size_t x = 0; x < b->initjobs; x++) {
		listing_free(&b->jobs[x].now);
		free(b->jobs[x].o2n);
		free(b->jobs[x].n2o);
	}
	free(b->jobs);
	free(b->dirs);
	moves_free(&b->mv);
	smap_free(&b->byobj);
	free(b->objkeys.p);
	recbuf_free(&b->out);
	recbuf_free(&b->later);
	free(b->births);
	sys_waiter_free(b->waiter);
	free(b);
}

/* A new slot for directory H (SELF); its index, or -1. */
static int
new_slot(struct backend *b, struct sys_pdir *h, const struct sys_info *self,
	 unsigned want)
{
	size_t x;
	for (x = 0; x < b->ndirs && b->dirs[x].id >= 0; x++)
		;
	if (x == b->ndirs) {
		if (GROW(b->dirs, b->capdirs, b->ndirs + 1) < 0)
			return -1;
		b->ndirs++;
	}
	struct pdir *d = &b->dirs[x];
	memset(d, 0, sizeof *d);
	d->id = (int)x;
	d->want = want;
	d->h = h;
	d->self = *self;
	d->job = LISTING_NONE;
	if (list_dir(d, &d->snap) < 0 || obj_put(b, self, (int)x) < 0) {
		int e = errno;
		listing_free(&d->snap);
		d->id = -1;
		errno = e;
		return -1;
	}
	return (int)x;
}

static int
be_watch(struct backend *b, const char *path, unsigned want)
{
	struct sys_pdir *h = sys_pdir_open(path, !!(want & BE_FOLLOW));
	struct sys_info self;
	int x;
	if (!h)
		return -1;
	if (sys_pdir_self(h, &self) < 0) {
		int e = errno;
		sys_pdir_close(h);
		errno = e;
		return -1;
	}
	want &= ~(unsigned)(BE_FOLLOW | BE_ONLYDIR | BE_WANT_SUBTREE);
	b->want |= want;
	if ((x = obj_find(b, &self)) >= 0) {
		/* the same directory again: what the core wants of its
		 * entries may have changed (a second file PATH in it) */
		struct pdir *d = &b->dirs[x];
		sys_pdir_close(h);
		if (need_stat(want) && !need_stat(d->want)) {
			d->want |= want;
			if (list_dir(d, &d->snap) < 0)
				return -1;
		}
		d->want |= want;
		for (size_t i = 0; i < d->snap.n; i++)
			d->snap.e[i].held = NULL;
		return d->id;
	}
	if ((x = new_slot(b, h, &self, want)) < 0) {
		int e = errno;
		sys_pdir_close(h);
		errno = e;
		return -1;
	}
	return x;
}

static int
be_unwatch(struct backend *b, int id)
{
	if (id < 0 || (size_t)id >= b->ndirs || b->dirs[id].id != id ||
	    b->dirs[id].dropped) {
		errno = EINVAL;
		return -1;
	}
	obj_forget(b, &b->dirs[id].self);
	free_slot(&b->dirs[id]);
	return 0;
}

static int
be_next_due(struct backend *b)
{
	int64_t left = b->due - sys_mono_ms();
	return left > 0 ? (int)(left < 1000000 ? left : 1000000) : 0;
}

static int
be_wait(struct backend *b, int timeout_ms)
{
	for (;;) {
		int due = be_next_due(b), t = timeout_ms, r;
		if (due == 0)
			return 1;
		if (t < 0 || due < t)
			t = due;
		if ((r = sys_waiter_wait(b->waiter, t)) != 0)
			return r < 0 ? -1 : BE_WOKEN;
		if (t == timeout_ms)
			return 0;
		if (timeout_ms > 0)
			timeout_ms -= t;
	}
}

static void
be_wake(struct backend *b)
{
	sys_waiter_wake(b->waiter);
}

static int
be_read(struct backend *b, const struct fw_raw **recs, int *drained)
{
	*drained = 1;
	recbuf_clear(&b->out);
	if (be_next_due(b) == 0) {
		/* the next round is an interval after this one began, so a
		 * slow round does not make the next one come sooner */
		b->due = sys_mono_ms() + b->interval;
		poll_round(b);
	}
	*recs = b->out.recs;
	return (int)recbuf_done(&b->out);
}

static const char *
be_limit_hint(struct backend *b, int err, size_t needed, char *buf, size_t n)
{
	(void)b;
	if (err != EMFILE && err != ENFILE)
		return NULL;
	snprintf(buf, n, "out of file descriptors: polling holds one per "
		 "watched directory%s; raise the limit with 'ulimit -n', or "
		 "watch fewer directories (--exclude)",
		 needed ? " (this tree has more than the limit)" : "");
	return buf;
}

const struct be_ops be_poll = {
	.name = "poll",
	.about = "looks at every directory each interval; sees every filesystem",
	.caps = BE_CAP_ISDIR | BE_CAP_SELF_RECORDS | BE_CAP_RENAME_PAIRED,
	.open = be_open,
	.close = be_close,
	.watch = be_watch,
	.unwatch = be_unwatch,
	.wait = be_wait,
	.wake = be_wake,
	.read = be_read,
	.next_due = be_next_due,
	.limit_hint = be_limit_hint,
};
