/*
 * file.c: picolibc's file hooks (open, close, read, write, lseek, fstat,
 * stat, unlink) and the descriptor calls pipe, pipe2, dup, dup2 and dup3, on
 * top of the Linux rv32 calls openat, close, read, write, _llseek, statx,
 * unlinkat, pipe2, dup, dup3 and fcntl64, translating picolibc's flag values
 * and struct stat to and from the kernel's.
 */
#define _GNU_SOURCE /* pipe2 and dup3 prototypes */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glue.h"

/* Each picolibc O_* bit beyond the access mode, with its Linux value. */
static const struct {
	int picolibc;
	int linux;
} open_flags[] = {
	{ O_CREAT, LINUX_O_CREAT },
	{ O_EXCL, LINUX_O_EXCL },
	{ O_NOCTTY, LINUX_O_NOCTTY },
	{ O_TRUNC, LINUX_O_TRUNC },
	{ O_APPEND, LINUX_O_APPEND },
	{ O_NONBLOCK, LINUX_O_NONBLOCK },
	{ O_SYNC, LINUX_O_SYNC },
	{ O_DIRECT, LINUX_O_DIRECT },
	{ O_DIRECTORY, LINUX_O_DIRECTORY },
	{ O_NOFOLLOW, LINUX_O_NOFOLLOW },
	{ O_CLOEXEC, LINUX_O_CLOEXEC },
	{ O_SEARCH, LINUX_O_PATH },
};

static long linux_open_flags(int flags)
{
	long out = flags & LINUX_O_ACCMODE;

	for (unsigned i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++)
		if (flags & open_flags[i].picolibc)
			out |= open_flags[i].linux;
	return out;
}

int open(const char *path, int flags, ...)
{
	long mode = 0;

	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	return glue_result(syscall4(SYS_openat, LINUX_AT_FDCWD, (long)path,
				    linux_open_flags(flags), mode));
}

int close(int fd)
{
	return glue_result(syscall1(SYS_close, fd));
}

ssize_t read(int fd, void *buf, size_t count)
{
	return glue_result(syscall3(SYS_read, fd, (long)buf, (long)count));
}

ssize_t write(int fd, const void *buf, size_t count)
{
	return glue_result(syscall3(SYS_write, fd, (long)buf, (long)count));
}

off_t lseek(int fd, off_t offset, int whence)
{
	int64_t result;
	long ret = syscall5(SYS_llseek, fd, (long)((int64_t)offset >> 32), (long)offset,
			    (long)&result, whence);

	if (glue_result(ret) < 0)
		return -1;
	if (result > INT32_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	return (off_t)result;
}

static int stat_from_statx(const struct linux_statx *sx, struct stat *st)
{
	if (sx->stx_size > INT32_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	/* Linux's new_encode_dev() packing of major:minor. */
	st->st_dev = (dev_t)((sx->stx_dev_minor & 0xff) | (sx->stx_dev_major << 8) |
			     ((sx->stx_dev_minor & ~0xffu) << 12));
	st->st_ino = (ino_t)sx->stx_ino;
	st->st_mode = sx->stx_mode;
	st->st_nlink = (nlink_t)sx->stx_nlink;
	st->st_uid = (uid_t)sx->stx_uid;
	st->st_gid = (gid_t)sx->stx_gid;
	st->st_rdev = (dev_t)((sx->stx_rdev_minor & 0xff) | (sx->stx_rdev_major << 8) |
			      ((sx->stx_rdev_minor & ~0xffu) << 12));
	st->st_size = (off_t)sx->stx_size;
	st->st_blksize = (blksize_t)sx->stx_blksize;
	st->st_blocks = (blkcnt_t)sx->stx_blocks;
	st->st_atim.tv_sec = sx->stx_atime.tv_sec;
	st->st_atim.tv_nsec = (long)sx->stx_atime.tv_nsec;
	st->st_mtim.tv_sec = sx->stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = (long)sx->stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = sx->stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = (long)sx->stx_ctime.tv_nsec;
	return 0;
}

static int do_statx(int dirfd, const char *path, int flags, struct stat *st)
{
	struct linux_statx sx;
	long ret = syscall5(SYS_statx, dirfd, (long)path, flags, LINUX_STATX_BASIC_STATS,
			    (long)&sx);

	if (glue_result(ret) < 0)
		return -1;
	return stat_from_statx(&sx, st);
}

int fstat(int fd, struct stat *st)
{
	return do_statx(fd, "", LINUX_AT_EMPTY_PATH, st);
}

int stat(const char *path, struct stat *st)
{
	return do_statx(LINUX_AT_FDCWD, path, 0, st);
}

int unlink(const char *path)
{
	return glue_result(syscall3(SYS_unlinkat, LINUX_AT_FDCWD, (long)path, 0));
}

int pipe2(int fds[2], int flags)
{
	int linux_fds[2];

	if (flags & ~(O_CLOEXEC | O_NONBLOCK)) {
		errno = EINVAL;
		return -1;
	}
	if (glue_result(syscall2(SYS_pipe2, (long)linux_fds, linux_open_flags(flags))) < 0)
		return -1;
	fds[0] = linux_fds[0];
	fds[1] = linux_fds[1];
	return 0;
}

int pipe(int fds[2])
{
	return pipe2(fds, 0);
}

int dup(int fd)
{
	return glue_result(syscall1(SYS_dup, fd));
}

int dup3(int fd, int new_fd, int flags)
{
	if (flags & ~O_CLOEXEC) {
		errno = EINVAL;
		return -1;
	}
	return glue_result(syscall3(SYS_dup3, fd, new_fd, linux_open_flags(flags)));
}

/* rv32 has no dup2: dup3 does the work, except that dup3 rejects fd == new_fd. */
int dup2(int fd, int new_fd)
{
	if (fd == new_fd) {
		if (glue_result(syscall2(SYS_fcntl64, fd, LINUX_F_GETFD)) < 0)
			return -1;
		return fd;
	}
	return glue_result(syscall3(SYS_dup3, fd, new_fd, 0));
}
