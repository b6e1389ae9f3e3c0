/*
 * tail.c - --tail: the bytes appended to each file PATH, printed exactly
 * once and in order, as the events of the watcher say they were written.
 *
 * The watcher holds each file PATH's file open and names, in each event,
 * the file it is about (watch.h, struct fw_file): the old file until its
 * rename or delete, then the new one.  This file keeps, per PATH, the
 * file it is printing (a reference of its own, so that it stays open)
 * and how much of it is out.  An event about another file means the
 * name moved on: the old file is read to its end through its handle,
 * then the new one from its start.  A file found shorter than what was
 * printed was truncated in place: it is printed again from its start.
 * The bytes go out as they are (headed like tail(1)'s when there are
 * several files), or cut into JSON chunks (tail_chunk.c, output.c).
 *
 * Hazards, which no follower can help: a truncation followed, before
 * the file is read, by writes past what was printed is not seen (the
 * bytes up to that length are skipped); bytes written to a rotated file
 * after the next one was read from are not printed; with logrotate's
 * copytruncate, bytes written between its copy and its truncate are in
 * neither file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys.h"
#include "tail.h"
#include "tail_chunk.h"

/* One read; past this much pending output, it is written out. */
#define READ_MAX (1024 * 1024)

struct tpath {
	const char *path;      /* as its events print it (the watcher's) */
	size_t len;
	int live;              /* a file PATH being followed */
	struct fw_file *f;     /* the file being printed (our reference) */
	int64_t off;           /* how much of it is out */
	struct fw_file *prev;  /* the one before it, until the batch ends, */
	int64_t prev_off;      /* in case it comes back (see adopt()) */
	int warned;            /* f cannot be read: said once */
};

struct tail {
	fw_watcher *w;
	struct tail_io io;
	int json, headers;
	struct tpath *p;
	size_t n;
	const struct tpath *last; /* whose bytes went out last (headers) */
	int headed;               /* a header was printed */
	char *buf;                /* the bytes read, READ_MAX */
	struct out msg;           /* a note being made */
	int64_t sec;              /* the time JSON chunks carry */
	long usec;
	uint64_t printed;
};

/* ---- what is said ----------------------------------------------------- */

/* "BEFORE 'PATH'AFTER" to the note or warning callback. */
static void
say(struct tail *t, int warn, const char *before, const struct tpath *tp,
    const char *after)
{
	void (*fn)(void *, const char *) = warn ? t->io.warn : t->io.note;
	char *end;
	t->msg.len = 0;
	if (!fn || out_path(&t->msg, before, strlen(before)) < 0 ||
	    out_path(&t->msg, "'", 1) < 0 ||
	    out_path(&t->msg, tp->path, tp->len) < 0 ||
	    out_path(&t->msg, "'", 1) < 0 ||
	    out_path(&t->msg, after, strlen(after)) < 0 ||
	    !(end = out_room(&t->msg, 1)))
		return;
	*end = '\0';
	fn(t->io.ctx, t->msg.p);
}

/* TP's file cannot be read (ERR): said once per file. */
static void
cannot_read(struct tail *t, struct tpath *tp, int err)
{
	char why[160];
	if (tp->warned)
		return;
	tp->warned = 1;
	if (err == ENOENT) {
		say(t, 1, "a file named ", tp, " was renamed away or deleted "
		    "before it could be opened: what was written to it is "
		    "not printed");
		return;
	}
	snprintf(why, sizeof why, ": %s; its bytes are not printed (the "
		 "next file under its name will be)", strerror(err));
	say(t, 1, "cannot read ", tp, why);
}

/* ---- printing --------------------------------------------------------- */

/* Write out what is pending if it is much: 0, or io.flush's stop. */
static int
maybe_flush(struct tail *t)
{
	return t->io.out->len >= READ_MAX && t->io.flush
		       ? t->io.flush(t->io.ctx)
		       : 0;
}

/* "==> path <==" when the bytes switch to TP's, with several files. */
static int
header(struct tail *t, const struct tpath *tp)
{
	if (!t->headers || t->last == tp)
		return 0;
	if (out_header(t->io.out, tp->path, tp->len, !t->headed) < 0)
		return -1;
	t->headed = 1;
	t->last = tp;
	return 0;
}

/* The N bytes at BUF, read from TP's file at its offset, as JSON chunks;
 * FINAL if they are the last the file will give.  How many went out (an
 * unfinished character waits), or -1. */
static long long
put_chunks(struct tail *t, struct tpath *tp, const char *buf, size_t n,
	   int final)
{
	size_t at = 0, c;
	int text;
	while (at < n && (c = chunk_next(buf + at, n - at, CHUNK_MAX, final,
					 &text))) {
		if (out_chunk(t->io.out, tp->path, tp->len, buf + at, c, text,
			      (long long)t->sec, t->usec) < 0)
			return -1;
		at += c;
	}
	return (long long)at;
}

/* TP's file gave nothing more at its offset: at its end, or shorter
 * than what was printed, truncated in place (1: then it is printed from
 * its start again). */
static int
truncated(struct tail *t, struct tpath *tp)
{
	int64_t size = fw_file_size(tp->f);
	if (size < 0 || size >= tp->off)
		return 0;
	say(t, 0, "", tp, " was truncated: printing it from its start");
	tp->off = 0;
	return 1;
}

/* The N bytes read at TP's offset into the output, as they are or as
 * JSON chunks (FINAL: the last the file will give).  How many went out
 * (half a character may wait), or -1. */
static long long
put(struct tail *t, struct tpath *tp, size_t n, int final)
{
	char *at;
	if (t->json)
		return put_chunks(t, tp, t->buf, n, final);
	if (header(t, tp) < 0 || !(at = out_room(t->io.out, n)))
		return -1;
	memcpy(at, t->buf, n);
	t->io.out->len += n;
	return (long long)n;
}

/*
 * TP's file, from where it is to its end; FINAL when it is done with
 * (half a character at its end goes out too).  A read that fills less
 * than the buffer is the end for now: one read per event when the file
 * grows by little, and a look at its size only when it gave nothing.
 * 0, -1 with errno, or io.flush's stop.
 */
static int
read_on(struct tail *t, struct tpath *tp, int final)
{
	long long got, out;
	int r;
	while (tp->f) {
		got = fw_file_read(tp->f, tp->off, t->buf, READ_MAX);
		if (got < 0) {
			cannot_read(t, tp, errno);
			return 0;
		}
		if (!got) {
			if (truncated(t, tp))
				continue;
			return 0;
		}
		if ((out = put(t, tp, (size_t)got, final && got < READ_MAX)) < 0)
			return -1;
		tp->off += out;
		t->printed += (uint64_t)out;
		if ((r = maybe_flush(t)) || out < got || got < READ_MAX)
			return r; /* or half a character waits, or at the end */
	}
	return 0;
}

/*
 * The name moved on: events are about F now.  The old file is read to
 * its end first.  F may be the same file as the one before (opened
 * anew), or come back: when a name was rotated twice between two reads
 * and a read ended in between, the watcher first took the newer file
 * for the one that came, then found the one in between where it went;
 * each is printed on from where it was.
 */
static int
adopt(struct tail *t, struct tpath *tp, struct fw_file *f)
{
	int64_t off = 0;
	int r;
	if (tp->f && fw_file_same(tp->f, f)) {
		fw_file_keep(f);
		fw_file_drop(tp->f);
		tp->f = f;
		return 0;
	}
	if ((r = read_on(t, tp, 1)))
		return r;
	if (tp->prev && fw_file_same(tp->prev, f))
		off = tp->prev_off;
	fw_file_drop(tp->prev);
	tp->prev = tp->f;
	tp->prev_off = tp->off;
	fw_file_keep(f);
	tp->f = f;
	tp->off = off;
	tp->warned = 0;
	return 0;
}

/* Event E, about file PATH TP. */
static int
follow(struct tail *t, struct tpath *tp, const struct fw_event *e)
{
	int r;
	if (e->file != tp->f && (r = adopt(t, tp, e->file)))
		return r;
	if ((r = read_on(t, tp, e->kind == FW_DELETE)))
		return r;
	if (e->kind == FW_DELETE) {
		/* read to its end: let go, or its space stays taken */
		fw_file_drop(tp->f);
		tp->f = NULL;
	}
	return 0;
}

/* ---- the public face -------------------------------------------------- */

int
tail_batch(struct tail *t, const struct fw_event *evs, int n)
{
	int r = 0;
	for (int i = 0; i < n && !r; i++) {
		size_t k;
		if (!evs[i].file || (k = fw_file_pathno(evs[i].file)) >= t->n ||
		    !t->p[k].live)
			continue;
		t->sec = evs[i].sec;
		t->usec = evs[i].usec;
		r = follow(t, &t->p[k], &evs[i]);
	}
	/* a file left behind in this batch does not come back later */
	for (size_t k = 0; k < t->n; k++) {
		fw_file_drop(t->p[k].prev);
		t->p[k].prev = NULL;
	}
	return r;
}

int
tail_start(struct tail *t, int from_start)
{
	int r = 0;
	sys_now(&t->sec, &t->usec);
	for (size_t k = 0; k < t->n && !r; k++) {
		struct tpath *tp = &t->p[k];
		int64_t size;
		if (!tp->live)
			continue;
		if (!tp->f) {
			say(t, 0, "", tp, " does not exist yet: waiting for it");
			continue;
		}
		if (!from_start)
			tp->off = (size = fw_file_size(tp->f)) < 0 ? 0 : size;
		else
			r = read_on(t, tp, 0);
	}
	return r;
}

int
tail_finish(struct tail *t)
{
	int r = 0;
	for (size_t k = 0; k < t->n && !r; k++)
		r = read_on(t, &t->p[k], 1);
	return r;
}

uint64_t
tail_printed(const struct tail *t)
{
	return t->printed;
}

struct tail *
tail_new(fw_watcher *w, const struct tail_io *io, int json)
{
	struct tail *t = calloc(1, sizeof *t);
	const char *path;
	struct fw_file *f;
	size_t files = 0;
	int k;
	if (!t)
		return NULL;
	t->w = w;
	t->io = *io;
	t->json = json;
	while (fw_path_file(w, t->n, &path, &f) >= 0)
		t->n++;
	if (!(t->p = calloc(t->n ? t->n : 1, sizeof *t->p)) ||
	    !(t->buf = malloc(READ_MAX))) {
		tail_free(t);
		return NULL;
	}
	for (size_t i = 0; i < t->n; i++) {
		if ((k = fw_path_file(w, i, &path, &f)) != 1)
			continue;
		t->p[i].live = 1;
		t->p[i].path = path;
		t->p[i].len = strlen(path);
		if ((t->p[i].f = f))
			fw_file_keep(f);
		files++;
	}
	t->headers = !json && files > 1;
	return t;
}

void
tail_free(struct tail *t)
{
	if (!t)
		return;
	for (size_t k = 0; t->p && k < t->n; k++) {
		fw_file_drop(t->p[k].f);
		fw_file_drop(t->p[k].prev);
	}
	free(t->p);
	free(t->buf);
	out_free(&t->msg);
	free(t);
}
