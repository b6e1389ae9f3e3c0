/*
 * files.c - PATHs that are files.
 *
 * A file PATH is watched through its directory (a node marked hidden,
 * unless that directory is watched anyway) and its name there, never
 * through an inode that a save can replace, so a save by rename, a log
 * rotation or a delete and a new file do not end the watch.  And it is
 * followed by the file it is: the file at the name is held open
 * (held.c), and a record is measured on the file it is about, the old
 * one until its rename or delete, however late the record is read.
 * This file owns adding one, the records of its directory (only the
 * PATHs' names matter), which file each is about, their events with
 * that file's size, what left and came back within one read, the look
 * after an overflow; and the backend's question whether anything about
 * a file is wanted at all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* ---- what the backend asks ---------------------------------------------- */

/* Is NAME the one name the directory being watched is asked about? */
static int
asked_only(const fw_watcher *w, const char *name, size_t len)
{
	return w->ask.only && w->ask.only_len == len &&
	       !memcmp(w->ask.only, name, len);
}

/* be_env.file_wanted: is anything about file NAME in watch ID reported?
 * Hazard: called from inside the backend, in the middle of a scan: it
 * touches no buffer but its own. */
static int
file_wanted(void *ctx, int id, const char *name, size_t len)
{
	fw_watcher *w = ctx;
	int n = id_get(w, id), root;
	size_t rel;
	if (n >= 0 && w->nodes[n].hidden)
		return file_named(w, n, name, len) >= 0 ||
		       asked_only(w, name, len);
	/* a .gitignore rules what is beside it, whatever is said of it */
	if (w->gi.git && len == 10 && !memcmp(name, ".gitignore", 10))
		return 1;
	if (n >= 0) {
		if ((root = node_path(w, n, name, len, &w->askbuf, &rel)) < 0)
			return 1;
	} else if (w->ask.path) {
		if (w->ask.only)
			return asked_only(w, name, len);
		w->askbuf.len = 0;
		rel = w->ask.rel;
		root = w->ask.root;
		if (buf_add(&w->askbuf, w->ask.path, strlen(w->ask.path)) < 0 ||
		    buf_add(&w->askbuf, "/", 1) < 0 ||
		    buf_add(&w->askbuf, name, len) < 0)
			return 1;
		if (rel < w->askbuf.len && w->askbuf.p[rel] == '/')
			rel++;
	} else {
		return 1;
	}
	return shown(w, root, w->askbuf.p, w->askbuf.len, rel, 0);
}

/* What the core lends the backend at open. */
void
files_lend(fw_watcher *w, struct be_env *env)
{
	env->file_wanted = file_wanted;
	env->ctx = w;
}

/* The directory of a file PATH, watched for the one name in it. */
static int
watch_file_dir(fw_watcher *w, const char *pdir, const char *name, size_t nl)
{
	int id;
	w->ask.path = pdir;
	w->ask.only = name;
	w->ask.only_len = nl;
	id = w->ops->watch(w->be, pdir, w->want | BE_ONLYDIR | BE_FOLLOW |
					       blind_want(w, pdir, pdir));
	w->ask.path = w->ask.only = NULL;
	return id;
}

/* ---- looking and reporting ---------------------------------------------- */

/* The file PATH called NAME in directory node N, or -1. */
int
file_named(const fw_watcher *w, int n, const char *name, size_t len)
{
	for (int fr = w->nodes[n].froot; fr >= 0; fr = w->roots[fr].file->fnext)
		if (w->roots[fr].file->fnlen == len &&
		    !memcmp(w->roots[fr].file->fname, name, len))
			return fr;
	return -1;
}

/* Look at file PATH FR's file again: its size, -1 if it is not there,
 * SIZE_LATER if it is opened at the end of this read. */
int64_t
file_look(fw_watcher *w, int fr)
{
	struct fpath *fp = w->roots[fr].file;
	struct sys_info i;
	if (fp->cur && fp->cur->pending)
		return SIZE_LATER;
	if (fp->cur)
		return held_look(w, fp->cur, fp->real);
	/* no file object (memory ran out: a rescan follows): by name */
	return sys_stat(fp->real, &i) < 0 ? -1 : i.size;
}

/* Report KIND on file PATH FR, about its file now, with its SIZE (-1:
 * none; SIZE_LATER for a file opened at the end of the read). */
void
file_emit(fw_watcher *w, int fr, enum fw_kind kind, unsigned flags,
	  int64_t size)
{
	const char *p = w->roots[fr].self;
	struct fw_file *f = w->roots[fr].file->cur;
	size_t len = strlen(p);
	int last, i;
	flags |= FW_EV_ROOT;
	if (!wanted(w, kind, flags, fr, p, len, len))
		return;
	/* many writes in one batch: one event, with the last size */
	last = smap_get(&w->seen, p, len);
	if (last >= 0 && w->ev[last].kind == kind && kind != FW_RENAME &&
	    w->ev[last].file == f &&
	    (w->ev[last].flags | FW_EV_REPLACED) == (flags | FW_EV_REPLACED)) {
		/* "replaced" then a write of the new file: still one
		 * modify, and the reader must still start over */
		w->ev[last].flags |= flags;
		w->ev[last].size = size;
		return;
	}
	i = append(w, kind, flags, fr, p, len, len);
	if (i >= 0) {
		w->ev[i].size = size;
		w->ev[i].file = f;
	}
}

/* File F was opened at last (or never will be): the sizes of the events
 * of this batch about it, which waited for it. */
static void
sizes_later(fw_watcher *w, struct fw_file *f, const char *byname)
{
	int64_t size = held_look(w, f, byname);
	for (size_t i = 0; i < w->nev; i++)
		if (w->ev[i].file == f && w->ev[i].size == SIZE_LATER)
			w->ev[i].size = size;
}

/* The file at file PATH FR's name is another one from now on: the old
 * one is retired, the new one opened at the end of the read, when the
 * records of the whole read are known (a name rotated twice within one
 * read names three files, and the second is found where it went). */
static void
file_renew(fw_watcher *w, int fr)
{
	struct fpath *fp = w->roots[fr].file;
	held_retire(w, fp->cur);
	if (!(fp->cur = held_new(w, fr)))
		lost(w); /* a rescan looks again */
}

/* ---- records of a file PATH's directory ----------------------------------- */

/* Record R says NAME came into directory N by a rename: the new name of
 * a file PATH that left it in this read?  Then that was a rename (a log
 * rotated, or one file PATH renamed onto another); 1 if it was. */
static int
file_renamed(fw_watcher *w, int n, const struct fw_raw *r)
{
	for (int fr = w->nodes[n].froot; fr >= 0; fr = w->roots[fr].file->fnext) {
		struct fpath *fp = w->roots[fr].file;
		if (!fp->left || !fp->cookie || fp->cookie != r->cookie ||
		    fp->left_ev < 0)
			continue;
		w->scratch.len = 0;
		if (buf_add(&w->scratch, fp->sib, fp->siblen) < 0 ||
		    buf_add(&w->scratch, r->name, r->name_len) < 0) {
			lost(w);
			return 0;
		}
		if (become_rename(w, fp->left_ev, fr, w->scratch.p,
				  w->scratch.len, w->scratch.len) < 0)
			return 0;
		/* a file that came and went before it could be opened: it
		 * is at its new name now, unless it moved on again */
		struct fw_file *f = w->ev[fp->left_ev].file;
		if (f && f->pending) {
			held_open(w, f, w->scratch.p);
			sizes_later(w, f, NULL);
		}
		fp->cookie = 0;
		fp->left_ev = -1; /* a rename now, no longer a delete */
		return 1;
	}
	return 0;
}

/* The directory went, and the names in it with it. */
static void
file_dir_event(fw_watcher *w, int n, unsigned f)
{
	if (!(f & (BE_SELF_DELETE | BE_SELF_MOVE | BE_IGNORED | BE_UNMOUNT)))
		return;
	for (int fr = w->nodes[n].froot; fr >= 0; fr = w->roots[fr].file->fnext)
		if (!w->roots[fr].gone && w->roots[fr].file->present)
			file_emit(w, fr, f & BE_UNMOUNT ? FW_UNMOUNT : FW_DELETE,
				  0, -1);
	subtree_free(w, n, !(f & BE_IGNORED));
}

/* Is the record R of a rename away from file PATH FP's name about a file
 * before the one held?  When a name was rotated twice between two
 * reads, and a read ended between the records of the first rotation,
 * the file opened for its "create" was the newer one, still at the
 * name: the one renamed now was never held. */
static int
left_before(const struct fpath *fp, const struct fw_raw *r)
{
	const struct fw_file *f = fp->cur;
	return (r->flags & BE_MOVED_FROM) && f && f->h &&
	       sys_file_is(f->h, fp->real) == 1;
}

/* File PATH FR's name was deleted or renamed away by record R: a delete
 * where it happened, unless its new name follows in this read.  The
 * file that left is retired: the event is about it, and whoever reads
 * it may read it to its end. */
static void
file_left(fw_watcher *w, int fr, const struct fw_raw *r)
{
	struct root *rt = &w->roots[fr];
	struct fpath *fp = rt->file;
	size_t len = strlen(rt->self);
	struct fw_file *f = fp->cur;
	if (!fp->present)
		return;
	if (left_before(fp, r)) {
		/* a file never held: found where it went (file_renamed),
		 * if it is still there; the one held comes next */
		if (!(f = held_new(w, fr)))
			lost(w);
		fp->ahead = 1;
	} else {
		fp->cur = NULL;
	}
	fp->present = 0;
	if (!fp->left)
		w->nleft++;
	fp->left = 1;
	fp->cookie = r->flags & BE_MOVED_FROM ? r->cookie : 0;
	fp->left_ev = append(w, FW_DELETE, FW_EV_ROOT, fr, rt->self, len, len);
	if (fp->left_ev >= 0) {
		w->ev[fp->left_ev].file = f;
		decide(w, fp->left_ev);
	}
	held_retire(w, f);
}

/* File PATH FR's name holds a file again (record R, in directory N). */
static void
file_came(fw_watcher *w, int n, int fr, const struct fw_raw *r)
{
	struct fpath *fp = w->roots[fr].file;
	/* deleted and made again in one read: replaced, as a rename over
	 * it is (Windows reports that so); its delete says no more */
	if (!fp->present && fp->left && !fp->cookie && fp->left_ev >= 0) {
		w->ev[fp->left_ev].kind = DROPPED;
		fp->present = 1;
	}
	if (fp->ahead) /* the file held all along: its coming, at last */
		fp->ahead = 0;
	else
		file_renew(w, fr);
	/* another file PATH of this directory renamed onto this one,
	 * both halves in this read (fwatch file other; mv other file):
	 * one rename, as when this name is not a PATH */
	if ((r->flags & BE_MOVED_TO) && file_renamed(w, n, r)) {
		fp->present = 1;
		return;
	}
	if (fp->present) {
		file_emit(w, fr, FW_MODIFY, FW_EV_REPLACED, file_look(w, fr));
	} else {
		const char *self = w->roots[fr].self;
		file_emit(w, fr, FW_CREATE, 0, file_look(w, fr));
		born_note(w, 0, fr, self, strlen(self), strlen(self));
	}
	fp->present = 1;
}

/* News F about the file PATH FR's content or attributes. */
static void
file_changed(fw_watcher *w, int fr, unsigned f)
{
	struct fpath *fp = w->roots[fr].file;
	struct fw_file *cf = fp->cur;
	if (!fp->present)
		return; /* news about a file no longer there */
	/* one look per read: a log appended to a hundred times in it is
	 * one stat, and what that look decided holds for the whole read */
	int64_t size;
	if (cf && cf->pending) {
		size = SIZE_LATER; /* came in this read: nothing was shorter */
	} else if (cf && cf->look_gen == w->take_gen) {
		size = cf->info.size;
	} else {
		int64_t before = cf ? cf->info.size : -1;
		uint64_t ino = cf ? cf->info.ino : 0;
		size = file_look(w, fr);
		/* shorter than before, and the same file (held, or by name
		 * the same inode): whoever follows it must start over */
		if (cf)
			cf->shorter = size >= 0 && before >= 0 &&
				      size < before &&
				      (!ino || !cf->info.ino ||
				       ino == cf->info.ino);
	}
	for (size_t i = 0; i < NPLAIN; i++) {
		enum fw_kind k = plain[i].kind;
		if (!(f & plain[i].bit))
			continue;
		if (k == FW_MODIFY && cf && cf->shorter)
			k = FW_TRUNCATE;
		file_emit(w, fr, k, 0, size);
	}
}

/*
 * A record from directory N, watched for the file PATHs in it.  Only
 * their names matter.  A name that leaves is reported where it left
 * (delete, or rename when its new name follows in the same read); a
 * name that comes back is a create, or, if it never left (renamed
 * over: sed -i, most editors), a modify marked replaced.
 */
void
file_event(fw_watcher *w, int n, const struct fw_raw *r)
{
	int fr;
	if (!r->name_len) {
		file_dir_event(w, n, r->flags);
		return;
	}
	if ((fr = file_named(w, n, r->name, r->name_len)) < 0) {
		if (r->flags & BE_MOVED_TO)
			file_renamed(w, n, r);
		return;
	}
	if (w->roots[fr].gone)
		return;
	if (r->flags & (BE_DELETE | BE_MOVED_FROM))
		file_left(w, fr, r);
	else if (r->flags & (BE_CREATE | BE_MOVED_TO))
		file_came(w, n, fr, r);
	else
		file_changed(w, fr, r->flags);
}

/* The end of a read: the files that came in it are opened, now that
 * every record of the read has been handled; those that came and went
 * already will never be. */
void
files_open(fw_watcher *w)
{
	for (size_t r = 0; r < w->nroots && w->npending; r++) {
		struct fpath *fp = w->roots[r].file;
		if (fp && fp->cur && fp->cur->pending) {
			held_open(w, fp->cur, fp->real);
			sizes_later(w, fp->cur, fp->real);
		}
	}
	for (struct fw_file *f = w->retired; f && w->npending; f = f->next)
		if (f->pending) {
			held_lost(w, f);
			sizes_later(w, f, NULL);
		}
}

/* The end of a read: file PATHs that left and did not come back. */
void
files_settle(fw_watcher *w)
{
	for (size_t r = 0; r < w->nroots && w->nleft; r++) {
		struct fpath *fp = w->roots[r].file;
		if (!fp || !fp->left)
			continue;
		fp->left = 0;
		fp->left_ev = -1;
		w->nleft--;
		if (!fp->present && w->cfg.gone_exit)
			root_gone(w, (int)r);
	}
	w->nleft = 0;
}

/* ---- after an overflow ---------------------------------------------------- */

/* Is file PATH R's directory still the one watched as node N?  If not,
 * the file PATHs in it are gone for good. */
static int
file_dir_still(fw_watcher *w, int r, int n)
{
	const struct fpath *fp = w->roots[r].file;
	int id = watch_file_dir(w, fp->pdir, fp->fname, fp->fnlen);
	if (id >= 0 && id == w->nodes[n].id)
		return 1;
	for (int fr = w->nodes[n].froot; fr >= 0; fr = w->roots[fr].file->fnext)
		if (w->roots[fr].file->present)
			file_emit(w, fr, FW_DELETE, FW_EV_RESCAN, -1);
	subtree_free(w, n, 1);
	id_stray(w, id);
	return 0;
}

/* After an overflow: look at file PATH R again and report what changed.
 * The file held is still the one at the name, or the name holds
 * another file (opened now: this is one moment), or none. */
void
rescan_file(fw_watcher *w, int r)
{
	struct fpath *fp = w->roots[r].file;
	struct fw_file *f = fp->cur;
	int n = w->roots[r].node, other;
	if (!w->nodes[n].mark) {
		/* its directory first (once for all its file PATHs) */
		w->nodes[n].mark = 1;
		if (!file_dir_still(w, r, n))
			return;
	}
	struct sys_info old;
	if (f)
		old = f->info;
	else
		info_unknown(&old);
	/* not held: looked at by name, and told by its inode below */
	other = !f || (f->h && sys_file_is(f->h, fp->real) == 0);
	fp->ahead = 0;
	if (other) {
		file_renew(w, r);
		if (fp->cur)
			held_open(w, fp->cur, fp->real);
	}
	int64_t size = file_look(w, r);
	if (size < 0) {
		if (fp->present)
			file_emit(w, r, FW_DELETE, FW_EV_RESCAN, -1);
		fp->present = 0;
		held_retire(w, fp->cur);
		fp->cur = NULL;
		if (w->cfg.gone_exit)
			root_gone(w, r);
	} else if (!fp->present) {
		fp->present = 1;
		file_emit(w, r, FW_CREATE, FW_EV_RESCAN, size);
	} else if (other || (old.ino && fp->cur->info.ino &&
			     old.ino != fp->cur->info.ino)) {
		file_emit(w, r, FW_MODIFY, FW_EV_RESCAN | FW_EV_REPLACED, size);
	} else if (old.size >= 0 && size < old.size) {
		file_emit(w, r, FW_TRUNCATE, FW_EV_RESCAN, size);
	} else if (size != old.size || fp->cur->info.mtime != old.mtime) {
		file_emit(w, r, FW_MODIFY, FW_EV_RESCAN, size);
	}
}

/* ---- adding one ------------------------------------------------------------- */

/* Copy N bytes of S and a NUL to *AT; the copy. */
static const char *
put_str(char **at, const char *s, size_t n)
{
	char *p = *at;
	memcpy(p, s, n);
	p[n] = '\0';
	*at = p + n + 1;
	return p;
}

/* The file PATH at TARGET (a final symlink resolved already), in one
 * allocation: its name, the directory to watch, where to look at it. */
static struct fpath *
fpath_new(const char *target)
{
	const char *slash = strrchr(target, '/');
	const char *name = slash ? slash + 1 : target;
	size_t nl = strlen(name), tl = strlen(target);
	/* "a/b" watches "a", "/b" watches "/", "b" watches "." */
	const char *dir = slash ? target : ".";
	size_t dl = !slash ? 1 : slash == target ? 1 : (size_t)(slash - target);
	/* "C:" alone is the current directory on drive C: "C:/b" watches
	 * "C:/", the '/' included */
	if (SYS_ALT_SEP && dl == 2 && dir[1] == ':')
		dl++;
	struct fpath *fp = calloc(1, sizeof *fp + nl + tl + dl + 3);
	char *at;
	if (!fp)
		return NULL;
	at = fp->s;
	fp->fname = put_str(&at, name, nl);
	fp->fnlen = nl;
	fp->real = put_str(&at, target, tl);
	fp->pdir = put_str(&at, dir, dl);
	fp->fnext = fp->left_ev = -1;
	return fp;
}

/* A sibling's path starts where the file's own does without its name:
 * in the link's target if one was followed, else as the PATH prints. */
static void
fpath_sib(struct fpath *fp, const char *self, int link)
{
	const char *from = link ? fp->real : self;
	const char *slash = strrchr(from, '/');
	fp->sib = from;
	fp->siblen = slash ? (size_t)(slash - from) + 1 : 0;
}

/* Root R, a new file PATH watched as id ID: a node for its directory
 * (hidden: watched only for the file PATHs in it) unless there is one;
 * -1 if out of memory. */
static int
file_join(fw_watcher *w, int r, int id)
{
	struct root *rt = &w->roots[r];
	struct fpath *fp = rt->file;
	int n = id_get(w, id);
	if (!(fp->cur = held_new(w, r)))
		return -1;
	if (n < 0) {
		if ((n = node_new(w, id, -1, NULL, 0)) < 0) {
			held_lost(w, fp->cur);
			fw_file_drop(fp->cur);
			fp->cur = NULL;
			return -1;
		}
		w->nodes[n].hidden = 1;
		w->nhidden++;
	}
	rt->node = n;
	fp->fnext = w->nodes[n].froot;
	w->nodes[n].froot = r;
	w->roots_left++;
	/* the file there now, held from now on; none yet (--tail) is
	 * waited for */
	held_open(w, fp->cur, fp->real);
	if (!(fp->present = file_look(w, r) >= 0)) {
		fw_file_drop(fp->cur);
		fp->cur = NULL;
	}
	return 0;
}

/*
 * Watch the file PATH through its directory and its name there, so a
 * save that replaces the file, or a log rotation, does not end the
 * watch.  A symlink is followed to the file it names once, now.  -1 with
 * errno (and fw_error() saying why).
 */
int
add_file(fw_watcher *w, const char *path, const char *given)
{
	char *real = sys_type_of(path, 0) == SYS_LINK ? sys_link_target(path)
						      : NULL;
	struct fpath *fp = fpath_new(real ? real : path);
	int id, n, r, e;

	if (!fp) {
		free(real);
		errno = ENOMEM;
		return -1;
	}
	id = watch_file_dir(w, fp->pdir, fp->fname, fp->fnlen);
	if (id < 0) {
		e = errno;
		if (e == ENOENT && w->cfg.tail)
			say_path(w, "cannot follow", path, "its directory does "
				 "not exist (--tail waits for a file, not for "
				 "the directory it is to be in)", "", "");
		else
			set_err(w, path, e, 0);
		free(real);
		free(fp);
		errno = e;
		return -1;
	}
	n = id_get(w, id);
	if (n >= 0 && (!w->nodes[n].hidden ||
		       file_named(w, n, fp->fname, fp->fnlen) >= 0)) {
		/* inside a watched directory, or given twice */
		free(real);
		free(fp);
		return 0;
	}
	if ((r = root_new(w, path, given)) < 0) {
		free(fp);
	} else {
		w->roots[r].file = fp;
		fpath_sib(fp, w->roots[r].self, real != NULL);
		if (file_join(w, r, id) == 0) {
			free(real);
			return 0;
		}
		root_free(&w->roots[r]);
		w->nroots--;
	}
	free(real);
	id_stray(w, id);
	errno = ENOMEM;
	return -1;
}
