/*
 * fuzz_utf16.c - the UTF-16 <-> UTF-8 conversions of Windows names.
 *
 * The input is read twice: as little-endian UTF-16 units, which must
 * come back unchanged through UTF-8 (WTF-8 keeps lone surrogates, so no
 * file name is ever unreachable), and as bytes of would-be UTF-8, which
 * must fit the N+1 units utf16.h promises.  Every output buffer is
 * exactly the documented size, so AddressSanitizer sees one unit more.
 */
#include "fuzz.h"

#include "utf16.h"

static uint16_t *
units(size_t n)
{
	uint16_t *u = malloc((n + 1) * sizeof *u);
	if (!u)
		abort();
	return u;
}

static char *
bytes(size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	return s;
}

/* UTF-16 -> UTF-8 -> UTF-16 gives the same units. */
static void
from_utf16(const uint8_t *data, size_t size)
{
	size_t n = size / 2;
	uint16_t *u = units(n), *back;
	char *s = bytes(3 * n);
	for (size_t i = 0; i < n; i++)
		u[i] = (uint16_t)(data[2 * i] | data[2 * i + 1] << 8);

	size_t len = utf16_to_utf8(u, n, s);
	FUZZ_CHECK(len <= 3 * n);
	FUZZ_CHECK(s[len] == '\0');
	FUZZ_CHECK(fuzz_wtf8_valid(s, len));
	/* strict UTF-8 exactly when no surrogate stood alone */
	int lone = 0;
	for (size_t i = 0; i < n; i++) {
		if (u[i] >= 0xd800 && u[i] <= 0xdbff && i + 1 < n &&
		    u[i + 1] >= 0xdc00 && u[i + 1] <= 0xdfff)
			i++;
		else if (u[i] >= 0xd800 && u[i] <= 0xdfff)
			lone = 1;
	}
	FUZZ_CHECK(fuzz_utf8_valid(s, len) == !lone);

	back = units(len);
	size_t m = utf8_to_utf16(s, len, back);
	FUZZ_CHECK(m == n);
	FUZZ_CHECK(back[m] == 0);
	FUZZ_CHECK(!memcmp(back, u, n * sizeof *u));
	free(back);
	free(s);
	free(u);
}

/* Any bytes -> UTF-16 fits N+1 units; back to UTF-8 is stable, and is
 * the same bytes when they were WTF-8 to begin with. */
static void
from_utf8(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	uint16_t *u = units(size), *again;
	char *s;

	size_t n = utf8_to_utf16(in, size, u);
	FUZZ_CHECK(n <= size);
	FUZZ_CHECK(u[n] == 0);

	s = bytes(3 * n);
	size_t len = utf16_to_utf8(u, n, s);
	FUZZ_CHECK(s[len] == '\0');
	if (fuzz_wtf8_valid(in, size))
		FUZZ_CHECK(len == size && !memcmp(s, in, size));
	/* a byte that starts no sequence became U+FFFD */
	int bad = 0;
	for (size_t i = 0, l; i < size && !bad; i += l)
		if (!(l = fuzz_utf8_seq(data + i, size - i, 1)))
			bad = 1;
	if (bad) {
		size_t k = 0;
		while (k < n && u[k] != 0xfffd)
			k++;
		FUZZ_CHECK(k < n);
	}

	again = units(len);
	size_t m = utf8_to_utf16(s, len, again);
	FUZZ_CHECK(m == n && !memcmp(again, u, n * sizeof *u));
	free(again);
	free(s);
	free(u);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	from_utf16(data, size);
	from_utf8(data, size);
	return 0;
}
