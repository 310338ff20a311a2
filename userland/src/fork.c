/*
 * fork.c: fork makes a separate copy of the process. 1000 children (argv[1]
 * overrides the count) are forked one after another, each exiting with a
 * status derived from its index, which the parent checks; then a child's
 * writes to a global, the heap and the stack stay invisible to the parent,
 * and the parent's writes after fork stay invisible to the child (which
 * reports what it sees through a pipe). Prints the checks that passed, then
 * `ok`; exits 0 only if all passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

#define DEFAULT_FORKS 1000

static int global_value = 1;

/* The exit status child i reports. */
static int status_of(int i)
{
	return (i * 37 + 11) & 0xff;
}

static void read_exactly(int fd, void *buffer, size_t length)
{
	char *out = buffer;

	while (length > 0) {
		ssize_t n = read(fd, out, length);

		CHECK(n > 0);
		out += n;
		length -= (size_t)n;
	}
}

static void write_exactly(int fd, const void *buffer, size_t length)
{
	CHECK(write(fd, buffer, length) == (ssize_t)length);
}

int main(int argc, char **argv)
{
	int forks = argc > 1 ? atoi(argv[1]) : DEFAULT_FORKS;
	pid_t self = getpid();

	for (int i = 0; i < forks; i++) {
		pid_t pid = fork_or_fail();

		if (pid == 0)
			_exit(getppid() == self ? status_of(i) : 255);
		CHECK(pid != self);
		int status = wait_for(pid);
		if (!exited_with(status, status_of(i))) {
			printf("FAIL: child %d: status 0x%x, want exit %d\n", i, status,
			       status_of(i));
			return 1;
		}
	}
	printf("%d children exited with their own status\n", forks);

	int *heap_value = malloc(sizeof(*heap_value));
	volatile int stack_value = 3;
	int to_parent[2];
	int to_child[2];

	CHECK(heap_value != NULL);
	*heap_value = 2;
	CHECK(pipe(to_parent) == 0);
	CHECK(pipe(to_child) == 0);

	/* The child writes; the parent must not see it. */
	pid_t pid = fork_or_fail();
	if (pid == 0) {
		global_value = 10;
		*heap_value = 20;
		stack_value = 30;
		write_exactly(to_parent[1], "w", 1);
		_exit(global_value == 10 && *heap_value == 20 && stack_value == 30 ? 0 : 1);
	}
	char byte;
	read_exactly(to_parent[0], &byte, 1);
	CHECK(exited_with(wait_for(pid), 0));
	CHECK(global_value == 1 && *heap_value == 2 && stack_value == 3);
	printf("child writes not seen by parent\n");

	/* The parent writes after fork; the child must not see it. */
	pid = fork_or_fail();
	if (pid == 0) {
		read_exactly(to_child[0], &byte, 1);
		int seen[3] = { global_value, *heap_value, stack_value };
		write_exactly(to_parent[1], seen, sizeof(seen));
		_exit(0);
	}
	global_value = 100;
	*heap_value = 200;
	stack_value = 300;
	write_exactly(to_child[1], "g", 1);
	int seen[3];
	read_exactly(to_parent[0], seen, sizeof(seen));
	CHECK(exited_with(wait_for(pid), 0));
	if (seen[0] != 1 || seen[1] != 2 || seen[2] != 3) {
		printf("FAIL: child saw %d %d %d, want 1 2 3\n", seen[0], seen[1], seen[2]);
		return 1;
	}
	printf("parent writes not seen by child\n");
	printf("ok\n");
	return 0;
}
