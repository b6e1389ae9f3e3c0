/*
 * mux.h - the native backend and the poller as one backend (mux.c).
 */
#ifndef FWATCH_MUX_H
#define FWATCH_MUX_H

#include "backend.h"

extern const struct be_ops be_mux; /* every operation but open */

/* Open NATIVE now and POLLER when a watch first asks for BE_WANT_POLL. */
int mux_open(struct backend **out, const struct be_ops *native,
	     const struct be_ops *poller, const struct be_env *env);
/* What the pair promises together (be_mux.caps is 0). */
unsigned mux_caps(const struct be_ops *native, const struct be_ops *poller);

/* Another native backend for M (core/large.c): OPS opened beside the
 * one in use, directories watched on it (ids as M hands them out), then
 * kept (the old one closed, with what it had queued) or dropped. */
int mux_swap_begin(struct backend *m, const struct be_ops *ops);
int mux_swap_watch(struct backend *m, const char *path, unsigned want);
void mux_swap_end(struct backend *m, int keep);
/* 1 if ID, as M hands ids out, is the native backend's. */
int mux_is_native(int id);

#endif
