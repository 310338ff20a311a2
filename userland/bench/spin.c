/*
 * spin.c (bench_spin): argv[1] (default 100) units of pure CPU work, each
 * 2^20 steps of a xorshift generator, with no system calls in between: the
 * measure of raw instruction throughput, and with argv[2] = k > 0 the SMP
 * speedup: k forked processes share the units (the first units % k get one
 * more) while the parent waits for all. Prints the unit and process counts
 * (no timing, no result: the harness times it); exits 1 if a fork fails or
 * a process does not finish its share.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_UNITS 100
#define STEPS_PER_UNIT (1u << 20)

/* Keeps the compiler from discarding the work. */
static volatile uint32_t sink;

static void work(unsigned units, uint32_t seed)
{
	uint32_t state = seed | 1;

	for (unsigned u = 0; u < units; u++)
		for (uint32_t i = 0; i < STEPS_PER_UNIT; i++) {
			state ^= state << 13;
			state ^= state >> 17;
			state ^= state << 5;
		}
	sink = state;
}

int main(int argc, char **argv)
{
	unsigned units = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : DEFAULT_UNITS;
	unsigned processes = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 0;

	if (processes == 0) {
		work(units, 1);
		printf("spin: %u units in this process\n", units);
		return 0;
	}
	fflush(stdout);
	for (unsigned p = 0; p < processes; p++) {
		pid_t pid = fork();

		if (pid < 0) {
			printf("spin: fork failed\n");
			return 1;
		}
		if (pid == 0) {
			work(units / processes + (p < units % processes ? 1 : 0), p + 1);
			_exit(0);
		}
	}
	int failed = 0;
	for (unsigned p = 0; p < processes; p++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	}
	if (failed) {
		printf("spin: a process failed\n");
		return 1;
	}
	printf("spin: %u units in %u processes\n", units, processes);
	return 0;
}
