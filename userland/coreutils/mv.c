/*
 * mv.c: moves (renames) files, as GNU mv does: `mv SRC DST` and `mv SRC...
 * DIR`. A rename replaces an existing file (or an empty directory with a
 * directory). Across file systems (EXDEV) the source is copied with its
 * modes, times and symbolic links, then removed; a destination in the way
 * is removed first (a directory only when empty). -f is accepted (mv never
 * asks here). Errors print `mv: ...` on stderr and make the exit status 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_tree.h"
#include "options.h"

/* Copies src to dst and removes src: a rename across file systems. */
static int move_across(const char *src, const char *dst, const struct stat *st)
{
	struct tree_options o = { .program = "mv", .recursive = 1, .preserve = 1 };
	struct stat dst_st;

	if (lstat(dst, &dst_st) == 0) {
		if (S_ISDIR(dst_st.st_mode) && !S_ISDIR(st->st_mode)) {
			fprintf(stderr, "mv: cannot overwrite directory '%s' with non-directory\n",
				dst);
			return -1;
		}
		if (!S_ISDIR(dst_st.st_mode) && S_ISDIR(st->st_mode)) {
			fprintf(stderr,
				"mv: cannot overwrite non-directory '%s' "
				"with directory '%s'\n",
				dst, src);
			return -1;
		}
		if ((S_ISDIR(dst_st.st_mode) ? rmdir(dst) : unlink(dst)) != 0) {
			fprintf(stderr, "mv: inter-device move failed: '%s' to '%s'; ", src, dst);
			fprintf(stderr, "unable to remove target: %s\n", strerror(errno));
			return -1;
		}
	}
	if (tree_copy(&o, src, dst, 1) != 0)
		return -1;
	return tree_remove("mv", src, 1);
}

int main(int argc, char **argv)
{
	struct short_options s = SHORT_OPTIONS(argc, argv);
	int target_is_dir;
	int status = 0;
	int c, i;

	while ((c = next_option(&s)) != 0)
		if (c != 'f')
			return invalid_option("mv", c);
	i = s.index;
	if (tree_operands("mv", argc - i, argv + i, &target_is_dir) < 0)
		return 1;
	for (; i < argc - 1; i++) {
		const char *src = argv[i];
		char *dst = tree_destination("mv", src, argv[argc - 1], target_is_dir);
		struct stat st;

		if (dst == NULL) {
			status = 1;
			continue;
		}
		if (lstat(src, &st) != 0) {
			tree_error("mv", "cannot stat", src, errno);
			status = 1;
		} else if (tree_same_file(src, 0, dst, 0)) {
			fprintf(stderr, "mv: '%s' and '%s' are the same file\n", src, dst);
			status = 1;
		} else if (rename(src, dst) != 0) {
			if (errno == EXDEV) {
				if (move_across(src, dst, &st) != 0)
					status = 1;
			} else if (errno == EINVAL) {
				fprintf(stderr,
					"mv: cannot move '%s' to a subdirectory of itself, '%s'\n",
					src, dst);
				status = 1;
			} else {
				fprintf(stderr, "mv: cannot move '%s' to '%s': %s\n", src, dst,
					strerror(errno));
				status = 1;
			}
		}
		free(dst);
	}
	return status;
}
