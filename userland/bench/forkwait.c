/*
 * forkwait.c (bench_forkwait): argv[1] (default 200) rounds of fork, the
 * child's immediate _exit and the parent's waitpid: the cost of creating
 * and destroying a process (address-space copy included). Prints the round
 * count; exits 1 if a fork or wait fails or a child's status is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_ROUNDS 200

int main(int argc, char **argv)
{
	unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : DEFAULT_ROUNDS;

	for (unsigned i = 0; i < rounds; i++) {
		pid_t pid = fork();
		int status;

		if (pid == 0)
			_exit(i & 0x7f);
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != (int)(i & 0x7f)) {
			printf("forkwait: round %u failed\n", i);
			return 1;
		}
	}
	printf("forkwait: %u rounds\n", rounds);
	return 0;
}
