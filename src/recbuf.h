/*
 * recbuf.h - the records one read of a backend hands out (kqueue and the
 * poller, which make their records themselves): their names copied into
 * one buffer, since the listings they come from change before the core
 * reads them, and pointed at once the buffer stops moving.
 */
#ifndef FWATCH_RECBUF_H
#define FWATCH_RECBUF_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "strmap.h"

struct recbuf {
	struct fw_raw *recs;
	size_t *off;      /* each record's name in names, until done */
	size_t n, cap, capoff;
	struct buf names;
	int fail;         /* errno of the first record that could not be
			   * kept in this read (the caller says overflow) */
	uint32_t cookie;  /* the last cookie given out */
};

/* Start a read: no records, no failure (what was allocated stays). */
void recbuf_clear(struct recbuf *r);
void recbuf_add(struct recbuf *r, int id, unsigned flags, uint32_t cookie,
		const char *name, size_t len);
/* A cookie for the two halves of one rename: never 0. */
uint32_t recbuf_cookie(struct recbuf *r);
/* The names stop moving: point the records at them.  The count. */
size_t recbuf_done(struct recbuf *r);
void recbuf_free(struct recbuf *r);

#endif
