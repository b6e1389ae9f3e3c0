/*
 * win_notify.c - see win_notify.h.
 *
 * FILE_NOTIFY_INFORMATION, little-endian, each record DWORD-aligned:
 *   uint32 NextEntryOffset (0 on the last), uint32 Action,
 *   uint32 FileNameLength (bytes), then that many bytes of UTF-16.
 * Read byte by byte, so alignment never matters.
 */
#include <stdlib.h>
#include <string.h>

#include "utf16.h"
#include "win_notify.h"

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Until wn_done(), a record's name is an offset into o->names. */
static struct fw_raw *
add(struct wn_out *o, int id, unsigned flags, uint32_t cookie, size_t off,
    size_t len)
{
	struct fw_raw *r;
	if (GROW(o->recs, o->cap, o->n + 1) < 0)
		return NULL;
	r = &o->recs[o->n++];
	r->id = id;
	r->flags = flags;
	r->cookie = cookie;
	r->name = (const char *)(uintptr_t)off;
	r->name_len = len;
	return r;
}

int
wn_parse(struct wn_out *o, int id, const void *buf, size_t len,
	 const char *dir, size_t dirlen, wn_isdir_fn isdir, void *ctx)
{
	const unsigned char *p = buf;
	size_t off = 0;
	uint16_t *u = NULL;
	size_t ucap = 0;
	int pending_old = -1; /* record index of an unpaired old name */

	while (off + 12 <= len) {
		uint32_t next = le32(p + off), action = le32(p + off + 4);
		uint32_t nb = le32(p + off + 8);
		/* Windows aligns records to 4 bytes, Wine does not: only
		 * what would read outside the buffer is refused */
		if (nb % 2 || nb > len - off - 12 ||
		    (next && (next < 12 + nb || next > len - off - 12)))
			goto bad;
		size_t nu = nb / 2;
		if (GROW(u, ucap, nu + 1) < 0)
			goto bad;
		for (size_t i = 0; i < nu; i++) /* unaligned-safe, LE */
			u[i] = (uint16_t)(p[off + 12 + 2 * i] |
					  p[off + 13 + 2 * i] << 8);
		/* the name, converted, after "DIR/" so isdir() sees a path */
		size_t start = o->names.len;
		if (buf_add(&o->names, dir, dirlen) < 0 ||
		    buf_add(&o->names, "/", 1) < 0 ||
		    GROW(o->names.p, o->names.cap, o->names.len + 3 * nu + 2) <
			    0)
			goto bad;
		size_t nlen = utf16_to_utf8(u, nu, o->names.p + o->names.len);
		char *name = o->names.p + o->names.len;
		for (size_t i = 0; i < nlen; i++)
			if (name[i] == '\\')
				name[i] = '/';
		o->names.len += nlen + 1; /* keep the NUL */
		size_t nameoff = start + dirlen + 1;

		unsigned f = 0;
		switch (action) {
		case WN_ADDED: f = BE_CREATE; break;
		case WN_REMOVED: f = BE_DELETE; break;
		case WN_MODIFIED: f = BE_MODIFY; break;
		case WN_RENAMED_OLD: f = BE_MOVED_FROM; break;
		case WN_RENAMED_NEW: f = BE_MOVED_TO; break;
		default: break; /* a newer Windows' action: skip */
		}
		if (pending_old >= 0 && !(f & BE_MOVED_TO)) {
			/* an old name with no new one after it: moved out of
			 * the watched tree */
			o->recs[pending_old].flags ^= BE_MOVED_FROM | BE_DELETE;
			pending_old = -1;
		}
		if (f & BE_MOVED_TO && pending_old < 0)
			f ^= BE_MOVED_TO | BE_CREATE; /* moved in */
		if (f & (BE_CREATE | BE_MOVED_TO) && isdir &&
		    isdir(ctx, o->names.p + start, dirlen + 1 + nlen))
			f |= BE_ISDIR;
		if (f & BE_MOVED_TO && pending_old >= 0) {
			o->recs[pending_old].cookie = ++o->cookie;
			if (!o->cookie)
				o->recs[pending_old].cookie = ++o->cookie;
			if (!add(o, id, f, o->cookie, nameoff, nlen))
				goto bad;
			/* the old name's record learns the new one's type */
			o->recs[pending_old].flags |= f & BE_ISDIR;
			pending_old = -1;
		} else if (f) {
			pending_old = f & BE_MOVED_FROM ? (int)o->n : -1;
			if (!add(o, id, f, 0, nameoff, nlen))
				goto bad;
		}
		if (!next)
			break;
		off += next;
	}
	if (pending_old >= 0)
		o->recs[pending_old].flags ^= BE_MOVED_FROM | BE_DELETE;
	free(u);
	return 0;
bad:
	free(u);
	return -1;
}

void
wn_done(struct wn_out *o)
{
	for (size_t i = 0; i < o->n; i++)
		o->recs[i].name = o->names.p + (size_t)(uintptr_t)o->recs[i].name;
}

void
wn_reset(struct wn_out *o)
{
	o->n = 0;
	o->names.len = 0;
}

void
wn_free(struct wn_out *o)
{
	free(o->recs);
	free(o->names.p);
	memset(o, 0, sizeof *o);
}
