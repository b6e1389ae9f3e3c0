/*
 * fan_sim.h - a simulated filesystem of directories that queues the
 * events fanotify would (FAN_REPORT_DFID_NAME_TARGET, as fan_parse.h's
 * struct fp_event holds them), for src/fan_paths.c's unit test and fuzz
 * target.  Each event is stored with the true paths of its directories
 * at the moment it happened; sim_run() drives a random sequence of
 * operations, cuts it into reads, hands each read to fpaths_batch() with
 * a callback that answers from the simulated state at the end of the
 * read, and holds every answer to the truth.
 *
 * Modelled: mkdir, rmdir (empty directories only), directory renames
 * within and across directories (never into themselves or onto an
 * existing name, unless onto an empty directory, which then ends
 * unannounced), two directories exchanged (RENAME_EXCHANGE), file
 * creates, writes, deletes and renames, a directory's own news (name
 * "."), the kernel's merging of a directory's CREATE and DELETE into
 * the create's event, and overflows (events lost, an FP_Q_OVERFLOW
 * queued in their place).
 *
 * The property: every directory of every event is placed exactly, but
 * for events queued before an overflow in the same read, and those about
 * a directory that a rename replaced in the same read, which may be
 * FPATH_UNKNOWN (never wrong).
 */
#ifndef FWATCH_FAN_SIM_H
#define FWATCH_FAN_SIM_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/fan_paths.h"

#define SIM_MAXD 40     /* directories made in one run, the root too
                        * (at most 64: a bit each in struct sim anc) */
#define SIM_MAXEV 256   /* events queued in one read */
#define SIM_PATH 160    /* SIM_MAXD levels of one-letter names fit */
#define SIM_KEY 12      /* fsid (8), the inode number (4) */

static const char *const sim_names[] = { "a", "b", "c", "d" };
static const char *const sim_files[] = { "f", "g" };

struct sim_dir {
	int alive, parent;
	const char *name;
	unsigned char key[SIM_KEY];
	int cev;     /* its create event in the read, or -1 */
	int cparent; /* where it was created */
	const char *cname;
};

struct sim {
	struct sim_dir d[SIM_MAXD];
	int nd;
	unsigned char fkey[2 * SIM_MAXEV][SIM_KEY]; /* files' own keys */
	size_t nf;
	struct fp_event ev[SIM_MAXEV];
	char truth[SIM_MAXEV][3][SIM_PATH]; /* dir, old, new */
	unsigned char maybe[SIM_MAXEV][3];  /* unknown allowed */
	uint64_t anc[SIM_MAXEV][3]; /* the directory and its ancestors */
	size_t n;
	int lastovf;   /* index of the last overflow in the read, or -1 */
	/* what the reads came to */
	size_t events, placed, unknown, looks, reads, overflows, merged,
		replaced;
	char err[512];
};

static void
sim_key(unsigned char *k, uint32_t ino)
{
	memset(k, 0xf5, 8); /* one filesystem */
	memcpy(k + 8, &ino, 4);
}

/* ID's path now: the names from the root, built from the end. */
static void
sim_path(const struct sim *s, int id, char *out)
{
	char tmp[SIM_PATH];
	size_t at = sizeof tmp - 1;
	tmp[at] = '\0';
	for (; id != 0; id = s->d[id].parent) {
		size_t n = strlen(s->d[id].name);
		at -= n;
		memcpy(tmp + at, s->d[id].name, n);
		tmp[--at] = '/';
	}
	if (at == sizeof tmp - 1)
		tmp[--at] = '/';
	memcpy(out, tmp + at, sizeof tmp - at);
}

static void
sim_init(struct sim *s)
{
	memset(s, 0, sizeof *s);
	s->nd = 1;
	s->d[0].alive = 1;
	s->d[0].name = "";
	s->d[0].cev = -1;
	sim_key(s->d[0].key, 2);
	s->lastovf = -1;
}

/* Is A at or below B? */
static int
sim_below(const struct sim *s, int a, int b)
{
	for (; a != 0; a = s->d[a].parent)
		if (a == b)
			return 1;
	return b == 0;
}

static int
sim_named(const struct sim *s, int parent, const char *name)
{
	for (int i = 1; i < s->nd; i++)
		if (s->d[i].alive && s->d[i].parent == parent &&
		    !strcmp(s->d[i].name, name))
			return i;
	return -1;
}

static int
sim_empty(const struct sim *s, int id)
{
	for (int i = 1; i < s->nd; i++)
		if (s->d[i].alive && s->d[i].parent == id)
			return 0;
	return 1;
}

/* The callback: where the directory with KEY is now. */
static int
sim_look(void *ctx, const unsigned char *key, size_t klen, struct buf *out)
{
	struct sim *s = ctx;
	char path[SIM_PATH];
	uint32_t ino;
	if (klen != SIM_KEY)
		return -1;
	memcpy(&ino, key + 8, 4);
	if (ino < 2 || ino - 2 >= (uint32_t)s->nd || !s->d[ino - 2].alive)
		return -1;
	sim_path(s, (int)ino - 2, path);
	return buf_add(out, path, strlen(path));
}

static void
sim_fid(struct fp_fid *f, const unsigned char *key, const char *name)
{
	f->key = key;
	f->klen = SIM_KEY;
	f->name = name;
	f->nlen = name ? strlen(name) : 0;
}

/* A new event (NULL if the read is full: the caller reads first). */
static struct fp_event *
sim_event(struct sim *s, uint64_t mask)
{
	struct fp_event *e = &s->ev[s->n];
	memset(e, 0, sizeof *e);
	memset(s->truth[s->n], 0, sizeof s->truth[s->n]);
	memset(s->maybe[s->n], 0, sizeof s->maybe[s->n]);
	memset(s->anc[s->n], 0, sizeof s->anc[s->n]);
	e->mask = mask;
	s->n++;
	return e;
}

/* The last event's side K is directory ID: its path now, and who it
 * is under. */
static void
sim_truth(struct sim *s, int id, int k)
{
	sim_path(s, id, s->truth[s->n - 1][k]);
	for (;; id = s->d[id].parent) {
		s->anc[s->n - 1][k] |= (uint64_t)1 << id;
		if (id == 0)
			break;
	}
}

static void
sim_overflow(struct sim *s)
{
	if (s->n && (s->ev[s->n - 1].mask & FP_Q_OVERFLOW))
		return;
	sim_event(s, FP_Q_OVERFLOW);
	s->lastovf = (int)s->n - 1;
	s->overflows++;
}

static const unsigned char *
sim_newfile(struct sim *s)
{
	unsigned char *k = s->fkey[s->nf++ % (2 * SIM_MAXEV)];
	sim_key(k, (uint32_t)(100000 + s->nf));
	return k;
}

/* mkdir X/NM: the new directory, or -1.  LOST: done, not queued. */
static int
sim_mkdir(struct sim *s, int x, const char *nm, int lost)
{
	int y;
	struct fp_event *e;
	if (!s->d[x].alive || s->nd == SIM_MAXD || sim_named(s, x, nm) >= 0)
		return -1;
	y = s->nd++;
	memset(&s->d[y], 0, sizeof s->d[y]);
	s->d[y].alive = 1;
	s->d[y].parent = s->d[y].cparent = x;
	s->d[y].name = s->d[y].cname = nm;
	s->d[y].cev = -1;
	sim_key(s->d[y].key, (uint32_t)y + 2);
	if (lost)
		return sim_overflow(s), y;
	s->d[y].cev = (int)s->n;
	e = sim_event(s, FP_CREATE | FP_ONDIR);
	sim_fid(&e->dir, s->d[x].key, nm);
	sim_fid(&e->child, s->d[y].key, NULL);
	sim_truth(s, x, 0);
	return y;
}

/* rmdir X (empty); MERGE: into its create event if still queued. */
static int
sim_rmdir(struct sim *s, int x, int merge, int lost)
{
	struct sim_dir *d = &s->d[x];
	struct fp_event *e;
	if (x == 0 || !d->alive || !sim_empty(s, x))
		return -1;
	d->alive = 0;
	if (lost)
		return sim_overflow(s), 0;
	if (merge && d->cev > s->lastovf && d->cparent == d->parent &&
	    d->cname == d->name) {
		s->ev[d->cev].mask |= FP_DELETE;
		s->merged++;
		return 0;
	}
	e = sim_event(s, FP_DELETE | FP_ONDIR);
	sim_fid(&e->dir, s->d[d->parent].key, d->name);
	sim_fid(&e->child, d->key, NULL);
	sim_truth(s, d->parent, 0);
	return 0;
}

/*
 * Directory R ends, replaced by a rename, and no event says so: what
 * the read queued about R and what was in it may not be placed, nor,
 * going back, anything before a directory moved in there (fan_paths.h).
 */
static void
sim_replaced(struct sim *s, int r)
{
	uint64_t bit = (uint64_t)1 << r;
	s->d[r].alive = 0;
	s->replaced++;
	for (size_t i = 0; i < s->n; i++) {
		for (int k = 0; k < 3; k++)
			if (s->anc[i][k] & bit)
				s->maybe[i][k] = 1;
		if ((s->ev[i].mask & (FP_RENAME | FP_ONDIR)) ==
			    (FP_RENAME | FP_ONDIR) &&
		    (s->anc[i][2] & bit))
			memset(s->maybe, 1, i * sizeof s->maybe[0]);
	}
}

/* mv X Y/NM, never into itself; REPLACE: onto an empty directory
 * named NM, which ends (else never onto a name in use). */
static int
sim_mv(struct sim *s, int x, int y, const char *nm, int replace, int lost)
{
	struct fp_event *e;
	int r = sim_named(s, y, nm);
	if (x == 0 || !s->d[x].alive || !s->d[y].alive ||
	    sim_below(s, y, x) || r == x ||
	    (r >= 0 && (!replace || !sim_empty(s, r))))
		return -1;
	if (r >= 0)
		sim_replaced(s, r);
	if (lost) {
		sim_overflow(s);
	} else {
		e = sim_event(s, FP_RENAME | FP_ONDIR);
		sim_fid(&e->old, s->d[s->d[x].parent].key, s->d[x].name);
		sim_fid(&e->new, s->d[y].key, nm);
		sim_fid(&e->child, s->d[x].key, NULL);
		sim_truth(s, s->d[x].parent, 1);
		sim_truth(s, y, 2);
	}
	s->d[x].parent = y;
	s->d[x].name = nm;
	return 0;
}

/* renameat2(X, Y, RENAME_EXCHANGE) of two directories: two renames
 * back to back, as the kernel reports it. */
static int
sim_exchange(struct sim *s, int x, int y, int lost)
{
	struct sim_dir *a = &s->d[x], *b = &s->d[y];
	const char *nm;
	int p;
	struct fp_event *e;
	if (x == 0 || y == 0 || x == y || !a->alive || !b->alive ||
	    sim_below(s, x, y) || sim_below(s, y, x))
		return -1;
	if (lost) {
		sim_overflow(s);
	} else {
		e = sim_event(s, FP_RENAME | FP_ONDIR);
		sim_fid(&e->old, s->d[a->parent].key, a->name);
		sim_fid(&e->new, s->d[b->parent].key, b->name);
		sim_fid(&e->child, a->key, NULL);
		sim_truth(s, a->parent, 1);
		sim_truth(s, b->parent, 2);
		e = sim_event(s, FP_RENAME | FP_ONDIR);
		sim_fid(&e->old, s->d[b->parent].key, b->name);
		sim_fid(&e->new, s->d[a->parent].key, a->name);
		sim_fid(&e->child, b->key, NULL);
		sim_truth(s, b->parent, 1);
		sim_truth(s, a->parent, 2);
	}
	p = a->parent;
	nm = a->name;
	a->parent = b->parent;
	a->name = b->name;
	b->parent = p;
	b->name = nm;
	return 0;
}

/* A file's event in X (MASK, name FN): a rename to Y if Y >= 0. */
static int
sim_file(struct sim *s, int x, uint64_t mask, const char *fn, int y,
	 int lost)
{
	struct fp_event *e;
	if (!s->d[x].alive || (y >= 0 && !s->d[y].alive))
		return -1;
	if (lost)
		return sim_overflow(s), 0;
	e = sim_event(s, mask);
	sim_truth(s, x, y >= 0 ? 1 : 0);
	if (y >= 0) {
		sim_fid(&e->old, s->d[x].key, fn);
		sim_fid(&e->new, s->d[y].key, fn);
		sim_truth(s, y, 2);
	} else {
		sim_fid(&e->dir, s->d[x].key, fn);
	}
	if (mask & (FP_CREATE | FP_DELETE | FP_RENAME))
		sim_fid(&e->child, sim_newfile(s), NULL);
	return 0;
}

/* One operation chosen by OP, A, B (any bytes). */
static void
sim_op(struct sim *s, unsigned op, unsigned a, unsigned b, int lost)
{
	int x = (int)(a % (unsigned)s->nd), y = (int)(b % (unsigned)s->nd);
	const char *nm = sim_names[(a / 64 + b) % 4];
	const char *fn = sim_files[b / 128 % 2];
	switch (op % 8) {
	case 0:
	case 1:
		sim_mkdir(s, x, nm, lost);
		break;
	case 2:
		sim_rmdir(s, x, (op / 8) % 2, lost);
		break;
	case 3:
		if ((op / 16) % 4 == 0)
			sim_exchange(s, x, y, lost);
		else
			sim_mv(s, x, y, nm, (op / 8) % 2, lost);
		break;
	case 4:
		sim_file(s, x, FP_RENAME, fn, y, lost);
		break;
	case 5:
		sim_file(s, x, b % 2 ? FP_CREATE : FP_DELETE, fn, -1, lost);
		break;
	case 6: /* the directory's own news */
		sim_file(s, x, FP_ATTRIB | FP_ONDIR, ".", -1, lost);
		break;
	default:
		sim_file(s, x, FP_MODIFY | FP_CLOSE_WRITE, fn, -1, lost);
		break;
	}
}

/* Read what is queued: 0 if every answer is right, -1 (s->err) if not. */
static int
sim_read(struct sim *s, struct fpaths *p, struct fpaths_at *at,
	 struct buf *out)
{
	size_t looks = p->looks;
	out->len = 0;
	if (fpaths_batch(p, s->ev, s->n, sim_look, s, at, out) < 0) {
		snprintf(s->err, sizeof s->err, "fpaths_batch: out of memory");
		return -1;
	}
	s->looks += p->looks - looks;
	s->reads++;
	for (size_t i = 0; i < s->n; i++) {
		const struct fpath *got[3] = { &at[i].dir, &at[i].old,
					       &at[i].new };
		const struct fp_fid *f[3] = { &s->ev[i].dir, &s->ev[i].old,
					      &s->ev[i].new };
		int maybe = (int)i < s->lastovf;
		for (int k = 0; k < 3; k++) {
			const char *want = s->truth[i][k];
			if (!f[k]->key) {
				if (got[k]->len != FPATH_UNKNOWN)
					goto wrong;
				continue;
			}
			s->events++;
			if (got[k]->len == FPATH_UNKNOWN) {
				s->unknown++;
				if (maybe || s->maybe[i][k])
					continue;
				goto wrong;
			}
			if (got[k]->off > out->len ||
			    got[k]->len > out->len - got[k]->off ||
			    got[k]->len != strlen(want) ||
			    memcmp(out->p + got[k]->off, want, got[k]->len))
				goto wrong;
			s->placed++;
			continue;
		wrong:
			snprintf(s->err, sizeof s->err,
				 "read %zu, event %zu of %zu (mask %#llx), "
				 "side %d: got '%.*s', want '%s'%s",
				 s->reads, i, s->n,
				 (unsigned long long)s->ev[i].mask, k,
				 got[k]->len == FPATH_UNKNOWN
					 ? 7
					 : (int)got[k]->len,
				 got[k]->len == FPATH_UNKNOWN
					 ? "UNKNOWN"
					 : out->p + got[k]->off,
				 want, maybe ? " (before an overflow)" : "");
			return -1;
		}
	}
	s->n = 0;
	s->lastovf = -1;
	for (int i = 0; i < s->nd; i++)
		s->d[i].cev = -1;
	return 0;
}

/*
 * Run the operations DATA spells (four bytes each: what, two choices,
 * and whether a read follows or the event is lost), keeping at most
 * MAX paths between reads.  0 if every answer was right.
 */
static int
sim_run(struct sim *s, const uint8_t *data, size_t size, size_t max)
{
	static struct fpaths_at at[SIM_MAXEV];
	struct fpaths p;
	struct buf out = { 0 };
	int rc = 0;
	sim_init(s);
	fpaths_init(&p, max);
	for (size_t i = 0; i + 4 <= size && !rc; i += 4) {
		unsigned cut = data[i + 3];
		sim_op(s, data[i], data[i + 1], data[i + 2], cut % 16 == 1);
		if (cut >= 160 || s->n + 2 >= SIM_MAXEV)
			rc = sim_read(s, &p, at, &out);
	}
	if (!rc && s->n)
		rc = sim_read(s, &p, at, &out);
	fpaths_free(&p);
	free(out.p);
	return rc;
}

#endif
