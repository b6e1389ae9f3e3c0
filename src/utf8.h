/*
 * utf8.h - UTF-8 sequences, checked byte by byte (pure): what output.c
 * escapes and tail_chunk.c cuts.
 */
#ifndef FWATCH_UTF8_H
#define FWATCH_UTF8_H

#include <stddef.h>

/* The length of the valid UTF-8 sequence at S (N bytes left), or 0:
 * not one (overlong, a surrogate, past U+10FFFF, cut short). */
size_t utf8_len(const unsigned char *s, size_t n);
/* How many bytes at the end of S (N bytes) are the start of a valid
 * UTF-8 sequence that the bytes after them may still complete (0-3). */
size_t utf8_unfinished(const unsigned char *s, size_t n);

#endif
