/*
 * minread - the smallest useful recursive inotify reader, used by
 * bench/bench.py as the floor that fwatch is measured against.
 *
 *   minread count [-F] DIR   count events; print the count on stderr on
 *                            SIGUSR1 (and go on) or SIGTERM/SIGINT (and exit)
 *   minread print [-F] DIR   print "EVENT PATH\n" per event, one write()
 *                            per read() batch
 *   minread race  [-F] DIR   like print, and also watch directories that are
 *                            created later: add a watch, then scan the new
 *                            directory and print CREATE for what is already
 *                            in it (recursively), as fwatch does
 *
 * The tree is walked once at start: openat + fdopendir + readdir, d_type
 * decides what is a directory (fstatat only for DT_UNKNOWN), and one path
 * buffer is extended and cut back instead of building a path per entry.
 * Outside race mode no watch is ever added after the walk: this is a floor,
 * not a product.  -F drops IN_CLOSE_WRITE from the mask, so that the kernel
 * queues the same events per file as for fwatch's default event set.
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
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

enum mode { M_COUNT, M_PRINT, M_RACE };

static enum mode mode;
static uint32_t mask = IN_CREATE | IN_MODIFY | IN_DELETE | IN_MOVED_FROM |
		       IN_MOVED_TO | IN_ATTRIB | IN_CLOSE_WRITE |
		       IN_DELETE_SELF | IN_MOVE_SELF;
static int ifd = -1;

/* wd -> path, only kept when paths are printed.  The paths live in one
 * growing arena; the table holds offsets into it (wd numbers are small and
 * handed out in increasing order). */
static char *arena;
static size_t arena_len, arena_cap;
static size_t *wd_off;
static int wd_cap;

/* Output of one read() batch, written with a single write(). */
static char *out;
static size_t out_len, out_cap;

/* Read by the signal handler: a single aligned 64-bit load on the
 * machines this runs on. */
static volatile unsigned long long nevents, noverflow;

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

static void remember(int wd, const char *path, size_t len)
{
	if (mode == M_COUNT)
		return;
	if (wd >= wd_cap) {
		int ncap = wd_cap ? wd_cap : 1024;
		while (ncap <= wd)
			ncap *= 2;
		wd_off = xrealloc(wd_off, (size_t)ncap * sizeof *wd_off);
		for (int i = wd_cap; i < ncap; i++)
			wd_off[i] = SIZE_MAX;
		wd_cap = ncap;
	}
	if (arena_len + len + 1 > arena_cap) {
		size_t ncap = arena_cap ? arena_cap : 65536;
		while (ncap < arena_len + len + 1)
			ncap *= 2;
		arena = xrealloc(arena, ncap);
		arena_cap = ncap;
	}
	memcpy(arena + arena_len, path, len);
	arena[arena_len + len] = '\0';
	wd_off[wd] = arena_len;
	arena_len += len + 1;
}

static const char *wd_path(int wd)
{
	if (wd < 0 || wd >= wd_cap || wd_off[wd] == SIZE_MAX)
		return NULL;
	return arena + wd_off[wd];
}

static void out_reserve(size_t n)
{
	if (out_len + n <= out_cap)
		return;
	size_t ncap = out_cap ? out_cap : 65536;
	while (ncap < out_len + n)
		ncap *= 2;
	out = xrealloc(out, ncap);
	out_cap = ncap;
}

static void out_record(const char *ev, const char *dir, const char *name)
{
	size_t le = strlen(ev), ld = strlen(dir);
	size_t ln = name ? strlen(name) : 0;
	out_reserve(le + ld + ln + 3);
	memcpy(out + out_len, ev, le);
	out_len += le;
	out[out_len++] = ' ';
	memcpy(out + out_len, dir, ld);
	out_len += ld;
	if (ln) {
		out[out_len++] = '/';
		memcpy(out + out_len, name, ln);
		out_len += ln;
	}
	out[out_len++] = '\n';
}

static void out_flush(void)
{
	size_t off = 0;
	while (off < out_len) {
		ssize_t n = write(1, out + off, out_len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			exit(0); /* reader gone */
		}
		off += (size_t)n;
	}
	out_len = 0;
}

/* Watch the directory open as dfd, whose path is path[0..len), and every
 * directory below it.  path has room for PATH_MAX bytes.  With report set
 * (race mode, a directory that appeared after start), every entry found is
 * printed as CREATE. */
static void walk(int dfd, char *path, size_t len, int report)
{
	int wd = inotify_add_watch(ifd, path, mask | IN_ONLYDIR);
	if (wd < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			perror(path);
		close(dfd);
		return;
	}
	remember(wd, path, len);

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
		if (report)
			out_record("CREATE", path, n);
		if (!isdir)
			continue;
		size_t ln = strlen(n);
		if (len + 1 + ln >= PATH_MAX)
			continue;
		int cfd = openat(dirfd(d), n,
				 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, n, ln + 1);
		walk(cfd, path, len + 1 + ln, report);
		path[len] = '\0';
	}
	closedir(d);
}

static const char *event_name(uint32_t m)
{
	if (m & IN_Q_OVERFLOW)   return "OVERFLOW";
	if (m & IN_CREATE)       return "CREATE";
	if (m & IN_MODIFY)       return "MODIFY";
	if (m & IN_DELETE)       return "DELETE";
	if (m & IN_MOVED_FROM)   return "MOVED_FROM";
	if (m & IN_MOVED_TO)     return "MOVED_TO";
	if (m & IN_ATTRIB)       return "ATTRIB";
	if (m & IN_CLOSE_WRITE)  return "CLOSE_WRITE";
	if (m & IN_DELETE_SELF)  return "DELETE_SELF";
	if (m & IN_MOVE_SELF)    return "MOVE_SELF";
	if (m & IN_IGNORED)      return "IGNORED";
	return "OTHER";
}

/* The count is written from the signal handler itself (write(2) is
 * async-signal-safe), so a signal that arrives just before read() blocks is
 * still answered at once. */
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

static void report_count(void)
{
	char line[96], *p = line;
	memcpy(p, "events ", 7);
	p = put_ull(p + 7, nevents);
	memcpy(p, " overflow ", 10);
	p = put_ull(p + 10, noverflow);
	*p++ = '\n';
	if (write(2, line, (size_t)(p - line)) < 0)
		_exit(1);
}

static void on_signal(int sig)
{
	int saved = errno;
	report_count();
	if (sig != SIGUSR1)
		_exit(0);
	errno = saved;
}

static void handle(const struct inotify_event *ev)
{
	if (ev->mask & IN_Q_OVERFLOW) {
		noverflow++;
		if (mode != M_COUNT)
			out_record("OVERFLOW", "", NULL);
		return;
	}
	nevents++;
	if (mode == M_COUNT)
		return;
	const char *dir = wd_path(ev->wd);
	if (!dir)
		return;
	const char *name = ev->len ? ev->name : NULL;
	out_record(event_name(ev->mask), dir, name);

	if (mode == M_RACE && name && (ev->mask & IN_CREATE) &&
	    (ev->mask & IN_ISDIR)) {
		char path[PATH_MAX];
		size_t ld = strlen(dir), ln = strlen(name);
		if (ld + 1 + ln >= PATH_MAX)
			return;
		memcpy(path, dir, ld);
		path[ld] = '/';
		memcpy(path + ld + 1, name, ln + 1);
		int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
		if (dfd >= 0)
			walk(dfd, path, ld + 1 + ln, 1);
	}
}

static void usage(void)
{
	fputs("usage: minread count|print|race [-F] DIR\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		usage();
	if (!strcmp(argv[1], "count"))
		mode = M_COUNT;
	else if (!strcmp(argv[1], "print"))
		mode = M_PRINT;
	else if (!strcmp(argv[1], "race"))
		mode = M_RACE;
	else
		usage();
	int ai = 2;
	if (!strcmp(argv[ai], "-F")) {
		mask &= ~(uint32_t)IN_CLOSE_WRITE;
		ai++;
	}
	if (ai != argc - 1)
		usage();

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR1);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGINT);
	if (mode == M_COUNT) {
		sigaction(SIGUSR1, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}

	ifd = inotify_init1(IN_CLOEXEC);
	if (ifd < 0)
		die("inotify_init1");

	static char root[PATH_MAX];
	size_t len = strlen(argv[ai]);
	while (len > 1 && argv[ai][len - 1] == '/')
		len--;
	if (len >= PATH_MAX)
		usage();
	memcpy(root, argv[ai], len);
	root[len] = '\0';
	int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		die(root);
	walk(dfd, root, len, 0);

	/* Big enough for a full kernel batch: the read size bounds the batch. */
	static char buf[65536]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(ifd, buf, sizeof buf);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;
			handle(ev);
			p += sizeof *ev + ev->len;
		}
		if (out_len)
			out_flush();
	}
}
