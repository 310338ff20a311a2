/*
 * threads.c: threads share memory and the thread library's mutex makes their
 * updates exact. 4 threads each add 1 to a shared counter 100000 times under
 * a mutex: the total must be exactly 400000, and thread_join must hand back
 * each thread's return value. Each thread has its own TLS (a __thread
 * variable starts from its initial value; errno is per thread). Then two
 * threads, released together by a barrier and then a spin (so that neither
 * starts a wake-up later than the other), each add 1 two million times
 * without the mutex, as plain loads and stores, and print `unlocked total: N`
 * and `lost updates: yes/no`: on two parallel cores updates are lost, and so
 * they are on time-sliced in-line cores whenever a slice ends between a load
 * and its store; never a failure here (the test asserts it per mode). Then
 * `ok`; exits 0 only if the checks passed.
 */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "posix_ext.h"
#include "thread.h"

#define THREADS 4
#define INCREMENTS 100000
#define UNLOCKED_THREADS 2
#define UNLOCKED_INCREMENTS 2000000

static mutex_t counter_lock = MUTEX_INITIALIZER;
static int locked_counter;
static volatile int unlocked_counter;

static __thread int tls_value = 12345;

/* Every thread checks its TLS and its errno are its own before counting. */
static barrier_t tls_barrier;
static volatile int tls_failures;

static void check_thread_locals(int index)
{
	if (tls_value != 12345)
		__atomic_fetch_add(&tls_failures, 1, __ATOMIC_SEQ_CST);
	tls_value = index;
	errno = 0;
	if (close(-1 - index) != -1 || errno != EBADF)
		__atomic_fetch_add(&tls_failures, 1, __ATOMIC_SEQ_CST);
	errno = 1000 + index;
	/* Everyone has written theirs before anyone reads theirs back. */
	barrier_wait(&tls_barrier);
	sched_yield();
	if (tls_value != index || errno != 1000 + index)
		__atomic_fetch_add(&tls_failures, 1, __ATOMIC_SEQ_CST);
}

static void *locked_worker(void *arg)
{
	int index = (int)(intptr_t)arg;

	check_thread_locals(index);
	for (int i = 0; i < INCREMENTS; i++) {
		mutex_lock(&counter_lock);
		locked_counter++;
		mutex_unlock(&counter_lock);
	}
	return (void *)(intptr_t)(1000 + index);
}

static barrier_t start_barrier;
static int spinning;

static void *unlocked_worker(void *arg)
{
	(void)arg;
	barrier_wait(&start_barrier);
	__atomic_fetch_add(&spinning, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&spinning, __ATOMIC_SEQ_CST) < UNLOCKED_THREADS)
		;
	for (int i = 0; i < UNLOCKED_INCREMENTS; i++)
		unlocked_counter = unlocked_counter + 1;
	return NULL;
}

int main(void)
{
	thread_t threads[THREADS];

	barrier_init(&tls_barrier, THREADS);
	for (int i = 0; i < THREADS; i++)
		CHECK(thread_create(&threads[i], locked_worker, (void *)(intptr_t)i) == 0);
	for (int i = 0; i < THREADS; i++) {
		void *result = NULL;

		CHECK(thread_join(threads[i], &result) == 0);
		CHECK(result == (void *)(intptr_t)(1000 + i));
	}
	printf("locked total: %d\n", locked_counter);
	CHECK(locked_counter == THREADS * INCREMENTS);
	printf("thread_join returned each thread's value\n");
	CHECK(tls_failures == 0);
	CHECK(tls_value == 12345);
	printf("TLS and errno are per thread\n");

	barrier_init(&start_barrier, UNLOCKED_THREADS);
	for (int i = 0; i < UNLOCKED_THREADS; i++)
		CHECK(thread_create(&threads[i], unlocked_worker, NULL) == 0);
	for (int i = 0; i < UNLOCKED_THREADS; i++)
		CHECK(thread_join(threads[i], NULL) == 0);
	printf("unlocked total: %d\n", unlocked_counter);
	printf("lost updates: %s\n",
	       unlocked_counter < UNLOCKED_THREADS * UNLOCKED_INCREMENTS ? "yes" : "no");
	printf("ok\n");
	return 0;
}
