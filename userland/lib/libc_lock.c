/*
 * libc_lock.c: picolibc's retargetable locks (<sys/lock.h>) on the thread
 * library's futex mutex, so that malloc (and atexit, getenv/setenv, ...)
 * behind the recursive __libc_recursive_mutex, and each stdio FILE behind its
 * own lock, are safe to use from several threads. picolibc's own versions
 * are no-ops. A recursive lock remembers its owner by the thread pointer
 * (tp), which is distinct for every thread (each has its own TLS block). A
 * NULL lock is treated as unlocked: the stdio FILEs get theirs from a
 * constructor in stdio.c, and a lock init that finds no memory leaves NULL.
 * Uncontended locks make no system calls.
 *
 * This file is linked as an object, not from libuser.a, because libc.a
 * defines the no-op versions, which would otherwise be picked first.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/lock.h>

#include "thread.h"

/* Locks handed out before falling back to malloc: enough for stdin, stdout, stderr. */
#define STATIC_LOCKS 4

struct __lock {
	mutex_t mutex;
	void *owner;
	unsigned depth;
};

struct __lock __lock___libc_recursive_mutex;

static struct __lock static_locks[STATIC_LOCKS];
static int static_locks_used;

static void *self(void)
{
	void *tp;

	__asm__("mv %0, tp" : "=r"(tp));
	return tp;
}

void __retarget_lock_init(_LOCK_T *lock)
{
	int index = __atomic_fetch_add(&static_locks_used, 1, __ATOMIC_RELAXED);

	if (index < STATIC_LOCKS)
		*lock = &static_locks[index];
	else
		*lock = calloc(1, sizeof(struct __lock));
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	__retarget_lock_init(lock);
}

void __retarget_lock_close(_LOCK_T lock)
{
	if (lock < &static_locks[0] || lock >= &static_locks[STATIC_LOCKS])
		free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	__retarget_lock_close(lock);
}

void __retarget_lock_acquire(_LOCK_T lock)
{
	if (lock != NULL)
		mutex_lock(&lock->mutex);
}

/* Returns 1 when it took the lock (the no-op version's "always succeeds" is 1). */
int __retarget_lock_try_acquire(_LOCK_T lock)
{
	return lock == NULL || mutex_trylock(&lock->mutex);
}

void __retarget_lock_release(_LOCK_T lock)
{
	if (lock != NULL)
		mutex_unlock(&lock->mutex);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	if (lock == NULL)
		return;
	if (__atomic_load_n(&lock->owner, __ATOMIC_RELAXED) != self()) {
		mutex_lock(&lock->mutex);
		__atomic_store_n(&lock->owner, self(), __ATOMIC_RELAXED);
	}
	lock->depth++;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	if (lock == NULL)
		return 1;
	if (__atomic_load_n(&lock->owner, __ATOMIC_RELAXED) != self()) {
		if (!mutex_trylock(&lock->mutex))
			return 0;
		__atomic_store_n(&lock->owner, self(), __ATOMIC_RELAXED);
	}
	lock->depth++;
	return 1;
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	if (lock == NULL)
		return;
	if (--lock->depth == 0) {
		__atomic_store_n(&lock->owner, NULL, __ATOMIC_RELAXED);
		mutex_unlock(&lock->mutex);
	}
}
