/*
 * filter.c - the --include and --exclude patterns and the files of
 * fwatch's own output: patterns read as people write them, tied to
 * PATHs, and what they say of a path.  The glob matcher itself is
 * glob.c's; what needs the disk is anchor.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "glob.h"

/* Is S[I] quoted by an odd run of backslashes before it? */
static int
escaped(const char *s, size_t i)
{
	size_t n = 0;
	while (n < i && s[i - n - 1] == '\\')
		n++;
	return n & 1;
}

/* Why GLOB (normalized) can never match, or NULL.  The paths matched
 * are the ones fwatch reports, below a PATH: never a component that is
 * empty, "." or "..". */
static const char *
never_of(const char *glob)
{
	const char *c = glob + (*glob == '/');
	if (!*c)
		return "it names no path below the PATH (to leave a PATH "
		       "out, do not watch it)";
	for (;;) {
		size_t n = 0;
		while (c[n] && (c[n] != '/' || escaped(c, n)))
			n++;
		if (!n || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return "the paths fwatch reports have no '.', '..' or "
			       "empty component; write the path as fwatch "
			       "prints it below the PATH (e.g. 'src/build')";
		if (!c[n])
			return NULL;
		c += n + 1;
	}
}

/* Room for one more pattern; its index, or -1 with ENOMEM. */
static long
grow(struct filter *f)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 8;
		struct fpat *np = realloc(f->p, cap * sizeof *np);
		if (!np) {
			errno = ENOMEM;
			return -1;
		}
		f->p = np;
		f->cap = cap;
	}
	memset(&f->p[f->n], 0, sizeof f->p[f->n]);
	return (long)f->n;
}

/* A NUL-terminated copy of LEN bytes at S, after PRE (0 or '/'). */
static char *
copy(char pre, const char *s, size_t len)
{
	size_t k = pre ? 1 : 0;
	char *g = malloc(k + len + 1);
	if (!g) {
		errno = ENOMEM;
		return NULL;
	}
	g[0] = pre;
	memcpy(g + k, s, len);
	g[k + len] = '\0';
	return g;
}

/* "C:/..." on Windows: surely an absolute path, never below a PATH. */
static int
drive_path(const char *s)
{
#ifdef _WIN32
	return ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) &&
	       s[1] == ':' && s[2] == '/';
#else
	(void)s;
	return 0;
#endif
}

int
filter_add(struct filter *f, int exclude, const char *given)
{
	const char *s = given;
	size_t len = strlen(given);
	int dir = 0, dot = 0;
	long i;
	struct fpat *p;
	char *glob;

	while (len > 1 && s[len - 1] == '/' && !escaped(s, len - 1)) {
		len--;
		dir = 1;
	}
	while (len >= 2 && s[0] == '.' && s[1] == '/') {
		s += 2;
		len -= 2;
		dot = 1;
		while (len && *s == '/') {
			s++;
			len--;
		}
	}
	if ((i = grow(f)) < 0 || !(glob = copy(dot ? '/' : 0, s, len)))
		return -1;
	p = &f->p[i];
	p->given = given;
	p->glob = glob;
	p->never = never_of(glob);
	p->key = p->never ? FILTER_NOWHERE : FILTER_EVERY;
	p->kind = exclude ? FILTER_EXCLUDE : FILTER_INCLUDE;
	p->dir = (unsigned char)dir;
	p->rooted = dot ? 0 : *glob == '/' ? 1 : drive_path(glob) ? 2 : 0;
	p->from = (size_t)i;
	f->n++;
	if (!exclude)
		f->ninc++;
	return 0;
}

void
filter_free(struct filter *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->p[i].glob);
	free(f->p);
	free((void *)f->keys);
	memset(f, 0, sizeof *f);
}

int
filter_key_of(const struct filter *f, const char *path)
{
	for (size_t k = 0; f && k < f->nkeys; k++)
		if (!strcmp(f->keys[k], path))
			return (int)k;
	return FILTER_EVERY;
}

int
filter_key(struct filter *f, const char *path)
{
	int k = filter_key_of(f, path);
	if (k >= 0)
		return k;
	if (f->nkeys == f->capkeys) {
		size_t cap = f->capkeys ? 2 * f->capkeys : 4;
		const char **nk = realloc((void *)f->keys, cap * sizeof *nk);
		if (!nk) {
			errno = ENOMEM;
			return -1;
		}
		f->keys = nk;
		f->capkeys = cap;
	}
	f->keys[f->nkeys] = path;
	return (int)f->nkeys++;
}

int
filter_bind(struct filter *f, size_t i, int key, const char *below,
	    size_t len)
{
	long j = grow(f);
	char *glob;
	if (j < 0 || !(glob = copy('/', below, len)))
		return -1;
	f->p[j] = f->p[i];
	f->p[j].glob = glob;
	f->p[j].never = never_of(glob);
	f->p[j].key = f->p[j].never ? FILTER_NOWHERE : key;
	f->p[j].rooted = 0;
	f->p[j].from = i;
	f->p[i].key = FILTER_NOWHERE;
	f->n++;
	return 0;
}

void
filter_never(struct filter *f, size_t i, const char *why)
{
	f->p[i].never = why;
	f->p[i].key = FILTER_NOWHERE;
}

int
filter_own(struct filter *f, int key, const char *below, size_t len,
	   const char *given)
{
	long j = grow(f);
	char *path;
	if (j < 0 || !(path = copy(0, below, len)))
		return -1;
	f->p[j].given = given;
	f->p[j].glob = path;
	f->p[j].key = key;
	f->p[j].kind = FILTER_OWN;
	f->p[j].from = (size_t)j;
	f->n++;
	return 0;
}

/* Does pattern P speak of REL, under the PATH of KEY? */
static int
hits(const struct fpat *p, int key, const char *rel, int isdir)
{
	if (p->key == FILTER_NOWHERE || (p->dir && !isdir))
		return 0;
	if (p->key != FILTER_EVERY && p->key != key &&
	    !(key == FILTER_EVERY && p->kind == FILTER_INCLUDE))
		return 0;
	return p->kind == FILTER_OWN ? !strcmp(p->glob, rel)
				     : glob_match(p->glob, rel);
}

const struct fpat *
filter_why(const struct filter *f, int key, const char *rel, int isdir)
{
	for (size_t i = 0; f && i < f->n; i++)
		if (f->p[i].kind != FILTER_INCLUDE &&
		    hits(&f->p[i], key, rel, isdir))
			return &f->p[i];
	return NULL;
}

int
filter_excluded(const struct filter *f, int key, const char *rel, int isdir)
{
	return filter_why(f, key, rel, isdir) != NULL;
}

int
filter_pass(const struct filter *f, int key, const char *rel, int isdir)
{
	if (!f)
		return 1;
	if (filter_excluded(f, key, rel, isdir))
		return 0;
	if (!f->ninc)
		return 1;
	for (size_t i = 0; i < f->n; i++)
		if (f->p[i].kind == FILTER_INCLUDE &&
		    hits(&f->p[i], key, rel, isdir))
			return 1;
	return 0;
}
