/*
 * sysconf.c: the system's limits and sizes a program may ask for. The page
 * size, the clock tick and the descriptor limit are the kernel's constants;
 * the processor count is what sched_getaffinity allows (all the harts).
 */
#include <errno.h>
#include <unistd.h>

#include "glue.h"

/* Linux's USER_HZ, the unit of times() and /proc's tick counts. */
#define CLOCK_TICKS 100
/* The kernel's descriptor table size (kernel/file.ts FD_MAX). */
#define OPEN_MAX 256
#define PAGE_BYTES 4096

/* The harts the calling process may run on. */
static long processors(void)
{
	unsigned long mask[32];
	long n = syscall3(SYS_sched_getaffinity, 0, sizeof mask, (long)mask);
	long count = 0;

	if (n < 0)
		return 1;
	for (long i = 0; i < n / (long)sizeof mask[0]; i++)
		count += __builtin_popcountl(mask[i]);
	return count > 0 ? count : 1;
}

long sysconf(int name)
{
	switch (name) {
	case _SC_PAGESIZE:
		return PAGE_BYTES;
	case _SC_CLK_TCK:
		return CLOCK_TICKS;
	case _SC_OPEN_MAX:
		return OPEN_MAX;
	case _SC_NPROCESSORS_CONF:
	case _SC_NPROCESSORS_ONLN:
		return processors();
	default:
		errno = EINVAL;
		return -1;
	}
}
