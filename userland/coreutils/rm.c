/*
 * rm.c: removes files, as GNU rm does. -r/-R removes directories with
 * everything in them, -d removes empty directories, -f ignores names that
 * do not exist (and no operand at all). "." and ".." are refused, and so is
 * "/" with -r. rm never asks here. Errors print `rm: cannot remove 'PATH':
 * reason` on stderr and make the exit status 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "file_tree.h"

int main(int argc, char **argv)
{
	int recursive = 0;
	int force = 0;
	int empty_dirs = 0;
	int status = 0;
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0')
			break;
		for (const char *c = arg + 1; *c; c++) {
			switch (*c) {
			case 'r':
			case 'R':
				recursive = 1;
				break;
			case 'f':
				force = 1;
				break;
			case 'd':
				empty_dirs = 1;
				break;
			default:
				fprintf(stderr, "rm: invalid option -- '%c'\n", *c);
				return 1;
			}
		}
	}
	if (i == argc && !force) {
		fputs("rm: missing operand\n", stderr);
		return 1;
	}
	for (; i < argc; i++) {
		const char *path = argv[i];
		char *base = tree_basename(path);
		struct stat st;

		if (base != NULL && (strcmp(base, ".") == 0 || strcmp(base, "..") == 0)) {
			fprintf(stderr,
				"rm: refusing to remove '.' or '..' directory: "
				"skipping '%s'\n",
				path);
			status = 1;
		} else if (recursive && base != NULL && strcmp(base, "/") == 0) {
			fprintf(stderr, "rm: it is dangerous to operate recursively on '%s'\n",
				path);
			status = 1;
		} else if (lstat(path, &st) != 0) {
			if (!(force && errno == ENOENT)) {
				tree_error("rm", "cannot remove", path, errno);
				status = 1;
			}
		} else if (S_ISDIR(st.st_mode) && !recursive) {
			if (!empty_dirs || rmdir(path) != 0) {
				int err = empty_dirs ? errno : EISDIR;

				tree_error("rm", "cannot remove", path, err);
				status = 1;
			}
		} else if (tree_remove("rm", path, recursive) != 0) {
			status = 1;
		}
		free(base);
	}
	return status;
}
