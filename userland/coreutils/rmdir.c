/*
 * rmdir.c: removes empty directories, as GNU rmdir does; -p then removes
 * each parent named in the operand too ("a/b/c": a/b/c, a/b, a), stopping at
 * the first that fails. Errors print `rmdir: failed to remove 'PATH':
 * reason` on stderr and make the exit status 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

static int remove_dir(const char *path)
{
	if (rmdir(path) == 0)
		return 0;
	fprintf(stderr, "rmdir: failed to remove '%s': %s\n", path, strerror(errno));
	return -1;
}

int main(int argc, char **argv)
{
	struct short_options s = SHORT_OPTIONS(argc, argv);
	int parents = 0;
	int status = 0;
	int c, i;

	while ((c = next_option(&s)) != 0) {
		if (c != 'p')
			return invalid_option("rmdir", c);
		parents = 1;
	}
	i = s.index;
	if (i == argc)
		return missing_operand("rmdir");
	for (; i < argc; i++) {
		char *path = strdup(argv[i]);
		size_t len;

		if (path == NULL || remove_dir(argv[i]) != 0) {
			status = 1;
			free(path);
			continue;
		}
		len = strlen(path);
		while (parents) {
			/* Drop trailing slashes, the last component, the slashes before it. */
			while (len > 1 && path[len - 1] == '/')
				len--;
			while (len > 0 && path[len - 1] != '/')
				len--;
			while (len > 1 && path[len - 1] == '/')
				len--;
			if (len == 0 || (len == 1 && path[0] == '/'))
				break;
			path[len] = '\0';
			if (remove_dir(path) != 0) {
				status = 1;
				break;
			}
		}
		free(path);
	}
	return status;
}
