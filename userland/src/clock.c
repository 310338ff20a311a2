/*
 * clock.c: sanity-checks the clock and identity syscalls without printing
 * their values, so the output is the same on every run and host:
 * clock_gettime64 (realtime and monotonic), gettimeofday and time() through
 * picolibc, clock() through times, uname and getpid. Exits with the number of
 * failed checks.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "linux_syscall.h"

/* 2024-01-01T00:00:00Z. */
#define YEAR_2024 1704067200LL

static int failures;

static void report(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAIL");
	if (!ok)
		failures++;
}

static int read_clock(int clock, struct linux_timespec64 *ts)
{
	return syscall2(SYS_clock_gettime64, clock, (long)ts) == 0 && ts->tv_nsec >= 0 &&
	       ts->tv_nsec < 1000000000;
}

static int not_before(const struct linux_timespec64 *a, const struct linux_timespec64 *b)
{
	return b->tv_sec > a->tv_sec || (b->tv_sec == a->tv_sec && b->tv_nsec >= a->tv_nsec);
}

int main(void)
{
	struct linux_timespec64 real, mono1, mono2;

	report("realtime clock_gettime64", read_clock(LINUX_CLOCK_REALTIME, &real));
	report("realtime year >= 2024", real.tv_sec >= YEAR_2024);

	int mono_ok = read_clock(LINUX_CLOCK_MONOTONIC, &mono1);
	for (int i = 0; i < 100 && mono_ok; i++) {
		mono_ok = read_clock(LINUX_CLOCK_MONOTONIC, &mono2) && not_before(&mono1, &mono2);
		mono1 = mono2;
	}
	report("monotonic clock_gettime64 non-decreasing", mono_ok);

	struct timeval tv;
	report("gettimeofday", gettimeofday(&tv, NULL) == 0 && tv.tv_usec >= 0 &&
				       tv.tv_usec < 1000000 && tv.tv_sec >= real.tv_sec &&
				       tv.tv_sec - real.tv_sec < 60);
	time_t now = time(NULL);
	report("time", now >= real.tv_sec && now - real.tv_sec < 60);
	report("clock", clock() != (clock_t)-1);

	struct linux_utsname uts;
	memset(&uts, 0, sizeof(uts));
	report("uname", syscall1(SYS_uname, (long)&uts) == 0 && uts.sysname[0] != '\0' &&
				memchr(uts.sysname, '\0', sizeof(uts.sysname)) != NULL &&
				memchr(uts.machine, '\0', sizeof(uts.machine)) != NULL);

	report("getpid", getpid() > 0);
	return failures;
}
