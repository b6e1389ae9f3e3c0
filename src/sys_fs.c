/*
 * sys_fs.c - what the filesystems are, for sys.h on POSIX systems: the
 * pseudo filesystems that report nothing (sys_fs_note), the ones where a
 * change made elsewhere reaches no kernel notification (sys_fs_blind,
 * sys_fs_type), and the mount table's word on mounts below a directory
 * (sys_mounts_below).  Run on Linux; the BSDs' and macOS's branches
 * follow their statfs(2) and are built only there.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sys.h"

#ifdef __linux__
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || \
	defined(__DragonFly__)
#include <sys/param.h>
#include <sys/mount.h>
#define HAVE_FSTYPENAME 1
#endif

const char *
sys_fs_note(const char *path)
{
#ifdef __linux__
	static const struct {
		unsigned long magic;
		const char *note;
	} fs[] = {
		{ 0x9fa0, "proc, a pseudo filesystem: its contents change "
			  "without events, so almost nothing will be reported" },
		{ 0x62656572, "sysfs, a pseudo filesystem: its contents change "
			      "without events, so almost nothing will be "
			      "reported" },
		{ 0x27e0eb, "cgroupfs: only some of its files report changes" },
		{ 0x63677270, "cgroup2: only some of its files report changes" },
		{ 0x64626720, "debugfs, a pseudo filesystem: changes are not "
			      "reported" },
		{ 0x74726163, "tracefs, a pseudo filesystem: changes are not "
			      "reported" },
	};
	struct statfs st;
	if (statfs(path, &st) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
		if ((unsigned long)st.f_type == fs[i].magic)
			return fs[i].note;
#else
	(void)path;
#endif
	return NULL;
}

#ifdef __linux__
/* statfs f_type of the filesystems where a change made elsewhere reaches
 * no inotify or fanotify mark (linux/magic.h and the filesystems' own). */
static const unsigned long blind_magic[] = {
	0x6969,     /* nfs, nfs4 */
	0x517b,     /* smbfs */
	0xff534d42, /* cifs */
	0xfe534d42, /* smb2, smb3 */
	0x01021997, /* 9p: WSL2's drives, QEMU shares */
	0x65735546, /* fuse: sshfs, rclone, bindfs, virtiofs, Docker Desktop */
	0x00c36400, /* ceph */
	0x5346414f, /* afs */
	0x6b414653, /* kafs */
	0x73757245, /* coda */
	0x786f4256, /* vboxsf */
	0x01161970, /* gfs2 */
	0x7461636f, /* ocfs2 */
	0x0bd00bd0, /* lustre */
	0x47504653, /* gpfs */
};

/* The type that /proc/self/mountinfo gives the mount of device DEV
 * ("fuse.sshfs" where f_type only says FUSE); "" if not found. */
static void
mount_type(dev_t dev, char *type, size_t n)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char *line = NULL, *p;
	size_t cap = 0;
	unsigned ma, mi;
	if (n)
		type[0] = '\0';
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		/* "ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTS... - TYPE SRC" */
		if (sscanf(line, "%*u %*u %u:%u", &ma, &mi) != 2 ||
		    ma != major(dev) || mi != minor(dev) ||
		    !(p = strstr(line, " - ")))
			continue;
		p += 3;
		size_t k = strcspn(p, " \n");
		if (n && k < n) {
			memcpy(type, p, k);
			type[k] = '\0';
		}
		break;
	}
	free(line);
	fclose(f);
}
#endif

int
sys_fs_blind(const char *path, uint64_t *dev)
{
	struct stat st;
#ifdef __linux__
	struct statfs sf;
	size_t i = 0, n = sizeof blind_magic / sizeof blind_magic[0];
	if (statfs(path, &sf) < 0)
		return 0;
	while (i < n && (unsigned long)sf.f_type != blind_magic[i])
		i++;
	if (i == n)
		return 0;
#elif defined(HAVE_FSTYPENAME)
	/* Not built here: written from the BSDs' and macOS's statfs(2).
	 * Remote is what the system says is not local, and FUSE is any
	 * type named after it (macfuse, osxfuse, fusefs.sshfs). */
	struct statfs sf;
	if (statfs(path, &sf) < 0 ||
	    ((sf.f_flags & MNT_LOCAL) && !strstr(sf.f_fstypename, "fuse")))
		return 0;
#else
	return 0;
#endif
	if (stat(path, &st) < 0)
		return 0;
	*dev = (uint64_t)st.st_dev;
	return 1;
}

void
sys_fs_type(const char *path, uint64_t dev, char *type, size_t n)
{
	if (!n)
		return;
	type[0] = '\0';
#ifdef __linux__
	struct statfs sf;
	mount_type((dev_t)dev, type, n);
	if (!type[0] && statfs(path, &sf) == 0)
		snprintf(type, n, "a filesystem of type 0x%lx",
			 (unsigned long)sf.f_type);
#elif defined(HAVE_FSTYPENAME)
	struct statfs sf;
	(void)dev;
	if (statfs(path, &sf) == 0)
		snprintf(type, n, "%s", sf.f_fstypename);
#else
	(void)path;
	(void)dev;
#endif
	if (!type[0])
		snprintf(type, n, "a network filesystem");
}

#ifdef __linux__
/* A mount point as /proc/self/mountinfo writes it, octal escapes (\040
 * for a space, \011, \012, \134) undone in place. */
static void
unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Is mount point M strictly below directory D (canonical, DL bytes)? */
static int
below(const char *m, const char *d, size_t dl)
{
	if (dl == 1 && d[0] == '/')
		return m[0] == '/' && m[1] != '\0';
	return !strncmp(m, d, dl) && m[dl] == '/' && m[dl + 1] != '\0';
}
#endif

int
sys_mounts_below(const char *path)
{
#ifdef __linux__
	char *real = realpath(path, NULL), *line = NULL;
	size_t cap = 0, rl;
	int found = 0;
	FILE *f;
	if (!real)
		return -1;
	rl = strlen(real);
	if (!(f = fopen("/proc/self/mountinfo", "r"))) {
		free(real);
		return -1;
	}
	/* "ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTS..." */
	while (!found && getline(&line, &cap, f) > 0) {
		char *p = line;
		for (int i = 0; i < 4 && p; i++)
			if ((p = strchr(p, ' ')))
				p++;
		if (!p)
			continue;
		p[strcspn(p, " \n")] = '\0';
		unescape(p);
		found = below(p, real, rl);
	}
	free(line);
	fclose(f);
	free(real);
	return found;
#else
	(void)path;
	return -1;
#endif
}
