/*
 * fan_backend.h - what the two files of the fanotify backend share:
 * watch_fanotify.c (starting, marks, watches, explaining) and
 * fan_read.c (reading: the queue, the records placed below trees watched
 * whole, reads held back).  Private to them: the core sees backend.h.
 */
#ifndef FWATCH_FAN_BACKEND_H
#define FWATCH_FAN_BACKEND_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backend.h"
#include "qread.h"

#if defined(__linux__)
#include <linux/capability.h>
#include <sys/fanotify.h>
#endif

/* Headers older than Linux 5.17 lack what this backend needs: it is
 * then built as one that says so when asked to start (make unit checks
 * that it builds so, with FWATCH_NO_FANOTIFY). */
#if !defined(FWATCH_NO_FANOTIFY) && defined(FAN_REPORT_DFID_NAME_TARGET) && \
	defined(FAN_RENAME) && defined(FAN_EVENT_INFO_TYPE_OLD_DFID_NAME) && \
	defined(MAX_HANDLE_SZ)
#define HAVE_FANOTIFY 1
#else
#define HAVE_FANOTIFY 0
#endif

#if HAVE_FANOTIFY
#include "fan_parse.h"
#include "fan_subtree.h"
#include "fhmap.h"
#include "strmap.h"
#include "wakepipe.h"

/* Large enough to take the whole kernel queue (16,384 events, about
 * 100 bytes each) in one read: a directory's handle is then resolved
 * with the rest of the queue in view, its delete or rename included
 * (fan_paths.h).  Touched only as far as a read fills it, and given
 * back when idle. */
#define READ_BUF (2 * 1024 * 1024)
/* The longest event: metadata and three fid records with names. */
#define MAX_EVENT 4096
#define KEEP_BUF 4096  /* what stays resident of the buffer when idle */
#define KEEP_RECS 64

#define FIRST_ID 0x100000
#define DEEP 8
#define HOLD_MAX 4

/* Asked of every mark: what the core needs to keep its tree right. */
#define ALWAYS (FAN_CREATE | FAN_DELETE | FAN_RENAME | FAN_ONDIR)

/* A filesystem marked: by its id, as events carry it. */
struct fsmark {
	unsigned char fsid[8];
	uint64_t mask; /* what its mark asks for */
	int mfd;       /* a directory on it (O_PATH), to open handles
			* through; -1 until a subtree watch needs one */
};

/* A mount met since the last read, and the id of its filesystem. */
struct mnt {
	int id;
	unsigned char fsid[8];
};

/* A directory's handle, as name_to_handle_at() gives it. */
struct handle {
	struct file_handle fh;
	unsigned char bytes[MAX_HANDLE_SZ];
};

/* The handle map's key for a directory: the number of its filesystem in
 * b->fs (2 bytes), the handle's type (4) and the handle; 14 bytes on
 * ext4, so that the map keeps it in the entry (fhmap.h). */
#define KEY_MAX (6 + MAX_HANDLE_SZ)

struct backend {
	int fd;
	struct wakepipe wake;
	int hup_fd;            /* be_env.hup_fd, or -1 */
	struct fhmap dirs;     /* handle -> id of every watched directory */
	struct fan_subs subs;  /* the directories watched whole */
	int by_handle;         /* may open handles (CAP_DAC_READ_SEARCH):
				* needed to watch a directory whole */
	/* the last directories found too deep to name (ENAMETOOLONG):
	 * there, and never to be placed */
	unsigned char deep[DEEP][FAN_SUBS_KEY];
	size_t deeplen[DEEP], ndeep;
	int next_id;
	struct fsmark *fs;     /* the filesystems marked */
	size_t nfs, capfs;
	struct mnt *mnts;      /* mounts met since the last read */
	size_t nmnts, capmnts;
	struct buf slash;      /* the path being watched, and a '/' */
	/* the last two keys events brought, and what each found (-1:
	 * nothing): a burst lands in a few directories, and between its
	 * events come others, elsewhere (fwatch's own output to a file):
	 * neither needs a hash then */
	struct {
		unsigned char key[FP_KEY_HEAD + MAX_HANDLE_SZ];
		size_t len;    /* 0: none */
		int id;
	} seen[2];
	struct fp_out out;     /* the records of the last read */
	char *buf;             /* READ_BUF bytes, mapped */
	size_t carry, carry_at; /* events held back from the last read
				* (CARRY bytes at CARRY_AT), read again at
				* the head of the next */
	int held;              /* reads held back in a row */
	size_t dirty;          /* how far reads filled it since a trim */
};

/* watch_fanotify.c */
int fan_fs_index(const struct backend *b, const unsigned char *fsid);
size_t fan_map_key(unsigned char *key, int fs, int type,
		   const unsigned char *h, size_t hb);

/* fan_read.c */
int fan_link_text(const char *link, struct buf *out);
int fan_wait(struct backend *b, int timeout_ms);
int fan_read(struct backend *b, const struct fw_raw **recs, int *drained);

#endif /* HAVE_FANOTIFY */

#endif
