/*
 * utf8.c - UTF-8 sequences, checked byte by byte (pure): the one
 * definition of valid UTF-8 that output.c and tail_chunk.c share.
 */
#include "utf8.h"

/* The first byte C of a sequence: its length, the smallest code point
 * it may encode, and its bits; 0 for a byte that starts none. */
static size_t
lead(unsigned c, unsigned *min, unsigned *cp)
{
	if (c < 0x80) {
		*min = 0;
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		*min = 0x80;
		*cp = c & 0x1f;
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		*min = 0x800;
		*cp = c & 0x0f;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		*min = 0x10000;
		*cp = c & 0x07;
		return 4;
	}
	return 0;
}

size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned min, cp;
	size_t len = lead(s[0], &min, &cp);
	if (!len || n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * The last lead byte in the last three, and the continuation bytes after
 * it: a prefix that more continuation bytes could still make valid.  Its
 * second byte may already rule that out: E0 80 (overlong), ED A0 (a
 * surrogate), F0 80 (overlong) and F4 90 (past U+10FFFF) are not
 * unfinished but wrong.
 */
size_t
utf8_unfinished(const unsigned char *s, size_t n)
{
	for (size_t k = 1; k <= 3 && k <= n; k++) {
		unsigned c = s[n - k], min, cp;
		size_t len;
		if ((c & 0xc0) == 0x80)
			continue; /* a continuation: its lead is further back */
		len = lead(c, &min, &cp);
		if (len <= k)
			return 0; /* complete (or no lead at all) */
		/* complete it with the smallest continuation bytes, then with
		 * the largest: valid either way, or not valid at all */
		for (size_t i = n - k + 1; i < n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return 0;
		if (k >= 2) {
			unsigned b = s[n - k + 1];
			if ((c == 0xe0 && b < 0xa0) || (c == 0xed && b > 0x9f) ||
			    (c == 0xf0 && b < 0x90) || (c == 0xf4 && b > 0x8f))
				return 0;
		}
		return k;
	}
	return 0;
}
