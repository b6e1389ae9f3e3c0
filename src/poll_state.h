/*
 * poll_state.h - what the poller's files share, and nothing else includes: a
 * watched directory (struct pdir), a round's jobs, and the backend's
 * state.  watch_poll.c is the interface and the round; poll_look.c is
 * what a round sees; poll_say.c is what it says.
 */
#ifndef FWATCH_POLL_STATE_H
#define FWATCH_POLL_STATE_H

#include "backend.h"
#include "listing.h"
#include "recbuf.h"
#include "strmap.h"
#include "sys.h"

#define DEFAULT_MS 1000
#define KEEP_JOBS 16 /* listings kept for reuse from round to round */

/*
 * Hazard: timestamps are as coarse as the filesystem's clock (a kernel
 * tick, two seconds on FAT, the server's clock on NFS).  A change made
 * in the same tick as our last listing leaves the directory's mtime as
 * it was; so a directory whose mtime is this recent, or moved in the
 * last round, is listed again whatever its times say.
 */
#define RACY_NS (2 * 1000000000LL)

struct pdir {
	int id;                /* -1: the slot is free */
	unsigned want;
	struct sys_pdir *h;
	struct sys_info self;  /* the directory itself, as last looked at */
	struct listing snap;   /* its entries then, sorted by name */
	size_t job;            /* its job in this round, or LISTING_NONE */
	unsigned char moved;   /* its times moved in the last round */
	unsigned char attrib;  /* only its ctime moved in this round */
	unsigned char dead;    /* removed: its last records are due */
	unsigned char lost;    /* its handle no longer answers: found again
				* under its parent, or dead */
	unsigned char done;    /* its deletes went out in this round */
	unsigned char dropped; /* no longer watched: freed after the round */
};

/* An entry that appeared, for ordering the creates. */
struct birth {
	int64_t ctime;
	const char *name;
	size_t k; /* its born side */
};

/* A directory listed again in this round. */
struct job {
	size_t dir;
	struct listing now;
	size_t *o2n, *n2o;
	size_t capo, capn;
};

struct backend {
	const struct be_env *env;
	int interval;
	int64_t due;            /* sys_mono_ms() of the next round */
	unsigned want;          /* everything asked of any directory */
	struct sys_waiter *waiter;
	struct pdir *dirs;
	size_t ndirs, capdirs;
	struct smap byobj;      /* (dev, ino) -> slot */
	struct buf objkeys;
	size_t objgarbage;
	struct job *jobs;
	size_t njobs, capjobs, initjobs; /* initjobs: set up, arrays kept */
	struct moves mv;
	struct recbuf out;      /* this round's records */
	struct recbuf later;    /* content news found before the renames,
				 * handed out after them, under the names
				 * the files have now */
	struct birth *births;   /* creates, in the order they were made */
	size_t capbirths;
	int fail;               /* errno of a failure in this round */
};

/* poll_look.c: what a round sees */
int poll_obj_find(struct backend *b, const struct sys_info *i);
void poll_obj_forget(struct backend *b, const struct sys_info *i);
int poll_obj_put(struct backend *b, const struct sys_info *i, int slot);
int poll_wanted(struct backend *b, const struct pdir *d, struct lent *e);
int poll_need_stat(unsigned want);
int poll_list_dir(struct pdir *d, struct listing *l);
int poll_look_entries(struct backend *b, struct pdir *d);
int poll_add_job(struct backend *b, size_t x);
void poll_look_self(struct pdir *d, int64_t now_ns, int *relist);
struct listing *poll_entries_now(struct backend *b, struct pdir *d);
void poll_find_lost(struct backend *b);

/* poll_say.c: what a round says, and what it leaves for the next */
void poll_rec(struct backend *b, int id, unsigned flags, uint32_t cookie,
	      const char *name, size_t len);
unsigned poll_isdir(const struct lent *e);
void poll_content_news(struct backend *b);
int poll_watched(struct backend *b, size_t x, const struct lent *e);
void poll_deletes(struct backend *b, size_t x);
void poll_drop(struct backend *b, size_t x);
const struct lent *poll_born_ent(struct backend *b, const struct lside *t);
void poll_move_step(void *ctx, size_t g, enum move_step how);
void poll_unpair_strangers(struct backend *b);
void poll_creates(struct backend *b);
void poll_later_news(struct backend *b);
void poll_self_news(struct backend *b);
void poll_free_slot(struct pdir *d);
void poll_install(struct backend *b);

#endif
