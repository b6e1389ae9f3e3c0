/*
 * ig_oracle.c - the gitignore rules (src/gitignore.c) answering as
 * `git check-ignore --no-index -z -v -n --stdin` does, so that
 * tests/gitignore_rules.bats can hold them against git itself without
 * the watcher.  Not a test by itself.
 *
 *   ig_oracle BASE FILE [BASE FILE...] <paths
 *	The lists, weakest first (the global excludes file,
 *	.git/info/exclude, then each .gitignore from the top down): BASE
 *	is the directory a list applies to, "" or "dir/"; FILE is read and
 *	named as the source.  Paths come NUL-separated on stdin, relative
 *	to the top of the repository (the current directory); a path is a
 *	directory if it ends in '/' or lstat() says so.  For each, the
 *	rule that decides with ig_decide(PARENTS_TOO 1) is written as git
 *	writes it: "SOURCE\0LINE\0PATTERN\0PATH\0", or "\0\0\0PATH\0".
 *
 *   ig_oracle --config FILE
 *	core.excludesFile out of the git config FILE, and a newline;
 *	exit 1 if it is not set.
 *
 * Exit 2 on a usage or read error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../src/gitignore.h"

static void
die(const char *what, const char *name)
{
	fprintf(stderr, "ig_oracle: %s%s%s\n", what, name ? ": " : "",
		name ? name : "");
	exit(2);
}

/* All of FILE, or of stdin if FILE is NULL, and a NUL; *LEN gets its
 * length. */
static char *
slurp(const char *file, size_t *len)
{
	FILE *f = file ? fopen(file, "rb") : stdin;
	size_t cap = 4096, n = 0, k;
	char *buf = malloc(cap);
	if (!f)
		die(strerror(errno), file);
	if (!buf)
		die("out of memory", NULL);
	while ((k = fread(buf + n, 1, cap - n, f)) > 0)
		if ((n += k) == cap && !(buf = realloc(buf, cap *= 2)))
			die("out of memory", NULL);
	if (ferror(f))
		die("read error", file);
	if (file)
		fclose(f);
	buf[n] = '\0'; /* n < cap: it grows when full */
	*len = n;
	return buf;
}

static int
config(const char *file)
{
	size_t len;
	char *text = slurp(file, &len), out[4096];
	int r = ig_config_excludes(text, len, out, sizeof out);
	free(text);
	if (r < 0)
		die("core.excludesFile does not fit", file);
	if (r)
		printf("%s\n", out);
	return r ? 0 : 1;
}

/* One path: its verdict, written as git writes it. */
static void
judge(const struct ig_layer *all, const char *const *dirs, size_t n,
      char *path)
{
	struct ig_layer ly[64];
	size_t k = 0, len = strlen(path);
	const struct ig_rule *why;
	const struct ig_list *from;
	struct stat st;
	int isdir = len && path[len - 1] == '/';

	if (isdir)
		path[--len] = '\0';
	else
		isdir = lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
	for (size_t i = 0; i < n; i++)
		if (!strncmp(path, dirs[i], all[i].base))
			ly[k++] = all[i];
	ig_decide(ly, k, path, len, isdir, 1, &why, &from);
	if (why)
		printf("%s%c%u%c%s%c", ig_source(from), 0, why->line, 0,
		       why->text, 0);
	else
		printf("%c%c%c", 0, 0, 0);
	printf("%s%c", path, 0);
}

int
main(int argc, char **argv)
{
	struct ig_layer all[64];
	const char *dirs[64];
	size_t n = 0, len;
	char *in;

	if (argc == 3 && !strcmp(argv[1], "--config"))
		return config(argv[2]);
	if (argc < 3 || argc % 2 == 0 || (argc - 1) / 2 > 64)
		die("usage: ig_oracle BASE FILE [BASE FILE...] <paths, "
		    "or ig_oracle --config FILE", NULL);
	for (int i = 1; i < argc; i += 2, n++) {
		char *text = slurp(argv[i + 1], &len);
		struct ig_list *l = ig_parse(text, len, argv[i + 1]);
		if (!l)
			die("out of memory", NULL);
		free(text);
		dirs[n] = argv[i];
		all[n] = (struct ig_layer){ l, strlen(argv[i]) };
	}
	in = slurp(NULL, &len);
	for (size_t i = 0; i < len; i += strlen(in + i) + 1)
		if (in[i])
			judge(all, dirs, n, in + i);
	for (size_t i = 0; i < n; i++)
		ig_free((struct ig_list *)all[i].list);
	free(in);
	return ferror(stdout) ? 2 : 0;
}
