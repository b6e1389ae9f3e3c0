/*
 * fan_kept.h - the paths fan_paths.c keeps between reads: directory key
 * -> path, at most struct fpaths' MAX, in its TAB (open addressing) with
 * the bytes in its KEYS and PATHS buffers.  Pure.  Not a public face:
 * fan_paths.c's own.
 */
#ifndef FWATCH_FAN_KEPT_H
#define FWATCH_FAN_KEPT_H

#include <stddef.h>
#include <stdint.h>

#include "fan_paths.h"

struct fpaths_entry {
	uint64_t h;
	size_t koff, klen; /* klen 0: empty */
	size_t poff, plen;
};

/* The hash of KEY (N bytes) that the entries are filed by. */
uint64_t fk_hash(const unsigned char *key, size_t n);
/* KEY's entry (H: its hash), or NULL. */
struct fpaths_entry *fk_find(const struct fpaths *p, const unsigned char *key,
			     size_t klen, uint64_t h);
/* Keep KEY at PATH (a key not kept yet); when full, all are forgotten
 * first.  -1 if out of memory. */
int fk_add(struct fpaths *p, const unsigned char *key, size_t klen,
	   uint64_t h, const char *path, size_t plen);

#endif
