/*
 * gitconfig.c - core.excludesFile read out of the text of a git config
 * file (ig_config_excludes(), declared in gitignore.h), in git-config(1)
 * syntax as git's own parser reads it.  Pure: no system call.  Reading
 * the files and expanding "~/" is the caller's.
 */
#include <string.h>

#include "gitignore.h"

/* A config text read a byte at a time, as git reads it: "\r\n" is one
 * '\n', and the end of the text is a last '\n'. */
struct cfg {
	const char *p, *end;
	int eof;
};

static int
next(struct cfg *c)
{
	if (c->p == c->end) {
		c->eof = 1;
		return '\n';
	}
	if (c->p[0] == '\r' && c->p + 1 < c->end && c->p[1] == '\n')
		c->p++;
	return (unsigned char)*c->p++;
}

/* git's isspace(): no VT, no FF */
static int
space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static int
alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int
keychar(int ch)
{
	return alpha(ch) || (ch >= '0' && ch <= '9') || ch == '-';
}

static int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/*
 * A section header, after its '['.  1 if it is [core] (any case, no
 * subsection: [core "x"] and [core.x] are other sections), 0 if it is
 * another, -1 if git would refuse it.
 */
static int
section(struct cfg *c)
{
	char name[5];
	size_t n = 0;
	int ch;

	for (;;) {
		ch = next(c);
		if (c->eof)
			return -1;
		if (ch == ']')
			return n ? n == 4 && !memcmp(name, "core", 4) : -1;
		if (space(ch))
			break;
		if (!keychar(ch) && ch != '.')
			return -1;
		if (n < sizeof name)
			name[n] = (char)lower(ch);
		n++;
	}
	/* [name "subsection"]: never core.excludesFile */
	do {
		if (ch == '\n')
			return -1;
		ch = next(c);
	} while (space(ch));
	if (ch != '"')
		return -1;
	while ((ch = next(c)) != '"') {
		if (ch == '\\')
			ch = next(c);
		if (ch == '\n')
			return -1;
	}
	return next(c) == ']' ? 0 : -1;
}

/*
 * A value, after its '=', up to its line's end: outside quotes a run
 * of blanks is one space each (dropped at both ends) and '#' or ';'
 * starts a comment; "\"" "\\" "\n" "\t" "\b" are escapes and a '\' at
 * a line's end continues the value on the next.  Written to OUT (if
 * not NULL) while it fits in OUTLEN, NUL-terminated, cut at a NUL byte
 * as git's string would be; *N gets its length.  -1 if git would
 * refuse it (an unknown escape, an unclosed quote).
 */
static int
value(struct cfg *c, char *out, size_t outlen, size_t *n)
{
	int quote = 0, comment = 0, cut = 0;
	size_t blanks = 0, len = 0;

	for (;;) {
		int ch = next(c);
		if (ch == '\n') {
			if (quote)
				return -1;
			break;
		}
		if (comment)
			continue;
		if (space(ch) && !quote) {
			if (len)
				blanks++;
			continue;
		}
		if (!quote && (ch == ';' || ch == '#')) {
			comment = 1;
			continue;
		}
		for (; blanks && !cut; blanks--, len++)
			if (out && len + 1 < outlen)
				out[len] = ' ';
		if (ch == '\\') {
			switch (ch = next(c)) {
			case '\n': continue;
			case 't': ch = '\t'; break;
			case 'b': ch = '\b'; break;
			case 'n': ch = '\n'; break;
			case '\\': case '"': break;
			default: return -1;
			}
		} else if (ch == '"') {
			quote = !quote;
			continue;
		}
		if (cut)
			continue;
		if (!ch) {
			cut = 1;
			continue;
		}
		if (out && len + 1 < outlen)
			out[len] = (char)ch;
		len++;
	}
	if (out && outlen)
		out[len < outlen ? len : outlen - 1] = '\0';
	*n = len;
	return 0;
}

int
ig_config_excludes(const char *text, size_t len, char *out, size_t outlen)
{
	struct cfg c;
	const char *set = NULL; /* where the value that wins starts */
	int core = 0;
	size_t n;

	if (!len) /* an empty file may come as NULL */
		text = "";
	c = (struct cfg){ text, text + len, 0 };
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		c.p += 3;
	/* a line git would refuse stops the reading there; git itself
	 * refuses the whole file (every git command fails) */
	for (;;) {
		int ch = next(&c);
		char key[13];
		size_t k = 0;
		if (c.eof)
			break;
		if (space(ch))
			continue;
		if (ch == '#' || ch == ';') {
			while (next(&c) != '\n')
				;
			continue;
		}
		if (ch == '[') {
			if ((core = section(&c)) < 0)
				break;
			continue;
		}
		if (!alpha(ch))
			break;
		for (; keychar(ch); ch = next(&c), k++)
			if (k < sizeof key)
				key[k] = (char)lower(ch);
		while (ch == ' ' || ch == '\t')
			ch = next(&c);
		int mine = core && k == 12 && !memcmp(key, "excludesfile", 12);
		if (ch == '\n') {
			/* a bare key is "true", not a path: git refuses it
			 * for core.excludesFile; here it unsets it */
			if (mine)
				set = NULL;
			continue;
		}
		if (ch != '=')
			break;
		const char *at = c.p;
		if (value(&c, NULL, 0, &n) < 0)
			break;
		if (mine)
			set = at;
	}
	if (!set)
		return 0;
	c.p = set;
	c.eof = 0;
	value(&c, out, outlen, &n);
	return n < outlen ? 1 : -1;
}
