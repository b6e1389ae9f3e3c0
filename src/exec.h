/*
 * exec.h - the --exec runner: collects bursts of events, waits for the
 * tree to be quiet, runs the command once per burst, and decides what a
 * change means while the command is still running.
 */
#ifndef FWATCH_EXEC_H
#define FWATCH_EXEC_H

#include <stdint.h>

#include "watch.h"

enum busy { BUSY_QUEUE, BUSY_RESTART, BUSY_IGNORE, BUSY_SIGNAL };
enum feed { FEED_NONE, FEED_NUL, FEED_LINES };

struct exec_opts {
	char **argv;           /* the words after --exec */
	int argc;
	int shell;             /* run argv joined by spaces with sh -c */
	enum busy busy;
	int busy_sig;          /* BUSY_SIGNAL */
	int stop_sig;          /* what stops the command (TERM) */
	int64_t stop_ms;       /* then SIGKILL after this long */
	int64_t debounce_ms;
	int64_t max_wait_ms;   /* run a burst this long after it began even
				* if it is not quiet yet; 0: wait for quiet */
	int postpone;          /* wait for a change before the first run */
	int clear;             /* clear the screen before each run */
	int once;              /* one run for the first change, then exit */
	enum feed feed;        /* paths on the command's stdin */
	int no_tty;            /* --no-tty: never the terminal's foreground */
};

struct runner;

struct runner *runner_new(const struct exec_opts *o);
void runner_free(struct runner *r);

/* Take a batch of events (already filtered) that arrived at NOW. */
void runner_events(struct runner *r, const struct fw_event *evs, int n,
		   int64_t now);
/* Collect a finished command, escalate a stop that is overdue.  Call it
 * after every wake-up. */
void runner_reap(struct runner *r, int64_t now);
/* 1 while a command (or what it left behind) is running. */
int runner_busy(const struct runner *r);
/* Start a run if one is due.  0, also when the command could not start
 * (that is told on stderr, and counts as a run that exited 127); -1
 * with errno ENOMEM if memory ran out gathering the burst or building
 * the command: it was not run, and fwatch must stop rather than lose
 * those changes. */
int runner_start_due(struct runner *r, int64_t now);
/* Milliseconds until the runner needs runner_reap()/start again, or -1
 * for "only when something happens". */
int64_t runner_next(const struct runner *r, int64_t now);
/* With --once: 1 and the command's status once it has run and ended. */
int runner_done(const struct runner *r, int *status);
/* Stop the command and everything it started; waits for them. */
void runner_shutdown(struct runner *r);

#endif
