/*
 * dir.c: names and directories. mkdir, rmdir, unlink, rename, link, symlink
 * and readlink (each with its *at form) on the Linux calls mkdirat, unlinkat
 * (AT_REMOVEDIR for rmdir), renameat2 (rv32 has no renameat), linkat,
 * symlinkat and readlinkat; the working directory (chdir, fchdir, getcwd);
 * and directory streams (opendir, fdopendir, readdir, rewinddir, closedir,
 * dirfd) reading getdents64 records a buffer at a time.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glue.h"

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	return glue_result(syscall3(SYS_mkdirat, glue_at_fd(dirfd), (long)path, (long)mode));
}

int mkdir(const char *path, mode_t mode)
{
	return glue_result(syscall3(SYS_mkdirat, LINUX_AT_FDCWD, (long)path, (long)mode));
}

/* flags: 0 (unlink a non-directory) or AT_REMOVEDIR (remove an empty directory). */
int unlinkat(int dirfd, const char *path, int flags)
{
	long linux_flags = glue_at_flags(flags, AT_REMOVEDIR);

	if (linux_flags < 0)
		return -1;
	return glue_result(syscall3(SYS_unlinkat, glue_at_fd(dirfd), (long)path, linux_flags));
}

int unlink(const char *path)
{
	return glue_result(syscall3(SYS_unlinkat, LINUX_AT_FDCWD, (long)path, 0));
}

int rmdir(const char *path)
{
	return glue_result(
		syscall3(SYS_unlinkat, LINUX_AT_FDCWD, (long)path, LINUX_AT_REMOVEDIR));
}

int renameat(int old_dirfd, const char *old_path, int new_dirfd, const char *new_path)
{
	return glue_result(syscall5(SYS_renameat2, glue_at_fd(old_dirfd), (long)old_path,
				    glue_at_fd(new_dirfd), (long)new_path, 0));
}

int rename(const char *old_path, const char *new_path)
{
	return glue_result(syscall5(SYS_renameat2, LINUX_AT_FDCWD, (long)old_path,
				    LINUX_AT_FDCWD, (long)new_path, 0));
}

/* flags: AT_SYMLINK_FOLLOW (link what a symbolic link names, not the link itself). */
int linkat(int old_dirfd, const char *old_path, int new_dirfd, const char *new_path, int flags)
{
	long linux_flags = glue_at_flags(flags, AT_SYMLINK_FOLLOW);

	if (linux_flags < 0)
		return -1;
	return glue_result(syscall5(SYS_linkat, glue_at_fd(old_dirfd), (long)old_path,
				    glue_at_fd(new_dirfd), (long)new_path, linux_flags));
}

/* As on Linux, link does not follow a symbolic link old_path. */
int link(const char *old_path, const char *new_path)
{
	return glue_result(syscall5(SYS_linkat, LINUX_AT_FDCWD, (long)old_path, LINUX_AT_FDCWD,
				    (long)new_path, 0));
}

int symlinkat(const char *target, int dirfd, const char *path)
{
	return glue_result(syscall3(SYS_symlinkat, (long)target, glue_at_fd(dirfd), (long)path));
}

int symlink(const char *target, const char *path)
{
	return glue_result(syscall3(SYS_symlinkat, (long)target, LINUX_AT_FDCWD, (long)path));
}

/* Returns the length stored, without a terminating NUL (truncated to size). */
ssize_t readlinkat(int dirfd, const char *restrict path, char *restrict buf, size_t size)
{
	return glue_result(
		syscall4(SYS_readlinkat, glue_at_fd(dirfd), (long)path, (long)buf, (long)size));
}

ssize_t readlink(const char *restrict path, char *restrict buf, size_t size)
{
	return glue_result(
		syscall4(SYS_readlinkat, LINUX_AT_FDCWD, (long)path, (long)buf, (long)size));
}

int chdir(const char *path)
{
	return glue_result(syscall1(SYS_chdir, (long)path));
}

int fchdir(int fd)
{
	return glue_result(syscall1(SYS_fchdir, fd));
}

/*
 * The getcwd syscall returns the length with the NUL. With a NULL buf the
 * result is malloc'd (size bytes, or just enough when size is 0), as glibc
 * does. Linux reports a directory outside the caller's root as a path not
 * starting with '/': that is ENOENT here.
 */
char *getcwd(char *buf, size_t size)
{
	char path[LINUX_PATH_MAX];
	char *out = buf;
	size_t capacity = size;

	if (buf == NULL) {
		out = path;
		capacity = sizeof(path);
	} else if (size == 0) {
		errno = EINVAL;
		return NULL;
	}
	long length = glue_result(syscall2(SYS_getcwd, (long)out, (long)capacity));
	if (length < 0)
		return NULL;
	if (out[0] != '/') {
		errno = ENOENT;
		return NULL;
	}
	if (buf != NULL)
		return buf;
	if (size != 0 && (size_t)length > size) {
		errno = ERANGE;
		return NULL;
	}
	char *copy = malloc(size != 0 ? size : (size_t)length);
	if (copy != NULL)
		memcpy(copy, path, (size_t)length);
	return copy;
}

/* Room for several records per getdents64 call; the longest record is 280 bytes. */
#define DIR_BUFFER_SIZE 4096

struct dirstream {
	int fd;
	size_t next;
	size_t end;
	struct dirent entry;
	_Alignas(8) char buffer[DIR_BUFFER_SIZE];
};

DIR *fdopendir(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return NULL;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return NULL;
	}
	DIR *dir = malloc(sizeof(*dir));
	if (dir == NULL)
		return NULL;
	dir->fd = fd;
	dir->next = 0;
	dir->end = 0;
	return dir;
}

DIR *opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	DIR *dir = fdopendir(fd);
	if (dir == NULL) {
		int err = errno;

		close(fd);
		errno = err;
	}
	return dir;
}

struct dirent *readdir(DIR *dir)
{
	if (dir->next >= dir->end) {
		long got = glue_result(
			syscall3(SYS_getdents64, dir->fd, (long)dir->buffer, sizeof(dir->buffer)));

		if (got <= 0)
			return NULL;
		dir->next = 0;
		dir->end = (size_t)got;
	}
	const struct linux_dirent64 *record =
		(const struct linux_dirent64 *)(dir->buffer + dir->next);

	/* A record that does not fit what the kernel returned would loop or overrun. */
	if (record->d_reclen <= offsetof(struct linux_dirent64, d_name) ||
	    record->d_reclen > dir->end - dir->next) {
		dir->next = dir->end;
		errno = EIO;
		return NULL;
	}
	size_t name_room = record->d_reclen - offsetof(struct linux_dirent64, d_name);
	size_t name_length = strnlen(record->d_name, name_room);

	if (name_length >= sizeof(dir->entry.d_name))
		name_length = sizeof(dir->entry.d_name) - 1;
	dir->next += record->d_reclen;
	dir->entry.d_ino = (ino_t)record->d_ino;
	dir->entry.d_type = record->d_type;
	memcpy(dir->entry.d_name, record->d_name, name_length);
	dir->entry.d_name[name_length] = '\0';
	return &dir->entry;
}

void rewinddir(DIR *dir)
{
	lseek(dir->fd, 0, SEEK_SET);
	dir->next = 0;
	dir->end = 0;
}

int closedir(DIR *dir)
{
	int ret = close(dir->fd);

	free(dir);
	return ret;
}

int dirfd(DIR *dir)
{
	return dir->fd;
}
