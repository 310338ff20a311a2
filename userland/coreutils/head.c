/*
 * head.c: prints the start of each named file (or of stdin with none, or
 * for "-"), as GNU head does: -n N the first N lines (default 10), -n -N
 * all but the last N lines, -c N the first N bytes, -c -N all but the last
 * N bytes, and the old form -N[cl] as the first argument. N takes GNU's
 * suffixes (b 512, kB 1000, K 1024, MB, M, GB, G, ... and KiB, MiB ...).
 * With several files (or -v, and not -q) each begins with `==> NAME <==`,
 * separated by an empty line. Reading a seekable stdin stops just after
 * what was printed, so the rest is left for the next reader. A file that
 * cannot be read prints `head: PATH: strerror` and makes the status 1.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "head_tail.h"

static char buffer[16384];

static bool write_all(const char *data, size_t length)
{
	return fwrite(data, 1, length, stdout) == length;
}

/* The first `limit` lines (or bytes); leaves a seekable fd just after them. */
static bool head_start(int fd, const char *path, uintmax_t limit, bool lines)
{
	while (limit > 0) {
		ssize_t n = read(fd, buffer, sizeof(buffer));
		if (n == 0)
			return true;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			count_error("head", path, errno);
			return false;
		}
		size_t take = (size_t)n;
		if (lines) {
			for (size_t i = 0; i < (size_t)n; i++) {
				if (buffer[i] == '\n' && --limit == 0) {
					take = i + 1;
					break;
				}
			}
		} else {
			if ((uintmax_t)n > limit)
				take = (size_t)limit;
			limit -= take;
		}
		if (!write_all(buffer, take))
			return false;
		if (take < (size_t)n) {
			/* Give back what was read past the end, where the file allows it. */
			lseek(fd, -(off_t)((size_t)n - take), SEEK_CUR);
			return true;
		}
	}
	return true;
}

/* All but the last `count` lines (or bytes). */
static bool head_elide(int fd, const char *path, uintmax_t count, bool lines)
{
	size_t length;
	char *data = read_all("head", fd, path, &length);

	if (data == NULL)
		return false;
	size_t end = length;
	if (!lines) {
		end = count >= length ? 0 : length - (size_t)count;
	} else {
		/* A last line without a newline counts as a line; keep the first total - count. */
		uintmax_t total = 0;
		for (size_t i = 0; i < length; i++)
			total += data[i] == '\n';
		if (length > 0 && data[length - 1] != '\n')
			total++;
		uintmax_t keep = count >= total ? 0 : total - count;
		end = 0;
		while (keep > 0 && end < length)
			if (data[end++] == '\n')
				keep--;
	}
	bool ok = write_all(data, end);
	free(data);
	return ok;
}

int main(int argc, char **argv)
{
	char *files[argc > 1 ? argc : 1];
	struct count_options o = {
		.program = "head",
		.synopsis = "Usage: head [-n [-]N | -c [-]N | -N] [-q | -v] [FILE]...\n",
		.count = 10,
		.lines = true,
		.files = files,
	};
	int i = 1;

	/* The obsolete form: -N[bcklmqv]... as the first argument. */
	if (argc > 1 && argv[1][0] == '-' && argv[1][1] >= '0' && argv[1][1] <= '9') {
		const char *p = argv[1] + 1;
		o.count = 0;
		for (; *p >= '0' && *p <= '9'; p++)
			o.count = o.count * 10 + (uintmax_t)(*p - '0');
		for (; *p != '\0'; p++) {
			if (*p == 'c')
				o.lines = false;
			else if (*p == 'l')
				o.lines = true;
			else if (*p == 'q')
				o.headers = -1;
			else if (*p == 'v')
				o.headers = 1;
			else
				return count_usage(&o, "invalid trailing option --", argv[1]);
		}
		i = 2;
	}
	int status = count_parse(&o, argc, argv, i);
	if (status != 0)
		return status;

	for (int f = 0; f < o.nfiles; f++) {
		int fd = count_open(&o, files[f]);

		if (fd < 0) {
			status = 1;
			continue;
		}
		bool ok = o.sign == '-' ? head_elide(fd, files[f], o.count, o.lines)
					: head_start(fd, files[f], o.count, o.lines);
		if (!ok)
			status = 1;
		if (strcmp(files[f], "-") != 0 && close(fd) < 0) {
			count_error("head", files[f], errno);
			status = 1;
		}
	}
	return count_flush("head") ? status : 1;
}
