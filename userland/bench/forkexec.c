/*
 * forkexec.c (bench_forkexec): argv[1] (default 50) rounds of fork, execve
 * of the program argv[2] (default userland/bin/bench_empty.elf) in the
 * child, and waitpid in the parent: the cost of starting a program. Prints
 * the round count; exits 1 if a round fails or the program does not exit 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_ROUNDS 50
#define DEFAULT_PROGRAM "userland/bin/bench_empty.elf"

int main(int argc, char **argv, char **envp)
{
	unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : DEFAULT_ROUNDS;
	char *program = argc > 2 ? argv[2] : DEFAULT_PROGRAM;
	char *child_argv[] = { program, NULL };

	fflush(stdout);
	for (unsigned i = 0; i < rounds; i++) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			execve(program, child_argv, envp);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			printf("forkexec: round %u failed\n", i);
			return 1;
		}
	}
	printf("forkexec: %u rounds\n", rounds);
	return 0;
}
