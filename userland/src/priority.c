/*
 * priority.c: nice values share one CPU unevenly. Two CPU-bound children,
 * both pinned to CPU 0, one at nice -5 and one at nice +5, count loop
 * iterations within the same 300 ms of wall-clock time (the parent sends both
 * the same deadline through a pipe, which also starts them together) and report
 * the counts through a pipe. Prints `nice values
 * set: -5 and 5`, `high got more CPU: yes/no`, `low ran during the window:
 * yes/no` (the low child counted more than the one chunk it would count if
 * it only ran after the high one's window: aging, not starvation) and `low
 * finished: yes`, then `ok`. The yes/no lines depend on the scheduler and
 * are never a failure; exits 0 only if both children set their nice value
 * and reported.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "posix_ext.h"

#define HIGH_NICE (-5)
#define LOW_NICE 5
#define WINDOW_NS 300000000LL
#define ITERATIONS_PER_CLOCK_READ 4096

struct report {
	int32_t nice;
	/* 0, or the step that failed: 1 affinity, 2 setpriority, 3 getpriority, 4 start. */
	int32_t failed_step;
	int32_t error;
	uint64_t iterations;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void worker(int nice_value, int start_fd, int report_fd)
{
	struct report report = { 0, 0, 0, 0 };
	cpu_set_t cpu0;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0) != 0)
		report.failed_step = 1;
	else if (setpriority(PRIO_PROCESS, 0, nice_value) != 0)
		report.failed_step = 2;
	if (report.failed_step != 0)
		report.error = errno;
	errno = 0;
	report.nice = getpriority(PRIO_PROCESS, 0);
	if (errno != 0 && report.failed_step == 0) {
		report.failed_step = 3;
		report.error = errno;
	}
	int64_t end = 0;
	if (read(start_fd, &end, sizeof(end)) != sizeof(end) && report.failed_step == 0)
		report.failed_step = 4;

	volatile uint32_t state = 1;
	for (;;) {
		for (int i = 0; i < ITERATIONS_PER_CLOCK_READ; i++)
			state = state * 1664525u + 1013904223u;
		report.iterations += ITERATIONS_PER_CLOCK_READ;
		if (now_ns() >= end)
			break;
	}
	_exit(write(report_fd, &report, sizeof(report)) == sizeof(report) ? 0 : 1);
}

int main(void)
{
	int start[2];
	int high_pipe[2];
	int low_pipe[2];
	struct report high;
	struct report low;

	CHECK(pipe(start) == 0 && pipe(high_pipe) == 0 && pipe(low_pipe) == 0);
	pid_t high_pid = fork_or_fail();
	if (high_pid == 0) {
		close(start[1]);
		worker(HIGH_NICE, start[0], high_pipe[1]);
	}
	pid_t low_pid = fork_or_fail();
	if (low_pid == 0) {
		close(start[1]);
		worker(LOW_NICE, start[0], low_pipe[1]);
	}
	close(start[0]);
	close(high_pipe[1]);
	close(low_pipe[1]);
	/* Both children get the same deadline at once: the race begins. */
	int64_t end = now_ns() + WINDOW_NS;
	CHECK(write(start[1], &end, sizeof(end)) == sizeof(end));
	CHECK(write(start[1], &end, sizeof(end)) == sizeof(end));
	close(start[1]);

	CHECK(read(high_pipe[0], &high, sizeof(high)) == sizeof(high));
	CHECK(read(low_pipe[0], &low, sizeof(low)) == sizeof(low));
	CHECK(exited_with(wait_for(high_pid), 0));
	CHECK(exited_with(wait_for(low_pid), 0));
	for (int i = 0; i < 2; i++) {
		const struct report *r = i == 0 ? &high : &low;

		if (r->failed_step != 0) {
			printf("FAIL: %s child: step %d failed (errno %d: %s)\n",
			       i == 0 ? "high" : "low", (int)r->failed_step, (int)r->error,
			       strerror(r->error));
			return 1;
		}
	}
	CHECK(high.nice == HIGH_NICE && low.nice == LOW_NICE);
	printf("nice values set: %d and %d\n", HIGH_NICE, LOW_NICE);
	printf("high got more CPU: %s\n", high.iterations > low.iterations ? "yes" : "no");
	printf("low ran during the window: %s\n",
	       low.iterations > ITERATIONS_PER_CLOCK_READ ? "yes" : "no");
	printf("low finished: yes\n");
	printf("ok\n");
	return 0;
}
