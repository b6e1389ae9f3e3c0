/*
 * cli.c - fwatch's command line: the option table, a GNU-style parser
 * and the parsers of option values, all filling a struct opts.  Nothing
 * here exits or touches stdout: main() decides, and prints --help and
 * --version through cli_help() and cli_version() (help.c).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "help.h"
#include "proc.h"
#include "sys.h"

#if defined(__GNUC__)
#define PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PRINTF(a, b)
#endif

#define GO_ON (-1) /* internal: no verdict yet, read on */

/* One reading of the command line: where it goes, where errors go. */
struct parser {
	struct opts *o;
	FILE *err;
};

static int PRINTF(2, 3)
usage_error(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("fwatch: ", ps->err);
	vfprintf(ps->err, fmt, ap);
	fputc('\n', ps->err);
	va_end(ap);
	fputs("Try 'fwatch --help' for more information.\n", ps->err);
	return CLI_BAD;
}

/* LIST: names of kinds and "all", comma-separated; the first --event
 * replaces the default, the ones after it add to it. */
static int
parse_events(struct parser *ps, const char *list, const char *opt)
{
	struct opts *o = ps->o;
	unsigned selectable = fw_kinds_selectable();
	const char *p = list;
	if (!o->events_given) {
		o->cfg.events = 0;
		o->events_given = 1;
	}
	for (;;) {
		size_t n = strcspn(p, ",");
		unsigned m = fw_kinds_named(p, n);
		if (n == 3 && (!memcmp(p, "all", 3) || !memcmp(p, "ALL", 3))) {
			o->cfg.events |= selectable;
		} else if (m) {
			o->cfg.events |= m;
		} else {
			char known[256];
			int shown = (int)(n < 40 ? n : 40);
			help_kinds(known, sizeof known, selectable, ", ");
			return usage_error(ps, "%s: unknown event '%.*s' "
					   "(known: %s, all)", opt, shown, p,
					   known);
		}
		if (!p[n])
			return GO_ON;
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

/* SECS (decimal) as milliseconds into *ms. */
static int
parse_secs(struct parser *ps, const char *s, const char *opt,
	   long long *ms)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (!plain_number(s, 1) || *end || errno || !isfinite(v) || v < 0 ||
	    v > 31536000.0)
		return usage_error(ps, "%s: '%s' is not a number of seconds "
				   "(from 0 to 31536000, e.g. 0.5)", opt, s);
	*ms = (long long)ceil(v * 1000.0);
	return GO_ON;
}

static int
parse_ms(struct parser *ps, const char *s, const char *opt, int64_t *ms)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (!plain_number(s, 0) || *end || errno || v < 0 || v > 3600000)
		return usage_error(ps, "%s: '%s' is not a number of "
				   "milliseconds (from 0 to 3600000)", opt, s);
	*ms = v;
	return GO_ON;
}

static int
parse_signal(struct parser *ps, const char *s, const char *opt, int *sig)
{
	if ((*sig = proc_signal_parse(s)) < 0)
		return usage_error(ps, "%s: unknown signal '%s' (use a name "
				   "such as TERM, INT, HUP, USR1, KILL, or a "
				   "number)", opt, s);
	return GO_ON;
}

static int
parse_on_busy(struct parser *ps, const char *s, const char *opt)
{
	struct exec_opts *eo = &ps->o->eo;
	if (!strcmp(s, "queue"))
		eo->busy = BUSY_QUEUE;
	else if (!strcmp(s, "restart"))
		eo->busy = BUSY_RESTART;
	else if (!strcmp(s, "ignore"))
		eo->busy = BUSY_IGNORE;
	else if ((eo->busy_sig = proc_signal_parse(s)) > 0)
		eo->busy = BUSY_SIGNAL;
	else
		return usage_error(ps, "%s: '%s' is not queue, restart, "
				   "ignore or a signal name", opt, s);
	return GO_ON;
}

enum {
	OPT_READY = 256, OPT_EXEC, OPT_SHELL, OPT_ON_BUSY, OPT_STOP_SIGNAL,
	OPT_STOP_TIMEOUT, OPT_STDIN, OPT_PRINT, OPT_SNAPSHOT, OPT_ON_DELETE, OPT_POLL, OPT_POLL_INTERVAL,
	OPT_BACKEND, OPT_NO_DEFAULT_IGNORES, OPT_TAIL, OPT_TAIL_FROM,
	OPT_GITIGNORE, OPT_NO_GITIGNORE, OPT_IGNORE_FILE, OPT_EXPLAIN,
	OPT_MAX_WAIT, OPT_NO_TTY, OPT_COMPLETIONS
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
	{ "gitignore", 0, OPT_GITIGNORE },
	{ "no-gitignore", 0, OPT_NO_GITIGNORE },
	{ "ignore-file", 1, OPT_IGNORE_FILE },
	{ "explain-ignore", 1, OPT_EXPLAIN },
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
	{ "poll", 0, OPT_POLL },
	{ "poll-interval", 1, OPT_POLL_INTERVAL },
	{ "on-delete", 1, OPT_ON_DELETE },
	{ "tail", 0, OPT_TAIL },
	{ "tail-from", 1, OPT_TAIL_FROM },
	{ "exec", 0, OPT_EXEC },
	{ "shell", 0, OPT_SHELL },
	{ "debounce", 1, 'd' },
	{ "max-wait", 1, OPT_MAX_WAIT },
	{ "no-tty", 0, OPT_NO_TTY },
	{ "postpone", 0, 'p' },
	{ "restart", 0, 'R' },
	{ "on-busy", 1, OPT_ON_BUSY },
	{ "stop-signal", 1, OPT_STOP_SIGNAL },
	{ "stop-timeout", 1, OPT_STOP_TIMEOUT },
	{ "clear", 0, 'c' },
	{ "stdin", 1, OPT_STDIN },
	{ "print", 0, OPT_PRINT },
	{ "no-default-ignores", 0, OPT_NO_DEFAULT_IGNORES },
	{ "completions", 1, OPT_COMPLETIONS },
	{ "help", 0, 'h' },
	{ "version", 0, 'V' },
	{ NULL, 0, 0 },
};

static const char shortopts[] = "rLe:i:x:j0f:a1t:qhVd:pRc";

/* The options whose value is a word to look up, not a number or a
 * pattern. */
static int
apply_word(struct parser *ps, int c, const char *arg, const char *opt)
{
	struct opts *o = ps->o;
	switch (c) {
	case OPT_STDIN:
		if (!strcmp(arg, "nul"))
			o->eo.feed = FEED_NUL;
		else if (!strcmp(arg, "lines"))
			o->eo.feed = FEED_LINES;
		else
			return usage_error(ps, "%s: '%s' is not nul or lines",
					   opt, arg);
		return GO_ON;
	case OPT_ON_DELETE:
		if (!strcmp(arg, "wait"))
			o->cfg.gone_exit = 0;
		else if (!strcmp(arg, "exit"))
			o->cfg.gone_exit = 1;
		else
			return usage_error(ps, "%s: unknown mode '%s' (use "
					   "wait or exit)", opt, arg);
		return GO_ON;
	case OPT_TAIL_FROM:
		if (strcmp(arg, "start") && strcmp(arg, "end"))
			return usage_error(ps, "%s: '%s' is not start or end",
					   opt, arg);
		o->tail_start = !strcmp(arg, "start");
		o->tail_from = arg;
		return GO_ON;
	case OPT_ON_BUSY:
		return parse_on_busy(ps, arg, opt);
	case OPT_STOP_SIGNAL:
		return parse_signal(ps, arg, opt, &o->eo.stop_sig);
	}
	return GO_ON;
}

/* The options that take a value. */
static int
apply_value(struct parser *ps, int c, const char *arg, const char *opt)
{
	struct opts *o = ps->o;
	char err[256];
	long long ms;
	int r;
	switch (c) {
	case 'e':
		return parse_events(ps, arg, opt);
	case 'i':
	case 'x':
		if (glob_check(arg, err, sizeof err) < 0)
			return usage_error(ps, "%s '%s': %s", opt, arg, err);
		if (filter_add(&o->filter, c == 'x', arg) < 0)
			return usage_error(ps, "%s: out of memory", opt);
		return GO_ON;
	case 'f':
		if (out_check_format(arg, err, sizeof err) < 0)
			return usage_error(ps, "%s: %s", opt, err);
		o->out.mode = OUT_FORMAT;
		o->out.fmt = arg;
		return GO_ON;
	case 't':
		return parse_secs(ps, arg, opt, &o->timeout_ms);
	case 'd':
		return parse_ms(ps, arg, opt, &o->eo.debounce_ms);
	case OPT_MAX_WAIT:
		return parse_ms(ps, arg, opt, &o->eo.max_wait_ms);
	case OPT_STOP_TIMEOUT:
		if ((r = parse_secs(ps, arg, opt, &ms)) == GO_ON)
			o->eo.stop_ms = ms;
		return r;
	case OPT_BACKEND:
		if (!*arg)
			return usage_error(ps, "%s: empty name (fwatch "
					   "--version lists the backends)", opt);
		if (o->cfg.backend && strcmp(o->cfg.backend, arg))
			return usage_error(ps, "%s: '%s' and '%s' both asked "
					   "for: choose one backend", opt,
					   o->cfg.backend, arg);
		o->cfg.backend = arg;
		return GO_ON;
	case OPT_IGNORE_FILE: {
		const char **v;
		if (!*arg)
			return usage_error(ps, "%s: empty file name", opt);
		v = realloc((void *)o->ignore_files,
			    (o->nignore_files + 1) * sizeof *v);
		if (!v)
			return usage_error(ps, "%s: out of memory", opt);
		v[o->nignore_files++] = arg;
		o->ignore_files = v;
		return GO_ON;
	}
	case OPT_EXPLAIN:
		if (!*arg)
			return usage_error(ps, "%s: empty path", opt);
		o->explain = arg;
		return GO_ON;
	case OPT_POLL_INTERVAL: {
		int64_t every;
		if ((r = parse_ms(ps, arg, opt, &every)) != GO_ON)
			return r;
		if (every < 10)
			return usage_error(ps, "%s: '%s' is too often: at least "
					   "10 milliseconds", opt, arg);
		o->cfg.poll_ms = (int)every;
		return GO_ON;
	}
	}
	return apply_word(ps, c, arg, opt);
}

/* Apply one option (OPT: its name as the user will read it back). */
static int
apply(struct parser *ps, int c, const char *arg, const char *opt)
{
	struct opts *o = ps->o;
	switch (c) { /* these mean something only with --exec */
	case 'd': case 'p': case 'R': case 'c': case OPT_SHELL:
	case OPT_ON_BUSY: case OPT_STOP_SIGNAL: case OPT_STOP_TIMEOUT:
	case OPT_STDIN: case OPT_PRINT: case OPT_NO_DEFAULT_IGNORES:
	case OPT_MAX_WAIT: case OPT_NO_TTY:
		snprintf(o->exec_only, sizeof o->exec_only, "%s", opt);
	}
	switch (c) {
	case 'r': o->cfg.recursive = 1; break;
	case 'L': o->cfg.follow = 1; break;
	case 'j': o->out.mode = OUT_JSON; o->json = 1; break;
	case '0': o->out.nul = 1; break;
	case 'a': o->cfg.absolute = 1; break;
	case '1': o->once = 1; break;
	case 'q': o->quiet = 1; break;
	case 'p': o->eo.postpone = 1; break;
	case 'R': o->eo.busy = BUSY_RESTART; break;
	case 'c': o->eo.clear = 1; break;
	case OPT_SHELL: o->eo.shell = 1; break;
	case OPT_PRINT: o->print = 1; break;
	case OPT_NO_TTY: o->eo.no_tty = 1; break;
	case OPT_NO_DEFAULT_IGNORES: o->no_noise = 1; break;
	case OPT_READY: o->ready = 1; break;
	case OPT_SNAPSHOT: o->cfg.snapshot = 1; break;
	case OPT_TAIL: o->tail = 1; break;
	case OPT_GITIGNORE: o->gitignore = 1; break;
	case OPT_NO_GITIGNORE: o->gitignore = -1; break;
	case OPT_POLL: return apply_value(ps, OPT_BACKEND, "poll", opt);
	case 'h': return CLI_HELP;
	case OPT_COMPLETIONS:
		if (strcmp(arg, "bash") && strcmp(arg, "zsh") &&
		    strcmp(arg, "fish"))
			return usage_error(ps, "%s: '%s' is not bash, zsh or "
					   "fish", opt, arg);
		o->completions = arg;
		return CLI_COMPLETIONS;
	case 'V': return CLI_VERSION;
	default: return apply_value(ps, c, arg, opt);
	}
	return GO_ON;
}

/* The long option ARGV[*I] (with its value, maybe ARGV[*I + 1]). */
static int
parse_long(struct parser *ps, int argc, char **argv, int *i)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '='), *arg = NULL;
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	const struct longopt *lo, *hit = NULL;
	int nhits = 0;
	char opt[80];
	for (lo = longopts; lo->name; lo++) {
		if (strncmp(lo->name, name, n))
			continue;
		hit = lo;
		if (!lo->name[n]) { /* exact beats prefix */
			nhits = 1;
			break;
		}
		nhits++;
	}
	if (nhits != 1)
		return usage_error(ps, "%s option '--%.*s'",
				   nhits ? "ambiguous" : "unknown", (int)n,
				   name);
	snprintf(opt, sizeof opt, "--%s", hit->name);
	if (hit->has_arg) {
		if (eq)
			arg = eq + 1;
		else if (*i + 1 < argc)
			arg = argv[++*i];
		else
			return usage_error(ps, "option '%s' needs a value",
					   opt);
	} else if (eq) {
		return usage_error(ps, "option '%s' takes no value", opt);
	}
	if (hit->val != OPT_EXEC)
		return apply(ps, hit->val, arg, opt);
	/* everything after it is the command */
	if (*i + 1 >= argc)
		return usage_error(ps, "--exec needs a command after it");
	ps->o->exec = 1;
	ps->o->eo.argv = argv + *i + 1;
	ps->o->eo.argc = argc - *i - 1;
	*i = argc;
	return GO_ON;
}

/* The short options bundled in ARGV[*I]; the last may take a value,
 * attached or the next word. */
static int
parse_short(struct parser *ps, int argc, char **argv, int *i)
{
	for (char *p = argv[*i] + 1; *p; p++) {
		const char *s = strchr(shortopts, *p), *arg = NULL;
		char opt[3] = { '-', *p, '\0' };
		int r;
		if (!s || *p == ':')
			return usage_error(ps, "unknown option '-%c'", *p);
		if (s[1] == ':') {
			if (p[1])
				arg = p + 1;
			else if (*i + 1 < argc)
				arg = argv[++*i];
			else
				return usage_error(ps, "option '%s' needs a "
						   "value", opt);
		}
		if ((r = apply(ps, *p, arg, opt)) != GO_ON || arg)
			return r;
	}
	return GO_ON;
}

static int
parse_words(struct parser *ps, int argc, char **argv)
{
	int only_paths = 0, r = GO_ON;
	for (int i = 1; i < argc && r == GO_ON; i++) {
		char *a = argv[i];
		if (only_paths || a[0] != '-' || !a[1])
			ps->o->paths[ps->o->npaths++] = a;
		else if (!strcmp(a, "--"))
			only_paths = 1;
		else if (a[1] == '-')
			r = parse_long(ps, argc, argv, &i);
		else
			r = parse_short(ps, argc, argv, &i);
	}
	return r;
}

/* --tail prints the files' bytes: what it cannot go with, and what it
 * asks of the watcher. */
static int
check_tail(struct parser *ps)
{
	struct opts *o = ps->o;
	if (!o->tail)
		return o->tail_from ? usage_error(ps, "--tail-from works only "
						  "with --tail") : GO_ON;
	if (o->exec)
		return usage_error(ps, "--tail and --exec cannot be used "
				   "together: --tail prints the bytes of the "
				   "files (drop --tail to run a command on "
				   "each change)");
	if (o->out.fmt || o->out.nul)
		return usage_error(ps, "--tail prints the bytes as they are, "
				   "or JSON chunks with --json: it takes no "
				   "%s", o->out.fmt ? "--format" : "-0");
	if (o->events_given || o->cfg.recursive || o->filter.n)
		return usage_error(ps, "--tail follows the files given: %s "
				   "does not apply", o->events_given ? "--event"
				   : o->cfg.recursive ? "-r" : "--include or "
				   "--exclude");
	if (o->ready && !o->json)
		return usage_error(ps, "--ready with --tail needs --json: a "
				   "ready record would be mixed into the "
				   "files' bytes");
	o->cfg.tail = 1;
	o->cfg.events = FW_BIT(FW_CREATE) | FW_BIT(FW_MODIFY) |
			FW_BIT(FW_DELETE) | FW_BIT(FW_RENAME);
	return GO_ON;
}

/* What no single option can tell: the options together. */
static int
check_together(struct parser *ps)
{
	struct opts *o = ps->o;
	int r;
	if ((r = check_tail(ps)) != GO_ON)
		return r;
	if (o->json && o->out.fmt)
		return usage_error(ps, "--json and --format cannot be used "
				   "together");
	if (o->exec_only[0] && !o->exec)
		return usage_error(ps, "%s works only with --exec (put --exec "
				   "and the command last)", o->exec_only);
	if (o->eo.shell && !SYS_HAS_SH)
		return usage_error(ps, "--shell needs /bin/sh, which this "
				   "system does not have; run CMD directly, "
				   "without --shell");
	/* what git ignores: asked for, refused, or --exec's default (on
	 * inside a work tree) */
	o->cfg.gitignore = o->gitignore > 0 ? FW_GITIGNORE_ON
			   : o->gitignore < 0 ? FW_GITIGNORE_OFF
			   : o->exec ? FW_GITIGNORE_AUTO : FW_GITIGNORE_OFF;
	if (o->explain && !o->npaths)
		o->paths[o->npaths++] = (char *)".";
	if (!o->npaths)
		return usage_error(ps, "no PATH to watch (give a file or "
				   "directory, e.g. 'fwatch -r .')");
	o->cfg.noise = o->exec && !o->no_noise;
	return CLI_WATCH;
}

enum cli_next
cli_parse(struct opts *o, int argc, char **argv, FILE *err)
{
	struct parser ps = { o, err };
	int r;

	memset(o, 0, sizeof *o);
	o->cfg.events = FW_DEFAULT_EVENTS;
	o->eo.debounce_ms = 50;
	o->eo.stop_sig = proc_sigterm();
	o->eo.stop_ms = 5000;
	o->paths = calloc((size_t)argc + 1, sizeof *o->paths);
	if (!o->paths) {
		fputs("fwatch: out of memory\n", err);
		return CLI_BAD;
	}
	r = parse_words(&ps, argc, argv);
	return r == GO_ON ? (enum cli_next)check_together(&ps)
			  : (enum cli_next)r;
}

const char *
cli_option_at(size_t i, int *has_arg, char *letter, char *desc, size_t n)
{
	if (i >= sizeof longopts / sizeof longopts[0] || !longopts[i].name)
		return NULL;
	*has_arg = longopts[i].has_arg;
	*letter = longopts[i].val < 128 && strchr(shortopts, longopts[i].val)
		  ? (char)longopts[i].val : 0;
	help_line(longopts[i].name, desc, n);
	return longopts[i].name;
}

void
cli_free(struct opts *o)
{
	filter_free(&o->filter);
	free((void *)o->ignore_files);
	o->ignore_files = NULL;
	o->nignore_files = 0;
	free(o->paths);
	o->paths = NULL;
	o->npaths = 0;
}
