/*
 * mman.c: memory mappings on Linux: mmap on mmap2 (whose offset counts
 * 4096-byte units, so it must be page-aligned), munmap and mprotect. The
 * PROT_* and MAP_* values in posix_ext.h are Linux's own.
 */
#include <errno.h>
#include <stdint.h>

#include "glue.h"
#include "posix_ext.h"

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
	if (offset < 0 || offset % LINUX_MMAP2_UNIT != 0) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	long ret = syscall6(SYS_mmap2, (long)addr, (long)length, prot, flags, fd,
			    (long)(offset / LINUX_MMAP2_UNIT));
	if (linux_is_error(ret)) {
		glue_set_errno(-ret);
		return MAP_FAILED;
	}
	return (void *)ret;
}

int munmap(void *addr, size_t length)
{
	return glue_result(syscall2(SYS_munmap, (long)addr, (long)length));
}

int mprotect(void *addr, size_t length, int prot)
{
	return glue_result(syscall3(SYS_mprotect, (long)addr, (long)length, prot));
}
