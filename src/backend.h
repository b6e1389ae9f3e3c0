/*
 * backend.h - the contract between the portable core (src/core/, watch.c)
 * and one kernel interface: inotify (watch_linux.c), fanotify
 * (watch_fanotify.c), kqueue (watch_bsd.c), FSEvents (watch_fsevents.c,
 * which keeps a kqueue backend of its own for the directories watched
 * without BE_WANT_SUBTREE: file PATHs' directories, PATHs without -r),
 * ReadDirectoryChangesW (watch_win.c), or none (the poller,
 * watch_poll.c).
 *
 * A backend is a table of operations (struct be_ops) over a private state,
 * struct backend, that each backend file defines for itself and that is
 * never complete anywhere else (as redis' ae_epoll.c and ae_kqueue.c each
 * define their aeApiState).  One binary may carry several backends;
 * backends.c lists them and the core picks one per watcher at run time
 * (--backend NAME, else the first listed).
 *
 * A backend only translates.  It watches single directories (or whole
 * subtrees, if it says so) and turns what the kernel says into fw_raw
 * records.  Recursion, rename pairing, filters, file PATHs, rescans and
 * output are the core's business, and nothing here is ever seen by
 * main.c.
 *
 * What crosses the contract, in order:
 *
 *   open      once, before anything else, with what the core lends
 *             (struct be_env).  On failure -1 with errno;
 *             limit_hint(NULL, errno, ...) may then explain it (it is
 *             called with no state for exactly this case).
 *   watch     any number of times: a path, and what is wanted of it.
 *             Returns an id >= 0, the SAME id again for an object that is
 *             already watched (the core relies on this to skip symlink
 *             loops, duplicates, and to notice a directory that moved),
 *             or -1 with errno.  errno dialect: ENOENT, the path is not
 *             there (or a component moved away meanwhile); ENOTDIR under
 *             BE_ONLYDIR when it is not a directory (a symlink not to be
 *             followed counts as not a directory); ENOSPC, a limit on
 *             watches (limit_hint explains it); EMFILE, out of
 *             descriptors; EACCES and the rest as the kernel says.
 *   wait      blocks up to timeout_ms (-1: forever) for records.
 *   read      takes what is queued without blocking.
 *   wake      from any thread or a signal handler: ends a wait.
 *   unwatch   stops an id; the id must not come back in later records
 *             except in records already queued (the core ignores those).
 *   close     once; frees everything, also when open's caller failed
 *             half way (close(NULL) is a no-op).
 *
 * What a backend must promise about records:
 *   - Records of one watch are in the order the kernel saw the changes.
 *   - A record names an entry of the watched directory ("name"), or the
 *     watched object itself (name "", name_len 0).  With BE_CAP_SUBTREE
 *     and BE_WANT_SUBTREE, an entry further down is named by its path
 *     below the watched directory, components joined by '/'.
 *   - News about a watched directory itself (attrib, open, close...)
 *     comes on its own id, and as an entry of its parent too if that is
 *     watched (inotify): the core reports the parent's.  With
 *     BE_CAP_SELF_NEWS it comes on its own id only (fanotify).
 *   - A rename inside what is watched is BE_MOVED_FROM then BE_MOVED_TO
 *     with the same non-zero cookie.  With BE_CAP_RENAME_PAIRED both
 *     halves are in one read, back to back.  Without it (inotify: the
 *     kernel queues both inside one rename(), but a read can end between
 *     them) the core looks a few records into the next read and waits a
 *     few milliseconds for a lone half before calling it a move out of
 *     (or into) the tree.
 *   - An id that is gone (the object deleted, or unwatched by the kernel)
 *     gets a last record with BE_IGNORED if the backend declares
 *     BE_CAP_SELF_RECORDS; without it the core drops a deleted
 *     directory's watch itself, on its parent's delete record.
 *   - BE_ISDIR is set on every record about a directory entry when the
 *     backend declares BE_CAP_ISDIR; without it (Windows cannot tell for
 *     a name that is gone) the core asks its own tree.
 *   - Lost records: one record with BE_OVERFLOW.  With id -1, about
 *     anything: after the read the core rescans everything.  With the id
 *     of a watched directory, about that directory and everything below
 *     it only: name "" for the directory itself, else (BE_CAP_SUBTREE)
 *     the path of a directory below it, components joined by '/' as
 *     entries are named; the core rescans that subtree only, from the
 *     deepest directory of the path it watches (everything if the id is
 *     one it no longer knows).  Several in one read: each subtree once,
 *     one inside another with it, all of them inside a -1.  Nothing
 *     else is owed either way.
 *
 * What a backend may assume: calls come from one thread (but wake);
 * records handed out by read are not used after the next read or close;
 * the core never unwatches an id it did not get from watch.
 */
#ifndef FWATCH_BACKEND_H
#define FWATCH_BACKEND_H

#include <stddef.h>
#include <stdint.h>

/* fw_raw.flags: the kernel's news, in portable bits */
#define BE_CREATE      0x0001u
#define BE_DELETE      0x0002u
#define BE_MODIFY      0x0004u
#define BE_ATTRIB      0x0008u
#define BE_CLOSE_WRITE 0x0010u
#define BE_CLOSE_NOWR  0x0020u
#define BE_OPEN        0x0040u
#define BE_ACCESS      0x0080u
#define BE_MOVED_FROM  0x0100u
#define BE_MOVED_TO    0x0200u
#define BE_SELF_DELETE 0x0400u /* the watched object itself is gone */
#define BE_SELF_MOVE   0x0800u
#define BE_UNMOUNT     0x1000u
#define BE_IGNORED     0x2000u /* the watch was removed; id is now free */
#define BE_OVERFLOW    0x4000u /* events were lost: id -1 (all), or the
				* directory whose subtree lost them */
#define BE_ISDIR       0x8000u

struct fw_raw {
	int id;          /* the watch the record is about */
	unsigned flags;
	uint32_t cookie; /* pairs MOVED_FROM with MOVED_TO; 0 if none */
	const char *name; /* entry name inside a watched directory, or "" */
	size_t name_len;
};

/* watch()'s WANT */
#define BE_WANT_CONTENT 0x1u /* modify */
#define BE_WANT_ATTRIB  0x2u
#define BE_WANT_CLOSE_W 0x4u
#define BE_WANT_CLOSE_N 0x8u
#define BE_WANT_OPEN    0x10u
#define BE_WANT_ACCESS  0x20u
#define BE_FOLLOW       0x100u /* follow PATH if it is a symlink */
#define BE_ONLYDIR      0x200u /* fail with ENOTDIR unless a directory */
/* The core will watch every directory below this one too: a backend that
 * can watch a whole subtree at once (BE_CAP_SUBTREE) may, and then name
 * entries in subdirectories by their path below it. */
#define BE_WANT_SUBTREE 0x400u
/* The core found this directory on a filesystem the kernel's
 * notifications cannot see (or the user asked for polling): mux.c gives
 * it to the poller.  Other backends ignore it. */
#define BE_WANT_POLL    0x800u

/* be_ops.caps: what differs between backends, declared, never guessed */
#define BE_CAP_SUBTREE       0x1u /* honours BE_WANT_SUBTREE */
#define BE_CAP_ISDIR         0x2u /* BE_ISDIR is always right */
#define BE_CAP_SELF_RECORDS  0x4u /* a watched object that goes says so
				   * on its own id (BE_SELF_*, BE_IGNORED) */
#define BE_CAP_RENAME_PAIRED 0x8u /* both halves of a rename in one read */
#define BE_CAP_BIRTH_WRITES  0x10u /* a write to a new file is reported
				    * even when it came before the file's
				    * create was read (the directory's
				    * watch covers it); without it the core
				    * looks at a new file's size itself */
#define BE_CAP_SELF_NEWS     0x20u /* news about a watched directory
				    * itself (attrib, open, close...) comes
				    * only on its own id, never on its
				    * parent's as an entry: the core
				    * reports it at the directory's path */
/* With BE_WANT_SUBTREE, everything below the directory is seen from the
 * moment watch() returns, and every record about it, a subdirectory's
 * own news included, comes on the subtree's id, named by its path below
 * it: the core need not walk the tree or watch what is below (it then
 * keeps no node for it).  Without BE_WANT_SUBTREE such a backend watches
 * one directory, as any other.  The core asks for BE_WANT_SUBTREE only
 * where it will not walk (fanotify: a filesystem mark already sees
 * everything; see core/treeless.c).  watch() may refuse it with
 * EOPNOTSUPP (fanotify without CAP_DAC_READ_SEARCH, which finding where
 * a directory is needs): the core then walks. */
#define BE_CAP_NO_WALK       0x40u

/* wait()'s answer when wake() ended it */
#define BE_WOKEN 2

struct backend; /* private to each backend file */

/* What the core lends a backend at open (NULL: a harness, or a trial
 * open; then every file is wanted). */
struct be_env {
	/*
	 * Would anything about the file (not a directory) NAME in watch ID
	 * be reported?  0: the backend need spend nothing on it (kqueue: no
	 * descriptor); the directory's records about the name (create,
	 * delete, rename) are still owed.
	 * Hazard: it is called from inside watch() (for the directory being
	 * watched, before its id is returned) and read().  Its answer can
	 * change (a second file PATH in one directory): the core then calls
	 * watch() on the directory again, and the backend must ask again.
	 */
	int (*file_wanted)(void *ctx, int id, const char *name, size_t len);
	void *ctx;
	int poll_ms; /* a poller's interval (--poll-interval) */
	/* A descriptor to watch beside the backend's own in wait(): when
	 * its reader goes away (a pipe's POLLERR, a socket's POLLHUP),
	 * wait() returns BE_WOKEN, as after wake(), and keeps doing so;
	 * the caller asks sys_out_gone().  0: none. */
	int hup_fd;
};

struct be_ops {
	const char *name;  /* what --backend takes and the ready line says */
	const char *about; /* a few words for --version */
	unsigned caps;
	int (*open)(struct backend **out, const struct be_env *env);
	void (*close)(struct backend *b);
	int (*watch)(struct backend *b, const char *path, unsigned want);
	int (*unwatch)(struct backend *b, int id);
	/* 1 when records can be read, 0 on timeout, BE_WOKEN after wake(),
	 * -1 on error. */
	int (*wait)(struct backend *b, int timeout_ms);
	void (*wake)(struct backend *b); /* async-signal-safe */
	/* Returns the number of records (0 if none), -1 on error.
	 * *drained says the kernel queue was emptied. */
	int (*read)(struct backend *b, const struct fw_raw **recs,
		    int *drained);
	/* Milliseconds until the backend next looks by itself (a poller's
	 * next scan; 0: due now), -1 if never.  NULL for a kernel backend,
	 * which never needs to be asked. */
	int (*next_due)(struct backend *b);
	/* A sentence about a limit behind ERR (ENOSPC, EMFILE...) and what
	 * to do, written into BUF, or NULL.  B is NULL when open failed.
	 * NEEDED, if not 0, is how many watches the tree needs. */
	const char *(*limit_hint)(struct backend *b, int err, size_t needed,
				  char *buf, size_t n);
};

extern const struct be_ops be_inotify; /* watch_linux.c */
extern const struct be_ops be_fanotify; /* watch_fanotify.c */
extern const struct be_ops be_kqueue;  /* watch_bsd.c */
extern const struct be_ops be_fsevents; /* watch_fsevents.c */
extern const struct be_ops be_rdcw;    /* watch_win.c */
extern const struct be_ops be_poll;    /* watch_poll.c, everywhere */

/* backends.c: the backends built into this binary, the default first,
 * NULL-terminated. */
extern const struct be_ops *const be_builtin[];
/* backends.c: with no backend chosen, the default's stand-in for a
 * recursive tree of more than be_large_dirs directories, or one the
 * default has too few watches left for, if it can start; NULL: none. */
extern const struct be_ops *const be_large;
extern const size_t be_large_dirs;

#endif
