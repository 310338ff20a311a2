/*
 * memhog.c: running out of memory. Allocates 1 MiB blocks with malloc and
 * writes to every page of each, until malloc returns NULL or 1 GiB is held
 * (argv[1] MiB overrides the bound). Progress goes to stderr only, one line
 * per 64 MiB. On stdout it prints `malloc returned NULL` or `allocation
 * bound reached`, then `ok`, and exits 0. The kernel may instead kill it
 * (out of memory), which is what the kernel tests look for while other
 * programs keep running.
 */
#include <stdio.h>
#include <stdlib.h>

#define BLOCK (1024 * 1024)
#define PAGE 4096
#define DEFAULT_BOUND_MIB 1024
#define REPORT_EVERY_MIB 64

int main(int argc, char **argv)
{
	int bound = argc > 1 ? atoi(argv[1]) : DEFAULT_BOUND_MIB;
	int held = 0;
	int exhausted = 0;

	while (held < bound) {
		volatile char *block = malloc(BLOCK);

		if (block == NULL) {
			exhausted = 1;
			break;
		}
		for (int i = 0; i < BLOCK; i += PAGE)
			block[i] = (char)(held + i / PAGE);
		held++;
		if (held % REPORT_EVERY_MIB == 0)
			fprintf(stderr, "memhog: %d MiB\n", held);
	}
	printf("%s\n", exhausted ? "malloc returned NULL" : "allocation bound reached");
	printf("ok\n");
	return 0;
}
