/*
 * true.c: does nothing and succeeds. Like GNU true, it ignores its
 * arguments (a lone --help or --version prints a line and succeeds).
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		fputs("Usage: true [ignored command line arguments]\n", stdout);
	else if (argc == 2 && strcmp(argv[1], "--version") == 0)
		fputs("true (denix coreutils)\n", stdout);
	return 0;
}
