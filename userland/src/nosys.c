/*
 * nosys.c: a system call number no kernel implements (1999) must fail with
 * -ENOSYS (-38) and leave the process running. Prints the raw result, then
 * `ok` (or a FAIL line); exits 0 only if it was -38.
 */
#include <stdio.h>

#include "linux_syscall.h"

#define UNKNOWN_SYSCALL 1999
#define LINUX_ENOSYS 38

int main(void)
{
	long result = syscall0(UNKNOWN_SYSCALL);

	printf("syscall %d returned %ld\n", UNKNOWN_SYSCALL, result);
	if (result != -LINUX_ENOSYS) {
		printf("FAIL: want %d\n", -LINUX_ENOSYS);
		return 1;
	}
	printf("ok\n");
	return 0;
}
