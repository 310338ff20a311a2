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
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "posix_ext.h"

static char buffer[16384];

struct followed {
	const char *name;
	int fd;
	off_t position;
};

static const char *display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "standard input" : path;
}

static void fail(const char *path, int error)
{
	fflush(stdout);
	fprintf(stderr, "tail: %s: %s\n", display_name(path), strerror(error));
}

/* Parses N[suffix] (no sign); false on anything else. Saturates on overflow. */
static bool parse_count(const char *text, uintmax_t *value)
{
	static const struct {
		const char *suffix;
		unsigned base, power;
	} SUFFIXES[] = {
		{"", 1, 0},      {"b", 512, 1},    {"kB", 1000, 1}, {"K", 1024, 1},
		{"k", 1024, 1},  {"KiB", 1024, 1}, {"MB", 1000, 2}, {"M", 1024, 2},
		{"MiB", 1024, 2}, {"GB", 1000, 3}, {"G", 1024, 3},  {"GiB", 1024, 3},
		{"TB", 1000, 4}, {"T", 1024, 4},   {"TiB", 1024, 4}, {"PB", 1000, 5},
		{"P", 1024, 5},  {"PiB", 1024, 5}, {"EB", 1000, 6}, {"E", 1024, 6},
		{"EiB", 1024, 6},
	};
	uintmax_t n = 0;
	const char *p = text;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINTMAX_MAX - 9) / 10)
			n = UINTMAX_MAX / 10;
		n = n * 10 + (uintmax_t)(*p - '0');
	}
	for (size_t i = 0; i < sizeof(SUFFIXES) / sizeof(SUFFIXES[0]); i++) {
		if (strcmp(p, SUFFIXES[i].suffix) != 0)
			continue;
		for (unsigned k = 0; k < SUFFIXES[i].power; k++)
			n = n > UINTMAX_MAX / SUFFIXES[i].base ? UINTMAX_MAX : n * SUFFIXES[i].base;
		*value = n;
		return true;
	}
	return false;
}

/* Reads what is left of fd into a growing buffer. */
static char *read_all(int fd, const char *path, size_t *length)
{
	size_t size = 65536, used = 0;
	char *data = malloc(size);

	if (data == NULL) {
		fail(path, ENOMEM);
		return NULL;
	}
	for (;;) {
		if (used == size) {
			char *bigger = realloc(data, size * 2);
			if (bigger == NULL) {
				free(data);
				fail(path, ENOMEM);
				return NULL;
			}
			data = bigger;
			size *= 2;
		}
		ssize_t n = read(fd, data + used, size - used);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail(path, errno);
			free(data);
			return NULL;
		}
		used += (size_t)n;
	}
	*length = used;
	return data;
}

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

static int usage(const char *message, const char *arg)
{
	if (arg != NULL)
		fprintf(stderr, "tail: %s '%s'\n", message, arg);
	else
		fprintf(stderr, "tail: %s\n", message);
	fputs("Usage: tail [-f] [-s SECONDS] [-n [+]N | -c [+]N | -N] [-q | -v] [FILE]...\n", stderr);
	return 1;
}

/* The old -N[bcl][f] / +N[bcl][f] first argument; false when it is not one. */
static bool parse_obsolete(const char *arg, uintmax_t *count, bool *lines, bool *from_start,
			   bool *follow)
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
	*count = n;
	*lines = by_lines;
	*from_start = arg[0] == '+';
	*follow = *follow || f;
	return true;
}

static bool parse_interval(const char *text, struct timespec *interval)
{
	char *end;
	double seconds = strtod(text, &end);

	if (end == text || *end != '\0' || !(seconds >= 0) || seconds > 1e9)
		return false;
	interval->tv_sec = (time_t)seconds;
	interval->tv_nsec = (long)((seconds - (double)interval->tv_sec) * 1e9);
	return true;
}

int main(int argc, char **argv)
{
	char *files[argc > 1 ? argc : 1];
	int nfiles = 0;
	uintmax_t count = 10;
	bool lines = true;
	bool from_start = false;
	bool follow = false;
	struct timespec interval = {1, 0};
	int headers = 0; /* -1 never, 1 always, 0 when several files */
	bool options_done = false;
	int i = 1;

	if ((argc == 2 || (argc == 3 && !(argv[2][0] == '-' && argv[2][1] != '\0'))) &&
	    parse_obsolete(argv[1], &count, &lines, &from_start, &follow))
		i = 2;
	for (; i < argc; i++) {
		const char *arg = argv[i];

		if (options_done || arg[0] != '-' || arg[1] == '\0') {
			files[nfiles++] = argv[i];
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		const char *value = NULL;
		char kind = 0;
		if (strncmp(arg, "--lines=", 8) == 0) {
			kind = 'n';
			value = arg + 8;
		} else if (strncmp(arg, "--bytes=", 8) == 0) {
			kind = 'c';
			value = arg + 8;
		} else if (strncmp(arg, "--sleep-interval=", 17) == 0) {
			kind = 's';
			value = arg + 17;
		} else if (strcmp(arg, "--follow") == 0 || strcmp(arg, "--follow=descriptor") == 0 ||
			   strcmp(arg, "--follow=name") == 0) {
			follow = true;
			continue;
		} else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "--silent") == 0) {
			headers = -1;
			continue;
		} else if (strcmp(arg, "--verbose") == 0) {
			headers = 1;
			continue;
		} else if (arg[1] == '-') {
			return usage("unrecognized option", arg);
		} else {
			for (const char *p = arg + 1; *p != '\0'; p++) {
				if (*p == 'q') {
					headers = -1;
				} else if (*p == 'v') {
					headers = 1;
				} else if (*p == 'f' || *p == 'F') {
					follow = true;
				} else if (*p == 'n' || *p == 'c' || *p == 's') {
					kind = *p;
					value = p[1] != '\0' ? p + 1 : argv[++i];
					if (value == NULL) {
						char option[2] = {kind, '\0'};
						return usage("option requires an argument --", option);
					}
					break;
				} else {
					char option[2] = {*p, '\0'};
					return usage("invalid option --", option);
				}
			}
		}
		if (kind == 's') {
			if (!parse_interval(value, &interval)) {
				fprintf(stderr, "tail: invalid number of seconds: '%s'\n", value);
				return 1;
			}
		} else if (kind != 0) {
			lines = kind == 'n';
			from_start = value[0] == '+';
			const char *digits = value[0] == '-' || value[0] == '+' ? value + 1 : value;
			if (!parse_count(digits, &count)) {
				fprintf(stderr, "tail: invalid number of %s: '%s'\n",
					lines ? "lines" : "bytes", value);
				return 1;
			}
		}
	}
	if (nfiles == 0)
		files[nfiles++] = "-";
	bool show_headers = headers == 1 || (headers == 0 && nfiles > 1);

	struct followed watched[nfiles];
	int nwatched = 0;
	int status = 0;
	bool first = true;
	for (int f = 0; f < nfiles; f++) {
		bool is_stdin = strcmp(files[f], "-") == 0;
		int fd = is_stdin ? STDIN_FILENO : open(files[f], O_RDONLY);

		if (fd < 0) {
			fflush(stdout);
			fprintf(stderr, "tail: cannot open '%s' for reading: %s\n", files[f],
				strerror(errno));
			status = 1;
			continue;
		}
		if (show_headers)
			printf("%s==> %s <==\n", first ? "" : "\n", display_name(files[f]));
		first = false;
		size_t length;
		char *data = read_all(fd, files[f], &length);
		if (data == NULL) {
			status = 1;
			if (!is_stdin)
				close(fd);
			continue;
		}
		size_t start = tail_start(data, length, count, lines, from_start);
		fwrite(data + start, 1, length - start, stdout);
		free(data);

		struct stat st;
		if (follow && fstat(fd, &st) == 0 && !S_ISFIFO(st.st_mode) && !S_ISDIR(st.st_mode)) {
			off_t position = lseek(fd, 0, SEEK_CUR);
			watched[nwatched++] =
				(struct followed){files[f], fd, position < 0 ? 0 : position};
		} else if (!is_stdin) {
			close(fd);
		}
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "tail: write error: %s\n", strerror(errno));
		return 1;
	}
	if (nwatched == 0)
		return status;

	int last = nwatched - 1;
	for (;;) {
		nanosleep(&interval, NULL);
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
				if (show_headers && last != w)
					printf("\n==> %s <==\n", display_name(file->name));
				last = w;
				fwrite(buffer, 1, (size_t)n, stdout);
				file->position += n;
			}
		}
		if (fflush(stdout) != 0) {
			fprintf(stderr, "tail: write error: %s\n", strerror(errno));
			return 1;
		}
	}
}
