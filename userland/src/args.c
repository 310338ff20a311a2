/*
 * args.c: prints argc, then every argv and envp entry, one per line, to show
 * the initial stack crt0 received.
 */
#include <stdio.h>

int main(int argc, char **argv, char **envp)
{
	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	for (int i = 0; envp[i] != NULL; i++)
		printf("envp[%d]=%s\n", i, envp[i]);
	return 0;
}
