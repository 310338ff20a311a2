/*
 * yes.c: writes its arguments joined by spaces (or "y"), and a newline,
 * over and over until writing fails. The line is repeated in a buffer so
 * each write(2) carries many copies. A write error (EPIPE when SIGPIPE is
 * ignored) prints `yes: standard output: strerror` and exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUFFER_SIZE 8192

int main(int argc, char **argv)
{
	size_t line_length = 0;
	int first = 1;

	if (argc > 1 && strcmp(argv[1], "--") == 0)
		first = 2;
	for (int i = first; i < argc; i++)
		line_length += strlen(argv[i]) + 1;
	if (line_length == 0)
		line_length = 2;

	/* As many whole lines as fit in the buffer (one at least). */
	size_t size = line_length > BUFFER_SIZE / 2 ? line_length
						    : BUFFER_SIZE / line_length * line_length;
	char *buffer = malloc(size);
	if (buffer == NULL) {
		fprintf(stderr, "yes: %s\n", strerror(ENOMEM));
		return 1;
	}
	size_t used = 0;
	if (first == argc) {
		memcpy(buffer, "y\n", 2);
		used = 2;
	} else {
		for (int i = first; i < argc; i++) {
			size_t n = strlen(argv[i]);
			memcpy(buffer + used, argv[i], n);
			used += n;
			buffer[used++] = i + 1 < argc ? ' ' : '\n';
		}
	}
	while (used + line_length <= size) {
		memcpy(buffer + used, buffer, line_length);
		used += line_length;
	}
	for (;;) {
		size_t done = 0;
		while (done < used) {
			ssize_t n = write(STDOUT_FILENO, buffer + done, used - done);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				fprintf(stderr, "yes: standard output: %s\n", strerror(errno));
				return 1;
			}
			done += (size_t)n;
		}
	}
}
