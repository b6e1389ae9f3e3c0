/*
 * watch_fanotify.c - the fanotify backend: one filesystem mark per
 * filesystem the PATHs are on (FAN_MARK_FILESYSTEM), events reported
 * with the directory's file handle and the entry's name
 * (FAN_REPORT_DFID_NAME_TARGET), a rename as one event with both names
 * (FAN_RENAME).  Linux 5.17 or later, and CAP_SYS_ADMIN.
 *
 * Two ways to watch a directory, both on that mark:
 *   - Whole (BE_WANT_SUBTREE, which the core asks for where it will not
 *     walk: core/treeless.c).  One id for the tree; each event's
 *     directory is found by its handle (fan_paths.c: open_by_handle_at,
 *     taken back through the renames read with it, so that a path is the
 *     one of the event's moment) and placed below the PATH it is in
 *     (fan_subtree.c), the rest of the filesystem dropped there.  Setup
 *     is one call whatever the tree; memory is the paths kept for the
 *     directories in use.  Needs CAP_DAC_READ_SEARCH; without it watch()
 *     says EOPNOTSUPP and the core walks.
 *   - One directory (the core walks, as with inotify: --snapshot, git's
 *     rules, -L, a mount below, file PATHs' directories).  Its handle is
 *     filed under a new id (fhmap.c); an event in it becomes a record on
 *     that id, named by its entry, and paths are the core's, from its
 *     tree.
 *
 * What the records promise (backend.h): BE_CAP_ISDIR (FAN_ONDIR is
 * asked for), BE_CAP_RENAME_PAIRED (both halves come from one event),
 * BE_CAP_BIRTH_WRITES (the mark covers a new file from its birth), and
 * BE_CAP_SELF_NEWS: news about a directory itself (attrib, open, close)
 * comes on its own id, since fanotify names a directory's own events by
 * the directory and ".", not by its parent and its name.  Not
 * BE_CAP_SELF_RECORDS: a directory's end is made from its parent's
 * delete or rename (fan_parse.c), which an unmount does not send.
 * BE_CAP_SUBTREE and BE_CAP_NO_WALK for a tree watched whole: a
 * subdirectory's own news comes as an entry of the tree, by its path.
 *
 * What it cannot report, as inotify does: news about a directory that is
 * not watched itself (without -r, "chmod sub" in a watched directory);
 * unmounts (a filesystem mark ends without an event).  What it reports
 * that inotify does not: changes made through any mount of the
 * filesystem (a bind mount elsewhere), and in a directory made an
 * instant ago, before fwatch had watched it.
 *
 * Hazards: the mark sees the whole filesystem, so fwatch reads every
 * change on it and drops those outside the PATHs; they share the kernel
 * queue (fs.fanotify.max_queued_events) with ours, so a busy filesystem
 * overflows it sooner (an overflow record and a rescan, as with
 * inotify).
 */
#define _GNU_SOURCE
#include "fan_backend.h"

#if HAVE_FANOTIFY
/* fan_parse.c reads the kernel's layout without its header: check here
 * that both agree. */
_Static_assert(FP_META_LEN == sizeof(struct fanotify_event_metadata),
	       "fanotify metadata size");
_Static_assert(FP_META_VERSION == FANOTIFY_METADATA_VERSION,
	       "fanotify metadata version");
_Static_assert(FP_FID_HEAD + 8 == offsetof(struct fanotify_event_info_fid,
					   handle), "fanotify fid layout");
_Static_assert(FP_KEY_HEAD == 8 + sizeof(struct file_handle),
	       "file handle layout");
_Static_assert(FP_ACCESS == FAN_ACCESS && FP_MODIFY == FAN_MODIFY &&
		       FP_ATTRIB == FAN_ATTRIB &&
		       FP_CLOSE_WRITE == FAN_CLOSE_WRITE &&
		       FP_CLOSE_NOWRITE == FAN_CLOSE_NOWRITE &&
		       FP_OPEN == FAN_OPEN && FP_CREATE == FAN_CREATE &&
		       FP_DELETE == FAN_DELETE &&
		       FP_Q_OVERFLOW == FAN_Q_OVERFLOW &&
		       FP_RENAME == FAN_RENAME && FP_ONDIR == FAN_ONDIR,
	       "fanotify event bits");
_Static_assert(FP_INFO_FID == FAN_EVENT_INFO_TYPE_FID &&
		       FP_INFO_DFID_NAME == FAN_EVENT_INFO_TYPE_DFID_NAME &&
		       FP_INFO_DFID == FAN_EVENT_INFO_TYPE_DFID &&
		       FP_INFO_OLD_DFID_NAME ==
			       FAN_EVENT_INFO_TYPE_OLD_DFID_NAME &&
		       FP_INFO_NEW_DFID_NAME ==
			       FAN_EVENT_INFO_TYPE_NEW_DFID_NAME,
	       "fanotify info types");

/* ---- starting ------------------------------------------------------- */

/* 1 if this process has capability CAP; when the kernel will not say,
 * what needs it will. */
static int
capable(unsigned cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	if (syscall(SYS_capget, &h, d) < 0)
		return 1;
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

static int
be_open(struct backend **out, const struct be_env *env)
{
	/* a file costs the same as a directory: nothing is asked of env
	 * but hup_fd */
	struct backend *b;
	int e;
	if (!capable(CAP_SYS_ADMIN)) {
		errno = EPERM;
		return -1;
	}
	if (!(b = calloc(1, sizeof *b)))
		return -1;
	b->hup_fd = env && env->hup_fd > 0 ? env->hup_fd : -1;
	b->by_handle = capable(CAP_DAC_READ_SEARCH);
	b->fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK |
				      FAN_REPORT_DFID_NAME_TARGET,
			      O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	fhmap_init(&b->dirs);
	fan_subs_init(&b->subs);
	b->buf = MAP_FAILED;
	b->wake.fd[0] = b->wake.fd[1] = -1;
	if (b->fd < 0) {
		/* EINVAL: flags from after this kernel (before 5.17) */
		e = errno == EINVAL || errno == ENOSYS ? ENOSYS : errno;
		goto fail;
	}
	b->buf = mmap(NULL, READ_BUF, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->buf == MAP_FAILED || wakepipe_open(&b->wake) < 0) {
		e = errno;
		goto fail;
	}
	*out = b;
	return 0;
fail:
	if (b->fd >= 0)
		close(b->fd);
	if (b->buf != MAP_FAILED)
		munmap(b->buf, READ_BUF);
	free(b);
	errno = e;
	return -1;
}

static void
be_close(struct backend *b)
{
	if (!b)
		return;
	close(b->fd);
	wakepipe_close(&b->wake);
	fhmap_free(&b->dirs);
	fan_subs_free(&b->subs);
	fp_free(&b->out);
	for (size_t i = 0; i < b->nfs; i++)
		if (b->fs[i].mfd >= 0)
			close(b->fs[i].mfd);
	free(b->fs);
	free(b->mnts);
	free(b->slash.p);
	munmap(b->buf, READ_BUF);
	free(b);
}

/* ---- watching --------------------------------------------------------- */

/* The kernel's mask for what the core wants. */
static uint64_t
mask_of(unsigned want)
{
	uint64_t m = ALWAYS;
	if (want & BE_WANT_CONTENT)
		m |= FAN_MODIFY;
	if (want & BE_WANT_ATTRIB)
		m |= FAN_ATTRIB;
	if (want & BE_WANT_CLOSE_W)
		m |= FAN_CLOSE_WRITE;
	if (want & BE_WANT_CLOSE_N)
		m |= FAN_CLOSE_NOWRITE;
	if (want & BE_WANT_OPEN)
		m |= FAN_OPEN;
	if (want & BE_WANT_ACCESS)
		m |= FAN_ACCESS;
	return m;
}

/* The number in b->fs of the filesystem whose id is FSID, or -1. */
int
fan_fs_index(const struct backend *b, const unsigned char *fsid)
{
	for (size_t i = 0; i < b->nfs; i++)
		if (!memcmp(b->fs[i].fsid, fsid, sizeof b->fs[i].fsid))
			return (int)i;
	return -1;
}

/* Mark the filesystem of directory PATH (id FSID) unless it is marked
 * for MASK already: its number in b->fs, or -1 with errno. */
static int
mark_fs(struct backend *b, const char *path, const unsigned char *fsid,
	uint64_t mask, unsigned want)
{
	int i = fan_fs_index(b, fsid);
	unsigned fl = FAN_MARK_ADD | FAN_MARK_FILESYSTEM | FAN_MARK_ONLYDIR;
	if (i >= 0 && (b->fs[i].mask | mask) == b->fs[i].mask)
		return i;
	if (i < 0) {
		if (b->nfs > UINT16_MAX) {
			errno = ENOSPC;
			return -1;
		}
		if (GROW(b->fs, b->capfs, b->nfs + 1) < 0)
			return -1;
		i = (int)b->nfs;
		memcpy(b->fs[i].fsid, fsid, sizeof b->fs[i].fsid);
		b->fs[i].mask = 0;
		b->fs[i].mfd = -1;
	}
	if (!(want & BE_FOLLOW))
		fl |= FAN_MARK_DONT_FOLLOW;
	/* Hazard: by path, since an O_PATH descriptor is refused here; a
	 * directory replaced meanwhile by one on another filesystem would
	 * mark that one, whose events then match no directory. */
	if (fanotify_mark(b->fd, fl, b->fs[i].mask | mask, AT_FDCWD, path) < 0)
		return -1;
	b->fs[i].mask |= mask;
	if ((size_t)i == b->nfs)
		b->nfs++;
	return i;
}

/* The map's key (KEY_MAX bytes at most) for handle H of TYPE (HB bytes)
 * on filesystem FS; its length. */
size_t
fan_map_key(unsigned char *key, int fs, int type, const unsigned char *h,
	size_t hb)
{
	key[0] = (unsigned char)fs;
	key[1] = (unsigned char)((unsigned)fs >> 8);
	memcpy(key + 2, &type, 4);
	memcpy(key + 6, h, hb);
	return 6 + hb;
}

/* The id of the filesystem of directory PATH, on mount MNT, into FSID.
 * Hazard: a mount id is reused once its mount is gone, so what was
 * learnt of one is forgotten at each read; a walk (setup, a new
 * subtree) meets few mounts many times, and nothing can unmount and
 * mount again between two of its steps but the rarest race. */
static int
fsid_of(struct backend *b, const char *path, int mnt, unsigned char *fsid)
{
	struct statfs sf;
	size_t i;
	for (i = 0; i < b->nmnts && b->mnts[i].id != mnt; i++)
		;
	if (i == b->nmnts) {
		if (statfs(path, &sf) < 0 ||
		    GROW(b->mnts, b->capmnts, b->nmnts + 1) < 0)
			return -1;
		b->mnts[i].id = mnt;
		memcpy(b->mnts[i].fsid, &sf.f_fsid, sizeof b->mnts[i].fsid);
		b->nmnts++;
	}
	memcpy(fsid, b->mnts[i].fsid, sizeof b->mnts[i].fsid);
	return 0;
}

/* Directory PATH's handle into H and its filesystem's id into FSID.
 * -1 with errno: ENOTDIR if it is no directory.  One system call for
 * most directories (a walk makes one per directory, as
 * inotify_add_watch() would).  Hazard: the trailing '/' that makes the
 * kernel refuse what is not a directory also follows a final symlink,
 * even without BE_FOLLOW: a directory that became a symlink to one
 * between its listing and this call is watched where the link leads. */
static int
handle_of(struct backend *b, const char *path, struct handle *h,
	  unsigned char *fsid)
{
	int mnt;
	b->slash.len = 0;
	if (buf_add(&b->slash, path, strlen(path)) < 0 ||
	    buf_add(&b->slash, "/", 1) < 0)
		return -1;
	h->fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, b->slash.p, &h->fh, &mnt, 0) < 0 ||
	    fsid_of(b, b->slash.p, mnt, fsid) < 0)
		return -1;
	return 0;
}

/* Where directory PATH is, as the kernel names it (readlink of its
 * descriptor), into b->slash; its descriptor kept, if filesystem FS has
 * none yet, to open handles through (not O_PATH: open_by_handle_at()
 * refuses one).  -1 with errno. */
static int
where_is(struct backend *b, const char *path, unsigned want, int fs)
{
	char link[32];
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
				    (want & BE_FOLLOW ? 0 : O_NOFOLLOW)),
	    e = 0;
	if (fd < 0)
		return -1;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	b->slash.len = 0;
	if (fan_link_text(link, &b->slash) < 0)
		e = errno;
	if (!e && b->fs[fs].mfd < 0)
		b->fs[fs].mfd = fd;
	else
		close(fd);
	errno = e;
	return e ? -1 : 0;
}

/* A new id for directory KEY (LEN bytes).  Ids are never reused while
 * records may name an old one, stay below mux.c's POLLED bit, and start
 * far from inotify's (counted from 1): when fanotify takes over
 * (core/large.c), an id mixed up between the two cannot pass for the
 * right one. */
static int
new_id(struct backend *b, const unsigned char *key, size_t len)
{
	if (++b->next_id >= 0x40000000 || b->next_id < FIRST_ID)
		b->next_id = FIRST_ID;
	b->seen[0].len = b->seen[1].len = 0;
	return fhmap_add(&b->dirs, key, len, b->next_id) < 0 ? -1
							   : b->next_id;
}

/* Directory KEY (id ID, -1 if not watched yet) at PATH watched whole:
 * everything below it is named by path (fan_subtree.c).  A directory
 * below one already watched so is that watch's. */
static int
watch_whole(struct backend *b, const char *path, unsigned want, int fs,
	    const unsigned char *key, size_t len, int id)
{
	int cover;
	if (!b->by_handle) {
		/* the core walks the tree instead (backend.h) */
		errno = EOPNOTSUPP;
		return -1;
	}
	if (where_is(b, path, want, fs) < 0)
		return -1;
	if ((cover = fan_subs_cover(&b->subs, b->slash.p, b->slash.len)) >= 0)
		return cover;
	if (id < 0 && (id = new_id(b, key, len)) < 0)
		return -1;
	return fan_subs_add(&b->subs, id, b->slash.p, b->slash.len) < 0 ? -1
									: id;
}

static int
be_watch(struct backend *b, const char *path, unsigned want)
{
	struct handle h;
	unsigned char fsid[8], key[KEY_MAX];
	size_t len;
	int fs, id;
	if (handle_of(b, path, &h, fsid) < 0 ||
	    (fs = mark_fs(b, path, fsid, mask_of(want), want)) < 0)
		return -1;
	len = fan_map_key(key, fs, h.fh.handle_type, h.fh.f_handle,
		      h.fh.handle_bytes);
	id = fhmap_find(&b->dirs, key, len);
	if (want & BE_WANT_SUBTREE)
		return watch_whole(b, path, want, fs, key, len, id);
	if (id >= 0)
		return id;
	return new_id(b, key, len);
}

static int
be_unwatch(struct backend *b, int id)
{
	b->seen[0].len = b->seen[1].len = 0;
	fan_subs_del(&b->subs, id);
	return fhmap_del(&b->dirs, id);
}
/* ---- reading (fan_read.c) --------------------------------------------- */

static int
be_wait(struct backend *b, int timeout_ms)
{
	return fan_wait(b, timeout_ms);
}

static void
be_wake(struct backend *b)
{
	wakepipe_wake(&b->wake);
}

static int
be_read(struct backend *b, const struct fw_raw **recs, int *drained)
{
	return fan_read(b, recs, drained);
}

/* ---- explaining --------------------------------------------------------- */

/* Why a directory could not be watched (B is set) */
static const char *
watch_hint(int err, char *buf, size_t n)
{
	switch (err) {
	case EXDEV:
	case ENODEV:
	case EOPNOTSUPP:
		snprintf(buf, n, "fanotify cannot watch this filesystem (it "
			 "has no file handles fanotify can report, as "
			 "overlayfs, or it is a btrfs subvolume); --backend "
			 "inotify can");
		return buf;
	case EPERM:
		snprintf(buf, n, "fanotify may not mark this filesystem "
			 "(CAP_SYS_ADMIN in the first user namespace is "
			 "needed); --backend inotify can watch it");
		return buf;
	case ENOSPC:
		snprintf(buf, n, "too many fanotify marks "
			 "(fs.fanotify.max_user_marks = %ld)",
			 qread_limit("/proc/sys/fs/fanotify/max_user_marks"));
		return buf;
	}
	return NULL;
}

static const char *
be_limit_hint(struct backend *b, int err, size_t needed, char *buf, size_t n)
{
	(void)needed; /* no limit on directories */
	if (b)
		return watch_hint(err, buf, n);
	switch (err) {
	case EPERM:
		snprintf(buf, n, "fanotify needs the CAP_SYS_ADMIN capability "
			 "(run fwatch as root, or grant it with setcap)");
		return buf;
	case ENOSYS:
		snprintf(buf, n, "this kernel's fanotify cannot report a "
			 "rename with both names (Linux 5.17 or later is "
			 "needed)");
		return buf;
	case EMFILE:
		snprintf(buf, n, "too many fanotify groups "
			 "(fs.fanotify.max_user_groups = %ld), or out of file "
			 "descriptors",
			 qread_limit("/proc/sys/fs/fanotify/max_user_groups"));
		return buf;
	}
	return NULL;
}

#else /* !HAVE_FANOTIFY: headers before Linux 5.17 */

struct backend {
	int unused;
};

static int
be_open(struct backend **out, const struct be_env *env)
{
	(void)out;
	(void)env;
	errno = ENOSYS;
	return -1;
}

static void
be_close(struct backend *b)
{
	(void)b;
}

static int
be_watch(struct backend *b, const char *path, unsigned want)
{
	(void)b;
	(void)path;
	(void)want;
	errno = ENOSYS;
	return -1;
}

static int
be_unwatch(struct backend *b, int id)
{
	(void)b;
	(void)id;
	errno = EINVAL;
	return -1;
}

static int
be_wait(struct backend *b, int timeout_ms)
{
	(void)b;
	(void)timeout_ms;
	errno = ENOSYS;
	return -1;
}

static void
be_wake(struct backend *b)
{
	(void)b;
}

static int
be_read(struct backend *b, const struct fw_raw **recs, int *drained)
{
	(void)b;
	(void)recs;
	*drained = 1;
	errno = ENOSYS;
	return -1;
}

static const char *
be_limit_hint(struct backend *b, int err, size_t needed, char *buf, size_t n)
{
	(void)b;
	(void)err;
	(void)needed;
	snprintf(buf, n, "this fwatch was built with Linux headers older "
		 "than 5.17, without fanotify");
	return buf;
}

#endif

const struct be_ops be_fanotify = {
	.name = "fanotify",
	.about = "Linux fanotify, a mark per filesystem (CAP_SYS_ADMIN, "
		 "Linux 5.17)",
	.caps = BE_CAP_ISDIR | BE_CAP_RENAME_PAIRED | BE_CAP_BIRTH_WRITES |
		BE_CAP_SELF_NEWS | BE_CAP_SUBTREE | BE_CAP_NO_WALK,
	.open = be_open,
	.close = be_close,
	.watch = be_watch,
	.unwatch = be_unwatch,
	.wait = be_wait,
	.wake = be_wake,
	.read = be_read,
	.limit_hint = be_limit_hint,
};
