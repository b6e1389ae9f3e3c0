/*
 * win_cmdline.h - the strings that CreateProcessW takes, built from what
 * proc_win.c hands in: the command line (quoted for the Microsoft C
 * runtime, or for cmd.exe when the program is a batch file), the
 * environment block, and the reading of PATH and PATHEXT.  Portable
 * code with no Windows header, so that it is unit-tested and fuzzed on
 * every platform; proc_win.c does the reading of the environment, the
 * file system and the process.  wchar_t holds UTF-16 units on Windows
 * and wider ones elsewhere; nothing here depends on which.
 */
#ifndef FWATCH_WIN_CMDLINE_H
#define FWATCH_WIN_CMDLINE_H

#include <stddef.h>
#include <wchar.h>

/* CreateProcessW's limit on the command line, and cmd.exe's, in units
 * with the NUL. */
#define WCL_CMDLINE_MAX 32767
#define WCL_CMD_EXE_MAX 8191

/* Compares NA units at A with NB at B as Windows compares names, without
 * regard to case: <0, 0 or >0.  proc_win.c passes CompareStringOrdinal;
 * the tests an ASCII stand-in. */
typedef int (*wcl_cmp_fn)(const wchar_t *a, size_t na, const wchar_t *b,
			  size_t nb);

/*
 * The malloc'd command line for ARGV (NULL-terminated, argv[0] as the
 * user wrote it), each argument quoted so that the C runtime gives it
 * back unchanged.  With BATCH set, PROG (the batch file found for
 * argv[0]) is run by "cmd.exe /c" and every argument is quoted by
 * cmd.exe's rules instead; an argument those rules cannot carry (a quote
 * or a control character) fails with EINVAL.  E2BIG past the limit of
 * the program that parses it; NULL with errno.
 */
wchar_t *wcl_command_line(const wchar_t *prog, wchar_t *const argv[],
			  int batch);

/*
 * The malloc'd environment block for a new process: CUR (a block:
 * "NAME=value" strings, each NUL-terminated, an empty one at the end)
 * with ADD's strings (NULL-terminated; may be NULL) replacing those of
 * the same name and joining the rest, sorted by name without regard to
 * case, as Windows keeps it.  NULL with errno (ENOMEM).
 */
wchar_t *wcl_env_block(const wchar_t *cur, wchar_t *const add[],
		       wcl_cmp_fn cmp);

/*
 * The entry of a ';'-separated list (PATH, PATHEXT) at *S, its length in
 * *LEN (0 for an empty entry); *S moves past it.  NULL at the end of the
 * string: a ';' at the very end starts no entry.
 */
const wchar_t *wcl_list_next(const wchar_t **s, size_t *len);

/*
 * Which of the N extensions EXTS (".exe", ...) to try, and in which
 * order: the indexes of those PATHEXT (may be NULL) lists, in its order,
 * each once, into ORDER (room for N); all of them in EXTS's order if it
 * lists none.  Returns how many.
 */
size_t wcl_ext_order(const wchar_t *pathext, const wchar_t *const exts[],
		     size_t n, size_t order[], wcl_cmp_fn cmp);

#endif
