/*
 * proc.h - starting and stopping the --exec command, whatever the
 * platform.  A command runs in a group of its own (a process group on
 * Unix, a job object on Windows) so that stopping it stops everything
 * it started.
 */
#ifndef FWATCH_PROC_H
#define FWATCH_PROC_H

#include <stddef.h>

struct proc;

/* Start ARGV (argv[0] looked up in PATH).  If input is not NULL the
 * command's stdin is a pipe fed with those LEN bytes, then closed.
 * ENV_ADD is a NULL-terminated list of "NAME=value" added to the
 * environment.  NULL with errno on failure. */
struct proc *proc_start(char *const argv[], char *const env_add[],
			const char *input, size_t len);

/* The terminal on fwatch's stdin, if fwatch holds its foreground (an
 * interactive shell started it, not in the background): its descriptor,
 * else -1 (always on Windows).  From then on fwatch ignores SIGTTOU, so
 * that it can take the terminal back from the background. */
int proc_tty_open(void);
/* Give terminal TTY's foreground to P's group, so that the command can
 * read it and Ctrl-C reaches it; P NULL: take it back for fwatch. */
void proc_tty_give(int tty, struct proc *p);

/* Send SIG (a signal number from proc_signal_parse) to the whole group. */
int proc_signal(struct proc *p, int sig);
/* Collect the command's exit without blocking: 1 if it has exited (its
 * status in *status as a shell reports it: the exit code, or 128+N for
 * signal N), 0 if it still runs. */
int proc_reap(struct proc *p, int *status);
/* 1 while anything of the group is left. */
int proc_group_alive(struct proc *p);
void proc_free(struct proc *p);

/* signame.c, for every platform: a signal name (TERM, SIGTERM, term) or
 * number, as a number of this platform; -1 if unknown. */
int proc_signal_parse(const char *name);
int proc_sigkill(void);
/* The I-th signal name proc_signal_parse() knows (TERM), NULL past the
 * last: for the completions. */
const char *proc_signal_name_at(size_t i);
int proc_sigterm(void);

#endif
