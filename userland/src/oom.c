/*
 * oom.c: a memory hog dies and the rest of the system carries on. Forks a
 * child that execs memhog (argv[1], default userland/bin/memhog.elf) while
 * the parent keeps filling and checking a 4 MiB buffer of its own. When the
 * child has ended it prints how (`hog killed by signal N` or `hog exited with
 * N`), then `survivor intact` if every round of its own work checked out,
 * then `ok`; exits 0 only if the checks passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define BUFFER_WORDS (1024 * 1024)

int main(int argc, char **argv)
{
	char *hog = argc > 1 ? argv[1] : "userland/bin/memhog.elf";
	uint32_t *buffer = malloc(BUFFER_WORDS * sizeof(uint32_t));
	int status = 0;
	int intact = 1;

	CHECK(buffer != NULL);
	pid_t pid = fork_or_fail();
	if (pid == 0) {
		char *args[] = { hog, NULL };

		execv(hog, args);
		_exit(127);
	}
	for (uint32_t round = 1;; round++) {
		for (uint32_t i = 0; i < BUFFER_WORDS; i++)
			buffer[i] = i * 2654435761u + round;
		for (uint32_t i = 0; i < BUFFER_WORDS; i++)
			intact &= buffer[i] == i * 2654435761u + round;
		pid_t done = waitpid(pid, &status, WNOHANG);
		CHECK(done == 0 || done == pid);
		if (done == pid)
			break;
	}
	if (WIFSIGNALED(status))
		printf("hog killed by signal %d\n", WTERMSIG(status));
	else
		printf("hog exited with %d\n", WEXITSTATUS(status));
	CHECK(intact);
	printf("survivor intact\n");
	printf("ok\n");
	return 0;
}
