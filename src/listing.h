/*
 * listing.h - a directory's entries as listed at one moment, and what
 * changed between two listings of it.
 *
 * For a backend that learns only "this directory changed" (kqueue's
 * NOTE_WRITE) or nothing at all (polling): it lists the directory its own
 * way, hands the entries in, and compares with the last listing.  Names
 * that vanished are "gone", names that appeared are "born"; an object
 * (device, inode, type) gone under one name and born under another is a
 * move, also between two directories compared in the same round.  An
 * entry whose name still holds the same object may have changed size or
 * times.  No system call here: tests/unit/test_listing.c drives it all.
 */
#ifndef FWATCH_LISTING_H
#define FWATCH_LISTING_H

#include <stddef.h>
#include <stdint.h>

#include "strmap.h"

#define LISTING_NONE ((size_t)-1)

/* What a listing knows of an entry besides its name. */
struct lattr {
	uint64_t ino;
	int64_t size, mtime, ctime; /* 0 where the lister does not look */
	unsigned type; /* the caller's numbers: two types, two objects */
};

struct lent {
	const char *name; /* NUL-terminated, once listing_done() ran */
	size_t off, len;  /* the name in the listing's names */
	struct lattr at;
	void *held;       /* the caller's; NULL when added */
};

struct listing {
	struct lent *e;
	size_t n, cap;
	struct buf names; /* every name, each followed by its NUL */
};

/* -1 with errno (ENOMEM). */
int listing_add(struct listing *l, const char *name, size_t len,
		const struct lattr *a);
/* Every entry added: point the entries at their names, sort by name. */
void listing_done(struct listing *l);
void listing_free(struct listing *l);

/*
 * Compare two listings of one directory, both done: o2n[i] is where
 * OLD's entry i is in NOW, LISTING_NONE when its name is gone or holds
 * another object; n2o[k] the reverse.  Room for old->n and now->n.
 */
void listing_diff(const struct listing *old, const struct listing *now,
		  size_t *o2n, size_t *n2o);

/* listing_changed(): what differs between two looks at one object */
#define LISTING_CONTENT 0x1u /* size or mtime */
#define LISTING_META    0x2u /* only ctime: mode, owner, links */
unsigned listing_changed(const struct lattr *was, const struct lattr *now);

/* An entry that vanished (gone) or appeared (born) in one directory. */
struct lside {
	size_t dir;          /* the caller's number for the directory */
	size_t idx;          /* the entry: in the old listing if gone, in
			      * the new one if born */
	const char *name;    /* the entry's, in that listing */
	size_t len;
	uint64_t dev, ino;
	unsigned type;
	unsigned char dead;  /* gone, and its object known unlinked: its
			      * inode number may be a new file's already,
			      * so it is never a move (the caller's) */
	unsigned char state; /* the caller's */
	size_t mate;         /* the other half of a move, or LISTING_NONE */
};

struct lkey;

/* The sides of every directory compared in one round, and their moves. */
struct moves {
	struct lside *gone, *born;
	size_t ngone, nborn, capgone, capborn;
	struct lkey *keys; /* born by object while pairing, then the paired
			    * gone by (dir, name) */
	size_t nkeys, capkeys;
};

/* Start a round (what was allocated stays). */
void moves_clear(struct moves *m);
/* Add directory DIR's sides, as listing_diff() left O2N and N2O: OLD's
 * entries that are gone, NOW's that are born, all on device DEV.  -1
 * with errno (ENOMEM). */
int moves_add(struct moves *m, size_t dir, uint64_t dev,
	      const struct listing *old, const size_t *o2n,
	      const struct listing *now, const size_t *n2o);
/* Pair each gone side not dead with a born side of the same object: one
 * move each, first come first paired.  -1 with errno (ENOMEM). */
int moves_pair(struct moves *m);
/* After moves_pair(): the paired gone side that was NAME in DIR (the
 * move that frees the name a move into DIR/NAME takes), or LISTING_NONE. */
size_t moves_freeing(const struct moves *m, size_t dir, const char *name);
void moves_free(struct moves *m);

/* moves_order()'s word for one move */
enum move_step {
	MOVE_RENAME, /* both halves, now */
	MOVE_BREAK,  /* a directory closing a cycle of names: its old name
		      * goes now (a delete)... */
	MOVE_REBORN  /* ...and its new name comes after every other move
		      * (a create) */
};

/*
 * After moves_pair(): hand every move to STEP (G: its gone side) in an
 * order the core can follow: a move after the one that frees its new
 * name, directories first; a directory whose new name is still held by a
 * move under way (a cycle) in two steps.  Owns the gone sides' state.
 * DIRTYPE: the caller's type number for a directory.
 */
void moves_order(struct moves *m, unsigned dirtype,
		 void (*step)(void *ctx, size_t g, enum move_step how),
		 void *ctx);

#endif
