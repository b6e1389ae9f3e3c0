/*
 * output.c - records for text, JSON Lines and --format; and for --tail,
 * the headers between files and the JSON chunks of their bytes.
 *
 * Every record is built in one growing buffer; nothing here writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "utf8.h"

/* Room for N more bytes (a buffer even for none: o->p is never NULL
 * after it). */
static int
reserve(struct out *o, size_t n)
{
	if (o->len + n <= o->cap && o->p)
		return 0;
	size_t nc = o->cap ? o->cap : 4096;
	while (nc < o->len + n)
		nc *= 2;
	char *np = realloc(o->p, nc);
	if (!np)
		return -1;
	o->p = np;
	o->cap = nc;
	return 0;
}

static int
put(struct out *o, const char *s, size_t n)
{
	if (reserve(o, n) < 0)
		return -1;
	memcpy(o->p + o->len, s, n);
	o->len += n;
	return 0;
}

static int
puts_(struct out *o, const char *s)
{
	return put(o, s, strlen(s));
}

static const char hex[] = "0123456789abcdef";

/* Bytes that cannot be copied as they are: 1 in text, 2 in JSON (where
 * bytes >= 0x80 go through the UTF-8 check one sequence at a time). */
static const unsigned char special[256] = {
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* How many bytes from S need no escaping; copying such runs whole is
 * most of what output costs in a burst. */
static size_t
plain_run(const char *s, size_t n, unsigned kind)
{
	size_t i = 0;
	while (i < n && !(special[(unsigned char)s[i]] & kind))
		i++;
	return i;
}

/* A path in line-terminated output: one record must stay one line. */
static int
put_path(struct out *o, const char *s, size_t n)
{
	if (o->nul)
		return put(o, s, n);
	if (reserve(o, n * 4) < 0)
		return -1;
	char *d = o->p + o->len;
	for (size_t i = 0; i < n; i++) {
		size_t run = plain_run(s + i, n - i, 1);
		memcpy(d, s + i, run);
		d += run;
		if ((i += run) == n)
			break;
		unsigned char c = (unsigned char)s[i];
		*d++ = '\\';
		switch (c) {
		case '\\': *d++ = '\\'; break;
		case '\n': *d++ = 'n'; break;
		case '\t': *d++ = 't'; break;
		case '\r': *d++ = 'r'; break;
		default:
			*d++ = 'x';
			*d++ = hex[c >> 4];
			*d++ = hex[c & 15];
		}
	}
	o->len = (size_t)(d - o->p);
	return 0;
}

/* A JSON string; returns 1 if bytes had to be replaced (not UTF-8). */
static int
put_json_str(struct out *o, const char *str, size_t n, int *lossy)
{
	const unsigned char *s = (const unsigned char *)str;
	if (reserve(o, n * 6 + 2) < 0)
		return -1;
	char *d = o->p + o->len;
	*d++ = '"';
	for (size_t i = 0; i < n;) {
		size_t run = plain_run(str + i, n - i, 2);
		memcpy(d, s + i, run);
		d += run;
		if ((i += run) == n)
			break;
		unsigned char c = s[i];
		if (c >= 0x80) {
			size_t l = utf8_len(s + i, n - i);
			if (l) {
				memcpy(d, s + i, l);
				d += l;
				i += l;
			} else {
				memcpy(d, "\xef\xbf\xbd", 3); /* U+FFFD */
				d += 3;
				i++;
				*lossy = 1;
			}
			continue;
		}
		i++;
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
			*d++ = (char)c;
			continue;
		}
		*d++ = '\\';
		switch (c) {
		case '"': *d++ = '"'; break;
		case '\\': *d++ = '\\'; break;
		case '\n': *d++ = 'n'; break;
		case '\t': *d++ = 't'; break;
		case '\r': *d++ = 'r'; break;
		case '\b': *d++ = 'b'; break;
		case '\f': *d++ = 'f'; break;
		default:
			memcpy(d, "u00", 3);
			d += 3;
			*d++ = hex[c >> 4];
			*d++ = hex[c & 15];
		}
	}
	*d++ = '"';
	o->len = (size_t)(d - o->p);
	return 0;
}

static int
put_b64(struct out *o, const char *str, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)str;
	if (reserve(o, (n + 2) / 3 * 4 + 2) < 0)
		return -1;
	char *d = o->p + o->len;
	*d++ = '"';
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		*d++ = tab[v >> 18];
		*d++ = tab[(v >> 12) & 63];
		*d++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		*d++ = i + 2 < n ? tab[v & 63] : '=';
	}
	*d++ = '"';
	o->len = (size_t)(d - o->p);
	return 0;
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void
civil(long long days, int *y, int *m, int *d)
{
	long long z = days + 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Write V as exactly W decimal digits at D. */
static char *
digits(char *d, unsigned long v, int w)
{
	for (int i = w - 1; i >= 0; i--, v /= 10)
		d[i] = (char)('0' + v % 10);
	return d + w;
}

static int
put_iso(struct out *o, long long sec, long usec)
{
	/* events of one batch share their time: format it once */
	if (o->iso_len && sec == o->iso_sec && usec == o->iso_usec)
		return put(o, o->iso, o->iso_len);
	long long days = sec / 86400, rem = sec % 86400;
	int y, mo, d;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil(days, &y, &mo, &d);
	if (y < 0 || y > 9999 || usec < 0 || usec > 999999)
		y = 0, mo = 1, d = 1, rem = 0, usec = 0; /* not a clock time */
	/* snprintf here cost more than the rest of a JSON record */
	char *b = o->iso;
	b = digits(b, (unsigned long)y, 4);
	*b++ = '-';
	b = digits(b, (unsigned long)mo, 2);
	*b++ = '-';
	b = digits(b, (unsigned long)d, 2);
	*b++ = 'T';
	b = digits(b, (unsigned long)(rem / 3600), 2);
	*b++ = ':';
	b = digits(b, (unsigned long)(rem / 60 % 60), 2);
	*b++ = ':';
	b = digits(b, (unsigned long)(rem % 60), 2);
	*b++ = '.';
	b = digits(b, (unsigned long)usec, 6);
	*b++ = 'Z';
	o->iso_len = (size_t)(b - o->iso);
	o->iso_sec = sec;
	o->iso_usec = usec;
	return put(o, o->iso, o->iso_len);
}

static int
end_record(struct out *o)
{
	return put(o, o->nul ? "" : "\n", 1);
}

int
out_check_format(const char *fmt, char *err, size_t errlen)
{
	if (!*fmt) {
		snprintf(err, errlen, "empty (every record would be an empty "
			 "line; try '%%e %%p')");
		return -1;
	}
	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		if (!*p) {
			snprintf(err, errlen, "dangling '%%' at the end "
				 "(use %%%% for a literal %%)");
			return -1;
		}
		if (!strchr("epofwrtsy%", *p)) {
			unsigned char c = (unsigned char)*p;
			size_t n = c >= 0x80 ? utf8_len((const unsigned char *)p,
							  strlen(p))
					     : 0;
			/* never half a UTF-8 character, nor a control byte */
			if (n)
				snprintf(err, errlen, "unknown directive '%%%.*s' "
					 "(use %%%% for a literal %%)", (int)n, p);
			else if (c < 0x20 || c >= 0x7f)
				snprintf(err, errlen, "unknown directive '%%' "
					 "followed by byte \\x%02x (use %%%% for "
					 "a literal %%)", c);
			else
				snprintf(err, errlen, "unknown directive '%%%c' "
					 "(use %%%% for a literal %%)", c);
			return -1;
		}
	}
	return 0;
}

static const char *
last_part(const char *p, size_t n, size_t *len)
{
	size_t i = n;
	while (i > 1 && p[i - 1] == '/')
		i--;
	size_t end = i;
	while (i > 0 && p[i - 1] != '/')
		i--;
	*len = end - i;
	return p + i;
}

static int
put_format(struct out *o, const struct fw_event *e, size_t watches)
{
	int r = 0;
	size_t n;
	const char *s;
	for (const char *p = o->fmt; *p && !r; p++) {
		if (*p == '\\' && p[1]) {
			static const char from[] = "nt\\0", to[] = "\n\t\\";
			const char *k = strchr(from, p[1]);
			if (k) {
				r = put(o, k == from + 3 ? "" : to + (k - from), 1);
				p++;
				continue;
			}
		}
		if (*p != '%') {
			r = put(o, p, 1);
			continue;
		}
		switch (*++p) {
		case 'e': r = puts_(o, fw_kind_name(e->kind)); break;
		case 'p': r = put_path(o, e->path, e->path_len); break;
		case 'o':
			if (e->old_path)
				r = put_path(o, e->old_path, e->old_len);
			break;
		case 'f':
			s = last_part(e->path, e->path_len, &n);
			r = put_path(o, s, n);
			break;
		case 'w':
			if (e->root)
				r = put_path(o, e->root, strlen(e->root));
			break;
		case 'r':
			r = put_path(o, e->path + e->rel, e->path_len - e->rel);
			break;
		case 't': r = put_iso(o, e->sec, e->usec); break;
		case 's': {
			char b[40];
			int k = snprintf(b, sizeof b, "%lld.%06ld",
					 (long long)e->sec, e->usec);
			r = put(o, b, (size_t)k);
			break;
		}
		case 'y':
			if (e->path_len)
				r = puts_(o, e->flags & FW_EV_DIR ? "dir" : "file");
			break;
		default: r = put(o, "%", 1); break;
		}
	}
	(void)watches;
	return r ? r : end_record(o);
}

static int
put_json(struct out *o, const struct fw_event *e, size_t watches)
{
	int lossy = 0, olossy = 0, r;
	r = puts_(o, "{\"time\":\"");
	r |= put_iso(o, e->sec, e->usec);
	r |= puts_(o, "\",\"event\":\"");
	r |= puts_(o, fw_kind_name(e->kind));
	r |= puts_(o, "\",\"path\":");
	r |= put_json_str(o, e->path, e->path_len, &lossy);
	if (e->old_path) {
		r |= puts_(o, ",\"old_path\":");
		r |= put_json_str(o, e->old_path, e->old_len, &olossy);
	}
	r |= puts_(o, e->flags & FW_EV_DIR ? ",\"dir\":true" : ",\"dir\":false");
	if (lossy) {
		r |= puts_(o, ",\"path_b64\":");
		r |= put_b64(o, e->path, e->path_len);
	}
	if (olossy) {
		r |= puts_(o, ",\"old_path_b64\":");
		r |= put_b64(o, e->old_path, e->old_len);
	}
	if (e->flags & FW_EV_RESCAN)
		r |= puts_(o, ",\"rescan\":true");
	if (e->flags & FW_EV_REPLACED)
		r |= puts_(o, ",\"replaced\":true");
	if (e->size >= 0) {
		char b[32];
		int k = snprintf(b, sizeof b, ",\"size\":%lld",
				 (long long)e->size);
		r |= put(o, b, (size_t)k);
	}
	if (e->kind == FW_READY) {
		char b[32];
		int k = snprintf(b, sizeof b, ",\"watches\":%zu", watches);
		r |= put(o, b, (size_t)k);
	}
	r |= puts_(o, "}");
	return r ? -1 : end_record(o);
}

static int
record(struct out *o, const struct fw_event *e, size_t watches)
{
	size_t start = o->len;
	int r;
	switch (o->mode) {
	case OUT_JSON:
		r = put_json(o, e, watches);
		break;
	case OUT_FORMAT:
		r = put_format(o, e, watches);
		break;
	default:
		r = puts_(o, fw_kind_name(e->kind));
		if (!r && e->kind == FW_RENAME) {
			r = put(o, " ", 1) ||
			    put_path(o, e->old_path, e->old_len) ||
			    put(o, " -> ", 4);
		} else if (!r && e->path_len) {
			r = put(o, " ", 1);
		}
		if (!r)
			r = put_path(o, e->path, e->path_len);
		if (!r)
			r = end_record(o);
	}
	if (r)
		o->len = start; /* never half a record */
	return r ? -1 : 0;
}

/* ---- --tail: the files' bytes ------------------------------------------ */

char *
out_room(struct out *o, size_t n)
{
	return reserve(o, n) < 0 ? NULL : o->p + o->len;
}

int
out_path(struct out *o, const char *path, size_t n)
{
	return put_path(o, path, n);
}

int
out_header(struct out *o, const char *path, size_t n, int first)
{
	size_t start = o->len;
	if ((!first && put(o, "\n", 1) < 0) || put(o, "==> ", 4) < 0 ||
	    put_path(o, path, n) < 0 || put(o, " <==\n", 5) < 0) {
		o->len = start;
		return -1;
	}
	return 0;
}

int
out_chunk(struct out *o, const char *path, size_t plen, const char *data,
	  size_t n, int text, long long sec, long usec)
{
	size_t start = o->len;
	int lossy = 0, r, dummy = 0;
	r = puts_(o, "{\"time\":\"");
	r |= put_iso(o, sec, usec);
	r |= puts_(o, "\",\"path\":");
	r |= put_json_str(o, path, plen, &lossy);
	if (lossy) {
		r |= puts_(o, ",\"path_b64\":");
		r |= put_b64(o, path, plen);
	}
	/* text is UTF-8 throughout (tail_chunk.c checked): nothing is
	 * replaced; anything else goes whole in base64 */
	r |= puts_(o, text ? ",\"data\":" : ",\"data_b64\":");
	r |= text ? put_json_str(o, data, n, &dummy) : put_b64(o, data, n);
	r |= puts_(o, "}\n");
	if (r) {
		o->len = start; /* never half a record */
		return -1;
	}
	return 0;
}

int
out_event(struct out *o, const struct fw_event *e)
{
	return record(o, e, 0);
}

int
out_ready(struct out *o, size_t watches, long long sec, long usec)
{
	struct fw_event e;
	memset(&e, 0, sizeof e);
	e.size = -1;
	e.kind = FW_READY;
	e.path = "";
	e.sec = sec;
	e.usec = usec;
	return record(o, &e, watches);
}

void
out_free(struct out *o)
{
	free(o->p);
	o->p = NULL;
	o->len = o->cap = 0;
}
