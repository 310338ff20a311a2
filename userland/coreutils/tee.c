/*
 * tee.c: copies stdin to stdout and to each named file, as GNU tee does:
 * the files are truncated, or appended to with -a. A file that cannot be
 * opened or written is reported (`tee: PATH: reason`) and dropped, and the
 * exit status is then 1; the copy to the others goes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char buffer[128 * 1024];
	int append = 0;
	int status = 0;
	int *fds;
	struct short_options s = SHORT_OPTIONS(argc, argv);
	int count;
	int c, i;

	while ((c = next_option(&s)) != 0) {
		if (c == 'a')
			append = 1;
		else if (c != 'i')
			return invalid_option("tee", c);
	}
	i = s.index;
	count = argc - i;
	fds = calloc((size_t)count + 1, sizeof(int));
	if (fds == NULL)
		return 1;
	fds[0] = STDOUT_FILENO;
	for (int k = 0; k < count; k++) {
		const char *path = argv[i + k];

		fds[k + 1] = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0666);
		if (fds[k + 1] < 0) {
			fprintf(stderr, "tee: %s: %s\n", path, strerror(errno));
			status = 1;
		}
	}
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buffer, sizeof(buffer));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "tee: read error: %s\n", strerror(errno));
			status = 1;
			break;
		}
		if (n == 0)
			break;
		for (int k = 0; k <= count; k++) {
			if (fds[k] < 0)
				continue;
			if (write_all(fds[k], buffer, (size_t)n) != 0) {
				const char *name = k == 0 ? "'standard output'" : argv[i + k - 1];

				fprintf(stderr, "tee: %s: %s\n", name, strerror(errno));
				if (k > 0)
					close(fds[k]);
				fds[k] = -1;
				status = 1;
			}
		}
	}
	for (int k = 1; k <= count; k++) {
		if (fds[k] >= 0 && close(fds[k]) != 0) {
			fprintf(stderr, "tee: %s: %s\n", argv[i + k - 1], strerror(errno));
			status = 1;
		}
	}
	free(fds);
	return status;
}
