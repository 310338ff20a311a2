/*
 * random.c: the system's randomness as a C program sees it — getrandom fills what it is asked
 * for and two draws differ; its bad flags are EINVAL and a bad buffer EFAULT; picolibc's
 * getentropy and arc4random work on it. Prints one line per fact, then `ok`.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "denix_ipc.h"
#include "linux_syscall.h"

int main(void)
{
	unsigned char a[64], b[64];
	long n = syscall3(SYS_getrandom, (long)a, sizeof a, 0);

	CHECK(n == (long)sizeof a);
	CHECK(syscall3(SYS_getrandom, (long)b, sizeof b, 1 /* GRND_NONBLOCK */) == (long)sizeof b);
	CHECK(memcmp(a, b, sizeof a) != 0);
	printf("getrandom: 64 bytes, twice, and the draws differ\n");
	CHECK(syscall3(SYS_getrandom, (long)a, sizeof a, 0x100) == -LINUX_EINVAL);
	CHECK(syscall3(SYS_getrandom, (long)a, sizeof a, 0x6) == -LINUX_EINVAL);
	CHECK(syscall3(SYS_getrandom, 16, sizeof a, 0) == -LINUX_EFAULT);
	printf("getrandom: bad flags EINVAL, a bad buffer EFAULT\n");
	CHECK(getentropy(a, 32) == 0 && getentropy(b, 32) == 0 && memcmp(a, b, 32) != 0);
	unsigned x = arc4random(), y = arc4random(), z = arc4random();
	CHECK(x != y || y != z);
	printf("getentropy and arc4random work\n");
	printf("ok\n");
	return 0;
}
