/*
 * logwrite.c - the writer of bench/tail.py: numbered lines of 56 bytes,
 * one write() each, as fast as it can, rotating the log on the way.
 * (tests/logwriter is the same writer in Python, for the tests; this
 * one is fast enough that the followers, not the writer, are measured.)
 *
 *   logwrite [-r LINE]... [-s PID [-m MS] [-1]] FILE LINES
 *
 * Before each line LINE given with -r: FILE.1 -> FILE.2 ... (5 kept),
 * FILE -> FILE.1, a new FILE.  With -s, PID is stopped (SIGSTOP) just
 * before each rotation and continued MS milliseconds (200) after it;
 * with -1 as well, stopped once, before the first rotation, and
 * continued MS after the last (it reads all of them late).
 * Prints "wrote N bytes in S s" on stderr.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KEEP 5
#define MAXROT 16

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0)
		;
}

static int
open_log(const char *file)
{
	int fd = open(file, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd < 0) {
		perror(file);
		exit(1);
	}
	return fd;
}

/* FILE.k -> FILE.k+1, from the oldest kept; FILE -> FILE.1. */
static void
rotate(const char *file)
{
	char from[4096], to[4096];
	for (int k = KEEP - 1; k >= 1; k--) {
		snprintf(from, sizeof from, "%s.%d", file, k);
		snprintf(to, sizeof to, "%s.%d", file, k + 1);
		rename(from, to); /* absent: nothing to do */
	}
	snprintf(to, sizeof to, "%s.1", file);
	if (rename(file, to) < 0) {
		perror(file);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	long rot[MAXROT], nrot = 0, stop_ms = 200, lines;
	pid_t stop = 0;
	int c, fd, once = 0;
	while ((c = getopt(argc, argv, "r:s:m:1")) != -1) {
		switch (c) {
		case 'r':
			if (nrot < MAXROT)
				rot[nrot++] = atol(optarg);
			break;
		case 's': stop = (pid_t)atol(optarg); break;
		case 'm': stop_ms = atol(optarg); break;
		case '1': once = 1; break;
		default:
			fprintf(stderr, "usage: logwrite [-r LINE]... [-s PID "
				"[-m MS] [-1]] FILE LINES\n");
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: logwrite [-r LINE]... [-s PID [-m MS] "
			"[-1]] FILE LINES\n");
		return 2;
	}
	const char *file = argv[optind];
	lines = atol(argv[optind + 1]);
	double t0 = now();
	fd = open_log(file);
	for (long i = 0; i < lines; i++) {
		char line[80];
		for (long k = 0; k < nrot; k++) {
			if (rot[k] != i)
				continue;
			if (stop && (!once || k == 0))
				kill(stop, SIGSTOP);
			close(fd);
			rotate(file);
			fd = open_log(file);
			if (stop && (!once || k == nrot - 1)) {
				sleep_ms(stop_ms);
				kill(stop, SIGCONT);
			}
		}
		snprintf(line, sizeof line, "%08ld %c%045d\n", i % 100000000,
			 (int)('a' + i % 26), 0);
		if (write(fd, line, 56) != 56) {
			perror("write");
			return 1;
		}
	}
	close(fd);
	fprintf(stderr, "wrote %ld bytes in %.3f s\n", lines * 56, now() - t0);
	return 0;
}
