/*
 * barrier.c: a barrier orders rounds. 4 threads run 100 rounds; in each, a
 * thread writes its slot, waits at the barrier, then must see every other
 * thread's value for this round, and waits again before the next round's
 * writes. Exactly one thread per barrier crossing is told it is the serial
 * one. Prints the checks, then `ok`; exits 0 only if all passed.
 */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "thread.h"

#define THREADS 4
#define ROUNDS 100

static barrier_t barrier;
static volatile int values[THREADS];
static volatile int stale_reads;
static volatile int serial_count;

static void crossing(void)
{
	if (barrier_wait(&barrier) == BARRIER_SERIAL_THREAD)
		__atomic_add_fetch(&serial_count, 1, __ATOMIC_SEQ_CST);
}

static void *worker(void *arg)
{
	int index = (int)(intptr_t)arg;

	for (int round = 0; round < ROUNDS; round++) {
		values[index] = round * THREADS + index;
		crossing();
		for (int other = 0; other < THREADS; other++)
			if (values[other] != round * THREADS + other)
				__atomic_add_fetch(&stale_reads, 1, __ATOMIC_SEQ_CST);
		crossing();
	}
	return NULL;
}

int main(void)
{
	thread_t threads[THREADS];

	barrier_init(&barrier, THREADS);
	for (int i = 0; i < THREADS; i++)
		CHECK(thread_create(&threads[i], worker, (void *)(intptr_t)i) == 0);
	for (int i = 0; i < THREADS; i++)
		CHECK(thread_join(threads[i], NULL) == 0);
	CHECK(stale_reads == 0);
	printf("%d threads x %d rounds: every value visible after the barrier\n", THREADS, ROUNDS);
	CHECK(serial_count == 2 * ROUNDS);
	printf("one serial thread per crossing\n");
	printf("ok\n");
	return 0;
}
