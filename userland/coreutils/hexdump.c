/*
 * hexdump.c: shows bytes in hexadecimal, as util-linux hexdump does, reading
 * the named files one after the other as a single stream (stdin without
 * names). The default format is eight little-endian 16-bit words a line
 * ("0000000 6568 6c6c ..."); -C is the canonical one: 16 bytes in two groups
 * of eight and the printable ones between bars ("00000000  68 65 ...
 * |hello|"). A line equal to the one before it prints as a single "*"
 * unless -v is given; the last line is the offset just past the data.
 * -s OFFSET skips that many bytes first and -n LENGTH reads no more than
 * LENGTH (decimal, 0x hexadecimal or 0 octal); on a pipe the skipped bytes
 * are read (util-linux's hexdump fails there with ESPIPE). A file that
 * cannot be read prints `hexdump: PATH: reason` and makes the exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"

#define LINE 16

static int canonical;
static int show_all;
static int status;

/* The input: the named files in turn, or stdin. */
static char **names;
static int name_count;
static int next_name;
static int current_fd = -1;
static const char *current_name;

static int open_next(void)
{
	while (next_name < name_count) {
		const char *name = names[next_name++];
		int fd = open(name, O_RDONLY);

		if (fd >= 0) {
			current_fd = fd;
			current_name = name;
			return 1;
		}
		fflush(stdout);
		fprintf(stderr, "hexdump: %s: %s\n", name, strerror(errno));
		status = 1;
	}
	return 0;
}

/* Up to `want` bytes of the stream into buf; fewer only at its end. */
static size_t read_stream(unsigned char *buf, size_t want)
{
	size_t got = 0;

	while (got < want) {
		ssize_t n;

		if (current_fd < 0 && !open_next())
			break;
		n = read(current_fd, buf + got, want - got);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n < 0) {
			fflush(stdout);
			fprintf(stderr, "hexdump: %s: %s\n", current_name, strerror(errno));
			status = 1;
		}
		if (current_fd != STDIN_FILENO)
			close(current_fd);
		current_fd = -1;
		if (name_count == 0)
			break;
	}
	return got;
}

static void print_line(uint64_t offset, const unsigned char *line, size_t n)
{
	if (canonical) {
		printf("%08llx  ", (unsigned long long)offset);
		for (size_t i = 0; i < LINE; i++) {
			if (i == 8)
				putchar(' ');
			if (i < n)
				printf("%02x ", line[i]);
			else
				fputs("   ", stdout);
		}
		fputs(" |", stdout);
		for (size_t i = 0; i < n; i++)
			putchar(line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '.');
		puts("|");
	} else {
		printf("%07llx", (unsigned long long)offset);
		for (size_t i = 0; i < LINE; i += 2) {
			if (i < n)
				printf(" %04x", line[i] | (i + 1 < n ? line[i + 1] << 8 : 0));
			else
				fputs("     ", stdout);
		}
		putchar('\n');
	}
}

static int parse_number(const char *text, uint64_t *value)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(text, &end, 0);
	if (errno != 0 || end == text || *end != '\0')
		return -1;
	*value = n;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char line[LINE];
	unsigned char previous[LINE];
	uint64_t offset = 0;
	uint64_t skip = 0;
	uint64_t limit = UINT64_MAX;
	int have_previous = 0;
	int starred = 0;
	struct short_options s = SHORT_OPTIONS(argc, argv);
	int c, i;

	while ((c = next_option(&s)) != 0) {
		if (c == 'C') {
			canonical = 1;
		} else if (c == 'v') {
			show_all = 1;
		} else if (c == 's' || c == 'n') {
			const char *value = option_value(&s);

			if (value == NULL || parse_number(value, c == 's' ? &skip : &limit) != 0) {
				fprintf(stderr, "hexdump: invalid -%c argument\n", c);
				return 1;
			}
		} else {
			return invalid_option("hexdump", c);
		}
	}
	i = s.index;
	names = argv + i;
	name_count = argc - i;
	if (name_count == 0)
		current_fd = STDIN_FILENO;

	/*
	 * Skip: whole regular files by their size, into one with lseek, and by
	 * reading otherwise (a pipe, or past what a 32-bit off_t reaches).
	 */
	while (skip > 0) {
		static unsigned char scratch[65536];
		struct stat st;
		size_t n;

		if (current_fd < 0 && !open_next())
			break;
		if (fstat(current_fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
			off_t at = lseek(current_fd, 0, SEEK_CUR);

			if (at >= 0 && (uint64_t)(st.st_size - at) <= skip && name_count > 0) {
				skip -= (uint64_t)(st.st_size - at);
				offset += (uint64_t)(st.st_size - at);
				close(current_fd);
				current_fd = -1;
				continue;
			}
			if (at >= 0 && lseek(current_fd, (off_t)skip, SEEK_CUR) >= 0) {
				offset += skip;
				skip = 0;
				break;
			}
		}
		n = read_stream(scratch, skip < sizeof(scratch) ? (size_t)skip : sizeof(scratch));
		if (n == 0)
			break;
		skip -= n;
		offset += n;
	}
	for (;;) {
		size_t want = limit < LINE ? (size_t)limit : LINE;
		size_t n = want > 0 ? read_stream(line, want) : 0;

		if (n == 0)
			break;
		limit -= n;
		if (n == LINE && have_previous && !show_all && memcmp(line, previous, LINE) == 0) {
			if (!starred)
				puts("*");
			starred = 1;
		} else {
			print_line(offset, line, n);
			starred = 0;
		}
		memcpy(previous, line, n);
		have_previous = n == LINE;
		offset += n;
		if (n < LINE)
			break;
	}
	if (offset > 0 || have_previous)
		printf(canonical ? "%08llx\n" : "%07llx\n", (unsigned long long)offset);
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}
