/*
 * nanosleep.c: sleeping on CLOCK_MONOTONIC. nanosleep(50 ms) must take at least
 * 50 ms and less than 5 s; clock_nanosleep(TIMER_ABSTIME) must not return
 * before its deadline; usleep(20000) must take at least 20 ms; a
 * nanosleep with tv_nsec out of range fails with EINVAL. Prints the checks,
 * never the times, then `ok`; exits 0 only if all passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "posix_ext.h"

#define NSEC_PER_SEC 1000000000LL
#define MS 1000000LL
#define TOO_LONG (5 * NSEC_PER_SEC)

static int64_t now_ns(void)
{
	struct timespec ts;

	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

int main(void)
{
	struct timespec delay = { .tv_sec = 0, .tv_nsec = 50 * MS };
	int64_t before = now_ns();

	CHECK(nanosleep(&delay, NULL) == 0);
	int64_t elapsed = now_ns() - before;
	CHECK(elapsed >= 50 * MS);
	CHECK(elapsed < TOO_LONG);
	printf("slept ok\n");

	int64_t deadline = now_ns() + 50 * MS;
	struct timespec until = { .tv_sec = deadline / NSEC_PER_SEC,
				  .tv_nsec = deadline % NSEC_PER_SEC };
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == 0);
	int64_t after = now_ns();
	CHECK(after >= deadline);
	CHECK(after - deadline < TOO_LONG);
	printf("absolute sleep ok\n");

	/* A deadline already past returns at once. */
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == 0);
	CHECK(now_ns() - after < TOO_LONG);
	printf("past deadline ok\n");

	before = now_ns();
	CHECK(usleep(20000) == 0);
	elapsed = now_ns() - before;
	CHECK(elapsed >= 20 * MS && elapsed < TOO_LONG);
	printf("usleep ok\n");

	struct timespec bad = { .tv_sec = 0, .tv_nsec = NSEC_PER_SEC };
	errno = 0;
	CHECK(nanosleep(&bad, NULL) == -1 && errno == EINVAL);
	printf("bad tv_nsec: EINVAL\n");
	printf("ok\n");
	return 0;
}
