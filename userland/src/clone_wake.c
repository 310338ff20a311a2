/*
 * clone_wake.c: a new thread or child that its creator does not wait for still runs. The
 * kernel puts a new thread or forked child on its creator's hart (the creator usually waits
 * for it next, in thread_join or waitid, and that hart is awake), and a thread or child that
 * ends wakes its joiner or parent onto its own hart; a creator that goes on computing instead
 * must not keep the new one waiting behind it. The parent creates a thread that sets a flag,
 * then spins with no system call until the flag is set (or gives up after about ten seconds of
 * emulated work, and fails); the same with fork and a flag in a shared page. Then ROUNDS
 * rounds each of thread create+join and fork+exit+wait, the common case, check each result,
 * and the program prints in how many rounds the thread ran on the hart its creator ran on
 * before, and the child on the hart the child before it ran on (getcpu; a child tells its
 * parent in its exit status): with harts on threads nearly all, unless an idle hart stole it
 * (a fork's parent takes copy-on-write faults before it waits, which must not count as going
 * on running); with in-line harts, which an idle hart serves in the same round, any number
 * (the test asserts it per mode).
 */
#include <stdint.h>
#include <sys/mman.h>

#include "check.h"
#include "linux_syscall.h"
#include "thread.h"

#define ROUNDS 200
#define SPIN_LIMIT 400000000u

static volatile uint32_t thread_flag;

static void *set_flag(void *arg)
{
	thread_flag = 1;
	return arg;
}

/* Spins, with no system call, until *flag is set or SPIN_LIMIT passes; whether it was set. */
static int spin_until(volatile uint32_t *flag)
{
	uint32_t spins = 0;
	while (*flag == 0 && spins < SPIN_LIMIT)
		spins++;
	return *flag == 1;
}

/* The CPU this thread is running on, from the getcpu system call. */
static uintptr_t current_cpu(void)
{
	unsigned cpu = ~0u;

	CHECK(syscall3(SYS_getcpu, (long)&cpu, 0, 0) == 0);
	return cpu;
}

static void *where(void *arg)
{
	(void)arg;
	return (void *)current_cpu();
}

int main(void)
{
	thread_t thread;
	void *result = NULL;
	CHECK(thread_create(&thread, set_flag, (void *)1) == 0);
	CHECK(spin_until(&thread_flag));
	CHECK(thread_join(thread, &result) == 0 && result == (void *)1);
	printf("a thread whose creator kept computing ran meanwhile\n");

	volatile uint32_t *flag = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				       -1, 0);
	CHECK(flag != MAP_FAILED);
	pid_t child = fork_or_fail();
	if (child == 0) {
		*flag = 1;
		_exit(0);
	}
	CHECK(spin_until(flag));
	CHECK(exited_with(wait_for(child), 0));
	printf("a child whose parent kept computing ran meanwhile\n");

	int same = 0;
	for (int i = 0; i < ROUNDS; i++) {
		uintptr_t creator = current_cpu();
		CHECK(thread_create(&thread, where, NULL) == 0);
		CHECK(thread_join(thread, &result) == 0);
		same += (uintptr_t)result == creator;
	}
	/* No system call between a wait and the next fork here (stdout is flushed already): the
	 * parent runs on the hart its last child ended on, and the next child should run there. */
	fflush(stdout);
	int children_same = 0;
	int last = -1;
	for (int i = 0; i < ROUNDS; i++) {
		child = fork();
		CHECK(child >= 0);
		if (child == 0)
			_exit((int)current_cpu());
		int status = wait_for(child);
		CHECK(WIFEXITED(status));
		children_same += WEXITSTATUS(status) == last;
		last = WEXITSTATUS(status);
	}
	printf("%d thread create+join and %d fork+wait rounds\n", ROUNDS, ROUNDS);
	printf("threads on their creator's hart: %d of %d\n", same, ROUNDS);
	printf("children on their parent's hart: %d of %d\nok\n", children_same, ROUNDS - 1);
	return 0;
}
