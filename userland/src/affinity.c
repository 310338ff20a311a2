/*
 * affinity.c: CPU affinity masks. sched_setaffinity to CPU 0 alone, then
 * sched_getaffinity must return exactly that mask, in this process and in a
 * child forked afterwards (affinity is inherited); an empty mask, and a mask
 * naming only a CPU that does not exist (1023), fail with EINVAL. Pinned to
 * each allowed CPU in turn, the process is found running there (getcpu)
 * every time it yields and comes back. The original mask is restored at the
 * end. Prints `affinity ok` and `pinned runs stay on their CPU`, then `ok`;
 * exits 0 only if all checks passed.
 */
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "linux_syscall.h"
#include "posix_ext.h"

#define YIELDS_PER_CPU 50

/* The CPU this thread is running on, from the getcpu system call. */
static int current_cpu(void)
{
	unsigned cpu = ~0u;

	return syscall3(SYS_getcpu, (long)&cpu, 0, 0) == 0 ? (int)cpu : -1;
}

/* Pins the process to `cpu` and checks it stays there across yields. */
static int stays_on(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) != 0)
		return 0;
	for (int i = 0; i < YIELDS_PER_CPU; i++) {
		sched_yield();
		if (current_cpu() != cpu)
			return 0;
	}
	return 1;
}

static int only_cpu0(const cpu_set_t *set)
{
	return CPU_COUNT(set) == 1 && CPU_ISSET(0, set);
}

int main(void)
{
	cpu_set_t original;
	cpu_set_t set;

	CHECK(sched_getaffinity(0, sizeof(original), &original) == 0);
	CHECK(CPU_COUNT(&original) >= 1);

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CHECK(sched_setaffinity(0, sizeof(set), &set) == 0);
	CPU_ZERO(&set);
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
	CHECK(only_cpu0(&set));

	pid_t pid = fork_or_fail();
	if (pid == 0) {
		cpu_set_t inherited;

		CPU_ZERO(&inherited);
		_exit(sched_getaffinity(0, sizeof(inherited), &inherited) == 0 &&
			      only_cpu0(&inherited)
		      ? 0
		      : 1);
	}
	CHECK(exited_with(wait_for(pid), 0));

	CPU_ZERO(&set);
	errno = 0;
	CHECK(sched_setaffinity(0, sizeof(set), &set) == -1 && errno == EINVAL);
	CPU_SET(CPU_SETSIZE - 1, &set);
	errno = 0;
	CHECK(sched_setaffinity(0, sizeof(set), &set) == -1 && errno == EINVAL);

	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &original))
			CHECK(stays_on(cpu));

	CHECK(sched_setaffinity(0, sizeof(original), &original) == 0);
	printf("affinity ok\n");
	printf("pinned runs stay on their CPU\n");
	printf("ok\n");
	return 0;
}
