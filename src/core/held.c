/*
 * held.c - the files that file PATHs hold open (struct fw_file).
 *
 * A file PATH follows the file it is, not only its name: the file at
 * the name is held open (sys_file_*), so that what the records say of it
 * is measured on it even when they are read after it was renamed away,
 * deleted or replaced.  This file owns those objects: making one,
 * opening it (at once, or at the end of the read it came in), looking at
 * it, retiring it when it leaves its name, and the references that keep
 * it open: the watcher's, while it is a PATH's file or named by an event
 * of the batch being handed out, and its callers' (fw_file_keep(), for
 * --tail, which reads the rest of an old file after its rename).  The
 * policy, which file a record is about, is files.c's.
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"

/* A new file for PATH R, not open yet (pending), with the watcher's
 * reference; NULL if out of memory. */
struct fw_file *
held_new(fw_watcher *w, int r)
{
	struct fw_file *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->refs = 1;
	f->root = (size_t)r;
	f->pending = 1;
	info_unknown(&f->info);
	w->npending++;
	return f;
}

/* Open pending F at PATH now: held for reading with --tail, else only to
 * be looked at.  Not held (f->err says why), it is looked at by name
 * while it is its PATH's file. */
void
held_open(fw_watcher *w, struct fw_file *f, const char *path)
{
	if (!f->pending)
		return;
	f->pending = 0;
	w->npending--;
	if (!(f->h = sys_file_open(path, w->cfg.tail)))
		f->err = errno;
}

/* A pending F that will never be opened: the file it stood for was gone
 * before it could be (ENOENT). */
void
held_lost(fw_watcher *w, struct fw_file *f)
{
	if (!f->pending)
		return;
	f->pending = 0;
	w->npending--;
	f->err = ENOENT;
}

/* Look at F again, through its handle, or by the name BYNAME when it is
 * not held (NULL: it has no name to be looked at by); its size, or -1. */
int64_t
held_look(fw_watcher *w, struct fw_file *f, const char *byname)
{
	int r = -1;
	f->look_gen = w->take_gen;
	if (f->h)
		r = sys_file_info(f->h, &f->info);
	else if (byname && !f->pending)
		r = sys_stat(byname, &f->info);
	if (r < 0) {
		info_unknown(&f->info);
		return -1;
	}
	return f->info.size;
}

/* F is no longer the file at its PATH's name.  The watcher keeps it
 * until the batch that says so has been handed out (held_release()):
 * the events in it are about F, and a reader may still read it. */
void
held_retire(fw_watcher *w, struct fw_file *f)
{
	if (!f)
		return;
	f->next = w->retired;
	w->retired = f;
}

/* The batch naming the retired files has been handed out: the watcher
 * lets them go. */
void
held_release(fw_watcher *w)
{
	struct fw_file *f = w->retired, *next;
	w->retired = NULL;
	for (; f; f = next) {
		next = f->next;
		if (f->pending)
			held_lost(w, f);
		fw_file_drop(f);
	}
}

/* ---- what callers may do (watch.h) --------------------------------------- */

void
fw_file_keep(struct fw_file *f)
{
	f->refs++;
}

void
fw_file_drop(struct fw_file *f)
{
	if (f && --f->refs == 0) {
		sys_file_close(f->h);
		free(f);
	}
}

size_t
fw_file_pathno(const struct fw_file *f)
{
	return f->root;
}

int64_t
fw_file_size(struct fw_file *f)
{
	struct sys_info i;
	if (!f->h) {
		errno = f->err ? f->err : EBADF;
		return -1;
	}
	return sys_file_info(f->h, &i) < 0 ? -1 : i.size;
}

long long
fw_file_read(struct fw_file *f, int64_t off, void *buf, size_t n)
{
	if (!f->h) {
		errno = f->err ? f->err : EBADF;
		return -1;
	}
	return sys_file_read(f->h, off, buf, n);
}

int
fw_file_same(const struct fw_file *a, const struct fw_file *b)
{
	return a == b || (a->h && b->h && sys_file_same(a->h, b->h));
}
