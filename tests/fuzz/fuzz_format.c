/*
 * fuzz_format.c - output.c: --format strings, and the escaping of paths
 * in text and JSON records.
 *
 * The input is read twice.  Up to its first NUL it is a --format (argv
 * holds no NUL): if out_check_format() accepts it, records are built
 * for hand-made events of every kind with awkward paths.  Whole, it is a
 * path (a NUL in it too, which the escaping must survive) put through
 * text and JSON records, which are decoded again and must give it back:
 * one line per record, no raw control byte, JSON that a strict parser
 * takes, and U+FFFD plus an exact path_b64 for a name not UTF-8.
 */
#include <stdbool.h>

#include "fuzz.h"

#include "output.h"
#include "watch.h"

/* ---- a strict parser of the one-line JSON objects fwatch writes */

struct jstr {
	char *s; /* decoded, NUL-terminated */
	size_t len;
	bool set;
};

struct jrec {
	struct jstr time, event, path, old_path, path_b64, old_path_b64;
	int dir, rescan, replaced; /* -1 absent, 0 false, 1 true */
	bool watches;
	long long size; /* -1 absent */
};

static int
hexval(int c)
{
	/* fwatch writes \u00XX in lowercase, and so only lowercase counts */
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The string at *P (its opening quote) decoded into OUT (which may be
 * NULL); *P is left after the closing quote.  0, or -1 if malformed. */
static int
jstring(const char **pp, const char *end, struct jstr *out)
{
	const char *p = *pp;
	char *d = NULL;
	if (p == end || *p != '"')
		return -1;
	p++;
	if (out) {
		if (out->set)
			return -1; /* a key given twice */
		out->s = d = malloc((size_t)(end - p) + 1);
		if (!d)
			abort();
		out->set = true;
	}
	while (p < end && *p != '"') {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			return -1; /* raw control bytes break jq or a line */
		if (c >= 0x80) {
			size_t l = fuzz_utf8_seq((const unsigned char *)p,
						 (size_t)(end - p), 0);
			if (!l)
				return -1;
			if (d)
				memcpy(d, p, l), d += l;
			p += l;
			continue;
		}
		if (c != '\\') {
			if (d)
				*d++ = (char)c;
			p++;
			continue;
		}
		if (++p == end)
			return -1;
		const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
		const char *k = *p ? strchr(from, *p) : NULL;
		if (k) {
			if (d)
				*d++ = to[k - from];
			p++;
			continue;
		}
		if (*p != 'u' || end - p < 5)
			return -1;
		unsigned v = 0;
		for (int i = 1; i <= 4; i++) {
			int h = hexval((unsigned char)p[i]);
			if (h < 0)
				return -1;
			v = v << 4 | (unsigned)h;
		}
		p += 5;
		if (v >= 0xd800 && v <= 0xdfff)
			return -1; /* fwatch escapes only what is below 0x80 */
		if (d) {
			if (v < 0x80) {
				*d++ = (char)v;
			} else if (v < 0x800) {
				*d++ = (char)(0xc0 | v >> 6);
				*d++ = (char)(0x80 | (v & 0x3f));
			} else {
				*d++ = (char)(0xe0 | v >> 12);
				*d++ = (char)(0x80 | (v >> 6 & 0x3f));
				*d++ = (char)(0x80 | (v & 0x3f));
			}
		}
	}
	if (p == end)
		return -1;
	if (d) {
		*d = '\0';
		out->len = (size_t)(d - out->s);
	}
	*pp = p + 1;
	return 0;
}

static int
jliteral(const char **pp, const char *end, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(end - *pp) < n || memcmp(*pp, word, n))
		return -1;
	*pp += n;
	return 0;
}

static int
jbool(const char **pp, const char *end, int *v)
{
	if (*v != -1)
		return -1;
	if (!jliteral(pp, end, "true"))
		*v = 1;
	else if (!jliteral(pp, end, "false"))
		*v = 0;
	else
		return -1;
	return 0;
}

/* A record: one object, no white space, then the newline, then nothing. */
static int
jrecord(const char *p, size_t n, struct jrec *r)
{
	const char *end = p + n;
	memset(r, 0, sizeof *r);
	r->dir = r->rescan = r->replaced = -1;
	r->size = -1;
	if (n < 3 || end[-1] != '\n' || memchr(p, '\n', n - 1))
		return -1;
	end--;
	if (*p++ != '{' || end[-1] != '}')
		return -1;
	end--;
	while (p < end) {
		struct jstr key = { 0 }, *val = NULL;
		if (jstring(&p, end, &key) < 0 || p == end || *p++ != ':') {
			free(key.s);
			return -1;
		}
#define KEY(name) (key.len == sizeof name - 1 && !memcmp(key.s, name, key.len))
		int bad = 0;
		if (KEY("time"))
			val = &r->time;
		else if (KEY("event"))
			val = &r->event;
		else if (KEY("path"))
			val = &r->path;
		else if (KEY("old_path"))
			val = &r->old_path;
		else if (KEY("path_b64"))
			val = &r->path_b64;
		else if (KEY("old_path_b64"))
			val = &r->old_path_b64;
		if (val) {
			bad = jstring(&p, end, val);
		} else if (KEY("dir")) {
			bad = jbool(&p, end, &r->dir);
		} else if (KEY("rescan")) {
			bad = jbool(&p, end, &r->rescan);
		} else if (KEY("replaced")) {
			bad = jbool(&p, end, &r->replaced);
		} else if (KEY("size") && r->size < 0) {
			r->size = 0;
			if (p == end || *p < '0' || *p > '9')
				bad = -1;
			while (p < end && *p >= '0' && *p <= '9')
				r->size = r->size * 10 + (*p++ - '0');
		} else if (KEY("watches") && !r->watches) {
			r->watches = true;
			if (p == end || *p < '0' || *p > '9')
				bad = -1;
			while (p < end && *p >= '0' && *p <= '9')
				p++;
		} else {
			bad = -1; /* a key fwatch does not write */
		}
#undef KEY
		free(key.s);
		if (bad)
			return -1;
		if (p < end && *p++ != ',')
			return -1;
		if (p == end && p[-1] == ',')
			return -1;
	}
	return 0;
}

static void
jfree(struct jrec *r)
{
	free(r->time.s);
	free(r->event.s);
	free(r->path.s);
	free(r->old_path.s);
	free(r->path_b64.s);
	free(r->old_path_b64.s);
}

/* Does the base64 text B (strict RFC 4648, padded) spell S? */
static bool
b64_is(const struct jstr *b, const char *s, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	if (!b->set || b->len % 4 || b->len != (n + 2) / 3 * 4)
		return false;
	size_t k = 0;
	for (size_t i = 0; i < b->len; i += 4) {
		unsigned v = 0;
		int pad = 0;
		for (int j = 0; j < 4; j++) {
			char c = b->s[i + j];
			const char *t = c ? strchr(tab, c) : NULL;
			if (c == '=' && j >= 2 && i + 4 == b->len) {
				pad++;
				v <<= 6;
				continue;
			}
			if (!t || pad)
				return false;
			v = v << 6 | (unsigned)(t - tab);
		}
		unsigned char out[3] = { (unsigned char)(v >> 16),
					 (unsigned char)(v >> 8),
					 (unsigned char)v };
		for (int j = 0; j < 3 - pad; j++, k++)
			if (k >= n || (unsigned char)s[k] != out[j])
				return false;
		/* the bits under the padding are zero */
		if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff)))
			return false;
	}
	return k == n;
}

/* A JSON path: exact if it was UTF-8, else U+FFFD in "path" and the
 * bytes in the _b64 twin. */
static void
check_jpath(const struct jstr *js, const struct jstr *b64, const char *s,
	    size_t n)
{
	FUZZ_CHECK(js->set);
	if (fuzz_utf8_valid(s, n)) {
		FUZZ_CHECK(!b64->set);
		FUZZ_CHECK(js->len == n && !memcmp(js->s, s, n));
	} else {
		FUZZ_CHECK(b64_is(b64, s, n));
		bool fffd = false;
		for (size_t i = 0; i + 3 <= js->len && !fffd; i++)
			fffd = !memcmp(js->s + i, "\xef\xbf\xbd", 3);
		FUZZ_CHECK(fffd);
	}
}

/* ---- text records */

/* Undo put_path()'s escaping of the N bytes at P into D; -1 if a byte
 * is left raw that must not be, or an escape is not one fwatch writes. */
static long
unescape(const char *p, size_t n, char *d)
{
	char *d0 = d;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x20 || c == 0x7f)
			return -1;
		if (c != '\\') {
			*d++ = (char)c;
			continue;
		}
		if (++i == n)
			return -1;
		switch (p[i]) {
		case '\\': *d++ = '\\'; break;
		case 'n': *d++ = '\n'; break;
		case 't': *d++ = '\t'; break;
		case 'r': *d++ = '\r'; break;
		case 'x': {
			int hi, lo;
			if (n - i < 3 || (hi = hexval((unsigned char)p[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)p[i + 2])) < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			/* only what has no shorter escape and cannot be raw */
			if (!(c < 0x20 || c == 0x7f) || c == '\n' || c == '\t' ||
			    c == '\r')
				return -1;
			*d++ = (char)c;
			i += 2;
			break;
		}
		default:
			return -1;
		}
	}
	return (long)(d - d0);
}

/* ---- the events */

static const struct {
	int64_t sec;
	long usec;
} times[] = {
	{ 1763785844, 123456 },
	{ 0, 0 },
	{ -1, 999999 },           /* before 1970 */
	{ 253402300800LL, 0 },    /* the year 10000: not printed as one */
	{ INT64_MAX, 999999 },
	{ INT64_MIN, 0 },
};
#define NTIMES (sizeof times / sizeof times[0])

/* Paths no real event has, but output must survive. */
static const struct {
	const char *path, *root;
	size_t len, rel;
} odd[] = {
#define P(s, root, rel) { s, root, sizeof s - 1, rel }
	P("dir/sub/a\nb.txt", "dir", 4),
	P("\x01\x1f\x7f\\ \t\r\"", NULL, 0),
	P("w/\xff\xfe\xed\xa0\x80 caf\xc3\xa9\xf4\x90\x80\x80", "w", 2),
	P("", NULL, 0),
	P("w/", "w", 2),
	P("///", "/", 3),
	P("a\0b", "a", 2),
#undef P
};
#define NODD (sizeof odd / sizeof odd[0])

static size_t
controls(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += (unsigned char)s[i] < 0x20 || s[i] == 0x7f;
	return k;
}

/* Append E's record to O; return where it starts and its length. */
static const char *
emit(struct out *o, const struct fw_event *e, size_t *len)
{
	size_t start = o->len;
	FUZZ_CHECK(out_event(o, e) == 0);
	FUZZ_CHECK(o->len > start);
	*len = o->len - start;
	return o->p + start;
}

/* The format FMT on every odd path, for every kind: one record each,
 * and the paths add no control byte to it (escaping works in %p, %o,
 * %f, %w, %r), as seen against the same event with plain paths. */
static void
try_format(const char *fmt, const char *in, size_t size)
{
	struct out o;
	memset(&o, 0, sizeof o);
	o.mode = OUT_FORMAT;
	o.fmt = fmt;
	for (int k = 0; k < FW_NKINDS; k++) {
		for (size_t i = 0; i <= NODD; i++) {
			struct fw_event e, plain;
			memset(&e, 0, sizeof e);
			e.size = -1;
			e.kind = (enum fw_kind)k;
			e.flags = (unsigned)(k + i) & 7;
			if (i < NODD) {
				e.path = odd[i].path;
				e.path_len = odd[i].len;
				e.root = odd[i].root;
				e.rel = odd[i].rel;
			} else { /* the input itself */
				e.path = in;
				e.path_len = size;
				e.rel = size / 2;
			}
			if (k == FW_RENAME) {
				e.old_path = odd[(i + 1) % NODD].path;
				e.old_len = odd[(i + 1) % NODD].len;
			}
			e.sec = times[(size_t)k % NTIMES].sec;
			e.usec = times[(size_t)k % NTIMES].usec;

			plain = e;
			plain.path = e.path_len ? "p/q" : "";
			plain.path_len = e.path_len ? 3 : 0;
			plain.rel = e.path_len ? 2 : 0;
			plain.root = e.root ? "p" : NULL;
			if (e.old_path) {
				plain.old_path = "o";
				plain.old_len = 1;
			}

			size_t n, pn;
			const char *r = emit(&o, &e, &n);
			FUZZ_CHECK(r[n - 1] == '\n');
			size_t c = controls(r, n);
			r = emit(&o, &plain, &pn);
			FUZZ_CHECK(r[pn - 1] == '\n');
			FUZZ_CHECK(controls(r, pn) == c);
			o.len = 0;
		}
	}
	FUZZ_CHECK(out_ready(&o, 3, times[0].sec, times[0].usec) == 0);
	FUZZ_CHECK(o.len && o.p[o.len - 1] == '\n');

	/* -0: raw paths, NUL-terminated records */
	o.nul = 1;
	o.len = 0;
	for (size_t i = 0; i < NODD; i++) {
		struct fw_event e;
		memset(&e, 0, sizeof e);
		e.size = -1;
		e.kind = FW_RENAME;
		e.path = odd[i].path;
		e.path_len = odd[i].len;
		e.old_path = in;
		e.old_len = size;
		e.root = odd[i].root;
		e.rel = odd[i].rel;
		size_t n;
		const char *r = emit(&o, &e, &n);
		FUZZ_CHECK(r[n - 1] == '\0');
	}
	out_free(&o);
}

/* The input as a path (and an old path) in a text record. */
static void
try_text(const char *in, size_t size)
{
	struct out o;
	char *dec = malloc(4 * size + 64);
	if (!dec)
		abort();
	memset(&o, 0, sizeof o);
	o.mode = OUT_TEXT;
	for (int k = 0; k < FW_NKINDS; k++) {
		for (int turn = 0; turn < 2; turn++) {
			struct fw_event e;
			memset(&e, 0, sizeof e);
			e.size = -1;
			e.kind = (enum fw_kind)k;
			e.path = in;
			e.path_len = size;
			if (k == FW_RENAME) {
				/* the input as the old name, then the new */
				e.old_path = turn ? "x/y" : in;
				e.old_len = turn ? 3 : size;
				e.path = turn ? in : "x/y";
				e.path_len = turn ? size : 3;
			}
			size_t n;
			o.len = 0;
			const char *r = emit(&o, &e, &n);
			const char *name = fw_kind_name(e.kind);
			size_t nl = strlen(name);
			/* one line: the newline ends it and is its only one */
			FUZZ_CHECK(r[n - 1] == '\n' && !memchr(r, '\n', n - 1));
			FUZZ_CHECK(n > nl && !memcmp(r, name, nl));
			if (n == nl + 1) { /* a bare word */
				FUZZ_CHECK(e.path_len == 0 && k != FW_RENAME);
				continue;
			}
			FUZZ_CHECK(r[nl] == ' ');
			long dl = unescape(r + nl + 1, n - nl - 2, dec);
			FUZZ_CHECK(dl >= 0);
			if (k == FW_RENAME) {
				size_t want = e.old_len + 4 + e.path_len;
				FUZZ_CHECK((size_t)dl == want);
				FUZZ_CHECK(!memcmp(dec, e.old_path, e.old_len));
				FUZZ_CHECK(!memcmp(dec + e.old_len, " -> ", 4));
				FUZZ_CHECK(!memcmp(dec + e.old_len + 4, e.path,
						   e.path_len));
			} else {
				FUZZ_CHECK((size_t)dl == size);
				FUZZ_CHECK(!memcmp(dec, in, size));
			}
		}
	}

	/* -0: the path raw, the record ended by a NUL */
	o.nul = 1;
	o.len = 0;
	struct fw_event e;
	memset(&e, 0, sizeof e);
	e.size = -1;
	e.kind = FW_MODIFY;
	e.path = in;
	e.path_len = size;
	size_t n;
	const char *r = emit(&o, &e, &n);
	FUZZ_CHECK(n == (size ? 7 + size + 1 : 7));
	FUZZ_CHECK(!memcmp(r, "modify", 6) && r[n - 1] == '\0');
	FUZZ_CHECK(!size || (r[6] == ' ' && !memcmp(r + 7, in, size)));
	out_free(&o);
	free(dec);
}

/* The input as a path (and an old path) in JSON. */
static void
try_json(const char *in, size_t size)
{
	struct out o;
	memset(&o, 0, sizeof o);
	o.mode = OUT_JSON;
	for (int k = 0; k < FW_NKINDS; k++) {
		struct fw_event e;
		struct jrec j;
		memset(&e, 0, sizeof e);
		e.size = -1;
		e.kind = (enum fw_kind)k;
		e.flags = (unsigned)k & 15;
		e.path = in;
		e.path_len = size;
		e.size = k & 1 ? (int64_t)size * 1000003 : -1;
		if (k == FW_RENAME) {
			e.old_path = in + size / 2;
			e.old_len = size - size / 2;
		}
		e.sec = times[(size_t)k % NTIMES].sec;
		e.usec = times[(size_t)k % NTIMES].usec;
		size_t n;
		o.len = 0;
		const char *r = emit(&o, &e, &n);
		FUZZ_CHECK(jrecord(r, n, &j) == 0);
		FUZZ_CHECK(j.time.set && j.time.len == 27 &&
			   j.time.s[26] == 'Z');
		FUZZ_CHECK(j.event.set && !strcmp(j.event.s, fw_kind_name(e.kind)));
		check_jpath(&j.path, &j.path_b64, e.path, e.path_len);
		if (e.old_path)
			check_jpath(&j.old_path, &j.old_path_b64, e.old_path,
				    e.old_len);
		else
			FUZZ_CHECK(!j.old_path.set && !j.old_path_b64.set);
		FUZZ_CHECK(j.dir == !!(e.flags & FW_EV_DIR));
		FUZZ_CHECK(j.rescan == (e.flags & FW_EV_RESCAN ? 1 : -1));
		FUZZ_CHECK(j.replaced == (e.flags & FW_EV_REPLACED ? 1 : -1));
		FUZZ_CHECK(j.size == (long long)e.size);
		FUZZ_CHECK(j.watches == (k == FW_READY));
		jfree(&j);
	}
	struct jrec j;
	o.len = 0;
	FUZZ_CHECK(out_ready(&o, 42, times[0].sec, times[0].usec) == 0);
	FUZZ_CHECK(jrecord(o.p, o.len, &j) == 0);
	FUZZ_CHECK(j.watches && j.path.set && j.path.len == 0);
	FUZZ_CHECK(!strcmp(j.event.s, "ready"));
	jfree(&j);
	out_free(&o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a block of exactly the input, plus the NUL a path has */
	char *in = fuzz_strndup(data, size);
	char err[256];
	err[0] = '\0';
	int r = out_check_format(in, err, sizeof err);
	FUZZ_CHECK(r == 0 || r == -1);
	if (r == 0)
		try_format(in, in, size);
	else
		FUZZ_CHECK(err[0] != '\0');
	try_text(in, size);
	try_json(in, size);
	free(in);
	return 0;
}
