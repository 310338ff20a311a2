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
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buffer[16384];

static const char *display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "standard input" : path;
}

static void fail(const char *path, int error)
{
	fflush(stdout);
	fprintf(stderr, "head: %s: %s\n", display_name(path), strerror(error));
}

/* Parses N[suffix] (no sign); false on anything else or overflow (saturates like GNU). */
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

static bool write_all(const char *data, size_t length)
{
	return fwrite(data, 1, length, stdout) == length;
}

/* Reads all of fd into a growing buffer. */
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
			fail(path, errno);
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
	char *data = read_all(fd, path, &length);

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

static int usage(const char *message, const char *arg)
{
	if (arg != NULL)
		fprintf(stderr, "head: %s '%s'\n", message, arg);
	else
		fprintf(stderr, "head: %s\n", message);
	fputs("Usage: head [-n [-]N | -c [-]N | -N] [-q | -v] [FILE]...\n", stderr);
	return 1;
}

int main(int argc, char **argv)
{
	char *files[argc > 1 ? argc : 1];
	int nfiles = 0;
	uintmax_t count = 10;
	bool lines = true;
	bool elide = false;
	int headers = 0; /* -1 never, 1 always, 0 when several files */
	bool options_done = false;
	int i = 1;

	/* The obsolete form: -N[bcklmqv]... as the first argument. */
	if (argc > 1 && argv[1][0] == '-' && argv[1][1] >= '0' && argv[1][1] <= '9') {
		const char *p = argv[1] + 1;
		count = 0;
		for (; *p >= '0' && *p <= '9'; p++)
			count = count * 10 + (uintmax_t)(*p - '0');
		for (; *p != '\0'; p++) {
			if (*p == 'c')
				lines = false;
			else if (*p == 'l')
				lines = true;
			else if (*p == 'q')
				headers = -1;
			else if (*p == 'v')
				headers = 1;
			else
				return usage("invalid trailing option --", argv[1]);
		}
		i = 2;
	}
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
				} else if (*p == 'n' || *p == 'c') {
					kind = *p;
					value = p[1] != '\0' ? p + 1 : argv[++i];
					if (value == NULL)
						return usage("option requires an argument --",
							     kind == 'n' ? "n" : "c");
					break;
				} else {
					char option[2] = {*p, '\0'};
					return usage("invalid option --", option);
				}
			}
		}
		if (kind != 0) {
			lines = kind == 'n';
			elide = value[0] == '-';
			const char *digits = value[0] == '-' || value[0] == '+' ? value + 1 : value;
			if (!parse_count(digits, &count)) {
				fprintf(stderr, "head: invalid number of %s: '%s'\n",
					lines ? "lines" : "bytes", value);
				return 1;
			}
		}
	}
	if (nfiles == 0)
		files[nfiles++] = "-";
	bool show_headers = headers == 1 || (headers == 0 && nfiles > 1);

	int status = 0;
	bool first = true;
	for (int f = 0; f < nfiles; f++) {
		bool is_stdin = strcmp(files[f], "-") == 0;
		int fd = is_stdin ? STDIN_FILENO : open(files[f], O_RDONLY);

		if (fd < 0) {
			fflush(stdout);
			fprintf(stderr, "head: cannot open '%s' for reading: %s\n", files[f],
				strerror(errno));
			status = 1;
			continue;
		}
		if (show_headers)
			printf("%s==> %s <==\n", first ? "" : "\n", display_name(files[f]));
		first = false;
		bool ok = elide ? head_elide(fd, files[f], count, lines)
				: head_start(fd, files[f], count, lines);
		if (!ok)
			status = 1;
		if (!is_stdin && close(fd) < 0) {
			fail(files[f], errno);
			status = 1;
		}
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "head: write error: %s\n", strerror(errno));
		return 1;
	}
	return status;
}
