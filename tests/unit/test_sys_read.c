/*
 * test_sys_read.c - reading a small file whole (sys.h's sys_read_file),
 * as the rules of .gitignore files are read, and looking at an entry of
 * a directory read to the end first (sys_dir_stat), as the walker does
 * where a .gitignore rules a directory: built natively against
 * sys_posix.c (`make unit`, tests/unit.bats) and with MinGW against
 * sys_win.c, run under Wine (tests/windows.bats).  Prints TAP.
 *
 *   test_sys_read [BASE]   work in a new directory under BASE (default:
 *                          $TMPDIR or /tmp; Windows' temporary directory)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sys.h"

#ifdef _WIN32
#include <direct.h>
#include <windows.h>
#define t_mkdir(p) _mkdir(p)
#define t_rmdir(p) _rmdir(p)
#else
#include <sys/stat.h>
#include <unistd.h>
#define t_mkdir(p) mkdir((p), 0755)
#define t_rmdir(p) rmdir(p)
#endif

static int nth, failed;

static void
ok(int cond, const char *what)
{
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ++nth, what);
	if (!cond)
		failed = 1;
}

/* Write N bytes of DATA to P (binary: "\r\n" stays two bytes). */
static int
t_write(const char *p, const char *data, size_t n)
{
	FILE *f = fopen(p, "wb");
	int r = -1;
	if (f) {
		r = fwrite(data, 1, n, f) == n ? 0 : -1;
		if (fclose(f))
			r = -1;
	}
	return r;
}

static const char *
base_dir(int argc, char **argv)
{
	const char *b = argc > 1 ? argv[1] : getenv("TMPDIR");
#ifdef _WIN32
	static char tmp[MAX_PATH + 1];
	if (!b && GetTempPathA(sizeof tmp, tmp))
		b = tmp;
#endif
	return b && *b ? b : "/tmp";
}

int
main(int argc, char **argv)
{
	char dir[1024], p[1100], buf[64];
	const char crlf[] = "a\r\nb\0c\n";
	size_t len = 99;
	int r, e;

	snprintf(dir, sizeof dir, "%s/test_sys_read.%ld", base_dir(argc, argv),
		 (long)sys_mono_ms());
	if (t_mkdir(dir) < 0) {
		printf("Bail out! cannot make %s\n", dir);
		return 1;
	}

	snprintf(p, sizeof p, "%s/small", dir);
	ok(t_write(p, crlf, sizeof crlf - 1) == 0, "a file written");
	r = sys_read_file(p, buf, sizeof buf, &len);
	ok(r == 0 && len == sizeof crlf - 1 && !memcmp(buf, crlf, len),
	   "read whole, CR and NUL bytes as they are");

	r = sys_read_file(p, buf, sizeof crlf - 1, &len);
	ok(r == 0 && len == sizeof crlf - 1, "exactly as large as the buffer");
	errno = 0;
	r = sys_read_file(p, buf, sizeof crlf - 2, &len);
	ok(r == -1 && errno == EFBIG, "one byte more than the buffer: EFBIG");
	remove(p);

	snprintf(p, sizeof p, "%s/empty", dir);
	ok(t_write(p, "", 0) == 0, "an empty file written");
	len = 99;
	r = sys_read_file(p, buf, sizeof buf, &len);
	ok(r == 0 && len == 0, "an empty file is 0 bytes");
	len = 99;
	r = sys_read_file(p, NULL, 0, &len);
	ok(r == 0 && len == 0, "an empty file needs no buffer");
	remove(p);

	errno = 0;
	r = sys_read_file(p, buf, sizeof buf, &len);
	ok(r == -1 && errno == ENOENT, "missing: ENOENT");

	snprintf(p, sizeof p, "%s/sub", dir);
	t_mkdir(p);
	errno = 0;
	r = sys_read_file(p, buf, sizeof buf, &len);
	e = errno;
	ok(r == -1 && e == EISDIR, "a directory: EISDIR");
	t_rmdir(p);

#ifndef _WIN32
	snprintf(p, sizeof p, "%s/fifo", dir);
	if (mkfifo(p, 0644) == 0) {
		/* without O_NONBLOCK this would wait for a writer for ever */
		errno = 0;
		r = sys_read_file(p, buf, sizeof buf, &len);
		ok(r == -1 && errno == EINVAL, "a FIFO: EINVAL, not waited on");
		unlink(p);
	} else {
		ok(1, "# SKIP cannot make a FIFO here");
	}
#else
	ok(1, "# SKIP no FIFO on Windows");
#endif

	/* every entry listed first, then each looked at by name */
	{
		static const char *const names[] = { "one", "two", "three" };
		struct sys_dir *d;
		const char *name;
		enum sys_type type;
		int sizes_ok = 1, n = 0;
		for (int k = 0; k < 3; k++) {
			snprintf(p, sizeof p, "%s/%s", dir, names[k]);
			t_write(p, "xxxxxxxxx", (size_t)k + 1);
		}
		d = sys_opendir(dir);
		while (d && sys_readdir(d, &name, &type) > 0)
			n++;
		for (int k = 0; d && k < 3; k++) {
			struct sys_info si;
			if (sys_dir_stat(d, names[k], &si) < 0 ||
			    si.size != k + 1 || si.type != SYS_FILE)
				sizes_ok = 0;
		}
		ok(d && n == 3 && sizes_ok,
		   "entries looked at by name after the listing ended");
		sys_closedir(d);
		for (int k = 0; k < 3; k++) {
			snprintf(p, sizeof p, "%s/%s", dir, names[k]);
			remove(p);
		}
	}

	t_rmdir(dir);
	printf("1..%d\n", nth);
	return failed;
}
