/*
 * test_sys_file.c - a file held open (sys.h's sys_file_*), on real
 * files: read, appended to, renamed, replaced under its name and deleted
 * while held.  Built natively against sys_posix.c (`make unit`,
 * tests/unit.bats) and with MinGW against sys_win_file.c, run under Wine
 * (tests/windows.bats).  Prints TAP.
 *
 *   test_sys_file [BASE]   work in a new directory under BASE (default:
 *                          $TMPDIR or /tmp; Windows' temporary directory)
 *
 * The fixtures, per platform, are in sys_fixtures.h.
 */
#include "sys_fixtures.h"

#ifndef _WIN32
#include <sys/stat.h>
#endif

static char dir[1024];

static const char *
at(const char *name)
{
	static char p[2][1200];
	static int k;
	k ^= 1;
	snprintf(p[k], sizeof p[k], "%s" SEP "%s", dir, name);
	return p[k];
}

/* The N bytes at OFF of F are S. */
static int
reads(struct sys_file *f, int64_t off, const char *s)
{
	char buf[64];
	size_t n = strlen(s);
	long long got = sys_file_read(f, off, buf, sizeof buf);
	return got == (long long)n && !memcmp(buf, s, n);
}

static int64_t
size_of(struct sys_file *f)
{
	struct sys_info i;
	return sys_file_info(f, &i) < 0 ? -2 : i.size;
}

static void
refused(void)
{
	struct sys_file *f;
	errno = 0;
	f = sys_file_open(at("none"), 1);
	ok(!f && errno == ENOENT, "nothing there: ENOENT");
	t_mkdir(at("sub"));
	errno = 0;
	f = sys_file_open(at("sub"), 0);
	ok(!f && errno == EINVAL, "a directory is not held: EINVAL");
	t_rmdir(at("sub"));
#ifndef _WIN32
	mkfifo(at("fifo"), 0600);
	errno = 0;
	f = sys_file_open(at("fifo"), 1);
	ok(!f && errno == EINVAL, "a FIFO is never opened (it would block): "
				  "EINVAL");
	t_unlink(at("fifo"));
	t_write(at("target"), "x", 0);
	t_symlink("target", at("link"));
	f = sys_file_open(at("link"), 1);
	ok(!f, "a symlink is not followed");
	sys_file_close(f);
	t_unlink(at("link"));
	t_unlink(at("target"));
#endif
}

/* Held for reading: what is there, what is appended, reads at offsets. */
static struct sys_file *
held(void)
{
	struct sys_file *f;
	struct sys_info i;
	t_write(at("app.log"), "hello\n", 0);
	f = sys_file_open(at("app.log"), 1);
	ok(f != NULL, "a regular file is held for reading");
	if (!f)
		return NULL;
	ok(sys_file_info(f, &i) == 0 && i.size == 6 && i.type == SYS_FILE,
	   "its size and type, through the handle");
	ok(reads(f, 0, "hello\n"), "read from its start");
	ok(reads(f, 2, "llo\n"), "read at an offset");
	ok(sys_file_read(f, 6, (char[8]){ 0 }, 8) == 0, "0 at its end");
	ok(sys_file_is(f, at("app.log")) == 1, "its name names it");
	ok(sys_file_is(f, at("other")) == 0, "another name, nothing there: 0");
	t_write(at("app.log"), "more\n", 1);
	ok(size_of(f) == 11 && reads(f, 6, "more\n"),
	   "an append is seen through the handle");
	return f;
}

/* Renamed away, a new file under its name: still the old one. */
static void
rotated(struct sys_file *f)
{
	struct sys_file *g, *h;
	ok(t_rename(at("app.log"), at("app.log.1")) == 0,
	   "a held file can be renamed");
	ok(t_write(at("app.log"), "new\n", 0) == 0,
	   "and a new file made under its name");
	ok(sys_file_is(f, at("app.log")) == 0,
	   "its old name no longer names it");
	ok(sys_file_is(f, at("app.log.1")) == 1, "its new name does");
	ok(size_of(f) == 11, "its size is its own, not the new file's");
	g = sys_file_open(at("app.log"), 1);
	h = sys_file_open(at("app.log.1"), 0);
	ok(g && size_of(g) == 4 && reads(g, 0, "new\n"),
	   "the new file is held apart");
	ok(g && !sys_file_same(f, g), "not the same file as the old one");
	ok(h && sys_file_same(f, h), "the same file held twice is the same");
	t_write(at("app.log.1"), "late\n", 1);
	ok(size_of(f) == 16 && reads(f, 11, "late\n"),
	   "a write to the renamed file is read through the handle");
	sys_file_close(g);
	sys_file_close(h);
}

/* Deleted while held: still readable, and it says it is deleted. */
static void
deleted(struct sys_file *f)
{
	struct sys_info i;
	ok(t_unlink(at("app.log.1")) == 0, "a held file can be deleted");
	ok(sys_file_info(f, &i) == 0, "and still looked at");
	ok_but_wine(i.nlink == 0, "which says it has no name left",
		    "Wine 8 keeps a link count of 1 on a deleted file");
	ok(reads(f, 0, "hello\nmore\nlate\n"), "and still read");
	ok_but_wine(sys_file_is(f, at("app.log.1")) != 1,
		    "its last name no longer names it (or cannot tell: "
		    "Windows' delete pending)",
		    "Wine 8 keeps a deleted file's name until its last "
		    "handle is closed");
}

/* Held only to be looked at. */
static void
looked(void)
{
	struct sys_file *f = sys_file_open(at("app.log"), 0);
	ok(f && size_of(f) == 4, "held to be looked at: its size");
#if defined(__linux__) || defined(_WIN32)
	ok(f && sys_file_read(f, 0, (char[8]){ 0 }, 8) < 0,
	   "but not read (O_PATH; FILE_READ_ATTRIBUTES)");
#else
	skip("held to be looked at, not read", "no O_PATH here: opened to "
					       "read");
#endif
	sys_file_close(f);
}

int
main(int argc, char **argv)
{
	struct sys_file *f;
	if (t_tmpdir(argc > 1 ? argv[1] : NULL, "file", dir, sizeof dir) < 0) {
		printf("Bail out! no temporary directory\n");
		return 1;
	}
	printf("# held files on %s, in %s\n", platform_note(), dir);
	refused();
	if ((f = held())) {
		rotated(f);
		deleted(f);
		sys_file_close(f);
	}
	looked();
	t_unlink(at("app.log"));
	ok(t_rmdir(dir) == 0, "everything made is gone");
	printf("1..%d\n", count);
	return failed != 0;
}
