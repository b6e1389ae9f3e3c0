/*
 * fuzz.h - what the fuzz targets share: the libFuzzer entry point, a
 * check that aborts (so both libFuzzer and the replay driver stop on
 * it and keep the input), and small helpers.
 *
 * Each target is built twice by tests/fuzz/run: with -fsanitize=fuzzer
 * (libFuzzer supplies main) and with replay_main.c (--replay), which
 * feeds it the files of a corpus.
 */
#ifndef FWATCH_FUZZ_H
#define FWATCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property that failed: say which, where, and stop.  abort() is what
 * libFuzzer treats as a crash and saves the input for. */
#define FUZZ_CHECK(cond)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: check failed: %s\n",          \
				__FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

/* A NUL-terminated copy of N bytes (which may hold NULs themselves).
 * Exactly N+1 bytes, so AddressSanitizer sees a read past the NUL. */
static inline char *
fuzz_strndup(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	if (n)
		memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/*
 * Length of the well-formed UTF-8 sequence at S (N bytes left), or 0.
 * With wtf8 set a surrogate (U+D800..U+DFFF as three bytes) is accepted,
 * as WTF-8 does; strict UTF-8 and JSON refuse it.
 */
static inline size_t
fuzz_utf8_seq(const unsigned char *s, size_t n, int wtf8)
{
	uint32_t c = s[0], min;
	size_t len;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000, c &= 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff)
		return 0;
	if (!wtf8 && c >= 0xd800 && c <= 0xdfff)
		return 0;
	return len;
}

/* Is the whole of S (N bytes) strict UTF-8? */
static inline int
fuzz_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0, l; i < n; i += l)
		if (!(l = fuzz_utf8_seq(s + i, n - i, 0)))
			return 0;
	return 1;
}

/*
 * Is S well-formed WTF-8: UTF-8 where a surrogate may stand alone, but
 * never a lead surrogate straight before a trail one (that pair is a
 * 4-byte sequence in WTF-8, so the 3+3-byte spelling has no UTF-16 of
 * its own to come back to)?
 */
static inline int
fuzz_wtf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	int lead = 0; /* the sequence before was a lead surrogate */
	for (size_t i = 0, l; i < n; i += l) {
		if (!(l = fuzz_utf8_seq(s + i, n - i, 1)))
			return 0;
		int sur = l == 3 && s[i] == 0xed && s[i + 1] >= 0xa0;
		if (sur && lead && s[i + 1] >= 0xb0)
			return 0;
		lead = sur && s[i + 1] < 0xb0;
	}
	return 1;
}

#endif
