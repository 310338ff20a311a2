/*
 * head_tail.h: what head and tail share, as static inline functions: their
 * command line (-n N, -c N and GNU's N suffixes b, kB, K, MB, M, ... KiB,
 * MiB ...; -q, -v and the long forms; tail's -f, -F and -s SECONDS too),
 * opening each file ("-" is stdin) with its `==> NAME <==` header, reading
 * a whole file into memory, and GNU's messages (`head: PATH: strerror`,
 * `tail: cannot open 'PATH' for reading: strerror`, a usage line).
 */
#ifndef HEAD_TAIL_H
#define HEAD_TAIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "options.h"

/* What the command line says, and where the output stands. */
struct count_options {
	const char *program;	  /* "head" or "tail" */
	const char *synopsis;	  /* the usage line */
	bool follow_options;	  /* tail's -f, -F, -s and their long forms */
	uintmax_t count;	  /* N of -n N or -c N */
	bool lines;		  /* -n (or -c) */
	char sign;		  /* the sign N was given with: '-', '+' or 0 */
	int headers;		  /* -1 never (-q), 1 always (-v), 0 when several files */
	bool follow;		  /* -f */
	struct timespec interval; /* -s */
	char **files;		  /* the operands ("-" without any) */
	int nfiles;
	bool show_headers;
	bool started;		  /* a header was printed: the next begins with an empty line */
};

static inline const char *display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "standard input" : path;
}

/* `PROGRAM: PATH: strerror`. */
static inline void count_error(const char *program, const char *path, int error)
{
	fflush(stdout);
	fprintf(stderr, "%s: %s: %s\n", program, display_name(path), strerror(error));
}

/* `PROGRAM: MESSAGE 'ARG'` and the usage line; returns the exit status 1. */
static inline int count_usage(const struct count_options *o, const char *message, const char *arg)
{
	fprintf(stderr, "%s: %s '%s'\n", o->program, message, arg);
	fputs(o->synopsis, stderr);
	return 1;
}

/* Parses N[suffix] (no sign); false on anything else. Saturates on overflow, as GNU does. */
static inline bool parse_count(const char *text, uintmax_t *value)
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

/* -s SECONDS: a decimal number of seconds. */
static inline bool parse_interval(const char *text, struct timespec *interval)
{
	char *end;
	double seconds = strtod(text, &end);

	if (end == text || *end != '\0' || !(seconds >= 0) || seconds > 1e9)
		return false;
	interval->tv_sec = (time_t)seconds;
	interval->tv_nsec = (long)((seconds - (double)interval->tv_sec) * 1e9);
	return true;
}

/*
 * Reads argv[i...] (after any old-style first argument) into o, whose
 * program, synopsis, follow_options, files and defaults are set. Returns 0,
 * or the exit status after a message.
 */
static inline int count_parse(struct count_options *o, int argc, char **argv, int i)
{
	bool options_done = false;

	for (; i < argc; i++) {
		char *arg = argv[i];

		if (gnu_operand(arg, &options_done, o->files, &o->nfiles))
			continue;
		const char *value = NULL;
		char kind = 0;
		if (strncmp(arg, "--lines=", 8) == 0) {
			kind = 'n';
			value = arg + 8;
		} else if (strncmp(arg, "--bytes=", 8) == 0) {
			kind = 'c';
			value = arg + 8;
		} else if (o->follow_options && strncmp(arg, "--sleep-interval=", 17) == 0) {
			kind = 's';
			value = arg + 17;
		} else if (o->follow_options &&
			   (strcmp(arg, "--follow") == 0 || strcmp(arg, "--follow=descriptor") == 0 ||
			    strcmp(arg, "--follow=name") == 0)) {
			o->follow = true;
		} else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "--silent") == 0) {
			o->headers = -1;
		} else if (strcmp(arg, "--verbose") == 0) {
			o->headers = 1;
		} else if (arg[1] == '-') {
			return count_usage(o, "unrecognized option", arg);
		} else {
			for (const char *p = arg + 1; *p != '\0'; p++) {
				if (*p == 'q') {
					o->headers = -1;
				} else if (*p == 'v') {
					o->headers = 1;
				} else if (o->follow_options && (*p == 'f' || *p == 'F')) {
					o->follow = true;
				} else if (*p == 'n' || *p == 'c' || (o->follow_options && *p == 's')) {
					kind = *p;
					value = p[1] != '\0' ? p + 1 : argv[++i];
					if (value == NULL) {
						char option[2] = {kind, '\0'};
						return count_usage(o, "option requires an argument --",
								   option);
					}
					break;
				} else {
					char option[2] = {*p, '\0'};
					return count_usage(o, "invalid option --", option);
				}
			}
		}
		if (kind == 's') {
			if (!parse_interval(value, &o->interval)) {
				fprintf(stderr, "%s: invalid number of seconds: '%s'\n", o->program,
					value);
				return 1;
			}
		} else if (kind != 0) {
			o->lines = kind == 'n';
			o->sign = value[0] == '-' || value[0] == '+' ? value[0] : 0;
			if (!parse_count(o->sign != 0 ? value + 1 : value, &o->count)) {
				fprintf(stderr, "%s: invalid number of %s: '%s'\n", o->program,
					o->lines ? "lines" : "bytes", value);
				return 1;
			}
		}
	}
	if (o->nfiles == 0)
		o->files[o->nfiles++] = "-";
	o->show_headers = o->headers == 1 || (o->headers == 0 && o->nfiles > 1);
	return 0;
}

/*
 * Opens a file operand ("-" is stdin) and prints its header where there are
 * headers; -1 (reported) where it cannot be opened.
 */
static inline int count_open(struct count_options *o, const char *path)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);

	if (fd < 0) {
		fflush(stdout);
		fprintf(stderr, "%s: cannot open '%s' for reading: %s\n", o->program, path,
			strerror(errno));
		return -1;
	}
	if (o->show_headers)
		printf("%s==> %s <==\n", o->started ? "\n" : "", display_name(path));
	o->started = true;
	return fd;
}

/* Flushes stdout; false (reported: `PROGRAM: write error: strerror`) where that fails. */
static inline bool count_flush(const char *program)
{
	if (fflush(stdout) == 0)
		return true;
	fprintf(stderr, "%s: write error: %s\n", program, strerror(errno));
	return false;
}

/* Reads what is left of fd into a growing buffer; NULL (reported) on failure. */
static inline char *read_all(const char *program, int fd, const char *path, size_t *length)
{
	size_t size = 65536, used = 0;
	char *data = malloc(size);

	if (data == NULL) {
		count_error(program, path, ENOMEM);
		return NULL;
	}
	for (;;) {
		if (used == size) {
			char *bigger = realloc(data, size * 2);
			if (bigger == NULL) {
				free(data);
				count_error(program, path, ENOMEM);
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
			count_error(program, path, errno);
			free(data);
			return NULL;
		}
		used += (size_t)n;
	}
	*length = used;
	return data;
}

#endif
