/*
 * test_win_cmdline.c - the strings proc_win.c hands to CreateProcessW:
 * command lines quoted for the C runtime and for cmd.exe (batch files),
 * environment blocks, PATH and PATHEXT.  Portable: runs in `make test`
 * everywhere.  Prints TAP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../../src/win_cmdline.h"
#include "crt_argv.h"

static int failed, count;

static void
ok(int cond, const char *what)
{
	count++;
	if (!cond)
		failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", count, what);
}

/* A NULL-terminated argv of wide literals. */
#define ARGV(...) ((wchar_t *[]){ __VA_ARGS__, NULL })

/* Windows compares names by their upper case; ASCII is enough here. */
static wchar_t
up(wchar_t c)
{
	return c >= L'a' && c <= L'z' ? c - (L'a' - L'A') : c;
}

static int
ascii_ci(const wchar_t *a, size_t na, const wchar_t *b, size_t nb)
{
	for (size_t i = 0; i < na && i < nb; i++)
		if (up(a[i]) != up(b[i]))
			return up(a[i]) < up(b[i]) ? -1 : 1;
	return na < nb ? -1 : na > nb;
}

/* Prints what was built when it is not what was wanted. */
static int
same(const wchar_t *got, const wchar_t *want)
{
	if (got && !wcscmp(got, want))
		return 1;
	printf("# got:  %ls\n# want: %ls\n", got ? got : L"(NULL)", want);
	return 0;
}

static int
crt_is(wchar_t *const argv[], const wchar_t *want)
{
	wchar_t *got = wcl_command_line(L"C:\\bin\\prog.exe", argv, 0);
	int r = same(got, want);
	free(got);
	return r;
}

static int
bat_is(const wchar_t *prog, wchar_t *const argv[], const wchar_t *want)
{
	wchar_t *got = wcl_command_line(prog, argv, 1);
	int r = same(got, want);
	free(got);
	return r;
}

/* NULL and errno E for this command line. */
static int
fails(const wchar_t *prog, wchar_t *const argv[], int batch, int e)
{
	wchar_t *got;
	errno = 0;
	got = wcl_command_line(prog, argv, batch);
	free(got);
	return !got && errno == e;
}

/* ARGV's arguments, argv[0] too, are read back unchanged. */
static int
round_trips(wchar_t *const argv[])
{
	wchar_t *line = wcl_command_line(L"p.exe", argv, 0), back[512];
	const wchar_t *b = back;
	size_t n = 0, i;
	if (!line || 2 * wcslen(line) + 1 > sizeof back / sizeof *back) {
		free(line);
		return 0;
	}
	n = crt_argv(line, back);
	for (i = 0; argv[i] && i < n; i++, b += wcslen(b) + 1)
		if (wcscmp(b, argv[i])) {
			printf("# %ls came back as %ls from %ls\n", argv[i], b,
			       line);
			break;
		}
	free(line);
	return !argv[i] && i == n;
}

static void
test_crt(void)
{
	ok(crt_is(ARGV(L"prog", L"a", L"b.txt", L"C:\\dir\\"),
		  L"prog a b.txt C:\\dir\\"),
	   "C runtime: words, and backslashes before no quote, as they are");
	ok(crt_is(ARGV(L"prog", L""), L"prog \"\""),
	   "C runtime: an empty argument is \"\"");
	ok(crt_is(ARGV(L"prog", L"a b", L"a\tb", L"a\nb", L"a\vb"),
		  L"prog \"a b\" \"a\tb\" \"a\nb\" \"a\vb\""),
	   "C runtime: a space, tab, newline or vertical tab is quoted");
	ok(crt_is(ARGV(L"prog", L"a\"b", L"\""), L"prog \"a\\\"b\" \"\\\"\""),
	   "C runtime: a quote is quoted and escaped");
	ok(crt_is(ARGV(L"prog", L"a\\\"b", L"a\\\\\"b"),
		  L"prog \"a\\\\\\\"b\" \"a\\\\\\\\\\\"b\""),
	   "C runtime: backslashes before a quote are doubled, and one more");
	ok(crt_is(ARGV(L"prog", L"a b\\", L"a b\\\\", L"a\\b c"),
		  L"prog \"a b\\\\\" \"a b\\\\\\\\\" \"a\\b c\""),
	   "C runtime: backslashes doubled before the closing quote only");
	ok(crt_is(ARGV(L"C:\\Program Files\\x.exe", L"a"),
		  L"\"C:\\Program Files\\x.exe\" a"),
	   "C runtime: argv[0] with a blank is quoted, its backslashes kept");
	ok(crt_is(ARGV(L""), L"\"\""), "C runtime: an empty argv[0] is \"\"");
	ok(crt_is(ARGV(L"prog", L"\u00e9t\u00e9", L"\u6f22\u5b57"),
		  L"prog \u00e9t\u00e9 \u6f22\u5b57"),
	   "C runtime: non-ASCII as it is");
	ok(round_trips(ARGV(L"C:\\a b\\p.exe", L"", L"a b", L"\\", L"\\\\",
			    L"\"", L"\\\"", L"a\\\\\"b c\\", L" ", L"\"\"",
			    L"x\\ y\\\\", L"tab\there", L"a\\b\\\\c",
			    L"end\\\\\\")),
	   "C runtime: tricky arguments read back unchanged");
}

/* An argument of N 'x's after argv[0] "p": a line of N+2 units, or
 * NULL with errno E. */
static int
crt_limit(size_t n, int e)
{
	wchar_t *a = malloc((n + 1) * sizeof *a), *got;
	int r;
	wmemset(a, L'x', n);
	a[n] = 0;
	errno = 0;
	got = wcl_command_line(L"p", ARGV(L"p", a), 0);
	r = e ? !got && errno == e : got && wcslen(got) == n + 2;
	free(got);
	free(a);
	return r;
}

static void
test_crt_limit(void)
{
	ok(crt_limit(WCL_CMDLINE_MAX - 3, 0) &&
		   crt_limit(WCL_CMDLINE_MAX - 2, E2BIG),
	   "C runtime: a line of 32766 units is made, one of 32767 is E2BIG");
}

#define CMD L"cmd.exe /d /e:on /v:off /s /c \""

static void
test_batch(void)
{
	ok(bat_is(L"C:\\w\\run.bat", ARGV(L"run", L"a", L"b"),
		  CMD L"\"C:\\w\\run.bat\" a b\""),
	   "batch: run by cmd.exe /c, the batch file's own path quoted");
	ok(bat_is(L"C:\\w\\run.cmd",
		  ARGV(L"run", L"aZ09#$*+-./:?@\\_", L"\u00e9\u6f22"),
		  CMD L"\"C:\\w\\run.cmd\" aZ09#$*+-./:?@\\_ \u00e9\u6f22\""),
	   "batch: letters, digits, #$*+-./:?@\\_ and non-ASCII unquoted");
	ok(bat_is(L"r.bat",
		  ARGV(L"r", L"a&b", L"a|b", L"<", L">", L"^", L"(x)", L"a b",
		       L"!", L",", L";", L"=", L"'", L"`"),
		  CMD L"\"r.bat\" \"a&b\" \"a|b\" \"<\" \">\" \"^\" \"(x)\" "
		      L"\"a b\" \"!\" \",\" \";\" \"=\" \"'\" \"`\"\""),
	   "batch: & | < > ^ ( ) blanks and other punctuation quoted");
	ok(bat_is(L"r.bat", ARGV(L"r", L""), CMD L"\"r.bat\" \"\"\""),
	   "batch: an empty argument is \"\"");
	ok(bat_is(L"C:\\100%\\r.bat", ARGV(L"r", L"%PATH%"),
		  CMD L"\"C:\\100%%cd:~,%\\r.bat\" "
		      L"\"%%cd:~,%PATH%%cd:~,%\"\""),
	   "batch: each % becomes %%cd:~,% (path and arguments), quoted");
	ok(fails(L"r.bat", ARGV(L"r", L"a\"b"), 1, EINVAL) &&
		   fails(L"r.bat", ARGV(L"r", L"a\tb"), 1, EINVAL) &&
		   fails(L"r.bat", ARGV(L"r", L"a\nb"), 1, EINVAL) &&
		   fails(L"r.bat", ARGV(L"r", L"x", L"\x7f"), 1, EINVAL) &&
		   fails(L"r\x01.bat", ARGV(L"r"), 1, EINVAL),
	   "batch: a quote or a control character is EINVAL");
	ok(bat_is(L"C:\\a b\\r.bat", ARGV(L"ignored \"name\""),
		  CMD L"\"C:\\a b\\r.bat\"\""),
	   "batch: argv[0] is not on the line, the batch file is");
}

/* An argument of N 'x's to a batch file "r.bat": made, or NULL with
 * errno E. */
static int
bat_limit(size_t n, int e)
{
	wchar_t *a = malloc((n + 1) * sizeof *a), *got;
	int r;
	wmemset(a, L'x', n);
	a[n] = 0;
	errno = 0;
	got = wcl_command_line(L"r.bat", ARGV(L"r", a), 1);
	r = e ? !got && errno == e : got != NULL;
	free(got);
	free(a);
	return r;
}

static void
test_batch_limit(void)
{
	/* CMD (31 units), "r.bat" (7), a blank, the argument, a quote */
	size_t room = WCL_CMD_EXE_MAX - 1 - 31 - 7 - 1 - 1;
	ok(wcslen(CMD) == 31 && bat_limit(room, 0) &&
		   bat_limit(room + 1, E2BIG),
	   "batch: a line of 8190 units is made, one of 8191 is E2BIG");
}

/* The block's strings are WANT's (NULL-terminated), in that order. */
static int
block_is(wchar_t *block, const wchar_t *const want[])
{
	const wchar_t *s = block;
	size_t i = 0;
	int r = block != NULL;
	for (; r && *s; s += wcslen(s) + 1, i++)
		r = want[i] && same(s, want[i]);
	r = r && !want[i];
	/* an empty block is still two NULs */
	if (r && !i)
		r = !block[1];
	free(block);
	return r;
}

#define BLOCK(...) ((const wchar_t *[]){ __VA_ARGS__, NULL })

static void
test_env(void)
{
	ok(block_is(wcl_env_block(L"Path=C:\\a\0TEMP=x\0", ARGV(L"PATH=y"),
				  ascii_ci),
		     BLOCK(L"PATH=y", L"TEMP=x")),
	   "env: an added name replaces the inherited one, whatever its case");
	ok(block_is(wcl_env_block(L"b=1\0A=2\0c=3\0", ARGV(L"B2=4", L"a0=5"),
				  ascii_ci),
		     BLOCK(L"A=2", L"a0=5", L"b=1", L"B2=4", L"c=3")),
	   "env: sorted by name without regard to case");
	ok(block_is(wcl_env_block(L"PATH=p\0PATHEXT=.exe\0Z=a=b\0",
				  ARGV(L"PATH=q", L"z=c"), ascii_ci),
		     BLOCK(L"PATH=q", L"PATHEXT=.exe", L"z=c")),
	   "env: a name is up to its first =, a longer name is another one");
	ok(block_is(wcl_env_block(L"C=x\0=C:=C:\\dir\0", ARGV(L"C:=z"),
				  ascii_ci),
		     BLOCK(L"=C:=C:\\dir", L"C=x", L"C:=z")),
	   "env: =C:=C:\\dir is named =C:, kept and sorted first");
	ok(block_is(wcl_env_block(L"", NULL, ascii_ci), BLOCK(NULL)),
	   "env: nothing at all is an empty block of two NULs");
	ok(block_is(wcl_env_block(L"", ARGV(L"X=1"), ascii_ci),
		    BLOCK(L"X=1")) &&
		   block_is(wcl_env_block(L"B=1\0a=2\0", NULL, ascii_ci),
			    BLOCK(L"a=2", L"B=1")),
	   "env: only added strings, or only inherited ones");
}

static void
test_lists(void)
{
	static const wchar_t *const exts[] = { L".com", L".exe", L".bat",
					       L".cmd" };
	const wchar_t *s = L"a;;bc;", *e[4];
	size_t len[4], o[4], n;
	int i = 0;
	while (i < 4 && (e[i] = wcl_list_next(&s, &len[i])))
		i++;
	ok(i == 3 && len[0] == 1 && *e[0] == L'a' && len[1] == 0 &&
		   len[2] == 2 && !wcsncmp(e[2], L"bc", 2),
	   "lists: entries of a;;bc; are a, an empty one and bc, no more");

	n = wcl_ext_order(NULL, exts, 4, o, ascii_ci);
	ok(n == 4 && o[0] == 0 && o[1] == 1 && o[2] == 2 && o[3] == 3,
	   "PATHEXT unset: every extension, in their own order");
	n = wcl_ext_order(L".EXE;.BAT;.VBS;.exe;;.com", exts, 4, o, ascii_ci);
	ok(n == 3 && o[0] == 1 && o[1] == 2 && o[2] == 0,
	   "PATHEXT: its order, any case, each once, others left out");
	n = wcl_ext_order(L".vbs;.js;", exts, 4, o, ascii_ci);
	ok(n == 4 && o[0] == 0 && o[3] == 3,
	   "PATHEXT with none of them: every extension");
}

int
main(void)
{
	test_crt();
	test_crt_limit();
	test_batch();
	test_batch_limit();
	test_env();
	test_lists();
	printf("1..%d\n", count);
	return failed != 0;
}
