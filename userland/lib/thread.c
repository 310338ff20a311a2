/*
 * thread.c: the thread library of thread.h. thread_create maps one region
 * per thread with mmap: a PROT_NONE guard page, the stack, the TLS block
 * (initialised from the PT_TLS template as crt0 does for the first thread)
 * and the struct thread, and starts it with clone(CLONE_VM | CLONE_FS |
 * CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
 * CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID). thread_join sleeps on the tid
 * word (a shared, not private, futex: that is the one the kernel wakes at
 * thread exit) until it reads 0, then unmaps the region. The synchronisation
 * objects use private futexes (FUTEX_WAIT/FUTEX_WAKE | FUTEX_PRIVATE_FLAG,
 * no timeouts): the mutex is the third one of Drepper's "Futexes Are Tricky".
 */
#include <errno.h>
#include <limits.h>
#include <picotls.h>
#include <stdint.h>

#include "glue.h"
#include "posix_ext.h"
#include "thread.h"

#define PAGE_SIZE 4096
#define GUARD_SIZE PAGE_SIZE
#define STACK_ALIGN 16

#define THREAD_FLAGS                                                                             \
	(LINUX_CLONE_VM | LINUX_CLONE_FS | LINUX_CLONE_FILES | LINUX_CLONE_SIGHAND |            \
	 LINUX_CLONE_THREAD | LINUX_CLONE_SYSVSEM | LINUX_CLONE_SETTLS |                        \
	 LINUX_CLONE_PARENT_SETTID | LINUX_CLONE_CHILD_CLEARTID)

struct thread {
	/* The thread's id while it runs; the kernel zeroes it (and wakes joiners) at exit. */
	volatile int tid;
	void *(*fn)(void *);
	void *arg;
	void *result;
	void *map;
	size_t map_size;
};

long thread_clone(unsigned long flags, void *stack_top, volatile int *parent_tid, void *tls,
		  volatile int *child_tid, void (*entry)(struct thread *), struct thread *arg);

#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uintptr_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uintptr_t)(a) - 1))

/* The new thread's body, called by thread_clone on the new stack. */
static void thread_main(struct thread *self)
{
	self->result = self->fn(self->arg);
}

int thread_create(thread_t *thread, void *(*fn)(void *), void *arg)
{
	uintptr_t tls_align = _tls_align() > STACK_ALIGN ? _tls_align() : STACK_ALIGN;
	size_t size = ALIGN_UP(GUARD_SIZE + THREAD_STACK_SIZE + _tls_size() + tls_align +
				       sizeof(struct thread) + STACK_ALIGN,
			       PAGE_SIZE);
	char *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (map == MAP_FAILED)
		return errno;
	if (mprotect(map, GUARD_SIZE, PROT_NONE) < 0) {
		int err = errno;

		munmap(map, size);
		return err;
	}
	uintptr_t top = (uintptr_t)map + size;
	struct thread *self = (struct thread *)ALIGN_DOWN(top - sizeof(struct thread), STACK_ALIGN);
	uintptr_t tls = ALIGN_DOWN((uintptr_t)self - _tls_size(), tls_align);

	self->tid = 0;
	self->fn = fn;
	self->arg = arg;
	self->result = NULL;
	self->map = map;
	self->map_size = size;
	_init_tls((void *)tls);

	/* The stack ends where the TLS block begins. */
	long ret = thread_clone(THREAD_FLAGS, (void *)tls, &self->tid, (void *)tls, &self->tid,
				thread_main, self);
	if (linux_is_error(ret)) {
		munmap(map, size);
		return glue_errno_value(-ret);
	}
	*thread = self;
	return 0;
}

int thread_join(thread_t thread, void **result)
{
	for (;;) {
		int tid = __atomic_load_n(&thread->tid, __ATOMIC_ACQUIRE);

		if (tid == 0)
			break;
		glue_futex_wait(&thread->tid, tid, 0);
	}
	if (result != NULL)
		*result = thread->result;
	munmap(thread->map, thread->map_size);
	return 0;
}

void mutex_init(mutex_t *mutex)
{
	mutex->state = 0;
}

static int compare_exchange(volatile int *word, int expected, int desired)
{
	__atomic_compare_exchange_n(word, &expected, desired, 0, __ATOMIC_ACQUIRE,
				    __ATOMIC_RELAXED);
	return expected;
}

/* Takes the mutex marking it contended (2), as a woken waiter must. */
static void mutex_lock_contended(mutex_t *mutex)
{
	while (__atomic_exchange_n(&mutex->state, 2, __ATOMIC_ACQUIRE) != 0)
		glue_futex_wait(&mutex->state, 2, 1);
}

void mutex_lock(mutex_t *mutex)
{
	int state = compare_exchange(&mutex->state, 0, 1);

	if (state == 0)
		return;
	if (state != 2)
		state = __atomic_exchange_n(&mutex->state, 2, __ATOMIC_ACQUIRE);
	while (state != 0) {
		glue_futex_wait(&mutex->state, 2, 1);
		state = __atomic_exchange_n(&mutex->state, 2, __ATOMIC_ACQUIRE);
	}
}

int mutex_trylock(mutex_t *mutex)
{
	return compare_exchange(&mutex->state, 0, 1) == 0;
}

void mutex_unlock(mutex_t *mutex)
{
	if (__atomic_fetch_sub(&mutex->state, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(&mutex->state, 0, __ATOMIC_RELEASE);
		glue_futex_wake(&mutex->state, 1, 1);
	}
}

void cond_init(cond_t *cond)
{
	cond->sequence = 0;
	cond->waiters = 0;
}

void cond_wait(cond_t *cond, mutex_t *mutex)
{
	__atomic_fetch_add(&cond->waiters, 1, __ATOMIC_SEQ_CST);
	int sequence = __atomic_load_n(&cond->sequence, __ATOMIC_SEQ_CST);

	mutex_unlock(mutex);
	glue_futex_wait(&cond->sequence, sequence, 1);
	__atomic_fetch_sub(&cond->waiters, 1, __ATOMIC_SEQ_CST);
	mutex_lock_contended(mutex);
}

void cond_signal(cond_t *cond)
{
	__atomic_fetch_add(&cond->sequence, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&cond->waiters, __ATOMIC_SEQ_CST) > 0)
		glue_futex_wake(&cond->sequence, 1, 1);
}

void cond_broadcast(cond_t *cond)
{
	__atomic_fetch_add(&cond->sequence, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&cond->waiters, __ATOMIC_SEQ_CST) > 0)
		glue_futex_wake(&cond->sequence, INT_MAX, 1);
}

void semaphore_init(semaphore_t *sem, unsigned value)
{
	sem->value = (int)value;
	sem->waiters = 0;
}

int semaphore_trywait(semaphore_t *sem)
{
	int value = __atomic_load_n(&sem->value, __ATOMIC_SEQ_CST);

	while (value > 0)
		if (__atomic_compare_exchange_n(&sem->value, &value, value - 1, 0, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return 1;
	return 0;
}

void semaphore_wait(semaphore_t *sem)
{
	while (!semaphore_trywait(sem)) {
		__atomic_fetch_add(&sem->waiters, 1, __ATOMIC_SEQ_CST);
		glue_futex_wait(&sem->value, 0, 1);
		__atomic_fetch_sub(&sem->waiters, 1, __ATOMIC_SEQ_CST);
	}
}

void semaphore_post(semaphore_t *sem)
{
	__atomic_fetch_add(&sem->value, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&sem->waiters, __ATOMIC_SEQ_CST) > 0)
		glue_futex_wake(&sem->value, 1, 1);
}

void barrier_init(barrier_t *barrier, unsigned count)
{
	barrier->arrived = 0;
	barrier->generation = 0;
	barrier->count = (int)count;
}

int barrier_wait(barrier_t *barrier)
{
	int generation = __atomic_load_n(&barrier->generation, __ATOMIC_SEQ_CST);

	if (__atomic_add_fetch(&barrier->arrived, 1, __ATOMIC_SEQ_CST) == barrier->count) {
		/* The last to arrive opens the next round, then releases this one. */
		__atomic_store_n(&barrier->arrived, 0, __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&barrier->generation, 1, __ATOMIC_SEQ_CST);
		glue_futex_wake(&barrier->generation, INT_MAX, 1);
		return BARRIER_SERIAL_THREAD;
	}
	while (__atomic_load_n(&barrier->generation, __ATOMIC_SEQ_CST) == generation)
		glue_futex_wait(&barrier->generation, generation, 1);
	return 0;
}
