/*
 * test_fsevents.c - the FSEvents backend on Linux: its translator
 * (src/fse_translate.c) given hand-made batches about real files in a
 * temporary directory, then the backend (src/watch_fsevents.c) with the
 * batches delivered by the scripted service of fake_fsevents.c, on its
 * queue's thread, through the backend's mutex and pipe, and the kqueue
 * it keeps for directories watched alone over fake_kevent.c.  Each batch is
 * one a Mac could send for the commands beside it; which flags FSEvents
 * sets for a command is Apple's documentation and other projects'
 * observation, not a run on a Mac.  Output is TAP.
 */
#define _DEFAULT_SOURCE 1

#include <CoreServices/CoreServices.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/event.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../src/backend.h"
#include "../../src/fse_translate.h"
#include "../bsd/fake_kevent.h"
#include "fake_fsevents.h"

#define CREATED kFSEventStreamEventFlagItemCreated
#define REMOVED kFSEventStreamEventFlagItemRemoved
#define RENAMED kFSEventStreamEventFlagItemRenamed
#define MODIFIED kFSEventStreamEventFlagItemModified
#define META kFSEventStreamEventFlagItemInodeMetaMod
#define ISFILE kFSEventStreamEventFlagItemIsFile
#define ISDIR kFSEventStreamEventFlagItemIsDir

static int ntest, nfail;
static char base[256];

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
	return cond;
}

static void
is(const char *got, const char *want, const char *what)
{
	if (!ok(!strcmp(got, want), "%s", what))
		printf("#   got:  %s\n#   want: %s\n", got, want);
}

static void
sh(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		exit(2);
	}
}

/* Records as "create a, modify a, from b/ #1, to c/ #1, overflow";
 * cookies numbered in the order they appear; "." names the directory
 * itself; "@ID" follows the name when the id is not WANT_ID. */
static const char *
say(const struct fw_raw *r, int n, int want_id)
{
	static char out[4096];
	uint32_t seen[64];
	size_t len = 0, nseen = 0;
	out[0] = '\0';
	for (int i = 0; i < n && len < sizeof out - 256; i++) {
		unsigned f = r[i].flags & ~BE_ISDIR;
		const char *k = f == BE_CREATE ? "create"
			: f == BE_DELETE ? "delete"
			: f == BE_MODIFY ? "modify"
			: f == BE_ATTRIB ? "attrib"
			: f == BE_MOVED_FROM ? "from"
			: f == BE_MOVED_TO ? "to"
			: f == (BE_SELF_DELETE | BE_IGNORED) ? "gone"
			: f == BE_OVERFLOW ? "overflow" : "?";
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%s",
					len ? ", " : "", k);
		if (f == BE_OVERFLOW) { /* "overflow [SUBTREE] [@ID]" */
			len += (size_t)snprintf(
				out + len, sizeof out - len, "%s%.*s",
				r[i].name_len ? " " : "", (int)r[i].name_len,
				r[i].name);
			if (r[i].id != want_id)
				len += (size_t)snprintf(out + len,
							sizeof out - len,
							" @%d", r[i].id);
			continue;
		}
		len += (size_t)snprintf(out + len, sizeof out - len, " %.*s%s",
					r[i].name_len ? (int)r[i].name_len : 1,
					r[i].name_len ? r[i].name : ".",
					r[i].flags & BE_ISDIR ? "/" : "");
		if (r[i].id != want_id)
			len += (size_t)snprintf(out + len, sizeof out - len,
						" @%d", r[i].id);
		if (r[i].cookie) {
			size_t k2 = 0;
			while (k2 < nseen && seen[k2] != r[i].cookie)
				k2++;
			if (k2 == nseen && nseen < 64)
				seen[nseen++] = r[i].cookie;
			len += (size_t)snprintf(out + len, sizeof out - len,
						" #%zu", k2 + 1);
		}
	}
	return out;
}

/* ---- the translator ----------------------------------------------------- */

static struct fse_out O;
static struct fse_root R;
static char rootpath[512];
static int looks;

static int
look(void *ctx, const char *path, struct fse_stat *st)
{
	struct stat s;
	(void)ctx;
	looks++;
	if (lstat(path, &s) < 0)
		return -1;
	st->isdir = S_ISDIR(s.st_mode);
	st->ino = (uint64_t)s.st_ino;
	return 0;
}

/* Paths of a batch are relative to the root here; the events carry
 * them absolute, as FSEvents does. */
struct tev {
	const char *rel;
	uint32_t flags;
	uint64_t ino;
	uint64_t id;
};

static uint64_t next_id = 5000;

/* Translate one batch; its records said, cookies numbered over the
 * whole of T's calls since the last reset (RESET). */
static const char *
batch(const struct tev *t, size_t n, int reset)
{
	static char paths[16][600];
	struct fse_event ev[16];
	if (reset && fse_reset(&O) < 0)
		abort();
	for (size_t i = 0; !reset && i < O.n; i++) /* names: offsets again */
		O.recs[i].name = (const char *)(uintptr_t)(O.recs[i].name -
							   O.names.p);
	for (size_t i = 0; i < n && i < 16; i++) {
		if (t[i].rel[0] == '/') /* absolute: as it is */
			snprintf(paths[i], sizeof paths[i], "%s", t[i].rel);
		else
			snprintf(paths[i], sizeof paths[i], "%s%s%s", rootpath,
				 t[i].rel[0] ? "/" : "", t[i].rel);
		ev[i].path = paths[i];
		ev[i].flags = t[i].flags;
		ev[i].ino = t[i].ino;
		ev[i].id = t[i].id ? t[i].id : ++next_id;
	}
	if (fse_translate(&O, &R, ev, n, look, NULL) < 0)
		return "error";
	fse_done(&O);
	return say(O.recs, (int)O.n, 7);
}
#define BATCH(...) batch((const struct tev[]){ __VA_ARGS__ },            \
			 sizeof((const struct tev[]){ __VA_ARGS__ }) /          \
				 sizeof(struct tev), 1)
#define MORE(...) batch((const struct tev[]){ __VA_ARGS__ },             \
			sizeof((const struct tev[]){ __VA_ARGS__ }) /           \
				sizeof(struct tev), 0)

static uint64_t
ino(const char *rel)
{
	char p[600];
	snprintf(p, sizeof p, "%s/%s", rootpath, rel);
	return fake_ino(p);
}

static void
root_reset(int subtree)
{
	memset(&R, 0, sizeof R);
	R.id = 7;
	R.path = rootpath;
	R.len = strlen(rootpath);
	R.subtree = subtree;
	R.since = 4000;
	R.ino = fake_ino(rootpath);
}

static void
translator(void)
{
	uint64_t ia, ib, id;
	snprintf(rootpath, sizeof rootpath, "%s/t", base);
	sh("mkdir t");
	root_reset(1);

	sh("echo hi > t/a");
	is(BATCH({ "a", CREATED | MODIFIED | ISFILE, 0, 0 }),
	   "create a, modify a",
	   "echo hi > a: created and modified in one record: create, modify");
	is(BATCH({ "a", MODIFIED | META | ISFILE, 0, 0 }), "modify a, attrib a",
	   "a write and a chmod in one record: modify, then attrib");
	sh("touch t/gone && rm t/gone");
	is(BATCH({ "gone", CREATED | MODIFIED | REMOVED | ISFILE, 0, 0 }),
	   "delete gone",
	   "created, written, removed in one record, not there now: delete");
	is(BATCH({ "later", CREATED | ISFILE, 0, 0 }), "",
	   "created but not there now, not said removed: nothing yet (its "
	   "removal comes in a later record)");
	sh("rm t/a && echo new > t/a");
	is(BATCH({ "a", REMOVED | CREATED | MODIFIED | ISFILE, 0, 0 }),
	   "delete a, create a, modify a",
	   "rm a; echo new > a in one record: delete, create, modify");

	/* renames */
	ia = ino("a");
	sh("mv t/a t/b");
	is(BATCH({ "a", RENAMED | ISFILE, ia, 0 },
		 { "b", RENAMED | ISFILE, ia, 0 }),
	   "from a #1, to b #1", "mv a b, both halves in one batch: a pair");
	ib = ino("b");
	sh("mv t/b t/c");
	is(BATCH({ "b", RENAMED | ISFILE, ib, 0 }), "from b #1",
	   "mv b c, the old half alone ending a batch: moved from, waiting");
	ok(R.pend, "(and remembered for the next batch)");
	is(MORE({ "c", RENAMED | ISFILE, ib, 0 }), "from b #1, to c #1",
	   "its new half opening the next batch: the same cookie");
	ok(!R.pend, "(nothing waits any more)");
	sh("mv t/c t/d");
	/* no file ids (before macOS 10.13): consecutive ids pair them */
	is(BATCH({ "c", RENAMED | ISFILE, 0, 0 },
		 { "d", RENAMED | ISFILE, 0, 0 }),
	   "from c #1, to d #1", "without file ids, consecutive ids pair");
	sh("mkdir -p out && mv t/d out/d && touch t/e && mv t/e t/f");
	id = ino("f");
	is(BATCH({ "d", RENAMED | ISFILE, ib, 0 },
		 { "e", CREATED | RENAMED | ISFILE, id, 0 },
		 { "f", RENAMED | ISFILE, id, 0 }),
	   "delete d, from e #1, to f #1",
	   "mv d out of the tree, then touch e; mv e f: delete d (a later "
	   "rename, not its partner, shows it went out); e's halves pair "
	   "(e's create is folded into the rename: e is not there now)");
	sh("mv out/d t/in");
	is(BATCH({ "in", RENAMED | ISFILE, 0, 0 }), "create in",
	   "mv ../out/d in (moved in from outside): create");
	ia = ino("in");
	sh("mv t/in t/moved && touch t/in");
	is(BATCH({ "in", RENAMED | CREATED | ISFILE, ia, 0 },
		 { "moved", RENAMED | ISFILE, ia, 0 }),
	   "from in #1, to moved #1, create in",
	   "mv in moved; touch in: the rename, then the new file (the file "
	   "id tells the old half from the new file now at its name)");
	sh("mkdir t/dir && mv t/dir t/dir2");
	id = ino("dir2");
	is(BATCH({ "dir", RENAMED | ISDIR, id, 0 },
		 { "dir2", RENAMED | ISDIR, id, 0 }),
	   "from dir/ #1, to dir2/ #1", "a directory renamed: both halves say so");

	/* rm -r: a flood of removes, deepest first */
	sh("mkdir -p t/r/s && touch t/r/x t/r/s/y && rm -r t/r");
	is(BATCH({ "r/x", REMOVED | ISFILE, 0, 0 },
		 { "r/s/y", REMOVED | ISFILE, 0, 0 },
		 { "r/s", REMOVED | ISDIR, 0, 0 }, { "r", REMOVED | ISDIR, 0, 0 }),
	   "delete r/x, delete r/s/y, delete r/s/, delete r/",
	   "rm -r r: every remove a delete, directories as such");

	/* a directory replaced by a file, and a file by a directory */
	sh("rm -r t/dir2 && echo x > t/dir2");
	is(BATCH({ "dir2", REMOVED | CREATED | ISDIR | ISFILE, 0, 0 }),
	   "delete dir2/, create dir2",
	   "rm -r dir2 && echo x > dir2 in one record: the directory "
	   "deleted, a file created");
	sh("rm t/dir2 && mkdir t/dir2");
	is(BATCH({ "dir2", REMOVED | CREATED | ISDIR | ISFILE, 0, 0 }),
	   "delete dir2, create dir2/", "and back: a file deleted, a directory "
	   "created");

	/* what is lost, and history */
	is(BATCH({ "", kFSEventStreamEventFlagMustScanSubDirs, 0, 0 },
		 { "", kFSEventStreamEventFlagUserDropped, 0, 0 },
		 { "", kFSEventStreamEventFlagKernelDropped, 0, 0 },
		 { "", kFSEventStreamEventFlagMount, 0, 0 },
		 { "", kFSEventStreamEventFlagUnmount, 0, 0 }),
	   "overflow, overflow, overflow, overflow, overflow",
	   "MustScanSubDirs, UserDropped, KernelDropped, Mount, Unmount on "
	   "the directory itself: each an overflow of all of it, on its id");
	sh("mkdir -p t/scan/deeper");
	is(BATCH({ "scan/deeper", kFSEventStreamEventFlagMustScanSubDirs, 0,
		   0 },
		 { "scan/", kFSEventStreamEventFlagMustScanSubDirs |
				    kFSEventStreamEventFlagKernelDropped,
		   0, 0 },
		 { "scan", kFSEventStreamEventFlagUserDropped, 0, 0 },
		 { "scan/mnt", kFSEventStreamEventFlagMount, 0, 0 },
		 { "scan/mnt", kFSEventStreamEventFlagUnmount, 0, 0 }),
	   "overflow scan/deeper, overflow scan, overflow scan, "
	   "overflow scan/mnt, overflow scan/mnt",
	   "MustScanSubDirs (with a dropped flag or not), UserDropped, Mount, "
	   "Unmount on a path below: an overflow of that subtree only, named "
	   "as an entry is");
	is(BATCH({ "/", kFSEventStreamEventFlagMustScanSubDirs |
				kFSEventStreamEventFlagUserDropped, 0, 0 },
		 { "/tmp/elsewhere", kFSEventStreamEventFlagKernelDropped, 0,
		   0 }),
	   "overflow, overflow",
	   "a loss named at a path not below the directory (the volume's "
	   "root, or anywhere else): an overflow of all of it");
	is(BATCH({ "f", CREATED | ISFILE, 0, 3999 },
		 { "f", MODIFIED | ISFILE, 0, 4000 },
		 { "", kFSEventStreamEventFlagHistoryDone, 0, 4000 },
		 { "f", MODIFIED | ISFILE, 0, 4001 }),
	   "modify f",
	   "history replayed after start (ids up to the stream's start) and "
	   "HistoryDone: dropped; what came after stays");
	is(BATCH({ "", kFSEventStreamEventFlagEventIdsWrapped, 0, 0 },
		 { "f", MODIFIED | ISFILE, 0, 3 }),
	   "overflow, modify f",
	   "EventIdsWrapped: an overflow of all of the directory, and small "
	   "ids after it are news");
	R.since = 4000;
	{
		char beside[600];
		snprintf(beside, sizeof beside, "%s/t-beside/f", base);
		sh("mkdir t-beside && touch t-beside/f");
		is(BATCH({ "/tmp", MODIFIED | ISDIR, 0, 0 },
			 { beside, CREATED | ISFILE, 0, 0 }), "",
		   "paths outside the directory (one beginning with its "
		   "name): dropped");
	}
	is(BATCH({ "", META | ISDIR, 0, 0 }, { "", MODIFIED | ISDIR, 0, 0 }),
	   "attrib ./",
	   "the directory's own attributes: attrib on the directory itself; "
	   "its entries changing: nothing of its own");
	sh("mkdir t/slash");
	is(BATCH({ "slash/", CREATED | ISDIR, 0, 0 }), "create slash/",
	   "a directory's path with a '/' after it: the same name");

	root_reset(0);
	sh("mkdir -p t/sub && touch t/sub/deep t/top");
	is(BATCH({ "sub/deep", MODIFIED | ISFILE, 0, 0 },
		 { "top", MODIFIED | ISFILE, 0, 0 }),
	   "modify top",
	   "not a subtree watch: what is below its entries is dropped");
	is(BATCH({ "sub", kFSEventStreamEventFlagMustScanSubDirs, 0, 0 }),
	   "overflow",
	   "not a subtree watch: a loss below it is an overflow of the "
	   "directory (its only node)");

	root_reset(1);
	is(BATCH({ "", kFSEventStreamEventFlagRootChanged, 0, 0 }), "overflow",
	   "RootChanged with the directory still there: an overflow of all "
	   "of it");
	sh("mv t t2 && mkdir t");
	is(BATCH({ "", kFSEventStreamEventFlagRootChanged, 0, 0 },
		 { "top", MODIFIED | ISFILE, 0, 0 }),
	   "gone .",
	   "RootChanged, another directory at its path now: the watched one "
	   "is gone (and nothing after is said)");
	is(BATCH({ "top", MODIFIED | ISFILE, 0, 0 }), "", "(nor in later batches)");
	root_reset(1);
	sh("rm -r t2 t");
	is(BATCH({ "sub/deep", REMOVED | ISFILE, 0, 0 },
		 { "", REMOVED | ISDIR, 0, 0 }),
	   "delete sub/deep, gone .",
	   "rm -r of the directory itself: its entries, then it is gone");

	/* out of memory is said, not hidden */
	fse_free(&O);
	ok(looks > 0, "(the disk was looked at: %d lstat calls)", looks);
}

/* ---- the backend -------------------------------------------------------- */

static struct backend *B;

/* Wait (bounded) and read what the backend has; "timeout" if nothing. */
static const char *
got(int want_id)
{
	const struct fw_raw *r;
	int drained, n, w = be_fsevents.wait(B, 2000);
	if (w != 1)
		return w == 0 ? "timeout" : w == BE_WOKEN ? "woken" : "error";
	if ((n = be_fsevents.read(B, &r, &drained)) < 0)
		return "error";
	return say(r, n, want_id);
}

#define POST(...) fake_fse_post((const struct fake_ev[]){ __VA_ARGS__ },   \
				sizeof((const struct fake_ev[]){ __VA_ARGS__ }) / \
					sizeof(struct fake_ev))

/* A batch posted while the test waits (on the queue's thread, as the
 * service would, some 50 ms later). */
static void *
late_post(void *arg)
{
	struct timespec ts = { 0, 50 * 1000000L };
	(void)arg;
	nanosleep(&ts, NULL);
	sh("echo y >> w/sub/deep/g");
	fake_fse_post((const struct fake_ev[]){
			      { "w/sub/deep/g", MODIFIED | ISFILE, 0, 0 } },
		      1);
	return NULL;
}

static void
backend(void)
{
	int w, sub, n, again, e;
	uint32_t want = kFSEventStreamCreateFlagUseCFTypes |
			kFSEventStreamCreateFlagNoDefer |
			kFSEventStreamCreateFlagWatchRoot |
			kFSEventStreamCreateFlagFileEvents |
			kFSEventStreamCreateFlagUseExtendedData;
	char hint[256];
	const char *h;

	sh("mkdir -p w/sub/deep n/inner && touch w/f");
	if (!ok(be_fsevents.open(&B, NULL) == 0, "open"))
		return;
	w = be_fsevents.watch(B, "w", BE_WANT_SUBTREE | BE_ONLYDIR);
	ok(w >= 0 && fake_fse_started() == 1, "a recursive PATH: one stream");
	ok(fake_fse_last_flags() == want,
	   "with FileEvents, NoDefer, WatchRoot, UseCFTypes, UseExtendedData "
	   "(flags %#x)", fake_fse_last_flags());
	ok(fake_fse_last_latency() == 0.0 &&
	   fake_fse_last_since() == kFSEventStreamEventIdSinceNow,
	   "latency 0, from now on");
	{
		char want_path[600];
		snprintf(want_path, sizeof want_path, "%s/w", base);
		is(fake_fse_last_path(), want_path,
		   "the stream names the directory by its real path");
	}
	sub = be_fsevents.watch(B, "w/sub", BE_WANT_SUBTREE | BE_ONLYDIR);
	ok(sub >= 0 && sub != w && fake_fse_streams() == 1,
	   "a directory below it: an id, no stream of its own");
	ok(be_fsevents.watch(B, "w/sub/deep", BE_WANT_SUBTREE) >= 0 &&
	   fake_fse_streams() == 1, "(nor for one further down)");
	ok(be_fsevents.watch(B, "w", BE_WANT_SUBTREE) == w,
	   "the same directory again: the same id");
	errno = 0;
	ok(be_fsevents.watch(B, "w/f", BE_ONLYDIR | BE_WANT_SUBTREE) == -1 &&
	   errno == ENOTDIR, "a file: ENOTDIR (directories only)");
	errno = 0;
	ok(be_fsevents.watch(B, "nothere", BE_ONLYDIR | BE_WANT_SUBTREE) == -1 &&
	   errno == ENOENT, "a path not there: ENOENT");

	ok(be_fsevents.wait(B, 30) == 0, "nothing posted: wait times out");
	sh("echo x > w/sub/deep/g");
	n = POST({ "w/sub/deep/g", CREATED | MODIFIED | ISFILE, 0, 0 });
	ok(n == 1, "(the service called back once)");
	is(got(w), "create sub/deep/g, modify sub/deep/g",
	   "a file created far down: named by its path below the PATH, on "
	   "the PATH's id");
	sh("mv w/f w/sub/f2");
	POST({ "w/f", RENAMED | ISFILE, fake_ino("w/sub/f2"), 0 });
	POST({ "w/sub/f2", RENAMED | ISFILE, 0, 0 });
	is(got(w), "from f #1, to sub/f2 #1",
	   "a rename whose halves came in two callbacks, read at once: paired");

	{
		/* more than the hand-over holds (HAND_MAX, 64 here) before a
		 * read: an overflow, not a buffer without bound */
		struct fake_ev many[80];
		const char *said;
		for (int i = 0; i < 80; i++) {
			many[i].path = "w/sub/deep/g";
			many[i].flags = MODIFIED | ISFILE;
			many[i].ino = many[i].id = 0;
		}
		fake_fse_post(many, 40);
		fake_fse_post(many, 40);
		said = got(w);
		ok(!strncmp(said, "overflow, modify sub/deep/g", 27),
		   "80 records handed over, 64 held: an overflow of the "
		   "stream's directory (on its id) first, then what was kept");
	}
	{
		/* the hand-over full while a second stream calls back: the
		 * overflow is that stream's, not the first's */
		struct fake_ev many[40], more[40];
		char want_start[64];
		const char *said;
		int w2;
		sh("mkdir w2 && touch w2/g");
		w2 = be_fsevents.watch(B, "w2", BE_WANT_SUBTREE | BE_ONLYDIR);
		for (int i = 0; i < 40; i++) {
			many[i].path = "w/sub/deep/g";
			more[i].path = "w2/g";
			many[i].flags = more[i].flags = MODIFIED | ISFILE;
			many[i].ino = many[i].id = more[i].ino = more[i].id = 0;
		}
		fake_fse_post(many, 40);
		fake_fse_post(more, 40);
		said = got(w);
		snprintf(want_start, sizeof want_start,
			 "overflow @%d, modify sub/deep/g,", w2);
		ok(w2 >= 0 && !strncmp(said, want_start, strlen(want_start)) &&
		   !strstr(said + 1, "overflow"),
		   "40 records of w, then 40 of w2, 64 held: an overflow of "
		   "w2's directory only, then what was kept of both");
		ok(be_fsevents.unwatch(B, w2) == 0, "(w2 unwatched)");
		sh("rm -r w2");
	}
	be_fsevents.wake(B);
	is(got(w), "woken", "wake() ends a wait");
	ok(be_fsevents.wait(B, 30) == 0, "(and only once)");

	/* a directory watched alone: the kqueue's */
	again = be_fsevents.watch(B, "n", BE_ONLYDIR);
	ok(again >= 0 && again != w && fake_fse_streams() == 1 &&
	   fake_ident("n") >= 0,
	   "a directory watched alone: kqueue's (a descriptor), no stream");
	sh("touch n/top n/inner/deep");
	fake_post_path("n", NOTE_WRITE);
	is(got(again), "create top", "kqueue's records come through, on its id");
	{
		pthread_t t;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (pthread_create(&t, NULL, late_post, NULL) != 0)
			abort();
		is(got(w), "modify sub/deep/g",
		   "a callback while kqueue's wait blocks: it wakes it");
		pthread_join(t, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ok(t1.tv_sec - t0.tv_sec < 2, "(within the bound)");
	}
	be_fsevents.wake(B);
	is(got(w), "woken", "wake() ends kqueue's wait too");
	ok(be_fsevents.wait(B, 30) == 0, "(and only once)");
	ok(be_fsevents.unwatch(B, again) == 0 && fake_ident("n") < 0,
	   "unwatched: the kqueue lets it go");

	/* the stream cannot start */
	fake_fse_start_fails = 1;
	errno = 0;
	ok(be_fsevents.watch(B, "n", BE_ONLYDIR | BE_WANT_SUBTREE) == -1 &&
	   errno == EIO &&
	   fake_fse_streams() == 1, "a stream that will not start: EIO, "
	   "nothing left behind");
	h = be_fsevents.limit_hint(NULL, EIO, 0, hint, sizeof hint);
	ok(h && strstr(h, "--backend kqueue"), "and the hint says what to do: %s",
	   h ? h : "(none)");

	/* the PATH itself */
	sh("rm -r w");
	POST({ "w/sub/deep/g", REMOVED | ISFILE, 0, 0 },
	     { "w/sub/deep", REMOVED | ISDIR, 0, 0 },
	     { "w/sub/f2", REMOVED | ISFILE, 0, 0 },
	     { "w/sub", REMOVED | ISDIR, 0, 0 }, { "w", REMOVED | ISDIR, 0, 0 });
	is(got(w), "delete sub/deep/g, delete sub/deep/, delete sub/f2, "
	   "delete sub/, gone .", "rm -r w: the deletes, then the PATH gone");
	e = be_fsevents.unwatch(B, w);
	ok(e == 0 && fake_fse_streams() == 0, "unwatched by the core: no stream");
	be_fsevents.close(B);
	ok(fake_cf_live() == 0, "closed: every CF object released (%ld live)",
	   fake_cf_live());
}

/* A system that refuses UseExtendedData (before macOS 10.13): the
 * stream is made without it, its paths come as strings with no file
 * ids, and renames are paired by event ids. */
static void
no_file_ids(void)
{
	int id;
	uint32_t want = kFSEventStreamCreateFlagUseCFTypes |
			kFSEventStreamCreateFlagNoDefer |
			kFSEventStreamCreateFlagWatchRoot |
			kFSEventStreamCreateFlagFileEvents;
	sh("mkdir -p old && touch old/a");
	fake_fse_no_extended = 1;
	if (!ok(be_fsevents.open(&B, NULL) == 0, "no file ids: open"))
		return;
	id = be_fsevents.watch(B, "old", BE_ONLYDIR | BE_WANT_SUBTREE);
	ok(id >= 0 && fake_fse_last_flags() == want,
	   "UseExtendedData refused: a stream without it (flags %#x)",
	   fake_fse_last_flags());
	sh("mv old/a old/b");
	POST({ "old/a", RENAMED | ISFILE, 0, 0 },
	     { "old/b", RENAMED | ISFILE, 0, 0 });
	is(got(id), "from a #1, to b #1",
	   "paths as strings, no file ids: the rename paired by event ids");
	be_fsevents.close(B);
	fake_fse_no_extended = 0;
	ok(fake_fse_streams() == 0 && fake_cf_live() == 0, "(closed)");
}

/* backends.c as macOS builds it (the Makefile compiles it so). */
static void
builtin(void)
{
	ok(be_builtin[0] == &be_fsevents && be_builtin[1] == &be_kqueue &&
	   be_builtin[2] == &be_poll && !be_builtin[3] && !be_large,
	   "on macOS: fsevents (the default), kqueue, poll, as --version "
	   "lists them; no stand-in for large trees");
	ok(!strcmp(be_fsevents.name, "fsevents") &&
	   (be_fsevents.caps & BE_CAP_SUBTREE),
	   "fsevents watches whole subtrees (BE_CAP_SUBTREE)");
}

/* Where no kqueue can start, a directory watched alone gets a stream. */
static void
no_kqueue(void)
{
	int id;
	sh("mkdir -p m/inner");
	fake_kqueue_errno = EMFILE;
	if (!ok(be_fsevents.open(&B, NULL) == 0, "no kqueue: open"))
		return;
	id = be_fsevents.watch(B, "m", BE_ONLYDIR);
	ok(id >= 0 && fake_fse_started() == 1,
	   "a directory watched alone, kqueue failing: a stream of its own");
	sh("touch m/top m/inner/deep");
	POST({ "m/inner/deep", CREATED | ISFILE, 0, 0 },
	     { "m/top", CREATED | ISFILE, 0, 0 });
	is(got(id), "create top", "its records below its entries are dropped");
	sh("touch m/late");
	POST({ "m/late", CREATED | ISFILE, 0, 0 });
	ok(be_fsevents.unwatch(B, id) == 0 && fake_fse_streams() == 0,
	   "unwatched: its stream stopped and released");
	{
		const struct fw_raw *r;
		int dr, n = be_fsevents.read(B, &r, &dr);
		ok(n == 0, "what it handed over and was not read is dropped "
		   "(its id may be given to another directory): %d records",
		   n);
	}
	ok(POST({ "m/top", MODIFIED | ISFILE, 0, 0 }) == 0 &&
	   be_fsevents.wait(B, 30) == 0, "and it calls back no more");
	errno = 0;
	ok(be_fsevents.unwatch(B, id) == -1 && errno == EINVAL,
	   "unwatching it again: EINVAL");
	be_fsevents.close(B);
	fake_kqueue_errno = 0;
}

/* stdout's reader gone (be_env.hup_fd): a wait ends, saying woken. */
static void
hup(void)
{
	struct be_env env;
	int p[2], r;
	memset(&env, 0, sizeof env);
	if (pipe(p) < 0)
		abort();
	close(p[0]);
	env.hup_fd = p[1];
	if (!ok(be_fsevents.open(&B, &env) == 0, "hup: open"))
		return;
	ok(be_fsevents.watch(B, "m", BE_ONLYDIR | BE_WANT_SUBTREE) >= 0,
	   "hup: a stream");
	r = be_fsevents.wait(B, 2000);
	ok(r == BE_WOKEN, "the reader of stdout gone: wait says woken (%d)",
	   r);
	be_fsevents.close(B);
	close(p[1]);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char real[256];
	snprintf(base, sizeof base, "%s/fwatch-fse.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(base) || !realpath(base, real) || chdir(real) < 0) {
		perror(base);
		return 2;
	}
	snprintf(base, sizeof base, "%s", real);
	translator();
	backend();
	no_kqueue();
	no_file_ids();
	hup();
	builtin();
	if (chdir("/") == 0) {
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
		sh(cmd);
	}
	printf("1..%d\n", ntest);
	return nfail ? 1 : 0;
}
