/*
 * test_kqueue.c - the kqueue backend (src/watch_bsd.c, with
 * src/bsd_vnode.c, src/listing.c and src/wakepipe.c) on Linux.
 *
 * The backend's files are included whole, so their private functions can
 * be called, with a few libc calls routed through wrappers that can be
 * made to fail.  The listing diff alone is tests/unit/test_listing.c.
 * kqueue() and kevent() are tests/bsd/fake_kevent.c: the file system is
 * real (a temporary directory), the kernel's news is posted by hand, as
 * kqueue(2) documents it for each operation:
 *
 *   create or unlink a name in D     D: NOTE_WRITE (unlink: the file
 *                                    also NOTE_DELETE)
 *   mkdir or rmdir in D              D: NOTE_WRITE|NOTE_LINK (rmdir: the
 *                                    directory NOTE_DELETE)
 *   write, append                    the file: NOTE_WRITE, NOTE_EXTEND if
 *                                    it grew
 *   truncate, chmod, utimes          the file: NOTE_ATTRIB
 *   rename within D                  D: NOTE_WRITE; the object NOTE_RENAME
 *   rename from D to E               D and E: NOTE_WRITE|NOTE_EXTEND (and
 *                                    NOTE_LINK for a directory); the
 *                                    object NOTE_RENAME
 *   link                             the file: NOTE_LINK; D: NOTE_WRITE
 *   unmount                          every descriptor: NOTE_REVOKE
 *
 * Output is TAP.  Build flavours (see include/sys/event.h): FreeBSD by
 * default, -DFAKE_KQ_MACOS, -DFAKE_KQ_OPENBSD.
 */
#undef _POSIX_C_SOURCE
#define _DEFAULT_SOURCE 1

#include <sys/types.h>
#include <sys/event.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake_kevent.h"

#ifdef FAKE_KQ_MACOS
#define O_EVTONLY O_RDONLY
#define OPEN_MAX 10240
#endif

/* ---- failure injection ------------------------------------------------- */

enum {
	F_ALLOC, F_OPENAT, F_FSTAT, F_FDOPENDIR, F_READDIR, F_FSTATAT,
	F_GETRLIMIT, F_SETRLIMIT, F_PIPE, F_FCNTL, F_NFAULTS
};
static long arm[F_NFAULTS];   /* fail the arm[f]'th call from now */
static int arm_err[F_NFAULTS];
static int tripped;
static int unknown_dtype;     /* readdir says DT_UNKNOWN */
static int fake_rlimit;       /* getrlimit reports these instead */
static struct rlimit fake_rl;
static int refuse_setrlimit;

static void
fail_at(int f, long n, int err)
{
	arm[f] = n;
	arm_err[f] = err;
}

static int
trip(int f)
{
	if (arm[f] && --arm[f] == 0) {
		errno = arm_err[f];
		tripped = 1;
		return 1;
	}
	return 0;
}

static void *
t_malloc(size_t n)
{
	return trip(F_ALLOC) ? NULL : malloc(n);
}

static void *
t_calloc(size_t n, size_t s)
{
	return trip(F_ALLOC) ? NULL : calloc(n, s);
}

static void *
t_realloc(void *p, size_t n)
{
	return trip(F_ALLOC) ? NULL : realloc(p, n);
}

static int
t_openat(int d, const char *path, int flags)
{
	return trip(F_OPENAT) ? -1 : openat(d, path, flags);
}

static int
t_fstat(int fd, struct stat *st)
{
	return trip(F_FSTAT) ? -1 : fstat(fd, st);
}

static DIR *
t_fdopendir(int fd)
{
	return trip(F_FDOPENDIR) ? NULL : fdopendir(fd);
}

static struct dirent *
t_readdir(DIR *d)
{
	struct dirent *de;
	if (trip(F_READDIR))
		return NULL;
	de = readdir(d);
	if (de && unknown_dtype)
		de->d_type = DT_UNKNOWN;
	return de;
}

static int
t_fstatat(int d, const char *path, struct stat *st, int flags)
{
	return trip(F_FSTATAT) ? -1 : fstatat(d, path, st, flags);
}

static int
t_getrlimit(int r, struct rlimit *rl)
{
	if (trip(F_GETRLIMIT))
		return -1;
	if (fake_rlimit) {
		*rl = fake_rl;
		return 0;
	}
	return getrlimit(r, rl);
}

static int
t_setrlimit(int r, const struct rlimit *rl)
{
	(void)r;
	if (trip(F_SETRLIMIT))
		return -1;
	if (refuse_setrlimit) {
		errno = EPERM;
		return -1;
	}
	if (rl->rlim_cur > fake_rl.rlim_max) {
		errno = EINVAL;
		return -1;
	}
	fake_rl = *rl; /* never the process's own limit */
	return 0;
}

static int
t_pipe(int fd[2])
{
	return trip(F_PIPE) ? -1 : pipe(fd);
}

static int
t_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	int arg = 0;
	if (trip(F_FCNTL))
		return -1;
	if (cmd == F_SETFL || cmd == F_SETFD) {
		va_start(ap, cmd);
		arg = va_arg(ap, int);
		va_end(ap);
		return fcntl(fd, cmd, arg);
	}
	return fcntl(fd, cmd);
}

static int
t_close(int fd)
{
	fake_forget(fd); /* close() ends a descriptor's registrations */
	return close(fd);
}

#define malloc t_malloc
#define calloc t_calloc
#define realloc t_realloc
#define openat t_openat
#define fstat t_fstat
#define fdopendir t_fdopendir
#define readdir t_readdir
#define fstatat t_fstatat
#define getrlimit t_getrlimit
#define setrlimit t_setrlimit
#define pipe t_pipe
#define fcntl t_fcntl
#define close t_close
#include "../../src/strmap.c"
#include "../../src/listing.c"
#include "../../src/recbuf.c"
#include "../../src/bsd_vnode.c"
#include "../../src/wakepipe.c"
#include "../../src/watch_bsd.c"
#undef malloc
#undef calloc
#undef realloc
#undef openat
#undef fstat
#undef fdopendir
#undef readdir
#undef fstatat
#undef getrlimit
#undef setrlimit
#undef pipe
#undef fcntl
#undef close

/* ---- TAP ------------------------------------------------------------------ */

static int ntest, nfail;

static int
ok(int cond, const char *fmt, ...)
{
	va_list ap;
	printf("%sok %d - ", cond ? "" : "not ", ++ntest);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		nfail++;
	fflush(stdout);
	return cond;
}

static int
is(const char *got, const char *want, const char *what)
{
	if (!ok(!strcmp(got, want), "%s", what)) {
		printf("#   got:  %s\n#   want: %s\n", got, want);
		return 0;
	}
	return 1;
}

/* ---- the scene ------------------------------------------------------------ */

#define ALL (BE_WANT_CONTENT | BE_WANT_ATTRIB)

static struct backend *B;
static char T[256];

struct label {
	int id;
	char name[16];
};
static struct label labels[256];
static size_t nlabels;

/* A path under the scene's directory (four in use at a time). */
static const char *
P(const char *rel)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", T, rel);
	return buf[k];
}

/* A new directory and a backend, with what the core lends it (ENV). */
static void
scene_with(const struct be_env *env)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(T, sizeof T, "%s/fwatch-kq.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(T)) {
		perror("mkdtemp");
		exit(2);
	}
	nlabels = 0;
	if (be_open(&B, env) < 0) {
		perror("be_open");
		exit(2);
	}
}

static void
scene(void)
{
	scene_with(NULL);
}

static int
rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char sub[1024];
	if (!d)
		return unlink(path);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
			rm_tree(sub);
		}
	closedir(d);
	return rmdir(path);
}

static void
unscene(void)
{
	int armed = fake_kevent_fail_at != 0;
	for (int f = 0; f < F_NFAULTS; f++)
		armed |= arm[f] != 0;
	if (armed) {
		printf("# a failure was set up and never reached\n");
		nfail++;
		memset(arm, 0, sizeof arm);
		fake_kevent_fail_at = 0;
	}
	be_close(B);
	B = NULL;
	rm_tree(T);
}

/* be_watch() and name the id LABEL in what readout() shows. */
static int
watch(const char *rel, unsigned want, const char *label)
{
	int id = be_watch(B, rel ? P(rel) : T, want);
	if (id >= 0 && nlabels < 256) {
		labels[nlabels].id = id;
		snprintf(labels[nlabels++].name, sizeof labels[0].name, "%s",
			 label);
	}
	return id;
}

static const char *
label_of(int id)
{
	static char buf[16];
	for (size_t i = nlabels; i-- > 0;)
		if (labels[i].id == id)
			return labels[i].name;
	snprintf(buf, sizeof buf, "#%d", id);
	return buf;
}

static const struct {
	unsigned bit;
	const char *name;
} flagnames[] = {
	{ BE_CREATE, "create" }, { BE_DELETE, "delete" },
	{ BE_MODIFY, "modify" }, { BE_ATTRIB, "attrib" },
	{ BE_CLOSE_WRITE, "close_write" }, { BE_CLOSE_NOWR, "close_nowrite" },
	{ BE_OPEN, "open" }, { BE_ACCESS, "access" },
	{ BE_MOVED_FROM, "moved_from" }, { BE_MOVED_TO, "moved_to" },
	{ BE_SELF_DELETE, "self_delete" }, { BE_SELF_MOVE, "self_move" },
	{ BE_UNMOUNT, "unmount" }, { BE_IGNORED, "ignored" },
	{ BE_OVERFLOW, "overflow" }, { BE_ISDIR, "dir" },
};

static int last_drained, last_n;

/*
 * One be_read(), shown as "LABEL flag+flag name =C, ...": C numbers the
 * cookies in order of appearance, so "=1" twice is one rename.
 */
static const char *
readout(void)
{
	static char out[16384];
	const struct fw_raw *r;
	uint32_t cookies[64];
	size_t nc = 0, len = 0;
	int n = be_read(B, &r, &last_drained);

	last_n = n;
	out[0] = '\0';
	if (n < 0) {
		snprintf(out, sizeof out, "error: %s", strerror(errno));
		return out;
	}
	for (int i = 0; i < n && len < sizeof out - 256; i++) {
		const char *sep = "";
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%s ",
					i ? ", " : "", label_of(r[i].id));
		for (size_t k = 0; k < sizeof flagnames / sizeof flagnames[0];
		     k++)
			if (r[i].flags & flagnames[k].bit) {
				len += (size_t)snprintf(out + len,
							sizeof out - len,
							"%s%s", sep,
							flagnames[k].name);
				sep = "+";
			}
		if (r[i].name_len)
			len += (size_t)snprintf(out + len, sizeof out - len,
						" %.*s", (int)r[i].name_len,
						r[i].name);
		if (r[i].cookie) {
			size_t c = 0;
			while (c < nc && cookies[c] != r[i].cookie)
				c++;
			if (c == nc && nc < 64)
				cookies[nc++] = r[i].cookie;
			len += (size_t)snprintf(out + len, sizeof out - len,
						" =%zu", c + 1);
		}
		if (strlen(r[i].name) != r[i].name_len)
			len += (size_t)snprintf(out + len, sizeof out - len,
						" (BAD LENGTH)");
	}
	return out;
}

/* Post FFLAGS on the watch of REL ("" for the scene's directory). */
static int sweeping; /* failures expected: no complaints */

static void
post(const char *rel, unsigned ff)
{
	if (fake_post_path(*rel ? P(rel) : T, ff) < 0 && !sweeping) {
		printf("# not watched: %s\n", rel);
		nfail++;
	}
}

static int
ident(const char *rel)
{
	return fake_ident(*rel ? P(rel) : T);
}

static ino_t
ino_of(const char *rel)
{
	struct stat st;
	return lstat(P(rel), &st) == 0 ? st.st_ino : 0;
}

static void
put(const char *rel, const char *text, int flags)
{
	int fd = open(P(rel), O_WRONLY | O_CREAT | flags, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(rel);
		exit(2);
	}
	close(fd);
}

static void
mk(const char *rel)
{
	if (mkdir(P(rel), 0755) < 0) {
		perror(rel);
		exit(2);
	}
}

static void
mv(const char *from, const char *to)
{
	if (rename(P(from), P(to)) < 0) {
		perror(from);
		exit(2);
	}
}

/* ---- kernel-free parts ------------------------------------------------- */

static void
test_xlate(void)
{
	ok(xlate(NOTE_WRITE, T_FILE, 0, 0) == BE_MODIFY &&
	   xlate(NOTE_WRITE | NOTE_EXTEND, T_FILE, CH_SIZE, 0) == BE_MODIFY,
	   "xlate: a write or an append to a file is a modify");
	ok(xlate(NOTE_ATTRIB, T_FILE, CH_SIZE, 0) == BE_MODIFY,
	   "xlate: NOTE_ATTRIB with only the size changed (truncate) is a "
	   "modify");
	ok(xlate(NOTE_ATTRIB, T_FILE, CH_META, 0) == BE_ATTRIB &&
	   xlate(NOTE_ATTRIB, T_FILE, 0, 0) == BE_ATTRIB,
	   "xlate: chmod, chown, utimes are attrib");
	ok(xlate(NOTE_ATTRIB, T_FILE, CH_SIZE | CH_META, 0) ==
	   (BE_MODIFY | BE_ATTRIB), "xlate: size and mode changed: both");
	ok(xlate(NOTE_LINK, T_FILE, CH_LINKS, 1) == BE_ATTRIB &&
	   xlate(NOTE_LINK, T_FILE, CH_LINKS, 0) == 0 &&
	   xlate(NOTE_ATTRIB, T_FILE, CH_LINKS, 0) == 0,
	   "xlate: a link count change is attrib for the file's own watch "
	   "only, as inotify reports it");
	ok(xlate(NOTE_DELETE, T_FILE, CH_LINKS, 1) == BE_ATTRIB &&
	   xlate(NOTE_DELETE, T_FILE, CH_LINKS | CH_GONE, 1) == 0 &&
	   xlate(NOTE_ATTRIB | NOTE_DELETE, T_FILE, CH_LINKS | CH_GONE, 1) ==
		   0,
	   "xlate: unlink of one of several links is attrib, of the last "
	   "nothing (the delete comes from the directory)");
	ok(xlate(NOTE_ATTRIB, T_FILE, CH_LINKS | CH_META, 0) == BE_ATTRIB,
	   "xlate: a chmod in the same read as a link is still attrib");
	ok(xlate(NOTE_ATTRIB, T_DIR, 0, 0) == (BE_ATTRIB | BE_ISDIR) &&
	   xlate(NOTE_WRITE | NOTE_EXTEND | NOTE_LINK, T_DIR, 0, 0) == 0,
	   "xlate: a directory's attrib carries ISDIR; its NOTE_WRITE is "
	   "no record (it is listed again)");
	ok(xlate(NOTE_RENAME, T_FILE, 0, 1) == 0,
	   "xlate: a rename is not content news");
#ifdef NOTE_REVOKE
	ok(xlate(NOTE_REVOKE, T_FILE, 0, 1) == 0,
	   "xlate: nor is a revoke");
#endif
#ifdef NOTE_OPEN
	ok(xlate(NOTE_OPEN | NOTE_CLOSE | NOTE_CLOSE_WRITE | NOTE_READ, T_FILE,
		 0, 0) == (BE_OPEN | BE_CLOSE_NOWR | BE_CLOSE_WRITE | BE_ACCESS),
	   "xlate: NOTE_OPEN, NOTE_CLOSE, NOTE_CLOSE_WRITE, NOTE_READ (FreeBSD)");
	ok((vnode_notes(BE_WANT_OPEN | BE_WANT_CLOSE_N | BE_WANT_CLOSE_W |
			BE_WANT_ACCESS) &
	    (NOTE_OPEN | NOTE_CLOSE | NOTE_CLOSE_WRITE | NOTE_READ)) ==
	   (NOTE_OPEN | NOTE_CLOSE | NOTE_CLOSE_WRITE | NOTE_READ) &&
	   !(vnode_notes(0) & NOTE_OPEN) && needs_vn(BE_WANT_OPEN, T_DIR),
	   "open/close/read are asked for only when wanted, and need a "
	   "descriptor per entry");
#endif
#ifdef NOTE_TRUNCATE
	ok(xlate(NOTE_TRUNCATE, T_FILE, 0, 0) == BE_MODIFY &&
	   (vnode_notes(0) & NOTE_TRUNCATE),
	   "xlate: NOTE_TRUNCATE (OpenBSD, NetBSD) is a modify");
#endif
	ok(wanted_bits(0) == BE_ISDIR &&
	   wanted_bits(BE_WANT_CONTENT | BE_WANT_ATTRIB | BE_WANT_OPEN |
		       BE_WANT_CLOSE_W | BE_WANT_CLOSE_N | BE_WANT_ACCESS) ==
		   (BE_ISDIR | BE_MODIFY | BE_ATTRIB | BE_OPEN |
		    BE_CLOSE_WRITE | BE_CLOSE_NOWR | BE_ACCESS),
	   "wanted_bits follows be_watch's want");
	ok(needs_vn(BE_WANT_CONTENT, T_FILE) && !needs_vn(BE_WANT_CONTENT, T_DIR) &&
	   needs_vn(BE_WANT_ATTRIB, T_DIR) && !needs_vn(ALL, T_LINK) &&
	   !needs_vn(0, T_FILE),
	   "a descriptor per entry only for files (and directories for "
	   "attrib), never for symlinks");
}

/* A listing from "name:ino:type ..." (type f, d, l), for b->list. */
static void
mklisting(struct listing *l, const char *spec)
{
	char name[64];
	unsigned long ino;
	char t;
	int used;
	memset(l, 0, sizeof *l);
	while (sscanf(spec, " %63[^:]:%lu:%c%n", name, &ino, &t, &used) == 3) {
		struct lattr a = { ino, 0, 0, 0, T_FILE };
		a.type = t == 'd' ? T_DIR : t == 'l' ? T_LINK : T_FILE;
		listing_add(l, name, strlen(name), &a);
		spec += used;
	}
	listing_done(l);
}

/* ---- scenarios: a real directory, the kernel's news by hand ------------- */

static void
test_files(void)
{
	scene();
	ok(watch(NULL, ALL | BE_ONLYDIR, "T") >= 0, "watch the scene");

	put("a", "", O_EXCL);
	post("", NOTE_WRITE);
	is(readout(), "T create a", "create (touch): a create");
	ok(last_drained == 1, "a read that took everything says drained");

	put("b", "hello\n", O_EXCL);
	post("", NOTE_WRITE);
	is(readout(), "T create b",
	   "create with content (echo > b): a create; its content is the "
	   "core's to report (kqueue lacks BE_CAP_BIRTH_WRITES)");

	put("b", "more\n", O_APPEND);
	post("b", NOTE_WRITE | NOTE_EXTEND);
	is(readout(), "T modify b", "append: modify");

	put("b", "HE", 0);
	post("b", NOTE_WRITE);
	is(readout(), "T modify b", "write in place: modify");

	ok(truncate(P("b"), 0) == 0, "truncate b");
	post("b", NOTE_ATTRIB);
	is(readout(), "T modify b",
	   "truncate (NOTE_ATTRIB, size changed): modify only");

	ok(chmod(P("b"), 0600) == 0, "chmod b");
	post("b", NOTE_ATTRIB);
	is(readout(), "T attrib b", "chmod: attrib");

	ok(utimensat(AT_FDCWD, P("b"), NULL, 0) == 0, "touch b");
	post("b", NOTE_ATTRIB);
	is(readout(), "T attrib b", "utimes: attrib");

	mv("b", "c");
	post("", NOTE_WRITE);
	post("c", NOTE_RENAME);
	is(readout(), "T moved_from b =1, T moved_to c =1",
	   "rename within a directory: one moved_from/moved_to pair");
	put("c", "x", O_APPEND);
	post("c", NOTE_WRITE | NOTE_EXTEND);
	is(readout(), "T modify c",
	   "after a rename the file's news carry its new name");

	{
		int fd = ident("c");
		ok(unlink(P("c")) == 0, "rm c");
		fake_post(fd, NOTE_DELETE);
		post("", NOTE_WRITE);
		is(readout(), "T delete c", "unlink: delete");
		ok(fake_ident(P("a")) >= 0 && fake_fflags_of(fd) == 0,
		   "the deleted file's descriptor was closed");
	}

	put("d", "1", O_EXCL);
	post("", NOTE_WRITE);
	readout();
	{
		int fd = ident("d");
		put("d", "22", O_APPEND);
		fake_post(fd, NOTE_WRITE | NOTE_EXTEND);
		ok(unlink(P("d")) == 0, "rm d right after writing it");
		fake_post(fd, NOTE_DELETE);
		post("", NOTE_WRITE);
		is(readout(), "T modify d, T delete d",
		   "write then unlink in one read: modify before delete");
	}
	unscene();
}

static void
test_dirs(void)
{
	size_t before;
	scene();
	watch(NULL, ALL | BE_ONLYDIR, "T");

	mk("sub");
	post("", NOTE_WRITE | NOTE_LINK);
	is(readout(), "T create+dir sub", "mkdir: create, a directory");
	before = B->vt.nvn;
	ok(watch("sub", ALL | BE_ONLYDIR, "sub") >= 0 && B->vt.nvn == before,
	   "the core's watch of the new directory shares its entry's "
	   "descriptor");
	ok(chmod(P("sub"), 0700) == 0, "chmod sub");
	post("sub", NOTE_ATTRIB);
	is(readout(), "sub attrib+dir, T attrib+dir sub",
	   "chmod of a watched directory: its own record and its entry's");

	mk("sub2");
	post("", NOTE_WRITE | NOTE_LINK);
	readout();
	watch("sub2", ALL | BE_ONLYDIR, "sub2");
	put("sub/x", "", O_EXCL);
	post("sub", NOTE_WRITE);
	is(readout(), "sub create x", "create in a subdirectory");

	mv("sub/x", "sub2/x");
	post("sub", NOTE_WRITE | NOTE_EXTEND);
	post("sub2", NOTE_WRITE | NOTE_EXTEND);
	post("sub2/x", NOTE_RENAME);
	is(readout(), "sub moved_from x =1, sub2 moved_to x =1",
	   "rename across directories: one pair, the halves under each "
	   "directory's id");
	put("sub2/x", "y", O_APPEND);
	post("sub2/x", NOTE_WRITE | NOTE_EXTEND);
	is(readout(), "sub2 modify x",
	   "the moved file's news come from its new directory");

	B->out.cookie = UINT32_MAX;
	mv("sub2/x", "sub/x");
	post("sub", NOTE_WRITE | NOTE_EXTEND);
	post("sub2", NOTE_WRITE | NOTE_EXTEND);
	is(readout(), "sub2 moved_from x =1, sub moved_to x =1",
	   "cookies wrap around, never 0");
	{
		const struct fw_raw *r;
		int dr;
		mv("sub/x", "sub2/x");
		post("sub", NOTE_WRITE | NOTE_EXTEND);
		post("sub2", NOTE_WRITE | NOTE_EXTEND);
		ok(be_read(B, &r, &dr) == 2 && r[0].cookie == 2 &&
		   r[1].cookie == 2, "(the cookie after 0 is 2)");
	}

	mk("sub/in");
	post("sub", NOTE_WRITE | NOTE_LINK);
	readout();
	watch("sub/in", ALL | BE_ONLYDIR, "in");
	mv("sub/in", "sub2/in");
	post("sub", NOTE_WRITE | NOTE_EXTEND | NOTE_LINK);
	post("sub2", NOTE_WRITE | NOTE_EXTEND | NOTE_LINK);
	post("sub2/in", NOTE_RENAME);
	is(readout(),
	   "sub moved_from+dir in =1, sub2 moved_to+dir in =1, in "
	   "self_move+dir",
	   "a directory renamed across directories: one pair, then its own "
	   "move");
	put("sub2/in/y", "", O_EXCL);
	post("sub2/in", NOTE_WRITE);
	is(readout(), "in create y",
	   "a moved directory keeps its id and its listing");

	{
		char out[600];
		snprintf(out, sizeof out, "%s.gone", T);
		put("sub/w", "", O_EXCL);
		post("sub", NOTE_WRITE);
		readout();
		mv("sub/w", "sub2/w2");
		ok(rename(P("sub2"), out) == 0,
		   "mv sub/w sub2/w2; mv sub2 out of the tree");
		post("sub", NOTE_WRITE | NOTE_EXTEND);
		fake_post(fake_ident(out), NOTE_WRITE | NOTE_EXTEND |
						   NOTE_RENAME);
		post("", NOTE_WRITE | NOTE_LINK);
		is(readout(), "T delete+dir sub2, sub2 ignored, sub delete w",
		   "a file moved into a directory that then left the tree: "
		   "a delete");
		rm_tree(out);
		mk("sub3");
		post("", NOTE_WRITE | NOTE_LINK);
		readout();
		watch("sub3", ALL | BE_ONLYDIR, "sub3");
		put("sub3/v", "", O_EXCL);
		post("sub3", NOTE_WRITE);
		readout();
		mv("sub3/v", "v");
		ok(rename(P("sub3"), out) == 0,
		   "mv sub3/v .; mv sub3 out of the tree");
		post("", NOTE_WRITE | NOTE_LINK);
		fake_post(fake_ident(out), NOTE_WRITE | NOTE_RENAME);
		is(readout(), "T delete+dir sub3, sub3 ignored, T create v",
		   "a file moved out of a directory that then left the tree: "
		   "a create");
		rm_tree(out);
	}
	mkfifo(P("fifo"), 0600);
	post("", NOTE_WRITE);
	is(readout(), "T create fifo", "a FIFO: create, and no descriptor");
	ok(ident("fifo") < 0, "(not opened)");
	unscene();
}

/* rm -r d, where d/e/f; ALL_NEWS: every descriptor's news, else only
 * the top directory's (the rest not read yet). */
static void
rm_r(unsigned want, int all_news, const char *what)
{
	int fe, fd, ff;
	size_t regs;
	char desc[160];
	scene();
	mk("d");
	mk("d/e");
	put("d/e/f", "x", O_EXCL);
	watch(NULL, want | BE_ONLYDIR, "T");
	watch("d", want | BE_ONLYDIR, "d");
	watch("d/e", want | BE_ONLYDIR, "e");
	regs = fake_registered();
	ff = ident("d/e/f");
	fe = ident("d/e");
	fd = ident("d");
	ok(unlink(P("d/e/f")) == 0 && rmdir(P("d/e")) == 0 &&
	   rmdir(P("d")) == 0, "rm -r d (%s)", what);
	if (all_news) {
		fake_post(ff, NOTE_DELETE);
		fake_post(fe, NOTE_WRITE);
		fake_post(fe, NOTE_DELETE);
		fake_post(fd, NOTE_WRITE | NOTE_LINK);
		fake_post(fd, NOTE_DELETE);
	}
	post("", NOTE_WRITE | NOTE_LINK);
	snprintf(desc, sizeof desc,
		 "rm -r (%s): every delete, inner first, then the watches end",
		 what);
	is(readout(),
	   all_news ? "e delete f, d delete+dir e, T delete+dir d, e "
		      "self_delete+dir, e ignored, d self_delete+dir, d ignored"
		    : "e delete f, d delete+dir e, T delete+dir d, d "
		      "self_delete+dir, d ignored, e self_delete+dir, e ignored",
	   desc);
	ok(fake_registered() == regs - (ff >= 0) - 2 && B->vt.nvn == 1,
	   "rm -r (%s): their descriptors are closed", what);
	ok(be_unwatch(B, labels[1].id) < 0 && errno == EINVAL,
	   "rm -r (%s): the ids are free (unwatch says EINVAL)", what);
	unscene();
}

static void
test_replace(void)
{
	scene();
	mk("r");
	put("r/inside", "", O_EXCL);
	watch(NULL, ALL | BE_ONLYDIR, "T");
	watch("r", ALL | BE_ONLYDIR, "r");
	{
		int fr = ident("r"), fi = ident("r/inside");
		ok(unlink(P("r/inside")) == 0 && rmdir(P("r")) == 0,
		   "rm -r r");
		put("r", "now a file\n", O_EXCL);
		fake_post(fi, NOTE_DELETE);
		fake_post(fr, NOTE_WRITE);
		fake_post(fr, NOTE_DELETE);
		post("", NOTE_WRITE | NOTE_LINK);
	}
	is(readout(),
	   "r delete inside, T delete+dir r, T create r, r "
	   "self_delete+dir, r ignored",
	   "a directory replaced by a file of the same name: delete (a "
	   "directory), create (a file)");
	put("r", "more", O_APPEND);
	post("r", NOTE_WRITE | NOTE_EXTEND);
	is(readout(), "T modify r", "the new file is watched");
	unscene();
}

static void
test_in_out(void)
{
	char out[600], out2[600];
	scene();
	snprintf(out, sizeof out, "%s.out", T);
	snprintf(out2, sizeof out2, "%s.outdir", T);
	put("f", "x", O_EXCL);
	mk("s");
	mk("s/t");
	watch(NULL, ALL | BE_ONLYDIR, "T");
	watch("s", ALL | BE_ONLYDIR, "s");
	watch("s/t", ALL | BE_ONLYDIR, "t");

	fake_post(ident("f"), NOTE_RENAME);
	ok(rename(P("f"), out) == 0, "mv f out of the tree");
	post("", NOTE_WRITE);
	is(readout(), "T delete f", "moved out: delete");

	fake_post(ident("s"), NOTE_RENAME);
	ok(rename(P("s"), out2) == 0, "mv s (a watched directory) out");
	post("", NOTE_WRITE | NOTE_LINK);
	is(readout(), "T delete+dir s, s ignored",
	   "a directory moved out: delete, and its watch ends");
	ok(be_unwatch(B, labels[2].id) == 0,
	   "its subdirectory stays watched until the core lets it go");

	ok(rename(out, P("back")) == 0, "mv a file into the tree");
	post("", NOTE_WRITE);
	is(readout(), "T create back",
	   "moved in: create (its content is the core's to report)");
	unlink(out);
	rm_tree(out2);
	unscene();
}

static void
test_links(void)
{
	scene();
	put("h1", "x", O_EXCL);
	watch(NULL, ALL | BE_ONLYDIR, "T");
	ok(link(P("h1"), P("h2")) == 0, "ln h1 h2");
	post("h1", NOTE_LINK);
	post("", NOTE_WRITE);
	is(readout(), "T create h2", "a hard link: create (no attrib on "
	   "the directory's entry, as with inotify)");
	{
		int fd = ident("h1");
		ok(unlink(P("h1")) == 0, "rm h1");
		fake_post(fd, NOTE_DELETE);
		post("", NOTE_WRITE);
		is(readout(), "T delete h1",
		   "unlink of one of two links: delete");
	}
	put("h2", "y", O_APPEND);
	post("h2", NOTE_WRITE | NOTE_EXTEND);
	is(readout(), "T modify h2",
	   "the other link takes over the file's watch");
	mk("sub");
	post("", NOTE_WRITE | NOTE_LINK);
	readout();
	watch("sub", ALL | BE_ONLYDIR, "sub");
	ok(link(P("h2"), P("sub/h3")) == 0, "ln h2 sub/h3");
	post("h2", NOTE_LINK);
	post("sub", NOTE_WRITE);
	is(readout(), "sub create h3",
	   "a link in another watched directory: create");
	put("h2", "z", O_APPEND);
	post("h2", NOTE_WRITE | NOTE_EXTEND);
	is(readout(), "T modify h2",
	   "content news come under one name: the first holder's");
	unscene();
}

static void
test_root_file(void)
{
	int id;
	scene();
	watch(NULL, ALL | BE_ONLYDIR, "T");
	put("file", "x", O_EXCL);
	id = watch("file", ALL | BE_FOLLOW, "F");
	ok(id >= 0, "watch a file as a PATH");
	post("", NOTE_WRITE);
	is(readout(), "T create file",
	   "the file appears in its directory (no modify: its writes "
	   "before the watch began are not news)");
	ok(B->vt.nvn == 2, "the directory's entry shares the PATH's descriptor");
	put("file", "y", O_APPEND);
	post("file", NOTE_WRITE | NOTE_EXTEND);
	is(readout(), "F modify, T modify file",
	   "a write: the PATH's own record and its entry's");
	ok(link(P("file"), P("file2")) == 0, "ln file file2");
	post("file", NOTE_LINK);
	post("", NOTE_WRITE);
	is(readout(), "F attrib, T create file2",
	   "a link: attrib on the PATH itself");
	{
		int fd = ident("file");
		ok(unlink(P("file")) == 0 && unlink(P("file2")) == 0,
		   "rm file file2");
		fake_post(fd, NOTE_DELETE);
		post("", NOTE_WRITE);
	}
	is(readout(), "T delete file, T delete file2, F self_delete, F ignored",
	   "the PATH unlinked: deletes, then its watch ends");
	ok(B->vt.nvn == 1, "its descriptor is closed");
	unscene();
}

/* ---- a write between the first look and the watch ----------------------- */

static char race_path[600];

/* fake_before_add: append to race_path when its descriptor is the one
 * being registered. */
static void
write_now(int fd)
{
	struct stat a, b;
	int w;
	if (!race_path[0] || fstat(fd, &a) < 0 || lstat(race_path, &b) < 0 ||
	    a.st_ino != b.st_ino)
		return;
	if ((w = open(race_path, O_WRONLY | O_APPEND)) < 0 ||
	    write(w, "abc", 3) != 3) {
		perror(race_path);
		exit(2);
	}
	close(w);
	race_path[0] = '\0';
}

static void
test_race(void)
{
	scene();
	watch(NULL, ALL | BE_ONLYDIR, "T");
	put("a", "", O_EXCL);
	snprintf(race_path, sizeof race_path, "%s", P("a"));
	fake_before_add = write_now;
	post("", NOTE_WRITE);
	is(readout(), "T create a",
	   "a file written between the backend's first look at it and its "
	   "registration: a create (the core reports its content)");
	ok(!race_path[0] && B->vt.byfd[ident("a")]->size == 3,
	   "(the write landed there, and the size known is the one after "
	   "it)");
	fake_before_add = NULL;
	put("a", "d", O_APPEND);
	post("a", NOTE_WRITE | NOTE_EXTEND);
	is(readout(), "T modify a", "later writes are news as before");
	unscene();
}

/* ---- files the core does not want ---------------------------------------- */

static const char *only; /* set: the one file wanted, as for a file PATH */
static int asked_id, asked;

/* be_env.file_wanted as the core would answer with --exclude '*.o'. */
static int
wants(void *ctx, int id, const char *name, size_t len)
{
	(void)ctx;
	asked_id = id;
	asked++;
	if (only)
		return strlen(only) == len && !memcmp(only, name, len);
	return !(len > 2 && !memcmp(name + len - 2, ".o", 2));
}

static void
test_wanted(void)
{
	struct be_env env = { wants, NULL, 0, 0 };
	int t;
	scene_with(&env);
	put("a.c", "x", O_EXCL);
	put("a.o", "x", O_EXCL);
	put("b.o", "", O_EXCL);
	mk("sub");
	asked_id = 0;
	t = watch(NULL, ALL | BE_ONLYDIR, "T");
	ok(t >= 0 && B->vt.nvn == 3 && ident("a.c") >= 0 && ident("a.o") < 0 &&
	   ident("b.o") < 0 && ident("sub") >= 0,
	   "files the core does not want hold no descriptor (a directory "
	   "still does, for attrib)");
	ok(asked_id == -1, "asked from inside be_watch(), before the id is "
	   "given");

	put("c.o", "data", O_EXCL);
	put("c.c", "data", O_EXCL);
	post("", NOTE_WRITE);
	is(readout(), "T create c.c, T create c.o",
	   "new files: both created, only the wanted one watched");
	ok(ident("c.o") < 0 && ident("c.c") >= 0 && asked_id == t,
	   "(asked with the directory's id)");
	put("c.o", "more", O_APPEND);
	is(readout(), "", "an unwanted file's writes cost nothing");

	mv("a.o", "d.c");
	post("", NOTE_WRITE);
	is(readout(), "T moved_from a.o =1, T moved_to d.c =1",
	   "an unwanted file renamed to a wanted name: a move");
	ok(ident("d.c") >= 0, "and under that name it is watched");
	put("d.c", "more", O_APPEND);
	post("d.c", NOTE_WRITE | NOTE_EXTEND);
	is(readout(), "T modify d.c", "its writes are news");

	ok(watch("c.c", ALL | BE_FOLLOW, "C") >= 0, "c.c watched by itself "
	   "too (a file PATH)");
	only = "b.o";
	asked = 0;
	ok(watch(NULL, ALL | BE_ONLYDIR, "T") == t && asked > 0,
	   "the directory watched again: the same id, and the core asked "
	   "again");
	ok(ident("b.o") >= 0 && ident("a.c") < 0 && ident("d.c") < 0 &&
	   ident("c.c") >= 0 && ident("sub") >= 0 && B->vt.nvn == 4,
	   "a file wanted now gets a descriptor, files no longer wanted let "
	   "theirs go (not c.c, watched by its own id)");
	put("b.o", "x", O_APPEND);
	post("b.o", NOTE_WRITE | NOTE_EXTEND);
	is(readout(), "T modify b.o", "the newly wanted file's writes are news");
	only = NULL;
	unscene();
}

static void
test_root_dir(void)
{
	scene();
	mk("rd");
	watch(NULL, ALL | BE_ONLYDIR, "T");
	watch("rd", ALL | BE_ONLYDIR, "RD");
	mv("rd", "rd2");
	post("rd2", NOTE_RENAME);
	post("", NOTE_WRITE);
	is(readout(), "T moved_from+dir rd =1, T moved_to+dir rd2 =1, RD "
	   "self_move+dir", "a watched directory renamed: self_move");
#ifdef NOTE_REVOKE
	post("rd2", NOTE_REVOKE);
	is(readout(), "RD unmount+dir, RD ignored",
	   "its file system unmounted (NOTE_REVOKE): unmount, then the "
	   "watch ends");
#endif
	unscene();
}

static void
test_cycles(void)
{
	scene();
	mk("p");
	mk("q");
	put("f1", "1", O_EXCL);
	put("f2", "2", O_EXCL);
	put("l", "0", O_EXCL);
	put("l.1", "1", O_EXCL);
	watch(NULL, ALL | BE_ONLYDIR, "T");
	watch("p", ALL | BE_ONLYDIR, "p");
	watch("q", ALL | BE_ONLYDIR, "q");

	mv("p", "tmp");
	mv("q", "p");
	mv("tmp", "q");
	post("p", NOTE_RENAME);
	post("q", NOTE_RENAME);
	post("", NOTE_WRITE);
	is(readout(),
	   "T delete+dir q, q ignored, T moved_from+dir p =1, T "
	   "moved_to+dir q =1, T create+dir p, p self_move+dir",
	   "two directories swapped: the core never sees two directories "
	   "under one name (one becomes delete + create)");
	ok(watch("p", ALL | BE_ONLYDIR, "q2") >= 0,
	   "the re-created one can be watched again");

	mv("f1", "tmp");
	mv("f2", "f1");
	mv("tmp", "f2");
	post("f1", NOTE_RENAME);
	post("f2", NOTE_RENAME);
	post("", NOTE_WRITE);
	is(readout(),
	   "T moved_from f2 =1, T moved_to f1 =1, T moved_from f1 =2, T "
	   "moved_to f2 =2",
	   "two files swapped: two renames");

	mk("a-dir");
	put("z-file", "", O_EXCL);
	post("", NOTE_WRITE | NOTE_LINK);
	readout();
	watch("a-dir", ALL | BE_ONLYDIR, "a-dir");
	mv("a-dir", "tmp");
	mv("z-file", "a-dir");
	mv("tmp", "z-file");
	post("", NOTE_WRITE);
	is(readout(), "T moved_from z-file =1, T moved_to a-dir =1, T "
	   "moved_from+dir a-dir =2, T moved_to+dir z-file =2",
	   "a directory and a file swapped: the file's rename goes first, "
	   "the directory's is kept whole");

	fake_post(ident("l.1"), NOTE_RENAME);
	fake_post(ident("l"), NOTE_RENAME);
	mv("l.1", "l.2");
	mv("l", "l.1");
	post("", NOTE_WRITE);
	is(readout(),
	   "T moved_from l.1 =1, T moved_to l.2 =1, T moved_from l =2, T "
	   "moved_to l.1 =2",
	   "log rotation (l.1 -> l.2, l -> l.1): renames in an order that "
	   "never reuses a name still in place");
	unscene();
}

static void
test_many(void)
{
	char name[32];
	int ids[300], good = 1;
	size_t before;
	scene();
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "f%d", i);
		put(name, "", O_EXCL);
		snprintf(name, sizeof name, "d%d", i);
		mk(name);
	}
	watch(NULL, ALL | BE_ONLYDIR, "T");
	before = B->vt.hcap;
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "d%d", i);
		ids[i] = watch(name, ALL | BE_ONLYDIR, name);
		good &= ids[i] >= 0;
	}
	ok(good && B->vt.nvn == 601 && B->vt.hcap >= 512 && before >= 512,
	   "601 descriptors: the tables grow");
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "f%d", i);
		unlink(P(name));
	}
	post("", NOTE_WRITE);
	readout();
	ok(last_n == 300 && B->vt.nvn == 301, "300 files removed: 300 deletes, "
	   "their descriptors closed");
	before = B->vt.hcap;
	for (int i = 0; i < 800; i++) {
		snprintf(name, sizeof name, "g%d", i);
		put(name, "", O_EXCL);
	}
	post("", NOTE_WRITE);
	readout();
	ok(last_n == 800 && B->vt.hcap > before && vt_byid(&B->vt, ids[0]) &&
	   vt_byid(&B->vt, ids[299]) == B->vt.byfd[ident("d299")],
	   "the tables grow again with ids in them; the ids still lead to "
	   "their directories");
	for (int i = 299; i >= 0; i--)
		good &= be_unwatch(B, ids[i]) == 0;
	ok(good && B->vt.nvn == 1101 && !vt_byid(&B->vt, ids[0]),
	   "300 directories unwatched: their ids are gone (their entries "
	   "keep the descriptors for attrib)");
	unscene();
}

/* Two objects in one bucket of the (device, inode) table, and two ids in
 * one of the id table: the chains are walked when one goes. */
static void
test_collide(void)
{
	char name[32];
	ino_t inos[400];
	struct stat st;
	int a = -1, c = -1, i1, i2;
	scene();
	mk("pool");
	mk("q");
	for (int i = 0; i < 400; i++) {
		snprintf(name, sizeof name, "pool/p%d", i);
		put(name, "", O_EXCL);
		inos[i] = ino_of(name);
	}
	watch(NULL, ALL | BE_ONLYDIR, "T");
	lstat(T, &st);
	for (int i = 0; i < 400 && a < 0; i++)
		for (int j = 0; j < i && a < 0; j++)
			if (hkey(st.st_dev, inos[i], B->vt.hcap) ==
			    hkey(st.st_dev, inos[j], B->vt.hcap)) {
				a = j;
				c = i;
			}
	if (!ok(a >= 0, "two files whose inodes share a bucket")) {
		unscene();
		return;
	}
	snprintf(name, sizeof name, "pool/p%d", a);
	mv(name, "x1");
	post("", NOTE_WRITE);
	readout();
	snprintf(name, sizeof name, "pool/p%d", c);
	mv(name, "x2");
	post("", NOTE_WRITE);
	readout();
	{
		int fd = ident("x1");
		unlink(P("x1"));
		fake_post(fd, NOTE_DELETE);
		post("", NOTE_WRITE);
		is(readout(), "T delete x1",
		   "the first of two in a bucket goes");
		put("x2", "z", O_APPEND);
		post("x2", NOTE_WRITE | NOTE_EXTEND);
		is(readout(), "T modify x2", "the second stays");
	}
	i1 = watch("pool", ALL | BE_ONLYDIR, "pool");
	B->vt.next_id = i1 + (int)B->vt.hcap;
	i2 = watch("q", ALL | BE_ONLYDIR, "q");
	ok(ikey(i1, B->vt.hcap) == ikey(i2, B->vt.hcap) &&
	   be_unwatch(B, i1) == 0 && vt_byid(&B->vt, i2) && !vt_byid(&B->vt, i1),
	   "two ids in one bucket: the first goes, the second stays");
	unscene();
}

static void
test_api(void)
{
	int a, b2, c;
	scene();
	ok(be_unwatch(B, -1) < 0 && be_unwatch(B, 1) < 0 && errno == EINVAL,
	   "be_unwatch before any watch: EINVAL");
	mk("dir");
	put("file", "", O_EXCL);
	ok(symlink("dir", P("link")) == 0, "ln -s dir link");
	a = watch("dir", ALL | BE_ONLYDIR, "dir");
	ok(a >= 0 && watch("dir", ALL | BE_ONLYDIR, "dir") == a,
	   "be_watch: the same directory twice is the same id");
	ok(watch("link", ALL | BE_ONLYDIR | BE_FOLLOW, "dir") == a,
	   "be_watch: through a followed symlink, still the same id");
	errno = 0;
	ok(watch("link", ALL | BE_ONLYDIR, "x") < 0 && errno == ENOTDIR,
	   "be_watch: a symlink not followed, with ONLYDIR: ENOTDIR");
	errno = 0;
	ok(watch("file", ALL | BE_ONLYDIR, "x") < 0 && errno == ENOTDIR,
	   "be_watch: a file with ONLYDIR: ENOTDIR");
	errno = 0;
	ok(watch("nothing", ALL | BE_ONLYDIR, "x") < 0 && errno == ENOENT,
	   "be_watch: a missing path: ENOENT");
	fail_at(F_OPENAT, 1, ELOOP);
	errno = 0;
	ok(watch("link", ALL | BE_ONLYDIR, "x") < 0 && errno == ENOTDIR,
	   "be_watch: ELOOP (a symlink, not followed) becomes ENOTDIR");
	ok(be_unwatch(B, 12345) < 0 && errno == EINVAL,
	   "be_unwatch of an unknown id: EINVAL");
	ok(be_unwatch(B, a) == 0 && B->vt.nvn == 0 && fake_registered() == 0,
	   "be_unwatch closes the directory's descriptor");
	b2 = watch("dir", ALL | BE_ONLYDIR, "dir");
	ok(b2 >= 0 && b2 != a, "a directory watched again gets a new id, "
	   "not the one the core may still unwatch");
	ok(!strcmp(be_kqueue.name, "kqueue"), "the backend is called kqueue");

	B->vt.next_id = INT_MAX;
	c = watch("file", ALL | BE_FOLLOW, "file");
	ok(c == INT_MAX && B->vt.next_id == 0, "ids wrap after INT_MAX");
	be_unwatch(B, c);
	B->vt.next_id = b2;
	c = watch("file", ALL | BE_FOLLOW, "file");
	ok(c >= 0 && c != b2, "a wrapped id skips ids still in use");
	unscene();
	be_close(NULL);
}

static void
test_want(void)
{
	scene();
	put("f", "x", O_EXCL);
	mk("s");
	ok(watch(NULL, BE_ONLYDIR, "T") >= 0 && B->vt.nvn == 1,
	   "without modify or attrib wanted, files cost no descriptor");
	ok(fake_fflags_of(ident("")) == vnode_notes(0),
	   "every descriptor is registered for the news the backend reads");
	put("f", "y", O_APPEND);
	put("g", "", O_EXCL);
	post("", NOTE_WRITE);
	is(readout(), "T create g", "creates are still seen");
	unscene();

#ifdef NOTE_OPEN
	scene();
	put("f", "x", O_EXCL);
	watch(NULL, BE_WANT_OPEN | BE_WANT_CLOSE_N | BE_WANT_CLOSE_W |
			    BE_WANT_ACCESS | BE_ONLYDIR, "T");
	post("f", NOTE_OPEN | NOTE_READ | NOTE_CLOSE);
	is(readout(), "T close_nowrite+open+access f",
	   "FreeBSD: open, read and close of an entry");
	post("f", NOTE_CLOSE_WRITE);
	is(readout(), "T close_write f", "FreeBSD: close after writing");
	unscene();
#endif
#ifdef NOTE_TRUNCATE
	scene();
	put("f", "xyz", O_EXCL);
	watch(NULL, ALL | BE_ONLYDIR, "T");
	ok(truncate(P("f"), 1) == 0, "truncate f");
	post("f", NOTE_TRUNCATE);
	is(readout(), "T modify f", "OpenBSD: NOTE_TRUNCATE is a modify");
	unscene();
#endif
}

static void
test_wait(void)
{
	scene();
	watch(NULL, ALL | BE_ONLYDIR, "T");
	ok(be_wait(B, 0) == 0, "be_wait: nothing, no wait: 0");
	ok(be_wait(B, 20) == 0, "be_wait: nothing in 20 ms: 0");
	be_wake(B);
	ok(be_wait(B, -1) == BE_WOKEN, "be_wake ends a wait without limit");
	ok(be_wait(B, 0) == 0, "the wake is used up");
	put("a", "", O_EXCL);
	post("", NOTE_WRITE);
	be_wake(B);
	ok(be_wait(B, -1) == BE_WOKEN,
	   "a wake wins over news waiting at the same time");
	ok(be_wait(B, -1) == 1, "and the news is still there");
	ok(be_wait(B, -1) == 1, "(it stays until it is read)");
	is(readout(), "T create a", "be_read takes the stashed news");
	be_wake(B);
	post("", NOTE_WRITE);
	is(readout(), "", "a wake seen while reading is left for be_wait");
	ok(be_wait(B, 0) == BE_WOKEN, "which reports it");
	fake_kevent_fail_at = 1;
	fake_kevent_errno = EINTR;
	ok(be_wait(B, -1) == BE_WOKEN, "kevent() interrupted: woken");
	fake_kevent_fail_at = 1;
	fake_kevent_errno = EBADF;
	ok(be_wait(B, -1) == -1 && errno == EBADF, "kevent() failing: -1");
	put("b", "", O_EXCL);
	post("", NOTE_WRITE);
	fake_kevent_fail_at = 1;
	fake_kevent_errno = EINTR;
	is(readout(), "T create b", "be_read: an interrupted kevent() is "
	   "tried again");
	post("", NOTE_WRITE);
	fake_kevent_fail_at = 1;
	fake_kevent_errno = ENOMEM;
	is(readout(), "error: Cannot allocate memory",
	   "be_read: kevent() failing is an error");

	/* many records, then idle: the memory goes back */
	for (int i = 0; i < 100; i++) {
		char name[16];
		snprintf(name, sizeof name, "m%d", i);
		put(name, "", O_EXCL);
	}
	post("", NOTE_WRITE);
	readout();
	ok(last_n == 100 && B->out.cap > KEEP, "be_read with 100 creates");
	be_wait(B, 0);
	ok(B->out.cap > KEEP, "be_wait without waiting keeps the records");
	be_wait(B, 1);
	ok(B->out.cap == 0, "be_wait that may sleep frees a burst's records");
	unscene();
}

static void
test_stash(void)
{
	int i1, i2;
	scene();
	mk("s1");
	mk("s2");
	watch(NULL, BE_ONLYDIR, "T");
	i1 = watch("s1", BE_WANT_ATTRIB | BE_ONLYDIR, "s1");
	i2 = watch("s2", BE_WANT_ATTRIB | BE_ONLYDIR, "s2");
	post("s1", NOTE_ATTRIB);
	post("s2", NOTE_ATTRIB);
	ok(be_wait(B, 0) == 1 && B->nstash == 2, "be_wait stashes news");
	ok(be_unwatch(B, i1) == 0 && B->nstash == 1,
	   "a descriptor closed before the news is read takes its stashed "
	   "news with it (its number may be given to the next watch)");
	is(readout(), "s2 attrib+dir", "the rest is read");
	ok(i2 >= 0, "(s2 was watched)");
	unscene();
}

static void
test_drained(void)
{
	struct rlimit rl;
	int fds[ROUNDS * STASH + 8];
	int n = ROUNDS * STASH + 8, made = 0;
	struct kevent kev;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < (rlim_t)n + 100) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	scene();
	watch(NULL, ALL | BE_ONLYDIR, "T");
	for (; made < n; made++) {
		if ((fds[made] = open("/dev/null", O_RDONLY)) < 0)
			break;
		EV_SET(&kev, fds[made], EVFILT_VNODE, EV_ADD | EV_CLEAR,
		       NOTE_WRITE, 0, 0);
		kevent(B->kq, &kev, 1, NULL, 0, NULL);
		fake_post(fds[made], NOTE_WRITE);
	}
	if (made < n) {
		ok(1, "# SKIP more events than one read takes: needs %d "
		   "descriptors", n + 100);
	} else {
		is(readout(), "", "news for descriptors the backend does "
		   "not own are ignored");
		ok(last_drained == 0,
		   "a read that stopped with news left says not drained");
		readout();
		ok(last_drained == 1, "the next one takes the rest");
	}
	while (made-- > 0)
		close(fds[made]);
	unscene();
}

static void
test_limits(void)
{
	char hint[512];
	const char *h;

	scene();
	put("f1", "", O_EXCL);
	put("f2", "", O_EXCL);
	mk("s");
	fake_rlimit = 1;
	fake_rl.rlim_cur = fake_rl.rlim_max = FD_RESERVE + 1;
	B->vt.fdlim = FD_RESERVE + 1;
	errno = 0;
	ok(watch(NULL, ALL | BE_ONLYDIR, "T") < 0 && errno == ENOSPC,
	   "out of descriptors: be_watch fails with ENOSPC, the core's word "
	   "for a watch limit");
	ok(B->vt.nvn == 0 && fake_registered() == 0,
	   "nothing stays open after the failed watch");
	h = be_limit_hint(B, ENOSPC, 12, hint, sizeof hint);
	ok(h && strstr(h, "out of file descriptors") &&
	   strstr(h, "per file in them (ran out with 1 open") &&
	   strstr(h, "12 directories") &&
	   strstr(h, "limit 65, hard limit 65") && strstr(h, "ulimit -n") &&
	   strstr(h, "--event without modify and attrib"),
	   "the hint says what is needed and how to raise the limit");
	printf("#   %s\n", h ? h : "(null)");

	B->vt.fdlim = FD_RESERVE + 2;
	B->vt.raised = 1;
	errno = 0;
	ok(watch(NULL, ALL | BE_ONLYDIR, "T") < 0 && errno == ENOSPC &&
	   B->vt.nvn == 0 && fake_registered() == 0,
	   "out of descriptors halfway through a directory: the files "
	   "opened so far are closed again");
	B->vt.fdlim = FD_RESERVE;
	errno = 0;
	ok(watch(NULL, BE_ONLYDIR, "T") < 0 && errno == ENOSPC,
	   "no room even for the directory: ENOSPC");
	B->vt.fdlim = 1000;
	B->vt.at_limit = 0;
	fail_at(F_OPENAT, 3, EMFILE);
	errno = 0;
	ok(watch(NULL, ALL | BE_ONLYDIR, "T") < 0 && errno == ENOSPC &&
	   B->vt.at_limit == 1 && arm[F_OPENAT] == 0,
	   "the system's own EMFILE is the same limit");
	B->vt.fdlim = FD_RESERVE + 1;

	fake_rl.rlim_max = 1000;
	B->vt.raised = 0;
	refuse_setrlimit = 1;
	errno = 0;
	ok(watch(NULL, ALL | BE_ONLYDIR, "T") < 0 && errno == ENOSPC &&
	   B->vt.fdlim == FD_RESERVE + 1,
	   "a limit that cannot be raised stays where it was");
	refuse_setrlimit = 0;
	B->vt.raised = 0;
	ok(watch(NULL, ALL | BE_ONLYDIR, "T") >= 0 && B->vt.fdlim == 1000 &&
	   fake_rl.rlim_cur == 1000,
	   "the soft limit is raised to the hard one when the tree needs it");
	unscene();

	scene();
	fake_rl.rlim_cur = FD_RESERVE + 1;
	fake_rl.rlim_max = FD_RESERVE + 1;
	B->vt.fdlim = FD_RESERVE + 1;
	put("f", "", O_EXCL);
	ok(watch(NULL, BE_ONLYDIR, "T") >= 0,
	   "without file news, one descriptor for the directory fits");
	put("g", "", O_EXCL);
	post("", NOTE_WRITE);
	is(readout(), "T create g", "(creates are read)");
	B->want |= BE_WANT_CONTENT;
	put("h", "x", O_EXCL);
	post("", NOTE_WRITE);
	is(readout(), "T create h",
	   "out of descriptors while running: creates still, no modify");
	fail_at(F_GETRLIMIT, 1, EPERM);
	B->want = 0;
	h = be_limit_hint(B, EMFILE, 0, hint, sizeof hint);
	ok(h && strstr(h, "limit ?") && !strstr(h, "per file"),
	   "the hint without getrlimit() and without file news");
	B->vt.fdlim = 10;
	B->vt.raised = 0;
	fail_at(F_GETRLIMIT, 1, EPERM);
	ok(!vt_room(&B->vt) && B->vt.fdlim == 10,
	   "getrlimit() failing: the limit is what it was");
	unscene();

	fake_rl.rlim_cur = RLIM_INFINITY;
	fake_rl.rlim_max = RLIM_INFINITY;
	h = be_limit_hint(NULL, EMFILE, 0, hint, sizeof hint);
	ok(h && strstr(h, "too many open files (limit unlimited, hard limit "
			  "unlimited)"),
	   "the hint when the queue itself cannot be made");
	ok(be_limit_hint(NULL, EACCES, 0, hint, sizeof hint) == NULL,
	   "no hint for errors that are not limits");
	fail_at(F_GETRLIMIT, 1, EPERM);
	scene();
	ok(B->vt.fdlim == 256, "be_open without getrlimit(): 256 assumed");
	unscene();
#ifdef OPEN_MAX
	scene();
	fake_rl.rlim_cur = FD_RESERVE;
	fake_rl.rlim_max = RLIM_INFINITY;
	B->vt.fdlim = FD_RESERVE;
	fail_at(F_SETRLIMIT, 1, EINVAL);
	ok(vt_room(&B->vt) && B->vt.fdlim == OPEN_MAX,
	   "macOS: an unlimited hard limit is refused, OPEN_MAX is used");
	unscene();
	scene();
	fake_rl.rlim_cur = FD_RESERVE;
	fake_rl.rlim_max = RLIM_INFINITY;
	B->vt.fdlim = FD_RESERVE;
	refuse_setrlimit = 1;
	ok(!vt_room(&B->vt) && B->vt.fdlim == FD_RESERVE,
	   "macOS: OPEN_MAX refused too: the limit stays");
	refuse_setrlimit = 0;
	unscene();
#endif
	fake_rlimit = 0;
}

/* ---- listings made up by the test ---------------------------------------- */

static const char *script;

static int
scripted(struct backend *b, struct vn *d, struct listing *l)
{
	(void)b;
	(void)d;
	mklisting(l, script);
	return 0;
}

static void
test_reuse(void)
{
	char spec[256];
	unsigned long ia;
	int fa;
	scene();
	put("a", "x", O_EXCL);
	put("a2", "x", O_EXCL);
	put("s", "x", O_EXCL);
	put("m", "content", O_EXCL);
	watch(NULL, ALL | BE_ONLYDIR, "T");
	B->list = scripted;

	fa = ident("a");
	ia = (unsigned long)ino_of("a");
	snprintf(spec, sizeof spec, "a2:%lu:f s:%lu:f m:%lu:f b:%lu:f",
		 (unsigned long)ino_of("a2"), (unsigned long)ino_of("s"),
		 (unsigned long)ino_of("m"), ia);
	ok(unlink(P("a")) == 0, "rm a");
	script = spec;
	fake_post(fa, NOTE_DELETE);
	post("", NOTE_WRITE);
	is(readout(), "T delete a, T create b",
	   "a new file that got an unlinked file's inode number is not a "
	   "rename");

	snprintf(spec, sizeof spec, "c:%lu:f s:%lu:f m:%lu:f b:%lu:f",
		 (unsigned long)ino_of("a2"), (unsigned long)ino_of("s"),
		 (unsigned long)ino_of("m"), ia);
	post("", NOTE_WRITE);
	is(readout(), "T moved_from a2 =1, T moved_to c =1",
	   "while a linked file under another name is one");

	{
		int fs = ident("s");
		ok(unlink(P("s")) == 0, "rm s");
		fake_post(fs, NOTE_DELETE);
		post("", NOTE_WRITE);
	}
	is(readout(), "T delete s, T create s",
	   "a file unlinked and made again with the same inode number: "
	   "delete and create");

	snprintf(spec, sizeof spec, "c:%lu:f m:%lu:f b:%lu:f n:%lu:f",
		 (unsigned long)ino_of("a2"), (unsigned long)ino_of("m"),
		 ia, (unsigned long)ino_of("m") + 1000);
	put("n", "content", O_EXCL);
	post("", NOTE_WRITE);
	is(readout(), "T delete s, T create n",
	   "an entry replaced between listing and opening gets no watch "
	   "(and no modify)");
	ok(ident("n") < 0, "(not watched)");
	unscene();
}

static void
test_listing(void)
{
	scene();
	unknown_dtype = 1;
	mk("sd");
	put("ff", "", O_EXCL);
	ok(symlink("ff", P("ln")) == 0, "ln -s ff ln");
	watch(NULL, ALL | BE_ONLYDIR, "T");
	mk("sd2");
	put("g", "", O_EXCL);
	post("", NOTE_WRITE | NOTE_LINK);
	is(readout(), "T create g, T create+dir sd2",
	   "a file system without d_type: types from fstatat()");
	ok(B->vt.nvn == 5, "and descriptors for files and directories only");
	put("x", "", O_EXCL);
	fail_at(F_FSTATAT, 1, ENOENT);
	post("", NOTE_WRITE);
	is(readout(), "", "an entry gone before fstatat() is not listed");
	post("", NOTE_WRITE);
	is(readout(), "T create x", "(until it is seen)");
	unknown_dtype = 0;

	put("y", "", O_EXCL);
	fail_at(F_OPENAT, 1, EACCES);
	post("", NOTE_WRITE);
	is(readout(), "",
	   "a directory that cannot be read now keeps its old listing");
	post("", NOTE_WRITE);
	is(readout(), "T create y", "(until it can)");

	put("z", "", O_EXCL);
	fail_at(F_OPENAT, 2, EACCES);
	post("", NOTE_WRITE);
	is(readout(), "T create z", "a file that cannot be opened: create");
	ok(ident("z") < 0, "but no watch of its own");

	fail_at(F_OPENAT, 1, ENOENT);
	post("", NOTE_WRITE);
	is(readout(),
	   "T delete ff, T delete g, T delete ln, T delete+dir sd, T "
	   "delete+dir sd2, T delete x, T delete y, T delete z",
	   "a directory whose \".\" is gone lists as empty");
	unscene();

	scene();
	put("f", "", O_EXCL);
	fail_at(F_FDOPENDIR, 1, ENOMEM);
	errno = 0;
	ok(watch(NULL, ALL | BE_ONLYDIR, "T") < 0 && errno == ENOMEM &&
	   B->vt.nvn == 0, "fdopendir() failing: be_watch fails, nothing open");
	fail_at(F_READDIR, 2, EIO);
	errno = 0;
	ok(watch(NULL, ALL | BE_ONLYDIR, "T") < 0 && errno == EIO &&
	   B->vt.nvn == 0, "readdir() failing: be_watch fails, nothing open");
	fail_at(F_FSTAT, 1, EIO);
	errno = 0;
	ok(watch(NULL, ALL | BE_ONLYDIR, "T") < 0 && errno == EIO,
	   "fstat() failing: be_watch fails");
	fake_kevent_fail_at = 1;
	fake_kevent_errno = ENOMEM;
	errno = 0;
	ok(watch(NULL, ALL | BE_ONLYDIR, "T") < 0 && errno == ENOMEM &&
	   B->vt.nvn == 0, "registration failing: be_watch fails");
	watch(NULL, ALL | BE_ONLYDIR, "T");
	put("g", "", O_EXCL);
	fail_at(F_READDIR, 1, ENOMEM);
	post("", NOTE_WRITE);
	is(readout(), "error: Cannot allocate memory",
	   "out of memory while listing: be_read fails");
	post("", NOTE_WRITE);
	is(readout(), "T create g", "(and the next read sees it)");
	unscene();

	scene();
	put("f", "x", O_EXCL);
	watch("f", ALL | BE_FOLLOW, "F");
	fail_at(F_FSTAT, 1, EIO);
	post("f", NOTE_WRITE);
	is(readout(), "F modify, F self_delete, F ignored",
	   "an object fstat() no longer answers for is gone");
	unscene();

	scene();
	mk("d");
	watch(NULL, ALL | BE_ONLYDIR, "T");
	watch("d", ALL | BE_ONLYDIR, "d");
	ok(rmdir(P("d")) == 0, "rmdir d");
	fail_at(F_FSTAT, 1, EIO);
	post("", NOTE_WRITE | NOTE_LINK);
	is(readout(), "T delete+dir d, d self_delete+dir, d ignored",
	   "a subdirectory fstat() no longer answers for is gone");
	unscene();
}

static void
test_open_fail(void)
{
	struct backend *b = NULL;
	fake_kqueue_errno = EMFILE;
	ok(be_open(&b, NULL) < 0 && errno == EMFILE, "kqueue() failing");
	fail_at(F_ALLOC, 1, ENOMEM);
	ok(be_open(&b, NULL) < 0 && errno == ENOMEM, "out of memory");
	fail_at(F_PIPE, 1, EMFILE);
	ok(be_open(&b, NULL) < 0 && errno == EMFILE, "pipe() failing");
	fail_at(F_FCNTL, 1, EBADF);
	ok(be_open(&b, NULL) < 0 && errno == EBADF, "fcntl() failing on the queue");
	fail_at(F_FCNTL, 3, EBADF);
	ok(be_open(&b, NULL) < 0 && errno == EBADF, "fcntl() failing on the pipe");
	fake_kevent_fail_at = 1;
	fake_kevent_errno = ENOMEM;
	ok(be_open(&b, NULL) < 0 && errno == ENOMEM,
	   "registering the pipe failing");
	ok(be_open(&b, NULL) == 0, "and then it opens");
	be_close(b);
}

/* Everything at once, for the allocation failure sweep. */
static void
composite(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(T, sizeof T, "%s/fwatch-kq.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(T))
		exit(2);
	nlabels = 0;
	mk("a");
	mk("b");
	mk("d");
	mk("d/e");
	put("f", "x", O_EXCL);
	put("d/e/g", "x", O_EXCL);
	if (be_open(&B, NULL) < 0) {
		rm_tree(T);
		return;
	}
	watch(NULL, ALL | BE_ONLYDIR, "T");
	watch("a", ALL | BE_ONLYDIR, "a");
	watch("b", ALL | BE_ONLYDIR, "b");
	watch("d", ALL | BE_ONLYDIR, "d");
	watch("d/e", ALL | BE_ONLYDIR, "e");
	put("a/x", "data", O_EXCL);
	post("a", NOTE_WRITE);
	readout();
	mv("a/x", "b/x");
	mv("f", "f2");
	post("a", NOTE_WRITE);
	post("b", NOTE_WRITE);
	post("", NOTE_WRITE);
	readout();
	mv("a", "t");
	mv("b", "a");
	mv("t", "b");
	post("", NOTE_WRITE);
	readout();
	unlink(P("d/e/g"));
	rmdir(P("d/e"));
	rmdir(P("d"));
	post("", NOTE_WRITE | NOTE_LINK);
	readout();
	be_close(B);
	B = NULL;
	rm_tree(T);
}

/* Make the k'th call of one kind fail (F_ or -1 for kevent()), for
 * k = 1, 2, ... until the composite runs through without reaching it. */
static void
sweep(int f, int err, const char *what)
{
	long k;
	int reached;
	sweeping = 1;
	for (k = 1; k < 100000; k++) {
		tripped = 0;
		if (f < 0) {
			fake_kevent_fail_at = k;
			fake_kevent_errno = err;
		} else {
			fail_at(f, k, err);
		}
		composite();
		reached = f < 0 ? fake_kevent_fail_at == 0 : tripped;
		if (!reached)
			break;
	}
	if (f < 0)
		fake_kevent_fail_at = 0;
	else
		fail_at(f, 0, 0);
	sweeping = 0;
	ok(k > 1 && k < 100000, "each of %ld %s failing in turn: no crash "
	   "(run under ASan for leaks)", k - 1, what);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_xlate();
	test_files();
	test_dirs();
	rm_r(ALL, 1, "every descriptor's news");
	rm_r(ALL, 0, "only the top directory's news read yet");
	rm_r(BE_WANT_CONTENT, 1, "no attrib: directories as entries "
	     "unwatched");
	test_replace();
	test_in_out();
	test_links();
	test_root_file();
	test_race();
	test_wanted();
	test_root_dir();
	test_cycles();
	test_many();
	test_collide();
	test_api();
	test_want();
	test_wait();
	test_stash();
	test_drained();
	test_limits();
	test_reuse();
	test_listing();
	test_open_fail();
	sweep(F_ALLOC, ENOMEM, "allocations");
	sweep(F_OPENAT, EACCES, "openat() calls");
	sweep(F_FSTAT, EIO, "fstat() calls");
	sweep(F_READDIR, EIO, "readdir() calls");
	sweep(-1, ENOMEM, "kevent() calls");
	printf("1..%d\n", ntest);
	return nfail ? 1 : 0;
}
