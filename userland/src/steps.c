/*
 * steps.c: runs several programs one after the other, for tests that boot a
 * system whose init runs a single program: `steps PROG ARGS... ; PROG
 * ARGS... ; ...` (each ";" its own argument) forks a child per step, execs
 * PROG (a path) with its arguments and waits for it, then prints
 * `[exit N]` (or `[signal N]`) on stdout. It exits 0 once every step has
 * run; `steps: PROG: reason` and exit 127 in the child when an exec fails.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int start = 1;

	while (start < argc) {
		int end = start;
		pid_t pid;
		int status;

		while (end < argc && strcmp(argv[end], ";") != 0)
			end++;
		if (end > start) {
			argv[end < argc ? end : argc] = NULL;
			fflush(stdout);
			pid = fork();
			if (pid < 0) {
				perror("steps: fork");
				return 1;
			}
			if (pid == 0) {
				execv(argv[start], argv + start);
				fprintf(stderr, "steps: %s: %s\n", argv[start], strerror(errno));
				_exit(127);
			}
			if (waitpid(pid, &status, 0) < 0) {
				perror("steps: waitpid");
				return 1;
			}
			if (WIFEXITED(status))
				printf("[exit %d]\n", WEXITSTATUS(status));
			else
				printf("[signal %d]\n", WTERMSIG(status));
		}
		start = end + 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
