/*
 * output.h - turning events into text, JSON Lines or a --format, and
 * --tail's bytes into headed text or JSON chunks, in a buffer that the
 * caller writes once per batch.
 */
#ifndef FWATCH_OUTPUT_H
#define FWATCH_OUTPUT_H

#include <stddef.h>

#include "watch.h"

enum out_mode { OUT_TEXT, OUT_JSON, OUT_FORMAT };

struct out {
	enum out_mode mode;
	int nul;         /* -0: NUL-terminated records, raw paths */
	const char *fmt; /* OUT_FORMAT, checked by out_check_format() */
	char *p;         /* the pending bytes */
	size_t len, cap;
	char iso[40];    /* the last time formatted, and for when */
	size_t iso_len;
	long long iso_sec;
	long iso_usec;
};

/* 0 if FMT is a valid --format; else -1 and a reason in err. */
int out_check_format(const char *fmt, char *err, size_t errlen);

/* Append one record.  -1 if memory ran out. */
int out_event(struct out *o, const struct fw_event *e);
/* Append the `ready` record. */
int out_ready(struct out *o, size_t watches, long long sec, long usec);

/* --tail (tail.c).  N bytes of room at the end of the buffer, for the
 * caller to fill and add to o->len; NULL if memory ran out. */
char *out_room(struct out *o, size_t n);
/* PATH escaped as in text records (one line whatever it holds). */
int out_path(struct out *o, const char *path, size_t n);
/* "==> PATH <==" on a line of its own, after an empty line unless it is
 * the FIRST, as tail(1) heads the bytes of one of several files. */
int out_header(struct out *o, const char *path, size_t n, int first);
/* One JSON object for N bytes of a followed file: in "data" if they are
 * TEXT (UTF-8 throughout), else in "data_b64".  -1 if memory ran out. */
int out_chunk(struct out *o, const char *path, size_t plen, const char *data,
	      size_t n, int text, long long sec, long usec);

void out_free(struct out *o);

#endif
