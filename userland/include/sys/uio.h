/*
 * sys/uio.h: scatter/gather I/O, which picolibc does not provide. struct
 * iovec is Linux's own layout (a pointer and a length, 8 bytes on rv32), so
 * the glue hands the caller's array to readv/writev as it is. IOV_MAX (1024,
 * Linux's UIO_MAXIOV) comes from picolibc's <limits.h>.
 */
#ifndef _SYS_UIO_H
#define _SYS_UIO_H

#include <sys/types.h>

struct iovec {
	void *iov_base;
	size_t iov_len;
};

ssize_t readv(int fd, const struct iovec *iov, int count);
ssize_t writev(int fd, const struct iovec *iov, int count);

#endif
