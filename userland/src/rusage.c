/*
 * rusage.c: CPU time accounting. After some CPU-bound work, getrusage
 * (RUSAGE_SELF) and times() must both report CPU time used; after a child
 * burns CPU and is reaped, getrusage(RUSAGE_CHILDREN) must include it, and
 * an unknown `who` fails with EINVAL. Prints one line per check, never the
 * times, then `ok`; exits 0 only if all passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "posix_ext.h"

/* How long each burn spins (wall-clock time: all of it CPU time on an idle machine). */
#define BURN_NS 100000000LL

static int64_t now_ns(void)
{
	struct timespec ts;

	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void burn(void)
{
	volatile uint32_t state = 1;
	int64_t end = now_ns() + BURN_NS;

	while (now_ns() < end)
		for (int i = 0; i < 10000; i++)
			state = state * 1664525u + 1013904223u;
}

static int64_t total_us(const struct rusage *usage)
{
	return (int64_t)(usage->ru_utime.tv_sec + usage->ru_stime.tv_sec) * 1000000 +
	       usage->ru_utime.tv_usec + usage->ru_stime.tv_usec;
}

int main(void)
{
	struct rusage usage;
	struct tms tms;

	burn();
	CHECK(getrusage(RUSAGE_SELF, &usage) == 0);
	CHECK(usage.ru_utime.tv_usec >= 0 && usage.ru_utime.tv_usec < 1000000);
	CHECK(usage.ru_stime.tv_usec >= 0 && usage.ru_stime.tv_usec < 1000000);
	CHECK(total_us(&usage) > 0);
	printf("getrusage(RUSAGE_SELF): CPU time used\n");

	CHECK(times(&tms) != (clock_t)-1);
	CHECK(tms.tms_utime + tms.tms_stime > 0);
	printf("times: CPU time used\n");

	CHECK(getrusage(RUSAGE_CHILDREN, &usage) == 0);
	int64_t before = total_us(&usage);
	pid_t pid = fork_or_fail();
	if (pid == 0) {
		burn();
		_exit(0);
	}
	CHECK(exited_with(wait_for(pid), 0));
	CHECK(getrusage(RUSAGE_CHILDREN, &usage) == 0);
	CHECK(total_us(&usage) > before);
	printf("getrusage(RUSAGE_CHILDREN): includes the reaped child\n");

	errno = 0;
	CHECK(getrusage(12345, &usage) == -1 && errno == EINVAL);
	printf("unknown who: EINVAL\n");
	printf("ok\n");
	return 0;
}
