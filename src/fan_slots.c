/*
 * fan_slots.c - fan_paths.c's working parts (fan_slots.h): the slot of
 * each distinct key of a read (a hash table kept in the work space and
 * cleared per read), the exchanges among its renames, and the paths the
 * passes hold: made from a parent and a name, compared by whole
 * components, moved from under one directory to another.  Pure.
 */
#include <stdlib.h>
#include <string.h>

#include "fan_kept.h"
#include "fan_slots.h"

const struct ref fs_unknown = { 0, UNK, IN_OUT };

/* ---- the work space ---------------------------------------------------- */

void
fpaths_free(struct fpaths *p)
{
	struct fpaths_work *w = p->work;
	if (w) {
		free(w->s);
		free(w->tab);
		free(w->side);
		free(w->pair);
		free(w->log);
		free(w->sc.p);
		free(w);
	}
	free(p->tab);
	free(p->keys.p);
	free(p->paths.p);
	fpaths_init(p, p->max);
}

/* ---- a read's slots ---------------------------------------------------- */

const char *
fs_ptr(const struct fpaths_work *w, struct ref r)
{
	return (r.in == IN_OUT ? w->out->p : w->sc.p) + r.off;
}

static int
tab_grow(struct fpaths_work *w)
{
	size_t cap = w->tcap ? w->tcap * 2 : 64;
	uint32_t *t = malloc(cap * sizeof *t);
	if (!t)
		return -1;
	memset(t, 0xff, cap * sizeof *t);
	for (uint32_t x = 0; x < w->ns; x++) {
		size_t j = (size_t)w->s[x].h & (cap - 1);
		while (t[j] != NONE)
			j = (j + 1) & (cap - 1);
		t[j] = x;
	}
	free(w->tab);
	w->tab = t;
	w->tcap = cap;
	return 0;
}

/* The slot of F's key in this read, made on first sight; NONE if F has
 * no key, or out of memory (then *ERR is -1). */
static uint32_t
intern(struct fpaths_work *w, const struct fp_fid *f, int *err)
{
	uint64_t h;
	size_t mask, i;
	struct fslot *s;
	if (!f->key || !f->klen)
		return NONE;
	h = fk_hash(f->key, f->klen);
	mask = w->tcap - 1;
	for (i = (size_t)h & mask; w->tab[i] != NONE; i = (i + 1) & mask) {
		s = &w->s[w->tab[i]];
		if (s->h == h && s->klen == f->klen &&
		    !memcmp(s->key, f->key, f->klen))
			return w->tab[i];
	}
	if ((w->ns + 1) * 2 > w->tcap || w->ns >= w->caps) {
		if (GROW(w->s, w->caps, w->ns + 1) < 0 ||
		    ((w->ns + 1) * 2 > w->tcap && tab_grow(w) < 0)) {
			*err = -1;
			return NONE;
		}
		mask = w->tcap - 1;
		for (i = (size_t)h & mask; w->tab[i] != NONE;
		     i = (i + 1) & mask)
			;
	}
	s = &w->s[w->ns];
	memset(s, 0, sizeof *s);
	s->key = f->key;
	s->klen = f->klen;
	s->h = h;
	s->f = s->b = fs_unknown;
	w->tab[i] = (uint32_t)w->ns;
	return (uint32_t)w->ns++;
}

/* Empty the table of the last read's slots: by slot when it holds few
 * of them, so that one read of many directories does not cost every
 * read after it a table's worth of clearing. */
static void
tab_clear(struct fpaths_work *w)
{
	size_t mask = w->tcap - 1;
	if (w->ns * 8 >= w->tcap) {
		memset(w->tab, 0xff, w->tcap * sizeof *w->tab);
		return;
	}
	for (uint32_t x = 0; x < w->ns; x++) {
		size_t j = (size_t)w->s[x].h & mask;
		while (w->tab[j] != x)
			j = (j + 1) & mask;
		w->tab[j] = NONE;
	}
}

static int
dir_rename(const struct fp_event *e)
{
	return (e->mask & (FP_ONDIR | FP_RENAME)) == (FP_ONDIR | FP_RENAME);
}

static int
same_entry(const uint32_t *sa, const struct fp_fid *a, const uint32_t *sb,
	   const struct fp_fid *b)
{
	return *sa != NONE && *sa == *sb && a->name && b->name &&
	       a->nlen == b->nlen && !memcmp(a->name, b->name, a->nlen);
}

/*
 * renameat2(RENAME_EXCHANGE) of two directories is reported as two
 * renames back to back, each the other's way back, of two objects; as
 * two renames one after the other they would be wrong (the first would
 * move the second's tree too), so they are done as one.  Hazard: an
 * event of another process queued between the two hides the pair.
 */
static void
find_pairs(struct fpaths_work *w, const struct fp_event *ev, size_t n)
{
	memset(w->pair, 0, n);
	for (size_t i = 0; i + 1 < n; i++) {
		const uint32_t *a = &w->side[4 * i], *b = a + 4;
		if (dir_rename(&ev[i]) && dir_rename(&ev[i + 1]) &&
		    a[3] != b[3] &&
		    same_entry(&a[1], &ev[i].old, &b[2], &ev[i + 1].new) &&
		    same_entry(&a[2], &ev[i].new, &b[1], &ev[i + 1].old)) {
			w->pair[i] = 1;
			w->pair[++i] = 2;
		}
	}
}

/* Slots for every key of events EV; 1 if one of them moves or deletes a
 * directory, 0 if not, -1 out of memory. */
int
fs_slots(struct fpaths_work *w, const struct fp_event *ev, size_t n)
{
	int err = 0, moving = 0;
	if (!w->tcap && tab_grow(w) < 0)
		return -1;
	tab_clear(w);
	w->ns = 0;
	w->first_move = n;
	if (n > SIZE_MAX / 4 / sizeof *w->side ||
	    GROW(w->side, w->cside, 4 * n) < 0 ||
	    GROW(w->pair, w->cpair, n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct fp_event *e = &ev[i];
		uint32_t *sd = &w->side[4 * i];
		sd[0] = intern(w, &e->dir, &err);
		sd[1] = intern(w, &e->old, &err);
		sd[2] = intern(w, &e->new, &err);
		sd[3] = intern(w, &e->child, &err);
		if ((e->mask & FP_ONDIR) &&
		    (e->mask & (FP_RENAME | FP_DELETE)))
			moving = 1;
		if ((e->mask & (FP_ONDIR | FP_RENAME)) ==
			    (FP_ONDIR | FP_RENAME) &&
		    w->first_move == n)
			w->first_move = i;
		if ((e->mask & (FP_ONDIR | FP_CREATE | FP_DELETE |
				FP_RENAME)) ==
			    (FP_ONDIR | FP_CREATE | FP_DELETE) &&
		    sd[0] != NONE && sd[3] != NONE && sd[3] != sd[0] &&
		    e->dir.name) {
			struct fslot *x = &w->s[sd[3]];
			x->mdel = 1;
			x->mpos = i;
			x->mparent = sd[0];
			x->mname = e->dir.name;
			x->mnlen = e->dir.nlen;
		}
	}
	if (err)
		return -1;
	find_pairs(w, ev, n);
	return moving;
}

/* ---- paths ------------------------------------------------------------- */

/* Room for N more scratch bytes (and the NUL buf_add keeps). */
static int
room(struct fpaths_work *w, size_t n)
{
	return grow((void **)&w->sc.p, &w->sc.cap, w->sc.len + n + 1, 1);
}

/* A new scratch path: BASE's bytes from 0 to BLEN, then TAIL (TLEN
 * bytes, starting with '/' unless BASE is empty) - the pieces given by
 * reference so that growing the scratch moves nothing under them. */
static int
cat(struct fpaths_work *w, struct ref base, size_t blen, struct ref tail,
    size_t toff, size_t tlen, const char *name, struct ref *res)
{
	size_t at;
	if (room(w, blen + tlen + 1) < 0)
		return -1;
	at = w->sc.len;
	memcpy(w->sc.p + at, fs_ptr(w, base), blen);
	if (name) {
		w->sc.p[at + blen] = '/';
		memcpy(w->sc.p + at + blen + 1, name, tlen);
		tlen++;
	} else if (tlen) {
		memcpy(w->sc.p + at + blen, fs_ptr(w, tail) + toff, tlen);
	}
	w->sc.len = at + blen + tlen;
	w->sc.p[w->sc.len] = '\0';
	res->off = at;
	res->len = blen + tlen;
	res->in = IN_SCRATCH;
	return 0;
}

static int
is_root(const struct fpaths_work *w, struct ref r)
{
	return r.len == 1 && fs_ptr(w, r)[0] == '/';
}

/* DIR's entry NAME: "/" and "a" make "/a", "/x" and "a" "/x/a". */
int
fs_child_of(struct fpaths_work *w, struct ref dir, const char *name,
	    size_t nlen, struct ref *res)
{
	if (dir.len == UNK || !name) {
		*res = fs_unknown;
		return 0;
	}
	return cat(w, dir, is_root(w, dir) ? 0 : dir.len, fs_unknown, 0, nlen,
		   name, res);
}

/* Is P at or below DIR? */
int
fs_below(const struct fpaths_work *w, struct ref p, struct ref dir)
{
	const char *a;
	if (p.len == UNK || dir.len == UNK)
		return 0;
	if (is_root(w, dir))
		return 1;
	a = fs_ptr(w, p);
	return p.len >= dir.len && !memcmp(a, fs_ptr(w, dir), dir.len) &&
	       (p.len == dir.len || a[dir.len] == '/');
}

/* P (at or below FROM) as it is when FROM is at TO. */
int
fs_moved(struct fpaths_work *w, struct ref p, struct ref from, struct ref to,
      struct ref *res)
{
	size_t skip = is_root(w, from) ? 0 : from.len, rest = p.len - skip;
	if (to.len == UNK) {
		*res = fs_unknown;
		return 0;
	}
	if (!rest) {
		*res = to;
		return 0;
	}
	/* "/" and "/b" make "/b", not "//b" */
	return cat(w, to, is_root(w, to) ? 0 : to.len, p, skip, rest, NULL,
		   res);
}

/* Every path of PASS at or below A is now as far below B, and the other
 * way round. */
int
fs_swap_all(struct fpaths_work *w, int pass, struct ref a, struct ref b)
{
	for (size_t x = 0; x < w->ns; x++) {
		struct ref *r = pass ? &w->s[x].b : &w->s[x].f;
		if (fs_below(w, *r, a)) {
			if (fs_moved(w, *r, a, b, r) < 0)
				return -1;
		} else if (fs_below(w, *r, b) && fs_moved(w, *r, b, a, r) < 0) {
			return -1;
		}
	}
	return 0;
}

/* Every path of PASS (0 forward, 1 backward) at or below FROM is now
 * below TO (unknown if TO is). */
int
fs_move_all(struct fpaths_work *w, int pass, struct ref from, struct ref to)
{
	for (size_t x = 0; x < w->ns; x++) {
		struct ref *r = pass ? &w->s[x].b : &w->s[x].f;
		if (fs_below(w, *r, from) && fs_moved(w, *r, from, to, r) < 0)
			return -1;
	}
	return 0;
}

void
fs_drop_all(struct fpaths_work *w, int pass)
{
	for (size_t x = 0; x < w->ns; x++)
		*(pass ? &w->s[x].b : &w->s[x].f) = fs_unknown;
}

/* R as an answer: copied to OUT once, and R then points at the copy. */
int
fs_answer(struct fpaths_work *w, struct ref *r, struct fpath *a)
{
	if (r->len == UNK)
		return 0;
	if (r->in != IN_OUT) {
		size_t off = w->out->len;
		if (buf_add(w->out, w->sc.p + r->off, r->len) < 0)
			return -1;
		r->off = off;
		r->in = IN_OUT;
	}
	a->off = r->off;
	a->len = r->len;
	return 0;
}

/* ---- asking ------------------------------------------------------------ */

/* The callback's "now" for S into *R (unknown if it cannot say). */
void
fs_ask(struct fpaths *p, struct fpaths_work *w, struct fslot *s,
    fpaths_look_fn look, void *ctx, struct ref *r)
{
	size_t before = w->sc.len;
	p->looks++;
	*r = fs_unknown;
	if (look(ctx, s->key, s->klen, &w->sc) < 0 || w->sc.len == before) {
		w->sc.len = before;
		return;
	}
	r->off = before;
	r->len = w->sc.len - before;
	r->in = IN_SCRATCH;
}

/* S's kept path into *R (unknown if none): 1 if it had one. */
int
fs_from_kept(struct fpaths *p, struct fpaths_work *w, const struct fslot *s,
	  struct ref *r)
{
	struct fpaths_entry *e = fk_find(p, s->key, s->klen, s->h);
	*r = fs_unknown;
	if (!e)
		return 0;
	if (room(w, e->plen) < 0)
		return -1;
	r->off = w->sc.len;
	r->len = e->plen;
	r->in = IN_SCRATCH;
	memcpy(w->sc.p + w->sc.len, p->paths.p + e->poff, e->plen);
	w->sc.len += e->plen;
	w->sc.p[w->sc.len] = '\0';
	return 1;
}
