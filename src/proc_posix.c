/*
 * proc_posix.c - proc.h with posix_spawn and process groups.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

#ifdef __linux__
#include <sys/prctl.h>
#endif

extern char **environ;

struct proc {
	pid_t pid;    /* also the process group id */
	int exited;
	int status;
	int tty;      /* the terminal it was given (proc_tty_give), or -1 */
};

/* Hazard: a grandchild whose parent died is reparented; as a zombie it
 * still counts as a member of the group for kill(-pgid, 0) until its new
 * parent reaps it.  If that parent is an init that never reaps, the
 * group never looks empty.  Where the kernel allows, fwatch becomes that
 * parent itself (a "subreaper") and reaps them in proc_reap(). */
static void
become_subreaper(void)
{
	static int done;
	if (done)
		return;
	done = 1;
#ifdef PR_SET_CHILD_SUBREAPER
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#endif
}

static char **
merged_env(char *const add[])
{
	size_t n = 0, k = 0;
	char **env;
	while (environ[n])
		n++;
	while (add && add[k])
		k++;
	env = malloc((n + k + 1) * sizeof *env);
	if (!env)
		return NULL;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		/* ours replace inherited ones of the same name */
		int dup = 0;
		size_t nl = strcspn(environ[i], "=");
		for (size_t j = 0; j < k && !dup; j++)
			dup = !strncmp(add[j], environ[i], nl) && add[j][nl] == '=';
		if (!dup)
			env[m++] = environ[i];
	}
	for (size_t j = 0; j < k; j++)
		env[m++] = add[j];
	env[m] = NULL;
	return env;
}

/* Feed the command's stdin from a child of our own, so a command that
 * never reads cannot block fwatch. */
static pid_t
feeder(int fd, const char *input, size_t len)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		while (len) {
			ssize_t r = write(fd, input, len);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				_exit(0);
			}
			input += r;
			len -= (size_t)r;
		}
		_exit(0);
	}
	return pid;
}

struct proc *
proc_start(char *const argv[], char *const env_add[], const char *input,
	   size_t len)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	int pfd[2] = { -1, -1 }, e;
	char **env;
	struct proc *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->tty = -1;
	if (!(env = merged_env(env_add))) {
		free(p);
		return NULL;
	}
	become_subreaper();
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	if (input) {
		if (pipe(pfd) < 0) {
			e = errno;
			goto fail;
		}
		posix_spawn_file_actions_adddup2(&fa, pfd[0], 0);
		posix_spawn_file_actions_addclose(&fa, pfd[0]);
		posix_spawn_file_actions_addclose(&fa, pfd[1]);
	}
	/* Its own process group, so that stopping it reaches whatever it
	 * started; signals that fwatch ignores or catches start out at
	 * their defaults again, and nothing is blocked. */
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGCHLD);
	sigaddset(&dfl, SIGTTOU); /* ignored by fwatch: proc_tty_open() */
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
					      POSIX_SPAWN_SETSIGMASK |
					      POSIX_SPAWN_SETSIGDEF);
	e = posix_spawnp(&p->pid, argv[0], &fa, &at, argv, env);
	if (e == 0 && input) {
		close(pfd[0]);
		pfd[0] = -1;
		/* the feeder is reaped by proc_reap()'s waitpid(-1) */
		feeder(pfd[1], input, len);
		close(pfd[1]);
		pfd[1] = -1;
	}
fail:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(env);
	if (e) {
		free(p);
		errno = e;
		return NULL;
	}
	return p;
}

int
proc_tty_open(void)
{
	pid_t fg;
	if (!isatty(0) || (fg = tcgetpgrp(0)) < 0 || fg != getpgrp())
		return -1;
	/* tcsetpgrp() from a background group is SIGTTOU, which would stop
	 * fwatch as it takes the terminal back */
	signal(SIGTTOU, SIG_IGN);
	return 0;
}

/* Hazard: the command runs before it gets the foreground, and one that
 * reads the terminal at once is stopped by SIGTTIN first; SIGCONT after
 * the hand-over lets it go on, now allowed to read.  A command already
 * gone leaves tcsetpgrp() failing (EPERM): nothing to give. */
void
proc_tty_give(int tty, struct proc *p)
{
	if (tty < 0)
		return;
	if (p) {
		if (tcsetpgrp(tty, p->pid) == 0)
			kill(-p->pid, SIGCONT);
		p->tty = tty;
	} else {
		tcsetpgrp(tty, getpgrp());
	}
}

int
proc_signal(struct proc *p, int sig)
{
	return kill(-p->pid, sig);
}

/* Ctrl-Z stopped the command in the terminal's foreground: the shell
 * knows only fwatch's group, so fwatch takes the terminal back and stops
 * as a job would, and on `fg` hands it on again.  Left alone, the
 * terminal would stay with a stopped group the shell cannot resume.
 * Other stops (SIGTTIN before the hand-over, a debugger's) are not
 * ours to undo. */
static void
job_stopped(struct proc *p, int sig)
{
	if (p->tty < 0 || sig != SIGTSTP)
		return;
	tcsetpgrp(p->tty, getpgrp());
	kill(0, SIGTSTP); /* returns once fwatch is continued */
	if (tcsetpgrp(p->tty, p->pid) == 0)
		kill(-p->pid, SIGCONT);
}

int
proc_reap(struct proc *p, int *status)
{
	int st;
	pid_t r;
	/* Reap every child that is done (the command, stdin feeders, and
	 * as a subreaper its orphans), so none is left a zombie; remember
	 * the command's own status. */
	while ((r = waitpid(-1, &st, WNOHANG | WUNTRACED)) > 0) {
		if (r != p->pid)
			continue;
		if (WIFSTOPPED(st)) {
			job_stopped(p, WSTOPSIG(st));
			continue;
		}
		p->exited = 1;
		p->status = WIFEXITED(st) ? WEXITSTATUS(st)
			    : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
	}
	if (p->exited)
		*status = p->status;
	return p->exited;
}

int
proc_group_alive(struct proc *p)
{
	return kill(-p->pid, 0) == 0 || errno == EPERM;
}

void
proc_free(struct proc *p)
{
	free(p);
}
