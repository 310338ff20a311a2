/*
 * tail.c: prints the end of each named file (or of stdin with none, or
 * for "-"), as GNU tail does: -n N the last N lines (default 10), -n +N
 * from line N on, -c N the last N bytes, -c +N from byte N on, and the old
 * forms -N[bcl][f] and +N[bcl][f] as the first of at most two arguments.
 * N takes GNU's suffixes (b, kB, K, MB, M, ...). With several files (or
 * -v, and not -q) each begins with `==> NAME <==`, separated by an empty
 * line. -f (--follow, -F) then keeps polling each file every -s SECONDS
 * (default 1) and prints what was appended, with a header whenever the
 * file changes; a file that shrank is reported (`file truncated`) and read
 * again from its start; a pipe on stdin is not followed. A file that
 * cannot be read prints `tail: PATH: strerror` and makes the status 1.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "head_tail.h"
#include "posix_ext.h"

static char buffer[16384];

struct followed {
	const char *name;
	int fd;
	off_t position;
};

/* Where the output starts in data[0..length). */
static size_t tail_start(const char *data, size_t length, uintmax_t count, bool lines,
			 bool from_start)
{
	if (from_start) {
		/* +N: from line or byte N (+0 is +1). */
		uintmax_t skip = count > 0 ? count - 1 : 0;
		if (!lines)
			return skip >= length ? length : (size_t)skip;
		size_t i = 0;
		while (skip > 0 && i < length)
			if (data[i++] == '\n')
				skip--;
		return i;
	}
	if (!lines)
		return count >= length ? 0 : length - (size_t)count;
	if (count == 0)
		return length;
	/* The last `count` lines; a last line without a newline counts. */
	size_t i = length;
	if (i > 0 && data[i - 1] == '\n')
		i--;
	uintmax_t seen = 0;
	while (i > 0) {
		if (data[i - 1] == '\n' && ++seen == count)
			return i;
		i--;
	}
	return 0;
}

/* The old -N[bcl][f] / +N[bcl][f] first argument; false when it is not one. */
static bool parse_obsolete(const char *arg, struct count_options *o)
{
	if ((arg[0] != '-' && arg[0] != '+') || arg[1] < '0' || arg[1] > '9')
		return false;
	const char *p = arg + 1;
	uintmax_t n = 0;
	for (; *p >= '0' && *p <= '9'; p++)
		n = n > (UINTMAX_MAX - 9) / 10 ? UINTMAX_MAX : n * 10 + (uintmax_t)(*p - '0');
	bool by_lines = true;
	if (*p == 'b') {
		by_lines = false;
		n = n > UINTMAX_MAX / 512 ? UINTMAX_MAX : n * 512;
		p++;
	} else if (*p == 'c') {
		by_lines = false;
		p++;
	} else if (*p == 'l') {
		p++;
	}
	bool f = false;
	if (*p == 'f') {
		f = true;
		p++;
	}
	if (*p != '\0')
		return false;
	o->count = n;
	o->lines = by_lines;
	o->sign = arg[0];
	o->follow = o->follow || f;
	return true;
}

int main(int argc, char **argv)
{
	char *files[argc > 1 ? argc : 1];
	struct count_options o = {
		.program = "tail",
		.synopsis = "Usage: tail [-f] [-s SECONDS] [-n [+]N | -c [+]N | -N] [-q | -v] "
			    "[FILE]...\n",
		.follow_options = true,
		.count = 10,
		.lines = true,
		.interval = {1, 0},
		.files = files,
	};
	int i = 1;

	if ((argc == 2 || (argc == 3 && !(argv[2][0] == '-' && argv[2][1] != '\0'))) &&
	    parse_obsolete(argv[1], &o))
		i = 2;
	int status = count_parse(&o, argc, argv, i);
	if (status != 0)
		return status;

	struct followed watched[o.nfiles];
	int nwatched = 0;
	for (int f = 0; f < o.nfiles; f++) {
		bool is_stdin = strcmp(files[f], "-") == 0;
		int fd = count_open(&o, files[f]);

		if (fd < 0) {
			status = 1;
			continue;
		}
		size_t length;
		char *data = read_all("tail", fd, files[f], &length);
		if (data == NULL) {
			status = 1;
			if (!is_stdin)
				close(fd);
			continue;
		}
		size_t start = tail_start(data, length, o.count, o.lines, o.sign == '+');
		fwrite(data + start, 1, length - start, stdout);
		free(data);

		struct stat st;
		if (o.follow && fstat(fd, &st) == 0 && !S_ISFIFO(st.st_mode) &&
		    !S_ISDIR(st.st_mode)) {
			off_t position = lseek(fd, 0, SEEK_CUR);
			watched[nwatched++] =
				(struct followed){files[f], fd, position < 0 ? 0 : position};
		} else if (!is_stdin) {
			close(fd);
		}
	}
	if (!count_flush("tail"))
		return 1;
	if (nwatched == 0)
		return status;

	int last = nwatched - 1;
	for (;;) {
		nanosleep(&o.interval, NULL);
		for (int w = 0; w < nwatched; w++) {
			struct followed *file = &watched[w];
			struct stat st;

			if (fstat(file->fd, &st) == 0 && S_ISREG(st.st_mode) &&
			    st.st_size < file->position) {
				fflush(stdout);
				fprintf(stderr, "tail: %s: file truncated\n",
					display_name(file->name));
				lseek(file->fd, 0, SEEK_SET);
				file->position = 0;
			}
			ssize_t n;
			while ((n = read(file->fd, buffer, sizeof(buffer))) > 0) {
				if (o.show_headers && last != w)
					printf("\n==> %s <==\n", display_name(file->name));
				last = w;
				fwrite(buffer, 1, (size_t)n, stdout);
				file->position += n;
			}
		}
		if (!count_flush("tail"))
			return 1;
	}
}
