/*
 * utf16.c - see utf16.h.
 */
#include "utf16.h"

size_t
utf16_to_utf8(const uint16_t *s, size_t n, char *out)
{
	unsigned char *d = (unsigned char *)out;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = s[i];
		if (c >= 0xd800 && c <= 0xdbff && i + 1 < n &&
		    s[i + 1] >= 0xdc00 && s[i + 1] <= 0xdfff) {
			c = 0x10000 + ((c - 0xd800) << 10) + (s[++i] - 0xdc00);
		}
		/* a lone surrogate falls through as a 3-byte sequence */
		if (c < 0x80) {
			*d++ = (unsigned char)c;
		} else if (c < 0x800) {
			*d++ = (unsigned char)(0xc0 | c >> 6);
			*d++ = (unsigned char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			*d++ = (unsigned char)(0xe0 | c >> 12);
			*d++ = (unsigned char)(0x80 | (c >> 6 & 0x3f));
			*d++ = (unsigned char)(0x80 | (c & 0x3f));
		} else {
			*d++ = (unsigned char)(0xf0 | c >> 18);
			*d++ = (unsigned char)(0x80 | (c >> 12 & 0x3f));
			*d++ = (unsigned char)(0x80 | (c >> 6 & 0x3f));
			*d++ = (unsigned char)(0x80 | (c & 0x3f));
		}
	}
	*d = '\0';
	return (size_t)(d - (unsigned char *)out);
}

size_t
utf8_to_utf16(const char *str, size_t n, uint16_t *out)
{
	const unsigned char *s = (const unsigned char *)str;
	uint16_t *d = out;
	for (size_t i = 0; i < n;) {
		uint32_t c = s[i], min;
		size_t len;
		if (c < 0x80) {
			*d++ = (uint16_t)c;
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			len = 2, min = 0x80, c &= 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3, min = 0x800, c &= 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4, min = 0x10000, c &= 0x07;
		} else {
			len = 0, min = 0;
		}
		size_t k = 1;
		while (len && k < len && i + k < n && (s[i + k] & 0xc0) == 0x80)
			c = c << 6 | (s[i + k++] & 0x3f);
		if (!len || k < len || c < min || c > 0x10ffff) {
			*d++ = 0xfffd; /* not UTF-8: one unit per bad byte */
			i++;
			continue;
		}
		i += len;
		if (c >= 0x10000) {
			c -= 0x10000;
			*d++ = (uint16_t)(0xd800 + (c >> 10));
			*d++ = (uint16_t)(0xdc00 + (c & 0x3ff));
		} else {
			*d++ = (uint16_t)c; /* surrogates too: WTF-8 */
		}
	}
	*d = 0;
	return (size_t)(d - out);
}
