/*
 * stat.c: a file's attributes. stat, fstat, lstat and fstatat read statx
 * (rv32 has no stat, fstat or newfstatat) and convert its record into
 * picolibc's struct stat, and statx hands over the kernel's record itself;
 * chmod, fchmod and fchmodat set the mode, umask the creation mask, access
 * and faccessat test permissions, and utimensat, futimens and utimes set the
 * times through utimensat_time64 (rv32 has only the 64-bit time call).
 * fchown and chown: denix has one user, root, who owns every file, so a
 * change to root (or -1: no change) succeeds on a file that exists, and a
 * change to anyone else is EPERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "glue.h"

/*
 * picolibc's struct stat has 16-bit st_ino, st_dev, st_rdev and st_nlink
 * (kept as their low bits) and a 32-bit st_size (EOVERFLOW beyond that, as a
 * 32-bit off_t stat does on Linux).
 */
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

/* statx with Linux's dirfd and AT_* flags. */
static int do_statx(long linux_dirfd, const char *path, long linux_flags, struct stat *st)
{
	struct linux_statx sx;
	long ret = syscall5(SYS_statx, linux_dirfd, (long)path, linux_flags,
			    LINUX_STATX_BASIC_STATS, (long)&sx);

	if (glue_result(ret) < 0)
		return -1;
	return stat_from_statx(&sx, st);
}

int fstat(int fd, struct stat *st)
{
	return do_statx(fd, "", LINUX_AT_EMPTY_PATH, st);
}

int stat(const char *restrict path, struct stat *restrict st)
{
	return do_statx(LINUX_AT_FDCWD, path, 0, st);
}

int lstat(const char *restrict path, struct stat *restrict st)
{
	return do_statx(LINUX_AT_FDCWD, path, LINUX_AT_SYMLINK_NOFOLLOW, st);
}

/* flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH (an empty path means dirfd itself). */
int fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flags)
{
	long linux_flags = glue_at_flags(flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);

	if (linux_flags < 0)
		return -1;
	return do_statx(glue_at_fd(dirfd), path, linux_flags, st);
}

/* The kernel's full record; flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH. */
int statx(int dirfd, const char *restrict path, int flags, unsigned int mask,
	  struct linux_statx *restrict buf)
{
	long linux_flags = glue_at_flags(flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);

	if (linux_flags < 0)
		return -1;
	return glue_result(syscall5(SYS_statx, glue_at_fd(dirfd), (long)path, linux_flags,
				    (long)mask, (long)buf));
}

int chmod(const char *path, mode_t mode)
{
	return glue_result(syscall3(SYS_fchmodat, LINUX_AT_FDCWD, (long)path, (long)mode));
}

int fchmod(int fd, mode_t mode)
{
	return glue_result(syscall2(SYS_fchmod, fd, (long)mode));
}

/*
 * The fchmodat syscall has no flags argument, and Linux cannot change a
 * symbolic link's own mode: AT_SYMLINK_NOFOLLOW is EOPNOTSUPP, as POSIX
 * allows.
 */
int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	if (flags & AT_SYMLINK_NOFOLLOW) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (flags != 0) {
		errno = EINVAL;
		return -1;
	}
	return glue_result(syscall3(SYS_fchmodat, glue_at_fd(dirfd), (long)path, (long)mode));
}

/* Always succeeds and returns the previous mask. */
mode_t umask(mode_t mask)
{
	return (mode_t)syscall1(SYS_umask, (long)(mask & 0777));
}

/* F_OK, R_OK, W_OK and X_OK are 0, 4, 2 and 1 in both picolibc and Linux. */
int access(const char *path, int mode)
{
	return glue_result(syscall3(SYS_faccessat, LINUX_AT_FDCWD, (long)path, mode));
}

/*
 * The faccessat syscall checks with the real ids and takes no flags. The
 * only flag POSIX defines, AT_EACCESS (check with the effective ids), is
 * accepted and makes no difference: denix has no set-user-ID programs, so
 * the two always agree.
 */
int faccessat(int dirfd, const char *path, int mode, int flags)
{
	if (flags & ~AT_EACCESS) {
		errno = EINVAL;
		return -1;
	}
	return glue_result(syscall3(SYS_faccessat, glue_at_fd(dirfd), (long)path, mode));
}

/*
 * times[0] is the access time, times[1] the modification time; a tv_nsec of
 * UTIME_NOW or UTIME_OMIT (Linux's values) means now or unchanged, and NULL
 * times means both now. A NULL path (futimens) means the descriptor itself.
 */
static int set_times(long linux_dirfd, const char *path, const struct timespec times[2],
		     long linux_flags)
{
	struct linux_timespec64 kernel[2];

	if (times != NULL) {
		for (int i = 0; i < 2; i++) {
			kernel[i].tv_sec = times[i].tv_sec;
			kernel[i].tv_nsec = (int32_t)times[i].tv_nsec;
			kernel[i].pad = 0;
		}
	}
	return glue_result(syscall4(SYS_utimensat_time64, linux_dirfd, (long)path,
				    times != NULL ? (long)kernel : 0, linux_flags));
}

/* flags: AT_SYMLINK_NOFOLLOW (set a symbolic link's own times). */
int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)
{
	long linux_flags = glue_at_flags(flags, AT_SYMLINK_NOFOLLOW);

	if (linux_flags < 0)
		return -1;
	return set_times(glue_at_fd(dirfd), path, times, linux_flags);
}

int futimens(int fd, const struct timespec times[2])
{
	return set_times(fd, NULL, times, 0);
}

int utimes(const char *path, const struct timeval tv[2])
{
	struct timespec times[2];

	if (tv == NULL)
		return set_times(LINUX_AT_FDCWD, path, NULL, 0);
	for (int i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000) {
			errno = EINVAL;
			return -1;
		}
		times[i].tv_sec = tv[i].tv_sec;
		times[i].tv_nsec = tv[i].tv_usec * 1000;
	}
	return set_times(LINUX_AT_FDCWD, path, times, 0);
}

/*
 * A chown of a file that exists (`found`, the result of stat-ing it): fine if it leaves the
 * file with root, the one owner there is, else EPERM.
 */
static int chown_found(int found, uid_t owner, gid_t group)
{
	if (found != 0)
		return -1;
	if ((owner != (uid_t)-1 && owner != 0) || (group != (gid_t)-1 && group != 0)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int fchown(int fd, uid_t owner, gid_t group)
{
	struct stat st;

	return chown_found(fstat(fd, &st), owner, group);
}

int chown(const char *path, uid_t owner, gid_t group)
{
	struct stat st;

	return chown_found(stat(path, &st), owner, group);
}
