/*
 * bsd_vnode.h - the kqueue backend's descriptors (private to it): one
 * struct vn per open object, a table that finds it by descriptor, by
 * object (device, inode) and by watch id, and the limit on how many may
 * be open.  watch_bsd.c decides what to open and what the news means;
 * bsd_vnode.c opens, registers, finds and closes.
 */
#ifndef FWATCH_BSD_VNODE_H
#define FWATCH_BSD_VNODE_H

#include <sys/types.h>
#include <sys/stat.h>
#include <stddef.h>

#include "listing.h"

enum { T_OTHER, T_FILE, T_DIR, T_LINK }; /* struct lattr.type, vn.type */

/* Descriptors left for the rest of fwatch: vt_room() says no before. */
#define FD_RESERVE 64

/* One open descriptor: a directory or file the core watches (id >= 0),
 * an entry of a watched directory whose news are wanted (parent), or
 * both; with neither it is closed.  The fields marked so are
 * watch_bsd.c's, for one read. */
struct vn {
	int fd;
	int id;
	dev_t dev;
	ino_t ino;
	unsigned char type;
	unsigned char dead;    /* unlinked for good, or revoked */
	unsigned char doomed;  /* unwanted: closed by vt_reap() */
	struct vn *parent;     /* the watched directory whose entry holds us */
	const char *name;      /* that entry's name, in parent->ents */
	size_t nlen;
	struct listing ents;   /* a directory's entries as last listed;
				* lent.held is the entry's struct vn */
	/* stat, as last seen */
	off_t size;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	nlink_t nlink;
	/* watch_bsd.c's */
	unsigned char revoked;
	unsigned char dirty;   /* has news in this read */
	unsigned char injob;   /* listed again in this read */
	unsigned char listed;  /* ents holds its entries */
	unsigned char ch;
	unsigned fflags;       /* the news of this read */
	unsigned stamp;        /* claimed by an entry in this call */
	struct vn *dnext;      /* the dirty list */
	/* the table's */
	struct vn *hnext, *inext, *znext;
};

struct vtab {
	int kq;          /* where descriptors are registered */
	unsigned notes;  /* with these EVFILT_VNODE fflags */
	int next_id;
	struct vn **byfd;
	size_t capfd;
	struct vn **hash, **ids; /* by (dev, ino) and by id; hcap buckets */
	size_t hcap, nvn;
	size_t fdlim;    /* the soft limit on descriptors, as last read */
	size_t at_limit; /* descriptors open when they last ran out */
	int raised;      /* the soft limit was raised to the hard one */
	struct vn *zombies; /* doomed, for vt_reap() */
};

/* An empty table registering on KQ. */
void vt_init(struct vtab *t, int kq);
/* Close every descriptor and free everything. */
void vt_free(struct vtab *t);

#define VN_LIVE 1 /* vt_find(): only objects still linked */
struct vn *vt_find(const struct vtab *t, dev_t dev, ino_t ino, int live);
struct vn *vt_byid(const struct vtab *t, int id);
/* Give V a new id, one not given out soon before. */
int vt_give_id(struct vtab *t, struct vn *v);
void vt_drop_id(struct vtab *t, struct vn *v);

/*
 * Open NAME (relative to DIRFD; for events only, non-blocking,
 * close-on-exec, and FLAGS) and register it for t->notes, or
 * find the watch its object already has.  *fresh says a descriptor was
 * opened; its size is then the one seen after the registration, so any
 * write is either in it or on its way as news.  NULL with errno (EMFILE
 * when out of descriptors).
 */
struct vn *vt_get(struct vtab *t, int dirfd, const char *name, int flags,
		  int *fresh);
/* May one more descriptor be opened?  0 with errno EMFILE if not. */
int vt_room(struct vtab *t);
/* If nobody wants V any more, doom it. */
void vt_check(struct vtab *t, struct vn *v);
/* Close the doomed (the caller first forgets news it holds for them). */
void vt_reap(struct vtab *t);

int vn_type(mode_t m);
void vn_remember(struct vn *v, const struct stat *st);

#endif
