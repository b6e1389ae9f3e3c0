/*
 * main.c - fwatch's command line: options, the event loop, output and
 * exit statuses.  Everything platform-specific is behind watch.h and
 * sys.h.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "filter.h"
#include "output.h"
#include "proc.h"
#include "sys.h"
#include "watch.h"

#ifndef FWATCH_VERSION
#define FWATCH_VERSION "0.1.0"
#endif

enum exit_status {
	EXIT_OK = 0,      /* --once matched, reader gone, --help */
	EXIT_FAIL = 1,    /* bad usage, unwatchable PATH, I/O error */
	EXIT_TIMEOUT = 2, /* --timeout passed with nothing reported */
	EXIT_GONE = 3,    /* every watched PATH is gone */
	EXIT_SIGNAL = 128 /* + the signal's number */
};

static const char usage_text[] =
"Usage: fwatch [OPTION]... PATH...\n"
"Watch files and directories and print one line per change.\n"
"\n"
"  -r, --recursive        watch directories below each directory PATH,\n"
"                         including ones created later\n"
"  -L, --follow-symlinks  with -r, also descend into symlinked directories\n"
"  -e, --event LIST       report only these events (comma-separated,\n"
"                         repeatable): create modify truncate delete\n"
"                         rename attrib close_write close_nowrite open\n"
"                         access, or all; default: create,modify,\n"
"                         truncate,delete,rename,attrib (modify includes\n"
"                         truncate: a file PATH that got shorter)\n"
"  -i, --include GLOB     report only paths matching GLOB (repeatable)\n"
"  -x, --exclude GLOB     ignore paths matching GLOB; matching directories\n"
"                         are not watched at all (repeatable)\n"
"  -j, --json             print JSON Lines\n"
"  -0, --print0           end records with NUL; paths are not escaped\n"
"  -f, --format FMT       print records as FMT: %e event, %p path, %o old\n"
"                         path, %f file name, %w watched PATH, %r path\n"
"                         below it, %t ISO time, %s epoch seconds,\n"
"                         %y dir or file, %% a %; \\n \\t \\0 \\\\\n"
"  -a, --absolute         print absolute paths\n"
"  -1, --once             exit after the first reported event\n"
"  -t, --timeout SECS     exit with status 2 after SECS without an event\n"
"  -q, --quiet            do not announce on stderr when watching begins\n"
"      --ready            print a `ready` record once watching has begun\n"
"      --on-delete MODE   when a file PATH is deleted or moved away: wait\n"
"                         for a file to come back under its name (default)\n"
"                         or exit: count it gone (all gone: exit 3)\n"
"      --snapshot         remember every file's inode, size and time, so\n"
"                         that after an overflow the rescan reports the\n"
"                         files created, deleted and changed unseen\n"
"      --backend NAME     watch with this kernel interface (--version\n"
"                         lists the ones built in; the first is default)\n"
"\n"
"Running a command (--exec must come last; everything after it is the\n"
"command, run without a shell; these words are replaced when they stand\n"
"alone: {} the first changed path, {event} its event, {old} its old path,\n"
"{paths} every changed path as separate arguments):\n"
"      --exec CMD [ARG]...  run CMD after each burst of changes\n"
"      --shell            run CMD ARG... joined by spaces with /bin/sh -c;\n"
"                         the changed paths are its \"$@\"\n"
"  -d, --debounce MS      wait until MS milliseconds pass without a change\n"
"                         before running (default 50)\n"
"  -p, --postpone         do not run CMD at start; wait for a change\n"
"  -R, --restart          stop a running CMD and start it again on change\n"
"      --on-busy MODE     what a change does while CMD runs: queue (run\n"
"                         once more after it ends; default), restart,\n"
"                         ignore, or a signal name to send it (e.g. HUP)\n"
"      --stop-signal SIG  how CMD is stopped (default TERM), sent to its\n"
"                         whole process group\n"
"      --stop-timeout SECS  then SIGKILL after SECS (default 5)\n"
"  -c, --clear            clear the screen before each run\n"
"      --stdin MODE       give CMD the changed paths on its stdin, ended\n"
"                         by NUL (nul) or newline (lines)\n"
"      --print            print events too (they are not, by default)\n"
"\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and the backends and exit\n"
"\n"
"A GLOB without '/' matches the file name, one with '/' the path below\n"
"the watched PATH; '**' crosses directories. --exclude beats --include.\n"
"\n"
"Exit status: 0 after --once or when the reader of stdout goes away,\n"
"1 on errors, 2 on --timeout, 3 when every PATH is gone, 128+N on\n"
"signal N; with --once and --exec, the command's own status.\n"
"See fwatch(1) for output formats, the JSON schema and --exec.\n";

struct opts {
	struct fw_config cfg;
	struct filter filter;
	struct out out;
	int once, quiet, ready;
	long long timeout_ms; /* 0: none */
	char **paths;
	size_t npaths;
	int events_given;
	int json;
	int exec, print;
	char exec_only[80];    /* an option given that needs --exec */
	struct exec_opts eo;
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

static void PRINTF(1, 0)
vsay(const char *fmt, va_list ap)
{
	fputs("fwatch: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void PRINTF(1, 2)
say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

static int PRINTF(1, 2)
usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	fputs("Try 'fwatch --help' for more information.\n", stderr);
	return EXIT_FAIL;
}

static void
on_warn(void *ctx, const char *msg)
{
	(void)ctx;
	say("warning: %s", msg);
}

static int
parse_events(struct opts *o, const char *list, const char *opt)
{
	const char *p = list;
	if (!o->events_given) {
		o->cfg.events = 0;
		o->events_given = 1;
	}
	for (;;) {
		size_t n = strcspn(p, ",");
		int k;
		if (n == 3 && !memcmp(p, "all", 3)) {
			o->cfg.events |= FW_ALL_EVENTS;
		} else if ((k = fw_kind_parse(p, n)) >= 0 && k != FW_READY) {
			o->cfg.events |= FW_BIT(k);
		} else {
			char name[64];
			snprintf(name, sizeof name, "%.*s", (int)(n < 40 ? n : 40), p);
			return usage_error("%s: unknown event '%s' (known: create, "
					   "modify, truncate, delete, rename, attrib, "
					   "close_write, close_nowrite, open, "
					   "access, overflow, unmount, all)",
					   opt, name);
		}
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* 1 if S is digits, with one '.' among them if DOT allows: strto*()
 * alone would also take blanks, signs, hex and exponents. */
static int
plain_number(const char *s, int dot)
{
	int digits = 0;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s == '.' && dot)
			dot = 0;
		else
			return 0;
	}
	return digits > 0;
}

/* SECS (decimal) as milliseconds into *ms; an exit status on error. */
static int
parse_secs(const char *s, const char *opt, long long *ms)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (!plain_number(s, 1) || *end || errno || !isfinite(v) || v < 0 ||
	    v > 31536000.0)
		return usage_error("%s: '%s' is not a number of seconds "
				   "(from 0 to 31536000, e.g. 0.5)", opt, s);
	*ms = (long long)ceil(v * 1000.0);
	return 0;
}

static int
parse_ms(const char *s, const char *opt, int64_t *ms)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (!plain_number(s, 0) || *end || errno || v < 0 || v > 3600000)
		return usage_error("%s: '%s' is not a number of milliseconds "
				   "(from 0 to 3600000)", opt, s);
	*ms = v;
	return 0;
}

static int
parse_signal(const char *s, const char *opt, int *sig)
{
	if ((*sig = proc_signal_parse(s)) < 0)
		return usage_error("%s: unknown signal '%s' (use a name such "
				   "as TERM, INT, HUP, USR1, KILL, or a number)",
				   opt, s);
	return 0;
}

enum {
	OPT_READY = 256, OPT_EXEC, OPT_SHELL, OPT_ON_BUSY, OPT_STOP_SIGNAL,
	OPT_STOP_TIMEOUT, OPT_STDIN, OPT_PRINT, OPT_SNAPSHOT, OPT_ON_DELETE,
	OPT_BACKEND
};

static const struct longopt {
	const char *name;
	int has_arg;
	int val;
} longopts[] = {
	{ "recursive", 0, 'r' },
	{ "follow-symlinks", 0, 'L' },
	{ "event", 1, 'e' },
	{ "include", 1, 'i' },
	{ "exclude", 1, 'x' },
	{ "json", 0, 'j' },
	{ "print0", 0, '0' },
	{ "format", 1, 'f' },
	{ "absolute", 0, 'a' },
	{ "once", 0, '1' },
	{ "timeout", 1, 't' },
	{ "quiet", 0, 'q' },
	{ "ready", 0, OPT_READY },
	{ "snapshot", 0, OPT_SNAPSHOT },
	{ "backend", 1, OPT_BACKEND },
	{ "on-delete", 1, OPT_ON_DELETE },
	{ "exec", 0, OPT_EXEC },
	{ "shell", 0, OPT_SHELL },
	{ "debounce", 1, 'd' },
	{ "postpone", 0, 'p' },
	{ "restart", 0, 'R' },
	{ "on-busy", 1, OPT_ON_BUSY },
	{ "stop-signal", 1, OPT_STOP_SIGNAL },
	{ "stop-timeout", 1, OPT_STOP_TIMEOUT },
	{ "clear", 0, 'c' },
	{ "stdin", 1, OPT_STDIN },
	{ "print", 0, OPT_PRINT },
	{ "help", 0, 'h' },
	{ "version", 0, 'V' },
	{ NULL, 0, 0 },
};

static const char shortopts[] = "rLe:i:x:j0f:a1t:qhVd:pRc";

static void
print_version(void)
{
	const char *name, *about;
	printf("fwatch %s\nbackends:\n", FWATCH_VERSION);
	for (size_t i = 0; (name = fw_backend_at(i, &about)); i++)
		printf("  %-10s %s%s\n", name, about, i ? "" : " (default)");
}

/* Apply one option.  Returns -1 to go on, else an exit status. */
static int
apply(struct opts *o, int c, const char *arg, const char *opt)
{
	char err[256];
	switch (c) { /* these mean something only with --exec */
	case 'd': case 'p': case 'R': case 'c': case OPT_SHELL:
	case OPT_ON_BUSY: case OPT_STOP_SIGNAL: case OPT_STOP_TIMEOUT:
	case OPT_STDIN: case OPT_PRINT:
		snprintf(o->exec_only, sizeof o->exec_only, "%s", opt);
	}
	switch (c) {
	case 'r': o->cfg.recursive = 1; break;
	case 'L': o->cfg.follow = 1; break;
	case 'e':
		if (parse_events(o, arg, opt))
			return EXIT_FAIL;
		break;
	case 'i':
	case 'x':
		if (glob_check(arg, err, sizeof err) < 0)
			return usage_error("%s '%s': %s", opt, arg, err);
		if (filter_add(&o->filter, c == 'x', arg) < 0)
			return usage_error("%s: out of memory", opt);
		break;
	case 'j':
		o->out.mode = OUT_JSON;
		o->json = 1;
		break;
	case '0': o->out.nul = 1; break;
	case 'f':
		if (out_check_format(arg, err, sizeof err) < 0)
			return usage_error("%s: %s", opt, err);
		o->out.mode = OUT_FORMAT;
		o->out.fmt = arg;
		break;
	case 'a': o->cfg.absolute = 1; break;
	case '1': o->once = 1; break;
	case 't':
		if (parse_secs(arg, opt, &o->timeout_ms))
			return EXIT_FAIL;
		break;
	case 'd':
		if (parse_ms(arg, opt, &o->eo.debounce_ms))
			return EXIT_FAIL;
		break;
	case 'p': o->eo.postpone = 1; break;
	case 'R': o->eo.busy = BUSY_RESTART; break;
	case 'c': o->eo.clear = 1; break;
	case OPT_SHELL: o->eo.shell = 1; break;
	case OPT_PRINT: o->print = 1; break;
	case OPT_ON_BUSY:
		if (!strcmp(arg, "queue"))
			o->eo.busy = BUSY_QUEUE;
		else if (!strcmp(arg, "restart"))
			o->eo.busy = BUSY_RESTART;
		else if (!strcmp(arg, "ignore"))
			o->eo.busy = BUSY_IGNORE;
		else if ((o->eo.busy_sig = proc_signal_parse(arg)) > 0)
			o->eo.busy = BUSY_SIGNAL;
		else
			return usage_error("%s: '%s' is not queue, restart, "
					   "ignore or a signal name", opt, arg);
		break;
	case OPT_STOP_SIGNAL:
		if (parse_signal(arg, opt, &o->eo.stop_sig))
			return EXIT_FAIL;
		break;
	case OPT_STOP_TIMEOUT: {
		long long ms;
		if (parse_secs(arg, opt, &ms))
			return EXIT_FAIL;
		o->eo.stop_ms = ms;
		break;
	}
	case OPT_STDIN:
		if (!strcmp(arg, "nul"))
			o->eo.feed = FEED_NUL;
		else if (!strcmp(arg, "lines"))
			o->eo.feed = FEED_LINES;
		else
			return usage_error("%s: '%s' is not nul or lines", opt, arg);
		break;
	case 'q': o->quiet = 1; break;
	case OPT_READY: o->ready = 1; break;
	case OPT_SNAPSHOT: o->cfg.snapshot = 1; break;
	case OPT_BACKEND: o->cfg.backend = arg; break;
	case OPT_ON_DELETE:
		if (!strcmp(arg, "wait"))
			o->cfg.gone_exit = 0;
		else if (!strcmp(arg, "exit"))
			o->cfg.gone_exit = 1;
		else
			return usage_error("%s: unknown mode '%s' (use wait or "
					   "exit)", opt, arg);
		break;
	case 'h':
		fputs(usage_text, stdout);
		return fflush(stdout) || ferror(stdout) ? EXIT_FAIL : EXIT_OK;
	case 'V':
		print_version();
		return fflush(stdout) || ferror(stdout) ? EXIT_FAIL : EXIT_OK;
	}
	return -1;
}

/* GNU-style parsing, written out so it behaves the same on every libc:
 * options and PATHs mix, short options bundle, "--" ends options. */
static int
parse_args(struct opts *o, int argc, char **argv)
{
	int only_paths = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		int r;
		if (only_paths || a[0] != '-' || !a[1]) {
			o->paths[o->npaths++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_paths = 1;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t n = eq ? (size_t)(eq - name) : strlen(name);
			const struct longopt *lo, *hit = NULL;
			int nhits = 0;
			char opt[80];
			for (lo = longopts; lo->name; lo++) {
				if (strncmp(lo->name, name, n))
					continue;
				if (!lo->name[n]) { /* exact beats prefix */
					hit = lo;
					nhits = 1;
					break;
				}
				hit = lo;
				nhits++;
			}
			if (nhits != 1)
				return usage_error("%s option '--%.*s'",
						   nhits ? "ambiguous" : "unknown",
						   (int)n, name);
			snprintf(opt, sizeof opt, "--%s", hit->name);
			const char *arg = NULL;
			if (hit->has_arg) {
				if (eq)
					arg = eq + 1;
				else if (i + 1 < argc)
					arg = argv[++i];
				else
					return usage_error("option '%s' needs a "
							   "value", opt);
			} else if (eq) {
				return usage_error("option '%s' takes no "
						   "value", opt);
			}
			if (hit->val == OPT_EXEC) {
				/* everything after it is the command */
				if (i + 1 >= argc)
					return usage_error("--exec needs a command "
							   "after it");
				o->exec = 1;
				o->eo.argv = argv + i + 1;
				o->eo.argc = argc - i - 1;
				return -1;
			}
			if ((r = apply(o, hit->val, arg, opt)) >= 0)
				return r;
			continue;
		}
		for (char *p = a + 1; *p; p++) {
			const char *s = strchr(shortopts, *p);
			char opt[3] = { '-', *p, '\0' };
			const char *arg = NULL;
			if (!s || *p == ':') {
				return usage_error("unknown option '-%c'", *p);
			}
			if (s[1] == ':') {
				if (p[1])
					arg = p + 1;
				else if (i + 1 < argc)
					arg = argv[++i];
				else
					return usage_error("option '%s' needs a "
							   "value", opt);
			}
			if ((r = apply(o, *p, arg, opt)) >= 0)
				return r;
			if (arg)
				break;
		}
	}
	return -1;
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
	int r;

	memset(&o, 0, sizeof o);
	o.cfg.events = FW_DEFAULT_EVENTS;
	o.eo.debounce_ms = 50;
	o.eo.stop_sig = proc_sigterm();
	o.eo.stop_ms = 5000;
	o.paths = calloc((size_t)argc + 1, sizeof *o.paths);
	if (!o.paths) {
		say("out of memory");
		return EXIT_FAIL;
	}
	r = parse_args(&o, argc, argv);
	if (r < 0 && o.json && o.out.fmt)
		r = usage_error("--json and --format cannot be used together");
	if (r < 0 && o.exec_only[0] && !o.exec)
		r = usage_error("%s works only with --exec (put --exec and the "
				"command last)", o.exec_only);
	if (r < 0 && o.eo.shell && !SYS_HAS_SH)
		r = usage_error("--shell needs /bin/sh, which this system does "
				"not have; run CMD directly, without --shell");
	if (r < 0 && !o.npaths)
		r = usage_error("no PATH to watch (give a file or directory, "
				"e.g. 'fwatch -r .')");
	if (r < 0)
		r = run(&o);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (!sys_reader_gone(errno) && r != EXIT_FAIL) {
			say("cannot write output: %s", strerror(errno));
			r = EXIT_FAIL;
		}
	}
	out_free(&o.out);
	filter_free(&o.filter);
	free(o.paths);
	return r;
}
