/*
 * fs.c: file systems as a whole: statfs and fstatfs on statfs64 and
 * fstatfs64 (which take the size of the caller's struct, 88 bytes on rv32),
 * mount, umount and umount2 (rv32 has only umount2), and sync.
 */
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "glue.h"

_Static_assert(sizeof(struct statfs) == 88, "struct statfs is rv32's struct statfs64");

int statfs(const char *path, struct statfs *buf)
{
	return glue_result(syscall3(SYS_statfs64, (long)path, sizeof(*buf), (long)buf));
}

int fstatfs(int fd, struct statfs *buf)
{
	return glue_result(syscall3(SYS_fstatfs64, fd, sizeof(*buf), (long)buf));
}

int mount(const char *source, const char *target, const char *fstype, unsigned long flags,
	  const void *data)
{
	return glue_result(syscall5(SYS_mount, (long)source, (long)target, (long)fstype,
				    (long)flags, (long)data));
}

int umount2(const char *target, int flags)
{
	return glue_result(syscall2(SYS_umount2, (long)target, flags));
}

int umount(const char *target)
{
	return umount2(target, 0);
}

/* Cannot fail. */
void sync(void)
{
	syscall0(SYS_sync);
}
