/*
 * utf16.h - UTF-16 <-> UTF-8 for Windows names, in portable code so it
 * is tested on every platform.  Windows file names are sequences of
 * 16-bit units that need not be valid UTF-16; an unpaired surrogate is
 * kept as a 3-byte WTF-8 sequence, so converting back gives the same
 * name and no file is ever unreachable.
 */
#ifndef FWATCH_UTF16_H
#define FWATCH_UTF16_H

#include <stddef.h>
#include <stdint.h>

/* N units at S to UTF-8 at OUT (room for 3*N+1 bytes), NUL-terminated.
 * Returns the bytes written, without the NUL. */
size_t utf16_to_utf8(const uint16_t *s, size_t n, char *out);

/* N bytes of UTF-8 (WTF-8 accepted) at S to UTF-16 at OUT (room for N+1
 * units), NUL-terminated; invalid bytes become U+FFFD.  Returns the
 * units written, without the NUL. */
size_t utf8_to_utf16(const char *s, size_t n, uint16_t *out);

#endif
