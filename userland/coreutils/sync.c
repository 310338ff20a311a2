/*
 * sync.c: writes cached data to the disks: sync() without operands, fsync
 * of each named file otherwise (as GNU sync does). Errors print `sync:
 * PATH: reason` on stderr and make the exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		sync();
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY | O_NONBLOCK);

		if (fd < 0 || fsync(fd) != 0) {
			fprintf(stderr, "sync: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
		if (fd >= 0)
			close(fd);
	}
	return status;
}
