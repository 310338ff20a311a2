/*
 * file.c: picolibc's file hooks and the POSIX calls on open descriptors:
 * open, openat, creat, close, read, write, pread, pwrite, readv, writev,
 * lseek, ftruncate, truncate, fsync, fdatasync, fcntl, and the descriptor
 * calls pipe, pipe2, dup, dup2 and dup3. They sit on the Linux rv32 calls
 * openat, close, read, write, pread64, pwrite64, readv, writev, _llseek,
 * ftruncate64, truncate64, fsync, fdatasync, fcntl64, pipe2, dup and dup3,
 * translating picolibc's O_*, F_* and lock values to and from the kernel's.
 * Offsets and lengths are picolibc's 32-bit off_t; the kernel takes 64
 * bits, which go as two registers, low word first.
 */
#define _GNU_SOURCE /* pipe2 and dup3 prototypes */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/uio.h>
#include <unistd.h>

#include "glue.h"

/* The two registers a 64-bit syscall argument takes on rv32. */
#define LOW_WORD(value) ((long)(int64_t)(value))
#define HIGH_WORD(value) ((long)((int64_t)(value) >> 32))

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

#define OPEN_FLAG_COUNT (sizeof(open_flags) / sizeof(open_flags[0]))

static long linux_open_flags(int flags)
{
	long out = flags & LINUX_O_ACCMODE;

	for (unsigned i = 0; i < OPEN_FLAG_COUNT; i++)
		if (flags & open_flags[i].picolibc)
			out |= open_flags[i].linux;
	return out;
}

/* F_GETFL's answer in picolibc's values; bits picolibc has no name for (O_LARGEFILE) drop. */
static int picolibc_open_flags(long flags)
{
	int out = (int)(flags & LINUX_O_ACCMODE);

	for (unsigned i = 0; i < OPEN_FLAG_COUNT; i++)
		if ((flags & open_flags[i].linux) == open_flags[i].linux)
			out |= open_flags[i].picolibc;
	return out;
}

int openat(int dirfd, const char *path, int flags, ...)
{
	long mode = 0;

	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	return glue_result(syscall4(SYS_openat, glue_at_fd(dirfd), (long)path,
				    linux_open_flags(flags), mode));
}

int open(const char *path, int flags, ...)
{
	int mode = 0;

	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	return openat(AT_FDCWD, path, flags, mode);
}

int creat(const char *path, mode_t mode)
{
	return openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
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

ssize_t pread(int fd, void *buf, size_t count, off_t offset)
{
	return glue_result(syscall5(SYS_pread64, fd, (long)buf, (long)count, LOW_WORD(offset),
				    HIGH_WORD(offset)));
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	return glue_result(syscall5(SYS_pwrite64, fd, (long)buf, (long)count, LOW_WORD(offset),
				    HIGH_WORD(offset)));
}

ssize_t readv(int fd, const struct iovec *iov, int count)
{
	return glue_result(syscall3(SYS_readv, fd, (long)iov, count));
}

ssize_t writev(int fd, const struct iovec *iov, int count)
{
	return glue_result(syscall3(SYS_writev, fd, (long)iov, count));
}

/* _llseek takes the offset high word first and stores the 64-bit result through a pointer. */
off_t lseek(int fd, off_t offset, int whence)
{
	int64_t result;
	long ret = syscall5(SYS_llseek, fd, HIGH_WORD(offset), LOW_WORD(offset), (long)&result,
			    whence);

	if (glue_result(ret) < 0)
		return -1;
	if (result > INT32_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	return (off_t)result;
}

int ftruncate(int fd, off_t length)
{
	return glue_result(syscall3(SYS_ftruncate64, fd, LOW_WORD(length), HIGH_WORD(length)));
}

int truncate(const char *path, off_t length)
{
	return glue_result(
		syscall3(SYS_truncate64, (long)path, LOW_WORD(length), HIGH_WORD(length)));
}

int fsync(int fd)
{
	return glue_result(syscall1(SYS_fsync, fd));
}

int fdatasync(int fd)
{
	return glue_result(syscall1(SYS_fdatasync, fd));
}

/* picolibc's lock types (F_RDLCK 1, F_WRLCK 2, F_UNLCK 3) as Linux's (0, 1, 2), or -1. */
static int linux_lock_type(short type)
{
	switch (type) {
	case F_RDLCK:
		return LINUX_F_RDLCK;
	case F_WRLCK:
		return LINUX_F_WRLCK;
	case F_UNLCK:
		return LINUX_F_UNLCK;
	default:
		return -1;
	}
}

static short picolibc_lock_type(int type)
{
	switch (type) {
	case LINUX_F_RDLCK:
		return F_RDLCK;
	case LINUX_F_WRLCK:
		return F_WRLCK;
	default:
		return F_UNLCK;
	}
}

/*
 * F_GETLK, F_SETLK, F_SETLKW through struct flock64 (fcntl64's 64-bit lock
 * commands). picolibc's struct flock has a 32-bit l_start and l_len and a
 * short l_pid, so F_GETLK reports EOVERFLOW for a lock beyond 2 GiB, and the
 * low 16 bits of the holder's pid.
 */
static int record_lock(int fd, long linux_cmd, struct flock *lock)
{
	int type = linux_lock_type(lock->l_type);
	struct linux_flock64 kernel = {
		.l_type = (int16_t)type,
		.l_whence = lock->l_whence,
		.l_start = lock->l_start,
		.l_len = lock->l_len,
	};

	if (type < 0) {
		errno = EINVAL;
		return -1;
	}
	if (glue_result(syscall3(SYS_fcntl64, fd, linux_cmd, (long)&kernel)) < 0)
		return -1;
	if (linux_cmd != LINUX_F_GETLK64)
		return 0;
	if (kernel.l_start > INT32_MAX || kernel.l_len > INT32_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	lock->l_type = picolibc_lock_type(kernel.l_type);
	lock->l_whence = kernel.l_whence;
	lock->l_start = (long)kernel.l_start;
	lock->l_len = (long)kernel.l_len;
	lock->l_pid = (short)kernel.l_pid;
	return 0;
}

/*
 * The commands POSIX defines: F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD
 * (FD_CLOEXEC is 1 in both), F_GETFL, F_SETFL (O_* translated), F_GETLK,
 * F_SETLK and F_SETLKW; anything else is EINVAL.
 */
int fcntl(int fd, int cmd, ...)
{
	long arg = 0;

	if (cmd != F_GETFD && cmd != F_GETFL) {
		va_list ap;

		va_start(ap, cmd);
		arg = va_arg(ap, long);
		va_end(ap);
	}
	switch (cmd) {
	case F_DUPFD:
		return glue_result(syscall3(SYS_fcntl64, fd, LINUX_F_DUPFD, arg));
	case F_DUPFD_CLOEXEC:
		return glue_result(syscall3(SYS_fcntl64, fd, LINUX_F_DUPFD_CLOEXEC, arg));
	case F_GETFD:
		return glue_result(syscall2(SYS_fcntl64, fd, LINUX_F_GETFD));
	case F_SETFD:
		return glue_result(syscall3(SYS_fcntl64, fd, LINUX_F_SETFD, arg));
	case F_GETFL: {
		long flags = glue_result(syscall2(SYS_fcntl64, fd, LINUX_F_GETFL));

		return flags < 0 ? -1 : picolibc_open_flags(flags);
	}
	case F_SETFL:
		return glue_result(syscall3(SYS_fcntl64, fd, LINUX_F_SETFL,
					    linux_open_flags((int)arg)));
	case F_GETLK:
		return record_lock(fd, LINUX_F_GETLK64, (struct flock *)arg);
	case F_SETLK:
		return record_lock(fd, LINUX_F_SETLK64, (struct flock *)arg);
	case F_SETLKW:
		return record_lock(fd, LINUX_F_SETLKW64, (struct flock *)arg);
	default:
		errno = EINVAL;
		return -1;
	}
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
