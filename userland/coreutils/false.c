/*
 * false.c: does nothing and fails (exit status 1). Like GNU false, it
 * ignores its arguments (a lone --help or --version prints a line, and
 * the status is still 1).
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		fputs("Usage: false [ignored command line arguments]\n", stdout);
	else if (argc == 2 && strcmp(argv[1], "--version") == 0)
		fputs("false (denix coreutils)\n", stdout);
	return 1;
}
