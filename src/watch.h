/*
 * watch.h - the whole contract between main.c and the watcher core.
 *
 * A watcher is opened with a configuration, given paths with fw_add(), and
 * then read batch by batch with fw_read().  Everything returned by the
 * watcher (events, their strings, error messages) belongs to the handle and
 * stays valid until the next call on that handle.
 *
 * No platform header is needed to use this file.
 */
#ifndef FWATCH_WATCH_H
#define FWATCH_WATCH_H

#include <stddef.h>
#include <stdint.h>

struct filter;
/* A file that a file PATH is or was, held open by the watcher: see
 * fw_file_read() below. */
struct fw_file;

enum fw_kind {
	FW_CREATE,
	FW_MODIFY,
	FW_TRUNCATE,  /* a file PATH got shorter: read it from the start */
	FW_DELETE,
	FW_RENAME,
	FW_ATTRIB,
	FW_CLOSE_WRITE,
	FW_CLOSE_NOWRITE,
	FW_OPEN,
	FW_ACCESS,
	FW_OVERFLOW,
	FW_UNMOUNT,
	FW_READY,     /* never produced by the watcher; main.c's own record */
	FW_NKINDS
};

#define FW_BIT(k) (1u << (k))
/* Reported whatever --event says: they tell the user what was lost. */
#define FW_ALWAYS (FW_BIT(FW_OVERFLOW) | FW_BIT(FW_UNMOUNT))
#define FW_DEFAULT_EVENTS                                                     \
	(FW_BIT(FW_CREATE) | FW_BIT(FW_MODIFY) | FW_BIT(FW_TRUNCATE) |        \
	 FW_BIT(FW_DELETE) | FW_BIT(FW_RENAME) | FW_BIT(FW_ATTRIB))
#define FW_ALL_EVENTS (FW_BIT(FW_READY) - 1u)

/* fw_event.flags */
#define FW_EV_DIR    0x1u /* the path is (was) a directory */
#define FW_EV_ROOT   0x2u /* the path is one of the watched PATHs itself */
#define FW_EV_RESCAN 0x4u /* found by a rescan, not reported by the kernel */
#define FW_EV_REPLACED 0x8u /* a file PATH's name now holds another file */

struct fw_event {
	enum fw_kind kind;
	unsigned flags;
	const char *path;     /* NUL-terminated; "" for overflow */
	size_t path_len;
	const char *old_path; /* rename only, else NULL */
	size_t old_len;
	const char *root;     /* the watched PATH as given, or NULL */
	size_t rel;           /* offset of the part below root in path */
	int64_t sec;          /* wall-clock time the event was read */
	long usec;
	int64_t size;         /* a file PATH's size after the event, or -1 */
	/* A file PATH's event: the file it is about (after a rotation, the
	 * old file until its rename or delete, then the new one), held
	 * until the next fw_read(); NULL for other events. */
	struct fw_file *file;
};

struct fw_config {
	int recursive;            /* watch directories beneath directories */
	int follow;               /* follow symlinks to directories (-L) */
	int absolute;             /* report absolute paths */
	int snapshot;             /* keep every entry's inode, size and
				   * time, so an overflow's rescan can say
				   * which files changed (--snapshot) */
	unsigned events;          /* FW_BIT mask of kinds to report */
	int gone_exit;            /* a file PATH deleted or moved away is
				   * gone (else its name is waited for) */
	const struct filter *filter; /* include/exclude, may be NULL */
	int noise;                /* leave out the files of version control
				   * and editors' temporaries (noise.h):
				   * --exec's default */
	int tail;                 /* --tail: every PATH is a file PATH, held
				   * open for reading; one not there yet is
				   * waited for; a directory is an error */
	int gitignore;            /* FW_GITIGNORE_*: whether what git
				   * ignores is left out */
	int explain;              /* the watcher only answers fw_explain():
				   * a PATH is named, never watched */
	const char *backend;      /* --backend NAME; NULL: the default */
	int poll_ms;              /* --poll-interval; 0: the default */
	int hup_fd;               /* a descriptor whose reader going away
				   * ends a wait like fw_wake() (stdout as a
				   * pipe); 0: none (stdin is never it) */
	/* Called for problems that do not stop watching (an unreadable
	 * subdirectory, a watch limit hit by a new directory). */
	void (*warn)(void *ctx, const char *msg);
	/* Called for what a user should know but is not a problem (a PATH
	 * that is polled); NULL: not said. */
	void (*note)(void *ctx, const char *msg);
	void *ctx;
};

/* fw_config.gitignore */
enum {
	FW_GITIGNORE_OFF,
	FW_GITIGNORE_ON,   /* --gitignore: below every PATH; a PATH outside
			    * a git work tree is noted */
	FW_GITIGNORE_AUTO  /* below the PATHs inside a work tree (--exec's
			    * default) */
};

typedef struct fw_watcher fw_watcher;

/* NULL with errno set on failure; fw_open_error() then explains, with
 * the same configuration (ENOENT: cfg->backend is not built in). */
fw_watcher *fw_open(const struct fw_config *cfg);
const char *fw_open_error(const struct fw_config *cfg, int err, char *buf,
			  size_t n);

/* Watch PATH (recursively if configured).  -1 with errno on failure;
 * fw_error() then holds a message naming the path and what to do. */
int fw_add(fw_watcher *w, const char *path);

/*
 * Wait up to timeout_ms (-1: forever) for changes and return the next
 * batch: >0 events in *evs, 0 on timeout or fw_wake(), -1 with errno on
 * error.  The array and its strings live until the next call.
 */
int fw_read(fw_watcher *w, int timeout_ms, const struct fw_event **evs);

/* Leave out what FILE says, in gitignore syntax, of the paths below its
 * directory (--ignore-file); before fw_add().  -1 with errno; fw_error()
 * then names FILE. */
int fw_ignore_file(fw_watcher *w, const char *file);

/* Why an event on PATH (as the user wrote it) would not be reported by
 * a watcher with this configuration and these PATHs: 1 if it would not,
 * 0 if it would, -1 with errno (fw_error() says why: a PATH that is not
 * below any PATH given, out of memory).  *WHY gets a line like git
 * check-ignore -v's, "SOURCE:LINE:PATTERN" or "--exclude 'GLOB'" (with
 * 0, a '!' rule that kept it, or ""); it lives until the next call. */
int fw_explain(fw_watcher *w, const char *path, const char **why);

/* Make a blocked fw_read() return 0.  Async-signal-safe. */
void fw_wake(fw_watcher *w);

const char *fw_error(const fw_watcher *w);
/* Watches in use (directories and files); *files, if given, gets how
 * many of them are files. */
size_t fw_watch_count(const fw_watcher *w, size_t *files);
/* How many of them are directories watched whole, with everything below
 * them and no watch of their own for each (fanotify: no walk). */
size_t fw_whole_count(const fw_watcher *w);
size_t fw_roots_left(const fw_watcher *w);  /* watched PATHs still there */
void fw_close(fw_watcher *w);

/*
 * File PATHs and the files they are.  The I-th watched PATH (0-based, in
 * the order fw_add() took them; one given twice counts once): 1 for a
 * file PATH, with the path its events print in *PATH and the file at
 * its name now in *F (NULL when there is none); 0 for a directory PATH
 * or one that is gone; -1 past the last.
 */
int fw_path_file(fw_watcher *w, size_t i, const char **path,
		 struct fw_file **f);
/* Which PATH, counted as fw_path_file() counts them, F is a file of. */
size_t fw_file_pathno(const struct fw_file *f);
/* A reference of the caller's, so that F stays open after the next
 * fw_read() (and after fw_close()), until fw_file_drop(). */
void fw_file_keep(struct fw_file *f);
void fw_file_drop(struct fw_file *f);
/* F's size now, or -1 with errno. */
int64_t fw_file_size(struct fw_file *f);
/* Up to N bytes of F at OFF (held for reading: fw_config.tail): how
 * many were read, 0 at its end, -1 with errno (ENOENT: the file was
 * gone before it could be opened; EACCES: it could not be read). */
long long fw_file_read(struct fw_file *f, int64_t off, void *buf, size_t n);
/* 1 if A and B are the same file. */
int fw_file_same(const struct fw_file *a, const struct fw_file *b);

/* The backend W runs on. */
const char *fw_backend_name(const fw_watcher *w);
/* The I-th backend built in (0 is the default) and, in *about, a few
 * words on it; NULL past the last. */
const char *fw_backend_at(size_t i, const char **about);
/* 0 if backend NAME can start here, else -1 with errno. */
int fw_backend_try(const char *name);
const char *fw_kind_name(enum fw_kind k);
int fw_kind_parse(const char *name, size_t len); /* -1 if unknown */
/* FW_BIT mask of the kinds --event may name (all but ready). */
unsigned fw_kinds_selectable(void);
/* What --event NAME (LEN bytes) selects: a selectable kind or one of
 * inotifywait's names for it, in any case (CLOSE_WRITE, moved_to,
 * close); 0 if none. */
unsigned fw_kinds_named(const char *name, size_t len);
/* The I-th of inotifywait's names and, in *MASK, what it selects; NULL
 * past the last. */
const char *fw_kind_alias_at(size_t i, unsigned *mask);

#endif
