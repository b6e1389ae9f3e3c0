/*
 * fuzz_chunk.c - --tail --json: where a file's bytes are cut into chunks
 * (tail_chunk.c, utf8.c) and the JSON object of each (output.c).
 *
 * The first byte of the input chooses the largest chunk (4 to 67 bytes,
 * so that inputs cross it) and whether the bytes are FINAL; the rest are
 * the bytes read.  The chunks must add up to them, but for an unfinished
 * character at the end when not FINAL; none may be longer than the
 * largest; a text chunk must be UTF-8 throughout, by a decoder written
 * here apart from utf8.c; a chunk that is not must hold a byte that is
 * not.  Each chunk's object is decoded again, "data" from its JSON
 * string and "data_b64" from base64, and must give the chunk back.
 */
#include "fuzz.h"

#include "output.h"
#include "tail_chunk.h"
#include "utf8.h"

/* S (N bytes) is UTF-8 throughout: decoded one code point at a time. */
static int
valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i], cp;
		size_t len = c < 0x80 ? 1 : c >> 5 == 6 ? 2 : c >> 4 == 14 ? 3
			     : c >> 3 == 30 ? 4 : 0;
		if (!len || i + len > n)
			return 0;
		cp = len == 1 ? c : c & (0x7f >> len);
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

static int
b64val(int c)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(tab, c) : NULL;
	return p ? (int)(p - tab) : -1;
}

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The value of KEY's string in the object at J (a line), decoded (JSON
 * string, or base64 when B64) into OUT; its length, or -1 if malformed. */
static long
value(const char *j, const char *key, int b64, unsigned char *out)
{
	const char *p = strstr(j, key), *q;
	long n = 0;
	if (!p)
		return -1;
	p += strlen(key);
	if (b64) {
		for (q = p; *q && *q != '"'; q += 4) {
			int v[4];
			for (int k = 0; k < 4; k++)
				v[k] = q[k] == '=' ? 0 : b64val(q[k]);
			if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0)
				return -1;
			out[n++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
			if (q[2] != '=')
				out[n++] = (unsigned char)(v[1] << 4 | v[2] >> 2);
			if (q[3] != '=')
				out[n++] = (unsigned char)(v[2] << 6 | v[3]);
		}
		return *q == '"' ? n : -1;
	}
	for (q = p; *q && *q != '"'; q++) {
		unsigned char c = (unsigned char)*q;
		FUZZ_CHECK(c >= 0x20 && c != 0x7f); /* no raw control byte */
		if (c != '\\') {
			out[n++] = c;
			continue;
		}
		switch (*++q) {
		case '"': out[n++] = '"'; break;
		case '\\': out[n++] = '\\'; break;
		case 'n': out[n++] = '\n'; break;
		case 't': out[n++] = '\t'; break;
		case 'r': out[n++] = '\r'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'u':
			if (q[1] != '0' || q[2] != '0' || hexval(q[3]) < 0 ||
			    hexval(q[4]) < 0)
				return -1;
			out[n++] = (unsigned char)(hexval(q[3]) << 4 | hexval(q[4]));
			q += 4;
			break;
		default:
			return -1;
		}
	}
	return *q == '"' ? n : -1;
}

/* Chunk C (N bytes, TEXT or not) as a JSON object, decoded back. */
static void
round_trip(const char *c, size_t n, int text)
{
	struct out o = { 0 };
	unsigned char *back = malloc(n + 1);
	char *line;
	if (!back)
		abort();
	FUZZ_CHECK(out_chunk(&o, "p", 1, c, n, text, 0, 0) == 0);
	FUZZ_CHECK(o.len > 2 && o.p[o.len - 1] == '\n' && o.p[o.len - 2] == '}');
	FUZZ_CHECK(!memchr(o.p, '\n', o.len - 1)); /* one line */
	line = fuzz_strndup((const uint8_t *)o.p, o.len);
	long got = value(line, text ? "\"data\":\"" : "\"data_b64\":\"", !text,
			 back);
	FUZZ_CHECK(got == (long)n && !memcmp(back, c, n));
	free(line);
	free(back);
	out_free(&o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t max = 4 + data[0] % 64, n = size - 1, at = 0;
	int final = data[0] >> 7;
	char *s = fuzz_strndup(data + 1, n);
	const unsigned char *u = (const unsigned char *)s;
	while (at < n) {
		int text;
		size_t c = chunk_next(s + at, n - at, max, final, &text);
		if (!c) {
			/* only a character still being written is left */
			FUZZ_CHECK(!final);
			FUZZ_CHECK(utf8_unfinished(u + at, n - at) == n - at);
			break;
		}
		FUZZ_CHECK(c <= max && c <= n - at);
		FUZZ_CHECK(valid_utf8(u + at, c) == text);
		round_trip(s + at, c, text);
		at += c;
	}
	/* what is left waits for the rest of a character, and only then */
	FUZZ_CHECK(at == n || (!final && n - at <= 3));
	free(s);
	return 0;
}
