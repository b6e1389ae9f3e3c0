/*
 * test_tail_chunk.c - where --tail --json cuts a file's bytes into
 * chunks (tail_chunk.c) and what counts as unfinished UTF-8 (utf8.c):
 * cases written out, then every cut of generated logs checked for the
 * rules.  Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/tail_chunk.h"
#include "../../src/utf8.h"

static int failed, count;

static void
ok(int cond, const char *what)
{
	count++;
	if (!cond)
		failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", count, what);
}

/* The chunks of S (N bytes; strlen if N is 0) as "LEN:t" or "LEN:b",
 * joined by spaces; what is left unfinished as "(LEN)". */
static const char *
cuts(const char *s, size_t n, size_t max, int final)
{
	static char out[512];
	size_t k = 0, at = 0;
	int text;
	if (!n)
		n = strlen(s);
	out[0] = '\0';
	while (at < n) {
		size_t c = chunk_next(s + at, n - at, max, final, &text);
		if (!c)
			break;
		k += (size_t)snprintf(out + k, sizeof out - k, "%s%zu:%c",
				      k ? " " : "", c, text ? 't' : 'b');
		at += c;
	}
	if (at < n)
		snprintf(out + k, sizeof out - k, "%s(%zu)", k ? " " : "",
			 n - at);
	return out;
}

static void
is(const char *got, const char *want, const char *what)
{
	ok(!strcmp(got, want), what);
	if (strcmp(got, want))
		printf("#   got '%s', want '%s'\n", got, want);
}

static void
unfinished(void)
{
	static const struct {
		const char *s;
		size_t want;
		const char *what;
	} t[] = {
		{ "abc", 0, "ASCII is finished" },
		{ "a\xc3", 1, "a two-byte lead alone is unfinished" },
		{ "a\xe2\x82", 2, "two bytes of three are" },
		{ "\xf0\x9f\x98", 3, "three bytes of four are" },
		{ "\xe2\x82\xac", 0, "a whole character is not" },
		{ "\x80", 0, "a lone continuation byte is wrong, not unfinished" },
		{ "\xe0\x80", 0, "E0 80 can only be overlong: wrong" },
		{ "\xed\xa0", 0, "ED A0 can only be a surrogate: wrong" },
		{ "\xf4\x90", 0, "F4 90 is past U+10FFFF: wrong" },
		{ "\xf0\x80", 0, "F0 80 can only be overlong: wrong" },
		{ "\xc3\x41", 0, "a lead then ASCII is wrong" },
		{ "\xff", 0, "FF starts nothing" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		ok(utf8_unfinished((const unsigned char *)t[i].s,
				   strlen(t[i].s)) == t[i].want,
		   t[i].what);
}

static void
cases(void)
{
	is(cuts("hello\n", 0, 64, 0), "6:t", "a line: one text chunk");
	is(cuts("ab\xe2\x82", 0, 64, 0), "2:t (2)",
	   "a character half written waits for the rest");
	is(cuts("ab\xe2\x82", 0, 64, 1), "4:b",
	   "unless the file is done with: then its line is not text");
	is(cuts("\xe2", 0, 64, 0), "(1)", "nothing but half a character: 0");
	is(cuts("aaa\nbbbb", 0, 6, 0), "4:t 4:t",
	   "cut short: after the last newline");
	is(cuts("aaaaaaaa", 0, 4, 0), "4:t 4:t", "no newline: at the limit");
	is(cuts("a\xc3\xa9\xe2\x82\xac", 0, 4, 0), "3:t 3:t",
	   "never inside a character at the limit");
	is(cuts("one\nbad\xff line\nthree\n", 0, 64, 0), "4:t 10:b 6:t",
	   "a line holding a byte that is not UTF-8 goes alone in base64");
	is(cuts("ok \xff\xfe", 0, 64, 0), "5:b",
	   "text, then not, with no newline: the whole line is not text");
	is(cuts("\xc0\x80x\n", 0, 64, 0), "4:b", "overlong: not text");
	is(cuts("\xed\xa0\x80\n", 0, 64, 0), "4:b", "a surrogate: not text");
	is(cuts("\xed\xa0", 0, 64, 0), "2:b",
	   "a prefix that can never be valid is not kept waiting");
	is(cuts("\xff\xe2\x82\xac\xe2\x82\xac", 0, 5, 0), "4:b 3:t",
	   "not text cut short: not inside a character");
	is(cuts("x\0y\n", 4, 64, 0), "4:t", "NUL is text (JSON escapes it)");
}

/* Every chunk of generated logs: they add up to the input, text chunks
 * are UTF-8 throughout, none ends inside a character (unless base64
 * has nothing better), only an unfinished end is left. */
static void
generated(void)
{
	static const char *pieces[] = { "line of text\n", "\xc3\xa9", "\xe2\x82\xac",
					"\xf0\x9f\x98\x80", "\xff", "\n", "\x80",
					"\xe2\x82", "abc" };
	char buf[4096];
	int bad = 0, tries = 0;
	srand(16);
	for (int round = 0; round < 2000; round++) {
		size_t n = 0, at = 0, max = 4 + (size_t)(rand() % 40);
		int final = rand() & 1;
		while (n < 3000) {
			const char *p = pieces[rand() % 9];
			memcpy(buf + n, p, strlen(p));
			n += strlen(p);
		}
		for (;;) {
			int text;
			size_t c = chunk_next(buf + at, n - at, max, final, &text);
			tries++;
			if (!c)
				break;
			if (c > max)
				bad++;
			for (size_t i = at; text && i < at + c;) {
				size_t l = utf8_len((unsigned char *)buf + i,
						    at + c - i);
				if (!l) {
					bad++;
					break;
				}
				i += l;
			}
			at += c;
			if (at == n)
				break;
		}
		if (at != n && (final || utf8_unfinished((unsigned char *)buf,
							  n) != n - at))
			bad++;
	}
	ok(!bad && tries > 2000, "2,000 generated logs: the chunks add up, "
				 "text is UTF-8, only an unfinished end waits");
}

int
main(void)
{
	unfinished();
	cases();
	generated();
	printf("1..%d\n", count);
	return failed != 0;
}
