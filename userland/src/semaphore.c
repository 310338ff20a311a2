/*
 * semaphore.c: counting semaphores. 6 threads pass 200 times each through a
 * section guarded by a semaphore of 2: no more than 2 may be inside at once
 * (an atomic counter records the most seen). Then two semaphores (empty,
 * full) hand 1000 numbers from one thread to another through a one-slot
 * mailbox, which must deliver them all in order. Prints the checks, then
 * `ok`; exits 0 only if all passed.
 */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "posix_ext.h"
#include "thread.h"

#define WORKERS 6
#define ROUNDS 200
#define SLOTS 2
#define HANDOVERS 1000

static semaphore_t slots;
static volatile int inside;
static volatile int most_inside;
static volatile int entries;

static semaphore_t mailbox_empty;
static semaphore_t mailbox_full;
static volatile int mailbox;

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		semaphore_wait(&slots);
		int now = __atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST);
		int most = __atomic_load_n(&most_inside, __ATOMIC_SEQ_CST);
		while (now > most &&
		       !__atomic_compare_exchange_n(&most_inside, &most, now, 0, __ATOMIC_SEQ_CST,
						    __ATOMIC_SEQ_CST))
			;
		__atomic_add_fetch(&entries, 1, __ATOMIC_SEQ_CST);
		if (i % 16 == 0)
			sched_yield();
		__atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
		semaphore_post(&slots);
	}
	return NULL;
}

static void *sender(void *arg)
{
	(void)arg;
	for (int i = 1; i <= HANDOVERS; i++) {
		semaphore_wait(&mailbox_empty);
		mailbox = i;
		semaphore_post(&mailbox_full);
	}
	return NULL;
}

int main(void)
{
	thread_t threads[WORKERS];

	semaphore_init(&slots, SLOTS);
	for (int i = 0; i < WORKERS; i++)
		CHECK(thread_create(&threads[i], worker, NULL) == 0);
	for (int i = 0; i < WORKERS; i++)
		CHECK(thread_join(threads[i], NULL) == 0);
	CHECK(entries == WORKERS * ROUNDS);
	CHECK(most_inside >= 1 && most_inside <= SLOTS);
	CHECK(semaphore_trywait(&slots) && semaphore_trywait(&slots) && !semaphore_trywait(&slots));
	printf("%d entries, never more than %d inside at once\n", WORKERS * ROUNDS, SLOTS);

	thread_t thread;
	int in_order = 1;
	semaphore_init(&mailbox_empty, 1);
	semaphore_init(&mailbox_full, 0);
	CHECK(thread_create(&thread, sender, NULL) == 0);
	for (int i = 1; i <= HANDOVERS; i++) {
		semaphore_wait(&mailbox_full);
		if (mailbox != i)
			in_order = 0;
		semaphore_post(&mailbox_empty);
	}
	CHECK(thread_join(thread, NULL) == 0);
	CHECK(in_order);
	printf("%d items handed over in order\n", HANDOVERS);
	printf("ok\n");
	return 0;
}
