/*
 * time.c: picolibc's clock hooks. gettimeofday reads CLOCK_REALTIME through
 * clock_gettime64 (rv32 has no 32-bit time calls); times scales the kernel's
 * USER_HZ ticks to picolibc's CLOCKS_PER_SEC (1 MHz), the unit clock()
 * reports in; like any 32-bit clock_t at that rate, values wrap every ~71
 * minutes.
 */
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>

#include "glue.h"

/* The tick rate of the times() syscall, fixed by the Linux ABI. */
#define LINUX_USER_HZ 100

#define TICK_SCALE (CLOCKS_PER_SEC / LINUX_USER_HZ)

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct linux_timespec64 ts;

	if (glue_result(syscall2(SYS_clock_gettime64, LINUX_CLOCK_REALTIME, (long)&ts)) < 0)
		return -1;
	if (tv != NULL) {
		tv->tv_sec = ts.tv_sec;
		tv->tv_usec = ts.tv_nsec / 1000;
	}
	if (tz != NULL) {
		struct timezone *zone = tz;

		zone->tz_minuteswest = 0;
		zone->tz_dsttime = 0;
	}
	return 0;
}

clock_t times(struct tms *buf)
{
	long ret = syscall1(SYS_times, (long)buf);

	if (glue_result(ret) == -1)
		return (clock_t)-1;
	if (buf != NULL) {
		buf->tms_utime *= TICK_SCALE;
		buf->tms_stime *= TICK_SCALE;
		buf->tms_cutime *= TICK_SCALE;
		buf->tms_cstime *= TICK_SCALE;
	}
	return (clock_t)ret * TICK_SCALE;
}
