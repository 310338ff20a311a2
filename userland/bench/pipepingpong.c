/*
 * pipepingpong.c (bench_pipepingpong): argv[1] (default 10000) one-byte
 * round trips between two processes over two pipes: the parent writes a
 * byte, the child reads it and writes it back, incremented. Measures a
 * blocking read, a wake-up and a switch to the other process, twice per
 * round. Prints the round count; exits 1 if a byte comes back wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_ROUNDS 10000

int main(int argc, char **argv)
{
	unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : DEFAULT_ROUNDS;
	int ping[2];
	int pong[2];
	int status;

	if (pipe(ping) != 0 || pipe(pong) != 0) {
		printf("pipepingpong: pipe failed\n");
		return 1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		unsigned char byte;

		close(ping[1]);
		close(pong[0]);
		while (read(ping[0], &byte, 1) == 1) {
			byte++;
			if (write(pong[1], &byte, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(ping[0]);
	close(pong[1]);
	for (unsigned i = 0; i < rounds; i++) {
		unsigned char byte = (unsigned char)i;
		unsigned char back;

		if (pid < 0 || write(ping[1], &byte, 1) != 1 || read(pong[0], &back, 1) != 1 ||
		    back != (unsigned char)(byte + 1)) {
			printf("pipepingpong: round %u failed\n", i);
			return 1;
		}
	}
	close(ping[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("pipepingpong: child failed\n");
		return 1;
	}
	printf("pipepingpong: %u round trips\n", rounds);
	return 0;
}
