/*
 * wc.c: counts newlines, words and bytes of each named file (or of stdin
 * with none, or for "-"), as GNU wc 9.1 in the C locale: -l lines, -w
 * words, -c bytes, -m characters (bytes: the C locale has one-byte
 * characters), -L the longest line's display width; no option means -l -w
 * -c. Counts print in the order lines, words, chars, bytes, max length,
 * right-aligned to GNU's width: the digits of the regular files' total
 * size (at least 7 when an input is not a regular file; 1 when one input
 * is counted once). A word is a run of printable non-space bytes; other
 * non-printable bytes neither start nor end one (as 9.1). With several
 * files a `total` line follows. A file that cannot be opened prints
 * `wc: PATH: strerror` and makes the exit status 1.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"

struct counts {
	uintmax_t lines, words, bytes, max_length;
};

static bool want_lines, want_words, want_chars, want_bytes, want_max_length;
static int number_width = 1;
static char buffer[128 * 1024];

static void print_counts(const struct counts *c, const char *name)
{
	const char *separator = "";

	if (want_lines) {
		printf("%s%*ju", separator, number_width, c->lines);
		separator = " ";
	}
	if (want_words) {
		printf("%s%*ju", separator, number_width, c->words);
		separator = " ";
	}
	if (want_chars) {
		printf("%s%*ju", separator, number_width, c->bytes);
		separator = " ";
	}
	if (want_bytes) {
		printf("%s%*ju", separator, number_width, c->bytes);
		separator = " ";
	}
	if (want_max_length)
		printf("%s%*ju", separator, number_width, c->max_length);
	if (name != NULL)
		printf(" %s", name);
	putchar('\n');
}

/* Counts what `fd` holds; false (and a message) when reading fails. */
static bool count(int fd, const char *name, struct counts *c)
{
	bool in_word = false;
	uintmax_t position = 0;
	ssize_t n;

	memset(c, 0, sizeof(*c));
	while ((n = read(fd, buffer, sizeof(buffer))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fflush(stdout);
			fprintf(stderr, "wc: %s: %s\n", name, strerror(errno));
			c->words += in_word;
			return false;
		}
		c->bytes += (uintmax_t)n;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)buffer[i];

			switch (ch) {
			case '\n':
				c->lines++;
				/* fall through */
			case '\r':
			case '\f':
				if (position > c->max_length)
					c->max_length = position;
				position = 0;
				c->words += in_word;
				in_word = false;
				break;
			case '\t':
				position += 8 - position % 8;
				c->words += in_word;
				in_word = false;
				break;
			case ' ':
				position++;
				/* fall through */
			case '\v':
				c->words += in_word;
				in_word = false;
				break;
			default:
				if (isprint(ch)) {
					position++;
					in_word = true;
				}
				break;
			}
		}
	}
	if (position > c->max_length)
		c->max_length = position;
	c->words += in_word;
	return true;
}

static void add(struct counts *total, const struct counts *c)
{
	total->lines += c->lines;
	total->words += c->words;
	total->bytes += c->bytes;
	if (c->max_length > total->max_length)
		total->max_length = c->max_length;
}

/* GNU's compute_number_width. */
static void choose_width(int count_kinds, int nfiles, char **files)
{
	if (nfiles == 1 && count_kinds == 1)
		return;
	uintmax_t regular_total = 0;
	int minimum = 1;
	for (int i = 0; i < nfiles; i++) {
		struct stat st;
		const char *name = files == NULL ? "-" : files[i];
		int r = strcmp(name, "-") == 0 ? fstat(STDIN_FILENO, &st) : stat(name, &st);

		if (r != 0)
			continue;
		if (S_ISREG(st.st_mode))
			regular_total += (uintmax_t)st.st_size;
		else
			minimum = 7;
	}
	number_width = 1;
	for (; regular_total >= 10; regular_total /= 10)
		number_width++;
	if (number_width < minimum)
		number_width = minimum;
}

static int usage(void)
{
	fputs("Usage: wc [-clmwL] [FILE]...\n", stderr);
	return 1;
}

int main(int argc, char **argv)
{
	char *files[argc > 1 ? argc : 1];
	int nfiles = 0;
	bool options_done = false;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (gnu_operand(argv[i], &options_done, files, &nfiles))
			continue;
		if (strcmp(arg, "--lines") == 0) {
			want_lines = true;
			continue;
		}
		if (strcmp(arg, "--words") == 0) {
			want_words = true;
			continue;
		}
		if (strcmp(arg, "--bytes") == 0) {
			want_bytes = true;
			continue;
		}
		if (strcmp(arg, "--chars") == 0) {
			want_chars = true;
			continue;
		}
		if (strcmp(arg, "--max-line-length") == 0) {
			want_max_length = true;
			continue;
		}
		if (arg[1] == '-') {
			fprintf(stderr, "wc: unrecognized option '%s'\n", arg);
			return usage();
		}
		for (const char *p = arg + 1; *p != '\0'; p++) {
			switch (*p) {
			case 'l':
				want_lines = true;
				break;
			case 'w':
				want_words = true;
				break;
			case 'c':
				want_bytes = true;
				break;
			case 'm':
				want_chars = true;
				break;
			case 'L':
				want_max_length = true;
				break;
			default:
				fprintf(stderr, "wc: invalid option -- '%c'\n", *p);
				return usage();
			}
		}
	}
	if (!want_lines && !want_words && !want_chars && !want_bytes && !want_max_length)
		want_lines = want_words = want_bytes = true;
	int kinds = want_lines + want_words + want_chars + want_bytes + want_max_length;

	choose_width(kinds, nfiles == 0 ? 1 : nfiles, nfiles == 0 ? NULL : files);

	int status = 0;
	struct counts total = {0, 0, 0, 0};
	if (nfiles == 0) {
		struct counts c;
		if (!count(STDIN_FILENO, "standard input", &c))
			status = 1;
		print_counts(&c, NULL);
		return fflush(stdout) == 0 ? status : 1;
	}
	for (int i = 0; i < nfiles; i++) {
		struct counts c;
		bool is_stdin = strcmp(files[i], "-") == 0;
		int fd = is_stdin ? STDIN_FILENO : open(files[i], O_RDONLY);

		if (fd < 0) {
			fflush(stdout);
			fprintf(stderr, "wc: %s: %s\n", files[i], strerror(errno));
			status = 1;
			continue;
		}
		if (!count(fd, is_stdin ? "standard input" : files[i], &c))
			status = 1;
		if (!is_stdin)
			close(fd);
		print_counts(&c, files[i]);
		add(&total, &c);
	}
	if (nfiles > 1)
		print_counts(&total, "total");
	return fflush(stdout) == 0 ? status : 1;
}
