/*
 * main.c - fwatch's main(): reads the command line (cli.c), then runs a
 * session: open the watcher and add the PATHs, announce that watching
 * has begun, read batches of events and print them, hand them to --exec
 * or let --tail read on, and turn whatever ended it into the exit
 * status.
 * Everything platform-specific is behind watch.h and sys.h.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchor.h"
#include "cli.h"
#include "completions.h"
#include "exec.h"
#include "output.h"
#include "sys.h"
#include "tail.h"
#include "watch.h"

enum exit_status {
	EXIT_OK = 0,      /* --once matched, reader gone, --help */
	EXIT_FAIL = 1,    /* bad usage, unwatchable PATH, I/O error */
	EXIT_TIMEOUT = 2, /* --timeout passed with nothing reported */
	EXIT_GONE = 3,    /* every watched PATH is gone */
	EXIT_SIGNAL = 128 /* + the signal's number */
};

#define GO_ON (-1) /* a step's "no exit status yet" */

static fw_watcher *volatile g_watcher;
static volatile sig_atomic_t g_signal;

static void
on_signal(int sig)
{
	g_signal = sig;
	if (g_watcher)
		fw_wake(g_watcher);
}

static void
on_child(int sig)
{
	(void)sig;
	if (g_watcher)
		fw_wake(g_watcher);
}

#if defined(__GNUC__)
#define PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PRINTF(a, b)
#endif

static void PRINTF(1, 2)
say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("fwatch: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void
on_warn(void *ctx, const char *msg)
{
	(void)ctx;
	say("warning: %s", msg);
}

static void
on_note(void *ctx, const char *msg)
{
	(void)ctx;
	say("%s", msg);
}

/* What anchor_filter() found: a pattern that matches nothing, a file of
 * fwatch's own output left out. */
static void
on_anchor(void *ctx, int warning, const char *msg)
{
	(void)ctx;
	say("%s%s", warning ? "warning: " : "", msg);
}

/* Write what is pending in one go.  Returns an exit status, or GO_ON. */
static int
flush_out(struct out *out)
{
	if (out->len) {
		size_t n = fwrite(out->p, 1, out->len, stdout);
		/* a burst's buffer is not kept once batches are small again */
		if (out->cap > 4096 && out->len < out->cap / 8)
			out_free(out);
		out->len = 0;
		if (n == 0 || fflush(stdout) == EOF) {
			if (sys_reader_gone(errno))
				return EXIT_OK; /* the reader is done */
			say("cannot write output: %s", strerror(errno));
			return EXIT_FAIL;
		}
	}
	return GO_ON;
}

/* "; with --backend B: the backends that can start here" for a backend
 * that could not, so the message says what works instead. */
static const char *
backends_here(const char *failed, char *buf, size_t n)
{
	const char *name;
	size_t k = 0;
	buf[0] = '\0';
	for (size_t i = 0; (name = fw_backend_at(i, NULL)); i++) {
		if ((failed && !strcmp(name, failed)) || fw_backend_try(name) < 0)
			continue;
		int m = snprintf(buf + k, n - k, "%s%s", k ? ", " : "", name);
		if (m < 0 || (size_t)m >= n - k)
			break;
		k += (size_t)m;
	}
	if (!k)
		return "";
	char tail[256];
	snprintf(tail, sizeof tail, "; this fwatch can start with: --backend %s",
		 buf);
	snprintf(buf, n, "%s", tail);
	return buf;
}

/* One run of fwatch, from the watcher's start to its end. */
struct session {
	struct opts *o;
	fw_watcher *w;
	struct runner *run;  /* --exec, else NULL */
	struct tail *tail;   /* --tail, else NULL */
	int stop;            /* the status that ended a write in the middle
			      * of --tail's batch */
	int64_t deadline;    /* --timeout: when it runs out */
};

/* ---- --tail ------------------------------------------------------------ */

/* tail.c's io: write out what it has made so far (a large backlog). */
static int
tail_flush(void *ctx)
{
	struct session *s = ctx;
	int r = flush_out(&s->o->out);
	if (r == GO_ON)
		return 0;
	s->stop = r;
	return 1;
}

static void
tail_note(void *ctx, const char *msg)
{
	(void)ctx;
	say("%s", msg);
}

/* tail.c's answer R as an exit status, or GO_ON. */
static int
tail_status(struct session *s, int r)
{
	if (!r)
		return GO_ON;
	if (r < 0) {
		say("out of memory");
		return EXIT_FAIL;
	}
	return s->stop;
}

static int
tail_open(struct session *s)
{
	struct tail_io io = { &s->o->out, tail_flush, tail_note, on_warn, s };
	if (!(s->tail = tail_new(s->w, &io, s->o->json))) {
		say("out of memory");
		return EXIT_FAIL;
	}
	return GO_ON;
}

/* The rules of each --ignore-file: -1 once told. */
static int
add_rules(fw_watcher *w, const struct opts *o)
{
	for (size_t i = 0; i < o->nignore_files; i++)
		if (fw_ignore_file(w, o->ignore_files[i]) < 0) {
			say("%s", fw_error(w));
			return -1;
		}
	return 0;
}

/* Open the watcher and the --exec runner, and add every PATH (until a
 * signal says stop).  GO_ON, or EXIT_FAIL once told. */
static int
start(struct session *s)
{
	struct opts *o = s->o;

	if (anchor_filter(&o->filter, o->paths, o->npaths, o->cfg.recursive,
			  on_anchor, NULL) < 0) {
		say("out of memory");
		return EXIT_FAIL;
	}
	o->cfg.filter = &o->filter;
	o->cfg.warn = on_warn;
	o->cfg.note = on_note;
	/* what fwatch prints: its reader's exit ends the wait for events,
	 * not the next write after them (`fwatch -r . | head -n 2`) */
	if (!o->exec || o->print)
		o->cfg.hup_fd = sys_out_watchable(1);
	sys_signals(on_signal);
	if (o->exec) {
		o->eo.once = o->once;
		if (!(s->run = runner_new(&o->eo))) {
			say("out of memory");
			return EXIT_FAIL;
		}
		sys_on_child(on_child);
	}
	if (!(s->w = fw_open(&o->cfg))) {
		char buf[512], also[256];
		const char *name = o->cfg.backend ? o->cfg.backend
						  : fw_backend_at(0, NULL);
		say("cannot start %s: %s%s", name,
		    fw_open_error(&o->cfg, errno, buf, sizeof buf),
		    backends_here(o->cfg.backend, also, sizeof also));
		return EXIT_FAIL;
	}
	g_watcher = s->w;
	if (add_rules(s->w, o) < 0)
		return EXIT_FAIL;
	for (size_t i = 0; i < o->npaths && !g_signal; i++) {
		if (fw_add(s->w, o->paths[i]) < 0) {
			say("%s", fw_error(s->w));
			return EXIT_FAIL;
		}
	}
	return o->tail ? tail_open(s) : GO_ON;
}

/* "watching ... ready" on stderr, and the --ready record. */
static int
announce(struct session *s)
{
	struct opts *o = s->o;
	size_t files, n = fw_watch_count(s->w, &files), dirs = n - files;
	size_t whole = fw_whole_count(s->w);
	char what[96] = "", also[48] = "";
	int64_t sec;
	long usec;

	/* "1 tree whole", "2 trees whole and 3 directories", "4 directories" */
	if (whole)
		snprintf(what, sizeof what, "%zu %s whole%s", whole,
			 whole == 1 ? "tree" : "trees",
			 dirs > whole ? " and " : "");
	if (dirs > whole || !dirs)
		snprintf(what + strlen(what), sizeof what - strlen(what),
			 "%zu %s", dirs - whole,
			 dirs - whole == 1 ? "directory" : "directories");
	if (files)
		snprintf(also, sizeof also, " and %zu %s", files,
			 files == 1 ? "file" : "files");
	if (!o->quiet)
		fprintf(stderr, "fwatch: watching %s%s under %zu %s with %s; "
			"ready\n", what, also, o->npaths,
			o->npaths == 1 ? "path" : "paths",
			fw_backend_name(s->w));
	if (!o->ready)
		return GO_ON;
	sys_now(&sec, &usec);
	if (out_ready(&o->out, n, (long long)sec, usec) < 0) {
		say("out of memory");
		return EXIT_FAIL;
	}
	return flush_out(&o->out);
}

/* How long fw_read() may wait: until --timeout runs out or the runner
 * needs a look; -1 for ever. */
static int
wait_ms(const struct session *s, int64_t now)
{
	int64_t t = -1;
	if (s->o->timeout_ms)
		t = s->deadline - now;
	if (s->run) {
		int64_t rt = runner_next(s->run, now);
		if (rt >= 0 && (t < 0 || rt < t))
			t = rt;
	}
	return t < 0 ? -1 : t > INT_MAX ? INT_MAX : (int)t;
}

/* The records of a batch (N events) into the output buffer; with
 * --exec, only with --print. */
static int
print_batch(struct session *s, const struct fw_event *evs, int n)
{
	if (s->run && !s->o->print)
		return GO_ON;
	for (int i = 0; i < n; i++)
		if (out_event(&s->o->out, &evs[i]) < 0) {
			say("out of memory");
			return EXIT_FAIL;
		}
	return GO_ON;
}

/* Start a run of the command if one is due (a command that cannot
 * start is told by the runner, which goes on). */
static int
start_due(struct session *s, int64_t now)
{
	if (runner_start_due(s->run, now) < 0) {
		say("cannot run the command: %s while gathering the changed "
		    "paths; stopping rather than run it with some left out",
		    strerror(errno));
		return EXIT_FAIL;
	}
	return GO_ON;
}

/* The runner, after a batch: start a run that is due, and see whether
 * --once's run has ended. */
static int
drive_runner(struct session *s, int64_t now)
{
	int st, r = start_due(s, now);
	if (r == GO_ON && runner_done(s->run, &st))
		r = st;
	return r;
}

/* The batch (N events) for --tail: the files are read on.  *NEWS: it
 * printed bytes (which is what --once and --timeout count). */
static int
tail_step(struct session *s, const struct fw_event *evs, int n, int *news)
{
	uint64_t before = tail_printed(s->tail);
	int r = tail_status(s, tail_batch(s->tail, evs, n));
	*news = tail_printed(s->tail) > before;
	return r;
}

/* Wait for one batch and deal with it.  An exit status, or GO_ON. */
static int
step(struct session *s)
{
	const struct fw_event *evs;
	struct opts *o = s->o;
	int64_t now = sys_mono_ms();
	int r, n, news;

	if (o->timeout_ms && s->deadline <= now)
		return EXIT_TIMEOUT;
	if ((n = fw_read(s->w, wait_ms(s, now), &evs)) < 0) {
		say("cannot read events: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (n == 0 && o->cfg.hup_fd && sys_out_gone(o->cfg.hup_fd))
		return EXIT_OK; /* the reader is done, as at a failed write */
	now = sys_mono_ms();
	news = n > 0;
	if (s->run)
		runner_reap(s->run, now);
	if (o->once && !s->run && !s->tail && n > 1)
		n = 1; /* with --exec the whole first burst counts */
	if ((r = s->tail ? tail_step(s, evs, n, &news)
			 : print_batch(s, evs, n)) != GO_ON)
		return r;
	if (s->run)
		runner_events(s->run, evs, n, now);
	/* never write while the command may be writing */
	if ((!s->run || !runner_busy(s->run)) &&
	    (r = flush_out(&o->out)) != GO_ON)
		return r;
	if (s->run && (r = drive_runner(s, now)) != GO_ON)
		return r;
	if (news && o->once && !s->run)
		return EXIT_OK;
	if (news && o->timeout_ms)
		s->deadline = now + o->timeout_ms;
	if (!fw_roots_left(s->w)) {
		say("nothing left to watch: every PATH is gone");
		return EXIT_GONE;
	}
	return GO_ON;
}

/* Batch after batch until something ends it: a signal, --timeout,
 * --once, every PATH gone, an error. */
static int
watch_loop(struct session *s)
{
	int r = GO_ON;
	if (s->o->timeout_ms)
		s->deadline = sys_mono_ms() + s->o->timeout_ms;
	if (s->run && !g_signal)
		r = start_due(s, sys_mono_ms());
	if (s->tail && !g_signal) {
		/* the files as they are now: their ends, or what they hold */
		r = tail_status(s, tail_start(s->tail, s->o->tail_start));
		if (r == GO_ON)
			r = flush_out(&s->o->out);
		if (r == GO_ON && s->o->once && tail_printed(s->tail))
			r = EXIT_OK;
	}
	while (r == GO_ON && !g_signal)
		r = step(s);
	return r;
}

/* Stop the command, print what it held back, close the watcher: R, or
 * 128+N if signal N ended the session. */
static int
finish(struct session *s, int r)
{
	if (s->run) {
		/* Ctrl-C and friends stop the command's whole group first */
		runner_shutdown(s->run);
		runner_free(s->run);
		/* what --print held back while it ran, now that it is gone */
		flush_out(&s->o->out);
	}
	if (s->tail) {
		/* half a character that waited for the rest goes out too */
		if (r != EXIT_FAIL && tail_finish(s->tail) >= 0)
			flush_out(&s->o->out);
		tail_free(s->tail);
	}
	if (g_signal)
		r = EXIT_SIGNAL + g_signal;
	g_watcher = NULL;
	fw_close(s->w);
	return r;
}

/*
 * --explain-ignore: say on stdout why an event on the PATH asked about
 * would be left out, as git check-ignore -v does ("SOURCE:LINE:PATTERN",
 * a tab, the path; "::" when no rule speaks of it).  EXIT_OK if it would
 * be left out, EXIT_FAIL if not (or on an error, once told).
 */
static int
explain_ignore(struct opts *o)
{
	const char *why = "";
	fw_watcher *w;
	int r = -1;
	o->cfg.filter = &o->filter;
	o->cfg.warn = on_warn;
	o->cfg.note = on_note;
	o->cfg.explain = 1;
	if (!(w = fw_open(&o->cfg))) {
		char buf[512];
		say("%s", fw_open_error(&o->cfg, errno, buf, sizeof buf));
		return EXIT_FAIL;
	}
	if (add_rules(w, o) == 0) {
		size_t i;
		for (i = 0; i < o->npaths && fw_add(w, o->paths[i]) == 0; i++)
			;
		if (i < o->npaths)
			say("%s", fw_error(w));
		else if ((r = fw_explain(w, o->explain, &why)) < 0)
			say("%s", fw_error(w));
		else
			printf("%s\t%s\n", *why ? why : "::", o->explain);
	}
	fw_close(w);
	return r == 1 ? EXIT_OK : EXIT_FAIL;
}

static int
run(struct opts *o)
{
	struct session s = { .o = o };
	int r = start(&s);

	if (r != GO_ON) { /* nothing was started that must be stopped */
		runner_free(s.run);
		tail_free(s.tail);
		g_watcher = NULL;
		if (s.w)
			fw_close(s.w);
		return r;
	}
	if (!g_signal)
		r = announce(&s);
	if (r == GO_ON)
		r = watch_loop(&s);
	return finish(&s, r);
}

int
main(int argc, char **argv)
{
	struct opts o;
	int r = EXIT_FAIL;

	switch (cli_parse(&o, argc, argv, stderr)) {
	case CLI_WATCH:
		r = o.explain ? explain_ignore(&o) : run(&o);
		break;
	case CLI_HELP:
		cli_help(stdout);
		r = fflush(stdout) || ferror(stdout) ? EXIT_FAIL : EXIT_OK;
		break;
	case CLI_VERSION:
		cli_version(stdout);
		r = fflush(stdout) || ferror(stdout) ? EXIT_FAIL : EXIT_OK;
		break;
	case CLI_COMPLETIONS:
		completions_print(stdout, o.completions);
		r = fflush(stdout) || ferror(stdout) ? EXIT_FAIL : EXIT_OK;
		break;
	case CLI_BAD:
		break;
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (!sys_reader_gone(errno) && r != EXIT_FAIL) {
			say("cannot write output: %s", strerror(errno));
			r = EXIT_FAIL;
		}
	}
	out_free(&o.out);
	cli_free(&o);
	return r;
}
