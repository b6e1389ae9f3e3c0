/*
 * test_core.c - the portable core (src/watch.c, src/core/) running on
 * the FSEvents backend, on Linux: the whole loop as fwatch runs it on a
 * Mac, with the service's callbacks scripted (fake_fsevents.c) on real
 * directories, and the events a user would see checked.  It shows that
 * the backend keeps the contract of backend.h as the core reads it: one
 * stream for a whole tree, entries named by their path below it,
 * recursion into new directories, renames, removed trees, overflows and
 * their rescans, the PATH itself going away; and that the core and the
 * backend lose nothing silently when memory runs out.
 *
 * Linked with the core (the Makefile's CORE_SRC and POLL_SRC),
 * src/sys_posix.c, src/wakepipe.c, the backend and its translator, the
 * kqueue backend it keeps for directories watched alone, fake_fsevents.c
 * and fake_kevent.c; output is TAP.  The Makefile builds every file with
 * malloc, calloc and realloc renamed (OOMFLAGS); this one puts them
 * back for itself and defines the renamed ones, which fail the
 * allocation they are told to, for oom_sweep().  The fake service's
 * allocations are its own (it undoes the renaming).
 */
#undef malloc
#undef calloc
#undef realloc
#undef _POSIX_C_SOURCE
#define _DEFAULT_SOURCE 1

#include <CoreServices/CoreServices.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/event.h>
#include <unistd.h>

#include "../../src/backend.h"
#include "../../src/watch.h"
#include "../bsd/fake_kevent.h"
#include "fake_fsevents.h"

#define CREATED kFSEventStreamEventFlagItemCreated
#define REMOVED kFSEventStreamEventFlagItemRemoved
#define RENAMED kFSEventStreamEventFlagItemRenamed
#define MODIFIED kFSEventStreamEventFlagItemModified
#define ISFILE kFSEventStreamEventFlagItemIsFile
#define ISDIR kFSEventStreamEventFlagItemIsDir

/* The core's backend table as on a Mac, and no stand-in for large
 * trees. */
const struct be_ops *const be_builtin[] = { &be_fsevents, &be_kqueue, NULL };
const struct be_ops *const be_large = NULL;
const size_t be_large_dirs = 50000;

/* ---- out of memory ------------------------------------------------------ */

void *oom_malloc(size_t n);
void *oom_calloc(size_t n, size_t size);
void *oom_realloc(void *p, size_t n);

static long oom_at; /* the oom_at'th allocation from now fails; 0: none */
static int oom_hit; /* and it did */

static int
oom_now(void)
{
	if (oom_at && --oom_at == 0) {
		oom_hit = 1;
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *
oom_malloc(size_t n)
{
	return oom_now() ? NULL : malloc(n);
}

void *
oom_calloc(size_t n, size_t size)
{
	return oom_now() ? NULL : calloc(n, size);
}

void *
oom_realloc(void *p, size_t n)
{
	return oom_now() ? NULL : realloc(p, n);
}

/* ---- the harness -------------------------------------------------------- */

static int ntest, nfail;
static fw_watcher *W;
static char base[256], warned[1024];

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

/* As is(), where the order of two directories in one listing is the
 * filesystem's: either of two. */
static void
is_either(const char *got, const char *want, const char *or,
	  const char *what)
{
	if (!ok(!strcmp(got, want) || !strcmp(got, or), "%s", what))
		printf("#   got:  %s\n#   want: %s\n#   or:   %s\n", got, want,
		       or);
}

static void
on_warn(void *ctx, const char *msg)
{
	(void)ctx;
	snprintf(warned, sizeof warned, "%s", msg);
}

/* Append to ACC (CAP bytes) every event until a quiet WAIT_MS, as
 * "kind path" or "rename a -> b", '/' after a directory; -1 if fw_read()
 * failed (said in ACC). */
static int
drain(char *acc, size_t cap, int wait_ms)
{
	const struct fw_event *ev;
	size_t len = strlen(acc);
	int n;
	while ((n = fw_read(W, wait_ms, &ev)) > 0)
		for (int i = 0; i < n && len < cap - 512; i++)
			len += (size_t)snprintf(
				acc + len, cap - len, "%s%s %s%s%s%s%s",
				len ? ", " : "", fw_kind_name(ev[i].kind),
				ev[i].old_path ? ev[i].old_path : "",
				ev[i].old_path && ev[i].flags & FW_EV_DIR
					? "/" : "",
				ev[i].old_path ? " -> " : "", ev[i].path,
				ev[i].flags & FW_EV_DIR ? "/" : "");
	if (n < 0)
		snprintf(acc + len, cap - len, "%serror: %s", len ? ", " : "",
			 strerror(errno));
	return n < 0 ? -1 : 0;
}

static const char *
events(void)
{
	static char out[8192];
	out[0] = '\0';
	drain(out, sizeof out, 50);
	return out;
}

static void
sh(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		exit(2);
	}
}

#define POST(...) post((const struct fake_ev[]){ __VA_ARGS__ },            \
		       sizeof((const struct fake_ev[]){ __VA_ARGS__ }) /        \
			       sizeof(struct fake_ev))

/* As POST, for the sweep: a batch no stream takes is no failure there
 * (memory ran out where the stream would have been made). */
#define QPOST(...)                                                            \
	fake_fse_post((const struct fake_ev[]){ __VA_ARGS__ },              \
		      sizeof((const struct fake_ev[]){ __VA_ARGS__ }) /     \
			      sizeof(struct fake_ev))

static void
post(const struct fake_ev *ev, size_t n)
{
	if (fake_fse_post(ev, n) < 1) {
		printf("# no stream for %s\n", ev[0].path);
		nfail++;
	}
}

/* ---- a recursive PATH --------------------------------------------------- */

static void
tree(void)
{
	struct fw_config cfg;
	uint64_t i;

	sh("mkdir -p w/old/deep && echo x > w/old/deep/f && echo y > w/top");
	memset(&cfg, 0, sizeof cfg);
	cfg.recursive = 1;
	cfg.events = FW_DEFAULT_EVENTS;
	cfg.warn = on_warn;
	if (!ok((W = fw_open(&cfg)) != NULL, "fw_open on fsevents") ||
	    !ok(fw_add(W, "w") == 0, "fw_add w, recursively"))
		exit(1);
	ok(fw_watch_count(W, NULL) == 3 && fake_fse_streams() == 1 &&
	   !strcmp(fw_backend_name(W), "fsevents"),
	   "three directories watched, with one FSEvents stream");

	sh("echo hi > w/a");
	POST({ "w/a", CREATED | MODIFIED | ISFILE, 0, 0 });
	is(events(), "create w/a, modify w/a",
	   "echo hi > w/a (created and modified in one record)");
	sh("echo more >> w/top");
	POST({ "w/top", MODIFIED | ISFILE, 0, 0 });
	is(events(), "modify w/top", "echo more >> w/top");

	sh("mkdir -p w/x/y && echo z > w/x/y/f");
	POST({ "w/x", CREATED | ISDIR, 0, 0 },
	     { "w/x/y", CREATED | ISDIR, 0, 0 },
	     { "w/x/y/f", CREATED | MODIFIED | ISFILE, 0, 0 });
	is(events(), "create w/x/, create w/x/y/, create w/x/y/f, "
	   "modify w/x/y/f",
	   "mkdir -p w/x/y && echo z > w/x/y/f: each once (the core's scan "
	   "and the stream's records agree)");
	ok(fw_watch_count(W, NULL) == 5 && fake_fse_streams() == 1,
	   "five directories, still one stream");
	sh("echo again >> w/x/y/f");
	POST({ "w/x/y/f", MODIFIED | ISFILE, 0, 0 });
	is(events(), "modify w/x/y/f", "a file in a new directory: modify");

	i = fake_ino("w/a");
	sh("mv w/a w/x/a2");
	POST({ "w/a", RENAMED | ISFILE, i, 0 },
	     { "w/x/a2", RENAMED | ISFILE, 0, 0 });
	is(events(), "rename w/a -> w/x/a2", "mv w/a w/x/a2: one rename");

	i = fake_ino("w/x");
	sh("mv w/x w/z");
	POST({ "w/x", RENAMED | ISDIR, i, 0 });
	POST({ "w/z", RENAMED | ISDIR, 0, 0 });
	is(events(), "rename w/x/ -> w/z/",
	   "mv w/x w/z, its halves in two callbacks: a directory renamed");
	sh("echo later >> w/z/y/f");
	POST({ "w/z/y/f", MODIFIED | ISFILE, 0, 0 });
	is(events(), "modify w/z/y/f", "below it, paths use the new name");

	i = fake_ino("w/top");
	sh("mv w/top w/top2 && touch w/top");
	POST({ "w/top", RENAMED | CREATED | ISFILE, i, 0 },
	     { "w/top2", RENAMED | ISFILE, 0, 0 });
	is(events(), "rename w/top -> w/top2, create w/top",
	   "mv w/top w/top2 && touch w/top: the rename, then the new file");

	i = fake_ino("w/z/a2");
	sh("mv w/z/a2 ../a2-out");
	POST({ "w/z/a2", RENAMED | ISFILE, i, 0 });
	is(events(), "delete w/z/a2", "a file moved out of the tree: delete");
	sh("mv ../a2-out w/back");
	POST({ "w/back", RENAMED | ISFILE, 0, 0 });
	is(events(), "create w/back",
	   "and back in: create (its content was written outside the tree: "
	   "no modify, as with inotify)");

	sh("rm -r w/z");
	POST({ "w/z/y/f", REMOVED | ISFILE, 0, 0 },
	     { "w/z/y", REMOVED | ISDIR, 0, 0 },
	     { "w/z", REMOVED | ISDIR, 0, 0 });
	is(events(), "delete w/z/y/f, delete w/z/y/, delete w/z/",
	   "rm -r w/z: a flood of removes, each a delete, inner first");
	ok(fw_watch_count(W, NULL) == 3, "(their directories are no longer "
	   "watched)");

	sh("rm -r w/old && echo file > w/old");
	POST({ "w/old/deep/f", REMOVED | ISFILE, 0, 0 },
	     { "w/old/deep", REMOVED | ISDIR, 0, 0 },
	     { "w/old", REMOVED | CREATED | MODIFIED | ISDIR | ISFILE, 0, 0 });
	is(events(), "delete w/old/deep/f, delete w/old/deep/, delete w/old/, "
	   "create w/old, modify w/old",
	   "a directory replaced by a file of the same name");
	ok(fw_watch_count(W, NULL) == 1, "(its watches are gone)");

	sh("touch w/unsaid && mkdir w/d2 && touch w/d2/in");
	POST({ "w", kFSEventStreamEventFlagMustScanSubDirs, 0, 0 });
	is(events(), "overflow , create w/d2/, create w/d2/in",
	   "MustScanSubDirs: overflow, and the rescan finds the new directory "
	   "(a new file only with --snapshot, below)");
	ok(fw_watch_count(W, NULL) == 2, "(and watches the new directory)");

	POST({ "w/top", MODIFIED | ISFILE, 0, fake_fse_now() - 50 },
	     { "w", kFSEventStreamEventFlagHistoryDone, 0, fake_fse_now() - 50 });
	is(events(), "", "history from before the stream started: nothing");

	sh("mv w w-moved");
	POST({ "w", kFSEventStreamEventFlagRootChanged, 0, 0 });
	is(events(), "delete w/", "RootChanged, the PATH moved away: it is gone");
	ok(fw_roots_left(W) == 0 && fake_fse_streams() == 0,
	   "nothing left to watch, no stream left");
	ok(!warned[0], "no warnings%s%s", warned[0] ? ": " : "", warned);
	fw_close(W);
	W = NULL;
	sh("rm -r w-moved");
}

/* With --snapshot, an overflow's rescan says what changed: the files
 * too. */
static void
snapshot(void)
{
	struct fw_config cfg;
	sh("mkdir -p s/d && echo 1 > s/keep && echo 2 > s/d/gone");
	memset(&cfg, 0, sizeof cfg);
	cfg.recursive = 1;
	cfg.snapshot = 1;
	cfg.events = FW_DEFAULT_EVENTS;
	cfg.warn = on_warn;
	if (!ok((W = fw_open(&cfg)) != NULL, "--snapshot: a watcher") ||
	    !ok(fw_add(W, "s") == 0, "fw_add s"))
		return;
	sh("echo new > s/new && rm s/d/gone && echo 22 >> s/keep && "
	   "echo 3 > s/d/born");
	POST({ "s/d", kFSEventStreamEventFlagKernelDropped |
			      kFSEventStreamEventFlagMustScanSubDirs, 0, 0 });
	is(events(), "overflow , create s/d/born, modify s/d/born, "
	   "delete s/d/gone",
	   "KernelDropped on s/d with --snapshot: overflow, then the "
	   "difference in s/d only (s/new, s/keep: nobody said they were "
	   "missed)");
	POST({ "s", kFSEventStreamEventFlagMustScanSubDirs, 0, 0 });
	is(events(), "overflow , create s/new, modify s/new, modify s/keep",
	   "MustScanSubDirs on s: the rest of the difference, and s/d's "
	   "again not (the snapshot kept in step)");
	fw_close(W);
	W = NULL;
}

/* MustScanSubDirs on a subdirectory: that subtree is rescanned, from
 * the nearest directory still watched, and nothing outside it. */
static void
scoped(void)
{
	struct fw_config cfg;
	sh("mkdir -p p/a/inner/gone p/b");
	memset(&cfg, 0, sizeof cfg);
	cfg.recursive = 1;
	cfg.events = FW_DEFAULT_EVENTS;
	cfg.warn = on_warn;
	if (!ok((W = fw_open(&cfg)) != NULL, "scoped: a watcher") ||
	    !ok(fw_add(W, "p") == 0, "fw_add p"))
		return;
	sh("mkdir p/a/new p/b/new2 && rmdir p/a/inner/gone");
	POST({ "p/a", kFSEventStreamEventFlagMustScanSubDirs, 0, 0 });
	is(events(), "overflow , create p/a/new/, delete p/a/inner/gone/",
	   "MustScanSubDirs on p/a: what changed below p/a while blind "
	   "(p/b/new2 is not below it)");
	ok(fw_watch_count(W, NULL) == 5, "(p/a/new watched, p/a/inner/gone "
	   "no longer; p/b/new2 not yet)");
	sh("mkdir p/a/new/x p/a/new/x/y");
	POST({ "p/a/new/x/y", kFSEventStreamEventFlagMustScanSubDirs, 0, 0 },
	     { "p/a/new/x", kFSEventStreamEventFlagMustScanSubDirs, 0, 0 },
	     { "p/a", kFSEventStreamEventFlagUserDropped |
			      kFSEventStreamEventFlagMustScanSubDirs, 0, 0 });
	is(events(), "overflow , create p/a/new/x/, create p/a/new/x/y/",
	   "three losses in one read, one inside another and below "
	   "directories not yet watched: one overflow, p/a rescanned once");
	sh("mv p/a a-out && mkdir p/a");
	POST({ "p/a", kFSEventStreamEventFlagMustScanSubDirs, 0, 0 });
	is_either(events(), "overflow , create p/a/, create p/b/new2/, "
		  "delete p/a/", "overflow , create p/b/new2/, create p/a/, "
		  "delete p/a/",
	   "p/a is another directory now: its parent p is rescanned (the new "
	   "p/a, and p/b/new2 found now; the old p/a gone)");
	ok(fw_watch_count(W, NULL) == 4, "(p, p/a, p/b, p/b/new2 watched)");
	sh("mkdir p/b/new3 p/a/z");
	POST({ "p", kFSEventStreamEventFlagMustScanSubDirs, 0, 0 },
	     { "p/b", kFSEventStreamEventFlagMustScanSubDirs, 0, 0 });
	is_either(events(), "overflow , create p/a/z/, create p/b/new3/",
		  "overflow , create p/b/new3/, create p/a/z/",
	   "a loss of the whole PATH swallows one of p/b");
	ok(!warned[0], "no warnings%s%s", warned[0] ? ": " : "", warned);
	fw_close(W);
	W = NULL;
	sh("rm -r p a-out");

	/* git's rules of the directories above the subtree still rule it */
	if (system("git init -q g 2>/dev/null") != 0) {
		printf("ok %d # skip scoped, --gitignore: no git here to make "
		       "a work tree\n", ++ntest);
		return;
	}
	sh("mkdir -p g/sub/deep && printf 'skip/\\n*.log\\n' > g/.gitignore");
	cfg.snapshot = 1;
	cfg.gitignore = FW_GITIGNORE_ON;
	if (!ok((W = fw_open(&cfg)) != NULL, "scoped, --gitignore: a watcher") ||
	    !ok(fw_add(W, "g") == 0, "fw_add g"))
		return;
	sh("mkdir g/sub/deep/skip && touch g/sub/deep/a.log g/sub/deep/keep "
	   "g/sub/deep/skip/x g/out");
	POST({ "g/sub/deep", kFSEventStreamEventFlagMustScanSubDirs, 0, 0 });
	is(events(), "overflow , create g/sub/deep/keep",
	   "MustScanSubDirs on g/sub/deep with --gitignore --snapshot: what "
	   "g/.gitignore leaves out stays out, g/out is not below it");
	fw_close(W);
	W = NULL;
	sh("rm -r g");
}

/* ---- a file PATH: kqueue's ----------------------------------------------- */

/*
 * A file PATH's directory is watched alone: by the kqueue the backend
 * keeps, not by a stream (which would hear of everything below the
 * directory).  The kevents posted are those a Mac's kernel sends.
 */
static void
file_path(void)
{
	struct fw_config cfg;
	int fa;
	sh("mkdir f && echo one > f/app.log && mkdir f/sub");
	memset(&cfg, 0, sizeof cfg);
	cfg.events = FW_DEFAULT_EVENTS;
	cfg.warn = on_warn;
	if (!ok((W = fw_open(&cfg)) != NULL, "file PATH: a watcher") ||
	    !ok(fw_add(W, "f/app.log") == 0, "fw_add f/app.log"))
		return;
	ok(fake_fse_streams() == 0 && fake_ident("f") >= 0 &&
	   fake_ident("f/app.log") >= 0,
	   "no stream: kqueue holds its directory and the file");
	sh("echo two >> f/app.log");
	fake_post_path("f/app.log", NOTE_WRITE | NOTE_EXTEND);
	is(events(), "modify f/app.log", "echo two >> f/app.log: modify");
	sh("touch f/other f/sub/deeper");
	fake_post_path("f", NOTE_WRITE);
	is(events(), "", "a sibling and a file further down: nothing");
	fa = fake_ident("f/app.log");
	sh("printf 'x=1\\n' > f/.tmp && mv f/.tmp f/app.log");
	fake_post(fa, NOTE_DELETE);
	fake_post_path("f", NOTE_WRITE);
	is(events(), "modify f/app.log",
	   "a temporary file written and renamed over it: modify");
	fa = fake_ident("f/app.log");
	sh("rm f/app.log");
	fake_post(fa, NOTE_DELETE);
	fake_post_path("f", NOTE_WRITE);
	is(events(), "delete f/app.log", "rm f/app.log: delete");
	ok(!warned[0], "no warnings%s%s", warned[0] ? ": " : "", warned);
	fw_close(W);
	W = NULL;
	ok(fake_registered() == 0, "closed: no descriptor left");
}

/* A tree and a file PATH in one watcher: a stream for the one, kqueue
 * for the other, their news in one read. */
static void
both(void)
{
	struct fw_config cfg;
	sh("mkdir -p t2/d g2 && echo 1 > g2/x.log");
	memset(&cfg, 0, sizeof cfg);
	cfg.recursive = 1;
	cfg.events = FW_DEFAULT_EVENTS;
	cfg.warn = on_warn;
	if (!ok((W = fw_open(&cfg)) != NULL, "both: a watcher") ||
	    !ok(fw_add(W, "t2") == 0 && fw_add(W, "g2/x.log") == 0,
		"fw_add t2 g2/x.log, recursively"))
		return;
	ok(fake_fse_streams() == 1 && fake_ident("g2/x.log") >= 0,
	   "one stream for the tree, kqueue for the file");
	sh("echo new > t2/d/n && echo 2 >> g2/x.log");
	POST({ "t2/d/n", CREATED | MODIFIED | ISFILE, 0, 0 });
	fake_post_path("g2/x.log", NOTE_WRITE | NOTE_EXTEND);
	is(events(), "create t2/d/n, modify t2/d/n, modify g2/x.log",
	   "news of both in one read");
	ok(!warned[0], "no warnings%s%s", warned[0] ? ": " : "", warned);
	fw_close(W);
	W = NULL;
	ok(fake_fse_streams() == 0 && fake_registered() == 0,
	   "closed: no stream, no descriptor left");
}

/* A file PATH inside a -r PATH: its directory is the tree's too. */
static void
inside(void)
{
	struct fw_config cfg;
	sh("mkdir -p t3/d && echo 1 > t3/x.log");
	memset(&cfg, 0, sizeof cfg);
	cfg.recursive = 1;
	cfg.events = FW_DEFAULT_EVENTS;
	cfg.warn = on_warn;
	if (!ok((W = fw_open(&cfg)) != NULL, "inside: a watcher") ||
	    !ok(fw_add(W, "t3") == 0 && fw_add(W, "t3/x.log") == 0,
		"fw_add t3 t3/x.log, recursively"))
		return;
	ok(fake_fse_streams() == 1 && fake_ident("t3") < 0,
	   "one stream, and the file's directory is the tree's (no kqueue)");
	sh("echo 2 >> t3/x.log");
	POST({ "t3/x.log", MODIFIED | ISFILE, 0, 0 });
	fake_post_path("t3/x.log", NOTE_WRITE | NOTE_EXTEND);
	is(events(), "modify t3/x.log", "a write to it: one modify");
	sh("touch t3/d/y");
	POST({ "t3/d/y", CREATED | ISFILE, 0, 0 });
	fake_post_path("t3", NOTE_WRITE);
	is(events(), "create t3/d/y", "a new file in the tree");
	ok(!warned[0], "no warnings%s%s", warned[0] ? ": " : "", warned);
	fw_close(W);

	/* the other way round: the file PATH first */
	if (!ok((W = fw_open(&cfg)) != NULL, "inside, file first: a watcher") ||
	    !ok(fw_add(W, "t3/x.log") == 0 && fw_add(W, "t3") == 0,
		"fw_add t3/x.log t3, recursively"))
		return;
	ok(fake_ident("t3") >= 0 && fake_fse_streams() == 1,
	   "the directory stays kqueue's; its subdirectory t3/d gets a "
	   "stream (%zu)", fake_fse_streams());
	sh("echo 3 >> t3/x.log && touch t3/d/z t3/top");
	fake_post_path("t3/x.log", NOTE_WRITE | NOTE_EXTEND);
	fake_post_path("t3", NOTE_WRITE);
	POST({ "t3/d/z", CREATED | ISFILE, 0, 0 });
	is(events(), "create t3/d/z, modify t3/x.log, create t3/top",
	   "each change once: the kqueue's for the directory, the stream's "
	   "below (in one read, the streams' first)");
	ok(!warned[0], "no warnings%s%s", warned[0] ? ": " : "", warned);
	fw_close(W);
	W = NULL;
}

/* ---- out of memory ------------------------------------------------------ */

/*
 * The sweep's scenario, with the K'th allocation from fw_add() on
 * failing (0: none): a new file, a new tree, a rename of a file and of
 * a directory, a removed tree.  What the core said goes to OUT, and
 * what it says after, with memory back, of a write below the renamed
 * directory, to AFTER.
 */
static void
oom_run(long k, char *out, char *after, size_t cap)
{
	struct fw_config cfg;
	uint64_t i;
	memset(&cfg, 0, sizeof cfg);
	cfg.recursive = 1;
	cfg.events = FW_DEFAULT_EVENTS;
	cfg.warn = on_warn;
	out[0] = after[0] = warned[0] = '\0';
	sh("rm -rf o && mkdir -p o/d1/d2 && echo x > o/d1/d2/f && "
	   "echo y > o/top");
	if (!(W = fw_open(&cfg)))
		exit(2);
	oom_hit = 0;
	oom_at = k;
	if (fw_add(W, "o") < 0) {
		snprintf(out, cap, "error: fw_add: %s", fw_error(W));
		goto done;
	}
	sh("echo hi > o/a");
	QPOST({ "o/a", CREATED | MODIFIED | ISFILE, 0, 0 });
	if (drain(out, cap, 0) < 0)
		goto done;
	sh("mkdir -p o/n/m && echo z > o/n/m/f");
	QPOST({ "o/n", CREATED | ISDIR, 0, 0 },
	      { "o/n/m", CREATED | ISDIR, 0, 0 },
	      { "o/n/m/f", CREATED | MODIFIED | ISFILE, 0, 0 });
	if (drain(out, cap, 0) < 0)
		goto done;
	i = fake_ino("o/a");
	sh("mv o/a o/n/a2");
	QPOST({ "o/a", RENAMED | ISFILE, i, 0 },
	      { "o/n/a2", RENAMED | ISFILE, 0, 0 });
	if (drain(out, cap, 0) < 0)
		goto done;
	i = fake_ino("o/n");
	sh("mv o/n o/p");
	QPOST({ "o/n", RENAMED | ISDIR, i, 0 },
	      { "o/p", RENAMED | ISDIR, 0, 0 });
	if (drain(out, cap, 0) < 0)
		goto done;
	sh("mkdir o/p/q");
	QPOST({ "o/p", kFSEventStreamEventFlagMustScanSubDirs, 0, 0 });
	if (drain(out, cap, 0) < 0)
		goto done;
	sh("rm -r o/d1");
	QPOST({ "o/d1/d2/f", REMOVED | ISFILE, 0, 0 },
	      { "o/d1/d2", REMOVED | ISDIR, 0, 0 },
	      { "o/d1", REMOVED | ISDIR, 0, 0 });
	if (drain(out, cap, 0) < 0)
		goto done;
	oom_at = 0;
	sh("echo again >> o/p/m/f");
	QPOST({ "o/p/m/f", MODIFIED | ISFILE, 0, 0 });
	drain(after, cap, 0);
done:
	oom_at = 0;
	fw_close(W);
	W = NULL;
}

/*
 * Out of memory, nothing is lost silently: with each allocation of the
 * core and of the backend failing in turn, the core says what happened,
 * or says overflow (and its rescan leaves the tree right: the write
 * after is reported under the directory's new name), or fails loudly.
 */
static void
oom_sweep(void)
{
	static const char all[] =
		"create o/a, modify o/a, create o/n/, create o/n/m/, "
		"create o/n/m/f, modify o/n/m/f, rename o/a -> o/n/a2, "
		"rename o/n/ -> o/p/, overflow , create o/p/q/, "
		"delete o/d1/d2/f, delete o/d1/d2/, "
		"delete o/d1/";
	static char out[8192], after[8192];
	long k, same = 0, over = 0, loud = 0, bad = 0;
	oom_run(0, out, after, sizeof out);
	is(out, all, "oom: the scenario, with memory");
	is(after, "modify o/p/m/f", "oom: and the write after it");
	for (k = 1; k < 100000; k++) {
		oom_run(k, out, after, sizeof out);
		if (!oom_hit)
			break;
		if (strstr(out, "error: ") || warned[0]) {
			loud++;
		} else if (strstr(out, "overflow") &&
			   !strcmp(after, "modify o/p/m/f")) {
			over++;
		} else if (!strcmp(out, all) &&
			   !strcmp(after, "modify o/p/m/f")) {
			same++;
		} else if (bad++ < 5) {
			printf("# allocation %ld failing: %s\n#   then: %s\n", k,
			       out, after);
		}
	}
	ok(k > 1 && k < 100000 && !bad,
	   "oom: each of %ld allocations failing in turn: %ld without a "
	   "loss, %ld an overflow and a rescan, %ld an error; %ld silent",
	   k - 1, same, over, loud, bad);
	ok(fake_fse_streams() == 0, "(no stream left behind)");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char real[256];
	snprintf(base, sizeof base, "%s/fwatch-fsecore.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(base) || !realpath(base, real) || chdir(real) < 0) {
		perror(base);
		return 2;
	}
	snprintf(base, sizeof base, "%s", real);
	tree();
	snapshot();
	scoped();
	file_path();
	both();
	inside();
	oom_sweep();
	if (chdir("/") == 0) {
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
		sh(cmd);
	}
	printf("1..%d\n", ntest);
	return nfail ? 1 : 0;
}
