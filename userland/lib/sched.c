/*
 * sched.c: scheduling calls on Linux: sched_yield, getpriority/setpriority
 * (nice values; the raw getpriority returns 20 - nice so that it is never
 * negative, and this turns it back) and sched_getaffinity/sched_setaffinity
 * (the raw getaffinity returns how many bytes of mask the kernel wrote; the
 * rest of the caller's set is cleared and 0 returned, as glibc does).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "glue.h"
#include "posix_ext.h"

/* getpriority's raw result is 20 - nice, 1..40. */
#define NICE_BIAS 20

int sched_yield(void)
{
	return glue_result(syscall0(SYS_sched_yield));
}

int getpriority(int which, id_t who)
{
	long ret = glue_result(syscall2(SYS_getpriority, which, (long)who));

	if (ret < 0)
		return -1;
	/* -1 is a valid nice value: callers tell it from an error by clearing errno first. */
	return NICE_BIAS - (int)ret;
}

int setpriority(int which, id_t who, int prio)
{
	return glue_result(syscall3(SYS_setpriority, which, (long)who, prio));
}

int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set)
{
	return glue_result(syscall3(SYS_sched_setaffinity, pid, (long)size, (long)set));
}

int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set)
{
	long ret = glue_result(syscall3(SYS_sched_getaffinity, pid, (long)size, (long)set));

	if (ret < 0)
		return -1;
	if ((size_t)ret < size)
		memset((char *)set + ret, 0, size - (size_t)ret);
	return 0;
}
