/*
 * sys_win.c - sys.h for Windows 8 and later, the helpers of sys_win.h,
 * and wmain(), which hands main() its arguments in UTF-8.
 *
 * Build with -municode (the CRT then starts at wmain).  Link: kernel32
 * only.
 */
#include <windows.h>

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "sys.h"
#include "sys_win.h"
#include "utf16.h"

/* The POSIX numbers main() adds to 128 for its exit status. */
#define SIG_HUP 1
#define SIG_INT 2

int
win_errno(unsigned long err)
{
	switch (err) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
	case ERROR_INVALID_DRIVE:
	case ERROR_BAD_NETPATH:
	case ERROR_BAD_NET_NAME:
	case ERROR_BAD_PATHNAME:
	case ERROR_INVALID_NAME: /* '*', '?', ':'... cannot exist either */
	case ERROR_NO_MORE_FILES:
	case ERROR_NOT_READY:    /* a drive without its medium */
	case ERROR_DEV_NOT_EXIST:
		return ENOENT;
	case ERROR_ACCESS_DENIED:
	case ERROR_SHARING_VIOLATION:
	case ERROR_LOCK_VIOLATION:
	case ERROR_PRIVILEGE_NOT_HELD:
	case ERROR_CANNOT_MAKE:
		return EACCES;
	case ERROR_DIRECTORY:
		return ENOTDIR;
	case ERROR_FILE_EXISTS:
	case ERROR_ALREADY_EXISTS:
		return EEXIST;
	case ERROR_DIR_NOT_EMPTY:
		return ENOTEMPTY;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY:
	case ERROR_NOT_ENOUGH_QUOTA:
	case ERROR_NO_SYSTEM_RESOURCES:
		return ENOMEM;
	case ERROR_TOO_MANY_OPEN_FILES:
		return EMFILE;
	case ERROR_FILENAME_EXCED_RANGE:
		return ENAMETOOLONG;
	case ERROR_CANT_RESOLVE_FILENAME: /* too many links */
		return ELOOP;
	case ERROR_BAD_EXE_FORMAT:
	case ERROR_BAD_FORMAT:
	case ERROR_EXE_MARKED_INVALID:
	case ERROR_EXE_MACHINE_TYPE_MISMATCH:
		return ENOEXEC;
	case ERROR_BROKEN_PIPE:
	case ERROR_NO_DATA:
		return EPIPE;
	case ERROR_DISK_FULL:
	case ERROR_HANDLE_DISK_FULL:
		return ENOSPC;
	case ERROR_WRITE_PROTECT:
		return EROFS;
	case ERROR_INVALID_PARAMETER:
	case ERROR_INVALID_HANDLE:
		return EINVAL;
	case ERROR_NOT_SUPPORTED:
	case ERROR_CALL_NOT_IMPLEMENTED:
		return ENOSYS;
	case ERROR_OPERATION_ABORTED:
		return EINTR;
	default:
		return EIO;
	}
}

wchar_t *
win_wide(const char *s)
{
	size_t n = strlen(s);
	wchar_t *w = malloc((n + 1) * sizeof *w);
	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	utf8_to_utf16(s, n, (uint16_t *)w);
	return w;
}

char *
win_utf8(const wchar_t *w, size_t n)
{
	char *s = malloc(3 * n + 1);
	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	utf16_to_utf8((const uint16_t *)w, n, s);
	return s;
}

wchar_t *
win_full_path(const wchar_t *w, size_t *len)
{
	DWORD cap = MAX_PATH, n;
	wchar_t *buf = NULL, *nb;
	for (;;) {
		if (!(nb = realloc(buf, cap * sizeof *buf))) {
			free(buf);
			errno = ENOMEM;
			return NULL;
		}
		buf = nb;
		n = GetFullPathNameW(w, cap, buf, NULL);
		if (!n) {
			errno = win_errno(GetLastError());
			free(buf);
			return NULL;
		}
		if (n < cap)
			break;
		cap = n; /* the size it needs, NUL included */
	}
	if (len)
		*len = n;
	return buf;
}

static int
is_sep(wchar_t c)
{
	return c == L'\\' || c == L'/';
}

/* \\?\ and \\.\ paths are passed to the system as they are. */
static int
is_device_path(const wchar_t *w)
{
	return is_sep(w[0]) && is_sep(w[1]) && (w[2] == L'?' || w[2] == L'.') &&
	       is_sep(w[3]);
}

wchar_t *
win_wide_path(const char *utf8)
{
	wchar_t *w = win_wide(utf8), *full, *out;
	size_t n;
	int unc;

	if (!w || is_device_path(w))
		return w;
	/* A path the system cannot make absolute fails in the caller's
	 * own call, with the caller's own error. */
	if (!(full = win_full_path(w, &n)))
		return w;
	if (n <= MAX_PATH - 12) {
		free(full);
		return w;
	}
	free(w);
	/* GetFullPathNameW has turned '/' into '\' and resolved "." and
	 * "..", which the system does not do after \\?\. */
	if (is_device_path(full))
		return full;
	unc = full[0] == L'\\' && full[1] == L'\\';
	if (!(out = malloc((n + 8) * sizeof *out))) {
		free(full);
		errno = ENOMEM;
		return NULL;
	}
	if (unc) { /* \\server\share\x -> \\?\UNC\server\share\x */
		memcpy(out, L"\\\\?\\UNC", 7 * sizeof *out);
		memcpy(out + 7, full + 1, n * sizeof *out);
	} else {
		memcpy(out, L"\\\\?\\", 4 * sizeof *out);
		memcpy(out + 4, full, (n + 1) * sizeof *out);
	}
	free(full);
	return out;
}

/* Only name surrogates (symlinks, junctions, WSL symlinks) are links;
 * other reparse points (OneDrive placeholders, deduplicated files,
 * app execution aliases) are ordinary files and directories to us. */
enum sys_type
win_type(unsigned long attrs, unsigned long tag)
{
	if ((attrs & FILE_ATTRIBUTE_REPARSE_POINT) &&
	    (!tag || IsReparseTagNameSurrogate(tag)))
		return SYS_LINK;
	if (attrs & FILE_ATTRIBUTE_DIRECTORY)
		return SYS_DIRECTORY;
	if (attrs & FILE_ATTRIBUTE_DEVICE)
		return SYS_OTHER;
	return SYS_FILE;
}

int64_t
sys_mono_ms(void)
{
	LARGE_INTEGER c, f;
	QueryPerformanceCounter(&c);
	QueryPerformanceFrequency(&f);
	return c.QuadPart / f.QuadPart * 1000 +
	       c.QuadPart % f.QuadPart * 1000 / f.QuadPart;
}

void
sys_now(int64_t *sec, long *usec)
{
	FILETIME ft;
	ULARGE_INTEGER t;
	GetSystemTimePreciseAsFileTime(&ft);
	t.LowPart = ft.dwLowDateTime;
	t.HighPart = ft.dwHighDateTime;
	/* 100 ns units since 1601 to microseconds since 1970 */
	uint64_t us = (t.QuadPart - 116444736000000000ULL) / 10;
	*sec = (int64_t)(us / 1000000);
	*usec = (long)(us % 1000000);
}

struct sys_dir {
	HANDLE h;     /* INVALID_HANDLE_VALUE: nothing to list */
	int pending;  /* data holds an entry not returned yet */
	WIN32_FIND_DATAW data;
	char name[3 * MAX_PATH + 1];
};

struct sys_dir *
sys_opendir(const char *path)
{
	struct sys_dir *d;
	wchar_t *w, *pat;
	size_t n;
	DWORD err, a;

	if (!*path) {
		errno = ENOENT;
		return NULL;
	}
	if (!(w = win_wide_path(path)))
		return NULL;
	n = wcslen(w);
	pat = malloc((n + 3) * sizeof *pat);
	d = calloc(1, sizeof *d);
	if (!pat || !d) {
		free(w);
		free(pat);
		free(d);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(pat, w, n * sizeof *w);
	/* "dir\*"; "C:\*" for "C:\"; "C:*", the current directory of drive
	 * C, for "C:" */
	if (!is_sep(w[n - 1]) && !(n == 2 && w[1] == L':'))
		pat[n++] = L'\\';
	pat[n++] = L'*';
	pat[n] = 0;
	d->h = FindFirstFileExW(pat, FindExInfoBasic, &d->data,
				FindExSearchNameMatch, NULL,
				FIND_FIRST_EX_LARGE_FETCH);
	if (d->h != INVALID_HANDLE_VALUE) {
		d->pending = 1;
	} else {
		err = GetLastError();
		a = GetFileAttributesW(w);
		if (a != INVALID_FILE_ATTRIBUTES &&
		    !(a & FILE_ATTRIBUTE_DIRECTORY))
			err = ERROR_DIRECTORY;
		else if (a != INVALID_FILE_ATTRIBUTES &&
			 err == ERROR_FILE_NOT_FOUND)
			err = 0; /* a root has no "." and "..": empty */
		if (err) {
			free(w);
			free(pat);
			free(d);
			errno = win_errno(err);
			return NULL;
		}
	}
	free(w);
	free(pat);
	return d;
}

int
sys_readdir(struct sys_dir *d, const char **name, enum sys_type *type)
{
	const wchar_t *f;
	for (;;) {
		if (d->h == INVALID_HANDLE_VALUE)
			return 0;
		if (!d->pending && !FindNextFileW(d->h, &d->data)) {
			DWORD err = GetLastError();
			if (err == ERROR_NO_MORE_FILES)
				return 0;
			errno = win_errno(err);
			return -1;
		}
		d->pending = 0;
		f = d->data.cFileName;
		if (f[0] == L'.' && (!f[1] || (f[1] == L'.' && !f[2])))
			continue;
		break;
	}
	utf16_to_utf8((const uint16_t *)f, wcsnlen(f, MAX_PATH), d->name);
	*name = d->name;
	*type = win_type(d->data.dwFileAttributes, d->data.dwReserved0);
	return 1;
}

void
sys_closedir(struct sys_dir *d)
{
	if (d) {
		if (d->h != INVALID_HANDLE_VALUE)
			FindClose(d->h);
		free(d);
	}
}

/* The directory entry of W itself: its attributes and reparse tag. */
static int
entry_of(const wchar_t *w, DWORD *attrs, DWORD *tag)
{
	WIN32_FIND_DATAW fd;
	HANDLE h;
	if (wcspbrk(w + (is_device_path(w) ? 4 : 0), L"*?"))
		return -1; /* would be a pattern; no name has them */
	h = FindFirstFileExW(w, FindExInfoBasic, &fd, FindExSearchNameMatch,
			     NULL, 0);
	if (h == INVALID_HANDLE_VALUE)
		return -1;
	FindClose(h);
	*attrs = fd.dwFileAttributes;
	*tag = fd.dwReserved0;
	return 0;
}

enum sys_type
sys_type_of(const char *path, int follow)
{
	wchar_t *w = win_wide_path(path);
	BY_HANDLE_FILE_INFORMATION fi;
	DWORD a, tag = 0, err;
	enum sys_type t;
	HANDLE h;

	if (!w)
		return SYS_GONE;
	a = GetFileAttributesW(w);
	if (a == INVALID_FILE_ATTRIBUTES) {
		err = GetLastError();
		/* in use (pagefile.sys) or unreadable: its directory knows */
		if ((err != ERROR_SHARING_VIOLATION &&
		     err != ERROR_ACCESS_DENIED) || entry_of(w, &a, &tag) < 0) {
			free(w);
			return SYS_GONE;
		}
	} else if ((a & FILE_ATTRIBUTE_REPARSE_POINT) &&
		   entry_of(w, &a, &tag) < 0) {
		tag = 0; /* a root, say: unknown, so a link */
	}
	t = win_type(a, tag);
	if (t == SYS_LINK && follow) {
		/* a dangling link is gone, as stat() says */
		h = CreateFileW(w, FILE_READ_ATTRIBUTES,
				FILE_SHARE_READ | FILE_SHARE_WRITE |
					FILE_SHARE_DELETE,
				NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS,
				NULL);
		if (h == INVALID_HANDLE_VALUE) {
			t = SYS_GONE;
		} else {
			if (GetFileInformationByHandle(h, &fi))
				t = win_type(fi.dwFileAttributes &
						     ~(DWORD)FILE_ATTRIBUTE_REPARSE_POINT,
					     0);
			else
				t = SYS_GONE;
			CloseHandle(h);
		}
	}
	free(w);
	return t;
}

char *
sys_abspath(const char *path)
{
	wchar_t *w = win_wide(path), *full;
	size_t n;
	char *out;
	if (!w)
		return NULL;
	full = win_full_path(w, &n);
	free(w);
	if (!full)
		return NULL;
	out = win_utf8(full, n);
	free(full);
	return out;
}

void
sys_sleep_ms(int ms)
{
	Sleep(ms > 0 ? (DWORD)ms : 0);
}

void
sys_trim(void)
{
	_heapmin();
}

static void (*volatile signal_fn)(int sig);
static void (*volatile child_fn)(int sig);

/* Runs on a thread of its own, which the system starts per event. */
static BOOL WINAPI
on_console_event(DWORD ev)
{
	void (*fn)(int) = signal_fn;
	switch (ev) {
	case CTRL_C_EVENT:
	case CTRL_BREAK_EVENT:
		if (fn)
			fn(SIG_INT);
		return TRUE;
	case CTRL_CLOSE_EVENT:
	case CTRL_SHUTDOWN_EVENT:
		if (fn)
			fn(SIG_HUP);
		/* Returning ends the process at once: hold on, so that main()
		 * stops the command, writes what is pending and exits by
		 * itself (the system ends it anyway after about 5 s). */
		Sleep(10000);
		return TRUE;
	case CTRL_LOGOFF_EVENT:
		/* Only processes outside the user's session (services) get
		 * it, for whichever user logs off: not a reason to stop. */
		return TRUE;
	}
	return FALSE;
}

void
sys_signals(void (*fn)(int sig))
{
	/* No SIGPIPE on Windows: a write to a closed pipe just fails. */
	signal_fn = fn;
	SetConsoleCtrlHandler(on_console_event, TRUE);
}

void
sys_on_child(void (*fn)(int sig))
{
	child_fn = fn;
}

void
sys_win_child_exited(void)
{
	void (*fn)(int) = child_fn;
	if (fn)
		fn(0);
}

/* main.c's; wmain() is where the CRT starts with -municode. */
int main(int argc, char **argv);
int wmain(int argc, wchar_t **wargv);

static UINT console_cp;

static void
restore_console_cp(void)
{
	SetConsoleOutputCP(console_cp);
}

int
wmain(int argc, wchar_t **wargv)
{
	char **argv = calloc((size_t)argc + 1, sizeof *argv);
	DWORD mode;
	UINT cp;

	for (int i = 0; argv && i < argc; i++)
		if (!(argv[i] = win_utf8(wargv[i], wcslen(wargv[i])))) {
			free(argv);
			argv = NULL;
		}
	if (!argv) {
		fputs("fwatch: out of memory\n", stderr);
		return 1;
	}
	/* records end in "\n", never "\r\n"; -0 output stays as it is */
	_setmode(_fileno(stdout), _O_BINARY);
	_setmode(_fileno(stderr), _O_BINARY);
	/* UTF-8 reaches a console as UTF-8; the console's code page is
	 * shared with the shell, so it is put back at exit. */
	if (GetConsoleMode(GetStdHandle(STD_OUTPUT_HANDLE), &mode) ||
	    GetConsoleMode(GetStdHandle(STD_ERROR_HANDLE), &mode)) {
		cp = GetConsoleOutputCP();
		if (cp && cp != CP_UTF8 && SetConsoleOutputCP(CP_UTF8)) {
			console_cp = cp;
			atexit(restore_console_cp);
		}
	}
	return main(argc, argv);
}

int
sys_reader_gone(int err)
{
	/* msvcrt maps ERROR_NO_DATA, a pipe whose reader closed, to EINVAL */
	return err == EPIPE || err == EINVAL;
}

const char *
sys_fs_note(const char *path)
{
	(void)path; /* network shares: see FWATCH_BUFFER_KB in fwatch(1) */
	return NULL;
}

/* Network shares are watched with ReadDirectoryChangesW: an SMB server
 * forwards every client's changes (a server that does not needs
 * --poll; see PLATFORMS in fwatch(1)). */
int
sys_fs_blind(const char *path, char *type, size_t n)
{
	(void)path;
	if (n)
		type[0] = '\0';
	return 0;
}

long long
sys_size_of(const char *path)
{
	WIN32_FILE_ATTRIBUTE_DATA a;
	wchar_t *w = win_wide_path(path);
	BOOL ok = w && GetFileAttributesExW(w, GetFileExInfoStandard, &a);
	free(w);
	return ok ? (long long)a.nFileSizeHigh << 32 | a.nFileSizeLow : -1;
}

/* A link PATH is watched by its own name on Windows (see BUGS). */
char *
sys_link_target(const char *path)
{
	(void)path;
	errno = ENOSYS;
	return NULL;
}

/*
 * A FILETIME (100 ns units since 1601) in nanoseconds since 1970, as the
 * POSIX side counts.  0 stays 0: a filesystem that keeps no such time
 * (FAT has no ChangeTime) says 0, and sys.h's "unknown" is 0 too.  Times
 * past 2262 or before 1678 do not fit and are clamped: Windows lets a
 * program set any FILETIME, up to the year 30828.
 */
static int64_t
win_ns(int64_t t)
{
	const int64_t epoch = 116444736000000000LL; /* 1601 to 1970 */
	if (t == 0)
		return 0;
	if (t > INT64_MAX / 100 + epoch)
		return INT64_MAX;
	if (t < INT64_MIN / 100 + epoch)
		return INT64_MIN;
	return (t - epoch) * 100;
}

static int64_t
ft_ns(FILETIME ft)
{
	return win_ns((int64_t)((uint64_t)ft.dwHighDateTime << 32 |
				ft.dwLowDateTime));
}

int
sys_stat(const char *path, struct sys_info *i)
{
	WIN32_FILE_ATTRIBUTE_DATA a;
	wchar_t *w = win_wide_path(path);
	BOOL ok = w && GetFileAttributesExW(w, GetFileExInfoStandard, &a);
	DWORD err = GetLastError();
	free(w);
	if (!ok) {
		errno = err == ERROR_ACCESS_DENIED ? EACCES : ENOENT;
		return -1;
	}
	/* No file identity, change time, volume or link count without
	 * opening it: size and time must do, the rest is "unknown". */
	i->ino = 0;
	i->size = (int64_t)((uint64_t)a.nFileSizeHigh << 32 | a.nFileSizeLow);
	i->mtime = ft_ns(a.ftLastWriteTime);
	i->ctime = 0;
	i->dev = 0;
	i->nlink = 0;
	/* as the listing says, so a rescan sees no change that is none */
	i->type = a.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT
			  ? sys_type_of(path, 0)
			  : win_type(a.dwFileAttributes, 0);
	return 0;
}

/* The listing already holds what a stat would say, but for the change
 * time, which FindNextFileW drops: unknown, like the rest. */
int
sys_dir_stat(struct sys_dir *d, const char *name, struct sys_info *i)
{
	(void)name;
	i->ino = 0;
	i->size = (int64_t)((uint64_t)d->data.nFileSizeHigh << 32 |
			    d->data.nFileSizeLow);
	i->mtime = ft_ns(d->data.ftLastWriteTime);
	i->ctime = 0;
	i->dev = 0;
	i->nlink = 0;
	i->type = win_type(d->data.dwFileAttributes, d->data.dwReserved0);
	return 0;
}
