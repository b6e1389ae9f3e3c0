/*
 * fan_slots.h - fan_paths.c's working parts (fan_slots.c): a read's
 * distinct keys as slots, and the paths the passes hold for them, in
 * the caller's output buffer or a scratch buffer.  Not a public face.
 */
#ifndef FWATCH_FAN_SLOTS_H
#define FWATCH_FAN_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "fan_paths.h"

#define NONE ((uint32_t)-1)
#define UNK FPATH_UNKNOWN

enum { IN_OUT, IN_SCRATCH };

/* A path in the caller's OUT or in the scratch buffer. */
struct ref {
	size_t off, len; /* len == UNK: unknown */
	int in;
};

struct fslot {
	const unsigned char *key;
	size_t klen;
	uint64_t h;
	struct ref f, b;   /* forward and backward: the path at the pass's
			    * current position */
	struct ref now;      /* the callback's answer, if LOOKED */
	unsigned char looked;
	unsigned char tried; /* forward: kept entries and callback asked */
	unsigned char asked; /* backward: B is all this pass will know */
	unsigned char gone;  /* deleted in this read */
	unsigned char kept;  /* found in the kept entries */
	unsigned char mdel;  /* made and removed in this read, both in one
			      * (merged) event, number MPOS: while it was,
			      * it was the child MNAME of slot MPARENT */
	uint32_t mparent;
	size_t mpos;
	const char *mname;
	size_t mnlen;
};

struct logent {
	struct ref from, to; /* a rename undone: from (new place) -> to */
	int swap;            /* an exchange undone: from <-> to */
};

struct fpaths_work {
	struct fslot *s;
	size_t ns, caps;
	uint32_t *tab; /* slot numbers by key hash; NONE: empty */
	size_t tcap;
	uint32_t *side; /* per event: dir, old, new, child slots */
	size_t cside;
	unsigned char *pair; /* per event: 1, 2: an exchange's two renames */
	size_t cpair;
	struct logent *log;
	size_t nlog, clog;
	int poison; /* backward: "now" cannot be taken back any more */
	int kept_ok; /* backward: no directory has moved yet in the read,
		      * so what is kept holds */
	size_t pos;  /* backward: the event being undone */
	size_t first_move; /* the read's first directory rename, or n */
	struct buf sc;
	struct buf *out;
};

extern const struct ref fs_unknown;

/* Slots for every key of events EV (the work space's tables made
 * anew); 1 if one of them moves or deletes a directory, 0 if not, -1
 * out of memory. */
int fs_slots(struct fpaths_work *w, const struct fp_event *ev, size_t n);
/* The bytes of R. */
const char *fs_ptr(const struct fpaths_work *w, struct ref r);
/* DIR's entry NAME (unknown if DIR is); -1 out of memory. */
int fs_child_of(struct fpaths_work *w, struct ref dir, const char *name,
		size_t nlen, struct ref *res);
/* Is P at or below DIR? */
int fs_below(const struct fpaths_work *w, struct ref p, struct ref dir);
/* P (at or below FROM) as it is when FROM is at TO. */
int fs_moved(struct fpaths_work *w, struct ref p, struct ref from,
	     struct ref to, struct ref *res);
/* Every path of PASS (0 forward, 1 backward) at or below FROM is now
 * below TO (unknown if TO is). */
int fs_move_all(struct fpaths_work *w, int pass, struct ref from,
		struct ref to);
/* Every path of PASS at or below A is now as far below B, and the
 * other way round. */
int fs_swap_all(struct fpaths_work *w, int pass, struct ref a, struct ref b);
void fs_drop_all(struct fpaths_work *w, int pass);
/* R as an answer: copied to OUT once, and R then points at the copy. */
int fs_answer(struct fpaths_work *w, struct ref *r, struct fpath *a);
/* The callback's "now" for S into *R (unknown if it cannot say). */
void fs_ask(struct fpaths *p, struct fpaths_work *w, struct fslot *s,
	    fpaths_look_fn look, void *ctx, struct ref *r);
/* S's kept path into *R (unknown if none): 1 if it had one, -1 out of
 * memory. */
int fs_from_kept(struct fpaths *p, struct fpaths_work *w,
		 const struct fslot *s, struct ref *r);

static inline struct fpath *
fs_side_at(struct fpaths_at *a, int k)
{
	return k == 0 ? &a->dir : k == 1 ? &a->old : &a->new;
}

static inline struct ref
fs_from_answer(const struct fpath *a)
{
	struct ref r = { a->off, a->len, IN_OUT };
	return r;
}

#endif
