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
#include <stddef.h>
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
	wchar_t *path; /* the directory, for sys_dir_stat() of an entry
			* other than the last one listed */
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
	d->path = w;
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
		free(d->path);
		free(d);
	}
}

/* The directory entry of W itself, as its directory lists it; -1 with
 * GetLastError(). */
static int
find_entry(const wchar_t *w, WIN32_FIND_DATAW *fd)
{
	HANDLE h;
	if (wcspbrk(w + (is_device_path(w) ? 4 : 0), L"*?")) {
		/* would be a pattern; no name has them */
		SetLastError(ERROR_INVALID_NAME);
		return -1;
	}
	h = FindFirstFileExW(w, FindExInfoBasic, fd, FindExSearchNameMatch,
			     NULL, 0);
	if (h == INVALID_HANDLE_VALUE)
		return -1;
	FindClose(h);
	return 0;
}

/* The same, its attributes and reparse tag only. */
static int
entry_of(const wchar_t *w, DWORD *attrs, DWORD *tag)
{
	WIN32_FIND_DATAW fd;
	if (find_entry(w, &fd) < 0)
		return -1;
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

struct sys_waiter {
	HANDLE ev; /* auto-reset: one wake ends one wait */
};

struct sys_waiter *
sys_waiter_new(int hup_fd)
{
	(void)hup_fd; /* a pipe's lost reader is seen only at a write here */
	struct sys_waiter *w = malloc(sizeof *w);
	if (!w)
		return NULL;
	if (!(w->ev = CreateEventW(NULL, FALSE, FALSE, NULL))) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	return w;
}

void
sys_waiter_free(struct sys_waiter *w)
{
	if (w) {
		CloseHandle(w->ev);
		free(w);
	}
}

int
sys_waiter_wait(struct sys_waiter *w, int ms)
{
	DWORD r = WaitForSingleObject(w->ev, ms < 0 ? INFINITE : (DWORD)ms);
	if (r == WAIT_FAILED) {
		errno = win_errno(GetLastError());
		return -1;
	}
	return r == WAIT_OBJECT_0;
}

/* From the console control handler's thread: SetEvent is safe there. */
void
sys_waiter_wake(struct sys_waiter *w)
{
	SetEvent(w->ev);
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

/* Windows has no wait that an anonymous pipe's lost reader ends: fwatch
 * learns it at its next write, as before. */
int
sys_out_gone(int fd)
{
	(void)fd;
	return 0;
}

int
sys_out_watchable(int fd)
{
	(void)fd;
	return 0;
}

const char *
sys_fs_note(const char *path)
{
	(void)path; /* network shares: see FWATCH_BUFFER_KB in fwatch(1) */
	return NULL;
}

/* No backend here watches without a walk (BE_CAP_NO_WALK): never asked. */
int
sys_mounts_below(const char *path)
{
	(void)path;
	return -1;
}

/* Network shares are watched with ReadDirectoryChangesW: an SMB server
 * forwards every client's changes (a server that does not needs
 * --poll; see PLATFORMS in fwatch(1)). */
int
sys_fs_blind(const char *path, uint64_t *dev)
{
	(void)path;
	(void)dev;
	return 0;
}

void
sys_fs_type(const char *path, uint64_t dev, char *type, size_t n)
{
	(void)path;
	(void)dev;
	if (n)
		snprintf(type, n, "a network share");
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

/* The listing already holds what a stat would say of the entry it
 * returned last, but for the change time, which FindNextFileW drops:
 * unknown, like the rest.  Another entry (the walker reads a whole
 * directory first where a .gitignore rules it) is looked up by name,
 * at the cost of a call. */
int
sys_dir_stat(struct sys_dir *d, const char *name, struct sys_info *i)
{
	WIN32_FILE_ATTRIBUTE_DATA a;
	WIN32_FIND_DATAW other, *fd = &d->data;
	if (strcmp(name, d->name)) {
		size_t dn = wcslen(d->path), nn = strlen(name);
		wchar_t *w = malloc((dn + nn + 2) * sizeof *w);
		BOOL found;
		DWORD err;
		if (!w) {
			errno = ENOMEM;
			return -1;
		}
		memcpy(w, d->path, dn * sizeof *w);
		if (dn && !is_sep(w[dn - 1]))
			w[dn++] = L'\\';
		utf8_to_utf16(name, nn, (uint16_t *)w + dn);
		found = GetFileAttributesExW(w, GetFileExInfoStandard, &a);
		err = GetLastError();
		free(w);
		if (!found) {
			errno = win_errno(err);
			return -1;
		}
		/* what the listing would have said; a reparse point's tag
		 * is not known this way: a name surrogate is assumed */
		memset(&other, 0, sizeof other);
		fd = &other;
		fd->dwFileAttributes = a.dwFileAttributes;
		fd->nFileSizeHigh = a.nFileSizeHigh;
		fd->nFileSizeLow = a.nFileSizeLow;
		fd->ftLastWriteTime = a.ftLastWriteTime;
	}
	i->ino = 0;
	i->size = (int64_t)((uint64_t)fd->nFileSizeHigh << 32 |
			    fd->nFileSizeLow);
	i->mtime = ft_ns(fd->ftLastWriteTime);
	i->ctime = 0;
	i->dev = 0;
	i->nlink = 0;
	i->type = win_type(fd->dwFileAttributes, fd->dwReserved0);
	return 0;
}

/*
 * The directory held open for polling.  A handle that shares read,
 * write and delete: others may still rename or delete the directory
 * (and anything in it) while it is held.  What Windows does not promise:
 *
 * - A directory deleted while held may linger, "delete pending": unless
 *   the deleter asked for POSIX semantics (Windows 10 and later, NTFS;
 *   some calls do it by themselves, not all), its name stays listed in
 *   its parent, which therefore cannot be removed, and opening it fails
 *   with access denied, until the last handle is closed.  sys_pdir_self
 *   says nlink 0 then: close it at once.
 * - Renaming or deleting a directory ABOVE a held one is not covered by
 *   the sharing: NTFS may refuse to rename a directory while something
 *   below it is open, and a held handle keeps a volume from being
 *   locked or ejected.
 */
struct sys_pdir {
	HANDLE h;
	uint64_t dev; /* its volume, given to every entry listed */
};

/* The file identity and volume of H: FileIdInfo (Windows 8; 128-bit ids
 * on ReFS, folded to 64 bits; NTFS's are 64 bits, the directory
 * listing's FileId), else the older 64-bit file index. */
int
win_handle_ids(void *h, uint64_t *ino, uint64_t *dev)
{
	FILE_ID_INFO id;
	BY_HANDLE_FILE_INFORMATION fi;
	if (GetFileInformationByHandleEx(h, FileIdInfo, &id, sizeof id)) {
		uint64_t lo, hi;
		memcpy(&lo, id.FileId.Identifier, sizeof lo);
		memcpy(&hi, id.FileId.Identifier + 8, sizeof hi);
		*ino = lo ^ hi;
		*dev = id.VolumeSerialNumber;
		return 0;
	}
	if (!GetFileInformationByHandle(h, &fi))
		return -1;
	*ino = (uint64_t)fi.nFileIndexHigh << 32 | fi.nFileIndexLow;
	*dev = fi.dwVolumeSerialNumber;
	return 0;
}

/* What the open handle H says of its file: three queries (four for a
 * reparse point); nlink 0 if its deletion is pending.  -1 with
 * GetLastError(). */
int
win_handle_info(void *h, struct sys_info *i)
{
	FILE_BASIC_INFO b;
	FILE_STANDARD_INFO st;
	FILE_ATTRIBUTE_TAG_INFO t;
	if (!GetFileInformationByHandleEx(h, FileStandardInfo, &st, sizeof st) ||
	    !GetFileInformationByHandleEx(h, FileBasicInfo, &b, sizeof b) ||
	    win_handle_ids(h, &i->ino, &i->dev) < 0)
		return -1;
	t.ReparseTag = 0; /* unknown: a link, as win_type() has it */
	if ((b.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) &&
	    !GetFileInformationByHandleEx(h, FileAttributeTagInfo, &t,
					  sizeof t))
		t.ReparseTag = 0;
	i->size = st.EndOfFile.QuadPart;
	i->mtime = win_ns(b.LastWriteTime.QuadPart);
	i->ctime = win_ns(b.ChangeTime.QuadPart);
	i->type = win_type(b.FileAttributes, t.ReparseTag);
	i->nlink = st.DeletePending ? 0 : (unsigned)st.NumberOfLinks;
	return 0;
}

static HANDLE
open_dir(const wchar_t *w, DWORD flags)
{
	return CreateFileW(w, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES,
			   FILE_SHARE_READ | FILE_SHARE_WRITE |
				   FILE_SHARE_DELETE,
			   NULL, OPEN_EXISTING,
			   FILE_FLAG_BACKUP_SEMANTICS | flags, NULL);
}

/* W opened as a directory to hold, or INVALID_HANDLE_VALUE with *ERR
 * (ERROR_DIRECTORY for anything else, and for a link unless FOLLOW). */
static HANDLE
open_pdir(const wchar_t *w, int follow, DWORD *err)
{
	FILE_ATTRIBUTE_TAG_INFO t;
	HANDLE h = open_dir(w, follow ? 0 : FILE_FLAG_OPEN_REPARSE_POINT), h2;
	uint64_t ino, dev, ino2, dev2;

	if (h == INVALID_HANDLE_VALUE) {
		*err = GetLastError();
		return h;
	}
	*err = 0;
	if (!GetFileInformationByHandleEx(h, FileAttributeTagInfo, &t,
					  sizeof t))
		*err = GetLastError();
	else if (!(t.FileAttributes & FILE_ATTRIBUTE_DIRECTORY))
		*err = ERROR_DIRECTORY; /* a file, or a link to one */
	else if (!follow && (t.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) {
		/* O_NOFOLLOW's ENOTDIR for a link.  Any other reparse point
		 * (a OneDrive placeholder) is a directory, opened the
		 * ordinary way so that its filter serves the listing; the
		 * path is walked again, so it must still lead to the same
		 * directory. */
		if (win_type(t.FileAttributes, t.ReparseTag) == SYS_LINK)
			*err = ERROR_DIRECTORY;
		else if ((h2 = open_pdir(w, 1, err)) != INVALID_HANDLE_VALUE) {
			if (win_handle_ids(h, &ino, &dev) < 0 ||
			    win_handle_ids(h2, &ino2, &dev2) < 0)
				*err = GetLastError();
			else if (ino != ino2 || dev != dev2)
				*err = ERROR_FILE_NOT_FOUND; /* replaced */
			CloseHandle(h);
			h = h2;
		}
	}
	if (*err) {
		if (h != INVALID_HANDLE_VALUE)
			CloseHandle(h);
		return INVALID_HANDLE_VALUE;
	}
	return h;
}

struct sys_pdir *
sys_pdir_open(const char *path, int follow)
{
	struct sys_pdir *d;
	wchar_t *w;
	DWORD err, a;
	HANDLE h;
	uint64_t ino;

	if (!*path) {
		errno = ENOENT;
		return NULL;
	}
	if (!(w = win_wide_path(path)))
		return NULL;
	h = open_pdir(w, follow, &err);
	if (h == INVALID_HANDLE_VALUE &&
	    (err == ERROR_SHARING_VIOLATION || err == ERROR_ACCESS_DENIED)) {
		/* a file others hold without sharing reading is no
		 * directory either */
		a = GetFileAttributesW(w);
		if (a != INVALID_FILE_ATTRIBUTES &&
		    !(a & FILE_ATTRIBUTE_DIRECTORY))
			err = ERROR_DIRECTORY;
	}
	free(w);
	if (h == INVALID_HANDLE_VALUE) {
		errno = win_errno(err);
		return NULL;
	}
	if (!(d = malloc(sizeof *d))) {
		CloseHandle(h);
		errno = ENOMEM;
		return NULL;
	}
	d->h = h;
	if (win_handle_ids(h, &ino, &d->dev) < 0)
		d->dev = 0; /* unknown; the listing still works */
	return d;
}

void
sys_pdir_close(struct sys_pdir *d)
{
	if (d) {
		CloseHandle(d->h);
		free(d);
	}
}

/*
 * Three queries on the handle.  Once the directory has been deleted,
 * Windows says so on the handle with DeletePending in FileStandardInfo
 * (NTFS, for either kind of deletion; nlink 0), but a filesystem or
 * redirector may instead fail the queries with STATUS_FILE_DELETED or
 * STATUS_DELETE_PENDING, which Win32 turns into ERROR_ACCESS_DENIED.
 * Access to a handle's attributes is checked once, when it is opened,
 * so that, and ERROR_FILE_NOT_FOUND, are taken for "removed" too: 0 with
 * nlink 0 and nothing else known.  Wine 8 says neither: a directory has
 * one link and no deletion pending whatever happened to it.
 */
int
sys_pdir_self(struct sys_pdir *d, struct sys_info *i)
{
	DWORD err;
	if (win_handle_info(d->h, i) == 0)
		return 0;
	err = GetLastError();
	if (err == ERROR_ACCESS_DENIED || err == ERROR_FILE_NOT_FOUND) {
		memset(i, 0, sizeof *i);
		i->type = SYS_DIRECTORY;
		i->dev = d->dev;
		return 0;
	}
	errno = win_errno(err);
	return -1;
}

/*
 * Windows cannot open a name relative to a handle through Win32 (only
 * NtCreateFile can), so NAME is looked up by path: the held directory's
 * path as it is now (GetFinalPathNameByHandleW, which follows a rename
 * of the directory on a local volume), then the entry opened for its
 * attributes only, never following a link, and queried like
 * sys_pdir_self: a name query, a path walk, an open, three queries and
 * a close per call, where POSIX makes one fstatat().  An entry that
 * cannot be opened (its deletion pending, or in use like pagefile.sys)
 * is read from its directory's listing instead, with no ino or ctime.
 *
 * Hazards: a rename of the directory between the name query and the
 * open makes it look at whatever has its old name then; the ino says
 * it is another file.  A network redirector may give the name the
 * directory was opened by, and Wine 8 always does.
 */
struct sys_pdir *
sys_pdir_openat(struct sys_pdir *parent, const char *name)
{
	(void)parent;
	(void)name;
	errno = ENOSYS;
	return NULL;
}

/* The path of what H is open on now, in a malloc'd buffer with room for
 * EXTRA more units, its length in *N: "\\?\C:\dir",
 * "\\?\UNC\server\share\dir"; for a volume with no drive letter or
 * folder, "\\?\Volume{GUID}\dir".  NULL with errno. */
static wchar_t *
final_path(HANDLE h, size_t extra, size_t *n)
{
	DWORD cap = MAX_PATH, got, err, vol = VOLUME_NAME_DOS;
	wchar_t *p = NULL, *np;
	for (;;) {
		if (!(np = realloc(p, (cap + extra) * sizeof *p))) {
			free(p);
			errno = ENOMEM;
			return NULL;
		}
		p = np;
		got = GetFinalPathNameByHandleW(h, p, cap,
						FILE_NAME_NORMALIZED | vol);
		if (!got && vol == VOLUME_NAME_DOS &&
		    GetLastError() == ERROR_PATH_NOT_FOUND) {
			vol = VOLUME_NAME_GUID;
			continue;
		}
		if (!got) {
			err = GetLastError();
			free(p);
			errno = win_errno(err);
			return NULL;
		}
		if (got < cap)
			break;
		cap = got; /* the size it needs, NUL included */
	}
	*n = got;
	return p;
}

int
sys_pdir_stat(struct sys_pdir *d, const char *name, struct sys_info *i)
{
	size_t nl = strlen(name), n;
	DWORD err;
	wchar_t *p;
	WIN32_FIND_DATAW fd;
	HANDLE h;
	int r;

	if (!(p = final_path(d->h, nl + 2, &n)))
		return -1;
	if (!is_sep(p[n - 1]))
		p[n++] = L'\\';
	utf8_to_utf16(name, nl, (uint16_t *)p + n);
	for (wchar_t *c = p + n; *c; c++)
		if (*c == L'/')
			*c = L'\\'; /* \\?\ paths are taken as they are */
	h = CreateFileW(p, FILE_READ_ATTRIBUTES,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, OPEN_EXISTING,
			FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT,
			NULL);
	if (h != INVALID_HANDLE_VALUE) {
		if ((r = win_handle_info(h, i)) < 0)
			err = GetLastError();
		CloseHandle(h);
	} else {
		r = -1;
		err = GetLastError();
		if (err != ERROR_ACCESS_DENIED &&
		    err != ERROR_SHARING_VIOLATION) {
			/* not there, or no such directory now */
		} else if (find_entry(p, &fd) == 0) {
			i->ino = 0;
			i->size = (int64_t)((uint64_t)fd.nFileSizeHigh << 32 |
					    fd.nFileSizeLow);
			i->mtime = ft_ns(fd.ftLastWriteTime);
			i->ctime = 0;
			i->dev = d->dev;
			i->nlink = 0;
			i->type = win_type(fd.dwFileAttributes,
					   fd.dwReserved0);
			r = 0;
		} else if (GetLastError() == ERROR_FILE_NOT_FOUND) {
			err = ERROR_FILE_NOT_FOUND; /* gone since */
		}
	}
	free(p);
	if (r < 0)
		errno = win_errno(err);
	return r;
}

/* The path of what H is open on as sys_realpath() gives it: without
 * the \\?\ prefix (\\?\UNC\server as \\server), in UTF-8, with '/'. */
static char *
canonical(HANDLE h)
{
	size_t n, skip = 0;
	wchar_t *p = final_path(h, 1, &n);
	char *s;
	if (!p)
		return NULL;
	if (n >= 8 && !wcsncmp(p, L"\\\\?\\UNC\\", 8)) {
		skip = 6;
		p[6] = L'\\';
	} else if (n >= 4 && !wcsncmp(p, L"\\\\?\\", 4)) {
		skip = 4;
	}
	s = win_utf8(p + skip, n - skip);
	free(p);
	for (char *c = s; c && *c; c++)
		if (*c == '\\')
			*c = '/';
	return s;
}

char *
sys_realpath(const char *path)
{
	wchar_t *w = win_wide_path(path);
	HANDLE h;
	DWORD err;
	char *s;
	if (!w)
		return NULL;
	h = CreateFileW(w, FILE_READ_ATTRIBUTES,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
	err = GetLastError();
	free(w);
	if (h == INVALID_HANDLE_VALUE) {
		errno = win_errno(err);
		return NULL;
	}
	s = canonical(h);
	CloseHandle(h);
	return s;
}

/* The handle under the C runtime's descriptor FD if it is a file on
 * disk; else INVALID_HANDLE_VALUE, and *OTHER set if it is something
 * else (a console, a pipe, NUL). */
static HANDLE
disk_handle(int fd, int *other)
{
	HANDLE h = (HANDLE)_get_osfhandle(fd);
	*other = 0;
	if (h == INVALID_HANDLE_VALUE) {
		errno = EBADF;
		return h;
	}
	if (GetFileType(h) != FILE_TYPE_DISK) {
		*other = 1;
		errno = ENOENT;
		return INVALID_HANDLE_VALUE;
	}
	return h;
}

int
sys_fd_info(int fd, struct sys_info *i)
{
	int other;
	HANDLE h = disk_handle(fd, &other);
	if (h == INVALID_HANDLE_VALUE) {
		if (!other)
			return -1;
		memset(i, 0, sizeof *i);
		i->type = SYS_OTHER;
		return 0;
	}
	if (win_handle_info(h, i) < 0) {
		errno = win_errno(GetLastError());
		return -1;
	}
	return 0;
}

char *
sys_fd_path(int fd)
{
	int other;
	HANDLE h = disk_handle(fd, &other);
	return h == INVALID_HANDLE_VALUE ? NULL : canonical(h);
}

/* Room for the records of one query: 64 KiB, the most an SMB server is
 * sure to take. */
#define PDIR_BUF 65536

/*
 * The listing comes in FILE_ID_BOTH_DIR_INFO records, which hold all a
 * sys_info has but the link count: no call per entry, STAT or not.
 * What they say is the directory's index, which NTFS updates lazily: the
 * size and times of a file that a writer holds open may lag behind the
 * file's own (sys_pdir_stat's) until it is closed.  An entry whose
 * deletion is pending is still listed, as its name is still taken.
 *
 * Hazard: it reads a handle of its own, ReOpenFile()'d from the held one
 * (the same directory, whatever its name now), as sys_posix.c does with
 * openat(fd, "."): an open and a close per listing.  Restarting the held
 * handle's enumeration would do on Windows, but Wine 8 reads a handle's
 * names once and never again; and a handle of its own per listing has
 * no cursor for two listings to share.
 */
int
sys_pdir_list(struct sys_pdir *d, int stat,
	      int (*fn)(void *ctx, const char *name, size_t len,
			const struct sys_info *i),
	      void *ctx)
{
	const size_t head = offsetof(FILE_ID_BOTH_DIR_INFO, FileName);
	/* the records, then room for any name they can hold, in UTF-8 */
	unsigned char *buf = malloc(PDIR_BUF + 3 * (PDIR_BUF / 2) + 1);
	char *name = (char *)buf + PDIR_BUF;
	FILE_INFO_BY_HANDLE_CLASS cls = FileIdBothDirectoryRestartInfo;
	int r = 0, e;
	DWORD err;
	HANDLE h;

	(void)stat;
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	h = ReOpenFile(d->h, FILE_LIST_DIRECTORY,
		       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
		       FILE_FLAG_BACKUP_SEMANTICS);
	if (h == INVALID_HANDLE_VALUE) {
		struct sys_info self;
		err = GetLastError();
		/* a directory whose deletion is pending cannot be opened
		 * again: it is gone, as ENOENT says on POSIX */
		if (err == ERROR_ACCESS_DENIED && sys_pdir_self(d, &self) == 0 &&
		    self.nlink == 0)
			err = ERROR_FILE_NOT_FOUND;
		free(buf);
		errno = win_errno(err);
		return -1;
	}
	while (r == 0) {
		size_t off = 0, next;
		if (!GetFileInformationByHandleEx(h, cls, buf, PDIR_BUF)) {
			err = GetLastError();
			/* the end; or, at the start, nothing at all: a root
			 * has no "." and ".." */
			if (err != ERROR_NO_MORE_FILES &&
			    !(err == ERROR_FILE_NOT_FOUND &&
			      cls == FileIdBothDirectoryRestartInfo)) {
				errno = win_errno(err);
				r = -1;
			}
			break;
		}
		cls = FileIdBothDirectoryInfo;
		do {
			const FILE_ID_BOTH_DIR_INFO *f =
				(const FILE_ID_BOTH_DIR_INFO *)(buf + off);
			const WCHAR *fname = f->FileName;
			struct sys_info i;
			size_t units, len;
			if (off + head > PDIR_BUF ||
			    f->FileNameLength > PDIR_BUF - off - head) {
				errno = EIO; /* no record from a sane driver */
				r = -1;
				break;
			}
			next = f->NextEntryOffset;
			units = f->FileNameLength / 2;
			if ((units == 1 || units == 2) && fname[0] == L'.' &&
			    (units == 1 || fname[1] == L'.'))
				continue;
			len = utf16_to_utf8((const uint16_t *)fname, units, name);
			i.ino = (uint64_t)f->FileId.QuadPart;
			i.size = f->EndOfFile.QuadPart;
			i.mtime = win_ns(f->LastWriteTime.QuadPart);
			i.ctime = win_ns(f->ChangeTime.QuadPart);
			/* EaSize holds the reparse tag of a reparse point */
			i.type = win_type(f->FileAttributes,
					  f->FileAttributes &
							  FILE_ATTRIBUTE_REPARSE_POINT
						  ? f->EaSize
						  : 0);
			i.dev = d->dev;
			i.nlink = 0; /* not in the records: unknown */
			if (fn(ctx, name, len, &i) < 0) {
				r = -1;
				break;
			}
		} while (next && (off += next) < PDIR_BUF);
	}
	e = errno;
	CloseHandle(h);
	free(buf);
	errno = e;
	return r;
}
