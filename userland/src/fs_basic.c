/*
 * fs_basic.c: a regular file end to end, in the current directory: create,
 * write and read back; O_EXCL, O_TRUNC and O_APPEND; lseek from each origin
 * and past the end (the gap reads as zeros); pread and pwrite leaving the
 * offset alone; readv and writev; fstat; ftruncate down and up; fsync,
 * fdatasync and sync; an unlinked file living on while open; access; and
 * stdio's fopen on top of it all. Prints one line per fact, then `ok`.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fs_check.h"

static void create_write_read(void)
{
	char buf[64];
	int fd = open("f", O_WRONLY | O_CREAT | O_EXCL, 0644);

	CHECK(fd >= 0);
	CHECK(write(fd, "hello, world\n", 13) == 13);
	CHECK(close(fd) == 0);
	fd = open("f", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(read(fd, buf, sizeof(buf)) == 13);
	CHECK(memcmp(buf, "hello, world\n", 13) == 0);
	CHECK(read(fd, buf, sizeof(buf)) == 0);
	CHECK(close(fd) == 0);
	printf("create, write, read back: 13 bytes, then end of file\n");

	CHECK_ERRNO(open("f", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	printf("O_CREAT|O_EXCL on an existing file: EEXIST\n");

	fd = open("f", O_WRONLY | O_TRUNC);
	CHECK(fd >= 0);
	struct stat st;
	CHECK(fstat(fd, &st) == 0);
	CHECK(st.st_size == 0);
	CHECK(close(fd) == 0);
	printf("O_TRUNC empties the file\n");
}

static void seeking(void)
{
	char buf[32];
	int fd = open("f", O_RDWR | O_TRUNC);

	CHECK(fd >= 0);
	write_all(fd, "0123456789", 10);
	CHECK(lseek(fd, 0, SEEK_CUR) == 10);
	CHECK(lseek(fd, 3, SEEK_SET) == 3);
	CHECK(read(fd, buf, 2) == 2 && memcmp(buf, "34", 2) == 0);
	CHECK(lseek(fd, 2, SEEK_CUR) == 7);
	CHECK(read(fd, buf, 1) == 1 && buf[0] == '7');
	CHECK(lseek(fd, -2, SEEK_END) == 8);
	CHECK(read(fd, buf, sizeof(buf)) == 2 && memcmp(buf, "89", 2) == 0);
	printf("lseek SEEK_SET, SEEK_CUR, SEEK_END\n");

	CHECK(lseek(fd, 15, SEEK_SET) == 15);
	CHECK(write(fd, "X", 1) == 1);
	CHECK(lseek(fd, 0, SEEK_END) == 16);
	CHECK(pread(fd, buf, sizeof(buf), 10) == 6);
	CHECK(all_zero(buf, 5) && buf[5] == 'X');
	printf("a write past the end leaves a gap of zeros\n");

	CHECK(lseek(fd, 2, SEEK_SET) == 2);
	CHECK(pread(fd, buf, 3, 5) == 3 && memcmp(buf, "567", 3) == 0);
	CHECK(pwrite(fd, "ab", 2, 0) == 2);
	CHECK(lseek(fd, 0, SEEK_CUR) == 2);
	CHECK(read(fd, buf, 3) == 3 && memcmp(buf, "234", 3) == 0);
	CHECK(pread(fd, buf, 4, 0) == 4 && memcmp(buf, "ab23", 4) == 0);
	printf("pread and pwrite leave the offset alone\n");
	CHECK(close(fd) == 0);
}

static void vectors(void)
{
	char a[4], b[6], c[16];
	struct iovec out[] = {
		{ .iov_base = "one ", .iov_len = 4 },
		{ .iov_base = "", .iov_len = 0 },
		{ .iov_base = "two ", .iov_len = 4 },
		{ .iov_base = "three", .iov_len = 5 },
	};
	struct iovec in[] = {
		{ .iov_base = a, .iov_len = sizeof(a) },
		{ .iov_base = b, .iov_len = sizeof(b) },
		{ .iov_base = c, .iov_len = sizeof(c) },
	};
	int fd = open("v", O_RDWR | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	CHECK(writev(fd, out, 4) == 13);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(readv(fd, in, 3) == 13);
	CHECK(memcmp(a, "one ", 4) == 0 && memcmp(b, "two th", 6) == 0 &&
	      memcmp(c, "ree", 3) == 0);
	CHECK(close(fd) == 0);
	CHECK(file_is("v", "one two three"));
	printf("writev gathers and readv scatters 13 bytes\n");
}

static void attributes(void)
{
	struct stat st;
	int fd = open("f", O_WRONLY | O_TRUNC);

	CHECK(fd >= 0);
	write_all(fd, "0123456789", 10);
	CHECK(fstat(fd, &st) == 0);
	CHECK(S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0644);
	CHECK(st.st_size == 10 && st.st_nlink == 1 && st.st_blksize > 0);
	struct stat by_path;
	CHECK(stat("f", &by_path) == 0);
	CHECK(by_path.st_ino == st.st_ino && by_path.st_dev == st.st_dev);
	CHECK(by_path.st_size == 10);
	printf("fstat and stat agree: regular, mode 0644, 10 bytes, 1 link\n");

	CHECK(ftruncate(fd, 4) == 0);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 4);
	CHECK(ftruncate(fd, 4096 + 10) == 0);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 4096 + 10);
	CHECK(close(fd) == 0);
	static char buf[8192];
	fd = open("f", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(read_all(fd, buf, sizeof(buf)) == 4096 + 10);
	CHECK(memcmp(buf, "0123", 4) == 0 && all_zero(buf + 4, 4096 + 6));
	CHECK(close(fd) == 0);
	printf("ftruncate down to 4 bytes, then up to 4106: the new bytes are zeros\n");

	fd = open("f", O_WRONLY);
	CHECK(fd >= 0);
	CHECK(fsync(fd) == 0);
	CHECK(fdatasync(fd) == 0);
	CHECK(close(fd) == 0);
	sync();
	printf("fsync, fdatasync and sync succeed\n");
}

static void appending(void)
{
	int fd = open("f", O_WRONLY | O_TRUNC | O_APPEND);

	CHECK(fd >= 0);
	write_all(fd, "abc", 3);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	write_all(fd, "def", 3);
	CHECK(lseek(fd, 0, SEEK_CUR) == 6);
	CHECK(close(fd) == 0);
	CHECK(file_is("f", "abcdef"));
	printf("O_APPEND writes at the end whatever the offset\n");
}

static void unlinking(void)
{
	char buf[16];
	struct stat st;
	int fd = open("f", O_RDWR);

	CHECK(fd >= 0);
	CHECK(access("f", F_OK) == 0);
	CHECK(access("f", R_OK | W_OK) == 0);
	printf("access F_OK and R_OK|W_OK on an existing file: 0\n");

	CHECK(unlink("f") == 0);
	CHECK_ERRNO(open("f", O_RDONLY), ENOENT);
	CHECK_ERRNO(stat("f", &st), ENOENT);
	CHECK_ERRNO(access("f", F_OK), ENOENT);
	CHECK_ERRNO(unlink("f"), ENOENT);
	printf("after unlink: open, stat, access and unlink give ENOENT\n");

	CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == 6);
	CHECK(pread(fd, buf, sizeof(buf), 0) == 6 && memcmp(buf, "abcdef", 6) == 0);
	CHECK(pwrite(fd, "!", 1, 6) == 1);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 7);
	CHECK(close(fd) == 0);
	printf("an unlinked file lives on while open: 0 links, still read and written\n");
}

static void through_stdio(void)
{
	char line[64];
	FILE *f = fopen("s", "w");

	CHECK(f != NULL);
	CHECK(fprintf(f, "line %d\nline %s\n", 1, "two") == 16);
	CHECK(fclose(f) == 0);
	f = fopen("s", "a");
	CHECK(f != NULL);
	CHECK(fputs("line 3\n", f) >= 0);
	CHECK(fclose(f) == 0);
	f = fopen("s", "r");
	CHECK(f != NULL);
	CHECK(fgets(line, sizeof(line), f) != NULL && strcmp(line, "line 1\n") == 0);
	CHECK(fgets(line, sizeof(line), f) != NULL && strcmp(line, "line two\n") == 0);
	CHECK(fgets(line, sizeof(line), f) != NULL && strcmp(line, "line 3\n") == 0);
	CHECK(fgets(line, sizeof(line), f) == NULL && feof(f));
	CHECK(fclose(f) == 0);
	CHECK(remove("s") == 0);
	printf("stdio: fopen w, a and r, fprintf, fgets, remove\n");
}

int main(void)
{
	/* The modes checked below are what open asked for, whatever mask the caller had. */
	umask(022);
	create_write_read();
	seeking();
	vectors();
	attributes();
	appending();
	unlinking();
	through_stdio();
	CHECK(unlink("v") == 0);
	printf("ok\n");
	return 0;
}
