/*
 * sys/mount.h: mounting file systems (picolibc has none), with Linux's flag
 * values, which the glue passes through unchanged.
 */
#ifndef _SYS_MOUNT_H
#define _SYS_MOUNT_H

/* mount flags. */
#define MS_RDONLY 0x1
#define MS_NOSUID 0x2
#define MS_NODEV 0x4
#define MS_NOEXEC 0x8
#define MS_SYNCHRONOUS 0x10
#define MS_REMOUNT 0x20
#define MS_NOATIME 0x400
#define MS_BIND 0x1000
#define MS_MOVE 0x2000
#define MS_REC 0x4000

/* umount2 flags. */
#define MNT_FORCE 0x1
#define MNT_DETACH 0x2
#define MNT_EXPIRE 0x4
#define UMOUNT_NOFOLLOW 0x8

/* data is the file system's own option string (or NULL). */
int mount(const char *source, const char *target, const char *fstype, unsigned long flags,
	  const void *data);
int umount(const char *target);
int umount2(const char *target, int flags);

#endif
