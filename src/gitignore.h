/*
 * gitignore.h - rules in gitignore(5) syntax: parsed once per file,
 * matched per path.  Pure: no system call, no global state, so unit
 * tests and fuzzers reach it directly.  Reading the files, finding the
 * repository and keeping the rules of each directory is the core's
 * (core/gitignore.c).
 *
 * Semantics are git's (gitignore(5), git's wildmatch with WM_PATHNAME):
 *   - blank lines and lines starting with '#' are nothing; "\#" and "\!"
 *     start a literal '#' or '!';
 *   - trailing spaces are dropped unless escaped with '\';
 *   - '!' negates: a path it matches is kept again (but see ig_decide:
 *     nothing below an ignored directory comes back);
 *   - a trailing '/' matches directories only, and is not otherwise part
 *     of the pattern;
 *   - a pattern with a '/' at its start or middle is anchored: matched
 *     against the whole path relative to the directory of the file it
 *     came from; one without is matched against the last component at
 *     any depth below that directory;
 *   - '*' '?' and classes ("[a-z]", "[!x]", "[^x]", "[[:alpha:]]") never
 *     match '/'; "**" matches across directories only as a whole
 *     component ("**" "/" at the start, "/" "**" at the end, "/" "**" "/"
 *     in the middle); elsewhere it is a '*';
 *   - case is significant.
 * And as git reads a file (checked against `git check-ignore`): a UTF-8
 * BOM at its start is skipped, a "\r" before a line's "\n" is dropped,
 * a line stops at a NUL byte, and in an anchored pattern "**" right
 * after its literal start counts as a whole component ("foo**" "/bar"
 * matches foox/y/bar).
 *
 * Matching keeps glob.c's guarantee: time polynomial in the lengths of
 * the pattern and the path, whatever they hold; ig_match() and
 * ig_decide() allocate nothing.  The rules of a list are indexed when
 * parsed: a name, a "*" + suffix or an anchored literal is looked up by
 * the path's own bytes, so a path costs about the same whatever the
 * number of such rules; the other rules are tried in turn (the last
 * first), most ruled out by the bytes they need.  The rules are gitignore.c's;
 * ig_config_excludes() is gitconfig.c's.
 */
#ifndef FWATCH_GITIGNORE_H
#define FWATCH_GITIGNORE_H

#include <stddef.h>

struct ig_list; /* the compiled rules of one file */

/* One rule, for saying why a path was ignored (--explain-ignore). */
struct ig_rule {
	const char *text; /* the pattern as written, trailing spaces and
			   * line end removed, '!' kept */
	unsigned line;    /* 1-based line in its file */
};

enum ig_verdict {
	IG_NONE = 0,  /* no rule speaks of the path */
	IG_IGNORED,   /* the last rule to match ignores it */
	IG_KEPT,      /* the last rule to match is a negation */
};

/*
 * Compile TEXT (LEN bytes, the contents of a file; need not end in a
 * newline and may hold NUL bytes and "\r\n").  SOURCE names the file in
 * explanations and is copied.  Lines git would skip are skipped; this
 * never fails on what a file holds.  NULL with errno ENOMEM.
 */
struct ig_list *ig_parse(const char *text, size_t len, const char *source);
void ig_free(struct ig_list *l);
size_t ig_count(const struct ig_list *l);        /* rules kept */
const char *ig_source(const struct ig_list *l);

/*
 * The verdict of list L alone for REL: a path relative to the directory
 * the list applies to ('/'-separated, no leading "./" or '/', no trailing
 * '/'; LEN bytes, not necessarily NUL-terminated), a directory if ISDIR.
 * Only REL itself is judged, not its parents.  *WHY (if WHY is not NULL)
 * gets the deciding rule, or NULL for IG_NONE.  L may be NULL: IG_NONE.
 */
enum ig_verdict ig_match(const struct ig_list *l, const char *rel, size_t len,
			 int isdir, const struct ig_rule **why);

/* The same verdict as ig_match(), found by trying every rule from the
 * last: the plain reference that tests and fuzzers hold the index to. */
enum ig_verdict ig_match_linear(const struct ig_list *l, const char *rel,
				size_t len, int isdir,
				const struct ig_rule **why);

/* A list and where it applies: the first BASE bytes of the paths given
 * to ig_decide() are its directory, with its trailing '/' (0: the
 * top, for .git/info/exclude, the global excludes file and the top
 * .gitignore). */
struct ig_layer {
	const struct ig_list *list;
	size_t base;
};

/*
 * Is PATH (relative to the top of the repository, as for ig_match; LEN
 * bytes) ignored, as git decides it?  LAYERS[0..N) are ordered from the
 * weakest to the strongest: the global excludes file, .git/info/exclude,
 * then the .gitignore files from the top down; a list only speaks of
 * paths below its BASE, and for each path the strongest list with a
 * verdict decides.
 *
 * PARENTS_TOO: also judge each parent directory of PATH first, from the
 * top; once one is ignored, so is everything below it, whatever a '!'
 * says.  A caller that knows PATH's parent is not ignored (a scan that
 * reached it) passes 0 and pays for one level only.
 *
 * 1 if ignored, else 0.  *WHY and *FROM (each may be NULL) get the
 * deciding rule and its list, or NULL when no rule decided.
 */
int ig_decide(const struct ig_layer *layers, size_t n, const char *path,
	      size_t len, int isdir, int parents_too,
	      const struct ig_rule **why, const struct ig_list **from);

/*
 * The value of core.excludesFile in TEXT, the contents of a git config
 * file (git-config(1) syntax: sections, subsections, case-insensitive
 * names, quoted values and escapes, comments with '#' or ';', a line
 * continued by a trailing '\').  The last one set wins.  Copied to OUT
 * (a NUL-terminated string of at most OUTLEN - 1 bytes) as written: "~/"
 * is the caller's to expand.  1 if set, 0 if not, -1 if it does not fit.
 * An empty value is set (and names no file: git then reads no global
 * excludes at all).  A bare "excludesFile" line (a boolean true, which
 * git refuses for a path) unsets it.  A line git would refuse (git then
 * refuses the whole file) ends the reading: what was set before stands.
 */
int ig_config_excludes(const char *text, size_t len, char *out,
		       size_t outlen);

#endif
