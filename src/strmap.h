/*
 * strmap.h - the small containers the portable code shares: a growing
 * byte buffer and a string-keyed hash map whose keys live in a buffer.
 */
#ifndef FWATCH_STRMAP_H
#define FWATCH_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	char *p;
	size_t len, cap;
};

/* Grow *p (of *cap elements of SIZE) to hold NEED; -1 if out of memory. */
int grow(void **p, size_t *cap, size_t need, size_t size);
#define GROW(p, cap, need) grow((void **)&(p), &(cap), (need), sizeof *(p))

/* Append N bytes and keep the buffer NUL-terminated. */
int buf_add(struct buf *b, const char *s, size_t n);

struct slot {
	uint64_t h;
	size_t off, len; /* key in the map's arena */
	int val;         /* -2: deleted */
	unsigned gen;    /* a slot of another generation is empty */
};

/*
 * Keys are offsets into *arena, so the arena may move as it grows.
 * Clearing bumps the generation instead of touching every slot: a map
 * cleared once per batch costs nothing however large it once grew.
 */
struct smap {
	struct slot *t;
	size_t cap, used;
	unsigned gen;
	struct buf *arena;
};

/* Empty the map in O(1). */
void smap_clear(struct smap *m);
/* The value for KEY, or -1. */
int smap_get(struct smap *m, const char *key, size_t n);
/* Map the key at arena offset OFF (N bytes) to VAL (>= 0). */
int smap_put(struct smap *m, size_t off, size_t n, int val);
/* Remove KEY; 1 if it was there. */
int smap_del(struct smap *m, const char *key, size_t n);
void smap_free(struct smap *m);

#endif
