/*
 * backends.c - which backends this binary carries, the default first.
 *
 * The Makefile compiles the backend files of the platform; this list
 * names the same ones.  A backend that cannot start on a given machine
 * (fanotify without CAP_SYS_ADMIN, say) is still listed: its open()
 * fails and says why.  Test harnesses that link the core with a
 * stand-in backend define be_builtin[] themselves instead.
 */
#include <stddef.h>

#include "backend.h"

const struct be_ops *const be_builtin[] = {
#if defined(_WIN32)
	&be_rdcw,
#elif defined(__linux__)
	&be_inotify,
	&be_fanotify,
#else
	&be_kqueue,
#endif
	&be_poll,
	NULL,
};
