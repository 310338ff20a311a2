/*
 * cat.c: copies each named file (or stdin without names) to stdout through
 * fopen/fread/fwrite. Each file is first opened with open/fstat/lseek/read
 * directly, and a regular file's size must agree across fstat, lseek and both
 * reads (a pseudo-file, size 0, may change between two opens).
 * `-s` reports the fstat size on stderr. Errors print `cat: PATH: reason`
 * on stderr and make the exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char buffer[4096];

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

/* Copies a stream to stdout, returning the byte count or -1. */
static long copy(FILE *in, const char *path)
{
	long total = 0;
	size_t n;

	while ((n = fread(buffer, 1, sizeof(buffer), in)) > 0) {
		if (fwrite(buffer, 1, n, stdout) != n)
			return fail("stdout", strerror(errno));
		total += (long)n;
	}
	if (ferror(in))
		return fail(path, strerror(errno));
	return total;
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
		return fail(path, "fread and read disagree on the size");
	return 0;
}

int main(int argc, char **argv)
{
	int report = 0;
	int first = 1;
	int status = 0;

	if (argc > 1 && strcmp(argv[1], "-s") == 0) {
		report = 1;
		first = 2;
	}
	if (first == argc)
		return copy(stdin, "stdin") < 0 ? 1 : 0;
	for (int i = first; i < argc; i++)
		if (cat_file(argv[i], report) < 0)
			status = 1;
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}
