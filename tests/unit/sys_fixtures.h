/*
 * sys_fixtures.h - what the tests of sys.h (test_sys_pdir.c,
 * test_sys_file.c) do to real files, written once per platform (POSIX,
 * and Windows for the MinGW builds run under Wine), and their TAP
 * output.  Only the fixtures differ between platforms: what is checked
 * is sys.h alone.
 */
#ifndef FWATCH_SYS_FIXTURES_H
#define FWATCH_SYS_FIXTURES_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sys.h"

#ifdef _WIN32
#include <windows.h>

#include "../../src/utf16.h"

/* malloc'd UTF-16 of a UTF-8 path; the test's paths are short */
static inline wchar_t *
wide(const char *s)
{
	size_t n = strlen(s);
	wchar_t *w = malloc((n + 1) * sizeof *w);
	if (!w)
		abort();
	utf8_to_utf16(s, n, (uint16_t *)w);
	return w;
}

static inline int
t_mkdir(const char *p)
{
	wchar_t *w = wide(p);
	int r = CreateDirectoryW(w, NULL) ? 0 : -1;
	free(w);
	return r;
}

static inline int
t_rmdir(const char *p)
{
	wchar_t *w = wide(p);
	int r = RemoveDirectoryW(w) ? 0 : -1;
	free(w);
	return r;
}

static inline int
t_unlink(const char *p)
{
	wchar_t *w = wide(p);
	int r = DeleteFileW(w) ? 0 : -1;
	free(w);
	return r;
}

/* A change of attributes, which moves the change time only. */
static inline int
t_chattr(const char *p)
{
	wchar_t *w = wide(p);
	int r = SetFileAttributesW(w, FILE_ATTRIBUTE_READONLY) &&
			SetFileAttributesW(w, FILE_ATTRIBUTE_NORMAL)
		? 0
		: -1;
	free(w);
	return r;
}

static inline int
t_rename(const char *from, const char *to)
{
	wchar_t *a = wide(from), *b = wide(to);
	int r = MoveFileExW(a, b, 0) ? 0 : -1;
	free(a);
	free(b);
	return r;
}

static inline int
t_write(const char *p, const char *data, int append)
{
	wchar_t *w = wide(p);
	FILE *f = _wfopen(w, append ? L"ab" : L"wb");
	int r = -1;
	free(w);
	if (f) {
		r = fputs(data, f) < 0 ? -1 : 0;
		if (fclose(f))
			r = -1;
	}
	return r;
}

/* Hold P open, sharing all, as a writer may: a handle, or NULL. */
static inline void *
t_hold(const char *p)
{
	wchar_t *w = wide(p);
	HANDLE h = CreateFileW(w, GENERIC_READ,
			       FILE_SHARE_READ | FILE_SHARE_WRITE |
				       FILE_SHARE_DELETE,
			       NULL, OPEN_EXISTING, 0, NULL);
	free(w);
	return h == INVALID_HANDLE_VALUE ? NULL : h;
}

static inline void
t_release(void *h)
{
	CloseHandle(h);
}

static inline int
t_symlink(const char *target, const char *link)
{
	wchar_t *a = wide(target), *b = wide(link);
	/* 0x2: SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE (developer
	 * mode); without it, or the privilege, the checks are skipped.
	 * Wine 8 says yes and makes nothing: look. */
	int r = CreateSymbolicLinkW(b, a, SYMBOLIC_LINK_FLAG_DIRECTORY | 0x2) &&
			GetFileAttributesW(b) != INVALID_FILE_ATTRIBUTES
		? 0
		: -1;
	free(a);
	free(b);
	return r;
}

static inline void
t_sleep(int ms)
{
	Sleep((DWORD)ms);
}

static inline int
on_wine(void)
{
	HMODULE nt = GetModuleHandleW(L"ntdll.dll");
	return nt && GetProcAddress(nt, "wine_get_version");
}

static inline int
t_tmpdir(const char *base, const char *what, char *out, size_t n)
{
	wchar_t tmp[MAX_PATH + 1];
	char b[3 * MAX_PATH + 1];
	if (!base) {
		DWORD k = GetTempPathW(MAX_PATH + 1, tmp);
		if (!k || k > MAX_PATH)
			return -1;
		utf16_to_utf8((const uint16_t *)tmp, k, b);
		base = b;
	}
	for (int i = 0; i < 100; i++) {
		snprintf(out, n, "%s%sfwatch-%s-%lu-%d", base,
			 base[strlen(base) - 1] == '\\' ? "" : "\\", what,
			 (unsigned long)GetCurrentProcessId(), i);
		if (t_mkdir(out) == 0)
			return 0;
	}
	return -1;
}

#define SEP "\\"

static inline const char *
platform_note(void)
{
	return on_wine() ? "Wine" : "Windows";
}

#else /* POSIX */
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static inline int
t_mkdir(const char *p)
{
	return mkdir(p, 0755);
}

static inline int
t_rmdir(const char *p)
{
	return rmdir(p);
}

static inline int
t_unlink(const char *p)
{
	return unlink(p);
}

static inline int
t_chattr(const char *p)
{
	return chmod(p, 0600) || chmod(p, 0644) ? -1 : 0;
}

static inline int
t_rename(const char *from, const char *to)
{
	return rename(from, to);
}

static inline int
t_write(const char *p, const char *data, int append)
{
	FILE *f = fopen(p, append ? "ab" : "wb");
	int r = -1;
	if (f) {
		r = fputs(data, f) < 0 ? -1 : 0;
		if (fclose(f))
			r = -1;
	}
	return r;
}

static inline void *
t_hold(const char *p)
{
	FILE *f = fopen(p, "rb");
	return f;
}

static inline void
t_release(void *h)
{
	fclose(h);
}

static inline int
t_symlink(const char *target, const char *link)
{
	return symlink(target, link);
}

static inline void
t_sleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static inline int
t_tmpdir(const char *base, const char *what, char *out, size_t n)
{
	if (!base && !(base = getenv("TMPDIR")))
		base = "/tmp";
	snprintf(out, n, "%s/fwatch-%s-XXXXXX", base, what);
	return mkdtemp(out) ? 0 : -1;
}

#define SEP "/"

static inline int
on_wine(void)
{
	return 0;
}

static inline const char *
platform_note(void)
{
	return "POSIX";
}
#endif

static int failed, count;

static inline void
ok(int cond, const char *what)
{
	count++;
	if (!cond)
		failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", count, what);
	fflush(stdout);
}

static inline void
skip(const char *what, const char *why)
{
	count++;
	printf("ok %d - %s # skip %s\n", count, what, why);
}

/* A check Wine is known to fail: skipped there with the reason, never
 * passed. */
static inline void
ok_but_wine(int cond, const char *what, const char *why)
{
	if (!cond && on_wine())
		skip(what, why);
	else
		ok(cond, what);
}

#endif
