/*
 * cat.c: copies each named file (or stdin without names) to stdout, each piece
 * as it is read (fopen, read(2), fwrite). Each file is first opened with open/fstat/lseek/read
 * directly, and a regular file's size must agree across fstat, lseek and both
 * reads (a pseudo-file, size 0, may change between two opens).
 * `-s` reports the fstat size on stderr; `-n` numbers the output lines as
 * GNU cat -n does ("%6u\t" before each, counting on across files). Errors
 * print `cat: PATH: reason` on stderr and make the exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"

/* GNU cat's size: fewer, larger calls (each one a trip to the VFS or a pipe). */
static char buffer[128 * 1024];

static int fail(const char *path, const char *reason)
{
	fflush(stdout);
	fprintf(stderr, "cat: %s: %s\n", path, reason);
	return -1;
}

/* Size of a regular file as read(2) sees it, cross-checked with fstat and lseek; -1 for a
 * pseudo-file. */
static int raw_size(const char *path, int report, long *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return fail(path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		fail(path, strerror(errno));
		close(fd);
		return -1;
	}
	if (report)
		fprintf(stderr, "%s: %ld bytes\n", path, (long)st.st_size);

	long total = 0;
	ssize_t n;
	while ((n = read(fd, buffer, sizeof(buffer))) > 0)
		total += n;
	if (n < 0) {
		fail(path, strerror(errno));
		close(fd);
		return -1;
	}
	/* Pseudo-files (procfs) claim size 0 and may not support SEEK_END. */
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		off_t end = lseek(fd, 0, SEEK_END);
		off_t start = lseek(fd, 0, SEEK_SET);

		if (end < 0 || start < 0) {
			fail(path, strerror(errno));
			close(fd);
			return -1;
		}
		if (end != st.st_size || total != st.st_size || start != 0) {
			close(fd);
			return fail(path, "size disagrees between fstat, lseek and read");
		}
	}
	if (close(fd) < 0)
		return fail(path, strerror(errno));
	/* A pseudo-file is generated at each open (/proc/uptime moves on): no size to compare. */
	*size = S_ISREG(st.st_mode) && st.st_size > 0 ? total : -1;
	return 0;
}

static int number_lines;
static unsigned long line_number;
static int at_line_start = 1;

/* Writes n bytes of buffer to stdout, with line numbers for -n. */
static int put(size_t n)
{
	size_t start = 0;

	if (!number_lines) {
		/* write(2) itself: picolibc's fwrite moves a byte at a time (16 MiB: 10 s here). */
		if (fflush(stdout) != 0)
			return -1;
		for (size_t at = 0; at < n;) {
			ssize_t w = write(1, buffer + at, n - at);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -1;
			at += (size_t)w;
		}
		return 0;
	}
	while (start < n) {
		const char *newline = memchr(buffer + start, '\n', n - start);
		size_t end = newline ? (size_t)(newline - buffer) + 1 : n;

		if (at_line_start && printf("%6lu\t", ++line_number) < 0)
			return -1;
		if (fwrite(buffer + start, 1, end - start, stdout) != end - start)
			return -1;
		at_line_start = newline != NULL;
		start = end;
	}
	return 0;
}

/*
 * Copies a stream to stdout, returning the byte count or -1. Reads with read(2), as GNU cat
 * does, and passes each piece on at once: at a terminal a line shows when it is typed, and
 * the end of input (^D) ends the copy rather than a stdio buffer waiting to fill.
 */
static long copy(FILE *in, const char *path)
{
	long total = 0;
	int fd = fileno(in);

	for (;;) {
		ssize_t n = read(fd, buffer, sizeof(buffer));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(path, strerror(errno));
		if (n == 0)
			return total;
		if (put((size_t)n) != 0 || fflush(stdout) != 0)
			return fail("stdout", strerror(errno));
		total += (long)n;
	}
}

static int cat_file(const char *path, int report)
{
	long size;

	if (raw_size(path, report, &size) < 0)
		return -1;
	FILE *in = fopen(path, "r");
	if (in == NULL)
		return fail(path, strerror(errno));
	long copied = copy(in, path);
	fclose(in);
	if (copied < 0)
		return -1;
	if (size >= 0 && copied != size)
		return fail(path, "the two reads disagree on the size");
	return 0;
}

int main(int argc, char **argv)
{
	struct short_options s = SHORT_OPTIONS(argc, argv);
	int report = 0;
	int first, c;
	int status = 0;

	while ((c = next_option(&s)) != 0) {
		if (c == 's')
			report = 1;
		else if (c == 'n')
			number_lines = 1;
		else
			return invalid_option("cat", c);
	}
	first = s.index;
	if (first == argc)
		return copy(stdin, "stdin") < 0 ? 1 : 0;
	for (int i = first; i < argc; i++)
		if (cat_file(argv[i], report) < 0)
			status = 1;
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}
