/*
 * blind.c - which directories are polled: those on filesystems where
 * the native backend is blind (sys_fs_blind: NFS, SMB, 9p, FUSE...).
 *
 * Only when no backend was chosen (w->native is set: the native backend
 * and the poller run together under mux.c).  The choice is made for each
 * directory as it is watched, so a blind mount inside a local tree is
 * polled too; each blind filesystem is announced once, where it was
 * first met.  With --backend NATIVE the user chose blindness: a PATH
 * there gets a warning instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../mux.h"
#include "core.h"

/* BE_WANT_POLL if directory PATH (shown as SHOWN) is to be polled. */
unsigned
blind_want(fw_watcher *w, const char *path, const char *shown)
{
	uint64_t dev;
	char type[64], tail[200];
	if (!w->native || !sys_fs_blind(path, &dev))
		return 0;
	for (size_t i = 0; i < w->nblind; i++)
		if (w->blind[i] == dev)
			return BE_WANT_POLL;
	/* the records now come from both: what both promise */
	w->caps = mux_caps(w->native, &be_poll);
	snprintf(w->bename, sizeof w->bename, "%s and %s", w->native->name,
		 be_poll.name);
	if (GROW(w->blind, w->capblind, w->nblind + 1) < 0)
		return BE_WANT_POLL; /* announced again later: no harm */
	w->blind[w->nblind++] = dev;
	sys_fs_type(path, dev, type, sizeof type);
	snprintf(tail, sizeof tail, ", where %s does not see changes made by "
		 "other machines or under the mount; looking every %d ms "
		 "(--backend %s to use it anyway)", w->native->name,
		 w->env.poll_ms > 0 ? w->env.poll_ms : 1000, w->native->name);
	if (w->cfg.note) {
		say_path(w, "polling", shown, "it is on ", type, tail);
		if (w->err.p)
			w->cfg.note(w->cfg.ctx, w->err.p);
	}
	return BE_WANT_POLL;
}

/* PATH, given as GIVEN, is on a blind filesystem, and the native backend
 * was chosen: say what will not be seen. */
void
blind_warn(fw_watcher *w, const char *path, const char *given)
{
	uint64_t dev;
	char type[64];
	if (w->native || w->ops == &be_poll || !w->cfg.warn ||
	    !sys_fs_blind(path, &dev))
		return;
	sys_fs_type(path, dev, type, sizeof type);
	say_path(w, "watching", given, "it is on ", type,
		 ": changes made by other machines or under the mount are not "
		 "reported (without --backend, fwatch polls it)");
	if (w->err.p)
		w->cfg.warn(w->cfg.ctx, w->err.p);
}

void
blind_free(fw_watcher *w)
{
	free(w->blind);
	w->blind = NULL;
	w->nblind = w->capblind = 0;
}
