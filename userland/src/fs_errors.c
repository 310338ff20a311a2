/*
 * fs_errors.c: the errors file calls give, in the current directory, each
 * as Linux gives it: EFAULT for buffers and paths the process cannot touch,
 * EBADF for closed descriptors and the wrong access mode, EISDIR, ENOTDIR,
 * ENOENT, EINVAL for bad offsets, lengths and whences, ESPIPE on a pipe,
 * and ENAMETOOLONG for a path of 4096 bytes (while one of 4095 works).
 * Prints one line per fact, then `ok`.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fs_check.h"

/* Addresses no process has mapped: the last page of the address space and the first. */
#define WILD_HIGH ((void *)0xfffff000u)
#define WILD_LOW ((void *)0x10)

static void bad_addresses(void)
{
	char buf[16];
	int fd = open("file", O_RDWR);

	CHECK(fd >= 0);
	CHECK_ERRNO(read(fd, WILD_HIGH, 16), EFAULT);
	CHECK_ERRNO(write(fd, WILD_LOW, 16), EFAULT);
	CHECK_ERRNO(pread(fd, WILD_HIGH, 16, 0), EFAULT);
	CHECK_ERRNO(readv(fd, WILD_HIGH, 1), EFAULT);
	CHECK_ERRNO(open(WILD_HIGH, O_RDONLY), EFAULT);
	CHECK_ERRNO(mkdir(WILD_LOW, 0755), EFAULT);
	CHECK(pread(fd, buf, sizeof(buf), 0) == 5 && memcmp(buf, "hello", 5) == 0);
	CHECK(close(fd) == 0);
	printf("EFAULT: read, write, pread and readv buffers, open and mkdir paths; the file "
	       "is unharmed\n");
}

static void bad_descriptors(void)
{
	char buf[4];
	struct stat st;
	int fd = open("file", O_RDONLY);

	CHECK(fd >= 0 && close(fd) == 0);
	CHECK_ERRNO(read(fd, buf, 1), EBADF);
	CHECK_ERRNO(write(fd, "x", 1), EBADF);
	CHECK_ERRNO(close(fd), EBADF);
	CHECK_ERRNO(fstat(fd, &st), EBADF);
	CHECK_ERRNO(lseek(fd, 0, SEEK_SET), EBADF);
	CHECK_ERRNO(fsync(fd), EBADF);
	CHECK_ERRNO(fchdir(fd), EBADF);
	CHECK_ERRNO(openat(fd, "file", O_RDONLY), EBADF);
	CHECK_ERRNO(read(-1, buf, 1), EBADF);
	CHECK_ERRNO(close(1000000), EBADF);
	printf("EBADF: read, write, close, fstat, lseek, fsync, fchdir, openat on a closed "
	       "descriptor; -1; 1000000\n");

	fd = open("file", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_ERRNO(write(fd, "x", 1), EBADF);
	CHECK(close(fd) == 0);
	fd = open("file", O_WRONLY);
	CHECK(fd >= 0);
	CHECK_ERRNO(read(fd, buf, 1), EBADF);
	CHECK(close(fd) == 0);
	printf("EBADF: write on O_RDONLY, read on O_WRONLY\n");
}

static void wrong_types(void)
{
	char buf[4];
	struct stat st;

	CHECK_ERRNO(open("dir", O_WRONLY), EISDIR);
	CHECK_ERRNO(open("dir", O_RDWR), EISDIR);
	CHECK_ERRNO(open("dir", O_WRONLY | O_CREAT, 0644), EISDIR);
	int fd = open("dir", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_ERRNO(read(fd, buf, sizeof(buf)), EISDIR);
	CHECK(close(fd) == 0);
	CHECK_ERRNO(truncate("dir", 0), EISDIR);
	printf("EISDIR: open a directory for writing, read it, truncate it\n");

	CHECK_ERRNO(open("file/x", O_RDONLY), ENOTDIR);
	CHECK_ERRNO(open("file/x", O_WRONLY | O_CREAT, 0644), ENOTDIR);
	CHECK_ERRNO(stat("file/x", &st), ENOTDIR);
	CHECK_ERRNO(open("file/", O_RDONLY), ENOTDIR);
	CHECK_ERRNO(open("file", O_RDONLY | O_DIRECTORY), ENOTDIR);
	fd = open("file", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_ERRNO(openat(fd, "x", O_RDONLY), ENOTDIR);
	CHECK_ERRNO(fchdir(fd), ENOTDIR);
	CHECK(close(fd) == 0);
	printf("ENOTDIR: a path through a file, a trailing slash, O_DIRECTORY, a file as "
	       "openat's or fchdir's directory\n");

	CHECK_ERRNO(open("missing/x", O_WRONLY | O_CREAT, 0644), ENOENT);
	CHECK_ERRNO(open("missing", O_RDONLY), ENOENT);
	CHECK_ERRNO(open("", O_RDONLY), ENOENT);
	CHECK_ERRNO(stat("", &st), ENOENT);
	CHECK_ERRNO(truncate("missing", 0), ENOENT);
	printf("ENOENT: a missing parent, a missing file, the empty path\n");
}

static void bad_values(void)
{
	struct stat st;
	int fd = open("file", O_RDWR);

	CHECK(fd >= 0);
	CHECK_ERRNO(lseek(fd, 0, 99), EINVAL);
	CHECK_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
	CHECK_ERRNO(lseek(fd, -6, SEEK_END), EINVAL);
	CHECK(lseek(fd, 0, SEEK_CUR) == 0);
	CHECK_ERRNO(pread(fd, &st, 1, -1), EINVAL);
	CHECK_ERRNO(pwrite(fd, "x", 1, -1), EINVAL);
	CHECK_ERRNO(ftruncate(fd, -1), EINVAL);
	CHECK_ERRNO(truncate("file", -1), EINVAL);
	struct flock lock = { .l_type = F_WRLCK, .l_whence = 99 };
	CHECK_ERRNO(fcntl(fd, F_SETLK, &lock), EINVAL);
	CHECK(close(fd) == 0);
	fd = open("file", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_ERRNO(ftruncate(fd, 0), EINVAL);
	CHECK(close(fd) == 0);
	CHECK_ERRNO(rmdir("."), EINVAL);
	CHECK(size_of("file") == 5);
	printf("EINVAL: lseek with a bad whence or to a negative offset, negative pread, "
	       "pwrite and truncate offsets, a bad lock whence, ftruncate on O_RDONLY, "
	       "rmdir .\n");

	int fds[2];
	CHECK(pipe(fds) == 0);
	CHECK_ERRNO(lseek(fds[0], 0, SEEK_CUR), ESPIPE);
	CHECK_ERRNO(pread(fds[0], &st, 1, 0), ESPIPE);
	CHECK_ERRNO(pwrite(fds[1], "x", 1, 0), ESPIPE);
	CHECK(close(fds[0]) == 0 && close(fds[1]) == 0);
	printf("ESPIPE: lseek, pread and pwrite on a pipe\n");
}

static void long_paths(void)
{
	static char path[4097];
	struct stat st;

	/* "./" repeated: every component is short, only the whole path is long. */
	for (int i = 0; i < 2048; i++)
		memcpy(path + 2 * i, "./", 2);
	path[4096] = '\0';
	CHECK(strlen(path) == 4096);
	CHECK_ERRNO(open(path, O_RDONLY), ENAMETOOLONG);
	CHECK_ERRNO(stat(path, &st), ENAMETOOLONG);
	CHECK_ERRNO(mkdir(path, 0755), ENAMETOOLONG);
	path[4094] = 'f';
	path[4095] = '\0';
	put_file("f", "at the end of 4095 bytes");
	CHECK(file_is(path, "at the end of 4095 bytes"));
	CHECK(unlink(path) == 0);
	printf("a path of 4096 bytes: ENAMETOOLONG; of 4095 bytes: works\n");
}

int main(void)
{
	put_file("file", "hello");
	CHECK(mkdir("dir", 0755) == 0);
	bad_addresses();
	bad_descriptors();
	wrong_types();
	bad_values();
	long_paths();
	CHECK(unlink("file") == 0 && rmdir("dir") == 0);
	printf("ok\n");
	return 0;
}
