/*
 * exec.c - the --exec runner.
 *
 * States: idle (maybe with a burst collecting), running, stopping (a
 * stop signal sent, SIGKILL due at kill_at).  The command's stdout is
 * fwatch's own; fwatch writes nothing of its own while a command runs,
 * so lines never interleave.
 *
 * Memory that runs out while a burst is gathered or its command built
 * must never run the command with part of the burst missing: {paths},
 * "$@" or --stdin would leave changed files out without a word, and
 * the build or sync started on that list would miss them.  Every append
 * is checked; a burst that is not whole is not run at all, and
 * runner_start_due() fails with ENOMEM so that fwatch stops and says so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "proc.h"
#include "strmap.h"
#include "sys.h"

struct runner {
	struct exec_opts o;
	struct proc *p;      /* the command's group, while any of it lives */
	int leader_done;     /* the command itself has exited */
	int last_status;
	int64_t kill_at;     /* 0: no stop under way */
	int killed;          /* SIGKILL sent (at kill_at) */
	int runs;            /* how many runs started */
	int initial;         /* the run at start is due (no debounce) */
	int done;            /* --once: ran and ended */

	/* the burst: unique paths in the order they first changed */
	struct buf paths;    /* NUL-separated */
	struct smap seen;
	size_t npaths;
	int have_burst;      /* a run is due once the tree is quiet */
	int64_t last_change;
	int64_t burst_start; /* when the burst's first change came */
	int tty;             /* the terminal the command gets while it
			      * runs (proc_tty_open), or -1 */
	enum fw_kind first_kind;
	struct buf first_old;
	int nomem;           /* memory ran out: the burst is not whole */

	struct buf scratch;  /* env strings, stdin feed, shell script */
	char **argv;
	size_t capargv;
};

struct runner *
runner_new(const struct exec_opts *o)
{
	struct runner *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->o = *o;
	r->tty = -1;
	r->seen.arena = &r->paths;
	/* never NULL, so an empty burst is an empty range, not NULL + 0 */
	if (buf_add(&r->paths, "", 0) < 0 || buf_add(&r->scratch, "", 0) < 0) {
		runner_free(r);
		return NULL;
	}
	/* entr and watchexec both run the command once at start: a build
	 * loop wants a build now, not after the first save */
	if (!o->postpone && !o->once)
		r->have_burst = r->initial = 1;
	/* as entr: a command that reads the terminal (a REPL, a debugger)
	 * works; not when its stdin is our pipe of paths */
	r->tty = o->no_tty || o->feed != FEED_NONE ? -1 : proc_tty_open();
	return r;
}

void
runner_free(struct runner *r)
{
	if (!r)
		return;
	proc_free(r->p);
	free(r->paths.p);
	smap_free(&r->seen);
	free(r->first_old.p);
	free(r->scratch.p);
	free(r->argv);
	free(r);
}

static void
burst_clear(struct runner *r)
{
	r->paths.len = 0;
	r->npaths = 0;
	r->first_old.len = 0;
	if (r->seen.cap)
		smap_clear(&r->seen);
	r->have_burst = 0;
	r->nomem = 0;
}

static void
stop(struct runner *r, int64_t now)
{
	if (!r->p || r->kill_at)
		return;
	proc_signal(r->p, r->o.stop_sig);
	r->kill_at = now + (r->o.stop_ms > 0 ? r->o.stop_ms : 1);
}

void
runner_events(struct runner *r, const struct fw_event *evs, int n,
	      int64_t now)
{
	if (n <= 0 || (r->o.once && r->runs))
		return;
	if (r->p && !r->leader_done) {
		switch (r->o.busy) {
		case BUSY_IGNORE:
			return;
		case BUSY_SIGNAL:
			/* the command reloads by itself: no new run */
			proc_signal(r->p, r->o.busy_sig);
			return;
		case BUSY_RESTART:
			stop(r, now);
			break;
		case BUSY_QUEUE:
			break;
		}
	}
	for (int i = 0; i < n; i++) {
		const struct fw_event *e = &evs[i];
		if (!e->path_len)
			continue; /* overflow: no path, still a reason to run */
		if (smap_get(&r->seen, e->path, e->path_len) >= 0)
			continue;
		size_t off = r->paths.len;
		if (buf_add(&r->paths, e->path, e->path_len) < 0 ||
		    buf_add(&r->paths, "", 1) < 0) {
			r->paths.len = off; /* not half a path either */
			r->nomem = 1;
			break;
		}
		if (!r->npaths) {
			r->first_kind = e->kind;
			r->first_old.len = 0;
			if (e->old_path &&
			    buf_add(&r->first_old, e->old_path, e->old_len) < 0)
				r->nomem = 1;
		}
		/* unseen, the path may come twice; it is not lost */
		smap_put(&r->seen, off, e->path_len, (int)r->npaths++);
	}
	if (!r->npaths && !r->have_burst) /* only an overflow */
		r->first_kind = evs[0].kind;
	if (!r->have_burst)
		r->burst_start = now;
	r->have_burst = 1;
	r->last_change = now;
}

void
runner_reap(struct runner *r, int64_t now)
{
	int st;
	if (!r->p)
		return;
	/* reaps leftovers of the group as well, so keep calling it */
	if (proc_reap(r->p, &st) && !r->leader_done) {
		r->leader_done = 1;
		r->last_status = st;
	}
	if (r->kill_at && now >= r->kill_at && !r->killed) {
		proc_signal(r->p, proc_sigkill());
		r->killed = 1;
	}
	if (!r->leader_done)
		return;
	/* The command is done; what it left in its group goes too (no
	 * orphans).  The group id stays ours only while a member lives,
	 * so we stop signalling it as soon as it is empty.  A member that
	 * is killed but never reaped (where fwatch cannot be its reaper)
	 * stops counting a second after SIGKILL. */
	if (proc_group_alive(r->p) &&
	    !(r->killed && now >= r->kill_at + 1000)) {
		if (!r->kill_at)
			stop(r, now);
		return;
	}
	proc_free(r->p);
	r->p = NULL;
	r->kill_at = 0;
	proc_tty_give(r->tty, NULL);
	if (r->o.once)
		r->done = 1;
}

int
runner_busy(const struct runner *r)
{
	return r->p != NULL;
}

static int
add_env(struct runner *r, size_t *offs, size_t *k, const char *name,
	const char *val, size_t len)
{
	offs[(*k)++] = r->scratch.len;
	return buf_add(&r->scratch, name, strlen(name)) |
	       buf_add(&r->scratch, "=", 1) | buf_add(&r->scratch, val, len) |
	       buf_add(&r->scratch, "", 1);
}

/* Largest FWATCH_PATHS we put in the environment; past it, the list is
 * left out (FWATCH_COUNT still says how many) so exec cannot fail. */
#define ENV_PATHS_MAX (64 * 1024)

/* The next path of the burst after P (its first: P == NULL), or NULL. */
static char *
next_path(const struct runner *r, char *p)
{
	p = p ? p + strlen(p) + 1 : r->paths.p;
	return p < r->paths.p + r->paths.len ? p : NULL;
}

/* stdin: the paths, NUL- or newline-terminated, at scratch's start;
 * their length in *len. */
static int
build_feed(struct runner *r, size_t *len)
{
	char sep = r->o.feed == FEED_NUL ? '\0' : '\n';
	for (char *p = NULL; (p = next_path(r, p));)
		if (buf_add(&r->scratch, p, strlen(p)) < 0 ||
		    buf_add(&r->scratch, &sep, 1) < 0)
			return -1;
	*len = r->scratch.len;
	return 0;
}

/* The FWATCH_* variables, at offsets OFFS[0..*K) of scratch. */
static int
build_env(struct runner *r, size_t *offs, size_t *k)
{
	const char *first = r->npaths ? r->paths.p : "";
	const char *kind = r->npaths ? fw_kind_name(r->first_kind) : "";
	const char *old = r->first_old.p ? r->first_old.p : "";
	char count[32];

	snprintf(count, sizeof count, "%zu", r->npaths);
	if (add_env(r, offs, k, "FWATCH_PATH", first, strlen(first)) ||
	    add_env(r, offs, k, "FWATCH_EVENT", kind, strlen(kind)) ||
	    add_env(r, offs, k, "FWATCH_OLD_PATH", old, r->first_old.len) ||
	    add_env(r, offs, k, "FWATCH_COUNT", count, strlen(count)))
		return -1;
	if (r->paths.len > ENV_PATHS_MAX)
		return 0;
	offs[(*k)++] = r->scratch.len;
	if (buf_add(&r->scratch, "FWATCH_PATHS=", 13) < 0)
		return -1;
	for (char *p = NULL; (p = next_path(r, p));)
		if ((p != r->paths.p && buf_add(&r->scratch, "\n", 1) < 0) ||
		    buf_add(&r->scratch, p, strlen(p)) < 0)
			return -1;
	return buf_add(&r->scratch, "", 1);
}

static int
argv_push(struct runner *r, size_t *n, char *s)
{
	if (GROW(r->argv, r->capargv, *n + 2) < 0)
		return -1;
	r->argv[(*n)++] = s;
	r->argv[*n] = NULL;
	return 0;
}

static int
argv_push_paths(struct runner *r, size_t *n)
{
	for (char *p = NULL; (p = next_path(r, p));)
		if (argv_push(r, n, p) < 0)
			return -1;
	return 0;
}

/* sh -c SCRIPT fwatch PATH...: the paths are "$@".  The script is the
 * last thing put in scratch, which must not move after it. */
static int
build_shell_argv(struct runner *r, size_t *n)
{
	size_t script = r->scratch.len;
	for (int i = 0; i < r->o.argc; i++) {
		const char *a = r->o.argv[i];
		if ((i && buf_add(&r->scratch, " ", 1) < 0) ||
		    buf_add(&r->scratch, a, strlen(a)) < 0)
			return -1;
	}
	if (buf_add(&r->scratch, "", 1) < 0 || argv_push(r, n, "/bin/sh") ||
	    argv_push(r, n, "-c") || argv_push(r, n, r->scratch.p + script) ||
	    argv_push(r, n, "fwatch"))
		return -1;
	return argv_push_paths(r, n);
}

/* argv: whole-word placeholders only, never pasted into a word */
static int
build_argv(struct runner *r, size_t *n)
{
	for (int i = 0; i < r->o.argc; i++) {
		char *a = r->o.argv[i];
		if (!strcmp(a, "{paths}")) {
			if (argv_push_paths(r, n) < 0)
				return -1;
			continue;
		}
		if (!strcmp(a, "{}"))
			a = r->npaths ? r->paths.p : "";
		else if (!strcmp(a, "{event}"))
			a = r->npaths ? (char *)fw_kind_name(r->first_kind)
				      : "";
		else if (!strcmp(a, "{old}"))
			a = r->first_old.p && r->first_old.len ? r->first_old.p
							       : "";
		if (argv_push(r, n, a) < 0)
			return -1;
	}
	return 0;
}

/* Start the command built in r->argv, ENV and the feed. */
static void
launch(struct runner *r, char **env, size_t feed_len)
{
	if (r->o.clear) {
		fputs("\033[H\033[2J\033[3J", stdout);
		fflush(stdout);
	}
	r->runs++;
	r->initial = 0;
	r->leader_done = 0;
	r->kill_at = 0;
	r->killed = 0;
	if (!r->argv || !r->argv[0]) {
		/* the command is {paths} alone, and no path changed (the
		 * run at start has none): there is nothing to run */
		burst_clear(r);
		fputs("fwatch: nothing to run: the command is {paths} and no "
		      "path changed (use -p to run only after a change)\n",
		      stderr);
		r->last_status = 127;
		if (r->o.once)
			r->done = 1;
		return;
	}
	r->p = proc_start(r->argv, env,
			  r->o.feed != FEED_NONE ? r->scratch.p : NULL, feed_len);
	int e = errno;
	burst_clear(r);
	if (r->p)
		proc_tty_give(r->tty, r->p);
	if (!r->p) {
		const char *a0 = r->argv[0];
		if (e == ENOENT && !r->o.shell && strchr(a0, ' '))
			/* --exec 'make test': one word, quoted as for sh */
			fprintf(stderr, "fwatch: cannot run '%s': %s (did you "
				"mean --exec %s, or --shell?)\n", a0,
				strerror(e), a0);
		else
			fprintf(stderr, "fwatch: cannot run '%s': %s%s\n", a0,
				strerror(e),
				e == E2BIG ? " (too many paths for {paths}: "
					     "use --stdin nul instead)"
				: e == ENOENT ? " (check the command name and "
						"PATH)" : "");
		r->last_status = 127;
		if (r->o.once)
			r->done = 1;
	}
}

/* When the burst's run is due: once the tree has been quiet for the
 * debounce, or --max-wait after the burst began if that comes first (a
 * tree that never goes quiet, a log written every 10 ms, would
 * otherwise postpone the run for ever). */
static int64_t
due_at(const struct runner *r)
{
	int64_t due = r->last_change + r->o.debounce_ms;
	if (r->initial)
		return 0;
	if (r->o.max_wait_ms && r->burst_start + r->o.max_wait_ms < due)
		due = r->burst_start + r->o.max_wait_ms;
	return due;
}

int
runner_start_due(struct runner *r, int64_t now)
{
	size_t offs[8], k = 0, n = 0, feed_len = 0;
	char *env[8];

	if (!r->have_burst || r->p || r->done)
		return 0;
	if (now < due_at(r))
		return 0;
	r->scratch.len = 0;
	if (r->nomem ||
	    (r->o.feed != FEED_NONE && build_feed(r, &feed_len) < 0) ||
	    build_env(r, offs, &k) < 0 ||
	    (r->o.shell ? build_shell_argv(r, &n) : build_argv(r, &n)) < 0) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < k; i++)
		env[i] = r->scratch.p + offs[i];
	env[k] = NULL;
	launch(r, env, feed_len);
	return 0;
}

int64_t
runner_next(const struct runner *r, int64_t now)
{
	int64_t t = -1;
	if (r->p) {
		/* while it runs we learn of its end by SIGCHLD, but a stop
		 * has a deadline, and leftovers of the group are polled */
		if (r->kill_at)
			t = r->kill_at > now ? r->kill_at - now : 0;
		if (r->leader_done && (t < 0 || t > 20))
			t = 20;
		return t;
	}
	if (r->have_burst && !r->done) {
		int64_t due = r->initial ? now : due_at(r);
		t = due > now ? due - now : 0;
	}
	return t;
}

int
runner_done(const struct runner *r, int *status)
{
	if (r->done)
		*status = r->last_status;
	return r->done;
}

void
runner_shutdown(struct runner *r)
{
	int64_t now = sys_mono_ms();
	if (!r->p)
		return;
	stop(r, now);
	/* Bounded: the stop signal, the kill after stop_ms, then a short
	 * wait for the kernel to tear the group down. */
	int64_t give_up = r->kill_at + 2000;
	while (r->p && now < give_up) {
		runner_reap(r, now);
		if (!r->p)
			break;
		sys_sleep_ms(10);
		now = sys_mono_ms();
	}
	proc_tty_give(r->tty, NULL); /* also if some of it would not go */
}
