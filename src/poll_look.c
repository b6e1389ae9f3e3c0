/*
 * poll_look.c - what one round of the poller sees: each watched
 * directory looked at once, listed again only when its times moved (or
 * may have moved unseen), its entries looked at one by one otherwise;
 * directories that stopped answering found again; and the directories
 * known by the object they are.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "poll_state.h"

/* lent.held: whether anyone wants news of the file's content */
static char asked_yes, asked_no;
#define WANTED (&asked_yes)
#define UNWANTED (&asked_no)

static void
obj_key(const struct sys_info *i, char key[16])
{
	memcpy(key, &i->dev, 8);
	memcpy(key + 8, &i->ino, 8);
}

int
poll_obj_find(struct backend *b, const struct sys_info *i)
{
	char key[16];
	obj_key(i, key);
	return smap_get(&b->byobj, key, sizeof key);
}

void
poll_obj_forget(struct backend *b, const struct sys_info *i)
{
	char key[16];
	obj_key(i, key);
	if (smap_del(&b->byobj, key, sizeof key))
		b->objgarbage += sizeof key;
}

int
poll_obj_put(struct backend *b, const struct sys_info *i, int slot)
{
	char key[16];
	size_t off = b->objkeys.len;
	obj_key(i, key);
	if (buf_add(&b->objkeys, key, sizeof key) < 0)
		return -1;
	return smap_put(&b->byobj, off, sizeof key, slot);
}

/* Is the content of entry E of directory D wanted?  Asked of the core
 * once per entry, and again after a watch() of D. */
int
poll_wanted(struct backend *b, const struct pdir *d, struct lent *e)
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
int
poll_need_stat(unsigned want)
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
int
poll_list_dir(struct pdir *d, struct listing *l)
{
	l->n = 0;
	l->names.len = 0;
	if (sys_pdir_list(d->h, poll_need_stat(d->want), add_ent, l) < 0)
		return -1;
	listing_done(l);
	return 0;
}

/* Look at each wanted entry of unchanged directory D; report what moved.
 * 1 if D must be listed after all (an entry went under our look). */
int
poll_look_entries(struct backend *b, struct pdir *d)
{
	unsigned mask = d->want & (BE_WANT_CONTENT | BE_WANT_ATTRIB);
	for (size_t i = 0; i < d->snap.n; i++) {
		struct lent *e = &d->snap.e[i];
		struct sys_info si;
		unsigned ch;
		/* a directory's content is its entries: they speak for
		 * themselves; only its attributes are news here */
		if (e->at.type == SYS_DIRECTORY ? !(mask & BE_WANT_ATTRIB)
						: !poll_wanted(b, d, e))
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
			recbuf_add(&b->later, d->id, BE_ATTRIB | poll_isdir(e), 0,
				   e->name, e->len);
	}
	return 0;
}

/* Give directory slot X a job: listed again (or, removed, empty). */
int
poll_add_job(struct backend *b, size_t x)
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
	} else if (poll_list_dir(d, &j->now) < 0) {
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
void
poll_look_self(struct pdir *d, int64_t now_ns, int *relist)
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

/* Where slot X's entries are this round: its new listing, or its last. */
struct listing *
poll_entries_now(struct backend *b, struct pdir *d)
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
		ls = poll_entries_now(b, p);
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
void
poll_find_lost(struct backend *b)
{
	int progress = 1;
	while (progress && !b->fail) {
		progress = 0;
		for (size_t x = 0; x < b->ndirs; x++) {
			struct pdir *d = &b->dirs[x];
			if (d->id < 0 || !d->lost || !find_again(b, d))
				continue;
			progress = 1;
			if (poll_add_job(b, x) < 0)
				b->fail = errno;
		}
	}
	for (size_t x = 0; x < b->ndirs && !b->fail; x++) {
		struct pdir *d = &b->dirs[x];
		if (d->id < 0 || !d->lost)
			continue;
		d->lost = 0;
		d->dead = 1;
		if (poll_add_job(b, x) < 0)
			b->fail = errno;
	}
}
