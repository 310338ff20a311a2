/*
 * threadjoin.c (bench_threadjoin): argv[1] (default 200) rounds of
 * thread_create and thread_join of a thread that returns at once: the cost
 * of clone with a new stack and TLS, thread exit and the futex wake-up of
 * the joiner. Prints the round count; exits 1 if a round fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "thread.h"

#define DEFAULT_ROUNDS 200

static void *identity(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : DEFAULT_ROUNDS;

	for (unsigned i = 0; i < rounds; i++) {
		thread_t thread;
		void *result = NULL;

		if (thread_create(&thread, identity, (void *)(uintptr_t)(i + 1)) != 0 ||
		    thread_join(thread, &result) != 0 || result != (void *)(uintptr_t)(i + 1)) {
			printf("threadjoin: round %u failed\n", i);
			return 1;
		}
	}
	printf("threadjoin: %u rounds\n", rounds);
	return 0;
}
