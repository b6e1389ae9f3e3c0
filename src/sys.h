/*
 * sys.h - the few operating-system services the portable code needs
 * besides watching: clocks, directory listing, signals.  sys_posix.c
 * implements them for Unix, sys_win.c for Windows.
 */
#ifndef FWATCH_SYS_H
#define FWATCH_SYS_H

#include <stddef.h>
#include <stdint.h>

/* A second directory separator the system accepts (Windows' '\\'), or 0.
 * The core turns it into '/' in the PATHs it is given, so every path it
 * prints uses '/'. */
#ifdef _WIN32
#define SYS_ALT_SEP '\\'
#else
#define SYS_ALT_SEP 0
#endif

int64_t sys_mono_ms(void);
void sys_now(int64_t *sec, long *usec);

enum sys_type { SYS_OTHER, SYS_FILE, SYS_DIRECTORY, SYS_LINK, SYS_GONE };

struct sys_dir;
/* NULL with errno on failure. */
struct sys_dir *sys_opendir(const char *path);
/* 1 with the next entry (never "." or ".."), 0 at the end, -1 on error.
 * The name lives until the next call. */
int sys_readdir(struct sys_dir *d, const char **name, enum sys_type *type);
void sys_closedir(struct sys_dir *d);
/* The type of PATH, following a final symlink if follow is set. */
enum sys_type sys_type_of(const char *path, int follow);

/* If PATH is on a filesystem whose changes are not reported (proc,
 * sysfs and the like; a network filesystem is polled instead: see
 * sys_fs_blind), a phrase saying so, e.g. "proc, a pseudo filesystem:
 * ..."; else NULL. */
const char *sys_fs_note(const char *path);

/* 1 if PATH is on a filesystem where a change made elsewhere (another
 * machine, the host of a VM or a container, the directory under a FUSE
 * mount) reaches no kernel notification: network filesystems, 9p,
 * virtiofs, every FUSE filesystem; *DEV then gets its device.  0 if not,
 * or if it cannot be told.  One statfs() and one stat(). */
int sys_fs_blind(const char *path, uint64_t *dev);
/* The type of the filesystem of PATH (on device DEV) as the mount table
 * names it ("nfs4", "9p", "fuse.sshfs"), into TYPE. */
void sys_fs_type(const char *path, uint64_t dev, char *type, size_t n);

/* 1 if a filesystem is mounted somewhere below directory PATH (a bind
 * mount too), 0 if not, -1 if it cannot be told (not Linux, no /proc).
 * It reads the whole mount table: once per PATH, not per directory. */
int sys_mounts_below(const char *path);

/* The size of the file at PATH (not following a final symlink), or -1. */
long long sys_size_of(const char *path);

/* Read the file at PATH (a final symlink followed) whole into BUF, of
 * CAP bytes; *LEN gets its length.  -1 with errno: EFBIG if it holds
 * more than CAP bytes (nothing is kept then), EISDIR for a directory,
 * EINVAL for what is not a regular file (a FIFO is never waited on). */
int sys_read_file(const char *path, char *buf, size_t cap, size_t *len);

/* What a snapshot keeps of an entry.  ino is 0 where the system has no
 * cheap file identity (Windows); mtime is in nanoseconds. */
struct sys_info {
	uint64_t ino;
	int64_t size, mtime;
	enum sys_type type;
	int64_t ctime;   /* status change, in nanoseconds; 0 if unknown */
	uint64_t dev;    /* the filesystem; 0 if unknown */
	unsigned nlink;  /* names left; 0 for a directory removed while
			  * held open (sys_pdir_self) */
};
/* Fill *I for PATH, not following a final symlink; -1 with errno. */
int sys_stat(const char *path, struct sys_info *i);
/* The same for entry NAME of D: cheapest (free on Windows) for the one
 * sys_readdir() just returned. */
int sys_dir_stat(struct sys_dir *d, const char *name, struct sys_info *i);

/*
 * A directory held open for polling (watch_poll.c).  Held by descriptor
 * (POSIX) or handle (Windows), it stays the same directory when renamed,
 * and its entries are looked at relative to it: no path is built per
 * entry.  Each costs an open descriptor.
 */
struct sys_pdir;
/* NULL with errno (ENOTDIR if PATH is not a directory; a final symlink
 * is followed only with FOLLOW). */
struct sys_pdir *sys_pdir_open(const char *path, int follow);
/* Directory NAME in PARENT, held open: -1 with errno (ENOSYS where a
 * held directory is never lost: Windows' handles follow renames). */
struct sys_pdir *sys_pdir_openat(struct sys_pdir *parent, const char *name);
void sys_pdir_close(struct sys_pdir *d);
/* What the directory itself is now; nlink 0 once it has been removed. */
int sys_pdir_self(struct sys_pdir *d, struct sys_info *i);
/* Call FN for each entry but . and .., with its name, inode and type;
 * with STAT also its size and times (one fstatat() each on POSIX).  An
 * entry gone between the listing and its look is left out.  FN returns
 * -1 to stop with its errno.  -1 with errno. */
int sys_pdir_list(struct sys_pdir *d, int stat,
		  int (*fn)(void *ctx, const char *name, size_t len,
			    const struct sys_info *i),
		  void *ctx);
/* Look at entry NAME: -1 with errno (ENOENT: it is gone). */
int sys_pdir_stat(struct sys_pdir *d, const char *name, struct sys_info *i);
/* 1 where a listing brings every entry's size and times at no cost per
 * entry (Windows), so a poller lists rather than looks entry by entry;
 * on POSIX a look is one fstatat() and a listing costs one more each. */
#ifdef _WIN32
#define SYS_PDIR_LIST_CHEAP 1
#else
#define SYS_PDIR_LIST_CHEAP 0
#endif

/*
 * A file held open (core/held.c): it stays the same file when it is
 * renamed, deleted or replaced under its name, so what is said of it is
 * said of the file the records were about, not of whatever has its name
 * by the time they are read.  Each costs an open descriptor (handle).
 * Hazards: a held file keeps its filesystem from being unmounted (POSIX:
 * EBUSY) and a deleted one from giving back its space until it is
 * closed; on Windows, where the handle shares reading, writing and
 * deleting, a file deleted while held may keep its name "delete pending"
 * until it is closed, unless the deleter asked for POSIX semantics.
 */
struct sys_file;
/* Hold the regular file at PATH, not following a final symlink: for
 * reading with READ, else only to look at (Linux: O_PATH, which needs no
 * read permission).  NULL with errno: ENOENT, nothing there; EINVAL, not
 * a regular file (a FIFO or a device is never opened). */
struct sys_file *sys_file_open(const char *path, int read);
void sys_file_close(struct sys_file *f);
/* What the file is now (one fstat); nlink 0 once it has been deleted. */
int sys_file_info(struct sys_file *f, struct sys_info *i);
/* Up to N bytes at OFF into BUF (opened with READ): how many were read,
 * 0 at its end, -1 with errno. */
long long sys_file_read(struct sys_file *f, int64_t off, void *buf,
			size_t n);
/* 1 if PATH names F now, 0 if it names another file or nothing, -1 with
 * errno. */
int sys_file_is(struct sys_file *f, const char *path);
/* 1 if A and B are the same file (dev and ino; Windows: volume and file
 * id), 0 if not or if that cannot be told. */
int sys_file_same(struct sys_file *a, struct sys_file *b);

/* A sleep that a wake can end early, from a signal handler or another
 * thread: the polling backend's wait. */
struct sys_waiter;
/* HUP_FD, if not 0: a descriptor whose reader going away ends a wait
 * too (be_env.hup_fd; ignored on Windows). */
struct sys_waiter *sys_waiter_new(int hup_fd);
void sys_waiter_free(struct sys_waiter *w);
/* 1 if woken, 0 after MS milliseconds (-1: no limit), -1 with errno. */
int sys_waiter_wait(struct sys_waiter *w, int ms);
void sys_waiter_wake(struct sys_waiter *w); /* async-signal-safe */

/* A malloc'd absolute form of PATH (not resolving symlinks), or NULL. */
char *sys_abspath(const char *path);
/* A malloc'd canonical form of PATH, which must exist: absolute, every
 * symlink, "." and ".." resolved, separators '/'; two names of one file
 * give the same string.  NULL with errno. */
char *sys_realpath(const char *path);
/* What descriptor FD (0, 1 or 2: stdin, stdout, stderr) is open on, into
 * *I: a regular file is SYS_FILE, a pipe, terminal or device SYS_OTHER.
 * -1 with errno. */
int sys_fd_info(int fd, struct sys_info *i);
/* A malloc'd canonical path (as sys_realpath() gives it) of the regular
 * file open on FD, checked to name that file now.  NULL with errno:
 * ENOSYS where the system cannot say (then look for its sys_fd_info()
 * among the files), ENOENT when no name leads to it. */
char *sys_fd_path(int fd);
/* A malloc'd path of what the symlink PATH leads to, following links
 * to links, written as the links say (relative stays relative), or NULL
 * with errno (ENOSYS where the system cannot say). */
char *sys_link_target(const char *path);

void sys_sleep_ms(int ms);
/* Give freed memory back to the system, where the allocator can. */
void sys_trim(void);

/* 1 if a write to stdout failed with ERR because its reader went away
 * (EPIPE; Windows' C runtime says EINVAL for a pipe with no reader). */
int sys_reader_gone(int err);
/* 1 if nothing reads FD (a pipe or socket) any more: a write would fail
 * with EPIPE.  Looked at without writing (poll, no wait); 0 where that
 * cannot be told (Windows, a terminal, a file). */
int sys_out_gone(int fd);
/* FD if it is a pipe or a socket, whose reader going away can be seen
 * while waiting (be_env.hup_fd); else 0 (Windows: always 0). */
int sys_out_watchable(int fd);

/* Whether --shell has a POSIX sh to run (not on Windows, where cmd.exe
 * would expand %VAR% inside file names). */
#ifdef _WIN32
#define SYS_HAS_SH 0
#else
#define SYS_HAS_SH 1
#endif

/* Route SIGINT, SIGTERM and SIGHUP to fn (which must be async-signal-
 * safe), ignore SIGPIPE so write errors come back as EPIPE. */
void sys_signals(void (*fn)(int sig));
/* Call fn (async-signal-safe) when a child process ends. */
void sys_on_child(void (*fn)(int sig));

#endif
