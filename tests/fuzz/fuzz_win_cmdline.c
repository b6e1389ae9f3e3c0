/*
 * fuzz_win_cmdline.c - the command lines and environment blocks that
 * proc_win.c gives CreateProcessW, built by win_cmdline.c from what the
 * fuzzer makes.
 *
 * The first byte picks what is built (its low two bits): 0 a command
 * line for the C runtime, 1 one for a batch file, 2 an environment
 * block, 3 the PATHEXT order.  The rest is little-endian UTF-16 units,
 * cut at each 0 unit into strings: argv (batch: the batch file first),
 * the environment (the first byte's upper bits say how many strings are
 * inherited, the rest are added), or PATHEXT.
 *
 * C runtime: every argument reads back unchanged (crt_argv.h).  Batch:
 * refused exactly when an argument holds a quote or a control character;
 * otherwise each word is either quoted or of characters cmd.exe takes
 * literally, and undoing %%cd:~,% gives the argument back.  Environment:
 * sorted, each added string in, each inherited one in unless an added
 * one has its name.
 */
#include <errno.h>
#include <wchar.h>

#include "fuzz.h"

#include "../unit/crt_argv.h"
#include "win_cmdline.h"

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

static void
crt(wchar_t **argv, size_t n)
{
	/* find_program refuses a quote in the program's name */
	if (wcschr(argv[0], L'"'))
		return;
	wchar_t *line = wcl_command_line(L"C:\\p.exe", argv, 0), *back;
	FUZZ_CHECK(line); /* far below the length limit */
	back = malloc((2 * wcslen(line) + 1) * sizeof *back);
	if (!back)
		abort();
	FUZZ_CHECK(crt_argv(line, back) == n);
	const wchar_t *b = back;
	for (size_t i = 0; i < n; i++, b += wcslen(b) + 1)
		FUZZ_CHECK(!wcscmp(b, argv[i]));
	free(back);
	free(line);
}

static int
cmd_literal(wchar_t c)
{
	return c >= 0x80 || (c >= L'a' && c <= L'z') ||
	       (c >= L'A' && c <= L'Z') || (c >= L'0' && c <= L'9') ||
	       (c && wcschr(L"#$*+-./:?@\\_", c));
}

/* One word of a batch line at *S, checked against WANT; *S moves past
 * it.  QUOTE: it must be quoted. */
static void
bat_word(const wchar_t **s, const wchar_t *want, int quote)
{
	const wchar_t *p = *s;
	int quoted = *p == L'"';
	FUZZ_CHECK(quoted || !quote);
	if (quoted)
		p++;
	for (; *want; want++) {
		if (*want == L'%') {
			FUZZ_CHECK(!wcsncmp(p, L"%%cd:~,", 7));
			p += 7;
		}
		FUZZ_CHECK(*p == *want && (quoted || cmd_literal(*p)));
		p++;
	}
	if (quoted)
		FUZZ_CHECK(*p++ == L'"');
	*s = p;
}

static void
batch(wchar_t **argv, size_t n)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++)
		for (const wchar_t *s = argv[i]; *s; s++)
			bad |= *s < 0x20 || *s == L'"' || *s == 0x7f;
	errno = 0;
	wchar_t *line = wcl_command_line(argv[0], argv, 1);
	FUZZ_CHECK((line == NULL) == bad && (line || errno == EINVAL));
	if (!line)
		return;
	const wchar_t *pre = L"cmd.exe /d /e:on /v:off /s /c \"";
	const wchar_t *s = line + wcslen(pre);
	FUZZ_CHECK(!wcsncmp(line, pre, wcslen(pre)));
	bat_word(&s, argv[0], 1);
	for (size_t i = 1; i < n; i++) {
		FUZZ_CHECK(*s++ == L' ');
		bat_word(&s, argv[i], !*argv[i]);
	}
	FUZZ_CHECK(s[0] == L'"' && !s[1]);
	free(line);
}

static size_t
name_len(const wchar_t *e)
{
	const wchar_t *eq = *e ? wcschr(e + 1, L'=') : NULL;
	return eq ? (size_t)(eq - e) : wcslen(e);
}

/* Is S one of the strings of BLOCK? */
static int
in_block(const wchar_t *block, const wchar_t *s)
{
	for (; *block; block += wcslen(block) + 1)
		if (!wcscmp(block, s))
			return 1;
	return 0;
}

/* STRS's first NCUR strings (no empty one) inherited, the rest added. */
static void
env(wchar_t **strs, size_t n, size_t ncur)
{
	wchar_t *cur, *c, *block;
	size_t total = 2, m = 0, want = n - ncur;
	for (size_t i = 0; i < ncur; i++)
		total += wcslen(strs[i]) + 1;
	if (!(c = cur = malloc(total * sizeof *cur)))
		abort();
	for (size_t i = 0; i < ncur; i++, c += wcslen(c) + 1)
		wcscpy(c, strs[i]);
	*c = 0;
	FUZZ_CHECK(block = wcl_env_block(cur, strs + ncur, ascii_ci));
	for (const wchar_t *s = block, *prev = NULL; *s; s += wcslen(s) + 1) {
		FUZZ_CHECK(!prev || ascii_ci(prev, name_len(prev), s,
					     name_len(s)) <= 0);
		prev = s;
		m++;
	}
	FUZZ_CHECK(m || !block[1]);
	for (size_t i = ncur; i < n; i++)
		FUZZ_CHECK(in_block(block, strs[i]));
	for (size_t i = 0; i < ncur; i++) {
		int replaced = 0;
		for (size_t j = ncur; j < n && !replaced; j++)
			replaced = !ascii_ci(strs[i], name_len(strs[i]), strs[j],
					     name_len(strs[j]));
		FUZZ_CHECK(replaced || in_block(block, strs[i]));
		want += !replaced;
	}
	FUZZ_CHECK(m == want);
	free(block);
	free(cur);
}

/* Where PE first lists EXT as a whole entry, in any case; -1 if not. */
static long
listed_at(const wchar_t *pe, const wchar_t *ext)
{
	size_t k = wcslen(ext);
	for (const wchar_t *s = pe; *s;) {
		size_t len = wcscspn(s, L";");
		if (len == k && !ascii_ci(s, len, ext, k))
			return (long)(s - pe);
		s += len + (s[len] != 0);
	}
	return -1;
}

static void
pathext(const wchar_t *pe)
{
	static const wchar_t *const exts[] = { L".com", L".exe", L".bat",
					       L".cmd" };
	long at[4];
	size_t order[4], listed = 0;
	size_t n = wcl_ext_order(pe, exts, 4, order, ascii_ci);
	for (size_t i = 0; i < 4; i++)
		listed += (at[i] = listed_at(pe, exts[i])) >= 0;
	/* those listed, in PATHEXT's order; all, in their own, if none is */
	FUZZ_CHECK(n == (listed ? listed : 4));
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(order[i] < 4);
		FUZZ_CHECK(listed ? at[order[i]] >= 0 : order[i] == i);
		FUZZ_CHECK(!i || !listed || at[order[i - 1]] < at[order[i]]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	size_t nu = (size - 1) / 2, n = 0;
	wchar_t *u = malloc((nu + 1) * sizeof *u), **strs;
	if (!u)
		abort();
	for (size_t i = 0; i < nu; i++)
		u[i] = (wchar_t)(data[1 + 2 * i] | data[2 + 2 * i] << 8);
	u[nu] = 0;
	/* the strings: each 0 unit ends one; argv[0] may be empty */
	if (!(strs = malloc((nu + 2) * sizeof *strs)))
		abort();
	for (size_t i = 0; i <= nu; i += wcslen(u + i) + 1)
		strs[n++] = u + i;
	strs[n] = NULL;

	switch (data[0] & 3) {
	case 0: crt(strs, n); break;
	case 1: batch(strs, n); break;
	case 2: {
		/* no empty string: it would end a block */
		size_t k = 0, ncur;
		for (size_t i = 0; i < n; i++)
			if (*strs[i])
				strs[k++] = strs[i];
		strs[k] = NULL;
		ncur = (size_t)(data[0] >> 2) % (k + 1);
		env(strs, k, ncur);
		break;
	}
	case 3: pathext(u); break;
	}
	free(strs);
	free(u);
	return 0;
}
