/*
 * fhmap.h - directories known by the bytes that name them to the kernel
 * (a filesystem id and a file handle, as fanotify reports them), mapped
 * to the watch id fwatch gave them, and back.  Pure: no system call, so
 * tests/unit/test_fhmap.c reaches all of it.
 *
 * Keys are opaque bytes compared whole.  An id is any int >= 0 the
 * caller chooses; a key and an id each appear at most once.
 */
#ifndef FWATCH_FHMAP_H
#define FWATCH_FHMAP_H

#include <stddef.h>
#include <stdint.h>

/* Keys up to this long live in the entry, longer ones (up to 255 bytes)
 * are allocated: watch_fanotify.c's keys are a filesystem's number, the
 * handle's type and the handle, 13 bytes on ext4 and xfs, 17 on tmpfs,
 * 25 on btrfs.  An entry is 32 bytes. */
#define FH_IN 23

struct fh_ent {
	uint32_t h;    /* the key's hash; for a free entry, the next one */
	int32_t id;    /* -1: free */
	unsigned char len;
	unsigned char k[FH_IN]; /* the key, or a pointer to it (unaligned) */
};

struct fhmap {
	struct fh_ent *e;  /* entries; a free list runs through them */
	size_t ne, cape, used;
	int freelist;      /* -1: none */
	int32_t *byk;      /* key -> entry, open addressing; -1 empty */
	int32_t *byid;     /* id -> entry, the same */
	size_t cap;        /* slots in each table, a power of two */
};

void fhmap_init(struct fhmap *m);
void fhmap_free(struct fhmap *m);
/* The id of KEY (LEN bytes), or -1. */
int fhmap_find(const struct fhmap *m, const void *key, size_t len);
/* The key of ID (its length in *len), or NULL. */
const void *fhmap_key(const struct fhmap *m, int id, size_t *len);
/* Map KEY (1 to 255 bytes) to ID; neither may be in the map.  -1 with
 * errno (ENOMEM, EINVAL) if not, the map unchanged. */
int fhmap_add(struct fhmap *m, const void *key, size_t len, int id);
/* Forget ID and its key; -1 (EINVAL) if it is not there. */
int fhmap_del(struct fhmap *m, int id);
/* Entries in use. */
size_t fhmap_count(const struct fhmap *m);
/* Give back memory that many deletes left unused: 1 if it did. */
int fhmap_trim(struct fhmap *m);

#endif
