/*
 * test_core.c - the portable core (src/watch.c, src/core/) running on
 * the kqueue backend, on Linux: the whole loop as fwatch runs it on a
 * BSD, with the kernel's news posted by hand (as in test_kqueue.c) and
 * the events the user would see checked.  It shows that the backend
 * keeps the contract of backend.h as the core reads it: recursion into
 * new directories, rename pairing, removed subtrees, a watched PATH going
 * away; and that the core loses nothing silently when memory runs out.
 *
 * The backend's descriptor table and reader are included (their close()
 * goes through fake_kevent.c); linked with the core (the Makefile's
 * CORE_SRC), src/sys_posix.c, src/listing.c, src/recbuf.c, src/wakepipe.c
 * and fake_kevent.c; output is TAP.  The Makefile builds it with malloc,
 * calloc and realloc renamed (OOMFLAGS) in every file but this one, which
 * puts them back here, for itself and the backend it includes:
 * oom_malloc() and the rest fail the allocation they are told to, for
 * oom_sweep().
 */
#undef malloc
#undef calloc
#undef realloc
#undef _POSIX_C_SOURCE
#define _DEFAULT_SOURCE 1

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_kevent.h"

static int
t_close(int fd)
{
	fake_forget(fd); /* close() ends a descriptor's registrations */
	return close(fd);
}

#define close t_close
#include "../../src/bsd_vnode.c"
#include "../../src/watch_bsd.c"
#undef close

#include "../../src/filter.h"
#include "../../src/watch.h"

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

/*
 * kqueue as it would be without the modify it adds itself for a new
 * file's content ("written before it could be watched"): then only the
 * core's rule for a backend without BE_CAP_BIRTH_WRITES says it.
 */
static int
nobirth_read(struct backend *b, const struct fw_raw **recs, int *drained)
{
	static struct fw_raw *keep;
	static size_t cap;
	const struct fw_raw *in;
	int n = be_read(b, &in, drained), k = 0;
	if (n > 0 && (size_t)n > cap) {
		free(keep);
		cap = (size_t)n;
		if (!(keep = malloc(cap * sizeof *keep)))
			abort();
	}
	for (int i = 0; i < n; i++) {
		const struct fw_raw *p = i ? &in[i - 1] : NULL;
		if (p && in[i].flags == BE_MODIFY && (p->flags & BE_CREATE) &&
		    p->id == in[i].id && p->name_len == in[i].name_len &&
		    !memcmp(p->name, in[i].name, p->name_len))
			continue;
		keep[k++] = in[i];
	}
	*recs = keep;
	return n < 0 ? n : k;
}

/* be_kqueue with nobirth_read(), made in main() (copied, because this
 * file renames close() around watch_bsd.c, be_ops' member included) */
static struct be_ops be_kq_nobirth;

/* The core's backend table: kqueue (the default), as on a BSD. */
const struct be_ops *const be_builtin[] = { &be_kqueue, &be_kq_nobirth,
					    NULL };
/* and no stand-in for large trees, as on a BSD */
const struct be_ops *const be_large = NULL;
const size_t be_large_dirs = 50000;

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

static void
on_warn(void *ctx, const char *msg)
{
	(void)ctx;
	snprintf(warned, sizeof warned, "%s", msg);
}

/* Every event until a quiet 50 ms, as "kind path" or "rename a -> b". */
static const char *
events(void)
{
	static char out[8192];
	const struct fw_event *ev;
	size_t len = 0;
	int n;
	out[0] = '\0';
	while ((n = fw_read(W, 50, &ev)) > 0)
		for (int i = 0; i < n && len < sizeof out - 512; i++) {
			len += (size_t)snprintf(out + len, sizeof out - len,
						"%s%s ", len ? ", " : "",
						fw_kind_name(ev[i].kind));
			if (ev[i].kind == FW_RENAME)
				len += (size_t)snprintf(out + len,
							sizeof out - len,
							"%s%s -> ",
							ev[i].old_path,
							ev[i].flags & FW_EV_DIR
								? "/" : "");
			len += (size_t)snprintf(out + len, sizeof out - len,
						"%s%s", ev[i].path,
						ev[i].flags & FW_EV_DIR ? "/"
									: "");
		}
	if (n < 0)
		snprintf(out, sizeof out, "error: %s", strerror(errno));
	return out;
}

/* As events(), for a file PATH: each event also shows the fw_event's
 * size when it has one, and "replaced" when FW_EV_REPLACED is set, as
 * "modify f/app.log [8]" or "modify f/app.log [7, replaced]". */
static const char *
fevents(void)
{
	static char out[8192];
	const struct fw_event *ev;
	size_t len = 0;
	int n;
	out[0] = '\0';
	while ((n = fw_read(W, 50, &ev)) > 0)
		for (int i = 0; i < n && len < sizeof out - 512; i++) {
			const struct fw_event *e = &ev[i];
			len += (size_t)snprintf(out + len, sizeof out - len,
						"%s%s ", len ? ", " : "",
						fw_kind_name(e->kind));
			if (e->kind == FW_RENAME)
				len += (size_t)snprintf(out + len,
							sizeof out - len,
							"%s -> ", e->old_path);
			len += (size_t)snprintf(out + len, sizeof out - len,
						"%s", e->path);
			if (e->size >= 0 || (e->flags & FW_EV_REPLACED))
				len += (size_t)snprintf(
					out + len, sizeof out - len,
					" [%lld%s]", (long long)e->size,
					e->flags & FW_EV_REPLACED ? ", replaced"
								  : "");
		}
	if (n < 0)
		snprintf(out, sizeof out, "error: %s", strerror(errno));
	return out;
}

static void
post(const char *path, unsigned ff)
{
	if (fake_post_path(path, ff) < 0) {
		printf("# not watched: %s\n", path);
		nfail++;
	}
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

static void
sh(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		exit(2);
	}
}

/*
 * A file PATH (f/app.log): watched through its directory and its name,
 * by a second watcher, not recursive, with the default events.  The
 * kevents posted are the ones a BSD kernel sends: NOTE_WRITE on the
 * directory when names change, NOTE_WRITE/NOTE_EXTEND on the file's own
 * descriptor (kqueue has one open for each file of a directory watched
 * for content) when it is written, NOTE_DELETE when it is unlinked,
 * NOTE_RENAME when it is renamed.  (The fake kqueue has one queue at a
 * time, so the first watcher is closed before this one opens.)
 */
static void
file_paths(void)
{
	struct fw_config cfg;
	int fa, fd;

	sh("mkdir f && printf 'one\\n' > f/app.log && echo s > f/other");
	memset(&cfg, 0, sizeof cfg);
	cfg.recursive = 0;
	cfg.events = FW_DEFAULT_EVENTS;
	cfg.warn = on_warn;
	warned[0] = '\0';
	if (!ok((W = fw_open(&cfg)) != NULL, "file PATH: a second watcher") ||
	    !ok(fw_add(W, "f/app.log") == 0, "fw_add f/app.log"))
		return;
	{
		size_t files = 0, all = fw_watch_count(W, &files);
		ok(all == 1 && files == 1 && fw_roots_left(W) == 1,
		   "one file watched (%zu watches, %zu files)", all, files);
	}
	ok(fake_ident("f") >= 0 && fake_ident("f/app.log") >= 0 &&
	   fake_registered() == 2,
	   "kqueue holds its directory and a descriptor for the file, none "
	   "for its sibling");

	put("f/app.log", "two\n");
	post("f/app.log", NOTE_WRITE | NOTE_EXTEND);
	is(fevents(), "modify f/app.log [8]",
	   "printf 'two\\n' >> f/app.log: modify, with the new size");
	put("f/app.log", "three\n");
	post("f/app.log", NOTE_WRITE | NOTE_EXTEND);
	put("f/app.log", "four\n");
	post("f/app.log", NOTE_WRITE | NOTE_EXTEND);
	is(fevents(), "modify f/app.log [19]",
	   "two appends in one read: one modify, with the last size");

	if (truncate("f/app.log", 0) < 0) {
		perror("truncate");
		exit(2);
	}
	/* FreeBSD: truncate(2) and O_TRUNC say NOTE_ATTRIB alone */
	post("f/app.log", NOTE_ATTRIB);
	is(fevents(), "truncate f/app.log [0]",
	   ": > f/app.log (NOTE_ATTRIB): truncate, size 0");
	put("f/app.log", "again\n");
	post("f/app.log", NOTE_WRITE | NOTE_EXTEND);
	is(fevents(), "modify f/app.log [6]", "and the next append a modify");

	/* sed -i: the temporary file seen first, then renamed over */
	put("f/sedXYZ", "port=1\n");
	post("f", NOTE_WRITE);
	is(fevents(), "", "sed -i: its temporary file (a sibling) is not "
	   "reported");
	fa = fake_ident("f/app.log");
	fd = fake_ident("f/sedXYZ");
	sh("mv f/sedXYZ f/app.log");
	fake_post(fa, NOTE_DELETE);
	fake_post(fd, NOTE_RENAME);
	post("f", NOTE_WRITE);
	is(fevents(), "modify f/app.log [7, replaced]",
	   "sed -i: renamed over the file: modify, replaced");
	ok(fd < 0 && fake_ident("f/app.log") >= 0,
	   "(the temporary file had no descriptor; under the PATH's name it "
	   "has one)");
	put("f/app.log", "x\n");
	post("f/app.log", NOTE_WRITE | NOTE_EXTEND);
	is(fevents(), "modify f/app.log [9]",
	   "a write to the new file: modify, not replaced");

	/* the same save with everything in one read of events */
	fa = fake_ident("f/app.log");
	sh("printf 'port=22\\n' > f/.app.log.tmp && "
	   "mv f/.app.log.tmp f/app.log");
	fake_post(fa, NOTE_DELETE);
	post("f", NOTE_WRITE);
	is(fevents(), "modify f/app.log [8, replaced]",
	   "write a temporary file and mv it over, in one read: one modify, "
	   "replaced");

	/* deleted and made again in one read */
	fa = fake_ident("f/app.log");
	sh("rm f/app.log && printf 'new\\n' > f/app.log");
	fake_post(fa, NOTE_DELETE);
	post("f", NOTE_WRITE);
	is(fevents(), "modify f/app.log [4, replaced]",
	   "rm and a new f/app.log in one read: modify, replaced");

	/* rotation: mv app.log app.log.1; then a new app.log */
	fa = fake_ident("f/app.log");
	sh("mv f/app.log f/app.log.1");
	fake_post(fa, NOTE_RENAME);
	post("f", NOTE_WRITE);
	is(fevents(), "rename f/app.log -> f/app.log.1",
	   "mv f/app.log f/app.log.1: rename");
	ok(fw_roots_left(W) == 1, "(the name is still watched)");
	sh("touch f/app.log");
	post("f", NOTE_WRITE);
	is(fevents(), "create f/app.log [0]", "touch f/app.log: create");
	put("f/app.log.1", "old\n");
	post("f/app.log.1", NOTE_WRITE | NOTE_EXTEND);
	put("f/app.log", "new\n");
	post("f/app.log", NOTE_WRITE | NOTE_EXTEND);
	is(fevents(), "modify f/app.log [4]",
	   "the new file is followed, the rotated one is not");

	/* rotation with both steps in one read */
	fa = fake_ident("f/app.log");
	sh("mv f/app.log f/app.log.2 && touch f/app.log");
	fake_post(fa, NOTE_RENAME);
	post("f", NOTE_WRITE);
	is(fevents(), "rename f/app.log -> f/app.log.2, create f/app.log [0]",
	   "mv f/app.log f/app.log.2; touch f/app.log in one read: rename, "
	   "then create");

	/* delete: the name is waited for */
	fa = fake_ident("f/app.log");
	sh("rm f/app.log");
	fake_post(fa, NOTE_DELETE);
	post("f", NOTE_WRITE);
	is(fevents(), "delete f/app.log", "rm f/app.log: delete");
	ok(fw_roots_left(W) == 1, "(and the name is still watched)");
	sh("printf 'back\\n' > f/app.log");
	post("f", NOTE_WRITE);
	is(fevents(), "create f/app.log [5], modify f/app.log [5]",
	   "made again: create, and modify for its content");

	/* siblings: no descriptor, so their writes are no news at all */
	put("f/other2", "hi\n");
	post("f", NOTE_WRITE);
	is(fevents(), "", "a sibling created: nothing");
	ok(fake_ident("f/other2") < 0 && fake_ident("f/other") < 0,
	   "siblings hold no descriptor");
	sh("rm f/other2 && mv f/other f/other3");
	post("f", NOTE_WRITE);
	is(fevents(), "", "a sibling deleted, another renamed: nothing");

	/* the directory removed */
	{
		int fdir = fake_ident("f"), fs[5], ns = 0;
		const char *names[] = { "f/app.log", "f/app.log.1",
					"f/app.log.2", "f/other3" };
		for (int i = 0; i < 4; i++)
			fs[ns++] = fake_ident(names[i]);
		sh("rm -r f");
		for (int i = 0; i < ns; i++)
			fake_post(fs[i], NOTE_DELETE);
		fake_post(fdir, NOTE_WRITE);
		fake_post(fdir, NOTE_DELETE);
	}
	is(fevents(), "delete f/app.log", "rm -r f: the file PATH deleted");
	ok(fw_roots_left(W) == 0, "and gone: no PATH left");
	ok(fw_watch_count(W, NULL) == 0 && fake_registered() == 0,
	   "no watch or descriptor left (%zu watches, %zu registered)",
	   fw_watch_count(W, NULL), fake_registered());
	ok(!warned[0], "no warnings%s%s", warned[0] ? ": " : "", warned);
	fw_close(W);
	W = NULL;
}

/*
 * Files nobody wants cost no descriptor: 200 files --exclude'd, and the
 * strangers in the directory of a file PATH.  The descriptors are the
 * fake kqueue's registrations.
 */
static void
unwanted(void)
{
	struct fw_config cfg;
	struct filter flt;

	memset(&flt, 0, sizeof flt);
	memset(&cfg, 0, sizeof cfg);
	sh("mkdir x && for i in $(seq 1 200); do : > x/f$i.o; done && "
	   "echo c > x/main.c");
	if (filter_add(&flt, 1, "*.o") < 0)
		exit(2);
	cfg.recursive = 1;
	cfg.events = FW_DEFAULT_EVENTS;
	cfg.filter = &flt;
	cfg.warn = on_warn;
	if (!ok((W = fw_open(&cfg)) != NULL, "--exclude '*.o': a watcher") ||
	    !ok(fw_add(W, "x") == 0, "fw_add x, with 200 *.o files in it"))
		return;
	ok(fake_registered() == 2, "no descriptor for the 200 excluded files: "
	   "the directory's and main.c's only (%zu)", fake_registered());
	sh("echo o > x/new.o && echo c > x/new.c");
	post("x", NOTE_WRITE);
	is(events(), "create x/new.c, modify x/new.c",
	   "new files: the excluded one unseen, the other reported");
	ok(fake_registered() == 3 && fake_ident("x/new.o") < 0,
	   "and only the reported one watched");
	sh("mv x/f1.o x/f1.c");
	post("x", NOTE_WRITE);
	is(events(), "rename x/f1.o -> x/f1.c",
	   "an excluded file renamed to a name not excluded");
	put("x/f1.c", "now\n");
	post("x/f1.c", NOTE_WRITE | NOTE_EXTEND);
	is(events(), "modify x/f1.c", "is watched under its new name");
	fw_close(W);
	filter_free(&flt);

	sh("mkdir g && for i in $(seq 1 50); do : > g/o$i; done && "
	   "echo log > g/app.log");
	cfg.recursive = 0;
	cfg.filter = NULL;
	if (!ok((W = fw_open(&cfg)) != NULL, "file PATH: a watcher") ||
	    !ok(fw_add(W, "g/app.log") == 0,
		"fw_add g/app.log, with 50 other files beside it"))
		return;
	ok(fake_registered() == 2, "one file descriptor, the PATH's, and its "
	   "directory's (%zu)", fake_registered());
	ok(fw_add(W, "g/o7") == 0, "fw_add g/o7");
	ok(fake_registered() == 3, "a second file PATH in that directory: the "
	   "core asks again, and it gets one too (%zu)", fake_registered());
	put("g/o7", "x\n");
	post("g/o7", NOTE_WRITE | NOTE_EXTEND);
	is(fevents(), "modify g/o7 [2]", "and its writes are news");
	ok(!warned[0], "no warnings%s%s", warned[0] ? ": " : "", warned);
	fw_close(W);
	W = NULL;
}

/*
 * Two file PATHs in one directory, one renamed onto the other: kqueue
 * lists the directory again and sees the target's old file gone and
 * the other's moved; that is one rename, as on inotify.
 */
static void
fpath_onto(void)
{
	struct fw_config cfg;
	int ff, fo;
	memset(&cfg, 0, sizeof cfg);
	cfg.events = FW_DEFAULT_EVENTS;
	cfg.warn = on_warn;
	warned[0] = '\0';
	sh("mkdir two && echo a > two/file && echo b > two/other");
	if (!ok((W = fw_open(&cfg)) != NULL, "onto: a watcher") ||
	    !ok(fw_add(W, "two/file") == 0 && fw_add(W, "two/other") == 0,
		"fw_add two/file two/other"))
		return;
	ff = fake_ident("two/file");
	fo = fake_ident("two/other");
	sh("mv two/other two/file");
	fake_post(ff, NOTE_DELETE);
	fake_post(fo, NOTE_RENAME);
	post("two", NOTE_WRITE);
	is(fevents(), "rename two/other -> two/file",
	   "mv two/other two/file, both watched: one rename");
	put("two/file", "more\n");
	post("two/file", NOTE_WRITE | NOTE_EXTEND);
	is(fevents(), "modify two/file [7]",
	   "and two/file follows what it holds");
	ok(!warned[0], "no warnings%s%s", warned[0] ? ": " : "", warned);
	fw_close(W);
	W = NULL;
}

/*
 * A new file's first writes on a backend that does not report them
 * (no BE_CAP_BIRTH_WRITES), with kqueue-nobirth: the core looks at the
 * file after the read and says modify when it has content, once.
 */
static void
births(void)
{
	struct fw_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.recursive = 1;
	cfg.events = FW_DEFAULT_EVENTS;
	cfg.warn = on_warn;
	cfg.backend = "kqueue-nobirth";
	warned[0] = '\0';
	sh("mkdir -p b/sub && echo x > b/sub/old && printf 'one\\n' > b/app.log");
	if (!ok((W = fw_open(&cfg)) != NULL, "births: kqueue-nobirth") ||
	    !ok(fw_add(W, "b") == 0, "fw_add b"))
		return;
	put("b/a", "hi\n");
	post("b", NOTE_WRITE);
	is(events(), "create b/a, modify b/a",
	   "echo hi > b/a: the core looks at the new file and says modify");
	sh("touch b/empty");
	post("b", NOTE_WRITE);
	is(events(), "create b/empty", "touch b/empty: no content, no modify");
	sh("echo y > outside && mv outside b/sub/in");
	post("b/sub", NOTE_WRITE);
	is(events(), "create b/sub/in, modify b/sub/in",
	   "a file moved in from outside: create, modify");
	fw_close(W);

	/* a file PATH made again, and -e modify alone */
	cfg.recursive = 0;
	cfg.events = FW_BIT(FW_MODIFY);
	if (!ok((W = fw_open(&cfg)) != NULL, "births: a file PATH") ||
	    !ok(fw_add(W, "b/app.log") == 0, "fw_add b/app.log"))
		return;
	{
		int fa = fake_ident("b/app.log");
		sh("rm b/app.log");
		fake_post(fa, NOTE_DELETE);
		post("b", NOTE_WRITE);
		is(fevents(), "", "rm b/app.log (-e modify): nothing");
	}
	sh("printf 'back\\n' > b/app.log");
	post("b", NOTE_WRITE);
	is(fevents(), "modify b/app.log [5]",
	   "made again with content: one modify, with its size");
	ok(!warned[0], "no warnings%s%s", warned[0] ? ": " : "", warned);
	fw_close(W);
	W = NULL;
}

/* Append to ACC (CAP bytes) what the core says until it is quiet; 0,
 * or -1 if fw_read() failed (fwatch would stop there, loudly). */
static int
drain(char *acc, size_t cap)
{
	const struct fw_event *ev;
	size_t len = strlen(acc);
	int n;
	while ((n = fw_read(W, 0, &ev)) > 0)
		for (int i = 0; i < n && len < cap - 512; i++)
			len += (size_t)snprintf(
				acc + len, cap - len, "%s%s %s%s%s%s",
				len ? ", " : "", fw_kind_name(ev[i].kind),
				ev[i].old_path ? ev[i].old_path : "",
				ev[i].old_path ? " -> " : "", ev[i].path,
				ev[i].flags & FW_EV_DIR ? "/" : "");
	if (n < 0)
		snprintf(acc + len, cap - len, "%serror: %s", len ? ", " : "",
			 strerror(errno));
	return n < 0 ? -1 : 0;
}

static void
quiet_post(const char *path, unsigned ff)
{
	(void)fake_post_path(path, ff); /* unwatched after a loss: fine */
}

/*
 * The sweep's scenario, with the K'th allocation from fw_add() on
 * failing (0: none): a file PATH rotated, renames of a file (within a
 * directory, and to another) and of a directory, a new file, a new
 * tree, a removed tree.  What the core said goes to OUT, and what
 * it says after, with memory back, of a write below the renamed
 * directory, to AFTER.
 */
static void
oom_run(long k, char *out, char *after, size_t cap)
{
	struct fw_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.recursive = 1;
	cfg.events = FW_DEFAULT_EVENTS;
	cfg.warn = on_warn;
	out[0] = after[0] = warned[0] = '\0';
	sh("rm -rf o fp && mkdir -p o/d1/d2 fp && echo x > o/d1/d2/f && "
	   "echo y > o/top && echo z > fp/app.log");
	if (!(W = fw_open(&cfg)))
		exit(2);
	oom_hit = 0;
	oom_at = k;
	if (fw_add(W, "o") < 0 || fw_add(W, "fp/app.log") < 0) {
		snprintf(out, cap, "error: fw_add: %s", fw_error(W));
		goto done;
	}
	sh("mv fp/app.log fp/app.log.1 && echo new > fp/app.log");
	quiet_post("fp/app.log.1", NOTE_RENAME);
	quiet_post("fp", NOTE_WRITE);
	if (drain(out, cap) < 0)
		goto done;
	sh("mv o/top o/pot"); /* the other half has a name of the same length */
	quiet_post("o", NOTE_WRITE);
	quiet_post("o/pot", NOTE_RENAME);
	if (drain(out, cap) < 0)
		goto done;
	put("o/a", "hi\n");
	quiet_post("o", NOTE_WRITE);
	if (drain(out, cap) < 0)
		goto done;
	sh("mkdir -p o/n/m && echo z > o/n/m/f");
	quiet_post("o", NOTE_WRITE | NOTE_LINK);
	if (drain(out, cap) < 0)
		goto done;
	sh("mv o/a o/n/a2");
	quiet_post("o", NOTE_WRITE);
	quiet_post("o/n", NOTE_WRITE);
	quiet_post("o/n/a2", NOTE_RENAME);
	if (drain(out, cap) < 0)
		goto done;
	sh("mv o/n o/p");
	quiet_post("o", NOTE_WRITE);
	quiet_post("o/p", NOTE_RENAME);
	if (drain(out, cap) < 0)
		goto done;
	sh("rm -r o/d1");
	quiet_post("o", NOTE_WRITE | NOTE_LINK);
	if (drain(out, cap) < 0)
		goto done;
	oom_at = 0;
	put("o/p/m/f", "again\n");
	quiet_post("o/p/m/f", NOTE_WRITE | NOTE_EXTEND);
	drain(after, cap);
done:
	oom_at = 0;
	fw_close(W);
	W = NULL;
}

/*
 * Out of memory, nothing is lost silently: with each allocation the
 * scenario makes failing in turn, the core says what happened, or says
 * overflow (and its rescan leaves the tree right: the write after is
 * reported under the directory's new name), or fails loudly (fw_read()
 * or fw_add() -1 with ENOMEM, or a warning).  Allocations made by the
 * backend and by this file are not counted: only the core's (with
 * strmap.c, snap.c and sys_posix.c).
 */
static void
oom_sweep(void)
{
	static const char all[] =
		"rename fp/app.log -> fp/app.log.1, create fp/app.log, "
		"modify fp/app.log, rename o/top -> o/pot, "
		"create o/a, modify o/a, create o/n/, create o/n/m/, "
		"create o/n/m/f, modify o/n/m/f, rename o/a -> o/n/a2, "
		"rename o/n -> o/p/, delete o/d1/d2/f, delete o/d1/d2/, "
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
}

int
main(void)
{
	struct fw_config cfg;
	const char *tmp = getenv("TMPDIR");
	int ff, fe;

	snprintf(base, sizeof base, "%s/fwatch-core.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(base) || chdir(base) < 0) {
		perror(base);
		return 2;
	}
	sh("mkdir -p w/old/deep && echo x > w/old/deep/f && echo y > w/top");

	memset(&cfg, 0, sizeof cfg);
	cfg.recursive = 1;
	cfg.events = FW_DEFAULT_EVENTS;
	cfg.warn = on_warn;
	if (!ok((W = fw_open(&cfg)) != NULL, "fw_open on kqueue") ||
	    !ok(fw_add(W, "w") == 0, "fw_add w, recursively"))
		return 1;
	ok(fw_watch_count(W, NULL) == 3 && !strcmp(fw_backend_name(W), "kqueue"),
	   "three directories watched, with kqueue");

	put("w/a", "hi\n");
	post("w", NOTE_WRITE);
	is(events(), "create w/a, modify w/a", "echo hi > w/a");

	put("w/top", "more\n");
	post("w/top", NOTE_WRITE | NOTE_EXTEND);
	is(events(), "modify w/top", "echo more >> w/top");

	sh("mkdir -p w/x/y && echo z > w/x/y/f");
	post("w", NOTE_WRITE | NOTE_LINK);
	is(events(), "create w/x/, create w/x/y/, create w/x/y/f, modify w/x/y/f",
	   "mkdir -p w/x/y && echo z > w/x/y/f: the new directories are "
	   "watched and scanned");
	put("w/x/y/f", "again\n");
	post("w/x/y/f", NOTE_WRITE | NOTE_EXTEND);
	is(events(), "modify w/x/y/f", "and files in them report changes");

	sh("mv w/a w/x/a2");
	post("w", NOTE_WRITE | NOTE_EXTEND);
	post("w/x", NOTE_WRITE | NOTE_EXTEND);
	post("w/x/a2", NOTE_RENAME);
	is(events(), "rename w/a -> w/x/a2", "mv w/a w/x/a2: one rename");

	sh("mv w/x w/z");
	post("w", NOTE_WRITE);
	post("w/z", NOTE_RENAME);
	is(events(), "rename w/x/ -> w/z/", "mv w/x w/z: a directory renamed");
	put("w/z/y/f", "later\n");
	post("w/z/y/f", NOTE_WRITE | NOTE_EXTEND);
	is(events(), "modify w/z/y/f", "below it, paths use the new name");

	ff = fake_ident("w/z/y/f");
	fe = fake_ident("w/z/y");
	{
		int fz = fake_ident("w/z"), fa = fake_ident("w/z/a2");
		sh("rm -r w/z");
		fake_post(ff, NOTE_DELETE);
		fake_post(fa, NOTE_DELETE);
		fake_post(fe, NOTE_WRITE);
		fake_post(fe, NOTE_DELETE);
		fake_post(fz, NOTE_WRITE | NOTE_LINK);
		fake_post(fz, NOTE_DELETE);
		post("w", NOTE_WRITE | NOTE_LINK);
	}
	is(events(), "delete w/z/y/f, delete w/z/a2, delete w/z/y/, delete w/z/",
	   "rm -r w/z: every delete, inner first");
	ok(fw_watch_count(W, NULL) == 3, "the removed directories are no "
	   "longer watched");

	sh("rm -r w/old && echo file > w/old");
	post("w", NOTE_WRITE | NOTE_LINK);
	is(events(), "delete w/old/deep/f, delete w/old/deep/, delete w/old/, "
	   "create w/old, modify w/old",
	   "a directory replaced by a file of the same name, with only the "
	   "parent's news read");
	ok(fw_watch_count(W, NULL) == 1, "(its watches are gone)");

	sh("mkdir w/p w/q && touch w/p/in-p w/q/in-q");
	post("w", NOTE_WRITE | NOTE_LINK);
	is(events(), "create w/p/, create w/p/in-p, create w/q/, create w/q/in-q",
	   "two new directories");
	sh("mv w/p w/t && mv w/q w/p && mv w/t w/q");
	post("w", NOTE_WRITE);
	post("w/p", NOTE_RENAME);
	post("w/q", NOTE_RENAME);
	is(events(), "delete w/q/, rename w/p/ -> w/q/, create w/p/, "
	   "create w/p/in-q",
	   "two directories swapped: the core's tree stays right");
	put("w/p/in-q", "1");
	put("w/q/in-p", "2");
	post("w/p/in-q", NOTE_WRITE | NOTE_EXTEND);
	post("w/q/in-p", NOTE_WRITE | NOTE_EXTEND);
	is(events(), "modify w/p/in-q, modify w/q/in-p",
	   "(both directories report under their new names)");

	sh("mkdir w/dd && touch w/dd/in w/ff");
	post("w", NOTE_WRITE | NOTE_LINK);
	is(events(), "create w/dd/, create w/dd/in, create w/ff",
	   "a directory and a file");
	sh("mv w/dd w/t && mv w/ff w/dd && mv w/t w/ff");
	post("w", NOTE_WRITE);
	is(events(), "rename w/ff -> w/dd, rename w/dd/ -> w/ff/",
	   "swapped: two renames, the file one not taken for a directory");
	put("w/ff/in", "1");
	post("w/ff/in", NOTE_WRITE | NOTE_EXTEND);
	is(events(), "modify w/ff/in", "(the directory's tree is right)");
	sh("rm -r w/ff w/dd");
	post("w", NOTE_WRITE | NOTE_LINK);
	is(events(), "delete w/ff/in, delete w/dd, delete w/ff/",
	   "(and both go)");

	sh("mv w/q ..");
	post("w", NOTE_WRITE | NOTE_LINK);
	post("../q", NOTE_RENAME);
	is(events(), "delete w/q/", "a directory moved out of the tree");
	sh("mv ../q w/back");
	post("w", NOTE_WRITE | NOTE_LINK);
	is(events(), "create w/back/, create w/back/in-p, modify w/back/in-p",
	   "and back in: created with its content");

	fe = fake_ident("w");
	sh("rm -r w");
	fake_post(fe, NOTE_DELETE | NOTE_WRITE | NOTE_LINK);
	is(events(), "delete w/back/in-p, delete w/p/in-q, delete w/back/, "
	   "delete w/old, delete w/p/, delete w/top, delete w/",
	   "the watched PATH removed (only its own news read): what was in "
	   "it, deepest first, then itself");
	ok(fw_roots_left(W) == 0, "nothing left to watch");
	ok(!warned[0], "no warnings%s%s", warned[0] ? ": " : "", warned);
	fw_close(W);
	W = NULL;

	file_paths();
	unwanted();
	fpath_onto();
	be_kq_nobirth = be_kqueue;
	be_kq_nobirth.name = "kqueue-nobirth";
	be_kq_nobirth.read = nobirth_read;
	births();
	oom_sweep();

	if (chdir("/") == 0) {
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
		sh(cmd);
	}
	printf("1..%d\n", ntest);
	return nfail ? 1 : 0;
}
