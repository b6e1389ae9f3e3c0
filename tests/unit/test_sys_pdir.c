/*
 * test_sys_pdir.c - a directory held open for polling (sys.h's
 * sys_pdir_*), on a real directory: built natively against sys_posix.c
 * (`make unit`, tests/unit.bats) and with MinGW against sys_win.c, run
 * under Wine (tests/windows.bats).  Prints TAP.
 *
 *   test_sys_pdir [BASE]   work in a new directory under BASE (default:
 *                          $TMPDIR or /tmp; Windows' temporary directory)
 *
 * The fixtures, per platform, are in sys_fixtures.h.
 */
#include "sys_fixtures.h"

/* What a listing gave. */
#define MAXENT 16
struct list {
	struct {
		char name[256];
		struct sys_info i;
	} e[MAXENT];
	int n;
	int calls, stop_at; /* stop_at: fail the listing at that call */
};

static int
collect(void *ctx, const char *name, size_t len, const struct sys_info *i)
{
	struct list *l = ctx;
	l->calls++;
	if (l->stop_at && l->calls == l->stop_at) {
		errno = EINTR;
		return -1;
	}
	if (l->n < MAXENT && len < sizeof l->e[0].name &&
	    strlen(name) == len) {
		memcpy(l->e[l->n].name, name, len + 1);
		l->e[l->n].i = *i;
		l->n++;
	}
	return 0;
}

static int
list(struct sys_pdir *d, int stat, struct list *l)
{
	memset(l, 0, sizeof *l);
	return sys_pdir_list(d, stat, collect, l);
}

/* The names listed, as TAP comments, when a check fails. */
static void
show(int r, const struct list *l)
{
	printf("# listing: %d, %d entries:", r, l->n);
	for (int k = 0; k < l->n; k++)
		printf(" \"%s\"", l->e[k].name);
	printf("\n");
}

static const struct sys_info *
find(const struct list *l, const char *name)
{
	for (int k = 0; k < l->n; k++)
		if (!strcmp(l->e[k].name, name))
			return &l->e[k].i;
	return NULL;
}

/* "naïve-日本-😀.txt": two- three- and four-byte UTF-8 (a surrogate pair
 * in UTF-16) */
#define UNAME "na\xc3\xafve-\xe6\x97\xa5\xe6\x9c\xac-\xf0\x9f\x98\x80.txt"

int
main(int argc, char **argv)
{
	char root[1024], dir[1100], dir2[1100], p[1300], lnk[1100];
	struct list l, l2;
	struct sys_info si, si2, self0;
	const struct sys_info *a, *b, *c;
	struct sys_pdir *d;
	int r, e;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("# sys_pdir on %s\n", platform_note());
	if (t_tmpdir(argc > 1 ? argv[1] : NULL, "pdir", root, sizeof root) < 0) {
		printf("Bail out! no temporary directory\n");
		return 1;
	}
	/* "dé": the held path is not ASCII either */
	snprintf(dir, sizeof dir, "%s" SEP "d\xc3\xa9", root);
	snprintf(dir2, sizeof dir2, "%s" SEP "d2", root);
	if (t_mkdir(dir) < 0 ||
	    (snprintf(p, sizeof p, "%s" SEP "file.txt", dir),
	     t_write(p, "hello", 0) < 0) ||
	    (snprintf(p, sizeof p, "%s" SEP "sub", dir), t_mkdir(p) < 0) ||
	    (snprintf(p, sizeof p, "%s" SEP UNAME, dir),
	     t_write(p, "abc", 0) < 0)) {
		printf("Bail out! cannot make the fixture in %s\n", root);
		return 1;
	}

	/* opening */
	snprintf(p, sizeof p, "%s" SEP "missing", root);
	errno = 0;
	ok(!sys_pdir_open(p, 0) && errno == ENOENT, "open: missing is ENOENT");
	snprintf(p, sizeof p, "%s" SEP "file.txt", dir);
	errno = 0;
	ok(!sys_pdir_open(p, 0) && errno == ENOTDIR, "open: a file is ENOTDIR");
	errno = 0;
	ok(!sys_pdir_open(p, 1) && errno == ENOTDIR,
	   "open: a file is ENOTDIR with follow too");
	d = sys_pdir_open(dir, 0);
	ok(d != NULL, "open: the directory");
	if (!d) {
		printf("Bail out! sys_pdir_open: %s\n", strerror(errno));
		return 1;
	}

	/* itself */
	r = sys_pdir_self(d, &self0);
	ok(r == 0 && self0.type == SYS_DIRECTORY && self0.ino != 0 &&
		   self0.nlink >= 1,
	   "self: a directory with an inode and a link");
	printf("# self: ino %llu dev %llu nlink %u mtime %lld ctime %lld\n",
	       (unsigned long long)self0.ino, (unsigned long long)self0.dev,
	       self0.nlink, (long long)self0.mtime, (long long)self0.ctime);

	/* listing, with and without stat */
	r = list(d, 1, &l);
	ok(r == 0 && l.n == 3, "list: three entries, no . or ..");
	a = find(&l, "file.txt");
	b = find(&l, "sub");
	c = find(&l, UNAME);
	ok(a && b && c, "list: names as made, the non-ASCII one in UTF-8");
	ok(a && b && c && a->type == SYS_FILE && b->type == SYS_DIRECTORY &&
		   c->type == SYS_FILE,
	   "list: types");
	ok(a && c && a->size == 5 && c->size == 3, "list: sizes");
	ok(a && b && c && a->ino && b->ino && c->ino && a->ino != b->ino &&
		   a->ino != c->ino && b->ino != c->ino,
	   "list: inodes non-zero and distinct");
	ok(a && c && a->mtime > 0 && c->mtime > 0 && a->ctime > 0,
	   "list (stat): times known");
	if (a)
		printf("# file.txt: ino %llu dev %llu size %lld mtime %lld "
		       "ctime %lld\n",
		       (unsigned long long)a->ino, (unsigned long long)a->dev,
		       (long long)a->size, (long long)a->mtime,
		       (long long)a->ctime);
	r = list(d, 0, &l2);
	ok(r == 0 && l2.n == 3 && a && b && c &&
		   find(&l2, "file.txt") && find(&l2, "sub") &&
		   find(&l2, UNAME) &&
		   find(&l2, "file.txt")->ino == a->ino &&
		   find(&l2, "sub")->ino == b->ino &&
		   find(&l2, UNAME)->ino == c->ino &&
		   find(&l2, "sub")->type == SYS_DIRECTORY,
	   "list (no stat): the same names, inodes and types");

	/* one entry */
	r = sys_pdir_stat(d, "file.txt", &si);
	ok(r == 0 && a && si.type == SYS_FILE && si.size == 5 &&
		   si.ino == a->ino && si.mtime == a->mtime,
	   "stat: what the listing said");
	r = sys_pdir_stat(d, UNAME, &si);
	ok(r == 0 && c && si.size == 3 && si.ino == c->ino,
	   "stat: the non-ASCII name");
	r = sys_pdir_stat(d, "sub", &si);
	ok(r == 0 && b && si.type == SYS_DIRECTORY && si.ino == b->ino,
	   "stat: the subdirectory");
	errno = 0;
	r = sys_pdir_stat(d, "missing", &si);
	ok(r == -1 && errno == ENOENT, "stat: missing is ENOENT");

	/* a write moves the size and mtime */
	t_sleep(50);
	snprintf(p, sizeof p, "%s" SEP "file.txt", dir);
	if (t_write(p, "more", 1) < 0)
		printf("# append failed\n");
	r = list(d, 1, &l2);
	b = find(&l2, "file.txt");
	ok(r == 0 && a && b && b->size == 9 && b->mtime != a->mtime &&
		   b->ino == a->ino,
	   "write: the listing sees the new size and mtime");
	r = sys_pdir_stat(d, "file.txt", &si);
	ok(r == 0 && b && si.size == 9 && si.mtime == b->mtime,
	   "write: so does stat");

	/* an attribute change moves ctime, not mtime */
	t_sleep(50);
	snprintf(p, sizeof p, "%s" SEP UNAME, dir);
	ok(t_chattr(p) == 0, "chmod/attributes changed");
	r = list(d, 1, &l2);
	b = find(&l2, UNAME);
	ok(r == 0 && c && b && b->ctime != c->ctime && b->mtime == c->mtime,
	   "attributes: the listing sees ctime move, mtime not");
	r = sys_pdir_stat(d, UNAME, &si);
	ok(r == 0 && b && si.ctime == b->ctime, "attributes: so does stat");

	/* deleted while someone holds it open: on Windows its name may
	 * stay until closed, its deletion pending; either way stat agrees
	 * with the listing */
	snprintf(p, sizeof p, "%s" SEP "held.txt", dir);
	{
		void *hold;
		int listed;
		if (t_write(p, "held", 0) < 0 || !(hold = t_hold(p))) {
			printf("# cannot make and hold %s\n", p);
			ok(0, "deleted while open: stat agrees with the listing");
		} else {
			ok(t_unlink(p) == 0, "deleted while open: allowed");
			r = list(d, 1, &l2);
			listed = find(&l2, "held.txt") != NULL;
			errno = 0;
			e = sys_pdir_stat(d, "held.txt", &si);
			printf("# listed %d, stat %d (%s), ino %llu\n", listed,
			       e, e ? strerror(errno) : "ok",
			       e ? 0ULL : (unsigned long long)si.ino);
			ok(r == 0 && (listed ? e == 0 && si.type == SYS_FILE
					     : e == -1 && errno == ENOENT),
			   "deleted while open: stat agrees with the listing");
			t_release(hold);
		}
		r = list(d, 0, &l2);
		ok(r == 0 && l2.n == 3 && !find(&l2, "held.txt"),
		   "deleted while open: gone once closed");
	}

	/* FN stops the listing */
	memset(&l2, 0, sizeof l2);
	l2.stop_at = 1;
	errno = 0;
	r = sys_pdir_list(d, 0, collect, &l2);
	e = errno;
	ok(r == -1 && l2.calls == 1 && e == EINTR,
	   "list: FN's -1 stops it with FN's errno");

	/* renamed while held: still the same directory */
	ok(t_rename(dir, dir2) == 0, "rename: allowed while held");
	r = sys_pdir_self(d, &si);
	ok(r == 0 && si.ino == self0.ino && si.nlink >= 1,
	   "rename: self is the same directory");
	/* a new directory where it was, and an entry added under the new
	 * name */
	snprintf(p, sizeof p, "%s" SEP "file.txt", dir);
	if (t_mkdir(dir) < 0 || t_write(p, "x", 0) < 0)
		printf("# cannot make the decoy %s\n", dir);
	snprintf(p, sizeof p, "%s" SEP "new.txt", dir2);
	if (t_write(p, "new", 0) < 0)
		printf("# cannot write %s\n", p);
	r = list(d, 0, &l2);
	show(r, &l2);
	ok(r == 0 && l2.n == 4 && find(&l2, "new.txt") &&
		   find(&l2, "file.txt") && find(&l2, UNAME),
	   "rename: the listing follows the directory, and sees a new entry");
	r = sys_pdir_stat(d, "file.txt", &si);
	ok_but_wine(r == 0 && si.size == 9,
		    "rename: stat looks in the held directory, not at its "
		    "old path",
		    "Wine 8's GetFinalPathNameByHandleW gives the path a "
		    "handle was opened by, not its name after a rename");
	r = sys_pdir_stat(d, "new.txt", &si);
	ok_but_wine(r == 0 && si.size == 3, "rename: stat finds the new entry",
		    "the same");

	/* links: not followed unless asked */
	snprintf(lnk, sizeof lnk, "%s" SEP "lnk", root);
	if (t_symlink(dir2, lnk) < 0) {
		skip("link: open without follow is ENOTDIR",
		     "cannot make a symbolic link here");
		skip("link: open with follow is the directory",
		     "cannot make a symbolic link here");
		skip("link: listed as a link",
		     "cannot make a symbolic link here");
	} else {
		struct sys_pdir *ld;
		errno = 0;
		ld = sys_pdir_open(lnk, 0);
		ok(!ld && errno == ENOTDIR,
		   "link: open without follow is ENOTDIR");
		sys_pdir_close(ld);
		ld = sys_pdir_open(lnk, 1);
		ok(ld && sys_pdir_self(ld, &si) == 0 && si.ino == self0.ino,
		   "link: open with follow is the directory");
		sys_pdir_close(ld);
		ld = sys_pdir_open(root, 0);
		ok(ld && list(ld, 0, &l2) == 0 && find(&l2, "lnk") &&
			   find(&l2, "lnk")->type == SYS_LINK &&
			   sys_pdir_stat(ld, "lnk", &si) == 0 &&
			   si.type == SYS_LINK,
		   "link: listed as a link, and stat does not follow it");
		sys_pdir_close(ld);
		t_unlink(lnk);
		t_rmdir(lnk); /* a directory link on Windows */
	}

	/* removed while held */
	snprintf(p, sizeof p, "%s" SEP "file.txt", dir2);
	r = t_unlink(p);
	snprintf(p, sizeof p, "%s" SEP "new.txt", dir2);
	r |= t_unlink(p);
	snprintf(p, sizeof p, "%s" SEP UNAME, dir2);
	r |= t_unlink(p);
	snprintf(p, sizeof p, "%s" SEP "sub", dir2);
	r |= t_rmdir(p);
	ok(r == 0 && t_rmdir(dir2) == 0, "remove: allowed while held");
	r = sys_pdir_self(d, &si2);
	e = errno;
	printf("# self after removal: %d (%s), nlink %u\n", r,
	       r ? strerror(e) : "ok", r ? 0 : si2.nlink);
	ok_but_wine(r == -1 || si2.nlink == 0,
		    "remove: self says nlink 0, or fails",
		    "Wine 8 never says DeletePending, and gives a "
		    "directory one link whatever happened to it");
	r = list(d, 0, &l2);
	ok(r == -1 || l2.n == 0, "remove: the listing is empty, or fails");
	sys_pdir_close(d);

	/* nothing left behind once closed */
	snprintf(p, sizeof p, "%s" SEP "file.txt", dir);
	t_unlink(p);
	t_rmdir(dir);
	ok(t_rmdir(root) == 0, "close: the tree can be removed");

	printf("1..%d\n", count);
	return failed ? 1 : 0;
}
