/*
 * ln.c: makes links, as GNU ln does: `ln TARGET LINK`, `ln TARGET` (a link
 * of the same name here) and `ln TARGET... DIR`. Hard links by default (to
 * a symbolic link itself, not what it leads to; never to a directory), -s
 * symbolic links (the target is stored as given), -f removes an existing
 * destination first. Errors print `ln: ...` on stderr and make the exit
 * status 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_tree.h"
#include "options.h"

static int symbolic;
static int force;

static int make_link(const char *target, const char *link_path)
{
	struct stat st;

	if (!symbolic) {
		if (lstat(target, &st) != 0) {
			fprintf(stderr, "ln: failed to access '%s': %s\n", target, strerror(errno));
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			fprintf(stderr, "ln: %s: hard link not allowed for directory\n", target);
			return -1;
		}
	}
	if (force && lstat(link_path, &st) == 0) {
		if (!symbolic && tree_same_file(target, 0, link_path, 0)) {
			fprintf(stderr, "ln: '%s' and '%s' are the same file\n", target, link_path);
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			fprintf(stderr, "ln: %s: cannot overwrite directory\n", link_path);
			return -1;
		}
		if (unlink(link_path) != 0 && errno != ENOENT) {
			fprintf(stderr, "ln: cannot remove '%s': %s\n", link_path, strerror(errno));
			return -1;
		}
	}
	if ((symbolic ? symlink(target, link_path) : link(target, link_path)) != 0) {
		fprintf(stderr, "ln: failed to create %s link '%s': %s\n",
			symbolic ? "symbolic" : "hard", link_path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct short_options s = SHORT_OPTIONS(argc, argv);
	int target_is_dir;
	int status = 0;
	int count;
	int c, i;

	while ((c = next_option(&s)) != 0) {
		if (c == 's')
			symbolic = 1;
		else if (c == 'f')
			force = 1;
		else
			return invalid_option("ln", c);
	}
	i = s.index;
	count = argc - i;
	if (count == 1) {
		/* `ln TARGET`: a link named like the target, here. */
		char *base = tree_basename(argv[i]);
		int r = base ? make_link(argv[i], base) : -1;

		free(base);
		return r == 0 ? 0 : 1;
	}
	if (tree_operands("ln", count, argv + i, &target_is_dir) < 0)
		return 1;
	for (; i < argc - 1; i++) {
		char *dst = tree_destination("ln", argv[i], argv[argc - 1], target_is_dir);

		if (dst == NULL || make_link(argv[i], dst) != 0)
			status = 1;
		free(dst);
	}
	return status;
}
