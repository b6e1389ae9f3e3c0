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

#endif
