/*
 * crt_argv.h - a command line read back as the Microsoft C runtime (and
 * CommandLineToArgvW) reads it, for the tests of win_cmdline.c: the unit
 * test and the fuzz target check that each argument comes back as it
 * went in.  Written from the runtime's documented rules.
 */
#ifndef FWATCH_CRT_ARGV_H
#define FWATCH_CRT_ARGV_H

#include <stddef.h>
#include <wchar.h>

static inline int
crt_blank(wchar_t c)
{
	return c == L' ' || c == L'\t';
}

/*
 * argv[0] is read to the next blank outside quotes, with no escapes.
 * In the arguments after it, 2N backslashes and a quote are N backslashes
 * and a quote that opens or closes quoting, 2N+1 and a quote are N and a
 * literal quote, other backslashes are themselves; blanks outside quotes
 * end an argument.  (Not read here: "" inside quotes, which the runtime
 * takes as a literal quote and win_cmdline.c never writes.)
 *
 * The arguments go to OUT, each NUL-terminated; OUT has room for twice
 * the line's length, plus one.  Returns how many, argv[0] included.
 */
static inline size_t
crt_argv(const wchar_t *s, wchar_t *out)
{
	size_t n = 1;
	int q = 0;
	for (; *s && (q || !crt_blank(*s)); s++)
		if (*s == L'"')
			q = !q;
		else
			*out++ = *s;
	*out++ = 0;
	for (;; n++) {
		q = 0;
		while (crt_blank(*s))
			s++;
		if (!*s)
			return n;
		while (*s && (q || !crt_blank(*s))) {
			size_t bs = 0;
			while (*s == L'\\')
				bs++, s++;
			if (*s == L'"') {
				for (size_t i = 0; i < bs / 2; i++)
					*out++ = L'\\';
				if (bs % 2)
					*out++ = L'"';
				else
					q = !q;
				s++;
				continue;
			}
			while (bs--)
				*out++ = L'\\';
			if (*s && (q || !crt_blank(*s)))
				*out++ = *s++;
		}
		*out++ = 0;
	}
}

#endif
