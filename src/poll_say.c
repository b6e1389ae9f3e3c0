/*
 * poll_say.c - what one round of the poller says: the records, in the
 * order the core needs them (deletes, a removed directory's entries
 * first; renames; creates, oldest first; content under the names the
 * files have now; the watched directories themselves), and the round's
 * listings installed for the next.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "poll_state.h"

void
poll_rec(struct backend *b, int id, unsigned flags, uint32_t cookie,
    const char *name, size_t len)
{
	recbuf_add(&b->out, id, flags, cookie, name, len);
}

unsigned
poll_isdir(const struct lent *e)
{
	return e->at.type == SYS_DIRECTORY ? BE_ISDIR : 0;
}

/* The entries of each job that changed under the same name. */
void
poll_content_news(struct backend *b)
{
	for (size_t x = 0; x < b->njobs; x++) {
		struct job *j = &b->jobs[x];
		struct pdir *d = &b->dirs[j->dir];
		for (size_t k = 0; k < j->now.n; k++) {
			struct lent *e = &j->now.e[k];
			size_t i = j->n2o[k];
			unsigned ch;
			if (i == LISTING_NONE || !poll_wanted(b, d, e))
				continue;
			ch = listing_changed(&d->snap.e[i].at, &e->at);
			if ((ch & LISTING_CONTENT) &&
			    e->at.type != SYS_DIRECTORY &&
			    (d->want & BE_WANT_CONTENT))
				poll_rec(b, d->id, BE_MODIFY, 0, e->name, e->len);
			else if ((ch & LISTING_META) &&
				 (d->want & BE_WANT_ATTRIB))
				poll_rec(b, d->id, BE_ATTRIB | poll_isdir(e), 0, e->name,
				    e->len);
		}
	}
}

/* The watched directory that entry E of slot X names, or -1. */
int
poll_watched(struct backend *b, size_t x, const struct lent *e)
{
	struct sys_info si = { .ino = e->at.ino, .dev = b->dirs[x].self.dev };
	int s;
	if (e->at.type != SYS_DIRECTORY || (s = poll_obj_find(b, &si)) < 0 ||
	    b->dirs[s].id < 0)
		return -1;
	return s;
}

/*
 * The deletes of slot X's job: what vanished and went nowhere.  A
 * removed directory that we watch says what it held first (rm -r), then
 * its name goes, then its watch.
 */
void
poll_deletes(struct backend *b, size_t x)
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
		c = poll_watched(b, x, e);
		if (c >= 0 && b->dirs[c].dead)
			poll_deletes(b, (size_t)c);
		poll_rec(b, d->id, BE_DELETE | poll_isdir(e), 0, e->name, e->len);
		if (c >= 0) {
			poll_rec(b, b->dirs[c].id, BE_IGNORED, 0, "", 0);
			poll_drop(b, (size_t)c);
		}
	}
}

/* Slot X is no longer watched; freed once the round is over, since the
 * round's sides still point into its listing. */
void
poll_drop(struct backend *b, size_t x)
{
	struct pdir *d = &b->dirs[x];
	if (d->dropped)
		return;
	d->dropped = 1;
	poll_obj_forget(b, &d->self);
}

/* A watched directory named by E of slot X went out of our sight. */
static void
forget(struct backend *b, size_t x, const struct lent *e)
{
	int c = poll_watched(b, x, e);
	if (c >= 0) {
		poll_rec(b, b->dirs[c].id, BE_IGNORED, 0, "", 0);
		poll_drop(b, (size_t)c);
	}
}

const struct lent *
poll_born_ent(struct backend *b, const struct lside *t)
{
	return &b->jobs[b->dirs[t->dir].job].now.e[t->idx];
}

/* moves_order()'s step: move G, as the core can follow it.  A side
 * whose directory left our sight in this round makes it, seen from here,
 * a delete or a create. */
void
poll_move_step(void *ctx, size_t g, enum move_step how)
{
	struct backend *b = ctx;
	const struct lside *s = &b->mv.gone[g], *t = &b->mv.born[s->mate];
	struct pdir *sd = &b->dirs[s->dir], *td = &b->dirs[t->dir];
	const struct lent *se = &sd->snap.e[s->idx], *te = poll_born_ent(b, t);
	int whole = !sd->dropped && !td->dropped;

	if (how != MOVE_REBORN && !sd->dropped && (how == MOVE_BREAK || !whole)) {
		poll_rec(b, sd->id, BE_DELETE | poll_isdir(se), 0, se->name, se->len);
		forget(b, s->dir, se);
	}
	if (how != MOVE_BREAK && !td->dropped && (how == MOVE_REBORN || !whole))
		poll_rec(b, td->id, BE_CREATE | poll_isdir(te), 0, te->name, te->len);
	if (how == MOVE_RENAME && whole) {
		uint32_t c = recbuf_cookie(&b->out);
		poll_rec(b, sd->id, BE_MOVED_FROM | poll_isdir(se), c, se->name, se->len);
		poll_rec(b, td->id, BE_MOVED_TO | poll_isdir(te), c, te->name, te->len);
	}
}

/*
 * Hazard: a freed inode number is soon given to a new file, so "gone
 * here, born there with the same inode" may be an unlink and a create.
 * A rename keeps the file's mtime to the nanosecond; a new file's is
 * new.  Where both looks have it, a differing mtime undoes the pair.
 */
void
poll_unpair_strangers(struct backend *b)
{
	for (size_t g = 0; g < b->mv.ngone; g++) {
		struct lside *s = &b->mv.gone[g], *t;
		const struct lent *se, *te;
		if (s->mate == LISTING_NONE)
			continue;
		t = &b->mv.born[s->mate];
		se = &b->dirs[s->dir].snap.e[s->idx];
		te = poll_born_ent(b, t);
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
void
poll_creates(struct backend *b)
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
		e = poll_born_ent(b, t);
		b->births[n].ctime = e->at.ctime;
		b->births[n].name = e->name;
		b->births[n++].k = k;
	}
	if (n > 1)
		qsort(b->births, n, sizeof *b->births, birth_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct lside *t = &b->mv.born[b->births[i].k];
		const struct lent *e = poll_born_ent(b, t);
		poll_rec(b, b->dirs[t->dir].id, BE_CREATE | poll_isdir(e), 0, e->name,
		    e->len);
	}
}

/* The content news of the round, after its renames and creates. */
void
poll_later_news(struct backend *b)
{
	struct recbuf *l = &b->later;
	if (l->fail)
		b->fail = l->fail;
	for (size_t i = 0; i < l->n; i++)
		poll_rec(b, l->recs[i].id, l->recs[i].flags, 0, l->names.p + l->off[i],
		    l->recs[i].name_len);
}

/* News about the watched directories themselves. */
void
poll_self_news(struct backend *b)
{
	for (size_t x = 0; x < b->ndirs; x++) {
		struct pdir *d = &b->dirs[x];
		if (d->id < 0 || d->dropped)
			continue;
		if (d->dead) {
			poll_deletes(b, x);
			poll_rec(b, d->id, BE_SELF_DELETE | BE_ISDIR, 0, "", 0);
			poll_rec(b, d->id, BE_IGNORED, 0, "", 0);
			poll_drop(b, x);
		} else if (d->attrib && (d->want & BE_WANT_ATTRIB)) {
			poll_rec(b, d->id, BE_ATTRIB | BE_ISDIR, 0, "", 0);
		}
		d->attrib = 0;
	}
}

void
poll_free_slot(struct pdir *d)
{
	sys_pdir_close(d->h);
	listing_free(&d->snap);
	memset(d, 0, sizeof *d);
	d->id = -1;
	d->job = LISTING_NONE;
}

/* Each job's listing becomes its directory's; the old one's arrays stay
 * with the job for the next round.  Dropped slots are freed. */
void
poll_install(struct backend *b)
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
			poll_free_slot(d);
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
