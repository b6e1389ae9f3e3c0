/*
 * minstat - the smallest polling scan, used by bench/bench.py as the floor
 * that a polling watcher (fwatch --poll, fswatch -m poll_monitor) is
 * measured against.
 *
 *   minstat INTERVAL_MS DIR
 *
 * At start the tree under DIR is walked once to learn its directories
 * (openat + fdopendir + readdir, d_type deciding what is a directory,
 * fstatat only for DT_UNKNOWN; symbolic links are not followed), in
 * depth-first pre-order.  Then a scan starts every INTERVAL_MS
 * milliseconds (fixed rate, on CLOCK_MONOTONIC; a scan that overruns
 * delays the next one, missed ticks are not made up), the first one at
 * once.  A scan does, and does only:
 *
 *   - one fstatat(AT_FDCWD, DIR, AT_SYMLINK_NOFOLLOW) for the root itself
 *     and one open() of it;
 *   - for every other directory, one openat() relative to the descriptor
 *     of its parent, which is open at that moment anyway: the list is in
 *     pre-order and a directory's descriptor is closed only when the scan
 *     leaves its subtree, so at most depth + 1 descriptors are open;
 *   - for every directory, getdents64 into one static 32 KiB buffer until
 *     it returns 0 (a directory that fits in the buffer costs two calls,
 *     the second one empty, as readdir(3) does: nothing in Linux promises
 *     that a short read is the end);
 *   - one fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW) per entry but . and ..;
 *   - one close() per directory.
 *
 * It keeps nothing per entry, compares nothing, prints nothing and
 * allocates nothing during a scan: what is left is the system calls every
 * poller must make plus a loop around them.  Directories created after the
 * start are not learned (their entries are still stat'ed in their parent);
 * one that disappears is skipped with its subtree.
 *
 * It counts scans and entries stat'ed (the root included, so a static tree
 * of F files and D directories, the root included, gives F + D per scan).
 * SIGUSR1 prints "scans N entries M" on stderr and it goes on; SIGTERM or
 * SIGINT print the same line and end it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The record getdents64 fills in, as the kernel lays it out. */
struct ldirent {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* The directories, in pre-order: depth (the root is 0) and the offset of
 * the name (relative to the parent; the root's is the path given) in one
 * arena. */
struct dir {
	unsigned depth;
	size_t name;
};

static struct dir *dirs;
static size_t ndirs, dirs_cap;
static char *names;
static size_t names_len, names_cap;
static unsigned max_depth;

/* Read by the signal handler: a single aligned 64-bit load on the
 * machines this runs on. */
static volatile unsigned long long nscans, nentries;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		die("realloc");
	return p;
}

static void add_dir(unsigned depth, const char *name)
{
	size_t len = strlen(name);
	if (ndirs == dirs_cap) {
		dirs_cap = dirs_cap ? 2 * dirs_cap : 1024;
		dirs = xrealloc(dirs, dirs_cap * sizeof *dirs);
	}
	if (names_len + len + 1 > names_cap) {
		size_t ncap = names_cap ? names_cap : 65536;
		while (ncap < names_len + len + 1)
			ncap *= 2;
		names = xrealloc(names, ncap);
		names_cap = ncap;
	}
	memcpy(names + names_len, name, len + 1);
	dirs[ndirs].depth = depth;
	dirs[ndirs].name = names_len;
	ndirs++;
	names_len += len + 1;
	if (depth > max_depth)
		max_depth = depth;
}

/* The learning walk, once at start: dfd is the directory just added at
 * this depth.  Allocation is allowed here. */
static void learn(int dfd, unsigned depth)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])))
			continue;
		int isdir = e->d_type == DT_DIR;
		if (e->d_type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) == 0)
				isdir = S_ISDIR(st.st_mode);
		}
		if (!isdir)
			continue;
		int cfd = openat(dirfd(d), n,
				 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			continue;
		add_dir(depth + 1, n);
		learn(cfd, depth + 1);
	}
	closedir(d);
}

static char dbuf[32768]
	__attribute__((aligned(__alignof__(struct ldirent))));

/* fstatat every entry of the directory open as fd; returns how many. */
static unsigned long long stat_entries(int fd)
{
	unsigned long long n = 0;
	struct stat st;
	for (;;) {
		long got = syscall(SYS_getdents64, fd, dbuf, sizeof dbuf);
		if (got <= 0) {
			if (got < 0 && errno == EINTR)
				continue;
			return n;
		}
		for (long off = 0; off < got;) {
			const struct ldirent *e = (const void *)(dbuf + off);
			const char *nm = e->d_name;
			off += e->d_reclen;
			if (nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2])))
				continue;
			fstatat(fd, nm, &st, AT_SYMLINK_NOFOLLOW);
			n++;
		}
	}
}

/* One scan.  stack[k] is the descriptor of the directory at depth k on the
 * way to the current one (-1 if it could not be opened); top is how many
 * are in use. */
static void scan(int *stack)
{
	unsigned top = 0;
	struct stat st;
	unsigned long long n = 0;

	fstatat(AT_FDCWD, names, &st, AT_SYMLINK_NOFOLLOW);
	n++;
	for (size_t i = 0; i < ndirs; i++) {
		unsigned k = dirs[i].depth;
		while (top > k) {
			if (stack[--top] >= 0)
				close(stack[top]);
		}
		int fd;
		if (k == 0)
			fd = open(names, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		else if (stack[k - 1] < 0)
			fd = -1;
		else
			fd = openat(stack[k - 1], names + dirs[i].name,
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					    O_CLOEXEC);
		stack[top++] = fd;
		if (fd >= 0)
			n += stat_entries(fd);
	}
	while (top > 0) {
		if (stack[--top] >= 0)
			close(stack[top]);
	}
	nentries += n;
	nscans++;
}

/* The counts are written from the signal handler itself (write(2) is
 * async-signal-safe), so a signal that arrives during the sleep is
 * answered at once. */
static char *put_ull(char *p, unsigned long long v)
{
	char tmp[24];
	int n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*p++ = tmp[--n];
	return p;
}

static void on_signal(int sig)
{
	int saved = errno;
	char line[96], *p = line;
	memcpy(p, "scans ", 6);
	p = put_ull(p + 6, nscans);
	memcpy(p, " entries ", 9);
	p = put_ull(p + 9, nentries);
	*p++ = '\n';
	if (write(2, line, (size_t)(p - line)) < 0 || sig != SIGUSR1)
		_exit(0);
	errno = saved;
}

static void usage(void)
{
	fputs("usage: minstat INTERVAL_MS DIR\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc != 3)
		usage();
	char *end;
	errno = 0;
	long ms = strtol(argv[1], &end, 10);
	if (errno || *end || end == argv[1] || ms < 1 || ms > 86400000)
		usage();

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR1);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	size_t len = strlen(argv[2]);
	while (len > 1 && argv[2][len - 1] == '/')
		len--;
	if (len == 0 || len >= PATH_MAX)
		usage();
	argv[2][len] = '\0';
	add_dir(0, argv[2]);            /* dirs[0], names + 0: the root */
	int dfd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		die(argv[2]);
	learn(dfd, 0);

	int *stack = malloc(((size_t)max_depth + 1) * sizeof *stack);
	if (!stack)
		die("malloc");

	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		scan(stack);
		next.tv_nsec += (ms % 1000) * 1000000L;
		next.tv_sec += ms / 1000 + next.tv_nsec / 1000000000L;
		next.tv_nsec %= 1000000000L;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next.tv_sec ||
		    (now.tv_sec == next.tv_sec && now.tv_nsec >= next.tv_nsec)) {
			next = now;     /* overran: start the next scan now */
			continue;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
	}
}
