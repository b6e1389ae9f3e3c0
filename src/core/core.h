/*
 * core.h - what the rooms of the watcher core share, and nothing else
 * includes: the watcher (struct fw_watcher) and its parts, and each
 * room's functions.  The public face is watch.h; the backends' is
 * backend.h.
 *
 * The rooms, each one using only those above it in this list:
 *
 *   held.c     the files that file PATHs hold open
 *   tree.c     the directory tree: nodes, backend ids, names, paths,
 *              and the roots (the PATHs as given)
 *   worktree.c git work trees: where they are, git's files that rule
 *              a whole one
 *   gitignore.c  git's rules and --ignore-file's: the rules of each
 *              directory, the verdict on a path
 *   ignore.c   what is left out: not reported, directories not watched
 *   batch.c    the batch of events being made; messages
 *   blind.c    which directories are polled: those on filesystems where
 *              the native backend is blind
 *   large.c    the native backend's stand-in for large trees taking over
 *   treeless.c PATHs watched whole, with no tree below (BE_CAP_NO_WALK)
 *   files.c    PATHs that are files
 *   snapshot.c --snapshot kept in step with what is reported
 *   scan.c     directories and files coming into sight: the walker
 *   rescan.c   rebuilding the truth after an overflow
 *   moves.c    the two halves of a rename
 *   records.c  one backend record at a time
 *   watch.c    the public API: open, add, read a batch, close
 */
#ifndef FWATCH_CORE_H
#define FWATCH_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "../backend.h"
#include "../gitignore.h"
#include "../snap.h"
#include "../strmap.h"
#include "../sys.h"
#include "../watch.h"

#define DROPPED FW_NKINDS /* an iev kind: settled as not reported */

/* What is known of an entry that could not be looked at: nothing. */
static inline void
info_unknown(struct sys_info *i)
{
	i->ino = 0;
	i->size = i->mtime = -1;
	i->type = SYS_GONE;
}

/* Names shorter than this live in the node: no malloc per directory, so
 * a subtree that comes and goes leaves no scattered chunks behind. */
#define NAME_IN 20

struct node {
	int id;     /* backend watch id; -1 when the slot is free */
	int parent; /* -1 for a watched PATH */
	int child, next, prev;
	int root;   /* index in roots[], for nodes with parent -1 */
	int froot;  /* first file PATH watched through this directory */
	uint16_t nlen;
	unsigned char link; /* watched through a symlink (-L) */
	unsigned char mark;
	unsigned char hidden; /* watched only for the file PATHs in it */
	unsigned char rescan; /* records about its subtree were lost: it is
			       * rescanned after the read (rescan.c) */
	char in[NAME_IN]; /* the name, or a pointer to it (unaligned) */
};

/* A file that a file PATH is or was (held.c); watch.h's struct
 * fw_file. */
struct fw_file {
	struct sys_file *h;   /* held open; NULL while pending, or when it
			       * could not be (err says why) */
	int err;
	int refs;             /* the watcher's, and its callers' */
	size_t root;          /* its PATH */
	unsigned char pending; /* came in this read: opened at its end */
	unsigned char shorter; /* the last look found it shorter */
	unsigned look_gen;    /* the read that last look was taken in */
	struct sys_info info; /* the last look at it */
	struct fw_file *next; /* on w->retired */
};

/* A size to be filled in at the end of the read, once the file the
 * event is about has been opened (held.c, files.c). */
#define SIZE_LATER (-3)

/* What a file PATH has that a directory PATH has not.  It is watched
 * through its directory (root.node) and its name there.  One
 * allocation: the strings are in s[] after the struct. */
struct fpath {
	const char *fname;  /* its name in the directory */
	size_t fnlen;
	const char *real;   /* where to look at it: a final symlink resolved */
	const char *pdir;   /* the directory to watch */
	const char *sib;    /* how a sibling's path starts, for renames */
	size_t siblen;      /* (a prefix of real, or of the root's self) */
	int fnext;          /* the next file PATH in the same directory */
	int present;        /* the name holds a file now */
	int ahead;          /* the file held is at the name, but the record
			     * of its coming is still to be read */
	int left;           /* it left in this read: left_ev says how */
	int left_ev;
	uint32_t cookie;    /* the "moved from" it left by, or 0 */
	struct fw_file *cur; /* the file at the name, held; NULL if none */
	char s[];
};

struct root {
	char *given; /* as the user wrote it */
	char *disp;  /* what paths below it start with */
	size_t disp_len;
	char *self;  /* how the PATH itself is printed: as given, or
		      * absolute; may end in '/' where disp does not */
	const char *base; /* last component of disp, for filters */
	int fkey;    /* its key among the filter's PATHs (filter_key_of):
		      * which patterns tied to a PATH speak of it */
	int node;
	int gone;
	unsigned char treeless; /* watched whole, no tree below (treeless.c) */
	size_t abs_len; /* then, its absolute path's length */
	struct fpath *file; /* a file PATH; NULL for a directory */
};

struct iev { /* an event whose strings are offsets into w->out */
	enum fw_kind kind;
	unsigned flags;
	size_t path, path_len, old, old_len;
	int root;
	size_t rel;
	int64_t sec;
	long usec;
	int64_t size;
	struct fw_file *file; /* a file PATH's file, or NULL */
};

/* A "moved from" waiting for its "moved to" (moves.c). */
struct pend {
	uint32_t cookie;
	int node;
	size_t name, name_len; /* in w->pendbuf */
	int is_dir;
	int ev; /* its placeholder in the batch */
};

/* A directory waiting on the walk's stack (scan.c). */
struct stackent {
	int node;         /* -1 when counting */
	size_t path, len; /* in w->stack */
	int fresh;        /* everything in it is new: report it */
};

/* An entry of the directory being listed; its path is in w->cur. */
struct entry {
	const char *name;
	size_t nl;
	size_t crel;        /* where the part below the root starts */
	enum sys_type type; /* for a symlink followed (-L): where it leads */
	int link;           /* it is such a symlink */
};

/* A walk over a tree (scan.c), and what it does with what it finds. */
struct walk {
	/* each entry X of directory E (listed from D); -1 stops the walk */
	int (*entry)(fw_watcher *w, struct walk *k, const struct stackent *e,
		     struct sys_dir *d, const struct entry *x);
	/* if set: E is about to be listed; E was listed to the end (its
	 * path is the first DLEN bytes of w->cur) */
	void (*before)(fw_watcher *w, struct walk *k,
		       const struct stackent *e);
	void (*after)(fw_watcher *w, struct walk *k, const struct stackent *e,
		      size_t dlen);
	int root;                /* the PATH walked below; -1: counting */
	size_t rel;              /* where the part below it starts */
	unsigned flags;          /* FW_EV_ flags of what it reports */
	unsigned char setup;     /* fw_add()'s: a watch limit is fatal, and
				  * nothing is tried again later */
	unsigned char all_fresh; /* everything below is new */
	unsigned char files;     /* every file is looked at (--snapshot) */
	unsigned char quiet;     /* counting: no warnings */
	unsigned char old;       /* what it finds was there before: not
				  * news (rules that changed) */
	size_t count;            /* what counting found */
};

/* The rules of git and of --ignore-file (gitignore.c); their parts are
 * its own. */
struct giroot;
struct gidir;
struct gifile;

/* A git work tree (worktree.c). */
struct girepo {
	char *top;        /* the top of its work tree, absolute */
	size_t len;
	struct ig_list *global, *info; /* the global excludes file and
					* .git/info/exclude, or NULL */
};

struct rules {
	int on;               /* some PATH has rules: judge its paths */
	int git;              /* some PATH has git's rules */
	struct giroot *roots; /* by root: its absolute path, git or not */
	size_t nroots, caproots;
	struct girepo *repos; /* the work trees met */
	size_t nrepos, caprepos;
	struct gidir *dirs;   /* every .gitignore read, by directory */
	size_t ndirs, capdirs, live;
	struct smap dirmap;   /* absolute directory -> index in dirs */
	struct buf dirkeys;   /* its keys */
	struct gifile *files; /* --ignore-file */
	size_t nfiles, capfiles;
	unsigned gen;         /* bumped when any rule comes or goes */
	/* the layers of the directory judged last (cdir), while gen holds */
	struct ig_layer *lay;
	size_t nlay, caplay;
	struct buf cdir;
	unsigned cgen;
	int con;
	/* the path judged last and its verdict, while gen holds */
	struct buf last;
	unsigned lgen;
	int lroot, lisdir, lverdict;
	struct buf judged;    /* the absolute path being judged */
	int jroot;            /* 1 + the root whose path starts it, or 0 */
	struct buf path;      /* an absolute path being made */
	struct buf tmp;       /* another one */
	struct buf text;      /* a file being read */
	/* directories whose rules changed in this read: what is below them
	 * is judged again after it (rejudge() in scan.c); until then
	 * every path is judged from its PATH down */
	int *dirty;
	size_t ndirty, capdirty;
	unsigned swept;       /* tree_gen at gi_trim()'s last sweep */
	struct buf bad;       /* a rules file that could not be read */
	int bad_err;          /* and why (0: none to tell) */
};

/* Why a path is left out, for --explain-ignore. */
struct gi_why {
	const struct ig_rule *rule; /* the deciding rule (maybe a '!' that
				     * kept it), or NULL */
	const struct ig_list *from; /* its file */
	int git;                    /* it is a .git: never watched */
};

/* gi_root()'s answers */
enum { GI_OFF, GI_REPO, GI_NO_REPO, GI_PATH_IGNORED };
/* gi_saw()'s bits */
#define GI_SAW_GITIGNORE 1u
#define GI_SAW_GIT 2u

/* watch_below()'s answers */
enum { BELOW_NONE, BELOW_NEW, BELOW_KNOWN };

/* born()'s size when the file was not looked at yet */
#define BORN_LOOK (-2)

/* The watcher: its parts, by the room that owns them. */
struct fw_watcher {
	/* as opened (watch.c) */
	struct fw_config cfg;
	unsigned report;          /* kinds reported */
	unsigned want;            /* be_watch() flags */
	const struct be_ops *ops; /* the backend in use */
	struct backend *be;
	unsigned caps;            /* what it promises (BE_CAP_*): its
				   * ops->caps, or for two backends as one
				   * (mux.c) what both promise */
	struct be_env env;        /* lent to the backend (files.c) */
	/* the stand-in for large trees (backends.c: be_large) that may
	 * still take over (large.c), NULL if none may; the directories a
	 * setup may watch before it does */
	const struct be_ops *large;
	size_t large_at;
	/* the directories polled beside the native backend (blind.c) */
	const struct be_ops *native; /* under mux.c, with the poller; NULL
				      * when one backend was chosen */
	uint64_t *blind;             /* the devices found blind so far */
	size_t nblind, capblind;
	char bename[48];             /* "inotify and poll", once polling */

	/* the tree (tree.c) */
	struct node *nodes;
	size_t nnodes, capnodes, inuse;
	int freelist;
	int *idk, *idv;     /* backend id -> node, linear probing */
	size_t idcap, idused;
	unsigned tree_gen;  /* bumped whenever a node moves or goes */
	struct buf pc;      /* the path of node pc_node, at tree_gen pc_gen */
	int pc_node, pc_root;
	unsigned pc_gen;
	size_t pc_rel;
	int *chain;         /* node_path()'s way up the tree */
	size_t capchain;
	struct root *roots;
	size_t nroots, caproots, roots_left;
	size_t nhidden;     /* nodes watched only for file PATHs */

	/* the batch (batch.c) */
	struct buf out;     /* this batch's strings */
	struct iev *ev;
	size_t nev, capev;
	struct fw_event *fev;
	size_t capfev;
	struct smap seen;   /* path -> last event index, this batch */
	int64_t sec;        /* time of the read being handled */
	long usec;
	struct buf scratch; /* the path of the event being made */
	struct buf born;    /* files created in this read, to look at
			     * after it (without BE_CAP_BIRTH_WRITES) */
	int lost;           /* memory ran out making the batch: say so */
	struct buf err;     /* the last message, one line however long */

	/* file PATHs (files.c, held.c) */
	size_t nleft;       /* file PATHs that left in this read */
	size_t npending;    /* files to open at the end of this read */
	struct fw_file *retired; /* no longer at their names: kept until
				  * the batch saying so is handed out */
	struct asking {     /* the directory a watch() call is about, for
			     * file_wanted() before its id is known */
		const char *path;
		size_t rel;      /* where the part below its PATH starts */
		int root;        /* that PATH; -1 while it is being added */
		const char *only; /* a file PATH's directory: its one name */
		size_t only_len;
	} ask;
	struct buf askbuf;  /* file_wanted()'s own path buffer */

	/* --snapshot (snapshot.c) */
	struct snap snap;   /* every entry of every directory */
	int *dirty;         /* entries reported changed in this read */
	size_t ndirty, capdirty;

	/* scanning (scan.c) */
	struct buf cur;     /* the path of the entry being looked at */
	struct buf stack;   /* the paths of the directories to list */
	struct stackent *st;
	size_t nst, capst;
	struct buf retry;   /* new directories to watch again: (parent,
			     * length, name) records */
	struct buf names;   /* a directory's entries, read before they are
			     * visited where a .gitignore may rule them */
	struct buf synthbuf[2];
	struct smap synth[2]; /* creates reported by our own scans */
	int fatal;          /* errno that must stop a setup scan */

	/* renames (moves.c) */
	struct pend *pend;
	size_t npend, cappend;
	struct buf pendbuf; /* their names */

	/* git's rules and --ignore-file's (gitignore.c) */
	struct rules gi;

	/* PATHs watched with no tree below (treeless.c) */
	unsigned char tl_adding; /* the PATH being added will be one */
	unsigned char tl_switch; /* its walk stopped to watch it whole */
	struct buf tlbuf;        /* the path of a record's directory */
	struct buf tl_dir;       /* the last directory judged, below */
	int tl_root;             /* its PATH's node; -1: none */
	int tl_verdict;          /* pruned? */
	unsigned char tl_prunes; /* can a directory be pruned at all */

	struct buf explained; /* fw_explain()'s answer (watch.c) */

	/* reading (watch.c) */
	unsigned take_gen;  /* bumped by every read of records */
	int need_rescan;    /* records were lost: rescan first */
	size_t scoped;      /* nodes marked rescan: their subtrees first */
	int woken;          /* be_wait() was woken while we were busy */
	int queued;         /* read before waiting: records may be queued */
};

/* ---- held.c ---------------------------------------------------------- */

struct fw_file *held_new(fw_watcher *w, int r);
void held_open(fw_watcher *w, struct fw_file *f, const char *path);
void held_lost(fw_watcher *w, struct fw_file *f);
int64_t held_look(fw_watcher *w, struct fw_file *f, const char *byname);
void held_retire(fw_watcher *w, struct fw_file *f);
void held_release(fw_watcher *w);

/* ---- tree.c ---------------------------------------------------------- */

const char *nname(const struct node *nd);
void name_free(struct node *nd);
int name_set(struct node *nd, const char *name, size_t len);
char *dupn(const char *s, size_t n);
int id_get(const fw_watcher *w, int id);
void id_stray(fw_watcher *w, int id);
void ids_replace(fw_watcher *w, const int *ids);
int node_new(fw_watcher *w, int id, int parent, const char *name,
	     size_t len);
void root_gone(fw_watcher *w, int r);
void absorb(fw_watcher *w, int n);
void subtree_free(fw_watcher *w, int top, int unwatch);
int find_child(const fw_watcher *w, int parent, const char *name,
	       size_t len);
int node_move(fw_watcher *w, int n, int parent, const char *name,
	      size_t len);
int node_path(fw_watcher *w, int n, const char *name, size_t len,
	      struct buf *b, size_t *rel);
int path_join(struct buf *b, const char *name, size_t len);
size_t rel_skip(const struct buf *b, size_t rel);
const char *rel_of(const fw_watcher *w, int root, const char *p, size_t rel,
		   size_t len);
int root_of(const fw_watcher *w, int n);
int compact(fw_watcher *w);
int root_new(fw_watcher *w, const char *path, const char *given);
void root_free(struct root *rt);

/* ---- worktree.c ------------------------------------------------------ */

size_t wt_lead(const char *p, size_t n);
int wt_under(const char *d, size_t dl, const char *x, size_t xl);
size_t wt_dir_len(const char *p, size_t n);
int wt_join(struct buf *b, const char *x, size_t xl, const char *name,
	    size_t nl);
char *wt_abs(const char *path, size_t *len);
int wt_read(fw_watcher *w, const char *path);
void wt_bad(fw_watcher *w, const char *path, int err);
const char *wt_source(const char *top, size_t tl, const char *path);
int wt_of(const fw_watcher *w, const char *d, size_t dl);
int wt_at(fw_watcher *w, const char *d, size_t dl, int search);
void wt_free(fw_watcher *w);

/* ---- gitignore.c ----------------------------------------------------- */

int gi_file(fw_watcher *w, const char *file);
int gi_root(fw_watcher *w, int r, struct gi_why *why);
int gi_wants(const fw_watcher *w, int root);
unsigned gi_saw(const char *name);
int gi_enter(fw_watcher *w, int root, const char *dir, size_t len,
	     size_t rel, unsigned saw);
int gi_record(fw_watcher *w, int n, const char *name, size_t nl);
int gi_moved(fw_watcher *w, int from, const char *name, size_t nl, int n);
int gi_along(fw_watcher *w, int root, const char *path, size_t len,
	     size_t rel);
int gi_locate(fw_watcher *w, const char *path, struct buf *b, size_t *rel);
int gi_hides(fw_watcher *w, int root, const char *path, size_t len,
	     size_t rel, int isdir, struct gi_why *why);
int gi_say(const struct gi_why *why, struct buf *out);
int gi_trim(fw_watcher *w);
void gi_free(fw_watcher *w);

/* ---- ignore.c -------------------------------------------------------- */

/* Is an event on PATH (LEN bytes; REL: where the part below root ROOT
 * starts) reported?  ISDIR: the path is (was) a directory. */
int shown(fw_watcher *w, int root, const char *path, size_t len, size_t rel,
	  int isdir);
/* Is the directory PATH left unwatched, nothing below it scanned or
 * reported? */
int pruned(fw_watcher *w, int root, const char *path, size_t len,
	   size_t rel);
/* Why an event on PATH would not be reported, into OUT: 1 if it would
 * not, 0 if it would (OUT may then say which '!' rule kept it), -1 if
 * out of memory. */
int explain(fw_watcher *w, int root, const char *path, size_t len,
	    size_t rel, int isdir, struct buf *out);

/* ---- batch.c --------------------------------------------------------- */

/* The backend's plain news, bit by bit, and the kind each is. */
struct plain {
	unsigned bit;
	enum fw_kind kind;
};
#define NPLAIN 6
extern const struct plain plain[NPLAIN];

void lost(fw_watcher *w);
int batch_lost(fw_watcher *w);
int event_path(fw_watcher *w, int n, const char *name, size_t len,
	       size_t *rel);
int wanted(fw_watcher *w, enum fw_kind kind, unsigned flags, int root,
	   const char *path, size_t len, size_t rel);
void decide(fw_watcher *w, int i);
int append(fw_watcher *w, enum fw_kind kind, unsigned flags, int root,
	   const char *path, size_t len, size_t rel);
void emit(fw_watcher *w, enum fw_kind kind, unsigned flags, int root,
	  const char *path, size_t len, size_t rel);
void emit_rename(fw_watcher *w, unsigned flags, int root, const char *path,
		 size_t len, size_t rel, const char *old, size_t oldlen,
		 size_t oldrel);
int become_rename(fw_watcher *w, int i, int root, const char *path,
		  size_t len, size_t rel);
void born_note(fw_watcher *w, unsigned flags, int root, const char *path,
	       size_t len, size_t rel);
int born_next(const fw_watcher *w, size_t *off, int *root, unsigned *flags,
	      const char **path, size_t *len, size_t *rel);
void batch_reset(fw_watcher *w);
int batch_out(fw_watcher *w, const struct fw_event **evs);
int drop_buf(struct buf *b);
int drop_map(struct smap *m);
int drop_array(void **p, size_t *cap);
#define DROP_ARRAY(p, cap) drop_array((void **)&(p), &(cap))
int batch_trim(fw_watcher *w);
void say_path(fw_watcher *w, const char *what, const char *path,
	      const char *a, const char *b, const char *c);
void warnf(fw_watcher *w, const char *path, int err, const char *what);
void set_err(fw_watcher *w, const char *path, int err, size_t needed);

/* ---- blind.c --------------------------------------------------------- */

unsigned blind_want(fw_watcher *w, const char *path, const char *shown);
void blind_warn(fw_watcher *w, const char *path, const char *given);
void blind_free(fw_watcher *w);

/* ---- large.c --------------------------------------------------------- */

int large_take(fw_watcher *w, int why, const char *path);

/* ---- files.c --------------------------------------------------------- */

void files_lend(fw_watcher *w, struct be_env *env);
int file_named(const fw_watcher *w, int n, const char *name, size_t len);
int64_t file_look(fw_watcher *w, int fr);
void file_emit(fw_watcher *w, int fr, enum fw_kind kind, unsigned flags,
	       int64_t size);
void file_event(fw_watcher *w, int n, const struct fw_raw *r);
void files_open(fw_watcher *w);
void files_settle(fw_watcher *w);
void rescan_file(fw_watcher *w, int r);
int add_file(fw_watcher *w, const char *path, const char *given);

/* ---- snapshot.c ------------------------------------------------------ */

void snap_note(fw_watcher *w, int dir, const char *name, size_t nl,
	       const char *path);
void snap_note_listed(fw_watcher *w, struct sys_dir *d, int dir,
		      const char *name, size_t nl, struct sys_info *i);
void snap_forget(fw_watcher *w, int dir, const char *name, size_t nl);
void snap_renamed(fw_watcher *w, int from, const char *name, size_t nl,
		  int to, const char *name2, size_t nl2, const char *path);
void snap_touch(fw_watcher *w, int dir, const char *name, size_t nl,
		const char *path);
void snap_refresh(fw_watcher *w);

/* ---- treeless.c ------------------------------------------------------ */

int treeless_ok(fw_watcher *w, const char *path);
unsigned subtree_want(const fw_watcher *w, int root);
int treeless_node(const fw_watcher *w, int n);
int treeless_hidden(fw_watcher *w, int n, const struct fw_raw *r);
int whole_now(fw_watcher *w, int r);
void treeless_deep(fw_watcher *w, int root, const char *path, size_t len,
		   size_t rel);
int treeless_take(fw_watcher *w, int r);
int treeless_mark(fw_watcher *w, int r);

/* ---- scan.c ---------------------------------------------------------- */

int watch_one(fw_watcher *w, int root, const char *path, size_t rel,
	      int follow);
void synth_add(fw_watcher *w, const char *path, size_t len);
int synth_take(fw_watcher *w, const char *path, size_t len);
void synth_expire(fw_watcher *w);
int scan_trim(fw_watcher *w);
void born(fw_watcher *w, unsigned flags, int root, const char *path,
	  size_t len, size_t rel, int64_t size);
void born_look(fw_watcher *w);
int walk_push(fw_watcher *w, const struct walk *k, int n, const char *path,
	      size_t len, int fresh);
int walk(fw_watcher *w, struct walk *k, int start, const char *path,
	 size_t len, int fresh);
void scan_report(fw_watcher *w, const struct walk *k, enum sys_type type,
		 size_t crel, int64_t size);
void scan_see(fw_watcher *w, const struct walk *k, const struct stackent *e,
	      struct sys_dir *d, const struct entry *x);
int watch_below(fw_watcher *w, struct walk *k, const struct stackent *e,
		const struct entry *x, int *np);
int scan_setup(fw_watcher *w, int n);
size_t count_dirs(fw_watcher *w, const char *path);
void new_dir(fw_watcher *w, int parent, const char *name, size_t nl,
	     const char *path, size_t len, size_t rel);
void listed_in(fw_watcher *w, int root, const char *path, size_t len);
void retry_dirs(fw_watcher *w);
void appeared(fw_watcher *w, int n, const char *name, size_t nl, int is_dir,
	      int moved);
void rules_say(fw_watcher *w);
void rules_trouble(fw_watcher *w);
void rejudge(fw_watcher *w);

/* ---- rescan.c -------------------------------------------------------- */

void rescan(fw_watcher *w);
void rescan_scope(fw_watcher *w, int id, const char *name, size_t len);
void rescan_scoped(fw_watcher *w);

/* ---- moves.c --------------------------------------------------------- */

void moved_from(fw_watcher *w, int n, const struct fw_raw *r, int is_dir);
void moved_to(fw_watcher *w, int n, const struct fw_raw *r, int is_dir);
void finish_all_pend(fw_watcher *w);
void settle_same_name(fw_watcher *w, int n, const struct fw_raw *r);
void settle_inside(fw_watcher *w, const struct fw_raw *r);
void pairs_lookahead(fw_watcher *w, const struct fw_raw *recs, int n);
int pairs_wait(const fw_watcher *w, int drained);

/* ---- records.c ------------------------------------------------------- */

void handle(fw_watcher *w, const struct fw_raw *r);

#endif
