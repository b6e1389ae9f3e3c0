/*
 * sys_win_file.c - sys.h's files on Windows: held files (sys_file_*),
 * and a small file read whole (sys_read_file).
 *
 * A file is held by a handle that shares reading, writing and deleting,
 * so that holding it never stops a writer, nor a rotation: the file may
 * still be renamed, and deleted, while it is held.  What Windows does
 * not promise: a file deleted while held may stay "delete pending" under
 * its name, so that a new file of that name cannot be made until the
 * handle is closed, unless the deleter asked for POSIX semantics (which
 * DeleteFileW does by itself on NTFS since Windows 10 1809).
 */
#include <windows.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "sys.h"
#include "sys_win.h"

struct sys_file {
	HANDLE h;
	uint64_t dev, ino; /* who it is, for sys_file_is and _same */
};

/* PATH opened to be held (ACCESS: what for), never through a reparse
 * point; INVALID_HANDLE_VALUE with errno. */
static HANDLE
open_held(const char *path, DWORD access)
{
	wchar_t *w = win_wide_path(path);
	HANDLE h;
	DWORD err;
	if (!w)
		return INVALID_HANDLE_VALUE;
	h = CreateFileW(w, access,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	err = GetLastError();
	/* a directory cannot be opened without backup semantics: say what
	 * it is, not that access was denied */
	if (h == INVALID_HANDLE_VALUE && err == ERROR_ACCESS_DENIED) {
		DWORD a = GetFileAttributesW(w);
		if (a != INVALID_FILE_ATTRIBUTES &&
		    (a & FILE_ATTRIBUTE_DIRECTORY))
			err = ERROR_DIRECTORY;
	}
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		errno = err == ERROR_DIRECTORY ? EINVAL : win_errno(err);
	return h;
}

struct sys_file *
sys_file_open(const char *path, int read)
{
	FILE_ATTRIBUTE_TAG_INFO t;
	struct sys_file *f;
	HANDLE h = open_held(path, read ? GENERIC_READ : FILE_READ_ATTRIBUTES);
	if (h == INVALID_HANDLE_VALUE)
		return NULL;
	/* a directory, a link, a device: not a file to follow */
	if (!GetFileInformationByHandleEx(h, FileAttributeTagInfo, &t,
					  sizeof t) ||
	    (t.FileAttributes & (FILE_ATTRIBUTE_DIRECTORY |
				 FILE_ATTRIBUTE_REPARSE_POINT)) ||
	    GetFileType(h) != FILE_TYPE_DISK) {
		CloseHandle(h);
		errno = EINVAL;
		return NULL;
	}
	if (!(f = malloc(sizeof *f))) {
		CloseHandle(h);
		errno = ENOMEM;
		return NULL;
	}
	f->h = h;
	if (win_handle_ids(h, &f->ino, &f->dev) < 0)
		f->ino = f->dev = 0; /* unknown: never the same as another */
	return f;
}

void
sys_file_close(struct sys_file *f)
{
	if (f) {
		CloseHandle(f->h);
		free(f);
	}
}

int
sys_file_info(struct sys_file *f, struct sys_info *i)
{
	if (win_handle_info(f->h, i) == 0)
		return 0;
	errno = win_errno(GetLastError());
	return -1;
}

/* ReadFile at an offset: the handle's own position moves too, but
 * nothing else reads through it. */
long long
sys_file_read(struct sys_file *f, int64_t off, void *buf, size_t n)
{
	OVERLAPPED o = { 0 };
	DWORD got = 0, want = n > 0x40000000 ? 0x40000000 : (DWORD)n;
	o.Offset = (DWORD)((uint64_t)off & 0xffffffffu);
	o.OffsetHigh = (DWORD)((uint64_t)off >> 32);
	if (!ReadFile(f->h, buf, want, &got, &o)) {
		DWORD err = GetLastError();
		if (err == ERROR_HANDLE_EOF)
			return 0;
		errno = win_errno(err);
		return -1;
	}
	return got;
}

/* A name whose file is "delete pending" cannot be opened: -1 with
 * EACCES, not knowing whose it is. */
int
sys_file_is(struct sys_file *f, const char *path)
{
	uint64_t ino, dev;
	HANDLE h = open_held(path, FILE_READ_ATTRIBUTES);
	int r;
	if (h == INVALID_HANDLE_VALUE)
		return errno == ENOENT ? 0 : -1;
	r = win_handle_ids(h, &ino, &dev) == 0 && f->ino &&
	    ino == f->ino && dev == f->dev;
	CloseHandle(h);
	return r;
}

int
sys_file_same(struct sys_file *a, struct sys_file *b)
{
	return a->ino && a->ino == b->ino && a->dev == b->dev;
}

/* Shared every way, so that an editor saving the file is not refused. */
int
sys_read_file(const char *path, char *buf, size_t cap, size_t *len)
{
	wchar_t *w = win_wide_path(path);
	HANDLE h;
	DWORD attrs, err;
	size_t got = 0;
	if (!w)
		return -1;
	attrs = GetFileAttributesW(w);
	if (attrs != INVALID_FILE_ATTRIBUTES &&
	    (attrs & FILE_ATTRIBUTE_DIRECTORY)) {
		free(w);
		errno = EISDIR;
		return -1;
	}
	h = CreateFileW(w, GENERIC_READ,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	err = GetLastError();
	free(w);
	if (h == INVALID_HANDLE_VALUE) {
		errno = win_errno(err);
		return -1;
	}
	if (GetFileType(h) != FILE_TYPE_DISK) {
		CloseHandle(h);
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		char extra;
		DWORD want = got < cap ? (DWORD)(cap - got > 0x40000000u
						       ? 0x40000000u
						       : cap - got)
				       : 1, n;
		if (!ReadFile(h, got < cap ? buf + got : &extra, want, &n,
			      NULL)) {
			err = GetLastError();
			CloseHandle(h);
			errno = win_errno(err);
			return -1;
		}
		if (!n)
			break;
		if (got == cap) {
			CloseHandle(h);
			errno = EFBIG;
			return -1;
		}
		got += n;
	}
	CloseHandle(h);
	*len = got;
	return 0;
}
