/*
 * tail_chunk.c - where the bytes that --tail --json reads are cut into
 * chunks, and whether each is text (pure; see tail_chunk.h for the
 * rules).
 */
#include <string.h>

#include "tail_chunk.h"
#include "utf8.h"

/* After the last newline in the first N bytes of S, or 0. */
static size_t
after_last_nl(const char *s, size_t n)
{
	while (n && s[n - 1] != '\n')
		n--;
	return n;
}

/* How many bytes from S (N, up to LIM) are UTF-8 text: LIM, or where a
 * byte that is not starts, or where a sequence would cross LIM (then
 * *CROSS is set).  Sequences are checked against all N bytes. */
static size_t
text_run(const unsigned char *s, size_t n, size_t lim, int *cross)
{
	size_t i = 0;
	*cross = 0;
	while (i < lim) {
		size_t l;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (!(l = utf8_len(s + i, n - i)))
			break;
		if (i + l > lim) {
			*cross = 1;
			break;
		}
		i += l;
	}
	return i;
}

size_t
chunk_next(const char *s, size_t n, size_t max, int final, int *text)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t lim, run, end, nl;
	int cross;
	/* a character still being written waits for its other bytes */
	if (!final)
		n -= utf8_unfinished(u, n);
	*text = 1;
	if (!n)
		return 0;
	lim = n < max ? n : max;
	run = text_run(u, n, lim, &cross);
	if (run == lim || (cross && run)) {
		/* text up to the window's end: at a line end if cut short */
		end = run;
		if (end < n && (nl = after_last_nl(s, end)))
			end = nl;
		return end;
	}
	/* text, then a line with a byte that is not: the text before it */
	if (run && (nl = after_last_nl(s, run)))
		return nl;
	/* that line, which is not text: to its end */
	*text = 0;
	const char *e = memchr(s, '\n', lim);
	if (e)
		return (size_t)(e - s) + 1;
	end = lim;
	/* cut short by MAX: not inside a character, if it can help it
	 * (and never before the byte that made it not text) */
	while (end < n && end > run + 1 && end + 3 > lim &&
	       (u[end] & 0xc0) == 0x80)
		end--;
	return end;
}
