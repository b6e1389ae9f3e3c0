/*
 * sys_posix.c - sys.h for POSIX.1-2008 systems.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* d_type */
#ifdef __linux__
#define _GNU_SOURCE /* O_PATH */
#endif
#ifdef __APPLE__
#define _DARWIN_C_SOURCE 1 /* st_mtimespec */
#define ST_MTIM st_mtimespec
#define ST_CTIM st_ctimespec
#else
#define ST_MTIM st_mtim
#define ST_CTIM st_ctim
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sys.h"
#include "wakepipe.h"

#ifdef __linux__
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || \
	defined(__DragonFly__)
#include <sys/param.h>
#include <sys/mount.h>
#define HAVE_FSTYPENAME 1
#endif

#ifdef __GLIBC__
#include <malloc.h>
#endif

#if defined(__FreeBSD__)
#include <sys/user.h> /* struct kinfo_file, for F_KINFO */
#endif

int64_t
sys_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sys_now(int64_t *sec, long *usec)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	*sec = ts.tv_sec;
	*usec = ts.tv_nsec / 1000;
}

struct sys_dir {
	DIR *d;
};

struct sys_dir *
sys_opendir(const char *path)
{
	struct sys_dir *sd;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	sd = malloc(sizeof *sd);
	if (!sd || !(sd->d = fdopendir(fd))) {
		int e = errno;
		free(sd);
		close(fd);
		errno = e;
		return NULL;
	}
	return sd;
}

static enum sys_type
from_mode(mode_t m)
{
	if (S_ISDIR(m))
		return SYS_DIRECTORY;
	if (S_ISLNK(m))
		return SYS_LINK;
	if (S_ISREG(m))
		return SYS_FILE;
	return SYS_OTHER;
}

int
sys_readdir(struct sys_dir *sd, const char **name, enum sys_type *type)
{
	struct dirent *e;
	for (;;) {
		errno = 0;
		e = readdir(sd->d);
		if (!e)
			return errno ? -1 : 0;
		if (e->d_name[0] == '.' &&
		    (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		break;
	}
	*name = e->d_name;
	switch (e->d_type) {
	case DT_DIR: *type = SYS_DIRECTORY; break;
	case DT_LNK: *type = SYS_LINK; break;
	case DT_REG: *type = SYS_FILE; break;
	case DT_UNKNOWN: {
		/* Some filesystems do not fill d_type: ask, once. */
		struct stat st;
		if (fstatat(dirfd(sd->d), e->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) < 0)
			*type = SYS_GONE;
		else
			*type = from_mode(st.st_mode);
		break;
	}
	default: *type = SYS_OTHER; break;
	}
	return 1;
}

void
sys_closedir(struct sys_dir *sd)
{
	if (sd) {
		closedir(sd->d);
		free(sd);
	}
}

enum sys_type
sys_type_of(const char *path, int follow)
{
	struct stat st;
	if ((follow ? stat(path, &st) : lstat(path, &st)) < 0)
		return SYS_GONE;
	return from_mode(st.st_mode);
}

char *
sys_link_target(const char *path)
{
	char *cur = strdup(path);
	for (int hops = 0; cur && hops < 40; hops++) {
		struct stat st;
		char *t, *next, *slash;
		ssize_t n;
		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
			return cur;
		t = malloc(PATH_MAX);
		if (!t || (n = readlink(cur, t, PATH_MAX - 1)) < 0) {
			free(t);
			free(cur);
			return NULL;
		}
		t[n] = '\0';
		slash = strrchr(cur, '/');
		if (t[0] == '/' || !slash) {
			next = t;
		} else {
			/* relative to the link's own directory */
			size_t dl = (size_t)(slash - cur) + 1;
			next = malloc(dl + (size_t)n + 1);
			if (next) {
				memcpy(next, cur, dl);
				memcpy(next + dl, t, (size_t)n + 1);
			}
			free(t);
		}
		free(cur);
		cur = next;
	}
	if (cur) {
		free(cur);
		errno = ELOOP;
	}
	return NULL;
}

char *
sys_abspath(const char *path)
{
	size_t cap = 256, pl = strlen(path);
	char *cwd, *out;
	if (path[0] == '/')
		return strdup(path);
	for (;;) {
		if (!(cwd = malloc(cap)))
			return NULL;
		if (getcwd(cwd, cap))
			break;
		free(cwd);
		if (errno != ERANGE)
			return NULL;
		cap *= 2;
	}
	/* "." and "./x" read better without the dot */
	while (path[0] == '.' && (path[1] == '/' || !path[1])) {
		path += path[1] ? 2 : 1;
		while (path[0] == '/')
			path++;
	}
	pl = strlen(path);
	size_t cl = strlen(cwd);
	out = malloc(cl + pl + 2);
	if (out) {
		memcpy(out, cwd, cl);
		if (pl) {
			if (cl > 1)
				out[cl++] = '/';
			memcpy(out + cl, path, pl);
		}
		out[cl + pl] = '\0';
	}
	free(cwd);
	return out;
}

void
sys_trim(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

void
sys_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* No SA_RESTART: a blocked poll() or write() returns EINTR. */
static void
handle(int sig, void (*fn)(int sig), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

void
sys_on_child(void (*fn)(int sig))
{
	/* stops too: Ctrl-Z of a command in the terminal's foreground
	 * must reach fwatch (proc_reap) */
	handle(SIGCHLD, fn, 0);
}

void
sys_signals(void (*fn)(int sig))
{
	handle(SIGINT, fn, 0);
	handle(SIGTERM, fn, 0);
	handle(SIGHUP, fn, 0);
	handle(SIGPIPE, SIG_IGN, 0);
}

int
sys_reader_gone(int err)
{
	return err == EPIPE;
}

int
sys_out_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = 0 };
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLERR | POLLHUP));
}

/* Only pipes and sockets: a terminal's POLLHUP comes with SIGHUP
 * anyway, and a file never says anything. */
int
sys_out_watchable(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return 0;
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ? fd : 0;
}

long long
sys_size_of(const char *path)
{
	struct stat st;
	return lstat(path, &st) < 0 ? -1 : (long long)st.st_size;
}

/* Opened without blocking: a FIFO named like a file we read must not
 * stop the watcher until someone writes to it. */
int
sys_read_file(const char *path, char *buf, size_t cap, size_t *len)
{
	struct stat st;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), e;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	/* it may grow while read: the size said is only a first guess */
	for (;;) {
		char extra;
		ssize_t n = got < cap ? read(fd, buf + got, cap - got)
				      : read(fd, &extra, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (!n)
			break;
		if (got == cap) {
			errno = EFBIG;
			goto fail;
		}
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return 0;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

static void
info_of(const struct stat *st, struct sys_info *i)
{
	i->ino = (uint64_t)st->st_ino;
	i->size = (int64_t)st->st_size;
	i->mtime = (int64_t)st->ST_MTIM.tv_sec * 1000000000 +
		   st->ST_MTIM.tv_nsec;
	i->ctime = (int64_t)st->ST_CTIM.tv_sec * 1000000000 +
		   st->ST_CTIM.tv_nsec;
	i->type = from_mode(st->st_mode);
	i->dev = (uint64_t)st->st_dev;
	i->nlink = (unsigned)st->st_nlink;
}

int
sys_stat(const char *path, struct sys_info *i)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return -1;
	info_of(&st, i);
	return 0;
}

/* relative to the open directory: no walk down the whole path again */
int
sys_dir_stat(struct sys_dir *d, const char *name, struct sys_info *i)
{
	struct stat st;
	if (fstatat(dirfd(d->d), name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	info_of(&st, i);
	return 0;
}

char *
sys_realpath(const char *path)
{
	return realpath(path, NULL);
}

int
sys_fd_info(int fd, struct sys_info *i)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -1;
	info_of(&st, i);
	return 0;
}

/* The name the kernel keeps for what FD is open on, as it says it: it
 * may be stale (the file renamed over, or deleted: Linux then adds
 * " (deleted)"), so sys_fd_path() checks it. */
static char *
fd_name(int fd)
{
#if defined(F_GETPATH) /* macOS, NetBSD */
	char buf[PATH_MAX];
	if (fcntl(fd, F_GETPATH, buf) < 0)
		return NULL;
	return strdup(buf);
#elif defined(__FreeBSD__) && defined(F_KINFO) /* FreeBSD 13.1 */
	struct kinfo_file kf;
	kf.kf_structsize = sizeof kf;
	if (fcntl(fd, F_KINFO, &kf) < 0)
		return NULL;
	return strdup(kf.kf_path);
#elif defined(__linux__)
	char link[32], *buf = malloc(PATH_MAX);
	ssize_t n;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if (!buf || (n = readlink(link, buf, PATH_MAX - 1)) < 0) {
		free(buf);
		if (errno == ENOENT) /* no /proc mounted */
			errno = ENOSYS;
		return NULL;
	}
	buf[n] = '\0';
	return buf;
#else
	(void)fd;
	errno = ENOSYS;
	return NULL;
#endif
}

char *
sys_fd_path(int fd)
{
	struct stat a, b;
	char *name, *real;
	if (fstat(fd, &a) < 0 || !(name = fd_name(fd)))
		return NULL;
	real = name[0] == '/' ? realpath(name, NULL) : NULL;
	free(name);
	if (real && stat(real, &b) == 0 && b.st_dev == a.st_dev &&
	    b.st_ino == a.st_ino)
		return real;
	free(real);
	errno = ENOENT;
	return NULL;
}

struct sys_waiter {
	struct wakepipe p; /* wake writes, wait polls the read end */
	int hup_fd;        /* see sys_waiter_new(); -1: none */
};

struct sys_waiter *
sys_waiter_new(int hup_fd)
{
	struct sys_waiter *w = malloc(sizeof *w);
	if (!w)
		return NULL;
	w->hup_fd = hup_fd > 0 ? hup_fd : -1;
	if (wakepipe_open(&w->p) < 0) {
		int e = errno;
		free(w);
		errno = e;
		return NULL;
	}
	return w;
}

void
sys_waiter_free(struct sys_waiter *w)
{
	if (w) {
		wakepipe_close(&w->p);
		free(w);
	}
}

int
sys_waiter_wait(struct sys_waiter *w, int ms)
{
	struct pollfd p[2] = {
		{ .fd = w->p.fd[0], .events = POLLIN },
		{ .fd = w->hup_fd, .events = 0 }, /* POLLERR/POLLHUP only */
	};
	int r = poll(p, 2, ms);
	if (r < 0)
		return errno == EINTR ? 1 : -1; /* a signal is a wake */
	if (r == 0)
		return 0;
	if (p[0].revents)
		wakepipe_drain(&w->p);
	return 1;
}

void
sys_waiter_wake(struct sys_waiter *w)
{
	wakepipe_wake(&w->p);
}

struct sys_pdir {
	int fd;
};

struct sys_pdir *
sys_pdir_open(const char *path, int follow)
{
	struct sys_pdir *d = malloc(sizeof *d);
	if (!d)
		return NULL;
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
				   (follow ? 0 : O_NOFOLLOW));
	if (d->fd < 0) {
		int e = errno == ELOOP ? ENOTDIR : errno;
		free(d);
		errno = e;
		return NULL;
	}
	return d;
}

struct sys_pdir *
sys_pdir_openat(struct sys_pdir *parent, const char *name)
{
	struct sys_pdir *d = malloc(sizeof *d);
	if (!d)
		return NULL;
	d->fd = openat(parent->fd, name,
		       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (d->fd < 0) {
		int e = errno == ELOOP ? ENOTDIR : errno;
		free(d);
		errno = e;
		return NULL;
	}
	return d;
}

void
sys_pdir_close(struct sys_pdir *d)
{
	if (d) {
		close(d->fd);
		free(d);
	}
}

int
sys_pdir_self(struct sys_pdir *d, struct sys_info *i)
{
	struct stat st;
	if (fstat(d->fd, &st) < 0)
		return -1;
	info_of(&st, i);
	return 0;
}

int
sys_pdir_stat(struct sys_pdir *d, const char *name, struct sys_info *i)
{
	struct stat st;
	if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	info_of(&st, i);
	return 0;
}

/* What d_type says, or SYS_GONE where it says nothing. */
static enum sys_type
from_dtype(unsigned char t)
{
	switch (t) {
	case DT_DIR: return SYS_DIRECTORY;
	case DT_LNK: return SYS_LINK;
	case DT_REG: return SYS_FILE;
	case DT_UNKNOWN: return SYS_GONE;
	default: return SYS_OTHER;
	}
}

/*
 * Hazard: the listing reads a descriptor of its own, opened from the held
 * one, so the held descriptor's offset is never shared; it costs an
 * openat() and a close() per listing, and a listing is made only for a
 * directory that changed.
 */
int
sys_pdir_list(struct sys_pdir *d, int stat,
	      int (*fn)(void *ctx, const char *name, size_t len,
			const struct sys_info *i),
	      void *ctx)
{
	int fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dp;
	struct dirent *e;
	int r = 0;
	if (fd < 0)
		return -1;
	if (!(dp = fdopendir(fd))) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	for (;;) {
		struct sys_info i = { 0 };
		struct stat st;
		errno = 0;
		if (!(e = readdir(dp))) {
			r = errno ? -1 : 0;
			break;
		}
		if (e->d_name[0] == '.' &&
		    (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		i.ino = (uint64_t)e->d_ino;
		i.type = from_dtype(e->d_type);
		if (stat || i.type == SYS_GONE) {
			if (fstatat(d->fd, e->d_name, &st,
				    AT_SYMLINK_NOFOLLOW) < 0) {
				if (errno == ENOENT)
					continue; /* gone already */
				r = -1;
				break;
			}
			info_of(&st, &i);
		}
		if (fn(ctx, e->d_name, strlen(e->d_name), &i) < 0) {
			r = -1;
			break;
		}
	}
	int err = errno;
	closedir(dp);
	errno = err;
	return r;
}

/* ---- held files ---------------------------------------------------------- */

struct sys_file {
	int fd;
	uint64_t dev, ino; /* who it is, for sys_file_is and _same */
};

/* Out of descriptors: raise the soft limit to the hard one, once a run
 * (held files are one descriptor each); 1 if it was raised. */
static int
more_files(void)
{
	static int tried;
	struct rlimit rl;
	if (tried || getrlimit(RLIMIT_NOFILE, &rl) < 0 ||
	    rl.rlim_cur >= rl.rlim_max)
		return 0;
	tried = 1;
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

/*
 * The type is looked at before the open, so that a FIFO (which would
 * block a reader) or a device (where an open can do something) is never
 * opened; what is opened is looked at again through the descriptor, for
 * a name that changed in between.
 */
struct sys_file *
sys_file_open(const char *path, int read)
{
	struct sys_file *f;
	struct stat st;
	int flags = O_NOFOLLOW | O_CLOEXEC | O_RDONLY | O_NONBLOCK, fd, e;
#ifdef O_PATH
	if (!read) /* enough for fstat; no read permission needed */
		flags = O_NOFOLLOW | O_CLOEXEC | O_PATH;
#else
	(void)read;
#endif
	if (lstat(path, &st) < 0)
		return NULL;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return NULL;
	}
	fd = open(path, flags);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE) && more_files())
		fd = open(path, flags);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !(f = malloc(sizeof *f))) {
		e = S_ISREG(st.st_mode) ? errno : EINVAL;
		close(fd);
		errno = e;
		return NULL;
	}
	f->fd = fd;
	f->dev = (uint64_t)st.st_dev;
	f->ino = (uint64_t)st.st_ino;
	return f;
}

void
sys_file_close(struct sys_file *f)
{
	if (f) {
		close(f->fd);
		free(f);
	}
}

int
sys_file_info(struct sys_file *f, struct sys_info *i)
{
	struct stat st;
	if (fstat(f->fd, &st) < 0)
		return -1;
	info_of(&st, i);
	return 0;
}

long long
sys_file_read(struct sys_file *f, int64_t off, void *buf, size_t n)
{
	ssize_t r;
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	do
		r = pread(f->fd, buf, n, (off_t)off);
	while (r < 0 && errno == EINTR);
	return r;
}

int
sys_file_is(struct sys_file *f, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	return (uint64_t)st.st_dev == f->dev && (uint64_t)st.st_ino == f->ino;
}

int
sys_file_same(struct sys_file *a, struct sys_file *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}
