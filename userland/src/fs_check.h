/*
 * fs_check.h: what the fs_* file system tests share on top of check.h:
 * CHECK_ERRNO(expression, E), which requires a call to fail with -1 and
 * errno E (and names both on failure), and small whole-file helpers that
 * fail the test when any call in them does. Every fs_* program works in its
 * current directory, which the caller makes a fresh empty one.
 */
#ifndef FS_CHECK_H
#define FS_CHECK_H

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define CHECK_ERRNO(expression, expected)                                                        \
	do {                                                                                     \
		errno = 0;                                                                       \
		long result_ = (long)(expression);                                               \
		if (result_ != -1 || errno != (expected))                                        \
			check_errno_failed(__LINE__, #expression, result_, expected);            \
	} while (0)

static void __attribute__((noreturn, unused))
check_errno_failed(int line, const char *what, long result, int expected)
{
	int err = errno;

	printf("FAIL line %d: %s = %ld, errno %d (%s); expected -1, errno %d (%s)\n", line, what,
	       result, err, strerror(err), expected, strerror(expected));
	fflush(stdout);
	_exit(1);
}

/* Writes all of data at the descriptor's offset. */
static void __attribute__((unused)) write_all(int fd, const void *data, size_t length)
{
	const char *p = data;

	while (length > 0) {
		ssize_t n = write(fd, p, length);

		CHECK(n > 0);
		p += n;
		length -= (size_t)n;
	}
}

/* Reads until length bytes or end of file; returns the count read. */
static size_t __attribute__((unused)) read_all(int fd, void *data, size_t length)
{
	char *p = data;
	size_t got = 0;

	while (got < length) {
		ssize_t n = read(fd, p + got, length - got);

		CHECK(n >= 0);
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* Creates or truncates path (mode 0644) to hold exactly text. */
static void __attribute__((unused)) put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	write_all(fd, text, strlen(text));
	CHECK(close(fd) == 0);
}

/* Reads path whole into buf (NUL-terminated, at most size - 1 bytes); returns its length. */
static size_t __attribute__((unused)) get_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);

	CHECK(fd >= 0);
	size_t length = read_all(fd, buf, size - 1);
	buf[length] = '\0';
	CHECK(close(fd) == 0);
	return length;
}

/* True when path holds exactly text. */
static int __attribute__((unused)) file_is(const char *path, const char *text)
{
	char buf[256];

	return get_file(path, buf, sizeof(buf)) == strlen(text) && strcmp(buf, text) == 0;
}

static off_t __attribute__((unused)) size_of(const char *path)
{
	struct stat st;

	CHECK(stat(path, &st) == 0);
	return st.st_size;
}

static int __attribute__((unused)) all_zero(const void *data, size_t length)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < length; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

#endif
