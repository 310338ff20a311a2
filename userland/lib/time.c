/*
 * time.c: picolibc's clock hooks and the POSIX clock and sleep calls.
 * gettimeofday and clock_gettime read clock_gettime64, nanosleep, sleep,
 * usleep and clock_nanosleep use clock_nanosleep_time64 (rv32 has no 32-bit
 * time calls); picolibc numbers clocks differently from Linux (its
 * CLOCK_REALTIME is 1, CLOCK_MONOTONIC 4, TIMER_ABSTIME 4), so ids and flags
 * are translated. times scales the kernel's USER_HZ ticks to picolibc's
 * CLOCKS_PER_SEC (1 MHz), the unit clock() reports in; like any 32-bit
 * clock_t at that rate, values wrap every ~71 minutes. getrusage reads the
 * rv32 struct rusage, whose times are pairs of 32-bit longs.
 */
#include <errno.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "glue.h"
#include "posix_ext.h"

/* The tick rate of the times() syscall, fixed by the Linux ABI. */
#define LINUX_USER_HZ 100

#define TICK_SCALE (CLOCKS_PER_SEC / LINUX_USER_HZ)

/* Linux clock id of each picolibc one, indexed by picolibc's value. */
static const signed char linux_clock[] = {
	[0] = 5, /* CLOCK_REALTIME_COARSE */
	[1] = 0, /* CLOCK_REALTIME */
	[2] = 2, /* CLOCK_PROCESS_CPUTIME_ID */
	[3] = 3, /* CLOCK_THREAD_CPUTIME_ID */
	[4] = 1, /* CLOCK_MONOTONIC */
	[5] = 4, /* CLOCK_MONOTONIC_RAW */
	[6] = 6, /* CLOCK_MONOTONIC_COARSE */
	[7] = 7, /* CLOCK_BOOTTIME */
};

/* The Linux id for a picolibc clock id, or -1. */
static long to_linux_clock(clockid_t clock)
{
	if ((unsigned long)clock >= sizeof(linux_clock))
		return -1;
	return linux_clock[clock];
}

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

int clock_gettime(clockid_t clock, struct timespec *tp)
{
	struct linux_timespec64 ts;
	long linux_id = to_linux_clock(clock);

	if (linux_id < 0) {
		errno = EINVAL;
		return -1;
	}
	if (glue_result(syscall2(SYS_clock_gettime64, linux_id, (long)&ts)) < 0)
		return -1;
	tp->tv_sec = ts.tv_sec;
	tp->tv_nsec = ts.tv_nsec;
	return 0;
}

/* Returns 0 or a Linux error number (positive), as clock_nanosleep reports errors. */
static long sleep_on(long linux_clock_id, long linux_flags, const struct timespec *request,
		     struct timespec *remain)
{
	struct linux_timespec64 req = {
		.tv_sec = request->tv_sec,
		.tv_nsec = (int32_t)request->tv_nsec,
	};
	struct linux_timespec64 rem = { 0 };

	long ret = syscall4(SYS_clock_nanosleep_time64, linux_clock_id, linux_flags, (long)&req,
			    remain != NULL ? (long)&rem : 0);
	if (ret == -LINUX_EINTR && remain != NULL) {
		remain->tv_sec = rem.tv_sec;
		remain->tv_nsec = rem.tv_nsec;
	}
	return -ret;
}

/* Returns 0 or an error number (it does not set errno), as POSIX says. */
int clock_nanosleep(clockid_t clock, int flags, const struct timespec *request,
		    struct timespec *remain)
{
	long linux_id = to_linux_clock(clock);

	if (linux_id < 0 || (flags & ~TIMER_ABSTIME) != 0)
		return EINVAL;
	long err = sleep_on(linux_id, (flags & TIMER_ABSTIME) ? LINUX_TIMER_ABSTIME : 0, request,
			    (flags & TIMER_ABSTIME) ? NULL : remain);
	return err == 0 ? 0 : glue_errno_value(err);
}

/* Measured on CLOCK_MONOTONIC, as Linux's own nanosleep is. */
int nanosleep(const struct timespec *request, struct timespec *remain)
{
	long err = sleep_on(LINUX_CLOCK_MONOTONIC, 0, request, remain);

	if (err != 0) {
		glue_set_errno(err);
		return -1;
	}
	return 0;
}

/* Returns the seconds left unslept when a signal handler interrupted the sleep. */
unsigned sleep(unsigned seconds)
{
	struct timespec request = { .tv_sec = seconds, .tv_nsec = 0 };
	struct timespec remain = { 0, 0 };

	if (nanosleep(&request, &remain) == 0)
		return 0;
	return (unsigned)remain.tv_sec + (remain.tv_nsec > 0 ? 1 : 0);
}

int usleep(useconds_t usec)
{
	struct timespec request = {
		.tv_sec = usec / 1000000,
		.tv_nsec = (long)(usec % 1000000) * 1000,
	};

	return nanosleep(&request, NULL);
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

/* picolibc's struct rusage holds only the two times; the rest of the kernel's is dropped. */
int getrusage(int who, struct rusage *usage)
{
	struct linux_rusage ru;

	if (glue_result(syscall2(SYS_getrusage, who, (long)&ru)) < 0)
		return -1;
	usage->ru_utime.tv_sec = ru.ru_utime.tv_sec;
	usage->ru_utime.tv_usec = ru.ru_utime.tv_usec;
	usage->ru_stime.tv_sec = ru.ru_stime.tv_sec;
	usage->ru_stime.tv_usec = ru.ru_stime.tv_usec;
	return 0;
}
