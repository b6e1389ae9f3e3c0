/*
 * backends.c - which backends this binary carries, the default first.
 *
 * The Makefile compiles the backend files of the platform; this list
 * names the same ones.  A backend that cannot start on a given machine
 * (fanotify without CAP_SYS_ADMIN, say) is still listed: its open()
 * fails and says why.  Test harnesses that link the core with a
 * stand-in backend define be_builtin[], be_large and be_large_dirs
 * themselves instead.
 */
#include <stddef.h>

#include "backend.h"

const struct be_ops *const be_builtin[] = {
#if defined(_WIN32)
	&be_rdcw,
#elif defined(__linux__)
	&be_inotify,
	&be_fanotify,
#elif defined(__APPLE__)
	/* FSEvents first: one stream per tree, where kqueue needs a
	 * descriptor per directory and per file (see watch_fsevents.c) */
	&be_fsevents,
	&be_kqueue,
#else
	&be_kqueue,
#endif
	&be_poll,
	NULL,
};

/*
 * fanotify takes over from inotify (core/large.c) for a tree of more
 * than 50,000 directories, or one inotify has too few watches left for
 * (as root, on Linux 5.17 or later).  Measured (bench/RESULTS.md): on
 * 101,111 directories fanotify uses no kernel memory per directory
 * (inotify: some 110 bytes of unreclaimable slab each, and each
 * directory's inode held in memory) and leaves the user's inotify
 * watches to other programs, for some 50 bytes more of fwatch's own per
 * directory; alone it is ready sooner (0.85 s against 1.3 s), and
 * taking over half way costs about what that saves.  Below the
 * threshold inotify stays: fanotify hears of every change on the whole
 * filesystem and drops those outside the PATHs, some 2 us of CPU each,
 * which a small tree on a busy disk would pay for nothing.
 */
#if defined(__linux__)
const struct be_ops *const be_large = &be_fanotify;
#else
const struct be_ops *const be_large = NULL;
#endif
const size_t be_large_dirs = 50000;
