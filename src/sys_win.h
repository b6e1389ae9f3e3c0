/*
 * sys_win.h - what the Windows files (sys_win.c, proc_win.c,
 * watch_win.c) share.  Everything outside them speaks UTF-8 (WTF-8 for
 * names that are not valid UTF-16); these turn it into the UTF-16 that
 * the W functions take, and back.  No <windows.h> needed: a DWORD is an
 * unsigned long.
 */
#ifndef FWATCH_SYS_WIN_H
#define FWATCH_SYS_WIN_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "sys.h"

/* A malloc'd UTF-16 copy of a UTF-8 string; NULL with errno. */
wchar_t *win_wide(const char *utf8);
/* A malloc'd UTF-16 path for a UTF-8 PATH, as given while it is short;
 * once its absolute form is longer than MAX_PATH - 12 it comes back
 * absolute, '/' turned into '\', with the \\?\ (or \\?\UNC\) prefix, so
 * that the W functions take it.  NULL with errno. */
wchar_t *win_wide_path(const char *utf8);
/* GetFullPathNameW into a malloc'd string, its length in *len (may be
 * NULL); NULL with errno. */
wchar_t *win_full_path(const wchar_t *w, size_t *len);
/* A malloc'd UTF-8 copy of N units at W (need not be NUL-terminated);
 * NULL with errno. */
char *win_utf8(const wchar_t *w, size_t n);

/* The errno value for a GetLastError() code. */
int win_errno(unsigned long err);
/* A file's type from its attributes and, for a reparse point, its tag
 * (WIN32_FIND_DATAW.dwReserved0; 0 if unknown). */
enum sys_type win_type(unsigned long attrs, unsigned long tag);

/* The file identity and volume of the open handle H (a HANDLE); what
 * it says of its file, nlink 0 if its deletion is pending.  -1 with
 * GetLastError().  (sys_win.c; also for sys_win_file.c) */
int win_handle_ids(void *h, uint64_t *ino, uint64_t *dev);
int win_handle_info(void *h, struct sys_info *i);

/* proc_win.c: a started command's process has ended.  Calls the function
 * given to sys_on_child(); safe from any thread. */
void sys_win_child_exited(void);

#endif
