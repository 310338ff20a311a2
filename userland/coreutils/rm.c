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
#include "options.h"

/*
 * Whether `path` is the root directory however it is written ("/", "//", "/.", "/usr/.."):
 * GNU's --preserve-root, which rm always keeps. (Its last name is empty for "/", so the name
 * alone cannot tell.)
 */
static int is_root(const char *path)
{
	struct stat st, root;

	return stat(path, &st) == 0 && stat("/", &root) == 0 && st.st_dev == root.st_dev &&
	       st.st_ino == root.st_ino;
}

int main(int argc, char **argv)
{
	int recursive = 0;
	int force = 0;
	int empty_dirs = 0;
	struct short_options s = SHORT_OPTIONS(argc, argv);
	int status = 0;
	int c, i;

	while ((c = next_option(&s)) != 0) {
		switch (c) {
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
			return invalid_option("rm", c);
		}
	}
	i = s.index;
	if (i == argc && !force)
		return missing_operand("rm");
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
		} else if (recursive && is_root(path)) {
			fprintf(stderr,
				"rm: it is dangerous to operate recursively on '%s'\n"
				"rm: use --no-preserve-root to override this failsafe\n",
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
