/*
 * forkbomb.c: running out of processes. Forks children that block reading
 * a pipe, until fork fails with EAGAIN or 4096 children exist (argv[1]
 * overrides the bound); then closes the pipe, which releases them all, and
 * reaps every one. Prints `fork failed with EAGAIN after many children`, or
 * `fork limit not reached` when the bound came first (qemu-riscv32 as
 * root, for one), never the count; then `all children reaped` and `ok`.
 * Any other fork error, or a child that does not exit 0, is a failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

#define DEFAULT_BOUND 4096

int main(int argc, char **argv)
{
	int bound = argc > 1 ? atoi(argv[1]) : DEFAULT_BOUND;
	int gate[2];
	int children = 0;
	int saw_eagain = 0;

	CHECK(pipe(gate) == 0);
	fflush(stdout);
	while (children < bound) {
		pid_t pid = fork();

		if (pid == 0) {
			char byte;

			close(gate[1]);
			/* Returns 0 (end of file) once the parent has closed its end. */
			_exit(read(gate[0], &byte, 1) == 0 ? 0 : 1);
		}
		if (pid < 0) {
			CHECK(errno == EAGAIN);
			saw_eagain = 1;
			break;
		}
		children++;
	}
	printf("%s\n", saw_eagain ? "fork failed with EAGAIN after many children"
				  : "fork limit not reached");
	CHECK(children > 0);
	close(gate[1]);
	close(gate[0]);

	int reaped = 0;
	int status;
	pid_t pid;
	while ((pid = wait(&status)) > 0) {
		CHECK(exited_with(status, 0));
		reaped++;
	}
	CHECK(errno == ECHILD);
	CHECK(reaped == children);
	printf("all children reaped\n");
	printf("ok\n");
	return 0;
}
