/*
 * recbuf.c - the records of one read, with their names (recbuf.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "recbuf.h"

void
recbuf_clear(struct recbuf *r)
{
	r->n = 0;
	r->names.len = 0;
	r->fail = 0;
}

void
recbuf_add(struct recbuf *r, int id, unsigned flags, uint32_t cookie,
	   const char *name, size_t len)
{
	struct fw_raw *x;
	size_t off = r->names.len;
	if (r->fail)
		return;
	if (GROW(r->recs, r->cap, r->n + 1) < 0 ||
	    GROW(r->off, r->capoff, r->n + 1) < 0 ||
	    buf_add(&r->names, name, len) < 0) {
		r->fail = errno ? errno : ENOMEM;
		return;
	}
	r->names.len++; /* keep the NUL */
	x = &r->recs[r->n];
	x->id = id;
	x->flags = flags;
	x->cookie = cookie;
	x->name = NULL; /* set when the names stop moving */
	x->name_len = len;
	r->off[r->n++] = off;
}

uint32_t
recbuf_cookie(struct recbuf *r)
{
	if (!++r->cookie)
		r->cookie = 1;
	return r->cookie;
}

size_t
recbuf_done(struct recbuf *r)
{
	for (size_t i = 0; i < r->n; i++)
		r->recs[i].name = r->names.p + r->off[i];
	return r->n;
}

void
recbuf_free(struct recbuf *r)
{
	free(r->recs);
	free(r->off);
	free(r->names.p);
	memset(r, 0, sizeof *r);
}
