/*
 * thread.h: a small thread library on Linux clone and futexes (not
 * pthreads: picolibc ships no <pthread.h>, and its <threads.h> cannot be
 * included in this configuration). Threads share the address space, files
 * and signal handlers, each has its own stack and TLS block (so its own
 * errno), and is joined through the tid word the kernel clears at exit.
 * mutex_t is a three-state futex mutex (0 free, 1 locked, 2 locked with
 * waiters), cond_t a futex sequence counter, semaphore_t a futex counter and
 * barrier_t a futex generation counter. All of them start zeroed or from
 * their *_init function, and none may be shared between processes. picolibc's
 * malloc and stdio take locks that lib/libc_lock.c implements with mutex_t,
 * so threads may use them.
 */
#ifndef THREAD_H
#define THREAD_H

/* Stack of each created thread, below its TLS block; a guard page lies beneath. */
#define THREAD_STACK_SIZE (64 * 1024)

typedef struct thread *thread_t;

typedef struct {
	volatile int state;
} mutex_t;

typedef struct {
	volatile int sequence;
	volatile int waiters;
} cond_t;

typedef struct {
	volatile int value;
	volatile int waiters;
} semaphore_t;

typedef struct {
	volatile int arrived;
	volatile int generation;
	int count;
} barrier_t;

#define MUTEX_INITIALIZER { 0 }
#define COND_INITIALIZER { 0, 0 }

/* barrier_wait's result in exactly one of the threads of each round. */
#define BARRIER_SERIAL_THREAD 1

/*
 * Starts fn(arg) in a new thread. Returns 0, or an error number (EAGAIN,
 * ENOMEM, ...) without setting errno, as pthread_create does.
 */
int thread_create(thread_t *thread, void *(*fn)(void *), void *arg);

/* Waits for the thread to finish, stores fn's result in *result (unless NULL) and frees it. */
int thread_join(thread_t thread, void **result);

void mutex_init(mutex_t *mutex);
void mutex_lock(mutex_t *mutex);
/* Returns 1 when it took the lock, 0 when the mutex was held. */
int mutex_trylock(mutex_t *mutex);
void mutex_unlock(mutex_t *mutex);

void cond_init(cond_t *cond);
/* Releases mutex, sleeps until signalled (or spuriously), re-takes mutex. */
void cond_wait(cond_t *cond, mutex_t *mutex);
void cond_signal(cond_t *cond);
void cond_broadcast(cond_t *cond);

void semaphore_init(semaphore_t *sem, unsigned value);
void semaphore_wait(semaphore_t *sem);
/* Returns 1 when it took a unit, 0 when the count was zero. */
int semaphore_trywait(semaphore_t *sem);
void semaphore_post(semaphore_t *sem);

/* count threads must call barrier_wait before any of them returns from it. */
void barrier_init(barrier_t *barrier, unsigned count);
int barrier_wait(barrier_t *barrier);

#endif
