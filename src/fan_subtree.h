/*
 * fan_subtree.h - the fanotify backend's subtree watches (BE_WANT_SUBTREE
 * with BE_CAP_NO_WALK): each one's absolute path, and where the
 * directory an event names lies below one.  Pure: the handles are
 * resolved by fan_paths.c through the backend's callback, so this is
 * tested with made-up paths.
 */
#ifndef FWATCH_FAN_SUBTREE_H
#define FWATCH_FAN_SUBTREE_H

#include <stddef.h>

#include "fan_parse.h"
#include "fan_paths.h"

#define FAN_SUBS_PARKED 256
#define FAN_SUBS_KEY 160 /* fsid, the handle's two words, MAX_HANDLE_SZ */

struct fan_sub {
	int id;
	char *path; /* absolute, as the kernel names it: no trailing '/' but
		     * for "/" itself */
	size_t len;
};

struct fan_subs {
	struct fan_sub *v;
	size_t n, cap;
	struct fpaths paths;   /* handles -> paths, kept between reads */
	struct fpaths_at *at;  /* the last read's, one per event */
	size_t capat;
	struct buf pbuf;       /* their paths */
	/* directories that could not be found (gone before their events
	 * were read, their end not read yet): FAN_SUBS_PARKED at most */
	unsigned char (*parked)[FAN_SUBS_KEY];
	size_t *plen, nparked;
};

void fan_subs_init(struct fan_subs *s);
void fan_subs_free(struct fan_subs *s);
/* A subtree watch ID on the directory at absolute PATH (LEN bytes).
 * -1 (ENOMEM). */
int fan_subs_add(struct fan_subs *s, int id, const char *path, size_t len);
/* Forget subtree watch ID, if it is one. */
void fan_subs_del(struct fan_subs *s, int id);
/* The id of the subtree watch at absolute PATH or above it, or -1. */
int fan_subs_cover(const struct fan_subs *s, const char *path, size_t len);
/* Where the directories of the events of B were (fan_paths.c).  -1
 * (ENOMEM). */
int fan_subs_resolve(struct fan_subs *s, const struct fp_batch *b,
		     fpaths_look_fn look, void *ctx);
/* Where side SIDE of event EV of the batch last resolved was. */
const struct fpath *fan_subs_side(const struct fan_subs *s, size_t ev,
				  int side);
/* fp_places_fn for side SIDE of event EV of the batch last resolved,
 * given OWN, the id the directory is watched by itself (-1: none):
 * that watch, and the deepest subtree watch it lies below. */
int fan_subs_places(const struct fan_subs *s, size_t ev, int side, int own,
		    struct fp_place *out);

/*
 * A directory that could not be found (KEY, LEN bytes) held events that
 * may have been ours: kept until its own end (a delete or rename naming
 * it) says where it was.  0, or -1 if too many are kept already (then
 * say the events were lost now).
 */
int fan_subs_park(struct fan_subs *s, const void *key, size_t len);
/* Was KEY kept so?  1 if it was (it is forgotten now), else 0. */
int fan_subs_unpark(struct fan_subs *s, const void *key, size_t len);
/* Forget every key kept (an overflow said it all). */
void fan_subs_unpark_all(struct fan_subs *s);
/* Is side SIDE of event EV of the batch last resolved below a tree
 * watched whole?  1 also when its path is not known. */
int fan_subs_inside(const struct fan_subs *s, size_t ev, int side);

#endif
