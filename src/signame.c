/*
 * signame.c - signal names and numbers for --stop-signal and --on-busy,
 * on every platform: proc_signal_parse(), proc_sigkill() and
 * proc_sigterm() of proc.h, with the numbers of signame.h.
 */
#include <errno.h>
#include <stdlib.h>

#include "proc.h"
#include "signame.h"

static const struct {
	const char *name;
	int sig;
} sigs[] = {
	{ "HUP", FW_SIGHUP }, { "INT", FW_SIGINT }, { "QUIT", FW_SIGQUIT },
	{ "KILL", FW_SIGKILL }, { "USR1", FW_SIGUSR1 }, { "USR2", FW_SIGUSR2 },
	{ "TERM", FW_SIGTERM },
#ifndef _WIN32
	/* not on Windows, where they could only end the whole job */
	{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "ALRM", SIGALRM },
#endif
};

/* ASCII only, whatever the locale: the names are ASCII, and no other
 * letter may stand for one of theirs. */
static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Are A and B the same up to N characters, or to their end, in any
 * case? */
static int
same_ci(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return 0;
		if (!*a)
			break;
	}
	return 1;
}

int
proc_signal_parse(const char *name)
{
	char *end;
	long v;
	if (same_ci(name, "SIG", 3))
		name += 3;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (same_ci(name, sigs[i].name, (size_t)-1))
			return sigs[i].sig;
	errno = 0;
	v = strtol(name, &end, 10);
	if (*name >= '0' && *name <= '9' && !*end && !errno && v > 0 &&
	    v < 65) /* digits only: no sign, no blanks */
		return (int)v;
	return -1;
}

const char *
proc_signal_name_at(size_t i)
{
	return i < sizeof sigs / sizeof sigs[0] ? sigs[i].name : NULL;
}

int
proc_sigkill(void)
{
	return FW_SIGKILL;
}

int
proc_sigterm(void)
{
	return FW_SIGTERM;
}
