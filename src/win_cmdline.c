/*
 * win_cmdline.c - see win_cmdline.h: the command line, the environment
 * block and the PATH and PATHEXT lists of a command that proc_win.c
 * starts, as pure string work on wchar_t.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win_cmdline.h"

struct wbuf {
	wchar_t *p;
	size_t len, cap;
	int err;        /* an errno once something failed */
};

static void
wb_add(struct wbuf *b, const wchar_t *s, size_t n)
{
	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		wchar_t *np;
		while (b->len + n + 1 > cap)
			cap *= 2;
		if (!(np = realloc(b->p, cap * sizeof *np))) {
			b->err = ENOMEM;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n * sizeof *s);
	b->len += n;
	b->p[b->len] = 0;
}

static void
wb_addc(struct wbuf *b, wchar_t c, size_t times)
{
	while (times--)
		wb_add(b, &c, 1);
}

static void
wb_adds(struct wbuf *b, const wchar_t *s)
{
	wb_add(b, s, wcslen(s));
}

/*
 * One argument, written so that CommandLineToArgvW and the Microsoft C
 * runtime give it back exactly: quoted if it is empty or holds a blank
 * or a quote; inside quotes, a quote is escaped with a backslash, and
 * backslashes are doubled where they come before a quote (an escaped one
 * or the closing one).  Elsewhere backslashes stand for themselves.
 */
static void
add_crt_arg(struct wbuf *b, const wchar_t *a)
{
	size_t slashes = 0;
	if (*a && !wcspbrk(a, L" \t\n\v\"")) {
		wb_adds(b, a);
		return;
	}
	wb_addc(b, L'"', 1);
	for (;; a++) {
		if (*a == L'\\') {
			slashes++;
			continue;
		}
		if (!*a) {
			wb_addc(b, L'\\', 2 * slashes);
			break;
		}
		wb_addc(b, L'\\', *a == L'"' ? 2 * slashes + 1 : slashes);
		wb_addc(b, *a, 1);
		slashes = 0;
	}
	wb_addc(b, L'"', 1);
}

/*
 * Hazard: a batch file is run by cmd.exe, which parses its command line
 * by rules of its own, not the C runtime's: outside quotes & | < > ^ ( )
 * run commands or redirect, %NAME% is expanded even inside quotes, and a
 * quote inside an argument flips the quoting of everything after it.
 * So for a .bat or .cmd file, an argument with anything beyond letters,
 * digits and #$*+-./:?@\_ (or non-ASCII) is put in quotes, in which cmd
 * takes the rest literally; a quote or a control character in it is
 * refused (EINVAL: Windows file names cannot hold them, so no {} can);
 * and each % becomes %%cd:~,% -- the first % is kept, and %cd:~,% (an
 * empty substring of %CD%, always defined) expands to nothing while
 * keeping that % from pairing with a later one.  Delayed expansion (!)
 * is turned off with /v:off, AutoRun commands with /d.
 *
 * This protects arguments of a batch file that fwatch runs.  A command
 * line given to cmd.exe itself (--exec cmd /c ...) is the user's cmd
 * script: its words are quoted by the C runtime's rules, which cmd does
 * not follow.
 */
static int
add_bat_arg(struct wbuf *b, const wchar_t *a, int quote)
{
	if (!*a)
		quote = 1;
	for (const wchar_t *s = a; *s; s++) {
		if (*s < 0x20 || *s == L'"' || *s == 0x7f)
			return -1;
		if (*s < 0x80 && !(*s >= L'a' && *s <= L'z') &&
		    !(*s >= L'A' && *s <= L'Z') && !(*s >= L'0' && *s <= L'9') &&
		    !wcschr(L"#$*+-./:?@\\_", *s))
			quote = 1;
	}
	if (quote)
		wb_addc(b, L'"', 1);
	for (; *a; a++) {
		if (*a == L'%')
			wb_adds(b, L"%%cd:~,");
		wb_addc(b, *a, 1);
	}
	if (quote)
		wb_addc(b, L'"', 1);
	return 0;
}

static void
add_batch_line(struct wbuf *b, const wchar_t *prog, wchar_t *const argv[])
{
	/* /s: cmd removes the outer quotes and keeps the rest */
	wb_adds(b, L"cmd.exe /d /e:on /v:off /s /c \"");
	if (add_bat_arg(b, prog, 1) < 0)
		b->err = EINVAL;
	for (size_t i = 1; argv[i] && !b->err; i++) {
		wb_addc(b, L' ', 1);
		if (add_bat_arg(b, argv[i], 0) < 0)
			b->err = EINVAL;
	}
	wb_addc(b, L'"', 1);
}

static void
add_crt_line(struct wbuf *b, wchar_t *const argv[])
{
	/* argv[0] is read to the next blank or between quotes, without
	 * escapes; proc_win.c's find_program refused quotes in it */
	if (!*argv[0] || wcspbrk(argv[0], L" \t")) {
		wb_addc(b, L'"', 1);
		wb_adds(b, argv[0]);
		wb_addc(b, L'"', 1);
	} else {
		wb_adds(b, argv[0]);
	}
	for (size_t i = 1; argv[i]; i++) {
		wb_addc(b, L' ', 1);
		add_crt_arg(b, argv[i]);
	}
}

wchar_t *
wcl_command_line(const wchar_t *prog, wchar_t *const argv[], int batch)
{
	struct wbuf b = { NULL, 0, 0, 0 };
	if (batch)
		add_batch_line(&b, prog, argv);
	else
		add_crt_line(&b, argv);
	if (!b.err &&
	    b.len >= (size_t)(batch ? WCL_CMD_EXE_MAX : WCL_CMDLINE_MAX))
		b.err = E2BIG;
	if (b.err) {
		free(b.p);
		errno = b.err;
		return NULL;
	}
	return b.p;
}

static size_t
env_name_len(const wchar_t *e)
{
	/* "=C:=C:\dir", the current directory of drive C, starts with = */
	const wchar_t *eq = *e ? wcschr(e + 1, L'=') : NULL;
	return eq ? (size_t)(eq - e) : wcslen(e);
}

/* An entry to sort; each carries the comparison, as qsort passes none. */
struct env_ent {
	const wchar_t *s;
	size_t name_len;
	wcl_cmp_fn cmp;
};

static int
env_cmp(const void *a, const void *b)
{
	const struct env_ent *x = a, *y = b;
	return x->cmp(x->s, x->name_len, y->s, y->name_len);
}

/* ENT's M strings, one after the other, and the empty one that ends a
 * block (an empty block is two NULs). */
static wchar_t *
join_block(const struct env_ent *ent, size_t m)
{
	size_t total = m ? 1 : 2;
	wchar_t *block, *s;
	for (size_t i = 0; i < m; i++)
		total += wcslen(ent[i].s) + 1;
	if (!(block = malloc(total * sizeof *block))) {
		errno = ENOMEM;
		return NULL;
	}
	s = block;
	for (size_t i = 0; i < m; i++) {
		size_t l = wcslen(ent[i].s) + 1;
		memcpy(s, ent[i].s, l * sizeof *s);
		s += l;
	}
	if (!m)
		*s++ = 0;
	*s = 0;
	return block;
}

wchar_t *
wcl_env_block(const wchar_t *cur, wchar_t *const add[], wcl_cmp_fn cmp)
{
	const wchar_t *s;
	struct env_ent *ent;
	wchar_t *block;
	size_t n = 0, k = 0, m = 0;

	for (s = cur; s && *s; s += wcslen(s) + 1)
		n++;
	while (add && add[k])
		k++;
	if (!(ent = malloc((n + k + 1) * sizeof *ent))) {
		errno = ENOMEM;
		return NULL;
	}
	for (s = cur; s && *s; s += wcslen(s) + 1) {
		size_t nl = env_name_len(s), j;
		for (j = 0; j < k; j++)
			if (!cmp(s, nl, add[j], env_name_len(add[j])))
				break;
		if (j == k)
			ent[m++] = (struct env_ent){ s, nl, cmp };
	}
	for (size_t j = 0; j < k; j++, m++)
		ent[m] = (struct env_ent){ add[j], env_name_len(add[j]), cmp };
	qsort(ent, m, sizeof *ent, env_cmp);
	block = join_block(ent, m);
	free(ent);
	return block;
}

const wchar_t *
wcl_list_next(const wchar_t **s, size_t *len)
{
	const wchar_t *item = *s, *end;
	if (!*item)
		return NULL;
	end = wcschr(item, L';');
	if (!end)
		end = item + wcslen(item);
	*len = (size_t)(end - item);
	*s = *end ? end + 1 : end;
	return item;
}

/* PATHEXT may also list .vbs, .js, .py...: those need a file
 * association, not a process, and are not in EXTS. */
size_t
wcl_ext_order(const wchar_t *pathext, const wchar_t *const exts[], size_t n,
	      size_t order[], wcl_cmp_fn cmp)
{
	const wchar_t *s = pathext, *e;
	size_t len, got = 0;
	while (s && (e = wcl_list_next(&s, &len))) {
		for (size_t i = 0; i < n; i++) {
			size_t k = wcslen(exts[i]), j;
			if (len != k || cmp(e, len, exts[i], k))
				continue;
			for (j = 0; j < got && order[j] != i; j++)
				;
			if (j == got)
				order[got++] = i;
		}
	}
	if (!got)
		for (; got < n; got++)
			order[got] = got;
	return got;
}
