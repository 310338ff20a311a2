/*
 * random.c: getentropy (used by picolibc's arc4random) on the Linux
 * getrandom call.
 */
#include <errno.h>
#include <stddef.h>
#include <unistd.h>

#include "glue.h"

/* POSIX limit on a single getentropy request. */
#define GETENTROPY_MAX 256

int getentropy(void *buffer, size_t length)
{
	char *out = buffer;

	if (length > GETENTROPY_MAX) {
		errno = EIO;
		return -1;
	}
	while (length > 0) {
		long ret = syscall3(SYS_getrandom, (long)out, (long)length, 0);

		if (ret == -LINUX_EINTR)
			continue;
		if (glue_result(ret) < 0)
			return -1;
		out += ret;
		length -= (size_t)ret;
	}
	return 0;
}
