/*
 * glue.h: helpers shared by the picolibc system-call glue in userland/lib:
 * turning raw Linux results into the C convention (errno + -1) with errno
 * values translated to picolibc's numbering, translating signal numbers
 * both ways (picolibc uses the BSD set), picolibc's AT_FDCWD and AT_* flags
 * as Linux's, and the futex calls the thread library and the libc locks sleep
 * and wake with.
 */
#ifndef GLUE_H
#define GLUE_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

#include "linux_syscall.h"
#include "posix_ext.h"

/* Sets errno from a Linux error number (positive, as the kernel means it). */
void glue_set_errno(long linux_errno);

/* Passes a successful raw result through; for -errno sets errno and gives -1. */
static inline long glue_result(long ret)
{
	if (linux_is_error(ret)) {
		glue_set_errno(-ret);
		return -1;
	}
	return ret;
}

/*
 * The directory descriptor for a Linux *at call: picolibc's AT_FDCWD (-2) is
 * Linux's -100; any other value (a descriptor, or a bad one the kernel will
 * refuse with EBADF) passes through.
 */
static inline long glue_at_fd(int dirfd)
{
	return dirfd == AT_FDCWD ? LINUX_AT_FDCWD : dirfd;
}

/*
 * Linux's AT_* bits for picolibc's. Bits outside `allowed` (a set of
 * picolibc AT_* values the call accepts) set EINVAL and give -1.
 */
static inline long glue_at_flags(int flags, int allowed)
{
	long out = 0;

	if (flags & ~allowed) {
		errno = EINVAL;
		return -1;
	}
	if (flags & AT_SYMLINK_NOFOLLOW)
		out |= LINUX_AT_SYMLINK_NOFOLLOW;
	if (flags & AT_SYMLINK_FOLLOW)
		out |= LINUX_AT_SYMLINK_FOLLOW;
	if (flags & AT_REMOVEDIR)
		out |= LINUX_AT_REMOVEDIR;
	if (flags & AT_EMPTY_PATH)
		out |= LINUX_AT_EMPTY_PATH;
	return out;
}

/* The picolibc errno value for a Linux error number, without touching errno. */
int glue_errno_value(long linux_errno);

/* Linux number of a picolibc signal (0 for signal 0), or -1 where Linux has no such signal. */
int glue_linux_signal(int sig);

/*
 * picolibc number of a Linux signal. Linux signals picolibc has no name for
 * (16 SIGSTKFLT, 30 SIGPWR, 32..64 real-time) come back as NSIG + the Linux
 * number, which stays below WTERMSIG's 0x7f limit and does not collide.
 */
int glue_picolibc_signal(int linux_sig);

/* Kernel sigset (bit n - 1 for Linux signal n) from picolibc's, and back. */
uint64_t glue_linux_sigset(unsigned long set);
unsigned long glue_picolibc_sigset(uint64_t set);

/*
 * FUTEX_WAIT: sleeps while *word == expected (no timeout). `private_futex`
 * selects the PRIVATE_FLAG ops, for words only this process's threads use.
 * Returns the raw result (0, -EAGAIN when *word had changed, -EINTR).
 */
static inline long glue_futex_wait(volatile int *word, int expected, int private_futex)
{
	long op = LINUX_FUTEX_WAIT | (private_futex ? LINUX_FUTEX_PRIVATE_FLAG : 0);

	return syscall6(SYS_futex_time64, (long)word, op, expected, 0, 0, 0);
}

/* FUTEX_WAKE: wakes up to `count` waiters on word; returns how many woke. */
static inline long glue_futex_wake(volatile int *word, int count, int private_futex)
{
	long op = LINUX_FUTEX_WAKE | (private_futex ? LINUX_FUTEX_PRIVATE_FLAG : 0);

	return syscall6(SYS_futex_time64, (long)word, op, count, 0, 0, 0);
}

#endif
