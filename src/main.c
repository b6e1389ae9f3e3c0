/*
 * main.c - fwatch's main(): reads the command line (cli.c), then runs a
 * session: open the watcher and add the PATHs, announce that watching
 * has begun, read batches of events and print them or hand them to
 * --exec, and turn whatever ended it into the exit status.
 * Everything platform-specific is behind watch.h and sys.h.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exec.h"
#include "output.h"
#include "sys.h"
#include "watch.h"

enum exit_status {
	EXIT_OK = 0,      /* --once matched, reader gone, --help */
	EXIT_FAIL = 1,    /* bad usage, unwatchable PATH, I/O error */
	EXIT_TIMEOUT = 2, /* --timeout passed with nothing reported */
	EXIT_GONE = 3,    /* every watched PATH is gone */
	EXIT_SIGNAL = 128 /* + the signal's number */
};

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

/* Write what is pending in one go.  Returns an exit status, or -1 to
 * go on. */
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
	return -1;
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

static int
run(struct opts *o)
{
	const struct fw_event *evs;
	fw_watcher *w;
	struct runner *run = NULL;
	int64_t deadline = 0;
	int r;

	o->cfg.filter = &o->filter;
	o->cfg.warn = on_warn;
	sys_signals(on_signal);
	if (o->exec) {
		o->eo.once = o->once;
		if (!(run = runner_new(&o->eo))) {
			say("out of memory");
			return EXIT_FAIL;
		}
		sys_on_child(on_child);
	}
	w = fw_open(&o->cfg);
	if (!w) {
		char buf[512], also[256];
		const char *name = o->cfg.backend ? o->cfg.backend
						  : fw_backend_at(0, NULL);
		say("cannot start %s: %s%s", name,
		    fw_open_error(&o->cfg, errno, buf, sizeof buf),
		    backends_here(o->cfg.backend, also, sizeof also));
		return EXIT_FAIL;
	}
	g_watcher = w;
	for (size_t i = 0; i < o->npaths; i++) {
		if (g_signal)
			break;
		if (fw_add(w, o->paths[i]) < 0) {
			say("%s", fw_error(w));
			fw_close(w);
			return EXIT_FAIL;
		}
	}
	if (!g_signal) {
		int64_t sec;
		long usec;
		size_t files, n = fw_watch_count(w, &files), dirs = n - files;
		char also[48] = "";
		if (files)
			snprintf(also, sizeof also, " and %zu %s", files,
				 files == 1 ? "file" : "files");
		if (!o->quiet)
			fprintf(stderr, "fwatch: watching %zu %s%s under %zu %s "
				"with %s; ready\n", dirs,
				dirs == 1 ? "directory" : "directories", also,
				o->npaths, o->npaths == 1 ? "path" : "paths",
				fw_backend_name(w));
		if (o->ready) {
			sys_now(&sec, &usec);
			out_ready(&o->out, n, (long long)sec, usec);
			if ((r = flush_out(&o->out)) >= 0)
				goto done;
		}
	}
	if (o->timeout_ms)
		deadline = sys_mono_ms() + o->timeout_ms;
	if (run && !g_signal)
		runner_start_due(run, sys_mono_ms());
	for (r = -1; r < 0;) {
		int64_t now = sys_mono_ms(), t = -1;
		int n, st;
		if (g_signal)
			break;
		if (o->timeout_ms) {
			t = deadline - now;
			if (t <= 0) {
				r = EXIT_TIMEOUT;
				break;
			}
		}
		if (run) {
			int64_t rt = runner_next(run, now);
			if (rt >= 0 && (t < 0 || rt < t))
				t = rt;
		}
		n = fw_read(w, t < 0 ? -1 : t > INT_MAX ? INT_MAX : (int)t, &evs);
		if (n < 0) {
			say("cannot read events: %s", strerror(errno));
			r = EXIT_FAIL;
			break;
		}
		now = sys_mono_ms();
		if (run)
			runner_reap(run, now);
		if (o->once && !run && n > 1)
			n = 1; /* with --exec the whole first burst counts */
		if (!run || o->print)
			for (int i = 0; i < n && r < 0; i++)
				if (out_event(&o->out, &evs[i]) < 0) {
					say("out of memory");
					r = EXIT_FAIL;
				}
		if (r >= 0)
			break;
		if (run)
			runner_events(run, evs, n, now);
		/* never write while the command may be writing */
		if ((!run || !runner_busy(run)) &&
		    (r = flush_out(&o->out)) >= 0)
			break;
		if (run) {
			runner_start_due(run, now);
			if (runner_done(run, &st)) {
				r = st;
				break;
			}
		}
		if (n > 0) {
			if (o->once && !run) {
				r = EXIT_OK;
				break;
			}
			if (o->timeout_ms)
				deadline = now + o->timeout_ms;
		}
		if (!fw_roots_left(w)) {
			say("nothing left to watch: every PATH is gone");
			r = EXIT_GONE;
		}
	}
done:
	if (run) {
		/* Ctrl-C and friends stop the command's whole group first */
		runner_shutdown(run);
		runner_free(run);
		/* what --print held back while it ran, now that it is gone */
		flush_out(&o->out);
	}
	if (g_signal)
		r = EXIT_SIGNAL + g_signal;
	g_watcher = NULL;
	fw_close(w);
	return r;
}

int
main(int argc, char **argv)
{
	struct opts o;
	int r = EXIT_FAIL;

	switch (cli_parse(&o, argc, argv, stderr)) {
	case CLI_WATCH:
		r = run(&o);
		break;
	case CLI_HELP:
		cli_help(stdout);
		r = fflush(stdout) || ferror(stdout) ? EXIT_FAIL : EXIT_OK;
		break;
	case CLI_VERSION:
		cli_version(stdout);
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
