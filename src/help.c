/*
 * help.c - what --help and --version print, and what the rest of the
 * program reads back from that text: the first line of an option's
 * description (for the shell completions) and lists of event names.
 * The text is written by hand; the --event entry is made from the table
 * of kinds, so a new kind needs no edit here.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "help.h"

#ifndef FWATCH_VERSION
#define FWATCH_VERSION "0.1.0"
#endif

/* The --help text around the --event entry, which is made from the
 * table of kinds (help_events()), in pieces that C11 compilers must
 * take (at most 4,095 bytes each). */
static const char usage_head[] =
"Usage: fwatch [OPTION]... PATH...\n"
"Watch files and directories and print one line per change.\n"
"\n"
"  -r, --recursive        watch directories below each directory PATH,\n"
"                         including ones created later\n"
"  -L, --follow-symlinks  with -r, also descend into symlinked directories\n";

static const char usage_filters[] =
"  -i, --include GLOB     report only paths matching GLOB (repeatable)\n"
"  -x, --exclude GLOB     ignore paths matching GLOB; matching directories\n"
"                         are not watched at all (repeatable)\n"
"      --gitignore        leave out what git ignores: .gitignore files,\n"
"                         .git/info/exclude, the global excludes file;\n"
"                         ignored directories are not watched at all\n"
"      --no-gitignore     do not (the default but with --exec in a git\n"
"                         work tree, where --gitignore is the default)\n"
"      --ignore-file FILE  leave out what FILE says, in .gitignore syntax,\n"
"                         of the paths below its directory (repeatable)\n"
"      --explain-ignore PATH  say which rule leaves PATH out, with the\n"
"                         other options and PATHs (default .), and exit:\n"
"                         0 if one does, 1 if none does\n";

static const char usage_output[] =
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
"      --poll             look at every PATH each interval, whatever its\n"
"                         filesystem (the same as --backend poll)\n"
"      --poll-interval MS  how often polled PATHs are looked at (default\n"
"                         1000, at least 10); a PATH on NFS, SMB, 9p or\n"
"                         FUSE is polled without --poll\n";

/* Then following files, */
static const char usage_follow[] =
"\n"
"Following files (each PATH a file; with --json, one object per chunk):\n"
"      --tail             print the bytes appended to each file PATH, once\n"
"                         and in order, across rotations and truncations;\n"
"                         a file not there yet is waited for\n"
"      --tail-from WHERE  end: only what is appended from now on (default);\n"
"                         start: what the files hold first\n";

/* then --exec's options, and the notes at the end. */
static const char usage_exec[] =
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
"      --max-wait MS      run anyway MS milliseconds after a burst began,\n"
"                         even if the changes have not stopped\n"
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
"      --no-tty           keep CMD out of the terminal's foreground (by\n"
"                         default it gets it while it runs, to read it)\n"
"      --print            print events too (they are not, by default)\n"
"      --no-default-ignores  also count what --exec leaves out by default:\n"
"                         .git and other version control, editors' swap\n"
"                         and backup files (.*.swp, *~, 4913, ...; see\n"
"                         fwatch(1))\n"
"\n"
"      --completions SHELL  print completions for bash, zsh or fish\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and the backends and exit\n"
"\n"
"A GLOB without '/' matches the file name, one with '/' the path below\n"
"the watched PATH; '**' crosses directories. --exclude beats --include.\n"
"A trailing '/' matches directories only ('build/'); './build' and an\n"
"absolute path inside a PATH mean the path right below that PATH.\n"
"fwatch never reports changes to its own output file (fwatch -r . >log).\n"
"\n"
"Exit status: 0 after --once or when the reader of stdout goes away,\n"
"1 on errors, 2 on --timeout, 3 when every PATH is gone, 128+N on\n"
"signal N; with --once and --exec, the command's own status.\n"
"See fwatch(1) for output formats, the JSON schema and --exec.\n";

/* Where option descriptions start, and the width they are wrapped to,
 * as in the text above. */
#define HELP_COL 25
#define HELP_WIDTH 72

/* The names of the kinds in MASK, in the table's order, joined by SEP,
 * into BUF (N bytes; a list that does not fit is cut short). */
char *
help_kinds(char *buf, size_t n, unsigned mask, const char *sep)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int k = 0; k < FW_NKINDS; k++) {
		if (!(mask & FW_BIT(k)))
			continue;
		int m = snprintf(buf + len, n - len, "%s%s", len ? sep : "",
				 fw_kind_name((enum fw_kind)k));
		if (m < 0 || (size_t)m >= n - len)
			break;
		len += (size_t)m;
	}
	return buf;
}

/* TEXT after HEAD, wrapped at spaces, and after a comma inside a word
 * (create,modify, / truncate), in the description column.  HEAD must
 * be narrower than that column. */
static void
print_wrapped(FILE *out, const char *head, const char *text)
{
	int col = HELP_COL, gap = 0;
	fprintf(out, "%-*s", HELP_COL, head);
	while (*text) {
		int n = 0;
		while (text[n] && text[n] != ' ' && (!n || text[n - 1] != ','))
			n++;
		if (col > HELP_COL && col + gap + n > HELP_WIDTH) {
			fprintf(out, "\n%*s", HELP_COL, "");
			col = HELP_COL;
		} else if (col > HELP_COL) {
			fprintf(out, "%*s", gap, "");
			col += gap;
		}
		fwrite(text, 1, (size_t)n, out);
		col += n;
		text += n;
		for (gap = 0; *text == ' '; text++)
			gap = 1;
	}
	fputc('\n', out);
}

#define EVENT_HELP "report only these events"

/* The --event entry: the kinds worth choosing (not those reported
 * anyway, FW_ALWAYS) and the default, from the table. */
static void
help_events(FILE *out)
{
	char some[256], dflt[256], text[768];
	unsigned choose = fw_kinds_selectable() & ~FW_ALWAYS;
	snprintf(text, sizeof text, EVENT_HELP " (comma-"
		 "separated, repeatable): %s, or all; default: %s "
		 "(modify includes truncate, which only a file PATH "
		 "reports: it got shorter); inotifywait's names work too "
		 "(moved_to, close...: see fwatch(1))",
		 help_kinds(some, sizeof some, choose, " "),
		 help_kinds(dflt, sizeof dflt,
			   FW_DEFAULT_EVENTS & ~FW_BIT(FW_TRUNCATE), ","));
	print_wrapped(out, "  -e, --event LIST", text);
}

void
cli_help(FILE *out)
{
	fputs(usage_head, out);
	help_events(out);
	fputs(usage_filters, out);
	fputs(usage_output, out);
	fputs(usage_follow, out);
	fputs(usage_exec, out);
}

void
cli_version(FILE *out)
{
	const char *name, *about;
	fprintf(out, "fwatch %s\nbackends:\n", FWATCH_VERSION);
	for (size_t i = 0; (name = fw_backend_at(i, &about)); i++)
		fprintf(out, "  %-10s %s%s\n", name, about,
			i ? "" : " (default)");
}

/* The first line of the description of --NAME in the --help text,
 * without its trailing punctuation, into BUF; "" if it has none. */
void
help_line(const char *name, char *buf, size_t n)
{
	const char *parts[] = { usage_head, usage_filters, usage_output,
				usage_follow, usage_exec };
	size_t len = strlen(name);
	buf[0] = '\0';
	if (!strcmp(name, "event")) {
		snprintf(buf, n, "%s", EVENT_HELP); /* made by help_events */
		return;
	}
	for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
		for (const char *l = parts[k]; *l; l += strcspn(l, "\n"),
		     l += *l == '\n') {
			size_t end = strcspn(l, "\n");
			const char *o = strstr(l, "--");
			if (l[0] != ' ' || !o || o >= l + end ||
			    o > l + HELP_COL || strncmp(o + 2, name, len) ||
			    (o[2 + len] != ' ' && o[2 + len] != '\n'))
				continue;
			/* past the head: its last two-space gap */
			const char *d = strstr(o, "  ");
			if (!d || d >= l + end)
				return;
			while (*d == ' ')
				d++;
			size_t m = (size_t)(l + end - d);
			/* the first clause is enough for a menu */
			const char *cut[] = { "; ", " (", ": ", ", so" };
			for (size_t c = 0; c < sizeof cut / sizeof cut[0]; c++) {
				const char *x = strstr(d, cut[c]);
				if (x && x < d + m && x > d + 8)
					m = (size_t)(x - d);
			}
			while (m && strchr(",;:( ", d[m - 1]))
				m--;
			snprintf(buf, n, "%.*s", (int)m, d);
			return;
		}
	}
}
