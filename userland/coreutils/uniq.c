/*
 * uniq.c: writes each run of equal adjacent lines of INPUT (stdin by
 * default, or "-") once to OUTPUT (stdout by default), as GNU uniq does:
 * -c prefixes each with its run's length (`%7d `), -d prints only runs of
 * two or more, -u only lines that are not repeated, -D every line of the
 * repeated runs, -i compares ignoring case, -f N skips N fields (blanks
 * then non-blanks), -s N skips N more characters and -w N compares at
 * most N characters. A last line without a newline still gets one. A
 * file that cannot be read prints `uniq: PATH: strerror`, exit status 1.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct line {
	char *text;
	size_t length; /* without the newline */
	size_t size;
};

static bool count_runs, only_repeated, only_unique, all_repeated, ignore_case;
static size_t skip_fields, skip_chars, check_chars = SIZE_MAX;

/* A line reader over one descriptor. */
static int in_fd;
static char in_buffer[16384];
static size_t in_start, in_end;
static bool in_eof;
static const char *in_name;
static bool read_failed;

/* Reads the next line into `line`; false at the end (or an error). */
static bool next_line(struct line *line)
{
	line->length = 0;
	bool any = false;

	for (;;) {
		if (in_start == in_end) {
			if (in_eof)
				return any;
			ssize_t n = read(in_fd, in_buffer, sizeof(in_buffer));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				if (n < 0) {
					fflush(stdout);
					fprintf(stderr, "uniq: %s: %s\n", in_name, strerror(errno));
					read_failed = true;
				}
				in_eof = true;
				return any;
			}
			in_start = 0;
			in_end = (size_t)n;
		}
		any = true;
		char *newline = memchr(in_buffer + in_start, '\n', in_end - in_start);
		size_t take = (newline != NULL ? (size_t)(newline - in_buffer) : in_end) - in_start;
		if (line->length + take + 1 > line->size) {
			size_t size = line->size == 0 ? 128 : line->size;
			while (line->length + take + 1 > size)
				size *= 2;
			char *bigger = realloc(line->text, size);
			if (bigger == NULL) {
				fprintf(stderr, "uniq: %s\n", strerror(ENOMEM));
				exit(1);
			}
			line->text = bigger;
			line->size = size;
		}
		memcpy(line->text + line->length, in_buffer + in_start, take);
		line->length += take;
		in_start += take;
		if (newline != NULL) {
			in_start++;
			return true;
		}
	}
}

/* The part of a line that is compared. */
static const char *key(const struct line *line, size_t *length)
{
	const char *p = line->text, *end = line->text + line->length;

	for (size_t f = 0; f < skip_fields && p < end; f++) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
	}
	size_t left = (size_t)(end - p);
	p += skip_chars < left ? skip_chars : left;
	left = (size_t)(end - p);
	*length = left < check_chars ? left : check_chars;
	return p;
}

static bool same(const struct line *a, const struct line *b)
{
	size_t la, lb;
	const char *ka = key(a, &la), *kb = key(b, &lb);

	if (la != lb)
		return false;
	if (!ignore_case)
		return memcmp(ka, kb, la) == 0;
	for (size_t i = 0; i < la; i++)
		if (tolower((unsigned char)ka[i]) != tolower((unsigned char)kb[i]))
			return false;
	return true;
}

static void put_line(FILE *out, const struct line *line)
{
	fwrite(line->text, 1, line->length, out);
	putc('\n', out);
}

/* The end of a run of `count` lines that began with `first`. */
static void end_run(FILE *out, const struct line *first, uintmax_t count)
{
	if (all_repeated)
		return;
	if ((only_repeated && count < 2) || (only_unique && count > 1))
		return;
	if (count_runs)
		fprintf(out, "%7ju ", count);
	put_line(out, first);
}

static bool parse_size(const char *text, size_t *value)
{
	char *end;

	if (text == NULL || !isdigit((unsigned char)*text))
		return false;
	errno = 0;
	unsigned long long n = strtoull(text, &end, 10);
	if (*end != '\0')
		return false;
	*value = errno == ERANGE || n > SIZE_MAX ? SIZE_MAX : (size_t)n;
	return true;
}

static int usage(const char *message, const char *arg)
{
	fprintf(stderr, "uniq: %s", message);
	if (arg != NULL)
		fprintf(stderr, " '%s'", arg);
	fputs("\nUsage: uniq [-c | -d | -D | -u] [-i] [-f N] [-s N] [-w N] [INPUT [OUTPUT]]\n",
	      stderr);
	return 1;
}

int main(int argc, char **argv)
{
	const char *names[2] = {"-", "-"};
	int nnames = 0;
	bool options_done = false;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (options_done || arg[0] != '-' || arg[1] == '\0') {
			if (nnames == 2)
				return usage("extra operand", arg);
			names[nnames++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		if (arg[1] == '-') {
			if (strcmp(arg, "--count") == 0)
				count_runs = true;
			else if (strcmp(arg, "--repeated") == 0)
				only_repeated = true;
			else if (strcmp(arg, "--unique") == 0)
				only_unique = true;
			else if (strcmp(arg, "--ignore-case") == 0)
				ignore_case = true;
			else if (strcmp(arg, "--all-repeated") == 0)
				all_repeated = true;
			else
				return usage("unrecognized option", arg);
			continue;
		}
		for (const char *p = arg + 1; *p != '\0'; p++) {
			size_t *target = NULL;
			switch (*p) {
			case 'c':
				count_runs = true;
				break;
			case 'd':
				only_repeated = true;
				break;
			case 'u':
				only_unique = true;
				break;
			case 'D':
				all_repeated = true;
				break;
			case 'i':
				ignore_case = true;
				break;
			case 'f':
				target = &skip_fields;
				break;
			case 's':
				target = &skip_chars;
				break;
			case 'w':
				target = &check_chars;
				break;
			default: {
				char option[2] = {*p, '\0'};
				return usage("invalid option --", option);
			}
			}
			if (target != NULL) {
				const char *value = p[1] != '\0' ? p + 1 : argv[++i];
				if (!parse_size(value, target)) {
					fprintf(stderr, "uniq: %s: invalid number\n",
						value != NULL ? value : "");
					return 1;
				}
				break;
			}
		}
	}
	if (all_repeated && count_runs) {
		fputs("uniq: printing all duplicated lines and repeat counts is meaningless\n", stderr);
		return 1;
	}

	in_name = names[0];
	in_fd = strcmp(names[0], "-") == 0 ? STDIN_FILENO : open(names[0], O_RDONLY);
	if (in_fd < 0) {
		fprintf(stderr, "uniq: %s: %s\n", names[0], strerror(errno));
		return 1;
	}
	FILE *out = stdout;
	if (strcmp(names[1], "-") != 0) {
		out = fopen(names[1], "w");
		if (out == NULL) {
			fprintf(stderr, "uniq: %s: %s\n", names[1], strerror(errno));
			return 1;
		}
	}

	struct line lines[2] = {{NULL, 0, 0}, {NULL, 0, 0}};
	struct line *first = &lines[0], *current = &lines[1];
	uintmax_t count = 0;
	if (next_line(first)) {
		count = 1;
		while (next_line(current)) {
			if (same(first, current)) {
				if (all_repeated) {
					if (count == 1)
						put_line(out, first);
					put_line(out, current);
				}
				count++;
				continue;
			}
			end_run(out, first, count);
			struct line *swap = first;
			first = current;
			current = swap;
			count = 1;
		}
		end_run(out, first, count);
	}
	int status = read_failed ? 1 : 0;
	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
		fprintf(stderr, "uniq: write error: %s\n", strerror(errno));
		status = 1;
	}
	return status;
}
