/*
 * efault.c: hands the kernel buffers it cannot touch, through raw syscalls
 * (no libc checks in between), and prints the results: both must be -14,
 * -EFAULT, and the process must survive.
 */
#include <stdio.h>

#include "linux_syscall.h"

int main(void)
{
	long wrote = syscall3(SYS_write, 1, 0x00000010, 16);
	long got = syscall3(SYS_read, 0, (long)0xfffff000u, 16);

	printf("write(1, 0x00000010, 16) = %ld\n", wrote);
	printf("read(0, 0xfffff000, 16) = %ld\n", got);
	return 0;
}
