/*
 * condvar.c: a bounded buffer under a mutex and two condition variables. 2
 * producers put 10000 items (the numbers 1..10000, 5000 each) into an
 * 8-slot ring, 2 consumers take them out; every item must arrive exactly
 * once, so the count is 10000 and the sum 50005000. Prints the count, the
 * sum, then `ok`; exits 0 only if all checks passed.
 */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "thread.h"

#define PRODUCERS 2
#define CONSUMERS 2
#define ITEMS 10000
#define SLOTS 8

static mutex_t lock = MUTEX_INITIALIZER;
static cond_t not_full = COND_INITIALIZER;
static cond_t not_empty = COND_INITIALIZER;

static int ring[SLOTS];
static int head;
static int used;
static int taken;

static unsigned char seen[ITEMS + 1];
static long long sum;
static int count;
static int duplicates;

static void *producer(void *arg)
{
	int first = (int)(intptr_t)arg * (ITEMS / PRODUCERS) + 1;

	for (int item = first; item < first + ITEMS / PRODUCERS; item++) {
		mutex_lock(&lock);
		while (used == SLOTS)
			cond_wait(&not_full, &lock);
		ring[(head + used) % SLOTS] = item;
		used++;
		cond_signal(&not_empty);
		mutex_unlock(&lock);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	int mine = 0;

	(void)arg;
	mutex_lock(&lock);
	for (;;) {
		while (used == 0 && taken < ITEMS)
			cond_wait(&not_empty, &lock);
		if (used == 0)
			break;
		int item = ring[head];
		head = (head + 1) % SLOTS;
		used--;
		taken++;
		if (taken == ITEMS)
			cond_broadcast(&not_empty); /* the other consumers can stop */
		cond_signal(&not_full);
		if (item < 1 || item > ITEMS || seen[item]++)
			duplicates++;
		sum += item;
		count++;
		mine++;
	}
	mutex_unlock(&lock);
	return (void *)(intptr_t)mine;
}

int main(void)
{
	thread_t producers[PRODUCERS];
	thread_t consumers[CONSUMERS];
	int consumed = 0;

	for (int i = 0; i < CONSUMERS; i++)
		CHECK(thread_create(&consumers[i], consumer, NULL) == 0);
	for (int i = 0; i < PRODUCERS; i++)
		CHECK(thread_create(&producers[i], producer, (void *)(intptr_t)i) == 0);
	for (int i = 0; i < PRODUCERS; i++)
		CHECK(thread_join(producers[i], NULL) == 0);
	for (int i = 0; i < CONSUMERS; i++) {
		void *mine;

		CHECK(thread_join(consumers[i], &mine) == 0);
		consumed += (int)(intptr_t)mine;
	}
	printf("items: %d\n", count);
	printf("sum: %lld\n", sum);
	CHECK(count == ITEMS && consumed == ITEMS);
	CHECK(sum == (long long)ITEMS * (ITEMS + 1) / 2);
	CHECK(duplicates == 0 && used == 0);
	printf("ok\n");
	return 0;
}
