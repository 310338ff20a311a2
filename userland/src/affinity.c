/*
 * affinity.c: CPU affinity masks. sched_setaffinity to CPU 0 alone, then
 * sched_getaffinity must return exactly that mask, in this process and in a
 * child forked afterwards (affinity is inherited); an empty mask, and a mask
 * naming only a CPU that does not exist (1023), fail with EINVAL. The
 * original mask is restored at the end. Prints `affinity ok`, then `ok`;
 * exits 0 only if all checks passed.
 */
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "posix_ext.h"

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

	CHECK(sched_setaffinity(0, sizeof(original), &original) == 0);
	printf("affinity ok\n");
	printf("ok\n");
	return 0;
}
