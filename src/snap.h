/*
 * snap.h - the snapshot of the watched directories' entries (--snapshot).
 *
 * One entry per name in a watched directory: its inode, type, size and
 * modification time as last seen.  The core keeps it in step with the
 * events it reports, so that after an overflow a fresh listing compared
 * with it says which files were created, deleted or changed unseen.
 *
 * Directories are known by the core's node index; entries of one
 * directory form a list, and a hash on (directory, name) finds one.
 * Indices of entries stay valid until the entry is deleted.
 */
#ifndef FWATCH_SNAP_H
#define FWATCH_SNAP_H

#include <stddef.h>
#include <stdint.h>

#include "strmap.h"
#include "sys.h"

#define SNAP_MARK  0x1u /* seen by the listing being compared */
#define SNAP_DIRTY 0x2u /* reported changed; to be looked at again */

struct snap_ent {
	uint64_t ino;
	int64_t size, mtime;
	int dir;        /* -1 when the slot is free */
	int next, prev; /* the directory's list; next is the free list too */
	int hnext;      /* hash chain */
	uint32_t name;  /* offset in names, NUL-terminated there */
	uint16_t nlen;
	unsigned char type; /* enum sys_type; SYS_GONE: not known */
	unsigned char flags;
};

struct snap {
	struct snap_ent *e;
	size_t n, cap, live;
	int freelist;
	int *bucket; /* power of two, or none */
	size_t nb;
	int *head;   /* per directory: first entry, or -1 */
	size_t nhead;
	struct buf names;
	size_t garbage; /* bytes of names no entry uses */
};

void snap_init(struct snap *s);
void snap_free(struct snap *s);

/* The entry for NAME in DIR, or -1. */
int snap_find(const struct snap *s, int dir, const char *name, size_t len);
/* Make NAME in DIR hold *I (a new entry, or the old one updated);
 * its index, or -1 if out of memory. */
int snap_put(struct snap *s, int dir, const char *name, size_t len,
	     const struct sys_info *i);
void snap_set(struct snap *s, int idx, const struct sys_info *i);
void snap_del(struct snap *s, int idx);
/* Entry IDX is now NAME in DIR (whatever held that name goes); its
 * index, which may differ, or -1 if out of memory (IDX is then gone). */
int snap_move(struct snap *s, int idx, int dir, const char *name,
	      size_t len);
/* Forget every entry of DIR. */
void snap_drop_dir(struct snap *s, int dir);
/* The first entry of DIR, then follow .next; -1 at the end. */
int snap_first(const struct snap *s, int dir);
static inline const char *
snap_name(const struct snap *s, int idx)
{
	return s->names.p + s->e[idx].name;
}
/* Directories were renumbered: old index i is now map[i] (-1: gone). */
int snap_renumber(struct snap *s, const int *map, size_t nmap);
/* Bytes held, for the figures in the manual. */
size_t snap_bytes(const struct snap *s);

#endif
