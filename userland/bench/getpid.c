/*
 * getpid.c (bench_getpid): argv[1] (default 100000) raw getpid system
 * calls, the cheapest round trip into the kernel and back. Prints the call
 * count; exits 1 if getpid ever changes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "linux_syscall.h"

#define DEFAULT_CALLS 100000

int main(int argc, char **argv)
{
	unsigned calls = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : DEFAULT_CALLS;
	long first = syscall0(SYS_getpid);

	for (unsigned i = 0; i < calls; i++)
		if (syscall0(SYS_getpid) != first) {
			printf("getpid: changed\n");
			return 1;
		}
	printf("getpid: %u calls\n", calls);
	return 0;
}
