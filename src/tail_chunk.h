/*
 * tail_chunk.h - cutting the bytes that --tail --json reads into
 * chunks (pure: tests/unit/test_tail_chunk.c, tests/fuzz/fuzz_chunk.c).
 */
#ifndef FWATCH_TAIL_CHUNK_H
#define FWATCH_TAIL_CHUNK_H

#include <stddef.h>

/* The most bytes in one chunk. */
#define CHUNK_MAX (64 * 1024)

/*
 * The next chunk of the N bytes at S: its length, and in *TEXT whether it
 * is UTF-8 text (a JSON "data" string) or not (then "data_b64").
 *
 * At most MAX bytes (at least 4).  It never ends inside a UTF-8
 * sequence.  The start of one that the next bytes may complete is left
 * for later unless FINAL (the file is done with): 0 when that is all
 * there is.  Cut short by MAX, it ends after its last newline, if it has
 * one.  Text and not text are told apart by lines: a text chunk stops
 * at the start of the line that holds the first byte that is not UTF-8
 * (a line starts after a newline, or where S does), and that line is a
 * chunk that is not text, to its end.
 */
size_t chunk_next(const char *s, size_t n, size_t max, int final, int *text);

#endif
